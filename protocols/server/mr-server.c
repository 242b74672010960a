/* mr-server.c
 *
 * Copyright 2026 The Mailroom authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "mr-server"

#include "config.h"

#include <stdlib.h>
#ifdef __GLIBC__
# include <malloc.h>
#endif

#include "mr-connection.h"
#include "mr-server.h"

struct _MrServer
{
  GObject           parent_instance;

  GSocketService   *service;
  GPtrArray        *connections;   /* MrConnection */
  GHashTable       *per_address;   /* address -> count */
  GTlsCertificate  *certificate;
  MrLimits          limits;
  MrService         kind;
  MrSessionFactory  factory;
  gpointer          factory_data;
  GDestroyNotify    factory_destroy;
  GSource          *trim_source;
  guint             stopped : 1;
};

G_DEFINE_FINAL_TYPE (MrServer, mr_server, G_TYPE_OBJECT)

static void
mr_server_finalize (GObject *object)
{
  MrServer *self = (MrServer *)object;

  if (self->trim_source != NULL)
    {
      g_source_destroy (self->trim_source);
      g_clear_pointer (&self->trim_source, g_source_unref);
    }
  g_socket_service_stop (self->service);
  g_socket_listener_close (G_SOCKET_LISTENER (self->service));
  g_clear_object (&self->service);
  for (guint i = 0; i < self->connections->len; i++)
    g_signal_handlers_disconnect_by_data (g_ptr_array_index (self->connections, i), self);
  g_clear_pointer (&self->connections, g_ptr_array_unref);
  g_clear_pointer (&self->per_address, g_hash_table_unref);
  g_clear_object (&self->certificate);
  if (self->factory_destroy)
    self->factory_destroy (self->factory_data);

  G_OBJECT_CLASS (mr_server_parent_class)->finalize (object);
}

static void
mr_server_class_init (MrServerClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = mr_server_finalize;
}

static void
mr_server_init (MrServer *self)
{
  self->connections = g_ptr_array_new_with_free_func (g_object_unref);
  self->per_address = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
}

static char *
dup_peer_address (GSocketConnection *connection,
                  guint16           *port_r)
{
  g_autoptr(GSocketAddress) address = g_socket_connection_get_remote_address (connection, NULL);

  *port_r = 0;
  if (G_IS_INET_SOCKET_ADDRESS (address))
    {
      GInetSocketAddress *inet = G_INET_SOCKET_ADDRESS (address);

      *port_r = g_inet_socket_address_get_port (inet);
      return g_inet_address_to_string (g_inet_socket_address_get_address (inet));
    }
  return g_strdup ("unknown");
}

/* A burst of clients (a class connecting at once, the load test's 500)
 * leaves the heap full of free holes that glibc keeps: some 20 MiB after
 * 500 connections. Give them back once every client has gone, so a lab
 * server's memory returns to its baseline (tests/load/run.py checks it). */
static gboolean
trim_heap_cb (gpointer user_data)
{
  MrServer *self = user_data;

  g_clear_pointer (&self->trim_source, g_source_unref);
#ifdef __GLIBC__
  if (self->connections->len == 0)
    malloc_trim (0);
#endif
  return G_SOURCE_REMOVE;
}

static void
on_connection_closed_cb (MrServer     *self,
                         MrConnection *connection)
{
  const char *address = g_object_get_data (G_OBJECT (connection), "peer-address");
  guint count = GPOINTER_TO_UINT (g_hash_table_lookup (self->per_address, address));

  if (count <= 1)
    g_hash_table_remove (self->per_address, address);
  else
    g_hash_table_insert (self->per_address, g_strdup (address), GUINT_TO_POINTER (count - 1));

  g_signal_handlers_disconnect_by_data (connection, self);
  g_ptr_array_remove_fast (self->connections, connection);

  if (self->connections->len == 0 && self->trim_source == NULL)
    {
      self->trim_source = g_timeout_source_new_seconds (1);
      g_source_set_callback (self->trim_source, trim_heap_cb, self, NULL);
      g_source_set_name (self->trim_source, "[mailroom] trim the heap");
      g_source_attach (self->trim_source, g_main_context_get_thread_default ());
    }
}

