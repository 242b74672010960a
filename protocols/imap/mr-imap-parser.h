/* mr-imap-parser.h
 *
 * Copyright 2026 The Mailroom authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "mr-types.h"

G_BEGIN_DECLS

/* RFC 3501 does not bound a command line; clients send long UID sets.
 * Dovecot's imap_max_line_length is 64 KiB. */
#define MR_IMAP_DEFAULT_MAX_LINE     (64 * 1024)
/* Nested parenthesised lists (SEARCH, FETCH BODY[HEADER.FIELDS (...)]). */
#define MR_IMAP_MAX_LIST_DEPTH       16
/* Arguments in one command, counting those inside lists. */
#define MR_IMAP_MAX_ARGS             4096

typedef struct _MrImapParser  MrImapParser;
typedef struct _MrImapArg     MrImapArg;
typedef struct _MrImapCommand MrImapCommand;

/**
 * MrImapArgType:
 * @MR_IMAP_ARG_ATOM: an atom (also NIL, numbers, sequence sets, flags,
 *   and fetch attributes such as `BODY.PEEK[HEADER.FIELDS (From)]<0.10>`,
 *   which stay one atom with their bracketed section)
 * @MR_IMAP_ARG_STRING: a quoted string, escapes removed
 * @MR_IMAP_ARG_LITERAL: a literal `{n}` or `{n+}` (RFC 3501 4.3, RFC 7888)
 * @MR_IMAP_ARG_LIST: a parenthesised list
 */
typedef enum
{
  MR_IMAP_ARG_ATOM,
  MR_IMAP_ARG_STRING,
  MR_IMAP_ARG_LITERAL,
  MR_IMAP_ARG_LIST,
} MrImapArgType;

struct _MrImapArg
{
  MrImapArgType  type;
  char          *str;   /* NUL-terminated; a literal may hold NULs too */
  gsize          len;
  GPtrArray     *list;  /* MR_IMAP_ARG_LIST: MrImapArg * */
};

struct _MrImapCommand
{
  char      *tag;
  char      *name;      /* upper case, NULL when the line held one word only
                         * (IDLE's "DONE", an AUTHENTICATE response) */
  GPtrArray *args;      /* MrImapArg *, after tag and name */
  char      *text;      /* the line as received, literal contents left out */
  guint      n_literals;
  gsize      literal_bytes;
};

/* Parses IMAP commands (RFC 3501 9, "command") from a byte stream, resumable
 * at any byte. Every size is bounded: line length, literal size, list depth
 * and argument count. Errors are never fatal: the offending command is
 * dropped (its rest skipped) and parsing goes on with the next one. */
MrImapParser  *mr_imap_parser_new        (gsize          max_line,
                                          gsize          max_literal);
void           mr_imap_parser_free       (MrImapParser  *self);
void           mr_imap_parser_feed       (MrImapParser  *self,
                                          const guint8  *data,
                                          gsize          len);
/* Returns 1 with a command in @command_r (transfer full), 0 when more input
 * is needed, -1 with @error (MR_ERROR_BAD_SYNTAX, MR_ERROR_LINE_TOO_LONG or
 * MR_ERROR_LITERAL_TOO_BIG) naming the problem; then
 * mr_imap_parser_get_error_tag() gives the tag to answer with, if known. */
int            mr_imap_parser_next       (MrImapParser   *self,
                                          MrImapCommand **command_r,
                                          GError        **error);
/* TRUE once each time the parser stopped at a synchronizing literal `{n}`:
 * the session must then send "+ Ready for literal data" (RFC 3501 7.5), or
 * refuse the command with mr_imap_parser_abort_command(). */
gboolean       mr_imap_parser_take_continuation (MrImapParser *self);
/* While waiting for a synchronizing literal: the tag and upper-case command
 * name parsed so far (either may be NULL). */
const char    *mr_imap_parser_get_pending_tag  (MrImapParser *self);
const char    *mr_imap_parser_get_pending_name (MrImapParser *self);
/* ... and the top-level arguments so far, tag and name included.
 * (transfer none) (element-type MrImapArg) */
GPtrArray     *mr_imap_parser_get_pending_args (MrImapParser *self);
/* Drops the command being parsed (the client was refused its literal). */
void           mr_imap_parser_abort_command (MrImapParser *self);
/* The tag of the command the last error was about, or NULL. */
const char    *mr_imap_parser_get_error_tag (MrImapParser *self);
/* Drops all buffered input (after STARTTLS, RFC 3501 6.2.1). */
void           mr_imap_parser_clear      (MrImapParser  *self);
gsize          mr_imap_parser_get_pending (MrImapParser *self);

void           mr_imap_command_free      (MrImapCommand *command);
void           mr_imap_arg_free          (MrImapArg     *arg);

/* Helpers for handlers. */
gboolean       mr_imap_arg_is_atom       (const MrImapArg *arg);
gboolean       mr_imap_arg_is_nil        (const MrImapArg *arg);
/* An astring (atom, quoted string or literal): its text, else NULL. */
const char    *mr_imap_arg_get_astring   (const MrImapArg *arg);
/* A number (RFC 3501 9 "number", up to 2^32-1): TRUE and @number_r. */
gboolean       mr_imap_arg_get_number    (const MrImapArg *arg,
                                          guint32         *number_r);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (MrImapParser, mr_imap_parser_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (MrImapCommand, mr_imap_command_free)

G_END_DECLS
