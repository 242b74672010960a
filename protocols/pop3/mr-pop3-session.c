/* mr-pop3-session.c
 *
 * Copyright 2026 The Mailroom authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "mr-pop3-session"

#include "config.h"

#include <string.h>
#include <unistd.h>

#include "mr-error.h"
#include "mr-line-reader.h"
#include "mr-pop3-session.h"

/*
 * A POP3 server session (RFC 1939) with the RFC 2449 extensions (CAPA,
 * response codes, TOP, UIDL, PIPELINING), SASL PLAIN (RFC 5034) and STLS
 * (RFC 2595). Sans-IO: lines come in through feed(), replies go to the
 * MrSession outbox, and every line in either direction becomes an event.
 *
 * The session works on a snapshot of INBOX taken at login. RFC 1939 5 only
 * promises that message numbers stay put for the session; new mail shows at
 * the next login, as with most servers.
 */

typedef struct
{
  MrMessage *message;     /* owned reference */
  gsize      size;        /* octets as RETR sends them (CRLF, before stuffing) */
  guint      deleted : 1; /* DELE'd: gone from listings, expunged at QUIT */
  guint      retrieved : 1;
} DropEntry;

struct _MrPop3Session
{
  MrSession     parent_instance;

  /* Borrowed: the store outlives its sessions */
  MrStore      *store;

  /* Owned, permanent */
  MrClock      *clock;
  MrLineReader *reader;
  char         *hostname;
  MrFaultSet   *faults;
  char         *timestamp;      /* APOP banner timestamp, or NULL */
  guint         apop_enabled : 1;
  guint         implicit_tls : 1;

  /* Owned, reset at login / STLS */
  MrPop3State   state;
  char         *user;           /* after a successful USER, for PASS */
  guint         sasl_pending : 1; /* AUTH PLAIN sent "+ ", waits for the response */
  MrAccount    *account;        /* locked maildrop (TRANSACTION) */
  MrMailbox    *inbox;
  GArray       *drop;           /* DropEntry, the snapshot */

  /* Counters for the whole connection */
  guint         auth_failures;
  guint         bad_commands;   /* in a row */
  guint         batch;          /* commands taken from the current feed */
};

G_DEFINE_FINAL_TYPE (MrPop3Session, mr_pop3_session, MR_TYPE_SESSION)

typedef void (*Pop3CommandFunc) (MrPop3Session *self,
                                 const char    *args);

#define IN_AUTH  (1u << MR_POP3_STATE_AUTHORIZATION)
#define IN_TRANS (1u << MR_POP3_STATE_TRANSACTION)

typedef struct
{
  const char      *name;
  guint            states;   /* bitmask of 1 << MrPop3State */
  Pop3CommandFunc  func;
} Pop3Command;

static void process_input (MrPop3Session *self);

const char *
mr_pop3_state_to_string (MrPop3State state)
{
  switch (state)
    {
    case MR_POP3_STATE_AUTHORIZATION:
      return "authorization";
    case MR_POP3_STATE_TRANSACTION:
      return "transaction";
    case MR_POP3_STATE_UPDATE:
      return "update";
    default:
      g_assert_not_reached ();
    }
}

char *
mr_pop3_apop_digest (const char *timestamp,
                     const char *secret)
{
  g_autoptr(GChecksum) checksum = g_checksum_new (G_CHECKSUM_MD5);

  g_return_val_if_fail (timestamp != NULL, NULL);
  g_return_val_if_fail (secret != NULL, NULL);

  g_checksum_update (checksum, (const guchar *)timestamp, strlen (timestamp));
  g_checksum_update (checksum, (const guchar *)secret, strlen (secret));
  return g_strdup (g_checksum_get_string (checksum));
}

/* Event text must be valid UTF-8 without control characters: hostile
 * input is shown, not obeyed. */
static char *
sanitize (const char *text,
          gsize       len)
{
  char *valid = g_utf8_make_valid (text, len);

  for (char *p = valid; *p; p++)
    if ((guchar)*p < 0x20 || *p == 0x7f)
      *p = '?';
  return valid;
}

/* Replies */

static void
send_reply (MrPop3Session *self,
            const char    *line,
            MrEventFlags   flags)
{
  MrConversation *conversation = mr_session_get_conversation (MR_SESSION (self));
  MrEvent *event;

  event = mr_conversation_new_event (conversation, MR_EVENT_LINE, MR_DIRECTION_TO_CLIENT, line);
  if (g_str_has_prefix (line, "-ERR"))
    flags |= MR_EVENT_FLAG_ERROR;
  event->flags |= flags;
  mr_event_set_state (event, mr_pop3_state_to_string (self->state));
  mr_session_send_line (MR_SESSION (self), line, event);
}

static void reply (MrPop3Session *self,
                   const char    *format,
                   ...) G_GNUC_PRINTF (2, 3);

static void
reply (MrPop3Session *self,
       const char    *format,
       ...)
{
  g_autofree char *line = NULL;
  va_list args;

  va_start (args, format);
  line = g_strdup_vprintf (format, args);
  va_end (args);

  send_reply (self, line, MR_EVENT_FLAG_NONE);
}

/* A line of a multi-line response other than the final "." (RFC 1939 3). */
static void reply_more (MrPop3Session *self,
                        const char    *format,
                        ...) G_GNUC_PRINTF (2, 3);

static void
reply_more (MrPop3Session *self,
            const char    *format,
            ...)
{
  g_autofree char *line = NULL;
  va_list args;

  va_start (args, format);
  line = g_strdup_vprintf (format, args);
  va_end (args);

  send_reply (self, line, MR_EVENT_FLAG_CONTINUED);
}

