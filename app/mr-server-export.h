/* mr-server-export.h
 *
 * Copyright 2026 The Mailroom authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/*
 * mailroom-server's handouts: the recorded events written as the GUI
 * exports them, chosen by the file's extension:
 *   .svg  the ladder diagram, one arrow per line (mr_ladder_export_svg())
 *   .png  the same drawing
 *   .txt  the transcript, "C: ..." / "S: ..."
 *   .json the events as the JSON API pages them ({"events": [...]}), which
 *         --export-from reads back
 * Secrets stay masked: events carry masked text only.
 */

/* Whether @path ends in an extension the export knows; else an error
 * that lists them. */
gboolean   mr_server_export_check_path  (const char  *path,
                                         GError     **error);
/* Writes @events (MrEvent, oldest first) to @path; @conversation_id 0
 * takes every conversation. */
gboolean   mr_server_export_write       (GPtrArray   *events,
                                         guint64      conversation_id,
                                         const char  *path,
                                         GError     **error);
/* Reads events saved by a .json export or fetched from
 * /api/v1/events: {"events": [...]} or a bare array.
 * Returns: (transfer full) (element-type MrEvent) or NULL with @error */
GPtrArray *mr_server_export_load_events (const char  *path,
                                         GError     **error);

G_END_DECLS
