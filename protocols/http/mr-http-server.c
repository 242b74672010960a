/* mr-http-server.c
 *
 * Copyright 2026 The Mailroom authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "mr-http-server"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>
#include <gnutls/crypto.h>
#include <ifaddrs.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>

#include "mr-clock.h"
#include "mr-engine.h"
#include "mr-event-bus.h"
#include "mr-event-json.h"
#include "mr-http-resources.h"
#include "mr-http-server-private.h"
#include "mr-error.h"
#include "mr-reply-catalog.h"
#include "mr-scenario.h"
#include "mr-relay.h"
#include "mr-store.h"
#include "mr-world.h"

#define WEB_RESOURCE_PATH "/io/github/mailroomlab/Mailroom/protocols/web/"
#define STREAM_PATH       "/api/v1/events/stream"
/* Serialized events kept for the viewers: each event is turned into JSON
 * once, however many viewers receive it. */
#define JSON_CACHE_SIZE   8192
/* How long events wait to be sent together (milliseconds). */
#define FLUSH_INTERVAL_MS 20
/* Events per WebSocket message while a viewer catches up. */
#define STREAM_BATCH      256
#define EVENTS_PAGE_DEFAULT 500
#define EVENTS_PAGE_MAX     5000
#define MESSAGES_PAGE_MAX   1000
#define TEXT_PART_MAX       (64 * 1024)
/* Client frames carry only acks; anything longer is not one. */
#define CLIENT_FRAME_MAX    4096

/* RFC 6455 7.4.1: 1008 policy violation. 7.4.2 leaves 4000-4999 to
 * applications: 4429 "too many viewers", after HTTP 429 (libsoup refuses
 * the registered 1013 "try again later" as a protocol error). */
#define WS_CLOSE_POLICY_VIOLATION  1008
#define WS_CLOSE_TOO_MANY_VIEWERS  4429

/*
 * A browser (or script) watching the event stream.
 *
 * Flow control: the server sends events in order and keeps at most
 * @window of them unacknowledged; the client answers {"ack": seq}. What
 * is not sent yet stays in the bus history, so a slow viewer costs a
 * cursor, not a queue, and the events it has not seen are never dropped
 * while the history has them (a "gap" message says when it did not).
 */
typedef struct
{
  /* Borrowed */
  MrHttpServer            *server;

  /* Owned */
  SoupWebsocketConnection *ws;

  guint64                  sent_seq;    /* last seq handed to the socket */
  guint64                  acked_seq;   /* last seq the client acknowledged */
  gint64                   rate_start;  /* monotonic usec of the rate window */
  guint                    rate_count;  /* client frames in the rate window */
  gboolean                 closed;
} MrHttpViewer;

G_DEFINE_FINAL_TYPE (MrHttpServer, mr_http_server, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_CLASSROOM,
  N_PROPS
};

static GParamSpec *properties [N_PROPS];

static void     viewer_pump (MrHttpViewer      *viewer);
static gboolean is_get      (SoupServerMessage *msg);

/* Replies */

void
_mr_http_reply_json (SoupServerMessage *msg,
                     guint              status,
                     JsonNode          *node)
{
  g_autoptr(JsonGenerator) generator = json_generator_new ();
  SoupMessageHeaders *headers;
  char *data;
  gsize len;

  json_generator_set_root (generator, node);
  json_generator_set_pretty (generator, FALSE);
  data = json_generator_to_data (generator, &len);

  headers = soup_server_message_get_response_headers (msg);
  soup_message_headers_replace (headers, "Cache-Control", "no-store");
  soup_server_message_set_status (msg, status, NULL);
  soup_server_message_set_response (msg, "application/json", SOUP_MEMORY_TAKE, data, len);
}

static void
reply_string (SoupServerMessage *msg,
              guint              status,
              GString           *json)
{
  gsize len = json->len;

  soup_message_headers_replace (soup_server_message_get_response_headers (msg),
                                "Cache-Control", "no-store");
  soup_server_message_set_status (msg, status, NULL);
  soup_server_message_set_response (msg, "application/json", SOUP_MEMORY_TAKE,
                                    g_string_free (json, FALSE), len);
}

static void
reply_builder (SoupServerMessage *msg,
               guint              status,
               JsonBuilder       *builder)
{
  g_autoptr(JsonNode) node = json_builder_get_root (builder);

  _mr_http_reply_json (msg, status, node);
}

void
_mr_http_reply_error (SoupServerMessage *msg,
                      guint              status,
                      const char        *field,
                      const char        *format,
                      ...)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autofree char *message = NULL;
  va_list args;

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "error");
  json_builder_add_string_value (builder, message);
  if (field != NULL)
    {
      json_builder_set_member_name (builder, "field");
      json_builder_add_string_value (builder, field);
    }
  json_builder_set_member_name (builder, "status");
  json_builder_add_int_value (builder, status);
  json_builder_end_object (builder);

  reply_builder (msg, status, builder);
}

static void
reply_not_implemented (SoupServerMessage *msg,
                       const char        *feature)
{
  _mr_http_reply_error (msg, SOUP_STATUS_NOT_IMPLEMENTED, NULL,
                        "Not implemented yet: the engine has no %s API", feature);
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

/* Request bodies */

static const char *
field_type_to_string (MrHttpFieldType type)
{
  switch (type)
    {
    case MR_HTTP_FIELD_STRING: return "a string";
    case MR_HTTP_FIELD_NUMBER: return "a number";
    case MR_HTTP_FIELD_INTEGER: return "an integer";
    case MR_HTTP_FIELD_BOOLEAN: return "true or false";
    case MR_HTTP_FIELD_STRINGS: return "a string or an array of strings";
    case MR_HTTP_FIELD_OBJECTS: return "an array of objects";
    case MR_HTTP_FIELD_OBJECT: return "an object";
    default: g_assert_not_reached ();
    }
}

static gboolean
node_has_type (JsonNode        *node,
               MrHttpFieldType  type)
{
  GType value_type = JSON_NODE_HOLDS_VALUE (node) ? json_node_get_value_type (node) : G_TYPE_INVALID;

  switch (type)
    {
    case MR_HTTP_FIELD_STRING:
      return value_type == G_TYPE_STRING;

    case MR_HTTP_FIELD_NUMBER:
      return value_type == G_TYPE_INT64 || value_type == G_TYPE_DOUBLE;

    case MR_HTTP_FIELD_INTEGER:
      return value_type == G_TYPE_INT64;

    case MR_HTTP_FIELD_BOOLEAN:
      return value_type == G_TYPE_BOOLEAN;

    case MR_HTTP_FIELD_STRINGS:
      if (value_type == G_TYPE_STRING)
        return TRUE;
      if (!JSON_NODE_HOLDS_ARRAY (node))
        return FALSE;
      for (guint i = 0; i < json_array_get_length (json_node_get_array (node)); i++)
        {
          JsonNode *element = json_array_get_element (json_node_get_array (node), i);

          if (!JSON_NODE_HOLDS_VALUE (element) || json_node_get_value_type (element) != G_TYPE_STRING)
            return FALSE;
        }
      return TRUE;

    case MR_HTTP_FIELD_OBJECTS:
      if (!JSON_NODE_HOLDS_ARRAY (node))
        return FALSE;
      for (guint i = 0; i < json_array_get_length (json_node_get_array (node)); i++)
        if (!JSON_NODE_HOLDS_OBJECT (json_array_get_element (json_node_get_array (node), i)))
          return FALSE;
      return TRUE;

    case MR_HTTP_FIELD_OBJECT:
      return JSON_NODE_HOLDS_OBJECT (node);

    default:
      g_assert_not_reached ();
    }
}

JsonObject *
_mr_http_parse_body (MrHttpServer      *self,
                     SoupServerMessage *msg,
                     const MrHttpField *fields,
                     guint              n_fields)
{
  g_autoptr(JsonParser) parser = json_parser_new_immutable ();
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GList) members = NULL;
  const char *content_type;
  JsonObject *object;
  JsonNode *root;
  gsize len;
  const char *data;

  /* Required, not assumed: a page on another site can send a body without
   * a type (no CORS preflight) and the browser would add cached HTTP Basic
   * credentials; it cannot send application/json without asking first. */
  content_type = soup_message_headers_get_content_type (soup_server_message_get_request_headers (msg), NULL);
  if (content_type == NULL || g_ascii_strcasecmp (content_type, "application/json") != 0)
    {
      _mr_http_reply_error (msg, SOUP_STATUS_UNSUPPORTED_MEDIA_TYPE, NULL,
                            "The body must be sent as application/json, not %s",
                            content_type ? content_type : "untyped");
      return NULL;
    }

  bytes = soup_message_body_flatten (soup_server_message_get_request_body (msg));
  data = g_bytes_get_data (bytes, &len);
  if (len > self->max_body)
    {
      _mr_http_reply_error (msg, SOUP_STATUS_REQUEST_ENTITY_TOO_LARGE, NULL,
                            "The body is larger than %" G_GSIZE_FORMAT " bytes", self->max_body);
      return NULL;
    }
  if (len == 0)
    {
      _mr_http_reply_error (msg, SOUP_STATUS_BAD_REQUEST, NULL, "The body is empty: send a JSON object");
      return NULL;
    }
  if (!g_utf8_validate (data, len, NULL))
    {
      _mr_http_reply_error (msg, SOUP_STATUS_BAD_REQUEST, NULL, "Malformed JSON: the body is not UTF-8");
      return NULL;
    }
  if (!json_parser_load_from_data (parser, data, len, &error))
    {
      _mr_http_reply_error (msg, SOUP_STATUS_BAD_REQUEST, NULL, "Malformed JSON: %s", error->message);
      return NULL;
    }

  root = json_parser_get_root (parser);
  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    {
      _mr_http_reply_error (msg, SOUP_STATUS_BAD_REQUEST, NULL, "The body must be a JSON object");
      return NULL;
    }
  object = json_node_get_object (root);

  members = json_object_get_members (object);
  for (const GList *l = members; l != NULL; l = l->next)
    {
      const char *name = l->data;
      const MrHttpField *field = NULL;

      for (guint i = 0; i < n_fields; i++)
        if (strcmp (fields[i].name, name) == 0)
          field = &fields[i];

      if (field == NULL)
        {
          _mr_http_reply_error (msg, SOUP_STATUS_BAD_REQUEST, name, "Unknown field “%s”", name);
          return NULL;
        }
      if (!node_has_type (json_object_get_member (object, name), field->type))
        {
          _mr_http_reply_error (msg, SOUP_STATUS_BAD_REQUEST, name, "Field “%s” must be %s",
                                name, field_type_to_string (field->type));
          return NULL;
        }
    }

  for (guint i = 0; i < n_fields; i++)
    {
      if (fields[i].required && !json_object_has_member (object, fields[i].name))
        {
          _mr_http_reply_error (msg, SOUP_STATUS_BAD_REQUEST, fields[i].name,
                                "Missing field “%s”", fields[i].name);
          return NULL;
        }
    }

  return json_object_ref (object);
}