static void
release_maildrop (MrPop3Session *self)
{
  if (self->account != NULL)
    mr_account_unlock (self->account, self);
  g_clear_object (&self->account);
  g_clear_object (&self->inbox);
  g_clear_pointer (&self->drop, g_array_unref);
}

static void
close_session (MrPop3Session *self)
{
  release_maildrop (self);
  mr_session_set_action (MR_SESSION (self), MR_SESSION_CLOSE);
}

/* A client mistake (unknown command, wrong state, bad syntax): -ERR, and
 * after MrLimits.max_bad_commands in a row, goodbye (Postfix's junk limit). */
static void bad_command (MrPop3Session *self,
                         const char    *format,
                         ...) G_GNUC_PRINTF (2, 3);

static void
bad_command (MrPop3Session *self,
             const char    *format,
             ...)
{
  const MrLimits *limits = mr_session_get_limits (MR_SESSION (self));
  g_autofree char *line = NULL;
  va_list args;

  va_start (args, format);
  line = g_strdup_vprintf (format, args);
  va_end (args);

  send_reply (self, line, MR_EVENT_FLAG_NONE);

  if (++self->bad_commands >= limits->max_bad_commands)
    {
      reply (self, "-ERR too many bad commands (%u in a row); closing the connection",
             self->bad_commands);
      close_session (self);
    }
}

/* Authorization */

static void
auth_failed (MrPop3Session *self,
             const char    *why)
{
  const MrLimits *limits = mr_session_get_limits (MR_SESSION (self));
  guint max = MAX (limits->max_auth_failures, 1);

  self->auth_failures++;
  g_clear_pointer (&self->user, g_free);

  if (self->auth_failures <= max)
    {
      reply (self, "-ERR [AUTH] %s", why);
      return;
    }

  /* RFC 1939 13, RFC 5034 6: slow the guessing down; what the client sent
   * meanwhile waits its turn (mr_session_hold()). */
  mr_session_hold (MR_SESSION (self), self->clock, MR_POP3_AUTH_DELAY_USEC);
  if (self->auth_failures < 2 * max)
    reply (self, "-ERR [AUTH] %s (failed login %u: replies are now delayed)", why, self->auth_failures);
  else
    {
      reply (self, "-ERR [AUTH] %s; too many failed logins (%u), closing the connection",
             why, self->auth_failures);
      close_session (self);
    }
}

/* RFC 1939 11: the size is what RETR sends, with CRLF line endings. */
static gsize
measure_message (GBytes *raw)
{
  gsize len;
  const char *data = g_bytes_get_data (raw, &len);
  const char *p = data;
  const char *end = data + len;
  gsize size = len;

  while (p < end && (p = memchr (p, '\n', end - p)) != NULL)
    {
      if (p == data || p[-1] != '\r')
        size++;
      p++;
    }
  if (len > 0 && data[len - 1] != '\n')
    size += 2;

  return size;
}

static void
drop_entry_clear (gpointer data)
{
  DropEntry *entry = data;

  g_clear_object (&entry->message);
}

/* RFC 1939 8: the maildrop is locked for the whole TRANSACTION state. */
static void
login (MrPop3Session *self,
       MrAccount     *account)
{
  const char *fault;
  gsize total = 0;
  guint n;

  /* A fault may refuse the login or pretend someone holds the maildrop. */
  if (self->faults != NULL &&
      ((fault = mr_fault_set_check_mailbox (self->faults, MR_PROTOCOL_POP3, MR_FAULT_STAGE_LOGIN,
                                            self->hostname, mr_account_get_address (account))) ||
       (fault = mr_fault_set_check_mailbox (self->faults, MR_PROTOCOL_POP3, MR_FAULT_STAGE_MAILBOX,
                                            self->hostname, mr_account_get_address (account)))))
    {
      g_clear_pointer (&self->user, g_free);
      reply (self, "%s", fault);
      return;
    }

  if (!mr_account_try_lock (account, self))
    {
      g_clear_pointer (&self->user, g_free);
      reply (self, "-ERR [IN-USE] the maildrop of %s is locked: another POP3 session has it open",
             mr_account_get_address (account));
      return;
    }

  self->account = g_object_ref (account);
  self->inbox = g_object_ref (mr_account_get_inbox (account));
  n = mr_mailbox_get_n_messages (self->inbox);
  self->drop = g_array_sized_new (FALSE, TRUE, sizeof (DropEntry), n);
  g_array_set_clear_func (self->drop, drop_entry_clear);

  for (guint i = 0; i < n; i++)
    {
      DropEntry entry = { 0 };

      entry.message = g_object_ref (mr_mailbox_get_message (self->inbox, i));
      entry.size = measure_message (mr_message_get_raw (entry.message));
      total += entry.size;
      g_array_append_val (self->drop, entry);
    }

  self->state = MR_POP3_STATE_TRANSACTION;
  g_clear_pointer (&self->user, g_free);
  self->bad_commands = 0;

  reply (self, "+OK %s has %u message%s (%" G_GSIZE_FORMAT " octets)",
         mr_account_get_address (account), n, n == 1 ? "" : "s", total);
}

static void
check_password (MrPop3Session *self,
                const char    *user,
                const char    *password)
{
  MrAccount *account = mr_store_authenticate (self->store, user, password);

  if (account == NULL)
    auth_failed (self, "invalid user name or password");
  else
    login (self, account);
}

