/* test-imap-transcripts.c
 *
 * Copyright 2026 The Mailroom authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/*
 * Replays transcripts (transcripts/NAME.in) through an IMAP session, three
 * ways: each segment between "!" directives in one feed, one client line
 * per feed, and one byte per feed. The server's lines must match each time.
 *
 * File syntax, one item per line:
 *   # comment
 *   @ key=value   set-up before the first C: (max_literal, max_bad_commands,
 *                 tls: STARTTLS may be offered)
 *   C: text       a client line, sent with CRLF
 *   R: text       raw client bytes with \r \n \\ escapes, no CRLF added
 *   S: text       an expected server line ("*" and "?" are globs)
 *   ! deliver N   N copies of the test message arrive in bob's INBOX
 *   ! action continue|close|starttls
 *   ! tls         TLS is up (mr_session_tls_started)
 *   ! stop        the server shuts down
 */

#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "mr-clock.h"
#include "mr-engine.h"
#include "mr-event-bus.h"
#include "mr-imap-session.h"
#include "mr-store.h"

#define TEST_MESSAGE \
  "From: Alice <alice@sender.example>\r\n" \
  "To: bob@recipient.example\r\n" \
  "Subject: Test message\r\n" \
  "Date: Mon, 02 Feb 2026 10:00:00 +0000\r\n" \
  "Message-ID: <test@sender.example>\r\n" \
  "\r\n" \
  "Hello Bob.\r\n"

typedef enum
{
  MODE_WHOLE,
  MODE_LINES,
  MODE_BYTES,
} Mode;

typedef struct
{
  char *path;
  Mode  mode;
} Case;

static char *
unescape (const char *text)
{
  GString *out = g_string_new (NULL);

  for (const char *p = text; *p; p++)
    {
      if (*p == '\\' && p[1] != '\0')
        {
          p++;
          if (*p == 'r')
            g_string_append_c (out, '\r');
          else if (*p == 'n')
            g_string_append_c (out, '\n');
          else
            g_string_append_c (out, *p);
        }
      else
        g_string_append_c (out, *p);
    }
  return g_string_free (out, FALSE);
}

typedef struct
{
  MrSession *session;
  GString   *output;   /* everything the server wrote */
  MrStore   *store;
} Run;

static void
collect (Run *run)
{
  g_autoptr(GBytes) bytes = mr_session_take_output (run->session);

  if (bytes)
    g_string_append_len (run->output, g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes));
}

static void
feed (Run        *run,
      const char *data,
      gsize       len,
      Mode        mode)
{
  if (mode == MODE_BYTES)
    {
      for (gsize i = 0; i < len; i++)
        {
          mr_session_feed (run->session, (const guint8 *)data + i, 1);
          collect (run);
        }
      return;
    }
  mr_session_feed (run->session, (const guint8 *)data, len);
  collect (run);
}

