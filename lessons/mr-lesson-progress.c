/* mr-lesson-progress.c
 *
 * Copyright 2026 The Mailroom authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "mr-lesson-progress"

#include "config.h"

#include <errno.h>
#include <glib/gstdio.h>

#include "mr-lesson-progress.h"

struct _MrLessonProgress
{
  char     *path;
  GKeyFile *keyfile;
};

char *
mr_lesson_progress_dup_default_path (void)
{
  return g_build_filename (g_get_user_state_dir (), "mailroom", "lessons.ini", NULL);
}

MrLessonProgress *
mr_lesson_progress_new (const char *path)
{
  MrLessonProgress *self = g_new0 (MrLessonProgress, 1);
  g_autoptr(GError) error = NULL;

  self->path = path ? g_strdup (path) : mr_lesson_progress_dup_default_path ();
  self->keyfile = g_key_file_new ();
  if (!g_key_file_load_from_file (self->keyfile, self->path, G_KEY_FILE_NONE, &error)
      && !g_error_matches (error, G_FILE_ERROR, G_FILE_ERROR_NOENT))
    g_warning ("Ignoring lesson progress in %s: %s", self->path, error->message);
  return self;
}

void
mr_lesson_progress_free (MrLessonProgress *self)
{
  if (self == NULL)
    return;
  g_free (self->path);
  g_key_file_free (self->keyfile);
  g_free (self);
}

const char *
mr_lesson_progress_get_path (MrLessonProgress *self)
{
  g_return_val_if_fail (self != NULL, NULL);
  return self->path;
}

guint
mr_lesson_progress_get_step (MrLessonProgress *self,
                             const char       *lesson_id)
{
  gint64 step;

  g_return_val_if_fail (self != NULL, 0);
  g_return_val_if_fail (lesson_id != NULL, 0);

  step = g_key_file_get_int64 (self->keyfile, lesson_id, "step", NULL);
  return CLAMP (step, 0, G_MAXUINT16);
}

gboolean
mr_lesson_progress_get_completed (MrLessonProgress *self,
                                  const char       *lesson_id)
{
  g_return_val_if_fail (self != NULL, FALSE);
  g_return_val_if_fail (lesson_id != NULL, FALSE);

  return g_key_file_get_boolean (self->keyfile, lesson_id, "completed", NULL);
}

static gboolean
save (MrLessonProgress  *self,
      GError           **error)
{
  g_autofree char *dir = g_path_get_dirname (self->path);

  if (g_mkdir_with_parents (dir, 0700) != 0)
    {
      int errsv = errno;
      g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (errsv),
                   "Cannot create %s: %s", dir, g_strerror (errsv));
      return FALSE;
    }
  return g_key_file_save_to_file (self->keyfile, self->path, error);
}

/* Others write the file too (the web API's reset, another runner): start
 * each save from what is on disk, so it changes only its own lesson. A file
 * that cannot be read keeps what we had. */
static void
reload (MrLessonProgress *self)
{
  g_autoptr(GKeyFile) keyfile = g_key_file_new ();
  g_autoptr(GError) error = NULL;

  if (!g_key_file_load_from_file (keyfile, self->path, G_KEY_FILE_NONE, &error)
      && !g_error_matches (error, G_FILE_ERROR, G_FILE_ERROR_NOENT))
    {
      g_debug ("Not reloading %s: %s", self->path, error->message);
      return;
    }
  g_key_file_free (self->keyfile);
  self->keyfile = g_steal_pointer (&keyfile);
}

gboolean
mr_lesson_progress_set (MrLessonProgress  *self,
                        const char        *lesson_id,
                        guint              step,
                        gboolean           completed,
                        GError           **error)
{
  g_return_val_if_fail (self != NULL, FALSE);
  g_return_val_if_fail (lesson_id != NULL, FALSE);

  reload (self);
  g_key_file_set_int64 (self->keyfile, lesson_id, "step", step);
  g_key_file_set_boolean (self->keyfile, lesson_id, "completed", completed);
  return save (self, error);
}

gboolean
mr_lesson_progress_reset (MrLessonProgress  *self,
                          const char        *lesson_id,
                          GError           **error)
{
  g_return_val_if_fail (self != NULL, FALSE);
  g_return_val_if_fail (lesson_id != NULL, FALSE);

  reload (self);
  g_key_file_remove_group (self->keyfile, lesson_id, NULL);
  return save (self, error);
}
