/* test-smtp-client.c
 *
 * Copyright 2026 The Mailroom authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <string.h>

#include "mr-event-bus.h"
#include "mr-clock.h"
#include "mr-smtp-client.h"

#define MESSAGE "From: alice@sender.example\r\nTo: bob@recipient.example\r\n" \
                "Subject: hi\r\n\r\nHello Bob.\r\n.hidden dot\r\nBye\r\n"

static MrSmtpClient *
new_client (MrConversation *conversation,
            const char     *first,
            ...)
{
  g_autoptr(GBytes) message = g_bytes_new_static (MESSAGE, strlen (MESSAGE));
  MrSmtpClient *client = mr_smtp_client_new (conversation, "smtp.sender.example");
  va_list args;

  mr_smtp_client_set_sender (client, "alice@sender.example", NULL, NULL);
  va_start (args, first);
  for (const char *rcpt = first; rcpt != NULL; rcpt = va_arg (args, const char *))
    mr_smtp_client_add_recipient (client, rcpt, NULL, NULL);
  va_end (args);
  mr_smtp_client_set_message (client, message);

  return client;
}

/* Splits all pending output into lines (without CRLF). */
static GPtrArray *
take_lines (MrSmtpClient *client)
{
  GPtrArray *lines = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GBytes) out = mr_smtp_client_take_output (client);
  g_auto(GStrv) split = NULL;
  g_autofree char *text = NULL;

  if (out == NULL)
    return lines;

  text = g_strndup (g_bytes_get_data (out, NULL), g_bytes_get_size (out));
  g_assert_true (g_str_has_suffix (text, "\r\n"));
  text[strlen (text) - 2] = '\0';
  split = g_strsplit (text, "\r\n", -1);
  for (guint i = 0; split[i] != NULL; i++)
    g_ptr_array_add (lines, g_strdup (split[i]));

  return lines;
}

/* Runs a transcript: "S: " lines are fed (together, whole or one byte at
 * a time), "C: " lines must be what the client sends next, "T" performs
 * the owner's TLS hand-shake. */
static void
run_script (MrSmtpClient       *client,
            const char * const *script,
            gboolean            trickle)
{
  guint i = 0;

  mr_smtp_client_start (client);

  while (script[i] != NULL)
    {
      if (g_str_has_prefix (script[i], "S: "))
        {
          g_autoptr(GString) chunk = g_string_new (NULL);

          for (; script[i] != NULL && g_str_has_prefix (script[i], "S: "); i++)
            g_string_append_printf (chunk, "%s\r\n", script[i] + 3);
          if (trickle)
            for (gsize j = 0; j < chunk->len; j++)
              mr_smtp_client_feed (client, (const guint8 *)chunk->str + j, 1);
          else
            mr_smtp_client_feed (client, (const guint8 *)chunk->str, chunk->len);
        }
      else if (g_str_has_prefix (script[i], "C: "))
        {
          g_autoptr(GPtrArray) lines = take_lines (client);
          guint j = 0;

          for (; script[i] != NULL && g_str_has_prefix (script[i], "C: "); i++, j++)
            {
              g_assert_cmpuint (j, <, lines->len);
              g_assert_cmpstr (g_ptr_array_index (lines, j), ==, script[i] + 3);
            }
          g_assert_cmpuint (j, ==, lines->len);
        }
      else if (g_str_equal (script[i], "T"))
        {
          g_assert_cmpint (mr_smtp_client_get_action (client), ==, MR_SESSION_START_TLS);
          mr_smtp_client_tls_started (client);
          i++;
        }
      else
        g_assert_not_reached ();
    }

  g_assert_false (mr_smtp_client_has_output (client));
}

static void
assert_rcpt (MrSmtpClient     *client,
             guint             index,
             MrSmtpRcptStatus  status,
             guint             code,
             const char       *enhanced)
{
  GPtrArray *rcpts = mr_smtp_client_get_recipients (client);
  MrSmtpClientRecipient *rcpt;

  g_assert_cmpuint (index, <, rcpts->len);
  rcpt = g_ptr_array_index (rcpts, index);
  g_assert_cmpstr (mr_smtp_rcpt_status_to_string (rcpt->status), ==,
                   mr_smtp_rcpt_status_to_string (status));
  g_assert_cmpuint (rcpt->code, ==, code);
  g_assert_cmpstr (rcpt->enhanced, ==, enhanced);
}

