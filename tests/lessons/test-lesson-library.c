/* test-lesson-library.c
 *
 * Copyright 2026 The Mailroom authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "test-lesson-library"

#include "config.h"

#include <glib/gstdio.h>
#include <string.h>

#include "mailroom.h"
#include "mr-lesson.h"
#include "mr-lesson-library.h"
#include "mr-lesson-progress.h"

/*
 * MrLessonLibrary, the web API's view of the lessons: every shipped lesson
 * is listed, the progress comes from the key file as it is on disk at each
 * request, a reset removes just that lesson from the file, and unknown ids
 * are refused without touching it.
 */

static guint
count_content_lessons (void)
{
  g_autoptr(GDir) dir = g_dir_open (LESSONS_CONTENT_DIR, 0, NULL);
  const char *name;
  guint n = 0;

  g_assert_nonnull (dir);
  while ((name = g_dir_read_name (dir)) != NULL)
    if (g_str_has_suffix (name, ".lesson"))
      n++;
  return n;
}

static char *
write_progress (const char *contents)
{
  g_autoptr(GError) error = NULL;
  char *path = g_build_filename (g_get_user_cache_dir (), "progress.ini", NULL);

  g_assert_cmpint (g_mkdir_with_parents (g_get_user_cache_dir (), 0700), ==, 0);
  g_file_set_contents (path, contents, -1, &error);
  g_assert_no_error (error);
  return path;
}

static JsonObject *
find_in_list (JsonArray  *list,
              const char *id)
{
  for (guint i = 0; i < json_array_get_length (list); i++)
    {
      JsonObject *lesson = json_array_get_object_element (list, i);

      if (g_strcmp0 (json_object_get_string_member (lesson, "id"), id) == 0)
        return lesson;
    }
  return NULL;
}

static void
test_list (void)
{
  g_autofree char *path = write_progress ("[smtp-02-ehlo]\nstep=2\ncompleted=false\n"
                                          "[smtp-01-hello]\nstep=0\ncompleted=true\n"
                                          "[smtp-03-envelope]\nstep=9999\ncompleted=false\n"
                                          "[smtp-04-rset-noop]\nstep=-5\ncompleted=maybe\n"
                                          "[not-a-lesson]\nstep=1\n");
  g_autoptr(MrLessonLibrary) library = mr_lesson_library_new (path);
  g_autoptr(JsonNode) node = mr_lesson_source_list (MR_LESSON_SOURCE (library));
  JsonArray *list;
  JsonObject *lesson;
  const char *previous = "";

  g_assert_cmpstr (mr_lesson_library_get_progress_path (library), ==, path);
  g_assert_true (JSON_NODE_HOLDS_ARRAY (node));
  list = json_node_get_array (node);
  g_assert_cmpuint (json_array_get_length (list), ==, count_content_lessons ());

  for (guint i = 0; i < json_array_get_length (list); i++)
    {
      JsonObject *l = json_array_get_object_element (list, i);
      const char *id = json_object_get_string_member (l, "id");

      /* sorted by id, every member there and typed */
      g_assert_cmpint (g_strcmp0 (previous, id), <, 0);
      previous = id;
      g_assert_cmpuint (strlen (json_object_get_string_member (l, "title")), >, 0);
      g_assert_cmpuint (strlen (json_object_get_string_member (l, "summary")), >, 0);
      g_assert_true (JSON_NODE_HOLDS_ARRAY (json_object_get_member (l, "rfc")));
      g_assert_cmpint (json_object_get_int_member (l, "steps"), >, 0);
      g_assert_cmpint (json_object_get_int_member (l, "step"), >=, 0);
      g_assert_cmpint (json_object_get_int_member (l, "step"), <=, json_object_get_int_member (l, "steps"));
      g_assert_true (JSON_NODE_TYPE (json_object_get_member (l, "completed")) == JSON_NODE_VALUE);
    }

  lesson = find_in_list (list, "smtp-02-ehlo");
  g_assert_nonnull (lesson);
  g_assert_cmpint (json_object_get_int_member (lesson, "step"), ==, 2);
  g_assert_false (json_object_get_boolean_member (lesson, "completed"));

  /* finished: the runner keeps step=0, which means every step is done */
  lesson = find_in_list (list, "smtp-01-hello");
  g_assert_nonnull (lesson);
  g_assert_cmpint (json_object_get_int_member (lesson, "step"), ==, json_object_get_int_member (lesson, "steps"));
  g_assert_true (json_object_get_boolean_member (lesson, "completed"));

  /* hostile values: clamped, not trusted */
  lesson = find_in_list (list, "smtp-03-envelope");
  g_assert_cmpint (json_object_get_int_member (lesson, "step"), ==, json_object_get_int_member (lesson, "steps"));
  lesson = find_in_list (list, "smtp-04-rset-noop");
  g_assert_cmpint (json_object_get_int_member (lesson, "step"), ==, 0);
  g_assert_false (json_object_get_boolean_member (lesson, "completed"));

  g_assert_null (find_in_list (list, "not-a-lesson"));
  g_unlink (path);
}

