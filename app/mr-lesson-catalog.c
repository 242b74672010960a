/* mr-lesson-catalog.c
 *
 * Copyright 2026 The Mailroom authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "mr-lesson-catalog"

#include "config.h"

#include <glib/gi18n.h>

#include "mr-lesson-catalog.h"
#include "mr-lesson-progress.h"

struct _MrLessonCatalog
{
  GtkWidget          parent_instance;

  /* Template widgets */
  GtkScrolledWindow *scroller;
  GtkListBox        *list;
  GtkLabel          *errors_label;

  /* Owned */
  GPtrArray         *lessons;        /* MrLesson */
  GHashTable        *status_labels;  /* id -> GtkLabel (borrowed, in the rows) */
  GHashTable        *status;         /* id -> char*: the text shown */
  char              *progress_path;
};

G_DEFINE_FINAL_TYPE (MrLessonCatalog, mr_lesson_catalog, GTK_TYPE_WIDGET)

enum {
  LESSON_ACTIVATED,
  N_SIGNALS
};

static guint signals [N_SIGNALS];

static char *
dup_status_text (MrLessonProgress *progress,
                 MrLesson         *lesson)
{
  guint n_steps = mr_lesson_get_n_steps (lesson);
  guint step = mr_lesson_progress_get_step (progress, lesson->id);

  if (mr_lesson_progress_get_completed (progress, lesson->id) && (step == 0 || step >= n_steps))
    return g_strdup (_("Done"));
  if (mr_lesson_progress_get_completed (progress, lesson->id))
    /* Translators: a finished lesson the learner started again */
    return g_strdup_printf (_("Done · step %u of %u"), MIN (step + 1, n_steps), n_steps);
  if (step == 0)
    return g_strdup (_("Not started"));
  if (step >= n_steps)
    return g_strdup (_("Done"));
  /* Translators: how far the learner got in a lesson */
  return g_strdup_printf (_("Step %u of %u"), step + 1, n_steps);
}

void
mr_lesson_catalog_refresh (MrLessonCatalog *self)
{
  g_autoptr(MrLessonProgress) progress = NULL;

  g_return_if_fail (MR_IS_LESSON_CATALOG (self));

  if (self->lessons == NULL)
    return;

  progress = mr_lesson_progress_new (self->progress_path);
  for (guint i = 0; i < self->lessons->len; i++)
    {
      MrLesson *lesson = g_ptr_array_index (self->lessons, i);
      GtkLabel *label = g_hash_table_lookup (self->status_labels, lesson->id);
      g_autofree char *text = dup_status_text (progress, lesson);
      gboolean done = mr_lesson_progress_get_completed (progress, lesson->id);

      if (label == NULL)
        continue;
      gtk_label_set_label (label, text);
      if (done)
        gtk_widget_add_css_class (GTK_WIDGET (label), "success");
      else
        gtk_widget_remove_css_class (GTK_WIDGET (label), "success");
      g_hash_table_insert (self->status, g_strdup (lesson->id), g_steal_pointer (&text));
    }
}

static void
row_activated_cb (MrLessonCatalog *self,
                  GtkListBoxRow   *row,
                  GtkListBox      *list)
{
  const char *id;

  g_assert (MR_IS_LESSON_CATALOG (self));

  id = g_object_get_data (G_OBJECT (row), "mr-lesson-id");
  if (id != NULL)
    g_signal_emit (self, signals [LESSON_ACTIVATED], 0, id);
}

static GtkWidget *
create_row (MrLessonCatalog *self,
            MrLesson        *lesson,
            guint            number)
{
  GtkWidget *row = adw_action_row_new ();
  GtkWidget *status = gtk_label_new (NULL);
  GtkWidget *arrow = gtk_image_new_from_icon_name ("go-next-symbolic");
  g_autofree char *title = g_strdup_printf ("%u. %s", number, lesson->title);

  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
  adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
  if (lesson->summary != NULL)
    adw_action_row_set_subtitle (ADW_ACTION_ROW (row), lesson->summary);
  adw_action_row_set_subtitle_lines (ADW_ACTION_ROW (row), 2);
  gtk_list_box_row_set_activatable (GTK_LIST_BOX_ROW (row), TRUE);
  gtk_widget_set_tooltip_text (row, lesson->summary);

  gtk_widget_add_css_class (status, "dim-label");
  gtk_widget_add_css_class (status, "caption");
  gtk_widget_set_valign (status, GTK_ALIGN_CENTER);
  adw_action_row_add_suffix (ADW_ACTION_ROW (row), status);
  adw_action_row_add_suffix (ADW_ACTION_ROW (row), arrow);
  gtk_accessible_update_property (GTK_ACCESSIBLE (arrow),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, _("Open the lesson"),
                                  -1);
  gtk_accessible_update_property (GTK_ACCESSIBLE (row),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, lesson->title,
                                  GTK_ACCESSIBLE_PROPERTY_DESCRIPTION, lesson->summary ? lesson->summary : "",
                                  -1);

  g_object_set_data_full (G_OBJECT (row), "mr-lesson-id", g_strdup (lesson->id), g_free);
  g_hash_table_insert (self->status_labels, g_strdup (lesson->id), status);

  return row;
}

