/* mr-conversation-index.c
 *
 * Copyright 2026 The Mailroom authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "mr-conversation-index"

#include "config.h"

#include "mr-conversation-index.h"

struct _MrConversationIndex
{
  GObject                   parent_instance;

  /* Owned */
  MrEventModel             *model;
  GHashTable               *positions;        /* conversation id -> GArray of guint */
  guint                     n_indexed;
  guint64                   conversation_id;  /* 0: follow */
  guint64                   cursor;           /* 0: live */
  guint64                   shown_id;
  gboolean                  stale;            /* changed since shown_id was picked */

  /* Borrowed */
  MrConversationFollowFunc  follow_func;
  gpointer                  follow_data;
};

G_DEFINE_FINAL_TYPE (MrConversationIndex, mr_conversation_index, G_TYPE_OBJECT)

enum {
  CHANGED,
  N_SIGNALS
};

static guint signals [N_SIGNALS];

/* Appends the model's events from @position on to their conversations. */
static void
index_from (MrConversationIndex *self,
            guint                position)
{
  guint n = g_list_model_get_n_items (G_LIST_MODEL (self->model));

  for (guint i = position; i < n; i++)
    {
      MrEvent *event = mr_event_model_get_event (self->model, i);
      GArray *positions;

      if (event->conversation_id == 0)
        continue;
      positions = g_hash_table_lookup (self->positions, &event->conversation_id);
      if (positions == NULL)
        {
          guint64 *key = g_new (guint64, 1);

          *key = event->conversation_id;
          positions = g_array_new (FALSE, FALSE, sizeof (guint));
          g_hash_table_insert (self->positions, key, positions);
        }
      g_array_append_val (positions, i);
    }
  self->n_indexed = n;
}

static void
clear_index (MrConversationIndex *self)
{
  g_hash_table_remove_all (self->positions);
  self->n_indexed = 0;
}

static void
on_items_changed_cb (MrConversationIndex *self,
                     guint                position,
                     guint                removed,
                     guint                added,
                     GListModel          *model)
{
  g_assert (MR_IS_CONVERSATION_INDEX (self));

  /* The model only ever grows at the end, or is cleared: anything else
   * shifts positions, so start over. */
  if (removed > 0 || position != self->n_indexed)
    {
      clear_index (self);
      position = 0;
    }
  index_from (self, position);

  self->stale = TRUE;
  g_signal_emit (self, signals [CHANGED], 0);
}

static void
mr_conversation_index_dispose (GObject *object)
{
  MrConversationIndex *self = (MrConversationIndex *)object;

  if (self->model != NULL)
    g_signal_handlers_disconnect_by_data (self->model, self);
  g_clear_object (&self->model);
  self->follow_func = NULL;
  self->follow_data = NULL;

  G_OBJECT_CLASS (mr_conversation_index_parent_class)->dispose (object);
}

static void
mr_conversation_index_finalize (GObject *object)
{
  MrConversationIndex *self = (MrConversationIndex *)object;

  g_clear_pointer (&self->positions, g_hash_table_unref);

  G_OBJECT_CLASS (mr_conversation_index_parent_class)->finalize (object);
}

static void
mr_conversation_index_class_init (MrConversationIndexClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = mr_conversation_index_dispose;
  object_class->finalize = mr_conversation_index_finalize;

  /**
   * MrConversationIndex::changed:
   *
   * Emitted after the model's items changed and the index caught up with
   * them: the shown conversation and its events may differ now, and the
   * index is stale until the next mr_conversation_index_update_shown().
   * Not emitted for mr_conversation_index_set_conversation() or
   * _set_cursor(), whose callers know.
   */
  signals [CHANGED] =
    g_signal_new ("changed",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 0);
}

static void
mr_conversation_index_init (MrConversationIndex *self)
{
  self->positions = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free,
                                           (GDestroyNotify) g_array_unref);
}

MrConversationIndex *
mr_conversation_index_new (void)
{
  return g_object_new (MR_TYPE_CONVERSATION_INDEX, NULL);
}

MrEventModel *
mr_conversation_index_get_model (MrConversationIndex *self)
{
  g_return_val_if_fail (MR_IS_CONVERSATION_INDEX (self), NULL);
  return self->model;
}

