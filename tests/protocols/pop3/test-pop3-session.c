/* test-pop3-session.c
 *
 * Copyright 2026 The Mailroom authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <string.h>

#include "mr-clock.h"
#include "mr-conversation.h"
#include "mr-event-bus.h"
#include "mr-pop3-session.h"
#include "mr-store.h"

#define USER "bob@example.test"
#define PASSWORD "hunter2 x"

static const char msg1[] =
  "From: alice@example.test\r\n"
  "Subject: one\r\n"
  "\r\n"
  "first body line\r\n"
  "second body line\r\n";

/* Lines starting with "." need stuffing; one line ends in a bare LF and the
 * message has no final line ending. */
static const char msg2[] =
  "Subject: dots\r\n"
  "\r\n"
  ".hidden\r\n"
  "..double\r\n"
  ".\r\n"
  "bare\n"
  "end";

static const char msg2_wire[] =
  "Subject: dots\r\n"
  "\r\n"
  "..hidden\r\n"
  "...double\r\n"
  "..\r\n"
  "bare\r\n"
  "end\r\n";

static const char msg3[] =
  "Subject: three\r\n"
  "\r\n"
  "x\r\n";

typedef struct
{
  MrClock      *clock;
  MrEventBus   *bus;
  MrStore      *store;
  MrAccount    *account;
  MrMailbox    *inbox;
} Fixture;

static void
add_message (MrMailbox  *inbox,
             const char *text)
{
  g_autoptr(GBytes) raw = g_bytes_new (text, strlen (text));
  g_autoptr(GError) error = NULL;
  MrMessage *message;

  message = mr_mailbox_append (inbox, raw, MR_FLAG_NONE, NULL, 0, &error);
  g_assert_no_error (error);
  g_assert_nonnull (message);
}

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  f->clock = mr_clock_new ();
  f->bus = mr_event_bus_new (f->clock);
  f->store = mr_store_new ();
  f->account = mr_store_add_account (f->store, USER, PASSWORD);
  f->inbox = mr_account_get_inbox (f->account);
  mr_mailbox_set_uid_state (f->inbox, 1234, 1);
  add_message (f->inbox, msg1);
  add_message (f->inbox, msg2);
  add_message (f->inbox, msg3);
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  g_assert_finalize_object (f->store);
  g_clear_object (&f->bus);
  g_clear_object (&f->clock);
}

static MrSession *
new_session_full (Fixture        *f,
                  gboolean        apop,
                  const MrLimits *limits)
{
  g_autoptr(MrConversation) conversation = NULL;
  MrPop3Config config = { "pop.example.test", apop, FALSE, f->clock };

  conversation = mr_conversation_new (f->bus, MR_PROTOCOL_POP3, "127.0.0.1:4000",
                                      "pop.example.test");
  return mr_pop3_session_new (f->store, &config, conversation, limits);
}

static MrSession *
new_session (Fixture *f)
{
  return new_session_full (f, FALSE, NULL);
}

static char *
take_output (MrSession *session)
{
  g_autoptr(GBytes) bytes = mr_session_take_output (session);

  if (bytes == NULL)
    return g_strdup ("");
  return g_strndup (g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes));
}

/* Feeds @input (no NUL needed: a copy without terminator is used) and
 * returns what the session answered. */
static char *
feed (MrSession  *session,
      const char *input,
      gboolean    trickle)
{
  gsize len = strlen (input);
  g_autofree guint8 *copy = g_memdup2 (input, len);

  if (trickle)
    for (gsize i = 0; i < len; i++)
      mr_session_feed (session, copy + i, 1);
  else
    mr_session_feed (session, copy, len);
  return take_output (session);
}

static void
expect (MrSession  *session,
        const char *input,
        const char *output)
{
  g_autofree char *got = feed (session, input, FALSE);

  g_assert_cmpstr (got, ==, output);
}

static MrSession *
logged_in (Fixture *f)
{
  MrSession *session = new_session (f);
  g_autofree char *banner = NULL;

  mr_session_start (session);
  banner = take_output (session);
  g_assert_true (g_str_has_prefix (banner, "+OK Mailroom POP3 server ready on pop.example.test"));
  expect (session, "USER " USER "\r\n", "+OK send PASS for " USER "\r\n");
  expect (session, "PASS " PASSWORD "\r\n", "+OK " USER " has 3 messages (148 octets)\r\n");
  g_assert_cmpint (mr_pop3_session_get_state (MR_POP3_SESSION (session)), ==,
                   MR_POP3_STATE_TRANSACTION);
  return session;
}

/* Whole transcripts, fed at once and then one byte at a time. */
typedef struct
{
  const char *name;
  const char *input;
  const char *output;
} Transcript;