static void
test_lookup (void)
{
  g_autofree char *path = write_progress ("[smtp-02-ehlo]\nstep=2\ncompleted=false\n");
  g_autoptr(MrLessonLibrary) library = mr_lesson_library_new (path);
  g_autoptr(JsonNode) node = mr_lesson_source_lookup (MR_LESSON_SOURCE (library), "smtp-02-ehlo");
  g_autoptr(JsonNode) again = NULL;
  g_autoptr(GError) error = NULL;
  JsonObject *lesson;
  JsonArray *steps;

  g_assert_nonnull (node);
  lesson = json_node_get_object (node);
  g_assert_cmpstr (json_object_get_string_member (lesson, "id"), ==, "smtp-02-ehlo");
  g_assert_cmpint (json_object_get_int_member (lesson, "step"), ==, 2);
  g_assert_cmpuint (strlen (json_object_get_string_member (lesson, "intro")), >, 0);
  steps = json_object_get_array_member (lesson, "step_list");
  g_assert_cmpint (json_array_get_length (steps), ==, json_object_get_int_member (lesson, "steps"));
  for (guint i = 0; i < json_array_get_length (steps); i++)
    {
      JsonObject *step = json_array_get_object_element (steps, i);

      g_assert_cmpint (json_object_get_int_member (step, "index"), ==, i);
      g_assert_cmpuint (strlen (json_object_get_string_member (step, "id")), >, 0);
      g_assert_cmpuint (strlen (json_object_get_string_member (step, "instruction")), >, 0);
      g_assert_true (json_object_has_member (step, "title"));
      g_assert_cmpint (json_object_get_boolean_member (step, "done"), ==, i < 2);
    }

  /* The file is read at every request: what the panel saves shows at once. */
  g_file_set_contents (path, "[smtp-02-ehlo]\nstep=4\ncompleted=false\n", -1, &error);
  g_assert_no_error (error);
  again = mr_lesson_source_lookup (MR_LESSON_SOURCE (library), "smtp-02-ehlo");
  g_assert_cmpint (json_object_get_int_member (json_node_get_object (again), "step"), ==, 4);

  /* Unknown or hostile ids are simply not lessons. */
  g_assert_null (mr_lesson_source_lookup (MR_LESSON_SOURCE (library), "no-such-lesson"));
  g_assert_null (mr_lesson_source_lookup (MR_LESSON_SOURCE (library), ""));
  g_assert_null (mr_lesson_source_lookup (MR_LESSON_SOURCE (library), "../smtp-01-hello"));
  g_assert_null (mr_lesson_source_lookup (MR_LESSON_SOURCE (library), "smtp-01-hello]\n[x"));
  g_unlink (path);
}

