/* mr-pop3-session.h
 *
 * Copyright 2026 The Mailroom authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "mr-clock.h"
#include "mr-fault.h"
#include "mr-session.h"
#include "mr-store.h"

G_BEGIN_DECLS

/* RFC 2449 4: a command line is at most 255 octets including the CRLF. */
#define MR_POP3_MAX_COMMAND_LINE 255
/* RFC 5034 4: SASL responses are not bound by the 255 octets; this is ours. */
#define MR_POP3_MAX_SASL_LINE    12288
/* Each failed login past MrLimits.max_auth_failures is answered this late. */
#define MR_POP3_AUTH_DELAY_USEC  MR_SESSION_AUTH_FAILURE_DELAY_USEC

/**
 * MrPop3Config:
 * @hostname: the name the banner announces (and the APOP timestamp's host)
 * @apop_enabled: offer APOP (RFC 1939 7): the banner then carries a timestamp
 * @implicit_tls: the session runs on the pop3s port, TLS is already on
 *   (STLS is neither offered nor accepted)
 * @clock: the virtual clock for the failed-login delay, or NULL for GLib
 *   timeouts on the thread-default main context
 *
 * Copied by mr_pop3_session_new(); the clock is referenced.
 */
typedef struct
{
  const char *hostname;
  gboolean    apop_enabled;
  gboolean    implicit_tls;
  MrClock    *clock;
  /* Faults that bite POP3 (server-busy, login-refused, mailbox-locked);
   * borrowed, may be NULL. */
  MrFaultSet *faults;
} MrPop3Config;

#define MR_TYPE_POP3_SESSION (mr_pop3_session_get_type ())

G_DECLARE_FINAL_TYPE (MrPop3Session, mr_pop3_session, MR, POP3_SESSION, MrSession)

/**
 * MrPop3State:
 * @MR_POP3_STATE_AUTHORIZATION: before login (RFC 1939 4)
 * @MR_POP3_STATE_TRANSACTION: logged in, the maildrop is locked (RFC 1939 5)
 * @MR_POP3_STATE_UPDATE: after QUIT, while deletions are committed (RFC 1939 6)
 */
typedef enum
{
  MR_POP3_STATE_AUTHORIZATION,
  MR_POP3_STATE_TRANSACTION,
  MR_POP3_STATE_UPDATE,
} MrPop3State;

/* A server-side POP3 session on @store (borrowed: it must outlive the
 * session). @config and @limits are copied; @limits may be NULL for the
 * defaults, @conversation may be NULL (no events). (transfer full) */
MrSession   *mr_pop3_session_new           (MrStore            *store,
                                            const MrPop3Config *config,
                                            MrConversation     *conversation,
                                            const MrLimits     *limits);
MrPop3State  mr_pop3_session_get_state     (MrPop3Session      *self);
/* The APOP timestamp of the banner ("<pid.time@host>"), or NULL when APOP is
 * off. (transfer none) */
const char  *mr_pop3_session_get_timestamp (MrPop3Session      *self);
/* The logged-in account, or NULL. (transfer none) */
MrAccount   *mr_pop3_session_get_account   (MrPop3Session      *self);
/* Failed logins so far. */
guint        mr_pop3_session_get_auth_failures (MrPop3Session  *self);

const char  *mr_pop3_state_to_string       (MrPop3State         state);
/* RFC 1939 7: the lower-case hex MD5 of @timestamp followed by @secret.
 * (transfer full) */
char        *mr_pop3_apop_digest           (const char         *timestamp,
                                            const char         *secret);

G_END_DECLS