static void
cmd_user (MrPop3Session *self,
          const char    *args)
{
  if (args == NULL || *args == '\0')
    {
      bad_command (self, "-ERR USER needs a mailbox name: USER name");
      return;
    }

  g_free (self->user);
  self->user = g_strdup (args);
  /* RFC 1939 7 lets us say "-ERR never heard of mailbox name"; telling
   * strangers which accounts exist helps only spammers, so we wait for PASS. */
  {
    g_autofree char *shown = sanitize (args, strlen (args));

    reply (self, "+OK send PASS for %s", shown);
  }
}

static void
cmd_pass (MrPop3Session *self,
          const char    *args)
{
  g_autofree char *user = g_steal_pointer (&self->user);

  if (user == NULL)
    {
      bad_command (self, "-ERR PASS must come right after a successful USER");
      return;
    }
  if (args == NULL || *args == '\0')
    {
      bad_command (self, "-ERR PASS needs a password: PASS secret");
      return;
    }

  /* RFC 1939 7: the password may contain spaces; it is the rest of the line. */
  check_password (self, user, args);
}

/* RFC 1939 7: APOP name digest, digest = MD5(timestamp + secret). */
static void
cmd_apop (MrPop3Session *self,
          const char    *args)
{
  g_auto(GStrv) argv = NULL;
  g_autofree char *expected = NULL;
  MrAccount *account;
  const char *password;

  g_clear_pointer (&self->user, g_free);

  if (!self->apop_enabled || self->timestamp == NULL)
    {
      bad_command (self, "-ERR APOP is not enabled on this server; use USER/PASS or AUTH PLAIN");
      return;
    }

  argv = g_strsplit (args ? args : "", " ", -1);
  if (g_strv_length (argv) != 2 || *argv[0] == '\0' || *argv[1] == '\0')
    {
      bad_command (self, "-ERR APOP needs a name and a digest: APOP name digest");
      return;
    }
  if (strlen (argv[1]) != 32 || strspn (argv[1], "0123456789abcdefABCDEF") != 32)
    {
      bad_command (self, "-ERR the APOP digest must be 32 hexadecimal digits (an MD5 sum)");
      return;
    }

  account = mr_store_lookup_account (self->store, argv[0]);
  password = account ? mr_account_get_password (account) : NULL;
  if (password != NULL)
    expected = mr_pop3_apop_digest (self->timestamp, password);

  if (expected == NULL || g_ascii_strcasecmp (expected, argv[1]) != 0)
    auth_failed (self, "invalid user name or APOP digest");
  else
    login (self, account);
}

/* RFC 4648 4 base64, strictly: the alphabet, whole quanta, padding at the end. */
static gboolean
is_base64 (const char *text)
{
  gsize len = strlen (text);
  gsize pad = 0;

  if (len == 0 || len % 4 != 0)
    return FALSE;
  while (pad < 2 && text[len - 1 - pad] == '=')
    pad++;
  for (gsize i = 0; i < len - pad; i++)
    if (!g_ascii_isalnum (text[i]) && text[i] != '+' && text[i] != '/')
      return FALSE;
  return TRUE;
}

/* RFC 4616 2: message = [authzid] NUL authcid NUL passwd */
static void
check_plain_response (MrPop3Session *self,
                      const char    *response)
{
  g_autofree guchar *decoded = NULL;
  const char *authzid, *authcid, *passwd;
  gsize len;

  if (strcmp (response, "*") == 0)
    {
      /* RFC 5034 4: the client cancels the exchange. */
      reply (self, "-ERR AUTH cancelled by the client");
      return;
    }
  if (*response == '\0')
    {
      bad_command (self, "-ERR the AUTH PLAIN response is empty");
      return;
    }
  if (!is_base64 (response))
    {
      bad_command (self, "-ERR the AUTH PLAIN response is not valid base64");
      return;
    }

  decoded = g_base64_decode (response, &len);
  /* Exactly two NULs, none at the end: make it a string for the parsing. */
  decoded = g_realloc (decoded, len + 1);
  decoded[len] = '\0';

  authzid = (const char *)decoded;
  authcid = memchr (decoded, '\0', len) ? authzid + strlen (authzid) + 1 : NULL;
  if (authcid == NULL || authcid >= (const char *)decoded + len)
    {
      bad_command (self, "-ERR malformed AUTH PLAIN response: expected authzid NUL user NUL password");
      return;
    }
  passwd = authcid + strlen (authcid) + 1;
  if (passwd > (const char *)decoded + len ||
      passwd + strlen (passwd) != (const char *)decoded + len ||
      *authcid == '\0')
    {
      bad_command (self, "-ERR malformed AUTH PLAIN response: expected authzid NUL user NUL password");
      return;
    }

  if (*authzid != '\0' && g_ascii_strcasecmp (authzid, authcid) != 0)
    {
      auth_failed (self, "you may only log in as yourself (authorization identity must be empty or your user name)");
      return;
    }

  check_password (self, authcid, passwd);
}

/* RFC 5034: AUTH mechanism [initial-response] */
static void
cmd_auth (MrPop3Session *self,
          const char    *args)
{
  const char *space;
  g_autofree char *mechanism = NULL;

  g_clear_pointer (&self->user, g_free);

  if (args == NULL || *args == '\0')
    {
      /* Not in RFC 5034, but clients (and Dovecot) use it to list mechanisms. */
      reply_more (self, "+OK SASL mechanisms follow");
      reply_more (self, "PLAIN");
      reply (self, ".");
      return;
    }

  space = strchr (args, ' ');
  mechanism = space ? g_strndup (args, space - args) : g_strdup (args);

  if (g_ascii_strcasecmp (mechanism, "PLAIN") != 0)
    {
      g_autofree char *shown = sanitize (mechanism, MIN (strlen (mechanism), 40));

      bad_command (self, "-ERR unsupported SASL mechanism %s; this server offers PLAIN", shown);
      return;
    }

  if (space != NULL)
    {
      const char *initial = space + 1;

      /* RFC 5034 4: "=" is an empty initial response. */
      check_plain_response (self, strcmp (initial, "=") == 0 ? "" : initial);
      return;
    }

  /* RFC 5034 4: an empty challenge, "+ "; the response may be longer than
   * a command line. */
  self->sasl_pending = TRUE;
  mr_line_reader_set_max_line (self->reader, MR_POP3_MAX_SASL_LINE);
  send_reply (self, "+ ", MR_EVENT_FLAG_CONTINUATION);
}

