/* mr-clock.c
 *
 * Copyright 2026 The Mailroom authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "mr-clock"

#include "config.h"

#include "mr-clock.h"

/*
 * Virtual time is an affine function of real (monotonic) time:
 *   now = base_virtual + (monotonic - base_monotonic) * speed
 * Every change of speed or mode re-bases it, so virtual time never jumps
 * backwards. Timeouts live in one sorted list; a single GSource wakes at the
 * real time the first one falls due, recomputed whenever the mapping changes.
 */

typedef struct
{
  guint          id;
  gint64         due;       /* virtual time */
  MrClockFunc    func;
  gpointer       user_data;
  GDestroyNotify destroy;
} Timeout;

struct _MrClock
{
  GObject       parent_instance;

  GMutex        mutex;
  MrClockMode   mode;
  double        speed;
  gint64        base_virtual;
  gint64        base_monotonic;

  /* Timeouts, sorted by due time; only touched on the owner's context */
  GList        *timeouts;
  guint         last_timeout_id;
  GSource      *wakeup;
  GMainContext *context;
  GTimeZone    *local_zone;
};

G_DEFINE_FINAL_TYPE (MrClock, mr_clock, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_MODE,
  PROP_SPEED,
  N_PROPS
};

enum {
  STEP,
  CHANGED,
  N_SIGNALS
};

static GParamSpec *properties [N_PROPS];
static guint signals [N_SIGNALS];

static void schedule_wakeup (MrClock *self);

static void
timeout_free (Timeout *timeout)
{
  if (timeout->destroy)
    timeout->destroy (timeout->user_data);
  g_free (timeout);
}

static gint64
now_locked (MrClock *self)
{
  gint64 elapsed;

  if (self->mode == MR_CLOCK_STEP)
    return self->base_virtual;

  elapsed = g_get_monotonic_time () - self->base_monotonic;
  return self->base_virtual + (gint64)(elapsed * self->speed);
}

static void
rebase_locked (MrClock *self)
{
  self->base_virtual = now_locked (self);
  self->base_monotonic = g_get_monotonic_time ();
}

static void
fire_due (MrClock *self)
{
  gint64 now = mr_clock_now (self);

  while (self->timeouts != NULL)
    {
      Timeout *timeout = self->timeouts->data;

      if (timeout->due > now)
        break;
      self->timeouts = g_list_delete_link (self->timeouts, self->timeouts);
      timeout->func (timeout->user_data);
      timeout_free (timeout);
    }
}

static gboolean
on_wakeup_cb (gpointer user_data)
{
  MrClock *self = user_data;

  g_clear_pointer (&self->wakeup, g_source_unref);
  g_object_ref (self);
  fire_due (self);
  schedule_wakeup (self);
  g_object_unref (self);

  return G_SOURCE_REMOVE;
}

static void
schedule_wakeup (MrClock *self)
{
  Timeout *first;
  gint64 wait_us;

  if (self->wakeup != NULL)
    {
      g_source_destroy (self->wakeup);
      g_clear_pointer (&self->wakeup, g_source_unref);
    }

  if (self->timeouts == NULL || self->mode == MR_CLOCK_STEP || self->speed <= 0)
    return;

  first = self->timeouts->data;
  wait_us = (gint64)((first->due - mr_clock_now (self)) / self->speed);
  wait_us = CLAMP (wait_us, 0, G_MAXINT / 1000);

  self->wakeup = g_timeout_source_new ((guint)((wait_us + 999) / 1000));
  g_source_set_callback (self->wakeup, on_wakeup_cb, self, NULL);
  g_source_set_name (self->wakeup, "[mailroom] clock wakeup");
  g_source_attach (self->wakeup, self->context);
}

static void
mr_clock_finalize (GObject *object)
{
  MrClock *self = (MrClock *)object;

  if (self->wakeup != NULL)
    {
      g_source_destroy (self->wakeup);
      g_clear_pointer (&self->wakeup, g_source_unref);
    }
  g_list_free_full (self->timeouts, (GDestroyNotify)timeout_free);
  g_clear_pointer (&self->context, g_main_context_unref);
  g_clear_pointer (&self->local_zone, g_time_zone_unref);
  g_mutex_clear (&self->mutex);

  G_OBJECT_CLASS (mr_clock_parent_class)->finalize (object);
}

