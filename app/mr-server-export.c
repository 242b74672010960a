/* mr-server-export.c
 *
 * Copyright 2026 The Mailroom authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "mailroom-server"

#include "config.h"

#include <glib/gi18n.h>
#include <json-glib/json-glib.h>

#include "mr-error.h"
#include "mr-event-json.h"
#include "mr-event-model.h"
#include "mr-ladder-export.h"
#include "mr-server-export.h"

typedef enum
{
  FORMAT_UNKNOWN,
  FORMAT_SVG,
  FORMAT_PNG,
  FORMAT_TEXT,
  FORMAT_JSON,
} Format;

static Format
format_for_path (const char *path)
{
  g_autofree char *lower = g_ascii_strdown (path, -1);

  if (g_str_has_suffix (lower, ".svg"))
    return FORMAT_SVG;
  if (g_str_has_suffix (lower, ".png"))
    return FORMAT_PNG;
  if (g_str_has_suffix (lower, ".txt"))
    return FORMAT_TEXT;
  if (g_str_has_suffix (lower, ".json"))
    return FORMAT_JSON;
  return FORMAT_UNKNOWN;
}

gboolean
mr_server_export_check_path (const char  *path,
                             GError     **error)
{
  if (format_for_path (path) != FORMAT_UNKNOWN)
    return TRUE;
  g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
               _("--export %s: the file name must end in .svg, .png, .txt or .json"), path);
  return FALSE;
}

static char *
events_to_json (GPtrArray *events,
                guint64    conversation_id)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonGenerator) generator = json_generator_new ();
  g_autoptr(JsonNode) root = NULL;
  guint64 last_seq = 0;

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "events");
  json_builder_begin_array (builder);
  for (guint i = 0; i < events->len; i++)
    {
      const MrEvent *event = g_ptr_array_index (events, i);

      if (conversation_id != 0 && event->conversation_id != conversation_id)
        continue;
      json_builder_add_value (builder, mr_event_to_json_node (event));
      last_seq = event->seq;
    }
  json_builder_end_array (builder);
  json_builder_set_member_name (builder, "last_seq");
  json_builder_add_int_value (builder, (gint64) last_seq);
  json_builder_end_object (builder);

  root = json_builder_get_root (builder);
  json_generator_set_root (generator, root);
  json_generator_set_pretty (generator, TRUE);
  return json_generator_to_data (generator, NULL);
}

gboolean
mr_server_export_write (GPtrArray   *events,
                        guint64      conversation_id,
                        const char  *path,
                        GError     **error)
{
  g_autoptr(MrEventModel) model = NULL;
  g_autofree char *contents = NULL;

  g_return_val_if_fail (events != NULL, FALSE);
  g_return_val_if_fail (path != NULL, FALSE);

  if (!mr_server_export_check_path (path, error))
    return FALSE;

  model = mr_event_model_new ();
  mr_event_model_append (model, events);

  switch (format_for_path (path))
    {
    case FORMAT_PNG:
      return mr_ladder_export_png (G_LIST_MODEL (model), conversation_id, path, error);
    case FORMAT_SVG:
      contents = mr_ladder_export_svg (G_LIST_MODEL (model), conversation_id);
      break;
    case FORMAT_TEXT:
      contents = mr_transcript_export_text (G_LIST_MODEL (model), conversation_id);
      break;
    case FORMAT_JSON:
      contents = events_to_json (events, conversation_id);
      break;
    case FORMAT_UNKNOWN:
    default:
      g_assert_not_reached ();
    }

  return g_file_set_contents (path, contents, -1, error);
}

GPtrArray *
mr_server_export_load_events (const char  *path,
                              GError     **error)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GPtrArray) events = g_ptr_array_new_with_free_func ((GDestroyNotify) mr_event_unref);
  JsonNode *root;
  JsonArray *array = NULL;

  g_return_val_if_fail (path != NULL, NULL);

  if (!json_parser_load_from_file (parser, path, error))
    return NULL;

  root = json_parser_get_root (parser);
  if (root != NULL && JSON_NODE_HOLDS_ARRAY (root))
    array = json_node_get_array (root);
  else if (root != NULL && JSON_NODE_HOLDS_OBJECT (root) &&
           json_object_has_member (json_node_get_object (root), "events") &&
           JSON_NODE_HOLDS_ARRAY (json_object_get_member (json_node_get_object (root), "events")))
    array = json_object_get_array_member (json_node_get_object (root), "events");

  if (array == NULL)
    {
      g_set_error (error, MR_ERROR, MR_ERROR_INVALID_DATA,
                   _("%s: expected {\"events\": [...]} or an array of events"), path);
      return NULL;
    }

  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      g_autoptr(GError) local_error = NULL;
      MrEvent *event = mr_event_from_json_node (json_array_get_element (array, i), &local_error);

      if (event == NULL)
        {
          g_set_error (error, MR_ERROR, MR_ERROR_INVALID_DATA,
                       "%s: events[%u]: %s", path, i, local_error->message);
          return NULL;
        }
      g_ptr_array_add (events, event);
    }
  return g_steal_pointer (&events);
}