/* RFC 2595 4: STLS */
static void
cmd_stls (MrPop3Session *self,
          const char    *args)
{
  if (args != NULL)
    {
      bad_command (self, "-ERR STLS takes no arguments");
      return;
    }
  if (self->implicit_tls || mr_session_get_encrypted (MR_SESSION (self)))
    {
      bad_command (self, "-ERR TLS is already active on this connection");
      return;
    }
  if (!mr_session_get_tls_available (MR_SESSION (self)))
    {
      reply (self, "-ERR STLS is not available: this server has no TLS certificate");
      return;
    }

  reply (self, "+OK begin TLS negotiation");
  /* RFC 2595 4: whatever the client pipelined after STLS is not ours. */
  mr_line_reader_clear (self->reader);
  mr_session_set_action (MR_SESSION (self), MR_SESSION_START_TLS);
}

/* RFC 2449 5: CAPA, in both states */
static void
cmd_capa (MrPop3Session *self,
          const char    *args)
{
  if (args != NULL)
    {
      bad_command (self, "-ERR CAPA takes no arguments");
      return;
    }

  reply_more (self, "+OK capability list follows");
  reply_more (self, "TOP");
  reply_more (self, "UIDL");
  if (self->state == MR_POP3_STATE_AUTHORIZATION)
    {
      reply_more (self, "USER");
      reply_more (self, "SASL PLAIN");
      if (!self->implicit_tls && mr_session_get_tls_available (MR_SESSION (self)))
        reply_more (self, "STLS");
    }
  reply_more (self, "RESP-CODES");
  reply_more (self, "AUTH-RESP-CODE");
  reply_more (self, "PIPELINING");
  reply_more (self, "EXPIRE NEVER");
  reply_more (self, "IMPLEMENTATION Mailroom");
  reply (self, ".");
}

static void
cmd_quit (MrPop3Session *self,
          const char    *args)
{
  guint removed = 0;
  guint left = 0;
  g_autoptr(GError) error = NULL;

  if (self->state == MR_POP3_STATE_AUTHORIZATION)
    {
      /* RFC 1939 4: QUIT before login ends the session without UPDATE. */
      reply (self, "+OK %s POP3 server signing off", self->hostname);
      close_session (self);
      return;
    }

  /* RFC 1939 6: QUIT in TRANSACTION enters UPDATE, which removes every
   * message marked as deleted and releases the maildrop. Messages that
   * were retrieved are marked \Seen here too, so a dropped connection
   * changes nothing at all. */
  self->state = MR_POP3_STATE_UPDATE;

  for (guint i = 0; i < self->drop->len; i++)
    {
      DropEntry *entry = &g_array_index (self->drop, DropEntry, i);

      /* Someone (IMAP) may have expunged it meanwhile. */
      if (mr_mailbox_index_of (self->inbox, entry->message) < 0)
        continue;

      if (entry->deleted)
        {
          g_autoptr(GError) local_error = NULL;

          if (mr_mailbox_expunge (self->inbox, entry->message, &local_error))
            removed++;
          else if (error == NULL)
            error = g_steal_pointer (&local_error);
        }
      else if (entry->retrieved &&
               !(mr_message_get_flags (entry->message) & MR_FLAG_SEEN))
        {
          mr_mailbox_set_flags (self->inbox, entry->message,
                                mr_message_get_flags (entry->message) | MR_FLAG_SEEN,
                                NULL, NULL);
        }
    }
  left = mr_mailbox_get_n_messages (self->inbox);

  if (error != NULL)
    reply (self, "-ERR [SYS/TEMP] some deleted messages not removed: %s", error->message);
  else
    reply (self, "+OK %s POP3 server signing off (%u message%s deleted, %u left)",
           self->hostname, removed, removed == 1 ? "" : "s", left);
  close_session (self);
}

static void
cmd_noop (MrPop3Session *self,
          const char    *args)
{
  if (args != NULL)
    bad_command (self, "-ERR NOOP takes no arguments");
  else
    reply (self, "+OK");
}

/* Transaction */

static void
count_drop (MrPop3Session *self,
            guint         *count_r,
            gsize         *size_r)
{
  guint count = 0;
  gsize size = 0;

  for (guint i = 0; i < self->drop->len; i++)
    {
      DropEntry *entry = &g_array_index (self->drop, DropEntry, i);

      if (!entry->deleted)
        {
          count++;
          size += entry->size;
        }
    }
  *count_r = count;
  *size_r = size;
}

/* Parses a message number (RFC 1939 3: 1-based, no sign, no leading
 * spaces). Replies with an -ERR and returns NULL when it is no good. */
