/* mr-fake-smtp-server.h
 *
 * Copyright 2026 The Mailroom authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "mr-session.h"

G_BEGIN_DECLS

/* A tiny scripted SMTP server session for wire tests: accepts everything,
 * offers PIPELINING and (when TLS is available) STARTTLS, rejects RCPT to
 * addresses starting with "nobody" with 550 5.1.1, and remembers the
 * message. */
#define MR_TYPE_FAKE_SMTP_SERVER (mr_fake_smtp_server_get_type ())
G_DECLARE_FINAL_TYPE (MrFakeSmtpServer, mr_fake_smtp_server, MR, FAKE_SMTP_SERVER, MrSession)

MrSession  *mr_fake_smtp_server_new         (MrConversation *conversation);
GBytes     *mr_fake_smtp_server_get_message (MrFakeSmtpServer *self);
guint       mr_fake_smtp_server_get_n_lines (MrFakeSmtpServer *self);
/* A banner other than 220 (e.g. "421 4.3.2 Service not available"). */
void        mr_fake_smtp_server_set_banner  (MrFakeSmtpServer *self,
                                             const char       *banner);

G_END_DECLS
