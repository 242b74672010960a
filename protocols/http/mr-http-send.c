/* mr-http-send.c
 *
 * Copyright 2026 The Mailroom authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "mr-http-send"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "mr-clock.h"
#include "mr-engine.h"
#include "mr-event-bus.h"
#include "mr-http-server-private.h"
#include "mr-session.h"
#include "mr-store.h"

/*
 * POST /api/v1/send: the "HTTP API" way to send mail, beside SMTP.
 *
 * The request is one HTTP round trip. Behind it, the message is built with
 * GMime and submitted by driving a submission session of the engine, line
 * by line, exactly as a mail client would over TCP (RFC 6409): so the same
 * events appear on the bus and the "SMTP vs HTTP API" lesson can count the
 * SMTP round trips of the very same message.
 */

#define SEND_TIMEOUT_SECONDS 30
#define MAX_RECIPIENTS       100
/* A reply longer than this is not SMTP (RFC 5321 4.5.3.1.5: 512 octets a
 * line; a multiline EHLO reply has a dozen lines). */
#define MAX_REPLY_BYTES      65536

typedef enum
{
  SEND_GREETING,     /* waiting for 220 */
  SEND_EHLO,         /* EHLO sent */
  SEND_STARTTLS,     /* STARTTLS sent */
  SEND_EHLO_TLS,     /* EHLO sent again after TLS (RFC 3207 4.2) */
  SEND_AUTH,         /* AUTH PLAIN sent */
  SEND_MAIL,         /* MAIL FROM sent */
  SEND_RCPT,         /* RCPT TO sent for recipients[rcpt_index] */
  SEND_DATA,         /* DATA sent, waiting for 354 */
  SEND_CONTENT,      /* content and "." sent */
  SEND_QUIT,         /* QUIT sent */
  SEND_DONE,
} SendStep;

typedef struct
{
  char  *address;
  guint  code;
  char  *reply;
} SendRecipient;

typedef struct
{
  /* Borrowed: the server cancels every send in dispose */
  MrHttpServer      *server;

  /* Owned */
  SoupServerMessage *msg;
  MrSession         *session;
  GString           *input;          /* server output not parsed yet */
  char              *user;
  char              *password;
  char              *from;
  char              *message_id;
  GArray            *recipients;     /* SendRecipient */
  GBytes            *content;        /* dot-stuffed, ends with ".\r\n" */
  char              *final_reply;

  gulong             wakeup_handler;
  gulong             event_handler;
  guint              timeout_id;
  gboolean           paused;

  SendStep           step;
  guint              rcpt_index;
  guint              rcpt_accepted;
  gboolean           can_starttls;
  gboolean           can_auth;

  /* Counted from the conversation's events */
  guint64            conversation_id;
  guint64            first_seq;
  guint64            last_seq;
  guint              round_trips;
  MrDirection        last_direction;
} MrHttpSend;

static void
send_recipient_clear (SendRecipient *recipient)
{
  g_free (recipient->address);
  g_free (recipient->reply);
}

static void
send_clear (MrHttpSend *send)
{
  MrEventBus *bus = send->server->bus;

  g_clear_handle_id (&send->timeout_id, g_source_remove);
  if (send->event_handler != 0)
    g_clear_signal_handler (&send->event_handler, bus);
  if (send->wakeup_handler != 0)
    g_clear_signal_handler (&send->wakeup_handler, send->session);
  if (send->session != NULL && !mr_session_get_closed (send->session))
    mr_session_disconnected (send->session);
  g_clear_object (&send->session);
  if (send->paused)
    soup_server_message_unpause (send->msg);
  g_clear_object (&send->msg);
  g_string_free (send->input, TRUE);
  g_free (send->user);
  if (send->password != NULL)
    memset (send->password, 0, strlen (send->password));
  g_free (send->password);
  g_free (send->from);
  g_free (send->message_id);
  g_free (send->final_reply);
  g_array_unref (send->recipients);
  g_clear_pointer (&send->content, g_bytes_unref);
}

static MrHttpSend *
send_ref (MrHttpSend *send)
{
  return g_rc_box_acquire (send);
}

void
_mr_http_send_unref (gpointer data)
{
  g_rc_box_release_full (data, (GDestroyNotify) send_clear);
}

/* Answers the HTTP request and forgets the send. */
static void
send_finish (MrHttpSend *send)
{
  MrHttpServer *self = send->server;

  send->step = SEND_DONE;
  g_hash_table_remove (self->sends, send);
}

