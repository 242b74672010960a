/* mr-server.h
 *
 * Copyright 2026 The Mailroom authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

#include "mr-limits.h"
#include "mr-session.h"

G_BEGIN_DECLS

#define MR_TYPE_SERVER (mr_server_get_type ())

G_DECLARE_FINAL_TYPE (MrServer, mr_server, MR, SERVER, GObject)

/* Makes the session for a new client; @peer is "address:port". */
typedef MrSession *(*MrSessionFactory) (const char *peer,
                                        gpointer    user_data);

/*
 * A TCP listener for one service. Connection limits (total and per client
 * address) and the idle timeout come from MrLimits; a client over a limit
 * gets the protocol's refusal (SMTP 421 4.7.0) instead of a greeting.
 */
MrServer *mr_server_new              (MrService         service,
                                      const MrLimits   *limits,
                                      MrSessionFactory  factory,
                                      gpointer          user_data,
                                      GDestroyNotify    destroy);
void      mr_server_set_certificate  (MrServer         *self,
                                      GTlsCertificate  *certificate);
/* Binds @address (an IP literal) and @port (0 picks one); returns the port
 * or 0 with @error. May be called more than once (IPv4 and IPv6). */
guint16   mr_server_listen           (MrServer         *self,
                                      const char       *address,
                                      guint16           port,
                                      GError          **error);
MrService mr_server_get_service      (MrServer         *self);
guint     mr_server_get_n_connections (MrServer        *self);
/* Stops accepting; every open session gets its goodbye (@reason). */
void      mr_server_stop             (MrServer         *self,
                                      MrStopReason      reason);

G_END_DECLS
