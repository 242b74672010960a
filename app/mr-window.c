/* mr-window.c
 *
 * Copyright 2026 The Mailroom authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "mr-window"

#include "config.h"

#include <glib/gi18n.h>

#include "mr-application.h"
#include "mr-event-bus.h"
#include "mr-window-private.h"

/* Upper bound on what one frame takes from the bus, so a flood of events
 * (30 smtp-source clients) never stalls a frame: the rest waits for the
 * next frame. */
#define MAX_EVENTS_PER_FRAME 2000

G_DEFINE_FINAL_TYPE (MrWindow, mr_window, ADW_TYPE_APPLICATION_WINDOW)

enum {
  PROP_0,
  PROP_ENGINE,
  N_PROPS
};

static GParamSpec *properties [N_PROPS];

static const double speeds[] = { 0.25, 0.5, 1, 2, 5, 20, 60 };

static void
update_status (MrWindow *self)
{
  g_autofree char *text = NULL;
  guint n = mr_event_model_get_n_events (self->events);

  if (self->held.length > 0)
    text = g_strdup_printf (_("%u events · %u waiting: press Space to step"), n, self->held.length);
  else
    text = g_strdup_printf (ngettext ("%u event", "%u events", n), n);
  gtk_label_set_label (self->status_label, text);
}

static void
show_events (MrWindow  *self,
             GPtrArray *batch)
{
  gboolean mail_moved = FALSE;

  if (batch->len == 0)
    return;

  for (guint i = 0; i < batch->len; i++)
    {
      MrEvent *event = g_ptr_array_index (batch, i);

      mr_topology_learn (self->topology, event, NULL, NULL);
      mr_map_view_push_event (self->map_view, event);

      if (event->kind == MR_EVENT_NOTE || event->kind == MR_EVENT_CONTENT ||
          event->kind == MR_EVENT_DISCONNECT)
        mail_moved = TRUE;
    }

  mr_event_model_append (self->events, batch);

  if (mail_moved)
    mr_mailbox_view_refresh (self->mailbox_view);
}

void
mr_window_pump (MrWindow *self)
{
  g_autoptr(GPtrArray) batch = NULL;
  MrEventBus *bus;

  g_return_if_fail (MR_IS_WINDOW (self));

  if (self->engine == NULL || (bus = mr_engine_thread_get_bus (self->engine)) == NULL)
    return;

  if (mr_event_bus_get_last_seq (bus) == self->last_seq)
    return;

  batch = mr_event_bus_dup_since (bus, self->last_seq, MAX_EVENTS_PER_FRAME);
  if (batch->len == 0)
    return;

  self->last_seq = ((MrEvent *) g_ptr_array_index (batch, batch->len - 1))->seq;

  if (self->playing && self->held.length == 0)
    show_events (self, batch);
  else
    for (guint i = 0; i < batch->len; i++)
      g_queue_push_tail (&self->held, mr_event_ref (g_ptr_array_index (batch, i)));

  update_status (self);
}

static gboolean
tick_cb (GtkWidget     *widget,
         GdkFrameClock *frame_clock,
         gpointer       user_data)
{
  MrWindow *self = (MrWindow *)widget;

  g_assert (MR_IS_WINDOW (self));

  mr_window_pump (self);

  if (self->engine != NULL)
    {
      mr_map_view_set_queue (self->map_view, mr_engine_thread_get_relay_host (self->engine),
                             mr_engine_thread_get_queue_length (self->engine));
      if (mr_engine_thread_get_faults_serial (self->engine) != self->faults_serial)
        {
          g_auto(GStrv) faults = mr_engine_thread_dup_faults (self->engine, &self->faults_serial);

          mr_map_view_set_faults (self->map_view, (const char * const *) faults);
        }
    }

  /* Leaving pause: release what was held, a frame's worth at a time. */
  if (self->playing && self->held.length > 0)
    {
      g_autoptr(GPtrArray) batch = g_ptr_array_new_with_free_func ((GDestroyNotify) mr_event_unref);

      while (self->held.length > 0 && batch->len < MAX_EVENTS_PER_FRAME)
        g_ptr_array_add (batch, g_queue_pop_head (&self->held));
      show_events (self, batch);
      update_status (self);
    }

  return G_SOURCE_CONTINUE;
}

