/* mr-smtp-parser.c
 *
 * Copyright 2026 The Mailroom authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "mr-smtp-parser"

#include "config.h"

#include <string.h>

#include "mr-smtp-parser.h"

G_DEFINE_QUARK (mr-smtp-parser-error-quark, mr_smtp_parser_error)

/* RFC 5321 4.5.3.1.1-3 */
#define MAX_LOCAL_PART 64
#define MAX_DOMAIN     255
#define MAX_PATH       256

static const struct
{
  const char *name;
  MrSmtpVerb  verb;
} verbs[] = {
  { "HELO", MR_SMTP_VERB_HELO },
  { "EHLO", MR_SMTP_VERB_EHLO },
  { "MAIL", MR_SMTP_VERB_MAIL },
  { "RCPT", MR_SMTP_VERB_RCPT },
  { "DATA", MR_SMTP_VERB_DATA },
  { "BDAT", MR_SMTP_VERB_BDAT },
  { "RSET", MR_SMTP_VERB_RSET },
  { "NOOP", MR_SMTP_VERB_NOOP },
  { "QUIT", MR_SMTP_VERB_QUIT },
  { "VRFY", MR_SMTP_VERB_VRFY },
  { "EXPN", MR_SMTP_VERB_EXPN },
  { "HELP", MR_SMTP_VERB_HELP },
  { "AUTH", MR_SMTP_VERB_AUTH },
  { "STARTTLS", MR_SMTP_VERB_STARTTLS },
};

const char *
mr_smtp_verb_to_string (MrSmtpVerb verb)
{
  for (guint i = 0; i < G_N_ELEMENTS (verbs); i++)
    if (verbs[i].verb == verb)
      return verbs[i].name;
  return "UNKNOWN";
}

static inline gboolean
is_sp (char c)
{
  return c == ' ' || c == '\t';
}

gboolean
mr_smtp_parse_command (const char    *buf,
                       gsize          len,
                       MrSmtpCommand *cmd_r)
{
  gsize word_len = 0;
  gsize i;

  g_return_val_if_fail (cmd_r != NULL, FALSE);

  memset (cmd_r, 0, sizeof *cmd_r);
  cmd_r->verb = MR_SMTP_VERB_UNKNOWN;

  if (buf == NULL || len == 0 || is_sp (buf[0]))
    return FALSE;

  /* No NUL, CR or other controls: they have no place in a command and
   * would end up echoed into replies and headers. */
  for (i = 0; i < len; i++)
    if (((guchar)buf[i] < 32 && buf[i] != '\t') || buf[i] == 127)
      return FALSE;

  while (word_len < len && !is_sp (buf[word_len]))
    word_len++;

  for (i = 0; i < word_len && i < MR_SMTP_VERB_MAX - 1; i++)
    cmd_r->name[i] = g_ascii_toupper (buf[i]);
  cmd_r->name[i] = '\0';

  if (word_len < MR_SMTP_VERB_MAX)
    {
      for (i = 0; i < G_N_ELEMENTS (verbs); i++)
        if (strcmp (verbs[i].name, cmd_r->name) == 0)
          {
            cmd_r->verb = verbs[i].verb;
            break;
          }
    }

  /* RFC 5321 4.1.1 says one SP separates verb and arguments; like Postfix
   * we tolerate more, and trailing white space (4.1.1: "SHOULD tolerate"). */
  i = word_len;
  while (i < len && is_sp (buf[i]))
    i++;
  while (len > i && is_sp (buf[len - 1]))
    len--;
  if (i < len)
    {
      cmd_r->args = buf + i;
      cmd_r->args_len = len - i;
    }

  return TRUE;
}

/* RFC 5322 3.2.3 atext, plus UTF-8 octets (RFC 6531 3.3) */
static inline gboolean
is_atext (guchar c)
{
  if (g_ascii_isalnum (c) || c >= 0x80)
    return TRUE;
  return strchr ("!#$%&'*+-/=?^_`{|}~", c) != NULL && c != '\0';
}

static gboolean
check_dot_string (const char *buf,
                  gsize       len)
{
  gboolean need_atext = TRUE;

  if (len == 0)
    return FALSE;
  for (gsize i = 0; i < len; i++)
    {
      if (buf[i] == '.')
        {
          if (need_atext)
            return FALSE;
          need_atext = TRUE;
        }
      else if (is_atext (buf[i]))
        need_atext = FALSE;
      else
        return FALSE;
    }
  return !need_atext;
}

