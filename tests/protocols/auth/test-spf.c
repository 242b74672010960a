/* test-spf.c
 *
 * Copyright 2026 The Mailroom authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "mr-dns.h"
#include "mr-spf.h"

/* RFC 7208 Appendix A: the example zone. */
static const char * const rfc_zone[] = {
  "example.com MX 10 mx.example.com",
  "example.com MX 20 mx2.example.com",
  "mx.example.com A 192.0.2.1",
  "mx2.example.com A 192.0.2.129",
  "example.com A 192.0.2.10",
  "example.com A 192.0.2.11",
  "amy.example.com A 192.0.2.65",
  "bob.example.com A 192.0.2.66",
  "mail-a.example.com A 192.0.2.129",
  "example.org MX 10 mail-c.example.org",
  "mail-c.example.org A 192.0.2.140",
  NULL
};

/* "name TYPE value" or "name MX prio exchange"; TXT values keep spaces. */
static void
add_records (MrDns              *dns,
             const char * const *lines)
{
  for (guint i = 0; lines != NULL && lines[i] != NULL; i++)
    {
      g_auto(GStrv) parts = g_strsplit (lines[i], " ", 3);
      MrDnsType type = MR_DNS_A;

      g_assert_nonnull (parts[1]);
      g_assert_true (mr_dns_type_from_string (parts[1], &type));
      if (type == MR_DNS_MX)
        {
          g_auto(GStrv) mx = g_strsplit (parts[2], " ", 2);

          mr_dns_add_record (dns, parts[0], type, mx[1], atoi (mx[0]));
        }
      else
        mr_dns_add_record (dns, parts[0], type, parts[2], 0);
    }
}

typedef struct
{
  const char  *record;     /* TXT of example.com (NULL: none) */
  const char  *ip;
  MrSpfResult  expected;
} RfcCase;

