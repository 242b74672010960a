/* test-world.c
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
#include "mr-smtp-client.h"
#include "mr-wire.h"
#include "mr-world.h"

#define LATENCY (1 * G_TIME_SPAN_MILLISECOND)

typedef struct
{
  MrClock    *clock;
  MrEventBus *bus;
  MrStore    *store;
  MrScenario *scenario;
  MrWorld    *world;
  MrWire     *laptop;   /* alice's laptop -> submission, when used */
} Fixture;

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  f->clock = mr_clock_new ();
  /* Real time hardly moves; the tests move virtual time by hand. */
  mr_clock_set_speed (f->clock, 0.01);
  f->bus = mr_event_bus_new (f->clock);
  f->store = mr_store_new ();
  f->scenario = mr_scenario_new_default ();
  mr_scenario_apply_to_store (f->scenario, f->store);
  f->world = mr_world_new (f->scenario, f->store, f->bus, f->clock);
  mr_relay_set_latency (mr_world_get_relay (f->world), LATENCY);
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  g_clear_object (&f->laptop);
  g_clear_object (&f->world);
  g_clear_object (&f->scenario);
  g_clear_object (&f->store);
  g_clear_object (&f->bus);
  g_clear_object (&f->clock);
  while (g_main_context_iteration (NULL, FALSE))
    ;
}

static gboolean
queue_empty (Fixture *f)
{
  return g_list_model_get_n_items (mr_world_get_queue (f->world)) == 0 &&
         (f->laptop == NULL || mr_wire_get_closed (f->laptop));
}

/* Runs the main loop and fast-forwards the clock to each next timeout
 * until @done holds or nothing is left to happen. */
static gboolean
drive (Fixture   *f,
       gboolean (*done) (Fixture *f, gpointer data),
       gpointer   data)
{
  for (guint i = 0; i < 100000; i++)
    {
      gint64 due;

      while (g_main_context_iteration (NULL, FALSE))
        ;
      if (done (f, data))
        return TRUE;
      if ((due = mr_clock_get_next_due (f->clock)) < 0)
        {
          if (!done (f, data))
            g_test_message ("stuck after %u rounds: %u queued, %u connections", i,
                            g_list_model_get_n_items (mr_world_get_queue (f->world)),
                            mr_relay_get_n_connections (mr_world_get_relay (f->world)));
          return done (f, data);
        }
      mr_clock_advance (f->clock, MAX (due, 1));
    }

  return FALSE;
}

static gboolean
done_queue_empty (Fixture  *f,
                  gpointer  data)
{
  return queue_empty (f);
}

static void
drive_until_idle (Fixture *f)
{
  g_assert_true (drive (f, done_queue_empty, NULL));
}

static gboolean
done_first_round (Fixture  *f,
                  gpointer  data)
{
  MrQueueItem *item = data;

  for (guint i = 0; i < mr_queue_item_get_n_recipients (item); i++)
    {
      MrQueueRcptState state = mr_queue_item_get_recipient (item, i)->state;

      if (state == MR_QUEUE_RCPT_QUEUED || state == MR_QUEUE_RCPT_SENDING)
        return FALSE;
    }
  return TRUE;
}

static MrMailbox *
inbox_of (Fixture    *f,
          const char *address)
{
  MrAccount *account = mr_store_lookup_account (f->store, address);

  g_assert_nonnull (account);
  return mr_account_get_inbox (account);
}

static char *
message_text (MrMailbox *mailbox,
              guint      index)
{
  MrMessage *message;
  GBytes *raw;

  g_assert_cmpuint (index, <, mr_mailbox_get_n_messages (mailbox));
  message = mr_mailbox_get_message (mailbox, index);
  raw = mr_message_get_raw (message);
  return g_strndup (g_bytes_get_data (raw, NULL), g_bytes_get_size (raw));
}

static GBytes *
test_message (const char *to)
{
  g_autofree char *text = g_strdup_printf ("From: Alice <alice@sender.example>\r\n"
                                           "To: <%s>\r\n"
                                           "Subject: Lunch?\r\n"
                                           "Message-ID: <lunch.1@sender.example>\r\n"
                                           "\r\n"
                                           "Are you free at noon?\r\n"
                                           ".\r\n"
                                           "Alice\r\n", to);

  return g_bytes_new (text, strlen (text));
}

