/* test-pop3-transcripts.c
 *
 * Copyright 2026 The Mailroom authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/*
 * Replays C:/S: transcripts (transcripts/NAME.in) through a POP3 session,
 * three ways: every client segment in one feed (pipelined), one line per
 * feed, and one byte per feed. The replies must be the same each time.
 *
 * File syntax, one item per line:
 *   # comment
 *   @ key=value   set-up before the first line: apop, tls (STLS offered),
 *                 max_bad_commands, max_auth_failures
 *   C: text       client line, sent with CRLF
 *   R: text       raw client bytes with \r \n \t \\ \xHH escapes, no CRLF added
 *   S: text       expected server line ("*" and "?" are globs)
 *   ! tls         TLS is up (mr_session_tls_started)
 *   ! stop shutdown|idle
 *   ! disconnect  the client went away
 *   ! action continue|close|starttls
 *   ! inbox N     the INBOX holds N messages
 *   ! locked 0|1  whether the maildrop is locked
 *
 * The store has bob@example.test (password "secret") with three messages.
 */

#include "config.h"

#include <string.h>

#include "mr-engine.h"
#include "mr-pop3-session.h"
#include "mr-store.h"

#define USER "bob@example.test"

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

typedef struct
{
  MrStore   *store;
  MrAccount *account;
  MrSession *session;
  GString   *output;     /* what the server said, not yet compared */
} Fixture;

static GBytes *
unescape (const char *text)
{
  GByteArray *bytes = g_byte_array_new ();

  for (const char *p = text; *p; p++)
    {
      guint8 c = *p;

      if (*p == '\\' && p[1])
        {
          p++;
          switch (*p)
            {
            case 'r': c = '\r'; break;
            case 'n': c = '\n'; break;
            case 't': c = '\t'; break;
            case 'x':
              if (g_ascii_isxdigit (p[1]) && g_ascii_isxdigit (p[2]))
                {
                  c = g_ascii_xdigit_value (p[1]) * 16 + g_ascii_xdigit_value (p[2]);
                  p += 2;
                }
              break;
            default: c = *p; break;
            }
        }
      g_byte_array_append (bytes, &c, 1);
    }
  return g_byte_array_free_to_bytes (bytes);
}

static void
collect (Fixture *f)
{
  g_autoptr(GBytes) out = mr_session_take_output (f->session);

  if (out != NULL)
    g_string_append_len (f->output, g_bytes_get_data (out, NULL), g_bytes_get_size (out));
}

static void
feed (Fixture    *f,
      const char *data,
      gsize       len,
      Mode        mode)
{
  if (mode == MODE_BYTES)
    for (gsize i = 0; i < len; i++)
      {
        mr_session_feed (f->session, (const guint8 *)data + i, 1);
        collect (f);
      }
  else
    {
      mr_session_feed (f->session, (const guint8 *)data, len);
      collect (f);
    }
}

static void
flush (Fixture   *f,
       GPtrArray *pending,
       Mode       mode)
{
  g_autoptr(GByteArray) all = g_byte_array_new ();

  for (guint i = 0; i < pending->len; i++)
    {
      gsize len;
      const char *data = g_bytes_get_data (g_ptr_array_index (pending, i), &len);

      if (mode == MODE_WHOLE)
        g_byte_array_append (all, (const guint8 *)data, len);
      else
        feed (f, data, len, mode);
    }
  if (mode == MODE_WHOLE && all->len > 0)
    feed (f, (const char *)all->data, all->len, mode);
  g_ptr_array_set_size (pending, 0);
}

static void
expect_line (Fixture    *f,
             const char *pattern,
             const char *where)
{
  const char *crlf = strstr (f->output->str, "\r\n");
  g_autofree char *line = NULL;

  if (crlf == NULL)
    g_error ("%s: expected \"%s\", the server said nothing more (left: \"%s\")",
             where, pattern, f->output->str);
  line = g_strndup (f->output->str, crlf - f->output->str);
  g_string_erase (f->output, 0, crlf + 2 - f->output->str);

  if (!g_pattern_match_simple (pattern, line))
    g_error ("%s: expected \"%s\", got \"%s\"", where, pattern, line);
}

static void
directive (Fixture    *f,
           const char *text)
{
  g_auto(GStrv) words = g_strsplit (text, " ", 3);

  if (strcmp (words[0], "tls") == 0)
    mr_session_tls_started (f->session);
  else if (strcmp (words[0], "stop") == 0)
    {
      mr_session_stop (f->session, strcmp (words[1], "idle") == 0 ? MR_STOP_IDLE : MR_STOP_SHUTDOWN);
      collect (f);
    }
  else if (strcmp (words[0], "disconnect") == 0)
    mr_session_disconnected (f->session);
  else if (strcmp (words[0], "action") == 0)
    {
      MrSessionAction want = strcmp (words[1], "close") == 0 ? MR_SESSION_CLOSE
                           : strcmp (words[1], "starttls") == 0 ? MR_SESSION_START_TLS
                           : MR_SESSION_CONTINUE;

      g_assert_cmpint (mr_session_get_action (f->session), ==, want);
    }
  else if (strcmp (words[0], "inbox") == 0)
    g_assert_cmpuint (mr_mailbox_get_n_messages (mr_account_get_inbox (f->account)), ==,
                      g_ascii_strtoull (words[1], NULL, 10));
  else if (strcmp (words[0], "locked") == 0)
    g_assert_cmpint (mr_account_is_locked (f->account), ==, words[1][0] == '1');
  else
    g_error ("unknown directive %s", text);
}

