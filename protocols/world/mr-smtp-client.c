/* mr-smtp-client.c
 *
 * Copyright 2026 The Mailroom authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "mr-smtp-client"

#include "config.h"

#include <string.h>

#include "mr-error.h"
#include "mr-line-reader.h"
#include "mr-smtp-client.h"

/* RFC 5321 4.5.3.1.5 allows 512 octets per reply line; be generous with
 * real servers but never unbounded. */
#define DEFAULT_MAX_LINE       2048
/* Lines in one multi-line reply, and EHLO keywords kept. */
#define MAX_REPLY_LINES        100
#define MAX_EXTENSIONS         64

/* What each reply we wait for answers, in the order the commands went out
 * (RFC 2920 3.1: replies come in command order even when pipelined). */
typedef enum
{
  EXPECT_BANNER,
  EXPECT_EHLO,
  EXPECT_HELO,
  EXPECT_STARTTLS,
  EXPECT_AUTH,
  EXPECT_MAIL,
  EXPECT_RCPT,       /* + recipient index << 8 */
  EXPECT_DATA,
  EXPECT_CONTENT,    /* the reply after "." or BDAT LAST */
  EXPECT_QUIT,
} Expect;

/* RFC 5321 4.1.1 / 3.3: the conversation from the client's side. */
typedef enum
{
  PHASE_IDLE,        /* not started */
  PHASE_GREETING,    /* waiting for 220 */
  PHASE_HELLO,       /* EHLO or HELO sent */
  PHASE_STARTTLS,    /* STARTTLS sent, or waiting for the owner's TLS */
  PHASE_ENVELOPE,    /* MAIL/RCPT (and pipelined DATA) in flight */
  PHASE_CONTENT,     /* message sent, waiting for the final reply */
  PHASE_QUIT,        /* QUIT sent */
  PHASE_DONE,        /* finished; action is CLOSE */
} Phase;

struct _MrSmtpClient
{
  GObject          parent_instance;

  /* Owned, permanent */
  MrConversation  *conversation;
  char            *helo_name;
  MrLineReader    *reader;
  GQueue           output;         /* GBytes units */
  GQueue           expect;         /* GUINT_TO_POINTER (Expect | index << 8) */
  GPtrArray       *recipients;     /* MrSmtpClientRecipient */
  char            *auth_user;
  char            *auth_password;
  char            *sender;
  char            *ret;
  char            *envid;
  GBytes          *message;

  /* Set by the server's EHLO reply; reset after STARTTLS (RFC 3207 4.2) */
  GHashTable      *extensions;     /* upper-case keyword -> params */

  /* The reply being read */
  GPtrArray       *reply_lines;    /* char *, text part */
  guint            reply_code;
  char            *reply_enhanced;

  /* The last complete reply */
  guint            last_code;
  char            *last_enhanced;
  char            *last_text;
  char            *error;

  Phase            phase;
  MrSessionAction  action;
  MrSmtpTlsPolicy  tls_policy;
  guint            next_rcpt;      /* without PIPELINING: the next RCPT to send */
  guint            emit_lines : 1;
  guint            use_chunking : 1;
  guint            encrypted : 1;
  guint            esmtp : 1;
  guint            authenticated : 1;
  guint            mail_failed : 1;
  guint            mail_accepted : 1;
  guint            data_sent : 1;
  guint            finished : 1;
};

G_DEFINE_FINAL_TYPE (MrSmtpClient, mr_smtp_client, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_FINISHED,
  N_PROPS
};

enum {
  OUTPUT,
  FINISHED,
  N_SIGNALS
};

static GParamSpec *properties [N_PROPS];
static guint signals [N_SIGNALS];

static void
recipient_free (MrSmtpClientRecipient *rcpt)
{
  g_free (rcpt->address);
  g_free (rcpt->notify);
  g_free (rcpt->orcpt);
  g_free (rcpt->enhanced);
  g_free (rcpt->text);
  g_free (rcpt);
}

const char *
mr_smtp_rcpt_status_to_string (MrSmtpRcptStatus status)
{
  switch (status)
    {
    case MR_SMTP_RCPT_PENDING:
      return "pending";
    case MR_SMTP_RCPT_ACCEPTED:
      return "accepted";
    case MR_SMTP_RCPT_DELIVERED:
      return "delivered";
    case MR_SMTP_RCPT_DEFERRED:
      return "deferred";
    case MR_SMTP_RCPT_FAILED:
      return "failed";
    default:
      g_return_val_if_reached ("?");
    }
}

/* Pure helpers */

/* Parses an RFC 3463 status at the start of @text (@len bytes, not
 * necessarily NUL-terminated); sets @rest_r to the offset of the text
 * after it and its spaces. */
static gboolean
parse_enhanced (const char  *text,
                gsize        len,
                guint        code,
                char       **enhanced_r,
                gsize       *rest_r)
{
  gsize p = 0;

  /* RFC 3463 2: class "." subject "." detail, subject and detail 1-3
   * digits; RFC 2034 3: the class matches the reply's first digit. */
  if (len == 0 || !(text[0] >= '2' && text[0] <= '5') || (guint)(text[0] - '0') != code / 100)
    return FALSE;
  p++;
  for (int part = 0; part < 2; part++)
    {
      int digits = 0;

      if (p >= len || text[p] != '.')
        return FALSE;
      p++;
      while (p < len && g_ascii_isdigit (text[p]) && digits < 4)
        {
          p++;
          digits++;
        }
      if (digits < 1 || digits > 3)
        return FALSE;
    }
  if (p < len && text[p] != ' ')
    return FALSE;

  *enhanced_r = g_strndup (text, p);
  while (p < len && text[p] == ' ')
    p++;
  *rest_r = p;

  return TRUE;
}

