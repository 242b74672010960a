/* mr-engine.h
 *
 * Copyright 2026 The Mailroom authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

#include "mr-types.h"
#include "mr-limits.h"
#include "mr-session.h"

G_BEGIN_DECLS

#define MR_TYPE_ENGINE (mr_engine_get_type ())

G_DECLARE_FINAL_TYPE (MrEngine, mr_engine, MR, ENGINE, GObject)

/*
 * The whole lab in one object: clock, event bus, store, scenario, servers.
 * Both binaries are thin shells over it. It lives on one thread (the
 * thread-default main context current when it was created); other threads
 * talk to it with mr_engine_invoke().
 */

MrEngine       *mr_engine_new              (void);
MrClock        *mr_engine_get_clock        (MrEngine      *self);
MrEventBus     *mr_engine_get_bus          (MrEngine      *self);
MrStore        *mr_engine_get_store        (MrEngine      *self);
MrScenario     *mr_engine_get_scenario     (MrEngine      *self);
/* The simulated internet: relay queue, lab DNS, faults. NULL before a
 * scenario is loaded. (transfer none) */
MrWorld        *mr_engine_get_world        (MrEngine      *self);
const MrLimits *mr_engine_get_limits       (MrEngine      *self);
void            mr_engine_set_limits       (MrEngine      *self,
                                            const MrLimits *limits);
/* The host name the lab's servers announce for @service
 * ("smtp.sender.example" for submission, "mx1.recipient.example" for SMTP). */
const char     *mr_engine_get_server_name  (MrEngine      *self,
                                            MrService      service);
/* Loads @path, or the built-in default scenario when NULL, and sets up the
 * store (domains, accounts, lists) from it. */
gboolean        mr_engine_load_scenario    (MrEngine      *self,
                                            const char    *path,
                                            GError       **error);
/* TLS for STARTTLS and the implicit-TLS ports: loads or creates a
 * self-signed certificate in @dir (NULL: the user data dir). */
gboolean        mr_engine_setup_tls        (MrEngine      *self,
                                            const char    *dir,
                                            GError       **error);
GTlsCertificate *mr_engine_get_tls_certificate (MrEngine   *self);
/* A new server-side session for @service, for a client called @client
 * (an address:port, or a lab host name). (transfer full) */
MrSession      *mr_engine_create_session   (MrEngine      *self,
                                            MrService      service,
                                            const char    *client);
/* Starts a TCP listener; @port 0 picks a free one. Returns the port bound,
 * or 0 with @error. */
guint16         mr_engine_listen           (MrEngine      *self,
                                            MrService      service,
                                            const char    *address,
                                            guint16        port,
                                            GError       **error);
/* The port @service listens on, or 0. */
guint16         mr_engine_get_port         (MrEngine      *self,
                                            MrService      service);
/* Stops every listener; open sessions get their goodbye (SMTP 421 4.3.2). */
void            mr_engine_shutdown         (MrEngine      *self);
/* Keeps every mailbox on disk as Maildir under @root: loads what is there,
 * and from then on nothing is acknowledged before it is on disk. */
gboolean        mr_engine_use_maildir      (MrEngine      *self,
                                            const char    *root,
                                            GError       **error);
/* Classroom mode: the web view serves the LAN; state changes need the
 * teacher token. */
void            mr_engine_set_classroom    (MrEngine      *self,
                                            gboolean       classroom);
/* Classroom mode after checking that every account has a password (the
 * LAN can reach the servers then); FALSE with an error naming the first
 * account without one. Call it after the scenario is loaded. */
gboolean        mr_engine_enable_classroom (MrEngine      *self,
                                            GError       **error);
/* The token that unlocks state-changing API calls, or NULL before the web
 * view listens. */
const char     *mr_engine_get_teacher_token (MrEngine     *self);
/* Where to open the live view: "http://127.0.0.1:8025/" and, in classroom
 * mode, one URL per LAN address (empty before the web view listens).
 * (transfer full) */
GStrv           mr_engine_dup_web_urls     (MrEngine      *self);
/* Where the web API finds the lessons and the learner's progress
 * (/api/v1/lessons); NULL: none, the API answers 501. Call it on the
 * engine's thread. */
void            mr_engine_set_lesson_source (MrEngine      *self,
                                            MrLessonSource *source);
/* Runs @func on the engine's thread. Thread-safe. */
void            mr_engine_invoke           (MrEngine      *self,
                                            GSourceFunc    func,
                                            gpointer       data,
                                            GDestroyNotify notify);

/* Call once before anything else (GMime, gettext for the library). */
void            mr_init                    (void);

G_END_DECLS
