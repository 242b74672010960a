/* mr-auth-dns.h
 *
 * Copyright 2026 The Mailroom authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "mr-dns.h"

G_BEGIN_DECLS

/*
 * Every record of @name and @type in the lab DNS, for the sender
 * authentication checks (SPF, DKIM, DMARC), which need all TXT and A
 * records of a name and MX records without the implicit-MX rule of
 * RFC 5321 5.1 (RFC 7208 5.4). Never a real DNS query.
 *
 * Returns MR_DNS_OK with @values_r set (transfer full, element-type utf8;
 * MX exchanges lowest preference first), MR_DNS_NXDOMAIN when the name
 * does not exist, MR_DNS_NO_DATA when it exists without records of @type,
 * or the fault set with mr_dns_set_failure() (SERVFAIL: temporary).
 */
MrDnsStatus _mr_auth_dns_lookup (MrDns       *dns,
                                 const char  *name,
                                 MrDnsType    type,
                                 GPtrArray  **values_r);

G_END_DECLS
