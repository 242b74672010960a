/* mr-lesson-runner.c
 *
 * Copyright 2026 The Mailroom authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "mr-lesson-runner"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <libsoup/soup.h>

#include "mr-account.h"
#include "mr-clock.h"
#include "mr-dns.h"
#include "mr-event-bus.h"
#include "mr-lesson-runner.h"
#include "mr-mailbox.h"
#include "mr-relay.h"
#include "mr-scenario.h"
#include "mr-store.h"
#include "mr-world.h"

struct _MrLessonRunner
{
  GObject              parent_instance;

  /* Owned */
  MrEngine            *engine;
  MrLesson            *lesson;
  MrLessonProgress    *progress;
  GPtrArray           *sessions;       /* console sessions, (element-type MrSession) */
  GHashTable          *conversations;  /* ids of the console's conversations */
  GHashTable          *latched;        /* goals seen to hold during this step */
  GString             *held;           /* output withheld until the prediction */
  char                *prediction;
  char                *held_verb;
  MrDns               *dns;
  GPtrArray           *faults;         /* (element-type MrLessonFault) borrowed from the lesson: switched on by us */

  GSource             *check_source;   /* idle: check goals after bus events */

  MrLessonSessionFunc  session_func;
  gpointer             session_data;
  GDestroyNotify       session_destroy;

  guint                current;        /* index into @sessions */
  guint                step;
  guint                misses;
  guint64              scanned_seq;    /* bus events up to here were checked */
  gboolean             started : 1;
  gboolean             completed : 1;
  gboolean             stronger_given : 1;
  gboolean             awaiting_prediction : 1;
  gboolean             silent : 1;     /* replaying to resume: no signals */
  gboolean             in_check : 1;
};

G_DEFINE_FINAL_TYPE (MrLessonRunner, mr_lesson_runner, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_STEP,
  PROP_COMPLETED,
  N_PROPS
};

enum {
  OUTPUT,
  STEP_CHANGED,
  STEP_COMPLETED,
  HINT,
  PREDICT_REQUESTED,
  PREDICTION,
  COMPLETED,
  N_SIGNALS
};

static GParamSpec *properties [N_PROPS];
static guint signals [N_SIGNALS];

static void check_progress (MrLessonRunner *self);

/* The simulated world (relay, queue, DSN, faults), once the engine has
 * one; lessons that need it report "world" as missing until then. */
static MrWorld *
get_world (MrEngine *engine)
{
  return mr_engine_get_world (engine);
}

static gboolean
world_available (MrEngine *engine)
{
  return get_world (engine) != NULL;
}

static void
emit_output (MrLessonRunner *self,
             const char     *text)
{
  if (!self->silent && text != NULL && *text != '\0')
    g_signal_emit (self, signals [OUTPUT], 0, text);
}

static void emit_note (MrLessonRunner *self,
                       const char     *format,
                       ...) G_GNUC_PRINTF (2, 3);

static void
emit_note (MrLessonRunner *self,
           const char     *format,
           ...)
{
  g_autofree char *text = NULL;
  g_autofree char *line = NULL;
  va_list args;

  va_start (args, format);
  text = g_strdup_vprintf (format, args);
  va_end (args);
  line = g_strconcat (text, "\n", NULL);
  emit_output (self, line);
}

/* Sessions */

static MrSession *
default_session_func (MrEngine   *engine,
                      MrService   service,
                      const char *client,
                      gpointer    user_data)
{
  return mr_engine_create_session (engine, service, client);
}

static MrSession *
current_session (MrLessonRunner *self)
{
  if (self->current >= self->sessions->len)
    return NULL;
  return g_ptr_array_index (self->sessions, self->current);
}

/* Takes the session's output, and withholds it while a prediction is due. */
static char *
drain (MrLessonRunner *self,
       MrSession      *session)
{
  g_autoptr(GBytes) bytes = mr_session_take_output (session);
  g_autoptr(GString) text = g_string_new (NULL);
  const char *data;
  gsize len;

  if (bytes == NULL)
    return g_strdup ("");
  data = g_bytes_get_data (bytes, &len);
  /* The console shows lines, not CRLF. */
  for (gsize i = 0; i < len; i++)
    if (data[i] != '\r')
      g_string_append_c (text, data[i]);

  if (mr_session_get_action (session) == MR_SESSION_START_TLS)
    {
      /* The console has no TLS stack of its own: the handshake is
       * simulated, and the session resets as RFC 3207 4.2 requires. */
      mr_session_tls_started (session);
      g_string_append (text, _("[TLS handshake done: the rest of this conversation is encrypted]\n"));
      g_bytes_unref (g_steal_pointer (&bytes));
      bytes = mr_session_take_output (session);
      if (bytes != NULL)
        g_string_append_len (text, g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes));
    }
  if (mr_session_get_action (session) == MR_SESSION_CLOSE)
    g_string_append (text, _("[The server closed the connection]\n"));
  return g_string_free (g_steal_pointer (&text), FALSE);
}

static void
on_session_wakeup (MrLessonRunner *self,
                   MrSession      *session)
{
  g_autofree char *text = NULL;

  g_assert (MR_IS_LESSON_RUNNER (self));

  text = drain (self, session);
  if (self->awaiting_prediction)
    g_string_append (self->held, text);
  else
    emit_output (self, text);
  check_progress (self);
}

static gboolean
open_session (MrLessonRunner *self,
              MrService       service,
              const char     *client)
{
  g_autofree char *text = NULL;
  MrSession *session;

  if (client == NULL)
    client = self->lesson->client;
  if (client == NULL)
    client = service == MR_SERVICE_POP3 || service == MR_SERVICE_IMAP
             || service == MR_SERVICE_POP3S || service == MR_SERVICE_IMAPS
             ? "bob-laptop" : "alice-laptop";

  session = self->session_func (self->engine, service, client, self->session_data);
  if (session == NULL)
    {
      emit_note (self, _("The %s server is not available in this build."), mr_service_to_string (service));
      return FALSE;
    }

  g_ptr_array_add (self->sessions, session);
  self->current = self->sessions->len - 1;
  g_hash_table_add (self->conversations,
                    GUINT_TO_POINTER ((guint) mr_session_get_conversation (session)->id));
  g_signal_connect_object (session, "wakeup", G_CALLBACK (on_session_wakeup), self, G_CONNECT_SWAPPED);
  /* STARTTLS works in the console: drain() simulates the handshake. */
  mr_session_set_tls_available (session, !mr_service_is_implicit_tls (service));

  emit_note (self, _("[Connected to %s (%s), session %u]"),
             mr_session_get_conversation (session)->server ? mr_session_get_conversation (session)->server : "?",
             mr_service_to_string (service), self->sessions->len);
  if (mr_service_is_implicit_tls (service))
    {
      /* RFC 8314 3.3: TLS from the first byte, before the greeting; the
       * handshake is simulated, as mr-connection.c orders it. */
      mr_session_tls_started (session);
      emit_note (self, "%s", _("[TLS handshake done: the whole conversation is encrypted]"));
    }
  mr_session_start (session);
  text = drain (self, session);
  emit_output (self, text);
  return TRUE;
}

/* Setup */

