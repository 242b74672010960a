/* mr-relay.h
 *
 * Copyright 2026 The Mailroom authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

#include "mr-clock.h"
#include "mr-dns.h"
#include "mr-event-bus.h"
#include "mr-fault.h"
#include "mr-session.h"
#include "mr-smtp-envelope.h"

G_BEGIN_DECLS

/**
 * MrQueueRcptState:
 * @MR_QUEUE_RCPT_QUEUED: waiting for its first attempt
 * @MR_QUEUE_RCPT_SENDING: an attempt is under way
 * @MR_QUEUE_RCPT_DEFERRED: a temporary failure; retried on schedule
 * @MR_QUEUE_RCPT_DELIVERED: a server took responsibility (250)
 * @MR_QUEUE_RCPT_BOUNCED: permanent failure or expiry; a DSN went out
 */
typedef enum
{
  MR_QUEUE_RCPT_QUEUED,
  MR_QUEUE_RCPT_SENDING,
  MR_QUEUE_RCPT_DEFERRED,
  MR_QUEUE_RCPT_DELIVERED,
  MR_QUEUE_RCPT_BOUNCED,
} MrQueueRcptState;

typedef struct
{
  char             *address;
  char             *domain;
  MrSmtpNotify      notify;
  char             *orcpt_type;
  char             *orcpt;
  MrQueueRcptState  state;
  guint             attempts;
  gint64            last_attempt;   /* virtual time, 0 before the first */
  char             *remote_host;    /* the MX that last answered, or NULL */
  guint             code;           /* the last reply (0: none, a local reason) */
  char             *enhanced;
  char             *text;
  gboolean          delay_notified; /* a "delayed" DSN went out */
  gboolean          reported;       /* the final state was reported (or needed no DSN) */
} MrQueueRecipient;

const char *mr_queue_rcpt_state_to_string (MrQueueRcptState state);

#define MR_TYPE_QUEUE_ITEM (mr_queue_item_get_type ())

G_DECLARE_FINAL_TYPE (MrQueueItem, mr_queue_item, MR, QUEUE_ITEM, GObject)

/* One message in the queue, with per-recipient state. ::changed is emitted
 * whenever a recipient's state changes. */
const char             *mr_queue_item_get_id           (MrQueueItem *self);
const char             *mr_queue_item_get_sender       (MrQueueItem *self);
GBytes                 *mr_queue_item_get_message      (MrQueueItem *self);
MrSmtpEnvelope         *mr_queue_item_get_envelope     (MrQueueItem *self);
gint64                  mr_queue_item_get_arrival      (MrQueueItem *self);
/* Virtual time of the next attempt, 0 if none is scheduled. */
gint64                  mr_queue_item_get_next_attempt (MrQueueItem *self);
guint                   mr_queue_item_get_n_recipients (MrQueueItem *self);
const MrQueueRecipient *mr_queue_item_get_recipient    (MrQueueItem *self,
                                                        guint        index);
/* Looks a recipient up by address; NULL if none. */
const MrQueueRecipient *mr_queue_item_lookup_recipient (MrQueueItem *self,
                                                        const char  *address);
/* The item as a whole: sending, else queued, else deferred, else bounced
 * (if any recipient bounced), else delivered. Also the "state" property,
 * notified with ::changed, as are "next-attempt" and "done". */
MrQueueRcptState        mr_queue_item_get_state        (MrQueueItem *self);
/* Every recipient is delivered or bounced. */
gboolean                mr_queue_item_get_done         (MrQueueItem *self);
/* Whether this item is itself a DSN (null reverse-path): never bounced. */
gboolean                mr_queue_item_is_bounce        (MrQueueItem *self);

#define MR_TYPE_RELAY (mr_relay_get_type ())

G_DECLARE_FINAL_TYPE (MrRelay, mr_relay, MR, RELAY, GObject)

/* Makes the server session of lab host @host for a new connection whose
 * identity is @conversation; NULL when nothing listens there (the
 * connection is refused). (transfer full) */
typedef MrSession *(*MrRelayConnectFunc) (MrRelay        *relay,
                                          const char     *host,
                                          MrConversation *conversation,
                                          gpointer        user_data);

/* Postfix's defaults, in virtual time: retries after 5, 10, 20, 40 minutes,
 * then every 66 minutes (maximal_backoff_time 4000s); give up after 5 days
 * (maximal_queue_lifetime); "delayed" notices after 4 hours
 * (delay_warning_time, when NOTIFY=DELAY asks for one). */
#define MR_RELAY_DEFAULT_LIFETIME      (5 * G_TIME_SPAN_DAY)
#define MR_RELAY_DEFAULT_DELAY_WARNING (4 * G_TIME_SPAN_HOUR)

/*
 * The outbound queue of a relay host (RFC 5321 4.5.4, 5.1, 6): each
 * message waits here until every recipient is delivered or bounced. An
 * attempt looks up the domain's MX hosts in the lab DNS, tries them in
 * order of preference (the next one when a host refuses the connection or
 * fails before MAIL), and talks to the chosen one with an MrSmtpClient over
 * an MrWire. 4yz replies and broken connections are retried on a schedule;
 * 5yz replies, permanent DNS answers and expiry produce a DSN (RFC 3464)
 * back to the sender, itself queued with a null reverse-path and never
 * bounced. Timers use the virtual clock, so fast-forward runs a schedule
 * of hours in seconds.
 */
MrRelay     *mr_relay_new                (const char        *hostname,
                                          MrClock           *clock,
                                          MrEventBus        *bus,
                                          MrDns             *dns,
                                          MrFaultSet        *faults);
const char  *mr_relay_get_hostname       (MrRelay           *self);
/* The name the relay gives in EHLO, Received: and DSNs (a new scenario may
 * rename the submission host). */
void         mr_relay_set_hostname       (MrRelay           *self,
                                          const char        *hostname);
void         mr_relay_set_connect_func   (MrRelay           *self,
                                          MrRelayConnectFunc func,
                                          gpointer           user_data,
                                          GDestroyNotify     destroy);
/* Delays between attempts, in virtual microseconds; the last repeats. */
void         mr_relay_set_retry_schedule (MrRelay           *self,
                                          const gint64      *delays,
                                          guint              n_delays);
void         mr_relay_set_lifetime       (MrRelay           *self,
                                          gint64             usec);
void         mr_relay_set_delay_warning  (MrRelay           *self,
                                          gint64             usec);
/* Line latency of the relay's wires (MR_WIRE_DEFAULT_LATENCY if unset). */
void         mr_relay_set_latency        (MrRelay           *self,
                                          gint64             usec);
/* Queues a message; the first attempt starts from the main loop.
 * Returns the item (transfer none; the queue owns it until it is done). */
MrQueueItem *mr_relay_enqueue            (MrRelay           *self,
                                          MrSmtpEnvelope    *envelope,
                                          GBytes            *message);
/* The items not done yet (GListModel of MrQueueItem). */
GListModel  *mr_relay_get_queue          (MrRelay           *self);
MrQueueItem *mr_relay_lookup             (MrRelay           *self,
                                          const char        *queue_id);
/* Attempts every deferred item now (postqueue -f). */
void         mr_relay_flush              (MrRelay           *self);
/* Wires open right now. */
guint        mr_relay_get_n_connections  (MrRelay           *self);

G_END_DECLS
