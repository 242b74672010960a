/* mr-console.c
 *
 * Copyright 2026 The Mailroom authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "mr-console"

#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "mr-console.h"
#include "mr-engine-thread.h"

#define MAX_HISTORY 200

static const MrService services[] = {
  MR_SERVICE_SMTP, MR_SERVICE_SUBMISSION, MR_SERVICE_POP3, MR_SERVICE_IMAP,
};

struct _MrConsole
{
  GtkWidget       parent_instance;

  /* Template widgets */
  GtkDropDown    *service_dropdown;
  GtkLabel       *hint_label;
  GtkScrolledWindow *scroller;
  GtkTextView    *output_view;
  GtkEntry       *entry;

  /* Owned */
  MrEngineThread *engine;
  GPtrArray      *history;
  char           *hint;
  char           *partial;       /* output not ending in a newline yet */
  guint           handle;
  gint            history_pos;   /* -1: not browsing */
  MrService       service;
  gboolean        closed;
  guint           imap_tag;
};

G_DEFINE_FINAL_TYPE (MrConsole, mr_console, GTK_TYPE_WIDGET)

/* Completion ---------------------------------------------------------- */

static const char * const smtp_verbs[] = {
  "EHLO ", "HELO ", "MAIL FROM:<", "RCPT TO:<", "DATA", "RSET", "VRFY ", "EXPN ",
  "HELP", "NOOP", "QUIT", "STARTTLS", "AUTH PLAIN ", "AUTH LOGIN", "BDAT ", NULL
};
static const char * const pop3_verbs[] = {
  "USER ", "PASS ", "STAT", "LIST", "RETR ", "DELE ", "NOOP", "RSET", "QUIT",
  "TOP ", "UIDL", "CAPA", "STLS", "APOP ", "AUTH ", NULL
};
static const char * const imap_verbs[] = {
  "CAPABILITY", "NOOP", "LOGOUT", "STARTTLS", "AUTHENTICATE ", "LOGIN ", "SELECT ",
  "EXAMINE ", "CREATE ", "DELETE ", "RENAME ", "SUBSCRIBE ", "UNSUBSCRIBE ", "LIST ",
  "LSUB ", "STATUS ", "APPEND ", "CHECK", "CLOSE", "EXPUNGE", "SEARCH ", "FETCH ",
  "STORE ", "COPY ", "MOVE ", "UID ", "IDLE", "ENABLE ", "NAMESPACE", "UNSELECT", NULL
};

char *
mr_console_complete (MrProtocol  protocol,
                     const char *text)
{
  const char * const *verbs;
  const char *word = text;
  g_autofree char *prefix = NULL;
  const char *match = NULL;
  gsize common = 0;
  gsize len;

  g_return_val_if_fail (text != NULL, NULL);

  switch (protocol)
    {
    case MR_PROTOCOL_SMTP: verbs = smtp_verbs; break;
    case MR_PROTOCOL_POP3: verbs = pop3_verbs; break;
    case MR_PROTOCOL_IMAP: verbs = imap_verbs; break;
    case MR_PROTOCOL_NONE:
    case MR_PROTOCOL_HTTP:
    default:
      return NULL;
    }

  /* IMAP commands come after a tag (RFC 3501 2.2.1). */
  if (protocol == MR_PROTOCOL_IMAP)
    {
      const char *space = strchr (text, ' ');

      if (space == NULL)
        return NULL;
      word = space + 1;
    }
  prefix = g_strndup (text, word - text);
  len = strlen (word);
  if (len == 0)
    return NULL;

  /* The longest common beginning of every verb that matches (like a
   * shell): unique matches complete fully, ambiguous ones as far as they
   * agree. */
  for (guint i = 0; verbs[i] != NULL; i++)
    {
      if (g_ascii_strncasecmp (verbs[i], word, len) != 0)
        continue;

      if (match == NULL)
        {
          match = verbs[i];
          common = strlen (match);
          continue;
        }

      {
        gsize k = 0;

        while (k < common && verbs[i][k] &&
               g_ascii_toupper (match[k]) == g_ascii_toupper (verbs[i][k]))
          k++;
        common = k;
      }
    }

  if (match == NULL || common <= len)
    return NULL;

  {
    g_autofree char *head = g_strndup (match, common);
    return g_strconcat (prefix, head, NULL);
  }
}

