/* test-server-loopback.c
 *
 * Copyright 2026 The Mailroom authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gstdio.h>
#include <string.h>

#include "mailroom.h"
#include "mr-server.h"
#include "mr-tls.h"

/*
 * MrServer and MrConnection with a tiny line protocol, so the transport is
 * tested on its own: greeting, echo, STARTTLS, implicit TLS, idle timeout,
 * connection limits and the shutdown goodbye. Clients run on a thread with
 * blocking I/O while the main thread serves.
 */

#define TEST_TYPE_ECHO_SESSION (test_echo_session_get_type ())
G_DECLARE_FINAL_TYPE (TestEchoSession, test_echo_session, TEST, ECHO_SESSION, MrSession)

struct _TestEchoSession
{
  MrSession     parent_instance;
  MrLineReader *reader;
};

G_DEFINE_FINAL_TYPE (TestEchoSession, test_echo_session, MR_TYPE_SESSION)

static void
echo_start (MrSession *session)
{
  mr_session_send_line (session, "HELLO", NULL);
}

static void
echo_feed (MrSession    *session,
           const guint8 *data,
           gsize         len)
{
  TestEchoSession *self = TEST_ECHO_SESSION (session);
  const char *line;

  mr_line_reader_feed (self->reader, data, len);
  while (mr_line_reader_next_line (self->reader, &line, NULL, NULL, NULL) > 0)
    {
      if (g_str_equal (line, "QUIT"))
        {
          mr_session_send_line (session, "BYE", NULL);
          mr_session_set_action (session, MR_SESSION_CLOSE);
          return;
        }
      if (g_str_equal (line, "STARTTLS") && mr_session_get_tls_available (session))
        {
          mr_session_send_line (session, "GO", NULL);
          mr_session_set_action (session, MR_SESSION_START_TLS);
          mr_line_reader_clear (self->reader);
          return;
        }
      {
        g_autofree char *reply = g_strdup_printf ("ECHO %s%s", line,
                                                  mr_session_get_encrypted (session) ? " (tls)" : "");
        mr_session_send_line (session, reply, NULL);
      }
    }
}

static void
echo_stop (MrSession    *session,
           MrStopReason  reason)
{
  static const char * const names[] = { "shutdown", "idle", "too-many" };
  g_autofree char *line = g_strdup_printf ("BYE %s", names[reason]);

  mr_session_send_line (session, line, NULL);
}

static void
test_echo_session_finalize (GObject *object)
{
  mr_line_reader_free (TEST_ECHO_SESSION (object)->reader);
  G_OBJECT_CLASS (test_echo_session_parent_class)->finalize (object);
}

static void
test_echo_session_class_init (TestEchoSessionClass *klass)
{
  MrSessionClass *session_class = MR_SESSION_CLASS (klass);

  G_OBJECT_CLASS (klass)->finalize = test_echo_session_finalize;
  session_class->start = echo_start;
  session_class->feed = echo_feed;
  session_class->stop = echo_stop;
}

static void
test_echo_session_init (TestEchoSession *self)
{
  self->reader = mr_line_reader_new (512);
}

/* Fixture */

typedef struct
{
  MrEventBus      *bus;
  MrServer        *server;
  GTlsCertificate *certificate;
  char            *tls_dir;
  guint16          port;
  GMainLoop       *loop;
} Fixture;

static MrSession *
factory (const char *peer,
         gpointer    user_data)
{
  Fixture *fixture = user_data;
  g_autoptr(MrConversation) conversation = mr_conversation_new (fixture->bus, MR_PROTOCOL_NONE, peer, "test");

  return g_object_new (TEST_TYPE_ECHO_SESSION, "conversation", conversation, NULL);
}

