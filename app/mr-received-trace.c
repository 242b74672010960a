/* mr-received-trace.c
 *
 * Copyright 2026 The Mailroom authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "mr-received-trace"

#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "mr-event-model.h"
#include "mr-received-trace.h"

#define MAX_HOPS 100

void
mr_received_hop_free (MrReceivedHop *hop)
{
  if (hop == NULL)
    return;
  g_free (hop->from);
  g_free (hop->by);
  g_free (hop->with);
  g_free (hop->id);
  g_free (hop->date);
  g_free (hop);
}

/* The word after @keyword (" by "...) in @line, or NULL. */
static char *
word_after (const char *line,
            const char *keyword)
{
  gsize klen = strlen (keyword);

  for (const char *p = line; (p = strstr (p, keyword)) != NULL; p += klen)
    {
      /* A keyword starts the line or follows a space */
      if (p != line && p[-1] != ' ')
        continue;
      p += klen;
      while (*p == ' ')
        p++;
      if (*p == '\0' || *p == ';')
        return NULL;
      return g_strndup (p, strcspn (p, " ;"));
    }
  return NULL;
}

static MrReceivedHop *
parse_one (const char *value)
{
  MrReceivedHop *hop = g_new0 (MrReceivedHop, 1);
  g_autofree char *spaced = g_strdelimit (g_strdup (value), "\t", ' ');
  const char *semicolon = strrchr (spaced, ';');
  g_autofree char *clauses = semicolon ? g_strndup (spaced, semicolon - spaced) : g_strdup (spaced);

  /* RFC 5321 4.4: "from" Extended-Domain, "by" Domain, "with" Protocol,
   * "id", then ";" date-time */
  hop->from = word_after (clauses, "from");
  hop->by = word_after (clauses, "by");
  hop->with = word_after (clauses, "with");
  hop->id = word_after (clauses, "id");
  if (semicolon != NULL)
    hop->date = g_strstrip (g_strdup (semicolon + 1));
  return hop;
}

GPtrArray *
mr_received_parse_hops (const char *message,
                        gsize       len)
{
  GPtrArray *hops = g_ptr_array_new_with_free_func ((GDestroyNotify) mr_received_hop_free);
  g_autoptr(GString) field = NULL;
  gsize pos = 0;

  g_return_val_if_fail (message != NULL || len == 0, hops);

  /* Walk header lines; a line starting with space/tab continues the field */
  while (pos < len)
    {
      const char *nl = memchr (message + pos, '\n', len - pos);
      gsize end = nl ? (gsize) (nl - message) : len;
      gsize text_end = end > pos && message[end - 1] == '\r' ? end - 1 : end;
      gboolean continuation = text_end > pos && (message[pos] == ' ' || message[pos] == '\t');
      gboolean blank = text_end == pos;

      if (!continuation && field != NULL)
        {
          if (hops->len < MAX_HOPS)
            {
              g_autofree char *valid = g_utf8_make_valid (field->str, field->len);
              g_ptr_array_insert (hops, 0, parse_one (valid));
            }
          g_string_free (g_steal_pointer (&field), TRUE);
        }
      if (blank)
        break;

      if (continuation && field != NULL)
        {
          g_string_append_c (field, ' ');
          g_string_append_len (field, message + pos, text_end - pos);
        }
      else if (!continuation && text_end - pos > 9 &&
               g_ascii_strncasecmp (message + pos, "Received:", 9) == 0)
        field = g_string_new_len (message + pos + 9, text_end - pos - 9);

      pos = nl ? end + 1 : len;
    }

  if (field != NULL && hops->len < MAX_HOPS)
    {
      g_autofree char *valid = g_utf8_make_valid (field->str, field->len);
      g_ptr_array_insert (hops, 0, parse_one (valid));
    }

  /* tabs from folding become spaces for the reader */
  for (guint i = 0; i < hops->len; i++)
    {
      MrReceivedHop *hop = g_ptr_array_index (hops, i);

      if (hop->date != NULL)
        g_strdelimit (hop->date, "\t", ' ');
    }
  return hops;
}

struct _MrReceivedTrace
{
  GtkWidget     parent_instance;

  /* Borrowed */
  MrEventModel *model;

  /* Owned */
  GStrv         hosts;
  GStrv         labels;       /* one per arrow: "ESMTPSA 10:04" */
  guint         n_seen;
};

enum {
  PROP_0,
  PROP_HOSTS,
  N_PROPS
};

static GParamSpec *properties [N_PROPS];

G_DEFINE_FINAL_TYPE (MrReceivedTrace, mr_received_trace, GTK_TYPE_WIDGET)

