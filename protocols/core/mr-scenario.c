/* mr-scenario.c
 *
 * Copyright 2026 The Mailroom authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "mr-scenario"

#include "config.h"

#include <string.h>

#include "mr-error.h"
#include "mr-scenario.h"
#include "mr-store.h"

struct _MrScenario
{
  GObject    parent_instance;

  char      *name;
  char      *description;
  GPtrArray *hosts;
  GPtrArray *dns;
  GPtrArray *accounts;
  GPtrArray *lists;
  GPtrArray *links;
  GPtrArray *domains;
};

G_DEFINE_FINAL_TYPE (MrScenario, mr_scenario, G_TYPE_OBJECT)

static const char *role_names[] = {
  [MR_HOST_CLIENT] = "client",
  [MR_HOST_SUBMISSION] = "submission",
  [MR_HOST_RELAY] = "relay",
  [MR_HOST_MX] = "mx",
  [MR_HOST_MAILBOX] = "mailbox",
};

static void
host_free (MrScenarioHost *host)
{
  g_free (host->name);
  g_free (host->address);
  g_free (host->label);
  g_free (host->domain);
  g_strfreev (host->services);
  g_free (host);
}

static void
dns_record_free (MrDnsRecord *record)
{
  g_free (record->name);
  g_free (record->type);
  g_free (record->value);
  g_free (record);
}

static void
account_free (MrScenarioAccount *account)
{
  g_free (account->address);
  g_free (account->password);
  g_free (account->display_name);
  g_free (account);
}

static void
list_free (MrScenarioList *list)
{
  g_free (list->address);
  g_strfreev (list->members);
  g_free (list);
}

static void
mr_scenario_finalize (GObject *object)
{
  MrScenario *self = (MrScenario *)object;

  g_clear_pointer (&self->name, g_free);
  g_clear_pointer (&self->description, g_free);
  g_clear_pointer (&self->hosts, g_ptr_array_unref);
  g_clear_pointer (&self->dns, g_ptr_array_unref);
  g_clear_pointer (&self->accounts, g_ptr_array_unref);
  g_clear_pointer (&self->lists, g_ptr_array_unref);
  g_clear_pointer (&self->links, g_ptr_array_unref);
  g_clear_pointer (&self->domains, g_ptr_array_unref);

  G_OBJECT_CLASS (mr_scenario_parent_class)->finalize (object);
}

static void
mr_scenario_class_init (MrScenarioClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = mr_scenario_finalize;
}

static void
mr_scenario_init (MrScenario *self)
{
  self->hosts = g_ptr_array_new_with_free_func ((GDestroyNotify)host_free);
  self->dns = g_ptr_array_new_with_free_func ((GDestroyNotify)dns_record_free);
  self->accounts = g_ptr_array_new_with_free_func ((GDestroyNotify)account_free);
  self->lists = g_ptr_array_new_with_free_func ((GDestroyNotify)list_free);
  self->links = g_ptr_array_new_with_free_func ((GDestroyNotify)g_strfreev);
  self->domains = g_ptr_array_new_null_terminated (4, g_free, TRUE);
}

/* Validation helpers: each names the path of the offending value. */

static gboolean
check_keys (JsonObject          *object,
            const char * const  *allowed,
            const char          *path,
            GError             **error)
{
  g_autoptr(GList) members = json_object_get_members (object);

  for (GList *l = members; l; l = l->next)
    {
      if (!g_strv_contains (allowed, l->data))
        {
          g_set_error (error, MR_ERROR, MR_ERROR_INVALID_DATA,
                       "%s.%s: unknown key", path, (const char *)l->data);
          return FALSE;
        }
    }
  return TRUE;
}

