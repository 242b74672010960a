/* mr-wire.c
 *
 * Copyright 2026 The Mailroom authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "mr-wire"

#include "config.h"

#include <string.h>

#include "mr-event-bus.h"
#include "mr-wire.h"

/* The server session writes a reply line and emits its event at once, but
 * on a wire the line only arrives later (or at the next step). So the
 * server's conversation emits into a private bus; the wire forwards each
 * event to the real bus when its line is delivered, and everything else
 * (commands as the server reads them, content, TLS, notes) right away. */

typedef struct
{
  MrDirection  direction;
  GBytes      *bytes;
  MrEvent     *event;     /* held reply event, forwarded on delivery */
  guint64      seq;       /* sending order across every wire of the clock */
} Unit;

/* In step mode, one mr_clock_step() lets one line through in the whole
 * lab, not one per wire: the pacer of a clock (one per clock, kept on it)
 * picks the wire whose next line was sent first. */
typedef struct
{
  GPtrArray *wires;       /* MrWire, borrowed: each removes itself */
  guint64    next_seq;
  guint64    n_delivered;
} Pacer;

#define PACER_KEY "mr-wire-pacer"

struct _MrWire
{
  GObject       parent_instance;

  /* Owned */
  MrClock      *clock;
  MrSmtpClient *client;
  MrSession    *server;
  GQueue        queue;          /* Unit, in sending order */
  GByteArray   *server_partial; /* server output without its line end yet */
  MrConversation *conversation; /* the server's; its bus is swapped */
  MrEventBus   *real_bus;       /* where events go */
  MrEventBus   *hold_bus;       /* what the conversation emits into */
  GQueue        held;           /* MrEvent: reply lines not attached to a unit yet */
  gulong        hold_handler;

  gint64        latency;
  gint64        reply_delay;
  guint         timer_id;
  guint         n_delivered;
  Pacer        *pacer;          /* the clock's, borrowed (the clock is ours) */
  gulong        changed_handler;

  guint         tls_available : 1;
  guint         started : 1;
  guint         server_closing : 1;
  guint         closed : 1;
};

G_DEFINE_FINAL_TYPE (MrWire, mr_wire, G_TYPE_OBJECT)

enum {
  CLOSED,
  DELIVERED,
  N_SIGNALS
};

static guint signals [N_SIGNALS];

static void arm (MrWire *self);

static void
unit_free (Unit *unit)
{
  g_bytes_unref (unit->bytes);
  g_clear_pointer (&unit->event, mr_event_unref);
  g_free (unit);
}

static MrEvent *
copy_event (const MrEvent *event)
{
  MrEvent *copy = mr_event_new (event->kind, event->direction, event->text);

  copy->flags = event->flags;
  copy->protocol = event->protocol;
  copy->conversation_id = event->conversation_id;
  copy->client = g_strdup (event->client);
  copy->server = g_strdup (event->server);
  mr_event_set_verb (copy, event->verb);
  mr_event_set_tag (copy, event->tag);
  mr_event_set_reply (copy, event->code, event->enhanced);
  mr_event_set_state (copy, event->state);
  if (event->content != NULL)
    mr_event_set_content (copy, event->content);

  return copy;
}

static void
forward (MrWire  *self,
         MrEvent *event)
{
  g_autoptr(MrEvent) copy = copy_event (event);

  if (self->real_bus != NULL)
    mr_event_bus_emit (self->real_bus, copy);
}

static void
on_hold_event_cb (MrWire     *self,
                  MrEvent    *event,
                  MrEventBus *bus)
{
  g_assert (MR_IS_WIRE (self));

  if (event->kind == MR_EVENT_LINE && event->direction == MR_DIRECTION_TO_CLIENT && !self->closed)
    g_queue_push_tail (&self->held, mr_event_ref (event));
  else
    forward (self, event);
}

static void
flush_held (MrWire *self)
{
  MrEvent *event;

  while ((event = g_queue_pop_head (&self->held)) != NULL)
    {
      forward (self, event);
      mr_event_unref (event);
    }
}

