/* mr-server-options-extensions.c
 *
 * Copyright 2026 The Mailroom authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "mailroom-server"

#include "config.h"

#include <glib/gi18n.h>

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
  g_auto(GStrv) urls = mr_engine_dup_web_urls (engine);

  if (token != NULL)
    fprintf (out, "teacher-token %s\n", token);

  /* Where students open the live view: in classroom mode the machine's LAN
   * addresses, not the 0.0.0.0 it listens on. */
  for (guint i = 0; urls[i] != NULL; i++)
    fprintf (out, "url %s\n", urls[i]);
}
