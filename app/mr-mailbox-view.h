/* mr-mailbox-view.h
 *
 * Copyright 2026 The Mailroom authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gtk/gtk.h>

#include "mr-app-types.h"

G_BEGIN_DECLS

#define MR_TYPE_MAILBOX_VIEW (mr_mailbox_view_get_type ())

G_DECLARE_FINAL_TYPE (MrMailboxView, mr_mailbox_view, MR, MAILBOX_VIEW, GtkWidget)

/*
 * Accounts and their folders, the messages of a folder with their flags,
 * and a message's raw source (headers, Received: trace). Filled from a
 * snapshot the engine thread makes; refreshed when mail moves.
 */
GtkWidget  *mr_mailbox_view_new            (void);
void        mr_mailbox_view_set_engine     (MrMailboxView  *self,
                                            MrEngineThread *engine);
/* Asks the engine for a fresh snapshot (coalesced while one is pending). */
void        mr_mailbox_view_refresh        (MrMailboxView  *self);
/* How many snapshots were shown so far. */
guint       mr_mailbox_view_get_generation (MrMailboxView  *self);
/* Messages in @folder of @account in the snapshot shown, -1 if unknown. */
int         mr_mailbox_view_count_messages (MrMailboxView  *self,
                                            const char     *account,
                                            const char     *folder);
/* Shows @folder of @account; returns FALSE if it does not exist. */
gboolean    mr_mailbox_view_select_folder  (MrMailboxView  *self,
                                            const char     *account,
                                            const char     *folder);
/* Shows message @index of the selected folder's list. */
void        mr_mailbox_view_select_message (MrMailboxView  *self,
                                            guint           index);
/* The raw source shown. (transfer full) */
char       *mr_mailbox_view_dup_source     (MrMailboxView  *self);
/* The subject of message @index in the shown folder, or NULL. */
const char *mr_mailbox_view_get_subject    (MrMailboxView  *self,
                                            guint           index);

G_END_DECLS
