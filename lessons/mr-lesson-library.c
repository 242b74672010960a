/* mr-lesson-library.c
 *
 * Copyright 2026 The Mailroom authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "mr-lesson-library"

#include "config.h"

#include "mr-event-json.h"
#include "mr-lesson.h"
#include "mr-lesson-library.h"
#include "mr-lesson-progress.h"

struct _MrLessonLibrary
{
  GObject    parent_instance;

  /* Owned */
  char      *progress_path;   /* NULL: the default path */
  GPtrArray *lessons;         /* (element-type MrLesson) NULL until first asked */
};

static void lesson_source_iface_init (MrLessonSourceInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (MrLessonLibrary, mr_lesson_library, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (MR_TYPE_LESSON_SOURCE, lesson_source_iface_init))

enum {
  PROP_0,
  PROP_PROGRESS_PATH,
  N_PROPS
};

static GParamSpec *properties [N_PROPS];

static GPtrArray *
ensure_lessons (MrLessonLibrary *self)
{
  if (self->lessons == NULL)
    {
      g_autoptr(GPtrArray) errors = g_ptr_array_new_with_free_func (g_free);

      /* Broken user lessons are skipped (the loader warns); the API lists
       * the ones that load, as the catalogue does. */
      self->lessons = mr_lesson_load_all (&errors);
      g_debug ("%u lessons, %u skipped", self->lessons->len, errors->len);
    }
  return self->lessons;
}

static MrLesson *
find_lesson (MrLessonLibrary *self,
             const char      *id)
{
  GPtrArray *lessons = ensure_lessons (self);

  for (guint i = 0; i < lessons->len; i++)
    {
      MrLesson *lesson = g_ptr_array_index (lessons, i);

      if (g_strcmp0 (lesson->id, id) == 0)
        return lesson;
    }
  return NULL;
}

/* The first step not done: the key file keeps step=0 completed=true for a
 * finished lesson (mr-lesson-runner.c save_progress), which is "all done",
 * as in the catalogue. */
static guint
first_step_not_done (MrLessonProgress *progress,
                     MrLesson         *lesson)
{
  guint n_steps = mr_lesson_get_n_steps (lesson);
  guint step = mr_lesson_progress_get_step (progress, lesson->id);

  if (mr_lesson_progress_get_completed (progress, lesson->id) && step == 0)
    return n_steps;
  return MIN (step, n_steps);
}

static void
add_summary_members (JsonBuilder      *builder,
                     MrLessonProgress *progress,
                     MrLesson         *lesson)
{
  mr_json_add_string_or_null (builder, "id", lesson->id);
  mr_json_add_string_or_null (builder, "title", lesson->title);
  mr_json_add_string_or_null (builder, "summary", lesson->summary);
  json_builder_set_member_name (builder, "rfc");
  json_builder_begin_array (builder);
  for (guint i = 0; lesson->rfc != NULL && lesson->rfc[i] != NULL; i++)
    json_builder_add_string_value (builder, lesson->rfc[i]);
  json_builder_end_array (builder);
  json_builder_set_member_name (builder, "steps");
  json_builder_add_int_value (builder, mr_lesson_get_n_steps (lesson));
  json_builder_set_member_name (builder, "step");
  json_builder_add_int_value (builder, first_step_not_done (progress, lesson));
  json_builder_set_member_name (builder, "completed");
  json_builder_add_boolean_value (builder, mr_lesson_progress_get_completed (progress, lesson->id));
}

static JsonNode *
mr_lesson_library_list (MrLessonSource *source)
{
  MrLessonLibrary *self = (MrLessonLibrary *)source;
  g_autoptr(MrLessonProgress) progress = mr_lesson_progress_new (self->progress_path);
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  GPtrArray *lessons;

  g_assert (MR_IS_LESSON_LIBRARY (self));

  lessons = ensure_lessons (self);
  json_builder_begin_array (builder);
  for (guint i = 0; i < lessons->len; i++)
    {
      json_builder_begin_object (builder);
      add_summary_members (builder, progress, g_ptr_array_index (lessons, i));
      json_builder_end_object (builder);
    }
  json_builder_end_array (builder);
  return json_builder_get_root (builder);
}

static JsonNode *
mr_lesson_library_lookup (MrLessonSource *source,
                          const char     *id)
{
  MrLessonLibrary *self = (MrLessonLibrary *)source;
  g_autoptr(MrLessonProgress) progress = NULL;
  g_autoptr(JsonBuilder) builder = NULL;
  MrLesson *lesson;
  guint done;

  g_assert (MR_IS_LESSON_LIBRARY (self));

  if ((lesson = find_lesson (self, id)) == NULL)
    return NULL;

  progress = mr_lesson_progress_new (self->progress_path);
  done = first_step_not_done (progress, lesson);
  builder = json_builder_new ();
  json_builder_begin_object (builder);
  add_summary_members (builder, progress, lesson);
  mr_json_add_string_or_null (builder, "intro", lesson->intro);
  json_builder_set_member_name (builder, "step_list");
  json_builder_begin_array (builder);
  for (guint i = 0; i < mr_lesson_get_n_steps (lesson); i++)
    {
      MrLessonStep *step = mr_lesson_get_step (lesson, i);

      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "index");
      json_builder_add_int_value (builder, i);
      mr_json_add_string_or_null (builder, "id", step->id);
      mr_json_add_string_or_null (builder, "title", step->title);
      mr_json_add_string_or_null (builder, "instruction", step->instruction);
      mr_json_add_string_or_null (builder, "rfc", step->rfc);
      json_builder_set_member_name (builder, "done");
      json_builder_add_boolean_value (builder, i < done);
      json_builder_end_object (builder);
    }
  json_builder_end_array (builder);
  json_builder_end_object (builder);
  return json_builder_get_root (builder);
}

