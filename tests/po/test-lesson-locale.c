/* test-lesson-locale.c
 *
 * Copyright 2026 The Mailroom authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Lessons follow the locale, headless: with LANGUAGE=de (es) and the build
 * tree's catalogs (MAILROOM_LOCALEDIR), a built-in lesson's title, intro
 * and step texts come back translated through g_dgettext, while wire text
 * (the reference solution) stays as written. Run once per language (gettext
 * caches the language per process).
 */

#define G_LOG_DOMAIN "test-lesson-locale"

#include "config.h"

#include <glib/gi18n.h>
#include <json-glib/json-glib.h>
#include <locale.h>

#include "mailroom.h"
#include "mr-lesson.h"

#define LESSON_ID "smtp-01-hello"

static JsonObject *
read_english (const char *filename)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *path = g_build_filename (LESSONS_CONTENT_DIR, filename, NULL);

  json_parser_load_from_file (parser, path, &error);
  g_assert_no_error (error);
  return json_object_ref (json_node_get_object (json_parser_get_root (parser)));
}

static const char *
first_paragraph (JsonObject *object,
                 const char *member)
{
  JsonNode *node = json_object_get_member (object, member);

  if (JSON_NODE_HOLDS_ARRAY (node))
    return json_array_get_string_element (json_node_get_array (node), 0);
  return json_node_get_string (node);
}

static void
test_lesson_translated (void)
{
  g_autoptr(GPtrArray) lessons = NULL;
  g_autoptr(GPtrArray) errors = NULL;
  g_autoptr(JsonObject) english = NULL;
  MrLesson *lesson = NULL;
  MrLessonStep *step;
  JsonObject *english_step;
  const char *intro;
  guint i;

  lessons = mr_lesson_load_builtin (&errors);
  g_assert_cmpuint (errors->len, ==, 0);
  for (i = 0; i < lessons->len; i++)
    if (g_str_equal (((MrLesson *) g_ptr_array_index (lessons, i))->id, LESSON_ID))
      lesson = g_ptr_array_index (lessons, i);
  g_assert_nonnull (lesson);

  english = read_english (LESSON_ID ".lesson");
  english_step = json_array_get_object_element (json_object_get_array_member (english, "steps"), 0);

  /* the catalog is there and has the lesson: not the English text */
  g_test_message ("title: %s", lesson->title);
  g_assert_cmpstr (lesson->title, ==,
                   g_dgettext (GETTEXT_PACKAGE, json_object_get_string_member (english, "title")));
  g_assert_cmpstr (lesson->title, !=, json_object_get_string_member (english, "title"));

  intro = first_paragraph (english, "intro");
  g_assert_true (g_str_has_prefix (lesson->intro, g_dgettext (GETTEXT_PACKAGE, intro)));
  g_assert_false (g_str_has_prefix (lesson->intro, intro));

  step = mr_lesson_get_step (lesson, 0);
  g_test_message ("step 1: %s", step->instruction);
  g_assert_cmpstr (step->instruction, ==,
                   g_dgettext (GETTEXT_PACKAGE,
                               json_object_get_string_member (english_step, "instruction")));
  g_assert_cmpstr (step->instruction, !=, json_object_get_string_member (english_step, "instruction"));
  g_assert_cmpstr (step->hint, !=, json_object_get_string_member (english_step, "hint"));
  g_assert_cmpstr (step->explanation, !=, json_object_get_string_member (english_step, "explanation"));

  /* wire text is never translated */
  g_assert_nonnull (step->solution);
  g_assert_cmpstr (step->solution[0], ==,
                   json_array_get_string_element (json_object_get_array_member (english_step, "solution"), 0));
}

int
main (int   argc,
      char *argv[])
{
  setlocale (LC_ALL, "");
  g_test_init (&argc, &argv, NULL);
  mr_init ();

  g_test_add_func ("/po/lesson/translated", test_lesson_translated);

  return g_test_run ();
}
