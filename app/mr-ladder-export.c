/* mr-ladder-export.c
 *
 * Copyright 2026 The Mailroom authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "mr-ladder-export"

#include "config.h"

#include <cairo.h>
#include <glib/gi18n.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "mr-event-model.h"
#include "mr-ladder-export.h"

#define LANE_WIDTH   280
#define MARGIN       120
#define HEADER_H      70
#define ROW_H         30

typedef enum
{
  ROW_ARROW,
  ROW_CAPTION,
} RowKind;

/* One row of the diagram, laid out once for both backends. */
typedef struct
{
  RowKind     kind;
  double      x1, x2;        /* arrow: from, to; caption: centre in x1 */
  const char *color;
  char       *label;
  gboolean    dashed;        /* encrypted */
} Row;

typedef struct
{
  GPtrArray *hosts;           /* char*, lifeline order */
  GArray    *rows;            /* Row */
  double     width;
  double     height;
} Layout;

static void
row_clear (gpointer data)
{
  Row *row = data;

  g_free (row->label);
}

static void
layout_free (Layout *layout)
{
  g_ptr_array_unref (layout->hosts);
  g_array_unref (layout->rows);
  g_free (layout);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Layout, layout_free)

static double
lane_x (Layout     *layout,
        const char *host)
{
  guint index;

  if (host == NULL)
    host = "?";
  if (!g_ptr_array_find_with_equal_func (layout->hosts, host, g_str_equal, &index))
    {
      g_ptr_array_add (layout->hosts, g_strdup (host));
      index = layout->hosts->len - 1;
    }
  return MARGIN + LANE_WIDTH / 2.0 + index * LANE_WIDTH;
}

static char *
arrow_label (const MrEvent *event)
{
  const char *text = event->text ? event->text : "";

  if (event->kind == MR_EVENT_CONTENT && text[0] != '[')
    return g_strdup_printf ("[%s]", text);
  /* Long lines are cut: the handout shows the verb and the reply */
  if (g_utf8_strlen (text, -1) > 34)
    {
      g_autofree char *cut = g_utf8_substring (text, 0, 33);
      return g_strdup_printf ("%s\u2026", cut);
    }
  return g_strdup (text);
}

static Layout *
layout_events (GListModel *events,
               guint64     conversation_id,
               guint       max_rows)
{
  Layout *layout = g_new0 (Layout, 1);
  guint n = g_list_model_get_n_items (events);
  guint first = 0;

  layout->hosts = g_ptr_array_new_with_free_func (g_free);
  layout->rows = g_array_new (FALSE, TRUE, sizeof (Row));
  g_array_set_clear_func (layout->rows, row_clear);

  if (max_rows > 0)
    {
      guint kept = 0;

      for (first = n; first > 0 && kept < max_rows; first--)
        {
          g_autoptr(MrEventItem) item = g_list_model_get_item (events, first - 1);
          MrEvent *event = mr_event_item_get_event (item);

          if (conversation_id == 0 || event->conversation_id == conversation_id)
            kept++;
        }
    }

  for (guint i = first; i < n; i++)
    {
      g_autoptr(MrEventItem) item = g_list_model_get_item (events, i);
      MrEvent *event = mr_event_item_get_event (item);
      Row row = { 0 };
      double client_x, server_x;

      if (conversation_id != 0 && event->conversation_id != conversation_id)
        continue;

      /* Lifelines in order of appearance: the client left of its server */
      client_x = lane_x (layout, event->client ? event->client : event->server);
      server_x = lane_x (layout, event->server ? event->server : event->client);

      if ((event->kind == MR_EVENT_LINE || event->kind == MR_EVENT_CONTENT) &&
          event->direction != MR_DIRECTION_NONE)
        {
          row.kind = ROW_ARROW;
          row.x1 = event->direction == MR_DIRECTION_TO_SERVER ? client_x : server_x;
          row.x2 = event->direction == MR_DIRECTION_TO_SERVER ? server_x : client_x;
          row.color = mr_event_class_color (mr_event_classify (event));
          row.label = arrow_label (event);
          row.dashed = (event->flags & MR_EVENT_FLAG_ENCRYPTED) != 0;
        }
      else
        {
          row.kind = ROW_CAPTION;
          row.x1 = (client_x + server_x) / 2;
          row.color = event->kind == MR_EVENT_TLS ? "#2ec27e" : "#77767b";
          switch (event->kind)
            {
            case MR_EVENT_CONNECT: row.label = g_strdup_printf ("connect %s", event->text ? event->text : ""); break;
            case MR_EVENT_DISCONNECT: row.label = g_strdup_printf ("closed (%s)", event->text ? event->text : ""); break;
            case MR_EVENT_TLS: row.label = g_strdup ("TLS: encrypted from here"); break;
            case MR_EVENT_NOTE:
            case MR_EVENT_LINE:
            case MR_EVENT_CONTENT:
            default:
              {
                const char *text = event->text ? event->text : "";

                /* GLib 2.74's g_utf8_substring() reads past a string
                 * shorter than the end position. */
                row.label = g_utf8_strlen (text, -1) > 70 ? g_utf8_substring (text, 0, 70)
                                                          : g_strdup (text);
              }
              break;
            }
        }
      g_array_append_val (layout->rows, row);
    }

  layout->width = MAX (1, layout->hosts->len) * LANE_WIDTH + 2 * MARGIN;
  layout->height = HEADER_H + (layout->rows->len + 1) * ROW_H + MARGIN;
  return layout;
}

