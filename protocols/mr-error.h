/* mr-error.h
 *
 * Copyright 2026 The Mailroom authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define MR_ERROR (mr_error_quark ())

/**
 * MrError:
 * @MR_ERROR_LINE_TOO_LONG: a line went over its limit (not fatal: the rest of
 *   the line is discarded and the session answers with an error)
 * @MR_ERROR_BAD_SYNTAX: a command could not be parsed (not fatal)
 * @MR_ERROR_LITERAL_TOO_BIG: an IMAP literal over the limit (not fatal)
 * @MR_ERROR_MESSAGE_TOO_BIG: message over the size limit (not fatal)
 * @MR_ERROR_TOO_MANY_ERRORS: too many bad commands (fatal: the session closes)
 * @MR_ERROR_TIMEOUT: the peer was idle for too long (fatal)
 * @MR_ERROR_TOO_MANY_CONNECTIONS: a connection limit was reached (fatal)
 * @MR_ERROR_NOT_FOUND: an account, folder or message does not exist
 * @MR_ERROR_EXISTS: the thing to create already exists
 * @MR_ERROR_LOCKED: a resource is in use by someone else (maildrop, Maildir)
 * @MR_ERROR_INVALID_DATA: a data file (scenario, lesson) is malformed
 * @MR_ERROR_AUTH_FAILED: credentials were refused
 * @MR_ERROR_FAILED: anything else
 */
typedef enum
{
  MR_ERROR_LINE_TOO_LONG,
  MR_ERROR_BAD_SYNTAX,
  MR_ERROR_LITERAL_TOO_BIG,
  MR_ERROR_MESSAGE_TOO_BIG,
  MR_ERROR_TOO_MANY_ERRORS,
  MR_ERROR_TIMEOUT,
  MR_ERROR_TOO_MANY_CONNECTIONS,
  MR_ERROR_NOT_FOUND,
  MR_ERROR_EXISTS,
  MR_ERROR_LOCKED,
  MR_ERROR_INVALID_DATA,
  MR_ERROR_AUTH_FAILED,
  MR_ERROR_FAILED,
} MrError;

GQuark mr_error_quark (void);

G_END_DECLS
