/* mr-engine-thread.c
 *
 * Copyright 2026 The Mailroom authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "mr-engine-thread"

#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "mr-clock.h"
#include "mr-engine.h"
#include "mr-engine-thread.h"
#include "mr-event-bus.h"
#include "mr-lesson-library.h"
#include "mr-scenario.h"
#include "mr-world.h"
#include "mr-store.h"

#define SCENARIO_RESOURCE "/io/github/mailroomlab/Mailroom/protocols/default.scenario.json"

struct _MrEngineThread
{
  GObject       parent_instance;

  /* Read on the GUI thread at construction, then immutable */
  char         *address;
  guint16       want_ports[MR_N_SERVICES];
  gboolean      listen;
  char         *maildir;          /* NULL: in memory */
  char         *scenario_json;

  /* The thread and its loop */
  GThread      *thread;
  GMainContext *context;
  GMainLoop    *loop;

  /* Created on the engine thread; the bus is thread-safe */
  MrEngine     *engine;
  MrEventBus   *bus;

  /* Handshake with the thread at start */
  GMutex        mutex;
  GCond         cond;
  gboolean      ready;
  GError       *start_error;

  /* Cached at start (immutable afterwards) */
  guint16       ports[MR_N_SERVICES];
  char         *server_names[MR_N_SERVICES];
  gboolean      classroom;        /* asked for; cleared when it could not be */
  char         *teacher_token;
  GStrv         web_urls;

  /* Written on the engine thread, read on the GUI thread */
  gint          queue_length;
  char         *relay_host;       /* immutable after start */
  GStrv         fault_specs;      /* under mutex */
  gint          faults_serial;    /* bumped when fault_specs changes */

  /* GUI-side mirror of the clock */
  gboolean      playing;
  double        speed;

  /* Engine thread only: handle -> RawSession */
  GHashTable   *sessions;
  guint         next_handle;
};

G_DEFINE_FINAL_TYPE (MrEngineThread, mr_engine_thread, G_TYPE_OBJECT)

/* The services the GUI listens on; the implicit-TLS ones (on their default
 * ports) only when a certificate could be made. */
static const MrService listen_services[] = {
  MR_SERVICE_SMTP, MR_SERVICE_SUBMISSION, MR_SERVICE_POP3, MR_SERVICE_IMAP, MR_SERVICE_HTTP,
  MR_SERVICE_SMTPS, MR_SERVICE_POP3S, MR_SERVICE_IMAPS,
};

static const char *
service_settings_key (MrService service)
{
  switch (service)
    {
    case MR_SERVICE_SMTP: return "smtp-port";
    case MR_SERVICE_SUBMISSION: return "submission-port";
    case MR_SERVICE_POP3: return "pop3-port";
    case MR_SERVICE_IMAP: return "imap-port";
    case MR_SERVICE_HTTP: return "web-port";
    case MR_SERVICE_SMTPS:
    case MR_SERVICE_POP3S:
    case MR_SERVICE_IMAPS:
    case MR_N_SERVICES:
    default:
      return NULL;
    }
}

typedef struct
{
  MrEngineThread *self;
  int             what;
  double          value;
} ClockOp;

enum { CLOCK_PLAY, CLOCK_PAUSE, CLOCK_STEP, CLOCK_SPEED, CLOCK_FAST_FORWARD };

/* ------------------------------------------------------------------ */
/* Snapshots                                                           */

static void
message_snapshot_free (MrMessageSnapshot *snapshot)
{
  g_free (snapshot->flags_text);
  g_free (snapshot->from);
  g_free (snapshot->to);
  g_free (snapshot->subject);
  g_free (snapshot->date);
  g_clear_pointer (&snapshot->raw, g_bytes_unref);
  g_free (snapshot);
}

static void
folder_snapshot_free (MrFolderSnapshot *snapshot)
{
  g_free (snapshot->name);
  g_clear_pointer (&snapshot->messages, g_ptr_array_unref);
  g_free (snapshot);
}

void
mr_account_snapshot_free (MrAccountSnapshot *snapshot)
{
  if (snapshot == NULL)
    return;
  g_free (snapshot->address);
  g_free (snapshot->display_name);
  g_clear_pointer (&snapshot->folders, g_ptr_array_unref);
  g_free (snapshot);
}

/* ------------------------------------------------------------------ */
/* The thread                                                          */

static void clock_op (MrEngineThread *self,
                      int             what,
                      double          value);

static gboolean
quit_loop_cb (gpointer data)
{
  MrEngineThread *self = data;

  g_hash_table_remove_all (self->sessions);
  if (self->engine != NULL)
    mr_engine_shutdown (self->engine);
  g_main_loop_quit (self->loop);

  return G_SOURCE_REMOVE;
}

static void
on_queue_changed_cb (GListModel     *queue,
                     guint           position,
                     guint           removed,
                     guint           added,
                     MrEngineThread *self)
{
  g_atomic_int_set (&self->queue_length, g_list_model_get_n_items (queue));
}

/* Engine thread: the faults switched on, copied for the map's badges. */
static void
on_faults_changed_cb (GListModel     *faults,
                      guint           position,
                      guint           removed,
                      guint           added,
                      MrEngineThread *self)
{
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  GStrv specs;

  for (guint i = 0; i < g_list_model_get_n_items (faults); i++)
    {
      g_autoptr(MrFault) fault = g_list_model_get_item (faults, i);
      g_autofree char *spec = mr_fault_to_spec (fault);

      g_strv_builder_add (builder, spec);
    }
  specs = g_strv_builder_end (builder);

  g_mutex_lock (&self->mutex);
  g_strfreev (self->fault_specs);
  self->fault_specs = specs;
  g_mutex_unlock (&self->mutex);
  g_atomic_int_inc (&self->faults_serial);
}

static gboolean
is_loopback (const char *address)
{
  g_autoptr(GInetAddress) inet = g_inet_address_new_from_string (address);

  return inet != NULL && g_inet_address_get_is_loopback (inet);
}

