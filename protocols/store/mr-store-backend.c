/* mr-store-backend.c
 *
 * Copyright 2026 The Mailroom authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "mr-store-backend.h"

G_DEFINE_INTERFACE (MrStoreBackend, mr_store_backend, G_TYPE_OBJECT)

static void
mr_store_backend_default_init (MrStoreBackendInterface *iface)
{
}

/* A NULL backend or a missing vfunc means "nothing to persist". */
#define CALL(vfunc, ...) \
  G_STMT_START { \
    MrStoreBackendInterface *iface; \
    if (self == NULL) \
      return TRUE; \
    iface = MR_STORE_BACKEND_GET_IFACE (self); \
    return iface->vfunc ? iface->vfunc (self, __VA_ARGS__) : TRUE; \
  } G_STMT_END

gboolean
mr_store_backend_append_message (MrStoreBackend *self,
                                 MrMailbox      *mailbox,
                                 MrMessage      *message,
                                 GError        **error)
{
  CALL (append_message, mailbox, message, error);
}

gboolean
mr_store_backend_update_flags (MrStoreBackend     *self,
                               MrMailbox          *mailbox,
                               MrMessage          *message,
                               MrMessageFlags      flags,
                               const char * const *keywords,
                               GError            **error)
{
  CALL (update_flags, mailbox, message, flags, keywords, error);
}

gboolean
mr_store_backend_expunge_message (MrStoreBackend *self,
                                  MrMailbox      *mailbox,
                                  MrMessage      *message,
                                  GError        **error)
{
  CALL (expunge_message, mailbox, message, error);
}

gboolean
mr_store_backend_create_mailbox (MrStoreBackend *self,
                                 MrMailbox      *mailbox,
                                 GError        **error)
{
  CALL (create_mailbox, mailbox, error);
}

gboolean
mr_store_backend_delete_mailbox (MrStoreBackend *self,
                                 MrMailbox      *mailbox,
                                 GError        **error)
{
  CALL (delete_mailbox, mailbox, error);
}

gboolean
mr_store_backend_rename_mailbox (MrStoreBackend *self,
                                 MrMailbox      *mailbox,
                                 const char     *new_name,
                                 GError        **error)
{
  CALL (rename_mailbox, mailbox, new_name, error);
}

gboolean
mr_store_backend_save_mailbox_state (MrStoreBackend *self,
                                     MrMailbox      *mailbox,
                                     GError        **error)
{
  CALL (save_mailbox_state, mailbox, error);
}
