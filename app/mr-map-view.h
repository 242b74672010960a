/* mr-map-view.h
 *
 * Copyright 2026 The Mailroom authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gtk/gtk.h>

#include "mr-app-types.h"
#include "mr-event.h"

G_BEGIN_DECLS

#define MR_TYPE_MAP_VIEW (mr_map_view_get_type ())

G_DECLARE_FINAL_TYPE (MrMapView, mr_map_view, MR, MAP_VIEW, GtkWidget)

/*
 * The lab's hosts as nodes and their links; every event flies along its
 * link as an envelope labelled with the verb or reply code, coloured by
 * reply class. Drawn with GtkSnapshot on the frame clock; with animations
 * off (gtk-enable-animations) envelopes appear without moving.
 */
GtkWidget  *mr_map_view_new            (void);
MrTopology *mr_map_view_get_topology   (MrMapView  *self);
void        mr_map_view_set_topology   (MrMapView  *self,
                                        MrTopology *topology);
/* Queues an envelope for @event (and learns its hosts). */
void        mr_map_view_push_event     (MrMapView  *self,
                                        MrEvent    *event);
double      mr_map_view_get_speed      (MrMapView  *self);
void        mr_map_view_set_speed      (MrMapView  *self,
                                        double      speed);
/* Messages @host accepted (the 250 after DATA), shown as a badge. */
guint       mr_map_view_get_n_accepted (MrMapView  *self,
                                        const char *host);
/* @length messages wait in the relay queue on @host: shown as a badge. */
void        mr_map_view_set_queue      (MrMapView  *self,
                                        const char *host,
                                        guint       length);
/* The faults switched on ("NAME[@TARGET]" specs, mr_fault_parse_spec()):
 * each host they bite on gets a badge. */
void        mr_map_view_set_faults     (MrMapView          *self,
                                        const char * const *specs);
/* The names of the faults badged on @host. (transfer full) */
GStrv       mr_map_view_dup_faults_on  (MrMapView          *self,
                                        const char         *host);
/* A message's path (hosts, oldest hop first; NULL for none) drawn as a
 * band along each hop with the hop numbers; property "route". */
void        mr_map_view_set_route      (MrMapView          *self,
                                        const char * const *hosts);
const char * const *mr_map_view_get_route (MrMapView       *self);
/* Follows the timeline: @past (the events up to its cursor) is drawn as a
 * still frame of that moment, badges as they were then; NULL goes back to
 * the live animation. */
void        mr_map_view_show_past      (MrMapView          *self,
                                        MrEventModel       *past);
gboolean    mr_map_view_get_showing_past (MrMapView        *self);
/* The label of the envelope drawn for the cursor's event, or NULL. */
const char *mr_map_view_get_past_label (MrMapView          *self);
/* Envelopes queued or in flight. */
guint       mr_map_view_get_n_envelopes (MrMapView *self);

G_END_DECLS
