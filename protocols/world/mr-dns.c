/* mr-dns.c
 *
 * Copyright 2026 The Mailroom authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "mr-dns"

#include "config.h"

#include <string.h>

#include "mr-dns.h"
#include "mr-scenario.h"

struct _MrDns
{
  GObject     parent_instance;

  /* Owned */
  GPtrArray  *records;    /* MrDnsEntry, in insertion order */
  GHashTable *failures;   /* name ("" = any) -> MrDnsStatus */
};

G_DEFINE_FINAL_TYPE (MrDns, mr_dns, G_TYPE_OBJECT)

enum {
  CHANGED,
  N_SIGNALS
};

static guint signals [N_SIGNALS];

/* DNS names compare without case and without the root's trailing dot. */
static char *
normalize_name (const char *name)
{
  g_autofree char *lower = NULL;
  gsize len;

  if (name == NULL)
    return g_strdup ("");

  lower = g_ascii_strdown (name, -1);
  len = strlen (lower);
  while (len > 1 && lower[len - 1] == '.')
    lower[--len] = '\0';

  return g_steal_pointer (&lower);
}

MrDnsEntry *
mr_dns_entry_new (const char *name,
                   MrDnsType   type,
                   const char *value,
                   guint       priority)
{
  MrDnsEntry *record = g_new0 (MrDnsEntry, 1);

  record->name = normalize_name (name);
  record->type = type;
  /* MX exchanges are names too; the null MX "." stays as it is. */
  record->value = type == MR_DNS_TXT ? g_strdup (value ? value : "") : normalize_name (value);
  record->priority = type == MR_DNS_MX ? priority : 0;

  return record;
}

MrDnsEntry *
mr_dns_entry_copy (const MrDnsEntry *record)
{
  MrDnsEntry *copy;

  g_return_val_if_fail (record != NULL, NULL);

  copy = g_new0 (MrDnsEntry, 1);
  copy->name = g_strdup (record->name);
  copy->type = record->type;
  copy->value = g_strdup (record->value);
  copy->priority = record->priority;

  return copy;
}

void
mr_dns_entry_free (MrDnsEntry *record)
{
  if (record == NULL)
    return;
  g_free (record->name);
  g_free (record->value);
  g_free (record);
}

void
mr_dns_mx_free (MrDnsMx *mx)
{
  if (mx == NULL)
    return;
  g_free (mx->host);
  g_free (mx);
}

const char *
mr_dns_type_to_string (MrDnsType type)
{
  switch (type)
    {
    case MR_DNS_A:
      return "A";
    case MR_DNS_MX:
      return "MX";
    case MR_DNS_TXT:
      return "TXT";
    default:
      g_return_val_if_reached ("?");
    }
}

gboolean
mr_dns_type_from_string (const char *name,
                         MrDnsType  *type_r)
{
  g_return_val_if_fail (type_r != NULL, FALSE);

  if (name == NULL)
    return FALSE;
  if (g_ascii_strcasecmp (name, "A") == 0)
    *type_r = MR_DNS_A;
  else if (g_ascii_strcasecmp (name, "MX") == 0)
    *type_r = MR_DNS_MX;
  else if (g_ascii_strcasecmp (name, "TXT") == 0)
    *type_r = MR_DNS_TXT;
  else
    return FALSE;

  return TRUE;
}

const char *
mr_dns_status_to_string (MrDnsStatus status)
{
  switch (status)
    {
    case MR_DNS_OK:
      return "NOERROR";
    case MR_DNS_NXDOMAIN:
      return "NXDOMAIN";
    case MR_DNS_NO_DATA:
      return "NODATA";
    case MR_DNS_NULL_MX:
      return "NULL-MX";
    case MR_DNS_SERVFAIL:
      return "SERVFAIL";
    default:
      g_return_val_if_reached ("?");
    }
}

gboolean
mr_dns_status_is_temporary (MrDnsStatus status)
{
  return status == MR_DNS_SERVFAIL;
}

static void
mr_dns_finalize (GObject *object)
{
  MrDns *self = (MrDns *)object;

  g_clear_pointer (&self->records, g_ptr_array_unref);
  g_clear_pointer (&self->failures, g_hash_table_unref);

  G_OBJECT_CLASS (mr_dns_parent_class)->finalize (object);
}

