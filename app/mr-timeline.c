/* mr-timeline.c
 *
 * Copyright 2026 The Mailroom authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "mr-timeline"

#include "config.h"

#include <glib/gi18n.h>

#include "mr-event-model.h"
#include "mr-timeline.h"

struct _MrTimeline
{
  GtkWidget      parent_instance;

  /* Template widgets */
  GtkWidget     *box;
  GtkScale      *scale;
  GtkAdjustment *adjustment;
  GtkLabel      *position_label;
  GtkButton     *live_button;

  /* Borrowed */
  MrEventModel  *live;

  /* Owned */
  MrEventModel  *past;          /* the events up to the cursor */
  guint64        cursor;        /* 0: live */
  guint          position;      /* index of the cursor's event in @live */
  gulong         value_handler;
};

G_DEFINE_FINAL_TYPE (MrTimeline, mr_timeline, GTK_TYPE_WIDGET)

enum {
  PROP_0,
  PROP_CURSOR,
  PROP_LIVE,
  N_PROPS
};

static GParamSpec *properties [N_PROPS];

static guint
n_events (MrTimeline *self)
{
  return self->live ? mr_event_model_get_n_events (self->live) : 0;
}

static void
update_label (MrTimeline *self)
{
  g_autofree char *text = NULL;
  guint n = n_events (self);

  if (self->cursor == 0)
    text = g_strdup_printf (ngettext ("Live · %u event", "Live · %u events", n), n);
  else
    {
      MrEvent *event = mr_event_model_get_event (self->live, self->position);
      g_autofree char *label = mr_event_dup_label (event);
      g_autoptr(GDateTime) when = g_date_time_new_from_unix_utc (event->time / G_USEC_PER_SEC);
      g_autofree char *clock = when ? g_date_time_format (when, "%H:%M:%S") : g_strdup ("");

      /* TRANSLATORS: event 12 of 40 at 10:04:05: RCPT */
      text = g_strdup_printf (_("Event %u of %u · %s · %s"), self->position + 1, n, clock, label);
    }
  gtk_label_set_label (self->position_label, text);
  gtk_widget_set_visible (GTK_WIDGET (self->live_button), self->cursor != 0);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "timeline.live", self->cursor != 0);
}

/* Keeps the scale's range over the live model; at the end while live. */
static void
update_range (MrTimeline *self)
{
  guint n = n_events (self);

  g_signal_handler_block (self->adjustment, self->value_handler);
  gtk_adjustment_configure (self->adjustment,
                            self->cursor == 0 ? MAX (n, 1) - 1 : self->position,
                            0, MAX (n, 1) - 1, 1, 10, 0);
  g_signal_handler_unblock (self->adjustment, self->value_handler);
  gtk_widget_set_sensitive (GTK_WIDGET (self->scale), n > 1);
}

/* The past model holds events 0..@position of the live one: a prefix, so
 * moving forward only appends. */
static void
fill_past (MrTimeline *self,
           guint       position)
{
  guint have = mr_event_model_get_n_events (self->past);
  g_autoptr(GPtrArray) batch = NULL;

  if (have > position + 1 ||
      (have > 0 && mr_event_model_get_event (self->past, have - 1) !=
                   mr_event_model_get_event (self->live, have - 1)))
    {
      mr_event_model_clear (self->past);
      have = 0;
    }

  batch = g_ptr_array_sized_new (position + 1 - have);
  for (guint i = have; i <= position; i++)
    g_ptr_array_add (batch, mr_event_model_get_event (self->live, i));
  mr_event_model_append (self->past, batch);
}

static void
set_position (MrTimeline *self,
              guint       position)
{
  guint n = n_events (self);
  gboolean was_live = self->cursor == 0;
  guint64 cursor;

  if (n == 0 || position + 1 >= n)
    {
      mr_timeline_go_live (self);
      return;
    }

  cursor = mr_event_model_get_event (self->live, position)->seq;
  if (cursor == self->cursor)
    return;

  self->position = position;
  self->cursor = cursor;
  fill_past (self, position);
  update_range (self);
  update_label (self);

  g_object_notify_by_pspec (G_OBJECT (self), properties [PROP_CURSOR]);
  if (was_live)
    g_object_notify_by_pspec (G_OBJECT (self), properties [PROP_LIVE]);
}

static void
on_value_changed_cb (MrTimeline    *self,
                     GtkAdjustment *adjustment)
{
  double value = gtk_adjustment_get_value (adjustment);

  set_position (self, (guint) MAX (0, value + 0.5));
}

