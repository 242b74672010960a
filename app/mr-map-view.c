/* mr-map-view.c
 *
 * Copyright 2026 The Mailroom authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "mr-map-view"

#include "config.h"

#include <glib/gi18n.h>
#include <math.h>
#include <string.h>

#include "mr-event-model.h"
#include "mr-fault.h"
#include "mr-map-view.h"
#include "mr-topology.h"

#define BASE_DURATION_USEC   (1100 * 1000)   /* one hop at speed 1 */
#define TRAIN_GAP_FRACTION   0.30            /* same direction: the next leaves after this much */
#define CATCH_UP_USEC        (3 * G_USEC_PER_SEC)  /* backlog beyond which envelopes speed up */
#define MAX_ENVELOPES        400
#define GLOW_USEC            (1200 * 1000)
#define PAST_TRAIL           3               /* envelopes drawn for a past moment */

typedef struct
{
  guint   src;
  guint   dst;
  char   *label;
  GdkRGBA color;
  gint64  start;     /* frame time, µs */
  gint64  duration;
  int     accepts;   /* host that takes a message when this arrives, or -1 */
  gboolean locked;   /* sent inside TLS: drawn with a padlock */
} Envelope;

/* A fault switched on, as the map places it. */
typedef struct
{
  char              *name;
  char              *target;   /* or NULL: everywhere */
  const MrFaultInfo *info;
} Fault;

/* When the next envelope of a conversation may leave. */
typedef struct
{
  gint64      last_start;
  gint64      last_end;
  MrDirection direction;
} Schedule;

struct _MrMapView
{
  GtkWidget   parent_instance;

  /* Owned */
  MrTopology *topology;
  GQueue      envelopes;     /* Envelope*, by start time */
  GHashTable *schedules;     /* conversation id -> Schedule */
  gint64      announced;     /* when the accessible description last changed */
  GArray     *glow;          /* gint64 per host: glow until */
  GArray     *accepted;      /* guint per host: messages it took (250 after DATA) */
  GHashTable *last_verb;     /* conversation id -> last client verb */
  char       *queue_host;    /* where the relay queue is */
  guint       queue_length;
  GPtrArray  *faults;        /* Fault*, switched on now */
  GStrv       route;         /* hosts of a message's path, drawn hop by hop */

  /* The timeline scrubbed back: a still frame of that moment */
  MrEventModel *past;
  GArray     *past_accepted; /* guint per host, as of the past moment */
  GPtrArray  *past_envelopes; /* Envelope*, oldest first, the newest is the cursor */
  double      speed;
  guint       tick_id;
  gulong      topology_changed_id;
};

enum {
  PROP_0,
  PROP_TOPOLOGY,
  PROP_SPEED,
  PROP_ROUTE,
  N_PROPS
};

static GParamSpec *properties [N_PROPS];

G_DEFINE_FINAL_TYPE (MrMapView, mr_map_view, GTK_TYPE_WIDGET)

static void
envelope_free (gpointer data)
{
  Envelope *envelope = data;

  g_free (envelope->label);
  g_free (envelope);
}

static void
fault_free (gpointer data)
{
  Fault *fault = data;

  g_free (fault->name);
  g_free (fault->target);
  g_free (fault);
}

/* Follows @event of a conversation (last_verb: conversation id -> the
 * client's last verb) and returns the host that took responsibility for a
 * message with it, or -1. That is the 250 ending DATA or BDAT LAST
 * (RFC 5321 4.1.1.4, RFC 3030 2); the map stacks such messages on their
 * host. */
static int
follow_acceptance (GHashTable    *last_verb,
                   const MrEvent *event,
                   int            server)
{
  if (event->kind == MR_EVENT_DISCONNECT)
    g_hash_table_remove (last_verb, &event->conversation_id);
  else if (event->kind == MR_EVENT_LINE && event->direction == MR_DIRECTION_TO_SERVER && event->verb != NULL)
    g_hash_table_insert (last_verb, g_memdup2 (&event->conversation_id, sizeof (guint64)),
                         g_strdup (event->verb));
  else if (event->kind == MR_EVENT_LINE && event->direction == MR_DIRECTION_TO_CLIENT &&
           event->protocol == MR_PROTOCOL_SMTP && event->code == 250 &&
           !(event->flags & MR_EVENT_FLAG_CONTINUED))
    {
      const char *verb = g_hash_table_lookup (last_verb, &event->conversation_id);

      if (g_strcmp0 (verb, "DATA") == 0 || g_strcmp0 (verb, "BDAT") == 0)
        {
          g_hash_table_remove (last_verb, &event->conversation_id);
          return server;
        }
    }
  return -1;
}

static GHashTable *
last_verb_table_new (void)
{
  return g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, g_free);
}

/* The envelope arrived (or was dropped): credit the message it carried. */
static void
envelope_done (MrMapView *self,
               Envelope  *envelope,
               gint64     now)
{
  if (envelope->accepts >= 0 && (guint) envelope->accepts < self->accepted->len)
    {
      g_array_index (self->accepted, guint, envelope->accepts)++;
      g_array_index (self->glow, gint64, envelope->accepts) = now + GLOW_USEC;
    }
  envelope_free (envelope);
}

static gboolean
animations_enabled (MrMapView *self)
{
  gboolean enabled = TRUE;

  g_object_get (gtk_widget_get_settings (GTK_WIDGET (self)), "gtk-enable-animations", &enabled, NULL);
  return enabled;
}

static gint64
now_usec (MrMapView *self)
{
  GdkFrameClock *clock = gtk_widget_get_frame_clock (GTK_WIDGET (self));

  return clock ? gdk_frame_clock_get_frame_time (clock) : g_get_monotonic_time ();
}

static gboolean
tick_cb (GtkWidget     *widget,
         GdkFrameClock *frame_clock,
         gpointer       user_data)
{
  MrMapView *self = (MrMapView *)widget;
  gint64 now = gdk_frame_clock_get_frame_time (frame_clock);
  gboolean glowing = FALSE;

  g_assert (MR_IS_MAP_VIEW (self));

  /* Envelopes are ordered by start; finished ones can sit anywhere. */
  for (GList *l = self->envelopes.head; l != NULL;)
    {
      Envelope *envelope = l->data;
      GList *next = l->next;

      if (now >= envelope->start + envelope->duration)
        {
          envelope_done (self, envelope, now);
          g_queue_delete_link (&self->envelopes, l);
        }
      l = next;
    }

  for (guint i = 0; i < self->glow->len; i++)
    if (g_array_index (self->glow, gint64, i) > now)
      glowing = TRUE;

  gtk_widget_queue_draw (widget);

  if (self->envelopes.length == 0 && !glowing)
    {
      self->tick_id = 0;
      return G_SOURCE_REMOVE;
    }

  return G_SOURCE_CONTINUE;
}

static void
ensure_ticking (MrMapView *self)
{
  if (self->tick_id == 0)
    self->tick_id = gtk_widget_add_tick_callback (GTK_WIDGET (self), tick_cb, NULL, NULL);
}