/* RFC 7208 A.1 "Simple Examples", checked from several clients. */
static const RfcCase rfc_cases[] = {
  { "v=spf1 +all", "192.0.2.65", MR_SPF_PASS },
  { "v=spf1 a -all", "192.0.2.65", MR_SPF_FAIL },
  { "v=spf1 a -all", "192.0.2.10", MR_SPF_PASS },
  { "v=spf1 a -all", "192.0.2.11", MR_SPF_PASS },
  { "v=spf1 a:example.org -all", "192.0.2.10", MR_SPF_FAIL },
  { "v=spf1 mx -all", "192.0.2.129", MR_SPF_PASS },
  { "v=spf1 mx -all", "192.0.2.1", MR_SPF_PASS },
  { "v=spf1 mx -all", "192.0.2.65", MR_SPF_FAIL },
  { "v=spf1 mx:example.org -all", "192.0.2.140", MR_SPF_PASS },
  { "v=spf1 mx:example.org -all", "192.0.2.1", MR_SPF_FAIL },
  { "v=spf1 mx mx:example.org -all", "192.0.2.140", MR_SPF_PASS },
  { "v=spf1 mx mx:example.org -all", "192.0.2.129", MR_SPF_PASS },
  { "v=spf1 mx/30 mx:example.org/30 -all", "192.0.2.130", MR_SPF_PASS },
  { "v=spf1 mx/30 mx:example.org/30 -all", "192.0.2.141", MR_SPF_PASS },
  { "v=spf1 mx/30 mx:example.org/30 -all", "192.0.2.65", MR_SPF_FAIL },
  { "v=spf1 ptr -all", "192.0.2.65", MR_SPF_PASS },
  { "v=spf1 ptr -all", "192.0.2.140", MR_SPF_FAIL },
  { "v=spf1 ip4:192.0.2.128/28 -all", "192.0.2.65", MR_SPF_FAIL },
  { "v=spf1 ip4:192.0.2.128/28 -all", "192.0.2.129", MR_SPF_PASS },
  /* qualifiers (RFC 7208 4.6.2) and the default result (4.7) */
  { "v=spf1 ~all", "192.0.2.65", MR_SPF_SOFTFAIL },
  { "v=spf1 ?all", "192.0.2.65", MR_SPF_NEUTRAL },
  { "v=spf1 ip4:192.0.2.1", "192.0.2.65", MR_SPF_NEUTRAL },
  { "v=spf1", "192.0.2.65", MR_SPF_NEUTRAL },
  { "V=SPF1 IP4:192.0.2.65 -ALL", "192.0.2.65", MR_SPF_PASS },
  { "v=spf1  ip4:192.0.2.65   -all", "192.0.2.65", MR_SPF_PASS },
  { "v=spf1 -ip4:192.0.2.65 +all", "192.0.2.65", MR_SPF_FAIL },
  /* ip6, and an IPv6 client never matches ip4 */
  { "v=spf1 ip6:2001:db8::/32 -all", "2001:db8::25", MR_SPF_PASS },
  { "v=spf1 ip6:2001:db8::/32 -all", "2001:db9::25", MR_SPF_FAIL },
  { "v=spf1 ip4:0.0.0.0/0 -all", "2001:db8::25", MR_SPF_FAIL },
  { "v=spf1 a//0 -all", "2001:db8::25", MR_SPF_FAIL },
  /* records that are not SPF, or not records at all (4.5) */
  { NULL, "192.0.2.65", MR_SPF_NONE },
  { "v=spf10 +all", "192.0.2.65", MR_SPF_NONE },
  { "spf1 +all", "192.0.2.65", MR_SPF_NONE },
  /* syntax errors are permerror (4.6) */
  { "v=spf1 frobnicate -all", "192.0.2.65", MR_SPF_PERMERROR },
  { "v=spf1 ip4:192.0.2.300 -all", "192.0.2.65", MR_SPF_PERMERROR },
  { "v=spf1 ip4:192.0.2.1/33 -all", "192.0.2.65", MR_SPF_PERMERROR },
  { "v=spf1 ip4 -all", "192.0.2.65", MR_SPF_PERMERROR },
  { "v=spf1 ip6:192.0.2.1 -all", "192.0.2.65", MR_SPF_PERMERROR },
  { "v=spf1 all:example.com", "192.0.2.65", MR_SPF_PERMERROR },
  { "v=spf1 a:%{z} -all", "192.0.2.65", MR_SPF_PERMERROR },
  { "v=spf1 include -all", "192.0.2.65", MR_SPF_PERMERROR },
  { "v=spf1 1bad=x -all", "192.0.2.65", MR_SPF_PERMERROR },
  /* unknown modifiers are ignored (6) */
  { "v=spf1 moo=cow exp=explain.example.com ip4:192.0.2.65 -all", "192.0.2.65", MR_SPF_PASS },
  /* mechanisms after a match are never evaluated */
  { "v=spf1 +all frobnicate", "192.0.2.65", MR_SPF_PASS },
};

static MrDns *
rfc_dns (void)
{
  MrDns *dns = mr_dns_new ();

  add_records (dns, rfc_zone);
  return dns;
}

static void
test_rfc_examples (void)
{
  for (guint i = 0; i < G_N_ELEMENTS (rfc_cases); i++)
    {
      g_autoptr(MrDns) dns = rfc_dns ();
      g_autoptr(MrSpfVerdict) v = NULL;

      if (rfc_cases[i].record != NULL)
        mr_dns_add_record (dns, "example.com", MR_DNS_TXT, rfc_cases[i].record, 0);
      v = mr_spf_check (dns, rfc_cases[i].ip, "amy.example.com", "joe@example.com");
      g_test_message ("%s from %s: %s (%s)", rfc_cases[i].record, rfc_cases[i].ip,
                      mr_spf_result_to_string (v->result), v->reason);
      g_assert_cmpstr (mr_spf_result_to_string (v->result), ==,
                       mr_spf_result_to_string (rfc_cases[i].expected));
      g_assert_cmpstr (v->identity, ==, "mailfrom");
      g_assert_cmpstr (v->domain, ==, "example.com");
      g_assert_nonnull (v->reason);
    }
}

