/* mr-application.c
 *
 * Copyright 2026 The Mailroom authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "mr-application"

#include "config.h"

#include <glib/gi18n.h>

#include "mr-application-private.h"
#include "mr-engine.h"
#include "mr-window.h"

G_DEFINE_FINAL_TYPE (MrApplication, mr_application, ADW_TYPE_APPLICATION)

static void
apply_theme (MrApplication *self)
{
  AdwStyleManager *manager = adw_style_manager_get_default ();
  g_autofree char *theme = NULL;

  if (self->settings == NULL)
    return;

  theme = g_settings_get_string (self->settings, "theme");
  if (g_strcmp0 (theme, "dark") == 0)
    adw_style_manager_set_color_scheme (manager, ADW_COLOR_SCHEME_FORCE_DARK);
  else if (g_strcmp0 (theme, "light") == 0)
    adw_style_manager_set_color_scheme (manager, ADW_COLOR_SCHEME_FORCE_LIGHT);
  else
    adw_style_manager_set_color_scheme (manager, ADW_COLOR_SCHEME_DEFAULT);
}

static void
mr_application_startup (GApplication *application)
{
  MrApplication *self = (MrApplication *)application;
  g_autoptr(GError) error = NULL;
  GSettingsSchemaSource *source;
  g_autoptr(GSettingsSchema) schema = NULL;

  G_APPLICATION_CLASS (mr_application_parent_class)->startup (application);

  mr_init ();

  /* Run from a build tree without the schema installed: work with the
   * defaults instead of aborting. */
  source = g_settings_schema_source_get_default ();
  if (source != NULL)
    schema = g_settings_schema_source_lookup (source, APP_ID, TRUE);
  if (schema != NULL)
    {
      self->settings = g_settings_new (APP_ID);
      g_signal_connect_object (self->settings, "changed::theme", G_CALLBACK (apply_theme),
                               self, G_CONNECT_SWAPPED);
    }
  else
    g_message ("GSettings schema %s not found; using defaults", APP_ID);

  apply_theme (self);
  _mr_application_actions_init (self);

  self->engine = mr_engine_thread_new (self->settings);
  if (!mr_engine_thread_start (self->engine, &error))
    g_critical ("Could not start the engine: %s", error->message);
}

static void
mr_application_activate (GApplication *application)
{
  MrApplication *self = (MrApplication *)application;
  MrWindow *window = mr_application_ensure_window (self);

  if (self->initial_page != NULL)
    mr_window_show_page (window, self->initial_page);
  gtk_window_present (GTK_WINDOW (window));
}

static int
mr_application_handle_local_options (GApplication *application,
                                     GVariantDict *options)
{
  MrApplication *self = (MrApplication *)application;
  const char *page = NULL;

  if (g_variant_dict_lookup (options, "version", "b", NULL))
    {
      g_print ("mailroom %s\n", PACKAGE_VERSION);
      return 0;
    }

  if (g_variant_dict_lookup (options, "page", "&s", &page))
    {
      g_free (self->initial_page);
      self->initial_page = g_strdup (page);
    }

  return -1;
}

static void
mr_application_shutdown (GApplication *application)
{
  MrApplication *self = (MrApplication *)application;

  if (self->engine != NULL)
    mr_engine_thread_stop (self->engine);

  G_APPLICATION_CLASS (mr_application_parent_class)->shutdown (application);
}

static void
mr_application_dispose (GObject *object)
{
  MrApplication *self = (MrApplication *)object;

  g_clear_object (&self->engine);
  g_clear_object (&self->settings);
  g_clear_pointer (&self->initial_page, g_free);

  G_OBJECT_CLASS (mr_application_parent_class)->dispose (object);
}

static void
mr_application_class_init (MrApplicationClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GApplicationClass *app_class = G_APPLICATION_CLASS (klass);

  object_class->dispose = mr_application_dispose;

  app_class->startup = mr_application_startup;
  app_class->activate = mr_application_activate;
  app_class->shutdown = mr_application_shutdown;
  app_class->handle_local_options = mr_application_handle_local_options;
}

static const GOptionEntry main_entries[] = {
  { "page", 'p', 0, G_OPTION_ARG_STRING, NULL,
    N_("Open on a page: map, ladder, transcript, console, compose, faults, mailboxes"), N_("PAGE") },
  { "version", 0, 0, G_OPTION_ARG_NONE, NULL, N_("Print the version and exit"), NULL },
  { NULL }
};

static void
mr_application_init (MrApplication *self)
{
  g_application_add_main_option_entries (G_APPLICATION (self), main_entries);
}

MrApplication *
mr_application_new (void)
{
  return g_object_new (MR_TYPE_APPLICATION,
                       "application-id", APP_ID,
                       "flags", G_APPLICATION_NON_UNIQUE,
                       "resource-base-path", RESOURCE_PREFIX,
                       NULL);
}

GSettings *
mr_application_get_settings (MrApplication *self)
{
  g_return_val_if_fail (MR_IS_APPLICATION (self), NULL);
  return self->settings;
}

MrEngineThread *
mr_application_get_engine (MrApplication *self)
{
  g_return_val_if_fail (MR_IS_APPLICATION (self), NULL);
  return self->engine;
}

MrWindow *
mr_application_ensure_window (MrApplication *self)
{
  GtkWindow *window;

  g_return_val_if_fail (MR_IS_APPLICATION (self), NULL);

  window = gtk_application_get_active_window (GTK_APPLICATION (self));
  if (MR_IS_WINDOW (window))
    return MR_WINDOW (window);

  return mr_window_new (self, self->engine);
}