static void
add_recipients_json (JsonBuilder *builder,
                     MrHttpSend  *send)
{
  json_builder_set_member_name (builder, "recipients");
  json_builder_begin_array (builder);
  for (guint i = 0; i < send->recipients->len; i++)
    {
      SendRecipient *r = &g_array_index (send->recipients, SendRecipient, i);

      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "address");
      json_builder_add_string_value (builder, r->address);
      json_builder_set_member_name (builder, "code");
      json_builder_add_int_value (builder, r->code);
      json_builder_set_member_name (builder, "reply");
      if (r->reply)
        json_builder_add_string_value (builder, r->reply);
      else
        json_builder_add_null_value (builder);
      json_builder_end_object (builder);
    }
  json_builder_end_array (builder);
}

static void
send_reply (MrHttpSend *send,
            guint       status,
            const char *error,
            const char *field)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonNode) node = NULL;

  json_builder_begin_object (builder);
  if (error != NULL)
    {
      json_builder_set_member_name (builder, "error");
      json_builder_add_string_value (builder, error);
      if (field != NULL)
        {
          json_builder_set_member_name (builder, "field");
          json_builder_add_string_value (builder, field);
        }
      json_builder_set_member_name (builder, "status");
      json_builder_add_int_value (builder, status);
    }
  else
    {
      json_builder_set_member_name (builder, "queued");
      json_builder_add_boolean_value (builder, TRUE);
    }
  json_builder_set_member_name (builder, "reply");
  if (send->final_reply)
    json_builder_add_string_value (builder, send->final_reply);
  else
    json_builder_add_null_value (builder);
  json_builder_set_member_name (builder, "message_id");
  json_builder_add_string_value (builder, send->message_id);
  /* The lesson's numbers: this whole request was one HTTP round trip. */
  json_builder_set_member_name (builder, "http_round_trips");
  json_builder_add_int_value (builder, 1);
  json_builder_set_member_name (builder, "smtp_round_trips");
  json_builder_add_int_value (builder, send->round_trips);
  json_builder_set_member_name (builder, "conversation");
  json_builder_add_int_value (builder, (gint64) send->conversation_id);
  json_builder_set_member_name (builder, "first_seq");
  json_builder_add_int_value (builder, (gint64) send->first_seq);
  json_builder_set_member_name (builder, "last_seq");
  json_builder_add_int_value (builder, (gint64) send->last_seq);
  add_recipients_json (builder, send);
  json_builder_end_object (builder);

  node = json_builder_get_root (builder);
  _mr_http_reply_json (send->msg, status, node);
}

static void
send_command (MrHttpSend *send,
              SendStep    step,
              const char *line)
{
  g_autofree char *wire = g_strconcat (line, "\r\n", NULL);

  send->step = step;
  mr_session_feed (send->session, (const guint8 *) wire, strlen (wire));
}

/* Ends the SMTP side politely and answers with an error. */
static void
send_fail (MrHttpSend *send,
           guint       status,
           const char *field,
           const char *format,
           ...) G_GNUC_PRINTF (4, 5);

static void
send_fail (MrHttpSend *send,
           guint       status,
           const char *field,
           const char *format,
           ...)
{
  g_autofree char *message = NULL;
  va_list args;

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);

  if (send->session != NULL &&
      !mr_session_get_closed (send->session) &&
      mr_session_get_action (send->session) == MR_SESSION_CONTINUE &&
      send->step != SEND_QUIT)
    {
      g_autoptr(GBytes) ignored = NULL;

      send_command (send, SEND_DONE, "QUIT");
      ignored = mr_session_take_output (send->session);
    }
  send_reply (send, status, message, field);
  send_finish (send);
}

/* Takes one complete reply (RFC 5321 4.2.1: "ddd-" lines, then "ddd ")
 * from the input. Returns the code and the lines, or 0 when incomplete. */
static guint
take_reply (MrHttpSend  *send,
            char       **text_r)
{
  GString *input = send->input;
  gsize pos = 0;

  while (pos < input->len)
    {
      const char *line = input->str + pos;
      const char *eol = memchr (line, '\n', input->len - pos);
      gsize line_len;

      if (eol == NULL)
        return 0;
      line_len = eol - line;
      if (line_len > 0 && line[line_len - 1] == '\r')
        line_len--;

      if (line_len < 3 || !g_ascii_isdigit (line[0]) || !g_ascii_isdigit (line[1]) || !g_ascii_isdigit (line[2]))
        {
          *text_r = g_strndup (line, line_len);
          g_string_erase (input, 0, eol + 1 - input->str);
          return 999;  /* not SMTP: treated as a failure */
        }

      pos = eol + 1 - input->str;
      if (line_len == 3 || line[3] == ' ')
        {
          guint code = (line[0] - '0') * 100 + (line[1] - '0') * 10 + (line[2] - '0');

          *text_r = g_strndup (input->str, pos);
          g_strchomp (*text_r);
          g_string_erase (input, 0, pos);
          return code;
        }
    }

  return 0;
}

