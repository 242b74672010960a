/* test-maildir.c
 *
 * Copyright 2026 The Mailroom authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gstdio.h>
#include <string.h>
#include <time.h>
#include <utime.h>

#include "mr-engine.h"
#include "mr-error.h"
#include "mr-maildir.h"
#include "mr-pop3-session.h"
#include "mr-store.h"

#define USER "bob@example.test"

typedef struct
{
  char *root;
} Fixture;

static void
remove_tree (const char *path)
{
  g_autoptr(GDir) dir = g_dir_open (path, 0, NULL);
  const char *name;

  while (dir && (name = g_dir_read_name (dir)))
    {
      g_autofree char *child = g_build_filename (path, name, NULL);

      if (g_file_test (child, G_FILE_TEST_IS_DIR))
        remove_tree (child);
      else
        g_unlink (child);
    }
  g_rmdir (path);
}

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  f->root = g_dir_make_tmp ("mailroom-maildir-XXXXXX", &error);
  g_assert_no_error (error);
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  remove_tree (f->root);
  g_free (f->root);
}

/* Store + Maildir loaded from @root. */
static MrStore *
open_store (const char  *root,
            MrMaildir  **maildir_r)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(MrMaildir) maildir = mr_maildir_new (root, &error);
  MrStore *store = mr_store_new ();

  g_assert_no_error (error);
  g_assert_nonnull (maildir);
  mr_store_add_account (store, USER, "secret");
  mr_maildir_load (maildir, store, &error);
  g_assert_no_error (error);
  g_assert_true (mr_store_get_backend (store) == MR_STORE_BACKEND (maildir));
  if (maildir_r)
    *maildir_r = maildir;
  return store;
}

static guint
count_files (const char *dir)
{
  g_autoptr(GDir) d = g_dir_open (dir, 0, NULL);
  guint n = 0;

  while (d && g_dir_read_name (d))
    n++;
  return n;
}

static char *
only_file (const char *dir)
{
  g_autoptr(GDir) d = g_dir_open (dir, 0, NULL);
  const char *name = d ? g_dir_read_name (d) : NULL;

  g_assert_nonnull (name);
  return g_build_filename (dir, name, NULL);
}

static MrMessage *
append (MrMailbox      *mailbox,
        const char     *text,
        MrMessageFlags  flags)
{
  g_autoptr(GBytes) raw = g_bytes_new (text, strlen (text));
  g_autoptr(GError) error = NULL;
  MrMessage *message = mr_mailbox_append (mailbox, raw, flags, NULL, 0, &error);

  g_assert_no_error (error);
  g_assert_nonnull (message);
  return message;
}

static const char msg_a[] = "Subject: a\r\n\r\nbody a\r\n.dot line\r\n";
static const char msg_b[] = "Subject: b\r\n\r\nbody b\r\n";
static const char msg_c[] = "Subject: c\r\n\r\nbody c\r\n";

