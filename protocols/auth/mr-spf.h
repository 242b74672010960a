/* mr-spf.h
 *
 * Copyright 2026 The Mailroom authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "mr-dns.h"

G_BEGIN_DECLS

/**
 * MrSpfResult:
 * @MR_SPF_NONE: no SPF record, or no valid domain to check (RFC 7208 2.6.1)
 * @MR_SPF_NEUTRAL: the domain makes no assertion ("?", or nothing matched)
 * @MR_SPF_PASS: the client is authorized to use the domain
 * @MR_SPF_FAIL: the client is explicitly not authorized ("-")
 * @MR_SPF_SOFTFAIL: probably not authorized ("~")
 * @MR_SPF_TEMPERROR: a transient DNS error (retry later)
 * @MR_SPF_PERMERROR: the record is broken (syntax, loops, too many look-ups)
 *
 * The results of check_host() (RFC 7208 2.6), as Authentication-Results
 * spells them (RFC 8601 2.7.2).
 */
typedef enum
{
  MR_SPF_NONE,
  MR_SPF_NEUTRAL,
  MR_SPF_PASS,
  MR_SPF_FAIL,
  MR_SPF_SOFTFAIL,
  MR_SPF_TEMPERROR,
  MR_SPF_PERMERROR,
} MrSpfResult;

/* RFC 7208 4.6.4: at most 10 terms that cause DNS look-ups, and at most
 * 2 look-ups that answer nothing ("void"). */
#define MR_SPF_MAX_DNS_LOOKUPS  10
#define MR_SPF_MAX_VOID_LOOKUPS 2
/* Longest record text we read (a DNS TXT record rarely exceeds this). */
#define MR_SPF_MAX_RECORD       4096

typedef struct
{
  MrSpfResult  result;
  char        *identity;   /* "mailfrom" or "helo" (RFC 7208 2.2, 2.4) */
  char        *sender;     /* the checked sender: "alice@sender.example" */
  char        *domain;     /* the domain whose record was evaluated */
  char        *ip;         /* the client address checked */
  char        *mechanism;  /* the term that decided, "ip4:192.0.2.25", or NULL */
  char        *reason;     /* why, in one sentence, for notes and comments */
  guint        lookups;    /* DNS-querying terms used (4.6.4) */
} MrSpfVerdict;

const char   *mr_spf_result_to_string (MrSpfResult    result);

void          mr_spf_verdict_free     (MrSpfVerdict  *verdict);

/*
 * check_host(@ip, @domain, @sender) of RFC 7208 4, over the lab DNS only.
 * @ip is an IPv4 or IPv6 literal; @sender a mailbox ("postmaster@helo" for
 * the HELO identity). Never NULL (transfer full).
 */
MrSpfVerdict *mr_spf_check_host       (MrDns         *dns,
                                       const char    *ip,
                                       const char    *domain,
                                       const char    *sender);

/*
 * What a receiving MTA checks (RFC 7208 2.4): the MAIL FROM identity, or
 * the HELO identity when the reverse-path is null (@mail_from "" or NULL),
 * as "postmaster@<helo>". Never NULL (transfer full).
 */
MrSpfVerdict *mr_spf_check            (MrDns         *dns,
                                       const char    *ip,
                                       const char    *helo,
                                       const char    *mail_from);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (MrSpfVerdict, mr_spf_verdict_free)

G_END_DECLS
