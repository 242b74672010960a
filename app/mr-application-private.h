/* mr-application-private.h
 *
 * Copyright 2026 The Mailroom authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "mr-application.h"
#include "mr-engine-thread.h"

G_BEGIN_DECLS

struct _MrApplication
{
  AdwApplication  parent_instance;

  /* Owned */
  GSettings      *settings;
  MrEngineThread *engine;
  char           *initial_page;
};

void _mr_application_actions_init (MrApplication *self);

G_END_DECLS
