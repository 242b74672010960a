/* mr-server-options.c
 *
 * Copyright 2026 The Mailroom authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "mailroom-server"

#include "config.h"

#include <glib/gi18n.h>

#include "mr-engine-private.h"
#include "mr-server-export.h"
#include "mr-server-options.h"

/* Fast-forward when --clock fast is given without --speed: an hour of retry
 * schedule passes in a minute. */
#define DEFAULT_FAST_SPEED 60.0

MrServerOptions *
mr_server_options_new (void)
{
  MrServerOptions *options = g_new0 (MrServerOptions, 1);

  for (guint i = 0; i < MR_N_SERVICES; i++)
    options->ports[i] = mr_service_get_default_port (i);
  return options;
}

void
mr_server_options_free (MrServerOptions *options)
{
  if (options == NULL)
    return;
  g_free (options->bind);
  g_free (options->scenario);
  g_free (options->maildir);
  g_free (options->tls_dir);
  g_strfreev (options->faults);
  g_free (options->clock);
  g_strfreev (options->exports);
  g_free (options->export_from);
  g_free (options);
}

gboolean
mr_server_options_parse (MrServerOptions  *options,
                         int              *argc,
                         char           ***argv,
                         GError          **error)
{
  g_autoptr(GOptionContext) context = NULL;
  int *p = options->ports;
  const GOptionEntry entries[] = {
    { "bind", 0, 0, G_OPTION_ARG_STRING, &options->bind,
      N_("Address to listen on (default 127.0.0.1; other addresses need --classroom)"), N_("ADDR") },
    { "smtp-port", 0, 0, G_OPTION_ARG_INT, &p[MR_SERVICE_SMTP],
      N_("SMTP (MX) port, default 2525; 0 picks a free port, -1 turns it off"), "N" },
    { "submission-port", 0, 0, G_OPTION_ARG_INT, &p[MR_SERVICE_SUBMISSION],
      N_("Submission port (RFC 6409), default 2587"), "N" },
    { "smtps-port", 0, 0, G_OPTION_ARG_INT, &p[MR_SERVICE_SMTPS],
      N_("Submission over implicit TLS (RFC 8314), default 2465"), "N" },
    { "pop3-port", 0, 0, G_OPTION_ARG_INT, &p[MR_SERVICE_POP3],
      N_("POP3 port, default 2110"), "N" },
    { "pop3s-port", 0, 0, G_OPTION_ARG_INT, &p[MR_SERVICE_POP3S],
      N_("POP3 over implicit TLS, default 2995"), "N" },
    { "imap-port", 0, 0, G_OPTION_ARG_INT, &p[MR_SERVICE_IMAP],
      N_("IMAP port, default 2143"), "N" },
    { "imaps-port", 0, 0, G_OPTION_ARG_INT, &p[MR_SERVICE_IMAPS],
      N_("IMAP over implicit TLS, default 2993"), "N" },
    { "http-port", 0, 0, G_OPTION_ARG_INT, &p[MR_SERVICE_HTTP],
      N_("Web view and JSON API port, default 8025"), "N" },
    { "scenario", 0, 0, G_OPTION_ARG_FILENAME, &options->scenario,
      N_("Load the lab from a scenario file instead of the default one"), N_("FILE") },
    { "maildir", 0, 0, G_OPTION_ARG_FILENAME, &options->maildir,
      N_("Keep mailboxes on disk as Maildir under DIR"), N_("DIR") },
    { "tls-dir", 0, 0, G_OPTION_ARG_FILENAME, &options->tls_dir,
      N_("Where the self-signed TLS certificate lives (default: the user data dir)"), N_("DIR") },
    { "fault", 0, 0, G_OPTION_ARG_STRING_ARRAY, &options->faults,
      N_("Switch on a fault at start (repeatable); see --list-faults"), N_("NAME[@TARGET]") },
    { "list-faults", 0, 0, G_OPTION_ARG_NONE, &options->list_faults,
      N_("Print the fault catalog and exit"), NULL },
    { "clock", 0, 0, G_OPTION_ARG_STRING, &options->clock,
      N_("Virtual clock: realtime, fast or step"), N_("MODE") },
    { "speed", 0, 0, G_OPTION_ARG_DOUBLE, &options->speed,
      N_("Clock speed factor (0.25 is slow motion, 60 is fast-forward)"), N_("F") },
    { "max-message-size", 0, 0, G_OPTION_ARG_INT64, &options->max_message,
      N_("Largest message accepted, in octets (SMTP SIZE, 552 5.3.4 above it)"), N_("OCTETS") },
    { "max-recipients", 0, 0, G_OPTION_ARG_INT, &options->max_recipients,
      N_("Recipients per SMTP transaction (452 4.5.3 above it; RFC 5321 asks for at least 100)"), "N" },
    { "max-literal", 0, 0, G_OPTION_ARG_INT64, &options->max_literal,
      N_("Largest IMAP literal, in octets"), N_("OCTETS") },
    { "max-bad-commands", 0, 0, G_OPTION_ARG_INT, &options->max_bad_commands,
      N_("Bad commands before the server hangs up (SMTP 421 4.7.0)"), "N" },
    { "max-connections", 0, 0, G_OPTION_ARG_INT, &options->max_connections,
      N_("Connections at once per service"), "N" },
    { "max-connections-per-address", 0, 0, G_OPTION_ARG_INT, &options->max_connections_per_address,
      N_("Connections at once from one client address"), "N" },
    { "idle-timeout", 0, 0, G_OPTION_ARG_INT, &options->idle_timeout,
      N_("Seconds of silence before a client is disconnected (SMTP 421 4.4.2)"), N_("SECONDS") },
    { "event-history", 0, 0, G_OPTION_ARG_INT, &options->event_history,
      N_("Events the bus keeps for viewers and the transcript (default 200000)"), "N" },
    { "export", 0, 0, G_OPTION_ARG_FILENAME_ARRAY, &options->exports,
      N_("Write the recorded events when the server stops or gets SIGUSR1 (repeatable): "
         "a ladder diagram (.svg, .png), a transcript (.txt) or the events (.json)"), N_("FILE") },
    { "export-from", 0, 0, G_OPTION_ARG_FILENAME, &options->export_from,
      N_("Instead of serving, convert events saved as JSON (by --export or GET /api/v1/events) "
         "to each --export file"), N_("FILE") },
    { "export-conversation", 0, 0, G_OPTION_ARG_INT64, &options->export_conversation,
      N_("Export only this conversation (its id in the events)"), N_("ID") },
    { "classroom", 0, 0, G_OPTION_ARG_NONE, &options->classroom,
      N_("LAN classroom mode: listen on all addresses (every account needs a password)"), NULL },
    { "version", 0, 0, G_OPTION_ARG_NONE, &options->version,
      N_("Print the version and exit"), NULL },
    { NULL }
  };

  context = g_option_context_new (NULL);
  g_option_context_set_translation_domain (context, GETTEXT_PACKAGE);
  g_option_context_set_summary (context,
                                _("Mailroom's mail lab without the GUI: SMTP, submission, POP3 and IMAP "
                                  "servers, the simulated relay, and the classroom web view.\n"
                                  "Prints one line per listener, “<service> <address>:<port>”."));
  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);

  if (!g_option_context_parse (context, argc, argv, error))
    return FALSE;

  for (guint i = 0; i < MR_N_SERVICES; i++)
    {
      if (options->ports[i] < -1 || options->ports[i] > 65535)
        {
          g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                       _("--%s-port: %d is not a port (0 to 65535, or -1 for off)"),
                       mr_service_to_string (i), options->ports[i]);
          return FALSE;
        }
    }

  if (options->max_message < 0 || options->max_recipients < 0 || options->max_literal < 0 ||
      options->max_bad_commands < 0 || options->max_connections < 0 ||
      options->max_connections_per_address < 0 || options->idle_timeout < 0 ||
      options->event_history < 0)
    {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                   _("Limits must be positive (0 keeps the default)"));
      return FALSE;
    }

  if (options->speed < 0)
    {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                   _("--speed must be positive"));
      return FALSE;
    }

  /* A typo in a handout's name shows now, not when the class is over. */
  for (guint i = 0; options->exports != NULL && options->exports[i] != NULL; i++)
    if (!mr_server_export_check_path (options->exports[i], error))
      return FALSE;
  if (options->export_from != NULL && (options->exports == NULL || options->exports[0] == NULL))
    {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                   _("--export-from needs at least one --export FILE"));
      return FALSE;
    }
  if (options->export_conversation < 0)
    {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                   _("--export-conversation must be positive"));
      return FALSE;
    }

  return TRUE;
}

