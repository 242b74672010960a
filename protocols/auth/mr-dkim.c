/* mr-dkim.c
 *
 * Copyright 2026 The Mailroom authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "mr-dkim"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <gnutls/abstract.h>
#include <gnutls/gnutls.h>
#include <gnutls/x509.h>
#include <string.h>

#include "mr-auth-dns.h"
#include "mr-dkim.h"
#include "mr-error.h"

#define IS_WSP(c) ((c) == ' ' || (c) == '\t')
#define IS_FWS(c) ((c) == ' ' || (c) == '\t' || (c) == '\r' || (c) == '\n')

/* Tag lists (RFC 6376 3.2) */

struct _MrDkimTags
{
  GPtrArray *names;
  GPtrArray *values;
};

void
mr_dkim_tags_free (MrDkimTags *tags)
{
  if (tags == NULL)
    return;
  g_ptr_array_unref (tags->names);
  g_ptr_array_unref (tags->values);
  g_free (tags);
}

static void
trim_fws (const char **start,
          const char **end)
{
  while (*start < *end && IS_FWS (**start))
    (*start)++;
  while (*end > *start && IS_FWS ((*end)[-1]))
    (*end)--;
}

/*
 * tag-list  =  tag-spec *( ";" tag-spec ) [ ";" ]
 * tag-spec  =  [FWS] tag-name [FWS] "=" [FWS] tag-value [FWS]
 * tag-name  =  ALPHA *ALNUMPUNC      (ALNUMPUNC = ALPHA / DIGIT / "_")
 * A tag given twice invalidates the whole list (RFC 6376 3.2).
 */
MrDkimTags *
mr_dkim_tags_parse (const char  *text,
                    gssize       len,
                    GError     **error)
{
  g_autoptr(MrDkimTags) tags = g_new0 (MrDkimTags, 1);
  const char *p, *end;

  g_return_val_if_fail (text != NULL, NULL);

  if (len < 0)
    len = strlen (text);
  tags->names = g_ptr_array_new_with_free_func (g_free);
  tags->values = g_ptr_array_new_with_free_func (g_free);

  if ((gsize)len > MR_DKIM_MAX_TAG_LIST)
    {
      g_set_error (error, MR_ERROR, MR_ERROR_BAD_SYNTAX, _("The tag list is too long"));
      return NULL;
    }

  p = text;
  end = text + len;
  while (p < end)
    {
      const char *semi = memchr (p, ';', end - p);
      const char *spec_end = semi ? semi : end;
      const char *name_start = p, *name_end, *eq, *value_start, *value_end;
      g_autofree char *name = NULL;

      p = semi ? semi + 1 : end;

      trim_fws (&name_start, &spec_end);
      if (name_start == spec_end)
        {
          /* Only a final ";" may leave an empty tag-spec. */
          if (semi == NULL || p == end || (trim_fws (&p, &end), p == end))
            break;
          g_set_error (error, MR_ERROR, MR_ERROR_BAD_SYNTAX, _("Empty tag in the tag list"));
          return NULL;
        }

      if ((eq = memchr (name_start, '=', spec_end - name_start)) == NULL)
        {
          g_set_error (error, MR_ERROR, MR_ERROR_BAD_SYNTAX, _("A tag without “=”"));
          return NULL;
        }
      name_end = eq;
      value_start = eq + 1;
      value_end = spec_end;
      trim_fws (&name_start, &name_end);
      trim_fws (&value_start, &value_end);

      if (name_start == name_end || !g_ascii_isalpha (*name_start))
        {
          g_set_error (error, MR_ERROR, MR_ERROR_BAD_SYNTAX, _("A malformed tag name"));
          return NULL;
        }
      for (const char *c = name_start; c < name_end; c++)
        if (!g_ascii_isalnum (*c) && *c != '_')
          {
            g_set_error (error, MR_ERROR, MR_ERROR_BAD_SYNTAX, _("A malformed tag name"));
            return NULL;
          }
      for (const char *c = value_start; c < value_end; c++)
        if (!IS_FWS (*c) && ((guchar)*c < 0x21 || (guchar)*c > 0x7e))
          {
            g_set_error (error, MR_ERROR, MR_ERROR_BAD_SYNTAX, _("A control character in a tag value"));
            return NULL;
          }

      name = g_strndup (name_start, name_end - name_start);
      if (mr_dkim_tags_get (tags, name) != NULL)
        {
          g_set_error (error, MR_ERROR, MR_ERROR_BAD_SYNTAX, _("The tag “%s” is given twice"), name);
          return NULL;
        }
      if (tags->names->len >= MR_DKIM_MAX_TAGS)
        {
          g_set_error (error, MR_ERROR, MR_ERROR_BAD_SYNTAX, _("Too many tags"));
          return NULL;
        }
      g_ptr_array_add (tags->names, g_steal_pointer (&name));
      g_ptr_array_add (tags->values, g_strndup (value_start, value_end - value_start));
    }

  return g_steal_pointer (&tags);
}

const char *
mr_dkim_tags_get (MrDkimTags *tags,
                  const char *name)
{
  g_return_val_if_fail (tags != NULL, NULL);

  /* Tag names are case-sensitive (RFC 6376 3.2). */
  for (guint i = 0; i < tags->names->len; i++)
    if (strcmp (g_ptr_array_index (tags->names, i), name) == 0)
      return g_ptr_array_index (tags->values, i);
  return NULL;
}

guint
mr_dkim_tags_get_n_tags (MrDkimTags *tags)
{
  g_return_val_if_fail (tags != NULL, 0);
  return tags->names->len;
}

/* A tag value without any whitespace (b=, bh=, p= are base64 with FWS). */
static char *
strip_fws (const char *value)
{
  GString *s = g_string_new (NULL);

  for (const char *c = value; *c != '\0'; c++)
    if (!IS_FWS (*c))
      g_string_append_c (s, *c);
  return g_string_free (s, FALSE);
}

