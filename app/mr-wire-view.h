/* mr-wire-view.h
 *
 * Copyright 2026 The Mailroom authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gtk/gtk.h>

#include "mr-app-types.h"

G_BEGIN_DECLS

#define MR_TYPE_WIRE_VIEW (mr_wire_view_get_type ())

G_DECLARE_FINAL_TYPE (MrWireView, mr_wire_view, MR, WIRE_VIEW, GtkWidget)

/*
 * What is on the wire, exactly, for one conversation: with "invisibles"
 * on, every line end (CR LF as \r\n, a bare LF as a red \n), the message
 * content as sent with the lone dot and dot-stuffed lines pointed out
 * (RFC 5321 4.5.2), PIPELINING batches (RFC 2920), BDAT chunks (RFC 3030),
 * IMAP tags, untagged responses, continuation requests and {n} literals
 * (RFC 3501 2.2, 4.3, 7.5). With invisibles off, the plain lines.
 *
 * Follows the newest conversation unless one is set; honours a cursor.
 */
GtkWidget  *mr_wire_view_new              (void);
void        mr_wire_view_set_model        (MrWireView   *self,
                                           MrEventModel *model);
void        mr_wire_view_set_conversation (MrWireView   *self,
                                           guint64       conversation_id);
void        mr_wire_view_set_cursor       (MrWireView   *self,
                                           guint64       seq);
gboolean    mr_wire_view_get_invisibles   (MrWireView   *self);
void        mr_wire_view_set_invisibles   (MrWireView   *self,
                                           gboolean      invisibles);
/* Everything shown, as text. (transfer full) */
char       *mr_wire_view_dup_text         (MrWireView   *self);

G_END_DECLS
