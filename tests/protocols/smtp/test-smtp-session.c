/* test-smtp-session.c
 *
 * Copyright 2026 The Mailroom authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <string.h>

#include "smtp-test-fixture.h"

/* A backend whose answers a test chooses, recording what it was given. */

#define TEST_TYPE_BACKEND (test_backend_get_type ())
G_DECLARE_FINAL_TYPE (TestBackend, test_backend, TEST, BACKEND, GObject)

struct _TestBackend
{
  GObject         parent_instance;
  MrReplyId       connect_reply;
  MrReplyId       data_reply;
  MrSmtpEnvelope *delivered;
  GBytes         *message;
  guint           n_deliveries;
};

static void test_backend_iface_init (MrSmtpBackendInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (TestBackend, test_backend, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (MR_TYPE_SMTP_BACKEND, test_backend_iface_init))

static MrReplyId
test_check_connect (MrSmtpBackend   *backend,
                    MrConversation  *conversation,
                    char           **text_r)
{
  return TEST_BACKEND (backend)->connect_reply;
}

static MrReplyId
test_check_data (MrSmtpBackend   *backend,
                 MrSmtpEnvelope  *envelope,
                 GBytes          *message,
                 char           **text_r)
{
  return TEST_BACKEND (backend)->data_reply;
}

static MrReplyId
test_deliver (MrSmtpBackend   *backend,
              MrSmtpEnvelope  *envelope,
              GBytes          *message,
              char           **queue_id_r,
              char           **text_r)
{
  TestBackend *self = TEST_BACKEND (backend);

  g_clear_pointer (&self->delivered, mr_smtp_envelope_unref);
  g_clear_pointer (&self->message, g_bytes_unref);
  self->delivered = mr_smtp_envelope_ref (envelope);
  self->message = g_bytes_ref (message);
  self->n_deliveries++;
  *queue_id_r = g_strdup ("TESTQUEUE1");
  return MR_REPLY_QUEUED;
}

static void
test_backend_iface_init (MrSmtpBackendInterface *iface)
{
  iface->check_connect = test_check_connect;
  iface->check_data = test_check_data;
  iface->deliver = test_deliver;
}

static void
test_backend_finalize (GObject *object)
{
  TestBackend *self = TEST_BACKEND (object);

  g_clear_pointer (&self->delivered, mr_smtp_envelope_unref);
  g_clear_pointer (&self->message, g_bytes_unref);
  G_OBJECT_CLASS (test_backend_parent_class)->finalize (object);
}

static void
test_backend_class_init (TestBackendClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = test_backend_finalize;
}

static void
test_backend_init (TestBackend *self)
{
  self->connect_reply = MR_REPLY_SERVICE_READY;
  self->data_reply = MR_REPLY_OK;
}

static char *
run (MrSession  *session,
     const char *input)
{
  g_autoptr(GBytes) out = NULL;

  if (input != NULL)
    mr_session_feed (session, (const guint8 *)input, strlen (input));
  out = mr_session_take_output (session);
  if (out == NULL)
    return g_strdup ("");
  return g_strndup (g_bytes_get_data (out, NULL), g_bytes_get_size (out));
}

/* The exact event sequence of a short pipelined conversation. */

typedef struct
{
  MrEventKind  kind;
  MrDirection  direction;
  const char  *text;
  const char  *verb;
  guint        code;
  const char  *enhanced;
  const char  *state;
  MrEventFlags flags;
} ExpectedEvent;

#define C MR_DIRECTION_TO_SERVER
#define S MR_DIRECTION_TO_CLIENT
#define LINE MR_EVENT_LINE
#define PIPE MR_EVENT_FLAG_PIPELINED
#define MORE MR_EVENT_FLAG_CONTINUED
#define ERR MR_EVENT_FLAG_ERROR
#define CONT MR_EVENT_FLAG_CONTINUATION

static void
check_events (GPtrArray           *events,
              const ExpectedEvent *expected,
              guint                n_expected)
{
  for (guint i = 0; i < MIN (events->len, n_expected); i++)
    {
      MrEvent *e = g_ptr_array_index (events, i);

      g_test_message ("event %u: %s", i, e->text);
      g_assert_cmpint (e->kind, ==, expected[i].kind);
      g_assert_cmpint (e->direction, ==, expected[i].direction);
      g_assert_cmpstr (e->text, ==, expected[i].text);
      g_assert_cmpstr (e->verb, ==, expected[i].verb);
      g_assert_cmpuint (e->code, ==, expected[i].code);
      g_assert_cmpstr (e->enhanced, ==, expected[i].enhanced);
      g_assert_cmpstr (e->state, ==, expected[i].state);
      g_assert_cmpuint (e->flags, ==, expected[i].flags);
      g_assert_cmpuint (e->protocol, ==, MR_PROTOCOL_SMTP);
      g_assert_cmpstr (e->client, ==, "127.0.0.1:40000");
      g_assert_cmpstr (e->server, ==, "mx.test");
      if (i > 0)
        g_assert_cmpuint (e->seq, ==, ((MrEvent *)g_ptr_array_index (events, i - 1))->seq + 1);
    }
  g_assert_cmpuint (events->len, ==, n_expected);
}

static void
test_event_sequence (void)
{
  static const ExpectedEvent expected[] = {
    { LINE, S, "220 mx.test ESMTP Mailroom", NULL, 220, NULL, "connected", 0 },
    { LINE, C, "HELO client.example", "HELO", 0, NULL, "connected", 0 },
    { LINE, S, "250 mx.test", NULL, 250, NULL, "greeted", 0 },
    { LINE, C, "MAIL FROM:<alice@sender.example>", "MAIL", 0, NULL, "greeted", 0 },
    { LINE, S, "250 2.1.0 Ok", NULL, 250, "2.1.0", "mail", 0 },
    { LINE, C, "RCPT TO:<nobody@recipient.example>", "RCPT", 0, NULL, "mail", PIPE },
    { LINE, S, "550 5.1.1 Recipient address rejected: User unknown in local recipient table",
      NULL, 550, "5.1.1", "mail", ERR },
    { LINE, C, "RCPT TO:<bob@recipient.example>", "RCPT", 0, NULL, "mail", PIPE | MR_EVENT_FLAG_BARE_LF },
    { LINE, S, "250 2.1.5 Ok", NULL, 250, "2.1.5", "rcpt", 0 },
    { LINE, C, "DATA", "DATA", 0, NULL, "rcpt", PIPE },
    { LINE, S, "354 End data with <CR><LF>.<CR><LF>", NULL, 354, NULL, "data", CONT },
    { MR_EVENT_CONTENT, C, "[message: 3 lines, 20 octets]", NULL, 0, NULL, "data", 0 },
    { LINE, S, "250 2.0.0 Ok: queued as *", NULL, 250, "2.0.0", "greeted", 0 },
    { LINE, C, "QUIT", "QUIT", 0, NULL, "greeted", PIPE },
    { LINE, S, "221 2.0.0 Bye", NULL, 250, "2.0.0", "quit", 0 },
  };
  g_autoptr(SmtpFixture) f = smtp_fixture_new (NULL, NULL, FALSE);
  MrEvent *content;
  MrEvent *queued;
  MrEvent *bye;

  smtp_fixture_feed (f, "HELO client.example\r\n", -1);
  smtp_fixture_feed (f, "MAIL FROM:<alice@sender.example>\r\n"
                        "RCPT TO:<nobody@recipient.example>\r\n"
                        "RCPT TO:<bob@recipient.example>\n"
                        "DATA\r\n", -1);
  smtp_fixture_feed (f, "Subject: x\r\n\r\n..dot\r\n.\r\nQUIT\r\n", -1);

  /* The queue id and 221 code vary/are checked separately below. */
  g_assert_cmpuint (f->events->len, ==, G_N_ELEMENTS (expected));
  queued = g_ptr_array_index (f->events, 12);
  g_assert_true (g_pattern_match_simple (expected[12].text, queued->text));
  g_free (queued->text);
  queued->text = g_strdup (expected[12].text);
  bye = g_ptr_array_index (f->events, 14);
  g_assert_cmpuint (bye->code, ==, 221);
  bye->code = 250;

  check_events (f->events, expected, G_N_ELEMENTS (expected));

  /* The content event carries the bytes as on the wire: still dot-stuffed. */
  content = g_ptr_array_index (f->events, 11);
  g_assert_nonnull (content->content);
  g_assert_cmpmem (g_bytes_get_data (content->content, NULL), g_bytes_get_size (content->content),
                   "Subject: x\r\n\r\n..dot\r\n.\r\n", 24);
}

#undef C
#undef S

static gboolean
any_event_contains (GPtrArray  *events,
                    const char *needle)
{
  for (guint i = 0; i < events->len; i++)
    {
      MrEvent *e = g_ptr_array_index (events, i);

      if (strstr (e->text, needle) != NULL)
        return TRUE;
      if (e->content && g_strstr_len (g_bytes_get_data (e->content, NULL),
                                      g_bytes_get_size (e->content), needle))
        return TRUE;
    }
  return FALSE;
}

static void
count_wakeup_cb (MrSession *session,
                 guint     *count)
{
  (*count)++;
}

/* Past max_auth_failures each failed AUTH is answered late, on the
 * session's clock; pipelined guesses each add to the wait; a client that
 * floods the wait is hung up on. */
static void
test_auth_failure_delay (void)
{
  g_autoptr(MrClock) clock = mr_clock_new ();
  MrLimits limits = { 0 };
  MrSmtpConfig config;
  g_autofree char *out = NULL;
  guint wakeups = 0;

  mr_clock_set_mode (clock, MR_CLOCK_STEP);
  mr_smtp_config_init (&config);
  config.hostname = "mx.test";
  config.clock = clock;
  limits.max_auth_failures = 2;

  {
    g_autoptr(SmtpFixture) f = smtp_fixture_new (&config, &limits, FALSE);
    const char *bad = "AUTH PLAIN AGFsaWNlQHNlbmRlci5leGFtcGxlAHdyb25n\r\n";   /* \0alice@...\0wrong */
    g_auto(GStrv) lines = NULL;

    g_signal_connect (f->session, "wakeup", G_CALLBACK (count_wakeup_cb), &wakeups);
    smtp_fixture_feed (f, "EHLO client.example\r\n", -1);
    g_strfreev (smtp_fixture_take_lines (f));

    /* The first two: at once (RFC 4954 6: 535 5.7.8). */
    smtp_fixture_feed (f, bad, -1);
    smtp_fixture_feed (f, bad, -1);
    lines = smtp_fixture_take_lines (f);
    g_assert_cmpuint (g_strv_length (lines), ==, 2);
    g_assert_true (g_str_has_prefix (lines[0], "535 5.7.8"));
    g_assert_true (g_str_has_prefix (lines[1], "535 5.7.8"));
    g_clear_pointer (&lines, g_strfreev);

    /* The third waits two seconds, and the NOOP behind it waits too. */
    smtp_fixture_feed (f, bad, -1);
    smtp_fixture_feed (f, "NOOP\r\n", -1);
    g_assert_true (mr_session_get_held (f->session));
    g_assert_cmpuint (f->out->len, ==, 0);
    mr_clock_advance (clock, MR_SESSION_AUTH_FAILURE_DELAY_USEC / 2);
    g_assert_cmpuint (wakeups, ==, 0);
    g_assert_false (mr_session_has_output (f->session));
    mr_clock_advance (clock, MR_SESSION_AUTH_FAILURE_DELAY_USEC / 2);
    g_assert_cmpuint (wakeups, ==, 1);
    smtp_fixture_feed (f, "", 0);
    lines = smtp_fixture_take_lines (f);
    g_assert_cmpuint (g_strv_length (lines), ==, 2);
    g_assert_true (g_str_has_prefix (lines[0], "535 5.7.8"));
    g_assert_true (g_str_has_prefix (lines[1], "250 2.0.0"));
    g_clear_pointer (&lines, g_strfreev);

    /* Two pipelined guesses: each pays its two seconds. */
    {
      g_autofree char *two = g_strconcat (bad, bad, NULL);

      smtp_fixture_feed (f, two, -1);
    }
    mr_clock_advance (clock, MR_SESSION_AUTH_FAILURE_DELAY_USEC);
    smtp_fixture_feed (f, "", 0);
    lines = smtp_fixture_take_lines (f);
    g_assert_cmpuint (g_strv_length (lines), ==, 1);
    g_clear_pointer (&lines, g_strfreev);
    g_assert_true (mr_session_get_held (f->session));
    mr_clock_advance (clock, MR_SESSION_AUTH_FAILURE_DELAY_USEC);
    smtp_fixture_feed (f, "", 0);
    lines = smtp_fixture_take_lines (f);
    g_assert_cmpuint (g_strv_length (lines), ==, 1);
    g_assert_true (g_str_has_prefix (lines[0], "535 5.7.8"));
    g_clear_pointer (&lines, g_strfreev);

    /* The right password still works (a delay, not a lockout). */
    smtp_fixture_feed (f, "AUTH PLAIN AGFsaWNlQHNlbmRlci5leGFtcGxlAGFsaWNl\r\n", -1);
    lines = smtp_fixture_take_lines (f);
    g_assert_cmpstr (lines[0], ==, "235 2.7.0 Authentication successful");
    g_assert_cmpint (mr_session_get_action (f->session), ==, MR_SESSION_CONTINUE);
  }

  {
    g_autoptr(SmtpFixture) f = smtp_fixture_new (&config, &limits, FALSE);
    const char *bad = "AUTH PLAIN AGFsaWNlQHNlbmRlci5leGFtcGxlAHdyb25n\r\n";
    g_autofree char *junk = g_strnfill (MR_SESSION_MAX_HELD_INPUT + 1, 'N');

    smtp_fixture_feed (f, "EHLO client.example\r\n", -1);
    for (guint i = 0; i < 3; i++)
      smtp_fixture_feed (f, bad, -1);
    g_string_truncate (f->out, 0);
    smtp_fixture_feed (f, junk, -1);
    g_assert_cmpint (mr_session_get_action (f->session), ==, MR_SESSION_CLOSE);
    g_assert_false (mr_session_get_held (f->session));
    mr_clock_advance (clock, 10 * MR_SESSION_AUTH_FAILURE_DELAY_USEC);
    g_assert_false (mr_session_has_output (f->session));
  }
}

static void
test_auth_masked (void)
{
  g_autoptr(SmtpFixture) f = smtp_fixture_new (NULL, NULL, FALSE);
  MrEvent *e;

  smtp_fixture_feed (f, "EHLO client.example\r\n"
                        "AUTH PLAIN AGFsaWNlQHNlbmRlci5leGFtcGxlAGFsaWNl\r\n", -1);
  g_assert_cmpstr (mr_smtp_session_get_auth_user (MR_SMTP_SESSION (f->session)), ==,
                   "alice@sender.example");

  e = g_ptr_array_index (f->events, f->events->len - 2);
  g_assert_cmpstr (e->text, ==, "AUTH PLAIN ****");
  g_assert_cmpstr (e->verb, ==, "AUTH");
  g_assert_true (e->flags & MR_EVENT_FLAG_MASKED);

  /* A second session: LOGIN, continuation lines masked */
  {
    g_autoptr(SmtpFixture) g = smtp_fixture_new (NULL, NULL, FALSE);
    guint n;

    smtp_fixture_feed (g, "EHLO client.example\r\nAUTH LOGIN\r\n", -1);
    n = g->events->len;
    smtp_fixture_feed (g, "Ym9iQHJlY2lwaWVudC5leGFtcGxl\r\n", -1);
    smtp_fixture_feed (g, "Ym9i\r\n", -1);

    e = g_ptr_array_index (g->events, n);
    g_assert_cmpstr (e->text, ==, "****");
    g_assert_null (e->verb);
    g_assert_true (e->flags & MR_EVENT_FLAG_MASKED);
    e = g_ptr_array_index (g->events, n + 1);
    g_assert_cmpstr (e->text, ==, "334 UGFzc3dvcmQ6");
    g_assert_true (e->flags & MR_EVENT_FLAG_CONTINUATION);
    e = g_ptr_array_index (g->events, n + 2);
    g_assert_cmpstr (e->text, ==, "****");
    e = g_ptr_array_index (g->events, n + 3);
    g_assert_cmpuint (e->code, ==, 235);
    g_assert_false (any_event_contains (g->events, "Ym9i"));
  }

  g_assert_false (any_event_contains (f->events, "AGFsaWNl"));
}

static void
test_ehlo_continued_flags (void)
{
  g_autoptr(SmtpFixture) f = smtp_fixture_new (NULL, NULL, TRUE);
  g_autofree char *joined = NULL;
  guint n;

  n = f->events->len;
  smtp_fixture_feed (f, "EHLO client.example\r\n", -1);
  joined = smtp_fixture_take_joined (f);
  g_assert_cmpstr (joined, ==,
                   "220 mx.test ESMTP Mailroom|"
                   "250-mx.test Hello client.example|250-PIPELINING|250-SIZE 10485760|"
                   "250-8BITMIME|250-ENHANCEDSTATUSCODES|250-SMTPUTF8|250-AUTH PLAIN LOGIN|"
                   "250-STARTTLS|250-HELP|250-CHUNKING|250 DSN");
  /* command + 11 reply lines, all but the last CONTINUED */
  g_assert_cmpuint (f->events->len, ==, n + 12);
  for (guint i = n + 1; i < f->events->len; i++)
    {
      MrEvent *e = g_ptr_array_index (f->events, i);

      g_assert_cmpuint (e->code, ==, 250);
      g_assert_cmpint (!!(e->flags & MR_EVENT_FLAG_CONTINUED), ==, i + 1 < f->events->len);
    }
}

static void
test_starttls_action (void)
{
  g_autoptr(SmtpFixture) f = smtp_fixture_new (NULL, NULL, TRUE);
  g_autofree char *joined = NULL;

  smtp_fixture_feed (f, "EHLO a\r\nSTARTTLS\r\nRSET\r\n", -1);
  g_assert_cmpint (mr_session_get_action (f->session), ==, MR_SESSION_START_TLS);
  g_strfreev (smtp_fixture_take_lines (f));

  /* Input before the handshake is not read. */
  smtp_fixture_feed (f, "NOOP\r\n", -1);
  g_assert_cmpstr (f->out->str, ==, "");

  mr_session_tls_started (f->session);
  g_assert_cmpint (mr_session_get_action (f->session), ==, MR_SESSION_CONTINUE);
  g_assert_true (mr_session_get_encrypted (f->session));
  g_assert_null (mr_smtp_session_get_helo (MR_SMTP_SESSION (f->session)));
  g_assert_cmpstr (mr_smtp_session_get_state_name (MR_SMTP_SESSION (f->session)), ==, "connected");

  smtp_fixture_feed (f, "NOOP\r\n", -1);
  joined = smtp_fixture_take_joined (f);
  g_assert_cmpstr (joined, ==, "250 2.0.0 Ok");
  /* Events after TLS are marked encrypted. */
  g_assert_true (((MrEvent *)g_ptr_array_index (f->events, f->events->len - 1))->flags & MR_EVENT_FLAG_ENCRYPTED);
}

static void
test_dsn_envelope (void)
{
  g_autoptr(TestBackend) backend = g_object_new (TEST_TYPE_BACKEND, NULL);
  g_autoptr(MrSession) session = NULL;
  g_autofree char *out = NULL;
  MrSmtpEnvelope *env;
  MrSmtpRecipient *rcpt;
  MrSmtpConfig config;

  mr_smtp_config_init (&config);
  config.hostname = "mx.test";
  session = mr_smtp_session_new (MR_SMTP_BACKEND (backend), &config, NULL, NULL);
  mr_session_start (session);
  g_free (run (session, NULL));

  out = run (session,
             "EHLO client.example\r\n"
             "MAIL FROM:<alice@sender.example> RET=HDRS ENVID=QQ+2B1 BODY=8BITMIME SIZE=50 SMTPUTF8 AUTH=alice+40sender.example\r\n"
             "RCPT TO:<bob@recipient.example> NOTIFY=SUCCESS,DELAY ORCPT=rfc822;bob+2Bx@recipient.example\r\n"
             "RCPT TO:<carol@recipient.example>\r\n"
             "RCPT TO:<dave@recipient.example> NOTIFY=NEVER\r\n"
             "DATA\r\nhi\r\n.\r\n");
  g_assert_true (g_str_has_suffix (out, "250 2.0.0 Ok: queued as TESTQUEUE1\r\n"));

  env = backend->delivered;
  g_assert_nonnull (env);
  g_assert_cmpstr (env->sender, ==, "alice@sender.example");
  g_assert_cmpint (env->ret, ==, MR_SMTP_RET_HDRS);
  g_assert_cmpstr (env->envid, ==, "QQ+1");
  g_assert_cmpint (env->body, ==, MR_SMTP_BODY_8BITMIME);
  g_assert_cmpuint (env->size, ==, 50);
  g_assert_true (env->smtputf8);
  g_assert_cmpstr (env->auth, ==, "alice@sender.example");
  g_assert_cmpstr (env->helo, ==, "client.example");
  g_assert_true (env->esmtp);
  g_assert_false (env->encrypted);
  g_assert_null (env->auth_user);
  g_assert_nonnull (env->queue_id);
  g_assert_cmpuint (mr_smtp_envelope_get_n_recipients (env), ==, 3);

  rcpt = mr_smtp_envelope_get_recipient (env, 0);
  g_assert_cmpstr (rcpt->address, ==, "bob@recipient.example");
  g_assert_cmpint (rcpt->notify, ==, MR_SMTP_NOTIFY_SUCCESS | MR_SMTP_NOTIFY_DELAY);
  g_assert_cmpstr (rcpt->orcpt_type, ==, "rfc822");
  g_assert_cmpstr (rcpt->orcpt, ==, "bob+x@recipient.example");
  rcpt = mr_smtp_envelope_get_recipient (env, 1);
  g_assert_cmpint (rcpt->notify, ==, MR_SMTP_NOTIFY_UNSPECIFIED);
  g_assert_null (rcpt->orcpt);
  rcpt = mr_smtp_envelope_get_recipient (env, 2);
  g_assert_cmpint (rcpt->notify, ==, MR_SMTP_NOTIFY_NEVER);

  /* Received: at the top, no "for" with three recipients, then the body */
  {
    gsize len;
    const char *data = g_bytes_get_data (backend->message, &len);
    g_autofree char *text = g_strndup (data, len);

    g_assert_true (g_str_has_prefix (text, "Received: from client.example (client)\r\n\tby mx.test with UTF8SMTP id "));
    g_assert_null (strstr (text, "for <"));
    g_assert_true (g_str_has_suffix (text, "\r\nhi\r\n"));
  }
}

static void
test_spam_rejected (void)
{
  g_autoptr(TestBackend) backend = g_object_new (TEST_TYPE_BACKEND, NULL);
  g_autoptr(MrSession) session = NULL;
  g_autofree char *out = NULL;

  backend->data_reply = MR_REPLY_SPAM_REJECTED;
  session = mr_smtp_session_new (MR_SMTP_BACKEND (backend), NULL, NULL, NULL);
  mr_session_start (session);
  g_free (run (session, NULL));
  out = run (session, "EHLO c\r\nMAIL FROM:<a@b.example>\r\nRCPT TO:<c@d.example>\r\nDATA\r\nbuy now\r\n.\r\nNOOP\r\n");
  g_assert_true (g_str_has_suffix (out, "354 End data with <CR><LF>.<CR><LF>\r\n"
                                        "550 5.7.1 Message rejected as spam\r\n"
                                        "250 2.0.0 Ok\r\n"));
  g_assert_cmpuint (backend->n_deliveries, ==, 0);
}

static void
test_connect_refused (void)
{
  g_autoptr(TestBackend) backend = g_object_new (TEST_TYPE_BACKEND, NULL);
  g_autoptr(MrSession) session = NULL;
  g_autoptr(MrSession) session2 = NULL;
  g_autofree char *out = NULL;
  g_autofree char *out2 = NULL;
  MrSmtpConfig config;

  mr_smtp_config_init (&config);
  config.hostname = "mx.test";

  /* 421 at the banner: closed at once (RFC 5321 3.1) */
  backend->connect_reply = MR_REPLY_SERVICE_UNAVAILABLE;
  session = mr_smtp_session_new (MR_SMTP_BACKEND (backend), &config, NULL, NULL);
  mr_session_start (session);
  out = run (session, NULL);
  g_assert_cmpstr (out, ==, "421 4.3.2 mx.test Service not available, closing transmission channel\r\n");
  g_assert_cmpint (mr_session_get_action (session), ==, MR_SESSION_CLOSE);

  /* 554 at the banner: every command but QUIT gets 503 */
  backend->connect_reply = MR_REPLY_TRANSACTION_FAILED;
  session2 = mr_smtp_session_new (MR_SMTP_BACKEND (backend), &config, NULL, NULL);
  mr_session_start (session2);
  g_free (run (session2, NULL));
  out2 = run (session2, "EHLO c\r\nMAIL FROM:<a@b.example>\r\nQUIT\r\n");
  g_assert_cmpstr (out2, ==,
                   "503 5.5.1 Error: no SMTP service here\r\n"
                   "503 5.5.1 Error: no SMTP service here\r\n"
                   "221 2.0.0 Bye\r\n");
  g_assert_cmpint (mr_session_get_action (session2), ==, MR_SESSION_CLOSE);
}

static void
test_received_format (void)
{
  g_autoptr(MrSmtpEnvelope) env = mr_smtp_envelope_new ("alice@sender.example");
  g_autoptr(GTimeZone) tz = g_time_zone_new_offset (-5 * 3600);
  g_autoptr(GDateTime) date = g_date_time_new (tz, 2026, 11, 23, 9, 5, 7);
  g_autofree char *received = NULL;
  g_autofree char *date_text = NULL;

  env->helo = g_strdup ("laptop.sender.example");
  env->client = g_strdup ("[::1]:5000");
  env->queue_id = g_strdup ("ABC123");
  env->esmtp = TRUE;
  env->encrypted = TRUE;
  env->auth_user = g_strdup ("alice@sender.example");
  mr_smtp_envelope_add_recipient (env, "bob@recipient.example");

  received = mr_smtp_format_received (env, "smtp.sender.example", date);
  g_assert_cmpstr (received, ==,
                   "Received: from laptop.sender.example ([::1])\r\n"
                   "\tby smtp.sender.example with ESMTPSA id ABC123\r\n"
                   "\tfor <bob@recipient.example>; Mon, 23 Nov 2026 09:05:07 -0500\r\n");

  date_text = mr_smtp_format_date (date);
  g_assert_cmpstr (date_text, ==, "Mon, 23 Nov 2026 09:05:07 -0500");

  /* A lab host name stays a name */
  g_free (env->client);
  env->client = g_strdup ("alice-laptop.sender.example");
  env->encrypted = FALSE;
  g_clear_pointer (&env->auth_user, g_free);
  g_free (received);
  received = mr_smtp_format_received (env, "mx", date);
  g_assert_true (g_str_has_prefix (received, "Received: from laptop.sender.example (alice-laptop.sender.example)\r\n\tby mx with ESMTP id"));
}

static void
test_queue_ids_unique (void)
{
  g_autoptr(GHashTable) seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);

  for (guint i = 0; i < 1000; i++)
    {
      char *id = mr_smtp_generate_queue_id ();

      g_assert_cmpuint (strlen (id), ==, 12);
      g_assert_true (g_hash_table_add (seen, id));
    }
}