/* Alice's mail client submits over a wire, with AUTH, like a user would. */
static MrSmtpClient *
submit (Fixture    *f,
        const char *user,
        const char *password,
        const char *ret,
        const char *envid,
        const char *to,
        const char *notify,
        const char *orcpt)
{
  g_autoptr(MrConversation) conversation = NULL;
  g_autoptr(MrSession) server = NULL;
  g_autoptr(GBytes) message = test_message (to);
  MrSmtpClient *client;

  conversation = mr_conversation_new (f->bus, MR_PROTOCOL_SMTP, "alice-laptop",
                                      mr_world_get_submission_host (f->world));
  server = mr_world_create_smtp_session (f->world, MR_SERVICE_SUBMISSION, conversation, NULL);
  client = mr_smtp_client_new (conversation, "alice-laptop");
  mr_smtp_client_set_auth (client, user, password);
  mr_smtp_client_set_sender (client, "alice@sender.example", ret, envid);
  mr_smtp_client_add_recipient (client, to, notify, orcpt);
  mr_smtp_client_set_message (client, message);

  g_clear_object (&f->laptop);
  f->laptop = mr_wire_new (f->clock, client, server);
  mr_wire_set_latency (f->laptop, LATENCY);
  mr_wire_start (f->laptop);

  return client;
}

static const char *
find_header_line (const char *text,
                  const char *prefix,
                  guint       nth)
{
  const char *p = text;

  for (;;)
    {
      const char *end = strstr (p, "\r\n");

      if (g_str_has_prefix (p, prefix) && nth-- == 0)
        return p;
      if (end == NULL || end == p)
        return NULL;   /* end of the header */
      p = end + 2;
    }
}

static void
test_world_trace (Fixture       *f,
                  gconstpointer  data)
{
  g_autoptr(MrSmtpClient) client = submit (f, "alice@sender.example", "alice", NULL, NULL,
                                           "bob@recipient.example", NULL, NULL);
  g_autofree char *text = NULL;
  MrMailbox *inbox;
  const char *return_path, *mx_received, *msa_received;

  drive_until_idle (f);

  g_assert_cmpint (((MrSmtpClientRecipient *)g_ptr_array_index (mr_smtp_client_get_recipients (client), 0))->status,
                   ==, MR_SMTP_RCPT_DELIVERED);
  inbox = inbox_of (f, "bob@recipient.example");
  g_assert_cmpuint (mr_mailbox_get_n_messages (inbox), ==, 1);
  text = message_text (inbox, 0);

  /* RFC 5321 4.4: Return-Path at the final delivery, then one Received:
   * per hop, newest first. */
  return_path = find_header_line (text, "Return-Path:", 0);
  mx_received = find_header_line (text, "Received:", 0);
  msa_received = find_header_line (text, "Received:", 1);
  g_assert_nonnull (return_path);
  g_assert_nonnull (mx_received);
  g_assert_nonnull (msa_received);
  g_assert_null (find_header_line (text, "Received:", 2));
  g_assert_true (return_path == text);
  g_assert_true (g_str_has_prefix (return_path, "Return-Path: <alice@sender.example>\r\n"));
  g_assert_true (return_path < mx_received && mx_received < msa_received);
  g_assert_true (g_str_has_prefix (mx_received, "Received: from smtp.sender.example"));
  g_assert_nonnull (strstr (mx_received, "by mx1.recipient.example with ESMTPS"));
  g_assert_true (g_str_has_prefix (msa_received, "Received: from alice-laptop"));
  g_assert_nonnull (strstr (msa_received, "by smtp.sender.example with ESMTPSA"));
  /* The body arrived intact, dot-stuffing undone at each hop. */
  g_assert_nonnull (strstr (text, "\r\n\r\nAre you free at noon?\r\n.\r\nAlice\r\n"));
}

