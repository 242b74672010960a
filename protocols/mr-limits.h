/* mr-limits.h
 *
 * Copyright 2026 The Mailroom authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "mr-types.h"

G_BEGIN_DECLS

/**
 * MrLimits:
 *
 * Every bound the servers enforce, in one place. A field left at 0 means
 * "use the default" (see mr_limits_init_defaults() and docs/limits.md).
 */
struct _MrLimits
{
  /* RFC 5321 4.5.3.1.4: a command line is at most 512 octets with CRLF.
   * Going over gets "500 5.5.2 Error: line too long". */
  gsize  max_command_line;
  /* RFC 5321 4.5.3.1.6: a text line is at most 1000 octets with CRLF;
   * we accept longer content lines up to this bound (Postfix does too). */
  gsize  max_content_line;
  /* RFC 1870 SIZE; going over gets "552 5.3.4". */
  gsize  max_message;
  /* RFC 5321 4.5.3.1.8 requires at least 100 recipients per transaction;
   * going over gets "452 4.5.3". */
  guint  max_recipients;
  /* IMAP literal size (RFC 3501 4.3 leaves it to the server). */
  gsize  max_literal;
  /* Bad commands in a row before "421 4.7.0 Too many errors" (Postfix
   * smtpd_hard_error_limit). */
  guint  max_bad_commands;
  /* Failed authentications before each further attempt is delayed. */
  guint  max_auth_failures;
  /* Idle time before "421 4.4.2 Idle timeout"; RFC 5321 4.5.3.2.7 suggests
   * 5 minutes for the server. */
  guint  idle_timeout_seconds;
  /* Connections at once, in total and from one client address. */
  guint  max_connections;
  guint  max_connections_per_address;
};

void      mr_limits_init_defaults (MrLimits       *limits);
MrLimits *mr_limits_copy          (const MrLimits *limits);
void      mr_limits_free          (MrLimits       *limits);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (MrLimits, mr_limits_free)

G_END_DECLS