static void
test_big_message_trickled (void)
{
  MrLimits limits = { 0 };
  g_autoptr(SmtpFixture) f = NULL;
  g_autoptr(GString) body = g_string_new (NULL);
  g_autofree char *joined = NULL;
  char *message;

  limits.max_message = 4096;
  mr_limits_init_defaults (&limits);
  f = smtp_fixture_new (NULL, &limits, FALSE);
  g_strfreev (smtp_fixture_take_lines (f));

  smtp_fixture_feed (f, "EHLO c\r\nMAIL FROM:<alice@sender.example>\r\nRCPT TO:<bob@recipient.example>\r\nDATA\r\n", -1);
  g_strfreev (smtp_fixture_take_lines (f));

  /* 3000 octets, with lines starting with dots and one long line */
  for (guint i = 0; i < 100; i++)
    g_string_append_printf (body, "%s%04u abcdefghijklmnopqrstuvw\r\n", i % 7 == 0 ? "." : "", i);
  g_string_append (body, ".\r\n");
  smtp_fixture_trickle (f, body->str, body->len);
  joined = smtp_fixture_take_joined (f);
  g_assert_true (g_pattern_match_simple ("250 2.0.0 Ok: queued as *", joined));

  message = smtp_fixture_dup_message (f, "bob@recipient.example", 0);
  g_assert_nonnull (strstr (message, "\r\n0000 abcdefghijklmnopqrstuvw\r\n0001 abc"));
  g_assert_null (strstr (message, ".0007"));
  g_free (message);

  /* The same again, twice as big: 552 after the end, and the session goes on */
  g_string_truncate (body, body->len - 3);
  g_string_append_len (body, body->str, body->len);
  g_string_append (body, ".\r\nNOOP\r\n");
  smtp_fixture_feed (f, "MAIL FROM:<alice@sender.example>\r\nRCPT TO:<bob@recipient.example>\r\nDATA\r\n", -1);
  smtp_fixture_trickle (f, body->str, body->len);
  g_free (joined);
  joined = smtp_fixture_take_joined (f);
  g_assert_cmpstr (joined, ==, "250 2.1.0 Ok|250 2.1.5 Ok|354 End data with <CR><LF>.<CR><LF>|"
                               "552 5.3.4 Error: message file too big|250 2.0.0 Ok");
  g_assert_cmpuint (mr_mailbox_get_n_messages (smtp_fixture_inbox (f, "bob@recipient.example")), ==, 1);
}

