/* mr-imap-sequence.h
 *
 * Copyright 2026 The Mailroom authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "mr-types.h"

G_BEGIN_DECLS

/* "*" before it is resolved against a mailbox. */
#define MR_IMAP_SEQUENCE_STAR G_MAXUINT32

typedef struct _MrImapSequence MrImapSequence;

/* Parses an RFC 3501 9 sequence-set ("1:3,5,7:*"). Returns NULL with
 * MR_ERROR_BAD_SYNTAX naming the problem. (transfer full) */
MrImapSequence *mr_imap_sequence_parse    (const char           *str,
                                           GError              **error);
void            mr_imap_sequence_free     (MrImapSequence       *self);
/* Whether @n is in the set, "*" standing for @star (the number of messages,
 * or the highest UID: RFC 3501 6.4.8 makes "7:*" hold it even when it is
 * below 7). */
gboolean        mr_imap_sequence_contains (const MrImapSequence *self,
                                           guint32               n,
                                           guint32               star);
/* The largest number named other than "*" (to reject sequence numbers past
 * the end, RFC 3501 6.4.8 / 9 "seq-number"). */
guint32         mr_imap_sequence_get_max  (const MrImapSequence *self);
/* Whether "*" occurs. */
gboolean        mr_imap_sequence_has_star (const MrImapSequence *self);
/* Writes sorted UIDs as a compact set ("1:3,7"), for COPYUID. */
char           *mr_imap_sequence_format   (const guint32        *numbers,
                                           guint                 n_numbers);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (MrImapSequence, mr_imap_sequence_free)

G_END_DECLS
