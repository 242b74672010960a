/* test-window.c
 *
 * Copyright 2026 The Mailroom authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "test-window"

#include "config.h"

#include <stdlib.h>

#define G_SETTINGS_ENABLE_BACKEND
#include <gio/gsettingsbackend.h>
#include <gtk/gtk.h>
#include <string.h>

#include "mr-application.h"
#include "mr-compose-view.h"
#include "mr-console.h"
#include "mr-conversation.h"
#include "mr-engine-thread.h"
#include "mr-event-bus.h"
#include "mr-event-model.h"
#include "mr-faults-view.h"
#include "mr-ladder-view.h"
#include "mr-mailbox-view.h"
#include "mr-map-view.h"
#include "mr-topology.h"
#include "mr-transcript-view.h"
#include "mr-window.h"
#include "mr-window-private.h"

static MrApplication *app;
static MrWindow *window;
static gint64 start_time;
static gint64 first_frame_time;

/* Spins the main loop until @cond holds or @timeout_ms pass. */
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

static MrEventBus *
bus (void)
{
  return mr_engine_thread_get_bus (mr_window_get_engine (window));
}

/* Emits a line as a session would (the bus is thread-safe). */
static void
emit_line (MrConversation *conversation,
           MrDirection     direction,
           const char     *text,
           const char     *verb,
           guint           code)
{
  MrEvent *event = mr_conversation_new_event (conversation, MR_EVENT_LINE, direction, text);

  if (verb != NULL)
    mr_event_set_verb (event, verb);
  if (code != 0)
    mr_event_set_reply (event, code, NULL);
  if (code >= 400)
    event->flags |= MR_EVENT_FLAG_ERROR;
  mr_conversation_emit (conversation, event);
}

/* With MAILROOM_SCREENSHOT_DIR set, keeps a picture of the window there
 * (how data/screenshots/ is made). */
static void
maybe_screenshot (const char *name)
{
  const char *dir = g_getenv ("MAILROOM_SCREENSHOT_DIR");
  g_autofree char *path = NULL;
  g_autofree char *command = NULL;
  g_autofree char *import = g_find_program_in_path ("import");

  if (dir == NULL || import == NULL)
    return;

  spin (400);
  path = g_build_filename (dir, name, NULL);
  command = g_strdup_printf ("import -window root -crop 1200x760+0+0 +repage %s", path);
  g_spawn_command_line_sync (command, NULL, NULL, NULL, NULL);
}

static gboolean
n_events_at_least (gpointer data)
{
  return mr_window_get_n_events (window) >= GPOINTER_TO_UINT (data);
}

/* ------------------------------------------------------------------ */

