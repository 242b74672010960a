/* mr-window-actions.c
 *
 * Copyright 2026 The Mailroom authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "mr-window-actions"

#include "config.h"

#include <glib/gi18n.h>

#include "mr-window-private.h"

static void
mr_window_actions_play_pause (GtkWidget  *widget,
                              const char *action_name,
                              GVariant   *param)
{
  MrWindow *self = (MrWindow *)widget;

  g_assert (MR_IS_WINDOW (self));

  _mr_window_set_playing (self, !self->playing);
}

static void
mr_window_actions_play (GtkWidget  *widget,
                        const char *action_name,
                        GVariant   *param)
{
  _mr_window_set_playing (MR_WINDOW (widget), TRUE);
}

static void
mr_window_actions_pause (GtkWidget  *widget,
                         const char *action_name,
                         GVariant   *param)
{
  _mr_window_set_playing (MR_WINDOW (widget), FALSE);
}

static void
mr_window_actions_step (GtkWidget  *widget,
                        const char *action_name,
                        GVariant   *param)
{
  _mr_window_step (MR_WINDOW (widget));
}

static void
mr_window_actions_fast_forward (GtkWidget  *widget,
                                const char *action_name,
                                GVariant   *param)
{
  MrWindow *self = (MrWindow *)widget;

  g_assert (MR_IS_WINDOW (self));

  if (self->engine != NULL)
    mr_engine_thread_fast_forward (self->engine);
}

static void
mr_window_actions_speed (GtkWidget  *widget,
                         const char *action_name,
                         GVariant   *param)
{
  MrWindow *self = (MrWindow *)widget;
  double speed = self->engine ? mr_engine_thread_get_speed (self->engine) : 1.0;

  g_assert (MR_IS_WINDOW (self));

  if (g_str_equal (action_name, "win.faster"))
    speed *= 2;
  else if (g_str_equal (action_name, "win.slower"))
    speed /= 2;
  else if (param != NULL)
    speed = g_variant_get_double (param);

  _mr_window_set_speed (self, CLAMP (speed, 0.25, 60));
}

static void
mr_window_actions_show_page (GtkWidget  *widget,
                             const char *action_name,
                             GVariant   *param)
{
  mr_window_show_page (MR_WINDOW (widget), g_variant_get_string (param, NULL));
}

static void
mr_window_actions_clear (GtkWidget  *widget,
                         const char *action_name,
                         GVariant   *param)
{
  MrWindow *self = (MrWindow *)widget;

  g_assert (MR_IS_WINDOW (self));

  g_queue_clear_full (&self->held, (GDestroyNotify) mr_event_unref);
  mr_event_model_clear (self->events);
}

void
_mr_window_class_actions_init (GtkWidgetClass *widget_class)
{
  static const char * const pages[] = { "map", "ladder", "transcript", "console", "compose", "faults", "mailboxes" };

  gtk_widget_class_install_action (widget_class, "win.play-pause", NULL, mr_window_actions_play_pause);
  gtk_widget_class_install_action (widget_class, "win.play", NULL, mr_window_actions_play);
  gtk_widget_class_install_action (widget_class, "win.pause", NULL, mr_window_actions_pause);
  gtk_widget_class_install_action (widget_class, "win.step", NULL, mr_window_actions_step);
  gtk_widget_class_install_action (widget_class, "win.fast-forward", NULL, mr_window_actions_fast_forward);
  gtk_widget_class_install_action (widget_class, "win.faster", NULL, mr_window_actions_speed);
  gtk_widget_class_install_action (widget_class, "win.slower", NULL, mr_window_actions_speed);
  gtk_widget_class_install_action (widget_class, "win.speed", "d", mr_window_actions_speed);
  gtk_widget_class_install_action (widget_class, "win.show-page", "s", mr_window_actions_show_page);
  gtk_widget_class_install_action (widget_class, "win.clear", NULL, mr_window_actions_clear);

  /* Space steps, as in presentation software; a focused entry or button
   * takes its own Space first (bubble phase). */
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_space, 0, "win.step", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_p, GDK_CONTROL_MASK, "win.play-pause", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Right, GDK_CONTROL_MASK | GDK_SHIFT_MASK,
                                       "win.fast-forward", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_plus, GDK_CONTROL_MASK, "win.faster", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_equal, GDK_CONTROL_MASK, "win.faster", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_minus, GDK_CONTROL_MASK, "win.slower", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_l, GDK_CONTROL_MASK, "win.clear", NULL);

  for (guint i = 0; i < G_N_ELEMENTS (pages); i++)
    gtk_widget_class_add_binding_action (widget_class, GDK_KEY_1 + i, GDK_ALT_MASK,
                                         "win.show-page", "s", pages[i]);
}
