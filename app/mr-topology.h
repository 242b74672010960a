/* mr-topology.h
 *
 * Copyright 2026 The Mailroom authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib-object.h>

#include "mr-app-types.h"
#include "mr-event.h"

G_BEGIN_DECLS

#define MR_TYPE_TOPOLOGY (mr_topology_get_type ())

G_DECLARE_FINAL_TYPE (MrTopology, mr_topology, MR, TOPOLOGY, GObject)

/* One host of the scenario, placed on the map in [0,1] x [0,1]. */
typedef struct
{
  char   *name;
  char   *role;      /* client, submission, mx, mailbox, relay, … */
  char   *label;     /* "Alice's laptop", or NULL */
  double  x;
  double  y;
  guint   column;
} MrHost;

typedef struct
{
  guint a;
  guint b;
} MrLink;

/*
 * The hosts and links the map and the ladder draw: seeded from the
 * scenario, grown from events (a telnet client on 127.0.0.1 becomes a host
 * "This computer"). Emits ::changed when hosts or links were added.
 */
MrTopology   *mr_topology_new            (void);
/* Loads hosts and links from a scenario JSON document. */
gboolean      mr_topology_load_json      (MrTopology    *self,
                                          const char    *json,
                                          GError       **error);
guint         mr_topology_get_n_hosts    (MrTopology    *self);
/* (transfer none) */
const MrHost *mr_topology_get_host       (MrTopology    *self,
                                          guint          index);
guint         mr_topology_get_n_links    (MrTopology    *self);
const MrLink *mr_topology_get_link       (MrTopology    *self,
                                          guint          index);
/* The index of the host called @name (after folding "127.0.0.1:5000" to
 * "This computer"), or -1. */
int           mr_topology_lookup         (MrTopology    *self,
                                          const char    *name);
/* Makes sure both ends of @event are hosts and linked. Returns TRUE when
 * something was added (::changed is then emitted once per call). */
gboolean      mr_topology_learn          (MrTopology    *self,
                                          const MrEvent *event,
                                          int           *client_r,
                                          int           *server_r);
/* The number of columns (for the ladder's lifeline order). */
guint         mr_topology_get_n_columns  (MrTopology    *self);

G_END_DECLS