static const Transcript transcripts[] = {
  { "listing",
    "STAT\r\nLIST\r\nLIST 2\r\nUIDL\r\nUIDL 3\r\nNOOP\r\n",
    "+OK 3 148\r\n"
    "+OK 3 messages (148 octets)\r\n1 77\r\n2 50\r\n3 21\r\n.\r\n"
    "+OK 2 50\r\n"
    "+OK unique-id listing follows\r\n1 1234.1\r\n2 1234.2\r\n3 1234.3\r\n.\r\n"
    "+OK 3 1234.3\r\n"
    "+OK\r\n" },
  { "retr-stuffing",
    "RETR 2\r\n",
    "+OK 50 octets\r\n" "Subject: dots\r\n\r\n..hidden\r\n...double\r\n..\r\nbare\r\nend\r\n.\r\n" },
  { "retr-plain",
    "RETR 1\r\n",
    "+OK 77 octets\r\n" "From: alice@example.test\r\nSubject: one\r\n\r\nfirst body line\r\nsecond body line\r\n.\r\n" },
  { "top",
    "TOP 1 0\r\nTOP 1 1\r\nTOP 2 2\r\nTOP 1 99\r\n",
    "+OK top of message 1 follows\r\nFrom: alice@example.test\r\nSubject: one\r\n\r\n.\r\n"
    "+OK top of message 1 follows\r\nFrom: alice@example.test\r\nSubject: one\r\n\r\nfirst body line\r\n.\r\n"
    "+OK top of message 2 follows\r\nSubject: dots\r\n\r\n..hidden\r\n...double\r\n.\r\n"
    "+OK top of message 1 follows\r\nFrom: alice@example.test\r\nSubject: one\r\n\r\nfirst body line\r\nsecond body line\r\n.\r\n" },
  { "dele-rset",
    "DELE 1\r\nDELE 1\r\nRETR 1\r\nLIST 1\r\nTOP 1 0\r\nUIDL 1\r\nSTAT\r\nLIST\r\nRSET\r\nSTAT\r\n",
    "+OK message 1 deleted (removed at QUIT, RSET undoes it)\r\n"
    "-ERR message 1 already deleted\r\n"
    "-ERR message 1 already deleted\r\n"
    "-ERR message 1 already deleted\r\n"
    "-ERR message 1 already deleted\r\n"
    "-ERR message 1 already deleted\r\n"
    "+OK 2 71\r\n"
    "+OK 2 messages (71 octets)\r\n2 50\r\n3 21\r\n.\r\n"
    "+OK maildrop has 3 messages (148 octets)\r\n"
    "+OK 3 148\r\n" },
  { "bad-numbers",
    "RETR 0\r\nRETR 4\r\nRETR -1\r\nRETR +1\r\nRETR abc\r\nRETR 99999999999999999999\r\nRETR\r\n"
    "RETR 1 2\r\nTOP 1\r\nTOP 1 x\r\nTOP 1 -1\r\nLIST 1 2\r\nSTAT 1\r\nDELE\r\n",
    "-ERR no such message: 0 is not between 1 and 3\r\n"
    "-ERR no such message: 4 is not between 1 and 3\r\n"
    "-ERR invalid message number \"-1\": expected digits only\r\n"
    "-ERR invalid message number \"+1\": expected digits only\r\n"
    "-ERR invalid message number \"abc\": expected digits only\r\n"
    "-ERR invalid message number \"99999999999999999999\": expected digits only\r\n"
    "-ERR RETR needs a message number\r\n"
    "-ERR RETR takes one message number\r\n"
    "-ERR TOP needs a message number and a line count: TOP msg n\r\n"
    "-ERR the TOP line count must be a non-negative number\r\n"
    "-ERR the TOP line count must be a non-negative number\r\n"
    "-ERR LIST takes at most one message number\r\n"
    "-ERR STAT takes no arguments\r\n"
    "-ERR DELE needs a message number\r\n" },
  { "wrong-state-in-transaction",
    "USER x\r\nPASS y\r\nAPOP a b\r\nAUTH PLAIN\r\nSTLS\r\nstat\r\n",
    "-ERR USER is only valid before login; you are already logged in\r\n"
    "-ERR PASS is only valid before login; you are already logged in\r\n"
    "-ERR APOP is only valid before login; you are already logged in\r\n"
    "-ERR AUTH is only valid before login; you are already logged in\r\n"
    "-ERR STLS is only valid before login; you are already logged in\r\n"
    "+OK 3 148\r\n" },
  { "malformed",
    "\r\nXYZZY\r\nRETRIEVE 1\r\nST\tAT\r\nSTAT\n\xff\xfe\r\nCAPA x\r\nNOOP\r\n",
    "-ERR empty command line\r\n"
    "-ERR unknown command \"XYZZY\"\r\n"
    "-ERR unknown command \"RETRIEVE\"\r\n"
    "-ERR unknown command \"ST?AT\"\r\n"
    "+OK 3 148\r\n"
    "-ERR unknown command \"\xef\xbf\xbd\xef\xbf\xbd\"\r\n"
    "-ERR CAPA takes no arguments\r\n"
    "+OK\r\n" },
  { "capa-transaction",
    "CAPA\r\n",
    "+OK capability list follows\r\nTOP\r\nUIDL\r\nRESP-CODES\r\nAUTH-RESP-CODE\r\n"
    "PIPELINING\r\nEXPIRE NEVER\r\nIMPLEMENTATION Mailroom\r\n.\r\n" },
};

static void
test_transcripts (Fixture       *f,
                  gconstpointer  data)
{
  for (guint trickle = 0; trickle < 2; trickle++)
    for (guint i = 0; i < G_N_ELEMENTS (transcripts); i++)
      {
        g_autoptr(MrSession) session = logged_in (f);
        g_autofree char *got = feed (session, transcripts[i].input, trickle);

        g_test_message ("transcript %s, %s", transcripts[i].name, trickle ? "trickled" : "whole");
        g_assert_cmpstr (got, ==, transcripts[i].output);
        g_assert_cmpint (mr_session_get_action (session), ==, MR_SESSION_CONTINUE);
        mr_session_disconnected (session);
        g_assert_false (mr_account_is_locked (f->account));
        g_assert_cmpuint (mr_mailbox_get_n_messages (f->inbox), ==, 3);
      }
}