static gpointer
engine_thread_func (gpointer data)
{
  MrEngineThread *self = data;
  g_autoptr(MrEngine) engine = NULL;
  g_autoptr(GError) error = NULL;

  g_main_context_push_thread_default (self->context);

  engine = mr_engine_new ();

  if (!mr_engine_load_scenario (engine, NULL, &error))
    g_warning ("Could not load the default scenario: %s", error->message);
  g_clear_error (&error);

  /* /api/v1/lessons: the web view shows the lessons and the progress the
   * lesson panel saves (the default lessons.ini). */
  {
    g_autoptr(MrLessonLibrary) lessons = mr_lesson_library_new (NULL);

    mr_engine_set_lesson_source (engine, MR_LESSON_SOURCE (lessons));
  }

  /* Maildir persistence (preferences): mutt can open what the lab keeps. */
  if (self->maildir != NULL && !mr_engine_use_maildir (engine, self->maildir, &error))
    g_message ("Keeping mailboxes in memory: %s", error->message);
  g_clear_error (&error);

  /* The map draws the scenario the engine really loaded. */
  if (mr_engine_get_scenario (engine) != NULL)
    {
      g_autoptr(JsonNode) node = mr_scenario_to_json (mr_engine_get_scenario (engine));

      if (node != NULL)
        {
          g_free (self->scenario_json);
          self->scenario_json = json_to_string (node, FALSE);
        }
    }

  /* The relay queue's length, for the map (messages waiting at the relay). */
  if (mr_engine_get_world (engine) != NULL)
    {
      MrWorld *world = mr_engine_get_world (engine);
      GListModel *queue = mr_world_get_queue (world);

      self->relay_host = g_strdup (mr_world_get_submission_host (world));
      if (queue != NULL)
        {
          g_atomic_int_set (&self->queue_length, g_list_model_get_n_items (queue));
          g_signal_connect_object (queue, "items-changed", G_CALLBACK (on_queue_changed_cb), self, 0);
        }
      g_signal_connect_object (mr_world_get_faults (world), "items-changed",
                               G_CALLBACK (on_faults_changed_cb), self, 0);
      on_faults_changed_cb (G_LIST_MODEL (mr_world_get_faults (world)), 0, 0, 0, self);
    }

  /* Safe by default (the brief, and mailroom-server's --bind rule): the
   * LAN only in classroom mode, which needs a password on every account. */
  if (self->classroom && !mr_engine_enable_classroom (engine, &error))
    {
      g_warning ("Not in classroom mode: %s", error->message);
      g_clear_error (&error);
      self->classroom = FALSE;
    }
  if (self->classroom && g_strcmp0 (self->address, "127.0.0.1") == 0)
    {
      g_free (self->address);
      self->address = g_strdup ("0.0.0.0");
    }
  else if (!self->classroom && !is_loopback (self->address))
    {
      g_message ("Listening on 127.0.0.1, not %s: serving the network needs classroom mode", self->address);
      g_free (self->address);
      self->address = g_strdup ("127.0.0.1");
    }

  /* STARTTLS and the implicit-TLS ports: the self-signed certificate in the
   * user data dir, shared with mailroom-server. Without it (no
   * glib-networking) the lab runs in the clear. */
  if (self->listen && !mr_engine_setup_tls (engine, NULL, &error))
    {
      g_message ("No TLS: %s", error->message);
      g_clear_error (&error);
    }

  for (guint i = 0; i < G_N_ELEMENTS (listen_services); i++)
    {
      MrService service = listen_services[i];
      guint16 port = 0;

      self->server_names[service] = g_strdup (mr_engine_get_server_name (engine, service));

      if (!self->listen ||
          (mr_service_is_implicit_tls (service) && mr_engine_get_tls_certificate (engine) == NULL))
        continue;

      port = mr_engine_listen (engine, service, self->address, self->want_ports[service], &error);
      if (port == 0 && self->want_ports[service] != 0 &&
          g_error_matches (error, G_IO_ERROR, G_IO_ERROR_ADDRESS_IN_USE))
        {
          /* Busy (another Mailroom, a test): take any free port instead. */
          g_debug ("Port %u for %s: %s; picking a free one",
                   self->want_ports[service], mr_service_to_string (service),
                   error ? error->message : "?");
          g_clear_error (&error);
          port = mr_engine_listen (engine, service, self->address, 0, &error);
        }
      /* Not fatal: the lab still runs in-process (console, compose). */
      if (port == 0)
        g_message ("Not listening for %s: %s", mr_service_to_string (service),
                   error ? error->message : "?");
      g_clear_error (&error);
      self->ports[service] = port;
    }

  self->teacher_token = g_strdup (mr_engine_get_teacher_token (engine));
  self->web_urls = mr_engine_dup_web_urls (engine);

  g_mutex_lock (&self->mutex);
  self->engine = g_object_ref (engine);
  self->bus = g_object_ref (mr_engine_get_bus (engine));
  self->ready = TRUE;
  g_cond_signal (&self->cond);
  g_mutex_unlock (&self->mutex);

  g_main_loop_run (self->loop);

  g_hash_table_remove_all (self->sessions);
  g_main_context_pop_thread_default (self->context);

  /* Let pending sources drop their references on this thread. */
  while (g_main_context_iteration (self->context, FALSE))
    ;

  return NULL;
}

gboolean
mr_engine_thread_start (MrEngineThread  *self,
                        GError         **error)
{
  g_return_val_if_fail (MR_IS_ENGINE_THREAD (self), FALSE);
  g_return_val_if_fail (self->thread == NULL, FALSE);

  self->thread = g_thread_try_new ("mr-engine", engine_thread_func, self, error);
  if (self->thread == NULL)
    return FALSE;

  g_mutex_lock (&self->mutex);
  while (!self->ready)
    g_cond_wait (&self->cond, &self->mutex);
  g_mutex_unlock (&self->mutex);

  if (self->speed != 1.0)
    clock_op (self, CLOCK_SPEED, self->speed);

  return TRUE;
}

