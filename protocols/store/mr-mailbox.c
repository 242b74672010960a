/* mr-mailbox.c
 *
 * Copyright 2026 The Mailroom authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "mr-mailbox"

#include "config.h"

#include "mr-account.h"
#include "mr-error.h"
#include "mr-mailbox.h"
#include "mr-store.h"

struct _MrMailbox
{
  GObject     parent_instance;

  /* Borrowed: the account owns its mailboxes */
  MrAccount  *account;

  /* Owned */
  GPtrArray  *messages;     /* MrMessage, ascending UID */
  char       *name;
  char       *special_use;
  guint32     uidvalidity;
  guint32     uidnext;
  gsize       total_size;
  guint       subscribed : 1;
};

static void list_model_iface_init (GListModelInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (MrMailbox, mr_mailbox, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (G_TYPE_LIST_MODEL, list_model_iface_init))

enum {
  FLAGS_CHANGED,
  N_SIGNALS
};

static guint signals [N_SIGNALS];

static GType
mr_mailbox_get_item_type (GListModel *model)
{
  return MR_TYPE_MESSAGE;
}

static guint
mr_mailbox_get_n_items (GListModel *model)
{
  return MR_MAILBOX (model)->messages->len;
}

static gpointer
mr_mailbox_get_item (GListModel *model,
                     guint       position)
{
  MrMailbox *self = MR_MAILBOX (model);

  if (position >= self->messages->len)
    return NULL;
  return g_object_ref (g_ptr_array_index (self->messages, position));
}

static void
list_model_iface_init (GListModelInterface *iface)
{
  iface->get_item_type = mr_mailbox_get_item_type;
  iface->get_n_items = mr_mailbox_get_n_items;
  iface->get_item = mr_mailbox_get_item;
}

static void
mr_mailbox_finalize (GObject *object)
{
  MrMailbox *self = (MrMailbox *)object;

  g_clear_pointer (&self->messages, g_ptr_array_unref);
  g_clear_pointer (&self->name, g_free);
  g_clear_pointer (&self->special_use, g_free);

  G_OBJECT_CLASS (mr_mailbox_parent_class)->finalize (object);
}

static void
mr_mailbox_class_init (MrMailboxClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = mr_mailbox_finalize;

  /**
   * MrMailbox::flags-changed:
   * @self: the mailbox
   * @message: the message whose flags or keywords changed
   *
   * Emitted after the change was persisted.
   */
  signals [FLAGS_CHANGED] =
    g_signal_new ("flags-changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 1, MR_TYPE_MESSAGE);
}

static void
mr_mailbox_init (MrMailbox *self)
{
  self->messages = g_ptr_array_new_with_free_func (g_object_unref);
  self->uidnext = 1;
  self->subscribed = TRUE;
}

MrMailbox *
_mr_mailbox_new (MrAccount  *account,
                 const char *name)
{
  MrMailbox *self = g_object_new (MR_TYPE_MAILBOX, NULL);

  self->account = account;
  self->name = g_strdup (name);
  /* RFC 3501 2.3.1.1: UIDVALIDITY must change if UIDs are reused; a creation
   * time in seconds is the usual choice and never repeats for one name. */
  self->uidvalidity = (guint32)(g_get_real_time () / G_USEC_PER_SEC);
  return self;
}

void
_mr_mailbox_set_name (MrMailbox  *self,
                      const char *name)
{
  g_free (self->name);
  self->name = g_strdup (name);
}

static MrStoreBackend *
get_backend (MrMailbox *self)
{
  MrStore *store = self->account ? mr_account_get_store (self->account) : NULL;

  return store ? mr_store_get_backend (store) : NULL;
}

MrMessage *
mr_mailbox_append (MrMailbox           *self,
                   GBytes              *raw,
                   MrMessageFlags       flags,
                   const char * const  *keywords,
                   gint64               internal_date,
                   GError             **error)
{
  g_autoptr(MrMessage) message = NULL;

  g_return_val_if_fail (MR_IS_MAILBOX (self), NULL);
  g_return_val_if_fail (raw != NULL, NULL);

  message = mr_message_new (raw, internal_date);
  _mr_message_set_uid (message, self->uidnext);
  _mr_message_set_flags (message, flags);
  _mr_message_set_keywords (message, keywords);

  if (!mr_store_backend_append_message (get_backend (self), self, message, error))
    return NULL;

  self->uidnext++;
  mr_mailbox_add_loaded (self, message);
  return message;
}

void
mr_mailbox_add_loaded (MrMailbox *self,
                       MrMessage *message)
{
  guint position = self->messages->len;

  g_return_if_fail (MR_IS_MAILBOX (self));
  g_return_if_fail (MR_IS_MESSAGE (message));

  /* Keep ascending UID order even if a loader hands them over unsorted. */
  while (position > 0 &&
         mr_message_get_uid (g_ptr_array_index (self->messages, position - 1)) > mr_message_get_uid (message))
    position--;

  g_ptr_array_insert (self->messages, position, g_object_ref (message));
  self->total_size += mr_message_get_size (message);
  if (mr_message_get_uid (message) >= self->uidnext)
    self->uidnext = mr_message_get_uid (message) + 1;
  g_list_model_items_changed (G_LIST_MODEL (self), position, 0, 1);
}

gboolean
mr_mailbox_set_flags (MrMailbox           *self,
                      MrMessage           *message,
                      MrMessageFlags       flags,
                      const char * const  *keywords,
                      GError             **error)
{
  g_return_val_if_fail (MR_IS_MAILBOX (self), FALSE);
  g_return_val_if_fail (MR_IS_MESSAGE (message), FALSE);

  if (keywords == NULL)
    keywords = mr_message_get_keywords (message);

  if (flags == mr_message_get_flags (message) &&
      g_strv_equal ((const char * const *)keywords, mr_message_get_keywords (message)))
    return TRUE;

  if (!mr_store_backend_update_flags (get_backend (self), self, message, flags, keywords, error))
    return FALSE;

  _mr_message_set_flags (message, flags);
  if (keywords != mr_message_get_keywords (message))
    {
      g_auto(GStrv) copy = g_strdupv ((char **)keywords);
      _mr_message_set_keywords (message, (const char * const *)copy);
    }
  g_signal_emit (self, signals [FLAGS_CHANGED], 0, message);
  return TRUE;
}

gboolean
mr_mailbox_expunge (MrMailbox  *self,
                    MrMessage  *message,
                    GError    **error)
{
  gint position;

  g_return_val_if_fail (MR_IS_MAILBOX (self), FALSE);
  g_return_val_if_fail (MR_IS_MESSAGE (message), FALSE);

  position = mr_mailbox_index_of (self, message);
  if (position < 0)
    {
      g_set_error (error, MR_ERROR, MR_ERROR_NOT_FOUND, "No such message");
      return FALSE;
    }

  if (!mr_store_backend_expunge_message (get_backend (self), self, message, error))
    return FALSE;

  self->total_size -= mr_message_get_size (message);
  g_ptr_array_remove_index (self->messages, position);
  g_list_model_items_changed (G_LIST_MODEL (self), position, 1, 0);
  return TRUE;
}

const char *
mr_mailbox_get_name (MrMailbox *self)
{
  g_return_val_if_fail (MR_IS_MAILBOX (self), NULL);
  return self->name;
}

const char *
mr_mailbox_get_special_use (MrMailbox *self)
{
  g_return_val_if_fail (MR_IS_MAILBOX (self), NULL);
  return self->special_use;
}

void
mr_mailbox_set_special_use (MrMailbox  *self,
                            const char *special_use)
{
  g_return_if_fail (MR_IS_MAILBOX (self));
  g_free (self->special_use);
  self->special_use = g_strdup (special_use);
}

MrAccount *
mr_mailbox_get_account (MrMailbox *self)
{
  g_return_val_if_fail (MR_IS_MAILBOX (self), NULL);
  return self->account;
}

guint32
mr_mailbox_get_uidvalidity (MrMailbox *self)
{
  g_return_val_if_fail (MR_IS_MAILBOX (self), 0);
  return self->uidvalidity;
}

guint32
mr_mailbox_get_uidnext (MrMailbox *self)
{
  g_return_val_if_fail (MR_IS_MAILBOX (self), 0);
  return self->uidnext;
}

void
mr_mailbox_set_uid_state (MrMailbox *self,
                          guint32    uidvalidity,
                          guint32    uidnext)
{
  g_return_if_fail (MR_IS_MAILBOX (self));

  if (uidvalidity != 0)
    self->uidvalidity = uidvalidity;
  if (uidnext > self->uidnext)
    self->uidnext = uidnext;
}

gboolean
mr_mailbox_get_subscribed (MrMailbox *self)
{
  g_return_val_if_fail (MR_IS_MAILBOX (self), FALSE);
  return self->subscribed;
}

void
mr_mailbox_set_subscribed (MrMailbox *self,
                           gboolean   subscribed)
{
  g_return_if_fail (MR_IS_MAILBOX (self));
  self->subscribed = !!subscribed;
  mr_store_backend_save_mailbox_state (get_backend (self), self, NULL);
}

guint
mr_mailbox_get_n_messages (MrMailbox *self)
{
  g_return_val_if_fail (MR_IS_MAILBOX (self), 0);
  return self->messages->len;
}

MrMessage *
mr_mailbox_get_message (MrMailbox *self,
                        guint      index)
{
  g_return_val_if_fail (MR_IS_MAILBOX (self), NULL);
  g_return_val_if_fail (index < self->messages->len, NULL);
  return g_ptr_array_index (self->messages, index);
}

/* Binary search: messages are in ascending UID order. */
static gint
find_uid (MrMailbox *self,
          guint32    uid)
{
  guint lo = 0;
  guint hi = self->messages->len;

  while (lo < hi)
    {
      guint mid = lo + (hi - lo) / 2;
      guint32 mid_uid = mr_message_get_uid (g_ptr_array_index (self->messages, mid));

      if (mid_uid == uid)
        return (gint)mid;
      if (mid_uid < uid)
        lo = mid + 1;
      else
        hi = mid;
    }
  return -1;
}

MrMessage *
mr_mailbox_lookup_uid (MrMailbox *self,
                       guint32    uid)
{
  gint index;

  g_return_val_if_fail (MR_IS_MAILBOX (self), NULL);

  index = find_uid (self, uid);
  return index < 0 ? NULL : g_ptr_array_index (self->messages, index);
}

gint
mr_mailbox_index_of (MrMailbox *self,
                     MrMessage *message)
{
  gint index;

  g_return_val_if_fail (MR_IS_MAILBOX (self), -1);

  index = find_uid (self, mr_message_get_uid (message));
  if (index < 0 || g_ptr_array_index (self->messages, index) != message)
    return -1;
  return index;
}

guint
mr_mailbox_count_unseen (MrMailbox *self)
{
  guint unseen = 0;

  g_return_val_if_fail (MR_IS_MAILBOX (self), 0);

  for (guint i = 0; i < self->messages->len; i++)
    if (!(mr_message_get_flags (g_ptr_array_index (self->messages, i)) & MR_FLAG_SEEN))
      unseen++;
  return unseen;
}

gsize
mr_mailbox_get_total_size (MrMailbox *self)
{
  g_return_val_if_fail (MR_IS_MAILBOX (self), 0);
  return self->total_size;
}