static void
on_items_changed_cb (MrTimeline *self,
                     guint       position,
                     guint       removed,
                     guint       added)
{
  g_assert (MR_IS_TIMELINE (self));

  /* Cleared (win.clear): what we showed is gone. */
  if (removed > 0)
    {
      mr_event_model_clear (self->past);
      mr_timeline_go_live (self);
    }
  update_range (self);
  update_label (self);
}

static gboolean
is_line (MrTimeline *self,
         guint       position)
{
  return mr_event_model_get_event (self->live, position)->kind == MR_EVENT_LINE;
}

void
mr_timeline_step_back (MrTimeline *self)
{
  guint n;
  guint p;

  g_return_if_fail (MR_IS_TIMELINE (self));

  n = n_events (self);
  if (n == 0)
    return;

  p = self->cursor == 0 ? n - 1 : self->position;
  while (p > 0)
    {
      p--;
      if (is_line (self, p))
        break;
    }
  set_position (self, p);
}

void
mr_timeline_step_forward (MrTimeline *self)
{
  guint n;
  guint p;

  g_return_if_fail (MR_IS_TIMELINE (self));

  if (self->cursor == 0)
    return;

  n = n_events (self);
  p = self->position;
  while (p + 1 < n)
    {
      p++;
      if (is_line (self, p))
        break;
    }
  set_position (self, p);
}

static void
step_back_action (GtkWidget  *widget,
                  const char *action_name,
                  GVariant   *param)
{
  mr_timeline_step_back (MR_TIMELINE (widget));
}

static void
live_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *param)
{
  mr_timeline_go_live (MR_TIMELINE (widget));
}

/* Space while scrubbed walks forward; while live it is not ours (the
 * window's step takes it). */
static gboolean
space_cb (GtkWidget *widget,
          GVariant  *args,
          gpointer   user_data)
{
  MrTimeline *self = (MrTimeline *)widget;

  if (self->cursor == 0)
    return FALSE;
  mr_timeline_step_forward (self);
  return TRUE;
}

static gboolean
shift_space_cb (GtkWidget *widget,
                GVariant  *args,
                gpointer   user_data)
{
  mr_timeline_step_back (MR_TIMELINE (widget));
  return TRUE;
}

static void
mr_timeline_dispose (GObject *object)
{
  MrTimeline *self = (MrTimeline *)object;

  if (self->live != NULL)
    g_signal_handlers_disconnect_by_data (self->live, self);
  g_clear_object (&self->live);
  gtk_widget_dispose_template (GTK_WIDGET (self), MR_TYPE_TIMELINE);

  G_OBJECT_CLASS (mr_timeline_parent_class)->dispose (object);
}

static void
mr_timeline_finalize (GObject *object)
{
  MrTimeline *self = (MrTimeline *)object;

  g_clear_object (&self->past);

  G_OBJECT_CLASS (mr_timeline_parent_class)->finalize (object);
}

