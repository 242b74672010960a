/* mr-lesson-panel.h
 *
 * Copyright 2026 The Mailroom authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <adwaita.h>

#include "mr-app-types.h"
#include "mr-lesson.h"

G_BEGIN_DECLS

#define MR_TYPE_LESSON_PANEL (mr_lesson_panel_get_type ())

G_DECLARE_FINAL_TYPE (MrLessonPanel, mr_lesson_panel, MR, LESSON_PANEL, GtkWidget)

/*
 * The guided lessons: a catalogue with progress, then one lesson at a time
 * (the current step's instruction, hints, "Show me", predict-the-reply
 * choices, each step's explanation with its RFC section, the lesson's own
 * console) and a calm completion page.
 *
 * The lesson's MrLessonRunner lives on the engine thread: every call goes
 * there through mr_engine_invoke(), and the runner's signals come back to
 * the main context the panel was given its engine on. Its sessions are
 * ordinary lab sessions, so the map, ladder and transcript show them too.
 */
GtkWidget   *mr_lesson_panel_new               (void);
void         mr_lesson_panel_set_engine        (MrLessonPanel  *self,
                                                MrEngineThread *engine);
/* @path: the progress file; NULL (the default) for
 * $XDG_STATE_HOME/mailroom/lessons.ini. */
void         mr_lesson_panel_set_progress_path (MrLessonPanel  *self,
                                                const char     *path);
/* Reloads the lessons (built-in and the user's) into the catalogue. */
void         mr_lesson_panel_reload            (MrLessonPanel  *self);
/* Opens the lesson called @lesson_id (resuming at its saved step). */
gboolean     mr_lesson_panel_open_lesson       (MrLessonPanel  *self,
                                                const char     *lesson_id);
/* Closes the current lesson and shows the catalogue. */
void         mr_lesson_panel_show_catalog      (MrLessonPanel  *self);
/* As if @line was typed in the lesson's console and Enter pressed. */
void         mr_lesson_panel_send              (MrLessonPanel  *self,
                                                const char     *line);

/* For tests and the window: what is on screen. */
/* "catalog", "lesson" or "done" */
const char  *mr_lesson_panel_get_page          (MrLessonPanel  *self);
/* The lesson open, or NULL. (transfer none) */
MrLesson    *mr_lesson_panel_get_lesson        (MrLessonPanel  *self);
guint        mr_lesson_panel_get_step_index    (MrLessonPanel  *self);
gboolean     mr_lesson_panel_get_completed     (MrLessonPanel  *self);
/* Whether the runner has started (or failed to: see get_error). */
gboolean     mr_lesson_panel_get_ready         (MrLessonPanel  *self);
const char  *mr_lesson_panel_get_error         (MrLessonPanel  *self);
/* The hint shown, or NULL when none is. */
const char  *mr_lesson_panel_get_hint          (MrLessonPanel  *self);
/* The last step explanation shown, or NULL. */
const char  *mr_lesson_panel_get_explanation   (MrLessonPanel  *self);
/* The prediction verdict shown, or NULL. */
const char  *mr_lesson_panel_get_verdict       (MrLessonPanel  *self);
/* Everything the lesson's console shows. (transfer full) */
char        *mr_lesson_panel_dup_output        (MrLessonPanel  *self);
GtkEntry    *mr_lesson_panel_get_entry         (MrLessonPanel  *self);
GtkWidget   *mr_lesson_panel_get_catalog       (MrLessonPanel  *self);
/* The predict-the-reply choice button for @code, or NULL. */
GtkButton   *mr_lesson_panel_get_choice_button (MrLessonPanel  *self,
                                                const char     *code);
/* Number of messages from the engine thread still on their way. */
guint        mr_lesson_panel_get_pending       (MrLessonPanel  *self);

G_END_DECLS