/* Access */

static gboolean
client_is_allowed (MrHttpServer      *self,
                   SoupServerMessage *msg)
{
  GSocketAddress *address;

  if (self->classroom)
    return TRUE;

  address = soup_server_message_get_remote_address (msg);
  if (address == NULL || !G_IS_INET_SOCKET_ADDRESS (address))
    return TRUE;  /* not a network peer (a test stream) */

  return g_inet_address_get_is_loopback (g_inet_socket_address_get_address (G_INET_SOCKET_ADDRESS (address)));
}

/* Off classroom mode, only http://localhost or an IP literal: a web page
 * whose name was made to resolve to 127.0.0.1 (DNS rebinding) cannot read
 * the lab's mailboxes. */
static gboolean
host_is_allowed (MrHttpServer      *self,
                 SoupServerMessage *msg)
{
  const char *host;
  g_autofree char *name = NULL;
  const char *colon;

  if (self->classroom)
    return TRUE;

  host = soup_message_headers_get_one (soup_server_message_get_request_headers (msg), "Host");
  if (host == NULL)
    return TRUE;  /* HTTP/1.0 */

  if (host[0] == '[')
    return TRUE;  /* an IPv6 literal */
  colon = strrchr (host, ':');
  name = colon ? g_strndup (host, colon - host) : g_strdup (host);

  return g_ascii_strcasecmp (name, "localhost") == 0 || g_hostname_is_ip_address (name);
}

static gboolean
token_equal (const char *a,
             const char *b)
{
  gsize len_a = strlen (a), len_b = strlen (b);
  guint8 diff = len_a != len_b;

  /* Constant time in the token's length, so guessing learns nothing. */
  for (gsize i = 0; i < len_b; i++)
    diff |= (guint8) (a[i < len_a ? i : 0] ^ b[i]);
  return diff == 0;
}

/* Anything that changes state needs the teacher token: RFC 6750 2.1
 * "Authorization: Bearer"; 401 when it is missing, 403 when it is wrong. */
gboolean
_mr_http_check_teacher (MrHttpServer      *self,
                        SoupServerMessage *msg)
{
  const char *auth;

  auth = soup_message_headers_get_one (soup_server_message_get_request_headers (msg), "Authorization");
  if (auth == NULL || g_ascii_strncasecmp (auth, "Bearer ", 7) != 0)
    {
      soup_message_headers_replace (soup_server_message_get_response_headers (msg),
                                    "WWW-Authenticate", "Bearer realm=\"Mailroom teacher\"");
      _mr_http_reply_error (msg, SOUP_STATUS_UNAUTHORIZED, NULL,
                            "This changes the lab: send the teacher token as “Authorization: Bearer TOKEN”");
      return FALSE;
    }

  if (!token_equal (auth + 7, self->teacher_token))
    {
      _mr_http_reply_error (msg, SOUP_STATUS_FORBIDDEN, NULL, "The teacher token is wrong");
      return FALSE;
    }

  return TRUE;
}

/* Event JSON, cached by sequence number */

static const char *
event_json (MrHttpServer  *self,
            const MrEvent *event)
{
  guint slot = event->seq % JSON_CACHE_SIZE;

  if (self->json_cache_seq[slot] != event->seq || self->json_cache[slot] == NULL)
    {
      g_free (self->json_cache[slot]);
      self->json_cache[slot] = mr_event_to_json (event, NULL);
      self->json_cache_seq[slot] = event->seq;
    }
  return self->json_cache[slot];
}

/* Viewers (WebSocket) */

static void
viewer_clear (MrHttpViewer *viewer)
{
  if (viewer->ws != NULL)
    g_signal_handlers_disconnect_by_data (viewer->ws, viewer);
  g_clear_object (&viewer->ws);
}

static void
viewer_release (MrHttpViewer *viewer)
{
  g_rc_box_release_full (viewer, (GDestroyNotify) viewer_clear);
}

static void
viewer_send_string (MrHttpViewer *viewer,
                    const char   *json)
{
  if (soup_websocket_connection_get_state (viewer->ws) == SOUP_WEBSOCKET_STATE_OPEN)
    soup_websocket_connection_send_text (viewer->ws, json);
}

static void
viewer_send_error (SoupWebsocketConnection *ws,
                   gushort                  close_code,
                   const char              *message)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonGenerator) generator = json_generator_new ();
  g_autoptr(JsonNode) node = NULL;
  g_autofree char *json = NULL;

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "type");
  json_builder_add_string_value (builder, "error");
  json_builder_set_member_name (builder, "error");
  json_builder_add_string_value (builder, message);
  json_builder_end_object (builder);
  node = json_builder_get_root (builder);
  json_generator_set_root (generator, node);
  json = json_generator_to_data (generator, NULL);

  if (soup_websocket_connection_get_state (ws) == SOUP_WEBSOCKET_STATE_OPEN)
    {
      soup_websocket_connection_send_text (ws, json);
      if (close_code != 0)
        soup_websocket_connection_close (ws, close_code, message);
    }
}

static void
viewer_pump (MrHttpViewer *viewer)
{
  MrHttpServer *self = viewer->server;

  while (!viewer->closed &&
         soup_websocket_connection_get_state (viewer->ws) == SOUP_WEBSOCKET_STATE_OPEN &&
         viewer->sent_seq - viewer->acked_seq < self->viewer_window)
    {
      guint room = self->viewer_window - (guint) (viewer->sent_seq - viewer->acked_seq);
      g_autoptr(GPtrArray) events = NULL;
      g_autoptr(GString) str = NULL;
      const MrEvent *first;

      events = mr_event_bus_dup_since (self->bus, viewer->sent_seq, MIN (room, STREAM_BATCH));
      if (events->len == 0)
        break;

      first = g_ptr_array_index (events, 0);
      if (first->seq > viewer->sent_seq + 1)
        {
          g_autofree char *gap = NULL;

          /* The history no longer has these: say so rather than pretend. */
          gap = g_strdup_printf ("{\"type\":\"gap\",\"from\":%" G_GUINT64_FORMAT ",\"to\":%" G_GUINT64_FORMAT "}",
                                 viewer->sent_seq + 1, first->seq - 1);
          viewer_send_string (viewer, gap);
          viewer->acked_seq += first->seq - 1 - viewer->sent_seq;
        }

      str = g_string_new ("{\"type\":\"events\",\"events\":[");
      for (guint i = 0; i < events->len; i++)
        {
          const MrEvent *event = g_ptr_array_index (events, i);

          if (i > 0)
            g_string_append_c (str, ',');
          g_string_append (str, event_json (self, event));
        }
      g_string_append (str, "]}");

      viewer->sent_seq = ((const MrEvent *) g_ptr_array_index (events, events->len - 1))->seq;
      viewer_send_string (viewer, str->str);
    }
}

static gboolean
flush_cb (gpointer data)
{
  MrHttpServer *self = data;
  g_autoptr(GPtrArray) viewers = NULL;

  g_atomic_int_set (&self->flush_pending, 0);

  /* Viewers may close while we send: work on a snapshot that holds them. */
  viewers = g_ptr_array_new_full (self->viewers->len, (GDestroyNotify) viewer_release);
  for (guint i = 0; i < self->viewers->len; i++)
    g_ptr_array_add (viewers, g_rc_box_acquire (g_ptr_array_index (self->viewers, i)));

  for (guint i = 0; i < viewers->len; i++)
    viewer_pump (g_ptr_array_index (viewers, i));

  return G_SOURCE_REMOVE;
}

static void
schedule_flush (MrHttpServer *self)
{
  g_autoptr(GSource) source = NULL;

  if (!g_atomic_int_compare_and_exchange (&self->flush_pending, 0, 1))
    return;

  /* A short wait gathers the events of a busy moment into one message
   * per viewer instead of one per event (100 viewers x 30 senders). */
  source = g_timeout_source_new (FLUSH_INTERVAL_MS);
  g_source_set_priority (source, G_PRIORITY_DEFAULT);
  g_source_set_name (source, "[mailroom] web view flush");
  g_source_set_callback (source, flush_cb, g_object_ref (self), g_object_unref);
  g_source_attach (source, self->context);
}

/* Runs on whatever thread emitted the event: only schedule. */
static void
on_bus_event_cb (MrEventBus *bus,
                 MrEvent    *event,
                 gpointer    user_data)
{
  MrHttpServer *self = user_data;

  if (self->viewers->len > 0)
    schedule_flush (self);
}

static void
on_viewer_closed_cb (SoupWebsocketConnection *ws,
                     MrHttpViewer            *viewer)
{
  MrHttpServer *self = viewer->server;

  viewer->closed = TRUE;
  g_debug ("viewer closed (%u left)", self->viewers->len - 1);
  g_ptr_array_remove (self->viewers, viewer);
}

