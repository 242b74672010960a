/* test-wire.c
 *
 * Copyright 2026 The Mailroom authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <string.h>

#include "mr-clock.h"
#include "mr-event-bus.h"
#include "mr-fake-smtp-server.h"
#include "mr-wire.h"

#define MESSAGE "Subject: hi\r\n\r\n.dot\r\nbody\r\n"

typedef struct
{
  MrClock        *clock;
  MrEventBus     *bus;
  MrConversation *conversation;
  MrSmtpClient   *client;
  MrSession      *server;
  MrWire         *wire;
  guint           closed;
} Fixture;

static void
on_closed_cb (MrWire  *wire,
              Fixture *f)
{
  f->closed++;
}

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  g_autoptr(GBytes) message = g_bytes_new_static (MESSAGE, strlen (MESSAGE));

  f->clock = mr_clock_new ();
  f->bus = mr_event_bus_new (f->clock);
  f->conversation = mr_conversation_new (f->bus, MR_PROTOCOL_SMTP, "smtp.sender.example",
                                         "mx1.recipient.example");
  f->client = mr_smtp_client_new (f->conversation, "smtp.sender.example");
  mr_smtp_client_set_sender (f->client, "alice@sender.example", NULL, NULL);
  mr_smtp_client_add_recipient (f->client, "bob@recipient.example", NULL, NULL);
  mr_smtp_client_add_recipient (f->client, "nobody@recipient.example", NULL, NULL);
  mr_smtp_client_set_message (f->client, message);
  f->server = mr_fake_smtp_server_new (f->conversation);
  f->wire = mr_wire_new (f->clock, f->client, f->server);
  g_signal_connect (f->wire, "closed", G_CALLBACK (on_closed_cb), f);
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  g_clear_object (&f->wire);
  g_clear_object (&f->client);
  g_clear_object (&f->server);
  g_clear_pointer (&f->conversation, mr_conversation_unref);
  g_clear_object (&f->bus);
  g_clear_object (&f->clock);
}

static void
assert_delivered (Fixture *f)
{
  GPtrArray *rcpts = mr_smtp_client_get_recipients (f->client);
  MrSmtpClientRecipient *bob = g_ptr_array_index (rcpts, 0);
  MrSmtpClientRecipient *nobody = g_ptr_array_index (rcpts, 1);
  GBytes *message = mr_fake_smtp_server_get_message (MR_FAKE_SMTP_SERVER (f->server));
  g_autofree char *text = NULL;

  g_assert_true (mr_wire_get_closed (f->wire));
  g_assert_cmpuint (f->closed, ==, 1);
  g_assert_true (mr_smtp_client_get_finished (f->client));
  g_assert_true (mr_session_get_closed (f->server));
  g_assert_cmpint (bob->status, ==, MR_SMTP_RCPT_DELIVERED);
  g_assert_cmpint (nobody->status, ==, MR_SMTP_RCPT_FAILED);
  g_assert_cmpuint (nobody->code, ==, 550);
  g_assert_nonnull (message);
  text = g_strndup (g_bytes_get_data (message, NULL), g_bytes_get_size (message));
  g_assert_cmpstr (text, ==, MESSAGE);
}

/* Lines the conversation carries, both ways:
 * S 220; C EHLO; S 250-fake, 250-STARTTLS, 250 PIPELINING; C STARTTLS; S 220;
 * C EHLO; S 250-fake, 250 PIPELINING; C MAIL, RCPT, RCPT, DATA;
 * S 250, 250, 550, 354; C content; S 250; C QUIT; S 221 */
#define N_UNITS 22

static void
test_wire_step (Fixture       *f,
                gconstpointer  data)
{
  guint steps = 0;

  mr_clock_set_mode (f->clock, MR_CLOCK_STEP);
  mr_wire_start (f->wire);
  g_assert_cmpuint (mr_wire_get_n_pending (f->wire), ==, 1);

  while (!mr_wire_get_closed (f->wire))
    {
      guint before = mr_wire_get_n_delivered (f->wire);

      mr_clock_step (f->clock);
      /* Exactly one line per step. */
      g_assert_cmpuint (mr_wire_get_n_delivered (f->wire), ==, before + 1);
      steps++;
      g_assert_cmpuint (steps, <=, N_UNITS);
    }

  g_assert_cmpuint (steps, ==, N_UNITS);
  g_assert_true (mr_smtp_client_get_encrypted (f->client));
  g_assert_true (mr_session_get_encrypted (f->server));
  assert_delivered (f);

  /* Stepping a closed wire does nothing. */
  mr_clock_step (f->clock);
  g_assert_cmpuint (mr_wire_get_n_delivered (f->wire), ==, N_UNITS);
}

