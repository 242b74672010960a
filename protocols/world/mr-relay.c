/* mr-relay.c
 *
 * Copyright 2026 The Mailroom authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "mr-relay"

#include "config.h"

#include <string.h>

#include "mr-dsn.h"
#include "mr-relay.h"
#include "mr-smtp-client.h"
#include "mr-smtp-session.h"
#include "mr-wire.h"

static const gint64 default_schedule[] = {
  5 * G_TIME_SPAN_MINUTE,
  10 * G_TIME_SPAN_MINUTE,
  20 * G_TIME_SPAN_MINUTE,
  40 * G_TIME_SPAN_MINUTE,
  4000 * G_TIME_SPAN_SECOND,
};

const char *
mr_queue_rcpt_state_to_string (MrQueueRcptState state)
{
  switch (state)
    {
    case MR_QUEUE_RCPT_QUEUED:
      return "queued";
    case MR_QUEUE_RCPT_SENDING:
      return "sending";
    case MR_QUEUE_RCPT_DEFERRED:
      return "deferred";
    case MR_QUEUE_RCPT_DELIVERED:
      return "delivered";
    case MR_QUEUE_RCPT_BOUNCED:
      return "bounced";
    default:
      g_return_val_if_reached ("?");
    }
}

static void
queue_recipient_free (MrQueueRecipient *rcpt)
{
  g_free (rcpt->address);
  g_free (rcpt->domain);
  g_free (rcpt->orcpt_type);
  g_free (rcpt->orcpt);
  g_free (rcpt->remote_host);
  g_free (rcpt->enhanced);
  g_free (rcpt->text);
  g_free (rcpt);
}

static void
set_outcome (MrQueueRecipient *rcpt,
             MrQueueRcptState  state,
             const char       *remote_host,
             guint             code,
             const char       *enhanced,
             const char       *text)
{
  rcpt->state = state;
  if (remote_host != rcpt->remote_host)
    {
      g_free (rcpt->remote_host);
      rcpt->remote_host = g_strdup (remote_host);
    }
  rcpt->code = code;
  if (enhanced != rcpt->enhanced)
    {
      g_free (rcpt->enhanced);
      rcpt->enhanced = g_strdup (enhanced);
    }
  if (text != rcpt->text)
    {
      g_free (rcpt->text);
      rcpt->text = g_strdup (text);
    }
}

/* MrQueueItem */

struct _MrQueueItem
{
  GObject         parent_instance;

  /* Borrowed: the relay outlives its items' activity (it cancels their
   * timers when disposed). */
  MrRelay        *relay;

  /* Owned */
  MrSmtpEnvelope *envelope;
  GBytes         *message;
  GPtrArray      *recipients;     /* MrQueueRecipient */
  gint64          arrival;
  gint64          next_attempt;
  guint           timer_id;       /* clock timeout for the next attempt */
  guint           idle_id;        /* main-loop idle for an attempt "now" */
  guint           n_active;       /* domain attempts under way */
  guint           rounds;
};

G_DEFINE_FINAL_TYPE (MrQueueItem, mr_queue_item, G_TYPE_OBJECT)

enum {
  ITEM_CHANGED,
  ITEM_N_SIGNALS
};

enum {
  ITEM_PROP_0,
  ITEM_PROP_ID,
  ITEM_PROP_SENDER,
  ITEM_PROP_ARRIVAL,
  ITEM_PROP_NEXT_ATTEMPT,
  ITEM_PROP_N_RECIPIENTS,
  ITEM_PROP_STATE,
  ITEM_PROP_DONE,
  ITEM_N_PROPS
};

static guint item_signals [ITEM_N_SIGNALS];
static GParamSpec *item_properties [ITEM_N_PROPS];

