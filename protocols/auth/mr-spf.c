/* mr-spf.c
 *
 * Copyright 2026 The Mailroom authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "mr-spf"

#include "config.h"

#include <gio/gio.h>
#include <string.h>

#include "mr-auth-dns.h"
#include "mr-spf.h"

/* One evaluation of check_host(), shared by include: and redirect= so the
 * look-up limits count across the whole tree (RFC 7208 4.6.4). */
typedef struct
{
  /* Borrowed */
  MrDns        *dns;
  const char   *helo;

  /* Owned */
  GInetAddress *ip;
  char         *ip_text;
  char         *sender;
  char         *local_part;
  char         *sender_domain;
  char         *reason;

  guint         lookups;
  guint         void_lookups;
} SpfState;

const char *
mr_spf_result_to_string (MrSpfResult result)
{
  switch (result)
    {
    case MR_SPF_NONE:      return "none";
    case MR_SPF_NEUTRAL:   return "neutral";
    case MR_SPF_PASS:      return "pass";
    case MR_SPF_FAIL:      return "fail";
    case MR_SPF_SOFTFAIL:  return "softfail";
    case MR_SPF_TEMPERROR: return "temperror";
    case MR_SPF_PERMERROR: return "permerror";
    default:               return "permerror";
    }
}

void
mr_spf_verdict_free (MrSpfVerdict *verdict)
{
  if (verdict == NULL)
    return;
  g_free (verdict->identity);
  g_free (verdict->sender);
  g_free (verdict->domain);
  g_free (verdict->ip);
  g_free (verdict->mechanism);
  g_free (verdict->reason);
  g_free (verdict);
}

static void
set_reason (SpfState   *state,
            const char *format,
            ...) G_GNUC_PRINTF (2, 3);

static void
set_reason (SpfState   *state,
            const char *format,
            ...)
{
  va_list args;

  /* The innermost reason wins: it names the record that decided. */
  if (state->reason != NULL)
    return;
  va_start (args, format);
  state->reason = g_strdup_vprintf (format, args);
  va_end (args);
}

/* RFC 7208 4.3: a domain we can check is a dotted name of sane labels. */
static gboolean
domain_is_valid (const char *domain)
{
  gsize len, label = 0;
  gboolean dot = FALSE;

  if (domain == NULL || (len = strlen (domain)) == 0 || len > 253)
    return FALSE;

  for (const char *p = domain; *p != '\0'; p++)
    {
      if (*p == '.')
        {
          if (label == 0 && p[1] != '\0')
            return FALSE;
          dot = TRUE;
          label = 0;
          continue;
        }
      if ((guchar)*p <= ' ' || (guchar)*p >= 0x7f || ++label > 63)
        return FALSE;
    }

  return dot;
}

/* The address as a macro sees it (RFC 7208 7.3): dotted quads, or dotted
 * nibbles for IPv6. */
static char *
ip_macro_text (GInetAddress *ip)
{
  const guint8 *bytes = g_inet_address_to_bytes (ip);
  GString *s;

  if (g_inet_address_get_family (ip) == G_SOCKET_FAMILY_IPV4)
    return g_strdup_printf ("%u.%u.%u.%u", bytes[0], bytes[1], bytes[2], bytes[3]);

  s = g_string_new (NULL);
  for (guint i = 0; i < 16; i++)
    g_string_append_printf (s, "%s%x.%x", i ? "." : "", bytes[i] >> 4, bytes[i] & 0xf);
  return g_string_free (s, FALSE);
}

/* Macro expansion (RFC 7208 7): %{s l o d i p h v} with an optional digit
 * count, "r" to reverse, and delimiters; %% %_ %-. NULL when malformed. */
