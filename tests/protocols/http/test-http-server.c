/* test-http-server.c
 *
 * Copyright 2026 The Mailroom authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <arpa/inet.h>
#include <ifaddrs.h>
#include <json-glib/json-glib.h>
#include <netinet/in.h>
#include <libsoup/soup.h>
#include <string.h>

#include "mr-clock.h"
#include "mr-conversation.h"
#include "mr-engine.h"
#include "mr-error.h"
#include "mr-event-bus.h"
#include "mr-event-json.h"
#include "mr-http-server.h"
#include "mr-lesson-source.h"
#include "mr-relay.h"
#include "mr-store.h"
#include "mr-world.h"

/* The server and the client share this thread's main context: every
 * request is async and the test spins the context until it completes. */
typedef struct
{
  MrEngine     *engine;
  MrHttpServer *http;
  SoupSession  *session;
  guint16       port;
  char         *token;
} Fixture;

typedef struct
{
  guint    status;
  GBytes  *body;
  char    *content_type;
  gboolean done;
} Response;

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  f->engine = mr_engine_new ();
  g_assert_true (mr_engine_load_scenario (f->engine, NULL, &error));
  g_assert_no_error (error);
  f->http = mr_http_server_new (f->engine);
  f->port = mr_http_server_listen (f->http, "127.0.0.1", 0, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (f->port, >, 0);
  f->token = g_strdup (mr_http_server_get_teacher_token (f->http));
  f->session = soup_session_new ();
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  g_clear_object (&f->session);
  mr_http_server_disconnect (f->http);
  /* Let closing connections finish. */
  while (g_main_context_iteration (NULL, FALSE))
    ;
  g_assert_finalize_object (f->http);
  g_clear_object (&f->engine);
  g_free (f->token);
}

static void
response_clear (Response *r)
{
  g_clear_pointer (&r->body, g_bytes_unref);
  g_clear_pointer (&r->content_type, g_free);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Response, response_clear)

static void
on_response_cb (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  Response *r = user_data;
  g_autoptr(GError) error = NULL;
  SoupMessage *msg = soup_session_get_async_result_message (SOUP_SESSION (source), result);

  r->body = soup_session_send_and_read_finish (SOUP_SESSION (source), result, &error);
  g_assert_no_error (error);
  r->status = soup_message_get_status (msg);
  r->content_type = g_strdup (soup_message_headers_get_content_type (soup_message_get_response_headers (msg), NULL));
  r->done = TRUE;
}

static void
request_full (Fixture    *f,
              const char *method,
              const char *path,
              const char *auth,
              const char *content_type,
              const char *body,
              gsize       body_len,
              Response   *r)
{
  g_autofree char *uri = g_strdup_printf ("http://127.0.0.1:%u%s", f->port, path);
  g_autoptr(SoupMessage) msg = soup_message_new (method, uri);

  g_assert_nonnull (msg);
  if (auth != NULL)
    soup_message_headers_replace (soup_message_get_request_headers (msg), "Authorization", auth);
  if (body != NULL)
    {
      g_autoptr(GBytes) bytes = g_bytes_new (body, body_len);

      soup_message_set_request_body_from_bytes (msg, content_type, bytes);
    }

  memset (r, 0, sizeof *r);
  soup_session_send_and_read_async (f->session, msg, G_PRIORITY_DEFAULT, NULL, on_response_cb, r);
  while (!r->done)
    g_main_context_iteration (NULL, TRUE);
}

static void
request (Fixture    *f,
         const char *method,
         const char *path,
         const char *auth,
         const char *json,
         Response   *r)
{
  request_full (f, method, path, auth, "application/json", json, json ? strlen (json) : 0, r);
}

static char *
bearer (Fixture *f)
{
  return g_strconcat ("Bearer ", f->token, NULL);
}

static char *
basic (const char *user,
       const char *password)
{
  g_autofree char *plain = g_strconcat (user, ":", password, NULL);
  g_autofree char *b64 = g_base64_encode ((const guchar *) plain, strlen (plain));

  return g_strconcat ("Basic ", b64, NULL);
}

/* Parses @r's body as JSON; the node stays valid while the parser lives. */
static JsonNode *
parse (Response    *r,
       JsonParser **parser_r)
{
  g_autoptr(GError) error = NULL;
  gsize len;
  const char *data = g_bytes_get_data (r->body, &len);

  g_assert_cmpstr (r->content_type, ==, "application/json");
  *parser_r = json_parser_new ();
  json_parser_load_from_data (*parser_r, data, len, &error);
  g_assert_no_error (error);
  return json_parser_get_root (*parser_r);
}

static void
assert_error (Response   *r,
              guint       status,
              const char *field)
{
  g_autoptr(JsonParser) parser = NULL;
  JsonObject *object;

  g_assert_cmpuint (r->status, ==, status);
  object = json_node_get_object (parse (r, &parser));
  g_assert_true (json_object_has_member (object, "error"));
  g_assert_cmpuint (strlen (json_object_get_string_member (object, "error")), >, 5);
  g_assert_cmpstr (json_object_get_string_member_with_default (object, "field", NULL), ==, field);
}

static guint64
emit_line (Fixture    *f,
           MrDirection direction,
           const char *text,
           guint       code)
{
  MrEventBus *bus = mr_engine_get_bus (f->engine);
  g_autoptr(MrConversation) conversation = mr_conversation_new (bus, MR_PROTOCOL_SMTP, "alice-laptop", "smtp.sender.example");
  MrEvent *event = mr_conversation_new_event (conversation, MR_EVENT_LINE, direction, text);

  if (code != 0)
    mr_event_set_reply (event, code, "2.0.0");
  return mr_conversation_emit (conversation, event);
}

static void settle (void);

/* Tests */

static void
test_static (Fixture       *f,
             gconstpointer  data)
{
  g_auto(Response) r = { 0 };

  request (f, "GET", "/", NULL, NULL, &r);
  g_assert_cmpuint (r.status, ==, 200);
  g_assert_cmpstr (r.content_type, ==, "text/html");
  g_assert_nonnull (g_strstr_len (g_bytes_get_data (r.body, NULL), g_bytes_get_size (r.body), "app.js"));
  response_clear (&r);

  request (f, "GET", "/app.js", NULL, NULL, &r);
  g_assert_cmpuint (r.status, ==, 200);
  g_assert_cmpstr (r.content_type, ==, "text/javascript");
  g_assert_nonnull (g_strstr_len (g_bytes_get_data (r.body, NULL), g_bytes_get_size (r.body), "WebSocket"));
  response_clear (&r);

  request (f, "GET", "/style.css", NULL, NULL, &r);
  g_assert_cmpuint (r.status, ==, 200);
  response_clear (&r);

  request (f, "POST", "/", NULL, "{}", &r);
  assert_error (&r, 405, NULL);
  response_clear (&r);

  request (f, "GET", "/etc/passwd", NULL, NULL, &r);
  assert_error (&r, 404, NULL);
  response_clear (&r);

  request (f, "GET", "/api/v1/accounts/a%00b", NULL, NULL, &r);
  assert_error (&r, 400, NULL);
  response_clear (&r);

  request (f, "GET", "/api/v1/nothing", NULL, NULL, &r);
  assert_error (&r, 404, NULL);
  response_clear (&r);

  /* DNS rebinding: another name that resolves here is refused. */
  {
    g_autofree char *uri = g_strdup_printf ("http://127.0.0.1:%u/api/v1/accounts", f->port);
    g_autoptr(SoupMessage) msg = soup_message_new ("GET", uri);

    soup_message_headers_replace (soup_message_get_request_headers (msg), "Host", "evil.example:80");
    memset (&r, 0, sizeof r);
    soup_session_send_and_read_async (f->session, msg, G_PRIORITY_DEFAULT, NULL, on_response_cb, &r);
    while (!r.done)
      g_main_context_iteration (NULL, TRUE);
    assert_error (&r, 403, NULL);
    response_clear (&r);
  }
  request (f, "GET", "/api/v1/info", NULL, NULL, &r);
  g_assert_cmpuint (r.status, ==, 200);
}

