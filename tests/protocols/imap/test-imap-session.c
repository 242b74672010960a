/* test-imap-session.c
 *
 * Copyright 2026 The Mailroom authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <string.h>

#include "mr-clock.h"
#include "mr-engine.h"
#include "mr-event-bus.h"
#include "mr-imap-session.h"
#include "mr-store.h"

#define USER "bob@recipient.example"
#define PASS "hunter2"

static const char simple_message[] =
  "From: Alice Example <alice@sender.example>\r\n"
  "To: bob@recipient.example, \"Carol\" <carol@recipient.example>\r\n"
  "Subject: Hello Bob\r\n"
  "Date: Mon, 02 Feb 2026 10:00:00 +0000\r\n"
  "Message-ID: <1@sender.example>\r\n"
  "\r\n"
  "Hi Bob,\r\n"
  "the quick brown fox.\r\n";

static const char multipart_message[] =
  "From: alice@sender.example\r\n"
  "To: bob@recipient.example\r\n"
  "Subject: Report\r\n"
  "MIME-Version: 1.0\r\n"
  "Content-Type: multipart/mixed; boundary=\"XX\"\r\n"
  "\r\n"
  "preamble\r\n"
  "--XX\r\n"
  "Content-Type: text/plain; charset=utf-8\r\n"
  "\r\n"
  "See attached.\r\n"
  "--XX\r\n"
  "Content-Type: application/pdf; name=r.pdf\r\n"
  "Content-Disposition: attachment; filename=r.pdf\r\n"
  "Content-Transfer-Encoding: base64\r\n"
  "\r\n"
  "JVBERi0=\r\n"
  "--XX\r\n"
  "Content-Type: message/rfc822\r\n"
  "\r\n"
  "From: dave@x.example\r\n"
  "Subject: Inner\r\n"
  "\r\n"
  "inner body\r\n"
  "--XX--\r\n";

typedef struct
{
  MrClock    *clock;
  MrEventBus *bus;
  MrStore    *store;
  MrAccount  *account;
  MrMailbox  *inbox;
} Lab;

static void
lab_init (Lab *lab)
{
  lab->clock = mr_clock_new ();
  lab->bus = mr_event_bus_new (lab->clock);
  lab->store = mr_store_new ();
  lab->account = mr_store_add_account (lab->store, USER, PASS);
  lab->inbox = mr_account_get_inbox (lab->account);
}

static void
lab_clear (Lab *lab)
{
  g_clear_object (&lab->store);
  g_clear_object (&lab->bus);
  g_clear_object (&lab->clock);
}

static MrMessage *
deliver (Lab        *lab,
         const char *raw)
{
  g_autoptr(GBytes) bytes = g_bytes_new (raw, strlen (raw));
  g_autoptr(GError) error = NULL;
  MrMessage *message;

  message = mr_mailbox_append (lab->inbox, bytes, MR_FLAG_RECENT, NULL,
                               (gint64)1770000000 * G_USEC_PER_SEC, &error);
  g_assert_no_error (error);
  return message;
}

static char *
take (MrSession *session)
{
  g_autoptr(GBytes) bytes = mr_session_take_output (session);

  if (bytes == NULL)
    return g_strdup ("");
  return g_strndup (g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes));
}

static MrSession *
open_session_with_limits (Lab            *lab,
                          const MrLimits *limits)
{
  g_autoptr(MrConversation) conversation = mr_conversation_new (lab->bus, MR_PROTOCOL_IMAP,
                                                                "127.0.0.1:40000", "imap.test");
  MrImapConfig config = { .hostname = "imap.test", .implicit_tls = FALSE };
  MrSession *session = mr_imap_session_new (lab->store, &config, conversation, limits);
  g_autofree char *greeting = NULL;

  mr_session_start (session);
  greeting = take (session);
  g_assert_true (g_str_has_prefix (greeting, "* OK [CAPABILITY IMAP4rev1 "));
  g_assert_nonnull (strstr (greeting, "AUTH=PLAIN"));
  g_assert_null (strstr (greeting, "STARTTLS"));
  return session;
}

static MrSession *
open_session (Lab *lab)
{
  return open_session_with_limits (lab, NULL);
}

/* Feeds @input whole, returns what the session wrote. */
static char *
send (MrSession  *session,
      const char *input)
{
  mr_session_feed (session, (const guint8 *)input, strlen (input));
  return take (session);
}

/* The same, one byte at a time (collecting all output). */
static char *
send_bytewise (MrSession  *session,
               const char *input)
{
  GString *out = g_string_new (NULL);

  for (gsize i = 0; input[i]; i++)
    {
      g_autofree char *part = NULL;

      mr_session_feed (session, (const guint8 *)input + i, 1);
      part = take (session);
      g_string_append (out, part);
    }
  return g_string_free (out, FALSE);
}

static void
assert_contains (const char *haystack,
                 const char *needle)
{
  if (strstr (haystack, needle) == NULL)
    g_error ("expected \"%s\" in:\n%s", needle, haystack);
}

static void
assert_lacks (const char *haystack,
              const char *needle)
{
  if (strstr (haystack, needle) != NULL)
    g_error ("did not expect \"%s\" in:\n%s", needle, haystack);
}

static MrSession *
open_logged_in (Lab *lab)
{
  MrSession *session = open_session (lab);
  g_autofree char *out = send (session, "l1 LOGIN " USER " " PASS "\r\n");

  assert_contains (out, "l1 OK [CAPABILITY IMAP4rev1");
  return session;
}

static MrSession *
open_selected (Lab *lab)
{
  MrSession *session = open_logged_in (lab);
  g_autofree char *out = send (session, "s1 SELECT INBOX\r\n");

  assert_contains (out, "s1 OK [READ-WRITE] SELECT completed");
  return session;
}