/* Output ---------------------------------------------------------------- */

static void
append_text (MrConsole  *self,
             const char *text,
             const char *tag)
{
  GtkTextBuffer *buffer = gtk_text_view_get_buffer (self->output_view);
  GtkTextIter end;

  gtk_text_buffer_get_end_iter (buffer, &end);
  gtk_text_buffer_insert_with_tags_by_name (buffer, &end, text, -1, tag, NULL);

  gtk_text_buffer_get_end_iter (buffer, &end);
  gtk_text_view_scroll_to_iter (self->output_view, &end, 0, FALSE, 0, 1);
}

static void
on_output_cb (GObject    *owner,
              const char *output,
              gboolean    closed)
{
  MrConsole *self = MR_CONSOLE (owner);

  if (output != NULL)
    {
      g_autoptr(GString) text = g_string_new (output);

      /* Show CRLF as plain line ends. */
      g_string_replace (text, "\r\n", "\n", 0);
      append_text (self, text->str, "server");
    }

  if (closed)
    {
      self->closed = TRUE;
      self->handle = 0;
      append_text (self, _("— connection closed; press Enter to connect again —\n"), "note");
    }
}

static void
update_hint (MrConsole *self)
{
  guint16 port = self->engine ? mr_engine_thread_get_port (self->engine, self->service) : 0;

  g_clear_pointer (&self->hint, g_free);
  if (port != 0)
    self->hint = g_strdup_printf ("telnet %s %u", mr_engine_thread_get_address (self->engine), port);
  gtk_label_set_label (self->hint_label, self->hint ? self->hint : _("not listening on TCP"));
}

static void
open_session (MrConsole *self)
{
  g_autofree char *banner = NULL;

  if (self->engine == NULL || !mr_engine_thread_get_running (self->engine))
    return;

  if (self->handle != 0)
    mr_engine_thread_close_session (self->engine, self->handle);

  banner = g_strdup_printf (_("— connected to %s (%s) —\n"),
                            mr_engine_thread_get_server_name (self->engine, self->service)
                              ? mr_engine_thread_get_server_name (self->engine, self->service) : "?",
                            mr_service_to_string (self->service));
  append_text (self, banner, "note");

  self->closed = FALSE;
  self->imap_tag = 0;
  self->handle = mr_engine_thread_open_session (self->engine, self->service, "console",
                                                G_OBJECT (self), on_output_cb);
  update_hint (self);
}

void
mr_console_ensure_connected (MrConsole *self)
{
  g_return_if_fail (MR_IS_CONSOLE (self));

  if (self->handle == 0 && !self->closed)
    open_session (self);
}

void
mr_console_reconnect (MrConsole *self)
{
  g_return_if_fail (MR_IS_CONSOLE (self));
  open_session (self);
}

void
mr_console_send (MrConsole  *self,
                 const char *line)
{
  g_autofree char *wire = NULL;

  g_return_if_fail (MR_IS_CONSOLE (self));
  g_return_if_fail (line != NULL);

  if (self->engine == NULL)
    return;

  if (self->handle == 0 || self->closed)
    open_session (self);

  if (line[0] != '\0')
    {
      if (self->history->len == 0 ||
          g_strcmp0 (g_ptr_array_index (self->history, self->history->len - 1), line) != 0)
        g_ptr_array_add (self->history, g_strdup (line));
      if (self->history->len > MAX_HISTORY)
        g_ptr_array_remove_index (self->history, 0);
    }
  self->history_pos = -1;

  wire = g_strconcat (line, "\n", NULL);
  append_text (self, wire, "client");

  g_free (wire);
  wire = g_strconcat (line, "\r\n", NULL);
  mr_engine_thread_feed_session (self->engine, self->handle, wire, -1);
}