static gboolean
get_string (JsonObject  *object,
            const char  *key,
            gboolean     required,
            const char  *path,
            char       **value_r,
            GError     **error)
{
  JsonNode *node = json_object_get_member (object, key);

  *value_r = NULL;
  if (node == NULL || JSON_NODE_HOLDS_NULL (node))
    {
      if (required)
        {
          g_set_error (error, MR_ERROR, MR_ERROR_INVALID_DATA,
                       "%s.%s: missing", path, key);
          return FALSE;
        }
      return TRUE;
    }
  if (!JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_STRING)
    {
      g_set_error (error, MR_ERROR, MR_ERROR_INVALID_DATA,
                   "%s.%s: expected a string", path, key);
      return FALSE;
    }
  *value_r = g_strdup (json_node_get_string (node));
  return TRUE;
}

static gboolean
get_string_array (JsonNode    *node,
                  const char  *path,
                  GStrv       *value_r,
                  GError     **error)
{
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  JsonArray *array;

  if (node == NULL || !JSON_NODE_HOLDS_ARRAY (node))
    {
      g_set_error (error, MR_ERROR, MR_ERROR_INVALID_DATA, "%s: expected an array", path);
      return FALSE;
    }
  array = json_node_get_array (node);
  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      JsonNode *element = json_array_get_element (array, i);

      if (!JSON_NODE_HOLDS_VALUE (element) || json_node_get_value_type (element) != G_TYPE_STRING)
        {
          g_set_error (error, MR_ERROR, MR_ERROR_INVALID_DATA,
                       "%s[%u]: expected a string", path, i);
          return FALSE;
        }
      g_strv_builder_add (builder, json_node_get_string (element));
    }
  *value_r = g_strv_builder_end (builder);
  return TRUE;
}

static JsonArray *
get_array (JsonObject  *root,
           const char  *key,
           GError     **error)
{
  JsonNode *node = json_object_get_member (root, key);

  if (node == NULL)
    return NULL;
  if (!JSON_NODE_HOLDS_ARRAY (node))
    {
      g_set_error (error, MR_ERROR, MR_ERROR_INVALID_DATA, "%s: expected an array", key);
      return NULL;
    }
  return json_node_get_array (node);
}

static JsonObject *
get_object_element (JsonArray   *array,
                    guint        index,
                    const char  *key,
                    char       **path_r,
                    GError     **error)
{
  JsonNode *node = json_array_get_element (array, index);

  *path_r = g_strdup_printf ("%s[%u]", key, index);
  if (!JSON_NODE_HOLDS_OBJECT (node))
    {
      g_set_error (error, MR_ERROR, MR_ERROR_INVALID_DATA, "%s: expected an object", *path_r);
      return NULL;
    }
  return json_node_get_object (node);
}

static gboolean
is_valid_address (const char *address)
{
  const char *at = address ? strrchr (address, '@') : NULL;

  return at != NULL && at != address && at[1] != '\0' && strchr (address, ' ') == NULL;
}

