/* mr-wire-view.c
 *
 * Copyright 2026 The Mailroom authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "mr-wire-view"

#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "mr-conversation-index.h"
#include "mr-wire-view.h"

/* Past this many events of one conversation only the newest are shown,
 * and at most this many lines of one message. */
#define MAX_LINES 2000
#define MAX_CONTENT_LINES 200

struct _MrWireView
{
  GtkWidget        parent_instance;

  /* Template widgets */
  GtkWidget       *box;
  GtkToggleButton *invisibles_button;
  GtkLabel        *title_label;
  GtkLabel        *summary_label;
  GtkTextView     *text_view;

  /* Owned */
  MrConversationIndex *index;      /* the shown conversation's events */
  guint            scroll_id;
};

G_DEFINE_FINAL_TYPE (MrWireView, mr_wire_view, GTK_TYPE_WIDGET)

enum {
  PROP_0,
  PROP_INVISIBLES,
  N_PROPS
};

static GParamSpec *properties [N_PROPS];

static void
append (GtkTextBuffer *buffer,
        const char    *text,
        gssize         len,
        const char    *tag)
{
  GtkTextIter end;

  gtk_text_buffer_get_end_iter (buffer, &end);
  if (tag != NULL)
    gtk_text_buffer_insert_with_tags_by_name (buffer, &end, text, len, tag, NULL);
  else
    gtk_text_buffer_insert (buffer, &end, text, len);
}

static void
hint (GtkTextBuffer *buffer,
      const char    *text)
{
  append (buffer, "      \u2190 ", -1, "hint");
  append (buffer, text, -1, "hint");
  append (buffer, "\n", -1, NULL);
}

/* A message as sent: each line with its ending; the lone dot and the
 * dot-stuffed lines pointed out (RFC 5321 4.5.2). */
static void
append_content (MrWireView    *self,
                GtkTextBuffer *buffer,
                const MrEvent *event,
                gboolean       invisibles)
{
  gsize size = 0;
  const char *data = g_bytes_get_data (event->content, &size);
  gsize pos = 0;
  guint n_lines = 0;
  gboolean bdat = FALSE;

  /* IMAP content events are literals (RFC 3501 4.3): octets, not lines */
  if (event->protocol == MR_PROTOCOL_IMAP)
    {
      g_autofree char *shown = g_utf8_make_valid (data, MIN (size, 400));
      g_autofree char *what = g_strdup_printf (_("literal: {%lu} announced these octets, "
                                                 "sent as is (RFC 3501 4.3)"), (unsigned long) size);

      append (buffer, "  \u2502 ", -1, "content");
      append (buffer, shown, -1, "content");
      append (buffer, "\n", -1, NULL);
      if (invisibles)
        hint (buffer, what);
      return;
    }

  /* BDAT (RFC 3030): the chunk is exactly its octets, dots included */
  bdat = event->verb != NULL && g_ascii_strcasecmp (event->verb, "BDAT") == 0;

  while (pos < size)
    {
      const char *nl = memchr (data + pos, '\n', size - pos);
      gsize end = nl ? (gsize) (nl - data) : size;
      gboolean crlf = end > pos && data[end - 1] == '\r';
      gsize text_end = crlf ? end - 1 : end;
      g_autofree char *line = g_utf8_make_valid (data + pos, text_end - pos);
      gboolean last = nl == NULL || end + 1 >= size;

      if (++n_lines > MAX_CONTENT_LINES)
        {
          g_autofree char *more = g_strdup_printf (_("\u2026 %lu more octets"), (unsigned long) (size - pos));

          append (buffer, "  \u2502 ", -1, "content");
          append (buffer, more, -1, "note");
          append (buffer, "\n", -1, NULL);
          return;
        }

      append (buffer, "  \u2502 ", -1, "content");
      append (buffer, line, -1, "content");
      if (invisibles)
        {
          if (nl == NULL)
            ;
          else if (crlf)
            append (buffer, "\\r\\n", -1, "invisible");
          else
            append (buffer, "\\n", -1, "bad");
        }
      append (buffer, "\n", -1, NULL);

      if (invisibles)
        {
          if (strcmp (line, ".") == 0 && crlf && last && !bdat)
            hint (buffer, _("the lone dot: <CR><LF>.<CR><LF> ends the data (RFC 5321 4.1.1.4)"));
          else if (line[0] == '.' && line[1] == '.')
            hint (buffer, _("dot-stuffed: the sender doubled the leading dot, the receiver drops one (RFC 5321 4.5.2)"));
          else if (nl != NULL && !crlf)
            hint (buffer, _("bare LF inside the message (RFC 5321 2.3.8: only CR LF ends a line)"));
        }
      pos = nl ? end + 1 : size;
    }
}