/* Geometry -------------------------------------------------------------- */

typedef struct
{
  double scale;
  double margin_x;
  double margin_y;
  double node_w;
  double node_h;
  double width;
  double height;
  double row_gap;   /* vertical distance between hosts in the fullest column */
} Geometry;

static void
compute_geometry (MrMapView *self,
                  Geometry  *g)
{
  g->width = gtk_widget_get_width (GTK_WIDGET (self));
  g->height = gtk_widget_get_height (GTK_WIDGET (self));
  /* Designed for 1100x650; scale up for projectors, down for laptops. */
  g->scale = CLAMP (MIN (g->width / 1100.0, g->height / 650.0), 0.55, 4.0);
  g->node_w = 168 * g->scale;
  g->node_h = 58 * g->scale;
  g->margin_x = g->node_w / 2 + 16 * g->scale;
  g->margin_y = g->node_h / 2 + 40 * g->scale;

  {
    guint counts[16] = { 0 };
    guint max_rows = 1;

    for (guint i = 0; self->topology && i < mr_topology_get_n_hosts (self->topology); i++)
      {
        guint column = MIN (mr_topology_get_host (self->topology, i)->column, 15);
        max_rows = MAX (max_rows, ++counts[column]);
      }
    g->row_gap = (g->height - 2 * g->margin_y - 30 * g->scale) / max_rows;
  }
}

static void
host_center (const Geometry *g,
             const MrHost   *host,
             double         *x,
             double         *y)
{
  *x = g->margin_x + host->x * (g->width - 2 * g->margin_x);
  *y = g->margin_y + host->y * (g->height - 2 * g->margin_y - 30 * g->scale);
}

/* A link is straight between neighbouring columns; one that skips columns
 * bends (a quadratic curve) so that it does not run through the hosts in
 * between. @t in [0,1] from @a to @b. */
static void
link_point (const Geometry *g,
            const MrHost   *a,
            const MrHost   *b,
            double          t,
            double         *x,
            double         *y)
{
  double x1, y1, x2, y2, cx, cy;
  int span = ABS ((int) a->column - (int) b->column);

  host_center (g, a, &x1, &y1);
  host_center (g, b, &x2, &y2);

  if (span <= 1)
    {
      *x = x1 + (x2 - x1) * t;
      *y = y1 + (y2 - y1) * t;
      return;
    }

  /* Bend upward so the apex passes half a row above the hosts it skips
   * (the apex of a quadratic is half-way to its control point). */
  cx = (x1 + x2) / 2;
  cy = (y1 + y2) / 2 - g->row_gap;

  *x = (1 - t) * (1 - t) * x1 + 2 * (1 - t) * t * cx + t * t * x2;
  *y = (1 - t) * (1 - t) * y1 + 2 * (1 - t) * t * cy + t * t * y2;
}

/* Faults ---------------------------------------------------------------- */

/* Whether @fault bites on @host (mr_fault_info_bites_host()). */
static gboolean
fault_on_host (const Fault  *fault,
               const MrHost *host)
{
  return mr_fault_info_bites_host (fault->info, fault->target, host->name, host->role);
}

/* (transfer full) The faults biting on host @index, by name. */
static GStrv
dup_host_faults (MrMapView *self,
                 guint      index)
{
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  const MrHost *host = mr_topology_get_host (self->topology, index);

  for (guint i = 0; i < self->faults->len; i++)
    {
      const Fault *fault = g_ptr_array_index (self->faults, i);

      if (fault_on_host (fault, host))
        g_strv_builder_add (builder, fault->name);
    }
  return g_strv_builder_end (builder);
}

/* Drawing helpers -------------------------------------------------------- */

static void
append_line (GtkSnapshot   *snapshot,
             double         x1,
             double         y1,
             double         x2,
             double         y2,
             double         width,
             const GdkRGBA *color)
{
  double dx = x2 - x1, dy = y2 - y1;
  double length = sqrt (dx * dx + dy * dy);

  if (length < 0.5)
    return;

  gtk_snapshot_save (snapshot);
  gtk_snapshot_translate (snapshot, &GRAPHENE_POINT_INIT (x1, y1));
  gtk_snapshot_rotate (snapshot, atan2 (dy, dx) * 180.0 / G_PI);
  gtk_snapshot_append_color (snapshot, color,
                             &GRAPHENE_RECT_INIT (0, -width / 2, length, width));
  gtk_snapshot_restore (snapshot);
}

static void
append_rounded (GtkSnapshot           *snapshot,
                const graphene_rect_t *rect,
                double                 radius,
                const GdkRGBA         *fill,
                const GdkRGBA         *border,
                double                 border_width)
{
  GskRoundedRect rounded;

  gsk_rounded_rect_init_from_rect (&rounded, rect, radius);
  gtk_snapshot_push_rounded_clip (snapshot, &rounded);
  gtk_snapshot_append_color (snapshot, fill, rect);
  gtk_snapshot_pop (snapshot);

  if (border != NULL && border_width > 0)
    {
      const float widths[4] = { border_width, border_width, border_width, border_width };
      const GdkRGBA colors[4] = { *border, *border, *border, *border };

      gtk_snapshot_append_border (snapshot, &rounded, widths, colors);
    }
}

static PangoLayout *
make_layout (MrMapView  *self,
             const char *text,
             double      size_pt,
             gboolean    bold)
{
  PangoLayout *layout = gtk_widget_create_pango_layout (GTK_WIDGET (self), text);
  g_autoptr(PangoFontDescription) desc = pango_font_description_new ();

  pango_font_description_set_family (desc, "Cantarell, Sans");
  pango_font_description_set_absolute_size (desc, size_pt * PANGO_SCALE);
  if (bold)
    pango_font_description_set_weight (desc, PANGO_WEIGHT_BOLD);
  pango_layout_set_font_description (layout, desc);
  pango_layout_set_ellipsize (layout, PANGO_ELLIPSIZE_END);

  return layout;
}

static void
append_text_centered (MrMapView     *self,
                      GtkSnapshot   *snapshot,
                      const char    *text,
                      double         size_px,
                      gboolean       bold,
                      double         cx,
                      double         cy,
                      double         max_width,
                      const GdkRGBA *color)
{
  g_autoptr(PangoLayout) layout = make_layout (self, text, size_px, bold);
  int w, h;

  if (max_width > 0)
    pango_layout_set_width (layout, max_width * PANGO_SCALE);
  pango_layout_get_pixel_size (layout, &w, &h);

  gtk_snapshot_save (snapshot);
  gtk_snapshot_translate (snapshot, &GRAPHENE_POINT_INIT (cx - w / 2.0, cy - h / 2.0));
  gtk_snapshot_append_layout (snapshot, layout, color);
  gtk_snapshot_restore (snapshot);
}

