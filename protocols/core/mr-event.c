/* mr-event.c
 *
 * Copyright 2026 The Mailroom authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "mr-event.h"

G_DEFINE_BOXED_TYPE (MrEvent, mr_event, mr_event_ref, mr_event_unref)

MrEvent *
mr_event_new (MrEventKind  kind,
              MrDirection  direction,
              const char  *text)
{
  MrEvent *self = g_new0 (MrEvent, 1);

  g_atomic_ref_count_init (&self->ref_count);
  self->kind = kind;
  self->direction = direction;
  self->text = g_strdup (text ? text : "");
  return self;
}

MrEvent *
mr_event_ref (MrEvent *self)
{
  g_return_val_if_fail (self != NULL, NULL);
  g_atomic_ref_count_inc (&self->ref_count);
  return self;
}

void
mr_event_unref (MrEvent *self)
{
  g_return_if_fail (self != NULL);

  if (g_atomic_ref_count_dec (&self->ref_count))
    {
      g_free (self->client);
      g_free (self->server);
      g_free (self->text);
      g_free (self->verb);
      g_free (self->tag);
      g_free (self->enhanced);
      g_free (self->state);
      g_clear_pointer (&self->content, g_bytes_unref);
      g_clear_pointer (&self->secret, g_bytes_unref);
      g_free (self);
    }
}

void
mr_event_set_verb (MrEvent    *self,
                   const char *verb)
{
  g_free (self->verb);
  self->verb = verb ? g_ascii_strup (verb, -1) : NULL;
}

void
mr_event_set_tag (MrEvent    *self,
                  const char *tag)
{
  g_free (self->tag);
  self->tag = g_strdup (tag);
}

void
mr_event_set_reply (MrEvent    *self,
                    guint       code,
                    const char *enhanced)
{
  self->code = code;
  g_free (self->enhanced);
  self->enhanced = g_strdup (enhanced);
  if (code >= 400)
    self->flags |= MR_EVENT_FLAG_ERROR;
}

void
mr_event_set_state (MrEvent    *self,
                    const char *state)
{
  g_free (self->state);
  self->state = g_strdup (state);
}

void
mr_event_set_content (MrEvent *self,
                      GBytes  *content)
{
  g_clear_pointer (&self->content, g_bytes_unref);
  self->content = content ? g_bytes_ref (content) : NULL;
}

void
mr_event_set_secret (MrEvent    *self,
                     const char *data,
                     gsize       len)
{
  g_clear_pointer (&self->secret, g_bytes_unref);
  if (data != NULL)
    self->secret = g_bytes_new (data, len);
  self->flags |= MR_EVENT_FLAG_MASKED;
}

guint
mr_event_get_reply_class (const MrEvent *self)
{
  return self->code >= 200 && self->code < 600 ? self->code / 100 : 0;
}

const char *
mr_event_kind_to_string (MrEventKind kind)
{
  switch (kind)
    {
    case MR_EVENT_LINE: return "line";
    case MR_EVENT_CONTENT: return "content";
    case MR_EVENT_CONNECT: return "connect";
    case MR_EVENT_DISCONNECT: return "disconnect";
    case MR_EVENT_TLS: return "tls";
    case MR_EVENT_NOTE: return "note";
    default: g_assert_not_reached ();
    }
}

const char *
mr_direction_to_string (MrDirection direction)
{
  switch (direction)
    {
    case MR_DIRECTION_NONE: return "none";
    case MR_DIRECTION_TO_SERVER: return "to-server";
    case MR_DIRECTION_TO_CLIENT: return "to-client";
    default: g_assert_not_reached ();
    }
}
