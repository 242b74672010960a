/* mr-eavesdropper-view.c
 *
 * Copyright 2026 The Mailroom authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "mr-eavesdropper-view"

#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "mr-conversation-index.h"
#include "mr-eavesdropper-view.h"

/* Past this many lines of one conversation only the newest are shown. */
#define MAX_LINES 2000

/* TLS 1.3 application data record (RFC 8446 5.2): a 5-byte header, the
 * inner content type and a 16-byte AEAD tag around the plaintext. */
#define TLS_OVERHEAD (5 + 1 + 16)

struct _MrEavesdropperView
{
  GtkWidget      parent_instance;

  /* Template widgets */
  GtkWidget     *box;
  GtkImage      *lock_image;
  GtkLabel      *title_label;
  GtkLabel      *summary_label;
  GtkTextView   *text_view;

  /* Owned */
  MrConversationIndex *index;     /* the shown conversation's events */

  /* Computed */
  gboolean       locked;
  guint          n_clear;
  guint          n_encrypted;
  guint          scroll_id;
};

G_DEFINE_FINAL_TYPE (MrEavesdropperView, mr_eavesdropper_view, GTK_TYPE_WIDGET)

enum {
  PROP_0,
  PROP_LOCKED,
  N_PROPS
};

static GParamSpec *properties [N_PROPS];

/* Decodes @text when it is plausibly base64 of printable text (a SASL
 * challenge or response), else NULL. */
static char *
decode_base64_text (const char *text)
{
  g_autofree guchar *raw = NULL;
  gsize len = strlen (text);
  gsize out_len = 0;

  if (len < 4 || len % 4 != 0 || len > 4096)
    return NULL;
  for (gsize i = 0; i < len; i++)
    if (!g_ascii_isalnum (text[i]) && text[i] != '+' && text[i] != '/' && text[i] != '=')
      return NULL;

  raw = g_base64_decode (text, &out_len);
  if (raw == NULL || out_len == 0)
    return NULL;

  /* RFC 4616: PLAIN is authzid NUL authcid NUL passwd: show NULs as \0. */
  {
    GString *shown = g_string_new (NULL);

    for (gsize i = 0; i < out_len; i++)
      {
        if (raw[i] == 0)
          g_string_append (shown, "\\0");
        else if (raw[i] < 0x20 || raw[i] >= 0x7f)
          {
            g_string_free (shown, TRUE);
            return NULL;
          }
        else
          g_string_append_c (shown, raw[i]);
      }
    return g_string_free (shown, FALSE);
  }
}

static char *
nth_word (const char *text,
          guint       n)
{
  g_auto(GStrv) words = g_strsplit (text ? text : "", " ", n + 2);

  if (g_strv_length (words) <= n)
    return NULL;
  return g_strdup (words[n]);
}