gboolean
mr_smtp_parse_reply_line (const char  *line,
                          gsize        len,
                          guint       *code_r,
                          gboolean    *last_r,
                          char       **enhanced_r,
                          char       **text_r)
{
  g_autofree char *enhanced = NULL;
  const char *text;
  gsize text_len;
  gsize rest = 0;
  guint code;

  g_return_val_if_fail (line != NULL || len == 0, FALSE);

  if (enhanced_r != NULL)
    *enhanced_r = NULL;
  if (text_r != NULL)
    *text_r = NULL;

  /* RFC 5321 4.2: Reply-code = %x32-35 %x30-35 %x30-39, then SP or "-"
   * and text, or nothing at all for the last line. */
  if (len < 3 ||
      !(line[0] >= '2' && line[0] <= '5') ||
      !(line[1] >= '0' && line[1] <= '5') ||
      !g_ascii_isdigit (line[2]))
    return FALSE;
  if (len > 3 && line[3] != ' ' && line[3] != '-')
    return FALSE;
  if (memchr (line, '\0', len) != NULL)
    return FALSE;

  code = (line[0] - '0') * 100 + (line[1] - '0') * 10 + (line[2] - '0');
  if (code_r != NULL)
    *code_r = code;
  if (last_r != NULL)
    *last_r = len == 3 || line[3] == ' ';

  text = len > 3 ? line + 4 : line + len;
  text_len = len > 3 ? len - 4 : 0;
  if (!parse_enhanced (text, text_len, code, &enhanced, &rest))
    rest = 0;
  if (enhanced_r != NULL)
    *enhanced_r = g_steal_pointer (&enhanced);
  if (text_r != NULL)
    *text_r = g_utf8_make_valid (text + rest, text_len - rest);

  return TRUE;
}

GBytes *
mr_smtp_normalize_crlf (GBytes *message)
{
  g_autoptr(GByteArray) out = g_byte_array_new ();
  const guint8 *data;
  gsize len;

  g_return_val_if_fail (message != NULL, NULL);

  data = g_bytes_get_data (message, &len);
  for (gsize i = 0; i < len; i++)
    {
      if (data[i] == '\n' && (i == 0 || data[i - 1] != '\r'))
        g_byte_array_append (out, (const guint8 *)"\r\n", 2);
      else if (data[i] == '\r' && (i + 1 >= len || data[i + 1] != '\n'))
        /* A lone CR is no line end either (RFC 5321 2.3.8). */
        g_byte_array_append (out, (const guint8 *)"\r\n", 2);
      else
        g_byte_array_append (out, &data[i], 1);
    }
  if (out->len > 0 && !(out->len >= 2 && out->data[out->len - 2] == '\r' &&
                        out->data[out->len - 1] == '\n'))
    g_byte_array_append (out, (const guint8 *)"\r\n", 2);

  return g_byte_array_free_to_bytes (g_steal_pointer (&out));
}

GBytes *
mr_smtp_dot_stuff (GBytes *message)
{
  g_autoptr(GBytes) normal = NULL;
  g_autoptr(GByteArray) out = g_byte_array_new ();
  const guint8 *data;
  gsize len;
  gboolean line_start = TRUE;

  g_return_val_if_fail (message != NULL, NULL);

  normal = mr_smtp_normalize_crlf (message);
  data = g_bytes_get_data (normal, &len);
  for (gsize i = 0; i < len; i++)
    {
      /* RFC 5321 4.5.2: "Before sending a line of mail text, the SMTP
       * client checks the first character of the line. If it is a
       * period, one additional period is inserted." */
      if (line_start && data[i] == '.')
        g_byte_array_append (out, (const guint8 *)".", 1);
      g_byte_array_append (out, &data[i], 1);
      line_start = data[i] == '\n';
    }
  g_byte_array_append (out, (const guint8 *)".\r\n", 3);

  return g_byte_array_free_to_bytes (g_steal_pointer (&out));
}

/* Events */

static const char *
phase_to_string (Phase phase)
{
  switch (phase)
    {
    case PHASE_IDLE:
      return "idle";
    case PHASE_GREETING:
      return "greeting";
    case PHASE_HELLO:
      return "hello";
    case PHASE_STARTTLS:
      return "starttls";
    case PHASE_ENVELOPE:
      return "envelope";
    case PHASE_CONTENT:
      return "content";
    case PHASE_QUIT:
      return "quit";
    case PHASE_DONE:
      return "done";
    default:
      g_return_val_if_reached ("?");
    }
}

static void
push_output (MrSmtpClient *self,
             GBytes       *unit)
{
  g_queue_push_tail (&self->output, unit);
}

static void
send_command (MrSmtpClient *self,
              Expect        expect,
              const char   *verb,
              const char   *format,
              ...) G_GNUC_PRINTF (4, 5);

static void
send_command (MrSmtpClient *self,
              Expect        expect,
              const char   *verb,
              const char   *format,
              ...)
{
  g_autofree char *line = NULL;
  g_autofree char *wire = NULL;
  va_list args;

  va_start (args, format);
  line = g_strdup_vprintf (format, args);
  va_end (args);

  wire = g_strconcat (line, "\r\n", NULL);
  push_output (self, g_bytes_new (wire, strlen (wire)));
  g_queue_push_tail (&self->expect, GUINT_TO_POINTER (expect));

  if (self->emit_lines && self->conversation != NULL)
    {
      MrEvent *event = mr_conversation_new_event (self->conversation, MR_EVENT_LINE,
                                                  MR_DIRECTION_TO_SERVER, line);
      mr_event_set_verb (event, verb);
      mr_event_set_state (event, phase_to_string (self->phase));
      if (g_queue_get_length (&self->expect) > 1)
        event->flags |= MR_EVENT_FLAG_PIPELINED;
      mr_conversation_emit (self->conversation, event);
    }
}

