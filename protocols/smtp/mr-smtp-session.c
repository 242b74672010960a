/* mr-smtp-session.c
 *
 * Copyright 2026 The Mailroom authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "mr-smtp-session"

#include "config.h"

#include <string.h>

#include "mr-clock.h"
#include "mr-error.h"
#include "mr-line-reader.h"
#include "mr-reply-catalog.h"
#include "mr-smtp-parser.h"
#include "mr-smtp-session.h"

/* RFC 4954 4: AUTH lines may be up to 12288 octets. */
#define MAX_AUTH_LINE 12288
/* RFC 3461 4.4: ENVID is at most 100 characters. */
#define MAX_ENVID 100
/* RFC 3461 4.2: ORCPT is at most 500 characters. */
#define MAX_ORCPT 500

/*
 * RFC 5321 4.1.4 and 3.3: a session greets, then runs mail transactions:
 * MAIL, one or more RCPT, then DATA (or BDAT chunks, RFC 3030). RSET and
 * EHLO/HELO abort a transaction; NOOP, HELP, VRFY, EXPN may come anywhere.
 */
typedef enum
{
  STATE_CONNECTED,  /* banner sent; waiting for EHLO/HELO */
  STATE_GREETED,    /* EHLO/HELO done, no transaction */
  STATE_MAIL,       /* MAIL accepted, no recipient accepted yet */
  STATE_RCPT,       /* at least one recipient accepted (BDAT chunks may follow) */
  STATE_DATA,       /* reading DATA content up to <CRLF>.<CRLF> */
  STATE_BDAT,       /* reading the octets of one BDAT chunk */
  STATE_QUIT,       /* said goodbye; nothing more is read */
} State;

/* RFC 4954 4: the SASL exchange after "AUTH mech" */
typedef enum
{
  AUTH_NONE,        /* not in an exchange */
  AUTH_PLAIN,       /* waiting for the PLAIN response (RFC 4616) */
  AUTH_LOGIN_USER,  /* waiting for the LOGIN user name */
  AUTH_LOGIN_PASS,  /* waiting for the LOGIN password */
} AuthStep;

struct _MrSmtpSession
{
  MrSession         parent_instance;

  /* Owned, permanent */
  MrSmtpBackend    *backend;
  MrClock          *clock;
  char             *hostname;
  MrLineReader     *reader;
  gboolean          submission;
  gboolean          expn_enabled;
  gboolean          auth_requires_tls;
  MrSmtpVrfyPolicy  vrfy_policy;

  /* Reset by STARTTLS (RFC 3207 4.2) */
  State             state;
  char             *helo;
  char             *auth_user;
  guint             esmtp : 1;
  guint             rejected : 1;      /* 554 at connect: only QUIT works */
  guint             n_bad;             /* protocol errors since the last accepted message */
  guint             auth_failures;     /* failed AUTH exchanges in this session */
  guint             n_accepted;

  /* Reset per transaction */
  MrSmtpEnvelope   *envelope;
  guint             n_rcpt_tried;      /* RCPT commands in this transaction */
  guint             chunking : 1;      /* BDAT has been used in this transaction */
  GByteArray       *message;           /* unstuffed content (DATA) or chunks (BDAT) */
  GByteArray       *wire;              /* content as on the wire, for the event */

  /* Reset per DATA */
  guint             data_prev_crlf : 1;
  guint             data_too_big : 1;
  guint             data_line_too_long : 1;
  guint             data_lines;
  guint64           data_octets;

  /* Reset per BDAT chunk */
  guint64           bdat_size;
  guint64           bdat_remaining;
  guint             bdat_last : 1;
  guint             bdat_discard : 1;
  MrReplyId         bdat_error;

  /* SASL exchange */
  AuthStep          auth_step;
  char             *auth_login_user;

  /* Per feed */
  guint             commands_in_feed;
};

G_DEFINE_FINAL_TYPE (MrSmtpSession, mr_smtp_session, MR_TYPE_SESSION)

static void process (MrSmtpSession *self);

void
mr_smtp_config_init (MrSmtpConfig *config)
{
  g_return_if_fail (config != NULL);

  memset (config, 0, sizeof *config);
  config->hostname = "localhost";
  config->vrfy_policy = MR_SMTP_VRFY_CANNOT_VRFY;
  config->expn_enabled = TRUE;
}

static const char *
state_name (MrSmtpSession *self)
{
  switch (self->state)
    {
    case STATE_CONNECTED: return "connected";
    case STATE_GREETED: return "greeted";
    case STATE_MAIL: return "mail";
    case STATE_RCPT: return self->chunking ? "data" : "rcpt";
    case STATE_DATA: return "data";
    case STATE_BDAT: return "data";
    case STATE_QUIT: return "quit";
    default: g_assert_not_reached ();
    }
}

static const MrLimits *
limits (MrSmtpSession *self)
{
  return mr_session_get_limits (MR_SESSION (self));
}

static MrConversation *
conversation (MrSmtpSession *self)
{
  return mr_session_get_conversation (MR_SESSION (self));
}

/* Command mode reads lines up to the AUTH limit (RFC 4954 4: 12288); other
 * commands are held to max_command_line in command_line(). */
static void
read_commands (MrSmtpSession *self)
{
  mr_line_reader_set_max_line (self->reader, MAX (limits (self)->max_command_line, MAX_AUTH_LINE));
}

static gboolean
wants_events (MrSmtpSession *self)
{
  return conversation (self)->bus != NULL;
}

/* Replies */

static void
send_reply_line (MrSmtpSession *self,
                 guint          code,
                 const char    *enhanced,
                 const char    *text,
                 gboolean       more)
{
  g_autofree char *line = NULL;
  MrEvent *event;

  if (enhanced != NULL)
    line = g_strdup_printf ("%u%c%s%s%s", code, more ? '-' : ' ', enhanced,
                            text && *text ? " " : "", text ? text : "");
  else
    line = g_strdup_printf ("%u%c%s", code, more ? '-' : ' ', text ? text : "");

  event = mr_conversation_new_event (conversation (self), MR_EVENT_LINE,
                                     MR_DIRECTION_TO_CLIENT, line);
  mr_event_set_reply (event, code, enhanced);
  mr_event_set_state (event, state_name (self));
  if (more)
    event->flags |= MR_EVENT_FLAG_CONTINUED;
  if (code >= 300 && code < 400)
    event->flags |= MR_EVENT_FLAG_CONTINUATION;
  mr_session_send_line (MR_SESSION (self), line, event);
}

/* One reply from the catalog; @text replaces the catalog's wire text. */
static void
reply (MrSmtpSession *self,
       MrReplyId      id,
       const char    *text)
{
  const MrReplyInfo *info = mr_reply_catalog_get (id);
  g_autofree char *owned = NULL;

  if (text == NULL)
    text = info->text;

  /* RFC 5321 4.2: the greeting and 421 carry the server's name. */
  if (info->code == 220 && info->enhanced == NULL)
    text = owned = g_strdup_printf ("%s %s", self->hostname, text);
  else if (info->code == 421)
    text = owned = g_strdup_printf ("%s %s", self->hostname, text);

  send_reply_line (self, info->code, info->enhanced, text, FALSE);
}

static void
reply_printf (MrSmtpSession *self,
              MrReplyId      id,
              const char    *format,
              ...) G_GNUC_PRINTF (3, 4);

static void
reply_printf (MrSmtpSession *self,
              MrReplyId      id,
              const char    *format,
              ...)
{
  g_autofree char *text = NULL;
  va_list args;

  va_start (args, format);
  text = g_strdup_vprintf (format, args);
  va_end (args);
  reply (self, id, text);
}

static void
close_with (MrSmtpSession *self,
            MrReplyId      id)
{
  self->state = STATE_QUIT;
  reply (self, id, NULL);
  mr_session_set_action (MR_SESSION (self), MR_SESSION_CLOSE);
}

/* A protocol error: answered, and counted (Postfix smtpd_hard_error_limit).
 * The counter restarts when a message is accepted. */
