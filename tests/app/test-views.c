/* test-views.c: the teaching views (issue 7) under Xvfb
 *
 * Copyright 2026 The Mailroom authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "test-views"

#include "config.h"

#include <gtk/gtk.h>
#include <glib/gstdio.h>
#include <string.h>

#include "mr-application.h"
#include "mr-clock.h"
#include "mr-conversation.h"
#include "mr-eavesdropper-view.h"
#include "mr-engine-thread.h"
#include "mr-event-bus.h"
#include "mr-event-model.h"
#include "mr-inspector-view.h"
#include "mr-ladder-view.h"
#include "mr-map-view.h"
#include "mr-received-trace.h"
#include "mr-smtp-local-delivery.h"
#include "mr-smtp-session.h"
#include "mr-state-view.h"
#include "mr-store.h"
#include "mr-timeline.h"
#include "mr-transcript-view.h"
#include "mr-window.h"
#include "mr-window-private.h"
#include "mr-wire-view.h"

static MrApplication *app;
static MrWindow *window;
static GtkWindow *views_window;
static GtkStack *views_stack;
static MrStateView *state_view;
static MrEavesdropperView *eavesdropper;
static MrWireView *wire_view;
static MrInspectorView *inspector;

typedef gboolean (*Condition) (gpointer data);

static gboolean
wake_cb (gpointer data)
{
  return G_SOURCE_CONTINUE;
}

static gboolean
wait_for (Condition cond,
          gpointer  data,
          guint     timeout_ms)
{
  gint64 end = g_get_monotonic_time () + (gint64) timeout_ms * 1000;
  guint wake = g_timeout_add (10, wake_cb, NULL);
  gboolean ok;

  while (!(ok = cond (data)) && g_get_monotonic_time () < end)
    g_main_context_iteration (NULL, TRUE);

  g_source_remove (wake);
  return ok;
}

static gboolean
never_cb (gpointer data)
{
  return FALSE;
}

static void
spin (guint ms)
{
  wait_for (never_cb, NULL, ms);
}

/* With MR_VIEWS_SHOTS=DIR, a screenshot of the screen goes to DIR/NAME.png
 * (ImageMagick), to look at by eye. */
static void
shoot (const char *name)
{
  const char *dir = g_getenv ("MR_VIEWS_SHOTS");
  g_autofree char *path = NULL;
  g_autofree char *command = NULL;

  if (dir == NULL)
    return;
  spin (300);
  path = g_strdup_printf ("%s/%s.png", dir, name);
  command = g_strdup_printf ("import -window root %s", path);
  if (system (command) != 0)
    g_test_message ("could not take %s", path);
}

/* A raw session through the engine thread, as the console opens one. */
typedef struct
{
  GString  *output;
  gboolean  closed;
} Session;

static void
session_output_cb (GObject    *owner,
                   const char *output,
                   gboolean    closed)
{
  Session *session = g_object_get_data (owner, "session");

  if (output != NULL)
    g_string_append (session->output, output);
  session->closed |= closed;
}

static gboolean
output_has (gpointer data)
{
  GObject *owner = data;
  Session *session = g_object_get_data (owner, "session");
  const char *want = g_object_get_data (owner, "want");

  return strstr (session->output->str, want) != NULL;
}

static void
session_free (Session *session)
{
  g_string_free (session->output, TRUE);
  g_free (session);
}

static GObject *
open_session (MrService service,
              guint    *handle_r)
{
  GObject *owner = g_object_new (G_TYPE_OBJECT, NULL);
  Session *session = g_new0 (Session, 1);

  session->output = g_string_new (NULL);
  g_object_set_data_full (owner, "session", session, (GDestroyNotify) session_free);
  *handle_r = mr_engine_thread_open_session (mr_window_get_engine (window), service,
                                             "views-test", owner, session_output_cb);
  return owner;
}

/* Sends @line and waits until the output holds @want. */
static void
send_and_wait (GObject    *owner,
               guint       handle,
               const char *line,
               const char *want)
{
  g_autofree char *data = g_strdup_printf ("%s\r\n", line);

  g_object_set_data_full (owner, "want", g_strdup (want), g_free);
  mr_engine_thread_feed_session (mr_window_get_engine (window), handle, data, -1);
  g_assert_true (wait_for (output_has, owner, 5000));
}

static guint64 wanted_seq;

static gboolean
model_has_seq (gpointer data)
{
  MrEventModel *model = mr_window_get_event_model (window);
  guint n = mr_event_model_get_n_events (model);

  mr_window_pump (window);
  return n > 0 && mr_event_model_get_event (model, n - 1)->seq >= wanted_seq;
}

/* Waits until the window's model holds everything on the bus now. */
static void
catch_up (void)
{
  wanted_seq = mr_event_bus_get_last_seq (mr_engine_thread_get_bus (mr_window_get_engine (window)));
  g_assert_true (wait_for (model_has_seq, NULL, 5000));
}

/* The seq of the newest event on the window's model whose text starts
 * with @prefix. */
static guint64
find_seq (const char *prefix)
{
  MrEventModel *model = mr_window_get_event_model (window);

  for (guint i = mr_event_model_get_n_events (model); i > 0; i--)
    {
      MrEvent *event = mr_event_model_get_event (model, i - 1);

      if (event->text != NULL && g_str_has_prefix (event->text, prefix))
        return event->seq;
    }
  return 0;
}

/* The conversation of the newest event whose text starts with @prefix:
 * tests pin their views to it (the relay may still be talking elsewhere). */
static guint64
find_conversation (const char *prefix)
{
  MrEventModel *model = mr_window_get_event_model (window);

  for (guint i = mr_event_model_get_n_events (model); i > 0; i--)
    {
      MrEvent *event = mr_event_model_get_event (model, i - 1);

      if (event->text != NULL && g_str_has_prefix (event->text, prefix))
        return event->conversation_id;
    }
  return 0;
}

static void
show_view (const char *name)
{
  gtk_stack_set_visible_child_name (views_stack, name);
}

/* ------------------------------------------------------------------ */

