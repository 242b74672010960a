/* mr-smtp-backend.h
 *
 * Copyright 2026 The Mailroom authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

#include "mr-conversation.h"
#include "mr-reply-catalog.h"
#include "mr-smtp-envelope.h"

G_BEGIN_DECLS

#define MR_TYPE_SMTP_BACKEND (mr_smtp_backend_get_type ())

G_DECLARE_INTERFACE (MrSmtpBackend, mr_smtp_backend, MR, SMTP_BACKEND, GObject)

/*
 * What an SMTP session asks about policy and delivery. The session owns the
 * protocol (syntax, sequence, limits); the backend decides who may send,
 * who exists and where mail goes: the local store for now, the relay queue
 * and faults later.
 *
 * Every call returns an MrReplyId from the catalog, the reply the session
 * sends. @text_r may be set to wire text that replaces the catalog's
 * (transfer full; leave it NULL to keep the catalog text). Multi-line
 * answers (EXPN) come back in @lines_r. A vfunc left NULL accepts.
 */
struct _MrSmtpBackendInterface
{
  GTypeInterface parent_iface;

  /* At connect: MR_REPLY_SERVICE_READY, or a refusal (421 closes, 554
   * keeps the connection but refuses every command but QUIT, RFC 5321 3.1). */
  MrReplyId (*check_connect)   (MrSmtpBackend         *self,
                                MrConversation        *conversation,
                                char                 **text_r);
  /* HELO/EHLO with @helo: MR_REPLY_HELO_OK or a refusal. */
  MrReplyId (*check_helo)      (MrSmtpBackend         *self,
                                MrConversation        *conversation,
                                const char            *helo,
                                char                 **text_r);
  /* MAIL FROM: @envelope has the sender and parameters, no recipients yet.
   * MR_REPLY_SENDER_OK or a refusal. */
  MrReplyId (*check_sender)    (MrSmtpBackend         *self,
                                MrSmtpEnvelope        *envelope,
                                char                 **text_r);
  /* RCPT TO: @rcpt is not yet in @envelope. MR_REPLY_RECIPIENT_OK or a
   * refusal (MR_REPLY_UNKNOWN_USER, MR_REPLY_RELAY_DENIED...). */
  MrReplyId (*check_recipient) (MrSmtpBackend         *self,
                                MrSmtpEnvelope        *envelope,
                                const MrSmtpRecipient *rcpt,
                                char                 **text_r);
  /* SASL PLAIN/LOGIN credentials (RFC 4954). @authzid may be NULL or "".
   * MR_REPLY_AUTH_OK or MR_REPLY_AUTH_FAILED. */
  MrReplyId (*authenticate)    (MrSmtpBackend         *self,
                                MrConversation        *conversation,
                                const char            *authzid,
                                const char            *authcid,
                                const char            *password,
                                char                 **text_r);
  /* After the content, before delivery (content filters, spam rejection).
   * @message is the message with our Received: header. MR_REPLY_OK or a
   * refusal. */
  MrReplyId (*check_data)      (MrSmtpBackend         *self,
                                MrSmtpEnvelope        *envelope,
                                GBytes                *message,
                                char                 **text_r);
  /* Takes responsibility for the message (RFC 5321 6.1): MR_REPLY_QUEUED,
   * with @queue_id_r optionally set to the id to announce (default: the
   * envelope's), or a refusal (MR_REPLY_LOCAL_ERROR...). */
  MrReplyId (*deliver)         (MrSmtpBackend         *self,
                                MrSmtpEnvelope        *envelope,
                                GBytes                *message,
                                char                 **queue_id_r,
                                char                 **text_r);
  /* VRFY @argument (as sent, brackets and all): MR_REPLY_VRFY_OK with
   * @text_r the mailbox, or MR_REPLY_UNKNOWN_USER / MR_REPLY_CANNOT_VRFY. */
  MrReplyId (*vrfy)            (MrSmtpBackend         *self,
                                const char            *argument,
                                char                 **text_r);
  /* EXPN @argument: MR_REPLY_EXPN_OK with one line per member in @lines_r
   * (transfer full), or MR_REPLY_NO_SUCH_LIST. */
  MrReplyId (*expn)            (MrSmtpBackend         *self,
                                const char            *argument,
                                GStrv                 *lines_r,
                                char                 **text_r);
};

MrReplyId mr_smtp_backend_check_connect   (MrSmtpBackend         *self,
                                           MrConversation        *conversation,
                                           char                 **text_r);
MrReplyId mr_smtp_backend_check_helo      (MrSmtpBackend         *self,
                                           MrConversation        *conversation,
                                           const char            *helo,
                                           char                 **text_r);
MrReplyId mr_smtp_backend_check_sender    (MrSmtpBackend         *self,
                                           MrSmtpEnvelope        *envelope,
                                           char                 **text_r);
MrReplyId mr_smtp_backend_check_recipient (MrSmtpBackend         *self,
                                           MrSmtpEnvelope        *envelope,
                                           const MrSmtpRecipient *rcpt,
                                           char                 **text_r);
MrReplyId mr_smtp_backend_authenticate    (MrSmtpBackend         *self,
                                           MrConversation        *conversation,
                                           const char            *authzid,
                                           const char            *authcid,
                                           const char            *password,
                                           char                 **text_r);
MrReplyId mr_smtp_backend_check_data      (MrSmtpBackend         *self,
                                           MrSmtpEnvelope        *envelope,
                                           GBytes                *message,
                                           char                 **text_r);
MrReplyId mr_smtp_backend_deliver         (MrSmtpBackend         *self,
                                           MrSmtpEnvelope        *envelope,
                                           GBytes                *message,
                                           char                 **queue_id_r,
                                           char                 **text_r);
MrReplyId mr_smtp_backend_vrfy            (MrSmtpBackend         *self,
                                           const char            *argument,
                                           char                 **text_r);
MrReplyId mr_smtp_backend_expn            (MrSmtpBackend         *self,
                                           const char            *argument,
                                           GStrv                 *lines_r,
                                           char                 **text_r);

G_END_DECLS
