/* mr-wire.h
 *
 * Copyright 2026 The Mailroom authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "mr-clock.h"
#include "mr-session.h"
#include "mr-smtp-client.h"

G_BEGIN_DECLS

#define MR_TYPE_WIRE (mr_wire_get_type ())

G_DECLARE_FINAL_TYPE (MrWire, mr_wire, MR, WIRE, GObject)

/* Virtual latency of one line when nothing else is set: 100 ms. */
#define MR_WIRE_DEFAULT_LATENCY (100 * G_TIME_SPAN_MILLISECOND)

/*
 * An in-memory connection between a simulated host's SMTP client and
 * another host's server session. It is the only place in the lab where
 * pacing happens: every line (a command, a reply line, or a whole message
 * content block) waits in one queue, in the order it was sent, and is
 * delivered
 *  - in MR_CLOCK_REALTIME mode, after the line latency in virtual time
 *    (so the clock's speed scales it: slow motion and fast-forward);
 *  - in MR_CLOCK_STEP mode, one line per mr_clock_step() in the whole lab:
 *    of all wires paced by the clock, the one whose next line was sent
 *    first delivers it.
 * TLS on a wire is simulated: after "220" to STARTTLS both ends are told
 * the hand-shake happened.
 */
MrWire        *mr_wire_new               (MrClock      *clock,
                                          MrSmtpClient *client,
                                          MrSession    *server);
MrSmtpClient  *mr_wire_get_client        (MrWire       *self);
MrSession     *mr_wire_get_server        (MrWire       *self);
/* Virtual time each line takes (default MR_WIRE_DEFAULT_LATENCY). */
void           mr_wire_set_latency       (MrWire       *self,
                                          gint64        usec);
gint64         mr_wire_get_latency       (MrWire       *self);
/* Extra virtual time before each server line (a slow host). */
void           mr_wire_set_reply_delay   (MrWire       *self,
                                          gint64        usec);
/* Whether the server may offer STARTTLS (default TRUE). Call before start. */
void           mr_wire_set_tls_available (MrWire       *self,
                                          gboolean      tls_available);
/* Connects: the server greets, the client listens. */
void           mr_wire_start             (MrWire       *self);
/* Breaks the connection now; both ends learn it was lost. */
void           mr_wire_abort             (MrWire       *self,
                                          const char   *reason);
/* Lines sent and not delivered yet. */
guint          mr_wire_get_n_pending     (MrWire       *self);
/* Lines delivered so far, both ways. */
guint          mr_wire_get_n_delivered   (MrWire       *self);
gboolean       mr_wire_get_closed        (MrWire       *self);
/* Lines delivered by every wire paced by @clock, so far. */
guint64        mr_wire_get_total_delivered (MrClock    *clock);

G_END_DECLS