static void
reply_error (MrSmtpSession *self,
             MrReplyId      id,
             const char    *text)
{
  reply (self, id, text);
  if (++self->n_bad >= limits (self)->max_bad_commands && self->state != STATE_QUIT)
    close_with (self, MR_REPLY_TOO_MANY_ERRORS);
}

/* A backend answer, with optional override text. */
static void
reply_backend (MrSmtpSession *self,
               MrReplyId      id,
               char          *text)
{
  reply (self, id, text);
  g_free (text);
}

/* Transactions */

static void
reset_data (MrSmtpSession *self)
{
  g_clear_pointer (&self->message, g_byte_array_unref);
  g_clear_pointer (&self->wire, g_byte_array_unref);
  self->data_prev_crlf = TRUE;
  self->data_too_big = FALSE;
  self->data_line_too_long = FALSE;
  self->data_lines = 0;
  self->data_octets = 0;
}

static void
reset_transaction (MrSmtpSession *self)
{
  g_clear_pointer (&self->envelope, mr_smtp_envelope_unref);
  self->n_rcpt_tried = 0;
  self->chunking = FALSE;
  reset_data (self);
  read_commands (self);
  if (self->state != STATE_QUIT)
    self->state = self->helo ? STATE_GREETED : STATE_CONNECTED;
}

static void
reset_session (MrSmtpSession *self)
{
  g_clear_pointer (&self->helo, g_free);
  g_clear_pointer (&self->auth_user, g_free);
  g_clear_pointer (&self->auth_login_user, g_free);
  self->auth_step = AUTH_NONE;
  self->esmtp = FALSE;
  reset_transaction (self);
  self->state = STATE_CONNECTED;
}

/* Queue ids and trace fields */

char *
mr_smtp_generate_queue_id (void)
{
  static gint counter;
  guint n = (guint)g_atomic_int_add (&counter, 1);
  guint t = (guint)(g_get_real_time () / G_USEC_PER_SEC);

  /* Like Postfix's short ids: hex, upper case, unique within the process. */
  return g_strdup_printf ("%06X%06X", t & 0xFFFFFF, n & 0xFFFFFF);
}