void
mr_engine_thread_stop (MrEngineThread *self)
{
  g_return_if_fail (MR_IS_ENGINE_THREAD (self));

  if (self->thread == NULL)
    return;

  g_main_context_invoke (self->context, quit_loop_cb, self);
  g_thread_join (g_steal_pointer (&self->thread));

  /* The engine was created on the thread that no longer runs; its last
   * reference goes here, after the loop has stopped. */
  g_clear_object (&self->engine);
}

gboolean
mr_engine_thread_get_running (MrEngineThread *self)
{
  g_return_val_if_fail (MR_IS_ENGINE_THREAD (self), FALSE);
  return self->thread != NULL;
}

/* ------------------------------------------------------------------ */
/* Small invokes                                                       */


static gboolean
clock_op_cb (gpointer data)
{
  ClockOp *op = data;
  MrClock *clock;

  if (op->self->engine == NULL)
    return G_SOURCE_REMOVE;

  clock = mr_engine_get_clock (op->self->engine);

  switch (op->what)
    {
    case CLOCK_PLAY:
      mr_clock_set_mode (clock, MR_CLOCK_REALTIME);
      break;

    case CLOCK_PAUSE:
      mr_clock_set_mode (clock, MR_CLOCK_STEP);
      break;

    case CLOCK_STEP:
      mr_clock_step (clock);
      break;

    case CLOCK_SPEED:
      mr_clock_set_speed (clock, op->value);
      break;

    case CLOCK_FAST_FORWARD:
      {
        gint64 due = mr_clock_get_next_due (clock);
        if (due > 0)
          mr_clock_advance (clock, due);
      }
      break;

    default:
      g_assert_not_reached ();
    }

  return G_SOURCE_REMOVE;
}

static void
clock_op (MrEngineThread *self,
          int             what,
          double          value)
{
  ClockOp *op;

  if (self->engine == NULL)
    return;

  op = g_new0 (ClockOp, 1);
  op->self = self;
  op->what = what;
  op->value = value;
  mr_engine_invoke (self->engine, clock_op_cb, op, g_free);
}

void
mr_engine_thread_set_playing (MrEngineThread *self,
                              gboolean        playing)
{
  g_return_if_fail (MR_IS_ENGINE_THREAD (self));
  self->playing = !!playing;
  clock_op (self, playing ? CLOCK_PLAY : CLOCK_PAUSE, 0);
}

gboolean
mr_engine_thread_get_playing (MrEngineThread *self)
{
  g_return_val_if_fail (MR_IS_ENGINE_THREAD (self), FALSE);
  return self->playing;
}

void
mr_engine_thread_step (MrEngineThread *self)
{
  g_return_if_fail (MR_IS_ENGINE_THREAD (self));
  clock_op (self, CLOCK_STEP, 0);
}

void
mr_engine_thread_set_speed (MrEngineThread *self,
                            double          speed)
{
  g_return_if_fail (MR_IS_ENGINE_THREAD (self));
  self->speed = CLAMP (speed, 0.05, 100.0);
  clock_op (self, CLOCK_SPEED, self->speed);
}

double
mr_engine_thread_get_speed (MrEngineThread *self)
{
  g_return_val_if_fail (MR_IS_ENGINE_THREAD (self), 1.0);
  return self->speed;
}

void
mr_engine_thread_fast_forward (MrEngineThread *self)
{
  g_return_if_fail (MR_IS_ENGINE_THREAD (self));
  clock_op (self, CLOCK_FAST_FORWARD, 0);
}

/* ------------------------------------------------------------------ */
/* Raw sessions                                                        */

typedef struct
{
  MrEngineThread      *self;      /* borrowed */
  guint                handle;
  MrService            service;
  char                *client;
  MrSession           *session;
  GWeakRef             owner;
  MrSessionOutputFunc  func;
  GMainContext        *gui_context;
  gboolean             closed;
} RawSession;

typedef struct
{
  GWeakRef             owner;
  MrSessionOutputFunc  func;
  char                *output;
  gboolean             closed;
} OutputDelivery;

static void
output_delivery_free (gpointer data)
{
  OutputDelivery *delivery = data;

  g_weak_ref_clear (&delivery->owner);
  g_free (delivery->output);
  g_free (delivery);
}

static gboolean
deliver_output_cb (gpointer data)
{
  OutputDelivery *delivery = data;
  g_autoptr(GObject) owner = g_weak_ref_get (&delivery->owner);

  if (owner != NULL)
    delivery->func (owner, delivery->output, delivery->closed);

  return G_SOURCE_REMOVE;
}

static void
raw_session_free (gpointer data)
{
  RawSession *raw = data;

  if (raw->session != NULL)
    {
      g_signal_handlers_disconnect_by_data (raw->session, raw);
      if (!mr_session_get_closed (raw->session))
        mr_session_disconnected (raw->session);
    }
  g_clear_object (&raw->session);
  g_weak_ref_clear (&raw->owner);
  g_clear_pointer (&raw->gui_context, g_main_context_unref);
  g_free (raw->client);
  g_free (raw);
}

/* Engine thread: hands whatever the session wrote to the GUI. */
static void
raw_session_flush (RawSession *raw)
{
  g_autoptr(GBytes) bytes = mr_session_take_output (raw->session);
  OutputDelivery *delivery;
  gboolean closed = mr_session_get_action (raw->session) == MR_SESSION_CLOSE;

  if (bytes == NULL && !closed)
    return;

  delivery = g_new0 (OutputDelivery, 1);
  g_weak_ref_init (&delivery->owner, NULL);
  {
    g_autoptr(GObject) owner = g_weak_ref_get (&raw->owner);
    g_weak_ref_set (&delivery->owner, owner);
  }
  delivery->func = raw->func;
  if (bytes != NULL)
    delivery->output = g_strndup (g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes));
  delivery->closed = closed;
  g_main_context_invoke_full (raw->gui_context, G_PRIORITY_DEFAULT,
                              deliver_output_cb, delivery, output_delivery_free);

  if (closed && !raw->closed)
    {
      raw->closed = TRUE;
      mr_session_disconnected (raw->session);
    }
}