static void
fixture_start (Fixture   *fixture,
               MrService  service,
               MrLimits  *limits)
{
  g_autoptr(GError) error = NULL;

  fixture->server = mr_server_new (service, limits, factory, fixture, NULL);
  mr_server_set_certificate (fixture->server, fixture->certificate);
  fixture->port = mr_server_listen (fixture->server, "127.0.0.1", 0, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (fixture->port, >, 0);
}

static void
fixture_setup (Fixture       *fixture,
               gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  fixture->bus = mr_event_bus_new (NULL);
  fixture->loop = g_main_loop_new (NULL, FALSE);
  fixture->tls_dir = g_dir_make_tmp ("mailroom-tls-XXXXXX", &error);
  g_assert_no_error (error);
  fixture->certificate = mr_tls_load_or_create_certificate (fixture->tls_dir, &error);
  g_assert_no_error (error);
}

static void
fixture_teardown (Fixture       *fixture,
                  gconstpointer  data)
{
  g_autofree char *cert = g_build_filename (fixture->tls_dir, "cert.pem", NULL);
  g_autofree char *key = g_build_filename (fixture->tls_dir, "key.pem", NULL);

  g_clear_object (&fixture->server);
  g_clear_object (&fixture->certificate);
  g_clear_object (&fixture->bus);
  g_clear_pointer (&fixture->loop, g_main_loop_unref);
  g_unlink (cert);
  g_unlink (key);
  g_rmdir (fixture->tls_dir);
  g_free (fixture->tls_dir);
}

/* Client side: blocking, on its own thread */

typedef struct
{
  GIOStream        *stream;
  GDataInputStream *in;
} Client;

static void
client_close (Client *client)
{
  g_clear_object (&client->in);
  g_clear_object (&client->stream);
}

static void
client_wrap (Client    *client,
             GIOStream *stream)
{
  g_clear_object (&client->in);
  g_set_object (&client->stream, stream);
  client->in = g_data_input_stream_new (g_io_stream_get_input_stream (stream));
  g_data_input_stream_set_newline_type (client->in, G_DATA_STREAM_NEWLINE_TYPE_CR_LF);
  g_filter_input_stream_set_close_base_stream (G_FILTER_INPUT_STREAM (client->in), FALSE);
}

static void
client_connect (Client  *client,
                guint16  port)
{
  g_autoptr(GSocketClient) socket_client = g_socket_client_new ();
  g_autoptr(GSocketConnection) connection = NULL;
  g_autoptr(GError) error = NULL;

  connection = g_socket_client_connect_to_host (socket_client, "127.0.0.1", port, NULL, &error);
  g_assert_no_error (error);
  client_wrap (client, G_IO_STREAM (connection));
}

static gboolean
accept_any_cb (GTlsConnection       *connection,
               GTlsCertificate      *certificate,
               GTlsCertificateFlags  errors,
               gpointer              user_data)
{
  return TRUE;
}

static void
client_handshake (Client *client)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GIOStream) tls = g_tls_client_connection_new (client->stream, NULL, &error);

  g_assert_no_error (error);
  g_signal_connect (tls, "accept-certificate", G_CALLBACK (accept_any_cb), NULL);
  g_tls_connection_handshake (G_TLS_CONNECTION (tls), NULL, &error);
  g_assert_no_error (error);
  client_wrap (client, tls);
}

static char *
client_read_line (Client *client)
{
  g_autoptr(GError) error = NULL;
  char *line = g_data_input_stream_read_line (client->in, NULL, NULL, &error);

  return line;
}

static void
client_send (Client     *client,
             const char *text)
{
  g_autoptr(GError) error = NULL;

  g_output_stream_write_all (g_io_stream_get_output_stream (client->stream), text, strlen (text),
                             NULL, NULL, &error);
  g_assert_no_error (error);
}

static void
expect_line (Client     *client,
             const char *expected)
{
  g_autofree char *line = client_read_line (client);

  g_assert_cmpstr (line, ==, expected);
}

typedef void (*ClientFunc) (Fixture *fixture);

typedef struct
{
  Fixture    *fixture;
  ClientFunc  func;
} ClientJob;

static gboolean
quit_idle (gpointer data)
{
  g_main_loop_quit (data);
  return G_SOURCE_REMOVE;
}

static gpointer
client_thread (gpointer data)
{
  ClientJob *job = data;

  job->func (job->fixture);
  g_idle_add (quit_idle, job->fixture->loop);
  return NULL;
}

static void
run_client (Fixture    *fixture,
            ClientFunc  func)
{
  ClientJob job = { fixture, func };
  GThread *thread = g_thread_new ("client", client_thread, &job);

  g_main_loop_run (fixture->loop);
  g_thread_join (thread);
}

/* Tests */

static void
echo_client (Fixture *fixture)
{
  Client client = { 0 };

  client_connect (&client, fixture->port);
  expect_line (&client, "HELLO");
  /* Two commands in one write, the second split across writes. */
  client_send (&client, "one\r\ntw");
  expect_line (&client, "ECHO one");
  client_send (&client, "o\r\nQUIT\r\n");
  expect_line (&client, "ECHO two");
  expect_line (&client, "BYE");
  g_assert_null (client_read_line (&client));
  client_close (&client);
}

static void
test_server_echo (Fixture       *fixture,
                  gconstpointer  data)
{
  g_autoptr(GPtrArray) events = NULL;

  fixture_start (fixture, MR_SERVICE_SMTP, NULL);
  run_client (fixture, echo_client);

  /* The transcript is on the bus: greeting, two echoes and BYE. */
  events = mr_event_bus_dup_since (fixture->bus, 0, 0);
  g_assert_cmpuint (events->len, >=, 4);
  g_assert_cmpstr (((MrEvent *)g_ptr_array_index (events, 0))->text, ==, "HELLO");
  g_assert_cmpstr (((MrEvent *)g_ptr_array_index (events, 3))->text, ==, "BYE");
}