char *
mr_smtp_format_date (GDateTime *date)
{
  static const char * const days[] = { "Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun" };
  static const char * const months[] = { "Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                         "Jul", "Aug", "Sep", "Oct", "Nov", "Dec" };
  gint64 offset = g_date_time_get_utc_offset (date) / G_USEC_PER_SEC;
  char sign = offset < 0 ? '-' : '+';

  if (offset < 0)
    offset = -offset;

  return g_strdup_printf ("%s, %d %s %d %02d:%02d:%02d %c%02d%02d",
                          days[g_date_time_get_day_of_week (date) - 1],
                          g_date_time_get_day_of_month (date),
                          months[g_date_time_get_month (date) - 1],
                          g_date_time_get_year (date),
                          g_date_time_get_hour (date),
                          g_date_time_get_minute (date),
                          g_date_time_get_second (date),
                          sign, (int)(offset / 3600), (int)((offset / 60) % 60));
}

/* "127.0.0.1:53312" -> "[127.0.0.1]"; a host name stays as it is. */
static char *
format_client (const char *client)
{
  g_autofree char *host = NULL;
  const char *colon;

  if (client == NULL || *client == '\0')
    return g_strdup ("unknown");

  if (client[0] == '[' && (colon = strstr (client, "]:")) != NULL)
    host = g_strndup (client + 1, colon - client - 1);
  else if ((colon = strrchr (client, ':')) != NULL && strchr (client, ':') == colon)
    host = g_strndup (client, colon - client);
  else
    host = g_strdup (client);

  if (g_hostname_is_ip_address (host))
    return g_strdup_printf ("[%s]", host);
  return g_strdup (client);
}

char *
mr_smtp_format_received (MrSmtpEnvelope *envelope,
                         const char     *hostname,
                         GDateTime      *date)
{
  g_autoptr(GDateTime) now = NULL;
  g_autoptr(GString) s = g_string_new ("Received: from ");
  g_autofree char *client = NULL;
  g_autofree char *date_text = NULL;

  g_return_val_if_fail (envelope != NULL, NULL);

  if (date == NULL)
    date = now = g_date_time_new_now_local ();

  client = format_client (envelope->client);
  date_text = mr_smtp_format_date (date);

  /* RFC 5321 4.4 Time-stamp-line; the "with" keywords are RFC 3848 and
   * RFC 6531 3.7.3. */
  g_string_append_printf (s, "%s (%s)\r\n\tby %s with %s%s%s%s id %s",
                          envelope->helo ? envelope->helo : "unknown",
                          client,
                          hostname,
                          envelope->smtputf8 ? "UTF8" : (envelope->esmtp ? "E" : ""),
                          "SMTP",
                          envelope->encrypted ? "S" : "",
                          envelope->auth_user ? "A" : "",
                          envelope->queue_id ? envelope->queue_id : "unknown");
  /* Naming the recipient only when there is one keeps Bcc recipients
   * private, as Postfix does. */
  if (envelope->recipients->len == 1)
    g_string_append_printf (s, "\r\n\tfor <%s>",
                            mr_smtp_envelope_get_recipient (envelope, 0)->address);
  g_string_append_printf (s, "; %s\r\n", date_text);

  return g_string_free (g_steal_pointer (&s), FALSE);
}

/* Events for client lines */

/* @secret: the line as sent, when @text is its masked form. */
static void
emit_client_line_full (MrSmtpSession *self,
                       const char    *text,
                       gsize          len,
                       const char    *verb,
                       MrLineEnding   ending,
                       MrEventFlags   flags,
                       const char    *secret,
                       gsize          secret_len)
{
  g_autofree char *valid = NULL;
  MrEvent *event;

  if (!wants_events (self))
    return;

  valid = g_utf8_make_valid (text, len);
  event = mr_conversation_new_event (conversation (self), MR_EVENT_LINE,
                                     MR_DIRECTION_TO_SERVER, valid);
  if (secret != NULL)
    mr_event_set_secret (event, secret, secret_len);
  mr_event_set_verb (event, verb);
  mr_event_set_state (event, state_name (self));
  event->flags |= flags;
  if (ending == MR_LINE_BARE_LF)
    event->flags |= MR_EVENT_FLAG_BARE_LF;
  if (self->commands_in_feed > 0)
    event->flags |= MR_EVENT_FLAG_PIPELINED;
  mr_conversation_emit (conversation (self), event);
}

static void
emit_client_line (MrSmtpSession *self,
                  const char    *text,
                  gsize          len,
                  const char    *verb,
                  MrLineEnding   ending,
                  MrEventFlags   flags)
{
  emit_client_line_full (self, text, len, verb, ending, flags, NULL, 0);
}

static void
emit_content (MrSmtpSession *self,
              const char    *summary)
{
  MrEvent *event;

  if (!wants_events (self))
    return;

  event = mr_conversation_new_event (conversation (self), MR_EVENT_CONTENT,
                                     MR_DIRECTION_TO_SERVER, summary);
  mr_event_set_state (event, state_name (self));
  if (self->wire != NULL)
    {
      /* The wire copy is not needed after its event: hand it over. */
      g_autoptr(GBytes) bytes = g_byte_array_free_to_bytes (g_steal_pointer (&self->wire));
      mr_event_set_content (event, bytes);
    }
  mr_conversation_emit (conversation (self), event);
}

/* GLib 2.74 looks at /etc/localtime (readlink + stat) for every local
 * GDateTime; one look per process is enough for Received: lines. */
static GDateTime *
dup_local_time (gint64 usec)
{
  static GTimeZone *local;
  g_autoptr(GDateTime) utc = NULL;

  if (g_once_init_enter (&local))
    g_once_init_leave (&local, g_time_zone_new_local ());

  utc = g_date_time_new_from_unix_utc (usec / G_USEC_PER_SEC);
  return g_date_time_to_timezone (utc, local);
}

/* Message acceptance, shared by DATA and BDAT LAST */

static void
accept_message (MrSmtpSession *self)
{
  g_autoptr(MrSmtpEnvelope) envelope = mr_smtp_envelope_ref (self->envelope);
  g_autoptr(GDateTime) now = NULL;
  g_autoptr(GBytes) message = NULL;
  g_autofree char *received = NULL;
  g_autofree char *queue_id = NULL;
  char *text = NULL;
  GByteArray *content;
  MrReplyId id;

  now = dup_local_time (self->clock ? mr_clock_now (self->clock) : g_get_real_time ());

  /* RFC 5321 4.4: every SMTP server that accepts a message adds a
   * Received: line at the top. */
  received = mr_smtp_format_received (envelope, self->hostname, now);
  content = g_steal_pointer (&self->message);
  if (content == NULL)
    content = g_byte_array_new ();
  g_byte_array_prepend (content, (const guint8 *)received, strlen (received));
  message = g_byte_array_free_to_bytes (content);

  reset_transaction (self);

  id = mr_smtp_backend_check_data (self->backend, envelope, message, &text);
  if (id != MR_REPLY_OK)
    {
      reply_backend (self, id, text);
      return;
    }
  g_clear_pointer (&text, g_free);

  id = mr_smtp_backend_deliver (self->backend, envelope, message, &queue_id, &text);
  if (id != MR_REPLY_QUEUED)
    {
      reply_backend (self, id, text);
      return;
    }

  self->n_accepted++;
  self->n_bad = 0;
  if (text != NULL)
    reply_backend (self, id, text);
  else
    reply_printf (self, id, "%s %s", mr_reply_catalog_get (id)->text,
                  queue_id ? queue_id : envelope->queue_id);
}

/* DATA content (RFC 5321 4.1.1.4, 4.5.2) */

static void
data_line (MrSmtpSession *self,
           int            ret,
           const char    *line,
           gsize          len,
           MrLineEnding   ending)
{
  const MrLimits *lim = limits (self);
  g_autofree char *summary = NULL;

  if (ret < 0)
    {
      /* Over max_content_line: the reader dropped the line. We cannot tell
       * how it ended; treat it as a proper line end. */
      self->data_line_too_long = TRUE;
      self->data_lines++;
      self->data_prev_crlf = TRUE;
      return;
    }

  if (self->wire != NULL && !self->data_too_big)
    {
      g_byte_array_append (self->wire, (const guint8 *)line, len);
      g_byte_array_append (self->wire, (const guint8 *)"\r\n" + (ending == MR_LINE_CRLF ? 0 : 1),
                           ending == MR_LINE_CRLF ? 2 : 1);
    }

  /* Only <CR><LF>.<CR><LF> ends the content. A dot line next to a bare LF
   * is content: that is what stops SMTP smuggling (RFC 5321 2.3.8, 4.1.1.4;
   * Postfix smtpd_forbid_bare_newline = normalize). */
  if (len == 1 && line[0] == '.' && ending == MR_LINE_CRLF && self->data_prev_crlf)
    {
      /* What follows in the same read was pipelined after the message. */
      self->commands_in_feed++;
      summary = g_strdup_printf ("[message: %u lines, %" G_GUINT64_FORMAT " octets]",
                                 self->data_lines, self->data_octets);
      emit_content (self, summary);
      read_commands (self);

      if (self->data_too_big)
        {
          reset_transaction (self);
          reply (self, MR_REPLY_MESSAGE_TOO_BIG, NULL);
        }
      else if (self->data_line_too_long)
        {
          reset_transaction (self);
          reply (self, MR_REPLY_MESSAGE_TOO_BIG, "Error: message line too long");
        }
      else
        accept_message (self);
      return;
    }

  self->data_prev_crlf = ending == MR_LINE_CRLF;
  self->data_lines++;

  /* RFC 5321 4.5.2: remove the first dot of a line that has more. */
  if (len > 1 && line[0] == '.')
    {
      line++;
      len--;
    }

  self->data_octets += len + 2;
  if (self->data_octets > lim->max_message)
    {
      /* Keep reading up to the end, then say 552 (RFC 5321 4.5.3.1.10). */
      self->data_too_big = TRUE;
      g_clear_pointer (&self->wire, g_byte_array_unref);
      if (self->message != NULL)
        g_byte_array_set_size (self->message, 0);
      return;
    }

  /* Bare LF becomes CRLF in the stored message (normalize). */
  g_byte_array_append (self->message, (const guint8 *)line, len);
  g_byte_array_append (self->message, (const guint8 *)"\r\n", 2);
}

/* BDAT chunks (RFC 3030 2) */

static void
bdat_finish (MrSmtpSession *self)
{
  g_autofree char *summary = NULL;
  MrReplyId error = self->bdat_error;
  gboolean discard = self->bdat_discard;

  summary = g_strdup_printf ("[chunk: %" G_GUINT64_FORMAT " octets%s]",
                             self->bdat_size, self->bdat_last ? ", last" : "");
  emit_content (self, summary);
  self->commands_in_feed++;
  self->state = (self->envelope && self->envelope->recipients->len > 0) ? STATE_RCPT
              : self->envelope ? STATE_MAIL
              : (self->helo ? STATE_GREETED : STATE_CONNECTED);
  g_clear_pointer (&self->wire, g_byte_array_unref);

  if (discard)
    {
      if (error == MR_REPLY_MESSAGE_TOO_BIG)
        {
          /* The transaction failed (RFC 3030 2): later chunks get 503. */
          reset_transaction (self);
          reply (self, error, NULL);
        }
      else
        reply_error (self, error, NULL);
      return;
    }

  if (self->bdat_last)
    accept_message (self);
  else
    reply_printf (self, MR_REPLY_BDAT_OK, "%" G_GUINT64_FORMAT " %s",
                  self->bdat_size, mr_reply_catalog_get (MR_REPLY_BDAT_OK)->text);
}

static void
bdat_consume (MrSmtpSession *self,
              const guint8  *data,
              gsize          len)
{
  if (!self->bdat_discard)
    g_byte_array_append (self->message, data, len);
  if (self->wire != NULL)
    g_byte_array_append (self->wire, data, len);
  self->bdat_remaining -= len;
}

/* Commands. Each handler gets the arguments (may be NULL). */

typedef void (*CommandFunc) (MrSmtpSession *self,
                             const char    *args,
                             gsize          args_len);

static gboolean
need_no_args (MrSmtpSession *self,
              const char    *args)
{
  if (args == NULL)
    return TRUE;
  reply_error (self, MR_REPLY_SYNTAX_ERROR, NULL);
  return FALSE;
}

static void
cmd_helo_ehlo (MrSmtpSession *self,
               const char    *args,
               gsize          args_len,
               gboolean       esmtp)
{
  const MrReplyInfo *helo_ok = mr_reply_catalog_get (MR_REPLY_HELO_OK);
  g_autofree char *helo = NULL;
  char *text = NULL;
  MrReplyId id;

  if (args == NULL)
    {
      reply_error (self, MR_REPLY_SYNTAX_ERROR, esmtp ? "Syntax: EHLO hostname" : "Syntax: HELO hostname");
      return;
    }

  helo = g_utf8_make_valid (args, args_len);
  id = mr_smtp_backend_check_helo (self->backend, conversation (self), helo, &text);
  if (id != MR_REPLY_HELO_OK)
    {
      reply_backend (self, id, text);
      return;
    }
  g_free (text);

  /* RFC 5321 4.1.4: EHLO/HELO in a transaction resets it, like RSET. */
  g_free (self->helo);
  self->helo = g_steal_pointer (&helo);
  self->esmtp = esmtp;
  reset_transaction (self);
  self->state = STATE_GREETED;

  if (!esmtp)
    {
      send_reply_line (self, helo_ok->code, helo_ok->enhanced, self->hostname, FALSE);
      return;
    }

  /* RFC 5321 4.1.1.1: the first line names us, each further line is one
   * extension keyword. */
  {
    g_autofree char *first = g_strdup_printf ("%s Hello %s", self->hostname, self->helo);
    g_autofree char *size = g_strdup_printf ("SIZE %" G_GSIZE_FORMAT, limits (self)->max_message);
    gboolean tls = mr_session_get_tls_available (MR_SESSION (self));
    const char *lines[] = {
      first,
      "PIPELINING",                     /* RFC 2920 */
      size,                             /* RFC 1870 */
      "8BITMIME",                       /* RFC 6152 */
      "ENHANCEDSTATUSCODES",            /* RFC 2034 */
      "SMTPUTF8",                       /* RFC 6531 */
      "AUTH PLAIN LOGIN",               /* RFC 4954 */
      tls ? "STARTTLS" : NULL,          /* RFC 3207 */
      "HELP",                           /* RFC 5321 4.1.1.8 */
      "CHUNKING",                       /* RFC 3030 */
      "DSN",                            /* RFC 3461 */
    };
    guint last = G_N_ELEMENTS (lines) - 1;

    for (guint i = 0; i <= last; i++)
      if (lines[i] != NULL)
        send_reply_line (self, helo_ok->code, helo_ok->enhanced, lines[i], i != last);
  }
}

static void
cmd_helo (MrSmtpSession *self,
          const char    *args,
          gsize          args_len)
{
  cmd_helo_ehlo (self, args, args_len, FALSE);
}

static void
cmd_ehlo (MrSmtpSession *self,
          const char    *args,
          gsize          args_len)
{
  cmd_helo_ehlo (self, args, args_len, TRUE);
}

static void
reply_parse_error (MrSmtpSession *self,
                   const GError  *error)
{
  if (g_error_matches (error, MR_SMTP_PARSER_ERROR, MR_SMTP_PARSER_ERROR_ADDRESS))
    reply_error (self, MR_REPLY_BAD_ADDRESS, NULL);
  else if (g_error_matches (error, MR_SMTP_PARSER_ERROR, MR_SMTP_PARSER_ERROR_PARAMETER))
    reply_error (self, MR_REPLY_SYNTAX_ERROR, "Bad parameter syntax");
  else
    reply_error (self, MR_REPLY_SYNTAX_ERROR, NULL);
}

static gboolean
is_digits (const char *s,
           gsize       max_len)
{
  gsize len = s ? strlen (s) : 0;

  if (len == 0 || len > max_len)
    return FALSE;
  for (gsize i = 0; i < len; i++)
    if (!g_ascii_isdigit (s[i]))
      return FALSE;
  return TRUE;
}

/* Checks MAIL parameters into @envelope. Replies and returns FALSE on error. */
static gboolean
mail_params (MrSmtpSession  *self,
             MrSmtpPathArgs *args,
             MrSmtpEnvelope *envelope)
{
  g_autoptr(GHashTable) seen = g_hash_table_new (g_str_hash, g_str_equal);

  for (guint i = 0; i < args->params->len; i++)
    {
      const MrSmtpParam *param = g_ptr_array_index (args->params, i);
      const char *kw = param->keyword;
      const char *value = param->value;

      /* RFC 5321 4.1.1.11: no parameters without EHLO */
      if (!self->esmtp)
        {
          reply_error (self, MR_REPLY_PARAM_NOT_RECOGNIZED, NULL);
          return FALSE;
        }
      if (!g_hash_table_add (seen, (gpointer)kw))
        {
          reply_error (self, MR_REPLY_SYNTAX_ERROR, "Duplicate parameter");
          return FALSE;
        }

      if (strcmp (kw, "SIZE") == 0)
        {
          /* RFC 1870 6 */
          if (!is_digits (value, 20))
            {
              reply_error (self, MR_REPLY_SYNTAX_ERROR, "Bad SIZE parameter");
              return FALSE;
            }
          envelope->size = g_ascii_strtoull (value, NULL, 10);
          if (envelope->size > limits (self)->max_message)
            {
              reply (self, MR_REPLY_MESSAGE_TOO_BIG, NULL);
              return FALSE;
            }
        }
      else if (strcmp (kw, "BODY") == 0)
        {
          /* RFC 6152 3 */
          if (value && g_ascii_strcasecmp (value, "7BIT") == 0)
            envelope->body = MR_SMTP_BODY_7BIT;
          else if (value && g_ascii_strcasecmp (value, "8BITMIME") == 0)
            envelope->body = MR_SMTP_BODY_8BITMIME;
          else if (value && g_ascii_strcasecmp (value, "BINARYMIME") == 0)
            {
              /* RFC 3030 3: we do not offer BINARYMIME */
              reply_error (self, MR_REPLY_BAD_PARAMETER, NULL);
              return FALSE;
            }
          else
            {
              reply_error (self, MR_REPLY_SYNTAX_ERROR, "Bad BODY parameter");
              return FALSE;
            }
        }
      else if (strcmp (kw, "SMTPUTF8") == 0)
        {
          /* RFC 6531 3.4: no value */
          if (value != NULL)
            {
              reply_error (self, MR_REPLY_SYNTAX_ERROR, "Bad SMTPUTF8 parameter");
              return FALSE;
            }
          envelope->smtputf8 = TRUE;
        }
      else if (strcmp (kw, "RET") == 0)
        {
          /* RFC 3461 4.3 */
          if (value && g_ascii_strcasecmp (value, "FULL") == 0)
            envelope->ret = MR_SMTP_RET_FULL;
          else if (value && g_ascii_strcasecmp (value, "HDRS") == 0)
            envelope->ret = MR_SMTP_RET_HDRS;
          else
            {
              reply_error (self, MR_REPLY_SYNTAX_ERROR, "Bad RET parameter");
              return FALSE;
            }
        }
      else if (strcmp (kw, "ENVID") == 0)
        {
          /* RFC 3461 4.4 */
          g_autofree char *decoded = value ? mr_smtp_xtext_decode (value, strlen (value)) : NULL;

          if (decoded == NULL || strlen (value) > MAX_ENVID)
            {
              reply_error (self, MR_REPLY_SYNTAX_ERROR, "Bad ENVID parameter");
              return FALSE;
            }
          envelope->envid = g_steal_pointer (&decoded);
        }
      else if (strcmp (kw, "AUTH") == 0)
        {
          /* RFC 4954 5: AUTH=<> or AUTH=xtext(mailbox); kept, not trusted */
          g_autofree char *decoded = value ? mr_smtp_xtext_decode (value, strlen (value)) : NULL;

          if (decoded == NULL)
            {
              reply_error (self, MR_REPLY_SYNTAX_ERROR, "Bad AUTH parameter");
              return FALSE;
            }
          envelope->auth = g_steal_pointer (&decoded);
        }
      else
        {
          reply_error (self, MR_REPLY_PARAM_NOT_RECOGNIZED, NULL);
          return FALSE;
        }
    }

  /* RFC 6531 3.7.4 */
  if (args->utf8 && !envelope->smtputf8)
    {
      reply_error (self, MR_REPLY_SMTPUTF8_REQUIRED, NULL);
      return FALSE;
    }

  return TRUE;
}

static void
cmd_mail (MrSmtpSession *self,
          const char    *args,
          gsize          args_len)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(MrSmtpPathArgs) path = NULL;
  g_autoptr(MrSmtpEnvelope) envelope = NULL;
  char *text = NULL;
  MrReplyId id;

  if (self->state == STATE_CONNECTED)
    {
      reply_error (self, MR_REPLY_BAD_SEQUENCE, "Error: send HELO/EHLO first");
      return;
    }
  if (self->envelope != NULL)
    {
      reply_error (self, MR_REPLY_BAD_SEQUENCE, "Error: nested MAIL command");
      return;
    }
  /* RFC 6409 4.3 */
  if (self->submission && self->auth_user == NULL)
    {
      reply_error (self, MR_REPLY_AUTH_REQUIRED, NULL);
      return;
    }
  if (args == NULL)
    {
      reply_error (self, MR_REPLY_SYNTAX_ERROR, "Syntax: MAIL FROM:<address>");
      return;
    }

  path = mr_smtp_parse_path_args (args, args_len, "FROM:", TRUE, &error);
  if (path == NULL)
    {
      reply_parse_error (self, error);
      return;
    }

  envelope = mr_smtp_envelope_new (path->address);
  if (!mail_params (self, path, envelope))
    return;

  envelope->queue_id = mr_smtp_generate_queue_id ();
  envelope->helo = g_strdup (self->helo);
  envelope->client = g_strdup (conversation (self)->client);
  envelope->auth_user = g_strdup (self->auth_user);
  envelope->encrypted = mr_session_get_encrypted (MR_SESSION (self));
  envelope->esmtp = self->esmtp;

  id = mr_smtp_backend_check_sender (self->backend, envelope, &text);
  if (id == MR_REPLY_SENDER_OK)
    {
      self->envelope = g_steal_pointer (&envelope);
      self->n_rcpt_tried = 0;
      self->state = STATE_MAIL;
    }
  reply_backend (self, id, text);
}

