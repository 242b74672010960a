/* mr-types.h
 *
 * Copyright 2026 The Mailroom authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

/* Forward declarations of the engine's types, so headers stay light. */
typedef struct _MrAccount        MrAccount;
typedef struct _MrClock          MrClock;
typedef struct _MrConversation   MrConversation;
typedef struct _MrEngine         MrEngine;
typedef struct _MrEvent          MrEvent;
typedef struct _MrEventBus       MrEventBus;
typedef struct _MrLessonSource   MrLessonSource;
typedef struct _MrLimits         MrLimits;
typedef struct _MrLineReader     MrLineReader;
typedef struct _MrMailbox        MrMailbox;
typedef struct _MrMessage        MrMessage;
typedef struct _MrScenario       MrScenario;
typedef struct _MrSession        MrSession;
typedef struct _MrStore          MrStore;
typedef struct _MrWorld          MrWorld;

/**
 * MrProtocol:
 *
 * The application protocol a conversation speaks.
 */
typedef enum
{
  MR_PROTOCOL_NONE,
  MR_PROTOCOL_SMTP,
  MR_PROTOCOL_POP3,
  MR_PROTOCOL_IMAP,
  MR_PROTOCOL_HTTP,
} MrProtocol;

/**
 * MrService:
 *
 * A listening service: a protocol on a well-known port, with or without
 * implicit TLS. Submission is SMTP with RFC 6409 rules (AUTH required).
 */
typedef enum
{
  MR_SERVICE_SMTP,        /* MX / relay, RFC 5321, lab port 2525 */
  MR_SERVICE_SUBMISSION,  /* RFC 6409, lab port 2587 */
  MR_SERVICE_SMTPS,       /* submission over implicit TLS, RFC 8314, lab port 2465 */
  MR_SERVICE_POP3,        /* RFC 1939, lab port 2110 */
  MR_SERVICE_POP3S,       /* lab port 2995 */
  MR_SERVICE_IMAP,        /* RFC 3501, lab port 2143 */
  MR_SERVICE_IMAPS,       /* lab port 2993 */
  MR_SERVICE_HTTP,        /* web view and JSON API, lab port 8025 */
  MR_N_SERVICES
} MrService;

const char *mr_protocol_to_string     (MrProtocol protocol);
const char *mr_service_to_string      (MrService  service);
gboolean    mr_service_from_string    (const char *name,
                                       MrService  *service_r);
MrProtocol  mr_service_get_protocol   (MrService  service);
gboolean    mr_service_is_implicit_tls (MrService service);
guint16     mr_service_get_default_port (MrService service);

G_END_DECLS
