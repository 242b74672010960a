/* smtp-test-fixture.h
 *
 * Copyright 2026 The Mailroom authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "mailroom.h"
#include "mr-smtp-local-delivery.h"
#include "mr-smtp-parser.h"
#include "mr-smtp-session.h"

G_BEGIN_DECLS

/* A lab in a box: a store with alice@sender.example (password "alice"),
 * bob@recipient.example ("bob"), carol@recipient.example ("carol"), the
 * list team@recipient.example (alice, bob), an event bus, and one SMTP
 * session on the local-delivery backend, already started. */
typedef struct
{
  MrClock             *clock;
  MrEventBus          *bus;
  MrStore             *store;
  MrSmtpLocalDelivery *backend;
  MrConversation      *conversation;
  MrSession           *session;
  GString             *out;      /* everything the session wrote */
  GPtrArray           *events;   /* (element-type MrEvent) this conversation's */
} SmtpFixture;

SmtpFixture *smtp_fixture_new        (const MrSmtpConfig *config,
                                      const MrLimits     *limits,
                                      gboolean            tls_available);
void         smtp_fixture_free       (SmtpFixture        *f);
/* Feeds @data (@len -1: NUL-terminated) in one call and collects output. */
void         smtp_fixture_feed       (SmtpFixture        *f,
                                      const char         *data,
                                      gssize              len);
/* Feeds one byte at a time. */
void         smtp_fixture_trickle    (SmtpFixture        *f,
                                      const char         *data,
                                      gssize              len);
/* Takes the output written so far as lines without CRLF. (transfer full) */
GStrv        smtp_fixture_take_lines (SmtpFixture        *f);
/* Reply lines of a conversation in @lines so far, joined with "|". */
char        *smtp_fixture_take_joined (SmtpFixture       *f);
MrMailbox   *smtp_fixture_inbox      (SmtpFixture        *f,
                                      const char         *address);
/* The raw bytes of message @index of @address's INBOX as a string. */
char        *smtp_fixture_dup_message (SmtpFixture       *f,
                                      const char         *address,
                                      guint               index);
/* C-style escapes: \r \n \t \\ \xHH. (transfer full) */
GBytes      *smtp_unescape           (const char         *text);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (SmtpFixture, smtp_fixture_free)

G_END_DECLS
