/* mr-mailbox.h
 *
 * Copyright 2026 The Mailroom authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

#include "mr-message.h"

G_BEGIN_DECLS

#define MR_TYPE_MAILBOX (mr_mailbox_get_type ())

G_DECLARE_FINAL_TYPE (MrMailbox, mr_mailbox, MR, MAILBOX, GObject)

/*
 * A folder: a GListModel of MrMessage in ascending UID order. Every change
 * goes through the mailbox so that it can persist it (through the store's
 * backend) before anyone is told, and then notify: items-changed for new and
 * expunged messages, ::flags-changed for flags. IMAP sessions and the GUI
 * follow these.
 */

/* Appends a message, assigns the next UID, persists it (fsync with Maildir)
 * and only then announces it. Returns the message (transfer none), or NULL
 * with @error when persisting failed: then nothing was added. */
MrMessage      *mr_mailbox_append          (MrMailbox       *self,
                                            GBytes          *raw,
                                            MrMessageFlags   flags,
                                            const char * const *keywords,
                                            gint64           internal_date,
                                            GError         **error);
/* Adds a message that already has its UID (loading from disk). */
void            mr_mailbox_add_loaded      (MrMailbox       *self,
                                            MrMessage       *message);
gboolean        mr_mailbox_set_flags       (MrMailbox       *self,
                                            MrMessage       *message,
                                            MrMessageFlags   flags,
                                            const char * const *keywords,
                                            GError         **error);
/* Removes one message for good. */
gboolean        mr_mailbox_expunge         (MrMailbox       *self,
                                            MrMessage       *message,
                                            GError         **error);

const char     *mr_mailbox_get_name        (MrMailbox       *self);
/* RFC 6154 attribute ("\\Sent") or NULL. */
const char     *mr_mailbox_get_special_use (MrMailbox       *self);
void            mr_mailbox_set_special_use (MrMailbox       *self,
                                            const char      *special_use);
MrAccount      *mr_mailbox_get_account     (MrMailbox       *self);
guint32         mr_mailbox_get_uidvalidity (MrMailbox       *self);
guint32         mr_mailbox_get_uidnext     (MrMailbox       *self);
/* For loading: restore persisted UID state. */
void            mr_mailbox_set_uid_state   (MrMailbox       *self,
                                            guint32          uidvalidity,
                                            guint32          uidnext);
gboolean        mr_mailbox_get_subscribed  (MrMailbox       *self);
void            mr_mailbox_set_subscribed  (MrMailbox       *self,
                                            gboolean         subscribed);
guint           mr_mailbox_get_n_messages  (MrMailbox       *self);
/* (transfer none) */
MrMessage      *mr_mailbox_get_message     (MrMailbox       *self,
                                            guint            index);
/* (transfer none) NULL if no message has @uid. */
MrMessage      *mr_mailbox_lookup_uid      (MrMailbox       *self,
                                            guint32          uid);
/* Position of @message, or -1. */
gint            mr_mailbox_index_of        (MrMailbox       *self,
                                            MrMessage       *message);
guint           mr_mailbox_count_unseen    (MrMailbox       *self);
gsize           mr_mailbox_get_total_size  (MrMailbox       *self);

/* For MrAccount */
MrMailbox      *_mr_mailbox_new            (MrAccount       *account,
                                            const char      *name);
void            _mr_mailbox_set_name       (MrMailbox       *self,
                                            const char      *name);

G_END_DECLS
