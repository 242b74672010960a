/* test-fault.c
 *
 * Copyright 2026 The Mailroom authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <string.h>

#include "mr-error.h"
#include "mr-fault.h"

static void
test_fault_catalog (void)
{
  /* The issue's list: each fault and the reply it must produce. */
  static const struct {
    const char *name;
    const char *reply;
  } expected[] = {
    { "unknown-user", "550 5.1.1" },
    { "mailbox-full", "552 5.2.2" },
    { "mailbox-full-temp", "452 4.2.2" },
    { "greylisting", "451 4.7.1" },
    { "relay-denied", "550 5.7.1" },
    { "auth-required", "530 5.7.0" },
    { "auth-failed", "535 5.7.8" },
    { "tls-required", "530 5.7.0" },
    { "message-too-big", "552 5.3.4" },
    { "too-many-recipients", "452 4.5.3" },
    { "service-unavailable", "421 4.3.2" },
    { "rate-limited", "421 4.7.0" },
    { "rate-limited-rcpt", "450 4.7.1" },
    { "spam-rejected", "550 5.7.1" },
    { "host-down", "connection refused" },
    { "slow-host", "replies delayed 5s" },
    { "dns-nxdomain", "NXDOMAIN" },
    { "dns-no-mx", "NODATA" },
    { "dns-servfail", "SERVFAIL" },
  };
  g_autofree char *table = NULL;
  guint n;

  for (guint i = 0; i < G_N_ELEMENTS (expected); i++)
    {
      const MrFaultInfo *info = mr_fault_catalog_lookup (expected[i].name);
      g_autofree char *reply = NULL;

      g_assert_nonnull (info);
      reply = mr_fault_info_describe_reply (info);
      g_assert_cmpstr (reply, ==, expected[i].reply);
    }

  g_assert_cmpstr (mr_fault_catalog_lookup ("login-refused")->pop3_text, ==,
                   "-ERR [AUTH] Authentication failed");
  g_assert_cmpstr (mr_fault_catalog_lookup ("mailbox-locked")->imap_text, ==,
                   "NO [INUSE] Mailbox is in use by another session");
  g_assert_nonnull (mr_fault_catalog_lookup ("server-busy"));
  g_assert_null (mr_fault_catalog_lookup ("no-such-fault"));
  g_assert_null (mr_fault_catalog_lookup (NULL));

  mr_fault_catalog_get_all (&n);
  g_assert_cmpuint (n, ==, G_N_ELEMENTS (expected) + 3);

  table = mr_fault_catalog_format ();
  g_assert_nonnull (strstr (table, "greylisting"));
  g_assert_nonnull (strstr (table, "451 4.7.1"));
  g_assert_nonnull (strstr (table, "[IN-USE]"));
}

static void
test_fault_parse_spec (void)
{
  static const struct {
    const char *spec;
    gboolean    ok;
    const char *name;
    const char *target;
    gboolean    one_shot;
  } cases[] = {
    { "greylisting", TRUE, "greylisting", NULL, FALSE },
    { "greylisting@MX1.recipient.example", TRUE, "greylisting", "mx1.recipient.example", FALSE },
    { "unknown-user@bob@recipient.example", TRUE, "unknown-user", "bob@recipient.example", FALSE },
    { "host-down@mx1.recipient.example/once", TRUE, "host-down", "mx1.recipient.example", TRUE },
    { " Dns-Servfail@recipient.example ", TRUE, "dns-servfail", "recipient.example", FALSE },
    { "spam-rejected/once", TRUE, "spam-rejected", NULL, TRUE },
    { "greylist", FALSE, NULL, NULL, FALSE },
    { "greylisting@", FALSE, NULL, NULL, FALSE },
    { "", FALSE, NULL, NULL, FALSE },
    { "@mx1", FALSE, NULL, NULL, FALSE },
    { "/once", FALSE, NULL, NULL, FALSE },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autofree char *name = NULL;
      g_autofree char *target = NULL;
      gboolean one_shot = FALSE;
      gboolean ok;

      ok = mr_fault_parse_spec (cases[i].spec, &name, &target, &one_shot, &error);
      g_assert_cmpint (ok, ==, cases[i].ok);
      if (!ok)
        {
          g_assert_error (error, MR_ERROR, MR_ERROR_INVALID_DATA);
          continue;
        }
      g_assert_no_error (error);
      g_assert_cmpstr (name, ==, cases[i].name);
      g_assert_cmpstr (target, ==, cases[i].target);
      g_assert_cmpint (one_shot, ==, cases[i].one_shot);
    }
}