/* The last line of a reply, for the JSON answer. */
static char *
last_line (const char *reply)
{
  const char *nl = strrchr (reply, '\n');

  return g_strdup (nl ? nl + 1 : reply);
}

static gboolean
reply_has_keyword (const char *reply,
                   const char *keyword)
{
  g_auto(GStrv) lines = g_strsplit (reply, "\n", -1);
  gsize len = strlen (keyword);

  /* RFC 5321 4.1.1.1: EHLO lines are "250-KEYWORD params". */
  for (guint i = 1; lines[i]; i++)
    {
      const char *kw = lines[i][0] ? lines[i] + MIN (strlen (lines[i]), 4) : lines[i];

      if (g_ascii_strncasecmp (kw, keyword, len) == 0 &&
          (kw[len] == '\0' || kw[len] == ' ' || kw[len] == '\r' || kw[len] == '='))
        return TRUE;
    }
  return FALSE;
}

static void
send_mail_from (MrHttpSend *send)
{
  g_autofree char *line = g_strdup_printf ("MAIL FROM:<%s>", send->from);

  send_command (send, SEND_MAIL, line);
}

static void
send_rcpt (MrHttpSend *send)
{
  SendRecipient *r = &g_array_index (send->recipients, SendRecipient, send->rcpt_index);
  g_autofree char *line = g_strdup_printf ("RCPT TO:<%s>", r->address);

  send_command (send, SEND_RCPT, line);
}

static void
send_auth (MrHttpSend *send)
{
  g_autoptr(GString) plain = g_string_new (NULL);
  g_autofree char *encoded = NULL;
  g_autofree char *line = NULL;

  /* RFC 4616: authzid NUL authcid NUL passwd */
  g_string_append_c (plain, '\0');
  g_string_append (plain, send->user);
  g_string_append_c (plain, '\0');
  g_string_append (plain, send->password);
  encoded = g_base64_encode ((const guchar *) plain->str, plain->len);
  line = g_strconcat ("AUTH PLAIN ", encoded, NULL);
  memset (plain->str, 0, plain->len);

  send_command (send, SEND_AUTH, line);
  memset (line, 0, strlen (line));
}

/* One reply arrived: the client side of RFC 5321 3.3 / RFC 4954. */
static void
send_handle_reply (MrHttpSend *send,
                   guint       code,
                   const char *reply)
{
  g_autofree char *last = last_line (reply);

  switch (send->step)
    {
    case SEND_GREETING:
      if (code != 220)
        {
          send_fail (send, SOUP_STATUS_SERVICE_UNAVAILABLE, NULL,
                          "The submission server is not taking mail: %s", last);
          return;
        }
      send_command (send, SEND_EHLO, "EHLO http-api");
      break;

    case SEND_EHLO:
    case SEND_EHLO_TLS:
      if (code != 250)
        {
          send_fail (send, SOUP_STATUS_BAD_GATEWAY, NULL, "EHLO was refused: %s", last);
          return;
        }
      send->can_auth = reply_has_keyword (reply, "AUTH");
      send->can_starttls = reply_has_keyword (reply, "STARTTLS");
      /* RFC 4954 4: a server may offer AUTH only inside TLS. The request
       * arrived over HTTP on this machine; the lab still shows the step. */
      if (!send->can_auth && send->can_starttls && send->step == SEND_EHLO)
        send_command (send, SEND_STARTTLS, "STARTTLS");
      else
        send_auth (send);
      break;

    case SEND_STARTTLS:
      if (code != 220)
        {
          send_fail (send, SOUP_STATUS_BAD_GATEWAY, NULL, "STARTTLS was refused: %s", last);
          return;
        }
      if (mr_session_get_action (send->session) == MR_SESSION_START_TLS)
        mr_session_tls_started (send->session);
      send_command (send, SEND_EHLO_TLS, "EHLO http-api");
      break;

    case SEND_AUTH:
      if (code == 535)
        {
          send_fail (send, SOUP_STATUS_UNAUTHORIZED, NULL, "The submission server refused the credentials: %s", last);
          return;
        }
      if (code / 100 != 2)
        {
          send_fail (send, code / 100 == 4 ? SOUP_STATUS_SERVICE_UNAVAILABLE : SOUP_STATUS_BAD_GATEWAY,
                          NULL, "AUTH failed: %s", last);
          return;
        }
      send_mail_from (send);
      break;

    case SEND_MAIL:
      if (code / 100 != 2)
        {
          send_fail (send, code / 100 == 4 ? SOUP_STATUS_SERVICE_UNAVAILABLE : SOUP_STATUS_UNPROCESSABLE_ENTITY,
                          "from", "The sender was refused: %s", last);
          return;
        }
      send->rcpt_index = 0;
      send_rcpt (send);
      break;

    case SEND_RCPT:
      {
        SendRecipient *r = &g_array_index (send->recipients, SendRecipient, send->rcpt_index);

        r->code = code;
        r->reply = g_strdup (last);
        if (code / 100 == 2)
          send->rcpt_accepted++;
        if (++send->rcpt_index < send->recipients->len)
          {
            send_rcpt (send);
            break;
          }
        if (send->rcpt_accepted == 0)
          {
            send_fail (send, SOUP_STATUS_UNPROCESSABLE_ENTITY, "to",
                            "No recipient was accepted: %s", last);
            return;
          }
        send_command (send, SEND_DATA, "DATA");
      }
      break;

    case SEND_DATA:
      if (code != 354)
        {
          send_fail (send, code / 100 == 4 ? SOUP_STATUS_SERVICE_UNAVAILABLE : SOUP_STATUS_BAD_GATEWAY,
                          NULL, "DATA was refused: %s", last);
          return;
        }
      send->step = SEND_CONTENT;
      mr_session_feed (send->session, g_bytes_get_data (send->content, NULL), g_bytes_get_size (send->content));
      break;

    case SEND_CONTENT:
      g_free (send->final_reply);
      send->final_reply = g_strdup (last);
      if (code / 100 != 2)
        {
          send_fail (send, code / 100 == 4 ? SOUP_STATUS_SERVICE_UNAVAILABLE : SOUP_STATUS_UNPROCESSABLE_ENTITY,
                          NULL, "The message was refused: %s", last);
          return;
        }
      send_command (send, SEND_QUIT, "QUIT");
      break;

    case SEND_QUIT:
      send_reply (send, SOUP_STATUS_OK, NULL, NULL);
      send_finish (send);
      break;

    case SEND_DONE:
    default:
      g_assert_not_reached ();
    }
}