static const char *
role_color (const char *role)
{
  /* Darker shades than the reply-class colours, so envelopes stand out
   * (and screenshot tests can tell them apart). */
  if (g_strcmp0 (role, "submission") == 0)
    return "#1a5fb4";
  if (g_strcmp0 (role, "mx") == 0 || g_strcmp0 (role, "relay") == 0)
    return "#c64600";
  if (g_strcmp0 (role, "mailbox") == 0)
    return "#26a269";
  return "#77767b";
}

static const char *
role_title (const char *role)
{
  if (g_strcmp0 (role, "submission") == 0)
    return _("submission server (MSA)");
  if (g_strcmp0 (role, "mx") == 0)
    return _("MX server (SMTP in)");
  if (g_strcmp0 (role, "relay") == 0)
    return _("mail server");
  if (g_strcmp0 (role, "mailbox") == 0)
    return _("mailbox server (POP3/IMAP)");
  return _("mail client (MUA)");
}

/* Point at @t on the link, shifted into the lane of its direction (each
 * direction keeps to its right, like a road), and the travel angle. */
static void
lane_point (const Geometry *g,
            const MrHost   *src,
            const MrHost   *dst,
            double          t,
            double         *x,
            double         *y,
            double         *angle)
{
  double xa, ya, xb, yb, dx, dy, length;
  double lane = 9 * g->scale;

  link_point (g, src, dst, MAX (t - 0.01, 0), &xa, &ya);
  link_point (g, src, dst, MIN (t + 0.01, 1), &xb, &yb);
  link_point (g, src, dst, t, x, y);
  dx = xb - xa;
  dy = yb - ya;
  length = MAX (sqrt (dx * dx + dy * dy), 0.001);
  *x += -dy / length * lane;
  *y += dx / length * lane;
  if (angle != NULL)
    *angle = atan2 (dy, dx) * 180.0 / G_PI;
}

static void
append_envelope (MrMapView      *self,
                 GtkSnapshot    *snapshot,
                 const Geometry *g,
                 const Envelope *envelope,
                 double          progress)
{
  const MrHost *src = mr_topology_get_host (self->topology, envelope->src);
  const MrHost *dst = mr_topology_get_host (self->topology, envelope->dst);
  double x1, y1, x2, y2, chord, inset, t, x, y, angle;
  g_autoptr(PangoLayout) layout = NULL;
  GdkRGBA white = { 1, 1, 1, 1 };
  GdkRGBA trail = envelope->color;
  int tw, th;
  double w, h;

  host_center (g, src, &x1, &y1);
  host_center (g, dst, &x2, &y2);
  chord = sqrt ((x2 - x1) * (x2 - x1) + (y2 - y1) * (y2 - y1));
  if (chord < 1)
    return;

  /* Travel between the node borders, not their centers. */
  inset = MIN (0.45, (g->node_w * 0.5) / chord);
  t = inset + (1 - 2 * inset) * progress;

  /* A fading trail behind the envelope shows where it came from. */
  trail.alpha = 0.5;
  {
    double px, py;
    const guint n = 12;

    lane_point (g, src, dst, inset, &px, &py, NULL);
    for (guint i = 1; i <= n; i++)
      {
        double qx, qy;

        lane_point (g, src, dst, inset + (t - inset) * i / n, &qx, &qy, NULL);
        append_line (snapshot, px, py, qx, qy, 3 * g->scale, &trail);
        px = qx;
        py = qy;
      }
  }

  lane_point (g, src, dst, t, &x, &y, &angle);

  layout = make_layout (self, envelope->label, 13 * g->scale, TRUE);
  pango_layout_get_pixel_size (layout, &tw, &th);
  w = MAX (tw + 14 * g->scale, 30 * g->scale);
  h = th + 8 * g->scale;

  /* The envelope body with an arrow nose pointing where it goes. */
  gtk_snapshot_save (snapshot);
  gtk_snapshot_translate (snapshot, &GRAPHENE_POINT_INIT (x, y));
  gtk_snapshot_save (snapshot);
  gtk_snapshot_rotate (snapshot, angle);
  gtk_snapshot_translate (snapshot, &GRAPHENE_POINT_INIT (MAX (w, h) / 2 + 2 * g->scale, 0));
  gtk_snapshot_rotate (snapshot, 45);
  gtk_snapshot_append_color (snapshot, &envelope->color,
                             &GRAPHENE_RECT_INIT (-h * 0.3, -h * 0.3, h * 0.6, h * 0.6));
  gtk_snapshot_restore (snapshot);
  append_rounded (snapshot, &GRAPHENE_RECT_INIT (-w / 2, -h / 2, w, h), 4 * g->scale,
                  &envelope->color, &white, 1.5 * g->scale);
  /* The flap of the envelope. */
  {
    GdkRGBA flap = { 1, 1, 1, 0.4 };

    append_line (snapshot, -w / 2, -h / 2, 0, -h / 2 + h * 0.35, 1.5 * g->scale, &flap);
    append_line (snapshot, 0, -h / 2 + h * 0.35, w / 2, -h / 2, 1.5 * g->scale, &flap);
  }
  /* A padlock on the corner: the line went inside TLS (RFC 3207), so an
   * observer on the link sees that something passed, not what. */
  if (envelope->locked)
    {
      double s = 6 * g->scale;
      double lx = w / 2;
      double ly = -h / 2;

      append_line (snapshot, lx - s * 0.35, ly, lx - s * 0.35, ly - s * 0.6, 1.5 * g->scale, &white);
      append_line (snapshot, lx + s * 0.35, ly, lx + s * 0.35, ly - s * 0.6, 1.5 * g->scale, &white);
      append_line (snapshot, lx - s * 0.35, ly - s * 0.6, lx + s * 0.35, ly - s * 0.6, 1.5 * g->scale, &white);
      append_rounded (snapshot, &GRAPHENE_RECT_INIT (lx - s * 0.6, ly - s * 0.1, s * 1.2, s * 0.9),
                      1.5 * g->scale, &envelope->color, &white, 1.2 * g->scale);
    }
  gtk_snapshot_translate (snapshot, &GRAPHENE_POINT_INIT (-tw / 2.0, -th / 2.0));
  gtk_snapshot_append_layout (snapshot, layout, &white);
  gtk_snapshot_restore (snapshot);
}