static GBytes *
decode_base64 (const char *value)
{
  g_autofree char *clean = strip_fws (value);
  gsize len = strlen (clean);
  guchar *data;
  gsize out_len;

  if (len == 0 || len % 4 != 0)
    return NULL;
  for (gsize i = 0; i < len; i++)
    if (!g_ascii_isalnum (clean[i]) && clean[i] != '+' && clean[i] != '/' &&
        !(clean[i] == '=' && i >= len - 2))
      return NULL;

  data = g_base64_decode (clean, &out_len);
  return g_bytes_new_take (data, out_len);
}

/* Messages: header fields and body */

typedef struct
{
  char       *name;    /* as written */
  const char *raw;     /* the whole field, folded, with its CRLF */
  gsize       len;
} Field;

typedef struct
{
  GBytes     *bytes;   /* CRLF-normalised copy */
  GArray     *fields;  /* Field */
  const char *body;
  gsize       body_len;
} Message;

static void
field_clear (gpointer data)
{
  Field *field = data;

  g_free (field->name);
}

static void
message_clear (Message *message)
{
  g_clear_pointer (&message->fields, g_array_unref);
  g_clear_pointer (&message->bytes, g_bytes_unref);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Message, message_clear)

/* Lab messages are CRLF; a bare LF (a file pasted in) becomes CRLF. */
static GBytes *
to_crlf (GBytes *bytes)
{
  gsize len;
  const char *data = g_bytes_get_data (bytes, &len);
  GString *s;

  /* An empty GBytes may hold NULL: memchr must not see it. */
  if (len == 0 || memchr (data, '\n', len) == NULL)
    return g_bytes_ref (bytes);
  {
    gboolean bare = FALSE;

    for (gsize i = 0; i < len && !bare; i++)
      if (data[i] == '\n' && (i == 0 || data[i - 1] != '\r'))
        bare = TRUE;
    if (!bare)
      return g_bytes_ref (bytes);
  }

  s = g_string_sized_new (len + len / 16);
  for (gsize i = 0; i < len; i++)
    {
      if (data[i] == '\n' && (i == 0 || data[i - 1] != '\r'))
        g_string_append_c (s, '\r');
      g_string_append_c (s, data[i]);
    }
  return g_string_free_to_bytes (s);
}

static void
message_parse (Message *message,
               GBytes  *bytes)
{
  const char *data, *p, *end;
  gsize len;

  message->bytes = to_crlf (bytes);
  message->fields = g_array_new (FALSE, TRUE, sizeof (Field));
  g_array_set_clear_func (message->fields, field_clear);

  data = g_bytes_get_data (message->bytes, &len);
  p = data;
  end = data + len;

  while (p < end)
    {
      const char *start = p, *colon;
      Field field = { 0 };

      if (end - p >= 2 && p[0] == '\r' && p[1] == '\n')
        {
          p += 2;
          break;
        }

      /* one field: this line and its continuation lines */
      for (;;)
        {
          const char *nl = memchr (p, '\n', end - p);

          p = nl ? nl + 1 : end;
          if (p >= end || !IS_WSP (*p))
            break;
        }

      colon = memchr (start, ':', p - start);
      if (colon == NULL || IS_WSP (*start))
        continue;   /* not a field: ignored, as the RFC 5322 parser would */
      {
        const char *name_end = colon;

        while (name_end > start && IS_WSP (name_end[-1]))
          name_end--;
        field.name = g_strndup (start, name_end - start);
      }
      field.raw = start;
      field.len = p - start;
      g_array_append_val (message->fields, field);
    }

  message->body = p;
  message->body_len = end - p;
}

/* Canonicalization (RFC 6376 3.4) */

static void
canon_header_into (GString     *out,
                   MrDkimCanon  canon,
                   const char  *raw,
                   gsize        len,
                   gboolean     crlf)
{
  const char *colon, *p, *end;
  gboolean pending_space = FALSE;

  if (canon == MR_DKIM_CANON_SIMPLE)
    {
      /* 3.4.1: no change at all. */
      if (!crlf && len >= 2 && raw[len - 2] == '\r' && raw[len - 1] == '\n')
        len -= 2;
      g_string_append_len (out, raw, len);
      return;
    }

  /* 3.4.2: lower-case name, no WSP around the colon, unfolded, runs of
   * WSP as one SP, none at the end of the value. */
  colon = memchr (raw, ':', len);
  if (colon == NULL)
    colon = raw + len;
  {
    const char *name_end = colon;

    while (name_end > raw && IS_WSP (name_end[-1]))
      name_end--;
    for (p = raw; p < name_end; p++)
      g_string_append_c (out, g_ascii_tolower (*p));
  }
  g_string_append_c (out, ':');

  end = raw + len;
  p = colon < end ? colon + 1 : end;
  while (p < end && (IS_WSP (*p) || *p == '\r' || *p == '\n'))
    p++;
  for (; p < end; p++)
    {
      if (*p == '\r' || *p == '\n' || IS_WSP (*p))
        {
          pending_space = TRUE;
          continue;
        }
      if (pending_space)
        g_string_append_c (out, ' ');
      pending_space = FALSE;
      g_string_append_c (out, *p);
    }
  if (crlf)
    g_string_append (out, "\r\n");
}

GBytes *
mr_dkim_canon_header (MrDkimCanon  canon,
                      const char  *header,
                      gsize        len)
{
  GString *out = g_string_new (NULL);

  canon_header_into (out, canon, header, len, TRUE);
  return g_string_free_to_bytes (out);
}

GBytes *
mr_dkim_canon_body (MrDkimCanon  canon,
                    const char  *body,
                    gsize        len)
{
  GString *out = g_string_sized_new (len + 2);
  const char *p = body, *end = body + len;

  while (p < end)
    {
      const char *nl = NULL;
      const char *line_end;

      for (const char *q = p; q + 1 < end; q++)
        if (q[0] == '\r' && q[1] == '\n')
          {
            nl = q;
            break;
          }
      line_end = nl ? nl : end;

      if (canon == MR_DKIM_CANON_RELAXED)
        {
          /* 3.4.4: no WSP at line ends, runs of WSP as one SP. */
          gboolean pending = FALSE;

          for (const char *c = p; c < line_end; c++)
            {
              if (IS_WSP (*c))
                {
                  pending = TRUE;
                  continue;
                }
              if (pending)
                g_string_append_c (out, ' ');
              pending = FALSE;
              g_string_append_c (out, *c);
            }
        }
      else
        g_string_append_len (out, p, line_end - p);

      /* a last line without CRLF gets one */
      g_string_append (out, "\r\n");
      p = nl ? nl + 2 : end;
    }

  /* 3.4.3 / 3.4.4: empty lines at the end are ignored. */
  while (out->len >= 4 && memcmp (out->str + out->len - 4, "\r\n\r\n", 4) == 0)
    g_string_truncate (out, out->len - 2);
  if (out->len == 2 && memcmp (out->str, "\r\n", 2) == 0)
    g_string_truncate (out, 0);
  /* An empty body is one CRLF for simple, nothing for relaxed. */
  if (canon == MR_DKIM_CANON_SIMPLE && out->len == 0)
    g_string_append (out, "\r\n");

  return g_string_free_to_bytes (out);
}