static void
on_viewer_message_cb (SoupWebsocketConnection *ws,
                      SoupWebsocketDataType    type,
                      GBytes                  *message,
                      MrHttpViewer            *viewer)
{
  g_autoptr(JsonParser) parser = json_parser_new_immutable ();
  gint64 now = g_get_monotonic_time ();
  JsonNode *root, *ack;
  const char *data;
  gsize len;

  /* Viewers only watch: bound what they may send (issue: "limits on
   * WebSocket message rate"). */
  if (now - viewer->rate_start >= G_USEC_PER_SEC)
    {
      viewer->rate_start = now;
      viewer->rate_count = 0;
    }
  if (++viewer->rate_count > MR_HTTP_DEFAULT_MAX_CLIENT_RATE)
    {
      viewer_send_error (ws, WS_CLOSE_POLICY_VIOLATION, "Too many messages: at most " G_STRINGIFY (MR_HTTP_DEFAULT_MAX_CLIENT_RATE) " per second");
      return;
    }

  data = g_bytes_get_data (message, &len);
  if (type != SOUP_WEBSOCKET_DATA_TEXT ||
      !json_parser_load_from_data (parser, data, len, NULL) ||
      (root = json_parser_get_root (parser)) == NULL ||
      !JSON_NODE_HOLDS_OBJECT (root) ||
      (ack = json_object_get_member (json_node_get_object (root), "ack")) == NULL ||
      !JSON_NODE_HOLDS_VALUE (ack) ||
      json_node_get_value_type (ack) != G_TYPE_INT64)
    {
      viewer_send_error (ws, 0, "Viewers send only {\"ack\": SEQ}");
      return;
    }

  if (json_node_get_int (ack) > 0 && (guint64) json_node_get_int (ack) > viewer->acked_seq)
    viewer->acked_seq = MIN ((guint64) json_node_get_int (ack), viewer->sent_seq);

  viewer_pump (viewer);
}

static void
on_rejected_closed_cb (SoupWebsocketConnection *ws,
                       gpointer                 user_data)
{
  g_object_unref (ws);
}

static void
websocket_cb (SoupServer              *server,
              SoupServerMessage       *msg,
              const char              *path,
              SoupWebsocketConnection *ws,
              gpointer                 user_data)
{
  MrHttpServer *self = user_data;
  g_autofree char *hello = NULL;
  MrHttpViewer *viewer;
  const char *query;
  guint64 since = 0;

  query = g_uri_get_query (soup_server_message_get_uri (msg));
  if (query != NULL)
    {
      g_autoptr(GHashTable) params = g_uri_parse_params (query, -1, "&", G_URI_PARAMS_NONE, NULL);
      const char *since_s = params ? g_hash_table_lookup (params, "since") : NULL;

      if (params == NULL ||
          (since_s != NULL && !g_ascii_string_to_unsigned (since_s, 10, 0, G_MAXUINT64, &since, NULL)))
        {
          g_signal_connect (g_object_ref (ws), "closed", G_CALLBACK (on_rejected_closed_cb), NULL);
          viewer_send_error (ws, WS_CLOSE_POLICY_VIOLATION, "since must be a sequence number");
          return;
        }
    }

  if (self->viewers->len >= self->max_viewers)
    {
      g_autofree char *message = NULL;

      message = g_strdup_printf ("Too many viewers: the limit is %u; try again later", self->max_viewers);
      g_signal_connect (g_object_ref (ws), "closed", G_CALLBACK (on_rejected_closed_cb), NULL);
      viewer_send_error (ws, WS_CLOSE_TOO_MANY_VIEWERS, message);
      return;
    }

  /* A "since" from before a restart of the lab (sequence numbers start
   * again at 1): resume from now; the hello says where. */
  since = MIN (since, mr_event_bus_get_last_seq (self->bus));

  viewer = g_rc_box_new0 (MrHttpViewer);
  viewer->server = self;
  viewer->ws = g_object_ref (ws);
  viewer->sent_seq = since;
  viewer->acked_seq = since;
  viewer->rate_start = g_get_monotonic_time ();
  g_ptr_array_add (self->viewers, viewer);

  soup_websocket_connection_set_max_incoming_payload_size (ws, CLIENT_FRAME_MAX);
  soup_websocket_connection_set_keepalive_interval (ws, 20);
  g_signal_connect (ws, "message", G_CALLBACK (on_viewer_message_cb), viewer);
  g_signal_connect (ws, "closed", G_CALLBACK (on_viewer_closed_cb), viewer);

  hello = g_strdup_printf ("{\"type\":\"hello\",\"since\":%" G_GUINT64_FORMAT
                           ",\"last_seq\":%" G_GUINT64_FORMAT ",\"window\":%u}",
                           since, mr_event_bus_get_last_seq (self->bus), self->viewer_window);
  viewer_send_string (viewer, hello);
  viewer_pump (viewer);
}

/* Static files */

static void
serve_resource (SoupServerMessage *msg,
                const char        *name,
                const char        *content_type)
{
  g_autofree char *path = g_strconcat (WEB_RESOURCE_PATH, name, NULL);
  g_autoptr(GBytes) bytes = NULL;
  SoupMessageHeaders *headers;
  gconstpointer data;
  gsize len;

  bytes = g_resource_lookup_data (mr_http_get_resource (), path, G_RESOURCE_LOOKUP_FLAGS_NONE, NULL);
  if (bytes == NULL)
    {
      _mr_http_reply_error (msg, SOUP_STATUS_NOT_FOUND, NULL, "No such file: %s", name);
      return;
    }

  headers = soup_server_message_get_response_headers (msg);
  soup_message_headers_replace (headers, "Cache-Control", "no-cache");
  soup_message_headers_replace (headers, "X-Content-Type-Options", "nosniff");
  soup_message_headers_replace (headers, "Content-Security-Policy",
                                "default-src 'self'; connect-src 'self' ws: wss:; img-src 'self' data:");
  data = g_bytes_get_data (bytes, &len);
  soup_server_message_set_status (msg, SOUP_STATUS_OK, NULL);
  soup_server_message_set_response (msg, content_type, SOUP_MEMORY_COPY, data, len);
}

/* Query parameters */

static gboolean
query_get_uint (SoupServerMessage *msg,
                GHashTable        *query,
                const char        *name,
                guint64            max,
                guint64            default_value,
                guint64           *value_r)
{
  const char *s = query ? g_hash_table_lookup (query, name) : NULL;

  *value_r = default_value;
  if (s == NULL)
    return TRUE;
  if (!g_ascii_string_to_unsigned (s, 10, 0, max, value_r, NULL))
    {
      _mr_http_reply_error (msg, SOUP_STATUS_BAD_REQUEST, name,
                            "Parameter “%s” must be a whole number from 0 to %" G_GUINT64_FORMAT,
                            name, max);
      return FALSE;
    }
  return TRUE;
}

/* API: events */

static void
handle_events (MrHttpServer      *self,
               SoupServerMessage *msg,
               GHashTable        *query)
{
  g_autoptr(GPtrArray) events = NULL;
  GString *str;
  guint64 since, limit, next;

  if (!query_get_uint (msg, query, "since", G_MAXINT64, 0, &since) ||
      !query_get_uint (msg, query, "limit", EVENTS_PAGE_MAX, EVENTS_PAGE_DEFAULT, &limit))
    return;
  if (limit == 0)
    limit = EVENTS_PAGE_DEFAULT;

  events = mr_event_bus_dup_since (self->bus, since, (guint) limit);
  next = since;

  str = g_string_new ("{\"events\":[");
  for (guint i = 0; i < events->len; i++)
    {
      const MrEvent *event = g_ptr_array_index (events, i);

      if (i > 0)
        g_string_append_c (str, ',');
      g_string_append (str, event_json (self, event));
      next = event->seq;
    }
  g_string_append_printf (str, "],\"since\":%" G_GUINT64_FORMAT ",\"next_since\":%" G_GUINT64_FORMAT
                          ",\"last_seq\":%" G_GUINT64_FORMAT ",\"more\":%s}",
                          since, next, mr_event_bus_get_last_seq (self->bus),
                          next < mr_event_bus_get_last_seq (self->bus) ? "true" : "false");
  reply_string (msg, SOUP_STATUS_OK, str);
}

/* API: accounts, folders, messages */

static void
add_mailbox_json (JsonBuilder *builder,
                  MrMailbox   *mailbox)
{
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "name");
  json_builder_add_string_value (builder, mr_mailbox_get_name (mailbox));
  json_builder_set_member_name (builder, "special_use");
  if (mr_mailbox_get_special_use (mailbox))
    json_builder_add_string_value (builder, mr_mailbox_get_special_use (mailbox));
  else
    json_builder_add_null_value (builder);
  json_builder_set_member_name (builder, "messages");
  json_builder_add_int_value (builder, mr_mailbox_get_n_messages (mailbox));
  json_builder_set_member_name (builder, "unseen");
  json_builder_add_int_value (builder, mr_mailbox_count_unseen (mailbox));
  json_builder_set_member_name (builder, "size");
  json_builder_add_int_value (builder, mr_mailbox_get_total_size (mailbox));
  json_builder_set_member_name (builder, "uidvalidity");
  json_builder_add_int_value (builder, mr_mailbox_get_uidvalidity (mailbox));
  json_builder_set_member_name (builder, "uidnext");
  json_builder_add_int_value (builder, mr_mailbox_get_uidnext (mailbox));
  json_builder_set_member_name (builder, "subscribed");
  json_builder_add_boolean_value (builder, mr_mailbox_get_subscribed (mailbox));
  json_builder_end_object (builder);
}