static void
on_items_changed_cb (GListModel *model,
                     guint       position,
                     guint       removed,
                     guint       added,
                     guint      *count)
{
  (*count)++;
}

static void
test_fault_set_scopes (void)
{
  g_autoptr(MrFaultSet) set = mr_fault_set_new (NULL);
  g_autoptr(GError) error = NULL;
  g_autofree char *spec = NULL;
  MrFaultQuery query = { 0 };
  MrFault *fault;
  guint changed = 0;

  g_signal_connect (set, "items-changed", G_CALLBACK (on_items_changed_cb), &changed);

  g_assert_null (mr_fault_set_add (set, "nope", NULL, FALSE, &error));
  g_assert_error (error, MR_ERROR, MR_ERROR_INVALID_DATA);
  g_clear_error (&error);

  fault = mr_fault_set_add_spec (set, "unknown-user@bob@recipient.example", &error);
  g_assert_no_error (error);
  g_assert_nonnull (fault);
  spec = mr_fault_to_spec (fault);
  g_assert_cmpstr (spec, ==, "unknown-user@bob@recipient.example");
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (set)), ==, 1);
  g_assert_cmpuint (changed, ==, 1);

  query.stage = MR_FAULT_STAGE_RCPT;
  query.protocol = MR_PROTOCOL_SMTP;
  query.host = "mx1.recipient.example";
  query.address = "carol@recipient.example";
  g_assert_cmpint (mr_fault_set_check_smtp (set, &query), ==, MR_N_REPLIES);
  query.address = "Bob@Recipient.Example";
  g_assert_cmpint (mr_fault_set_check_smtp (set, &query), ==, MR_REPLY_UNKNOWN_USER);
  /* Persistent: again. */
  g_assert_cmpint (mr_fault_set_check_smtp (set, &query), ==, MR_REPLY_UNKNOWN_USER);
  g_assert_cmpuint (mr_fault_get_n_fired (fault), ==, 2);
  /* Wrong stage. */
  query.stage = MR_FAULT_STAGE_MAIL;
  g_assert_cmpint (mr_fault_set_check_smtp (set, &query), ==, MR_N_REPLIES);

  /* Host and domain targets. */
  mr_fault_set_clear (set);
  g_assert_cmpuint (changed, ==, 2);
  mr_fault_set_add (set, "spam-rejected", "mx2.recipient.example", FALSE, NULL);
  mr_fault_set_add (set, "mailbox-full", "lists.example", FALSE, NULL);
  query.stage = MR_FAULT_STAGE_DATA;
  g_assert_cmpint (mr_fault_set_check_smtp (set, &query), ==, MR_N_REPLIES);
  query.host = "mx2.recipient.example";
  g_assert_cmpint (mr_fault_set_check_smtp (set, &query), ==, MR_REPLY_SPAM_REJECTED);
  query.stage = MR_FAULT_STAGE_RCPT;
  query.host = "mx.lists.example";
  query.address = "carol@lists.example";
  g_assert_cmpint (mr_fault_set_check_smtp (set, &query), ==, MR_REPLY_MAILBOX_FULL);
  query.host = "mx1.recipient.example";
  query.address = "bob@recipient.example";
  g_assert_cmpint (mr_fault_set_check_smtp (set, &query), ==, MR_N_REPLIES);

  g_assert_cmpuint (mr_fault_set_remove_by_name (set, "spam-rejected", NULL), ==, 1);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (set)), ==, 1);
  g_assert_nonnull (mr_fault_set_lookup (set, "mailbox-full", "lists.example"));
  g_assert_null (mr_fault_set_lookup (set, "mailbox-full", NULL));
}