static void
test_dot_stuff (void)
{
  static const struct { const char *in; const char *out; } table[] = {
    { "", "" },
    { "hello", "hello\r\n" },
    { "a\nb\n", "a\r\nb\r\n" },
    { "a\r\nb", "a\r\nb\r\n" },
    { ".", "..\r\n" },
    { ".\n.x\n..\n", "..\r\n..x\r\n...\r\n" },
    { "x.\n y", "x.\r\n y\r\n" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (table); i++)
    {
      g_autofree char *out = mr_dot_stuff (table[i].in);
      g_assert_cmpstr (out, ==, table[i].out);
    }
}

static void
test_console_completion (void)
{
  static const struct { MrProtocol protocol; const char *in; const char *out; } table[] = {
    { MR_PROTOCOL_SMTP, "eh", "EHLO " },
    { MR_PROTOCOL_SMTP, "MA", "MAIL FROM:<" },
    { MR_PROTOCOL_SMTP, "rc", "RCPT TO:<" },
    { MR_PROTOCOL_SMTP, "", NULL },
    { MR_PROTOCOL_SMTP, "zz", NULL },
    { MR_PROTOCOL_SMTP, "R", NULL },             /* RCPT or RSET: ambiguous */
    { MR_PROTOCOL_POP3, "re", "RETR " },
    { MR_PROTOCOL_IMAP, "a1 sel", "a1 SELECT " },
    { MR_PROTOCOL_IMAP, "sel", NULL },           /* the tag comes first */
    { MR_PROTOCOL_IMAP, "a1 lo", "a1 LOG" },     /* LOGIN or LOGOUT: common part only */
    { MR_PROTOCOL_IMAP, "a1 LOG", NULL },
  };

  for (guint i = 0; i < G_N_ELEMENTS (table); i++)
    {
      g_autofree char *out = mr_console_complete (table[i].protocol, table[i].in);
      g_assert_cmpstr (out, ==, table[i].out);
    }
}

static void
test_topology (void)
{
  g_autoptr(MrTopology) topology = mr_topology_new ();
  g_autoptr(GError) error = NULL;
  g_autoptr(MrEvent) event = NULL;
  const MrHost *alice, *msa, *bob;
  int client, server;

  g_assert_true (mr_topology_load_json (topology, mr_engine_thread_get_scenario_json (mr_window_get_engine (window)), &error));
  g_assert_no_error (error);
  g_assert_cmpuint (mr_topology_get_n_hosts (topology), >=, 5);

  alice = mr_topology_get_host (topology, mr_topology_lookup (topology, "alice-laptop"));
  msa = mr_topology_get_host (topology, mr_topology_lookup (topology, "smtp.sender.example"));
  bob = mr_topology_get_host (topology, mr_topology_lookup (topology, "bob-laptop"));
  /* The message's path runs left to right: sender, MSA, ..., reader. */
  g_assert_cmpfloat (alice->x, <, msa->x);
  g_assert_cmpfloat (msa->x, <, bob->x);

  /* A telnet client on loopback becomes one host, whatever its port. */
  event = mr_event_new (MR_EVENT_LINE, MR_DIRECTION_TO_SERVER, "EHLO x");
  event->client = g_strdup ("127.0.0.1:40000");
  event->server = g_strdup ("mx1.recipient.example");
  g_assert_true (mr_topology_learn (topology, event, &client, &server));
  g_assert_cmpint (client, >=, 0);
  g_assert_cmpint (server, ==, mr_topology_lookup (topology, "mx1.recipient.example"));
  g_assert_cmpint (mr_topology_lookup (topology, "127.0.0.1:50000"), ==, client);
  g_assert_false (mr_topology_learn (topology, event, NULL, NULL));

  /* Garbage does not crash the loader. */
  g_assert_false (mr_topology_load_json (topology, "{", &error));
  g_clear_error (&error);
  g_assert_false (mr_topology_load_json (topology, "[1,2]", &error));
  g_clear_error (&error);
  g_assert_true (mr_topology_load_json (topology, "{\"hosts\":[{\"role\":\"mx\"},{\"name\":\"x\"}],\"links\":[[\"x\"],[\"x\",\"nope\"]]}", &error));
  g_assert_no_error (error);
}

static void
test_window_actions (void)
{
  GSettings *settings = mr_application_get_settings (app);
  g_autofree char *theme = NULL;

  g_assert_nonnull (window);
  gtk_widget_activate_action (GTK_WIDGET (window), "win.show-page", "s", "map");
  g_assert_cmpstr (mr_window_get_page (window), ==, "map");

  /* Pages through win.show-page */
  gtk_widget_activate_action (GTK_WIDGET (window), "win.show-page", "s", "ladder");
  g_assert_cmpstr (mr_window_get_page (window), ==, "ladder");
  gtk_widget_activate_action (GTK_WIDGET (window), "win.show-page", "s", "no-such-page");
  g_assert_cmpstr (mr_window_get_page (window), ==, "ladder");
  gtk_widget_activate_action (GTK_WIDGET (window), "win.show-page", "s", "map");

  /* Dark mode through app.theme (bound to GSettings) */
  g_assert_nonnull (settings);
  g_action_group_activate_action (G_ACTION_GROUP (app), "theme", g_variant_new_string ("dark"));
  theme = g_settings_get_string (settings, "theme");
  g_assert_cmpstr (theme, ==, "dark");
  g_assert_true (adw_style_manager_get_dark (adw_style_manager_get_default ()));
  g_action_group_activate_action (G_ACTION_GROUP (app), "theme", g_variant_new_string ("light"));
  g_assert_false (adw_style_manager_get_dark (adw_style_manager_get_default ()));

  /* Speed */
  gtk_widget_activate_action (GTK_WIDGET (window), "win.faster", NULL);
  g_assert_cmpfloat (mr_map_view_get_speed (mr_window_get_map_view (window)), ==, 2.0);
  gtk_widget_activate_action (GTK_WIDGET (window), "win.speed", "d", 1.0);
  g_assert_cmpfloat (mr_map_view_get_speed (mr_window_get_map_view (window)), ==, 1.0);

  /* Preferences, About and the shortcuts window open without a warning
   * (fatal under gtk_test_init), and preferences write GSettings. */
  {
    GList *before = gtk_window_list_toplevels ();
    GList *after;
    guint n_before = g_list_length (before);

    g_action_group_activate_action (G_ACTION_GROUP (app), "preferences", NULL);
    g_action_group_activate_action (G_ACTION_GROUP (app), "about", NULL);
    gtk_widget_activate_action (GTK_WIDGET (window), "win.show-help-overlay", NULL);
    spin (300);
    after = gtk_window_list_toplevels ();
    g_assert_cmpuint (g_list_length (after), >=, n_before + 2);
    for (GList *l = after; l != NULL; l = l->next)
      {
        if (ADW_IS_PREFERENCES_WINDOW (l->data))
          {
            /* the SMTP port spin button is bound to smtp-port */
            g_settings_set (settings, "smtp-port", "q", 2626);
            spin (50);
            gtk_window_destroy (l->data);
          }
        else if (ADW_IS_ABOUT_WINDOW (l->data))
          gtk_window_destroy (l->data);
        else if (GTK_IS_SHORTCUTS_WINDOW (l->data))
          gtk_widget_set_visible (l->data, FALSE);   /* the window keeps it for next time */
      }
    g_list_free (before);
    g_list_free (after);
    g_settings_reset (settings, "smtp-port");
  }

  /* The engine listens on loopback and the console tells how to reach it */
  g_assert_cmpstr (mr_engine_thread_get_address (mr_window_get_engine (window)), ==, "127.0.0.1");
}

static void
test_window_events (void)
{
  g_autoptr(MrConversation) conversation =
    mr_conversation_new (bus (), MR_PROTOCOL_SMTP, "alice-laptop", "smtp.sender.example");
  MrTranscriptView *transcript = mr_window_get_transcript_view (window);
  guint before = mr_window_get_n_events (window);
  guint filtered;

  emit_line (conversation, MR_DIRECTION_TO_CLIENT, "220 smtp.sender.example ESMTP", NULL, 220);
  emit_line (conversation, MR_DIRECTION_TO_SERVER, "EHLO alice-laptop", "EHLO", 0);
  emit_line (conversation, MR_DIRECTION_TO_CLIENT, "250 smtp.sender.example", NULL, 250);

  g_assert_true (wait_for (n_events_at_least, GUINT_TO_POINTER (before + 3), 5000));
  g_assert_cmpuint (mr_window_get_n_held (window), ==, 0);
  g_assert_cmpuint (mr_map_view_get_n_envelopes (mr_window_get_map_view (window)), >, 0);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (mr_window_get_event_model (window))), >=, before + 3);

  /* Filter the transcript by conversation, select the 250, read why. */
  mr_transcript_view_set_filter (transcript, MR_PROTOCOL_NONE, conversation->id);
  filtered = g_list_model_get_n_items (mr_transcript_view_get_filtered (transcript));
  g_assert_cmpuint (filtered, ==, 3);
  mr_transcript_view_select (transcript, 2);
  g_assert_cmpuint (strlen (mr_transcript_view_get_explanation (transcript)), >, 10);
  /* Both filters at once: this SMTP conversation has no POP3 lines. */
  mr_transcript_view_set_filter (transcript, MR_PROTOCOL_POP3, conversation->id);
  g_assert_cmpuint (g_list_model_get_n_items (mr_transcript_view_get_filtered (transcript)), ==, 0);
  mr_transcript_view_set_filter (transcript, MR_PROTOCOL_SMTP, conversation->id);
  g_assert_cmpuint (g_list_model_get_n_items (mr_transcript_view_get_filtered (transcript)), ==, filtered);
  mr_transcript_view_set_filter (transcript, MR_PROTOCOL_NONE, 0);
}

static void
test_window_step (void)
{
  g_autoptr(MrConversation) conversation =
    mr_conversation_new (bus (), MR_PROTOCOL_SMTP, "alice-laptop", "smtp.sender.example");
  guint before;

  /* Pause: new lines wait; Space (win.step) shows them one by one. */
  gtk_widget_activate_action (GTK_WIDGET (window), "win.pause", NULL);
  spin (50);
  before = mr_window_get_n_events (window);

  emit_line (conversation, MR_DIRECTION_TO_SERVER, "MAIL FROM:<alice@sender.example>", "MAIL", 0);
  emit_line (conversation, MR_DIRECTION_TO_CLIENT, "250 2.1.0 Ok", NULL, 250);
  emit_line (conversation, MR_DIRECTION_TO_SERVER, "RCPT TO:<nobody@recipient.example>", "RCPT", 0);
  spin (100);
  mr_window_pump (window);

  g_assert_cmpuint (mr_window_get_n_events (window), ==, before);
  g_assert_cmpuint (mr_window_get_n_held (window), ==, 3);

  gtk_widget_activate_action (GTK_WIDGET (window), "win.step", NULL);
  g_assert_cmpuint (mr_window_get_n_events (window), ==, before + 1);
  g_assert_cmpuint (mr_window_get_n_held (window), ==, 2);
  gtk_widget_activate_action (GTK_WIDGET (window), "win.step", NULL);
  g_assert_cmpuint (mr_window_get_n_events (window), ==, before + 2);

  /* Play releases the rest. */
  gtk_widget_activate_action (GTK_WIDGET (window), "win.play-pause", NULL);
  g_assert_true (wait_for (n_events_at_least, GUINT_TO_POINTER (before + 3), 5000));
  g_assert_cmpuint (mr_window_get_n_held (window), ==, 0);
}

