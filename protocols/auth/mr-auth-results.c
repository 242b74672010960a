/* mr-auth-results.c
 *
 * Copyright 2026 The Mailroom authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "mr-auth-results"

#include "config.h"

#include <string.h>

#include "mr-auth-results.h"

/* A comment (RFC 5322 3.2.2) must balance its parentheses and stay ASCII
 * in a header; reasons are for people, so square brackets will do. */
static void
append_comment (GString    *s,
                const char *text)
{
  if (text == NULL || *text == '\0')
    return;

  g_string_append (s, " (");
  for (const guchar *c = (const guchar *)text; *c != '\0'; c++)
    {
      if (c[0] == 0xe2 && c[1] == 0x80 && (c[2] == 0x9c || c[2] == 0x9d))
        {
          g_string_append_c (s, '"');
          c += 2;
        }
      else if (*c == '(')
        g_string_append_c (s, '[');
      else if (*c == ')')
        g_string_append_c (s, ']');
      else if (*c == '\\' || *c < 0x20 || *c >= 0x7f)
        {
          if (*c >= 0xc0 || *c < 0x80)
            g_string_append_c (s, '?');
        }
      else
        g_string_append_c (s, *c);
    }
  g_string_append_c (s, ')');
}

/* A property value is a token or a quoted string (RFC 8601 2.2). */
static void
append_value (GString    *s,
              const char *value)
{
  gboolean token = value != NULL && *value != '\0';

  for (const char *c = value; token && *c != '\0'; c++)
    if ((guchar)*c <= ' ' || (guchar)*c >= 0x7f || strchr ("()<>,;:\\\"/[]?=", *c) != NULL)
      if (*c != '@' && *c != '/')
        token = FALSE;
  if (token)
    {
      g_string_append (s, value);
      return;
    }
  g_string_append_c (s, '"');
  for (const char *c = value ? value : ""; *c != '\0'; c++)
    {
      if (*c == '"' || *c == '\\')
        g_string_append_c (s, '\\');
      if ((guchar)*c >= 0x20 && (guchar)*c < 0x7f)
        g_string_append_c (s, *c);
    }
  g_string_append_c (s, '"');
}

static void
begin_method (GString  *s,
              gboolean *first)
{
  g_string_append (s, *first ? "\r\n\t" : ";\r\n\t");
  *first = FALSE;
}

char *
mr_auth_results_format (const char     *authserv_id,
                        MrSpfVerdict   *spf,
                        GPtrArray      *dkim,
                        MrDmarcVerdict *dmarc)
{
  GString *s = g_string_new (MR_AUTH_RESULTS_HEADER ": ");
  gboolean first = TRUE;

  append_value (s, authserv_id ? authserv_id : "localhost");
  g_string_append_c (s, ';');

  if (spf != NULL)
    {
      begin_method (s, &first);
      g_string_append_printf (s, "spf=%s", mr_spf_result_to_string (spf->result));
      append_comment (s, spf->reason);
      /* RFC 8601 2.7.2: smtp.mailfrom, or smtp.helo for the HELO identity */
      if (g_strcmp0 (spf->identity, "helo") == 0)
        g_string_append (s, " smtp.helo=");
      else
        g_string_append (s, " smtp.mailfrom=");
      append_value (s, spf->domain);
    }

  if (dkim != NULL)
    {
      if (dkim->len == 0)
        {
          begin_method (s, &first);
          g_string_append (s, "dkim=none (no signature)");
        }
      for (guint i = 0; i < dkim->len; i++)
        {
          MrDkimVerdict *v = g_ptr_array_index (dkim, i);

          begin_method (s, &first);
          g_string_append_printf (s, "dkim=%s", mr_dkim_result_to_string (v->result));
          append_comment (s, v->reason);
          /* RFC 8601 2.7.1 and RFC 6008: header.d, header.s, header.b */
          if (v->domain != NULL)
            {
              g_string_append (s, " header.d=");
              append_value (s, v->domain);
            }
          if (v->selector != NULL)
            {
              g_string_append (s, " header.s=");
              append_value (s, v->selector);
            }
          if (v->b_prefix != NULL && *v->b_prefix != '\0')
            {
              g_string_append (s, " header.b=");
              append_value (s, v->b_prefix);
            }
        }
    }

  if (dmarc != NULL)
    {
      g_autofree char *comment = NULL;

      begin_method (s, &first);
      g_string_append_printf (s, "dmarc=%s", mr_dmarc_result_to_string (dmarc->result));
      if (dmarc->record != NULL)
        comment = g_strdup_printf ("p=%s dis=%s%s", mr_dmarc_policy_to_string (dmarc->policy),
                                   mr_dmarc_policy_to_string (dmarc->disposition),
                                   dmarc->sampled_out ? " pct" : "");
      append_comment (s, comment ? comment : dmarc->reason);
      if (dmarc->from_domain != NULL)
        {
          g_string_append (s, " header.from=");
          append_value (s, dmarc->from_domain);
        }
    }

  if (first)
    g_string_append (s, " none");
  g_string_append (s, "\r\n");

  return g_string_free (s, FALSE);
}

void
mr_auth_result_free (MrAuthResult *result)
{
  if (result == NULL)
    return;
  g_free (result->method);
  g_free (result->result);
  g_free (result->comment);
  g_strfreev (result->properties);
  g_free (result);
}