gboolean
mr_conversation_index_set_model (MrConversationIndex *self,
                                 MrEventModel        *model)
{
  g_return_val_if_fail (MR_IS_CONVERSATION_INDEX (self), FALSE);
  g_return_val_if_fail (!model || MR_IS_EVENT_MODEL (model), FALSE);

  if (self->model == model)
    return FALSE;

  if (self->model != NULL)
    g_signal_handlers_disconnect_by_data (self->model, self);
  g_set_object (&self->model, model);
  clear_index (self);
  if (model != NULL)
    {
      g_signal_connect_object (model, "items-changed", G_CALLBACK (on_items_changed_cb),
                               self, G_CONNECT_SWAPPED);
      index_from (self, 0);
    }
  return TRUE;
}

void
mr_conversation_index_set_follow_func (MrConversationIndex      *self,
                                       MrConversationFollowFunc  func,
                                       gpointer                  user_data)
{
  g_return_if_fail (MR_IS_CONVERSATION_INDEX (self));

  self->follow_func = func;
  self->follow_data = user_data;
}

guint64
mr_conversation_index_get_conversation (MrConversationIndex *self)
{
  g_return_val_if_fail (MR_IS_CONVERSATION_INDEX (self), 0);
  return self->conversation_id;
}

gboolean
mr_conversation_index_set_conversation (MrConversationIndex *self,
                                        guint64              conversation_id)
{
  g_return_val_if_fail (MR_IS_CONVERSATION_INDEX (self), FALSE);

  if (self->conversation_id == conversation_id)
    return FALSE;
  self->conversation_id = conversation_id;
  return TRUE;
}

guint64
mr_conversation_index_get_cursor (MrConversationIndex *self)
{
  g_return_val_if_fail (MR_IS_CONVERSATION_INDEX (self), 0);
  return self->cursor;
}

gboolean
mr_conversation_index_set_cursor (MrConversationIndex *self,
                                  guint64              seq)
{
  g_return_val_if_fail (MR_IS_CONVERSATION_INDEX (self), FALSE);

  if (self->cursor == seq)
    return FALSE;
  self->cursor = seq;
  return TRUE;
}

guint64
mr_conversation_index_update_shown (MrConversationIndex *self)
{
  guint64 shown;

  g_return_val_if_fail (MR_IS_CONVERSATION_INDEX (self), 0);

  shown = self->conversation_id;
  if (shown == 0 && self->model != NULL)
    for (guint i = self->n_indexed; i > 0; i--)
      {
        MrEvent *event = mr_event_model_get_event (self->model, i - 1);

        if (self->cursor != 0 && event->seq > self->cursor)
          continue;
        if (event->conversation_id == 0)
          continue;
        if (self->follow_func != NULL ? self->follow_func (event, self->follow_data)
                                      : event->kind != MR_EVENT_NOTE)
          {
            shown = event->conversation_id;
            break;
          }
      }

  self->shown_id = shown;
  self->stale = FALSE;
  return shown;
}

guint64
mr_conversation_index_get_shown (MrConversationIndex *self)
{
  g_return_val_if_fail (MR_IS_CONVERSATION_INDEX (self), 0);
  return self->shown_id;
}

gboolean
mr_conversation_index_get_stale (MrConversationIndex *self)
{
  g_return_val_if_fail (MR_IS_CONVERSATION_INDEX (self), FALSE);
  return self->stale;
}

guint
mr_conversation_index_get_n_events (MrConversationIndex *self,
                                    guint64              conversation_id)
{
  GArray *positions;
  guint n = 0;

  g_return_val_if_fail (MR_IS_CONVERSATION_INDEX (self), 0);

  if (conversation_id == 0 ||
      (positions = g_hash_table_lookup (self->positions, &conversation_id)) == NULL)
    return 0;
  if (self->cursor == 0)
    return positions->len;

  while (n < positions->len &&
         mr_event_model_get_event (self->model, g_array_index (positions, guint, n))->seq <= self->cursor)
    n++;
  return n;
}

MrEvent *
mr_conversation_index_get_event (MrConversationIndex *self,
                                 guint64              conversation_id,
                                 guint                i)
{
  GArray *positions;

  g_return_val_if_fail (MR_IS_CONVERSATION_INDEX (self), NULL);

  positions = g_hash_table_lookup (self->positions, &conversation_id);
  g_return_val_if_fail (positions != NULL && i < positions->len, NULL);

  return mr_event_model_get_event (self->model, g_array_index (positions, guint, i));
}