char *
mr_eavesdropper_explain_leak (const MrEvent *event)
{
  const char *verb;

  g_return_val_if_fail (event != NULL, NULL);

  if (event->flags & MR_EVENT_FLAG_ENCRYPTED)
    return NULL;

  if (event->kind == MR_EVENT_CONTENT)
    return g_strdup (_("the whole message, headers and body, readable"));

  if (event->kind != MR_EVENT_LINE || event->text == NULL)
    return NULL;

  verb = event->verb;

  if (event->direction == MR_DIRECTION_TO_CLIENT)
    {
      const char *payload = NULL;
      g_autofree char *decoded = NULL;

      /* RFC 4954 4: "334 <base64 challenge>"; IMAP "+ <base64>" */
      if (event->code == 334 && strlen (event->text) > 4)
        payload = event->text + 4;
      else if (event->protocol != MR_PROTOCOL_SMTP && g_str_has_prefix (event->text, "+ "))
        payload = event->text + 2;
      if (payload != NULL && (decoded = decode_base64_text (payload)) != NULL)
        return g_strdup_printf (_("base64 for \u201c%s\u201d"), decoded);
      return NULL;
    }

  if (event->direction != MR_DIRECTION_TO_SERVER)
    return NULL;

  if (verb != NULL &&
      (g_ascii_strcasecmp (verb, "AUTH") == 0 || g_ascii_strcasecmp (verb, "AUTHENTICATE") == 0))
    {
      g_autofree char *mech = nth_word (event->text, event->protocol == MR_PROTOCOL_IMAP ? 2 : 1);
      g_autofree char *arg = nth_word (event->text, event->protocol == MR_PROTOCOL_IMAP ? 3 : 2);
      g_autofree char *decoded = NULL;

      /* What a wiretap had: the line before Mailroom masked it. */
      if (arg != NULL && (event->flags & MR_EVENT_FLAG_MASKED) && event->secret != NULL)
        {
          g_autofree char *wire = g_strndup (g_bytes_get_data (event->secret, NULL),
                                             g_bytes_get_size (event->secret));

          g_free (arg);
          arg = nth_word (wire, event->protocol == MR_PROTOCOL_IMAP ? 3 : 2);
        }
      if (arg != NULL && (decoded = decode_base64_text (arg)) != NULL)
        return g_strdup_printf (_("credentials: base64 -d gives \u201c%s\u201d"), decoded);
      if (mech != NULL && g_ascii_strcasecmp (mech, "PLAIN") == 0 && arg != NULL)
        return g_strdup (_("credentials: the payload is base64 of \\0user\\0password (RFC 4616), "
                           "one base64 -d away from the password; Mailroom masks it on its bus"));
      if (arg != NULL)
        return g_strdup (_("credentials: an AUTH initial response, base64 only, not encrypted; "
                           "masked on Mailroom's bus"));
      return g_strdup_printf (_("the authentication mechanism (%s); the credentials follow in base64"),
                              mech ? mech : "?");
    }

  if (verb == NULL && (event->flags & MR_EVENT_FLAG_MASKED))
    {
      g_autofree char *decoded = NULL;

      if (event->secret != NULL)
        {
          g_autofree char *wire = g_strndup (g_bytes_get_data (event->secret, NULL),
                                             g_bytes_get_size (event->secret));

          decoded = decode_base64_text (wire);
        }
      if (decoded != NULL)
        return g_strdup_printf (_("credentials: base64 -d gives \u201c%s\u201d"), decoded);
      return g_strdup (_("credentials: an AUTH response, the user name or the password in base64, "
                         "masked on Mailroom's bus"));
    }

  if (verb != NULL && g_ascii_strcasecmp (verb, "LOGIN") == 0)
    {
      g_autofree char *user = nth_word (event->text, 2);

      return g_strdup_printf (_("user name \u201c%s\u201d, and the password right after it "
                                "(masked on Mailroom's bus)"), user ? user : "");
    }

  if (verb != NULL && g_ascii_strcasecmp (verb, "USER") == 0)
    {
      g_autofree char *user = nth_word (event->text, 1);

      return g_strdup_printf (_("user name \u201c%s\u201d"), user ? user : "");
    }

  if (verb != NULL && g_ascii_strcasecmp (verb, "PASS") == 0)
    return g_strdup (_("the password, as typed (masked on Mailroom's bus)"));

  if (verb != NULL && g_ascii_strcasecmp (verb, "APOP") == 0)
    return g_strdup (_("user name and an MD5 digest of the password (RFC 1939 7)"));

  if (verb != NULL && g_ascii_strcasecmp (verb, "MAIL") == 0)
    return g_strdup (_("the envelope sender"));

  if (verb != NULL && g_ascii_strcasecmp (verb, "RCPT") == 0)
    return g_strdup (_("an envelope recipient"));

  if (verb != NULL && (g_ascii_strcasecmp (verb, "EHLO") == 0 || g_ascii_strcasecmp (verb, "HELO") == 0))
    return g_strdup (_("the client's name"));

  return NULL;
}

/* Deterministic stand-in bytes for a TLS record carrying @event. */
static char *
fake_record (const MrEvent *event,
             gsize         *size_r)
{
  g_autofree char *seed = g_strdup_printf ("%" G_GUINT64_FORMAT ":%s", event->seq,
                                           event->text ? event->text : "");
  g_autofree char *digest = g_compute_checksum_for_string (G_CHECKSUM_SHA256, seed, -1);
  gsize plain = (event->kind == MR_EVENT_CONTENT && event->content != NULL)
                  ? g_bytes_get_size (event->content)
                  : (event->text ? strlen (event->text) : 0) + 2;
  gsize size = plain + TLS_OVERHEAD;
  GString *hex = g_string_new (NULL);

  /* Record header: application_data, TLS 1.2 legacy version, length */
  g_string_append_printf (hex, "17 03 03 %02x %02x", (guint) ((size - 5) >> 8) & 0xff,
                          (guint) (size - 5) & 0xff);
  for (guint i = 0; i < 12 && digest[2 * i] != '\0'; i++)
    g_string_append_printf (hex, " %c%c", digest[2 * i], digest[2 * i + 1]);
  g_string_append (hex, " \u2026");

  *size_r = size;
  return g_string_free (hex, FALSE);
}