/* RFC 5321 4.1.2 Quoted-string, whole buffer including the quotes */
static gboolean
check_quoted_string (const char *buf,
                     gsize       len)
{
  if (len < 2 || buf[0] != '"' || buf[len - 1] != '"')
    return FALSE;
  for (gsize i = 1; i < len - 1; i++)
    {
      guchar c = buf[i];

      if (c == '\\')
        {
          /* quoted-pairSMTP = %d92 %d32-126 */
          if (i + 1 >= len - 1)
            return FALSE;
          c = buf[++i];
          if (c < 32 || c > 126)
            return FALSE;
        }
      else if (c == '"')
        return FALSE;
      else if (!(c == 32 || c == 33 || (c >= 35 && c <= 91) || (c >= 93 && c <= 126) || c >= 0x80))
        return FALSE;
    }
  return TRUE;
}

/* Domain = sub-domain *("." sub-domain); sub-domain = Let-dig [Ldh-str] */
static gboolean
check_domain (const char *buf,
              gsize       len)
{
  gsize label = 0;

  if (len == 0 || len > MAX_DOMAIN)
    return FALSE;
  for (gsize i = 0; i <= len; i++)
    {
      if (i == len || buf[i] == '.')
        {
          /* Empty label, or a hyphen at either end of it */
          if (label == 0 || label > 63 || buf[i - 1] == '-' || buf[i - label] == '-')
            return FALSE;
          label = 0;
          continue;
        }
      if (!(g_ascii_isalnum (buf[i]) || buf[i] == '-' || (guchar)buf[i] >= 0x80))
        return FALSE;
      label++;
    }
  return TRUE;
}

static gboolean
check_ipv4 (const char *buf,
            gsize       len)
{
  guint parts = 0;
  gsize i = 0;

  while (i < len)
    {
      guint value = 0;
      gsize digits = 0;

      while (i < len && g_ascii_isdigit (buf[i]) && digits < 4)
        {
          value = value * 10 + (buf[i] - '0');
          digits++;
          i++;
        }
      if (digits == 0 || digits > 3 || value > 255)
        return FALSE;
      parts++;
      if (i < len)
        {
          if (buf[i] != '.' || parts == 4)
            return FALSE;
          i++;
          if (i == len)
            return FALSE;
        }
    }
  return parts == 4;
}

/* address-literal = "[" ( IPv4 / IPv6 / General-address-literal ) "]" */
static gboolean
check_address_literal (const char *buf,
                       gsize       len)
{
  g_autofree char *inner = NULL;
  const char *colon;

  if (len < 3 || buf[0] != '[' || buf[len - 1] != ']')
    return FALSE;
  buf++;
  len -= 2;

  if (check_ipv4 (buf, len))
    return TRUE;

  inner = g_strndup (buf, len);
  if (strlen (inner) != len)
    return FALSE;

  if (g_ascii_strncasecmp (inner, "IPv6:", 5) == 0)
    return strchr (inner + 5, ':') != NULL && g_hostname_is_ip_address (inner + 5);

  /* General-address-literal = Standardized-tag ":" 1*dcontent */
  colon = strchr (inner, ':');
  if (colon == NULL || colon == inner || colon[1] == '\0')
    return FALSE;
  for (const char *p = inner; p < colon; p++)
    if (!(g_ascii_isalnum (*p) || *p == '-'))
      return FALSE;
  for (const char *p = colon + 1; *p; p++)
    if (!((*p >= 33 && *p <= 90) || (*p >= 94 && *p <= 126)))
      return FALSE;
  return TRUE;
}

gboolean
mr_smtp_mailbox_is_valid (const char *buf,
                          gsize       len,
                          gboolean   *utf8_r)
{
  gsize local_len;
  gboolean utf8 = FALSE;

  if (utf8_r)
    *utf8_r = FALSE;
  if (buf == NULL || len == 0)
    return FALSE;

  for (gsize i = 0; i < len; i++)
    if ((guchar)buf[i] >= 0x80)
      utf8 = TRUE;
  if (utf8 && !g_utf8_validate (buf, len, NULL))
    return FALSE;

  /* Find the "@" that ends the local part: the last one outside quotes. */
  if (buf[0] == '"')
    {
      gsize i;

      for (i = 1; i < len; i++)
        {
          if (buf[i] == '\\')
            i++;
          else if (buf[i] == '"')
            break;
        }
      if (i >= len)
        return FALSE;
      local_len = i + 1;
      if (local_len >= len || buf[local_len] != '@')
        return FALSE;
      if (!check_quoted_string (buf, local_len))
        return FALSE;
    }
  else
    {
      const char *at = memchr (buf, '@', len);

      if (at == NULL)
        return FALSE;
      local_len = at - buf;
      if (!check_dot_string (buf, local_len))
        return FALSE;
    }

  if (local_len > MAX_LOCAL_PART)
    return FALSE;

  buf += local_len + 1;
  len -= local_len + 1;

  if (len > 0 && buf[0] == '[')
    {
      if (!check_address_literal (buf, len))
        return FALSE;
    }
  else if (!check_domain (buf, len))
    return FALSE;

  if (utf8_r)
    *utf8_r = utf8;
  return TRUE;
}

