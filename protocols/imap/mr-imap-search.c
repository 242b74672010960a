/* mr-imap-search.c
 *
 * Copyright 2026 The Mailroom authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "mr-imap-search"

#include "config.h"

#include <string.h>

#include "mr-error.h"
#include "mr-imap-fetch.h"
#include "mr-imap-search.h"
#include "mr-imap-sequence.h"

/* RFC 3501 6.4.4 search keys, as a tree. */
typedef enum
{
  KEY_ALL,
  KEY_AND,          /* children */
  KEY_OR,           /* two children */
  KEY_NOT,          /* one child */
  KEY_FLAG,         /* flag set (ANSWERED, DELETED, ...) */
  KEY_UNFLAG,       /* flag clear (UNANSWERED, ...) */
  KEY_KEYWORD,
  KEY_UNKEYWORD,
  KEY_NEW,          /* RECENT and UNSEEN */
  KEY_OLD,          /* NOT RECENT */
  KEY_RECENT,
  KEY_HEADER,       /* FROM, TO, CC, BCC, SUBJECT, HEADER name value */
  KEY_BODY,
  KEY_TEXT,
  KEY_BEFORE,       /* internal date */
  KEY_ON,
  KEY_SINCE,
  KEY_SENTBEFORE,   /* Date: header */
  KEY_SENTON,
  KEY_SENTSINCE,
  KEY_LARGER,
  KEY_SMALLER,
  KEY_UID,
  KEY_SEQUENCE,
} KeyKind;

typedef struct _Key Key;

struct _Key
{
  KeyKind          kind;
  MrMessageFlags   flag;
  char            *name;    /* header name or keyword */
  char            *value;   /* casefolded needle */
  gint64           date;    /* start of the day, UTC, usec */
  gsize            size;
  MrImapSequence  *set;
  GPtrArray       *children;
};

struct _MrImapSearch
{
  Key *root;
};

static void
key_free (Key *key)
{
  if (key == NULL)
    return;
  g_free (key->name);
  g_free (key->value);
  g_clear_pointer (&key->set, mr_imap_sequence_free);
  g_clear_pointer (&key->children, g_ptr_array_unref);
  g_free (key);
}

void
mr_imap_search_free (MrImapSearch *self)
{
  if (self == NULL)
    return;
  key_free (self->root);
  g_free (self);
}

static Key *
key_new (KeyKind kind)
{
  Key *key = g_new0 (Key, 1);

  key->kind = kind;
  if (kind == KEY_AND || kind == KEY_OR || kind == KEY_NOT)
    key->children = g_ptr_array_new_with_free_func ((GDestroyNotify)key_free);
  return key;
}

static Key *parse_key (GPtrArray *args, guint *pos, guint depth, GError **error);

static const char *
take_string (GPtrArray   *args,
             guint       *pos,
             const char  *key,
             GError     **error)
{
  const char *str;

  if (*pos >= args->len ||
      (str = mr_imap_arg_get_astring (g_ptr_array_index (args, *pos))) == NULL)
    {
      g_set_error (error, MR_ERROR, MR_ERROR_BAD_SYNTAX, "Missing argument to %s", key);
      return NULL;
    }
  (*pos)++;
  return str;
}

static const struct
{
  const char     *name;
  KeyKind         kind;
  MrMessageFlags  flag;
} flag_keys[] = {
  { "ANSWERED", KEY_FLAG, MR_FLAG_ANSWERED },
  { "DELETED", KEY_FLAG, MR_FLAG_DELETED },
  { "DRAFT", KEY_FLAG, MR_FLAG_DRAFT },
  { "FLAGGED", KEY_FLAG, MR_FLAG_FLAGGED },
  { "SEEN", KEY_FLAG, MR_FLAG_SEEN },
  { "UNANSWERED", KEY_UNFLAG, MR_FLAG_ANSWERED },
  { "UNDELETED", KEY_UNFLAG, MR_FLAG_DELETED },
  { "UNDRAFT", KEY_UNFLAG, MR_FLAG_DRAFT },
  { "UNFLAGGED", KEY_UNFLAG, MR_FLAG_FLAGGED },
  { "UNSEEN", KEY_UNFLAG, MR_FLAG_SEEN },
};