/* Like a TCP connection, announce the client before the greeting. */
static void
emit_connect (MrSession  *session,
              const char *client)
{
  MrConversation *conversation = mr_session_get_conversation (session);

  if (conversation != NULL)
    mr_conversation_emit (conversation,
                          mr_conversation_new_event (conversation, MR_EVENT_CONNECT,
                                                     MR_DIRECTION_NONE, client));
}

static void
raw_session_wakeup_cb (MrSession  *session,
                       RawSession *raw)
{
  raw_session_flush (raw);
}

static gboolean
open_session_cb (gpointer data)
{
  RawSession *raw = data;
  MrEngineThread *self = raw->self;

  raw->session = mr_engine_create_session (self->engine, raw->service, raw->client);
  if (raw->session == NULL)
    {
      OutputDelivery *delivery = g_new0 (OutputDelivery, 1);
      g_autoptr(GObject) owner = g_weak_ref_get (&raw->owner);

      g_weak_ref_init (&delivery->owner, owner);
      delivery->func = raw->func;
      delivery->output = g_strdup_printf ("(no %s server in this build)\r\n",
                                          mr_service_to_string (raw->service));
      delivery->closed = TRUE;
      g_main_context_invoke_full (raw->gui_context, G_PRIORITY_DEFAULT,
                                  deliver_output_cb, delivery, output_delivery_free);
      raw_session_free (raw);
      return G_SOURCE_REMOVE;
    }

  g_signal_connect (raw->session, "wakeup", G_CALLBACK (raw_session_wakeup_cb), raw);
  g_hash_table_insert (self->sessions, GUINT_TO_POINTER (raw->handle), raw);
  emit_connect (raw->session, raw->client);
  mr_session_start (raw->session);
  raw_session_flush (raw);

  return G_SOURCE_REMOVE;
}

guint
mr_engine_thread_open_session (MrEngineThread      *self,
                               MrService            service,
                               const char          *client,
                               GObject             *owner,
                               MrSessionOutputFunc  func)
{
  RawSession *raw;

  g_return_val_if_fail (MR_IS_ENGINE_THREAD (self), 0);
  g_return_val_if_fail (self->engine != NULL, 0);
  g_return_val_if_fail (G_IS_OBJECT (owner), 0);
  g_return_val_if_fail (func != NULL, 0);

  raw = g_new0 (RawSession, 1);
  raw->self = self;
  raw->handle = g_atomic_int_add (&self->next_handle, 1) + 1;
  raw->service = service;
  raw->client = g_strdup (client ? client : "console");
  g_weak_ref_init (&raw->owner, owner);
  raw->func = func;
  raw->gui_context = g_main_context_ref_thread_default ();

  mr_engine_invoke (self->engine, open_session_cb, raw, NULL);

  return raw->handle;
}

typedef struct
{
  MrEngineThread *self;
  guint           handle;
  GBytes         *data;     /* NULL: close */
} FeedOp;

static void
feed_op_free (gpointer data)
{
  FeedOp *op = data;

  g_clear_pointer (&op->data, g_bytes_unref);
  g_free (op);
}

static gboolean
feed_session_cb (gpointer data)
{
  FeedOp *op = data;
  RawSession *raw = g_hash_table_lookup (op->self->sessions, GUINT_TO_POINTER (op->handle));

  if (raw == NULL)
    return G_SOURCE_REMOVE;

  if (op->data == NULL)
    {
      g_hash_table_remove (op->self->sessions, GUINT_TO_POINTER (op->handle));
      return G_SOURCE_REMOVE;
    }

  if (raw->closed)
    return G_SOURCE_REMOVE;

  mr_session_feed (raw->session,
                   g_bytes_get_data (op->data, NULL),
                   g_bytes_get_size (op->data));
  raw_session_flush (raw);

  return G_SOURCE_REMOVE;
}

void
mr_engine_thread_feed_session (MrEngineThread *self,
                               guint           handle,
                               const char     *data,
                               gssize          len)
{
  FeedOp *op;

  g_return_if_fail (MR_IS_ENGINE_THREAD (self));
  g_return_if_fail (data != NULL);

  if (self->engine == NULL)
    return;

  if (len < 0)
    len = strlen (data);

  op = g_new0 (FeedOp, 1);
  op->self = self;
  op->handle = handle;
  op->data = g_bytes_new (data, len);
  mr_engine_invoke (self->engine, feed_session_cb, op, feed_op_free);
}

void
mr_engine_thread_close_session (MrEngineThread *self,
                                guint           handle)
{
  FeedOp *op;

  g_return_if_fail (MR_IS_ENGINE_THREAD (self));

  if (self->engine == NULL || handle == 0)
    return;

  op = g_new0 (FeedOp, 1);
  op->self = self;
  op->handle = handle;
  mr_engine_invoke (self->engine, feed_session_cb, op, feed_op_free);
}

/* ------------------------------------------------------------------ */
/* Store snapshot                                                      */

static MrMessageSnapshot *
snapshot_message (MrMessage *message)
{
  MrMessageSnapshot *snapshot = g_new0 (MrMessageSnapshot, 1);

  snapshot->uid = mr_message_get_uid (message);
  snapshot->flags = mr_message_get_flags (message);
  snapshot->flags_text = mr_message_flags_to_string (snapshot->flags,
                                                     mr_message_get_keywords (message));
  snapshot->from = mr_message_dup_header (message, "From");
  snapshot->to = mr_message_dup_header (message, "To");
  snapshot->subject = mr_message_dup_header (message, "Subject");
  snapshot->date = mr_message_dup_header (message, "Date");
  snapshot->size = mr_message_get_size (message);
  snapshot->raw = g_bytes_ref (mr_message_get_raw (message));

  return snapshot;
}