static char *
body_hash (MrDkimCanon  canon,
           const char  *body,
           gsize        len,
           gint64       limit)
{
  g_autoptr(GBytes) canonical = mr_dkim_canon_body (canon, body, len);
  g_autoptr(GChecksum) sum = g_checksum_new (G_CHECKSUM_SHA256);
  guint8 digest[32];
  gsize digest_len = sizeof digest;
  gsize size;
  const guint8 *data = g_bytes_get_data (canonical, &size);

  /* l= signs only the first octets of the canonical body (3.5). */
  if (limit >= 0 && (gsize)limit < size)
    size = limit;
  g_checksum_update (sum, data, size);
  g_checksum_get_digest (sum, digest, &digest_len);
  return g_base64_encode (digest, digest_len);
}

/* Keys (GnuTLS) */

struct _MrDkimKey
{
  gnutls_privkey_t  privkey;
  MrDkimAlgorithm   algorithm;
};

void
mr_dkim_key_free (MrDkimKey *key)
{
  if (key == NULL)
    return;
  if (key->privkey != NULL)
    gnutls_privkey_deinit (key->privkey);
  g_free (key);
}

static gboolean
gnutls_check (int          ret,
              const char  *what,
              GError     **error)
{
  if (ret >= 0)
    return TRUE;
  g_set_error (error, MR_ERROR, MR_ERROR_FAILED, "%s: %s", what, gnutls_strerror (ret));
  return FALSE;
}

static MrDkimKey *
key_from_privkey (gnutls_privkey_t   privkey,
                  GError           **error)
{
  MrDkimKey *key;
  int pk = gnutls_privkey_get_pk_algorithm (privkey, NULL);

  if (pk != GNUTLS_PK_RSA && pk != GNUTLS_PK_EDDSA_ED25519)
    {
      gnutls_privkey_deinit (privkey);
      g_set_error (error, MR_ERROR, MR_ERROR_INVALID_DATA,
                   _("DKIM keys are RSA or Ed25519 (RFC 6376, RFC 8463)"));
      return NULL;
    }

  key = g_new0 (MrDkimKey, 1);
  key->privkey = privkey;
  key->algorithm = pk == GNUTLS_PK_RSA ? MR_DKIM_RSA_SHA256 : MR_DKIM_ED25519_SHA256;
  return key;
}

MrDkimKey *
mr_dkim_key_generate (MrDkimAlgorithm   algorithm,
                      GError          **error)
{
  gnutls_privkey_t privkey = NULL;
  int ret;

  if (!gnutls_check (gnutls_privkey_init (&privkey), "privkey_init", error))
    return NULL;
  /* RFC 8301 3.2: signers use RSA keys of at least 2048 bits. */
  if (algorithm == MR_DKIM_RSA_SHA256)
    ret = gnutls_privkey_generate (privkey, GNUTLS_PK_RSA, 2048, 0);
  else
    ret = gnutls_privkey_generate (privkey, GNUTLS_PK_EDDSA_ED25519,
                                   GNUTLS_CURVE_TO_BITS (GNUTLS_ECC_CURVE_ED25519), 0);
  if (!gnutls_check (ret, "privkey_generate", error))
    {
      gnutls_privkey_deinit (privkey);
      return NULL;
    }

  return key_from_privkey (privkey, error);
}

MrDkimKey *
mr_dkim_key_new_from_pem (const char  *pem,
                          GError     **error)
{
  gnutls_privkey_t privkey = NULL;
  gnutls_datum_t datum;

  g_return_val_if_fail (pem != NULL, NULL);

  datum.data = (unsigned char *)pem;
  datum.size = strlen (pem);
  if (!gnutls_check (gnutls_privkey_init (&privkey), "privkey_init", error))
    return NULL;
  if (!gnutls_check (gnutls_privkey_import_x509_raw (privkey, &datum, GNUTLS_X509_FMT_PEM, NULL, 0),
                     "privkey_import", error))
    {
      gnutls_privkey_deinit (privkey);
      return NULL;
    }

  return key_from_privkey (privkey, error);
}

MrDkimKey *
mr_dkim_key_new_ed25519 (GBytes  *secret,
                         GBytes  *public_key,
                         GError **error)
{
  gnutls_privkey_t privkey = NULL;
  gnutls_datum_t k, x;
  gsize k_len, x_len;
  int ret;

  g_return_val_if_fail (secret != NULL, NULL);
  g_return_val_if_fail (public_key != NULL, NULL);

  k.data = (unsigned char *)g_bytes_get_data (secret, &k_len);
  k.size = k_len;
  x.data = (unsigned char *)g_bytes_get_data (public_key, &x_len);
  x.size = x_len;
  if (k_len != 32 || x_len != 32)
    {
      g_set_error (error, MR_ERROR, MR_ERROR_INVALID_DATA, _("Ed25519 keys are 32 bytes"));
      return NULL;
    }

  if (!gnutls_check (gnutls_privkey_init (&privkey), "privkey_init", error))
    return NULL;
  ret = gnutls_privkey_import_ecc_raw (privkey, GNUTLS_ECC_CURVE_ED25519, &x, NULL, &k);
  if (!gnutls_check (ret, "ed25519 import", error))
    {
      gnutls_privkey_deinit (privkey);
      return NULL;
    }

  return key_from_privkey (privkey, error);
}

