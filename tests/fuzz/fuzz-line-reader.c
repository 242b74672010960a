/* fuzz-line-reader.c
 *
 * Copyright 2026 The Mailroom authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "mailroom.h"

int LLVMFuzzerTestOneInput (const guint8 *data, size_t size);

int
LLVMFuzzerTestOneInput (const guint8 *data,
                        size_t        size)
{
  g_autoptr(MrLineReader) reader = NULL;
  gsize offset = 1;

  if (size == 0)
    return 0;

  reader = mr_line_reader_new ((data[0] % 64) + 2);
  while (offset < size)
    {
      gsize chunk = MIN (size - offset, (gsize)(data[offset] % 17) + 1);
      const char *line;
      const guint8 *raw;
      gsize len;
      int ret;

      mr_line_reader_feed (reader, data + offset, chunk);
      offset += chunk;

      while ((ret = mr_line_reader_next_line (reader, &line, &len, NULL, NULL)) != 0)
        if (ret > 0 && len > 0 && line[len] != '\0')
          __builtin_trap ();

      /* Raw reads between lines, as BDAT and IMAP literals do. */
      if (data[offset - 1] & 1)
        mr_line_reader_read_bytes (reader, data[offset - 1], &raw);
    }

  return 0;
}