static void
append (GtkTextBuffer *buffer,
        const char    *text,
        const char    *tag)
{
  GtkTextIter end;

  gtk_text_buffer_get_end_iter (buffer, &end);
  if (tag != NULL)
    gtk_text_buffer_insert_with_tags_by_name (buffer, &end, text, -1, tag, NULL);
  else
    gtk_text_buffer_insert (buffer, &end, text, -1);
}

static gboolean
scroll_to_end_cb (gpointer data)
{
  MrEavesdropperView *self = data;
  GtkTextBuffer *buffer = gtk_text_view_get_buffer (self->text_view);
  GtkTextIter end;

  self->scroll_id = 0;
  gtk_text_buffer_get_end_iter (buffer, &end);
  gtk_text_buffer_move_mark_by_name (buffer, "end", &end);
  gtk_text_view_scroll_mark_onscreen (self->text_view, gtk_text_buffer_get_mark (buffer, "end"));
  return G_SOURCE_REMOVE;
}

static void
update (MrEavesdropperView *self)
{
  GtkTextBuffer *buffer = gtk_text_view_get_buffer (self->text_view);
  gboolean was_locked = self->locked;
  guint64 shown = mr_conversation_index_update_shown (self->index);
  /* Up to the cursor, and at most MAX_LINES of it */
  guint last = mr_conversation_index_get_n_events (self->index, shown);
  guint first = last > MAX_LINES ? last - MAX_LINES : 0;
  const char *client = NULL, *server = NULL;
  MrProtocol protocol = MR_PROTOCOL_NONE;

  self->locked = FALSE;
  self->n_clear = 0;
  self->n_encrypted = 0;
  gtk_text_buffer_set_text (buffer, "", 0);

  for (guint i = first; i < last; i++)
    {
      MrEvent *event = mr_conversation_index_get_event (self->index, shown, i);
      const char *arrow = event->direction == MR_DIRECTION_TO_SERVER ? "C\u2192S " : "S\u2192C ";
      const char *side = event->direction == MR_DIRECTION_TO_SERVER ? "client" : "server";

      client = event->client;
      server = event->server;
      protocol = event->protocol;

      switch (event->kind)
        {
        case MR_EVENT_TLS:
          self->locked = TRUE;
          append (buffer, "[TLS] ", "cipher");
          append (buffer, _("TLS handshake: from here on the observer sees only ciphertext, "
                            "its size and its timing"), "note");
          append (buffer, "\n", NULL);
          continue;

        case MR_EVENT_CONNECT:
          append (buffer, _("\u2014 TCP connection opened"), "note");
          append (buffer, "\n", NULL);
          continue;

        case MR_EVENT_DISCONNECT:
          append (buffer, _("\u2014 TCP connection closed"), "note");
          append (buffer, "\n", NULL);
          continue;

        case MR_EVENT_NOTE:
          continue;

        case MR_EVENT_LINE:
        case MR_EVENT_CONTENT:
        default:
          break;
        }

      if (self->locked || (event->flags & MR_EVENT_FLAG_ENCRYPTED))
        {
          g_autofree char *record = NULL;
          g_autofree char *size = NULL;
          gsize n;

          self->locked = TRUE;
          self->n_encrypted++;
          record = fake_record (event, &n);
          size = g_strdup_printf (_("  (ciphertext, %lu bytes)"), (unsigned long) n);
          append (buffer, arrow, "cipher");
          append (buffer, record, "cipher");
          append (buffer, size, "note");
          append (buffer, "\n", NULL);
          continue;
        }

      self->n_clear++;
      append (buffer, arrow, side);
      if (event->kind == MR_EVENT_CONTENT)
        {
          g_autofree char *summary = g_strdup_printf ("[%s]", event->text ? event->text : "message");
          append (buffer, summary, side);
        }
      else
        append (buffer, event->text ? event->text : "", side);
      append (buffer, "\n", NULL);

      {
        g_autofree char *leak = mr_eavesdropper_explain_leak (event);

        if (leak != NULL)
          {
            append (buffer, "      \u26a0 ", "leak");
            append (buffer, leak, "leak");
            append (buffer, "\n", NULL);
          }
      }
    }

  if (shown == 0)
    {
      gtk_label_set_label (self->title_label, _("No conversation yet"));
      gtk_label_set_label (self->summary_label, _("A passive observer on a link sees every byte. "
                                                  "Start a conversation to see what leaks."));
    }
  else
    {
      g_autofree char *protocol_name = g_ascii_strup (mr_protocol_to_string (protocol), -1);
      g_autofree char *title = g_strdup_printf ("%s  %s \u2192 %s", protocol_name,
                                                client ? client : "?", server ? server : "?");
      g_autofree char *summary = NULL;

      gtk_label_set_label (self->title_label, title);
      if (self->locked)
        summary = g_strdup_printf (_("Encrypted: %u lines were readable before TLS, %u are ciphertext. "
                                     "The observer still sees who talks to whom, when, and how much."),
                                   self->n_clear, self->n_encrypted);
      else
        summary = g_strdup_printf (_("In the clear: all %u lines are readable by anyone on the path. "
                                     "STARTTLS (RFC 3207), STLS (RFC 2595) or implicit TLS (RFC 8314) "
                                     "would hide them."), self->n_clear);
      gtk_label_set_label (self->summary_label, summary);
    }

  /* Follow the newest line, as a capture does; from an idle, so the
   * scrollbar never changes between allocation and drawing. */
  if (self->scroll_id == 0 && gtk_widget_get_mapped (GTK_WIDGET (self)))
    self->scroll_id = g_idle_add (scroll_to_end_cb, self);

  gtk_image_set_from_icon_name (self->lock_image, self->locked ? "channel-secure-symbolic"
                                                               : "channel-insecure-symbolic");
  if (self->locked != was_locked)
    g_object_notify_by_pspec (G_OBJECT (self), properties [PROP_LOCKED]);
}

