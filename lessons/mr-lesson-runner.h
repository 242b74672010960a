/* mr-lesson-runner.h
 *
 * Copyright 2026 The Mailroom authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "mr-engine.h"
#include "mr-lesson.h"
#include "mr-lesson-progress.h"

G_BEGIN_DECLS

/*
 * Runs one lesson against an engine: sets up the world for each step, owns
 * the console's server sessions (sans-IO, fed the learner's lines), checks
 * the step's goal against the engine's events and store after every move,
 * gives hints, plays the reference move ("show me") and saves progress.
 * No GTK: the GUI follows the signals. Single-threaded: use it on the
 * engine's thread (mr_engine_invoke() from the GUI).
 *
 * Console lines starting with '/' are for the runner, not the server:
 *   /connect SERVICE [CLIENT]  open a new session (smtp, submission, pop3, imap...)
 *   /switch N                  talk to session N again (1 = the first)
 *   /drop                      cut the connection without a goodbye
 *   /advance DURATION          fast-forward the virtual clock ("30s", "5m", "2h")
 *   /predict CODE              predict the reply to the next command
 *   /answer TEXT               answer the step's question
 *   /dig NAME [MX|A]           ask the lab's DNS
 *   /http [-u USER:PASS] METHOD /PATH [JSON]   one request to the lab's web API
 *   /help
 */

#define MR_TYPE_LESSON_RUNNER (mr_lesson_runner_get_type ())

G_DECLARE_FINAL_TYPE (MrLessonRunner, mr_lesson_runner, MR, LESSON_RUNNER, GObject)

/* Creates the console's server sessions; the default calls
 * mr_engine_create_session(). Returns (transfer full) or NULL when the
 * service is not available. */
typedef MrSession *(*MrLessonSessionFunc) (MrEngine   *engine,
                                           MrService   service,
                                           const char *client,
                                           gpointer    user_data);

/* @progress_path: NULL for the default ($XDG_STATE_HOME/mailroom/lessons.ini) */
MrLessonRunner  *mr_lesson_runner_new            (MrEngine        *engine,
                                                  MrLesson        *lesson,
                                                  const char      *progress_path);
MrEngine        *mr_lesson_runner_get_engine     (MrLessonRunner  *self);
MrLesson        *mr_lesson_runner_get_lesson     (MrLessonRunner  *self);
MrLessonProgress *mr_lesson_runner_get_progress  (MrLessonRunner  *self);
void             mr_lesson_runner_set_session_func (MrLessonRunner *self,
                                                  MrLessonSessionFunc func,
                                                  gpointer         user_data,
                                                  GDestroyNotify   destroy);

/* What a lesson needs that @engine lacks ("smtp", "world"...), or NULL
 * when it can run. (transfer full) */
char            *mr_lesson_runner_dup_missing    (MrLessonRunner  *self);

/* Sets up the lesson, opens the console's session and resumes at the saved
 * step (replaying the reference moves of the steps before it, silently).
 * MR_LESSON_ERROR_UNAVAILABLE when the engine lacks what the lesson needs. */
gboolean         mr_lesson_runner_start          (MrLessonRunner  *self,
                                                  GError         **error);
/* Forgets the saved progress and starts again from step 1 (on a fresh
 * console session; the store keeps what earlier attempts delivered). */
gboolean         mr_lesson_runner_reset          (MrLessonRunner  *self,
                                                  GError         **error);

guint            mr_lesson_runner_get_step_index (MrLessonRunner  *self);
/* The current step, or NULL once the lesson is completed. */
MrLessonStep    *mr_lesson_runner_get_step       (MrLessonRunner  *self);
gboolean         mr_lesson_runner_get_completed  (MrLessonRunner  *self);
guint            mr_lesson_runner_get_misses     (MrLessonRunner  *self);
/* The console's current session (borrowed), or NULL. */
MrSession       *mr_lesson_runner_get_session    (MrLessonRunner  *self);

/* The learner typed @line (without CRLF) in the console. */
void             mr_lesson_runner_submit_line    (MrLessonRunner  *self,
                                                  const char      *line);
/* Predict-the-reply steps: the learner picks @code ("354", "+OK"...).
 * Before the command: remembered. After it (the reply is withheld): judged
 * at once, ::prediction is emitted and the reply released. */
void             mr_lesson_runner_predict        (MrLessonRunner  *self,
                                                  const char      *code);
gboolean         mr_lesson_runner_get_awaiting_prediction (MrLessonRunner *self);
/* Answer-goal steps. */
void             mr_lesson_runner_answer         (MrLessonRunner  *self,
                                                  const char      *text);
/* The best hint for now: the step's hint, or the stronger one after two
 * misses. Also emits ::hint. */
const char      *mr_lesson_runner_request_hint   (MrLessonRunner  *self);
/* The reference move of the current step (console lines), or NULL. */
const char * const *mr_lesson_runner_get_reference (MrLessonRunner *self);
/* "Show me": plays the reference move, line by line. */
void             mr_lesson_runner_show_me        (MrLessonRunner  *self);

G_END_DECLS
