/* mr-message.h
 *
 * Copyright 2026 The Mailroom authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gmime/gmime.h>

#include "mr-types.h"

G_BEGIN_DECLS

#define MR_TYPE_MESSAGE (mr_message_get_type ())

G_DECLARE_FINAL_TYPE (MrMessage, mr_message, MR, MESSAGE, GObject)

/* The RFC 3501 2.3.2 system flags. */
typedef enum
{
  MR_FLAG_NONE     = 0,
  MR_FLAG_SEEN     = 1 << 0,
  MR_FLAG_ANSWERED = 1 << 1,
  MR_FLAG_FLAGGED  = 1 << 2,
  MR_FLAG_DELETED  = 1 << 3,
  MR_FLAG_DRAFT    = 1 << 4,
  MR_FLAG_RECENT   = 1 << 5, /* session-ish; kept per mailbox for the first session to see it */
} MrMessageFlags;

#define MR_FLAGS_PERMANENT (MR_FLAG_SEEN | MR_FLAG_ANSWERED | MR_FLAG_FLAGGED | MR_FLAG_DELETED | MR_FLAG_DRAFT)

MrMessage      *mr_message_new                (GBytes          *raw,
                                               gint64           internal_date);
/* UID in its mailbox (RFC 3501 2.3.1.1), 0 before it is appended. */
guint32         mr_message_get_uid            (MrMessage       *self);
/* The RFC 5322 bytes exactly as received, CRLF line endings. (transfer none) */
GBytes         *mr_message_get_raw            (MrMessage       *self);
gsize           mr_message_get_size           (MrMessage       *self);
/* Microseconds since the epoch (IMAP INTERNALDATE). */
gint64          mr_message_get_internal_date  (MrMessage       *self);
MrMessageFlags  mr_message_get_flags          (MrMessage       *self);
/* Keywords (IMAP user flags such as $Junk). (transfer none) */
const char * const *mr_message_get_keywords   (MrMessage       *self);
gboolean        mr_message_has_keyword        (MrMessage       *self,
                                               const char      *keyword);
/* Parsed with GMime on first use and cached. (transfer none) */
GMimeMessage   *mr_message_get_mime           (MrMessage       *self);
/* A header value, decoded, or NULL. (transfer full) */
char           *mr_message_dup_header         (MrMessage       *self,
                                               const char      *name);
/* Where the persistence backend keeps it (a Maildir file name), or NULL. */
const char     *mr_message_get_storage_key    (MrMessage       *self);
void            mr_message_set_storage_key    (MrMessage       *self,
                                               const char      *key);

/* For MrMailbox and persistence backends only: mailboxes notify changes. */
void            _mr_message_set_uid           (MrMessage       *self,
                                               guint32          uid);
void            _mr_message_set_flags         (MrMessage       *self,
                                               MrMessageFlags   flags);
void            _mr_message_set_keywords      (MrMessage       *self,
                                               const char * const *keywords);

/* "\\Seen \\Flagged $Junk" and back; unknown system flags are an error. */
char           *mr_message_flags_to_string    (MrMessageFlags   flags,
                                               const char * const *keywords);
gboolean        mr_message_flag_from_string   (const char      *name,
                                               MrMessageFlags  *flag_r);

G_END_DECLS