static void
show_event (MrReceivedTrace *self,
            const MrEvent   *event)
{
  g_autoptr(GStrvBuilder) hosts = g_strv_builder_new ();
  g_autoptr(GStrvBuilder) labels = g_strv_builder_new ();
  g_autoptr(GPtrArray) hops = NULL;
  gsize size = 0;
  const char *data = g_bytes_get_data (event->content, &size);
  const char *last = NULL;

  hops = mr_received_parse_hops (data, size);
  for (guint i = 0; i < hops->len; i++)
    {
      MrReceivedHop *hop = g_ptr_array_index (hops, i);

      if (last == NULL || g_strcmp0 (last, hop->from) != 0)
        g_strv_builder_add (hosts, hop->from ? hop->from : "?");
      g_strv_builder_add (hosts, hop->by ? hop->by : "?");
      g_strv_builder_add (labels, hop->with ? hop->with : "");
      last = hop->by;
    }
  /* The hop the message is on now */
  if (last == NULL || g_strcmp0 (last, event->client) != 0)
    {
      if (hops->len > 0)
        g_strv_builder_add (labels, "");
      g_strv_builder_add (hosts, event->client ? event->client : "?");
    }
  g_strv_builder_add (hosts, event->server ? event->server : "?");
  g_strv_builder_add (labels, _("this wire"));

  g_clear_pointer (&self->hosts, g_strfreev);
  g_clear_pointer (&self->labels, g_strfreev);
  self->hosts = g_strv_builder_end (hosts);
  self->labels = g_strv_builder_end (labels);
  gtk_widget_queue_draw (GTK_WIDGET (self));
  g_object_notify_by_pspec (G_OBJECT (self), properties [PROP_HOSTS]);
}

static void
on_items_changed_cb (MrReceivedTrace *self,
                     guint            position,
                     guint            removed,
                     guint            added)
{
  guint n = mr_event_model_get_n_events (self->model);

  if (removed > 0)
    self->n_seen = 0;

  /* The newest SMTP message content among the new events */
  for (guint i = n; i > self->n_seen; i--)
    {
      MrEvent *event = mr_event_model_get_event (self->model, i - 1);

      if (event->kind == MR_EVENT_CONTENT && event->protocol == MR_PROTOCOL_SMTP &&
          event->direction == MR_DIRECTION_TO_SERVER && event->content != NULL)
        {
          show_event (self, event);
          break;
        }
    }
  self->n_seen = n;
}

static void
mr_received_trace_snapshot (GtkWidget   *widget,
                            GtkSnapshot *snapshot)
{
  MrReceivedTrace *self = (MrReceivedTrace *)widget;
  int width = gtk_widget_get_width (widget);
  int height = gtk_widget_get_height (widget);
  guint n = self->hosts ? g_strv_length (self->hosts) : 0;
  GdkRGBA fg;
  cairo_t *cr;
  double slot, box_w, y;

  gtk_style_context_get_color (gtk_widget_get_style_context (widget), &fg);
  cr = gtk_snapshot_append_cairo (snapshot, &GRAPHENE_RECT_INIT (0, 0, width, height));
  y = height / 2.0;

  if (n == 0)
    {
      g_autoptr(PangoLayout) layout = gtk_widget_create_pango_layout (widget, _("No message has crossed a wire yet"));

      cairo_set_source_rgba (cr, fg.red, fg.green, fg.blue, 0.55);
      cairo_move_to (cr, 8, y - 8);
      pango_cairo_show_layout (cr, layout);
      cairo_destroy (cr);
      return;
    }

  slot = width / (double) n;
  box_w = MIN (slot * 0.8, 220);
  cairo_set_line_width (cr, 2);

  for (guint i = 0; i < n; i++)
    {
      double x = slot * (i + 0.5);
      g_autoptr(PangoLayout) layout = gtk_widget_create_pango_layout (widget, self->hosts[i]);
      int tw, th;

      cairo_rectangle (cr, x - box_w / 2, y - 18, box_w, 36);
      cairo_set_source_rgba (cr, 0.208, 0.518, 0.894, 0.12);
      cairo_fill_preserve (cr);
      cairo_set_source_rgba (cr, fg.red, fg.green, fg.blue, 0.7);
      cairo_stroke (cr);

      pango_layout_set_width (layout, (int) (box_w - 8) * PANGO_SCALE);
      pango_layout_set_ellipsize (layout, PANGO_ELLIPSIZE_MIDDLE);
      pango_layout_set_alignment (layout, PANGO_ALIGN_CENTER);
      pango_layout_get_pixel_size (layout, &tw, &th);
      cairo_set_source_rgba (cr, fg.red, fg.green, fg.blue, 1);
      cairo_move_to (cr, x - (box_w - 8) / 2, y - th / 2.0);
      pango_cairo_show_layout (cr, layout);
      cairo_new_path (cr);

      if (i + 1 < n)
        {
          double x2 = slot * (i + 1.5) - box_w / 2;
          const char *label = self->labels && i < g_strv_length (self->labels) ? self->labels[i] : "";
          g_autoptr(PangoLayout) arrow_label = gtk_widget_create_pango_layout (widget, label);
          int lw, lh;

          cairo_move_to (cr, x + box_w / 2, y);
          cairo_line_to (cr, x2 - 2, y);
          cairo_stroke (cr);
          cairo_move_to (cr, x2, y);
          cairo_line_to (cr, x2 - 9, y - 5);
          cairo_line_to (cr, x2 - 9, y + 5);
          cairo_close_path (cr);
          cairo_fill (cr);
          pango_layout_get_pixel_size (arrow_label, &lw, &lh);
          cairo_move_to (cr, (x + box_w / 2 + x2) / 2 - lw / 2.0, y - 20 - lh);
          pango_cairo_show_layout (cr, arrow_label);
          cairo_new_path (cr);
        }
    }
  cairo_destroy (cr);
}