static void
test_layout (Fixture       *f,
             gconstpointer  data)
{
  MrMaildir *maildir = NULL;
  g_autoptr(MrStore) store = open_store (f->root, &maildir);
  MrAccount *account = mr_store_lookup_account (store, USER);
  MrMailbox *inbox = mr_account_get_inbox (account);
  g_autoptr(GError) error = NULL;
  g_autofree char *inbox_dir = g_build_filename (f->root, USER, NULL);
  g_autofree char *new_dir = g_build_filename (inbox_dir, "new", NULL);
  g_autofree char *cur_dir = g_build_filename (inbox_dir, "cur", NULL);
  g_autofree char *tmp_dir = g_build_filename (inbox_dir, "tmp", NULL);
  g_autofree char *sent_cur = g_build_filename (inbox_dir, ".Sent", "cur", NULL);
  g_autofree char *lock = g_build_filename (f->root, ".mailroom.lock", NULL);
  g_autofree char *path = NULL;
  g_autofree char *contents = NULL;
  MrMessage *a, *b;

  /* Every default folder has its directories at once. */
  g_assert_true (g_file_test (new_dir, G_FILE_TEST_IS_DIR));
  g_assert_true (g_file_test (tmp_dir, G_FILE_TEST_IS_DIR));
  g_assert_true (g_file_test (sent_cur, G_FILE_TEST_IS_DIR));
  g_assert_true (g_file_test (lock, G_FILE_TEST_EXISTS));

  a = append (inbox, msg_a, MR_FLAG_NONE);
  g_assert_cmpuint (count_files (new_dir), ==, 1);
  g_assert_cmpuint (count_files (tmp_dir), ==, 0);
  g_assert_true (g_str_has_prefix (mr_message_get_storage_key (a), "new/"));

  /* LF on disk, like every Maildir tool writes */
  path = only_file (new_dir);
  g_file_get_contents (path, &contents, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (contents, ==, "Subject: a\n\nbody a\n.dot line\n");
  g_clear_pointer (&path, g_free);

  b = append (inbox, msg_b, MR_FLAG_SEEN);
  g_assert_true (g_str_has_suffix (mr_message_get_storage_key (b), ":2,S"));
  g_assert_cmpuint (count_files (cur_dir), ==, 1);

  /* Flags: new/ -> cur/ with the info suffix, letters in ASCII order */
  mr_mailbox_set_flags (inbox, a, MR_FLAG_SEEN | MR_FLAG_FLAGGED | MR_FLAG_ANSWERED | MR_FLAG_DRAFT | MR_FLAG_DELETED,
                        NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (count_files (new_dir), ==, 0);
  g_assert_cmpuint (count_files (cur_dir), ==, 2);
  g_assert_true (g_str_has_prefix (mr_message_get_storage_key (a), "cur/"));
  g_assert_true (g_str_has_suffix (mr_message_get_storage_key (a), ":2,DFRST"));
  path = g_build_filename (inbox_dir, mr_message_get_storage_key (a), NULL);
  g_assert_true (g_file_test (path, G_FILE_TEST_EXISTS));
  g_clear_pointer (&path, g_free);

  {
    const char *fw[] = { "$Forwarded", "$Junk", NULL };

    mr_mailbox_set_flags (inbox, a, MR_FLAG_SEEN, fw, &error);
    g_assert_no_error (error);
    g_assert_true (g_str_has_suffix (mr_message_get_storage_key (a), ":2,PS"));
  }

  /* Expunge unlinks */
  path = g_build_filename (inbox_dir, mr_message_get_storage_key (b), NULL);
  mr_mailbox_expunge (inbox, b, &error);
  g_assert_no_error (error);
  g_assert_false (g_file_test (path, G_FILE_TEST_EXISTS));
  g_assert_cmpuint (count_files (cur_dir), ==, 1);

  g_assert_finalize_object (g_steal_pointer (&store));
}

static void
test_reload (Fixture       *f,
             gconstpointer  data)
{
  guint32 uidvalidity, uidnext;
  g_autoptr(GError) error = NULL;

  {
    MrMaildir *maildir = NULL;
    g_autoptr(MrStore) store = open_store (f->root, &maildir);
    MrAccount *account = mr_store_lookup_account (store, USER);
    MrMailbox *inbox = mr_account_get_inbox (account);
    MrMailbox *team;
    const char *kw[] = { "$Junk", "work", NULL };

    append (inbox, msg_a, MR_FLAG_NONE);
    append (inbox, msg_b, MR_FLAG_NONE);
    append (inbox, msg_c, MR_FLAG_FLAGGED);
    mr_mailbox_set_flags (inbox, mr_mailbox_get_message (inbox, 1), MR_FLAG_SEEN | MR_FLAG_ANSWERED, kw, &error);
    g_assert_no_error (error);
    mr_mailbox_expunge (inbox, mr_mailbox_get_message (inbox, 0), &error);
    g_assert_no_error (error);

    team = mr_account_create_mailbox (account, "Lists/team", NULL, &error);
    g_assert_no_error (error);
    append (team, msg_c, MR_FLAG_NONE);
    mr_account_create_mailbox (account, "v1.2", NULL, &error);
    g_assert_no_error (error);

    uidvalidity = mr_mailbox_get_uidvalidity (inbox);
    uidnext = mr_mailbox_get_uidnext (inbox);
    g_assert_cmpuint (uidnext, ==, 4);

    g_assert_finalize_object (g_steal_pointer (&store));
  }

  {
    g_autofree char *team_dir = g_build_filename (f->root, USER, ".Lists.team", "new", NULL);
    g_autofree char *dotted = g_build_filename (f->root, USER, ".v1%2E2", "cur", NULL);

    g_assert_true (g_file_test (team_dir, G_FILE_TEST_IS_DIR));
    g_assert_true (g_file_test (dotted, G_FILE_TEST_IS_DIR));
  }

  {
    g_autoptr(MrStore) store = open_store (f->root, NULL);
    MrAccount *account = mr_store_lookup_account (store, USER);
    MrMailbox *inbox = mr_account_get_inbox (account);
    MrMailbox *team = mr_account_lookup_mailbox (account, "Lists/team");
    MrMessage *b, *c;
    GBytes *raw;

    g_assert_cmpuint (mr_mailbox_get_n_messages (inbox), ==, 2);
    g_assert_cmpuint (mr_mailbox_get_uidvalidity (inbox), ==, uidvalidity);
    g_assert_cmpuint (mr_mailbox_get_uidnext (inbox), ==, uidnext);

    b = mr_mailbox_get_message (inbox, 0);
    c = mr_mailbox_get_message (inbox, 1);
    g_assert_cmpuint (mr_message_get_uid (b), ==, 2);
    g_assert_cmpuint (mr_message_get_uid (c), ==, 3);
    g_assert_cmpint (mr_message_get_flags (b), ==, MR_FLAG_SEEN | MR_FLAG_ANSWERED);
    g_assert_cmpint (mr_message_get_flags (c), ==, MR_FLAG_FLAGGED);
    g_assert_true (mr_message_has_keyword (b, "$Junk"));
    g_assert_true (mr_message_has_keyword (b, "work"));
    raw = mr_message_get_raw (b);
    g_assert_cmpmem (g_bytes_get_data (raw, NULL), g_bytes_get_size (raw), msg_b, strlen (msg_b));

    g_assert_nonnull (team);
    g_assert_cmpuint (mr_mailbox_get_n_messages (team), ==, 1);
    g_assert_nonnull (mr_account_lookup_mailbox (account, "v1.2"));

    /* The next UID continues, and a third start still agrees. */
    append (inbox, msg_a, MR_FLAG_NONE);
    g_assert_cmpuint (mr_message_get_uid (mr_mailbox_get_message (inbox, 2)), ==, 4);
    g_assert_finalize_object (g_steal_pointer (&store));
  }

  {
    g_autoptr(MrStore) store = open_store (f->root, NULL);
    MrMailbox *inbox = mr_account_get_inbox (mr_store_lookup_account (store, USER));

    g_assert_cmpuint (mr_mailbox_get_n_messages (inbox), ==, 3);
    g_assert_cmpuint (mr_message_get_uid (mr_mailbox_get_message (inbox, 2)), ==, 4);
    g_assert_cmpuint (mr_mailbox_get_uidnext (inbox), ==, 5);
    g_assert_finalize_object (g_steal_pointer (&store));
  }
}

static void
test_foreign_files (Fixture       *f,
                    gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *inbox_dir = g_build_filename (f->root, "carol@example.test", NULL);

  /* A Maildir another tool made: no index, an account we don't know. */
  {
    g_autofree char *cur = g_build_filename (inbox_dir, "cur", NULL);
    g_autofree char *new_dir = g_build_filename (inbox_dir, "new", NULL);
    g_autofree char *tmp = g_build_filename (inbox_dir, "tmp", NULL);
    g_autofree char *one = g_build_filename (cur, "1700000000.1.host:2,RS", NULL);
    g_autofree char *two = g_build_filename (new_dir, "1700000001.2.host", NULL);

    g_mkdir_with_parents (cur, 0700);
    g_mkdir_with_parents (new_dir, 0700);
    g_mkdir_with_parents (tmp, 0700);
    g_file_set_contents (one, "Subject: one\n\nhello\n", -1, &error);
    g_assert_no_error (error);
    g_file_set_contents (two, "Subject: two\n\nworld\n", -1, &error);
    g_assert_no_error (error);

    /* Remains of deliveries in tmp/: one from two days ago goes, a fresh
     * one (someone may be writing it) stays. */
    {
      g_autofree char *stale = g_build_filename (tmp, "1.dead.host", NULL);
      g_autofree char *fresh = g_build_filename (tmp, "2.busy.host", NULL);
      struct utimbuf old = { 0 };

      old.actime = old.modtime = time (NULL) - 48 * 60 * 60;
      g_file_set_contents (stale, "Subject: half", -1, &error);
      g_assert_no_error (error);
      g_file_set_contents (fresh, "Subject: half", -1, &error);
      g_assert_no_error (error);
      g_assert_cmpint (g_utime (stale, &old), ==, 0);
    }
  }

  {
    g_autoptr(MrStore) store = open_store (f->root, NULL);
    MrAccount *carol = mr_store_lookup_account (store, "carol@example.test");
    MrMailbox *inbox;
    guint32 uids[2];

    g_assert_nonnull (carol);
    g_assert_null (mr_account_get_password (carol));
    inbox = mr_account_get_inbox (carol);
    g_assert_cmpuint (mr_mailbox_get_n_messages (inbox), ==, 2);
    for (guint i = 0; i < 2; i++)
      {
        MrMessage *message = mr_mailbox_get_message (inbox, i);
        g_autofree char *subject = mr_message_dup_header (message, "Subject");
        GBytes *raw = mr_message_get_raw (message);

        uids[i] = mr_message_get_uid (message);
        g_assert_nonnull (g_strstr_len (g_bytes_get_data (raw, NULL), g_bytes_get_size (raw), "\r\n\r\n"));
        /* Arrival order: the unique names start with the delivery time. */
        g_assert_cmpstr (subject, ==, i == 0 ? "one" : "two");
        if (g_strcmp0 (subject, "one") == 0)
          g_assert_cmpint (mr_message_get_flags (message), ==, MR_FLAG_SEEN | MR_FLAG_ANSWERED);
        else
          g_assert_cmpint (mr_message_get_flags (message), ==, MR_FLAG_NONE);
      }
    g_assert_cmpuint (uids[0], ==, 1);
    g_assert_cmpuint (uids[1], ==, 2);
    {
      g_autofree char *tmp = g_build_filename (inbox_dir, "tmp", NULL);
      g_autofree char *left = only_file (tmp);

      g_assert_cmpuint (count_files (tmp), ==, 1);
      g_assert_true (g_str_has_suffix (left, "2.busy.host"));
    }
    g_assert_finalize_object (g_steal_pointer (&store));
  }

  /* The UIDs given on the first load stick. */
  {
    g_autoptr(MrStore) store = open_store (f->root, NULL);
    MrMailbox *inbox = mr_account_get_inbox (mr_store_lookup_account (store, "carol@example.test"));

    g_assert_cmpuint (mr_mailbox_get_n_messages (inbox), ==, 2);
    g_assert_cmpuint (mr_mailbox_get_uidnext (inbox), ==, 3);
    g_assert_finalize_object (g_steal_pointer (&store));
  }
}

static void
test_seeded_messages (Fixture       *f,
                      gconstpointer  data)
{
  /* A scenario puts a welcome message into memory before the first load:
   * it is written out; on later starts the disk wins, no duplicates. */
  for (guint round = 0; round < 3; round++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(MrMaildir) maildir = mr_maildir_new (f->root, &error);
      g_autoptr(MrStore) store = mr_store_new ();
      MrAccount *account = mr_store_add_account (store, USER, "secret");
      MrMailbox *inbox = mr_account_get_inbox (account);

      g_assert_no_error (error);
      append (inbox, msg_a, MR_FLAG_NONE);
      mr_maildir_load (maildir, store, &error);
      g_assert_no_error (error);
      g_assert_cmpuint (mr_mailbox_get_n_messages (inbox), ==, 1);
      g_assert_nonnull (mr_message_get_storage_key (mr_mailbox_get_message (inbox, 0)));
      g_clear_object (&maildir);
      g_assert_finalize_object (g_steal_pointer (&store));
    }
}

static void
test_account_added_later (Fixture       *f,
                          gconstpointer  data)
{
  /* bob has mail on disk; the server loads the Maildir, then the scenario
   * adds bob (with his password) and a new account dave. */
  {
    g_autoptr(MrStore) store = open_store (f->root, NULL);

    append (mr_account_get_inbox (mr_store_lookup_account (store, USER)), msg_a, MR_FLAG_NONE);
    g_assert_finalize_object (g_steal_pointer (&store));
  }

  {
    g_autoptr(GError) error = NULL;
    g_autoptr(MrMaildir) maildir = mr_maildir_new (f->root, &error);
    g_autoptr(MrStore) store = mr_store_new ();
    g_autofree char *dave_new = g_build_filename (f->root, "dave@example.test", "new", NULL);
    MrAccount *bob;
    MrAccount *dave;

    g_assert_no_error (error);
    mr_maildir_load (maildir, store, &error);
    g_assert_no_error (error);
    g_clear_object (&maildir);

    bob = mr_store_add_account (store, USER, "secret");
    mr_account_set_password (bob, "secret");
    g_assert_cmpuint (mr_mailbox_get_n_messages (mr_account_get_inbox (bob)), ==, 1);
    g_assert_true (mr_store_authenticate (store, USER, "secret") == bob);

    dave = mr_store_add_account (store, "dave@example.test", "pw");
    g_assert_true (g_file_test (dave_new, G_FILE_TEST_IS_DIR));
    append (mr_account_get_inbox (dave), msg_b, MR_FLAG_NONE);
    g_assert_cmpuint (count_files (dave_new), ==, 1);
    g_assert_finalize_object (g_steal_pointer (&store));
  }
}

static void
test_hostile_names (Fixture       *f,
                    gconstpointer  data)
{
  static const char *names[] = { "/", "/x", "a//b", "..", "../../etc", "%", "%2F", ".", "a.b/c", "100%", "x.y.z", ".hidden" };
  g_autofree char *account_dir = g_build_filename (f->root, USER, NULL);

  {
    MrMaildir *maildir = NULL;
    g_autoptr(MrStore) store = open_store (f->root, &maildir);
    MrAccount *account = mr_store_lookup_account (store, USER);

    for (guint i = 0; i < G_N_ELEMENTS (names); i++)
      {
        g_autoptr(GError) error = NULL;
        MrMailbox *mailbox = mr_account_create_mailbox (account, names[i], NULL, &error);
        g_autofree char *path = NULL;
        g_autofree char *parent = NULL;
        g_autofree char *base = NULL;

        if (mailbox == NULL)
          {
            g_test_message ("%s refused: %s", names[i], error->message);
            continue;
          }
        path = mr_maildir_dup_folder_path (maildir, mailbox);
        parent = g_path_get_dirname (path);
        /* Always one directory right inside the account's, never above. */
        g_assert_cmpstr (parent, ==, account_dir);
        g_assert_cmpstr (path, !=, account_dir);
        base = g_path_get_basename (path);
        g_assert_true (base[0] == '.');
        g_assert_cmpstr (base, !=, "..");
        append (mailbox, msg_c, MR_FLAG_NONE);
      }
    g_assert_finalize_object (g_steal_pointer (&store));
  }

  /* Nothing was created next to the accounts. */
  {
    g_autoptr(GDir) dir = g_dir_open (f->root, 0, NULL);
    const char *name;

    while ((name = g_dir_read_name (dir)))
      g_assert_true (g_str_equal (name, USER) || g_str_equal (name, ".mailroom.lock"));
  }

  /* The names come back as they were. */
  {
    g_autoptr(MrStore) store = open_store (f->root, NULL);
    MrAccount *account = mr_store_lookup_account (store, USER);

    for (guint i = 0; i < G_N_ELEMENTS (names); i++)
      {
        MrMailbox *mailbox = mr_account_lookup_mailbox (account, names[i]);

        if (mailbox != NULL)
          {
            g_test_message ("%s came back", names[i]);
            g_assert_cmpuint (mr_mailbox_get_n_messages (mailbox), ==, 1);
          }
      }
    g_assert_finalize_object (g_steal_pointer (&store));
  }
}

static void
test_pop3_session (Fixture       *f,
                   gconstpointer  data)
{
  MrMaildir *maildir = NULL;
  g_autoptr(MrStore) store = open_store (f->root, &maildir);
  MrMailbox *inbox = mr_account_get_inbox (mr_store_lookup_account (store, USER));
  g_autofree char *new_dir = g_build_filename (f->root, USER, "new", NULL);
  g_autofree char *cur_dir = g_build_filename (f->root, USER, "cur", NULL);
  g_autoptr(MrSession) session = NULL;
  g_autoptr(GBytes) out = NULL;
  g_autofree char *cur_file = NULL;
  static const char input[] =
    "USER " USER "\r\nPASS secret\r\nRETR 2\r\nDELE 1\r\n";

  append (inbox, msg_a, MR_FLAG_NONE);
  append (inbox, msg_b, MR_FLAG_NONE);
  append (inbox, msg_c, MR_FLAG_NONE);

  session = mr_pop3_session_new (store, NULL, NULL, NULL);
  mr_session_start (session);
  mr_session_feed (session, (const guint8 *)input, strlen (input));
  g_assert_cmpuint (count_files (new_dir), ==, 3);

  /* RFC 1939 6: the UPDATE state is where the disk changes. */
  mr_session_feed (session, (const guint8 *)"QUIT\r\n", 6);
  out = mr_session_take_output (session);
  g_assert_nonnull (g_strstr_len (g_bytes_get_data (out, NULL), g_bytes_get_size (out),
                                  "+OK localhost POP3 server signing off (1 message deleted, 2 left)"));
  g_assert_cmpuint (count_files (new_dir), ==, 1);
  g_assert_cmpuint (count_files (cur_dir), ==, 1);
  cur_file = only_file (cur_dir);
  g_assert_true (g_str_has_suffix (cur_file, ":2,S"));

  g_clear_object (&session);
  g_assert_finalize_object (g_steal_pointer (&store));
}

static void
test_lock (Fixture       *f,
           gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(MrMaildir) first = mr_maildir_new (f->root, &error);
  g_autoptr(MrMaildir) second = NULL;

  g_assert_no_error (error);
  g_assert_nonnull (first);

  second = mr_maildir_new (f->root, &error);
  g_assert_error (error, MR_ERROR, MR_ERROR_LOCKED);
  g_assert_null (second);
  g_test_message ("%s", error->message);
  g_assert_nonnull (strstr (error->message, "in use by another Mailroom"));
  g_clear_error (&error);

  /* Another process is refused too. */
  g_setenv ("MR_TEST_MAILDIR_ROOT", f->root, TRUE);
  g_test_trap_subprocess ("/maildir/lock/subprocess", 0, G_TEST_SUBPROCESS_DEFAULT);
  g_test_trap_assert_passed ();
  g_test_trap_assert_stdout ("*in use by another Mailroom*");

  g_clear_object (&first);
  second = mr_maildir_new (f->root, &error);
  g_assert_no_error (error);
  g_assert_nonnull (second);
}

static void
test_lock_subprocess (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(MrMaildir) maildir = NULL;
  const char *root = g_getenv ("MR_TEST_MAILDIR_ROOT");

  if (!g_test_subprocess ())
    return;

  maildir = mr_maildir_new (root, &error);
  g_assert_error (error, MR_ERROR, MR_ERROR_LOCKED);
  g_print ("%s\n", error->message);
}

static void
test_delivery_rate (Fixture       *f,
                    gconstpointer  data)
{
  g_autoptr(MrStore) store = open_store (f->root, NULL);
  MrMailbox *inbox = mr_account_get_inbox (mr_store_lookup_account (store, USER));
  gint64 start = g_get_monotonic_time ();
  guint n = 100;
  double seconds;

  for (guint i = 0; i < n; i++)
    append (inbox, msg_a, MR_FLAG_NONE);
  seconds = (g_get_monotonic_time () - start) / (double)G_USEC_PER_SEC;
  g_test_message ("%u fsynced deliveries in %.3f s: %.0f/s", n, seconds, n / seconds);
  g_assert_cmpuint (mr_mailbox_get_n_messages (inbox), ==, n);
  g_assert_finalize_object (g_steal_pointer (&store));
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  mr_init ();

#define ADD(path, func) \
  g_test_add (path, Fixture, NULL, fixture_setup, func, fixture_teardown)

  ADD ("/maildir/layout", test_layout);
  ADD ("/maildir/reload", test_reload);
  ADD ("/maildir/foreign-files", test_foreign_files);
  ADD ("/maildir/seeded-messages", test_seeded_messages);
  ADD ("/maildir/account-added-later", test_account_added_later);
  ADD ("/maildir/hostile-names", test_hostile_names);
  ADD ("/maildir/pop3-session", test_pop3_session);
  ADD ("/maildir/lock", test_lock);
  g_test_add_func ("/maildir/lock/subprocess", test_lock_subprocess);
  ADD ("/maildir/delivery-rate", test_delivery_rate);

  return g_test_run ();
}