/* Checks RCPT parameters into @rcpt. Replies and returns FALSE on error. */
static gboolean
rcpt_params (MrSmtpSession   *self,
             MrSmtpPathArgs  *args,
             MrSmtpRecipient *rcpt)
{
  g_autoptr(GHashTable) seen = g_hash_table_new (g_str_hash, g_str_equal);

  for (guint i = 0; i < args->params->len; i++)
    {
      const MrSmtpParam *param = g_ptr_array_index (args->params, i);
      const char *kw = param->keyword;
      const char *value = param->value;

      if (!self->esmtp)
        {
          reply_error (self, MR_REPLY_PARAM_NOT_RECOGNIZED, NULL);
          return FALSE;
        }
      if (!g_hash_table_add (seen, (gpointer)kw))
        {
          reply_error (self, MR_REPLY_SYNTAX_ERROR, "Duplicate parameter");
          return FALSE;
        }

      if (strcmp (kw, "NOTIFY") == 0)
        {
          /* RFC 3461 4.1 */
          if (!mr_smtp_notify_parse (value, &rcpt->notify))
            {
              reply_error (self, MR_REPLY_SYNTAX_ERROR, "Bad NOTIFY parameter");
              return FALSE;
            }
        }
      else if (strcmp (kw, "ORCPT") == 0)
        {
          /* RFC 3461 4.2: ORCPT=addr-type ";" xtext */
          const char *semi = value ? strchr (value, ';') : NULL;
          g_autofree char *decoded = NULL;

          if (semi != NULL && semi != value && strlen (value) <= MAX_ORCPT)
            decoded = mr_smtp_xtext_decode (semi + 1, strlen (semi + 1));
          if (decoded == NULL || *decoded == '\0')
            {
              reply_error (self, MR_REPLY_SYNTAX_ERROR, "Bad ORCPT parameter");
              return FALSE;
            }
          rcpt->orcpt_type = g_ascii_strdown (value, semi - value);
          rcpt->orcpt = g_steal_pointer (&decoded);
        }
      else
        {
          reply_error (self, MR_REPLY_PARAM_NOT_RECOGNIZED, NULL);
          return FALSE;
        }
    }

  return TRUE;
}

