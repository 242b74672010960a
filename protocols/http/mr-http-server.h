/* mr-http-server.h
 *
 * Copyright 2026 The Mailroom authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

#include "mr-fault.h"
#include "mr-types.h"

G_BEGIN_DECLS

#define MR_TYPE_HTTP_SERVER (mr_http_server_get_type ())

G_DECLARE_FINAL_TYPE (MrHttpServer, mr_http_server, MR, HTTP_SERVER, GObject)

/*
 * The classroom web view and the JSON API (libsoup 3): the live page at
 * "/", the event stream (WebSocket) at /api/v1/events/stream, the JSON API
 * under /api/v1/ (documented in /api/v1/openapi.json) and the HTTP send
 * API. It lives on the engine's thread: create it and call listen there.
 *
 * Reading needs no login. Anything that changes state needs
 * "Authorization: Bearer <teacher token>"; sending needs an account's
 * credentials (HTTP Basic).
 */

/* Default bounds; see the setters. */
#define MR_HTTP_DEFAULT_MAX_VIEWERS      200
#define MR_HTTP_DEFAULT_MAX_BODY         (1024 * 1024)
#define MR_HTTP_DEFAULT_VIEWER_WINDOW    2048
/* Frames a viewer may send per second (acks; the page sends at most ten). */
#define MR_HTTP_DEFAULT_MAX_CLIENT_RATE  200

/* (transfer full) @engine is borrowed: the engine owns the server. */
MrHttpServer *mr_http_server_new               (MrEngine     *engine);
/* Listens on @address (NULL: 127.0.0.1) and @port (0: any free port).
 * Returns the port bound, or 0 with @error. May be called more than once. */
guint16       mr_http_server_listen            (MrHttpServer *self,
                                                const char   *address,
                                                guint16       port,
                                                GError      **error);
/* Closes the listeners and every viewer. */
void          mr_http_server_disconnect        (MrHttpServer *self);
/* The random token that authorizes changes (32 hex digits). */
const char   *mr_http_server_get_teacher_token (MrHttpServer *self);
/* In classroom mode clients from other machines are served; otherwise only
 * loopback clients are (others get 403). */
gboolean      mr_http_server_get_classroom     (MrHttpServer *self);
void          mr_http_server_set_classroom     (MrHttpServer *self,
                                                gboolean      classroom);
/* The fault set /api/v1/faults shows and toggles (the world's); until it
 * is set, the API lists the catalog and answers 501 to changes. */
void          mr_http_server_set_faults        (MrHttpServer *self,
                                                MrFaultSet   *faults);
/* The addresses to open the live view at ("http://127.0.0.1:8025/"): the
 * listening address, or when listening on all of them (classroom mode)
 * loopback and each LAN IPv4 address, never 0.0.0.0. (transfer full) */
GStrv         mr_http_server_dup_urls          (MrHttpServer *self);
/* WebSocket viewers connected right now. */
guint         mr_http_server_get_n_viewers     (MrHttpServer *self);
/* Concurrent viewers; one more is told "too many viewers" and closed. */
void          mr_http_server_set_max_viewers   (MrHttpServer *self,
                                                guint         max_viewers);
/* Largest request body; a bigger one gets 413. */
void          mr_http_server_set_max_body      (MrHttpServer *self,
                                                gsize         max_body);
/* Events a viewer may have unacknowledged before the server waits for
 * its {"ack": seq}; the rest stays in the bus history. */
void          mr_http_server_set_viewer_window (MrHttpServer *self,
                                                guint         window);

G_END_DECLS
