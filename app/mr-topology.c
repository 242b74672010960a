/* mr-topology.c
 *
 * Copyright 2026 The Mailroom authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "mr-topology"

#include "config.h"

#include <glib/gi18n.h>
#include <json-glib/json-glib.h>
#include <string.h>

#include "mr-topology.h"

#define LOCAL_HOST_NAME "this-computer"

struct _MrTopology
{
  GObject     parent_instance;
  GArray     *hosts;    /* MrHost */
  GArray     *links;    /* MrLink */
  GHashTable *index;    /* name -> index + 1 */
  guint       n_columns;
};

enum { CHANGED, N_SIGNALS };
static guint signals [N_SIGNALS];

G_DEFINE_FINAL_TYPE (MrTopology, mr_topology, G_TYPE_OBJECT)

static void
host_clear (gpointer data)
{
  MrHost *host = data;

  g_free (host->name);
  g_free (host->role);
  g_free (host->label);
}

static void
mr_topology_finalize (GObject *object)
{
  MrTopology *self = (MrTopology *)object;

  g_clear_pointer (&self->hosts, g_array_unref);
  g_clear_pointer (&self->links, g_array_unref);
  g_clear_pointer (&self->index, g_hash_table_unref);

  G_OBJECT_CLASS (mr_topology_parent_class)->finalize (object);
}

static void
mr_topology_class_init (MrTopologyClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = mr_topology_finalize;

  /**
   * MrTopology::changed:
   *
   * Emitted after hosts or links were added or the layout was redone.
   */
  signals [CHANGED] =
    g_signal_new ("changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 0);
}

static void
mr_topology_init (MrTopology *self)
{
  self->hosts = g_array_new (FALSE, TRUE, sizeof (MrHost));
  g_array_set_clear_func (self->hosts, host_clear);
  self->links = g_array_new (FALSE, TRUE, sizeof (MrLink));
  self->index = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
}

MrTopology *
mr_topology_new (void)
{
  return g_object_new (MR_TYPE_TOPOLOGY, NULL);
}

/* Columns left to right follow the path of a message: the sender's client,
 * the submission server, relays, MX servers, the mailbox server, the
 * recipient's client. */
static guint
role_column (const char *role)
{
  if (role == NULL)
    return 0;
  if (g_str_equal (role, "client"))
    return 0;
  if (g_str_equal (role, "submission"))
    return 1;
  if (g_str_equal (role, "relay"))
    return 2;
  if (g_str_equal (role, "mx"))
    return 3;
  if (g_str_equal (role, "mailbox"))
    return 4;
  return 2;
}

static void
relayout (MrTopology *self)
{
  guint counts[8] = { 0 };
  guint seen[8] = { 0 };
  guint max_column = 0;

  for (guint i = 0; i < self->hosts->len; i++)
    {
      MrHost *host = &g_array_index (self->hosts, MrHost, i);
      guint column = role_column (host->role);

      /* A client that only talks to the mailbox server is a reader: put it
       * on the right, past the mailbox server. */
      if (column == 0)
        {
          gboolean reader = FALSE, sender = FALSE;

          for (guint j = 0; j < self->links->len; j++)
            {
              const MrLink *link = &g_array_index (self->links, MrLink, j);
              int other = link->a == i ? (int) link->b : link->b == i ? (int) link->a : -1;
              const char *role;

              if (other < 0)
                continue;
              role = g_array_index (self->hosts, MrHost, other).role;
              if (g_strcmp0 (role, "mailbox") == 0)
                reader = TRUE;
              else
                sender = TRUE;
            }
          if (reader && !sender)
            column = 5;
        }
      host->column = column;
      counts[column]++;
    }

  for (guint c = 0; c < G_N_ELEMENTS (counts); c++)
    if (counts[c] > 0)
      max_column = c;

  /* Compact empty columns away. */
  {
    guint remap[8];
    guint next = 0;

    for (guint c = 0; c <= max_column; c++)
      remap[c] = counts[c] > 0 ? next++ : next;
    self->n_columns = MAX (next, 1);

    for (guint i = 0; i < self->hosts->len; i++)
      {
        MrHost *host = &g_array_index (self->hosts, MrHost, i);
        guint c = host->column;

        host->x = self->n_columns == 1 ? 0.5 : (double) remap[c] / (self->n_columns - 1);
        host->y = (seen[c] + 0.5) / counts[c];
        seen[c]++;
        host->column = remap[c];
      }
  }
}

static guint
add_host (MrTopology *self,
          const char *name,
          const char *role,
          const char *label)
{
  MrHost host = { 0 };
  gpointer existing = g_hash_table_lookup (self->index, name);

  if (existing != NULL)
    return GPOINTER_TO_UINT (existing) - 1;

  host.name = g_strdup (name);
  host.role = g_strdup (role ? role : "client");
  host.label = g_strdup (label);
  g_array_append_val (self->hosts, host);
  g_hash_table_insert (self->index, g_strdup (name), GUINT_TO_POINTER (self->hosts->len));

  return self->hosts->len - 1;
}

static gboolean
add_link (MrTopology *self,
          guint       a,
          guint       b)
{
  MrLink link = { a, b };

  if (a == b)
    return FALSE;

  for (guint i = 0; i < self->links->len; i++)
    {
      const MrLink *l = &g_array_index (self->links, MrLink, i);

      if ((l->a == a && l->b == b) || (l->a == b && l->b == a))
        return FALSE;
    }

  g_array_append_val (self->links, link);
  return TRUE;
}

gboolean
mr_topology_load_json (MrTopology  *self,
                       const char  *json,
                       GError     **error)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  JsonObject *root;
  JsonArray *hosts;
  JsonArray *links;

  g_return_val_if_fail (MR_IS_TOPOLOGY (self), FALSE);
  g_return_val_if_fail (json != NULL, FALSE);

  if (!json_parser_load_from_data (parser, json, -1, error))
    return FALSE;

  if (!JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, _("A scenario is a JSON object"));
      return FALSE;
    }

  root = json_node_get_object (json_parser_get_root (parser));
  hosts = json_object_has_member (root, "hosts") ? json_object_get_array_member (root, "hosts") : NULL;
  links = json_object_has_member (root, "links") ? json_object_get_array_member (root, "links") : NULL;

  for (guint i = 0; hosts != NULL && i < json_array_get_length (hosts); i++)
    {
      JsonObject *host = json_array_get_object_element (hosts, i);
      const char *name = host ? json_object_get_string_member_with_default (host, "name", NULL) : NULL;
      const char *label = host ? json_object_get_string_member_with_default (host, "label", NULL) : NULL;

      if (name == NULL)
        continue;
      add_host (self, name,
                json_object_get_string_member_with_default (host, "role", "client"),
                label != NULL ? g_dgettext (GETTEXT_PACKAGE, label) : NULL); /* po/lessons-pot.py */
    }

  for (guint i = 0; links != NULL && i < json_array_get_length (links); i++)
    {
      JsonArray *pair = json_array_get_array_element (links, i);
      int a, b;

      if (pair == NULL || json_array_get_length (pair) != 2)
        continue;
      a = mr_topology_lookup (self, json_array_get_string_element (pair, 0));
      b = mr_topology_lookup (self, json_array_get_string_element (pair, 1));
      if (a >= 0 && b >= 0)
        add_link (self, a, b);
    }

  relayout (self);
  g_signal_emit (self, signals [CHANGED], 0);

  return TRUE;
}

