/* test-auth-lab.c
 *
 * Copyright 2026 The Mailroom authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The receiving MX of the default lab with sender authentication, driven
 * over SMTP sessions from lab hosts: honest, spoofed, changed in transit,
 * forwarded, quarantined.
 */

#include "config.h"

#include <string.h>

#include "mr-account.h"
#include "mr-auth-backend.h"
#include "mr-mailbox.h"
#include "mr-message.h"
#include "mr-smtp-local-delivery.h"
#include "mr-smtp-session.h"

#define HONEST \
  "From: Alice <alice@sender.example>\r\n" \
  "To: Bob <bob@recipient.example>\r\n" \
  "Subject: Lunch\r\n" \
  "Message-ID: <1@sender.example>\r\n" \
  "\r\n" \
  "See you at noon.\r\n"

typedef struct
{
  MrClock             *clock;
  MrEventBus          *bus;
  MrStore             *store;
  MrScenario          *scenario;
  MrDns               *dns;
  MrAuthSigner        *signer;
  MrSmtpLocalDelivery *local;
  MrAuthBackend       *mx;
} Fixture;

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  f->clock = mr_clock_new ();
  f->bus = mr_event_bus_new (f->clock);
  f->store = mr_store_new ();
  f->scenario = mr_scenario_new_default ();
  mr_scenario_apply_to_store (f->scenario, f->store);
  f->dns = mr_dns_new ();
  mr_dns_load_scenario (f->dns, f->scenario);
  f->signer = mr_auth_signer_new ();
  g_assert_true (mr_auth_signer_add_lab_keys (f->signer, "sender.example", &error));
  g_assert_no_error (error);
  mr_auth_signer_publish (f->signer, f->dns);
  f->local = mr_smtp_local_delivery_new (f->store, f->clock);
  f->mx = mr_auth_backend_new_verifier (MR_SMTP_BACKEND (f->local), f->dns, f->store, f->clock,
                                        f->bus, "mx1.recipient.example");
  mr_auth_backend_set_scenario (f->mx, f->scenario);
  mr_auth_backend_set_pct_roll (f->mx, 0);
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  g_assert_finalize_object (f->mx);
  g_clear_object (&f->local);
  g_clear_pointer (&f->signer, mr_auth_signer_free);
  g_clear_object (&f->dns);
  g_clear_object (&f->scenario);
  g_clear_object (&f->store);
  g_clear_object (&f->bus);
  g_clear_object (&f->clock);
}

static GBytes *
signed_honest (Fixture *f)
{
  g_autoptr(GBytes) plain = g_bytes_new_static (HONEST, strlen (HONEST));

  return mr_auth_signer_sign (f->signer, plain, 1790910000);
}

/* One SMTP transaction from lab host @client; returns the reply to the
 * end of DATA. */
static char *
send_from (Fixture    *f,
           const char *client,
           const char *helo,
           const char *mail_from,
           const char *rcpt,
           GBytes     *message)
{
  g_autoptr(MrConversation) conversation = mr_conversation_new (f->bus, MR_PROTOCOL_SMTP, client,
                                                                "mx1.recipient.example");
  g_autoptr(MrSession) session = NULL;
  g_autoptr(GString) script = g_string_new (NULL);
  g_autoptr(GBytes) output = NULL;
  g_auto(GStrv) lines = NULL;
  g_autofree char *text = NULL;
  MrSmtpConfig config;
  const char *p, *end;
  guint n;

  mr_smtp_config_init (&config);
  config.hostname = "mx1.recipient.example";
  config.clock = f->clock;
  session = mr_smtp_session_new (MR_SMTP_BACKEND (f->mx), &config, conversation, NULL);
  mr_session_start (session);

  g_string_append_printf (script, "EHLO %s\r\nMAIL FROM:<%s>\r\nRCPT TO:<%s>\r\nDATA\r\n",
                          helo, mail_from, rcpt);
  /* dot-stuffing (RFC 5321 4.5.2) */
  p = g_bytes_get_data (message, NULL);
  end = p + g_bytes_get_size (message);
  while (p < end)
    {
      const char *nl = memchr (p, '\n', end - p);
      const char *line_end = nl ? nl + 1 : end;

      if (*p == '.')
        g_string_append_c (script, '.');
      g_string_append_len (script, p, line_end - p);
      p = line_end;
    }
  g_string_append (script, ".\r\nQUIT\r\n");
  mr_session_feed (session, (const guint8 *)script->str, script->len);

  output = mr_session_take_output (session);
  text = g_strndup (g_bytes_get_data (output, NULL), g_bytes_get_size (output));
  lines = g_strsplit (text, "\r\n", -1);
  n = g_strv_length (lines);
  /* ..., end-of-DATA reply, 221, "" */
  g_assert_cmpuint (n, >=, 3);
  g_assert_true (g_str_has_prefix (lines[n - 2], "221"));
  return g_strdup (lines[n - 3]);
}

