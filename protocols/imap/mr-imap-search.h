/* mr-imap-search.h
 *
 * Copyright 2026 The Mailroom authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "mr-imap-parser.h"
#include "mr-message.h"

G_BEGIN_DECLS

typedef struct _MrImapSearch MrImapSearch;

/* What a search key needs to know about a message besides the message. */
typedef struct
{
  guint32  seq;         /* its sequence number in the session's view */
  guint32  n_messages;  /* "*" for sequence sets */
  guint32  max_uid;     /* "*" for UID sets */
  gboolean recent;      /* \Recent in this session */
} MrImapSearchContext;

/* Parses the search keys of RFC 3501 6.4.4 (every key, AND by juxtaposition
 * and parenthesised lists, OR, NOT) from @args starting at @start (after any
 * CHARSET, which the session checks). Returns NULL with MR_ERROR_BAD_SYNTAX
 * naming the problem. */
MrImapSearch *mr_imap_search_parse   (GPtrArray                 *args,
                                      guint                      start,
                                      GError                   **error);
void          mr_imap_search_free    (MrImapSearch              *self);
gboolean      mr_imap_search_matches (MrImapSearch              *self,
                                      MrMessage                 *message,
                                      const MrImapSearchContext *context);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (MrImapSearch, mr_imap_search_free)

G_END_DECLS