static void
param_free (gpointer data)
{
  MrSmtpParam *param = data;

  g_free (param->keyword);
  g_free (param->value);
  g_free (param);
}

void
mr_smtp_path_args_free (MrSmtpPathArgs *args)
{
  if (args == NULL)
    return;
  g_free (args->address);
  g_clear_pointer (&args->params, g_ptr_array_unref);
  g_free (args);
}

const char *
mr_smtp_path_args_get_param (const MrSmtpPathArgs *args,
                             const char           *keyword,
                             gboolean             *present_r)
{
  for (guint i = 0; i < args->params->len; i++)
    {
      const MrSmtpParam *param = g_ptr_array_index (args->params, i);

      if (strcmp (param->keyword, keyword) == 0)
        {
          if (present_r)
            *present_r = TRUE;
          return param->value;
        }
    }
  if (present_r)
    *present_r = FALSE;
  return NULL;
}

/* esmtp-param = esmtp-keyword ["=" esmtp-value] (RFC 5321 4.1.2) */
static gboolean
parse_params (const char  *buf,
              gsize        len,
              GPtrArray   *params,
              GError     **error)
{
  gsize i = 0;

  while (i < len)
    {
      g_autofree char *keyword = NULL;
      g_autofree char *value = NULL;
      gsize start;

      while (i < len && buf[i] == ' ')
        i++;
      if (i == len)
        break;

      start = i;
      if (!g_ascii_isalnum (buf[i]))
        goto bad;
      while (i < len && (g_ascii_isalnum (buf[i]) || buf[i] == '-'))
        i++;
      keyword = g_ascii_strup (buf + start, i - start);

      if (i < len && buf[i] == '=')
        {
          start = ++i;
          /* esmtp-value = 1*(%d33-60 / %d62-126), plus UTF-8 (RFC 6531 3.3) */
          while (i < len && buf[i] != ' ')
            {
              guchar c = buf[i];

              if (!((c >= 33 && c <= 60) || (c >= 62 && c <= 126) || c >= 0x80))
                goto bad;
              i++;
            }
          if (i == start)
            goto bad;
          value = g_strndup (buf + start, i - start);
          if (!g_utf8_validate (value, -1, NULL))
            goto bad;
        }
      else if (i < len && buf[i] != ' ')
        goto bad;

      {
        MrSmtpParam *param = g_new0 (MrSmtpParam, 1);

        param->keyword = g_steal_pointer (&keyword);
        param->value = g_steal_pointer (&value);
        g_ptr_array_add (params, param);
      }
    }

  return TRUE;

bad:
  g_set_error (error, MR_SMTP_PARSER_ERROR, MR_SMTP_PARSER_ERROR_PARAMETER,
               "Bad ESMTP parameter syntax");
  return FALSE;
}

