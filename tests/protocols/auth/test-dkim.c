/* test-dkim.c
 *
 * Copyright 2026 The Mailroom authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <string.h>

#include "mr-dkim.h"
#include "mr-dns.h"
#include "mr-error.h"

/* RFC 8463 Appendix A.3: one message signed twice by football.example.com,
 * with Ed25519 (selector brisbane) and RSA (selector test). */
#define RFC8463_SIGNATURES \
  "DKIM-Signature: v=1; a=ed25519-sha256; c=relaxed/relaxed;\r\n" \
  " d=football.example.com; i=@football.example.com;\r\n" \
  " q=dns/txt; s=brisbane; t=1528637909; h=from : to :\r\n" \
  " subject : date : message-id : from : subject : date;\r\n" \
  " bh=2jUSOH9NhtVGCQWNr9BrIAPreKQjO6Sn7XIkfJVOzv8=;\r\n" \
  " b=/gCrinpcQOoIfuHNQIbq4pgh9kyIK3AQUdt9OdqQehSwhEIug4D11Bus\r\n" \
  " Fa3bT3FY5OsU7ZbnKELq+eXdp1Q1Dw==\r\n" \
  "DKIM-Signature: v=1; a=rsa-sha256; c=relaxed/relaxed;\r\n" \
  " d=football.example.com; i=@football.example.com;\r\n" \
  " q=dns/txt; s=test; t=1528637909; h=from : to : subject :\r\n" \
  " date : message-id : from : subject : date;\r\n" \
  " bh=2jUSOH9NhtVGCQWNr9BrIAPreKQjO6Sn7XIkfJVOzv8=;\r\n" \
  " b=F45dVWDfMbQDGHJFlXUNB2HKfbCeLRyhDXgFpEL8GwpsRe0IeIixNTe3\r\n" \
  " DhCVlUrSjV4BwcVcOF6+FF3Zo9Rpo1tFOeS9mPYQTnGdaSGsgeefOsk2Jz\r\n" \
  " dA+L10TeYt9BgDfQNZtKdN1WO//KgIqXP7OdEFE4LjFYNcUxZQ4FADY+8=\r\n"

#define RFC8463_MESSAGE \
  "From: Joe SixPack <joe@football.example.com>\r\n" \
  "To: Suzie Q <suzie@shopping.example.net>\r\n" \
  "Subject: Is dinner ready?\r\n" \
  "Date: Fri, 11 Jul 2003 21:00:37 -0700 (PDT)\r\n" \
  "Message-ID: <20030712040037.46341.5F8J@football.example.com>\r\n" \
  "\r\n" \
  "Hi.\r\n" \
  "\r\n" \
  "We lost the game.  Are you hungry yet?\r\n" \
  "\r\n" \
  "Joe.\r\n" \
  "\r\n"

/* RFC 8463 A.2 */
#define ED25519_SECRET "nWGxne/9WmC6hEr0kuwsxERJxWl7MmkZcDusAxyuf2A="
#define ED25519_RECORD "v=DKIM1; k=ed25519; p=11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo="
#define RSA_RECORD \
  "v=DKIM1; k=rsa; p=MIGfMA0GCSqGSIb3DQEBAQUAA4GNADCBiQKBgQDkHlOQoBTzWR" \
  "iGs5V6NpP3idY6Wk08a5qhdR6wy5bdOKb2jLQiY/J16JYi0Qvx/byYzCNb3W91y3FutAC" \
  "DfzwQ/BC/e/8uBsCR+yz1Lxj+PL6lHvqMKrM3rG4hstT5QjvHO9PzoxZyVYLzBfO2EeC3" \
  "Ip3G+2kryOTIKT+l/K4w3QIDAQAB"

static MrDns *
rfc_dns (void)
{
  MrDns *dns = mr_dns_new ();

  mr_dns_add_record (dns, "brisbane._domainkey.football.example.com", MR_DNS_TXT, ED25519_RECORD, 0);
  mr_dns_add_record (dns, "test._domainkey.football.example.com", MR_DNS_TXT, RSA_RECORD, 0);
  return dns;
}

static GPtrArray *
verify_text (MrDns      *dns,
             const char *text)
{
  g_autoptr(GBytes) bytes = g_bytes_new (text, strlen (text));

  return mr_dkim_verify (dns, bytes, 0);
}

