/* mr-ladder-view.h
 *
 * Copyright 2026 The Mailroom authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gtk/gtk.h>

#include "mr-app-types.h"

G_BEGIN_DECLS

#define MR_TYPE_LADDER_VIEW (mr_ladder_view_get_type ())

G_DECLARE_FINAL_TYPE (MrLadderView, mr_ladder_view, MR, LADDER_VIEW, GtkWidget)

/*
 * A sequence diagram: one lifeline per host, one arrow per event, time
 * going down. A GtkListView over the event model, so only visible rows are
 * built (100,000 events stay fast). Follows new events while scrolled to
 * the bottom; scrolling up stops following until scrolled back down.
 */
GtkWidget    *mr_ladder_view_new           (void);
void          mr_ladder_view_set_model     (MrLadderView *self,
                                            MrEventModel *model,
                                            MrTopology   *topology);
gboolean      mr_ladder_view_get_following (MrLadderView *self);
GtkListView  *mr_ladder_view_get_list_view (MrLadderView *self);

G_END_DECLS
