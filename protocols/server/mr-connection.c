/* mr-connection.c
 *
 * Copyright 2026 The Mailroom authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "mr-connection"

#include "config.h"

#include "mr-connection.h"

#define READ_SIZE 16384

struct _MrConnection
{
  GObject          parent_instance;

  /* Owned */
  GIOStream       *stream;       /* plain, or the TLS connection after STARTTLS */
  GIOStream       *base_stream;  /* the socket connection */
  MrSession       *session;
  GTlsCertificate *certificate;
  GCancellable    *cancellable;
  GQueue           pending;      /* GBytes waiting to be written */
  GSource         *idle_source;
  guint8          *read_buffer;

  guint            idle_timeout_seconds;
  guint            implicit_tls : 1;
  guint            writing : 1;
  guint            reading : 1;
  guint            handshaking : 1;
  guint            closing : 1;
  guint            closed : 1;
};

G_DEFINE_FINAL_TYPE (MrConnection, mr_connection, G_TYPE_OBJECT)

enum {
  CLOSED,
  N_SIGNALS
};

static guint signals [N_SIGNALS];

static void mr_connection_pump (MrConnection *self);
static void mr_connection_read (MrConnection *self);

static void
mr_connection_dispose (GObject *object)
{
  MrConnection *self = (MrConnection *)object;

  g_cancellable_cancel (self->cancellable);
  if (self->idle_source != NULL)
    {
      g_source_destroy (self->idle_source);
      g_clear_pointer (&self->idle_source, g_source_unref);
    }
  if (self->session != NULL)
    g_signal_handlers_disconnect_by_data (self->session, self);

  G_OBJECT_CLASS (mr_connection_parent_class)->dispose (object);
}

static void
mr_connection_finalize (GObject *object)
{
  MrConnection *self = (MrConnection *)object;

  g_queue_clear_full (&self->pending, (GDestroyNotify)g_bytes_unref);
  g_clear_object (&self->stream);
  g_clear_object (&self->base_stream);
  g_clear_object (&self->session);
  g_clear_object (&self->certificate);
  g_clear_object (&self->cancellable);
  g_clear_pointer (&self->read_buffer, g_free);

  G_OBJECT_CLASS (mr_connection_parent_class)->finalize (object);
}

static void
mr_connection_class_init (MrConnectionClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = mr_connection_dispose;
  object_class->finalize = mr_connection_finalize;

  /**
   * MrConnection::closed:
   *
   * Emitted once, when the socket is closed for any reason.
   */
  signals [CLOSED] =
    g_signal_new ("closed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 0);
}

static void
mr_connection_init (MrConnection *self)
{
  self->cancellable = g_cancellable_new ();
  self->read_buffer = g_malloc (READ_SIZE);
  g_queue_init (&self->pending);
}

static void
close_cb (GObject      *object,
          GAsyncResult *result,
          gpointer      user_data)
{
  g_autoptr(MrConnection) self = user_data;

  g_io_stream_close_finish (G_IO_STREAM (object), result, NULL);
}

static void
mr_connection_close (MrConnection *self)
{
  if (self->closed)
    return;
  self->closed = TRUE;

  g_object_ref (self);
  mr_session_disconnected (self->session);
  if (self->idle_source != NULL)
    {
      g_source_destroy (self->idle_source);
      g_clear_pointer (&self->idle_source, g_source_unref);
    }
  g_cancellable_cancel (self->cancellable);
  g_io_stream_close_async (self->stream, G_PRIORITY_DEFAULT, NULL, close_cb, g_object_ref (self));
  g_signal_emit (self, signals [CLOSED], 0);
  g_object_unref (self);
}

static gboolean
on_idle_timeout_cb (gpointer user_data)
{
  MrConnection *self = user_data;

  g_clear_pointer (&self->idle_source, g_source_unref);
  /* RFC 5321 4.5.3.2.7: the server may close an idle connection; it says
   * 421 first so the client knows why. */
  mr_connection_stop (self, MR_STOP_IDLE);
  return G_SOURCE_REMOVE;
}

static void
reset_idle_timer (MrConnection *self)
{
  if (self->idle_source != NULL)
    {
      g_source_destroy (self->idle_source);
      g_clear_pointer (&self->idle_source, g_source_unref);
    }
  if (self->idle_timeout_seconds == 0 || self->closed)
    return;

  self->idle_source = g_timeout_source_new_seconds (self->idle_timeout_seconds);
  g_source_set_callback (self->idle_source, on_idle_timeout_cb, self, NULL);
  g_source_set_name (self->idle_source, "[mailroom] idle timeout");
  g_source_attach (self->idle_source, g_main_context_get_thread_default ());
}

static void
handshake_cb (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(MrConnection) self = user_data;
  g_autoptr(GError) error = NULL;

  self->handshaking = FALSE;

  if (!g_tls_connection_handshake_finish (G_TLS_CONNECTION (object), result, &error))
    {
      g_debug ("TLS handshake failed: %s", error->message);
      mr_connection_close (self);
      return;
    }

  mr_session_tls_started (self->session);
  if (self->implicit_tls)
    {
      self->implicit_tls = FALSE;
      mr_session_start (self->session);
    }
  mr_connection_pump (self);
}

static void
start_tls (MrConnection *self)
{
  g_autoptr(GError) error = NULL;
  GIOStream *tls;

  if (self->certificate == NULL)
    {
      mr_connection_close (self);
      return;
    }

  tls = g_tls_server_connection_new (self->base_stream, self->certificate, &error);
  if (tls == NULL)
    {
      g_warning ("Cannot start TLS: %s", error->message);
      mr_connection_close (self);
      return;
    }

  g_set_object (&self->stream, tls);
  g_object_unref (tls);
  self->handshaking = TRUE;
  g_tls_connection_handshake_async (G_TLS_CONNECTION (self->stream), G_PRIORITY_DEFAULT,
                                    self->cancellable, handshake_cb, g_object_ref (self));
}

static void
write_cb (GObject      *object,
          GAsyncResult *result,
          gpointer      user_data)
{
  g_autoptr(MrConnection) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) bytes = NULL;

  self->writing = FALSE;
  bytes = g_queue_pop_head (&self->pending);

  if (!g_output_stream_write_all_finish (G_OUTPUT_STREAM (object), result, NULL, &error))
    {
      mr_connection_close (self);
      return;
    }

  mr_connection_pump (self);
}