static gboolean
mr_lesson_library_reset (MrLessonSource  *source,
                         const char      *id,
                         GError         **error)
{
  MrLessonLibrary *self = (MrLessonLibrary *)source;
  g_autoptr(MrLessonProgress) progress = NULL;

  g_assert (MR_IS_LESSON_LIBRARY (self));

  if (find_lesson (self, id) == NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND, "No lesson “%s”", id);
      return FALSE;
    }

  /* Read just now, so only this lesson's group changes in the file. */
  progress = mr_lesson_progress_new (self->progress_path);
  return mr_lesson_progress_reset (progress, id, error);
}

static void
lesson_source_iface_init (MrLessonSourceInterface *iface)
{
  iface->list = mr_lesson_library_list;
  iface->lookup = mr_lesson_library_lookup;
  iface->reset = mr_lesson_library_reset;
}

static void
mr_lesson_library_finalize (GObject *object)
{
  MrLessonLibrary *self = (MrLessonLibrary *)object;

  g_clear_pointer (&self->progress_path, g_free);
  g_clear_pointer (&self->lessons, g_ptr_array_unref);

  G_OBJECT_CLASS (mr_lesson_library_parent_class)->finalize (object);
}

static void
mr_lesson_library_get_property (GObject    *object,
                                guint       prop_id,
                                GValue     *value,
                                GParamSpec *pspec)
{
  MrLessonLibrary *self = MR_LESSON_LIBRARY (object);

  switch (prop_id)
    {
    case PROP_PROGRESS_PATH:
      g_value_set_string (value, self->progress_path);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
mr_lesson_library_set_property (GObject      *object,
                                guint         prop_id,
                                const GValue *value,
                                GParamSpec   *pspec)
{
  MrLessonLibrary *self = MR_LESSON_LIBRARY (object);

  switch (prop_id)
    {
    case PROP_PROGRESS_PATH:
      self->progress_path = g_value_dup_string (value);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
mr_lesson_library_class_init (MrLessonLibraryClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = mr_lesson_library_finalize;
  object_class->get_property = mr_lesson_library_get_property;
  object_class->set_property = mr_lesson_library_set_property;

  /**
   * MrLessonLibrary:progress-path:
   *
   * The progress key file, or NULL for the default path.
   */
  properties [PROP_PROGRESS_PATH] =
    g_param_spec_string ("progress-path", NULL, NULL,
                         NULL,
                         (G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS));

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
mr_lesson_library_init (MrLessonLibrary *self)
{
}

MrLessonLibrary *
mr_lesson_library_new (const char *progress_path)
{
  return g_object_new (MR_TYPE_LESSON_LIBRARY,
                       "progress-path", progress_path,
                       NULL);
}

const char *
mr_lesson_library_get_progress_path (MrLessonLibrary *self)
{
  g_return_val_if_fail (MR_IS_LESSON_LIBRARY (self), NULL);

  return self->progress_path;
}