static guint
n_messages (Fixture    *f,
            const char *address,
            const char *folder)
{
  MrAccount *account = mr_store_lookup_account (f->store, address);
  MrMailbox *mailbox = mr_account_lookup_mailbox (account, folder);

  g_assert_nonnull (mailbox);
  return g_list_model_get_n_items (G_LIST_MODEL (mailbox));
}

static char *
last_message (Fixture    *f,
              const char *address,
              const char *folder)
{
  MrAccount *account = mr_store_lookup_account (f->store, address);
  MrMailbox *mailbox = mr_account_lookup_mailbox (account, folder);
  guint n = g_list_model_get_n_items (G_LIST_MODEL (mailbox));
  g_autoptr(MrMessage) message = NULL;
  GBytes *raw;

  g_assert_cmpuint (n, >, 0);
  message = g_list_model_get_item (G_LIST_MODEL (mailbox), n - 1);
  raw = mr_message_get_raw (message);
  return g_strndup (g_bytes_get_data (raw, NULL), g_bytes_get_size (raw));
}

/* The notes emitted with @verb since @after, "state text" joined by "\n". */
static char *
notes_since (Fixture    *f,
             guint64     after,
             const char *verb)
{
  g_autoptr(GPtrArray) events = mr_event_bus_dup_since (f->bus, after, 0);
  g_autoptr(GString) s = g_string_new (NULL);

  for (guint i = 0; i < events->len; i++)
    {
      MrEvent *event = g_ptr_array_index (events, i);

      if (event->kind == MR_EVENT_NOTE && g_strcmp0 (event->verb, verb) == 0)
        g_string_append_printf (s, "%s %s\n", event->state, event->text);
    }
  return g_string_free (g_steal_pointer (&s), FALSE);
}

static void
test_honest (Fixture       *f,
             gconstpointer  data)
{
  g_autoptr(GBytes) message = signed_honest (f);
  g_autofree char *reply = NULL;
  g_autofree char *delivered = NULL;
  g_autofree char *dkim = NULL;
  guint64 seq = mr_event_bus_get_last_seq (f->bus);
  MrAuthReport *report;

  reply = send_from (f, "smtp.sender.example", "smtp.sender.example", "alice@sender.example",
                     "bob@recipient.example", message);
  g_assert_true (g_str_has_prefix (reply, "250 "));

  delivered = last_message (f, "bob@recipient.example", "INBOX");
  g_test_message ("%s", delivered);
  /* the trace: our Received:, then our Authentication-Results: */
  g_assert_true (g_str_has_prefix (delivered, "Return-Path: <alice@sender.example>\r\n"
                                              "Received: from smtp.sender.example"));
  g_assert_nonnull (strstr (delivered, "\r\nAuthentication-Results: mx1.recipient.example;\r\n"
                                       "\tspf=pass ("));
  g_assert_true (strstr (delivered, "Authentication-Results:") < strstr (delivered, "DKIM-Signature:"));
  g_assert_nonnull (strstr (delivered, "smtp.mailfrom=sender.example;\r\n\tdkim=pass"));
  g_assert_nonnull (strstr (delivered, "header.d=sender.example header.s=lab "));
  g_assert_nonnull (strstr (delivered, "header.d=sender.example header.s=lab-ed25519 "));
  g_assert_nonnull (strstr (delivered, "\tdmarc=pass (p=reject dis=none) header.from=sender.example\r\n"));

  report = mr_auth_backend_get_last_report (f->mx);
  g_assert_nonnull (report);
  g_assert_cmpint (report->action, ==, MR_AUTH_ACCEPT);
  g_assert_cmpuint (report->dkim->len, ==, 2);
  g_assert_true (report->dmarc->spf_aligned);
  g_assert_true (report->dmarc->dkim_aligned);

  dkim = notes_since (f, seq, "DKIM");
  g_assert_nonnull (strstr (dkim, "pass dkim=pass header.d=sender.example header.s=lab a=rsa-sha256 "
                                  "h=from:to:subject:message-id body-hash=match"));
}

