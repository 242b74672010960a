/* mr-world.h
 *
 * Copyright 2026 The Mailroom authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

#include "mr-dns.h"
#include "mr-fault.h"
#include "mr-relay.h"
#include "mr-scenario.h"
#include "mr-session.h"
#include "mr-smtp-backend.h"
#include "mr-store.h"

G_BEGIN_DECLS

#define MR_TYPE_WORLD (mr_world_get_type ())

G_DECLARE_FINAL_TYPE (MrWorld, mr_world, MR, WORLD, GObject)

/*
 * The simulated internet of a scenario: the lab DNS, the fault set, the
 * submission host's relay queue, and a server session for every lab host
 * the relay connects to (over in-memory wires). The engine creates one,
 * gives mr_world_create_smtp_session() sessions to its SMTP listeners, and
 * exposes the queue, DNS and faults to the GUI and the web API.
 */
MrWorld       *mr_world_new                  (MrScenario     *scenario,
                                              MrStore        *store,
                                              MrEventBus     *bus,
                                              MrClock        *clock);
/* Switches to another scenario (DNS and hosts follow; queue and faults stay). */
void           mr_world_set_scenario         (MrWorld        *self,
                                              MrScenario     *scenario);
MrScenario    *mr_world_get_scenario         (MrWorld        *self);
MrDns         *mr_world_get_dns              (MrWorld        *self);
MrFaultSet    *mr_world_get_faults           (MrWorld        *self);
MrRelay       *mr_world_get_relay            (MrWorld        *self);
/* The items waiting in the submission host's queue (MrQueueItem). */
GListModel    *mr_world_get_queue            (MrWorld        *self);
/* The name of the submission host (the relay), e.g. "smtp.sender.example". */
const char    *mr_world_get_submission_host  (MrWorld        *self);

/* RFC 6409 submission: AUTH required (the session enforces it), then any
 * recipient domain; accepted messages are queued on the relay. Faults
 * scoped to the submission host apply. (transfer none) */
MrSmtpBackend *mr_world_get_submission_backend (MrWorld      *self);
/* The backend of lab host @host as an MX: local delivery for its domain,
 * faults applied. NULL @host: the first MX of the scenario. (transfer none) */
MrSmtpBackend *mr_world_get_mx_backend       (MrWorld        *self,
                                              const char     *host);
/* A server session for a TCP listener: submission rules for
 * MR_SERVICE_SUBMISSION/MR_SERVICE_SMTPS, MX rules for MR_SERVICE_SMTP.
 * @conversation->server names the host. (transfer full) */
MrSession     *mr_world_create_smtp_session  (MrWorld        *self,
                                              MrService       service,
                                              MrConversation *conversation,
                                              const MrLimits *limits);

/* The send API (GUI compose, HTTP): queues @message from @sender to
 * @recipients on the relay as if submitted, adding the trace header the
 * submission server would. (transfer none) */
MrQueueItem   *mr_world_send                 (MrWorld        *self,
                                              const char     *sender,
                                              const char * const *recipients,
                                              GBytes         *message,
                                              GError        **error);

/* Fault toggling: "greylisting@mx1.recipient.example[/once]". */
MrFault       *mr_world_add_fault            (MrWorld        *self,
                                              const char     *spec,
                                              GError        **error);
guint          mr_world_remove_fault         (MrWorld        *self,
                                              const char     *name,
                                              const char     *target);
void           mr_world_clear_faults         (MrWorld        *self);

G_END_DECLS