/* "⚠ greylisting" (or "⚠ 2 faults") on the top-left corner of a node. */
static void
append_fault_badge (MrMapView             *self,
                    GtkSnapshot           *snapshot,
                    const Geometry        *g,
                    const graphene_rect_t *rect,
                    GStrv                  names)
{
  guint n = g_strv_length (names);
  g_autofree char *text = n == 1 ? g_strdup_printf ("⚠ %s", names[0])
                                 : g_strdup_printf (ngettext ("⚠ %u fault", "⚠ %u faults", n), n);
  g_autoptr(PangoLayout) layout = make_layout (self, text, 12 * g->scale, TRUE);
  GdkRGBA red, white = { 1, 1, 1, 1 };
  int w, h;
  double bx, by;

  gdk_rgba_parse (&red, mr_event_class_color (5));
  pango_layout_set_width (layout, (rect->size.width - 12 * g->scale) * PANGO_SCALE);
  pango_layout_get_pixel_size (layout, &w, &h);
  bx = rect->origin.x + 6 * g->scale;
  by = rect->origin.y - h / 2.0 - 2 * g->scale;
  append_rounded (snapshot, &GRAPHENE_RECT_INIT (bx - 6 * g->scale, by - 2 * g->scale,
                                                 w + 12 * g->scale, h + 4 * g->scale),
                  (h + 4 * g->scale) / 2, &red, &white, 1.5 * g->scale);
  gtk_snapshot_save (snapshot);
  gtk_snapshot_translate (snapshot, &GRAPHENE_POINT_INIT (bx, by));
  gtk_snapshot_append_layout (snapshot, layout, &white);
  gtk_snapshot_restore (snapshot);
}

static const char route_color[] = "#3584e4";

/* Each hop of the route as a wide translucent band along its link. */
static void
append_route (MrMapView      *self,
              GtkSnapshot    *snapshot,
              const Geometry *g)
{
  GdkRGBA band;

  if (self->route == NULL)
    return;

  gdk_rgba_parse (&band, route_color);
  band.alpha = 0.35;
  for (guint i = 0; self->route[i] != NULL && self->route[i + 1] != NULL; i++)
    {
      int a = mr_topology_lookup (self->topology, self->route[i]);
      int b = mr_topology_lookup (self->topology, self->route[i + 1]);
      const MrHost *from, *to;
      double px, py;

      if (a < 0 || b < 0 || a == b)
        continue;
      from = mr_topology_get_host (self->topology, a);
      to = mr_topology_get_host (self->topology, b);
      link_point (g, from, to, 0, &px, &py);
      for (guint k = 1; k <= 24; k++)
        {
          double qx, qy;

          link_point (g, from, to, k / 24.0, &qx, &qy);
          append_line (snapshot, px, py, qx, qy, 10 * g->scale, &band);
          px = qx;
          py = qy;
        }
    }
}

/* Hop numbers on the bottom-left corner of the route's hosts. */
static void
append_route_numbers (MrMapView      *self,
                      GtkSnapshot    *snapshot,
                      const Geometry *g)
{
  GdkRGBA blue, white = { 1, 1, 1, 1 };

  if (self->route == NULL)
    return;

  gdk_rgba_parse (&blue, route_color);
  for (guint i = 0; self->route[i] != NULL; i++)
    {
      int index = mr_topology_lookup (self->topology, self->route[i]);
      g_autofree char *number = NULL;
      g_autoptr(PangoLayout) layout = NULL;
      double cx, cy, r = 10 * g->scale;
      int w, h;
      gboolean seen = FALSE;

      if (index < 0)
        continue;
      for (guint j = 0; j < i; j++)
        seen |= mr_topology_lookup (self->topology, self->route[j]) == index;
      if (seen)
        continue;

      host_center (g, mr_topology_get_host (self->topology, index), &cx, &cy);
      cx -= g->node_w / 2;
      cy += g->node_h / 2;
      number = g_strdup_printf ("%u", i + 1);
      layout = make_layout (self, number, 12 * g->scale, TRUE);
      pango_layout_get_pixel_size (layout, &w, &h);
      append_rounded (snapshot, &GRAPHENE_RECT_INIT (cx - r, cy - r, 2 * r, 2 * r), r, &blue, &white, 1.5 * g->scale);
      gtk_snapshot_save (snapshot);
      gtk_snapshot_translate (snapshot, &GRAPHENE_POINT_INIT (cx - w / 2.0, cy - h / 2.0));
      gtk_snapshot_append_layout (snapshot, layout, &white);
      gtk_snapshot_restore (snapshot);
    }
}

/* Says, across the top, that the map shows a past moment. */
static void
append_past_banner (MrMapView      *self,
                    GtkSnapshot    *snapshot,
                    const Geometry *g,
                    const GdkRGBA  *fg)
{
  guint n = mr_event_model_get_n_events (self->past);
  MrEvent *last = n > 0 ? mr_event_model_get_event (self->past, n - 1) : NULL;
  g_autofree char *seq = g_strdup_printf ("%" G_GUINT64_FORMAT, last ? last->seq : 0);
  /* Translators: %s is an event number */
  g_autofree char *text = g_strdup_printf (_("The past, at event %s: the lab carries on live"), seq);
  g_autoptr(PangoLayout) layout = make_layout (self, text, 13 * g->scale, TRUE);
  GdkRGBA fill = *fg;
  GdkRGBA ink;
  int w, h;
  double x, y;

  G_GNUC_BEGIN_IGNORE_DEPRECATIONS
  if (!gtk_style_context_lookup_color (gtk_widget_get_style_context (GTK_WIDGET (self)), "window_bg_color", &ink))
    gdk_rgba_parse (&ink, "#fafafa");
  G_GNUC_END_IGNORE_DEPRECATIONS

  fill.alpha = 0.8;
  pango_layout_get_pixel_size (layout, &w, &h);
  x = (g->width - w) / 2;
  y = 8 * g->scale;
  append_rounded (snapshot, &GRAPHENE_RECT_INIT (x - 10 * g->scale, y - 3 * g->scale,
                                                 w + 20 * g->scale, h + 6 * g->scale),
                  (h + 6 * g->scale) / 2, &fill, NULL, 0);
  gtk_snapshot_save (snapshot);
  gtk_snapshot_translate (snapshot, &GRAPHENE_POINT_INIT (x, y));
  gtk_snapshot_append_layout (snapshot, layout, &ink);
  gtk_snapshot_restore (snapshot);
}