void
_mr_window_set_playing (MrWindow *self,
                        gboolean  playing)
{
  g_assert (MR_IS_WINDOW (self));

  playing = !!playing;
  if (self->playing == playing)
    return;

  self->playing = playing;
  if (self->engine != NULL)
    mr_engine_thread_set_playing (self->engine, playing);

  gtk_button_set_icon_name (self->play_button, playing ? "media-playback-pause-symbolic"
                                                       : "media-playback-start-symbolic");
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->play_button),
                               playing ? _("Pause (Ctrl+P)") : _("Play (Ctrl+P)"));
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.step", TRUE);
  update_status (self);
}

void
_mr_window_step (MrWindow *self)
{
  g_autoptr(GPtrArray) batch = NULL;

  g_assert (MR_IS_WINDOW (self));

  /* Stepping means watching line by line: stop the flow first. */
  if (self->playing)
    _mr_window_set_playing (self, FALSE);

  if (self->engine != NULL)
    mr_engine_thread_step (self->engine);

  mr_window_pump (self);

  if (self->held.length == 0)
    return;

  batch = g_ptr_array_new_with_free_func ((GDestroyNotify) mr_event_unref);
  g_ptr_array_add (batch, g_queue_pop_head (&self->held));

  /* Notes and content summaries are not lines: take them along so that
   * each step shows one line on the wire. */
  while (self->held.length > 0 &&
         ((MrEvent *) g_queue_peek_head (&self->held))->kind != MR_EVENT_LINE)
    g_ptr_array_add (batch, g_queue_pop_head (&self->held));

  show_events (self, batch);
  update_status (self);
}

void
_mr_window_set_speed (MrWindow *self,
                      double    speed)
{
  guint best = 0;

  g_assert (MR_IS_WINDOW (self));

  for (guint i = 0; i < G_N_ELEMENTS (speeds); i++)
    if (ABS (speeds[i] - speed) < ABS (speeds[best] - speed))
      best = i;

  if (gtk_drop_down_get_selected (self->speed_dropdown) != best)
    gtk_drop_down_set_selected (self->speed_dropdown, best);

  mr_map_view_set_speed (self->map_view, speed);
  if (self->engine != NULL && mr_engine_thread_get_speed (self->engine) != speed)
    mr_engine_thread_set_speed (self->engine, speed);

  /* Remember it (Preferences shows the same key). */
  {
    GtkApplication *app = gtk_window_get_application (GTK_WINDOW (self));
    GSettings *settings = MR_IS_APPLICATION (app) ? mr_application_get_settings (MR_APPLICATION (app)) : NULL;

    if (settings != NULL && g_settings_get_double (settings, "speed") != speed)
      g_settings_set_double (settings, "speed", speed);
  }
}

static void
on_speed_setting_changed_cb (MrWindow  *self,
                             const char *key,
                             GSettings *settings)
{
  _mr_window_set_speed (self, g_settings_get_double (settings, "speed"));
}

static void
on_speed_selected_cb (MrWindow *self)
{
  guint selected = gtk_drop_down_get_selected (self->speed_dropdown);

  if (selected < G_N_ELEMENTS (speeds))
    _mr_window_set_speed (self, speeds[selected]);
}

static void
on_visible_page_cb (MrWindow *self)
{
  const char *name = adw_view_stack_get_visible_child_name (self->stack);

  if (g_strcmp0 (name, "mailboxes") == 0)
    mr_mailbox_view_refresh (self->mailbox_view);
  else if (g_strcmp0 (name, "console") == 0)
    {
      mr_console_ensure_connected (self->console);
      gtk_widget_grab_focus (GTK_WIDGET (self->console));
    }
}

/* The GtkListView inside @widget showing @n_items rows (not a drop-down's
 * list), or NULL. */
