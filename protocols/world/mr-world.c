/* mr-world.c
 *
 * Copyright 2026 The Mailroom authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "mr-world"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "mr-auth-backend.h"
#include "mr-error.h"
#include "mr-fault-backend.h"
#include "mr-smtp-local-delivery.h"
#include "mr-smtp-session.h"
#include "mr-world.h"

/* Submission backend: what smtp.sender.example does with mail from its
 * own users (RFC 6409). */

#define MR_TYPE_SUBMISSION_BACKEND (mr_submission_backend_get_type ())
G_DECLARE_FINAL_TYPE (MrSubmissionBackend, mr_submission_backend, MR, SUBMISSION_BACKEND, GObject)

struct _MrSubmissionBackend
{
  GObject        parent_instance;

  /* Borrowed: the world owns both and this backend */
  MrStore       *store;
  MrRelay       *relay;
  MrSmtpBackend *local;
};

static void submission_iface_init (MrSmtpBackendInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (MrSubmissionBackend, mr_submission_backend, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (MR_TYPE_SMTP_BACKEND, submission_iface_init))

static MrReplyId
submission_authenticate (MrSmtpBackend   *backend,
                         MrConversation  *conversation,
                         const char      *authzid,
                         const char      *authcid,
                         const char      *password,
                         char           **text_r)
{
  MrSubmissionBackend *self = MR_SUBMISSION_BACKEND (backend);

  /* RFC 4616 2: an authorization identity other than our own is refused. */
  if (authzid != NULL && *authzid != '\0' && g_ascii_strcasecmp (authzid, authcid) != 0)
    return MR_REPLY_AUTH_FAILED;
  if (self->store == NULL || mr_store_authenticate (self->store, authcid, password) == NULL)
    return MR_REPLY_AUTH_FAILED;

  return MR_REPLY_AUTH_OK;
}

static MrReplyId
submission_check_recipient (MrSmtpBackend          *backend,
                            MrSmtpEnvelope         *envelope,
                            const MrSmtpRecipient  *rcpt,
                            char                  **text_r)
{
  /* RFC 6409 4.3 / 8.1: an authenticated user may send anywhere; the
   * session has already refused MAIL without AUTH. */
  if (envelope->auth_user == NULL)
    return MR_REPLY_AUTH_REQUIRED;
  return MR_REPLY_RECIPIENT_OK;
}

static MrReplyId
submission_deliver (MrSmtpBackend   *backend,
                    MrSmtpEnvelope  *envelope,
                    GBytes          *message,
                    char           **queue_id_r,
                    char           **text_r)
{
  MrSubmissionBackend *self = MR_SUBMISSION_BACKEND (backend);
  MrQueueItem *item;

  if (self->relay == NULL)
    return MR_REPLY_LOCAL_ERROR;

  /* RFC 5321 6.1: from here on the relay is responsible for the message. */
  item = mr_relay_enqueue (self->relay, envelope, message);
  if (queue_id_r != NULL)
    *queue_id_r = g_strdup (mr_queue_item_get_id (item));

  return MR_REPLY_QUEUED;
}

static MrReplyId
submission_vrfy (MrSmtpBackend  *backend,
                 const char     *argument,
                 char          **text_r)
{
  MrSubmissionBackend *self = MR_SUBMISSION_BACKEND (backend);

  return mr_smtp_backend_vrfy (self->local, argument, text_r);
}

static MrReplyId
submission_expn (MrSmtpBackend  *backend,
                 const char     *argument,
                 GStrv          *lines_r,
                 char          **text_r)
{
  MrSubmissionBackend *self = MR_SUBMISSION_BACKEND (backend);

  return mr_smtp_backend_expn (self->local, argument, lines_r, text_r);
}

static void
submission_iface_init (MrSmtpBackendInterface *iface)
{
  iface->authenticate = submission_authenticate;
  iface->check_recipient = submission_check_recipient;
  iface->deliver = submission_deliver;
  iface->vrfy = submission_vrfy;
  iface->expn = submission_expn;
}

static void
mr_submission_backend_class_init (MrSubmissionBackendClass *klass)
{
}

static void
mr_submission_backend_init (MrSubmissionBackend *self)
{
}

/* The world */

struct _MrWorld
{
  GObject              parent_instance;

  /* Owned */
  MrScenario          *scenario;
  MrStore             *store;
  MrEventBus          *bus;
  MrClock             *clock;
  MrDns               *dns;
  MrFaultSet          *faults;
  MrRelay             *relay;
  MrSmtpLocalDelivery *local;
  MrSubmissionBackend *submission_inner;
  MrAuthSigner        *signer;        /* DKIM keys of the submission domain */
  MrAuthBackend       *signing;       /* submission_inner, DKIM-signing */
  MrFaultBackend      *submission;
  GHashTable          *mx_backends;   /* host name -> MrFaultBackend */
  MrConversation      *notes;
  char                *submission_host;
};

G_DEFINE_FINAL_TYPE (MrWorld, mr_world, G_TYPE_OBJECT)

static void
on_fault_fired_cb (MrWorld    *self,
                   MrFault    *fault,
                   const char *where,
                   MrFaultSet *faults)
{
  g_autofree char *spec = mr_fault_to_spec (fault);
  g_autofree char *reply = mr_fault_info_describe_reply (mr_fault_get_info (fault));

  mr_conversation_note (self->notes, "fault %s fired%s%s: %s", spec,
                        where ? " on " : "", where ? where : "", reply);
}

static MrFaultBackend *
mx_backend_for (MrWorld    *self,
                const char *host)
{
  g_autoptr(MrAuthBackend) auth = NULL;
  MrFaultBackend *backend;
  MrScenarioHost *info;

  if ((backend = g_hash_table_lookup (self->mx_backends, host)) != NULL)
    return backend;

  /* SPF, DKIM and DMARC at the end of DATA, then local delivery. */
  auth = mr_auth_backend_new_verifier (MR_SMTP_BACKEND (self->local), self->dns, self->store,
                                       self->clock, self->bus, host);
  mr_auth_backend_set_scenario (auth, self->scenario);
  backend = mr_fault_backend_new (MR_SMTP_BACKEND (auth), self->faults, host);
  info = self->scenario ? mr_scenario_lookup_host (self->scenario, host) : NULL;
  if (info != NULL && info->domain != NULL)
    {
      const char *domains[] = { info->domain, NULL };

      mr_fault_backend_set_domains (backend, domains);
    }
  g_hash_table_insert (self->mx_backends, g_strdup (host), backend);

  return backend;
}

static MrSession *
create_session (MrWorld        *self,
                MrSmtpBackend  *backend,
                gboolean        submission,
                const char     *hostname,
                MrConversation *conversation,
                const MrLimits *limits)
{
  MrSmtpConfig config;

  mr_smtp_config_init (&config);
  config.hostname = hostname;
  config.submission = submission;
  config.clock = self->clock;

  return mr_smtp_session_new (backend, &config, conversation, limits);
}

/* The relay connects to @host: a lab host with an SMTP server answers. */
static MrSession *
connect_cb (MrRelay        *relay,
            const char     *host,
            MrConversation *conversation,
            gpointer        user_data)
{
  MrWorld *self = user_data;
  MrScenarioHost *info;

  info = self->scenario ? mr_scenario_lookup_host (self->scenario, host) : NULL;
  if (info == NULL)
    return NULL;

  /* Clients and mailbox servers run no SMTP server; a submission host is
   * also the MX of its own domain (bounces come back that way). */
  switch (info->role)
    {
    case MR_HOST_MX:
    case MR_HOST_RELAY:
    case MR_HOST_SUBMISSION:
      break;
    case MR_HOST_CLIENT:
    case MR_HOST_MAILBOX:
    default:
      return NULL;
    }

  return create_session (self, MR_SMTP_BACKEND (mx_backend_for (self, host)), FALSE, host,
                         conversation, NULL);
}

static void
setup_hosts (MrWorld *self)
{
  MrScenarioHost *submission;
  const char *name;

  g_hash_table_remove_all (self->mx_backends);
  mr_dns_load_scenario (self->dns, self->scenario);

  submission = mr_scenario_find_host (self->scenario, MR_HOST_SUBMISSION, NULL);
  name = submission ? submission->name : "smtp.sender.example";
  g_free (self->submission_host);
  self->submission_host = g_strdup (name);

  /* DKIM keys for the submission host's domain, in the lab DNS. */
  if (submission != NULL && submission->domain != NULL)
    {
      g_autoptr(GError) error = NULL;

      if (!mr_auth_signer_ensure_lab_keys (self->signer, submission->domain, &error))
        g_warning ("No DKIM keys for %s: %s", submission->domain, error->message);
    }
  mr_auth_signer_publish (self->signer, self->dns);
}

static void
mr_world_dispose (GObject *object)
{
  MrWorld *self = (MrWorld *)object;

  if (self->faults != NULL)
    g_signal_handlers_disconnect_by_data (self->faults, self);
  if (self->relay != NULL)
    g_object_run_dispose (G_OBJECT (self->relay));
  g_clear_object (&self->relay);
  g_clear_pointer (&self->mx_backends, g_hash_table_unref);
  g_clear_object (&self->submission);
  g_clear_object (&self->signing);
  g_clear_object (&self->submission_inner);
  g_clear_object (&self->local);
  g_clear_object (&self->faults);
  g_clear_object (&self->dns);
  g_clear_object (&self->scenario);
  g_clear_object (&self->store);
  g_clear_object (&self->bus);
  g_clear_object (&self->clock);

  G_OBJECT_CLASS (mr_world_parent_class)->dispose (object);
}

static void
mr_world_finalize (GObject *object)
{
  MrWorld *self = (MrWorld *)object;

  g_clear_pointer (&self->notes, mr_conversation_unref);
  g_clear_pointer (&self->signer, mr_auth_signer_free);
  g_clear_pointer (&self->submission_host, g_free);

  G_OBJECT_CLASS (mr_world_parent_class)->finalize (object);
}

static void
mr_world_class_init (MrWorldClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = mr_world_dispose;
  object_class->finalize = mr_world_finalize;
}

static void
mr_world_init (MrWorld *self)
{
  self->mx_backends = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_object_unref);
  self->signer = mr_auth_signer_new ();
}

