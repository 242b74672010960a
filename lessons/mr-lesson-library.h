/* mr-lesson-library.h
 *
 * Copyright 2026 The Mailroom authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "mr-lesson-source.h"

G_BEGIN_DECLS

/*
 * The lessons and the learner's progress for the web API: an
 * MrLessonSource over mr_lesson_load_all() (loaded on the first request)
 * and the progress key file (MrLessonProgress), read again on every
 * request so the API shows what the lesson panel has just saved.
 * Single-threaded: use it on the engine's thread.
 */

#define MR_TYPE_LESSON_LIBRARY (mr_lesson_library_get_type ())

G_DECLARE_FINAL_TYPE (MrLessonLibrary, mr_lesson_library, MR, LESSON_LIBRARY, GObject)

/* @progress_path: the progress key file, NULL for the default
 * ($XDG_STATE_HOME/mailroom/lessons.ini). (transfer full) */
MrLessonLibrary *mr_lesson_library_new               (const char      *progress_path);
/* (nullable): NULL until set; the default path is looked up per request */
const char      *mr_lesson_library_get_progress_path (MrLessonLibrary *self);

G_END_DECLS
