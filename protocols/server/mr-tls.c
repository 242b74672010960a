/* mr-tls.c
 *
 * Copyright 2026 The Mailroom authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "mr-tls"

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <gnutls/gnutls.h>
#include <gnutls/x509.h>
#include <glib/gstdio.h>
#include <string.h>
#include <unistd.h>

#include "mr-error.h"
#include "mr-tls.h"

/* GIO has no API to make a certificate, so GnuTLS (GIO's own TLS backend
 * on Debian and in the GNOME runtime) makes one. */

static const char * const lab_names[] = {
  "localhost",
  "smtp.sender.example",
  "mx1.recipient.example",
  "mx2.recipient.example",
  "mail.recipient.example",
};

static gboolean
check (int          ret,
       const char  *what,
       GError     **error)
{
  if (ret < 0)
    {
      g_set_error (error, MR_ERROR, MR_ERROR_FAILED, "%s: %s", what, gnutls_strerror (ret));
      return FALSE;
    }
  return TRUE;
}

static gboolean
export_pem (int        (*export_func) (void *, gnutls_x509_crt_fmt_t, void *, size_t *),
            void        *object,
            GString     *out,
            GError     **error)
{
  size_t size = 16384;
  g_autofree char *buffer = g_malloc (size);

  if (!check (export_func (object, GNUTLS_X509_FMT_PEM, buffer, &size), "export", error))
    return FALSE;
  g_string_append_len (out, buffer, size);
  return TRUE;
}

static gboolean
create_certificate (const char  *cert_path,
                    const char  *key_path,
                    GError     **error)
{
  gnutls_x509_privkey_t key = NULL;
  gnutls_x509_crt_t crt = NULL;
  g_autoptr(GString) key_pem = g_string_new (NULL);
  g_autoptr(GString) cert_pem = g_string_new (NULL);
  guint8 serial[16];
  time_t now = time (NULL);
  gboolean ok = FALSE;
  int fd;

  for (guint i = 0; i < sizeof serial; i++)
    serial[i] = (guint8)g_random_int_range (0, 256);
  serial[0] &= 0x7f; /* positive */

  if (!check (gnutls_x509_privkey_init (&key), "key init", error) ||
      !check (gnutls_x509_privkey_generate (key, GNUTLS_PK_ECDSA,
                                            GNUTLS_CURVE_TO_BITS (GNUTLS_ECC_CURVE_SECP256R1), 0),
              "key generation", error) ||
      !check (gnutls_x509_crt_init (&crt), "certificate init", error) ||
      !check (gnutls_x509_crt_set_key (crt, key), "set key", error) ||
      !check (gnutls_x509_crt_set_version (crt, 3), "set version", error) ||
      !check (gnutls_x509_crt_set_serial (crt, serial, sizeof serial), "set serial", error) ||
      !check (gnutls_x509_crt_set_activation_time (crt, now - 3600), "set activation", error) ||
      !check (gnutls_x509_crt_set_expiration_time (crt, now + 10 * 365 * 24 * 3600), "set expiration", error) ||
      !check (gnutls_x509_crt_set_dn_by_oid (crt, GNUTLS_OID_X520_COMMON_NAME, 0, "Mailroom lab", 12),
              "set CN", error) ||
      !check (gnutls_x509_crt_set_basic_constraints (crt, 0, -1), "set constraints", error) ||
      !check (gnutls_x509_crt_set_key_usage (crt, GNUTLS_KEY_DIGITAL_SIGNATURE), "set usage", error) ||
      !check (gnutls_x509_crt_set_key_purpose_oid (crt, GNUTLS_KP_TLS_WWW_SERVER, 0), "set purpose", error))
    goto out;

  for (guint i = 0; i < G_N_ELEMENTS (lab_names); i++)
    if (!check (gnutls_x509_crt_set_subject_alt_name (crt, GNUTLS_SAN_DNSNAME, lab_names[i],
                                                      strlen (lab_names[i]), GNUTLS_FSAN_APPEND),
                "set SAN", error))
      goto out;
  if (!check (gnutls_x509_crt_set_subject_alt_name (crt, GNUTLS_SAN_IPADDRESS, "\x7f\0\0\x01", 4,
                                                    GNUTLS_FSAN_APPEND), "set SAN", error) ||
      !check (gnutls_x509_crt_sign2 (crt, crt, key, GNUTLS_DIG_SHA256, 0), "sign", error))
    goto out;

  if (!export_pem ((gpointer)gnutls_x509_privkey_export, key, key_pem, error) ||
      !export_pem ((gpointer)gnutls_x509_crt_export, crt, cert_pem, error))
    goto out;

  fd = g_open (key_path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0 || write (fd, key_pem->str, key_pem->len) != (gssize)key_pem->len || fsync (fd) != 0)
    {
      int saved_errno = errno;

      if (fd >= 0)
        close (fd);
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved_errno),
                   "Cannot write %s: %s", key_path, g_strerror (saved_errno));
      goto out;
    }
  close (fd);

  ok = g_file_set_contents (cert_path, cert_pem->str, cert_pem->len, error);

out:
  if (crt)
    gnutls_x509_crt_deinit (crt);
  if (key)
    gnutls_x509_privkey_deinit (key);
  return ok;
}

char *
mr_tls_dup_default_dir (void)
{
  return g_build_filename (g_get_user_data_dir (), "mailroom", "tls", NULL);
}

GTlsCertificate *
mr_tls_load_or_create_certificate (const char  *dir,
                                   GError     **error)
{
  g_autofree char *default_dir = NULL;
  g_autofree char *cert_path = NULL;
  g_autofree char *key_path = NULL;

  if (dir == NULL)
    dir = default_dir = mr_tls_dup_default_dir ();

  cert_path = g_build_filename (dir, "cert.pem", NULL);
  key_path = g_build_filename (dir, "key.pem", NULL);

  if (!g_file_test (cert_path, G_FILE_TEST_EXISTS) || !g_file_test (key_path, G_FILE_TEST_EXISTS))
    {
      if (g_mkdir_with_parents (dir, 0700) != 0)
        {
          int saved_errno = errno;
          g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved_errno),
                       "Cannot create %s: %s", dir, g_strerror (saved_errno));
          return NULL;
        }
      if (!create_certificate (cert_path, key_path, error))
        return NULL;
    }

  return g_tls_certificate_new_from_files (cert_path, key_path, error);
}
