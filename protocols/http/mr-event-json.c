/* mr-event-json.c
 *
 * Copyright 2026 The Mailroom authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "mr-event-json"

#include "config.h"

#include <glib/gi18n-lib.h>

#include "mr-error.h"
#include "mr-event-json.h"
#include "mr-reply-catalog.h"

static const struct {
  MrEventFlags  flag;
  const char   *name;
} flag_names[] = {
  { MR_EVENT_FLAG_BARE_LF,      "bare-lf" },
  { MR_EVENT_FLAG_MASKED,       "masked" },
  { MR_EVENT_FLAG_ENCRYPTED,    "encrypted" },
  { MR_EVENT_FLAG_CONTINUED,    "continued" },
  { MR_EVENT_FLAG_PIPELINED,    "pipelined" },
  { MR_EVENT_FLAG_ERROR,        "error" },
  { MR_EVENT_FLAG_UNTAGGED,     "untagged" },
  { MR_EVENT_FLAG_CONTINUATION, "continuation" },
  { MR_EVENT_FLAG_TOO_LONG,     "too-long" },
};

const char *
mr_event_flag_to_string (MrEventFlags flag)
{
  for (guint i = 0; i < G_N_ELEMENTS (flag_names); i++)
    if (flag_names[i].flag == flag)
      return flag_names[i].name;
  return NULL;
}

static gboolean
flag_from_string (const char   *name,
                  MrEventFlags *flag_r)
{
  for (guint i = 0; i < G_N_ELEMENTS (flag_names); i++)
    {
      if (g_strcmp0 (flag_names[i].name, name) == 0)
        {
          *flag_r = flag_names[i].flag;
          return TRUE;
        }
    }
  return FALSE;
}

static gboolean
kind_from_string (const char  *name,
                  MrEventKind *kind_r)
{
  for (MrEventKind k = MR_EVENT_LINE; k <= MR_EVENT_NOTE; k++)
    {
      if (g_strcmp0 (mr_event_kind_to_string (k), name) == 0)
        {
          *kind_r = k;
          return TRUE;
        }
    }
  return FALSE;
}

static gboolean
direction_from_string (const char  *name,
                       MrDirection *direction_r)
{
  for (MrDirection d = MR_DIRECTION_NONE; d <= MR_DIRECTION_TO_CLIENT; d++)
    {
      if (g_strcmp0 (mr_direction_to_string (d), name) == 0)
        {
          *direction_r = d;
          return TRUE;
        }
    }
  return FALSE;
}

static gboolean
protocol_from_string (const char *name,
                      MrProtocol *protocol_r)
{
  for (MrProtocol p = MR_PROTOCOL_NONE; p <= MR_PROTOCOL_HTTP; p++)
    {
      if (g_strcmp0 (mr_protocol_to_string (p), name) == 0)
        {
          *protocol_r = p;
          return TRUE;
        }
    }
  return FALSE;
}

void
mr_json_add_string_or_null (JsonBuilder *builder,
                             const char  *name,
                             const char  *value)
{
  json_builder_set_member_name (builder, name);
  if (value != NULL)
    json_builder_add_string_value (builder, value);
  else
    json_builder_add_null_value (builder);
}

JsonNode *
mr_event_to_json_node (const MrEvent *event)
{
  g_autoptr(JsonBuilder) builder = json_builder_new_immutable ();

  g_return_val_if_fail (event != NULL, NULL);

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "seq");
  json_builder_add_int_value (builder, (gint64) event->seq);
  json_builder_set_member_name (builder, "time");
  json_builder_add_int_value (builder, event->time);
  mr_json_add_string_or_null (builder, "kind", mr_event_kind_to_string (event->kind));
  mr_json_add_string_or_null (builder, "direction", mr_direction_to_string (event->direction));
  mr_json_add_string_or_null (builder, "protocol", mr_protocol_to_string (event->protocol));
  json_builder_set_member_name (builder, "conversation");
  json_builder_add_int_value (builder, (gint64) event->conversation_id);
  mr_json_add_string_or_null (builder, "client", event->client);
  mr_json_add_string_or_null (builder, "server", event->server);
  mr_json_add_string_or_null (builder, "text", event->text);
  mr_json_add_string_or_null (builder, "verb", event->verb);
  mr_json_add_string_or_null (builder, "tag", event->tag);
  json_builder_set_member_name (builder, "code");
  json_builder_add_int_value (builder, event->code);
  mr_json_add_string_or_null (builder, "enhanced", event->enhanced);
  mr_json_add_string_or_null (builder, "state", event->state);

  json_builder_set_member_name (builder, "flags");
  json_builder_begin_array (builder);
  for (guint i = 0; i < G_N_ELEMENTS (flag_names); i++)
    if (event->flags & flag_names[i].flag)
      json_builder_add_string_value (builder, flag_names[i].name);
  json_builder_end_array (builder);

  if (event->code != 0)
    {
      json_builder_set_member_name (builder, "reply_class");
      json_builder_add_int_value (builder, mr_event_get_reply_class (event));
      mr_json_add_string_or_null (builder, "explanation", mr_reply_explain (event->code, event->enhanced));
    }

  json_builder_end_object (builder);

  return json_builder_get_root (builder);
}

char *
mr_event_to_json (const MrEvent *event,
                  gsize         *length_r)
{
  g_autoptr(JsonNode) node = mr_event_to_json_node (event);
  g_autoptr(JsonGenerator) generator = json_generator_new ();

  json_generator_set_root (generator, node);
  return json_generator_to_data (generator, length_r);
}

static gboolean
wrong_type (const char  *member,
            const char  *expected,
            GError     **error)
{
  g_set_error (error, MR_ERROR, MR_ERROR_INVALID_DATA,
               _("Event member “%s” must be %s"), member, expected);
  return FALSE;
}

/* Reads an optional string member: absent and null give NULL. */
static gboolean
get_string (JsonObject  *object,
            const char  *member,
            const char **value_r,
            GError     **error)
{
  JsonNode *node = json_object_get_member (object, member);

  *value_r = NULL;
  if (node == NULL || JSON_NODE_HOLDS_NULL (node))
    return TRUE;
  if (!JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_STRING)
    return wrong_type (member, "a string", error);
  *value_r = json_node_get_string (node);
  return TRUE;
}