static void
on_entry_activate_cb (MrConsole *self,
                      GtkEntry  *entry)
{
  g_autofree char *line = g_strdup (gtk_editable_get_text (GTK_EDITABLE (entry)));

  gtk_editable_set_text (GTK_EDITABLE (entry), "");
  mr_console_send (self, line);
}

static gboolean
on_key_pressed_cb (GtkEventControllerKey *controller,
                   guint                  keyval,
                   guint                  keycode,
                   GdkModifierType        state,
                   MrConsole             *self)
{
  GtkEditable *editable = GTK_EDITABLE (self->entry);

  if (keyval == GDK_KEY_Up || keyval == GDK_KEY_Down)
    {
      gint n = self->history->len;

      if (n == 0)
        return TRUE;

      if (keyval == GDK_KEY_Up)
        self->history_pos = self->history_pos < 0 ? n - 1 : MAX (self->history_pos - 1, 0);
      else if (self->history_pos >= 0)
        self->history_pos = self->history_pos + 1 >= n ? -1 : self->history_pos + 1;

      gtk_editable_set_text (editable, self->history_pos >= 0
                             ? g_ptr_array_index (self->history, self->history_pos) : "");
      gtk_editable_set_position (editable, -1);
      return TRUE;
    }

  if (keyval == GDK_KEY_Tab)
    {
      g_autofree char *completed =
        mr_console_complete (mr_service_get_protocol (self->service), gtk_editable_get_text (editable));

      if (completed != NULL)
        {
          gtk_editable_set_text (editable, completed);
          gtk_editable_set_position (editable, -1);
        }
      return TRUE;
    }

  return FALSE;
}

static void
on_service_selected_cb (MrConsole *self)
{
  guint selected = gtk_drop_down_get_selected (self->service_dropdown);

  if (selected >= G_N_ELEMENTS (services) || services[selected] == self->service)
    return;

  self->service = services[selected];
  open_session (self);
}

void
mr_console_set_service (MrConsole *self,
                        MrService  service)
{
  g_return_if_fail (MR_IS_CONSOLE (self));

  for (guint i = 0; i < G_N_ELEMENTS (services); i++)
    if (services[i] == service)
      gtk_drop_down_set_selected (self->service_dropdown, i);
}

MrService
mr_console_get_service (MrConsole *self)
{
  g_return_val_if_fail (MR_IS_CONSOLE (self), MR_SERVICE_SMTP);
  return self->service;
}

void
mr_console_set_engine (MrConsole      *self,
                       MrEngineThread *engine)
{
  g_return_if_fail (MR_IS_CONSOLE (self));
  g_return_if_fail (!engine || MR_IS_ENGINE_THREAD (engine));

  if (self->engine != NULL && self->handle != 0)
    mr_engine_thread_close_session (self->engine, self->handle);
  self->handle = 0;

  /* Connect when the learner first looks at the console or types, not at
   * start-up, so the map starts quiet. */
  g_set_object (&self->engine, engine);
  update_hint (self);
}

char *
mr_console_dup_output (MrConsole *self)
{
  GtkTextBuffer *buffer;
  GtkTextIter start, end;

  g_return_val_if_fail (MR_IS_CONSOLE (self), NULL);

  buffer = gtk_text_view_get_buffer (self->output_view);
  gtk_text_buffer_get_bounds (buffer, &start, &end);
  return gtk_text_buffer_get_text (buffer, &start, &end, FALSE);
}

GtkEntry *
mr_console_get_entry (MrConsole *self)
{
  g_return_val_if_fail (MR_IS_CONSOLE (self), NULL);
  return self->entry;
}

const char *
mr_console_get_hint (MrConsole *self)
{
  g_return_val_if_fail (MR_IS_CONSOLE (self), NULL);
  return self->hint;
}

