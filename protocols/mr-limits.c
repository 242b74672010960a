/* mr-limits.c
 *
 * Copyright 2026 The Mailroom authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "mr-limits.h"

/* Fills every field still at 0 with its default. */
void
mr_limits_init_defaults (MrLimits *limits)
{
  g_return_if_fail (limits != NULL);

#define DEFAULT(field, value) if (limits->field == 0) limits->field = (value)
  DEFAULT (max_command_line, 512);
  DEFAULT (max_content_line, 10 * 1000);
  DEFAULT (max_message, 10 * 1024 * 1024);
  DEFAULT (max_recipients, 100);
  DEFAULT (max_literal, 10 * 1024 * 1024);
  DEFAULT (max_bad_commands, 20);
  DEFAULT (max_auth_failures, 3);
  DEFAULT (idle_timeout_seconds, 300);
  DEFAULT (max_connections, 1000);
  DEFAULT (max_connections_per_address, 600);
#undef DEFAULT
}

MrLimits *
mr_limits_copy (const MrLimits *limits)
{
  MrLimits *copy = g_new0 (MrLimits, 1);

  if (limits != NULL)
    *copy = *limits;
  mr_limits_init_defaults (copy);
  return copy;
}

void
mr_limits_free (MrLimits *limits)
{
  g_free (limits);
}
