/* mr-engine.c
 *
 * Copyright 2026 The Mailroom authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "mr-engine"

#include "config.h"

#include <string.h>

#include <glib/gi18n-lib.h>
#include <gmime/gmime.h>

#include "mr-clock.h"
#include "mr-engine-private.h"
#include "mr-error.h"
#include "mr-event-bus.h"
#include "mr-scenario.h"
#include "mr-server.h"
#include "mr-store.h"
#include "mr-tls.h"

struct _MrEngine
{
  GObject          parent_instance;

  MrClock         *clock;
  MrEventBus      *bus;
  MrStore         *store;
  MrScenario      *scenario;
  GTlsCertificate *certificate;
  GMainContext    *context;
  MrServer        *servers[MR_N_SERVICES];
  guint16          ports[MR_N_SERVICES];
  GObject         *extensions[MR_N_ENGINE_EXTENSIONS];
  MrLimits         limits;
};

G_DEFINE_FINAL_TYPE (MrEngine, mr_engine, G_TYPE_OBJECT)

typedef struct
{
  MrEngine  *engine;   /* weak: the engine owns the servers */
  MrService  service;
} FactoryData;

static void
mr_engine_dispose (GObject *object)
{
  MrEngine *self = (MrEngine *)object;

  for (guint i = 0; i < MR_N_SERVICES; i++)
    g_clear_object (&self->servers[i]);
  for (guint i = 0; i < MR_N_ENGINE_EXTENSIONS; i++)
    g_clear_object (&self->extensions[i]);

  G_OBJECT_CLASS (mr_engine_parent_class)->dispose (object);
}

static void
mr_engine_finalize (GObject *object)
{
  MrEngine *self = (MrEngine *)object;

  g_clear_object (&self->scenario);
  g_clear_object (&self->store);
  g_clear_object (&self->bus);
  g_clear_object (&self->clock);
  g_clear_object (&self->certificate);
  g_clear_pointer (&self->context, g_main_context_unref);

  G_OBJECT_CLASS (mr_engine_parent_class)->finalize (object);
}

static void
mr_engine_class_init (MrEngineClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = mr_engine_dispose;
  object_class->finalize = mr_engine_finalize;
}

static void
mr_engine_init (MrEngine *self)
{
  self->context = g_main_context_ref_thread_default ();
  self->clock = mr_clock_new ();
  self->bus = mr_event_bus_new (self->clock);
  self->store = mr_store_new ();
  mr_limits_init_defaults (&self->limits);
}

void
mr_init (void)
{
  static gsize initialized;

  if (g_once_init_enter (&initialized))
    {
      /* MAILROOM_LOCALEDIR: the build tree's po/ (tests, uninstalled runs) */
      const char *localedir = g_getenv ("MAILROOM_LOCALEDIR");

      g_mime_init ();
      bindtextdomain (GETTEXT_PACKAGE, localedir != NULL ? localedir : LOCALEDIR);
      bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
      g_once_init_leave (&initialized, 1);
    }
}

MrEngine *
mr_engine_new (void)
{
  mr_init ();
  return g_object_new (MR_TYPE_ENGINE, NULL);
}

MrClock *
mr_engine_get_clock (MrEngine *self)
{
  g_return_val_if_fail (MR_IS_ENGINE (self), NULL);
  return self->clock;
}

MrEventBus *
mr_engine_get_bus (MrEngine *self)
{
  g_return_val_if_fail (MR_IS_ENGINE (self), NULL);
  return self->bus;
}

MrStore *
mr_engine_get_store (MrEngine *self)
{
  g_return_val_if_fail (MR_IS_ENGINE (self), NULL);
  return self->store;
}

MrScenario *
mr_engine_get_scenario (MrEngine *self)
{
  g_return_val_if_fail (MR_IS_ENGINE (self), NULL);
  return self->scenario;
}

const MrLimits *
mr_engine_get_limits (MrEngine *self)
{
  g_return_val_if_fail (MR_IS_ENGINE (self), NULL);
  return &self->limits;
}