static char *
build_message (MrLessonRunner  *self,
               MrLessonMessage *message)
{
  g_autoptr(GDateTime) now = mr_clock_dup_now (mr_engine_get_clock (self->engine));
  g_autofree char *date = g_date_time_format (now, "%a, %d %b %Y %H:%M:%S %z");
  g_autofree char *body = NULL;
  g_auto(GStrv) lines = NULL;

  if (message->raw != NULL)
    {
      lines = g_strsplit (message->raw, "\n", -1);
      for (guint i = 0; lines[i]; i++)
        g_strchomp (lines[i]);
      return g_strjoinv ("\r\n", lines);
    }

  lines = g_strsplit (message->body ? message->body : "", "\n", -1);
  body = g_strjoinv ("\r\n", lines);
  return g_strdup_printf ("From: %s\r\nTo: %s\r\nSubject: %s\r\nDate: %s\r\n"
                          "Message-ID: <%08x@mailroom.lab>\r\n\r\n%s\r\n",
                          message->from, message->to ? message->to : message->account,
                          message->subject, date, g_random_int (), body);
}

static gboolean
apply_setup (MrLessonRunner  *self,
             MrLessonSetup   *setup,
             GError         **error)
{
  MrStore *store = mr_engine_get_store (self->engine);

  if (setup == NULL)
    return TRUE;

  if (setup->has_clock_mode)
    mr_clock_set_mode (mr_engine_get_clock (self->engine), setup->clock_mode);

  for (guint i = 0; i < setup->accounts->len; i++)
    {
      MrLessonAccount *account = g_ptr_array_index (setup->accounts, i);
      MrAccount *existing;

      /* A lesson's own accounts start empty each time, so its message
       * numbers are the same on every attempt. */
      mr_store_remove_account (store, account->address);
      existing = mr_store_add_account (store, account->address, account->password);
      if (account->display_name != NULL)
        mr_account_set_display_name (existing, account->display_name);
    }

  for (guint i = 0; i < setup->messages->len; i++)
    {
      MrLessonMessage *message = g_ptr_array_index (setup->messages, i);
      MrAccount *account = mr_store_lookup_account (store, message->account);
      g_autoptr(GBytes) raw = NULL;
      MrMailbox *mailbox;
      char *text;

      if (account == NULL)
        {
          g_set_error (error, MR_LESSON_ERROR, MR_LESSON_ERROR_INVALID,
                       "%s: no account %s for a message", self->lesson->filename, message->account);
          return FALSE;
        }
      mailbox = mr_account_lookup_mailbox (account, message->mailbox);
      if (mailbox == NULL
          && (mailbox = mr_account_create_mailbox (account, message->mailbox, NULL, error)) == NULL)
        return FALSE;
      text = build_message (self, message);
      raw = g_bytes_new_take (text, strlen (text));
      if (mr_mailbox_append (mailbox, raw, message->flags, NULL,
                             mr_clock_now (mr_engine_get_clock (self->engine)), error) == NULL)
        return FALSE;
    }

  if (setup->faults->len > 0 && !world_available (self->engine))
    {
      g_set_error (error, MR_LESSON_ERROR, MR_LESSON_ERROR_UNAVAILABLE,
                   _("This lesson needs the simulated world (faults), which this build lacks"));
      return FALSE;
    }
  for (guint i = 0; i < setup->faults->len; i++)
    {
      MrLessonFault *fault = g_ptr_array_index (setup->faults, i);
      /* the world's spec: "greylisting@mx1.recipient.example/once" */
      g_autofree char *spec = g_strdup_printf ("%s%s%s%s", fault->name,
                                               fault->target ? "@" : "", fault->target ? fault->target : "",
                                               fault->one_shot ? "/once" : "");

      if (mr_world_add_fault (get_world (self->engine), spec, error) == NULL)
        return FALSE;
      g_ptr_array_add (self->faults, fault);
    }

  if (setup->connect && !open_session (self, setup->service, setup->client))
    {
      g_set_error (error, MR_LESSON_ERROR, MR_LESSON_ERROR_UNAVAILABLE,
                   _("The %s server is not available in this build"), mr_service_to_string (setup->service));
      return FALSE;
    }

  return TRUE;
}

/* Goals */

static guint
reply_code_of (const MrEvent *event)
{
  if (event->code != 0)
    return event->code;
  if (event->text != NULL && g_ascii_isdigit (event->text[0]) && g_ascii_isdigit (event->text[1])
      && g_ascii_isdigit (event->text[2]) && (event->text[3] == ' ' || event->text[3] == '-' || event->text[3] == '\0'))
    return (event->text[0] - '0') * 100 + (event->text[1] - '0') * 10 + (event->text[2] - '0');
  return 0;
}

static gboolean
enhanced_matches (const MrEvent *event,
                  const char    *enhanced)
{
  if (event->enhanced != NULL)
    return g_str_equal (event->enhanced, enhanced);
  /* "550 5.1.1 ..." or "550-5.1.1 ..." */
  if (event->text != NULL && strlen (event->text) > 4)
    return g_str_has_prefix (event->text + 4, enhanced)
           && (event->text[4 + strlen (enhanced)] == ' ' || event->text[4 + strlen (enhanced)] == '\0');
  return FALSE;
}

static char *
verb_of (const MrEvent *event,
         const char   **args_r)
{
  const char *text = event->text ? event->text : "";
  const char *space = strchr (text, ' ');

  *args_r = space ? space + 1 : "";
  if (event->verb != NULL)
    return g_ascii_strup (event->verb, -1);
  return g_ascii_strup (text, space ? space - text : -1);
}

static gboolean
event_satisfies (MrLessonRunner     *self,
                 const MrLessonGoal *goal,
                 const MrEvent      *event)
{
  gboolean console = g_hash_table_contains (self->conversations,
                                            GUINT_TO_POINTER ((guint) event->conversation_id));

  switch (goal->type)
    {
    case MR_LESSON_GOAL_COMMAND:
      {
        g_autofree char *verb = NULL;
        const char *args;

        if (!console || event->kind != MR_EVENT_LINE || event->direction != MR_DIRECTION_TO_SERVER)
          return FALSE;
        verb = verb_of (event, &args);
        /* An IMAP line starts with its tag: "a1 LOGIN bob bob" */
        if (event->tag != NULL && event->verb == NULL)
          {
            g_free (verb);
            verb = NULL;
            return FALSE;
          }
        if (event->tag != NULL)
          {
            const char *after_tag = strchr (event->text, ' ');
            const char *after_verb = after_tag ? strchr (after_tag + 1, ' ') : NULL;
            args = after_verb ? after_verb + 1 : "";
          }
        if (!g_str_equal (verb, goal->verb))
          return FALSE;
        return goal->pattern == NULL || g_regex_match (goal->pattern, args, 0, NULL);
      }

    case MR_LESSON_GOAL_REPLY:
      {
        guint code = reply_code_of (event);

        if (!console || event->kind != MR_EVENT_LINE || event->direction != MR_DIRECTION_TO_CLIENT)
          return FALSE;
        if (goal->code != 0 && code != goal->code)
          return FALSE;
        if (goal->code_class != 0 && code / 100 != goal->code_class)
          return FALSE;
        if (goal->enhanced != NULL && !enhanced_matches (event, goal->enhanced))
          return FALSE;
        return goal->pattern == NULL || g_regex_match (goal->pattern, event->text ? event->text : "", 0, NULL);
      }

    case MR_LESSON_GOAL_CLOSED:
      return console && event->kind == MR_EVENT_DISCONNECT;

    case MR_LESSON_GOAL_EVENT:
      return event->text != NULL && g_regex_match (goal->pattern, event->text, 0, NULL);

    case MR_LESSON_GOAL_ALL:
    case MR_LESSON_GOAL_MESSAGE:
    case MR_LESSON_GOAL_MAILBOX_COUNT:
    case MR_LESSON_GOAL_FLAG:
    case MR_LESSON_GOAL_ANSWER:
    case MR_LESSON_GOAL_QUEUE:
    case MR_LESSON_GOAL_DSN:
    default:
      return FALSE;
    }
}