static void
append_line (MrWireView    *self,
             GtkTextBuffer *buffer,
             const MrEvent *event,
             gboolean       invisibles,
             gboolean      *in_reply)
{
  const char *text = event->text ? event->text : "";
  const char *side = event->direction == MR_DIRECTION_TO_SERVER ? "client" : "server";
  const char *rest = text;
  append (buffer, event->direction == MR_DIRECTION_TO_SERVER ? "C: " : "S: ", -1, side);

  /* IMAP (RFC 3501 2.2.1): the tag, "*" untagged, "+" continuation */
  if (invisibles && event->protocol == MR_PROTOCOL_IMAP)
    {
      gsize word = strcspn (text, " ");

      if (word > 0 && (event->tag != NULL || text[0] == '*' || text[0] == '+'))
        {
          append (buffer, text, word, "tag");
          rest = text + word;
        }
    }
  append (buffer, rest, -1, side);

  if (invisibles)
    {
      if (event->flags & MR_EVENT_FLAG_BARE_LF)
        append (buffer, "\\n", -1, "bad");
      else
        append (buffer, "\\r\\n", -1, "invisible");
    }
  append (buffer, "\n", -1, NULL);

  if (!invisibles)
    return;

  if (event->flags & MR_EVENT_FLAG_BARE_LF)
    hint (buffer, _("bare LF: the line ended without CR (RFC 5321 2.3.8 wants CR LF)"));
  if (event->flags & MR_EVENT_FLAG_TOO_LONG)
    hint (buffer, _("cut: the line went over its length limit"));
  if (event->flags & MR_EVENT_FLAG_PIPELINED)
    hint (buffer, _("pipelined: came in the same read as the line above, without waiting (RFC 2920)"));

  if ((event->flags & MR_EVENT_FLAG_CONTINUED) && !*in_reply)
    hint (buffer, _("code then \u2018-\u2019: more lines of this reply follow (RFC 5321 4.2.1)"));
  *in_reply = (event->flags & MR_EVENT_FLAG_CONTINUED) != 0;

  if (event->protocol == MR_PROTOCOL_IMAP && event->direction == MR_DIRECTION_TO_CLIENT)
    {
      if (text[0] == '*')
        hint (buffer, _("untagged: data or status, not the end of a command (RFC 3501 7)"));
      else if (text[0] == '+')
        hint (buffer, _("continuation request: the server waits for the rest (RFC 3501 7.5)"));
      else if (event->tag != NULL)
        hint (buffer, _("tagged: the command with this tag is done (RFC 3501 7.1)"));
    }
  else if (event->flags & MR_EVENT_FLAG_CONTINUATION)
    hint (buffer, _("continuation: the server waits for more from the client"));

  /* RFC 3501 4.3 {n}, RFC 7888 {n+}: anywhere in an IMAP line */
  if (event->protocol == MR_PROTOCOL_IMAP)
    for (const char *p = strchr (text, '{'); p != NULL; p = strchr (p + 1, '{'))
      {
        const char *q = p + 1;

        while (g_ascii_isdigit (*q))
          q++;
        if (q == p + 1)
          continue;
        if (q[0] == '+' && q[1] == '}')
          {
            hint (buffer, _("non-synchronizing literal: the octets follow at once (RFC 7888)"));
            break;
          }
        if (q[0] == '}')
          {
            hint (buffer, _("literal: that many octets follow, after the server\u2019s \u2018+\u2019 (RFC 3501 4.3)"));
            break;
          }
      }

  if (event->verb != NULL && g_ascii_strcasecmp (event->verb, "BDAT") == 0)
    hint (buffer, _("a chunk of exactly that many octets: no dot-stuffing, no end dot (RFC 3030 2)"));
}

static gboolean
scroll_to_end_cb (gpointer data)
{
  MrWireView *self = data;
  GtkTextBuffer *buffer = gtk_text_view_get_buffer (self->text_view);
  GtkTextIter end;

  self->scroll_id = 0;
  gtk_text_buffer_get_end_iter (buffer, &end);
  gtk_text_buffer_move_mark_by_name (buffer, "end", &end);
  gtk_text_view_scroll_mark_onscreen (self->text_view, gtk_text_buffer_get_mark (buffer, "end"));
  return G_SOURCE_REMOVE;
}