static void
test_capability (void)
{
  Lab lab = { 0 };
  g_autoptr(MrSession) session = NULL;
  g_autofree char *out = NULL;
  g_autofree char *out2 = NULL;

  lab_init (&lab);
  session = open_session (&lab);
  mr_session_set_tls_available (session, TRUE);
  out = send (session, "a CAPABILITY\r\n");
  assert_contains (out, "* CAPABILITY IMAP4rev1 LITERAL+ SASL-IR IDLE UIDPLUS MOVE NAMESPACE ENABLE "
                        "SPECIAL-USE UNSELECT CHILDREN ID STARTTLS AUTH=PLAIN\r\n");
  assert_contains (out, "a OK CAPABILITY completed\r\n");
  assert_lacks (out, "LOGINDISABLED");

  out2 = send (session, "b STARTTLS\r\nc NOOP\r\n");
  g_assert_cmpstr (out2, ==, "b OK Begin TLS negotiation now\r\n");
  g_assert_cmpint (mr_session_get_action (session), ==, MR_SESSION_START_TLS);
  mr_session_tls_started (session);
  g_clear_pointer (&out, g_free);
  out = send (session, "d CAPABILITY\r\n");
  assert_lacks (out, "STARTTLS");
  assert_lacks (out, "c OK");
  assert_contains (out, "d OK");

  lab_clear (&lab);
}

static void
test_login (void)
{
  Lab lab = { 0 };
  g_autoptr(MrSession) session = NULL;
  g_autoptr(GPtrArray) events = NULL;
  g_autofree char *out1 = NULL;
  g_autofree char *out2 = NULL;
  g_autofree char *out3 = NULL;
  g_autofree char *out4 = NULL;
  g_autofree char *out5 = NULL;
  g_autofree char *plain = NULL;
  g_autofree char *line = NULL;
  gboolean saw_login = FALSE;

  lab_init (&lab);
  session = open_session (&lab);

  out1 = send (session, "a LOGIN " USER " wrong\r\n");
  g_assert_cmpstr (out1, ==, "a NO [AUTHENTICATIONFAILED] Authentication failed\r\n");

  /* AUTHENTICATE PLAIN with a continuation, then cancelled. */
  out2 = send (session, "b AUTHENTICATE PLAIN\r\n*\r\n");
  g_assert_cmpstr (out2, ==, "+ \r\nb BAD Authentication cancelled\r\n");

  plain = g_base64_encode ((const guchar *)"\0" USER "\0" PASS, strlen (USER) + strlen (PASS) + 2);
  line = g_strdup_printf ("c AUTHENTICATE PLAIN\r\n%s\r\n", plain);
  out3 = send_bytewise (session, line);
  assert_contains (out3, "+ \r\nc OK [CAPABILITY IMAP4rev1");
  g_assert_cmpint (mr_imap_session_get_state (MR_IMAP_SESSION (session)), ==, MR_IMAP_STATE_AUTHENTICATED);

  out4 = send (session, "d LOGIN " USER " " PASS "\r\n");
  g_assert_cmpstr (out4, ==, "d BAD LOGIN not allowed once logged in\r\n");

  /* SASL-IR on a fresh session */
  g_clear_object (&session);
  session = open_session (&lab);
  g_clear_pointer (&line, g_free);
  line = g_strdup_printf ("e AUTHENTICATE PLAIN %s\r\n", plain);
  out5 = send (session, line);
  assert_contains (out5, "e OK [CAPABILITY");

  /* No secret reaches the event bus. */
  events = mr_event_bus_dup_since (lab.bus, 0, 0);
  for (guint i = 0; i < events->len; i++)
    {
      MrEvent *event = g_ptr_array_index (events, i);

      if (event->text == NULL)
        continue;
      assert_lacks (event->text, PASS);
      assert_lacks (event->text, plain);
      if (g_strcmp0 (event->verb, "LOGIN") == 0 && !saw_login)
        {
          saw_login = TRUE;
          g_assert_cmpstr (event->tag, ==, "a");
          g_assert_cmpstr (event->state, ==, "not-authenticated");
          g_assert_true (event->flags & MR_EVENT_FLAG_MASKED);
          g_assert_cmpint (event->direction, ==, MR_DIRECTION_TO_SERVER);
        }
      if (event->direction == MR_DIRECTION_TO_CLIENT && g_str_has_prefix (event->text, "a NO"))
        g_assert_true (event->flags & MR_EVENT_FLAG_ERROR);
      if (event->direction == MR_DIRECTION_TO_CLIENT && g_str_has_prefix (event->text, "+ "))
        g_assert_true (event->flags & MR_EVENT_FLAG_CONTINUATION);
      if (event->direction == MR_DIRECTION_TO_CLIENT && g_str_has_prefix (event->text, "* "))
        g_assert_true (event->flags & MR_EVENT_FLAG_UNTAGGED);
    }
  g_assert_true (saw_login);

  lab_clear (&lab);
}

typedef struct
{
  const char *input;
  const char *expected;
} Exchange;