static guint
count_fds (void)
{
  g_autoptr(GDir) dir = g_dir_open ("/proc/self/fd", 0, NULL);
  guint n = 0;

  while (dir && g_dir_read_name (dir))
    n++;
  return n;
}

/* Every connection is closed once its client is gone: none is kept. */
static void
test_connections (Fixture       *f,
                  gconstpointer  data)
{
  guint before;

  if (!g_file_test ("/proc/self/fd", G_FILE_TEST_IS_DIR))
    {
      g_test_skip ("No /proc/self/fd");
      return;
    }

  before = count_fds ();
  for (guint i = 0; i < 30; i++)
    {
      g_auto(Response) r = { 0 };

      /* A new session each time: a new connection each time. */
      g_clear_object (&f->session);
      f->session = soup_session_new ();
      request (f, "GET", "/api/v1/clock", NULL, NULL, &r);
      g_assert_cmpuint (r.status, ==, 200);
    }
  g_clear_object (&f->session);
  f->session = soup_session_new ();
  settle ();
  g_assert_cmpuint (count_fds (), <=, before + 2);
}

/* A non-loopback IPv4 address of this machine, or NULL. */
static char *
find_lan_address (void)
{
  struct ifaddrs *list = NULL;
  char *found = NULL;

  if (getifaddrs (&list) != 0)
    return NULL;
  for (struct ifaddrs *i = list; i != NULL && found == NULL; i = i->ifa_next)
    {
      char buf[INET_ADDRSTRLEN];

      if (i->ifa_addr == NULL || i->ifa_addr->sa_family != AF_INET)
        continue;
      if (inet_ntop (AF_INET, &((struct sockaddr_in *) (gpointer) i->ifa_addr)->sin_addr, buf, sizeof buf) &&
          !g_str_has_prefix (buf, "127."))
        found = g_strdup (buf);
    }
  freeifaddrs (list);
  return found;
}

/* Off classroom mode only this machine is served; on, the LAN is. */
static void
test_classroom (Fixture       *f,
                gconstpointer  data)
{
  g_autofree char *lan = find_lan_address ();
  g_autoptr(GError) error = NULL;
  g_autofree char *path = NULL;
  g_auto(Response) r = { 0 };
  guint16 port, loopback_port;

  if (lan == NULL)
    {
      g_test_skip ("No non-loopback IPv4 address");
      return;
    }
  port = mr_http_server_listen (f->http, "0.0.0.0", 0, &error);
  g_assert_no_error (error);
  g_test_message ("loopback %u, any %u, lan %s", f->port, port, lan);

  loopback_port = f->port;
  f->port = port;
  path = g_strdup_printf ("http://%s:%u/api/v1/info", lan, port);
  {
    g_autoptr(SoupMessage) msg = soup_message_new ("GET", path);

    memset (&r, 0, sizeof r);
    soup_session_send_and_read_async (f->session, msg, G_PRIORITY_DEFAULT, NULL, on_response_cb, &r);
    while (!r.done)
      g_main_context_iteration (NULL, TRUE);
  }
  assert_error (&r, 403, NULL);
  response_clear (&r);

  mr_http_server_set_classroom (f->http, TRUE);
  g_assert_true (mr_http_server_get_classroom (f->http));
  {
    g_autoptr(SoupMessage) msg = soup_message_new ("GET", path);

    memset (&r, 0, sizeof r);
    soup_session_send_and_read_async (f->session, msg, G_PRIORITY_DEFAULT, NULL, on_response_cb, &r);
    while (!r.done)
      g_main_context_iteration (NULL, TRUE);
  }
  g_assert_cmpuint (r.status, ==, 200);
  f->port = loopback_port;
}

static void
test_openapi (Fixture       *f,
              gconstpointer  data)
{
  g_auto(Response) r = { 0 };
  g_autoptr(JsonParser) parser = NULL;
  JsonObject *doc, *paths;
  static const char *documented[] = {
    "/api/v1/events", "/api/v1/events/stream", "/api/v1/accounts",
    "/api/v1/accounts/{address}/folders", "/api/v1/reply-codes", "/api/v1/clock", "/api/v1/send",
    "/api/v1/lessons", "/api/v1/lessons/{id}", "/api/v1/lessons/{id}/progress",
  };

  request (f, "GET", "/api/v1/openapi.json", NULL, NULL, &r);
  g_assert_cmpuint (r.status, ==, 200);
  doc = json_node_get_object (parse (&r, &parser));
  g_assert_true (g_str_has_prefix (json_object_get_string_member (doc, "openapi"), "3."));
  paths = json_object_get_object_member (doc, "paths");
  for (guint i = 0; i < G_N_ELEMENTS (documented); i++)
    g_assert_true (json_object_has_member (paths, documented[i]));
  /* the old 501 stub is gone */
  g_assert_false (json_object_has_member (paths, "/api/v1/lessons/progress"));
}

static void
test_accounts (Fixture       *f,
               gconstpointer  data)
{
  g_auto(Response) r = { 0 };
  g_autoptr(JsonParser) parser = NULL;
  JsonArray *array;
  gboolean found = FALSE;

  request (f, "GET", "/api/v1/accounts", NULL, NULL, &r);
  g_assert_cmpuint (r.status, ==, 200);
  array = json_object_get_array_member (json_node_get_object (parse (&r, &parser)), "accounts");
  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      JsonObject *account = json_array_get_object_element (array, i);

      if (g_strcmp0 (json_object_get_string_member (account, "address"), "bob@recipient.example") == 0)
        found = TRUE;
      g_assert_false (json_object_has_member (account, "password"));
    }
  g_assert_true (found);
  /* Never a password, anywhere. */
  g_assert_null (g_strstr_len (g_bytes_get_data (r.body, NULL), g_bytes_get_size (r.body), "password"));
  response_clear (&r);
  g_clear_object (&parser);

  request (f, "GET", "/api/v1/accounts/bob%40recipient.example/folders", NULL, NULL, &r);
  g_assert_cmpuint (r.status, ==, 200);
  array = json_object_get_array_member (json_node_get_object (parse (&r, &parser)), "folders");
  g_assert_cmpuint (json_array_get_length (array), >=, 1);
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (array, 0), "name"), ==, "INBOX");
  response_clear (&r);

  request (f, "GET", "/api/v1/accounts/nobody@nowhere.example/folders", NULL, NULL, &r);
  assert_error (&r, 404, "address");
  response_clear (&r);

  request (f, "GET", "/api/v1/accounts/bob@recipient.example/folders/Nope/messages", NULL, NULL, &r);
  assert_error (&r, 404, "folder");
  response_clear (&r);

  request (f, "POST", "/api/v1/accounts", NULL, "{}", &r);
  assert_error (&r, 405, NULL);
}

static const char sample_message[] =
  "From: Alice <alice@sender.example>\r\n"
  "To: bob@recipient.example\r\n"
  "Subject: Lunch?\r\n"
  "MIME-Version: 1.0\r\n"
  "Content-Type: multipart/mixed; boundary=\"b1\"\r\n"
  "\r\n"
  "--b1\r\n"
  "Content-Type: text/plain; charset=utf-8\r\n"
  "\r\n"
  "See you at noon.\r\n"
  "--b1\r\n"
  "Content-Type: application/octet-stream\r\n"
  "Content-Disposition: attachment; filename=\"menu.bin\"\r\n"
  "Content-Transfer-Encoding: base64\r\n"
  "\r\n"
  "AAECAw==\r\n"
  "--b1--\r\n";