static void
update (MrWireView *self)
{
  GtkTextBuffer *buffer = gtk_text_view_get_buffer (self->text_view);
  gboolean invisibles = gtk_toggle_button_get_active (self->invisibles_button);
  guint64 shown = mr_conversation_index_update_shown (self->index);
  guint last = mr_conversation_index_get_n_events (self->index, shown);
  guint first = last > MAX_LINES ? last - MAX_LINES : 0;
  gboolean in_reply = FALSE;
  const char *client = NULL, *server = NULL;
  MrProtocol protocol = MR_PROTOCOL_NONE;

  gtk_text_buffer_set_text (buffer, "", 0);

  for (guint i = first; i < last; i++)
    {
      MrEvent *event = mr_conversation_index_get_event (self->index, shown, i);

      client = event->client;
      server = event->server;
      protocol = event->protocol;

      switch (event->kind)
        {
        case MR_EVENT_LINE:
          append_line (self, buffer, event, invisibles, &in_reply);
          break;

        case MR_EVENT_CONTENT:
          if (event->content != NULL)
            append_content (self, buffer, event, invisibles);
          else
            {
              append (buffer, "  \u2502 ", -1, "content");
              append (buffer, event->text ? event->text : "", -1, "note");
              append (buffer, "\n", -1, NULL);
            }
          break;

        case MR_EVENT_TLS:
          append (buffer, _("\u2014 TLS from here: the bytes below travel encrypted"), -1, "note");
          append (buffer, "\n", -1, NULL);
          break;

        case MR_EVENT_CONNECT:
        case MR_EVENT_DISCONNECT:
        case MR_EVENT_NOTE:
        default:
          append (buffer, "\u2014 ", -1, "note");
          append (buffer, event->text ? event->text : "", -1, "note");
          append (buffer, "\n", -1, NULL);
          break;
        }
    }

  if (shown == 0)
    {
      gtk_label_set_label (self->title_label, _("No conversation yet"));
      gtk_label_set_label (self->summary_label, "");
    }
  else
    {
      g_autofree char *protocol_name = g_ascii_strup (mr_protocol_to_string (protocol), -1);
      g_autofree char *title = g_strdup_printf ("%s  %s \u2192 %s", protocol_name,
                                                client ? client : "?", server ? server : "?");

      gtk_label_set_label (self->title_label, title);
      gtk_label_set_label (self->summary_label,
                           invisibles ? _("\\r\\n is CR LF, the end of every line; \\n alone is a bare LF. "
                                          "Message lines show as sent, dots and all.")
                                      : _("The lines as a mail client shows them."));
    }

  /* Follow the newest line, as a capture does; from an idle, so the
   * scrollbar never changes between allocation and drawing. */
  if (self->scroll_id == 0 && gtk_widget_get_mapped (GTK_WIDGET (self)))
    self->scroll_id = g_idle_add (scroll_to_end_cb, self);
}

static void
on_invisibles_cb (MrWireView *self)
{
  update (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties [PROP_INVISIBLES]);
}

