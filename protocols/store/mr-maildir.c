/* mr-maildir.c
 *
 * Copyright 2026 The Mailroom authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "mr-maildir"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "mr-error.h"
#include "mr-maildir.h"

#define LOCK_NAME  ".mailroom.lock"
#define INDEX_NAME "mailroom-uidlist"

struct _MrMaildir
{
  GObject     parent_instance;

  /* Borrowed (weak): the store owns us as its backend */
  MrStore    *store;

  /* Owned */
  char       *root;
  char       *hostname;   /* for unique file names */
  int         lock_fd;
  guint       counter;    /* makes unique names unique within a microsecond */
  GHashTable *ready;      /* folder paths known to have cur/new/tmp */
};

static void store_backend_iface_init (MrStoreBackendInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (MrMaildir, mr_maildir, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (MR_TYPE_STORE_BACKEND, store_backend_iface_init))

/* @call is the system call that failed ("open", "rename"...): a name an
 * admin can look up, kept out of the translated sentence. */
static gboolean
set_errno_error (GError    **error,
                 const char *call,
                 const char *path)
{
  int saved = errno;

  g_set_error (error, MR_ERROR, MR_ERROR_FAILED,
               /* Translators: "Maildir: rename(/path/to/file) failed: No space left on device" */
               _("Maildir: %s(%s) failed: %s"), call, path, g_strerror (saved));
  return FALSE;
}

/* Names */

/* A folder's directory name: "" for INBOX, ".Lists.team" for "Lists/team"
 * (Maildir++). "." and "%" inside a component are escaped as %2E and %25,
 * so that the mapping goes both ways. */
static char *
folder_dir_name (const char *name)
{
  GString *dir;

  if (g_ascii_strcasecmp (name, "INBOX") == 0)
    return g_strdup ("");
  /* "" would be the account's own directory. */
  if (name[0] == '\0')
    return NULL;

  dir = g_string_new (".");
  for (const char *p = name; *p; p++)
    {
      /* A leading delimiter would make "/" into "..": the parent. */
      if (*p == MR_MAILBOX_DELIMITER && p == name)
        g_string_append (dir, "%2F");
      else if (*p == MR_MAILBOX_DELIMITER)
        g_string_append_c (dir, '.');
      else if (*p == '.')
        g_string_append (dir, "%2E");
      else if (*p == '%')
        g_string_append (dir, "%25");
      else
        g_string_append_c (dir, *p);
    }
  return g_string_free (dir, FALSE);
}

static char *
folder_name_from_dir (const char *dir)
{
  GString *name = g_string_new (NULL);

  g_assert (dir[0] == '.');

  for (const char *p = dir + 1; *p; p++)
    {
      if (*p == '.')
        g_string_append_c (name, MR_MAILBOX_DELIMITER);
      else if (p[0] == '%' && g_ascii_isxdigit (p[1]) && g_ascii_isxdigit (p[2]))
        {
          g_string_append_c (name, (char)(g_ascii_xdigit_value (p[1]) * 16 + g_ascii_xdigit_value (p[2])));
          p += 2;
        }
      else
        g_string_append_c (name, *p);
    }
  return g_string_free (name, FALSE);
}

/* An address is a directory name: no "/", not hidden, not "." or "..". */
static gboolean
is_safe_account_name (const char *address)
{
  return address != NULL && *address != '\0' && *address != '.' && strchr (address, '/') == NULL;
}

char *
mr_maildir_dup_folder_path (MrMaildir *self,
                            MrMailbox *mailbox)
{
  MrAccount *account = mr_mailbox_get_account (mailbox);
  g_autofree char *dir = folder_dir_name (mr_mailbox_get_name (mailbox));

  g_return_val_if_fail (MR_IS_MAILDIR (self), NULL);

  if (dir == NULL || account == NULL || !is_safe_account_name (mr_account_get_address (account)))
    return NULL;
  return g_build_filename (self->root, mr_account_get_address (account), dir, NULL);
}

static char *
get_folder_path (MrMaildir  *self,
                 MrMailbox  *mailbox,
                 GError    **error)
{
  char *path = mr_maildir_dup_folder_path (self, mailbox);

  if (path == NULL)
    g_set_error (error, MR_ERROR, MR_ERROR_FAILED,
                 _("Maildir: the account of mailbox %s cannot be a directory name"),
                 mr_mailbox_get_name (mailbox));
  return path;
}

/* Flags: the ":2," info of the Maildir spec, letters in ASCII order. */
static char *
flags_to_info (MrMessageFlags      flags,
               const char * const *keywords)
{
  GString *info = g_string_new (":2,");

  if (flags & MR_FLAG_DRAFT)
    g_string_append_c (info, 'D');
  if (flags & MR_FLAG_FLAGGED)
    g_string_append_c (info, 'F');
  if (keywords && g_strv_contains (keywords, "$Forwarded"))
    g_string_append_c (info, 'P');
  if (flags & MR_FLAG_ANSWERED)
    g_string_append_c (info, 'R');
  if (flags & MR_FLAG_SEEN)
    g_string_append_c (info, 'S');
  if (flags & MR_FLAG_DELETED)
    g_string_append_c (info, 'T');
  return g_string_free (info, FALSE);
}

static MrMessageFlags
info_to_flags (const char *info,
               gboolean   *forwarded_r)
{
  MrMessageFlags flags = MR_FLAG_NONE;

  *forwarded_r = FALSE;
  if (info == NULL || !g_str_has_prefix (info, ":2,"))
    return flags;

  for (const char *p = info + 3; *p; p++)
    switch (*p)
      {
      case 'D': flags |= MR_FLAG_DRAFT; break;
      case 'F': flags |= MR_FLAG_FLAGGED; break;
      case 'P': *forwarded_r = TRUE; break;
      case 'R': flags |= MR_FLAG_ANSWERED; break;
      case 'S': flags |= MR_FLAG_SEEN; break;
      case 'T': flags |= MR_FLAG_DELETED; break;
      default: break;   /* lower-case letters: other tools' keywords */
      }
  return flags;
}

/* Files */

static gboolean
fsync_dir (const char  *path,
           GError     **error)
{
  int fd = open (path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

  if (fd < 0)
    return set_errno_error (error, "open", path);
  if (fsync (fd) != 0)
    {
      set_errno_error (error, "fsync", path);
      close (fd);
      return FALSE;
    }
  close (fd);
  return TRUE;
}

static gboolean
write_all (int           fd,
           const char   *data,
           gsize         len)
{
  while (len > 0)
    {
      gssize n = write (fd, data, len);

      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0)
        return FALSE;
      data += n;
      len -= n;
    }
  return TRUE;
}

/* Appends @line to the folder's index. The index is a log replayed on
 * load; a torn last line after a crash is ignored. */
static gboolean
index_append (const char  *folder,
              const char  *line,
              GError     **error)
{
  g_autofree char *path = g_build_filename (folder, INDEX_NAME, NULL);
  int fd = open (path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
  gboolean ok;

  if (fd < 0)
    return set_errno_error (error, "open", path);
  ok = write_all (fd, line, strlen (line));
  if (!ok)
    set_errno_error (error, "write", path);
  close (fd);
  return ok;
}

static gboolean
ensure_folder (MrMaildir  *self,
               const char *folder,
               MrMailbox  *mailbox,
               GError    **error)
{
  static const char *subdirs[] = { "cur", "new", "tmp" };
  g_autofree char *index = NULL;

  if (g_hash_table_contains (self->ready, folder))
    return TRUE;

  for (guint i = 0; i < G_N_ELEMENTS (subdirs); i++)
    {
      g_autofree char *sub = g_build_filename (folder, subdirs[i], NULL);

      if (g_mkdir_with_parents (sub, 0700) != 0)
        return set_errno_error (error, "mkdir", sub);
    }

  index = g_build_filename (folder, INDEX_NAME, NULL);
  if (!g_file_test (index, G_FILE_TEST_EXISTS))
    {
      g_autofree char *header = NULL;

      header = g_strdup_printf ("V %u\nN %u\n%s%s%s",
                                mr_mailbox_get_uidvalidity (mailbox),
                                mr_mailbox_get_uidnext (mailbox),
                                mr_mailbox_get_special_use (mailbox) ? "U " : "",
                                mr_mailbox_get_special_use (mailbox) ? mr_mailbox_get_special_use (mailbox) : "",
                                mr_mailbox_get_special_use (mailbox) ? "\n" : "");
      if (!index_append (folder, header, error))
        return FALSE;
    }

  g_hash_table_add (self->ready, g_strdup (folder));
  return TRUE;
}

/* The Maildir spec's unique name: time.MusecPpidQn.host */
static char *
make_unique_name (MrMaildir *self)
{
  gint64 now = g_get_real_time ();

  return g_strdup_printf ("%" G_GINT64_FORMAT ".M%06dP%dQ%u.%s",
                          now / G_USEC_PER_SEC, (int)(now % G_USEC_PER_SEC),
                          (int)getpid (), ++self->counter, self->hostname);
}

/* The store keeps CRLF; Maildir files use LF like every local tool. */
static GString *
crlf_to_lf (GBytes *raw)
{
  gsize len;
  const char *data = g_bytes_get_data (raw, &len);
  GString *out = g_string_sized_new (len);
  const char *p = data;
  const char *end = data + len;

  while (p < end)
    {
      const char *cr = memchr (p, '\r', end - p);

      if (cr == NULL)
        {
          g_string_append_len (out, p, end - p);
          break;
        }
      g_string_append_len (out, p, cr - p);
      if (cr + 1 < end && cr[1] == '\n')
        g_string_append_c (out, '\n');
      else
        g_string_append_c (out, '\r');
      p = cr + (cr + 1 < end && cr[1] == '\n' ? 2 : 1);
    }
  return out;
}

static GBytes *
lf_to_crlf (char  *data,
            gsize  len)
{
  GString *out = g_string_sized_new (len + len / 32);

  for (gsize i = 0; i < len; i++)
    {
      if (data[i] == '\n' && (i == 0 || data[i - 1] != '\r'))
        g_string_append_c (out, '\r');
      g_string_append_c (out, data[i]);
    }
  return g_string_free_to_bytes (out);
}

static const char *
basename_of_key (const char *key)
{
  const char *slash = key ? strrchr (key, '/') : NULL;

  return slash ? slash + 1 : key;
}

/* MrStoreBackend */

static gboolean
write_message (MrMaildir  *self,
               const char *folder,
               MrMailbox  *mailbox,
               MrMessage  *message,
               GError    **error)
{
  g_autofree char *unique = make_unique_name (self);
  g_autofree char *info = NULL;
  g_autofree char *tmp_path = NULL;
  g_autofree char *key = NULL;
  g_autofree char *final_path = NULL;
  g_autofree char *final_dir = NULL;
  g_autofree char *line = NULL;
  g_autoptr(GString) body = crlf_to_lf (mr_message_get_raw (message));
  MrMessageFlags flags = mr_message_get_flags (message) & MR_FLAGS_PERMANENT;
  const char * const *keywords = mr_message_get_keywords (message);
  gboolean forwarded = keywords && g_strv_contains (keywords, "$Forwarded");
  int fd;

  if (!ensure_folder (self, folder, mailbox, error))
    return FALSE;

  /* Maildir delivery: write to tmp/, fsync, rename into new/ (or cur/
   * when there are flags already), fsync the directory. Only then is the
   * message safe, and only then may SMTP say 250. */
  tmp_path = g_build_filename (folder, "tmp", unique, NULL);
  fd = open (tmp_path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0)
    return set_errno_error (error, "open", tmp_path);

  if (!write_all (fd, body->str, body->len) || fsync (fd) != 0)
    {
      set_errno_error (error, "write/fsync", tmp_path);
      close (fd);
      g_unlink (tmp_path);
      return FALSE;
    }
  if (close (fd) != 0)
    {
      set_errno_error (error, "close", tmp_path);
      g_unlink (tmp_path);
      return FALSE;
    }

  if (flags != 0 || forwarded)
    {
      info = flags_to_info (flags, keywords);
      key = g_strconcat ("cur/", unique, info, NULL);
    }
  else
    key = g_strconcat ("new/", unique, NULL);

  final_path = g_build_filename (folder, key, NULL);
  if (g_rename (tmp_path, final_path) != 0)
    {
      set_errno_error (error, "rename", final_path);
      g_unlink (tmp_path);
      return FALSE;
    }
  final_dir = g_path_get_dirname (final_path);
  if (!fsync_dir (final_dir, error))
    {
      g_unlink (final_path);
      return FALSE;
    }

  mr_message_set_storage_key (message, key);

  /* The UID map is not needed for safety (a file without an entry gets a
   * fresh UID on load), so it is written but not fsynced. */
  line = g_strdup_printf ("+ %u %s\n", mr_message_get_uid (message), unique);
  if (keywords && keywords[0])
    {
      g_autofree char *joined = g_strjoinv (" ", (char **)keywords);
      g_autofree char *with_keywords = g_strdup_printf ("%sK %u %s\n", line,
                                                        mr_message_get_uid (message), joined);

      g_free (line);
      line = g_steal_pointer (&with_keywords);
    }
  if (!index_append (folder, line, error))
    return FALSE;

  return TRUE;
}

static gboolean
mr_maildir_append_message (MrStoreBackend  *backend,
                           MrMailbox       *mailbox,
                           MrMessage       *message,
                           GError         **error)
{
  MrMaildir *self = (MrMaildir *)backend;
  g_autofree char *folder = NULL;

  g_assert (MR_IS_MAILDIR (self));

  if (!(folder = get_folder_path (self, mailbox, error)))
    return FALSE;
  return write_message (self, folder, mailbox, message, error);
}

static gboolean
mr_maildir_update_flags (MrStoreBackend      *backend,
                         MrMailbox           *mailbox,
                         MrMessage           *message,
                         MrMessageFlags       flags,
                         const char * const  *keywords,
                         GError             **error)
{
  MrMaildir *self = (MrMaildir *)backend;
  g_autofree char *folder = NULL;
  g_autofree char *info = NULL;
  g_autofree char *unique = NULL;
  g_autofree char *new_key = NULL;
  const char *old_key = mr_message_get_storage_key (message);
  const char *base;
  const char *colon;

  g_assert (MR_IS_MAILDIR (self));

  if (!(folder = get_folder_path (self, mailbox, error)))
    return FALSE;
  if (old_key == NULL)
    return write_message (self, folder, mailbox, message, error);

  base = basename_of_key (old_key);
  colon = strchr (base, ':');
  unique = colon ? g_strndup (base, colon - base) : g_strdup (base);
  info = flags_to_info (flags & MR_FLAGS_PERMANENT, keywords);
  new_key = g_strconcat ("cur/", unique, info, NULL);

  if (g_strcmp0 (new_key, old_key) != 0)
    {
      g_autofree char *old_path = g_build_filename (folder, old_key, NULL);
      g_autofree char *new_path = g_build_filename (folder, new_key, NULL);

      if (g_rename (old_path, new_path) != 0)
        return set_errno_error (error, "rename", old_path);
      mr_message_set_storage_key (message, new_key);
    }

  if (!g_strv_equal (keywords ? keywords : (const char * const[]) { NULL },
                     mr_message_get_keywords (message) ? mr_message_get_keywords (message)
                                                       : (const char * const[]) { NULL }))
    {
      g_autofree char *joined = keywords ? g_strjoinv (" ", (char **)keywords) : g_strdup ("");
      g_autofree char *line = g_strdup_printf ("K %u %s\n", mr_message_get_uid (message), joined);

      if (!index_append (folder, line, error))
        return FALSE;
    }

  return TRUE;
}

static gboolean
mr_maildir_expunge_message (MrStoreBackend  *backend,
                            MrMailbox       *mailbox,
                            MrMessage       *message,
                            GError         **error)
{
  MrMaildir *self = (MrMaildir *)backend;
  g_autofree char *folder = NULL;
  g_autofree char *line = NULL;
  const char *key = mr_message_get_storage_key (message);

  g_assert (MR_IS_MAILDIR (self));

  if (!(folder = get_folder_path (self, mailbox, error)))
    return FALSE;

  if (key != NULL)
    {
      g_autofree char *path = g_build_filename (folder, key, NULL);

      if (g_unlink (path) != 0 && errno != ENOENT)
        return set_errno_error (error, "unlink", path);
    }

  line = g_strdup_printf ("- %u\n", mr_message_get_uid (message));
  return index_append (folder, line, error);
}

static gboolean
mr_maildir_create_mailbox (MrStoreBackend  *backend,
                           MrMailbox       *mailbox,
                           GError         **error)
{
  MrMaildir *self = (MrMaildir *)backend;
  g_autofree char *folder = NULL;

  g_assert (MR_IS_MAILDIR (self));

  if (!(folder = get_folder_path (self, mailbox, error)))
    return FALSE;
  return ensure_folder (self, folder, mailbox, error);
}

static gboolean
remove_tree (const char  *path,
             GError     **error)
{
  g_autoptr(GDir) dir = g_dir_open (path, 0, NULL);
  const char *name;

  if (dir == NULL)
    return TRUE;

  while ((name = g_dir_read_name (dir)))
    {
      g_autofree char *child = g_build_filename (path, name, NULL);

      if (g_file_test (child, G_FILE_TEST_IS_DIR) && !g_file_test (child, G_FILE_TEST_IS_SYMLINK))
        {
          if (!remove_tree (child, error))
            return FALSE;
        }
      else if (g_unlink (child) != 0)
        return set_errno_error (error, "unlink", child);
    }

  if (g_rmdir (path) != 0)
    return set_errno_error (error, "rmdir", path);
  return TRUE;
}

static gboolean
mr_maildir_delete_mailbox (MrStoreBackend  *backend,
                           MrMailbox       *mailbox,
                           GError         **error)
{
  MrMaildir *self = (MrMaildir *)backend;
  g_autofree char *folder = NULL;

  g_assert (MR_IS_MAILDIR (self));

  if (g_ascii_strcasecmp (mr_mailbox_get_name (mailbox), "INBOX") == 0)
    {
      g_set_error (error, MR_ERROR, MR_ERROR_FAILED, _("INBOX cannot be deleted"));
      return FALSE;
    }
  if (!(folder = get_folder_path (self, mailbox, error)))
    return FALSE;

  g_hash_table_remove (self->ready, folder);
  return remove_tree (folder, error);
}

static gboolean
mr_maildir_rename_mailbox (MrStoreBackend  *backend,
                           MrMailbox       *mailbox,
                           const char      *new_name,
                           GError         **error)
{
  MrMaildir *self = (MrMaildir *)backend;
  MrAccount *account = mr_mailbox_get_account (mailbox);
  g_autofree char *folder = NULL;
  g_autofree char *new_dir = NULL;
  g_autofree char *new_folder = NULL;

  g_assert (MR_IS_MAILDIR (self));

  if (g_ascii_strcasecmp (mr_mailbox_get_name (mailbox), "INBOX") == 0 ||
      g_ascii_strcasecmp (new_name, "INBOX") == 0)
    {
      g_set_error (error, MR_ERROR, MR_ERROR_FAILED,
                   _("Renaming INBOX is not supported with Maildir storage"));
      return FALSE;
    }
  if (!(folder = get_folder_path (self, mailbox, error)))
    return FALSE;

  new_dir = folder_dir_name (new_name);
  if (new_dir == NULL)
    {
      g_set_error (error, MR_ERROR, MR_ERROR_FAILED,
                   _("Maildir: a folder name cannot be empty"));
      return FALSE;
    }
  new_folder = g_build_filename (self->root, mr_account_get_address (account), new_dir, NULL);
  if (!ensure_folder (self, folder, mailbox, error))
    return FALSE;
  if (g_rename (folder, new_folder) != 0)
    return set_errno_error (error, "rename", folder);
  g_hash_table_remove (self->ready, folder);
  return TRUE;
}

static GString *
format_index (MrMailbox *mailbox)
{
  GString *index = g_string_new (NULL);
  guint n = mr_mailbox_get_n_messages (mailbox);

  g_string_append_printf (index, "V %u\nN %u\nS %d\n",
                          mr_mailbox_get_uidvalidity (mailbox),
                          mr_mailbox_get_uidnext (mailbox),
                          mr_mailbox_get_subscribed (mailbox));
  if (mr_mailbox_get_special_use (mailbox))
    g_string_append_printf (index, "U %s\n", mr_mailbox_get_special_use (mailbox));

  for (guint i = 0; i < n; i++)
    {
      MrMessage *message = mr_mailbox_get_message (mailbox, i);
      const char * const *keywords = mr_message_get_keywords (message);
      const char *base = basename_of_key (mr_message_get_storage_key (message));
      const char *colon;

      if (base == NULL)
        continue;
      colon = strchr (base, ':');
      g_string_append_printf (index, "+ %u %.*s\n", mr_message_get_uid (message),
                              colon ? (int)(colon - base) : (int)strlen (base), base);
      if (keywords && keywords[0])
        {
          g_autofree char *joined = g_strjoinv (" ", (char **)keywords);

          g_string_append_printf (index, "K %u %s\n", mr_message_get_uid (message), joined);
        }
    }
  return index;
}

/* Rewrites the index from memory: tmp file, fsync, rename (compaction). */
static gboolean
rewrite_index (MrMaildir  *self,
               const char *folder,
               MrMailbox  *mailbox,
               GError    **error)
{
  g_autofree char *path = g_build_filename (folder, INDEX_NAME, NULL);
  g_autoptr(GString) index = format_index (mailbox);

  if (!ensure_folder (self, folder, mailbox, error))
    return FALSE;
  return g_file_set_contents_full (path, index->str, index->len,
                                   G_FILE_SET_CONTENTS_CONSISTENT, 0600, error);
}

static gboolean
mr_maildir_save_mailbox_state (MrStoreBackend  *backend,
                               MrMailbox       *mailbox,
                               GError         **error)
{
  MrMaildir *self = (MrMaildir *)backend;
  g_autofree char *folder = NULL;

  g_assert (MR_IS_MAILDIR (self));

  if (!(folder = get_folder_path (self, mailbox, error)))
    return FALSE;
  return rewrite_index (self, folder, mailbox, error);
}

static void
store_backend_iface_init (MrStoreBackendInterface *iface)
{
  iface->append_message = mr_maildir_append_message;
  iface->update_flags = mr_maildir_update_flags;
  iface->expunge_message = mr_maildir_expunge_message;
  iface->create_mailbox = mr_maildir_create_mailbox;
  iface->delete_mailbox = mr_maildir_delete_mailbox;
  iface->rename_mailbox = mr_maildir_rename_mailbox;
  iface->save_mailbox_state = mr_maildir_save_mailbox_state;
}

/* Loading */

typedef struct
{
  guint32     uidvalidity;
  guint32     uidnext;
  int         subscribed;     /* -1: not recorded */
  char       *special_use;
  GHashTable *uids;           /* unique name -> GUINT_TO_POINTER (uid) */
  GHashTable *keywords;       /* GUINT_TO_POINTER (uid) -> GStrv */
} FolderIndex;

static void
folder_index_clear (FolderIndex *index)
{
  g_clear_pointer (&index->special_use, g_free);
  g_clear_pointer (&index->uids, g_hash_table_unref);
  g_clear_pointer (&index->keywords, g_hash_table_unref);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (FolderIndex, folder_index_clear)

static gboolean
parse_uint (const char *text,
            guint32    *value_r)
{
  guint64 value;

  if (!g_ascii_string_to_unsigned (text, 10, 1, G_MAXUINT32, &value, NULL))
    return FALSE;
  *value_r = (guint32)value;
  return TRUE;
}

/* Replays the log. Returns FALSE if there is no index. */
static gboolean
read_index (const char  *folder,
            FolderIndex *index)
{
  g_autofree char *path = g_build_filename (folder, INDEX_NAME, NULL);
  g_autofree char *contents = NULL;
  g_auto(GStrv) lines = NULL;
  GHashTable *by_uid;

  index->subscribed = -1;
  index->uids = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  index->keywords = g_hash_table_new_full (NULL, NULL, NULL, (GDestroyNotify)g_strfreev);

  if (!g_file_get_contents (path, &contents, NULL, NULL))
    return FALSE;

  by_uid = g_hash_table_new (NULL, NULL);
  lines = g_strsplit (contents, "\n", -1);
  for (guint i = 0; lines[i]; i++)
    {
      const char *line = lines[i];
      guint32 uid;

      /* A line without its "\n" is the torn tail of a crash. */
      if (lines[i + 1] == NULL || strlen (line) < 3 || line[1] != ' ')
        continue;

      switch (line[0])
        {
        case 'V':
          parse_uint (line + 2, &index->uidvalidity);
          break;

        case 'N':
          if (parse_uint (line + 2, &uid))
            index->uidnext = MAX (index->uidnext, uid);
          break;

        case 'S':
          index->subscribed = line[2] == '1';
          break;

        case 'U':
          g_free (index->special_use);
          index->special_use = g_strdup (line + 2);
          break;

        case '+':
          {
            g_auto(GStrv) parts = g_strsplit (line + 2, " ", 2);

            if (g_strv_length (parts) == 2 && parse_uint (parts[0], &uid))
              {
                char *old = g_hash_table_lookup (by_uid, GUINT_TO_POINTER (uid));

                /* A UID seen twice: the later line wins. */
                if (old != NULL)
                  {
                    g_hash_table_remove (index->uids, old);
                    g_hash_table_remove (by_uid, GUINT_TO_POINTER (uid));
                    g_free (old);
                  }
                g_hash_table_insert (index->uids, g_strdup (parts[1]), GUINT_TO_POINTER (uid));
                g_hash_table_insert (by_uid, GUINT_TO_POINTER (uid), g_strdup (parts[1]));
                index->uidnext = MAX (index->uidnext, uid + 1);
              }
          }
          break;

        case '-':
          if (parse_uint (line + 2, &uid))
            {
              char *name = g_hash_table_lookup (by_uid, GUINT_TO_POINTER (uid));

              if (name != NULL)
                {
                  g_hash_table_remove (index->uids, name);
                  g_hash_table_remove (by_uid, GUINT_TO_POINTER (uid));
                  g_free (name);
                }
              g_hash_table_remove (index->keywords, GUINT_TO_POINTER (uid));
              index->uidnext = MAX (index->uidnext, uid + 1);
            }
          break;

        case 'K':
          {
            g_auto(GStrv) parts = g_strsplit (line + 2, " ", -1);

            if (parts[0] && parse_uint (parts[0], &uid))
              {
                GStrvBuilder *builder = g_strv_builder_new ();

                for (guint k = 1; parts[k]; k++)
                  if (*parts[k])
                    g_strv_builder_add (builder, parts[k]);
                g_hash_table_insert (index->keywords, GUINT_TO_POINTER (uid),
                                     g_strv_builder_end (builder));
                g_strv_builder_unref (builder);
              }
          }
          break;

        default:
          break;
        }
    }

  {
    GHashTableIter iter;
    gpointer value;

    g_hash_table_iter_init (&iter, by_uid);
    while (g_hash_table_iter_next (&iter, NULL, &value))
      g_free (value);
    g_hash_table_unref (by_uid);
  }

  return TRUE;
}

static gint
compare_by_uid (gconstpointer a,
                gconstpointer b)
{
  guint32 ua = mr_message_get_uid (*(MrMessage **)a);
  guint32 ub = mr_message_get_uid (*(MrMessage **)b);

  return ua < ub ? -1 : ua > ub ? 1 : 0;
}

/* Oldest first; the Maildir unique name starts with the delivery time. */
static gint
compare_by_arrival (gconstpointer a,
                    gconstpointer b)
{
  MrMessage *ma = *(MrMessage **)a;
  MrMessage *mb = *(MrMessage **)b;
  gint64 da = mr_message_get_internal_date (ma) / G_USEC_PER_SEC;
  gint64 db = mr_message_get_internal_date (mb) / G_USEC_PER_SEC;

  if (da != db)
    return da < db ? -1 : 1;
  return g_strcmp0 (basename_of_key (mr_message_get_storage_key (ma)),
                    basename_of_key (mr_message_get_storage_key (mb)));
}

/* The Maildir spec: a file in tmp/ untouched for 36 hours is the remains
 * of a delivery that died; nobody will rename it any more. */
static void
clean_tmp (const char *folder)
{
  g_autofree char *tmp = g_build_filename (folder, "tmp", NULL);
  g_autoptr(GDir) dir = g_dir_open (tmp, 0, NULL);
  gint64 limit = g_get_real_time () / G_USEC_PER_SEC - 36 * 60 * 60;
  const char *name;

  while (dir && (name = g_dir_read_name (dir)))
    {
      g_autofree char *path = g_build_filename (tmp, name, NULL);
      GStatBuf st;

      if (g_stat (path, &st) == 0 && S_ISREG (st.st_mode) && st.st_mtime < limit)
        g_unlink (path);
    }
}

static gboolean
load_folder (MrMaildir  *self,
             const char *folder,
             MrMailbox  *mailbox,
             GError    **error)
{
  static const char *subdirs[] = { "new", "cur" };
  g_auto(FolderIndex) index = { 0 };
  g_autoptr(GPtrArray) loaded = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(GPtrArray) unknown = g_ptr_array_new_with_free_func (g_object_unref);
  gboolean had_index;
  gboolean dirty = FALSE;

  clean_tmp (folder);
  had_index = read_index (folder, &index);
  if (!had_index || index.uidvalidity == 0)
    {
      /* A Maildir made by another tool: new UIDs, so a new UIDVALIDITY. */
      index.uidvalidity = mr_mailbox_get_uidvalidity (mailbox);
      dirty = TRUE;
    }
  index.uidnext = MAX (index.uidnext, 1);

  for (guint s = 0; s < G_N_ELEMENTS (subdirs); s++)
    {
      g_autofree char *dir_path = g_build_filename (folder, subdirs[s], NULL);
      g_autoptr(GDir) dir = g_dir_open (dir_path, 0, NULL);
      const char *name;

      if (dir == NULL)
        continue;

      while ((name = g_dir_read_name (dir)))
        {
          g_autofree char *path = NULL;
          g_autofree char *unique = NULL;
          g_autofree char *contents = NULL;
          g_autofree char *key = NULL;
          g_autoptr(GStrvBuilder) builder = NULL;
          g_auto(GStrv) keywords = NULL;
          g_autoptr(MrMessage) message = NULL;
          g_autoptr(GBytes) raw = NULL;
          const char *colon;
          const char * const *index_keywords;
          gboolean forwarded;
          MrMessageFlags flags;
          GStatBuf st;
          gsize len;
          gpointer uid;

          if (name[0] == '.')
            continue;

          path = g_build_filename (dir_path, name, NULL);
          if (g_stat (path, &st) != 0 || !S_ISREG (st.st_mode))
            continue;
          if (!g_file_get_contents (path, &contents, &len, NULL))
            {
              g_warning ("Maildir: cannot read %s, skipped", path);
              continue;
            }

          colon = strchr (name, ':');
          unique = colon ? g_strndup (name, colon - name) : g_strdup (name);
          flags = s == 1 ? info_to_flags (colon, &forwarded) : (forwarded = FALSE, MR_FLAG_NONE);

          raw = lf_to_crlf (contents, len);
          message = mr_message_new (raw, (gint64)st.st_mtime * G_USEC_PER_SEC);
          key = g_build_filename (subdirs[s], name, NULL);
          mr_message_set_storage_key (message, key);
          _mr_message_set_flags (message, flags);

          if (g_hash_table_lookup_extended (index.uids, unique, NULL, &uid))
            {
              _mr_message_set_uid (message, GPOINTER_TO_UINT (uid));
              index_keywords = g_hash_table_lookup (index.keywords, uid);
              builder = g_strv_builder_new ();
              if (index_keywords)
                for (guint k = 0; index_keywords[k]; k++)
                  if (strcmp (index_keywords[k], "$Forwarded") != 0)
                    g_strv_builder_add (builder, index_keywords[k]);
              if (forwarded)
                g_strv_builder_add (builder, "$Forwarded");
              keywords = g_strv_builder_end (builder);
              _mr_message_set_keywords (message, (const char * const *)keywords);
              g_ptr_array_add (loaded, g_steal_pointer (&message));
            }
          else
            {
              if (forwarded)
                {
                  const char *fw[] = { "$Forwarded", NULL };

                  _mr_message_set_keywords (message, fw);
                }
              g_ptr_array_add (unknown, g_steal_pointer (&message));
            }
        }
    }

  /* Files from mutt, a crash before the index line, or another tool:
   * UIDs in arrival order. */
  g_ptr_array_sort (unknown, compare_by_arrival);
  for (guint i = 0; i < unknown->len; i++)
    {
      _mr_message_set_uid (g_ptr_array_index (unknown, i), index.uidnext++);
      g_ptr_array_add (loaded, g_object_ref (g_ptr_array_index (unknown, i)));
      dirty = TRUE;
    }

  g_ptr_array_sort (loaded, compare_by_uid);
  for (guint i = 0; i < loaded->len; i++)
    mr_mailbox_add_loaded (mailbox, g_ptr_array_index (loaded, i));

  mr_mailbox_set_uid_state (mailbox, index.uidvalidity,
                            MAX (index.uidnext, mr_mailbox_get_uidnext (mailbox)));
  if (index.subscribed >= 0)
    mr_mailbox_set_subscribed (mailbox, index.subscribed);
  if (index.special_use && !mr_mailbox_get_special_use (mailbox))
    mr_mailbox_set_special_use (mailbox, index.special_use);

  /* Compact the log (and record new UIDs) once per start. */
  if (dirty || had_index)
    return rewrite_index (self, folder, mailbox, error);
  return TRUE;
}

static gboolean
load_account_folders (MrMaildir  *self,
                      MrAccount  *account,
                      GError    **error)
{
  g_autofree char *account_dir = g_build_filename (self->root, mr_account_get_address (account), NULL);
  g_autoptr(GDir) dir = g_dir_open (account_dir, 0, NULL);
  GListModel *mailboxes;
  const char *name;

  /* Folders that exist only on disk (Maildir++ ".Name" with a cur/). */
  while (dir && (name = g_dir_read_name (dir)))
    {
      g_autofree char *cur = NULL;
      g_autofree char *folder_name = NULL;

      if (name[0] != '.' || strcmp (name, ".") == 0 || strcmp (name, "..") == 0 || name[1] == '\0')
        continue;
      cur = g_build_filename (account_dir, name, "cur", NULL);
      if (!g_file_test (cur, G_FILE_TEST_IS_DIR))
        continue;

      folder_name = folder_name_from_dir (name);
      if (mr_account_lookup_mailbox (account, folder_name) == NULL &&
          mr_account_create_mailbox (account, folder_name, NULL, error) == NULL)
        return FALSE;
    }

  mailboxes = mr_account_get_mailboxes (account);
  for (guint i = 0; i < g_list_model_get_n_items (mailboxes); i++)
    {
      g_autoptr(MrMailbox) mailbox = g_list_model_get_item (mailboxes, i);
      g_autofree char *folder = mr_maildir_dup_folder_path (self, mailbox);
      g_autofree char *cur = g_build_filename (folder, "cur", NULL);

      if (g_file_test (cur, G_FILE_TEST_IS_DIR))
        {
          /* Disk wins: drop what a scenario put in memory. */
          while (mr_mailbox_get_n_messages (mailbox) > 0)
            if (!mr_mailbox_expunge (mailbox, mr_mailbox_get_message (mailbox, 0), error))
              return FALSE;
          if (!load_folder (self, folder, mailbox, error))
            return FALSE;
        }
      else
        {
          /* New folder: write out what memory has. */
          if (!ensure_folder (self, folder, mailbox, error))
            return FALSE;
          for (guint m = 0; m < mr_mailbox_get_n_messages (mailbox); m++)
            if (!write_message (self, folder, mailbox, mr_mailbox_get_message (mailbox, m), error))
              return FALSE;
          if (!rewrite_index (self, folder, mailbox, error))
            return FALSE;
        }
      g_hash_table_add (self->ready, g_strdup (folder));
    }

  return TRUE;
}

/* Accounts added after the load (a scenario loaded later, the GUI): their
 * directories appear at once, and what is on disk for them is loaded. */
static void
on_accounts_changed_cb (MrMaildir  *self,
                        guint       position,
                        guint       removed,
                        guint       added,
                        GListModel *accounts)
{
  MrStore *store = self->store;

  g_assert (MR_IS_MAILDIR (self));

  if (added == 0 || store == NULL)
    return;

  /* The store owns us: keep alive while it has no backend. */
  g_object_ref (self);
  mr_store_set_backend (store, NULL);
  for (guint i = position; i < position + added; i++)
    {
      g_autoptr(MrAccount) account = g_list_model_get_item (accounts, i);
      g_autoptr(GError) error = NULL;

      if (!is_safe_account_name (mr_account_get_address (account)))
        continue;
      if (!load_account_folders (self, account, &error))
        g_warning ("Maildir: %s", error->message);
    }
  mr_store_set_backend (store, MR_STORE_BACKEND (self));
  g_object_unref (self);
}

gboolean
mr_maildir_load (MrMaildir  *self,
                 MrStore    *store,
                 GError    **error)
{
  g_autoptr(GDir) dir = NULL;
  GListModel *accounts;
  const char *name;

  g_return_val_if_fail (MR_IS_MAILDIR (self), FALSE);
  g_return_val_if_fail (MR_IS_STORE (store), FALSE);

  /* While loading, changes to the store must not echo back to disk. */
  mr_store_set_backend (store, NULL);
  g_set_weak_pointer (&self->store, store);

  dir = g_dir_open (self->root, 0, error);
  if (dir == NULL)
    return FALSE;

  /* Accounts that exist only on disk: a directory with cur/ named like an
   * address. */
  while ((name = g_dir_read_name (dir)))
    {
      g_autofree char *cur = g_build_filename (self->root, name, "cur", NULL);

      if (!is_safe_account_name (name) || strchr (name, '@') == NULL ||
          !g_file_test (cur, G_FILE_TEST_IS_DIR))
        continue;
      if (mr_store_lookup_account (store, name) == NULL)
        mr_store_add_account (store, name, NULL);
    }

  accounts = mr_store_get_accounts (store);
  for (guint i = 0; i < g_list_model_get_n_items (accounts); i++)
    {
      g_autoptr(MrAccount) account = g_list_model_get_item (accounts, i);

      if (!is_safe_account_name (mr_account_get_address (account)))
        {
          g_warning ("Maildir: account %s cannot be a directory name, kept in memory only",
                     mr_account_get_address (account));
          continue;
        }
      if (!load_account_folders (self, account, error))
        return FALSE;
    }

  mr_store_set_backend (store, MR_STORE_BACKEND (self));
  g_signal_connect_object (accounts, "items-changed",
                           G_CALLBACK (on_accounts_changed_cb), self, G_CONNECT_SWAPPED);
  return TRUE;
}

/* GObject */

static void
mr_maildir_finalize (GObject *object)
{
  MrMaildir *self = (MrMaildir *)object;

  if (self->lock_fd >= 0)
    {
      flock (self->lock_fd, LOCK_UN);
      close (self->lock_fd);
    }
  g_clear_weak_pointer (&self->store);
  g_clear_pointer (&self->root, g_free);
  g_clear_pointer (&self->hostname, g_free);
  g_clear_pointer (&self->ready, g_hash_table_unref);

  G_OBJECT_CLASS (mr_maildir_parent_class)->finalize (object);
}

static void
mr_maildir_class_init (MrMaildirClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = mr_maildir_finalize;
}

static void
mr_maildir_init (MrMaildir *self)
{
  self->lock_fd = -1;
  self->ready = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
}

MrMaildir *
mr_maildir_new (const char  *root,
                GError     **error)
{
  g_autoptr(MrMaildir) self = NULL;
  g_autofree char *lock_path = NULL;
  g_autofree char *pid = NULL;
  GString *host;

  g_return_val_if_fail (root != NULL, NULL);

  if (g_mkdir_with_parents (root, 0700) != 0)
    {
      set_errno_error (error, "mkdir", root);
      return NULL;
    }

  self = g_object_new (MR_TYPE_MAILDIR, NULL);
  self->root = g_canonicalize_filename (root, NULL);

  /* flock() locks belong to the open file, so a second MrMaildir in the
   * same process is refused too, not only another process. The lock goes
   * away with the process, so a kill -9 leaves nothing stale. */
  lock_path = g_build_filename (self->root, LOCK_NAME, NULL);
  self->lock_fd = open (lock_path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (self->lock_fd < 0)
    {
      set_errno_error (error, "open", lock_path);
      return NULL;
    }
  if (flock (self->lock_fd, LOCK_EX | LOCK_NB) != 0)
    {
      int saved = errno;
      g_autofree char *holder = NULL;

      g_file_get_contents (lock_path, &holder, NULL, NULL);
      if (holder)
        g_strstrip (holder);
      if (saved == EWOULDBLOCK)
        g_set_error (error, MR_ERROR, MR_ERROR_LOCKED,
                     _("The Maildir %s is in use by another Mailroom (process %s, lock file %s)"),
                     self->root, holder && *holder ? holder : "?", lock_path);
      else
        g_set_error (error, MR_ERROR, MR_ERROR_FAILED,
                     _("Maildir: cannot lock %s: %s"), lock_path, g_strerror (saved));
      return NULL;
    }

  pid = g_strdup_printf ("%d\n", (int)getpid ());
  if (ftruncate (self->lock_fd, 0) == 0)
    {
      if (pwrite (self->lock_fd, pid, strlen (pid), 0) < 0)
        g_debug ("Cannot write the pid into %s", lock_path);
    }

  /* The Maildir spec: "/" and ":" in the host name are escaped. */
  host = g_string_new (NULL);
  for (const char *p = g_get_host_name (); *p; p++)
    {
      if (*p == '/')
        g_string_append (host, "\\057");
      else if (*p == ':')
        g_string_append (host, "\\072");
      else
        g_string_append_c (host, *p);
    }
  self->hostname = g_string_free (host, FALSE);

  return g_steal_pointer (&self);
}

const char *
mr_maildir_get_root (MrMaildir *self)
{
  g_return_val_if_fail (MR_IS_MAILDIR (self), NULL);
  return self->root;
}