/* Gives the conversation its real bus back. */
static void
release_conversation (MrWire *self)
{
  if (self->conversation == NULL)
    return;

  flush_held (self);
  g_clear_signal_handler (&self->hold_handler, self->hold_bus);
  if (self->real_bus != NULL)
    {
      g_clear_object (&self->conversation->bus);
      self->conversation->bus = g_object_ref (self->real_bus);
    }
  g_clear_pointer (&self->conversation, mr_conversation_unref);
}

static void
push_unit (MrWire      *self,
           MrDirection  direction,
           GBytes      *bytes)
{
  Unit *unit = g_new0 (Unit, 1);

  unit->direction = direction;
  unit->bytes = bytes;
  unit->seq = self->pacer ? self->pacer->next_seq++ : 0;
  g_queue_push_tail (&self->queue, unit);
}

static gboolean
has_pending (MrWire      *self,
             MrDirection  direction)
{
  for (GList *l = self->queue.head; l != NULL; l = l->next)
    if (((Unit *)l->data)->direction == direction)
      return TRUE;
  return FALSE;
}

static void
drop_pending (MrWire      *self,
              MrDirection  direction)
{
  GList *l = self->queue.head;

  while (l != NULL)
    {
      GList *next = l->next;

      if (((Unit *)l->data)->direction == direction)
        {
          /* Sent but never read: still part of the conversation. */
          if (((Unit *)l->data)->event != NULL)
            forward (self, ((Unit *)l->data)->event);
          unit_free (l->data);
          g_queue_delete_link (&self->queue, l);
        }
      l = next;
    }
}

static void
cancel_timer (MrWire *self)
{
  if (self->timer_id != 0)
    {
      mr_clock_cancel (self->clock, self->timer_id);
      self->timer_id = 0;
    }
}

/* Server output becomes one unit per line; a line end split across writes
 * waits for the rest. */
static void
pump_server (MrWire *self)
{
  g_autoptr(GBytes) output = NULL;
  gsize start = 0;

  if (self->server == NULL)
    return;

  if ((output = mr_session_take_output (self->server)) != NULL)
    g_byte_array_append (self->server_partial, g_bytes_get_data (output, NULL),
                         g_bytes_get_size (output));

  for (gsize i = 0; i < self->server_partial->len; i++)
    {
      if (self->server_partial->data[i] != '\n')
        continue;
      push_unit (self, MR_DIRECTION_TO_CLIENT,
                 g_bytes_new (self->server_partial->data + start, i + 1 - start));
      ((Unit *)g_queue_peek_tail (&self->queue))->event = g_queue_pop_head (&self->held);
      start = i + 1;
    }
  /* Events without a line of their own are not held back. */
  flush_held (self);
  g_byte_array_remove_range (self->server_partial, 0, start);

  if (mr_session_get_action (self->server) == MR_SESSION_CLOSE || mr_session_get_closed (self->server))
    {
      /* Whatever is left without a line end still goes out before the close. */
      if (self->server_partial->len > 0)
        {
          push_unit (self, MR_DIRECTION_TO_CLIENT,
                     g_bytes_new (self->server_partial->data, self->server_partial->len));
          g_byte_array_set_size (self->server_partial, 0);
        }
      self->server_closing = TRUE;
      drop_pending (self, MR_DIRECTION_TO_SERVER);
    }
}

static void
pump_client (MrWire *self)
{
  GBytes *unit;

  while ((unit = mr_smtp_client_next_output (self->client)) != NULL)
    {
      if (self->server_closing)
        g_bytes_unref (unit);
      else
        push_unit (self, MR_DIRECTION_TO_SERVER, unit);
    }

  /* A client that gave up reads nothing more. */
  if (mr_smtp_client_get_finished (self->client))
    drop_pending (self, MR_DIRECTION_TO_CLIENT);
}