static gboolean
console_has_reply (gpointer data)
{
  g_autofree char *output = mr_console_dup_output (mr_window_get_console (window));

  return strstr (output, "\n250") != NULL || strstr (output, "not available") != NULL ||
         strstr (output, "no smtp server") != NULL;
}

static gboolean
console_contains (gpointer data)
{
  g_autofree char *output = mr_console_dup_output (mr_window_get_console (window));

  return strstr (output, data) != NULL;
}

static void
test_console_ehlo (void)
{
  MrConsole *console = mr_window_get_console (window);
  GtkEntry *entry = mr_console_get_entry (console);
  g_autofree char *output = NULL;

  gtk_widget_activate_action (GTK_WIDGET (window), "win.show-page", "s", "console");
  mr_console_set_service (console, MR_SERVICE_SMTP);
  spin (100);

  /* Type it as a learner would, then press Enter. */
  gtk_editable_set_text (GTK_EDITABLE (entry), "EHLO x");
  g_signal_emit_by_name (entry, "activate");
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (entry)), ==, "");

  g_assert_true (wait_for (console_has_reply, NULL, 5000));
  output = mr_console_dup_output (console);
  if (strstr (output, "\n250") == NULL)
    {
      g_test_skip ("no SMTP session in the engine yet");
      return;
    }

  g_assert_nonnull (strstr (output, "EHLO x\n"));
  g_assert_nonnull (strstr (output, "\n220"));
  g_assert_nonnull (strstr (output, "\n250"));
  maybe_screenshot ("console.png");
  if (mr_engine_thread_get_port (mr_window_get_engine (window), MR_SERVICE_SMTP) != 0)
    g_assert_true (g_str_has_prefix (mr_console_get_hint (console), "telnet 127.0.0.1 "));

  /* A bad command gets a 5xx; the console stays usable. (A server may
   * answer errors slowly, as tarpits do: wait for it.) */
  mr_console_send (console, "FOO");
  g_assert_true (wait_for (console_contains, (gpointer) "\n50", 10000));
  mr_console_send (console, "QUIT");
  g_assert_true (wait_for (console_contains, (gpointer) "\n221", 10000));
}

/* The same console speaks POP3 and IMAP (tags and all). */
static void
test_console_pop3_imap (void)
{
  MrConsole *console = mr_window_get_console (window);

  gtk_widget_activate_action (GTK_WIDGET (window), "win.show-page", "s", "console");

  mr_console_set_service (console, MR_SERVICE_POP3);
  g_assert_cmpint (mr_console_get_service (console), ==, MR_SERVICE_POP3);
  g_assert_true (wait_for (console_contains, (gpointer) "+OK", 10000));
  mr_console_send (console, "USER bob@recipient.example");
  mr_console_send (console, "PASS bob");
  mr_console_send (console, "STAT");
  g_assert_true (wait_for (console_contains, (gpointer) "\n+OK 0 ", 10000) ||
                 console_contains ((gpointer) "\n+OK 1 ") || console_contains ((gpointer) "\n+OK 2 "));
  mr_console_send (console, "QUIT");

  mr_console_set_service (console, MR_SERVICE_IMAP);
  g_assert_true (wait_for (console_contains, (gpointer) "* OK", 10000));
  mr_console_send (console, "a1 LOGIN bob@recipient.example bob");
  g_assert_true (wait_for (console_contains, (gpointer) "a1 OK", 10000));
  mr_console_send (console, "a2 SELECT INBOX");
  g_assert_true (wait_for (console_contains, (gpointer) "a2 OK", 10000));
  mr_console_send (console, "a3 LOGOUT");
  g_assert_true (wait_for (console_contains, (gpointer) "* BYE", 10000));

  mr_console_set_service (console, MR_SERVICE_SMTP);
}

static gboolean
compose_done (gpointer data)
{
  return mr_compose_view_get_n_sent (mr_window_get_compose_view (window)) > GPOINTER_TO_UINT (data);
}

static gboolean
bob_has_mail (gpointer data)
{
  MrMailboxView *view = mr_window_get_mailbox_view (window);

  mr_mailbox_view_refresh (view);
  return mr_mailbox_view_count_messages (view, "bob@recipient.example", "INBOX") > GPOINTER_TO_INT (data);
}

static gboolean
mx1_accepted (gpointer data)
{
  return mr_map_view_get_n_accepted (mr_window_get_map_view (window), "mx1.recipient.example") >= 1;
}