static void
starttls_client (Fixture *fixture)
{
  Client client = { 0 };

  client_connect (&client, fixture->port);
  expect_line (&client, "HELLO");
  client_send (&client, "STARTTLS\r\n");
  expect_line (&client, "GO");
  client_handshake (&client);
  client_send (&client, "secret\r\n");
  expect_line (&client, "ECHO secret (tls)");
  client_send (&client, "STARTTLS\r\n");
  expect_line (&client, "ECHO STARTTLS (tls)");
  client_send (&client, "QUIT\r\n");
  expect_line (&client, "BYE");
  client_close (&client);
}

static void
test_server_starttls (Fixture       *fixture,
                      gconstpointer  data)
{
  g_autoptr(GPtrArray) events = NULL;
  gboolean saw_tls = FALSE;

  fixture_start (fixture, MR_SERVICE_SMTP, NULL);
  run_client (fixture, starttls_client);

  events = mr_event_bus_dup_since (fixture->bus, 0, 0);
  for (guint i = 0; i < events->len; i++)
    {
      MrEvent *event = g_ptr_array_index (events, i);

      if (event->kind == MR_EVENT_TLS)
        saw_tls = TRUE;
      if (g_strcmp0 (event->text, "ECHO secret (tls)") == 0)
        g_assert_true (event->flags & MR_EVENT_FLAG_ENCRYPTED);
      if (g_strcmp0 (event->text, "HELLO") == 0)
        g_assert_false (event->flags & MR_EVENT_FLAG_ENCRYPTED);
    }
  g_assert_true (saw_tls);
}

static void
implicit_tls_client (Fixture *fixture)
{
  Client client = { 0 };

  client_connect (&client, fixture->port);
  client_handshake (&client);
  expect_line (&client, "HELLO");
  client_send (&client, "hi\r\nQUIT\r\n");
  expect_line (&client, "ECHO hi (tls)");
  expect_line (&client, "BYE");
  client_close (&client);
}

static void
test_server_implicit_tls (Fixture       *fixture,
                          gconstpointer  data)
{
  fixture_start (fixture, MR_SERVICE_SMTPS, NULL);
  run_client (fixture, implicit_tls_client);
}

static void
idle_client (Fixture *fixture)
{
  Client client = { 0 };

  client_connect (&client, fixture->port);
  expect_line (&client, "HELLO");
  /* Say nothing: the server says why it hangs up, then closes. */
  expect_line (&client, "BYE idle");
  g_assert_null (client_read_line (&client));
  client_close (&client);
}

static void
test_server_idle_timeout (Fixture       *fixture,
                          gconstpointer  data)
{
  MrLimits limits = { .idle_timeout_seconds = 1 };

  fixture_start (fixture, MR_SERVICE_SMTP, &limits);
  run_client (fixture, idle_client);
}

static void
limit_client (Fixture *fixture)
{
  Client first = { 0 };
  Client second = { 0 };

  client_connect (&first, fixture->port);
  expect_line (&first, "HELLO");
  /* Over the per-address limit: a refusal instead of a greeting. */
  client_connect (&second, fixture->port);
  expect_line (&second, "BYE too-many");
  g_assert_null (client_read_line (&second));
  client_close (&second);

  client_send (&first, "still here\r\nQUIT\r\n");
  expect_line (&first, "ECHO still here");
  expect_line (&first, "BYE");
  client_close (&first);
}

static void
test_server_connection_limit (Fixture       *fixture,
                              gconstpointer  data)
{
  MrLimits limits = { .max_connections_per_address = 1 };

  fixture_start (fixture, MR_SERVICE_SMTP, &limits);
  run_client (fixture, limit_client);
}

static gboolean
stop_server_cb (gpointer data)
{
  Fixture *fixture = data;

  mr_server_stop (fixture->server, MR_STOP_SHUTDOWN);
  return G_SOURCE_REMOVE;
}

static void
shutdown_client (Fixture *fixture)
{
  Client client = { 0 };

  client_connect (&client, fixture->port);
  expect_line (&client, "HELLO");
  g_idle_add (stop_server_cb, fixture);
  expect_line (&client, "BYE shutdown");
  g_assert_null (client_read_line (&client));
  client_close (&client);
}

static void
test_server_shutdown (Fixture       *fixture,
                      gconstpointer  data)
{
  fixture_start (fixture, MR_SERVICE_SMTP, NULL);
  run_client (fixture, shutdown_client);
}

int
main (int   argc,
      char *argv[])
{
  mr_init ();
  g_test_init (&argc, &argv, NULL);

#define ADD(path, func) g_test_add (path, Fixture, NULL, fixture_setup, func, fixture_teardown)
  ADD ("/server/loopback/echo", test_server_echo);
  ADD ("/server/loopback/starttls", test_server_starttls);
  ADD ("/server/loopback/implicit-tls", test_server_implicit_tls);
  ADD ("/server/loopback/idle-timeout", test_server_idle_timeout);
  ADD ("/server/loopback/connection-limit", test_server_connection_limit);
  ADD ("/server/loopback/shutdown", test_server_shutdown);
#undef ADD

  return g_test_run ();
}