static GtkWidget *
find_list_view (GtkWidget *widget,
                guint      n_items)
{
  if (GTK_IS_LIST_VIEW (widget) && gtk_list_view_get_model (GTK_LIST_VIEW (widget)) != NULL &&
      g_list_model_get_n_items (G_LIST_MODEL (gtk_list_view_get_model (GTK_LIST_VIEW (widget)))) == n_items)
    return widget;
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child; child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = find_list_view (child, n_items);

      if (found != NULL)
        return found;
    }
  return NULL;
}

/* The timeline scrubbed (or went live): the views show the world as of
 * its cursor; the live model keeps filling meanwhile. */
static void
on_timeline_cursor_cb (MrWindow *self)
{
  MrEventModel *shown = mr_timeline_get_shown_model (self->timeline);
  guint64 cursor = mr_timeline_get_cursor (self->timeline);

  if (shown != self->shown)
    {
      self->shown = shown;
      mr_ladder_view_set_model (self->ladder_view, shown, self->topology);
      mr_transcript_view_set_model (self->transcript_view, shown);
    }
  mr_state_view_set_cursor (self->state_view, cursor);
  mr_map_view_show_past (self->map_view, cursor != 0 ? shown : NULL);

  /* Scrubbed: the event at the cursor is the newest shown; select it in
   * the transcript (its explanation appears beside it) and bring it into
   * view in both lists. */
  if (cursor != 0)
    {
      GListModel *lines = mr_transcript_view_get_filtered (self->transcript_view);
      guint n_lines = g_list_model_get_n_items (lines);
      guint n_rows = mr_event_model_get_n_events (shown);

      if (n_lines > 0)
        {
          GtkWidget *list = find_list_view (GTK_WIDGET (self->transcript_view), n_lines);

          mr_transcript_view_select (self->transcript_view, n_lines - 1);
          if (list != NULL)
            gtk_widget_activate_action (list, "list.scroll-to-item", "u", n_lines - 1);
        }
      if (n_rows > 0)
        gtk_widget_activate_action (GTK_WIDGET (mr_ladder_view_get_list_view (self->ladder_view)),
                                    "list.scroll-to-item", "u", n_rows - 1);
    }
  mr_eavesdropper_view_set_cursor (self->eavesdropper_view, cursor);
  mr_wire_view_set_cursor (self->wire_view, cursor);
}

/* The inspector's "Draw on the Map": the map follows the trace's hosts
 * until it is switched off. */
static void
on_trace_on_map_cb (MrWindow *self)
{
  g_clear_pointer (&self->route_binding, g_binding_unbind);
  if (mr_inspector_view_get_trace_on_map (self->inspector_view))
    self->route_binding = g_object_bind_property (mr_inspector_view_get_trace (self->inspector_view), "hosts",
                                                  self->map_view, "route", G_BINDING_SYNC_CREATE);
  else
    mr_map_view_set_route (self->map_view, NULL);
}

static void
update_ports (MrWindow *self)
{
  static const MrService shown[] = {
    MR_SERVICE_SMTP, MR_SERVICE_SUBMISSION, MR_SERVICE_POP3, MR_SERVICE_IMAP, MR_SERVICE_HTTP,
  };
  g_autoptr(GString) text = g_string_new (NULL);

  for (guint i = 0; i < G_N_ELEMENTS (shown); i++)
    {
      guint16 port = mr_engine_thread_get_port (self->engine, shown[i]);

      if (port == 0)
        continue;
      g_string_append_printf (text, "%s%s %u", text->len ? " · " : "",
                              mr_service_to_string (shown[i]), port);
    }
  if (text->len > 0)
    g_string_prepend (text, " ");
  g_string_prepend (text, mr_engine_thread_get_address (self->engine));
  gtk_label_set_label (self->ports_label, text->str);
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->ports_label),
                               _("The lab's servers on this computer: try telnet or a real mail client"));
}

