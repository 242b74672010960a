/* mr-connection.h
 *
 * Copyright 2026 The Mailroom authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

#include "mr-session.h"

G_BEGIN_DECLS

#define MR_TYPE_CONNECTION (mr_connection_get_type ())

G_DECLARE_FINAL_TYPE (MrConnection, mr_connection, MR, CONNECTION, GObject)

/*
 * One TCP client: the only place that reads and writes a socket. It feeds
 * what it reads to its MrSession, writes what the session produced, and acts
 * on the session's action (STARTTLS handshake, close). It closes idle
 * clients and, on shutdown, lets the session say goodbye first.
 */

/* @certificate may be NULL (no TLS). With @implicit_tls the handshake comes
 * before the greeting (SMTPS, POP3S, IMAPS: RFC 8314). */
MrConnection *mr_connection_new        (GIOStream       *stream,
                                        MrSession       *session,
                                        GTlsCertificate *certificate,
                                        gboolean         implicit_tls,
                                        guint            idle_timeout_seconds);
void          mr_connection_start      (MrConnection    *self);
/* Instead of start(): the session's goodbye for @reason without a greeting
 * (SMTP answers 421 in place of 220, RFC 5321 3.1), then close. */
void          mr_connection_refuse     (MrConnection    *self,
                                        MrStopReason     reason);
/* Sends the session's goodbye for @reason, then closes. */
void          mr_connection_stop       (MrConnection    *self,
                                        MrStopReason     reason);
MrSession    *mr_connection_get_session (MrConnection   *self);
gboolean      mr_connection_get_closed (MrConnection    *self);

G_END_DECLS