static const char * const pipelining_script[] = {
  "S: 220 mx1.recipient.example ESMTP",
  "C: EHLO smtp.sender.example",
  "S: 250-mx1.recipient.example",
  "S: 250-PIPELINING",
  "S: 250-SIZE 10240000",
  "S: 250 ENHANCEDSTATUSCODES",
  "C: MAIL FROM:<alice@sender.example> SIZE=100",
  "C: RCPT TO:<bob@recipient.example>",
  "C: RCPT TO:<bbo@recipient.example>",
  "C: DATA",
  "S: 250 2.1.0 Ok",
  "S: 250 2.1.5 Ok",
  "S: 550 5.1.1 <bbo@recipient.example>: Recipient address rejected",
  "S: 354 End data with <CR><LF>.<CR><LF>",
  "C: From: alice@sender.example",
  "C: To: bob@recipient.example",
  "C: Subject: hi",
  "C: ",
  "C: Hello Bob.",
  "C: ..hidden dot",
  "C: Bye",
  "C: .",
  "S: 250 2.0.0 Ok: queued as 4F2A",
  "C: QUIT",
  "S: 221 2.0.0 Bye",
  NULL
};

static void
test_client_pipelining (void)
{
  for (int trickle = 0; trickle < 2; trickle++)
    {
      g_autoptr(MrSmtpClient) client = new_client (NULL, "bob@recipient.example",
                                                   "bbo@recipient.example", NULL);

      run_script (client, pipelining_script, trickle);
      g_assert_true (mr_smtp_client_get_finished (client));
      g_assert_cmpint (mr_smtp_client_get_action (client), ==, MR_SESSION_CLOSE);
      g_assert_true (mr_smtp_client_has_extension (client, "pipelining"));
      assert_rcpt (client, 0, MR_SMTP_RCPT_DELIVERED, 250, "2.0.0");
      assert_rcpt (client, 1, MR_SMTP_RCPT_FAILED, 550, "5.1.1");
    }
}

static const char * const helo_script[] = {
  "S: 220 old.example SMTP",
  "C: EHLO smtp.sender.example",
  "S: 502 Command not implemented",
  "C: HELO smtp.sender.example",
  "S: 250 old.example",
  "C: MAIL FROM:<alice@sender.example>",
  "S: 250 Ok",
  "C: RCPT TO:<bob@recipient.example>",
  "S: 451 4.7.1 Greylisted, try again later",
  "C: RCPT TO:<carol@recipient.example>",
  "S: 250 Ok",
  "C: DATA",
  "S: 354 go ahead",
  "C: From: alice@sender.example",
  "C: To: bob@recipient.example",
  "C: Subject: hi",
  "C: ",
  "C: Hello Bob.",
  "C: ..hidden dot",
  "C: Bye",
  "C: .",
  "S: 250 queued",
  "C: QUIT",
  "S: 221 Bye",
  NULL
};

static void
test_client_helo_fallback (void)
{
  for (int trickle = 0; trickle < 2; trickle++)
    {
      g_autoptr(MrSmtpClient) client = new_client (NULL, "bob@recipient.example",
                                                   "carol@recipient.example", NULL);

      run_script (client, helo_script, trickle);
      g_assert_true (mr_smtp_client_get_finished (client));
      g_assert_false (mr_smtp_client_has_extension (client, "PIPELINING"));
      assert_rcpt (client, 0, MR_SMTP_RCPT_DEFERRED, 451, "4.7.1");
      assert_rcpt (client, 1, MR_SMTP_RCPT_DELIVERED, 250, NULL);
    }
}