static char *
replace (const char *text,
         const char *from,
         const char *to)
{
  const char *at = strstr (text, from);

  g_assert_nonnull (at);
  return g_strdup_printf ("%.*s%s%s", (int)(at - text), text, to, at + strlen (from));
}

static void
assert_results (GPtrArray  *verdicts,
                const char *first,
                const char *first_failure,
                const char *second,
                const char *second_failure)
{
  MrDkimVerdict *a, *b;

  g_assert_cmpuint (verdicts->len, ==, 2);
  a = g_ptr_array_index (verdicts, 0);
  b = g_ptr_array_index (verdicts, 1);
  g_test_message ("1: %s (%s); 2: %s (%s)", mr_dkim_result_to_string (a->result), a->reason,
                  mr_dkim_result_to_string (b->result), b->reason);
  g_assert_cmpstr (mr_dkim_result_to_string (a->result), ==, first);
  g_assert_cmpstr (mr_dkim_failure_to_string (a->failure), ==, first_failure);
  g_assert_cmpstr (mr_dkim_result_to_string (b->result), ==, second);
  g_assert_cmpstr (mr_dkim_failure_to_string (b->failure), ==, second_failure);
}

static void
test_rfc8463_vector (void)
{
  g_autoptr(MrDns) dns = rfc_dns ();
  g_autoptr(GPtrArray) verdicts = verify_text (dns, RFC8463_SIGNATURES RFC8463_MESSAGE);
  MrDkimVerdict *ed, *rsa;

  assert_results (verdicts, "pass", "none", "pass", "none");
  ed = g_ptr_array_index (verdicts, 0);
  rsa = g_ptr_array_index (verdicts, 1);
  g_assert_cmpstr (ed->domain, ==, "football.example.com");
  g_assert_cmpstr (ed->selector, ==, "brisbane");
  g_assert_cmpstr (ed->algorithm, ==, "ed25519-sha256");
  g_assert_cmpstr (ed->canonicalization, ==, "relaxed/relaxed");
  g_assert_cmpstr (ed->identity, ==, "@football.example.com");
  g_assert_cmpstr (ed->b_prefix, ==, "/gCrinpc");
  g_assert_true (ed->body_hash_ok);
  g_assert_cmpuint (g_strv_length (ed->signed_headers), ==, 8);
  g_assert_cmpstr (ed->signed_headers[4], ==, "message-id");
  g_assert_cmpstr (rsa->selector, ==, "test");
  g_assert_cmpstr (rsa->algorithm, ==, "rsa-sha256");

  /* Bare LF line ends are read as CRLF. */
  {
    g_autofree char *lf = NULL;
    g_autoptr(GString) s = g_string_new (RFC8463_SIGNATURES RFC8463_MESSAGE);
    g_autoptr(GPtrArray) again = NULL;

    g_string_replace (s, "\r\n", "\n", 0);
    again = verify_text (dns, s->str);
    assert_results (again, "pass", "none", "pass", "none");
  }
}

