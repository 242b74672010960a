/* test-conversation-index.c: the index the one-conversation views share
 *
 * Copyright 2026 The Mailroom authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * GTK-free: an MrEventModel fed by hand, no display.
 */

#define G_LOG_DOMAIN "test-conversation-index"

#include "config.h"

#include "mr-conversation-index.h"
#include "mr-event-model.h"

typedef struct
{
  guint64      seq;
  guint64      conversation_id;
  MrEventKind  kind;
  MrProtocol   protocol;
  const char  *text;
} Row;

/* Two conversations interleaved, notes inside and outside them. */
static const Row rows[] = {
  {  1, 1, MR_EVENT_CONNECT, MR_PROTOCOL_SMTP, "10.0.0.1" },      /* 0 */
  {  2, 1, MR_EVENT_LINE,    MR_PROTOCOL_SMTP, "220 mx ESMTP" },  /* 1 */
  {  3, 0, MR_EVENT_NOTE,    MR_PROTOCOL_NONE, "DNS MX example" },/* 2 */
  {  4, 2, MR_EVENT_CONNECT, MR_PROTOCOL_IMAP, "10.0.0.2" },      /* 3 */
  {  5, 1, MR_EVENT_LINE,    MR_PROTOCOL_SMTP, "EHLO a" },        /* 4 */
  {  6, 2, MR_EVENT_LINE,    MR_PROTOCOL_IMAP, "* OK" },          /* 5 */
  {  7, 1, MR_EVENT_NOTE,    MR_PROTOCOL_SMTP, "queued" },        /* 6 */
};

static GPtrArray *
make_events (const Row *table,
             guint      n)
{
  GPtrArray *events = g_ptr_array_new_with_free_func ((GDestroyNotify) mr_event_unref);

  for (guint i = 0; i < n; i++)
    {
      MrEvent *event = mr_event_new (table[i].kind,
                                     table[i].kind == MR_EVENT_NOTE ? MR_DIRECTION_NONE
                                                                    : MR_DIRECTION_TO_CLIENT,
                                     table[i].text);

      event->seq = table[i].seq;
      event->conversation_id = table[i].conversation_id;
      event->protocol = table[i].protocol;
      g_ptr_array_add (events, event);
    }
  return events;
}

static MrEventModel *
make_model (void)
{
  MrEventModel *model = mr_event_model_new ();
  g_autoptr(GPtrArray) events = make_events (rows, G_N_ELEMENTS (rows));

  mr_event_model_append (model, events);
  return model;
}

static void
on_changed_cb (MrConversationIndex *index,
               guint               *n_changed)
{
  (*n_changed)++;
}

static void
assert_texts (MrConversationIndex *index,
              guint64              conversation_id,
              const char * const  *expected)
{
  guint n = mr_conversation_index_get_n_events (index, conversation_id);

  g_assert_cmpuint (n, ==, g_strv_length ((char **) expected));
  for (guint i = 0; i < n; i++)
    {
      MrEvent *event = mr_conversation_index_get_event (index, conversation_id, i);

      g_assert_cmpuint (event->conversation_id, ==, conversation_id);
      g_assert_cmpstr (event->text, ==, expected[i]);
    }
}

static void
test_positions (void)
{
  g_autoptr(MrEventModel) model = make_model ();
  MrConversationIndex *index = mr_conversation_index_new ();
  const char * const first[] = { "10.0.0.1", "220 mx ESMTP", "EHLO a", "queued", NULL };
  const char * const second[] = { "10.0.0.2", "* OK", NULL };

  g_assert_null (mr_conversation_index_get_model (index));
  g_assert_cmpuint (mr_conversation_index_get_n_events (index, 1), ==, 0);

  g_assert_true (mr_conversation_index_set_model (index, model));
  g_assert_false (mr_conversation_index_set_model (index, model));
  g_assert_true (mr_conversation_index_get_model (index) == model);

  /* Notes of a conversation belong to it; notes outside any do not */
  assert_texts (index, 1, first);
  assert_texts (index, 2, second);
  g_assert_cmpuint (mr_conversation_index_get_n_events (index, 0), ==, 0);
  g_assert_cmpuint (mr_conversation_index_get_n_events (index, 3), ==, 0);

  g_assert_true (mr_conversation_index_set_model (index, NULL));
  g_assert_cmpuint (mr_conversation_index_get_n_events (index, 1), ==, 0);
  g_assert_cmpuint (mr_conversation_index_update_shown (index), ==, 0);

  g_assert_finalize_object (index);
}

static gboolean
imap_only (const MrEvent *event,
           gpointer       user_data)
{
  guint *n_calls = user_data;

  (*n_calls)++;
  g_assert_cmpuint (event->conversation_id, !=, 0);
  return event->protocol == MR_PROTOCOL_IMAP;
}

