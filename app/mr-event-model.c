/* mr-event-model.c
 *
 * Copyright 2026 The Mailroom authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "mr-event-model"

#include "config.h"

#include <string.h>

#include "mr-event-model.h"

struct _MrEventItem
{
  GObject  parent_instance;
  MrEvent *event;
};

G_DEFINE_FINAL_TYPE (MrEventItem, mr_event_item, G_TYPE_OBJECT)

static void
mr_event_item_finalize (GObject *object)
{
  MrEventItem *self = (MrEventItem *)object;

  g_clear_pointer (&self->event, mr_event_unref);

  G_OBJECT_CLASS (mr_event_item_parent_class)->finalize (object);
}

static void
mr_event_item_class_init (MrEventItemClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = mr_event_item_finalize;
}

static void
mr_event_item_init (MrEventItem *self)
{
}

static MrEventItem *
mr_event_item_new (MrEvent *event)
{
  MrEventItem *self = g_object_new (MR_TYPE_EVENT_ITEM, NULL);

  self->event = mr_event_ref (event);
  return self;
}

MrEvent *
mr_event_item_get_event (MrEventItem *self)
{
  g_return_val_if_fail (MR_IS_EVENT_ITEM (self), NULL);
  return self->event;
}

struct _MrEventModel
{
  GObject    parent_instance;
  GPtrArray *events;
};

static GType
mr_event_model_get_item_type (GListModel *model)
{
  return MR_TYPE_EVENT_ITEM;
}

static guint
mr_event_model_get_n_items (GListModel *model)
{
  return MR_EVENT_MODEL (model)->events->len;
}

static gpointer
mr_event_model_get_item (GListModel *model,
                         guint       position)
{
  MrEventModel *self = MR_EVENT_MODEL (model);

  if (position >= self->events->len)
    return NULL;

  return mr_event_item_new (g_ptr_array_index (self->events, position));
}

static void
list_model_iface_init (GListModelInterface *iface)
{
  iface->get_item_type = mr_event_model_get_item_type;
  iface->get_n_items = mr_event_model_get_n_items;
  iface->get_item = mr_event_model_get_item;
}

G_DEFINE_FINAL_TYPE_WITH_CODE (MrEventModel, mr_event_model, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (G_TYPE_LIST_MODEL, list_model_iface_init))

static void
mr_event_model_finalize (GObject *object)
{
  MrEventModel *self = (MrEventModel *)object;

  g_clear_pointer (&self->events, g_ptr_array_unref);

  G_OBJECT_CLASS (mr_event_model_parent_class)->finalize (object);
}

static void
mr_event_model_class_init (MrEventModelClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = mr_event_model_finalize;
}

static void
mr_event_model_init (MrEventModel *self)
{
  self->events = g_ptr_array_new_with_free_func ((GDestroyNotify) mr_event_unref);
}

MrEventModel *
mr_event_model_new (void)
{
  return g_object_new (MR_TYPE_EVENT_MODEL, NULL);
}

void
mr_event_model_append (MrEventModel *self,
                       GPtrArray    *events)
{
  guint position;

  g_return_if_fail (MR_IS_EVENT_MODEL (self));

  if (events == NULL || events->len == 0)
    return;

  position = self->events->len;
  for (guint i = 0; i < events->len; i++)
    g_ptr_array_add (self->events, mr_event_ref (g_ptr_array_index (events, i)));

  g_list_model_items_changed (G_LIST_MODEL (self), position, 0, events->len);
}

void
mr_event_model_clear (MrEventModel *self)
{
  guint n;

  g_return_if_fail (MR_IS_EVENT_MODEL (self));

  n = self->events->len;
  if (n == 0)
    return;
  g_ptr_array_set_size (self->events, 0);
  g_list_model_items_changed (G_LIST_MODEL (self), 0, n, 0);
}

guint
mr_event_model_get_n_events (MrEventModel *self)
{
  g_return_val_if_fail (MR_IS_EVENT_MODEL (self), 0);
  return self->events->len;
}

MrEvent *
mr_event_model_get_event (MrEventModel *self,
                          guint         position)
{
  g_return_val_if_fail (MR_IS_EVENT_MODEL (self), NULL);
  g_return_val_if_fail (position < self->events->len, NULL);
  return g_ptr_array_index (self->events, position);
}

guint
mr_event_classify (const MrEvent *event)
{
  guint klass;

  if (event->kind != MR_EVENT_LINE || event->direction != MR_DIRECTION_TO_CLIENT)
    return 0;

  klass = mr_event_get_reply_class (event);
  if (klass >= 2 && klass <= 5)
    return klass;

  /* POP3 +OK/-ERR (RFC 1939 3), IMAP OK/NO/BAD (RFC 3501 7.1) and the
   * continuation requests of both. */
  if (event->flags & MR_EVENT_FLAG_CONTINUATION)
    return 3;
  if (event->flags & MR_EVENT_FLAG_ERROR)
    return 5;
  return 2;
}

char *
mr_event_dup_label (const MrEvent *event)
{
  const char *text = event->text ? event->text : "";

  switch (event->kind)
    {
    case MR_EVENT_CONNECT:
      return g_strdup ("connect");
    case MR_EVENT_DISCONNECT:
      return g_strdup ("close");
    case MR_EVENT_TLS:
      return g_strdup ("TLS");
    case MR_EVENT_CONTENT:
      return g_strdup ("message");
    case MR_EVENT_NOTE:
      return g_strdup ("note");
    case MR_EVENT_LINE:
    default:
      break;
    }

  if (event->direction == MR_DIRECTION_TO_SERVER)
    {
      if (event->verb != NULL)
        return g_strdup (event->verb);
      return g_strndup (text, strcspn (text, " "));
    }

  if (event->code != 0)
    return g_strdup_printf ("%u", event->code);

  /* IMAP (RFC 3501 7): "a1 OK ..." -> "OK"; "* 3 EXISTS" -> "* EXISTS";
   * "+ ..." -> "+". POP3: "+OK", "-ERR". */
  if (event->protocol == MR_PROTOCOL_IMAP)
    {
      const char *rest = text;

      if (text[0] == '+')
        return g_strdup ("+");

      if (event->tag != NULL && g_str_has_prefix (text, event->tag))
        rest = text + strlen (event->tag);
      else
        rest = text + strcspn (text, " ");      /* the tag or "*" */
      while (*rest == ' ')
        rest++;
      if (text[0] == '*')
        {
          while (g_ascii_isdigit (*rest))
            rest++;
          while (*rest == ' ')
            rest++;
          return g_strdup_printf ("* %.*s", (int) MIN (strcspn (rest, " "), 12), rest);
        }
      if (*rest != '\0')
        return g_strndup (rest, MIN (strcspn (rest, " "), 12));
    }

  return g_strndup (text, MIN (strcspn (text, " "), 12));
}

const char *
mr_event_class_color (guint reply_class)
{
  switch (reply_class)
    {
    case 2: return "#2ec27e";   /* green: success */
    case 3: return "#3584e4";   /* blue: go on */
    case 4: return "#e5a50a";   /* amber: try later */
    case 5: return "#e01b24";   /* red: refused */
    default: return "#9141ac";  /* purple: a command */
    }
}
