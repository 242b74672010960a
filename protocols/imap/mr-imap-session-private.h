/* mr-imap-session-private.h
 *
 * Copyright 2026 The Mailroom authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "mr-imap-parser.h"
#include "mr-imap-response.h"
#include "mr-imap-session.h"

G_BEGIN_DECLS

struct _MrImapSession
{
  MrSession        parent_instance;

  /* permanent, owned */
  MrStore         *store;
  char            *hostname;
  MrFaultSet      *faults;
  MrImapParser    *parser;
  MrImapResponse  *response;      /* scratch for building one response */
  MrClock         *clock;         /* may be NULL */
  guint            implicit_tls : 1;

  /* per login, owned */
  MrAccount       *account;
  MrImapState      state;
  guint            bad_commands;
  guint            auth_failures;

  /* per selected mailbox, owned */
  MrMailbox       *mailbox;
  gulong           items_changed_id;
  gulong           flags_changed_id;
  GPtrArray       *view;          /* MrMessage *: sequence number - 1 -> message */
  GHashTable      *recent;        /* MrMessage * set: \Recent in this session */
  GHashTable      *flag_changes;  /* MrMessage * set: FETCH FLAGS to report */
  guint            reported_recent;
  guint            read_only : 1;
  guint            mailbox_changed : 1;
  guint            own_change : 1;  /* we are changing flags ourselves */

  /* per command */
  char            *tag;
  guint            uid : 1;       /* UID FETCH/STORE/... (RFC 3501 6.4.8) */
  guint            no_expunge : 1;/* FETCH/STORE/SEARCH: no EXPUNGE (7.4.1) */
  guint            finished : 1;
  char            *result_status; /* "OK", "NO", "BAD" */
  char            *result_text;   /* with its [CODE], if any */

  /* modes that span lines */
  char            *idle_tag;      /* IDLE until DONE (RFC 2177) */
  char            *auth_tag;      /* AUTHENTICATE waiting for the response */
};

typedef void (*MrImapCommandFunc) (MrImapSession *self,
                                   MrImapCommand *command);

typedef enum
{
  MR_IMAP_ALLOW_NOT_AUTH  = 1 << 0,
  MR_IMAP_ALLOW_AUTH      = 1 << 1,
  MR_IMAP_ALLOW_SELECTED  = 1 << 2,
  MR_IMAP_ALLOW_ANY       = 7,
  MR_IMAP_UID_OK          = 1 << 3,  /* may follow "UID" */
  MR_IMAP_NO_EXPUNGE      = 1 << 4,  /* RFC 3501 7.4.1: no EXPUNGE while it runs (without UID) */
  MR_IMAP_MASK_ARGS       = 1 << 5,  /* arguments are secrets: mask them in events */
} MrImapCommandFlags;

typedef struct
{
  const char         *name;
  MrImapCommandFlags  flags;
  MrImapCommandFunc   func;
} MrImapCommandEntry;

/* mr-imap-commands.c */
const MrImapCommandEntry *_mr_imap_command_lookup (const char *name);
void  _mr_imap_session_auth_response (MrImapSession *self,
                                      MrImapCommand *command);

/* mr-imap-session.c */
/* Writes an untagged "* ..." line. */
void  _mr_imap_session_untagged      (MrImapSession *self,
                                      const char    *format,
                                      ...) G_GNUC_PRINTF (2, 3);
/* Writes a continuation request "+ ...". */
void  _mr_imap_session_continuation  (MrImapSession *self,
                                      const char    *text);
/* Writes self->response (one line, possibly with literals) and resets it. */
void  _mr_imap_session_flush_response (MrImapSession *self,
                                       MrEventFlags   flags);
/* Ends the current command: the tagged response goes out after the
 * untagged updates RFC 3501 7.4.1 allows at that point. */
void  _mr_imap_session_finish        (MrImapSession *self,
                                      const char    *status,
                                      const char    *format,
                                      ...) G_GNUC_PRINTF (3, 4);
/* Writes a tagged response right away (outside a command's end). */
void  _mr_imap_session_tagged        (MrImapSession *self,
                                      const char    *tag,
                                      const char    *status,
                                      const char    *text);
char *_mr_imap_session_dup_capabilities (MrImapSession *self);
void  _mr_imap_session_login         (MrImapSession *self,
                                      MrAccount     *account);
gboolean _mr_imap_session_select     (MrImapSession *self,
                                      MrMailbox     *mailbox,
                                      gboolean       read_only);
void  _mr_imap_session_deselect      (MrImapSession *self);
/* Reports EXPUNGE (when @allow_expunge), EXISTS, RECENT and FETCH FLAGS
 * for what changed in the selected mailbox since the last report. */
void  _mr_imap_session_sync          (MrImapSession *self,
                                      gboolean       allow_expunge);
/* The flags as this session shows them (with \Recent). (transfer full) */
char *_mr_imap_session_dup_flags     (MrImapSession *self,
                                      MrMessage     *message);
/* Set a message's flags as this session (no echo through ::flags-changed). */
gboolean _mr_imap_session_set_flags  (MrImapSession *self,
                                      MrMessage     *message,
                                      MrMessageFlags flags,
                                      const char * const *keywords,
                                      GError       **error);
void  _mr_imap_session_start_idle    (MrImapSession *self,
                                      const char    *tag);
void  _mr_imap_session_emit_note     (MrImapSession *self,
                                      const char    *text);

G_END_DECLS