static void
mr_map_view_snapshot (GtkWidget   *widget,
                      GtkSnapshot *snapshot)
{
  MrMapView *self = (MrMapView *)widget;
  G_GNUC_BEGIN_IGNORE_DEPRECATIONS
  GtkStyleContext *style = gtk_widget_get_style_context (widget);
  G_GNUC_END_IGNORE_DEPRECATIONS
  GdkRGBA fg, bg, link_color, node_fill;
  gboolean animate = animations_enabled (self);
  gint64 now = now_usec (self);
  Geometry g;
  guint n_hosts;

  g_assert (MR_IS_MAP_VIEW (self));

  if (self->topology == NULL)
    return;

  G_GNUC_BEGIN_IGNORE_DEPRECATIONS
  gtk_style_context_get_color (style, &fg);
  if (!gtk_style_context_lookup_color (style, "window_bg_color", &bg))
    gdk_rgba_parse (&bg, "#fafafa");
  G_GNUC_END_IGNORE_DEPRECATIONS

  compute_geometry (self, &g);
  n_hosts = mr_topology_get_n_hosts (self->topology);

  link_color = fg;
  link_color.alpha = 0.25;
  node_fill = fg;
  node_fill.alpha = 0.06;

  /* Links */
  for (guint i = 0; i < mr_topology_get_n_links (self->topology); i++)
    {
      const MrLink *link = mr_topology_get_link (self->topology, i);
      const MrHost *a = mr_topology_get_host (self->topology, link->a);
      const MrHost *b = mr_topology_get_host (self->topology, link->b);
      guint n = ABS ((int) a->column - (int) b->column) > 1 ? 24 : 1;
      double px, py;

      link_point (&g, a, b, 0, &px, &py);
      for (guint k = 1; k <= n; k++)
        {
          double qx, qy;

          link_point (&g, a, b, (double) k / n, &qx, &qy);
          append_line (snapshot, px, py, qx, qy, 2 * g.scale, &link_color);
          px = qx;
          py = qy;
        }
    }

  /* A message's path (the Received: trace), hop by hop under the nodes. */
  append_route (self, snapshot, &g);

  /* Nodes */
  for (guint i = 0; i < n_hosts; i++)
    {
      const MrHost *host = mr_topology_get_host (self->topology, i);
      GdkRGBA accent, fill = node_fill, role_fg;
      double cx, cy;
      graphene_rect_t rect;
      gint64 glow_until = i < self->glow->len && self->past == NULL ? g_array_index (self->glow, gint64, i) : 0;
      GArray *accepted = self->past != NULL ? self->past_accepted : self->accepted;

      gdk_rgba_parse (&accent, role_color (host->role));
      host_center (&g, host, &cx, &cy);
      rect = GRAPHENE_RECT_INIT (cx - g.node_w / 2, cy - g.node_h / 2, g.node_w, g.node_h);

      if (glow_until > now)
        {
          GdkRGBA halo = accent;
          double f = (double) (glow_until - now) / GLOW_USEC;

          halo.alpha = 0.35 * f;
          append_rounded (snapshot,
                          &GRAPHENE_RECT_INIT (rect.origin.x - 6 * g.scale, rect.origin.y - 6 * g.scale,
                                               rect.size.width + 12 * g.scale,
                                               rect.size.height + 12 * g.scale),
                          14 * g.scale, &halo, NULL, 0);
        }

      /* Opaque: links pass under the nodes, not through them. */
      append_rounded (snapshot, &rect, 10 * g.scale, &bg, NULL, 0);
      fill = accent;
      fill.alpha = 0.14;
      append_rounded (snapshot, &rect, 10 * g.scale, &fill, &accent, 2 * g.scale);
      append_text_centered (self, snapshot, host->label ? host->label : host->name,
                            14 * g.scale, TRUE, cx, cy - 9 * g.scale, g.node_w - 12 * g.scale, &fg);
      role_fg = fg;
      role_fg.alpha = 0.7;
      append_text_centered (self, snapshot,
                            host->label ? host->name : role_title (host->role),
                            11 * g.scale, FALSE, cx, cy + 12 * g.scale, g.node_w - 12 * g.scale, &role_fg);

      /* Messages waiting in the relay queue sit at the relay: an amber
       * badge on its bottom-right corner. */
      if (self->past == NULL && self->queue_length > 0 && g_strcmp0 (host->name, self->queue_host) == 0)
        {
          g_autofree char *text = g_strdup_printf (ngettext ("%u queued", "%u queued", self->queue_length),
                                                   self->queue_length);
          g_autoptr(PangoLayout) layout = make_layout (self, text, 12 * g.scale, TRUE);
          GdkRGBA amber, black = { 0, 0, 0, 0.85 };
          int w, h;
          double bx, by;

          gdk_rgba_parse (&amber, mr_event_class_color (4));
          pango_layout_get_pixel_size (layout, &w, &h);
          bx = rect.origin.x + rect.size.width - w - 6 * g.scale;
          by = rect.origin.y + rect.size.height - h / 2.0 + 2 * g.scale;
          append_rounded (snapshot, &GRAPHENE_RECT_INIT (bx - 6 * g.scale, by - 2 * g.scale,
                                                         w + 12 * g.scale, h + 4 * g.scale),
                          (h + 4 * g.scale) / 2, &amber, NULL, 0);
          gtk_snapshot_save (snapshot);
          gtk_snapshot_translate (snapshot, &GRAPHENE_POINT_INIT (bx, by));
          gtk_snapshot_append_layout (snapshot, layout, &black);
          gtk_snapshot_restore (snapshot);
        }

      /* Messages this host accepted: a badge on its top-right corner. */
      if (i < accepted->len && g_array_index (accepted, guint, i) > 0)
        {
          g_autofree char *count = g_strdup_printf ("✉ %u", g_array_index (accepted, guint, i));
          g_autoptr(PangoLayout) layout = make_layout (self, count, 12 * g.scale, TRUE);
          GdkRGBA white = { 1, 1, 1, 1 };
          int w, h;
          double bx, by;

          pango_layout_get_pixel_size (layout, &w, &h);
          bx = rect.origin.x + rect.size.width - w - 6 * g.scale;
          by = rect.origin.y - h / 2.0 - 2 * g.scale;
          append_rounded (snapshot, &GRAPHENE_RECT_INIT (bx - 6 * g.scale, by - 2 * g.scale,
                                                         w + 12 * g.scale, h + 4 * g.scale),
                          (h + 4 * g.scale) / 2, &accent, &white, 1.5 * g.scale);
          gtk_snapshot_save (snapshot);
          gtk_snapshot_translate (snapshot, &GRAPHENE_POINT_INIT (bx, by));
          gtk_snapshot_append_layout (snapshot, layout, &white);
          gtk_snapshot_restore (snapshot);
        }

      /* Faults switched on here (live only: the switches are today's):
       * a red badge on the top-left corner. */
      if (self->past == NULL && self->faults->len > 0)
        {
          g_auto(GStrv) names = dup_host_faults (self, i);
          guint n = g_strv_length (names);

          if (n > 0)
            append_fault_badge (self, snapshot, &g, &rect, names);
        }
    }

  append_route_numbers (self, snapshot, &g);

  /* Envelopes */
  if (self->past != NULL)
    {
      /* A still frame of the past: the cursor's line half-way, the lines
       * just before it arrived and fading. */
      for (guint i = 0; i < self->past_envelopes->len; i++)
        {
          const Envelope *envelope = g_ptr_array_index (self->past_envelopes, i);
          gboolean newest = i + 1 == self->past_envelopes->len;

          if (envelope->src >= n_hosts || envelope->dst >= n_hosts)
            continue;
          gtk_snapshot_push_opacity (snapshot, newest ? 1.0 : 0.3);
          append_envelope (self, snapshot, &g, envelope, newest ? 0.5 : 1.0);
          gtk_snapshot_pop (snapshot);
        }
      append_past_banner (self, snapshot, &g, &fg);
    }
  else for (GList *l = self->envelopes.head; l != NULL; l = l->next)
    {
      const Envelope *envelope = l->data;
      double progress;

      if (envelope->start > now || envelope->src >= n_hosts || envelope->dst >= n_hosts)
        continue;

      progress = (double) (now - envelope->start) / envelope->duration;
      if (progress > 1)
        continue;

      /* Reduced motion: the envelope waits half-way, not moving. */
      if (!animate)
        progress = 0.5;

      append_envelope (self, snapshot, &g, envelope, progress);
    }

  /* Legend */
  {
    static const struct { guint klass; const char *text; } legend[] = {
      { 0, N_("command") },
      { 2, N_("2xx / +OK / OK") },
      { 3, N_("3xx / continue") },
      { 4, N_("4xx try later") },
      { 5, N_("5xx / -ERR / NO") },
    };
    double x = 12 * g.scale;
    double y = g.height - 22 * g.scale;

    for (guint i = 0; i < G_N_ELEMENTS (legend); i++)
      {
        g_autoptr(PangoLayout) layout = make_layout (self, _(legend[i].text), 11 * g.scale, FALSE);
        GdkRGBA color;
        int w, h;

        gdk_rgba_parse (&color, mr_event_class_color (legend[i].klass));
        append_rounded (snapshot, &GRAPHENE_RECT_INIT (x, y, 14 * g.scale, 14 * g.scale),
                        3 * g.scale, &color, NULL, 0);
        pango_layout_get_pixel_size (layout, &w, &h);
        gtk_snapshot_save (snapshot);
        gtk_snapshot_translate (snapshot, &GRAPHENE_POINT_INIT (x + 18 * g.scale, y + 7 * g.scale - h / 2.0));
        gtk_snapshot_append_layout (snapshot, layout, &fg);
        gtk_snapshot_restore (snapshot);
        x += 18 * g.scale + w + 16 * g.scale;
      }
  }
}

