/* test-lesson-panel.c
 *
 * Copyright 2026 The Mailroom authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "test-lesson-panel"

#include "config.h"

#include <stdlib.h>

#include <glib/gstdio.h>
#include <gtk/gtk.h>
#include <string.h>

#include "mr-application.h"
#include "mr-engine-thread.h"
#include "mr-lesson-catalog.h"
#include "mr-lesson-panel.h"
#include "mr-lesson-progress.h"
#include "mr-window.h"

/*
 * The lessons panel driven as a learner would: open lesson 1 from the
 * catalogue, type each step's reference move into the panel's console
 * entry (set the text, activate), pick the predicted code with its button,
 * make the wrong moves the lesson anticipates and read their hints, and
 * reach the completion page. Progress goes to $XDG_STATE_HOME, a temporary
 * directory here.
 */

#define LESSON_1 "smtp-01-hello"

static char *tmp_dir;
static GtkWindow *window;
static MrLessonPanel *panel;
static MrEngineThread *engine;

static gboolean
wake_cb (gpointer data)
{
  return G_SOURCE_CONTINUE;
}

typedef gboolean (*Condition) (gpointer data);

static gboolean
wait_for (Condition cond,
          gpointer  data,
          guint     timeout_ms)
{
  /* MR_TEST_TIME_FACTOR: sanitized builds are several times slower. */
  const char *factor = g_getenv ("MR_TEST_TIME_FACTOR");
  gint64 end = g_get_monotonic_time () + (gint64) timeout_ms * 1000 * (factor ? MAX (1, atoi (factor)) : 1);
  guint wake = g_timeout_add (10, wake_cb, NULL);
  gboolean ok;

  while (!(ok = cond (data)) && g_get_monotonic_time () < end)
    g_main_context_iteration (NULL, TRUE);

  g_source_remove (wake);
  return ok;
}

static gboolean
never_cb (gpointer data)
{
  return FALSE;
}

static void
spin (guint ms)
{
  wait_for (never_cb, NULL, ms);
}

static gboolean
settled_cb (gpointer data)
{
  return mr_lesson_panel_get_ready (panel) && mr_lesson_panel_get_pending (panel) == 0;
}

/* Waits until the engine thread has answered everything asked so far. */
static void
settle (void)
{
  g_assert_true (wait_for (settled_cb, NULL, 10000));
}

/* Types @line into the lesson's console entry and presses Enter. */
static void
type_line (const char *line)
{
  GtkEntry *entry = mr_lesson_panel_get_entry (panel);

  g_assert_true (gtk_widget_get_sensitive (GTK_WIDGET (entry)));
  gtk_editable_set_text (GTK_EDITABLE (entry), line);
  g_signal_emit_by_name (entry, "activate");
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (entry)), ==, "");
  settle ();
}

/* With MAILROOM_SCREENSHOT_DIR set, keeps a picture of the screen there. */
static void
maybe_screenshot (const char *name)
{
  const char *dir = g_getenv ("MAILROOM_SCREENSHOT_DIR");
  g_autofree char *path = NULL;
  g_autofree char *command = NULL;

  if (dir == NULL || g_find_program_in_path ("import") == NULL)
    return;

  spin (400);
  path = g_build_filename (dir, name, NULL);
  command = g_strdup_printf ("import -window root -crop %dx%d+0+0 +repage %s",
                             gtk_widget_get_width (GTK_WIDGET (window)),
                             gtk_widget_get_height (GTK_WIDGET (window)), path);
  g_spawn_command_line_sync (command, NULL, NULL, NULL, NULL);
}

static GtkWidget *find_widget (GtkWidget *widget,
                               GType      type);

static MrLesson *
open_lesson (const char *id)
{
  MrLesson *lesson;

  g_assert_true (mr_lesson_panel_open_lesson (panel, id));
  settle ();
  g_assert_null (mr_lesson_panel_get_error (panel));
  lesson = mr_lesson_panel_get_lesson (panel);
  g_assert_nonnull (lesson);
  g_assert_cmpstr (lesson->id, ==, id);

  return lesson;
}