static void
test_state_rcpt_before_mail (void)
{
  g_autoptr(GObject) owner = NULL;
  g_autofree char *refused = NULL;
  guint handle;
  guint64 greeted_seq;

  show_view ("state");
  owner = open_session (MR_SERVICE_SMTP, &handle);
  g_object_set_data (owner, "want", (gpointer) "220");
  g_assert_true (wait_for (output_has, owner, 5000));

  send_and_wait (owner, handle, "EHLO views.test", "250 ");
  catch_up ();
  g_assert_cmpint (mr_state_view_get_protocol (state_view), ==, MR_PROTOCOL_SMTP);
  g_assert_cmpstr (mr_state_view_get_state (state_view), ==, "greeted");
  g_assert_null (mr_state_view_get_refused_verb (state_view));
  greeted_seq = find_seq ("250 ");
  g_assert_cmpuint (greeted_seq, >, 0);

  /* RFC 5321 4.1.4: RCPT before MAIL is out of sequence: 503 */
  send_and_wait (owner, handle, "RCPT TO:<bob@recipient.example>", "503");
  catch_up ();
  g_assert_cmpstr (mr_state_view_get_refused_verb (state_view), ==, "RCPT");
  g_assert_true (g_str_has_prefix (mr_state_view_get_refused_reply (state_view), "503"));
  g_assert_cmpstr (mr_state_view_get_refused_target (state_view), ==, "rcpt");
  g_assert_cmpstr (mr_state_view_get_state (state_view), ==, "greeted");
  g_object_get (state_view, "refused-verb", &refused, NULL);
  g_assert_cmpstr (refused, ==, "RCPT");
  shoot ("state-503");

  /* Going on the right way clears the refusal and lights "mail". */
  send_and_wait (owner, handle, "MAIL FROM:<alice@sender.example>", "250 2.1.0");
  catch_up ();
  g_assert_null (mr_state_view_get_refused_verb (state_view));
  g_assert_cmpstr (mr_state_view_get_state (state_view), ==, "mail");

  /* As of the 250 to EHLO, the diagram shows "greeted" and no refusal. */
  mr_state_view_set_cursor (state_view, greeted_seq);
  g_assert_cmpstr (mr_state_view_get_state (state_view), ==, "greeted");
  g_assert_null (mr_state_view_get_refused_verb (state_view));
  mr_state_view_set_cursor (state_view, find_seq ("503"));
  g_assert_cmpstr (mr_state_view_get_refused_verb (state_view), ==, "RCPT");
  mr_state_view_set_cursor (state_view, 0);
  g_assert_cmpstr (mr_state_view_get_state (state_view), ==, "mail");

  send_and_wait (owner, handle, "QUIT", "221");
  catch_up ();
  g_assert_cmpstr (mr_state_view_get_state (state_view), ==, "quit");

  /* win.show-conversation pins the window's views to one conversation */
  {
    guint64 id = mr_state_view_get_shown_conversation (state_view);
    MrStateView *page = mr_window_get_state_view (window);
    GListModel *lines = mr_transcript_view_get_filtered (mr_window_get_transcript_view (window));

    gtk_widget_activate_action (GTK_WIDGET (window), "win.show-conversation", "t", id);
    g_assert_cmpuint (mr_state_view_get_conversation (page), ==, id);
    g_assert_cmpstr (mr_state_view_get_state (page), ==, "quit");
    for (guint i = 0; i < g_list_model_get_n_items (lines); i++)
      {
        g_autoptr(MrEventItem) item = g_list_model_get_item (lines, i);
        g_assert_cmpuint (mr_event_item_get_event (item)->conversation_id, ==, id);
      }
    gtk_widget_activate_action (GTK_WIDGET (window), "win.show-conversation", "t", (guint64) 0);
    g_assert_cmpuint (mr_state_view_get_conversation (page), ==, 0);
  }
  mr_engine_thread_close_session (mr_window_get_engine (window), handle);
}

static void
test_state_pop3_imap (void)
{
  g_autoptr(GObject) pop = NULL;
  g_autoptr(GObject) imap = NULL;
  guint handle;

  pop = open_session (MR_SERVICE_POP3, &handle);
  g_object_set_data (pop, "want", (gpointer) "+OK");
  g_assert_true (wait_for (output_has, pop, 5000));
  /* RFC 1939 5: RETR only in the TRANSACTION state */
  send_and_wait (pop, handle, "RETR 1", "-ERR");
  catch_up ();
  g_assert_cmpint (mr_state_view_get_protocol (state_view), ==, MR_PROTOCOL_POP3);
  g_assert_cmpstr (mr_state_view_get_state (state_view), ==, "authorization");
  g_assert_cmpstr (mr_state_view_get_refused_verb (state_view), ==, "RETR");
  g_assert_cmpstr (mr_state_view_get_refused_target (state_view), ==, "transaction");
  shoot ("state-pop3");
  mr_engine_thread_close_session (mr_window_get_engine (window), handle);

  imap = open_session (MR_SERVICE_IMAP, &handle);
  g_object_set_data (imap, "want", (gpointer) "* OK");
  g_assert_true (wait_for (output_has, imap, 5000));
  /* RFC 3501 6.3.1: SELECT needs the authenticated state */
  send_and_wait (imap, handle, "a1 SELECT INBOX", "a1 ");
  catch_up ();
  g_assert_cmpint (mr_state_view_get_protocol (state_view), ==, MR_PROTOCOL_IMAP);
  g_assert_cmpstr (mr_state_view_get_state (state_view), ==, "not-authenticated");
  g_assert_cmpstr (mr_state_view_get_refused_verb (state_view), ==, "SELECT");
  g_assert_cmpstr (mr_state_view_get_refused_target (state_view), ==, "selected");
  send_and_wait (imap, handle, "a2 LOGOUT", "a2 OK");
  catch_up ();
  g_assert_cmpstr (mr_state_view_get_state (state_view), ==, "logout");
  g_assert_null (mr_state_view_get_refused_verb (state_view));
  mr_engine_thread_close_session (mr_window_get_engine (window), handle);
}

static guint
ladder_n_rows (void)
{
  GtkListView *list = mr_ladder_view_get_list_view (mr_window_get_ladder_view (window));

  return g_list_model_get_n_items (G_LIST_MODEL (gtk_list_view_get_model (list)));
}

/* The newest line the transcript shows (unfiltered). */
static MrEvent *
transcript_last (void)
{
  GListModel *lines = mr_transcript_view_get_filtered (mr_window_get_transcript_view (window));
  guint n = g_list_model_get_n_items (lines);
  g_autoptr(MrEventItem) item = n ? g_list_model_get_item (lines, n - 1) : NULL;

  return item ? mr_event_item_get_event (item) : NULL;
}

