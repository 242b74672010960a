/* mr-fault-backend.h
 *
 * Copyright 2026 The Mailroom authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "mr-fault.h"
#include "mr-smtp-backend.h"

G_BEGIN_DECLS

#define MR_TYPE_FAULT_BACKEND (mr_fault_backend_get_type ())

G_DECLARE_FINAL_TYPE (MrFaultBackend, mr_fault_backend, MR, FAULT_BACKEND, GObject)

/*
 * An MrSmtpBackend decorator: asks @faults first at each stage (connect,
 * AUTH, MAIL, RCPT, after DATA) and answers with the fault's reply when
 * one bites, else passes the call on to @inner. Used for the lab's own
 * hosts and for the TCP listeners, so faults reach real clients too.
 * @host is the server's name, which host-scoped faults match.
 */
MrFaultBackend *mr_fault_backend_new         (MrSmtpBackend  *inner,
                                              MrFaultSet     *faults,
                                              const char     *host);
MrSmtpBackend  *mr_fault_backend_get_inner   (MrFaultBackend *self);
/* An MX accepts mail only for its own domains ("550 5.7.1" otherwise).
 * NULL (the default) accepts what @inner accepts. */
void            mr_fault_backend_set_domains (MrFaultBackend *self,
                                              const char * const *domains);

G_END_DECLS