MrWorld *
mr_world_new (MrScenario *scenario,
              MrStore    *store,
              MrEventBus *bus,
              MrClock    *clock)
{
  MrWorld *self;

  g_return_val_if_fail (MR_IS_SCENARIO (scenario), NULL);
  g_return_val_if_fail (MR_IS_STORE (store), NULL);
  g_return_val_if_fail (bus == NULL || MR_IS_EVENT_BUS (bus), NULL);
  g_return_val_if_fail (MR_IS_CLOCK (clock), NULL);

  self = g_object_new (MR_TYPE_WORLD, NULL);
  self->scenario = g_object_ref (scenario);
  self->store = g_object_ref (store);
  self->bus = bus ? g_object_ref (bus) : NULL;
  self->clock = g_object_ref (clock);
  self->dns = mr_dns_new ();
  self->faults = mr_fault_set_new (clock);
  self->local = mr_smtp_local_delivery_new (store, clock);

  setup_hosts (self);
  self->notes = mr_conversation_new (bus, MR_PROTOCOL_NONE, NULL, NULL);

  self->relay = mr_relay_new (self->submission_host, clock, bus, self->dns, self->faults);
  mr_relay_set_connect_func (self->relay, connect_cb, self, NULL);

  self->submission_inner = g_object_new (MR_TYPE_SUBMISSION_BACKEND, NULL);
  self->submission_inner->store = store;
  self->submission_inner->relay = self->relay;
  self->submission_inner->local = MR_SMTP_BACKEND (self->local);
  self->signing = mr_auth_backend_new_signer (MR_SMTP_BACKEND (self->submission_inner),
                                              self->signer, clock);
  self->submission = mr_fault_backend_new (MR_SMTP_BACKEND (self->signing),
                                           self->faults, self->submission_host);

  g_signal_connect_swapped (self->faults, "fired", G_CALLBACK (on_fault_fired_cb), self);

  return self;
}