static void
test_messages (Fixture       *f,
               gconstpointer  data)
{
  MrAccount *bob = mr_store_lookup_account (mr_engine_get_store (f->engine), "bob@recipient.example");
  g_autoptr(GBytes) raw = g_bytes_new_static (sample_message, strlen (sample_message));
  g_autoptr(GError) error = NULL;
  g_autofree char *token = bearer (f);
  g_auto(Response) r = { 0 };
  g_autoptr(JsonParser) parser = NULL;
  g_autofree char *path = NULL;
  g_autofree char *list_path = NULL;
  JsonObject *object, *mime;
  JsonArray *array, *parts;
  MrMessage *message;

  message = mr_mailbox_append (mr_account_get_inbox (bob), raw, MR_FLAG_SEEN, NULL, 0, &error);
  g_assert_no_error (error);
  list_path = g_strdup ("/api/v1/accounts/bob@recipient.example/folders/INBOX/messages");
  path = g_strdup_printf ("%s/%u", list_path, mr_message_get_uid (message));

  request (f, "GET", list_path, NULL, NULL, &r);
  g_assert_cmpuint (r.status, ==, 200);
  object = json_node_get_object (parse (&r, &parser));
  g_assert_cmpint (json_object_get_int_member (object, "total"), ==, 1);
  array = json_object_get_array_member (object, "messages");
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (array, 0), "subject"), ==, "Lunch?");
  g_assert_cmpstr (json_array_get_string_element (json_object_get_array_member (json_array_get_object_element (array, 0), "flags"), 0), ==, "\\Seen");
  response_clear (&r);
  g_clear_object (&parser);

  /* Parsed: headers and the MIME tree */
  request (f, "GET", path, NULL, NULL, &r);
  g_assert_cmpuint (r.status, ==, 200);
  object = json_node_get_object (parse (&r, &parser));
  array = json_object_get_array_member (object, "headers");
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (array, 2), "name"), ==, "Subject");
  mime = json_object_get_object_member (object, "mime");
  g_assert_cmpstr (json_object_get_string_member (mime, "content_type"), ==, "multipart/mixed");
  parts = json_object_get_array_member (mime, "parts");
  g_assert_cmpuint (json_array_get_length (parts), ==, 2);
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (parts, 0), "text"), ==, "See you at noon.");
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (parts, 1), "filename"), ==, "menu.bin");
  g_assert_cmpint (json_object_get_int_member (json_array_get_object_element (parts, 1), "size"), ==, 4);
  response_clear (&r);

  /* Raw: the bytes as stored */
  {
    g_autofree char *raw_path = g_strconcat (path, "/raw", NULL);

    request (f, "GET", raw_path, NULL, NULL, &r);
    g_assert_cmpuint (r.status, ==, 200);
    g_assert_cmpstr (r.content_type, ==, "message/rfc822");
    g_assert_true (g_bytes_equal (r.body, raw));
    response_clear (&r);
  }

  request (f, "GET", "/api/v1/accounts/bob@recipient.example/folders/INBOX/messages/abc", NULL, NULL, &r);
  assert_error (&r, 400, "uid");
  response_clear (&r);
  request (f, "GET", "/api/v1/accounts/bob@recipient.example/folders/INBOX/messages/999", NULL, NULL, &r);
  assert_error (&r, 404, "uid");
  response_clear (&r);

  /* Delete needs the teacher token: 401 without, 403 when wrong. */
  request (f, "DELETE", path, NULL, NULL, &r);
  assert_error (&r, 401, NULL);
  response_clear (&r);
  request (f, "DELETE", path, "Bearer 0123456789abcdef0123456789abcdef", NULL, &r);
  assert_error (&r, 403, NULL);
  response_clear (&r);
  request (f, "DELETE", path, "Basic YWxpY2U6YWxpY2U=", NULL, &r);
  assert_error (&r, 401, NULL);
  response_clear (&r);
  g_assert_cmpuint (mr_mailbox_get_n_messages (mr_account_get_inbox (bob)), ==, 1);
  request (f, "DELETE", path, token, NULL, &r);
  g_assert_cmpuint (r.status, ==, 204);
  g_assert_cmpuint (mr_mailbox_get_n_messages (mr_account_get_inbox (bob)), ==, 0);
}

static void
test_clock (Fixture       *f,
            gconstpointer  data)
{
  g_autofree char *token = bearer (f);
  g_auto(Response) r = { 0 };
  g_autoptr(JsonParser) parser = NULL;
  JsonObject *object;
  MrClock *clock = mr_engine_get_clock (f->engine);
  gint64 before;
  static const struct {
    const char *body;
    guint       status;
    const char *field;
  } bad[] = {
    { "{\"mode\":\"warp\"}", 400, "mode" },
    { "{\"mode\":3}", 400, "mode" },
    { "{\"speed\":\"fast\"}", 400, "speed" },
    { "{\"speed\":0}", 400, "speed" },
    { "{\"speed\":1e9}", 400, "speed" },
    { "{\"step\":1.5}", 400, "step" },
    { "{\"step\":-1}", 400, "step" },
    { "{\"advance\":-5}", 400, "advance" },
    { "{\"speed\":2,\"colour\":\"red\"}", 400, "colour" },
    { "{\"mode\":\"step\"", 400, NULL },
    { "[1,2]", 400, NULL },
    { "\"step\"", 400, NULL },
    { "{\"mode\":null}", 400, "mode" },
    { "{\"mode\":\"step\",\"mode\":{}}", 400, "mode" },
    { "", 400, NULL },
  };

  request (f, "GET", "/api/v1/clock", NULL, NULL, &r);
  g_assert_cmpuint (r.status, ==, 200);
  object = json_node_get_object (parse (&r, &parser));
  g_assert_cmpstr (json_object_get_string_member (object, "mode"), ==, "realtime");
  response_clear (&r);
  g_clear_object (&parser);

  request (f, "PUT", "/api/v1/clock", NULL, "{\"mode\":\"step\"}", &r);
  assert_error (&r, 401, NULL);
  g_assert_cmpint (mr_clock_get_mode (clock), ==, MR_CLOCK_REALTIME);
  response_clear (&r);

  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_test_message ("body: %s", bad[i].body);
      request (f, "PUT", "/api/v1/clock", token, bad[i].body, &r);
      assert_error (&r, bad[i].status, bad[i].field);
      response_clear (&r);
    }
  /* Nothing changed on a refused request. */
  g_assert_cmpint (mr_clock_get_mode (clock), ==, MR_CLOCK_REALTIME);
  g_assert_cmpfloat (mr_clock_get_speed (clock), ==, 1.0);

  request_full (f, "PUT", "/api/v1/clock", token, "text/plain", "{}", 2, &r);
  assert_error (&r, 415, NULL);
  response_clear (&r);
  request_full (f, "PUT", "/api/v1/clock", token, NULL, "{}", 2, &r);
  assert_error (&r, 415, NULL);
  response_clear (&r);

  before = mr_clock_now (clock);
  request (f, "PUT", "/api/v1/clock", token, "{\"mode\":\"step\",\"speed\":0.25,\"advance\":3600,\"step\":1}", &r);
  g_assert_cmpuint (r.status, ==, 200);
  object = json_node_get_object (parse (&r, &parser));
  g_assert_cmpstr (json_object_get_string_member (object, "mode"), ==, "step");
  g_assert_cmpfloat (json_object_get_double_member (object, "speed"), ==, 0.25);
  g_assert_cmpint (mr_clock_get_mode (clock), ==, MR_CLOCK_STEP);
  g_assert_cmpint (mr_clock_now (clock) - before, >=, (gint64) 3600 * G_USEC_PER_SEC);
}