static void
test_timeline_scrub (void)
{
  MrTimeline *timeline = mr_window_get_timeline (window);
  MrEventModel *live = mr_window_get_event_model (window);
  GtkAdjustment *adjustment = gtk_range_get_adjustment (mr_timeline_get_range (timeline));
  g_autoptr(GObject) owner = NULL;
  guint handle;
  guint64 ehlo_seq, mail_seq;
  guint n_live;

  gtk_widget_set_visible (GTK_WIDGET (views_window), FALSE);
  mr_transcript_view_set_filter (mr_window_get_transcript_view (window), MR_PROTOCOL_NONE, 0);
  owner = open_session (MR_SERVICE_SMTP, &handle);
  g_object_set_data (owner, "want", (gpointer) "220");
  g_assert_true (wait_for (output_has, owner, 5000));
  send_and_wait (owner, handle, "EHLO scrub.test", "250 ");
  send_and_wait (owner, handle, "MAIL FROM:<alice@sender.example>", "2.1.0");
  send_and_wait (owner, handle, "RCPT TO:<nobody@recipient.example>", "\r\n5");
  catch_up ();
  g_assert_true (mr_timeline_get_live (timeline));
  ehlo_seq = find_seq ("EHLO scrub.test");
  mail_seq = find_seq ("MAIL FROM:<alice@sender.example>");
  g_assert_cmpuint (ehlo_seq, >, 0);
  g_assert_cmpuint (mr_state_view_get_state (mr_window_get_state_view (window)) != NULL, ==, TRUE);

  /* Drag the scale to the MAIL line, as a learner would, looking at the
   * transcript. */
  mr_window_show_page (window, "transcript");
  spin (200);
  for (guint i = 0; i < mr_event_model_get_n_events (live); i++)
    if (mr_event_model_get_event (live, i)->seq == mail_seq)
      gtk_adjustment_set_value (adjustment, i);
  g_assert_false (mr_timeline_get_live (timeline));
  g_assert_cmpuint (mr_timeline_get_cursor (timeline), ==, mail_seq);
  g_assert_cmpuint (transcript_last ()->seq, ==, mail_seq);
  g_assert_cmpstr (transcript_last ()->verb, ==, "MAIL");
  g_assert_cmpuint (ladder_n_rows (), ==, mr_event_model_get_n_events (mr_timeline_get_shown_model (timeline)));
  g_assert_cmpuint (mr_state_view_get_cursor (mr_window_get_state_view (window)), ==, mail_seq);
  /* The MAIL line was read in the greeted state */
  g_assert_cmpstr (mr_state_view_get_state (mr_window_get_state_view (window)), ==, "greeted");
  /* The cursor's line is selected: its explanation is beside it */
  g_assert_nonnull (strstr (mr_transcript_view_get_explanation (mr_window_get_transcript_view (window)), "MAIL"));
  mr_window_show_page (window, "transcript");
  shoot ("timeline-scrubbed");
  /* The map shows that moment too: the MAIL envelope, and says it is the
   * past. */
  g_assert_true (mr_map_view_get_showing_past (mr_window_get_map_view (window)));
  g_assert_cmpstr (mr_map_view_get_past_label (mr_window_get_map_view (window)), ==, "MAIL");
  mr_window_show_page (window, "map");
  shoot ("map-scrubbed");

  /* The engine carries on while we look at the past. */
  n_live = mr_event_model_get_n_events (live);
  send_and_wait (owner, handle, "NOOP", "250 2.0.0");
  catch_up ();
  g_assert_cmpuint (mr_event_model_get_n_events (live), >, n_live);
  g_assert_cmpuint (transcript_last ()->seq, ==, mail_seq);

  /* Shift+Space: one line back, to the 250 after EHLO */
  gtk_widget_activate_action (GTK_WIDGET (timeline), "timeline.step-back", NULL);
  g_assert_cmpuint (mr_timeline_get_cursor (timeline), <, mail_seq);
  g_assert_cmpint (transcript_last ()->kind, ==, MR_EVENT_LINE);
  g_assert_cmpuint (transcript_last ()->code, ==, 250);
  g_assert_cmpstr (mr_state_view_get_state (mr_window_get_state_view (window)), ==, "greeted");
  mr_timeline_set_cursor (timeline, ehlo_seq);
  g_assert_cmpstr (transcript_last ()->verb, ==, "EHLO");
  g_assert_cmpstr (mr_map_view_get_past_label (mr_window_get_map_view (window)), ==, "EHLO");
  mr_timeline_step_forward (timeline);
  g_assert_cmpuint (transcript_last ()->code, ==, 250);

  /* Back to live */
  gtk_widget_activate_action (GTK_WIDGET (timeline), "timeline.live", NULL);
  g_assert_true (mr_timeline_get_live (timeline));
  g_assert_cmpuint (mr_timeline_get_cursor (timeline), ==, 0);
  g_assert_true (mr_timeline_get_shown_model (timeline) == live);
  g_assert_false (mr_map_view_get_showing_past (mr_window_get_map_view (window)));
  g_assert_cmpuint (transcript_last ()->seq, ==,
                    mr_event_model_get_event (live, mr_event_model_get_n_events (live) - 1)->seq);
  g_assert_cmpuint (ladder_n_rows (), ==, mr_event_model_get_n_events (live));
  mr_engine_thread_close_session (mr_window_get_engine (window), handle);
  gtk_widget_set_visible (GTK_WIDGET (views_window), TRUE);
}

static char *
b64 (const char *text)
{
  return g_base64_encode ((const guchar *) text, strlen (text));
}

static void
feed_line (MrSession  *session,
           const char *line)
{
  g_autofree char *data = g_strdup_printf ("%s\r\n", line);

  mr_session_feed (session, (const guint8 *) data, strlen (data));
  g_bytes_unref (mr_session_take_output (session));
}

static void
test_eavesdropper_starttls (void)
{
  g_autoptr(MrClock) clock = mr_clock_new ();
  g_autoptr(MrStore) store = mr_store_new ();
  g_autoptr(GObject) backend = NULL;
  g_autoptr(MrConversation) conversation = NULL;
  g_autoptr(MrSession) session = NULL;
  g_autofree char *user = b64 ("alice@sender.example");
  g_autofree char *password = b64 ("alice");
  g_autofree char *before = NULL;
  g_autofree char *after = NULL;
  g_autofree char *scrubbed = NULL;
  MrSmtpConfig config;
  guint64 ready_seq;

  show_view ("eavesdropper");
  mr_store_add_account (store, "alice@sender.example", "alice");
  backend = G_OBJECT (mr_smtp_local_delivery_new (store, clock));
  conversation = mr_conversation_new (mr_engine_thread_get_bus (mr_window_get_engine (window)),
                                      MR_PROTOCOL_SMTP, "alice-laptop", "smtp.sender.example");
  mr_smtp_config_init (&config);
  config.hostname = "smtp.sender.example";
  config.submission = TRUE;
  session = mr_smtp_session_new (MR_SMTP_BACKEND (backend), &config, conversation, NULL);
  /* Pinned: a session closed by an earlier test may still say goodbye */
  mr_eavesdropper_view_set_conversation (eavesdropper, conversation->id);
  mr_eavesdropper_view_set_conversation (mr_window_get_eavesdropper_view (window), conversation->id);
  mr_session_set_tls_available (session, TRUE);
  mr_session_start (session);

  /* In the clear: AUTH LOGIN (RFC 4954 4, base64 only), the envelope */
  feed_line (session, "EHLO alice-laptop");
  feed_line (session, "AUTH LOGIN");
  feed_line (session, user);
  feed_line (session, password);
  feed_line (session, "MAIL FROM:<alice@sender.example>");
  feed_line (session, "RSET");
  feed_line (session, "STARTTLS");
  catch_up ();
  before = mr_eavesdropper_view_dup_text (eavesdropper);
  g_assert_cmpuint (mr_eavesdropper_view_get_shown_conversation (eavesdropper), ==, conversation->id);
  g_assert_false (mr_eavesdropper_view_get_locked (eavesdropper));
  g_assert_cmpuint (mr_eavesdropper_view_get_n_encrypted (eavesdropper), ==, 0);
  g_assert_nonnull (strstr (before, "AUTH LOGIN"));
  g_assert_nonnull (strstr (before, "base64 for \u201cUsername:\u201d"));
  g_assert_nonnull (strstr (before, "base64 for \u201cPassword:\u201d"));
  g_assert_nonnull (strstr (before, "MAIL FROM:<alice@sender.example>"));
  g_assert_nonnull (strstr (before, "the envelope sender"));
  /* A wiretap decodes the AUTH LOGIN exchange: base64 is no encryption */
  g_assert_nonnull (strstr (before, "base64 -d gives \u201calice@sender.example\u201d"));
  g_assert_nonnull (strstr (before, "base64 -d gives \u201calice\u201d"));
  ready_seq = find_seq ("220 2.0.0");
  g_assert_cmpuint (ready_seq, >, 0);
  shoot ("eavesdropper-clear");

  /* RFC 3207 4.2: after the handshake everything is inside TLS */
  mr_session_tls_started (session);
  feed_line (session, "EHLO alice-laptop");
  /* \0bob@recipient.example\0bob, inside TLS this time (RFC 4616) */
  feed_line (session, "AUTH PLAIN AGJvYkByZWNpcGllbnQuZXhhbXBsZQBib2I=");
  feed_line (session, "MAIL FROM:<alice@sender.example>");
  feed_line (session, "RCPT TO:<bob@recipient.example>");
  feed_line (session, "QUIT");
  catch_up ();
  after = mr_eavesdropper_view_dup_text (eavesdropper);
  g_assert_true (mr_eavesdropper_view_get_locked (eavesdropper));
  g_assert_cmpuint (mr_eavesdropper_view_get_n_encrypted (eavesdropper), >=, 5);
  g_assert_nonnull (strstr (after, "TLS handshake"));
  g_assert_nonnull (strstr (after, "ciphertext"));
  g_assert_nonnull (strstr (after, "17 03 03"));
  g_assert_null (strstr (after, "RCPT TO"));
  g_assert_null (strstr (after, "bob@recipient.example"));
  g_assert_null (strstr (after, "221"));
  /* What was said before TLS stays readable: it went out in the clear. */
  g_assert_nonnull (strstr (after, "AUTH LOGIN"));
  shoot ("eavesdropper-tls");

  /* Scrubbed back to the 220 before the handshake: no lock yet */
  mr_eavesdropper_view_set_cursor (eavesdropper, ready_seq);
  g_assert_false (mr_eavesdropper_view_get_locked (eavesdropper));
  scrubbed = mr_eavesdropper_view_dup_text (eavesdropper);
  g_assert_null (strstr (scrubbed, "ciphertext"));
  mr_eavesdropper_view_set_cursor (eavesdropper, 0);
  g_assert_true (mr_eavesdropper_view_get_locked (eavesdropper));

  /* The window's page follows the timeline the same way */
  {
    MrEavesdropperView *page = mr_window_get_eavesdropper_view (window);
    MrTimeline *timeline = mr_window_get_timeline (window);

    g_assert_true (mr_eavesdropper_view_get_locked (page));
    mr_timeline_set_cursor (timeline, ready_seq);
    g_assert_false (mr_eavesdropper_view_get_locked (page));
    mr_timeline_go_live (timeline);
    g_assert_true (mr_eavesdropper_view_get_locked (page));
    mr_eavesdropper_view_set_conversation (page, 0);
  }
  mr_eavesdropper_view_set_conversation (eavesdropper, 0);
}