static void
note (MrSmtpClient *self,
      const char   *format,
      ...) G_GNUC_PRINTF (2, 3);

/* RFC 4954 4 / RFC 4616: AUTH PLAIN with the initial response; the event
 * shows the command with the credentials masked. */
static void
send_auth (MrSmtpClient *self)
{
  g_autoptr(GByteArray) plain = g_byte_array_new ();
  g_autofree char *encoded = NULL;
  g_autofree char *wire = NULL;

  g_byte_array_append (plain, (const guint8 *)"", 1);
  g_byte_array_append (plain, (const guint8 *)self->auth_user, strlen (self->auth_user));
  g_byte_array_append (plain, (const guint8 *)"", 1);
  g_byte_array_append (plain, (const guint8 *)self->auth_password, strlen (self->auth_password));
  encoded = g_base64_encode (plain->data, plain->len);
  wire = g_strdup_printf ("AUTH PLAIN %s\r\n", encoded);

  self->phase = PHASE_HELLO;
  push_output (self, g_bytes_new (wire, strlen (wire)));
  g_queue_push_tail (&self->expect, GUINT_TO_POINTER (EXPECT_AUTH));

  if (self->emit_lines && self->conversation != NULL)
    {
      MrEvent *event = mr_conversation_new_event (self->conversation, MR_EVENT_LINE,
                                                  MR_DIRECTION_TO_SERVER, "AUTH PLAIN ********");
      mr_event_set_verb (event, "AUTH");
      event->flags |= MR_EVENT_FLAG_MASKED;
      mr_conversation_emit (self->conversation, event);
    }
}

static void
note (MrSmtpClient *self,
      const char   *format,
      ...)
{
  g_autofree char *text = NULL;
  va_list args;

  if (self->conversation == NULL)
    return;

  va_start (args, format);
  text = g_strdup_vprintf (format, args);
  va_end (args);

  mr_conversation_emit (self->conversation,
                        mr_conversation_new_event (self->conversation, MR_EVENT_NOTE,
                                                   MR_DIRECTION_NONE, text));
}

/* Outcomes */

static void
set_outcome (MrSmtpClientRecipient *rcpt,
             guint                  code,
             const char            *enhanced,
             const char            *text)
{
  if (code >= 200 && code < 300)
    rcpt->status = rcpt->status == MR_SMTP_RCPT_ACCEPTED ? MR_SMTP_RCPT_DELIVERED
                                                          : MR_SMTP_RCPT_ACCEPTED;
  else if (code >= 500 && code < 600)
    rcpt->status = MR_SMTP_RCPT_FAILED;
  else
    rcpt->status = MR_SMTP_RCPT_DEFERRED;

  rcpt->code = code;
  g_free (rcpt->enhanced);
  rcpt->enhanced = g_strdup (enhanced);
  g_free (rcpt->text);
  rcpt->text = g_strdup (text);
}

/* Applies a failure (or the final success) to every recipient still open:
 * pending ones, and accepted ones when @include_accepted. */
static void
apply_to_open (MrSmtpClient *self,
               guint         code,
               const char   *enhanced,
               const char   *text,
               gboolean      include_accepted)
{
  for (guint i = 0; i < self->recipients->len; i++)
    {
      MrSmtpClientRecipient *rcpt = g_ptr_array_index (self->recipients, i);

      if (rcpt->status == MR_SMTP_RCPT_PENDING)
        {
          /* A success for a recipient never asked about means nothing. */
          if (code >= 200 && code < 300)
            continue;
          set_outcome (rcpt, code, enhanced, text);
        }
      else if (rcpt->status == MR_SMTP_RCPT_ACCEPTED && include_accepted)
        set_outcome (rcpt, code, enhanced, text);
    }
}

static guint
count_accepted (MrSmtpClient *self)
{
  guint n = 0;

  for (guint i = 0; i < self->recipients->len; i++)
    {
      MrSmtpClientRecipient *rcpt = g_ptr_array_index (self->recipients, i);

      if (rcpt->status == MR_SMTP_RCPT_ACCEPTED)
        n++;
    }

  return n;
}

static void
finish (MrSmtpClient *self)
{
  if (self->finished)
    return;

  self->phase = PHASE_DONE;
  self->action = MR_SESSION_CLOSE;
  self->finished = TRUE;
  g_queue_clear (&self->expect);
  g_object_notify_by_pspec (G_OBJECT (self), properties [PROP_FINISHED]);
  g_signal_emit (self, signals [FINISHED], 0);
}

static void
send_quit (MrSmtpClient *self)
{
  self->phase = PHASE_QUIT;
  send_command (self, EXPECT_QUIT, "QUIT", "QUIT");
}

/* A local failure: no reply from the server decided it (code 0). Open
 * recipients are deferred, or failed when @permanent. */
static void
fail_local (MrSmtpClient *self,
            gboolean      permanent,
            const char   *enhanced,
            const char   *reason,
            gboolean      quit)
{
  g_free (self->error);
  self->error = g_strdup (reason);
  note (self, "SMTP client: %s", reason);

  for (guint i = 0; i < self->recipients->len; i++)
    {
      MrSmtpClientRecipient *rcpt = g_ptr_array_index (self->recipients, i);

      if (rcpt->status != MR_SMTP_RCPT_PENDING && rcpt->status != MR_SMTP_RCPT_ACCEPTED)
        continue;
      rcpt->status = permanent ? MR_SMTP_RCPT_FAILED : MR_SMTP_RCPT_DEFERRED;
      rcpt->code = 0;
      g_free (rcpt->enhanced);
      rcpt->enhanced = g_strdup (enhanced);
      g_free (rcpt->text);
      rcpt->text = g_strdup (reason);
    }

  if (quit && self->phase != PHASE_QUIT && self->phase != PHASE_DONE)
    {
      g_queue_clear (&self->expect);
      send_quit (self);
    }
  else
    finish (self);
}