static void
test_newest (void)
{
  g_autoptr(MrEventModel) model = make_model ();
  g_autoptr(MrConversationIndex) index = mr_conversation_index_new ();
  guint n_calls = 0;

  g_assert_cmpuint (mr_conversation_index_update_shown (index), ==, 0);
  mr_conversation_index_set_model (index, model);

  /* The newest event is a note of conversation 1, which does not count:
   * the newest one is conversation 2 (seq 6). */
  g_assert_cmpuint (mr_conversation_index_update_shown (index), ==, 2);
  g_assert_cmpuint (mr_conversation_index_get_shown (index), ==, 2);

  /* Pinned: shown whatever is newer, even before it has events */
  g_assert_true (mr_conversation_index_set_conversation (index, 1));
  g_assert_false (mr_conversation_index_set_conversation (index, 1));
  g_assert_cmpuint (mr_conversation_index_get_conversation (index), ==, 1);
  g_assert_cmpuint (mr_conversation_index_update_shown (index), ==, 1);
  mr_conversation_index_set_conversation (index, 9);
  g_assert_cmpuint (mr_conversation_index_update_shown (index), ==, 9);
  g_assert_cmpuint (mr_conversation_index_get_n_events (index, 9), ==, 0);
  mr_conversation_index_set_conversation (index, 0);

  /* A follow func (the state view's "a protocol I can draw") */
  mr_conversation_index_set_follow_func (index, imap_only, &n_calls);
  mr_conversation_index_set_cursor (index, 5);
  g_assert_cmpuint (mr_conversation_index_update_shown (index), ==, 2);
  g_assert_cmpuint (n_calls, ==, 2);   /* seq 5 (SMTP), then seq 4 (IMAP) */
  mr_conversation_index_set_cursor (index, 3);
  g_assert_cmpuint (mr_conversation_index_update_shown (index), ==, 0);
  mr_conversation_index_set_follow_func (index, NULL, NULL);
  g_assert_cmpuint (mr_conversation_index_update_shown (index), ==, 1);
}

static void
test_cursor (void)
{
  g_autoptr(MrEventModel) model = make_model ();
  g_autoptr(MrConversationIndex) index = mr_conversation_index_new ();
  const char * const upto4[] = { "10.0.0.1", "220 mx ESMTP", NULL };
  const char * const upto5[] = { "10.0.0.1", "220 mx ESMTP", "EHLO a", NULL };
  const char * const none[] = { NULL };

  mr_conversation_index_set_model (index, model);

  g_assert_true (mr_conversation_index_set_cursor (index, 4));
  g_assert_false (mr_conversation_index_set_cursor (index, 4));
  g_assert_cmpuint (mr_conversation_index_get_cursor (index), ==, 4);

  /* As of event 4, conversation 2 has just begun and is the newest */
  assert_texts (index, 1, upto4);
  g_assert_cmpuint (mr_conversation_index_get_n_events (index, 2), ==, 1);
  g_assert_cmpuint (mr_conversation_index_update_shown (index), ==, 2);

  mr_conversation_index_set_cursor (index, 5);
  assert_texts (index, 1, upto5);
  g_assert_cmpuint (mr_conversation_index_update_shown (index), ==, 1);

  /* Past every event: all of them; at the first: only that one */
  mr_conversation_index_set_cursor (index, G_MAXUINT64);
  g_assert_cmpuint (mr_conversation_index_get_n_events (index, 1), ==, 4);
  mr_conversation_index_set_cursor (index, 1);
  g_assert_cmpuint (mr_conversation_index_get_n_events (index, 1), ==, 1);
  assert_texts (index, 2, none);
  g_assert_cmpuint (mr_conversation_index_update_shown (index), ==, 1);

  /* Live again */
  mr_conversation_index_set_cursor (index, 0);
  g_assert_cmpuint (mr_conversation_index_get_n_events (index, 1), ==, 4);
}