static void
mr_received_trace_get_property (GObject    *object,
                                guint       prop_id,
                                GValue     *value,
                                GParamSpec *pspec)
{
  MrReceivedTrace *self = MR_RECEIVED_TRACE (object);

  switch (prop_id)
    {
    case PROP_HOSTS:
      g_value_set_boxed (value, self->hosts);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
mr_received_trace_measure (GtkWidget      *widget,
                           GtkOrientation  orientation,
                           int             for_size,
                           int            *minimum,
                           int            *natural,
                           int            *minimum_baseline,
                           int            *natural_baseline)
{
  *minimum = orientation == GTK_ORIENTATION_HORIZONTAL ? 200 : 90;
  *natural = orientation == GTK_ORIENTATION_HORIZONTAL ? 800 : 90;
}

static void
mr_received_trace_dispose (GObject *object)
{
  MrReceivedTrace *self = (MrReceivedTrace *)object;

  if (self->model != NULL)
    g_signal_handlers_disconnect_by_data (self->model, self);
  g_clear_object (&self->model);

  G_OBJECT_CLASS (mr_received_trace_parent_class)->dispose (object);
}

static void
mr_received_trace_finalize (GObject *object)
{
  MrReceivedTrace *self = (MrReceivedTrace *)object;

  g_clear_pointer (&self->hosts, g_strfreev);
  g_clear_pointer (&self->labels, g_strfreev);

  G_OBJECT_CLASS (mr_received_trace_parent_class)->finalize (object);
}

static void
mr_received_trace_class_init (MrReceivedTraceClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = mr_received_trace_dispose;
  object_class->finalize = mr_received_trace_finalize;
  object_class->get_property = mr_received_trace_get_property;

  /* The hosts of the newest message's path, oldest hop first. */
  properties [PROP_HOSTS] =
    g_param_spec_boxed ("hosts", NULL, NULL, G_TYPE_STRV,
                        (G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));
  g_object_class_install_properties (object_class, N_PROPS, properties);

  widget_class->snapshot = mr_received_trace_snapshot;
  widget_class->measure = mr_received_trace_measure;
  gtk_widget_class_set_css_name (widget_class, "receivedtrace");
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_IMG);
}

static void
mr_received_trace_init (MrReceivedTrace *self)
{
  gtk_widget_set_hexpand (GTK_WIDGET (self), TRUE);
}

GtkWidget *
mr_received_trace_new (void)
{
  return g_object_new (MR_TYPE_RECEIVED_TRACE, NULL);
}

void
mr_received_trace_set_model (MrReceivedTrace *self,
                             MrEventModel    *model)
{
  g_return_if_fail (MR_IS_RECEIVED_TRACE (self));
  g_return_if_fail (!model || MR_IS_EVENT_MODEL (model));

  if (self->model != NULL)
    g_signal_handlers_disconnect_by_data (self->model, self);
  g_set_object (&self->model, model);
  self->n_seen = 0;
  if (model != NULL)
    {
      g_signal_connect_object (model, "items-changed", G_CALLBACK (on_items_changed_cb),
                               self, G_CONNECT_SWAPPED);
      on_items_changed_cb (self, 0, 0, mr_event_model_get_n_events (model));
    }
}

GStrv
mr_received_trace_get_hosts (MrReceivedTrace *self)
{
  g_return_val_if_fail (MR_IS_RECEIVED_TRACE (self), NULL);
  return self->hosts;
}