static void
mr_clock_get_property (GObject    *object,
                       guint       prop_id,
                       GValue     *value,
                       GParamSpec *pspec)
{
  MrClock *self = MR_CLOCK (object);

  switch (prop_id)
    {
    case PROP_MODE:
      g_value_set_int (value, mr_clock_get_mode (self));
      break;

    case PROP_SPEED:
      g_value_set_double (value, mr_clock_get_speed (self));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
mr_clock_set_property (GObject      *object,
                       guint         prop_id,
                       const GValue *value,
                       GParamSpec   *pspec)
{
  MrClock *self = MR_CLOCK (object);

  switch (prop_id)
    {
    case PROP_MODE:
      mr_clock_set_mode (self, g_value_get_int (value));
      break;

    case PROP_SPEED:
      mr_clock_set_speed (self, g_value_get_double (value));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
mr_clock_class_init (MrClockClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = mr_clock_finalize;
  object_class->get_property = mr_clock_get_property;
  object_class->set_property = mr_clock_set_property;

  properties [PROP_MODE] =
    g_param_spec_int ("mode", NULL, NULL,
                      MR_CLOCK_REALTIME, MR_CLOCK_STEP, MR_CLOCK_REALTIME,
                      (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  properties [PROP_SPEED] =
    g_param_spec_double ("speed", NULL, NULL,
                         0.01, 10000.0, 1.0,
                         (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * MrClock::step:
   *
   * Emitted by mr_clock_step(): in step mode, each wire waiting on the
   * clock lets one line through.
   */
  signals [STEP] =
    g_signal_new ("step", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 0);

  /**
   * MrClock::changed:
   *
   * Emitted when the mapping from real to virtual time changes (mode,
   * speed, advance), so pacers can recompute their waits.
   */
  signals [CHANGED] =
    g_signal_new ("changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 0);
}

static void
mr_clock_init (MrClock *self)
{
  g_mutex_init (&self->mutex);
  self->mode = MR_CLOCK_REALTIME;
  self->speed = 1.0;
  self->base_virtual = g_get_real_time ();
  self->base_monotonic = g_get_monotonic_time ();
  self->context = g_main_context_ref_thread_default ();
}

MrClock *
mr_clock_new (void)
{
  return g_object_new (MR_TYPE_CLOCK, NULL);
}

gint64
mr_clock_now (MrClock *self)
{
  gint64 now;

  g_return_val_if_fail (MR_IS_CLOCK (self), 0);

  g_mutex_lock (&self->mutex);
  now = now_locked (self);
  g_mutex_unlock (&self->mutex);

  return now;
}

GDateTime *
mr_clock_dup_now (MrClock *self)
{
  gint64 now = mr_clock_now (self);
  g_autoptr(GDateTime) utc = g_date_time_new_from_unix_utc (now / G_USEC_PER_SEC);
  g_autoptr(GDateTime) local = NULL;

  /* The zone is looked up once: GLib 2.74 reads /etc/localtime for every
   * local GDateTime, which costs more than an SMTP transaction. */
  if (g_once_init_enter (&self->local_zone))
    g_once_init_leave (&self->local_zone, g_time_zone_new_local ());

  local = g_date_time_to_timezone (utc, self->local_zone);
  /* g_date_time_new_from_unix_local_usec() is GLib 2.80; add the rest. */
  return g_date_time_add (local, now % G_USEC_PER_SEC);
}

MrClockMode
mr_clock_get_mode (MrClock *self)
{
  g_return_val_if_fail (MR_IS_CLOCK (self), MR_CLOCK_REALTIME);
  return self->mode;
}

void
mr_clock_set_mode (MrClock     *self,
                   MrClockMode  mode)
{
  g_return_if_fail (MR_IS_CLOCK (self));

  if (self->mode == mode)
    return;

  g_mutex_lock (&self->mutex);
  rebase_locked (self);
  self->mode = mode;
  g_mutex_unlock (&self->mutex);

  schedule_wakeup (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties [PROP_MODE]);
  g_signal_emit (self, signals [CHANGED], 0);
}

double
mr_clock_get_speed (MrClock *self)
{
  g_return_val_if_fail (MR_IS_CLOCK (self), 1.0);
  return self->speed;
}

void
mr_clock_set_speed (MrClock *self,
                    double   speed)
{
  g_return_if_fail (MR_IS_CLOCK (self));
  g_return_if_fail (speed > 0);

  if (self->speed == speed)
    return;

  g_mutex_lock (&self->mutex);
  rebase_locked (self);
  self->speed = speed;
  g_mutex_unlock (&self->mutex);

  schedule_wakeup (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties [PROP_SPEED]);
  g_signal_emit (self, signals [CHANGED], 0);
}

void
mr_clock_advance (MrClock *self,
                  gint64   usec)
{
  g_return_if_fail (MR_IS_CLOCK (self));
  g_return_if_fail (usec >= 0);

  g_mutex_lock (&self->mutex);
  rebase_locked (self);
  self->base_virtual += usec;
  g_mutex_unlock (&self->mutex);

  g_object_ref (self);
  fire_due (self);
  schedule_wakeup (self);
  g_signal_emit (self, signals [CHANGED], 0);
  g_object_unref (self);
}

void
mr_clock_step (MrClock *self)
{
  g_return_if_fail (MR_IS_CLOCK (self));
  g_signal_emit (self, signals [STEP], 0);
}

static gint
compare_timeouts (gconstpointer a,
                  gconstpointer b)
{
  const Timeout *ta = a;
  const Timeout *tb = b;

  return ta->due < tb->due ? -1 : ta->due > tb->due ? 1 : 0;
}

guint
mr_clock_add_timeout (MrClock        *self,
                      gint64          usec,
                      MrClockFunc     func,
                      gpointer        user_data,
                      GDestroyNotify  destroy)
{
  Timeout *timeout;

  g_return_val_if_fail (MR_IS_CLOCK (self), 0);
  g_return_val_if_fail (func != NULL, 0);

  timeout = g_new0 (Timeout, 1);
  timeout->id = ++self->last_timeout_id;
  timeout->due = mr_clock_now (self) + MAX (usec, 0);
  timeout->func = func;
  timeout->user_data = user_data;
  timeout->destroy = destroy;
  self->timeouts = g_list_insert_sorted (self->timeouts, timeout, compare_timeouts);
  schedule_wakeup (self);

  return timeout->id;
}

void
mr_clock_cancel (MrClock *self,
                 guint    id)
{
  g_return_if_fail (MR_IS_CLOCK (self));

  for (GList *l = self->timeouts; l != NULL; l = l->next)
    {
      Timeout *timeout = l->data;

      if (timeout->id == id)
        {
          self->timeouts = g_list_delete_link (self->timeouts, l);
          timeout_free (timeout);
          schedule_wakeup (self);
          return;
        }
    }
}

gint64
mr_clock_get_next_due (MrClock *self)
{
  gint64 remaining;

  g_return_val_if_fail (MR_IS_CLOCK (self), -1);

  if (self->timeouts == NULL)
    return -1;
  /* Read the clock once: MAX() would evaluate it twice, and time moves
   * between the two reads (a negative result means "nothing pending"). */
  remaining = ((Timeout *)self->timeouts->data)->due - mr_clock_now (self);
  return MAX (remaining, 0);
}

const char *
mr_clock_mode_to_string (MrClockMode mode)
{
  return mode == MR_CLOCK_STEP ? "step" : "realtime";
}

gboolean
mr_clock_mode_from_string (const char  *name,
                           MrClockMode *mode_r)
{
  if (g_strcmp0 (name, "realtime") == 0)
    *mode_r = MR_CLOCK_REALTIME;
  else if (g_strcmp0 (name, "step") == 0)
    *mode_r = MR_CLOCK_STEP;
  else
    return FALSE;
  return TRUE;
}