static gboolean
message_matches (const MrLessonGoal *goal,
                 MrMessage          *message)
{
  if (goal->subject != NULL)
    {
      g_autofree char *subject = mr_message_dup_header (message, "Subject");
      if (subject == NULL || !g_regex_match (goal->subject, subject, 0, NULL))
        return FALSE;
    }
  if (goal->header != NULL)
    {
      g_autofree char *value = mr_message_dup_header (message, goal->header);
      if (value == NULL || !g_regex_match (goal->header_value, value, 0, NULL))
        return FALSE;
    }
  if (goal->body != NULL)
    {
      GBytes *raw = mr_message_get_raw (message);
      g_autofree char *text = g_strndup (g_bytes_get_data (raw, NULL), g_bytes_get_size (raw));

      if (!g_regex_match (goal->body, text, 0, NULL))
        return FALSE;
    }
  if (goal->type == MR_LESSON_GOAL_FLAG)
    return ((mr_message_get_flags (message) & goal->flag) != 0) == goal->set;
  if (goal->type == MR_LESSON_GOAL_DSN)
    {
      /* RFC 3464 2: multipart/report; report-type=delivery-status, with a
       * per-recipient Status: field. */
      GBytes *raw = mr_message_get_raw (message);
      g_autofree char *text = g_strndup (g_bytes_get_data (raw, NULL), g_bytes_get_size (raw));
      g_autofree char *status = g_strdup_printf ("Status: %s", goal->enhanced);

      return g_strstr_len (text, -1, "report-type=delivery-status") != NULL
             && g_strstr_len (text, -1, status) != NULL;
    }
  return TRUE;
}

/* "empty": nothing waits; "deferred": a recipient waits for a retry (4yz);
 * "delivered" / "bounced": a recipient reached that final state. */
static gboolean
queue_satisfies (MrLessonRunner     *self,
                 const MrLessonGoal *goal)
{
  MrWorld *world = get_world (self->engine);
  GListModel *queue;
  guint n;

  if (world == NULL)
    return FALSE;
  queue = mr_world_get_queue (world);
  n = g_list_model_get_n_items (queue);

  if (g_str_equal (goal->state, "empty"))
    {
      for (guint i = 0; i < n; i++)
        {
          g_autoptr(MrQueueItem) item = g_list_model_get_item (queue, i);
          if (!mr_queue_item_get_done (item))
            return FALSE;
        }
      return TRUE;
    }

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(MrQueueItem) item = g_list_model_get_item (queue, i);

      for (guint r = 0; r < mr_queue_item_get_n_recipients (item); r++)
        {
          const MrQueueRecipient *rcpt = mr_queue_item_get_recipient (item, r);

          if ((g_str_equal (goal->state, "deferred") && rcpt->state == MR_QUEUE_RCPT_DEFERRED)
              || (g_str_equal (goal->state, "delivered") && rcpt->state == MR_QUEUE_RCPT_DELIVERED)
              || (g_str_equal (goal->state, "bounced") && rcpt->state == MR_QUEUE_RCPT_BOUNCED))
            return TRUE;
        }
    }
  return FALSE;
}

static gboolean
state_satisfies (MrLessonRunner     *self,
                 const MrLessonGoal *goal)
{
  MrStore *store = mr_engine_get_store (self->engine);
  MrAccount *account;
  MrMailbox *mailbox;

  switch (goal->type)
    {
    case MR_LESSON_GOAL_MESSAGE:
    case MR_LESSON_GOAL_FLAG:
    case MR_LESSON_GOAL_DSN:
    case MR_LESSON_GOAL_MAILBOX_COUNT:
      account = mr_store_lookup_account (store, goal->account);
      mailbox = account ? mr_account_lookup_mailbox (account, goal->mailbox) : NULL;
      if (mailbox == NULL)
        return (goal->type == MR_LESSON_GOAL_MAILBOX_COUNT && goal->count == 0)
               || (goal->type == MR_LESSON_GOAL_MESSAGE && !goal->set);
      if (goal->type == MR_LESSON_GOAL_MAILBOX_COUNT)
        return mr_mailbox_get_n_messages (mailbox) == goal->count;
      for (guint i = 0; i < mr_mailbox_get_n_messages (mailbox); i++)
        if (message_matches (goal, mr_mailbox_get_message (mailbox, i)))
          /* a "present": false goal holds while no message matches */
          return goal->type != MR_LESSON_GOAL_MESSAGE || goal->set;
      return goal->type == MR_LESSON_GOAL_MESSAGE && !goal->set;

    case MR_LESSON_GOAL_QUEUE:
      return queue_satisfies (self, goal);

    case MR_LESSON_GOAL_ALL:
    case MR_LESSON_GOAL_COMMAND:
    case MR_LESSON_GOAL_REPLY:
    case MR_LESSON_GOAL_ANSWER:
    case MR_LESSON_GOAL_CLOSED:
    case MR_LESSON_GOAL_EVENT:
    default:
      return g_hash_table_contains (self->latched, goal);
    }
}

static void
latch_event (MrLessonRunner     *self,
             const MrLessonGoal *goal,
             const MrEvent      *event)
{
  if (goal->type == MR_LESSON_GOAL_ALL)
    {
      for (guint i = 0; i < goal->children->len; i++)
        latch_event (self, g_ptr_array_index (goal->children, i), event);
      return;
    }
  if (!g_hash_table_contains (self->latched, goal) && event_satisfies (self, goal, event))
    g_hash_table_add (self->latched, (gpointer) goal);
}

static gboolean
goal_holds (MrLessonRunner     *self,
            const MrLessonGoal *goal)
{
  if (goal->type == MR_LESSON_GOAL_ALL)
    {
      for (guint i = 0; i < goal->children->len; i++)
        if (!goal_holds (self, g_ptr_array_index (goal->children, i)))
          return FALSE;
      return TRUE;
    }
  return state_satisfies (self, goal);
}

/* Steps */

static void
save_progress (MrLessonRunner *self)
{
  g_autoptr(GError) error = NULL;
  gboolean completed = self->completed
                       || mr_lesson_progress_get_completed (self->progress, self->lesson->id);

  if (!mr_lesson_progress_set (self->progress, self->lesson->id,
                               self->completed ? 0 : self->step, completed, &error))
    g_warning ("Could not save lesson progress: %s", error->message);
}

static void
enter_step (MrLessonRunner *self)
{
  g_autoptr(GError) error = NULL;
  MrLessonStep *step = mr_lesson_get_step (self->lesson, self->step);

  g_hash_table_remove_all (self->latched);
  self->misses = 0;
  self->stronger_given = FALSE;
  g_clear_pointer (&self->prediction, g_free);
  /* Events from here on count for this step (the setup's banner too). */
  self->scanned_seq = mr_event_bus_get_last_seq (mr_engine_get_bus (self->engine));

  if (!apply_setup (self, step->setup, &error))
    emit_note (self, "%s", error->message);

  if (!self->silent)
    {
      g_object_notify_by_pspec (G_OBJECT (self), properties [PROP_STEP]);
      g_signal_emit (self, signals [STEP_CHANGED], 0, self->step);
    }
}

