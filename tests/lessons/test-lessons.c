/* test-lessons.c
 *
 * Copyright 2026 The Mailroom authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "test-lessons"

#include "config.h"

#include <glib/gstdio.h>

#include "mailroom.h"
#include "mr-lesson.h"
#include "mr-lesson-runner.h"

/*
 * Every shipped lesson: valid, listed in the resources, its reference
 * solution completes every step on a fresh engine, and its anticipated
 * wrong moves get their hints. A lesson whose protocol the engine does not
 * serve yet is skipped, with the reason.
 */

/* The console's sessions come from the engine, as in the app; the hook is
 * here so a test can swap them. */
static MrSession *
session_func (MrEngine   *engine,
              MrService   service,
              const char *client,
              gpointer    user_data)
{
  return mr_engine_create_session (engine, service, client);
}

typedef struct
{
  GPtrArray *hints;        /* (element-type utf8) */
  GPtrArray *stronger;
  guint      n_predictions;
  guint      n_right;
  char      *last_actual;
  guint      n_completed_steps;
  gboolean   completed;
  GString   *output;
} Recorder;

static void
on_hint (MrLessonRunner *runner,
         const char     *text,
         gboolean        stronger,
         Recorder       *rec)
{
  g_ptr_array_add (stronger ? rec->stronger : rec->hints, g_strdup (text));
}

static void
on_prediction (MrLessonRunner *runner,
               gboolean        correct,
               const char     *predicted,
               const char     *actual,
               const char     *explanation,
               Recorder       *rec)
{
  rec->n_predictions++;
  rec->n_right += correct;
  g_free (rec->last_actual);
  rec->last_actual = g_strdup (actual);
}

static void
on_step_completed (MrLessonRunner *runner,
                   guint           index,
                   const char     *explanation,
                   Recorder       *rec)
{
  g_assert_nonnull (explanation);
  rec->n_completed_steps++;
}

static void
on_completed (MrLessonRunner *runner,
              Recorder       *rec)
{
  rec->completed = TRUE;
}

static void
on_output (MrLessonRunner *runner,
           const char     *text,
           Recorder       *rec)
{
  g_string_append (rec->output, text);
}

static void
recorder_init (Recorder       *rec,
               MrLessonRunner *runner)
{
  memset (rec, 0, sizeof *rec);
  rec->hints = g_ptr_array_new_with_free_func (g_free);
  rec->stronger = g_ptr_array_new_with_free_func (g_free);
  rec->output = g_string_new (NULL);
  g_signal_connect (runner, "hint", G_CALLBACK (on_hint), rec);
  g_signal_connect (runner, "prediction", G_CALLBACK (on_prediction), rec);
  g_signal_connect (runner, "step-completed", G_CALLBACK (on_step_completed), rec);
  g_signal_connect (runner, "completed", G_CALLBACK (on_completed), rec);
  g_signal_connect (runner, "output", G_CALLBACK (on_output), rec);
}

static void
recorder_clear (Recorder *rec)
{
  g_ptr_array_unref (rec->hints);
  g_ptr_array_unref (rec->stronger);
  g_free (rec->last_actual);
  g_string_free (rec->output, TRUE);
}

static char *
temp_progress_path (void)
{
  g_autofree char *dir = g_dir_make_tmp ("mr-lessons-XXXXXX", NULL);
  g_assert_nonnull (dir);
  return g_build_filename (dir, "progress.ini", NULL);
}

static MrLessonRunner *
new_runner (MrEngine   *engine,
            MrLesson   *lesson,
            const char *progress)
{
  MrLessonRunner *runner = mr_lesson_runner_new (engine, lesson, progress);

  mr_lesson_runner_set_session_func (runner, session_func, NULL, NULL);
  return runner;
}

/* Starts @lesson on a fresh engine, or skips the test and returns NULL. */
static MrLessonRunner *
start_or_skip (MrEngine   *engine,
               MrLesson   *lesson,
               const char *progress)
{
  g_autoptr(MrLessonRunner) runner = new_runner (engine, lesson, progress);
  g_autofree char *missing = mr_lesson_runner_dup_missing (runner);
  g_autoptr(GError) error = NULL;

  if (missing != NULL)
    {
      g_autofree char *reason = g_strdup_printf ("%s needs what this engine does not serve yet: %s",
                                                 lesson->id, missing);
      g_test_skip (reason);
      return NULL;
    }
  g_assert_true (mr_lesson_runner_start (runner, &error));
  g_assert_no_error (error);
  return g_steal_pointer (&runner);
}

static MrEngine *
new_engine (void)
{
  MrEngine *engine = mr_engine_new ();
  g_autoptr(GError) error = NULL;

  g_assert_true (mr_engine_load_scenario (engine, NULL, &error));
  g_assert_no_error (error);
  return engine;
}

/* Content */

static GPtrArray *builtin;