static void
on_topology_changed_cb (MrMapView  *self,
                        MrTopology *topology)
{
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

/* The envelope @event travels in between @client and @server, or NULL for
 * an event that does not fly (notes, content, disconnects, and all but
 * the last line of a multiline reply: "250-...", RFC 5321 4.2.1, travels
 * as one envelope with the final code). */
static Envelope *
envelope_new (MrMapView     *self,
              const MrEvent *event,
              int            client,
              int            server)
{
  Envelope *envelope;

  if (event->kind != MR_EVENT_LINE && event->kind != MR_EVENT_CONNECT)
    return NULL;
  if (event->flags & MR_EVENT_FLAG_CONTINUED)
    return NULL;

  envelope = g_new0 (Envelope, 1);
  envelope->src = event->direction == MR_DIRECTION_TO_CLIENT ? server : client;
  envelope->dst = event->direction == MR_DIRECTION_TO_CLIENT ? client : server;
  envelope->label = mr_event_dup_label (event);
  envelope->locked = (event->flags & MR_EVENT_FLAG_ENCRYPTED) != 0;
  gdk_rgba_parse (&envelope->color, mr_event_class_color (mr_event_classify (event)));
  envelope->duration = BASE_DURATION_USEC / MAX (self->speed, 0.05);
  envelope->accepts = -1;
  return envelope;
}

void
mr_map_view_push_event (MrMapView *self,
                        MrEvent   *event)
{
  int client, server;
  guint src, dst;
  Envelope *envelope;
  Schedule *schedule;
  gint64 now, backlog;
  int accepts = -1;

  g_return_if_fail (MR_IS_MAP_VIEW (self));
  g_return_if_fail (event != NULL);

  if (self->topology == NULL)
    return;

  mr_topology_learn (self->topology, event, &client, &server);
  if (client < 0 || server < 0)
    return;

  now = now_usec (self);

  if (self->glow->len < mr_topology_get_n_hosts (self->topology))
    g_array_set_size (self->glow, mr_topology_get_n_hosts (self->topology));
  if (self->accepted->len < mr_topology_get_n_hosts (self->topology))
    g_array_set_size (self->accepted, mr_topology_get_n_hosts (self->topology));

  if (event->kind == MR_EVENT_DISCONNECT)
    g_hash_table_remove (self->schedules, &event->conversation_id);
  accepts = follow_acceptance (self->last_verb, event, server);

  /* Scrubbed back: the live world goes on unseen (counted, not flown), so
   * going live shows the badges as they are now. */
  if (self->past != NULL)
    {
      if (accepts >= 0)
        g_array_index (self->accepted, guint, accepts)++;
      return;
    }

  /* Notes (queued, delivered, bounced) light up the server; content and
   * disconnects are implied by the lines around them. */
  if (event->kind == MR_EVENT_NOTE)
    {
      g_array_index (self->glow, gint64, server) = now + GLOW_USEC;
      ensure_ticking (self);
      return;
    }

  envelope = envelope_new (self, event, client, server);
  if (envelope == NULL)
    return;
  src = envelope->src;
  dst = envelope->dst;

  /* Screen readers hear the latest line, at most twice a second. */
  if (now - self->announced > G_USEC_PER_SEC / 2)
    {
      g_autofree char *description =
        g_strdup_printf ("%s → %s: %s", mr_topology_get_host (self->topology, src)->name,
                         mr_topology_get_host (self->topology, dst)->name,
                         event->text ? event->text : "");

      gtk_accessible_update_property (GTK_ACCESSIBLE (self), GTK_ACCESSIBLE_PROPERTY_DESCRIPTION,
                                      description, -1);
      self->announced = now;
    }

  envelope->accepts = accepts;

  /* Causality, per conversation: a reply leaves only once the command it
   * answers has arrived; lines in the same direction (a pipelined burst)
   * follow each other as a train. When a conversation falls behind, its
   * envelopes speed up instead of lagging forever. */
  schedule = g_hash_table_lookup (self->schedules, &event->conversation_id);
  if (schedule == NULL)
    {
      schedule = g_new0 (Schedule, 1);
      g_hash_table_insert (self->schedules, g_memdup2 (&event->conversation_id, sizeof (guint64)), schedule);
    }
  backlog = MAX (0, schedule->last_end - now);
  if (backlog > 4 * CATCH_UP_USEC)
    {
      /* Flooded (30 clients at full speed): the diagram and transcript
       * keep every line; the map shows what it can keep up with. */
      envelope->start = now;
      envelope->duration = 0;
      envelope_done (self, envelope, now);
      return;
    }
  if (backlog > CATCH_UP_USEC)
    envelope->duration = MAX (envelope->duration * CATCH_UP_USEC / backlog, envelope->duration / 8);
  if (schedule->last_end == 0)
    envelope->start = now;
  else if (schedule->direction == event->direction)
    envelope->start = MAX (now, schedule->last_start + envelope->duration * TRAIN_GAP_FRACTION);
  else
    envelope->start = MAX (now, schedule->last_end);
  schedule->last_start = envelope->start;
  schedule->last_end = MAX (schedule->last_end, envelope->start + envelope->duration);
  schedule->direction = event->direction;

  g_queue_push_tail (&self->envelopes, envelope);
  while (self->envelopes.length > MAX_ENVELOPES)
    envelope_done (self, g_queue_pop_head (&self->envelopes), now);

  ensure_ticking (self);
}

/* Faults and the past ----------------------------------------------------- */

void
mr_map_view_set_faults (MrMapView          *self,
                        const char * const *specs)
{
  g_return_if_fail (MR_IS_MAP_VIEW (self));

  g_ptr_array_set_size (self->faults, 0);
  for (guint i = 0; specs != NULL && specs[i] != NULL; i++)
    {
      g_autofree char *name = NULL;
      g_autofree char *target = NULL;
      const MrFaultInfo *info;
      Fault *fault;

      if (!mr_fault_parse_spec (specs[i], &name, &target, NULL, NULL) ||
          (info = mr_fault_catalog_lookup (name)) == NULL)
        continue;
      fault = g_new0 (Fault, 1);
      fault->name = g_steal_pointer (&name);
      fault->target = g_steal_pointer (&target);
      fault->info = info;
      g_ptr_array_add (self->faults, fault);
    }
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

GStrv
mr_map_view_dup_faults_on (MrMapView  *self,
                           const char *host)
{
  int index;

  g_return_val_if_fail (MR_IS_MAP_VIEW (self), NULL);

  if (self->topology == NULL || (index = mr_topology_lookup (self->topology, host)) < 0)
    return g_new0 (char *, 1);
  return dup_host_faults (self, index);
}

void
mr_map_view_show_past (MrMapView    *self,
                       MrEventModel *past)
{
  g_autoptr(GHashTable) last_verb = NULL;
  guint n_events;

  g_return_if_fail (MR_IS_MAP_VIEW (self));
  g_return_if_fail (!past || MR_IS_EVENT_MODEL (past));

  g_set_object (&self->past, past);
  g_array_set_size (self->past_accepted, 0);
  g_ptr_array_set_size (self->past_envelopes, 0);
  gtk_widget_queue_draw (GTK_WIDGET (self));

  if (past == NULL || self->topology == NULL)
    return;

  /* Going back in time: what is in flight now belongs to the present. */
  g_queue_clear_full (&self->envelopes, envelope_free);
  g_hash_table_remove_all (self->schedules);

  /* Badges as they were then; the last few lines as a still frame, the
   * newest (the timeline's cursor) on its way. */
  last_verb = last_verb_table_new ();
  n_events = mr_event_model_get_n_events (past);
  g_array_set_size (self->past_accepted, mr_topology_get_n_hosts (self->topology));
  for (guint i = 0; i < n_events; i++)
    {
      MrEvent *event = mr_event_model_get_event (past, i);
      int client, server, accepts;

      mr_topology_learn (self->topology, event, &client, &server);
      if (client < 0 || server < 0)
        continue;
      if (self->past_accepted->len < mr_topology_get_n_hosts (self->topology))
        g_array_set_size (self->past_accepted, mr_topology_get_n_hosts (self->topology));
      accepts = follow_acceptance (last_verb, event, server);
      if (accepts >= 0)
        g_array_index (self->past_accepted, guint, accepts)++;
    }

  for (guint i = n_events; i > 0 && self->past_envelopes->len < PAST_TRAIL; i--)
    {
      MrEvent *event = mr_event_model_get_event (past, i - 1);
      int client = -1, server = -1;
      Envelope *envelope;

      mr_topology_learn (self->topology, event, &client, &server);
      if (client < 0 || server < 0 || (envelope = envelope_new (self, event, client, server)) == NULL)
        continue;
      g_ptr_array_insert (self->past_envelopes, 0, envelope);
    }
}

const char * const *
mr_map_view_get_route (MrMapView *self)
{
  g_return_val_if_fail (MR_IS_MAP_VIEW (self), NULL);
  return (const char * const *) self->route;
}

void
mr_map_view_set_route (MrMapView          *self,
                       const char * const *hosts)
{
  g_return_if_fail (MR_IS_MAP_VIEW (self));

  if (self->route == NULL && hosts == NULL)
    return;
  if (self->route != NULL && hosts != NULL && g_strv_equal ((const char * const *) self->route, hosts))
    return;
  g_strfreev (self->route);
  self->route = g_strdupv ((char **) hosts);
  gtk_widget_queue_draw (GTK_WIDGET (self));
  g_object_notify_by_pspec (G_OBJECT (self), properties [PROP_ROUTE]);
}

gboolean
mr_map_view_get_showing_past (MrMapView *self)
{
  g_return_val_if_fail (MR_IS_MAP_VIEW (self), FALSE);
  return self->past != NULL;
}

/* The label of the envelope the map shows for the timeline's cursor. */
const char *
mr_map_view_get_past_label (MrMapView *self)
{
  g_return_val_if_fail (MR_IS_MAP_VIEW (self), NULL);

  if (self->past_envelopes->len == 0)
    return NULL;
  return ((Envelope *) g_ptr_array_index (self->past_envelopes, self->past_envelopes->len - 1))->label;
}

guint
mr_map_view_get_n_accepted (MrMapView  *self,
                            const char *host)
{
  GArray *accepted;
  int index;

  g_return_val_if_fail (MR_IS_MAP_VIEW (self), 0);

  accepted = self->past != NULL ? self->past_accepted : self->accepted;
  if (self->topology == NULL || (index = mr_topology_lookup (self->topology, host)) < 0 ||
      (guint) index >= accepted->len)
    return 0;
  return g_array_index (accepted, guint, index);
}

void
mr_map_view_set_queue (MrMapView  *self,
                       const char *host,
                       guint       length)
{
  g_return_if_fail (MR_IS_MAP_VIEW (self));

  if (self->queue_length == length && g_strcmp0 (self->queue_host, host) == 0)
    return;

  g_free (self->queue_host);
  self->queue_host = g_strdup (host);
  self->queue_length = length;
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

guint
mr_map_view_get_n_envelopes (MrMapView *self)
{
  g_return_val_if_fail (MR_IS_MAP_VIEW (self), 0);
  return self->envelopes.length;
}

MrTopology *
mr_map_view_get_topology (MrMapView *self)
{
  g_return_val_if_fail (MR_IS_MAP_VIEW (self), NULL);
  return self->topology;
}

void
mr_map_view_set_topology (MrMapView  *self,
                          MrTopology *topology)
{
  g_return_if_fail (MR_IS_MAP_VIEW (self));
  g_return_if_fail (!topology || MR_IS_TOPOLOGY (topology));

  if (self->topology == topology)
    return;

  if (self->topology != NULL)
    g_clear_signal_handler (&self->topology_changed_id, self->topology);
  g_set_object (&self->topology, topology);
  if (topology != NULL)
    self->topology_changed_id =
      g_signal_connect_object (topology, "changed", G_CALLBACK (on_topology_changed_cb),
                               self, G_CONNECT_SWAPPED);

  g_queue_clear_full (&self->envelopes, envelope_free);
  gtk_widget_queue_draw (GTK_WIDGET (self));
  g_object_notify_by_pspec (G_OBJECT (self), properties [PROP_TOPOLOGY]);
}

double
mr_map_view_get_speed (MrMapView *self)
{
  g_return_val_if_fail (MR_IS_MAP_VIEW (self), 1.0);
  return self->speed;
}

void
mr_map_view_set_speed (MrMapView *self,
                       double     speed)
{
  g_return_if_fail (MR_IS_MAP_VIEW (self));

  speed = CLAMP (speed, 0.05, 100.0);
  if (self->speed == speed)
    return;
  self->speed = speed;
  g_object_notify_by_pspec (G_OBJECT (self), properties [PROP_SPEED]);
}

/* Hovering a host names it and explains the faults switched on there. */
static gboolean
mr_map_view_query_tooltip (GtkWidget  *widget,
                           int         x,
                           int         y,
                           gboolean    keyboard_mode,
                           GtkTooltip *tooltip)
{
  MrMapView *self = (MrMapView *)widget;
  Geometry g;

  if (self->topology == NULL || keyboard_mode)
    return FALSE;

  compute_geometry (self, &g);
  for (guint i = 0; i < mr_topology_get_n_hosts (self->topology); i++)
    {
      const MrHost *host = mr_topology_get_host (self->topology, i);
      g_autoptr(GString) text = NULL;
      double cx, cy;

      host_center (&g, host, &cx, &cy);
      if (ABS (x - cx) > g.node_w / 2 || ABS (y - cy) > g.node_h / 2)
        continue;

      text = g_string_new (NULL);
      g_string_append_printf (text, "<b>%s</b>\n%s", host->name, role_title (host->role));
      for (guint f = 0; self->past == NULL && f < self->faults->len; f++)
        {
          const Fault *fault = g_ptr_array_index (self->faults, f);
          g_autofree char *line = NULL;

          if (!fault_on_host (fault, host))
            continue;
          line = g_markup_printf_escaped ("\n⚠ <b>%s</b>%s%s: %s", fault->name,
                                          fault->target ? " @ " : "", fault->target ? fault->target : "",
                                          _(fault->info->summary));
          g_string_append (text, line);
        }
      gtk_tooltip_set_markup (tooltip, text->str);
      return TRUE;
    }
  return FALSE;
}

static void
mr_map_view_measure (GtkWidget      *widget,
                     GtkOrientation  orientation,
                     int             for_size,
                     int            *minimum,
                     int            *natural,
                     int            *minimum_baseline,
                     int            *natural_baseline)
{
  *minimum = orientation == GTK_ORIENTATION_HORIZONTAL ? 360 : 240;
  *natural = orientation == GTK_ORIENTATION_HORIZONTAL ? 1100 : 650;
}

static void
mr_map_view_dispose (GObject *object)
{
  MrMapView *self = (MrMapView *)object;

  if (self->tick_id != 0)
    {
      gtk_widget_remove_tick_callback (GTK_WIDGET (self), self->tick_id);
      self->tick_id = 0;
    }
  mr_map_view_set_topology (self, NULL);

  G_OBJECT_CLASS (mr_map_view_parent_class)->dispose (object);
}

static void
mr_map_view_finalize (GObject *object)
{
  MrMapView *self = (MrMapView *)object;

  g_queue_clear_full (&self->envelopes, envelope_free);
  g_clear_pointer (&self->schedules, g_hash_table_unref);
  g_clear_pointer (&self->glow, g_array_unref);
  g_clear_pointer (&self->accepted, g_array_unref);
  g_clear_pointer (&self->last_verb, g_hash_table_unref);
  g_clear_pointer (&self->queue_host, g_free);
  g_clear_pointer (&self->faults, g_ptr_array_unref);
  g_clear_pointer (&self->route, g_strfreev);
  g_clear_object (&self->past);
  g_clear_pointer (&self->past_accepted, g_array_unref);
  g_clear_pointer (&self->past_envelopes, g_ptr_array_unref);

  G_OBJECT_CLASS (mr_map_view_parent_class)->finalize (object);
}

static void
mr_map_view_get_property (GObject    *object,
                          guint       prop_id,
                          GValue     *value,
                          GParamSpec *pspec)
{
  MrMapView *self = MR_MAP_VIEW (object);

  switch (prop_id)
    {
    case PROP_TOPOLOGY:
      g_value_set_object (value, self->topology);
      break;

    case PROP_SPEED:
      g_value_set_double (value, self->speed);
      break;

    case PROP_ROUTE:
      g_value_set_boxed (value, self->route);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
mr_map_view_set_property (GObject      *object,
                          guint         prop_id,
                          const GValue *value,
                          GParamSpec   *pspec)
{
  MrMapView *self = MR_MAP_VIEW (object);

  switch (prop_id)
    {
    case PROP_TOPOLOGY:
      mr_map_view_set_topology (self, g_value_get_object (value));
      break;

    case PROP_SPEED:
      mr_map_view_set_speed (self, g_value_get_double (value));
      break;

    case PROP_ROUTE:
      mr_map_view_set_route (self, g_value_get_boxed (value));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
mr_map_view_class_init (MrMapViewClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = mr_map_view_dispose;
  object_class->finalize = mr_map_view_finalize;
  object_class->get_property = mr_map_view_get_property;
  object_class->set_property = mr_map_view_set_property;

  widget_class->snapshot = mr_map_view_snapshot;
  widget_class->measure = mr_map_view_measure;
  widget_class->query_tooltip = mr_map_view_query_tooltip;

  properties [PROP_TOPOLOGY] =
    g_param_spec_object ("topology", NULL, NULL, MR_TYPE_TOPOLOGY,
                         (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));
  properties [PROP_SPEED] =
    g_param_spec_double ("speed", NULL, NULL, 0.05, 100.0, 1.0,
                         (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));
  /* Hosts of a message's path (a Received: trace), drawn hop by hop. */
  properties [PROP_ROUTE] =
    g_param_spec_boxed ("route", NULL, NULL, G_TYPE_STRV,
                        (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));
  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_template_from_resource (widget_class, "/io/github/mailroomlab/Mailroom/ui/mr-map-view.ui");
  gtk_widget_class_set_css_name (widget_class, "mapview");
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_IMG);
}

static void
mr_map_view_init (MrMapView *self)
{
  self->speed = 1.0;
  self->schedules = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, g_free);
  self->glow = g_array_new (FALSE, TRUE, sizeof (gint64));
  self->accepted = g_array_new (FALSE, TRUE, sizeof (guint));
  self->last_verb = last_verb_table_new ();
  self->faults = g_ptr_array_new_with_free_func (fault_free);
  self->past_accepted = g_array_new (FALSE, TRUE, sizeof (guint));
  self->past_envelopes = g_ptr_array_new_with_free_func (envelope_free);
  gtk_widget_init_template (GTK_WIDGET (self));
  gtk_widget_set_has_tooltip (GTK_WIDGET (self), TRUE);
}

GtkWidget *
mr_map_view_new (void)
{
  return g_object_new (MR_TYPE_MAP_VIEW, NULL);
}