static void
test_world_unknown_user_dsn (Fixture       *f,
                             gconstpointer  data)
{
  const char *to[] = { "bbo@recipient.example", NULL };
  g_autoptr(GBytes) message = test_message (to[0]);
  g_autoptr(GError) error = NULL;
  g_autofree char *dsn = NULL;
  MrQueueItem *item;
  MrMailbox *inbox;

  item = mr_world_send (f->world, "alice@sender.example", to, message, &error);
  g_assert_no_error (error);
  g_object_ref (item);
  drive_until_idle (f);

  g_assert_cmpint (mr_queue_item_get_recipient (item, 0)->state, ==, MR_QUEUE_RCPT_BOUNCED);
  g_assert_cmpint (mr_queue_item_get_state (item), ==, MR_QUEUE_RCPT_BOUNCED);
  g_assert_true (mr_queue_item_get_done (item));
  g_assert_cmpuint (mr_queue_item_get_recipient (item, 0)->code, ==, 550);
  g_assert_cmpstr (mr_queue_item_get_recipient (item, 0)->enhanced, ==, "5.1.1");
  g_object_unref (item);

  inbox = inbox_of (f, "alice@sender.example");
  g_assert_cmpuint (mr_mailbox_get_n_messages (inbox), ==, 1);
  dsn = message_text (inbox, 0);
  g_assert_true (g_str_has_prefix (dsn, "Return-Path: <>\r\n"));
  g_assert_nonnull (strstr (dsn, "Subject: Undelivered Mail Returned to Sender\r\n"));
  g_assert_nonnull (strstr (dsn, "Content-Type: multipart/report; report-type=delivery-status;"));
  g_assert_nonnull (strstr (dsn, "Content-Type: message/delivery-status\r\n"));
  g_assert_nonnull (strstr (dsn, "Reporting-MTA: dns; smtp.sender.example\r\n"));
  g_assert_nonnull (strstr (dsn, "Final-Recipient: rfc822; bbo@recipient.example\r\n"));
  g_assert_nonnull (strstr (dsn, "Action: failed\r\n"));
  g_assert_nonnull (strstr (dsn, "Status: 5.1.1\r\n"));
  g_assert_nonnull (strstr (dsn, "Remote-MTA: dns; mx1.recipient.example\r\n"));
  g_assert_nonnull (strstr (dsn, "Diagnostic-Code: smtp; 550 5.1.1"));
  /* No RET: the original's header only. */
  g_assert_nonnull (strstr (dsn, "Content-Type: text/rfc822-headers\r\n"));
  g_assert_nonnull (strstr (dsn, "Subject: Lunch?\r\n"));
  g_assert_null (strstr (dsn, "Are you free at noon?"));
  /* Nothing for bob, and no report about the report. */
  g_assert_cmpuint (mr_mailbox_get_n_messages (inbox_of (f, "bob@recipient.example")), ==, 0);
}

static void
test_world_dsn_parameters (Fixture       *f,
                           gconstpointer  data)
{
  g_autoptr(MrSmtpClient) client = submit (f, "alice@sender.example", "alice", "FULL", "QQ314159",
                                           "bbo@recipient.example", "FAILURE",
                                           "rfc822;bbo@recipient.example");
  g_autofree char *dsn = NULL;
  MrMailbox *inbox;

  drive_until_idle (f);
  inbox = inbox_of (f, "alice@sender.example");
  g_assert_cmpuint (mr_mailbox_get_n_messages (inbox), ==, 1);
  dsn = message_text (inbox, 0);
  g_assert_nonnull (strstr (dsn, "Original-Envelope-Id: QQ314159\r\n"));
  g_assert_nonnull (strstr (dsn, "Original-Recipient: rfc822;bbo@recipient.example\r\n"));
  g_assert_nonnull (strstr (dsn, "Content-Type: message/rfc822\r\n"));
  g_assert_nonnull (strstr (dsn, "Are you free at noon?"));
}

static void
test_world_notify_success_and_never (Fixture       *f,
                                     gconstpointer  data)
{
  g_autoptr(MrSmtpClient) first = NULL;
  g_autoptr(MrSmtpClient) second = NULL;
  g_autofree char *dsn = NULL;
  MrMailbox *inbox = inbox_of (f, "alice@sender.example");

  first = submit (f, "alice@sender.example", "alice", NULL, NULL, "bob@recipient.example",
                  "SUCCESS", NULL);
  drive_until_idle (f);
  g_assert_cmpuint (mr_mailbox_get_n_messages (inbox), ==, 1);
  dsn = message_text (inbox, 0);
  g_assert_nonnull (strstr (dsn, "Subject: Successful Mail Delivery Report\r\n"));
  g_assert_nonnull (strstr (dsn, "Action: delivered\r\n"));

  second = submit (f, "alice@sender.example", "alice", NULL, NULL, "bbo@recipient.example",
                   "NEVER", NULL);
  drive_until_idle (f);
  g_assert_cmpuint (mr_mailbox_get_n_messages (inbox), ==, 1);
}

