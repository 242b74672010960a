/* mr-smtp-envelope.h
 *
 * Copyright 2026 The Mailroom authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "mr-types.h"

G_BEGIN_DECLS

#define MR_TYPE_SMTP_ENVELOPE (mr_smtp_envelope_get_type ())

typedef struct _MrSmtpEnvelope MrSmtpEnvelope;

/**
 * MrSmtpBody:
 * @MR_SMTP_BODY_UNSPECIFIED: no BODY= parameter (7bit assumed)
 * @MR_SMTP_BODY_7BIT: BODY=7BIT (RFC 6152 3)
 * @MR_SMTP_BODY_8BITMIME: BODY=8BITMIME (RFC 6152 3)
 */
typedef enum
{
  MR_SMTP_BODY_UNSPECIFIED,
  MR_SMTP_BODY_7BIT,
  MR_SMTP_BODY_8BITMIME,
} MrSmtpBody;

/**
 * MrSmtpRet:
 *
 * RFC 3461 4.3 RET=: how much of the message a DSN returns.
 */
typedef enum
{
  MR_SMTP_RET_UNSPECIFIED,
  MR_SMTP_RET_FULL,
  MR_SMTP_RET_HDRS,
} MrSmtpRet;

/**
 * MrSmtpNotify:
 *
 * RFC 3461 4.1 NOTIFY=; 0 means no NOTIFY parameter (the relay then acts
 * as if FAILURE, and maybe DELAY, had been asked for). NEVER excludes the
 * others.
 */
typedef enum
{
  MR_SMTP_NOTIFY_UNSPECIFIED = 0,
  MR_SMTP_NOTIFY_NEVER       = 1 << 0,
  MR_SMTP_NOTIFY_SUCCESS     = 1 << 1,
  MR_SMTP_NOTIFY_FAILURE     = 1 << 2,
  MR_SMTP_NOTIFY_DELAY       = 1 << 3,
} MrSmtpNotify;

/**
 * MrSmtpRecipient:
 * @address: the forward-path mailbox, as the client sent it
 * @notify: NOTIFY= flags
 * @orcpt_type: ORCPT= address type ("rfc822"), or %NULL
 * @orcpt: ORCPT= original recipient, xtext-decoded, or %NULL
 */
typedef struct
{
  char         *address;
  MrSmtpNotify  notify;
  char         *orcpt_type;
  char         *orcpt;
} MrSmtpRecipient;

/**
 * MrSmtpEnvelope:
 *
 * One mail transaction's envelope (RFC 5321 2.3.1): the reverse-path, the
 * accepted recipients with their DSN parameters, and MAIL parameters, plus
 * who handed it over. Reference counted, so the relay can queue it. The
 * session fills it; after it is handed to MrSmtpBackend::deliver it is not
 * changed any more. Fields are public for reading.
 */
struct _MrSmtpEnvelope
{
  /*< public >*/
  char       *queue_id;        /* assigned at MAIL (like Postfix) */
  char       *sender;          /* "" for the null reverse-path <> */
  GPtrArray  *recipients;      /* (element-type MrSmtpRecipient) */
  MrSmtpBody  body;
  guint64     size;            /* SIZE= declared by the client, 0 if none */
  gboolean    smtputf8;        /* SMTPUTF8 (RFC 6531 3.4) */
  MrSmtpRet   ret;
  char       *envid;           /* ENVID=, xtext-decoded, or NULL */
  char       *auth;            /* AUTH= (RFC 4954 5), decoded; "<>" or NULL */

  /* Who handed it over */
  char       *helo;            /* HELO/EHLO argument */
  char       *client;          /* the conversation's client */
  char       *auth_user;       /* authenticated identity, or NULL */
  gboolean    encrypted;       /* over TLS */
  gboolean    esmtp;           /* EHLO rather than HELO */

  /*< private >*/
  gatomicrefcount ref_count;
};

GType            mr_smtp_envelope_get_type        (void) G_GNUC_CONST;
MrSmtpEnvelope  *mr_smtp_envelope_new             (const char     *sender);
MrSmtpEnvelope  *mr_smtp_envelope_ref             (MrSmtpEnvelope *self);
void             mr_smtp_envelope_unref           (MrSmtpEnvelope *self);
/* Adds a recipient and returns it (owned by the envelope), so the caller
 * can fill in the DSN fields. */
MrSmtpRecipient *mr_smtp_envelope_add_recipient   (MrSmtpEnvelope *self,
                                                   const char     *address);
guint            mr_smtp_envelope_get_n_recipients (MrSmtpEnvelope *self);
MrSmtpRecipient *mr_smtp_envelope_get_recipient   (MrSmtpEnvelope *self,
                                                   guint           index);
/* NOTIFY= value ("SUCCESS,FAILURE") to flags; FALSE when malformed. */
gboolean         mr_smtp_notify_parse             (const char     *value,
                                                   MrSmtpNotify   *notify_r);
const char      *mr_smtp_body_to_string           (MrSmtpBody      body);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (MrSmtpEnvelope, mr_smtp_envelope_unref)

G_END_DECLS
