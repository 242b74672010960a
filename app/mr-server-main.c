/* mr-server-main.c
 *
 * Copyright 2026 The Mailroom authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "mailroom-server"

#include "config.h"

#include <glib/gi18n.h>
#include <glib-unix.h>
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>

#include "mailroom.h"
#include "mr-engine-private.h"
#include "mr-event-bus.h"
#include "mr-server-export.h"
#include "mr-server-options.h"

/*
 * mailroom-server: the lab without the GUI, for classrooms, CI and scripts.
 * Its command line and its "<service> <address>:<port>" lines on stdout are
 * an interface scripts rely on: keep them stable.
 */

typedef struct
{
  MrEngine        *engine;
  MrServerOptions *options;
  GMainLoop       *loop;
  guint            drain_id;
  guint            drain_ticks;
} Server;

/* Writes each --export file from @events; says on stderr what it wrote. */
static gboolean
write_exports (MrServerOptions *options,
               GPtrArray       *events)
{
  gboolean ok = TRUE;

  for (guint i = 0; options->exports != NULL && options->exports[i] != NULL; i++)
    {
      g_autoptr(GError) error = NULL;

      if (mr_server_export_write (events, (guint64) options->export_conversation,
                                  options->exports[i], &error))
        g_printerr (_("mailroom-server: wrote %s\n"), options->exports[i]);
      else
        {
          g_printerr ("mailroom-server: %s\n", error->message);
          ok = FALSE;
        }
    }
  return ok;
}

/* Everything the bus still holds (--event-history bounds it). */
static gboolean
export_recorded (Server *server)
{
  g_autoptr(GPtrArray) events = mr_event_bus_dup_since (mr_engine_get_bus (server->engine), 0, 0);

  return write_exports (server->options, events);
}

/* SIGUSR1: a handout now, the lab carries on. */
static gboolean
on_export_signal_cb (gpointer user_data)
{
  export_recorded (user_data);
  return G_SOURCE_CONTINUE;
}

static gboolean
drain_cb (gpointer user_data)
{
  Server *server = user_data;

  /* Let every session finish its goodbye (421), at most two seconds. */
  if (_mr_engine_get_n_connections (server->engine) == 0 || ++server->drain_ticks > 40)
    {
      server->drain_id = 0;
      g_main_loop_quit (server->loop);
      return G_SOURCE_REMOVE;
    }
  return G_SOURCE_CONTINUE;
}

static gboolean
on_signal_cb (gpointer user_data)
{
  Server *server = user_data;

  if (server->drain_id != 0)
    {
      g_main_loop_quit (server->loop);
      return G_SOURCE_CONTINUE;
    }

  g_printerr ("mailroom-server: stopping\n");
  mr_engine_shutdown (server->engine);
  server->drain_id = g_timeout_add (50, drain_cb, server);
  return G_SOURCE_CONTINUE;
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(MrServerOptions) options = NULL;
  g_autoptr(MrEngine) engine = NULL;
  g_autoptr(GMainLoop) loop = NULL;
  g_autoptr(GError) error = NULL;
  Server server = { 0 };

  setlocale (LC_ALL, "");
  bindtextdomain (GETTEXT_PACKAGE, g_getenv ("MAILROOM_LOCALEDIR") != NULL /* build tree */
                                   ? g_getenv ("MAILROOM_LOCALEDIR") : LOCALEDIR);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);

  options = mr_server_options_new ();
  if (!mr_server_options_parse (options, &argc, &argv, &error))
    {
      g_printerr ("mailroom-server: %s\n", error->message);
      g_printerr (_("Run “%s --help” to see the options.\n"), g_get_prgname ());
      return EXIT_FAILURE;
    }

  if (options->version)
    {
      g_print ("mailroom-server %s\n", PACKAGE_VERSION);
      return EXIT_SUCCESS;
    }

  if (options->export_from != NULL)
    {
      g_autoptr(GPtrArray) events = mr_server_export_load_events (options->export_from, &error);

      if (events == NULL)
        {
          g_printerr ("mailroom-server: %s\n", error->message);
          return EXIT_FAILURE;
        }
      return write_exports (options, events) ? EXIT_SUCCESS : EXIT_FAILURE;
    }

  engine = mr_engine_new ();

  if (!mr_server_options_apply (options, engine, &error))
    {
      g_printerr ("mailroom-server: %s\n", error->message);
      return EXIT_FAILURE;
    }

  if (options->exit_early)
    return EXIT_SUCCESS;

  if (!mr_server_options_listen (options, engine, stdout, &error))
    {
      g_printerr ("mailroom-server: %s\n", error->message);
      return EXIT_FAILURE;
    }
  fflush (stdout);

  loop = g_main_loop_new (NULL, FALSE);
  server.engine = engine;
  server.options = options;
  server.loop = loop;
  g_unix_signal_add (SIGINT, on_signal_cb, &server);
  g_unix_signal_add (SIGTERM, on_signal_cb, &server);
  if (options->exports != NULL)
    g_unix_signal_add (SIGUSR1, on_export_signal_cb, &server);

  g_main_loop_run (loop);

  g_clear_handle_id (&server.drain_id, g_source_remove);
  if (!export_recorded (&server))
    return EXIT_FAILURE;
  return EXIT_SUCCESS;
}
