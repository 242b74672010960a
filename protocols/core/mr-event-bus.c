/* mr-event-bus.c
 *
 * Copyright 2026 The Mailroom authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "mr-event-bus"

#include "config.h"

#include "mr-clock.h"
#include "mr-event-bus.h"

#define DEFAULT_CAPACITY 200000

/*
 * The bus is the one ordered record of everything that happened. Emitters
 * run on the engine thread; readers may be anywhere: the GUI polls with
 * mr_event_bus_dup_since() from its frame clock, so it takes whole batches
 * and never blocks the engine for long. The history is a ring so a long
 * classroom session has bounded memory.
 */
struct _MrEventBus
{
  GObject    parent_instance;

  /* Owned */
  MrClock   *clock;

  /* Guarded by mutex */
  GMutex     mutex;
  MrEvent  **ring;
  guint      capacity;
  guint      count;        /* events in the ring */
  guint      head;         /* index of the oldest event */
  guint64    last_seq;
  guint64    last_conversation_id;
};

G_DEFINE_FINAL_TYPE (MrEventBus, mr_event_bus, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_CLOCK,
  N_PROPS
};

enum {
  EVENT,
  N_SIGNALS
};

static GParamSpec *properties [N_PROPS];
static guint signals [N_SIGNALS];

static void
mr_event_bus_finalize (GObject *object)
{
  MrEventBus *self = (MrEventBus *)object;

  for (guint i = 0; i < self->count; i++)
    mr_event_unref (self->ring[(self->head + i) % self->capacity]);
  g_free (self->ring);
  g_mutex_clear (&self->mutex);
  g_clear_object (&self->clock);

  G_OBJECT_CLASS (mr_event_bus_parent_class)->finalize (object);
}

static void
mr_event_bus_get_property (GObject    *object,
                           guint       prop_id,
                           GValue     *value,
                           GParamSpec *pspec)
{
  MrEventBus *self = MR_EVENT_BUS (object);

  switch (prop_id)
    {
    case PROP_CLOCK:
      g_value_set_object (value, self->clock);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
mr_event_bus_set_property (GObject      *object,
                           guint         prop_id,
                           const GValue *value,
                           GParamSpec   *pspec)
{
  MrEventBus *self = MR_EVENT_BUS (object);

  switch (prop_id)
    {
    case PROP_CLOCK:
      self->clock = g_value_dup_object (value);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
mr_event_bus_class_init (MrEventBusClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = mr_event_bus_finalize;
  object_class->get_property = mr_event_bus_get_property;
  object_class->set_property = mr_event_bus_set_property;

  properties [PROP_CLOCK] =
    g_param_spec_object ("clock", NULL, NULL,
                         MR_TYPE_CLOCK,
                         (G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS));

  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * MrEventBus::event:
   * @self: the bus
   * @event: the event, already stamped
   *
   * Emitted on the emitting thread (the engine's) after @event joined the
   * history. Handlers on other threads should poll instead.
   */
  signals [EVENT] =
    g_signal_new ("event",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 1, MR_TYPE_EVENT | G_SIGNAL_TYPE_STATIC_SCOPE);
}

static void
mr_event_bus_init (MrEventBus *self)
{
  g_mutex_init (&self->mutex);
  self->capacity = DEFAULT_CAPACITY;
  self->ring = g_new0 (MrEvent *, self->capacity);
}

/* @clock may be NULL: events are then stamped with real time. */
MrEventBus *
mr_event_bus_new (MrClock *clock)
{
  return g_object_new (MR_TYPE_EVENT_BUS, "clock", clock, NULL);
}

MrClock *
mr_event_bus_get_clock (MrEventBus *self)
{
  g_return_val_if_fail (MR_IS_EVENT_BUS (self), NULL);
  return self->clock;
}

guint64
mr_event_bus_emit (MrEventBus *self,
                   MrEvent    *event)
{
  guint64 seq;

  g_return_val_if_fail (MR_IS_EVENT_BUS (self), 0);
  g_return_val_if_fail (event != NULL, 0);
  g_return_val_if_fail (event->seq == 0, 0);

  g_mutex_lock (&self->mutex);
  seq = event->seq = ++self->last_seq;
  event->time = self->clock ? mr_clock_now (self->clock) : g_get_real_time ();
  if (self->count == self->capacity)
    {
      mr_event_unref (self->ring[self->head]);
      self->ring[self->head] = mr_event_ref (event);
      self->head = (self->head + 1) % self->capacity;
    }
  else
    {
      self->ring[(self->head + self->count) % self->capacity] = mr_event_ref (event);
      self->count++;
    }
  g_mutex_unlock (&self->mutex);

  g_signal_emit (self, signals [EVENT], 0, event);

  return seq;
}

guint64
mr_event_bus_get_last_seq (MrEventBus *self)
{
  guint64 seq;

  g_return_val_if_fail (MR_IS_EVENT_BUS (self), 0);

  g_mutex_lock (&self->mutex);
  seq = self->last_seq;
  g_mutex_unlock (&self->mutex);

  return seq;
}

GPtrArray *
mr_event_bus_dup_since (MrEventBus *self,
                        guint64     after_seq,
                        guint       max_events)
{
  GPtrArray *ret;
  guint64 first_seq;
  guint skip;

  g_return_val_if_fail (MR_IS_EVENT_BUS (self), NULL);

  ret = g_ptr_array_new_with_free_func ((GDestroyNotify)mr_event_unref);

  g_mutex_lock (&self->mutex);
  first_seq = self->last_seq - self->count + 1;
  skip = after_seq >= first_seq ? (guint)(after_seq - first_seq + 1) : 0;
  for (guint i = skip; i < self->count; i++)
    {
      if (max_events != 0 && ret->len >= max_events)
        break;
      g_ptr_array_add (ret, mr_event_ref (self->ring[(self->head + i) % self->capacity]));
    }
  g_mutex_unlock (&self->mutex);

  return ret;
}

void
mr_event_bus_set_capacity (MrEventBus *self,
                           guint       capacity)
{
  MrEvent **ring;

  g_return_if_fail (MR_IS_EVENT_BUS (self));
  g_return_if_fail (capacity > 0);

  g_mutex_lock (&self->mutex);
  while (self->count > capacity)
    {
      mr_event_unref (self->ring[self->head]);
      self->head = (self->head + 1) % self->capacity;
      self->count--;
    }
  ring = g_new0 (MrEvent *, capacity);
  for (guint i = 0; i < self->count; i++)
    ring[i] = self->ring[(self->head + i) % self->capacity];
  g_free (self->ring);
  self->ring = ring;
  self->head = 0;
  self->capacity = capacity;
  g_mutex_unlock (&self->mutex);
}

guint64
mr_event_bus_next_conversation_id (MrEventBus *self)
{
  guint64 id;

  g_return_val_if_fail (MR_IS_EVENT_BUS (self), 0);

  g_mutex_lock (&self->mutex);
  id = ++self->last_conversation_id;
  g_mutex_unlock (&self->mutex);

  return id;
}
