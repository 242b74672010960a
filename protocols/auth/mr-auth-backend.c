/* mr-auth-backend.c
 *
 * Copyright 2026 The Mailroom authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "mr-auth-backend"

#include "config.h"

#include <string.h>

#include "mr-account.h"
#include "mr-auth-backend.h"
#include "mr-conversation.h"
#include "mr-mailbox.h"

#define MAX_LIST_DEPTH 8

struct _MrAuthBackend
{
  GObject         parent_instance;

  /* Owned */
  MrSmtpBackend  *inner;
  MrDns          *dns;
  MrStore        *store;
  MrClock        *clock;
  MrEventBus     *bus;
  MrScenario     *scenario;
  char           *hostname;
  MrAuthReport   *last_report;
  /* the report of the message between check_data and deliver */
  MrSmtpEnvelope *pending_envelope;
  MrAuthReport   *pending_report;

  /* Borrowed */
  MrAuthSigner   *signer;

  gint            pct_roll;
};

static void backend_iface_init (MrSmtpBackendInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (MrAuthBackend, mr_auth_backend, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (MR_TYPE_SMTP_BACKEND, backend_iface_init))

static MrReplyId
auth_check_connect (MrSmtpBackend   *backend,
                    MrConversation  *conversation,
                    char           **text_r)
{
  return mr_smtp_backend_check_connect (MR_AUTH_BACKEND (backend)->inner, conversation, text_r);
}

static MrReplyId
auth_check_helo (MrSmtpBackend   *backend,
                 MrConversation  *conversation,
                 const char      *helo,
                 char           **text_r)
{
  return mr_smtp_backend_check_helo (MR_AUTH_BACKEND (backend)->inner, conversation, helo, text_r);
}

static MrReplyId
auth_check_sender (MrSmtpBackend   *backend,
                   MrSmtpEnvelope  *envelope,
                   char           **text_r)
{
  return mr_smtp_backend_check_sender (MR_AUTH_BACKEND (backend)->inner, envelope, text_r);
}

static MrReplyId
auth_check_recipient (MrSmtpBackend          *backend,
                      MrSmtpEnvelope         *envelope,
                      const MrSmtpRecipient  *rcpt,
                      char                  **text_r)
{
  return mr_smtp_backend_check_recipient (MR_AUTH_BACKEND (backend)->inner, envelope, rcpt, text_r);
}

static MrReplyId
auth_authenticate (MrSmtpBackend   *backend,
                   MrConversation  *conversation,
                   const char      *authzid,
                   const char      *authcid,
                   const char      *password,
                   char           **text_r)
{
  return mr_smtp_backend_authenticate (MR_AUTH_BACKEND (backend)->inner, conversation, authzid,
                                       authcid, password, text_r);
}

static MrReplyId
auth_vrfy (MrSmtpBackend  *backend,
           const char     *argument,
           char          **text_r)
{
  return mr_smtp_backend_vrfy (MR_AUTH_BACKEND (backend)->inner, argument, text_r);
}

static MrReplyId
auth_expn (MrSmtpBackend  *backend,
           const char     *argument,
           GStrv          *lines_r,
           char          **text_r)
{
  return mr_smtp_backend_expn (MR_AUTH_BACKEND (backend)->inner, argument, lines_r, text_r);
}

static void
emit_note (MrConversation *conversation,
           const char     *verb,
           const char     *state,
           const char     *format,
           ...) G_GNUC_PRINTF (4, 5);

static void
emit_note (MrConversation *conversation,
           const char     *verb,
           const char     *state,
           const char     *format,
           ...)
{
  g_autofree char *text = NULL;
  MrEvent *event;
  va_list args;

  va_start (args, format);
  text = g_strdup_vprintf (format, args);
  va_end (args);

  event = mr_conversation_new_event (conversation, MR_EVENT_NOTE, MR_DIRECTION_NONE, text);
  mr_event_set_verb (event, verb);
  mr_event_set_state (event, state);
  mr_conversation_emit (conversation, event);
}

static void
emit_report (MrAuthBackend  *self,
             MrSmtpEnvelope *envelope,
             MrAuthReport   *report,
             const char     *client_ip)
{
  g_autoptr(MrConversation) notes = NULL;
  MrSpfVerdict *spf = report->spf;
  MrDmarcVerdict *dmarc = report->dmarc;

  if (self->bus == NULL)
    return;

  notes = mr_conversation_new (self->bus, MR_PROTOCOL_SMTP, envelope->client, self->hostname);
  emit_note (notes, "SPF", mr_spf_result_to_string (spf->result), "spf=%s smtp.%s=%s client=%s (%s)",
             mr_spf_result_to_string (spf->result), g_strcmp0 (spf->identity, "helo") == 0 ? "helo" : "mailfrom",
             spf->domain, client_ip ? client_ip : "unknown", spf->reason);
  if (report->dkim->len == 0)
    emit_note (notes, "DKIM", "none", "dkim=none (the message is not signed)");
  for (guint i = 0; i < report->dkim->len; i++)
    {
      MrDkimVerdict *v = g_ptr_array_index (report->dkim, i);
      g_autofree char *signed_headers = v->signed_headers ? g_strjoinv (":", v->signed_headers) : NULL;

      emit_note (notes, "DKIM", mr_dkim_result_to_string (v->result),
                 "dkim=%s header.d=%s header.s=%s a=%s h=%s body-hash=%s (%s)",
                 mr_dkim_result_to_string (v->result), v->domain ? v->domain : "?",
                 v->selector ? v->selector : "?", v->algorithm ? v->algorithm : "?",
                 signed_headers ? signed_headers : "", v->body_hash_ok ? "match" : "mismatch", v->reason);
    }
  emit_note (notes, "DMARC", mr_dmarc_result_to_string (dmarc->result),
             "dmarc=%s header.from=%s p=%s disposition=%s spf-aligned=%s dkim-aligned=%s (%s)",
             mr_dmarc_result_to_string (dmarc->result), dmarc->from_domain ? dmarc->from_domain : "?",
             mr_dmarc_policy_to_string (dmarc->policy), mr_dmarc_policy_to_string (dmarc->disposition),
             dmarc->spf_aligned ? "yes" : "no", dmarc->dkim_aligned ? "yes" : "no", dmarc->reason);
  emit_note (notes, "AUTH", mr_auth_action_to_string (report->action), "authentication: %s",
             mr_auth_action_to_string (report->action));
}

static gboolean
is_loopback (const char *ip)
{
  g_autoptr(GInetAddress) address = g_inet_address_new_from_string (ip);

  return address != NULL && g_inet_address_get_is_loopback (address);
}

char *
mr_auth_backend_resolve_client (MrAuthBackend *self,
                                const char    *client)
{
  g_autoptr(GInetAddress) address = NULL;
  g_autofree char *host = NULL;
  MrScenarioHost *info;
  const char *colon;

  g_return_val_if_fail (MR_IS_AUTH_BACKEND (self), NULL);

  if (client == NULL || *client == '\0')
    return NULL;

  /* "192.0.2.1", "192.0.2.1:4242", "[2001:db8::1]:25", "2001:db8::1" */
  if ((address = g_inet_address_new_from_string (client)) != NULL)
    return g_inet_address_to_string (address);
  if (client[0] == '[' && (colon = strchr (client, ']')) != NULL)
    host = g_strndup (client + 1, colon - client - 1);
  else if ((colon = strrchr (client, ':')) != NULL)
    host = g_strndup (client, colon - client);
  if (host != NULL && (address = g_inet_address_new_from_string (host)) != NULL)
    return g_inet_address_to_string (address);

  /* a lab host name */
  if (self->scenario != NULL && (info = mr_scenario_lookup_host (self->scenario, client)) != NULL &&
      info->address != NULL)
    return g_strdup (info->address);
  {
    char *a = NULL;

    if (mr_dns_lookup_a (self->dns, client, &a) == MR_DNS_OK)
      return a;
  }
  return NULL;
}

static MrReplyId
auth_check_data (MrSmtpBackend   *backend,
                 MrSmtpEnvelope  *envelope,
                 GBytes          *message,
                 char           **text_r)
{
  MrAuthBackend *self = MR_AUTH_BACKEND (backend);
  g_autofree char *client_ip = NULL;
  MrAuthReport *report;
  MrReplyId id;
  gint64 now;

  id = mr_smtp_backend_check_data (self->inner, envelope, message, text_r);
  if (id != MR_REPLY_OK || self->dns == NULL)
    return id;

  g_clear_pointer (&self->pending_report, mr_auth_report_free);
  g_clear_pointer (&self->pending_envelope, mr_smtp_envelope_unref);

  client_ip = mr_auth_backend_resolve_client (self, envelope->client);
  if (client_ip != NULL && is_loopback (client_ip))
    {
      g_autofree char *helo = envelope->helo ? g_ascii_strdown (envelope->helo, -1) : NULL;
      MrScenarioHost *host = NULL;

      /* A client on this machine (swaks, a test) is outside the lab. It
       * plays the lab host it names in HELO; otherwise it is trusted and
       * not checked, as OpenDMARC's IgnoreHosts and policyd-spf's
       * skip_addresses treat 127.0.0.1 by default. */
      if (helo != NULL && self->scenario != NULL)
        host = mr_scenario_lookup_host (self->scenario, helo);
      if (host == NULL || host->address == NULL)
        {
          if (self->bus != NULL)
            {
              g_autoptr(MrConversation) notes = mr_conversation_new (self->bus, MR_PROTOCOL_SMTP,
                                                                     envelope->client, self->hostname);

              emit_note (notes, "AUTH", "skip",
                         "authentication: not checked, %s is a local client (say EHLO with a lab "
                         "host name, e.g. spoofer.example, to be checked as that host)", client_ip);
            }
          return MR_REPLY_OK;
        }
      g_free (client_ip);
      client_ip = g_strdup (host->address);
    }
  now = self->clock ? mr_clock_now (self->clock) / G_USEC_PER_SEC : g_get_real_time () / G_USEC_PER_SEC;
  report = mr_auth_check (self->dns, self->hostname, client_ip, envelope->helo, envelope->sender,
                          message, now,
                          self->pct_roll >= 0 ? (guint)self->pct_roll : (guint)g_random_int_range (0, 100));
  emit_report (self, envelope, report, client_ip);

  g_clear_pointer (&self->last_report, mr_auth_report_free);
  if (report->action == MR_AUTH_REJECT)
    {
      self->last_report = report;
      /* RFC 7489 6.6.4 / RFC 7372 3.7: refuse in the SMTP transaction. */
      if (text_r != NULL)
        *text_r = g_strdup_printf ("Unauthenticated email from %s is not accepted due to domain's "
                                   "DMARC policy", report->dmarc->from_domain);
      return MR_REPLY_DMARC_REJECTED;
    }

  self->pending_report = report;
  self->pending_envelope = mr_smtp_envelope_ref (envelope);
  return MR_REPLY_OK;
}

static void
add_junk_accounts (MrAuthBackend *self,
                   const char    *address,
                   GPtrArray     *accounts,
                   guint          depth)
{
  const char * const *members;
  MrAccount *account;

  if ((account = mr_store_lookup_account (self->store, address)) != NULL)
    {
      if (!g_ptr_array_find (accounts, account, NULL))
        g_ptr_array_add (accounts, account);
      return;
    }
  if (depth < MAX_LIST_DEPTH && (members = mr_store_lookup_list (self->store, address)) != NULL)
    for (guint i = 0; members[i] != NULL; i++)
      add_junk_accounts (self, members[i], accounts, depth + 1);
}

/* RFC 7489 6.6.4 / 7.0: quarantine means "treat as suspicious"; the lab
 * files it in the recipients' Junk folder, flagged $Junk. */
static MrReplyId
deliver_to_junk (MrAuthBackend  *self,
                 MrSmtpEnvelope *envelope,
                 GBytes         *message)
{
  static const char * const keywords[] = { "$Junk", NULL };
  g_autoptr(GPtrArray) accounts = g_ptr_array_new ();
  g_autoptr(GByteArray) raw = NULL;
  g_autoptr(GBytes) bytes = NULL;
  g_autofree char *return_path = NULL;
  gint64 now;

  if (self->store == NULL)
    return MR_REPLY_LOCAL_ERROR;

  for (guint i = 0; i < envelope->recipients->len; i++)
    {
      const MrSmtpRecipient *rcpt = g_ptr_array_index (envelope->recipients, i);

      add_junk_accounts (self, rcpt->address, accounts, 0);
    }

  return_path = g_strdup_printf ("Return-Path: <%s>\r\n", envelope->sender);
  raw = g_byte_array_sized_new (strlen (return_path) + g_bytes_get_size (message));
  g_byte_array_append (raw, (const guint8 *)return_path, strlen (return_path));
  g_byte_array_append (raw, g_bytes_get_data (message, NULL), g_bytes_get_size (message));
  bytes = g_byte_array_free_to_bytes (g_steal_pointer (&raw));
  now = self->clock ? mr_clock_now (self->clock) : g_get_real_time ();

  for (guint i = 0; i < accounts->len; i++)
    {
      MrAccount *account = g_ptr_array_index (accounts, i);
      MrMailbox *junk = mr_account_lookup_mailbox (account, "Junk");
      g_autoptr(GError) error = NULL;

      if (junk == NULL)
        junk = mr_account_get_inbox (account);
      if (junk == NULL || mr_mailbox_append (junk, bytes, MR_FLAG_RECENT, keywords, now, &error) == NULL)
        {
          g_warning ("Delivery to the Junk folder of %s failed: %s", mr_account_get_address (account),
                     error ? error->message : "no mailbox");
          return MR_REPLY_LOCAL_ERROR;
        }
    }

  return MR_REPLY_QUEUED;
}

static MrReplyId
auth_deliver (MrSmtpBackend   *backend,
              MrSmtpEnvelope  *envelope,
              GBytes          *message,
              char           **queue_id_r,
              char           **text_r)
{
  MrAuthBackend *self = MR_AUTH_BACKEND (backend);
  g_autoptr(GBytes) stamped = NULL;
  MrReplyId id;

  if (self->signer != NULL)
    {
      gint64 now = self->clock ? mr_clock_now (self->clock) / G_USEC_PER_SEC : 0;

      stamped = mr_auth_signer_sign (self->signer, message, now);
      return mr_smtp_backend_deliver (self->inner, envelope, stamped, queue_id_r, text_r);
    }

  if (self->pending_report == NULL || self->pending_envelope != envelope)
    return mr_smtp_backend_deliver (self->inner, envelope, message, queue_id_r, text_r);

  stamped = mr_auth_report_apply (self->pending_report, self->hostname, message);
  if (self->pending_report->action == MR_AUTH_QUARANTINE)
    id = deliver_to_junk (self, envelope, stamped);
  else
    id = mr_smtp_backend_deliver (self->inner, envelope, stamped, queue_id_r, text_r);

  g_clear_pointer (&self->last_report, mr_auth_report_free);
  self->last_report = g_steal_pointer (&self->pending_report);
  g_clear_pointer (&self->pending_envelope, mr_smtp_envelope_unref);

  return id;
}

static void
backend_iface_init (MrSmtpBackendInterface *iface)
{
  iface->check_connect = auth_check_connect;
  iface->check_helo = auth_check_helo;
  iface->check_sender = auth_check_sender;
  iface->check_recipient = auth_check_recipient;
  iface->authenticate = auth_authenticate;
  iface->check_data = auth_check_data;
  iface->deliver = auth_deliver;
  iface->vrfy = auth_vrfy;
  iface->expn = auth_expn;
}

static void
mr_auth_backend_dispose (GObject *object)
{
  MrAuthBackend *self = (MrAuthBackend *)object;

  g_clear_object (&self->inner);
  g_clear_object (&self->dns);
  g_clear_object (&self->store);
  g_clear_object (&self->clock);
  g_clear_object (&self->bus);
  g_clear_object (&self->scenario);
  self->signer = NULL;

  G_OBJECT_CLASS (mr_auth_backend_parent_class)->dispose (object);
}

static void
mr_auth_backend_finalize (GObject *object)
{
  MrAuthBackend *self = (MrAuthBackend *)object;

  g_clear_pointer (&self->hostname, g_free);
  g_clear_pointer (&self->last_report, mr_auth_report_free);
  g_clear_pointer (&self->pending_report, mr_auth_report_free);
  g_clear_pointer (&self->pending_envelope, mr_smtp_envelope_unref);

  G_OBJECT_CLASS (mr_auth_backend_parent_class)->finalize (object);
}

static void
mr_auth_backend_class_init (MrAuthBackendClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = mr_auth_backend_dispose;
  object_class->finalize = mr_auth_backend_finalize;
}

static void
mr_auth_backend_init (MrAuthBackend *self)
{
  self->pct_roll = -1;
}

MrAuthBackend *
mr_auth_backend_new_verifier (MrSmtpBackend *inner,
                              MrDns         *dns,
                              MrStore       *store,
                              MrClock       *clock,
                              MrEventBus    *bus,
                              const char    *hostname)
{
  MrAuthBackend *self;

  g_return_val_if_fail (MR_IS_SMTP_BACKEND (inner), NULL);
  g_return_val_if_fail (MR_IS_DNS (dns), NULL);
  g_return_val_if_fail (store == NULL || MR_IS_STORE (store), NULL);

  self = g_object_new (MR_TYPE_AUTH_BACKEND, NULL);
  self->inner = g_object_ref (inner);
  self->dns = g_object_ref (dns);
  self->store = store ? g_object_ref (store) : NULL;
  self->clock = clock ? g_object_ref (clock) : NULL;
  self->bus = bus ? g_object_ref (bus) : NULL;
  self->hostname = g_strdup (hostname ? hostname : "localhost");
  return self;
}

MrAuthBackend *
mr_auth_backend_new_signer (MrSmtpBackend *inner,
                            MrAuthSigner  *signer,
                            MrClock       *clock)
{
  MrAuthBackend *self;

  g_return_val_if_fail (MR_IS_SMTP_BACKEND (inner), NULL);
  g_return_val_if_fail (signer != NULL, NULL);

  self = g_object_new (MR_TYPE_AUTH_BACKEND, NULL);
  self->inner = g_object_ref (inner);
  self->signer = signer;
  self->clock = clock ? g_object_ref (clock) : NULL;
  return self;
}

void
mr_auth_backend_set_scenario (MrAuthBackend *self,
                              MrScenario    *scenario)
{
  g_return_if_fail (MR_IS_AUTH_BACKEND (self));
  g_set_object (&self->scenario, scenario);
}

MrAuthReport *
mr_auth_backend_get_last_report (MrAuthBackend *self)
{
  g_return_val_if_fail (MR_IS_AUTH_BACKEND (self), NULL);
  return self->last_report;
}

void
mr_auth_backend_set_pct_roll (MrAuthBackend *self,
                              gint           roll)
{
  g_return_if_fail (MR_IS_AUTH_BACKEND (self));
  self->pct_roll = CLAMP (roll, -1, 99);
}