static void
test_body_limit (Fixture       *f,
                 gconstpointer  data)
{
  g_autofree char *token = bearer (f);
  g_autofree char *big = NULL;
  g_auto(Response) r = { 0 };
  GString *str = g_string_new ("{\"mode\":\"");

  mr_http_server_set_max_body (f->http, 1024);
  for (guint i = 0; i < 2000; i++)
    g_string_append_c (str, 'x');
  g_string_append (str, "\"}");
  big = g_string_free (str, FALSE);

  request (f, "PUT", "/api/v1/clock", token, big, &r);
  assert_error (&r, 413, NULL);
  response_clear (&r);

  /* The server still answers after refusing. */
  request (f, "PUT", "/api/v1/clock", token, "{\"speed\":2}", &r);
  g_assert_cmpuint (r.status, ==, 200);
}

static void
test_events (Fixture       *f,
             gconstpointer  data)
{
  g_auto(Response) r = { 0 };
  g_autoptr(JsonParser) parser = NULL;
  JsonObject *object;
  JsonArray *events;
  guint64 seq;

  for (guint i = 0; i < 5; i++)
    seq = emit_line (f, MR_DIRECTION_TO_CLIENT, "250 2.0.0 Ok", 250);

  request (f, "GET", "/api/v1/events?since=0&limit=2", NULL, NULL, &r);
  g_assert_cmpuint (r.status, ==, 200);
  object = json_node_get_object (parse (&r, &parser));
  events = json_object_get_array_member (object, "events");
  g_assert_cmpuint (json_array_get_length (events), ==, 2);
  g_assert_cmpint (json_object_get_int_member (json_array_get_object_element (events, 0), "seq"), ==, seq - 4);
  g_assert_true (json_object_get_boolean_member (object, "more"));
  g_assert_cmpint (json_object_get_int_member (object, "next_since"), ==, seq - 3);
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (events, 0), "explanation"), !=, "");
  g_assert_cmpint (json_object_get_int_member (json_array_get_object_element (events, 0), "reply_class"), ==, 2);
  response_clear (&r);
  g_clear_object (&parser);

  request (f, "GET", "/api/v1/events?since=3", NULL, NULL, &r);
  object = json_node_get_object (parse (&r, &parser));
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (object, "events")), ==, seq - 3);
  g_assert_false (json_object_get_boolean_member (object, "more"));
  response_clear (&r);

  request (f, "GET", "/api/v1/events?since=abc", NULL, NULL, &r);
  assert_error (&r, 400, "since");
  response_clear (&r);
  request (f, "GET", "/api/v1/events?limit=-1", NULL, NULL, &r);
  assert_error (&r, 400, "limit");
  response_clear (&r);
  request (f, "GET", "/api/v1/events?limit=999999", NULL, NULL, &r);
  assert_error (&r, 400, "limit");
}

static void
test_reply_codes (Fixture       *f,
                  gconstpointer  data)
{
  g_auto(Response) r = { 0 };
  g_autoptr(JsonParser) parser = NULL;
  JsonArray *replies;
  gboolean found = FALSE;

  request (f, "GET", "/api/v1/reply-codes", NULL, NULL, &r);
  g_assert_cmpuint (r.status, ==, 200);
  replies = json_object_get_array_member (json_node_get_object (parse (&r, &parser)), "replies");
  for (guint i = 0; i < json_array_get_length (replies); i++)
    {
      JsonObject *reply = json_array_get_object_element (replies, i);

      if (json_object_get_int_member (reply, "code") == 550 &&
          g_strcmp0 (json_object_get_string_member (reply, "enhanced"), "5.1.1") == 0)
        {
          found = TRUE;
          g_assert_cmpuint (strlen (json_object_get_string_member (reply, "explanation")), >, 10);
        }
    }
  g_assert_true (found);
}

static void
test_stubs (Fixture       *f,
            gconstpointer  data)
{
  g_autofree char *token = bearer (f);
  g_auto(Response) r = { 0 };

  /* No lesson source: the lessons API says so (501), after the method
   * and the token are checked as everywhere else. */
  request (f, "GET", "/api/v1/lessons", NULL, NULL, &r);
  assert_error (&r, 501, NULL);
  response_clear (&r);
  request (f, "GET", "/api/v1/lessons/smtp-01-hello", NULL, NULL, &r);
  assert_error (&r, 501, NULL);
  response_clear (&r);
  request (f, "PUT", "/api/v1/lessons", NULL, "{}", &r);
  assert_error (&r, 405, NULL);
  response_clear (&r);
  request (f, "DELETE", "/api/v1/lessons/smtp-01-hello/progress", NULL, NULL, &r);
  assert_error (&r, 401, NULL);
  response_clear (&r);
  request (f, "DELETE", "/api/v1/lessons/smtp-01-hello/progress", token, NULL, &r);
  assert_error (&r, 501, NULL);
  response_clear (&r);
  request (f, "POST", "/api/v1/queue", token, "{}", &r);
  assert_error (&r, 405, NULL);
}

/* A lesson source with two lessons, "one" (progress: step 1) and
 * "broken" (its progress cannot be saved). */
struct _FakeLessons
{
  GObject  parent_instance;
  guint    step;
  guint    n_resets;
};

#define FAKE_TYPE_LESSONS (fake_lessons_get_type ())
G_DECLARE_FINAL_TYPE (FakeLessons, fake_lessons, FAKE, LESSONS, GObject)

static JsonNode *
fake_lesson_json (FakeLessons *self,
                  const char  *id)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "id");
  json_builder_add_string_value (builder, id);
  json_builder_set_member_name (builder, "step");
  json_builder_add_int_value (builder, self->step);
  json_builder_end_object (builder);
  return json_builder_get_root (builder);
}

static JsonNode *
fake_lessons_list (MrLessonSource *source)
{
  FakeLessons *self = FAKE_LESSONS (source);
  JsonArray *array = json_array_new ();

  json_array_add_element (array, fake_lesson_json (self, "one"));
  json_array_add_element (array, fake_lesson_json (self, "broken"));
  return json_node_init_array (json_node_alloc (), array);
}

static JsonNode *
fake_lessons_lookup (MrLessonSource *source,
                     const char     *id)
{
  if (strcmp (id, "one") != 0 && strcmp (id, "broken") != 0)
    return NULL;
  return fake_lesson_json (FAKE_LESSONS (source), id);
}

static gboolean
fake_lessons_reset (MrLessonSource  *source,
                    const char      *id,
                    GError         **error)
{
  FakeLessons *self = FAKE_LESSONS (source);

  if (strcmp (id, "broken") == 0)
    {
      g_set_error (error, G_FILE_ERROR, G_FILE_ERROR_ACCES, "Permission denied");
      return FALSE;
    }
  if (strcmp (id, "one") != 0)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND, "No lesson");
      return FALSE;
    }
  self->step = 0;
  self->n_resets++;
  return TRUE;
}

static void
fake_lessons_iface_init (MrLessonSourceInterface *iface)
{
  iface->list = fake_lessons_list;
  iface->lookup = fake_lessons_lookup;
  iface->reset = fake_lessons_reset;
}

G_DEFINE_FINAL_TYPE_WITH_CODE (FakeLessons, fake_lessons, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (MR_TYPE_LESSON_SOURCE, fake_lessons_iface_init))