static void
test_bad_input (void)
{
  static const Exchange exchanges[] = {
    { "a1 SELECT INBOX\r\n", "a1 BAD SELECT not allowed before login\r\n" },
    { "a2 FROBNICATE\r\n", "a2 BAD Unknown command FROBNICATE\r\n" },
    { "a3 LOGIN \"bob\r\n", "a3 BAD Error in IMAP command: Unterminated quoted string\r\n" },
    { "a4 LOGIN {5\r\n", "a4 BAD Error in IMAP command: Unterminated literal\r\n" },
    { "a5 LOGIN {500}\r\n", "a5 BAD Error in IMAP command: Literal too big\r\n" },
    { "a7 APPEND INBOX {5}\r\n", "a7 BAD APPEND not allowed in this state\r\n" },
    { "a8\r\n", "a8 BAD Missing command\r\n" },
    { "+x NOOP\r\n", "* BAD Invalid tag\r\n" },
    { "a9 NOOP\r\n", "a9 OK NOOP completed\r\n" },
  };
  Lab lab = { 0 };
  MrLimits limits = { .max_literal = 100 };

  lab_init (&lab);
  for (guint pass = 0; pass < 2; pass++)
    {
      g_autoptr(MrSession) session = open_session_with_limits (&lab, &limits);

      for (guint i = 0; i < G_N_ELEMENTS (exchanges); i++)
        {
          g_autofree char *out = pass ? send_bytewise (session, exchanges[i].input)
                                      : send (session, exchanges[i].input);

          g_assert_cmpstr (out, ==, exchanges[i].expected);
        }
      /* The 500 octets of the refused LITERAL+ were skipped. */
      {
        g_autofree char *skipped = g_strnfill (500, 'x');
        g_autofree char *input = g_strdup_printf ("b1 LOGIN {500+}\r\n%s\r\nb2 NOOP\r\n", skipped);
        g_autofree char *out = send (session, input);

        g_assert_cmpstr (out, ==, "b1 BAD Error in IMAP command: Literal too big\r\nb2 OK NOOP completed\r\n");
      }
      g_assert_cmpint (mr_session_get_action (session), ==, MR_SESSION_CONTINUE);
    }

  /* In the selected state: bad sequence sets and fetch attributes. */
  deliver (&lab, simple_message);
  {
    static const Exchange selected[] = {
      { "c1 FETCH 0 FLAGS\r\n", "c1 BAD Invalid sequence set\r\n" },
      { "c2 FETCH 1:x FLAGS\r\n", "c2 BAD Invalid sequence set\r\n" },
      { "c3 FETCH 5 FLAGS\r\n", "c3 BAD Invalid message sequence number\r\n" },
      { "c4 FETCH 1 (FLAGS BODY[NOPE])\r\n", "c4 BAD Invalid fetch attribute BODY[NOPE]\r\n" },
      { "c5 SEARCH FROB\r\n", "c5 BAD Unknown search key FROB\r\n" },
      { "c6 SEARCH CHARSET KOI8-R ALL\r\n", "c6 NO [BADCHARSET (UTF-8 US-ASCII)] Unsupported charset\r\n" },
      { "c7 STORE 1 FLAGS (\\Bogus)\r\n", "c7 BAD Invalid flags\r\n" },
      { "c8 LOGIN a b\r\n", "c8 BAD LOGIN not allowed once logged in\r\n" },
      { "c9 UID FROB 1\r\n", "c9 BAD Unknown command UID FROB\r\n" },
    };
    g_autoptr(MrSession) session = open_selected (&lab);

    for (guint i = 0; i < G_N_ELEMENTS (selected); i++)
      {
        g_autofree char *out = send (session, selected[i].input);

        g_assert_cmpstr (out, ==, selected[i].expected);
      }
  }

  /* Too many errors in a row end the session. */
  {
    MrLimits strict = { .max_bad_commands = 3 };
    g_autoptr(MrSession) session = open_session_with_limits (&lab, &strict);
    g_autofree char *out = send (session, "x X\r\nx X\r\nx X\r\nx NOOP\r\n");

    assert_contains (out, "* BYE [ALERT] Too many invalid commands\r\n");
    assert_lacks (out, "x OK");
    g_assert_cmpint (mr_session_get_action (session), ==, MR_SESSION_CLOSE);
  }

  lab_clear (&lab);
}

static void
test_mailboxes (void)
{
  Lab lab = { 0 };
  g_autoptr(MrSession) session = NULL;
  g_autofree char *out = NULL;

  lab_init (&lab);
  session = open_logged_in (&lab);

  out = send (session, "a LIST \"\" \"\"\r\n");
  g_assert_cmpstr (out, ==, "* LIST (\\Noselect) \"/\" \"\"\r\na OK LIST completed\r\n");
  g_clear_pointer (&out, g_free);

  out = send (session, "b LIST \"\" *\r\n");
  assert_contains (out, "* LIST (\\HasNoChildren) \"/\" \"INBOX\"\r\n");
  assert_contains (out, "* LIST (\\HasNoChildren \\Sent) \"/\" \"Sent\"\r\n");
  assert_contains (out, "* LIST (\\HasNoChildren \\Trash) \"/\" \"Trash\"\r\n");
  assert_contains (out, "* LIST (\\HasNoChildren \\Junk) \"/\" \"Junk\"\r\n");
  assert_contains (out, "* LIST (\\HasNoChildren \\Drafts) \"/\" \"Drafts\"\r\n");
  g_clear_pointer (&out, g_free);

  out = send (session, "c CREATE Projects/\r\nd CREATE Projects/Mailroom\r\ne CREATE Projects\r\n");
  assert_contains (out, "c OK CREATE completed\r\n");
  assert_contains (out, "d OK CREATE completed\r\n");
  assert_contains (out, "e NO [ALREADYEXISTS]");
  g_clear_pointer (&out, g_free);

  out = send (session, "f LIST \"\" %\r\n");
  assert_contains (out, "* LIST (\\HasChildren) \"/\" \"Projects\"\r\n");
  assert_lacks (out, "Projects/Mailroom");
  g_clear_pointer (&out, g_free);

  out = send (session, "g LIST Projects/ %\r\n");
  assert_contains (out, "* LIST (\\HasNoChildren) \"/\" \"Projects/Mailroom\"\r\n");
  g_clear_pointer (&out, g_free);

  out = send (session, "h RENAME Projects/Mailroom Projects/Lab\r\ni RENAME Nope X\r\n"
                       "j DELETE Projects/Lab\r\nk DELETE Projects/Lab\r\n");
  assert_contains (out, "h OK RENAME completed\r\n");
  assert_contains (out, "i NO [NONEXISTENT]");
  assert_contains (out, "j OK DELETE completed\r\n");
  assert_contains (out, "k NO [NONEXISTENT]");
  g_clear_pointer (&out, g_free);

  out = send (session, "l SUBSCRIBE Sent\r\nm LSUB \"\" *\r\nn UNSUBSCRIBE Sent\r\no LSUB \"\" Sent\r\n");
  assert_contains (out, "* LSUB (\\HasNoChildren \\Sent) \"/\" \"Sent\"\r\n");
  assert_contains (out, "n OK UNSUBSCRIBE completed\r\no OK LSUB completed\r\n");
  g_clear_pointer (&out, g_free);

  deliver (&lab, simple_message);
  out = send (session, "p STATUS inbox (MESSAGES RECENT UIDNEXT UIDVALIDITY UNSEEN)\r\nq STATUS Nope (MESSAGES)\r\n");
  assert_contains (out, "* STATUS \"INBOX\" (MESSAGES 1 RECENT 1 UIDNEXT 2 UIDVALIDITY ");
  assert_contains (out, "UNSEEN 1)\r\np OK STATUS completed\r\n");
  assert_contains (out, "q NO [NONEXISTENT]");
  g_clear_pointer (&out, g_free);

  out = send (session, "r NAMESPACE\r\ns ID (\"name\" \"test\")\r\nt ENABLE CONDSTORE\r\n");
  assert_contains (out, "* NAMESPACE ((\"\" \"/\")) NIL NIL\r\nr OK");
  assert_contains (out, "* ID (\"name\" \"Mailroom\"");
  assert_contains (out, "* ENABLED\r\nt OK");
  g_clear_pointer (&out, g_free);

  out = send (session, "u LOGOUT\r\n");
  g_assert_cmpstr (out, ==, "* BYE Logging out\r\nu OK LOGOUT completed\r\n");
  g_assert_cmpint (mr_session_get_action (session), ==, MR_SESSION_CLOSE);

  lab_clear (&lab);
}