static void
mr_window_constructed (GObject *object)
{
  MrWindow *self = (MrWindow *)object;
  const char *json;

  G_OBJECT_CLASS (mr_window_parent_class)->constructed (object);

  if (self->engine == NULL)
    return;

  json = mr_engine_thread_get_scenario_json (self->engine);
  if (json != NULL)
    {
      g_autoptr(GError) error = NULL;

      if (!mr_topology_load_json (self->topology, json, &error))
        g_warning ("Could not read the scenario: %s", error->message);
    }

  mr_console_set_engine (self->console, self->engine);
  mr_lesson_panel_set_engine (self->lesson_panel, self->engine);
  mr_compose_view_set_engine (self->compose_view, self->engine);
  mr_mailbox_view_set_engine (self->mailbox_view, self->engine);
  mr_faults_view_set_engine (self->faults_view, self->engine);
  mr_inspector_view_set_engine (self->inspector_view, self->engine);
  _mr_window_set_speed (self, mr_engine_thread_get_speed (self->engine));
  update_ports (self);

  {
    GtkApplication *app = gtk_window_get_application (GTK_WINDOW (self));

    if (MR_IS_APPLICATION (app) && mr_application_get_settings (MR_APPLICATION (app)) != NULL)
      g_signal_connect_object (mr_application_get_settings (MR_APPLICATION (app)), "changed::speed",
                               G_CALLBACK (on_speed_setting_changed_cb), self, G_CONNECT_SWAPPED);
  }
}

static void
mr_window_dispose (GObject *object)
{
  MrWindow *self = (MrWindow *)object;

  if (self->tick_id != 0)
    {
      gtk_widget_remove_tick_callback (GTK_WIDGET (self), self->tick_id);
      self->tick_id = 0;
    }
  g_queue_clear_full (&self->held, (GDestroyNotify) mr_event_unref);
  gtk_widget_dispose_template (GTK_WIDGET (self), MR_TYPE_WINDOW);

  G_OBJECT_CLASS (mr_window_parent_class)->dispose (object);
}

static void
mr_window_finalize (GObject *object)
{
  MrWindow *self = (MrWindow *)object;

  g_clear_object (&self->events);
  g_clear_object (&self->topology);
  g_clear_object (&self->engine);

  G_OBJECT_CLASS (mr_window_parent_class)->finalize (object);
}