static void
complete_step (MrLessonRunner *self)
{
  MrLessonStep *step = mr_lesson_get_step (self->lesson, self->step);
  guint index = self->step;

  self->step++;
  if (self->step >= self->lesson->steps->len)
    self->completed = TRUE;
  save_progress (self);

  if (!self->silent)
    g_signal_emit (self, signals [STEP_COMPLETED], 0, index, step->explanation);

  if (self->completed)
    {
      if (!self->silent)
        {
          g_object_notify_by_pspec (G_OBJECT (self), properties [PROP_COMPLETED]);
          g_signal_emit (self, signals [COMPLETED], 0);
        }
      return;
    }
  enter_step (self);
}

/* Scans new bus events and moves on while the current step's goal holds. */
static void
check_progress (MrLessonRunner *self)
{
  MrEventBus *bus = mr_engine_get_bus (self->engine);

  if (!self->started || self->completed || self->in_check)
    return;

  self->in_check = TRUE;
  for (;;)
    {
      g_autoptr(GPtrArray) events = mr_event_bus_dup_since (bus, self->scanned_seq, 0);
      MrLessonStep *step = mr_lesson_get_step (self->lesson, self->step);
      gboolean advanced = FALSE;

      for (guint i = 0; i < events->len; i++)
        {
          MrEvent *event = g_ptr_array_index (events, i);

          self->scanned_seq = event->seq;
          latch_event (self, step->goal, event);
        }
      if (!self->awaiting_prediction && goal_holds (self, step->goal))
        {
          complete_step (self);
          advanced = TRUE;
        }
      if (!advanced || self->completed)
        break;
    }
  self->in_check = FALSE;
}

static gboolean
check_idle_cb (gpointer user_data)
{
  MrLessonRunner *self = user_data;

  g_assert (MR_IS_LESSON_RUNNER (self));

  g_clear_pointer (&self->check_source, g_source_unref);
  check_progress (self);
  return G_SOURCE_REMOVE;
}

/* Events that are not answers to the learner's lines (the relay's
 * conversations, a delivery, an IDLE push) can complete a step too: check
 * again once the engine is idle. The bus emits on the engine's thread. */
static void
on_bus_event (MrLessonRunner *self,
              MrEvent        *event,
              MrEventBus     *bus)
{
  g_assert (MR_IS_LESSON_RUNNER (self));

  if (!self->started || self->completed || self->check_source != NULL)
    return;
  self->check_source = g_idle_source_new ();
  g_source_set_callback (self->check_source, check_idle_cb, self, NULL);
  g_source_set_name (self->check_source, "[mailroom] lesson goal check");
  g_source_attach (self->check_source, g_main_context_get_thread_default ());
}

/* Hints */

static void
give_hint (MrLessonRunner *self,
           const char     *text,
           gboolean        stronger)
{
  if (!self->silent)
    g_signal_emit (self, signals [HINT], 0, text, stronger);
}

static void
count_miss (MrLessonRunner *self)
{
  MrLessonStep *step = mr_lesson_get_step (self->lesson, self->step);

  self->misses++;
  if (self->misses >= 2 && !self->stronger_given)
    {
      self->stronger_given = TRUE;
      give_hint (self, step->stronger_hint, TRUE);
    }
}

/* After a move that did not complete the step: an anticipated wrong move
 * gets its targeted hint; any refusal counts as a miss. Returns whether
 * the move counted as a miss. */
static gboolean
check_hints (MrLessonRunner *self,
             guint           step_index,
             const char     *line,
             const char     *reply)
{
  MrLessonStep *step;
  gboolean refused = FALSE;
  g_auto(GStrv) reply_lines = NULL;

  if (self->completed || self->step != step_index)
    return FALSE;
  step = mr_lesson_get_step (self->lesson, self->step);
  reply_lines = g_strsplit (reply ? reply : "", "\n", -1);

  for (guint i = 0; reply_lines[i]; i++)
    {
      const char *r = reply_lines[i];
      if (r[0] == '4' || r[0] == '5' || g_str_has_prefix (r, "-ERR")
          || strstr (r, " NO ") != NULL || strstr (r, " BAD ") != NULL)
        refused = TRUE;
    }

  for (guint i = 0; i < step->hints->len; i++)
    {
      MrLessonHint *hint = g_ptr_array_index (step->hints, i);
      gboolean matched = FALSE;

      if (hint->match != NULL && line != NULL && g_regex_match (hint->match, line, 0, NULL))
        matched = TRUE;
      if (hint->reply != NULL)
        {
          gboolean reply_matched = FALSE;

          for (guint j = 0; reply_lines[j]; j++)
            if (*reply_lines[j] && g_regex_match (hint->reply, reply_lines[j], 0, NULL))
              reply_matched = TRUE;
          /* with both, both must match */
          matched = hint->match != NULL ? matched && reply_matched : reply_matched;
        }
      if (matched)
        {
          give_hint (self, hint->text, FALSE);
          count_miss (self);
          return TRUE;
        }
    }

  if (refused)
    count_miss (self);
  return refused;
}

/* Predictions */

static char *
actual_code (const char *reply)
{
  g_auto(GStrv) words = NULL;

  if (reply == NULL)
    return NULL;
  if (g_ascii_isdigit (reply[0]) && g_ascii_isdigit (reply[1]) && g_ascii_isdigit (reply[2]))
    return g_strndup (reply, 3);
  if (g_str_has_prefix (reply, "+OK"))
    return g_strdup ("+OK");
  if (g_str_has_prefix (reply, "-ERR"))
    return g_strdup ("-ERR");
  /* IMAP: "a1 OK ...", the last line is the tagged status */
  words = g_strsplit (reply, " ", 3);
  if (words[0] && words[1])
    return g_strdup (words[1]);
  return NULL;
}

static void
judge_prediction (MrLessonRunner *self)
{
  MrLessonStep *step = mr_lesson_get_step (self->lesson, self->step);
  g_autofree char *held = g_string_free (g_steal_pointer (&self->held), FALSE);
  g_autofree char *actual = NULL;
  g_auto(GStrv) lines = g_strsplit (held, "\n", -1);
  const char *status_line = lines[0];
  gboolean correct;

  self->held = g_string_new (NULL);
  /* IMAP puts the tagged status last; SMTP and POP3 answer first. */
  if (self->held_verb != NULL && lines[0] != NULL && lines[0][0] == '*')
    for (guint i = 0; lines[i]; i++)
      if (*lines[i] && lines[i][0] != '*')
        status_line = lines[i];

  actual = actual_code (status_line);
  correct = actual != NULL && g_ascii_strcasecmp (actual, self->prediction) == 0;
  self->awaiting_prediction = FALSE;

  if (!self->silent)
    g_signal_emit (self, signals [PREDICTION], 0, correct, self->prediction,
                   actual ? actual : "", step->predict->explanation);
  emit_output (self, held);
  if (!correct)
    count_miss (self);
  g_clear_pointer (&self->prediction, g_free);
  g_clear_pointer (&self->held_verb, g_free);
}

void
mr_lesson_runner_predict (MrLessonRunner *self,
                          const char     *code)
{
  MrLessonStep *step;

  g_return_if_fail (MR_IS_LESSON_RUNNER (self));
  g_return_if_fail (code != NULL);

  step = mr_lesson_runner_get_step (self);
  if (step == NULL || step->predict == NULL)
    {
      emit_note (self, _("There is nothing to predict in this step."));
      return;
    }

  g_free (self->prediction);
  self->prediction = g_strstrip (g_strdup (code));
  emit_note (self, _("[You predict: %s]"), self->prediction);
  if (self->awaiting_prediction)
    {
      judge_prediction (self);
      check_progress (self);
    }
}