static gboolean
parse_hosts (MrScenario  *self,
             JsonObject  *root,
             GError     **error)
{
  static const char * const keys[] = { "name", "role", "address", "label", "domain", "services", NULL };
  GError *local_error = NULL;
  JsonArray *array = get_array (root, "hosts", &local_error);

  if (local_error != NULL)
    {
      g_propagate_error (error, local_error);
      return FALSE;
    }

  for (guint i = 0; array && i < json_array_get_length (array); i++)
    {
      g_autofree char *path = NULL;
      g_autofree char *role = NULL;
      MrScenarioHost *host;
      JsonObject *object;
      JsonNode *services;

      if (!(object = get_object_element (array, i, "hosts", &path, error)) ||
          !check_keys (object, keys, path, error))
        return FALSE;

      host = g_new0 (MrScenarioHost, 1);
      g_ptr_array_add (self->hosts, host);

      if (!get_string (object, "name", TRUE, path, &host->name, error) ||
          !get_string (object, "role", TRUE, path, &role, error) ||
          !get_string (object, "address", FALSE, path, &host->address, error) ||
          !get_string (object, "label", FALSE, path, &host->label, error) ||
          !get_string (object, "domain", FALSE, path, &host->domain, error))
        return FALSE;

      if (!mr_host_role_from_string (role, &host->role))
        {
          g_set_error (error, MR_ERROR, MR_ERROR_INVALID_DATA,
                       "%s.role: unknown role '%s' (client, submission, relay, mx, mailbox)", path, role);
          return FALSE;
        }

      if (mr_scenario_lookup_host (self, host->name) != host)
        {
          g_set_error (error, MR_ERROR, MR_ERROR_INVALID_DATA,
                       "%s.name: duplicate host '%s'", path, host->name);
          return FALSE;
        }

      services = json_object_get_member (object, "services");
      if (services != NULL)
        {
          g_autofree char *services_path = g_strdup_printf ("%s.services", path);

          if (!get_string_array (services, services_path, &host->services, error))
            return FALSE;
          for (guint j = 0; host->services[j]; j++)
            {
              MrService service;

              if (!mr_service_from_string (host->services[j], &service))
                {
                  g_set_error (error, MR_ERROR, MR_ERROR_INVALID_DATA,
                               "%s[%u]: unknown service '%s'", services_path, j, host->services[j]);
                  return FALSE;
                }
            }
        }
      else
        host->services = g_new0 (char *, 1);
    }

  return TRUE;
}

static gboolean
parse_dns (MrScenario  *self,
           JsonObject  *root,
           GError     **error)
{
  static const char * const keys[] = { "name", "type", "value", "priority", NULL };
  GError *local_error = NULL;
  JsonArray *array = get_array (root, "dns", &local_error);

  if (local_error != NULL)
    {
      g_propagate_error (error, local_error);
      return FALSE;
    }

  for (guint i = 0; array && i < json_array_get_length (array); i++)
    {
      g_autofree char *path = NULL;
      MrDnsRecord *record;
      JsonObject *object;
      JsonNode *priority;

      if (!(object = get_object_element (array, i, "dns", &path, error)) ||
          !check_keys (object, keys, path, error))
        return FALSE;

      record = g_new0 (MrDnsRecord, 1);
      g_ptr_array_add (self->dns, record);

      if (!get_string (object, "name", TRUE, path, &record->name, error) ||
          !get_string (object, "type", TRUE, path, &record->type, error) ||
          !get_string (object, "value", TRUE, path, &record->value, error))
        return FALSE;

      g_free (g_steal_pointer (&record->name));
      record->name = g_ascii_strdown (json_object_get_string_member (object, "name"), -1);
      g_free (g_steal_pointer (&record->type));
      record->type = g_ascii_strup (json_object_get_string_member (object, "type"), -1);
      if (!g_strv_contains ((const char * const[]) { "MX", "A", "AAAA", "TXT", "CNAME", NULL }, record->type))
        {
          g_set_error (error, MR_ERROR, MR_ERROR_INVALID_DATA,
                       "%s.type: unsupported record type '%s' (MX, A, AAAA, TXT, CNAME)", path, record->type);
          return FALSE;
        }

      priority = json_object_get_member (object, "priority");
      if (priority != NULL)
        {
          if (!JSON_NODE_HOLDS_VALUE (priority) || json_node_get_value_type (priority) != G_TYPE_INT64 ||
              json_node_get_int (priority) < 0 || json_node_get_int (priority) > 65535)
            {
              g_set_error (error, MR_ERROR, MR_ERROR_INVALID_DATA,
                           "%s.priority: expected an integer from 0 to 65535", path);
              return FALSE;
            }
          record->priority = (guint)json_node_get_int (priority);
        }
      else if (g_str_equal (record->type, "MX"))
        {
          g_set_error (error, MR_ERROR, MR_ERROR_INVALID_DATA, "%s.priority: missing for an MX record", path);
          return FALSE;
        }
    }

  return TRUE;
}