static void
test_quit_commits (Fixture       *f,
                   gconstpointer  data)
{
  g_autoptr(MrSession) session = logged_in (f);
  g_autoptr(MrSession) again = NULL;
  g_autofree char *out = NULL;

  expect (session, "RETR 3\r\n", "+OK 21 octets\r\nSubject: three\r\n\r\nx\r\n.\r\n");
  expect (session, "DELE 1\r\nDELE 2\r\n",
          "+OK message 1 deleted (removed at QUIT, RSET undoes it)\r\n"
          "+OK message 2 deleted (removed at QUIT, RSET undoes it)\r\n");
  g_assert_cmpuint (mr_mailbox_get_n_messages (f->inbox), ==, 3);
  expect (session, "QUIT\r\n",
          "+OK pop.example.test POP3 server signing off (2 messages deleted, 1 left)\r\n");
  g_assert_cmpint (mr_session_get_action (session), ==, MR_SESSION_CLOSE);
  g_assert_cmpint (mr_pop3_session_get_state (MR_POP3_SESSION (session)), ==, MR_POP3_STATE_UPDATE);
  g_assert_false (mr_account_is_locked (f->account));
  g_assert_cmpuint (mr_mailbox_get_n_messages (f->inbox), ==, 1);
  g_assert_cmpuint (mr_message_get_uid (mr_mailbox_get_message (f->inbox, 0)), ==, 3);
  /* Retrieved and kept: \Seen */
  g_assert_cmpint (mr_message_get_flags (mr_mailbox_get_message (f->inbox, 0)) & MR_FLAG_SEEN, !=, 0);

  /* Input after QUIT is ignored. */
  mr_session_feed (session, (const guint8 *)"STAT\r\n", 6);
  g_assert_false (mr_session_has_output (session));

  /* The unique id survives into the next session. */
  again = new_session (f);
  mr_session_start (again);
  g_free (take_output (again));
  expect (again, "USER " USER "\r\nPASS " PASSWORD "\r\nUIDL 1\r\n",
          "+OK send PASS for " USER "\r\n+OK " USER " has 1 message (21 octets)\r\n+OK 1 1234.3\r\n");
}

static void
test_disconnect_commits_nothing (Fixture       *f,
                                 gconstpointer  data)
{
  g_autoptr(MrSession) session = logged_in (f);

  expect (session, "RETR 1\r\n" , "+OK 77 octets\r\n" "From: alice@example.test\r\nSubject: one\r\n\r\nfirst body line\r\nsecond body line\r\n.\r\n");
  expect (session, "DELE 1\r\nDELE 2\r\nDELE 3\r\n",
          "+OK message 1 deleted (removed at QUIT, RSET undoes it)\r\n"
          "+OK message 2 deleted (removed at QUIT, RSET undoes it)\r\n"
          "+OK message 3 deleted (removed at QUIT, RSET undoes it)\r\n");
  mr_session_disconnected (session);
  g_assert_true (mr_session_get_closed (session));
  g_assert_false (mr_account_is_locked (f->account));
  g_assert_cmpuint (mr_mailbox_get_n_messages (f->inbox), ==, 3);
  g_assert_cmpint (mr_message_get_flags (mr_mailbox_get_message (f->inbox, 0)), ==, MR_FLAG_NONE);
}

static void
test_rset_then_quit (Fixture       *f,
                     gconstpointer  data)
{
  g_autoptr(MrSession) session = logged_in (f);

  expect (session, "DELE 2\r\nRSET\r\nQUIT\r\n",
          "+OK message 2 deleted (removed at QUIT, RSET undoes it)\r\n"
          "+OK maildrop has 3 messages (148 octets)\r\n"
          "+OK pop.example.test POP3 server signing off (0 messages deleted, 3 left)\r\n");
  g_assert_cmpuint (mr_mailbox_get_n_messages (f->inbox), ==, 3);
}