void
mr_world_set_scenario (MrWorld    *self,
                       MrScenario *scenario)
{
  g_return_if_fail (MR_IS_WORLD (self));
  g_return_if_fail (MR_IS_SCENARIO (scenario));

  g_set_object (&self->scenario, scenario);
  setup_hosts (self);

  /* The submission host may have another name in the new lab. */
  mr_relay_set_hostname (self->relay, self->submission_host);
  g_clear_object (&self->submission);
  self->submission = mr_fault_backend_new (MR_SMTP_BACKEND (self->signing),
                                           self->faults, self->submission_host);
}

MrScenario *
mr_world_get_scenario (MrWorld *self)
{
  g_return_val_if_fail (MR_IS_WORLD (self), NULL);
  return self->scenario;
}

MrDns *
mr_world_get_dns (MrWorld *self)
{
  g_return_val_if_fail (MR_IS_WORLD (self), NULL);
  return self->dns;
}

MrFaultSet *
mr_world_get_faults (MrWorld *self)
{
  g_return_val_if_fail (MR_IS_WORLD (self), NULL);
  return self->faults;
}

MrRelay *
mr_world_get_relay (MrWorld *self)
{
  g_return_val_if_fail (MR_IS_WORLD (self), NULL);
  return self->relay;
}

GListModel *
mr_world_get_queue (MrWorld *self)
{
  g_return_val_if_fail (MR_IS_WORLD (self), NULL);
  return mr_relay_get_queue (self->relay);
}

const char *
mr_world_get_submission_host (MrWorld *self)
{
  g_return_val_if_fail (MR_IS_WORLD (self), NULL);
  return self->submission_host;
}

MrSmtpBackend *
mr_world_get_submission_backend (MrWorld *self)
{
  g_return_val_if_fail (MR_IS_WORLD (self), NULL);
  return MR_SMTP_BACKEND (self->submission);
}