static DropEntry *
parse_msg (MrPop3Session *self,
           const char    *verb,
           const char    *arg,
           guint         *number_r)
{
  guint64 number = 0;
  DropEntry *entry;

  if (arg == NULL || *arg == '\0')
    {
      bad_command (self, "-ERR %s needs a message number", verb);
      return NULL;
    }
  for (const char *p = arg; *p; p++)
    {
      if (!g_ascii_isdigit (*p) || number > G_MAXUINT32)
        {
          g_autofree char *shown = sanitize (arg, MIN (strlen (arg), 40));

          bad_command (self, "-ERR invalid message number \"%s\": expected digits only", shown);
          return NULL;
        }
      number = number * 10 + (*p - '0');
    }

  if (number == 0 || number > self->drop->len)
    {
      reply (self, "-ERR no such message: %" G_GUINT64_FORMAT " is not between 1 and %u",
             number, self->drop->len);
      return NULL;
    }

  entry = &g_array_index (self->drop, DropEntry, number - 1);
  if (entry->deleted)
    {
      reply (self, "-ERR message %" G_GUINT64_FORMAT " already deleted", number);
      return NULL;
    }

  *number_r = (guint)number;
  return entry;
}

static void
cmd_stat (MrPop3Session *self,
          const char    *args)
{
  guint count;
  gsize size;

  if (args != NULL)
    {
      bad_command (self, "-ERR STAT takes no arguments");
      return;
    }

  count_drop (self, &count, &size);
  reply (self, "+OK %u %" G_GSIZE_FORMAT, count, size);
}

static void
cmd_list (MrPop3Session *self,
          const char    *args)
{
  if (args != NULL)
    {
      guint number;
      DropEntry *entry;

      if (strchr (args, ' '))
        {
          bad_command (self, "-ERR LIST takes at most one message number");
          return;
        }
      if ((entry = parse_msg (self, "LIST", args, &number)))
        reply (self, "+OK %u %" G_GSIZE_FORMAT, number, entry->size);
    }
  else
    {
      guint count;
      gsize size;

      count_drop (self, &count, &size);
      reply_more (self, "+OK %u message%s (%" G_GSIZE_FORMAT " octets)",
                  count, count == 1 ? "" : "s", size);
      for (guint i = 0; i < self->drop->len; i++)
        {
          DropEntry *entry = &g_array_index (self->drop, DropEntry, i);

          if (!entry->deleted)
            reply_more (self, "%u %" G_GSIZE_FORMAT, i + 1, entry->size);
        }
      reply (self, ".");
    }
}

/* RFC 1939 7: the unique-id persists across sessions: UIDVALIDITY and UID
 * together never repeat for a mailbox. */
static char *
dup_unique_id (MrPop3Session *self,
               DropEntry     *entry)
{
  return g_strdup_printf ("%u.%u", mr_mailbox_get_uidvalidity (self->inbox),
                          mr_message_get_uid (entry->message));
}

static void
cmd_uidl (MrPop3Session *self,
          const char    *args)
{
  if (args != NULL)
    {
      guint number;
      DropEntry *entry;

      if (strchr (args, ' '))
        {
          bad_command (self, "-ERR UIDL takes at most one message number");
          return;
        }
      if ((entry = parse_msg (self, "UIDL", args, &number)))
        {
          g_autofree char *uid = dup_unique_id (self, entry);

          reply (self, "+OK %u %s", number, uid);
        }
    }
  else
    {
      reply_more (self, "+OK unique-id listing follows");
      for (guint i = 0; i < self->drop->len; i++)
        {
          DropEntry *entry = &g_array_index (self->drop, DropEntry, i);

          if (!entry->deleted)
            {
              g_autofree char *uid = dup_unique_id (self, entry);

              reply_more (self, "%u %s", i + 1, uid);
            }
        }
      reply (self, ".");
    }
}

/* Writes the message with CRLF line endings and RFC 1939 3 byte-stuffing:
 * a line that starts with "." gets another one. With @max_body_lines >= 0,
 * only the header, the blank line and that many body lines (TOP). Returns
 * how many bytes of @raw were sent. */
static gsize
write_message (MrPop3Session *self,
               GBytes        *raw,
               gssize         max_body_lines,
               guint         *lines_r)
{
  MrSession *session = MR_SESSION (self);
  gsize len;
  const char *data = g_bytes_get_data (raw, &len);
  const char *p = data;
  const char *end = data + len;
  gboolean in_body = FALSE;
  gssize body_lines = 0;
  guint lines = 0;

  while (p < end)
    {
      const char *nl = memchr (p, '\n', end - p);
      const char *line_end = nl ? nl : end;
      const char *content_end = line_end;
      gboolean blank;

      if (in_body && max_body_lines >= 0 && body_lines >= max_body_lines)
        break;

      if (content_end > p && content_end[-1] == '\r')
        content_end--;
      blank = content_end == p;

      if (*p == '.')
        mr_session_write (session, ".", 1);

      if (nl != NULL && content_end + 1 == nl)
        mr_session_write (session, p, nl + 1 - p);   /* already CRLF */
      else
        {
          mr_session_write (session, p, content_end - p);
          mr_session_write (session, "\r\n", 2);
        }
      lines++;

      if (in_body)
        body_lines++;
      else if (blank)
        in_body = TRUE;

      p = nl ? nl + 1 : end;
    }

  *lines_r = lines;
  return p - data;
}

static void
send_message (MrPop3Session *self,
              const char    *verb,
              guint          number,
              DropEntry     *entry,
              gssize         max_body_lines)
{
  MrConversation *conversation = mr_session_get_conversation (MR_SESSION (self));
  GBytes *raw = mr_message_get_raw (entry->message);
  g_autofree char *summary = NULL;
  g_autoptr(GBytes) sent = NULL;
  MrEvent *event;
  guint lines;
  gsize used;

  if (max_body_lines < 0)
    reply (self, "+OK %" G_GSIZE_FORMAT " octets", entry->size);
  else
    reply (self, "+OK top of message %u follows", number);

  used = write_message (self, raw, max_body_lines, &lines);
  sent = g_bytes_new_from_bytes (raw, 0, used);

  summary = max_body_lines < 0
    ? g_strdup_printf ("message %u: %" G_GSIZE_FORMAT " octets, %u lines", number, entry->size, lines)
    : g_strdup_printf ("message %u: header and %" G_GSSIZE_FORMAT " body lines (%u lines)",
                       number, max_body_lines, lines);
  event = mr_conversation_new_event (conversation, MR_EVENT_CONTENT, MR_DIRECTION_TO_CLIENT, summary);
  mr_event_set_verb (event, verb);
  mr_event_set_state (event, mr_pop3_state_to_string (self->state));
  mr_event_set_content (event, sent);
  mr_conversation_emit (conversation, event);

  reply (self, ".");
}