static void
test_world_greylisting (Fixture       *f,
                        gconstpointer  data)
{
  const char *to[] = { "bob@recipient.example", NULL };
  g_autoptr(GBytes) message = test_message (to[0]);
  const gint64 schedule[] = { 2 * G_TIME_SPAN_MINUTE, 5 * G_TIME_SPAN_MINUTE };
  const MrQueueRecipient *rcpt;
  MrQueueItem *item;
  gint64 start = mr_clock_now (f->clock);

  g_assert_nonnull (mr_world_add_fault (f->world, "greylisting@mx1.recipient.example", NULL));
  mr_fault_set_set_greylist_delay (mr_world_get_faults (f->world), 4 * G_TIME_SPAN_MINUTE);
  mr_relay_set_retry_schedule (mr_world_get_relay (f->world), schedule, G_N_ELEMENTS (schedule));

  item = g_object_ref (mr_world_send (f->world, "alice@sender.example", to, message, NULL));
  g_assert_true (drive (f, done_first_round, item));
  rcpt = mr_queue_item_get_recipient (item, 0);
  g_assert_cmpint (rcpt->state, ==, MR_QUEUE_RCPT_DEFERRED);
  {
    int state = -1;
    gint64 next = 0;

    g_object_get (item, "state", &state, "next-attempt", &next, NULL);
    g_assert_cmpint (state, ==, MR_QUEUE_RCPT_DEFERRED);
    g_assert_cmpint (next, ==, mr_queue_item_get_next_attempt (item));
    g_assert_cmpuint (g_list_model_get_n_items (mr_world_get_queue (f->world)), ==, 1);
  }
  g_assert_cmpuint (rcpt->code, ==, 451);
  g_assert_cmpstr (rcpt->enhanced, ==, "4.7.1");
  g_assert_cmpint (mr_queue_item_get_next_attempt (item), >, mr_clock_now (f->clock));

  drive_until_idle (f);
  g_assert_cmpint (rcpt->state, ==, MR_QUEUE_RCPT_DELIVERED);
  /* 2 min: still too early (451 again); 2 + 5 min: accepted. */
  g_assert_cmpuint (rcpt->attempts, ==, 3);
  g_assert_cmpstr (rcpt->remote_host, ==, "mx1.recipient.example");
  g_assert_cmpint (mr_clock_now (f->clock) - start, >=, 7 * G_TIME_SPAN_MINUTE);
  g_assert_cmpuint (mr_mailbox_get_n_messages (inbox_of (f, "bob@recipient.example")), ==, 1);
  g_assert_cmpuint (mr_mailbox_get_n_messages (inbox_of (f, "alice@sender.example")), ==, 0);
  g_object_unref (item);
}

static void
test_world_backup_mx (Fixture       *f,
                      gconstpointer  data)
{
  const char *to[] = { "bob@recipient.example", NULL };
  g_autoptr(GBytes) message = test_message (to[0]);
  g_autofree char *text = NULL;
  MrQueueItem *item;

  mr_world_add_fault (f->world, "host-down@mx1.recipient.example", NULL);
  item = g_object_ref (mr_world_send (f->world, "alice@sender.example", to, message, NULL));
  drive_until_idle (f);

  g_assert_cmpint (mr_queue_item_get_recipient (item, 0)->state, ==, MR_QUEUE_RCPT_DELIVERED);
  g_assert_cmpstr (mr_queue_item_get_recipient (item, 0)->remote_host, ==, "mx2.recipient.example");
  g_assert_cmpuint (mr_queue_item_get_recipient (item, 0)->attempts, ==, 1);
  text = message_text (inbox_of (f, "bob@recipient.example"), 0);
  g_assert_nonnull (strstr (find_header_line (text, "Received:", 0), "by mx2.recipient.example"));
  g_assert_nonnull (strstr (find_header_line (text, "Received:", 1), "by smtp.sender.example with HTTP"));
  g_object_unref (item);
}