static void
add_account_json (JsonBuilder *builder,
                  MrAccount   *account)
{
  MrMailbox *inbox = mr_account_get_inbox (account);

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "address");
  json_builder_add_string_value (builder, mr_account_get_address (account));
  json_builder_set_member_name (builder, "name");
  if (mr_account_get_display_name (account))
    json_builder_add_string_value (builder, mr_account_get_display_name (account));
  else
    json_builder_add_null_value (builder);
  json_builder_set_member_name (builder, "folders");
  json_builder_add_int_value (builder, g_list_model_get_n_items (mr_account_get_mailboxes (account)));
  json_builder_set_member_name (builder, "inbox_messages");
  json_builder_add_int_value (builder, inbox ? mr_mailbox_get_n_messages (inbox) : 0);
  json_builder_set_member_name (builder, "inbox_unseen");
  json_builder_add_int_value (builder, inbox ? mr_mailbox_count_unseen (inbox) : 0);
  json_builder_set_member_name (builder, "locked");
  json_builder_add_boolean_value (builder, mr_account_is_locked (account));
  json_builder_end_object (builder);
}

static void
add_flags_json (JsonBuilder *builder,
                MrMessage   *message)
{
  g_autofree char *flags = NULL;
  g_auto(GStrv) names = NULL;

  flags = mr_message_flags_to_string (mr_message_get_flags (message), mr_message_get_keywords (message));
  names = g_strsplit (flags, " ", -1);

  json_builder_set_member_name (builder, "flags");
  json_builder_begin_array (builder);
  for (guint i = 0; names[i]; i++)
    if (names[i][0] != '\0')
      json_builder_add_string_value (builder, names[i]);
  json_builder_end_array (builder);
}

static void
add_header_member (JsonBuilder *builder,
                   MrMessage   *message,
                   const char  *header,
                   const char  *member)
{
  g_autofree char *value = mr_message_dup_header (message, header);

  json_builder_set_member_name (builder, member);
  if (value != NULL)
    json_builder_add_string_value (builder, value);
  else
    json_builder_add_null_value (builder);
}

static void
add_message_summary (JsonBuilder *builder,
                     MrMessage   *message)
{
  json_builder_set_member_name (builder, "uid");
  json_builder_add_int_value (builder, mr_message_get_uid (message));
  json_builder_set_member_name (builder, "size");
  json_builder_add_int_value (builder, mr_message_get_size (message));
  json_builder_set_member_name (builder, "internal_date");
  json_builder_add_int_value (builder, mr_message_get_internal_date (message));
  add_flags_json (builder, message);
  add_header_member (builder, message, "From", "from");
  add_header_member (builder, message, "To", "to");
  add_header_member (builder, message, "Subject", "subject");
  add_header_member (builder, message, "Date", "date");
  add_header_member (builder, message, "Message-ID", "message_id");
}

static void
add_mime_part (JsonBuilder *builder,
               GMimeObject *object,
               guint        depth)
{
  GMimeContentType *content_type = g_mime_object_get_content_type (object);
  g_autofree char *mime_type = content_type ? g_mime_content_type_get_mime_type (content_type) : NULL;
  const char *disposition = g_mime_object_get_disposition (object);

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "content_type");
  json_builder_add_string_value (builder, mime_type ? mime_type : "text/plain");
  json_builder_set_member_name (builder, "disposition");
  if (disposition)
    json_builder_add_string_value (builder, disposition);
  else
    json_builder_add_null_value (builder);

  /* Nesting is bounded by GMime's parser; we cap what we print too. */
  if (GMIME_IS_MULTIPART (object) && depth < 32)
    {
      GMimeMultipart *multipart = GMIME_MULTIPART (object);

      json_builder_set_member_name (builder, "parts");
      json_builder_begin_array (builder);
      for (int i = 0; i < g_mime_multipart_get_count (multipart); i++)
        add_mime_part (builder, g_mime_multipart_get_part (multipart, i), depth + 1);
      json_builder_end_array (builder);
    }
  else if (GMIME_IS_MESSAGE_PART (object) && depth < 32)
    {
      GMimeMessage *inner = g_mime_message_part_get_message (GMIME_MESSAGE_PART (object));

      json_builder_set_member_name (builder, "parts");
      json_builder_begin_array (builder);
      if (inner != NULL && g_mime_message_get_mime_part (inner) != NULL)
        add_mime_part (builder, g_mime_message_get_mime_part (inner), depth + 1);
      json_builder_end_array (builder);
    }
  else if (GMIME_IS_PART (object))
    {
      GMimePart *part = GMIME_PART (object);
      GMimeDataWrapper *content = g_mime_part_get_content (part);
      const char *filename = g_mime_part_get_filename (part);
      gint64 size = 0;

      if (content != NULL)
        {
          GMimeStream *null_stream = g_mime_stream_null_new ();

          size = g_mime_data_wrapper_write_to_stream (content, null_stream);
          g_object_unref (null_stream);
        }

      json_builder_set_member_name (builder, "filename");
      if (filename)
        json_builder_add_string_value (builder, filename);
      else
        json_builder_add_null_value (builder);
      json_builder_set_member_name (builder, "size");
      json_builder_add_int_value (builder, MAX (size, 0));

      if (GMIME_IS_TEXT_PART (object))
        {
          g_autofree char *text = g_mime_text_part_get_text (GMIME_TEXT_PART (object));

          if (text != NULL && strlen (text) > TEXT_PART_MAX)
            {
              const char *end = g_utf8_find_prev_char (text, text + TEXT_PART_MAX);

              text[end ? end - text : 0] = '\0';
              json_builder_set_member_name (builder, "truncated");
              json_builder_add_boolean_value (builder, TRUE);
            }
          json_builder_set_member_name (builder, "text");
          if (text != NULL && g_utf8_validate (text, -1, NULL))
            json_builder_add_string_value (builder, text);
          else
            json_builder_add_null_value (builder);
        }
    }

  json_builder_end_object (builder);
}

static void
handle_message (MrHttpServer      *self,
                SoupServerMessage *msg,
                MrMailbox         *mailbox,
                MrMessage         *message,
                const char        *what)
{
  const char *method = soup_server_message_get_method (msg);

  if (what == NULL && strcmp (method, SOUP_METHOD_DELETE) == 0)
    {
      g_autoptr(GError) error = NULL;

      if (!_mr_http_check_teacher (self, msg))
        return;
      if (!mr_mailbox_expunge (mailbox, message, &error))
        {
          _mr_http_reply_error (msg, SOUP_STATUS_INTERNAL_SERVER_ERROR, NULL,
                                "Could not delete the message: %s", error->message);
          return;
        }
      soup_server_message_set_status (msg, SOUP_STATUS_NO_CONTENT, NULL);
      return;
    }

  if (strcmp (method, SOUP_METHOD_GET) != 0 && strcmp (method, SOUP_METHOD_HEAD) != 0)
    {
      reply_method_not_allowed (msg, what ? "GET" : "GET, DELETE");
      return;
    }

  if (g_strcmp0 (what, "raw") == 0)
    {
      GBytes *raw = mr_message_get_raw (message);

      soup_server_message_set_status (msg, SOUP_STATUS_OK, NULL);
      soup_message_headers_replace (soup_server_message_get_response_headers (msg),
                                    "X-Content-Type-Options", "nosniff");
      soup_server_message_set_response (msg, "message/rfc822",
                                        SOUP_MEMORY_COPY,
                                        g_bytes_get_data (raw, NULL), g_bytes_get_size (raw));
    }
  else if (what == NULL)
    {
      g_autoptr(JsonBuilder) builder = json_builder_new ();
      GMimeMessage *mime = mr_message_get_mime (message);

      json_builder_begin_object (builder);
      add_message_summary (builder, message);
      json_builder_set_member_name (builder, "headers");
      json_builder_begin_array (builder);
      if (mime != NULL)
        {
          GMimeHeaderList *headers = g_mime_object_get_header_list (GMIME_OBJECT (mime));

          for (int i = 0; i < g_mime_header_list_get_count (headers); i++)
            {
              GMimeHeader *header = g_mime_header_list_get_header_at (headers, i);
              const char *value = g_mime_header_get_value (header);

              json_builder_begin_object (builder);
              json_builder_set_member_name (builder, "name");
              json_builder_add_string_value (builder, g_mime_header_get_name (header));
              json_builder_set_member_name (builder, "value");
              json_builder_add_string_value (builder, value && g_utf8_validate (value, -1, NULL) ? value : "");
              json_builder_end_object (builder);
            }
        }
      json_builder_end_array (builder);
      json_builder_set_member_name (builder, "mime");
      if (mime != NULL && g_mime_message_get_mime_part (mime) != NULL)
        add_mime_part (builder, g_mime_message_get_mime_part (mime), 0);
      else
        json_builder_add_null_value (builder);
      json_builder_end_object (builder);
      reply_builder (msg, SOUP_STATUS_OK, builder);
    }
  else
    _mr_http_reply_error (msg, SOUP_STATUS_NOT_FOUND, NULL, "No such resource: %s", what);
}

static void
handle_messages (MrHttpServer      *self,
                 SoupServerMessage *msg,
                 GHashTable        *query,
                 MrMailbox         *mailbox)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  guint64 offset, limit;
  guint n = mr_mailbox_get_n_messages (mailbox);

  if (!query_get_uint (msg, query, "offset", G_MAXUINT, 0, &offset) ||
      !query_get_uint (msg, query, "limit", MESSAGES_PAGE_MAX, MESSAGES_PAGE_MAX, &limit))
    return;

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "folder");
  json_builder_add_string_value (builder, mr_mailbox_get_name (mailbox));
  json_builder_set_member_name (builder, "total");
  json_builder_add_int_value (builder, n);
  json_builder_set_member_name (builder, "messages");
  json_builder_begin_array (builder);
  for (guint64 i = offset; i < n && i < offset + limit; i++)
    {
      json_builder_begin_object (builder);
      add_message_summary (builder, mr_mailbox_get_message (mailbox, (guint) i));
      json_builder_end_object (builder);
    }
  json_builder_end_array (builder);
  json_builder_end_object (builder);
  reply_builder (msg, SOUP_STATUS_OK, builder);
}