static void
cmd_retr (MrPop3Session *self,
          const char    *args)
{
  DropEntry *entry;
  guint number;

  if (args != NULL && strchr (args, ' '))
    {
      bad_command (self, "-ERR RETR takes one message number");
      return;
    }
  if (!(entry = parse_msg (self, "RETR", args, &number)))
    return;

  entry->retrieved = TRUE;
  send_message (self, "RETR", number, entry, -1);
}

static void
cmd_top (MrPop3Session *self,
         const char    *args)
{
  g_auto(GStrv) argv = g_strsplit (args ? args : "", " ", -1);
  DropEntry *entry;
  guint number;
  guint64 lines = 0;

  if (g_strv_length (argv) != 2)
    {
      bad_command (self, "-ERR TOP needs a message number and a line count: TOP msg n");
      return;
    }
  if (*argv[1] == '\0' || strspn (argv[1], "0123456789") != strlen (argv[1]) || strlen (argv[1]) > 9)
    {
      bad_command (self, "-ERR the TOP line count must be a non-negative number");
      return;
    }
  lines = g_ascii_strtoull (argv[1], NULL, 10);

  if (!(entry = parse_msg (self, "TOP", argv[0], &number)))
    return;

  send_message (self, "TOP", number, entry, (gssize)lines);
}

static void
cmd_dele (MrPop3Session *self,
          const char    *args)
{
  DropEntry *entry;
  guint number;

  if (args != NULL && strchr (args, ' '))
    {
      bad_command (self, "-ERR DELE takes one message number");
      return;
    }
  if (!(entry = parse_msg (self, "DELE", args, &number)))
    return;

  /* RFC 1939 5: only marked; the UPDATE state removes it. */
  entry->deleted = TRUE;
  reply (self, "+OK message %u deleted (removed at QUIT, RSET undoes it)", number);
}

static void
cmd_rset (MrPop3Session *self,
          const char    *args)
{
  guint count;
  gsize size;

  if (args != NULL)
    {
      bad_command (self, "-ERR RSET takes no arguments");
      return;
    }

  for (guint i = 0; i < self->drop->len; i++)
    g_array_index (self->drop, DropEntry, i).deleted = FALSE;

  count_drop (self, &count, &size);
  reply (self, "+OK maildrop has %u message%s (%" G_GSIZE_FORMAT " octets)",
         count, count == 1 ? "" : "s", size);
}

/* RFC 1939 4-6, RFC 2449, RFC 2595, RFC 5034: which command in which state. */
static const Pop3Command commands[] = {
  { "USER", IN_AUTH,            cmd_user },
  { "PASS", IN_AUTH,            cmd_pass },
  { "APOP", IN_AUTH,            cmd_apop },
  { "AUTH", IN_AUTH,            cmd_auth },
  { "STLS", IN_AUTH,            cmd_stls },
  { "CAPA", IN_AUTH | IN_TRANS, cmd_capa },
  { "QUIT", IN_AUTH | IN_TRANS, cmd_quit },
  { "NOOP", IN_TRANS,           cmd_noop },
  { "STAT", IN_TRANS,           cmd_stat },
  { "LIST", IN_TRANS,           cmd_list },
  { "UIDL", IN_TRANS,           cmd_uidl },
  { "RETR", IN_TRANS,           cmd_retr },
  { "TOP",  IN_TRANS,           cmd_top },
  { "DELE", IN_TRANS,           cmd_dele },
  { "RSET", IN_TRANS,           cmd_rset },
};

/* Input */

static void
emit_client_line (MrPop3Session *self,
                  const char    *text,
                  const char    *verb,
                  MrEventFlags   flags)
{
  MrConversation *conversation = mr_session_get_conversation (MR_SESSION (self));
  MrEvent *event;

  event = mr_conversation_new_event (conversation, MR_EVENT_LINE, MR_DIRECTION_TO_SERVER, text);
  event->flags |= flags;
  if (verb != NULL)
    mr_event_set_verb (event, verb);
  mr_event_set_state (event, mr_pop3_state_to_string (self->state));
  mr_conversation_emit (conversation, event);
}

static void
handle_sasl_response (MrPop3Session *self,
                      const char    *line,
                      gsize          len,
                      MrEventFlags   flags)
{
  g_autofree char *response = g_strndup (line, len);
  gboolean cancel = strcmp (response, "*") == 0;

  self->sasl_pending = FALSE;
  mr_line_reader_set_max_line (self->reader, MR_POP3_MAX_COMMAND_LINE);

  emit_client_line (self, cancel ? "*" : "****", NULL,
                    flags | (cancel ? 0 : MR_EVENT_FLAG_MASKED));

  if (strlen (response) != len)
    {
      bad_command (self, "-ERR NUL byte in the AUTH response");
      return;
    }
  check_plain_response (self, response);
}