static void
test_tampered (void)
{
  g_autoptr(MrDns) dns = rfc_dns ();
  static const struct {
    const char *from, *to, *r1, *f1, *r2, *f2;
  } cases[] = {
    /* the body changed in transit */
    { "hungry", "angry", "fail", "body-hash-mismatch", "fail", "body-hash-mismatch" },
    /* relaxed tolerates whitespace changes in the body */
    { "the game.  Are", "the game. \t Are", "pass", "none", "pass", "none" },
    { "Joe.\r\n\r\n", "Joe.   \r\n\r\n\r\n\r\n", "pass", "none", "pass", "none" },
    /* a signed header changed */
    { "dinner", "lunch", "fail", "signature-mismatch", "fail", "signature-mismatch" },
    /* ... but not its case or folding (relaxed) */
    { "Subject: Is dinner", "SUBJECT:   Is\r\n\tdinner", "pass", "none", "pass", "none" },
    /* a second From on top: h= lists from twice, so it is covered */
    { "From: Joe", "From: Mallory <m@evil.example>\r\nFrom: Joe", "fail", "signature-mismatch",
      "fail", "signature-mismatch" },
    /* an unsigned field may be added */
    { "Message-ID:", "X-Mailer: any\r\nMessage-ID:", "pass", "none", "pass", "none" },
    /* the signature's own tags are signed */
    { "t=1528637909; h=from : to :", "t=1528637908; h=from : to :", "fail", "signature-mismatch",
      "pass", "none" },
    /* refused whatever the key says */
    { "a=ed25519-sha256", "a=rsa-sha1", "permerror", "unsupported", "pass", "none" },
    { "v=1; a=ed25519", "v=2; a=ed25519", "permerror", "unsupported", "pass", "none" },
    { "i=@football.example.com;\r\n q=dns/txt; s=brisbane", "i=@example.net;\r\n q=dns/txt; s=brisbane",
      "permerror", "syntax", "pass", "none" },
    { "h=from : to :\r\n subject : date : message-id : from : subject : date;",
      "h=to : subject;", "permerror", "syntax", "pass", "none" },
    { "s=brisbane;", "s=brisbane; s=brisbane;", "neutral", "syntax", "pass", "none" },
    /* x= in the future is fine, but adding it changes the signed field */
    { "s=brisbane;", "s=brisbane; x=1528637910;", "fail", "signature-mismatch", "pass", "none" },
    { "c=relaxed/relaxed;\r\n d=football.example.com; i=@football.example.com;\r\n q=dns/txt; s=brisbane",
      "c=wobbly;\r\n d=football.example.com; i=@football.example.com;\r\n q=dns/txt; s=brisbane",
      "permerror", "unsupported", "pass", "none" },
    { "s=brisbane", "s=nokey", "permerror", "no-key", "pass", "none" },
    { "b=/gCrinpc", "b=!gCrinpc", "permerror", "syntax", "pass", "none" },
    /* a subdomain identity is within d= */
    { "i=@football.example.com;\r\n q=dns/txt; s=brisbane",
      "i=joe@news.football.example.com;\r\n q=dns/txt; s=brisbane", "fail", "signature-mismatch",
      "pass", "none" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *text = replace (RFC8463_SIGNATURES RFC8463_MESSAGE, cases[i].from, cases[i].to);
      g_autoptr(GPtrArray) verdicts = NULL;

      g_test_message ("case %u: %s -> %s", i, cases[i].from, cases[i].to);
      verdicts = verify_text (dns, text);
      assert_results (verdicts, cases[i].r1, cases[i].f1, cases[i].r2, cases[i].f2);
    }

  /* x= in the past, with a clock */
  {
    g_autofree char *text = replace (RFC8463_SIGNATURES RFC8463_MESSAGE, "s=brisbane;",
                                     "s=brisbane; x=1528637910;");
    g_autoptr(GBytes) bytes = g_bytes_new (text, strlen (text));
    g_autoptr(GPtrArray) verdicts = mr_dkim_verify (dns, bytes, 1790910000);

    assert_results (verdicts, "permerror", "expired", "pass", "none");
  }
}

static void
test_keys_in_dns (void)
{
  static const struct { const char *record, *result, *failure; } cases[] = {
    { "v=DKIM1; k=ed25519; p=", "permerror", "key-revoked" },
    { RSA_RECORD, "permerror", "bad-key" },
    { "v=DKIM2; k=ed25519; p=11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo=", "permerror", "bad-key" },
    { "v=DKIM1; k=ed25519; h=sha1; p=11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo=", "permerror", "bad-key" },
    { "v=DKIM1; k=ed25519; s=tlsrpt; p=11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo=", "permerror", "bad-key" },
    { "v=DKIM1; k=ed25519; p=11qYAYKx", "permerror", "bad-key" },
    { "v=DKIM1; k=ed25519; p=not base64!", "permerror", "bad-key" },
    { "v=DKIM1; k=ed25519; p=AQ; p=AQ", "permerror", "bad-key" },
    { "v=DKIM1; k=ed25519; t=y:s; s=email; h=sha256; p=11qYAYKxCrfVS/7TyWQHOg7h\r\n cvPapiMlrwIaaPcHURo=",
      "pass", "none" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(MrDns) dns = mr_dns_new ();
      g_autoptr(GPtrArray) verdicts = NULL;
      MrDkimVerdict *v;

      mr_dns_add_record (dns, "brisbane._domainkey.football.example.com", MR_DNS_TXT, cases[i].record, 0);
      verdicts = verify_text (dns, RFC8463_SIGNATURES RFC8463_MESSAGE);
      v = g_ptr_array_index (verdicts, 0);
      g_test_message ("%s: %s", cases[i].record, v->reason);
      g_assert_cmpstr (mr_dkim_result_to_string (v->result), ==, cases[i].result);
      g_assert_cmpstr (mr_dkim_failure_to_string (v->failure), ==, cases[i].failure);
    }

  /* a DNS failure is temporary */
  {
    g_autoptr(MrDns) dns = rfc_dns ();
    g_autoptr(GPtrArray) verdicts = NULL;

    mr_dns_set_failure (dns, "brisbane._domainkey.football.example.com", MR_DNS_SERVFAIL);
    verdicts = verify_text (dns, RFC8463_SIGNATURES RFC8463_MESSAGE);
    assert_results (verdicts, "temperror", "dns", "pass", "none");
  }
}

/* RFC 6376 3.4.5: the canonicalization example. */
static void
test_canonicalization (void)
{
  static const char header_a[] = "A: X\r\n";
  static const char header_b[] = "B : Y\t\r\n\tZ  \r\n";
  static const char body[] = " C \r\nD \t E\r\n\r\n\r\n";
  static const struct { MrDkimCanon canon; const char *in, *out; } bodies[] = {
    { MR_DKIM_CANON_RELAXED, body, " C\r\nD E\r\n" },
    { MR_DKIM_CANON_SIMPLE, body, " C \r\nD \t E\r\n" },
    { MR_DKIM_CANON_RELAXED, "", "" },
    { MR_DKIM_CANON_SIMPLE, "", "\r\n" },
    { MR_DKIM_CANON_SIMPLE, "\r\n\r\n", "\r\n" },
    { MR_DKIM_CANON_RELAXED, "\r\n\r\n", "" },
    { MR_DKIM_CANON_RELAXED, "no newline", "no newline\r\n" },
    { MR_DKIM_CANON_RELAXED, "  \r\n", "" },
  };
  struct { MrDkimCanon canon; const char *in, *out; } headers[] = {
    { MR_DKIM_CANON_RELAXED, header_a, "a:X\r\n" },
    { MR_DKIM_CANON_RELAXED, header_b, "b:Y Z\r\n" },
    { MR_DKIM_CANON_SIMPLE, header_a, header_a },
    { MR_DKIM_CANON_SIMPLE, header_b, header_b },
  };

  for (guint i = 0; i < G_N_ELEMENTS (bodies); i++)
    {
      /* a copy without a terminating NUL */
      gsize len = strlen (bodies[i].in);
      g_autofree char *copy = g_memdup2 (bodies[i].in, len + 1);
      g_autoptr(GBytes) out = NULL;
      g_autofree char *text = NULL;

      copy[len] = 'X';
      out = mr_dkim_canon_body (bodies[i].canon, copy, len);
      text = g_strndup (g_bytes_get_data (out, NULL), g_bytes_get_size (out));
      g_assert_cmpstr (text, ==, bodies[i].out);
    }
  for (guint i = 0; i < G_N_ELEMENTS (headers); i++)
    {
      g_autoptr(GBytes) out = mr_dkim_canon_header (headers[i].canon, headers[i].in,
                                                    strlen (headers[i].in));
      g_autofree char *text = g_strndup (g_bytes_get_data (out, NULL), g_bytes_get_size (out));

      g_assert_cmpstr (text, ==, headers[i].out);
    }
}

static void
test_tags (void)
{
  static const struct { const char *text; gboolean ok; guint n; } cases[] = {
    { "v=1; a=rsa-sha256", TRUE, 2 },
    { "v=1; a=rsa-sha256;", TRUE, 2 },
    { "v=1; a=rsa-sha256;  \r\n ", TRUE, 2 },
    { " v = 1 ;\r\n\ta=\r\n rsa-sha256", TRUE, 2 },
    { "v=", TRUE, 1 },
    { "", TRUE, 0 },
    { "v=1;;a=b", FALSE, 0 },
    { "v=1; v=1", FALSE, 0 },
    { "v", FALSE, 0 },
    { "=1", FALSE, 0 },
    { "1v=1", FALSE, 0 },
    { "v-x=1", FALSE, 0 },
    { "v=1\x01", FALSE, 0 },
    { "v=caf\xc3\xa9", FALSE, 0 },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GError) error = NULL;
      gsize len = strlen (cases[i].text);
      g_autofree char *copy = g_memdup2 (cases[i].text, len + 1);
      g_autoptr(MrDkimTags) tags = NULL;

      copy[len] = 'Z';  /* not NUL-terminated */
      tags = mr_dkim_tags_parse (copy, len, &error);
      if (cases[i].ok)
        {
          g_assert_no_error (error);
          g_assert_nonnull (tags);
          g_assert_cmpuint (mr_dkim_tags_get_n_tags (tags), ==, cases[i].n);
        }
      else
        {
          g_assert_null (tags);
          g_assert_nonnull (error);
        }
    }

  {
    g_autoptr(MrDkimTags) tags = mr_dkim_tags_parse (" v = 1 ;\r\n\ta=\r\n rsa-sha256", -1, NULL);

    g_assert_cmpstr (mr_dkim_tags_get (tags, "v"), ==, "1");
    g_assert_cmpstr (mr_dkim_tags_get (tags, "a"), ==, "rsa-sha256");
    g_assert_null (mr_dkim_tags_get (tags, "A"));
  }

  /* bounds: too many tags, too long */
  {
    g_autoptr(GString) many = g_string_new (NULL);
    g_autoptr(GString) longer = g_string_new ("p=");
    g_autoptr(GError) e1 = NULL;
    g_autoptr(GError) e2 = NULL;

    for (guint i = 0; i <= MR_DKIM_MAX_TAGS; i++)
      g_string_append_printf (many, "t%u=x;", i);
    g_assert_null (mr_dkim_tags_parse (many->str, -1, &e1));
    g_assert_nonnull (e1);
    for (guint i = 0; i < MR_DKIM_MAX_TAG_LIST; i++)
      g_string_append_c (longer, 'A');
    g_assert_null (mr_dkim_tags_parse (longer->str, -1, &e2));
    g_assert_nonnull (e2);
  }
}

static void
sign_and_verify (MrDkimKey   *key,
                 MrDkimCanon  canon)
{
  static const char message[] =
    "From: Alice <alice@sender.example>\r\n"
    "To: bob@recipient.example\r\n"
    "Subject: Lunch\r\n"
    "Message-ID: <1@sender.example>\r\n"
    "\r\n"
    "See you at noon.\r\n";
  g_autoptr(MrDns) dns = mr_dns_new ();
  g_autoptr(GBytes) bytes = g_bytes_new_static (message, sizeof message - 1);
  g_autoptr(GBytes) signed_bytes = NULL;
  g_autoptr(GPtrArray) verdicts = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *record = mr_dkim_key_dup_record (key);
  MrDkimSignOptions options;
  MrDkimVerdict *v;

  mr_dns_add_record (dns, "lab._domainkey.sender.example", MR_DNS_TXT, record, 0);
  mr_dkim_sign_options_init (&options);
  options.domain = "sender.example";
  options.selector = "lab";
  options.header_canon = canon;
  options.body_canon = canon;
  options.timestamp = 1790910000;
  signed_bytes = mr_dkim_sign_message (key, &options, bytes, &error);
  g_assert_no_error (error);
  g_test_message ("%.*s", (int)g_bytes_get_size (signed_bytes),
                  (const char *)g_bytes_get_data (signed_bytes, NULL));

  verdicts = mr_dkim_verify (dns, signed_bytes, 1790910000);
  g_assert_cmpuint (verdicts->len, ==, 1);
  v = g_ptr_array_index (verdicts, 0);
  g_assert_cmpstr (v->reason, ==, "signature verified with lab._domainkey.sender.example");
  g_assert_cmpstr (mr_dkim_result_to_string (v->result), ==, "pass");
  g_assert_cmpstr (v->domain, ==, "sender.example");
  g_assert_cmpuint (g_strv_length (v->signed_headers), ==, 4);
  g_assert_cmpstr (v->signed_headers[0], ==, "from");

  /* the same message with its body changed fails on the body hash */
  {
    gsize len;
    const char *data = g_bytes_get_data (signed_bytes, &len);
    g_autofree char *text = g_strndup (data, len);
    g_autofree char *changed = replace (text, "noon", "one");
    g_autoptr(GPtrArray) bad = verify_text (dns, changed);

    v = g_ptr_array_index (bad, 0);
    g_assert_cmpstr (mr_dkim_failure_to_string (v->failure), ==, "body-hash-mismatch");
    g_assert_false (v->body_hash_ok);
  }
}

static void
test_sign (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(MrDkimKey) ed = mr_dkim_key_generate (MR_DKIM_ED25519_SHA256, &error);
  g_autoptr(MrDkimKey) rsa = NULL;

  g_assert_no_error (error);
  sign_and_verify (ed, MR_DKIM_CANON_RELAXED);
  sign_and_verify (ed, MR_DKIM_CANON_SIMPLE);

  rsa = mr_dkim_key_generate (MR_DKIM_RSA_SHA256, &error);
  g_assert_no_error (error);
  g_assert_cmpint (mr_dkim_key_get_algorithm (rsa), ==, MR_DKIM_RSA_SHA256);
  sign_and_verify (rsa, MR_DKIM_CANON_RELAXED);
  sign_and_verify (rsa, MR_DKIM_CANON_SIMPLE);

  /* a PEM round trip keeps the key */
  {
    g_autofree char *pem = mr_dkim_key_dup_pem (ed);
    g_autoptr(MrDkimKey) again = mr_dkim_key_new_from_pem (pem, &error);
    g_autofree char *r1 = mr_dkim_key_dup_record (ed);
    g_autofree char *r2 = NULL;

    g_assert_no_error (error);
    r2 = mr_dkim_key_dup_record (again);
    g_assert_cmpstr (r1, ==, r2);
    g_assert_true (g_str_has_prefix (r1, "v=DKIM1; k=ed25519; p="));
  }

  /* no From, nothing to sign */
  {
    g_autoptr(GBytes) bytes = g_bytes_new_static ("Subject: x\r\n\r\nbody\r\n", 21);
    g_autoptr(GError) e = NULL;
    MrDkimSignOptions options;

    mr_dkim_sign_options_init (&options);
    options.domain = "sender.example";
    options.selector = "lab";
    g_assert_null (mr_dkim_sign (ed, &options, bytes, &e));
    g_assert_error (e, MR_ERROR, MR_ERROR_INVALID_DATA);
  }
}

/* The RFC 8463 secret key reproduces the published key record, and what
 * it signs verifies against it. */
static void
test_rfc8463_key (void)
{
  g_autofree guchar *secret = NULL;
  g_autofree guchar *public_key = NULL;
  gsize secret_len, public_len;
  g_autoptr(GBytes) s = NULL;
  g_autoptr(GBytes) p = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(MrDkimKey) key = NULL;
  g_autofree char *record = NULL;
  g_autoptr(MrDns) dns = rfc_dns ();
  g_autoptr(GBytes) message = g_bytes_new_static (RFC8463_MESSAGE, strlen (RFC8463_MESSAGE));
  g_autoptr(GBytes) signed_bytes = NULL;
  g_autoptr(GPtrArray) verdicts = NULL;
  static const char * const names[] = { "from", "to", "subject", "date", "message-id",
                                        "from", "subject", "date", NULL };
  MrDkimSignOptions options;

  secret = g_base64_decode (ED25519_SECRET, &secret_len);
  public_key = g_base64_decode ("11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo=", &public_len);
  s = g_bytes_new (secret, secret_len);
  p = g_bytes_new (public_key, public_len);
  key = mr_dkim_key_new_ed25519 (s, p, &error);
  g_assert_no_error (error);
  record = mr_dkim_key_dup_record (key);
  g_assert_cmpstr (record, ==, ED25519_RECORD);

  mr_dkim_sign_options_init (&options);
  options.domain = "football.example.com";
  options.selector = "brisbane";
  options.headers = names;
  options.timestamp = 1528637909;
  signed_bytes = mr_dkim_sign_message (key, &options, message, &error);
  g_assert_no_error (error);
  /* the same body hash as the RFC's signature */
  g_assert_nonnull (g_strstr_len (g_bytes_get_data (signed_bytes, NULL), g_bytes_get_size (signed_bytes),
                                  "bh=2jUSOH9NhtVGCQWNr9BrIAPreKQjO6Sn7XIkfJVOzv8="));
  verdicts = mr_dkim_verify (dns, signed_bytes, 0);
  g_assert_cmpuint (verdicts->len, ==, 1);
  g_assert_cmpstr (mr_dkim_result_to_string (((MrDkimVerdict *)verdicts->pdata[0])->result), ==, "pass");
}

static void
test_hostile (void)
{
  g_autoptr(MrDns) dns = rfc_dns ();
  static const char * const inputs[] = {
    "",
    "\r\n",
    "DKIM-Signature:",
    "DKIM-Signature:\r\n\r\n",
    "DKIM-Signature: v=1\r\n",
    "DKIM-Signature: ;;;;\r\n\r\n",
    "dkim-signature: v=1; a=ed25519-sha256; d=x; s=y; h=from; bh=AAAA; b=AAAA\r\nFrom: a\r\n\r\n",
    "  DKIM-Signature: v=1\r\n",
    "No colon here\r\nDKIM-Signature v=1\r\n\r\n",
    NULL
  };

  for (guint i = 0; inputs[i] != NULL; i++)
    {
      g_autoptr(GPtrArray) verdicts = verify_text (dns, inputs[i]);

      for (guint j = 0; j < verdicts->len; j++)
        {
          MrDkimVerdict *v = g_ptr_array_index (verdicts, j);

          g_assert_cmpint (v->result, !=, MR_DKIM_PASS);
          g_assert_nonnull (v->reason);
        }
    }

  /* many signatures: at most MR_DKIM_MAX_SIGNATURES are evaluated */
  {
    g_autoptr(GString) s = g_string_new (NULL);
    g_autoptr(GPtrArray) verdicts = NULL;

    for (guint i = 0; i < 100; i++)
      g_string_append (s, "DKIM-Signature: v=1; a=rsa-sha256\r\n");
    g_string_append (s, RFC8463_MESSAGE);
    verdicts = verify_text (dns, s->str);
    g_assert_cmpuint (verdicts->len, ==, MR_DKIM_MAX_SIGNATURES);
  }
}

/* Random noise built from the grammar's own characters: never a crash,
 * never a pass. */
static void
test_noise (void)
{
  static const char alphabet[] = "v=1;a=b h:from DKIM-Signature: \r\n\t=;;:ab+/rsa-sha256 ed25519";
  g_autoptr(MrDns) dns = rfc_dns ();

  for (guint round = 0; round < 2000; round++)
    {
      g_autoptr(GString) s = g_string_new (round % 2 ? "DKIM-Signature:" : "");
      guint len = g_test_rand_int_range (0, 200);
      g_autoptr(GPtrArray) verdicts = NULL;
      g_autoptr(MrDkimTags) tags = NULL;

      for (guint i = 0; i < len; i++)
        g_string_append_c (s, alphabet[g_test_rand_int_range (0, sizeof alphabet - 1)]);
      tags = mr_dkim_tags_parse (s->str, s->len, NULL);
      g_string_append (s, "\r\nFrom: a@b.example\r\n\r\nbody\r\n");
      verdicts = verify_text (dns, s->str);
      for (guint j = 0; j < verdicts->len; j++)
        g_assert_cmpint (((MrDkimVerdict *)verdicts->pdata[j])->result, !=, MR_DKIM_PASS);
    }
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/auth/dkim/rfc8463-vector", test_rfc8463_vector);
  g_test_add_func ("/auth/dkim/tampered", test_tampered);
  g_test_add_func ("/auth/dkim/keys-in-dns", test_keys_in_dns);
  g_test_add_func ("/auth/dkim/canonicalization", test_canonicalization);
  g_test_add_func ("/auth/dkim/tags", test_tags);
  g_test_add_func ("/auth/dkim/sign", test_sign);
  g_test_add_func ("/auth/dkim/rfc8463-key", test_rfc8463_key);
  g_test_add_func ("/auth/dkim/hostile", test_hostile);
  g_test_add_func ("/auth/dkim/noise", test_noise);

  return g_test_run ();
}