static char *
expand_macros (SpfState   *state,
               const char *spec,
               const char *domain)
{
  g_autoptr(GString) out = g_string_new (NULL);

  for (const char *p = spec; *p != '\0'; p++)
    {
      g_autofree char *value = NULL;
      g_auto(GStrv) parts = NULL;
      const char *end;
      char delimiters[16] = "";
      guint keep = 0, n_parts, first;
      gboolean reverse = FALSE;
      char letter;

      if (*p != '%')
        {
          g_string_append_c (out, *p);
          continue;
        }

      p++;
      switch (*p)
        {
        case '%': g_string_append_c (out, '%'); continue;
        case '_': g_string_append_c (out, ' '); continue;
        case '-': g_string_append (out, "%20"); continue;
        case '{': break;
        default:  return NULL;
        }

      if ((end = strchr (p, '}')) == NULL || end - p < 2)
        return NULL;
      letter = g_ascii_tolower (p[1]);
      switch (letter)
        {
        case 's': value = g_strdup (state->sender); break;
        case 'l': value = g_strdup (state->local_part); break;
        case 'o': value = g_strdup (state->sender_domain); break;
        case 'd': value = g_strdup (domain); break;
        case 'i': value = ip_macro_text (state->ip); break;
        case 'p': value = g_strdup ("unknown"); break;
        case 'h': value = g_strdup (state->helo ? state->helo : "unknown"); break;
        case 'v':
          value = g_strdup (g_inet_address_get_family (state->ip) == G_SOCKET_FAMILY_IPV4 ?
                            "in-addr" : "ip6");
          break;
        default:
          return NULL;
        }

      for (const char *q = p + 2; q < end; q++)
        {
          if (g_ascii_isdigit (*q) && delimiters[0] == '\0' && !reverse)
            {
              keep = keep * 10 + (*q - '0');
              if (keep > 128)
                return NULL;
            }
          else if ((*q == 'r' || *q == 'R') && delimiters[0] == '\0')
            reverse = TRUE;
          else if (strchr (".-+,/_=", *q) != NULL && strlen (delimiters) < sizeof delimiters - 1)
            strncat (delimiters, q, 1);
          else
            return NULL;
        }
      p = end;

      if (keep == 0 && !reverse && delimiters[0] == '\0')
        {
          g_string_append (out, value);
          continue;
        }

      /* Split on the delimiters, optionally reverse, keep the right-most
       * @keep parts, join with dots (RFC 7208 7.3). */
      if (delimiters[0] == '\0')
        strcpy (delimiters, ".");
      for (char *c = value; *c != '\0'; c++)
        if (strchr (delimiters, *c) != NULL)
          *c = '.';
      parts = g_strsplit (value, ".", -1);
      n_parts = g_strv_length (parts);
      if (reverse)
        for (guint i = 0; i < n_parts / 2; i++)
          {
            char *tmp = parts[i];
            parts[i] = parts[n_parts - 1 - i];
            parts[n_parts - 1 - i] = tmp;
          }
      first = (keep != 0 && keep < n_parts) ? n_parts - keep : 0;
      for (guint i = first; i < n_parts; i++)
        {
          if (i > first)
            g_string_append_c (out, '.');
          g_string_append (out, parts[i]);
        }
    }

  /* RFC 7208 7.3: an expanded domain longer than 253 loses left labels. */
  while (out->len > 253)
    {
      const char *dot = strchr (out->str, '.');
      if (dot == NULL)
        return NULL;
      g_string_erase (out, 0, dot - out->str + 1);
    }

  return g_string_free (g_steal_pointer (&out), FALSE);
}

/* A trailing dual-cidr-length ("/24", "//64", "/24//64") is cut off
 * @spec. FALSE when a length is out of range. */
static gboolean
take_dual_cidr (char  *spec,
                guint *v4_r,
                guint *v6_r)
{
  char *slash;

  *v4_r = 32;
  *v6_r = 128;

  if ((slash = strstr (spec, "//")) != NULL)
    {
      guint64 v;
      char *end;

      v = g_ascii_strtoull (slash + 2, &end, 10);
      if (end == slash + 2 || *end != '\0' || v > 128)
        return FALSE;
      *v6_r = v;
      *slash = '\0';
    }
  if ((slash = strrchr (spec, '/')) != NULL)
    {
      guint64 v;
      char *end;

      v = g_ascii_strtoull (slash + 1, &end, 10);
      if (end == slash + 1 || *end != '\0' || v > 32)
        return FALSE;
      *v4_r = v;
      *slash = '\0';
    }

  return TRUE;
}

