/* mr-scenario.h
 *
 * Copyright 2026 The Mailroom authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <json-glib/json-glib.h>

#include "mr-types.h"

G_BEGIN_DECLS

#define MR_TYPE_SCENARIO (mr_scenario_get_type ())

G_DECLARE_FINAL_TYPE (MrScenario, mr_scenario, MR, SCENARIO, GObject)

typedef enum
{
  MR_HOST_CLIENT,      /* a user's laptop running a mail client (MUA) */
  MR_HOST_SUBMISSION,  /* the provider's submission server (MSA, RFC 6409) and relay */
  MR_HOST_RELAY,       /* a relay MTA with no mailboxes */
  MR_HOST_MX,          /* receives mail for a domain (MX record target) */
  MR_HOST_MAILBOX,     /* serves mailboxes over POP3 and IMAP */
} MrHostRole;

typedef struct
{
  char       *name;      /* "mx1.recipient.example" */
  MrHostRole  role;
  char       *address;   /* lab address (RFC 5737 documentation ranges) */
  char       *label;     /* human label, or NULL */
  char       *domain;    /* the mail domain it serves, or NULL */
  GStrv       services;  /* "smtp", "submission", "pop3"... (mr_service_to_string) */
} MrScenarioHost;

typedef struct
{
  char  *name;           /* owner name, lower case */
  char  *type;           /* "MX", "A", "TXT" */
  char  *value;          /* MX: exchange host; A: address; TXT: text */
  guint  priority;       /* MX preference (RFC 5321 5.1: lower is preferred) */
} MrDnsRecord;

typedef struct
{
  char *address;
  char *password;
  char *display_name;
} MrScenarioAccount;

typedef struct
{
  char  *address;
  GStrv  members;
} MrScenarioList;

/* Loads a scenario file (JSON; see docs/scenario.md). Unknown keys,
 * wrong types and dangling references are errors naming the place:
 * MR_ERROR_INVALID_DATA "hosts[2].role: unknown role 'mailserver'". */
MrScenario     *mr_scenario_new_from_file    (const char  *path,
                                              GError     **error);
MrScenario     *mr_scenario_new_from_data    (const char  *data,
                                              gssize       len,
                                              GError     **error);
/* The built-in default lab. */
MrScenario     *mr_scenario_new_default      (void);

const char     *mr_scenario_get_name         (MrScenario  *self);
const char     *mr_scenario_get_description  (MrScenario  *self);
/* (element-type MrScenarioHost) (transfer none) */
GPtrArray      *mr_scenario_get_hosts        (MrScenario  *self);
MrScenarioHost *mr_scenario_lookup_host      (MrScenario  *self,
                                              const char  *name);
/* The first host of @role serving @domain (or any domain if NULL). */
MrScenarioHost *mr_scenario_find_host        (MrScenario  *self,
                                              MrHostRole   role,
                                              const char  *domain);
/* (element-type MrDnsRecord) (transfer none) */
GPtrArray      *mr_scenario_get_dns_records  (MrScenario  *self);
/* (element-type MrScenarioAccount) (transfer none) */
GPtrArray      *mr_scenario_get_accounts     (MrScenario  *self);
/* (element-type MrScenarioList) (transfer none) */
GPtrArray      *mr_scenario_get_lists        (MrScenario  *self);
/* Pairs of host names: (element-type GStrv) (transfer none) */
GPtrArray      *mr_scenario_get_links        (MrScenario  *self);
/* (transfer none) NULL-terminated */
const char * const *mr_scenario_get_domains  (MrScenario  *self);
/* Adds domains, accounts and lists to @store. */
void            mr_scenario_apply_to_store   (MrScenario  *self,
                                              MrStore     *store);
/* The scenario as JSON, as it would be saved. (transfer full) */
JsonNode       *mr_scenario_to_json          (MrScenario  *self);

const char     *mr_host_role_to_string       (MrHostRole  role);
gboolean        mr_host_role_from_string     (const char  *name,
                                              MrHostRole  *role_r);

G_END_DECLS