static void
mr_wire_view_set_property (GObject      *object,
                           guint         prop_id,
                           const GValue *value,
                           GParamSpec   *pspec)
{
  MrWireView *self = MR_WIRE_VIEW (object);

  switch (prop_id)
    {
    case PROP_INVISIBLES:
      mr_wire_view_set_invisibles (self, g_value_get_boolean (value));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
on_index_changed_cb (MrWireView *self)
{
  g_assert (MR_IS_WIRE_VIEW (self));

  /* Only rebuild when the shown conversation could have changed; else
   * the index stays stale until the view is looked at. */
  if (gtk_widget_get_mapped (GTK_WIDGET (self)) || mr_conversation_index_get_shown (self->index) == 0)
    update (self);
}

static void
ensure_updated (MrWireView *self)
{
  if (mr_conversation_index_get_stale (self->index))
    update (self);
}

static void
mr_wire_view_map (GtkWidget *widget)
{
  GTK_WIDGET_CLASS (mr_wire_view_parent_class)->map (widget);
  update (MR_WIRE_VIEW (widget));
}

static void
mr_wire_view_dispose (GObject *object)
{
  MrWireView *self = (MrWireView *)object;

  mr_conversation_index_set_model (self->index, NULL);
  gtk_widget_dispose_template (GTK_WIDGET (self), MR_TYPE_WIRE_VIEW);

  g_clear_handle_id (&self->scroll_id, g_source_remove);

  G_OBJECT_CLASS (mr_wire_view_parent_class)->dispose (object);
}

static void
mr_wire_view_finalize (GObject *object)
{
  MrWireView *self = (MrWireView *)object;

  g_clear_object (&self->index);

  G_OBJECT_CLASS (mr_wire_view_parent_class)->finalize (object);
}

static void
mr_wire_view_get_property (GObject    *object,
                           guint       prop_id,
                           GValue     *value,
                           GParamSpec *pspec)
{
  MrWireView *self = MR_WIRE_VIEW (object);

  switch (prop_id)
    {
    case PROP_INVISIBLES:
      g_value_set_boolean (value, mr_wire_view_get_invisibles (self));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
mr_wire_view_class_init (MrWireViewClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = mr_wire_view_dispose;
  object_class->finalize = mr_wire_view_finalize;
  object_class->get_property = mr_wire_view_get_property;
  object_class->set_property = mr_wire_view_set_property;

  widget_class->map = mr_wire_view_map;

  properties [PROP_INVISIBLES] =
    g_param_spec_boolean ("invisibles", NULL, NULL, TRUE,
                          (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));
  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_css_name (widget_class, "wireview");
  gtk_widget_class_set_template_from_resource (widget_class, "/io/github/mailroomlab/Mailroom/ui/mr-wire-view.ui");
  gtk_widget_class_bind_template_child (widget_class, MrWireView, box);
  gtk_widget_class_bind_template_child (widget_class, MrWireView, invisibles_button);
  gtk_widget_class_bind_template_child (widget_class, MrWireView, title_label);
  gtk_widget_class_bind_template_child (widget_class, MrWireView, summary_label);
  gtk_widget_class_bind_template_child (widget_class, MrWireView, text_view);
}

static void
mr_wire_view_init (MrWireView *self)
{
  GtkTextBuffer *buffer;

  gtk_widget_init_template (GTK_WIDGET (self));

  self->index = mr_conversation_index_new ();
  g_signal_connect_object (self->index, "changed", G_CALLBACK (on_index_changed_cb),
                           self, G_CONNECT_SWAPPED);

  /* The transcript's colours: client red, server blue */
  buffer = gtk_text_view_get_buffer (self->text_view);
  {
    GtkTextIter end;

    gtk_text_buffer_get_end_iter (buffer, &end);
    gtk_text_buffer_create_mark (buffer, "end", &end, FALSE);
  }
  gtk_text_buffer_create_tag (buffer, "client", "foreground", "#c01c28", NULL);
  gtk_text_buffer_create_tag (buffer, "server", "foreground", "#1c71d8", NULL);
  gtk_text_buffer_create_tag (buffer, "invisible", "foreground", "#e66100", "weight", PANGO_WEIGHT_BOLD, NULL);
  gtk_text_buffer_create_tag (buffer, "bad", "foreground", "#ffffff", "background", "#e01b24",
                              "weight", PANGO_WEIGHT_BOLD, NULL);
  gtk_text_buffer_create_tag (buffer, "tag", "foreground", "#813d9c", "weight", PANGO_WEIGHT_BOLD, NULL);
  gtk_text_buffer_create_tag (buffer, "content", "foreground", "#3d3846", NULL);
  gtk_text_buffer_create_tag (buffer, "hint", "foreground", "#986a44", "style", PANGO_STYLE_ITALIC, NULL);
  gtk_text_buffer_create_tag (buffer, "note", "style", PANGO_STYLE_ITALIC, "foreground", "#77767b", NULL);
  g_signal_connect_object (self->invisibles_button, "notify::active",
                           G_CALLBACK (on_invisibles_cb), self, G_CONNECT_SWAPPED);
  update (self);
}

GtkWidget *
mr_wire_view_new (void)
{
  return g_object_new (MR_TYPE_WIRE_VIEW, NULL);
}

void
mr_wire_view_set_model (MrWireView   *self,
                        MrEventModel *model)
{
  g_return_if_fail (MR_IS_WIRE_VIEW (self));
  g_return_if_fail (!model || MR_IS_EVENT_MODEL (model));

  if (mr_conversation_index_set_model (self->index, model))
    update (self);
}

void
mr_wire_view_set_conversation (MrWireView *self,
                               guint64     conversation_id)
{
  g_return_if_fail (MR_IS_WIRE_VIEW (self));

  if (mr_conversation_index_set_conversation (self->index, conversation_id))
    update (self);
}

void
mr_wire_view_set_cursor (MrWireView *self,
                         guint64     seq)
{
  g_return_if_fail (MR_IS_WIRE_VIEW (self));

  if (mr_conversation_index_set_cursor (self->index, seq))
    update (self);
}

char *
mr_wire_view_dup_text (MrWireView *self)
{
  GtkTextBuffer *buffer;
  GtkTextIter start, end;

  g_return_val_if_fail (MR_IS_WIRE_VIEW (self), NULL);
  ensure_updated (self);

  buffer = gtk_text_view_get_buffer (self->text_view);
  gtk_text_buffer_get_bounds (buffer, &start, &end);
  return gtk_text_buffer_get_text (buffer, &start, &end, FALSE);
}

gboolean
mr_wire_view_get_invisibles (MrWireView *self)
{
  g_return_val_if_fail (MR_IS_WIRE_VIEW (self), FALSE);
  return gtk_toggle_button_get_active (self->invisibles_button);
}

void
mr_wire_view_set_invisibles (MrWireView *self,
                             gboolean    invisibles)
{
  g_return_if_fail (MR_IS_WIRE_VIEW (self));
  gtk_toggle_button_set_active (self->invisibles_button, invisibles);
}
