/* mr-state-view.c
 *
 * Copyright 2026 The Mailroom authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "mr-state-view"

#include "config.h"

#include <glib/gi18n.h>
#include <math.h>

#include "mr-conversation-index.h"
#include "mr-state-view.h"

/* How long a new refusal flashes (real time, microseconds). */
#define FLASH_USEC (1500 * G_TIME_SPAN_MILLISECOND)

typedef struct
{
  const char *name;     /* as events carry it */
  const char *label;    /* as the RFC writes it */
} Node;

typedef struct
{
  guint       from;
  guint       to;
  const char *label;
} Edge;

typedef struct
{
  MrProtocol  protocol;
  const Node *nodes;
  guint       n_nodes;
  const Edge *edges;
  guint       n_edges;
} Machine;

/* RFC 5321 4.1.4 and 3.3: a mail transaction is MAIL, then RCPT (one or
 * more), then DATA; the end-of-data dot brings the session back to
 * "greeted" for the next transaction. */
static const Node smtp_nodes[] = {
  { "connected", "connected" },
  { "greeted", "greeted" },
  { "mail", "mail" },
  { "rcpt", "rcpt" },
  { "data", "data" },
  { "quit", "quit" },
};
static const Edge smtp_edges[] = {
  { 0, 1, "EHLO" },
  { 1, 2, "MAIL" },
  { 2, 3, "RCPT" },
  { 3, 4, "DATA" },
  { 4, 1, "\u2022 250" },
  { 1, 5, "QUIT" },
};

/* RFC 1939 3: AUTHORIZATION, TRANSACTION after a successful log-in, UPDATE
 * after QUIT from TRANSACTION. */
static const Node pop3_nodes[] = {
  { "authorization", "AUTHORIZATION" },
  { "transaction", "TRANSACTION" },
  { "update", "UPDATE" },
};
static const Edge pop3_edges[] = {
  { 0, 1, "PASS" },
  { 1, 2, "QUIT" },
};

/* RFC 3501 3: the four states and their transitions (figure in 3.4). */
static const Node imap_nodes[] = {
  { "not-authenticated", "not authenticated" },
  { "authenticated", "authenticated" },
  { "selected", "selected" },
  { "logout", "logout" },
};
static const Edge imap_edges[] = {
  { 0, 1, "LOGIN" },
  { 1, 2, "SELECT" },
  { 2, 1, "CLOSE" },
  { 1, 3, "LOGOUT" },
};

static const Machine machines[] = {
  { MR_PROTOCOL_SMTP, smtp_nodes, G_N_ELEMENTS (smtp_nodes), smtp_edges, G_N_ELEMENTS (smtp_edges) },
  { MR_PROTOCOL_POP3, pop3_nodes, G_N_ELEMENTS (pop3_nodes), pop3_edges, G_N_ELEMENTS (pop3_edges) },
  { MR_PROTOCOL_IMAP, imap_nodes, G_N_ELEMENTS (imap_nodes), imap_edges, G_N_ELEMENTS (imap_edges) },
};

struct _MrStateView
{
  GtkWidget     parent_instance;

  /* Owned */
  MrConversationIndex *index;   /* the shown conversation's events */
  guint         flash_tick;
  gint64        flash_start;

  /* Computed by update () */
  MrProtocol    protocol;
  char         *client;
  char         *server;
  char         *state;
  char         *refused_verb;
  char         *refused_reply;
  char         *refused_from;
  char         *refused_target;
  guint64       refused_seq;
  gboolean      encrypted;
};

G_DEFINE_FINAL_TYPE (MrStateView, mr_state_view, GTK_TYPE_WIDGET)

enum {
  PROP_0,
  PROP_CONVERSATION,
  PROP_CURSOR,
  PROP_STATE,
  PROP_REFUSED_VERB,
  PROP_REFUSED_REPLY,
  N_PROPS
};

static GParamSpec *properties [N_PROPS];

static const Machine *
machine_for (MrProtocol protocol)
{
  for (guint i = 0; i < G_N_ELEMENTS (machines); i++)
    if (machines[i].protocol == protocol)
      return &machines[i];
  return NULL;
}