MrDkimAlgorithm
mr_dkim_key_get_algorithm (MrDkimKey *key)
{
  g_return_val_if_fail (key != NULL, MR_DKIM_RSA_SHA256);
  return key->algorithm;
}

char *
mr_dkim_key_dup_pem (MrDkimKey *key)
{
  gnutls_x509_privkey_t x509 = NULL;
  gnutls_datum_t out = { NULL, 0 };
  char *pem = NULL;

  g_return_val_if_fail (key != NULL, NULL);

  if (gnutls_privkey_export_x509 (key->privkey, &x509) < 0)
    return NULL;
  if (gnutls_x509_privkey_export2_pkcs8 (x509, GNUTLS_X509_FMT_PEM, NULL, GNUTLS_PKCS_PLAIN, &out) >= 0)
    pem = g_strndup ((const char *)out.data, out.size);
  gnutls_free (out.data);
  gnutls_x509_privkey_deinit (x509);
  return pem;
}

char *
mr_dkim_key_dup_record (MrDkimKey *key)
{
  gnutls_pubkey_t pub = NULL;
  gnutls_datum_t out = { NULL, 0 };
  g_autofree char *b64 = NULL;
  int ret;

  g_return_val_if_fail (key != NULL, NULL);

  if (gnutls_pubkey_init (&pub) < 0)
    return NULL;
  ret = gnutls_pubkey_import_privkey (pub, key->privkey, 0, 0);
  if (ret >= 0)
    {
      /* RFC 6376 3.6.1: RSA as a DER SubjectPublicKeyInfo; RFC 8463 4:
       * Ed25519 as the bare 32-byte key. */
      if (key->algorithm == MR_DKIM_RSA_SHA256)
        ret = gnutls_pubkey_export2 (pub, GNUTLS_X509_FMT_DER, &out);
      else
        ret = gnutls_pubkey_export_ecc_raw2 (pub, NULL, &out, NULL, 0);
    }
  gnutls_pubkey_deinit (pub);
  if (ret < 0)
    return NULL;

  b64 = g_base64_encode (out.data, out.size);
  gnutls_free (out.data);

  return g_strdup_printf ("v=DKIM1; k=%s; p=%s",
                          key->algorithm == MR_DKIM_RSA_SHA256 ? "rsa" : "ed25519", b64);
}

/* The data both sides hash: the fields h= names, each taken from the
 * bottom up (RFC 6376 5.4.2), then the signature field itself with b=
 * empty and without its final CRLF (3.7). */
static GString *
header_hash_input (Message            *message,
                   const char * const *names,
                   MrDkimCanon         canon,
                   const char         *signature_field,
                   gsize               signature_len,
                   gint                skip_index)
{
  GString *input = g_string_new (NULL);
  g_autofree gboolean *used = g_new0 (gboolean, message->fields->len + 1);

  if (skip_index >= 0)
    used[skip_index] = TRUE;

  for (guint n = 0; names[n] != NULL; n++)
    for (gint i = (gint)message->fields->len - 1; i >= 0; i--)
      {
        Field *field = &g_array_index (message->fields, Field, i);

        if (used[i] || g_ascii_strcasecmp (field->name, names[n]) != 0)
          continue;
        used[i] = TRUE;
        canon_header_into (input, canon, field->raw, field->len, TRUE);
        break;
      }

  canon_header_into (input, canon, signature_field, signature_len, FALSE);
  return input;
}

static gboolean
sign_data (MrDkimKey       *key,
           const GString   *input,
           gnutls_datum_t  *signature,
           GError         **error)
{
  gnutls_datum_t data;
  guint8 digest[32];
  gsize digest_len = sizeof digest;

  if (key->algorithm == MR_DKIM_RSA_SHA256)
    {
      data.data = (unsigned char *)input->str;
      data.size = input->len;
      return gnutls_check (gnutls_privkey_sign_data2 (key->privkey, GNUTLS_SIGN_RSA_SHA256, 0,
                                                      &data, signature),
                           "sign", error);
    }

  /* RFC 8463 3: Ed25519 signs the SHA-256 hash of the input (PureEdDSA
   * over the 32-byte digest). */
  {
    g_autoptr(GChecksum) sum = g_checksum_new (G_CHECKSUM_SHA256);

    g_checksum_update (sum, (const guchar *)input->str, input->len);
    g_checksum_get_digest (sum, digest, &digest_len);
  }
  data.data = digest;
  data.size = digest_len;
  return gnutls_check (gnutls_privkey_sign_data2 (key->privkey, GNUTLS_SIGN_EDDSA_ED25519, 0,
                                                  &data, signature),
                       "sign", error);
}

void
mr_dkim_sign_options_init (MrDkimSignOptions *options)
{
  g_return_if_fail (options != NULL);

  memset (options, 0, sizeof *options);
  options->header_canon = MR_DKIM_CANON_RELAXED;
  options->body_canon = MR_DKIM_CANON_RELAXED;
}

/* Appends " tag" to @s, folding before it when the line would pass 76. */
static void
append_folded (GString    *s,
               gsize      *line_start,
               const char *piece)
{
  gsize len = strlen (piece);

  if (s->len - *line_start + 1 + len > 76)
    {
      g_string_append (s, "\r\n\t");
      *line_start = s->len - 1;
    }
  else
    g_string_append_c (s, ' ');
  g_string_append (s, piece);
}

static const char * const default_headers[] = {
  "From", "To", "Cc", "Subject", "Date", "Message-ID", "Reply-To", "MIME-Version",
  "Content-Type", NULL
};

