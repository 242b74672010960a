/* test-imap-parser.c
 *
 * Copyright 2026 The Mailroom authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <string.h>

#include "mr-error.h"
#include "mr-imap-parser.h"
#include "mr-imap-sequence.h"

static void
dump_args (GString   *out,
           GPtrArray *args)
{
  for (guint i = 0; i < args->len; i++)
    {
      MrImapArg *arg = g_ptr_array_index (args, i);

      if (i > 0)
        g_string_append_c (out, ' ');
      switch (arg->type)
        {
        case MR_IMAP_ARG_ATOM:
          g_string_append (out, arg->str);
          break;
        case MR_IMAP_ARG_STRING:
          g_string_append_printf (out, "\"%s\"", arg->str);
          break;
        case MR_IMAP_ARG_LITERAL:
          g_string_append_printf (out, "{%s}", arg->str);
          break;
        case MR_IMAP_ARG_LIST:
          g_string_append_c (out, '(');
          dump_args (out, arg->list);
          g_string_append_c (out, ')');
          break;
        default:
          g_assert_not_reached ();
        }
    }
}

static char *
dump_command (MrImapCommand *command)
{
  GString *out = g_string_new (NULL);

  g_string_append_printf (out, "%s|%s|", command->tag, command->name ? command->name : "-");
  dump_args (out, command->args);
  return g_string_free (out, FALSE);
}

typedef struct
{
  const char *input;
  const char *expected;  /* dumped command, or NULL for an error */
  const char *error;     /* error message for an error */
  const char *error_tag;
} ParserCase;

static const ParserCase cases[] = {
  { "a1 NOOP\r\n", "a1|NOOP|", NULL, NULL },
  { "a1 noop\n", "a1|NOOP|", NULL, NULL },
  { "A2 LOGIN alice \"se\\\"cr\\\\et\"\r\n", "A2|LOGIN|alice \"se\"cr\\et\"", NULL, NULL },
  { "A3 LOGIN {5}\r\nalice {6}\r\nsecret\r\n", "A3|LOGIN|{alice} {secret}", NULL, NULL },
  { "A4 LOGIN {5+}\r\nalice {0+}\r\n\r\n", "A4|LOGIN|{alice} {}", NULL, NULL },
  { "A5 FETCH 1:*,3 (FLAGS BODY.PEEK[HEADER.FIELDS (From To)]<0.100>)\r\n",
    "A5|FETCH|1:*,3 (FLAGS BODY.PEEK[HEADER.FIELDS (From To)]<0.100>)", NULL, NULL },
  { "A6 SEARCH OR (FROM \"bob\" NOT SEEN) ((UID 1:5))\r\n",
    "A6|SEARCH|OR (FROM \"bob\" NOT SEEN) ((UID 1:5))", NULL, NULL },
  { "A7 STORE 1 +FLAGS.SILENT (\\Seen \\Deleted $Junk)\r\n",
    "A7|STORE|1 +FLAGS.SILENT (\\Seen \\Deleted $Junk)", NULL, NULL },
  { "A8 LIST \"\" %\r\n", "A8|LIST|\"\" %", NULL, NULL },
  { "A9 SELECT [Gmail]/Sent\r\n", "A9|SELECT|[Gmail]/Sent", NULL, NULL },
  { "A10 APPEND INBOX (\\Seen) \"01-Jan-2026 10:00:00 +0000\" {7}\r\nSubject\r\n",
    "A10|APPEND|INBOX (\\Seen) \"01-Jan-2026 10:00:00 +0000\" {Subject}", NULL, NULL },
  { "DONE\r\n", "DONE|-|", NULL, NULL },
  { "A11 X (a {3}\r\nb c d)\r\n", "A11|X|(a {b c} d)", NULL, NULL },
  { "A12 UID FETCH 1 (UID)\r\n", "A12|UID|FETCH 1 (UID)", NULL, NULL },
  /* errors */
  { "\r\n", NULL, "Empty command line", NULL },
  { "B1 LOGIN \"alice\r\n", NULL, "Unterminated quoted string", "B1" },
  { "B2 LOGIN \"a\\lice\"\r\n", NULL, "Invalid escape in quoted string", "B2" },
  { "B3 FETCH 1 (FLAGS\r\n", NULL, "Missing ')'", "B3" },
  { "B4 FETCH 1 FLAGS)\r\n", NULL, "Unexpected ')'", "B4" },
  { "B5 LOGIN {5\r\n", NULL, "Unterminated literal", "B5" },
  { "B6 LOGIN {x}\r\n", NULL, "Invalid literal size", "B6" },
  { "B7 LOGIN {99999999}\r\n", NULL, "Literal too big", "B7" },
  { "B8 LOGIN a{3}\r\n", NULL, "A literal must follow a space", "B8" },
  { "B9 FETCH 1 BODY[HEADER\r\n", NULL, "Missing ']'", "B9" },
  { "B10 X ((((((((((((((((((((a))))))))))))))))))))\r\n", NULL, "Lists nested too deeply", "B10" },
  { "(x) NOOP\r\n", NULL, "Invalid tag", NULL },
  { "B11 \"NOOP\"\r\n", NULL, "Invalid command name", "B11" },
  { "B12 X {3} a\r\n", NULL, "A literal must end its line", "B12" },
  { "B13 X \x01\r\n", NULL, "Invalid character in command", "B13" },
};

