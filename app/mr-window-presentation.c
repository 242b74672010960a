/* mr-window-presentation.c: presentation mode for the classroom
 *
 * Copyright 2026 The Mailroom authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "mr-window-presentation"

#include "config.h"

#include <glib/gi18n.h>

#include "mr-window-private.h"

/* Large type, thick lines, high contrast: read from the back of a room.
 * Views drawn with GtkSnapshot look for the class on their root. */
static const char presentation_css[] =
  "window.presentation { font-size: 20pt; }\n"
  "window.presentation headerbar, window.presentation actionbar { font-size: 16pt; }\n"
  "window.presentation textview, window.presentation textview text,\n"
  "window.presentation listview, window.presentation stateview,\n"
  "window.presentation mapview {\n"
  "  background-color: #ffffff; color: #000000; }\n"
  "window.presentation textview { font-size: 20pt; }\n"
  "window.presentation .transcript-line { font-size: 20pt; padding: 4px 8px; }\n"
  "window.presentation scale trough { min-height: 10px; }\n"
  "window.presentation scale slider { min-width: 28px; min-height: 28px; }\n"
  "window.presentation .dim-label { opacity: 0.85; }\n";

/* The teacher's pointer: a translucent disc over everything while
 * presenting, so a room can follow what is being pointed at. Drawn by a
 * child of an overlay put around the window's content; it never takes
 * input. */
#define MR_TYPE_POINTER_HIGHLIGHT (mr_pointer_highlight_get_type ())
G_DECLARE_FINAL_TYPE (MrPointerHighlight, mr_pointer_highlight, MR, POINTER_HIGHLIGHT, GtkWidget)

struct _MrPointerHighlight
{
  GtkWidget parent_instance;
  double    x;
  double    y;
  gboolean  inside;
};

G_DEFINE_FINAL_TYPE (MrPointerHighlight, mr_pointer_highlight, GTK_TYPE_WIDGET)

static void
mr_pointer_highlight_snapshot (GtkWidget   *widget,
                               GtkSnapshot *snapshot)
{
  MrPointerHighlight *self = (MrPointerHighlight *)widget;
  GtkRoot *root = gtk_widget_get_root (widget);
  GskRoundedRect disc;

  if (!self->inside || root == NULL || !gtk_widget_has_css_class (GTK_WIDGET (root), "presentation"))
    return;

  gsk_rounded_rect_init_from_rect (&disc, &GRAPHENE_RECT_INIT (self->x - 36, self->y - 36, 72, 72), 36);
  gtk_snapshot_push_rounded_clip (snapshot, &disc);
  gtk_snapshot_append_color (snapshot, &(GdkRGBA) { 1.0, 0.85, 0.0, 0.35 }, &disc.bounds);
  gtk_snapshot_pop (snapshot);
}

static void
mr_pointer_highlight_class_init (MrPointerHighlightClass *klass)
{
  GTK_WIDGET_CLASS (klass)->snapshot = mr_pointer_highlight_snapshot;
}

static void
mr_pointer_highlight_init (MrPointerHighlight *self)
{
  gtk_widget_set_can_target (GTK_WIDGET (self), FALSE);
  gtk_widget_set_can_focus (GTK_WIDGET (self), FALSE);
}

static void
on_motion_cb (GtkEventControllerMotion *motion,
              double                    x,
              double                    y,
              MrWindow                 *self)
{
  MrPointerHighlight *highlight = g_object_get_data (G_OBJECT (self), "mr-pointer-highlight");

  if (highlight == NULL || !_mr_window_get_presenting (self))
    return;
  _mr_window_point_at (self, x, y);
}

static void
on_leave_cb (GtkEventControllerMotion *motion,
             MrWindow                 *self)
{
  MrPointerHighlight *highlight = g_object_get_data (G_OBJECT (self), "mr-pointer-highlight");

  if (highlight != NULL && highlight->inside)
    {
      highlight->inside = FALSE;
      gtk_widget_queue_draw (GTK_WIDGET (highlight));
    }
}