static gboolean
parse_accounts (MrScenario  *self,
                JsonObject  *root,
                GError     **error)
{
  static const char * const keys[] = { "address", "password", "name", NULL };
  GError *local_error = NULL;
  JsonArray *array = get_array (root, "accounts", &local_error);

  if (local_error != NULL)
    {
      g_propagate_error (error, local_error);
      return FALSE;
    }

  for (guint i = 0; array && i < json_array_get_length (array); i++)
    {
      g_autofree char *path = NULL;
      MrScenarioAccount *account;
      JsonObject *object;

      if (!(object = get_object_element (array, i, "accounts", &path, error)) ||
          !check_keys (object, keys, path, error))
        return FALSE;

      account = g_new0 (MrScenarioAccount, 1);
      g_ptr_array_add (self->accounts, account);

      if (!get_string (object, "address", TRUE, path, &account->address, error) ||
          !get_string (object, "password", TRUE, path, &account->password, error) ||
          !get_string (object, "name", FALSE, path, &account->display_name, error))
        return FALSE;

      if (!is_valid_address (account->address))
        {
          g_set_error (error, MR_ERROR, MR_ERROR_INVALID_DATA,
                       "%s.address: '%s' is not local@domain", path, account->address);
          return FALSE;
        }
    }

  return TRUE;
}

static gboolean
parse_lists (MrScenario  *self,
             JsonObject  *root,
             GError     **error)
{
  static const char * const keys[] = { "address", "members", NULL };
  GError *local_error = NULL;
  JsonArray *array = get_array (root, "lists", &local_error);

  if (local_error != NULL)
    {
      g_propagate_error (error, local_error);
      return FALSE;
    }

  for (guint i = 0; array && i < json_array_get_length (array); i++)
    {
      g_autofree char *path = NULL;
      g_autofree char *members_path = NULL;
      MrScenarioList *list;
      JsonObject *object;

      if (!(object = get_object_element (array, i, "lists", &path, error)) ||
          !check_keys (object, keys, path, error))
        return FALSE;

      list = g_new0 (MrScenarioList, 1);
      g_ptr_array_add (self->lists, list);

      members_path = g_strdup_printf ("%s.members", path);
      if (!get_string (object, "address", TRUE, path, &list->address, error) ||
          !get_string_array (json_object_get_member (object, "members"), members_path, &list->members, error))
        return FALSE;
    }

  return TRUE;
}

static gboolean
parse_links (MrScenario  *self,
             JsonObject  *root,
             GError     **error)
{
  GError *local_error = NULL;
  JsonArray *array = get_array (root, "links", &local_error);

  if (local_error != NULL)
    {
      g_propagate_error (error, local_error);
      return FALSE;
    }

  for (guint i = 0; array && i < json_array_get_length (array); i++)
    {
      g_autofree char *path = g_strdup_printf ("links[%u]", i);
      GStrv pair = NULL;

      if (!get_string_array (json_array_get_element (array, i), path, &pair, error))
        return FALSE;
      g_ptr_array_add (self->links, pair);

      if (g_strv_length (pair) != 2)
        {
          g_set_error (error, MR_ERROR, MR_ERROR_INVALID_DATA, "%s: a link joins exactly two hosts", path);
          return FALSE;
        }
      for (guint j = 0; j < 2; j++)
        {
          if (mr_scenario_lookup_host (self, pair[j]) == NULL)
            {
              g_set_error (error, MR_ERROR, MR_ERROR_INVALID_DATA,
                           "%s[%u]: no host named '%s'", path, j, pair[j]);
              return FALSE;
            }
        }
    }

  return TRUE;
}