gboolean
mr_lesson_runner_get_awaiting_prediction (MrLessonRunner *self)
{
  g_return_val_if_fail (MR_IS_LESSON_RUNNER (self), FALSE);
  return self->awaiting_prediction;
}

/* Answers */

void
mr_lesson_runner_answer (MrLessonRunner *self,
                         const char     *text)
{
  MrLessonStep *step;
  guint index;

  g_return_if_fail (MR_IS_LESSON_RUNNER (self));
  g_return_if_fail (text != NULL);

  step = mr_lesson_runner_get_step (self);
  if (step == NULL)
    return;
  index = self->step;

  /* only a top-level answer goal or one inside "all" */
  if (step->goal->type == MR_LESSON_GOAL_ANSWER)
    {
      if (g_regex_match (step->goal->pattern, text, 0, NULL))
        g_hash_table_add (self->latched, step->goal);
    }
  else if (step->goal->type == MR_LESSON_GOAL_ALL)
    {
      for (guint i = 0; i < step->goal->children->len; i++)
        {
          MrLessonGoal *child = g_ptr_array_index (step->goal->children, i);
          if (child->type == MR_LESSON_GOAL_ANSWER && g_regex_match (child->pattern, text, 0, NULL))
            g_hash_table_add (self->latched, child);
        }
    }

  check_progress (self);
  if (self->step == index && !self->completed)
    {
      emit_note (self, _("[Not quite: try again, or ask for a hint]"));
      /* a wrong answer without a targeted hint is still a miss */
      if (!check_hints (self, index, text, NULL))
        count_miss (self);
    }
}

/* Meta-commands */

static gboolean
parse_duration (const char *text,
                gint64     *usec_r)
{
  char *end = NULL;
  double value = g_ascii_strtod (text, &end);
  gint64 unit = G_USEC_PER_SEC;

  if (end == text || value < 0)
    return FALSE;
  if (*end == 'm')
    unit = 60 * G_USEC_PER_SEC;
  else if (*end == 'h')
    unit = 3600 * (gint64) G_USEC_PER_SEC;
  else if (*end == 'd')
    unit = 86400 * (gint64) G_USEC_PER_SEC;
  else if (*end != 's' && *end != '\0')
    return FALSE;
  *usec_r = (gint64) (value * unit);
  return TRUE;
}

/* Work the engine queued for "as soon as possible" (the relay's first
 * attempt is an idle source). Headless, nothing else would run it; in the
 * app the engine thread's loop already has, unless we are inside it. */
static void
flush_pending (void)
{
  GMainContext *context = g_main_context_get_thread_default ();
  guint guard = 0;

  if (g_main_depth () > 0)
    return;
  while (g_main_context_iteration (context, FALSE) && guard++ < 10000)
    ;
}

static void
meta_dig (MrLessonRunner *self,
          char          **words)
{
  g_autoptr(GPtrArray) records = NULL;
  g_autoptr(GString) text = g_string_new (NULL);
  const char *name = words[1];
  const char *type = words[2] ? words[2] : "MX";
  guint found = 0;

  if (name == NULL)
    {
      emit_note (self, _("Usage: /dig NAME [MX|A|TXT]"));
      return;
    }
  if (self->dns == NULL && world_available (self->engine))
    self->dns = g_object_ref (mr_world_get_dns (get_world (self->engine)));
  if (self->dns == NULL)
    {
      self->dns = mr_dns_new ();
      mr_dns_load_scenario (self->dns, mr_engine_get_scenario (self->engine));
    }

  records = mr_dns_dup_records (self->dns);
  for (guint i = 0; i < records->len; i++)
    {
      MrDnsEntry *entry = g_ptr_array_index (records, i);

      if (g_ascii_strcasecmp (entry->name, name) != 0
          || g_ascii_strcasecmp (mr_dns_type_to_string (entry->type), type) != 0)
        continue;
      found++;
      if (entry->type == MR_DNS_MX)
        g_string_append_printf (text, "%s. IN MX %u %s.\n", entry->name, entry->priority, entry->value);
      else
        g_string_append_printf (text, "%s. IN %s %s\n", entry->name, mr_dns_type_to_string (entry->type), entry->value);
    }
  if (found == 0)
    g_string_append_printf (text, _("%s: no %s record in the lab's DNS\n"), name, type);
  emit_output (self, text->str);
  /* DNS look-ups are not on the bus: log them so goals can see them. */
  {
    g_autofree char *summary = g_strdup_printf ("dig %s %s: %u record(s)", name, type, found);
    g_autoptr(MrEvent) event = mr_event_new (MR_EVENT_NOTE, MR_DIRECTION_NONE, summary);

    mr_event_bus_emit (mr_engine_get_bus (self->engine), event);
  }
}

typedef struct
{
  GBytes   *body;
  GError   *error;
  gboolean  done;
} HttpResult;

static void
http_done_cb (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  HttpResult *http = user_data;

  http->body = soup_session_send_and_read_finish (SOUP_SESSION (object), result, &http->error);
  http->done = TRUE;
}

/* /http [-u USER:PASSWORD] METHOD PATH [BODY]: one request to the lab's own
 * web API (listening on 127.0.0.1 if it is not yet), for comparing an HTTP
 * send API with SMTP. The engine answers on this thread, so the request is
 * driven by iterating this thread's context until it completes. */