void
_mr_window_point_at (MrWindow *self,
                     double    x,
                     double    y)
{
  MrPointerHighlight *highlight;
  double hx, hy;

  g_return_if_fail (MR_IS_WINDOW (self));

  highlight = g_object_get_data (G_OBJECT (self), "mr-pointer-highlight");
  if (highlight == NULL ||
      !gtk_widget_translate_coordinates (GTK_WIDGET (self), GTK_WIDGET (highlight), x, y, &hx, &hy))
    return;
  highlight->x = hx;
  highlight->y = hy;
  highlight->inside = TRUE;
  gtk_widget_queue_draw (GTK_WIDGET (highlight));
}

gboolean
_mr_window_get_pointed_at (MrWindow *self,
                           double   *x_r,
                           double   *y_r)
{
  MrPointerHighlight *highlight;

  g_return_val_if_fail (MR_IS_WINDOW (self), FALSE);

  highlight = g_object_get_data (G_OBJECT (self), "mr-pointer-highlight");
  if (highlight == NULL || !highlight->inside || !_mr_window_get_presenting (self))
    return FALSE;
  if (x_r != NULL)
    *x_r = highlight->x;
  if (y_r != NULL)
    *y_r = highlight->y;
  return TRUE;
}

/* The pages digits pick, in the stack's order. */
static void
show_nth_page (MrWindow *self,
               guint     n)
{
  g_autoptr(GtkSelectionModel) pages = adw_view_stack_get_pages (self->stack);

  if (n < g_list_model_get_n_items (G_LIST_MODEL (pages)))
    {
      g_autoptr(AdwViewStackPage) page = g_list_model_get_item (G_LIST_MODEL (pages), n);

      adw_view_stack_set_visible_child (self->stack, adw_view_stack_page_get_child (page));
    }
}

gboolean
_mr_window_get_presenting (MrWindow *self)
{
  g_return_val_if_fail (MR_IS_WINDOW (self), FALSE);
  return gtk_widget_has_css_class (GTK_WIDGET (self), "presentation");
}