/* /api/v1/accounts/{address}[/folders[/{name}[/messages[/{uid}[/raw]]]]] */
static void
handle_accounts (MrHttpServer      *self,
                 SoupServerMessage *msg,
                 GHashTable        *query,
                 char             **segments)
{
  MrStore *store = mr_engine_get_store (self->engine);
  guint n = g_strv_length (segments);
  gboolean is_get = strcmp (soup_server_message_get_method (msg), SOUP_METHOD_GET) == 0 ||
                    strcmp (soup_server_message_get_method (msg), SOUP_METHOD_HEAD) == 0;
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  MrAccount *account;
  MrMailbox *mailbox;
  MrMessage *message;
  guint64 uid;

  if (n < 5 && !is_get)
    {
      reply_method_not_allowed (msg, "GET");
      return;
    }

  if (n == 0)
    {
      GListModel *accounts = mr_store_get_accounts (store);

      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "accounts");
      json_builder_begin_array (builder);
      for (guint i = 0; i < g_list_model_get_n_items (accounts); i++)
        {
          g_autoptr(MrAccount) item = g_list_model_get_item (accounts, i);

          add_account_json (builder, item);
        }
      json_builder_end_array (builder);
      json_builder_end_object (builder);
      reply_builder (msg, SOUP_STATUS_OK, builder);
      return;
    }

  account = mr_store_lookup_account (store, segments[0]);
  if (account == NULL)
    {
      _mr_http_reply_error (msg, SOUP_STATUS_NOT_FOUND, "address", "No account “%s”", segments[0]);
      return;
    }

  if (n == 1)
    {
      add_account_json (builder, account);
      reply_builder (msg, SOUP_STATUS_OK, builder);
      return;
    }

  if (strcmp (segments[1], "folders") != 0)
    {
      _mr_http_reply_error (msg, SOUP_STATUS_NOT_FOUND, NULL, "No such resource: %s", segments[1]);
      return;
    }

  if (n == 2)
    {
      GListModel *mailboxes = mr_account_get_mailboxes (account);

      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "address");
      json_builder_add_string_value (builder, mr_account_get_address (account));
      json_builder_set_member_name (builder, "folders");
      json_builder_begin_array (builder);
      for (guint i = 0; i < g_list_model_get_n_items (mailboxes); i++)
        {
          g_autoptr(MrMailbox) item = g_list_model_get_item (mailboxes, i);

          add_mailbox_json (builder, item);
        }
      json_builder_end_array (builder);
      json_builder_end_object (builder);
      reply_builder (msg, SOUP_STATUS_OK, builder);
      return;
    }

  mailbox = mr_account_lookup_mailbox (account, segments[2]);
  if (mailbox == NULL)
    {
      _mr_http_reply_error (msg, SOUP_STATUS_NOT_FOUND, "folder", "No folder “%s” in %s",
                            segments[2], mr_account_get_address (account));
      return;
    }

  if (n == 3)
    {
      add_mailbox_json (builder, mailbox);
      reply_builder (msg, SOUP_STATUS_OK, builder);
      return;
    }

  if (strcmp (segments[3], "messages") != 0 || n > 6)
    {
      _mr_http_reply_error (msg, SOUP_STATUS_NOT_FOUND, NULL, "No such resource: %s", segments[3]);
      return;
    }

  if (n == 4)
    {
      handle_messages (self, msg, query, mailbox);
      return;
    }

  if (!g_ascii_string_to_unsigned (segments[4], 10, 1, G_MAXUINT32, &uid, NULL))
    {
      _mr_http_reply_error (msg, SOUP_STATUS_BAD_REQUEST, "uid", "“%s” is not a message UID", segments[4]);
      return;
    }
  message = mr_mailbox_lookup_uid (mailbox, (guint32) uid);
  if (message == NULL)
    {
      _mr_http_reply_error (msg, SOUP_STATUS_NOT_FOUND, "uid", "No message with UID %" G_GUINT64_FORMAT " in %s",
                            uid, mr_mailbox_get_name (mailbox));
      return;
    }

  handle_message (self, msg, mailbox, message, n == 6 ? segments[5] : NULL);
}

/* API: reply catalog */

static void
handle_reply_codes (MrHttpServer      *self,
                    SoupServerMessage *msg)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  const MrReplyInfo *all;
  guint n;

  all = mr_reply_catalog_get_all (&n);

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "classes");
  json_builder_begin_object (builder);
  for (guint c = 2; c <= 5; c++)
    {
      char name[2] = { (char) ('0' + c), 0 };

      json_builder_set_member_name (builder, name);
      json_builder_add_string_value (builder, mr_reply_class_explain (c));
    }
  json_builder_end_object (builder);

  json_builder_set_member_name (builder, "replies");
  json_builder_begin_array (builder);
  for (guint i = 0; i < n; i++)
    {
      const MrReplyInfo *info = &all[i];

      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "code");
      json_builder_add_int_value (builder, info->code);
      json_builder_set_member_name (builder, "enhanced");
      if (info->enhanced)
        json_builder_add_string_value (builder, info->enhanced);
      else
        json_builder_add_null_value (builder);
      json_builder_set_member_name (builder, "text");
      json_builder_add_string_value (builder, info->text ? info->text : "");
      json_builder_set_member_name (builder, "explanation");
      json_builder_add_string_value (builder, info->explanation ? g_dgettext (GETTEXT_PACKAGE, info->explanation) : "");
      json_builder_set_member_name (builder, "advice");
      json_builder_add_string_value (builder, mr_reply_advice_to_string (info->advice));
      json_builder_set_member_name (builder, "rfc");
      if (info->rfc)
        json_builder_add_string_value (builder, info->rfc);
      else
        json_builder_add_null_value (builder);
      json_builder_end_object (builder);
    }
  json_builder_end_array (builder);
  json_builder_end_object (builder);
  reply_builder (msg, SOUP_STATUS_OK, builder);
}

/* API: clock */

static void
reply_clock (MrHttpServer      *self,
             SoupServerMessage *msg)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  MrClock *clock = mr_engine_get_clock (self->engine);
  g_autoptr(GDateTime) now = mr_clock_dup_now (clock);
  g_autofree char *iso = now ? g_date_time_format_iso8601 (now) : NULL;
  gint64 next_due = mr_clock_get_next_due (clock);

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "mode");
  json_builder_add_string_value (builder, mr_clock_mode_to_string (mr_clock_get_mode (clock)));
  json_builder_set_member_name (builder, "speed");
  json_builder_add_double_value (builder, mr_clock_get_speed (clock));
  json_builder_set_member_name (builder, "now");
  json_builder_add_int_value (builder, mr_clock_now (clock));
  json_builder_set_member_name (builder, "now_iso");
  json_builder_add_string_value (builder, iso ? iso : "");
  json_builder_set_member_name (builder, "next_due");
  if (next_due >= 0)
    json_builder_add_int_value (builder, next_due);
  else
    json_builder_add_null_value (builder);
  json_builder_end_object (builder);
  reply_builder (msg, SOUP_STATUS_OK, builder);
}

static void
handle_clock (MrHttpServer      *self,
              SoupServerMessage *msg)
{
  static const MrHttpField fields[] = {
    { "mode", MR_HTTP_FIELD_STRING },
    { "speed", MR_HTTP_FIELD_NUMBER },
    { "step", MR_HTTP_FIELD_INTEGER },
    { "advance", MR_HTTP_FIELD_NUMBER },
  };
  const char *method = soup_server_message_get_method (msg);
  MrClock *clock = mr_engine_get_clock (self->engine);
  g_autoptr(JsonObject) body = NULL;
  MrClockMode mode = mr_clock_get_mode (clock);
  double speed = mr_clock_get_speed (clock);
  gint64 steps = 0;
  double advance = 0;

  if (strcmp (method, SOUP_METHOD_GET) == 0 || strcmp (method, SOUP_METHOD_HEAD) == 0)
    {
      reply_clock (self, msg);
      return;
    }
  if (strcmp (method, SOUP_METHOD_PUT) != 0)
    {
      reply_method_not_allowed (msg, "GET, PUT");
      return;
    }
  if (!_mr_http_check_teacher (self, msg))
    return;
  if (!(body = _mr_http_parse_body (self, msg, fields, G_N_ELEMENTS (fields))))
    return;

  /* Validate everything before changing anything. */
  if (json_object_has_member (body, "mode") &&
      !mr_clock_mode_from_string (json_object_get_string_member (body, "mode"), &mode))
    {
      _mr_http_reply_error (msg, SOUP_STATUS_BAD_REQUEST, "mode", "Field “mode” must be “realtime” or “step”");
      return;
    }
  if (json_object_has_member (body, "speed"))
    {
      speed = json_object_get_double_member (body, "speed");
      if (!(speed >= 0.01 && speed <= 10000))
        {
          _mr_http_reply_error (msg, SOUP_STATUS_BAD_REQUEST, "speed", "Field “speed” must be from 0.01 to 10000");
          return;
        }
    }
  if (json_object_has_member (body, "step"))
    {
      steps = json_object_get_int_member (body, "step");
      if (steps < 0 || steps > 1000)
        {
          _mr_http_reply_error (msg, SOUP_STATUS_BAD_REQUEST, "step", "Field “step” must be from 0 to 1000");
          return;
        }
    }
  if (json_object_has_member (body, "advance"))
    {
      advance = json_object_get_double_member (body, "advance");
      /* A year of virtual time is plenty for any retry schedule. */
      if (!(advance >= 0 && advance <= 366.0 * 24 * 3600))
        {
          _mr_http_reply_error (msg, SOUP_STATUS_BAD_REQUEST, "advance",
                                "Field “advance” must be a number of seconds from 0 to one year");
          return;
        }
    }

  if (mode != mr_clock_get_mode (clock))
    mr_clock_set_mode (clock, mode);
  if (speed != mr_clock_get_speed (clock))
    mr_clock_set_speed (clock, speed);
  if (advance > 0)
    mr_clock_advance (clock, (gint64) (advance * G_USEC_PER_SEC));
  for (gint64 i = 0; i < steps; i++)
    mr_clock_step (clock);

  reply_clock (self, msg);
}