static void
on_index_changed_cb (MrEavesdropperView *self)
{
  g_assert (MR_IS_EAVESDROPPER_VIEW (self));

  /* Only rebuild when the shown conversation could have changed; else
   * the index stays stale until the view is looked at. */
  if (gtk_widget_get_mapped (GTK_WIDGET (self)) || mr_conversation_index_get_shown (self->index) == 0)
    update (self);
}

static void
ensure_updated (MrEavesdropperView *self)
{
  if (mr_conversation_index_get_stale (self->index))
    update (self);
}

static void
mr_eavesdropper_view_map (GtkWidget *widget)
{
  GTK_WIDGET_CLASS (mr_eavesdropper_view_parent_class)->map (widget);
  update (MR_EAVESDROPPER_VIEW (widget));
}

static void
mr_eavesdropper_view_dispose (GObject *object)
{
  MrEavesdropperView *self = (MrEavesdropperView *)object;

  mr_conversation_index_set_model (self->index, NULL);
  gtk_widget_dispose_template (GTK_WIDGET (self), MR_TYPE_EAVESDROPPER_VIEW);

  g_clear_handle_id (&self->scroll_id, g_source_remove);

  G_OBJECT_CLASS (mr_eavesdropper_view_parent_class)->dispose (object);
}

static void
mr_eavesdropper_view_finalize (GObject *object)
{
  MrEavesdropperView *self = (MrEavesdropperView *)object;

  g_clear_object (&self->index);

  G_OBJECT_CLASS (mr_eavesdropper_view_parent_class)->finalize (object);
}