static gboolean
on_incoming_cb (GSocketService    *service,
                GSocketConnection *socket_connection,
                GObject           *source_object,
                gpointer           user_data)
{
  MrServer *self = user_data;
  g_autoptr(MrSession) session = NULL;
  g_autoptr(MrConnection) connection = NULL;
  g_autofree char *address = NULL;
  g_autofree char *peer = NULL;
  guint count;
  guint16 port;

  if (self->stopped)
    return TRUE;

  address = dup_peer_address (socket_connection, &port);
  peer = g_strdup_printf ("%s:%u", address, port);
  session = self->factory (peer, self->factory_data);
  if (session == NULL)
    return TRUE;

  /* A lost client must not hold a slot for long: keepalive catches
   * silently vanished peers; the idle timer catches the rest. */
  g_socket_set_keepalive (g_socket_connection_get_socket (socket_connection), TRUE);

  connection = mr_connection_new (G_IO_STREAM (socket_connection), session, self->certificate,
                                  mr_service_is_implicit_tls (self->kind),
                                  self->limits.idle_timeout_seconds);
  g_object_set_data_full (G_OBJECT (connection), "peer-address", g_strdup (address), g_free);

  count = GPOINTER_TO_UINT (g_hash_table_lookup (self->per_address, address));
  g_hash_table_insert (self->per_address, g_strdup (address), GUINT_TO_POINTER (count + 1));
  g_ptr_array_add (self->connections, g_object_ref (connection));
  g_signal_connect_object (connection, "closed", G_CALLBACK (on_connection_closed_cb),
                           self, G_CONNECT_SWAPPED);

  if (self->connections->len > self->limits.max_connections ||
      count + 1 > self->limits.max_connections_per_address)
    mr_connection_refuse (connection, MR_STOP_TOO_MANY_CONNECTIONS);
  else
    mr_connection_start (connection);

  return TRUE;
}

MrServer *
mr_server_new (MrService         service,
               const MrLimits   *limits,
               MrSessionFactory  factory,
               gpointer          user_data,
               GDestroyNotify    destroy)
{
  MrServer *self;

  g_return_val_if_fail (factory != NULL, NULL);

  self = g_object_new (MR_TYPE_SERVER, NULL);
  self->kind = service;
  if (limits)
    self->limits = *limits;
  mr_limits_init_defaults (&self->limits);
  self->factory = factory;
  self->factory_data = user_data;
  self->factory_destroy = destroy;
  self->service = g_socket_service_new ();
  /* GSocketListener's default backlog is 10: a burst of connects (a class
   * starting its clients at once, the load test) overflows it and the
   * kernel drops SYNs, so clients wait for retransmits (1, 3, 7 ... s).
   * Leave the queue to the kernel's somaxconn instead. */
  g_socket_listener_set_backlog (G_SOCKET_LISTENER (self->service), 4096);
  g_signal_connect (self->service, "incoming", G_CALLBACK (on_incoming_cb), self);

  return self;
}

void
mr_server_set_certificate (MrServer        *self,
                           GTlsCertificate *certificate)
{
  g_return_if_fail (MR_IS_SERVER (self));
  g_set_object (&self->certificate, certificate);
}

guint16
mr_server_listen (MrServer    *self,
                  const char  *address,
                  guint16      port,
                  GError     **error)
{
  g_autoptr(GInetAddress) inet = NULL;
  g_autoptr(GSocketAddress) socket_address = NULL;
  g_autoptr(GSocketAddress) effective = NULL;

  g_return_val_if_fail (MR_IS_SERVER (self), 0);

  inet = g_inet_address_new_from_string (address ? address : "127.0.0.1");
  if (inet == NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   "'%s' is not an IP address", address);
      return 0;
    }

  socket_address = g_inet_socket_address_new (inet, port);
  if (!g_socket_listener_add_address (G_SOCKET_LISTENER (self->service), socket_address,
                                      G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP,
                                      NULL, &effective, error))
    return 0;

  g_socket_service_start (self->service);
  return g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (effective));
}

MrService
mr_server_get_service (MrServer *self)
{
  g_return_val_if_fail (MR_IS_SERVER (self), 0);
  return self->kind;
}

guint
mr_server_get_n_connections (MrServer *self)
{
  g_return_val_if_fail (MR_IS_SERVER (self), 0);
  return self->connections->len;
}

void
mr_server_stop (MrServer     *self,
                MrStopReason  reason)
{
  g_autoptr(GPtrArray) connections = NULL;

  g_return_if_fail (MR_IS_SERVER (self));

  self->stopped = TRUE;
  g_socket_service_stop (self->service);
  g_socket_listener_close (G_SOCKET_LISTENER (self->service));

  connections = g_ptr_array_copy (self->connections, (GCopyFunc)g_object_ref, NULL);
  g_ptr_array_set_free_func (connections, g_object_unref);
  for (guint i = 0; i < connections->len; i++)
    mr_connection_stop (g_ptr_array_index (connections, i), reason);
}
