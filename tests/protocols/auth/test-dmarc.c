/* test-dmarc.c
 *
 * Copyright 2026 The Mailroom authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <string.h>

#include "mr-auth-results.h"
#include "mr-dmarc.h"
#include "mr-dns.h"

static void
test_record (void)
{
  static const struct {
    const char *text;
    gboolean ok;
    MrDmarcPolicy p, sp;
    gboolean adkim_strict, aspf_strict;
    guint pct;
    const char *rua;
  } cases[] = {
    /* RFC 7489 B.2.1, B.2.3, B.2.4 */
    { "v=DMARC1; p=none; rua=mailto:dmarc-feedback@example.com", TRUE,
      MR_DMARC_POLICY_NONE, MR_DMARC_POLICY_NONE, FALSE, FALSE, 100, "mailto:dmarc-feedback@example.com" },
    { "v=DMARC1; p=none; rua=mailto:dmarc-feedback@example.com; ruf=mailto:auth-reports@example.com", TRUE,
      MR_DMARC_POLICY_NONE, MR_DMARC_POLICY_NONE, FALSE, FALSE, 100, "mailto:dmarc-feedback@example.com" },
    { "v=DMARC1; p=quarantine; rua=mailto:dmarc-feedback@example.com,mailto:tld-test@thirdparty.example.net!10m; pct=25",
      TRUE, MR_DMARC_POLICY_QUARANTINE, MR_DMARC_POLICY_QUARANTINE, FALSE, FALSE, 25,
      "mailto:dmarc-feedback@example.com,mailto:tld-test@thirdparty.example.net!10m" },
    /* the lab's own */
    { "v=DMARC1; p=reject; rua=mailto:dmarc@sender.example", TRUE,
      MR_DMARC_POLICY_REJECT, MR_DMARC_POLICY_REJECT, FALSE, FALSE, 100, "mailto:dmarc@sender.example" },
    { "v=DMARC1; p=reject; sp=none; adkim=s; aspf=s; pct=0", TRUE,
      MR_DMARC_POLICY_REJECT, MR_DMARC_POLICY_NONE, TRUE, TRUE, 0, NULL },
    { "v=DMARC1;p=QUARANTINE", TRUE,
      MR_DMARC_POLICY_QUARANTINE, MR_DMARC_POLICY_QUARANTINE, FALSE, FALSE, 100, NULL },
    /* unknown tags are ignored */
    { "v=DMARC1; p=none; fo=1; future=yes", TRUE,
      MR_DMARC_POLICY_NONE, MR_DMARC_POLICY_NONE, FALSE, FALSE, 100, NULL },
    /* a bad p= with a rua= reads as p=none (6.6.3) */
    { "v=DMARC1; p=bogus; rua=mailto:d@example.com", TRUE,
      MR_DMARC_POLICY_NONE, MR_DMARC_POLICY_NONE, FALSE, FALSE, 100, "mailto:d@example.com" },
    { "v=DMARC1; rua=mailto:d@example.com", TRUE,
      MR_DMARC_POLICY_NONE, MR_DMARC_POLICY_NONE, FALSE, FALSE, 100, "mailto:d@example.com" },
    /* refused */
    { "v=DMARC1; p=bogus", FALSE },
    { "v=DMARC1", FALSE },
    { "p=reject; v=DMARC1", FALSE },
    { "v=dmarc1; p=reject", FALSE },
    { "v=DMARC10; p=reject", FALSE },
    { "v=DMARC1; p=reject; pct=101", FALSE },
    { "v=DMARC1; p=reject; pct=-1", FALSE },
    { "v=DMARC1; p=reject; adkim=x", FALSE },
    { "v=DMARC1; p=reject; p=none", FALSE },
    { "", FALSE },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(MrDmarcRecord) record = mr_dmarc_record_parse (cases[i].text, &error);

      g_test_message ("%s", cases[i].text);
      if (!cases[i].ok)
        {
          g_assert_null (record);
          g_assert_nonnull (error);
          continue;
        }
      g_assert_no_error (error);
      g_assert_cmpstr (mr_dmarc_policy_to_string (record->policy), ==, mr_dmarc_policy_to_string (cases[i].p));
      g_assert_cmpstr (mr_dmarc_policy_to_string (record->subdomain_policy), ==,
                       mr_dmarc_policy_to_string (cases[i].sp));
      g_assert_cmpint (record->adkim_strict, ==, cases[i].adkim_strict);
      g_assert_cmpint (record->aspf_strict, ==, cases[i].aspf_strict);
      g_assert_cmpuint (record->pct, ==, cases[i].pct);
      g_assert_cmpstr (record->rua, ==, cases[i].rua);
    }
}