static void
recipient_free (MrSmtpRecipient *rcpt)
{
  g_free (rcpt->address);
  g_free (rcpt->orcpt_type);
  g_free (rcpt->orcpt);
}

static void
cmd_rcpt (MrSmtpSession *self,
          const char    *args,
          gsize          args_len)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(MrSmtpPathArgs) path = NULL;
  MrSmtpRecipient rcpt = { 0 };
  char *text = NULL;
  MrReplyId id;

  if (self->envelope == NULL)
    {
      reply_error (self, MR_REPLY_BAD_SEQUENCE, "Error: need MAIL command");
      return;
    }
  if (self->chunking)
    {
      reply_error (self, MR_REPLY_BAD_SEQUENCE, NULL);
      return;
    }
  if (args == NULL)
    {
      reply_error (self, MR_REPLY_SYNTAX_ERROR, "Syntax: RCPT TO:<address>");
      return;
    }

  path = mr_smtp_parse_path_args (args, args_len, "TO:", FALSE, &error);
  if (path == NULL)
    {
      reply_parse_error (self, error);
      return;
    }

  if (!rcpt_params (self, path, &rcpt))
    {
      recipient_free (&rcpt);
      return;
    }

  if (path->utf8 && !self->envelope->smtputf8)
    {
      recipient_free (&rcpt);
      reply_error (self, MR_REPLY_SMTPUTF8_REQUIRED, NULL);
      return;
    }

  self->n_rcpt_tried++;

  /* RFC 5321 4.5.3.1.10: 452 for recipients over the limit; the client
   * sends them in another transaction. */
  if (self->envelope->recipients->len >= limits (self)->max_recipients)
    {
      recipient_free (&rcpt);
      reply (self, MR_REPLY_TOO_MANY_RECIPIENTS, NULL);
      return;
    }

  rcpt.address = g_strdup (path->address);
  id = mr_smtp_backend_check_recipient (self->backend, self->envelope, &rcpt, &text);
  if (id == MR_REPLY_RECIPIENT_OK)
    {
      MrSmtpRecipient *added = mr_smtp_envelope_add_recipient (self->envelope, rcpt.address);

      added->notify = rcpt.notify;
      added->orcpt_type = g_steal_pointer (&rcpt.orcpt_type);
      added->orcpt = g_steal_pointer (&rcpt.orcpt);
      self->state = STATE_RCPT;
    }
  recipient_free (&rcpt);
  reply_backend (self, id, text);
}

/* DATA or BDAT without an accepted recipient: 503, or 554 when RCPTs were
 * tried and all refused (RFC 5321 3.3 "no valid recipients"). */
static MrReplyId
check_ready_for_data (MrSmtpSession *self)
{
  if (self->envelope == NULL)
    return MR_REPLY_BAD_SEQUENCE;
  if (self->envelope->recipients->len == 0)
    return self->n_rcpt_tried > 0 ? MR_REPLY_NO_VALID_RECIPIENTS : MR_REPLY_BAD_SEQUENCE;
  return MR_REPLY_OK;
}

static void
cmd_data (MrSmtpSession *self,
          const char    *args,
          gsize          args_len)
{
  MrReplyId id;

  if (!need_no_args (self, args))
    return;

  /* RFC 3030 2: DATA and BDAT do not mix in one transaction. */
  if (self->chunking)
    {
      reply_error (self, MR_REPLY_BAD_SEQUENCE, "Error: DATA after BDAT");
      return;
    }
  if ((id = check_ready_for_data (self)) != MR_REPLY_OK)
    {
      reply_error (self, id, NULL);
      return;
    }

  reset_data (self);
  self->message = g_byte_array_new ();
  if (wants_events (self))
    self->wire = g_byte_array_new ();
  self->state = STATE_DATA;
  mr_line_reader_set_max_line (self->reader, limits (self)->max_content_line);
  reply (self, MR_REPLY_START_DATA, NULL);
}

