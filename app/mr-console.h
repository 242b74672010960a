/* mr-console.h
 *
 * Copyright 2026 The Mailroom authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gtk/gtk.h>

#include "mr-app-types.h"
#include "mr-types.h"

G_BEGIN_DECLS

#define MR_TYPE_CONSOLE (mr_console_get_type ())

G_DECLARE_FINAL_TYPE (MrConsole, mr_console, MR, CONSOLE, GtkWidget)

/*
 * Talk to one of the lab's servers as its client: pick SMTP, submission,
 * POP3 or IMAP and type raw commands. History (Up/Down), verb completion
 * (Tab), replies shown here and animated on the map like any conversation.
 * Shows the loopback address and port so the same works with telnet or nc.
 */
GtkWidget *mr_console_new          (void);
void       mr_console_set_engine   (MrConsole      *self,
                                    MrEngineThread *engine);
MrService  mr_console_get_service  (MrConsole      *self);
void       mr_console_set_service  (MrConsole      *self,
                                    MrService       service);
/* As if @line was typed and Enter pressed. */
void       mr_console_send         (MrConsole      *self,
                                    const char     *line);
/* Opens a session unless one is open (or closed by the server). */
void       mr_console_ensure_connected (MrConsole  *self);
/* Closes the session and opens a fresh one. */
void       mr_console_reconnect    (MrConsole      *self);
/* Everything shown so far. (transfer full) */
char      *mr_console_dup_output   (MrConsole      *self);
GtkEntry  *mr_console_get_entry    (MrConsole      *self);
/* "telnet 127.0.0.1 2525" for the current server, or NULL. */
const char *mr_console_get_hint    (MrConsole      *self);
/* Completes the verb at the start of @text for @protocol, or NULL. */
char      *mr_console_complete     (MrProtocol      protocol,
                                    const char     *text);

G_END_DECLS
