/* mr-application.h
 *
 * Copyright 2026 The Mailroom authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <adwaita.h>

#include "mr-app-types.h"

G_BEGIN_DECLS

#define MR_TYPE_APPLICATION (mr_application_get_type ())

G_DECLARE_FINAL_TYPE (MrApplication, mr_application, MR, APPLICATION, AdwApplication)

MrApplication  *mr_application_new          (void);
/* (transfer none) NULL when the schema is not installed. */
GSettings      *mr_application_get_settings (MrApplication *self);
/* (transfer none) started on startup */
MrEngineThread *mr_application_get_engine   (MrApplication *self);
/* (transfer none) the active window, created if needed */
MrWindow       *mr_application_ensure_window (MrApplication *self);

G_END_DECLS