static void
test_transcript (gconstpointer data)
{
  const Case *c = data;
  g_autofree char *contents = NULL;
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) lines = NULL;
  g_autoptr(GPtrArray) expected = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GString) pending = g_string_new (NULL);
  g_autoptr(MrClock) clock = mr_clock_new ();
  g_autoptr(MrEventBus) bus = mr_event_bus_new (clock);
  g_autoptr(MrStore) store = mr_store_new ();
  g_autoptr(MrConversation) conversation = NULL;
  g_autoptr(MrSession) session = NULL;
  g_auto(GStrv) got = NULL;
  MrImapConfig config = { .hostname = "imap.test", .clock = clock };
  MrLimits limits = { 0 };
  gboolean tls = FALSE;
  MrAccount *account;
  Run run = { 0 };
  guint n_got;

  g_file_get_contents (c->path, &contents, NULL, &error);
  g_assert_no_error (error);
  lines = g_strsplit (contents, "\n", -1);

  account = mr_store_add_account (store, "bob@recipient.example", "bob");
  conversation = mr_conversation_new (bus, MR_PROTOCOL_IMAP, "127.0.0.1:40000", "imap.test");

  /* Set-up */
  for (guint i = 0; lines[i]; i++)
    {
      const char *line = lines[i];

      if (g_str_has_prefix (line, "@ "))
        {
          g_auto(GStrv) kv = g_strsplit (line + 2, "=", 2);
          guint64 n = kv[1] ? g_ascii_strtoull (kv[1], NULL, 10) : 0;

          if (strcmp (kv[0], "max_literal") == 0)
            limits.max_literal = n;
          else if (strcmp (kv[0], "max_bad_commands") == 0)
            limits.max_bad_commands = n;
          else if (strcmp (kv[0], "tls") == 0)
            tls = n != 0;
          else
            g_error ("%s: unknown set-up key %s", c->path, kv[0]);
        }
    }

  session = mr_imap_session_new (store, &config, conversation, &limits);
  mr_session_set_tls_available (session, tls);
  run.session = session;
  run.output = g_string_new (NULL);
  run.store = store;
  mr_session_start (session);
  collect (&run);

  for (guint i = 0; lines[i]; i++)
    {
      char *line = lines[i];
      gsize len = strlen (line);

      if (len > 0 && line[len - 1] == '\r')
        line[--len] = '\0';

      if (g_str_has_prefix (line, "S: "))
        g_ptr_array_add (expected, g_strdup (line + 3));
      else if (g_str_has_prefix (line, "C: ") || g_str_has_prefix (line, "R: "))
        {
          g_autofree char *bytes = line[0] == 'C' ? g_strconcat (line + 3, "\r\n", NULL)
                                                  : unescape (line + 3);

          if (c->mode == MODE_WHOLE)
            g_string_append (pending, bytes);
          else
            feed (&run, bytes, strlen (bytes), c->mode);
        }
      else if (g_str_has_prefix (line, "! "))
        {
          g_auto(GStrv) words = g_strsplit (line + 2, " ", -1);

          feed (&run, pending->str, pending->len, c->mode);
          g_string_truncate (pending, 0);

          if (strcmp (words[0], "deliver") == 0)
            {
              guint n = words[1] ? atoi (words[1]) : 1;

              for (guint k = 0; k < n; k++)
                {
                  g_autoptr(GBytes) raw = g_bytes_new_static (TEST_MESSAGE, strlen (TEST_MESSAGE));

                  mr_mailbox_append (mr_account_get_inbox (account), raw, MR_FLAG_RECENT, NULL,
                                     (gint64)1770000000 * G_USEC_PER_SEC, &error);
                  g_assert_no_error (error);
                }
              collect (&run);
            }
          else if (strcmp (words[0], "action") == 0)
            {
              static const char *names[] = { "continue", "starttls", "close" };

              g_assert_cmpstr (names[mr_session_get_action (session)], ==, words[1]);
            }
          else if (strcmp (words[0], "tls") == 0)
            {
              mr_session_tls_started (session);
              collect (&run);
            }
          else if (strcmp (words[0], "stop") == 0)
            {
              mr_session_stop (session, MR_STOP_SHUTDOWN);
              collect (&run);
            }
          else
            g_error ("%s: unknown directive %s", c->path, line);
        }
      else if (*line != '\0' && *line != '#' && *line != '@')
        g_error ("%s: cannot read line %u: %s", c->path, i + 1, line);
    }
  feed (&run, pending->str, pending->len, c->mode);

  /* Compare line by line, with globs in the expected lines. */
  if (run.output->len >= 2 && strcmp (run.output->str + run.output->len - 2, "\r\n") == 0)
    g_string_truncate (run.output, run.output->len - 2);
  got = run.output->len ? g_strsplit (run.output->str, "\r\n", -1) : g_new0 (char *, 1);
  n_got = g_strv_length (got);
  for (guint i = 0; i < MAX (n_got, expected->len); i++)
    {
      const char *want = i < expected->len ? g_ptr_array_index (expected, i) : "(nothing)";
      const char *have = i < n_got ? got[i] : "(nothing)";

      if (!g_pattern_match_simple (want, have))
        g_error ("%s (mode %d), server line %u:\n  expected: %s\n  got:      %s\n\nall output:\n%s",
                 c->path, c->mode, i + 1, want, have, run.output->str);
    }

  g_string_free (run.output, TRUE);
}

static void
case_free (gpointer data)
{
  Case *c = data;

  g_free (c->path);
  g_free (c);
}

static int
compare_names (gconstpointer a,
               gconstpointer b)
{
  return strcmp (*(const char * const *)a, *(const char * const *)b);
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GDir) dir = NULL;
  g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
  const char *path = TRANSCRIPT_DIR;
  const char *name;

  g_test_init (&argc, &argv, NULL);
  mr_init ();

  dir = g_dir_open (path, 0, NULL);
  g_assert_nonnull (dir);
  while ((name = g_dir_read_name (dir)))
    if (g_str_has_suffix (name, ".in"))
      g_ptr_array_add (names, g_strdup (name));
  g_ptr_array_sort (names, compare_names);

  for (guint i = 0; i < names->len; i++)
    {
      static const char *modes[] = { "whole", "lines", "bytes" };
      const char *file = g_ptr_array_index (names, i);
      g_autofree char *base = g_strndup (file, strlen (file) - 3);

      for (guint m = 0; m < 3; m++)
        {
          Case *c = g_new0 (Case, 1);
          g_autofree char *test_path = g_strdup_printf ("/imap/transcript/%s/%s", base, modes[m]);

          c->path = g_build_filename (path, file, NULL);
          c->mode = m;
          g_test_add_data_func_full (test_path, c, test_transcript, case_free);
        }
    }

  return g_test_run ();
}