static void
protocol_error (MrSmtpClient *self,
                const char   *reason)
{
  /* A server that does not speak SMTP gets no more commands: close. */
  fail_local (self, FALSE, "4.5.0", reason, FALSE);
}

/* The conversation, step by step */

static void
send_ehlo (MrSmtpClient *self)
{
  self->phase = PHASE_HELLO;
  g_hash_table_remove_all (self->extensions);
  send_command (self, EXPECT_EHLO, "EHLO", "EHLO %s", self->helo_name);
}

static char *
mail_params (MrSmtpClient *self)
{
  GString *params = g_string_new (NULL);
  const char *size = g_hash_table_lookup (self->extensions, "SIZE");

  if (size != NULL && self->message != NULL)
    g_string_append_printf (params, " SIZE=%" G_GSIZE_FORMAT, g_bytes_get_size (self->message));
  if (g_hash_table_contains (self->extensions, "DSN"))
    {
      if (self->ret != NULL)
        g_string_append_printf (params, " RET=%s", self->ret);
      if (self->envid != NULL)
        g_string_append_printf (params, " ENVID=%s", self->envid);
    }

  return g_string_free (params, FALSE);
}

static void
send_rcpt (MrSmtpClient *self,
           guint         index)
{
  MrSmtpClientRecipient *rcpt = g_ptr_array_index (self->recipients, index);
  g_autoptr(GString) params = g_string_new (NULL);

  if (g_hash_table_contains (self->extensions, "DSN"))
    {
      if (rcpt->notify != NULL)
        g_string_append_printf (params, " NOTIFY=%s", rcpt->notify);
      if (rcpt->orcpt != NULL)
        g_string_append_printf (params, " ORCPT=%s", rcpt->orcpt);
    }

  send_command (self, EXPECT_RCPT | (index << 8), "RCPT",
                "RCPT TO:<%s>%s", rcpt->address, params->str);
}

static gboolean
use_bdat (MrSmtpClient *self)
{
  return self->use_chunking && g_hash_table_contains (self->extensions, "CHUNKING");
}

static void
send_content (MrSmtpClient *self)
{
  g_autoptr(GBytes) content = NULL;
  g_autoptr(GBytes) message = self->message ? g_bytes_ref (self->message) : g_bytes_new (NULL, 0);

  self->phase = PHASE_CONTENT;

  if (use_bdat (self))
    {
      g_autofree char *command = NULL;
      g_autoptr(GByteArray) unit = g_byte_array_new ();
      gsize len;
      const guint8 *data;

      /* RFC 3030 2: BDAT carries the octets as they are, no dot-stuffing. */
      content = mr_smtp_normalize_crlf (message);
      data = g_bytes_get_data (content, &len);
      send_command (self, EXPECT_CONTENT, "BDAT", "BDAT %" G_GSIZE_FORMAT " LAST", len);
      /* The command and its chunk travel as one unit. */
      {
        g_autoptr(GBytes) line = g_queue_pop_tail (&self->output);

        g_byte_array_append (unit, g_bytes_get_data (line, NULL), g_bytes_get_size (line));
        g_byte_array_append (unit, data, len);
        push_output (self, g_byte_array_free_to_bytes (g_steal_pointer (&unit)));
      }
    }
  else
    {
      content = mr_smtp_dot_stuff (message);
      push_output (self, g_bytes_ref (content));
      g_queue_push_tail (&self->expect, GUINT_TO_POINTER (EXPECT_CONTENT));
    }

  if (self->emit_lines && self->conversation != NULL)
    {
      g_autofree char *summary = g_strdup_printf ("(message, %" G_GSIZE_FORMAT " octets)",
                                                  g_bytes_get_size (message));
      MrEvent *event = mr_conversation_new_event (self->conversation, MR_EVENT_CONTENT,
                                                  MR_DIRECTION_TO_SERVER, summary);
      mr_event_set_content (event, message);
      mr_event_set_state (event, phase_to_string (self->phase));
      mr_conversation_emit (self->conversation, event);
    }
}

static void
send_data_or_bdat (MrSmtpClient *self)
{
  self->data_sent = TRUE;
  if (use_bdat (self))
    send_content (self);
  else
    send_command (self, EXPECT_DATA, "DATA", "DATA");
}

static void
start_transaction (MrSmtpClient *self)
{
  g_autofree char *params = NULL;
  const char *size = g_hash_table_lookup (self->extensions, "SIZE");
  gboolean pipelining = g_hash_table_contains (self->extensions, "PIPELINING");

  if (self->recipients->len == 0)
    {
      send_quit (self);
      return;
    }

  /* RFC 1870 4: do not send a message the server already said is too big. */
  if (size != NULL && self->message != NULL)
    {
      guint64 max = g_ascii_strtoull (size, NULL, 10);

      if (max > 0 && g_bytes_get_size (self->message) > max)
        {
          fail_local (self, TRUE, "5.3.4", "message exceeds the server's SIZE limit", TRUE);
          return;
        }
    }

  self->phase = PHASE_ENVELOPE;
  params = mail_params (self);
  send_command (self, EXPECT_MAIL, "MAIL", "MAIL FROM:<%s>%s", self->sender ? self->sender : "",
                params);

  if (pipelining)
    {
      /* RFC 2920 3.1: MAIL, every RCPT and DATA may go in one group;
       * DATA must be last. BDAT waits for the RCPT replies. */
      for (guint i = 0; i < self->recipients->len; i++)
        send_rcpt (self, i);
      self->next_rcpt = self->recipients->len;
      if (!use_bdat (self))
        {
          self->data_sent = TRUE;
          send_command (self, EXPECT_DATA, "DATA", "DATA");
        }
    }
  else
    self->next_rcpt = 0;
}