static void
test_bdat_huge (void)
{
  g_autoptr(SmtpFixture) f = smtp_fixture_new (NULL, NULL, FALSE);
  g_autofree char *joined = NULL;

  g_strfreev (smtp_fixture_take_lines (f));
  smtp_fixture_feed (f, "EHLO c\r\nMAIL FROM:<alice@sender.example>\r\nRCPT TO:<bob@recipient.example>\r\n"
                        "BDAT 1\r\nx", -1);
  g_strfreev (smtp_fixture_take_lines (f));

  /* A size that would wrap around when added to what we have: the octets
   * are read and dropped, nothing is answered until they are all in. */
  smtp_fixture_feed (f, "BDAT 18446744073709551615 LAST\r\nQUIT\r\nMAIL FROM:<x@y.example>\r\n", -1);
  g_assert_cmpstr (f->out->str, ==, "");
  g_assert_cmpstr (mr_smtp_session_get_state_name (MR_SMTP_SESSION (f->session)), ==, "data");

  mr_session_stop (f->session, MR_STOP_SHUTDOWN);
  smtp_fixture_feed (f, "", 0);
  joined = smtp_fixture_take_joined (f);
  g_assert_cmpstr (joined, ==, "421 4.3.2 mx.test Service shutting down, closing transmission channel");
  g_assert_cmpuint (mr_mailbox_get_n_messages (smtp_fixture_inbox (f, "bob@recipient.example")), ==, 0);
}

