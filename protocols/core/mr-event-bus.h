/* mr-event-bus.h
 *
 * Copyright 2026 The Mailroom authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "mr-event.h"

G_BEGIN_DECLS

#define MR_TYPE_EVENT_BUS (mr_event_bus_get_type ())

G_DECLARE_FINAL_TYPE (MrEventBus, mr_event_bus, MR, EVENT_BUS, GObject)

MrEventBus *mr_event_bus_new          (MrClock    *clock);
MrClock    *mr_event_bus_get_clock    (MrEventBus *self);
/* Stamps @event with the next sequence number and the clock's time, keeps it
 * in the history and emits ::event on the calling thread. Takes a reference.
 * Returns the sequence number. Thread-safe. */
guint64     mr_event_bus_emit         (MrEventBus *self,
                                       MrEvent    *event);
/* The newest sequence number, 0 before the first event. Thread-safe. */
guint64     mr_event_bus_get_last_seq (MrEventBus *self);
/* Events with seq > @after_seq, oldest first, at most @max_events (0 = all).
 * Events older than the history capacity are gone; the first returned may
 * then be later than @after_seq + 1. Thread-safe.
 * Returns: (transfer full) (element-type MrEvent) */
GPtrArray  *mr_event_bus_dup_since    (MrEventBus *self,
                                       guint64     after_seq,
                                       guint       max_events);
/* How many events the history keeps (default 200000). */
void        mr_event_bus_set_capacity (MrEventBus *self,
                                       guint       capacity);
/* A new conversation id, unique on this bus. Thread-safe. */
guint64     mr_event_bus_next_conversation_id (MrEventBus *self);

G_END_DECLS