static void
test_eavesdropper_leaks (void)
{
  static const struct {
    MrProtocol   protocol;
    MrDirection  direction;
    const char  *text;
    const char  *verb;
    guint        code;
    MrEventFlags flags;
    const char  *leak;       /* substring, or NULL for no leak */
  } table[] = {
    { MR_PROTOCOL_IMAP, MR_DIRECTION_TO_SERVER, "a1 LOGIN bob ****", "LOGIN", 0, MR_EVENT_FLAG_MASKED, "user name \u201cbob\u201d" },
    { MR_PROTOCOL_POP3, MR_DIRECTION_TO_SERVER, "USER carol", "USER", 0, 0, "user name \u201ccarol\u201d" },
    { MR_PROTOCOL_POP3, MR_DIRECTION_TO_SERVER, "PASS ****", "PASS", 0, MR_EVENT_FLAG_MASKED, "password" },
    /* A raw PLAIN payload (a bus that does not mask) decodes */
    { MR_PROTOCOL_SMTP, MR_DIRECTION_TO_SERVER, "AUTH PLAIN AGFsaWNlAHNlY3JldA==", "AUTH", 0, 0, "\\0alice\\0secret" },
    { MR_PROTOCOL_SMTP, MR_DIRECTION_TO_SERVER, "AUTH PLAIN ****", "AUTH", 0, MR_EVENT_FLAG_MASKED, "\\0user\\0password" },
    { MR_PROTOCOL_SMTP, MR_DIRECTION_TO_SERVER, "AUTH XOAUTH2 !!notbase64", "AUTH", 0, 0, "base64 only" },
    { MR_PROTOCOL_SMTP, MR_DIRECTION_TO_CLIENT, "334 VXNlcm5hbWU6", NULL, 334, 0, "Username:" },
    { MR_PROTOCOL_SMTP, MR_DIRECTION_TO_CLIENT, "334 ", NULL, 334, 0, NULL },
    { MR_PROTOCOL_SMTP, MR_DIRECTION_TO_CLIENT, "334 AAEC", NULL, 334, 0, NULL },     /* binary: not text */
    { MR_PROTOCOL_IMAP, MR_DIRECTION_TO_CLIENT, "+ UGFzc3dvcmQ6", NULL, 0, 0, "Password:" },
    { MR_PROTOCOL_SMTP, MR_DIRECTION_TO_SERVER, "RCPT TO:<bob@recipient.example>", "RCPT", 0, 0, "recipient" },
    { MR_PROTOCOL_SMTP, MR_DIRECTION_TO_SERVER, "RCPT TO:<bob@recipient.example>", "RCPT", 0, MR_EVENT_FLAG_ENCRYPTED, NULL },
    { MR_PROTOCOL_SMTP, MR_DIRECTION_TO_SERVER, "NOOP", "NOOP", 0, 0, NULL },
    { MR_PROTOCOL_SMTP, MR_DIRECTION_TO_CLIENT, "250 OK", NULL, 250, 0, NULL },
  };

  for (guint i = 0; i < G_N_ELEMENTS (table); i++)
    {
      g_autoptr(MrEvent) event = mr_event_new (MR_EVENT_LINE, table[i].direction, table[i].text);
      g_autofree char *leak = NULL;

      event->protocol = table[i].protocol;
      event->flags = table[i].flags;
      if (table[i].verb != NULL)
        mr_event_set_verb (event, table[i].verb);
      if (table[i].code != 0)
        mr_event_set_reply (event, table[i].code, NULL);
      leak = mr_eavesdropper_explain_leak (event);
      if (table[i].leak == NULL)
        g_assert_null (leak);
      else
        {
          g_assert_nonnull (leak);
          if (strstr (leak, table[i].leak) == NULL)
            g_error ("%s: \"%s\" lacks \"%s\"", table[i].text, leak, table[i].leak);
        }
    }
}

