/* mr-window-private.h
 *
 * Copyright 2026 The Mailroom authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "mr-compose-view.h"
#include "mr-console.h"
#include "mr-eavesdropper-view.h"
#include "mr-engine-thread.h"
#include "mr-event-model.h"
#include "mr-faults-view.h"
#include "mr-inspector-view.h"
#include "mr-ladder-view.h"
#include "mr-lesson-panel.h"
#include "mr-mailbox-view.h"
#include "mr-map-view.h"
#include "mr-state-view.h"
#include "mr-timeline.h"
#include "mr-topology.h"
#include "mr-transcript-view.h"
#include "mr-window.h"
#include "mr-wire-view.h"

G_BEGIN_DECLS

struct _MrWindow
{
  AdwApplicationWindow  parent_instance;

  /* Template widgets */
  AdwViewStack         *stack;
  MrMapView            *map_view;
  MrLadderView         *ladder_view;
  MrTranscriptView     *transcript_view;
  MrConsole            *console;
  AdwFlap              *lesson_flap;
  MrLessonPanel        *lesson_panel;
  MrComposeView        *compose_view;
  MrMailboxView        *mailbox_view;
  MrFaultsView         *faults_view;
  MrStateView          *state_view;
  MrEavesdropperView   *eavesdropper_view;
  MrWireView           *wire_view;
  MrInspectorView      *inspector_view;
  MrTimeline           *timeline;
  GtkButton            *play_button;
  GtkDropDown          *speed_dropdown;
  GtkLabel             *status_label;
  GtkLabel             *ports_label;

  /* Owned */
  MrEngineThread       *engine;
  MrEventModel         *events;
  MrEventModel         *shown;         /* borrowed: events or the timeline's past */
  MrTopology           *topology;
  GQueue                held;          /* MrEvent* drained but not shown (paused) */
  guint64               last_seq;
  guint                 faults_serial; /* of the faults the map badges */
  GBinding             *route_binding; /* trace hosts -> map route, or NULL */
  guint                 tick_id;
  gboolean              playing;
};

void _mr_window_class_actions_init (GtkWidgetClass *widget_class);
/* win.export-ladder-svg, win.export-ladder-png, win.export-transcript (s: a path, or "" to ask) */
void _mr_window_class_export_init  (GtkWidgetClass *widget_class);
void _mr_window_class_classroom_init (GtkWidgetClass *widget_class);
char *_mr_window_dup_classroom_text (MrWindow *self);
/* win.presentation (F5): full screen, large type, keys; see mr-window-presentation.c */
void _mr_window_class_presentation_init (GtkWidgetClass *widget_class);
/* win.show-conversation (t: a conversation id, 0 follows the newest) */
void _mr_window_class_conversation_init (GtkWidgetClass *widget_class);
void _mr_window_presentation_init  (MrWindow       *self);
gboolean _mr_window_get_presenting (MrWindow       *self);
/* What a key does in the window's capture phase (presentation keys, Space
 * on a scrubbed timeline); TRUE if it was used. */
/* The teacher's pointer highlight (drawn while presenting), in window
 * coordinates; get returns FALSE when none is shown. */
void _mr_window_point_at           (MrWindow       *self,
                                    double          x,
                                    double          y);
gboolean _mr_window_get_pointed_at (MrWindow       *self,
                                    double         *x_r,
                                    double         *y_r);
gboolean _mr_window_presentation_key (MrWindow      *self,
                                      guint          keyval,
                                      GdkModifierType state);
void _mr_window_set_presenting     (MrWindow       *self,
                                    gboolean        presenting);
void _mr_window_set_playing        (MrWindow       *self,
                                    gboolean        playing);
/* Shows one held event (and lets the engine's clock take one step). */
void _mr_window_step               (MrWindow       *self);
void _mr_window_set_speed          (MrWindow       *self,
                                    double          speed);

G_END_DECLS
