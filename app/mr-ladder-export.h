/* mr-ladder-export.h
 *
 * Copyright 2026 The Mailroom authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>


G_BEGIN_DECLS

/*
 * Handouts: the ladder diagram of a conversation (or of everything
 * recorded) as SVG or PNG, and the transcript as text. Lifelines are the
 * hosts in the order they first appear; each wire event (a line or message
 * content) is one arrow, class "arrow", in SVG; connections, TLS and
 * engine notes are captions between the arrows.
 *
 * @events is a GListModel of MrEventItem (the window's event model or the
 * timeline's past); @conversation_id 0 takes every conversation.
 */
/* (transfer full) */
char     *mr_ladder_export_svg        (GListModel  *events,
                                       guint64      conversation_id);
/* Draws the same diagram into a PNG at @path. PNGs stop at the newest
 * MR_LADDER_EXPORT_MAX_PNG_ROWS rows (a cairo surface is at most 32767
 * pixels high). */
#define MR_LADDER_EXPORT_MAX_PNG_ROWS 1000
gboolean  mr_ladder_export_png        (GListModel  *events,
                                       guint64      conversation_id,
                                       const char  *path,
                                       GError     **error);
/* "C: EHLO x" / "S: 250 ..." / "-- note", one line per event.
 * (transfer full) */
char     *mr_transcript_export_text   (GListModel  *events,
                                       guint64      conversation_id);

G_END_DECLS