static void
test_include_redirect (void)
{
  static const char * const zone[] = {
    "sender.example TXT v=spf1 include:_spf.provider.example -all",
    "_spf.provider.example TXT v=spf1 ip4:192.0.2.0/24 ~all",
    "redir.example TXT v=spf1 redirect=_spf.provider.example",
    "redir-none.example TXT v=spf1 redirect=nothing.example",
    "inc-none.example TXT v=spf1 include:nothing.example -all",
    "inc-err.example TXT v=spf1 include:broken.example -all",
    "broken.example TXT v=spf1 wat",
    "two.example TXT v=spf1 +all",
    "two.example TXT v=spf1 -all",
    "two.example TXT google-site-verification=abc",
    "both.example TXT v=spf1 ip4:192.0.2.1 redirect=a.example redirect=b.example",
    "redir-all.example TXT v=spf1 -all redirect=_spf.provider.example",
    NULL
  };
  static const struct { const char *domain, *ip; MrSpfResult expected; } cases[] = {
    { "sender.example", "192.0.2.25", MR_SPF_PASS },
    /* the include's ~all is "no match" here, so ours (-all) decides (5.2) */
    { "sender.example", "203.0.113.66", MR_SPF_FAIL },
    /* redirect= takes the target's result whole, ~all included (6.1) */
    { "redir.example", "192.0.2.25", MR_SPF_PASS },
    { "redir.example", "203.0.113.66", MR_SPF_SOFTFAIL },
    { "redir-none.example", "192.0.2.25", MR_SPF_PERMERROR },
    { "inc-none.example", "192.0.2.25", MR_SPF_PERMERROR },
    { "inc-err.example", "192.0.2.25", MR_SPF_PERMERROR },
    { "two.example", "192.0.2.25", MR_SPF_PERMERROR },
    { "both.example", "192.0.2.1", MR_SPF_PERMERROR },
    /* "all" wins over redirect= */
    { "redir-all.example", "192.0.2.25", MR_SPF_FAIL },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(MrDns) dns = mr_dns_new ();
      g_autoptr(MrSpfVerdict) v = NULL;
      g_autofree char *sender = g_strdup_printf ("alice@%s", cases[i].domain);

      add_records (dns, zone);
      v = mr_spf_check (dns, cases[i].ip, "client.example", sender);
      g_test_message ("%s %s: %s (%s)", cases[i].domain, cases[i].ip,
                      mr_spf_result_to_string (v->result), v->reason);
      g_assert_cmpstr (mr_spf_result_to_string (v->result), ==,
                       mr_spf_result_to_string (cases[i].expected));
    }
}