static int
node_index (const Machine *machine,
            const char    *name)
{
  if (machine == NULL || name == NULL)
    return -1;
  for (guint i = 0; i < machine->n_nodes; i++)
    if (g_ascii_strcasecmp (machine->nodes[i].name, name) == 0)
      return i;
  return -1;
}

const char *
mr_state_view_target_for_verb (MrProtocol  protocol,
                               const char *verb)
{
  static const struct { MrProtocol protocol; const char *verb; const char *target; } table[] = {
    /* RFC 5321 4.1.4: the order of commands */
    { MR_PROTOCOL_SMTP, "EHLO", "greeted" },
    { MR_PROTOCOL_SMTP, "HELO", "greeted" },
    { MR_PROTOCOL_SMTP, "LHLO", "greeted" },
    { MR_PROTOCOL_SMTP, "RSET", "greeted" },
    { MR_PROTOCOL_SMTP, "MAIL", "mail" },
    { MR_PROTOCOL_SMTP, "RCPT", "rcpt" },
    { MR_PROTOCOL_SMTP, "DATA", "data" },
    { MR_PROTOCOL_SMTP, "BDAT", "data" },
    { MR_PROTOCOL_SMTP, "QUIT", "quit" },
    { MR_PROTOCOL_SMTP, "STARTTLS", "connected" },   /* RFC 3207 4.2: forget everything */
    /* RFC 1939 4-6: which state each command belongs to */
    { MR_PROTOCOL_POP3, "PASS", "transaction" },
    { MR_PROTOCOL_POP3, "APOP", "transaction" },
    { MR_PROTOCOL_POP3, "AUTH", "transaction" },
    { MR_PROTOCOL_POP3, "STAT", "transaction" },
    { MR_PROTOCOL_POP3, "LIST", "transaction" },
    { MR_PROTOCOL_POP3, "RETR", "transaction" },
    { MR_PROTOCOL_POP3, "DELE", "transaction" },
    { MR_PROTOCOL_POP3, "TOP", "transaction" },
    { MR_PROTOCOL_POP3, "UIDL", "transaction" },
    { MR_PROTOCOL_POP3, "RSET", "transaction" },
    { MR_PROTOCOL_POP3, "QUIT", "update" },
    /* RFC 3501 6.2-6.4 */
    { MR_PROTOCOL_IMAP, "LOGIN", "authenticated" },
    { MR_PROTOCOL_IMAP, "AUTHENTICATE", "authenticated" },
    { MR_PROTOCOL_IMAP, "SELECT", "selected" },
    { MR_PROTOCOL_IMAP, "EXAMINE", "selected" },
    { MR_PROTOCOL_IMAP, "CREATE", "authenticated" },
    { MR_PROTOCOL_IMAP, "DELETE", "authenticated" },
    { MR_PROTOCOL_IMAP, "RENAME", "authenticated" },
    { MR_PROTOCOL_IMAP, "LIST", "authenticated" },
    { MR_PROTOCOL_IMAP, "LSUB", "authenticated" },
    { MR_PROTOCOL_IMAP, "STATUS", "authenticated" },
    { MR_PROTOCOL_IMAP, "APPEND", "authenticated" },
    { MR_PROTOCOL_IMAP, "CLOSE", "authenticated" },
    { MR_PROTOCOL_IMAP, "UNSELECT", "authenticated" },
    { MR_PROTOCOL_IMAP, "FETCH", "selected" },
    { MR_PROTOCOL_IMAP, "STORE", "selected" },
    { MR_PROTOCOL_IMAP, "SEARCH", "selected" },
    { MR_PROTOCOL_IMAP, "COPY", "selected" },
    { MR_PROTOCOL_IMAP, "MOVE", "selected" },
    { MR_PROTOCOL_IMAP, "EXPUNGE", "selected" },
    { MR_PROTOCOL_IMAP, "UID", "selected" },
    { MR_PROTOCOL_IMAP, "LOGOUT", "logout" },
  };

  if (verb == NULL)
    return NULL;
  for (guint i = 0; i < G_N_ELEMENTS (table); i++)
    if (table[i].protocol == protocol && g_ascii_strcasecmp (table[i].verb, verb) == 0)
      return table[i].target;
  return NULL;
}

