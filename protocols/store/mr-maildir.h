/* mr-maildir.h
 *
 * Copyright 2026 The Mailroom authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "mr-store.h"

G_BEGIN_DECLS

#define MR_TYPE_MAILDIR (mr_maildir_get_type ())

G_DECLARE_FINAL_TYPE (MrMaildir, mr_maildir, MR, MAILDIR, GObject)

/*
 * Persists an MrStore as standard Maildir (implements MrStoreBackend):
 *
 *   ROOT/.mailroom.lock                  flock()ed while a Mailroom uses ROOT
 *   ROOT/<address>/{cur,new,tmp}/        INBOX
 *   ROOT/<address>/.Sent/{cur,new,tmp}/  other folders, Maildir++ style:
 *   ROOT/<address>/.Lists.team/          "Lists/team" ("." in a name is "%2E")
 *   <folder>/mailroom-uidlist            UIDVALIDITY, UIDNEXT, UID of each
 *                                        file, keywords (an append-only log)
 *
 * Files hold LF line endings like every Maildir tool writes; the store's
 * CRLF comes back on load. Flags live in the ":2," suffix (D F P R S T;
 * P is the $Forwarded keyword). A delivery is written to tmp/, fsynced,
 * renamed into new/ and the directory fsynced before append returns, so an
 * acknowledged message survives kill -9 and power loss.
 */

/* Takes the lock on @root (created if missing). Fails with MR_ERROR_LOCKED
 * when another process (or another MrMaildir) holds it. (transfer full) */
MrMaildir  *mr_maildir_new       (const char  *root,
                                  GError     **error);
/* Loads what is on disk into @store (accounts, folders, messages, flags,
 * UIDs), writes out what is only in memory (accounts and folders without a
 * directory yet, with their messages), then becomes @store's backend.
 * Accounts found only on disk are added without a password. A folder that
 * exists on disk replaces the in-memory messages of that folder. */
gboolean    mr_maildir_load      (MrMaildir   *self,
                                  MrStore     *store,
                                  GError     **error);
const char *mr_maildir_get_root  (MrMaildir   *self);
/* The directory of @mailbox (transfer full) */
char       *mr_maildir_dup_folder_path (MrMaildir *self,
                                        MrMailbox *mailbox);

G_END_DECLS