static GPtrArray *
snapshot_store (MrStore *store)
{
  GListModel *accounts = mr_store_get_accounts (store);
  GPtrArray *result = g_ptr_array_new_with_free_func ((GDestroyNotify) mr_account_snapshot_free);
  guint n_accounts = g_list_model_get_n_items (accounts);

  for (guint i = 0; i < n_accounts; i++)
    {
      g_autoptr(MrAccount) account = g_list_model_get_item (accounts, i);
      GListModel *mailboxes = mr_account_get_mailboxes (account);
      MrAccountSnapshot *as = g_new0 (MrAccountSnapshot, 1);
      guint n_mailboxes = g_list_model_get_n_items (mailboxes);

      as->address = g_strdup (mr_account_get_address (account));
      as->display_name = g_strdup (mr_account_get_display_name (account));
      as->folders = g_ptr_array_new_with_free_func ((GDestroyNotify) folder_snapshot_free);

      for (guint j = 0; j < n_mailboxes; j++)
        {
          g_autoptr(MrMailbox) mailbox = g_list_model_get_item (mailboxes, j);
          MrFolderSnapshot *fs = g_new0 (MrFolderSnapshot, 1);
          guint n_messages = mr_mailbox_get_n_messages (mailbox);

          fs->name = g_strdup (mr_mailbox_get_name (mailbox));
          fs->n_unseen = mr_mailbox_count_unseen (mailbox);
          fs->messages = g_ptr_array_new_with_free_func ((GDestroyNotify) message_snapshot_free);
          for (guint k = 0; k < n_messages; k++)
            g_ptr_array_add (fs->messages, snapshot_message (mr_mailbox_get_message (mailbox, k)));
          g_ptr_array_add (as->folders, fs);
        }

      g_ptr_array_add (result, as);
    }

  return result;
}

static gboolean
snapshot_store_cb (gpointer data)
{
  GTask *task = data;
  MrEngineThread *self = g_task_get_source_object (task);

  if (g_task_return_error_if_cancelled (task))
    return G_SOURCE_REMOVE;

  g_task_return_pointer (task, snapshot_store (mr_engine_get_store (self->engine)),
                         (GDestroyNotify) g_ptr_array_unref);

  return G_SOURCE_REMOVE;
}

void
mr_engine_thread_snapshot_store_async (MrEngineThread      *self,
                                       GCancellable        *cancellable,
                                       GAsyncReadyCallback  callback,
                                       gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (MR_IS_ENGINE_THREAD (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, mr_engine_thread_snapshot_store_async);

  if (self->engine == NULL)
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_NOT_INITIALIZED,
                               _("The engine is not running"));
      return;
    }

  mr_engine_invoke (self->engine, snapshot_store_cb, g_steal_pointer (&task), g_object_unref);
}

GPtrArray *
mr_engine_thread_snapshot_store_finish (MrEngineThread  *self,
                                        GAsyncResult    *result,
                                        GError         **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

/* ------------------------------------------------------------------ */
/* Sending: a small SMTP client driving a server session line by line  */

char *
mr_dot_stuff (const char *body)
{
  GString *out = g_string_new (NULL);
  const char *p = body ? body : "";

  /* RFC 5321 4.5.2: a line starting with "." gets one more; line ends are
   * CRLF on the wire (RFC 5321 2.3.8). */
  while (*p != '\0')
    {
      const char *eol = strchr (p, '\n');
      gsize len = eol ? (gsize) (eol - p) : strlen (p);

      if (len > 0 && p[len - 1] == '\r')
        len--;
      if (*p == '.')
        g_string_append_c (out, '.');
      g_string_append_len (out, p, len);
      g_string_append (out, "\r\n");
      if (eol == NULL)
        break;
      p = eol + 1;
    }

  return g_string_free (out, FALSE);
}

typedef enum
{
  SEND_GREETING,    /* waiting for 220 */
  SEND_COMMANDS,    /* EHLO, AUTH, MAIL, RCPT..., DATA */
  SEND_BODY,        /* after 354: body sent, waiting for 250 */
  SEND_QUIT,        /* QUIT sent, waiting for 221 */
  SEND_DONE,
} SendPhase;

typedef struct
{
  GTask      *task;
  MrSession  *session;
  GPtrArray  *commands;    /* lines without CRLF */
  guint       next;
  char       *body;        /* dot-stuffed, with the final "." */
  GString    *pending;     /* output not yet split into lines */
  GString    *summary;
  SendPhase   phase;
  guint       accepted_rcpts;
  char       *failure;     /* the reply that stopped us */
} SendJob;

static void
send_job_free (SendJob *job)
{
  if (job->session != NULL)
    {
      g_signal_handlers_disconnect_by_data (job->session, job);
      if (!mr_session_get_closed (job->session))
        mr_session_disconnected (job->session);
    }
  g_clear_object (&job->session);
  g_clear_pointer (&job->commands, g_ptr_array_unref);
  g_free (job->body);
  g_string_free (job->pending, TRUE);
  g_string_free (job->summary, TRUE);
  g_free (job->failure);
  g_free (job);
}

static void send_job_pump (SendJob *job);

static void
send_job_write (SendJob    *job,
                const char *line)
{
  g_autofree char *wire = g_strconcat (line, "\r\n", NULL);

  mr_session_feed (job->session, (const guint8 *) wire, strlen (wire));
}

static void
send_job_finish (SendJob *job)
{
  GTask *task = g_steal_pointer (&job->task);

  job->phase = SEND_DONE;
  if (job->failure != NULL)
    g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_FAILED, "%s", job->failure);
  else
    g_task_return_pointer (task, g_strdup (job->summary->str), g_free);
  g_object_unref (task);
}

