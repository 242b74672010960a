/* test-smtp-parser.c
 *
 * Copyright 2026 The Mailroom authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <string.h>

#include "mr-smtp-parser.h"

/* Every buffer is copied into an exactly-sized heap block with no NUL after
 * it, so a parser reading past @len trips ASan/valgrind. */
static char *
dup_unterminated (const char *s,
                  gsize       len)
{
  return g_memdup2 (s, len ? len : 1);
}

static const struct
{
  const char *line;
  MrSmtpVerb  verb;
  const char *name;
  const char *args;
  gboolean    ok;
} command_cases[] = {
  { "EHLO client.example", MR_SMTP_VERB_EHLO, "EHLO", "client.example", TRUE },
  { "ehlo client.example  ", MR_SMTP_VERB_EHLO, "EHLO", "client.example", TRUE },
  { "HeLo x", MR_SMTP_VERB_HELO, "HELO", "x", TRUE },
  { "MAIL FROM:<a@b.example> SIZE=10", MR_SMTP_VERB_MAIL, "MAIL", "FROM:<a@b.example> SIZE=10", TRUE },
  { "DATA", MR_SMTP_VERB_DATA, "DATA", NULL, TRUE },
  { "data   ", MR_SMTP_VERB_DATA, "DATA", NULL, TRUE },
  { "BDAT 100 LAST", MR_SMTP_VERB_BDAT, "BDAT", "100 LAST", TRUE },
  { "STARTTLS", MR_SMTP_VERB_STARTTLS, "STARTTLS", NULL, TRUE },
  { "AUTH PLAIN AGFsaWNlAGFsaWNl", MR_SMTP_VERB_AUTH, "AUTH", "PLAIN AGFsaWNlAGFsaWNl", TRUE },
  { "QUIT", MR_SMTP_VERB_QUIT, "QUIT", NULL, TRUE },
  { "FOO bar", MR_SMTP_VERB_UNKNOWN, "FOO", "bar", TRUE },
  { "MAILX FROM:<a@b>", MR_SMTP_VERB_UNKNOWN, "MAILX", "FROM:<a@b>", TRUE },
  { "STARTTLSSTARTTLSSTARTTLS", MR_SMTP_VERB_UNKNOWN, "STARTTLSSTARTTL", NULL, TRUE },
  { "", MR_SMTP_VERB_UNKNOWN, "", NULL, FALSE },
  { " NOOP", MR_SMTP_VERB_UNKNOWN, "", NULL, FALSE },
};

static void
test_parse_command (void)
{
  for (guint i = 0; i < G_N_ELEMENTS (command_cases); i++)
    {
      gsize len = strlen (command_cases[i].line);
      g_autofree char *buf = dup_unterminated (command_cases[i].line, len);
      MrSmtpCommand cmd;
      gboolean ok;

      ok = mr_smtp_parse_command (buf, len, &cmd);
      g_assert_cmpint (ok, ==, command_cases[i].ok);
      if (!ok)
        continue;
      g_assert_cmpint (cmd.verb, ==, command_cases[i].verb);
      g_assert_cmpstr (cmd.name, ==, command_cases[i].name);
      if (command_cases[i].args == NULL)
        g_assert_null (cmd.args);
      else
        {
          g_autofree char *args = g_strndup (cmd.args, cmd.args_len);
          g_assert_cmpstr (args, ==, command_cases[i].args);
        }
    }
}

static void
test_parse_command_nul (void)
{
  static const char line[] = "NOOP\0hidden";
  static const char cr[] = "EHLO a\rb";
  MrSmtpCommand cmd;

  g_assert_false (mr_smtp_parse_command (line, sizeof line - 1, &cmd));
  g_assert_false (mr_smtp_parse_command (cr, sizeof cr - 1, &cmd));
  g_assert_true (mr_smtp_parse_command ("NOOP\tx", 6, &cmd));
}

typedef struct
{
  const char *args;
  gboolean    mail;
  int         error;      /* -1: parses */
  const char *address;
  gboolean    utf8;
  guint       n_params;
} PathCase;