/* Feeds @input in chunks of @chunk bytes (0: whole) and collects results. */
static void
run_case (const ParserCase *c,
          gsize             chunk)
{
  g_autoptr(MrImapParser) parser = mr_imap_parser_new (0, 1000);
  gsize len = strlen (c->input);
  gsize pos = 0;
  int ret = 0;
  g_autoptr(MrImapCommand) command = NULL;
  g_autoptr(GError) error = NULL;
  /* Copy into a buffer with no NUL after it (libsoup header-parsing-test). */
  g_autofree guint8 *copy = g_memdup2 (c->input, len);

  if (chunk == 0)
    chunk = len;

  while (pos < len)
    {
      gsize n = MIN (chunk, len - pos);

      mr_imap_parser_feed (parser, copy + pos, n);
      pos += n;
      do
        ret = mr_imap_parser_next (parser, &command, &error);
      while (ret == 0 && mr_imap_parser_take_continuation (parser));
      if (ret != 0)
        break;
    }

  if (c->expected != NULL)
    {
      g_autofree char *dump = NULL;

      g_assert_no_error (error);
      g_assert_cmpint (ret, ==, 1);
      g_assert_cmpuint (pos, ==, len);
      dump = dump_command (command);
      g_assert_cmpstr (dump, ==, c->expected);
    }
  else
    {
      g_assert_cmpint (ret, ==, -1);
      g_assert_nonnull (error);
      g_assert_cmpstr (error->message, ==, c->error);
      g_assert_cmpstr (mr_imap_parser_get_error_tag (parser), ==, c->error_tag);
    }
}

static void
test_parser_table (void)
{
  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_test_message ("case %u: %s", i, cases[i].input);
      run_case (&cases[i], 0);
      run_case (&cases[i], 1);
      run_case (&cases[i], 3);
    }
}

static void
test_parser_continuation (void)
{
  g_autoptr(MrImapParser) parser = mr_imap_parser_new (0, 100);
  g_autoptr(MrImapCommand) command = NULL;
  g_autoptr(GError) error = NULL;
  const char *part1 = "c1 APPEND INBOX {5}\r\n";
  const char *part2 = "hello\r\n";
  int ret;

  mr_imap_parser_feed (parser, (const guint8 *)part1, strlen (part1));
  ret = mr_imap_parser_next (parser, &command, &error);
  g_assert_cmpint (ret, ==, 0);
  g_assert_true (mr_imap_parser_take_continuation (parser));
  g_assert_false (mr_imap_parser_take_continuation (parser));
  g_assert_cmpstr (mr_imap_parser_get_pending_tag (parser), ==, "c1");
  g_assert_cmpstr (mr_imap_parser_get_pending_name (parser), ==, "APPEND");

  mr_imap_parser_feed (parser, (const guint8 *)part2, strlen (part2));
  ret = mr_imap_parser_next (parser, &command, &error);
  g_assert_no_error (error);
  g_assert_cmpint (ret, ==, 1);
  g_assert_cmpstr (command->text, ==, "c1 APPEND INBOX {5}");
  g_assert_cmpuint (command->n_literals, ==, 1);
  g_assert_cmpuint (command->literal_bytes, ==, 5);
  g_clear_pointer (&command, mr_imap_command_free);

  /* No LITERAL+: a refused synchronizing literal ends the command, the
   * client sends nothing, and the next command parses. */
  mr_imap_parser_feed (parser, (const guint8 *)"c2 APPEND Nope {5}\r\n", 20);
  g_assert_cmpint (mr_imap_parser_next (parser, &command, &error), ==, 0);
  g_assert_true (mr_imap_parser_take_continuation (parser));
  mr_imap_parser_abort_command (parser);
  mr_imap_parser_feed (parser, (const guint8 *)"c3 NOOP\r\n", 9);
  g_assert_cmpint (mr_imap_parser_next (parser, &command, &error), ==, 1);
  g_assert_cmpstr (command->tag, ==, "c3");
}

