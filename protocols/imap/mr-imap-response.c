/* mr-imap-response.c
 *
 * Copyright 2026 The Mailroom authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "mr-imap-response"

#include "config.h"

#include <string.h>

#include "mr-imap-response.h"

MrImapResponse *
mr_imap_response_new (void)
{
  MrImapResponse *self = g_new0 (MrImapResponse, 1);

  self->wire = g_byte_array_new ();
  self->text = g_string_new (NULL);
  self->contents = g_ptr_array_new_with_free_func ((GDestroyNotify)g_bytes_unref);
  return self;
}

void
mr_imap_response_free (MrImapResponse *self)
{
  if (self == NULL)
    return;
  g_byte_array_unref (self->wire);
  g_string_free (self->text, TRUE);
  g_ptr_array_unref (self->contents);
  g_free (self);
}

void
mr_imap_response_reset (MrImapResponse *self)
{
  g_byte_array_set_size (self->wire, 0);
  g_string_truncate (self->text, 0);
  g_ptr_array_set_size (self->contents, 0);
}

void
mr_imap_response_append_len (MrImapResponse *self,
                             const char     *str,
                             gsize           len)
{
  g_byte_array_append (self->wire, (const guint8 *)str, len);
  g_string_append_len (self->text, str, len);
}

void
mr_imap_response_append (MrImapResponse *self,
                         const char     *str)
{
  mr_imap_response_append_len (self, str, strlen (str));
}

void
mr_imap_response_printf (MrImapResponse *self,
                         const char     *format,
                         ...)
{
  g_autofree char *str = NULL;
  va_list args;

  va_start (args, format);
  str = g_strdup_vprintf (format, args);
  va_end (args);
  mr_imap_response_append (self, str);
}

void
mr_imap_response_append_literal (MrImapResponse *self,
                                 const void     *data,
                                 gsize           len)
{
  char marker[32];

  g_snprintf (marker, sizeof marker, "{%" G_GSIZE_FORMAT "}\r\n", len);
  g_byte_array_append (self->wire, (const guint8 *)marker, strlen (marker));
  g_byte_array_append (self->wire, data, len);
  /* The event text keeps the marker only; the octets go to a content event. */
  g_string_append_printf (self->text, "{%" G_GSIZE_FORMAT "}", len);
  g_ptr_array_add (self->contents, g_bytes_new (data, len));
}

void
mr_imap_response_append_nstring_len (MrImapResponse *self,
                                     const char     *str,
                                     gsize           len)
{
  gboolean quotable = len < 1024;

  if (str == NULL)
    {
      mr_imap_response_append (self, "NIL");
      return;
    }

  /* RFC 3501 4.3: a quoted string holds 7-bit text without CR, LF or NUL. */
  for (gsize i = 0; quotable && i < len; i++)
    {
      guchar c = str[i];

      if (c == '\0' || c == '\r' || c == '\n' || c >= 0x80)
        quotable = FALSE;
    }

  if (!quotable)
    {
      mr_imap_response_append_literal (self, str, len);
      return;
    }

  g_byte_array_append (self->wire, (const guint8 *)"\"", 1);
  g_string_append_c (self->text, '"');
  for (gsize i = 0; i < len; i++)
    {
      if (str[i] == '"' || str[i] == '\\')
        {
          g_byte_array_append (self->wire, (const guint8 *)"\\", 1);
          g_string_append_c (self->text, '\\');
        }
      g_byte_array_append (self->wire, (const guint8 *)str + i, 1);
      g_string_append_c (self->text, str[i]);
    }
  g_byte_array_append (self->wire, (const guint8 *)"\"", 1);
  g_string_append_c (self->text, '"');
}

void
mr_imap_response_append_nstring (MrImapResponse *self,
                                 const char     *str)
{
  mr_imap_response_append_nstring_len (self, str, str ? strlen (str) : 0);
}