/* RFC 7208 7.4: the macro examples, checked through exists:. */
static void
test_macros (void)
{
  static const struct { const char *record, *a_name; } cases[] = {
    { "v=spf1 exists:%{ir}.%{v}._spf.%{d2} -all", "3.2.0.192.in-addr._spf.example.com" },
    { "v=spf1 exists:%{lr-}.lp._spf.%{d2} -all", "bad.strong.lp._spf.example.com" },
    { "v=spf1 exists:%{l1r-}.x.%{d2r} -all", "strong.x.example.email" },
    { "v=spf1 exists:%{d1}.%{o}.%{l}.x.example -all", "com.email.example.com.strong-bad.x.example" },
    { "v=spf1 exists:%{s}.x.example -all", "strong-bad@email.example.com.x.example" },
    { "v=spf1 exists:%{h}.%{d4}.x.example -all", "helo.example.email.example.com.x.example" },
    { "v=spf1 exists:x%%y%-z.x.example -all", "x%y%20z.x.example" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(MrDns) dns = mr_dns_new ();
      g_autoptr(MrSpfVerdict) pass = NULL;
      g_autoptr(MrSpfVerdict) fail = NULL;

      mr_dns_add_record (dns, "email.example.com", MR_DNS_TXT, cases[i].record, 0);
      fail = mr_spf_check (dns, "192.0.2.3", "helo.example", "strong-bad@email.example.com");
      g_assert_cmpstr (mr_spf_result_to_string (fail->result), ==, "fail");

      mr_dns_add_record (dns, cases[i].a_name, MR_DNS_A, "127.0.0.2", 0);
      pass = mr_spf_check (dns, "192.0.2.3", "helo.example", "strong-bad@email.example.com");
      g_test_message ("%s: %s", cases[i].record, pass->reason);
      g_assert_cmpstr (mr_spf_result_to_string (pass->result), ==, "pass");
      g_assert_true (g_str_has_prefix (pass->mechanism, "exists:"));
    }

  /* IPv6 addresses expand to nibbles */
  {
    g_autoptr(MrDns) dns = mr_dns_new ();
    g_autoptr(MrSpfVerdict) v = NULL;

    mr_dns_add_record (dns, "v6.example", MR_DNS_TXT, "v=spf1 exists:%{ir}.%{v}.x.example -all", 0);
    mr_dns_add_record (dns, "1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.ip6.x.example",
                       MR_DNS_A, "127.0.0.2", 0);
    v = mr_spf_check (dns, "2001:db8::1", "h.example", "a@v6.example");
    g_assert_cmpstr (mr_spf_result_to_string (v->result), ==, "pass");
  }
}

/* RFC 7208 4.6.4: more than 10 look-up terms is a permerror, whichever
 * way they nest; more than 2 void look-ups too. */
static void
test_lookup_limit (void)
{
  g_autoptr(MrDns) dns = mr_dns_new ();
  g_autoptr(MrSpfVerdict) ten = NULL;
  g_autoptr(MrSpfVerdict) eleven = NULL;
  g_autoptr(MrSpfVerdict) loop = NULL;
  g_autoptr(MrSpfVerdict) voids = NULL;
  g_autoptr(MrSpfVerdict) two_voids = NULL;

  /* a chain: l0 includes l1 ... l9 includes l10 (10 look-ups) */
  for (guint i = 0; i < 11; i++)
    {
      g_autofree char *name = g_strdup_printf ("l%u.example", i);
      g_autofree char *record = i < 10 ? g_strdup_printf ("v=spf1 include:l%u.example -all", i + 1)
                                       : g_strdup ("v=spf1 ip4:192.0.2.25 -all");

      mr_dns_add_record (dns, name, MR_DNS_TXT, record, 0);
    }
  ten = mr_spf_check (dns, "192.0.2.25", "h.example", "a@l0.example");
  g_assert_cmpstr (mr_spf_result_to_string (ten->result), ==, "pass");
  g_assert_cmpuint (ten->lookups, ==, 10);

  mr_dns_add_record (dns, "eleven.example", MR_DNS_TXT, "v=spf1 a include:l0.example -all", 0);
  mr_dns_add_record (dns, "eleven.example", MR_DNS_A, "192.0.2.99", 0);
  eleven = mr_spf_check (dns, "192.0.2.25", "h.example", "a@eleven.example");
  g_assert_cmpstr (mr_spf_result_to_string (eleven->result), ==, "permerror");
  g_assert_nonnull (strstr (eleven->reason, "10 DNS look-ups"));

  /* a record including itself stops at the limit instead of looping */
  mr_dns_add_record (dns, "loop.example", MR_DNS_TXT, "v=spf1 include:loop.example -all", 0);
  loop = mr_spf_check (dns, "192.0.2.25", "h.example", "a@loop.example");
  g_assert_cmpstr (mr_spf_result_to_string (loop->result), ==, "permerror");

  mr_dns_add_record (dns, "voids.example", MR_DNS_TXT,
                     "v=spf1 a:n1.example a:n2.example a:n3.example +all", 0);
  voids = mr_spf_check (dns, "192.0.2.25", "h.example", "a@voids.example");
  g_assert_cmpstr (mr_spf_result_to_string (voids->result), ==, "permerror");

  mr_dns_add_record (dns, "twovoids.example", MR_DNS_TXT,
                     "v=spf1 a:n1.example a:n2.example +all", 0);
  two_voids = mr_spf_check (dns, "192.0.2.25", "h.example", "a@twovoids.example");
  g_assert_cmpstr (mr_spf_result_to_string (two_voids->result), ==, "pass");
}

static void
test_temperror (void)
{
  g_autoptr(MrDns) dns = mr_dns_new ();
  g_autoptr(MrSpfVerdict) top = NULL;
  g_autoptr(MrSpfVerdict) inner = NULL;

  mr_dns_add_record (dns, "sender.example", MR_DNS_TXT, "v=spf1 a:flaky.example -all", 0);
  mr_dns_set_failure (dns, "flaky.example", MR_DNS_SERVFAIL);
  inner = mr_spf_check (dns, "192.0.2.25", "h.example", "a@sender.example");
  g_assert_cmpstr (mr_spf_result_to_string (inner->result), ==, "temperror");

  mr_dns_set_failure (dns, "sender.example", MR_DNS_SERVFAIL);
  top = mr_spf_check (dns, "192.0.2.25", "h.example", "a@sender.example");
  g_assert_cmpstr (mr_spf_result_to_string (top->result), ==, "temperror");
}

/* RFC 7208 2.4: a null reverse-path checks postmaster@HELO. */
static void
test_helo_identity (void)
{
  g_autoptr(MrDns) dns = mr_dns_new ();
  g_autoptr(MrSpfVerdict) bounce = NULL;
  g_autoptr(MrSpfVerdict) bad_helo = NULL;
  g_autoptr(MrSpfVerdict) literal = NULL;
  g_autoptr(MrSpfVerdict) empty_local = NULL;

  mr_dns_add_record (dns, "smtp.sender.example", MR_DNS_TXT, "v=spf1 a -all", 0);
  mr_dns_add_record (dns, "smtp.sender.example", MR_DNS_A, "192.0.2.25", 0);

  bounce = mr_spf_check (dns, "192.0.2.25", "smtp.sender.example", "");
  g_assert_cmpstr (mr_spf_result_to_string (bounce->result), ==, "pass");
  g_assert_cmpstr (bounce->identity, ==, "helo");
  g_assert_cmpstr (bounce->sender, ==, "postmaster@smtp.sender.example");

  bad_helo = mr_spf_check (dns, "203.0.113.66", "smtp.sender.example", NULL);
  g_assert_cmpstr (mr_spf_result_to_string (bad_helo->result), ==, "fail");

  /* an address literal is no domain: none (4.3) */
  literal = mr_spf_check (dns, "192.0.2.25", "[192.0.2.25]", "");
  g_assert_cmpstr (mr_spf_result_to_string (literal->result), ==, "none");

  empty_local = mr_spf_check_host (dns, "192.0.2.25", "smtp.sender.example", "@smtp.sender.example");
  g_assert_cmpstr (mr_spf_result_to_string (empty_local->result), ==, "pass");
}

static void
test_hostile (void)
{
  g_autoptr(MrDns) dns = mr_dns_new ();
  g_autoptr(GString) huge = g_string_new ("v=spf1");
  static const char * const bad_ips[] = { "", "not-an-ip", "192.0.2", "::g", NULL };

  for (guint i = 0; i < 2000; i++)
    g_string_append (huge, " ip4:10.0.0.1");
  mr_dns_add_record (dns, "huge.example", MR_DNS_TXT, huge->str, 0);
  mr_dns_add_record (dns, "macro.example", MR_DNS_TXT,
                     "v=spf1 exists:%{l999999999999}.x.example exists:%{ -all", 0);
  mr_dns_add_record (dns, "long.example", MR_DNS_TXT,
                     "v=spf1 exists:%{s}%{s}%{s}%{s}%{s}%{s}%{s}%{s}.x.example -all", 0);

  {
    g_autoptr(MrSpfVerdict) v = mr_spf_check (dns, "192.0.2.25", "h", "a@huge.example");
    g_assert_cmpstr (mr_spf_result_to_string (v->result), ==, "permerror");
  }
  {
    g_autoptr(MrSpfVerdict) v = mr_spf_check (dns, "192.0.2.25", "h", "a@macro.example");
    g_assert_cmpstr (mr_spf_result_to_string (v->result), ==, "permerror");
  }
  {
    g_autoptr(GString) local = g_string_new (NULL);
    g_autoptr(MrSpfVerdict) v = NULL;
    g_autofree char *sender = NULL;

    for (guint i = 0; i < 60; i++)
      g_string_append (local, "a.");
    sender = g_strdup_printf ("%sb@long.example", local->str);
    v = mr_spf_check (dns, "192.0.2.25", "h", sender);
    /* 8 copies of a long sender are cut to 253 octets, then looked up */
    g_assert_cmpstr (mr_spf_result_to_string (v->result), ==, "fail");
  }
  for (guint i = 0; bad_ips[i] != NULL; i++)
    {
      g_autoptr(MrSpfVerdict) v = mr_spf_check (dns, bad_ips[i], "h", "a@huge.example");
      g_assert_cmpstr (mr_spf_result_to_string (v->result), ==, "none");
    }
}

/* Random records from the grammar's own pieces: never a crash, and every
 * verdict has a reason. */
static void
test_noise (void)
{
  static const char * const pieces[] = {
    "v=spf1", " ", "+", "-", "~", "?", "all", "a", "mx", "ip4:", "ip6:", "include:", "exists:",
    "redirect=", "ptr", ":", "/", "//", "24", "0", "192.0.2.1", "::1", "%{", "}", "%{i}", "%{d2r}",
    "%%", "x.example", "noise.example", ".", "=", "exp=",
  };

  for (guint round = 0; round < 2000; round++)
    {
      g_autoptr(MrDns) dns = mr_dns_new ();
      g_autoptr(GString) record = g_string_new ("v=spf1 ");
      g_autoptr(MrSpfVerdict) v = NULL;
      guint n = g_test_rand_int_range (0, 24);

      for (guint i = 0; i < n; i++)
        g_string_append (record, pieces[g_test_rand_int_range (0, G_N_ELEMENTS (pieces))]);
      mr_dns_add_record (dns, "noise.example", MR_DNS_TXT, record->str, 0);
      mr_dns_add_record (dns, "x.example", MR_DNS_TXT, record->str, 0);
      mr_dns_add_record (dns, "x.example", MR_DNS_A, "192.0.2.1", 0);
      v = mr_spf_check (dns, round % 2 ? "192.0.2.1" : "2001:db8::1", "h.example", "a@noise.example");
      g_assert_nonnull (v->reason);
      g_assert_cmpuint (v->lookups, <=, MR_SPF_MAX_DNS_LOOKUPS + 1);
    }
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/auth/spf/rfc7208-examples", test_rfc_examples);
  g_test_add_func ("/auth/spf/include-redirect", test_include_redirect);
  g_test_add_func ("/auth/spf/macros", test_macros);
  g_test_add_func ("/auth/spf/lookup-limit", test_lookup_limit);
  g_test_add_func ("/auth/spf/temperror", test_temperror);
  g_test_add_func ("/auth/spf/helo", test_helo_identity);
  g_test_add_func ("/auth/spf/hostile", test_hostile);
  g_test_add_func ("/auth/spf/noise", test_noise);

  return g_test_run ();
}