static gboolean
address_matches (SpfState   *state,
                 const char *text,
                 guint       v4_len,
                 guint       v6_len)
{
  g_autoptr(GInetAddress) address = g_inet_address_new_from_string (text);
  g_autoptr(GInetAddressMask) mask = NULL;
  guint len;

  if (address == NULL || g_inet_address_get_family (address) != g_inet_address_get_family (state->ip))
    return FALSE;
  len = g_inet_address_get_family (address) == G_SOCKET_FAMILY_IPV4 ? v4_len : v6_len;
  if ((mask = g_inet_address_mask_new (address, len, NULL)) == NULL)
    {
      /* Host bits set ("192.0.2.25/24"): compare the network only. */
      g_autoptr(GInetAddress) network = NULL;
      guint8 bytes[16];
      gsize size = g_inet_address_get_native_size (address);

      memcpy (bytes, g_inet_address_to_bytes (address), size);
      for (guint bit = len; bit < size * 8; bit++)
        bytes[bit / 8] &= ~(0x80 >> (bit % 8));
      network = g_inet_address_new_from_bytes (bytes, g_inet_address_get_family (address));
      if ((mask = g_inet_address_mask_new (network, len, NULL)) == NULL)
        return FALSE;
    }

  return g_inet_address_mask_matches (mask, state->ip);
}

typedef enum
{
  MATCH_NO,
  MATCH_YES,
  MATCH_TEMPERROR,
  MATCH_PERMERROR,
} Match;

/* A look-up inside a mechanism: SERVFAIL is temperror; a void answer
 * counts towards the void limit (RFC 7208 4.6.4). */
static Match
lookup (SpfState    *state,
        const char  *name,
        MrDnsType    type,
        GPtrArray  **values_r)
{
  MrDnsStatus status = _mr_auth_dns_lookup (state->dns, name, type, values_r);

  switch (status)
    {
    case MR_DNS_OK:
      return MATCH_YES;
    case MR_DNS_SERVFAIL:
      set_reason (state, "DNS look-up of %s failed (temporary)", name);
      return MATCH_TEMPERROR;
    case MR_DNS_NXDOMAIN:
    case MR_DNS_NO_DATA:
    case MR_DNS_NULL_MX:
    default:
      if (++state->void_lookups > MR_SPF_MAX_VOID_LOOKUPS)
        {
          set_reason (state, "more than %u DNS look-ups answered nothing (RFC 7208 4.6.4)",
                      MR_SPF_MAX_VOID_LOOKUPS);
          return MATCH_PERMERROR;
        }
      return MATCH_NO;
    }
}

static gboolean
count_lookup (SpfState *state)
{
  if (++state->lookups > MR_SPF_MAX_DNS_LOOKUPS)
    {
      set_reason (state, "more than %u DNS look-ups (RFC 7208 4.6.4)", MR_SPF_MAX_DNS_LOOKUPS);
      return FALSE;
    }
  return TRUE;
}

static Match
match_a_records (SpfState   *state,
                 const char *host,
                 guint       v4_len,
                 guint       v6_len)
{
  g_autoptr(GPtrArray) addresses = NULL;
  Match m;

  if ((m = lookup (state, host, MR_DNS_A, &addresses)) != MATCH_YES)
    return m;
  for (guint i = 0; i < addresses->len; i++)
    if (address_matches (state, g_ptr_array_index (addresses, i), v4_len, v6_len))
      return MATCH_YES;
  return MATCH_NO;
}

