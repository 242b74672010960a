/* mr-fault.h
 *
 * Copyright 2026 The Mailroom authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

#include "mr-clock.h"
#include "mr-reply-catalog.h"

G_BEGIN_DECLS

/**
 * MrFaultStage:
 * @MR_FAULT_STAGE_DNS: the relay's MX look-up for a domain
 * @MR_FAULT_STAGE_CONNECT: a client connects (the greeting, RFC 5321 3.1)
 * @MR_FAULT_STAGE_AUTH: AUTH (RFC 4954)
 * @MR_FAULT_STAGE_MAIL: MAIL FROM
 * @MR_FAULT_STAGE_RCPT: RCPT TO, once per recipient
 * @MR_FAULT_STAGE_DATA: after the content (RFC 5321 4.1.1.4)
 * @MR_FAULT_STAGE_LOGIN: POP3 USER/PASS, IMAP LOGIN/AUTHENTICATE
 * @MR_FAULT_STAGE_MAILBOX: opening the maildrop (POP3 after PASS,
 *   RFC 1939 8) or a mailbox (IMAP SELECT)
 *
 * Where in a conversation a fault bites: the command scope of a fault.
 */
typedef enum
{
  MR_FAULT_STAGE_DNS,
  MR_FAULT_STAGE_CONNECT,
  MR_FAULT_STAGE_AUTH,
  MR_FAULT_STAGE_MAIL,
  MR_FAULT_STAGE_RCPT,
  MR_FAULT_STAGE_DATA,
  MR_FAULT_STAGE_LOGIN,
  MR_FAULT_STAGE_MAILBOX,
} MrFaultStage;

/**
 * MrFaultTargets:
 * @MR_FAULT_TARGET_HOST: a lab host name ("mx1.recipient.example")
 * @MR_FAULT_TARGET_ACCOUNT: a mailbox address ("bob@recipient.example")
 * @MR_FAULT_TARGET_DOMAIN: a mail domain ("recipient.example")
 *
 * What a fault may be scoped to; with no target it applies everywhere.
 */
typedef enum
{
  MR_FAULT_TARGET_HOST    = 1 << 0,
  MR_FAULT_TARGET_ACCOUNT = 1 << 1,
  MR_FAULT_TARGET_DOMAIN  = 1 << 2,
} MrFaultTargets;

/**
 * MrFaultEffect:
 * @MR_FAULT_EFFECT_REPLY: the server answers @reply instead of the real one
 * @MR_FAULT_EFFECT_REFUSE: the connection is refused (no server at all)
 * @MR_FAULT_EFFECT_DELAY: every reply is delayed (a slow host)
 * @MR_FAULT_EFFECT_DNS: the look-up answers @dns_status
 * @MR_FAULT_EFFECT_RESPONSE: a POP3/IMAP response (@pop3_text/@imap_text)
 */
typedef enum
{
  MR_FAULT_EFFECT_REPLY,
  MR_FAULT_EFFECT_REFUSE,
  MR_FAULT_EFFECT_DELAY,
  MR_FAULT_EFFECT_DNS,
  MR_FAULT_EFFECT_RESPONSE,
} MrFaultEffect;

/* One entry of the catalog. */
typedef struct
{
  const char     *name;         /* "unknown-user" */
  guint           protocols;    /* 1 << MrProtocol it applies to */
  MrFaultStage    stage;
  MrFaultTargets  targets;
  MrFaultEffect   effect;
  MrReplyId       reply;        /* MR_FAULT_EFFECT_REPLY */
  int             dns_status;   /* MR_FAULT_EFFECT_DNS: an MrDnsStatus */
  const char     *pop3_text;    /* MR_FAULT_EFFECT_RESPONSE, without CRLF */
  const char     *imap_text;    /* idem, without the tag */
  const char     *summary;      /* N_() one line for learners */
} MrFaultInfo;

/* A greylisted triple is accepted once it retries after this long (Postfix
 * postgrey's default is 5 minutes). */
#define MR_FAULT_DEFAULT_GREYLIST_DELAY (300 * G_TIME_SPAN_SECOND)
/* How long a slow host waits before each reply. */
#define MR_FAULT_DEFAULT_SLOW_DELAY     (5 * G_TIME_SPAN_SECOND)

const MrFaultInfo *mr_fault_catalog_lookup   (const char   *name);
/* The whole catalog, for listings. */
const MrFaultInfo *mr_fault_catalog_get_all  (guint        *n_r);
/* Whether a fault @info aimed at @target (NULL: everywhere) bites on the
 * lab host @host with scenario role @role ("submission", "mx", "relay",
 * "mailbox", "client"; mr_host_role_to_string()), following where the fault
 * set checks it: the stage says which kind of server asks (RCPT, MAIL and
 * DATA: SMTP servers; AUTH: submission; LOGIN and mailbox: POP3/IMAP; DNS:
 * the host that looks up MX records), the target narrows it to a host, a
 * domain's hosts or an account's domain. For badges on maps. */
gboolean           mr_fault_info_bites_host  (const MrFaultInfo *info,
                                              const char        *target,
                                              const char        *host,
                                              const char        *role);

/* The --list-faults table: name, targets, the reply it produces, summary.
 * (transfer full) */