static void
fake_lessons_class_init (FakeLessonsClass *klass)
{
}

static void
fake_lessons_init (FakeLessons *self)
{
  self->step = 1;
}

static void
test_lessons (Fixture       *f,
              gconstpointer  data)
{
  g_autoptr(FakeLessons) lessons = g_object_new (FAKE_TYPE_LESSONS, NULL);
  g_autofree char *token = bearer (f);
  g_auto(Response) r = { 0 };
  static const char *wrong_methods[][2] = {
    { "POST", "/api/v1/lessons" },
    { "DELETE", "/api/v1/lessons" },
    { "PUT", "/api/v1/lessons/one" },
    { "DELETE", "/api/v1/lessons/one" },
    { "GET", "/api/v1/lessons/one/progress" },
    { "POST", "/api/v1/lessons/one/progress" },
  };

  mr_engine_set_lesson_source (f->engine, MR_LESSON_SOURCE (lessons));

  {
    g_autoptr(JsonParser) parser = NULL;
    JsonArray *list;

    request (f, "GET", "/api/v1/lessons", NULL, NULL, &r);
    g_assert_cmpuint (r.status, ==, 200);
    list = json_object_get_array_member (json_node_get_object (parse (&r, &parser)), "lessons");
    g_assert_cmpuint (json_array_get_length (list), ==, 2);
    g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (list, 0), "id"), ==, "one");
    response_clear (&r);
  }
  {
    g_autoptr(JsonParser) parser = NULL;
    JsonObject *one;

    /* an id is one path segment, percent-decoded */
    request (f, "GET", "/api/v1/lessons/%6Fne", NULL, NULL, &r);
    g_assert_cmpuint (r.status, ==, 200);
    one = json_node_get_object (parse (&r, &parser));
    g_assert_cmpstr (json_object_get_string_member (one, "id"), ==, "one");
    g_assert_cmpint (json_object_get_int_member (one, "step"), ==, 1);
    response_clear (&r);
  }

  request (f, "GET", "/api/v1/lessons/nope", NULL, NULL, &r);
  assert_error (&r, 404, "id");
  g_assert_nonnull (g_strstr_len (g_bytes_get_data (r.body, NULL), g_bytes_get_size (r.body), "“nope”"));
  response_clear (&r);
  request (f, "GET", "/api/v1/lessons/one/steps", NULL, NULL, &r);
  assert_error (&r, 404, NULL);
  response_clear (&r);
  request (f, "GET", "/api/v1/lessons/one/progress/x", NULL, NULL, &r);
  assert_error (&r, 404, NULL);
  response_clear (&r);
  for (guint i = 0; i < G_N_ELEMENTS (wrong_methods); i++)
    {
      request (f, wrong_methods[i][0], wrong_methods[i][1], token, NULL, &r);
      assert_error (&r, 405, NULL);
      response_clear (&r);
    }

  /* Resetting needs the teacher; nothing changes without it. */
  request (f, "DELETE", "/api/v1/lessons/one/progress", NULL, NULL, &r);
  assert_error (&r, 401, NULL);
  response_clear (&r);
  request (f, "DELETE", "/api/v1/lessons/one/progress", "Bearer 0123456789abcdef", NULL, &r);
  assert_error (&r, 403, NULL);
  response_clear (&r);
  g_assert_cmpuint (lessons->n_resets, ==, 0);
  g_assert_cmpuint (lessons->step, ==, 1);

  {
    g_autoptr(JsonParser) parser = NULL;

    request (f, "DELETE", "/api/v1/lessons/one/progress", token, NULL, &r);
    g_assert_cmpuint (r.status, ==, 200);
    g_assert_cmpint (json_object_get_int_member (json_node_get_object (parse (&r, &parser)), "step"), ==, 0);
    g_assert_cmpuint (lessons->n_resets, ==, 1);
    response_clear (&r);
  }
  request (f, "DELETE", "/api/v1/lessons/nope/progress", token, NULL, &r);
  assert_error (&r, 404, "id");
  response_clear (&r);
  request (f, "DELETE", "/api/v1/lessons/broken/progress", token, NULL, &r);
  assert_error (&r, 500, NULL);
  g_assert_nonnull (g_strstr_len (g_bytes_get_data (r.body, NULL), g_bytes_get_size (r.body), "Permission denied"));
  response_clear (&r);

  mr_engine_set_lesson_source (f->engine, NULL);
  request (f, "GET", "/api/v1/lessons", NULL, NULL, &r);
  assert_error (&r, 501, NULL);
}

static void
test_scenario (Fixture       *f,
               gconstpointer  data)
{
  g_autofree char *token = bearer (f);
  g_auto(Response) r = { 0 };
  g_autoptr(JsonParser) parser = NULL;
  g_autofree char *scenario = NULL;
  JsonObject *object;

  request (f, "GET", "/api/v1/scenario", NULL, NULL, &r);
  g_assert_cmpuint (r.status, ==, 200);
  object = json_node_get_object (parse (&r, &parser));
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (object, "hosts")), >, 3);
  /* Students read the scenario, never the passwords in it. */
  g_assert_null (g_strstr_len (g_bytes_get_data (r.body, NULL), g_bytes_get_size (r.body), "password"));
  response_clear (&r);

  request (f, "PUT", "/api/v1/scenario", NULL, "{}", &r);
  assert_error (&r, 401, NULL);
  response_clear (&r);
  request (f, "PUT", "/api/v1/scenario", token, "{\"hosts\": 5}", &r);
  assert_error (&r, 400, NULL);
  response_clear (&r);
  g_assert_nonnull (mr_store_lookup_account (mr_engine_get_store (f->engine), "bob@recipient.example"));

  scenario = g_strdup ("{ \"name\": \"Tiny\", \"domains\": [ { \"name\": \"tiny.example\" } ],"
                       "  \"hosts\": [ { \"name\": \"mx.tiny.example\", \"role\": \"mx\", \"address\": \"192.0.2.1\","
                       "                \"services\": [ \"smtp\" ], \"domain\": \"tiny.example\" } ],"
                       "  \"accounts\": [ { \"address\": \"dan@tiny.example\", \"password\": \"dan\" } ] }");
  request (f, "PUT", "/api/v1/scenario", token, scenario, &r);
  if (r.status != 200)
    g_test_message ("%.*s", (int) g_bytes_get_size (r.body), (const char *) g_bytes_get_data (r.body, NULL));
  g_assert_cmpuint (r.status, ==, 200);
  g_assert_nonnull (mr_store_lookup_account (mr_engine_get_store (f->engine), "dan@tiny.example"));
}

