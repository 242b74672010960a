/* mr-ladder-view.c
 *
 * Copyright 2026 The Mailroom authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "mr-ladder-view"

#include "config.h"

#include <glib/gi18n.h>
#include <math.h>

#include "mr-event-model.h"
#include "mr-ladder-view.h"
#include "mr-topology.h"

#define ROW_HEIGHT 26

/* Lifeline order shared by the header and the rows ------------------------ */

/* x of host @index's lifeline as a fraction of the width: hosts sorted by
 * map column, then by their place in the column. */
static double
lifeline_x (MrTopology *topology,
            guint       index)
{
  guint n = mr_topology_get_n_hosts (topology);
  const MrHost *host = mr_topology_get_host (topology, index);
  guint rank = 0;

  for (guint i = 0; i < n; i++)
    {
      const MrHost *other = mr_topology_get_host (topology, i);

      if (other->column < host->column ||
          (other->column == host->column && other->y < host->y) ||
          (other->column == host->column && other->y == host->y && i < index))
        rank++;
    }

  return (rank + 0.5) / MAX (n, 1);
}

static void
append_hline (GtkSnapshot   *snapshot,
              double         x1,
              double         x2,
              double         y,
              double         width,
              const GdkRGBA *color)
{
  gtk_snapshot_append_color (snapshot, color,
                             &GRAPHENE_RECT_INIT (MIN (x1, x2), y - width / 2, fabs (x2 - x1), width));
}

static void
get_fg (GtkWidget *widget,
        GdkRGBA   *fg)
{
  G_GNUC_BEGIN_IGNORE_DEPRECATIONS
  gtk_style_context_get_color (gtk_widget_get_style_context (widget), fg);
  G_GNUC_END_IGNORE_DEPRECATIONS
}

/* MrLadderHeader: the host names above the lifelines ---------------------- */

#define MR_TYPE_LADDER_HEADER (mr_ladder_header_get_type ())
G_DECLARE_FINAL_TYPE (MrLadderHeader, mr_ladder_header, MR, LADDER_HEADER, GtkWidget)

struct _MrLadderHeader
{
  GtkWidget   parent_instance;
  MrTopology *topology;
};

G_DEFINE_FINAL_TYPE (MrLadderHeader, mr_ladder_header, GTK_TYPE_WIDGET)

static void
mr_ladder_header_snapshot (GtkWidget   *widget,
                           GtkSnapshot *snapshot)
{
  MrLadderHeader *self = (MrLadderHeader *)widget;
  double width = gtk_widget_get_width (widget);
  guint n;
  GdkRGBA fg;

  if (self->topology == NULL)
    return;

  get_fg (widget, &fg);
  n = mr_topology_get_n_hosts (self->topology);

  for (guint i = 0; i < n; i++)
    {
      const MrHost *host = mr_topology_get_host (self->topology, i);
      g_autoptr(PangoLayout) layout =
        gtk_widget_create_pango_layout (widget, host->label ? host->label : host->name);
      int w, h;
      double x = lifeline_x (self->topology, i) * width;

      pango_layout_set_width (layout, (width / MAX (n, 1) - 4) * PANGO_SCALE);
      pango_layout_set_ellipsize (layout, PANGO_ELLIPSIZE_MIDDLE);
      pango_layout_set_alignment (layout, PANGO_ALIGN_CENTER);
      pango_layout_get_pixel_size (layout, &w, &h);
      gtk_snapshot_save (snapshot);
      gtk_snapshot_translate (snapshot, &GRAPHENE_POINT_INIT (x - (width / MAX (n, 1) - 4) / 2, 4));
      gtk_snapshot_append_layout (snapshot, layout, &fg);
      gtk_snapshot_restore (snapshot);
    }
}

static void
mr_ladder_header_measure (GtkWidget      *widget,
                          GtkOrientation  orientation,
                          int             for_size,
                          int            *minimum,
                          int            *natural,
                          int            *minimum_baseline,
                          int            *natural_baseline)
{
  *minimum = *natural = orientation == GTK_ORIENTATION_VERTICAL ? 28 : 200;
}

static void
mr_ladder_header_dispose (GObject *object)
{
  g_clear_object (&MR_LADDER_HEADER (object)->topology);
  G_OBJECT_CLASS (mr_ladder_header_parent_class)->dispose (object);
}

static void
mr_ladder_header_class_init (MrLadderHeaderClass *klass)
{
  G_OBJECT_CLASS (klass)->dispose = mr_ladder_header_dispose;
  GTK_WIDGET_CLASS (klass)->snapshot = mr_ladder_header_snapshot;
  GTK_WIDGET_CLASS (klass)->measure = mr_ladder_header_measure;
  gtk_widget_class_set_css_name (GTK_WIDGET_CLASS (klass), "ladderheader");
}

