/* mr-event-model.h
 *
 * Copyright 2026 The Mailroom authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

#include "mr-types.h"
#include "mr-event.h"

G_BEGIN_DECLS

#define MR_TYPE_EVENT_ITEM (mr_event_item_get_type ())
#define MR_TYPE_EVENT_MODEL (mr_event_model_get_type ())

G_DECLARE_FINAL_TYPE (MrEventItem, mr_event_item, MR, EVENT_ITEM, GObject)
G_DECLARE_FINAL_TYPE (MrEventModel, mr_event_model, MR, EVENT_MODEL, GObject)

/* A GObject around one MrEvent, made on demand by MrEventModel so that list
 * widgets only pay for the rows they show. */
MrEvent      *mr_event_item_get_event   (MrEventItem  *self);

/*
 * A GListModel of MrEventItem over every event the GUI has drained from the
 * bus, oldest first. Appends come in batches (one items-changed per frame).
 */
MrEventModel *mr_event_model_new        (void);
/* Takes references on the events of @events (MrEvent). */
void          mr_event_model_append     (MrEventModel *self,
                                         GPtrArray    *events);
void          mr_event_model_clear      (MrEventModel *self);
guint         mr_event_model_get_n_events (MrEventModel *self);
/* (transfer none) */
MrEvent      *mr_event_model_get_event  (MrEventModel *self,
                                         guint         position);

/* Shared helpers for the views */
/* "2xx" class 2..5 of a reply, 0 for client lines and notes; POP3/IMAP
 * replies count as 2 (ok) or 5 (-ERR, NO, BAD). */
guint         mr_event_classify         (const MrEvent *event);
/* The label an envelope carries: the verb, the reply code, +OK/-ERR... */
char         *mr_event_dup_label        (const MrEvent *event);
/* The colour of a class (0 = command), as "#rrggbb". */
const char   *mr_event_class_color      (guint          reply_class);

G_END_DECLS