static void
test_faults (Fixture       *f,
             gconstpointer  data)
{
  g_autofree char *token = bearer (f);
  MrFaultSet *faults = mr_world_get_faults (mr_engine_get_world (f->engine));
  g_auto(Response) r = { 0 };
  g_autoptr(JsonParser) parser = NULL;
  JsonObject *object;
  JsonArray *active;
  gboolean found = FALSE;

  /* The catalog, and the world's faults (none yet). */
  request (f, "GET", "/api/v1/faults", NULL, NULL, &r);
  g_assert_cmpuint (r.status, ==, 200);
  object = json_node_get_object (parse (&r, &parser));
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (object, "active")), ==, 0);
  for (guint i = 0; i < json_array_get_length (json_object_get_array_member (object, "catalog")); i++)
    {
      JsonObject *entry = json_array_get_object_element (json_object_get_array_member (object, "catalog"), i);

      if (g_strcmp0 (json_object_get_string_member (entry, "name"), "greylisting") == 0)
        found = TRUE;
    }
  g_assert_true (found);
  response_clear (&r);
  g_clear_object (&parser);

  request (f, "POST", "/api/v1/faults/greylisting", NULL, NULL, &r);
  assert_error (&r, 401, NULL);
  response_clear (&r);
  request (f, "POST", "/api/v1/faults/no-such-fault", token, NULL, &r);
  assert_error (&r, 404, "name");
  response_clear (&r);
  request (f, "POST", "/api/v1/faults/greylisting", token, "{\"target\":5}", &r);
  assert_error (&r, 400, "target");
  response_clear (&r);
  request (f, "POST", "/api/v1/faults/greylisting", token, "{\"once\":true}", &r);
  assert_error (&r, 400, "once");
  response_clear (&r);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (faults)), ==, 0);

  request (f, "POST", "/api/v1/faults/greylisting", token, "{\"target\":\"mx1.recipient.example\"}", &r);
  g_assert_cmpuint (r.status, ==, 201);
  object = json_node_get_object (parse (&r, &parser));
  g_assert_cmpstr (json_object_get_string_member (object, "spec"), ==, "greylisting@mx1.recipient.example");
  g_assert_nonnull (mr_fault_set_lookup (faults, "greylisting", "mx1.recipient.example"));
  response_clear (&r);
  g_clear_object (&parser);

  request (f, "GET", "/api/v1/faults", NULL, NULL, &r);
  active = json_object_get_array_member (json_node_get_object (parse (&r, &parser)), "active");
  g_assert_cmpuint (json_array_get_length (active), ==, 1);
  response_clear (&r);
  g_clear_object (&parser);

  request (f, "DELETE", "/api/v1/faults/greylisting?target=mx2.recipient.example", token, NULL, &r);
  assert_error (&r, 404, "name");
  response_clear (&r);
  request (f, "DELETE", "/api/v1/faults/greylisting", token, NULL, &r);
  g_assert_cmpuint (r.status, ==, 200);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (faults)), ==, 0);
}

static void
test_send_validation (Fixture       *f,
                      gconstpointer  data)
{
  g_autofree char *alice = basic ("alice@sender.example", "alice");
  g_autofree char *wrong = basic ("alice@sender.example", "bob");
  g_auto(Response) r = { 0 };
  static const struct {
    const char *body;
    const char *field;
  } bad[] = {
    { "{\"to\":\"bob@recipient.example\"}", "from" },
    { "{\"from\":5,\"to\":\"bob@recipient.example\"}", "from" },
    { "{\"from\":\"alice@sender.example\"}", "to" },
    { "{\"from\":\"alice@sender.example\",\"to\":5}", "to" },
    { "{\"from\":\"alice@sender.example\",\"to\":[\"bob@recipient.example\",7]}", "to" },
    { "{\"from\":\"alice@sender.example\",\"to\":\"not an address\"}", "to" },
    { "{\"from\":\"alice@sender.example\",\"cc\":\"bob@recipient.example\\r\\nBcc: x@y\"}", "cc" },
    { "{\"from\":\"a@b, c@d\",\"to\":\"bob@recipient.example\"}", "from" },
    { "{\"from\":\"alice@sender.example\",\"to\":\"bob@recipient.example\",\"subject\":\"a\\r\\nX: y\"}", "subject" },
    { "{\"from\":\"alice@sender.example\",\"to\":\"bob@recipient.example\",\"priority\":1}", "priority" },
    { "{\"from\":\"alice@sender.example\",\"to\":\"bob@recipient.example\",\"attachments\":{}}", "attachments" },
    { "{\"from\":\"alice@sender.example\",\"to\":\"bob@recipient.example\",\"attachments\":[{\"data\":\"!!\"}]}", "attachments[0].data" },
    { "{\"from\":\"alice@sender.example\",\"to\":\"bob@recipient.example\",\"attachments\":[{\"filename\":\"a\"}]}", "attachments[0].data" },
    { "{\"from\":\"alice@sender.example\",\"to\":\"bob@recipient.example\",\"attachments\":[{\"data\":\"AAAA\",\"size\":3}]}", "attachments[0].size" },
    { "{\"from\":\"alice@sender.example\",\"to\":\"bob@recipient.example\",\"attachments\":[{\"data\":\"AAAA\",\"content_type\":\"text\"}]}", "attachments[0].content_type" },
    { "{\"from\":\"alice@sender.example\",\"to\":\"bob@recipient.example\",\"attachments\":[{\"data\":\"AAAA\",\"filename\":\"../x\"}]}", "attachments[0].filename" },
  };

  request (f, "POST", "/api/v1/send", NULL, "{}", &r);
  assert_error (&r, 401, NULL);
  response_clear (&r);
  request (f, "POST", "/api/v1/send", wrong, "{\"from\":\"alice@sender.example\",\"to\":\"bob@recipient.example\"}", &r);
  assert_error (&r, 401, NULL);
  response_clear (&r);
  request (f, "POST", "/api/v1/send", "Basic !!!", "{}", &r);
  assert_error (&r, 401, NULL);
  response_clear (&r);
  request (f, "GET", "/api/v1/send", alice, NULL, &r);
  assert_error (&r, 405, NULL);
  response_clear (&r);

  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_test_message ("body: %s", bad[i].body);
      request (f, "POST", "/api/v1/send", alice, bad[i].body, &r);
      assert_error (&r, 400, bad[i].field);
      response_clear (&r);
    }
}

