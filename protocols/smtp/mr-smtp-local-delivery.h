/* mr-smtp-local-delivery.h
 *
 * Copyright 2026 The Mailroom authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "mr-smtp-backend.h"
#include "mr-store.h"

G_BEGIN_DECLS

#define MR_TYPE_SMTP_LOCAL_DELIVERY (mr_smtp_local_delivery_get_type ())

G_DECLARE_FINAL_TYPE (MrSmtpLocalDelivery, mr_smtp_local_delivery, MR, SMTP_LOCAL_DELIVERY, GObject)

/*
 * The SMTP backend until the relay exists: the store decides. Mail for a
 * local domain goes to the recipient's INBOX (a mailing list expands to its
 * members), with Return-Path: added (RFC 5321 4.4). Unknown local users get
 * "550 5.1.1"; other domains get "550 5.7.1 Relay access denied" unless the
 * client authenticated (then the message is accepted and, with no relay yet,
 * only its local recipients get a copy). AUTH checks the store's accounts.
 * @clock (may be NULL: real time) dates the messages.
 */
MrSmtpLocalDelivery *mr_smtp_local_delivery_new       (MrStore             *store,
                                                       MrClock             *clock);
MrStore             *mr_smtp_local_delivery_get_store (MrSmtpLocalDelivery *self);

G_END_DECLS