static void
test_reset (void)
{
  g_autofree char *path = write_progress ("[smtp-02-ehlo]\nstep=2\ncompleted=true\n"
                                          "[smtp-01-hello]\nstep=3\ncompleted=false\n");
  g_autoptr(MrLessonLibrary) library = mr_lesson_library_new (path);
  g_autoptr(MrLessonProgress) progress = NULL;
  g_autoptr(JsonNode) node = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *before = NULL;
  g_autofree char *after = NULL;

  g_assert_true (mr_lesson_source_reset (MR_LESSON_SOURCE (library), "smtp-02-ehlo", &error));
  g_assert_no_error (error);

  /* gone from the file; the other lesson keeps its progress */
  progress = mr_lesson_progress_new (path);
  g_assert_cmpuint (mr_lesson_progress_get_step (progress, "smtp-02-ehlo"), ==, 0);
  g_assert_false (mr_lesson_progress_get_completed (progress, "smtp-02-ehlo"));
  g_assert_cmpuint (mr_lesson_progress_get_step (progress, "smtp-01-hello"), ==, 3);
  g_file_get_contents (path, &before, NULL, &error);
  g_assert_no_error (error);
  g_assert_null (strstr (before, "smtp-02-ehlo"));
  g_assert_nonnull (strstr (before, "[smtp-01-hello]"));

  node = mr_lesson_source_lookup (MR_LESSON_SOURCE (library), "smtp-02-ehlo");
  g_assert_cmpint (json_object_get_int_member (json_node_get_object (node), "step"), ==, 0);
  g_assert_false (json_object_get_boolean_member (json_node_get_object (node), "completed"));

  /* an unknown lesson: refused, and the file is left alone */
  g_assert_false (mr_lesson_source_reset (MR_LESSON_SOURCE (library), "no-such-lesson", &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND);
  g_clear_error (&error);
  g_assert_false (mr_lesson_source_reset (MR_LESSON_SOURCE (library), "smtp-01-hello]\n[x", &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND);
  g_clear_error (&error);
  g_file_get_contents (path, &after, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (after, ==, before);
  g_unlink (path);
}

/* A lesson open in the app keeps its own MrLessonProgress; its next save
 * must not bring back what the API reset meanwhile. */
static void
test_reset_while_open (void)
{
  g_autofree char *path = write_progress ("[smtp-02-ehlo]\nstep=2\ncompleted=false\n"
                                          "[smtp-01-hello]\nstep=3\ncompleted=false\n");
  g_autoptr(MrLessonProgress) panel = mr_lesson_progress_new (path);
  g_autoptr(MrLessonProgress) check = NULL;
  g_autoptr(MrLessonLibrary) library = mr_lesson_library_new (path);
  g_autoptr(GError) error = NULL;

  g_assert_true (mr_lesson_source_reset (MR_LESSON_SOURCE (library), "smtp-02-ehlo", &error));
  g_assert_no_error (error);
  g_assert_true (mr_lesson_progress_set (panel, "smtp-01-hello", 4, FALSE, &error));
  g_assert_no_error (error);

  check = mr_lesson_progress_new (path);
  g_assert_cmpuint (mr_lesson_progress_get_step (check, "smtp-02-ehlo"), ==, 0);
  g_assert_cmpuint (mr_lesson_progress_get_step (check, "smtp-01-hello"), ==, 4);
  g_assert_cmpuint (mr_lesson_progress_get_step (panel, "smtp-02-ehlo"), ==, 0);
  g_unlink (path);
}

/* NULL: $XDG_STATE_HOME/mailroom/lessons.ini, which the app's panel uses;
 * resetting with no file yet creates it (and its folder). */
static void
test_default_path (void)
{
  g_autofree char *path = mr_lesson_progress_dup_default_path ();
  g_autofree char *dir = g_path_get_dirname (path);
  g_autoptr(MrLessonLibrary) library = mr_lesson_library_new (NULL);
  g_autoptr(JsonNode) node = NULL;
  g_autoptr(GError) error = NULL;

  g_assert_true (g_str_has_prefix (path, g_get_user_state_dir ()));
  g_assert_null (mr_lesson_library_get_progress_path (library));
  g_assert_cmpint (g_mkdir_with_parents (dir, 0700), ==, 0);
  g_file_set_contents (path, "[smtp-05-reply-classes]\nstep=1\n", -1, &error);
  g_assert_no_error (error);

  node = mr_lesson_source_lookup (MR_LESSON_SOURCE (library), "smtp-05-reply-classes");
  g_assert_cmpint (json_object_get_int_member (json_node_get_object (node), "step"), ==, 1);

  g_unlink (path);
  g_rmdir (dir);
  g_assert_true (mr_lesson_source_reset (MR_LESSON_SOURCE (library), "smtp-05-reply-classes", &error));
  g_assert_no_error (error);
  g_assert_true (g_file_test (path, G_FILE_TEST_IS_REGULAR));
}

/* A user's own lesson ($XDG_DATA_HOME/mailroom/lessons) is listed too. */
static void
test_user_lesson (void)
{
  g_autofree char *user_dir = mr_lesson_dup_user_dir ();
  g_autofree char *source = g_build_filename (LESSONS_CONTENT_DIR, "smtp-01-hello.lesson", NULL);
  g_autofree char *target = g_build_filename (user_dir, "my-own.lesson", NULL);
  g_autofree char *contents = NULL;
  g_autoptr(GString) mine = NULL;
  g_autoptr(MrLessonLibrary) library = NULL;
  g_autoptr(JsonNode) node = NULL;
  g_autoptr(GError) error = NULL;

  g_file_get_contents (source, &contents, NULL, &error);
  g_assert_no_error (error);
  mine = g_string_new (contents);
  g_assert_cmpuint (g_string_replace (mine, "\"id\": \"smtp-01-hello\"", "\"id\": \"zz-my-own\"", 1), ==, 1);
  g_assert_cmpint (g_mkdir_with_parents (user_dir, 0700), ==, 0);
  g_file_set_contents (target, mine->str, mine->len, &error);
  g_assert_no_error (error);

  library = mr_lesson_library_new (NULL);
  node = mr_lesson_source_list (MR_LESSON_SOURCE (library));
  g_assert_cmpuint (json_array_get_length (json_node_get_array (node)), ==, count_content_lessons () + 1);
  g_assert_nonnull (find_in_list (json_node_get_array (node), "zz-my-own"));
  g_unlink (target);
}

int
main (int   argc,
      char *argv[])
{
  mr_init ();
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  g_test_add_func ("/lesson-library/list", test_list);
  g_test_add_func ("/lesson-library/lookup", test_lookup);
  g_test_add_func ("/lesson-library/reset", test_reset);
  g_test_add_func ("/lesson-library/reset-while-open", test_reset_while_open);
  g_test_add_func ("/lesson-library/default-path", test_default_path);
  g_test_add_func ("/lesson-library/user-lesson", test_user_lesson);

  return g_test_run ();
}
