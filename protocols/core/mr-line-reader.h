/* mr-line-reader.h
 *
 * Copyright 2026 The Mailroom authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "mr-types.h"

G_BEGIN_DECLS

/**
 * MrLineEnding:
 * @MR_LINE_CRLF: the line ended in CR LF, as every mail RFC requires
 * @MR_LINE_BARE_LF: the line ended in a lone LF (typed into nc, or an
 *   attempt at SMTP smuggling, RFC 5321 2.3.8)
 */
typedef enum
{
  MR_LINE_CRLF,
  MR_LINE_BARE_LF,
} MrLineEnding;

/*
 * Splits a byte stream into lines (sans-IO). Feed it whatever a read
 * returned; take lines out with mr_line_reader_next_line(). A line longer
 * than the limit is not buffered whole: the reader reports it once as too
 * long and discards bytes up to its end, so a hostile peer cannot make it
 * grow. Raw reads (BDAT chunks, IMAP literals) take bytes by count.
 */
MrLineReader *mr_line_reader_new        (gsize          max_line);
void          mr_line_reader_free       (MrLineReader  *self);
void          mr_line_reader_set_max_line (MrLineReader *self,
                                         gsize          max_line);
void          mr_line_reader_feed       (MrLineReader  *self,
                                         const guint8  *data,
                                         gsize          len);
/* Returns 1 and sets @line_r (borrowed until the next call, NUL-terminated,
 * without the line ending) and @len_r; 0 when no whole line is buffered;
 * -1 with MR_ERROR_LINE_TOO_LONG once for a line over the limit (the rest of
 * that line is then skipped). @max_line counts the line ending, as RFC 5321
 * 4.5.3.1.4 does. */
int           mr_line_reader_next_line  (MrLineReader  *self,
                                         const char   **line_r,
                                         gsize         *len_r,
                                         MrLineEnding  *ending_r,
                                         GError       **error);
/* Takes up to @max bytes of raw data. Returns how many (0 = need more). */
gsize         mr_line_reader_read_bytes (MrLineReader  *self,
                                         gsize          max,
                                         const guint8 **data_r);
/* Bytes buffered and not yet returned. */
gsize         mr_line_reader_get_pending (MrLineReader *self);
/* Drops everything buffered (after STARTTLS, RFC 3207 4.2 / RFC 2595 3.1:
 * anything pipelined after the command is discarded). */
void          mr_line_reader_clear      (MrLineReader  *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (MrLineReader, mr_line_reader_free)

G_END_DECLS
