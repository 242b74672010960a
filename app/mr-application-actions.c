/* mr-application-actions.c
 *
 * Copyright 2026 The Mailroom authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "mr-application-actions"

#include "config.h"

#include <glib/gi18n.h>

#include "mr-application-private.h"
#include "mr-preferences-window.h"
#include "mr-window.h"

static void
mr_application_actions_quit (GSimpleAction *action,
                             GVariant      *param,
                             gpointer       user_data)
{
  g_application_quit (G_APPLICATION (user_data));
}

static void
mr_application_actions_about (GSimpleAction *action,
                              GVariant      *param,
                              gpointer       user_data)
{
  MrApplication *self = user_data;
  static const char *developers[] = { "The Mailroom authors", NULL };
  GtkWindow *parent = gtk_application_get_active_window (GTK_APPLICATION (self));
  GtkWidget *about;

  about = g_object_new (ADW_TYPE_ABOUT_WINDOW,
                        "transient-for", parent,
                        "application-name", _("Mailroom"),
                        "application-icon", APP_ID,
                        "developer-name", _("The Mailroom authors"),
                        "version", PACKAGE_VERSION,
                        "comments", _("Watch every SMTP, POP3 and IMAP command travel, and talk to the servers yourself."),
                        "website", "https://github.com/mailroomlab/mailroom",
                        "issue-url", "https://github.com/mailroomlab/mailroom/issues",
                        "license-type", GTK_LICENSE_GPL_3_0,
                        "developers", developers,
                        "copyright", "© 2026 The Mailroom authors",
                        NULL);
  gtk_window_present (GTK_WINDOW (about));
}

static void
mr_application_actions_preferences (GSimpleAction *action,
                                    GVariant      *param,
                                    gpointer       user_data)
{
  MrApplication *self = user_data;
  GtkWindow *parent = gtk_application_get_active_window (GTK_APPLICATION (self));
  GtkWidget *preferences;

  if (self->settings == NULL)
    return;

  preferences = mr_preferences_window_new (self->settings);
  gtk_window_set_transient_for (GTK_WINDOW (preferences), parent);
  gtk_window_present (GTK_WINDOW (preferences));
}

static void
mr_application_actions_new_window (GSimpleAction *action,
                                   GVariant      *param,
                                   gpointer       user_data)
{
  MrApplication *self = user_data;

  gtk_window_present (GTK_WINDOW (mr_window_new (self, self->engine)));
}

static const GActionEntry app_actions[] = {
  { "quit", mr_application_actions_quit },
  { "about", mr_application_actions_about },
  { "preferences", mr_application_actions_preferences },
  { "new-window", mr_application_actions_new_window },
};

void
_mr_application_actions_init (MrApplication *self)
{
  static const struct { const char *action; const char *accels[3]; } accels[] = {
    { "app.quit", { "<Control>q", NULL } },
    { "app.preferences", { "<Control>comma", NULL } },
    { "app.new-window", { "<Control>n", NULL } },
    { "window.close", { "<Control>w", NULL } },
  };

  g_action_map_add_action_entries (G_ACTION_MAP (self), app_actions, G_N_ELEMENTS (app_actions), self);

  if (self->settings != NULL)
    {
      g_autoptr(GAction) theme = g_settings_create_action (self->settings, "theme");
      g_action_map_add_action (G_ACTION_MAP (self), theme);
    }

  for (guint i = 0; i < G_N_ELEMENTS (accels); i++)
    gtk_application_set_accels_for_action (GTK_APPLICATION (self), accels[i].action, accels[i].accels);
}