void
mr_lesson_catalog_set_lessons (MrLessonCatalog *self,
                               GPtrArray       *lessons)
{
  GtkWidget *child;

  g_return_if_fail (MR_IS_LESSON_CATALOG (self));

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->list))) != NULL)
    gtk_list_box_remove (self->list, child);
  g_hash_table_remove_all (self->status_labels);
  g_hash_table_remove_all (self->status);

  if (lessons != NULL)
    g_ptr_array_ref (lessons);
  g_clear_pointer (&self->lessons, g_ptr_array_unref);
  self->lessons = lessons;

  if (lessons == NULL)
    return;

  for (guint i = 0; i < lessons->len; i++)
    gtk_list_box_append (self->list, create_row (self, g_ptr_array_index (lessons, i), i + 1));

  mr_lesson_catalog_refresh (self);
}

GPtrArray *
mr_lesson_catalog_get_lessons (MrLessonCatalog *self)
{
  g_return_val_if_fail (MR_IS_LESSON_CATALOG (self), NULL);

  return self->lessons;
}

void
mr_lesson_catalog_set_progress_path (MrLessonCatalog *self,
                                     const char      *path)
{
  g_return_if_fail (MR_IS_LESSON_CATALOG (self));

  if (g_strcmp0 (path, self->progress_path) == 0)
    return;
  g_free (self->progress_path);
  self->progress_path = g_strdup (path);
  mr_lesson_catalog_refresh (self);
}

const char *
mr_lesson_catalog_get_status (MrLessonCatalog *self,
                              const char      *lesson_id)
{
  g_return_val_if_fail (MR_IS_LESSON_CATALOG (self), NULL);

  return g_hash_table_lookup (self->status, lesson_id);
}

void
mr_lesson_catalog_set_errors (MrLessonCatalog *self,
                              GPtrArray       *errors)
{
  g_autoptr(GString) text = g_string_new (NULL);

  g_return_if_fail (MR_IS_LESSON_CATALOG (self));

  for (guint i = 0; errors != NULL && i < errors->len; i++)
    {
      if (text->len > 0)
        g_string_append_c (text, '\n');
      g_string_append (text, g_ptr_array_index (errors, i));
    }
  if (text->len > 0)
    {
      g_autofree char *label = g_strdup_printf (_("Some lesson files could not be loaded:\n%s"),
                                                text->str);
      gtk_label_set_label (self->errors_label, label);
    }
  gtk_widget_set_visible (GTK_WIDGET (self->errors_label), text->len > 0);
}

GtkWidget *
mr_lesson_catalog_new (void)
{
  return g_object_new (MR_TYPE_LESSON_CATALOG, NULL);
}

static void
mr_lesson_catalog_dispose (GObject *object)
{
  MrLessonCatalog *self = (MrLessonCatalog *)object;

  gtk_widget_dispose_template (GTK_WIDGET (self), MR_TYPE_LESSON_CATALOG);
  g_clear_pointer (&self->lessons, g_ptr_array_unref);

  G_OBJECT_CLASS (mr_lesson_catalog_parent_class)->dispose (object);
}

static void
mr_lesson_catalog_finalize (GObject *object)
{
  MrLessonCatalog *self = (MrLessonCatalog *)object;

  g_clear_pointer (&self->status_labels, g_hash_table_unref);
  g_clear_pointer (&self->status, g_hash_table_unref);
  g_clear_pointer (&self->progress_path, g_free);

  G_OBJECT_CLASS (mr_lesson_catalog_parent_class)->finalize (object);
}

static void
mr_lesson_catalog_class_init (MrLessonCatalogClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = mr_lesson_catalog_dispose;
  object_class->finalize = mr_lesson_catalog_finalize;

  /**
   * MrLessonCatalog::lesson-activated:
   * @id: the lesson's id
   *
   * Emitted when the learner opens a lesson from the list.
   */
  signals [LESSON_ACTIVATED] =
    g_signal_new ("lesson-activated", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                  NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_STRING);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/mailroomlab/Mailroom/ui/mr-lesson-catalog.ui");
  gtk_widget_class_bind_template_child (widget_class, MrLessonCatalog, scroller);
  gtk_widget_class_bind_template_child (widget_class, MrLessonCatalog, list);
  gtk_widget_class_bind_template_child (widget_class, MrLessonCatalog, errors_label);
  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_css_name (widget_class, "mrlessoncatalog");
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_GROUP);
}

static void
mr_lesson_catalog_init (MrLessonCatalog *self)
{
  self->status_labels = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  self->status = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);

  gtk_widget_init_template (GTK_WIDGET (self));

  g_signal_connect_object (self->list, "row-activated",
                           G_CALLBACK (row_activated_cb), self, G_CONNECT_SWAPPED);
}