/* Reads whatever the session wrote and acts on complete replies, until it
 * has to wait (a delayed reply: ::wakeup brings us back) or is done. */
static void send_drive_unlocked (MrHttpSend *send);

static void
send_drive (MrHttpSend *send)
{
  /* Answering may drop the last other reference. */
  send_ref (send);
  send_drive_unlocked (send);
  _mr_http_send_unref (send);
}

static void
send_drive_unlocked (MrHttpSend *send)
{
  while (send->step != SEND_DONE)
    {
      g_autoptr(GBytes) output = mr_session_take_output (send->session);
      g_autofree char *reply = NULL;
      guint code;

      if (output != NULL)
        g_string_append_len (send->input, g_bytes_get_data (output, NULL), g_bytes_get_size (output));

      if (send->input->len > MAX_REPLY_BYTES)
        {
          send_fail (send, SOUP_STATUS_BAD_GATEWAY, NULL, "The submission server's reply is too long");
          return;
        }

      code = take_reply (send, &reply);
      if (code == 0)
        {
          if (mr_session_get_closed (send->session) ||
              mr_session_get_action (send->session) == MR_SESSION_CLOSE)
            {
              if (send->step == SEND_QUIT)
                {
                  send_reply (send, SOUP_STATUS_OK, NULL, NULL);
                  send_finish (send);
                }
              else
                send_fail (send, SOUP_STATUS_BAD_GATEWAY, NULL, "The submission server closed the connection");
            }
          return;
        }
      if (code == 999)
        {
          send_fail (send, SOUP_STATUS_BAD_GATEWAY, NULL, "The submission server sent a line that is not SMTP: %s", reply);
          return;
        }

      send_handle_reply (send, code, reply);
    }
}

static void
on_session_wakeup_cb (MrSession  *session,
                      MrHttpSend *send)
{
  send_drive (send);
}

static gboolean
on_send_timeout_cb (gpointer data)
{
  MrHttpSend *send = data;

  send->timeout_id = 0;
  send_fail (send, SOUP_STATUS_GATEWAY_TIMEOUT, NULL,
             "The submission server did not answer within %d seconds", SEND_TIMEOUT_SECONDS);
  return G_SOURCE_REMOVE;
}

/* Counts round trips from the events: each time the conversation turns
 * from the client talking to the server answering. */
static void
on_send_event_cb (MrEventBus *bus,
                  MrEvent    *event,
                  MrHttpSend *send)
{
  if (event->conversation_id != send->conversation_id)
    return;

  if (send->first_seq == 0)
    send->first_seq = event->seq;
  send->last_seq = event->seq;

  if (event->direction == MR_DIRECTION_TO_CLIENT && send->last_direction == MR_DIRECTION_TO_SERVER)
    send->round_trips++;
  if (event->direction != MR_DIRECTION_NONE)
    send->last_direction = event->direction;
}

/* Building the message */

static gboolean
has_control_chars (const char *s)
{
  for (; *s; s++)
    if ((guchar) *s < 0x20 || *s == 0x7f)
      return TRUE;
  return FALSE;
}