static void
test_export (void)
{
  MrEventModel *live = mr_window_get_event_model (window);
  g_autofree char *dir = g_dir_make_tmp ("mr-views-XXXXXX", NULL);
  g_autofree char *svg = g_build_filename (dir, "ladder.svg", NULL);
  g_autofree char *png = g_build_filename (dir, "ladder.png", NULL);
  g_autofree char *txt = g_build_filename (dir, "transcript.txt", NULL);
  g_autofree char *out = NULL;
  g_autofree char *text = NULL;
  g_autofree char *expected = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GdkTexture) texture = NULL;
  g_autoptr(GObject) owner = NULL;
  const char *argv[] = { "/usr/bin/python3", "-c",
    "import sys, xml.etree.ElementTree as ET\n"
    "root = ET.parse(sys.argv[1]).getroot()\n"
    "ns = '{http://www.w3.org/2000/svg}'\n"
    "assert root.tag == ns + 'svg'\n"
    "print(sum(1 for e in root.iter(ns + 'line') if e.get('class') == 'arrow'))\n",
    svg, NULL };
  guint n_arrows = 0, n_events;
  int status = 0;
  guint handle;

  /* Something of every kind on the wire: lines, a refusal, content */
  owner = open_session (MR_SERVICE_SMTP, &handle);
  g_object_set_data (owner, "want", (gpointer) "220");
  g_assert_true (wait_for (output_has, owner, 5000));
  send_and_wait (owner, handle, "EHLO export.test", "250 ");
  send_and_wait (owner, handle, "MAIL FROM:<alice@sender.example>", "2.1.0");
  send_and_wait (owner, handle, "RCPT TO:<bob@recipient.example>", "2.1.5");
  send_and_wait (owner, handle, "DATA", "354");
  send_and_wait (owner, handle, "Subject: handout\r\n\r\n..dot-stuffed\r\n.", "250 2.0.0");
  send_and_wait (owner, handle, "QUIT", "221");
  catch_up ();
  mr_engine_thread_close_session (mr_window_get_engine (window), handle);

  n_events = 0;
  for (guint i = 0; i < mr_event_model_get_n_events (live); i++)
    {
      MrEvent *event = mr_event_model_get_event (live, i);

      if ((event->kind == MR_EVENT_LINE || event->kind == MR_EVENT_CONTENT) &&
          event->direction != MR_DIRECTION_NONE)
        n_events++;
    }

  gtk_widget_activate_action (GTK_WIDGET (window), "win.export-ladder-svg", "s", svg);
  gtk_widget_activate_action (GTK_WIDGET (window), "win.export-ladder-png", "s", png);
  gtk_widget_activate_action (GTK_WIDGET (window), "win.export-transcript", "s", txt);

  /* One arrow per wire event, in an SVG that parses */
  g_assert_true (g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_DEFAULT, NULL, NULL,
                               &out, NULL, &status, &error));
  g_assert_no_error (error);
  g_assert_cmpint (status, ==, 0);
  n_arrows = (guint) g_ascii_strtoull (out, NULL, 10);
  g_assert_cmpuint (n_arrows, ==, n_events);
  g_assert_cmpuint (n_arrows, >, 10);

  texture = gdk_texture_new_from_filename (png, &error);
  g_assert_no_error (error);
  g_assert_cmpint (gdk_texture_get_width (texture), >=, 2 * 240);
  g_assert_cmpint (gdk_texture_get_height (texture), >, 10 * 30);

  g_assert_true (g_file_get_contents (txt, &text, NULL, &error));
  g_assert_no_error (error);
  g_assert_nonnull (strstr (text, "C: EHLO export.test\n"));
  g_assert_nonnull (strstr (text, "S: 221"));

  /* One conversation: pinned with win.show-conversation */
  {
    guint64 id = mr_event_model_get_event (live, mr_event_model_get_n_events (live) - 1)->conversation_id;
    guint n_conv = 0;
    g_autofree char *conv_out = NULL;

    for (guint i = 0; i < mr_event_model_get_n_events (live); i++)
      {
        MrEvent *event = mr_event_model_get_event (live, i);

        if (event->conversation_id == id &&
            (event->kind == MR_EVENT_LINE || event->kind == MR_EVENT_CONTENT) &&
            event->direction != MR_DIRECTION_NONE)
          n_conv++;
      }
    gtk_widget_activate_action (GTK_WIDGET (window), "win.show-conversation", "t", id);
    gtk_widget_activate_action (GTK_WIDGET (window), "win.export-ladder-svg", "s", svg);
    gtk_widget_activate_action (GTK_WIDGET (window), "win.show-conversation", "t", (guint64) 0);
    g_assert_true (g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_DEFAULT, NULL, NULL,
                                 &conv_out, NULL, &status, &error));
    g_assert_no_error (error);
    g_assert_cmpuint (g_ascii_strtoull (conv_out, NULL, 10), ==, n_conv);
    g_assert_cmpuint (n_conv, >, 0);
  }

  /* While scrubbed, the export is of the past the views show */
  mr_timeline_set_cursor (mr_window_get_timeline (window), find_seq ("EHLO export.test"));
  gtk_widget_activate_action (GTK_WIDGET (window), "win.export-transcript", "s", txt);
  g_free (text);
  g_assert_true (g_file_get_contents (txt, &text, NULL, NULL));
  g_assert_true (g_str_has_suffix (text, "C: EHLO export.test\n"));
  mr_timeline_go_live (mr_window_get_timeline (window));

  if (g_getenv ("MR_VIEWS_SHOTS") != NULL)
    {
      g_autofree char *copy = g_build_filename (g_getenv ("MR_VIEWS_SHOTS"), "ladder-export.png", NULL);
      g_autofree char *copy_svg = g_build_filename (g_getenv ("MR_VIEWS_SHOTS"), "ladder-export.svg", NULL);

      g_rename (png, copy);
      g_rename (svg, copy_svg);
    }
  g_unlink (svg);
  g_unlink (png);
  g_unlink (txt);
  g_rmdir (dir);
}

static void
test_wire_smtp (void)
{
  g_autoptr(GObject) owner = NULL;
  g_autofree char *text = NULL;
  g_autofree char *plain = NULL;
  guint handle;

  show_view ("wire");
  owner = open_session (MR_SERVICE_SMTP, &handle);
  g_object_set_data (owner, "want", (gpointer) "220");
  g_assert_true (wait_for (output_has, owner, 5000));

  /* A bare LF command, a pipelined pair, a message with a dot-stuffed line */
  g_object_set_data_full (owner, "want", g_strdup ("250 DSN"), g_free);
  mr_engine_thread_feed_session (mr_window_get_engine (window), handle, "EHLO wire.test\n", -1);
  g_assert_true (wait_for (output_has, owner, 5000));
  send_and_wait (owner, handle, "MAIL FROM:<alice@sender.example>\r\nRCPT TO:<bob@recipient.example>", "2.1.5");
  send_and_wait (owner, handle, "DATA", "354");
  send_and_wait (owner, handle, "Subject: dots\r\n\r\n..hidden dot\r\n.", "250 2.0.0");
  catch_up ();
  mr_engine_thread_close_session (mr_window_get_engine (window), handle);

  mr_wire_view_set_conversation (wire_view, find_conversation ("EHLO wire.test"));
  text = mr_wire_view_dup_text (wire_view);
  g_assert_nonnull (strstr (text, "C: EHLO wire.test\\n\n"));
  g_assert_nonnull (strstr (text, "bare LF"));
  g_assert_nonnull (strstr (text, "S: 250 DSN\\r\\n\n"));
  g_assert_nonnull (strstr (text, "pipelined"));
  g_assert_nonnull (strstr (text, "\u2502 ..hidden dot\\r\\n\n"));
  g_assert_nonnull (strstr (text, "dot-stuffed"));
  g_assert_nonnull (strstr (text, "\u2502 .\\r\\n\n"));
  g_assert_nonnull (strstr (text, "the lone dot"));
  g_assert_nonnull (strstr (text, "more lines of this reply follow"));
  shoot ("wire-smtp");

  /* The toggle: plain lines, no markers */
  mr_wire_view_set_invisibles (wire_view, FALSE);
  plain = mr_wire_view_dup_text (wire_view);
  g_assert_nonnull (strstr (plain, "C: EHLO wire.test\n"));
  g_assert_null (strstr (plain, "\\r"));
  g_assert_null (strstr (plain, "dot-stuffed"));
  mr_wire_view_set_invisibles (wire_view, TRUE);

  /* The window's Wire page shows the same */
  {
    g_autofree char *page = NULL;

    gtk_widget_activate_action (GTK_WIDGET (window), "win.show-conversation", "t",
                                find_conversation ("EHLO wire.test"));
    page = mr_wire_view_dup_text (mr_window_get_wire_view (window));
    g_assert_nonnull (strstr (page, "dot-stuffed"));
    gtk_widget_activate_action (GTK_WIDGET (window), "win.show-conversation", "t", (guint64) 0);
  }
  mr_wire_view_set_conversation (wire_view, 0);
}