static void
test_hostile_input (void)
{
  /* Random bytes must never crash the session or make it answer out of
   * turn; every reply is a well-formed line. */
  g_autoptr(GRand) rand = g_rand_new_with_seed (42);

  for (guint round = 0; round < 50; round++)
    {
      g_autoptr(SmtpFixture) f = smtp_fixture_new (NULL, NULL, TRUE);
      guint8 buf[2048];
      g_auto(GStrv) lines = NULL;

      for (guint i = 0; i < sizeof buf; i++)
        {
          guint r = g_rand_int_range (rand, 0, 10);
          buf[i] = r < 2 ? '\n' : r < 3 ? '\r' : r < 4 ? ' ' : g_rand_int_range (rand, 0, 256);
        }
      /* Start with a valid prefix so the deeper states are reached. */
      smtp_fixture_feed (f, "EHLO x\r\nMAIL FROM:<a@b.example>\r\nRCPT TO:<bob@recipient.example>\r\n", -1);
      if (round % 2)
        smtp_fixture_feed (f, (const char *)buf, sizeof buf);
      else
        smtp_fixture_trickle (f, (const char *)buf, sizeof buf);
      lines = smtp_fixture_take_lines (f);
      for (guint i = 0; lines[i]; i++)
        g_assert_true (strlen (lines[i]) >= 3 && g_ascii_isdigit (lines[i][0]));
    }
}