/* Parses a string or array of strings of addresses into @list; every one
 * must be a plain mailbox with an "@". */
static gboolean
parse_addresses (JsonObject          *body,
                 const char          *field,
                 InternetAddressList *list,
                 SoupServerMessage   *msg)
{
  JsonNode *node = json_object_get_member (body, field);
  g_autoptr(GPtrArray) strings = g_ptr_array_new ();

  if (node == NULL)
    return TRUE;
  if (JSON_NODE_HOLDS_ARRAY (node))
    {
      JsonArray *array = json_node_get_array (node);

      for (guint i = 0; i < json_array_get_length (array); i++)
        g_ptr_array_add (strings, (gpointer) json_array_get_string_element (array, i));
    }
  else
    g_ptr_array_add (strings, (gpointer) json_node_get_string (node));

  for (guint i = 0; i < strings->len; i++)
    {
      const char *s = g_ptr_array_index (strings, i);
      InternetAddressList *parsed;
      gboolean ok;

      if (has_control_chars (s) || !g_utf8_validate (s, -1, NULL))
        {
          _mr_http_reply_error (msg, SOUP_STATUS_BAD_REQUEST, field, "Field “%s” has control characters", field);
          return FALSE;
        }
      parsed = internet_address_list_parse (NULL, s);
      ok = parsed != NULL && internet_address_list_length (parsed) > 0;
      for (int j = 0; ok && j < internet_address_list_length (parsed); j++)
        {
          InternetAddress *ia = internet_address_list_get_address (parsed, j);
          const char *addr;

          ok = INTERNET_ADDRESS_IS_MAILBOX (ia);
          addr = ok ? internet_address_mailbox_get_addr (INTERNET_ADDRESS_MAILBOX (ia)) : NULL;
          ok = addr != NULL && strchr (addr, '@') != NULL && addr[0] != '@' &&
               strchr (addr, '@')[1] != '\0' && strpbrk (addr, "<> ") == NULL;
        }
      if (!ok)
        {
          g_clear_object (&parsed);
          _mr_http_reply_error (msg, SOUP_STATUS_BAD_REQUEST, field,
                                "Field “%s”: “%s” is not an e-mail address", field, s);
          return FALSE;
        }
      internet_address_list_append (list, parsed);
      g_object_unref (parsed);
    }

  return TRUE;
}

static gboolean
is_strict_base64 (const char *s)
{
  gsize n = 0, pad = 0;

  for (; *s; s++)
    {
      if (*s == ' ' || *s == '\r' || *s == '\n' || *s == '\t')
        continue;
      if (*s == '=')
        pad++;
      else if (pad > 0 || !(g_ascii_isalnum (*s) || *s == '+' || *s == '/'))
        return FALSE;
      n++;
    }
  return n % 4 == 0 && pad <= 2;
}

static GMimeObject *
text_part (const char *subtype,
           const char *text)
{
  GMimeTextPart *part = g_mime_text_part_new_with_subtype (subtype);

  g_mime_text_part_set_text (part, text);
  return GMIME_OBJECT (part);
}

