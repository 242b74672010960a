/* mr-smtp-backend.c
 *
 * Copyright 2026 The Mailroom authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "mr-smtp-backend"

#include "config.h"

#include "mr-smtp-backend.h"

G_DEFINE_INTERFACE (MrSmtpBackend, mr_smtp_backend, G_TYPE_OBJECT)

static void
mr_smtp_backend_default_init (MrSmtpBackendInterface *iface)
{
}

#define IFACE(self) MR_SMTP_BACKEND_GET_IFACE (self)

MrReplyId
mr_smtp_backend_check_connect (MrSmtpBackend   *self,
                               MrConversation  *conversation,
                               char           **text_r)
{
  g_return_val_if_fail (MR_IS_SMTP_BACKEND (self), MR_REPLY_LOCAL_ERROR);

  if (IFACE (self)->check_connect == NULL)
    return MR_REPLY_SERVICE_READY;
  return IFACE (self)->check_connect (self, conversation, text_r);
}

MrReplyId
mr_smtp_backend_check_helo (MrSmtpBackend   *self,
                            MrConversation  *conversation,
                            const char      *helo,
                            char           **text_r)
{
  g_return_val_if_fail (MR_IS_SMTP_BACKEND (self), MR_REPLY_LOCAL_ERROR);

  if (IFACE (self)->check_helo == NULL)
    return MR_REPLY_HELO_OK;
  return IFACE (self)->check_helo (self, conversation, helo, text_r);
}

MrReplyId
mr_smtp_backend_check_sender (MrSmtpBackend   *self,
                              MrSmtpEnvelope  *envelope,
                              char           **text_r)
{
  g_return_val_if_fail (MR_IS_SMTP_BACKEND (self), MR_REPLY_LOCAL_ERROR);

  if (IFACE (self)->check_sender == NULL)
    return MR_REPLY_SENDER_OK;
  return IFACE (self)->check_sender (self, envelope, text_r);
}

MrReplyId
mr_smtp_backend_check_recipient (MrSmtpBackend          *self,
                                 MrSmtpEnvelope         *envelope,
                                 const MrSmtpRecipient  *rcpt,
                                 char                  **text_r)
{
  g_return_val_if_fail (MR_IS_SMTP_BACKEND (self), MR_REPLY_LOCAL_ERROR);

  if (IFACE (self)->check_recipient == NULL)
    return MR_REPLY_RECIPIENT_OK;
  return IFACE (self)->check_recipient (self, envelope, rcpt, text_r);
}

MrReplyId
mr_smtp_backend_authenticate (MrSmtpBackend   *self,
                              MrConversation  *conversation,
                              const char      *authzid,
                              const char      *authcid,
                              const char      *password,
                              char           **text_r)
{
  g_return_val_if_fail (MR_IS_SMTP_BACKEND (self), MR_REPLY_LOCAL_ERROR);

  /* No authenticate vfunc: nobody can log in. */
  if (IFACE (self)->authenticate == NULL)
    return MR_REPLY_AUTH_FAILED;
  return IFACE (self)->authenticate (self, conversation, authzid, authcid, password, text_r);
}

MrReplyId
mr_smtp_backend_check_data (MrSmtpBackend   *self,
                            MrSmtpEnvelope  *envelope,
                            GBytes          *message,
                            char           **text_r)
{
  g_return_val_if_fail (MR_IS_SMTP_BACKEND (self), MR_REPLY_LOCAL_ERROR);

  if (IFACE (self)->check_data == NULL)
    return MR_REPLY_OK;
  return IFACE (self)->check_data (self, envelope, message, text_r);
}

MrReplyId
mr_smtp_backend_deliver (MrSmtpBackend   *self,
                         MrSmtpEnvelope  *envelope,
                         GBytes          *message,
                         char           **queue_id_r,
                         char           **text_r)
{
  g_return_val_if_fail (MR_IS_SMTP_BACKEND (self), MR_REPLY_LOCAL_ERROR);

  if (IFACE (self)->deliver == NULL)
    return MR_REPLY_QUEUED;
  return IFACE (self)->deliver (self, envelope, message, queue_id_r, text_r);
}

MrReplyId
mr_smtp_backend_vrfy (MrSmtpBackend  *self,
                      const char     *argument,
                      char          **text_r)
{
  g_return_val_if_fail (MR_IS_SMTP_BACKEND (self), MR_REPLY_LOCAL_ERROR);

  if (IFACE (self)->vrfy == NULL)
    return MR_REPLY_CANNOT_VRFY;
  return IFACE (self)->vrfy (self, argument, text_r);
}

MrReplyId
mr_smtp_backend_expn (MrSmtpBackend  *self,
                      const char     *argument,
                      GStrv          *lines_r,
                      char          **text_r)
{
  g_return_val_if_fail (MR_IS_SMTP_BACKEND (self), MR_REPLY_LOCAL_ERROR);

  if (IFACE (self)->expn == NULL)
    return MR_REPLY_EXPN_DISABLED;
  return IFACE (self)->expn (self, argument, lines_r, text_r);
}