/* Moves the session's output to the socket, and once it is all written,
 * acts on the session's action. */
static void
mr_connection_pump (MrConnection *self)
{
  GBytes *output;

  if (self->closed || self->handshaking)
    return;

  if ((output = mr_session_take_output (self->session)))
    g_queue_push_tail (&self->pending, output);

  if (self->writing)
    return;

  if (!g_queue_is_empty (&self->pending))
    {
      GBytes *next = g_queue_peek_head (&self->pending);
      GOutputStream *out = g_io_stream_get_output_stream (self->stream);

      self->writing = TRUE;
      g_output_stream_write_all_async (out,
                                       g_bytes_get_data (next, NULL),
                                       g_bytes_get_size (next),
                                       G_PRIORITY_DEFAULT,
                                       self->cancellable,
                                       write_cb,
                                       g_object_ref (self));
      return;
    }

  switch (mr_session_get_action (self->session))
    {
    case MR_SESSION_CLOSE:
      mr_connection_close (self);
      break;

    case MR_SESSION_START_TLS:
      if (!self->reading)
        start_tls (self);
      break;

    case MR_SESSION_CONTINUE:
      if (!self->reading && !self->closing)
        mr_connection_read (self);
      break;

    default:
      g_assert_not_reached ();
    }
}

static void
read_cb (GObject      *object,
         GAsyncResult *result,
         gpointer      user_data)
{
  g_autoptr(MrConnection) self = user_data;
  g_autoptr(GError) error = NULL;
  gssize n;

  self->reading = FALSE;
  n = g_input_stream_read_finish (G_INPUT_STREAM (object), result, &error);

  if (self->closed)
    return;

  if (n <= 0)
    {
      /* EOF or error: the peer went away. */
      mr_connection_close (self);
      return;
    }

  reset_idle_timer (self);
  mr_session_feed (self->session, self->read_buffer, n);
  mr_connection_pump (self);
}

static void
mr_connection_read (MrConnection *self)
{
  GInputStream *in = g_io_stream_get_input_stream (self->stream);

  self->reading = TRUE;
  g_input_stream_read_async (in, self->read_buffer, READ_SIZE, G_PRIORITY_DEFAULT,
                             self->cancellable, read_cb, g_object_ref (self));
}

static void
on_session_wakeup_cb (MrConnection *self,
                      MrSession    *session)
{
  g_assert (MR_IS_CONNECTION (self));

  mr_connection_pump (self);
}

MrConnection *
mr_connection_new (GIOStream       *stream,
                   MrSession       *session,
                   GTlsCertificate *certificate,
                   gboolean         implicit_tls,
                   guint            idle_timeout_seconds)
{
  MrConnection *self;

  g_return_val_if_fail (G_IS_IO_STREAM (stream), NULL);
  g_return_val_if_fail (MR_IS_SESSION (session), NULL);

  self = g_object_new (MR_TYPE_CONNECTION, NULL);
  self->stream = g_object_ref (stream);
  self->base_stream = g_object_ref (stream);
  self->session = g_object_ref (session);
  self->certificate = certificate ? g_object_ref (certificate) : NULL;
  self->implicit_tls = !!implicit_tls;
  self->idle_timeout_seconds = idle_timeout_seconds;

  mr_session_set_tls_available (session, certificate != NULL && !implicit_tls);
  g_signal_connect_object (session, "wakeup", G_CALLBACK (on_session_wakeup_cb),
                           self, G_CONNECT_SWAPPED);

  return self;
}

void
mr_connection_start (MrConnection *self)
{
  g_return_if_fail (MR_IS_CONNECTION (self));

  reset_idle_timer (self);

  if (self->implicit_tls)
    {
      start_tls (self);
      return;
    }

  mr_session_start (self->session);
  mr_connection_pump (self);
}

void
mr_connection_refuse (MrConnection *self,
                      MrStopReason  reason)
{
  g_return_if_fail (MR_IS_CONNECTION (self));

  self->closing = TRUE;
  self->implicit_tls = FALSE;
  mr_session_stop (self->session, reason);
  mr_connection_pump (self);
}

void
mr_connection_stop (MrConnection *self,
                    MrStopReason  reason)
{
  g_return_if_fail (MR_IS_CONNECTION (self));

  if (self->closed || self->closing)
    return;
  self->closing = TRUE;

  if (self->handshaking)
    {
      mr_connection_close (self);
      return;
    }

  /* A read in flight is cancelled so the goodbye is the last thing said. */
  mr_session_stop (self->session, reason);
  mr_connection_pump (self);
}

MrSession *
mr_connection_get_session (MrConnection *self)
{
  g_return_val_if_fail (MR_IS_CONNECTION (self), NULL);
  return self->session;
}

gboolean
mr_connection_get_closed (MrConnection *self)
{
  g_return_val_if_fail (MR_IS_CONNECTION (self), TRUE);
  return self->closed;
}