/* One complete reply (the last line of a possibly multiline reply,
 * RFC 5321 4.2.1) arrived with @code. */
static void
send_job_reply (SendJob    *job,
                guint       code,
                const char *line)
{
  switch (job->phase)
    {
    case SEND_GREETING:
      if (code != 220)
        {
          job->failure = g_strdup (line);
          job->phase = SEND_QUIT;
          send_job_write (job, "QUIT");
          return;
        }
      job->phase = SEND_COMMANDS;
      send_job_write (job, g_ptr_array_index (job->commands, job->next++));
      return;

    case SEND_COMMANDS:
      {
        const char *sent = g_ptr_array_index (job->commands, job->next - 1);
        gboolean is_rcpt = g_ascii_strncasecmp (sent, "RCPT", 4) == 0;

        if (is_rcpt)
          {
            g_string_append_printf (job->summary, "%s → %s\n", sent, line);
            if (code / 100 == 2)
              job->accepted_rcpts++;
          }
        else if (g_ascii_strcasecmp (sent, "DATA") == 0 && code == 354)
          {
            job->phase = SEND_BODY;
            mr_session_feed (job->session, (const guint8 *) job->body, strlen (job->body));
            return;
          }
        else if (code / 100 != 2 && !(code == 334))
          {
            job->failure = g_strdup_printf ("%s → %s", sent, line);
            job->phase = SEND_QUIT;
            send_job_write (job, "QUIT");
            return;
          }

        if (job->next < job->commands->len)
          {
            const char *next = g_ptr_array_index (job->commands, job->next);

            if (g_ascii_strcasecmp (next, "DATA") == 0 && job->accepted_rcpts == 0)
              {
                job->failure = g_strdup_printf (_("No recipient was accepted\n%s"), job->summary->str);
                job->phase = SEND_QUIT;
                send_job_write (job, "QUIT");
                return;
              }
            job->next++;
            send_job_write (job, next);
          }
        return;
      }

    case SEND_BODY:
      if (code / 100 != 2)
        job->failure = g_strdup_printf ("DATA → %s", line);
      else
        g_string_append_printf (job->summary, "%s\n", line);
      job->phase = SEND_QUIT;
      send_job_write (job, "QUIT");
      return;

    case SEND_QUIT:
      send_job_finish (job);
      return;

    case SEND_DONE:
      return;

    default:
      g_assert_not_reached ();
    }
}

static void
send_job_pump (SendJob *job)
{
  /* Replies may come out in several pieces (a delayed reply wakes us up),
   * so keep partial lines in @pending. */
  for (;;)
    {
      g_autoptr(GBytes) bytes = mr_session_take_output (job->session);
      char *eol;

      if (bytes == NULL)
        break;

      g_string_append_len (job->pending, g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes));

      while (job->phase != SEND_DONE && (eol = strstr (job->pending->str, "\r\n")) != NULL)
        {
          g_autofree char *line = g_strndup (job->pending->str, eol - job->pending->str);

          g_string_erase (job->pending, 0, eol - job->pending->str + 2);

          if (strlen (line) >= 3 && g_ascii_isdigit (line[0]) && g_ascii_isdigit (line[1]) &&
              g_ascii_isdigit (line[2]) && (line[3] == ' ' || line[3] == '\0'))
            send_job_reply (job, (guint) g_ascii_strtoull (line, NULL, 10), line);
        }
    }

  if (job->phase != SEND_DONE &&
      (mr_session_get_action (job->session) == MR_SESSION_CLOSE || mr_session_get_closed (job->session)))
    {
      if (job->failure == NULL && job->phase != SEND_QUIT)
        job->failure = g_strdup (_("The server closed the connection"));
      send_job_finish (job);
    }

  if (job->phase == SEND_DONE)
    send_job_free (job);
}

static void
send_job_wakeup_cb (MrSession *session,
                    SendJob   *job)
{
  send_job_pump (job);
}

static gboolean
send_start_cb (gpointer data)
{
  SendJob *job = data;
  MrEngineThread *self = g_task_get_source_object (job->task);
  MrService service = GPOINTER_TO_UINT (g_task_get_task_data (job->task));
  const char *client = g_object_get_data (G_OBJECT (job->task), "client");

  job->session = mr_engine_create_session (self->engine, service, client);
  if (job->session == NULL)
    {
      job->failure = g_strdup_printf (_("No %s server in this build"), mr_service_to_string (service));
      send_job_finish (job);
      send_job_free (job);
      return G_SOURCE_REMOVE;
    }

  g_signal_connect (job->session, "wakeup", G_CALLBACK (send_job_wakeup_cb), job);
  emit_connect (job->session, client);
  mr_session_start (job->session);
  send_job_pump (job);

  return G_SOURCE_REMOVE;
}