typedef struct
{
  const char       *fault;
  guint             n_rcpts;
  MrQueueRcptState  state;
  guint             code;
  const char       *enhanced;
} FaultCase;

static void
test_world_every_fault (Fixture       *f,
                        gconstpointer  data)
{
  /* Each fault aimed at the recipient's domain, and what the relay sees
   * at its first attempt: the exact code at the right step. */
  static const FaultCase cases[] = {
    { "unknown-user", 1, MR_QUEUE_RCPT_BOUNCED, 550, "5.1.1" },
    { "mailbox-full", 1, MR_QUEUE_RCPT_BOUNCED, 552, "5.2.2" },
    { "mailbox-full-temp", 1, MR_QUEUE_RCPT_DEFERRED, 452, "4.2.2" },
    { "greylisting", 1, MR_QUEUE_RCPT_DEFERRED, 451, "4.7.1" },
    { "relay-denied", 1, MR_QUEUE_RCPT_BOUNCED, 550, "5.7.1" },
    { "auth-required", 1, MR_QUEUE_RCPT_BOUNCED, 530, "5.7.0" },
    { "message-too-big", 1, MR_QUEUE_RCPT_BOUNCED, 552, "5.3.4" },
    { "too-many-recipients", 2, MR_QUEUE_RCPT_DEFERRED, 452, "4.5.3" },
    { "service-unavailable", 1, MR_QUEUE_RCPT_DEFERRED, 421, "4.3.2" },
    { "rate-limited", 1, MR_QUEUE_RCPT_DEFERRED, 421, "4.7.0" },
    { "rate-limited-rcpt", 1, MR_QUEUE_RCPT_DEFERRED, 450, "4.7.1" },
    { "spam-rejected", 1, MR_QUEUE_RCPT_BOUNCED, 550, "5.7.1" },
    { "host-down", 1, MR_QUEUE_RCPT_DEFERRED, 0, "4.4.1" },
    { "dns-nxdomain", 1, MR_QUEUE_RCPT_BOUNCED, 0, "5.1.2" },
    { "dns-no-mx", 1, MR_QUEUE_RCPT_BOUNCED, 0, "5.1.2" },
    { "dns-servfail", 1, MR_QUEUE_RCPT_DEFERRED, 0, "4.4.3" },
    /* The relay uses STARTTLS, so TLS-required lets it through. */
    { "tls-required", 1, MR_QUEUE_RCPT_DELIVERED, 250, "2.0.0" },
    { "slow-host", 1, MR_QUEUE_RCPT_DELIVERED, 250, "2.0.0" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *spec = g_strdup_printf ("%s@recipient.example", cases[i].fault);
      const char *to[] = { "bob@recipient.example", "carol@recipient.example", NULL };
      g_autoptr(GBytes) message = test_message (to[0]);
      g_autoptr(GError) error = NULL;
      g_autoptr(MrQueueItem) item = NULL;
      const MrQueueRecipient *rcpt;
      gint64 start;

      g_test_message ("fault %s", cases[i].fault);
      if (cases[i].n_rcpts == 1)
        to[1] = NULL;
      else
        mr_store_add_account (f->store, "carol@recipient.example", "carol");

      mr_world_clear_faults (f->world);
      g_assert_nonnull (mr_world_add_fault (f->world, spec, &error));
      g_assert_no_error (error);

      start = mr_clock_now (f->clock);
      item = g_object_ref (mr_world_send (f->world, "alice@sender.example", to, message, &error));
      g_assert_no_error (error);
      g_assert_true (drive (f, done_first_round, item));

      rcpt = mr_queue_item_get_recipient (item, cases[i].n_rcpts - 1);
      g_assert_cmpstr (mr_queue_rcpt_state_to_string (rcpt->state), ==,
                       mr_queue_rcpt_state_to_string (cases[i].state));
      g_assert_cmpuint (rcpt->code, ==, cases[i].code);
      g_assert_cmpstr (rcpt->enhanced, ==, cases[i].enhanced);
      if (cases[i].n_rcpts == 2)
        g_assert_cmpint (mr_queue_item_get_recipient (item, 0)->state, ==, MR_QUEUE_RCPT_DELIVERED);
      if (g_str_equal (cases[i].fault, "slow-host"))
        g_assert_cmpint (mr_clock_now (f->clock) - start, >=, 10 * MR_FAULT_DEFAULT_SLOW_DELAY);

      /* Clean up: let whatever is left finish without the fault. */
      mr_world_clear_faults (f->world);
      mr_relay_flush (mr_world_get_relay (f->world));
      drive_until_idle (f);
    }
}

static void
test_world_submission_faults (Fixture       *f,
                              gconstpointer  data)
{
  g_autoptr(MrSmtpClient) wrong = NULL;
  g_autoptr(MrSmtpClient) faulty = NULL;
  MrSmtpClientRecipient *rcpt;

  /* A wrong password, then the auth-failed fault with the right one. */
  wrong = submit (f, "alice@sender.example", "wrong", NULL, NULL, "bob@recipient.example",
                  NULL, NULL);
  drive_until_idle (f);
  rcpt = g_ptr_array_index (mr_smtp_client_get_recipients (wrong), 0);
  g_assert_cmpuint (rcpt->code, ==, 535);
  g_assert_cmpstr (rcpt->enhanced, ==, "5.7.8");

  mr_world_add_fault (f->world, "auth-failed@smtp.sender.example/once", NULL);
  faulty = submit (f, "alice@sender.example", "alice", NULL, NULL, "bob@recipient.example",
                   NULL, NULL);
  drive_until_idle (f);
  rcpt = g_ptr_array_index (mr_smtp_client_get_recipients (faulty), 0);
  g_assert_cmpuint (rcpt->code, ==, 535);
  g_assert_cmpstr (rcpt->enhanced, ==, "5.7.8");
  /* One-shot: gone. */
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (mr_world_get_faults (f->world))), ==, 0);
  g_assert_cmpuint (mr_mailbox_get_n_messages (inbox_of (f, "bob@recipient.example")), ==, 0);
}

