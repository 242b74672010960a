/* mr-dsn.c
 *
 * Copyright 2026 The Mailroom authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "mr-dsn"

#include "config.h"

#include <string.h>

#include "mr-dsn.h"
#include "mr-smtp-client.h"
#include "mr-smtp-session.h"

const char *
mr_dsn_action_to_string (MrDsnAction action)
{
  switch (action)
    {
    case MR_DSN_ACTION_FAILED:
      return "failed";
    case MR_DSN_ACTION_DELAYED:
      return "delayed";
    case MR_DSN_ACTION_DELIVERED:
      return "delivered";
    case MR_DSN_ACTION_RELAYED:
      return "relayed";
    case MR_DSN_ACTION_EXPANDED:
      return "expanded";
    default:
      g_return_val_if_reached ("failed");
    }
}

GBytes *
mr_dsn_extract_headers (GBytes *message)
{
  g_autoptr(GBytes) normal = NULL;
  const char *data;
  const char *end;
  gsize len;

  g_return_val_if_fail (message != NULL, NULL);

  normal = mr_smtp_normalize_crlf (message);
  data = g_bytes_get_data (normal, &len);
  if (len >= 2 && memcmp (data, "\r\n", 2) == 0)
    return g_bytes_new (NULL, 0);
  end = g_strstr_len (data, len, "\r\n\r\n");
  if (end == NULL)
    return g_bytes_ref (normal);

  return g_bytes_new (data, end - data + 2);
}

static char *
format_date (gint64 usec)
{
  g_autoptr(GDateTime) seconds = g_date_time_new_from_unix_local (usec / G_USEC_PER_SEC);

  return mr_smtp_format_date (seconds);
}

/* RFC 3461 4: xtext is for parameters; in the report the address is plain
 * (RFC 3464 2.3.1 "address-type ; generic-address"). */
static void
append_field (GString    *out,
              const char *name,
              const char *value)
{
  if (value != NULL)
    g_string_append_printf (out, "%s: %s\r\n", name, value);
}

static const char *
subject_for (const MrDsnRecipient *recipients,
             guint                 n_recipients)
{
  gboolean failed = FALSE, delayed = FALSE;

  for (guint i = 0; i < n_recipients; i++)
    {
      failed |= recipients[i].action == MR_DSN_ACTION_FAILED;
      delayed |= recipients[i].action == MR_DSN_ACTION_DELAYED;
    }

  if (failed)
    return "Undelivered Mail Returned to Sender";
  if (delayed)
    return "Delayed Mail (still being retried)";
  return "Successful Mail Delivery Report";
}

static void
append_human_part (GString              *out,
                   const MrDsnInfo      *info,
                   const MrDsnRecipient *recipients,
                   guint                 n_recipients)
{
  g_string_append (out, "Content-Description: Notification\r\n"
                        "Content-Type: text/plain; charset=us-ascii\r\n\r\n");
  g_string_append_printf (out, "This is the mail system at host %s.\r\n\r\n",
                          info->reporting_mta);

  for (guint i = 0; i < n_recipients; i++)
    {
      const MrDsnRecipient *r = &recipients[i];

      switch (r->action)
        {
        case MR_DSN_ACTION_FAILED:
          g_string_append_printf (out, "Your message could not be delivered to <%s>.\r\n"
                                       "This is a permanent error; it will not be retried.\r\n",
                                  r->final_recipient);
          break;
        case MR_DSN_ACTION_DELAYED:
          g_string_append_printf (out, "Your message to <%s> has not been delivered yet.\r\n"
                                       "The mail system will keep trying; you do not need to\r\n"
                                       "send it again.\r\n",
                                  r->final_recipient);
          break;
        case MR_DSN_ACTION_DELIVERED:
        case MR_DSN_ACTION_RELAYED:
        case MR_DSN_ACTION_EXPANDED:
        default:
          g_string_append_printf (out, "Your message was %s to <%s>.\r\n",
                                  mr_dsn_action_to_string (r->action), r->final_recipient);
          break;
        }
      if (r->remote_mta != NULL && r->diagnostic != NULL)
        g_string_append_printf (out, "    %s said: %s\r\n", r->remote_mta, r->diagnostic);
      else if (r->diagnostic != NULL)
        g_string_append_printf (out, "    Reason: %s\r\n", r->diagnostic);
      g_string_append (out, "\r\n");
    }
}

