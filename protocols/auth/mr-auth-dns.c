/* mr-auth-dns.c
 *
 * Copyright 2026 The Mailroom authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "mr-auth-dns"

#include "config.h"

#include <string.h>

#include "mr-auth-dns.h"

static gint
compare_priority (gconstpointer a,
                  gconstpointer b)
{
  const MrDnsEntry *ra = *(const MrDnsEntry * const *)a;
  const MrDnsEntry *rb = *(const MrDnsEntry * const *)b;

  return (ra->priority > rb->priority) - (ra->priority < rb->priority);
}

MrDnsStatus
_mr_auth_dns_lookup (MrDns       *dns,
                     const char  *name,
                     MrDnsType    type,
                     GPtrArray  **values_r)
{
  g_autoptr(GPtrArray) records = NULL;
  g_autoptr(GPtrArray) matches = NULL;
  g_autofree char *key = NULL;
  MrDnsStatus failure;
  gboolean exists = FALSE;
  gsize key_len;

  g_return_val_if_fail (MR_IS_DNS (dns), MR_DNS_SERVFAIL);
  g_return_val_if_fail (name != NULL, MR_DNS_SERVFAIL);

  if (values_r != NULL)
    *values_r = NULL;

  if ((failure = mr_dns_get_failure (dns, name)) != MR_DNS_OK)
    return failure == MR_DNS_NULL_MX ? MR_DNS_NO_DATA : failure;

  key = g_ascii_strdown (name, -1);
  key_len = strlen (key);
  while (key_len > 1 && key[key_len - 1] == '.')
    key[--key_len] = '\0';
  if (key_len == 0)
    return MR_DNS_NXDOMAIN;

  records = mr_dns_dup_records (dns);
  matches = g_ptr_array_new ();
  for (guint i = 0; i < records->len; i++)
    {
      const MrDnsEntry *record = g_ptr_array_index (records, i);
      gsize len = strlen (record->name);

      if (strcmp (record->name, key) == 0)
        {
          exists = TRUE;
          if (record->type == type)
            g_ptr_array_add (matches, (gpointer)record);
        }
      /* An ancestor of a record exists too (RFC 8020). */
      else if (len > key_len + 1 && record->name[len - key_len - 1] == '.' &&
               strcmp (record->name + len - key_len, key) == 0)
        exists = TRUE;
    }

  if (!exists)
    return MR_DNS_NXDOMAIN;
  if (matches->len == 0)
    return MR_DNS_NO_DATA;

  if (type == MR_DNS_MX)
    g_ptr_array_sort (matches, compare_priority);

  if (values_r != NULL)
    {
      *values_r = g_ptr_array_new_with_free_func (g_free);
      for (guint i = 0; i < matches->len; i++)
        g_ptr_array_add (*values_r, g_strdup (((MrDnsEntry *)g_ptr_array_index (matches, i))->value));
    }

  return MR_DNS_OK;
}