/* Returns the attachment parts, or NULL after answering 400. */
static GPtrArray *
build_attachments (JsonObject        *body,
                   SoupServerMessage *msg)
{
  g_autoptr(GPtrArray) parts = g_ptr_array_new_with_free_func (g_object_unref);
  JsonArray *array;

  if (!json_object_has_member (body, "attachments"))
    return g_steal_pointer (&parts);

  array = json_object_get_array_member (body, "attachments");
  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      JsonObject *att = json_array_get_object_element (array, i);
      g_autoptr(GList) members = json_object_get_members (att);
      const char *filename = NULL, *content_type = "application/octet-stream", *data = NULL;
      g_auto(GStrv) type = NULL;
      g_autofree guchar *decoded = NULL;
      GMimeStream *stream;
      GMimeDataWrapper *wrapper;
      GMimePart *part;
      gsize len;

      for (const GList *l = members; l; l = l->next)
        {
          const char *name = l->data;
          JsonNode *node = json_object_get_member (att, name);
          g_autofree char *field = g_strdup_printf ("attachments[%u].%s", i, name);
          gboolean is_string = JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == G_TYPE_STRING;

          if (strcmp (name, "filename") != 0 && strcmp (name, "content_type") != 0 && strcmp (name, "data") != 0)
            {
              _mr_http_reply_error (msg, SOUP_STATUS_BAD_REQUEST, field, "Unknown field “%s”", field);
              return NULL;
            }
          if (!is_string)
            {
              _mr_http_reply_error (msg, SOUP_STATUS_BAD_REQUEST, field, "Field “%s” must be a string", field);
              return NULL;
            }
          if (strcmp (name, "filename") == 0)
            filename = json_node_get_string (node);
          else if (strcmp (name, "content_type") == 0)
            content_type = json_node_get_string (node);
          else
            data = json_node_get_string (node);
        }

      if (data == NULL)
        {
          g_autofree char *field = g_strdup_printf ("attachments[%u].data", i);

          _mr_http_reply_error (msg, SOUP_STATUS_BAD_REQUEST, field, "Missing field “%s”", field);
          return NULL;
        }
      if (!is_strict_base64 (data))
        {
          g_autofree char *field = g_strdup_printf ("attachments[%u].data", i);

          _mr_http_reply_error (msg, SOUP_STATUS_BAD_REQUEST, field, "Field “%s” must be base64", field);
          return NULL;
        }
      type = g_strsplit (content_type, "/", 2);
      if (g_strv_length (type) != 2 || type[0][0] == '\0' || type[1][0] == '\0' ||
          has_control_chars (content_type) || strpbrk (content_type, " ;\"") != NULL)
        {
          g_autofree char *field = g_strdup_printf ("attachments[%u].content_type", i);

          _mr_http_reply_error (msg, SOUP_STATUS_BAD_REQUEST, field, "Field “%s” must be a MIME type like text/plain", field);
          return NULL;
        }
      if (filename != NULL && (has_control_chars (filename) || strpbrk (filename, "/\\") != NULL))
        {
          g_autofree char *field = g_strdup_printf ("attachments[%u].filename", i);

          _mr_http_reply_error (msg, SOUP_STATUS_BAD_REQUEST, field, "Field “%s” must be a plain file name", field);
          return NULL;
        }

      decoded = g_base64_decode (data, &len);
      part = g_mime_part_new_with_type (type[0], type[1]);
      g_mime_object_set_disposition (GMIME_OBJECT (part), GMIME_DISPOSITION_ATTACHMENT);
      if (filename != NULL)
        g_mime_part_set_filename (part, filename);
      stream = g_mime_stream_mem_new_with_buffer ((const char *) decoded, len);
      wrapper = g_mime_data_wrapper_new_with_stream (stream, GMIME_CONTENT_ENCODING_DEFAULT);
      g_mime_part_set_content (part, wrapper);
      g_mime_part_set_content_encoding (part, GMIME_CONTENT_ENCODING_BASE64);
      g_object_unref (wrapper);
      g_object_unref (stream);
      g_ptr_array_add (parts, part);
    }

  return g_steal_pointer (&parts);
}

/* RFC 5321 4.5.2: a line that starts with "." gets another; the content
 * ends with CRLF "." CRLF. */
static GBytes *
dot_stuff (const char *data)
{
  GString *out = g_string_sized_new (strlen (data) + 64);
  gboolean at_line_start = TRUE;

  for (const char *p = data; *p; p++)
    {
      if (at_line_start && *p == '.')
        g_string_append_c (out, '.');
      if (*p == '\n' && (out->len == 0 || out->str[out->len - 1] != '\r'))
        g_string_append_c (out, '\r');
      g_string_append_c (out, *p);
      at_line_start = *p == '\n';
    }
  if (!at_line_start)
    g_string_append (out, "\r\n");
  g_string_append (out, ".\r\n");

  return g_string_free_to_bytes (out);
}