MrSmtpPathArgs *
mr_smtp_parse_path_args (const char  *buf,
                         gsize        len,
                         const char  *prefix,
                         gboolean     allow_null,
                         GError     **error)
{
  g_autoptr(MrSmtpPathArgs) args = NULL;
  gsize prefix_len;
  gsize i;
  gsize path_start;
  gsize mbox_start;
  gsize mbox_end;
  gboolean in_quote = FALSE;

  g_return_val_if_fail (prefix != NULL, NULL);

  prefix_len = strlen (prefix);
  if (buf == NULL || len < prefix_len || g_ascii_strncasecmp (buf, prefix, prefix_len) != 0)
    {
      g_set_error (error, MR_SMTP_PARSER_ERROR, MR_SMTP_PARSER_ERROR_SYNTAX,
                   "Expected %s", prefix);
      return NULL;
    }

  i = prefix_len;
  while (i < len && buf[i] == ' ')
    i++;

  if (i == len || buf[i] != '<')
    {
      g_set_error (error, MR_SMTP_PARSER_ERROR, MR_SMTP_PARSER_ERROR_ADDRESS,
                   "The path must be in angle brackets");
      return NULL;
    }
  path_start = i++;

  /* A-d-l ":" : a source route, accepted and ignored (RFC 5321 4.1.1.3) */
  mbox_start = i;
  if (i < len && buf[i] == '@')
    {
      const char *colon = memchr (buf + i, ':', len - i);
      gsize route_end;

      if (colon == NULL)
        goto bad_address;
      route_end = colon - buf;
      for (gsize j = i; j < route_end;)
        {
          gsize k;

          if (buf[j] != '@')
            goto bad_address;
          k = ++j;
          while (k < route_end && buf[k] != ',')
            k++;
          if (!check_domain (buf + j, k - j))
            goto bad_address;
          j = k < route_end ? k + 1 : k;
        }
      mbox_start = route_end + 1;
    }

  /* Find the closing ">", skipping quoted parts. */
  for (i = mbox_start; i < len; i++)
    {
      if (in_quote && buf[i] == '\\')
        i++;
      else if (buf[i] == '"')
        in_quote = !in_quote;
      else if (!in_quote && buf[i] == '>')
        break;
    }
  if (i >= len)
    goto bad_address;
  mbox_end = i;
  i++;

  if (i - path_start > MAX_PATH)
    goto bad_address;

  args = g_new0 (MrSmtpPathArgs, 1);
  args->params = g_ptr_array_new_with_free_func (param_free);

  if (mbox_end == mbox_start)
    {
      if (!allow_null || mbox_start != path_start + 1)
        goto bad_address;
      args->address = g_strdup ("");
    }
  else if (!allow_null &&
           mbox_end - mbox_start == strlen ("postmaster") &&
           g_ascii_strncasecmp (buf + mbox_start, "postmaster", mbox_end - mbox_start) == 0)
    {
      /* RFC 5321 4.1.1.3: "<Postmaster>" with no domain */
      args->address = g_strdup ("postmaster");
    }
  else
    {
      if (!mr_smtp_mailbox_is_valid (buf + mbox_start, mbox_end - mbox_start, &args->utf8))
        goto bad_address;
      args->address = g_strndup (buf + mbox_start, mbox_end - mbox_start);
    }

  if (i < len)
    {
      if (buf[i] != ' ')
        goto bad_address;
      if (!parse_params (buf + i, len - i, args->params, error))
        return NULL;
    }

  return g_steal_pointer (&args);

bad_address:
  g_set_error (error, MR_SMTP_PARSER_ERROR, MR_SMTP_PARSER_ERROR_ADDRESS,
               "Bad address syntax");
  return NULL;
}

static int
hex_value (char c)
{
  if (c >= '0' && c <= '9')
    return c - '0';
  /* RFC 3461 4: hexchar is upper-case only */
  if (c >= 'A' && c <= 'F')
    return c - 'A' + 10;
  return -1;
}

char *
mr_smtp_xtext_decode (const char *buf,
                      gsize       len)
{
  g_autoptr(GString) out = g_string_sized_new (len);

  for (gsize i = 0; i < len; i++)
    {
      guchar c = buf[i];

      if (c == '+')
        {
          int hi, lo;

          if (i + 2 >= len)
            return NULL;
          hi = hex_value (buf[i + 1]);
          lo = hex_value (buf[i + 2]);
          if (hi < 0 || lo < 0)
            return NULL;
          g_string_append_c (out, (char)(hi * 16 + lo));
          i += 2;
        }
      else if (c >= 33 && c <= 126 && c != '=')
        g_string_append_c (out, c);
      else
        return NULL;
    }

  if (memchr (out->str, '\0', out->len) != NULL)
    return NULL;
  return g_string_free (g_steal_pointer (&out), FALSE);
}

static inline gboolean
is_base64_char (char c)
{
  return g_ascii_isalnum (c) || c == '+' || c == '/';
}

GBytes *
mr_smtp_base64_decode (const char *buf,
                       gsize       len)
{
  g_autofree char *copy = NULL;
  guchar *data;
  gsize out_len = 0;

  if (len == 1 && buf[0] == '=')
    return g_bytes_new (NULL, 0);
  if (len == 0 || len % 4 != 0)
    return NULL;

  for (gsize i = 0; i < len; i++)
    {
      if (is_base64_char (buf[i]))
        continue;
      if (buf[i] == '=' && (i == len - 1 || (i == len - 2 && buf[len - 1] == '=')))
        continue;
      return NULL;
    }

  copy = g_strndup (buf, len);
  data = g_base64_decode (copy, &out_len);
  return g_bytes_new_take (data, out_len);
}
