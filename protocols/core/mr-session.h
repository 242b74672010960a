/* mr-session.h
 *
 * Copyright 2026 The Mailroom authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "mr-clock.h"
#include "mr-conversation.h"
#include "mr-limits.h"

G_BEGIN_DECLS

#define MR_TYPE_SESSION (mr_session_get_type ())

G_DECLARE_DERIVABLE_TYPE (MrSession, mr_session, MR, SESSION, GObject)

/**
 * MrSessionAction:
 * @MR_SESSION_CONTINUE: keep reading
 * @MR_SESSION_START_TLS: flush the output, then negotiate TLS as server and
 *   call mr_session_tls_started()
 * @MR_SESSION_CLOSE: flush the output, then close the connection
 */
typedef enum
{
  MR_SESSION_CONTINUE,
  MR_SESSION_START_TLS,
  MR_SESSION_CLOSE,
} MrSessionAction;

/**
 * MrStopReason:
 * @MR_STOP_SHUTDOWN: the server is stopping (SMTP: 421 4.3.2)
 * @MR_STOP_IDLE: the client was idle too long (SMTP: 421 4.4.2)
 * @MR_STOP_TOO_MANY_CONNECTIONS: refused at connect (SMTP: 421 4.7.0)
 */
typedef enum
{
  MR_STOP_SHUTDOWN,
  MR_STOP_IDLE,
  MR_STOP_TOO_MANY_CONNECTIONS,
} MrStopReason;

/*
 * A protocol session without I/O. The owner (a TCP connection, an in-memory
 * wire, a test, a fuzzer) calls start(), then feed() with whatever bytes
 * arrive, then takes the output with mr_session_take_output() and looks at
 * mr_session_get_action(). A session that has something to say on its own
 * (IDLE, a delayed reply) emits ::wakeup.
 */
struct _MrSessionClass
{
  GObjectClass parent_class;

  /* Writes the greeting. */
  void (*start)        (MrSession    *self);
  /* Consumes input; may write output and change the action. */
  void (*feed)         (MrSession    *self,
                        const guint8 *data,
                        gsize         len);
  /* TLS is up: reset state as RFC 3207 4.2 / RFC 2595 / RFC 3501 require. */
  void (*tls_started)  (MrSession    *self);
  /* Say goodbye for @reason and request a close. */
  void (*stop)         (MrSession    *self,
                        MrStopReason  reason);
  /* The peer went away without a proper goodbye. */
  void (*disconnected) (MrSession    *self);

  gpointer _reserved[8];
};

void             mr_session_start          (MrSession    *self);
void             mr_session_feed           (MrSession    *self,
                                            const guint8 *data,
                                            gsize         len);
void             mr_session_tls_started    (MrSession    *self);
void             mr_session_stop           (MrSession    *self,
                                            MrStopReason  reason);
void             mr_session_disconnected   (MrSession    *self);

/* Output written since the last call, or NULL. (transfer full) */
GBytes          *mr_session_take_output    (MrSession    *self);
gboolean         mr_session_has_output     (MrSession    *self);
MrSessionAction  mr_session_get_action     (MrSession    *self);
MrConversation  *mr_session_get_conversation (MrSession  *self);
const MrLimits  *mr_session_get_limits     (MrSession    *self);
/* Whether STARTTLS/STLS may be offered (a certificate is available and TLS
 * is not on yet). */
gboolean         mr_session_get_tls_available (MrSession *self);
void             mr_session_set_tls_available (MrSession *self,
                                               gboolean   tls_available);
gboolean         mr_session_get_encrypted  (MrSession    *self);
/* The session object has closed (CLOSE was acted on or disconnected). */
gboolean         mr_session_get_closed     (MrSession    *self);

/* For subclasses */
void             mr_session_write          (MrSession    *self,
                                            const void   *data,
                                            gsize         len);
/* Writes @line plus CRLF and emits @event (taken) for it. @event may be
 * NULL: a plain to-client line event is made. */
void             mr_session_send_line      (MrSession    *self,
                                            const char   *line,
                                            MrEvent      *event);
void             mr_session_set_action     (MrSession    *self,
                                            MrSessionAction action);
void             mr_session_wakeup         (MrSession    *self);

/* Failed logins are answered late, as Postfix (smtpd_error_sleep_time) and
 * Dovecot (auth_failure_delay) do, so guessing passwords is slow. */
#define MR_SESSION_AUTH_FAILURE_DELAY_USEC (2 * G_USEC_PER_SEC)
/* Holds the session for @usec more of @clock's time (NULL: real time; a
 * second hold adds to the first, so pipelined guesses pay each): lines
 * sent and the action set meanwhile are kept back, input fed waits (up to
 * MR_SESSION_MAX_HELD_INPUT octets; more closes the session at once, the
 * held reply unsent). When
 * the time is up, they go out in order, the waiting input is fed to the
 * subclass (an empty feed when there is none, so it can go on with what
 * its reader holds) and ::wakeup is emitted. A stop releases at once. */
#define MR_SESSION_MAX_HELD_INPUT (64 * 1024)
void             mr_session_hold           (MrSession    *self,
                                            MrClock      *clock,
                                            gint64        usec);
/* While held, subclasses leave the rest of their input unread. */
gboolean         mr_session_get_held       (MrSession    *self);

G_END_DECLS