static gboolean
is_refusal (const MrEvent *event)
{
  return event->kind == MR_EVENT_LINE &&
         event->direction == MR_DIRECTION_TO_CLIENT &&
         (event->flags & (MR_EVENT_FLAG_ERROR)) != 0 &&
         (event->flags & (MR_EVENT_FLAG_CONTINUED | MR_EVENT_FLAG_UNTAGGED)) == 0;
}

static void
set_str (char       **field,
         const char  *value)
{
  if (g_strcmp0 (*field, value) != 0)
    {
      g_free (*field);
      *field = g_strdup (value);
    }
}

static gboolean
flash_tick_cb (GtkWidget     *widget,
               GdkFrameClock *frame_clock,
               gpointer       user_data)
{
  MrStateView *self = (MrStateView *)widget;

  g_assert (MR_IS_STATE_VIEW (self));

  gtk_widget_queue_draw (widget);
  if (gdk_frame_clock_get_frame_time (frame_clock) - self->flash_start > FLASH_USEC)
    {
      self->flash_tick = 0;
      return G_SOURCE_REMOVE;
    }
  return G_SOURCE_CONTINUE;
}

static void
start_flash (MrStateView *self)
{
  gboolean animate = TRUE;

  g_object_get (gtk_widget_get_settings (GTK_WIDGET (self)), "gtk-enable-animations", &animate, NULL);
  if (!animate)
    return;
  self->flash_start = g_get_monotonic_time ();
  if (self->flash_tick == 0)
    self->flash_tick = gtk_widget_add_tick_callback (GTK_WIDGET (self), flash_tick_cb, NULL, NULL);
}

/* Follow: the newest conversation with a protocol we can draw. */
static gboolean
can_draw (const MrEvent *event,
          gpointer       user_data)
{
  return machine_for (event->protocol) != NULL;
}

