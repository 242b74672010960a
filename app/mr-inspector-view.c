/* mr-inspector-view.c
 *
 * Copyright 2026 The Mailroom authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "mr-inspector-view"

#include "config.h"

#include <glib/gi18n.h>

#include "mr-engine-thread.h"
#include "mr-inspector-view.h"
#include "mr-received-trace.h"
#include "mr-world-snapshot.h"

struct _MrInspectorView
{
  GtkWidget        parent_instance;

  /* Children */
  GtkWidget       *scroller;
  GtkListBox      *queue_list;
  GtkListBox      *dns_list;
  MrReceivedTrace *trace;
  GtkToggleButton *trace_on_map;
  GtkLabel        *status_label;

  /* Owned */
  MrEngineThread  *engine;
  GCancellable    *cancellable;
  MrWorldSnapshot *snapshot;
  guint            timer_id;
  guint            n_refreshes;
  gboolean         pending;
  char            *dns_shown;     /* the records the DNS list was built from */
};

G_DEFINE_FINAL_TYPE (MrInspectorView, mr_inspector_view, GTK_TYPE_WIDGET)

enum {
  PROP_0,
  PROP_TRACE_ON_MAP,
  N_PROPS
};

static GParamSpec *properties [N_PROPS];

static char *
queue_row_text (const MrQueueRow *row,
                gint64            now)
{
  g_autofree char *retry = NULL;

  if (row->next_attempt > 0)
    {
      g_autofree char *countdown = mr_format_countdown (row->next_attempt - now);
      retry = g_strdup_printf (_("next retry in %s"), countdown);
    }

  /* TRANSLATORS: queue id, recipient, state, attempts, last reply, next retry */
  return g_strdup_printf (_("%s  %s  %s  attempts %u  %s%s%s"),
                          row->id, row->recipient, mr_queue_rcpt_state_to_string (row->state),
                          row->attempts, row->reply ? row->reply : "\u2014",
                          retry ? "  " : "", retry ? retry : "");
}

static void
clear_list (GtkListBox *list)
{
  GtkWidget *child;

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (list))) != NULL)
    gtk_list_box_remove (list, child);
}

static void
on_priority_changed_cb (GtkSpinButton   *spin,
                        MrInspectorView *self)
{
  const char *domain = g_object_get_data (G_OBJECT (spin), "domain");
  const char *exchange = g_object_get_data (G_OBJECT (spin), "exchange");

  mr_inspector_view_edit_mx (self, domain, exchange, gtk_spin_button_get_value_as_int (spin));
}

static void
on_remove_clicked_cb (GtkButton       *button,
                      MrInspectorView *self)
{
  mr_inspector_view_edit_mx (self, g_object_get_data (G_OBJECT (button), "domain"),
                             g_object_get_data (G_OBJECT (button), "exchange"), -1);
}

