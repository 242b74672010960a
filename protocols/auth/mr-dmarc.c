/* mr-dmarc.c
 *
 * Copyright 2026 The Mailroom authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "mr-dmarc"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "mr-auth-dns.h"
#include "mr-dmarc.h"
#include "mr-error.h"

void
mr_dmarc_record_free (MrDmarcRecord *record)
{
  if (record == NULL)
    return;
  g_free (record->rua);
  g_free (record->ruf);
  g_free (record);
}

const char *
mr_dmarc_policy_to_string (MrDmarcPolicy policy)
{
  switch (policy)
    {
    case MR_DMARC_POLICY_NONE:       return "none";
    case MR_DMARC_POLICY_QUARANTINE: return "quarantine";
    case MR_DMARC_POLICY_REJECT:     return "reject";
    default:                         return "none";
    }
}

const char *
mr_dmarc_result_to_string (MrDmarcResult result)
{
  switch (result)
    {
    case MR_DMARC_NONE:      return "none";
    case MR_DMARC_PASS:      return "pass";
    case MR_DMARC_FAIL:      return "fail";
    case MR_DMARC_TEMPERROR: return "temperror";
    case MR_DMARC_PERMERROR: return "permerror";
    default:                 return "permerror";
    }
}

static gboolean
parse_policy (const char    *value,
              MrDmarcPolicy *policy_r)
{
  if (value == NULL)
    return FALSE;
  if (g_ascii_strcasecmp (value, "none") == 0)
    *policy_r = MR_DMARC_POLICY_NONE;
  else if (g_ascii_strcasecmp (value, "quarantine") == 0)
    *policy_r = MR_DMARC_POLICY_QUARANTINE;
  else if (g_ascii_strcasecmp (value, "reject") == 0)
    *policy_r = MR_DMARC_POLICY_REJECT;
  else
    return FALSE;
  return TRUE;
}

/* RFC 7489 6.2: "mailto:" URIs, comma separated, optional "!size". */
static gboolean
uris_are_valid (const char *value)
{
  g_auto(GStrv) uris = NULL;

  if (value == NULL || *value == '\0')
    return FALSE;
  uris = g_strsplit (value, ",", 16);
  for (guint i = 0; uris[i] != NULL; i++)
    {
      g_strstrip (uris[i]);
      if (!g_str_has_prefix (uris[i], "mailto:") || strchr (uris[i], '@') == NULL)
        return FALSE;
    }
  return TRUE;
}

/*
 * RFC 7489 6.4: dmarc-record = dmarc-version dmarc-sep [dmarc-request]
 * ...; "v=DMARC1" first, then any order; unknown tags are ignored.
 */