static Key *
parse_list (GPtrArray  *args,
            guint      *pos,
            guint       depth,
            GError    **error)
{
  g_autoptr(GPtrArray) children = g_ptr_array_new_with_free_func ((GDestroyNotify)key_free);
  Key *key;

  while (*pos < args->len)
    {
      Key *child = parse_key (args, pos, depth, error);

      if (child == NULL)
        return NULL;
      g_ptr_array_add (children, child);
    }
  if (children->len == 0)
    {
      g_set_error_literal (error, MR_ERROR, MR_ERROR_BAD_SYNTAX, "Missing search key");
      return NULL;
    }
  if (children->len == 1)
    return g_ptr_array_steal_index (children, 0);

  key = key_new (KEY_AND);
  g_clear_pointer (&key->children, g_ptr_array_unref);
  key->children = g_steal_pointer (&children);
  return key;
}

static Key *
parse_key (GPtrArray  *args,
           guint      *pos,
           guint       depth,
           GError    **error)
{
  MrImapArg *arg;
  g_autofree char *name = NULL;
  const char *str;
  Key *key;

  if (depth > 32)
    {
      g_set_error_literal (error, MR_ERROR, MR_ERROR_BAD_SYNTAX, "Search keys nested too deeply");
      return NULL;
    }
  if (*pos >= args->len)
    {
      g_set_error_literal (error, MR_ERROR, MR_ERROR_BAD_SYNTAX, "Missing search key");
      return NULL;
    }

  arg = g_ptr_array_index (args, (*pos)++);

  if (arg->type == MR_IMAP_ARG_LIST)
    {
      guint inner = 0;

      return parse_list (arg->list, &inner, depth + 1, error);
    }
  if (arg->type != MR_IMAP_ARG_ATOM)
    {
      g_set_error_literal (error, MR_ERROR, MR_ERROR_BAD_SYNTAX, "Invalid search key");
      return NULL;
    }

  name = g_ascii_strup (arg->str, -1);

  for (guint i = 0; i < G_N_ELEMENTS (flag_keys); i++)
    if (strcmp (name, flag_keys[i].name) == 0)
      {
        key = key_new (flag_keys[i].kind);
        key->flag = flag_keys[i].flag;
        return key;
      }

  if (strcmp (name, "ALL") == 0)
    return key_new (KEY_ALL);
  if (strcmp (name, "NEW") == 0)
    return key_new (KEY_NEW);
  if (strcmp (name, "OLD") == 0)
    return key_new (KEY_OLD);
  if (strcmp (name, "RECENT") == 0)
    return key_new (KEY_RECENT);

  if (strcmp (name, "NOT") == 0 || strcmp (name, "OR") == 0)
    {
      guint n = name[0] == 'N' ? 1 : 2;

      key = key_new (n == 1 ? KEY_NOT : KEY_OR);
      for (guint i = 0; i < n; i++)
        {
          Key *child = parse_key (args, pos, depth + 1, error);

          if (child == NULL)
            {
              key_free (key);
              return NULL;
            }
          g_ptr_array_add (key->children, child);
        }
      return key;
    }

  if (strcmp (name, "KEYWORD") == 0 || strcmp (name, "UNKEYWORD") == 0)
    {
      if ((str = take_string (args, pos, name, error)) == NULL)
        return NULL;
      key = key_new (name[0] == 'K' ? KEY_KEYWORD : KEY_UNKEYWORD);
      key->name = g_strdup (str);
      return key;
    }

  if (strcmp (name, "FROM") == 0 || strcmp (name, "TO") == 0 || strcmp (name, "CC") == 0 ||
      strcmp (name, "BCC") == 0 || strcmp (name, "SUBJECT") == 0 || strcmp (name, "HEADER") == 0)
    {
      const char *field = name;

      if (strcmp (name, "HEADER") == 0 && (field = take_string (args, pos, name, error)) == NULL)
        return NULL;
      if ((str = take_string (args, pos, name, error)) == NULL)
        return NULL;
      key = key_new (KEY_HEADER);
      key->name = g_strdup (field);
      key->value = g_utf8_casefold (str, -1);
      return key;
    }

  if (strcmp (name, "BODY") == 0 || strcmp (name, "TEXT") == 0)
    {
      if ((str = take_string (args, pos, name, error)) == NULL)
        return NULL;
      key = key_new (name[0] == 'B' ? KEY_BODY : KEY_TEXT);
      key->value = g_utf8_casefold (str, -1);
      return key;
    }

  {
    static const struct { const char *name; KeyKind kind; } date_keys[] = {
      { "BEFORE", KEY_BEFORE }, { "ON", KEY_ON }, { "SINCE", KEY_SINCE },
      { "SENTBEFORE", KEY_SENTBEFORE }, { "SENTON", KEY_SENTON }, { "SENTSINCE", KEY_SENTSINCE },
    };

    for (guint i = 0; i < G_N_ELEMENTS (date_keys); i++)
      if (strcmp (name, date_keys[i].name) == 0)
        {
          gint64 date;

          if ((str = take_string (args, pos, name, error)) == NULL)
            return NULL;
          if ((date = mr_imap_parse_date (str)) < 0)
            {
              g_set_error (error, MR_ERROR, MR_ERROR_BAD_SYNTAX, "Invalid date for %s", name);
              return NULL;
            }
          key = key_new (date_keys[i].kind);
          key->date = date;
          return key;
        }
  }

  if (strcmp (name, "LARGER") == 0 || strcmp (name, "SMALLER") == 0)
    {
      guint32 n;

      if (*pos >= args->len || !mr_imap_arg_get_number (g_ptr_array_index (args, *pos), &n))
        {
          g_set_error (error, MR_ERROR, MR_ERROR_BAD_SYNTAX, "Invalid size for %s", name);
          return NULL;
        }
      (*pos)++;
      key = key_new (name[0] == 'L' ? KEY_LARGER : KEY_SMALLER);
      key->size = n;
      return key;
    }

  if (strcmp (name, "UID") == 0)
    {
      MrImapSequence *set;

      if ((str = take_string (args, pos, name, error)) == NULL)
        return NULL;
      if ((set = mr_imap_sequence_parse (str, error)) == NULL)
        return NULL;
      key = key_new (KEY_UID);
      key->set = set;
      return key;
    }

  /* A bare sequence set. */
  {
    MrImapSequence *set = mr_imap_sequence_parse (arg->str, NULL);

    if (set != NULL)
      {
        key = key_new (KEY_SEQUENCE);
        key->set = set;
        return key;
      }
  }

  g_set_error (error, MR_ERROR, MR_ERROR_BAD_SYNTAX, "Unknown search key %s", arg->str);
  return NULL;
}