const char *
mr_auth_result_get_property (MrAuthResult *result,
                             const char   *name)
{
  gsize len;

  g_return_val_if_fail (result != NULL, NULL);
  g_return_val_if_fail (name != NULL, NULL);

  len = strlen (name);
  for (guint i = 0; result->properties != NULL && result->properties[i] != NULL; i++)
    if (g_ascii_strncasecmp (result->properties[i], name, len) == 0 && result->properties[i][len] == '=')
      return result->properties[i] + len + 1;
  return NULL;
}

/* Tokenizer for the value: skips CFWS, returning the first comment seen. */
typedef struct
{
  const char *p;
  char       *comment;
} Lexer;

static gboolean
skip_cfws (Lexer *lx)
{
  for (;;)
    {
      while (*lx->p == ' ' || *lx->p == '\t' || *lx->p == '\r' || *lx->p == '\n')
        lx->p++;
      if (*lx->p != '(')
        return TRUE;
      {
        const char *start = ++lx->p;
        guint depth = 1;

        while (*lx->p != '\0' && depth > 0)
          {
            if (*lx->p == '\\' && lx->p[1] != '\0')
              lx->p++;
            else if (*lx->p == '(')
              depth++;
            else if (*lx->p == ')')
              depth--;
            lx->p++;
          }
        if (depth > 0)
          return FALSE;
        if (lx->comment == NULL)
          lx->comment = g_strndup (start, lx->p - 1 - start);
      }
    }
}

/* A token, a quoted string, or a dotted/at'ed value: up to a separator. */
static char *
read_word (Lexer *lx)
{
  GString *s = g_string_new (NULL);

  if (*lx->p == '"')
    {
      lx->p++;
      while (*lx->p != '\0' && *lx->p != '"')
        {
          if (*lx->p == '\\' && lx->p[1] != '\0')
            lx->p++;
          g_string_append_c (s, *lx->p++);
        }
      if (*lx->p != '"')
        {
          g_string_free (s, TRUE);
          return NULL;
        }
      lx->p++;
      return g_string_free (s, FALSE);
    }

  while (*lx->p != '\0' && strchr (" \t\r\n();=\"", *lx->p) == NULL)
    g_string_append_c (s, *lx->p++);
  if (s->len == 0)
    {
      g_string_free (s, TRUE);
      return NULL;
    }
  return g_string_free (s, FALSE);
}

GPtrArray *
mr_auth_results_parse (const char  *value,
                       char       **authserv_id_r)
{
  g_autoptr(GPtrArray) results = g_ptr_array_new_with_free_func ((GDestroyNotify)mr_auth_result_free);
  g_autofree char *authserv_id = NULL;
  Lexer lx = { value, NULL };

  g_return_val_if_fail (value != NULL, NULL);

  /* authserv-id [ CFWS authres-version ] ( no-result / 1*resinfo ) */
  if (!skip_cfws (&lx) || (authserv_id = read_word (&lx)) == NULL)
    goto fail;
  if (!skip_cfws (&lx))
    goto fail;
  if (g_ascii_isdigit (*lx.p))
    {
      g_autofree char *version = read_word (&lx);

      if (!skip_cfws (&lx))
        goto fail;
    }

  while (*lx.p == ';')
    {
      g_autoptr(MrAuthResult) result = g_new0 (MrAuthResult, 1);
      g_autoptr(GPtrArray) props = g_ptr_array_new_with_free_func (g_free);
      g_autofree char *method = NULL;

      lx.p++;
      g_clear_pointer (&lx.comment, g_free);
      if (!skip_cfws (&lx))
        goto fail;
      if ((method = read_word (&lx)) == NULL || !skip_cfws (&lx) || *lx.p != '=')
        {
          /* "none" on its own: no results */
          if (method != NULL && g_ascii_strcasecmp (method, "none") == 0 && (*lx.p == '\0' || *lx.p == ';'))
            continue;
          goto fail;
        }
      lx.p++;
      if (!skip_cfws (&lx))
        goto fail;
      if ((result->result = read_word (&lx)) == NULL)
        goto fail;
      {
        /* a method version "dkim/1" stays out of the name */
        char *slash = strchr (method, '/');

        if (slash != NULL)
          *slash = '\0';
      }
      result->method = g_ascii_strdown (method, -1);
      {
        char *lower = g_ascii_strdown (result->result, -1);

        g_free (result->result);
        result->result = lower;
      }
      if (!skip_cfws (&lx))
        goto fail;
      result->comment = g_steal_pointer (&lx.comment);

      /* reasonspec and propspecs: name=value until ';' or the end */
      while (*lx.p != '\0' && *lx.p != ';')
        {
          g_autofree char *name = read_word (&lx);
          g_autofree char *prop_value = NULL;

          if (name == NULL || !skip_cfws (&lx) || *lx.p != '=')
            goto fail;
          lx.p++;
          if (!skip_cfws (&lx) || (prop_value = read_word (&lx)) == NULL || !skip_cfws (&lx))
            goto fail;
          g_ptr_array_add (props, g_strdup_printf ("%s=%s", name, prop_value));
        }
      g_ptr_array_add (props, NULL);
      result->properties = (GStrv)g_ptr_array_free (g_steal_pointer (&props), FALSE);
      g_ptr_array_add (results, g_steal_pointer (&result));
    }

  if (*lx.p != '\0')
    goto fail;

  g_free (lx.comment);
  if (authserv_id_r != NULL)
    *authserv_id_r = g_steal_pointer (&authserv_id);
  return g_steal_pointer (&results);

fail:
  g_free (lx.comment);
  return NULL;
}