static void
append_status_part (GString              *out,
                    const MrDsnInfo      *info,
                    const MrDsnRecipient *recipients,
                    guint                 n_recipients)
{
  g_autofree char *arrival = NULL;

  g_string_append (out, "Content-Description: Delivery report\r\n"
                        "Content-Type: message/delivery-status\r\n\r\n");

  /* RFC 3464 2.2: per-message fields. */
  g_string_append_printf (out, "Reporting-MTA: dns; %s\r\n", info->reporting_mta);
  append_field (out, "Original-Envelope-Id", info->envid);
  if (info->arrival_date > 0)
    {
      arrival = format_date (info->arrival_date);
      append_field (out, "Arrival-Date", arrival);
    }

  /* RFC 3464 2.3: a block per recipient, each after an empty line. */
  for (guint i = 0; i < n_recipients; i++)
    {
      const MrDsnRecipient *r = &recipients[i];
      g_autofree char *last = NULL;
      g_autofree char *until = NULL;

      g_string_append (out, "\r\n");
      if (r->orcpt != NULL)
        g_string_append_printf (out, "Original-Recipient: %s;%s\r\n",
                                r->orcpt_type ? r->orcpt_type : "rfc822", r->orcpt);
      g_string_append_printf (out, "Final-Recipient: rfc822; %s\r\n", r->final_recipient);
      g_string_append_printf (out, "Action: %s\r\n", mr_dsn_action_to_string (r->action));
      g_string_append_printf (out, "Status: %s\r\n", r->status ? r->status : "5.0.0");
      if (r->remote_mta != NULL)
        g_string_append_printf (out, "Remote-MTA: dns; %s\r\n", r->remote_mta);
      if (r->diagnostic != NULL)
        g_string_append_printf (out, "Diagnostic-Code: smtp; %s\r\n", r->diagnostic);
      if (r->last_attempt > 0)
        {
          last = format_date (r->last_attempt);
          append_field (out, "Last-Attempt-Date", last);
        }
      if (r->will_retry_until > 0)
        {
          until = format_date (r->will_retry_until);
          append_field (out, "Will-Retry-Until", until);
        }
    }
}

GBytes *
mr_dsn_build (const MrDsnInfo      *info,
              const MrDsnRecipient *recipients,
              guint                 n_recipients)
{
  g_autoptr(GString) out = g_string_new (NULL);
  g_autofree char *boundary = NULL;
  g_autofree char *message_id = NULL;
  g_autofree char *date = NULL;
  g_autoptr(GBytes) original = NULL;

  g_return_val_if_fail (info != NULL, NULL);
  g_return_val_if_fail (info->reporting_mta != NULL, NULL);
  g_return_val_if_fail (recipients != NULL || n_recipients == 0, NULL);

  boundary = info->boundary ? g_strdup (info->boundary)
                            : g_strdup_printf ("%08X.%s/%s", g_random_int (),
                                               info->envid ? "E" : "Q", info->reporting_mta);
  message_id = info->message_id ? g_strdup (info->message_id)
                                : g_strdup_printf ("<%08X%08X.dsn@%s>", g_random_int (),
                                                   g_random_int (), info->reporting_mta);
  if (info->date != NULL)
    date = mr_smtp_format_date (info->date);
  else
    {
      g_autoptr(GDateTime) now = g_date_time_new_now_local ();
      date = mr_smtp_format_date (now);
    }

  g_string_append_printf (out, "Date: %s\r\n", date);
  g_string_append_printf (out, "From: Mail Delivery System <MAILER-DAEMON@%s>\r\n",
                          info->reporting_mta);
  g_string_append_printf (out, "To: <%s>\r\n", info->to ? info->to : "");
  g_string_append_printf (out, "Subject: %s\r\n", subject_for (recipients, n_recipients));
  g_string_append_printf (out, "Message-ID: %s\r\n", message_id);
  /* RFC 3834 5: automatic responses say so, so nobody answers them. */
  g_string_append (out, "Auto-Submitted: auto-replied\r\n");
  g_string_append (out, "MIME-Version: 1.0\r\n");
  g_string_append_printf (out, "Content-Type: multipart/report; report-type=delivery-status;\r\n"
                               "\tboundary=\"%s\"\r\n\r\n", boundary);
  g_string_append (out, "This is a MIME-encapsulated message.\r\n\r\n");

  g_string_append_printf (out, "--%s\r\n", boundary);
  append_human_part (out, info, recipients, n_recipients);

  g_string_append_printf (out, "--%s\r\n", boundary);
  append_status_part (out, info, recipients, n_recipients);
  g_string_append (out, "\r\n");

  if (info->original != NULL)
    {
      /* RFC 3461 4.3: RET=FULL returns the whole message, RET=HDRS (and,
       * here, no RET) only its header. */
      g_string_append_printf (out, "--%s\r\n", boundary);
      if (info->ret == MR_SMTP_RET_FULL)
        {
          original = mr_smtp_normalize_crlf (info->original);
          g_string_append (out, "Content-Description: Undelivered Message\r\n"
                                "Content-Type: message/rfc822\r\n\r\n");
        }
      else
        {
          original = mr_dsn_extract_headers (info->original);
          g_string_append (out, "Content-Description: Undelivered Message Headers\r\n"
                                "Content-Type: text/rfc822-headers\r\n\r\n");
        }
      g_string_append_len (out, g_bytes_get_data (original, NULL), g_bytes_get_size (original));
      g_string_append (out, "\r\n");
    }

  g_string_append_printf (out, "--%s--\r\n", boundary);

  return g_string_free_to_bytes (g_steal_pointer (&out));
}
