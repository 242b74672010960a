/* mr-mailbox-view.c
 *
 * Copyright 2026 The Mailroom authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "mr-mailbox-view"

#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "mr-engine-thread.h"
#include "mr-mailbox-view.h"

struct _MrMailboxView
{
  GtkWidget       parent_instance;

  /* Template widgets */
  GtkListBox     *folder_list;
  GtkListBox     *message_list;
  GtkTextView    *source_view;

  /* Owned */
  MrEngineThread *engine;
  GCancellable   *cancellable;
  GPtrArray      *accounts;        /* MrAccountSnapshot */
  char           *shown_account;
  char           *shown_folder;
  MrFolderSnapshot *folder;        /* borrowed from @accounts */
  guint           generation;
  gboolean        pending;
  gboolean        again;
};

G_DEFINE_FINAL_TYPE (MrMailboxView, mr_mailbox_view, GTK_TYPE_WIDGET)

static MrFolderSnapshot *
find_folder (MrMailboxView *self,
             const char    *account,
             const char    *folder)
{
  if (self->accounts == NULL || account == NULL || folder == NULL)
    return NULL;

  for (guint i = 0; i < self->accounts->len; i++)
    {
      MrAccountSnapshot *as = g_ptr_array_index (self->accounts, i);

      if (g_ascii_strcasecmp (as->address, account) != 0)
        continue;

      for (guint j = 0; j < as->folders->len; j++)
        {
          MrFolderSnapshot *fs = g_ptr_array_index (as->folders, j);

          if (g_strcmp0 (fs->name, folder) == 0 ||
              (g_ascii_strcasecmp (folder, "INBOX") == 0 && g_ascii_strcasecmp (fs->name, "INBOX") == 0))
            return fs;
        }
    }

  return NULL;
}

static void
show_source (MrMailboxView     *self,
             MrMessageSnapshot *message)
{
  GtkTextBuffer *buffer = gtk_text_view_get_buffer (self->source_view);

  if (message == NULL || message->raw == NULL)
    {
      gtk_text_buffer_set_text (buffer, "", 0);
      return;
    }

  {
    g_autoptr(GString) text = g_string_new_len (g_bytes_get_data (message->raw, NULL),
                                                g_bytes_get_size (message->raw));
    g_string_replace (text, "\r\n", "\n", 0);
    if (!g_utf8_validate (text->str, text->len, NULL))
      {
        g_autofree char *valid = g_utf8_make_valid (text->str, text->len);
        gtk_text_buffer_set_text (buffer, valid, -1);
      }
    else
      gtk_text_buffer_set_text (buffer, text->str, text->len);
  }
}

static GtkWidget *
make_message_row (MrMessageSnapshot *message)
{
  GtkWidget *row = adw_action_row_new ();
  g_autofree char *subtitle = NULL;
  g_autofree char *a11y = NULL;
  GtkWidget *flags;

  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row),
                                 message->subject && message->subject[0] ? message->subject : _("(no subject)"));
  adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
  subtitle = g_strdup_printf (_("UID %u · from %s · %zu bytes"), message->uid,
                              message->from ? message->from : "?", message->size);
  adw_action_row_set_subtitle (ADW_ACTION_ROW (row), subtitle);

  flags = gtk_label_new (message->flags_text && message->flags_text[0] ? message->flags_text : _("unread"));
  gtk_widget_add_css_class (flags, "dim-label");
  gtk_widget_add_css_class (flags, "monospace");
  adw_action_row_add_suffix (ADW_ACTION_ROW (row), flags);

  if (!(message->flags & MR_FLAG_SEEN))
    gtk_widget_add_css_class (row, "unread");

  a11y = g_strdup_printf ("%s, %s", message->subject ? message->subject : "", subtitle);
  gtk_accessible_update_property (GTK_ACCESSIBLE (row), GTK_ACCESSIBLE_PROPERTY_LABEL, a11y, -1);

  return row;
}