static const PathCase path_cases[] = {
  { "FROM:<alice@sender.example>", TRUE, -1, "alice@sender.example", FALSE, 0 },
  { "from:<alice@sender.example>", TRUE, -1, "alice@sender.example", FALSE, 0 },
  { "FROM: <alice@sender.example>", TRUE, -1, "alice@sender.example", FALSE, 0 },
  { "FROM:<>", TRUE, -1, "", FALSE, 0 },
  { "FROM:<> SIZE=100 BODY=8BITMIME", TRUE, -1, "", FALSE, 2 },
  { "FROM:<a@b.example> SIZE=100  SMTPUTF8", TRUE, -1, "a@b.example", FALSE, 2 },
  { "FROM:<a@b.example> RET=HDRS ENVID=QQ+2B1", TRUE, -1, "a@b.example", FALSE, 2 },
  { "TO:<bob@recipient.example>", FALSE, -1, "bob@recipient.example", FALSE, 0 },
  { "TO:<bob@recipient.example> NOTIFY=SUCCESS,FAILURE ORCPT=rfc822;bob@recipient.example", FALSE, -1,
    "bob@recipient.example", FALSE, 2 },
  { "TO:<Postmaster>", FALSE, -1, "postmaster", FALSE, 0 },
  { "TO:<@relay.example,@b.example:bob@recipient.example>", FALSE, -1, "bob@recipient.example", FALSE, 0 },
  { "TO:<\"john doe\"@recipient.example>", FALSE, -1, "\"john doe\"@recipient.example", FALSE, 0 },
  { "TO:<\"a>b\\\"c\"@recipient.example>", FALSE, -1, "\"a>b\\\"c\"@recipient.example", FALSE, 0 },
  { "TO:<user@[192.0.2.1]>", FALSE, -1, "user@[192.0.2.1]", FALSE, 0 },
  { "TO:<user@[IPv6:2001:db8::1]>", FALSE, -1, "user@[IPv6:2001:db8::1]", FALSE, 0 },
  { "TO:<j\xc3\xb6rg@b\xc3\xbc" "cher.example>", FALSE, -1, "j\xc3\xb6rg@b\xc3\xbc" "cher.example", TRUE, 0 },
  { "TO:<a.b+tag@sub-domain.example.org>", FALSE, -1, "a.b+tag@sub-domain.example.org", FALSE, 0 },
  /* errors */
  { "FROM:alice@sender.example", TRUE, MR_SMTP_PARSER_ERROR_ADDRESS, NULL, FALSE, 0 },
  { "FROM <alice@sender.example>", TRUE, MR_SMTP_PARSER_ERROR_SYNTAX, NULL, FALSE, 0 },
  { "TO:<bob@recipient.example>", TRUE, MR_SMTP_PARSER_ERROR_SYNTAX, NULL, FALSE, 0 },
  { "TO:<>", FALSE, MR_SMTP_PARSER_ERROR_ADDRESS, NULL, FALSE, 0 },
  { "FROM:<alice@sender.example", TRUE, MR_SMTP_PARSER_ERROR_ADDRESS, NULL, FALSE, 0 },
  { "FROM:<alice>", TRUE, MR_SMTP_PARSER_ERROR_ADDRESS, NULL, FALSE, 0 },
  { "FROM:<alice@>", TRUE, MR_SMTP_PARSER_ERROR_ADDRESS, NULL, FALSE, 0 },
  { "FROM:<@sender.example>", TRUE, MR_SMTP_PARSER_ERROR_ADDRESS, NULL, FALSE, 0 },
  { "FROM:<.alice@sender.example>", TRUE, MR_SMTP_PARSER_ERROR_ADDRESS, NULL, FALSE, 0 },
  { "FROM:<al..ice@sender.example>", TRUE, MR_SMTP_PARSER_ERROR_ADDRESS, NULL, FALSE, 0 },
  { "FROM:<alice@-sender.example>", TRUE, MR_SMTP_PARSER_ERROR_ADDRESS, NULL, FALSE, 0 },
  { "FROM:<alice@sender..example>", TRUE, MR_SMTP_PARSER_ERROR_ADDRESS, NULL, FALSE, 0 },
  { "FROM:<alice@sender_x.example>", TRUE, MR_SMTP_PARSER_ERROR_ADDRESS, NULL, FALSE, 0 },
  { "FROM:<al ice@sender.example>", TRUE, MR_SMTP_PARSER_ERROR_ADDRESS, NULL, FALSE, 0 },
  { "FROM:<a@b.example>SIZE=1", TRUE, MR_SMTP_PARSER_ERROR_ADDRESS, NULL, FALSE, 0 },
  { "FROM:<a@b.example> SIZE=", TRUE, MR_SMTP_PARSER_ERROR_PARAMETER, NULL, FALSE, 0 },
  { "FROM:<a@b.example> =1", TRUE, MR_SMTP_PARSER_ERROR_PARAMETER, NULL, FALSE, 0 },
  { "FROM:<a@b.example> SI_ZE=1", TRUE, MR_SMTP_PARSER_ERROR_PARAMETER, NULL, FALSE, 0 },
  { "TO:<user@[300.0.2.1]>", FALSE, MR_SMTP_PARSER_ERROR_ADDRESS, NULL, FALSE, 0 },
  { "TO:<user@[IPv6:zz]>", FALSE, MR_SMTP_PARSER_ERROR_ADDRESS, NULL, FALSE, 0 },
  { "TO:<\"unterminated@recipient.example>", FALSE, MR_SMTP_PARSER_ERROR_ADDRESS, NULL, FALSE, 0 },
  { "TO:<\"bad\x01\"@recipient.example>", FALSE, MR_SMTP_PARSER_ERROR_ADDRESS, NULL, FALSE, 0 },
  { "TO:<j\xc3@recipient.example>", FALSE, MR_SMTP_PARSER_ERROR_ADDRESS, NULL, FALSE, 0 },
  /* 65-octet local part (RFC 5321 4.5.3.1.1) */
  { "TO:<aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa@recipient.example>", FALSE,
    MR_SMTP_PARSER_ERROR_ADDRESS, NULL, FALSE, 0 },
};