static void
test_wire_imap (void)
{
  g_autoptr(GObject) owner = NULL;
  g_autofree char *text = NULL;
  guint handle;

  owner = open_session (MR_SERVICE_IMAP, &handle);
  g_object_set_data (owner, "want", (gpointer) "* OK");
  g_assert_true (wait_for (output_has, owner, 5000));
  send_and_wait (owner, handle, "a1 CAPABILITY", "a1 OK");
  /* RFC 3501 4.3: a synchronizing literal gets a continuation request */
  send_and_wait (owner, handle, "a2 LOGIN {3}", "+ ");
  send_and_wait (owner, handle, "bob bob", "a2 ");
  send_and_wait (owner, handle, "a3 ID (\"name\" {4}", "+ Ready");
  send_and_wait (owner, handle, "mutt)", "a3 ");
  catch_up ();
  mr_engine_thread_close_session (mr_window_get_engine (window), handle);

  mr_wire_view_set_conversation (wire_view, find_conversation ("a1 CAPABILITY"));
  text = mr_wire_view_dup_text (wire_view);
  mr_wire_view_set_conversation (wire_view, 0);
  g_assert_nonnull (strstr (text, "untagged"));
  g_assert_nonnull (strstr (text, "tagged: the command with this tag is done"));
  g_assert_nonnull (strstr (text, "literal: that many octets follow"));
  g_assert_nonnull (strstr (text, "continuation request"));
}

static void
test_presentation (void)
{
  GtkWidget *state = GTK_WIDGET (mr_window_get_state_view (window));
  int before = 0, after = 0;
  g_autoptr(GObject) owner = NULL;
  guint handle;

  gtk_widget_set_visible (GTK_WIDGET (views_window), FALSE);

  /* Something to look at: a refused RCPT on the State page */
  owner = open_session (MR_SERVICE_SMTP, &handle);
  g_object_set_data (owner, "want", (gpointer) "220");
  g_assert_true (wait_for (output_has, owner, 5000));
  send_and_wait (owner, handle, "EHLO classroom", "250 ");
  send_and_wait (owner, handle, "RCPT TO:<bob@recipient.example>", "503");
  catch_up ();
  mr_window_show_page (window, "state");

  before = pango_font_description_get_size (pango_context_get_font_description (gtk_widget_get_pango_context (state)));
  g_assert_false (gtk_widget_has_css_class (GTK_WIDGET (window), "presentation"));
  gtk_widget_activate_action (GTK_WIDGET (window), "win.presentation", NULL);
  g_assert_true (gtk_widget_has_css_class (GTK_WIDGET (window), "presentation"));
  spin (500);
  /* Large type: the views' font (what they draw their text with) */
  after = pango_font_description_get_size (pango_context_get_font_description (gtk_widget_get_pango_context (state)));
  /* The teacher's pointer highlight */
  {
    double px = 0, py = 0;

    _mr_window_point_at (window, 420, 330);
    g_assert_true (_mr_window_get_pointed_at (window, &px, &py));
    g_assert_cmpfloat (px, >, 0);
    g_assert_cmpfloat (py, >, 0);
  }
  shoot ("presentation");
  g_test_message ("font size %d -> %d (Pango units)", before, after);
  g_assert_cmpint (after, >=, 18 * PANGO_SCALE);
  g_assert_cmpint (after * 10, >=, before * 15);

  /* Keyboard only: digits pick a view, Shift+Space/Space walk the
   * timeline, Esc leaves */
  g_assert_true (_mr_window_presentation_key (window, GDK_KEY_3, 0));
  g_assert_cmpstr (mr_window_get_page (window), ==, "transcript");
  g_assert_true (_mr_window_presentation_key (window, GDK_KEY_1, 0));
  g_assert_cmpstr (mr_window_get_page (window), ==, "map");
  g_assert_false (_mr_window_presentation_key (window, GDK_KEY_space, 0));   /* live: the engine steps */
  g_assert_true (_mr_window_presentation_key (window, GDK_KEY_space, GDK_SHIFT_MASK));
  g_assert_false (mr_timeline_get_live (mr_window_get_timeline (window)));
  {
    guint64 back = mr_timeline_get_cursor (mr_window_get_timeline (window));

    g_assert_true (_mr_window_presentation_key (window, GDK_KEY_space, GDK_SHIFT_MASK));
    g_assert_cmpuint (mr_timeline_get_cursor (mr_window_get_timeline (window)), <, back);
    g_assert_true (_mr_window_presentation_key (window, GDK_KEY_space, 0));
    g_assert_cmpuint (mr_timeline_get_cursor (mr_window_get_timeline (window)), ==, back);
  }
  mr_timeline_go_live (mr_window_get_timeline (window));
  g_assert_true (_mr_window_presentation_key (window, GDK_KEY_Escape, 0));
  g_assert_false (gtk_widget_has_css_class (GTK_WIDGET (window), "presentation"));
  g_assert_false (_mr_window_get_pointed_at (window, NULL, NULL));
  /* Out of presentation mode digits are text again */
  g_assert_false (_mr_window_presentation_key (window, GDK_KEY_3, 0));
  mr_engine_thread_close_session (mr_window_get_engine (window), handle);
  spin (300);
  gtk_widget_set_visible (GTK_WIDGET (views_window), TRUE);
  spin (300);
}

static gboolean
task_done (gpointer data)
{
  return *(gboolean *) data;
}

static void
fault_cb (GObject      *object,
          GAsyncResult *result,
          gpointer      user_data)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (mr_engine_thread_set_fault_finish (MR_ENGINE_THREAD (object), result, &error));
  g_assert_no_error (error);
  *(gboolean *) user_data = TRUE;
}

static void
send_cb (GObject      *object,
         GAsyncResult *result,
         gpointer      user_data)
{
  g_autofree char *summary = mr_engine_thread_send_finish (MR_ENGINE_THREAD (object), result, NULL);

  *(gboolean *) user_data = TRUE;
}

static gboolean
queue_has (gpointer data)
{
  g_autofree char *text = mr_inspector_view_dup_queue_text (inspector);

  mr_inspector_view_refresh (inspector);
  return strstr (text, data) != NULL;
}

static gboolean
dns_has (gpointer data)
{
  g_autofree char *text = mr_inspector_view_dup_dns_text (inspector);

  mr_inspector_view_refresh (inspector);
  return strstr (text, data) != NULL;
}

static gboolean
dns_lacks (gpointer data)
{
  g_autofree char *text = mr_inspector_view_dup_dns_text (inspector);

  mr_inspector_view_refresh (inspector);
  return mr_inspector_view_get_n_refreshes (inspector) > 0 && strstr (text, data) == NULL;
}

