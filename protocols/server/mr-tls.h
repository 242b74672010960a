/* mr-tls.h
 *
 * Copyright 2026 The Mailroom authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* Loads cert.pem/key.pem from @dir, creating a self-signed certificate
 * (ECDSA P-256, CN and SAN for the lab hosts, localhost and 127.0.0.1) on
 * first use. The key file is created 0600. (transfer full) */
GTlsCertificate *mr_tls_load_or_create_certificate (const char  *dir,
                                                    GError     **error);
/* The default folder: $XDG_DATA_HOME/mailroom/tls. (transfer full) */
char            *mr_tls_dup_default_dir            (void);

G_END_DECLS