static const char * const starttls_chunking_script[] = {
  "S: 220 mx ESMTP",
  "C: EHLO smtp.sender.example",
  "S: 250-mx",
  "S: 250-STARTTLS",
  "S: 250 DSN",
  "C: STARTTLS",
  "S: 220 2.0.0 Ready to start TLS",
  "T",
  "C: EHLO smtp.sender.example",
  "S: 250-mx",
  "S: 250-CHUNKING",
  "S: 250 DSN",
  "C: MAIL FROM:<alice@sender.example> RET=HDRS ENVID=QQ123",
  "S: 250 2.1.0 Ok",
  "C: RCPT TO:<bob@recipient.example> NOTIFY=FAILURE,DELAY ORCPT=rfc822;bob@recipient.example",
  "S: 250 2.1.5 Ok",
  "C: BDAT 100 LAST",
  "C: From: alice@sender.example",
  "C: To: bob@recipient.example",
  "C: Subject: hi",
  "C: ",
  "C: Hello Bob.",
  "C: .hidden dot",
  "C: Bye",
  "S: 250 2.0.0 Ok: 100 octets",
  "C: QUIT",
  "S: 221 2.0.0 Bye",
  NULL
};

static void
test_client_starttls_chunking (void)
{
  for (int trickle = 0; trickle < 2; trickle++)
    {
      g_autoptr(GBytes) message = g_bytes_new_static (MESSAGE, strlen (MESSAGE));
      g_autoptr(MrSmtpClient) client = mr_smtp_client_new (NULL, "smtp.sender.example");

      mr_smtp_client_set_sender (client, "alice@sender.example", "HDRS", "QQ123");
      mr_smtp_client_add_recipient (client, "bob@recipient.example", "FAILURE,DELAY",
                                    "rfc822;bob@recipient.example");
      mr_smtp_client_set_message (client, message);
      run_script (client, starttls_chunking_script, trickle);
      g_assert_true (mr_smtp_client_get_encrypted (client));
      g_assert_false (mr_smtp_client_has_extension (client, "STARTTLS"));
      assert_rcpt (client, 0, MR_SMTP_RCPT_DELIVERED, 250, "2.0.0");
    }
}

static const char * const auth_script[] = {
  "S: 220 smtp.sender.example ESMTP",
  "C: EHLO alice-laptop",
  "S: 250-smtp.sender.example",
  "S: 250 AUTH LOGIN PLAIN",
  /* "\0alice@sender.example\0alice" */
  "C: AUTH PLAIN AGFsaWNlQHNlbmRlci5leGFtcGxlAGFsaWNl",
  "S: 235 2.7.0 Authentication successful",
  "C: MAIL FROM:<alice@sender.example>",
  "S: 250 2.1.0 Ok",
  "C: RCPT TO:<bob@recipient.example>",
  "S: 250 2.1.5 Ok",
  "C: DATA",
  "S: 354 go",
  "C: From: alice@sender.example",
  "C: To: bob@recipient.example",
  "C: Subject: hi",
  "C: ",
  "C: Hello Bob.",
  "C: ..hidden dot",
  "C: Bye",
  "C: .",
  "S: 250 2.0.0 Ok: queued",
  "C: QUIT",
  "S: 221 Bye",
  NULL
};

static const char * const auth_failed_script[] = {
  "S: 220 smtp.sender.example ESMTP",
  "C: EHLO alice-laptop",
  "S: 250-smtp.sender.example",
  "S: 250 AUTH PLAIN",
  "C: AUTH PLAIN AGFsaWNlQHNlbmRlci5leGFtcGxlAGFsaWNl",
  "S: 535 5.7.8 Authentication credentials invalid",
  "C: QUIT",
  "S: 221 Bye",
  NULL
};

static const char * const auth_not_offered_script[] = {
  "S: 220 smtp.sender.example ESMTP",
  "C: EHLO alice-laptop",
  "S: 250 smtp.sender.example",
  "C: QUIT",
  "S: 221 Bye",
  NULL
};

