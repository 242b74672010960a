/* test-dns.c
 *
 * Copyright 2026 The Mailroom authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "mr-dns.h"
#include "mr-scenario.h"

static MrDns *
new_lab_dns (void)
{
  MrDns *dns = mr_dns_new ();

  mr_dns_add_record (dns, "recipient.example", MR_DNS_MX, "mx2.recipient.example", 20);
  mr_dns_add_record (dns, "recipient.example", MR_DNS_MX, "mx1.recipient.example", 10);
  mr_dns_add_record (dns, "recipient.example", MR_DNS_MX, "mx3.recipient.example", 20);
  mr_dns_add_record (dns, "mx1.recipient.example", MR_DNS_A, "198.51.100.25", 0);
  mr_dns_add_record (dns, "mx2.recipient.example", MR_DNS_A, "198.51.100.26", 0);
  mr_dns_add_record (dns, "implicit.example", MR_DNS_A, "203.0.113.9", 0);
  mr_dns_add_record (dns, "textonly.example", MR_DNS_TXT, "v=spf1 -all", 0);
  mr_dns_add_record (dns, "host.sub.parent.example", MR_DNS_A, "203.0.113.10", 0);
  mr_dns_add_record (dns, "nomail.example", MR_DNS_MX, ".", 0);

  return dns;
}

static void
test_dns_mx_order (void)
{
  g_autoptr(MrDns) dns = new_lab_dns ();
  g_autoptr(GPtrArray) mxs = NULL;
  MrDnsMx *mx;

  g_assert_cmpint (mr_dns_lookup_mx (dns, "recipient.example", &mxs), ==, MR_DNS_OK);
  g_assert_cmpuint (mxs->len, ==, 3);
  mx = g_ptr_array_index (mxs, 0);
  g_assert_cmpstr (mx->host, ==, "mx1.recipient.example");
  g_assert_cmpuint (mx->priority, ==, 10);
  g_assert_false (mx->implicit);
  /* Ties: both 20s follow, in either order. */
  for (guint i = 1; i < 3; i++)
    {
      mx = g_ptr_array_index (mxs, i);
      g_assert_cmpuint (mx->priority, ==, 20);
      g_assert_true (g_str_equal (mx->host, "mx2.recipient.example") ||
                     g_str_equal (mx->host, "mx3.recipient.example"));
    }

  /* Case and the trailing root dot do not matter. */
  g_clear_pointer (&mxs, g_ptr_array_unref);
  g_assert_cmpint (mr_dns_lookup_mx (dns, "Recipient.EXAMPLE.", &mxs), ==, MR_DNS_OK);
  g_assert_cmpuint (mxs->len, ==, 3);
}

static void
test_dns_implicit_mx (void)
{
  g_autoptr(MrDns) dns = new_lab_dns ();
  g_autoptr(GPtrArray) mxs = NULL;
  MrDnsMx *mx;

  g_assert_cmpint (mr_dns_lookup_mx (dns, "implicit.example", &mxs), ==, MR_DNS_OK);
  g_assert_cmpuint (mxs->len, ==, 1);
  mx = g_ptr_array_index (mxs, 0);
  g_assert_cmpstr (mx->host, ==, "implicit.example");
  g_assert_cmpuint (mx->priority, ==, 0);
  g_assert_true (mx->implicit);
}

static void
test_dns_negative (void)
{
  g_autoptr(MrDns) dns = new_lab_dns ();
  g_autoptr(GPtrArray) mxs = NULL;
  g_autofree char *address = NULL;

  g_assert_cmpint (mr_dns_lookup_mx (dns, "recipient.exmaple", &mxs), ==, MR_DNS_NXDOMAIN);
  g_assert_null (mxs);
  g_assert_cmpint (mr_dns_lookup_mx (dns, "", &mxs), ==, MR_DNS_NXDOMAIN);
  g_assert_cmpint (mr_dns_lookup_mx (dns, "textonly.example", &mxs), ==, MR_DNS_NO_DATA);
  /* An empty non-terminal exists but has no data. */
  g_assert_cmpint (mr_dns_lookup_mx (dns, "sub.parent.example", &mxs), ==, MR_DNS_NO_DATA);
  g_assert_cmpint (mr_dns_lookup_mx (dns, "nomail.example", &mxs), ==, MR_DNS_NULL_MX);
  g_assert_null (mxs);

  g_assert_cmpint (mr_dns_lookup_a (dns, "mx1.recipient.example", &address), ==, MR_DNS_OK);
  g_assert_cmpstr (address, ==, "198.51.100.25");
  g_clear_pointer (&address, g_free);
  g_assert_cmpint (mr_dns_lookup_a (dns, "mx9.recipient.example", &address), ==, MR_DNS_NXDOMAIN);
  g_assert_cmpint (mr_dns_lookup_a (dns, "recipient.example", &address), ==, MR_DNS_NO_DATA);
  g_assert_null (address);

  g_assert_false (mr_dns_status_is_temporary (MR_DNS_NXDOMAIN));
  g_assert_true (mr_dns_status_is_temporary (MR_DNS_SERVFAIL));
}

static void
on_changed_cb (MrDns *dns,
               guint *count)
{
  (*count)++;
}

