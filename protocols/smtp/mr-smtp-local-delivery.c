/* mr-smtp-local-delivery.c
 *
 * Copyright 2026 The Mailroom authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "mr-smtp-local-delivery"

#include "config.h"

#include <string.h>

#include "mr-clock.h"
#include "mr-smtp-local-delivery.h"

/* Lists may contain lists; stop expanding at this depth (loops). */
#define MAX_LIST_DEPTH 8

struct _MrSmtpLocalDelivery
{
  GObject  parent_instance;

  /* Owned */
  MrStore *store;
  MrClock *clock;
};

static void smtp_backend_iface_init (MrSmtpBackendInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (MrSmtpLocalDelivery, mr_smtp_local_delivery, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (MR_TYPE_SMTP_BACKEND, smtp_backend_iface_init))

/* "<bob@x>" or "bob@x" -> "bob@x" */
static char *
strip_brackets (const char *argument)
{
  gsize len = strlen (argument);

  if (len >= 2 && argument[0] == '<' && argument[len - 1] == '>')
    return g_strndup (argument + 1, len - 2);
  return g_strdup (argument);
}

/* Appends the accounts @address reaches to @ordered, once each (@seen is
 * the set of them). Returns FALSE if @address is neither an account nor a
 * list. */
static gboolean
expand (MrSmtpLocalDelivery *self,
        const char          *address,
        GHashTable          *seen,
        GPtrArray           *ordered,
        guint                depth)
{
  const char * const *members;
  MrAccount *account;

  if ((account = mr_store_lookup_account (self->store, address)) != NULL)
    {
      if (g_hash_table_add (seen, account))
        g_ptr_array_add (ordered, account);
      return TRUE;
    }

  if ((members = mr_store_lookup_list (self->store, address)) != NULL)
    {
      if (depth < MAX_LIST_DEPTH)
        for (guint i = 0; members[i]; i++)
          expand (self, members[i], seen, ordered, depth + 1);
      return TRUE;
    }

  return FALSE;
}

static gboolean
is_known (MrSmtpLocalDelivery *self,
          const char          *address)
{
  return mr_store_lookup_account (self->store, address) != NULL ||
         mr_store_lookup_list (self->store, address) != NULL;
}

static MrReplyId
local_check_recipient (MrSmtpBackend          *backend,
                       MrSmtpEnvelope         *envelope,
                       const MrSmtpRecipient  *rcpt,
                       char                  **text_r)
{
  MrSmtpLocalDelivery *self = (MrSmtpLocalDelivery *)backend;
  const char *domain = mr_address_get_domain (rcpt->address);

  /* "<postmaster>" alone means this host's postmaster (RFC 5321 4.1.1.3) */
  if (domain == NULL)
    return is_known (self, rcpt->address) ? MR_REPLY_RECIPIENT_OK : MR_REPLY_UNKNOWN_USER;

  if (mr_store_is_local_domain (self->store, domain))
    return is_known (self, rcpt->address) ? MR_REPLY_RECIPIENT_OK : MR_REPLY_UNKNOWN_USER;

  /* RFC 5321 3.6.2, 7.1: no open relay; authenticated users may send out. */
  if (envelope->auth_user != NULL)
    return MR_REPLY_RECIPIENT_OK;
  return MR_REPLY_RELAY_DENIED;
}

static MrReplyId
local_authenticate (MrSmtpBackend   *backend,
                    MrConversation  *conversation,
                    const char      *authzid,
                    const char      *authcid,
                    const char      *password,
                    char           **text_r)
{
  MrSmtpLocalDelivery *self = (MrSmtpLocalDelivery *)backend;

  /* RFC 4616 2: acting as someone else is not allowed here. */
  if (authzid != NULL && *authzid != '\0' && g_ascii_strcasecmp (authzid, authcid) != 0)
    return MR_REPLY_AUTH_FAILED;

  if (mr_store_authenticate (self->store, authcid, password) == NULL)
    return MR_REPLY_AUTH_FAILED;
  return MR_REPLY_AUTH_OK;
}

static MrReplyId
local_deliver (MrSmtpBackend   *backend,
               MrSmtpEnvelope  *envelope,
               GBytes          *message,
               char           **queue_id_r,
               char           **text_r)
{
  MrSmtpLocalDelivery *self = (MrSmtpLocalDelivery *)backend;
  g_autoptr(GHashTable) accounts = g_hash_table_new (NULL, NULL);
  g_autoptr(GPtrArray) ordered = g_ptr_array_new ();
  g_autoptr(GByteArray) raw = NULL;
  g_autoptr(GBytes) bytes = NULL;
  g_autofree char *return_path = NULL;
  gint64 now;

  for (guint i = 0; i < envelope->recipients->len; i++)
    {
      const MrSmtpRecipient *rcpt = g_ptr_array_index (envelope->recipients, i);

      /* Non-local recipients of authenticated users have nowhere to go
       * until the relay exists. */
      if (!expand (self, rcpt->address, accounts, ordered, 0))
        g_debug ("No local mailbox for <%s>, not delivered (no relay yet)", rcpt->address);
    }

  /* RFC 5321 4.4: final delivery records the reverse-path. */
  return_path = g_strdup_printf ("Return-Path: <%s>\r\n", envelope->sender);
  raw = g_byte_array_sized_new (strlen (return_path) + g_bytes_get_size (message));
  g_byte_array_append (raw, (const guint8 *)return_path, strlen (return_path));
  g_byte_array_append (raw, g_bytes_get_data (message, NULL), g_bytes_get_size (message));
  bytes = g_byte_array_free_to_bytes (g_steal_pointer (&raw));

  now = self->clock ? mr_clock_now (self->clock) : g_get_real_time ();

  for (guint i = 0; i < ordered->len; i++)
    {
      MrAccount *account = g_ptr_array_index (ordered, i);
      MrMailbox *inbox = mr_account_get_inbox (account);
      g_autoptr(GError) error = NULL;

      if (inbox == NULL ||
          mr_mailbox_append (inbox, bytes, MR_FLAG_RECENT, NULL, now, &error) == NULL)
        {
          g_warning ("Delivery to %s failed: %s", mr_account_get_address (account),
                     error ? error->message : "no INBOX");
          return MR_REPLY_LOCAL_ERROR;
        }
    }

  return MR_REPLY_QUEUED;
}

static MrReplyId
local_vrfy (MrSmtpBackend  *backend,
            const char     *argument,
            char          **text_r)
{
  MrSmtpLocalDelivery *self = (MrSmtpLocalDelivery *)backend;
  g_autofree char *address = strip_brackets (argument);
  MrAccount *account = mr_store_lookup_account (self->store, address);

  /* A bare user name: try it in each local domain. */
  if (account == NULL && strchr (address, '@') == NULL)
    {
      const char * const *domains = mr_store_get_domains (self->store);

      for (guint i = 0; account == NULL && domains && domains[i]; i++)
        {
          g_autofree char *full = g_strdup_printf ("%s@%s", address, domains[i]);
          account = mr_store_lookup_account (self->store, full);
        }
    }

  if (account == NULL)
    return MR_REPLY_UNKNOWN_USER;

  if (mr_account_get_display_name (account) != NULL && *mr_account_get_display_name (account))
    *text_r = g_strdup_printf ("%s <%s>", mr_account_get_display_name (account),
                               mr_account_get_address (account));
  else
    *text_r = g_strdup_printf ("<%s>", mr_account_get_address (account));
  return MR_REPLY_VRFY_OK;
}

static MrReplyId
local_expn (MrSmtpBackend  *backend,
            const char     *argument,
            GStrv          *lines_r,
            char          **text_r)
{
  MrSmtpLocalDelivery *self = (MrSmtpLocalDelivery *)backend;
  g_autofree char *address = strip_brackets (argument);
  const char * const *members = mr_store_lookup_list (self->store, address);
  g_autoptr(GStrvBuilder) builder = NULL;

  if (members == NULL)
    return MR_REPLY_NO_SUCH_LIST;

  /* RFC 5321 3.5.2: one member per line, as a mailbox */
  builder = g_strv_builder_new ();
  for (guint i = 0; members[i]; i++)
    {
      g_autofree char *line = g_strdup_printf ("<%s>", members[i]);
      g_strv_builder_add (builder, line);
    }
  *lines_r = g_strv_builder_end (builder);
  return MR_REPLY_EXPN_OK;
}

static void
smtp_backend_iface_init (MrSmtpBackendInterface *iface)
{
  iface->check_recipient = local_check_recipient;
  iface->authenticate = local_authenticate;
  iface->deliver = local_deliver;
  iface->vrfy = local_vrfy;
  iface->expn = local_expn;
}

static void
mr_smtp_local_delivery_dispose (GObject *object)
{
  MrSmtpLocalDelivery *self = (MrSmtpLocalDelivery *)object;

  g_clear_object (&self->store);
  g_clear_object (&self->clock);

  G_OBJECT_CLASS (mr_smtp_local_delivery_parent_class)->dispose (object);
}

static void
mr_smtp_local_delivery_class_init (MrSmtpLocalDeliveryClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = mr_smtp_local_delivery_dispose;
}

static void
mr_smtp_local_delivery_init (MrSmtpLocalDelivery *self)
{
}

MrSmtpLocalDelivery *
mr_smtp_local_delivery_new (MrStore *store,
                            MrClock *clock)
{
  MrSmtpLocalDelivery *self;

  g_return_val_if_fail (MR_IS_STORE (store), NULL);
  g_return_val_if_fail (clock == NULL || MR_IS_CLOCK (clock), NULL);

  self = g_object_new (MR_TYPE_SMTP_LOCAL_DELIVERY, NULL);
  self->store = g_object_ref (store);
  self->clock = clock ? g_object_ref (clock) : NULL;
  return self;
}

MrStore *
mr_smtp_local_delivery_get_store (MrSmtpLocalDelivery *self)
{
  g_return_val_if_fail (MR_IS_SMTP_LOCAL_DELIVERY (self), NULL);
  return self->store;
}
