/* mr-smtp-parser.h
 *
 * Copyright 2026 The Mailroom authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "mr-types.h"

G_BEGIN_DECLS

/*
 * Pure parse functions for one SMTP command line, on (buf, len) without a
 * terminating NUL and without the line ending. Nothing here keeps state or
 * sees a socket; the session decides what a parse result means on the wire.
 */

#define MR_SMTP_PARSER_ERROR (mr_smtp_parser_error_quark ())

/**
 * MrSmtpParserError:
 * @MR_SMTP_PARSER_ERROR_SYNTAX: the arguments are malformed ("501 5.5.2")
 * @MR_SMTP_PARSER_ERROR_ADDRESS: the path or mailbox is not RFC 5321 4.1.2
 *   syntax ("501 5.1.3")
 * @MR_SMTP_PARSER_ERROR_PARAMETER: an ESMTP parameter is malformed
 *   ("501 5.5.4")
 *
 * None of these is fatal: the session answers and reads the next command.
 */
typedef enum
{
  MR_SMTP_PARSER_ERROR_SYNTAX,
  MR_SMTP_PARSER_ERROR_ADDRESS,
  MR_SMTP_PARSER_ERROR_PARAMETER,
} MrSmtpParserError;

/**
 * MrSmtpVerb:
 *
 * The commands the server knows (RFC 5321 4.1.1, RFC 3030, RFC 3207,
 * RFC 4954). Anything else is %MR_SMTP_VERB_UNKNOWN ("500 5.5.2").
 */
typedef enum
{
  MR_SMTP_VERB_UNKNOWN,
  MR_SMTP_VERB_HELO,
  MR_SMTP_VERB_EHLO,
  MR_SMTP_VERB_MAIL,
  MR_SMTP_VERB_RCPT,
  MR_SMTP_VERB_DATA,
  MR_SMTP_VERB_BDAT,
  MR_SMTP_VERB_RSET,
  MR_SMTP_VERB_NOOP,
  MR_SMTP_VERB_QUIT,
  MR_SMTP_VERB_VRFY,
  MR_SMTP_VERB_EXPN,
  MR_SMTP_VERB_HELP,
  MR_SMTP_VERB_AUTH,
  MR_SMTP_VERB_STARTTLS,
} MrSmtpVerb;

/* Longest verb we copy out; longer words are unknown commands. */
#define MR_SMTP_VERB_MAX 16

typedef struct
{
  MrSmtpVerb  verb;
  /* The first word, upper-cased, NUL-terminated (cut to MR_SMTP_VERB_MAX-1). */
  char        name[MR_SMTP_VERB_MAX];
  /* Borrowed from the input: what follows the verb and its space, with
   * trailing spaces removed; NULL when there are no arguments. */
  const char *args;
  gsize       args_len;
} MrSmtpCommand;

/**
 * mr_smtp_parse_command:
 *
 * Splits a command line into verb and arguments. Returns %FALSE for a line
 * that cannot be a command at all (empty, starts with a space, contains NUL
 * or other control characters); @cmd_r is still filled as far as possible.
 */
gboolean    mr_smtp_parse_command    (const char     *buf,
                                      gsize           len,
                                      MrSmtpCommand  *cmd_r);

const char *mr_smtp_verb_to_string   (MrSmtpVerb      verb);

/**
 * MrSmtpParam:
 * @keyword: upper-cased esmtp-keyword
 * @value: the esmtp-value as sent (still xtext-encoded), or %NULL
 */
typedef struct
{
  char *keyword;
  char *value;
} MrSmtpParam;

/**
 * MrSmtpPathArgs:
 * @address: the mailbox without angle brackets and without a source route;
 *   "" for the null reverse-path "<>"
 * @utf8: the address holds non-ASCII (RFC 6531: needs SMTPUTF8)
 * @params: (element-type MrSmtpParam): ESMTP parameters in order
 */
typedef struct
{
  char      *address;
  gboolean   utf8;
  GPtrArray *params;
} MrSmtpPathArgs;

/**
 * mr_smtp_parse_path_args:
 * @prefix: "FROM:" or "TO:" (matched without regard to case)
 * @allow_null: whether "<>" is allowed (MAIL FROM)
 *
 * Parses the arguments of MAIL or RCPT: `FROM:<path> [SP params]`
 * (RFC 5321 4.1.1.2, 4.1.1.3, 4.1.2). As Postfix does, spaces between the
 * colon and the path are tolerated. "<Postmaster>" without a domain is
 * accepted for RCPT (RFC 5321 4.1.1.3). A source route is accepted and
 * dropped (RFC 5321 4.1.1.3, C).
 *
 * Returns: (transfer full): the parse, or %NULL with @error in
 *   %MR_SMTP_PARSER_ERROR.
 */
MrSmtpPathArgs *mr_smtp_parse_path_args (const char  *buf,
                                         gsize        len,
                                         const char  *prefix,
                                         gboolean     allow_null,
                                         GError     **error);
void            mr_smtp_path_args_free  (MrSmtpPathArgs *args);
/* The value of @keyword (upper-case), or NULL; @present_r says whether the
 * keyword appeared at all (it may have no value). */
const char     *mr_smtp_path_args_get_param (const MrSmtpPathArgs *args,
                                             const char           *keyword,
                                             gboolean             *present_r);

/**
 * mr_smtp_mailbox_is_valid:
 * @utf8_r: (out) (optional): set when the mailbox holds non-ASCII octets
 *
 * Checks RFC 5321 4.1.2 `Mailbox = Local-part "@" ( Domain / address-literal )`,
 * with quoted local parts, length limits of 4.5.3.1 (64 octets local part,
 * 255 domain) and UTF-8 in local part and domain (RFC 6531 3.3).
 */
gboolean    mr_smtp_mailbox_is_valid (const char     *buf,
                                      gsize           len,
                                      gboolean       *utf8_r);

/**
 * mr_smtp_xtext_decode:
 *
 * Decodes RFC 3461 4 xtext ("+2B" is "+"). Returns %NULL when @buf is not
 * valid xtext. (transfer full)
 */
char       *mr_smtp_xtext_decode     (const char     *buf,
                                      gsize           len);

/**
 * mr_smtp_base64_decode:
 *
 * Strict base64 for SASL (RFC 4954 4): only the base64 alphabet, length a
 * multiple of 4, padding only at the end. "=" alone is the empty string.
 * Returns %NULL when @buf is not valid. (transfer full)
 */
GBytes     *mr_smtp_base64_decode    (const char     *buf,
                                      gsize           len);

GQuark      mr_smtp_parser_error_quark (void);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (MrSmtpPathArgs, mr_smtp_path_args_free)

G_END_DECLS
