/* fuzz-smtp-client.c
 *
 * Copyright 2026 The Mailroom authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "mailroom.h"
#include "mr-smtp-client.h"

/*
 * The relay's SMTP client fed hostile server replies: multi-line replies
 * that never end, bogus codes, extensions with absurd arguments, replies
 * split anywhere. It must fail the delivery cleanly, never crash.
 */

int LLVMFuzzerTestOneInput (const guint8 *data, size_t size);

int
LLVMFuzzerTestOneInput (const guint8 *data,
                        size_t        size)
{
  g_autoptr(MrConversation) conversation = NULL;
  g_autoptr(MrSmtpClient) client = NULL;
  g_autoptr(GBytes) message = NULL;
  gsize offset = 1;

  if (size == 0)
    return 0;

  conversation = mr_conversation_new (NULL, MR_PROTOCOL_SMTP, "smtp.sender.example", "mx.fuzz.example");
  client = mr_smtp_client_new (conversation, "smtp.sender.example");
  message = g_bytes_new_static ("Subject: fuzz\r\n\r\n.line\r\nbody\r\n", 31);
  mr_smtp_client_set_sender (client, "alice@sender.example", (data[0] & 1) ? "HDRS" : NULL, NULL);
  mr_smtp_client_add_recipient (client, "bob@recipient.example", (data[0] & 2) ? "FAILURE,DELAY" : NULL, NULL);
  mr_smtp_client_add_recipient (client, "carol@recipient.example", NULL, NULL);
  if (data[0] & 4)
    mr_smtp_client_set_auth (client, "alice@sender.example", "alice");
  mr_smtp_client_set_message (client, message);
  mr_smtp_client_start (client);
  g_bytes_unref (mr_smtp_client_take_output (client));

  while (offset < size && !mr_smtp_client_get_finished (client))
    {
      gsize chunk = MIN (size - offset, (gsize)(data[offset] % 41) + 1);

      mr_smtp_client_feed (client, data + offset, chunk);
      offset += chunk;
      g_bytes_unref (mr_smtp_client_take_output (client));

      if (mr_smtp_client_get_action (client) == MR_SESSION_START_TLS)
        mr_smtp_client_tls_started (client);
      else if (mr_smtp_client_get_action (client) == MR_SESSION_CLOSE)
        break;
    }

  if (!mr_smtp_client_get_finished (client))
    mr_smtp_client_disconnected (client, "fuzz input ended");

  return 0;
}
