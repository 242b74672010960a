/* mr-http-faults.c
 *
 * Copyright 2026 The Mailroom authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "mr-http-faults"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "mr-engine.h"
#include "mr-event-json.h"
#include "mr-fault.h"
#include "mr-http-server-private.h"
#include "mr-scenario.h"

/*
 * /api/v1/faults: the catalog and the faults switched on.
 *
 *   GET    /api/v1/faults                 catalog + active faults
 *   POST   /api/v1/faults/{name}          switch on ({"target", "one_shot"})
 *   DELETE /api/v1/faults/{name}[?target] switch off
 *   DELETE /api/v1/faults                 switch all off
 */

static void
add_fault_json (JsonBuilder *builder,
                MrFault     *fault,
                MrScenario  *scenario)
{
  g_autofree char *spec = mr_fault_to_spec (fault);

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "name");
  json_builder_add_string_value (builder, mr_fault_get_name (fault));
  mr_json_add_string_or_null (builder, "target", mr_fault_get_target (fault));
  json_builder_set_member_name (builder, "one_shot");
  json_builder_add_boolean_value (builder, mr_fault_get_one_shot (fault));
  json_builder_set_member_name (builder, "fired");
  json_builder_add_int_value (builder, mr_fault_get_n_fired (fault));
  json_builder_set_member_name (builder, "spec");
  json_builder_add_string_value (builder, spec);
  /* Where it bites, for a badge on the page's map. */
  json_builder_set_member_name (builder, "hosts");
  json_builder_begin_array (builder);
  for (guint i = 0; scenario != NULL && i < mr_scenario_get_hosts (scenario)->len; i++)
    {
      const MrScenarioHost *host = g_ptr_array_index (mr_scenario_get_hosts (scenario), i);

      if (mr_fault_info_bites_host (mr_fault_get_info (fault), mr_fault_get_target (fault),
                                    host->name, mr_host_role_to_string (host->role)))
        json_builder_add_string_value (builder, host->name);
    }
  json_builder_end_array (builder);
  json_builder_end_object (builder);
}

static void
add_catalog_json (JsonBuilder *builder)
{
  const MrFaultInfo *all;
  guint n;

  all = mr_fault_catalog_get_all (&n);
  json_builder_begin_array (builder);
  for (guint i = 0; i < n; i++)
    {
      g_autofree char *reply = mr_fault_info_describe_reply (&all[i]);

      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "name");
      json_builder_add_string_value (builder, all[i].name);
      json_builder_set_member_name (builder, "stage");
      json_builder_add_string_value (builder, mr_fault_stage_to_string (all[i].stage));
      json_builder_set_member_name (builder, "targets");
      json_builder_begin_array (builder);
      if (all[i].targets & MR_FAULT_TARGET_HOST)
        json_builder_add_string_value (builder, "host");
      if (all[i].targets & MR_FAULT_TARGET_ACCOUNT)
        json_builder_add_string_value (builder, "account");
      if (all[i].targets & MR_FAULT_TARGET_DOMAIN)
        json_builder_add_string_value (builder, "domain");
      json_builder_end_array (builder);
      json_builder_set_member_name (builder, "reply");
      json_builder_add_string_value (builder, reply ? reply : "");
      json_builder_set_member_name (builder, "summary");
      json_builder_add_string_value (builder, all[i].summary ? g_dgettext (GETTEXT_PACKAGE, all[i].summary) : "");
      json_builder_end_object (builder);
    }
  json_builder_end_array (builder);
}

static void
reply_faults (MrHttpServer      *self,
              SoupServerMessage *msg,
              MrFaultSet        *faults)
{
  MrScenario *scenario = self->engine != NULL ? mr_engine_get_scenario (self->engine) : NULL;
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonNode) node = NULL;

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "catalog");
  add_catalog_json (builder);
  json_builder_set_member_name (builder, "active");
  if (faults != NULL)
    {
      json_builder_begin_array (builder);
      for (guint i = 0; i < g_list_model_get_n_items (G_LIST_MODEL (faults)); i++)
        {
          g_autoptr(MrFault) fault = g_list_model_get_item (G_LIST_MODEL (faults), i);

          add_fault_json (builder, fault, scenario);
        }
      json_builder_end_array (builder);
    }
  else
    json_builder_add_null_value (builder);
  json_builder_end_object (builder);

  node = json_builder_get_root (builder);
  _mr_http_reply_json (msg, SOUP_STATUS_OK, node);
}

