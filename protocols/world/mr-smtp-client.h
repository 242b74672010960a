/* mr-smtp-client.h
 *
 * Copyright 2026 The Mailroom authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "mr-conversation.h"
#include "mr-session.h"

G_BEGIN_DECLS

#define MR_TYPE_SMTP_CLIENT (mr_smtp_client_get_type ())

G_DECLARE_FINAL_TYPE (MrSmtpClient, mr_smtp_client, MR, SMTP_CLIENT, GObject)

/**
 * MrSmtpRcptStatus:
 * @MR_SMTP_RCPT_PENDING: not answered yet
 * @MR_SMTP_RCPT_ACCEPTED: RCPT got 2yz; the message is not taken yet
 * @MR_SMTP_RCPT_DELIVERED: the server took responsibility (2yz after the
 *   content, RFC 5321 4.1.1.4 / 6.1)
 * @MR_SMTP_RCPT_DEFERRED: 4yz, or the conversation broke: retry later
 * @MR_SMTP_RCPT_FAILED: 5yz: give up and bounce
 */
typedef enum
{
  MR_SMTP_RCPT_PENDING,
  MR_SMTP_RCPT_ACCEPTED,
  MR_SMTP_RCPT_DELIVERED,
  MR_SMTP_RCPT_DEFERRED,
  MR_SMTP_RCPT_FAILED,
} MrSmtpRcptStatus;

/**
 * MrSmtpTlsPolicy:
 * @MR_SMTP_TLS_NEVER: never send STARTTLS
 * @MR_SMTP_TLS_OPPORTUNISTIC: STARTTLS when offered (RFC 3207), else plain
 * @MR_SMTP_TLS_REQUIRED: defer every recipient when STARTTLS is not offered
 */
typedef enum
{
  MR_SMTP_TLS_NEVER,
  MR_SMTP_TLS_OPPORTUNISTIC,
  MR_SMTP_TLS_REQUIRED,
} MrSmtpTlsPolicy;

/* One recipient of the envelope and what the server said about it. */
typedef struct
{
  char             *address;
  char             *notify;    /* RFC 3461 NOTIFY= value, or NULL */
  char             *orcpt;     /* RFC 3461 ORCPT= value ("rfc822;a@b"), or NULL */
  MrSmtpRcptStatus  status;
  guint             code;      /* the reply that decided it; 0: no reply (local) */
  char             *enhanced;  /* RFC 3463 status, or NULL */
  char             *text;      /* reply text (lines joined with a space) */
} MrSmtpClientRecipient;

/*
 * The sending side of one SMTP conversation, without I/O (RFC 5321 3.3,
 * 4.1; RFC 2920 PIPELINING, RFC 3030 CHUNKING, RFC 3207 STARTTLS, RFC 1870
 * SIZE, RFC 3461 DSN parameters). The owner sets the envelope, feeds what
 * the server says with mr_smtp_client_feed() and sends what
 * mr_smtp_client_next_output() returns, acting on mr_smtp_client_get_action().
 * Replies are bounded (line length, lines per reply); anything that is not
 * a well-formed reply ends the conversation with every open recipient
 * deferred, never a crash.
 */
MrSmtpClient     *mr_smtp_client_new            (MrConversation *conversation,
                                                 const char     *helo_name);
/* Whether sent and received lines become events (default TRUE). An owner
 * whose server-side session already emits each line turns this off. */
void              mr_smtp_client_set_emit_lines (MrSmtpClient   *self,
                                                 gboolean        emit_lines);
void              mr_smtp_client_set_tls_policy (MrSmtpClient   *self,
                                                 MrSmtpTlsPolicy policy);
/* Use BDAT when CHUNKING is offered (default TRUE). */
void              mr_smtp_client_set_use_chunking (MrSmtpClient *self,
                                                 gboolean        use_chunking);
/* Longest reply line accepted, CRLF included (default 2048). */
void              mr_smtp_client_set_max_line   (MrSmtpClient   *self,
                                                 gsize           max_line);

/* Authenticate with AUTH PLAIN (RFC 4954, RFC 4616) after EHLO (and
 * STARTTLS); every recipient fails if the server refuses. */
void              mr_smtp_client_set_auth       (MrSmtpClient   *self,
                                                 const char     *user,
                                                 const char     *password);
