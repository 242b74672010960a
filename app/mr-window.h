/* mr-window.h
 *
 * Copyright 2026 The Mailroom authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <adwaita.h>

#include "mr-app-types.h"

G_BEGIN_DECLS

#define MR_TYPE_WINDOW (mr_window_get_type ())

G_DECLARE_FINAL_TYPE (MrWindow, mr_window, MR, WINDOW, AdwApplicationWindow)

MrWindow         *mr_window_new                 (MrApplication  *application,
                                                 MrEngineThread *engine);
MrEngineThread   *mr_window_get_engine          (MrWindow       *self);
/* "map", "ladder", "transcript", "console", "compose", "faults", "mailboxes" */
void              mr_window_show_page           (MrWindow       *self,
                                                 const char     *name);
const char       *mr_window_get_page            (MrWindow       *self);
/* Events shown in the views, and events held back while paused. */
guint             mr_window_get_n_events        (MrWindow       *self);
guint             mr_window_get_n_held          (MrWindow       *self);
/* Drains the bus now (the frame clock does this every frame). */
void              mr_window_pump                (MrWindow       *self);

MrMapView        *mr_window_get_map_view        (MrWindow       *self);
MrLadderView     *mr_window_get_ladder_view     (MrWindow       *self);
MrTranscriptView *mr_window_get_transcript_view (MrWindow       *self);
MrConsole        *mr_window_get_console         (MrWindow       *self);
MrComposeView    *mr_window_get_compose_view    (MrWindow       *self);
MrMailboxView    *mr_window_get_mailbox_view    (MrWindow       *self);
MrFaultsView     *mr_window_get_faults_view     (MrWindow       *self);
MrEventModel     *mr_window_get_event_model     (MrWindow       *self);
MrStateView      *mr_window_get_state_view      (MrWindow       *self);
MrEavesdropperView *mr_window_get_eavesdropper_view (MrWindow     *self);
MrTimeline       *mr_window_get_timeline        (MrWindow       *self);
MrWireView       *mr_window_get_wire_view       (MrWindow       *self);
MrInspectorView  *mr_window_get_inspector_view  (MrWindow       *self);

G_END_DECLS