static void
mr_dns_class_init (MrDnsClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = mr_dns_finalize;

  /**
   * MrDns::changed:
   *
   * Emitted after records were added, removed or replaced, or a failure
   * was set or cleared.
   */
  signals [CHANGED] =
    g_signal_new ("changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 0);
}

static void
mr_dns_init (MrDns *self)
{
  self->records = g_ptr_array_new_with_free_func ((GDestroyNotify)mr_dns_entry_free);
  self->failures = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
}

MrDns *
mr_dns_new (void)
{
  return g_object_new (MR_TYPE_DNS, NULL);
}

void
mr_dns_load_scenario (MrDns      *self,
                      MrScenario *scenario)
{
  GPtrArray *records;

  g_return_if_fail (MR_IS_DNS (self));
  g_return_if_fail (MR_IS_SCENARIO (scenario));

  g_ptr_array_set_size (self->records, 0);
  records = mr_scenario_get_dns_records (scenario);
  for (guint i = 0; records != NULL && i < records->len; i++)
    {
      const MrDnsRecord *record = g_ptr_array_index (records, i);
      MrDnsType type;

      if (!mr_dns_type_from_string (record->type, &type))
        {
          g_warning ("Ignoring DNS record %s of unknown type %s", record->name, record->type);
          continue;
        }
      g_ptr_array_add (self->records,
                       mr_dns_entry_new (record->name, type, record->value, record->priority));
    }

  g_signal_emit (self, signals [CHANGED], 0);
}

void
mr_dns_add_record (MrDns      *self,
                   const char *name,
                   MrDnsType   type,
                   const char *value,
                   guint       priority)
{
  g_return_if_fail (MR_IS_DNS (self));
  g_return_if_fail (name != NULL && *name != '\0');
  g_return_if_fail (value != NULL);

  g_ptr_array_add (self->records, mr_dns_entry_new (name, type, value, priority));
  g_signal_emit (self, signals [CHANGED], 0);
}

static guint
remove_records (MrDns      *self,
                const char *name,
                MrDnsType   type,
                const char *value)
{
  g_autofree char *key = normalize_name (name);
  g_autofree char *norm_value = NULL;
  guint removed = 0;

  if (value != NULL)
    norm_value = type == MR_DNS_TXT ? g_strdup (value) : normalize_name (value);

  for (guint i = self->records->len; i > 0; i--)
    {
      MrDnsEntry *record = g_ptr_array_index (self->records, i - 1);

      if (record->type != type || strcmp (record->name, key) != 0)
        continue;
      if (norm_value != NULL && strcmp (record->value, norm_value) != 0)
        continue;
      g_ptr_array_remove_index (self->records, i - 1);
      removed++;
    }

  return removed;
}

guint
mr_dns_remove_records (MrDns      *self,
                       const char *name,
                       MrDnsType   type,
                       const char *value)
{
  guint removed;

  g_return_val_if_fail (MR_IS_DNS (self), 0);
  g_return_val_if_fail (name != NULL, 0);

  removed = remove_records (self, name, type, value);
  if (removed > 0)
    g_signal_emit (self, signals [CHANGED], 0);

  return removed;
}

void
mr_dns_set_record (MrDns      *self,
                   const char *name,
                   MrDnsType   type,
                   const char *value,
                   guint       priority)
{
  g_return_if_fail (MR_IS_DNS (self));
  g_return_if_fail (name != NULL && *name != '\0');
  g_return_if_fail (value != NULL);

  remove_records (self, name, type, NULL);
  g_ptr_array_add (self->records, mr_dns_entry_new (name, type, value, priority));
  g_signal_emit (self, signals [CHANGED], 0);
}

void
mr_dns_clear (MrDns *self)
{
  g_return_if_fail (MR_IS_DNS (self));

  g_ptr_array_set_size (self->records, 0);
  g_hash_table_remove_all (self->failures);
  g_signal_emit (self, signals [CHANGED], 0);
}

GPtrArray *
mr_dns_dup_records (MrDns *self)
{
  GPtrArray *copy;

  g_return_val_if_fail (MR_IS_DNS (self), NULL);

  copy = g_ptr_array_new_with_free_func ((GDestroyNotify)mr_dns_entry_free);
  for (guint i = 0; i < self->records->len; i++)
    g_ptr_array_add (copy, mr_dns_entry_copy (g_ptr_array_index (self->records, i)));

  return copy;
}

void
mr_dns_set_failure (MrDns       *self,
                    const char  *name,
                    MrDnsStatus  status)
{
  g_autofree char *key = NULL;

  g_return_if_fail (MR_IS_DNS (self));

  key = normalize_name (name);
  if (status == MR_DNS_OK)
    g_hash_table_remove (self->failures, key);
  else
    g_hash_table_insert (self->failures, g_steal_pointer (&key), GINT_TO_POINTER (status));

  g_signal_emit (self, signals [CHANGED], 0);
}

MrDnsStatus
mr_dns_get_failure (MrDns      *self,
                    const char *name)
{
  g_autofree char *key = NULL;
  gpointer value;

  g_return_val_if_fail (MR_IS_DNS (self), MR_DNS_OK);

  key = normalize_name (name);
  if (g_hash_table_lookup_extended (self->failures, key, NULL, &value))
    return GPOINTER_TO_INT (value);
  if (g_hash_table_lookup_extended (self->failures, "", NULL, &value))
    return GPOINTER_TO_INT (value);

  return MR_DNS_OK;
}

/* A name exists when it owns a record or is an ancestor of one (an
 * "empty non-terminal", RFC 8020): only then is "no data" the answer
 * rather than NXDOMAIN. */
static gboolean
name_exists (MrDns      *self,
             const char *key)
{
  gsize key_len = strlen (key);

  for (guint i = 0; i < self->records->len; i++)
    {
      const MrDnsEntry *record = g_ptr_array_index (self->records, i);
      gsize len = strlen (record->name);

      if (strcmp (record->name, key) == 0)
        return TRUE;
      if (len > key_len + 1 &&
          record->name[len - key_len - 1] == '.' &&
          strcmp (record->name + len - key_len, key) == 0)
        return TRUE;
    }

  return FALSE;
}

static const MrDnsEntry *
find_first (MrDns      *self,
            const char *key,
            MrDnsType   type)
{
  for (guint i = 0; i < self->records->len; i++)
    {
      const MrDnsEntry *record = g_ptr_array_index (self->records, i);

      if (record->type == type && strcmp (record->name, key) == 0)
        return record;
    }

  return NULL;
}

static gint
compare_mx (gconstpointer a,
            gconstpointer b)
{
  const MrDnsMx *ma = *(const MrDnsMx * const *)a;
  const MrDnsMx *mb = *(const MrDnsMx * const *)b;

  return ma->priority < mb->priority ? -1 : ma->priority > mb->priority ? 1 : 0;
}

MrDnsStatus
mr_dns_lookup_mx (MrDns       *self,
                  const char  *domain,
                  GPtrArray  **mxs_r)
{
  g_autoptr(GPtrArray) mxs = NULL;
  g_autofree char *key = NULL;
  MrDnsStatus failure;

  g_return_val_if_fail (MR_IS_DNS (self), MR_DNS_SERVFAIL);
  g_return_val_if_fail (domain != NULL, MR_DNS_SERVFAIL);

  if (mxs_r != NULL)
    *mxs_r = NULL;

  if ((failure = mr_dns_get_failure (self, domain)) != MR_DNS_OK)
    return failure;

  key = normalize_name (domain);
  if (*key == '\0' || !name_exists (self, key))
    return MR_DNS_NXDOMAIN;

  mxs = g_ptr_array_new_with_free_func ((GDestroyNotify)mr_dns_mx_free);
  for (guint i = 0; i < self->records->len; i++)
    {
      const MrDnsEntry *record = g_ptr_array_index (self->records, i);
      MrDnsMx *mx;

      if (record->type != MR_DNS_MX || strcmp (record->name, key) != 0)
        continue;

      /* RFC 7505 3: a single "MX 0 ." says the domain takes no mail. */
      if (strcmp (record->value, ".") == 0 || *record->value == '\0')
        return MR_DNS_NULL_MX;

      mx = g_new0 (MrDnsMx, 1);
      mx->host = g_strdup (record->value);
      mx->priority = record->priority;
      g_ptr_array_add (mxs, mx);
    }

  if (mxs->len == 0)
    {
      MrDnsMx *mx;

      /* RFC 5321 5.1: "If an empty list of MXs is returned, the address is
       * treated as if it was associated with an implicit MX RR, with a
       * preference of 0, pointing to that host." */
      if (find_first (self, key, MR_DNS_A) == NULL)
        return MR_DNS_NO_DATA;

      mx = g_new0 (MrDnsMx, 1);
      mx->host = g_strdup (key);
      mx->priority = 0;
      mx->implicit = TRUE;
      g_ptr_array_add (mxs, mx);
    }

  /* RFC 5321 5.1: lowest preference first. g_ptr_array_sort is a merge
   * sort (stable), so equal preferences keep their order. */
  g_ptr_array_sort (mxs, compare_mx);

  if (mxs_r != NULL)
    *mxs_r = g_steal_pointer (&mxs);

  return MR_DNS_OK;
}

MrDnsStatus
mr_dns_lookup_a (MrDns       *self,
                 const char  *host,
                 char       **address_r)
{
  g_autofree char *key = NULL;
  const MrDnsEntry *record;
  MrDnsStatus failure;

  g_return_val_if_fail (MR_IS_DNS (self), MR_DNS_SERVFAIL);
  g_return_val_if_fail (host != NULL, MR_DNS_SERVFAIL);

  if (address_r != NULL)
    *address_r = NULL;

  if ((failure = mr_dns_get_failure (self, host)) != MR_DNS_OK)
    return failure == MR_DNS_NULL_MX ? MR_DNS_NO_DATA : failure;

  key = normalize_name (host);
  if (*key == '\0' || !name_exists (self, key))
    return MR_DNS_NXDOMAIN;

  if ((record = find_first (self, key, MR_DNS_A)) == NULL)
    return MR_DNS_NO_DATA;

  if (address_r != NULL)
    *address_r = g_strdup (record->value);

  return MR_DNS_OK;
}

char *
mr_dns_reverse (MrDns      *self,
                const char *address)
{
  g_return_val_if_fail (MR_IS_DNS (self), NULL);

  if (address == NULL)
    return NULL;

  for (guint i = 0; i < self->records->len; i++)
    {
      const MrDnsEntry *record = g_ptr_array_index (self->records, i);

      if (record->type == MR_DNS_A && strcmp (record->value, address) == 0)
        return g_strdup (record->name);
    }

  return NULL;
}