static void
mr_ladder_header_init (MrLadderHeader *self)
{
}

/* MrLadderRow: one event --------------------------------------------------- */

#define MR_TYPE_LADDER_ROW (mr_ladder_row_get_type ())
G_DECLARE_FINAL_TYPE (MrLadderRow, mr_ladder_row, MR, LADDER_ROW, GtkWidget)

struct _MrLadderRow
{
  GtkWidget   parent_instance;
  MrTopology *topology;   /* borrowed from the view, which outlives rows */
  MrEvent    *event;
};

G_DEFINE_FINAL_TYPE (MrLadderRow, mr_ladder_row, GTK_TYPE_WIDGET)

static void
mr_ladder_row_snapshot (GtkWidget   *widget,
                        GtkSnapshot *snapshot)
{
  MrLadderRow *self = (MrLadderRow *)widget;
  double width = gtk_widget_get_width (widget);
  double height = gtk_widget_get_height (widget);
  GdkRGBA fg, lifeline, color;
  int client, server;
  guint n;

  if (self->topology == NULL || self->event == NULL)
    return;

  get_fg (widget, &fg);
  lifeline = fg;
  lifeline.alpha = 0.2;
  n = mr_topology_get_n_hosts (self->topology);

  for (guint i = 0; i < n; i++)
    {
      double x = round (lifeline_x (self->topology, i) * width);
      gtk_snapshot_append_color (snapshot, &lifeline, &GRAPHENE_RECT_INIT (x - 0.5, 0, 1, height));
    }

  client = mr_topology_lookup (self->topology, self->event->client);
  server = mr_topology_lookup (self->topology, self->event->server);
  /* A note may name one side only: it sits on that lifeline. */
  if (client < 0)
    client = server;
  if (server < 0)
    server = client;
  if (client < 0)
    return;

  gdk_rgba_parse (&color, mr_event_class_color (mr_event_classify (self->event)));

  {
    double xc = lifeline_x (self->topology, client) * width;
    double xs = lifeline_x (self->topology, server) * width;
    gboolean to_server = self->event->direction != MR_DIRECTION_TO_CLIENT;
    double from = to_server ? xc : xs;
    double to = to_server ? xs : xc;
    double y = height - 7;
    double dir = to > from ? 1 : -1;
    g_autofree char *text = NULL;
    g_autoptr(PangoLayout) layout = NULL;
    int tw, th;

    if (self->event->kind == MR_EVENT_NOTE)
      {
        /* A note sits on the server's lifeline: a dot, no arrow. */
        gtk_snapshot_append_color (snapshot, &color, &GRAPHENE_RECT_INIT (xs - 4, y - 4, 8, 8));
        to = from = xs;
      }
    else
      {
        append_hline (snapshot, from, to - dir * 6, y, 2, &color);
        /* Arrow head: a rotated square at the receiving lifeline. */
        gtk_snapshot_save (snapshot);
        gtk_snapshot_translate (snapshot, &GRAPHENE_POINT_INIT (to - dir * 6, y));
        gtk_snapshot_rotate (snapshot, 45);
        gtk_snapshot_append_color (snapshot, &color, &GRAPHENE_RECT_INIT (-4, -4, 8, 8));
        gtk_snapshot_restore (snapshot);
      }

    text = g_strdup (self->event->text ? self->event->text : "");
    layout = gtk_widget_create_pango_layout (widget, text);
    pango_layout_set_ellipsize (layout, PANGO_ELLIPSIZE_END);
    pango_layout_set_width (layout, MAX (fabs (to - from) - 8, width / MAX (n, 1) * 1.6) * PANGO_SCALE);
    pango_layout_set_single_paragraph_mode (layout, TRUE);
    pango_layout_get_pixel_size (layout, &tw, &th);
    gtk_snapshot_save (snapshot);
    gtk_snapshot_translate (snapshot,
                            &GRAPHENE_POINT_INIT ((from + to) / 2 - tw / 2.0, y - th - 1));
    gtk_snapshot_append_layout (snapshot, layout, &fg);
    gtk_snapshot_restore (snapshot);
  }
}

static void
mr_ladder_row_measure (GtkWidget      *widget,
                       GtkOrientation  orientation,
                       int             for_size,
                       int            *minimum,
                       int            *natural,
                       int            *minimum_baseline,
                       int            *natural_baseline)
{
  *minimum = *natural = orientation == GTK_ORIENTATION_VERTICAL ? ROW_HEIGHT : 200;
}