static void
test_compose_to_bob (void)
{
  MrComposeView *compose = mr_window_get_compose_view (window);
  MrMailboxView *mailboxes = mr_window_get_mailbox_view (window);
  guint n_sent = mr_compose_view_get_n_sent (compose);
  int before;
  g_autofree char *source = NULL;

  gtk_widget_activate_action (GTK_WIDGET (window), "win.show-page", "s", "mailboxes");
  mr_mailbox_view_refresh (mailboxes);
  spin (200);
  before = mr_mailbox_view_count_messages (mailboxes, "bob@recipient.example", "INBOX");
  g_assert_cmpint (before, >=, 0);

  gtk_widget_activate_action (GTK_WIDGET (window), "win.show-page", "s", "compose");
  /* The map plays each conversation causally; go fast. */
  gtk_widget_activate_action (GTK_WIDGET (window), "win.speed", "d", 60.0);
  /* As alice, through the submission server (AUTH PLAIN), which relays
   * to mx1; straight to the MX, sender.example's DMARC policy would (and
   * does) refuse an unauthenticated alice. */
  mr_compose_view_set_service (compose, MR_SERVICE_SUBMISSION);
  mr_compose_view_set_message (compose, "alice@sender.example", "alice", "bob@recipient.example",
                               "Test from the window", "Hi Bob\n.a dot line\n.\n");
  gtk_widget_activate_action (GTK_WIDGET (compose), "compose.send", NULL);
  g_assert_true (mr_compose_view_get_busy (compose));
  g_assert_true (wait_for (compose_done, GUINT_TO_POINTER (n_sent), 10000));

  if (strstr (mr_compose_view_get_status (compose), "No smtp server") != NULL)
    {
      g_test_skip ("no SMTP session in the engine yet");
      return;
    }
  g_test_message ("compose: %s", mr_compose_view_get_status (compose));
  g_assert_nonnull (strstr (mr_compose_view_get_status (compose), "250"));

  gtk_widget_activate_action (GTK_WIDGET (window), "win.show-page", "s", "mailboxes");
  g_assert_true (wait_for (bob_has_mail, GINT_TO_POINTER (before), 15000));
  g_assert_cmpint (mr_mailbox_view_count_messages (mailboxes, "bob@recipient.example", "INBOX"), ==, before + 1);

  /* The MX took the message: its node on the map carries a badge. */
  g_assert_true (wait_for (mx1_accepted, NULL, 5000));

  g_assert_true (mr_mailbox_view_select_folder (mailboxes, "bob@recipient.example", "INBOX"));
  g_assert_cmpstr (mr_mailbox_view_get_subject (mailboxes, 0), ==, "Test from the window");
  mr_mailbox_view_select_message (mailboxes, 0);
  source = mr_mailbox_view_dup_source (mailboxes);
  maybe_screenshot ("mailboxes.png");
  g_assert_nonnull (strstr (source, "Subject: Test from the window"));
  /* Dot-stuffing was undone by the server (RFC 5321 4.5.2). */
  g_assert_nonnull (strstr (source, "\n.a dot line\n"));
  g_assert_null (strstr (source, "..a dot line"));

  /* Straight to the MX, an unknown user is refused at RCPT: nothing is
   * sent. */
  mr_compose_view_set_service (compose, MR_SERVICE_SMTP);
  n_sent = mr_compose_view_get_n_sent (compose);
  mr_compose_view_set_message (compose, NULL, NULL, "nobody@recipient.example", "x", "x");
  mr_compose_view_send (compose);
  g_assert_true (wait_for (compose_done, GUINT_TO_POINTER (n_sent), 10000));
  g_test_message ("compose: %s", mr_compose_view_get_status (compose));
  g_assert_nonnull (strstr (mr_compose_view_get_status (compose), "Not sent"));
  gtk_widget_activate_action (GTK_WIDGET (window), "win.speed", "d", 1.0);
}

static gboolean
faults_done (gpointer data)
{
  return mr_faults_view_get_n_done (mr_window_get_faults_view (window)) >= GPOINTER_TO_UINT (data);
}

static gboolean
transcript_has_code (gpointer data)
{
  GListModel *lines = mr_transcript_view_get_filtered (mr_window_get_transcript_view (window));
  guint n = g_list_model_get_n_items (lines);

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(MrEventItem) item = g_list_model_get_item (lines, i);

      if (mr_event_item_get_event (item)->code == GPOINTER_TO_UINT (data))
        return TRUE;
    }
  return FALSE;
}

/* Whether the map badges fault @data on host "host" (object data). */
static gboolean
map_badges (const char *host,
            const char *fault)
{
  g_auto(GStrv) names = mr_map_view_dup_faults_on (mr_window_get_map_view (window), host);

  return g_strv_contains ((const char * const *) names, fault);
}

static gboolean
map_badge_unknown_user (gpointer data)
{
  return map_badges ("mx1.recipient.example", "unknown-user") == GPOINTER_TO_INT (data);
}

static gboolean
map_badge_greylisting (gpointer data)
{
  return map_badges ("mx1.recipient.example", "greylisting") == GPOINTER_TO_INT (data);
}

static void
test_fault_unknown_user (void)
{
  MrFaultsView *faults = mr_window_get_faults_view (window);
  MrConsole *console = mr_window_get_console (window);
  MrTranscriptView *transcript = mr_window_get_transcript_view (window);
  guint done = mr_faults_view_get_n_done (faults);
  g_autofree char *output = NULL;

  gtk_widget_activate_action (GTK_WIDGET (window), "win.show-page", "s", "faults");
  /* bob exists, but the fault says otherwise: RCPT gets 550 5.1.1. */
  mr_faults_view_set_target (faults, "bob@recipient.example");
  mr_faults_view_set_active (faults, "unknown-user", TRUE);
  g_assert_true (wait_for (faults_done, GUINT_TO_POINTER (done + 1), 5000));

  /* The map badges the servers that check bob's address at RCPT: the MXs
   * of his domain; not his mailbox server, not another domain's. */
  g_assert_true (wait_for (map_badge_unknown_user, GINT_TO_POINTER (TRUE), 5000));
  g_assert_true (map_badges ("mx2.recipient.example", "unknown-user"));
  g_assert_false (map_badges ("mail.recipient.example", "unknown-user"));
  g_assert_false (map_badges ("smtp.sender.example", "unknown-user"));
  g_assert_false (map_badges ("alice-laptop", "unknown-user"));

  gtk_widget_activate_action (GTK_WIDGET (window), "win.show-page", "s", "console");
  mr_console_set_service (console, MR_SERVICE_SMTP);
  mr_console_reconnect (console);
  mr_console_send (console, "EHLO fault.test");
  mr_console_send (console, "MAIL FROM:<alice@sender.example>");
  mr_console_send (console, "RCPT TO:<bob@recipient.example>");
  g_assert_true (wait_for (console_contains, (gpointer) "\n550", 10000));
  output = mr_console_dup_output (console);
  g_test_message ("%s", output);

  /* ... and the transcript shows the code, explained. */
  mr_transcript_view_set_filter (transcript, MR_PROTOCOL_SMTP, 0);
  g_assert_true (wait_for (transcript_has_code, GUINT_TO_POINTER (550), 5000));
  {
    GListModel *lines = mr_transcript_view_get_filtered (transcript);

    for (guint i = g_list_model_get_n_items (lines); i > 0; i--)
      {
        g_autoptr(MrEventItem) item = g_list_model_get_item (lines, i - 1);

        if (mr_event_item_get_event (item)->code == 550)
          {
            mr_transcript_view_select (transcript, i - 1);
            break;
          }
      }
    g_assert_nonnull (strstr (mr_transcript_view_get_explanation (transcript), "5.1.1") ||
                      strlen (mr_transcript_view_get_explanation (transcript)) > 20 ? "ok" : NULL);
    gtk_widget_activate_action (GTK_WIDGET (window), "win.show-page", "s", "transcript");
    maybe_screenshot ("transcript.png");
    gtk_widget_activate_action (GTK_WIDGET (window), "win.show-page", "s", "faults");
    maybe_screenshot ("faults.png");
  }
  mr_transcript_view_set_filter (transcript, MR_PROTOCOL_NONE, 0);

  mr_faults_view_set_active (faults, "unknown-user", FALSE);
  g_assert_true (wait_for (faults_done, GUINT_TO_POINTER (done + 2), 5000));
  g_assert_true (wait_for (map_badge_unknown_user, GINT_TO_POINTER (FALSE), 5000));
  g_assert_false (map_badges ("mx2.recipient.example", "unknown-user"));
  mr_console_send (console, "RSET");
  mr_console_send (console, "MAIL FROM:<alice@sender.example>");
  mr_console_send (console, "RCPT TO:<bob@recipient.example>");
  g_assert_true (wait_for (console_contains, (gpointer) "250 2.1.5 Ok\n", 10000));
}

