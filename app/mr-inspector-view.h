/* mr-inspector-view.h
 *
 * Copyright 2026 The Mailroom authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gtk/gtk.h>

#include "mr-app-types.h"

G_BEGIN_DECLS

#define MR_TYPE_INSPECTOR_VIEW (mr_inspector_view_get_type ())

G_DECLARE_FINAL_TYPE (MrInspectorView, mr_inspector_view, MR, INSPECTOR_VIEW, GtkWidget)

/*
 * Inside the lab: the relay queue (per recipient: state, attempts, last
 * reply, next retry as a countdown in virtual time) and the lab DNS, where
 * an MX's preference can be changed or the MX removed to watch routing
 * change. Refreshed every second while shown, from copies made on the
 * engine's thread (mr-world-snapshot.h).
 */
GtkWidget  *mr_inspector_view_new             (void);
void        mr_inspector_view_set_engine      (MrInspectorView *self,
                                               MrEngineThread  *engine);
/* Asks the engine for a fresh copy now. */
void        mr_inspector_view_refresh         (MrInspectorView *self);
/* Copies received so far (for tests). */
guint       mr_inspector_view_get_n_refreshes (MrInspectorView *self);
/* The queue and DNS as shown, one row a line. (transfer full) */
char       *mr_inspector_view_dup_queue_text  (MrInspectorView *self);
char       *mr_inspector_view_dup_dns_text    (MrInspectorView *self);
/* Messages seen on the wire, for the Received: trace. */
void        mr_inspector_view_set_model       (MrInspectorView *self,
                                               MrEventModel    *model);
/* (transfer none) */
MrReceivedTrace *mr_inspector_view_get_trace  (MrInspectorView *self);
/* The "Draw on the Map" toggle of the trace (property "trace-on-map"). */
gboolean    mr_inspector_view_get_trace_on_map (MrInspectorView *self);
void        mr_inspector_view_set_trace_on_map (MrInspectorView *self,
                                                gboolean         trace_on_map);
/* As the row's controls do: @priority -1 removes the MX. */
void        mr_inspector_view_edit_mx         (MrInspectorView *self,
                                               const char      *domain,
                                               const char      *exchange,
                                               int              priority);

G_END_DECLS
