/* mr-auth-backend.h
 *
 * Copyright 2026 The Mailroom authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

#include "mr-auth.h"
#include "mr-clock.h"
#include "mr-event-bus.h"
#include "mr-scenario.h"
#include "mr-smtp-backend.h"
#include "mr-store.h"

G_BEGIN_DECLS

#define MR_TYPE_AUTH_BACKEND (mr_auth_backend_get_type ())

G_DECLARE_FINAL_TYPE (MrAuthBackend, mr_auth_backend, MR, AUTH_BACKEND, GObject)

/*
 * An MrSmtpBackend around another that adds sender authentication; every
 * other call goes to @inner unchanged.
 *
 * A verifier (a receiving MX) checks SPF, DKIM and DMARC at the end of
 * DATA, after @inner's own check_data: DMARC p=reject refuses with
 * MR_REPLY_DMARC_REJECTED (550 5.7.26), quarantine delivers into each
 * recipient's Junk folder, anything else delivers through @inner; the
 * delivered message carries Authentication-Results. Each check emits a
 * note (verb "SPF", "DKIM", "DMARC" or "AUTH"; state the result; text
 * "spf=fail smtp.mailfrom=... (reason)") on @bus.
 *
 * A client on the loopback interface (swaks or a test against
 * mailroom-server) is checked as the lab host it names in HELO
 * ("EHLO spoofer.example"); naming none, it is trusted and not checked
 * (note verb "AUTH", state "skip"), like 127.0.0.1 in OpenDMARC.
 *
 * A signer (a submission host) DKIM-signs each accepted message whose
 * From domain it holds keys for, then hands it to @inner.
 */
MrAuthBackend *mr_auth_backend_new_verifier (MrSmtpBackend *inner,
                                             MrDns         *dns,
                                             MrStore       *store,
                                             MrClock       *clock,
                                             MrEventBus    *bus,
                                             const char    *hostname);
/* @signer is borrowed: it must outlive the backend. */
MrAuthBackend *mr_auth_backend_new_signer   (MrSmtpBackend *inner,
                                             MrAuthSigner  *signer,
                                             MrClock       *clock);
/* Lab host names as clients ("smtp.sender.example") resolve to their
 * scenario address; otherwise the lab DNS's A record is used. */
void           mr_auth_backend_set_scenario (MrAuthBackend *self,
                                             MrScenario    *scenario);
/* The client address SPF checks for @client ("127.0.0.1:4242", "[::1]:25",
 * a lab host name), or NULL. (transfer full) */
char          *mr_auth_backend_resolve_client (MrAuthBackend *self,
                                               const char    *client);
/* The report of the last message checked, or NULL. (transfer none) */
MrAuthReport  *mr_auth_backend_get_last_report (MrAuthBackend *self);
/* Fixes the DMARC pct= roll (0..99) for tests; -1 (default) is random. */
void           mr_auth_backend_set_pct_roll (MrAuthBackend *self,
                                             gint           roll);

G_END_DECLS