static void
mr_timeline_get_property (GObject    *object,
                          guint       prop_id,
                          GValue     *value,
                          GParamSpec *pspec)
{
  MrTimeline *self = MR_TIMELINE (object);

  switch (prop_id)
    {
    case PROP_CURSOR:
      g_value_set_uint64 (value, self->cursor);
      break;

    case PROP_LIVE:
      g_value_set_boolean (value, self->cursor == 0);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
mr_timeline_set_property (GObject      *object,
                          guint         prop_id,
                          const GValue *value,
                          GParamSpec   *pspec)
{
  MrTimeline *self = MR_TIMELINE (object);

  switch (prop_id)
    {
    case PROP_CURSOR:
      mr_timeline_set_cursor (self, g_value_get_uint64 (value));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
mr_timeline_class_init (MrTimelineClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = mr_timeline_dispose;
  object_class->finalize = mr_timeline_finalize;
  object_class->get_property = mr_timeline_get_property;
  object_class->set_property = mr_timeline_set_property;

  /**
   * MrTimeline:cursor:
   *
   * The seq of the event the views show the world as of; 0 while live.
   */
  properties [PROP_CURSOR] =
    g_param_spec_uint64 ("cursor", NULL, NULL, 0, G_MAXUINT64, 0,
                         (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));
  properties [PROP_LIVE] =
    g_param_spec_boolean ("live", NULL, NULL, TRUE,
                          (G_PARAM_READABLE | G_PARAM_STATIC_STRINGS));
  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_css_name (widget_class, "timeline");
  gtk_widget_class_set_template_from_resource (widget_class, "/io/github/mailroomlab/Mailroom/ui/mr-timeline.ui");
  gtk_widget_class_bind_template_child (widget_class, MrTimeline, box);
  gtk_widget_class_bind_template_child (widget_class, MrTimeline, scale);
  gtk_widget_class_bind_template_child (widget_class, MrTimeline, adjustment);
  gtk_widget_class_bind_template_child (widget_class, MrTimeline, position_label);
  gtk_widget_class_bind_template_child (widget_class, MrTimeline, live_button);

  gtk_widget_class_install_action (widget_class, "timeline.step-back", NULL, step_back_action);
  gtk_widget_class_install_action (widget_class, "timeline.live", NULL, live_action);
}

static void
mr_timeline_init (MrTimeline *self)
{
  GtkEventController *controller;

  gtk_widget_init_template (GTK_WIDGET (self));

  self->past = mr_event_model_new ();
  self->value_handler = g_signal_connect_object (self->adjustment, "value-changed",
                                                 G_CALLBACK (on_value_changed_cb), self,
                                                 G_CONNECT_SWAPPED);

  /* Global: the keys work wherever the focus is in the window. */
  controller = gtk_shortcut_controller_new ();
  gtk_shortcut_controller_set_scope (GTK_SHORTCUT_CONTROLLER (controller), GTK_SHORTCUT_SCOPE_GLOBAL);
  gtk_shortcut_controller_add_shortcut (GTK_SHORTCUT_CONTROLLER (controller),
                                        gtk_shortcut_new (gtk_keyval_trigger_new (GDK_KEY_space, GDK_SHIFT_MASK),
                                                          gtk_callback_action_new (shift_space_cb, NULL, NULL)));
  gtk_shortcut_controller_add_shortcut (GTK_SHORTCUT_CONTROLLER (controller),
                                        gtk_shortcut_new (gtk_keyval_trigger_new (GDK_KEY_space, 0),
                                                          gtk_callback_action_new (space_cb, NULL, NULL)));
  gtk_widget_add_controller (GTK_WIDGET (self), controller);

  update_range (self);
  update_label (self);
}

GtkWidget *
mr_timeline_new (void)
{
  return g_object_new (MR_TYPE_TIMELINE, NULL);
}

void
mr_timeline_set_model (MrTimeline   *self,
                       MrEventModel *live)
{
  g_return_if_fail (MR_IS_TIMELINE (self));
  g_return_if_fail (!live || MR_IS_EVENT_MODEL (live));

  if (self->live == live)
    return;

  if (self->live != NULL)
    g_signal_handlers_disconnect_by_data (self->live, self);
  g_set_object (&self->live, live);
  if (live != NULL)
    g_signal_connect_object (live, "items-changed", G_CALLBACK (on_items_changed_cb),
                             self, G_CONNECT_SWAPPED);
  mr_event_model_clear (self->past);
  mr_timeline_go_live (self);
  update_range (self);
}

guint64
mr_timeline_get_cursor (MrTimeline *self)
{
  g_return_val_if_fail (MR_IS_TIMELINE (self), 0);
  return self->cursor;
}

void
mr_timeline_set_cursor (MrTimeline *self,
                        guint64     seq)
{
  guint lo = 0, hi;

  g_return_if_fail (MR_IS_TIMELINE (self));

  hi = n_events (self);
  if (seq == 0 || hi == 0)
    {
      mr_timeline_go_live (self);
      return;
    }

  /* The newest event at or before @seq (the model is in seq order). */
  while (lo < hi)
    {
      guint mid = lo + (hi - lo) / 2;

      if (mr_event_model_get_event (self->live, mid)->seq <= seq)
        lo = mid + 1;
      else
        hi = mid;
    }
  set_position (self, lo > 0 ? lo - 1 : 0);
}

gboolean
mr_timeline_get_live (MrTimeline *self)
{
  g_return_val_if_fail (MR_IS_TIMELINE (self), TRUE);
  return self->cursor == 0;
}

void
mr_timeline_go_live (MrTimeline *self)
{
  g_return_if_fail (MR_IS_TIMELINE (self));

  if (self->cursor != 0)
    {
      self->cursor = 0;
      self->position = 0;
      g_object_notify_by_pspec (G_OBJECT (self), properties [PROP_CURSOR]);
      g_object_notify_by_pspec (G_OBJECT (self), properties [PROP_LIVE]);
    }
  update_range (self);
  update_label (self);
}

MrEventModel *
mr_timeline_get_shown_model (MrTimeline *self)
{
  g_return_val_if_fail (MR_IS_TIMELINE (self), NULL);
  return self->cursor == 0 || self->live == NULL ? self->live : self->past;
}

GtkRange *
mr_timeline_get_range (MrTimeline *self)
{
  g_return_val_if_fail (MR_IS_TIMELINE (self), NULL);
  return GTK_RANGE (self->scale);
}