char *
mr_dkim_sign (MrDkimKey                *key,
              const MrDkimSignOptions  *options,
              GBytes                   *message_bytes,
              GError                  **error)
{
  g_auto(Message) message = { 0 };
  g_autoptr(GPtrArray) names = g_ptr_array_new ();
  g_autoptr(GString) field = g_string_new ("DKIM-Signature:");
  g_autoptr(GString) input = NULL;
  g_autoptr(GString) h = g_string_new ("h=");
  g_autofree char *bh = NULL;
  g_autofree char *piece = NULL;
  g_autofree char *b64 = NULL;
  gnutls_datum_t signature = { NULL, 0 };
  gboolean has_from = FALSE;
  gsize line_start = 0;

  g_return_val_if_fail (key != NULL, NULL);
  g_return_val_if_fail (options != NULL && options->domain != NULL && options->selector != NULL, NULL);
  g_return_val_if_fail (message_bytes != NULL, NULL);

  message_parse (&message, message_bytes);

  for (guint i = 0; i < message.fields->len; i++)
    if (g_ascii_strcasecmp (g_array_index (message.fields, Field, i).name, "From") == 0)
      has_from = TRUE;
  /* RFC 6376 5.4: From must be signed, so it must be there. */
  if (!has_from)
    {
      g_set_error (error, MR_ERROR, MR_ERROR_INVALID_DATA, _("A message to sign needs a From: field"));
      return NULL;
    }

  if (options->headers != NULL)
    {
      for (guint i = 0; options->headers[i] != NULL; i++)
        g_ptr_array_add (names, (gpointer)options->headers[i]);
    }
  else
    {
      /* Every instance of the default fields present in the message. */
      for (guint n = 0; default_headers[n] != NULL; n++)
        for (guint i = 0; i < message.fields->len; i++)
          if (g_ascii_strcasecmp (g_array_index (message.fields, Field, i).name, default_headers[n]) == 0)
            g_ptr_array_add (names, (gpointer)default_headers[n]);
    }
  g_ptr_array_add (names, NULL);

  bh = body_hash (options->body_canon, message.body, message.body_len, -1);

  piece = g_strdup_printf ("v=1; a=%s; c=%s/%s;",
                           key->algorithm == MR_DKIM_RSA_SHA256 ? "rsa-sha256" : "ed25519-sha256",
                           options->header_canon == MR_DKIM_CANON_RELAXED ? "relaxed" : "simple",
                           options->body_canon == MR_DKIM_CANON_RELAXED ? "relaxed" : "simple");
  append_folded (field, &line_start, piece);
  g_clear_pointer (&piece, g_free);
  piece = g_strdup_printf ("d=%s;", options->domain);
  append_folded (field, &line_start, piece);
  g_clear_pointer (&piece, g_free);
  piece = g_strdup_printf ("s=%s;", options->selector);
  append_folded (field, &line_start, piece);
  if (options->timestamp > 0)
    {
      g_clear_pointer (&piece, g_free);
      piece = g_strdup_printf ("t=%" G_GINT64_FORMAT ";", options->timestamp);
      append_folded (field, &line_start, piece);
    }
  for (guint i = 0; names->pdata[i] != NULL; i++)
    {
      g_autofree char *lower = g_ascii_strdown (names->pdata[i], -1);

      if (i > 0)
        g_string_append_c (h, ':');
      g_string_append (h, lower);
    }
  g_string_append_c (h, ';');
  append_folded (field, &line_start, h->str);
  g_clear_pointer (&piece, g_free);
  piece = g_strdup_printf ("bh=%s;", bh);
  append_folded (field, &line_start, piece);
  append_folded (field, &line_start, "b=");

  input = header_hash_input (&message, (const char * const *)names->pdata, options->header_canon,
                             field->str, field->len, -1);
  if (!sign_data (key, input, &signature, error))
    return NULL;
  b64 = g_base64_encode (signature.data, signature.size);
  gnutls_free (signature.data);

  /* b= folded in chunks; FWS inside base64 is ignored (3.5). */
  for (gsize off = 0, len = strlen (b64); off < len; off += 72)
    {
      if (off > 0 || field->len - line_start > 4)
        g_string_append (field, "\r\n\t");
      g_string_append_len (field, b64 + off, MIN (72, len - off));
    }
  g_string_append (field, "\r\n");

  return g_string_free (g_steal_pointer (&field), FALSE);
}

GBytes *
mr_dkim_sign_message (MrDkimKey                *key,
                      const MrDkimSignOptions  *options,
                      GBytes                   *message,
                      GError                  **error)
{
  g_autofree char *field = mr_dkim_sign (key, options, message, error);
  GByteArray *out;
  gsize len;
  const guint8 *data;

  if (field == NULL)
    return NULL;

  data = g_bytes_get_data (message, &len);
  out = g_byte_array_sized_new (strlen (field) + len);
  g_byte_array_append (out, (const guint8 *)field, strlen (field));
  g_byte_array_append (out, data, len);
  return g_byte_array_free_to_bytes (out);
}

/* Verification (RFC 6376 6) */

void
mr_dkim_verdict_free (MrDkimVerdict *verdict)
{
  if (verdict == NULL)
    return;
  g_free (verdict->reason);
  g_free (verdict->domain);
  g_free (verdict->selector);
  g_free (verdict->identity);
  g_free (verdict->algorithm);
  g_free (verdict->canonicalization);
  g_free (verdict->b_prefix);
  g_strfreev (verdict->signed_headers);
  g_free (verdict);
}

const char *
mr_dkim_result_to_string (MrDkimResult result)
{
  switch (result)
    {
    case MR_DKIM_NONE:      return "none";
    case MR_DKIM_PASS:      return "pass";
    case MR_DKIM_FAIL:      return "fail";
    case MR_DKIM_NEUTRAL:   return "neutral";
    case MR_DKIM_TEMPERROR: return "temperror";
    case MR_DKIM_PERMERROR: return "permerror";
    default:                return "permerror";
    }
}

const char *
mr_dkim_failure_to_string (MrDkimFailure failure)
{
  switch (failure)
    {
    case MR_DKIM_FAILURE_NONE:               return "none";
    case MR_DKIM_FAILURE_SYNTAX:             return "syntax";
    case MR_DKIM_FAILURE_UNSUPPORTED:        return "unsupported";
    case MR_DKIM_FAILURE_EXPIRED:            return "expired";
    case MR_DKIM_FAILURE_NO_KEY:             return "no-key";
    case MR_DKIM_FAILURE_KEY_REVOKED:        return "key-revoked";
    case MR_DKIM_FAILURE_BAD_KEY:            return "bad-key";
    case MR_DKIM_FAILURE_DNS:                return "dns";
    case MR_DKIM_FAILURE_BODY_HASH_MISMATCH: return "body-hash-mismatch";
    case MR_DKIM_FAILURE_SIGNATURE_MISMATCH: return "signature-mismatch";
    default:                                 return "unknown";
    }
}

