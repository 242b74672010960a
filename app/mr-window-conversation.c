/* mr-window-conversation.c: one conversation across the teaching views
 *
 * Copyright 2026 The Mailroom authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "mr-window-conversation"

#include "config.h"

#include <glib/gi18n.h>

#include "mr-window-private.h"

/* win.show-conversation (t): the state, wire and eavesdropper views and
 * the transcript's filter show conversation @param; 0 follows the newest
 * conversation again (and shows every line in the transcript). */
static void
show_conversation_action (GtkWidget  *widget,
                          const char *action_name,
                          GVariant   *param)
{
  MrWindow *self = (MrWindow *)widget;
  guint64 id = g_variant_get_uint64 (param);

  g_assert (MR_IS_WINDOW (self));

  mr_state_view_set_conversation (self->state_view, id);
  mr_wire_view_set_conversation (self->wire_view, id);
  mr_eavesdropper_view_set_conversation (self->eavesdropper_view, id);
  mr_transcript_view_set_filter (self->transcript_view, MR_PROTOCOL_NONE, id);
}

void
_mr_window_class_conversation_init (GtkWidgetClass *widget_class)
{
  gtk_widget_class_install_action (widget_class, "win.show-conversation", "t", show_conversation_action);
}