static void
test_authorization_state (Fixture       *f,
                          gconstpointer  data)
{
  g_autoptr(MrSession) session = new_session (f);
  static const char *transaction_only[] = { "STAT", "LIST", "LIST 1", "UIDL", "UIDL 1", "RETR 1",
                                            "TOP 1 1", "DELE 1", "RSET", "NOOP" };

  mr_session_start (session);
  g_free (take_output (session));

  for (guint i = 0; i < G_N_ELEMENTS (transaction_only); i++)
    {
      g_autofree char *input = g_strdup_printf ("%s\r\n", transaction_only[i]);
      g_autofree char *verb = g_strndup (transaction_only[i], strcspn (transaction_only[i], " "));
      g_autofree char *want = g_strdup_printf ("-ERR %s is only valid after login (TRANSACTION state): "
                                               "log in with USER/PASS, APOP or AUTH first\r\n", verb);

      expect (session, input, want);
    }

  expect (session, "PASS x\r\n", "-ERR PASS must come right after a successful USER\r\n");
  expect (session, "USER\r\n", "-ERR USER needs a mailbox name: USER name\r\n");
  expect (session, "USER " USER "\r\nNOOP\r\nPASS " PASSWORD "\r\n",
          "+OK send PASS for " USER "\r\n"
          "-ERR NOOP is only valid after login (TRANSACTION state): log in with USER/PASS, APOP or AUTH first\r\n"
          "-ERR PASS must come right after a successful USER\r\n");
  expect (session, "USER " USER "\r\nPASS\r\n",
          "+OK send PASS for " USER "\r\n-ERR PASS needs a password: PASS secret\r\n");
  expect (session, "USER " USER "\r\nPASS wrong\r\n",
          "+OK send PASS for " USER "\r\n-ERR [AUTH] invalid user name or password\r\n");
  expect (session, "USER nobody@example.test\r\nPASS " PASSWORD "\r\n",
          "+OK send PASS for nobody@example.test\r\n-ERR [AUTH] invalid user name or password\r\n");
  expect (session, "APOP " USER " c4c9334bac560ecc979e58001b3e22fb\r\n",
          "-ERR APOP is not enabled on this server; use USER/PASS or AUTH PLAIN\r\n");
  /* Hostile bytes are not echoed back raw. */
  expect (session, "USER \x1b[2J\xff\r\nAUTH \x1b\r\n",
          "+OK send PASS for ?[2J\xef\xbf\xbd\r\n"
          "-ERR unsupported SASL mechanism ?; this server offers PLAIN\r\n");
  expect (session, "CAPA\r\n",
          "+OK capability list follows\r\nTOP\r\nUIDL\r\nUSER\r\nSASL PLAIN\r\nRESP-CODES\r\n"
          "AUTH-RESP-CODE\r\nPIPELINING\r\nEXPIRE NEVER\r\nIMPLEMENTATION Mailroom\r\n.\r\n");
  expect (session, "STLS\r\n", "-ERR STLS is not available: this server has no TLS certificate\r\n");
  g_assert_cmpuint (mr_pop3_session_get_auth_failures (MR_POP3_SESSION (session)), ==, 2);
  g_assert_cmpint (mr_session_get_action (session), ==, MR_SESSION_CONTINUE);
  g_assert_false (mr_account_is_locked (f->account));

  expect (session, "QUIT\r\n", "+OK pop.example.test POP3 server signing off\r\n");
  g_assert_cmpint (mr_session_get_action (session), ==, MR_SESSION_CLOSE);
}

static void
test_apop (Fixture       *f,
           gconstpointer  data)
{
  g_autofree char *rfc = mr_pop3_apop_digest ("<1896.697170952@dbc.mtview.ca.us>", "tanstaaf");
  g_autoptr(MrSession) session = new_session_full (f, TRUE, NULL);
  g_autofree char *banner = NULL;
  g_autofree char *digest = NULL;
  g_autofree char *wrong = NULL;
  g_autofree char *input = NULL;
  const char *timestamp;

  /* The example of RFC 1939 7. */
  g_assert_cmpstr (rfc, ==, "c4c9334bac560ecc979e58001b3e22fb");

  mr_session_start (session);
  banner = take_output (session);
  timestamp = mr_pop3_session_get_timestamp (MR_POP3_SESSION (session));
  g_assert_nonnull (timestamp);
  g_assert_true (g_str_has_prefix (timestamp, "<"));
  g_assert_true (g_str_has_suffix (timestamp, "@pop.example.test>"));
  g_assert_nonnull (strstr (banner, timestamp));
  g_assert_true (g_str_has_suffix (banner, ">\r\n"));

  /* Two banners never share a timestamp (replay protection). */
  {
    g_autoptr(MrSession) other = new_session_full (f, TRUE, NULL);

    g_assert_cmpstr (mr_pop3_session_get_timestamp (MR_POP3_SESSION (other)), !=, timestamp);
  }

  expect (session, "APOP " USER "\r\n", "-ERR APOP needs a name and a digest: APOP name digest\r\n");
  expect (session, "APOP " USER " xyz\r\n",
          "-ERR the APOP digest must be 32 hexadecimal digits (an MD5 sum)\r\n");
  expect (session, "APOP " USER " c4c9334bac560ecc979e58001b3e22fb\r\n",
          "-ERR [AUTH] invalid user name or APOP digest\r\n");

  digest = mr_pop3_apop_digest (timestamp, PASSWORD);
  wrong = mr_pop3_apop_digest (timestamp, "nope");
  input = g_strdup_printf ("APOP nobody@example.test %s\r\n", digest);
  expect (session, input, "-ERR [AUTH] invalid user name or APOP digest\r\n");
  g_free (input);
  input = g_strdup_printf ("APOP " USER " %s\r\n", wrong);
  expect (session, input, "-ERR [AUTH] invalid user name or APOP digest\r\n");
  g_free (input);
  /* Upper-case hex is accepted too. */
  {
    g_autofree char *upper = g_ascii_strup (digest, -1);

    input = g_strdup_printf ("APOP " USER " %s\r\n", upper);
  }
  expect (session, input, "+OK " USER " has 3 messages (148 octets)\r\n");
}

static char *
b64 (const char *data,
     gsize       len)
{
  return g_base64_encode ((const guchar *)data, len);
}