static void
meta_http (MrLessonRunner *self,
           const char     *args)
{
  g_autoptr(SoupSession) session = NULL;
  g_autoptr(SoupMessage) message = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *credentials = NULL;
  g_autofree char *method = NULL;
  g_autofree char *path = NULL;
  g_autofree char *uri = NULL;
  g_autofree char *summary = NULL;
  g_autoptr(MrEvent) event = NULL;
  g_autoptr(GString) text = g_string_new (NULL);
  GMainContext *context = g_main_context_get_thread_default ();
  HttpResult http = { 0 };
  const char *p = args;
  const char *body = NULL;
  guint16 port;

  while (*p == ' ')
    p++;
  if (g_str_has_prefix (p, "-u "))
    {
      const char *end;

      p += 3;
      while (*p == ' ')
        p++;
      end = strchr (p, ' ');
      if (end == NULL)
        goto usage;
      credentials = g_strndup (p, end - p);
      p = end + 1;
    }
  while (*p == ' ')
    p++;
  {
    const char *end = strchr (p, ' ');

    if (end == NULL)
      goto usage;
    method = g_ascii_strup (p, end - p);
    p = end + 1;
    while (*p == ' ')
      p++;
    end = strchr (p, ' ');
    path = end ? g_strndup (p, end - p) : g_strdup (p);
    body = end ? end + 1 : NULL;
  }
  if (path[0] != '/')
    goto usage;

  port = mr_engine_get_port (self->engine, MR_SERVICE_HTTP);
  if (port == 0)
    port = mr_engine_listen (self->engine, MR_SERVICE_HTTP, "127.0.0.1", 0, &error);
  if (port == 0)
    {
      emit_note (self, _("The web API is not available: %s"), error ? error->message : "?");
      return;
    }

  uri = g_strdup_printf ("http://127.0.0.1:%u%s", port, path);
  message = soup_message_new (method, uri);
  if (message == NULL)
    goto usage;
  if (credentials != NULL)
    {
      g_autofree char *encoded = g_base64_encode ((const guchar *) credentials, strlen (credentials));
      g_autofree char *value = g_strconcat ("Basic ", encoded, NULL);

      soup_message_headers_replace (soup_message_get_request_headers (message), "Authorization", value);
    }
  if (body != NULL && *body != '\0')
    {
      g_autoptr(GBytes) bytes = g_bytes_new (body, strlen (body));
      soup_message_set_request_body_from_bytes (message, "application/json", bytes);
    }

  session = soup_session_new_with_options ("proxy-resolver", NULL, "timeout", 30, NULL);
  soup_session_send_and_read_async (session, message, G_PRIORITY_DEFAULT, NULL, http_done_cb, &http);
  while (!http.done)
    g_main_context_iteration (context, TRUE);

  if (http.error != NULL)
    {
      emit_note (self, _("The request failed: %s"), http.error->message);
      g_clear_error (&http.error);
      return;
    }

  g_string_append_printf (text, "HTTP/1.1 %u %s\n", soup_message_get_status (message),
                          soup_message_get_reason_phrase (message));
  if (http.body != NULL)
    {
      g_string_append_len (text, g_bytes_get_data (http.body, NULL), g_bytes_get_size (http.body));
      if (text->len > 0 && text->str[text->len - 1] != '\n')
        g_string_append_c (text, '\n');
      g_bytes_unref (http.body);
    }
  emit_output (self, text->str);

  /* One note per request, so goals can check it: "http POST /api/v1/send: 200" */
  summary = g_strdup_printf ("http %s %s: %u", method, path, soup_message_get_status (message));
  event = mr_event_new (MR_EVENT_NOTE, MR_DIRECTION_NONE, summary);
  mr_event_bus_emit (mr_engine_get_bus (self->engine), event);
  return;

usage:
  emit_note (self, "%s", _("Usage: /http [-u USER:PASSWORD] METHOD /PATH [JSON]"));
}

static void
meta_command (MrLessonRunner *self,
              const char     *line)
{
  g_auto(GStrv) words = g_strsplit_set (line + 1, " \t", -1);
  const char *rest = strchr (line, ' ');
  MrSession *session = current_session (self);

  rest = rest ? rest + 1 : "";

  if (g_str_equal (words[0], "connect") && words[1] != NULL)
    {
      MrService service;

      if (!mr_service_from_string (words[1], &service) || service == MR_SERVICE_HTTP)
        emit_note (self, _("Unknown service \"%s\" (smtp, submission, smtps, pop3, pop3s, imap, imaps)"), words[1]);
      else
        open_session (self, service, words[2]);
    }
  else if (g_str_equal (words[0], "switch") && words[1] != NULL)
    {
      guint64 n = g_ascii_strtoull (words[1], NULL, 10);

      if (n < 1 || n > self->sessions->len)
        emit_note (self, _("No session %s"), words[1]);
      else
        {
          self->current = n - 1;
          emit_note (self, _("[Now talking to session %u]"), (guint) n);
        }
    }
  else if (g_str_equal (words[0], "drop"))
    {
      if (session == NULL || mr_session_get_closed (session))
        emit_note (self, _("Not connected."));
      else
        {
          MrConversation *conversation = mr_session_get_conversation (session);

          mr_session_disconnected (session);
          /* the connection drops without QUIT: record it like a server would */
          mr_conversation_emit (conversation,
                                mr_conversation_new_event (conversation, MR_EVENT_DISCONNECT,
                                                           MR_DIRECTION_NONE, "connection dropped by the client"));
          g_bytes_unref (mr_session_take_output (session));
          emit_note (self, _("[Connection dropped without a goodbye]"));
        }
    }
  else if (g_str_equal (words[0], "advance") && words[1] != NULL)
    {
      gint64 usec;

      if (!parse_duration (words[1], &usec))
        emit_note (self, _("Usage: /advance DURATION (30s, 5m, 2h)"));
      else
        {
          MrClock *clock = mr_engine_get_clock (self->engine);
          gint64 left = usec;
          gint64 due;
          guint guard = 0;

          /* Timers due inside the window fire in order, and so do the ones
           * they schedule (a relay's whole conversation over a wire). */
          flush_pending ();
          while ((due = mr_clock_get_next_due (clock)) >= 0 && due <= left && guard++ < 100000)
            {
              mr_clock_advance (clock, due);
              left -= due;
              flush_pending ();
            }
          mr_clock_advance (clock, left);
          flush_pending ();
          emit_note (self, _("[The clock moved forward by %s]"), words[1]);
        }
    }
  else if (g_str_equal (words[0], "predict") && words[1] != NULL)
    mr_lesson_runner_predict (self, words[1]);
  else if (g_str_equal (words[0], "answer") && *rest != '\0')
    mr_lesson_runner_answer (self, rest);
  else if (g_str_equal (words[0], "dig"))
    meta_dig (self, words);
  else if (g_str_equal (words[0], "http"))
    meta_http (self, rest);
  else
    emit_note (self, "%s",
               _("Console commands: /connect SERVICE, /switch N, /drop, /advance 5m, "
                 "/predict CODE, /answer TEXT, /dig NAME [MX|A|TXT], /http METHOD /PATH [JSON], /help"));
}

/* The console */

void
mr_lesson_runner_submit_line (MrLessonRunner *self,
                              const char     *line)
{
  g_autofree char *wire = NULL;
  g_autofree char *reply = NULL;
  g_autofree char *upper = NULL;
  MrLessonStep *step;
  MrSession *session;
  guint step_index;

  g_return_if_fail (MR_IS_LESSON_RUNNER (self));
  g_return_if_fail (line != NULL);

  if (line[0] == '/')
    {
      guint index = self->step;

      meta_command (self, line);
      check_progress (self);
      /* /answer and /predict judge themselves; other console commands
       * can be anticipated wrong moves too ("/drop" instead of QUIT). */
      if (!g_str_has_prefix (line, "/answer") && !g_str_has_prefix (line, "/predict"))
        check_hints (self, index, line, NULL);
      return;
    }

  session = current_session (self);
  if (session == NULL || mr_session_get_closed (session)
      || mr_session_get_action (session) == MR_SESSION_CLOSE)
    {
      emit_note (self, _("Not connected: type /connect SERVICE to open a new connection."));
      return;
    }

  if (self->awaiting_prediction)
    {
      /* the reply to the previous command is still withheld */
      emit_note (self, "%s", _("First predict the reply to your last command: /predict CODE"));
      return;
    }

  step = mr_lesson_runner_get_step (self);
  step_index = self->step;
  upper = g_ascii_strup (line, -1);

  wire = g_strconcat (line, "\r\n", NULL);
  mr_session_feed (session, (const guint8 *) wire, strlen (wire));
  reply = drain (self, session);

  if (step != NULL && step->predict != NULL && !self->awaiting_prediction && *reply != '\0')
    {
      const char *verb_start = upper;

      /* IMAP: skip the tag */
      if (mr_session_get_conversation (session)->protocol == MR_PROTOCOL_IMAP && strchr (upper, ' '))
        verb_start = strchr (upper, ' ') + 1;
      if (g_str_has_prefix (verb_start, step->predict->verb))
        {
          self->awaiting_prediction = TRUE;
          g_string_append (self->held, reply);
          g_free (self->held_verb);
          self->held_verb = g_strdup (step->predict->verb);
          if (self->prediction != NULL)
            judge_prediction (self);
          else if (!self->silent)
            g_signal_emit (self, signals [PREDICT_REQUESTED], 0, step->predict->choices);
          check_progress (self);
          if (*reply != '\0')
            check_hints (self, step_index, line, reply);
          return;
        }
    }

  emit_output (self, reply);
  check_progress (self);
  /* Lines inside DATA get no reply: they are neither right nor wrong. */
  if (*reply != '\0')
    check_hints (self, step_index, line, reply);
}

