/* mr-auth-results.h
 *
 * Copyright 2026 The Mailroom authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

#include "mr-dkim.h"
#include "mr-dmarc.h"
#include "mr-spf.h"

G_BEGIN_DECLS

#define MR_AUTH_RESULTS_HEADER "Authentication-Results"

/*
 * The Authentication-Results field (RFC 8601) a receiver adds, ending in
 * CRLF, one method per folded line:
 *
 *   Authentication-Results: mx1.recipient.example;
 *   	spf=pass (reason) smtp.mailfrom=sender.example;
 *   	dkim=pass (reason) header.d=sender.example header.s=lab header.b=XdGKjvr9;
 *   	dmarc=pass (p=reject dis=none) header.from=sender.example
 *
 * Any argument may be NULL (that method is left out); with no method at
 * all the field says "none" (2.2). Comments are ASCII, parentheses
 * replaced. (transfer full)
 */
char      *mr_auth_results_format (const char     *authserv_id,
                                   MrSpfVerdict   *spf,
                                   GPtrArray      *dkim,
                                   MrDmarcVerdict *dmarc);

/* One resinfo of a parsed field: "dkim=fail (comment) header.d=x". */
typedef struct
{
  char  *method;      /* "spf", "dkim", "dmarc", lower case */
  char  *result;      /* "pass", "fail", ... lower case */
  char  *comment;     /* the first comment after the result, or NULL */
  GStrv  properties;  /* "header.d=sender.example", in order */
} MrAuthResult;

void       mr_auth_result_free     (MrAuthResult *result);

/*
 * Parses the value of an Authentication-Results field (after the colon,
 * folded or not). Returns the results in order (element-type
 * MrAuthResult, transfer full) and sets @authserv_id_r, or NULL when the
 * value is malformed.
 */
GPtrArray *mr_auth_results_parse  (const char    *value,
                                   char         **authserv_id_r);
/* The value of property @name ("header.d") of @result, or NULL. */
const char *mr_auth_result_get_property (MrAuthResult *result,
                                         const char   *name);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (MrAuthResult, mr_auth_result_free)

G_END_DECLS
