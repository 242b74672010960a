/* mr-state-view.h
 *
 * Copyright 2026 The Mailroom authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gtk/gtk.h>

#include "mr-app-types.h"
#include "mr-types.h"

G_BEGIN_DECLS

#define MR_TYPE_STATE_VIEW (mr_state_view_get_type ())

G_DECLARE_FINAL_TYPE (MrStateView, mr_state_view, MR, STATE_VIEW, GtkWidget)

/*
 * The protocol's state machine for one conversation, drawn as a small
 * diagram (SMTP: connected, greeted, mail, rcpt, data, quit; POP3:
 * AUTHORIZATION, TRANSACTION, UPDATE; IMAP: not authenticated,
 * authenticated, selected, logout) with the current state lit, from the
 * `state` events carry. A command refused (503, -ERR, NO, BAD) marks the
 * edge it tried to take, in red, with the reply, and flashes it when new.
 *
 * Follows the newest conversation unless one is set; honours a cursor
 * (the timeline's "as of event N"), 0 meaning live.
 */
GtkWidget  *mr_state_view_new              (void);
void        mr_state_view_set_model        (MrStateView  *self,
                                            MrEventModel *model);
/* 0 follows the newest conversation. */
void        mr_state_view_set_conversation (MrStateView  *self,
                                            guint64       conversation_id);
guint64     mr_state_view_get_conversation (MrStateView  *self);
/* Show the conversation as of event @seq; 0 is live. */
void        mr_state_view_set_cursor       (MrStateView  *self,
                                            guint64       seq);
guint64     mr_state_view_get_cursor       (MrStateView  *self);
/* The conversation shown (the followed one when following), 0 if none. */
guint64     mr_state_view_get_shown_conversation (MrStateView *self);
MrProtocol  mr_state_view_get_protocol     (MrStateView  *self);
/* The lit state as events name it ("greeted", "authorization"...), or NULL. */
const char *mr_state_view_get_state        (MrStateView  *self);
/* The last refused command's verb ("RCPT") and reply ("503 5.5.1 ..."),
 * or NULL once a later command succeeded. */
const char *mr_state_view_get_refused_verb (MrStateView  *self);
const char *mr_state_view_get_refused_reply (MrStateView *self);
/* The state the refused command tried to reach, or NULL. */
const char *mr_state_view_get_refused_target (MrStateView *self);

/* The state a command leads to when accepted in @protocol, or NULL when
 * it stays where it is. Shared with the other views. */
const char *mr_state_view_target_for_verb  (MrProtocol    protocol,
                                            const char   *verb);

G_END_DECLS
