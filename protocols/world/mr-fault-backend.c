/* mr-fault-backend.c
 *
 * Copyright 2026 The Mailroom authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "mr-fault-backend"

#include "config.h"

#include <string.h>

#include "mr-fault-backend.h"

struct _MrFaultBackend
{
  GObject        parent_instance;

  MrSmtpBackend *inner;
  MrFaultSet    *faults;
  char          *host;
  GStrv          domains;
};

static void smtp_backend_iface_init (MrSmtpBackendInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (MrFaultBackend, mr_fault_backend, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (MR_TYPE_SMTP_BACKEND,
                                                      smtp_backend_iface_init))

static const char *
host_of (MrFaultBackend *self,
         MrConversation *conversation)
{
  if (self->host != NULL)
    return self->host;
  return conversation ? conversation->server : NULL;
}

static MrReplyId
check (MrFaultBackend *self,
       MrFaultQuery   *query)
{
  if (self->faults == NULL)
    return MR_N_REPLIES;
  query->protocol = MR_PROTOCOL_SMTP;
  return mr_fault_set_check_smtp (self->faults, query);
}

static void
query_from_envelope (MrFaultBackend *self,
                     MrFaultQuery   *query,
                     MrFaultStage    stage,
                     MrSmtpEnvelope *envelope)
{
  memset (query, 0, sizeof *query);
  query->stage = stage;
  query->host = self->host;
  query->client = envelope->client;
  query->sender = envelope->sender;
  query->encrypted = envelope->encrypted;
  query->authenticated = envelope->auth_user != NULL;
  query->n_recipients = mr_smtp_envelope_get_n_recipients (envelope);
}

static MrReplyId
fault_check_connect (MrSmtpBackend   *backend,
                     MrConversation  *conversation,
                     char           **text_r)
{
  MrFaultBackend *self = MR_FAULT_BACKEND (backend);
  MrFaultQuery query = { MR_FAULT_STAGE_CONNECT };
  MrReplyId reply;

  query.host = host_of (self, conversation);
  query.client = conversation ? conversation->client : NULL;
  query.encrypted = conversation ? conversation->encrypted : FALSE;
  if ((reply = check (self, &query)) != MR_N_REPLIES)
    return reply;

  return mr_smtp_backend_check_connect (self->inner, conversation, text_r);
}

static MrReplyId
fault_check_helo (MrSmtpBackend   *backend,
                  MrConversation  *conversation,
                  const char      *helo,
                  char           **text_r)
{
  MrFaultBackend *self = MR_FAULT_BACKEND (backend);

  return mr_smtp_backend_check_helo (self->inner, conversation, helo, text_r);
}

static MrReplyId
fault_check_sender (MrSmtpBackend   *backend,
                    MrSmtpEnvelope  *envelope,
                    char           **text_r)
{
  MrFaultBackend *self = MR_FAULT_BACKEND (backend);
  MrFaultQuery query;
  MrReplyId reply;

  query_from_envelope (self, &query, MR_FAULT_STAGE_MAIL, envelope);
  query.address = envelope->sender;
  if ((reply = check (self, &query)) != MR_N_REPLIES)
    return reply;

  return mr_smtp_backend_check_sender (self->inner, envelope, text_r);
}

static gboolean
domain_served (MrFaultBackend *self,
               const char     *address)
{
  const char *at = strrchr (address, '@');

  if (self->domains == NULL)
    return TRUE;
  if (at == NULL)
    return FALSE;
  for (guint i = 0; self->domains[i] != NULL; i++)
    if (g_ascii_strcasecmp (self->domains[i], at + 1) == 0)
      return TRUE;

  return FALSE;
}

static MrReplyId
fault_check_recipient (MrSmtpBackend          *backend,
                       MrSmtpEnvelope         *envelope,
                       const MrSmtpRecipient  *rcpt,
                       char                  **text_r)
{
  MrFaultBackend *self = MR_FAULT_BACKEND (backend);
  MrFaultQuery query;
  MrReplyId reply;

  /* An MX is no open relay (RFC 5321 3.6.2, 7.1). */
  if (!domain_served (self, rcpt->address))
    return MR_REPLY_RELAY_DENIED;

  query_from_envelope (self, &query, MR_FAULT_STAGE_RCPT, envelope);
  query.address = rcpt->address;
  if ((reply = check (self, &query)) != MR_N_REPLIES)
    return reply;

  return mr_smtp_backend_check_recipient (self->inner, envelope, rcpt, text_r);
}

static MrReplyId
fault_authenticate (MrSmtpBackend   *backend,
                    MrConversation  *conversation,
                    const char      *authzid,
                    const char      *authcid,
                    const char      *password,
                    char           **text_r)
{
  MrFaultBackend *self = MR_FAULT_BACKEND (backend);
  MrFaultQuery query = { MR_FAULT_STAGE_AUTH };
  MrReplyId reply;

  query.host = host_of (self, conversation);
  query.client = conversation ? conversation->client : NULL;
  query.address = authcid;
  query.encrypted = conversation ? conversation->encrypted : FALSE;
  if ((reply = check (self, &query)) != MR_N_REPLIES)
    return reply;

  return mr_smtp_backend_authenticate (self->inner, conversation, authzid, authcid, password,
                                       text_r);
}

