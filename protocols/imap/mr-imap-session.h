/* mr-imap-session.h
 *
 * Copyright 2026 The Mailroom authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "mr-fault.h"
#include "mr-session.h"
#include "mr-store.h"

G_BEGIN_DECLS

/**
 * MrImapConfig:
 * @hostname: the name the server announces in its greeting
 * @implicit_tls: the connection is TLS from the start (imaps, RFC 8314):
 *   STARTTLS is never offered
 * @clock: (nullable): the lab's clock, for APPEND's default internal date;
 *   NULL means real time
 *
 * How one IMAP service is set up. Borrowed by mr_imap_session_new(), which
 * copies what it needs.
 */
typedef struct
{
  const char *hostname;
  gboolean    implicit_tls;
  MrClock    *clock;
  /* Faults that bite IMAP (server-busy, login-refused, mailbox-locked);
   * borrowed, may be NULL. */
  MrFaultSet *faults;
} MrImapConfig;

/**
 * MrImapState:
 *
 * RFC 3501 3: the connection states.
 */
typedef enum
{
  MR_IMAP_STATE_NOT_AUTHENTICATED,
  MR_IMAP_STATE_AUTHENTICATED,
  MR_IMAP_STATE_SELECTED,
  MR_IMAP_STATE_LOGOUT,
} MrImapState;

#define MR_TYPE_IMAP_SESSION (mr_imap_session_get_type ())

G_DECLARE_FINAL_TYPE (MrImapSession, mr_imap_session, MR, IMAP_SESSION, MrSession)

/* An IMAP4rev1 server session (RFC 3501 with IDLE, UIDPLUS, MOVE,
 * NAMESPACE, LITERAL+, ENABLE, SPECIAL-USE, UNSELECT, CHILDREN, ID,
 * SASL-IR) on the mailboxes of @store. @config and @limits are borrowed and
 * copied; @limits may be NULL. (transfer full) */
MrSession   *mr_imap_session_new       (MrStore            *store,
                                        const MrImapConfig *config,
                                        MrConversation     *conversation,
                                        const MrLimits     *limits);
MrImapState  mr_imap_session_get_state (MrImapSession      *self);
/* The logged-in account, or NULL. (transfer none) */
MrAccount   *mr_imap_session_get_account (MrImapSession    *self);
/* The selected mailbox, or NULL. (transfer none) */
MrMailbox   *mr_imap_session_get_mailbox (MrImapSession    *self);
/* "not-authenticated", "authenticated", "selected", "logout" */
const char  *mr_imap_state_to_string   (MrImapState         state);

G_END_DECLS
