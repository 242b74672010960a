/* mr-window-classroom.c: what a teacher tells the class
 *
 * Copyright 2026 The Mailroom authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "mr-window-classroom"

#include "config.h"

#include <glib/gi18n.h>

#include "mr-window-private.h"

/* The addresses students open and the teacher token, as one text (the
 * dialog's body; tests read it too). (transfer full) */
char *
_mr_window_dup_classroom_text (MrWindow *self)
{
  g_autoptr(GString) text = g_string_new (NULL);
  const char * const *urls;
  const char *token;

  g_assert (MR_IS_WINDOW (self));

  if (self->engine == NULL)
    return g_string_free (g_steal_pointer (&text), FALSE);

  urls = mr_engine_thread_get_web_urls (self->engine);
  token = mr_engine_thread_get_teacher_token (self->engine);

  if (urls[0] == NULL)
    {
      g_string_append (text, _("The web view is off: the lab's servers do not listen."));
      return g_string_free (g_steal_pointer (&text), FALSE);
    }

  if (mr_engine_thread_get_classroom (self->engine))
    g_string_append (text, _("Students open the live view at:"));
  else
    g_string_append (text, _("Only this computer can reach the lab. To let students on this "
                             "network follow, turn on LAN classroom mode in Preferences and "
                             "start Mailroom again. The live view is at:"));
  for (guint i = 0; urls[i] != NULL; i++)
    g_string_append_printf (text, "\n%s", urls[i]);

  if (token != NULL)
    {
      g_string_append (text, "\n\n");
      g_string_append (text, _("Changes through the web API (faults, clock, scenario) need the "
                               "teacher token:"));
      g_string_append_printf (text, "\n%s", token);
    }
  return g_string_free (g_steal_pointer (&text), FALSE);
}

static void
on_response_cb (AdwMessageDialog *dialog,
                const char       *response,
                MrWindow         *self)
{
  const char *token;

  if (g_strcmp0 (response, "copy") != 0 || self->engine == NULL)
    return;
  token = mr_engine_thread_get_teacher_token (self->engine);
  if (token != NULL)
    gdk_clipboard_set_text (gtk_widget_get_clipboard (GTK_WIDGET (self)), token);
}

static void
classroom_action (GtkWidget  *widget,
                  const char *action_name,
                  GVariant   *parameter)
{
  MrWindow *self = MR_WINDOW (widget);
  g_autofree char *body = _mr_window_dup_classroom_text (self);
  GtkWidget *dialog;

  dialog = adw_message_dialog_new (GTK_WINDOW (self), _("Classroom Access"), body);
  adw_message_dialog_add_responses (ADW_MESSAGE_DIALOG (dialog),
                                    "copy", _("_Copy Token"),
                                    "close", _("_Close"),
                                    NULL);
  adw_message_dialog_set_default_response (ADW_MESSAGE_DIALOG (dialog), "close");
  adw_message_dialog_set_close_response (ADW_MESSAGE_DIALOG (dialog), "close");
  if (self->engine == NULL || mr_engine_thread_get_teacher_token (self->engine) == NULL)
    adw_message_dialog_set_response_enabled (ADW_MESSAGE_DIALOG (dialog), "copy", FALSE);
  g_signal_connect_object (dialog, "response", G_CALLBACK (on_response_cb), self, 0);
  gtk_window_present (GTK_WINDOW (dialog));
}

void
_mr_window_class_classroom_init (GtkWidgetClass *widget_class)
{
  gtk_widget_class_install_action (widget_class, "win.classroom", NULL, classroom_action);
}