static void
mr_ladder_row_set_event (MrLadderRow *self,
                         MrEvent     *event)
{
  g_autofree char *description = NULL;

  if (self->event == event)
    return;

  g_clear_pointer (&self->event, mr_event_unref);
  if (event != NULL)
    {
      self->event = mr_event_ref (event);
      description = g_strdup_printf ("%s → %s: %s",
                                     event->direction == MR_DIRECTION_TO_CLIENT ? event->server : event->client,
                                     event->direction == MR_DIRECTION_TO_CLIENT ? event->client : event->server,
                                     event->text ? event->text : "");
      gtk_accessible_update_property (GTK_ACCESSIBLE (self),
                                      GTK_ACCESSIBLE_PROPERTY_LABEL, description,
                                      -1);
      gtk_widget_set_tooltip_text (GTK_WIDGET (self), description);
    }
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

static void
mr_ladder_row_finalize (GObject *object)
{
  g_clear_pointer (&MR_LADDER_ROW (object)->event, mr_event_unref);
  G_OBJECT_CLASS (mr_ladder_row_parent_class)->finalize (object);
}

static void
mr_ladder_row_class_init (MrLadderRowClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = mr_ladder_row_finalize;
  GTK_WIDGET_CLASS (klass)->snapshot = mr_ladder_row_snapshot;
  GTK_WIDGET_CLASS (klass)->measure = mr_ladder_row_measure;
  gtk_widget_class_set_css_name (GTK_WIDGET_CLASS (klass), "ladderrow");
}

static void
mr_ladder_row_init (MrLadderRow *self)
{
}

/* MrLadderView ------------------------------------------------------------- */

struct _MrLadderView
{
  GtkWidget          parent_instance;

  /* Template widgets */
  MrLadderHeader    *header;
  GtkScrolledWindow *scroller;
  GtkListView       *list_view;
  GtkSignalListItemFactory *factory;

  /* Owned */
  MrTopology        *topology;
  guint              follow_source;
  double             last_value;
  double             last_upper;
  gboolean           following;
  gboolean           moving;      /* we are moving the view, not the user */
};

G_DEFINE_FINAL_TYPE (MrLadderView, mr_ladder_view, GTK_TYPE_WIDGET)

static void
setup_row_cb (GtkSignalListItemFactory *factory,
              GtkListItem              *item,
              MrLadderView             *self)
{
  MrLadderRow *row = g_object_new (MR_TYPE_LADDER_ROW, NULL);

  row->topology = self->topology;
  gtk_list_item_set_child (item, GTK_WIDGET (row));
}

static void
bind_row_cb (GtkSignalListItemFactory *factory,
             GtkListItem              *item,
             MrLadderView             *self)
{
  MrLadderRow *row = MR_LADDER_ROW (gtk_list_item_get_child (item));
  MrEventItem *event_item = gtk_list_item_get_item (item);

  row->topology = self->topology;
  mr_ladder_row_set_event (row, mr_event_item_get_event (event_item));
}

static void
unbind_row_cb (GtkSignalListItemFactory *factory,
               GtkListItem              *item,
               MrLadderView             *self)
{
  mr_ladder_row_set_event (MR_LADDER_ROW (gtk_list_item_get_child (item)), NULL);
}

static void
on_value_changed_cb (MrLadderView  *self,
                     GtkAdjustment *adjustment)
{
  double value = gtk_adjustment_get_value (adjustment);
  double upper = gtk_adjustment_get_upper (adjustment);
  double page = gtk_adjustment_get_page_size (adjustment);

  /* Scrolling down to the bottom follows again; scrolling up stops
   * following. Our own moves and the list re-estimating its rows (value
   * unchanged or clamped) change nothing. */
  gboolean at_bottom = value + page >= upper - ROW_HEIGHT;

  if (self->moving)
    ;
  else if (at_bottom && value > self->last_value)
    self->following = TRUE;   /* scrolled (down) to the bottom */
  else if (!at_bottom && value < self->last_value - ROW_HEIGHT / 2)
    self->following = FALSE;  /* scrolled back up (a shrink clamps to the bottom) */

  self->last_value = value;
  self->last_upper = upper;
}

static gboolean
follow_cb (gpointer data)
{
  MrLadderView *self = data;
  GtkAdjustment *adjustment = gtk_scrolled_window_get_vadjustment (self->scroller);

  self->follow_source = 0;
  if (self->following)
    {
      self->moving = TRUE;
      gtk_adjustment_set_value (adjustment,
                                gtk_adjustment_get_upper (adjustment) -
                                gtk_adjustment_get_page_size (adjustment));
      self->moving = FALSE;
    }

  return G_SOURCE_REMOVE;
}

static void
on_upper_changed_cb (MrLadderView  *self,
                     GParamSpec    *pspec,
                     GtkAdjustment *adjustment)
{
  /* Upper changes during size allocation; moving the view from there is
   * not picked up by the list (stale rows), so do it right after. */
  if (self->following && self->follow_source == 0)
    self->follow_source = g_idle_add_full (G_PRIORITY_HIGH_IDLE, follow_cb, self, NULL);
}

static void
on_topology_changed_cb (MrLadderView *self,
                        MrTopology   *topology)
{
  gtk_widget_queue_draw (GTK_WIDGET (self->header));
  gtk_widget_queue_draw (GTK_WIDGET (self->list_view));
}

void
mr_ladder_view_set_model (MrLadderView *self,
                          MrEventModel *model,
                          MrTopology   *topology)
{
  g_autoptr(GtkNoSelection) selection = NULL;

  g_return_if_fail (MR_IS_LADDER_VIEW (self));
  g_return_if_fail (MR_IS_EVENT_MODEL (model));
  g_return_if_fail (MR_IS_TOPOLOGY (topology));

  /* The timeline swaps models on every scrub: follow the topology once. */
  if (self->topology != topology)
    {
      if (self->topology != NULL)
        g_signal_handlers_disconnect_by_func (self->topology, on_topology_changed_cb, self);
      g_set_object (&self->topology, topology);
      g_signal_connect_object (topology, "changed", G_CALLBACK (on_topology_changed_cb),
                               self, G_CONNECT_SWAPPED);
    }
  g_set_object (&self->header->topology, topology);

  selection = gtk_no_selection_new (g_object_ref (G_LIST_MODEL (model)));
  gtk_list_view_set_model (self->list_view, GTK_SELECTION_MODEL (selection));
}

gboolean
mr_ladder_view_get_following (MrLadderView *self)
{
  g_return_val_if_fail (MR_IS_LADDER_VIEW (self), FALSE);
  return self->following;
}

GtkListView *
mr_ladder_view_get_list_view (MrLadderView *self)
{
  g_return_val_if_fail (MR_IS_LADDER_VIEW (self), NULL);
  return self->list_view;
}

static void
mr_ladder_view_dispose (GObject *object)
{
  MrLadderView *self = (MrLadderView *)object;

  g_clear_handle_id (&self->follow_source, g_source_remove);
  gtk_widget_dispose_template (GTK_WIDGET (self), MR_TYPE_LADDER_VIEW);
  /* The template's root is not a bound child: unparent it by hand. */
  {
    GtkWidget *child;

    while ((child = gtk_widget_get_first_child (GTK_WIDGET (self))) != NULL)
      gtk_widget_unparent (child);
  }
  g_clear_object (&self->topology);

  G_OBJECT_CLASS (mr_ladder_view_parent_class)->dispose (object);
}

static void
mr_ladder_view_class_init (MrLadderViewClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = mr_ladder_view_dispose;

  g_type_ensure (MR_TYPE_LADDER_HEADER);

  gtk_widget_class_set_template_from_resource (widget_class, "/io/github/mailroomlab/Mailroom/ui/mr-ladder-view.ui");
  gtk_widget_class_bind_template_child (widget_class, MrLadderView, header);
  gtk_widget_class_bind_template_child (widget_class, MrLadderView, scroller);
  gtk_widget_class_bind_template_child (widget_class, MrLadderView, list_view);
  gtk_widget_class_bind_template_child (widget_class, MrLadderView, factory);
  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_css_name (widget_class, "ladderview");
}

static void
mr_ladder_view_init (MrLadderView *self)
{
  GtkAdjustment *vadjustment;

  gtk_widget_init_template (GTK_WIDGET (self));

  self->following = TRUE;

  g_signal_connect_object (self->factory, "setup", G_CALLBACK (setup_row_cb), self, 0);
  g_signal_connect_object (self->factory, "bind", G_CALLBACK (bind_row_cb), self, 0);
  g_signal_connect_object (self->factory, "unbind", G_CALLBACK (unbind_row_cb), self, 0);

  vadjustment = gtk_scrolled_window_get_vadjustment (self->scroller);
  g_signal_connect_object (vadjustment, "value-changed", G_CALLBACK (on_value_changed_cb),
                           self, G_CONNECT_SWAPPED);
  g_signal_connect_object (vadjustment, "notify::upper", G_CALLBACK (on_upper_changed_cb),
                           self, G_CONNECT_SWAPPED);
}

GtkWidget *
mr_ladder_view_new (void)
{
  return g_object_new (MR_TYPE_LADDER_VIEW, NULL);
}