/* API: scenario */

/* The read-only API never shows passwords. */
static void
strip_passwords (JsonNode *root)
{
  JsonObject *object;
  JsonArray *accounts;

  if (!JSON_NODE_HOLDS_OBJECT (root))
    return;
  object = json_node_get_object (root);
  if (!json_object_has_member (object, "accounts") ||
      !JSON_NODE_HOLDS_ARRAY (json_object_get_member (object, "accounts")))
    return;
  accounts = json_object_get_array_member (object, "accounts");
  for (guint i = 0; i < json_array_get_length (accounts); i++)
    {
      JsonNode *account = json_array_get_element (accounts, i);

      if (JSON_NODE_HOLDS_OBJECT (account))
        json_object_remove_member (json_node_get_object (account), "password");
    }
}

static void
handle_scenario (MrHttpServer      *self,
                 SoupServerMessage *msg)
{
  const char *method = soup_server_message_get_method (msg);

  if (strcmp (method, SOUP_METHOD_GET) == 0 || strcmp (method, SOUP_METHOD_HEAD) == 0)
    {
      MrScenario *scenario = mr_engine_get_scenario (self->engine);
      g_autoptr(JsonNode) root = NULL;

      if (scenario == NULL)
        {
          _mr_http_reply_error (msg, SOUP_STATUS_NOT_FOUND, NULL, "No scenario is loaded");
          return;
        }
      root = mr_scenario_to_json (scenario);
      strip_passwords (root);
      _mr_http_reply_json (msg, SOUP_STATUS_OK, root);
      return;
    }

  if (strcmp (method, SOUP_METHOD_PUT) == 0)
    {
      g_autoptr(GBytes) body = NULL;
      g_autoptr(MrScenario) scenario = NULL;
      g_autoptr(GError) error = NULL;
      g_autofree char *path = NULL;
      const char *content_type;
      const char *data;
      gsize len;
      int fd;

      if (!_mr_http_check_teacher (self, msg))
        return;

      content_type = soup_message_headers_get_content_type (soup_server_message_get_request_headers (msg), NULL);
      if (content_type == NULL || g_ascii_strcasecmp (content_type, "application/json") != 0)
        {
          _mr_http_reply_error (msg, SOUP_STATUS_UNSUPPORTED_MEDIA_TYPE, NULL,
                                "The body must be sent as application/json, not %s",
                                content_type ? content_type : "untyped");
          return;
        }
      body = soup_message_body_flatten (soup_server_message_get_request_body (msg));
      data = g_bytes_get_data (body, &len);
      if (len > self->max_body)
        {
          _mr_http_reply_error (msg, SOUP_STATUS_REQUEST_ENTITY_TOO_LARGE, NULL,
                                "The body is larger than %" G_GSIZE_FORMAT " bytes", self->max_body);
          return;
        }

      /* Validate before touching the lab: the loader names the member. */
      scenario = mr_scenario_new_from_data (data ? data : "", (gssize) len, &error);
      if (scenario == NULL)
        {
          _mr_http_reply_error (msg, SOUP_STATUS_BAD_REQUEST, NULL, "%s", error->message);
          return;
        }

      /* The engine loads scenarios from files. */
      fd = g_file_open_tmp ("mailroom-scenario-XXXXXX.json", &path, &error);
      if (fd < 0 ||
          !g_close (fd, &error) ||
          !g_file_set_contents (path, data ? data : "", (gssize) len, &error) ||
          !mr_engine_load_scenario (self->engine, path, &error))
        {
          if (path != NULL)
            g_unlink (path);
          _mr_http_reply_error (msg, g_error_matches (error, MR_ERROR, MR_ERROR_INVALID_DATA)
                                       ? SOUP_STATUS_BAD_REQUEST : SOUP_STATUS_INTERNAL_SERVER_ERROR,
                                NULL, "%s", error->message);
          return;
        }
      g_unlink (path);

      {
        g_autoptr(JsonNode) root = mr_scenario_to_json (mr_engine_get_scenario (self->engine));

        strip_passwords (root);
        _mr_http_reply_json (msg, SOUP_STATUS_OK, root);
      }
      return;
    }

  reply_method_not_allowed (msg, "GET, PUT");
}

/* API: relay queue */

static void
handle_queue (MrHttpServer      *self,
              SoupServerMessage *msg)
{
  MrWorld *world = mr_engine_get_world (self->engine);
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  GListModel *queue;

  if (!is_get (msg))
    {
      reply_method_not_allowed (msg, "GET");
      return;
    }
  if (world == NULL || (queue = mr_world_get_queue (world)) == NULL)
    {
      reply_not_implemented (msg, "relay queue (the world is not set up)");
      return;
    }

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "items");
  json_builder_begin_array (builder);
  for (guint i = 0; i < g_list_model_get_n_items (queue); i++)
    {
      g_autoptr(MrQueueItem) item = g_list_model_get_item (queue, i);
      gint64 next = mr_queue_item_get_next_attempt (item);

      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "id");
      json_builder_add_string_value (builder, mr_queue_item_get_id (item));
      json_builder_set_member_name (builder, "sender");
      json_builder_add_string_value (builder, mr_queue_item_get_sender (item) ? mr_queue_item_get_sender (item) : "");
      json_builder_set_member_name (builder, "size");
      json_builder_add_int_value (builder, mr_queue_item_get_message (item) ? g_bytes_get_size (mr_queue_item_get_message (item)) : 0);
      json_builder_set_member_name (builder, "arrival");
      json_builder_add_int_value (builder, mr_queue_item_get_arrival (item));
      json_builder_set_member_name (builder, "next_attempt");
      if (next > 0)
        json_builder_add_int_value (builder, next);
      else
        json_builder_add_null_value (builder);
      json_builder_set_member_name (builder, "done");
      json_builder_add_boolean_value (builder, mr_queue_item_get_done (item));
      json_builder_set_member_name (builder, "bounce");
      json_builder_add_boolean_value (builder, mr_queue_item_is_bounce (item));
      json_builder_set_member_name (builder, "recipients");
      json_builder_begin_array (builder);
      for (guint r = 0; r < mr_queue_item_get_n_recipients (item); r++)
        {
          const MrQueueRecipient *rcpt = mr_queue_item_get_recipient (item, r);

          json_builder_begin_object (builder);
          json_builder_set_member_name (builder, "address");
          json_builder_add_string_value (builder, rcpt->address ? rcpt->address : "");
          json_builder_set_member_name (builder, "state");
          json_builder_add_string_value (builder, mr_queue_rcpt_state_to_string (rcpt->state));
          json_builder_set_member_name (builder, "attempts");
          json_builder_add_int_value (builder, rcpt->attempts);
          json_builder_set_member_name (builder, "remote_host");
          if (rcpt->remote_host)
            json_builder_add_string_value (builder, rcpt->remote_host);
          else
            json_builder_add_null_value (builder);
          json_builder_set_member_name (builder, "code");
          json_builder_add_int_value (builder, rcpt->code);
          json_builder_set_member_name (builder, "enhanced");
          if (rcpt->enhanced)
            json_builder_add_string_value (builder, rcpt->enhanced);
          else
            json_builder_add_null_value (builder);
          json_builder_set_member_name (builder, "text");
          if (rcpt->text && g_utf8_validate (rcpt->text, -1, NULL))
            json_builder_add_string_value (builder, rcpt->text);
          else
            json_builder_add_null_value (builder);
          json_builder_end_object (builder);
        }
      json_builder_end_array (builder);
      json_builder_end_object (builder);
    }
  json_builder_end_array (builder);
  json_builder_end_object (builder);
  reply_builder (msg, SOUP_STATUS_OK, builder);
}

static void
handle_info (MrHttpServer      *self,
             SoupServerMessage *msg)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "name");
  json_builder_add_string_value (builder, "Mailroom");
  json_builder_set_member_name (builder, "version");
  json_builder_add_string_value (builder, PACKAGE_VERSION);
  json_builder_set_member_name (builder, "last_seq");
  json_builder_add_int_value (builder, (gint64) mr_event_bus_get_last_seq (self->bus));
  json_builder_set_member_name (builder, "viewers");
  json_builder_add_int_value (builder, self->viewers->len);
  json_builder_set_member_name (builder, "max_viewers");
  json_builder_add_int_value (builder, self->max_viewers);
  json_builder_set_member_name (builder, "classroom");
  json_builder_add_boolean_value (builder, self->classroom);
  json_builder_set_member_name (builder, "servers");
  json_builder_begin_array (builder);
  for (MrService service = 0; service < MR_N_SERVICES; service++)
    {
      guint16 port = mr_engine_get_port (self->engine, service);

      if (port == 0)
        continue;
      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "service");
      json_builder_add_string_value (builder, mr_service_to_string (service));
      json_builder_set_member_name (builder, "port");
      json_builder_add_int_value (builder, port);
      json_builder_set_member_name (builder, "host");
      json_builder_add_string_value (builder, mr_engine_get_server_name (self->engine, service));
      json_builder_end_object (builder);
    }
  json_builder_end_array (builder);
  json_builder_end_object (builder);
  reply_builder (msg, SOUP_STATUS_OK, builder);
}

/* Routing */

/* Splits a raw path into decoded segments; NULL if a segment does not
 * decode (a "%" that is not an escape, or an encoded NUL). */
static char **
split_path (const char *path)
{
  g_auto(GStrv) raw = g_strsplit (path[0] == '/' ? path + 1 : path, "/", 32);
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  guint n = g_strv_length (raw);

  /* "/api/v1/accounts/" is "/api/v1/accounts" */
  if (n > 0 && raw[n - 1][0] == '\0')
    n--;

  for (guint i = 0; i < n; i++)
    {
      g_autofree char *segment = g_uri_unescape_string (raw[i], NULL);

      if (segment == NULL)
        return NULL;
      g_strv_builder_add (builder, segment);
    }

  return g_strv_builder_end (builder);
}