/* Returns the serialized message, or NULL after answering 400. */
static char *
build_message (MrHttpServer      *self,
               MrHttpSend        *send,
               JsonObject        *body,
               SoupServerMessage *msg)
{
  const char *subject = json_object_get_string_member_with_default (body, "subject", NULL);
  const char *text = json_object_get_string_member_with_default (body, "text", NULL);
  const char *html = json_object_get_string_member_with_default (body, "html", NULL);
  const char *types[] = { "to", "cc", "bcc" };
  GMimeAddressType address_types[] = { GMIME_ADDRESS_TYPE_TO, GMIME_ADDRESS_TYPE_CC, GMIME_ADDRESS_TYPE_BCC };
  g_autoptr(GPtrArray) attachments = NULL;
  g_autoptr(GDateTime) now = NULL;
  g_autofree char *random_part = NULL;
  InternetAddressList *from_list;
  GMimeFormatOptions *options;
  GMimeMessage *message;
  GMimeObject *mime_body = NULL;
  char *result = NULL;

  message = g_mime_message_new (TRUE);
  from_list = g_mime_message_get_addresses (message, GMIME_ADDRESS_TYPE_FROM);
  if (!parse_addresses (body, "from", from_list, msg))
    goto out;
  if (internet_address_list_length (from_list) != 1)
    {
      _mr_http_reply_error (msg, SOUP_STATUS_BAD_REQUEST, "from", "Field “from” must be exactly one address");
      goto out;
    }
  send->from = g_strdup (internet_address_mailbox_get_addr (INTERNET_ADDRESS_MAILBOX (internet_address_list_get_address (from_list, 0))));

  for (guint t = 0; t < G_N_ELEMENTS (types); t++)
    {
      InternetAddressList *list = g_mime_message_get_addresses (message, address_types[t]);

      if (!parse_addresses (body, types[t], list, msg))
        goto out;
      for (int i = 0; i < internet_address_list_length (list); i++)
        {
          InternetAddress *ia = internet_address_list_get_address (list, i);
          SendRecipient r = { g_strdup (internet_address_mailbox_get_addr (INTERNET_ADDRESS_MAILBOX (ia))), 0, NULL };

          g_array_append_val (send->recipients, r);
        }
    }
  if (send->recipients->len == 0)
    {
      _mr_http_reply_error (msg, SOUP_STATUS_BAD_REQUEST, "to", "Give at least one recipient in “to”, “cc” or “bcc”");
      goto out;
    }
  if (send->recipients->len > MAX_RECIPIENTS)
    {
      _mr_http_reply_error (msg, SOUP_STATUS_BAD_REQUEST, "to", "At most %d recipients", MAX_RECIPIENTS);
      goto out;
    }

  if (subject != NULL)
    {
      if (has_control_chars (subject))
        {
          _mr_http_reply_error (msg, SOUP_STATUS_BAD_REQUEST, "subject", "Field “subject” has control characters");
          goto out;
        }
      g_mime_message_set_subject (message, subject, "utf-8");
    }

  if (!(attachments = build_attachments (body, msg)))
    goto out;

  now = mr_clock_dup_now (mr_engine_get_clock (self->engine));
  g_mime_message_set_date (message, now);
  random_part = g_uuid_string_random ();
  send->message_id = g_strdup_printf ("%s@%s", random_part,
                                      mr_engine_get_server_name (self->engine, MR_SERVICE_SUBMISSION));
  g_mime_message_set_message_id (message, send->message_id);
  g_mime_object_set_header (GMIME_OBJECT (message), "User-Agent", "Mailroom HTTP API", NULL);

  /* RFC 2046 5.1.4: text and HTML are alternatives of the same content. */
  if (text != NULL && html != NULL)
    {
      GMimeMultipart *alternative = g_mime_multipart_new_with_subtype ("alternative");
      GMimeObject *part;

      part = text_part ("plain", text);
      g_mime_multipart_add (alternative, part);
      g_object_unref (part);
      part = text_part ("html", html);
      g_mime_multipart_add (alternative, part);
      g_object_unref (part);
      mime_body = GMIME_OBJECT (alternative);
    }
  else
    mime_body = text_part (html != NULL ? "html" : "plain", html != NULL ? html : (text != NULL ? text : ""));

  if (attachments->len > 0)
    {
      GMimeMultipart *mixed = g_mime_multipart_new_with_subtype ("mixed");

      g_mime_multipart_add (mixed, mime_body);
      g_object_unref (mime_body);
      for (guint i = 0; i < attachments->len; i++)
        g_mime_multipart_add (mixed, g_ptr_array_index (attachments, i));
      mime_body = GMIME_OBJECT (mixed);
    }

  g_mime_message_set_mime_part (message, mime_body);
  g_object_unref (mime_body);
  /* 7bit on the wire: quoted-printable or base64 where needed. */
  g_mime_object_encode (GMIME_OBJECT (message), GMIME_ENCODING_CONSTRAINT_7BIT);

  options = g_mime_format_options_clone (g_mime_format_options_get_default ());
  g_mime_format_options_set_newline_format (options, GMIME_NEWLINE_FORMAT_DOS);
  /* Bcc recipients get the message but not the header (RFC 5322 3.6.3). */
  g_mime_format_options_add_hidden_header (options, "Bcc");
  result = g_mime_object_to_string (GMIME_OBJECT (message), options);
  g_mime_format_options_free (options);

out:
  g_object_unref (message);
  return result;
}