MrImapSearch *
mr_imap_search_parse (GPtrArray  *args,
                      guint       start,
                      GError    **error)
{
  MrImapSearch *self;
  guint pos = start;
  Key *root = parse_list (args, &pos, 0, error);

  if (root == NULL)
    return NULL;
  self = g_new0 (MrImapSearch, 1);
  self->root = root;
  return self;
}

/* Evaluation */

static gboolean
contains_casefold (const char *haystack,
                   gsize       len,
                   const char *needle)
{
  g_autofree char *folded = NULL;

  if (*needle == '\0')
    return TRUE;
  if (haystack == NULL)
    return FALSE;
  folded = g_utf8_validate (haystack, len, NULL)
           ? g_utf8_casefold (haystack, len)
           : g_ascii_strdown (haystack, len);
  return strstr (folded, needle) != NULL;
}

static gint64
day_of (gint64 usec)
{
  gint64 day = (gint64)86400 * G_USEC_PER_SEC;

  return usec - (((usec % day) + day) % day);
}

static gint64
sent_day (MrMessage *message)
{
  GMimeMessage *mime = mr_message_get_mime (message);
  GDateTime *date = mime ? g_mime_message_get_date (mime) : NULL;
  g_autoptr(GDateTime) utc = NULL;

  if (date == NULL)
    return day_of (mr_message_get_internal_date (message));
  /* RFC 3501 6.4.4: "disregarding time and timezone": the date as written. */
  utc = g_date_time_new_utc (g_date_time_get_year (date), g_date_time_get_month (date),
                             g_date_time_get_day_of_month (date), 0, 0, 0);
  return g_date_time_to_unix (utc) * G_USEC_PER_SEC;
}

