/* mr-store.h
 *
 * Copyright 2026 The Mailroom authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

#include "mr-account.h"
#include "mr-store-backend.h"

G_BEGIN_DECLS

#define MR_TYPE_STORE (mr_store_get_type ())

G_DECLARE_FINAL_TYPE (MrStore, mr_store, MR, STORE, GObject)

/*
 * Every mailbox of the lab: accounts (logins by full address), their
 * folders and messages, the local domains and mailing lists. In memory,
 * optionally persisted through an MrStoreBackend. Lives on the engine thread.
 */

MrStore        *mr_store_new               (void);
MrStoreBackend *mr_store_get_backend       (MrStore     *self);
void            mr_store_set_backend       (MrStore     *self,
                                            MrStoreBackend *backend);
/* Creates the account with INBOX, Sent, Drafts, Trash and Junk if it does not
 * exist yet. (transfer none) */
MrAccount      *mr_store_add_account       (MrStore     *self,
                                            const char  *address,
                                            const char  *password);
gboolean        mr_store_remove_account    (MrStore     *self,
                                            const char  *address);
/* Case-insensitive in the domain, exact in the local part (RFC 5321 2.4),
 * except that the lab folds ASCII case in the local part too, as most real
 * servers do. (transfer none) */
MrAccount      *mr_store_lookup_account    (MrStore     *self,
                                            const char  *address);
/* Returns the account when @password matches. (transfer none) */
MrAccount      *mr_store_authenticate      (MrStore     *self,
                                            const char  *address,
                                            const char  *password);
/* A GListModel of MrAccount. (transfer none) */
GListModel     *mr_store_get_accounts      (MrStore     *self);

void            mr_store_add_domain        (MrStore     *self,
                                            const char  *domain);
gboolean        mr_store_is_local_domain   (MrStore     *self,
                                            const char  *domain);
/* (transfer none) NULL-terminated */
const char * const *mr_store_get_domains   (MrStore     *self);

/* A mailing list for EXPN (RFC 5321 3.5). */
void            mr_store_add_list          (MrStore     *self,
                                            const char  *address,
                                            const char * const *members);
/* (transfer none) the members, or NULL if @address is not a list. */
const char * const *mr_store_lookup_list   (MrStore     *self,
                                            const char  *address);
/* (transfer none) NULL-terminated list addresses */
GStrv           mr_store_dup_lists         (MrStore     *self);

/* The domain part of an address, or NULL. */
const char     *mr_address_get_domain      (const char  *address);

G_END_DECLS