static void
test_wire_virtual_latency (Fixture       *f,
                           gconstpointer  data)
{
  gint64 start;

  /* Real time barely moves at this speed; virtual time moves by advance. */
  mr_clock_set_speed (f->clock, 0.01);
  mr_wire_set_latency (f->wire, 50 * G_TIME_SPAN_MILLISECOND);
  mr_wire_set_reply_delay (f->wire, 2 * G_TIME_SPAN_SECOND);
  mr_wire_set_tls_available (f->wire, FALSE);
  start = mr_clock_now (f->clock);
  mr_wire_start (f->wire);

  /* The greeting takes latency + reply delay. */
  mr_clock_advance (f->clock, 50 * G_TIME_SPAN_MILLISECOND);
  g_assert_cmpuint (mr_wire_get_n_delivered (f->wire), ==, 0);
  mr_clock_advance (f->clock, 2 * G_TIME_SPAN_SECOND);
  g_assert_cmpuint (mr_wire_get_n_delivered (f->wire), ==, 1);

  /* EHLO is a client line: latency only. */
  mr_clock_advance (f->clock, 50 * G_TIME_SPAN_MILLISECOND);
  g_assert_cmpuint (mr_wire_get_n_delivered (f->wire), ==, 2);

  while (!mr_wire_get_closed (f->wire))
    mr_clock_advance (f->clock, 3 * G_TIME_SPAN_SECOND);

  assert_delivered (f);
  g_assert_cmpint (mr_clock_now (f->clock) - start, >, 10 * G_TIME_SPAN_SECOND);
}

static void
on_closed_quit_cb (MrWire     *wire,
                   GMainLoop  *loop)
{
  g_main_loop_quit (loop);
}

static void
test_wire_realtime_fast (Fixture       *f,
                         gconstpointer  data)
{
  g_autoptr(GMainLoop) loop = g_main_loop_new (NULL, FALSE);
  gint64 real_start = g_get_monotonic_time ();
  gint64 virtual_start = mr_clock_now (f->clock);

  /* 100 ms per line at 1000x: the whole conversation in a few ms. */
  mr_clock_set_speed (f->clock, 1000);
  g_signal_connect (f->wire, "closed", G_CALLBACK (on_closed_quit_cb), loop);
  mr_wire_start (f->wire);
  g_main_loop_run (loop);

  assert_delivered (f);
  g_assert_cmpint (mr_clock_now (f->clock) - virtual_start, >=,
                   N_UNITS * MR_WIRE_DEFAULT_LATENCY);
  g_assert_cmpint (g_get_monotonic_time () - real_start, <, 2 * G_USEC_PER_SEC);
}

static void
test_wire_mode_switch (Fixture       *f,
                       gconstpointer  data)
{
  mr_clock_set_speed (f->clock, 0.01);
  mr_wire_start (f->wire);
  mr_clock_advance (f->clock, MR_WIRE_DEFAULT_LATENCY);
  g_assert_cmpuint (mr_wire_get_n_delivered (f->wire), ==, 1);

  /* In step mode, time passing delivers nothing; steps do. */
  mr_clock_set_mode (f->clock, MR_CLOCK_STEP);
  mr_clock_advance (f->clock, 10 * G_TIME_SPAN_SECOND);
  g_assert_cmpuint (mr_wire_get_n_delivered (f->wire), ==, 1);
  mr_clock_step (f->clock);
  g_assert_cmpuint (mr_wire_get_n_delivered (f->wire), ==, 2);

  /* And back. */
  mr_clock_set_mode (f->clock, MR_CLOCK_REALTIME);
  while (!mr_wire_get_closed (f->wire))
    mr_clock_advance (f->clock, G_TIME_SPAN_SECOND);
  assert_delivered (f);
}

static void
test_wire_abort_and_refusal (Fixture       *f,
                             gconstpointer  data)
{
  MrSmtpClientRecipient *bob;

  mr_clock_set_mode (f->clock, MR_CLOCK_STEP);
  mr_wire_start (f->wire);
  mr_clock_step (f->clock);
  mr_clock_step (f->clock);
  mr_wire_abort (f->wire, "cable cut");
  g_assert_true (mr_wire_get_closed (f->wire));
  g_assert_cmpuint (f->closed, ==, 1);
  g_assert_true (mr_session_get_closed (f->server));
  bob = g_ptr_array_index (mr_smtp_client_get_recipients (f->client), 0);
  g_assert_cmpint (bob->status, ==, MR_SMTP_RCPT_DEFERRED);
  g_assert_cmpstr (bob->text, ==, "cable cut");
}

static void
test_wire_banner_421 (Fixture       *f,
                      gconstpointer  data)
{
  MrSmtpClientRecipient *bob;

  mr_fake_smtp_server_set_banner (MR_FAKE_SMTP_SERVER (f->server),
                                  "421 4.3.2 Service not available");
  mr_clock_set_mode (f->clock, MR_CLOCK_STEP);
  mr_wire_start (f->wire);
  mr_clock_step (f->clock);
  g_assert_true (mr_wire_get_closed (f->wire));
  bob = g_ptr_array_index (mr_smtp_client_get_recipients (f->client), 0);
  g_assert_cmpint (bob->status, ==, MR_SMTP_RCPT_DEFERRED);
  g_assert_cmpuint (bob->code, ==, 421);
  g_assert_cmpstr (bob->enhanced, ==, "4.3.2");
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

#define ADD(path, func) \
  g_test_add (path, Fixture, NULL, fixture_setup, func, fixture_teardown)
  ADD ("/world/wire/step", test_wire_step);
  ADD ("/world/wire/virtual-latency", test_wire_virtual_latency);
  ADD ("/world/wire/realtime-fast", test_wire_realtime_fast);
  ADD ("/world/wire/mode-switch", test_wire_mode_switch);
  ADD ("/world/wire/abort", test_wire_abort_and_refusal);
  ADD ("/world/wire/banner-421", test_wire_banner_421);
#undef ADD

  return g_test_run ();
}