static void
close_wire (MrWire *self)
{
  if (self->closed)
    return;

  self->closed = TRUE;
  cancel_timer (self);
  drop_pending (self, MR_DIRECTION_TO_CLIENT);
  g_queue_clear_full (&self->queue, (GDestroyNotify)unit_free);
  release_conversation (self);
  g_signal_emit (self, signals [CLOSED], 0);
}

static void
check_close (MrWire *self)
{
  gboolean client_done = mr_smtp_client_get_finished (self->client);

  if (self->closed)
    return;

  /* The server hung up and the client has read everything it said. */
  if (self->server_closing && !has_pending (self, MR_DIRECTION_TO_CLIENT))
    {
      if (!client_done)
        mr_smtp_client_disconnected (self->client, "the server closed the connection");
      if (!mr_session_get_closed (self->server))
        mr_session_disconnected (self->server);
      close_wire (self);
      return;
    }

  /* The client is finished and the server has read everything it sent. */
  if (client_done && !has_pending (self, MR_DIRECTION_TO_SERVER))
    {
      if (!mr_session_get_closed (self->server))
        mr_session_disconnected (self->server);
      close_wire (self);
    }
}

static void
maybe_start_tls (MrWire *self)
{
  /* RFC 3207 4: the client saw "220" and the server waits for the
   * hand-shake; on a wire, it simply succeeds. */
  if (mr_smtp_client_get_action (self->client) == MR_SESSION_START_TLS &&
      mr_session_get_action (self->server) == MR_SESSION_START_TLS)
    {
      mr_session_tls_started (self->server);
      mr_smtp_client_tls_started (self->client);
    }
}

static void
deliver_one (MrWire *self)
{
  Unit *unit;
  const guint8 *data;
  gsize len;

  if (self->closed || (unit = g_queue_pop_head (&self->queue)) == NULL)
    return;

  g_object_ref (self);

  data = g_bytes_get_data (unit->bytes, &len);
  self->n_delivered++;
  if (self->pacer != NULL)
    self->pacer->n_delivered++;
  if (unit->event != NULL)
    forward (self, unit->event);
  if (unit->direction == MR_DIRECTION_TO_SERVER)
    mr_session_feed (self->server, data, len);
  else
    {
      mr_smtp_client_feed (self->client, data, len);
      maybe_start_tls (self);
    }

  g_signal_emit (self, signals [DELIVERED], 0, unit->direction, unit->bytes);
  unit_free (unit);

  pump_server (self);
  pump_client (self);
  check_close (self);
  arm (self);

  g_object_unref (self);
}

static void
on_timer_cb (gpointer user_data)
{
  MrWire *self = user_data;

  self->timer_id = 0;
  deliver_one (self);
}

static void
arm (MrWire *self)
{
  Unit *head;
  gint64 wait;

  if (self->closed || self->timer_id != 0)
    return;
  if ((head = g_queue_peek_head (&self->queue)) == NULL)
    return;
  if (mr_clock_get_mode (self->clock) == MR_CLOCK_STEP)
    return;

  wait = self->latency;
  if (head->direction == MR_DIRECTION_TO_CLIENT)
    wait += self->reply_delay;
  self->timer_id = mr_clock_add_timeout (self->clock, wait, on_timer_cb, self, NULL);
}

static void
on_clock_step_cb (MrClock *clock,
                  Pacer   *pacer)
{
  MrWire *next = NULL;
  guint64 oldest = G_MAXUINT64;

  if (mr_clock_get_mode (clock) != MR_CLOCK_STEP)
    return;

  for (guint i = 0; i < pacer->wires->len; i++)
    {
      MrWire *wire = g_ptr_array_index (pacer->wires, i);
      Unit *head = g_queue_peek_head (&wire->queue);

      if (!wire->closed && head != NULL && head->seq < oldest)
        {
          oldest = head->seq;
          next = wire;
        }
    }

  /* Exactly one line per step. */
  if (next != NULL)
    deliver_one (next);
}

static void
pacer_free (Pacer *pacer)
{
  g_ptr_array_unref (pacer->wires);
  g_free (pacer);
}