static void
test_spoofed (Fixture       *f,
              gconstpointer  data)
{
  g_autoptr(GBytes) message = g_bytes_new_static (HONEST, strlen (HONEST));
  guint64 seq = mr_event_bus_get_last_seq (f->bus);
  g_autofree char *reply = NULL;
  g_autofree char *spf = NULL;
  g_autofree char *dmarc = NULL;
  g_autofree char *action = NULL;

  reply = send_from (f, "spoofer.example", "spoofer.example", "alice@sender.example",
                     "bob@recipient.example", message);
  g_assert_cmpstr (reply, ==, "550 5.7.26 Unauthenticated email from sender.example is not accepted "
                              "due to domain's DMARC policy");
  g_assert_cmpuint (n_messages (f, "bob@recipient.example", "INBOX"), ==, 0);
  g_assert_cmpuint (n_messages (f, "bob@recipient.example", "Junk"), ==, 0);

  spf = notes_since (f, seq, "SPF");
  g_assert_true (g_str_has_prefix (spf, "fail spf=fail smtp.mailfrom=sender.example client=203.0.113.66 ("));
  dmarc = notes_since (f, seq, "DMARC");
  g_assert_true (g_str_has_prefix (dmarc, "fail dmarc=fail header.from=sender.example p=reject "
                                          "disposition=reject spf-aligned=no dkim-aligned=no"));
  action = notes_since (f, seq, "AUTH");
  g_assert_cmpstr (action, ==, "reject authentication: reject\n");

  /* A loopback client (swaks against mailroom-server) plays the lab host
   * it names in HELO... */
  {
    g_autofree char *again = send_from (f, "127.0.0.1:53312", "SPOOFER.example", "alice@sender.example",
                                        "bob@recipient.example", message);
    g_autofree char *spf_again = NULL;

    g_assert_true (g_str_has_prefix (again, "550 5.7.26 "));
    spf_again = notes_since (f, seq, "SPF");
    g_assert_nonnull (strstr (spf_again, "\nfail spf=fail smtp.mailfrom=sender.example client=203.0.113.66 ("));
  }
  /* ... and naming none it is a trusted local client, not checked */
  {
    g_autofree char *local = send_from (f, "127.0.0.1:53313", "laptop.example", "alice@sender.example",
                                        "bob@recipient.example", message);
    g_autofree char *delivered = NULL;
    g_autofree char *skipped = NULL;

    g_assert_true (g_str_has_prefix (local, "250 "));
    delivered = last_message (f, "bob@recipient.example", "INBOX");
    g_assert_null (strstr (delivered, "Authentication-Results:"));
    skipped = notes_since (f, seq, "AUTH");
    g_assert_nonnull (strstr (skipped, "skip authentication: not checked, 127.0.0.1 is a local client"));
  }
}