static void
test_inspector_greylisting (void)
{
  MrEngineThread *engine = mr_window_get_engine (window);
  static const char * const to[] = { "bob@recipient.example", NULL };
  gboolean done = FALSE;
  g_autofree char *queue = NULL;

  show_view ("inspector");
  mr_inspector_view_set_engine (inspector, engine);

  /* Greylisting on mx1 (RFC 6647): the relay's first attempt gets a 451 */
  mr_engine_thread_set_fault_async (engine, "greylisting", "mx1.recipient.example", TRUE, NULL, fault_cb, &done);
  g_assert_true (wait_for (task_done, &done, 5000));
  done = FALSE;
  mr_engine_thread_send_async (engine, MR_SERVICE_SUBMISSION, "alice-laptop", "alice@sender.example", "alice",
                               "alice@sender.example", to, "Greylisted", "Try again later.", NULL,
                               send_cb, &done);
  g_assert_true (wait_for (task_done, &done, 10000));

  g_assert_true (wait_for (queue_has, (gpointer) "451", 15000));
  queue = mr_inspector_view_dup_queue_text (inspector);
  g_test_message ("%s", queue);
  g_assert_nonnull (strstr (queue, "bob@recipient.example"));
  g_assert_nonnull (strstr (queue, "deferred"));
  g_assert_nonnull (strstr (queue, "attempts 1"));
  g_assert_nonnull (strstr (queue, "next retry in "));
  shoot ("inspector-greylisting");

  done = FALSE;
  mr_engine_thread_set_fault_async (engine, "greylisting", "mx1.recipient.example", FALSE, NULL, fault_cb, &done);
  g_assert_true (wait_for (task_done, &done, 5000));
}

static gboolean
page_refreshed (gpointer data)
{
  return mr_inspector_view_get_n_refreshes (mr_window_get_inspector_view (window)) > GPOINTER_TO_UINT (data);
}

static void
test_inspector_dns (void)
{
  mr_inspector_view_set_engine (inspector, mr_window_get_engine (window));
  g_assert_true (wait_for (dns_has, (gpointer) "recipient.example MX 20 mx2.recipient.example", 5000));

  /* RFC 5321 5.1: lower preference first: make mx2 the primary */
  mr_inspector_view_edit_mx (inspector, "recipient.example", "mx2.recipient.example", 5);
  g_assert_true (wait_for (dns_has, (gpointer) "recipient.example MX 5 mx2.recipient.example", 5000));
  mr_inspector_view_edit_mx (inspector, "recipient.example", "mx2.recipient.example", -1);
  g_assert_true (wait_for (dns_lacks, (gpointer) "MX 5 mx2.recipient.example", 5000));
  g_assert_true (dns_has ((gpointer) "recipient.example MX 10 mx1.recipient.example"));

  /* The window's Inspector page has the engine too */
  {
    MrInspectorView *page = mr_window_get_inspector_view (window);
    guint n = mr_inspector_view_get_n_refreshes (page);

    mr_window_show_page (window, "inspector");
    mr_inspector_view_refresh (page);
    g_assert_true (wait_for (page_refreshed, GUINT_TO_POINTER (n), 5000));
    mr_window_show_page (window, "map");
  }

  /* Put it back for the other tests */
  mr_inspector_view_edit_mx (inspector, "recipient.example", "mx2.recipient.example", 20);
  g_assert_true (wait_for (dns_has, (gpointer) "recipient.example MX 20 mx2.recipient.example", 5000));
}

static void
test_received_parse (void)
{
  static const char message[] =
    "Received: from smtp.sender.example (smtp.sender.example [192.0.2.25])\r\n"
    "\tby mx1.recipient.example with ESMTPS id 1AB; Mon, 23 Nov 2026 10:00:02 +0000\r\n"
    "X-Other: folded\r\n"
    " Received: by nobody\r\n"
    "received: from alice-laptop (unknown [127.0.0.1])\r\n"
    "\tby smtp.sender.example with ESMTPSA id 0CD\r\n"
    "\tfor <bob@recipient.example>; Mon, 23 Nov 2026 10:00:01 +0000\r\n"
    "Subject: hi\r\n"
    "\r\n"
    "Received: from body (not a header)\r\n";
  static const char *hostile[] = {
    "", "Received:", "Received: from", "Received: by ;", "Received: ;;;;",
    "\r\n\r\n", "Received: from \xff\xfe by \xc3", "Received:\n\tfrom x\n\tby y; date",
  };
  g_autoptr(GPtrArray) hops = mr_received_parse_hops (message, strlen (message));
  g_autoptr(GString) many = g_string_new (NULL);
  g_autoptr(GPtrArray) capped = NULL;
  MrReceivedHop *hop;

  g_assert_cmpuint (hops->len, ==, 2);
  hop = g_ptr_array_index (hops, 0);           /* the oldest hop first */
  g_assert_cmpstr (hop->from, ==, "alice-laptop");
  g_assert_cmpstr (hop->by, ==, "smtp.sender.example");
  g_assert_cmpstr (hop->with, ==, "ESMTPSA");
  g_assert_cmpstr (hop->id, ==, "0CD");
  g_assert_cmpstr (hop->date, ==, "Mon, 23 Nov 2026 10:00:01 +0000");
  hop = g_ptr_array_index (hops, 1);
  g_assert_cmpstr (hop->from, ==, "smtp.sender.example");
  g_assert_cmpstr (hop->by, ==, "mx1.recipient.example");
  g_assert_cmpstr (hop->with, ==, "ESMTPS");

  /* Not NUL-terminated: a prefix parses as far as it goes */
  g_clear_pointer (&hops, g_ptr_array_unref);
  hops = mr_received_parse_hops (message, 60);
  g_assert_cmpuint (hops->len, ==, 1);
  g_assert_null (((MrReceivedHop *) g_ptr_array_index (hops, 0))->by);

  for (guint i = 0; i < G_N_ELEMENTS (hostile); i++)
    {
      g_autoptr(GPtrArray) h = mr_received_parse_hops (hostile[i], strlen (hostile[i]));
      g_assert_cmpuint (h->len, <=, 1);
    }

  /* At most 100 hops, however many lines a hostile message carries */
  for (guint i = 0; i < 5000; i++)
    g_string_append (many, "Received: from a by b; x\r\n");
  capped = mr_received_parse_hops (many->str, many->len);
  g_assert_cmpuint (capped->len, ==, 100);
}

static gboolean
trace_has_mx (gpointer data)
{
  GStrv hosts = mr_received_trace_get_hosts (data);

  return hosts != NULL && g_strv_length (hosts) >= 3 &&
         g_strcmp0 (hosts[g_strv_length (hosts) - 1], "mx1.recipient.example") == 0;
}