static void
handle_line (MrPop3Session *self,
             const char    *line,
             gsize          len,
             MrEventFlags   flags)
{
  g_autofree char *verb = NULL;
  g_autofree char *shown = NULL;
  const char *args = NULL;
  const char *space;
  gsize verb_len;
  gboolean verb_ok = TRUE;

  if (self->sasl_pending)
    {
      handle_sasl_response (self, line, len, flags);
      return;
    }

  space = memchr (line, ' ', len);
  verb_len = space ? (gsize)(space - line) : len;
  if (space != NULL)
    args = space + 1;

  for (gsize i = 0; i < verb_len; i++)
    if (!g_ascii_isalpha (line[i]))
      verb_ok = FALSE;
  if (verb_len == 0 || verb_len > 4)
    verb_ok = FALSE;
  if (verb_ok)
    verb = g_ascii_strup (line, verb_len);

  /* Secrets never reach the event bus. */
  if (verb && (strcmp (verb, "PASS") == 0 || (strcmp (verb, "AUTH") == 0 && args && strchr (args, ' '))))
    {
      g_autofree char *prefix = NULL;

      if (strcmp (verb, "PASS") == 0)
        prefix = g_strdup ("PASS");
      else
        prefix = sanitize (line, strchr (args, ' ') - line);
      shown = g_strdup_printf ("%s ****", prefix);
      flags |= MR_EVENT_FLAG_MASKED;
    }
  else
    shown = sanitize (line, len);

  emit_client_line (self, shown, verb, flags);

  /* RFC 1939 7: PASS only right after a successful USER. */
  if (verb == NULL || strcmp (verb, "PASS") != 0)
    g_clear_pointer (&self->user, g_free);

  if (memchr (line, '\0', len) != NULL)
    {
      bad_command (self, "-ERR NUL byte in the command line");
      return;
    }
  if (len == 0)
    {
      bad_command (self, "-ERR empty command line");
      return;
    }
  if (args != NULL && *args == '\0')
    args = NULL;

  for (guint i = 0; verb && i < G_N_ELEMENTS (commands); i++)
    {
      const Pop3Command *command = &commands[i];

      if (strcmp (command->name, verb) != 0)
        continue;

      if (!(command->states & (1u << self->state)))
        {
          if (command->states & IN_AUTH)
            bad_command (self, "-ERR %s is only valid before login; you are already logged in", verb);
          else
            bad_command (self, "-ERR %s is only valid after login (TRANSACTION state): "
                         "log in with USER/PASS, APOP or AUTH first", verb);
          return;
        }

      {
        guint bad_before = self->bad_commands;

        command->func (self, args);
        /* The limit counts mistakes in a row. */
        if (self->bad_commands == bad_before)
          self->bad_commands = 0;
      }
      return;
    }

  {
    g_autofree char *name = sanitize (line, MIN (verb_len, 40));

    bad_command (self, "-ERR unknown command \"%s\"", name);
  }
}

static void
process_input (MrPop3Session *self)
{
  MrSession *session = MR_SESSION (self);

  while (mr_session_get_action (session) == MR_SESSION_CONTINUE &&
         !mr_session_get_closed (session) &&
         !mr_session_get_held (session))
    {
      g_autoptr(GError) error = NULL;
      const char *line;
      gsize len;
      MrLineEnding ending;
      MrEventFlags flags = MR_EVENT_FLAG_NONE;
      int ret;

      ret = mr_line_reader_next_line (self->reader, &line, &len, &ending, &error);
      if (ret == 0)
        break;

      if (self->batch++ > 0)
        flags |= MR_EVENT_FLAG_PIPELINED;

      if (ret < 0)
        {
          gsize max = self->sasl_pending ? MR_POP3_MAX_SASL_LINE : MR_POP3_MAX_COMMAND_LINE;

          self->sasl_pending = FALSE;
          mr_line_reader_set_max_line (self->reader, MR_POP3_MAX_COMMAND_LINE);
          emit_client_line (self, "(line too long, discarded)", NULL, flags | MR_EVENT_FLAG_TOO_LONG);
          /* RFC 2449 4: 255 octets per command line, CRLF included. */
          bad_command (self, "-ERR line too long: the limit is %" G_GSIZE_FORMAT " octets (RFC 2449)", max);
          continue;
        }

      if (ending == MR_LINE_BARE_LF)
        flags |= MR_EVENT_FLAG_BARE_LF;

      handle_line (self, line, len, flags);
    }
}

/* MrSession */

static void
mr_pop3_session_start (MrSession *session)
{
  MrPop3Session *self = (MrPop3Session *)session;
  const char *fault = NULL;

  g_assert (MR_IS_POP3_SESSION (self));

  if (self->faults != NULL)
    fault = mr_fault_set_check_mailbox (self->faults, MR_PROTOCOL_POP3, MR_FAULT_STAGE_CONNECT,
                                        self->hostname, NULL);
  if (fault != NULL)
    {
      /* server-busy: refuse at the greeting and hang up (RFC 2449 8.1.2). */
      reply (self, "%s", fault);
      mr_session_set_action (session, MR_SESSION_CLOSE);
      return;
    }

  /* RFC 1939 4 greeting; RFC 1939 7: the APOP timestamp goes in it. */
  if (self->timestamp != NULL)
    reply (self, "+OK Mailroom POP3 server ready on %s %s", self->hostname, self->timestamp);
  else
    reply (self, "+OK Mailroom POP3 server ready on %s", self->hostname);
}

static void
mr_pop3_session_feed (MrSession    *session,
                      const guint8 *data,
                      gsize         len)
{
  MrPop3Session *self = (MrPop3Session *)session;

  g_assert (MR_IS_POP3_SESSION (self));

  mr_line_reader_feed (self->reader, data, len);
  self->batch = 0;
  process_input (self);
}