static void
test_changed_in_transit (Fixture       *f,
                         gconstpointer  data)
{
  g_autoptr(GBytes) message = signed_honest (f);
  g_autoptr(GString) changed = g_string_new_len (g_bytes_get_data (message, NULL), g_bytes_get_size (message));
  g_autoptr(GBytes) changed_bytes = NULL;
  g_autofree char *relayed = NULL;
  g_autofree char *direct = NULL;
  g_autofree char *delivered = NULL;
  MrAuthReport *report;

  g_string_replace (changed, "See you at noon.", "See you at noon. Click http://evil.example/", 1);
  changed_bytes = g_string_free_to_bytes (g_steal_pointer (&changed));

  /* through a relay that rewrote it: DKIM and SPF fail, so DMARC rejects */
  relayed = send_from (f, "mx.lists.example", "mx.lists.example", "alice@sender.example",
                       "bob@recipient.example", changed_bytes);
  g_assert_true (g_str_has_prefix (relayed, "550 5.7.26 "));
  report = mr_auth_backend_get_last_report (f->mx);
  g_assert_cmpuint (report->dkim->len, ==, 2);
  for (guint i = 0; i < report->dkim->len; i++)
    {
      MrDkimVerdict *v = g_ptr_array_index (report->dkim, i);

      g_assert_cmpint (v->result, ==, MR_DKIM_FAIL);
      g_assert_cmpint (v->failure, ==, MR_DKIM_FAILURE_BODY_HASH_MISMATCH);
      g_assert_false (v->body_hash_ok);
    }

  /* from the right address, the body change still breaks DKIM, and
   * DMARC passes on SPF alone */
  direct = send_from (f, "smtp.sender.example", "smtp.sender.example", "alice@sender.example",
                      "bob@recipient.example", changed_bytes);
  g_assert_true (g_str_has_prefix (direct, "250 "));
  delivered = last_message (f, "bob@recipient.example", "INBOX");
  g_assert_nonnull (strstr (delivered, "\tdkim=fail (body hash mismatch: the body changed after signing) "
                                       "header.d=sender.example header.s=lab "));
  g_assert_nonnull (strstr (delivered, "\tdmarc=pass"));
}

static void
test_forwarded (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr(GBytes) message = signed_honest (f);
  g_autofree char *reply = NULL;
  g_autofree char *delivered = NULL;

  /* a forwarder keeps the envelope sender: SPF fails, DKIM survives */
  reply = send_from (f, "mx.lists.example", "mx.lists.example", "alice@sender.example",
                     "bob@recipient.example", message);
  g_assert_true (g_str_has_prefix (reply, "250 "));
  delivered = last_message (f, "bob@recipient.example", "INBOX");
  g_assert_nonnull (strstr (delivered, "\tspf=fail ("));
  g_assert_nonnull (strstr (delivered, "\tdkim=pass ("));
  g_assert_nonnull (strstr (delivered, "\tdmarc=pass (p=reject dis=none)"));
}

static void
test_quarantine (Fixture       *f,
                 gconstpointer  data)
{
  g_autoptr(GBytes) message = g_bytes_new_static (HONEST, strlen (HONEST));
  g_autofree char *reply = NULL;
  g_autofree char *junk = NULL;
  MrAccount *bob = mr_store_lookup_account (f->store, "bob@recipient.example");
  g_autoptr(MrMessage) stored = NULL;

  /* the lab DNS is editable at run time */
  mr_dns_set_record (f->dns, "_dmarc.sender.example", MR_DNS_TXT, "v=DMARC1; p=quarantine", 0);
  reply = send_from (f, "spoofer.example", "spoofer.example", "alice@sender.example",
                     "bob@recipient.example", message);
  g_assert_true (g_str_has_prefix (reply, "250 "));
  g_assert_cmpuint (n_messages (f, "bob@recipient.example", "INBOX"), ==, 0);
  g_assert_cmpuint (n_messages (f, "bob@recipient.example", "Junk"), ==, 1);
  junk = last_message (f, "bob@recipient.example", "Junk");
  g_assert_nonnull (strstr (junk, "\tdmarc=fail (p=quarantine dis=quarantine) header.from=sender.example"));
  stored = g_list_model_get_item (G_LIST_MODEL (mr_account_lookup_mailbox (bob, "Junk")), 0);
  g_assert_true (mr_message_has_keyword (stored, "$Junk"));

  /* pct=0: nobody is sampled, quarantine softens to none (RFC 7489 6.6.4) */
  mr_dns_set_record (f->dns, "_dmarc.sender.example", MR_DNS_TXT, "v=DMARC1; p=quarantine; pct=0", 0);
  g_free (reply);
  reply = send_from (f, "spoofer.example", "spoofer.example", "alice@sender.example",
                     "bob@recipient.example", message);
  g_assert_true (g_str_has_prefix (reply, "250 "));
  g_assert_cmpuint (n_messages (f, "bob@recipient.example", "INBOX"), ==, 1);
}