static void
show_folder (MrMailboxView *self)
{
  GtkListBoxRow *child;

  while ((child = gtk_list_box_get_row_at_index (self->message_list, 0)) != NULL)
    gtk_list_box_remove (self->message_list, GTK_WIDGET (child));

  self->folder = find_folder (self, self->shown_account, self->shown_folder);
  show_source (self, NULL);

  if (self->folder == NULL)
    return;

  /* Newest first, as mail clients do; its source shows at once. */
  for (guint i = self->folder->messages->len; i > 0; i--)
    gtk_list_box_append (self->message_list, make_message_row (g_ptr_array_index (self->folder->messages, i - 1)));
  if (self->folder->messages->len > 0)
    gtk_list_box_select_row (self->message_list, gtk_list_box_get_row_at_index (self->message_list, 0));
}

static void
on_message_selected_cb (MrMailboxView *self,
                        GtkListBoxRow *row)
{
  int index;

  if (row == NULL || self->folder == NULL)
    return;

  index = gtk_list_box_row_get_index (row);
  if (index < 0 || (guint) index >= self->folder->messages->len)
    return;

  show_source (self, g_ptr_array_index (self->folder->messages, self->folder->messages->len - 1 - index));
}

static void
on_folder_selected_cb (MrMailboxView *self,
                       GtkListBoxRow *row)
{
  const char *account;
  const char *folder;

  if (row == NULL)
    return;

  account = g_object_get_data (G_OBJECT (row), "account");
  folder = g_object_get_data (G_OBJECT (row), "folder");
  if (account == NULL || folder == NULL)
    return;

  if (g_strcmp0 (account, self->shown_account) == 0 && g_strcmp0 (folder, self->shown_folder) == 0 &&
      self->folder != NULL)
    return;

  g_free (self->shown_account);
  g_free (self->shown_folder);
  self->shown_account = g_strdup (account);
  self->shown_folder = g_strdup (folder);
  show_folder (self);
}

static void
rebuild (MrMailboxView *self)
{
  GtkListBoxRow *child;
  GtkListBoxRow *select = NULL;

  while ((child = gtk_list_box_get_row_at_index (self->folder_list, 0)) != NULL)
    gtk_list_box_remove (self->folder_list, GTK_WIDGET (child));

  for (guint i = 0; i < self->accounts->len; i++)
    {
      MrAccountSnapshot *as = g_ptr_array_index (self->accounts, i);
      GtkWidget *header = gtk_label_new (as->display_name && as->display_name[0]
                                         ? as->display_name : as->address);
      GtkWidget *header_row = gtk_list_box_row_new ();

      gtk_label_set_xalign (GTK_LABEL (header), 0);
      gtk_widget_add_css_class (header, "heading");
      gtk_widget_set_tooltip_text (header, as->address);
      gtk_widget_set_margin_top (header, 6);
      gtk_list_box_row_set_child (GTK_LIST_BOX_ROW (header_row), header);
      gtk_list_box_row_set_selectable (GTK_LIST_BOX_ROW (header_row), FALSE);
      gtk_list_box_row_set_activatable (GTK_LIST_BOX_ROW (header_row), FALSE);
      gtk_list_box_append (self->folder_list, header_row);

      for (guint j = 0; j < as->folders->len; j++)
        {
          MrFolderSnapshot *fs = g_ptr_array_index (as->folders, j);
          GtkWidget *row = gtk_list_box_row_new ();
          GtkWidget *box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 6);
          GtkWidget *name = gtk_label_new (fs->name);
          g_autofree char *count = g_strdup_printf ("%u", fs->messages->len);
          GtkWidget *count_label = gtk_label_new (count);
          g_autofree char *a11y = g_strdup_printf (_("%s of %s, %u messages, %u unread"),
                                                   fs->name, as->address, fs->messages->len, fs->n_unseen);

          gtk_widget_set_margin_start (box, 12);
          gtk_label_set_xalign (GTK_LABEL (name), 0);
          gtk_widget_set_hexpand (name, TRUE);
          gtk_widget_add_css_class (count_label, "dim-label");
          if (fs->n_unseen > 0)
            gtk_widget_add_css_class (name, "heading");
          gtk_box_append (GTK_BOX (box), name);
          gtk_box_append (GTK_BOX (box), count_label);
          gtk_list_box_row_set_child (GTK_LIST_BOX_ROW (row), box);
          gtk_accessible_update_property (GTK_ACCESSIBLE (row), GTK_ACCESSIBLE_PROPERTY_LABEL, a11y, -1);
          g_object_set_data_full (G_OBJECT (row), "account", g_strdup (as->address), g_free);
          g_object_set_data_full (G_OBJECT (row), "folder", g_strdup (fs->name), g_free);
          gtk_list_box_append (self->folder_list, row);

          if (g_strcmp0 (as->address, self->shown_account) == 0 && g_strcmp0 (fs->name, self->shown_folder) == 0)
            select = GTK_LIST_BOX_ROW (row);
        }
    }

  self->folder = NULL;
  show_folder (self);
  if (select != NULL)
    {
      g_signal_handlers_block_by_func (self->folder_list, on_folder_selected_cb, self);
      gtk_list_box_select_row (self->folder_list, select);
      g_signal_handlers_unblock_by_func (self->folder_list, on_folder_selected_cb, self);
    }
}

