/* test-line-reader.c
 *
 * Copyright 2026 The Mailroom authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <string.h>

#include "mailroom.h"

typedef struct
{
  const char *input;
  gsize       max_line;
  /* Expected lines joined with '|'; "!" marks a too-long error, "~" a bare LF line */
  const char *expected;
} LineCase;

static const LineCase cases[] = {
  { "EHLO a\r\n", 512, "EHLO a" },
  { "EHLO a\r\nMAIL FROM:<>\r\n", 512, "EHLO a|MAIL FROM:<>" },
  { "NOOP\n", 512, "~NOOP" },
  { "\r\n", 512, "" },
  { "partial", 512, "" },
  { "a\r\nb", 512, "a" },
  /* 10 octets with CRLF is exactly the limit; 11 is over (RFC 5321 4.5.3.1.4 counts CRLF). */
  { "12345678\r\n", 10, "12345678" },
  { "123456789\r\nok\r\n", 10, "!|ok" },
  { "123456789\n", 10, "!" },
  { "1234567890123456789012345\r\nnext\r\n", 10, "!|next" },
  { "a\rb\r\n", 512, "a\rb" },
};

static char *
run_reader (const char *input,
            gsize       len,
            gsize       max_line,
            gsize       chunk)
{
  g_autoptr(MrLineReader) reader = mr_line_reader_new (max_line);
  g_autoptr(GPtrArray) lines = g_ptr_array_new_with_free_func (g_free);

  for (gsize offset = 0; offset < len; offset += chunk)
    {
      const char *line;
      gsize line_len;
      MrLineEnding ending;
      int ret;

      mr_line_reader_feed (reader, (const guint8 *)input + offset, MIN (chunk, len - offset));

      for (;;)
        {
          g_autoptr(GError) error = NULL;

          ret = mr_line_reader_next_line (reader, &line, &line_len, &ending, &error);
          if (ret == 0)
            break;
          if (ret < 0)
            {
              g_assert_error (error, MR_ERROR, MR_ERROR_LINE_TOO_LONG);
              g_ptr_array_add (lines, g_strdup ("!"));
              continue;
            }
          g_assert_cmpuint (strlen (line), ==, line_len);
          g_ptr_array_add (lines, g_strdup_printf ("%s%s", ending == MR_LINE_BARE_LF ? "~" : "", line));
        }
    }

  g_ptr_array_add (lines, NULL);
  return g_strjoinv ("|", (char **)lines->pdata);
}

static void
test_line_reader_table (void)
{
  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      gsize len = strlen (cases[i].input);
      /* A copy without NUL terminator, so overreads show up under ASan. */
      g_autofree guint8 *exact = g_memdup2 (cases[i].input, len);
      g_autofree char *whole = run_reader ((const char *)exact, len, cases[i].max_line, MAX (len, 1));
      g_autofree char *trickled = run_reader ((const char *)exact, len, cases[i].max_line, 1);

      g_test_message ("case %u: %s", i, cases[i].input);
      g_assert_cmpstr (whole, ==, cases[i].expected);
      g_assert_cmpstr (trickled, ==, cases[i].expected);
    }
}

static void
test_line_reader_raw_bytes (void)
{
  g_autoptr(MrLineReader) reader = mr_line_reader_new (512);
  const guint8 *data;
  const char *line;
  gsize n;

  /* BDAT: a line, then a byte count that includes CRLFs, then a line. */
  mr_line_reader_feed (reader, (const guint8 *)"BDAT 5\r\nab\r\ncQUIT\r\n", 19);
  g_assert_cmpint (mr_line_reader_next_line (reader, &line, NULL, NULL, NULL), ==, 1);
  g_assert_cmpstr (line, ==, "BDAT 5");
  n = mr_line_reader_read_bytes (reader, 5, &data);
  g_assert_cmpuint (n, ==, 5);
  g_assert_cmpmem (data, n, "ab\r\nc", 5);
  g_assert_cmpint (mr_line_reader_next_line (reader, &line, NULL, NULL, NULL), ==, 1);
  g_assert_cmpstr (line, ==, "QUIT");
  g_assert_cmpuint (mr_line_reader_get_pending (reader), ==, 0);
}

static void
test_line_reader_bounded_memory (void)
{
  g_autoptr(MrLineReader) reader = mr_line_reader_new (512);
  g_autofree char *junk = g_strnfill (4096, 'x');
  const char *line;
  int errors = 0;

  /* A megabyte without a newline must not be buffered. */
  for (guint i = 0; i < 256; i++)
    {
      mr_line_reader_feed (reader, (const guint8 *)junk, 4096);
      while (mr_line_reader_next_line (reader, &line, NULL, NULL, NULL) < 0)
        errors++;
      g_assert_cmpuint (mr_line_reader_get_pending (reader), <=, 4096 + 512);
    }
  g_assert_cmpint (errors, ==, 1);
  mr_line_reader_feed (reader, (const guint8 *)"\r\nQUIT\r\n", 8);
  g_assert_cmpint (mr_line_reader_next_line (reader, &line, NULL, NULL, NULL), ==, 1);
  g_assert_cmpstr (line, ==, "QUIT");
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/core/line-reader/table", test_line_reader_table);
  g_test_add_func ("/core/line-reader/raw-bytes", test_line_reader_raw_bytes);
  g_test_add_func ("/core/line-reader/bounded-memory", test_line_reader_bounded_memory);

  return g_test_run ();
}
