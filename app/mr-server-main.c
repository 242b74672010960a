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
#include "mr-server-options.h"

/*
 * mailroom-server: the lab without the GUI, for classrooms, CI and scripts.
 * Its command line and its "<service> <address>:<port>" lines on stdout are
 * an interface scripts rely on: keep them stable.
 */

typedef struct
{
  MrEngine  *engine;
  GMainLoop *loop;
  guint      drain_id;
  guint      drain_ticks;
} Server;

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
  server.loop = loop;
  g_unix_signal_add (SIGINT, on_signal_cb, &server);
  g_unix_signal_add (SIGTERM, on_signal_cb, &server);

  g_main_loop_run (loop);

  g_clear_handle_id (&server.drain_id, g_source_remove);
  return EXIT_SUCCESS;
}
