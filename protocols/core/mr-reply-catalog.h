/* mr-reply-catalog.h
 *
 * Copyright 2026 The Mailroom authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "mr-types.h"

G_BEGIN_DECLS

/**
 * MrReplyAdvice:
 * @MR_ADVICE_PROCEED: success; go on with the next command
 * @MR_ADVICE_CONTINUE: intermediate (3yz); send what the server asked for
 * @MR_ADVICE_RETRY: transient (4yz); keep the message and retry later
 * @MR_ADVICE_FIX: permanent (5yz) caused by the command; fix it and resend
 * @MR_ADVICE_GIVE_UP: permanent (5yz) for this recipient or message; bounce
 *
 * What a client should do with a reply (RFC 5321 4.2.1, 4.5.4.1).
 */
typedef enum
{
  MR_ADVICE_PROCEED,
  MR_ADVICE_CONTINUE,
  MR_ADVICE_RETRY,
  MR_ADVICE_FIX,
  MR_ADVICE_GIVE_UP,
} MrReplyAdvice;

/**
 * MrReplyId:
 *
 * Every reply the SMTP server can send. The wire text, code and enhanced
 * status (RFC 3463) come from the catalog, so the server, the lessons, the
 * GUI and the web view cannot disagree.
 */
typedef enum
{
  /* 2yz */
  MR_REPLY_SERVICE_READY,          /* 220 greeting */
  MR_REPLY_STARTTLS_READY,         /* 220 2.0.0 */
  MR_REPLY_HELP,                   /* 214 2.0.0 */
  MR_REPLY_CLOSING,                /* 221 2.0.0 */
  MR_REPLY_AUTH_OK,                /* 235 2.7.0 */
  MR_REPLY_OK,                     /* 250 2.0.0 */
  MR_REPLY_HELO_OK,                /* 250 hostname */
  MR_REPLY_SENDER_OK,              /* 250 2.1.0 */
  MR_REPLY_RECIPIENT_OK,           /* 250 2.1.5 */
  MR_REPLY_QUEUED,                 /* 250 2.0.0 Ok: queued as X */
  MR_REPLY_BDAT_OK,                /* 250 2.0.0 n octets received */
  MR_REPLY_RESET_OK,               /* 250 2.0.0 */
  MR_REPLY_VRFY_OK,                /* 250 2.1.5 user */
  MR_REPLY_EXPN_OK,                /* 250 2.1.5 member */
  MR_REPLY_CANNOT_VRFY,            /* 252 2.5.2 */
  /* 3yz */
  MR_REPLY_AUTH_CHALLENGE,         /* 334 */
  MR_REPLY_START_DATA,             /* 354 */
  /* 4yz */
  MR_REPLY_SHUTDOWN,               /* 421 4.3.2 */
  MR_REPLY_IDLE_TIMEOUT,           /* 421 4.4.2 */
  MR_REPLY_TOO_MANY_ERRORS,        /* 421 4.7.0 */
  MR_REPLY_TOO_MANY_CONNECTIONS,   /* 421 4.7.0 */
  MR_REPLY_SERVICE_UNAVAILABLE,    /* 421 4.3.2 at the banner (fault) */
  MR_REPLY_RATE_LIMITED,           /* 421 4.7.0 (fault) */
  MR_REPLY_RATE_LIMITED_RCPT,      /* 450 4.7.1 (fault) */
  MR_REPLY_GREYLISTED,             /* 451 4.7.1 */
  MR_REPLY_LOCAL_ERROR,            /* 451 4.3.0 */
  MR_REPLY_DNS_TEMPFAIL,           /* 451 4.4.3 */
  MR_REPLY_TOO_MANY_RECIPIENTS,    /* 452 4.5.3 */
  MR_REPLY_MAILBOX_FULL_TEMP,      /* 452 4.2.2 */
  MR_REPLY_AUTH_TEMPFAIL,          /* 454 4.7.0 */
  MR_REPLY_TLS_NOT_AVAILABLE,      /* 454 4.7.0 */
  /* 5yz */
  MR_REPLY_UNKNOWN_COMMAND,        /* 500 5.5.2 */
  MR_REPLY_LINE_TOO_LONG,          /* 500 5.5.2 */
  MR_REPLY_SYNTAX_ERROR,           /* 501 5.5.2 */
  MR_REPLY_BAD_ADDRESS,            /* 501 5.1.3 */
  MR_REPLY_BAD_BASE64,             /* 501 5.5.2 */
  MR_REPLY_AUTH_CANCELLED,         /* 501 5.7.0 */
  MR_REPLY_NOT_IMPLEMENTED,        /* 502 5.5.1 */
  MR_REPLY_EXPN_DISABLED,          /* 502 5.5.1 */
  MR_REPLY_BAD_SEQUENCE,           /* 503 5.5.1 */
  MR_REPLY_ALREADY_AUTHENTICATED,  /* 503 5.5.1 */
  MR_REPLY_BAD_PARAMETER,          /* 504 5.5.4 */
  MR_REPLY_UNKNOWN_MECHANISM,      /* 504 5.5.4 */
  MR_REPLY_AUTH_REQUIRED,          /* 530 5.7.0 */
  MR_REPLY_TLS_REQUIRED,           /* 530 5.7.0 */
  MR_REPLY_AUTH_FAILED,            /* 535 5.7.8 */
  MR_REPLY_ENCRYPTION_REQUIRED,    /* 538 5.7.11 */
  MR_REPLY_UNKNOWN_USER,           /* 550 5.1.1 */
  MR_REPLY_RELAY_DENIED,           /* 550 5.7.1 */
  MR_REPLY_SPAM_REJECTED,          /* 550 5.7.1 */
  MR_REPLY_NO_SUCH_LIST,           /* 550 5.1.1 */
  MR_REPLY_DMARC_REJECTED,         /* 550 5.7.26 */
  MR_REPLY_MESSAGE_TOO_BIG,        /* 552 5.3.4 */
  MR_REPLY_MAILBOX_FULL,           /* 552 5.2.2 */
  MR_REPLY_BAD_SENDER_DOMAIN,      /* 553 5.1.8 */
  MR_REPLY_NO_VALID_RECIPIENTS,    /* 554 5.5.1 */
  MR_REPLY_TRANSACTION_FAILED,     /* 554 5.0.0 */
  MR_REPLY_PARAM_NOT_RECOGNIZED,   /* 555 5.5.4 */
  MR_REPLY_SMTPUTF8_REQUIRED,      /* 553 5.6.7 */
  MR_REPLY_VRFY_REFUSED,           /* 550 5.7.1 (VRFY policy) */
  MR_REPLY_AUTH_LINE_TOO_LONG,     /* 500 5.5.6 */
  MR_N_REPLIES
} MrReplyId;