/* Run with -m perf: 5000 messages of 2 KB through one session (the shape of
 * the smtp-source benchmark without sockets), storing every message and
 * emitting every event. */
static void
test_perf (void)
{
  g_autoptr(SmtpFixture) f = smtp_fixture_new (NULL, NULL, FALSE);
  g_autoptr(GString) transaction = g_string_new (NULL);
  g_autoptr(GTimer) timer = g_timer_new ();
  const guint n_messages = 5000;
  double elapsed;

  g_string_append (transaction, "MAIL FROM:<alice@sender.example>\r\n"
                                "RCPT TO:<bob@recipient.example>\r\nDATA\r\n"
                                "From: alice@sender.example\r\nTo: bob@recipient.example\r\n"
                                "Subject: benchmark\r\n\r\n");
  while (transaction->len < 2048)
    g_string_append (transaction, "0123456789 abcdefghijklmnopqrstuvwxyz ABCDEFGHIJKLMNOPQRSTUVWXYZ\r\n");
  g_string_append (transaction, ".\r\n");

  smtp_fixture_feed (f, "EHLO bench.example\r\n", -1);
  g_timer_start (timer);
  for (guint i = 0; i < n_messages; i++)
    {
      smtp_fixture_feed (f, transaction->str, transaction->len);
      g_string_truncate (f->out, 0);
    }
  elapsed = g_timer_elapsed (timer, NULL);

  g_assert_cmpuint (mr_mailbox_get_n_messages (smtp_fixture_inbox (f, "bob@recipient.example")), ==, n_messages);
  g_test_minimized_result (elapsed, "%u messages of 2 KB in %.3f s: %.0f messages/s, %u events",
                           n_messages, elapsed, n_messages / elapsed, f->events->len);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/smtp/session/event-sequence", test_event_sequence);
  g_test_add_func ("/smtp/session/auth-masked", test_auth_masked);
  g_test_add_func ("/smtp/session/ehlo-continued", test_ehlo_continued_flags);
  g_test_add_func ("/smtp/session/starttls-action", test_starttls_action);
  g_test_add_func ("/smtp/session/dsn-envelope", test_dsn_envelope);
  g_test_add_func ("/smtp/session/spam-rejected", test_spam_rejected);
  g_test_add_func ("/smtp/session/connect-refused", test_connect_refused);
  g_test_add_func ("/smtp/session/received-format", test_received_format);
  g_test_add_func ("/smtp/session/queue-ids", test_queue_ids_unique);
  g_test_add_func ("/smtp/session/big-message-trickled", test_big_message_trickled);
  g_test_add_func ("/smtp/session/bdat-huge", test_bdat_huge);
  g_test_add_func ("/smtp/session/hostile-input", test_hostile_input);
  g_test_add_func ("/smtp/session/auth-failure-delay", test_auth_failure_delay);
  if (g_test_perf ())
    g_test_add_func ("/smtp/session/perf", test_perf);

  return g_test_run ();
}
