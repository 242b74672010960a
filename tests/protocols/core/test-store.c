/* test-store.c
 *
 * Copyright 2026 The Mailroom authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <string.h>

#include "mailroom.h"
#include "mr-scenario.h"

static GBytes *
make_message (const char *subject)
{
  g_autofree char *text = g_strdup_printf ("From: alice@sender.example\r\n"
                                           "To: bob@recipient.example\r\n"
                                           "Subject: %s\r\n\r\nHello\r\n", subject);
  return g_bytes_new (text, strlen (text));
}

static void
on_items_changed_cb (GListModel *model,
                     guint       position,
                     guint       removed,
                     guint       added,
                     GString    *log)
{
  g_string_append_printf (log, "%u-%u+%u;", position, removed, added);
}

static void
test_store_accounts (void)
{
  g_autoptr(MrStore) store = mr_store_new ();
  MrAccount *bob = mr_store_add_account (store, "bob@recipient.example", "bob");
  MrMailbox *mailbox;

  g_assert_true (mr_store_lookup_account (store, "Bob@Recipient.Example") == bob);
  g_assert_true (mr_store_authenticate (store, "bob@recipient.example", "bob") == bob);
  g_assert_null (mr_store_authenticate (store, "bob@recipient.example", "bobb"));
  g_assert_null (mr_store_authenticate (store, "bob@recipient.example", "bo"));
  g_assert_null (mr_store_authenticate (store, "eve@recipient.example", "bob"));
  g_assert_true (mr_store_is_local_domain (store, "RECIPIENT.example"));
  g_assert_false (mr_store_is_local_domain (store, "sender.example"));

  /* RFC 6154 special-use folders exist from the start; INBOX is case-insensitive. */
  g_assert_nonnull (mr_account_lookup_mailbox (bob, "inbox"));
  mailbox = mr_account_lookup_mailbox (bob, "Sent");
  g_assert_nonnull (mailbox);
  g_assert_cmpstr (mr_mailbox_get_special_use (mailbox), ==, "\\Sent");
  g_assert_null (mr_account_lookup_mailbox (bob, "sent"));
}