/* Replays the shown conversation's events up to the cursor. */
static void
update (MrStateView *self)
{
  g_autofree char *old_state = g_strdup (self->state);
  g_autofree char *old_verb = g_strdup (self->refused_verb);
  g_autofree char *old_reply = g_strdup (self->refused_reply);
  guint64 old_refused_seq = self->refused_seq;
  /* Catching up after being hidden: what is new was not seen live. */
  gboolean catching_up = mr_conversation_index_get_stale (self->index) &&
                         !gtk_widget_get_mapped (GTK_WIDGET (self));
  guint64 shown = mr_conversation_index_update_shown (self->index);
  guint n_events = mr_conversation_index_get_n_events (self->index, shown);
  guint64 cursor = mr_conversation_index_get_cursor (self->index);
  const char *cmd_verb = NULL;
  const char *cmd_state = NULL;

  self->protocol = MR_PROTOCOL_NONE;
  self->encrypted = FALSE;
  g_clear_pointer (&self->state, g_free);
  g_clear_pointer (&self->refused_verb, g_free);
  g_clear_pointer (&self->refused_reply, g_free);
  g_clear_pointer (&self->refused_from, g_free);
  g_clear_pointer (&self->refused_target, g_free);
  self->refused_seq = 0;

  for (guint i = 0; i < n_events; i++)
    {
      MrEvent *event = mr_conversation_index_get_event (self->index, shown, i);

      /* Notes are not on the wire: no state to replay, and their
       * protocol (often none) must not replace the conversation's. */
      if (event->kind == MR_EVENT_NOTE)
        continue;

      self->protocol = event->protocol;
      set_str (&self->client, event->client);
      set_str (&self->server, event->server);
      if (event->kind == MR_EVENT_TLS || (event->flags & MR_EVENT_FLAG_ENCRYPTED))
        self->encrypted = TRUE;

      if (event->kind == MR_EVENT_LINE && event->direction == MR_DIRECTION_TO_SERVER && event->verb)
        {
          cmd_verb = event->verb;
          cmd_state = event->state ? event->state : self->state;
        }
      else if (is_refusal (event) && cmd_verb != NULL)
        {
          set_str (&self->refused_verb, cmd_verb);
          set_str (&self->refused_reply, event->text);
          set_str (&self->refused_from, cmd_state);
          set_str (&self->refused_target, mr_state_view_target_for_verb (event->protocol, cmd_verb));
          self->refused_seq = event->seq;
        }
      else if (event->kind == MR_EVENT_LINE && event->direction == MR_DIRECTION_TO_CLIENT &&
               (event->flags & (MR_EVENT_FLAG_CONTINUED | MR_EVENT_FLAG_UNTAGGED)) == 0 &&
               cmd_verb != NULL && self->refused_seq != 0)
        {
          /* A later command went through: the refusal is history. */
          g_clear_pointer (&self->refused_verb, g_free);
          g_clear_pointer (&self->refused_reply, g_free);
          g_clear_pointer (&self->refused_from, g_free);
          g_clear_pointer (&self->refused_target, g_free);
          self->refused_seq = 0;
        }

      if (event->state != NULL)
        set_str (&self->state, event->state);
    }

  if (g_strcmp0 (old_state, self->state) != 0)
    g_object_notify_by_pspec (G_OBJECT (self), properties [PROP_STATE]);
  if (g_strcmp0 (old_verb, self->refused_verb) != 0)
    g_object_notify_by_pspec (G_OBJECT (self), properties [PROP_REFUSED_VERB]);
  if (g_strcmp0 (old_reply, self->refused_reply) != 0)
    g_object_notify_by_pspec (G_OBJECT (self), properties [PROP_REFUSED_REPLY]);

  /* Flash only what is new while live, not what scrubbing uncovers. */
  if (self->refused_seq != 0 && self->refused_seq > old_refused_seq && cursor == 0 && !catching_up)
    start_flash (self);

  gtk_widget_queue_draw (GTK_WIDGET (self));
}

static void
on_index_changed_cb (MrStateView *self)
{
  g_assert (MR_IS_STATE_VIEW (self));

  /* Hidden (another page is shown): replay later, when looked at. */
  if (gtk_widget_get_mapped (GTK_WIDGET (self)))
    update (self);
}

static void
ensure_updated (MrStateView *self)
{
  if (mr_conversation_index_get_stale (self->index))
    update (self);
}

static void
mr_state_view_map (GtkWidget *widget)
{
  /* Before chaining up: still unmapped, so a refusal that came while
   * hidden does not flash as if it were new. */
  ensure_updated (MR_STATE_VIEW (widget));
  GTK_WIDGET_CLASS (mr_state_view_parent_class)->map (widget);
}

/* Drawing */

static void
draw_arrow_head (cairo_t *cr,
                 double   x,
                 double   y,
                 double   angle,
                 double   size)
{
  cairo_move_to (cr, x, y);
  cairo_line_to (cr, x - size * cos (angle - 0.45), y - size * sin (angle - 0.45));
  cairo_line_to (cr, x - size * cos (angle + 0.45), y - size * sin (angle + 0.45));
  cairo_close_path (cr);
  cairo_fill (cr);
}

static void
draw_text (MrStateView *self,
           cairo_t     *cr,
           const char  *text,
           double       x,
           double       y,
           gboolean     bold,
           double       scale,
           double       max_width)
{
  g_autoptr(PangoLayout) layout = gtk_widget_create_pango_layout (GTK_WIDGET (self), text);
  PangoFontDescription *font = pango_font_description_copy (pango_context_get_font_description (pango_layout_get_context (layout)));
  int w, h;

  if (bold)
    pango_font_description_set_weight (font, PANGO_WEIGHT_BOLD);
  pango_font_description_set_size (font, pango_font_description_get_size (font) * scale);
  pango_layout_set_font_description (layout, font);
  pango_font_description_free (font);
  pango_layout_get_pixel_size (layout, &w, &h);
  if (max_width > 0 && w > max_width)
    {
      /* Shrink to fit (POP3's AUTHORIZATION in a small node). */
      font = pango_font_description_copy (pango_layout_get_font_description (layout));
      pango_font_description_set_size (font, pango_font_description_get_size (font) * max_width / w);
      pango_layout_set_font_description (layout, font);
      pango_font_description_free (font);
      pango_layout_get_pixel_size (layout, &w, &h);
    }
  cairo_move_to (cr, x - w / 2.0, y - h / 2.0);
  pango_cairo_show_layout (cr, layout);
  cairo_new_path (cr);
}

