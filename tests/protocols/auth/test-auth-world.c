/* test-auth-world.c
 *
 * Copyright 2026 The Mailroom authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Sender authentication in the whole default lab: Alice's mail leaves
 * smtp.sender.example signed and passes SPF, DKIM and DMARC at
 * mx1.recipient.example; the spoofer host is refused with 550 5.7.26;
 * under p=quarantine the forgery lands in Bob's Junk, readable over IMAP.
 */

#include "config.h"

#include <string.h>

#include "mr-account.h"
#include "mr-auth-results.h"
#include "mr-imap-session.h"
#include "mr-mailbox.h"
#include "mr-message.h"
#include "mr-world.h"

#define LATENCY (1 * G_TIME_SPAN_MILLISECOND)

#define MESSAGE \
  "From: Alice <alice@sender.example>\r\n" \
  "To: Bob <bob@recipient.example>\r\n" \
  "Subject: Lunch\r\n" \
  "Message-ID: <2@sender.example>\r\n" \
  "\r\n" \
  "See you at noon.\r\n"

typedef struct
{
  MrClock    *clock;
  MrEventBus *bus;
  MrStore    *store;
  MrScenario *scenario;
  MrWorld    *world;
} Fixture;

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  f->clock = mr_clock_new ();
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
  g_clear_object (&f->world);
  g_clear_object (&f->scenario);
  g_clear_object (&f->store);
  g_clear_object (&f->bus);
  g_clear_object (&f->clock);
  while (g_main_context_iteration (NULL, FALSE))
    ;
}

/* Runs the loop, fast-forwarding virtual time, until the queue is empty. */
static void
drive_until_idle (Fixture *f)
{
  for (guint i = 0; i < 100000; i++)
    {
      gint64 due;

      while (g_main_context_iteration (NULL, FALSE))
        ;
      if (g_list_model_get_n_items (mr_world_get_queue (f->world)) == 0)
        return;
      if ((due = mr_clock_get_next_due (f->clock)) < 0)
        break;
      mr_clock_advance (f->clock, MAX (due, 1));
    }
  g_assert_cmpuint (g_list_model_get_n_items (mr_world_get_queue (f->world)), ==, 0);
}

static MrMailbox *
folder_of (Fixture    *f,
           const char *address,
           const char *folder)
{
  MrAccount *account = mr_store_lookup_account (f->store, address);

  g_assert_nonnull (account);
  return mr_account_lookup_mailbox (account, folder);
}

static char *
message_text (MrMailbox *mailbox,
              guint      index)
{
  g_autoptr(MrMessage) message = g_list_model_get_item (G_LIST_MODEL (mailbox), index);
  GBytes *raw = mr_message_get_raw (message);

  return g_strndup (g_bytes_get_data (raw, NULL), g_bytes_get_size (raw));
}

/* The value of the first Authentication-Results field of @text, parsed. */
static GPtrArray *
parse_results (const char *text)
{
  const char *field = strstr (text, "\r\nAuthentication-Results:");
  const char *end;
  g_autofree char *value = NULL;
  g_autofree char *id = NULL;
  GPtrArray *results;

  g_assert_nonnull (field);
  field += strlen ("\r\nAuthentication-Results:");
  for (end = field; (end = strstr (end, "\r\n")) != NULL && (end[2] == ' ' || end[2] == '\t'); end += 2)
    ;
  g_assert_nonnull (end);
  value = g_strndup (field, end - field);
  results = mr_auth_results_parse (value, &id);
  g_assert_nonnull (results);
  g_assert_cmpstr (id, ==, "mx1.recipient.example");
  return results;
}

static const char *
result_of (GPtrArray  *results,
           const char *method,
           guint       nth)
{
  for (guint i = 0; i < results->len; i++)
    {
      MrAuthResult *r = g_ptr_array_index (results, i);

      if (g_strcmp0 (r->method, method) == 0 && nth-- == 0)
        return r->result;
    }
  return NULL;
}

/* An SMTP conversation with @host from lab host @client, whole script at
 * once; returns everything the server said. */
static char *
converse (Fixture    *f,
          const char *client,
          const char *host,
          MrService   service,
          const char *script)
{
  g_autoptr(MrConversation) conversation = mr_conversation_new (f->bus, MR_PROTOCOL_SMTP, client, host);
  g_autoptr(MrSession) session = mr_world_create_smtp_session (f->world, service, conversation, NULL);
  g_autoptr(GBytes) output = NULL;

  g_assert_nonnull (session);
  mr_session_start (session);
  mr_session_feed (session, (const guint8 *)script, strlen (script));
  output = mr_session_take_output (session);
  return g_strndup (g_bytes_get_data (output, NULL), g_bytes_get_size (output));
}

#define SPOOF_SCRIPT \
  "EHLO spoofer.example\r\n" \
  "MAIL FROM:<alice@sender.example>\r\n" \
  "RCPT TO:<bob@recipient.example>\r\n" \
  "DATA\r\n" \
  MESSAGE \
  ".\r\n" \
  "QUIT\r\n"

