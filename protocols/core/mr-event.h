/* mr-event.h
 *
 * Copyright 2026 The Mailroom authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "mr-types.h"

G_BEGIN_DECLS

#define MR_TYPE_EVENT (mr_event_get_type ())

/**
 * MrEventKind:
 * @MR_EVENT_LINE: one protocol line (command, reply, untagged response...)
 * @MR_EVENT_CONTENT: message content (after DATA/BDAT, an IMAP literal,
 *   a RETR body), summarized in @text and kept whole in @content
 * @MR_EVENT_CONNECT: a client connected (text: peer address)
 * @MR_EVENT_DISCONNECT: the conversation ended (text: why)
 * @MR_EVENT_TLS: TLS was negotiated; later lines on the conversation are
 *   encrypted on the wire (MR_EVENT_FLAG_ENCRYPTED)
 * @MR_EVENT_NOTE: something the engine did that is not on the wire
 *   (queued, delivered, bounced, DNS look-up...)
 */
typedef enum
{
  MR_EVENT_LINE,
  MR_EVENT_CONTENT,
  MR_EVENT_CONNECT,
  MR_EVENT_DISCONNECT,
  MR_EVENT_TLS,
  MR_EVENT_NOTE,
} MrEventKind;

/**
 * MrDirection:
 * @MR_DIRECTION_TO_SERVER: sent by the client
 * @MR_DIRECTION_TO_CLIENT: sent by the server
 * @MR_DIRECTION_NONE: not on the wire (notes)
 */
typedef enum
{
  MR_DIRECTION_NONE,
  MR_DIRECTION_TO_SERVER,
  MR_DIRECTION_TO_CLIENT,
} MrDirection;

typedef enum
{
  MR_EVENT_FLAG_NONE         = 0,
  MR_EVENT_FLAG_BARE_LF      = 1 << 0, /* the line ended in LF without CR */
  MR_EVENT_FLAG_MASKED       = 1 << 1, /* secrets in @text were replaced */
  MR_EVENT_FLAG_ENCRYPTED    = 1 << 2, /* sent inside TLS */
  MR_EVENT_FLAG_CONTINUED    = 1 << 3, /* a multiline reply line that is not the last ("250-") */
  MR_EVENT_FLAG_PIPELINED    = 1 << 4, /* arrived in the same read as the previous command */
  MR_EVENT_FLAG_ERROR        = 1 << 5, /* a refusal (4xx/5xx, -ERR, NO/BAD) */
  MR_EVENT_FLAG_UNTAGGED     = 1 << 6, /* IMAP "*" response */
  MR_EVENT_FLAG_CONTINUATION = 1 << 7, /* IMAP "+" / SMTP 334 / 354 continuation request */
  MR_EVENT_FLAG_TOO_LONG     = 1 << 8, /* the line went over its limit and was cut */
} MrEventFlags;

/**
 * MrEvent:
 *
 * One thing that happened in a conversation. Immutable once emitted on an
 * #MrEventBus, reference counted, and safe to share between threads.
 * Fields are public for reading; build one with mr_event_new() and the
 * setters, then hand it to mr_event_bus_emit(), which stamps @seq and @time.
 */
struct _MrEvent
{
  /*< public >*/
  guint64       seq;              /* position on the bus, from 1 */
  gint64        time;             /* virtual time, microseconds since the epoch */
  MrEventKind   kind;
  MrDirection   direction;
  MrEventFlags  flags;
  MrProtocol    protocol;
  guint64       conversation_id;  /* 0 for notes outside a conversation */
  char         *client;           /* host name or address of the client side */
  char         *server;           /* host name of the server side */
  char         *text;             /* the line without CRLF, masked; or a summary */
  char         *verb;             /* upper-case command (client lines) or NULL */
  char         *tag;              /* IMAP tag or NULL */
  guint         code;             /* SMTP reply code, 0 when none */
  char         *enhanced;         /* RFC 3463 status "5.1.1", or NULL */
  char         *state;            /* protocol state after this event, or NULL */
  GBytes       *content;          /* MR_EVENT_CONTENT: the bytes, else NULL */
  /* MR_EVENT_FLAG_MASKED: what was on the wire before masking, for the
   * lab's own eavesdropper view. Never exported, logged or sent to the web
   * view: lab passwords only, but passwords all the same. */
  GBytes       *secret;

  /*< private >*/
  gatomicrefcount ref_count;
};

GType    mr_event_get_type   (void) G_GNUC_CONST;
MrEvent *mr_event_new        (MrEventKind  kind,
                              MrDirection  direction,
                              const char  *text);
MrEvent *mr_event_ref        (MrEvent     *self);
void     mr_event_unref      (MrEvent     *self);
void     mr_event_set_verb   (MrEvent     *self,
                              const char  *verb);
void     mr_event_set_tag    (MrEvent     *self,
                              const char  *tag);
void     mr_event_set_reply  (MrEvent     *self,
                              guint        code,
                              const char  *enhanced);
void     mr_event_set_state  (MrEvent     *self,
                              const char  *state);
void     mr_event_set_content (MrEvent    *self,
                              GBytes      *content);
void     mr_event_set_secret (MrEvent     *self,
                              const char  *data,
                              gsize        len);
/* Class of an SMTP code: 2..5, or 0 for none. */
guint    mr_event_get_reply_class (const MrEvent *self);

const char *mr_event_kind_to_string      (MrEventKind kind);
const char *mr_direction_to_string       (MrDirection direction);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (MrEvent, mr_event_unref)

G_END_DECLS