static void
after_hello (MrSmtpClient *self)
{
  if (!self->encrypted && self->tls_policy != MR_SMTP_TLS_NEVER)
    {
      if (g_hash_table_contains (self->extensions, "STARTTLS"))
        {
          self->phase = PHASE_STARTTLS;
          send_command (self, EXPECT_STARTTLS, "STARTTLS", "STARTTLS");
          return;
        }
      if (self->tls_policy == MR_SMTP_TLS_REQUIRED)
        {
          fail_local (self, FALSE, "4.7.0", "TLS required but the server does not offer STARTTLS",
                      TRUE);
          return;
        }
    }

  if (self->auth_user != NULL && !self->authenticated)
    {
      const char *mechanisms = g_hash_table_lookup (self->extensions, "AUTH");
      g_auto(GStrv) list = mechanisms ? g_strsplit (mechanisms, " ", -1) : NULL;
      gboolean plain = FALSE;

      for (guint i = 0; list != NULL && list[i] != NULL; i++)
        plain |= g_ascii_strcasecmp (list[i], "PLAIN") == 0;
      if (!plain)
        {
          fail_local (self, FALSE, "4.7.0", "the server does not offer AUTH PLAIN", TRUE);
          return;
        }
      send_auth (self);
      return;
    }

  start_transaction (self);
}

static void
parse_extensions (MrSmtpClient *self)
{
  /* RFC 5321 4.1.1.1: the first line is the greeting, each further line
   * an ehlo-keyword and its parameters. */
  for (guint i = 1; i + 1 < self->reply_lines->len && i <= MAX_EXTENSIONS; i++)
    {
      const char *line = g_ptr_array_index (self->reply_lines, i);
      const char *space = strchr (line, ' ');
      g_autofree char *keyword = NULL;

      keyword = g_ascii_strup (line, space ? space - line : -1);
      if (*keyword == '\0')
        continue;
      g_hash_table_replace (self->extensions, g_steal_pointer (&keyword),
                            g_strdup (space ? space + 1 : ""));
    }
}

/* Called when every reply we waited for has come. */
static void
next_step (MrSmtpClient *self)
{
  switch (self->phase)
    {
    case PHASE_ENVELOPE:
      if (self->mail_failed)
        send_quit (self);
      else if (!self->data_sent && self->next_rcpt < self->recipients->len)
        send_rcpt (self, self->next_rcpt++);
      else if (!self->data_sent && count_accepted (self) > 0)
        send_data_or_bdat (self);
      else
        /* No recipient left, or DATA was refused (accepted recipients
         * got that reply already). */
        send_quit (self);
      break;

    case PHASE_CONTENT:
      send_quit (self);
      break;

    case PHASE_IDLE:
    case PHASE_GREETING:
    case PHASE_HELLO:
    case PHASE_STARTTLS:
    case PHASE_QUIT:
    case PHASE_DONE:
      break;

    default:
      g_assert_not_reached ();
    }
}

static void
handle_reply (MrSmtpClient *self)
{
  g_autofree char *text = NULL;
  guint code = self->reply_code;
  const char *enhanced = self->reply_enhanced;
  guint expect;
  guint index;

  text = g_strjoinv (" ", (char **)self->reply_lines->pdata);
  self->last_code = code;
  g_free (self->last_enhanced);
  self->last_enhanced = g_strdup (enhanced);
  g_free (self->last_text);
  self->last_text = g_strdup (text);

  if (g_queue_is_empty (&self->expect))
    {
      protocol_error (self, "the server sent a reply nobody asked for");
      return;
    }

  expect = GPOINTER_TO_UINT (g_queue_pop_head (&self->expect));
  index = expect >> 8;
  expect &= 0xff;

  /* RFC 5321 3.8: 421 means the server is closing the channel; whatever
   * was open is deferred and no QUIT is owed. */
  if (code == 421 && expect != EXPECT_QUIT)
    {
      apply_to_open (self, code, enhanced, text, TRUE);
      finish (self);
      return;
    }

  /* RFC 5321 4.1.1: the state machine as seen from the client. */
  switch ((Expect)expect)
    {
    case EXPECT_BANNER:
      if (code / 100 != 2)
        {
          /* RFC 5321 3.1: after a 554 greeting the client sends QUIT. */
          apply_to_open (self, code, enhanced, text, TRUE);
          send_quit (self);
          return;
        }
      send_ehlo (self);
      return;

    case EXPECT_EHLO:
      if (code / 100 == 2)
        {
          self->esmtp = TRUE;
          parse_extensions (self);
          after_hello (self);
          return;
        }
      if (code == 500 || code == 502)
        {
          /* RFC 5321 3.2: a server that does not know EHLO still knows HELO. */
          self->phase = PHASE_HELLO;
          send_command (self, EXPECT_HELO, "HELO", "HELO %s", self->helo_name);
          return;
        }
      apply_to_open (self, code, enhanced, text, TRUE);
      send_quit (self);
      return;

    case EXPECT_HELO:
      if (code / 100 == 2)
        {
          after_hello (self);
          return;
        }
      apply_to_open (self, code, enhanced, text, TRUE);
      send_quit (self);
      return;

    case EXPECT_STARTTLS:
      if (code == 220)
        {
          /* RFC 3207 4: TLS begins now; the owner negotiates it. */
          self->action = MR_SESSION_START_TLS;
          return;
        }
      if (self->tls_policy == MR_SMTP_TLS_REQUIRED)
        {
          apply_to_open (self, code / 100 == 5 ? 454 : code, "4.7.0", text, TRUE);
          send_quit (self);
          return;
        }
      start_transaction (self);
      return;

    case EXPECT_AUTH:
      if (code == 235)
        {
          self->authenticated = TRUE;
          start_transaction (self);
          return;
        }
      /* RFC 4954 6: 535 is permanent for these credentials. */
      apply_to_open (self, code, enhanced, text, TRUE);
      send_quit (self);
      return;

    case EXPECT_MAIL:
      self->mail_accepted = code / 100 == 2;
      if (code / 100 != 2)
        {
          self->mail_failed = TRUE;
          apply_to_open (self, code, enhanced, text, TRUE);
        }
      break;

    case EXPECT_RCPT:
      if (index < self->recipients->len)
        {
          MrSmtpClientRecipient *rcpt = g_ptr_array_index (self->recipients, index);

          if (rcpt->status == MR_SMTP_RCPT_PENDING)
            set_outcome (rcpt, code, enhanced, text);
        }
      break;

    case EXPECT_DATA:
      if (code == 354)
        {
          send_content (self);
          return;
        }
      apply_to_open (self, code / 100 == 2 ? 554 : code, enhanced, text, TRUE);
      break;

    case EXPECT_CONTENT:
      /* RFC 5321 4.1.1.4: one reply for the whole message; with a 2yz the
       * server has taken responsibility for every accepted recipient. */
      apply_to_open (self, code, enhanced, text, TRUE);
      break;

    case EXPECT_QUIT:
      finish (self);
      return;

    default:
      g_assert_not_reached ();
    }

  if (g_queue_is_empty (&self->expect))
    next_step (self);
}