static void
test_append (void)
{
  Lab lab = { 0 };
  g_autoptr(MrSession) session = NULL;
  g_autofree char *input = NULL;
  g_autofree char *out = NULL;
  g_autofree char *out2 = NULL;
  g_autofree char *expected = NULL;
  MrMailbox *drafts;
  MrMessage *message;

  lab_init (&lab);
  session = open_logged_in (&lab);
  drafts = mr_account_lookup_mailbox (lab.account, "Drafts");

  input = g_strdup_printf ("a APPEND Drafts (\\Draft $Label) \"05-Mar-2026 12:30:00 +0100\" {%zu}\r\n%s\r\n",
                           strlen (simple_message), simple_message);
  out = send_bytewise (session, input);
  expected = g_strdup_printf ("+ Ready for literal data\r\na OK [APPENDUID %u 1] APPEND completed\r\n",
                              mr_mailbox_get_uidvalidity (drafts));
  g_assert_cmpstr (out, ==, expected);

  g_assert_cmpuint (mr_mailbox_get_n_messages (drafts), ==, 1);
  message = mr_mailbox_get_message (drafts, 0);
  g_assert_true (mr_message_get_flags (message) & MR_FLAG_DRAFT);
  g_assert_true (mr_message_has_keyword (message, "$Label"));
  g_assert_cmpint (mr_message_get_internal_date (message), ==, (gint64)1772710200 * G_USEC_PER_SEC);
  g_assert_cmpuint (mr_message_get_size (message), ==, strlen (simple_message));

  /* LITERAL+ needs no continuation; a missing mailbox says TRYCREATE. */
  out2 = send (session, "b APPEND Nope {3+}\r\nabc\r\n");
  g_assert_cmpstr (out2, ==, "b NO [TRYCREATE] Mailbox doesn't exist: Nope\r\n");

  lab_clear (&lab);
}

