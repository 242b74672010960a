/* mr-lesson-progress.h
 *
 * Copyright 2026 The Mailroom authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

/*
 * Which step of each lesson the learner has reached, in a small key file
 * ($XDG_STATE_HOME/mailroom/lessons.ini by default) so it survives a restart:
 *
 *   [smtp-01-hello]
 *   step=3
 *   completed=false
 */

typedef struct _MrLessonProgress MrLessonProgress;

/* (transfer full) */
char             *mr_lesson_progress_dup_default_path (void);
/* Reads @path (NULL: the default path); a missing or broken file is an
 * empty progress. Never NULL. */
MrLessonProgress *mr_lesson_progress_new            (const char        *path);
void              mr_lesson_progress_free           (MrLessonProgress  *self);
const char       *mr_lesson_progress_get_path       (MrLessonProgress  *self);
/* The first step not yet done (0 when never started). */
guint             mr_lesson_progress_get_step       (MrLessonProgress  *self,
                                                     const char        *lesson_id);
/* Whether the lesson was finished once (kept when it is replayed). */
gboolean          mr_lesson_progress_get_completed  (MrLessonProgress  *self,
                                                     const char        *lesson_id);
/* Records and saves at once (atomically: g_file_set_contents). The file
 * is read again first, so what others saved meanwhile (the web API's
 * reset, another lesson) is kept; only @lesson_id changes. */
gboolean          mr_lesson_progress_set            (MrLessonProgress  *self,
                                                     const char        *lesson_id,
                                                     guint              step,
                                                     gboolean           completed,
                                                     GError           **error);
/* Forgets @lesson_id and saves (re-reading the file first, as _set). */
gboolean          mr_lesson_progress_reset          (MrLessonProgress  *self,
                                                     const char        *lesson_id,
                                                     GError           **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (MrLessonProgress, mr_lesson_progress_free)

G_END_DECLS
