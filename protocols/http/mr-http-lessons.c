/* mr-http-lessons.c
 *
 * Copyright 2026 The Mailroom authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "mr-http-lessons"

#include "config.h"

#include <string.h>

#include "mr-engine-private.h"
#include "mr-http-server-private.h"
#include "mr-lesson-source.h"

/*
 * /api/v1/lessons: the lessons and how far the learner got, read through
 * the engine's MrLessonSource (the lessons live above protocols/).
 *
 *   GET    /api/v1/lessons                 {"lessons": [summary...]}
 *   GET    /api/v1/lessons/{id}            one lesson with its steps
 *   DELETE /api/v1/lessons/{id}/progress   forget the progress (teacher)
 */

static gboolean
method_is (SoupServerMessage *msg,
           const char        *method)
{
  const char *m = soup_server_message_get_method (msg);

  return strcmp (m, method) == 0 ||
         (strcmp (method, SOUP_METHOD_GET) == 0 && strcmp (m, SOUP_METHOD_HEAD) == 0);
}

static void
reply_method_not_allowed (SoupServerMessage *msg,
                          const char        *allow)
{
  soup_message_headers_replace (soup_server_message_get_response_headers (msg), "Allow", allow);
  _mr_http_reply_error (msg, SOUP_STATUS_METHOD_NOT_ALLOWED, NULL,
                        "Method %s is not allowed here (allowed: %s)",
                        soup_server_message_get_method (msg), allow);
}

static void
reply_no_lesson (SoupServerMessage *msg,
                 const char        *id)
{
  _mr_http_reply_error (msg, SOUP_STATUS_NOT_FOUND, "id",
                        "No lesson “%s” (GET /api/v1/lessons lists them)", id);
}

void
_mr_http_handle_lessons (MrHttpServer      *self,
                         SoupServerMessage *msg,
                         char             **segments)
{
  MrLessonSource *source;
  guint n = g_strv_length (segments);
  gboolean progress = n == 2 && strcmp (segments[1], "progress") == 0;

  if (n > 2 || (n == 2 && !progress))
    {
      _mr_http_reply_error (msg, SOUP_STATUS_NOT_FOUND, NULL, "No such resource: %s", segments[n - 1]);
      return;
    }

  if (progress)
    {
      if (!method_is (msg, SOUP_METHOD_DELETE))
        {
          reply_method_not_allowed (msg, "DELETE");
          return;
        }
      if (!_mr_http_check_teacher (self, msg))
        return;
    }
  else if (!method_is (msg, SOUP_METHOD_GET))
    {
      reply_method_not_allowed (msg, "GET");
      return;
    }

  source = (MrLessonSource *) _mr_engine_get_extension (self->engine, MR_ENGINE_EXTENSION_LESSONS);
  if (source == NULL)
    {
      _mr_http_reply_error (msg, SOUP_STATUS_NOT_IMPLEMENTED, NULL,
                            "Not implemented here: this engine was started without its lessons");
      return;
    }

  if (n == 0)
    {
      g_autoptr(JsonNode) list = mr_lesson_source_list (source);
      g_autoptr(JsonObject) object = json_object_new ();
      g_autoptr(JsonNode) root = json_node_new (JSON_NODE_OBJECT);

      json_object_set_member (object, "lessons", g_steal_pointer (&list));
      json_node_set_object (root, object);
      _mr_http_reply_json (msg, SOUP_STATUS_OK, root);
      return;
    }

  if (progress)
    {
      g_autoptr(GError) error = NULL;

      if (!mr_lesson_source_reset (source, segments[0], &error))
        {
          if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND))
            reply_no_lesson (msg, segments[0]);
          else
            _mr_http_reply_error (msg, SOUP_STATUS_INTERNAL_SERVER_ERROR, NULL,
                                  "Could not reset lesson “%s”: %s", segments[0], error->message);
          return;
        }
    }

  /* GET /lessons/{id}, and the lesson as it is now after a reset */
  {
    g_autoptr(JsonNode) lesson = mr_lesson_source_lookup (source, segments[0]);

    if (lesson == NULL)
      reply_no_lesson (msg, segments[0]);
    else
      _mr_http_reply_json (msg, SOUP_STATUS_OK, lesson);
  }
}