static void
test_weak_domain (Fixture       *f,
                  gconstpointer  data)
{
  static const char carol[] =
    "From: carol@lists.example\r\nTo: bob@recipient.example\r\nSubject: hi\r\n\r\nhi\r\n";
  g_autoptr(GBytes) message = g_bytes_new_static (carol, strlen (carol));
  g_autofree char *reply = NULL;
  g_autofree char *delivered = NULL;

  /* lists.example: "?all" and p=none; a forgery is only recorded */
  reply = send_from (f, "bob-laptop", "bob-laptop", "carol@lists.example", "bob@recipient.example",
                     message);
  g_assert_true (g_str_has_prefix (reply, "250 "));
  delivered = last_message (f, "bob@recipient.example", "INBOX");
  g_assert_nonnull (strstr (delivered, "\tspf=neutral ("));
  g_assert_nonnull (strstr (delivered, "\tdkim=none (no signature)"));
  g_assert_nonnull (strstr (delivered, "\tdmarc=fail (p=none dis=none) header.from=lists.example"));
}

/* A forged Authentication-Results naming our host is removed (RFC 8601 5). */
static void
test_forged_results (Fixture       *f,
                     gconstpointer  data)
{
  static const char forged[] =
    "Authentication-Results: mx1.recipient.example; dmarc=pass\r\n"
    "Authentication-Results: other.example;\r\n dkim=pass header.d=x\r\n"
    "From: carol@lists.example\r\nTo: bob@recipient.example\r\n\r\nhi\r\n";
  g_autoptr(GBytes) message = g_bytes_new_static (forged, strlen (forged));
  g_autofree char *reply = NULL;
  g_autofree char *delivered = NULL;
  const char *first, *second;

  reply = send_from (f, "bob-laptop", "bob-laptop", "carol@lists.example", "bob@recipient.example",
                     message);
  g_assert_true (g_str_has_prefix (reply, "250 "));
  delivered = last_message (f, "bob@recipient.example", "INBOX");
  first = strstr (delivered, "Authentication-Results: mx1.recipient.example");
  g_assert_nonnull (first);
  g_assert_null (strstr (first + 1, "Authentication-Results: mx1.recipient.example"));
  second = strstr (delivered, "Authentication-Results: other.example;\r\n dkim=pass");
  g_assert_nonnull (second);
  g_assert_null (strstr (delivered, "; dmarc=pass\r\n"));
}

static void
test_resolve_client (Fixture       *f,
                     gconstpointer  data)
{
  static const struct { const char *client, *ip; } cases[] = {
    { "127.0.0.1:4242", "127.0.0.1" },
    { "[2001:db8::1]:25", "2001:db8::1" },
    { "2001:db8::1", "2001:db8::1" },
    { "192.0.2.9", "192.0.2.9" },
    { "smtp.sender.example", "192.0.2.25" },
    { "spoofer.example", "203.0.113.66" },
    { "alice-laptop", "192.0.2.10" },
    { "nowhere.example", NULL },
    { "", NULL },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *ip = mr_auth_backend_resolve_client (f->mx, cases[i].client);

      g_assert_cmpstr (ip, ==, cases[i].ip);
    }
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

#define ADD(path, func) g_test_add (path, Fixture, NULL, fixture_setup, func, fixture_teardown)
  ADD ("/auth/lab/honest", test_honest);
  ADD ("/auth/lab/spoofed", test_spoofed);
  ADD ("/auth/lab/changed-in-transit", test_changed_in_transit);
  ADD ("/auth/lab/forwarded", test_forwarded);
  ADD ("/auth/lab/quarantine", test_quarantine);
  ADD ("/auth/lab/weak-domain", test_weak_domain);
  ADD ("/auth/lab/forged-results", test_forged_results);
  ADD ("/auth/lab/resolve-client", test_resolve_client);
#undef ADD

  return g_test_run ();
}
