/* mr-imap-fetch.h
 *
 * Copyright 2026 The Mailroom authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gmime/gmime.h>

#include "mr-imap-parser.h"
#include "mr-imap-response.h"
#include "mr-message.h"

G_BEGIN_DECLS

typedef struct _MrImapFetch MrImapFetch;

/* Parses the fetch attributes of RFC 3501 6.4.5 (a macro, one attribute, or
 * a list of them) from @arg. @add_uid adds UID (UID FETCH, 6.4.8).
 * Returns NULL with MR_ERROR_BAD_SYNTAX naming the bad attribute. */
MrImapFetch *mr_imap_fetch_parse       (const MrImapArg   *arg,
                                        gboolean           add_uid,
                                        GError           **error);
void         mr_imap_fetch_free        (MrImapFetch       *self);
/* Whether the attributes set \Seen (BODY[...] without .PEEK, RFC822,
 * RFC822.TEXT), so the session sets it before writing. */
gboolean     mr_imap_fetch_sets_seen   (const MrImapFetch *self);
gboolean     mr_imap_fetch_has_flags   (const MrImapFetch *self);
/* Appends "* @seq FETCH (...)" (without CRLF) for @message; @flags is the flag list
 * as the session shows it (with \Recent where it applies). @add_flags
 * includes FLAGS even if not asked for (after an implicit \Seen). */
void         mr_imap_fetch_write       (const MrImapFetch *self,
                                        MrMessage         *message,
                                        guint32            seq,
                                        const char        *flags,
                                        gboolean           add_flags,
                                        MrImapResponse    *response);

/* "dd-Mon-yyyy hh:mm:ss +zzzz" (RFC 3501 9 date-time), in UTC. */
char        *mr_imap_format_date_time  (gint64             usec);
/* Parses date-time; returns microseconds since the epoch, or -1. */
gint64       mr_imap_parse_date_time   (const char        *str);
/* Parses a search date "1-Feb-1994" to the start of that day (UTC), or -1. */
gint64       mr_imap_parse_date        (const char        *str);
/* The raw value of @message's first @name header field, unfolded and
 * trimmed (encoded-words left as they are), or NULL. (transfer full) */
char        *mr_imap_message_dup_raw_header (MrMessage    *message,
                                        const char        *name);
/* Length of the header block of @data (up to and including the blank line). */
gsize        mr_imap_header_length     (const guint8      *data,
                                        gsize              len);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (MrImapFetch, mr_imap_fetch_free)

G_END_DECLS