static MrSpfResult check_host (SpfState   *state,
                               const char *domain,
                               guint       depth,
                               char      **mechanism_r);

/* Evaluates one mechanism against the client (RFC 7208 5). */
static Match
evaluate_mechanism (SpfState   *state,
                    const char *domain,
                    const char *name,
                    const char *argument,   /* after ':' or '/', or NULL */
                    gboolean    has_colon,
                    guint       depth)
{
  g_autofree char *spec = NULL;
  g_autofree char *target = NULL;
  guint v4_len, v6_len;

  if (g_ascii_strcasecmp (name, "all") == 0)
    return argument == NULL ? MATCH_YES : MATCH_PERMERROR;

  if (g_ascii_strcasecmp (name, "ip4") == 0 || g_ascii_strcasecmp (name, "ip6") == 0)
    {
      gboolean v4 = g_ascii_tolower (name[2]) == '4';
      g_autoptr(GInetAddress) network = NULL;
      guint64 len = v4 ? 32 : 128;
      char *slash;

      if (!has_colon || argument == NULL)
        return MATCH_PERMERROR;
      spec = g_strdup (argument);
      if ((slash = strchr (spec, '/')) != NULL)
        {
          char *end;

          len = g_ascii_strtoull (slash + 1, &end, 10);
          if (end == slash + 1 || *end != '\0' || len > (v4 ? 32 : 128))
            return MATCH_PERMERROR;
          *slash = '\0';
        }
      network = g_inet_address_new_from_string (spec);
      if (network == NULL ||
          g_inet_address_get_family (network) != (v4 ? G_SOCKET_FAMILY_IPV4 : G_SOCKET_FAMILY_IPV6))
        return MATCH_PERMERROR;
      return address_matches (state, spec, len, len) ? MATCH_YES : MATCH_NO;
    }

  /* The rest take an optional domain-spec (macros) and, for a and mx, a
   * dual CIDR length. */
  spec = g_strdup (argument ? argument : "");
  if (g_ascii_strcasecmp (name, "a") == 0 || g_ascii_strcasecmp (name, "mx") == 0)
    {
      if (!take_dual_cidr (spec, &v4_len, &v6_len))
        return MATCH_PERMERROR;
    }
  else
    v4_len = 32, v6_len = 128;

  if (has_colon && spec[0] == '\0')
    return MATCH_PERMERROR;
  if (spec[0] != '\0')
    {
      if ((target = expand_macros (state, spec, domain)) == NULL || !domain_is_valid (target))
        return MATCH_PERMERROR;
    }
  else
    target = g_strdup (domain);

  if (g_ascii_strcasecmp (name, "include") == 0)
    {
      MrSpfResult r;

      if (!has_colon)
        return MATCH_PERMERROR;
      if (!count_lookup (state))
        return MATCH_PERMERROR;
      /* RFC 7208 5.2: pass matches; fail, softfail and neutral do not;
       * none is a permerror (the included domain must publish). */
      r = check_host (state, target, depth + 1, NULL);
      switch (r)
        {
        case MR_SPF_PASS:      return MATCH_YES;
        case MR_SPF_FAIL:
        case MR_SPF_SOFTFAIL:
        case MR_SPF_NEUTRAL:   return MATCH_NO;
        case MR_SPF_TEMPERROR: return MATCH_TEMPERROR;
        case MR_SPF_NONE:
          set_reason (state, "include:%s has no SPF record (RFC 7208 5.2)", target);
          return MATCH_PERMERROR;
        case MR_SPF_PERMERROR:
        default:               return MATCH_PERMERROR;
        }
    }

  if (g_ascii_strcasecmp (name, "a") == 0)
    {
      if (!count_lookup (state))
        return MATCH_PERMERROR;
      return match_a_records (state, target, v4_len, v6_len);
    }

  if (g_ascii_strcasecmp (name, "mx") == 0)
    {
      g_autoptr(GPtrArray) exchanges = NULL;
      Match m;

      if (!count_lookup (state))
        return MATCH_PERMERROR;
      /* RFC 7208 5.4: no implicit MX here. */
      if ((m = lookup (state, target, MR_DNS_MX, &exchanges)) != MATCH_YES)
        return m;
      if (exchanges->len > MR_SPF_MAX_DNS_LOOKUPS)
        {
          set_reason (state, "%s has more than %u MX records (RFC 7208 4.6.4)", target,
                      MR_SPF_MAX_DNS_LOOKUPS);
          return MATCH_PERMERROR;
        }
      for (guint i = 0; i < exchanges->len; i++)
        {
          m = match_a_records (state, g_ptr_array_index (exchanges, i), v4_len, v6_len);
          if (m != MATCH_NO)
            return m;
        }
      return MATCH_NO;
    }

  if (g_ascii_strcasecmp (name, "exists") == 0)
    {
      if (!has_colon)
        return MATCH_PERMERROR;
      if (!count_lookup (state))
        return MATCH_PERMERROR;
      return lookup (state, target, MR_DNS_A, NULL);
    }

  if (g_ascii_strcasecmp (name, "ptr") == 0)
    {
      g_autofree char *host = NULL;
      gsize host_len, target_len;

      /* RFC 7208 5.5 (not recommended): the validated reverse name must
       * be @target or below it. */
      if (!count_lookup (state))
        return MATCH_PERMERROR;
      if ((host = mr_dns_reverse (state->dns, state->ip_text)) == NULL)
        return MATCH_NO;
      if (match_a_records (state, host, 32, 128) != MATCH_YES)
        return MATCH_NO;
      host_len = strlen (host);
      target_len = strlen (target);
      if (g_ascii_strcasecmp (host, target) == 0 ||
          (host_len > target_len && host[host_len - target_len - 1] == '.' &&
           g_ascii_strcasecmp (host + host_len - target_len, target) == 0))
        return MATCH_YES;
      return MATCH_NO;
    }

  /* RFC 7208 5: an unknown mechanism is a permerror. */
  set_reason (state, "unknown mechanism “%s” in the record of %s", name, domain);
  return MATCH_PERMERROR;
}