char              *mr_fault_catalog_format   (void);
/* Prints mr_fault_catalog_format() to stdout. */
void               mr_fault_catalog_print    (void);
/* The wire form of what @info produces ("550 5.1.1", "connection refused"). */
char              *mr_fault_info_describe_reply (const MrFaultInfo *info);
const char        *mr_fault_stage_to_string  (MrFaultStage  stage);

/* Parses "NAME[@TARGET][/once]" (the --fault argument). TARGET is a host
 * name, a domain or an address; the first '@' splits, so
 * "unknown-user@bob@recipient.example" targets bob. Fails with
 * MR_ERROR_INVALID_DATA for an unknown name. */
gboolean           mr_fault_parse_spec       (const char   *spec,
                                              char        **name_r,
                                              char        **target_r,
                                              gboolean     *one_shot_r,
                                              GError      **error);

#define MR_TYPE_FAULT (mr_fault_get_type ())

G_DECLARE_FINAL_TYPE (MrFault, mr_fault, MR, FAULT, GObject)

/* An active fault: a catalog entry, a target (or none) and whether it
 * disappears after it fired once. */
const MrFaultInfo *mr_fault_get_info       (MrFault *self);
const char        *mr_fault_get_name       (MrFault *self);
const char        *mr_fault_get_target     (MrFault *self);
gboolean           mr_fault_get_one_shot   (MrFault *self);
guint              mr_fault_get_n_fired    (MrFault *self);
/* "greylisting@mx1.recipient.example" (with "/once" if one-shot). (transfer full) */
char              *mr_fault_to_spec        (MrFault *self);

/* What the code about to answer knows; unknown fields are NULL. */
typedef struct
{
  MrFaultStage  stage;
  MrProtocol    protocol;   /* MR_PROTOCOL_NONE for DNS */
  const char   *host;       /* the server host (or the domain for DNS) */
  const char   *client;     /* who connected (greylisting's first key) */
  const char   *sender;     /* MAIL FROM */
  const char   *address;    /* the recipient, login name or account */
  gboolean      encrypted;  /* TLS is on (tls-required does not fire then) */
  gboolean      authenticated; /* AUTH done (auth-required does not fire then) */
  guint         n_recipients;  /* recipients accepted so far (too-many-recipients) */
  gsize         size;       /* message size at DATA */
} MrFaultQuery;

#define MR_TYPE_FAULT_SET (mr_fault_set_get_type ())

G_DECLARE_FINAL_TYPE (MrFaultSet, mr_fault_set, MR, FAULT_SET, GObject)

/*
 * The faults switched on, as a GListModel of MrFault. Changes emit
 * ::items-changed; each time a fault bites, ::fired. @clock may be NULL
 * (greylisting then uses real time).
 */
MrFaultSet  *mr_fault_set_new               (MrClock       *clock);
/* Returns the new fault (transfer none), or NULL with @error. */
MrFault     *mr_fault_set_add               (MrFaultSet    *self,
                                             const char    *name,
                                             const char    *target,
                                             gboolean       one_shot,
                                             GError       **error);
MrFault     *mr_fault_set_add_spec          (MrFaultSet    *self,
                                             const char    *spec,
                                             GError       **error);
gboolean     mr_fault_set_remove            (MrFaultSet    *self,
                                             MrFault       *fault);
/* Removes faults called @name with @target (any target if NULL). */
guint        mr_fault_set_remove_by_name    (MrFaultSet    *self,
                                             const char    *name,
                                             const char    *target);
void         mr_fault_set_clear             (MrFaultSet    *self);
MrFault     *mr_fault_set_lookup            (MrFaultSet    *self,
                                             const char    *name,
                                             const char    *target);
void         mr_fault_set_set_greylist_delay (MrFaultSet   *self,
                                             gint64         usec);
gint64       mr_fault_set_get_greylist_delay (MrFaultSet   *self);
/* The fault that bites for @query, or NULL. A one-shot fault is removed
 * as it fires; ::fired is emitted. Greylisting fires for a new
 * (client, sender, recipient) triple and for retries that come too early,
 * not once the delay has passed. (transfer full) */
MrFault     *mr_fault_set_check             (MrFaultSet    *self,
                                             const MrFaultQuery *query);
/* Like check, for an SMTP server: the reply to send, or MR_N_REPLIES when
 * no fault bites. Host-down maps to "421 4.3.2" at the banner (a TCP
 * listener cannot pretend it is not there). */
MrReplyId    mr_fault_set_check_smtp        (MrFaultSet    *self,
                                             const MrFaultQuery *query);
/* For POP3 and IMAP sessions (@protocol): the response a fault dictates
 * at @stage (CONNECT, LOGIN or MAILBOX) for @account on @host, or NULL.
 * POP3 gets the whole line ("-ERR [IN-USE] ..."); IMAP the text after the
 * tag ("NO [INUSE] ...") or, at CONNECT, the untagged "* BYE" line.
 * (transfer none: static catalog text) */
const char  *mr_fault_set_check_mailbox     (MrFaultSet    *self,
                                             MrProtocol     protocol,
                                             MrFaultStage   stage,
                                             const char    *host,
                                             const char    *account);
/* Whether a connection to @host is refused now (host-down fires, and a
 * one-shot host-down is used up). */
gboolean     mr_fault_set_check_refused     (MrFaultSet    *self,
                                             const char    *host);
/* The extra delay before each of @host's replies (slow-host), or 0. */
gint64       mr_fault_set_get_reply_delay   (MrFaultSet    *self,
                                             const char    *host);

G_END_DECLS