static void
test_fetch (void)
{
  Lab lab = { 0 };
  g_autoptr(MrSession) session = NULL;
  g_autoptr(GPtrArray) events = NULL;
  g_autofree char *out = NULL;
  g_autofree char *expected = NULL;
  MrMessage *first;
  guint64 last;
  gboolean saw_content = FALSE;

  lab_init (&lab);
  first = deliver (&lab, simple_message);
  deliver (&lab, multipart_message);
  session = open_logged_in (&lab);

  out = send (session, "a EXAMINE INBOX\r\n");
  assert_contains (out, "* 2 EXISTS\r\n* 2 RECENT\r\n* OK [UNSEEN 1]");
  assert_contains (out, "* OK [PERMANENTFLAGS ()]");
  assert_contains (out, "* OK [UIDNEXT 3]");
  assert_contains (out, "a OK [READ-ONLY] EXAMINE completed");
  g_clear_pointer (&out, g_free);

  out = send (session, "b FETCH 1 (UID FLAGS RFC822.SIZE INTERNALDATE)\r\n");
  expected = g_strdup_printf ("* 1 FETCH (UID 1 FLAGS (\\Recent) RFC822.SIZE %zu INTERNALDATE "
                              "\"02-Feb-2026 02:40:00 +0000\")\r\nb OK FETCH completed\r\n",
                              strlen (simple_message));
  g_assert_cmpstr (out, ==, expected);
  g_clear_pointer (&out, g_free);

  out = send (session, "c FETCH 1 ENVELOPE\r\n");
  assert_contains (out, "* 1 FETCH (ENVELOPE (\"Mon, 02 Feb 2026 10:00:00 +0000\" \"Hello Bob\" "
                        "((\"Alice Example\" NIL \"alice\" \"sender.example\")) "
                        "((\"Alice Example\" NIL \"alice\" \"sender.example\")) "
                        "((\"Alice Example\" NIL \"alice\" \"sender.example\")) "
                        "((NIL NIL \"bob\" \"recipient.example\")(\"Carol\" NIL \"carol\" \"recipient.example\")) "
                        "NIL NIL NIL \"<1@sender.example>\"))\r\n");
  g_clear_pointer (&out, g_free);

  out = send (session, "d FETCH 2 BODYSTRUCTURE\r\n");
  assert_contains (out, "* 2 FETCH (BODYSTRUCTURE ((\"TEXT\" \"PLAIN\" (\"CHARSET\" \"utf-8\") NIL NIL \"7BIT\" 13 1 NIL NIL NIL NIL)"
                        "(\"APPLICATION\" \"PDF\" (\"NAME\" \"r.pdf\") NIL NIL \"BASE64\" 8 NIL "
                        "(\"ATTACHMENT\" (\"FILENAME\" \"r.pdf\")) NIL NIL)"
                        "(\"MESSAGE\" \"RFC822\" NIL NIL NIL \"7BIT\" 50 (NIL \"Inner\" ((NIL NIL \"dave\" \"x.example\")) "
                        "((NIL NIL \"dave\" \"x.example\")) ((NIL NIL \"dave\" \"x.example\")) NIL NIL NIL NIL NIL) "
                        "(\"TEXT\" \"PLAIN\" NIL NIL NIL \"7BIT\" 10 1 NIL NIL NIL NIL) 4 NIL NIL NIL NIL) "
                        "\"MIXED\" (\"BOUNDARY\" \"XX\") NIL NIL NIL))\r\n");
  g_clear_pointer (&out, g_free);

  out = send (session, "e FETCH 2 (BODY[1] BODY[2.MIME] BODY[3.HEADER] BODY[3.TEXT] BODY[3.1])\r\n");
  assert_contains (out, "BODY[1] {13}\r\nSee attached.");
  assert_contains (out, "BODY[2.MIME] {129}\r\nContent-Type: application/pdf; name=r.pdf\r\n"
                        "Content-Disposition: attachment; filename=r.pdf\r\n"
                        "Content-Transfer-Encoding: base64\r\n\r\n");
  assert_contains (out, "BODY[3.HEADER] {40}\r\nFrom: dave@x.example\r\nSubject: Inner\r\n\r\n");
  assert_contains (out, "BODY[3.TEXT] {10}\r\ninner body");
  assert_contains (out, "BODY[3.1] {10}\r\ninner body");
  g_clear_pointer (&out, g_free);

  last = mr_event_bus_get_last_seq (lab.bus);
  out = send (session, "f FETCH 1 (BODY.PEEK[HEADER.FIELDS (Subject to)] BODY[TEXT]<4.5> BODY[HEADER.FIELDS.NOT (From To Date Message-ID)])\r\n");
  assert_contains (out, "BODY[HEADER.FIELDS (SUBJECT TO)] {84}\r\n"
                        "To: bob@recipient.example, \"Carol\" <carol@recipient.example>\r\n"
                        "Subject: Hello Bob\r\n\r\n");
  assert_contains (out, "BODY[TEXT]<4> {5}\r\nob,\r\n");
  assert_contains (out, "BODY[HEADER.FIELDS.NOT (FROM TO DATE MESSAGE-ID)] {22}\r\nSubject: Hello Bob\r\n\r\n");
  /* EXAMINE: nothing gets \Seen */
  g_assert_false (mr_message_get_flags (first) & MR_FLAG_SEEN);

  /* Literal contents are content events, not part of the line's text. */
  events = mr_event_bus_dup_since (lab.bus, last, 0);
  for (guint i = 0; i < events->len; i++)
    {
      MrEvent *event = g_ptr_array_index (events, i);

      if (event->kind == MR_EVENT_CONTENT)
        saw_content = TRUE;
      if (event->kind == MR_EVENT_LINE && event->direction == MR_DIRECTION_TO_CLIENT)
        assert_lacks (event->text, "Hello Bob");
    }
  g_assert_true (saw_content);
  g_clear_pointer (&out, g_free);

  /* SELECT: BODY[] sets \Seen and reports FLAGS; BODY.PEEK does not. */
  out = send (session, "g SELECT INBOX\r\nh FETCH 1 BODY.PEEK[]\r\n");
  assert_contains (out, "g OK [READ-WRITE]");
  g_assert_false (mr_message_get_flags (first) & MR_FLAG_SEEN);
  g_clear_pointer (&out, g_free);
  out = send (session, "i FETCH 1:* (BODY[]<0.4>)\r\n");
  assert_contains (out, "* 1 FETCH (FLAGS (\\Seen \\Recent) BODY[]<0> {4}\r\nFrom)\r\n");
  g_assert_true (mr_message_get_flags (first) & MR_FLAG_SEEN);
  g_clear_pointer (&out, g_free);

  out = send (session, "j UID FETCH 2:* (FLAGS)\r\nk FETCH 2 (RFC822.HEADER)\r\nl FETCH 1 FAST\r\n");
  assert_contains (out, "* 2 FETCH (UID 2 FLAGS (\\Seen \\Recent))\r\nj OK UID FETCH completed\r\n");
  assert_contains (out, "* 2 FETCH (RFC822.HEADER {");
  assert_contains (out, "* 1 FETCH (FLAGS (\\Seen \\Recent) INTERNALDATE \"02-Feb-2026 02:40:00 +0000\" RFC822.SIZE");
  g_clear_pointer (&out, g_free);

  /* RFC 3501 6.4.8: "*" is the highest UID, even below the range start. */
  out = send (session, "m UID FETCH 10:* UID\r\n");
  g_assert_cmpstr (out, ==, "* 2 FETCH (UID 2)\r\nm OK UID FETCH completed\r\n");

  lab_clear (&lab);
}