static void
cmd_bdat (MrSmtpSession *self,
          const char    *args,
          gsize          args_len)
{
  g_autofree char *copy = NULL;
  g_auto(GStrv) parts = NULL;
  guint64 size = 0;
  gboolean last = FALSE;
  MrReplyId id;

  /* RFC 3030 2: "BDAT" SP chunk-size [ SP end-marker ] */
  if (args != NULL)
    {
      copy = g_strndup (args, args_len);
      parts = g_strsplit (copy, " ", -1);
    }
  if (parts == NULL || !is_digits (parts[0], 20) ||
      (parts[1] != NULL && (g_ascii_strcasecmp (parts[1], "LAST") != 0 || parts[2] != NULL)))
    {
      /* Without a size we cannot skip the chunk; what follows will be read
       * as commands. */
      reply_error (self, MR_REPLY_SYNTAX_ERROR, "Syntax: BDAT size [LAST]");
      return;
    }
  size = g_ascii_strtoull (parts[0], NULL, 10);
  last = parts[1] != NULL;

  self->bdat_size = size;
  self->bdat_remaining = size;
  self->bdat_last = last;
  self->bdat_discard = FALSE;
  self->bdat_error = MR_REPLY_OK;

  /* The chunk's octets are on the wire whatever we answer: read them,
   * then reply. */
  if (self->state == STATE_CONNECTED)
    id = MR_REPLY_BAD_SEQUENCE;
  else
    id = check_ready_for_data (self);

  if (id == MR_REPLY_OK)
    {
      if (!self->chunking)
        {
          reset_data (self);
          self->message = g_byte_array_new ();
          self->chunking = TRUE;
        }
      if (size > limits (self)->max_message ||
          self->message->len + size > limits (self)->max_message)
        id = MR_REPLY_MESSAGE_TOO_BIG;
    }

  if (id != MR_REPLY_OK)
    {
      self->bdat_discard = TRUE;
      self->bdat_error = id;
    }
  if (wants_events (self) && size <= limits (self)->max_message)
    self->wire = g_byte_array_new ();

  self->state = STATE_BDAT;
  if (size == 0)
    bdat_finish (self);
}

static void
cmd_rset (MrSmtpSession *self,
          const char    *args,
          gsize          args_len)
{
  if (!need_no_args (self, args))
    return;
  reset_transaction (self);
  reply (self, MR_REPLY_RESET_OK, NULL);
}

static void
cmd_noop (MrSmtpSession *self,
          const char    *args,
          gsize          args_len)
{
  /* RFC 5321 4.1.1.9: a string argument is allowed and ignored. */
  reply (self, MR_REPLY_OK, NULL);
}

static void
cmd_quit (MrSmtpSession *self,
          const char    *args,
          gsize          args_len)
{
  reset_transaction (self);
  close_with (self, MR_REPLY_CLOSING);
}

static void
cmd_vrfy (MrSmtpSession *self,
          const char    *args,
          gsize          args_len)
{
  g_autofree char *argument = NULL;
  char *text = NULL;
  MrReplyId id;

  if (args == NULL)
    {
      reply_error (self, MR_REPLY_SYNTAX_ERROR, "Syntax: VRFY address");
      return;
    }

  switch (self->vrfy_policy)
    {
    case MR_SMTP_VRFY_CANNOT_VRFY:
      reply (self, MR_REPLY_CANNOT_VRFY, NULL);
      return;

    case MR_SMTP_VRFY_DISABLED:
      reply_error (self, MR_REPLY_NOT_IMPLEMENTED, NULL);
      return;

    case MR_SMTP_VRFY_REFUSE:
      reply (self, MR_REPLY_VRFY_REFUSED, NULL);
      return;

    case MR_SMTP_VRFY_ANSWER:
      argument = g_utf8_make_valid (args, args_len);
      id = mr_smtp_backend_vrfy (self->backend, argument, &text);
      reply_backend (self, id, text);
      return;

    default:
      g_assert_not_reached ();
    }
}

static void
cmd_expn (MrSmtpSession *self,
          const char    *args,
          gsize          args_len)
{
  g_autofree char *argument = NULL;
  g_auto(GStrv) lines = NULL;
  char *text = NULL;
  MrReplyId id;

  if (args == NULL)
    {
      reply_error (self, MR_REPLY_SYNTAX_ERROR, "Syntax: EXPN list");
      return;
    }
  if (!self->expn_enabled)
    {
      reply (self, MR_REPLY_EXPN_DISABLED, NULL);
      return;
    }

  argument = g_utf8_make_valid (args, args_len);
  id = mr_smtp_backend_expn (self->backend, argument, &lines, &text);
  if (id == MR_REPLY_EXPN_OK && lines != NULL && lines[0] != NULL)
    {
      const MrReplyInfo *info = mr_reply_catalog_get (id);
      guint n = g_strv_length (lines);

      g_free (text);
      /* RFC 5321 3.5.2: one member per line of a multiline 250 */
      for (guint i = 0; i < n; i++)
        send_reply_line (self, info->code, info->enhanced, lines[i], i + 1 < n);
      return;
    }
  reply_backend (self, id, text);
}

static void
cmd_help (MrSmtpSession *self,
          const char    *args,
          gsize          args_len)
{
  reply (self, MR_REPLY_HELP, NULL);
}

/* SASL (RFC 4954, RFC 4616 PLAIN, draft-murchison-sasl-login LOGIN) */

static void
auth_finish (MrSmtpSession *self,
             const char    *authzid,
             const char    *authcid,
             const char    *password)
{
  char *text = NULL;
  MrReplyId id;

  self->auth_step = AUTH_NONE;
  g_clear_pointer (&self->auth_login_user, g_free);
  read_commands (self);

  if (!g_utf8_validate (authcid, -1, NULL) || *authcid == '\0')
    id = MR_REPLY_AUTH_FAILED;
  else
    id = mr_smtp_backend_authenticate (self->backend, conversation (self),
                                       authzid, authcid, password, &text);
  if (id == MR_REPLY_AUTH_OK)
    {
      self->auth_user = g_strdup (authcid);
      reply_backend (self, id, text);
    }
  else
    {
      /* Past max_auth_failures every further failure is answered late
       * (Postfix: smtpd_error_sleep_time), so guessing is slow; pipelined
       * guesses each add to the wait. */
      if (++self->auth_failures > limits (self)->max_auth_failures)
        mr_session_hold (MR_SESSION (self), self->clock, MR_SESSION_AUTH_FAILURE_DELAY_USEC);
      reply (self, id, text);
      g_free (text);
      if (++self->n_bad >= limits (self)->max_bad_commands)
        close_with (self, MR_REPLY_TOO_MANY_ERRORS);
    }
}

/* RFC 4616 2: message = [authzid] NUL authcid NUL passwd */
static void
auth_plain (MrSmtpSession *self,
            GBytes        *response)
{
  gsize len;
  const char *data = g_bytes_get_data (response, &len);
  const char *nul1;
  const char *nul2;
  g_autofree char *authzid = NULL;
  g_autofree char *authcid = NULL;
  g_autofree char *password = NULL;

  nul1 = len ? memchr (data, '\0', len) : NULL;
  nul2 = nul1 ? memchr (nul1 + 1, '\0', len - (nul1 + 1 - data)) : NULL;
  if (nul1 == NULL || nul2 == NULL || memchr (nul2 + 1, '\0', len - (nul2 + 1 - data)) != NULL)
    {
      auth_finish (self, NULL, "", "");
      return;
    }

  authzid = g_strndup (data, nul1 - data);
  authcid = g_strndup (nul1 + 1, nul2 - nul1 - 1);
  password = g_strndup (nul2 + 1, len - (nul2 + 1 - data));
  auth_finish (self, authzid, authcid, password);
}

static void
auth_abort (MrSmtpSession *self,
            MrReplyId      id)
{
  self->auth_step = AUTH_NONE;
  g_clear_pointer (&self->auth_login_user, g_free);
  read_commands (self);
  reply_error (self, id, NULL);
}

static void
auth_response (MrSmtpSession *self,
               const char    *line,
               gsize          len)
{
  g_autoptr(GBytes) decoded = NULL;

  /* RFC 4954 4: "*" cancels the exchange with 501. */
  if (len == 1 && line[0] == '*')
    {
      auth_abort (self, MR_REPLY_AUTH_CANCELLED);
      return;
    }

  decoded = mr_smtp_base64_decode (line, len);
  if (decoded == NULL)
    {
      auth_abort (self, MR_REPLY_BAD_BASE64);
      return;
    }

  switch (self->auth_step)
    {
    case AUTH_PLAIN:
      auth_plain (self, decoded);
      break;

    case AUTH_LOGIN_USER:
      self->auth_login_user = g_strndup (g_bytes_get_data (decoded, NULL), g_bytes_get_size (decoded));
      self->auth_step = AUTH_LOGIN_PASS;
      reply (self, MR_REPLY_AUTH_CHALLENGE, "UGFzc3dvcmQ6");  /* "Password:" */
      break;

    case AUTH_LOGIN_PASS:
      {
        g_autofree char *user = g_steal_pointer (&self->auth_login_user);
        g_autofree char *password = g_strndup (g_bytes_get_data (decoded, NULL), g_bytes_get_size (decoded));

        auth_finish (self, NULL, user, password);
      }
      break;

    case AUTH_NONE:
    default:
      g_assert_not_reached ();
    }
}

