/* mr-store.c
 *
 * Copyright 2026 The Mailroom authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "mr-store"

#include "config.h"

#include <string.h>

#include "mr-store.h"

struct _MrStore
{
  GObject         parent_instance;

  GListStore     *accounts;
  GHashTable     *accounts_by_address;  /* folded address -> MrAccount (borrowed) */
  GPtrArray      *domains;              /* NULL-terminated */
  GHashTable     *lists;                /* folded address -> GStrv */
  MrStoreBackend *backend;
};

G_DEFINE_FINAL_TYPE (MrStore, mr_store, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_BACKEND,
  N_PROPS
};

static GParamSpec *properties [N_PROPS];

static char *
fold_address (const char *address)
{
  return g_ascii_strdown (address, -1);
}

static void
mr_store_finalize (GObject *object)
{
  MrStore *self = (MrStore *)object;

  g_clear_pointer (&self->accounts_by_address, g_hash_table_unref);
  g_clear_object (&self->accounts);
  g_clear_pointer (&self->domains, g_ptr_array_unref);
  g_clear_pointer (&self->lists, g_hash_table_unref);
  g_clear_object (&self->backend);

  G_OBJECT_CLASS (mr_store_parent_class)->finalize (object);
}

static void
mr_store_get_property (GObject    *object,
                       guint       prop_id,
                       GValue     *value,
                       GParamSpec *pspec)
{
  MrStore *self = MR_STORE (object);

  switch (prop_id)
    {
    case PROP_BACKEND:
      g_value_set_object (value, self->backend);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
mr_store_set_property (GObject      *object,
                       guint         prop_id,
                       const GValue *value,
                       GParamSpec   *pspec)
{
  MrStore *self = MR_STORE (object);

  switch (prop_id)
    {
    case PROP_BACKEND:
      mr_store_set_backend (self, g_value_get_object (value));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
mr_store_class_init (MrStoreClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = mr_store_finalize;
  object_class->get_property = mr_store_get_property;
  object_class->set_property = mr_store_set_property;

  properties [PROP_BACKEND] =
    g_param_spec_object ("backend", NULL, NULL,
                         MR_TYPE_STORE_BACKEND,
                         (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
mr_store_init (MrStore *self)
{
  self->accounts = g_list_store_new (MR_TYPE_ACCOUNT);
  self->accounts_by_address = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  self->domains = g_ptr_array_new_null_terminated (4, g_free, TRUE);
  self->lists = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, (GDestroyNotify)g_strfreev);
}

MrStore *
mr_store_new (void)
{
  return g_object_new (MR_TYPE_STORE, NULL);
}

MrStoreBackend *
mr_store_get_backend (MrStore *self)
{
  g_return_val_if_fail (MR_IS_STORE (self), NULL);
  return self->backend;
}

void
mr_store_set_backend (MrStore        *self,
                      MrStoreBackend *backend)
{
  g_return_if_fail (MR_IS_STORE (self));

  if (g_set_object (&self->backend, backend))
    g_object_notify_by_pspec (G_OBJECT (self), properties [PROP_BACKEND]);
}

MrAccount *
mr_store_add_account (MrStore    *self,
                      const char *address,
                      const char *password)
{
  g_autoptr(MrAccount) account = NULL;
  MrAccount *existing;

  g_return_val_if_fail (MR_IS_STORE (self), NULL);
  g_return_val_if_fail (address != NULL, NULL);

  if ((existing = mr_store_lookup_account (self, address)))
    return existing;

  account = _mr_account_new (self, address, password);
  g_hash_table_insert (self->accounts_by_address, fold_address (address), account);
  g_list_store_append (self->accounts, account);

  if (mr_address_get_domain (address) != NULL)
    mr_store_add_domain (self, mr_address_get_domain (address));

  return account;
}

gboolean
mr_store_remove_account (MrStore    *self,
                         const char *address)
{
  g_autofree char *folded = NULL;
  MrAccount *account;
  guint position;

  g_return_val_if_fail (MR_IS_STORE (self), FALSE);

  folded = fold_address (address);
  account = g_hash_table_lookup (self->accounts_by_address, folded);
  if (account == NULL)
    return FALSE;

  g_hash_table_remove (self->accounts_by_address, folded);
  if (g_list_store_find (self->accounts, account, &position))
    g_list_store_remove (self->accounts, position);
  return TRUE;
}

MrAccount *
mr_store_lookup_account (MrStore    *self,
                         const char *address)
{
  g_autofree char *folded = NULL;

  g_return_val_if_fail (MR_IS_STORE (self), NULL);

  if (address == NULL)
    return NULL;

  folded = fold_address (address);
  return g_hash_table_lookup (self->accounts_by_address, folded);
}

MrAccount *
mr_store_authenticate (MrStore    *self,
                       const char *address,
                       const char *password)
{
  MrAccount *account = mr_store_lookup_account (self, address);

  if (account == NULL || !mr_account_check_password (account, password))
    return NULL;
  return account;
}

GListModel *
mr_store_get_accounts (MrStore *self)
{
  g_return_val_if_fail (MR_IS_STORE (self), NULL);
  return G_LIST_MODEL (self->accounts);
}

void
mr_store_add_domain (MrStore    *self,
                     const char *domain)
{
  g_return_if_fail (MR_IS_STORE (self));
  g_return_if_fail (domain != NULL);

  if (!mr_store_is_local_domain (self, domain))
    g_ptr_array_add (self->domains, g_ascii_strdown (domain, -1));
}

gboolean
mr_store_is_local_domain (MrStore    *self,
                          const char *domain)
{
  g_return_val_if_fail (MR_IS_STORE (self), FALSE);

  for (guint i = 0; domain && i < self->domains->len; i++)
    if (g_ascii_strcasecmp (g_ptr_array_index (self->domains, i), domain) == 0)
      return TRUE;
  return FALSE;
}

const char * const *
mr_store_get_domains (MrStore *self)
{
  g_return_val_if_fail (MR_IS_STORE (self), NULL);
  return (const char * const *)self->domains->pdata;
}

void
mr_store_add_list (MrStore            *self,
                   const char         *address,
                   const char * const *members)
{
  g_return_if_fail (MR_IS_STORE (self));
  g_return_if_fail (address != NULL);

  g_hash_table_insert (self->lists, fold_address (address), g_strdupv ((char **)members));
  if (mr_address_get_domain (address) != NULL)
    mr_store_add_domain (self, mr_address_get_domain (address));
}

const char * const *
mr_store_lookup_list (MrStore    *self,
                      const char *address)
{
  g_autofree char *folded = NULL;

  g_return_val_if_fail (MR_IS_STORE (self), NULL);

  if (address == NULL)
    return NULL;
  folded = fold_address (address);
  return g_hash_table_lookup (self->lists, folded);
}

GStrv
mr_store_dup_lists (MrStore *self)
{
  g_autofree gpointer *keys = NULL;
  guint n;

  keys = g_hash_table_get_keys_as_array (self->lists, &n);
  return g_strdupv ((char **)keys);
}

const char *
mr_address_get_domain (const char *address)
{
  const char *at;

  if (address == NULL || (at = strrchr (address, '@')) == NULL || at[1] == '\0')
    return NULL;
  return at + 1;
}