static gboolean
parse_domains (MrScenario  *self,
               JsonObject  *root,
               GError     **error)
{
  static const char * const keys[] = { "name", NULL };
  GError *local_error = NULL;
  JsonArray *array = get_array (root, "domains", &local_error);

  if (local_error != NULL)
    {
      g_propagate_error (error, local_error);
      return FALSE;
    }

  for (guint i = 0; array && i < json_array_get_length (array); i++)
    {
      g_autofree char *path = NULL;
      char *name = NULL;
      JsonObject *object;

      if (!(object = get_object_element (array, i, "domains", &path, error)) ||
          !check_keys (object, keys, path, error) ||
          !get_string (object, "name", TRUE, path, &name, error))
        return FALSE;
      g_ptr_array_add (self->domains, g_ascii_strdown (name, -1));
      g_free (name);
    }

  return TRUE;
}

static gboolean
check_references (MrScenario  *self,
                  GError     **error)
{
  for (guint i = 0; i < self->dns->len; i++)
    {
      MrDnsRecord *record = g_ptr_array_index (self->dns, i);

      /* An MX may point outside the lab's hosts: the relay then finds no
       * address and treats it like a host that does not answer. */
      if (g_str_equal (record->type, "MX") && record->value[0] == '\0')
        {
          g_set_error (error, MR_ERROR, MR_ERROR_INVALID_DATA, "dns[%u].value: empty MX exchange", i);
          return FALSE;
        }
    }
  return TRUE;
}

MrScenario *
mr_scenario_new_from_data (const char  *data,
                           gssize       len,
                           GError     **error)
{
  static const char * const keys[] = { "name", "description", "domains", "hosts", "links", "dns",
                                       "accounts", "lists", NULL };
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(MrScenario) self = NULL;
  g_autoptr(GError) local_error = NULL;
  JsonObject *root;

  if (!json_parser_load_from_data (parser, data, len, &local_error))
    {
      g_set_error (error, MR_ERROR, MR_ERROR_INVALID_DATA, "%s", local_error->message);
      return NULL;
    }

  if (!JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)))
    {
      g_set_error (error, MR_ERROR, MR_ERROR_INVALID_DATA, "The scenario must be a JSON object");
      return NULL;
    }

  self = g_object_new (MR_TYPE_SCENARIO, NULL);
  root = json_node_get_object (json_parser_get_root (parser));

  if (!check_keys (root, keys, "scenario", error) ||
      !get_string (root, "name", FALSE, "scenario", &self->name, error) ||
      !get_string (root, "description", FALSE, "scenario", &self->description, error) ||
      !parse_domains (self, root, error) ||
      !parse_hosts (self, root, error) ||
      !parse_dns (self, root, error) ||
      !parse_accounts (self, root, error) ||
      !parse_lists (self, root, error) ||
      !parse_links (self, root, error) ||
      !check_references (self, error))
    return NULL;

  if (self->name == NULL)
    self->name = g_strdup ("Untitled lab");

  return g_steal_pointer (&self);
}

MrScenario *
mr_scenario_new_from_file (const char  *path,
                           GError     **error)
{
  g_autofree char *contents = NULL;
  g_autoptr(GError) local_error = NULL;
  MrScenario *self;
  gsize len;

  if (!g_file_get_contents (path, &contents, &len, error))
    return NULL;

  if (!(self = mr_scenario_new_from_data (contents, len, &local_error)))
    {
      g_set_error (error, MR_ERROR, MR_ERROR_INVALID_DATA, "%s: %s", path, local_error->message);
      return NULL;
    }
  return self;
}

MrScenario *
mr_scenario_new_default (void)
{
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(GError) error = NULL;
  MrScenario *self;

  bytes = g_resources_lookup_data ("/io/github/mailroomlab/Mailroom/protocols/default.scenario.json",
                                   G_RESOURCE_LOOKUP_FLAGS_NONE, &error);
  g_assert_no_error (error);
  self = mr_scenario_new_from_data (g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes), &error);
  g_assert_no_error (error);
  return self;
}

const char *
mr_scenario_get_name (MrScenario *self)
{
  g_return_val_if_fail (MR_IS_SCENARIO (self), NULL);
  return self->name;
}

