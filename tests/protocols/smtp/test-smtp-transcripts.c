/* test-smtp-transcripts.c
 *
 * Copyright 2026 The Mailroom authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/*
 * Replays Postfix-style transcripts (transcripts/NAME.in) through an SMTP
 * session, three ways: every segment in one feed (pipelined), one client
 * line per feed, and one byte per feed. The replies must be the same.
 *
 * File syntax, one item per line:
 *   # comment
 *   @ key=value      session set-up, before the first C: (tls, submission,
 *                    vrfy=252|250|550|502, expn=0|1, auth_requires_tls,
 *                    max_recipients, max_message, max_bad_commands,
 *                    max_content_line)
 *   C: text          client line, sent with CRLF
 *   R: text          raw client bytes with \r \n \t \\ \xHH escapes, no CRLF added
 *   S: text          expected server line ("*" and "?" are globs)
 *   ! tls            TLS is up (mr_session_tls_started)
 *   ! stop shutdown|idle
 *   ! action continue|close|starttls
 *   ! inbox ADDRESS N          ADDRESS's INBOX holds N messages
 *   ! has ADDRESS I TEXT       message I of it contains TEXT (escapes as R:)
 *   ! lacks ADDRESS I TEXT     ... does not contain TEXT
 */

#include "config.h"

#include <string.h>

#include "smtp-test-fixture.h"

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

static void
configure (const char   *key,
           const char   *value,
           MrSmtpConfig *config,
           MrLimits     *limits,
           gboolean     *tls)
{
  guint64 n = g_ascii_strtoull (value, NULL, 10);

  if (strcmp (key, "tls") == 0)
    *tls = n != 0;
  else if (strcmp (key, "submission") == 0)
    config->submission = n != 0;
  else if (strcmp (key, "expn") == 0)
    config->expn_enabled = n != 0;
  else if (strcmp (key, "auth_requires_tls") == 0)
    config->auth_requires_tls = n != 0;
  else if (strcmp (key, "vrfy") == 0)
    config->vrfy_policy = n == 250 ? MR_SMTP_VRFY_ANSWER
                        : n == 550 ? MR_SMTP_VRFY_REFUSE
                        : n == 502 ? MR_SMTP_VRFY_DISABLED
                        : MR_SMTP_VRFY_CANNOT_VRFY;
  else if (strcmp (key, "max_recipients") == 0)
    limits->max_recipients = n;
  else if (strcmp (key, "max_message") == 0)
    limits->max_message = n;
  else if (strcmp (key, "max_bad_commands") == 0)
    limits->max_bad_commands = n;
  else if (strcmp (key, "max_content_line") == 0)
    limits->max_content_line = n;
  else
    g_error ("unknown set-up key %s", key);
}

static void
flush (SmtpFixture *f,
       GPtrArray   *pending,
       Mode         mode)
{
  g_autoptr(GByteArray) all = g_byte_array_new ();

  for (guint i = 0; i < pending->len; i++)
    {
      GBytes *bytes = g_ptr_array_index (pending, i);
      gsize len;
      const char *data = g_bytes_get_data (bytes, &len);

      if (mode == MODE_LINES)
        smtp_fixture_feed (f, data, len);
      else if (mode == MODE_BYTES)
        smtp_fixture_trickle (f, data, len);
      else
        g_byte_array_append (all, (const guint8 *)data, len);
    }
  if (mode == MODE_WHOLE && all->len > 0)
    smtp_fixture_feed (f, (const char *)all->data, all->len);
  g_ptr_array_set_size (pending, 0);
}

static void
directive (SmtpFixture *f,
           const char  *text)
{
  g_auto(GStrv) words = g_strsplit (text, " ", 4);

  if (strcmp (words[0], "tls") == 0)
    mr_session_tls_started (f->session);
  else if (strcmp (words[0], "stop") == 0)
    {
      mr_session_stop (f->session, strcmp (words[1], "idle") == 0 ? MR_STOP_IDLE : MR_STOP_SHUTDOWN);
      smtp_fixture_feed (f, "", 0);
    }
  else if (strcmp (words[0], "action") == 0)
    {
      MrSessionAction action = mr_session_get_action (f->session);
      MrSessionAction want = strcmp (words[1], "close") == 0 ? MR_SESSION_CLOSE
                           : strcmp (words[1], "starttls") == 0 ? MR_SESSION_START_TLS
                           : MR_SESSION_CONTINUE;
      g_assert_cmpint (action, ==, want);
    }
  else if (strcmp (words[0], "inbox") == 0)
    g_assert_cmpuint (mr_mailbox_get_n_messages (smtp_fixture_inbox (f, words[1])), ==,
                      g_ascii_strtoull (words[2], NULL, 10));
  else if (strcmp (words[0], "has") == 0 || strcmp (words[0], "lacks") == 0)
    {
      g_autofree char *message = smtp_fixture_dup_message (f, words[1], g_ascii_strtoull (words[2], NULL, 10));
      g_autoptr(GBytes) needle = smtp_unescape (words[3]);
      g_autofree char *needle_s = g_strndup (g_bytes_get_data (needle, NULL), g_bytes_get_size (needle));
      gboolean found = strstr (message, needle_s) != NULL;

      if (found != (words[0][0] == 'h'))
        g_error ("message %s of %s %s \"%s\":\n%s", words[2], words[1],
                 found ? "contains" : "lacks", words[3], message);
    }
  else
    g_error ("unknown directive %s", text);
}