static void
test_store_search (void)
{
  Lab lab = { 0 };
  g_autoptr(MrSession) session = NULL;
  g_autofree char *out = NULL;
  MrMessage *first;

  lab_init (&lab);
  first = deliver (&lab, simple_message);
  deliver (&lab, multipart_message);
  deliver (&lab, simple_message);
  session = open_selected (&lab);

  out = send (session, "a STORE 1 +FLAGS (\\Flagged $Work)\r\n");
  g_assert_cmpstr (out, ==, "* 1 FETCH (FLAGS (\\Flagged $Work \\Recent))\r\na OK STORE completed\r\n");
  g_assert_true (mr_message_get_flags (first) & MR_FLAG_FLAGGED);
  g_clear_pointer (&out, g_free);

  out = send (session, "b STORE 1 -FLAGS.SILENT ($Work)\r\nc UID STORE 1:2 FLAGS (\\Seen)\r\n");
  g_assert_cmpstr (out, ==, "b OK STORE completed\r\n"
                            "* 1 FETCH (UID 1 FLAGS (\\Seen \\Recent))\r\n"
                            "* 2 FETCH (UID 2 FLAGS (\\Seen \\Recent))\r\n"
                            "c OK UID STORE completed\r\n");
  g_assert_false (mr_message_has_keyword (first, "$Work"));
  g_clear_pointer (&out, g_free);

  {
    static const Exchange searches[] = {
      { "s1 SEARCH ALL\r\n", "* SEARCH 1 2 3\r\n" },
      { "s2 SEARCH SEEN\r\n", "* SEARCH 1 2\r\n" },
      { "s3 SEARCH UNSEEN\r\n", "* SEARCH 3\r\n" },
      { "s4 SEARCH FROM alice SUBJECT report\r\n", "* SEARCH 2\r\n" },
      { "s5 SEARCH OR SUBJECT report NOT SEEN\r\n", "* SEARCH 2 3\r\n" },
      { "s6 SEARCH CHARSET UTF-8 BODY \"QUICK brown\"\r\n", "* SEARCH 1 3\r\n" },
      { "s7 UID SEARCH 2:3 TEXT Carol\r\n", "* SEARCH 3\r\n" },
      { "s8 SEARCH (LARGER 300) RECENT\r\n", "* SEARCH 2\r\n" },
      { "s8b SEARCH NEW\r\n", "* SEARCH 3\r\n" },
      { "s9 SEARCH SMALLER 300 RECENT UID 1:*\r\n", "* SEARCH 1 3\r\n" },
      { "s10 SEARCH SENTON 2-Feb-2026\r\n", "* SEARCH 1 2 3\r\n" },
      { "s11 SEARCH SENTBEFORE 1-Jan-2026\r\n", "* SEARCH\r\n" },
      { "s12 SEARCH SINCE 1-Feb-2026 BEFORE 3-Feb-2026 ON 2-Feb-2026\r\n", "* SEARCH 1 2 3\r\n" },
      { "s13 SEARCH HEADER Message-ID <1@sender OLD\r\n", "* SEARCH\r\n" },
      { "s14 SEARCH HEADER Message-ID <1@sender\r\n", "* SEARCH 1 3\r\n" },
      { "s15 SEARCH TO carol CC nobody\r\n", "* SEARCH\r\n" },
      { "s16 SEARCH UNFLAGGED UNANSWERED UNDELETED UNDRAFT\r\n", "* SEARCH 1 2 3\r\n" },
      { "s17 SEARCH KEYWORD $Work\r\n", "* SEARCH\r\n" },
      { "s18 SEARCH UNKEYWORD $Work ANSWERED\r\n", "* SEARCH\r\n" },
      { "s19 SEARCH NOT (OR 1 2:3)\r\n", "* SEARCH\r\n" },
      { "s20 SEARCH 2:* UNFLAGGED DELETED\r\n", "* SEARCH\r\n" },
      { "s21 SEARCH BCC x DRAFT\r\n", "* SEARCH\r\n" },
      { "s22 SEARCH SENTSINCE 1-Feb-2026 UNSEEN\r\n", "* SEARCH 3\r\n" },
    };

    for (guint i = 0; i < G_N_ELEMENTS (searches); i++)
      {
        g_autofree char *result = send (session, searches[i].input);

        if (!g_str_has_prefix (result, searches[i].expected))
          g_error ("%s gave %s", searches[i].input, result);
        assert_contains (result, "OK");
      }
  }

  lab_clear (&lab);
}

static void
test_copy_move_expunge (void)
{
  Lab lab = { 0 };
  g_autoptr(MrSession) session = NULL;
  g_autofree char *out = NULL;
  g_autofree char *expected = NULL;
  MrMailbox *trash;

  lab_init (&lab);
  deliver (&lab, simple_message);
  deliver (&lab, multipart_message);
  deliver (&lab, simple_message);
  deliver (&lab, simple_message);
  trash = mr_account_lookup_mailbox (lab.account, "Trash");
  session = open_selected (&lab);

  out = send (session, "a COPY 1:2 Trash\r\nb COPY 1 Nope\r\n");
  expected = g_strdup_printf ("a OK [COPYUID %u 1:2 1:2] COPY completed\r\n"
                              "b NO [TRYCREATE] Mailbox doesn't exist: Nope\r\n",
                              mr_mailbox_get_uidvalidity (trash));
  g_assert_cmpstr (out, ==, expected);
  g_assert_cmpuint (mr_mailbox_get_n_messages (trash), ==, 2);
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&expected, g_free);

  out = send (session, "c UID MOVE 2 Trash\r\n");
  expected = g_strdup_printf ("* OK [COPYUID %u 2 3] Moved\r\n* 2 EXPUNGE\r\nc OK UID MOVE completed\r\n",
                              mr_mailbox_get_uidvalidity (trash));
  g_assert_cmpstr (out, ==, expected);
  g_assert_cmpuint (mr_mailbox_get_n_messages (lab.inbox), ==, 3);
  g_clear_pointer (&out, g_free);

  out = send (session, "d STORE 1:3 +FLAGS.SILENT (\\Deleted)\r\ne UID EXPUNGE 4\r\n");
  g_assert_cmpstr (out, ==, "d OK STORE completed\r\n* 3 EXPUNGE\r\ne OK UID EXPUNGE completed\r\n");
  g_clear_pointer (&out, g_free);

  out = send (session, "f EXPUNGE\r\n");
  g_assert_cmpstr (out, ==, "* 2 EXPUNGE\r\n* 1 EXPUNGE\r\nf OK EXPUNGE completed\r\n");
  g_assert_cmpuint (mr_mailbox_get_n_messages (lab.inbox), ==, 0);
  g_clear_pointer (&out, g_free);

  /* CLOSE expunges silently; UNSELECT does not expunge. */
  deliver (&lab, simple_message);
  deliver (&lab, simple_message);
  out = send (session, "g NOOP\r\nh STORE 1 +FLAGS.SILENT (\\Deleted)\r\ni UNSELECT\r\n");
  assert_contains (out, "* 2 EXISTS\r\n");
  assert_contains (out, "i OK UNSELECT completed\r\n");
  g_assert_cmpuint (mr_mailbox_get_n_messages (lab.inbox), ==, 2);
  g_clear_pointer (&out, g_free);
  out = send (session, "j SELECT INBOX\r\nk CLOSE\r\nl FETCH 1 FLAGS\r\n");
  assert_contains (out, "k OK CLOSE completed\r\nl BAD FETCH not allowed without a selected mailbox\r\n");
  assert_lacks (out, "EXPUNGE");
  g_assert_cmpuint (mr_mailbox_get_n_messages (lab.inbox), ==, 1);

  lab_clear (&lab);
}