static void
show_snapshot (MrInspectorView *self)
{
  MrWorldSnapshot *snapshot = self->snapshot;
  g_autofree char *dns_text = mr_inspector_view_dup_dns_text (self);

  clear_list (self->queue_list);

  if (snapshot->queue->len == 0)
    gtk_list_box_append (self->queue_list, gtk_label_new (_("The relay queue is empty")));
  for (guint i = 0; i < snapshot->queue->len; i++)
    {
      g_autofree char *text = queue_row_text (g_ptr_array_index (snapshot->queue, i), snapshot->now);
      GtkWidget *label = gtk_label_new (text);

      gtk_label_set_xalign (GTK_LABEL (label), 0);
      gtk_label_set_selectable (GTK_LABEL (label), TRUE);
      gtk_label_set_wrap (GTK_LABEL (label), TRUE);
      gtk_widget_add_css_class (label, "monospace");
      gtk_list_box_append (self->queue_list, label);
    }

  /* Rebuilt only when the records changed: a spin button being used
   * must survive the once-a-second refresh. */
  if (g_strcmp0 (dns_text, self->dns_shown) == 0)
    return;
  g_free (self->dns_shown);
  self->dns_shown = g_steal_pointer (&dns_text);
  clear_list (self->dns_list);

  for (guint i = 0; i < snapshot->dns->len; i++)
    {
      const MrDnsEntry *entry = g_ptr_array_index (snapshot->dns, i);
      g_autofree char *text = g_strdup_printf ("%-28s %-4s %s", entry->name,
                                               mr_dns_type_to_string (entry->type), entry->value);
      GtkWidget *box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 6);
      GtkWidget *label = gtk_label_new (text);

      gtk_label_set_xalign (GTK_LABEL (label), 0);
      gtk_label_set_ellipsize (GTK_LABEL (label), PANGO_ELLIPSIZE_END);
      gtk_widget_set_hexpand (label, TRUE);
      gtk_widget_add_css_class (label, "monospace");
      gtk_box_append (GTK_BOX (box), label);

      if (entry->type == MR_DNS_MX)
        {
          GtkWidget *spin = gtk_spin_button_new_with_range (0, 65535, 5);
          GtkWidget *remove = gtk_button_new_from_icon_name ("list-remove-symbolic");

          gtk_spin_button_set_value (GTK_SPIN_BUTTON (spin), entry->priority);
          gtk_widget_set_tooltip_text (spin, _("Preference: lower is tried first (RFC 5321 5.1)"));
          g_object_set_data_full (G_OBJECT (spin), "domain", g_strdup (entry->name), g_free);
          g_object_set_data_full (G_OBJECT (spin), "exchange", g_strdup (entry->value), g_free);
          g_signal_connect_object (spin, "value-changed", G_CALLBACK (on_priority_changed_cb), self, 0);
          gtk_box_append (GTK_BOX (box), spin);

          gtk_widget_set_tooltip_text (remove, _("Remove this MX"));
          gtk_widget_add_css_class (remove, "flat");
          g_object_set_data_full (G_OBJECT (remove), "domain", g_strdup (entry->name), g_free);
          g_object_set_data_full (G_OBJECT (remove), "exchange", g_strdup (entry->value), g_free);
          g_signal_connect_object (remove, "clicked", G_CALLBACK (on_remove_clicked_cb), self, 0);
          gtk_box_append (GTK_BOX (box), remove);
        }
      gtk_list_box_append (self->dns_list, box);
    }
}

static void
snapshot_cb (GObject      *object,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autoptr(MrInspectorView) self = user_data;
  g_autoptr(GError) error = NULL;
  MrWorldSnapshot *snapshot;

  self->pending = FALSE;
  snapshot = mr_world_snapshot_finish (MR_ENGINE_THREAD (object), result, &error);
  if (snapshot == NULL)
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        gtk_label_set_label (self->status_label, error->message);
      return;
    }

  g_clear_pointer (&self->snapshot, mr_world_snapshot_free);
  self->snapshot = snapshot;
  self->n_refreshes++;
  show_snapshot (self);
}

void
mr_inspector_view_refresh (MrInspectorView *self)
{
  g_return_if_fail (MR_IS_INSPECTOR_VIEW (self));

  if (self->engine == NULL || self->pending)
    return;
  self->pending = TRUE;
  mr_world_snapshot_async (self->engine, self->cancellable, snapshot_cb, g_object_ref (self));
}

static gboolean
timer_cb (gpointer data)
{
  mr_inspector_view_refresh (MR_INSPECTOR_VIEW (data));
  return G_SOURCE_CONTINUE;
}

static void
mr_inspector_view_map (GtkWidget *widget)
{
  MrInspectorView *self = (MrInspectorView *)widget;

  GTK_WIDGET_CLASS (mr_inspector_view_parent_class)->map (widget);
  mr_inspector_view_refresh (self);
  if (self->timer_id == 0)
    self->timer_id = g_timeout_add_seconds (1, timer_cb, self);
}

static void
mr_inspector_view_unmap (GtkWidget *widget)
{
  MrInspectorView *self = (MrInspectorView *)widget;

  g_clear_handle_id (&self->timer_id, g_source_remove);
  GTK_WIDGET_CLASS (mr_inspector_view_parent_class)->unmap (widget);
}

static void
edit_cb (GObject      *object,
         GAsyncResult *result,
         gpointer      user_data)
{
  g_autoptr(MrInspectorView) self = user_data;
  g_autoptr(GError) error = NULL;

  if (!mr_world_edit_mx_finish (MR_ENGINE_THREAD (object), result, &error))
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        gtk_label_set_label (self->status_label, error->message);
      return;
    }
  gtk_label_set_label (self->status_label, _("DNS changed: the relay's next attempt follows the new MX order"));
  self->pending = FALSE;
  mr_inspector_view_refresh (self);
}

void
mr_inspector_view_edit_mx (MrInspectorView *self,
                           const char      *domain,
                           const char      *exchange,
                           int              priority)
{
  g_return_if_fail (MR_IS_INSPECTOR_VIEW (self));
  g_return_if_fail (domain != NULL && exchange != NULL);

  if (self->engine == NULL)
    return;
  mr_world_edit_mx_async (self->engine, domain, exchange, priority, self->cancellable,
                          edit_cb, g_object_ref (self));
}