const char *
mr_lesson_runner_request_hint (MrLessonRunner *self)
{
  MrLessonStep *step;
  const char *text;
  gboolean stronger;

  g_return_val_if_fail (MR_IS_LESSON_RUNNER (self), NULL);

  step = mr_lesson_runner_get_step (self);
  if (step == NULL)
    return NULL;
  stronger = self->misses >= 2;
  text = stronger ? step->stronger_hint : step->hint;
  give_hint (self, text, stronger);
  return text;
}

const char * const *
mr_lesson_runner_get_reference (MrLessonRunner *self)
{
  MrLessonStep *step;

  g_return_val_if_fail (MR_IS_LESSON_RUNNER (self), NULL);

  step = mr_lesson_runner_get_step (self);
  return step ? (const char * const *) step->solution : NULL;
}

void
mr_lesson_runner_show_me (MrLessonRunner *self)
{
  g_auto(GStrv) lines = NULL;
  guint index;

  g_return_if_fail (MR_IS_LESSON_RUNNER (self));

  if (mr_lesson_runner_get_step (self) == NULL)
    return;
  index = self->step;
  lines = g_strdupv (mr_lesson_get_step (self->lesson, index)->solution);
  for (guint i = 0; lines[i] && self->step == index && !self->completed; i++)
    {
      if (lines[i][0] != '/')
        {
          g_autofree char *echo = g_strconcat ("> ", lines[i], NULL);
          emit_note (self, "%s", echo);
        }
      mr_lesson_runner_submit_line (self, lines[i]);
    }
}

/* Life cycle */

/* The lesson's faults are the lesson's: the lab goes back to normal when
 * it ends or starts over. */
static void
remove_faults (MrLessonRunner *self)
{
  MrWorld *world = self->engine ? get_world (self->engine) : NULL;

  for (guint i = 0; world != NULL && i < self->faults->len; i++)
    {
      MrLessonFault *fault = g_ptr_array_index (self->faults, i);
      mr_world_remove_fault (world, fault->name, fault->target);
    }
  g_ptr_array_set_size (self->faults, 0);
}

static void
close_sessions (MrLessonRunner *self)
{
  for (guint i = 0; i < self->sessions->len; i++)
    {
      MrSession *session = g_ptr_array_index (self->sessions, i);

      g_signal_handlers_disconnect_by_data (session, self);
      if (!mr_session_get_closed (session))
        mr_session_disconnected (session);
    }
  g_ptr_array_set_size (self->sessions, 0);
  self->current = 0;
}

char *
mr_lesson_runner_dup_missing (MrLessonRunner *self)
{
  g_autoptr(GString) missing = g_string_new (NULL);

  g_return_val_if_fail (MR_IS_LESSON_RUNNER (self), NULL);

  for (guint i = 0; self->lesson->requires[i]; i++)
    {
      const char *name = self->lesson->requires[i];
      gboolean ok = FALSE;
      MrService service;

      if (g_str_equal (name, "world"))
        ok = world_available (self->engine);
      else if (g_str_equal (name, "http"))
        ok = TRUE;  /* protocols/http is always built in; /http listens on demand */
      else if (mr_service_from_string (name, &service))
        {
          /* A session that is never started says nothing on the bus. */
          g_autoptr(MrSession) probe = self->session_func (self->engine, service, "probe", self->session_data);
          ok = probe != NULL;
        }
      if (!ok)
        g_string_append_printf (missing, "%s%s", missing->len ? ", " : "", name);
    }
  return missing->len ? g_string_free (g_steal_pointer (&missing), FALSE) : NULL;
}

gboolean
mr_lesson_runner_start (MrLessonRunner  *self,
                        GError         **error)
{
  g_autofree char *missing = NULL;
  guint resume;

  g_return_val_if_fail (MR_IS_LESSON_RUNNER (self), FALSE);
  g_return_val_if_fail (!self->started, FALSE);

  missing = mr_lesson_runner_dup_missing (self);
  if (missing != NULL)
    {
      g_set_error (error, MR_LESSON_ERROR, MR_LESSON_ERROR_UNAVAILABLE,
                   _("This lesson needs parts of Mailroom this build lacks: %s"), missing);
      return FALSE;
    }

  if (!apply_setup (self, self->lesson->setup, error))
    return FALSE;
  self->scanned_seq = mr_event_bus_get_last_seq (mr_engine_get_bus (self->engine));
  if (!open_session (self, self->lesson->service, NULL))
    {
      g_set_error (error, MR_LESSON_ERROR, MR_LESSON_ERROR_UNAVAILABLE,
                   _("The %s server is not available in this build"), mr_service_to_string (self->lesson->service));
      return FALSE;
    }

  self->started = TRUE;
  self->step = 0;
  resume = mr_lesson_progress_get_step (self->progress, self->lesson->id);
  if (resume >= self->lesson->steps->len)
    resume = 0;

  /* Resuming: rebuild the world by replaying the earlier steps' reference
   * moves on this fresh engine, without telling the GUI. */
  self->silent = resume > 0;
  enter_step (self);
  check_progress (self);
  while (!self->completed && self->step < resume)
    {
      guint before = self->step;

      mr_lesson_runner_show_me (self);
      if (self->step == before)
        break;
    }
  self->silent = FALSE;

  g_object_notify_by_pspec (G_OBJECT (self), properties [PROP_STEP]);
  g_signal_emit (self, signals [STEP_CHANGED], 0, self->step);
  return TRUE;
}

gboolean
mr_lesson_runner_reset (MrLessonRunner  *self,
                        GError         **error)
{
  g_return_val_if_fail (MR_IS_LESSON_RUNNER (self), FALSE);

  if (!mr_lesson_progress_reset (self->progress, self->lesson->id, error))
    return FALSE;
  close_sessions (self);
  remove_faults (self);
  g_hash_table_remove_all (self->conversations);
  self->started = FALSE;
  self->completed = FALSE;
  self->awaiting_prediction = FALSE;
  g_string_truncate (self->held, 0);
  return mr_lesson_runner_start (self, error);
}

/* Accessors */

MrEngine *
mr_lesson_runner_get_engine (MrLessonRunner *self)
{
  g_return_val_if_fail (MR_IS_LESSON_RUNNER (self), NULL);
  return self->engine;
}

MrLesson *
mr_lesson_runner_get_lesson (MrLessonRunner *self)
{
  g_return_val_if_fail (MR_IS_LESSON_RUNNER (self), NULL);
  return self->lesson;
}

MrLessonProgress *
mr_lesson_runner_get_progress (MrLessonRunner *self)
{
  g_return_val_if_fail (MR_IS_LESSON_RUNNER (self), NULL);
  return self->progress;
}

guint
mr_lesson_runner_get_step_index (MrLessonRunner *self)
{
  g_return_val_if_fail (MR_IS_LESSON_RUNNER (self), 0);
  return self->step;
}