static void
test_fault_conditions (void)
{
  g_autoptr(MrFaultSet) set = mr_fault_set_new (NULL);
  MrFaultQuery query = { MR_FAULT_STAGE_MAIL, MR_PROTOCOL_SMTP, "mx1.recipient.example" };

  mr_fault_set_add (set, "tls-required", NULL, FALSE, NULL);
  g_assert_cmpint (mr_fault_set_check_smtp (set, &query), ==, MR_REPLY_TLS_REQUIRED);
  query.encrypted = TRUE;
  g_assert_cmpint (mr_fault_set_check_smtp (set, &query), ==, MR_N_REPLIES);

  mr_fault_set_clear (set);
  mr_fault_set_add (set, "auth-required", NULL, FALSE, NULL);
  g_assert_cmpint (mr_fault_set_check_smtp (set, &query), ==, MR_REPLY_AUTH_REQUIRED);
  query.authenticated = TRUE;
  g_assert_cmpint (mr_fault_set_check_smtp (set, &query), ==, MR_N_REPLIES);

  mr_fault_set_clear (set);
  mr_fault_set_add (set, "too-many-recipients", NULL, FALSE, NULL);
  query.stage = MR_FAULT_STAGE_RCPT;
  query.n_recipients = 0;
  g_assert_cmpint (mr_fault_set_check_smtp (set, &query), ==, MR_N_REPLIES);
  query.n_recipients = 1;
  g_assert_cmpint (mr_fault_set_check_smtp (set, &query), ==, MR_REPLY_TOO_MANY_RECIPIENTS);

  /* POP3/IMAP faults never answer SMTP. */
  mr_fault_set_clear (set);
  mr_fault_set_add (set, "server-busy", NULL, FALSE, NULL);
  query.stage = MR_FAULT_STAGE_CONNECT;
  g_assert_cmpint (mr_fault_set_check_smtp (set, &query), ==, MR_N_REPLIES);
  query.protocol = MR_PROTOCOL_POP3;
  {
    g_autoptr(MrFault) fault = mr_fault_set_check (set, &query);

    g_assert_nonnull (fault);
    g_assert_cmpstr (mr_fault_get_info (fault)->pop3_text, ==,
                     "-ERR [SYS/TEMP] Server busy, try again later");
  }
}

static void
test_fault_mailbox_protocols (void)
{
  g_autoptr(MrFaultSet) set = mr_fault_set_new (NULL);

  mr_fault_set_add_spec (set, "login-refused@bob@recipient.example", NULL);
  mr_fault_set_add_spec (set, "mailbox-locked@mail.recipient.example/once", NULL);
  mr_fault_set_add_spec (set, "server-busy@busy.example", NULL);

  g_assert_cmpstr (mr_fault_set_check_mailbox (set, MR_PROTOCOL_POP3, MR_FAULT_STAGE_LOGIN,
                                               "mail.recipient.example", "bob@recipient.example"),
                   ==, "-ERR [AUTH] Authentication failed");
  g_assert_cmpstr (mr_fault_set_check_mailbox (set, MR_PROTOCOL_IMAP, MR_FAULT_STAGE_LOGIN,
                                               "mail.recipient.example", "bob@recipient.example"),
                   ==, "NO [AUTHENTICATIONFAILED] Authentication failed");
  g_assert_null (mr_fault_set_check_mailbox (set, MR_PROTOCOL_IMAP, MR_FAULT_STAGE_LOGIN,
                                             "mail.recipient.example", "alice@sender.example"));

  g_assert_cmpstr (mr_fault_set_check_mailbox (set, MR_PROTOCOL_IMAP, MR_FAULT_STAGE_MAILBOX,
                                               "mail.recipient.example", "alice@sender.example"),
                   ==, "NO [INUSE] Mailbox is in use by another session");
  /* One-shot: the next SELECT works. */
  g_assert_null (mr_fault_set_check_mailbox (set, MR_PROTOCOL_IMAP, MR_FAULT_STAGE_MAILBOX,
                                             "mail.recipient.example", "alice@sender.example"));

  g_assert_null (mr_fault_set_check_mailbox (set, MR_PROTOCOL_POP3, MR_FAULT_STAGE_CONNECT,
                                             "mail.recipient.example", NULL));
  g_assert_cmpstr (mr_fault_set_check_mailbox (set, MR_PROTOCOL_IMAP, MR_FAULT_STAGE_CONNECT,
                                               "busy.example", NULL),
                   ==, "* BYE [UNAVAILABLE] Server busy, try again later");
}