static void
snapshot_cb (GObject      *object,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autoptr(MrMailboxView) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) accounts = NULL;

  accounts = mr_engine_thread_snapshot_store_finish (MR_ENGINE_THREAD (object), result, &error);
  self->pending = FALSE;

  if (accounts == NULL)
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        g_warning ("Could not read the mailboxes: %s", error->message);
      return;
    }

  g_clear_pointer (&self->accounts, g_ptr_array_unref);
  self->accounts = g_steal_pointer (&accounts);
  self->generation++;
  rebuild (self);

  if (self->again)
    {
      self->again = FALSE;
      mr_mailbox_view_refresh (self);
    }
}

void
mr_mailbox_view_refresh (MrMailboxView *self)
{
  g_return_if_fail (MR_IS_MAILBOX_VIEW (self));

  if (self->engine == NULL || !mr_engine_thread_get_running (self->engine))
    return;

  if (self->pending)
    {
      self->again = TRUE;
      return;
    }

  self->pending = TRUE;
  mr_engine_thread_snapshot_store_async (self->engine, self->cancellable, snapshot_cb, g_object_ref (self));
}

static void
refresh_action (GtkWidget  *widget,
                const char *action_name,
                GVariant   *param)
{
  mr_mailbox_view_refresh (MR_MAILBOX_VIEW (widget));
}

void
mr_mailbox_view_set_engine (MrMailboxView  *self,
                            MrEngineThread *engine)
{
  g_return_if_fail (MR_IS_MAILBOX_VIEW (self));

  if (g_set_object (&self->engine, engine))
    mr_mailbox_view_refresh (self);
}

guint
mr_mailbox_view_get_generation (MrMailboxView *self)
{
  g_return_val_if_fail (MR_IS_MAILBOX_VIEW (self), 0);
  return self->generation;
}

int
mr_mailbox_view_count_messages (MrMailboxView *self,
                                const char    *account,
                                const char    *folder)
{
  MrFolderSnapshot *fs;

  g_return_val_if_fail (MR_IS_MAILBOX_VIEW (self), -1);

  fs = find_folder (self, account, folder);
  return fs ? (int) fs->messages->len : -1;
}

gboolean
mr_mailbox_view_select_folder (MrMailboxView *self,
                               const char    *account,
                               const char    *folder)
{
  MrFolderSnapshot *fs;

  g_return_val_if_fail (MR_IS_MAILBOX_VIEW (self), FALSE);

  fs = find_folder (self, account, folder);
  if (fs == NULL)
    return FALSE;

  g_free (self->shown_account);
  g_free (self->shown_folder);
  self->shown_account = g_strdup (account);
  self->shown_folder = g_strdup (fs->name);
  rebuild (self);

  return TRUE;
}

