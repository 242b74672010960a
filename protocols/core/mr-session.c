/* mr-session.c
 *
 * Copyright 2026 The Mailroom authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "mr-session"

#include "config.h"

#include <string.h>

#include "mr-session.h"

typedef struct
{
  MrConversation  *conversation;
  MrLimits         limits;
  GByteArray      *outbox;
  MrSessionAction  action;
  guint            tls_available : 1;
  guint            encrypted : 1;
  guint            closed : 1;

  /* mr_session_hold() */
  guint            held : 1;
  MrSessionAction  held_action;
  GByteArray      *held_output;
  GPtrArray       *held_events;    /* MrEvent, emitted on release */
  GByteArray      *held_input;
  MrClock         *hold_clock;
  guint            hold_clock_id;
  GSource         *hold_source;
  gint64           hold_until;     /* on the hold's clock, µs */
} MrSessionPrivate;

G_DEFINE_ABSTRACT_TYPE_WITH_PRIVATE (MrSession, mr_session, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_CONVERSATION,
  PROP_LIMITS,
  PROP_TLS_AVAILABLE,
  N_PROPS
};

enum {
  WAKEUP,
  N_SIGNALS
};

static GParamSpec *properties [N_PROPS];
static guint signals [N_SIGNALS];

static void release_hold (MrSession *self);

static void
cancel_hold_timer (MrSession *self)
{
  MrSessionPrivate *priv = mr_session_get_instance_private (self);

  if (priv->hold_clock_id != 0)
    mr_clock_cancel (priv->hold_clock, priv->hold_clock_id);
  priv->hold_clock_id = 0;
  g_clear_object (&priv->hold_clock);
  if (priv->hold_source != NULL)
    {
      g_source_destroy (priv->hold_source);
      g_clear_pointer (&priv->hold_source, g_source_unref);
    }
}

static void
mr_session_dispose (GObject *object)
{
  cancel_hold_timer (MR_SESSION (object));

  G_OBJECT_CLASS (mr_session_parent_class)->dispose (object);
}

static void
mr_session_finalize (GObject *object)
{
  MrSession *self = (MrSession *)object;
  MrSessionPrivate *priv = mr_session_get_instance_private (self);

  g_clear_pointer (&priv->conversation, mr_conversation_unref);
  g_clear_pointer (&priv->outbox, g_byte_array_unref);
  g_clear_pointer (&priv->held_output, g_byte_array_unref);
  g_clear_pointer (&priv->held_events, g_ptr_array_unref);
  g_clear_pointer (&priv->held_input, g_byte_array_unref);

  G_OBJECT_CLASS (mr_session_parent_class)->finalize (object);
}

