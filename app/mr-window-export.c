/* mr-window-export.c: the window's export actions
 *
 * Copyright 2026 The Mailroom authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "mr-window-export"

#include "config.h"

#include <glib/gi18n.h>

#include "mr-ladder-export.h"
#include "mr-window-private.h"

typedef enum
{
  EXPORT_SVG,
  EXPORT_PNG,
  EXPORT_TEXT,
} ExportKind;

/* Writes what the views show now (the timeline's past while scrubbed):
 * the conversation pinned with win.show-conversation, else everything. */
static gboolean
export_to (MrWindow    *self,
           ExportKind   kind,
           const char  *path,
           GError     **error)
{
  GListModel *events = G_LIST_MODEL (self->shown ? self->shown : self->events);
  guint64 conversation = mr_state_view_get_conversation (self->state_view);
  g_autofree char *contents = NULL;

  switch (kind)
    {
    case EXPORT_PNG:
      return mr_ladder_export_png (events, conversation, path, error);

    case EXPORT_SVG:
      contents = mr_ladder_export_svg (events, conversation);
      break;

    case EXPORT_TEXT:
      contents = mr_transcript_export_text (events, conversation);
      break;

    default:
      g_assert_not_reached ();
    }

  return g_file_set_contents (path, contents, -1, error);
}

static ExportKind
kind_for_action (const char *action_name)
{
  if (g_str_equal (action_name, "win.export-ladder-svg"))
    return EXPORT_SVG;
  if (g_str_equal (action_name, "win.export-ladder-png"))
    return EXPORT_PNG;
  return EXPORT_TEXT;
}

static void
report (MrWindow     *self,
        const char   *path,
        const GError *error)
{
  g_autofree char *text = NULL;

  if (error != NULL)
    text = g_strdup_printf (_("Export failed: %s"), error->message);
  else
    text = g_strdup_printf (_("Exported to %s"), path);
  gtk_label_set_label (self->status_label, text);
}

static void
on_chooser_response_cb (GtkNativeDialog *chooser,
                        int              response,
                        MrWindow        *self)
{
  ExportKind kind = GPOINTER_TO_INT (g_object_get_data (G_OBJECT (chooser), "kind"));

  if (response == GTK_RESPONSE_ACCEPT)
    {
      g_autoptr(GFile) file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (chooser));
      g_autofree char *path = file ? g_file_get_path (file) : NULL;
      g_autoptr(GError) error = NULL;

      if (path != NULL)
        {
          export_to (self, kind, path, &error);
          report (self, path, error);
        }
    }
  gtk_native_dialog_destroy (chooser);
  g_object_unref (chooser);
}

/* @param: a path to write to, or "" to ask with a file chooser. */
static void
mr_window_export_action (GtkWidget  *widget,
                         const char *action_name,
                         GVariant   *param)
{
  MrWindow *self = (MrWindow *)widget;
  ExportKind kind = kind_for_action (action_name);
  const char *path = g_variant_get_string (param, NULL);
  static const char * const names[] = { "ladder.svg", "ladder.png", "transcript.txt" };

  g_assert (MR_IS_WINDOW (self));

  if (path[0] != '\0')
    {
      g_autoptr(GError) error = NULL;

      export_to (self, kind, path, &error);
      report (self, path, error);
    }
  else
    {
      GtkFileChooserNative *chooser;

      chooser = gtk_file_chooser_native_new (kind == EXPORT_TEXT ? _("Export Transcript")
                                                                 : _("Export Ladder Diagram"),
                                             GTK_WINDOW (self), GTK_FILE_CHOOSER_ACTION_SAVE,
                                             _("_Export"), _("_Cancel"));
      gtk_file_chooser_set_current_name (GTK_FILE_CHOOSER (chooser), names[kind]);
      g_object_set_data (G_OBJECT (chooser), "kind", GINT_TO_POINTER (kind));
      g_signal_connect (chooser, "response", G_CALLBACK (on_chooser_response_cb), self);
      gtk_native_dialog_show (GTK_NATIVE_DIALOG (chooser));
    }
}

void
_mr_window_class_export_init (GtkWidgetClass *widget_class)
{
  gtk_widget_class_install_action (widget_class, "win.export-ladder-svg", "s", mr_window_export_action);
  gtk_widget_class_install_action (widget_class, "win.export-ladder-png", "s", mr_window_export_action);
  gtk_widget_class_install_action (widget_class, "win.export-transcript", "s", mr_window_export_action);
}
