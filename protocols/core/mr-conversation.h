/* mr-conversation.h
 *
 * Copyright 2026 The Mailroom authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "mr-event.h"
#include "mr-event-bus.h"

G_BEGIN_DECLS

/*
 * Who talks to whom: the identity every event of one session carries. A
 * session owns one and emits through it, so events need no plumbing.
 */
struct _MrConversation
{
  MrEventBus *bus;          /* owned; may be NULL (then nothing is emitted) */
  guint64     id;
  MrProtocol  protocol;
  char       *client;       /* "127.0.0.1:53312" or a lab host name */
  char       *server;       /* "mx1.recipient.example" */
  gboolean    encrypted;    /* TLS is on: later events get MR_EVENT_FLAG_ENCRYPTED */
  gatomicrefcount ref_count;
};

MrConversation *mr_conversation_new    (MrEventBus     *bus,
                                        MrProtocol      protocol,
                                        const char     *client,
                                        const char     *server);
MrConversation *mr_conversation_ref    (MrConversation *self);
void            mr_conversation_unref  (MrConversation *self);
/* A new event with this conversation's identity filled in. */
MrEvent        *mr_conversation_new_event (MrConversation *self,
                                           MrEventKind     kind,
                                           MrDirection     direction,
                                           const char     *text);
/* Emits @event (takes ownership) and returns its sequence number, 0 if the
 * conversation has no bus. */
guint64         mr_conversation_emit   (MrConversation *self,
                                        MrEvent        *event);
/* Shorthand for a note (not on the wire). */
guint64         mr_conversation_note   (MrConversation *self,
                                        const char     *format,
                                        ...) G_GNUC_PRINTF (2, 3);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (MrConversation, mr_conversation_unref)

G_END_DECLS