static gboolean
is_get (SoupServerMessage *msg)
{
  const char *m = soup_server_message_get_method (msg);

  return strcmp (m, SOUP_METHOD_GET) == 0 || strcmp (m, SOUP_METHOD_HEAD) == 0;
}

static gboolean
is_method (SoupServerMessage *msg,
           const char        *method)
{
  const char *m = soup_server_message_get_method (msg);

  return strcmp (m, method) == 0 || (strcmp (method, SOUP_METHOD_GET) == 0 && strcmp (m, SOUP_METHOD_HEAD) == 0);
}

static void
route_api (MrHttpServer      *self,
           SoupServerMessage *msg,
           GHashTable        *query,
           char             **segments)
{
  guint n = g_strv_length (segments);

  if (n == 0 || (n == 1 && strcmp (segments[0], "info") == 0))
    {
      if (!is_method (msg, SOUP_METHOD_GET))
        reply_method_not_allowed (msg, "GET");
      else
        handle_info (self, msg);
    }
  else if (strcmp (segments[0], "openapi.json") == 0 && n == 1)
    {
      if (!is_method (msg, SOUP_METHOD_GET))
        reply_method_not_allowed (msg, "GET");
      else
        serve_resource (msg, "openapi.json", "application/json");
    }
  else if (strcmp (segments[0], "events") == 0 && n == 1)
    {
      if (!is_method (msg, SOUP_METHOD_GET))
        reply_method_not_allowed (msg, "GET");
      else
        handle_events (self, msg, query);
    }
  else if (strcmp (segments[0], "events") == 0 && n == 2 && strcmp (segments[1], "stream") == 0)
    _mr_http_reply_error (msg, SOUP_STATUS_BAD_REQUEST, NULL,
                          "The event stream is a WebSocket: connect with ws://");
  else if (strcmp (segments[0], "accounts") == 0)
    handle_accounts (self, msg, query, segments + 1);
  else if (strcmp (segments[0], "reply-codes") == 0 && n == 1)
    {
      if (!is_method (msg, SOUP_METHOD_GET))
        reply_method_not_allowed (msg, "GET");
      else
        handle_reply_codes (self, msg);
    }
  else if (strcmp (segments[0], "clock") == 0 && n == 1)
    handle_clock (self, msg);
  else if (strcmp (segments[0], "send") == 0 && n == 1)
    {
      if (!is_method (msg, SOUP_METHOD_POST))
        reply_method_not_allowed (msg, "POST");
      else
        _mr_http_handle_send (self, msg);
    }
  else if (strcmp (segments[0], "faults") == 0)
    _mr_http_handle_faults (self, msg, query, segments + 1);
  else if (strcmp (segments[0], "queue") == 0 && n == 1)
    handle_queue (self, msg);
  else if (strcmp (segments[0], "scenario") == 0 && n == 1)
    handle_scenario (self, msg);
  else if (strcmp (segments[0], "lessons") == 0)
    _mr_http_handle_lessons (self, msg, segments + 1);
  else
    _mr_http_reply_error (msg, SOUP_STATUS_NOT_FOUND, NULL, "No such API: /api/v1/%s", segments[0]);
}

static void
server_cb (SoupServer        *server,
           SoupServerMessage *msg,
           const char        *path,
           GHashTable        *query,
           gpointer           user_data)
{
  MrHttpServer *self = user_data;
  g_auto(GStrv) segments = NULL;
  guint n;

  g_assert (MR_IS_HTTP_SERVER (self));

  /* The early handler answered already (403/411/413). */
  if (soup_server_message_get_status (msg) != 0)
    return;

  if (self->engine == NULL)
    {
      _mr_http_reply_error (msg, SOUP_STATUS_SERVICE_UNAVAILABLE, NULL, "The lab is shutting down");
      return;
    }

  segments = split_path (path);
  if (segments == NULL)
    {
      _mr_http_reply_error (msg, SOUP_STATUS_BAD_REQUEST, NULL, "The path is not valid percent-encoding");
      return;
    }
  n = g_strv_length (segments);

  if (n >= 2 && strcmp (segments[0], "api") == 0 && strcmp (segments[1], "v1") == 0)
    {
      route_api (self, msg, query, segments + 2);
      return;
    }

  if (n <= 1)
    {
      static const struct { const char *name; const char *type; } files[] = {
        { "index.html", "text/html; charset=utf-8" },
        { "app.js", "text/javascript; charset=utf-8" },
        { "style.css", "text/css; charset=utf-8" },
      };
      const char *name = n == 0 ? "index.html" : segments[0];

      for (guint i = 0; i < G_N_ELEMENTS (files); i++)
        {
          if (strcmp (files[i].name, name) == 0)
            {
              if (!is_method (msg, SOUP_METHOD_GET))
                reply_method_not_allowed (msg, "GET");
              else
                serve_resource (msg, files[i].name, files[i].type);
              return;
            }
        }
    }

  _mr_http_reply_error (msg, SOUP_STATUS_NOT_FOUND, NULL, "Nothing at %s", path);
}

/* Runs once the headers are in, before the body is read. */
static void
early_cb (SoupServer        *server,
          SoupServerMessage *msg,
          const char        *path,
          GHashTable        *query,
          gpointer           user_data)
{
  MrHttpServer *self = user_data;
  SoupMessageHeaders *headers = soup_server_message_get_request_headers (msg);

  /* libsoup 3.2 (Debian 12) never notices when a client closes an idle
   * keep-alive connection and keeps its socket forever (fixed upstream in
   * 3.3.0, "Don't leak idle connections closed by the client"). One
   * request per connection costs little here and bounds the sockets. The
   * event stream keeps its connection: it upgrades to a WebSocket. */
  if (strcmp (path, STREAM_PATH) != 0)
    soup_message_headers_replace (soup_server_message_get_response_headers (msg), "Connection", "close");

  if (!client_is_allowed (self, msg))
    {
      _mr_http_reply_error (msg, SOUP_STATUS_FORBIDDEN, NULL,
                            "Classroom mode is off: only this computer may connect");
      return;
    }

  if (!host_is_allowed (self, msg))
    {
      _mr_http_reply_error (msg, SOUP_STATUS_FORBIDDEN, NULL,
                            "Use the lab by address (http://127.0.0.1:PORT/) or localhost");
      return;
    }

  switch (soup_message_headers_get_encoding (headers))
    {
    case SOUP_ENCODING_CONTENT_LENGTH:
      if (soup_message_headers_get_content_length (headers) > self->max_body)
        _mr_http_reply_error (msg, SOUP_STATUS_REQUEST_ENTITY_TOO_LARGE, NULL,
                              "The body is larger than %" G_GSIZE_FORMAT " bytes", self->max_body);
      break;

    case SOUP_ENCODING_CHUNKED:
    case SOUP_ENCODING_EOF:
    case SOUP_ENCODING_BYTERANGES:
      /* Bound the body before reading it: ask for its length. */
      _mr_http_reply_error (msg, SOUP_STATUS_LENGTH_REQUIRED, NULL,
                            "Send the body with a Content-Length");
      break;

    case SOUP_ENCODING_NONE:
    case SOUP_ENCODING_UNRECOGNIZED:
    default:
      break;
    }
}

/* GObject */

static void
mr_http_server_dispose (GObject *object)
{
  MrHttpServer *self = (MrHttpServer *)object;

  _mr_http_cancel_sends (self);
  if (self->server != NULL)
    soup_server_disconnect (self->server);
  if (self->viewers != NULL)
    g_ptr_array_set_size (self->viewers, 0);
  if (self->bus != NULL && self->event_handler != 0)
    g_clear_signal_handler (&self->event_handler, self->bus);
  g_clear_object (&self->server);
  g_clear_object (&self->bus);
  g_clear_object (&self->faults);
  if (self->engine != NULL)
    g_object_remove_weak_pointer (G_OBJECT (self->engine), (gpointer *) &self->engine);
  self->engine = NULL;

  G_OBJECT_CLASS (mr_http_server_parent_class)->dispose (object);
}

static void
mr_http_server_finalize (GObject *object)
{
  MrHttpServer *self = (MrHttpServer *)object;

  g_clear_pointer (&self->viewers, g_ptr_array_unref);
  g_clear_pointer (&self->sends, g_hash_table_unref);
  for (guint i = 0; i < JSON_CACHE_SIZE; i++)
    g_free (self->json_cache[i]);
  g_free (self->json_cache);
  g_free (self->json_cache_seq);
  g_clear_pointer (&self->teacher_token, g_free);
  g_clear_pointer (&self->context, g_main_context_unref);

  G_OBJECT_CLASS (mr_http_server_parent_class)->finalize (object);
}