static void
test_client_auth (void)
{
  static const struct {
    const char * const *script;
    MrSmtpRcptStatus    status;
    guint               code;
    const char         *enhanced;
  } cases[] = {
    { auth_script, MR_SMTP_RCPT_DELIVERED, 250, "2.0.0" },
    { auth_failed_script, MR_SMTP_RCPT_FAILED, 535, "5.7.8" },
    { auth_not_offered_script, MR_SMTP_RCPT_DEFERRED, 0, "4.7.0" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    for (int trickle = 0; trickle < 2; trickle++)
      {
        g_autoptr(GBytes) message = g_bytes_new_static (MESSAGE, strlen (MESSAGE));
        g_autoptr(MrClock) clock = mr_clock_new ();
        g_autoptr(MrEventBus) bus = mr_event_bus_new (clock);
        g_autoptr(MrConversation) conversation = mr_conversation_new (bus, MR_PROTOCOL_SMTP,
                                                                      "alice-laptop", "smtp");
        g_autoptr(MrSmtpClient) client = mr_smtp_client_new (conversation, "alice-laptop");
        g_autoptr(GPtrArray) events = NULL;

        mr_smtp_client_set_auth (client, "alice@sender.example", "alice");
        mr_smtp_client_set_sender (client, "alice@sender.example", NULL, NULL);
        mr_smtp_client_add_recipient (client, "bob@recipient.example", NULL, NULL);
        mr_smtp_client_set_message (client, message);
        run_script (client, cases[i].script, trickle);
        assert_rcpt (client, 0, cases[i].status, cases[i].code, cases[i].enhanced);

        /* The password never reaches the bus. */
        events = mr_event_bus_dup_since (bus, 0, 0);
        for (guint j = 0; j < events->len; j++)
          {
            const MrEvent *event = g_ptr_array_index (events, j);

            g_assert_null (strstr (event->text, "AGFsaWNl"));
            if (g_strcmp0 (event->verb, "AUTH") == 0)
              g_assert_true (event->flags & MR_EVENT_FLAG_MASKED);
          }
      }
}

static const char * const banner_421_script[] = {
  "S: 421 4.3.2 Service not available, closing transmission channel",
  NULL
};

static const char * const banner_554_script[] = {
  "S: 554 5.7.1 No SMTP service here",
  "C: QUIT",
  "S: 221 Bye",
  NULL
};

static const char * const size_script[] = {
  "S: 220 mx ESMTP",
  "C: EHLO smtp.sender.example",
  "S: 250-mx",
  "S: 250 SIZE 10",
  "C: QUIT",
  "S: 221 Bye",
  NULL
};

static const char * const all_rejected_script[] = {
  "S: 220 mx ESMTP",
  "C: EHLO smtp.sender.example",
  "S: 250-mx",
  "S: 250 PIPELINING",
  "C: MAIL FROM:<alice@sender.example>",
  "C: RCPT TO:<bob@recipient.example>",
  "C: DATA",
  "S: 250 2.1.0 Ok",
  "S: 552 5.2.2 Mailbox full",
  "S: 554 5.5.1 No valid recipients",
  "C: QUIT",
  "S: 221 Bye",
  NULL
};

static const char * const mail_rejected_script[] = {
  "S: 220 mx ESMTP",
  "C: EHLO smtp.sender.example",
  "S: 250 mx",
  "C: MAIL FROM:<alice@sender.example>",
  "S: 530 5.7.0 Authentication required",
  "C: QUIT",
  "S: 221 Bye",
  NULL
};

static const char * const spam_script[] = {
  "S: 220 mx ESMTP",
  "C: EHLO smtp.sender.example",
  "S: 250 mx",
  "C: MAIL FROM:<alice@sender.example>",
  "S: 250 Ok",
  "C: RCPT TO:<bob@recipient.example>",
  "S: 250 Ok",
  "C: DATA",
  "S: 354 go",
  "C: From: alice@sender.example",
  "C: To: bob@recipient.example",
  "C: Subject: hi",
  "C: ",
  "C: Hello Bob.",
  "C: ..hidden dot",
  "C: Bye",
  "C: .",
  "S: 550 5.7.1 Message rejected as spam",
  "C: QUIT",
  "S: 221 Bye",
  NULL
};

static void
test_client_failures (void)
{
  static const struct {
    const char * const *script;
    MrSmtpRcptStatus    status;
    guint               code;
    const char         *enhanced;
  } cases[] = {
    { banner_421_script, MR_SMTP_RCPT_DEFERRED, 421, "4.3.2" },
    { banner_554_script, MR_SMTP_RCPT_FAILED, 554, "5.7.1" },
    { size_script, MR_SMTP_RCPT_FAILED, 0, "5.3.4" },
    { all_rejected_script, MR_SMTP_RCPT_FAILED, 552, "5.2.2" },
    { mail_rejected_script, MR_SMTP_RCPT_FAILED, 530, "5.7.0" },
    { spam_script, MR_SMTP_RCPT_FAILED, 550, "5.7.1" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    for (int trickle = 0; trickle < 2; trickle++)
      {
        g_autoptr(MrSmtpClient) client = new_client (NULL, "bob@recipient.example", NULL);

        g_test_message ("case %u trickle %d", i, trickle);
        run_script (client, cases[i].script, trickle);
        g_assert_true (mr_smtp_client_get_finished (client));
        assert_rcpt (client, 0, cases[i].status, cases[i].code, cases[i].enhanced);
      }
}

static void
test_client_hostile (void)
{
  g_autofree char *long_line = NULL;
  g_autoptr(GString) many = g_string_new (NULL);
  const char *inputs[8];

  long_line = g_strnfill (5000, 'x');
  long_line[0] = '2';
  long_line[1] = '2';
  long_line[2] = '0';
  long_line[3] = ' ';
  for (guint i = 0; i < 200; i++)
    g_string_append (many, "220-still greeting\r\n");
  g_string_append (many, "220 done\r\n");

  inputs[0] = "HTTP/1.1 400 Bad Request\r\n";
  inputs[1] = "220-first\r\n230 second\r\n";
  inputs[2] = "\r\n";
  inputs[3] = "22\r\n";
  inputs[4] = "220\0 nul\r\n";
  inputs[5] = "199 too low\r\n";
  inputs[6] = long_line;
  inputs[7] = many->str;

  for (guint i = 0; i < G_N_ELEMENTS (inputs); i++)
    for (int trickle = 0; trickle < 2; trickle++)
      {
        g_autoptr(MrSmtpClient) client = new_client (NULL, "bob@recipient.example", NULL);
        gsize len = i == 4 ? 10 : strlen (inputs[i]);
        g_autoptr(GBytes) out = NULL;

        g_test_message ("input %u trickle %d", i, trickle);
        mr_smtp_client_start (client);
        if (i == 6)
          {
            g_autofree char *with_crlf = g_strconcat (inputs[i], "\r\n", NULL);
            len = strlen (with_crlf);
            for (gsize j = 0; j < len; j += trickle ? 1 : len)
              mr_smtp_client_feed (client, (const guint8 *)with_crlf + j, trickle ? 1 : len);
          }
        else
          for (gsize j = 0; j < len; j += trickle ? 1 : len)
            mr_smtp_client_feed (client, (const guint8 *)inputs[i] + j, trickle ? 1 : len);

        g_assert_true (mr_smtp_client_get_finished (client));
        g_assert_cmpint (mr_smtp_client_get_action (client), ==, MR_SESSION_CLOSE);
        g_assert_nonnull (mr_smtp_client_get_error (client));
        assert_rcpt (client, 0, MR_SMTP_RCPT_DEFERRED, 0, "4.5.0");
        /* Feeding more after the end is harmless. */
        mr_smtp_client_feed (client, (const guint8 *)"250 ok\r\n", 8);
        out = mr_smtp_client_take_output (client);
      }
}

/* Random replies, some almost valid: the client never crashes, never
 * buffers without bound, and ends with every recipient decided. */
static void
test_client_random (void)
{
  static const char * const pieces[] = {
    "220 ", "250-", "250 ", "354 ", "421 ", "451 4.7.1 ", "550 5.1.1 ", "2", "25", "\r\n", "\n",
    "\r", "PIPELINING", "STARTTLS", "CHUNKING", "SIZE 10", "AUTH PLAIN", "\x00", "\xff\xfe", ".",
    "5.5.5", " ", "-",
  };

  for (guint round = 0; round < 2000; round++)
    {
      g_autoptr(MrSmtpClient) client = new_client (NULL, "bob@recipient.example",
                                                   "carol@recipient.example", NULL);
      guint n = g_test_rand_int_range (1, 60);

      mr_smtp_client_start (client);
      for (guint i = 0; i < n && !mr_smtp_client_get_finished (client); i++)
        {
          const char *piece = pieces[g_test_rand_int_range (0, G_N_ELEMENTS (pieces))];
          gsize len = piece[0] == '\0' ? 1 : strlen (piece);
          g_autoptr(GBytes) out = NULL;

          mr_smtp_client_feed (client, (const guint8 *)piece, len);
          out = mr_smtp_client_take_output (client);
          if (mr_smtp_client_get_action (client) == MR_SESSION_START_TLS)
            mr_smtp_client_tls_started (client);
        }
      mr_smtp_client_disconnected (client, "end of test");
      g_assert_true (mr_smtp_client_get_finished (client));
      for (guint i = 0; i < 2; i++)
        {
          MrSmtpClientRecipient *rcpt = g_ptr_array_index (mr_smtp_client_get_recipients (client), i);

          g_assert_cmpint (rcpt->status, !=, MR_SMTP_RCPT_PENDING);
          g_assert_cmpint (rcpt->status, !=, MR_SMTP_RCPT_ACCEPTED);
        }
    }
}

static void
test_client_disconnect (void)
{
  g_autoptr(MrSmtpClient) client = new_client (NULL, "bob@recipient.example", NULL);
  g_autoptr(MrSmtpClient) refused = new_client (NULL, "bob@recipient.example", NULL);
  g_autoptr(GBytes) out = NULL;

  mr_smtp_client_start (client);
  mr_smtp_client_feed (client, (const guint8 *)"220 hi\r\n", 8);
  out = mr_smtp_client_take_output (client);
  g_assert_nonnull (out);
  mr_smtp_client_disconnected (client, "connection reset");
  g_assert_true (mr_smtp_client_get_finished (client));
  assert_rcpt (client, 0, MR_SMTP_RCPT_DEFERRED, 0, "4.4.2");

  mr_smtp_client_start (refused);
  mr_smtp_client_disconnected (refused, "connection refused");
  assert_rcpt (refused, 0, MR_SMTP_RCPT_DEFERRED, 0, "4.4.2");
  g_assert_cmpstr (((MrSmtpClientRecipient *)g_ptr_array_index (mr_smtp_client_get_recipients (refused), 0))->text,
                   ==, "connection refused");
}

static void
test_client_events (void)
{
  g_autoptr(MrClock) clock = mr_clock_new ();
  g_autoptr(MrEventBus) bus = mr_event_bus_new (clock);
  g_autoptr(MrConversation) conversation = mr_conversation_new (bus, MR_PROTOCOL_SMTP,
                                                                "smtp.sender.example",
                                                                "mx1.recipient.example");
  g_autoptr(MrSmtpClient) client = new_client (conversation, "bob@recipient.example",
                                               "bbo@recipient.example", NULL);
  g_autoptr(GPtrArray) events = NULL;
  guint to_server = 0, to_client = 0, content = 0, errors = 0, pipelined = 0;

  run_script (client, pipelining_script, FALSE);
  events = mr_event_bus_dup_since (bus, 0, 0);
  for (guint i = 0; i < events->len; i++)
    {
      MrEvent *event = g_ptr_array_index (events, i);

      if (event->kind == MR_EVENT_CONTENT)
        content++;
      else if (event->direction == MR_DIRECTION_TO_SERVER)
        to_server++;
      else if (event->direction == MR_DIRECTION_TO_CLIENT)
        to_client++;
      if (event->flags & MR_EVENT_FLAG_ERROR)
        {
          errors++;
          g_assert_cmpuint (event->code, ==, 550);
          g_assert_cmpstr (event->enhanced, ==, "5.1.1");
        }
      if (event->flags & MR_EVENT_FLAG_PIPELINED)
        pipelined++;
      g_assert_cmpstr (event->server, ==, "mx1.recipient.example");
    }
  /* EHLO MAIL RCPT RCPT DATA QUIT */
  g_assert_cmpuint (to_server, ==, 6);
  g_assert_cmpuint (to_client, ==, 11);
  g_assert_cmpuint (content, ==, 1);
  g_assert_cmpuint (errors, ==, 1);
  g_assert_cmpuint (pipelined, ==, 3);
}

static void
test_client_parse_reply (void)
{
  static const struct {
    const char *line;
    gboolean    ok;
    guint       code;
    gboolean    last;
    const char *enhanced;
    const char *text;
  } cases[] = {
    { "250 2.1.5 Ok", TRUE, 250, TRUE, "2.1.5", "Ok" },
    { "250-PIPELINING", TRUE, 250, FALSE, NULL, "PIPELINING" },
    { "250", TRUE, 250, TRUE, NULL, "" },
    { "550 5.1.1", TRUE, 550, TRUE, "5.1.1", "" },
    { "550 5.1.1   spaced", TRUE, 550, TRUE, "5.1.1", "spaced" },
    { "550 4.1.1 class mismatch", TRUE, 550, TRUE, NULL, "4.1.1 class mismatch" },
    { "451 4.7.1000 detail too long", TRUE, 451, TRUE, NULL, "4.7.1000 detail too long" },
    { "250 2.1 short", TRUE, 250, TRUE, NULL, "2.1 short" },
    { "250 2.", TRUE, 250, TRUE, NULL, "2." },
    { "250 caf\xc3", TRUE, 250, TRUE, NULL, "caf\xef\xbf\xbd" },
    { "25", FALSE, 0, FALSE, NULL, NULL },
    { "600 no", FALSE, 0, FALSE, NULL, NULL },
    { "260 no", FALSE, 0, FALSE, NULL, NULL },
    { "250x", FALSE, 0, FALSE, NULL, NULL },
    { "abc def", FALSE, 0, FALSE, NULL, NULL },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      /* Not NUL-terminated: copy without the terminator. */
      gsize len = strlen (cases[i].line);
      g_autofree char *buf = g_memdup2 (cases[i].line, len);
      g_autofree char *enhanced = NULL;
      g_autofree char *text = NULL;
      gboolean last = FALSE;
      guint code = 0;
      gboolean ok;

      ok = mr_smtp_parse_reply_line (buf, len, &code, &last, &enhanced, &text);
      g_assert_cmpint (ok, ==, cases[i].ok);
      if (!ok)
        continue;
      g_assert_cmpuint (code, ==, cases[i].code);
      g_assert_cmpint (last, ==, cases[i].last);
      g_assert_cmpstr (enhanced, ==, cases[i].enhanced);
      g_assert_cmpstr (text, ==, cases[i].text);
    }
}

static void
test_client_dot_stuff (void)
{
  static const struct {
    const char *in;
    const char *out;
  } cases[] = {
    { "a\r\n.b\r\n", "a\r\n..b\r\n.\r\n" },
    { ".\n..\nx", "..\r\n...\r\nx\r\n.\r\n" },
    { "bare\rcr", "bare\r\ncr\r\n.\r\n" },
    { "", ".\r\n" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GBytes) in = g_bytes_new (cases[i].in, strlen (cases[i].in));
      g_autoptr(GBytes) out = mr_smtp_dot_stuff (in);
      g_autofree char *text = g_strndup (g_bytes_get_data (out, NULL), g_bytes_get_size (out));

      g_assert_cmpstr (text, ==, cases[i].out);
    }
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/world/smtp-client/pipelining", test_client_pipelining);
  g_test_add_func ("/world/smtp-client/helo-fallback", test_client_helo_fallback);
  g_test_add_func ("/world/smtp-client/starttls-chunking", test_client_starttls_chunking);
  g_test_add_func ("/world/smtp-client/failures", test_client_failures);
  g_test_add_func ("/world/smtp-client/auth", test_client_auth);
  g_test_add_func ("/world/smtp-client/hostile", test_client_hostile);
  g_test_add_func ("/world/smtp-client/disconnect", test_client_disconnect);
  g_test_add_func ("/world/smtp-client/random", test_client_random);
  g_test_add_func ("/world/smtp-client/events", test_client_events);
  g_test_add_func ("/world/smtp-client/parse-reply", test_client_parse_reply);
  g_test_add_func ("/world/smtp-client/dot-stuff", test_client_dot_stuff);

  return g_test_run ();
}
