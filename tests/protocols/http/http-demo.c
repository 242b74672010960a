/* http-demo.c
 *
 * Copyright 2026 The Mailroom authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A web view with made-up traffic, for looking at the page without the
 * protocol servers: http-demo [PORT]. Prints "http 127.0.0.1:PORT" and
 * "teacher-token TOKEN", then plays an SMTP conversation every two seconds.
 */

#include "config.h"

#include <stdio.h>
#include <stdlib.h>

#include "mr-conversation.h"
#include "mr-engine.h"
#include "mr-http-server.h"

static const struct {
  MrDirection direction;
  const char *text;
  guint       code;
  const char *enhanced;
} script[] = {
  { MR_DIRECTION_TO_CLIENT, "220 smtp.sender.example ESMTP Mailroom", 220, NULL },
  { MR_DIRECTION_TO_SERVER, "EHLO alice-laptop", 0, NULL },
  { MR_DIRECTION_TO_CLIENT, "250 smtp.sender.example", 250, NULL },
  { MR_DIRECTION_TO_SERVER, "MAIL FROM:<alice@sender.example>", 0, NULL },
  { MR_DIRECTION_TO_CLIENT, "250 2.1.0 Ok", 250, "2.1.0" },
  { MR_DIRECTION_TO_SERVER, "RCPT TO:<nobody@recipient.example>", 0, NULL },
  { MR_DIRECTION_TO_CLIENT, "550 5.1.1 No such user", 550, "5.1.1" },
  { MR_DIRECTION_TO_SERVER, "RCPT TO:<bob@recipient.example>", 0, NULL },
  { MR_DIRECTION_TO_CLIENT, "451 4.7.1 Greylisted, try again later", 451, "4.7.1" },
  { MR_DIRECTION_TO_SERVER, "DATA", 0, NULL },
  { MR_DIRECTION_TO_CLIENT, "354 End data with <CR><LF>.<CR><LF>", 354, NULL },
  { MR_DIRECTION_TO_SERVER, "QUIT", 0, NULL },
  { MR_DIRECTION_TO_CLIENT, "221 2.0.0 Bye", 221, "2.0.0" },
};

static gboolean
play_cb (gpointer data)
{
  MrEngine *engine = data;
  g_autoptr(MrConversation) conversation = NULL;
  static guint round;

  conversation = mr_conversation_new (mr_engine_get_bus (engine), MR_PROTOCOL_SMTP,
                                      round++ % 2 ? "127.0.0.1:40000" : "alice-laptop",
                                      "smtp.sender.example");
  for (guint i = 0; i < G_N_ELEMENTS (script); i++)
    {
      MrEvent *event = mr_conversation_new_event (conversation, MR_EVENT_LINE,
                                                  script[i].direction, script[i].text);

      if (script[i].code != 0)
        mr_event_set_reply (event, script[i].code, script[i].enhanced);
      else
        mr_event_set_verb (event, script[i].text);
      mr_conversation_emit (conversation, event);
    }
  return G_SOURCE_CONTINUE;
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GError) error = NULL;
  g_autoptr(MrEngine) engine = NULL;
  g_autoptr(MrHttpServer) http = NULL;
  g_autoptr(GMainLoop) loop = g_main_loop_new (NULL, FALSE);
  guint16 port;

  mr_init ();
  engine = mr_engine_new ();
  if (!mr_engine_load_scenario (engine, NULL, &error))
    g_error ("%s", error->message);
  http = mr_http_server_new (engine);
  port = mr_http_server_listen (http, "127.0.0.1", argc > 1 ? atoi (argv[1]) : 0, &error);
  if (port == 0)
    g_error ("%s", error->message);
  printf ("http 127.0.0.1:%u\nteacher-token %s\n", port, mr_http_server_get_teacher_token (http));
  fflush (stdout);

  g_timeout_add_seconds (2, play_cb, engine);
  g_main_loop_run (loop);
  return 0;
}