static void
test_honest_through_the_lab (Fixture       *f,
                             gconstpointer  data)
{
  const char *recipients[] = { "bob@recipient.example", NULL };
  g_autoptr(GBytes) message = g_bytes_new_static (MESSAGE, strlen (MESSAGE));
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) results = NULL;
  g_autofree char *text = NULL;
  g_autofree char *record = NULL;
  MrMailbox *inbox = folder_of (f, "bob@recipient.example", "INBOX");

  /* the lab published its generated keys */
  g_assert_cmpint (mr_dns_lookup_a (mr_world_get_dns (f->world), "lab._domainkey.sender.example", NULL),
                   ==, MR_DNS_NO_DATA);

  g_assert_nonnull (mr_world_send (f->world, "alice@sender.example", recipients, message, &error));
  g_assert_no_error (error);
  drive_until_idle (f);

  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (inbox)), ==, 1);
  text = message_text (inbox, 0);
  g_test_message ("%s", text);
  results = parse_results (text);
  g_assert_cmpstr (result_of (results, "spf", 0), ==, "pass");
  g_assert_cmpstr (result_of (results, "dkim", 0), ==, "pass");
  g_assert_cmpstr (result_of (results, "dkim", 1), ==, "pass");
  g_assert_cmpstr (result_of (results, "dmarc", 0), ==, "pass");
  g_assert_nonnull (strstr (text, "a=rsa-sha256"));
  g_assert_nonnull (strstr (text, "a=ed25519-sha256"));
}

static void
test_honest_submission (Fixture       *f,
                        gconstpointer  data)
{
  g_autofree char *said = NULL;
  g_autofree char *text = NULL;
  g_autoptr(GPtrArray) results = NULL;
  MrMailbox *inbox = folder_of (f, "bob@recipient.example", "INBOX");

  /* Alice submits over port 587 with AUTH PLAIN (alice/alice) */
  said = converse (f, "alice-laptop", "smtp.sender.example", MR_SERVICE_SUBMISSION,
                   "EHLO alice-laptop\r\n"
                   "AUTH PLAIN AGFsaWNlQHNlbmRlci5leGFtcGxlAGFsaWNl\r\n"
                   "MAIL FROM:<alice@sender.example>\r\n"
                   "RCPT TO:<bob@recipient.example>\r\n"
                   "DATA\r\n" MESSAGE ".\r\nQUIT\r\n");
  g_assert_nonnull (strstr (said, "\r\n235 "));
  drive_until_idle (f);

  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (inbox)), ==, 1);
  text = message_text (inbox, 0);
  results = parse_results (text);
  g_assert_cmpstr (result_of (results, "spf", 0), ==, "pass");
  g_assert_cmpstr (result_of (results, "dkim", 0), ==, "pass");
  g_assert_cmpstr (result_of (results, "dmarc", 0), ==, "pass");
}

static void
test_spoofer_rejected (Fixture       *f,
                       gconstpointer  data)
{
  g_autofree char *said = converse (f, "spoofer.example", "mx1.recipient.example", MR_SERVICE_SMTP,
                                    SPOOF_SCRIPT);

  g_assert_nonnull (strstr (said, "\r\n550 5.7.26 Unauthenticated email from sender.example is not "
                                  "accepted due to domain's DMARC policy\r\n"));
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (folder_of (f, "bob@recipient.example", "INBOX"))),
                    ==, 0);
}

/* A line to the IMAP session, returning what it answered. */
static char *
imap_say (MrSession  *session,
          const char *line)
{
  g_autoptr(GBytes) output = NULL;

  mr_session_feed (session, (const guint8 *)line, strlen (line));
  output = mr_session_take_output (session);
  return output ? g_strndup (g_bytes_get_data (output, NULL), g_bytes_get_size (output)) : g_strdup ("");
}

static void
test_quarantine_in_junk_over_imap (Fixture       *f,
                                   gconstpointer  data)
{
  g_autoptr(MrConversation) conversation = NULL;
  g_autoptr(MrSession) imap = NULL;
  g_autofree char *said = NULL;
  g_autofree char *greeting = NULL;
  g_autofree char *login = NULL;
  g_autofree char *select = NULL;
  g_autofree char *fetch = NULL;

  mr_dns_set_record (mr_world_get_dns (f->world), "_dmarc.sender.example", MR_DNS_TXT,
                     "v=DMARC1; p=quarantine; rua=mailto:dmarc@sender.example", 0);
  said = converse (f, "spoofer.example", "mx1.recipient.example", MR_SERVICE_SMTP, SPOOF_SCRIPT);
  g_assert_nonnull (strstr (said, "\r\n250 "));
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (folder_of (f, "bob@recipient.example", "INBOX"))),
                    ==, 0);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (folder_of (f, "bob@recipient.example", "Junk"))),
                    ==, 1);

  conversation = mr_conversation_new (f->bus, MR_PROTOCOL_IMAP, "bob-laptop", "mail.recipient.example");
  imap = mr_imap_session_new (f->store, NULL, conversation, NULL);
  mr_session_start (imap);
  greeting = imap_say (imap, "");
  login = imap_say (imap, "a LOGIN bob@recipient.example bob\r\n");
  g_assert_nonnull (strstr (login, "a OK"));
  select = imap_say (imap, "b SELECT Junk\r\n");
  g_assert_nonnull (strstr (select, "* 1 EXISTS"));
  fetch = imap_say (imap, "c FETCH 1 (FLAGS BODY.PEEK[HEADER.FIELDS (Authentication-Results)])\r\n");
  g_test_message ("%s", fetch);
  g_assert_nonnull (strstr (fetch, "$Junk"));
  g_assert_nonnull (strstr (fetch, "dmarc=fail (p=quarantine dis=quarantine) header.from=sender.example"));
  g_assert_nonnull (strstr (fetch, "spf=fail"));
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

#define ADD(path, func) g_test_add (path, Fixture, NULL, fixture_setup, func, fixture_teardown)
  ADD ("/auth/world/honest-through-the-lab", test_honest_through_the_lab);
  ADD ("/auth/world/honest-submission", test_honest_submission);
  ADD ("/auth/world/spoofer-rejected", test_spoofer_rejected);
  ADD ("/auth/world/quarantine-in-junk-over-imap", test_quarantine_in_junk_over_imap);
#undef ADD

  return g_test_run ();
}
