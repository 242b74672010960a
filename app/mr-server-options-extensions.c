/* mr-server-options-extensions.c
 *
 * Copyright 2026 The Mailroom authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "mailroom-server"

#include "config.h"

#include <glib/gi18n.h>
#include <ifaddrs.h>
#include <string.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include "mr-engine-private.h"
#include "mr-fault.h"
#include "mr-lesson-library.h"
#include "mr-server-options.h"
#include "mr-world.h"

gboolean
_mr_server_options_apply_extensions (MrServerOptions  *options,
                                     MrEngine         *engine,
                                     GError          **error)
{
  g_autoptr(MrLessonLibrary) lessons = NULL;

  if (options->list_faults)
    {
      mr_fault_catalog_print ();
      options->exit_early = TRUE;
    }

  /* /api/v1/lessons: the built-in and user lessons, and the progress the
   * app saved ($XDG_STATE_HOME/mailroom/lessons.ini). */
  lessons = mr_lesson_library_new (NULL);
  mr_engine_set_lesson_source (engine, MR_LESSON_SOURCE (lessons));

  return TRUE;
}

gboolean
_mr_server_options_apply_faults (MrServerOptions  *options,
                                 MrEngine         *engine,
                                 GError          **error)
{
  MrWorld *world = mr_engine_get_world (engine);

  for (guint i = 0; options->faults && options->faults[i]; i++)
    {
      g_autoptr(GError) local_error = NULL;

      if (!mr_world_add_fault (world, options->faults[i], &local_error))
        {
          g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                       "--fault %s: %s", options->faults[i], local_error->message);
          return FALSE;
        }
    }
  return TRUE;
}

void
_mr_server_options_print_extras (MrServerOptions *options,
                                 MrEngine        *engine,
                                 FILE            *out)
{
  const char *token = mr_engine_get_teacher_token (engine);
  guint16 http = mr_engine_get_port (engine, MR_SERVICE_HTTP);

  if (token != NULL)
    fprintf (out, "teacher-token %s\n", token);

  if (http == 0)
    return;

  /* The addresses to open the live view at: students on the LAN need the
   * machine's own address, not the 0.0.0.0 it listens on. */
  if (g_strcmp0 (options->bind, "0.0.0.0") == 0)
    {
      struct ifaddrs *addresses = NULL;

      fprintf (out, "url http://127.0.0.1:%u/\n", http);
      if (getifaddrs (&addresses) == 0)
        {
          for (struct ifaddrs *a = addresses; a != NULL; a = a->ifa_next)
            {
              g_autoptr(GInetAddress) inet = NULL;
              g_autofree char *text = NULL;

              if (a->ifa_addr == NULL || a->ifa_addr->sa_family != AF_INET)
                continue;
              inet = g_inet_address_new_from_bytes ((const guint8 *) &((struct sockaddr_in *) a->ifa_addr)->sin_addr,
                                                    G_SOCKET_FAMILY_IPV4);
              if (g_inet_address_get_is_loopback (inet))
                continue;
              text = g_inet_address_to_string (inet);
              fprintf (out, "url http://%s:%u/\n", text, http);
            }
          freeifaddrs (addresses);
        }
    }
  else if (strchr (options->bind, ':') != NULL)
    fprintf (out, "url http://[%s]:%u/\n", options->bind, http);
  else
    fprintf (out, "url http://%s:%u/\n", options->bind, http);
}
