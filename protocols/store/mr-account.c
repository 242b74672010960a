/* mr-account.c
 *
 * Copyright 2026 The Mailroom authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "mr-account"

#include "config.h"

#include <string.h>

#include "mr-account.h"
#include "mr-error.h"
#include "mr-store.h"

struct _MrAccount
{
  GObject     parent_instance;

  /* Borrowed: the store owns its accounts */
  MrStore    *store;
  gpointer    lock_owner;

  /* Owned */
  char       *address;
  char       *password;
  char       *display_name;
  GListStore *mailboxes;
};

G_DEFINE_FINAL_TYPE (MrAccount, mr_account, G_TYPE_OBJECT)

static void
mr_account_finalize (GObject *object)
{
  MrAccount *self = (MrAccount *)object;

  g_clear_pointer (&self->address, g_free);
  g_clear_pointer (&self->password, g_free);
  g_clear_pointer (&self->display_name, g_free);
  g_clear_object (&self->mailboxes);

  G_OBJECT_CLASS (mr_account_parent_class)->finalize (object);
}

static void
mr_account_class_init (MrAccountClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = mr_account_finalize;
}

static void
mr_account_init (MrAccount *self)
{
  self->mailboxes = g_list_store_new (MR_TYPE_MAILBOX);
}

static gint
compare_mailboxes (gconstpointer a,
                   gconstpointer b,
                   gpointer      user_data)
{
  const char *name_a = mr_mailbox_get_name ((MrMailbox *)a);
  const char *name_b = mr_mailbox_get_name ((MrMailbox *)b);
  gboolean inbox_a = g_ascii_strcasecmp (name_a, "INBOX") == 0;
  gboolean inbox_b = g_ascii_strcasecmp (name_b, "INBOX") == 0;

  if (inbox_a != inbox_b)
    return inbox_a ? -1 : 1;
  return strcmp (name_a, name_b);
}

MrAccount *
_mr_account_new (MrStore    *store,
                 const char *address,
                 const char *password)
{
  static const struct { const char *name; const char *special_use; } defaults[] = {
    { "INBOX", NULL },
    { "Drafts", "\\Drafts" },
    { "Sent", "\\Sent" },
    { "Trash", "\\Trash" },
    { "Junk", "\\Junk" },
  };
  MrAccount *self = g_object_new (MR_TYPE_ACCOUNT, NULL);

  self->store = store;
  self->address = g_strdup (address);
  self->password = g_strdup (password);

  for (guint i = 0; i < G_N_ELEMENTS (defaults); i++)
    {
      g_autoptr(MrMailbox) mailbox = _mr_mailbox_new (self, defaults[i].name);

      mr_mailbox_set_special_use (mailbox, defaults[i].special_use);
      g_list_store_insert_sorted (self->mailboxes, mailbox, compare_mailboxes, NULL);
    }

  return self;
}

const char *
mr_account_get_address (MrAccount *self)
{
  g_return_val_if_fail (MR_IS_ACCOUNT (self), NULL);
  return self->address;
}

const char *
mr_account_get_password (MrAccount *self)
{
  g_return_val_if_fail (MR_IS_ACCOUNT (self), NULL);
  return self->password;
}

void
mr_account_set_password (MrAccount  *self,
                         const char *password)
{
  g_return_if_fail (MR_IS_ACCOUNT (self));
  g_free (self->password);
  self->password = g_strdup (password);
}

const char *
mr_account_get_display_name (MrAccount *self)
{
  g_return_val_if_fail (MR_IS_ACCOUNT (self), NULL);
  return self->display_name;
}

void
mr_account_set_display_name (MrAccount  *self,
                             const char *display_name)
{
  g_return_if_fail (MR_IS_ACCOUNT (self));
  g_free (self->display_name);
  self->display_name = g_strdup (display_name);
}

gboolean
mr_account_check_password (MrAccount  *self,
                           const char *password)
{
  gsize len_a;
  gsize len_b;
  guint8 diff = 0;

  g_return_val_if_fail (MR_IS_ACCOUNT (self), FALSE);

  if (password == NULL || self->password == NULL)
    return FALSE;

  len_a = strlen (self->password);
  len_b = strlen (password);
  for (gsize i = 0; i < len_b; i++)
    diff |= (guint8)(password[i] ^ self->password[len_a ? i % len_a : 0]);
  return diff == 0 && len_a == len_b;
}

MrStore *
mr_account_get_store (MrAccount *self)
{
  g_return_val_if_fail (MR_IS_ACCOUNT (self), NULL);
  return self->store;
}

GListModel *
mr_account_get_mailboxes (MrAccount *self)
{
  g_return_val_if_fail (MR_IS_ACCOUNT (self), NULL);
  return G_LIST_MODEL (self->mailboxes);
}

MrMailbox *
mr_account_get_inbox (MrAccount *self)
{
  return mr_account_lookup_mailbox (self, "INBOX");
}