void
mr_engine_set_limits (MrEngine       *self,
                      const MrLimits *limits)
{
  g_return_if_fail (MR_IS_ENGINE (self));

  memset (&self->limits, 0, sizeof self->limits);
  if (limits)
    self->limits = *limits;
  mr_limits_init_defaults (&self->limits);
}

const char *
mr_engine_get_server_name (MrEngine  *self,
                           MrService  service)
{
  MrScenarioHost *host = NULL;

  g_return_val_if_fail (MR_IS_ENGINE (self), NULL);

  if (self->scenario != NULL)
    {
      switch (service)
        {
        case MR_SERVICE_SUBMISSION:
        case MR_SERVICE_SMTPS:
          host = mr_scenario_find_host (self->scenario, MR_HOST_SUBMISSION, NULL);
          break;

        case MR_SERVICE_SMTP:
          host = mr_scenario_find_host (self->scenario, MR_HOST_MX, NULL);
          break;

        case MR_SERVICE_POP3:
        case MR_SERVICE_POP3S:
        case MR_SERVICE_IMAP:
        case MR_SERVICE_IMAPS:
          host = mr_scenario_find_host (self->scenario, MR_HOST_MAILBOX, NULL);
          break;

        case MR_SERVICE_HTTP:
        case MR_N_SERVICES:
        default:
          break;
        }
    }

  return host ? host->name : "mailroom.lab";
}

gboolean
mr_engine_load_scenario (MrEngine    *self,
                         const char  *path,
                         GError     **error)
{
  g_autoptr(MrScenario) scenario = NULL;

  g_return_val_if_fail (MR_IS_ENGINE (self), FALSE);

  if (path != NULL)
    scenario = mr_scenario_new_from_file (path, error);
  else
    scenario = mr_scenario_new_default ();

  if (scenario == NULL)
    return FALSE;

  g_set_object (&self->scenario, scenario);
  mr_scenario_apply_to_store (scenario, self->store);
  _mr_engine_scenario_loaded (self);

  return TRUE;
}

gboolean
mr_engine_setup_tls (MrEngine    *self,
                     const char  *dir,
                     GError     **error)
{
  g_autoptr(GTlsCertificate) certificate = NULL;

  g_return_val_if_fail (MR_IS_ENGINE (self), FALSE);

  if (g_tls_backend_supports_tls (g_tls_backend_get_default ()) == FALSE)
    {
      g_set_error (error, MR_ERROR, MR_ERROR_FAILED,
                   _("TLS is not available: install glib-networking"));
      return FALSE;
    }

  if (!(certificate = mr_tls_load_or_create_certificate (dir, error)))
    return FALSE;

  g_set_object (&self->certificate, certificate);
  for (guint i = 0; i < MR_N_SERVICES; i++)
    if (self->servers[i] != NULL)
      mr_server_set_certificate (self->servers[i], certificate);

  return TRUE;
}

GTlsCertificate *
mr_engine_get_tls_certificate (MrEngine *self)
{
  g_return_val_if_fail (MR_IS_ENGINE (self), NULL);
  return self->certificate;
}

MrSession *
mr_engine_create_session (MrEngine   *self,
                          MrService   service,
                          const char *client)
{
  g_autoptr(MrConversation) conversation = NULL;

  g_return_val_if_fail (MR_IS_ENGINE (self), NULL);
  g_return_val_if_fail (service < MR_N_SERVICES, NULL);

  if (self->scenario == NULL && !mr_engine_load_scenario (self, NULL, NULL))
    return NULL;

  conversation = mr_conversation_new (self->bus, mr_service_get_protocol (service),
                                      client, mr_engine_get_server_name (self, service));
  return _mr_engine_create_protocol_session (self, service, conversation);
}

static MrSession *
server_session_factory (const char *peer,
                        gpointer    user_data)
{
  FactoryData *data = user_data;
  MrSession *session;

  /* host-down: the lab host is "not there"; a listener cannot refuse a
   * connection it already accepted, so it closes it without a word. */
  if (_mr_engine_host_refuses (data->engine, data->service))
    return NULL;

  session = mr_engine_create_session (data->engine, data->service, peer);
  if (session != NULL)
    {
      MrConversation *conversation = mr_session_get_conversation (session);

      mr_conversation_emit (conversation,
                            mr_conversation_new_event (conversation, MR_EVENT_CONNECT,
                                                       MR_DIRECTION_NONE, peer));
    }
  return session;
}