static void
test_store_mailbox (void)
{
  g_autoptr(MrStore) store = mr_store_new ();
  MrAccount *bob = mr_store_add_account (store, "bob@recipient.example", "bob");
  MrMailbox *inbox = mr_account_get_inbox (bob);
  g_autoptr(GString) log = g_string_new (NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) one = make_message ("one");
  g_autoptr(GBytes) two = make_message ("two");
  g_autofree char *subject = NULL;
  g_autofree char *flags = NULL;
  MrMessage *first;
  MrMessage *second;

  g_signal_connect (inbox, "items-changed", G_CALLBACK (on_items_changed_cb), log);

  first = mr_mailbox_append (inbox, one, 0, NULL, 0, &error);
  g_assert_no_error (error);
  second = mr_mailbox_append (inbox, two, MR_FLAG_SEEN, NULL, 0, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (mr_message_get_uid (first), ==, 1);
  g_assert_cmpuint (mr_message_get_uid (second), ==, 2);
  g_assert_cmpuint (mr_mailbox_get_uidnext (inbox), ==, 3);
  g_assert_cmpuint (mr_mailbox_count_unseen (inbox), ==, 1);
  g_assert_cmpuint (mr_mailbox_get_total_size (inbox), ==, g_bytes_get_size (one) + g_bytes_get_size (two));

  subject = mr_message_dup_header (second, "Subject");
  g_assert_cmpstr (subject, ==, "two");

  mr_mailbox_set_flags (inbox, first, MR_FLAG_SEEN | MR_FLAG_DELETED,
                        (const char * const[]) { "$Junk", NULL }, &error);
  g_assert_no_error (error);
  flags = mr_message_flags_to_string (mr_message_get_flags (first), mr_message_get_keywords (first));
  g_assert_cmpstr (flags, ==, "\\Seen \\Deleted $Junk");
  g_assert_true (mr_message_has_keyword (first, "$junk"));

  g_assert_true (mr_mailbox_expunge (inbox, first, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (inbox)), ==, 1);
  g_assert_true (mr_mailbox_lookup_uid (inbox, 2) == second);
  g_assert_null (mr_mailbox_lookup_uid (inbox, 1));
  /* UIDs are never reused (RFC 3501 2.3.1.1). */
  g_assert_cmpuint (mr_mailbox_get_uidnext (inbox), ==, 3);
  g_assert_cmpstr (log->str, ==, "0-0+1;1-0+1;0-1+0;");
}

static void
test_store_folders (void)
{
  g_autoptr(MrStore) store = mr_store_new ();
  MrAccount *bob = mr_store_add_account (store, "bob@recipient.example", "bob");
  g_autoptr(GError) error = NULL;
  MrMailbox *work;

  work = mr_account_create_mailbox (bob, "Work/2026", NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (work);

  g_assert_null (mr_account_create_mailbox (bob, "Work/2026", NULL, &error));
  g_assert_error (error, MR_ERROR, MR_ERROR_EXISTS);
  g_clear_error (&error);

  g_assert_null (mr_account_create_mailbox (bob, "bad//name", NULL, &error));
  g_assert_error (error, MR_ERROR, MR_ERROR_BAD_SYNTAX);
  g_clear_error (&error);

  g_assert_true (mr_account_rename_mailbox (bob, work, "Archive", &error));
  g_assert_no_error (error);
  g_assert_true (mr_account_lookup_mailbox (bob, "Archive") == work);

  g_assert_false (mr_account_delete_mailbox (bob, mr_account_get_inbox (bob), &error));
  g_assert_error (error, MR_ERROR, MR_ERROR_FAILED);
  g_clear_error (&error);
  g_assert_true (mr_account_delete_mailbox (bob, work, &error));
  g_assert_no_error (error);

  /* POP3 maildrop lock (RFC 1939 8). */
  g_assert_true (mr_account_try_lock (bob, GINT_TO_POINTER (1)));
  g_assert_false (mr_account_try_lock (bob, GINT_TO_POINTER (2)));
  mr_account_unlock (bob, GINT_TO_POINTER (1));
  g_assert_true (mr_account_try_lock (bob, GINT_TO_POINTER (2)));
}

static void
test_scenario_default (void)
{
  g_autoptr(MrScenario) scenario = mr_scenario_new_default ();
  g_autoptr(MrStore) store = mr_store_new ();
  const char * const *team;

  g_assert_nonnull (mr_scenario_lookup_host (scenario, "mx2.recipient.example"));
  g_assert_cmpstr (mr_scenario_find_host (scenario, MR_HOST_SUBMISSION, NULL)->name, ==, "smtp.sender.example");

  mr_scenario_apply_to_store (scenario, store);
  g_assert_nonnull (mr_store_authenticate (store, "alice@sender.example", "alice"));
  g_assert_nonnull (mr_store_authenticate (store, "bob@recipient.example", "bob"));
  team = mr_store_lookup_list (store, "team@recipient.example");
  g_assert_nonnull (team);
  g_assert_cmpstr (team[0], ==, "alice@sender.example");
  g_assert_cmpstr (team[1], ==, "bob@recipient.example");
}

static void
test_scenario_errors (void)
{
  static const struct { const char *json; const char *message; } cases[] = {
    { "[]", "The scenario must be a JSON object" },
    { "{\"hosts\": [{\"name\": \"a\", \"role\": \"mailserver\"}]}", "hosts[0].role: unknown role 'mailserver' (client, submission, relay, mx, mailbox)" },
    { "{\"hosts\": [{\"name\": \"a\", \"role\": \"mx\", \"colour\": \"red\"}]}", "hosts[0].colour: unknown key" },
    { "{\"accounts\": [{\"address\": \"nobody\", \"password\": \"x\"}]}", "accounts[0].address: 'nobody' is not local@domain" },
    { "{\"dns\": [{\"name\": \"a\", \"type\": \"MX\", \"value\": \"b\"}]}", "dns[0].priority: missing for an MX record" },
    { "{\"dns\": [{\"name\": \"a\", \"type\": \"MX\", \"value\": \"b\", \"priority\": \"10\"}]}", "dns[0].priority: expected an integer from 0 to 65535" },
    { "{\"links\": [[\"a\", \"b\"]]}", "links[0][0]: no host named 'a'" },
    { "{\"name\": 3}", "scenario.name: expected a string" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(MrScenario) scenario = mr_scenario_new_from_data (cases[i].json, -1, &error);

      g_assert_null (scenario);
      g_assert_error (error, MR_ERROR, MR_ERROR_INVALID_DATA);
      g_assert_cmpstr (error->message, ==, cases[i].message);
    }
}

static void
test_scenario_round_trip (void)
{
  g_autoptr(MrScenario) scenario = mr_scenario_new_default ();
  g_autoptr(JsonNode) node = mr_scenario_to_json (scenario);
  g_autofree char *json = json_to_string (node, FALSE);
  g_autoptr(GError) error = NULL;
  g_autoptr(MrScenario) again = mr_scenario_new_from_data (json, -1, &error);
  g_autoptr(JsonNode) node_again = NULL;
  g_autofree char *json_again = NULL;

  g_assert_no_error (error);
  node_again = mr_scenario_to_json (again);
  json_again = json_to_string (node_again, FALSE);
  g_assert_cmpstr (json, ==, json_again);
}

static void
test_reply_catalog (void)
{
  const MrReplyInfo *info;
  guint n;

  /* Every entry is where its id says and has a class that matches its code. */
  info = mr_reply_catalog_get_all (&n);
  for (guint i = 0; i < n; i++)
    {
      g_assert_cmpint (info[i].id, ==, i);
      g_assert_cmpuint (info[i].code, >=, 200);
      g_assert_cmpuint (info[i].code, <, 600);
      if (info[i].enhanced)
        g_assert_cmpint (info[i].enhanced[0] - '0', ==, info[i].code / 100);
      g_assert_nonnull (info[i].explanation);
      g_assert_nonnull (info[i].rfc);
    }

  g_assert_cmpuint (mr_reply_catalog_get (MR_REPLY_START_DATA)->code, ==, 354);
  info = mr_reply_catalog_lookup (550, "5.1.1");
  g_assert_cmpint (info->id, ==, MR_REPLY_UNKNOWN_USER);
  g_assert_cmpint (info->advice, ==, MR_ADVICE_GIVE_UP);
  g_assert_cmpint (mr_reply_catalog_lookup (451, "4.7.1")->advice, ==, MR_ADVICE_RETRY);
  g_assert_null (mr_reply_catalog_lookup (299, NULL));
}

int
main (int   argc,
      char *argv[])
{
  mr_init ();
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/core/store/accounts", test_store_accounts);
  g_test_add_func ("/core/store/mailbox", test_store_mailbox);
  g_test_add_func ("/core/store/folders", test_store_folders);
  g_test_add_func ("/core/scenario/default", test_scenario_default);
  g_test_add_func ("/core/scenario/errors", test_scenario_errors);
  g_test_add_func ("/core/scenario/round-trip", test_scenario_round_trip);
  g_test_add_func ("/core/reply-catalog/consistent", test_reply_catalog);

  return g_test_run ();
}