MrMailbox *
mr_account_lookup_mailbox (MrAccount  *self,
                           const char *name)
{
  guint n;
  gboolean inbox;

  g_return_val_if_fail (MR_IS_ACCOUNT (self), NULL);
  g_return_val_if_fail (name != NULL, NULL);

  inbox = g_ascii_strcasecmp (name, "INBOX") == 0;
  n = g_list_model_get_n_items (G_LIST_MODEL (self->mailboxes));
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(MrMailbox) mailbox = g_list_model_get_item (G_LIST_MODEL (self->mailboxes), i);
      const char *mailbox_name = mr_mailbox_get_name (mailbox);

      if (inbox ? g_ascii_strcasecmp (mailbox_name, "INBOX") == 0 : strcmp (mailbox_name, name) == 0)
        return mailbox;
    }
  return NULL;
}

static gboolean
validate_name (const char  *name,
               GError     **error)
{
  if (name == NULL || name[0] == '\0' || name[0] == MR_MAILBOX_DELIMITER ||
      g_str_has_suffix (name, "/") || strstr (name, "//") != NULL ||
      strchr (name, '%') != NULL || strchr (name, '*') != NULL ||
      g_str_has_prefix (name, ".") || strstr (name, "/.") != NULL ||
      !g_utf8_validate (name, -1, NULL))
    {
      g_set_error (error, MR_ERROR, MR_ERROR_BAD_SYNTAX, "Invalid mailbox name");
      return FALSE;
    }
  return TRUE;
}

MrMailbox *
mr_account_create_mailbox (MrAccount   *self,
                           const char  *name,
                           const char  *special_use,
                           GError     **error)
{
  g_autoptr(MrMailbox) mailbox = NULL;

  g_return_val_if_fail (MR_IS_ACCOUNT (self), NULL);

  if (!validate_name (name, error))
    return NULL;

  if (mr_account_lookup_mailbox (self, name) != NULL)
    {
      g_set_error (error, MR_ERROR, MR_ERROR_EXISTS, "Mailbox already exists");
      return NULL;
    }

  mailbox = _mr_mailbox_new (self, name);
  mr_mailbox_set_special_use (mailbox, special_use);
  if (!mr_store_backend_create_mailbox (mr_store_get_backend (self->store), mailbox, error))
    return NULL;

  g_list_store_insert_sorted (self->mailboxes, mailbox, compare_mailboxes, NULL);
  return mailbox;
}

gboolean
mr_account_delete_mailbox (MrAccount  *self,
                           MrMailbox  *mailbox,
                           GError    **error)
{
  guint position;

  g_return_val_if_fail (MR_IS_ACCOUNT (self), FALSE);

  if (!g_list_store_find (self->mailboxes, mailbox, &position))
    {
      g_set_error (error, MR_ERROR, MR_ERROR_NOT_FOUND, "No such mailbox");
      return FALSE;
    }

  if (g_ascii_strcasecmp (mr_mailbox_get_name (mailbox), "INBOX") == 0)
    {
      g_set_error (error, MR_ERROR, MR_ERROR_FAILED, "INBOX cannot be deleted");
      return FALSE;
    }

  if (!mr_store_backend_delete_mailbox (mr_store_get_backend (self->store), mailbox, error))
    return FALSE;

  g_list_store_remove (self->mailboxes, position);
  return TRUE;
}

gboolean
mr_account_rename_mailbox (MrAccount   *self,
                           MrMailbox   *mailbox,
                           const char  *new_name,
                           GError     **error)
{
  g_autoptr(MrMailbox) hold = NULL;
  guint position;

  g_return_val_if_fail (MR_IS_ACCOUNT (self), FALSE);

  if (!validate_name (new_name, error))
    return FALSE;

  if (mr_account_lookup_mailbox (self, new_name) != NULL)
    {
      g_set_error (error, MR_ERROR, MR_ERROR_EXISTS, "Mailbox already exists");
      return FALSE;
    }

  if (!g_list_store_find (self->mailboxes, mailbox, &position))
    {
      g_set_error (error, MR_ERROR, MR_ERROR_NOT_FOUND, "No such mailbox");
      return FALSE;
    }

  if (!mr_store_backend_rename_mailbox (mr_store_get_backend (self->store), mailbox, new_name, error))
    return FALSE;

  hold = g_object_ref (mailbox);
  g_list_store_remove (self->mailboxes, position);
  _mr_mailbox_set_name (mailbox, new_name);
  g_list_store_insert_sorted (self->mailboxes, mailbox, compare_mailboxes, NULL);
  return TRUE;
}

gboolean
mr_account_try_lock (MrAccount *self,
                     gpointer   owner)
{
  g_return_val_if_fail (MR_IS_ACCOUNT (self), FALSE);
  g_return_val_if_fail (owner != NULL, FALSE);

  if (self->lock_owner != NULL && self->lock_owner != owner)
    return FALSE;
  self->lock_owner = owner;
  return TRUE;
}

void
mr_account_unlock (MrAccount *self,
                   gpointer   owner)
{
  g_return_if_fail (MR_IS_ACCOUNT (self));

  if (self->lock_owner == owner)
    self->lock_owner = NULL;
}

gboolean
mr_account_is_locked (MrAccount *self)
{
  g_return_val_if_fail (MR_IS_ACCOUNT (self), FALSE);
  return self->lock_owner != NULL;
}
