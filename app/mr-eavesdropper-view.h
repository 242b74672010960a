/* mr-eavesdropper-view.h
 *
 * Copyright 2026 The Mailroom authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gtk/gtk.h>

#include "mr-app-types.h"

G_BEGIN_DECLS

#define MR_TYPE_EAVESDROPPER_VIEW (mr_eavesdropper_view_get_type ())

G_DECLARE_FINAL_TYPE (MrEavesdropperView, mr_eavesdropper_view, MR, EAVESDROPPER_VIEW, GtkWidget)

/*
 * One link as a passive observer on the wire sees it. Before TLS every
 * line is readable, and the view points out what leaks: AUTH payloads
 * (base64, decoded where the bus carries them: server challenges, the
 * user name of IMAP LOGIN and POP3 USER), envelope addresses, the message.
 * After MR_EVENT_TLS (STARTTLS, STLS, IMAP STARTTLS) only ciphertext
 * records of the right size, and a lock.
 *
 * Mailroom masks secrets on its bus (MR_EVENT_FLAG_MASKED), so a masked
 * payload is shown as masked with an explanation of what a real observer
 * would decode there.
 *
 * Follows the newest conversation unless one is set; honours a cursor.
 */
GtkWidget  *mr_eavesdropper_view_new              (void);
void        mr_eavesdropper_view_set_model        (MrEavesdropperView *self,
                                                   MrEventModel       *model);
/* 0 follows the newest conversation. */
void        mr_eavesdropper_view_set_conversation (MrEavesdropperView *self,
                                                   guint64             conversation_id);
void        mr_eavesdropper_view_set_cursor       (MrEavesdropperView *self,
                                                   guint64             seq);
guint64     mr_eavesdropper_view_get_shown_conversation (MrEavesdropperView *self);
/* TLS is on (as of the cursor) on the shown conversation. */
gboolean    mr_eavesdropper_view_get_locked       (MrEavesdropperView *self);
/* Lines an observer can read / lines seen only as ciphertext. */
guint       mr_eavesdropper_view_get_n_clear      (MrEavesdropperView *self);
guint       mr_eavesdropper_view_get_n_encrypted  (MrEavesdropperView *self);
/* Everything the view shows, as text (for tests and copy). (transfer full) */
char       *mr_eavesdropper_view_dup_text         (MrEavesdropperView *self);

/* What a passive observer learns from @event, or NULL: "user name alice",
 * "base64 for “Username:”"... (transfer full) */
char       *mr_eavesdropper_explain_leak          (const MrEvent      *event);

G_END_DECLS