void
_mr_http_handle_faults (MrHttpServer      *self,
                        SoupServerMessage *msg,
                        GHashTable        *query,
                        char             **segments)
{
  static const MrHttpField fields[] = {
    { "target", MR_HTTP_FIELD_STRING },
    { "one_shot", MR_HTTP_FIELD_BOOLEAN },
  };
  const char *method = soup_server_message_get_method (msg);
  guint n = g_strv_length (segments);
  MrFaultSet *faults = _mr_http_get_faults (self);

  if (n > 1)
    {
      _mr_http_reply_error (msg, SOUP_STATUS_NOT_FOUND, NULL, "No such resource: %s", segments[1]);
      return;
    }

  if (strcmp (method, SOUP_METHOD_GET) == 0 || strcmp (method, SOUP_METHOD_HEAD) == 0)
    {
      if (n == 1)
        {
          _mr_http_reply_error (msg, SOUP_STATUS_METHOD_NOT_ALLOWED, NULL,
                                "List the faults with GET /api/v1/faults");
          return;
        }
      reply_faults (self, msg, faults);
      return;
    }

  if (!(strcmp (method, SOUP_METHOD_POST) == 0 && n == 1) && strcmp (method, SOUP_METHOD_DELETE) != 0)
    {
      soup_message_headers_replace (soup_server_message_get_response_headers (msg), "Allow",
                                    n == 1 ? "POST, DELETE" : "GET, DELETE");
      _mr_http_reply_error (msg, SOUP_STATUS_METHOD_NOT_ALLOWED, NULL, "Method %s is not allowed here", method);
      return;
    }

  if (!_mr_http_check_teacher (self, msg))
    return;

  if (faults == NULL)
    {
      _mr_http_reply_error (msg, SOUP_STATUS_NOT_IMPLEMENTED, NULL,
                            "Not implemented yet: the engine has no fault set (the world is not set up)");
      return;
    }

  if (n == 1 && mr_fault_catalog_lookup (segments[0]) == NULL)
    {
      _mr_http_reply_error (msg, SOUP_STATUS_NOT_FOUND, "name",
                            "No fault “%s” (GET /api/v1/faults lists them)", segments[0]);
      return;
    }

  if (strcmp (method, SOUP_METHOD_POST) == 0)
    {
      g_autoptr(JsonObject) body = NULL;
      g_autoptr(GError) error = NULL;
      g_autoptr(JsonBuilder) builder = json_builder_new ();
      g_autoptr(JsonNode) node = NULL;
      const char *target = NULL;
      gboolean one_shot = FALSE;
      goffset length;
      MrFault *fault;

      /* The body is optional: no body switches the fault on everywhere. */
      length = soup_message_headers_get_content_length (soup_server_message_get_request_headers (msg));
      if (length > 0)
        {
          if (!(body = _mr_http_parse_body (self, msg, fields, G_N_ELEMENTS (fields))))
            return;
          target = json_object_get_string_member_with_default (body, "target", NULL);
          one_shot = json_object_get_boolean_member_with_default (body, "one_shot", FALSE);
        }

      fault = mr_fault_set_add (faults, segments[0], target, one_shot, &error);
      if (fault == NULL)
        {
          _mr_http_reply_error (msg, SOUP_STATUS_BAD_REQUEST, target ? "target" : "name", "%s", error->message);
          return;
        }
      add_fault_json (builder, fault, self->engine ? mr_engine_get_scenario (self->engine) : NULL);
      node = json_builder_get_root (builder);
      _mr_http_reply_json (msg, SOUP_STATUS_CREATED, node);
      return;
    }

  /* DELETE */
  if (n == 0)
    mr_fault_set_clear (faults);
  else if (mr_fault_set_remove_by_name (faults, segments[0], query ? g_hash_table_lookup (query, "target") : NULL) == 0)
    {
      _mr_http_reply_error (msg, SOUP_STATUS_NOT_FOUND, "name", "Fault “%s” is not on", segments[0]);
      return;
    }
  reply_faults (self, msg, faults);
}