static void
test_catalog (void)
{
  MrLessonCatalog *catalog = MR_LESSON_CATALOG (mr_lesson_panel_get_catalog (panel));
  GPtrArray *lessons = mr_lesson_catalog_get_lessons (catalog);
  g_autoptr(GPtrArray) expected = mr_lesson_load_all (NULL);

  g_assert_cmpstr (mr_lesson_panel_get_page (panel), ==, "catalog");
  g_assert_nonnull (lessons);
  g_assert_cmpuint (lessons->len, ==, expected->len);
  g_assert_cmpuint (lessons->len, >=, 16);
  for (guint i = 0; i < lessons->len; i++)
    {
      MrLesson *lesson = g_ptr_array_index (lessons, i);

      g_assert_cmpstr (mr_lesson_catalog_get_status (catalog, lesson->id), ==, "Not started");
    }
  g_assert_cmpstr (((MrLesson *) g_ptr_array_index (lessons, 0))->id, ==, LESSON_1);

  /* Activating the first row opens lesson 1; the back action returns. */
  {
    GtkWidget *row = find_widget (GTK_WIDGET (catalog), GTK_TYPE_LIST_BOX_ROW);

    g_assert_nonnull (row);
    gtk_widget_activate (row);
    settle ();
    g_assert_cmpstr (mr_lesson_panel_get_page (panel), ==, "lesson");
    g_assert_cmpstr (mr_lesson_panel_get_lesson (panel)->id, ==, LESSON_1);
    gtk_widget_activate_action (GTK_WIDGET (panel), "lesson.catalog", NULL);
    g_assert_cmpstr (mr_lesson_panel_get_page (panel), ==, "catalog");
    g_assert_null (mr_lesson_panel_get_lesson (panel));
  }

  /* An unknown lesson is not opened. */
  g_assert_false (mr_lesson_panel_open_lesson (panel, "no-such-lesson"));
  g_assert_cmpstr (mr_lesson_panel_get_page (panel), ==, "catalog");
}

/* The first hint of @step with an example matching what the learner types. */
static MrLessonHint *
find_typed_hint (MrLessonStep *step)
{
  for (guint i = 0; i < step->hints->len; i++)
    {
      MrLessonHint *hint = g_ptr_array_index (step->hints, i);

      if (hint->example != NULL && hint->match != NULL && hint->reply == NULL)
        return hint;
    }

  return NULL;
}

static void
test_lesson_1 (void)
{
  MrLesson *lesson = open_lesson (LESSON_1);
  guint n_steps = mr_lesson_get_n_steps (lesson);
  g_autofree char *output = NULL;
  g_autoptr(MrLessonProgress) progress = NULL;
  MrLessonCatalog *catalog;
  guint n_hints = 0;

  g_assert_cmpstr (mr_lesson_panel_get_page (panel), ==, "lesson");
  g_assert_cmpuint (mr_lesson_panel_get_step_index (panel), ==, 0);
  g_assert_false (mr_lesson_panel_get_completed (panel));
  output = mr_lesson_panel_dup_output (panel);
  g_assert_nonnull (strstr (output, "220 mx1.recipient.example"));
  g_clear_pointer (&output, g_free);

  for (guint s = 0; s < n_steps; s++)
    {
      MrLessonStep *step = mr_lesson_get_step (lesson, s);
      /* (On a predict step the wrong move would be the one whose reply
       * is withheld and predicted: played in another test.) */
      MrLessonHint *hint = step->predict ? NULL : find_typed_hint (step);

      g_assert_cmpuint (mr_lesson_panel_get_step_index (panel), ==, s);
      g_assert_cmpstr (mr_lesson_panel_get_page (panel), ==, "lesson");
      g_assert_null (mr_lesson_panel_get_hint (panel));

      /* A wrong move the step anticipates (SMTP commands only: an answer
       * step's example is the text of an /answer) shows its hint and does
       * not complete the step. */
      if (hint != NULL && s > 0)
        {
          type_line (hint->example);
          g_assert_cmpstr (mr_lesson_panel_get_hint (panel), ==, hint->text);
          g_assert_cmpuint (mr_lesson_panel_get_step_index (panel), ==, s);
          n_hints++;
        }
      else if (hint != NULL)
        {
          g_autofree char *line = g_strconcat ("/answer ", hint->example, NULL);

          type_line (line);
          g_assert_cmpstr (mr_lesson_panel_get_hint (panel), ==, hint->text);
          g_assert_cmpuint (mr_lesson_panel_get_step_index (panel), ==, s);
          n_hints++;
        }

      for (guint l = 0; step->solution[l] != NULL; l++)
        {
          const char *line = step->solution[l];

          /* Predict with the choice buttons, as a learner would. */
          if (g_str_has_prefix (line, "/predict "))
            {
              GtkButton *button;

              g_assert_nonnull (step->predict);
              button = mr_lesson_panel_get_choice_button (panel, line + strlen ("/predict "));
              g_assert_nonnull (button);
              g_assert_true (gtk_widget_get_visible (GTK_WIDGET (button)));
              maybe_screenshot ("lesson-predict-panel.png");
              g_signal_emit_by_name (button, "clicked");
              settle ();
              continue;
            }
          type_line (line);
        }

      if (step->predict != NULL)
        {
          g_assert_nonnull (mr_lesson_panel_get_verdict (panel));
          g_assert_true (g_str_has_prefix (mr_lesson_panel_get_verdict (panel), "Right"));
          maybe_screenshot ("lesson-panel.png");
        }

      /* The step is done: its explanation is shown, the next step begins. */
      g_assert_cmpstr (mr_lesson_panel_get_explanation (panel), ==, step->explanation);
      if (s + 1 < n_steps)
        g_assert_cmpuint (mr_lesson_panel_get_step_index (panel), ==, s + 1);
    }

  g_assert_cmpuint (n_hints, >=, 3);
  g_assert_true (mr_lesson_panel_get_completed (panel));
  g_assert_cmpstr (mr_lesson_panel_get_page (panel), ==, "done");
  output = mr_lesson_panel_dup_output (panel);
  g_assert_nonnull (strstr (output, "354 "));
  g_assert_nonnull (strstr (output, "221 "));
  maybe_screenshot ("lesson-done.png");

  /* Saved: the file under $XDG_STATE_HOME, and the catalogue says so. */
  progress = mr_lesson_progress_new (NULL);
  g_assert_true (g_str_has_prefix (mr_lesson_progress_get_path (progress), tmp_dir));
  g_assert_true (mr_lesson_progress_get_completed (progress, LESSON_1));
  mr_lesson_panel_show_catalog (panel);
  g_assert_cmpstr (mr_lesson_panel_get_page (panel), ==, "catalog");
  catalog = MR_LESSON_CATALOG (mr_lesson_panel_get_catalog (panel));
  g_assert_cmpstr (mr_lesson_catalog_get_status (catalog, LESSON_1), ==, "Done");
}

