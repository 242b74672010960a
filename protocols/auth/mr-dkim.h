/* mr-dkim.h
 *
 * Copyright 2026 The Mailroom authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

#include "mr-dns.h"

G_BEGIN_DECLS

/**
 * MrDkimAlgorithm:
 * @MR_DKIM_RSA_SHA256: RSASSA-PKCS1-v1_5 over SHA-256 (RFC 6376 3.3.1)
 * @MR_DKIM_ED25519_SHA256: Ed25519 over the SHA-256 of the header hash
 *   input (RFC 8463 3)
 */
typedef enum
{
  MR_DKIM_RSA_SHA256,
  MR_DKIM_ED25519_SHA256,
} MrDkimAlgorithm;

/**
 * MrDkimCanon:
 * @MR_DKIM_CANON_SIMPLE: almost no change tolerated (RFC 6376 3.4.1, 3.4.3)
 * @MR_DKIM_CANON_RELAXED: whitespace and header case tolerated (3.4.2, 3.4.4)
 */
typedef enum
{
  MR_DKIM_CANON_SIMPLE,
  MR_DKIM_CANON_RELAXED,
} MrDkimCanon;

/**
 * MrDkimResult:
 * The per-signature results of RFC 8601 2.7.1.
 */
typedef enum
{
  MR_DKIM_NONE,       /* the message is not signed */
  MR_DKIM_PASS,
  MR_DKIM_FAIL,       /* the signature or body hash does not verify */
  MR_DKIM_NEUTRAL,    /* a signature we could not evaluate (syntax) */
  MR_DKIM_TEMPERROR,  /* the key could not be fetched for now */
  MR_DKIM_PERMERROR,  /* no key, revoked key, unsupported algorithm */
} MrDkimResult;

/**
 * MrDkimFailure:
 * Why a signature did not pass, for the inspector and lessons.
 */
typedef enum
{
  MR_DKIM_FAILURE_NONE,
  MR_DKIM_FAILURE_SYNTAX,             /* malformed tag-list or missing tag */
  MR_DKIM_FAILURE_UNSUPPORTED,        /* algorithm, version, canonicalization */
  MR_DKIM_FAILURE_EXPIRED,            /* x= is in the past */
  MR_DKIM_FAILURE_NO_KEY,             /* no key record for s=/d= */
  MR_DKIM_FAILURE_KEY_REVOKED,        /* p= is empty */
  MR_DKIM_FAILURE_BAD_KEY,            /* unreadable or of the wrong type */
  MR_DKIM_FAILURE_DNS,                /* temporary look-up failure */
  MR_DKIM_FAILURE_BODY_HASH_MISMATCH, /* the body changed (bh=) */
  MR_DKIM_FAILURE_SIGNATURE_MISMATCH, /* the signed headers changed (b=) */
} MrDkimFailure;

/* Bounds on what we parse (hostile input). */
#define MR_DKIM_MAX_TAGS           64
#define MR_DKIM_MAX_TAG_LIST       16384
#define MR_DKIM_MAX_SIGNATURES     8
#define MR_DKIM_MAX_SIGNED_HEADERS 64

/* A tag=value list (RFC 6376 3.2). */
typedef struct _MrDkimTags MrDkimTags;

/* Parses @text (@len bytes, no NUL needed). NULL with @error set when the
 * syntax is wrong, a tag repeats, or a bound is exceeded. (transfer full) */
MrDkimTags   *mr_dkim_tags_parse       (const char   *text,
                                        gssize        len,
                                        GError      **error);
/* The value of @name with surrounding whitespace removed, or NULL. */
const char   *mr_dkim_tags_get         (MrDkimTags   *tags,
                                        const char   *name);
guint         mr_dkim_tags_get_n_tags  (MrDkimTags   *tags);
void          mr_dkim_tags_free        (MrDkimTags   *tags);

/* Canonicalization, exposed for tests and the inspector (RFC 6376 3.4).
 * @header is one whole field with its CRLF; @body everything after the
 * blank line. Both return new buffers. */
GBytes       *mr_dkim_canon_header     (MrDkimCanon   canon,
                                        const char   *header,
                                        gsize         len);
GBytes       *mr_dkim_canon_body       (MrDkimCanon   canon,
                                        const char   *body,
                                        gsize         len);