static void
test_auth_plain (Fixture       *f,
                 gconstpointer  data)
{
  static const char good[] = "\0" USER "\0" PASSWORD;
  static const char bad[] = "\0" USER "\0nope";
  static const char other[] = "alice@example.test\0" USER "\0" PASSWORD;
  static const char two_parts[] = USER "\0" PASSWORD;
  g_autofree char *good64 = b64 (good, sizeof good - 1);
  g_autofree char *bad64 = b64 (bad, sizeof bad - 1);
  g_autofree char *other64 = b64 (other, sizeof other - 1);
  g_autofree char *two64 = b64 (two_parts, sizeof two_parts - 1);

  for (guint trickle = 0; trickle < 2; trickle++)
    {
      g_autoptr(MrSession) session = new_session (f);
      g_autoptr(MrSession) second = new_session (f);
      g_autofree char *input = NULL;
      g_autofree char *out = NULL;

      mr_session_start (session);
      g_free (take_output (session));

      expect (session, "AUTH\r\n", "+OK SASL mechanisms follow\r\nPLAIN\r\n.\r\n");
      expect (session, "AUTH LOGIN\r\n", "-ERR unsupported SASL mechanism LOGIN; this server offers PLAIN\r\n");
      expect (session, "AUTH PLAIN\r\n", "+ \r\n");
      expect (session, "*\r\n", "-ERR AUTH cancelled by the client\r\n");
      expect (session, "AUTH PLAIN *\r\n", "-ERR AUTH cancelled by the client\r\n");
      expect (session, "AUTH PLAIN =\r\n", "-ERR the AUTH PLAIN response is empty\r\n");
      expect (session, "AUTH PLAIN !!!!\r\n", "-ERR the AUTH PLAIN response is not valid base64\r\n");
      expect (session, "AUTH PLAIN abc\r\n", "-ERR the AUTH PLAIN response is not valid base64\r\n");
      input = g_strdup_printf ("AUTH PLAIN %s\r\n", two64);
      expect (session, input,
              "-ERR malformed AUTH PLAIN response: expected authzid NUL user NUL password\r\n");
      g_free (input);
      input = g_strdup_printf ("AUTH PLAIN %s\r\n", other64);
      expect (session, input,
              "-ERR [AUTH] you may only log in as yourself (authorization identity must be empty or your user name)\r\n");
      g_free (input);
      input = g_strdup_printf ("AUTH PLAIN\r\n%s\r\n", bad64);
      out = feed (session, input, trickle);
      g_assert_cmpstr (out, ==, "+ \r\n-ERR [AUTH] invalid user name or password\r\n");
      g_clear_pointer (&out, g_free);
      g_free (input);

      /* Without initial response */
      input = g_strdup_printf ("AUTH PLAIN\r\n%s\r\n", good64);
      out = feed (session, input, trickle);
      g_assert_cmpstr (out, ==, "+ \r\n+OK " USER " has 3 messages (148 octets)\r\n");
      g_clear_pointer (&out, g_free);
      g_free (input);

      /* With initial response, while the maildrop is taken: RFC 2449 IN-USE */
      mr_session_start (second);
      g_free (take_output (second));
      input = g_strdup_printf ("AUTH PLAIN %s\r\n", good64);
      expect (second, input,
              "-ERR [IN-USE] the maildrop of " USER " is locked: another POP3 session has it open\r\n");
      expect (session, "QUIT\r\n",
              "+OK pop.example.test POP3 server signing off (0 messages deleted, 3 left)\r\n");
      expect (second, input, "+OK " USER " has 3 messages (148 octets)\r\n");
      g_assert_true (mr_account_is_locked (f->account));
      g_assert_true (mr_pop3_session_get_account (MR_POP3_SESSION (second)) == f->account);
      mr_session_disconnected (second);
      g_assert_false (mr_account_is_locked (f->account));
    }
}

static void
test_stls (Fixture       *f,
           gconstpointer  data)
{
  g_autoptr(MrSession) session = new_session (f);
  g_autofree char *out = NULL;

  mr_session_set_tls_available (session, TRUE);
  mr_session_start (session);
  g_free (take_output (session));

  out = feed (session, "CAPA\r\n", FALSE);
  g_assert_nonnull (strstr (out, "\r\nSTLS\r\n"));
  g_clear_pointer (&out, g_free);

  expect (session, "STLS now\r\n", "-ERR STLS takes no arguments\r\n");
  /* Commands pipelined after STLS are discarded (RFC 2595 4). */
  expect (session, "USER " USER "\r\nSTLS\r\nPASS " PASSWORD "\r\n",
          "+OK send PASS for " USER "\r\n+OK begin TLS negotiation\r\n");
  g_assert_cmpint (mr_session_get_action (session), ==, MR_SESSION_START_TLS);
  /* Input while TLS is pending is not read */
  mr_session_feed (session, (const guint8 *)"STAT\r\n", 6);
  g_assert_false (mr_session_has_output (session));

  mr_session_tls_started (session);
  g_assert_cmpint (mr_session_get_action (session), ==, MR_SESSION_CONTINUE);
  g_assert_true (mr_session_get_encrypted (session));

  out = feed (session, "CAPA\r\n", FALSE);
  g_assert_null (strstr (out, "STLS"));
  g_clear_pointer (&out, g_free);
  expect (session, "STLS\r\n", "-ERR TLS is already active on this connection\r\n");
  /* USER from before TLS was forgotten */
  expect (session, "PASS " PASSWORD "\r\n", "-ERR PASS must come right after a successful USER\r\n");
  expect (session, "USER " USER "\r\nPASS " PASSWORD "\r\n",
          "+OK send PASS for " USER "\r\n+OK " USER " has 3 messages (148 octets)\r\n");
}

