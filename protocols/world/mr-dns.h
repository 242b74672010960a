/* mr-dns.h
 *
 * Copyright 2026 The Mailroom authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib-object.h>

#include "mr-types.h"

G_BEGIN_DECLS

#define MR_TYPE_DNS (mr_dns_get_type ())

G_DECLARE_FINAL_TYPE (MrDns, mr_dns, MR, DNS, GObject)

/**
 * MrDnsType:
 * @MR_DNS_A: an address record (the lab keeps addresses as text)
 * @MR_DNS_MX: a mail exchanger with a preference (RFC 5321 5.1)
 * @MR_DNS_TXT: free text (SPF and friends; shown, not interpreted)
 */
typedef enum
{
  MR_DNS_A,
  MR_DNS_MX,
  MR_DNS_TXT,
} MrDnsType;

/**
 * MrDnsStatus:
 * @MR_DNS_OK: an answer
 * @MR_DNS_NXDOMAIN: the name does not exist (permanent: bounce)
 * @MR_DNS_NO_DATA: the name exists but has neither MX nor A (permanent)
 * @MR_DNS_NULL_MX: the domain publishes "MX 0 ." and accepts no mail
 *   (RFC 7505; permanent)
 * @MR_DNS_SERVFAIL: the look-up failed for now (RFC 5321 5.1: temporary,
 *   the caller keeps the message and retries)
 */
typedef enum
{
  MR_DNS_OK,
  MR_DNS_NXDOMAIN,
  MR_DNS_NO_DATA,
  MR_DNS_NULL_MX,
  MR_DNS_SERVFAIL,
} MrDnsStatus;

typedef struct
{
  char      *name;      /* lower case, no trailing dot */
  MrDnsType  type;
  char      *value;     /* the address, exchange host or text */
  guint      priority;  /* MX preference; 0 for others */
} MrDnsEntry;

/* One mail exchanger of an answer, in the order to try it. */
typedef struct
{
  char     *host;
  guint     priority;
  gboolean  implicit;   /* no MX: the domain's own A record (RFC 5321 5.1) */
} MrDnsMx;

MrDnsEntry *mr_dns_entry_new   (const char        *name,
                                  MrDnsType          type,
                                  const char        *value,
                                  guint              priority);
MrDnsEntry *mr_dns_entry_copy  (const MrDnsEntry *record);
void         mr_dns_entry_free  (MrDnsEntry       *record);
void         mr_dns_mx_free      (MrDnsMx           *mx);

const char  *mr_dns_type_to_string     (MrDnsType    type);
gboolean     mr_dns_type_from_string   (const char  *name,
                                        MrDnsType   *type_r);
const char  *mr_dns_status_to_string   (MrDnsStatus  status);
/* Whether a failed look-up is worth retrying (only SERVFAIL). */
gboolean     mr_dns_status_is_temporary (MrDnsStatus status);

/*
 * The lab's resolver: answers from its own record set and never touches
 * real DNS. Records can change at run time; every change emits ::changed.
 */
MrDns       *mr_dns_new                (void);
/* Replaces every record with the scenario's "dns" records (faults stay). */
void         mr_dns_load_scenario      (MrDns       *self,
                                        MrScenario  *scenario);
void         mr_dns_add_record         (MrDns       *self,
                                        const char  *name,
                                        MrDnsType    type,
                                        const char  *value,
                                        guint        priority);
/* Removes records matching @name and @type, and @value unless it is NULL.
 * Returns how many were removed. */
guint        mr_dns_remove_records     (MrDns       *self,
                                        const char  *name,
                                        MrDnsType    type,
                                        const char  *value);
/* Replaces all records of @name and @type by one. */
void         mr_dns_set_record         (MrDns       *self,
                                        const char  *name,
                                        MrDnsType    type,
                                        const char  *value,
                                        guint        priority);
void         mr_dns_clear              (MrDns       *self);
/* All records, in the order they were added.
 * Returns: (transfer full) (element-type MrDnsEntry) */
GPtrArray   *mr_dns_dup_records        (MrDns       *self);

/* Fault injection: every look-up of @name (or of any name when @name is
 * NULL) answers @status until cleared with MR_DNS_OK. */
void         mr_dns_set_failure        (MrDns       *self,
                                        const char  *name,
                                        MrDnsStatus  status);
MrDnsStatus  mr_dns_get_failure        (MrDns       *self,
                                        const char  *name);

/* Mail exchangers for @domain, lowest preference first (equal preferences
 * in the order they were added). Without MX records, the domain's own A
 * record is the implicit MX (RFC 5321 5.1). @mxs_r is set only on
 * MR_DNS_OK. (element-type MrDnsMx) (transfer full) */
MrDnsStatus  mr_dns_lookup_mx          (MrDns       *self,
                                        const char  *domain,
                                        GPtrArray  **mxs_r);
/* The address of @host. @address_r (transfer full) only on MR_DNS_OK. */
MrDnsStatus  mr_dns_lookup_a           (MrDns       *self,
                                        const char  *host,
                                        char       **address_r);
/* The host name owning @address, or NULL (for Received: "from" clauses). */
char        *mr_dns_reverse            (MrDns       *self,
                                        const char  *address);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (MrDnsEntry, mr_dns_entry_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (MrDnsMx, mr_dns_mx_free)

G_END_DECLS