typedef struct
{
  MrReplyId      id;
  guint          code;
  const char    *enhanced;     /* RFC 3463 status, or NULL */
  const char    *text;         /* default wire text (never translated) */
  const char    *explanation;  /* N_() one line for learners */
  MrReplyAdvice  advice;
  const char    *rfc;          /* where the rule is, e.g. "RFC 5321 4.1.1.4" */
} MrReplyInfo;

const MrReplyInfo *mr_reply_catalog_get       (MrReplyId    id);
/* The best entry for a reply seen on the wire (from any server): exact
 * code + enhanced match first, then the code alone. NULL if unknown. */
const MrReplyInfo *mr_reply_catalog_lookup    (guint        code,
                                               const char  *enhanced);
/* Translated explanation of what a reply class means (2..5). */
const char        *mr_reply_class_explain     (guint        reply_class);
const char        *mr_reply_advice_to_string  (MrReplyAdvice advice);
/* Translated explanation of a reply, falling back to its class. */
const char        *mr_reply_explain           (guint        code,
                                               const char  *enhanced);
/* The whole catalog, for listings (MR_N_REPLIES entries). */
const MrReplyInfo *mr_reply_catalog_get_all   (guint       *n_r);

/* Explanations of POP3 (RFC 2449 8) and IMAP (RFC 3501 7.1) response
 * codes such as "IN-USE" or "TRYCREATE"; NULL if unknown. Translated. */
const char        *mr_response_code_explain   (MrProtocol   protocol,
                                               const char  *code);

G_END_DECLS