static MrDkimVerdict *
verdict_set (MrDkimVerdict *verdict,
             MrDkimResult   result,
             MrDkimFailure  failure,
             const char    *format,
             ...) G_GNUC_PRINTF (4, 5);

static MrDkimVerdict *
verdict_set (MrDkimVerdict *verdict,
             MrDkimResult   result,
             MrDkimFailure  failure,
             const char    *format,
             ...)
{
  va_list args;

  verdict->result = result;
  verdict->failure = failure;
  g_free (verdict->reason);
  va_start (args, format);
  verdict->reason = g_strdup_vprintf (format, args);
  va_end (args);
  return verdict;
}

/* The signature field with the value of b= removed (3.7), so that the
 * canonicalization sees exactly what the signer hashed. */
static char *
remove_b_value (const char *raw,
                gsize       len,
                gsize      *len_r)
{
  GString *s = g_string_new_len (raw, len);
  const char *colon = memchr (s->str, ':', s->len);
  gsize pos = colon ? colon - s->str + 1 : s->len;

  while (pos < s->len)
    {
      gsize start = pos, name_start, name_end, eq;
      const char *semi = memchr (s->str + pos, ';', s->len - pos);
      gsize end = semi ? (gsize)(semi - s->str) : s->len;

      name_start = start;
      while (name_start < end && IS_FWS (s->str[name_start]))
        name_start++;
      eq = name_start;
      while (eq < end && s->str[eq] != '=')
        eq++;
      name_end = eq;
      while (name_end > name_start && IS_FWS (s->str[name_end - 1]))
        name_end--;
      if (eq < end && name_end - name_start == 1 && s->str[name_start] == 'b')
        {
          gsize value_end = end;

          /* keep the field's final CRLF when b= is the last tag */
          if (semi == NULL && value_end >= 2 && s->str[value_end - 2] == '\r' &&
              s->str[value_end - 1] == '\n')
            value_end -= 2;
          g_string_erase (s, eq + 1, value_end - (eq + 1));
          break;
        }
      pos = end + 1;
    }

  *len_r = s->len;
  return g_string_free (s, FALSE);
}

static gboolean
parse_canon (const char  *value,
             MrDkimCanon *header_r,
             MrDkimCanon *body_r)
{
  g_auto(GStrv) parts = NULL;

  *header_r = *body_r = MR_DKIM_CANON_SIMPLE;
  if (value == NULL)
    return TRUE;
  parts = g_strsplit (value, "/", 3);
  if (parts[0] == NULL || (parts[1] != NULL && parts[2] != NULL))
    return FALSE;
  for (guint i = 0; parts[i] != NULL; i++)
    {
      MrDkimCanon c;

      g_strstrip (parts[i]);
      if (strcmp (parts[i], "simple") == 0)
        c = MR_DKIM_CANON_SIMPLE;
      else if (strcmp (parts[i], "relaxed") == 0)
        c = MR_DKIM_CANON_RELAXED;
      else
        return FALSE;
      if (i == 0)
        *header_r = c;
      else
        *body_r = c;
    }
  return TRUE;
}

static gboolean
domain_is_or_below (const char *identity_domain,
                    const char *d)
{
  gsize a = strlen (identity_domain), b = strlen (d);

  if (g_ascii_strcasecmp (identity_domain, d) == 0)
    return TRUE;
  return a > b && identity_domain[a - b - 1] == '.' &&
         g_ascii_strcasecmp (identity_domain + a - b, d) == 0;
}

/* Fetches and checks the key record (RFC 6376 3.6.1, 6.1.2). */
static gnutls_pubkey_t
fetch_key (MrDns           *dns,
           MrDkimVerdict   *verdict,
           MrDkimAlgorithm  algorithm)
{
  g_autofree char *name = g_strdup_printf ("%s._domainkey.%s", verdict->selector, verdict->domain);
  g_autoptr(GPtrArray) texts = NULL;
  g_autoptr(MrDkimTags) tags = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) der = NULL;
  const char *v, *k, *p, *h, *s;
  gnutls_pubkey_t pub = NULL;
  gnutls_datum_t datum;
  gsize len;
  int ret;

  switch (_mr_auth_dns_lookup (dns, name, MR_DNS_TXT, &texts))
    {
    case MR_DNS_OK:
      break;
    case MR_DNS_SERVFAIL:
      verdict_set (verdict, MR_DKIM_TEMPERROR, MR_DKIM_FAILURE_DNS,
                   "the key %s could not be fetched (DNS failure)", name);
      return NULL;
    case MR_DNS_NXDOMAIN:
    case MR_DNS_NO_DATA:
    case MR_DNS_NULL_MX:
    default:
      verdict_set (verdict, MR_DKIM_PERMERROR, MR_DKIM_FAILURE_NO_KEY, "no key published at %s", name);
      return NULL;
    }

  tags = mr_dkim_tags_parse (g_ptr_array_index (texts, 0), -1, &error);
  if (tags == NULL)
    {
      verdict_set (verdict, MR_DKIM_PERMERROR, MR_DKIM_FAILURE_BAD_KEY,
                   "the key record at %s is malformed: %s", name, error->message);
      return NULL;
    }

  v = mr_dkim_tags_get (tags, "v");
  k = mr_dkim_tags_get (tags, "k");
  p = mr_dkim_tags_get (tags, "p");
  h = mr_dkim_tags_get (tags, "h");
  s = mr_dkim_tags_get (tags, "s");
  if ((v != NULL && strcmp (v, "DKIM1") != 0) || p == NULL)
    {
      verdict_set (verdict, MR_DKIM_PERMERROR, MR_DKIM_FAILURE_BAD_KEY,
                   "the key record at %s is not a DKIM1 key", name);
      return NULL;
    }
  if (h != NULL && strstr (h, "sha256") == NULL)
    {
      verdict_set (verdict, MR_DKIM_PERMERROR, MR_DKIM_FAILURE_BAD_KEY,
                   "the key at %s does not allow sha256", name);
      return NULL;
    }
  if (s != NULL && strstr (s, "*") == NULL && strstr (s, "email") == NULL)
    {
      verdict_set (verdict, MR_DKIM_PERMERROR, MR_DKIM_FAILURE_BAD_KEY,
                   "the key at %s is not for email", name);
      return NULL;
    }
  if (*p == '\0')
    {
      verdict_set (verdict, MR_DKIM_PERMERROR, MR_DKIM_FAILURE_KEY_REVOKED,
                   "the key at %s is revoked (empty p=)", name);
      return NULL;
    }
  if ((k == NULL || strcmp (k, "rsa") == 0) ? algorithm != MR_DKIM_RSA_SHA256
                                             : (strcmp (k, "ed25519") != 0 ||
                                                algorithm != MR_DKIM_ED25519_SHA256))
    {
      verdict_set (verdict, MR_DKIM_PERMERROR, MR_DKIM_FAILURE_BAD_KEY,
                   "the key at %s is not of type %s", name, verdict->algorithm);
      return NULL;
    }
  if ((der = decode_base64 (p)) == NULL)
    {
      verdict_set (verdict, MR_DKIM_PERMERROR, MR_DKIM_FAILURE_BAD_KEY,
                   "the key at %s is not base64", name);
      return NULL;
    }

  datum.data = (unsigned char *)g_bytes_get_data (der, &len);
  datum.size = len;
  if (gnutls_pubkey_init (&pub) < 0)
    return NULL;
  if (algorithm == MR_DKIM_RSA_SHA256)
    ret = gnutls_pubkey_import (pub, &datum, GNUTLS_X509_FMT_DER);
  else
    ret = len == 32 ? gnutls_pubkey_import_ecc_raw (pub, GNUTLS_ECC_CURVE_ED25519, &datum, NULL)
                    : GNUTLS_E_INVALID_REQUEST;
  if (ret >= 0 && algorithm == MR_DKIM_RSA_SHA256)
    {
      unsigned int bits = 0;

      /* RFC 8301 3.2: verifiers refuse RSA keys under 1024 bits. */
      if (gnutls_pubkey_get_pk_algorithm (pub, &bits) != GNUTLS_PK_RSA || bits < 1024)
        ret = GNUTLS_E_INVALID_REQUEST;
    }
  if (ret < 0)
    {
      gnutls_pubkey_deinit (pub);
      verdict_set (verdict, MR_DKIM_PERMERROR, MR_DKIM_FAILURE_BAD_KEY,
                   "the key at %s cannot be used", name);
      return NULL;
    }

  return pub;
}