static void
mr_http_server_get_property (GObject    *object,
                             guint       prop_id,
                             GValue     *value,
                             GParamSpec *pspec)
{
  MrHttpServer *self = MR_HTTP_SERVER (object);

  switch (prop_id)
    {
    case PROP_CLASSROOM:
      g_value_set_boolean (value, self->classroom);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
mr_http_server_set_property (GObject      *object,
                             guint         prop_id,
                             const GValue *value,
                             GParamSpec   *pspec)
{
  MrHttpServer *self = MR_HTTP_SERVER (object);

  switch (prop_id)
    {
    case PROP_CLASSROOM:
      mr_http_server_set_classroom (self, g_value_get_boolean (value));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
mr_http_server_class_init (MrHttpServerClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = mr_http_server_dispose;
  object_class->finalize = mr_http_server_finalize;
  object_class->get_property = mr_http_server_get_property;
  object_class->set_property = mr_http_server_set_property;

  properties [PROP_CLASSROOM] =
    g_param_spec_boolean ("classroom", NULL, NULL,
                          FALSE,
                          (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static char *
generate_token (void)
{
  guint8 bytes[16];
  GString *str = g_string_sized_new (2 * sizeof bytes);

  if (gnutls_rnd (GNUTLS_RND_KEY, bytes, sizeof bytes) != 0)
    {
      /* gnutls_rnd does not fail in practice; never hand out a weak token. */
      for (guint i = 0; i < sizeof bytes; i++)
        bytes[i] = (guint8) g_random_int ();
      g_warning ("gnutls_rnd failed; the teacher token uses GLib's PRNG");
    }
  for (guint i = 0; i < sizeof bytes; i++)
    g_string_append_printf (str, "%02x", bytes[i]);
  return g_string_free (str, FALSE);
}

static void
mr_http_server_init (MrHttpServer *self)
{
  self->max_viewers = MR_HTTP_DEFAULT_MAX_VIEWERS;
  self->max_body = MR_HTTP_DEFAULT_MAX_BODY;
  self->viewer_window = MR_HTTP_DEFAULT_VIEWER_WINDOW;
  self->viewers = g_ptr_array_new_with_free_func ((GDestroyNotify) viewer_release);
  self->sends = g_hash_table_new_full (NULL, NULL, _mr_http_send_unref, NULL);
  self->json_cache = g_new0 (char *, JSON_CACHE_SIZE);
  self->json_cache_seq = g_new0 (guint64, JSON_CACHE_SIZE);
  self->teacher_token = generate_token ();
  self->context = g_main_context_ref_thread_default ();
}

MrHttpServer *
mr_http_server_new (MrEngine *engine)
{
  MrHttpServer *self;

  g_return_val_if_fail (MR_IS_ENGINE (engine), NULL);

  self = g_object_new (MR_TYPE_HTTP_SERVER, NULL);
  self->engine = engine;
  g_object_add_weak_pointer (G_OBJECT (engine), (gpointer *) &self->engine);
  self->bus = g_object_ref (mr_engine_get_bus (engine));
  self->event_handler = g_signal_connect (self->bus, "event", G_CALLBACK (on_bus_event_cb), self);

  /* raw-paths: folder names may hold an encoded "/" (IMAP hierarchy);
   * split_path() decodes each segment itself. */
  self->server = g_object_new (SOUP_TYPE_SERVER,
                               "server-header", "Mailroom/" PACKAGE_VERSION " ",
                               "raw-paths", TRUE,
                               NULL);
  soup_server_add_early_handler (self->server, "/", early_cb, self, NULL);
  soup_server_add_handler (self->server, "/", server_cb, self, NULL);
  soup_server_add_early_handler (self->server, STREAM_PATH, early_cb, self, NULL);
  soup_server_add_websocket_handler (self->server, STREAM_PATH, NULL, NULL, websocket_cb, self, NULL);

  return self;
}

guint16
mr_http_server_listen (MrHttpServer  *self,
                       const char    *address,
                       guint16        port,
                       GError       **error)
{
  g_autoptr(GInetAddress) inet = NULL;
  g_autoptr(GSocketAddress) socket_address = NULL;
  GSList *before, *listeners;
  guint16 bound = 0;

  g_return_val_if_fail (MR_IS_HTTP_SERVER (self), 0);

  inet = g_inet_address_new_from_string (address ? address : "127.0.0.1");
  if (inet == NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   _("“%s” is not an IP address"), address);
      return 0;
    }

  /* The new listener is the one that was not there before (libsoup
   * keeps no documented order; and soup_server_get_uris() leaks in 3.2). */
  before = soup_server_get_listeners (self->server);
  socket_address = g_inet_socket_address_new (inet, port);
  if (!soup_server_listen (self->server, socket_address, 0, error))
    {
      g_slist_free (before);
      return 0;
    }

  listeners = soup_server_get_listeners (self->server);
  for (const GSList *l = listeners; l != NULL && bound == 0; l = l->next)
    {
      g_autoptr(GSocketAddress) local = NULL;

      if (g_slist_find (before, l->data) != NULL)
        continue;
      local = g_socket_get_local_address (l->data, NULL);
      if (local != NULL && G_IS_INET_SOCKET_ADDRESS (local))
        bound = g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (local));
    }
  g_slist_free (listeners);
  g_slist_free (before);

  return bound;
}

void
mr_http_server_disconnect (MrHttpServer *self)
{
  g_return_if_fail (MR_IS_HTTP_SERVER (self));

  for (guint i = 0; i < self->viewers->len; i++)
    {
      MrHttpViewer *viewer = g_ptr_array_index (self->viewers, i);

      if (soup_websocket_connection_get_state (viewer->ws) == SOUP_WEBSOCKET_STATE_OPEN)
        soup_websocket_connection_close (viewer->ws, SOUP_WEBSOCKET_CLOSE_GOING_AWAY, "The lab is stopping");
    }
  soup_server_disconnect (self->server);
}

const char *
mr_http_server_get_teacher_token (MrHttpServer *self)
{
  g_return_val_if_fail (MR_IS_HTTP_SERVER (self), NULL);

  return self->teacher_token;
}

gboolean
mr_http_server_get_classroom (MrHttpServer *self)
{
  g_return_val_if_fail (MR_IS_HTTP_SERVER (self), FALSE);

  return self->classroom;
}

void
mr_http_server_set_classroom (MrHttpServer *self,
                              gboolean      classroom)
{
  g_return_if_fail (MR_IS_HTTP_SERVER (self));

  classroom = !!classroom;
  if (self->classroom != classroom)
    {
      self->classroom = classroom;
      g_object_notify_by_pspec (G_OBJECT (self), properties [PROP_CLASSROOM]);
    }
}

MrFaultSet *
_mr_http_get_faults (MrHttpServer *self)
{
  MrWorld *world;

  if (self->faults != NULL)
    return self->faults;
  /* The world comes with the first scenario, maybe after us. */
  world = self->engine ? mr_engine_get_world (self->engine) : NULL;
  return world ? mr_world_get_faults (world) : NULL;
}

void
mr_http_server_set_faults (MrHttpServer *self,
                           MrFaultSet   *faults)
{
  g_return_if_fail (MR_IS_HTTP_SERVER (self));
  g_return_if_fail (!faults || MR_IS_FAULT_SET (faults));

  g_set_object (&self->faults, faults);
}

guint
mr_http_server_get_n_viewers (MrHttpServer *self)
{
  g_return_val_if_fail (MR_IS_HTTP_SERVER (self), 0);

  return self->viewers->len;
}

void
mr_http_server_set_max_viewers (MrHttpServer *self,
                                guint         max_viewers)
{
  g_return_if_fail (MR_IS_HTTP_SERVER (self));

  self->max_viewers = max_viewers ? max_viewers : MR_HTTP_DEFAULT_MAX_VIEWERS;
}

void
mr_http_server_set_max_body (MrHttpServer *self,
                             gsize         max_body)
{
  g_return_if_fail (MR_IS_HTTP_SERVER (self));

  self->max_body = max_body ? max_body : MR_HTTP_DEFAULT_MAX_BODY;
}

void
mr_http_server_set_viewer_window (MrHttpServer *self,
                                  guint         window)
{
  g_return_if_fail (MR_IS_HTTP_SERVER (self));

  self->viewer_window = window ? window : MR_HTTP_DEFAULT_VIEWER_WINDOW;
}

static void
add_url (GPtrArray    *urls,
         GInetAddress *inet,
         guint16       port)
{
  g_autofree char *text = g_inet_address_to_string (inet);
  char *url = g_inet_address_get_family (inet) == G_SOCKET_FAMILY_IPV6
              ? g_strdup_printf ("http://[%s]:%u/", text, port)
              : g_strdup_printf ("http://%s:%u/", text, port);

  for (guint i = 0; i < urls->len; i++)
    if (g_str_equal (g_ptr_array_index (urls, i), url))
      {
        g_free (url);
        return;
      }
  g_ptr_array_add (urls, url);
}

GStrv
mr_http_server_dup_urls (MrHttpServer *self)
{
  g_autoptr(GPtrArray) urls = g_ptr_array_new ();
  GSList *listeners;

  g_return_val_if_fail (MR_IS_HTTP_SERVER (self), NULL);

  listeners = soup_server_get_listeners (self->server);
  for (const GSList *l = listeners; l != NULL; l = l->next)
    {
      g_autoptr(GSocketAddress) local = g_socket_get_local_address (l->data, NULL);
      GInetAddress *inet;
      guint16 port;

      if (local == NULL || !G_IS_INET_SOCKET_ADDRESS (local))
        continue;
      inet = g_inet_socket_address_get_address (G_INET_SOCKET_ADDRESS (local));
      port = g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (local));

      if (!g_inet_address_get_is_any (inet))
        {
          add_url (urls, inet, port);
          continue;
        }

      /* Listening everywhere (classroom mode): this machine first, then
       * the addresses students on the LAN can reach, never 0.0.0.0. */
      {
        g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
        struct ifaddrs *addresses = NULL;

        add_url (urls, loopback, port);
        if (getifaddrs (&addresses) != 0)
          continue;
        for (struct ifaddrs *a = addresses; a != NULL; a = a->ifa_next)
          {
            g_autoptr(GInetAddress) lan = NULL;

            if (a->ifa_addr == NULL || a->ifa_addr->sa_family != AF_INET)
              continue;
            lan = g_inet_address_new_from_bytes ((const guint8 *) &((struct sockaddr_in *) a->ifa_addr)->sin_addr,
                                                 G_SOCKET_FAMILY_IPV4);
            if (!g_inet_address_get_is_loopback (lan))
              add_url (urls, lan, port);
          }
        freeifaddrs (addresses);
      }
    }
  g_slist_free (listeners);

  g_ptr_array_add (urls, NULL);
  return (GStrv) g_ptr_array_steal (urls, NULL);
}