/* A signing key (private half, GnuTLS). */
typedef struct _MrDkimKey MrDkimKey;

/* A fresh key: RSA 2048 bits or Ed25519. (transfer full) */
MrDkimKey    *mr_dkim_key_generate     (MrDkimAlgorithm   algorithm,
                                        GError          **error);
/* A key from PEM (PKCS#8 or PKCS#1), the type read from the key. */
MrDkimKey    *mr_dkim_key_new_from_pem (const char       *pem,
                                        GError          **error);
/* An Ed25519 key from its 32-byte secret and public key (RFC 8463 A.2
 * gives a pair). */
MrDkimKey    *mr_dkim_key_new_ed25519  (GBytes           *secret,
                                        GBytes           *public_key,
                                        GError          **error);
MrDkimAlgorithm mr_dkim_key_get_algorithm (MrDkimKey     *key);
/* The PEM of the private key, to keep it beside the TLS certificate. */
char         *mr_dkim_key_dup_pem      (MrDkimKey        *key);
/* The DNS record publishing the public key:
 * "v=DKIM1; k=ed25519; p=..." (RFC 6376 3.6.1, RFC 8463 4). */
char         *mr_dkim_key_dup_record   (MrDkimKey        *key);
void          mr_dkim_key_free         (MrDkimKey        *key);

typedef struct
{
  const char         *domain;    /* d= */
  const char         *selector;  /* s= */
  /* h=: NULL for From, To, Cc, Subject, Date, Message-ID, Reply-To,
   * MIME-Version, Content-Type (names missing from the message are still
   * signed, so they cannot be added later: RFC 6376 5.4). */
  const char * const *headers;
  MrDkimCanon         header_canon;
  MrDkimCanon         body_canon;
  gint64              timestamp; /* t=, UNIX seconds; 0 leaves it out */
} MrDkimSignOptions;

void          mr_dkim_sign_options_init (MrDkimSignOptions *options);

/*
 * Signs @message (header and body, CRLF) with @key and returns the
 * DKIM-Signature field to put on top, folded, ending in CRLF
 * (RFC 6376 5). NULL with @error when @message has no header or signing
 * fails. (transfer full)
 */
char         *mr_dkim_sign             (MrDkimKey               *key,
                                        const MrDkimSignOptions *options,
                                        GBytes                  *message,
                                        GError                 **error);
/* The same, returning @message with the field prepended. */
GBytes       *mr_dkim_sign_message     (MrDkimKey               *key,
                                        const MrDkimSignOptions *options,
                                        GBytes                  *message,
                                        GError                 **error);

/* The outcome of one DKIM-Signature field (RFC 6376 6). */
typedef struct
{
  MrDkimResult   result;
  MrDkimFailure  failure;
  char          *reason;          /* one sentence, e.g. "body hash mismatch" */
  char          *domain;          /* d= (lower case), or NULL if malformed */
  char          *selector;        /* s= */
  char          *identity;        /* i= or "@" d= */
  char          *algorithm;       /* a= as written */
  char          *canonicalization;/* c= as "relaxed/relaxed" */
  char          *b_prefix;        /* first 8 characters of b= (RFC 6008) */
  GStrv          signed_headers;  /* h= as listed */
  gboolean       body_hash_ok;    /* bh= matched */
} MrDkimVerdict;

void          mr_dkim_verdict_free     (MrDkimVerdict *verdict);
const char   *mr_dkim_result_to_string (MrDkimResult   result);
const char   *mr_dkim_failure_to_string (MrDkimFailure failure);

/*
 * Verifies every DKIM-Signature field of @message (top first, at most
 * MR_DKIM_MAX_SIGNATURES), fetching keys "s._domainkey.d" from the lab
 * @dns. @now (UNIX seconds) checks x=; 0 skips the check. Returns an
 * empty array for an unsigned message.
 * (transfer full) (element-type MrDkimVerdict)
 */
GPtrArray    *mr_dkim_verify           (MrDns         *dns,
                                        GBytes        *message,
                                        gint64         now);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (MrDkimTags, mr_dkim_tags_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (MrDkimKey, mr_dkim_key_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (MrDkimVerdict, mr_dkim_verdict_free)

G_END_DECLS