static void
test_received_trace (void)
{
  MrEngineThread *engine = mr_window_get_engine (window);
  MrReceivedTrace *trace = mr_inspector_view_get_trace (inspector);
  static const char * const to[] = { "bob@recipient.example", NULL };
  gboolean done = FALSE;
  GStrv hosts;

  show_view ("inspector");
  mr_inspector_view_set_model (inspector, mr_window_get_event_model (window));
  mr_engine_thread_send_async (engine, MR_SERVICE_SUBMISSION, "alice-laptop", "alice@sender.example", "alice",
                               "alice@sender.example", to, "Trace me", "Hop by hop.", NULL, send_cb, &done);
  g_assert_true (wait_for (task_done, &done, 10000));
  g_assert_true (wait_for (trace_has_mx, trace, 15000));
  catch_up ();
  hosts = mr_received_trace_get_hosts (trace);
  g_assert_cmpuint (g_strv_length (hosts), ==, 3);
  /* The first hop names the client by its EHLO (RFC 5321 4.4 "from") */
  g_assert_cmpstr (hosts[0], ==, "alice-laptop");
  g_assert_cmpstr (hosts[1], ==, "smtp.sender.example");
  g_assert_cmpstr (hosts[2], ==, "mx1.recipient.example");
  shoot ("inspector-trace");

  /* The window's Inspector page traces the same message */
  hosts = mr_received_trace_get_hosts (mr_inspector_view_get_trace (mr_window_get_inspector_view (window)));
  g_assert_nonnull (hosts);
  g_assert_cmpstr (hosts[g_strv_length (hosts) - 1], ==, "mx1.recipient.example");

  /* "Draw on the Map": the path hop by hop on the map, until switched off */
  {
    MrInspectorView *window_inspector = mr_window_get_inspector_view (window);
    MrMapView *map = mr_window_get_map_view (window);
    const char * const *route;

    g_assert_null (mr_map_view_get_route (map));
    mr_inspector_view_set_trace_on_map (window_inspector, TRUE);
    route = mr_map_view_get_route (map);
    g_assert_nonnull (route);
    g_assert_true (g_strv_equal (route, (const char * const *) hosts));
    g_assert_cmpuint (g_strv_length ((GStrv) route), ==, 3);
    gtk_widget_set_visible (GTK_WIDGET (views_window), FALSE);
    mr_window_show_page (window, "map");
    shoot ("map-route");
    gtk_widget_set_visible (GTK_WIDGET (views_window), TRUE);
    mr_inspector_view_set_trace_on_map (window_inspector, FALSE);
    g_assert_null (mr_map_view_get_route (map));
  }
}

/* Scrubbing a 100,000-event session: stepping back rebuilds the past
 * model; it has to stay well under a frame budget per key press. */
static void
test_timeline_100k (void)
{
  g_autoptr(MrEventModel) model = mr_event_model_new ();
  g_autoptr(GPtrArray) batch = g_ptr_array_new_with_free_func ((GDestroyNotify) mr_event_unref);
  MrTimeline *timeline = MR_TIMELINE (g_object_ref_sink (mr_timeline_new ()));
  gint64 start, elapsed, worst = 0;

  for (guint i = 0; i < 100000; i++)
    {
      MrEvent *event = mr_event_new (MR_EVENT_LINE, i % 2 ? MR_DIRECTION_TO_CLIENT : MR_DIRECTION_TO_SERVER, "NOOP");

      event->seq = i + 1;
      event->conversation_id = 1 + i / 10;
      g_ptr_array_add (batch, event);
    }
  mr_event_model_append (model, batch);
  mr_timeline_set_model (timeline, model);

  for (guint i = 0; i < 20; i++)
    {
      start = g_get_monotonic_time ();
      mr_timeline_step_back (timeline);
      elapsed = g_get_monotonic_time () - start;
      worst = MAX (worst, elapsed);
    }
  g_assert_cmpuint (mr_timeline_get_cursor (timeline), ==, 100000 - 20);
  start = g_get_monotonic_time ();
  mr_timeline_set_cursor (timeline, 50000);
  elapsed = g_get_monotonic_time () - start;
  g_test_message ("100k events: worst step back %" G_GINT64_FORMAT " us, jump to the middle %" G_GINT64_FORMAT " us",
                  worst, elapsed);
  g_assert_cmpuint (mr_event_model_get_n_events (mr_timeline_get_shown_model (timeline)), ==, 50000);
  g_assert_cmpint (worst, <, 200 * 1000);
  g_object_unref (timeline);
}

static void
test_state_verb_table (void)
{
  g_assert_cmpstr (mr_state_view_target_for_verb (MR_PROTOCOL_SMTP, "rcpt"), ==, "rcpt");
  g_assert_cmpstr (mr_state_view_target_for_verb (MR_PROTOCOL_SMTP, "NOOP"), ==, NULL);
  g_assert_cmpstr (mr_state_view_target_for_verb (MR_PROTOCOL_POP3, "QUIT"), ==, "update");
  g_assert_cmpstr (mr_state_view_target_for_verb (MR_PROTOCOL_IMAP, "QUIT"), ==, NULL);
  g_assert_cmpstr (mr_state_view_target_for_verb (MR_PROTOCOL_IMAP, NULL), ==, NULL);
  g_assert_cmpstr (mr_state_view_target_for_verb (MR_PROTOCOL_HTTP, "GET"), ==, NULL);
}

int
main (int   argc,
      char *argv[])
{
  int ret;

  gtk_test_init (&argc, &argv, NULL);
  adw_init ();

  app = mr_application_new ();
  g_application_register (G_APPLICATION (app), NULL, NULL);
  window = mr_application_ensure_window (app);
  gtk_window_present (GTK_WINDOW (window));

  /* The views under test in a window of their own, over the main
   * window's event model (fed from the engine's bus on the frame clock). */
  views_window = GTK_WINDOW (gtk_window_new ());
  gtk_window_set_default_size (views_window, 1000, 520);
  views_stack = GTK_STACK (gtk_stack_new ());
  gtk_window_set_child (views_window, GTK_WIDGET (views_stack));
  state_view = MR_STATE_VIEW (mr_state_view_new ());
  mr_state_view_set_model (state_view, mr_window_get_event_model (window));
  gtk_stack_add_named (views_stack, GTK_WIDGET (state_view), "state");
  eavesdropper = MR_EAVESDROPPER_VIEW (mr_eavesdropper_view_new ());
  mr_eavesdropper_view_set_model (eavesdropper, mr_window_get_event_model (window));
  gtk_stack_add_named (views_stack, GTK_WIDGET (eavesdropper), "eavesdropper");
  wire_view = MR_WIRE_VIEW (mr_wire_view_new ());
  mr_wire_view_set_model (wire_view, mr_window_get_event_model (window));
  gtk_stack_add_named (views_stack, GTK_WIDGET (wire_view), "wire");
  inspector = MR_INSPECTOR_VIEW (mr_inspector_view_new ());
  gtk_stack_add_named (views_stack, GTK_WIDGET (inspector), "inspector");
  gtk_window_present (views_window);

  g_test_add_func ("/views/state/verb-table", test_state_verb_table);
  g_test_add_func ("/views/state/rcpt-before-mail", test_state_rcpt_before_mail);
  g_test_add_func ("/views/state/pop3-imap", test_state_pop3_imap);
  g_test_add_func ("/views/timeline/scrub", test_timeline_scrub);
  g_test_add_func ("/views/timeline/100k", test_timeline_100k);
  g_test_add_func ("/views/eavesdropper/leaks", test_eavesdropper_leaks);
  g_test_add_func ("/views/eavesdropper/starttls", test_eavesdropper_starttls);
  g_test_add_func ("/views/export", test_export);
  g_test_add_func ("/views/inspector/greylisting", test_inspector_greylisting);
  g_test_add_func ("/views/inspector/dns", test_inspector_dns);
  g_test_add_func ("/views/inspector/received-parse", test_received_parse);
  g_test_add_func ("/views/inspector/received-trace", test_received_trace);
  g_test_add_func ("/views/presentation", test_presentation);
  g_test_add_func ("/views/wire/smtp", test_wire_smtp);
  g_test_add_func ("/views/wire/imap", test_wire_imap);

  ret = g_test_run ();

  /* Unmapped before it goes: a GTK 4.8 unmap handler warns when it runs
   * on a window already being destroyed. */
  gtk_widget_set_visible (GTK_WIDGET (views_window), FALSE);
  spin (200);
  gtk_window_destroy (views_window);
  gtk_window_destroy (GTK_WINDOW (window));
  mr_engine_thread_stop (mr_application_get_engine (app));
  g_clear_object (&app);

  return ret;
}