static Pacer *
pacer_for (MrClock *clock)
{
  Pacer *pacer = g_object_get_data (G_OBJECT (clock), PACER_KEY);

  if (pacer == NULL)
    {
      pacer = g_new0 (Pacer, 1);
      pacer->wires = g_ptr_array_new ();
      g_object_set_data_full (G_OBJECT (clock), PACER_KEY, pacer, (GDestroyNotify)pacer_free);
      g_signal_connect (clock, "step", G_CALLBACK (on_clock_step_cb), pacer);
    }

  return pacer;
}

static void
on_clock_changed_cb (MrWire  *self,
                     MrClock *clock)
{
  g_assert (MR_IS_WIRE (self));

  if (mr_clock_get_mode (clock) == MR_CLOCK_STEP)
    cancel_timer (self);
  else
    arm (self);
}

static void
on_server_wakeup_cb (MrWire    *self,
                     MrSession *server)
{
  g_assert (MR_IS_WIRE (self));

  if (self->closed)
    return;
  pump_server (self);
  check_close (self);
  arm (self);
}

static void
mr_wire_dispose (GObject *object)
{
  MrWire *self = (MrWire *)object;

  cancel_timer (self);
  release_conversation (self);
  if (self->clock != NULL)
    g_clear_signal_handler (&self->changed_handler, self->clock);
  if (self->pacer != NULL)
    g_ptr_array_remove_fast (self->pacer->wires, self);
  self->pacer = NULL;
  if (self->server != NULL)
    g_signal_handlers_disconnect_by_data (self->server, self);
  g_queue_clear_full (&self->queue, (GDestroyNotify)unit_free);
  g_clear_object (&self->client);
  g_clear_object (&self->server);
  g_clear_object (&self->clock);

  G_OBJECT_CLASS (mr_wire_parent_class)->dispose (object);
}

static void
mr_wire_finalize (GObject *object)
{
  MrWire *self = (MrWire *)object;

  g_clear_pointer (&self->server_partial, g_byte_array_unref);
  g_queue_clear_full (&self->held, (GDestroyNotify)mr_event_unref);
  g_clear_object (&self->hold_bus);
  g_clear_object (&self->real_bus);

  G_OBJECT_CLASS (mr_wire_parent_class)->finalize (object);
}