static void
test_wrong_prediction_and_show_me (void)
{
  MrLesson *lesson;
  GtkButton *button;
  guint data_step = 0;

  lesson = open_lesson (LESSON_1);
  /* Done before: it starts again from step 1. */
  g_assert_cmpstr (mr_lesson_panel_get_page (panel), ==, "lesson");
  g_assert_cmpuint (mr_lesson_panel_get_step_index (panel), ==, 0);

  for (guint s = 0; s < mr_lesson_get_n_steps (lesson); s++)
    if (mr_lesson_get_step (lesson, s)->predict != NULL)
      data_step = s;
  g_assert_cmpuint (data_step, >, 0);

  /* "Show me" plays each step's reference move up to the prediction. */
  while (mr_lesson_panel_get_step_index (panel) < data_step &&
         !mr_lesson_panel_get_completed (panel))
    {
      guint before = mr_lesson_panel_get_step_index (panel);

      gtk_widget_activate_action (GTK_WIDGET (panel), "lesson.show-me", NULL);
      settle ();
      g_assert_cmpuint (mr_lesson_panel_get_step_index (panel), ==, before + 1);
    }
  g_assert_cmpuint (mr_lesson_panel_get_step_index (panel), ==, data_step);

  /* The learner sends DATA without predicting: the reply is withheld and
   * the choices are offered; a wrong pick is told why. */
  type_line ("DATA");
  button = mr_lesson_panel_get_choice_button (panel, "345");
  g_assert_nonnull (button);
  g_signal_emit_by_name (button, "clicked");
  settle ();
  g_assert_nonnull (mr_lesson_panel_get_verdict (panel));
  g_assert_true (g_str_has_prefix (mr_lesson_panel_get_verdict (panel), "Not quite"));
  g_assert_nonnull (strstr (mr_lesson_panel_get_verdict (panel), "354"));

  /* Reset: back to step 1, progress forgotten. */
  gtk_widget_activate_action (GTK_WIDGET (panel), "lesson.reset", NULL);
  settle ();
  g_assert_cmpuint (mr_lesson_panel_get_step_index (panel), ==, 0);
  g_assert_false (mr_lesson_panel_get_completed (panel));
  g_assert_null (mr_lesson_panel_get_verdict (panel));

  /* The hint button gives the step's general hint. */
  gtk_widget_activate_action (GTK_WIDGET (panel), "lesson.hint", NULL);
  settle ();
  g_assert_cmpstr (mr_lesson_panel_get_hint (panel), ==, mr_lesson_get_step (lesson, 0)->hint);

  /* Two misses: the stronger hint. */
  type_line ("/answer 250");
  type_line ("/answer 354");
  g_assert_cmpstr (mr_lesson_panel_get_hint (panel), ==, mr_lesson_get_step (lesson, 0)->stronger_hint);
}