void
mr_engine_thread_send_async (MrEngineThread      *self,
                             MrService            service,
                             const char          *client,
                             const char          *login,
                             const char          *password,
                             const char          *from,
                             const char * const  *recipients,
                             const char          *subject,
                             const char          *body,
                             GCancellable        *cancellable,
                             GAsyncReadyCallback  callback,
                             gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(GDateTime) now = g_date_time_new_now_local ();
  g_autofree char *date = g_date_time_format (now, "%a, %d %b %Y %H:%M:%S %z");
  g_autofree char *to_header = NULL;
  g_autofree char *message = NULL;
  SendJob *job;

  g_return_if_fail (MR_IS_ENGINE_THREAD (self));
  g_return_if_fail (from != NULL);
  g_return_if_fail (recipients != NULL);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, mr_engine_thread_send_async);
  g_task_set_task_data (task, GUINT_TO_POINTER (service), NULL);
  g_object_set_data_full (G_OBJECT (task), "client", g_strdup (client ? client : "compose"), g_free);

  if (self->engine == NULL)
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_NOT_INITIALIZED,
                               _("The engine is not running"));
      return;
    }

  job = g_new0 (SendJob, 1);
  job->pending = g_string_new (NULL);
  job->summary = g_string_new (NULL);
  job->commands = g_ptr_array_new_with_free_func (g_free);

  /* The client greets with its own name (RFC 5321 4.1.1.1), so the
   * Received: trace names the host the map shows. */
  g_ptr_array_add (job->commands, g_strdup_printf ("EHLO %s", client ? client : "compose.mailroom.lab"));
  if (login != NULL && password != NULL)
    {
      /* RFC 4616: authzid NUL authcid NUL passwd */
      gsize llen = strlen (login), plen = strlen (password);
      g_autofree guchar *plain = g_malloc (llen + plen + 2);
      g_autofree char *b64 = NULL;

      plain[0] = '\0';
      memcpy (plain + 1, login, llen);
      plain[llen + 1] = '\0';
      memcpy (plain + llen + 2, password, plen);
      b64 = g_base64_encode (plain, llen + plen + 2);
      g_ptr_array_add (job->commands, g_strdup_printf ("AUTH PLAIN %s", b64));
    }
  g_ptr_array_add (job->commands, g_strdup_printf ("MAIL FROM:<%s>", from));
  for (guint i = 0; recipients[i] != NULL; i++)
    g_ptr_array_add (job->commands, g_strdup_printf ("RCPT TO:<%s>", recipients[i]));
  g_ptr_array_add (job->commands, g_strdup ("DATA"));

  to_header = g_strjoinv (", ", (char **) recipients);
  message = g_strdup_printf ("From: <%s>\r\nTo: %s\r\nSubject: %s\r\nDate: %s\r\n"
                             "Message-ID: <%" G_GINT64_FORMAT ".%u@compose.mailroom.lab>\r\n"
                             "\r\n%s",
                             from, to_header, subject ? subject : "", date,
                             g_get_real_time (), g_random_int (), body ? body : "");
  {
    g_autofree char *stuffed = mr_dot_stuff (message);
    job->body = g_strconcat (stuffed, ".\r\n", NULL);
  }

  job->task = g_steal_pointer (&task);
  mr_engine_invoke (self->engine, send_start_cb, job, NULL);
}

char *
mr_engine_thread_send_finish (MrEngineThread  *self,
                              GAsyncResult    *result,
                              GError         **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

/* ------------------------------------------------------------------ */
/* Faults                                                              */

typedef struct
{
  char     *name;
  char     *target;
  gboolean  active;
} FaultOp;

static void
fault_op_free (FaultOp *op)
{
  g_free (op->name);
  g_free (op->target);
  g_free (op);
}

static gboolean
set_fault_cb (gpointer data)
{
  GTask *task = data;
  MrEngineThread *self = g_task_get_source_object (task);
  FaultOp *op = g_task_get_task_data (task);
  MrWorld *world = mr_engine_get_world (self->engine);
  g_autoptr(GError) error = NULL;

  if (world == NULL)
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED,
                               _("This build has no simulated world"));
      return G_SOURCE_REMOVE;
    }

  if (op->active)
    {
      g_autofree char *spec = op->target && op->target[0]
                              ? g_strdup_printf ("%s@%s", op->name, op->target)
                              : g_strdup (op->name);

      if (mr_world_add_fault (world, spec, &error) == NULL)
        {
          g_task_return_error (task, g_steal_pointer (&error));
          return G_SOURCE_REMOVE;
        }
    }
  else
    mr_world_remove_fault (world, op->name, op->target && op->target[0] ? op->target : NULL);

  g_task_return_boolean (task, TRUE);
  return G_SOURCE_REMOVE;
}

void
mr_engine_thread_set_fault_async (MrEngineThread      *self,
                                  const char          *name,
                                  const char          *target,
                                  gboolean             active,
                                  GCancellable        *cancellable,
                                  GAsyncReadyCallback  callback,
                                  gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  FaultOp *op;

  g_return_if_fail (MR_IS_ENGINE_THREAD (self));
  g_return_if_fail (name != NULL);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, mr_engine_thread_set_fault_async);

  if (self->engine == NULL)
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_NOT_INITIALIZED,
                               _("The engine is not running"));
      return;
    }

  op = g_new0 (FaultOp, 1);
  op->name = g_strdup (name);
  op->target = g_strdup (target);
  op->active = !!active;
  g_task_set_task_data (task, op, (GDestroyNotify) fault_op_free);

  mr_engine_invoke (self->engine, set_fault_cb, g_steal_pointer (&task), g_object_unref);
}

gboolean
mr_engine_thread_set_fault_finish (MrEngineThread  *self,
                                   GAsyncResult    *result,
                                   GError         **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}

/* ------------------------------------------------------------------ */
/* Accessors and object                                                */

MrEngine *
mr_engine_thread_get_engine (MrEngineThread *self)
{
  g_return_val_if_fail (MR_IS_ENGINE_THREAD (self), NULL);
  return self->engine;
}

MrEventBus *
mr_engine_thread_get_bus (MrEngineThread *self)
{
  g_return_val_if_fail (MR_IS_ENGINE_THREAD (self), NULL);
  return self->bus;
}

guint16
mr_engine_thread_get_port (MrEngineThread *self,
                           MrService       service)
{
  g_return_val_if_fail (MR_IS_ENGINE_THREAD (self), 0);
  g_return_val_if_fail (service < MR_N_SERVICES, 0);
  return self->ports[service];
}

const char *
mr_engine_thread_get_address (MrEngineThread *self)
{
  g_return_val_if_fail (MR_IS_ENGINE_THREAD (self), NULL);
  return self->address;
}

const char *
mr_engine_thread_get_server_name (MrEngineThread *self,
                                  MrService       service)
{
  g_return_val_if_fail (MR_IS_ENGINE_THREAD (self), NULL);
  g_return_val_if_fail (service < MR_N_SERVICES, NULL);
  return self->server_names[service];
}

