/* mr-store-backend.h
 *
 * Copyright 2026 The Mailroom authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "mr-mailbox.h"

G_BEGIN_DECLS

#define MR_TYPE_STORE_BACKEND (mr_store_backend_get_type ())

G_DECLARE_INTERFACE (MrStoreBackend, mr_store_backend, MR, STORE_BACKEND, GObject)

/*
 * Persistence for the in-memory store (Maildir). Each call happens before
 * the change is announced; when it fails, the change does not happen and
 * the protocol reports a temporary error (SMTP 451 4.3.0), so an
 * acknowledged message is always on disk.
 */
struct _MrStoreBackendInterface
{
  GTypeInterface parent_iface;

  gboolean (*append_message)  (MrStoreBackend *self,
                               MrMailbox      *mailbox,
                               MrMessage      *message,
                               GError        **error);
  gboolean (*update_flags)    (MrStoreBackend *self,
                               MrMailbox      *mailbox,
                               MrMessage      *message,
                               MrMessageFlags  flags,
                               const char * const *keywords,
                               GError        **error);
  gboolean (*expunge_message) (MrStoreBackend *self,
                               MrMailbox      *mailbox,
                               MrMessage      *message,
                               GError        **error);
  gboolean (*create_mailbox)  (MrStoreBackend *self,
                               MrMailbox      *mailbox,
                               GError        **error);
  gboolean (*delete_mailbox)  (MrStoreBackend *self,
                               MrMailbox      *mailbox,
                               GError        **error);
  gboolean (*rename_mailbox)  (MrStoreBackend *self,
                               MrMailbox      *mailbox,
                               const char     *new_name,
                               GError        **error);
  /* UIDNEXT, subscriptions and the like changed. */
  gboolean (*save_mailbox_state) (MrStoreBackend *self,
                                  MrMailbox      *mailbox,
                                  GError        **error);
};

gboolean mr_store_backend_append_message  (MrStoreBackend *self,
                                           MrMailbox      *mailbox,
                                           MrMessage      *message,
                                           GError        **error);
gboolean mr_store_backend_update_flags    (MrStoreBackend *self,
                                           MrMailbox      *mailbox,
                                           MrMessage      *message,
                                           MrMessageFlags  flags,
                                           const char * const *keywords,
                                           GError        **error);
gboolean mr_store_backend_expunge_message (MrStoreBackend *self,
                                           MrMailbox      *mailbox,
                                           MrMessage      *message,
                                           GError        **error);
gboolean mr_store_backend_create_mailbox  (MrStoreBackend *self,
                                           MrMailbox      *mailbox,
                                           GError        **error);
gboolean mr_store_backend_delete_mailbox  (MrStoreBackend *self,
                                           MrMailbox      *mailbox,
                                           GError        **error);
gboolean mr_store_backend_rename_mailbox  (MrStoreBackend *self,
                                           MrMailbox      *mailbox,
                                           const char     *new_name,
                                           GError        **error);
gboolean mr_store_backend_save_mailbox_state (MrStoreBackend *self,
                                              MrMailbox      *mailbox,
                                              GError        **error);

G_END_DECLS
