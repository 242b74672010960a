/* mr-engine-sessions.c
 *
 * Copyright 2026 The Mailroom authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "mr-engine"

#include "config.h"

#include <glib/gi18n-lib.h>

#include "mr-clock.h"
#include "mr-engine-private.h"
#include "mr-error.h"
#include "mr-http-server.h"
#include "mr-imap-session.h"
#include "mr-lesson-source.h"
#include "mr-maildir.h"
#include "mr-pop3-session.h"
#include "mr-smtp-local-delivery.h"
#include "mr-smtp-session.h"
#include "mr-store.h"
#include "mr-world.h"

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
      return TRUE;

    case MR_PROTOCOL_NONE:
    default:
      return FALSE;
    }
}

MrWorld *
mr_engine_get_world (MrEngine *self)
{
  GObject *world;

  g_return_val_if_fail (MR_IS_ENGINE (self), NULL);

  world = _mr_engine_get_extension (self, MR_ENGINE_EXTENSION_WORLD);
  return world ? MR_WORLD (world) : NULL;
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
          .faults = mr_world_get_faults (mr_engine_get_world (self)),
        };

        return mr_pop3_session_new (mr_engine_get_store (self), &config, conversation, limits);
      }

    case MR_SERVICE_SMTP:
    case MR_SERVICE_SUBMISSION:
    case MR_SERVICE_SMTPS:
      /* The world decides: submission rules and the relay queue for
       * submission/SMTPS, the MX's local delivery for SMTP, faults on both. */
      return mr_world_create_smtp_session (mr_engine_get_world (self), service, conversation, limits);

    case MR_SERVICE_IMAP:
    case MR_SERVICE_IMAPS:
      {
        MrImapConfig config = {
          .hostname = hostname,
          .implicit_tls = service == MR_SERVICE_IMAPS,
          .clock = clock,
          .faults = mr_world_get_faults (mr_engine_get_world (self)),
        };

        return mr_imap_session_new (mr_engine_get_store (self), &config, conversation, limits);
      }

    case MR_SERVICE_HTTP:
    case MR_N_SERVICES:
    default:
      return NULL;
    }
}

static MrHttpServer *
ensure_http_server (MrEngine *self)
{
  GObject *http = _mr_engine_get_extension (self, MR_ENGINE_EXTENSION_HTTP);

  if (http == NULL)
    {
      g_autoptr(MrHttpServer) server = mr_http_server_new (self);

      if (mr_engine_get_world (self) != NULL)
        mr_http_server_set_faults (server, mr_world_get_faults (mr_engine_get_world (self)));

      _mr_engine_set_extension (self, MR_ENGINE_EXTENSION_HTTP, G_OBJECT (server));
      http = G_OBJECT (server);
    }
  return MR_HTTP_SERVER (http);
}

guint16
_mr_engine_listen_http (MrEngine    *self,
                        const char  *address,
                        guint16      port,
                        GError     **error)
{
  return mr_http_server_listen (ensure_http_server (self), address, port, error);
}

void
mr_engine_set_classroom (MrEngine *self,
                         gboolean  classroom)
{
  g_return_if_fail (MR_IS_ENGINE (self));
  mr_http_server_set_classroom (ensure_http_server (self), classroom);
}

gboolean
mr_engine_enable_classroom (MrEngine  *self,
                            GError   **error)
{
  GListModel *accounts;

  g_return_val_if_fail (MR_IS_ENGINE (self), FALSE);

  /* Safe by default: the LAN can reach the servers in classroom mode, so
   * nobody may read a mailbox without its password. */
  accounts = mr_store_get_accounts (mr_engine_get_store (self));
  for (guint i = 0; i < g_list_model_get_n_items (accounts); i++)
    {
      g_autoptr(MrAccount) account = g_list_model_get_item (accounts, i);
      const char *password = mr_account_get_password (account);

      if (password == NULL || password[0] == '\0')
        {
          g_set_error (error, MR_ERROR, MR_ERROR_INVALID_DATA,
                       _("Classroom mode needs a password on every account; %s has none"),
                       mr_account_get_address (account));
          return FALSE;
        }
    }

  mr_engine_set_classroom (self, TRUE);
  return TRUE;
}

GStrv
mr_engine_dup_web_urls (MrEngine *self)
{
  GObject *http;

  g_return_val_if_fail (MR_IS_ENGINE (self), NULL);

  http = _mr_engine_get_extension (self, MR_ENGINE_EXTENSION_HTTP);
  return http ? mr_http_server_dup_urls (MR_HTTP_SERVER (http)) : g_new0 (char *, 1);
}

const char *
mr_engine_get_teacher_token (MrEngine *self)
{
  GObject *http;

  g_return_val_if_fail (MR_IS_ENGINE (self), NULL);

  http = _mr_engine_get_extension (self, MR_ENGINE_EXTENSION_HTTP);
  return http ? mr_http_server_get_teacher_token (MR_HTTP_SERVER (http)) : NULL;
}

gboolean
mr_engine_use_maildir (MrEngine    *self,
                       const char  *root,
                       GError     **error)
{
  g_autoptr(MrMaildir) maildir = NULL;

  g_return_val_if_fail (MR_IS_ENGINE (self), FALSE);
  g_return_val_if_fail (root != NULL, FALSE);

  if (!(maildir = mr_maildir_new (root, error)) ||
      !mr_maildir_load (maildir, mr_engine_get_store (self), error))
    return FALSE;

  _mr_engine_set_extension (self, MR_ENGINE_EXTENSION_MAILDIR, G_OBJECT (maildir));
  return TRUE;
}

void
_mr_engine_scenario_loaded (MrEngine *self)
{
  MrWorld *world = mr_engine_get_world (self);

  if (world != NULL)
    {
      mr_world_set_scenario (world, mr_engine_get_scenario (self));
    }
  else
    {
      g_autoptr(MrWorld) created = mr_world_new (mr_engine_get_scenario (self),
                                                 mr_engine_get_store (self),
                                                 mr_engine_get_bus (self),
                                                 mr_engine_get_clock (self));

      _mr_engine_set_extension (self, MR_ENGINE_EXTENSION_WORLD, G_OBJECT (created));
    }
}

gboolean
_mr_engine_host_refuses (MrEngine  *self,
                         MrService  service)
{
  MrWorld *world = mr_engine_get_world (self);

  return world != NULL &&
         mr_fault_set_check_refused (mr_world_get_faults (world),
                                     mr_engine_get_server_name (self, service));
}

void
_mr_engine_shutdown_extensions (MrEngine *self)
{
  GObject *http = _mr_engine_get_extension (self, MR_ENGINE_EXTENSION_HTTP);

  if (http != NULL)
    mr_http_server_disconnect (MR_HTTP_SERVER (http));
}

void
mr_engine_set_lesson_source (MrEngine       *self,
                             MrLessonSource *source)
{
  g_return_if_fail (MR_IS_ENGINE (self));
  g_return_if_fail (source == NULL || MR_IS_LESSON_SOURCE (source));

  _mr_engine_set_extension (self, MR_ENGINE_EXTENSION_LESSONS, G_OBJECT (source));
}