guint
mr_engine_thread_get_queue_length (MrEngineThread *self)
{
  g_return_val_if_fail (MR_IS_ENGINE_THREAD (self), 0);
  return g_atomic_int_get (&self->queue_length);
}

gboolean
mr_engine_thread_get_classroom (MrEngineThread *self)
{
  g_return_val_if_fail (MR_IS_ENGINE_THREAD (self), FALSE);
  return self->classroom;
}

const char *
mr_engine_thread_get_teacher_token (MrEngineThread *self)
{
  g_return_val_if_fail (MR_IS_ENGINE_THREAD (self), NULL);
  return self->teacher_token;
}

const char * const *
mr_engine_thread_get_web_urls (MrEngineThread *self)
{
  static const char * const none[] = { NULL };

  g_return_val_if_fail (MR_IS_ENGINE_THREAD (self), none);
  return self->web_urls != NULL ? (const char * const *) self->web_urls : none;
}

GStrv
mr_engine_thread_dup_faults (MrEngineThread *self,
                             guint          *serial_r)
{
  GStrv specs;

  g_return_val_if_fail (MR_IS_ENGINE_THREAD (self), NULL);

  g_mutex_lock (&self->mutex);
  if (serial_r != NULL)
    *serial_r = g_atomic_int_get (&self->faults_serial);
  specs = g_strdupv (self->fault_specs);
  g_mutex_unlock (&self->mutex);
  return specs != NULL ? specs : g_new0 (char *, 1);
}

guint
mr_engine_thread_get_faults_serial (MrEngineThread *self)
{
  g_return_val_if_fail (MR_IS_ENGINE_THREAD (self), 0);
  return g_atomic_int_get (&self->faults_serial);
}

const char *
mr_engine_thread_get_relay_host (MrEngineThread *self)
{
  g_return_val_if_fail (MR_IS_ENGINE_THREAD (self), NULL);
  return self->relay_host;
}

const char *
mr_engine_thread_get_scenario_json (MrEngineThread *self)
{
  g_return_val_if_fail (MR_IS_ENGINE_THREAD (self), NULL);
  return self->scenario_json;
}

static void
mr_engine_thread_dispose (GObject *object)
{
  MrEngineThread *self = (MrEngineThread *)object;

  mr_engine_thread_stop (self);
  g_clear_object (&self->bus);

  G_OBJECT_CLASS (mr_engine_thread_parent_class)->dispose (object);
}

static void
mr_engine_thread_finalize (GObject *object)
{
  MrEngineThread *self = (MrEngineThread *)object;

  g_clear_pointer (&self->sessions, g_hash_table_unref);
  g_clear_pointer (&self->loop, g_main_loop_unref);
  g_clear_pointer (&self->context, g_main_context_unref);
  g_clear_error (&self->start_error);
  for (guint i = 0; i < MR_N_SERVICES; i++)
    g_free (self->server_names[i]);
  g_free (self->address);
  g_free (self->scenario_json);
  g_free (self->relay_host);
  g_strfreev (self->fault_specs);
  g_free (self->teacher_token);
  g_strfreev (self->web_urls);
  g_free (self->maildir);
  g_mutex_clear (&self->mutex);
  g_cond_clear (&self->cond);

  G_OBJECT_CLASS (mr_engine_thread_parent_class)->finalize (object);
}

static void
mr_engine_thread_class_init (MrEngineThreadClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = mr_engine_thread_dispose;
  object_class->finalize = mr_engine_thread_finalize;
}

static void
mr_engine_thread_init (MrEngineThread *self)
{
  g_mutex_init (&self->mutex);
  g_cond_init (&self->cond);
  self->context = g_main_context_new ();
  self->loop = g_main_loop_new (self->context, FALSE);
  self->sessions = g_hash_table_new_full (NULL, NULL, NULL, raw_session_free);
  self->playing = TRUE;
  self->speed = 1.0;
  self->listen = TRUE;
  self->address = g_strdup ("127.0.0.1");
  for (guint i = 0; i < MR_N_SERVICES; i++)
    self->want_ports[i] = mr_service_get_default_port (i);
}

MrEngineThread *
mr_engine_thread_new (GSettings *settings)
{
  MrEngineThread *self;
  g_autoptr(GBytes) scenario = NULL;

  g_return_val_if_fail (!settings || G_IS_SETTINGS (settings), NULL);

  self = g_object_new (MR_TYPE_ENGINE_THREAD, NULL);

  if (settings != NULL)
    {
      g_autofree char *address = g_settings_get_string (settings, "bind-address");

      if (address != NULL && address[0] != '\0')
        {
          g_free (self->address);
          self->address = g_steal_pointer (&address);
        }
      self->listen = g_settings_get_boolean (settings, "listen");
      self->classroom = g_settings_get_boolean (settings, "classroom");
      if (g_settings_get_boolean (settings, "maildir-enabled"))
        {
          g_autofree char *path = g_settings_get_string (settings, "maildir-path");

          self->maildir = path && path[0] ? g_steal_pointer (&path)
                                          : g_build_filename (g_get_user_data_dir (), "mailroom", "maildir", NULL);
        }
      self->speed = g_settings_get_double (settings, "speed");
      for (guint i = 0; i < G_N_ELEMENTS (listen_services); i++)
        {
          const char *key = service_settings_key (listen_services[i]);
          guint16 port;

          /* The implicit-TLS ports have no setting: they keep their default. */
          if (key == NULL)
            continue;
          g_settings_get (settings, key, "q", &port);
          self->want_ports[listen_services[i]] = port;
        }
    }

  scenario = g_resources_lookup_data (SCENARIO_RESOURCE, 0, NULL);
  if (scenario != NULL)
    self->scenario_json = g_strndup (g_bytes_get_data (scenario, NULL), g_bytes_get_size (scenario));

  return self;
}