static void
append_escaped (GString    *svg,
                const char *text)
{
  g_autofree char *escaped = g_markup_escape_text (text, -1);

  g_string_append (svg, escaped);
}

char *
mr_ladder_export_svg (GListModel *events,
                      guint64     conversation_id)
{
  g_autoptr(Layout) layout = NULL;
  GString *svg;

  g_return_val_if_fail (G_IS_LIST_MODEL (events), NULL);

  layout = layout_events (events, conversation_id, 0);
  svg = g_string_new ("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
  g_string_append_printf (svg,
                          "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%.0f\" height=\"%.0f\" "
                          "viewBox=\"0 0 %.0f %.0f\" font-family=\"monospace\" font-size=\"13\">\n",
                          layout->width, layout->height, layout->width, layout->height);
  g_string_append (svg, "<title>Mailroom ladder diagram</title>\n"
                        "<defs><marker id=\"head\" viewBox=\"0 0 10 10\" refX=\"10\" refY=\"5\" "
                        "markerWidth=\"8\" markerHeight=\"8\" orient=\"auto-start-reverse\">"
                        "<path d=\"M0,0 L10,5 L0,10 z\" fill=\"context-stroke\"/></marker></defs>\n"
                        "<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n");

  for (guint i = 0; i < layout->hosts->len; i++)
    {
      double x = MARGIN + LANE_WIDTH / 2.0 + i * LANE_WIDTH;

      g_string_append_printf (svg, "<g class=\"lifeline\"><text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\" "
                                   "font-weight=\"bold\">", x, HEADER_H - 30);
      append_escaped (svg, g_ptr_array_index (layout->hosts, i));
      g_string_append_printf (svg, "</text><line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%.0f\" "
                                   "stroke=\"#9a9996\" stroke-width=\"2\"/></g>\n",
                              x, HEADER_H - 16, x, layout->height - MARGIN / 2.0);
    }

  for (guint i = 0; i < layout->rows->len; i++)
    {
      Row *row = &g_array_index (layout->rows, Row, i);
      double y = HEADER_H + (i + 1) * ROW_H;

      if (row->kind == ROW_ARROW)
        {
          g_string_append_printf (svg, "<g class=\"event\"><line class=\"arrow\" x1=\"%.1f\" y1=\"%.1f\" "
                                       "x2=\"%.1f\" y2=\"%.1f\" stroke=\"%s\" stroke-width=\"2\"%s "
                                       "marker-end=\"url(#head)\"/>",
                                  row->x1, y, row->x2, y, row->color,
                                  row->dashed ? " stroke-dasharray=\"6 4\"" : "");
          g_string_append_printf (svg, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\" fill=\"%s\">",
                                  (row->x1 + row->x2) / 2, y - 5, row->color);
          append_escaped (svg, row->label);
          g_string_append (svg, "</text></g>\n");
        }
      else
        {
          g_string_append_printf (svg, "<text class=\"caption\" x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\" "
                                       "fill=\"%s\" font-style=\"italic\">", row->x1, y, row->color);
          append_escaped (svg, row->label);
          g_string_append (svg, "</text>\n");
        }
    }

  g_string_append (svg, "</svg>\n");
  return g_string_free (svg, FALSE);
}

static void
set_color (cairo_t    *cr,
           const char *color)
{
  guint r = 0, g = 0, b = 0;

  if (color != NULL && sscanf (color, "#%02x%02x%02x", &r, &g, &b) == 3)
    cairo_set_source_rgb (cr, r / 255.0, g / 255.0, b / 255.0);
  else
    cairo_set_source_rgb (cr, 0, 0, 0);
}

static void
show_centered (cairo_t    *cr,
               const char *text,
               double      x,
               double      y)
{
  cairo_text_extents_t extents;

  cairo_text_extents (cr, text, &extents);
  cairo_move_to (cr, x - extents.width / 2 - extents.x_bearing, y);
  cairo_show_text (cr, text);
  cairo_new_path (cr);
}

gboolean
mr_ladder_export_png (GListModel  *events,
                      guint64      conversation_id,
                      const char  *path,
                      GError     **error)
{
  g_autoptr(Layout) layout = NULL;
  cairo_surface_t *surface;
  cairo_status_t status;
  cairo_t *cr;

  g_return_val_if_fail (G_IS_LIST_MODEL (events), FALSE);
  g_return_val_if_fail (path != NULL, FALSE);

  layout = layout_events (events, conversation_id, MR_LADDER_EXPORT_MAX_PNG_ROWS);
  surface = cairo_image_surface_create (CAIRO_FORMAT_RGB24, (int) layout->width, (int) layout->height);
  cr = cairo_create (surface);
  cairo_set_source_rgb (cr, 1, 1, 1);
  cairo_paint (cr);
  cairo_select_font_face (cr, "monospace", CAIRO_FONT_SLANT_NORMAL, CAIRO_FONT_WEIGHT_NORMAL);
  cairo_set_font_size (cr, 13);

  for (guint i = 0; i < layout->hosts->len; i++)
    {
      double x = MARGIN + LANE_WIDTH / 2.0 + i * LANE_WIDTH;

      cairo_set_source_rgb (cr, 0.2, 0.2, 0.2);
      cairo_select_font_face (cr, "sans-serif", CAIRO_FONT_SLANT_NORMAL, CAIRO_FONT_WEIGHT_BOLD);
      show_centered (cr, g_ptr_array_index (layout->hosts, i), x, HEADER_H - 30);
      set_color (cr, "#9a9996");
      cairo_set_line_width (cr, 2);
      cairo_move_to (cr, x, HEADER_H - 16);
      cairo_line_to (cr, x, layout->height - MARGIN / 2.0);
      cairo_stroke (cr);
    }

  cairo_select_font_face (cr, "monospace", CAIRO_FONT_SLANT_NORMAL, CAIRO_FONT_WEIGHT_NORMAL);
  for (guint i = 0; i < layout->rows->len; i++)
    {
      Row *row = &g_array_index (layout->rows, Row, i);
      double y = HEADER_H + (i + 1) * ROW_H;

      set_color (cr, row->color);
      if (row->kind == ROW_ARROW)
        {
          double dir = row->x2 > row->x1 ? 1 : -1;
          double dashes[] = { 6, 4 };

          if (row->dashed)
            cairo_set_dash (cr, dashes, 2, 0);
          cairo_move_to (cr, row->x1, y);
          cairo_line_to (cr, row->x2 - dir * 6, y);
          cairo_stroke (cr);
          cairo_set_dash (cr, NULL, 0, 0);
          cairo_move_to (cr, row->x2, y);
          cairo_line_to (cr, row->x2 - dir * 10, y - 5);
          cairo_line_to (cr, row->x2 - dir * 10, y + 5);
          cairo_close_path (cr);
          cairo_fill (cr);
          show_centered (cr, row->label, (row->x1 + row->x2) / 2, y - 6);
        }
      else
        {
          cairo_select_font_face (cr, "sans-serif", CAIRO_FONT_SLANT_ITALIC, CAIRO_FONT_WEIGHT_NORMAL);
          show_centered (cr, row->label, row->x1, y);
          cairo_select_font_face (cr, "monospace", CAIRO_FONT_SLANT_NORMAL, CAIRO_FONT_WEIGHT_NORMAL);
        }
    }

  cairo_destroy (cr);
  status = cairo_surface_write_to_png (surface, path);
  cairo_surface_destroy (surface);

  if (status != CAIRO_STATUS_SUCCESS)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED,
                   _("Could not write %s: %s"), path, cairo_status_to_string (status));
      return FALSE;
    }
  return TRUE;
}

char *
mr_transcript_export_text (GListModel *events,
                           guint64     conversation_id)
{
  GString *text = g_string_new (NULL);
  guint n;

  g_return_val_if_fail (G_IS_LIST_MODEL (events), NULL);

  n = g_list_model_get_n_items (events);
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(MrEventItem) item = g_list_model_get_item (events, i);
      MrEvent *event = mr_event_item_get_event (item);
      const char *prefix;

      if (conversation_id != 0 && event->conversation_id != conversation_id)
        continue;

      if (event->kind == MR_EVENT_LINE && event->direction == MR_DIRECTION_TO_SERVER)
        prefix = "C: ";
      else if (event->kind == MR_EVENT_LINE && event->direction == MR_DIRECTION_TO_CLIENT)
        prefix = "S: ";
      else
        prefix = "-- ";

      g_string_append_printf (text, "#%" G_GUINT64_FORMAT " %s%s\n", event->conversation_id,
                              prefix, event->text ? event->text : "");
    }
  return g_string_free (text, FALSE);
}