static void
test_content_valid (void)
{
  g_autoptr(GPtrArray) errors = NULL;
  g_autoptr(GPtrArray) lessons = mr_lesson_load_builtin (&errors);

  for (guint i = 0; i < errors->len; i++)
    g_test_message ("%s", (char *) g_ptr_array_index (errors, i));
  g_assert_cmpuint (errors->len, ==, 0);
  g_assert_cmpuint (lessons->len, >=, 1);

  for (guint i = 0; i < lessons->len; i++)
    {
      MrLesson *lesson = g_ptr_array_index (lessons, i);
      guint examples = 0;

      g_assert_nonnull (lesson->title);
      g_assert_cmpuint (g_strv_length (lesson->rfc), >, 0);
      for (guint s = 0; s < lesson->steps->len; s++)
        {
          MrLessonStep *step = g_ptr_array_index (lesson->steps, s);

          g_assert_cmpstr (step->rfc, !=, NULL);
          g_assert_true (g_str_has_prefix (step->rfc, "RFC "));
          g_assert_cmpuint (g_strv_length (step->solution), >, 0);
          for (guint h = 0; h < step->hints->len; h++)
            if (((MrLessonHint *) g_ptr_array_index (step->hints, h))->example != NULL)
              examples++;
        }
      /* every lesson anticipates at least one wrong move, tested below */
      if (examples == 0)
        g_test_message ("%s has no hint with an example", lesson->id);
      g_assert_cmpuint (examples, >, 0);
    }
}

