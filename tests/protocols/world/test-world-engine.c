/* test-world-engine.c
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

/* The simulated world as the engine runs it: sessions from
 * mr_engine_create_session(), the engine's clock, store and bus. */

typedef struct
{
  MrEngine *engine;
  MrWorld  *world;
  MrClock  *clock;
  GPtrArray *wires;
} Fixture;

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  f->engine = mr_engine_new ();
  g_assert_true (mr_engine_load_scenario (f->engine, NULL, &error));
  g_assert_no_error (error);
  f->world = mr_engine_get_world (f->engine);
  g_assert_nonnull (f->world);
  f->clock = mr_engine_get_clock (f->engine);
  /* Real time hardly moves; the test moves virtual time. */
  mr_clock_set_speed (f->clock, 0.01);
  f->wires = g_ptr_array_new_with_free_func (g_object_unref);
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  g_clear_pointer (&f->wires, g_ptr_array_unref);
  g_clear_object (&f->engine);
  while (g_main_context_iteration (NULL, FALSE))
    ;
}

static gboolean
idle (Fixture *f)
{
  if (g_list_model_get_n_items (mr_world_get_queue (f->world)) > 0)
    return FALSE;
  for (guint i = 0; i < f->wires->len; i++)
    if (!mr_wire_get_closed (g_ptr_array_index (f->wires, i)))
      return FALSE;
  return TRUE;
}

static void
run_until_idle (Fixture *f)
{
  for (guint i = 0; i < 100000; i++)
    {
      gint64 due;

      while (g_main_context_iteration (NULL, FALSE))
        ;
      if (idle (f))
        return;
      if ((due = mr_clock_get_next_due (f->clock)) < 0)
        break;
      mr_clock_advance (f->clock, MAX (due, 1));
    }
  g_assert_true (idle (f));
}

/* A mail client on @client_host talks to the engine's @service. */
static MrSmtpClient *
connect_client (Fixture    *f,
                MrService   service,
                const char *client_host,
                const char *user,
                const char *to)
{
  g_autoptr(MrSession) server = mr_engine_create_session (f->engine, service, client_host);
  g_autofree char *text = g_strdup_printf ("From: alice@sender.example\r\nTo: %s\r\n"
                                           "Subject: engine test\r\n\r\nHello.\r\n", to);
  g_autoptr(GBytes) message = g_bytes_new (text, strlen (text));
  MrSmtpClient *client;
  MrWire *wire;

  g_assert_nonnull (server);
  client = mr_smtp_client_new (mr_session_get_conversation (server), client_host);
  if (user != NULL)
    mr_smtp_client_set_auth (client, user, "alice");
  mr_smtp_client_set_sender (client, "alice@sender.example", NULL, NULL);
  mr_smtp_client_add_recipient (client, to, NULL, NULL);
  mr_smtp_client_set_message (client, message);

  wire = mr_wire_new (f->clock, client, server);
  mr_wire_set_latency (wire, G_TIME_SPAN_MILLISECOND);
  g_ptr_array_add (f->wires, wire);
  mr_wire_start (wire);

  return client;
}

static guint
n_messages (Fixture    *f,
            const char *address)
{
  MrAccount *account = mr_store_lookup_account (mr_engine_get_store (f->engine), address);

  g_assert_nonnull (account);
  return mr_mailbox_get_n_messages (mr_account_get_inbox (account));
}

static char *
message_text (Fixture    *f,
              const char *address,
              guint       index)
{
  MrAccount *account = mr_store_lookup_account (mr_engine_get_store (f->engine), address);
  GBytes *raw = mr_message_get_raw (mr_mailbox_get_message (mr_account_get_inbox (account), index));

  return g_strndup (g_bytes_get_data (raw, NULL), g_bytes_get_size (raw));
}

