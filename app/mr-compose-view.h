/* mr-compose-view.h
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

#define MR_TYPE_COMPOSE_VIEW (mr_compose_view_get_type ())

G_DECLARE_FINAL_TYPE (MrComposeView, mr_compose_view, MR, COMPOSE_VIEW, GtkWidget)

/*
 * Write a message as alice (or any account) and send it through the
 * submission server (AUTH, then MAIL/RCPT/DATA) or straight to the MX.
 * One or many recipients, comma separated; a body line starting with "."
 * is dot-stuffed on the way (RFC 5321 4.5.2).
 */
GtkWidget  *mr_compose_view_new         (void);
void        mr_compose_view_set_engine  (MrComposeView  *self,
                                         MrEngineThread *engine);
void        mr_compose_view_set_message (MrComposeView  *self,
                                         const char     *from,
                                         const char     *password,
                                         const char     *to,
                                         const char     *subject,
                                         const char     *body);
/* MR_SERVICE_SUBMISSION (default) or MR_SERVICE_SMTP. */
void        mr_compose_view_set_service (MrComposeView  *self,
                                         MrService       service);
/* Same as the Send button (action compose.send). */
void        mr_compose_view_send        (MrComposeView  *self);
gboolean    mr_compose_view_get_busy    (MrComposeView  *self);
/* The outcome of the last send ("" before any). */
const char *mr_compose_view_get_status  (MrComposeView  *self);
/* Number of sends finished, successful or not. */
guint       mr_compose_view_get_n_sent  (MrComposeView  *self);

G_END_DECLS
