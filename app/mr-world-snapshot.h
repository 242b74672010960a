/* mr-world-snapshot.h
 *
 * Copyright 2026 The Mailroom authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

#include "mr-app-types.h"
#include "mr-dns.h"
#include "mr-relay.h"

G_BEGIN_DECLS

/*
 * The relay queue and the lab DNS live on the engine's thread: these calls
 * copy them there (through mr_engine_invoke()) and hand the copy back on
 * the caller's main context, so the GUI never touches world objects.
 */

/* One recipient of one queued message. */
typedef struct
{
  char             *id;            /* queue id */
  char             *sender;
  char             *recipient;
  MrQueueRcptState  state;
  guint             attempts;
  guint             code;          /* last reply code, 0 for none */
  char             *reply;         /* last reply text, or NULL */
  char             *remote_host;   /* the MX that answered last, or NULL */
  gint64            next_attempt;  /* virtual time, 0 if none */
} MrQueueRow;

typedef struct
{
  gint64     now;                  /* the engine's virtual time */
  GPtrArray *queue;                /* MrQueueRow, oldest message first */
  GPtrArray *dns;                  /* MrDnsEntry, in the order added */
} MrWorldSnapshot;

void             mr_world_snapshot_free   (MrWorldSnapshot    *snapshot);

void             mr_world_snapshot_async  (MrEngineThread     *engine,
                                           GCancellable       *cancellable,
                                           GAsyncReadyCallback callback,
                                           gpointer            user_data);
/* (transfer full) NULL with an error when the engine has no world. */
MrWorldSnapshot *mr_world_snapshot_finish (MrEngineThread     *engine,
                                           GAsyncResult       *result,
                                           GError            **error);

/* Changes the lab DNS on the engine's thread: @priority >= 0 sets the MX
 * @value of @domain to that preference (adding it if missing); -1 removes
 * that MX record. Finish returns FALSE with an error on a bad request. */
void             mr_world_edit_mx_async   (MrEngineThread     *engine,
                                           const char         *domain,
                                           const char         *value,
                                           int                 priority,
                                           GCancellable       *cancellable,
                                           GAsyncReadyCallback callback,
                                           gpointer            user_data);
gboolean         mr_world_edit_mx_finish  (MrEngineThread     *engine,
                                           GAsyncResult       *result,
                                           GError            **error);

/* "4 min 12 s", "now", "—" for a countdown of @usec. (transfer full) */
char            *mr_format_countdown      (gint64              usec);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (MrWorldSnapshot, mr_world_snapshot_free)

G_END_DECLS