static void
emit_reply_line (MrSmtpClient *self,
                 const char   *line,
                 guint         code,
                 const char   *enhanced,
                 gboolean      last)
{
  MrEvent *event;

  if (!self->emit_lines || self->conversation == NULL)
    return;

  event = mr_conversation_new_event (self->conversation, MR_EVENT_LINE,
                                     MR_DIRECTION_TO_CLIENT, line);
  mr_event_set_reply (event, code, enhanced);
  mr_event_set_state (event, phase_to_string (self->phase));
  if (!last)
    event->flags |= MR_EVENT_FLAG_CONTINUED;
  if (code >= 400)
    event->flags |= MR_EVENT_FLAG_ERROR;
  if (code == 354)
    event->flags |= MR_EVENT_FLAG_CONTINUATION;
  mr_conversation_emit (self->conversation, event);
}

static void
process_line (MrSmtpClient *self,
              const char   *line,
              gsize         len)
{
  g_autofree char *enhanced = NULL;
  g_autofree char *printable = NULL;
  g_autofree char *text = NULL;
  gboolean last;
  guint code;

  if (!mr_smtp_parse_reply_line (line, len, &code, &last, &enhanced, &text))
    {
      printable = g_utf8_make_valid (line, MIN (len, 80));
      emit_reply_line (self, printable, 0, NULL, TRUE);
      protocol_error (self, "the server sent something that is not an SMTP reply");
      return;
    }

  printable = g_utf8_make_valid (line, len);
  emit_reply_line (self, printable, code, enhanced, last);

  if (self->reply_lines->len == 1)
    {
      self->reply_code = code;
      g_free (self->reply_enhanced);
      self->reply_enhanced = g_steal_pointer (&enhanced);
    }
  else if (code != self->reply_code)
    {
      /* RFC 5321 4.2.1: every line of a multi-line reply has the same code. */
      protocol_error (self, "the lines of a multi-line reply have different codes");
      return;
    }

  if (self->reply_lines->len > MAX_REPLY_LINES)
    {
      protocol_error (self, "the server's reply has too many lines");
      return;
    }

  /* The text without the enhanced code (kept apart). */
  g_ptr_array_insert (self->reply_lines, self->reply_lines->len - 1, g_steal_pointer (&text));

  if (!last)
    return;

  handle_reply (self);
  g_ptr_array_set_size (self->reply_lines, 0);
  g_ptr_array_add (self->reply_lines, NULL);
  g_clear_pointer (&self->reply_enhanced, g_free);
}

/* GObject */

static void
mr_smtp_client_finalize (GObject *object)
{
  MrSmtpClient *self = (MrSmtpClient *)object;

  g_clear_pointer (&self->conversation, mr_conversation_unref);
  g_clear_pointer (&self->helo_name, g_free);
  g_clear_pointer (&self->reader, mr_line_reader_free);
  g_queue_clear_full (&self->output, (GDestroyNotify)g_bytes_unref);
  g_queue_clear (&self->expect);
  g_clear_pointer (&self->recipients, g_ptr_array_unref);
  g_clear_pointer (&self->auth_user, g_free);
  if (self->auth_password != NULL)
    memset (self->auth_password, 0, strlen (self->auth_password));
  g_clear_pointer (&self->auth_password, g_free);
  g_clear_pointer (&self->sender, g_free);
  g_clear_pointer (&self->ret, g_free);
  g_clear_pointer (&self->envid, g_free);
  g_clear_pointer (&self->message, g_bytes_unref);
  g_clear_pointer (&self->extensions, g_hash_table_unref);
  g_clear_pointer (&self->reply_lines, g_ptr_array_unref);
  g_clear_pointer (&self->reply_enhanced, g_free);
  g_clear_pointer (&self->last_enhanced, g_free);
  g_clear_pointer (&self->last_text, g_free);
  g_clear_pointer (&self->error, g_free);

  G_OBJECT_CLASS (mr_smtp_client_parent_class)->finalize (object);
}