static gboolean
done_has_messages (Fixture  *f,
                   gpointer  data)
{
  return mr_mailbox_get_n_messages (inbox_of (f, "alice@sender.example")) >= GPOINTER_TO_UINT (data);
}

static void
test_world_delay_and_expiry (Fixture       *f,
                             gconstpointer  data)
{
  const gint64 schedule[] = { 10 * G_TIME_SPAN_MINUTE };
  MrRelay *relay = mr_world_get_relay (f->world);
  g_autoptr(MrSmtpClient) client = NULL;
  g_autofree char *delayed = NULL;
  g_autofree char *failed = NULL;
  MrMailbox *inbox = inbox_of (f, "alice@sender.example");
  gint64 start = mr_clock_now (f->clock);

  mr_relay_set_retry_schedule (relay, schedule, 1);
  mr_relay_set_delay_warning (relay, 30 * G_TIME_SPAN_MINUTE);
  mr_relay_set_lifetime (relay, 2 * G_TIME_SPAN_HOUR);
  mr_world_add_fault (f->world, "host-down@recipient.example", NULL);

  client = submit (f, "alice@sender.example", "alice", NULL, NULL, "bob@recipient.example",
                   "DELAY,FAILURE", NULL);
  g_assert_true (drive (f, done_has_messages, GUINT_TO_POINTER (1)));
  delayed = message_text (inbox, 0);
  g_assert_nonnull (strstr (delayed, "Subject: Delayed Mail (still being retried)\r\n"));
  g_assert_nonnull (strstr (delayed, "Action: delayed\r\n"));
  g_assert_nonnull (strstr (delayed, "Will-Retry-Until: "));
  g_assert_cmpint (mr_clock_now (f->clock) - start, >=, 30 * G_TIME_SPAN_MINUTE);
  g_assert_cmpint (mr_clock_now (f->clock) - start, <, 45 * G_TIME_SPAN_MINUTE);

  drive_until_idle (f);
  g_assert_cmpuint (mr_mailbox_get_n_messages (inbox), ==, 2);
  failed = message_text (inbox, 1);
  g_assert_nonnull (strstr (failed, "Action: failed\r\n"));
  g_assert_nonnull (strstr (failed, "Status: 4.4.7\r\n"));
  g_assert_nonnull (strstr (failed, "Connection refused"));
  g_assert_cmpint (mr_clock_now (f->clock) - start, >=, 2 * G_TIME_SPAN_HOUR);
}

