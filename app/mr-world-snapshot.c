/* mr-world-snapshot.c
 *
 * Copyright 2026 The Mailroom authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "mr-world-snapshot"

#include "config.h"

#include <glib/gi18n.h>

#include "mr-engine-thread.h"
#include "mr-engine.h"
#include "mr-world-snapshot.h"
#include "mr-world.h"

static void
queue_row_free (MrQueueRow *row)
{
  g_free (row->id);
  g_free (row->sender);
  g_free (row->recipient);
  g_free (row->reply);
  g_free (row->remote_host);
  g_free (row);
}

void
mr_world_snapshot_free (MrWorldSnapshot *snapshot)
{
  if (snapshot == NULL)
    return;
  g_clear_pointer (&snapshot->queue, g_ptr_array_unref);
  g_clear_pointer (&snapshot->dns, g_ptr_array_unref);
  g_free (snapshot);
}

/* Engine thread */
static gboolean
snapshot_on_engine (gpointer data)
{
  GTask *task = data;
  MrEngineThread *thread = g_task_get_source_object (task);
  MrEngine *engine = mr_engine_thread_get_engine (thread);
  MrWorld *world = engine ? mr_engine_get_world (engine) : NULL;
  MrWorldSnapshot *snapshot;
  GListModel *queue;

  if (world == NULL)
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_NOT_FOUND, _("The engine has no world"));
      return G_SOURCE_REMOVE;
    }

  snapshot = g_new0 (MrWorldSnapshot, 1);
  snapshot->now = mr_clock_now (mr_engine_get_clock (engine));
  snapshot->queue = g_ptr_array_new_with_free_func ((GDestroyNotify) queue_row_free);
  snapshot->dns = mr_dns_dup_records (mr_world_get_dns (world));

  queue = mr_world_get_queue (world);
  for (guint i = 0; queue != NULL && i < g_list_model_get_n_items (queue); i++)
    {
      g_autoptr(MrQueueItem) item = g_list_model_get_item (queue, i);

      for (guint r = 0; r < mr_queue_item_get_n_recipients (item); r++)
        {
          const MrQueueRecipient *rcpt = mr_queue_item_get_recipient (item, r);
          MrQueueRow *row = g_new0 (MrQueueRow, 1);

          row->id = g_strdup (mr_queue_item_get_id (item));
          row->sender = g_strdup (mr_queue_item_get_sender (item));
          row->recipient = g_strdup (rcpt->address);
          row->state = rcpt->state;
          row->attempts = rcpt->attempts;
          row->code = rcpt->code;
          row->reply = rcpt->text ? (rcpt->code ? g_strdup_printf ("%u %s%s%s", rcpt->code,
                                                                   rcpt->enhanced ? rcpt->enhanced : "",
                                                                   rcpt->enhanced ? " " : "", rcpt->text)
                                                : g_strdup (rcpt->text))
                                  : NULL;
          row->remote_host = g_strdup (rcpt->remote_host);
          row->next_attempt = (rcpt->state == MR_QUEUE_RCPT_DEFERRED || rcpt->state == MR_QUEUE_RCPT_QUEUED)
                                ? mr_queue_item_get_next_attempt (item) : 0;
          g_ptr_array_add (snapshot->queue, row);
        }
    }

  g_task_return_pointer (task, snapshot, (GDestroyNotify) mr_world_snapshot_free);
  return G_SOURCE_REMOVE;
}

void
mr_world_snapshot_async (MrEngineThread      *engine,
                         GCancellable        *cancellable,
                         GAsyncReadyCallback  callback,
                         gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (MR_IS_ENGINE_THREAD (engine));

  task = g_task_new (engine, cancellable, callback, user_data);
  g_task_set_source_tag (task, mr_world_snapshot_async);

  if (mr_engine_thread_get_engine (engine) == NULL)
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_NOT_INITIALIZED, _("The engine is not running"));
      return;
    }
  mr_engine_invoke (mr_engine_thread_get_engine (engine), snapshot_on_engine,
                    g_steal_pointer (&task), g_object_unref);
}

MrWorldSnapshot *
mr_world_snapshot_finish (MrEngineThread  *engine,
                          GAsyncResult    *result,
                          GError         **error)
{
  g_return_val_if_fail (g_task_is_valid (result, engine), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

typedef struct
{
  char *domain;
  char *value;
  int   priority;
} EditMx;

static void
edit_mx_free (EditMx *edit)
{
  g_free (edit->domain);
  g_free (edit->value);
  g_free (edit);
}

static gboolean
edit_mx_on_engine (gpointer data)
{
  GTask *task = data;
  EditMx *edit = g_task_get_task_data (task);
  MrEngine *engine = mr_engine_thread_get_engine (g_task_get_source_object (task));
  MrWorld *world = engine ? mr_engine_get_world (engine) : NULL;
  MrDns *dns;

  if (world == NULL)
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_NOT_FOUND, _("The engine has no world"));
      return G_SOURCE_REMOVE;
    }

  /* RFC 5321 5.1: the relay tries MXs by preference; a change here
   * reroutes the next attempt. */
  dns = mr_world_get_dns (world);
  if (mr_dns_remove_records (dns, edit->domain, MR_DNS_MX, edit->value) == 0 && edit->priority < 0)
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_NOT_FOUND,
                               _("%s has no MX %s"), edit->domain, edit->value);
      return G_SOURCE_REMOVE;
    }
  if (edit->priority >= 0)
    mr_dns_add_record (dns, edit->domain, MR_DNS_MX, edit->value, edit->priority);
  g_task_return_boolean (task, TRUE);
  return G_SOURCE_REMOVE;
}

void
mr_world_edit_mx_async (MrEngineThread      *engine,
                        const char          *domain,
                        const char          *value,
                        int                  priority,
                        GCancellable        *cancellable,
                        GAsyncReadyCallback  callback,
                        gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  EditMx *edit;

  g_return_if_fail (MR_IS_ENGINE_THREAD (engine));
  g_return_if_fail (domain != NULL && value != NULL);

  task = g_task_new (engine, cancellable, callback, user_data);
  g_task_set_source_tag (task, mr_world_edit_mx_async);
  edit = g_new0 (EditMx, 1);
  edit->domain = g_ascii_strdown (domain, -1);
  edit->value = g_ascii_strdown (value, -1);
  edit->priority = MIN (priority, 65535);
  g_task_set_task_data (task, edit, (GDestroyNotify) edit_mx_free);

  if (mr_engine_thread_get_engine (engine) == NULL)
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_NOT_INITIALIZED, _("The engine is not running"));
      return;
    }
  mr_engine_invoke (mr_engine_thread_get_engine (engine), edit_mx_on_engine,
                    g_steal_pointer (&task), g_object_unref);
}

gboolean
mr_world_edit_mx_finish (MrEngineThread  *engine,
                         GAsyncResult    *result,
                         GError         **error)
{
  g_return_val_if_fail (g_task_is_valid (result, engine), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}

char *
mr_format_countdown (gint64 usec)
{
  gint64 s;

  if (usec <= 0)
    return g_strdup (_("now"));
  s = (usec + G_USEC_PER_SEC - 1) / G_USEC_PER_SEC;
  if (s >= 3600)
    return g_strdup_printf (_("%d h %02d min"), (int) (s / 3600), (int) ((s % 3600) / 60));
  if (s >= 60)
    return g_strdup_printf (_("%d min %02d s"), (int) (s / 60), (int) (s % 60));
  return g_strdup_printf (_("%d s"), (int) s);
}