static void
run_transcript (gconstpointer data)
{
  const Case *c = data;
  g_autoptr(GError) error = NULL;
  g_autofree char *contents = NULL;
  g_auto(GStrv) lines = NULL;
  g_autoptr(GPtrArray) expected = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GPtrArray) actual = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GPtrArray) pending = g_ptr_array_new_with_free_func ((GDestroyNotify)g_bytes_unref);
  g_autoptr(SmtpFixture) f = NULL;
  MrSmtpConfig config;
  MrLimits limits = { 0 };
  gboolean tls = FALSE;

  g_file_get_contents (c->path, &contents, NULL, &error);
  g_assert_no_error (error);
  lines = g_strsplit (contents, "\n", -1);

  mr_smtp_config_init (&config);
  config.hostname = "mx.test";

  for (guint i = 0; lines[i]; i++)
    {
      const char *line = lines[i];

      if (line[0] == '\0' || line[0] == '#')
        continue;

      if (g_str_has_prefix (line, "@ "))
        {
          g_auto(GStrv) kv = g_strsplit (line + 2, "=", 2);
          g_assert_null (f);
          configure (kv[0], kv[1] ? kv[1] : "1", &config, &limits, &tls);
          continue;
        }

      if (f == NULL)
        {
          mr_limits_init_defaults (&limits);
          f = smtp_fixture_new (&config, &limits, tls);
        }

      if (g_str_has_prefix (line, "C: ") || strcmp (line, "C:") == 0)
        {
          g_autofree char *with_crlf = g_strconcat (line[2] ? line + 3 : "", "\r\n", NULL);
          g_ptr_array_add (pending, g_bytes_new (with_crlf, strlen (with_crlf)));
        }
      else if (g_str_has_prefix (line, "R: "))
        g_ptr_array_add (pending, smtp_unescape (line + 3));
      else if (g_str_has_prefix (line, "S: ") || strcmp (line, "S:") == 0)
        g_ptr_array_add (expected, g_strdup (line[2] ? line + 3 : ""));
      else if (g_str_has_prefix (line, "! "))
        {
          flush (f, pending, c->mode);
          directive (f, line + 2);
        }
      else
        g_error ("%s:%u: cannot parse \"%s\"", c->path, i + 1, line);
    }

  if (f == NULL)
    {
      mr_limits_init_defaults (&limits);
      f = smtp_fixture_new (&config, &limits, tls);
    }
  flush (f, pending, c->mode);

  {
    g_auto(GStrv) out = smtp_fixture_take_lines (f);

    for (guint i = 0; out[i]; i++)
      g_ptr_array_add (actual, g_strdup (out[i]));
  }

  for (guint i = 0; i < MAX (expected->len, actual->len); i++)
    {
      const char *want = i < expected->len ? g_ptr_array_index (expected, i) : "(nothing)";
      const char *got = i < actual->len ? g_ptr_array_index (actual, i) : "(nothing)";

      if (strcmp (want, got) == 0)
        continue;
      if ((strchr (want, '*') || strchr (want, '?')) && g_pattern_match_simple (want, got))
        continue;
      g_test_message ("%s: reply %u differs", c->path, i + 1);
      g_assert_cmpstr (got, ==, want);
    }
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
  return g_strcmp0 (*(char * const *)a, *(char * const *)b);
}

int
main (int   argc,
      char *argv[])
{
  static const char * const mode_names[] = { "whole", "lines", "bytes" };
  g_autoptr(GPtrArray) cases = g_ptr_array_new_with_free_func (case_free);
  g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GDir) dir = NULL;
  g_autoptr(GError) error = NULL;
  const char *name;

  g_test_init (&argc, &argv, NULL);
  mr_init ();

  dir = g_dir_open (TRANSCRIPT_DIR, 0, &error);
  g_assert_no_error (error);
  while ((name = g_dir_read_name (dir)) != NULL)
    if (g_str_has_suffix (name, ".in"))
      g_ptr_array_add (names, g_strndup (name, strlen (name) - 3));
  g_ptr_array_sort (names, compare_names);

  for (guint i = 0; i < names->len; i++)
    for (guint m = 0; m < G_N_ELEMENTS (mode_names); m++)
      {
        Case *c = g_new0 (Case, 1);
        g_autofree char *test_path = NULL;
        g_autofree char *file = g_strconcat (g_ptr_array_index (names, i), ".in", NULL);

        c->path = g_build_filename (TRANSCRIPT_DIR, file, NULL);
        c->mode = m;
        g_ptr_array_add (cases, c);
        test_path = g_strdup_printf ("/smtp/transcript/%s/%s",
                                     (char *)g_ptr_array_index (names, i), mode_names[m]);
        g_test_add_data_func (test_path, c, run_transcript);
      }

  return g_test_run ();
}