void
_mr_window_set_presenting (MrWindow *self,
                           gboolean  presenting)
{
  g_return_if_fail (MR_IS_WINDOW (self));

  if (presenting == _mr_window_get_presenting (self))
    return;

  if (presenting)
    {
      gtk_widget_add_css_class (GTK_WIDGET (self), "presentation");
      gtk_window_fullscreen (GTK_WINDOW (self));
      gtk_label_set_label (self->status_label,
                           _("Presenting: Space step · Shift+Space back · F fast-forward · 1–9 views · Esc leaves"));
    }
  else
    {
      gtk_widget_remove_css_class (GTK_WIDGET (self), "presentation");
      gtk_window_unfullscreen (GTK_WINDOW (self));
    }
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

static void
presentation_action (GtkWidget  *widget,
                     const char *action_name,
                     GVariant   *param)
{
  MrWindow *self = (MrWindow *)widget;

  _mr_window_set_presenting (self, !_mr_window_get_presenting (self));
}

/* Keys that only mean something while presenting (else a console entry
 * would lose its digits), and Space/Shift+Space for a scrubbed timeline
 * (a text field keeps its spaces). Returns whether the key was used; FALSE
 * lets it go on to the focused widget and the window's own shortcuts. */
gboolean
_mr_window_presentation_key (MrWindow        *self,
                             guint            keyval,
                             GdkModifierType  state)
{
  GtkWidget *focus;

  g_return_val_if_fail (MR_IS_WINDOW (self), FALSE);

  if (keyval == GDK_KEY_space)
    {
      focus = gtk_root_get_focus (GTK_ROOT (self));
      if (focus != NULL && GTK_IS_EDITABLE (focus))
        return FALSE;
      if (state & GDK_SHIFT_MASK)
        mr_timeline_step_back (self->timeline);
      else if (!mr_timeline_get_live (self->timeline))
        mr_timeline_step_forward (self->timeline);
      else
        return FALSE;
      return TRUE;
    }

  if (!_mr_window_get_presenting (self))
    return FALSE;

  /* Typing in a console (a lesson's, or the raw one) keeps its letters and
   * digits; only Esc leaves presentation mode from there. */
  focus = gtk_root_get_focus (GTK_ROOT (self));
  if (keyval != GDK_KEY_Escape && focus != NULL && GTK_IS_EDITABLE (focus))
    return FALSE;

  if (keyval == GDK_KEY_f || keyval == GDK_KEY_F)
    gtk_widget_activate_action (GTK_WIDGET (self), "win.fast-forward", NULL);
  else if (keyval == GDK_KEY_Escape)
    _mr_window_set_presenting (self, FALSE);
  else if (keyval >= GDK_KEY_1 && keyval <= GDK_KEY_9)
    show_nth_page (self, keyval - GDK_KEY_1);
  else
    return FALSE;
  return TRUE;
}

static gboolean
key_cb (GtkWidget *widget,
        GVariant  *args,
        gpointer   user_data)
{
  guint keyval = GPOINTER_TO_UINT (user_data) & 0xffff;
  GdkModifierType state = (GPOINTER_TO_UINT (user_data) >> 16) ? GDK_SHIFT_MASK : 0;

  return _mr_window_presentation_key (MR_WINDOW (widget), keyval, state);
}

void
_mr_window_presentation_init (MrWindow *self)
{
  static gboolean css_loaded;
  static const guint keys[] = {
    GDK_KEY_space, GDK_KEY_f, GDK_KEY_F, GDK_KEY_Escape,
    GDK_KEY_1, GDK_KEY_2, GDK_KEY_3, GDK_KEY_4, GDK_KEY_5, GDK_KEY_6, GDK_KEY_7, GDK_KEY_8, GDK_KEY_9,
  };
  GtkEventController *controller;

  if (!css_loaded)
    {
      g_autoptr(GtkCssProvider) provider = gtk_css_provider_new ();

      gtk_css_provider_load_from_data (provider, presentation_css, -1);
      gtk_style_context_add_provider_for_display (gtk_widget_get_display (GTK_WIDGET (self)),
                                                  GTK_STYLE_PROVIDER (provider),
                                                  GTK_STYLE_PROVIDER_PRIORITY_APPLICATION);
      css_loaded = TRUE;
    }

  /* Capture phase: in presentation mode the keys are the teacher's even
   * when a button or list has the focus. */
  controller = gtk_shortcut_controller_new ();
  gtk_event_controller_set_propagation_phase (controller, GTK_PHASE_CAPTURE);
  for (guint i = 0; i < G_N_ELEMENTS (keys); i++)
    gtk_shortcut_controller_add_shortcut (GTK_SHORTCUT_CONTROLLER (controller),
                                          gtk_shortcut_new (gtk_keyval_trigger_new (keys[i], 0),
                                                            gtk_callback_action_new (key_cb,
                                                                                     GUINT_TO_POINTER (keys[i]),
                                                                                     NULL)));
  gtk_shortcut_controller_add_shortcut (GTK_SHORTCUT_CONTROLLER (controller),
                                        gtk_shortcut_new (gtk_keyval_trigger_new (GDK_KEY_space, GDK_SHIFT_MASK),
                                                          gtk_callback_action_new (key_cb,
                                                                                   GUINT_TO_POINTER (GDK_KEY_space | (1u << 16)),
                                                                                   NULL)));
  gtk_widget_add_controller (GTK_WIDGET (self), controller);

  /* The pointer highlight over the content */
  {
    GtkWidget *content = adw_application_window_get_content (ADW_APPLICATION_WINDOW (self));
    GtkWidget *overlay = gtk_overlay_new ();
    GtkWidget *highlight = g_object_new (MR_TYPE_POINTER_HIGHLIGHT, NULL);

    if (content != NULL)
      {
        g_object_ref (content);
        adw_application_window_set_content (ADW_APPLICATION_WINDOW (self), NULL);
        gtk_overlay_set_child (GTK_OVERLAY (overlay), content);
        g_object_unref (content);
      }
    gtk_overlay_add_overlay (GTK_OVERLAY (overlay), highlight);
    adw_application_window_set_content (ADW_APPLICATION_WINDOW (self), overlay);
    g_object_set_data (G_OBJECT (self), "mr-pointer-highlight", highlight);

    controller = gtk_event_controller_motion_new ();
    g_signal_connect_object (controller, "motion", G_CALLBACK (on_motion_cb), self, 0);
    g_signal_connect_object (controller, "leave", G_CALLBACK (on_leave_cb), self, 0);
    gtk_widget_add_controller (GTK_WIDGET (self), controller);
  }
}

void
_mr_window_class_presentation_init (GtkWidgetClass *widget_class)
{
  gtk_widget_class_install_action (widget_class, "win.presentation", NULL, presentation_action);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_F5, 0, "win.presentation", NULL);
}
