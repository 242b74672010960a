/* mr-fake-smtp-server.c
 *
 * Copyright 2026 The Mailroom authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <string.h>

#include "mr-fake-smtp-server.h"
#include "mr-line-reader.h"

struct _MrFakeSmtpServer
{
  MrSession     parent_instance;
  MrLineReader *reader;
  GByteArray   *data;
  GBytes       *message;
  char         *banner;
  guint         n_lines;
  gboolean      in_data;
};

G_DEFINE_FINAL_TYPE (MrFakeSmtpServer, mr_fake_smtp_server, MR_TYPE_SESSION)

static void
reply (MrFakeSmtpServer *self,
       const char       *line)
{
  mr_session_send_line (MR_SESSION (self), line, NULL);
}

static void
fake_start (MrSession *session)
{
  MrFakeSmtpServer *self = MR_FAKE_SMTP_SERVER (session);

  reply (self, self->banner ? self->banner : "220 fake.example ESMTP");
  if (self->banner != NULL && g_str_has_prefix (self->banner, "421"))
    mr_session_set_action (session, MR_SESSION_CLOSE);
}

static void
fake_feed (MrSession    *session,
           const guint8 *buf,
           gsize         len)
{
  MrFakeSmtpServer *self = MR_FAKE_SMTP_SERVER (session);
  const char *line;
  gsize line_len;
  MrLineEnding ending;

  mr_line_reader_feed (self->reader, buf, len);
  while (mr_session_get_action (session) == MR_SESSION_CONTINUE &&
         mr_line_reader_next_line (self->reader, &line, &line_len, &ending, NULL) > 0)
    {
      self->n_lines++;
      if (self->in_data)
        {
          if (strcmp (line, ".") == 0)
            {
              self->in_data = FALSE;
              g_clear_pointer (&self->message, g_bytes_unref);
              self->message = g_bytes_new (self->data->data, self->data->len);
              g_byte_array_set_size (self->data, 0);
              reply (self, "250 2.0.0 Ok: queued");
              continue;
            }
          g_byte_array_append (self->data, (const guint8 *)line + (line[0] == '.'),
                               line_len - (line[0] == '.'));
          g_byte_array_append (self->data, (const guint8 *)"\r\n", 2);
          continue;
        }
      if (g_ascii_strncasecmp (line, "EHLO", 4) == 0)
        {
          reply (self, "250-fake.example");
          if (mr_session_get_tls_available (session))
            reply (self, "250-STARTTLS");
          reply (self, "250 PIPELINING");
        }
      else if (g_ascii_strncasecmp (line, "STARTTLS", 8) == 0)
        {
          reply (self, "220 2.0.0 Ready to start TLS");
          mr_session_set_action (session, MR_SESSION_START_TLS);
        }
      else if (g_ascii_strncasecmp (line, "MAIL", 4) == 0)
        reply (self, "250 2.1.0 Ok");
      else if (g_ascii_strncasecmp (line, "RCPT TO:<nobody", 15) == 0)
        reply (self, "550 5.1.1 No such user");
      else if (g_ascii_strncasecmp (line, "RCPT", 4) == 0)
        reply (self, "250 2.1.5 Ok");
      else if (g_ascii_strncasecmp (line, "DATA", 4) == 0)
        {
          self->in_data = TRUE;
          reply (self, "354 End data with <CR><LF>.<CR><LF>");
        }
      else if (g_ascii_strncasecmp (line, "QUIT", 4) == 0)
        {
          reply (self, "221 2.0.0 Bye");
          mr_session_set_action (session, MR_SESSION_CLOSE);
        }
      else
        reply (self, "502 5.5.1 Not implemented");
    }
}

static void
fake_tls_started (MrSession *session)
{
  MrFakeSmtpServer *self = MR_FAKE_SMTP_SERVER (session);

  mr_line_reader_clear (self->reader);
}

static void
mr_fake_smtp_server_finalize (GObject *object)
{
  MrFakeSmtpServer *self = (MrFakeSmtpServer *)object;

  g_clear_pointer (&self->reader, mr_line_reader_free);
  g_clear_pointer (&self->data, g_byte_array_unref);
  g_clear_pointer (&self->message, g_bytes_unref);
  g_clear_pointer (&self->banner, g_free);

  G_OBJECT_CLASS (mr_fake_smtp_server_parent_class)->finalize (object);
}

static void
mr_fake_smtp_server_class_init (MrFakeSmtpServerClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  MrSessionClass *session_class = MR_SESSION_CLASS (klass);

  object_class->finalize = mr_fake_smtp_server_finalize;
  session_class->start = fake_start;
  session_class->feed = fake_feed;
  session_class->tls_started = fake_tls_started;
}

static void
mr_fake_smtp_server_init (MrFakeSmtpServer *self)
{
  self->reader = mr_line_reader_new (4096);
  self->data = g_byte_array_new ();
}

MrSession *
mr_fake_smtp_server_new (MrConversation *conversation)
{
  return g_object_new (MR_TYPE_FAKE_SMTP_SERVER, "conversation", conversation, NULL);
}

GBytes *
mr_fake_smtp_server_get_message (MrFakeSmtpServer *self)
{
  return self->message;
}

guint
mr_fake_smtp_server_get_n_lines (MrFakeSmtpServer *self)
{
  return self->n_lines;
}

void
mr_fake_smtp_server_set_banner (MrFakeSmtpServer *self,
                                const char       *banner)
{
  g_free (self->banner);
  self->banner = g_strdup (banner);
}