static void
test_implicit_tls (Fixture       *f,
                   gconstpointer  data)
{
  MrPop3Config config = { "pop.example.test", FALSE, TRUE, NULL };
  g_autoptr(MrSession) session = mr_pop3_session_new (f->store, &config, NULL, NULL);
  g_autofree char *out = NULL;

  mr_session_set_tls_available (session, TRUE);
  mr_session_start (session);
  g_free (take_output (session));
  out = feed (session, "CAPA\r\n", FALSE);
  g_assert_null (strstr (out, "STLS"));
  expect (session, "STLS\r\n", "-ERR TLS is already active on this connection\r\n");
}

static void
test_line_limit (Fixture       *f,
                 gconstpointer  data)
{
  for (guint trickle = 0; trickle < 2; trickle++)
    {
      g_autoptr(MrSession) session = logged_in (f);
      g_autoptr(GString) ok = g_string_new ("NOOP");
      g_autoptr(GString) too_long = NULL;
      g_autofree char *out = NULL;

      /* 255 octets with CRLF is fine (RFC 2449 4) ... */
      while (ok->len < 253)
        g_string_append_c (ok, ' ');
      too_long = g_string_new (ok->str);
      g_string_append (ok, "\r\n");
      g_assert_cmpuint (ok->len, ==, 255);
      out = feed (session, ok->str, trickle);
      g_assert_cmpstr (out, ==, "-ERR NOOP takes no arguments\r\n");
      g_clear_pointer (&out, g_free);

      /* ... one more is not: the line is discarded, the session goes on. */
      g_string_append (too_long, "x\r\nSTAT\r\n");
      out = feed (session, too_long->str, trickle);
      g_assert_cmpstr (out, ==,
                       "-ERR line too long: the limit is 255 octets (RFC 2449)\r\n+OK 3 148\r\n");
      g_clear_pointer (&out, g_free);

      /* A huge line does not grow anything. */
      {
        gsize big = 1024 * 1024;
        g_autofree guint8 *junk = g_malloc (big);

        memset (junk, 'A', big);
        mr_session_feed (session, junk, big);
        out = feed (session, "\r\nNOOP\r\n", trickle);
        g_assert_cmpstr (out, ==,
                         "-ERR line too long: the limit is 255 octets (RFC 2449)\r\n+OK\r\n");
      }
    }
}

static void
test_bad_command_limit (Fixture       *f,
                        gconstpointer  data)
{
  MrLimits limits = { 0 };
  g_autoptr(MrSession) session = NULL;

  limits.max_bad_commands = 3;
  session = new_session_full (f, FALSE, &limits);
  mr_session_start (session);
  g_free (take_output (session));

  expect (session, "FOO\r\nBAR\r\nUSER " USER "\r\nBAZ\r\nQUX\r\nNOOP\r\n",
          "-ERR unknown command \"FOO\"\r\n"
          "-ERR unknown command \"BAR\"\r\n"
          "+OK send PASS for " USER "\r\n"
          "-ERR unknown command \"BAZ\"\r\n"
          "-ERR unknown command \"QUX\"\r\n"
          "-ERR NOOP is only valid after login (TRANSACTION state): log in with USER/PASS, APOP or AUTH first\r\n"
          "-ERR too many bad commands (3 in a row); closing the connection\r\n");
  g_assert_cmpint (mr_session_get_action (session), ==, MR_SESSION_CLOSE);
}

static void
count_wakeup_cb (MrSession *session,
                 guint     *count)
{
  (*count)++;
}

static void
test_auth_failure_delay (Fixture       *f,
                         gconstpointer  data)
{
  MrLimits limits = { 0 };
  g_autoptr(MrSession) session = NULL;
  g_autofree char *out = NULL;
  guint wakeups = 0;

  limits.max_auth_failures = 2;
  session = new_session_full (f, FALSE, &limits);
  g_signal_connect (session, "wakeup", G_CALLBACK (count_wakeup_cb), &wakeups);
  mr_session_start (session);
  g_free (take_output (session));

  expect (session, "USER " USER "\r\nPASS a\r\nUSER " USER "\r\nPASS b\r\n",
          "+OK send PASS for " USER "\r\n-ERR [AUTH] invalid user name or password\r\n"
          "+OK send PASS for " USER "\r\n-ERR [AUTH] invalid user name or password\r\n");

  /* The third failure is answered late; what follows waits its turn. */
  expect (session, "USER " USER "\r\nPASS c\r\nCAPA\r\n", "+OK send PASS for " USER "\r\n");
  mr_clock_advance (f->clock, MR_POP3_AUTH_DELAY_USEC / 2);
  g_assert_false (mr_session_has_output (session));
  g_assert_cmpuint (wakeups, ==, 0);
  mr_clock_advance (f->clock, MR_POP3_AUTH_DELAY_USEC / 2);
  g_assert_cmpuint (wakeups, ==, 1);
  out = take_output (session);
  g_assert_true (g_str_has_prefix (out,
                 "-ERR [AUTH] invalid user name or password (failed login 3: replies are now delayed)\r\n"
                 "+OK capability list follows\r\n"));
  g_clear_pointer (&out, g_free);
  g_assert_cmpint (mr_session_get_action (session), ==, MR_SESSION_CONTINUE);

  /* The fourth (2 x max) closes, after the delay too. */
  expect (session, "AUTH PLAIN AGJvYkBleGFtcGxlLnRlc3QAbm8=\r\n", "");
  mr_clock_advance (f->clock, MR_POP3_AUTH_DELAY_USEC);
  out = take_output (session);
  g_assert_cmpstr (out, ==, "-ERR [AUTH] invalid user name or password; too many failed logins (4), "
                   "closing the connection\r\n");
  g_assert_cmpint (mr_session_get_action (session), ==, MR_SESSION_CLOSE);
  g_assert_cmpuint (mr_pop3_session_get_auth_failures (MR_POP3_SESSION (session)), ==, 4);
}