static gboolean
get_int (JsonObject  *object,
         const char  *member,
         gint64       min,
         gint64      *value_r,
         GError     **error)
{
  JsonNode *node = json_object_get_member (object, member);

  *value_r = 0;
  if (node == NULL || JSON_NODE_HOLDS_NULL (node))
    return TRUE;
  if (!JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_INT64)
    return wrong_type (member, "an integer", error);
  *value_r = json_node_get_int (node);
  if (*value_r < min)
    return wrong_type (member, "a non-negative integer", error);
  return TRUE;
}

MrEvent *
mr_event_from_json_node (JsonNode  *node,
                         GError   **error)
{
  g_autoptr(MrEvent) event = NULL;
  JsonObject *object;
  const char *kind_s, *direction_s, *protocol_s, *text, *s;
  MrEventKind kind = MR_EVENT_NOTE;
  MrDirection direction = MR_DIRECTION_NONE;
  MrProtocol protocol = MR_PROTOCOL_NONE;
  JsonNode *flags;
  gint64 v;

  g_return_val_if_fail (node != NULL, NULL);

  if (!JSON_NODE_HOLDS_OBJECT (node))
    {
      g_set_error (error, MR_ERROR, MR_ERROR_INVALID_DATA, _("An event must be a JSON object"));
      return NULL;
    }
  object = json_node_get_object (node);

  if (!get_string (object, "kind", &kind_s, error) ||
      !get_string (object, "direction", &direction_s, error) ||
      !get_string (object, "protocol", &protocol_s, error) ||
      !get_string (object, "text", &text, error))
    return NULL;
  if (kind_s != NULL && !kind_from_string (kind_s, &kind))
    {
      wrong_type ("kind", "line, content, connect, disconnect, tls or note", error);
      return NULL;
    }
  if (direction_s != NULL && !direction_from_string (direction_s, &direction))
    {
      wrong_type ("direction", "none, to-server or to-client", error);
      return NULL;
    }
  if (protocol_s != NULL && !protocol_from_string (protocol_s, &protocol))
    {
      wrong_type ("protocol", "none, smtp, pop3, imap or http", error);
      return NULL;
    }

  event = mr_event_new (kind, direction, text);
  event->protocol = protocol;

  if (!get_int (object, "seq", 0, &v, error))
    return NULL;
  event->seq = (guint64) v;
  if (!get_int (object, "time", G_MININT64, &v, error))
    return NULL;
  event->time = v;
  if (!get_int (object, "conversation", 0, &v, error))
    return NULL;
  event->conversation_id = (guint64) v;
  if (!get_int (object, "code", 0, &v, error))
    return NULL;
  if (v > 999)
    {
      wrong_type ("code", "a reply code below 1000", error);
      return NULL;
    }
  event->code = (guint) v;

  if (!get_string (object, "client", &s, error))
    return NULL;
  event->client = g_strdup (s);
  if (!get_string (object, "server", &s, error))
    return NULL;
  event->server = g_strdup (s);
  if (!get_string (object, "verb", &s, error))
    return NULL;
  mr_event_set_verb (event, s);
  if (!get_string (object, "tag", &s, error))
    return NULL;
  mr_event_set_tag (event, s);
  if (!get_string (object, "enhanced", &s, error))
    return NULL;
  event->enhanced = g_strdup (s);
  if (!get_string (object, "state", &s, error))
    return NULL;
  mr_event_set_state (event, s);

  flags = json_object_get_member (object, "flags");
  if (flags != NULL && !JSON_NODE_HOLDS_NULL (flags))
    {
      JsonArray *array;

      if (!JSON_NODE_HOLDS_ARRAY (flags))
        {
      wrong_type ("flags", "an array of strings", error);
      return NULL;
    }
      array = json_node_get_array (flags);
      for (guint i = 0; i < json_array_get_length (array); i++)
        {
          JsonNode *element = json_array_get_element (array, i);
          MrEventFlags flag;

          if (!JSON_NODE_HOLDS_VALUE (element) ||
              json_node_get_value_type (element) != G_TYPE_STRING)
            {
      wrong_type ("flags", "an array of strings", error);
      return NULL;
    }
          /* Flags added by a later version are skipped, not refused. */
          if (flag_from_string (json_node_get_string (element), &flag))
            event->flags |= flag;
        }
    }

  return g_steal_pointer (&event);
}