MrSmtpBackend *
mr_world_get_mx_backend (MrWorld    *self,
                         const char *host)
{
  g_return_val_if_fail (MR_IS_WORLD (self), NULL);

  if (host == NULL)
    {
      MrScenarioHost *mx = mr_scenario_find_host (self->scenario, MR_HOST_MX, NULL);

      host = mx ? mx->name : "localhost";
    }

  return MR_SMTP_BACKEND (mx_backend_for (self, host));
}

MrSession *
mr_world_create_smtp_session (MrWorld        *self,
                              MrService       service,
                              MrConversation *conversation,
                              const MrLimits *limits)
{
  const char *host;

  g_return_val_if_fail (MR_IS_WORLD (self), NULL);
  g_return_val_if_fail (conversation != NULL, NULL);

  switch (service)
    {
    case MR_SERVICE_SUBMISSION:
    case MR_SERVICE_SMTPS:
      host = conversation->server ? conversation->server : self->submission_host;
      return create_session (self, MR_SMTP_BACKEND (self->submission), TRUE, host,
                             conversation, limits);

    case MR_SERVICE_SMTP:
      host = conversation->server;
      return create_session (self, mr_world_get_mx_backend (self, host), FALSE,
                             host ? host : "localhost", conversation, limits);

    case MR_SERVICE_POP3:
    case MR_SERVICE_POP3S:
    case MR_SERVICE_IMAP:
    case MR_SERVICE_IMAPS:
    case MR_SERVICE_HTTP:
    case MR_N_SERVICES:
    default:
      g_return_val_if_reached (NULL);
    }
}

MrQueueItem *
mr_world_send (MrWorld             *self,
               const char          *sender,
               const char * const  *recipients,
               GBytes              *message,
               GError             **error)
{
  g_autoptr(MrSmtpEnvelope) envelope = NULL;
  g_autoptr(GDateTime) now = NULL;
  g_autoptr(GByteArray) traced = NULL;
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(GBytes) signed_bytes = NULL;
  g_autofree char *date = NULL;
  g_autofree char *received = NULL;

  g_return_val_if_fail (MR_IS_WORLD (self), NULL);
  g_return_val_if_fail (sender != NULL, NULL);
  g_return_val_if_fail (message != NULL, NULL);

  if (recipients == NULL || recipients[0] == NULL)
    {
      g_set_error (error, MR_ERROR, MR_ERROR_INVALID_DATA, _("A message needs a recipient"));
      return NULL;
    }
  for (guint i = 0; recipients[i] != NULL; i++)
    if (strchr (recipients[i], '@') == NULL || strpbrk (recipients[i], "<> \r\n") != NULL)
      {
        g_set_error (error, MR_ERROR, MR_ERROR_BAD_SYNTAX, _("“%s” is not a mail address"),
                     recipients[i]);
        return NULL;
      }

  envelope = mr_smtp_envelope_new (sender);
  envelope->queue_id = mr_smtp_generate_queue_id ();
  envelope->client = g_strdup ("api");
  envelope->auth_user = g_strdup (sender);
  for (guint i = 0; recipients[i] != NULL; i++)
    mr_smtp_envelope_add_recipient (envelope, recipients[i]);

  /* RFC 5321 4.4: the submission host stamps what it accepts. */
  now = mr_clock_dup_now (self->clock);
  date = mr_smtp_format_date (now);
  received = g_strdup_printf ("Received: from api\r\n\tby %s with HTTP id %s; %s\r\n",
                              self->submission_host, envelope->queue_id, date);
  traced = g_byte_array_new ();
  g_byte_array_append (traced, (const guint8 *)received, strlen (received));
  g_byte_array_append (traced, g_bytes_get_data (message, NULL), g_bytes_get_size (message));
  bytes = g_byte_array_free_to_bytes (g_steal_pointer (&traced));
  /* RFC 6376: the submission host signs for its domain. */
  signed_bytes = mr_auth_signer_sign (self->signer, bytes, mr_clock_now (self->clock) / G_USEC_PER_SEC);

  return mr_relay_enqueue (self->relay, envelope, signed_bytes);
}

MrFault *
mr_world_add_fault (MrWorld     *self,
                    const char  *spec,
                    GError     **error)
{
  g_return_val_if_fail (MR_IS_WORLD (self), NULL);
  return mr_fault_set_add_spec (self->faults, spec, error);
}

guint
mr_world_remove_fault (MrWorld    *self,
                       const char *name,
                       const char *target)
{
  g_return_val_if_fail (MR_IS_WORLD (self), 0);
  return mr_fault_set_remove_by_name (self->faults, name, target);
}

void
mr_world_clear_faults (MrWorld *self)
{
  g_return_if_fail (MR_IS_WORLD (self));
  mr_fault_set_clear (self->faults);
}