static void
test_resume (void)
{
  /* Progress survives closing the lesson: one step done, then reopen. */
  open_lesson (LESSON_1);
  g_assert_cmpuint (mr_lesson_panel_get_step_index (panel), ==, 0);
  type_line ("/answer 220");
  type_line ("EHLO smtp.sender.example");
  g_assert_cmpuint (mr_lesson_panel_get_step_index (panel), ==, 2);
  mr_lesson_panel_show_catalog (panel);
  g_assert_cmpstr (mr_lesson_catalog_get_status (MR_LESSON_CATALOG (mr_lesson_panel_get_catalog (panel)),
                                                 LESSON_1), !=, "Not started");

  open_lesson (LESSON_1);
  g_assert_cmpuint (mr_lesson_panel_get_step_index (panel), ==, 2);
  type_line ("MAIL FROM:<alice@sender.example>");
  g_assert_cmpuint (mr_lesson_panel_get_step_index (panel), ==, 3);

  /* Up and Down walk the lines typed; Tab completes the verb. */
  {
    GtkEditable *entry = GTK_EDITABLE (mr_lesson_panel_get_entry (panel));

    gtk_widget_activate_action (GTK_WIDGET (panel), "lesson.history-previous", NULL);
    g_assert_cmpstr (gtk_editable_get_text (entry), ==, "MAIL FROM:<alice@sender.example>");
    gtk_widget_activate_action (GTK_WIDGET (panel), "lesson.history-previous", NULL);
    g_assert_cmpstr (gtk_editable_get_text (entry), ==, "EHLO smtp.sender.example");
    gtk_widget_activate_action (GTK_WIDGET (panel), "lesson.history-next", NULL);
    gtk_widget_activate_action (GTK_WIDGET (panel), "lesson.history-next", NULL);
    g_assert_cmpstr (gtk_editable_get_text (entry), ==, "");
    gtk_editable_set_text (entry, "rc");
    gtk_widget_activate_action (GTK_WIDGET (panel), "lesson.complete", NULL);
    g_assert_true (g_str_has_prefix (gtk_editable_get_text (entry), "RCPT"));
    gtk_editable_set_text (entry, "");
  }
  mr_lesson_panel_show_catalog (panel);
}

/* The lessons the issue asks to follow in the GUI by typing: every step's
 * reference move typed into the panel, each step advancing. */
static void
test_play (gconstpointer data)
{
  const char *id = data;
  MrLesson *lesson = open_lesson (id);
  guint n_steps = mr_lesson_get_n_steps (lesson);

  if (mr_lesson_panel_get_step_index (panel) != 0)
    {
      gtk_widget_activate_action (GTK_WIDGET (panel), "lesson.reset", NULL);
      settle ();
    }

  for (guint s = 0; s < n_steps; s++)
    {
      MrLessonStep *step = mr_lesson_get_step (lesson, s);

      g_assert_cmpuint (mr_lesson_panel_get_step_index (panel), ==, s);
      for (guint l = 0; step->solution[l] != NULL; l++)
        type_line (step->solution[l]);
      if (s + 1 < n_steps)
        g_assert_cmpuint (mr_lesson_panel_get_step_index (panel), ==, s + 1);
      g_assert_cmpstr (mr_lesson_panel_get_explanation (panel), ==, step->explanation);
    }

  g_assert_true (mr_lesson_panel_get_completed (panel));
  g_assert_cmpstr (mr_lesson_panel_get_page (panel), ==, "done");
  mr_lesson_panel_show_catalog (panel);
}

static GtkWidget *
find_widget (GtkWidget *widget,
             GType      type)
{
  if (G_TYPE_CHECK_INSTANCE_TYPE (widget, type))
    return widget;

  for (GtkWidget *child = gtk_widget_get_first_child (widget);
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = find_widget (child, type);

      if (found != NULL)
        return found;
    }

  return NULL;
}

static gboolean
n_events_at_least (gpointer data)
{
  MrWindow *app_window = data;

  return mr_window_get_n_events (app_window) >= 6;
}