void
mr_mailbox_view_select_message (MrMailboxView *self,
                                guint          index)
{
  GtkListBoxRow *row;

  g_return_if_fail (MR_IS_MAILBOX_VIEW (self));

  row = gtk_list_box_get_row_at_index (self->message_list, index);
  if (row != NULL)
    gtk_list_box_select_row (self->message_list, row);
}

char *
mr_mailbox_view_dup_source (MrMailboxView *self)
{
  GtkTextBuffer *buffer;
  GtkTextIter start, end;

  g_return_val_if_fail (MR_IS_MAILBOX_VIEW (self), NULL);

  buffer = gtk_text_view_get_buffer (self->source_view);
  gtk_text_buffer_get_bounds (buffer, &start, &end);
  return gtk_text_buffer_get_text (buffer, &start, &end, FALSE);
}

const char *
mr_mailbox_view_get_subject (MrMailboxView *self,
                             guint          index)
{
  MrMessageSnapshot *message;

  g_return_val_if_fail (MR_IS_MAILBOX_VIEW (self), NULL);

  if (self->folder == NULL || index >= self->folder->messages->len)
    return NULL;

  message = g_ptr_array_index (self->folder->messages, self->folder->messages->len - 1 - index);
  return message->subject;
}

static void
mr_mailbox_view_dispose (GObject *object)
{
  MrMailboxView *self = (MrMailboxView *)object;

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  g_clear_object (&self->engine);
  gtk_widget_dispose_template (GTK_WIDGET (self), MR_TYPE_MAILBOX_VIEW);
  /* The template's root is not a bound child: unparent it by hand. */
  {
    GtkWidget *child;

    while ((child = gtk_widget_get_first_child (GTK_WIDGET (self))) != NULL)
      gtk_widget_unparent (child);
  }

  G_OBJECT_CLASS (mr_mailbox_view_parent_class)->dispose (object);
}

static void
mr_mailbox_view_finalize (GObject *object)
{
  MrMailboxView *self = (MrMailboxView *)object;

  g_clear_pointer (&self->accounts, g_ptr_array_unref);
  g_free (self->shown_account);
  g_free (self->shown_folder);

  G_OBJECT_CLASS (mr_mailbox_view_parent_class)->finalize (object);
}

static void
mr_mailbox_view_class_init (MrMailboxViewClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = mr_mailbox_view_dispose;
  object_class->finalize = mr_mailbox_view_finalize;

  gtk_widget_class_set_template_from_resource (widget_class, "/io/github/mailroomlab/Mailroom/ui/mr-mailbox-view.ui");
  gtk_widget_class_bind_template_child (widget_class, MrMailboxView, folder_list);
  gtk_widget_class_bind_template_child (widget_class, MrMailboxView, message_list);
  gtk_widget_class_bind_template_child (widget_class, MrMailboxView, source_view);

  gtk_widget_class_install_action (widget_class, "mailboxes.refresh", NULL, refresh_action);
  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_css_name (widget_class, "mailboxview");
}

static void
mr_mailbox_view_init (MrMailboxView *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  self->cancellable = g_cancellable_new ();
  self->accounts = g_ptr_array_new_with_free_func ((GDestroyNotify) mr_account_snapshot_free);
  self->shown_account = g_strdup ("bob@recipient.example");
  self->shown_folder = g_strdup ("INBOX");

  g_signal_connect_object (self->folder_list, "row-selected", G_CALLBACK (on_folder_selected_cb),
                           self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->message_list, "row-selected", G_CALLBACK (on_message_selected_cb),
                           self, G_CONNECT_SWAPPED);
}

GtkWidget *
mr_mailbox_view_new (void)
{
  return g_object_new (MR_TYPE_MAILBOX_VIEW, NULL);
}