/* RFC 7208 4.5: the one TXT record of @domain starting "v=spf1". */
static MrSpfResult
fetch_record (SpfState    *state,
              const char  *domain,
              char       **record_r)
{
  g_autoptr(GPtrArray) texts = NULL;
  const char *found = NULL;
  MrDnsStatus status;

  status = _mr_auth_dns_lookup (state->dns, domain, MR_DNS_TXT, &texts);
  if (status == MR_DNS_SERVFAIL)
    {
      set_reason (state, "DNS look-up of %s failed (temporary)", domain);
      return MR_SPF_TEMPERROR;
    }
  if (status != MR_DNS_OK)
    {
      set_reason (state, "%s publishes no SPF record", domain);
      return MR_SPF_NONE;
    }

  for (guint i = 0; i < texts->len; i++)
    {
      const char *text = g_ptr_array_index (texts, i);

      if (g_ascii_strncasecmp (text, "v=spf1", 6) == 0 && (text[6] == ' ' || text[6] == '\0'))
        {
          if (found != NULL)
            {
              set_reason (state, "%s publishes more than one SPF record (RFC 7208 4.5)", domain);
              return MR_SPF_PERMERROR;
            }
          found = text;
        }
    }

  if (found == NULL)
    {
      set_reason (state, "%s publishes no SPF record", domain);
      return MR_SPF_NONE;
    }
  if (strlen (found) > MR_SPF_MAX_RECORD)
    {
      set_reason (state, "the SPF record of %s is too long", domain);
      return MR_SPF_PERMERROR;
    }

  *record_r = g_strdup (found + 6);
  return MR_SPF_PASS;
}

