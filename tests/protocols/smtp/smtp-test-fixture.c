/* smtp-test-fixture.c
 *
 * Copyright 2026 The Mailroom authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <string.h>

#include "smtp-test-fixture.h"

static void
on_event_cb (MrEventBus  *bus,
             MrEvent     *event,
             SmtpFixture *f)
{
  if (event->conversation_id == f->conversation->id)
    g_ptr_array_add (f->events, mr_event_ref (event));
}

static void
collect (SmtpFixture *f)
{
  g_autoptr(GBytes) bytes = mr_session_take_output (f->session);

  if (bytes != NULL)
    g_string_append_len (f->out, g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes));
}

SmtpFixture *
smtp_fixture_new (const MrSmtpConfig *config,
                  const MrLimits     *limits,
                  gboolean            tls_available)
{
  static const char * const team[] = { "alice@sender.example", "bob@recipient.example", NULL };
  SmtpFixture *f = g_new0 (SmtpFixture, 1);
  MrSmtpConfig defaults;

  f->clock = mr_clock_new ();
  f->bus = mr_event_bus_new (f->clock);
  f->store = mr_store_new ();
  mr_store_add_account (f->store, "alice@sender.example", "alice");
  mr_store_add_account (f->store, "bob@recipient.example", "bob");
  mr_store_add_account (f->store, "carol@recipient.example", "carol");
  mr_store_add_list (f->store, "team@recipient.example", team);
  f->backend = mr_smtp_local_delivery_new (f->store, f->clock);
  f->conversation = mr_conversation_new (f->bus, MR_PROTOCOL_SMTP, "127.0.0.1:40000", "mx.test");
  f->out = g_string_new (NULL);
  f->events = g_ptr_array_new_with_free_func ((GDestroyNotify)mr_event_unref);
  g_signal_connect (f->bus, "event", G_CALLBACK (on_event_cb), f);

  if (config == NULL)
    {
      mr_smtp_config_init (&defaults);
      defaults.hostname = "mx.test";
      config = &defaults;
    }

  f->session = mr_smtp_session_new (MR_SMTP_BACKEND (f->backend), config, f->conversation, limits);
  mr_session_set_tls_available (f->session, tls_available);
  mr_session_start (f->session);
  collect (f);
  return f;
}

void
smtp_fixture_free (SmtpFixture *f)
{
  if (f == NULL)
    return;
  g_signal_handlers_disconnect_by_data (f->bus, f);
  g_assert_finalize_object (f->session);
  g_clear_object (&f->backend);
  g_clear_pointer (&f->conversation, mr_conversation_unref);
  g_clear_object (&f->store);
  g_clear_object (&f->bus);
  g_clear_object (&f->clock);
  g_string_free (f->out, TRUE);
  g_ptr_array_unref (f->events);
  g_free (f);
}

void
smtp_fixture_feed (SmtpFixture *f,
                   const char  *data,
                   gssize       len)
{
  if (len < 0)
    len = strlen (data);
  mr_session_feed (f->session, (const guint8 *)data, len);
  collect (f);
}

void
smtp_fixture_trickle (SmtpFixture *f,
                      const char  *data,
                      gssize       len)
{
  if (len < 0)
    len = strlen (data);
  for (gssize i = 0; i < len; i++)
    {
      mr_session_feed (f->session, (const guint8 *)data + i, 1);
      collect (f);
    }
}

GStrv
smtp_fixture_take_lines (SmtpFixture *f)
{
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  const char *p = f->out->str;
  const char *crlf;

  while ((crlf = strstr (p, "\r\n")) != NULL)
    {
      g_autofree char *line = g_strndup (p, crlf - p);
      g_strv_builder_add (builder, line);
      p = crlf + 2;
    }
  g_assert_cmpstr (p, ==, "");
  g_string_truncate (f->out, 0);
  return g_strv_builder_end (builder);
}

char *
smtp_fixture_take_joined (SmtpFixture *f)
{
  g_auto(GStrv) lines = smtp_fixture_take_lines (f);

  return g_strjoinv ("|", lines);
}

MrMailbox *
smtp_fixture_inbox (SmtpFixture *f,
                    const char  *address)
{
  MrAccount *account = mr_store_lookup_account (f->store, address);

  g_assert_nonnull (account);
  return mr_account_get_inbox (account);
}

char *
smtp_fixture_dup_message (SmtpFixture *f,
                          const char  *address,
                          guint        index)
{
  MrMailbox *inbox = smtp_fixture_inbox (f, address);
  MrMessage *message;
  GBytes *raw;

  g_assert_cmpuint (index, <, mr_mailbox_get_n_messages (inbox));
  message = mr_mailbox_get_message (inbox, index);
  raw = mr_message_get_raw (message);
  return g_strndup (g_bytes_get_data (raw, NULL), g_bytes_get_size (raw));
}

GBytes *
smtp_unescape (const char *text)
{
  GByteArray *out = g_byte_array_new ();

  for (const char *p = text; *p; p++)
    {
      guint8 c = *p;

      if (c == '\\' && p[1])
        {
          p++;
          switch (*p)
            {
            case 'r': c = '\r'; break;
            case 'n': c = '\n'; break;
            case 't': c = '\t'; break;
            case '0': c = '\0'; break;
            case 'x':
              g_assert_true (g_ascii_isxdigit (p[1]) && g_ascii_isxdigit (p[2]));
              c = g_ascii_xdigit_value (p[1]) * 16 + g_ascii_xdigit_value (p[2]);
              p += 2;
              break;
            default: c = *p; break;
            }
        }
      g_byte_array_append (out, &c, 1);
    }

  return g_byte_array_free_to_bytes (out);
}