static void
test_fault_one_shot_and_hosts (void)
{
  g_autoptr(MrFaultSet) set = mr_fault_set_new (NULL);
  MrFaultQuery query = { MR_FAULT_STAGE_CONNECT, MR_PROTOCOL_SMTP, "mx1.recipient.example" };

  mr_fault_set_add_spec (set, "host-down@mx1.recipient.example/once", NULL);
  mr_fault_set_add_spec (set, "slow-host@mx2.recipient.example", NULL);
  g_assert_false (mr_fault_set_check_refused (set, "mx2.recipient.example"));
  g_assert_true (mr_fault_set_check_refused (set, "mx1.recipient.example"));
  /* Used up. */
  g_assert_false (mr_fault_set_check_refused (set, "mx1.recipient.example"));
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (set)), ==, 1);

  g_assert_cmpint (mr_fault_set_get_reply_delay (set, "mx2.recipient.example"), ==,
                   MR_FAULT_DEFAULT_SLOW_DELAY);
  g_assert_cmpint (mr_fault_set_get_reply_delay (set, "mx1.recipient.example"), ==, 0);
  /* A backend does not consume slow-host. */
  query.host = "mx2.recipient.example";
  g_assert_cmpint (mr_fault_set_check_smtp (set, &query), ==, MR_N_REPLIES);

  /* Host-down seen from a TCP listener is 421 at the banner. */
  mr_fault_set_add_spec (set, "host-down", NULL);
  g_assert_cmpint (mr_fault_set_check_smtp (set, &query), ==, MR_REPLY_SERVICE_UNAVAILABLE);
}

static void
test_fault_greylisting (void)
{
  g_autoptr(MrClock) clock = mr_clock_new ();
  g_autoptr(MrFaultSet) set = mr_fault_set_new (clock);
  MrFaultQuery query = { MR_FAULT_STAGE_RCPT, MR_PROTOCOL_SMTP, "mx1.recipient.example",
                         "smtp.sender.example", "alice@sender.example", "bob@recipient.example" };

  mr_clock_set_mode (clock, MR_CLOCK_STEP);
  mr_fault_set_add (set, "greylisting", NULL, FALSE, NULL);
  g_assert_cmpint (mr_fault_set_get_greylist_delay (set), ==, MR_FAULT_DEFAULT_GREYLIST_DELAY);
  mr_fault_set_set_greylist_delay (set, 60 * G_USEC_PER_SEC);

  g_assert_cmpint (mr_fault_set_check_smtp (set, &query), ==, MR_REPLY_GREYLISTED);
  /* Too early. */
  mr_clock_advance (clock, 30 * G_USEC_PER_SEC);
  g_assert_cmpint (mr_fault_set_check_smtp (set, &query), ==, MR_REPLY_GREYLISTED);
  /* Another triple starts its own wait. */
  query.address = "carol@recipient.example";
  g_assert_cmpint (mr_fault_set_check_smtp (set, &query), ==, MR_REPLY_GREYLISTED);
  /* After the delay, the first triple passes, for good. */
  mr_clock_advance (clock, 31 * G_USEC_PER_SEC);
  query.address = "bob@recipient.example";
  g_assert_cmpint (mr_fault_set_check_smtp (set, &query), ==, MR_N_REPLIES);
  g_assert_cmpint (mr_fault_set_check_smtp (set, &query), ==, MR_N_REPLIES);
  query.address = "carol@recipient.example";
  g_assert_cmpint (mr_fault_set_check_smtp (set, &query), ==, MR_REPLY_GREYLISTED);
}