/* "127.0.0.1:53312", "[::1]:4000", "::1" are all "this computer". */
static const char *
fold_name (const char *name)
{
  if (name == NULL || name[0] == '\0')
    return LOCAL_HOST_NAME;
  if (g_str_has_prefix (name, "127.") || g_str_has_prefix (name, "[::1]") ||
      g_str_equal (name, "::1") || g_str_has_prefix (name, "localhost"))
    return LOCAL_HOST_NAME;
  return name;
}

int
mr_topology_lookup (MrTopology *self,
                    const char *name)
{
  gpointer found;

  g_return_val_if_fail (MR_IS_TOPOLOGY (self), -1);

  if (name == NULL)
    return -1;

  found = g_hash_table_lookup (self->index, fold_name (name));
  return found ? (int) GPOINTER_TO_UINT (found) - 1 : -1;
}

gboolean
mr_topology_learn (MrTopology    *self,
                   const MrEvent *event,
                   int           *client_r,
                   int           *server_r)
{
  guint n_hosts, n_links;
  guint client, server;
  gboolean changed;

  g_return_val_if_fail (MR_IS_TOPOLOGY (self), FALSE);
  g_return_val_if_fail (event != NULL, FALSE);

  n_hosts = self->hosts->len;
  n_links = self->links->len;

  /* MrConversation names a missing side "client" or "server". */
  {
    const char *client_name = g_strcmp0 (event->client, "client") == 0 ? NULL : event->client;
    const char *server_name = g_strcmp0 (event->server, "server") == 0 ? NULL : event->server;

    if (client_name == NULL && server_name == NULL)
      {
        if (client_r) *client_r = -1;
        if (server_r) *server_r = -1;
        return FALSE;
      }

    if (server_name == NULL || client_name == NULL)
      {
        const char *name = server_name ? server_name : fold_name (client_name);

        client = server = add_host (self, name, server_name ? "relay" : "client",
                                    g_str_equal (name, LOCAL_HOST_NAME) ? _("This computer") : NULL);
        goto done;
      }
  }

  client = add_host (self, fold_name (event->client), "client",
                     g_str_equal (fold_name (event->client), LOCAL_HOST_NAME) ? _("This computer") : NULL);
  server = add_host (self, event->server, "relay", NULL);
  add_link (self, client, server);

done:
  changed = self->hosts->len != n_hosts || self->links->len != n_links;
  if (changed)
    {
      relayout (self);
      g_signal_emit (self, signals [CHANGED], 0);
    }

  if (client_r) *client_r = client;
  if (server_r) *server_r = server;

  return changed;
}

guint
mr_topology_get_n_hosts (MrTopology *self)
{
  g_return_val_if_fail (MR_IS_TOPOLOGY (self), 0);
  return self->hosts->len;
}

const MrHost *
mr_topology_get_host (MrTopology *self,
                      guint       index)
{
  g_return_val_if_fail (MR_IS_TOPOLOGY (self), NULL);
  g_return_val_if_fail (index < self->hosts->len, NULL);
  return &g_array_index (self->hosts, MrHost, index);
}

guint
mr_topology_get_n_links (MrTopology *self)
{
  g_return_val_if_fail (MR_IS_TOPOLOGY (self), 0);
  return self->links->len;
}

const MrLink *
mr_topology_get_link (MrTopology *self,
                      guint       index)
{
  g_return_val_if_fail (MR_IS_TOPOLOGY (self), NULL);
  g_return_val_if_fail (index < self->links->len, NULL);
  return &g_array_index (self->links, MrLink, index);
}

guint
mr_topology_get_n_columns (MrTopology *self)
{
  g_return_val_if_fail (MR_IS_TOPOLOGY (self), 1);
  return self->n_columns;
}
