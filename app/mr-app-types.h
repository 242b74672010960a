/* mr-app-types.h
 *
 * Copyright 2026 The Mailroom authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <adwaita.h>

#include "mr-types.h"

G_BEGIN_DECLS

/* Forward declarations of the app's types (GTE editor-types.h). */
typedef struct _MrApplication       MrApplication;
typedef struct _MrComposeView       MrComposeView;
typedef struct _MrConsole           MrConsole;
typedef struct _MrEavesdropperView  MrEavesdropperView;
typedef struct _MrEngineThread      MrEngineThread;
typedef struct _MrEventItem         MrEventItem;
typedef struct _MrEventModel        MrEventModel;
typedef struct _MrFaultsView        MrFaultsView;
typedef struct _MrInspectorView     MrInspectorView;
typedef struct _MrLadderView        MrLadderView;
typedef struct _MrMailboxView       MrMailboxView;
typedef struct _MrMapView           MrMapView;
typedef struct _MrPreferencesWindow MrPreferencesWindow;
typedef struct _MrReceivedTrace     MrReceivedTrace;
typedef struct _MrStateView         MrStateView;
typedef struct _MrTimeline          MrTimeline;
typedef struct _MrTopology          MrTopology;
typedef struct _MrTranscriptView    MrTranscriptView;
typedef struct _MrWindow            MrWindow;
typedef struct _MrWireView          MrWireView;

G_END_DECLS