static gboolean
is_modifier_name (const char *term,
                  gsize       len)
{
  if (len == 0 || !g_ascii_isalpha (term[0]))
    return FALSE;
  for (gsize i = 1; i < len; i++)
    if (!g_ascii_isalnum (term[i]) && term[i] != '-' && term[i] != '_' && term[i] != '.')
      return FALSE;
  return TRUE;
}

/*
 * RFC 7208 4.6: the terms left to right; the first matching mechanism
 * decides with its qualifier; then redirect=; else neutral (4.7).
 */
static MrSpfResult
check_host (SpfState   *state,
            const char *domain,
            guint       depth,
            char      **mechanism_r)
{
  g_autofree char *record = NULL;
  g_autofree char *redirect = NULL;
  g_auto(GStrv) terms = NULL;
  MrSpfResult result;

  if (!domain_is_valid (domain))
    {
      set_reason (state, "“%s” is not a domain SPF can check (RFC 7208 4.3)", domain);
      return MR_SPF_NONE;
    }

  if ((result = fetch_record (state, domain, &record)) != MR_SPF_PASS)
    return result;

  terms = g_strsplit (record, " ", -1);

  /* RFC 7208 6: redirect= may appear once; find it before evaluating so a
   * record with two is refused whatever matches. */
  for (guint i = 0; terms[i] != NULL; i++)
    if (g_ascii_strncasecmp (terms[i], "redirect=", 9) == 0)
      {
        if (redirect != NULL)
          {
            set_reason (state, "two redirect= modifiers in the record of %s", domain);
            return MR_SPF_PERMERROR;
          }
        redirect = g_strdup (terms[i] + 9);
      }

  for (guint i = 0; terms[i] != NULL; i++)
    {
      g_autofree char *name = NULL;
      const char *term = terms[i];
      const char *argument = NULL;
      gboolean has_colon = FALSE;
      MrSpfResult qualified = MR_SPF_PASS;
      gsize name_len;
      Match m;

      if (*term == '\0')
        continue;

      name_len = strcspn (term, ":/=");
      if (term[name_len] == '=')
        {
          /* A modifier: redirect is handled after the mechanisms, exp=
           * only explains a fail, unknown ones are ignored (6). */
          if (!is_modifier_name (term, name_len))
            {
              set_reason (state, "malformed term “%s” in the record of %s", term, domain);
              return MR_SPF_PERMERROR;
            }
          continue;
        }

      switch (*term)
        {
        case '+': qualified = MR_SPF_PASS; term++; break;
        case '-': qualified = MR_SPF_FAIL; term++; break;
        case '~': qualified = MR_SPF_SOFTFAIL; term++; break;
        case '?': qualified = MR_SPF_NEUTRAL; term++; break;
        default: break;
        }

      name_len = strcspn (term, ":/");
      name = g_strndup (term, name_len);
      if (term[name_len] == ':')
        {
          has_colon = TRUE;
          argument = term + name_len + 1;
        }
      else if (term[name_len] == '/')
        argument = term + name_len;

      m = evaluate_mechanism (state, domain, name, argument, has_colon, depth);
      switch (m)
        {
        case MATCH_NO:
          continue;
        case MATCH_YES:
          if (mechanism_r != NULL)
            *mechanism_r = g_strdup (terms[i]);
          return qualified;
        case MATCH_TEMPERROR:
          return MR_SPF_TEMPERROR;
        case MATCH_PERMERROR:
          set_reason (state, "bad mechanism “%s” in the record of %s", terms[i], domain);
          return MR_SPF_PERMERROR;
        default:
          g_assert_not_reached ();
        }
    }

  if (redirect != NULL)
    {
      g_autofree char *target = NULL;

      if (!count_lookup (state))
        return MR_SPF_PERMERROR;
      if ((target = expand_macros (state, redirect, domain)) == NULL || !domain_is_valid (target))
        {
          set_reason (state, "bad redirect=%s in the record of %s", redirect, domain);
          return MR_SPF_PERMERROR;
        }
      /* RFC 7208 6.1: a redirect to a domain without a record is a
       * permerror; otherwise its result is ours. */
      result = check_host (state, target, depth + 1, mechanism_r);
      if (result == MR_SPF_NONE)
        {
          g_clear_pointer (&state->reason, g_free);
          set_reason (state, "redirect=%s has no SPF record (RFC 7208 6.1)", target);
          return MR_SPF_PERMERROR;
        }
      return result;
    }

  /* RFC 7208 4.7: nothing matched. */
  return MR_SPF_NEUTRAL;
}

