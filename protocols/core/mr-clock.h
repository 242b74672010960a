/* mr-clock.h
 *
 * Copyright 2026 The Mailroom authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "mr-types.h"

G_BEGIN_DECLS

#define MR_TYPE_CLOCK (mr_clock_get_type ())

G_DECLARE_FINAL_TYPE (MrClock, mr_clock, MR, CLOCK, GObject)

/**
 * MrClockMode:
 * @MR_CLOCK_REALTIME: virtual time runs at @speed times real time
 *   (1.0 is real time, 0.25 slow motion, 60 fast-forward)
 * @MR_CLOCK_STEP: virtual time stands still; mr_clock_step() lets the
 *   next paced thing happen (a wire delivers one line)
 */
typedef enum
{
  MR_CLOCK_REALTIME,
  MR_CLOCK_STEP,
} MrClockMode;

/* Called when a virtual timeout is due. */
typedef void (*MrClockFunc) (gpointer user_data);

MrClock     *mr_clock_new          (void);
/* Virtual now, in microseconds since the epoch. Thread-safe. */
gint64       mr_clock_now          (MrClock     *self);
/* Virtual now as a local GDateTime (for Received: and Date: headers). */
GDateTime   *mr_clock_dup_now      (MrClock     *self);
MrClockMode  mr_clock_get_mode     (MrClock     *self);
void         mr_clock_set_mode     (MrClock     *self,
                                    MrClockMode  mode);
double       mr_clock_get_speed    (MrClock     *self);
void         mr_clock_set_speed    (MrClock     *self,
                                    double       speed);
/* Moves virtual time forward by @usec at once (fast-forward to the next
 * retry). Due timeouts fire. */
void         mr_clock_advance      (MrClock     *self,
                                    gint64       usec);
/* In step mode, releases one step: emits ::step. */
void         mr_clock_step         (MrClock     *self);
/* Runs @func once @usec of virtual time have passed, on the thread-default
 * main context of the caller. Returns an id for mr_clock_cancel(). In step
 * mode, virtual time only moves with mr_clock_advance(). */
guint        mr_clock_add_timeout  (MrClock     *self,
                                    gint64       usec,
                                    MrClockFunc  func,
                                    gpointer     user_data,
                                    GDestroyNotify destroy);
void         mr_clock_cancel       (MrClock     *self,
                                    guint        id);
/* Virtual time until the next pending timeout, or -1. */
gint64       mr_clock_get_next_due (MrClock     *self);

const char  *mr_clock_mode_to_string   (MrClockMode mode);
gboolean     mr_clock_mode_from_string (const char  *name,
                                        MrClockMode *mode_r);

G_END_DECLS