guint16
mr_engine_listen (MrEngine    *self,
                  MrService    service,
                  const char  *address,
                  guint16      port,
                  GError     **error)
{
  FactoryData *data;
  guint16 bound;

  g_return_val_if_fail (MR_IS_ENGINE (self), 0);
  g_return_val_if_fail (service < MR_N_SERVICES, 0);

  if (self->scenario == NULL && !mr_engine_load_scenario (self, NULL, error))
    return 0;

  if (service == MR_SERVICE_HTTP)
    {
      bound = _mr_engine_listen_http (self, address, port, error);
      if (bound != 0)
        self->ports[service] = bound;
      return bound;
    }

  if (mr_service_is_implicit_tls (service) && self->certificate == NULL)
    {
      g_set_error (error, MR_ERROR, MR_ERROR_FAILED,
                   "%s needs a TLS certificate", mr_service_to_string (service));
      return 0;
    }

  if (!_mr_engine_has_protocol (self, mr_service_get_protocol (service)))
    {
      g_set_error (error, MR_ERROR, MR_ERROR_FAILED,
                   "%s is not available in this build", mr_service_to_string (service));
      return 0;
    }

  if (self->servers[service] == NULL)
    {
      MrLimits limits = self->limits;

      /* RFC 3501 5.4: an IMAP autologout timer must be at least 30 minutes
       * (IDLE clients re-issue IDLE every 29). */
      if (mr_service_get_protocol (service) == MR_PROTOCOL_IMAP)
        limits.idle_timeout_seconds = MAX (limits.idle_timeout_seconds, 30 * 60);
      /* RFC 1939 3: a POP3 one must be at least 10 minutes. */
      else if (mr_service_get_protocol (service) == MR_PROTOCOL_POP3)
        limits.idle_timeout_seconds = MAX (limits.idle_timeout_seconds, 10 * 60);

      data = g_new0 (FactoryData, 1);
      data->engine = self;
      data->service = service;
      self->servers[service] = mr_server_new (service, &limits, server_session_factory, data, g_free);
      mr_server_set_certificate (self->servers[service], self->certificate);
    }

  bound = mr_server_listen (self->servers[service], address, port, error);
  if (bound != 0)
    self->ports[service] = bound;
  return bound;
}

guint16
mr_engine_get_port (MrEngine  *self,
                    MrService  service)
{
  g_return_val_if_fail (MR_IS_ENGINE (self), 0);
  g_return_val_if_fail (service < MR_N_SERVICES, 0);
  return self->ports[service];
}

void
mr_engine_shutdown (MrEngine *self)
{
  g_return_if_fail (MR_IS_ENGINE (self));

  /* RFC 5321 3.8: a server that must stop says 421 to every open session. */
  for (guint i = 0; i < MR_N_SERVICES; i++)
    if (self->servers[i] != NULL)
      mr_server_stop (self->servers[i], MR_STOP_SHUTDOWN);
  _mr_engine_shutdown_extensions (self);
}

guint
_mr_engine_get_n_connections (MrEngine *self)
{
  guint n = 0;

  for (guint i = 0; i < MR_N_SERVICES; i++)
    if (self->servers[i] != NULL)
      n += mr_server_get_n_connections (self->servers[i]);
  return n;
}

void
mr_engine_invoke (MrEngine       *self,
                  GSourceFunc     func,
                  gpointer        data,
                  GDestroyNotify  notify)
{
  g_return_if_fail (MR_IS_ENGINE (self));

  g_main_context_invoke_full (self->context, G_PRIORITY_DEFAULT, func, data, notify);
}

GObject *
_mr_engine_get_extension (MrEngine            *self,
                          MrEngineExtension    extension)
{
  return self->extensions[extension];
}

void
_mr_engine_set_extension (MrEngine          *self,
                          MrEngineExtension  extension,
                          GObject           *object)
{
  g_set_object (&self->extensions[extension], object);
}