static gboolean
is_loopback (const char *address)
{
  g_autoptr(GInetAddress) inet = g_inet_address_new_from_string (address);

  return inet != NULL && g_inet_address_get_is_loopback (inet);
}

gboolean
mr_server_options_apply (MrServerOptions  *options,
                         MrEngine         *engine,
                         GError          **error)
{
  MrClock *clock = mr_engine_get_clock (engine);

  if (options->bind == NULL)
    options->bind = g_strdup (options->classroom ? "0.0.0.0" : "127.0.0.1");

  /* Safe by default: nothing but loopback unless the teacher says so. */
  if (!options->classroom && !is_loopback (options->bind))
    {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                   _("--bind %s is not a loopback address: add --classroom to serve the LAN"),
                   options->bind);
      return FALSE;
    }

  if (!_mr_server_options_apply_extensions (options, engine, error))
    return FALSE;

  {
    MrLimits limits = *mr_engine_get_limits (engine);

    if (options->max_message)
      limits.max_message = options->max_message;
    if (options->max_recipients)
      limits.max_recipients = options->max_recipients;
    if (options->max_literal)
      limits.max_literal = options->max_literal;
    if (options->max_bad_commands)
      limits.max_bad_commands = options->max_bad_commands;
    if (options->max_connections)
      limits.max_connections = options->max_connections;
    if (options->max_connections_per_address)
      limits.max_connections_per_address = options->max_connections_per_address;
    if (options->idle_timeout)
      limits.idle_timeout_seconds = options->idle_timeout;
    mr_engine_set_limits (engine, &limits);
  }

  if (options->event_history)
    mr_event_bus_set_capacity (mr_engine_get_bus (engine), options->event_history);

  if (options->exit_early)
    return TRUE;

  if (!mr_engine_load_scenario (engine, options->scenario, error))
    return FALSE;

  if (options->maildir != NULL && !mr_engine_use_maildir (engine, options->maildir, error))
    return FALSE;

  if (options->classroom && !mr_engine_enable_classroom (engine, error))
    return FALSE;

  if (options->clock != NULL)
    {
      if (g_str_equal (options->clock, "fast"))
        mr_clock_set_speed (clock, options->speed > 0 ? options->speed : DEFAULT_FAST_SPEED);
      else if (g_str_equal (options->clock, "step"))
        mr_clock_set_mode (clock, MR_CLOCK_STEP);
      else if (!g_str_equal (options->clock, "realtime"))
        {
          g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                       _("--clock %s: expected realtime, fast or step"), options->clock);
          return FALSE;
        }
    }
  if (options->speed > 0)
    mr_clock_set_speed (clock, options->speed);

  if (!mr_engine_setup_tls (engine, options->tls_dir, error))
    return FALSE;

  return _mr_server_options_apply_faults (options, engine, error);
}

gboolean
mr_server_options_listen (MrServerOptions  *options,
                          MrEngine         *engine,
                          FILE             *out,
                          GError          **error)
{
  for (guint i = 0; i < MR_N_SERVICES; i++)
    {
      g_autoptr(GError) local_error = NULL;
      guint16 port;

      if (options->ports[i] < 0)
        continue;

      if (!_mr_engine_has_protocol (engine, mr_service_get_protocol (i)))
        {
          g_printerr ("mailroom-server: %s is not available in this build\n", mr_service_to_string (i));
          continue;
        }

      port = mr_engine_listen (engine, i, options->bind, options->ports[i], &local_error);
      if (port == 0)
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "%s %s:%d: %s",
                       mr_service_to_string (i), options->bind, options->ports[i], local_error->message);
          return FALSE;
        }

      fprintf (out, "%s %s:%u\n", mr_service_to_string (i), options->bind, port);
    }

  _mr_server_options_print_extras (options, engine, out);
  return TRUE;
}