static void
test_encoded_headers (void)
{
  static const char encoded[] =
    "From: =?UTF-8?Q?J=C3=BCrgen?= <juergen@example.de>\r\n"
    "To: bob@recipient.example,\r\n"
    "\tcarol@recipient.example\r\n"
    "Subject: =?UTF-8?Q?Gr=C3=BC=C3=9Fe?= aus\r\n"
    " Berlin\r\n"
    "\r\n"
    "Hallo.\r\n";
  Lab lab = { 0 };
  g_autoptr(MrSession) session = NULL;
  g_autofree char *out = NULL;

  lab_init (&lab);
  deliver (&lab, encoded);
  session = open_selected (&lab);

  /* ENVELOPE keeps encoded-words and unfolds (RFC 3501 7.4.2); a display
   * name GMime decoded goes back out encoded, as 7-bit text. */
  out = send (session, "a FETCH 1 ENVELOPE\r\n");
  assert_contains (out, "\"=?UTF-8?Q?Gr=C3=BC=C3=9Fe?= aus Berlin\" "
                        "((\"=?UTF-8?b?SsO8cmdlbg==?=\" NIL \"juergen\" \"example.de\")) ");
  assert_contains (out, "((NIL NIL \"bob\" \"recipient.example\")(NIL NIL \"carol\" \"recipient.example\"))");
  g_clear_pointer (&out, g_free);

  /* SEARCH decodes them; the key comes as a UTF-8 literal. */
  out = send (session, "b SEARCH CHARSET UTF-8 SUBJECT {6+}\r\ngr\xc3\xbc\xc3\x9f\r\n");
  g_assert_cmpstr (out, ==, "* SEARCH 1\r\nb OK SEARCH completed\r\n");
  g_clear_pointer (&out, g_free);
  out = send (session, "c SEARCH FROM j\xc3\xbcrgen TO carol SUBJECT \"aus berlin\"\r\n");
  g_assert_cmpstr (out, ==, "* SEARCH 1\r\nc OK SEARCH completed\r\n");

  lab_clear (&lab);
}

static void
on_wakeup_cb (MrSession *session,
              guint     *count)
{
  (*count)++;
}

/* Past max_auth_failures each failed login is answered late, on the
 * session's clock; the commands behind it wait; the right password still
 * works. */
static void
test_auth_failure_delay (void)
{
  Lab lab = { 0 };
  g_autoptr(MrSession) session = NULL;
  g_autoptr(MrConversation) conversation = NULL;
  g_autofree char *out = NULL;
  MrLimits limits = { 0 };
  MrImapConfig config = { .hostname = "imap.test", .implicit_tls = FALSE };
  guint wakeups = 0;

  lab_init (&lab);
  mr_clock_set_mode (lab.clock, MR_CLOCK_STEP);
  config.clock = lab.clock;
  limits.max_auth_failures = 1;
  conversation = mr_conversation_new (lab.bus, MR_PROTOCOL_IMAP, "127.0.0.1:40000", "imap.test");
  session = mr_imap_session_new (lab.store, &config, conversation, &limits);
  g_signal_connect (session, "wakeup", G_CALLBACK (on_wakeup_cb), &wakeups);
  mr_session_start (session);
  g_free (take (session));

  out = send (session, "a LOGIN " USER " wrong\r\n");
  g_assert_cmpstr (out, ==, "a NO [AUTHENTICATIONFAILED] Authentication failed\r\n");
  g_clear_pointer (&out, g_free);

  /* The second failure, and the NOOP pipelined behind it, wait. */
  out = send (session, "b LOGIN " USER " wrong-again\r\nc NOOP\r\n");
  g_assert_cmpstr (out, ==, "");
  g_clear_pointer (&out, g_free);
  mr_clock_advance (lab.clock, MR_SESSION_AUTH_FAILURE_DELAY_USEC - 1);
  g_assert_cmpuint (wakeups, ==, 0);
  mr_clock_advance (lab.clock, 1);
  g_assert_cmpuint (wakeups, ==, 1);
  out = take (session);
  g_assert_cmpstr (out, ==, "b NO [AUTHENTICATIONFAILED] Authentication failed\r\n"
                            "c OK NOOP completed\r\n");
  g_clear_pointer (&out, g_free);

  /* AUTHENTICATE PLAIN fails late the same way (RFC 3501 6.2.2). */
  out = send (session, "d AUTHENTICATE PLAIN AGJvYkByZWNpcGllbnQuZXhhbXBsZQBubw==\r\n");
  g_assert_cmpstr (out, ==, "");
  g_clear_pointer (&out, g_free);
  mr_clock_advance (lab.clock, MR_SESSION_AUTH_FAILURE_DELAY_USEC);
  out = take (session);
  g_assert_true (g_str_has_prefix (out, "d NO [AUTHENTICATIONFAILED]"));
  g_clear_pointer (&out, g_free);

  out = send (session, "e LOGIN " USER " " PASS "\r\n");
  g_assert_true (g_str_has_prefix (out, "e OK [CAPABILITY "));
  g_assert_cmpint (mr_imap_session_get_state (MR_IMAP_SESSION (session)), ==, MR_IMAP_STATE_AUTHENTICATED);

  g_clear_object (&session);
  lab_clear (&lab);
}

