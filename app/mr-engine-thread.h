/* mr-engine-thread.h
 *
 * Copyright 2026 The Mailroom authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

#include "mr-app-types.h"
#include "mr-message.h"

G_BEGIN_DECLS

#define MR_TYPE_ENGINE_THREAD (mr_engine_thread_get_type ())

G_DECLARE_FINAL_TYPE (MrEngineThread, mr_engine_thread, MR, ENGINE_THREAD, GObject)

/*
 * The engine on its own thread with its own GMainContext (design.md,
 * "Engine thread"). Every function here is called from the GUI thread and is
 * safe to call from there; results come back on the main context that was
 * thread-default when the call was made. The GUI reads events by polling
 * mr_event_bus_dup_since() on the bus (thread-safe), never through signals.
 */

/* A message, folder and account as copied out of the store on the engine
 * thread, so the GUI never touches store objects. */
typedef struct
{
  guint32         uid;
  MrMessageFlags  flags;
  char           *flags_text;   /* "\\Seen \\Flagged" */
  char           *from;
  char           *to;
  char           *subject;
  char           *date;
  gsize           size;
  GBytes         *raw;
} MrMessageSnapshot;

typedef struct
{
  char      *name;
  guint      n_unseen;
  GPtrArray *messages;           /* MrMessageSnapshot */
} MrFolderSnapshot;

typedef struct
{
  char      *address;
  char      *display_name;
  GPtrArray *folders;            /* MrFolderSnapshot */
} MrAccountSnapshot;

/* Called on the GUI thread with output a raw session wrote (may be NULL)
 * and whether the session has closed. Not called once @owner is gone. */
typedef void (*MrSessionOutputFunc) (GObject    *owner,
                                     const char *output,
                                     gboolean    closed);

/* @settings may be NULL (defaults: 127.0.0.1, default ports, listening on). */
MrEngineThread *mr_engine_thread_new            (GSettings      *settings);
/* Starts the thread, creates the engine there, loads the default scenario
 * and starts the listeners. Blocks until that is done (a few ms). */
gboolean        mr_engine_thread_start          (MrEngineThread *self,
                                                 GError        **error);
/* Shuts the engine down and joins the thread. Also done on dispose. */
void            mr_engine_thread_stop           (MrEngineThread *self);
gboolean        mr_engine_thread_get_running    (MrEngineThread *self);
/* (transfer none) Only for mr_engine_invoke() and the thread-safe parts
 * (the bus); never call other engine functions from the GUI thread. */
MrEngine       *mr_engine_thread_get_engine     (MrEngineThread *self);
/* (transfer none) thread-safe */
MrEventBus     *mr_engine_thread_get_bus        (MrEngineThread *self);
/* The port @service listens on (cached at start), or 0. */
guint16         mr_engine_thread_get_port       (MrEngineThread *self,
                                                 MrService       service);
const char     *mr_engine_thread_get_address    (MrEngineThread *self);
/* The name the lab's server for @service announces (cached at start). */
const char     *mr_engine_thread_get_server_name (MrEngineThread *self,
                                                 MrService       service);
/* Messages waiting in the relay queue (thread-safe), and the host whose
 * queue it is (the submission host), or NULL without a world. */
guint           mr_engine_thread_get_queue_length (MrEngineThread *self);
const char     *mr_engine_thread_get_relay_host (MrEngineThread *self);
/* Raw scenario JSON (the built-in default) for the map, or NULL. */
const char     *mr_engine_thread_get_scenario_json (MrEngineThread *self);

/* Playback through the engine's MrClock. */
void            mr_engine_thread_set_playing    (MrEngineThread *self,
                                                 gboolean        playing);
gboolean        mr_engine_thread_get_playing    (MrEngineThread *self);
void            mr_engine_thread_step           (MrEngineThread *self);
void            mr_engine_thread_set_speed      (MrEngineThread *self,
                                                 double          speed);
double          mr_engine_thread_get_speed      (MrEngineThread *self);
/* Jumps virtual time to the next pending timeout (a retry), if any. */
void            mr_engine_thread_fast_forward   (MrEngineThread *self);