static void
mr_inspector_view_dispose (GObject *object)
{
  MrInspectorView *self = (MrInspectorView *)object;

  g_cancellable_cancel (self->cancellable);
  g_clear_handle_id (&self->timer_id, g_source_remove);
  g_clear_pointer (&self->scroller, gtk_widget_unparent);
  g_clear_object (&self->engine);

  G_OBJECT_CLASS (mr_inspector_view_parent_class)->dispose (object);
}

static void
mr_inspector_view_finalize (GObject *object)
{
  MrInspectorView *self = (MrInspectorView *)object;

  g_clear_object (&self->cancellable);
  g_clear_pointer (&self->snapshot, mr_world_snapshot_free);
  g_clear_pointer (&self->dns_shown, g_free);

  G_OBJECT_CLASS (mr_inspector_view_parent_class)->finalize (object);
}

static void
on_trace_on_map_cb (MrInspectorView *self)
{
  g_object_notify_by_pspec (G_OBJECT (self), properties [PROP_TRACE_ON_MAP]);
}

static void
mr_inspector_view_get_property (GObject    *object,
                                guint       prop_id,
                                GValue     *value,
                                GParamSpec *pspec)
{
  MrInspectorView *self = MR_INSPECTOR_VIEW (object);

  switch (prop_id)
    {
    case PROP_TRACE_ON_MAP:
      g_value_set_boolean (value, mr_inspector_view_get_trace_on_map (self));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
mr_inspector_view_set_property (GObject      *object,
                                guint         prop_id,
                                const GValue *value,
                                GParamSpec   *pspec)
{
  MrInspectorView *self = MR_INSPECTOR_VIEW (object);

  switch (prop_id)
    {
    case PROP_TRACE_ON_MAP:
      mr_inspector_view_set_trace_on_map (self, g_value_get_boolean (value));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
mr_inspector_view_class_init (MrInspectorViewClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = mr_inspector_view_dispose;
  object_class->finalize = mr_inspector_view_finalize;
  object_class->get_property = mr_inspector_view_get_property;
  object_class->set_property = mr_inspector_view_set_property;

  /* Whether the trace is drawn on the map too (the window draws it). */
  properties [PROP_TRACE_ON_MAP] =
    g_param_spec_boolean ("trace-on-map", NULL, NULL, FALSE,
                          (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));
  g_object_class_install_properties (object_class, N_PROPS, properties);
  widget_class->map = mr_inspector_view_map;
  widget_class->unmap = mr_inspector_view_unmap;

  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_css_name (widget_class, "inspector");
}

static GtkWidget *
heading (const char *text)
{
  GtkWidget *label = gtk_label_new (text);

  gtk_label_set_xalign (GTK_LABEL (label), 0);
  gtk_widget_add_css_class (label, "heading");
  return label;
}

static void
mr_inspector_view_init (MrInspectorView *self)
{
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 12);

  self->cancellable = g_cancellable_new ();

  gtk_widget_set_margin_start (box, 18);
  gtk_widget_set_margin_end (box, 18);
  gtk_widget_set_margin_top (box, 18);
  gtk_widget_set_margin_bottom (box, 18);

  gtk_box_append (GTK_BOX (box), heading (_("Relay queue")));
  self->queue_list = GTK_LIST_BOX (gtk_list_box_new ());
  gtk_list_box_set_selection_mode (self->queue_list, GTK_SELECTION_NONE);
  gtk_widget_add_css_class (GTK_WIDGET (self->queue_list), "boxed-list");
  gtk_box_append (GTK_BOX (box), GTK_WIDGET (self->queue_list));

  {
    GtkWidget *row = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 12);
    GtkWidget *title = heading (_("Received: trace of the newest message"));

    gtk_widget_set_hexpand (title, TRUE);
    gtk_box_append (GTK_BOX (row), title);
    self->trace_on_map = GTK_TOGGLE_BUTTON (gtk_toggle_button_new_with_mnemonic (_("Draw on the _Map")));
    gtk_widget_set_tooltip_text (GTK_WIDGET (self->trace_on_map),
                                 _("Draw the message's path hop by hop on the map"));
    g_signal_connect_swapped (self->trace_on_map, "notify::active", G_CALLBACK (on_trace_on_map_cb), self);
    gtk_box_append (GTK_BOX (row), GTK_WIDGET (self->trace_on_map));
    gtk_box_append (GTK_BOX (box), row);
  }
  self->trace = MR_RECEIVED_TRACE (mr_received_trace_new ());
  gtk_box_append (GTK_BOX (box), GTK_WIDGET (self->trace));

  gtk_box_append (GTK_BOX (box), heading (_("Lab DNS")));
  self->dns_list = GTK_LIST_BOX (gtk_list_box_new ());
  gtk_list_box_set_selection_mode (self->dns_list, GTK_SELECTION_NONE);
  gtk_widget_add_css_class (GTK_WIDGET (self->dns_list), "boxed-list");
  gtk_box_append (GTK_BOX (box), GTK_WIDGET (self->dns_list));

  self->status_label = GTK_LABEL (gtk_label_new (NULL));
  gtk_label_set_xalign (self->status_label, 0);
  gtk_widget_add_css_class (GTK_WIDGET (self->status_label), "dim-label");
  gtk_box_append (GTK_BOX (box), GTK_WIDGET (self->status_label));

  self->scroller = gtk_scrolled_window_new ();
  gtk_scrolled_window_set_policy (GTK_SCROLLED_WINDOW (self->scroller), GTK_POLICY_NEVER, GTK_POLICY_AUTOMATIC);
  gtk_scrolled_window_set_child (GTK_SCROLLED_WINDOW (self->scroller), box);
  gtk_widget_set_parent (self->scroller, GTK_WIDGET (self));
  gtk_widget_set_hexpand (GTK_WIDGET (self), TRUE);
  gtk_widget_set_vexpand (GTK_WIDGET (self), TRUE);
}

GtkWidget *
mr_inspector_view_new (void)
{
  return g_object_new (MR_TYPE_INSPECTOR_VIEW, NULL);
}

void
mr_inspector_view_set_engine (MrInspectorView *self,
                              MrEngineThread  *engine)
{
  g_return_if_fail (MR_IS_INSPECTOR_VIEW (self));
  g_return_if_fail (!engine || MR_IS_ENGINE_THREAD (engine));

  if (g_set_object (&self->engine, engine) && gtk_widget_get_mapped (GTK_WIDGET (self)))
    mr_inspector_view_refresh (self);
}

guint
mr_inspector_view_get_n_refreshes (MrInspectorView *self)
{
  g_return_val_if_fail (MR_IS_INSPECTOR_VIEW (self), 0);
  return self->n_refreshes;
}

char *
mr_inspector_view_dup_queue_text (MrInspectorView *self)
{
  GString *text = g_string_new (NULL);

  g_return_val_if_fail (MR_IS_INSPECTOR_VIEW (self), NULL);

  for (guint i = 0; self->snapshot != NULL && i < self->snapshot->queue->len; i++)
    {
      g_autofree char *line = queue_row_text (g_ptr_array_index (self->snapshot->queue, i), self->snapshot->now);
      g_string_append_printf (text, "%s\n", line);
    }
  return g_string_free (text, FALSE);
}

char *
mr_inspector_view_dup_dns_text (MrInspectorView *self)
{
  GString *text = g_string_new (NULL);

  g_return_val_if_fail (MR_IS_INSPECTOR_VIEW (self), NULL);

  for (guint i = 0; self->snapshot != NULL && i < self->snapshot->dns->len; i++)
    {
      const MrDnsEntry *entry = g_ptr_array_index (self->snapshot->dns, i);

      g_string_append_printf (text, "%s %s %u %s\n", entry->name, mr_dns_type_to_string (entry->type),
                              entry->priority, entry->value);
    }
  return g_string_free (text, FALSE);
}

void
mr_inspector_view_set_model (MrInspectorView *self,
                             MrEventModel    *model)
{
  g_return_if_fail (MR_IS_INSPECTOR_VIEW (self));
  mr_received_trace_set_model (self->trace, model);
}

MrReceivedTrace *
mr_inspector_view_get_trace (MrInspectorView *self)
{
  g_return_val_if_fail (MR_IS_INSPECTOR_VIEW (self), NULL);
  return self->trace;
}

gboolean
mr_inspector_view_get_trace_on_map (MrInspectorView *self)
{
  g_return_val_if_fail (MR_IS_INSPECTOR_VIEW (self), FALSE);
  return gtk_toggle_button_get_active (self->trace_on_map);
}

void
mr_inspector_view_set_trace_on_map (MrInspectorView *self,
                                    gboolean         trace_on_map)
{
  g_return_if_fail (MR_IS_INSPECTOR_VIEW (self));
  /* The toggle notifies (on_trace_on_map_cb). */
  gtk_toggle_button_set_active (self->trace_on_map, trace_on_map);
}