/* An edge from node @a to node @b: straight between neighbours going
 * right, an arc above for longer jumps right, an arc below going left. */
static void
draw_edge (MrStateView *self,
           cairo_t     *cr,
           double       xa,
           double       xb,
           double       y,
           double       r,
           const char  *label,
           gboolean     neighbour)
{
  double line_width = cairo_get_line_width (cr);

  if (neighbour && xb > xa)
    {
      cairo_move_to (cr, xa + r, y);
      cairo_line_to (cr, xb - r - 2, y);
      cairo_stroke (cr);
      draw_arrow_head (cr, xb - r, y, 0, 8 + line_width * 2);
      draw_text (self, cr, label, (xa + xb) / 2, y - 14, FALSE, 0.9, 0);
    }
  else
    {
      double dir = xb > xa ? -1 : 1;        /* above going right, below going left */
      double h = dir * (r + 26 + ABS (xb - xa) * 0.12);
      double y0 = y + dir * r * 0.8;

      cairo_move_to (cr, xa, y0);
      cairo_curve_to (cr, xa, y + h, xb, y + h, xb, y0 + dir * 3);
      cairo_stroke (cr);
      draw_arrow_head (cr, xb, y0, dir < 0 ? G_PI / 2 : -G_PI / 2, 8 + line_width * 2);
      draw_text (self, cr, label, (xa + xb) / 2, y + h * 0.75 + dir * 12, FALSE, 0.9, 0);
    }
}