const char *
mr_scenario_get_description (MrScenario *self)
{
  g_return_val_if_fail (MR_IS_SCENARIO (self), NULL);
  return self->description;
}

GPtrArray *
mr_scenario_get_hosts (MrScenario *self)
{
  g_return_val_if_fail (MR_IS_SCENARIO (self), NULL);
  return self->hosts;
}

MrScenarioHost *
mr_scenario_lookup_host (MrScenario *self,
                         const char *name)
{
  g_return_val_if_fail (MR_IS_SCENARIO (self), NULL);

  for (guint i = 0; name && i < self->hosts->len; i++)
    {
      MrScenarioHost *host = g_ptr_array_index (self->hosts, i);

      if (g_ascii_strcasecmp (host->name, name) == 0)
        return host;
    }
  return NULL;
}

MrScenarioHost *
mr_scenario_find_host (MrScenario *self,
                       MrHostRole  role,
                       const char *domain)
{
  g_return_val_if_fail (MR_IS_SCENARIO (self), NULL);

  for (guint i = 0; i < self->hosts->len; i++)
    {
      MrScenarioHost *host = g_ptr_array_index (self->hosts, i);

      if (host->role == role && (domain == NULL || g_ascii_strcasecmp (host->domain ? host->domain : "", domain) == 0))
        return host;
    }
  return NULL;
}

GPtrArray *
mr_scenario_get_dns_records (MrScenario *self)
{
  g_return_val_if_fail (MR_IS_SCENARIO (self), NULL);
  return self->dns;
}

GPtrArray *
mr_scenario_get_accounts (MrScenario *self)
{
  g_return_val_if_fail (MR_IS_SCENARIO (self), NULL);
  return self->accounts;
}

GPtrArray *
mr_scenario_get_lists (MrScenario *self)
{
  g_return_val_if_fail (MR_IS_SCENARIO (self), NULL);
  return self->lists;
}

GPtrArray *
mr_scenario_get_links (MrScenario *self)
{
  g_return_val_if_fail (MR_IS_SCENARIO (self), NULL);
  return self->links;
}

const char * const *
mr_scenario_get_domains (MrScenario *self)
{
  g_return_val_if_fail (MR_IS_SCENARIO (self), NULL);
  return (const char * const *)self->domains->pdata;
}

void
mr_scenario_apply_to_store (MrScenario *self,
                            MrStore    *store)
{
  g_return_if_fail (MR_IS_SCENARIO (self));
  g_return_if_fail (MR_IS_STORE (store));

  for (guint i = 0; i < self->domains->len; i++)
    mr_store_add_domain (store, g_ptr_array_index (self->domains, i));

  for (guint i = 0; i < self->accounts->len; i++)
    {
      MrScenarioAccount *account = g_ptr_array_index (self->accounts, i);
      MrAccount *added = mr_store_add_account (store, account->address, account->password);

      mr_account_set_password (added, account->password);
      if (account->display_name)
        mr_account_set_display_name (added, account->display_name);
    }

  for (guint i = 0; i < self->lists->len; i++)
    {
      MrScenarioList *list = g_ptr_array_index (self->lists, i);

      mr_store_add_list (store, list->address, (const char * const *)list->members);
    }
}

static JsonNode *
strv_to_json (const char * const *strv)
{
  g_autoptr(JsonArray) array = json_array_new ();

  for (guint i = 0; strv && strv[i]; i++)
    json_array_add_string_element (array, strv[i]);
  /* init_array takes its own reference */
  return json_node_init_array (json_node_alloc (), array);
}