static void
test_send (Fixture       *f,
           gconstpointer  data)
{
  g_autofree char *alice = basic ("alice@sender.example", "alice");
  g_auto(Response) r = { 0 };
  g_autoptr(JsonParser) parser = NULL;
  JsonObject *object;

  request (f, "POST", "/api/v1/send", alice,
           "{\"from\":\"Alice <alice@sender.example>\",\"to\":[\"bob@recipient.example\"],"
           "\"bcc\":\"carol@lists.example\",\"subject\":\"Über HTTP\",\"text\":\".leading dot\\nline 2\","
           "\"html\":\"<p>hi</p>\",\"attachments\":[{\"filename\":\"a.txt\",\"content_type\":\"text/plain\",\"data\":\"aGVsbG8=\"}]}",
           &r);
  if (r.status == 501)
    {
      g_test_skip ("The engine has no submission session yet");
      return;
    }
  g_assert_cmpuint (r.status, ==, 200);
  object = json_node_get_object (parse (&r, &parser));
  g_assert_true (json_object_get_boolean_member (object, "queued"));
  g_assert_cmpint (json_object_get_int_member (object, "http_round_trips"), ==, 1);
  /* EHLO, AUTH, MAIL, 2 x RCPT, DATA, content, QUIT: at least 8 */
  g_assert_cmpint (json_object_get_int_member (object, "smtp_round_trips"), >=, 8);
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (object, "recipients")), ==, 2);
  g_test_message ("%.*s", (int) g_bytes_get_size (r.body), (const char *) g_bytes_get_data (r.body, NULL));

  /* The message arrived (the relay delivers it after the 250), built as
   * MIME, without its Bcc header. */
  {
    MrStore *store = mr_engine_get_store (f->engine);
    MrMailbox *inbox = mr_account_get_inbox (mr_store_lookup_account (store, "bob@recipient.example"));
    MrMailbox *carol = mr_account_get_inbox (mr_store_lookup_account (store, "carol@lists.example"));
    gint64 deadline = g_get_monotonic_time () + 20 * G_USEC_PER_SEC;
    MrMessage *message;
    g_autofree char *subject = NULL;
    g_autofree char *bcc = NULL;
    GBytes *raw;

    while ((mr_mailbox_get_n_messages (inbox) < 1 || mr_mailbox_get_n_messages (carol) < 1) &&
           g_get_monotonic_time () < deadline)
      g_main_context_iteration (NULL, TRUE);

    g_assert_cmpuint (mr_mailbox_get_n_messages (inbox), ==, 1);
    g_assert_cmpuint (mr_mailbox_get_n_messages (carol), ==, 1);
    message = mr_mailbox_get_message (inbox, 0);
    subject = mr_message_dup_header (message, "Subject");
    g_assert_cmpstr (subject, ==, "Über HTTP");
    bcc = mr_message_dup_header (message, "Bcc");
    g_assert_null (bcc);
    g_assert_true (GMIME_IS_MULTIPART (g_mime_message_get_mime_part (mr_message_get_mime (message))));
    g_assert_cmpint (g_mime_multipart_get_count (GMIME_MULTIPART (g_mime_message_get_mime_part (mr_message_get_mime (message)))), ==, 2);
    raw = mr_message_get_raw (message);
    /* Dot-stuffed on the wire, unstuffed in the mailbox (RFC 5321 4.5.2). */
    g_assert_nonnull (g_strstr_len (g_bytes_get_data (raw, NULL), g_bytes_get_size (raw), "\r\n.leading dot"));
  }

  /* The relay queue shows the message and where it went. */
  {
    g_auto(Response) q = { 0 };
    g_autoptr(JsonParser) qparser = NULL;
    JsonArray *items;

    request (f, "GET", "/api/v1/queue", NULL, NULL, &q);
    g_assert_cmpuint (q.status, ==, 200);
    items = json_object_get_array_member (json_node_get_object (parse (&q, &qparser)), "items");
    g_assert_cmpuint (json_array_get_length (items), >=, 1);
    g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (items, 0), "sender"), ==, "alice@sender.example");
  }

  /* The SMTP conversation is on the bus: EHLO, AUTH (masked), MAIL... */
  {
    g_autoptr(GPtrArray) events = mr_event_bus_dup_since (mr_engine_get_bus (f->engine), 0, 0);
    gboolean saw_auth = FALSE, saw_password = FALSE;

    for (guint i = 0; i < events->len; i++)
      {
        const MrEvent *event = g_ptr_array_index (events, i);

        if (g_strcmp0 (event->verb, "AUTH") == 0)
          saw_auth = TRUE;
        /* base64 of "\0alice@sender.example\0alice" */
        if (strstr (event->text, "AGFsaWNlQHNlbmRlci5leGFtcGxlAGFsaWNl"))
          saw_password = TRUE;
      }
    g_assert_true (saw_auth);
    g_assert_false (saw_password);
  }
}

/* WebSocket */

typedef struct
{
  SoupWebsocketConnection *ws;
  GError                  *error;
  GArray                  *seqs;        /* guint64 */
  GPtrArray               *types;       /* message "type"s */
  char                    *error_text;
  gushort                  close_code;
  gboolean                 closed;
  gboolean                 connected;
} Viewer;

static void
on_ws_message_cb (SoupWebsocketConnection *ws,
                  SoupWebsocketDataType    type,
                  GBytes                  *message,
                  Viewer                  *v)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;
  JsonObject *object;
  gsize len;
  const char *data = g_bytes_get_data (message, &len);

  json_parser_load_from_data (parser, data, len, &error);
  g_assert_no_error (error);
  object = json_node_get_object (json_parser_get_root (parser));
  g_ptr_array_add (v->types, g_strdup (json_object_get_string_member (object, "type")));

  if (g_strcmp0 (json_object_get_string_member (object, "type"), "events") == 0)
    {
      JsonArray *events = json_object_get_array_member (object, "events");

      for (guint i = 0; i < json_array_get_length (events); i++)
        {
          g_autoptr(MrEvent) event = mr_event_from_json_node (json_array_get_element (events, i), &error);
          guint64 seq;

          g_assert_no_error (error);
          seq = event->seq;
          g_array_append_val (v->seqs, seq);
        }
    }
  else if (g_strcmp0 (json_object_get_string_member (object, "type"), "error") == 0)
    {
      g_free (v->error_text);
      v->error_text = g_strdup (json_object_get_string_member (object, "error"));
    }
}

static void
on_ws_closed_cb (SoupWebsocketConnection *ws,
                 Viewer                  *v)
{
  v->closed = TRUE;
  v->close_code = soup_websocket_connection_get_close_code (ws);
}

static void
on_ws_connected_cb (GObject      *source,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  Viewer *v = user_data;

  v->ws = soup_session_websocket_connect_finish (SOUP_SESSION (source), result, &v->error);
  if (v->ws != NULL)
    {
      g_signal_connect (v->ws, "message", G_CALLBACK (on_ws_message_cb), v);
      g_signal_connect (v->ws, "closed", G_CALLBACK (on_ws_closed_cb), v);
    }
  v->connected = TRUE;
}

static Viewer *
viewer_connect (Fixture *f,
                guint64  since)
{
  g_autofree char *uri = g_strdup_printf ("ws://127.0.0.1:%u/api/v1/events/stream?since=%" G_GUINT64_FORMAT,
                                          f->port, since);
  g_autoptr(SoupMessage) msg = soup_message_new ("GET", uri);
  Viewer *v = g_new0 (Viewer, 1);

  v->seqs = g_array_new (FALSE, FALSE, sizeof (guint64));
  v->types = g_ptr_array_new_with_free_func (g_free);
  soup_session_websocket_connect_async (f->session, msg, NULL, NULL, G_PRIORITY_DEFAULT, NULL,
                                        on_ws_connected_cb, v);
  while (!v->connected)
    g_main_context_iteration (NULL, TRUE);
  g_assert_no_error (v->error);
  return v;
}

static void
viewer_free (Viewer *v)
{
  if (v->ws != NULL && soup_websocket_connection_get_state (v->ws) == SOUP_WEBSOCKET_STATE_OPEN)
    {
      soup_websocket_connection_close (v->ws, SOUP_WEBSOCKET_CLOSE_NORMAL, NULL);
      while (!v->closed)
        g_main_context_iteration (NULL, TRUE);
    }
  if (v->ws != NULL)
    g_signal_handlers_disconnect_by_data (v->ws, v);
  g_clear_object (&v->ws);
  g_array_unref (v->seqs);
  g_ptr_array_unref (v->types);
  g_free (v->error_text);
  g_free (v);
}

static void
viewer_wait_for (Viewer *v,
                 guint   n_events)
{
  gint64 deadline = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;

  while (v->seqs->len < n_events && !v->closed && g_get_monotonic_time () < deadline)
    g_main_context_iteration (NULL, TRUE);
  g_assert_cmpuint (v->seqs->len, ==, n_events);
}

/* Spins the context briefly so that anything in flight arrives. */
static void
settle (void)
{
  gint64 until = g_get_monotonic_time () + 100 * 1000;

  while (g_get_monotonic_time () < until)
    g_main_context_iteration (NULL, FALSE);
}

static void
assert_in_order (Viewer  *v,
                 guint64  first)
{
  for (guint i = 0; i < v->seqs->len; i++)
    g_assert_cmpuint (g_array_index (v->seqs, guint64, i), ==, first + i);
}