/* Every file in content/ is in the resource bundle, and the other way. */
static void
test_content_all_listed (void)
{
  g_autoptr(GDir) dir = g_dir_open (LESSONS_CONTENT_DIR, 0, NULL);
  const char *name;
  guint n_files = 0;

  g_assert_nonnull (dir);
  while ((name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *path = NULL;
      g_autoptr(GBytes) bytes = NULL;
      g_autoptr(GError) error = NULL;

      if (!g_str_has_suffix (name, ".lesson"))
        continue;
      n_files++;
      path = g_strconcat ("/io/github/mailroomlab/Mailroom/lessons/", name, NULL);
      bytes = g_resources_lookup_data (path, 0, &error);
      if (bytes == NULL)
        g_test_message ("%s is not listed in lessons.gresource.xml", name);
      g_assert_no_error (error);
    }
  g_assert_cmpuint (n_files, ==, builtin->len);
}

/* Replays */

static void
test_replay (gconstpointer data)
{
  MrLesson *lesson = (MrLesson *) data;
  g_autoptr(MrEngine) engine = new_engine ();
  g_autofree char *progress = temp_progress_path ();
  g_autoptr(MrLessonRunner) runner = start_or_skip (engine, lesson, progress);
  guint n_predict = 0;
  Recorder rec;

  if (runner == NULL)
    return;
  recorder_init (&rec, runner);

  for (guint s = 0; s < lesson->steps->len; s++)
    {
      MrLessonStep *step = g_ptr_array_index (lesson->steps, s);

      if (mr_lesson_runner_get_step_index (runner) != s)
        g_test_message ("%s: step %s was done before its reference move", lesson->id, step->id);
      g_assert_cmpuint (mr_lesson_runner_get_step_index (runner), ==, s);
      mr_lesson_runner_show_me (runner);
      if (mr_lesson_runner_get_step_index (runner) == s)
        {
          g_autoptr(GPtrArray) events = mr_event_bus_dup_since (mr_engine_get_bus (engine), 0, 0);

          g_test_message ("%s: step %s (line %u) did not complete; console:\n%s",
                          lesson->id, step->id, step->line, rec.output->str);
          for (guint e = 0; e < events->len; e++)
            {
              MrEvent *event = g_ptr_array_index (events, e);
              g_test_message ("event %" G_GUINT64_FORMAT " conv %" G_GUINT64_FORMAT " %s %s: %s",
                              event->seq, event->conversation_id, mr_event_kind_to_string (event->kind),
                              event->server ? event->server : "-", event->text ? event->text : "");
            }
        }
      g_assert_cmpuint (mr_lesson_runner_get_step_index (runner), >, s);
      g_assert_cmpuint (rec.hints->len, ==, 0);
      if (step->predict != NULL)
        {
          n_predict++;
          g_assert_cmpuint (rec.n_predictions, ==, n_predict);
          /* the lesson's answer is what the server really says */
          g_assert_cmpstr (rec.last_actual, ==, step->predict->answer);
          g_assert_cmpuint (rec.n_right, ==, n_predict);
        }
    }

  /* MR_LESSONS_SHOW_CONSOLE=1: the whole console of the replay */
  if (g_getenv ("MR_LESSONS_SHOW_CONSOLE") != NULL)
    g_test_message ("%s console:\n%s", lesson->id, rec.output->str);
  g_assert_true (rec.completed);
  g_assert_true (mr_lesson_runner_get_completed (runner));
  g_assert_cmpuint (rec.n_completed_steps, ==, lesson->steps->len);
  recorder_clear (&rec);
}

static void
test_wrong_moves (gconstpointer data)
{
  MrLesson *lesson = (MrLesson *) data;
  guint tried = 0;

  for (guint s = 0; s < lesson->steps->len; s++)
    {
      MrLessonStep *step = g_ptr_array_index (lesson->steps, s);

      for (guint h = 0; h < step->hints->len; h++)
        {
          MrLessonHint *hint = g_ptr_array_index (step->hints, h);
          g_autoptr(MrEngine) engine = NULL;
          g_autofree char *progress = NULL;
          g_autoptr(MrLessonRunner) runner = NULL;
          Recorder rec;

          if (hint->example == NULL)
            continue;

          engine = new_engine ();
          progress = temp_progress_path ();
          runner = start_or_skip (engine, lesson, progress);
          if (runner == NULL)
            return;
          for (guint before = 0; before < s; before++)
            mr_lesson_runner_show_me (runner);
          g_assert_cmpuint (mr_lesson_runner_get_step_index (runner), ==, s);

          recorder_init (&rec, runner);
          if (step->goal->type == MR_LESSON_GOAL_ANSWER)
            mr_lesson_runner_answer (runner, hint->example);
          else
            mr_lesson_runner_submit_line (runner, hint->example);
          /* a withheld reply is released by any prediction */
          if (mr_lesson_runner_get_awaiting_prediction (runner))
            mr_lesson_runner_predict (runner, step->predict->answer);

          if (rec.hints->len == 0)
            g_test_message ("%s step %s: \"%s\" gave no hint; console:\n%s",
                            lesson->id, step->id, hint->example, rec.output->str);
          g_assert_cmpuint (rec.hints->len, >=, 1);
          g_assert_cmpstr (g_ptr_array_index (rec.hints, 0), ==, hint->text);
          /* a wrong move never completes the step */
          g_assert_cmpuint (mr_lesson_runner_get_step_index (runner), ==, s);
          tried++;
          recorder_clear (&rec);
        }
    }
  g_assert_cmpuint (tried, >, 0);
}

/* A small lesson of answers only: needs no protocol beyond a console
 * session, so it runs with whatever service the engine serves first. */
#define QUIZ_TEMPLATE \
  "{\n" \
  "  \"format\": 1, \"id\": \"quiz\", \"title\": \"Quiz\", \"summary\": \"s\",\n" \
  "  \"rfc\": [ \"RFC 5321 4.2\" ], \"service\": \"%s\",\n" \
  "  \"intro\": \"i\", \"conclusion\": \"c\",\n" \
  "  \"steps\": [\n" \
  "    { \"id\": \"one\", \"instruction\": \"i\", \"hint\": \"h1\", \"stronger-hint\": \"strong1\",\n" \
  "      \"explanation\": \"e1\", \"rfc\": \"RFC 5321 4.2.1\", \"solution\": \"/answer 4\",\n" \
  "      \"goal\": { \"type\": \"answer\", \"accept\": \"^4$\" },\n" \
  "      \"hints\": [ { \"match\": \"^5$\", \"example\": \"5\", \"hint\": \"five is permanent\" } ] },\n" \
  "    { \"id\": \"two\", \"instruction\": \"i\", \"hint\": \"h2\", \"stronger-hint\": \"strong2\",\n" \
  "      \"explanation\": \"e2\", \"rfc\": \"RFC 5321 4.2.1\", \"solution\": \"/answer 2\",\n" \
  "      \"goal\": { \"type\": \"answer\", \"accept\": \"^2$\" } },\n" \
  "    { \"id\": \"three\", \"instruction\": \"i\", \"hint\": \"h3\", \"stronger-hint\": \"strong3\",\n" \
  "      \"explanation\": \"e3\", \"rfc\": \"RFC 5321 4.2.1\", \"solution\": \"/answer 3\",\n" \
  "      \"goal\": { \"type\": \"answer\", \"accept\": \"^3$\" } }\n" \
  "  ]\n" \
  "}\n"

static MrLesson *
quiz_lesson (MrEngine *engine)
{
  static const MrService services[] = { MR_SERVICE_POP3, MR_SERVICE_SMTP, MR_SERVICE_IMAP };
  g_autoptr(GError) error = NULL;

  for (guint i = 0; i < G_N_ELEMENTS (services); i++)
    {
      g_autoptr(MrSession) probe = session_func (engine, services[i], "probe", NULL);
      g_autofree char *data = NULL;
      MrLesson *lesson;

      if (probe == NULL)
        continue;
      data = g_strdup_printf (QUIZ_TEMPLATE, mr_service_to_string (services[i]));
      lesson = mr_lesson_new_from_data (data, -1, "quiz.lesson", &error);
      g_assert_no_error (error);
      return lesson;
    }
  g_test_skip ("the engine serves no protocol yet");
  return NULL;
}

static void
test_progress_restore (void)
{
  g_autoptr(MrEngine) engine = new_engine ();
  g_autoptr(MrLesson) lesson = quiz_lesson (engine);
  g_autofree char *progress = temp_progress_path ();
  g_autoptr(GError) error = NULL;

  if (lesson == NULL)
    return;

  {
    g_autoptr(MrLessonRunner) runner = new_runner (engine, lesson, progress);

    g_assert_true (mr_lesson_runner_start (runner, &error));
    g_assert_no_error (error);
    g_assert_cmpuint (mr_lesson_runner_get_step_index (runner), ==, 0);
    mr_lesson_runner_submit_line (runner, "/answer 4");
    mr_lesson_runner_submit_line (runner, "/answer 2");
    g_assert_cmpuint (mr_lesson_runner_get_step_index (runner), ==, 2);
  }

  /* "restart the app": a new engine and runner read the saved step */
  {
    g_autoptr(MrEngine) engine2 = new_engine ();
    g_autoptr(MrLessonRunner) runner = new_runner (engine2, lesson, progress);
    g_autoptr(MrLessonProgress) saved = mr_lesson_progress_new (progress);

    g_assert_cmpuint (mr_lesson_progress_get_step (saved, "quiz"), ==, 2);
    g_assert_false (mr_lesson_progress_get_completed (saved, "quiz"));

    g_assert_true (mr_lesson_runner_start (runner, &error));
    g_assert_no_error (error);
    g_assert_cmpuint (mr_lesson_runner_get_step_index (runner), ==, 2);
    g_assert_cmpstr (mr_lesson_runner_get_step (runner)->id, ==, "three");

    mr_lesson_runner_submit_line (runner, "/answer 3");
    g_assert_true (mr_lesson_runner_get_completed (runner));
    g_clear_pointer (&saved, mr_lesson_progress_free);
    saved = mr_lesson_progress_new (progress);
    g_assert_true (mr_lesson_progress_get_completed (saved, "quiz"));

    /* reset forgets it */
    g_assert_true (mr_lesson_runner_reset (runner, &error));
    g_assert_no_error (error);
    g_assert_cmpuint (mr_lesson_runner_get_step_index (runner), ==, 0);
    g_assert_false (mr_lesson_runner_get_completed (runner));
    g_clear_pointer (&saved, mr_lesson_progress_free);
    saved = mr_lesson_progress_new (progress);
    g_assert_cmpuint (mr_lesson_progress_get_step (saved, "quiz"), ==, 0);
    g_assert_false (mr_lesson_progress_get_completed (saved, "quiz"));
  }
}

static void
test_hints (void)
{
  g_autoptr(MrEngine) engine = new_engine ();
  g_autoptr(MrLesson) lesson = quiz_lesson (engine);
  g_autofree char *progress = temp_progress_path ();
  g_autoptr(MrLessonRunner) runner = NULL;
  g_autoptr(GError) error = NULL;
  Recorder rec;

  if (lesson == NULL)
    return;
  runner = new_runner (engine, lesson, progress);
  recorder_init (&rec, runner);
  g_assert_true (mr_lesson_runner_start (runner, &error));

  g_assert_cmpstr (mr_lesson_runner_request_hint (runner), ==, "h1");
  g_assert_cmpuint (rec.hints->len, ==, 1);

  /* anticipated wrong move: its targeted hint */
  mr_lesson_runner_submit_line (runner, "/answer 5");
  g_assert_cmpuint (rec.hints->len, ==, 2);
  g_assert_cmpstr (g_ptr_array_index (rec.hints, 1), ==, "five is permanent");
  g_assert_cmpuint (rec.stronger->len, ==, 0);

  /* second miss: the stronger hint, once */
  mr_lesson_runner_submit_line (runner, "/answer 9");
  g_assert_cmpuint (mr_lesson_runner_get_misses (runner), ==, 2);
  g_assert_cmpuint (rec.stronger->len, ==, 1);
  g_assert_cmpstr (g_ptr_array_index (rec.stronger, 0), ==, "strong1");
  mr_lesson_runner_submit_line (runner, "/answer 8");
  g_assert_cmpuint (rec.stronger->len, ==, 1);
  g_assert_cmpstr (mr_lesson_runner_request_hint (runner), ==, "strong1");

  /* show me plays the reference move */
  g_assert_cmpstr (mr_lesson_runner_get_reference (runner)[0], ==, "/answer 4");
  mr_lesson_runner_show_me (runner);
  g_assert_cmpuint (mr_lesson_runner_get_step_index (runner), ==, 1);
  g_assert_cmpuint (mr_lesson_runner_get_misses (runner), ==, 0);
  g_assert_cmpstr (mr_lesson_runner_request_hint (runner), ==, "h2");

  recorder_clear (&rec);
}

static MrLesson *
builtin_lesson (const char *id)
{
  for (guint i = 0; i < builtin->len; i++)
    if (g_str_equal (((MrLesson *) g_ptr_array_index (builtin, i))->id, id))
      return g_ptr_array_index (builtin, i);
  g_assert_not_reached ();
  return NULL;
}

static guint
step_index_of (MrLesson   *lesson,
               const char *id)
{
  for (guint i = 0; i < lesson->steps->len; i++)
    if (g_str_equal (((MrLessonStep *) g_ptr_array_index (lesson->steps, i))->id, id))
      return i;
  g_assert_not_reached ();
  return 0;
}

static guint n_requested;

static void
on_predict_requested (MrLessonRunner *runner,
                      GStrv           choices,
                      gpointer        user_data)
{
  g_assert_true (g_strv_contains ((const char * const *) choices, "354"));
  n_requested++;
}

/* The reply to DATA is withheld until the learner predicts; a wrong
 * prediction is judged against what the server really said. */
static void
test_predict_withheld (void)
{
  MrLesson *lesson = builtin_lesson ("smtp-01-hello");
  g_autoptr(MrEngine) engine = new_engine ();
  g_autofree char *progress = temp_progress_path ();
  g_autoptr(MrLessonRunner) runner = start_or_skip (engine, lesson, progress);
  guint data_step = step_index_of (lesson, "data");
  Recorder rec;

  if (runner == NULL)
    return;
  for (guint i = 0; i < data_step; i++)
    mr_lesson_runner_show_me (runner);
  g_assert_cmpuint (mr_lesson_runner_get_step_index (runner), ==, data_step);

  recorder_init (&rec, runner);
  n_requested = 0;
  g_signal_connect (runner, "predict-requested", G_CALLBACK (on_predict_requested), NULL);
  mr_lesson_runner_submit_line (runner, "DATA");
  g_assert_cmpuint (n_requested, ==, 1);
  g_assert_true (mr_lesson_runner_get_awaiting_prediction (runner));
  g_assert_null (strstr (rec.output->str, "354"));
  /* the goal holds on the bus, but the step waits for the prediction */
  g_assert_cmpuint (mr_lesson_runner_get_step_index (runner), ==, data_step);
  /* nothing else goes to the server until the prediction */
  mr_lesson_runner_submit_line (runner, "NOOP");
  g_assert_null (strstr (rec.output->str, "250"));

  mr_lesson_runner_predict (runner, "345");
  g_assert_cmpuint (rec.n_predictions, ==, 1);
  g_assert_cmpuint (rec.n_right, ==, 0);
  g_assert_cmpstr (rec.last_actual, ==, "354");
  g_assert_nonnull (strstr (rec.output->str, "354 "));
  g_assert_false (mr_lesson_runner_get_awaiting_prediction (runner));
  g_assert_cmpuint (mr_lesson_runner_get_step_index (runner), ==, data_step + 1);
  recorder_clear (&rec);
}

/* After a restart, a lesson resumes at the saved step with the world as the
 * earlier steps left it: the next reference move works. */
static void
test_resume_replays (void)
{
  MrLesson *lesson = builtin_lesson ("smtp-01-hello");
  g_autofree char *progress = temp_progress_path ();
  guint rcpt_step = step_index_of (lesson, "rcpt");

  {
    g_autoptr(MrEngine) engine = new_engine ();
    g_autoptr(MrLessonRunner) runner = start_or_skip (engine, lesson, progress);

    if (runner == NULL)
      return;
    for (guint i = 0; i < rcpt_step; i++)
      mr_lesson_runner_show_me (runner);
    g_assert_cmpuint (mr_lesson_runner_get_step_index (runner), ==, rcpt_step);
  }

  {
    g_autoptr(MrEngine) engine = new_engine ();
    g_autoptr(MrLessonRunner) runner = start_or_skip (engine, lesson, progress);
    Recorder rec;

    g_assert_nonnull (runner);
    g_assert_cmpuint (mr_lesson_runner_get_step_index (runner), ==, rcpt_step);
    recorder_init (&rec, runner);
    /* MAIL FROM was replayed: RCPT is accepted, not 503 */
    mr_lesson_runner_submit_line (runner, "RCPT TO:<bob@recipient.example>");
    g_assert_nonnull (strstr (rec.output->str, "250 2.1.5"));
    g_assert_cmpuint (mr_lesson_runner_get_step_index (runner), ==, rcpt_step + 1);
    recorder_clear (&rec);
  }
}

/* The validator: broken files are reported with file, line and reason. */
typedef struct
{
  const char *name;
  const char *data;
  const char *message;  /* expected g_error message */
} BrokenCase;

#define STEP_OK \
  "{ \"instruction\": \"i\", \"hint\": \"h\", \"stronger-hint\": \"s\", \"explanation\": \"e\",\n" \
  "  \"rfc\": \"RFC 5321 4.2\", \"solution\": \"QUIT\",\n" \
  "  \"goal\": { \"type\": \"reply\", \"code\": 221 } }"
#define HEAD \
  "{\n  \"format\": 1, \"id\": \"x\", \"title\": \"t\", \"summary\": \"s\",\n" \
  "  \"rfc\": [ \"RFC 5321\" ], \"intro\": \"i\", \"conclusion\": \"c\",\n"

static const BrokenCase broken_cases[] = {
  { "not-json", "{ \"format\": 1,\n  \"id\": }\n", "broken.lesson:2:" },
  { "not-object", "[ 1, 2 ]", "broken.lesson:1: a lesson file holds one JSON object" },
  { "no-format", "{\n  \"id\": \"x\"\n}", "broken.lesson:1: missing \"format\" (1)" },
  { "bad-format", "{\n  \"format\": 7\n}", "broken.lesson:2: unsupported format 7" },
  { "unknown-member", HEAD "  \"titel\": \"typo\",\n  \"steps\": [ " STEP_OK " ]\n}",
    "broken.lesson:4: unknown member \"titel\" in the lesson" },
  { "no-steps", HEAD "  \"steps\": [ ]\n}", "broken.lesson:4: a lesson needs at least one step" },
  { "missing-title", "{\n  \"format\": 1, \"id\": \"x\", \"summary\": \"s\",\n  \"rfc\": [ \"RFC 5321\" ], \"intro\": \"i\",\n"
    "  \"conclusion\": \"c\", \"steps\": [ " STEP_OK " ]\n}", "broken.lesson:1: missing \"title\"" },
  { "bad-code", HEAD "  \"steps\": [\n    { \"instruction\": \"i\", \"hint\": \"h\", \"stronger-hint\": \"s\",\n"
    "      \"explanation\": \"e\", \"rfc\": \"RFC 5321\", \"solution\": \"DATA\",\n"
    "      \"goal\": { \"type\": \"reply\",\n                \"code\": 345 } } ]\n}",
    "broken.lesson:8: \"code\" 345 is not an SMTP reply code" },
  { "class-mismatch", HEAD "  \"steps\": [\n    { \"instruction\": \"i\", \"hint\": \"h\", \"stronger-hint\": \"s\",\n"
    "      \"explanation\": \"e\", \"rfc\": \"RFC 5321\", \"solution\": \"RCPT TO:<x@y>\",\n"
    "      \"goal\": { \"type\": \"reply\", \"code\": 550,\n \"enhanced\": \"4.1.1\" } } ]\n}",
    "broken.lesson:8: \"enhanced\" 4.1.1 and \"code\" 550 disagree on the class" },
  { "bad-regex", HEAD "  \"steps\": [\n    { \"instruction\": \"i\", \"hint\": \"h\", \"stronger-hint\": \"s\",\n"
    "      \"explanation\": \"e\", \"rfc\": \"RFC 5321\", \"solution\": \"QUIT\",\n"
    "      \"goal\": { \"type\": \"command\", \"verb\": \"QUIT\", \"args\": \"([\" } } ]\n}",
    "broken.lesson:7: \"args\" is not a valid regular expression" },
  { "unknown-goal", HEAD "  \"steps\": [\n    { \"instruction\": \"i\", \"hint\": \"h\", \"stronger-hint\": \"s\",\n"
    "      \"explanation\": \"e\", \"rfc\": \"RFC 5321\", \"solution\": \"QUIT\",\n"
    "      \"goal\": { \"type\": \"telepathy\" } } ]\n}",
    "broken.lesson:7: unknown goal type \"telepathy\"" },
  { "missing-solution", HEAD "  \"steps\": [\n    { \"instruction\": \"i\", \"hint\": \"h\", \"stronger-hint\": \"s\",\n"
    "      \"explanation\": \"e\", \"rfc\": \"RFC 5321\",\n"
    "      \"goal\": { \"type\": \"closed\" } } ]\n}",
    "broken.lesson:5: missing \"solution\"" },
  { "predict-answer", HEAD "  \"steps\": [\n    { \"instruction\": \"i\", \"hint\": \"h\", \"stronger-hint\": \"s\",\n"
    "      \"explanation\": \"e\", \"rfc\": \"RFC 5321\", \"solution\": \"DATA\",\n"
    "      \"predict\": { \"verb\": \"DATA\", \"choices\": [ \"250\", \"354\" ],\n"
    "                   \"answer\": \"345\", \"explanation\": \"x\" },\n"
    "      \"goal\": { \"type\": \"reply\", \"code\": 354 } } ]\n}",
    "broken.lesson:8: the answer \"345\" is not one of the choices" },
  { "hint-example", HEAD "  \"steps\": [\n    { \"instruction\": \"i\", \"hint\": \"h\", \"stronger-hint\": \"s\",\n"
    "      \"explanation\": \"e\", \"rfc\": \"RFC 5321\", \"solution\": \"QUIT\",\n"
    "      \"goal\": { \"type\": \"reply\", \"code\": 221 },\n"
    "      \"hints\": [ { \"match\": \"^BYE\",\n                   \"example\": \"EXIT\", \"hint\": \"x\" } ] } ]\n}",
    "broken.lesson:9: the example \"EXIT\" does not match" },
  { "bad-service", HEAD "  \"service\": \"gopher\",\n  \"steps\": [ " STEP_OK " ]\n}",
    "broken.lesson:4: unknown service \"gopher\"" },
  { "bad-address", HEAD "  \"steps\": [\n    { \"instruction\": \"i\", \"hint\": \"h\", \"stronger-hint\": \"s\",\n"
    "      \"explanation\": \"e\", \"rfc\": \"RFC 5321\", \"solution\": \"QUIT\",\n"
    "      \"goal\": { \"type\": \"message\",\n                \"account\": \"bob\" } } ]\n}",
    "broken.lesson:8: \"account\" must be a mail address" },
  { "duplicate-step", HEAD "  \"steps\": [\n    { \"id\": \"a\", \"instruction\": \"i\", \"hint\": \"h\", \"stronger-hint\": \"s\",\n"
    "      \"explanation\": \"e\", \"rfc\": \"RFC 5321\", \"solution\": \"QUIT\",\n"
    "      \"goal\": { \"type\": \"closed\" } },\n"
    "    { \"id\": \"a\", \"instruction\": \"i\", \"hint\": \"h\", \"stronger-hint\": \"s\",\n"
    "      \"explanation\": \"e\", \"rfc\": \"RFC 5321\", \"solution\": \"QUIT\",\n"
    "      \"goal\": { \"type\": \"closed\" } } ]\n}",
    "broken.lesson:8: two steps are called \"a\"" },
  { "wrong-type", HEAD "  \"steps\": [ " STEP_OK " ],\n  \"requires\": 5\n}",
    "broken.lesson:7: \"requires\" must be an array of strings" },
};

/* A goal met by something off the console (the relay, another client)
 * completes the step once the engine's loop is idle. */
static void
test_bus_events (void)
{
  g_autoptr(MrEngine) engine = new_engine ();
  g_autofree char *progress = temp_progress_path ();
  g_autoptr(MrLessonRunner) runner = NULL;
  g_autoptr(MrLesson) lesson = NULL;
  g_autoptr(MrEvent) event = NULL;
  g_autoptr(GError) error = NULL;

  lesson = mr_lesson_new_from_data (HEAD "  \"service\": \"pop3\",\n  \"steps\": [\n"
    "    { \"instruction\": \"i\", \"hint\": \"h\", \"stronger-hint\": \"s\", \"explanation\": \"e\",\n"
    "      \"rfc\": \"RFC 5321\", \"solution\": \"/advance 1s\",\n"
    "      \"goal\": { \"type\": \"event\", \"text\": \"^delivered elsewhere$\" } } ]\n}",
    -1, "bus.lesson", &error);
  g_assert_no_error (error);
  runner = new_runner (engine, lesson, progress);
  g_assert_true (mr_lesson_runner_start (runner, &error));
  g_assert_no_error (error);

  event = mr_event_new (MR_EVENT_NOTE, MR_DIRECTION_NONE, "delivered elsewhere");
  mr_event_bus_emit (mr_engine_get_bus (engine), event);
  g_assert_false (mr_lesson_runner_get_completed (runner));
  while (g_main_context_iteration (NULL, FALSE))
    ;
  g_assert_true (mr_lesson_runner_get_completed (runner));
}

/* /connect smtps: TLS from the first byte, then the greeting. */
static void
test_implicit_tls (void)
{
  MrLesson *lesson = builtin_lesson ("smtp-01-hello");
  g_autoptr(MrEngine) engine = new_engine ();
  g_autofree char *progress = temp_progress_path ();
  g_autoptr(MrLessonRunner) runner = start_or_skip (engine, lesson, progress);
  Recorder rec;

  if (runner == NULL)
    return;
  recorder_init (&rec, runner);
  mr_lesson_runner_submit_line (runner, "/connect smtps alice-laptop");
  g_assert_nonnull (strstr (rec.output->str, "220 smtp.sender.example"));
  g_assert_true (mr_session_get_encrypted (mr_lesson_runner_get_session (runner)));
  mr_lesson_runner_submit_line (runner, "EHLO alice-laptop");
  /* RFC 3207 4.2: no STARTTLS inside TLS */
  g_assert_null (strstr (rec.output->str, "STARTTLS"));
  g_assert_nonnull (strstr (rec.output->str, "250 "));
  recorder_clear (&rec);
}

static void
test_validator (void)
{
  for (guint i = 0; i < G_N_ELEMENTS (broken_cases); i++)
    {
      const BrokenCase *c = &broken_cases[i];
      g_autoptr(GError) error = NULL;
      g_autoptr(MrLesson) lesson = NULL;

      g_test_message ("case %s", c->name);
      /* not NUL-terminated: the loader takes a length */
      {
        gsize len = strlen (c->data);
        g_autofree char *copy = g_malloc (len + 1);
        memcpy (copy, c->data, len);
        copy[len] = 'X';
        lesson = mr_lesson_new_from_data (copy, len, "broken.lesson", &error);
      }
      g_assert_null (lesson);
      g_assert_nonnull (error);
      if (!g_str_has_prefix (error->message, c->message))
        g_test_message ("got: %s", error->message);
      g_assert_true (g_str_has_prefix (error->message, c->message));
    }
}

static void
test_validator_ok (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(MrLesson) lesson = mr_lesson_new_from_data (HEAD "  \"steps\": [ " STEP_OK " ]\n}", -1, "ok.lesson", &error);

  g_assert_no_error (error);
  g_assert_nonnull (lesson);
  g_assert_cmpuint (mr_lesson_get_n_steps (lesson), ==, 1);
  g_assert_cmpstr (mr_lesson_get_step (lesson, 0)->id, ==, "step-1");
  g_assert_true (g_strv_contains ((const char * const *) lesson->requires, "smtp"));
}

static void
test_user_dir (void)
{
  g_autofree char *dir = mr_lesson_dup_user_dir ();
  g_autofree char *good = g_build_filename (dir, "zz-mine.lesson", NULL);
  g_autofree char *bad = g_build_filename (dir, "zz-broken.lesson", NULL);
  g_autofree char *data = g_strdup_printf ("%s", HEAD "  \"steps\": [ " STEP_OK " ]\n}");
  g_autoptr(GPtrArray) errors = NULL;
  g_autoptr(GPtrArray) lessons = NULL;
  gboolean found = FALSE;

  /* G_TEST_OPTION_ISOLATE_DIRS: this is a throwaway XDG_DATA_HOME */
  g_assert_cmpint (g_mkdir_with_parents (dir, 0700), ==, 0);
  {
    g_autofree char *mine = g_strdup (data);
    char *id = strstr (mine, "\"x\"");
    memcpy (id, "\"m\"", 3);
    g_assert_true (g_file_set_contents (good, mine, -1, NULL));
  }
  g_assert_true (g_file_set_contents (bad, "{ \"format\": 1 }", -1, NULL));

  g_test_expect_message ("mr-lesson", G_LOG_LEVEL_WARNING, "Skipping a lesson*");
  lessons = mr_lesson_load_all (&errors);
  g_test_assert_expected_messages ();
  for (guint i = 0; i < lessons->len; i++)
    if (g_str_equal (((MrLesson *) g_ptr_array_index (lessons, i))->id, "m"))
      found = TRUE;
  g_assert_true (found);
  g_assert_cmpuint (errors->len, ==, 1);
  g_assert_true (strstr (g_ptr_array_index (errors, 0), "zz-broken.lesson:1:") != NULL);
  g_assert_cmpuint (lessons->len, ==, builtin->len + 1);
}

int
main (int   argc,
      char *argv[])
{
  int ret;

  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);
  mr_init ();

  builtin = mr_lesson_load_builtin (NULL);

  g_test_add_func ("/lessons/content/valid", test_content_valid);
  g_test_add_func ("/lessons/content/all-listed", test_content_all_listed);
  g_test_add_func ("/lessons/validator/broken", test_validator);
  g_test_add_func ("/lessons/validator/ok", test_validator_ok);
  g_test_add_func ("/lessons/catalog/user-dir", test_user_dir);
  g_test_add_func ("/lessons/runner/hints", test_hints);
  g_test_add_func ("/lessons/runner/progress", test_progress_restore);
  g_test_add_func ("/lessons/runner/predict-withheld", test_predict_withheld);
  g_test_add_func ("/lessons/runner/resume-replays", test_resume_replays);
  g_test_add_func ("/lessons/runner/bus-events", test_bus_events);
  g_test_add_func ("/lessons/runner/implicit-tls", test_implicit_tls);

  for (guint i = 0; i < builtin->len; i++)
    {
      MrLesson *lesson = g_ptr_array_index (builtin, i);
      g_autofree char *replay = g_strdup_printf ("/lessons/replay/%s", lesson->id);
      g_autofree char *wrong = g_strdup_printf ("/lessons/wrong-moves/%s", lesson->id);

      g_test_add_data_func (replay, lesson, test_replay);
      g_test_add_data_func (wrong, lesson, test_wrong_moves);
    }

  ret = g_test_run ();
  g_clear_pointer (&builtin, g_ptr_array_unref);
  return ret;
}
