/* mr-received-trace.h
 *
 * Copyright 2026 The Mailroom authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gtk/gtk.h>

#include "mr-app-types.h"

G_BEGIN_DECLS

/* One hop of a message's path, from a Received: line (RFC 5321 4.4). */
typedef struct
{
  char *from;     /* the name the client gave (HELO), or NULL */
  char *by;       /* the server that stamped the line, or NULL */
  char *with;     /* "ESMTPSA"..., or NULL */
  char *id;       /* queue id, or NULL */
  char *date;     /* after the ';', or NULL */
} MrReceivedHop;

void       mr_received_hop_free    (MrReceivedHop *hop);
/* The Received: lines of the header of @message (@len bytes, not NUL
 * terminated), oldest hop first: each server adds its line on top, so the
 * last one in the header is the first hop. Unfolds continuation lines,
 * stops at the end of the header; at most 100 hops.
 * (transfer full) (element-type MrReceivedHop) */
GPtrArray *mr_received_parse_hops  (const char    *message,
                                    gsize          len);

#define MR_TYPE_RECEIVED_TRACE (mr_received_trace_get_type ())

G_DECLARE_FINAL_TYPE (MrReceivedTrace, mr_received_trace, MR, RECEIVED_TRACE, GtkWidget)

/*
 * The newest message that crossed a wire, drawn hop by hop from its
 * Received: lines, plus the hop it is on (the conversation's client and
 * server). Follows MR_EVENT_CONTENT events of an MrEventModel.
 */
GtkWidget *mr_received_trace_new       (void);
void       mr_received_trace_set_model (MrReceivedTrace *self,
                                        MrEventModel    *model);
/* The hosts in order ("alice-laptop", "smtp.sender.example", ...).
 * (transfer none) */
GStrv      mr_received_trace_get_hosts (MrReceivedTrace *self);

G_END_DECLS
