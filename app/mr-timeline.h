/* mr-timeline.h
 *
 * Copyright 2026 The Mailroom authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gtk/gtk.h>

#include "mr-app-types.h"

G_BEGIN_DECLS

#define MR_TYPE_TIMELINE (mr_timeline_get_type ())

G_DECLARE_FINAL_TYPE (MrTimeline, mr_timeline, MR, TIMELINE, GtkWidget)

/*
 * A scale over every recorded event. Scrubbing back sets a cursor (the seq
 * of an event): the views show the world as of that event while the engine
 * carries on and the live model keeps growing. Shift+Space steps back one
 * line, Space (while scrubbed) forward; "Back to live" returns.
 *
 * The views follow through mr_timeline_get_shown_model(): the live model
 * while live, else a model holding the events up to the cursor (the same
 * object for the whole scrub, so views are re-pointed only when
 * notify::live changes).
 */
GtkWidget    *mr_timeline_new              (void);
void          mr_timeline_set_model        (MrTimeline   *self,
                                            MrEventModel *live);
/* 0 while live. */
guint64       mr_timeline_get_cursor       (MrTimeline   *self);
/* Scrubs to event @seq (the newest event at or before it); 0 or a seq at
 * or past the newest event goes live. */
void          mr_timeline_set_cursor       (MrTimeline   *self,
                                            guint64       seq);
gboolean      mr_timeline_get_live         (MrTimeline   *self);
void          mr_timeline_go_live          (MrTimeline   *self);
/* One line (MR_EVENT_LINE) back or forward; notes go along. */
void          mr_timeline_step_back        (MrTimeline   *self);
void          mr_timeline_step_forward     (MrTimeline   *self);
/* (transfer none) */
MrEventModel *mr_timeline_get_shown_model  (MrTimeline   *self);
/* The scale (for tests and key navigation). (transfer none) */
GtkRange     *mr_timeline_get_range        (MrTimeline   *self);

G_END_DECLS