static void
mr_pop3_session_tls_started (MrSession *session)
{
  MrPop3Session *self = (MrPop3Session *)session;

  g_assert (MR_IS_POP3_SESSION (self));

  /* RFC 2595 4: the session starts over in AUTHORIZATION; whatever the
   * client said before TLS counts for nothing. */
  g_clear_pointer (&self->user, g_free);
  self->sasl_pending = FALSE;
  mr_line_reader_clear (self->reader);
  mr_line_reader_set_max_line (self->reader, MR_POP3_MAX_COMMAND_LINE);
}

static void
mr_pop3_session_stop (MrSession    *session,
                      MrStopReason  reason)
{
  MrPop3Session *self = (MrPop3Session *)session;

  g_assert (MR_IS_POP3_SESSION (self));

  /* RFC 1939 3: a session ended by the server never enters UPDATE. */
  switch (reason)
    {
    case MR_STOP_SHUTDOWN:
      reply (self, "-ERR [SYS/TEMP] server shutting down; nothing was deleted, try again later");
      break;

    case MR_STOP_IDLE:
      reply (self, "-ERR [SYS/TEMP] autologout: idle for too long; nothing was deleted");
      break;

    case MR_STOP_TOO_MANY_CONNECTIONS:
      reply (self, "-ERR [SYS/TEMP] too many connections; try again later");
      break;

    default:
      g_assert_not_reached ();
    }

  close_session (self);
}

static void
mr_pop3_session_disconnected (MrSession *session)
{
  MrPop3Session *self = (MrPop3Session *)session;

  g_assert (MR_IS_POP3_SESSION (self));

  /* RFC 1939 6: without QUIT there is no UPDATE: DELE marks are forgotten. */
  release_maildrop (self);
}

static void
mr_pop3_session_dispose (GObject *object)
{
  MrPop3Session *self = (MrPop3Session *)object;

  release_maildrop (self);
  g_clear_object (&self->clock);

  G_OBJECT_CLASS (mr_pop3_session_parent_class)->dispose (object);
}

static void
mr_pop3_session_finalize (GObject *object)
{
  MrPop3Session *self = (MrPop3Session *)object;

  g_clear_pointer (&self->reader, mr_line_reader_free);
  g_clear_pointer (&self->hostname, g_free);
  g_clear_object (&self->faults);
  g_clear_pointer (&self->timestamp, g_free);
  g_clear_pointer (&self->user, g_free);

  G_OBJECT_CLASS (mr_pop3_session_parent_class)->finalize (object);
}

static void
mr_pop3_session_class_init (MrPop3SessionClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  MrSessionClass *session_class = MR_SESSION_CLASS (klass);

  object_class->dispose = mr_pop3_session_dispose;
  object_class->finalize = mr_pop3_session_finalize;

  session_class->start = mr_pop3_session_start;
  session_class->feed = mr_pop3_session_feed;
  session_class->tls_started = mr_pop3_session_tls_started;
  session_class->stop = mr_pop3_session_stop;
  session_class->disconnected = mr_pop3_session_disconnected;
}

static void
mr_pop3_session_init (MrPop3Session *self)
{
  self->state = MR_POP3_STATE_AUTHORIZATION;
  self->reader = mr_line_reader_new (MR_POP3_MAX_COMMAND_LINE);
}

/* RFC 1939 7: "<process-ID.clock@hostname>", unique per banner: the clock is
 * in microseconds and never repeats within the process. */
static char *
make_timestamp (MrPop3Session *self)
{
  static gint64 last;
  static GMutex mutex;
  gint64 now = self->clock ? mr_clock_now (self->clock) : g_get_real_time ();

  g_mutex_lock (&mutex);
  if (now <= last)
    now = last + 1;
  last = now;
  g_mutex_unlock (&mutex);

  return g_strdup_printf ("<%d.%" G_GINT64_FORMAT "@%s>", (int)getpid (), now, self->hostname);
}

MrSession *
mr_pop3_session_new (MrStore            *store,
                     const MrPop3Config *config,
                     MrConversation     *conversation,
                     const MrLimits     *limits)
{
  MrPop3Session *self;

  g_return_val_if_fail (MR_IS_STORE (store), NULL);

  self = g_object_new (MR_TYPE_POP3_SESSION,
                       "conversation", conversation,
                       "limits", limits,
                       NULL);
  self->store = store;
  self->hostname = g_strdup (config && config->hostname ? config->hostname : "localhost");
  self->apop_enabled = config ? !!config->apop_enabled : FALSE;
  self->implicit_tls = config ? !!config->implicit_tls : FALSE;
  if (config && config->clock)
    self->clock = g_object_ref (config->clock);
  if (config && config->faults)
    self->faults = g_object_ref (config->faults);
  if (self->apop_enabled)
    self->timestamp = make_timestamp (self);

  return MR_SESSION (self);
}

MrPop3State
mr_pop3_session_get_state (MrPop3Session *self)
{
  g_return_val_if_fail (MR_IS_POP3_SESSION (self), MR_POP3_STATE_AUTHORIZATION);
  return self->state;
}

const char *
mr_pop3_session_get_timestamp (MrPop3Session *self)
{
  g_return_val_if_fail (MR_IS_POP3_SESSION (self), NULL);
  return self->timestamp;
}

MrAccount *
mr_pop3_session_get_account (MrPop3Session *self)
{
  g_return_val_if_fail (MR_IS_POP3_SESSION (self), NULL);
  return self->account;
}

guint
mr_pop3_session_get_auth_failures (MrPop3Session *self)
{
  g_return_val_if_fail (MR_IS_POP3_SESSION (self), 0);
  return self->auth_failures;
}
