/* mr-message.c
 *
 * Copyright 2026 The Mailroom authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "mr-message"

#include "config.h"

#include "mr-message.h"

struct _MrMessage
{
  GObject         parent_instance;

  GBytes         *raw;
  gint64          internal_date;
  guint32         uid;
  MrMessageFlags  flags;
  GStrv           keywords;
  char           *storage_key;

  /* Lazily parsed */
  GMimeMessage   *mime;
};

G_DEFINE_FINAL_TYPE (MrMessage, mr_message, G_TYPE_OBJECT)

static const struct {
  const char     *name;
  MrMessageFlags  flag;
} system_flags[] = {
  { "\\Seen", MR_FLAG_SEEN },
  { "\\Answered", MR_FLAG_ANSWERED },
  { "\\Flagged", MR_FLAG_FLAGGED },
  { "\\Deleted", MR_FLAG_DELETED },
  { "\\Draft", MR_FLAG_DRAFT },
  { "\\Recent", MR_FLAG_RECENT },
};

static const char * const empty_strv[] = { NULL };

static void
mr_message_finalize (GObject *object)
{
  MrMessage *self = (MrMessage *)object;

  g_clear_pointer (&self->raw, g_bytes_unref);
  g_clear_pointer (&self->keywords, g_strfreev);
  g_clear_pointer (&self->storage_key, g_free);
  g_clear_object (&self->mime);

  G_OBJECT_CLASS (mr_message_parent_class)->finalize (object);
}

static void
mr_message_class_init (MrMessageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = mr_message_finalize;
}

static void
mr_message_init (MrMessage *self)
{
}

MrMessage *
mr_message_new (GBytes *raw,
                gint64  internal_date)
{
  MrMessage *self;

  g_return_val_if_fail (raw != NULL, NULL);

  self = g_object_new (MR_TYPE_MESSAGE, NULL);
  self->raw = g_bytes_ref (raw);
  self->internal_date = internal_date ? internal_date : g_get_real_time ();
  return self;
}

guint32
mr_message_get_uid (MrMessage *self)
{
  g_return_val_if_fail (MR_IS_MESSAGE (self), 0);
  return self->uid;
}

GBytes *
mr_message_get_raw (MrMessage *self)
{
  g_return_val_if_fail (MR_IS_MESSAGE (self), NULL);
  return self->raw;
}

gsize
mr_message_get_size (MrMessage *self)
{
  g_return_val_if_fail (MR_IS_MESSAGE (self), 0);
  return g_bytes_get_size (self->raw);
}

gint64
mr_message_get_internal_date (MrMessage *self)
{
  g_return_val_if_fail (MR_IS_MESSAGE (self), 0);
  return self->internal_date;
}

MrMessageFlags
mr_message_get_flags (MrMessage *self)
{
  g_return_val_if_fail (MR_IS_MESSAGE (self), 0);
  return self->flags;
}

const char * const *
mr_message_get_keywords (MrMessage *self)
{
  g_return_val_if_fail (MR_IS_MESSAGE (self), NULL);
  return self->keywords ? (const char * const *)self->keywords : empty_strv;
}

gboolean
mr_message_has_keyword (MrMessage  *self,
                        const char *keyword)
{
  g_return_val_if_fail (MR_IS_MESSAGE (self), FALSE);

  for (guint i = 0; self->keywords && self->keywords[i]; i++)
    if (g_ascii_strcasecmp (self->keywords[i], keyword) == 0)
      return TRUE;
  return FALSE;
}

GMimeMessage *
mr_message_get_mime (MrMessage *self)
{
  g_return_val_if_fail (MR_IS_MESSAGE (self), NULL);

  if (self->mime == NULL)
    {
      GMimeStream *stream;
      GMimeParser *parser;

      /* GMime 3.2 has no autoptr cleanups, so unref by hand. */
      stream = g_mime_stream_mem_new_with_buffer (g_bytes_get_data (self->raw, NULL),
                                                  g_bytes_get_size (self->raw));
      parser = g_mime_parser_new_with_stream (stream);
      self->mime = g_mime_parser_construct_message (parser, NULL);
      g_object_unref (parser);
      g_object_unref (stream);
      if (self->mime == NULL)
        self->mime = g_mime_message_new (TRUE);
    }

  return self->mime;
}

char *
mr_message_dup_header (MrMessage  *self,
                       const char *name)
{
  const char *value;

  g_return_val_if_fail (MR_IS_MESSAGE (self), NULL);

  value = g_mime_object_get_header (GMIME_OBJECT (mr_message_get_mime (self)), name);
  return value ? g_mime_utils_header_decode_text (NULL, value) : NULL;
}

const char *
mr_message_get_storage_key (MrMessage *self)
{
  g_return_val_if_fail (MR_IS_MESSAGE (self), NULL);
  return self->storage_key;
}

void
mr_message_set_storage_key (MrMessage  *self,
                            const char *key)
{
  g_return_if_fail (MR_IS_MESSAGE (self));
  g_free (self->storage_key);
  self->storage_key = g_strdup (key);
}

void
_mr_message_set_uid (MrMessage *self,
                     guint32    uid)
{
  self->uid = uid;
}

void
_mr_message_set_flags (MrMessage      *self,
                       MrMessageFlags  flags)
{
  self->flags = flags;
}

void
_mr_message_set_keywords (MrMessage          *self,
                          const char * const *keywords)
{
  g_strfreev (self->keywords);
  self->keywords = keywords && keywords[0] ? g_strdupv ((char **)keywords) : NULL;
}

char *
mr_message_flags_to_string (MrMessageFlags      flags,
                            const char * const *keywords)
{
  GString *str = g_string_new (NULL);

  for (guint i = 0; i < G_N_ELEMENTS (system_flags); i++)
    {
      if (flags & system_flags[i].flag)
        {
          if (str->len)
            g_string_append_c (str, ' ');
          g_string_append (str, system_flags[i].name);
        }
    }
  for (guint i = 0; keywords && keywords[i]; i++)
    {
      if (str->len)
        g_string_append_c (str, ' ');
      g_string_append (str, keywords[i]);
    }

  return g_string_free (str, FALSE);
}

gboolean
mr_message_flag_from_string (const char     *name,
                             MrMessageFlags *flag_r)
{
  for (guint i = 0; i < G_N_ELEMENTS (system_flags); i++)
    {
      if (g_ascii_strcasecmp (name, system_flags[i].name) == 0)
        {
          *flag_r = system_flags[i].flag;
          return TRUE;
        }
    }
  return FALSE;
}
