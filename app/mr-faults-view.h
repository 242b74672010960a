/* mr-faults-view.h
 *
 * Copyright 2026 The Mailroom authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gtk/gtk.h>

#include "mr-app-types.h"

G_BEGIN_DECLS

#define MR_TYPE_FAULTS_VIEW (mr_faults_view_get_type ())

G_DECLARE_FINAL_TYPE (MrFaultsView, mr_faults_view, MR, FAULTS_VIEW, GtkWidget)

/*
 * Every fault of the world's catalog with a switch: unknown user, mailbox
 * full, greylisting... optionally scoped to a host, domain or account.
 * Each produces the exact reply an RFC-following server gives.
 */
GtkWidget *mr_faults_view_new        (void);
void       mr_faults_view_set_engine (MrFaultsView   *self,
                                      MrEngineThread *engine);
/* Turns fault @name on or off (as its switch does). */
void       mr_faults_view_set_active (MrFaultsView   *self,
                                      const char     *name,
                                      gboolean        active);
/* Set/get the scope used for faults turned on from now. */
void       mr_faults_view_set_target (MrFaultsView   *self,
                                      const char     *target);
/* Requests sent to the engine and answered (for tests). */
guint      mr_faults_view_get_n_done (MrFaultsView   *self);

G_END_DECLS