static void
mr_state_view_snapshot (GtkWidget   *widget,
                        GtkSnapshot *snapshot)
{
  MrStateView *self = (MrStateView *)widget;
  const Machine *machine = machine_for (self->protocol);
  int width = gtk_widget_get_width (widget);
  int height = gtk_widget_get_height (widget);
  GtkRoot *root = gtk_widget_get_root (widget);
  /* Presentation mode (a class on the window): thick lines, large type */
  gboolean presenting = gtk_widget_has_css_class (widget, "presentation") ||
                        (root != NULL && gtk_widget_has_css_class (GTK_WIDGET (root), "presentation"));
  GdkRGBA fg;
  cairo_t *cr;
  double slot, r, y, flash = 0;
  int lit, from, target;

  gtk_style_context_get_color (gtk_widget_get_style_context (widget), &fg);
  cr = gtk_snapshot_append_cairo (snapshot, &GRAPHENE_RECT_INIT (0, 0, width, height));

  if (machine == NULL)
    {
      gdk_cairo_set_source_rgba (cr, &fg);
      cairo_set_source_rgba (cr, fg.red, fg.green, fg.blue, 0.55);
      draw_text (self, cr, _("No conversation yet: the state machine of the next one appears here"),
                 width / 2.0, height / 2.0, FALSE, 1.0, 0);
      cairo_destroy (cr);
      return;
    }

  if (self->flash_tick != 0)
    {
      double t = (g_get_monotonic_time () - self->flash_start) / (double) FLASH_USEC;
      flash = t < 1 ? 0.5 + 0.5 * cos (t * 6 * G_PI) : 0;
    }

  /* Title: which conversation, and as of when */
  {
    g_autofree char *protocol = g_ascii_strup (mr_protocol_to_string (self->protocol), -1);
    g_autofree char *title = g_strdup_printf ("%s  %s \u2192 %s%s", protocol,
                                              self->client ? self->client : "?",
                                              self->server ? self->server : "?",
                                              self->encrypted ? "  · TLS" : "");
    gdk_cairo_set_source_rgba (cr, &fg);
    draw_text (self, cr, title, width / 2.0, 24, TRUE, presenting ? 1.3 : 1.1, 0);
  }

  slot = width / (double) machine->n_nodes;
  r = MIN (slot * 0.36, MIN (70, height * 0.16));
  y = height * 0.52;
  lit = node_index (machine, self->state);
  from = node_index (machine, self->refused_from);
  target = node_index (machine, self->refused_target);
  cairo_set_line_width (cr, presenting ? 4 : 2);

  /* Edges */
  for (guint i = 0; i < machine->n_edges; i++)
    {
      const Edge *edge = &machine->edges[i];

      cairo_set_source_rgba (cr, fg.red, fg.green, fg.blue, 0.6);
      draw_edge (self, cr, slot * (edge->from + 0.5), slot * (edge->to + 0.5), y, r,
                 edge->label, edge->to == edge->from + 1);
    }

  /* The refused edge: the one the command tried to take */
  if (self->refused_verb != NULL && from >= 0)
    {
      g_autofree char *label = g_strdup_printf ("%s \u2717 %.*s", self->refused_verb,
                                                (int) strcspn (self->refused_reply ? self->refused_reply : "", " "),
                                                self->refused_reply ? self->refused_reply : "");
      double dashes[] = { 8, 5 };

      cairo_save (cr);
      cairo_set_source_rgba (cr, 0.878, 0.106, 0.141, 1.0);   /* #e01b24 */
      cairo_set_line_width (cr, (presenting ? 5 : 3) + flash * 4);
      cairo_set_dash (cr, dashes, 2, 0);
      if (target >= 0 && target != from)
        {
          /* Always an arc below the row, so that it never hides the
           * regular edge it may coincide with. */
          double xa = slot * (from + 0.5), xb = slot * (target + 0.5);
          double h = r + 90 + ABS (xb - xa) * 0.12;

          cairo_move_to (cr, xa, y + r * 0.8);
          cairo_curve_to (cr, xa, y + h, xb, y + h, xb, y + r * 0.8 + 3);
          cairo_stroke (cr);
          cairo_set_dash (cr, NULL, 0, 0);
          draw_arrow_head (cr, xb, y + r * 0.8, -G_PI / 2, 12);
          draw_text (self, cr, label, (xa + xb) / 2, y + h * 0.8 + 22, TRUE, presenting ? 1.3 : 1.05, 0);
        }
      else
        {
          /* Refused where it stands (or no edge known): ring the node. */
          double x = slot * (from + 0.5);

          cairo_new_sub_path (cr);
          cairo_arc (cr, x, y, r + 8, 0, 2 * G_PI);
          cairo_stroke (cr);
          draw_text (self, cr, label, x, y + r + 28, TRUE, presenting ? 1.3 : 1.05, 0);
        }
      cairo_restore (cr);
    }

  /* Nodes */
  for (guint i = 0; i < machine->n_nodes; i++)
    {
      double x = slot * (i + 0.5);

      cairo_new_sub_path (cr);
      cairo_arc (cr, x, y, r * 0.8, 0, 2 * G_PI);
      if ((int) i == lit)
        {
          cairo_set_source_rgba (cr, 0.208, 0.518, 0.894, 1.0);   /* #3584e4 */
          cairo_fill_preserve (cr);
          cairo_set_source_rgba (cr, fg.red, fg.green, fg.blue, 1.0);
          cairo_stroke (cr);
          cairo_set_source_rgb (cr, 1, 1, 1);
        }
      else
        {
          cairo_set_source_rgba (cr, fg.red, fg.green, fg.blue, 0.06);
          cairo_fill_preserve (cr);
          cairo_set_source_rgba (cr, fg.red, fg.green, fg.blue, 0.5);
          cairo_stroke (cr);
          cairo_set_source_rgba (cr, fg.red, fg.green, fg.blue, 0.8);
        }
      draw_text (self, cr, machine->nodes[i].label, x, y, (int) i == lit,
                 (presenting ? 1.2 : 0.95) * MIN (1.0, r / 45.0), r * 1.5);
    }

  if (mr_conversation_index_get_cursor (self->index) != 0)
    {
      g_autofree char *as_of = g_strdup_printf (_("as of event %llu"),
                                                (unsigned long long) mr_conversation_index_get_cursor (self->index));

      cairo_set_source_rgba (cr, fg.red, fg.green, fg.blue, 0.6);
      draw_text (self, cr, as_of, width / 2.0, height - 16, FALSE, 0.9, 0);
    }

  cairo_destroy (cr);
}