MrDmarcRecord *
mr_dmarc_record_parse (const char  *text,
                       GError     **error)
{
  g_autoptr(MrDkimTags) tags = NULL;
  g_autoptr(MrDmarcRecord) record = NULL;
  const char *p, *sp, *adkim, *aspf, *pct, *rua;
  const char *v = text;

  g_return_val_if_fail (text != NULL, NULL);

  while (*v == ' ' || *v == '\t')
    v++;
  if (strncmp (v, "v=DMARC1", 8) != 0 ||
      (v[8] != '\0' && v[8] != ';' && v[8] != ' ' && v[8] != '\t'))
    {
      g_set_error (error, MR_ERROR, MR_ERROR_BAD_SYNTAX, _("A DMARC record starts with “v=DMARC1”"));
      return NULL;
    }
  if ((tags = mr_dkim_tags_parse (text, -1, error)) == NULL)
    return NULL;

  record = g_new0 (MrDmarcRecord, 1);
  record->pct = 100;

  p = mr_dkim_tags_get (tags, "p");
  sp = mr_dkim_tags_get (tags, "sp");
  adkim = mr_dkim_tags_get (tags, "adkim");
  aspf = mr_dkim_tags_get (tags, "aspf");
  pct = mr_dkim_tags_get (tags, "pct");
  rua = mr_dkim_tags_get (tags, "rua");

  if (rua != NULL && uris_are_valid (rua))
    record->rua = g_strdup (rua);
  if (mr_dkim_tags_get (tags, "ruf") != NULL && uris_are_valid (mr_dkim_tags_get (tags, "ruf")))
    record->ruf = g_strdup (mr_dkim_tags_get (tags, "ruf"));

  /* 6.6.3: a missing or bad p= (or bad sp=) with a usable rua= reads as
   * p=none; without one the record is ignored. */
  if (!parse_policy (p, &record->policy) || (sp != NULL && !parse_policy (sp, &record->subdomain_policy)))
    {
      if (record->rua == NULL)
        {
          g_set_error (error, MR_ERROR, MR_ERROR_BAD_SYNTAX,
                       _("A DMARC record needs p=none, p=quarantine or p=reject"));
          return NULL;
        }
      record->policy = MR_DMARC_POLICY_NONE;
      record->subdomain_policy = MR_DMARC_POLICY_NONE;
      sp = NULL;
    }
  if (sp == NULL)
    record->subdomain_policy = record->policy;

  if (adkim != NULL)
    {
      if (strcmp (adkim, "s") != 0 && strcmp (adkim, "r") != 0)
        {
          g_set_error (error, MR_ERROR, MR_ERROR_BAD_SYNTAX, _("adkim= is “r” or “s”"));
          return NULL;
        }
      record->adkim_strict = adkim[0] == 's';
    }
  if (aspf != NULL)
    {
      if (strcmp (aspf, "s") != 0 && strcmp (aspf, "r") != 0)
        {
          g_set_error (error, MR_ERROR, MR_ERROR_BAD_SYNTAX, _("aspf= is “r” or “s”"));
          return NULL;
        }
      record->aspf_strict = aspf[0] == 's';
    }
  if (pct != NULL)
    {
      char *end;
      guint64 value = g_ascii_strtoull (pct, &end, 10);

      if (end == pct || *end != '\0' || value > 100)
        {
          g_set_error (error, MR_ERROR, MR_ERROR_BAD_SYNTAX, _("pct= is a number from 0 to 100"));
          return NULL;
        }
      record->pct = value;
    }

  return g_steal_pointer (&record);
}

char *
mr_dmarc_organizational_domain (const char *domain)
{
  g_autofree char *lower = NULL;
  gsize len;
  const char *last_dot, *p;

  g_return_val_if_fail (domain != NULL, NULL);

  lower = g_ascii_strdown (domain, -1);
  len = strlen (lower);
  while (len > 0 && lower[len - 1] == '.')
    lower[--len] = '\0';

  /* The lab has no public suffix list: every top-level name is a public
   * suffix and the next label is the registered domain. */
  if ((last_dot = strrchr (lower, '.')) == NULL)
    return g_steal_pointer (&lower);
  for (p = last_dot - 1; p >= lower && *p != '.'; p--)
    ;
  return g_strdup (p + 1);
}

gboolean
mr_dmarc_aligned (const char *domain,
                  const char *from_domain,
                  gboolean    strict)
{
  g_autofree char *a = NULL;
  g_autofree char *b = NULL;

  if (domain == NULL || from_domain == NULL || *domain == '\0' || *from_domain == '\0')
    return FALSE;
  if (strict)
    return g_ascii_strcasecmp (domain, from_domain) == 0;

  a = mr_dmarc_organizational_domain (domain);
  b = mr_dmarc_organizational_domain (from_domain);
  return strcmp (a, b) == 0;
}

/* The value of the one From field, unfolded; NULL if none or several. */
static char *
dup_from_value (const char *data,
                gsize       len)
{
  const char *p = data, *end = data + len;
  GString *value = NULL;

  while (p < end)
    {
      const char *nl = memchr (p, '\n', end - p);
      const char *line_end = nl ? nl : end;
      gsize line_len = line_end - p;

      if (line_len > 0 && line_end[-1] == '\r')
        line_len--;
      if (line_len == 0)
        break;   /* end of the header */

      if ((*p == ' ' || *p == '\t'))
        {
          if (value != NULL && value->len > 0 && value->str[0] == '\x01')
            g_string_append_len (value, p, line_len);
        }
      else
        {
          /* a continuation belongs to the From only while we are in it */
          if (value != NULL && value->str[0] == '\x01')
            value->str[0] = '\x02';
          if (line_len >= 5 && g_ascii_strncasecmp (p, "From", 4) == 0 &&
              (p[4] == ':' || p[4] == ' ' || p[4] == '\t'))
            {
              const char *colon = memchr (p, ':', line_len);

              if (colon == NULL)
                {
                  p = nl ? nl + 1 : end;
                  continue;
                }
              if (value != NULL)
                {
                  /* RFC 7489 6.6.1: more than one From */
                  g_string_free (value, TRUE);
                  return NULL;
                }
              value = g_string_new ("\x01");
              g_string_append_len (value, colon + 1, p + line_len - (colon + 1));
            }
        }
      p = nl ? nl + 1 : end;
    }

  if (value == NULL)
    return NULL;
  g_string_erase (value, 0, 1);
  return g_string_free (value, FALSE);
}