static void
test_auth_failure_delay_glib (Fixture       *f,
                              gconstpointer  data)
{
  MrLimits limits = { 0 };
  MrPop3Config config = { "pop.example.test", FALSE, FALSE, NULL };
  g_autoptr(MrSession) session = NULL;
  g_autofree char *out = NULL;
  guint wakeups = 0;
  gint64 start;

  limits.max_auth_failures = 1;
  session = mr_pop3_session_new (f->store, &config, NULL, &limits);
  g_signal_connect (session, "wakeup", G_CALLBACK (count_wakeup_cb), &wakeups);
  mr_session_start (session);
  g_free (take_output (session));
  expect (session, "USER x\r\nPASS y\r\n", "+OK send PASS for x\r\n-ERR [AUTH] invalid user name or password\r\n");
  expect (session, "USER x\r\nPASS y\r\n", "+OK send PASS for x\r\n");

  start = g_get_monotonic_time ();
  while (wakeups == 0)
    g_main_context_iteration (NULL, TRUE);
  g_assert_cmpint (g_get_monotonic_time () - start, >=, MR_POP3_AUTH_DELAY_USEC - G_USEC_PER_SEC / 10);
  out = take_output (session);
  g_assert_true (g_str_has_suffix (out, "closing the connection\r\n"));
  g_assert_cmpint (mr_session_get_action (session), ==, MR_SESSION_CLOSE);
}

static void
test_flood_while_delayed (Fixture       *f,
                          gconstpointer  data)
{
  MrLimits limits = { 0 };
  g_autoptr(MrSession) session = NULL;
  g_autofree guint8 *junk = g_malloc (MR_SESSION_MAX_HELD_INPUT + 1);

  limits.max_auth_failures = 1;
  session = new_session_full (f, FALSE, &limits);
  mr_session_start (session);
  g_free (take_output (session));
  expect (session, "USER x\r\nPASS y\r\nUSER x\r\nPASS y\r\n",
          "+OK send PASS for x\r\n-ERR [AUTH] invalid user name or password\r\n+OK send PASS for x\r\n");
  /* A client that keeps talking while it is made to wait is hung up on at
   * once, its delayed -ERR unsent (mr_session_hold()). */
  memset (junk, 'N', MR_SESSION_MAX_HELD_INPUT + 1);
  mr_session_feed (session, junk, MR_SESSION_MAX_HELD_INPUT + 1);
  g_assert_false (mr_session_has_output (session));
  g_assert_cmpint (mr_session_get_action (session), ==, MR_SESSION_CLOSE);
  /* The pending timeout is gone. */
  mr_clock_advance (f->clock, 10 * MR_POP3_AUTH_DELAY_USEC);
  g_assert_false (mr_session_has_output (session));
}

static void
test_stop (Fixture       *f,
           gconstpointer  data)
{
  g_autoptr(MrSession) session = logged_in (f);
  g_autoptr(MrSession) idle = new_session (f);
  g_autofree char *out = NULL;

  expect (session, "DELE 1\r\n", "+OK message 1 deleted (removed at QUIT, RSET undoes it)\r\n");
  mr_session_stop (session, MR_STOP_SHUTDOWN);
  out = take_output (session);
  g_assert_cmpstr (out, ==, "-ERR [SYS/TEMP] server shutting down; nothing was deleted, try again later\r\n");
  g_assert_cmpint (mr_session_get_action (session), ==, MR_SESSION_CLOSE);
  g_assert_false (mr_account_is_locked (f->account));
  g_assert_cmpuint (mr_mailbox_get_n_messages (f->inbox), ==, 3);
  g_clear_pointer (&out, g_free);

  mr_session_start (idle);
  g_free (take_output (idle));
  mr_session_stop (idle, MR_STOP_IDLE);
  out = take_output (idle);
  g_assert_cmpstr (out, ==, "-ERR [SYS/TEMP] autologout: idle for too long; nothing was deleted\r\n");
}

static void
test_snapshot (Fixture       *f,
               gconstpointer  data)
{
  g_autoptr(MrSession) session = logged_in (f);

  /* Mail that arrives during the session waits for the next login. */
  add_message (f->inbox, msg3);
  expect (session, "STAT\r\nRETR 4\r\n", "+OK 3 148\r\n-ERR no such message: 4 is not between 1 and 3\r\n");
  expect (session, "DELE 3\r\nQUIT\r\n",
          "+OK message 3 deleted (removed at QUIT, RSET undoes it)\r\n"
          "+OK pop.example.test POP3 server signing off (1 message deleted, 3 left)\r\n");
  g_assert_cmpuint (mr_message_get_uid (mr_mailbox_get_message (f->inbox, 2)), ==, 4);
}