static void
mr_session_get_property (GObject    *object,
                         guint       prop_id,
                         GValue     *value,
                         GParamSpec *pspec)
{
  MrSession *self = MR_SESSION (object);
  MrSessionPrivate *priv = mr_session_get_instance_private (self);

  switch (prop_id)
    {
    case PROP_CONVERSATION:
      g_value_set_pointer (value, priv->conversation);
      break;

    case PROP_LIMITS:
      g_value_set_pointer (value, &priv->limits);
      break;

    case PROP_TLS_AVAILABLE:
      g_value_set_boolean (value, priv->tls_available);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
mr_session_set_property (GObject      *object,
                         guint         prop_id,
                         const GValue *value,
                         GParamSpec   *pspec)
{
  MrSession *self = MR_SESSION (object);
  MrSessionPrivate *priv = mr_session_get_instance_private (self);

  switch (prop_id)
    {
    case PROP_CONVERSATION:
      {
        MrConversation *conversation = g_value_get_pointer (value);

        g_clear_pointer (&priv->conversation, mr_conversation_unref);
        priv->conversation = conversation ? mr_conversation_ref (conversation)
                                          : mr_conversation_new (NULL, MR_PROTOCOL_NONE, "client", "server");
      }
      break;

    case PROP_LIMITS:
      {
        const MrLimits *limits = g_value_get_pointer (value);

        if (limits != NULL)
          priv->limits = *limits;
        mr_limits_init_defaults (&priv->limits);
      }
      break;

    case PROP_TLS_AVAILABLE:
      mr_session_set_tls_available (self, g_value_get_boolean (value));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
mr_session_real_stop (MrSession    *self,
                      MrStopReason  reason)
{
  mr_session_set_action (self, MR_SESSION_CLOSE);
}

static void
mr_session_class_init (MrSessionClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = mr_session_dispose;
  object_class->finalize = mr_session_finalize;
  object_class->get_property = mr_session_get_property;
  object_class->set_property = mr_session_set_property;

  klass->stop = mr_session_real_stop;

  /* A borrowed MrConversation (the session takes a reference). */
  properties [PROP_CONVERSATION] =
    g_param_spec_pointer ("conversation", NULL, NULL,
                          (G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS));

  /* A borrowed MrLimits, copied; NULL means defaults. */
  properties [PROP_LIMITS] =
    g_param_spec_pointer ("limits", NULL, NULL,
                          (G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS));

  properties [PROP_TLS_AVAILABLE] =
    g_param_spec_boolean ("tls-available", NULL, NULL,
                          FALSE,
                          (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * MrSession::wakeup:
   *
   * Emitted when the session has output or an action without having been
   * fed (IDLE notifications, delayed replies, a stop).
   */
  signals [WAKEUP] =
    g_signal_new ("wakeup", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 0);
}

static void
mr_session_init (MrSession *self)
{
  MrSessionPrivate *priv = mr_session_get_instance_private (self);

  priv->outbox = g_byte_array_new ();
  mr_limits_init_defaults (&priv->limits);
}

void
mr_session_start (MrSession *self)
{
  g_return_if_fail (MR_IS_SESSION (self));

  if (MR_SESSION_GET_CLASS (self)->start)
    MR_SESSION_GET_CLASS (self)->start (self);
}

void
mr_session_feed (MrSession    *self,
                 const guint8 *data,
                 gsize         len)
{
  MrSessionPrivate *priv = mr_session_get_instance_private (self);

  g_return_if_fail (MR_IS_SESSION (self));

  /* After a close or while TLS is pending, input is not ours to read. */
  if (priv->closed || priv->action != MR_SESSION_CONTINUE)
    return;

  if (priv->held)
    {
      /* A client that keeps talking while it is made to wait is not
       * polite enough to keep: hang up now, the held reply unsent. */
      if (priv->held_input->len + len > MR_SESSION_MAX_HELD_INPUT)
        {
          cancel_hold_timer (self);
          priv->held = FALSE;
          g_byte_array_set_size (priv->held_output, 0);
          g_ptr_array_set_size (priv->held_events, 0);
          g_byte_array_set_size (priv->held_input, 0);
          priv->held_action = MR_SESSION_CONTINUE;
          priv->action = MR_SESSION_CLOSE;
        }
      else
        g_byte_array_append (priv->held_input, data, len);
      return;
    }

  MR_SESSION_GET_CLASS (self)->feed (self, data, len);
}

void
mr_session_tls_started (MrSession *self)
{
  MrSessionPrivate *priv = mr_session_get_instance_private (self);

  g_return_if_fail (MR_IS_SESSION (self));

  priv->encrypted = TRUE;
  priv->tls_available = FALSE;
  priv->conversation->encrypted = TRUE;
  if (priv->action == MR_SESSION_START_TLS)
    priv->action = MR_SESSION_CONTINUE;

  mr_conversation_emit (priv->conversation,
                        mr_conversation_new_event (priv->conversation, MR_EVENT_TLS,
                                                   MR_DIRECTION_NONE, "TLS handshake complete"));

  if (MR_SESSION_GET_CLASS (self)->tls_started)
    MR_SESSION_GET_CLASS (self)->tls_started (self);
}

void
mr_session_stop (MrSession    *self,
                 MrStopReason  reason)
{
  MrSessionPrivate *priv = mr_session_get_instance_private (self);

  g_return_if_fail (MR_IS_SESSION (self));

  if (priv->closed || priv->action == MR_SESSION_CLOSE)
    return;

  /* What was held goes out before the goodbye. */
  if (priv->held)
    {
      cancel_hold_timer (self);
      g_byte_array_set_size (priv->held_input, 0);
      release_hold (self);
      if (priv->action == MR_SESSION_CLOSE)
        return;
    }

  MR_SESSION_GET_CLASS (self)->stop (self, reason);
  mr_session_set_action (self, MR_SESSION_CLOSE);
}

void
mr_session_disconnected (MrSession *self)
{
  MrSessionPrivate *priv = mr_session_get_instance_private (self);

  g_return_if_fail (MR_IS_SESSION (self));

  if (priv->closed)
    return;
  priv->closed = TRUE;

  /* Nobody is left to hear what was held. */
  cancel_hold_timer (self);
  if (priv->held)
    {
      priv->held = FALSE;
      g_ptr_array_set_size (priv->held_events, 0);
    }

  if (MR_SESSION_GET_CLASS (self)->disconnected)
    MR_SESSION_GET_CLASS (self)->disconnected (self);

  mr_conversation_emit (priv->conversation,
                        mr_conversation_new_event (priv->conversation, MR_EVENT_DISCONNECT,
                                                   MR_DIRECTION_NONE,
                                                   priv->action == MR_SESSION_CLOSE
                                                   ? "Connection closed"
                                                   : "Connection lost"));
}

GBytes *
mr_session_take_output (MrSession *self)
{
  MrSessionPrivate *priv = mr_session_get_instance_private (self);
  GBytes *bytes;

  g_return_val_if_fail (MR_IS_SESSION (self), NULL);

  if (priv->outbox->len == 0)
    return NULL;

  bytes = g_byte_array_free_to_bytes (g_steal_pointer (&priv->outbox));
  priv->outbox = g_byte_array_new ();
  return bytes;
}

gboolean
mr_session_has_output (MrSession *self)
{
  MrSessionPrivate *priv = mr_session_get_instance_private (self);

  return priv->outbox->len > 0;
}

MrSessionAction
mr_session_get_action (MrSession *self)
{
  MrSessionPrivate *priv = mr_session_get_instance_private (self);

  g_return_val_if_fail (MR_IS_SESSION (self), MR_SESSION_CLOSE);
  return priv->action;
}

void
mr_session_set_action (MrSession       *self,
                       MrSessionAction  action)
{
  MrSessionPrivate *priv = mr_session_get_instance_private (self);

  g_return_if_fail (MR_IS_SESSION (self));

  /* Held: the action waits with the output it goes with. */
  if (priv->held)
    {
      if (priv->held_action != MR_SESSION_CLOSE)
        priv->held_action = action;
      return;
    }

  /* CLOSE wins over everything. */
  if (priv->action != MR_SESSION_CLOSE)
    priv->action = action;
}

MrConversation *
mr_session_get_conversation (MrSession *self)
{
  MrSessionPrivate *priv = mr_session_get_instance_private (self);

  g_return_val_if_fail (MR_IS_SESSION (self), NULL);
  return priv->conversation;
}

const MrLimits *
mr_session_get_limits (MrSession *self)
{
  MrSessionPrivate *priv = mr_session_get_instance_private (self);

  g_return_val_if_fail (MR_IS_SESSION (self), NULL);
  return &priv->limits;
}

gboolean
mr_session_get_tls_available (MrSession *self)
{
  MrSessionPrivate *priv = mr_session_get_instance_private (self);

  g_return_val_if_fail (MR_IS_SESSION (self), FALSE);
  return priv->tls_available && !priv->encrypted;
}

void
mr_session_set_tls_available (MrSession *self,
                              gboolean   tls_available)
{
  MrSessionPrivate *priv = mr_session_get_instance_private (self);

  g_return_if_fail (MR_IS_SESSION (self));

  tls_available = !!tls_available;
  if (priv->tls_available != tls_available)
    {
      priv->tls_available = tls_available;
      g_object_notify_by_pspec (G_OBJECT (self), properties [PROP_TLS_AVAILABLE]);
    }
}

gboolean
mr_session_get_encrypted (MrSession *self)
{
  MrSessionPrivate *priv = mr_session_get_instance_private (self);

  g_return_val_if_fail (MR_IS_SESSION (self), FALSE);
  return priv->encrypted;
}

gboolean
mr_session_get_closed (MrSession *self)
{
  MrSessionPrivate *priv = mr_session_get_instance_private (self);

  g_return_val_if_fail (MR_IS_SESSION (self), TRUE);
  return priv->closed;
}

void
mr_session_write (MrSession  *self,
                  const void *data,
                  gsize       len)
{
  MrSessionPrivate *priv = mr_session_get_instance_private (self);

  g_byte_array_append (priv->held ? priv->held_output : priv->outbox, data, len);
}

void
mr_session_send_line (MrSession  *self,
                      const char *line,
                      MrEvent    *event)
{
  MrSessionPrivate *priv = mr_session_get_instance_private (self);

  GByteArray *out = priv->held ? priv->held_output : priv->outbox;

  g_byte_array_append (out, (const guint8 *)line, strlen (line));
  g_byte_array_append (out, (const guint8 *)"\r\n", 2);

  if (event == NULL)
    event = mr_conversation_new_event (priv->conversation, MR_EVENT_LINE,
                                       MR_DIRECTION_TO_CLIENT, line);
  /* Held lines reach the ladder when they reach the wire. */
  if (priv->held)
    g_ptr_array_add (priv->held_events, event);
  else
    mr_conversation_emit (priv->conversation, event);
}

/* The held output, events and action go out; waiting input is fed. */
static void
release_hold (MrSession *self)
{
  MrSessionPrivate *priv = mr_session_get_instance_private (self);
  g_autoptr(GByteArray) input = NULL;
  g_autoptr(GPtrArray) events = NULL;
  MrSessionAction action;

  priv->held = FALSE;
  g_byte_array_append (priv->outbox, priv->held_output->data, priv->held_output->len);
  g_byte_array_set_size (priv->held_output, 0);

  events = g_steal_pointer (&priv->held_events);
  priv->held_events = g_ptr_array_new_with_free_func ((GDestroyNotify) mr_event_unref);
  g_ptr_array_set_free_func (events, NULL);   /* emitting takes them */
  for (guint i = 0; i < events->len; i++)
    {
      /* The bus stamps them now: the ladder shows the wait. */
      mr_conversation_emit (priv->conversation, g_ptr_array_index (events, i));
    }

  action = priv->held_action;
  priv->held_action = MR_SESSION_CONTINUE;
  if (action != MR_SESSION_CONTINUE)
    mr_session_set_action (self, action);

  input = g_steal_pointer (&priv->held_input);
  priv->held_input = g_byte_array_new ();
  if (!priv->closed && priv->action == MR_SESSION_CONTINUE)
    MR_SESSION_GET_CLASS (self)->feed (self, input->data, input->len);
}

static void
hold_expired (gpointer user_data)
{
  MrSession *self = user_data;
  MrSessionPrivate *priv = mr_session_get_instance_private (self);

  g_object_ref (self);
  priv->hold_clock_id = 0;
  g_clear_pointer (&priv->hold_source, g_source_unref);
  g_clear_object (&priv->hold_clock);
  release_hold (self);
  mr_session_wakeup (self);
  g_object_unref (self);
}

static gboolean
hold_source_cb (gpointer user_data)
{
  hold_expired (user_data);
  return G_SOURCE_REMOVE;
}

void
mr_session_hold (MrSession *self,
                 MrClock   *clock,
                 gint64     usec)
{
  MrSessionPrivate *priv = mr_session_get_instance_private (self);
  gint64 now;

  g_return_if_fail (MR_IS_SESSION (self));
  g_return_if_fail (!clock || MR_IS_CLOCK (clock));

  if (priv->closed || usec <= 0)
    return;

  if (priv->held_output == NULL)
    {
      priv->held_output = g_byte_array_new ();
      priv->held_events = g_ptr_array_new_with_free_func ((GDestroyNotify) mr_event_unref);
      priv->held_input = g_byte_array_new ();
    }

  /* A hold on another clock than the running one: keep the first clock. */
  if (priv->held && priv->hold_clock != clock && clock != NULL && priv->hold_clock != NULL)
    clock = priv->hold_clock;

  now = clock != NULL ? mr_clock_now (clock) : g_get_monotonic_time ();
  priv->hold_until = (priv->held ? MAX (priv->hold_until, now) : now) + usec;
  cancel_hold_timer (self);
  priv->held = TRUE;

  if (clock != NULL)
    {
      priv->hold_clock = g_object_ref (clock);
      priv->hold_clock_id = mr_clock_add_timeout (clock, priv->hold_until - now, hold_expired, self, NULL);
    }
  else
    {
      priv->hold_source = g_timeout_source_new ((priv->hold_until - now) / 1000);
      g_source_set_name (priv->hold_source, "[mailroom] session hold");
      g_source_set_callback (priv->hold_source, hold_source_cb, self, NULL);
      g_source_attach (priv->hold_source, g_main_context_get_thread_default ());
    }
}

gboolean
mr_session_get_held (MrSession *self)
{
  MrSessionPrivate *priv = mr_session_get_instance_private (self);

  g_return_val_if_fail (MR_IS_SESSION (self), FALSE);
  return priv->held;
}

void
mr_session_wakeup (MrSession *self)
{
  g_return_if_fail (MR_IS_SESSION (self));
  g_signal_emit (self, signals [WAKEUP], 0);
}
