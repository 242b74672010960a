/* mr-lesson-source.c
 *
 * Copyright 2026 The Mailroom authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "mr-lesson-source"

#include "config.h"

#include "mr-lesson-source.h"

G_DEFINE_INTERFACE (MrLessonSource, mr_lesson_source, G_TYPE_OBJECT)

static void
mr_lesson_source_default_init (MrLessonSourceInterface *iface)
{
}

JsonNode *
mr_lesson_source_list (MrLessonSource *self)
{
  MrLessonSourceInterface *iface;
  JsonNode *node = NULL;

  g_return_val_if_fail (MR_IS_LESSON_SOURCE (self), NULL);

  iface = MR_LESSON_SOURCE_GET_IFACE (self);
  if (iface->list != NULL)
    node = iface->list (self);
  if (node == NULL)
    node = json_node_init_array (json_node_alloc (), json_array_new ());
  return node;
}

JsonNode *
mr_lesson_source_lookup (MrLessonSource *self,
                         const char     *id)
{
  MrLessonSourceInterface *iface;

  g_return_val_if_fail (MR_IS_LESSON_SOURCE (self), NULL);
  g_return_val_if_fail (id != NULL, NULL);

  iface = MR_LESSON_SOURCE_GET_IFACE (self);
  return iface->lookup ? iface->lookup (self, id) : NULL;
}

gboolean
mr_lesson_source_reset (MrLessonSource  *self,
                        const char      *id,
                        GError         **error)
{
  MrLessonSourceInterface *iface;

  g_return_val_if_fail (MR_IS_LESSON_SOURCE (self), FALSE);
  g_return_val_if_fail (id != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  iface = MR_LESSON_SOURCE_GET_IFACE (self);
  if (iface->reset == NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED,
                   "This lesson source cannot reset progress");
      return FALSE;
    }
  return iface->reset (self, id, error);
}