static void
test_events (Fixture       *f,
             gconstpointer  data)
{
  g_autoptr(MrSession) session = logged_in (f);
  g_autoptr(GPtrArray) events = NULL;
  gboolean saw_pass = FALSE, saw_content = FALSE, saw_error = FALSE, saw_pipelined = FALSE;
  gboolean saw_auth = FALSE;

  expect (session, "RETR 2\r\n", "+OK 50 octets\r\nSubject: dots\r\n\r\n..hidden\r\n...double\r\n..\r\nbare\r\nend\r\n.\r\n");
  expect (session, "RETR 9\r\nNOOP\r\n", "-ERR no such message: 9 is not between 1 and 3\r\n+OK\r\n");
  mr_session_disconnected (session);

  {
    g_autoptr(MrSession) other = new_session (f);
    g_autofree char *out = NULL;

    mr_session_start (other);
    out = feed (other, "AUTH PLAIN AGJvYkBleGFtcGxlLnRlc3QAbm8=\r\n", FALSE);
  }

  events = mr_event_bus_dup_since (f->bus, 0, 0);
  g_assert_cmpuint (events->len, >, 10);
  for (guint i = 0; i < events->len; i++)
    {
      MrEvent *event = g_ptr_array_index (events, i);

      g_assert_cmpint (event->protocol, ==, MR_PROTOCOL_POP3);
      g_assert_null (strstr (event->text, "hunter2"));
      g_assert_null (strstr (event->text, "AGJvYkBleGFtcGxlLnRlc3QAbm8="));

      if (event->kind == MR_EVENT_LINE && g_strcmp0 (event->verb, "PASS") == 0)
        {
          saw_pass = TRUE;
          g_assert_cmpstr (event->text, ==, "PASS ****");
          g_assert_cmpint (event->direction, ==, MR_DIRECTION_TO_SERVER);
          g_assert_cmpint (event->flags & MR_EVENT_FLAG_MASKED, !=, 0);
          g_assert_cmpstr (event->state, ==, "authorization");
        }
      if (event->kind == MR_EVENT_LINE && g_strcmp0 (event->verb, "AUTH") == 0)
        {
          saw_auth = TRUE;
          g_assert_cmpstr (event->text, ==, "AUTH PLAIN ****");
        }
      if (event->kind == MR_EVENT_CONTENT)
        {
          saw_content = TRUE;
          g_assert_cmpstr (event->verb, ==, "RETR");
          g_assert_cmpint (event->direction, ==, MR_DIRECTION_TO_CLIENT);
          g_assert_cmpuint (g_bytes_get_size (event->content), ==, strlen (msg2));
          g_assert_cmpstr (event->state, ==, "transaction");
        }
      if (event->kind == MR_EVENT_LINE && g_str_has_prefix (event->text, "-ERR no such"))
        {
          saw_error = TRUE;
          g_assert_cmpint (event->flags & MR_EVENT_FLAG_ERROR, !=, 0);
          g_assert_cmpint (event->direction, ==, MR_DIRECTION_TO_CLIENT);
        }
      if (event->kind == MR_EVENT_LINE && g_strcmp0 (event->verb, "NOOP") == 0)
        {
          saw_pipelined = TRUE;
          g_assert_cmpint (event->flags & MR_EVENT_FLAG_PIPELINED, !=, 0);
        }
      if (event->kind == MR_EVENT_LINE && g_str_has_prefix (event->text, "+OK"))
        g_assert_cmpint (event->flags & MR_EVENT_FLAG_ERROR, ==, 0);
    }
  g_assert_true (saw_pass);
  g_assert_true (saw_auth);
  g_assert_true (saw_content);
  g_assert_true (saw_error);
  g_assert_true (saw_pipelined);
  (void)msg2_wire;
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

#define ADD(path, func) \
  g_test_add (path, Fixture, NULL, fixture_setup, func, fixture_teardown)

  ADD ("/pop3/session/transcripts", test_transcripts);
  ADD ("/pop3/session/quit-commits", test_quit_commits);
  ADD ("/pop3/session/disconnect-commits-nothing", test_disconnect_commits_nothing);
  ADD ("/pop3/session/rset-then-quit", test_rset_then_quit);
  ADD ("/pop3/session/authorization-state", test_authorization_state);
  ADD ("/pop3/session/apop", test_apop);
  ADD ("/pop3/session/auth-plain", test_auth_plain);
  ADD ("/pop3/session/stls", test_stls);
  ADD ("/pop3/session/implicit-tls", test_implicit_tls);
  ADD ("/pop3/session/line-limit", test_line_limit);
  ADD ("/pop3/session/bad-command-limit", test_bad_command_limit);
  ADD ("/pop3/session/auth-failure-delay", test_auth_failure_delay);
  ADD ("/pop3/session/auth-failure-delay-glib", test_auth_failure_delay_glib);
  ADD ("/pop3/session/flood-while-delayed", test_flood_while_delayed);
  ADD ("/pop3/session/stop", test_stop);
  ADD ("/pop3/session/snapshot", test_snapshot);
  ADD ("/pop3/session/events", test_events);

  return g_test_run ();
}
