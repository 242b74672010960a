/* mr-dsn.h
 *
 * Copyright 2026 The Mailroom authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "mr-smtp-envelope.h"

G_BEGIN_DECLS

/**
 * MrDsnAction:
 *
 * RFC 3464 2.3.3 Action field.
 */
typedef enum
{
  MR_DSN_ACTION_FAILED,
  MR_DSN_ACTION_DELAYED,
  MR_DSN_ACTION_DELIVERED,
  MR_DSN_ACTION_RELAYED,
  MR_DSN_ACTION_EXPANDED,
} MrDsnAction;

/* One recipient's block of the report (RFC 3464 2.3). */
typedef struct
{
  const char  *final_recipient;  /* the address we tried */
  const char  *orcpt_type;       /* "rfc822", or NULL */
  const char  *orcpt;            /* ORCPT= address, or NULL (RFC 3461 4.2) */
  MrDsnAction  action;
  const char  *status;           /* RFC 3463 "5.1.1" */
  const char  *remote_mta;       /* the host that answered, or NULL */
  const char  *diagnostic;       /* the reply as received ("550 5.1.1 ..."), or NULL */
  gint64       last_attempt;     /* microseconds since the epoch, 0 if none */
  gint64       will_retry_until; /* for "delayed", 0 if none */
} MrDsnRecipient;

/* The message that carries the report. */
typedef struct
{
  const char *reporting_mta;     /* "smtp.sender.example" */
  const char *to;                /* the original sender: the DSN goes there */
  const char *envid;             /* ENVID=, or NULL */
  gint64      arrival_date;      /* when the original was queued */
  MrSmtpRet   ret;               /* FULL: whole message; else headers only */
  GBytes     *original;          /* the original message */
  GDateTime  *date;              /* the report's Date: (virtual clock) */
  const char *message_id;        /* "<...@host>", or NULL for a generated one */
  const char *boundary;          /* MIME boundary, or NULL for a generated one */
} MrDsnInfo;

/*
 * Builds a delivery status notification (RFC 3464): a multipart/report
 * (RFC 6522) with report-type=delivery-status, a human-readable part, the
 * message/delivery-status part, and the original as text/rfc822-headers
 * (RET=HDRS or none) or message/rfc822 (RET=FULL). The subject says what
 * happened (failure, delay, success). CRLF line ends. (transfer full)
 */
GBytes     *mr_dsn_build            (const MrDsnInfo      *info,
                                     const MrDsnRecipient *recipients,
                                     guint                 n_recipients);
const char *mr_dsn_action_to_string (MrDsnAction           action);
/* The header part of @message (up to the empty line), CRLF-terminated.
 * (transfer full) */
GBytes     *mr_dsn_extract_headers  (GBytes               *message);

G_END_DECLS
