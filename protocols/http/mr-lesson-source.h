/* mr-lesson-source.h
 *
 * Copyright 2026 The Mailroom authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>
#include <json-glib/json-glib.h>

#include "mr-types.h"

G_BEGIN_DECLS

/*
 * Where the web API finds the lessons and the learner's progress.
 *
 * The lessons live above protocols/ (lessons/ depends on the engine, not
 * the other way round), so the HTTP server only knows this interface; the
 * app and mailroom-server hand the engine an implementation
 * (MrLessonLibrary, lessons/mr-lesson-library.h) with
 * mr_engine_set_lesson_source(). Every call happens on the engine's thread.
 */

#define MR_TYPE_LESSON_SOURCE (mr_lesson_source_get_type ())

G_DECLARE_INTERFACE (MrLessonSource, mr_lesson_source, MR, LESSON_SOURCE, GObject)

struct _MrLessonSourceInterface
{
  GTypeInterface parent_iface;

  JsonNode *(*list)   (MrLessonSource  *self);
  JsonNode *(*lookup) (MrLessonSource  *self,
                       const char      *id);
  gboolean  (*reset)  (MrLessonSource  *self,
                       const char      *id,
                       GError         **error);
};

/* A JSON array of lesson summaries ({"id", "title", "summary", "rfc",
 * "steps", "step", "completed"}), sorted by id.
 * Returns: (transfer full) never NULL */
JsonNode *mr_lesson_source_list   (MrLessonSource  *self);
/* One lesson: the summary plus "intro" and "step_list", an array of
 * {"index", "id", "title", "instruction", "rfc", "done"}; NULL when no
 * lesson is called @id.
 * Returns: (transfer full) (nullable) */
JsonNode *mr_lesson_source_lookup (MrLessonSource  *self,
                                   const char      *id);
/* Forgets the learner's progress in lesson @id and saves it. FALSE with
 * G_IO_ERROR_NOT_FOUND for an unknown lesson, or the error saving. */
gboolean  mr_lesson_source_reset  (MrLessonSource  *self,
                                   const char      *id,
                                   GError         **error);

G_END_DECLS
