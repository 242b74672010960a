/* mr-auth.h
 *
 * Copyright 2026 The Mailroom authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

#include "mr-auth-results.h"
#include "mr-dkim.h"
#include "mr-dmarc.h"
#include "mr-dns.h"
#include "mr-spf.h"

G_BEGIN_DECLS

/**
 * MrAuthAction:
 * @MR_AUTH_ACCEPT: deliver to the INBOX (pass, none, or p=none)
 * @MR_AUTH_QUARANTINE: deliver to the Junk folder (DMARC p=quarantine)
 * @MR_AUTH_REJECT: refuse at the end of DATA with 550 5.7.26 (p=reject)
 */
typedef enum
{
  MR_AUTH_ACCEPT,
  MR_AUTH_QUARANTINE,
  MR_AUTH_REJECT,
} MrAuthAction;

/* What a receiving MX found out about one message. */
typedef struct
{
  MrSpfVerdict   *spf;
  GPtrArray      *dkim;     /* (element-type MrDkimVerdict) */
  MrDmarcVerdict *dmarc;
  char           *header;   /* the Authentication-Results field, with CRLF */
  MrAuthAction    action;
} MrAuthReport;

void          mr_auth_report_free (MrAuthReport *report);
const char   *mr_auth_action_to_string (MrAuthAction action);

/*
 * The three checks in order (SPF on the envelope, DKIM on the content,
 * DMARC on both), all against the lab @dns. @client_ip may be NULL (SPF
 * is then "none"). @mail_from "" is the null reverse-path. @now (UNIX
 * seconds) checks DKIM x=, 0 skips. @pct_roll 0..99 (DMARC pct=).
 * (transfer full)
 */
MrAuthReport *mr_auth_check       (MrDns        *dns,
                                   const char   *authserv_id,
                                   const char   *client_ip,
                                   const char   *helo,
                                   const char   *mail_from,
                                   GBytes       *message,
                                   gint64        now,
                                   guint         pct_roll);

/* @message with @report's Authentication-Results field on top, any field
 * already claiming @authserv_id removed first (RFC 8601 5: forged
 * results). (transfer full) */
GBytes       *mr_auth_report_apply (MrAuthReport *report,
                                    const char   *authserv_id,
                                    GBytes       *message);

/*
 * The lab's DKIM signer: a key per (domain, selector), published into
 * the lab DNS as "selector._domainkey.domain".
 */
typedef struct _MrAuthSigner MrAuthSigner;

MrAuthSigner *mr_auth_signer_new          (void);
void          mr_auth_signer_free         (MrAuthSigner *self);
/* Adds @key (transfer full) for @domain under @selector. */
void          mr_auth_signer_add_key      (MrAuthSigner *self,
                                           const char   *domain,
                                           const char   *selector,
                                           MrDkimKey    *key);
/* Generates the lab's keys for @domain: "lab" (rsa-sha256, 2048 bits)
 * and "lab-ed25519" (ed25519-sha256, RFC 8463 dual signing). */
gboolean      mr_auth_signer_add_lab_keys (MrAuthSigner *self,
                                           const char   *domain,
                                           GError      **error);
/* mr_auth_signer_add_lab_keys() unless @domain already has keys. */
gboolean      mr_auth_signer_ensure_lab_keys (MrAuthSigner *self,
                                              const char   *domain,
                                              GError      **error);
/* Publishes every key's record into @dns (replacing older ones). */
void          mr_auth_signer_publish      (MrAuthSigner *self,
                                           MrDns        *dns);
/* The domains we hold keys for. (transfer container) */
GPtrArray    *mr_auth_signer_dup_domains  (MrAuthSigner *self);
/*
 * Signs @message with every key whose domain is the From domain or its
 * organizational domain (aligned, RFC 7489 3.1), newest signature on
 * top. Returns a new reference to @message unchanged when no key fits.
 * @now is t= (0 leaves it out). (transfer full)
 */
GBytes       *mr_auth_signer_sign         (MrAuthSigner *self,
                                           GBytes       *message,
                                           gint64        now);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (MrAuthReport, mr_auth_report_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (MrAuthSigner, mr_auth_signer_free)

G_END_DECLS