/* In the app's window: the panel beside the map, its sessions drawn there. */
static void
test_in_window (void)
{
  g_autoptr(MrApplication) app = mr_application_new ();
  MrLessonPanel *standalone = panel;
  GtkWindow *standalone_window = window;
  MrWindow *app_window;
  GtkWidget *flap;

  g_application_register (G_APPLICATION (app), NULL, NULL);
  app_window = mr_application_ensure_window (app);
  gtk_window_present (GTK_WINDOW (app_window));
  panel = MR_LESSON_PANEL (find_widget (GTK_WIDGET (app_window), MR_TYPE_LESSON_PANEL));
  if (panel == NULL)
    {
      panel = standalone;
      gtk_window_destroy (GTK_WINDOW (app_window));
      mr_engine_thread_stop (mr_application_get_engine (app));
      g_test_skip ("the window has no lessons panel");
      return;
    }
  window = GTK_WINDOW (app_window);

  flap = gtk_widget_get_ancestor (GTK_WIDGET (panel), ADW_TYPE_FLAP);
  if (flap != NULL)
    adw_flap_set_reveal_flap (ADW_FLAP (flap), TRUE);
  spin (300);
  g_assert_true (gtk_widget_get_mapped (GTK_WIDGET (panel)));

  mr_lesson_panel_reload (panel);
  open_lesson (LESSON_1);
  type_line ("/answer 220");
  type_line ("EHLO smtp.sender.example");
  type_line ("MAIL FROM:<alice@sender.example>");
  type_line ("RCPT TO:<bob@recipient.example>");
  g_assert_cmpuint (mr_lesson_panel_get_step_index (panel), ==, 4);
  /* The lesson's session is a lab conversation like any other. */
  g_assert_true (wait_for (n_events_at_least, app_window, 5000));
  gtk_widget_activate_action (GTK_WIDGET (panel), "lesson.hint", NULL);
  settle ();
  g_assert_nonnull (mr_lesson_panel_get_hint (panel));
  spin (1500);
  maybe_screenshot ("lesson.png");

  /* Closed with the lesson open: the runner goes with the engine thread. */
  gtk_window_destroy (GTK_WINDOW (app_window));
  spin (100);
  mr_engine_thread_stop (mr_application_get_engine (app));
  panel = standalone;
  window = standalone_window;
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GSettings) settings = NULL;
  g_autofree char *state_dir = NULL;
  int ret;

  tmp_dir = g_dir_make_tmp ("mailroom-lesson-panel-XXXXXX", &error);
  g_assert_no_error (error);
  state_dir = g_build_filename (tmp_dir, "state", NULL);
  g_setenv ("XDG_STATE_HOME", state_dir, TRUE);
  g_setenv ("XDG_DATA_HOME", tmp_dir, TRUE);
  g_setenv ("XDG_CONFIG_HOME", tmp_dir, TRUE);
  g_setenv ("XDG_CACHE_HOME", tmp_dir, TRUE);

  gtk_test_init (&argc, &argv, NULL);
  adw_init ();

  settings = g_settings_new ("io.github.mailroomlab.Mailroom");
  g_settings_set_boolean (settings, "listen", FALSE);
  engine = mr_engine_thread_new (settings);
  g_assert_true (mr_engine_thread_start (engine, &error));
  g_assert_no_error (error);

  window = GTK_WINDOW (gtk_window_new ());
  gtk_window_set_default_size (window, 460, 760);
  panel = MR_LESSON_PANEL (mr_lesson_panel_new ());
  mr_lesson_panel_set_engine (panel, engine);
  gtk_window_set_child (window, GTK_WIDGET (panel));
  gtk_window_present (window);

  g_test_add_func ("/lesson-panel/catalog", test_catalog);
  g_test_add_func ("/lesson-panel/lesson-1", test_lesson_1);
  g_test_add_func ("/lesson-panel/predict-show-me-reset", test_wrong_prediction_and_show_me);
  g_test_add_func ("/lesson-panel/resume", test_resume);
  g_test_add_data_func ("/lesson-panel/play/smtp-05", "smtp-05-reply-classes", test_play);
  g_test_add_data_func ("/lesson-panel/play/smtp-07", "smtp-07-greylisting", test_play);
  g_test_add_data_func ("/lesson-panel/play/imap-16", "imap-16-imap", test_play);
  g_test_add_func ("/lesson-panel/in-window", test_in_window);

  ret = g_test_run ();

  gtk_window_destroy (window);
  spin (100);
  mr_engine_thread_stop (engine);
  g_clear_object (&engine);
  {
    g_autofree char *command = g_strdup_printf ("rm -rf %s", tmp_dir);
    g_spawn_command_line_sync (command, NULL, NULL, NULL, NULL);
  }
  g_free (tmp_dir);

  return ret;
}
