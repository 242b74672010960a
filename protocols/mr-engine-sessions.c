/* mr-engine-sessions.c
 *
 * Copyright 2026 The Mailroom authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "mr-engine"

#include "config.h"

#include "mr-engine-private.h"
#include "mr-error.h"

/* The one place that knows every protocol's constructor, so the engine core
 * and the server stay protocol-agnostic. */

gboolean
_mr_engine_has_protocol (MrEngine   *self,
                         MrProtocol  protocol)
{
  switch (protocol)
    {
    case MR_PROTOCOL_SMTP:
    case MR_PROTOCOL_POP3:
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
  return NULL;
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