static MrReplyId
fault_check_data (MrSmtpBackend   *backend,
                  MrSmtpEnvelope  *envelope,
                  GBytes          *message,
                  char           **text_r)
{
  MrFaultBackend *self = MR_FAULT_BACKEND (backend);
  guint n = mr_smtp_envelope_get_n_recipients (envelope);

  /* A content fault aimed at one recipient rejects the whole message:
   * after DATA there is one reply for everybody (RFC 5321 4.1.1.4). */
  for (guint i = 0; i < MAX (n, 1); i++)
    {
      MrFaultQuery query;
      MrReplyId reply;

      query_from_envelope (self, &query, MR_FAULT_STAGE_DATA, envelope);
      query.address = n > 0 ? mr_smtp_envelope_get_recipient (envelope, i)->address : NULL;
      query.size = message ? g_bytes_get_size (message) : 0;
      if ((reply = check (self, &query)) != MR_N_REPLIES)
        return reply;
    }

  return mr_smtp_backend_check_data (self->inner, envelope, message, text_r);
}

static MrReplyId
fault_deliver (MrSmtpBackend   *backend,
               MrSmtpEnvelope  *envelope,
               GBytes          *message,
               char           **queue_id_r,
               char           **text_r)
{
  MrFaultBackend *self = MR_FAULT_BACKEND (backend);

  return mr_smtp_backend_deliver (self->inner, envelope, message, queue_id_r, text_r);
}

static MrReplyId
fault_vrfy (MrSmtpBackend  *backend,
            const char     *argument,
            char          **text_r)
{
  MrFaultBackend *self = MR_FAULT_BACKEND (backend);

  return mr_smtp_backend_vrfy (self->inner, argument, text_r);
}

static MrReplyId
fault_expn (MrSmtpBackend  *backend,
            const char     *argument,
            GStrv          *lines_r,
            char          **text_r)
{
  MrFaultBackend *self = MR_FAULT_BACKEND (backend);

  return mr_smtp_backend_expn (self->inner, argument, lines_r, text_r);
}

static void
smtp_backend_iface_init (MrSmtpBackendInterface *iface)
{
  iface->check_connect = fault_check_connect;
  iface->check_helo = fault_check_helo;
  iface->check_sender = fault_check_sender;
  iface->check_recipient = fault_check_recipient;
  iface->authenticate = fault_authenticate;
  iface->check_data = fault_check_data;
  iface->deliver = fault_deliver;
  iface->vrfy = fault_vrfy;
  iface->expn = fault_expn;
}

static void
mr_fault_backend_dispose (GObject *object)
{
  MrFaultBackend *self = (MrFaultBackend *)object;

  g_clear_object (&self->inner);
  g_clear_object (&self->faults);

  G_OBJECT_CLASS (mr_fault_backend_parent_class)->dispose (object);
}

static void
mr_fault_backend_finalize (GObject *object)
{
  MrFaultBackend *self = (MrFaultBackend *)object;

  g_clear_pointer (&self->host, g_free);
  g_clear_pointer (&self->domains, g_strfreev);

  G_OBJECT_CLASS (mr_fault_backend_parent_class)->finalize (object);
}

static void
mr_fault_backend_class_init (MrFaultBackendClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = mr_fault_backend_dispose;
  object_class->finalize = mr_fault_backend_finalize;
}

static void
mr_fault_backend_init (MrFaultBackend *self)
{
}

MrFaultBackend *
mr_fault_backend_new (MrSmtpBackend *inner,
                      MrFaultSet    *faults,
                      const char    *host)
{
  MrFaultBackend *self;

  g_return_val_if_fail (MR_IS_SMTP_BACKEND (inner), NULL);
  g_return_val_if_fail (faults == NULL || MR_IS_FAULT_SET (faults), NULL);

  self = g_object_new (MR_TYPE_FAULT_BACKEND, NULL);
  self->inner = g_object_ref (inner);
  self->faults = faults ? g_object_ref (faults) : NULL;
  self->host = g_strdup (host);

  return self;
}

MrSmtpBackend *
mr_fault_backend_get_inner (MrFaultBackend *self)
{
  g_return_val_if_fail (MR_IS_FAULT_BACKEND (self), NULL);
  return self->inner;
}

void
mr_fault_backend_set_domains (MrFaultBackend     *self,
                              const char * const *domains)
{
  g_return_if_fail (MR_IS_FAULT_BACKEND (self));

  g_clear_pointer (&self->domains, g_strfreev);
  self->domains = g_strdupv ((char **)domains);
}
