/* mr-transcript-view.h
 *
 * Copyright 2026 The Mailroom authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gtk/gtk.h>

#include "mr-app-types.h"
#include "mr-types.h"

G_BEGIN_DECLS

#define MR_TYPE_TRANSCRIPT_VIEW (mr_transcript_view_get_type ())

G_DECLARE_FINAL_TYPE (MrTranscriptView, mr_transcript_view, MR, TRANSCRIPT_VIEW, GtkWidget)

/*
 * The raw lines, client and server in two colours (Wireshark's "Follow
 * stream" idea), the reply catalog's explanation on hover and in a side
 * pane for the selected line, filtered by protocol and conversation.
 */
GtkWidget  *mr_transcript_view_new               (void);
void        mr_transcript_view_set_model         (MrTranscriptView *self,
                                                  MrEventModel     *model);
/* MR_PROTOCOL_NONE shows all; @conversation_id 0 shows all. */
void        mr_transcript_view_set_filter        (MrTranscriptView *self,
                                                  MrProtocol        protocol,
                                                  guint64           conversation_id);
/* The filtered lines (for tests and copy). (transfer none) */
GListModel *mr_transcript_view_get_filtered      (MrTranscriptView *self);
/* Selects line @position of the filtered list. */
void        mr_transcript_view_select            (MrTranscriptView *self,
                                                  guint             position);
/* The side pane's explanation text (for tests). */
const char *mr_transcript_view_get_explanation   (MrTranscriptView *self);
/* Explanation for the tooltip/side pane. (transfer full) */
char       *mr_transcript_explain_event          (const MrEvent    *event);

G_END_DECLS