JsonNode *
mr_scenario_to_json (MrScenario *self)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();

  g_return_val_if_fail (MR_IS_SCENARIO (self), NULL);

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "name");
  json_builder_add_string_value (builder, self->name);
  if (self->description)
    {
      json_builder_set_member_name (builder, "description");
      json_builder_add_string_value (builder, self->description);
    }

  json_builder_set_member_name (builder, "domains");
  json_builder_begin_array (builder);
  for (guint i = 0; i < self->domains->len; i++)
    {
      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "name");
      json_builder_add_string_value (builder, g_ptr_array_index (self->domains, i));
      json_builder_end_object (builder);
    }
  json_builder_end_array (builder);

  json_builder_set_member_name (builder, "hosts");
  json_builder_begin_array (builder);
  for (guint i = 0; i < self->hosts->len; i++)
    {
      MrScenarioHost *host = g_ptr_array_index (self->hosts, i);

      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "name");
      json_builder_add_string_value (builder, host->name);
      json_builder_set_member_name (builder, "role");
      json_builder_add_string_value (builder, mr_host_role_to_string (host->role));
#define OPTIONAL(key, value) \
      if (value) { json_builder_set_member_name (builder, key); json_builder_add_string_value (builder, value); }
      OPTIONAL ("address", host->address);
      OPTIONAL ("label", host->label);
      OPTIONAL ("domain", host->domain);
#undef OPTIONAL
      json_builder_set_member_name (builder, "services");
      json_builder_add_value (builder, strv_to_json ((const char * const *)host->services));
      json_builder_end_object (builder);
    }
  json_builder_end_array (builder);

  json_builder_set_member_name (builder, "links");
  json_builder_begin_array (builder);
  for (guint i = 0; i < self->links->len; i++)
    json_builder_add_value (builder, strv_to_json (g_ptr_array_index (self->links, i)));
  json_builder_end_array (builder);

  json_builder_set_member_name (builder, "dns");
  json_builder_begin_array (builder);
  for (guint i = 0; i < self->dns->len; i++)
    {
      MrDnsRecord *record = g_ptr_array_index (self->dns, i);

      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "name");
      json_builder_add_string_value (builder, record->name);
      json_builder_set_member_name (builder, "type");
      json_builder_add_string_value (builder, record->type);
      json_builder_set_member_name (builder, "value");
      json_builder_add_string_value (builder, record->value);
      if (g_str_equal (record->type, "MX"))
        {
          json_builder_set_member_name (builder, "priority");
          json_builder_add_int_value (builder, record->priority);
        }
      json_builder_end_object (builder);
    }
  json_builder_end_array (builder);

  json_builder_set_member_name (builder, "accounts");
  json_builder_begin_array (builder);
  for (guint i = 0; i < self->accounts->len; i++)
    {
      MrScenarioAccount *account = g_ptr_array_index (self->accounts, i);

      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "address");
      json_builder_add_string_value (builder, account->address);
      json_builder_set_member_name (builder, "password");
      json_builder_add_string_value (builder, account->password);
      if (account->display_name)
        {
          json_builder_set_member_name (builder, "name");
          json_builder_add_string_value (builder, account->display_name);
        }
      json_builder_end_object (builder);
    }
  json_builder_end_array (builder);

  json_builder_set_member_name (builder, "lists");
  json_builder_begin_array (builder);
  for (guint i = 0; i < self->lists->len; i++)
    {
      MrScenarioList *list = g_ptr_array_index (self->lists, i);

      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "address");
      json_builder_add_string_value (builder, list->address);
      json_builder_set_member_name (builder, "members");
      json_builder_add_value (builder, strv_to_json ((const char * const *)list->members));
      json_builder_end_object (builder);
    }
  json_builder_end_array (builder);

  json_builder_end_object (builder);

  return json_builder_get_root (builder);
}

const char *
mr_host_role_to_string (MrHostRole role)
{
  g_return_val_if_fail (role < G_N_ELEMENTS (role_names), NULL);
  return role_names[role];
}

gboolean
mr_host_role_from_string (const char *name,
                          MrHostRole *role_r)
{
  for (guint i = 0; name && i < G_N_ELEMENTS (role_names); i++)
    {
      if (g_str_equal (name, role_names[i]))
        {
          *role_r = i;
          return TRUE;
        }
    }
  return FALSE;
}
