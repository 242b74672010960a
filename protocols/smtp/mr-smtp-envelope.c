/* mr-smtp-envelope.c
 *
 * Copyright 2026 The Mailroom authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "mr-smtp-envelope"

#include "config.h"

#include <string.h>

#include "mr-smtp-envelope.h"

G_DEFINE_BOXED_TYPE (MrSmtpEnvelope, mr_smtp_envelope, mr_smtp_envelope_ref, mr_smtp_envelope_unref)

static void
recipient_free (gpointer data)
{
  MrSmtpRecipient *rcpt = data;

  g_free (rcpt->address);
  g_free (rcpt->orcpt_type);
  g_free (rcpt->orcpt);
  g_free (rcpt);
}

MrSmtpEnvelope *
mr_smtp_envelope_new (const char *sender)
{
  MrSmtpEnvelope *self = g_new0 (MrSmtpEnvelope, 1);

  g_atomic_ref_count_init (&self->ref_count);
  self->sender = g_strdup (sender ? sender : "");
  self->recipients = g_ptr_array_new_with_free_func (recipient_free);
  return self;
}

MrSmtpEnvelope *
mr_smtp_envelope_ref (MrSmtpEnvelope *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  g_atomic_ref_count_inc (&self->ref_count);
  return self;
}

void
mr_smtp_envelope_unref (MrSmtpEnvelope *self)
{
  g_return_if_fail (self != NULL);

  if (!g_atomic_ref_count_dec (&self->ref_count))
    return;

  g_free (self->queue_id);
  g_free (self->sender);
  g_ptr_array_unref (self->recipients);
  g_free (self->envid);
  g_free (self->auth);
  g_free (self->helo);
  g_free (self->client);
  g_free (self->auth_user);
  g_free (self);
}

MrSmtpRecipient *
mr_smtp_envelope_add_recipient (MrSmtpEnvelope *self,
                                const char     *address)
{
  MrSmtpRecipient *rcpt;

  g_return_val_if_fail (self != NULL, NULL);
  g_return_val_if_fail (address != NULL, NULL);

  rcpt = g_new0 (MrSmtpRecipient, 1);
  rcpt->address = g_strdup (address);
  g_ptr_array_add (self->recipients, rcpt);
  return rcpt;
}

guint
mr_smtp_envelope_get_n_recipients (MrSmtpEnvelope *self)
{
  g_return_val_if_fail (self != NULL, 0);
  return self->recipients->len;
}

MrSmtpRecipient *
mr_smtp_envelope_get_recipient (MrSmtpEnvelope *self,
                                guint           index)
{
  g_return_val_if_fail (self != NULL, NULL);
  g_return_val_if_fail (index < self->recipients->len, NULL);
  return g_ptr_array_index (self->recipients, index);
}

/* RFC 3461 4.1: NOTIFY="NEVER" / 1#( "SUCCESS" / "FAILURE" / "DELAY" ) */
gboolean
mr_smtp_notify_parse (const char   *value,
                      MrSmtpNotify *notify_r)
{
  g_auto(GStrv) parts = NULL;
  MrSmtpNotify notify = 0;

  if (value == NULL || *value == '\0')
    return FALSE;

  parts = g_strsplit (value, ",", -1);
  for (guint i = 0; parts[i]; i++)
    {
      MrSmtpNotify flag;

      if (g_ascii_strcasecmp (parts[i], "NEVER") == 0)
        flag = MR_SMTP_NOTIFY_NEVER;
      else if (g_ascii_strcasecmp (parts[i], "SUCCESS") == 0)
        flag = MR_SMTP_NOTIFY_SUCCESS;
      else if (g_ascii_strcasecmp (parts[i], "FAILURE") == 0)
        flag = MR_SMTP_NOTIFY_FAILURE;
      else if (g_ascii_strcasecmp (parts[i], "DELAY") == 0)
        flag = MR_SMTP_NOTIFY_DELAY;
      else
        return FALSE;
      if (notify & flag)
        return FALSE;
      notify |= flag;
    }

  if ((notify & MR_SMTP_NOTIFY_NEVER) && notify != MR_SMTP_NOTIFY_NEVER)
    return FALSE;

  *notify_r = notify;
  return TRUE;
}

const char *
mr_smtp_body_to_string (MrSmtpBody body)
{
  switch (body)
    {
    case MR_SMTP_BODY_UNSPECIFIED: return NULL;
    case MR_SMTP_BODY_7BIT: return "7BIT";
    case MR_SMTP_BODY_8BITMIME: return "8BITMIME";
    default: g_assert_not_reached ();
    }
}