static void
mr_smtp_client_get_property (GObject    *object,
                             guint       prop_id,
                             GValue     *value,
                             GParamSpec *pspec)
{
  MrSmtpClient *self = MR_SMTP_CLIENT (object);

  switch (prop_id)
    {
    case PROP_FINISHED:
      g_value_set_boolean (value, self->finished);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
mr_smtp_client_class_init (MrSmtpClientClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = mr_smtp_client_finalize;
  object_class->get_property = mr_smtp_client_get_property;

  properties [PROP_FINISHED] =
    g_param_spec_boolean ("finished", NULL, NULL, FALSE,
                          (G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * MrSmtpClient::output:
   *
   * Emitted after start(), feed() or tls_started() when there is new
   * output to send, so an owner need not poll.
   */
  signals [OUTPUT] =
    g_signal_new ("output", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 0);

  /**
   * MrSmtpClient::finished:
   *
   * Emitted once, when the conversation is over (QUIT answered, 421, a
   * protocol error or a lost connection). Every recipient then has its
   * outcome.
   */
  signals [FINISHED] =
    g_signal_new ("finished", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 0);
}

static void
mr_smtp_client_init (MrSmtpClient *self)
{
  self->reader = mr_line_reader_new (DEFAULT_MAX_LINE);
  g_queue_init (&self->output);
  g_queue_init (&self->expect);
  self->recipients = g_ptr_array_new_with_free_func ((GDestroyNotify)recipient_free);
  self->extensions = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  self->reply_lines = g_ptr_array_new_with_free_func (g_free);
  g_ptr_array_add (self->reply_lines, NULL);  /* kept NULL-terminated for g_strjoinv */
  self->phase = PHASE_IDLE;
  self->action = MR_SESSION_CONTINUE;
  self->tls_policy = MR_SMTP_TLS_OPPORTUNISTIC;
  self->emit_lines = TRUE;
  self->use_chunking = TRUE;
}

MrSmtpClient *
mr_smtp_client_new (MrConversation *conversation,
                    const char     *helo_name)
{
  MrSmtpClient *self;

  self = g_object_new (MR_TYPE_SMTP_CLIENT, NULL);
  if (conversation != NULL)
    self->conversation = mr_conversation_ref (conversation);
  self->helo_name = g_strdup (helo_name ? helo_name : "localhost");

  return self;
}

void
mr_smtp_client_set_emit_lines (MrSmtpClient *self,
                               gboolean      emit_lines)
{
  g_return_if_fail (MR_IS_SMTP_CLIENT (self));
  self->emit_lines = !!emit_lines;
}

void
mr_smtp_client_set_tls_policy (MrSmtpClient    *self,
                               MrSmtpTlsPolicy  policy)
{
  g_return_if_fail (MR_IS_SMTP_CLIENT (self));
  self->tls_policy = policy;
}

void
mr_smtp_client_set_use_chunking (MrSmtpClient *self,
                                 gboolean      use_chunking)
{
  g_return_if_fail (MR_IS_SMTP_CLIENT (self));
  self->use_chunking = !!use_chunking;
}

void
mr_smtp_client_set_max_line (MrSmtpClient *self,
                             gsize         max_line)
{
  g_return_if_fail (MR_IS_SMTP_CLIENT (self));
  mr_line_reader_set_max_line (self->reader, max_line ? max_line : DEFAULT_MAX_LINE);
}

void
mr_smtp_client_set_auth (MrSmtpClient *self,
                         const char   *user,
                         const char   *password)
{
  g_return_if_fail (MR_IS_SMTP_CLIENT (self));
  g_return_if_fail (self->phase == PHASE_IDLE);

  g_free (self->auth_user);
  self->auth_user = g_strdup (user);
  g_free (self->auth_password);
  self->auth_password = g_strdup (user ? password : NULL);
}

void
mr_smtp_client_set_sender (MrSmtpClient *self,
                           const char   *sender,
                           const char   *ret,
                           const char   *envid)
{
  g_return_if_fail (MR_IS_SMTP_CLIENT (self));
  g_return_if_fail (self->phase == PHASE_IDLE);

  g_free (self->sender);
  self->sender = g_strdup (sender ? sender : "");
  g_free (self->ret);
  self->ret = g_strdup (ret);
  g_free (self->envid);
  self->envid = g_strdup (envid);
}

void
mr_smtp_client_add_recipient (MrSmtpClient *self,
                              const char   *address,
                              const char   *notify,
                              const char   *orcpt)
{
  MrSmtpClientRecipient *rcpt;

  g_return_if_fail (MR_IS_SMTP_CLIENT (self));
  g_return_if_fail (address != NULL);
  g_return_if_fail (self->phase == PHASE_IDLE);

  rcpt = g_new0 (MrSmtpClientRecipient, 1);
  rcpt->address = g_strdup (address);
  rcpt->notify = g_strdup (notify);
  rcpt->orcpt = g_strdup (orcpt);
  g_ptr_array_add (self->recipients, rcpt);
}

void
mr_smtp_client_set_message (MrSmtpClient *self,
                            GBytes       *message)
{
  g_return_if_fail (MR_IS_SMTP_CLIENT (self));

  g_clear_pointer (&self->message, g_bytes_unref);
  if (message != NULL)
    self->message = g_bytes_ref (message);
}

static void
emit_output (MrSmtpClient *self)
{
  if (!g_queue_is_empty (&self->output))
    g_signal_emit (self, signals [OUTPUT], 0);
}

void
mr_smtp_client_start (MrSmtpClient *self)
{
  g_return_if_fail (MR_IS_SMTP_CLIENT (self));
  g_return_if_fail (self->phase == PHASE_IDLE);

  /* RFC 5321 3.1: the server speaks first. */
  self->phase = PHASE_GREETING;
  g_queue_push_tail (&self->expect, GUINT_TO_POINTER (EXPECT_BANNER));
}

void
mr_smtp_client_feed (MrSmtpClient *self,
                     const guint8 *data,
                     gsize         len)
{
  g_return_if_fail (MR_IS_SMTP_CLIENT (self));
  g_return_if_fail (data != NULL || len == 0);

  if (self->finished || self->action != MR_SESSION_CONTINUE)
    return;

  g_object_ref (self);
  mr_line_reader_feed (self->reader, data, len);

  while (!self->finished && self->action == MR_SESSION_CONTINUE)
    {
      g_autoptr(GError) error = NULL;
      const char *line;
      MrLineEnding ending;
      gsize line_len;
      int ret;

      ret = mr_line_reader_next_line (self->reader, &line, &line_len, &ending, &error);
      if (ret == 0)
        break;
      if (ret < 0)
        {
          protocol_error (self, "the server's reply line is too long");
          break;
        }
      process_line (self, line, line_len);
    }

  emit_output (self);
  g_object_unref (self);
}

GBytes *
mr_smtp_client_next_output (MrSmtpClient *self)
{
  g_return_val_if_fail (MR_IS_SMTP_CLIENT (self), NULL);
  return g_queue_pop_head (&self->output);
}

GBytes *
mr_smtp_client_take_output (MrSmtpClient *self)
{
  g_autoptr(GByteArray) all = NULL;
  GBytes *unit;

  g_return_val_if_fail (MR_IS_SMTP_CLIENT (self), NULL);

  if (g_queue_is_empty (&self->output))
    return NULL;

  all = g_byte_array_new ();
  while ((unit = g_queue_pop_head (&self->output)) != NULL)
    {
      g_byte_array_append (all, g_bytes_get_data (unit, NULL), g_bytes_get_size (unit));
      g_bytes_unref (unit);
    }

  return g_byte_array_free_to_bytes (g_steal_pointer (&all));
}

gboolean
mr_smtp_client_has_output (MrSmtpClient *self)
{
  g_return_val_if_fail (MR_IS_SMTP_CLIENT (self), FALSE);
  return !g_queue_is_empty (&self->output);
}

MrSessionAction
mr_smtp_client_get_action (MrSmtpClient *self)
{
  g_return_val_if_fail (MR_IS_SMTP_CLIENT (self), MR_SESSION_CLOSE);
  return self->action;
}

void
mr_smtp_client_tls_started (MrSmtpClient *self)
{
  g_return_if_fail (MR_IS_SMTP_CLIENT (self));
  g_return_if_fail (self->action == MR_SESSION_START_TLS);

  self->action = MR_SESSION_CONTINUE;
  self->encrypted = TRUE;
  if (self->conversation != NULL)
    self->conversation->encrypted = TRUE;
  /* RFC 3207 4.2: forget what the server said before TLS, and anything
   * it may have sent after the 220 in the clear; greet again. */
  mr_line_reader_clear (self->reader);
  send_ehlo (self);
  emit_output (self);
}

void
mr_smtp_client_disconnected (MrSmtpClient *self,
                             const char   *reason)
{
  g_return_if_fail (MR_IS_SMTP_CLIENT (self));

  if (self->finished)
    return;

  if (self->phase == PHASE_QUIT)
    {
      /* The server hung up after QUIT without a 221: nothing is lost. */
      finish (self);
      return;
    }

  fail_local (self, FALSE, "4.4.2", reason ? reason : "connection lost", FALSE);
}

gboolean
mr_smtp_client_get_finished (MrSmtpClient *self)
{
  g_return_val_if_fail (MR_IS_SMTP_CLIENT (self), FALSE);
  return self->finished;
}

GPtrArray *
mr_smtp_client_get_recipients (MrSmtpClient *self)
{
  g_return_val_if_fail (MR_IS_SMTP_CLIENT (self), NULL);
  return self->recipients;
}

gboolean
mr_smtp_client_has_extension (MrSmtpClient *self,
                              const char   *keyword)
{
  g_autofree char *upper = NULL;

  g_return_val_if_fail (MR_IS_SMTP_CLIENT (self), FALSE);
  g_return_val_if_fail (keyword != NULL, FALSE);

  upper = g_ascii_strup (keyword, -1);
  return g_hash_table_contains (self->extensions, upper);
}

guint
mr_smtp_client_get_last_code (MrSmtpClient *self)
{
  g_return_val_if_fail (MR_IS_SMTP_CLIENT (self), 0);
  return self->last_code;
}

const char *
mr_smtp_client_get_last_text (MrSmtpClient *self)
{
  g_return_val_if_fail (MR_IS_SMTP_CLIENT (self), NULL);
  return self->last_text;
}

const char *
mr_smtp_client_get_last_enhanced (MrSmtpClient *self)
{
  g_return_val_if_fail (MR_IS_SMTP_CLIENT (self), NULL);
  return self->last_enhanced;
}

const char *
mr_smtp_client_get_error (MrSmtpClient *self)
{
  g_return_val_if_fail (MR_IS_SMTP_CLIENT (self), NULL);
  return self->error;
}

gboolean
mr_smtp_client_get_encrypted (MrSmtpClient *self)
{
  g_return_val_if_fail (MR_IS_SMTP_CLIENT (self), FALSE);
  return self->encrypted;
}

gboolean
mr_smtp_client_get_transaction_started (MrSmtpClient *self)
{
  g_return_val_if_fail (MR_IS_SMTP_CLIENT (self), FALSE);
  return self->mail_accepted;
}