static void
mr_state_view_measure (GtkWidget      *widget,
                       GtkOrientation  orientation,
                       int             for_size,
                       int            *minimum,
                       int            *natural,
                       int            *minimum_baseline,
                       int            *natural_baseline)
{
  *minimum = orientation == GTK_ORIENTATION_HORIZONTAL ? 360 : 240;
  *natural = orientation == GTK_ORIENTATION_HORIZONTAL ? 900 : 360;
}

static void
mr_state_view_dispose (GObject *object)
{
  MrStateView *self = (MrStateView *)object;

  if (self->flash_tick != 0)
    {
      gtk_widget_remove_tick_callback (GTK_WIDGET (self), self->flash_tick);
      self->flash_tick = 0;
    }
  mr_conversation_index_set_model (self->index, NULL);

  G_OBJECT_CLASS (mr_state_view_parent_class)->dispose (object);
}

static void
mr_state_view_finalize (GObject *object)
{
  MrStateView *self = (MrStateView *)object;

  g_clear_object (&self->index);
  g_free (self->client);
  g_free (self->server);
  g_free (self->state);
  g_free (self->refused_verb);
  g_free (self->refused_reply);
  g_free (self->refused_from);
  g_free (self->refused_target);

  G_OBJECT_CLASS (mr_state_view_parent_class)->finalize (object);
}