static void
mr_wire_class_init (MrWireClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = mr_wire_dispose;
  object_class->finalize = mr_wire_finalize;

  /**
   * MrWire::closed:
   *
   * Emitted once when the connection is over: both ends have been told.
   */
  signals [CLOSED] =
    g_signal_new ("closed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 0);

  /**
   * MrWire::delivered:
   * @direction: an #MrDirection
   * @bytes: the unit
   *
   * Emitted after each line (or content block) reached its end.
   */
  signals [DELIVERED] =
    g_signal_new ("delivered", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 2, G_TYPE_INT, G_TYPE_BYTES);
}

static void
mr_wire_init (MrWire *self)
{
  g_queue_init (&self->queue);
  g_queue_init (&self->held);
  self->server_partial = g_byte_array_new ();
  self->latency = MR_WIRE_DEFAULT_LATENCY;
  self->tls_available = TRUE;
}

MrWire *
mr_wire_new (MrClock      *clock,
             MrSmtpClient *client,
             MrSession    *server)
{
  MrWire *self;

  g_return_val_if_fail (MR_IS_CLOCK (clock), NULL);
  g_return_val_if_fail (MR_IS_SMTP_CLIENT (client), NULL);
  g_return_val_if_fail (MR_IS_SESSION (server), NULL);

  self = g_object_new (MR_TYPE_WIRE, NULL);
  self->clock = g_object_ref (clock);
  self->client = g_object_ref (client);
  self->server = g_object_ref (server);

  /* Both ends would report each line; the server's events are the
   * canonical ones, re-timed to when each line arrives. */
  mr_smtp_client_set_emit_lines (client, FALSE);
  self->conversation = mr_conversation_ref (mr_session_get_conversation (server));
  if (self->conversation->bus != NULL)
    {
      self->real_bus = g_steal_pointer (&self->conversation->bus);
      self->hold_bus = mr_event_bus_new (clock);
      mr_event_bus_set_capacity (self->hold_bus, 16);
      self->conversation->bus = g_object_ref (self->hold_bus);
      self->hold_handler = g_signal_connect_swapped (self->hold_bus, "event",
                                                     G_CALLBACK (on_hold_event_cb), self);
    }

  self->pacer = pacer_for (clock);
  g_ptr_array_add (self->pacer->wires, self);
  self->changed_handler = g_signal_connect_swapped (clock, "changed",
                                                    G_CALLBACK (on_clock_changed_cb), self);
  g_signal_connect_swapped (server, "wakeup", G_CALLBACK (on_server_wakeup_cb), self);

  return self;
}

MrSmtpClient *
mr_wire_get_client (MrWire *self)
{
  g_return_val_if_fail (MR_IS_WIRE (self), NULL);
  return self->client;
}

MrSession *
mr_wire_get_server (MrWire *self)
{
  g_return_val_if_fail (MR_IS_WIRE (self), NULL);
  return self->server;
}

void
mr_wire_set_latency (MrWire *self,
                     gint64  usec)
{
  g_return_if_fail (MR_IS_WIRE (self));
  self->latency = MAX (usec, 0);
}

gint64
mr_wire_get_latency (MrWire *self)
{
  g_return_val_if_fail (MR_IS_WIRE (self), 0);
  return self->latency;
}

void
mr_wire_set_reply_delay (MrWire *self,
                         gint64  usec)
{
  g_return_if_fail (MR_IS_WIRE (self));
  self->reply_delay = MAX (usec, 0);
}

void
mr_wire_set_tls_available (MrWire   *self,
                           gboolean  tls_available)
{
  g_return_if_fail (MR_IS_WIRE (self));
  self->tls_available = !!tls_available;
}

void
mr_wire_start (MrWire *self)
{
  MrConversation *conversation;

  g_return_if_fail (MR_IS_WIRE (self));
  g_return_if_fail (!self->started);

  self->started = TRUE;
  g_object_ref (self);

  conversation = mr_session_get_conversation (self->server);
  if (conversation != NULL)
    mr_conversation_emit (conversation,
                          mr_conversation_new_event (conversation, MR_EVENT_CONNECT,
                                                     MR_DIRECTION_NONE, conversation->client));

  mr_session_set_tls_available (self->server, self->tls_available);
  mr_smtp_client_start (self->client);
  mr_session_start (self->server);
  pump_server (self);
  check_close (self);
  arm (self);

  g_object_unref (self);
}

void
mr_wire_abort (MrWire     *self,
               const char *reason)
{
  g_return_if_fail (MR_IS_WIRE (self));

  if (self->closed)
    return;

  g_object_ref (self);
  g_queue_clear_full (&self->queue, (GDestroyNotify)unit_free);
  mr_smtp_client_disconnected (self->client, reason ? reason : "connection lost");
  mr_session_disconnected (self->server);
  close_wire (self);
  g_object_unref (self);
}

guint
mr_wire_get_n_pending (MrWire *self)
{
  g_return_val_if_fail (MR_IS_WIRE (self), 0);
  return self->queue.length;
}

guint
mr_wire_get_n_delivered (MrWire *self)
{
  g_return_val_if_fail (MR_IS_WIRE (self), 0);
  return self->n_delivered;
}

gboolean
mr_wire_get_closed (MrWire *self)
{
  g_return_val_if_fail (MR_IS_WIRE (self), FALSE);
  return self->closed;
}

guint64
mr_wire_get_total_delivered (MrClock *clock)
{
  Pacer *pacer;

  g_return_val_if_fail (MR_IS_CLOCK (clock), 0);

  pacer = g_object_get_data (G_OBJECT (clock), PACER_KEY);
  return pacer ? pacer->n_delivered : 0;
}