static void
cmd_auth (MrSmtpSession *self,
          const char    *args,
          gsize          args_len)
{
  g_autofree char *copy = NULL;
  const char *initial = NULL;
  char *space;

  if (!self->esmtp)
    {
      reply_error (self, MR_REPLY_BAD_SEQUENCE, "Error: send EHLO first");
      return;
    }
  if (self->auth_user != NULL)
    {
      reply_error (self, MR_REPLY_ALREADY_AUTHENTICATED, NULL);
      return;
    }
  /* RFC 4954 4: not during a mail transaction */
  if (self->envelope != NULL)
    {
      reply_error (self, MR_REPLY_BAD_SEQUENCE, "Error: MAIL transaction in progress");
      return;
    }
  if (args == NULL)
    {
      reply_error (self, MR_REPLY_SYNTAX_ERROR, "Syntax: AUTH mechanism");
      return;
    }
  if (self->auth_requires_tls && !mr_session_get_encrypted (MR_SESSION (self)))
    {
      reply_error (self, MR_REPLY_ENCRYPTION_REQUIRED, NULL);
      return;
    }

  copy = g_strndup (args, args_len);
  if ((space = strchr (copy, ' ')) != NULL)
    {
      *space = '\0';
      initial = space + 1;
      while (*initial == ' ')
        initial++;
    }

  if (g_ascii_strcasecmp (copy, "PLAIN") == 0)
    {
      self->auth_step = AUTH_PLAIN;
      if (initial != NULL)
        auth_response (self, initial, strlen (initial));
      else
        reply (self, MR_REPLY_AUTH_CHALLENGE, "");
    }
  else if (g_ascii_strcasecmp (copy, "LOGIN") == 0)
    {
      self->auth_step = AUTH_LOGIN_USER;
      if (initial != NULL)
        auth_response (self, initial, strlen (initial));
      else
        reply (self, MR_REPLY_AUTH_CHALLENGE, "VXNlcm5hbWU6");  /* "Username:" */
    }
  else
    {
      read_commands (self);
      reply_error (self, MR_REPLY_UNKNOWN_MECHANISM, NULL);
    }
}

static void
cmd_starttls (MrSmtpSession *self,
              const char    *args,
              gsize          args_len)
{
  if (!need_no_args (self, args))
    return;
  if (mr_session_get_encrypted (MR_SESSION (self)))
    {
      reply_error (self, MR_REPLY_BAD_SEQUENCE, "Error: TLS already active");
      return;
    }
  if (!mr_session_get_tls_available (MR_SESSION (self)))
    {
      reply_error (self, MR_REPLY_NOT_IMPLEMENTED, NULL);
      return;
    }
  if (self->envelope != NULL)
    {
      reply_error (self, MR_REPLY_BAD_SEQUENCE, "Error: MAIL transaction in progress");
      return;
    }

  reply (self, MR_REPLY_STARTTLS_READY, NULL);
  /* RFC 3207 4.2: anything the client pipelined after STARTTLS was sent in
   * the clear and must not be acted on. */
  mr_line_reader_clear (self->reader);
  mr_session_set_action (MR_SESSION (self), MR_SESSION_START_TLS);
}

static const struct
{
  MrSmtpVerb  verb;
  CommandFunc func;
} commands[] = {
  { MR_SMTP_VERB_HELO, cmd_helo },
  { MR_SMTP_VERB_EHLO, cmd_ehlo },
  { MR_SMTP_VERB_MAIL, cmd_mail },
  { MR_SMTP_VERB_RCPT, cmd_rcpt },
  { MR_SMTP_VERB_DATA, cmd_data },
  { MR_SMTP_VERB_BDAT, cmd_bdat },
  { MR_SMTP_VERB_RSET, cmd_rset },
  { MR_SMTP_VERB_NOOP, cmd_noop },
  { MR_SMTP_VERB_QUIT, cmd_quit },
  { MR_SMTP_VERB_VRFY, cmd_vrfy },
  { MR_SMTP_VERB_EXPN, cmd_expn },
  { MR_SMTP_VERB_HELP, cmd_help },
  { MR_SMTP_VERB_AUTH, cmd_auth },
  { MR_SMTP_VERB_STARTTLS, cmd_starttls },
};

/* RFC 5321 4.5.3.1.4: 500; 5.5.6 inside an AUTH exchange (RFC 4954 4),
 * 5.5.2 otherwise. The line itself is not shown. */
static void
line_too_long (MrSmtpSession *self)
{
  emit_client_line (self, "[line too long]", strlen ("[line too long]"), NULL,
                    MR_LINE_CRLF, MR_EVENT_FLAG_TOO_LONG);
  if (self->auth_step != AUTH_NONE)
    auth_abort (self, MR_REPLY_AUTH_LINE_TOO_LONG);
  else
    reply_error (self, MR_REPLY_LINE_TOO_LONG, NULL);
}

static void
command_line (MrSmtpSession *self,
              const char    *line,
              gsize          len,
              MrLineEnding   ending)
{
  MrSmtpCommand cmd;
  gboolean ok;

  ok = mr_smtp_parse_command (line, len, &cmd);

  /* RFC 5321 4.5.3.1.4: 512 octets with CRLF; only AUTH may be longer
   * (RFC 4954 4), which is why the reader's own limit is higher. */
  if (len + (ending == MR_LINE_CRLF ? 2 : 1) > limits (self)->max_command_line &&
      !(ok && cmd.verb == MR_SMTP_VERB_AUTH))
    {
      line_too_long (self);
      return;
    }

  /* Never show a SASL initial response (RFC 4954 4) on the bus. */
  if (ok && cmd.verb == MR_SMTP_VERB_AUTH && cmd.args != NULL && memchr (cmd.args, ' ', cmd.args_len))
    {
      g_autofree char *mech = g_strndup (cmd.args, (const char *)memchr (cmd.args, ' ', cmd.args_len) - cmd.args);
      g_autofree char *masked = g_strdup_printf ("%.*s %s ****", (int)strlen (cmd.name), line, mech);

      emit_client_line_full (self, masked, strlen (masked), cmd.name, ending, MR_EVENT_FLAG_MASKED,
                             line, len);
    }
  else
    emit_client_line (self, line, len, ok ? cmd.name : NULL, ending, 0);

  if (!ok)
    {
      reply_error (self, MR_REPLY_UNKNOWN_COMMAND, "Error: bad syntax");
      return;
    }

  /* RFC 5321 3.1: after a 554 greeting, only QUIT */
  if (self->rejected && cmd.verb != MR_SMTP_VERB_QUIT)
    {
      reply_error (self, MR_REPLY_BAD_SEQUENCE, "Error: no SMTP service here");
      return;
    }

  for (guint i = 0; i < G_N_ELEMENTS (commands); i++)
    if (commands[i].verb == cmd.verb)
      {
        commands[i].func (self, cmd.args, cmd.args_len);
        return;
      }

  reply_error (self, MR_REPLY_UNKNOWN_COMMAND, NULL);
}

static void
auth_line (MrSmtpSession *self,
           const char    *line,
           gsize          len,
           MrLineEnding   ending)
{
  if (len == 1 && line[0] == '*')
    emit_client_line (self, line, len, NULL, ending, 0);
  else
    emit_client_line_full (self, "****", 4, NULL, ending, MR_EVENT_FLAG_MASKED, line, len);
  auth_response (self, line, len);
}