static void
test_stream (Fixture       *f,
             gconstpointer  data)
{
  Viewer *v, *w;

  for (guint i = 0; i < 10; i++)
    emit_line (f, MR_DIRECTION_TO_SERVER, "NOOP", 0);

  v = viewer_connect (f, 0);
  viewer_wait_for (v, 10);
  g_assert_cmpstr (g_ptr_array_index (v->types, 0), ==, "hello");
  g_assert_cmpuint (mr_http_server_get_n_viewers (f->http), ==, 1);

  /* Live events, some while a second viewer joins half-way. */
  for (guint i = 0; i < 10; i++)
    emit_line (f, MR_DIRECTION_TO_CLIENT, "250 2.0.0 Ok", 250);
  w = viewer_connect (f, 15);
  for (guint i = 0; i < 10; i++)
    emit_line (f, MR_DIRECTION_TO_SERVER, "NOOP", 0);
  viewer_wait_for (v, 30);
  viewer_wait_for (w, 15);
  assert_in_order (v, 1);
  assert_in_order (w, 16);

  /* Reconnect where v stopped: nothing missed, nothing twice. */
  viewer_free (v);
  for (guint i = 0; i < 5; i++)
    emit_line (f, MR_DIRECTION_TO_SERVER, "NOOP", 0);
  v = viewer_connect (f, 30);
  viewer_wait_for (v, 5);
  assert_in_order (v, 31);
  settle ();
  g_assert_cmpuint (v->seqs->len, ==, 5);

  viewer_free (v);
  viewer_free (w);
  settle ();
  g_assert_cmpuint (mr_http_server_get_n_viewers (f->http), ==, 0);
}

static void
test_stream_window (Fixture       *f,
                    gconstpointer  data)
{
  Viewer *v;

  mr_http_server_set_viewer_window (f->http, 4);
  for (guint i = 0; i < 10; i++)
    emit_line (f, MR_DIRECTION_TO_SERVER, "NOOP", 0);

  /* Four unacknowledged events, then the server waits for an ack. */
  v = viewer_connect (f, 0);
  viewer_wait_for (v, 4);
  settle ();
  g_assert_cmpuint (v->seqs->len, ==, 4);

  soup_websocket_connection_send_text (v->ws, "{\"ack\":4}");
  viewer_wait_for (v, 8);
  soup_websocket_connection_send_text (v->ws, "{\"ack\":8}");
  viewer_wait_for (v, 10);
  assert_in_order (v, 1);

  /* Not an ack: an error message, the stream goes on. */
  soup_websocket_connection_send_text (v->ws, "hello?");
  settle ();
  g_assert_cmpstr (v->error_text, !=, NULL);
  g_assert_false (v->closed);

  /* Flooding the server closes the viewer (1008). */
  for (guint i = 0; i < MR_HTTP_DEFAULT_MAX_CLIENT_RATE + 20; i++)
    soup_websocket_connection_send_text (v->ws, "{\"ack\":10}");
  while (!v->closed)
    g_main_context_iteration (NULL, TRUE);
  g_assert_cmpuint (v->close_code, ==, 1008);

  viewer_free (v);
}

static void
test_stream_limit (Fixture       *f,
                   gconstpointer  data)
{
  Viewer *v, *w;

  mr_http_server_set_max_viewers (f->http, 1);
  v = viewer_connect (f, 0);
  w = viewer_connect (f, 0);
  while (!w->closed)
    g_main_context_iteration (NULL, TRUE);
  g_assert_cmpuint (w->close_code, ==, 4429);
  g_assert_nonnull (strstr (w->error_text, "Too many viewers"));
  g_assert_false (v->closed);
  g_assert_cmpuint (mr_http_server_get_n_viewers (f->http), ==, 1);

  viewer_free (w);
  viewer_free (v);
}

static void
test_event_json (void)
{
  g_autoptr(MrEvent) event = mr_event_new (MR_EVENT_LINE, MR_DIRECTION_TO_CLIENT, "550 5.1.1 No such user");
  g_autoptr(MrEvent) back = NULL;
  g_autoptr(JsonNode) node = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *json = NULL;
  static const char *bad[] = {
    "[]", "{\"kind\":\"dance\"}", "{\"seq\":\"1\"}", "{\"seq\":-1}", "{\"flags\":\"masked\"}",
    "{\"flags\":[1]}", "{\"code\":100000}", "{\"text\":7}", "{\"direction\":\"sideways\"}",
  };

  event->seq = 42;
  event->time = 1700000000000000;
  event->protocol = MR_PROTOCOL_SMTP;
  event->conversation_id = 7;
  event->client = g_strdup ("alice-laptop");
  event->server = g_strdup ("mx1.recipient.example");
  event->flags = MR_EVENT_FLAG_ERROR | MR_EVENT_FLAG_MASKED;
  mr_event_set_reply (event, 550, "5.1.1");
  mr_event_set_state (event, "rcpt");

  json = mr_event_to_json (event, NULL);
  g_assert_nonnull (strstr (json, "\"explanation\""));
  g_assert_nonnull (strstr (json, "\"flags\":[\"masked\",\"error\"]"));

  json_parser_load_from_data (parser, json, -1, &error);
  g_assert_no_error (error);
  back = mr_event_from_json_node (json_parser_get_root (parser), &error);
  g_assert_no_error (error);
  g_assert_cmpuint (back->seq, ==, 42);
  g_assert_cmpint (back->time, ==, event->time);
  g_assert_cmpint (back->kind, ==, MR_EVENT_LINE);
  g_assert_cmpint (back->direction, ==, MR_DIRECTION_TO_CLIENT);
  g_assert_cmpint (back->protocol, ==, MR_PROTOCOL_SMTP);
  g_assert_cmpuint (back->conversation_id, ==, 7);
  g_assert_cmpstr (back->client, ==, "alice-laptop");
  g_assert_cmpstr (back->server, ==, "mx1.recipient.example");
  g_assert_cmpstr (back->text, ==, "550 5.1.1 No such user");
  g_assert_cmpuint (back->code, ==, 550);
  g_assert_cmpstr (back->enhanced, ==, "5.1.1");
  g_assert_cmpstr (back->state, ==, "rcpt");
  g_assert_cmpuint (back->flags, ==, MR_EVENT_FLAG_ERROR | MR_EVENT_FLAG_MASKED);

  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr(JsonParser) p = json_parser_new ();
      g_autoptr(MrEvent) e = NULL;
      g_autoptr(GError) err = NULL;

      json_parser_load_from_data (p, bad[i], -1, &err);
      g_assert_no_error (err);
      e = mr_event_from_json_node (json_parser_get_root (p), &err);
      g_assert_null (e);
      g_assert_error (err, MR_ERROR, MR_ERROR_INVALID_DATA);
    }
}

int
main (int   argc,
      char *argv[])
{
  mr_init ();
  g_test_init (&argc, &argv, NULL);

#define ADD(path, func) \
  g_test_add (path, Fixture, NULL, fixture_setup, func, fixture_teardown)

  g_test_add_func ("/http/event-json", test_event_json);
  ADD ("/http/static", test_static);
  ADD ("/http/openapi", test_openapi);
  ADD ("/http/connections", test_connections);
  ADD ("/http/classroom", test_classroom);
  ADD ("/http/accounts", test_accounts);
  ADD ("/http/messages", test_messages);
  ADD ("/http/clock", test_clock);
  ADD ("/http/body-limit", test_body_limit);
  ADD ("/http/events", test_events);
  ADD ("/http/reply-codes", test_reply_codes);
  ADD ("/http/stubs", test_stubs);
  ADD ("/http/lessons", test_lessons);
  ADD ("/http/faults", test_faults);
  ADD ("/http/scenario", test_scenario);
  ADD ("/http/send/validation", test_send_validation);
  ADD ("/http/send/submit", test_send);
  ADD ("/http/stream/resume", test_stream);
  ADD ("/http/stream/window", test_stream_window);
  ADD ("/http/stream/limit", test_stream_limit);

  return g_test_run ();
}