static void
test_dns_edit_and_faults (void)
{
  g_autoptr(MrDns) dns = new_lab_dns ();
  g_autoptr(GPtrArray) mxs = NULL;
  g_autoptr(GPtrArray) records = NULL;
  g_autofree char *name = NULL;
  guint changed = 0;

  g_signal_connect (dns, "changed", G_CALLBACK (on_changed_cb), &changed);

  g_assert_cmpuint (mr_dns_remove_records (dns, "recipient.example", MR_DNS_MX,
                                           "MX1.recipient.example"), ==, 1);
  g_assert_cmpuint (changed, ==, 1);
  g_assert_cmpuint (mr_dns_remove_records (dns, "recipient.example", MR_DNS_MX, "nothere"), ==, 0);
  g_assert_cmpuint (changed, ==, 1);
  g_assert_cmpint (mr_dns_lookup_mx (dns, "recipient.example", &mxs), ==, MR_DNS_OK);
  g_assert_cmpuint (mxs->len, ==, 2);
  g_clear_pointer (&mxs, g_ptr_array_unref);

  mr_dns_set_record (dns, "recipient.example", MR_DNS_MX, "mx2.recipient.example", 5);
  g_assert_cmpuint (changed, ==, 2);
  g_assert_cmpint (mr_dns_lookup_mx (dns, "recipient.example", &mxs), ==, MR_DNS_OK);
  g_assert_cmpuint (mxs->len, ==, 1);
  g_assert_cmpuint (((MrDnsMx *)g_ptr_array_index (mxs, 0))->priority, ==, 5);
  g_clear_pointer (&mxs, g_ptr_array_unref);

  /* Faults: SERVFAIL is temporary, and clears. */
  mr_dns_set_failure (dns, "recipient.example", MR_DNS_SERVFAIL);
  g_assert_cmpint (mr_dns_lookup_mx (dns, "recipient.example", &mxs), ==, MR_DNS_SERVFAIL);
  g_assert_cmpint (mr_dns_lookup_mx (dns, "implicit.example", &mxs), ==, MR_DNS_OK);
  g_clear_pointer (&mxs, g_ptr_array_unref);
  mr_dns_set_failure (dns, "recipient.example", MR_DNS_OK);
  g_assert_cmpint (mr_dns_lookup_mx (dns, "recipient.example", &mxs), ==, MR_DNS_OK);
  g_clear_pointer (&mxs, g_ptr_array_unref);

  /* A failure for every name. */
  mr_dns_set_failure (dns, NULL, MR_DNS_NXDOMAIN);
  g_assert_cmpint (mr_dns_lookup_mx (dns, "implicit.example", &mxs), ==, MR_DNS_NXDOMAIN);
  g_assert_cmpint (mr_dns_lookup_a (dns, "implicit.example", NULL), ==, MR_DNS_NXDOMAIN);
  mr_dns_set_failure (dns, NULL, MR_DNS_OK);

  name = mr_dns_reverse (dns, "203.0.113.9");
  g_assert_cmpstr (name, ==, "implicit.example");

  records = mr_dns_dup_records (dns);
  g_assert_cmpuint (records->len, ==, 7);

  mr_dns_clear (dns);
  g_assert_cmpint (mr_dns_lookup_mx (dns, "implicit.example", NULL), ==, MR_DNS_NXDOMAIN);
}

static void
test_dns_strings (void)
{
  MrDnsType type;

  g_assert_true (mr_dns_type_from_string ("mx", &type));
  g_assert_cmpint (type, ==, MR_DNS_MX);
  g_assert_true (mr_dns_type_from_string ("TXT", &type));
  g_assert_cmpint (type, ==, MR_DNS_TXT);
  g_assert_false (mr_dns_type_from_string ("AAAA", &type));
  g_assert_false (mr_dns_type_from_string (NULL, &type));
  g_assert_cmpstr (mr_dns_type_to_string (MR_DNS_A), ==, "A");
  g_assert_cmpstr (mr_dns_status_to_string (MR_DNS_SERVFAIL), ==, "SERVFAIL");
}

static void
test_dns_default_scenario (void)
{
  g_autoptr(MrScenario) scenario = mr_scenario_new_default ();
  g_autoptr(MrDns) dns = mr_dns_new ();
  g_autoptr(GPtrArray) mxs = NULL;

  mr_dns_load_scenario (dns, scenario);
  g_assert_cmpint (mr_dns_lookup_mx (dns, "recipient.example", &mxs), ==, MR_DNS_OK);
  g_assert_cmpuint (mxs->len, ==, 2);
  g_assert_cmpstr (((MrDnsMx *)g_ptr_array_index (mxs, 0))->host, ==, "mx1.recipient.example");
  g_assert_cmpstr (((MrDnsMx *)g_ptr_array_index (mxs, 1))->host, ==, "mx2.recipient.example");
  g_assert_cmpint (mr_dns_lookup_mx (dns, "recipient.exmaple", NULL), ==, MR_DNS_NXDOMAIN);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/world/dns/mx-order", test_dns_mx_order);
  g_test_add_func ("/world/dns/implicit-mx", test_dns_implicit_mx);
  g_test_add_func ("/world/dns/negative", test_dns_negative);
  g_test_add_func ("/world/dns/edit-and-faults", test_dns_edit_and_faults);
  g_test_add_func ("/world/dns/strings", test_dns_strings);
  g_test_add_func ("/world/dns/default-scenario", test_dns_default_scenario);

  return g_test_run ();
}
