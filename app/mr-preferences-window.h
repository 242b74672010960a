/* mr-preferences-window.h
 *
 * Copyright 2026 The Mailroom authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <adwaita.h>

#include "mr-app-types.h"

G_BEGIN_DECLS

#define MR_TYPE_PREFERENCES_WINDOW (mr_preferences_window_get_type ())

G_DECLARE_FINAL_TYPE (MrPreferencesWindow, mr_preferences_window, MR, PREFERENCES_WINDOW, AdwPreferencesWindow)

/* Ports, bind address, Maildir persistence, speed and theme, bound to
 * @settings (the app's GSettings). */
GtkWidget *mr_preferences_window_new (GSettings *settings);

G_END_DECLS