static void
test_parser_recovery (void)
{
  g_autoptr(MrImapParser) parser = mr_imap_parser_new (64, 10);
  g_autoptr(MrImapCommand) command = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GString) input = g_string_new (NULL);
  int ret;

  /* An over-long line, a LITERAL+ over the limit whose octets follow, and a
   * bad line: each is one error, and the command after them parses. */
  g_string_append (input, "L1 NOOP ");
  for (guint i = 0; i < 200; i++)
    g_string_append_c (input, 'x');
  g_string_append (input, "\r\n");
  g_string_append (input, "L2 APPEND INBOX {20+}\r\n01234567890123456789\r\n");
  g_string_append (input, "L3 FETCH (\r\n");
  g_string_append (input, "L4 NOOP\r\n");

  for (guint chunk = 1; chunk <= input->len; chunk += input->len - 1)
    {
      guint errors = 0;
      gsize pos = 0;

      while (pos < input->len)
        {
          gsize n = MIN (chunk, input->len - pos);

          mr_imap_parser_feed (parser, (const guint8 *)input->str + pos, n);
          pos += n;
          while ((ret = mr_imap_parser_next (parser, &command, &error)) != 0)
            {
              if (ret < 0)
                {
                  errors++;
                  if (errors == 1)
                    g_assert_error (error, MR_ERROR, MR_ERROR_LINE_TOO_LONG);
                  if (errors == 2)
                    g_assert_error (error, MR_ERROR, MR_ERROR_LITERAL_TOO_BIG);
                  g_clear_error (&error);
                }
              else
                {
                  g_assert_cmpstr (command->tag, ==, "L4");
                  g_clear_pointer (&command, mr_imap_command_free);
                  g_assert_cmpuint (errors, ==, 3);
                }
            }
        }
      g_assert_cmpuint (errors, ==, 3);
    }
}

typedef struct
{
  const char *set;
  guint32     star;
  const char *members;  /* "1,2,3" expanded, or NULL for an error */
} SequenceCase;

static const SequenceCase sequence_cases[] = {
  { "1", 5, "1" },
  { "1:3", 5, "1,2,3" },
  { "3:1", 5, "1,2,3" },
  { "2,4:*", 6, "2,4,5,6" },
  { "*", 4, "4" },
  { "*:2", 3, "2,3" },
  { "1,1,2", 3, "1,2" },
  { "7:*", 3, "3,4,5,6,7" },
  { "0", 5, NULL },
  { "1:", 5, NULL },
  { "a", 5, NULL },
  { "1,,2", 5, NULL },
  { "", 5, NULL },
  { "99999999999", 5, NULL },
};

static void
test_sequence (void)
{
  for (guint i = 0; i < G_N_ELEMENTS (sequence_cases); i++)
    {
      const SequenceCase *c = &sequence_cases[i];
      g_autoptr(MrImapSequence) set = NULL;
      g_autoptr(GError) error = NULL;
      g_autoptr(GString) members = g_string_new (NULL);

      set = mr_imap_sequence_parse (c->set, &error);
      if (c->members == NULL)
        {
          g_assert_null (set);
          g_assert_error (error, MR_ERROR, MR_ERROR_BAD_SYNTAX);
          continue;
        }
      g_assert_no_error (error);
      for (guint32 n = 1; n <= 10; n++)
        if (mr_imap_sequence_contains (set, n, c->star))
          g_string_append_printf (members, "%s%u", members->len ? "," : "", n);
      g_assert_cmpstr (members->str, ==, c->members);
    }
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/imap/parser/table", test_parser_table);
  g_test_add_func ("/imap/parser/continuation", test_parser_continuation);
  g_test_add_func ("/imap/parser/recovery", test_parser_recovery);
  g_test_add_func ("/imap/sequence/parse", test_sequence);

  return g_test_run ();
}
