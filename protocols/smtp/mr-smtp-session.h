/* mr-smtp-session.h
 *
 * Copyright 2026 The Mailroom authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "mr-session.h"
#include "mr-smtp-backend.h"

G_BEGIN_DECLS

/**
 * MrSmtpVrfyPolicy:
 * @MR_SMTP_VRFY_CANNOT_VRFY: "252 2.5.2 Cannot VRFY user" for everything
 *   (the default: RFC 5321 7.3 privacy, and what most servers do)
 * @MR_SMTP_VRFY_ANSWER: tell the truth: 250 for a mailbox, 550 5.1.1 if
 *   there is none (RFC 5321 3.5.1)
 * @MR_SMTP_VRFY_REFUSE: "550 5.7.1" for everything
 * @MR_SMTP_VRFY_DISABLED: "502 5.5.1" (not implemented)
 */
typedef enum
{
  MR_SMTP_VRFY_CANNOT_VRFY,
  MR_SMTP_VRFY_ANSWER,
  MR_SMTP_VRFY_REFUSE,
  MR_SMTP_VRFY_DISABLED,
} MrSmtpVrfyPolicy;

/**
 * MrSmtpConfig:
 * @hostname: the name announced in the banner, EHLO and Received:
 * @submission: RFC 6409 submission rules: AUTH before MAIL ("530 5.7.0")
 * @vrfy_policy: how VRFY answers
 * @expn_enabled: whether EXPN reveals list members ("502 5.5.1" if not)
 * @auth_requires_tls: refuse AUTH outside TLS ("538 5.7.11"); off by
 *   default so learners can AUTH by hand over loopback telnet
 * @clock: the virtual clock for Received: dates; %NULL for real time
 *
 * Everything a session needs to know about its server. Copied by
 * mr_smtp_session_new(); initialise with mr_smtp_config_init().
 */
typedef struct
{
  const char       *hostname;
  gboolean          submission;
  MrSmtpVrfyPolicy  vrfy_policy;
  gboolean          expn_enabled;
  gboolean          auth_requires_tls;
  MrClock          *clock;
} MrSmtpConfig;

/* Defaults: hostname "localhost", VRFY 252, EXPN on, no submission rules,
 * AUTH allowed without TLS, real time. */
void mr_smtp_config_init (MrSmtpConfig *config);

#define MR_TYPE_SMTP_SESSION (mr_smtp_session_get_type ())

G_DECLARE_FINAL_TYPE (MrSmtpSession, mr_smtp_session, MR, SMTP_SESSION, MrSession)

/*
 * The ESMTP server side of one connection, sans-IO (RFC 5321 with
 * PIPELINING, SIZE, 8BITMIME, ENHANCEDSTATUSCODES, SMTPUTF8, AUTH PLAIN
 * LOGIN, STARTTLS, HELP, CHUNKING, DSN). @config may be NULL (defaults);
 * @limits may be NULL (defaults). (transfer full)
 */
MrSession  *mr_smtp_session_new            (MrSmtpBackend      *backend,
                                            const MrSmtpConfig *config,
                                            MrConversation     *conversation,
                                            const MrLimits     *limits);
/* "connected", "greeted", "mail", "rcpt", "data" or "quit": the value
 * events carry in their state field. */
const char *mr_smtp_session_get_state_name (MrSmtpSession      *self);
/* The authenticated identity, or NULL. */
const char *mr_smtp_session_get_auth_user  (MrSmtpSession      *self);
/* The last HELO/EHLO argument, or NULL. */
const char *mr_smtp_session_get_helo       (MrSmtpSession      *self);
/* Messages accepted (250 after DATA or BDAT LAST) in this session. */
guint       mr_smtp_session_get_n_accepted (MrSmtpSession      *self);

/* A new queue id, unique in this process ("4F2A1B00001C"). (transfer full) */
char       *mr_smtp_generate_queue_id      (void);
/* The Received: trace field (RFC 5321 4.4) for @envelope, folded, ending
 * in CRLF. @date may be NULL for now. (transfer full) */
char       *mr_smtp_format_received        (MrSmtpEnvelope     *envelope,
                                            const char         *hostname,
                                            GDateTime          *date);
/* RFC 5322 3.3 date-time, with English names whatever the locale. */
char       *mr_smtp_format_date            (GDateTime          *date);

G_END_DECLS
