/* mr-compose-view.c
 *
 * Copyright 2026 The Mailroom authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "mr-compose-view"

#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "mr-compose-view.h"
#include "mr-engine-thread.h"

struct _MrComposeView
{
  GtkWidget         parent_instance;

  /* Template widgets */
  AdwComboRow      *service_row;
  AdwEntryRow      *from_row;
  AdwEntryRow      *password_row;
  AdwEntryRow      *to_row;
  AdwEntryRow      *subject_row;
  GtkTextView      *body_view;
  GtkLabel         *status_label;
  GtkSpinner       *spinner;

  /* Owned */
  MrEngineThread   *engine;
  GCancellable     *cancellable;
  char             *status;
  guint             n_sent;
  gboolean          busy;
};

enum {
  PROP_0,
  PROP_BUSY,
  PROP_STATUS,
  N_PROPS
};

static GParamSpec *properties [N_PROPS];

G_DEFINE_FINAL_TYPE (MrComposeView, mr_compose_view, GTK_TYPE_WIDGET)

static void
set_busy (MrComposeView *self,
          gboolean       busy)
{
  if (self->busy == busy)
    return;
  self->busy = busy;
  gtk_spinner_set_spinning (self->spinner, busy);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "compose.send", !busy);
  g_object_notify_by_pspec (G_OBJECT (self), properties [PROP_BUSY]);
}

static void
set_status (MrComposeView *self,
            const char    *status,
            gboolean       error)
{
  g_free (self->status);
  self->status = g_strdup (status);
  gtk_label_set_label (self->status_label, status);
  if (error)
    gtk_widget_add_css_class (GTK_WIDGET (self->status_label), "error");
  else
    gtk_widget_remove_css_class (GTK_WIDGET (self->status_label), "error");
  g_object_notify_by_pspec (G_OBJECT (self), properties [PROP_STATUS]);
}

static void
send_cb (GObject      *object,
         GAsyncResult *result,
         gpointer      user_data)
{
  g_autoptr(MrComposeView) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autofree char *summary = NULL;
  g_autofree char *text = NULL;

  summary = mr_engine_thread_send_finish (MR_ENGINE_THREAD (object), result, &error);

  self->n_sent++;
  set_busy (self, FALSE);

  if (summary == NULL)
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return;
      text = g_strdup_printf (_("Not sent: %s"), error->message);
      set_status (self, text, TRUE);
      return;
    }

  text = g_strdup_printf (_("Sent. The server said:\n%s"), g_strstrip (summary));
  set_status (self, text, FALSE);
}

void
mr_compose_view_send (MrComposeView *self)
{
  g_auto(GStrv) parts = NULL;
  g_autoptr(GPtrArray) recipients = g_ptr_array_new_with_free_func (g_free);
  GtkTextBuffer *buffer;
  GtkTextIter start, end;
  g_autofree char *body = NULL;
  const char *from;
  const char *password;
  MrService service;
  g_autofree char *client = NULL;

  g_return_if_fail (MR_IS_COMPOSE_VIEW (self));

  if (self->engine == NULL || self->busy)
    return;

  from = gtk_editable_get_text (GTK_EDITABLE (self->from_row));
  password = gtk_editable_get_text (GTK_EDITABLE (self->password_row));
  parts = g_strsplit_set (gtk_editable_get_text (GTK_EDITABLE (self->to_row)), ",;", -1);
  for (guint i = 0; parts[i] != NULL; i++)
    {
      char *address = g_strstrip (parts[i]);

      if (address[0] != '\0')
        g_ptr_array_add (recipients, g_strdup (address));
    }
  g_ptr_array_add (recipients, NULL);

  if (from[0] == '\0' || recipients->len == 1)
    {
      set_status (self, _("A message needs a sender and at least one recipient"), TRUE);
      return;
    }

  buffer = gtk_text_view_get_buffer (self->body_view);
  gtk_text_buffer_get_bounds (buffer, &start, &end);
  body = gtk_text_buffer_get_text (buffer, &start, &end, FALSE);

  service = adw_combo_row_get_selected (self->service_row) == 1 ? MR_SERVICE_SMTP : MR_SERVICE_SUBMISSION;

  /* The map shows the sender's laptop when the scenario has one:
   * "alice@sender.example" writes from "alice-laptop". */
  client = g_strndup (from, strcspn (from, "@"));
  {
    g_autofree char *laptop = g_strconcat (client, "-laptop", NULL);
    g_free (client);
    client = g_steal_pointer (&laptop);
  }

  set_busy (self, TRUE);
  set_status (self, _("Sending…"), FALSE);

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  self->cancellable = g_cancellable_new ();

  mr_engine_thread_send_async (self->engine, service, client,
                               service == MR_SERVICE_SUBMISSION ? from : NULL,
                               service == MR_SERVICE_SUBMISSION ? password : NULL,
                               from, (const char * const *) recipients->pdata,
                               gtk_editable_get_text (GTK_EDITABLE (self->subject_row)),
                               body, self->cancellable, send_cb, g_object_ref (self));
}

static void
send_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *param)
{
  mr_compose_view_send (MR_COMPOSE_VIEW (widget));
}