/* Where a fault bites, for the badges on the maps: the stage picks the
 * kind of server, the target narrows it. */
static void
test_fault_bites_host (void)
{
  const MrFaultInfo *unknown = mr_fault_catalog_lookup ("unknown-user");
  const MrFaultInfo *grey = mr_fault_catalog_lookup ("greylisting");
  const MrFaultInfo *down = mr_fault_catalog_lookup ("host-down");
  const MrFaultInfo *nxdomain = NULL;
  guint n = 0;
  const MrFaultInfo *all = mr_fault_catalog_get_all (&n);

  for (guint i = 0; i < n; i++)
    if (all[i].stage == MR_FAULT_STAGE_DNS)
      nxdomain = &all[i];
  g_assert_nonnull (nxdomain);

  /* An account's fault: the SMTP servers of its domain, at RCPT. */
  g_assert_true (mr_fault_info_bites_host (unknown, "bob@recipient.example", "mx1.recipient.example", "mx"));
  g_assert_true (mr_fault_info_bites_host (unknown, "bob@recipient.example", "mx2.recipient.example", "mx"));
  g_assert_false (mr_fault_info_bites_host (unknown, "bob@recipient.example", "mail.recipient.example", "mailbox"));
  g_assert_false (mr_fault_info_bites_host (unknown, "bob@recipient.example", "smtp.sender.example", "submission"));
  g_assert_false (mr_fault_info_bites_host (unknown, "bob@recipient.example", "alice-laptop", "client"));
  /* "recipient.example" covers its hosts, not a look-alike. */
  g_assert_true (mr_fault_info_bites_host (grey, "recipient.example", "mx1.recipient.example", "mx"));
  g_assert_false (mr_fault_info_bites_host (grey, "recipient.example", "mx1.notrecipient.example", "mx"));
  g_assert_true (mr_fault_info_bites_host (grey, "mx1.recipient.example", "mx1.recipient.example", "mx"));
  g_assert_false (mr_fault_info_bites_host (grey, "mx1.recipient.example", "mx2.recipient.example", "mx"));
  /* No target: every server of the kind. */
  g_assert_true (mr_fault_info_bites_host (grey, NULL, "smtp.sender.example", "submission"));
  g_assert_false (mr_fault_info_bites_host (grey, NULL, "mail.recipient.example", "mailbox"));
  g_assert_true (mr_fault_info_bites_host (down, NULL, "mail.recipient.example", "mailbox"));
  g_assert_false (mr_fault_info_bites_host (down, NULL, "bob-laptop", "client"));
  /* DNS: the sender that looks the MX up. */
  g_assert_true (mr_fault_info_bites_host (nxdomain, "recipient.example", "smtp.sender.example", "submission"));
  g_assert_false (mr_fault_info_bites_host (nxdomain, "recipient.example", "mx1.recipient.example", "mx"));
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/world/fault/catalog", test_fault_catalog);
  g_test_add_func ("/world/fault/parse-spec", test_fault_parse_spec);
  g_test_add_func ("/world/fault/scopes", test_fault_set_scopes);
  g_test_add_func ("/world/fault/conditions", test_fault_conditions);
  g_test_add_func ("/world/fault/one-shot-and-hosts", test_fault_one_shot_and_hosts);
  g_test_add_func ("/world/fault/greylisting", test_fault_greylisting);
  g_test_add_func ("/world/fault/mailbox-protocols", test_fault_mailbox_protocols);
  g_test_add_func ("/world/fault/bites-host", test_fault_bites_host);

  return g_test_run ();
}
