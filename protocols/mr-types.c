/* mr-types.c
 *
 * Copyright 2026 The Mailroom authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "mr-types.h"

static const struct {
  const char *name;
  MrProtocol  protocol;
  gboolean    implicit_tls;
  guint16     default_port;
} services[MR_N_SERVICES] = {
  [MR_SERVICE_SMTP]       = { "smtp",       MR_PROTOCOL_SMTP, FALSE, 2525 },
  [MR_SERVICE_SUBMISSION] = { "submission", MR_PROTOCOL_SMTP, FALSE, 2587 },
  [MR_SERVICE_SMTPS]      = { "smtps",      MR_PROTOCOL_SMTP, TRUE,  2465 },
  [MR_SERVICE_POP3]       = { "pop3",       MR_PROTOCOL_POP3, FALSE, 2110 },
  [MR_SERVICE_POP3S]      = { "pop3s",      MR_PROTOCOL_POP3, TRUE,  2995 },
  [MR_SERVICE_IMAP]       = { "imap",       MR_PROTOCOL_IMAP, FALSE, 2143 },
  [MR_SERVICE_IMAPS]      = { "imaps",      MR_PROTOCOL_IMAP, TRUE,  2993 },
  [MR_SERVICE_HTTP]       = { "http",       MR_PROTOCOL_HTTP, FALSE, 8025 },
};

const char *
mr_protocol_to_string (MrProtocol protocol)
{
  switch (protocol)
    {
    case MR_PROTOCOL_SMTP: return "smtp";
    case MR_PROTOCOL_POP3: return "pop3";
    case MR_PROTOCOL_IMAP: return "imap";
    case MR_PROTOCOL_HTTP: return "http";
    case MR_PROTOCOL_NONE:
    default:
      return "none";
    }
}

const char *
mr_service_to_string (MrService service)
{
  g_return_val_if_fail (service < MR_N_SERVICES, NULL);
  return services[service].name;
}

gboolean
mr_service_from_string (const char *name,
                        MrService  *service_r)
{
  for (guint i = 0; i < MR_N_SERVICES; i++)
    {
      if (g_strcmp0 (name, services[i].name) == 0)
        {
          *service_r = i;
          return TRUE;
        }
    }
  return FALSE;
}

MrProtocol
mr_service_get_protocol (MrService service)
{
  g_return_val_if_fail (service < MR_N_SERVICES, MR_PROTOCOL_NONE);
  return services[service].protocol;
}

gboolean
mr_service_is_implicit_tls (MrService service)
{
  g_return_val_if_fail (service < MR_N_SERVICES, FALSE);
  return services[service].implicit_tls;
}

guint16
mr_service_get_default_port (MrService service)
{
  g_return_val_if_fail (service < MR_N_SERVICES, 0);
  return services[service].default_port;
}