/*
 * RFC 5321 4.1.4 / RFC 2920 3: commands are answered strictly in order,
 * however they arrive. One loop consumes whatever is buffered: command
 * lines, DATA lines, or the octets of a BDAT chunk, until it needs more
 * input, the session closes, or STARTTLS stops the reading.
 */
static void
process (MrSmtpSession *self)
{
  while (mr_session_get_action (MR_SESSION (self)) == MR_SESSION_CONTINUE &&
         !mr_session_get_held (MR_SESSION (self)) &&
         self->state != STATE_QUIT)
    {
      g_autoptr(GError) error = NULL;
      const char *line = NULL;
      gsize len = 0;
      MrLineEnding ending = MR_LINE_CRLF;
      int ret;

      if (self->state == STATE_BDAT)
        {
          const guint8 *data;
          gsize n = 0;

          if (self->bdat_remaining > 0)
            {
              n = mr_line_reader_read_bytes (self->reader, MIN (self->bdat_remaining, G_MAXSIZE), &data);
              if (n == 0)
                break;
              bdat_consume (self, data, n);
            }
          if (self->bdat_remaining == 0)
            bdat_finish (self);
          continue;
        }

      ret = mr_line_reader_next_line (self->reader, &line, &len, &ending, &error);
      if (ret == 0)
        break;

      if (self->state == STATE_DATA)
        {
          data_line (self, ret, line, len, ending);
          continue;
        }

      if (ret < 0)
        line_too_long (self);
      else if (self->auth_step != AUTH_NONE)
        auth_line (self, line, len, ending);
      else
        command_line (self, line, len, ending);

      self->commands_in_feed++;
    }
}

/* MrSession */

static void
mr_smtp_session_start (MrSession *session)
{
  MrSmtpSession *self = (MrSmtpSession *)session;
  const MrReplyInfo *info;
  char *text = NULL;
  MrReplyId id;

  g_assert (MR_IS_SMTP_SESSION (self));

  id = mr_smtp_backend_check_connect (self->backend, conversation (self), &text);
  info = mr_reply_catalog_get (id);

  if (info->code == 421)
    {
      /* RFC 5321 3.1: refuse and close */
      self->state = STATE_QUIT;
      reply_backend (self, id, text);
      mr_session_set_action (session, MR_SESSION_CLOSE);
      return;
    }
  if (info->code >= 400)
    /* RFC 5321 3.1: 554, then wait for QUIT */
    self->rejected = TRUE;

  reply_backend (self, id, text);
}

static void
mr_smtp_session_feed (MrSession    *session,
                      const guint8 *data,
                      gsize         len)
{
  MrSmtpSession *self = (MrSmtpSession *)session;

  g_assert (MR_IS_SMTP_SESSION (self));

  if (self->state == STATE_QUIT)
    return;

  self->commands_in_feed = 0;
  mr_line_reader_feed (self->reader, data, len);
  process (self);
}

static void
mr_smtp_session_tls_started (MrSession *session)
{
  MrSmtpSession *self = (MrSmtpSession *)session;

  g_assert (MR_IS_SMTP_SESSION (self));

  /* RFC 3207 4.2: forget everything learnt in the clear; the client must
   * send EHLO again. No new greeting. */
  mr_line_reader_clear (self->reader);
  reset_session (self);
}

static void
mr_smtp_session_stop (MrSession    *session,
                      MrStopReason  reason)
{
  MrSmtpSession *self = (MrSmtpSession *)session;

  g_assert (MR_IS_SMTP_SESSION (self));

  if (self->state == STATE_QUIT)
    return;

  reset_transaction (self);
  switch (reason)
    {
    case MR_STOP_SHUTDOWN:
      close_with (self, MR_REPLY_SHUTDOWN);
      break;

    case MR_STOP_IDLE:
      close_with (self, MR_REPLY_IDLE_TIMEOUT);
      break;

    case MR_STOP_TOO_MANY_CONNECTIONS:
      close_with (self, MR_REPLY_TOO_MANY_CONNECTIONS);
      break;

    default:
      g_assert_not_reached ();
    }
}

static void
mr_smtp_session_disconnected (MrSession *session)
{
  MrSmtpSession *self = (MrSmtpSession *)session;

  g_assert (MR_IS_SMTP_SESSION (self));

  /* Nothing acknowledged is lost: an unfinished transaction was never
   * answered with 250. */
  reset_transaction (self);
  self->state = STATE_QUIT;
}

static void
mr_smtp_session_dispose (GObject *object)
{
  MrSmtpSession *self = (MrSmtpSession *)object;

  g_clear_object (&self->backend);
  g_clear_object (&self->clock);

  G_OBJECT_CLASS (mr_smtp_session_parent_class)->dispose (object);
}

static void
mr_smtp_session_finalize (GObject *object)
{
  MrSmtpSession *self = (MrSmtpSession *)object;

  g_clear_pointer (&self->envelope, mr_smtp_envelope_unref);
  g_clear_pointer (&self->message, g_byte_array_unref);
  g_clear_pointer (&self->wire, g_byte_array_unref);
  g_clear_pointer (&self->reader, mr_line_reader_free);
  g_clear_pointer (&self->hostname, g_free);
  g_clear_pointer (&self->helo, g_free);
  g_clear_pointer (&self->auth_user, g_free);
  g_clear_pointer (&self->auth_login_user, g_free);

  G_OBJECT_CLASS (mr_smtp_session_parent_class)->finalize (object);
}

static void
mr_smtp_session_class_init (MrSmtpSessionClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  MrSessionClass *session_class = MR_SESSION_CLASS (klass);

  object_class->dispose = mr_smtp_session_dispose;
  object_class->finalize = mr_smtp_session_finalize;

  session_class->start = mr_smtp_session_start;
  session_class->feed = mr_smtp_session_feed;
  session_class->tls_started = mr_smtp_session_tls_started;
  session_class->stop = mr_smtp_session_stop;
  session_class->disconnected = mr_smtp_session_disconnected;
}

static void
mr_smtp_session_init (MrSmtpSession *self)
{
  self->state = STATE_CONNECTED;
  self->data_prev_crlf = TRUE;
}

MrSession *
mr_smtp_session_new (MrSmtpBackend      *backend,
                     const MrSmtpConfig *config,
                     MrConversation     *conversation_,
                     const MrLimits     *limits_)
{
  MrSmtpConfig defaults;
  MrSmtpSession *self;

  g_return_val_if_fail (MR_IS_SMTP_BACKEND (backend), NULL);

  if (config == NULL)
    {
      mr_smtp_config_init (&defaults);
      config = &defaults;
    }

  self = g_object_new (MR_TYPE_SMTP_SESSION,
                       "conversation", conversation_,
                       "limits", limits_,
                       NULL);
  self->backend = g_object_ref (backend);
  self->clock = config->clock ? g_object_ref (config->clock) : NULL;
  self->hostname = g_strdup (config->hostname && *config->hostname ? config->hostname : "localhost");
  self->submission = config->submission;
  self->vrfy_policy = config->vrfy_policy;
  self->expn_enabled = config->expn_enabled;
  self->auth_requires_tls = config->auth_requires_tls;
  self->reader = mr_line_reader_new (0);
  read_commands (self);

  return MR_SESSION (self);
}

const char *
mr_smtp_session_get_state_name (MrSmtpSession *self)
{
  g_return_val_if_fail (MR_IS_SMTP_SESSION (self), NULL);
  return state_name (self);
}

const char *
mr_smtp_session_get_auth_user (MrSmtpSession *self)
{
  g_return_val_if_fail (MR_IS_SMTP_SESSION (self), NULL);
  return self->auth_user;
}

const char *
mr_smtp_session_get_helo (MrSmtpSession *self)
{
  g_return_val_if_fail (MR_IS_SMTP_SESSION (self), NULL);
  return self->helo;
}

guint
mr_smtp_session_get_n_accepted (MrSmtpSession *self)
{
  g_return_val_if_fail (MR_IS_SMTP_SESSION (self), 0);
  return self->n_accepted;
}