MrLessonStep *
mr_lesson_runner_get_step (MrLessonRunner *self)
{
  g_return_val_if_fail (MR_IS_LESSON_RUNNER (self), NULL);
  if (!self->started || self->completed)
    return NULL;
  return mr_lesson_get_step (self->lesson, self->step);
}

gboolean
mr_lesson_runner_get_completed (MrLessonRunner *self)
{
  g_return_val_if_fail (MR_IS_LESSON_RUNNER (self), FALSE);
  return self->completed;
}

guint
mr_lesson_runner_get_misses (MrLessonRunner *self)
{
  g_return_val_if_fail (MR_IS_LESSON_RUNNER (self), 0);
  return self->misses;
}

MrSession *
mr_lesson_runner_get_session (MrLessonRunner *self)
{
  g_return_val_if_fail (MR_IS_LESSON_RUNNER (self), NULL);
  return current_session (self);
}

void
mr_lesson_runner_set_session_func (MrLessonRunner      *self,
                                   MrLessonSessionFunc  func,
                                   gpointer             user_data,
                                   GDestroyNotify       destroy)
{
  g_return_if_fail (MR_IS_LESSON_RUNNER (self));

  if (self->session_destroy != NULL)
    self->session_destroy (self->session_data);
  self->session_func = func ? func : default_session_func;
  self->session_data = func ? user_data : NULL;
  self->session_destroy = func ? destroy : NULL;
}

MrLessonRunner *
mr_lesson_runner_new (MrEngine   *engine,
                      MrLesson   *lesson,
                      const char *progress_path)
{
  MrLessonRunner *self;

  g_return_val_if_fail (MR_IS_ENGINE (engine), NULL);
  g_return_val_if_fail (lesson != NULL, NULL);

  self = g_object_new (MR_TYPE_LESSON_RUNNER, NULL);
  self->engine = g_object_ref (engine);
  self->lesson = mr_lesson_ref (lesson);
  g_signal_connect_object (mr_engine_get_bus (engine), "event", G_CALLBACK (on_bus_event), self,
                           G_CONNECT_SWAPPED);
  self->progress = mr_lesson_progress_new (progress_path);
  return self;
}

static void
mr_lesson_runner_dispose (GObject *object)
{
  MrLessonRunner *self = (MrLessonRunner *)object;

  close_sessions (self);
  remove_faults (self);
  if (self->check_source != NULL)
    {
      g_source_destroy (self->check_source);
      g_clear_pointer (&self->check_source, g_source_unref);
    }
  if (self->engine != NULL)
    g_signal_handlers_disconnect_by_data (mr_engine_get_bus (self->engine), self);
  if (self->session_destroy != NULL)
    self->session_destroy (self->session_data);
  self->session_destroy = NULL;
  g_clear_object (&self->dns);
  g_clear_object (&self->engine);

  G_OBJECT_CLASS (mr_lesson_runner_parent_class)->dispose (object);
}

static void
mr_lesson_runner_finalize (GObject *object)
{
  MrLessonRunner *self = (MrLessonRunner *)object;

  g_clear_pointer (&self->lesson, mr_lesson_unref);
  g_clear_pointer (&self->progress, mr_lesson_progress_free);
  g_clear_pointer (&self->sessions, g_ptr_array_unref);
  g_clear_pointer (&self->conversations, g_hash_table_unref);
  g_clear_pointer (&self->latched, g_hash_table_unref);
  g_clear_pointer (&self->faults, g_ptr_array_unref);
  if (self->held != NULL)
    g_string_free (self->held, TRUE);
  g_free (self->prediction);
  g_free (self->held_verb);

  G_OBJECT_CLASS (mr_lesson_runner_parent_class)->finalize (object);
}

static void
mr_lesson_runner_get_property (GObject    *object,
                               guint       prop_id,
                               GValue     *value,
                               GParamSpec *pspec)
{
  MrLessonRunner *self = MR_LESSON_RUNNER (object);

  switch (prop_id)
    {
    case PROP_STEP:
      g_value_set_uint (value, self->step);
      break;

    case PROP_COMPLETED:
      g_value_set_boolean (value, self->completed);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
mr_lesson_runner_class_init (MrLessonRunnerClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = mr_lesson_runner_dispose;
  object_class->finalize = mr_lesson_runner_finalize;
  object_class->get_property = mr_lesson_runner_get_property;

  properties [PROP_STEP] =
    g_param_spec_uint ("step", NULL, NULL, 0, G_MAXUINT, 0,
                       (G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));
  properties [PROP_COMPLETED] =
    g_param_spec_boolean ("completed", NULL, NULL, FALSE,
                          (G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));
  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * MrLessonRunner::output:
   * @text: console text, lines ending in "\n"
   *
   * Emitted for what the console shows: the server's replies (CRLF turned
   * into LF) and the runner's own notes in brackets.
   */
  signals [OUTPUT] =
    g_signal_new ("output", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                  G_TYPE_NONE, 1, G_TYPE_STRING);

  /**
   * MrLessonRunner::step-changed:
   * @index: the new current step
   *
   * Emitted when a step begins (after its setup), and once after start.
   */
  signals [STEP_CHANGED] =
    g_signal_new ("step-changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                  G_TYPE_NONE, 1, G_TYPE_UINT);

  /**
   * MrLessonRunner::step-completed:
   * @index: the step just done
   * @explanation: what happened and why, citing the RFC
   *
   * Emitted when a step's goal holds, before ::step-changed for the next.
   */
  signals [STEP_COMPLETED] =
    g_signal_new ("step-completed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                  G_TYPE_NONE, 2, G_TYPE_UINT, G_TYPE_STRING);

  /**
   * MrLessonRunner::hint:
   * @text: the hint
   * @stronger: %TRUE for the stronger hint after two misses
   *
   * Emitted after an anticipated wrong move, after the second miss, and
   * when the learner asks (mr_lesson_runner_request_hint()).
   */
  signals [HINT] =
    g_signal_new ("hint", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                  G_TYPE_NONE, 2, G_TYPE_STRING, G_TYPE_BOOLEAN);

  /**
   * MrLessonRunner::predict-requested:
   * @choices: the codes to offer
   *
   * Emitted when the learner sent the command of a predict-the-reply step
   * without predicting first: the reply is withheld until
   * mr_lesson_runner_predict().
   */
  signals [PREDICT_REQUESTED] =
    g_signal_new ("predict-requested", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                  G_TYPE_NONE, 1, G_TYPE_STRV);

  /**
   * MrLessonRunner::prediction:
   * @correct: whether the prediction was right
   * @predicted: what the learner picked
   * @actual: what the server answered
   * @explanation: why
   *
   * Emitted when a prediction is judged, before the withheld reply is shown.
   */
  signals [PREDICTION] =
    g_signal_new ("prediction", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                  G_TYPE_NONE, 4, G_TYPE_BOOLEAN, G_TYPE_STRING, G_TYPE_STRING, G_TYPE_STRING);

  /**
   * MrLessonRunner::completed:
   *
   * Emitted once when the last step is done.
   */
  signals [COMPLETED] =
    g_signal_new ("completed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                  G_TYPE_NONE, 0);
}

static void
mr_lesson_runner_init (MrLessonRunner *self)
{
  self->sessions = g_ptr_array_new_with_free_func (g_object_unref);
  self->conversations = g_hash_table_new (NULL, NULL);
  self->latched = g_hash_table_new (NULL, NULL);
  self->faults = g_ptr_array_new ();
  self->held = g_string_new (NULL);
  self->session_func = default_session_func;
}
