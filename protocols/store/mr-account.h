/* mr-account.h
 *
 * Copyright 2026 The Mailroom authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

#include "mr-mailbox.h"

G_BEGIN_DECLS

#define MR_TYPE_ACCOUNT (mr_account_get_type ())

G_DECLARE_FINAL_TYPE (MrAccount, mr_account, MR, ACCOUNT, GObject)

/* The IMAP hierarchy delimiter (RFC 3501 5.1.1) and Maildir++ mapping. */
#define MR_MAILBOX_DELIMITER '/'

const char *mr_account_get_address     (MrAccount   *self);
const char *mr_account_get_password    (MrAccount   *self);
void        mr_account_set_password    (MrAccount   *self,
                                        const char  *password);
const char *mr_account_get_display_name (MrAccount  *self);
void        mr_account_set_display_name (MrAccount  *self,
                                        const char  *display_name);
/* Constant-time comparison. */
gboolean    mr_account_check_password  (MrAccount   *self,
                                        const char  *password);
MrStore    *mr_account_get_store       (MrAccount   *self);
/* A GListModel of MrMailbox, sorted by name, INBOX first. (transfer none) */
GListModel *mr_account_get_mailboxes   (MrAccount   *self);
MrMailbox  *mr_account_get_inbox       (MrAccount   *self);
/* "INBOX" is case-insensitive (RFC 3501 5.1); other names are exact.
 * (transfer none) NULL if missing. */
MrMailbox  *mr_account_lookup_mailbox  (MrAccount   *self,
                                        const char  *name);
/* (transfer none) */
MrMailbox  *mr_account_create_mailbox  (MrAccount   *self,
                                        const char  *name,
                                        const char  *special_use,
                                        GError     **error);
gboolean    mr_account_delete_mailbox  (MrAccount   *self,
                                        MrMailbox   *mailbox,
                                        GError     **error);
gboolean    mr_account_rename_mailbox  (MrAccount   *self,
                                        MrMailbox   *mailbox,
                                        const char  *new_name,
                                        GError     **error);
/* Exclusive access to the maildrop (RFC 1939 8: POP3 locks it).
 * Returns FALSE if someone else holds it. */
gboolean    mr_account_try_lock        (MrAccount   *self,
                                        gpointer     owner);
void        mr_account_unlock          (MrAccount   *self,
                                        gpointer     owner);
gboolean    mr_account_is_locked       (MrAccount   *self);

/* For MrStore */
MrAccount  *_mr_account_new            (MrStore     *store,
                                        const char  *address,
                                        const char  *password);

G_END_DECLS