/* RFC 7489 3.1.1 and 3.1.2: the alignment examples. */
static void
test_alignment (void)
{
  static const struct { const char *domain, *from; gboolean relaxed, strict; } cases[] = {
    { "example.com", "example.com", TRUE, TRUE },
    { "child.example.com", "example.com", TRUE, FALSE },
    { "example.com", "child.example.com", TRUE, FALSE },
    { "EXAMPLE.com", "example.COM", TRUE, TRUE },
    { "example.net", "example.com", FALSE, FALSE },
    { "badexample.com", "example.com", FALSE, FALSE },
    { "", "example.com", FALSE, FALSE },
  };
  static const struct { const char *in, *out; } orgs[] = {
    { "sender.example", "sender.example" },
    { "mx1.recipient.example", "recipient.example" },
    { "a.b.c.lists.example.", "lists.example" },
    { "localhost", "localhost" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_assert_cmpint (mr_dmarc_aligned (cases[i].domain, cases[i].from, FALSE), ==, cases[i].relaxed);
      g_assert_cmpint (mr_dmarc_aligned (cases[i].domain, cases[i].from, TRUE), ==, cases[i].strict);
    }
  for (guint i = 0; i < G_N_ELEMENTS (orgs); i++)
    {
      g_autofree char *org = mr_dmarc_organizational_domain (orgs[i].in);

      g_assert_cmpstr (org, ==, orgs[i].out);
    }
}

static void
test_from_domain (void)
{
  static const struct { const char *message, *domain; } cases[] = {
    { "From: Alice <alice@sender.example>\r\n\r\nhi\r\n", "sender.example" },
    { "from:alice@Sender.Example\r\n\r\n", "sender.example" },
    { "Subject: x\r\nFrom: \"Alice, <a@evil.example>\" (comment @ x)\r\n <alice@sender.example>\r\n\r\n",
      "sender.example" },
    { "From: Alice\n <alice@sender.example>\n\nbody\n", "sender.example" },
    /* RFC 7489 6.6.1: none, several From fields, several authors */
    { "Subject: no from\r\n\r\n", NULL },
    { "From: a@one.example\r\nFrom: b@two.example\r\n\r\n", NULL },
    { "From: a@one.example, b@two.example\r\n\r\n", NULL },
    { "From: undisclosed\r\n\r\n", NULL },
    { "From: <alice@>\r\n\r\n", NULL },
    /* a From in the body is not a header */
    { "Subject: x\r\n\r\nFrom: alice@sender.example\r\n", NULL },
    { "", NULL },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GBytes) bytes = g_bytes_new (cases[i].message, strlen (cases[i].message));
      g_autofree char *domain = mr_dmarc_dup_from_domain (bytes);

      g_assert_cmpstr (domain, ==, cases[i].domain);
    }
}

static MrSpfVerdict *
spf_verdict (MrSpfResult result,
             const char *domain)
{
  MrSpfVerdict *v = g_new0 (MrSpfVerdict, 1);

  v->result = result;
  v->identity = g_strdup ("mailfrom");
  v->domain = g_strdup (domain);
  v->reason = g_strdup ("test");
  return v;
}

static GPtrArray *
dkim_verdicts (MrDkimResult result,
               const char  *domain)
{
  GPtrArray *array = g_ptr_array_new_with_free_func ((GDestroyNotify)mr_dkim_verdict_free);

  if (domain != NULL)
    {
      MrDkimVerdict *v = g_new0 (MrDkimVerdict, 1);

      v->result = result;
      v->domain = g_strdup (domain);
      v->selector = g_strdup ("lab");
      v->b_prefix = g_strdup ("abcdefgh");
      v->reason = g_strdup ("test");
      g_ptr_array_add (array, v);
    }
  return array;
}