static void
run_path_case (const PathCase *c)
{
  gsize len = strlen (c->args);
  g_autofree char *buf = dup_unterminated (c->args, len);
  g_autoptr(GError) error = NULL;
  g_autoptr(MrSmtpPathArgs) args = NULL;

  args = mr_smtp_parse_path_args (buf, len, c->mail ? "FROM:" : "TO:", c->mail, &error);
  if (c->error >= 0)
    {
      g_assert_null (args);
      g_assert_error (error, MR_SMTP_PARSER_ERROR, c->error);
      return;
    }
  g_assert_no_error (error);
  g_assert_nonnull (args);
  g_assert_cmpstr (args->address, ==, c->address);
  g_assert_cmpint (args->utf8, ==, c->utf8);
  g_assert_cmpuint (args->params->len, ==, c->n_params);
}

static void
test_parse_path (void)
{
  for (guint i = 0; i < G_N_ELEMENTS (path_cases); i++)
    {
      g_test_message ("case %u", i);
      run_path_case (&path_cases[i]);
    }
}

static void
test_parse_params (void)
{
  static const char line[] = "FROM:<a@b.example> size=2048 BODY=8BITMIME SMTPUTF8";
  g_autoptr(GError) error = NULL;
  g_autoptr(MrSmtpPathArgs) args = NULL;
  gboolean present = FALSE;

  args = mr_smtp_parse_path_args (line, strlen (line), "FROM:", TRUE, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (mr_smtp_path_args_get_param (args, "SIZE", &present), ==, "2048");
  g_assert_true (present);
  g_assert_cmpstr (mr_smtp_path_args_get_param (args, "BODY", NULL), ==, "8BITMIME");
  g_assert_null (mr_smtp_path_args_get_param (args, "SMTPUTF8", &present));
  g_assert_true (present);
  g_assert_null (mr_smtp_path_args_get_param (args, "RET", &present));
  g_assert_false (present);
}

static void
test_path_too_long (void)
{
  g_autoptr(GString) s = g_string_new ("TO:<a@");
  g_autoptr(GError) error = NULL;
  g_autoptr(MrSmtpPathArgs) args = NULL;

  /* 5 labels of 60 = more than 255 octets of domain */
  for (guint i = 0; i < 5; i++)
    {
      for (guint j = 0; j < 60; j++)
        g_string_append_c (s, 'x');
      g_string_append_c (s, '.');
    }
  g_string_append (s, "example>");
  args = mr_smtp_parse_path_args (s->str, s->len, "TO:", FALSE, &error);
  g_assert_null (args);
  g_assert_error (error, MR_SMTP_PARSER_ERROR, MR_SMTP_PARSER_ERROR_ADDRESS);
}

static void
test_xtext (void)
{
  static const struct { const char *in; const char *out; } cases[] = {
    { "abc", "abc" },
    { "a+2Bb", "a+b" },
    { "rfc822;bob@recipient.example", "rfc822;bob@recipient.example" },
    { "+3D", "=" },
    { "a+2b", NULL },     /* hexchar is upper case */
    { "a+2", NULL },
    { "a+", NULL },
    { "a=b", NULL },
    { "a b", NULL },
    { "+00", NULL },      /* NUL */
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      gsize len = strlen (cases[i].in);
      g_autofree char *buf = dup_unterminated (cases[i].in, len);
      g_autofree char *out = mr_smtp_xtext_decode (buf, len);

      g_assert_cmpstr (out, ==, cases[i].out);
    }
}

static void
test_base64 (void)
{
  static const struct { const char *in; const char *out; gsize out_len; } cases[] = {
    { "AGFsaWNlQHNlbmRlci5leGFtcGxlAGFsaWNl", "\0alice@sender.example\0alice", 27 },
    { "VXNlcm5hbWU6", "Username:", 9 },
    { "YQ==", "a", 1 },
    { "YWI=", "ab", 2 },
    { "=", "", 0 },
    { "YQ=", NULL, 0 },
    { "Y===", NULL, 0 },
    { "YQ=a", NULL, 0 },
    { "Y Q==", NULL, 0 },
    { "!!!!", NULL, 0 },
    { "", NULL, 0 },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      gsize len = strlen (cases[i].in);
      g_autofree char *buf = dup_unterminated (cases[i].in, len);
      g_autoptr(GBytes) out = mr_smtp_base64_decode (buf, len);

      if (cases[i].out == NULL)
        {
          g_assert_null (out);
          continue;
        }
      g_assert_nonnull (out);
      g_assert_cmpmem (g_bytes_get_data (out, NULL), g_bytes_get_size (out),
                       cases[i].out, cases[i].out_len);
    }
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/smtp/parser/command", test_parse_command);
  g_test_add_func ("/smtp/parser/command-nul", test_parse_command_nul);
  g_test_add_func ("/smtp/parser/path", test_parse_path);
  g_test_add_func ("/smtp/parser/params", test_parse_params);
  g_test_add_func ("/smtp/parser/path-too-long", test_path_too_long);
  g_test_add_func ("/smtp/parser/xtext", test_xtext);
  g_test_add_func ("/smtp/parser/base64", test_base64);

  return g_test_run ();
}
