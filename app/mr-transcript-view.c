/* mr-transcript-view.c
 *
 * Copyright 2026 The Mailroom authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "mr-transcript-view"

#include "config.h"

#include <glib/gi18n.h>

#include "mr-event-model.h"
#include "mr-reply-catalog.h"
#include "mr-transcript-view.h"

struct _MrTranscriptView
{
  GtkWidget           parent_instance;

  /* Template widgets */
  GtkDropDown        *protocol_dropdown;
  GtkSpinButton      *conversation_spin;
  GtkLabel           *count_label;
  GtkListView        *list_view;
  GtkSignalListItemFactory *factory;
  GtkLabel           *detail_title;
  GtkLabel           *detail_explanation;
  GtkLabel           *detail_meta;

  /* Owned */
  GtkFilterListModel *filtered;
  GtkSingleSelection *selection;
  GtkCustomFilter    *filter;
  MrProtocol          protocol;
  guint64             conversation_id;
};

G_DEFINE_FINAL_TYPE (MrTranscriptView, mr_transcript_view, GTK_TYPE_WIDGET)

char *
mr_transcript_explain_event (const MrEvent *event)
{
  g_return_val_if_fail (event != NULL, NULL);

  if (event->kind != MR_EVENT_LINE)
    return g_strdup (event->text);

  if (event->direction == MR_DIRECTION_TO_CLIENT)
    {
      if (event->code != 0)
        {
          const MrReplyInfo *info = mr_reply_catalog_lookup (event->code, event->enhanced);
          const char *explanation = mr_reply_explain (event->code, event->enhanced);

          if (info != NULL && info->rfc != NULL)
            return g_strdup_printf ("%s (%s; %s)", explanation, info->rfc,
                                    mr_reply_advice_to_string (info->advice));
          return g_strdup (explanation);
        }
      if (event->protocol == MR_PROTOCOL_POP3)
        return g_strdup ((event->flags & MR_EVENT_FLAG_ERROR)
                         ? _("-ERR: the POP3 server refused the command (RFC 1939 3)")
                         : _("+OK: the POP3 server accepted the command (RFC 1939 3)"));
      if (event->protocol == MR_PROTOCOL_IMAP)
        {
          if (event->flags & MR_EVENT_FLAG_CONTINUATION)
            return g_strdup (_("Continuation request: the server waits for more data (RFC 3501 7.5)"));
          if (event->flags & MR_EVENT_FLAG_UNTAGGED)
            return g_strdup (_("Untagged response: data the server sends along (RFC 3501 7)"));
          return g_strdup ((event->flags & MR_EVENT_FLAG_ERROR)
                           ? _("NO or BAD: the command failed or was not understood (RFC 3501 7.1)")
                           : _("OK: the command completed (RFC 3501 7.1.1)"));
        }
      return NULL;
    }

  if (event->verb != NULL)
    return g_strdup_printf (_("The client sends the %s command"), event->verb);

  return NULL;
}

static gboolean
filter_func (gpointer item,
             gpointer user_data)
{
  MrTranscriptView *self = user_data;
  MrEvent *event = mr_event_item_get_event (item);

  if (self->protocol != MR_PROTOCOL_NONE && event->protocol != self->protocol)
    return FALSE;
  if (self->conversation_id != 0 && event->conversation_id != self->conversation_id)
    return FALSE;

  return TRUE;
}

static void
update_count (MrTranscriptView *self)
{
  g_autofree char *text = NULL;
  guint n = self->filtered ? g_list_model_get_n_items (G_LIST_MODEL (self->filtered)) : 0;

  text = g_strdup_printf (ngettext ("%u line", "%u lines", n), n);
  gtk_label_set_label (self->count_label, text);
}

static void
setup_row_cb (GtkSignalListItemFactory *factory,
              GtkListItem              *item,
              MrTranscriptView         *self)
{
  GtkWidget *label = gtk_label_new (NULL);

  gtk_label_set_xalign (GTK_LABEL (label), 0);
  gtk_label_set_ellipsize (GTK_LABEL (label), PANGO_ELLIPSIZE_END);
  gtk_widget_add_css_class (label, "monospace");
  gtk_widget_add_css_class (label, "transcript-line");
  gtk_list_item_set_child (item, label);
}

