/* mr-http-server-private.h
 *
 * Copyright 2026 The Mailroom authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <json-glib/json-glib.h>
#include <libsoup/soup.h>

#include "mr-fault.h"
#include "mr-http-server.h"

G_BEGIN_DECLS

/* What a member of a JSON request body must be. */
typedef enum
{
  MR_HTTP_FIELD_STRING,
  MR_HTTP_FIELD_NUMBER,
  MR_HTTP_FIELD_INTEGER,
  MR_HTTP_FIELD_BOOLEAN,
  MR_HTTP_FIELD_STRINGS,        /* a string or an array of strings */
  MR_HTTP_FIELD_OBJECTS,        /* an array of objects */
  MR_HTTP_FIELD_OBJECT,
} MrHttpFieldType;

typedef struct
{
  const char      *name;
  MrHttpFieldType  type;
  gboolean         required;
} MrHttpField;

struct _MrHttpServer
{
  GObject         parent_instance;

  /* Borrowed: the engine owns us (weak pointer) */
  MrEngine       *engine;

  /* Owned */
  SoupServer     *server;
  MrEventBus     *bus;
  MrFaultSet     *faults;            /* NULL until the world provides one */
  GMainContext   *context;
  char           *teacher_token;
  GPtrArray      *viewers;           /* MrHttpViewer, owned */
  GHashTable     *sends;             /* in-flight MrHttpSend, owned */
  char          **json_cache;        /* serialized events by seq % JSON_CACHE_SIZE */
  guint64        *json_cache_seq;

  /* Settings */
  gboolean        classroom;
  guint           max_viewers;
  gsize           max_body;
  guint           viewer_window;

  /* Signal handlers and sources */
  gulong          event_handler;
  gint            flush_pending;     /* atomic: a flush source is attached */
};

void        _mr_http_reply_json    (SoupServerMessage *msg,
                                    guint              status,
                                    JsonNode          *node);
void        _mr_http_reply_error   (SoupServerMessage *msg,
                                    guint              status,
                                    const char        *field,
                                    const char        *format,
                                    ...) G_GNUC_PRINTF (4, 5);
/* Parses the request body as a JSON object whose members are all in
 * @fields with the right types; otherwise answers 400 naming the member and
 * returns NULL. (transfer full) */
JsonObject *_mr_http_parse_body    (MrHttpServer      *self,
                                    SoupServerMessage *msg,
                                    const MrHttpField *fields,
                                    guint              n_fields);
/* The fault set: the one given, else the engine's world's, else NULL. */
MrFaultSet *_mr_http_get_faults    (MrHttpServer      *self);
/* 401/403 unless the request carries the teacher token. */
gboolean    _mr_http_check_teacher (MrHttpServer      *self,
                                    SoupServerMessage *msg);
/* /api/v1/faults (mr-http-faults.c); @segments follow "faults". */
void        _mr_http_handle_faults (MrHttpServer      *self,
                                    SoupServerMessage *msg,
                                    GHashTable        *query,
                                    char             **segments);
/* /api/v1/lessons (mr-http-lessons.c); @segments follow "lessons". */
void        _mr_http_handle_lessons (MrHttpServer      *self,
                                     SoupServerMessage *msg,
                                     char             **segments);
/* POST /api/v1/send (mr-http-send.c). */
void        _mr_http_handle_send   (MrHttpServer      *self,
                                    SoupServerMessage *msg);
void        _mr_http_cancel_sends  (MrHttpServer      *self);
void        _mr_http_send_unref    (gpointer           send);

G_END_DECLS