static void
test_evaluate (void)
{
  static const struct {
    const char *from;
    MrSpfResult spf; const char *spf_domain;
    MrDkimResult dkim; const char *dkim_domain;
    guint roll;
    const char *result, *policy, *disposition;
  } cases[] = {
    /* honest: both aligned */
    { "sender.example", MR_SPF_PASS, "sender.example", MR_DKIM_PASS, "sender.example", 0,
      "pass", "reject", "none" },
    /* spoofed: SPF fails, no signature */
    { "sender.example", MR_SPF_FAIL, "sender.example", MR_DKIM_NONE, NULL, 0,
      "fail", "reject", "reject" },
    /* forwarded: SPF breaks, DKIM survives */
    { "sender.example", MR_SPF_FAIL, "sender.example", MR_DKIM_PASS, "sender.example", 0,
      "pass", "reject", "none" },
    /* changed in transit: DKIM fails, SPF of the relay passes for its own domain */
    { "sender.example", MR_SPF_PASS, "relay.example", MR_DKIM_FAIL, "sender.example", 0,
      "fail", "reject", "reject" },
    /* an SPF pass for another domain is not aligned */
    { "sender.example", MR_SPF_PASS, "evil.example", MR_DKIM_PASS, "evil.example", 0,
      "fail", "reject", "reject" },
    /* relaxed: a subdomain is aligned */
    { "sender.example", MR_SPF_PASS, "bounces.sender.example", MR_DKIM_NONE, NULL, 0,
      "pass", "reject", "none" },
    /* strict (adkim=s aspf=s at strict.example) */
    { "strict.example", MR_SPF_PASS, "bounces.strict.example", MR_DKIM_PASS, "mail.strict.example", 0,
      "fail", "quarantine", "quarantine" },
    { "strict.example", MR_SPF_PASS, "strict.example", MR_DKIM_NONE, NULL, 0,
      "pass", "quarantine", "none" },
    /* a subdomain without its own record takes sp= of the organizational domain */
    { "news.strict.example", MR_SPF_FAIL, "news.strict.example", MR_DKIM_NONE, NULL, 0,
      "fail", "none", "none" },
    /* pct=50: inside the sample the policy applies, outside one step softer */
    { "half.example", MR_SPF_FAIL, "half.example", MR_DKIM_NONE, NULL, 49,
      "fail", "reject", "reject" },
    { "half.example", MR_SPF_FAIL, "half.example", MR_DKIM_NONE, NULL, 50,
      "fail", "reject", "quarantine" },
    /* the weak lists.example: p=none records only */
    { "lists.example", MR_SPF_SOFTFAIL, "lists.example", MR_DKIM_NONE, NULL, 0,
      "fail", "none", "none" },
    /* no policy */
    { "nopolicy.example", MR_SPF_FAIL, "nopolicy.example", MR_DKIM_NONE, NULL, 0,
      "none", "none", "none" },
    /* two records: no DMARC (6.6.3) */
    { "two.example", MR_SPF_FAIL, "two.example", MR_DKIM_NONE, NULL, 0,
      "none", "none", "none" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(MrDns) dns = mr_dns_new ();
      g_autoptr(MrSpfVerdict) spf = spf_verdict (cases[i].spf, cases[i].spf_domain);
      g_autoptr(GPtrArray) dkim = dkim_verdicts (cases[i].dkim, cases[i].dkim_domain);
      g_autoptr(MrDmarcVerdict) v = NULL;

      mr_dns_add_record (dns, "_dmarc.sender.example", MR_DNS_TXT,
                         "v=DMARC1; p=reject; rua=mailto:dmarc@sender.example", 0);
      mr_dns_add_record (dns, "_dmarc.strict.example", MR_DNS_TXT,
                         "v=DMARC1; p=quarantine; sp=none; adkim=s; aspf=s", 0);
      mr_dns_add_record (dns, "_dmarc.half.example", MR_DNS_TXT, "v=DMARC1; p=reject; pct=50", 0);
      mr_dns_add_record (dns, "_dmarc.lists.example", MR_DNS_TXT, "v=DMARC1; p=none", 0);
      mr_dns_add_record (dns, "_dmarc.two.example", MR_DNS_TXT, "v=DMARC1; p=reject", 0);
      mr_dns_add_record (dns, "_dmarc.two.example", MR_DNS_TXT, "v=DMARC1; p=none", 0);
      mr_dns_add_record (dns, "_dmarc.nopolicy.example", MR_DNS_TXT, "some other text", 0);

      v = mr_dmarc_evaluate (dns, cases[i].from, spf, dkim, cases[i].roll);
      g_test_message ("case %u: %s", i, v->reason);
      g_assert_cmpstr (mr_dmarc_result_to_string (v->result), ==, cases[i].result);
      g_assert_cmpstr (mr_dmarc_policy_to_string (v->policy), ==, cases[i].policy);
      g_assert_cmpstr (mr_dmarc_policy_to_string (v->disposition), ==, cases[i].disposition);
    }

  /* a DNS failure is temporary; no From is a permerror */
  {
    g_autoptr(MrDns) dns = mr_dns_new ();
    g_autoptr(MrDmarcVerdict) temp = NULL;
    g_autoptr(MrDmarcVerdict) perm = NULL;

    mr_dns_set_failure (dns, "_dmarc.sender.example", MR_DNS_SERVFAIL);
    temp = mr_dmarc_evaluate (dns, "sender.example", NULL, NULL, 0);
    g_assert_cmpstr (mr_dmarc_result_to_string (temp->result), ==, "temperror");
    perm = mr_dmarc_evaluate (dns, NULL, NULL, NULL, 0);
    g_assert_cmpstr (mr_dmarc_result_to_string (perm->result), ==, "permerror");
  }
}

static void
test_auth_results_format (void)
{
  g_autoptr(MrDns) dns = mr_dns_new ();
  g_autoptr(MrSpfVerdict) spf = spf_verdict (MR_SPF_PASS, "sender.example");
  g_autoptr(GPtrArray) dkim = dkim_verdicts (MR_DKIM_PASS, "sender.example");
  g_autoptr(GPtrArray) unsigned_ = dkim_verdicts (MR_DKIM_NONE, NULL);
  g_autoptr(MrDmarcVerdict) dmarc = NULL;
  g_autofree char *field = NULL;
  g_autofree char *nothing = NULL;
  g_autofree char *bad = NULL;
  g_autoptr(GPtrArray) parsed = NULL;
  g_autofree char *authserv_id = NULL;
  MrAuthResult *r;

  g_free (spf->reason);
  spf->reason = g_strdup ("192.0.2.25 is permitted by \xe2\x80\x9cip4:192.0.2.25\xe2\x80\x9d (sure)");
  mr_dns_add_record (dns, "_dmarc.sender.example", MR_DNS_TXT, "v=DMARC1; p=reject", 0);
  dmarc = mr_dmarc_evaluate (dns, "sender.example", spf, dkim, 0);

  field = mr_auth_results_format ("mx1.recipient.example", spf, dkim, dmarc);
  g_assert_cmpstr (field, ==,
                   "Authentication-Results: mx1.recipient.example;\r\n"
                   "\tspf=pass (192.0.2.25 is permitted by \"ip4:192.0.2.25\" [sure]) smtp.mailfrom=sender.example;\r\n"
                   "\tdkim=pass (test) header.d=sender.example header.s=lab header.b=abcdefgh;\r\n"
                   "\tdmarc=pass (p=reject dis=none) header.from=sender.example\r\n");

  /* what we write, we read */
  parsed = mr_auth_results_parse (strchr (field, ':') + 1, &authserv_id);
  g_assert_nonnull (parsed);
  g_assert_cmpstr (authserv_id, ==, "mx1.recipient.example");
  g_assert_cmpuint (parsed->len, ==, 3);
  r = g_ptr_array_index (parsed, 1);
  g_assert_cmpstr (r->method, ==, "dkim");
  g_assert_cmpstr (r->result, ==, "pass");
  g_assert_cmpstr (r->comment, ==, "test");
  g_assert_cmpstr (mr_auth_result_get_property (r, "header.d"), ==, "sender.example");
  g_assert_cmpstr (mr_auth_result_get_property (r, "header.b"), ==, "abcdefgh");
  r = g_ptr_array_index (parsed, 2);
  g_assert_cmpstr (mr_auth_result_get_property (r, "header.from"), ==, "sender.example");

  nothing = mr_auth_results_format ("mx1.recipient.example", NULL, NULL, NULL);
  g_assert_cmpstr (nothing, ==, "Authentication-Results: mx1.recipient.example; none\r\n");
  bad = mr_auth_results_format ("mx1.recipient.example", NULL, unsigned_, NULL);
  g_assert_cmpstr (bad, ==, "Authentication-Results: mx1.recipient.example;\r\n\tdkim=none (no signature)\r\n");
}

/* RFC 8601 Appendix B examples. */
static void
test_auth_results_parse (void)
{
  static const struct { const char *value; const char *authserv_id; guint n; } good[] = {
    { " example.org 1; none", "example.org", 0 },
    { " example.com;\r\n spf=pass smtp.mailfrom=example.net", "example.com", 1 },
    { " example.com;\r\n auth=pass (cram-md5) smtp.auth=sender@example.net;\r\n spf=pass smtp.mailfrom=example.net",
      "example.com", 2 },
    { " example.com;\r\n sender-id=fail header.from=example.com;\r\n dkim=pass (good signature) header.d=example.com",
      "example.com", 2 },
    { " example.com;\r\n dkim=pass reason=\"good signature\"\r\n header.i=@mail-router.example.net;\r\n"
      " dkim=fail reason=\"bad signature\"\r\n header.i=@newyork.example.com", "example.com", 2 },
    { " (comment) example.com (another); spf=pass (ok) (more) smtp.mailfrom=x", "example.com", 1 },
  };
  static const char * const bad[] = {
    "", ";", " example.com; spf", " example.com; spf=", " example.com; spf=pass smtp.mailfrom",
    " example.com; spf=pass (unclosed", " example.com garbage", " example.com; spf=pass x=\"open",
  };

  for (guint i = 0; i < G_N_ELEMENTS (good); i++)
    {
      g_autofree char *id = NULL;
      g_autoptr(GPtrArray) results = mr_auth_results_parse (good[i].value, &id);

      g_test_message ("%s", good[i].value);
      g_assert_nonnull (results);
      g_assert_cmpstr (id, ==, good[i].authserv_id);
      g_assert_cmpuint (results->len, ==, good[i].n);
    }
  {
    g_autoptr(GPtrArray) results = mr_auth_results_parse (good[4].value, NULL);
    MrAuthResult *r = g_ptr_array_index (results, 1);

    g_assert_cmpstr (r->result, ==, "fail");
    g_assert_cmpstr (mr_auth_result_get_property (r, "reason"), ==, "bad signature");
    g_assert_cmpstr (mr_auth_result_get_property (r, "header.i"), ==, "@newyork.example.com");
  }
  {
    g_autoptr(GPtrArray) results = mr_auth_results_parse (good[2].value, NULL);
    MrAuthResult *r = g_ptr_array_index (results, 0);

    g_assert_cmpstr (r->comment, ==, "cram-md5");
  }
  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr(GPtrArray) results = mr_auth_results_parse (bad[i], NULL);

      g_test_message ("bad: %s", bad[i]);
      g_assert_null (results);
    }
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/auth/dmarc/record", test_record);
  g_test_add_func ("/auth/dmarc/alignment", test_alignment);
  g_test_add_func ("/auth/dmarc/from-domain", test_from_domain);
  g_test_add_func ("/auth/dmarc/evaluate", test_evaluate);
  g_test_add_func ("/auth/results/format", test_auth_results_format);
  g_test_add_func ("/auth/results/parse", test_auth_results_parse);

  return g_test_run ();
}
