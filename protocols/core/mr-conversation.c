/* mr-conversation.c
 *
 * Copyright 2026 The Mailroom authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "mr-conversation.h"

MrConversation *
mr_conversation_new (MrEventBus *bus,
                     MrProtocol  protocol,
                     const char *client,
                     const char *server)
{
  MrConversation *self = g_new0 (MrConversation, 1);

  g_atomic_ref_count_init (&self->ref_count);
  self->bus = bus ? g_object_ref (bus) : NULL;
  self->id = bus ? mr_event_bus_next_conversation_id (bus) : 0;
  self->protocol = protocol;
  /* Notes about one host name it on both sides; notes about the whole lab
   * say "lab", so views never draw a host that does not exist. */
  self->client = g_strdup (client ? client : server ? "client" : "lab");
  self->server = g_strdup (server ? server : client ? client : "lab");
  return self;
}

MrConversation *
mr_conversation_ref (MrConversation *self)
{
  g_atomic_ref_count_inc (&self->ref_count);
  return self;
}

void
mr_conversation_unref (MrConversation *self)
{
  if (g_atomic_ref_count_dec (&self->ref_count))
    {
      g_clear_object (&self->bus);
      g_free (self->client);
      g_free (self->server);
      g_free (self);
    }
}

MrEvent *
mr_conversation_new_event (MrConversation *self,
                           MrEventKind     kind,
                           MrDirection     direction,
                           const char     *text)
{
  MrEvent *event = mr_event_new (kind, direction, text);

  event->protocol = self->protocol;
  event->conversation_id = self->id;
  event->client = g_strdup (self->client);
  event->server = g_strdup (self->server);
  if (self->encrypted && direction != MR_DIRECTION_NONE)
    event->flags |= MR_EVENT_FLAG_ENCRYPTED;
  return event;
}

guint64
mr_conversation_emit (MrConversation *self,
                      MrEvent        *event)
{
  guint64 seq = 0;

  if (self->bus != NULL)
    seq = mr_event_bus_emit (self->bus, event);
  mr_event_unref (event);
  return seq;
}

guint64
mr_conversation_note (MrConversation *self,
                      const char     *format,
                      ...)
{
  g_autofree char *text = NULL;
  va_list args;

  if (self->bus == NULL)
    return 0;

  va_start (args, format);
  text = g_strdup_vprintf (format, args);
  va_end (args);

  return mr_conversation_emit (self, mr_conversation_new_event (self, MR_EVENT_NOTE,
                                                                MR_DIRECTION_NONE, text));
}