static void
test_growth_and_rebuild (void)
{
  g_autoptr(MrEventModel) model = mr_event_model_new ();
  g_autoptr(MrConversationIndex) index = mr_conversation_index_new ();
  g_autoptr(GPtrArray) head = make_events (rows, 3);
  g_autoptr(GPtrArray) tail = make_events (rows + 3, G_N_ELEMENTS (rows) - 3);
  const char * const first[] = { "10.0.0.1", "220 mx ESMTP", "EHLO a", "queued", NULL };
  guint n_changed = 0;

  g_signal_connect (index, "changed", G_CALLBACK (on_changed_cb), &n_changed);
  mr_conversation_index_set_model (index, model);
  g_assert_cmpuint (n_changed, ==, 0);
  g_assert_cmpuint (mr_conversation_index_update_shown (index), ==, 0);

  g_assert_false (mr_conversation_index_get_stale (index));

  /* Appends are indexed incrementally, one "changed" per batch, and
   * leave the index stale until the shown conversation is picked again. */
  mr_event_model_append (model, head);
  g_assert_cmpuint (n_changed, ==, 1);
  g_assert_true (mr_conversation_index_get_stale (index));
  g_assert_cmpuint (mr_conversation_index_get_n_events (index, 1), ==, 2);
  g_assert_cmpuint (mr_conversation_index_update_shown (index), ==, 1);
  g_assert_false (mr_conversation_index_get_stale (index));
  mr_event_model_append (model, tail);
  g_assert_cmpuint (n_changed, ==, 2);
  g_assert_true (mr_conversation_index_get_stale (index));
  /* Still the last pick until picked again */
  g_assert_cmpuint (mr_conversation_index_get_shown (index), ==, 1);
  assert_texts (index, 1, first);
  g_assert_cmpuint (mr_conversation_index_get_n_events (index, 2), ==, 2);

  /* Removal: positions would be stale, the index starts over */
  mr_event_model_clear (model);
  g_assert_cmpuint (n_changed, ==, 3);
  g_assert_cmpuint (mr_conversation_index_get_n_events (index, 1), ==, 0);
  g_assert_cmpuint (mr_conversation_index_get_n_events (index, 2), ==, 0);
  g_assert_cmpuint (mr_conversation_index_update_shown (index), ==, 0);

  mr_event_model_append (model, tail);
  g_assert_cmpuint (n_changed, ==, 4);
  g_assert_cmpuint (mr_conversation_index_get_n_events (index, 1), ==, 2);
  g_assert_cmpstr (mr_conversation_index_get_event (index, 1, 0)->text, ==, "EHLO a");
  g_assert_cmpuint (mr_conversation_index_get_n_events (index, 2), ==, 2);
  g_assert_cmpuint (mr_conversation_index_update_shown (index), ==, 2);

  /* Another model: the old one no longer reaches the index */
  {
    g_autoptr(MrEventModel) other = make_model ();

    mr_conversation_index_set_model (index, other);
    g_assert_cmpuint (mr_conversation_index_get_n_events (index, 1), ==, 4);
    mr_event_model_clear (model);
    g_assert_cmpuint (n_changed, ==, 4);
    g_assert_cmpuint (mr_conversation_index_get_n_events (index, 1), ==, 4);
    mr_conversation_index_set_model (index, NULL);
  }
}

static void
test_lifetime (void)
{
  g_autoptr(MrEventModel) model = make_model ();
  MrConversationIndex *index = mr_conversation_index_new ();
  g_autoptr(GPtrArray) more = make_events (rows, 2);

  /* The index holds a reference, and lets go of the model's signal when
   * it goes away while the model lives on. */
  mr_conversation_index_set_model (index, model);
  mr_conversation_index_set_conversation (index, 2);
  g_assert_cmpuint (mr_conversation_index_update_shown (index), ==, 2);
  g_assert_finalize_object (index);
  mr_event_model_append (model, more);
  g_assert_cmpuint (mr_event_model_get_n_events (model), ==, G_N_ELEMENTS (rows) + 2);
}

static void
test_misuse (void)
{
  g_autoptr(MrEventModel) model = make_model ();
  g_autoptr(MrConversationIndex) index = mr_conversation_index_new ();
  static const Row odd[] = {
    { 8, G_MAXUINT64, MR_EVENT_LINE, MR_PROTOCOL_POP3, "+OK" },
    { 9, 0, MR_EVENT_LINE, MR_PROTOCOL_POP3, "stray" },
  };
  g_autoptr(GPtrArray) events = make_events (odd, G_N_ELEMENTS (odd));
  MrEvent *event;

  mr_conversation_index_set_model (index, model);
  mr_event_model_append (model, events);

  /* The largest id is an id like any other */
  g_assert_cmpuint (mr_conversation_index_get_n_events (index, G_MAXUINT64), ==, 1);
  g_assert_cmpuint (mr_conversation_index_update_shown (index), ==, G_MAXUINT64);

  /* Past the end, or a conversation it never saw: a critical, no event */
  g_test_expect_message ("mr-conversation-index", G_LOG_LEVEL_CRITICAL, "*i < positions->len*");
  event = mr_conversation_index_get_event (index, 2, 2);
  g_test_assert_expected_messages ();
  g_assert_null (event);
  g_test_expect_message ("mr-conversation-index", G_LOG_LEVEL_CRITICAL, "*positions != NULL*");
  event = mr_conversation_index_get_event (index, 42, 0);
  g_test_assert_expected_messages ();
  g_assert_null (event);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/conversation-index/positions", test_positions);
  g_test_add_func ("/conversation-index/newest", test_newest);
  g_test_add_func ("/conversation-index/cursor", test_cursor);
  g_test_add_func ("/conversation-index/growth-and-rebuild", test_growth_and_rebuild);
  g_test_add_func ("/conversation-index/lifetime", test_lifetime);
  g_test_add_func ("/conversation-index/misuse", test_misuse);

  return g_test_run ();
}
