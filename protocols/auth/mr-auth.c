/* mr-auth.c
 *
 * Copyright 2026 The Mailroom authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "mr-auth"

#include "config.h"

#include <string.h>

#include "mr-auth.h"

void
mr_auth_report_free (MrAuthReport *report)
{
  if (report == NULL)
    return;
  mr_spf_verdict_free (report->spf);
  g_clear_pointer (&report->dkim, g_ptr_array_unref);
  mr_dmarc_verdict_free (report->dmarc);
  g_free (report->header);
  g_free (report);
}

const char *
mr_auth_action_to_string (MrAuthAction action)
{
  switch (action)
    {
    case MR_AUTH_ACCEPT:     return "accept";
    case MR_AUTH_QUARANTINE: return "quarantine";
    case MR_AUTH_REJECT:     return "reject";
    default:                 return "accept";
    }
}

MrAuthReport *
mr_auth_check (MrDns      *dns,
               const char *authserv_id,
               const char *client_ip,
               const char *helo,
               const char *mail_from,
               GBytes     *message,
               gint64      now,
               guint       pct_roll)
{
  MrAuthReport *report = g_new0 (MrAuthReport, 1);
  g_autofree char *from_domain = NULL;

  g_return_val_if_fail (MR_IS_DNS (dns), report);
  g_return_val_if_fail (message != NULL, report);

  /* RFC 7208 2.4 (MAIL FROM, or HELO for bounces), RFC 6376 6, then
   * RFC 7489 6.6 over both. */
  report->spf = mr_spf_check (dns, client_ip, helo, mail_from);
  report->dkim = mr_dkim_verify (dns, message, now);
  from_domain = mr_dmarc_dup_from_domain (message);
  report->dmarc = mr_dmarc_evaluate (dns, from_domain, report->spf, report->dkim, pct_roll);
  report->header = mr_auth_results_format (authserv_id, report->spf, report->dkim, report->dmarc);

  if (report->dmarc->result == MR_DMARC_FAIL)
    {
      switch (report->dmarc->disposition)
        {
        case MR_DMARC_POLICY_REJECT:     report->action = MR_AUTH_REJECT; break;
        case MR_DMARC_POLICY_QUARANTINE: report->action = MR_AUTH_QUARANTINE; break;
        case MR_DMARC_POLICY_NONE:
        default:                         report->action = MR_AUTH_ACCEPT; break;
        }
    }

  return report;
}

/* Whether the field at @p (one whole field) is an Authentication-Results
 * field naming @authserv_id. */
static gboolean
claims_our_id (const char *p,
               gsize       len,
               const char *authserv_id)
{
  static const char name[] = MR_AUTH_RESULTS_HEADER ":";
  g_autofree char *value = NULL;
  g_autofree char *id = NULL;
  g_autoptr(GPtrArray) results = NULL;

  if (len < sizeof name - 1 || g_ascii_strncasecmp (p, name, sizeof name - 1) != 0)
    return FALSE;
  value = g_strndup (p + sizeof name - 1, len - (sizeof name - 1));
  results = mr_auth_results_parse (value, &id);
  if (results == NULL)
    {
      /* unparsable: compare the first word */
      g_strstrip (value);
      return g_ascii_strncasecmp (value, authserv_id, strlen (authserv_id)) == 0;
    }
  return g_ascii_strcasecmp (id, authserv_id) == 0;
}

GBytes *
mr_auth_report_apply (MrAuthReport *report,
                      const char   *authserv_id,
                      GBytes       *message)
{
  GByteArray *out;
  const char *data, *p, *end;
  gsize len;
  gboolean in_header = TRUE;

  g_return_val_if_fail (report != NULL, NULL);
  g_return_val_if_fail (message != NULL, NULL);

  data = g_bytes_get_data (message, &len);
  out = g_byte_array_sized_new (len + strlen (report->header));

  p = data;
  end = data + len;
  /* RFC 8601 5: at the top, beside the Received: field of this hop (the
   * session stamped it first), so the trace reads top-down. */
  if (len >= 9 && g_ascii_strncasecmp (data, "Received:", 9) == 0)
    {
      for (;;)
        {
          const char *nl = memchr (p, '\n', end - p);

          p = nl ? nl + 1 : end;
          if (p >= end || (*p != ' ' && *p != '\t'))
            break;
        }
      g_byte_array_append (out, (const guint8 *)data, p - data);
    }
  g_byte_array_append (out, (const guint8 *)report->header, strlen (report->header));

  while (p < end)
    {
      const char *start = p;

      if (!in_header || *p == '\r' || *p == '\n')
        {
          in_header = FALSE;
          g_byte_array_append (out, (const guint8 *)p, end - p);
          break;
        }
      /* one field with its continuation lines */
      for (;;)
        {
          const char *nl = memchr (p, '\n', end - p);

          p = nl ? nl + 1 : end;
          if (p >= end || (*p != ' ' && *p != '\t'))
            break;
        }
      if (authserv_id != NULL && claims_our_id (start, p - start, authserv_id))
        continue;
      g_byte_array_append (out, (const guint8 *)start, p - start);
    }

  return g_byte_array_free_to_bytes (out);
}

/* Signer */

typedef struct
{
  char      *domain;
  char      *selector;
  MrDkimKey *key;
} SignerKey;

