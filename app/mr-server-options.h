/* mr-server-options.h
 *
 * Copyright 2026 The Mailroom authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <stdio.h>

#include "mailroom.h"

G_BEGIN_DECLS

/* The command line of mailroom-server, parsed and applied to an engine.
 * Kept apart from main() so a test can check the interface. */
typedef struct
{
  char     *bind;
  int       ports[MR_N_SERVICES];   /* -1: off, 0: any free port */
  char     *scenario;
  char     *maildir;
  char     *tls_dir;
  GStrv     faults;
  char     *clock;
  double    speed;
  gboolean  list_faults;
  gboolean  classroom;
  gboolean  version;
  gboolean  exit_early;             /* an option that only prints (--list-faults) */
  /* docs/limits.md: 0 keeps the default */
  gint64    max_message;
  int       max_recipients;
  gint64    max_literal;
  int       max_bad_commands;
  int       max_connections;
  int       max_connections_per_address;
  int       idle_timeout;
  int       event_history;
  /* Handouts (mr-server-export.h) */
  GStrv     exports;                /* written at stop and on SIGUSR1 */
  char     *export_from;            /* convert saved events, start nothing */
  gint64    export_conversation;    /* 0: every conversation */
} MrServerOptions;

MrServerOptions *mr_server_options_new    (void);
void             mr_server_options_free   (MrServerOptions *options);
gboolean         mr_server_options_parse  (MrServerOptions *options,
                                           int             *argc,
                                           char          ***argv,
                                           GError         **error);
/* Scenario, TLS, maildir, faults, clock. */
gboolean         mr_server_options_apply  (MrServerOptions *options,
                                           MrEngine        *engine,
                                           GError         **error);
/* Starts every listener and prints "<service> <address>:<port>" lines. */
gboolean         mr_server_options_listen (MrServerOptions *options,
                                           MrEngine        *engine,
                                           FILE            *out,
                                           GError         **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (MrServerOptions, mr_server_options_free)

G_END_DECLS

G_BEGIN_DECLS
/* mr-server-options-extensions.c: options served by optional parts
 * (Maildir, faults, the web view). */
gboolean _mr_server_options_apply_extensions (MrServerOptions  *options,
                                              MrEngine         *engine,
                                              GError          **error);
gboolean _mr_server_options_apply_faults     (MrServerOptions  *options,
                                              MrEngine         *engine,
                                              GError          **error);
void     _mr_server_options_print_extras     (MrServerOptions  *options,
                                              MrEngine         *engine,
                                              FILE             *out);
G_END_DECLS