static void
test_engine_submission_to_mx (Fixture       *f,
                              gconstpointer  data)
{
  g_autoptr(MrSmtpClient) client = NULL;
  g_autofree char *text = NULL;
  const char *mx, *msa;

  client = connect_client (f, MR_SERVICE_SUBMISSION, "alice-laptop", "alice@sender.example",
                           "bob@recipient.example");
  run_until_idle (f);

  g_assert_cmpuint (n_messages (f, "bob@recipient.example"), ==, 1);
  text = message_text (f, "bob@recipient.example", 0);
  g_assert_true (g_str_has_prefix (text, "Return-Path: <alice@sender.example>\r\nReceived: "));
  mx = strstr (text, "by mx1.recipient.example");
  msa = strstr (text, "by smtp.sender.example");
  g_assert_nonnull (mx);
  g_assert_nonnull (msa);
  g_assert_true (mx < msa);

  /* Loading the scenario again keeps the world working. */
  {
    g_autoptr(GError) error = NULL;
    g_autoptr(MrSmtpClient) again = NULL;

    g_assert_true (mr_engine_load_scenario (f->engine, NULL, &error));
    g_assert_no_error (error);
    g_assert_true (mr_engine_get_world (f->engine) == f->world);
    again = connect_client (f, MR_SERVICE_SUBMISSION, "alice-laptop", "alice@sender.example",
                            "bob@recipient.example");
    run_until_idle (f);
    g_assert_cmpint (((MrSmtpClientRecipient *)g_ptr_array_index (mr_smtp_client_get_recipients (again), 0))->status,
                     ==, MR_SMTP_RCPT_DELIVERED);
  }
}

static void
test_engine_typo_bounces (Fixture       *f,
                          gconstpointer  data)
{
  g_autoptr(MrSmtpClient) client = NULL;
  g_autofree char *dsn = NULL;

  client = connect_client (f, MR_SERVICE_SUBMISSION, "alice-laptop", "alice@sender.example",
                           "bbo@recipient.example");
  run_until_idle (f);

  g_assert_cmpuint (n_messages (f, "alice@sender.example"), ==, 1);
  dsn = message_text (f, "alice@sender.example", 0);
  g_assert_true (g_str_has_prefix (dsn, "Return-Path: <>\r\n"));
  g_assert_nonnull (strstr (dsn, "report-type=delivery-status"));
  g_assert_nonnull (strstr (dsn, "Status: 5.1.1"));
}

static void
test_engine_faults_on_tcp_sessions (Fixture       *f,
                                    gconstpointer  data)
{
  /* The engine's MX session answers like mx1, faults included. */
  static const struct {
    const char *fault;
    guint       code;
    const char *enhanced;
  } cases[] = {
    { "spam-rejected@mx1.recipient.example", 550, "5.7.1" },
    { "greylisting", 451, "4.7.1" },
    { "mailbox-full@bob@recipient.example", 552, "5.2.2" },
    { "service-unavailable", 421, "4.3.2" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(MrSmtpClient) client = NULL;
      g_autoptr(GError) error = NULL;
      MrSmtpClientRecipient *rcpt;

      mr_world_clear_faults (f->world);
      g_assert_nonnull (mr_world_add_fault (f->world, cases[i].fault, &error));
      g_assert_no_error (error);
      client = connect_client (f, MR_SERVICE_SMTP, "127.0.0.1:40000", NULL, "bob@recipient.example");
      run_until_idle (f);
      rcpt = g_ptr_array_index (mr_smtp_client_get_recipients (client), 0);
      g_assert_cmpuint (rcpt->code, ==, cases[i].code);
      g_assert_cmpstr (rcpt->enhanced, ==, cases[i].enhanced);
    }
  g_assert_cmpuint (n_messages (f, "bob@recipient.example"), ==, 0);
}

static void
test_engine_step (Fixture       *f,
                  gconstpointer  data)
{
  g_autoptr(MrSmtpClient) client = NULL;
  guint steps = 0;

  mr_clock_set_mode (f->clock, MR_CLOCK_STEP);
  client = connect_client (f, MR_SERVICE_SUBMISSION, "alice-laptop", "alice@sender.example",
                           "bob@recipient.example");
  for (;;)
    {
      guint64 before = mr_wire_get_total_delivered (f->clock);

      while (g_main_context_iteration (NULL, FALSE))
        ;
      if (idle (f))
        break;
      mr_clock_step (f->clock);
      g_assert_cmpuint (mr_wire_get_total_delivered (f->clock), ==, before + 1);
      g_assert_cmpuint (++steps, <, 200);
    }
  g_assert_cmpuint (n_messages (f, "bob@recipient.example"), ==, 1);
}

int
main (int   argc,
      char *argv[])
{
  mr_init ();
  g_test_init (&argc, &argv, NULL);

#define ADD(path, func) \
  g_test_add (path, Fixture, NULL, fixture_setup, func, fixture_teardown)
  ADD ("/world/engine/submission-to-mx", test_engine_submission_to_mx);
  ADD ("/world/engine/typo-bounces", test_engine_typo_bounces);
  ADD ("/world/engine/faults-on-tcp-sessions", test_engine_faults_on_tcp_sessions);
  ADD ("/world/engine/step", test_engine_step);
#undef ADD

  return g_test_run ();
}