struct _MrAuthSigner
{
  GPtrArray *keys;   /* SignerKey */
};

static void
signer_key_free (SignerKey *key)
{
  g_free (key->domain);
  g_free (key->selector);
  mr_dkim_key_free (key->key);
  g_free (key);
}

MrAuthSigner *
mr_auth_signer_new (void)
{
  MrAuthSigner *self = g_new0 (MrAuthSigner, 1);

  self->keys = g_ptr_array_new_with_free_func ((GDestroyNotify)signer_key_free);
  return self;
}

void
mr_auth_signer_free (MrAuthSigner *self)
{
  if (self == NULL)
    return;
  g_ptr_array_unref (self->keys);
  g_free (self);
}

void
mr_auth_signer_add_key (MrAuthSigner *self,
                        const char   *domain,
                        const char   *selector,
                        MrDkimKey    *key)
{
  SignerKey *entry;

  g_return_if_fail (self != NULL);
  g_return_if_fail (domain != NULL && selector != NULL && key != NULL);

  entry = g_new0 (SignerKey, 1);
  entry->domain = g_ascii_strdown (domain, -1);
  entry->selector = g_strdup (selector);
  entry->key = key;
  g_ptr_array_add (self->keys, entry);
}

gboolean
mr_auth_signer_add_lab_keys (MrAuthSigner  *self,
                             const char    *domain,
                             GError       **error)
{
  MrDkimKey *rsa, *ed;

  g_return_val_if_fail (self != NULL, FALSE);
  g_return_val_if_fail (domain != NULL, FALSE);

  if ((rsa = mr_dkim_key_generate (MR_DKIM_RSA_SHA256, error)) == NULL)
    return FALSE;
  if ((ed = mr_dkim_key_generate (MR_DKIM_ED25519_SHA256, error)) == NULL)
    {
      mr_dkim_key_free (rsa);
      return FALSE;
    }
  mr_auth_signer_add_key (self, domain, "lab", rsa);
  mr_auth_signer_add_key (self, domain, "lab-ed25519", ed);
  return TRUE;
}

gboolean
mr_auth_signer_ensure_lab_keys (MrAuthSigner  *self,
                                const char    *domain,
                                GError       **error)
{
  g_return_val_if_fail (self != NULL, FALSE);
  g_return_val_if_fail (domain != NULL, FALSE);

  for (guint i = 0; i < self->keys->len; i++)
    if (g_ascii_strcasecmp (((SignerKey *)g_ptr_array_index (self->keys, i))->domain, domain) == 0)
      return TRUE;
  return mr_auth_signer_add_lab_keys (self, domain, error);
}

void
mr_auth_signer_publish (MrAuthSigner *self,
                        MrDns        *dns)
{
  g_return_if_fail (self != NULL);
  g_return_if_fail (MR_IS_DNS (dns));

  for (guint i = 0; i < self->keys->len; i++)
    {
      SignerKey *entry = g_ptr_array_index (self->keys, i);
      g_autofree char *name = g_strdup_printf ("%s._domainkey.%s", entry->selector, entry->domain);
      g_autofree char *record = mr_dkim_key_dup_record (entry->key);

      if (record != NULL)
        mr_dns_set_record (dns, name, MR_DNS_TXT, record, 0);
    }
}

GPtrArray *
mr_auth_signer_dup_domains (MrAuthSigner *self)
{
  GPtrArray *domains = g_ptr_array_new ();

  g_return_val_if_fail (self != NULL, domains);

  for (guint i = 0; i < self->keys->len; i++)
    {
      SignerKey *entry = g_ptr_array_index (self->keys, i);
      gboolean seen = FALSE;

      for (guint j = 0; j < domains->len && !seen; j++)
        seen = strcmp (g_ptr_array_index (domains, j), entry->domain) == 0;
      if (!seen)
        g_ptr_array_add (domains, entry->domain);
    }
  return domains;
}

GBytes *
mr_auth_signer_sign (MrAuthSigner *self,
                     GBytes       *message,
                     gint64        now)
{
  g_autoptr(GBytes) current = NULL;
  g_autofree char *from_domain = NULL;

  g_return_val_if_fail (self != NULL, NULL);
  g_return_val_if_fail (message != NULL, NULL);

  current = g_bytes_ref (message);
  if ((from_domain = mr_dmarc_dup_from_domain (message)) == NULL)
    return g_steal_pointer (&current);

  for (guint i = 0; i < self->keys->len; i++)
    {
      SignerKey *entry = g_ptr_array_index (self->keys, i);
      g_autoptr(GError) error = NULL;
      MrDkimSignOptions options;
      GBytes *signed_bytes;

      /* RFC 7489 3.1.1: sign only what will align with From. */
      if (!mr_dmarc_aligned (entry->domain, from_domain, FALSE))
        continue;

      mr_dkim_sign_options_init (&options);
      options.domain = entry->domain;
      options.selector = entry->selector;
      options.timestamp = now;
      signed_bytes = mr_dkim_sign_message (entry->key, &options, current, &error);
      if (signed_bytes == NULL)
        {
          g_warning ("DKIM signing for %s failed: %s", entry->domain, error->message);
          continue;
        }
      g_bytes_unref (current);
      current = signed_bytes;
    }

  return g_steal_pointer (&current);
}