static void
bind_row_cb (GtkSignalListItemFactory *factory,
             GtkListItem              *item,
             MrTranscriptView         *self)
{
  GtkWidget *label = gtk_list_item_get_child (item);
  MrEvent *event = mr_event_item_get_event (gtk_list_item_get_item (item));
  g_autofree char *text = NULL;
  g_autofree char *tooltip = NULL;
  const char *prefix;

  gtk_widget_remove_css_class (label, "client");
  gtk_widget_remove_css_class (label, "server");
  gtk_widget_remove_css_class (label, "note");

  if (event->kind != MR_EVENT_LINE)
    {
      prefix = "--";
      gtk_widget_add_css_class (label, "note");
    }
  else if (event->direction == MR_DIRECTION_TO_SERVER)
    {
      prefix = "C:";
      gtk_widget_add_css_class (label, "client");
    }
  else
    {
      prefix = "S:";
      gtk_widget_add_css_class (label, "server");
    }

  text = g_strdup_printf ("%5" G_GUINT64_FORMAT "  #%-3" G_GUINT64_FORMAT " %s %s",
                          event->seq, event->conversation_id, prefix, event->text ? event->text : "");
  gtk_label_set_label (GTK_LABEL (label), text);

  tooltip = mr_transcript_explain_event (event);
  gtk_widget_set_tooltip_text (label, tooltip);
}

static void
show_details (MrTranscriptView *self,
              MrEvent          *event)
{
  g_autofree char *explanation = NULL;
  g_autofree char *meta = NULL;

  if (event == NULL)
    {
      gtk_label_set_label (self->detail_title, _("Select a line"));
      gtk_label_set_label (self->detail_explanation, "");
      gtk_label_set_label (self->detail_meta, "");
      return;
    }

  gtk_label_set_label (self->detail_title, event->text ? event->text : "");
  explanation = mr_transcript_explain_event (event);
  if (event->code != 0)
    {
      const MrReplyInfo *info = mr_reply_catalog_lookup (event->code, event->enhanced);
      g_autofree char *klass = g_strdup (mr_reply_class_explain (event->code / 100));
      g_autofree char *full = g_strdup_printf ("%s\n\n%s%s%s", explanation ? explanation : "",
                                               klass ? klass : "",
                                               info && info->text ? "\n\n" : "",
                                               info && info->text ? info->text : "");
      g_free (explanation);
      explanation = g_steal_pointer (&full);
    }
  gtk_label_set_label (self->detail_explanation, explanation ? explanation : "");

  meta = g_strdup_printf (_("Event %llu · conversation %llu · %s\n"
                            "%s → %s\nVerb: %s · Code: %u %s · State: %s"),
                          (unsigned long long) event->seq, (unsigned long long) event->conversation_id, mr_protocol_to_string (event->protocol),
                          event->direction == MR_DIRECTION_TO_CLIENT ? event->server : event->client,
                          event->direction == MR_DIRECTION_TO_CLIENT ? event->client : event->server,
                          event->verb ? event->verb : "–", event->code,
                          event->enhanced ? event->enhanced : "",
                          event->state ? event->state : "–");
  gtk_label_set_label (self->detail_meta, meta);
}

static void
on_selection_changed_cb (MrTranscriptView *self)
{
  gpointer item = gtk_single_selection_get_selected_item (self->selection);

  show_details (self, item ? mr_event_item_get_event (item) : NULL);
}

static void
on_filter_widgets_changed_cb (MrTranscriptView *self)
{
  static const MrProtocol protocols[] = {
    MR_PROTOCOL_NONE, MR_PROTOCOL_SMTP, MR_PROTOCOL_POP3, MR_PROTOCOL_IMAP,
  };
  guint selected = gtk_drop_down_get_selected (self->protocol_dropdown);

  self->protocol = selected < G_N_ELEMENTS (protocols) ? protocols[selected] : MR_PROTOCOL_NONE;
  self->conversation_id = (guint64) gtk_spin_button_get_value (self->conversation_spin);
  gtk_filter_changed (GTK_FILTER (self->filter), GTK_FILTER_CHANGE_DIFFERENT);
  update_count (self);
}

void
mr_transcript_view_set_filter (MrTranscriptView *self,
                               MrProtocol        protocol,
                               guint64           conversation_id)
{
  guint index = 0;

  g_return_if_fail (MR_IS_TRANSCRIPT_VIEW (self));

  switch (protocol)
    {
    case MR_PROTOCOL_SMTP: index = 1; break;
    case MR_PROTOCOL_POP3: index = 2; break;
    case MR_PROTOCOL_IMAP: index = 3; break;
    case MR_PROTOCOL_NONE:
    case MR_PROTOCOL_HTTP:
    default: index = 0; break;
    }

  gtk_drop_down_set_selected (self->protocol_dropdown, index);
  gtk_spin_button_set_value (self->conversation_spin, conversation_id);
  on_filter_widgets_changed_cb (self);
}

