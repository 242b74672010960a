/* mr-event-json.h
 *
 * Copyright 2026 The Mailroom authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <json-glib/json-glib.h>

#include "mr-event.h"

G_BEGIN_DECLS

/*
 * MrEvent <-> JSON, the one wire shape of an event: the web view, the JSON
 * API and transcript export all use it.
 *
 *   { "seq": 12, "time": 1700000000000000, "kind": "line",
 *     "direction": "to-client", "protocol": "smtp", "conversation": 3,
 *     "client": "127.0.0.1:53312", "server": "smtp.sender.example",
 *     "text": "250 2.1.5 Ok", "verb": null, "tag": null, "code": 250,
 *     "enhanced": "2.1.5", "state": "rcpt", "flags": [ "continued" ],
 *     "reply_class": 2, "explanation": "The recipient is accepted." }
 *
 * "explanation" (the reply catalog's text) and "reply_class" are only
 * written for replies with a code; readers ignore them. Content bytes are
 * not written: "text" carries the summary.
 */

/* (transfer full) A JSON object for @event. */
JsonNode   *mr_event_to_json_node   (const MrEvent *event);
/* (transfer full) The same, serialized on one line; @length_r may be NULL. */
char       *mr_event_to_json        (const MrEvent *event,
                                     gsize         *length_r);
/* Reads an object written by mr_event_to_json_node(). Unknown members are
 * ignored, wrong types are an MR_ERROR_INVALID_DATA naming the member.
 * Returns: (transfer full) the event, or NULL with @error. */
MrEvent    *mr_event_from_json_node (JsonNode      *node,
                                     GError       **error);

/* Sets member @name to @value, or to null when @value is NULL. */
void        mr_json_add_string_or_null (JsonBuilder  *builder,
                                        const char   *name,
                                        const char   *value);

/* The JSON name of one MrEventFlags bit ("bare-lf", "masked"...), or NULL. */
const char *mr_event_flag_to_string (MrEventFlags   flag);

G_END_DECLS