char *
mr_dmarc_dup_from_domain (GBytes *message)
{
  g_autofree char *value = NULL;
  g_autoptr(GString) clean = g_string_new (NULL);
  const char *open, *close, *at, *addr_start, *addr_end;
  gsize len;
  const char *data;
  gint depth = 0;
  gboolean quoted = FALSE;
  guint ats = 0;

  g_return_val_if_fail (message != NULL, NULL);

  data = g_bytes_get_data (message, &len);
  if ((value = dup_from_value (data, len)) == NULL)
    return NULL;

  /* Drop comments and quoted strings (RFC 5322 3.2); what is left holds
   * the address(es). */
  for (const char *c = value; *c != '\0'; c++)
    {
      if (quoted)
        {
          if (*c == '\\' && c[1] != '\0')
            c++;
          else if (*c == '"')
            quoted = FALSE;
          continue;
        }
      if (depth > 0)
        {
          if (*c == '\\' && c[1] != '\0')
            c++;
          else if (*c == '(')
            depth++;
          else if (*c == ')')
            depth--;
          continue;
        }
      if (*c == '"')
        quoted = TRUE;
      else if (*c == '(')
        depth++;
      else
        g_string_append_c (clean, *c);
    }

  for (const char *c = clean->str; *c != '\0'; c++)
    if (*c == '@')
      ats++;
  /* several authors: DMARC cannot pick one (6.6.1) */
  if (ats != 1 || strchr (clean->str, ',') != NULL)
    return NULL;

  if ((open = strrchr (clean->str, '<')) != NULL && (close = strchr (open, '>')) != NULL)
    {
      addr_start = open + 1;
      addr_end = close;
    }
  else
    {
      addr_start = clean->str;
      addr_end = clean->str + clean->len;
    }
  at = memchr (addr_start, '@', addr_end - addr_start);
  if (at == NULL)
    return NULL;
  {
    g_autofree char *domain = g_strndup (at + 1, addr_end - (at + 1));

    g_strstrip (domain);
    if (*domain == '\0' || strpbrk (domain, " \t<>@[]") != NULL)
      return NULL;
    return g_ascii_strdown (domain, -1);
  }
}

void
mr_dmarc_verdict_free (MrDmarcVerdict *verdict)
{
  if (verdict == NULL)
    return;
  g_free (verdict->from_domain);
  g_free (verdict->policy_domain);
  g_free (verdict->dkim_domain);
  g_free (verdict->reason);
  mr_dmarc_record_free (verdict->record);
  g_free (verdict);
}

/* 6.6.3: the one "v=DMARC1" TXT record at _dmarc.<domain>. */
static MrDnsStatus
fetch_policy (MrDns          *dns,
              const char     *domain,
              MrDmarcRecord **record_r,
              char          **error_r)
{
  g_autofree char *name = g_strdup_printf ("_dmarc.%s", domain);
  g_autoptr(GPtrArray) texts = NULL;
  MrDnsStatus status;
  const char *found = NULL;
  guint count = 0;

  *record_r = NULL;
  status = _mr_auth_dns_lookup (dns, name, MR_DNS_TXT, &texts);
  if (status != MR_DNS_OK)
    return status;

  for (guint i = 0; i < texts->len; i++)
    {
      const char *text = g_ptr_array_index (texts, i);

      if (g_str_has_prefix (text, "v=DMARC1"))
        {
          found = text;
          count++;
        }
    }
  /* more than one record: no DMARC processing (6.6.3 step 2) */
  if (count != 1)
    return MR_DNS_NO_DATA;

  {
    g_autoptr(GError) error = NULL;

    *record_r = mr_dmarc_record_parse (found, &error);
    if (*record_r == NULL)
      {
        *error_r = g_strdup_printf ("%s: %s", name, error->message);
        return MR_DNS_NO_DATA;
      }
  }
  return MR_DNS_OK;
}