static void
mr_window_get_property (GObject    *object,
                        guint       prop_id,
                        GValue     *value,
                        GParamSpec *pspec)
{
  MrWindow *self = MR_WINDOW (object);

  switch (prop_id)
    {
    case PROP_ENGINE:
      g_value_set_object (value, self->engine);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
mr_window_set_property (GObject      *object,
                        guint         prop_id,
                        const GValue *value,
                        GParamSpec   *pspec)
{
  MrWindow *self = MR_WINDOW (object);

  switch (prop_id)
    {
    case PROP_ENGINE:
      self->engine = g_value_dup_object (value);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
mr_window_class_init (MrWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->constructed = mr_window_constructed;
  object_class->dispose = mr_window_dispose;
  object_class->finalize = mr_window_finalize;
  object_class->get_property = mr_window_get_property;
  object_class->set_property = mr_window_set_property;

  /**
   * MrWindow:engine:
   *
   * The engine thread whose events this window shows. Construct-only.
   */
  properties [PROP_ENGINE] =
    g_param_spec_object ("engine", NULL, NULL, MR_TYPE_ENGINE_THREAD,
                         (G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS));
  g_object_class_install_properties (object_class, N_PROPS, properties);

  g_type_ensure (MR_TYPE_COMPOSE_VIEW);
  g_type_ensure (MR_TYPE_CONSOLE);
  g_type_ensure (MR_TYPE_FAULTS_VIEW);
  g_type_ensure (MR_TYPE_LADDER_VIEW);
  g_type_ensure (MR_TYPE_LESSON_PANEL);
  g_type_ensure (MR_TYPE_MAILBOX_VIEW);
  g_type_ensure (MR_TYPE_MAP_VIEW);
  g_type_ensure (MR_TYPE_STATE_VIEW);
  g_type_ensure (MR_TYPE_EAVESDROPPER_VIEW);
  g_type_ensure (MR_TYPE_WIRE_VIEW);
  g_type_ensure (MR_TYPE_INSPECTOR_VIEW);
  g_type_ensure (MR_TYPE_TIMELINE);
  g_type_ensure (MR_TYPE_TRANSCRIPT_VIEW);

  gtk_widget_class_set_template_from_resource (widget_class, "/io/github/mailroomlab/Mailroom/ui/mr-window.ui");
  gtk_widget_class_bind_template_child (widget_class, MrWindow, stack);
  gtk_widget_class_bind_template_child (widget_class, MrWindow, map_view);
  gtk_widget_class_bind_template_child (widget_class, MrWindow, ladder_view);
  gtk_widget_class_bind_template_child (widget_class, MrWindow, transcript_view);
  gtk_widget_class_bind_template_child (widget_class, MrWindow, console);
  gtk_widget_class_bind_template_child (widget_class, MrWindow, lesson_flap);
  gtk_widget_class_bind_template_child (widget_class, MrWindow, lesson_panel);
  gtk_widget_class_bind_template_child (widget_class, MrWindow, compose_view);
  gtk_widget_class_bind_template_child (widget_class, MrWindow, mailbox_view);
  gtk_widget_class_bind_template_child (widget_class, MrWindow, faults_view);
  gtk_widget_class_bind_template_child (widget_class, MrWindow, state_view);
  gtk_widget_class_bind_template_child (widget_class, MrWindow, eavesdropper_view);
  gtk_widget_class_bind_template_child (widget_class, MrWindow, wire_view);
  gtk_widget_class_bind_template_child (widget_class, MrWindow, inspector_view);
  gtk_widget_class_bind_template_child (widget_class, MrWindow, timeline);
  gtk_widget_class_bind_template_child (widget_class, MrWindow, play_button);
  gtk_widget_class_bind_template_child (widget_class, MrWindow, speed_dropdown);
  gtk_widget_class_bind_template_child (widget_class, MrWindow, status_label);
  gtk_widget_class_bind_template_child (widget_class, MrWindow, ports_label);

  _mr_window_class_actions_init (widget_class);
  _mr_window_class_export_init (widget_class);
  _mr_window_class_classroom_init (widget_class);
  _mr_window_class_presentation_init (widget_class);
  _mr_window_class_conversation_init (widget_class);
}

static void
mr_window_init (MrWindow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  _mr_window_presentation_init (self);

  self->playing = TRUE;
  self->events = mr_event_model_new ();
  self->topology = mr_topology_new ();

  mr_map_view_set_topology (self->map_view, self->topology);
  mr_ladder_view_set_model (self->ladder_view, self->events, self->topology);
  mr_transcript_view_set_model (self->transcript_view, self->events);
  mr_state_view_set_model (self->state_view, self->events);
  mr_eavesdropper_view_set_model (self->eavesdropper_view, self->events);
  mr_wire_view_set_model (self->wire_view, self->events);
  mr_inspector_view_set_model (self->inspector_view, self->events);
  mr_timeline_set_model (self->timeline, self->events);
  self->shown = self->events;
  g_signal_connect_object (self->timeline, "notify::cursor",
                           G_CALLBACK (on_timeline_cursor_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->inspector_view, "notify::trace-on-map",
                           G_CALLBACK (on_trace_on_map_cb), self, G_CONNECT_SWAPPED);

  gtk_drop_down_set_selected (self->speed_dropdown, 2);
  g_signal_connect_object (self->speed_dropdown, "notify::selected",
                           G_CALLBACK (on_speed_selected_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->stack, "notify::visible-child",
                           G_CALLBACK (on_visible_page_cb), self, G_CONNECT_SWAPPED);

  self->tick_id = gtk_widget_add_tick_callback (GTK_WIDGET (self), tick_cb, NULL, NULL);
  update_status (self);

#ifdef DEVELOPMENT_BUILD
  gtk_widget_add_css_class (GTK_WIDGET (self), "devel");
#endif
}

MrWindow *
mr_window_new (MrApplication  *application,
               MrEngineThread *engine)
{
  MrWindow *self;

  g_return_val_if_fail (MR_IS_APPLICATION (application), NULL);
  g_return_val_if_fail (!engine || MR_IS_ENGINE_THREAD (engine), NULL);

  self = g_object_new (MR_TYPE_WINDOW,
                       "application", application,
                       "engine", engine,
                       NULL);

  return self;
}

MrEngineThread *
mr_window_get_engine (MrWindow *self)
{
  g_return_val_if_fail (MR_IS_WINDOW (self), NULL);
  return self->engine;
}

void
mr_window_show_page (MrWindow   *self,
                     const char *name)
{
  g_return_if_fail (MR_IS_WINDOW (self));
  g_return_if_fail (name != NULL);

  if (adw_view_stack_get_child_by_name (self->stack, name) != NULL)
    adw_view_stack_set_visible_child_name (self->stack, name);
}

const char *
mr_window_get_page (MrWindow *self)
{
  g_return_val_if_fail (MR_IS_WINDOW (self), NULL);
  return adw_view_stack_get_visible_child_name (self->stack);
}

guint
mr_window_get_n_events (MrWindow *self)
{
  g_return_val_if_fail (MR_IS_WINDOW (self), 0);
  return mr_event_model_get_n_events (self->events);
}

guint
mr_window_get_n_held (MrWindow *self)
{
  g_return_val_if_fail (MR_IS_WINDOW (self), 0);
  return self->held.length;
}

MrMapView *
mr_window_get_map_view (MrWindow *self)
{
  g_return_val_if_fail (MR_IS_WINDOW (self), NULL);
  return self->map_view;
}

MrLadderView *
mr_window_get_ladder_view (MrWindow *self)
{
  g_return_val_if_fail (MR_IS_WINDOW (self), NULL);
  return self->ladder_view;
}

MrTranscriptView *
mr_window_get_transcript_view (MrWindow *self)
{
  g_return_val_if_fail (MR_IS_WINDOW (self), NULL);
  return self->transcript_view;
}

MrConsole *
mr_window_get_console (MrWindow *self)
{
  g_return_val_if_fail (MR_IS_WINDOW (self), NULL);
  return self->console;
}

MrComposeView *
mr_window_get_compose_view (MrWindow *self)
{
  g_return_val_if_fail (MR_IS_WINDOW (self), NULL);
  return self->compose_view;
}

MrMailboxView *
mr_window_get_mailbox_view (MrWindow *self)
{
  g_return_val_if_fail (MR_IS_WINDOW (self), NULL);
  return self->mailbox_view;
}

MrFaultsView *
mr_window_get_faults_view (MrWindow *self)
{
  g_return_val_if_fail (MR_IS_WINDOW (self), NULL);
  return self->faults_view;
}

MrStateView *
mr_window_get_state_view (MrWindow *self)
{
  g_return_val_if_fail (MR_IS_WINDOW (self), NULL);
  return self->state_view;
}

MrEavesdropperView *
mr_window_get_eavesdropper_view (MrWindow *self)
{
  g_return_val_if_fail (MR_IS_WINDOW (self), NULL);
  return self->eavesdropper_view;
}

MrInspectorView *
mr_window_get_inspector_view (MrWindow *self)
{
  g_return_val_if_fail (MR_IS_WINDOW (self), NULL);
  return self->inspector_view;
}

MrWireView *
mr_window_get_wire_view (MrWindow *self)
{
  g_return_val_if_fail (MR_IS_WINDOW (self), NULL);
  return self->wire_view;
}

MrTimeline *
mr_window_get_timeline (MrWindow *self)
{
  g_return_val_if_fail (MR_IS_WINDOW (self), NULL);
  return self->timeline;
}

MrEventModel *
mr_window_get_event_model (MrWindow *self)
{
  g_return_val_if_fail (MR_IS_WINDOW (self), NULL);
  return self->events;
}