static void
mr_state_view_get_property (GObject    *object,
                            guint       prop_id,
                            GValue     *value,
                            GParamSpec *pspec)
{
  MrStateView *self = MR_STATE_VIEW (object);

  switch (prop_id)
    {
    case PROP_CONVERSATION:
      g_value_set_uint64 (value, mr_conversation_index_get_conversation (self->index));
      break;

    case PROP_CURSOR:
      g_value_set_uint64 (value, mr_conversation_index_get_cursor (self->index));
      break;

    case PROP_STATE:
      ensure_updated (self);
      g_value_set_string (value, self->state);
      break;

    case PROP_REFUSED_VERB:
      ensure_updated (self);
      g_value_set_string (value, self->refused_verb);
      break;

    case PROP_REFUSED_REPLY:
      ensure_updated (self);
      g_value_set_string (value, self->refused_reply);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
mr_state_view_set_property (GObject      *object,
                            guint         prop_id,
                            const GValue *value,
                            GParamSpec   *pspec)
{
  MrStateView *self = MR_STATE_VIEW (object);

  switch (prop_id)
    {
    case PROP_CONVERSATION:
      mr_state_view_set_conversation (self, g_value_get_uint64 (value));
      break;

    case PROP_CURSOR:
      mr_state_view_set_cursor (self, g_value_get_uint64 (value));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
mr_state_view_class_init (MrStateViewClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = mr_state_view_dispose;
  object_class->finalize = mr_state_view_finalize;
  object_class->get_property = mr_state_view_get_property;
  object_class->set_property = mr_state_view_set_property;

  widget_class->snapshot = mr_state_view_snapshot;
  widget_class->measure = mr_state_view_measure;
  widget_class->map = mr_state_view_map;

  properties [PROP_CONVERSATION] =
    g_param_spec_uint64 ("conversation", NULL, NULL, 0, G_MAXUINT64, 0,
                         (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));
  properties [PROP_CURSOR] =
    g_param_spec_uint64 ("cursor", NULL, NULL, 0, G_MAXUINT64, 0,
                         (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));
  properties [PROP_STATE] =
    g_param_spec_string ("state", NULL, NULL, NULL,
                         (G_PARAM_READABLE | G_PARAM_STATIC_STRINGS));
  properties [PROP_REFUSED_VERB] =
    g_param_spec_string ("refused-verb", NULL, NULL, NULL,
                         (G_PARAM_READABLE | G_PARAM_STATIC_STRINGS));
  properties [PROP_REFUSED_REPLY] =
    g_param_spec_string ("refused-reply", NULL, NULL, NULL,
                         (G_PARAM_READABLE | G_PARAM_STATIC_STRINGS));
  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_css_name (widget_class, "stateview");
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_IMG);
}

static void
mr_state_view_init (MrStateView *self)
{
  self->index = mr_conversation_index_new ();
  mr_conversation_index_set_follow_func (self->index, can_draw, NULL);
  g_signal_connect_object (self->index, "changed", G_CALLBACK (on_index_changed_cb),
                           self, G_CONNECT_SWAPPED);
  gtk_widget_set_hexpand (GTK_WIDGET (self), TRUE);
  gtk_widget_set_vexpand (GTK_WIDGET (self), TRUE);
}

GtkWidget *
mr_state_view_new (void)
{
  return g_object_new (MR_TYPE_STATE_VIEW, NULL);
}

void
mr_state_view_set_model (MrStateView  *self,
                         MrEventModel *model)
{
  g_return_if_fail (MR_IS_STATE_VIEW (self));
  g_return_if_fail (!model || MR_IS_EVENT_MODEL (model));

  if (mr_conversation_index_set_model (self->index, model))
    update (self);
}

void
mr_state_view_set_conversation (MrStateView *self,
                                guint64      conversation_id)
{
  g_return_if_fail (MR_IS_STATE_VIEW (self));

  if (!mr_conversation_index_set_conversation (self->index, conversation_id))
    return;
  update (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties [PROP_CONVERSATION]);
}

guint64
mr_state_view_get_conversation (MrStateView *self)
{
  g_return_val_if_fail (MR_IS_STATE_VIEW (self), 0);
  return mr_conversation_index_get_conversation (self->index);
}

void
mr_state_view_set_cursor (MrStateView *self,
                          guint64      seq)
{
  g_return_if_fail (MR_IS_STATE_VIEW (self));

  if (!mr_conversation_index_set_cursor (self->index, seq))
    return;
  update (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties [PROP_CURSOR]);
}

guint64
mr_state_view_get_cursor (MrStateView *self)
{
  g_return_val_if_fail (MR_IS_STATE_VIEW (self), 0);
  return mr_conversation_index_get_cursor (self->index);
}

guint64
mr_state_view_get_shown_conversation (MrStateView *self)
{
  g_return_val_if_fail (MR_IS_STATE_VIEW (self), 0);
  ensure_updated (self);
  return mr_conversation_index_get_shown (self->index);
}

MrProtocol
mr_state_view_get_protocol (MrStateView *self)
{
  g_return_val_if_fail (MR_IS_STATE_VIEW (self), MR_PROTOCOL_NONE);
  ensure_updated (self);
  return self->protocol;
}

const char *
mr_state_view_get_state (MrStateView *self)
{
  g_return_val_if_fail (MR_IS_STATE_VIEW (self), NULL);
  ensure_updated (self);
  return self->state;
}

const char *
mr_state_view_get_refused_verb (MrStateView *self)
{
  g_return_val_if_fail (MR_IS_STATE_VIEW (self), NULL);
  ensure_updated (self);
  return self->refused_verb;
}

const char *
mr_state_view_get_refused_reply (MrStateView *self)
{
  g_return_val_if_fail (MR_IS_STATE_VIEW (self), NULL);
  ensure_updated (self);
  return self->refused_reply;
}

const char *
mr_state_view_get_refused_target (MrStateView *self)
{
  g_return_val_if_fail (MR_IS_STATE_VIEW (self), NULL);
  ensure_updated (self);
  return self->refused_target;
}