static void
mr_queue_item_get_property (GObject    *object,
                            guint       prop_id,
                            GValue     *value,
                            GParamSpec *pspec)
{
  MrQueueItem *self = MR_QUEUE_ITEM (object);

  switch (prop_id)
    {
    case ITEM_PROP_ID:
      g_value_set_string (value, mr_queue_item_get_id (self));
      break;

    case ITEM_PROP_SENDER:
      g_value_set_string (value, mr_queue_item_get_sender (self));
      break;

    case ITEM_PROP_ARRIVAL:
      g_value_set_int64 (value, self->arrival);
      break;

    case ITEM_PROP_NEXT_ATTEMPT:
      g_value_set_int64 (value, self->next_attempt);
      break;

    case ITEM_PROP_N_RECIPIENTS:
      g_value_set_uint (value, self->recipients->len);
      break;

    case ITEM_PROP_STATE:
      g_value_set_int (value, mr_queue_item_get_state (self));
      break;

    case ITEM_PROP_DONE:
      g_value_set_boolean (value, mr_queue_item_get_done (self));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

/* ::changed, and the properties that follow the recipients. */
static void
item_changed (MrQueueItem *self)
{
  g_object_notify_by_pspec (G_OBJECT (self), item_properties [ITEM_PROP_STATE]);
  g_object_notify_by_pspec (G_OBJECT (self), item_properties [ITEM_PROP_NEXT_ATTEMPT]);
  g_object_notify_by_pspec (G_OBJECT (self), item_properties [ITEM_PROP_DONE]);
  g_signal_emit (self, item_signals [ITEM_CHANGED], 0);
}

static void
mr_queue_item_finalize (GObject *object)
{
  MrQueueItem *self = (MrQueueItem *)object;

  g_clear_pointer (&self->envelope, mr_smtp_envelope_unref);
  g_clear_pointer (&self->message, g_bytes_unref);
  g_clear_pointer (&self->recipients, g_ptr_array_unref);

  G_OBJECT_CLASS (mr_queue_item_parent_class)->finalize (object);
}

static void
mr_queue_item_class_init (MrQueueItemClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = mr_queue_item_finalize;
  object_class->get_property = mr_queue_item_get_property;

  item_properties [ITEM_PROP_ID] =
    g_param_spec_string ("id", NULL, NULL, NULL, (G_PARAM_READABLE | G_PARAM_STATIC_STRINGS));
  item_properties [ITEM_PROP_SENDER] =
    g_param_spec_string ("sender", NULL, NULL, NULL, (G_PARAM_READABLE | G_PARAM_STATIC_STRINGS));
  item_properties [ITEM_PROP_ARRIVAL] =
    g_param_spec_int64 ("arrival", NULL, NULL, 0, G_MAXINT64, 0,
                        (G_PARAM_READABLE | G_PARAM_STATIC_STRINGS));
  item_properties [ITEM_PROP_NEXT_ATTEMPT] =
    g_param_spec_int64 ("next-attempt", NULL, NULL, 0, G_MAXINT64, 0,
                        (G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));
  item_properties [ITEM_PROP_N_RECIPIENTS] =
    g_param_spec_uint ("n-recipients", NULL, NULL, 0, G_MAXUINT, 0,
                       (G_PARAM_READABLE | G_PARAM_STATIC_STRINGS));
  item_properties [ITEM_PROP_STATE] =
    g_param_spec_int ("state", NULL, NULL, MR_QUEUE_RCPT_QUEUED, MR_QUEUE_RCPT_BOUNCED,
                      MR_QUEUE_RCPT_QUEUED,
                      (G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));
  item_properties [ITEM_PROP_DONE] =
    g_param_spec_boolean ("done", NULL, NULL, FALSE,
                          (G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  g_object_class_install_properties (object_class, ITEM_N_PROPS, item_properties);

  /**
   * MrQueueItem::changed:
   *
   * Emitted when a recipient's state, or the next attempt, changed.
   */
  item_signals [ITEM_CHANGED] =
    g_signal_new ("changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 0);
}

static void
mr_queue_item_init (MrQueueItem *self)
{
  self->recipients = g_ptr_array_new_with_free_func ((GDestroyNotify)queue_recipient_free);
}

const char *
mr_queue_item_get_id (MrQueueItem *self)
{
  g_return_val_if_fail (MR_IS_QUEUE_ITEM (self), NULL);
  return self->envelope->queue_id;
}

const char *
mr_queue_item_get_sender (MrQueueItem *self)
{
  g_return_val_if_fail (MR_IS_QUEUE_ITEM (self), NULL);
  return self->envelope->sender;
}

GBytes *
mr_queue_item_get_message (MrQueueItem *self)
{
  g_return_val_if_fail (MR_IS_QUEUE_ITEM (self), NULL);
  return self->message;
}

MrSmtpEnvelope *
mr_queue_item_get_envelope (MrQueueItem *self)
{
  g_return_val_if_fail (MR_IS_QUEUE_ITEM (self), NULL);
  return self->envelope;
}

gint64
mr_queue_item_get_arrival (MrQueueItem *self)
{
  g_return_val_if_fail (MR_IS_QUEUE_ITEM (self), 0);
  return self->arrival;
}

gint64
mr_queue_item_get_next_attempt (MrQueueItem *self)
{
  g_return_val_if_fail (MR_IS_QUEUE_ITEM (self), 0);
  return self->next_attempt;
}

guint
mr_queue_item_get_n_recipients (MrQueueItem *self)
{
  g_return_val_if_fail (MR_IS_QUEUE_ITEM (self), 0);
  return self->recipients->len;
}

const MrQueueRecipient *
mr_queue_item_get_recipient (MrQueueItem *self,
                             guint        index)
{
  g_return_val_if_fail (MR_IS_QUEUE_ITEM (self), NULL);
  g_return_val_if_fail (index < self->recipients->len, NULL);
  return g_ptr_array_index (self->recipients, index);
}

const MrQueueRecipient *
mr_queue_item_lookup_recipient (MrQueueItem *self,
                                const char  *address)
{
  g_return_val_if_fail (MR_IS_QUEUE_ITEM (self), NULL);

  for (guint i = 0; i < self->recipients->len; i++)
    {
      MrQueueRecipient *rcpt = g_ptr_array_index (self->recipients, i);

      if (g_ascii_strcasecmp (rcpt->address, address) == 0)
        return rcpt;
    }

  return NULL;
}

MrQueueRcptState
mr_queue_item_get_state (MrQueueItem *self)
{
  gboolean any[MR_QUEUE_RCPT_BOUNCED + 1] = { FALSE, };

  g_return_val_if_fail (MR_IS_QUEUE_ITEM (self), MR_QUEUE_RCPT_QUEUED);

  for (guint i = 0; i < self->recipients->len; i++)
    any[((MrQueueRecipient *)g_ptr_array_index (self->recipients, i))->state] = TRUE;

  if (any[MR_QUEUE_RCPT_SENDING])
    return MR_QUEUE_RCPT_SENDING;
  if (any[MR_QUEUE_RCPT_QUEUED])
    return MR_QUEUE_RCPT_QUEUED;
  if (any[MR_QUEUE_RCPT_DEFERRED])
    return MR_QUEUE_RCPT_DEFERRED;
  if (any[MR_QUEUE_RCPT_BOUNCED])
    return MR_QUEUE_RCPT_BOUNCED;
  return MR_QUEUE_RCPT_DELIVERED;
}

gboolean
mr_queue_item_get_done (MrQueueItem *self)
{
  g_return_val_if_fail (MR_IS_QUEUE_ITEM (self), FALSE);

  for (guint i = 0; i < self->recipients->len; i++)
    {
      MrQueueRecipient *rcpt = g_ptr_array_index (self->recipients, i);

      if (rcpt->state != MR_QUEUE_RCPT_DELIVERED && rcpt->state != MR_QUEUE_RCPT_BOUNCED)
        return FALSE;
    }

  return TRUE;
}

gboolean
mr_queue_item_is_bounce (MrQueueItem *self)
{
  g_return_val_if_fail (MR_IS_QUEUE_ITEM (self), FALSE);
  return self->envelope->sender == NULL || self->envelope->sender[0] == '\0';
}

/* MrRelay */

typedef struct
{
  MrRelay      *relay;       /* borrowed */
  MrQueueItem  *item;        /* owned */
  char         *domain;
  GArray       *indices;     /* guint: recipients of @item in this attempt */
  GPtrArray    *mxs;         /* MrDnsMx */
  guint         next_mx;
  MrWire       *wire;        /* owned while connected */
  /* Why the last host did not take the message (for the deferral) */
  char         *last_host;
  guint         last_code;
  char         *last_enhanced;
  char         *last_text;
} Attempt;

struct _MrRelay
{
  GObject             parent_instance;

  /* Owned */
  char               *hostname;
  MrClock            *clock;
  MrEventBus         *bus;
  MrDns              *dns;
  MrFaultSet         *faults;
  MrConversation     *notes;      /* queue notes (not on any wire) */
  GMainContext       *context;    /* where attempts run (the engine's thread) */
  GListStore         *queue;
  GArray             *schedule;   /* gint64 */
  GPtrArray          *attempts;   /* Attempt, while active */
  MrRelayConnectFunc  connect_func;
  gpointer            connect_data;
  GDestroyNotify      connect_destroy;

  gint64              lifetime;
  gint64              delay_warning;
  gint64              latency;
};

G_DEFINE_FINAL_TYPE (MrRelay, mr_relay, G_TYPE_OBJECT)

enum {
  ITEM_DONE,
  N_SIGNALS
};

static guint signals [N_SIGNALS];

static void attempt_item (MrQueueItem *item);
static void try_next_mx  (Attempt     *attempt);

static void
note (MrRelay    *self,
      const char *format,
      ...) G_GNUC_PRINTF (2, 3);

static void
note (MrRelay    *self,
      const char *format,
      ...)
{
  g_autofree char *text = NULL;
  va_list args;

  va_start (args, format);
  text = g_strdup_vprintf (format, args);
  va_end (args);

  g_debug ("%s", text);
  mr_conversation_emit (self->notes,
                        mr_conversation_new_event (self->notes, MR_EVENT_NOTE,
                                                   MR_DIRECTION_NONE, text));
}

static char *
format_duration (gint64 usec)
{
  gint64 s = usec / G_USEC_PER_SEC;

  if (s >= 3600 && s % 3600 == 0)
    return g_strdup_printf ("%" G_GINT64_FORMAT "h", s / 3600);
  if (s >= 60 && s % 60 == 0)
    return g_strdup_printf ("%" G_GINT64_FORMAT "m", s / 60);
  return g_strdup_printf ("%" G_GINT64_FORMAT "s", s);
}

static char *
describe_reply (guint       code,
                const char *enhanced,
                const char *text)
{
  if (code == 0)
    return g_strdup (text ? text : "");
  return g_strdup_printf ("%u%s%s %s", code, enhanced ? " " : "", enhanced ? enhanced : "",
                          text ? text : "");
}

static void
attempt_free (Attempt *attempt)
{
  if (attempt->wire != NULL)
    g_signal_handlers_disconnect_by_data (attempt->wire, attempt);
  g_clear_object (&attempt->wire);
  g_clear_object (&attempt->item);
  g_clear_pointer (&attempt->domain, g_free);
  g_clear_pointer (&attempt->indices, g_array_unref);
  g_clear_pointer (&attempt->mxs, g_ptr_array_unref);
  g_clear_pointer (&attempt->last_host, g_free);
  g_clear_pointer (&attempt->last_enhanced, g_free);
  g_clear_pointer (&attempt->last_text, g_free);
  g_free (attempt);
}

static MrQueueRecipient *
attempt_rcpt (Attempt *attempt,
              guint    i)
{
  return g_ptr_array_index (attempt->item->recipients,
                            g_array_index (attempt->indices, guint, i));
}

static void
attempt_set_last (Attempt    *attempt,
                  const char *host,
                  guint       code,
                  const char *enhanced,
                  const char *text)
{
  g_free (attempt->last_host);
  attempt->last_host = g_strdup (host);
  attempt->last_code = code;
  g_free (attempt->last_enhanced);
  attempt->last_enhanced = g_strdup (enhanced);
  g_free (attempt->last_text);
  attempt->last_text = g_strdup (text);
}

/* DSNs */

static gboolean
wants_notify (MrQueueRecipient *rcpt,
              MrSmtpNotify      what)
{
  if (rcpt->notify & MR_SMTP_NOTIFY_NEVER)
    return FALSE;
  /* RFC 3461 4.1: without NOTIFY, failures are reported (and delays may
   * be; we only send them when asked). */
  if (rcpt->notify == MR_SMTP_NOTIFY_UNSPECIFIED)
    return what == MR_SMTP_NOTIFY_FAILURE;
  return (rcpt->notify & what) != 0;
}

static char *
dsn_status (MrQueueRecipient *rcpt,
            MrDsnAction       action)
{
  if (rcpt->enhanced != NULL)
    return g_strdup (rcpt->enhanced);
  switch (action)
    {
    case MR_DSN_ACTION_DELIVERED:
      return g_strdup ("2.0.0");
    case MR_DSN_ACTION_DELAYED:
      return g_strdup ("4.0.0");
    case MR_DSN_ACTION_FAILED:
    case MR_DSN_ACTION_RELAYED:
    case MR_DSN_ACTION_EXPANDED:
    default:
      return g_strdup (rcpt->code >= 500 ? "5.0.0" : "4.0.0");
    }
}

/* One DSN for everything this round reports (RFC 3464 allows several
 * actions in one report). */
static void
send_dsn (MrRelay     *self,
          MrQueueItem *item,
          GPtrArray   *rcpts,     /* MrQueueRecipient, borrowed */
          GArray      *actions)   /* MrDsnAction */
{
  g_autoptr(MrSmtpEnvelope) envelope = NULL;
  g_autoptr(GDateTime) date = NULL;
  g_autoptr(GBytes) dsn = NULL;
  g_autoptr(GPtrArray) strings = g_ptr_array_new_with_free_func (g_free);
  g_autofree MrDsnRecipient *blocks = NULL;
  MrSmtpRecipient *to;
  MrDsnInfo info = { 0 };
  MrQueueItem *bounce;

  if (rcpts->len == 0)
    return;

  /* RFC 3461 6.2 / RFC 5321 4.5.5: never report on a report. */
  if (mr_queue_item_is_bounce (item))
    {
      note (self, "%s: not reporting on a delivery report (null sender); discarded",
            mr_queue_item_get_id (item));
      return;
    }

  blocks = g_new0 (MrDsnRecipient, rcpts->len);
  for (guint i = 0; i < rcpts->len; i++)
    {
      MrQueueRecipient *rcpt = g_ptr_array_index (rcpts, i);
      MrDsnAction action = g_array_index (actions, MrDsnAction, i);
      char *status = dsn_status (rcpt, action);
      char *diagnostic = rcpt->code ? describe_reply (rcpt->code, rcpt->enhanced, rcpt->text) : NULL;

      g_ptr_array_add (strings, status);
      g_ptr_array_add (strings, diagnostic);
      blocks[i].final_recipient = rcpt->address;
      blocks[i].orcpt_type = rcpt->orcpt_type;
      blocks[i].orcpt = rcpt->orcpt;
      blocks[i].action = action;
      blocks[i].status = status;
      blocks[i].remote_mta = rcpt->remote_host;
      blocks[i].diagnostic = diagnostic ? diagnostic : rcpt->text;
      blocks[i].last_attempt = rcpt->last_attempt;
      if (action == MR_DSN_ACTION_DELAYED)
        blocks[i].will_retry_until = item->arrival + self->lifetime;
    }

  date = mr_clock_dup_now (self->clock);
  info.reporting_mta = self->hostname;
  info.to = item->envelope->sender;
  info.envid = item->envelope->envid;
  info.arrival_date = item->arrival;
  info.ret = item->envelope->ret;
  info.original = item->message;
  info.date = date;
  dsn = mr_dsn_build (&info, blocks, rcpts->len);

  /* RFC 3461 6.2: the report goes out with a null reverse-path, so it is
   * never bounced itself. */
  envelope = mr_smtp_envelope_new ("");
  envelope->queue_id = mr_smtp_generate_queue_id ();
  envelope->helo = g_strdup (self->hostname);
  envelope->client = g_strdup (self->hostname);
  to = mr_smtp_envelope_add_recipient (envelope, item->envelope->sender);
  to->notify = MR_SMTP_NOTIFY_NEVER;
  bounce = mr_relay_enqueue (self, envelope, dsn);
  note (self, "%s: delivery status notification %s queued for <%s>",
        mr_queue_item_get_id (item), mr_queue_item_get_id (bounce), item->envelope->sender);
}

/* The end of a round: report, reschedule or finish. */
static void
item_round_done (MrQueueItem *item)
{
  MrRelay *self = item->relay;
  g_autoptr(GPtrArray) report = g_ptr_array_new ();
  g_autoptr(GArray) actions = g_array_new (FALSE, FALSE, sizeof (MrDsnAction));
  gint64 now = mr_clock_now (self->clock);
  gboolean deferred = FALSE;
  gboolean expired = now - item->arrival >= self->lifetime;

  for (guint i = 0; i < item->recipients->len; i++)
    {
      MrQueueRecipient *rcpt = g_ptr_array_index (item->recipients, i);
      MrDsnAction action;

      if (rcpt->state == MR_QUEUE_RCPT_DEFERRED && expired)
        {
          g_autofree char *last = describe_reply (rcpt->code, rcpt->enhanced, rcpt->text);
          g_autofree char *age = format_duration (now - item->arrival);

          /* RFC 3464 2.3.4 / RFC 3463 4.4.7: the message is too old. The
           * last reply stays as the diagnostic. */
          note (self, "%s: <%s> expired after %s in the queue (last: %s)",
                mr_queue_item_get_id (item), rcpt->address, age, last);
          rcpt->state = MR_QUEUE_RCPT_BOUNCED;
          rcpt->reported = TRUE;
          g_free (rcpt->enhanced);
          rcpt->enhanced = g_strdup ("4.4.7");
          if (wants_notify (rcpt, MR_SMTP_NOTIFY_FAILURE))
            {
              action = MR_DSN_ACTION_FAILED;
              g_ptr_array_add (report, rcpt);
              g_array_append_val (actions, action);
            }
          continue;
        }

      switch (rcpt->state)
        {
        case MR_QUEUE_RCPT_BOUNCED:
          if (rcpt->reported)
            break;
          rcpt->reported = TRUE;
          if (wants_notify (rcpt, MR_SMTP_NOTIFY_FAILURE))
            {
              action = MR_DSN_ACTION_FAILED;
              g_ptr_array_add (report, rcpt);
              g_array_append_val (actions, action);
            }
          break;

        case MR_QUEUE_RCPT_DELIVERED:
          if (rcpt->reported)
            break;
          rcpt->reported = TRUE;
          if (wants_notify (rcpt, MR_SMTP_NOTIFY_SUCCESS))
            {
              /* RFC 3461 5.2.2: "relayed" when the next hop may not send DSNs. */
              action = MR_DSN_ACTION_DELIVERED;
              g_ptr_array_add (report, rcpt);
              g_array_append_val (actions, action);
            }
          break;

        case MR_QUEUE_RCPT_DEFERRED:
          deferred = TRUE;
          if (!rcpt->delay_notified && now - item->arrival >= self->delay_warning &&
              wants_notify (rcpt, MR_SMTP_NOTIFY_DELAY))
            {
              rcpt->delay_notified = TRUE;
              action = MR_DSN_ACTION_DELAYED;
              g_ptr_array_add (report, rcpt);
              g_array_append_val (actions, action);
            }
          break;

        case MR_QUEUE_RCPT_QUEUED:
        case MR_QUEUE_RCPT_SENDING:
        default:
          break;
        }
    }

  send_dsn (self, item, report, actions);

  if (deferred)
    {
      guint index = MIN (item->rounds, self->schedule->len) - 1;
      gint64 wait = g_array_index (self->schedule, gint64, index);
      gint64 until_expiry = item->arrival + self->lifetime - now;
      gint64 until_warning = -1;
      g_autofree char *shown = NULL;

      /* The last attempt happens when the lifetime ends; a pending delay
       * notice wakes the item up too. */
      wait = MIN (wait, MAX (until_expiry, 0));
      for (guint i = 0; i < item->recipients->len; i++)
        {
          MrQueueRecipient *rcpt = g_ptr_array_index (item->recipients, i);

          if (rcpt->state == MR_QUEUE_RCPT_DEFERRED && !rcpt->delay_notified &&
              wants_notify (rcpt, MR_SMTP_NOTIFY_DELAY))
            until_warning = item->arrival + self->delay_warning - now;
        }
      if (until_warning > 0)
        wait = MIN (wait, until_warning);

      shown = format_duration (wait);
      note (self, "%s: deferred; next attempt in %s", mr_queue_item_get_id (item), shown);
      item->next_attempt = now + wait;
      item->timer_id = mr_clock_add_timeout (self->clock, wait, (MrClockFunc)attempt_item,
                                             g_object_ref (item), g_object_unref);
      item_changed (item);
      return;
    }

  item->next_attempt = 0;
  item_changed (item);

  {
    guint position;

    if (g_list_store_find (self->queue, item, &position))
      {
        g_object_ref (item);
        g_list_store_remove (self->queue, position);
        note (self, "%s: removed from the queue", mr_queue_item_get_id (item));
        g_signal_emit (self, signals [ITEM_DONE], 0, item);
        g_object_unref (item);
      }
  }
}

static void
attempt_finish (Attempt *attempt)
{
  MrRelay *self = attempt->relay;
  MrQueueItem *item = g_object_ref (attempt->item);

  g_ptr_array_remove (self->attempts, attempt);
  g_assert (item->n_active > 0);
  item->n_active--;
  item_changed (item);
  if (item->n_active == 0)
    item_round_done (item);
  g_object_unref (item);
}

/* Every recipient of the attempt gets the same outcome. */
static void
attempt_finish_all (Attempt          *attempt,
                    MrQueueRcptState  state,
                    const char       *host,
                    guint             code,
                    const char       *enhanced,
                    const char       *text)
{
  MrRelay *self = attempt->relay;
  g_autofree char *shown = describe_reply (code, enhanced, text);

  for (guint i = 0; i < attempt->indices->len; i++)
    {
      MrQueueRecipient *rcpt = attempt_rcpt (attempt, i);

      set_outcome (rcpt, state, host, code, enhanced, text);
      note (self, "%s: <%s> %s (%s)", mr_queue_item_get_id (attempt->item), rcpt->address,
            mr_queue_rcpt_state_to_string (state), shown);
    }

  attempt_finish (attempt);
}

static void
on_wire_closed_cb (MrWire  *wire,
                   Attempt *attempt)
{
  MrRelay *self = attempt->relay;
  MrSmtpClient *client = mr_wire_get_client (wire);
  GPtrArray *results = mr_smtp_client_get_recipients (client);
  g_autofree char *host = g_strdup (mr_session_get_conversation (mr_wire_get_server (wire))->server);
  gboolean any_failed = FALSE;

  g_signal_handlers_disconnect_by_data (wire, attempt);
  /* The wire holds a reference while it emits. */
  g_clear_object (&attempt->wire);

  for (guint i = 0; i < results->len; i++)
    any_failed |= ((MrSmtpClientRecipient *)g_ptr_array_index (results, i))->status == MR_SMTP_RCPT_FAILED;

  /* RFC 5321 5.1: a host that cannot take mail right now (refused, 4yz
   * greeting, broken before MAIL) sends us to the next MX. */
  if (!mr_smtp_client_get_transaction_started (client) && !any_failed && results->len > 0)
    {
      MrSmtpClientRecipient *first = g_ptr_array_index (results, 0);

      attempt_set_last (attempt, host, first->code, first->enhanced, first->text);
      try_next_mx (attempt);
      return;
    }

  for (guint i = 0; i < results->len && i < attempt->indices->len; i++)
    {
      MrSmtpClientRecipient *result = g_ptr_array_index (results, i);
      MrQueueRecipient *rcpt = attempt_rcpt (attempt, i);
      MrQueueRcptState state;
      g_autofree char *shown = describe_reply (result->code, result->enhanced, result->text);

      switch (result->status)
        {
        case MR_SMTP_RCPT_DELIVERED:
          state = MR_QUEUE_RCPT_DELIVERED;
          break;
        case MR_SMTP_RCPT_FAILED:
          state = MR_QUEUE_RCPT_BOUNCED;
          break;
        case MR_SMTP_RCPT_PENDING:
        case MR_SMTP_RCPT_ACCEPTED:
        case MR_SMTP_RCPT_DEFERRED:
        default:
          state = MR_QUEUE_RCPT_DEFERRED;
          break;
        }
      set_outcome (rcpt, state, host, result->code, result->enhanced, result->text);
      note (self, "%s: <%s> %s via %s (%s)", mr_queue_item_get_id (attempt->item),
            rcpt->address, mr_queue_rcpt_state_to_string (state), host, shown);
    }

  attempt_finish (attempt);
}

static void
try_next_mx (Attempt *attempt)
{
  MrRelay *self = attempt->relay;
  MrQueueItem *item = attempt->item;
  g_autoptr(MrConversation) conversation = NULL;
  g_autoptr(MrSession) server = NULL;
  g_autoptr(MrSmtpClient) client = NULL;
  const MrDnsMx *mx;

  if (attempt->mxs == NULL || attempt->next_mx >= attempt->mxs->len)
    {
      /* Every MX failed for now: keep the message (RFC 5321 4.5.4.1). */
      attempt_finish_all (attempt, MR_QUEUE_RCPT_DEFERRED, attempt->last_host,
                          attempt->last_code, attempt->last_enhanced ? attempt->last_enhanced : "4.4.1",
                          attempt->last_text ? attempt->last_text : "no mail exchanger answered");
      return;
    }

  mx = g_ptr_array_index (attempt->mxs, attempt->next_mx++);

  conversation = mr_conversation_new (self->bus, MR_PROTOCOL_SMTP, self->hostname, mx->host);
  if (!(self->faults != NULL && mr_fault_set_check_refused (self->faults, mx->host)) &&
      self->connect_func != NULL)
    server = self->connect_func (self, mx->host, conversation, self->connect_data);

  if (server == NULL)
    {
      g_autofree char *text = g_strdup_printf ("connect to %s: Connection refused", mx->host);

      note (self, "%s: %s", mr_queue_item_get_id (item), text);
      mr_conversation_emit (conversation,
                            mr_conversation_new_event (conversation, MR_EVENT_DISCONNECT,
                                                       MR_DIRECTION_NONE, "Connection refused"));
      attempt_set_last (attempt, mx->host, 0, "4.4.1", text);
      try_next_mx (attempt);
      return;
    }

  note (self, "%s: connecting to %s (MX %u) for %s", mr_queue_item_get_id (item), mx->host,
        mx->priority, attempt->domain);

  client = mr_smtp_client_new (conversation, self->hostname);
  mr_smtp_client_set_sender (client, item->envelope->sender,
                             item->envelope->ret == MR_SMTP_RET_FULL ? "FULL"
                             : item->envelope->ret == MR_SMTP_RET_HDRS ? "HDRS" : NULL,
                             item->envelope->envid);
  for (guint i = 0; i < attempt->indices->len; i++)
    {
      MrQueueRecipient *rcpt = attempt_rcpt (attempt, i);
      g_autoptr(GString) notify = g_string_new (NULL);
      g_autofree char *orcpt = NULL;

      if (rcpt->notify & MR_SMTP_NOTIFY_NEVER)
        g_string_append (notify, "NEVER");
      if (rcpt->notify & MR_SMTP_NOTIFY_SUCCESS)
        g_string_append (notify, "SUCCESS,");
      if (rcpt->notify & MR_SMTP_NOTIFY_FAILURE)
        g_string_append (notify, "FAILURE,");
      if (rcpt->notify & MR_SMTP_NOTIFY_DELAY)
        g_string_append (notify, "DELAY,");
      if (notify->len > 0 && notify->str[notify->len - 1] == ',')
        g_string_truncate (notify, notify->len - 1);
      /* RFC 3461 4.2: ORCPT travels with the message, xtext-encoded; lab
       * addresses need no encoding. */
      if (rcpt->orcpt != NULL)
        orcpt = g_strdup_printf ("%s;%s", rcpt->orcpt_type ? rcpt->orcpt_type : "rfc822", rcpt->orcpt);
      mr_smtp_client_add_recipient (client, rcpt->address, notify->len ? notify->str : NULL, orcpt);
      rcpt->attempts++;
      rcpt->last_attempt = mr_clock_now (self->clock);
    }
  mr_smtp_client_set_message (client, item->message);

  attempt->wire = mr_wire_new (self->clock, client, server);
  if (self->latency >= 0)
    mr_wire_set_latency (attempt->wire, self->latency);
  if (self->faults != NULL)
    mr_wire_set_reply_delay (attempt->wire, mr_fault_set_get_reply_delay (self->faults, mx->host));
  g_signal_connect (attempt->wire, "closed", G_CALLBACK (on_wire_closed_cb), attempt);
  mr_wire_start (attempt->wire);
}

static void
start_attempt (Attempt *attempt)
{
  MrRelay *self = attempt->relay;
  const char *id = mr_queue_item_get_id (attempt->item);
  MrDnsStatus status = MR_DNS_OK;
  g_autoptr(MrFault) fault = NULL;
  g_autoptr(GString) answer = g_string_new (NULL);

  if (self->faults != NULL)
    {
      MrFaultQuery query = { MR_FAULT_STAGE_DNS, MR_PROTOCOL_NONE, attempt->domain };

      if ((fault = mr_fault_set_check (self->faults, &query)) != NULL)
        status = mr_fault_get_info (fault)->dns_status;
    }
  if (status == MR_DNS_OK)
    status = mr_dns_lookup_mx (self->dns, attempt->domain, &attempt->mxs);

  switch (status)
    {
    case MR_DNS_OK:
      for (guint i = 0; i < attempt->mxs->len; i++)
        {
          const MrDnsMx *mx = g_ptr_array_index (attempt->mxs, i);

          g_string_append_printf (answer, "%s%s %u%s", i ? ", " : "", mx->host, mx->priority,
                                  mx->implicit ? " (implicit, from its A record)" : "");
        }
      note (self, "%s: DNS MX %s: %s", id, attempt->domain, answer->str);
      try_next_mx (attempt);
      break;

    case MR_DNS_SERVFAIL:
      {
        /* RFC 5321 5.1: a temporary DNS failure is a reason to retry. */
        g_autofree char *text = g_strdup_printf ("Host or domain name lookup failed for %s: "
                                                 "temporary failure (SERVFAIL)", attempt->domain);
        note (self, "%s: DNS MX %s: SERVFAIL", id, attempt->domain);
        attempt_finish_all (attempt, MR_QUEUE_RCPT_DEFERRED, NULL, 0, "4.4.3", text);
      }
      break;

    case MR_DNS_NXDOMAIN:
    case MR_DNS_NO_DATA:
      {
        /* RFC 3463 5.1.2: bad destination system address. */
        g_autofree char *text = g_strdup_printf ("Host or domain name not found: %s (%s)",
                                                 attempt->domain,
                                                 status == MR_DNS_NXDOMAIN ? "NXDOMAIN"
                                                 : "no MX or A record");
        note (self, "%s: DNS MX %s: %s", id, attempt->domain, mr_dns_status_to_string (status));
        attempt_finish_all (attempt, MR_QUEUE_RCPT_BOUNCED, NULL, 0, "5.1.2", text);
      }
      break;

    case MR_DNS_NULL_MX:
      {
        /* RFC 7505 3: "556 5.1.10" for a domain that takes no mail. */
        g_autofree char *text = g_strdup_printf ("Domain %s does not accept mail (null MX)",
                                                 attempt->domain);
        note (self, "%s: DNS MX %s: null MX", id, attempt->domain);
        attempt_finish_all (attempt, MR_QUEUE_RCPT_BOUNCED, NULL, 556, "5.1.10", text);
      }
      break;

    default:
      g_assert_not_reached ();
    }
}

static void
attempt_item (MrQueueItem *item)
{
  MrRelay *self = item->relay;
  g_autoptr(GHashTable) by_domain = NULL;
  g_autoptr(GPtrArray) new_attempts = NULL;

  item->timer_id = 0;
  item->next_attempt = 0;
  if (self == NULL || item->n_active > 0)
    return;

  item->rounds++;
  by_domain = g_hash_table_new (g_str_hash, g_str_equal);
  new_attempts = g_ptr_array_new ();

  /* One connection per destination domain, with all its recipients
   * (RFC 5321 3.3 allows many recipients per transaction). */
  for (guint i = 0; i < item->recipients->len; i++)
    {
      MrQueueRecipient *rcpt = g_ptr_array_index (item->recipients, i);
      Attempt *attempt;

      if (rcpt->state != MR_QUEUE_RCPT_QUEUED && rcpt->state != MR_QUEUE_RCPT_DEFERRED)
        continue;

      if ((attempt = g_hash_table_lookup (by_domain, rcpt->domain)) == NULL)
        {
          attempt = g_new0 (Attempt, 1);
          attempt->relay = self;
          attempt->item = g_object_ref (item);
          attempt->domain = g_strdup (rcpt->domain);
          attempt->indices = g_array_new (FALSE, FALSE, sizeof (guint));
          g_hash_table_insert (by_domain, attempt->domain, attempt);
          g_ptr_array_add (new_attempts, attempt);
        }
      g_array_append_val (attempt->indices, i);
      rcpt->state = MR_QUEUE_RCPT_SENDING;
    }

  if (new_attempts->len == 0)
    {
      item_round_done (item);
      return;
    }

  item->n_active = new_attempts->len;
  item_changed (item);
  for (guint i = 0; i < new_attempts->len; i++)
    g_ptr_array_add (self->attempts, g_ptr_array_index (new_attempts, i));
  for (guint i = 0; i < new_attempts->len; i++)
    start_attempt (g_ptr_array_index (new_attempts, i));
}

static gboolean
attempt_item_idle_cb (gpointer user_data)
{
  MrQueueItem *item = user_data;

  item->idle_id = 0;
  attempt_item (item);
  return G_SOURCE_REMOVE;
}

static void
schedule_now (MrQueueItem *item)
{
  MrRelay *self = item->relay;

  if (item->timer_id != 0)
    {
      mr_clock_cancel (self->clock, item->timer_id);
      item->timer_id = 0;
    }
  if (item->idle_id == 0)
    {
      g_autoptr(GSource) source = g_idle_source_new ();

      g_source_set_callback (source, attempt_item_idle_cb, g_object_ref (item), g_object_unref);
      g_source_set_name (source, "[mailroom] relay attempt");
      item->idle_id = g_source_attach (source, self->context);
    }
}

static void
cancel_item (MrRelay     *self,
             MrQueueItem *item)
{
  if (item->timer_id != 0)
    mr_clock_cancel (self->clock, item->timer_id);
  item->timer_id = 0;
  if (item->idle_id != 0)
    {
      GSource *source = g_main_context_find_source_by_id (self->context, item->idle_id);

      if (source != NULL)
        g_source_destroy (source);
      item->idle_id = 0;
    }
  item->relay = NULL;
}

static void
mr_relay_dispose (GObject *object)
{
  MrRelay *self = (MrRelay *)object;
  guint n = g_list_model_get_n_items (G_LIST_MODEL (self->queue));

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(MrQueueItem) item = g_list_model_get_item (G_LIST_MODEL (self->queue), i);

      cancel_item (self, item);
    }
  for (guint i = 0; i < self->attempts->len; i++)
    {
      Attempt *attempt = g_ptr_array_index (self->attempts, i);

      if (attempt->wire != NULL)
        g_signal_handlers_disconnect_by_data (attempt->wire, attempt);
    }
  g_ptr_array_set_size (self->attempts, 0);
  g_list_store_remove_all (self->queue);

  if (self->connect_destroy != NULL)
    self->connect_destroy (self->connect_data);
  self->connect_destroy = NULL;
  self->connect_func = NULL;

  g_clear_object (&self->dns);
  g_clear_object (&self->faults);

  G_OBJECT_CLASS (mr_relay_parent_class)->dispose (object);
}

static void
mr_relay_finalize (GObject *object)
{
  MrRelay *self = (MrRelay *)object;

  g_clear_pointer (&self->hostname, g_free);
  g_clear_pointer (&self->notes, mr_conversation_unref);
  g_clear_pointer (&self->context, g_main_context_unref);
  g_clear_object (&self->queue);
  g_clear_pointer (&self->schedule, g_array_unref);
  g_clear_pointer (&self->attempts, g_ptr_array_unref);
  g_clear_object (&self->bus);
  g_clear_object (&self->clock);

  G_OBJECT_CLASS (mr_relay_parent_class)->finalize (object);
}

static void
mr_relay_class_init (MrRelayClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = mr_relay_dispose;
  object_class->finalize = mr_relay_finalize;

  /**
   * MrRelay::item-done:
   * @item: the #MrQueueItem
   *
   * Emitted when every recipient of @item is delivered or bounced, just
   * after it left the queue.
   */
  signals [ITEM_DONE] =
    g_signal_new ("item-done", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 1, MR_TYPE_QUEUE_ITEM);
}

static void
mr_relay_init (MrRelay *self)
{
  self->queue = g_list_store_new (MR_TYPE_QUEUE_ITEM);
  self->schedule = g_array_new (FALSE, FALSE, sizeof (gint64));
  g_array_append_vals (self->schedule, default_schedule, G_N_ELEMENTS (default_schedule));
  self->attempts = g_ptr_array_new_with_free_func ((GDestroyNotify)attempt_free);
  self->lifetime = MR_RELAY_DEFAULT_LIFETIME;
  self->delay_warning = MR_RELAY_DEFAULT_DELAY_WARNING;
  self->latency = -1;
  self->context = g_main_context_ref_thread_default ();
}

MrRelay *
mr_relay_new (const char *hostname,
              MrClock    *clock,
              MrEventBus *bus,
              MrDns      *dns,
              MrFaultSet *faults)
{
  MrRelay *self;

  g_return_val_if_fail (hostname != NULL, NULL);
  g_return_val_if_fail (MR_IS_CLOCK (clock), NULL);
  g_return_val_if_fail (bus == NULL || MR_IS_EVENT_BUS (bus), NULL);
  g_return_val_if_fail (MR_IS_DNS (dns), NULL);
  g_return_val_if_fail (faults == NULL || MR_IS_FAULT_SET (faults), NULL);

  self = g_object_new (MR_TYPE_RELAY, NULL);
  self->hostname = g_strdup (hostname);
  self->clock = g_object_ref (clock);
  self->bus = bus ? g_object_ref (bus) : NULL;
  self->dns = g_object_ref (dns);
  self->faults = faults ? g_object_ref (faults) : NULL;
  self->notes = mr_conversation_new (bus, MR_PROTOCOL_SMTP, hostname, NULL);

  return self;
}

const char *
mr_relay_get_hostname (MrRelay *self)
{
  g_return_val_if_fail (MR_IS_RELAY (self), NULL);
  return self->hostname;
}

void
mr_relay_set_hostname (MrRelay    *self,
                       const char *hostname)
{
  g_return_if_fail (MR_IS_RELAY (self));
  g_return_if_fail (hostname != NULL);

  if (g_strcmp0 (self->hostname, hostname) == 0)
    return;
  g_free (self->hostname);
  self->hostname = g_strdup (hostname);
  g_free (self->notes->client);
  self->notes->client = g_strdup (hostname);
}

void
mr_relay_set_connect_func (MrRelay            *self,
                           MrRelayConnectFunc  func,
                           gpointer            user_data,
                           GDestroyNotify      destroy)
{
  g_return_if_fail (MR_IS_RELAY (self));

  if (self->connect_destroy != NULL)
    self->connect_destroy (self->connect_data);
  self->connect_func = func;
  self->connect_data = user_data;
  self->connect_destroy = destroy;
}

void
mr_relay_set_retry_schedule (MrRelay      *self,
                             const gint64 *delays,
                             guint         n_delays)
{
  g_return_if_fail (MR_IS_RELAY (self));
  g_return_if_fail (delays != NULL && n_delays > 0);

  g_array_set_size (self->schedule, 0);
  for (guint i = 0; i < n_delays; i++)
    {
      gint64 delay = MAX (delays[i], G_USEC_PER_SEC);

      g_array_append_val (self->schedule, delay);
    }
}

void
mr_relay_set_lifetime (MrRelay *self,
                       gint64   usec)
{
  g_return_if_fail (MR_IS_RELAY (self));
  self->lifetime = MAX (usec, 0);
}

void
mr_relay_set_delay_warning (MrRelay *self,
                            gint64   usec)
{
  g_return_if_fail (MR_IS_RELAY (self));
  self->delay_warning = MAX (usec, 0);
}

void
mr_relay_set_latency (MrRelay *self,
                      gint64   usec)
{
  g_return_if_fail (MR_IS_RELAY (self));
  self->latency = MAX (usec, 0);
}

MrQueueItem *
mr_relay_enqueue (MrRelay        *self,
                  MrSmtpEnvelope *envelope,
                  GBytes         *message)
{
  MrQueueItem *item;

  g_return_val_if_fail (MR_IS_RELAY (self), NULL);
  g_return_val_if_fail (envelope != NULL, NULL);
  g_return_val_if_fail (message != NULL, NULL);

  item = g_object_new (MR_TYPE_QUEUE_ITEM, NULL);
  item->relay = self;
  item->envelope = mr_smtp_envelope_ref (envelope);
  if (envelope->queue_id == NULL)
    envelope->queue_id = mr_smtp_generate_queue_id ();
  item->message = g_bytes_ref (message);
  item->arrival = mr_clock_now (self->clock);

  for (guint i = 0; i < mr_smtp_envelope_get_n_recipients (envelope); i++)
    {
      const MrSmtpRecipient *source = mr_smtp_envelope_get_recipient (envelope, i);
      MrQueueRecipient *rcpt = g_new0 (MrQueueRecipient, 1);
      const char *at = strrchr (source->address, '@');

      rcpt->address = g_strdup (source->address);
      rcpt->domain = g_ascii_strdown (at ? at + 1 : source->address, -1);
      rcpt->notify = source->notify;
      rcpt->orcpt_type = g_strdup (source->orcpt_type);
      rcpt->orcpt = g_strdup (source->orcpt);
      rcpt->state = MR_QUEUE_RCPT_QUEUED;
      g_ptr_array_add (item->recipients, rcpt);
    }

  g_list_store_append (self->queue, item);
  note (self, "%s: queued from <%s>, %u recipient%s, %" G_GSIZE_FORMAT " octets",
        mr_queue_item_get_id (item), envelope->sender, item->recipients->len,
        item->recipients->len == 1 ? "" : "s", g_bytes_get_size (message));
  schedule_now (item);
  g_object_unref (item);

  return item;
}

GListModel *
mr_relay_get_queue (MrRelay *self)
{
  g_return_val_if_fail (MR_IS_RELAY (self), NULL);
  return G_LIST_MODEL (self->queue);
}

MrQueueItem *
mr_relay_lookup (MrRelay    *self,
                 const char *queue_id)
{
  guint n;

  g_return_val_if_fail (MR_IS_RELAY (self), NULL);

  n = g_list_model_get_n_items (G_LIST_MODEL (self->queue));
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(MrQueueItem) item = g_list_model_get_item (G_LIST_MODEL (self->queue), i);

      if (g_strcmp0 (mr_queue_item_get_id (item), queue_id) == 0)
        return item;
    }

  return NULL;
}

void
mr_relay_flush (MrRelay *self)
{
  guint n;

  g_return_if_fail (MR_IS_RELAY (self));

  n = g_list_model_get_n_items (G_LIST_MODEL (self->queue));
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(MrQueueItem) item = g_list_model_get_item (G_LIST_MODEL (self->queue), i);

      if (item->n_active == 0)
        schedule_now (item);
    }
}

guint
mr_relay_get_n_connections (MrRelay *self)
{
  guint n = 0;

  g_return_val_if_fail (MR_IS_RELAY (self), 0);

  for (guint i = 0; i < self->attempts->len; i++)
    if (((Attempt *)g_ptr_array_index (self->attempts, i))->wire != NULL)
      n++;

  return n;
}
