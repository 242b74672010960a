/* mr-dmarc.h
 *
 * Copyright 2026 The Mailroom authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

#include "mr-dkim.h"
#include "mr-dns.h"
#include "mr-spf.h"

G_BEGIN_DECLS

/**
 * MrDmarcPolicy:
 * @MR_DMARC_POLICY_NONE: monitor only: deliver, report
 * @MR_DMARC_POLICY_QUARANTINE: treat as suspicious (the Junk folder)
 * @MR_DMARC_POLICY_REJECT: refuse during the SMTP transaction (550 5.7.26)
 *
 * The "p=" and "sp=" values of RFC 7489 6.3, and what a receiver does.
 */
typedef enum
{
  MR_DMARC_POLICY_NONE,
  MR_DMARC_POLICY_QUARANTINE,
  MR_DMARC_POLICY_REJECT,
} MrDmarcPolicy;

/**
 * MrDmarcResult:
 * The results of RFC 7489 11.2 as Authentication-Results spells them.
 */
typedef enum
{
  MR_DMARC_NONE,       /* no policy published, or no usable From domain */
  MR_DMARC_PASS,       /* an aligned SPF or DKIM pass */
  MR_DMARC_FAIL,       /* neither aligned */
  MR_DMARC_TEMPERROR,  /* the policy could not be fetched for now */
  MR_DMARC_PERMERROR,  /* the From field cannot be evaluated */
} MrDmarcResult;

/* A parsed "_dmarc" record (RFC 7489 6.3). */
typedef struct
{
  MrDmarcPolicy  policy;            /* p= */
  MrDmarcPolicy  subdomain_policy;  /* sp=, defaults to p= */
  gboolean       adkim_strict;      /* adkim=s (default r) */
  gboolean       aspf_strict;       /* aspf=s (default r) */
  guint          pct;               /* 0..100, default 100 */
  char          *rua;               /* aggregate report URIs, or NULL */
  char          *ruf;               /* failure report URIs, or NULL */
} MrDmarcRecord;

/* Parses @text. NULL with @error when it is not a DMARC1 record; a record
 * with a bad p= but a rua= reads as p=none (6.6.3). (transfer full) */
MrDmarcRecord  *mr_dmarc_record_parse     (const char     *text,
                                           GError        **error);
void            mr_dmarc_record_free      (MrDmarcRecord  *record);

const char     *mr_dmarc_policy_to_string (MrDmarcPolicy   policy);
const char     *mr_dmarc_result_to_string (MrDmarcResult   result);

/* The Organizational Domain (RFC 7489 3.2), simplified for the lab: the
 * last two labels, with no public suffix list. (transfer full) */
char           *mr_dmarc_organizational_domain (const char *domain);
/* Identifier alignment (RFC 7489 3.1): equal (strict), or the same
 * Organizational Domain (relaxed). */
gboolean        mr_dmarc_aligned          (const char     *domain,
                                           const char     *from_domain,
                                           gboolean        strict);
/* The domain of the single RFC5322.From address of @message, lower case;
 * NULL when From is missing, repeated, or names several authors
 * (RFC 7489 6.6.1). (transfer full) */
char           *mr_dmarc_dup_from_domain  (GBytes         *message);

typedef struct
{
  MrDmarcResult   result;
  MrDmarcPolicy   policy;          /* the published policy that applies (p or sp) */
  MrDmarcPolicy   disposition;     /* what to do: pass is none; pct can soften */
  gboolean        sampled_out;     /* pct= exempted this message (6.6.4) */
  char           *from_domain;
  char           *policy_domain;   /* where the record was found, or NULL */
  gboolean        spf_aligned;     /* SPF pass with an aligned MAIL FROM domain */
  gboolean        dkim_aligned;    /* a DKIM pass with an aligned d= */
  char           *dkim_domain;     /* the aligned d=, or NULL */
  MrDmarcRecord  *record;          /* (nullable) */
  char           *reason;
} MrDmarcVerdict;

void            mr_dmarc_verdict_free     (MrDmarcVerdict *verdict);

/*
 * RFC 7489 6.6: finds the policy of @from_domain in the lab @dns (the
 * domain, then its Organizational Domain), checks whether @spf (with its
 * checked domain) or one of @dkim (element-type MrDkimVerdict, may be
 * NULL) passes aligned, and decides. @pct_roll in 0..99 is compared with
 * pct= (pass g_random_int_range (0, 100)). Never NULL (transfer full).
 */
MrDmarcVerdict *mr_dmarc_evaluate         (MrDns          *dns,
                                           const char     *from_domain,
                                           MrSpfVerdict   *spf,
                                           GPtrArray      *dkim,
                                           guint           pct_roll);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (MrDmarcRecord, mr_dmarc_record_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (MrDmarcVerdict, mr_dmarc_verdict_free)

G_END_DECLS
