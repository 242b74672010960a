/* mr-conversation-index.h
 *
 * Copyright 2026 The Mailroom authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

#include "mr-event-model.h"

G_BEGIN_DECLS

#define MR_TYPE_CONVERSATION_INDEX (mr_conversation_index_get_type ())

G_DECLARE_FINAL_TYPE (MrConversationIndex, mr_conversation_index, MR, CONVERSATION_INDEX, GObject)

/* Whether @event may make its conversation "the newest one" to follow.
 * Only events with a conversation id are ever passed. */
typedef gboolean (*MrConversationFollowFunc) (const MrEvent *event,
                                              gpointer       user_data);

/*
 * What the one-conversation views (wire, eavesdropper, state machine)
 * share: an index conversation id -> positions of its events in an
 * MrEventModel, kept up to date as the model grows (rebuilt when events
 * are removed), a pinned conversation or "the newest one", and a
 * timeline cursor ("as of event N", 0 live) that clips what is shown.
 *
 * "changed" is emitted after the index caught up with the model; the
 * view decides whether to redraw now or, leaving the index stale, when
 * it is next shown. GTK-free: the views own the rendering.
 */
MrConversationIndex *mr_conversation_index_new              (void);
MrEventModel        *mr_conversation_index_get_model        (MrConversationIndex      *self);
/* Returns TRUE when @model was not already the model. */
gboolean             mr_conversation_index_set_model        (MrConversationIndex      *self,
                                                             MrEventModel             *model);
/* NULL (the default) follows any event but notes. */
void                 mr_conversation_index_set_follow_func  (MrConversationIndex      *self,
                                                             MrConversationFollowFunc  func,
                                                             gpointer                  user_data);
/* 0 follows the newest conversation. Returns TRUE when it changed. */
guint64              mr_conversation_index_get_conversation (MrConversationIndex      *self);
gboolean             mr_conversation_index_set_conversation (MrConversationIndex      *self,
                                                             guint64                   conversation_id);
/* Show events up to @seq; 0 is live. Returns TRUE when it changed. */
guint64              mr_conversation_index_get_cursor       (MrConversationIndex      *self);
gboolean             mr_conversation_index_set_cursor       (MrConversationIndex      *self,
                                                             guint64                   seq);
/* Picks the conversation to show: the set one, else the newest one with
 * an event up to the cursor that the follow func accepts; 0 if none.
 * Remembered for mr_conversation_index_get_shown(). */
guint64              mr_conversation_index_update_shown     (MrConversationIndex      *self);
/* What the last mr_conversation_index_update_shown() picked. */
guint64              mr_conversation_index_get_shown        (MrConversationIndex      *self);
/* TRUE when the model's items changed since the last _update_shown():
 * a view that draws from the index is out of date. */
gboolean             mr_conversation_index_get_stale        (MrConversationIndex      *self);
/* How many events of @conversation_id there are up to the cursor (the
 * first with a later seq ends them), and the @i-th of them, oldest
 * first. (transfer none) */
guint                mr_conversation_index_get_n_events     (MrConversationIndex      *self,
                                                             guint64                   conversation_id);
MrEvent             *mr_conversation_index_get_event        (MrConversationIndex      *self,
                                                             guint64                   conversation_id,
                                                             guint                     i);

G_END_DECLS