/* HTTP Basic (RFC 7617) with an account's address and password. */
static gboolean
check_basic_auth (MrHttpServer      *self,
                  SoupServerMessage *msg,
                  char             **user_r,
                  char             **password_r)
{
  const char *auth;
  g_autofree guchar *decoded = NULL;
  g_autofree char *credentials = NULL;
  const char *colon;
  gsize len;

  auth = soup_message_headers_get_one (soup_server_message_get_request_headers (msg), "Authorization");
  if (auth != NULL && g_ascii_strncasecmp (auth, "Basic ", 6) == 0)
    {
      const char *b64 = auth + 6;

      while (*b64 == ' ')
        b64++;
      if (is_strict_base64 (b64))
        {
          decoded = g_base64_decode (b64, &len);
          credentials = g_strndup ((const char *) decoded, len);
          memset (decoded, 0, len);
        }
    }

  if (credentials == NULL || (colon = strchr (credentials, ':')) == NULL || strlen (credentials) != len)
    {
      soup_message_headers_replace (soup_server_message_get_response_headers (msg),
                                    "WWW-Authenticate", "Basic realm=\"Mailroom\", charset=\"UTF-8\"");
      _mr_http_reply_error (msg, SOUP_STATUS_UNAUTHORIZED, NULL,
                            "Sending needs an account's address and password (HTTP Basic)");
      return FALSE;
    }

  *user_r = g_strndup (credentials, colon - credentials);
  *password_r = g_strdup (colon + 1);
  memset (credentials, 0, strlen (credentials));

  if (mr_store_authenticate (mr_engine_get_store (self->engine), *user_r, *password_r) == NULL)
    {
      soup_message_headers_replace (soup_server_message_get_response_headers (msg),
                                    "WWW-Authenticate", "Basic realm=\"Mailroom\", charset=\"UTF-8\"");
      _mr_http_reply_error (msg, SOUP_STATUS_UNAUTHORIZED, NULL, "Wrong address or password");
      g_clear_pointer (user_r, g_free);
      g_clear_pointer (password_r, g_free);
      return FALSE;
    }

  return TRUE;
}

void
_mr_http_handle_send (MrHttpServer      *self,
                      SoupServerMessage *msg)
{
  static const MrHttpField fields[] = {
    { "from", MR_HTTP_FIELD_STRING, TRUE },
    { "to", MR_HTTP_FIELD_STRINGS },
    { "cc", MR_HTTP_FIELD_STRINGS },
    { "bcc", MR_HTTP_FIELD_STRINGS },
    { "subject", MR_HTTP_FIELD_STRING },
    { "text", MR_HTTP_FIELD_STRING },
    { "html", MR_HTTP_FIELD_STRING },
    { "attachments", MR_HTTP_FIELD_OBJECTS },
  };
  g_autoptr(JsonObject) body = NULL;
  g_autofree char *user = NULL;
  g_autofree char *password = NULL;
  g_autofree char *data = NULL;
  MrHttpSend *send;

  if (!check_basic_auth (self, msg, &user, &password))
    return;
  if (!(body = _mr_http_parse_body (self, msg, fields, G_N_ELEMENTS (fields))))
    return;

  send = g_rc_box_new0 (MrHttpSend);
  send->server = self;
  send->msg = g_object_ref (msg);
  send->input = g_string_new (NULL);
  send->recipients = g_array_new (FALSE, TRUE, sizeof (SendRecipient));
  g_array_set_clear_func (send->recipients, (GDestroyNotify) send_recipient_clear);
  send->user = g_steal_pointer (&user);
  send->password = g_steal_pointer (&password);

  if (!(data = build_message (self, send, body, msg)))
    {
      _mr_http_send_unref (send);
      return;
    }
  send->content = dot_stuff (data);

  send->session = mr_engine_create_session (self->engine, MR_SERVICE_SUBMISSION, "http-api");
  if (send->session == NULL)
    {
      _mr_http_reply_error (msg, SOUP_STATUS_NOT_IMPLEMENTED, NULL,
                            "Not implemented yet: the engine has no submission session to hand the message to");
      _mr_http_send_unref (send);
      return;
    }

  g_hash_table_add (self->sends, send);

  send->conversation_id = mr_session_get_conversation (send->session)->id;
  send->event_handler = g_signal_connect (self->bus, "event", G_CALLBACK (on_send_event_cb), send);
  send->wakeup_handler = g_signal_connect (send->session, "wakeup", G_CALLBACK (on_session_wakeup_cb), send);
  send->timeout_id = g_timeout_add_seconds (SEND_TIMEOUT_SECONDS, on_send_timeout_cb, send);

  {
    MrConversation *conversation = mr_session_get_conversation (send->session);

    mr_conversation_emit (conversation,
                          mr_conversation_new_event (conversation, MR_EVENT_CONNECT,
                                                     MR_DIRECTION_NONE, "http-api"));
  }

  /* Pause first: send_drive() may finish (and unpause) right away. */
  soup_server_message_pause (msg);
  send->paused = TRUE;
  send->step = SEND_GREETING;
  mr_session_start (send->session);
  send_drive (send);
}

void
_mr_http_cancel_sends (MrHttpServer *self)
{
  GHashTableIter iter;
  MrHttpSend *send;

  if (self->sends == NULL)
    return;

  g_hash_table_iter_init (&iter, self->sends);
  while (g_hash_table_iter_next (&iter, (gpointer *) &send, NULL))
    {
      send_reply (send, SOUP_STATUS_SERVICE_UNAVAILABLE, "The lab is shutting down", NULL);
      g_hash_table_iter_remove (&iter);
    }
}