MrDmarcVerdict *
mr_dmarc_evaluate (MrDns        *dns,
                   const char   *from_domain,
                   MrSpfVerdict *spf,
                   GPtrArray    *dkim,
                   guint         pct_roll)
{
  MrDmarcVerdict *verdict = g_new0 (MrDmarcVerdict, 1);
  g_autofree char *org = NULL;
  g_autofree char *bad_record = NULL;
  MrDmarcRecord *record = NULL;
  MrDnsStatus status;
  gboolean at_org = FALSE;

  g_return_val_if_fail (MR_IS_DNS (dns), verdict);

  if (from_domain == NULL || *from_domain == '\0')
    {
      verdict->result = MR_DMARC_PERMERROR;
      verdict->reason = g_strdup ("the message has no single From address to check (RFC 7489 6.6.1)");
      return verdict;
    }
  verdict->from_domain = g_ascii_strdown (from_domain, -1);
  org = mr_dmarc_organizational_domain (verdict->from_domain);

  /* 6.6.3: the From domain's own record, else its Organizational Domain's. */
  status = fetch_policy (dns, verdict->from_domain, &record, &bad_record);
  if (status == MR_DNS_SERVFAIL)
    {
      verdict->result = MR_DMARC_TEMPERROR;
      verdict->reason = g_strdup_printf ("the DMARC policy of %s could not be fetched", verdict->from_domain);
      return verdict;
    }
  if (record == NULL && strcmp (org, verdict->from_domain) != 0)
    {
      status = fetch_policy (dns, org, &record, &bad_record);
      if (status == MR_DNS_SERVFAIL)
        {
          verdict->result = MR_DMARC_TEMPERROR;
          verdict->reason = g_strdup_printf ("the DMARC policy of %s could not be fetched", org);
          return verdict;
        }
      at_org = record != NULL;
    }
  if (record == NULL)
    {
      verdict->result = MR_DMARC_NONE;
      verdict->reason = bad_record ? g_strdup_printf ("ignored a broken DMARC record (%s)", bad_record)
                                   : g_strdup_printf ("%s publishes no DMARC policy", verdict->from_domain);
      return verdict;
    }

  verdict->record = record;
  verdict->policy_domain = g_strdup (at_org ? org : verdict->from_domain);
  verdict->policy = at_org ? record->subdomain_policy : record->policy;

  /* 4.2 / 3.1: an aligned pass of either mechanism is a DMARC pass. */
  /* RFC 7208 2.4: with a null reverse-path the MAIL FROM identity is
   * postmaster@HELO, so a HELO pass counts too. */
  if (spf != NULL && spf->result == MR_SPF_PASS)
    verdict->spf_aligned = mr_dmarc_aligned (spf->domain, verdict->from_domain, record->aspf_strict);
  for (guint i = 0; dkim != NULL && i < dkim->len; i++)
    {
      MrDkimVerdict *d = g_ptr_array_index (dkim, i);

      if (d->result == MR_DKIM_PASS &&
          mr_dmarc_aligned (d->domain, verdict->from_domain, record->adkim_strict))
        {
          verdict->dkim_aligned = TRUE;
          verdict->dkim_domain = g_strdup (d->domain);
          break;
        }
    }

  if (verdict->spf_aligned || verdict->dkim_aligned)
    {
      verdict->result = MR_DMARC_PASS;
      verdict->disposition = MR_DMARC_POLICY_NONE;
      verdict->reason = g_strdup_printf ("aligned %s%s%s pass for %s", verdict->spf_aligned ? "SPF" : "",
                                         verdict->spf_aligned && verdict->dkim_aligned ? " and " : "",
                                         verdict->dkim_aligned ? "DKIM" : "", verdict->from_domain);
      return verdict;
    }

  verdict->result = MR_DMARC_FAIL;
  verdict->disposition = verdict->policy;
  /* 6.6.4: outside pct=, apply the next less strict policy. */
  if (pct_roll >= record->pct && verdict->disposition != MR_DMARC_POLICY_NONE)
    {
      verdict->sampled_out = TRUE;
      verdict->disposition = verdict->disposition == MR_DMARC_POLICY_REJECT ? MR_DMARC_POLICY_QUARANTINE
                                                                            : MR_DMARC_POLICY_NONE;
    }
  verdict->reason = g_strdup_printf ("neither SPF (%s) nor DKIM passed aligned with %s; policy %s of %s",
                                     spf ? mr_spf_result_to_string (spf->result) : "not checked",
                                     verdict->from_domain, mr_dmarc_policy_to_string (verdict->policy),
                                     verdict->policy_domain);
  return verdict;
}