static gboolean
queue_at_least (gpointer data)
{
  return mr_engine_thread_get_queue_length (mr_window_get_engine (window)) >= GPOINTER_TO_UINT (data);
}

static gboolean
queue_empty (gpointer data)
{
  return mr_engine_thread_get_queue_length (mr_window_get_engine (window)) == 0;
}

/* Alice submits, mx1 greylists (451), the message waits in the relay
 * queue; fast-forward jumps the virtual clock to the retry and it lands in
 * bob's INBOX. */
static void
test_relay_greylist_fast_forward (void)
{
  MrFaultsView *faults = mr_window_get_faults_view (window);
  MrComposeView *compose = mr_window_get_compose_view (window);
  MrMailboxView *mailboxes = mr_window_get_mailbox_view (window);
  guint done = mr_faults_view_get_n_done (faults);
  guint n_sent = mr_compose_view_get_n_sent (compose);
  int before;

  if (mr_engine_thread_get_relay_host (mr_window_get_engine (window)) == NULL)
    {
      g_test_skip ("no relay in this build");
      return;
    }

  gtk_widget_activate_action (GTK_WIDGET (window), "win.speed", "d", 60.0);
  mr_mailbox_view_refresh (mailboxes);
  spin (200);
  before = mr_mailbox_view_count_messages (mailboxes, "bob@recipient.example", "INBOX");

  mr_faults_view_set_target (faults, "mx1.recipient.example");
  mr_faults_view_set_active (faults, "greylisting", TRUE);
  g_assert_true (wait_for (faults_done, GUINT_TO_POINTER (done + 1), 5000));
  /* A badge on mx1 only: the fault was aimed at that host. */
  g_assert_true (wait_for (map_badge_greylisting, GINT_TO_POINTER (TRUE), 5000));
  g_assert_false (map_badges ("mx2.recipient.example", "greylisting"));
  g_assert_false (map_badges ("smtp.sender.example", "greylisting"));

  mr_compose_view_set_service (compose, MR_SERVICE_SUBMISSION);
  mr_compose_view_set_message (compose, "alice@sender.example", "alice", "bob@recipient.example",
                               "Greylisted", "Patience.\n");
  mr_compose_view_send (compose);
  g_assert_true (wait_for (compose_done, GUINT_TO_POINTER (n_sent), 10000));
  g_test_message ("compose: %s", mr_compose_view_get_status (compose));
  g_assert_nonnull (strstr (mr_compose_view_get_status (compose), "250"));

  /* The relay tried mx1, got 451 and keeps the message. */
  g_assert_true (wait_for (queue_at_least, GUINT_TO_POINTER (1), 10000));
  g_assert_true (wait_for (transcript_has_code, GUINT_TO_POINTER (451), 5000));
  gtk_widget_activate_action (GTK_WIDGET (window), "win.show-page", "s", "map");
  maybe_screenshot ("map-greylisting.png");

  /* Fast-forward to the retry (greylisting lets it through then). */
  for (guint i = 0; i < 20 && !queue_empty (NULL); i++)
    {
      gtk_widget_activate_action (GTK_WIDGET (window), "win.fast-forward", NULL);
      spin (300);
    }
  g_assert_true (wait_for (queue_empty, NULL, 10000));
  g_assert_true (wait_for (bob_has_mail, GINT_TO_POINTER (before), 5000));

  mr_faults_view_set_active (faults, "greylisting", FALSE);
  g_assert_true (wait_for (faults_done, GUINT_TO_POINTER (done + 2), 5000));
  g_assert_true (wait_for (map_badge_greylisting, GINT_TO_POINTER (FALSE), 5000));
  mr_faults_view_set_target (faults, "");
  gtk_widget_activate_action (GTK_WIDGET (window), "win.speed", "d", 1.0);
}

static void
sent_cb (GObject      *object,
         GAsyncResult *result,
         gpointer      user_data)
{
  char **summary = user_data;
  g_autoptr(GError) error = NULL;

  *summary = mr_engine_thread_send_finish (MR_ENGINE_THREAD (object), result, &error);
  if (*summary == NULL)
    *summary = g_strdup (error->message);
}

static gboolean
string_set (gpointer data)
{
  return *(char **) data != NULL;
}

/* Preferences' classroom switch: the servers listen on the LAN, the web
 * view names the addresses students open (never 0.0.0.0), the teacher
 * token is there; without the switch a LAN address falls back to loopback
 * (safe by default). The window's Classroom Access text says it all. */
static void
test_engine_classroom (void)
{
  g_autoptr(GSettingsBackend) backend = g_memory_settings_backend_new ();
  g_autoptr(GSettings) settings = g_settings_new_with_backend (APP_ID, backend);
  g_autoptr(GError) error = NULL;
  const char * const services[] = { "smtp-port", "submission-port", "pop3-port", "imap-port", "web-port" };
  g_autofree char *text = NULL;

  for (guint i = 0; i < G_N_ELEMENTS (services); i++)
    g_settings_set (settings, services[i], "q", 0);

  {
    g_autoptr(MrEngineThread) engine = NULL;
    const char * const *urls;

    g_settings_set_boolean (settings, "classroom", TRUE);
    engine = mr_engine_thread_new (settings);
    g_assert_true (mr_engine_thread_start (engine, &error));
    g_assert_no_error (error);
    g_assert_true (mr_engine_thread_get_classroom (engine));
    g_assert_cmpstr (mr_engine_thread_get_address (engine), ==, "0.0.0.0");
    g_assert_cmpuint (strlen (mr_engine_thread_get_teacher_token (engine)), ==, 32);
    urls = mr_engine_thread_get_web_urls (engine);
    g_assert_nonnull (urls[0]);
    g_assert_true (g_str_has_prefix (urls[0], "http://127.0.0.1:"));
    for (guint i = 0; urls[i] != NULL; i++)
      g_assert_null (strstr (urls[i], "0.0.0.0"));
    mr_engine_thread_stop (engine);
  }

  {
    g_autoptr(MrEngineThread) engine = NULL;

    g_settings_set_boolean (settings, "classroom", FALSE);
    g_settings_set_string (settings, "bind-address", "0.0.0.0");
    engine = mr_engine_thread_new (settings);
    g_assert_true (mr_engine_thread_start (engine, &error));
    g_assert_false (mr_engine_thread_get_classroom (engine));
    g_assert_cmpstr (mr_engine_thread_get_address (engine), ==, "127.0.0.1");
    mr_engine_thread_stop (engine);
  }

  /* The test window's lab is not in classroom mode. */
  text = _mr_window_dup_classroom_text (window);
  g_test_message ("%s", text);
  g_assert_nonnull (strstr (text, "Only this computer"));
  g_assert_nonnull (strstr (text, "http://127.0.0.1:"));
  g_assert_nonnull (strstr (text, mr_engine_thread_get_teacher_token (mr_window_get_engine (window))));
  gtk_widget_activate_action (GTK_WIDGET (window), "win.classroom", NULL);
  spin (300);
  maybe_screenshot ("classroom.png");
}