void
mr_compose_view_set_engine (MrComposeView  *self,
                            MrEngineThread *engine)
{
  g_return_if_fail (MR_IS_COMPOSE_VIEW (self));
  g_set_object (&self->engine, engine);
}

void
mr_compose_view_set_message (MrComposeView *self,
                             const char    *from,
                             const char    *password,
                             const char    *to,
                             const char    *subject,
                             const char    *body)
{
  g_return_if_fail (MR_IS_COMPOSE_VIEW (self));

  if (from != NULL)
    gtk_editable_set_text (GTK_EDITABLE (self->from_row), from);
  if (password != NULL)
    gtk_editable_set_text (GTK_EDITABLE (self->password_row), password);
  if (to != NULL)
    gtk_editable_set_text (GTK_EDITABLE (self->to_row), to);
  if (subject != NULL)
    gtk_editable_set_text (GTK_EDITABLE (self->subject_row), subject);
  if (body != NULL)
    gtk_text_buffer_set_text (gtk_text_view_get_buffer (self->body_view), body, -1);
}

void
mr_compose_view_set_service (MrComposeView *self,
                             MrService      service)
{
  g_return_if_fail (MR_IS_COMPOSE_VIEW (self));
  adw_combo_row_set_selected (self->service_row, service == MR_SERVICE_SMTP ? 1 : 0);
}

gboolean
mr_compose_view_get_busy (MrComposeView *self)
{
  g_return_val_if_fail (MR_IS_COMPOSE_VIEW (self), FALSE);
  return self->busy;
}

const char *
mr_compose_view_get_status (MrComposeView *self)
{
  g_return_val_if_fail (MR_IS_COMPOSE_VIEW (self), NULL);
  return self->status ? self->status : "";
}

guint
mr_compose_view_get_n_sent (MrComposeView *self)
{
  g_return_val_if_fail (MR_IS_COMPOSE_VIEW (self), 0);
  return self->n_sent;
}

static void
mr_compose_view_dispose (GObject *object)
{
  MrComposeView *self = (MrComposeView *)object;

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  g_clear_object (&self->engine);
  gtk_widget_dispose_template (GTK_WIDGET (self), MR_TYPE_COMPOSE_VIEW);
  /* The template's root is not a bound child: unparent it by hand. */
  {
    GtkWidget *child;

    while ((child = gtk_widget_get_first_child (GTK_WIDGET (self))) != NULL)
      gtk_widget_unparent (child);
  }

  G_OBJECT_CLASS (mr_compose_view_parent_class)->dispose (object);
}

static void
mr_compose_view_finalize (GObject *object)
{
  g_free (MR_COMPOSE_VIEW (object)->status);
  G_OBJECT_CLASS (mr_compose_view_parent_class)->finalize (object);
}

static void
mr_compose_view_get_property (GObject    *object,
                              guint       prop_id,
                              GValue     *value,
                              GParamSpec *pspec)
{
  MrComposeView *self = MR_COMPOSE_VIEW (object);

  switch (prop_id)
    {
    case PROP_BUSY:
      g_value_set_boolean (value, self->busy);
      break;

    case PROP_STATUS:
      g_value_set_string (value, mr_compose_view_get_status (self));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
mr_compose_view_class_init (MrComposeViewClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = mr_compose_view_dispose;
  object_class->finalize = mr_compose_view_finalize;
  object_class->get_property = mr_compose_view_get_property;

  properties [PROP_BUSY] =
    g_param_spec_boolean ("busy", NULL, NULL, FALSE,
                          (G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));
  properties [PROP_STATUS] =
    g_param_spec_string ("status", NULL, NULL, "",
                         (G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));
  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_template_from_resource (widget_class, "/io/github/mailroomlab/Mailroom/ui/mr-compose-view.ui");
  gtk_widget_class_bind_template_child (widget_class, MrComposeView, service_row);
  gtk_widget_class_bind_template_child (widget_class, MrComposeView, from_row);
  gtk_widget_class_bind_template_child (widget_class, MrComposeView, password_row);
  gtk_widget_class_bind_template_child (widget_class, MrComposeView, to_row);
  gtk_widget_class_bind_template_child (widget_class, MrComposeView, subject_row);
  gtk_widget_class_bind_template_child (widget_class, MrComposeView, body_view);
  gtk_widget_class_bind_template_child (widget_class, MrComposeView, status_label);
  gtk_widget_class_bind_template_child (widget_class, MrComposeView, spinner);

  gtk_widget_class_install_action (widget_class, "compose.send", NULL, send_action);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Return, GDK_CONTROL_MASK, "compose.send", NULL);
  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_css_name (widget_class, "compose");
}

static void
mr_compose_view_init (MrComposeView *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  gtk_text_buffer_set_text (gtk_text_view_get_buffer (self->body_view),
                            _("Hi Bob,\n\nthis message travels through three servers to reach you.\n"
                              ".A line starting with a dot is dot-stuffed on the wire.\n\nAlice\n"), -1);
}

GtkWidget *
mr_compose_view_new (void)
{
  return g_object_new (MR_TYPE_COMPOSE_VIEW, NULL);
}