static void
test_two_sessions (void)
{
  Lab lab = { 0 };
  g_autoptr(MrSession) a = NULL;
  g_autoptr(MrSession) b = NULL;
  g_autofree char *out = NULL;
  guint wakeups = 0;

  lab_init (&lab);
  deliver (&lab, simple_message);
  deliver (&lab, simple_message);
  a = open_selected (&lab);
  b = open_selected (&lab);

  /* A deletes message 1; B is told only where RFC 3501 7.4.1 allows. */
  out = send (a, "a1 STORE 1 +FLAGS.SILENT (\\Deleted)\r\na2 EXPUNGE\r\n");
  g_assert_cmpstr (out, ==, "a1 OK STORE completed\r\n* 1 EXPUNGE\r\na2 OK EXPUNGE completed\r\n");
  g_clear_pointer (&out, g_free);

  out = send (b, "b1 FETCH 1:* (FLAGS)\r\n");
  assert_lacks (out, "EXPUNGE");
  assert_contains (out, "* 1 FETCH (FLAGS (\\Deleted))");
  g_clear_pointer (&out, g_free);
  out = send (b, "b2 SEARCH ALL\r\nb3 STORE 2 +FLAGS (\\Answered)\r\n");
  assert_lacks (out, "EXPUNGE");
  g_assert_true (g_str_has_prefix (out, "* SEARCH 1 2\r\n"));
  g_clear_pointer (&out, g_free);
  out = send (b, "b4 NOOP\r\n");
  g_assert_cmpstr (out, ==, "* 1 EXPUNGE\r\nb4 OK NOOP completed\r\n");
  g_clear_pointer (&out, g_free);

  /* B's flag change reaches A as FETCH FLAGS on its next command. */
  out = send (a, "a3 NOOP\r\n");
  g_assert_cmpstr (out, ==, "* 1 FETCH (UID 2 FLAGS (\\Answered \\Recent))\r\na3 OK NOOP completed\r\n");
  g_clear_pointer (&out, g_free);

  /* New mail: EXISTS and RECENT, and \Recent only for the first to see it. */
  deliver (&lab, simple_message);
  out = send (a, "a4 CHECK\r\n");
  g_assert_cmpstr (out, ==, "* 2 EXISTS\r\n* 2 RECENT\r\na4 OK CHECK completed\r\n");
  g_clear_pointer (&out, g_free);
  out = send (b, "b5 UID FETCH 1:* UID\r\n");
  assert_contains (out, "* 2 EXISTS\r\n* 0 RECENT\r\n");
  g_clear_pointer (&out, g_free);

  /* IDLE: changes are pushed at once, with a wakeup. */
  g_signal_connect (b, "wakeup", G_CALLBACK (on_wakeup_cb), &wakeups);
  out = send (b, "b6 IDLE\r\n");
  g_assert_cmpstr (out, ==, "+ idling\r\n");
  g_clear_pointer (&out, g_free);
  deliver (&lab, simple_message);
  g_assert_cmpuint (wakeups, ==, 1);
  out = take (b);
  g_assert_cmpstr (out, ==, "* 3 EXISTS\r\n* 1 RECENT\r\n");
  g_clear_pointer (&out, g_free);
  out = send (a, "a5 NOOP\r\na6 STORE 3 +FLAGS.SILENT (\\Deleted)\r\na7 EXPUNGE\r\n");
  assert_contains (out, "* 3 EXISTS\r\n");
  assert_contains (out, "* 3 EXPUNGE\r\na7 OK");
  g_clear_pointer (&out, g_free);
  g_assert_cmpuint (wakeups, ==, 3);
  out = take (b);
  g_assert_cmpstr (out, ==, "* 3 FETCH (UID 4 FLAGS (\\Deleted \\Recent))\r\n* 3 EXPUNGE\r\n");
  g_clear_pointer (&out, g_free);
  out = send_bytewise (b, "DONE\r\n");
  g_assert_cmpstr (out, ==, "b6 OK IDLE terminated\r\n");
  g_clear_pointer (&out, g_free);

  /* The server stopping says BYE. */
  mr_session_stop (b, MR_STOP_SHUTDOWN);
  out = take (b);
  g_assert_cmpstr (out, ==, "* BYE [ALERT] Server shutting down\r\n");
  g_assert_cmpint (mr_session_get_action (b), ==, MR_SESSION_CLOSE);

  lab_clear (&lab);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  mr_init ();

  g_test_add_func ("/imap/session/capability", test_capability);
  g_test_add_func ("/imap/session/login", test_login);
  g_test_add_func ("/imap/session/bad-input", test_bad_input);
  g_test_add_func ("/imap/session/mailboxes", test_mailboxes);
  g_test_add_func ("/imap/session/append", test_append);
  g_test_add_func ("/imap/session/fetch", test_fetch);
  g_test_add_func ("/imap/session/store-search", test_store_search);
  g_test_add_func ("/imap/session/copy-move-expunge", test_copy_move_expunge);
  g_test_add_func ("/imap/session/encoded-headers", test_encoded_headers);
  g_test_add_func ("/imap/session/two-sessions", test_two_sessions);
  g_test_add_func ("/imap/session/auth-failure-delay", test_auth_failure_delay);

  return g_test_run ();
}