static void
mr_eavesdropper_view_get_property (GObject    *object,
                                   guint       prop_id,
                                   GValue     *value,
                                   GParamSpec *pspec)
{
  MrEavesdropperView *self = MR_EAVESDROPPER_VIEW (object);

  switch (prop_id)
    {
    case PROP_LOCKED:
      g_value_set_boolean (value, self->locked);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
mr_eavesdropper_view_class_init (MrEavesdropperViewClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = mr_eavesdropper_view_dispose;
  object_class->finalize = mr_eavesdropper_view_finalize;
  object_class->get_property = mr_eavesdropper_view_get_property;

  widget_class->map = mr_eavesdropper_view_map;

  properties [PROP_LOCKED] =
    g_param_spec_boolean ("locked", NULL, NULL, FALSE,
                          (G_PARAM_READABLE | G_PARAM_STATIC_STRINGS));
  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_css_name (widget_class, "eavesdropper");
  gtk_widget_class_set_template_from_resource (widget_class, "/io/github/mailroomlab/Mailroom/ui/mr-eavesdropper-view.ui");
  gtk_widget_class_bind_template_child (widget_class, MrEavesdropperView, box);
  gtk_widget_class_bind_template_child (widget_class, MrEavesdropperView, lock_image);
  gtk_widget_class_bind_template_child (widget_class, MrEavesdropperView, title_label);
  gtk_widget_class_bind_template_child (widget_class, MrEavesdropperView, summary_label);
  gtk_widget_class_bind_template_child (widget_class, MrEavesdropperView, text_view);
}

static void
mr_eavesdropper_view_init (MrEavesdropperView *self)
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
  gtk_text_buffer_create_tag (buffer, "leak", "foreground", "#9c6e03", "weight", PANGO_WEIGHT_BOLD, NULL);
  gtk_text_buffer_create_tag (buffer, "cipher", "foreground", "#77767b", NULL);
  gtk_text_buffer_create_tag (buffer, "note", "style", PANGO_STYLE_ITALIC, "foreground", "#77767b", NULL);
  update (self);
}

GtkWidget *
mr_eavesdropper_view_new (void)
{
  return g_object_new (MR_TYPE_EAVESDROPPER_VIEW, NULL);
}

void
mr_eavesdropper_view_set_model (MrEavesdropperView *self,
                                MrEventModel       *model)
{
  g_return_if_fail (MR_IS_EAVESDROPPER_VIEW (self));
  g_return_if_fail (!model || MR_IS_EVENT_MODEL (model));

  if (mr_conversation_index_set_model (self->index, model))
    update (self);
}

void
mr_eavesdropper_view_set_conversation (MrEavesdropperView *self,
                                       guint64             conversation_id)
{
  g_return_if_fail (MR_IS_EAVESDROPPER_VIEW (self));

  if (mr_conversation_index_set_conversation (self->index, conversation_id))
    update (self);
}

void
mr_eavesdropper_view_set_cursor (MrEavesdropperView *self,
                                 guint64             seq)
{
  g_return_if_fail (MR_IS_EAVESDROPPER_VIEW (self));

  if (mr_conversation_index_set_cursor (self->index, seq))
    update (self);
}

guint64
mr_eavesdropper_view_get_shown_conversation (MrEavesdropperView *self)
{
  g_return_val_if_fail (MR_IS_EAVESDROPPER_VIEW (self), 0);
  ensure_updated (self);
  return mr_conversation_index_get_shown (self->index);
}

gboolean
mr_eavesdropper_view_get_locked (MrEavesdropperView *self)
{
  g_return_val_if_fail (MR_IS_EAVESDROPPER_VIEW (self), FALSE);
  ensure_updated (self);
  return self->locked;
}

guint
mr_eavesdropper_view_get_n_clear (MrEavesdropperView *self)
{
  g_return_val_if_fail (MR_IS_EAVESDROPPER_VIEW (self), 0);
  ensure_updated (self);
  return self->n_clear;
}

guint
mr_eavesdropper_view_get_n_encrypted (MrEavesdropperView *self)
{
  g_return_val_if_fail (MR_IS_EAVESDROPPER_VIEW (self), 0);
  ensure_updated (self);
  return self->n_encrypted;
}

char *
mr_eavesdropper_view_dup_text (MrEavesdropperView *self)
{
  GtkTextBuffer *buffer;
  GtkTextIter start, end;

  g_return_val_if_fail (MR_IS_EAVESDROPPER_VIEW (self), NULL);
  ensure_updated (self);

  buffer = gtk_text_view_get_buffer (self->text_view);
  gtk_text_buffer_get_bounds (buffer, &start, &end);
  return gtk_text_buffer_get_text (buffer, &start, &end, FALSE);
}