static gboolean
matches (Key                       *key,
         MrMessage                 *message,
         const MrImapSearchContext *context)
{
  MrMessageFlags flags = mr_message_get_flags (message);

  switch (key->kind)
    {
    case KEY_ALL:
      return TRUE;

    case KEY_AND:
      for (guint i = 0; i < key->children->len; i++)
        if (!matches (g_ptr_array_index (key->children, i), message, context))
          return FALSE;
      return TRUE;

    case KEY_OR:
      return matches (g_ptr_array_index (key->children, 0), message, context) ||
             matches (g_ptr_array_index (key->children, 1), message, context);

    case KEY_NOT:
      return !matches (g_ptr_array_index (key->children, 0), message, context);

    case KEY_FLAG:
      return (flags & key->flag) != 0;

    case KEY_UNFLAG:
      return (flags & key->flag) == 0;

    case KEY_KEYWORD:
      return mr_message_has_keyword (message, key->name);

    case KEY_UNKEYWORD:
      return !mr_message_has_keyword (message, key->name);

    case KEY_NEW:
      return context->recent && !(flags & MR_FLAG_SEEN);

    case KEY_OLD:
      return !context->recent;

    case KEY_RECENT:
      return context->recent;

    case KEY_HEADER:
      {
        g_autofree char *raw = mr_imap_message_dup_raw_header (message, key->name);
        g_autofree char *value = raw ? g_mime_utils_header_decode_text (NULL, raw) : NULL;

        /* HEADER name "" matches any message that has the field. */
        return value != NULL && contains_casefold (value, -1, key->value);
      }

    case KEY_BODY:
    case KEY_TEXT:
      {
        gsize len;
        const char *raw = g_bytes_get_data (mr_message_get_raw (message), &len);
        gsize offset = key->kind == KEY_BODY ? mr_imap_header_length ((const guint8 *)raw, len) : 0;

        return contains_casefold (raw + offset, len - offset, key->value);
      }

    case KEY_BEFORE:
      return day_of (mr_message_get_internal_date (message)) < key->date;

    case KEY_ON:
      return day_of (mr_message_get_internal_date (message)) == key->date;

    case KEY_SINCE:
      return day_of (mr_message_get_internal_date (message)) >= key->date;

    case KEY_SENTBEFORE:
      return sent_day (message) < key->date;

    case KEY_SENTON:
      return sent_day (message) == key->date;

    case KEY_SENTSINCE:
      return sent_day (message) >= key->date;

    case KEY_LARGER:
      return mr_message_get_size (message) > key->size;

    case KEY_SMALLER:
      return mr_message_get_size (message) < key->size;

    case KEY_UID:
      return mr_imap_sequence_contains (key->set, mr_message_get_uid (message), context->max_uid);

    case KEY_SEQUENCE:
      return mr_imap_sequence_contains (key->set, context->seq, context->n_messages);

    default:
      g_assert_not_reached ();
    }
}

gboolean
mr_imap_search_matches (MrImapSearch              *self,
                        MrMessage                 *message,
                        const MrImapSearchContext *context)
{
  g_return_val_if_fail (self != NULL, FALSE);
  return matches (self->root, message, context);
}