static MrDkimVerdict *
verify_one (MrDns   *dns,
            Message *message,
            guint    index,
            gint64   now)
{
  MrDkimVerdict *verdict = g_new0 (MrDkimVerdict, 1);
  Field *field = &g_array_index (message->fields, Field, index);
  const char *colon = memchr (field->raw, ':', field->len);
  g_autoptr(MrDkimTags) tags = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GString) input = NULL;
  g_autoptr(GBytes) signature = NULL;
  g_autofree char *stripped = NULL;
  g_autofree char *bh = NULL;
  g_autofree char *expected_bh = NULL;
  g_auto(GStrv) names = NULL;
  const char *v, *a, *b, *bhv, *c, *d, *hv, *i, *l, *q, *s, *x;
  MrDkimAlgorithm algorithm;
  MrDkimCanon header_canon, body_canon;
  gnutls_pubkey_t pub;
  gnutls_datum_t data, sig;
  gsize stripped_len, sig_len;
  gint64 limit = -1;
  gboolean has_from = FALSE;
  guint8 digest[32];
  gsize digest_len = sizeof digest;
  int ret;

  tags = mr_dkim_tags_parse (colon + 1, field->raw + field->len - (colon + 1), &error);
  if (tags == NULL)
    return verdict_set (verdict, MR_DKIM_NEUTRAL, MR_DKIM_FAILURE_SYNTAX,
                        "malformed signature: %s", error->message);

  v = mr_dkim_tags_get (tags, "v");
  a = mr_dkim_tags_get (tags, "a");
  b = mr_dkim_tags_get (tags, "b");
  bhv = mr_dkim_tags_get (tags, "bh");
  c = mr_dkim_tags_get (tags, "c");
  d = mr_dkim_tags_get (tags, "d");
  hv = mr_dkim_tags_get (tags, "h");
  i = mr_dkim_tags_get (tags, "i");
  l = mr_dkim_tags_get (tags, "l");
  q = mr_dkim_tags_get (tags, "q");
  s = mr_dkim_tags_get (tags, "s");
  x = mr_dkim_tags_get (tags, "x");

  if (d != NULL)
    verdict->domain = g_ascii_strdown (d, -1);
  verdict->selector = g_strdup (s);
  verdict->algorithm = g_strdup (a);
  if (b != NULL)
    {
      g_autofree char *clean = strip_fws (b);

      verdict->b_prefix = g_strndup (clean, 8);
    }
  if (hv != NULL)
    {
      names = g_strsplit (hv, ":", MR_DKIM_MAX_SIGNED_HEADERS + 2);
      for (guint n = 0; names[n] != NULL; n++)
        {
          g_strstrip (names[n]);
          if (g_ascii_strcasecmp (names[n], "from") == 0)
            has_from = TRUE;
        }
      verdict->signed_headers = g_strdupv (names);
    }
  verdict->identity = i ? g_strdup (i) : d ? g_strdup_printf ("@%s", verdict->domain) : NULL;

  /* 6.1.1: required tags, version, and the tags' own consistency. */
  if (v == NULL || a == NULL || b == NULL || bhv == NULL || d == NULL || hv == NULL || s == NULL)
    return verdict_set (verdict, MR_DKIM_PERMERROR, MR_DKIM_FAILURE_SYNTAX,
                        "the signature lacks a required tag (v a b bh d h s)");
  if (strcmp (v, "1") != 0)
    return verdict_set (verdict, MR_DKIM_PERMERROR, MR_DKIM_FAILURE_UNSUPPORTED,
                        "unsupported signature version v=%s", v);
  if (strcmp (a, "rsa-sha256") == 0)
    algorithm = MR_DKIM_RSA_SHA256;
  else if (strcmp (a, "ed25519-sha256") == 0)
    algorithm = MR_DKIM_ED25519_SHA256;
  else
    return verdict_set (verdict, MR_DKIM_PERMERROR, MR_DKIM_FAILURE_UNSUPPORTED,
                        "unsupported algorithm a=%s (RFC 8301 retires rsa-sha1)", a);
  if (!parse_canon (c, &header_canon, &body_canon))
    return verdict_set (verdict, MR_DKIM_PERMERROR, MR_DKIM_FAILURE_UNSUPPORTED,
                        "unknown canonicalization c=%s", c);
  verdict->canonicalization = g_strdup_printf ("%s/%s",
                                               header_canon == MR_DKIM_CANON_RELAXED ? "relaxed" : "simple",
                                               body_canon == MR_DKIM_CANON_RELAXED ? "relaxed" : "simple");
  if (g_strv_length (names) > MR_DKIM_MAX_SIGNED_HEADERS)
    return verdict_set (verdict, MR_DKIM_PERMERROR, MR_DKIM_FAILURE_SYNTAX,
                        "h= lists more than %u fields", MR_DKIM_MAX_SIGNED_HEADERS);
  if (!has_from)
    return verdict_set (verdict, MR_DKIM_PERMERROR, MR_DKIM_FAILURE_SYNTAX,
                        "h= does not sign From (RFC 6376 5.4)");
  if (i != NULL)
    {
      const char *at = strrchr (i, '@');

      if (at == NULL || !domain_is_or_below (at + 1, d))
        return verdict_set (verdict, MR_DKIM_PERMERROR, MR_DKIM_FAILURE_SYNTAX,
                            "i=%s is not within d=%s", i, d);
    }
  if (q != NULL && strcmp (q, "dns/txt") != 0)
    return verdict_set (verdict, MR_DKIM_PERMERROR, MR_DKIM_FAILURE_UNSUPPORTED,
                        "unsupported query method q=%s", q);
  if (l != NULL)
    {
      char *end;

      limit = g_ascii_strtoll (l, &end, 10);
      if (end == l || *end != '\0' || limit < 0)
        return verdict_set (verdict, MR_DKIM_PERMERROR, MR_DKIM_FAILURE_SYNTAX, "malformed l=%s", l);
    }
  if (x != NULL)
    {
      char *end;
      gint64 expires = g_ascii_strtoll (x, &end, 10);

      if (end == x || *end != '\0')
        return verdict_set (verdict, MR_DKIM_PERMERROR, MR_DKIM_FAILURE_SYNTAX, "malformed x=%s", x);
      if (now > 0 && expires < now)
        return verdict_set (verdict, MR_DKIM_PERMERROR, MR_DKIM_FAILURE_EXPIRED,
                            "the signature expired (x=%s)", x);
    }
  if ((signature = decode_base64 (b)) == NULL)
    return verdict_set (verdict, MR_DKIM_PERMERROR, MR_DKIM_FAILURE_SYNTAX, "b= is not base64");

  /* 6.1.2: the key. */
  if ((pub = fetch_key (dns, verdict, algorithm)) == NULL)
    {
      if (verdict->reason == NULL)
        verdict_set (verdict, MR_DKIM_PERMERROR, MR_DKIM_FAILURE_BAD_KEY, "unusable key");
      return verdict;
    }

  /* 6.1.3: the body hash first, then the signature. */
  bh = body_hash (body_canon, message->body, message->body_len, limit);
  expected_bh = strip_fws (bhv);
  verdict->body_hash_ok = strcmp (bh, expected_bh) == 0;
  if (!verdict->body_hash_ok)
    {
      gnutls_pubkey_deinit (pub);
      return verdict_set (verdict, MR_DKIM_FAIL, MR_DKIM_FAILURE_BODY_HASH_MISMATCH,
                          "body hash mismatch: the body changed after signing");
    }

  stripped = remove_b_value (field->raw, field->len, &stripped_len);
  input = header_hash_input (message, (const char * const *)names, header_canon,
                             stripped, stripped_len, index);

  sig.data = (unsigned char *)g_bytes_get_data (signature, &sig_len);
  sig.size = sig_len;
  if (algorithm == MR_DKIM_RSA_SHA256)
    {
      data.data = (unsigned char *)input->str;
      data.size = input->len;
      ret = gnutls_pubkey_verify_data2 (pub, GNUTLS_SIGN_RSA_SHA256, 0, &data, &sig);
    }
  else
    {
      g_autoptr(GChecksum) sum = g_checksum_new (G_CHECKSUM_SHA256);

      g_checksum_update (sum, (const guchar *)input->str, input->len);
      g_checksum_get_digest (sum, digest, &digest_len);
      data.data = digest;
      data.size = digest_len;
      ret = gnutls_pubkey_verify_data2 (pub, GNUTLS_SIGN_EDDSA_ED25519, 0, &data, &sig);
    }
  gnutls_pubkey_deinit (pub);

  if (ret < 0)
    return verdict_set (verdict, MR_DKIM_FAIL, MR_DKIM_FAILURE_SIGNATURE_MISMATCH,
                        "signature mismatch: a signed header changed after signing");

  return verdict_set (verdict, MR_DKIM_PASS, MR_DKIM_FAILURE_NONE, "signature verified with %s._domainkey.%s",
                      verdict->selector, verdict->domain);
}

GPtrArray *
mr_dkim_verify (MrDns  *dns,
                GBytes *bytes,
                gint64  now)
{
  g_auto(Message) message = { 0 };
  GPtrArray *verdicts = g_ptr_array_new_with_free_func ((GDestroyNotify)mr_dkim_verdict_free);

  g_return_val_if_fail (MR_IS_DNS (dns), verdicts);
  g_return_val_if_fail (bytes != NULL, verdicts);

  message_parse (&message, bytes);
  for (guint i = 0; i < message.fields->len && verdicts->len < MR_DKIM_MAX_SIGNATURES; i++)
    if (g_ascii_strcasecmp (g_array_index (message.fields, Field, i).name, "DKIM-Signature") == 0)
      g_ptr_array_add (verdicts, verify_one (dns, &message, i, now));

  return verdicts;
}
