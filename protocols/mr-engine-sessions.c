/* mr-engine-sessions.c
 *
 * Copyright 2026 The Mailroom authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "mr-engine"

#include "config.h"

#include "mr-clock.h"
#include "mr-engine-private.h"
#include "mr-error.h"
#include "mr-pop3-session.h"

/* The one place that knows every protocol's constructor, so the engine core
 * and the server stay protocol-agnostic. */

gboolean
_mr_engine_has_protocol (MrEngine   *self,
                         MrProtocol  protocol)
{
  switch (protocol)
    {
    case MR_PROTOCOL_POP3:
      return TRUE;

    case MR_PROTOCOL_SMTP:
    case MR_PROTOCOL_IMAP:
    case MR_PROTOCOL_HTTP:
    case MR_PROTOCOL_NONE:
    default:
      return FALSE;
    }
}

MrSession *
_mr_engine_create_protocol_session (MrEngine       *self,
                                    MrService       service,
                                    MrConversation *conversation)
{
  const char *hostname = mr_engine_get_server_name (self, service);
  const MrLimits *limits = mr_engine_get_limits (self);
  MrClock *clock = mr_engine_get_clock (self);

  switch (service)
    {
    case MR_SERVICE_POP3:
    case MR_SERVICE_POP3S:
      {
        MrPop3Config config = {
          .hostname = hostname,
          .apop_enabled = TRUE,
          .implicit_tls = service == MR_SERVICE_POP3S,
          .clock = clock,
        };

        return mr_pop3_session_new (mr_engine_get_store (self), &config, conversation, limits);
      }

    case MR_SERVICE_SMTP:
    case MR_SERVICE_SUBMISSION:
    case MR_SERVICE_SMTPS:
    case MR_SERVICE_IMAP:
    case MR_SERVICE_IMAPS:
    case MR_SERVICE_HTTP:
    case MR_N_SERVICES:
    default:
      return NULL;
    }
}

guint16
_mr_engine_listen_http (MrEngine    *self,
                        const char  *address,
                        guint16      port,
                        GError     **error)
{
  g_set_error (error, MR_ERROR, MR_ERROR_FAILED, "The web view is not available in this build");
  return 0;
}

void
_mr_engine_scenario_loaded (MrEngine *self)
{
}

void
_mr_engine_shutdown_extensions (MrEngine *self)
{
}
