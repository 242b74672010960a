/* mailroom.h
 *
 * Copyright 2026 The Mailroom authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#define MR_INSIDE

#include "mr-types.h"
#include "mr-error.h"
#include "mr-limits.h"
#include "mr-clock.h"
#include "mr-conversation.h"
#include "mr-event.h"
#include "mr-event-bus.h"
#include "mr-line-reader.h"
#include "mr-reply-catalog.h"
#include "mr-session.h"
#include "mr-account.h"
#include "mr-mailbox.h"
#include "mr-message.h"
#include "mr-store.h"
#include "mr-store-backend.h"
#include "mr-scenario.h"
#include "mr-maildir.h"
#include "mr-smtp-backend.h"
#include "mr-smtp-envelope.h"
#include "mr-smtp-local-delivery.h"
#include "mr-smtp-session.h"
#include "mr-pop3-session.h"
#include "mr-imap-session.h"
#include "mr-http-server.h"
#include "mr-world.h"
#include "mr-auth.h"
#include "mr-engine.h"

#undef MR_INSIDE