static MrSpfVerdict *
check_host_with_helo (MrDns      *dns,
                      const char *ip,
                      const char *domain,
                      const char *sender,
                      const char *helo)
{
  MrSpfVerdict *verdict = g_new0 (MrSpfVerdict, 1);
  SpfState state = { 0 };
  const char *at;

  g_return_val_if_fail (MR_IS_DNS (dns), verdict);

  verdict->identity = g_strdup ("mailfrom");
  verdict->ip = g_strdup (ip ? ip : "");
  verdict->domain = g_ascii_strdown (domain ? domain : "", -1);
  verdict->sender = g_strdup (sender ? sender : "");

  state.dns = dns;
  state.helo = helo;
  state.ip = ip ? g_inet_address_new_from_string (ip) : NULL;
  if (state.ip == NULL)
    {
      verdict->result = MR_SPF_NONE;
      verdict->reason = g_strdup_printf ("“%s” is not an IP address", ip ? ip : "");
      return verdict;
    }
  state.ip_text = g_inet_address_to_string (state.ip);

  /* RFC 7208 4.3: an empty local-part is "postmaster". */
  at = sender ? strrchr (sender, '@') : NULL;
  state.local_part = (at == NULL || at == sender) ? g_strdup ("postmaster")
                                                  : g_strndup (sender, at - sender);
  state.sender_domain = g_strdup (at ? at + 1 : verdict->domain);
  state.sender = g_strdup_printf ("%s@%s", state.local_part, state.sender_domain);

  verdict->result = check_host (&state, verdict->domain, 0, &verdict->mechanism);
  verdict->lookups = state.lookups;

  if (state.reason != NULL)
    verdict->reason = g_steal_pointer (&state.reason);
  else if (verdict->mechanism != NULL)
    verdict->reason = g_strdup_printf ("%s %s “%s” in the SPF record of %s", state.ip_text,
                                       verdict->result == MR_SPF_PASS ? "is permitted by" :
                                       verdict->result == MR_SPF_NEUTRAL ? "matches the neutral" :
                                       "is refused by",
                                       verdict->mechanism, verdict->domain);
  else
    verdict->reason = g_strdup_printf ("nothing in the SPF record of %s matches %s",
                                       verdict->domain, state.ip_text);

  g_clear_object (&state.ip);
  g_free (state.ip_text);
  g_free (state.sender);
  g_free (state.local_part);
  g_free (state.sender_domain);

  return verdict;
}

MrSpfVerdict *
mr_spf_check_host (MrDns      *dns,
                   const char *ip,
                   const char *domain,
                   const char *sender)
{
  return check_host_with_helo (dns, ip, domain, sender, NULL);
}

MrSpfVerdict *
mr_spf_check (MrDns      *dns,
              const char *ip,
              const char *helo,
              const char *mail_from)
{
  MrSpfVerdict *verdict;
  const char *at;

  if (mail_from != NULL && *mail_from != '\0' && (at = strrchr (mail_from, '@')) != NULL)
    return check_host_with_helo (dns, ip, at + 1, mail_from, helo);

  /* RFC 7208 2.4: a null reverse-path is checked as postmaster@HELO. */
  {
    g_autofree char *sender = g_strdup_printf ("postmaster@%s", helo ? helo : "");

    verdict = check_host_with_helo (dns, ip, helo ? helo : "", sender, helo);
  }
  g_free (verdict->identity);
  verdict->identity = g_strdup ("helo");

  return verdict;
}