/* Preferences' Maildir switch: a second engine (not listening) keeps bob's
 * mail on disk where mutt would read it. */
static void
test_engine_maildir (void)
{
  g_autoptr(GSettingsBackend) backend = g_memory_settings_backend_new ();
  g_autoptr(GSettings) settings = g_settings_new_with_backend (APP_ID, backend);
  g_autofree char *root = g_dir_make_tmp ("mailroom-maildir-XXXXXX", NULL);
  g_autofree char *new_dir = NULL;
  g_autoptr(MrEngineThread) engine = NULL;
  g_autoptr(GError) error = NULL;
  GDir *dir = NULL;
  const char *rcpts[] = { "bob@recipient.example", NULL };
  char *summary = NULL;
  guint n_files = 0;

  g_assert_nonnull (root);
  g_settings_set_boolean (settings, "listen", FALSE);
  g_settings_set_boolean (settings, "maildir-enabled", TRUE);
  g_settings_set_string (settings, "maildir-path", root);
  g_settings_set_double (settings, "speed", 2.0);

  engine = mr_engine_thread_new (settings);
  g_assert_true (mr_engine_thread_start (engine, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (mr_engine_thread_get_port (engine, MR_SERVICE_SMTP), ==, 0);
  g_assert_cmpfloat (mr_engine_thread_get_speed (engine), ==, 2.0);

  mr_engine_thread_send_async (engine, MR_SERVICE_SUBMISSION, "alice-laptop",
                               "alice@sender.example", "alice",
                               "alice@sender.example", rcpts, "On disk", "Hello disk\n",
                               NULL, sent_cb, &summary);
  g_assert_true (wait_for (string_set, &summary, 10000));
  g_test_message ("maildir send: %s", summary);
  g_assert_nonnull (strstr (summary, "250"));

  /* The relay hands it to mx1, which writes it to bob's new/. */
  new_dir = g_build_filename (root, "bob@recipient.example", "new", NULL);
  for (guint tries = 0; tries < 100 && n_files == 0; tries++)
    {
      spin (100);
      g_clear_pointer (&dir, g_dir_close);
      dir = g_dir_open (new_dir, 0, NULL);
      while (dir != NULL && g_dir_read_name (dir) != NULL)
        n_files++;
    }
  g_assert_cmpuint (n_files, ==, 1);

  g_clear_pointer (&dir, g_dir_close);
  mr_engine_thread_stop (engine);
  g_free (summary);
  {
    g_autofree char *command = g_strdup_printf ("rm -rf %s", root);
    g_spawn_command_line_sync (command, NULL, NULL, NULL, NULL);
  }
}

static void
test_ladder_many_events (void)
{
  g_autoptr(MrEventModel) model = mr_event_model_new ();
  g_autoptr(GPtrArray) batch = g_ptr_array_new_with_free_func ((GDestroyNotify) mr_event_unref);
  MrLadderView *ladder = mr_window_get_ladder_view (window);
  g_autoptr(MrTopology) topology = mr_topology_new ();
  GtkWidget *scratch;
  gint64 start, elapsed;

  for (guint i = 0; i < 100000; i++)
    {
      MrEvent *event = mr_event_new (MR_EVENT_LINE, i % 2 ? MR_DIRECTION_TO_CLIENT : MR_DIRECTION_TO_SERVER,
                                     i % 2 ? "250 2.0.0 Ok" : "NOOP");
      event->seq = i + 1;
      event->client = g_strdup ("alice-laptop");
      event->server = g_strdup ("smtp.sender.example");
      if (i % 2)
        mr_event_set_reply (event, 250, "2.0.0");
      g_ptr_array_add (batch, event);
    }

  /* A second ladder over 100,000 events: only the visible rows are built,
   * so showing it and jumping to the end stays quick. */
  scratch = gtk_window_new ();
  gtk_window_set_default_size (GTK_WINDOW (scratch), 800, 600);
  ladder = MR_LADDER_VIEW (mr_ladder_view_new ());
  gtk_window_set_child (GTK_WINDOW (scratch), GTK_WIDGET (ladder));
  mr_ladder_view_set_model (ladder, model, topology);
  gtk_window_present (GTK_WINDOW (scratch));
  spin (100);

  start = g_get_monotonic_time ();
  mr_event_model_append (model, batch);
  spin (300);
  elapsed = g_get_monotonic_time () - start - 300 * 1000;
  g_test_message ("100000 events appended and shown in %" G_GINT64_FORMAT " ms (beyond the 300 ms wait)",
                  elapsed / 1000);
  g_assert_cmpuint (mr_event_model_get_n_events (model), ==, 100000);
  g_assert_true (mr_ladder_view_get_following (ladder));
  {
    GtkScrollable *scrollable = GTK_SCROLLABLE (mr_ladder_view_get_list_view (ladder));
    GtkAdjustment *vadj = gtk_scrollable_get_vadjustment (scrollable);

    /* Following: the newest rows are the ones in view. */
    g_test_message ("ladder adjustment: value %.0f page %.0f upper %.0f",
                    gtk_adjustment_get_value (vadj), gtk_adjustment_get_page_size (vadj),
                    gtk_adjustment_get_upper (vadj));
    g_assert_cmpfloat (gtk_adjustment_get_value (vadj) + gtk_adjustment_get_page_size (vadj), >=,
                       gtk_adjustment_get_upper (vadj) - 30);
    g_assert_cmpfloat (gtk_adjustment_get_upper (vadj), >, 100000.0 * 20);

    /* Scroll back (through the list, as a user's scroll does, so that the
     * list's own anchor moves too): following stops and new events do not
     * pull the view. */
    spin (100);
    gtk_widget_activate_action (GTK_WIDGET (mr_ladder_view_get_list_view (ladder)),
                                "list.scroll-to-item", "u", 30);
    spin (100);
    g_assert_false (mr_ladder_view_get_following (ladder));
    g_ptr_array_set_size (batch, 0);
    for (guint i = 0; i < 10; i++)
      g_ptr_array_add (batch, mr_event_new (MR_EVENT_NOTE, MR_DIRECTION_NONE, "later"));
    mr_event_model_append (model, batch);
    spin (100);
    g_test_message ("after scroll-back and append: value %.0f, following %d",
                    gtk_adjustment_get_value (vadj), mr_ladder_view_get_following (ladder));
    g_assert_false (mr_ladder_view_get_following (ladder));
    g_assert_cmpfloat (gtk_adjustment_get_value (vadj), <, 3000);

    /* Back to the bottom: following again. */
    gtk_adjustment_set_value (vadj, gtk_adjustment_get_upper (vadj) - gtk_adjustment_get_page_size (vadj));
    g_assert_true (mr_ladder_view_get_following (ladder));
  }
  {
    /* Sanitized builds are several times slower (MR_TEST_TIME_FACTOR). */
    const char *factor = g_getenv ("MR_TEST_TIME_FACTOR");

    g_assert_cmpint (elapsed, <, 2 * G_USEC_PER_SEC * (factor ? MAX (1, atoi (factor)) : 1));
  }

  gtk_window_destroy (GTK_WINDOW (scratch));
}

/* Colours the map draws, as in mr_event_class_color(). */
static gboolean
has_color (GdkPixbuf  *pixbuf,
           const char *hex,
           guint       min_pixels)
{
  GdkRGBA color;
  int width = gdk_pixbuf_get_width (pixbuf), height = gdk_pixbuf_get_height (pixbuf);
  int stride = gdk_pixbuf_get_rowstride (pixbuf), n = gdk_pixbuf_get_n_channels (pixbuf);
  const guint8 *pixels = gdk_pixbuf_read_pixels (pixbuf);
  guint found = 0;

  gdk_rgba_parse (&color, hex);
  /* The top 640 rows: the map without its colour legend. */
  for (int y = 0; y < MIN (height, 640); y++)
    for (int x = 0; x < width; x++)
      {
        const guint8 *p = pixels + y * stride + x * n;

        if (ABS (p[0] - (int) (color.red * 255)) <= 12 &&
            ABS (p[1] - (int) (color.green * 255)) <= 12 &&
            ABS (p[2] - (int) (color.blue * 255)) <= 12)
          found++;
      }

  return found >= min_pixels;
}

static void
test_map_screenshot (void)
{
  /* One conversation per line: within a conversation the map waits for
   * each envelope to arrive before the answer leaves. */
  g_autoptr(MrConversation) msa =
    mr_conversation_new (bus (), MR_PROTOCOL_SMTP, "alice-laptop", "smtp.sender.example");
  g_autoptr(MrConversation) msa2 =
    mr_conversation_new (bus (), MR_PROTOCOL_SMTP, "alice-laptop", "smtp.sender.example");
  g_autoptr(MrConversation) mx =
    mr_conversation_new (bus (), MR_PROTOCOL_SMTP, "smtp.sender.example", "mx1.recipient.example");
  g_autoptr(MrConversation) mx2 =
    mr_conversation_new (bus (), MR_PROTOCOL_SMTP, "smtp.sender.example", "mx2.recipient.example");
  g_autoptr(MrConversation) imap =
    mr_conversation_new (bus (), MR_PROTOCOL_IMAP, "bob-laptop", "mail.recipient.example");
  g_autofree char *path = g_test_build_filename (G_TEST_BUILT, "map-screenshot.png", NULL);
  g_autofree char *command = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GdkPixbuf) pixbuf = NULL;
  int status = 0;

  g_autofree char *import = g_find_program_in_path ("import");

  if (import == NULL)
    {
      g_test_skip ("ImageMagick import is not installed");
      return;
    }

  gtk_widget_activate_action (GTK_WIDGET (window), "win.show-page", "s", "map");
  gtk_window_maximize (GTK_WINDOW (window));
  gtk_widget_activate_action (GTK_WIDGET (window), "win.speed", "d", 0.25);
  spin (500);

  emit_line (msa, MR_DIRECTION_TO_SERVER, "AUTH PLAIN ****", "AUTH", 0);
  emit_line (mx, MR_DIRECTION_TO_CLIENT, "354 End data with <CR><LF>.<CR><LF>", NULL, 354);
  emit_line (msa2, MR_DIRECTION_TO_CLIENT, "451 4.7.1 Greylisted, try again later", NULL, 451);
  emit_line (imap, MR_DIRECTION_TO_CLIENT, "a1 OK LOGIN completed", NULL, 0);
  emit_line (mx2, MR_DIRECTION_TO_CLIENT, "550 5.1.1 No such user", NULL, 550);
  spin (1500);

  command = g_strdup_printf ("import -window root %s", path);
  g_assert_true (g_spawn_command_line_sync (command, NULL, NULL, &status, &error));
  g_assert_no_error (error);
  g_assert_cmpint (status, ==, 0);

  pixbuf = gdk_pixbuf_new_from_file (path, &error);
  g_assert_no_error (error);
  g_test_message ("screenshot: %s", path);

  /* Not blank: the window's background and the node outlines. */
  g_assert_true (has_color (pixbuf, "#c64600", 200));   /* MX node border */
  /* Envelopes of every class */
  g_assert_true (has_color (pixbuf, mr_event_class_color (0), 100));
  g_assert_true (has_color (pixbuf, mr_event_class_color (2), 100));
  g_assert_true (has_color (pixbuf, mr_event_class_color (3), 100));
  g_assert_true (has_color (pixbuf, mr_event_class_color (4), 100));
  g_assert_true (has_color (pixbuf, mr_event_class_color (5), 100));

  gtk_widget_activate_action (GTK_WIDGET (window), "win.speed", "d", 1.0);
}

typedef struct
{
  GArray *intervals;   /* gint64 µs between frames */
  gint64  last;
} FrameStats;

static gboolean
frame_stats_tick_cb (GtkWidget     *widget,
                     GdkFrameClock *clock,
                     gpointer       data)
{
  FrameStats *stats = data;
  gint64 now = g_get_monotonic_time ();

  if (stats->last != 0)
    {
      gint64 interval = now - stats->last;
      g_array_append_val (stats->intervals, interval);
    }
  stats->last = now;
  return G_SOURCE_CONTINUE;
}

static gpointer
flood_thread (gpointer data)
{
  MrEventBus *event_bus = data;
  g_autoptr(GPtrArray) conversations = g_ptr_array_new_with_free_func ((GDestroyNotify) mr_conversation_unref);

  /* 30 clients talking at once, ~10,000 lines in 2 s. */
  for (guint i = 0; i < 30; i++)
    g_ptr_array_add (conversations, mr_conversation_new (event_bus, MR_PROTOCOL_SMTP, "alice-laptop",
                                                         i % 2 ? "mx1.recipient.example" : "smtp.sender.example"));
  for (guint i = 0; i < 10000; i++)
    {
      MrConversation *c = g_ptr_array_index (conversations, i % 30);

      emit_line (c, i % 2 ? MR_DIRECTION_TO_CLIENT : MR_DIRECTION_TO_SERVER,
                 i % 2 ? "250 2.1.5 Ok" : "RCPT TO:<bob@recipient.example>",
                 i % 2 ? NULL : "RCPT", i % 2 ? 250 : 0);
      if (i % 50 == 0)
        g_usleep (10 * 1000);
    }
  return NULL;
}

static int
compare_int64 (gconstpointer a,
               gconstpointer b)
{
  gint64 x = *(const gint64 *) a, y = *(const gint64 *) b;
  return x < y ? -1 : x > y;
}

/* gtk-enable-animations off: envelopes still appear (standing still half
 * way), nothing breaks. */
static void
test_map_reduced_motion (void)
{
  g_autoptr(MrConversation) conversation =
    mr_conversation_new (bus (), MR_PROTOCOL_SMTP, "alice-laptop", "smtp.sender.example");
  MrMapView *map = mr_window_get_map_view (window);
  GtkSettings *gtk_settings = gtk_widget_get_settings (GTK_WIDGET (map));
  guint before = mr_window_get_n_events (window);

  gtk_widget_activate_action (GTK_WIDGET (window), "win.show-page", "s", "map");
  g_object_set (gtk_settings, "gtk-enable-animations", FALSE, NULL);
  emit_line (conversation, MR_DIRECTION_TO_SERVER, "NOOP", "NOOP", 0);
  g_assert_true (wait_for (n_events_at_least, GUINT_TO_POINTER (before + 1), 5000));
  g_assert_cmpuint (mr_map_view_get_n_envelopes (map), >, 0);
  spin (200);
  gtk_widget_queue_draw (GTK_WIDGET (map));
  spin (100);
  g_object_set (gtk_settings, "gtk-enable-animations", TRUE, NULL);
}

static void
test_map_frame_times (void)
{
  const char *factor = g_getenv ("MR_TEST_TIME_FACTOR");
  FrameStats stats = { NULL, 0 };
  MrMapView *map = mr_window_get_map_view (window);
  GThread *thread;
  guint id;
  gint64 p50, p95;
  guint before = mr_window_get_n_events (window);

  /* Frame times are a measurement of speed: a sanitized build (several
   * times slower, MR_TEST_TIME_FACTOR > 1) says nothing about them. */
  if (factor != NULL && g_strcmp0 (factor, "1") != 0)
    {
      g_test_skip ("frame times are not measured in a sanitized build");
      return;
    }
  stats.intervals = g_array_new (FALSE, FALSE, sizeof (gint64));

  gtk_widget_activate_action (GTK_WIDGET (window), "win.show-page", "s", "map");
  spin (200);

  id = gtk_widget_add_tick_callback (GTK_WIDGET (map), frame_stats_tick_cb, &stats, NULL);
  thread = g_thread_new ("flood", flood_thread, bus ());
  spin (2500);
  g_thread_join (thread);
  gtk_widget_remove_tick_callback (GTK_WIDGET (map), id);
  g_assert_true (wait_for (n_events_at_least, GUINT_TO_POINTER (before + 10000), 10000));

  g_assert_cmpuint (stats.intervals->len, >, 20);
  g_array_sort (stats.intervals, compare_int64);
  p50 = g_array_index (stats.intervals, gint64, stats.intervals->len / 2);
  p95 = g_array_index (stats.intervals, gint64, stats.intervals->len * 95 / 100);
  g_test_message ("frame interval under a 10,000-line flood from 30 conversations "
                  "(Xvfb, cairo renderer): %u frames, p50 %.1f ms, p95 %.1f ms; "
                  "start to first frame %.0f ms",
                  stats.intervals->len, p50 / 1000.0, p95 / 1000.0,
                  (first_frame_time - start_time) / 1000.0);
  /* Lenient bound on the median only: CI machines are shared and p95 swings
   * with their load; the target (p95 ≤ 18 ms) is for real hardware and is
   * reported above. */
  g_assert_cmpint (p50, <, 100 * 1000);
  g_array_unref (stats.intervals);
}

static gboolean
first_frame_cb (GtkWidget     *widget,
                GdkFrameClock *clock,
                gpointer       data)
{
  if (first_frame_time == 0)
    first_frame_time = g_get_monotonic_time ();
  return G_SOURCE_REMOVE;
}

int
main (int   argc,
      char *argv[])
{
  int ret;

  start_time = g_get_monotonic_time ();
  gtk_test_init (&argc, &argv, NULL);
  adw_init ();

  app = mr_application_new ();
  g_application_register (G_APPLICATION (app), NULL, NULL);
  window = mr_application_ensure_window (app);
  gtk_widget_add_tick_callback (GTK_WIDGET (window), first_frame_cb, NULL, NULL);
  gtk_window_present (GTK_WINDOW (window));

  g_test_add_func ("/app/dot-stuff", test_dot_stuff);
  g_test_add_func ("/app/console/completion", test_console_completion);
  g_test_add_func ("/app/topology", test_topology);
  g_test_add_func ("/app/window/actions", test_window_actions);
  g_test_add_func ("/app/window/events", test_window_events);
  g_test_add_func ("/app/window/step", test_window_step);
  g_test_add_func ("/app/console/ehlo", test_console_ehlo);
  g_test_add_func ("/app/console/pop3-imap", test_console_pop3_imap);
  g_test_add_func ("/app/compose/to-bob", test_compose_to_bob);
  g_test_add_func ("/app/faults/unknown-user", test_fault_unknown_user);
  g_test_add_func ("/app/faults/greylist-fast-forward", test_relay_greylist_fast_forward);
  g_test_add_func ("/app/engine/classroom", test_engine_classroom);
  g_test_add_func ("/app/engine/maildir", test_engine_maildir);
  g_test_add_func ("/app/ladder/many-events", test_ladder_many_events);
  g_test_add_func ("/app/map/screenshot", test_map_screenshot);
  g_test_add_func ("/app/map/reduced-motion", test_map_reduced_motion);
  g_test_add_func ("/app/map/frame-times", test_map_frame_times);

  ret = g_test_run ();

  gtk_window_destroy (GTK_WINDOW (window));
  mr_engine_thread_stop (mr_application_get_engine (app));
  g_clear_object (&app);

  return ret;
}
