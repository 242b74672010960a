/* mr-imap-response.h
 *
 * Copyright 2026 The Mailroom authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "mr-types.h"

G_BEGIN_DECLS

/*
 * One server response being built: the octets for the wire, and beside them
 * the text for the event bus, where each literal's contents are left out
 * (only its "{n}" marker shows) and kept in @contents for content events.
 */
typedef struct _MrImapResponse
{
  GByteArray *wire;
  GString    *text;
  GPtrArray  *contents;  /* GBytes *, one per literal */
} MrImapResponse;

MrImapResponse *mr_imap_response_new            (void);
void            mr_imap_response_free           (MrImapResponse *self);
void            mr_imap_response_reset          (MrImapResponse *self);
void            mr_imap_response_append         (MrImapResponse *self,
                                                 const char     *str);
void            mr_imap_response_append_len     (MrImapResponse *self,
                                                 const char     *str,
                                                 gsize           len);
void            mr_imap_response_printf         (MrImapResponse *self,
                                                 const char     *format,
                                                 ...) G_GNUC_PRINTF (2, 3);
/* "{n}" CRLF and the octets (RFC 3501 4.3). */
void            mr_imap_response_append_literal (MrImapResponse *self,
                                                 const void     *data,
                                                 gsize           len);
/* A string as a quoted string when it can be one, else as a literal;
 * NIL when @str is NULL (RFC 3501 4.3, 4.5). */
void            mr_imap_response_append_nstring (MrImapResponse *self,
                                                 const char     *str);
void            mr_imap_response_append_nstring_len (MrImapResponse *self,
                                                 const char     *str,
                                                 gsize           len);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (MrImapResponse, mr_imap_response_free)

G_END_DECLS