static void
test_world_step_mode (Fixture       *f,
                      gconstpointer  data)
{
  g_autoptr(MrSmtpClient) client = NULL;
  guint steps = 0;

  mr_clock_set_mode (f->clock, MR_CLOCK_STEP);
  client = submit (f, "alice@sender.example", "alice", NULL, NULL, "bob@recipient.example",
                   NULL, NULL);

  /* Alice's laptop to the submission server, then the relay to mx1: one
   * line in the whole lab per step, whichever wire it is on. */
  for (;;)
    {
      guint64 before = mr_wire_get_total_delivered (f->clock);
      guint64 seq = mr_event_bus_get_last_seq (f->bus);

      while (g_main_context_iteration (NULL, FALSE))
        ;
      if (queue_empty (f))
        break;
      mr_clock_step (f->clock);
      g_assert_cmpuint (mr_wire_get_total_delivered (f->clock), ==, before + 1);
      /* Something happened on the bus for that line. */
      g_assert_cmpuint (mr_event_bus_get_last_seq (f->bus), >, seq);
      g_assert_cmpuint (++steps, <, 200);
    }
  g_test_message ("%u steps from alice's laptop to bob's INBOX", steps);
  /* Two conversations of about 20 lines each. */
  g_assert_cmpuint (steps, >, 30);
  g_assert_cmpuint (mr_mailbox_get_n_messages (inbox_of (f, "bob@recipient.example")), ==, 1);
}

static void
test_world_many (Fixture       *f,
                 gconstpointer  data)
{
  const char *to[] = { "bob@recipient.example", "carol@lists.example", "team@recipient.example", NULL };
  g_autoptr(GBytes) message = test_message (to[0]);
  gint64 real_start = g_get_monotonic_time ();
  guint64 first_seq = mr_event_bus_get_last_seq (f->bus);
  const guint n = 100;

  /* Many messages in flight at once, two domains, and a list. */
  for (guint i = 0; i < n; i++)
    g_assert_nonnull (mr_world_send (f->world, "alice@sender.example", to, message, NULL));
  drive_until_idle (f);

  /* bob is a direct recipient and a member of team@: one copy (the MX
   * delivers once per mailbox and transaction). */
  g_assert_cmpuint (mr_mailbox_get_n_messages (inbox_of (f, "bob@recipient.example")), ==, n);
  g_assert_cmpuint (mr_mailbox_get_n_messages (inbox_of (f, "carol@lists.example")), ==, n);
  /* team@ expands to alice and bob */
  g_assert_cmpuint (mr_mailbox_get_n_messages (inbox_of (f, "alice@sender.example")), ==, n);
  g_test_message ("%u messages, 3 recipients each: %.1f ms real, %" G_GUINT64_FORMAT " events",
                  n, (g_get_monotonic_time () - real_start) / 1000.0,
                  mr_event_bus_get_last_seq (f->bus) - first_seq);
}

int
main (int   argc,
      char *argv[])
{
  mr_init ();
  g_test_init (&argc, &argv, NULL);

#define ADD(path, func) \
  g_test_add (path, Fixture, NULL, fixture_setup, func, fixture_teardown)
  ADD ("/world/e2e/trace", test_world_trace);
  ADD ("/world/e2e/unknown-user-dsn", test_world_unknown_user_dsn);
  ADD ("/world/e2e/dsn-parameters", test_world_dsn_parameters);
  ADD ("/world/e2e/notify-success-never", test_world_notify_success_and_never);
  ADD ("/world/e2e/greylisting", test_world_greylisting);
  ADD ("/world/e2e/backup-mx", test_world_backup_mx);
  ADD ("/world/e2e/every-fault", test_world_every_fault);
  ADD ("/world/e2e/submission-faults", test_world_submission_faults);
  ADD ("/world/e2e/delay-and-expiry", test_world_delay_and_expiry);
  ADD ("/world/e2e/step-mode", test_world_step_mode);
  ADD ("/world/e2e/many", test_world_many);
#undef ADD

  return g_test_run ();
}
