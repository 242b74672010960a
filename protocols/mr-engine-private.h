/* mr-engine-private.h
 *
 * Copyright 2026 The Mailroom authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "mr-engine.h"

G_BEGIN_DECLS

/* Parts of the lab that hang off the engine, created on demand. */
typedef enum
{
  MR_ENGINE_EXTENSION_WORLD,    /* MrWorld: relay, DNS, faults */
  MR_ENGINE_EXTENSION_HTTP,     /* MrHttpServer: web view and API */
  MR_ENGINE_EXTENSION_MAILDIR,  /* MrMaildir: persistence */
  MR_ENGINE_EXTENSION_LESSONS,  /* MrLessonSource: lessons and progress for the web API */
  MR_N_ENGINE_EXTENSIONS
} MrEngineExtension;

GObject   *_mr_engine_get_extension            (MrEngine          *self,
                                                MrEngineExtension  extension);
void       _mr_engine_set_extension            (MrEngine          *self,
                                                MrEngineExtension  extension,
                                                GObject           *object);
guint      _mr_engine_get_n_connections        (MrEngine          *self);

/* mr-engine-sessions.c: where the protocols plug in */
gboolean   _mr_engine_has_protocol             (MrEngine          *self,
                                                MrProtocol         protocol);
MrSession *_mr_engine_create_protocol_session  (MrEngine          *self,
                                                MrService          service,
                                                MrConversation    *conversation);
guint16    _mr_engine_listen_http              (MrEngine          *self,
                                                const char        *address,
                                                guint16            port,
                                                GError           **error);
void       _mr_engine_scenario_loaded          (MrEngine          *self);
gboolean   _mr_engine_host_refuses             (MrEngine          *self,
                                                MrService          service);
void       _mr_engine_shutdown_extensions      (MrEngine          *self);

G_END_DECLS
