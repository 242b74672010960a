/* mr-line-reader.c
 *
 * Copyright 2026 The Mailroom authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <string.h>

#include "mr-error.h"
#include "mr-line-reader.h"

struct _MrLineReader
{
  GByteArray *buffer;
  gsize       consumed;   /* bytes at the front already returned */
  gsize       max_line;
  gsize       scanned;    /* bytes after consumed already searched for LF */
  gboolean    skipping;   /* discarding the rest of a too-long line */
};

MrLineReader *
mr_line_reader_new (gsize max_line)
{
  MrLineReader *self = g_new0 (MrLineReader, 1);

  self->buffer = g_byte_array_new ();
  self->max_line = max_line ? max_line : 512;
  return self;
}

void
mr_line_reader_free (MrLineReader *self)
{
  if (self == NULL)
    return;
  g_byte_array_unref (self->buffer);
  g_free (self);
}

void
mr_line_reader_set_max_line (MrLineReader *self,
                             gsize         max_line)
{
  self->max_line = max_line ? max_line : 512;
}

static void
compact (MrLineReader *self)
{
  if (self->consumed == 0)
    return;
  g_byte_array_remove_range (self->buffer, 0, self->consumed);
  self->consumed = 0;
}

void
mr_line_reader_feed (MrLineReader *self,
                     const guint8 *data,
                     gsize         len)
{
  g_return_if_fail (self != NULL);

  /* Compact lazily: only when the dead prefix is larger than what is left,
   * so pipelined input is not moved once per line. */
  if (self->consumed > 0 && self->consumed >= self->buffer->len - self->consumed)
    compact (self);
  g_byte_array_append (self->buffer, data, len);
}

int
mr_line_reader_next_line (MrLineReader  *self,
                          const char   **line_r,
                          gsize         *len_r,
                          MrLineEnding  *ending_r,
                          GError       **error)
{
  guint8 *start;
  guint8 *lf;
  gsize avail;
  gsize len;

  g_return_val_if_fail (self != NULL, -1);

  for (;;)
    {
      start = self->buffer->data + self->consumed;
      avail = self->buffer->len - self->consumed;
      lf = avail > self->scanned ? memchr (start + self->scanned, '\n', avail - self->scanned) : NULL;

      if (lf == NULL)
        {
          if (self->skipping)
            {
              /* Drop what we have of the long line, keep waiting for its LF. */
              self->consumed += avail;
              self->scanned = 0;
              compact (self);
              return 0;
            }
          self->scanned = avail;
          if (avail > self->max_line)
            {
              self->skipping = TRUE;
              self->consumed += avail;
              self->scanned = 0;
              compact (self);
              g_set_error (error, MR_ERROR, MR_ERROR_LINE_TOO_LONG,
                           "Line longer than %" G_GSIZE_FORMAT " octets", self->max_line);
              return -1;
            }
          return 0;
        }

      len = lf - start;
      self->consumed += len + 1;
      self->scanned = 0;

      if (self->skipping)
        {
          self->skipping = FALSE;
          continue;
        }

      if (len + 1 + (len > 0 && lf[-1] == '\r' ? 0 : 1) > self->max_line)
        {
          g_set_error (error, MR_ERROR, MR_ERROR_LINE_TOO_LONG,
                       "Line longer than %" G_GSIZE_FORMAT " octets", self->max_line);
          return -1;
        }

      if (len > 0 && lf[-1] == '\r')
        {
          len--;
          if (ending_r)
            *ending_r = MR_LINE_CRLF;
        }
      else if (ending_r)
        *ending_r = MR_LINE_BARE_LF;

      /* NUL-terminate in place: the LF (or CR) is ours to overwrite. */
      start[len] = '\0';
      *line_r = (const char *)start;
      if (len_r)
        *len_r = len;
      return 1;
    }
}

gsize
mr_line_reader_read_bytes (MrLineReader  *self,
                           gsize          max,
                           const guint8 **data_r)
{
  gsize avail;
  gsize n;

  g_return_val_if_fail (self != NULL, 0);

  avail = self->buffer->len - self->consumed;
  n = MIN (avail, max);
  *data_r = self->buffer->data + self->consumed;
  self->consumed += n;
  self->scanned = 0;
  return n;
}

gsize
mr_line_reader_get_pending (MrLineReader *self)
{
  return self->buffer->len - self->consumed;
}

void
mr_line_reader_clear (MrLineReader *self)
{
  g_byte_array_set_size (self->buffer, 0);
  self->consumed = 0;
  self->scanned = 0;
  self->skipping = FALSE;
}