static void
add_message (MrMailbox  *inbox,
             const char *text)
{
  g_autoptr(GBytes) raw = g_bytes_new (text, strlen (text));
  g_autoptr(GError) error = NULL;

  mr_mailbox_append (inbox, raw, MR_FLAG_NONE, NULL, 0, &error);
  g_assert_no_error (error);
}

static void
run_transcript (gconstpointer data)
{
  const Case *c = data;
  g_autofree char *contents = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) pending = g_ptr_array_new_with_free_func ((GDestroyNotify)g_bytes_unref);
  g_auto(GStrv) lines = NULL;
  MrPop3Config config = { "pop.test", FALSE, FALSE, NULL };
  MrLimits limits = { 0 };
  gboolean tls = FALSE;
  Fixture f = { 0 };
  MrMailbox *inbox;

  g_file_get_contents (c->path, &contents, NULL, &error);
  g_assert_no_error (error);
  lines = g_strsplit (contents, "\n", -1);

  f.store = mr_store_new ();
  f.account = mr_store_add_account (f.store, USER, "secret");
  f.output = g_string_new (NULL);
  inbox = mr_account_get_inbox (f.account);
  mr_mailbox_set_uid_state (inbox, 77, 1);
  add_message (inbox, "Subject: one\r\n\r\nfirst\r\n");
  add_message (inbox, "Subject: two\r\n\r\n.dot\r\n..two dots\r\n");
  add_message (inbox, "Subject: three\r\n\r\nthird\r\nline\r\n");

  for (guint i = 0; lines[i]; i++)
    if (g_str_has_prefix (lines[i], "@ "))
      {
        g_auto(GStrv) kv = g_strsplit (lines[i] + 2, "=", 2);
        guint n = kv[1] ? (guint)g_ascii_strtoull (kv[1], NULL, 10) : 1;

        if (strcmp (kv[0], "apop") == 0)
          config.apop_enabled = n != 0;
        else if (strcmp (kv[0], "tls") == 0)
          tls = n != 0;
        else if (strcmp (kv[0], "max_bad_commands") == 0)
          limits.max_bad_commands = n;
        else if (strcmp (kv[0], "max_auth_failures") == 0)
          limits.max_auth_failures = n;
        else
          g_error ("unknown set-up key %s", kv[0]);
      }

  f.session = mr_pop3_session_new (f.store, &config, NULL, &limits);
  mr_session_set_tls_available (f.session, tls);
  mr_session_start (f.session);
  collect (&f);

  for (guint i = 0; lines[i]; i++)
    {
      const char *line = lines[i];
      g_autofree char *where = g_strdup_printf ("%s:%u (%s)", c->path, i + 1,
                                                c->mode == MODE_WHOLE ? "whole" :
                                                c->mode == MODE_LINES ? "lines" : "bytes");

      if (g_str_has_prefix (line, "C: ") || strcmp (line, "C:") == 0)
        {
          g_autofree char *text = g_strconcat (line[2] ? line + 3 : "", "\r\n", NULL);

          g_ptr_array_add (pending, g_bytes_new (text, strlen (text)));
        }
      else if (g_str_has_prefix (line, "R: "))
        g_ptr_array_add (pending, unescape (line + 3));
      else if (g_str_has_prefix (line, "S: ") || strcmp (line, "S:") == 0)
        {
          flush (&f, pending, c->mode);
          expect_line (&f, line[2] ? line + 3 : "", where);
        }
      else if (g_str_has_prefix (line, "! "))
        {
          flush (&f, pending, c->mode);
          directive (&f, line + 2);
        }
    }

  flush (&f, pending, c->mode);
  if (f.output->len > 0)
    g_error ("%s: the server said more than expected: \"%s\"", c->path, f.output->str);

  g_clear_object (&f.session);
  g_string_free (f.output, TRUE);
  g_assert_finalize_object (f.store);
}

static gint
compare_names (gconstpointer a,
               gconstpointer b)
{
  return g_strcmp0 (*(const char * const *)a, *(const char * const *)b);
}

static void
case_free (gpointer data)
{
  Case *c = data;

  g_free (c->path);
  g_free (c);
}

int
main (int   argc,
      char *argv[])
{
  g_autofree char *dir = NULL;
  g_autoptr(GDir) listing = NULL;
  g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GPtrArray) cases = g_ptr_array_new_with_free_func (case_free);
  const char *name;

  g_test_init (&argc, &argv, NULL);
  mr_init ();

  dir = g_strdup (TRANSCRIPT_DIR);
  listing = g_dir_open (dir, 0, NULL);
  while (listing && (name = g_dir_read_name (listing)))
    if (g_str_has_suffix (name, ".in"))
      g_ptr_array_add (names, g_strdup (name));
  g_ptr_array_sort (names, compare_names);

  for (guint i = 0; i < names->len; i++)
    for (Mode mode = MODE_WHOLE; mode <= MODE_BYTES; mode++)
      {
        static const char *mode_names[] = { "whole", "lines", "bytes" };
        Case *c = g_new0 (Case, 1);
        g_autofree char *base = g_strndup (g_ptr_array_index (names, i),
                                           strlen (g_ptr_array_index (names, i)) - 3);
        g_autofree char *path = g_strdup_printf ("/pop3/transcripts/%s/%s", base, mode_names[mode]);

        c->path = g_build_filename (dir, g_ptr_array_index (names, i), NULL);
        c->mode = mode;
        g_ptr_array_add (cases, c);
        g_test_add_data_func (path, c, run_transcript);
      }

  return g_test_run ();
}
