/* mr-faults-view.c
 *
 * Copyright 2026 The Mailroom authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "mr-faults-view"

#include "config.h"

#include <glib/gi18n.h>

#include "mr-engine-thread.h"
#include "mr-fault.h"
#include "mr-faults-view.h"

struct _MrFaultsView
{
  GtkWidget            parent_instance;

  /* Template widgets */
  AdwEntryRow         *target_row;
  AdwPreferencesGroup *faults_group;
  GtkLabel            *status_label;

  /* Owned */
  MrEngineThread      *engine;
  GHashTable          *switches;   /* name -> GtkSwitch (borrowed) */
  GHashTable          *targets;    /* name -> target it was turned on with */
  guint                n_done;
};

G_DEFINE_FINAL_TYPE (MrFaultsView, mr_faults_view, GTK_TYPE_WIDGET)

static void
set_fault_cb (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(MrFaultsView) self = user_data;
  g_autoptr(GError) error = NULL;

  self->n_done++;
  if (!mr_engine_thread_set_fault_finish (MR_ENGINE_THREAD (object), result, &error))
    gtk_label_set_label (self->status_label, error->message);
}

static void
apply (MrFaultsView *self,
       const char   *name,
       gboolean      active)
{
  const char *target;
  g_autofree char *status = NULL;

  if (self->engine == NULL)
    return;

  if (active)
    {
      target = gtk_editable_get_text (GTK_EDITABLE (self->target_row));
      g_hash_table_insert (self->targets, g_strdup (name), g_strdup (target));
    }
  else
    target = g_hash_table_lookup (self->targets, name);

  status = active
    ? (target && target[0] ? g_strdup_printf (_("%s is on for %s"), name, target)
                           : g_strdup_printf (_("%s is on for the whole lab"), name))
    : g_strdup_printf (_("%s is off"), name);
  gtk_label_set_label (self->status_label, status);

  mr_engine_thread_set_fault_async (self->engine, name, target, active, NULL,
                                    set_fault_cb, g_object_ref (self));
  if (!active)
    g_hash_table_remove (self->targets, name);
}

static void
on_switch_active_cb (GtkSwitch    *widget,
                     GParamSpec   *pspec,
                     MrFaultsView *self)
{
  apply (self, g_object_get_data (G_OBJECT (widget), "fault"), gtk_switch_get_active (widget));
}

void
mr_faults_view_set_active (MrFaultsView *self,
                           const char   *name,
                           gboolean      active)
{
  GtkSwitch *widget;

  g_return_if_fail (MR_IS_FAULTS_VIEW (self));
  g_return_if_fail (name != NULL);

  widget = g_hash_table_lookup (self->switches, name);
  if (widget == NULL)
    return;

  if (gtk_switch_get_active (widget) == !!active)
    return;
  gtk_switch_set_active (widget, active);
}

void
mr_faults_view_set_target (MrFaultsView *self,
                           const char   *target)
{
  g_return_if_fail (MR_IS_FAULTS_VIEW (self));
  gtk_editable_set_text (GTK_EDITABLE (self->target_row), target ? target : "");
}

guint
mr_faults_view_get_n_done (MrFaultsView *self)
{
  g_return_val_if_fail (MR_IS_FAULTS_VIEW (self), 0);
  return self->n_done;
}

void
mr_faults_view_set_engine (MrFaultsView   *self,
                           MrEngineThread *engine)
{
  g_return_if_fail (MR_IS_FAULTS_VIEW (self));
  g_set_object (&self->engine, engine);
}

static void
populate (MrFaultsView *self)
{
  guint n = 0;
  const MrFaultInfo *all = mr_fault_catalog_get_all (&n);

  for (guint i = 0; i < n; i++)
    {
      const MrFaultInfo *info = &all[i];
      GtkWidget *row = adw_action_row_new ();
      GtkWidget *toggle = gtk_switch_new ();
      g_autofree char *reply = mr_fault_info_describe_reply (info);
      g_autofree char *subtitle = g_strdup_printf ("%s · %s · %s", _(info->summary), reply,
                                                   mr_fault_stage_to_string (info->stage));

      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), info->name);
      adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
      adw_action_row_set_subtitle (ADW_ACTION_ROW (row), subtitle);
      gtk_widget_set_valign (toggle, GTK_ALIGN_CENTER);
      gtk_accessible_update_property (GTK_ACCESSIBLE (toggle), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                      info->name, -1);
      g_object_set_data_full (G_OBJECT (toggle), "fault", g_strdup (info->name), g_free);
      g_signal_connect_object (toggle, "notify::active", G_CALLBACK (on_switch_active_cb), self, 0);
      adw_action_row_add_suffix (ADW_ACTION_ROW (row), toggle);
      adw_action_row_set_activatable_widget (ADW_ACTION_ROW (row), toggle);
      adw_preferences_group_add (self->faults_group, row);
      g_hash_table_insert (self->switches, g_strdup (info->name), toggle);
    }
}

static void
mr_faults_view_dispose (GObject *object)
{
  MrFaultsView *self = (MrFaultsView *)object;
  GtkWidget *child;

  g_clear_object (&self->engine);
  g_clear_pointer (&self->switches, g_hash_table_unref);
  g_clear_pointer (&self->targets, g_hash_table_unref);
  gtk_widget_dispose_template (GTK_WIDGET (self), MR_TYPE_FAULTS_VIEW);
  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self))) != NULL)
    gtk_widget_unparent (child);

  G_OBJECT_CLASS (mr_faults_view_parent_class)->dispose (object);
}

static void
mr_faults_view_class_init (MrFaultsViewClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = mr_faults_view_dispose;

  gtk_widget_class_set_template_from_resource (widget_class, "/io/github/mailroomlab/Mailroom/ui/mr-faults-view.ui");
  gtk_widget_class_bind_template_child (widget_class, MrFaultsView, target_row);
  gtk_widget_class_bind_template_child (widget_class, MrFaultsView, faults_group);
  gtk_widget_class_bind_template_child (widget_class, MrFaultsView, status_label);
  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_css_name (widget_class, "faults");
}

static void
mr_faults_view_init (MrFaultsView *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  self->switches = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  self->targets = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  populate (self);
}

GtkWidget *
mr_faults_view_new (void)
{
  return g_object_new (MR_TYPE_FAULTS_VIEW, NULL);
}