static void
reconnect_action (GtkWidget  *widget,
                  const char *action_name,
                  GVariant   *param)
{
  mr_console_reconnect (MR_CONSOLE (widget));
}

static gboolean
mr_console_grab_focus (GtkWidget *widget)
{
  return gtk_widget_grab_focus (GTK_WIDGET (MR_CONSOLE (widget)->entry));
}

static void
mr_console_dispose (GObject *object)
{
  MrConsole *self = (MrConsole *)object;

  if (self->engine != NULL && self->handle != 0)
    mr_engine_thread_close_session (self->engine, self->handle);
  self->handle = 0;
  g_clear_object (&self->engine);
  gtk_widget_dispose_template (GTK_WIDGET (self), MR_TYPE_CONSOLE);
  /* The template's root is not a bound child: unparent it by hand. */
  {
    GtkWidget *child;

    while ((child = gtk_widget_get_first_child (GTK_WIDGET (self))) != NULL)
      gtk_widget_unparent (child);
  }

  G_OBJECT_CLASS (mr_console_parent_class)->dispose (object);
}

static void
mr_console_finalize (GObject *object)
{
  MrConsole *self = (MrConsole *)object;

  g_clear_pointer (&self->history, g_ptr_array_unref);
  g_free (self->hint);
  g_free (self->partial);

  G_OBJECT_CLASS (mr_console_parent_class)->finalize (object);
}

static void
mr_console_class_init (MrConsoleClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = mr_console_dispose;
  object_class->finalize = mr_console_finalize;
  widget_class->grab_focus = mr_console_grab_focus;

  gtk_widget_class_set_template_from_resource (widget_class, "/io/github/mailroomlab/Mailroom/ui/mr-console.ui");
  gtk_widget_class_bind_template_child (widget_class, MrConsole, service_dropdown);
  gtk_widget_class_bind_template_child (widget_class, MrConsole, hint_label);
  gtk_widget_class_bind_template_child (widget_class, MrConsole, scroller);
  gtk_widget_class_bind_template_child (widget_class, MrConsole, output_view);
  gtk_widget_class_bind_template_child (widget_class, MrConsole, entry);

  gtk_widget_class_install_action (widget_class, "console.reconnect", NULL, reconnect_action);
  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_css_name (widget_class, "console");
}

static void
mr_console_init (MrConsole *self)
{
  GtkEventController *keys;
  GtkTextBuffer *buffer;

  gtk_widget_init_template (GTK_WIDGET (self));

  self->history = g_ptr_array_new_with_free_func (g_free);
  self->history_pos = -1;
  self->service = MR_SERVICE_SMTP;

  buffer = gtk_text_view_get_buffer (self->output_view);
  gtk_text_buffer_create_tag (buffer, "client", "foreground", "#c01c28", "weight", PANGO_WEIGHT_BOLD, NULL);
  gtk_text_buffer_create_tag (buffer, "server", "foreground", "#1c71d8", NULL);
  gtk_text_buffer_create_tag (buffer, "note", "style", PANGO_STYLE_ITALIC, "foreground", "#77767b", NULL);

  g_signal_connect_object (self->entry, "activate", G_CALLBACK (on_entry_activate_cb),
                           self, G_CONNECT_SWAPPED);

  keys = gtk_event_controller_key_new ();
  gtk_event_controller_set_propagation_phase (keys, GTK_PHASE_CAPTURE);
  g_signal_connect_object (keys, "key-pressed", G_CALLBACK (on_key_pressed_cb), self, 0);
  gtk_widget_add_controller (GTK_WIDGET (self->entry), keys);

  g_signal_connect_object (self->service_dropdown, "notify::selected",
                           G_CALLBACK (on_service_selected_cb), self, G_CONNECT_SWAPPED);
}

GtkWidget *
mr_console_new (void)
{
  return g_object_new (MR_TYPE_CONSOLE, NULL);
}
