/* test-event-bus.c
 *
 * Copyright 2026 The Mailroom authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "mailroom.h"

static void
on_event_cb (MrEventBus *bus,
             MrEvent    *event,
             GPtrArray  *seen)
{
  g_ptr_array_add (seen, mr_event_ref (event));
}

static void
test_event_bus_order (void)
{
  g_autoptr(MrClock) clock = mr_clock_new ();
  g_autoptr(MrEventBus) bus = mr_event_bus_new (clock);
  g_autoptr(GPtrArray) seen = g_ptr_array_new_with_free_func ((GDestroyNotify)mr_event_unref);
  g_autoptr(MrConversation) conversation = NULL;
  g_autoptr(GPtrArray) since = NULL;
  MrEvent *event;

  g_signal_connect (bus, "event", G_CALLBACK (on_event_cb), seen);
  conversation = mr_conversation_new (bus, MR_PROTOCOL_SMTP, "127.0.0.1:4000", "mx1.recipient.example");
  g_assert_cmpuint (conversation->id, ==, 1);

  event = mr_conversation_new_event (conversation, MR_EVENT_LINE, MR_DIRECTION_TO_CLIENT, "220 hi");
  mr_event_set_reply (event, 220, NULL);
  g_assert_cmpuint (mr_conversation_emit (conversation, event), ==, 1);

  event = mr_conversation_new_event (conversation, MR_EVENT_LINE, MR_DIRECTION_TO_SERVER, "rcpt to:<x>");
  mr_event_set_verb (event, "rcpt");
  mr_conversation_emit (conversation, event);

  event = mr_conversation_new_event (conversation, MR_EVENT_LINE, MR_DIRECTION_TO_CLIENT, "550 5.1.1 no");
  mr_event_set_reply (event, 550, "5.1.1");
  mr_conversation_emit (conversation, event);

  g_assert_cmpuint (seen->len, ==, 3);
  g_assert_cmpuint (mr_event_bus_get_last_seq (bus), ==, 3);
  event = g_ptr_array_index (seen, 1);
  g_assert_cmpstr (event->verb, ==, "RCPT");
  g_assert_cmpstr (event->server, ==, "mx1.recipient.example");
  g_assert_cmpint (event->protocol, ==, MR_PROTOCOL_SMTP);
  event = g_ptr_array_index (seen, 2);
  g_assert_cmpuint (mr_event_get_reply_class (event), ==, 5);
  g_assert_true (event->flags & MR_EVENT_FLAG_ERROR);
  g_assert_cmpint (event->time, >=, ((MrEvent *)g_ptr_array_index (seen, 0))->time);

  since = mr_event_bus_dup_since (bus, 1, 0);
  g_assert_cmpuint (since->len, ==, 2);
  g_assert_cmpuint (((MrEvent *)g_ptr_array_index (since, 0))->seq, ==, 2);
}

static void
test_event_bus_ring (void)
{
  g_autoptr(MrEventBus) bus = mr_event_bus_new (NULL);
  g_autoptr(GPtrArray) all = NULL;
  g_autoptr(GPtrArray) page = NULL;

  mr_event_bus_set_capacity (bus, 10);
  for (guint i = 0; i < 25; i++)
    {
      g_autoptr(MrEvent) event = mr_event_new (MR_EVENT_NOTE, MR_DIRECTION_NONE, "x");
      mr_event_bus_emit (bus, event);
    }

  all = mr_event_bus_dup_since (bus, 0, 0);
  g_assert_cmpuint (all->len, ==, 10);
  g_assert_cmpuint (((MrEvent *)g_ptr_array_index (all, 0))->seq, ==, 16);
  g_assert_cmpuint (((MrEvent *)g_ptr_array_index (all, 9))->seq, ==, 25);

  page = mr_event_bus_dup_since (bus, 20, 3);
  g_assert_cmpuint (page->len, ==, 3);
  g_assert_cmpuint (((MrEvent *)g_ptr_array_index (page, 0))->seq, ==, 21);

  g_clear_pointer (&page, g_ptr_array_unref);
  page = mr_event_bus_dup_since (bus, 25, 0);
  g_assert_cmpuint (page->len, ==, 0);
}

static gpointer
emit_thread (gpointer data)
{
  MrEventBus *bus = data;

  for (guint i = 0; i < 1000; i++)
    {
      g_autoptr(MrEvent) event = mr_event_new (MR_EVENT_NOTE, MR_DIRECTION_NONE, "t");

      mr_event_bus_emit (bus, event);
    }
  return NULL;
}

static void
test_event_bus_threads (void)
{
  g_autoptr(MrEventBus) bus = mr_event_bus_new (NULL);
  GThread *threads[4];
  guint64 last = 0;
  guint n = 0;

  for (guint i = 0; i < G_N_ELEMENTS (threads); i++)
    threads[i] = g_thread_new ("emit", emit_thread, bus);

  /* Poll like the GUI does while the emitters run: sequence numbers only grow. */
  while (n < 4000)
    {
      g_autoptr(GPtrArray) batch = mr_event_bus_dup_since (bus, last, 100);

      for (guint i = 0; i < batch->len; i++)
        {
          MrEvent *event = g_ptr_array_index (batch, i);

          g_assert_cmpuint (event->seq, ==, last + 1);
          last = event->seq;
          n++;
        }
    }

  for (guint i = 0; i < G_N_ELEMENTS (threads); i++)
    g_thread_join (threads[i]);
  g_assert_cmpuint (mr_event_bus_get_last_seq (bus), ==, 4000);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/core/event-bus/order", test_event_bus_order);
  g_test_add_func ("/core/event-bus/ring", test_event_bus_ring);
  g_test_add_func ("/core/event-bus/threads", test_event_bus_threads);

  return g_test_run ();
}