/* Raw sessions, for the console: returns a handle (never 0), greeting
 * arrives through @func. */
guint           mr_engine_thread_open_session   (MrEngineThread *self,
                                                 MrService       service,
                                                 const char     *client,
                                                 GObject        *owner,
                                                 MrSessionOutputFunc func);
/* Feeds @data as is (add CRLF yourself). */
void            mr_engine_thread_feed_session   (MrEngineThread *self,
                                                 guint           handle,
                                                 const char     *data,
                                                 gssize          len);
void            mr_engine_thread_close_session  (MrEngineThread *self,
                                                 guint           handle);

/* Copies every account, folder and message. Finish returns
 * (transfer full) (element-type MrAccountSnapshot). */
void            mr_engine_thread_snapshot_store_async  (MrEngineThread     *self,
                                                        GCancellable       *cancellable,
                                                        GAsyncReadyCallback callback,
                                                        gpointer            user_data);
GPtrArray      *mr_engine_thread_snapshot_store_finish (MrEngineThread     *self,
                                                        GAsyncResult       *result,
                                                        GError            **error);

/* Sends a message through @service (submission: AUTH PLAIN with @login and
 * @password first) by driving an SMTP session line by line, as a client
 * would. The body is dot-stuffed (RFC 5321 4.5.2). Finish returns the
 * transcript summary (final replies) or an error with the refusing reply. */
void            mr_engine_thread_send_async     (MrEngineThread     *self,
                                                 MrService           service,
                                                 const char         *client,
                                                 const char         *login,
                                                 const char         *password,
                                                 const char         *from,
                                                 const char * const *recipients,
                                                 const char         *subject,
                                                 const char         *body,
                                                 GCancellable       *cancellable,
                                                 GAsyncReadyCallback callback,
                                                 gpointer            user_data);
char           *mr_engine_thread_send_finish    (MrEngineThread     *self,
                                                 GAsyncResult       *result,
                                                 GError            **error);

/* Turns a fault on (@spec "NAME[@TARGET][/once]", mr_fault_parse_spec())
 * or off (every fault called NAME with that target). @callback gets the
 * outcome; finish returns FALSE with the parse error. */
void            mr_engine_thread_set_fault_async  (MrEngineThread     *self,
                                                   const char         *name,
                                                   const char         *target,
                                                   gboolean            active,
                                                   GCancellable       *cancellable,
                                                   GAsyncReadyCallback callback,
                                                   gpointer            user_data);
gboolean        mr_engine_thread_set_fault_finish (MrEngineThread     *self,
                                                   GAsyncResult       *result,
                                                   GError            **error);

/* Classroom mode (the "classroom" setting), if it could be turned on:
 * the servers listen on the LAN and the web view serves it. */
gboolean        mr_engine_thread_get_classroom     (MrEngineThread     *self);
/* The token that unlocks changes through the web API, or NULL when the
 * web view does not listen. */
const char     *mr_engine_thread_get_teacher_token (MrEngineThread     *self);
/* Where to open the live view (mr_engine_dup_web_urls()); empty when the
 * web view does not listen. (transfer none) */
const char * const *mr_engine_thread_get_web_urls  (MrEngineThread     *self);

/* The faults switched on now, as "NAME[@TARGET]" specs, however they were
 * switched (faults page, web API, lessons). @serial_r (may be NULL) gets a
 * number that changes with them; compare it with
 * mr_engine_thread_get_faults_serial() to copy only when needed.
 * (transfer full) */
GStrv           mr_engine_thread_dup_faults        (MrEngineThread     *self,
                                                    guint              *serial_r);
guint           mr_engine_thread_get_faults_serial (MrEngineThread     *self);

/* Dot-stuffs @body and normalizes line ends to CRLF (RFC 5321 4.5.2). */
char           *mr_dot_stuff                    (const char         *body);

void            mr_account_snapshot_free        (MrAccountSnapshot  *snapshot);

G_END_DECLS
