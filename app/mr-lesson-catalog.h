/* mr-lesson-catalog.h
 *
 * Copyright 2026 The Mailroom authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <adwaita.h>

#include "mr-lesson.h"

G_BEGIN_DECLS

#define MR_TYPE_LESSON_CATALOG (mr_lesson_catalog_get_type ())

G_DECLARE_FINAL_TYPE (MrLessonCatalog, mr_lesson_catalog, MR, LESSON_CATALOG, GtkWidget)

/*
 * Every lesson as a row: title, one-line summary and how far the learner
 * got ("Done", "Step 3 of 7", "Not started"), read from the progress file.
 * Activating a row emits ::lesson-activated with the lesson's id.
 */
GtkWidget *mr_lesson_catalog_new          (void);
/* @lessons: (element-type MrLesson), sorted; the catalog keeps a reference. */
void       mr_lesson_catalog_set_lessons  (MrLessonCatalog *self,
                                           GPtrArray       *lessons);
/* (transfer none) (element-type MrLesson) (nullable) */
GPtrArray *mr_lesson_catalog_get_lessons  (MrLessonCatalog *self);
/* @path: the progress file, NULL for the default. Re-reads it. */
void       mr_lesson_catalog_set_progress_path (MrLessonCatalog *self,
                                           const char      *path);
/* Re-reads the progress file and updates every row. */
void       mr_lesson_catalog_refresh      (MrLessonCatalog *self);
/* The progress text shown for @lesson_id ("Done", "Step 2 of 7"...), or NULL. */
const char *mr_lesson_catalog_get_status  (MrLessonCatalog *self,
                                           const char      *lesson_id);
/* Adds "FILE:LINE: reason" lines for lesson files that did not load. */
void       mr_lesson_catalog_set_errors   (MrLessonCatalog *self,
                                           GPtrArray       *errors);

G_END_DECLS