void
mr_transcript_view_set_model (MrTranscriptView *self,
                              MrEventModel     *model)
{
  g_return_if_fail (MR_IS_TRANSCRIPT_VIEW (self));
  g_return_if_fail (MR_IS_EVENT_MODEL (model));

  gtk_filter_list_model_set_model (self->filtered, G_LIST_MODEL (model));
  update_count (self);
}

GListModel *
mr_transcript_view_get_filtered (MrTranscriptView *self)
{
  g_return_val_if_fail (MR_IS_TRANSCRIPT_VIEW (self), NULL);
  return G_LIST_MODEL (self->filtered);
}

void
mr_transcript_view_select (MrTranscriptView *self,
                           guint             position)
{
  g_return_if_fail (MR_IS_TRANSCRIPT_VIEW (self));
  gtk_single_selection_set_selected (self->selection, position);
}

const char *
mr_transcript_view_get_explanation (MrTranscriptView *self)
{
  g_return_val_if_fail (MR_IS_TRANSCRIPT_VIEW (self), NULL);
  return gtk_label_get_label (self->detail_explanation);
}

static void
mr_transcript_view_dispose (GObject *object)
{
  MrTranscriptView *self = (MrTranscriptView *)object;

  gtk_widget_dispose_template (GTK_WIDGET (self), MR_TYPE_TRANSCRIPT_VIEW);
  /* The template's root is not a bound child: unparent it by hand. */
  {
    GtkWidget *child;

    while ((child = gtk_widget_get_first_child (GTK_WIDGET (self))) != NULL)
      gtk_widget_unparent (child);
  }
  g_clear_object (&self->selection);
  g_clear_object (&self->filtered);
  g_clear_object (&self->filter);

  G_OBJECT_CLASS (mr_transcript_view_parent_class)->dispose (object);
}

static void
mr_transcript_view_class_init (MrTranscriptViewClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = mr_transcript_view_dispose;

  gtk_widget_class_set_template_from_resource (widget_class, "/io/github/mailroomlab/Mailroom/ui/mr-transcript-view.ui");
  gtk_widget_class_bind_template_child (widget_class, MrTranscriptView, protocol_dropdown);
  gtk_widget_class_bind_template_child (widget_class, MrTranscriptView, conversation_spin);
  gtk_widget_class_bind_template_child (widget_class, MrTranscriptView, count_label);
  gtk_widget_class_bind_template_child (widget_class, MrTranscriptView, list_view);
  gtk_widget_class_bind_template_child (widget_class, MrTranscriptView, factory);
  gtk_widget_class_bind_template_child (widget_class, MrTranscriptView, detail_title);
  gtk_widget_class_bind_template_child (widget_class, MrTranscriptView, detail_explanation);
  gtk_widget_class_bind_template_child (widget_class, MrTranscriptView, detail_meta);
  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_css_name (widget_class, "transcriptview");
}

static void
mr_transcript_view_init (MrTranscriptView *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  self->filter = gtk_custom_filter_new (filter_func, self, NULL);
  self->filtered = gtk_filter_list_model_new (NULL, g_object_ref (GTK_FILTER (self->filter)));
  self->selection = gtk_single_selection_new (g_object_ref (G_LIST_MODEL (self->filtered)));
  gtk_single_selection_set_autoselect (self->selection, FALSE);
  gtk_single_selection_set_can_unselect (self->selection, TRUE);
  gtk_list_view_set_model (self->list_view, GTK_SELECTION_MODEL (self->selection));

  g_signal_connect_object (self->factory, "setup", G_CALLBACK (setup_row_cb), self, 0);
  g_signal_connect_object (self->factory, "bind", G_CALLBACK (bind_row_cb), self, 0);
  g_signal_connect_object (self->selection, "notify::selected", G_CALLBACK (on_selection_changed_cb),
                           self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->filtered, "items-changed", G_CALLBACK (update_count),
                           self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->protocol_dropdown, "notify::selected",
                           G_CALLBACK (on_filter_widgets_changed_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->conversation_spin, "value-changed",
                           G_CALLBACK (on_filter_widgets_changed_cb), self, G_CONNECT_SWAPPED);
  update_count (self);
}

GtkWidget *
mr_transcript_view_new (void)
{
  return g_object_new (MR_TYPE_TRANSCRIPT_VIEW, NULL);
}
