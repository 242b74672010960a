/* mr-preferences-window.c
 *
 * Copyright 2026 The Mailroom authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "mr-preferences-window"

#include "config.h"

#include <glib/gi18n.h>

#include "mr-preferences-window.h"

struct _MrPreferencesWindow
{
  AdwPreferencesWindow parent_instance;

  /* Template widgets */
  AdwEntryRow   *bind_address_row;
  GtkSwitch     *classroom_switch;
  GtkSpinButton *smtp_port;
  GtkSpinButton *submission_port;
  GtkSpinButton *pop3_port;
  GtkSpinButton *imap_port;
  GtkSwitch     *maildir_switch;
  AdwEntryRow   *maildir_path_row;
  AdwComboRow   *theme_row;
  GtkSpinButton *speed_spin;

  /* Owned */
  GSettings     *settings;
};

G_DEFINE_FINAL_TYPE (MrPreferencesWindow, mr_preferences_window, ADW_TYPE_PREFERENCES_WINDOW)

static const char * const themes[] = { "default", "light", "dark" };

static gboolean
theme_get_mapping (GValue   *value,
                   GVariant *variant,
                   gpointer  user_data)
{
  const char *theme = g_variant_get_string (variant, NULL);

  for (guint i = 0; i < G_N_ELEMENTS (themes); i++)
    if (g_str_equal (theme, themes[i]))
      {
        g_value_set_uint (value, i);
        return TRUE;
      }
  return FALSE;
}

static GVariant *
theme_set_mapping (const GValue       *value,
                   const GVariantType *expected_type,
                   gpointer            user_data)
{
  guint index = g_value_get_uint (value);

  return g_variant_new_string (themes[MIN (index, G_N_ELEMENTS (themes) - 1)]);
}

static void
mr_preferences_window_dispose (GObject *object)
{
  MrPreferencesWindow *self = (MrPreferencesWindow *)object;

  g_clear_object (&self->settings);
  gtk_widget_dispose_template (GTK_WIDGET (self), MR_TYPE_PREFERENCES_WINDOW);

  G_OBJECT_CLASS (mr_preferences_window_parent_class)->dispose (object);
}

static void
mr_preferences_window_class_init (MrPreferencesWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = mr_preferences_window_dispose;

  gtk_widget_class_set_template_from_resource (widget_class, "/io/github/mailroomlab/Mailroom/ui/mr-preferences-window.ui");
  gtk_widget_class_bind_template_child (widget_class, MrPreferencesWindow, bind_address_row);
  gtk_widget_class_bind_template_child (widget_class, MrPreferencesWindow, classroom_switch);
  gtk_widget_class_bind_template_child (widget_class, MrPreferencesWindow, smtp_port);
  gtk_widget_class_bind_template_child (widget_class, MrPreferencesWindow, submission_port);
  gtk_widget_class_bind_template_child (widget_class, MrPreferencesWindow, pop3_port);
  gtk_widget_class_bind_template_child (widget_class, MrPreferencesWindow, imap_port);
  gtk_widget_class_bind_template_child (widget_class, MrPreferencesWindow, maildir_switch);
  gtk_widget_class_bind_template_child (widget_class, MrPreferencesWindow, maildir_path_row);
  gtk_widget_class_bind_template_child (widget_class, MrPreferencesWindow, theme_row);
  gtk_widget_class_bind_template_child (widget_class, MrPreferencesWindow, speed_spin);
}

static void
mr_preferences_window_init (MrPreferencesWindow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}

GtkWidget *
mr_preferences_window_new (GSettings *settings)
{
  MrPreferencesWindow *self;

  g_return_val_if_fail (G_IS_SETTINGS (settings), NULL);

  self = g_object_new (MR_TYPE_PREFERENCES_WINDOW, NULL);
  self->settings = g_object_ref (settings);

  g_settings_bind (settings, "bind-address", self->bind_address_row, "text", G_SETTINGS_BIND_DEFAULT);
  g_settings_bind (settings, "classroom", self->classroom_switch, "active", G_SETTINGS_BIND_DEFAULT);
  g_settings_bind (settings, "smtp-port", self->smtp_port, "value", G_SETTINGS_BIND_DEFAULT);
  g_settings_bind (settings, "submission-port", self->submission_port, "value", G_SETTINGS_BIND_DEFAULT);
  g_settings_bind (settings, "pop3-port", self->pop3_port, "value", G_SETTINGS_BIND_DEFAULT);
  g_settings_bind (settings, "imap-port", self->imap_port, "value", G_SETTINGS_BIND_DEFAULT);
  g_settings_bind (settings, "maildir-enabled", self->maildir_switch, "active", G_SETTINGS_BIND_DEFAULT);
  g_settings_bind (settings, "maildir-path", self->maildir_path_row, "text", G_SETTINGS_BIND_DEFAULT);
  g_settings_bind (settings, "speed", self->speed_spin, "value", G_SETTINGS_BIND_DEFAULT);
  g_settings_bind_with_mapping (settings, "theme", self->theme_row, "selected", G_SETTINGS_BIND_DEFAULT,
                                theme_get_mapping, theme_set_mapping, NULL, NULL);

  return GTK_WIDGET (self);
}