/* The envelope: "" is the null reverse-path (bounces, RFC 5321 4.5.5).
 * @ret ("FULL"/"HDRS") and @envid are sent only if the server offers DSN. */
void              mr_smtp_client_set_sender     (MrSmtpClient   *self,
                                                 const char     *sender,
                                                 const char     *ret,
                                                 const char     *envid);
void              mr_smtp_client_add_recipient  (MrSmtpClient   *self,
                                                 const char     *address,
                                                 const char     *notify,
                                                 const char     *orcpt);
/* The message as RFC 5322 bytes; bare LF is sent as CRLF. */
void              mr_smtp_client_set_message    (MrSmtpClient   *self,
                                                 GBytes         *message);

/* Starts the conversation: the client waits for the greeting. */
void              mr_smtp_client_start          (MrSmtpClient   *self);
void              mr_smtp_client_feed           (MrSmtpClient   *self,
                                                 const guint8   *data,
                                                 gsize           len);
/* The next unit to send: one command line with its CRLF, or a whole
 * message content block; NULL when nothing is pending. (transfer full) */
GBytes           *mr_smtp_client_next_output    (MrSmtpClient   *self);
/* Everything pending, concatenated, or NULL. (transfer full) */
GBytes           *mr_smtp_client_take_output    (MrSmtpClient   *self);
gboolean          mr_smtp_client_has_output     (MrSmtpClient   *self);
/* START_TLS after "220" to STARTTLS: flush, negotiate TLS as the client,
 * then call mr_smtp_client_tls_started(). CLOSE when finished. */
MrSessionAction   mr_smtp_client_get_action     (MrSmtpClient   *self);
void              mr_smtp_client_tls_started    (MrSmtpClient   *self);
/* The connection could not be made (@refused) or broke: every open
 * recipient is deferred with @reason. */
void              mr_smtp_client_disconnected   (MrSmtpClient   *self,
                                                 const char     *reason);
gboolean          mr_smtp_client_get_finished   (MrSmtpClient   *self);

/* Results. (element-type MrSmtpClientRecipient) (transfer none) */
GPtrArray        *mr_smtp_client_get_recipients (MrSmtpClient   *self);
/* Whether the server's EHLO reply listed @keyword (e.g. "PIPELINING"). */
gboolean          mr_smtp_client_has_extension  (MrSmtpClient   *self,
                                                 const char     *keyword);
/* The last complete reply: code (0 if none) and text. */
guint             mr_smtp_client_get_last_code  (MrSmtpClient   *self);
const char       *mr_smtp_client_get_last_text  (MrSmtpClient   *self);
const char       *mr_smtp_client_get_last_enhanced (MrSmtpClient *self);
/* Why the conversation ended early (protocol error, TLS required...) or NULL. */
const char       *mr_smtp_client_get_error      (MrSmtpClient   *self);
/* Whether MAIL FROM was accepted: a failure before that is about the
 * server, not the message (RFC 5321 5.1: try the next MX). */
gboolean          mr_smtp_client_get_transaction_started (MrSmtpClient *self);
/* Whether the server announced itself over TLS / had it negotiated. */
gboolean          mr_smtp_client_get_encrypted  (MrSmtpClient   *self);

/* RFC 5321 4.5.2: CRLF line endings, a '.' doubled at the start of each
 * line, and the terminating "." line. (transfer full) */
GBytes           *mr_smtp_dot_stuff             (GBytes         *message);
/* Line endings normalized to CRLF, with a final CRLF. (transfer full) */
GBytes           *mr_smtp_normalize_crlf        (GBytes         *message);
/* Parses one reply line "250-text" / "250 text" / "250" of @len bytes
 * (no NUL needed). Returns FALSE for anything else. @enhanced_r gets the
 * RFC 3463 status when the text starts with one whose class matches the
 * code; @text_r the text after it, as valid UTF-8 (both transfer full). */
gboolean          mr_smtp_parse_reply_line      (const char     *line,
                                                 gsize           len,
                                                 guint          *code_r,
                                                 gboolean       *last_r,
                                                 char          **enhanced_r,
                                                 char          **text_r);

const char       *mr_smtp_rcpt_status_to_string (MrSmtpRcptStatus status);

G_END_DECLS
