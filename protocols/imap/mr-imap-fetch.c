/* mr-imap-fetch.c
 *
 * Copyright 2026 The Mailroom authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "mr-imap-fetch"

#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "mr-error.h"
#include "mr-imap-fetch.h"

/* RFC 3501 6.4.5: the message data items FETCH can ask for. */
typedef enum
{
  ITEM_FLAGS,
  ITEM_INTERNALDATE,
  ITEM_RFC822,
  ITEM_RFC822_HEADER,
  ITEM_RFC822_SIZE,
  ITEM_RFC822_TEXT,
  ITEM_ENVELOPE,
  ITEM_BODY,
  ITEM_BODYSTRUCTURE,
  ITEM_UID,
  ITEM_SECTION,       /* BODY[section]<partial> and BODY.PEEK[...] */
} ItemKind;

/* RFC 3501 6.4.5 section-spec, after the part number. */
typedef enum
{
  SECTION_ALL,
  SECTION_HEADER,
  SECTION_HEADER_FIELDS,
  SECTION_HEADER_FIELDS_NOT,
  SECTION_TEXT,
  SECTION_MIME,
} SectionKind;

typedef struct
{
  ItemKind     kind;
  gboolean     peek;
  GArray      *path;      /* guint part numbers */
  SectionKind  section;
  GStrv        fields;
  gboolean     partial;
  guint32      offset;
  guint32      length;
  char        *label;     /* "BODY[HEADER.FIELDS (FROM)]<0>" as answered */
} Item;

struct _MrImapFetch
{
  GPtrArray *items;
};

static void
item_free (Item *item)
{
  g_clear_pointer (&item->path, g_array_unref);
  g_strfreev (item->fields);
  g_free (item->label);
  g_free (item);
}

void
mr_imap_fetch_free (MrImapFetch *self)
{
  if (self == NULL)
    return;
  g_ptr_array_unref (self->items);
  g_free (self);
}

static void
add_simple (MrImapFetch *self,
            ItemKind     kind)
{
  Item *item;

  for (guint i = 0; i < self->items->len; i++)
    if (((Item *)self->items->pdata[i])->kind == kind && kind != ITEM_SECTION)
      return;
  item = g_new0 (Item, 1);
  item->kind = kind;
  g_ptr_array_add (self->items, item);
}

static gboolean
parse_section (Item        *item,
               const char  *spec,
               const char  *end,
               GString     *label)
{
  const char *p = spec;
  g_autofree char *rest = NULL;

  item->path = g_array_new (FALSE, FALSE, sizeof (guint));

  /* section-part: nz-number *("." nz-number) */
  while (p < end && g_ascii_isdigit (*p))
    {
      guint64 n = 0;

      if (*p == '0')
        return FALSE;
      for (; p < end && g_ascii_isdigit (*p); p++)
        {
          n = n * 10 + (*p - '0');
          if (n > 100000)
            return FALSE;
        }
      g_array_append_val (item->path, n);
      g_string_append_printf (label, "%s%u", item->path->len > 1 ? "." : "", (guint)n);
      if (p < end && *p == '.')
        {
          p++;
          if (p >= end)
            return FALSE;
        }
      else
        break;
    }

  if (p == end)
    {
      item->section = SECTION_ALL;
      return TRUE;
    }
  if (item->path->len > 0)
    g_string_append_c (label, '.');

  rest = g_ascii_strup (p, end - p);
  if (strcmp (rest, "HEADER") == 0)
    item->section = SECTION_HEADER;
  else if (strcmp (rest, "TEXT") == 0)
    item->section = SECTION_TEXT;
  else if (strcmp (rest, "MIME") == 0 && item->path->len > 0)
    item->section = SECTION_MIME;
  else if (g_str_has_prefix (rest, "HEADER.FIELDS"))
    {
      const char *q = rest + strlen ("HEADER.FIELDS");
      g_autoptr(GPtrArray) fields = g_ptr_array_new_with_free_func (g_free);
      g_autoptr(GString) names = g_string_new (NULL);

      item->section = SECTION_HEADER_FIELDS;
      if (g_str_has_prefix (q, ".NOT"))
        {
          item->section = SECTION_HEADER_FIELDS_NOT;
          q += 4;
        }
      if (*q++ != ' ' || *q++ != '(')
        return FALSE;
      for (;;)
        {
          const char *start;

          while (*q == ' ')
            q++;
          if (*q == ')')
            break;
          start = q;
          if (*q == '"')
            {
              start = ++q;
              while (*q && *q != '"')
                q++;
              if (*q != '"')
                return FALSE;
              g_ptr_array_add (fields, g_strndup (start, q - start));
              q++;
            }
          else
            {
              while (*q && *q != ' ' && *q != ')' && *q > 0x20 && *q != ':')
                q++;
              if (q == start)
                return FALSE;
              g_ptr_array_add (fields, g_strndup (start, q - start));
            }
          g_string_append_printf (names, "%s%s", names->len ? " " : "",
                                  (char *)fields->pdata[fields->len - 1]);
        }
      if (q[1] != '\0' || fields->len == 0)
        return FALSE;
      g_ptr_array_add (fields, NULL);
      item->fields = (GStrv)g_ptr_array_free (g_steal_pointer (&fields), FALSE);
      g_string_append_printf (label, "%s (%s)",
                              item->section == SECTION_HEADER_FIELDS ? "HEADER.FIELDS"
                                                                     : "HEADER.FIELDS.NOT",
                              names->str);
      return TRUE;
    }
  else
    return FALSE;

  g_string_append (label, rest);
  return TRUE;
}

static gboolean
parse_item (MrImapFetch *self,
            const char  *atom)
{
  g_autofree char *upper = g_ascii_strup (atom, -1);
  static const struct { const char *name; ItemKind kind; } simple[] = {
    { "FLAGS", ITEM_FLAGS },
    { "INTERNALDATE", ITEM_INTERNALDATE },
    { "RFC822", ITEM_RFC822 },
    { "RFC822.HEADER", ITEM_RFC822_HEADER },
    { "RFC822.SIZE", ITEM_RFC822_SIZE },
    { "RFC822.TEXT", ITEM_RFC822_TEXT },
    { "ENVELOPE", ITEM_ENVELOPE },
    { "BODY", ITEM_BODY },
    { "BODYSTRUCTURE", ITEM_BODYSTRUCTURE },
    { "UID", ITEM_UID },
  };
  const char *open;
  const char *close;
  g_autoptr(GString) label = g_string_new ("BODY[");
  Item *item;

  for (guint i = 0; i < G_N_ELEMENTS (simple); i++)
    if (strcmp (upper, simple[i].name) == 0)
      {
        add_simple (self, simple[i].kind);
        return TRUE;
      }

  open = strchr (atom, '[');
  if (open == NULL)
    return FALSE;
  if (!(open - atom == 4 && g_ascii_strncasecmp (atom, "BODY", 4) == 0) &&
      !(open - atom == 9 && g_ascii_strncasecmp (atom, "BODY.PEEK", 9) == 0))
    return FALSE;
  close = strrchr (atom, ']');
  if (close == NULL || close < open)
    return FALSE;

  item = g_new0 (Item, 1);
  item->kind = ITEM_SECTION;
  item->peek = (open - atom == 9);
  if (!parse_section (item, open + 1, close, label))
    {
      item_free (item);
      return FALSE;
    }
  g_string_append_c (label, ']');

  /* partial: "<" number "." nz-number ">" */
  if (close[1] != '\0')
    {
      char *endp;
      guint64 offset;
      guint64 length;

      if (close[1] != '<' || !g_ascii_isdigit (close[2]))
        goto bad;
      offset = g_ascii_strtoull (close + 2, &endp, 10);
      if (*endp != '.' || !g_ascii_isdigit (endp[1]))
        goto bad;
      length = g_ascii_strtoull (endp + 1, &endp, 10);
      if (endp[0] != '>' || endp[1] != '\0' || length == 0 ||
          offset > G_MAXUINT32 || length > G_MAXUINT32)
        goto bad;
      item->partial = TRUE;
      item->offset = offset;
      item->length = length;
      g_string_append_printf (label, "<%u>", item->offset);
    }

  item->label = g_string_free (g_steal_pointer (&label), FALSE);
  g_ptr_array_add (self->items, item);
  return TRUE;

bad:
  item_free (item);
  return FALSE;
}

MrImapFetch *
mr_imap_fetch_parse (const MrImapArg  *arg,
                     gboolean          add_uid,
                     GError          **error)
{
  g_autoptr(MrImapFetch) self = g_new0 (MrImapFetch, 1);

  self->items = g_ptr_array_new_with_free_func ((GDestroyNotify)item_free);

  if (arg == NULL)
    {
      g_set_error_literal (error, MR_ERROR, MR_ERROR_BAD_SYNTAX, "Missing fetch attributes");
      return NULL;
    }

  /* RFC 3501 6.4.8: a UID FETCH response always carries UID; we put it
   * first, where simple clients look for it. */
  if (add_uid)
    add_simple (self, ITEM_UID);

  if (arg->type == MR_IMAP_ARG_ATOM &&
      (g_ascii_strcasecmp (arg->str, "ALL") == 0 ||
       g_ascii_strcasecmp (arg->str, "FAST") == 0 ||
       g_ascii_strcasecmp (arg->str, "FULL") == 0))
    {
      /* RFC 3501 6.4.5 macros */
      add_simple (self, ITEM_FLAGS);
      add_simple (self, ITEM_INTERNALDATE);
      add_simple (self, ITEM_RFC822_SIZE);
      if (g_ascii_strcasecmp (arg->str, "FAST") != 0)
        add_simple (self, ITEM_ENVELOPE);
      if (g_ascii_strcasecmp (arg->str, "FULL") == 0)
        add_simple (self, ITEM_BODY);
      return g_steal_pointer (&self);
    }

  if (arg->type == MR_IMAP_ARG_ATOM)
    {
      if (!parse_item (self, arg->str))
        goto bad_item;
      return g_steal_pointer (&self);
    }

  if (arg->type != MR_IMAP_ARG_LIST || arg->list->len == 0)
    {
      g_set_error_literal (error, MR_ERROR, MR_ERROR_BAD_SYNTAX, "Invalid fetch attributes");
      return NULL;
    }

  for (guint i = 0; i < arg->list->len; i++)
    {
      const MrImapArg *item = g_ptr_array_index (arg->list, i);

      if (item->type != MR_IMAP_ARG_ATOM || !parse_item (self, item->str))
        {
          arg = item;
          goto bad_item;
        }
    }

  return g_steal_pointer (&self);

bad_item:
  g_set_error (error, MR_ERROR, MR_ERROR_BAD_SYNTAX, "Invalid fetch attribute %s",
               arg->type == MR_IMAP_ARG_LIST ? "(...)" : arg->str);
  return NULL;
}

gboolean
mr_imap_fetch_sets_seen (const MrImapFetch *self)
{
  for (guint i = 0; i < self->items->len; i++)
    {
      const Item *item = g_ptr_array_index (self->items, i);

      if ((item->kind == ITEM_SECTION && !item->peek) ||
          item->kind == ITEM_RFC822 || item->kind == ITEM_RFC822_TEXT)
        return TRUE;
    }
  return FALSE;
}

gboolean
mr_imap_fetch_has_flags (const MrImapFetch *self)
{
  for (guint i = 0; i < self->items->len; i++)
    if (((const Item *)g_ptr_array_index (self->items, i))->kind == ITEM_FLAGS)
      return TRUE;
  return FALSE;
}

/* Helpers on MIME entities */

gsize
mr_imap_header_length (const guint8 *data,
                       gsize         len)
{
  if (len >= 2 && data[0] == '\r' && data[1] == '\n')
    return 2;
  if (len >= 1 && data[0] == '\n')
    return 1;
  for (gsize i = 0; i + 1 < len; i++)
    {
      if (data[i] != '\n')
        continue;
      if (data[i + 1] == '\n')
        return i + 2;
      if (i + 2 < len && data[i + 1] == '\r' && data[i + 2] == '\n')
        return i + 3;
    }
  return len;
}

static GMimeFormatOptions *
get_format_options (void)
{
  static GMimeFormatOptions *options;

  if (g_once_init_enter (&options))
    {
      GMimeFormatOptions *o = g_mime_format_options_new ();

      /* The store keeps CRLF; so must every part we cut out of it. */
      g_mime_format_options_set_newline_format (o, GMIME_NEWLINE_FORMAT_DOS);
      g_once_init_leave (&options, o);
    }
  return options;
}

/* An entity (part or message) as it is on the wire, headers and content. */
static GBytes *
serialize_entity (GMimeObject *object)
{
  GMimeStream *stream = g_mime_stream_mem_new ();
  GByteArray *array;
  GBytes *bytes;

  g_mime_object_write_to_stream (object, get_format_options (), stream);
  array = g_mime_stream_mem_get_byte_array (GMIME_STREAM_MEM (stream));
  bytes = g_bytes_new (array->data, array->len);
  g_object_unref (stream);
  return bytes;
}

static GBytes *
slice_header (GBytes   *bytes,
              gboolean  header)
{
  gsize len;
  const guint8 *data = g_bytes_get_data (bytes, &len);
  gsize hlen = mr_imap_header_length (data, len);

  return header ? g_bytes_new_from_bytes (bytes, 0, hlen)
                : g_bytes_new_from_bytes (bytes, hlen, len - hlen);
}

/* The content of a part: its serialization after its MIME header. */
static GBytes *
part_content (GMimeObject *part)
{
  g_autoptr(GBytes) all = serialize_entity (part);

  return slice_header (all, FALSE);
}

static GBytes *
filter_header (GBytes             *header,
               const char * const *fields,
               gboolean            keep)
{
  gsize len;
  const char *data = g_bytes_get_data (header, &len);
  GByteArray *out = g_byte_array_new ();
  gboolean include = FALSE;
  gsize i = 0;

  while (i < len)
    {
      gsize end = i;

      while (end < len && data[end] != '\n')
        end++;
      if (end < len)
        end++;

      if (data[i] == '\r' || data[i] == '\n')
        break; /* the blank line */

      if (data[i] != ' ' && data[i] != '\t')
        {
          const char *colon = memchr (data + i, ':', end - i);
          gsize nlen = colon ? (gsize)(colon - (data + i)) : 0;
          gboolean listed = FALSE;

          while (nlen > 0 && (data[i + nlen - 1] == ' ' || data[i + nlen - 1] == '\t'))
            nlen--;
          for (guint f = 0; colon && fields[f]; f++)
            if (strlen (fields[f]) == nlen && g_ascii_strncasecmp (fields[f], data + i, nlen) == 0)
              listed = TRUE;
          include = colon != NULL && (listed == keep);
        }
      if (include)
        g_byte_array_append (out, (const guint8 *)data + i, end - i);
      i = end;
    }

  /* RFC 3501 6.4.5: the result keeps the blank line that ends a header. */
  g_byte_array_append (out, (const guint8 *)"\r\n", 2);
  return g_byte_array_free_to_bytes (out);
}

/* Follows a part number through multiparts and message/rfc822 parts
 * (RFC 3501 6.4.5: "1.2", "3.1" inside an attached message). */
static GMimeObject *
find_part (GMimeMessage *message,
           GArray       *path)
{
  GMimeObject *body = g_mime_message_get_mime_part (message);
  GMimeObject *part = NULL;

  for (guint i = 0; i < path->len; i++)
    {
      guint k = g_array_index (path, guint, i);

      if (body == NULL)
        return NULL;
      if (GMIME_IS_MULTIPART (body))
        {
          if (k < 1 || (int)k > g_mime_multipart_get_count (GMIME_MULTIPART (body)))
            return NULL;
          part = g_mime_multipart_get_part (GMIME_MULTIPART (body), k - 1);
        }
      else if (k == 1)
        part = body;
      else
        return NULL;

      if (i + 1 < path->len)
        {
          if (GMIME_IS_MESSAGE_PART (part))
            {
              GMimeMessage *inner = g_mime_message_part_get_message (GMIME_MESSAGE_PART (part));

              if (inner == NULL)
                return NULL;
              body = g_mime_message_get_mime_part (inner);
            }
          else if (GMIME_IS_MULTIPART (part))
            body = part;
          else
            return NULL;
        }
    }
  return part;
}

static GBytes *
get_section (const Item *item,
             MrMessage  *message)
{
  g_autoptr(GBytes) entity = NULL;
  GMimeObject *part;

  if (item->path->len == 0)
    entity = g_bytes_ref (mr_message_get_raw (message));
  else
    {
      GMimeMessage *mime = mr_message_get_mime (message);

      part = mime ? find_part (mime, item->path) : NULL;
      if (part == NULL)
        return NULL;

      if (item->section == SECTION_ALL || item->section == SECTION_MIME)
        {
          g_autoptr(GBytes) all = serialize_entity (part);

          return slice_header (all, item->section == SECTION_MIME);
        }

      /* HEADER, TEXT and HEADER.FIELDS of a part name the message inside
       * a message/rfc822 part. */
      if (!GMIME_IS_MESSAGE_PART (part) ||
          g_mime_message_part_get_message (GMIME_MESSAGE_PART (part)) == NULL)
        return NULL;
      entity = serialize_entity (GMIME_OBJECT (g_mime_message_part_get_message (GMIME_MESSAGE_PART (part))));
    }

  switch (item->section)
    {
    case SECTION_ALL:
      return g_steal_pointer (&entity);

    case SECTION_HEADER:
      return slice_header (entity, TRUE);

    case SECTION_TEXT:
      return slice_header (entity, FALSE);

    case SECTION_HEADER_FIELDS:
    case SECTION_HEADER_FIELDS_NOT:
      {
        g_autoptr(GBytes) header = slice_header (entity, TRUE);

        return filter_header (header, (const char * const *)item->fields,
                              item->section == SECTION_HEADER_FIELDS);
      }

    case SECTION_MIME:
    default:
      g_assert_not_reached ();
    }
}

/* ENVELOPE and BODYSTRUCTURE */

typedef char *(*HeaderFunc) (gconstpointer source,
                             const char   *name);

typedef struct
{
  const char *data;
  gsize       len;
} RawHeader;

/* The value of the first @name field of a header block (RFC 5322 2.2),
 * unfolded and trimmed, or NULL. Reading fields needs no MIME parser, and
 * it spares a cold ENVELOPE or SEARCH the cost of parsing every message. */
static char *
raw_header_dup (gconstpointer  source,
                const char    *name)
{
  const RawHeader *header = source;
  const char *data = header->data;
  gsize len = header->len;
  gsize name_len = strlen (name);
  gsize i = 0;

  while (i < len && data[i] != '\r' && data[i] != '\n')
    {
      gsize end = i;

      while (end < len && data[end] != '\n')
        end++;

      if (end - i > name_len && g_ascii_strncasecmp (data + i, name, name_len) == 0)
        {
          gsize colon = i + name_len;

          while (colon < end && (data[colon] == ' ' || data[colon] == '\t'))
            colon++;
          if (colon < end && data[colon] == ':')
            {
              GString *value = g_string_new (NULL);
              gsize p = colon + 1;

              /* The field and its continuation lines, without CR LF. */
              for (;;)
                {
                  for (; p < len && data[p] != '\n'; p++)
                    if (data[p] != '\r')
                      g_string_append_c (value, data[p]);
                  if (p + 1 < len && (data[p + 1] == ' ' || data[p + 1] == '\t'))
                    p++;
                  else
                    break;
                }
              g_strstrip (value->str);
              value->len = strlen (value->str);
              return g_string_free (value, FALSE);
            }
        }
      i = end + 1;
    }
  return NULL;
}

char *
mr_imap_message_dup_raw_header (MrMessage  *message,
                                const char *name)
{
  gsize len;
  const guint8 *data = g_bytes_get_data (mr_message_get_raw (message), &len);
  RawHeader header = { (const char *)data, mr_imap_header_length (data, len) };

  return raw_header_dup (&header, name);
}

static char *
dup_raw_header (gconstpointer  source,
                const char    *name)
{
  GMimeObject *object = (GMimeObject *)source;
  GMimeHeaderList *headers = g_mime_object_get_header_list (object);
  GMimeHeader *header = headers ? g_mime_header_list_get_header (headers, name) : NULL;
  const char *raw;
  GString *str;

  if (header == NULL || (raw = g_mime_header_get_raw_value (header)) == NULL)
    return NULL;

  /* Unfold (RFC 5322 2.2.3) and trim. */
  str = g_string_new (NULL);
  for (const char *p = raw; *p; p++)
    if (*p != '\r' && *p != '\n')
      g_string_append_c (str, *p);
  g_strstrip (str->str);
  str->len = strlen (str->str);
  return g_string_free (str, FALSE);
}

static void
append_nstring_header (MrImapResponse *response,
                       GMimeObject    *object,
                       const char     *name)
{
  g_autofree char *value = dup_raw_header (object, name);

  mr_imap_response_append_nstring (response, value);
}

static void
append_address (MrImapResponse  *response,
                InternetAddress *address)
{
  if (INTERNET_ADDRESS_IS_GROUP (address))
    {
      InternetAddressList *members = internet_address_group_get_members (INTERNET_ADDRESS_GROUP (address));

      /* RFC 3501 7.4.2: a group is (NIL NIL "name" NIL) members (NIL NIL NIL NIL). */
      mr_imap_response_append (response, "(NIL NIL ");
      mr_imap_response_append_nstring (response, internet_address_get_name (address));
      mr_imap_response_append (response, " NIL)");
      for (int i = 0; members && i < internet_address_list_length (members); i++)
        append_address (response, internet_address_list_get_address (members, i));
      mr_imap_response_append (response, "(NIL NIL NIL NIL)");
    }
  else
    {
      const char *addr = internet_address_mailbox_get_addr (INTERNET_ADDRESS_MAILBOX (address));
      const char *name = internet_address_get_name (address);
      const char *at = addr ? strrchr (addr, '@') : NULL;
      g_autofree char *local = at ? g_strndup (addr, at - addr) : g_strdup (addr ? addr : "");
      g_autofree char *encoded = NULL;

      if (name != NULL && *name != '\0')
        {
          for (const char *p = name; *p; p++)
            if ((guchar)*p >= 0x80)
              {
                encoded = g_mime_utils_header_encode_phrase (NULL, name, "utf-8");
                break;
              }
        }
      else
        name = NULL;

      mr_imap_response_append (response, "(");
      mr_imap_response_append_nstring (response, encoded ? encoded : name);
      mr_imap_response_append (response, " NIL ");
      mr_imap_response_append_nstring (response, local);
      mr_imap_response_append (response, " ");
      mr_imap_response_append_nstring (response, at ? at + 1 : "");
      mr_imap_response_append (response, ")");
    }
}

static gboolean
append_address_list (MrImapResponse *response,
                     HeaderFunc      get_header,
                     gconstpointer   source,
                     const char     *name)
{
  g_autofree char *value = get_header (source, name);
  InternetAddressList *list;

  if (value == NULL)
    return FALSE;
  list = internet_address_list_parse (NULL, value);
  if (list == NULL || internet_address_list_length (list) == 0)
    {
      g_clear_object (&list);
      return FALSE;
    }

  mr_imap_response_append (response, "(");
  for (int i = 0; i < internet_address_list_length (list); i++)
    append_address (response, internet_address_list_get_address (list, i));
  mr_imap_response_append (response, ")");
  g_object_unref (list);
  return TRUE;
}

static void
append_envelope_from (MrImapResponse *response,
                      HeaderFunc      get_header,
                      gconstpointer   source)
{
  static const char *addresses[] = { "To", "Cc", "Bcc" };
  g_autofree char *date = get_header (source, "Date");
  g_autofree char *subject = get_header (source, "Subject");
  g_autofree char *in_reply_to = get_header (source, "In-Reply-To");
  g_autofree char *message_id = get_header (source, "Message-ID");

  /* RFC 3501 7.4.2 ENVELOPE: date, subject, from, sender, reply-to, to, cc,
   * bcc, in-reply-to, message-id; sender and reply-to default to from. */
  mr_imap_response_append (response, "(");
  mr_imap_response_append_nstring (response, date);
  mr_imap_response_append (response, " ");
  mr_imap_response_append_nstring (response, subject);
  mr_imap_response_append (response, " ");
  if (!append_address_list (response, get_header, source, "From"))
    mr_imap_response_append (response, "NIL");
  mr_imap_response_append (response, " ");
  if (!append_address_list (response, get_header, source, "Sender") &&
      !append_address_list (response, get_header, source, "From"))
    mr_imap_response_append (response, "NIL");
  mr_imap_response_append (response, " ");
  if (!append_address_list (response, get_header, source, "Reply-To") &&
      !append_address_list (response, get_header, source, "From"))
    mr_imap_response_append (response, "NIL");
  for (guint i = 0; i < G_N_ELEMENTS (addresses); i++)
    {
      mr_imap_response_append (response, " ");
      if (!append_address_list (response, get_header, source, addresses[i]))
        mr_imap_response_append (response, "NIL");
    }
  mr_imap_response_append (response, " ");
  mr_imap_response_append_nstring (response, in_reply_to);
  mr_imap_response_append (response, " ");
  mr_imap_response_append_nstring (response, message_id);
  mr_imap_response_append (response, ")");
}

static void
append_envelope (MrImapResponse *response,
                 GMimeMessage   *message)
{
  append_envelope_from (response, dup_raw_header, message);
}

static void
append_params (MrImapResponse *response,
               GMimeParamList *params)
{
  int n = params ? g_mime_param_list_length (params) : 0;

  if (n == 0)
    {
      mr_imap_response_append (response, "NIL");
      return;
    }
  mr_imap_response_append (response, "(");
  for (int i = 0; i < n; i++)
    {
      GMimeParam *param = g_mime_param_list_get_parameter_at (params, i);
      g_autofree char *name = g_ascii_strup (g_mime_param_get_name (param), -1);

      if (i > 0)
        mr_imap_response_append (response, " ");
      mr_imap_response_append_nstring (response, name);
      mr_imap_response_append (response, " ");
      mr_imap_response_append_nstring (response, g_mime_param_get_value (param));
    }
  mr_imap_response_append (response, ")");
}

static void
append_extension (MrImapResponse *response,
                  GMimeObject    *object)
{
  GMimeContentDisposition *disposition = g_mime_object_get_content_disposition (object);

  /* body-fld-dsp SP body-fld-lang SP body-fld-loc (RFC 3501 9) */
  mr_imap_response_append (response, " ");
  if (disposition && g_mime_content_disposition_get_disposition (disposition))
    {
      g_autofree char *name = g_ascii_strup (g_mime_content_disposition_get_disposition (disposition), -1);

      mr_imap_response_append (response, "(");
      mr_imap_response_append_nstring (response, name);
      mr_imap_response_append (response, " ");
      append_params (response, g_mime_content_disposition_get_parameters (disposition));
      mr_imap_response_append (response, ")");
    }
  else
    mr_imap_response_append (response, "NIL");
  mr_imap_response_append (response, " ");
  append_nstring_header (response, object, "Content-Language");
  mr_imap_response_append (response, " ");
  append_nstring_header (response, object, "Content-Location");
}

static guint
count_lines (GBytes *bytes)
{
  gsize len;
  const guint8 *data = g_bytes_get_data (bytes, &len);
  guint lines = 0;

  for (gsize i = 0; i < len; i++)
    if (data[i] == '\n')
      lines++;
  /* A last line without a newline still counts. */
  if (len > 0 && data[len - 1] != '\n')
    lines++;
  return lines;
}

static void
append_body (MrImapResponse *response,
             GMimeObject    *object,
             gboolean        extended)
{
  GMimeContentType *type = g_mime_object_get_content_type (object);
  g_autofree char *media = g_ascii_strup (type ? g_mime_content_type_get_media_type (type) : "text", -1);
  g_autofree char *subtype = g_ascii_strup (type ? g_mime_content_type_get_media_subtype (type) : "plain", -1);

  mr_imap_response_append (response, "(");

  if (GMIME_IS_MULTIPART (object))
    {
      GMimeMultipart *multipart = GMIME_MULTIPART (object);
      int n = g_mime_multipart_get_count (multipart);

      /* RFC 3501 7.4.2: body-type-mpart = 1*body SP media-subtype [ext] */
      for (int i = 0; i < n; i++)
        append_body (response, g_mime_multipart_get_part (multipart, i), extended);
      if (n == 0)
        mr_imap_response_append (response, "(\"TEXT\" \"PLAIN\" NIL NIL NIL \"7BIT\" 0 0)");
      mr_imap_response_append (response, " ");
      mr_imap_response_append_nstring (response, subtype);
      if (extended)
        {
          mr_imap_response_append (response, " ");
          append_params (response, type ? g_mime_content_type_get_parameters (type) : NULL);
          append_extension (response, object);
        }
    }
  else
    {
      g_autoptr(GBytes) content = part_content (object);
      g_autofree char *encoding = dup_raw_header (object, "Content-Transfer-Encoding");
      g_autofree char *encoding_up = g_ascii_strup (encoding ? encoding : "7BIT", -1);

      /* body-type-1part: type subtype params id description encoding size */
      mr_imap_response_append_nstring (response, media);
      mr_imap_response_append (response, " ");
      mr_imap_response_append_nstring (response, subtype);
      mr_imap_response_append (response, " ");
      append_params (response, type ? g_mime_content_type_get_parameters (type) : NULL);
      mr_imap_response_append (response, " ");
      append_nstring_header (response, object, "Content-ID");
      mr_imap_response_append (response, " ");
      append_nstring_header (response, object, "Content-Description");
      mr_imap_response_append (response, " ");
      mr_imap_response_append_nstring (response, encoding_up);
      mr_imap_response_printf (response, " %" G_GSIZE_FORMAT, g_bytes_get_size (content));

      if (GMIME_IS_MESSAGE_PART (object) &&
          g_mime_message_part_get_message (GMIME_MESSAGE_PART (object)) != NULL)
        {
          GMimeMessage *inner = g_mime_message_part_get_message (GMIME_MESSAGE_PART (object));
          GMimeObject *inner_body = g_mime_message_get_mime_part (inner);

          /* body-type-msg: envelope SP body SP body-fld-lines */
          mr_imap_response_append (response, " ");
          append_envelope (response, inner);
          mr_imap_response_append (response, " ");
          if (inner_body)
            append_body (response, inner_body, extended);
          else
            mr_imap_response_append (response, "(\"TEXT\" \"PLAIN\" NIL NIL NIL \"7BIT\" 0 0)");
          mr_imap_response_printf (response, " %u", count_lines (content));
        }
      else if (g_ascii_strcasecmp (media, "TEXT") == 0)
        mr_imap_response_printf (response, " %u", count_lines (content));

      if (extended)
        {
          /* body-ext-1part: md5 (we send none) and the common fields */
          mr_imap_response_append (response, " NIL");
          append_extension (response, object);
        }
    }

  mr_imap_response_append (response, ")");
}

/* Dates (RFC 3501 9 date-time and date) */

static const char * const months[] = {
  "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"
};

char *
mr_imap_format_date_time (gint64 usec)
{
  g_autoptr(GDateTime) dt = g_date_time_new_from_unix_utc (usec / G_USEC_PER_SEC);

  if (dt == NULL)
    return g_strdup ("01-Jan-1970 00:00:00 +0000");
  return g_strdup_printf ("%02d-%s-%04d %02d:%02d:%02d +0000",
                          g_date_time_get_day_of_month (dt),
                          months[g_date_time_get_month (dt) - 1],
                          g_date_time_get_year (dt),
                          g_date_time_get_hour (dt),
                          g_date_time_get_minute (dt),
                          g_date_time_get_second (dt));
}

static int
parse_month (const char *s)
{
  for (int i = 0; i < 12; i++)
    if (g_ascii_strncasecmp (s, months[i], 3) == 0)
      return i + 1;
  return 0;
}

gint64
mr_imap_parse_date (const char *str)
{
  int day, year, month;
  char mon[4];
  char tail;
  g_autoptr(GDateTime) dt = NULL;

  /* date-day "-" date-month "-" date-year */
  if (sscanf (str, "%2d-%3s-%4d%c", &day, mon, &year, &tail) != 3)
    return -1;
  month = parse_month (mon);
  if (month == 0)
    return -1;
  dt = g_date_time_new_utc (year, month, day, 0, 0, 0);
  if (dt == NULL)
    return -1;
  return g_date_time_to_unix (dt) * G_USEC_PER_SEC;
}

gint64
mr_imap_parse_date_time (const char *str)
{
  int day, year, month, hour, minute, second, zone;
  char mon[4];
  char sign;
  char tail;
  g_autoptr(GDateTime) dt = NULL;
  gint64 offset;

  while (*str == ' ')
    str++;
  if (sscanf (str, "%2d-%3s-%4d %2d:%2d:%2d %c%4d%c", &day, mon, &year, &hour, &minute,
              &second, &sign, &zone, &tail) != 8)
    return -1;
  month = parse_month (mon);
  if (month == 0 || (sign != '+' && sign != '-'))
    return -1;
  dt = g_date_time_new_utc (year, month, day, hour, minute, second);
  if (dt == NULL)
    return -1;
  offset = ((zone / 100) * 3600 + (zone % 100) * 60) * (sign == '-' ? -1 : 1);
  return (g_date_time_to_unix (dt) - offset) * G_USEC_PER_SEC;
}

/* Writing a FETCH response */

static void
append_bytes (MrImapResponse *response,
              GBytes         *bytes)
{
  gsize len = 0;
  const char *data = bytes ? g_bytes_get_data (bytes, &len) : NULL;

  /* Message data goes out as a literal, even when short (RFC 3501 7.4.2). */
  mr_imap_response_append_literal (response, data ? data : "", len);
}

static void
compute_structure (MrImapResponse *response,
                   MrMessage      *message,
                   ItemKind        kind)
{
  GMimeMessage *mime;
  GMimeObject *body;

  if (kind == ITEM_ENVELOPE)
    {
      gsize len;
      const guint8 *data = g_bytes_get_data (mr_message_get_raw (message), &len);
      RawHeader header = { (const char *)data, mr_imap_header_length (data, len) };

      append_envelope_from (response, raw_header_dup, &header);
      return;
    }

  /* A parse of our own, dropped once the answer is cached: keeping a
   * parsed tree for every message of a large mailbox costs far more memory
   * than the strings. */
  {
    GBytes *raw = mr_message_get_raw (message);
    GMimeStream *stream = g_mime_stream_mem_new_with_buffer (g_bytes_get_data (raw, NULL),
                                                             g_bytes_get_size (raw));
    GMimeParser *parser = g_mime_parser_new_with_stream (stream);

    mime = g_mime_parser_construct_message (parser, NULL);
    g_object_unref (parser);
    g_object_unref (stream);
  }
  body = mime ? g_mime_message_get_mime_part (mime) : NULL;
  if (body)
    append_body (response, body, kind == ITEM_BODYSTRUCTURE);
  else
    mr_imap_response_printf (response, "(\"TEXT\" \"PLAIN\" NIL NIL NIL \"7BIT\" %"
                             G_GSIZE_FORMAT " 0)", mr_message_get_size (message));
  g_clear_object (&mime);
}

/* A message never changes, so its ENVELOPE, BODY and BODYSTRUCTURE are
 * worked out once and kept on it (Dovecot keeps them in its cache file). */
static void
append_structure (MrImapResponse *response,
                  MrMessage      *message,
                  ItemKind        kind)
{
  const char *key = kind == ITEM_ENVELOPE ? "mr-imap-envelope"
                    : kind == ITEM_BODY ? "mr-imap-body" : "mr-imap-bodystructure";
  const char *cached = g_object_get_data (G_OBJECT (message), key);
  g_autoptr(MrImapResponse) part = NULL;

  if (cached != NULL)
    {
      mr_imap_response_append (response, cached);
      return;
    }

  part = mr_imap_response_new ();
  compute_structure (part, message, kind);

  /* Only plain text is cached; literals (8-bit names) are rebuilt. */
  if (part->contents->len == 0)
    g_object_set_data_full (G_OBJECT (message), key,
                            g_strndup ((const char *)part->wire->data, part->wire->len), g_free);

  g_byte_array_append (response->wire, part->wire->data, part->wire->len);
  g_string_append_len (response->text, part->text->str, part->text->len);
  for (guint i = 0; i < part->contents->len; i++)
    g_ptr_array_add (response->contents, g_bytes_ref (g_ptr_array_index (part->contents, i)));
}

void
mr_imap_fetch_write (const MrImapFetch *self,
                     MrMessage         *message,
                     guint32            seq,
                     const char        *flags,
                     gboolean           add_flags,
                     MrImapResponse    *response)
{
  GBytes *raw = mr_message_get_raw (message);
  gboolean first = TRUE;

  mr_imap_response_printf (response, "* %u FETCH (", seq);

  if (add_flags && !mr_imap_fetch_has_flags (self))
    {
      mr_imap_response_printf (response, "FLAGS (%s)", flags);
      first = FALSE;
    }

  for (guint i = 0; i < self->items->len; i++)
    {
      const Item *item = g_ptr_array_index (self->items, i);

      if (!first)
        mr_imap_response_append (response, " ");
      first = FALSE;

      switch (item->kind)
        {
        case ITEM_FLAGS:
          mr_imap_response_printf (response, "FLAGS (%s)", flags);
          break;

        case ITEM_INTERNALDATE:
          {
            g_autofree char *date = mr_imap_format_date_time (mr_message_get_internal_date (message));

            mr_imap_response_printf (response, "INTERNALDATE \"%s\"", date);
          }
          break;

        case ITEM_RFC822:
          mr_imap_response_append (response, "RFC822 ");
          append_bytes (response, raw);
          break;

        case ITEM_RFC822_HEADER:
        case ITEM_RFC822_TEXT:
          {
            g_autoptr(GBytes) part = slice_header (raw, item->kind == ITEM_RFC822_HEADER);

            mr_imap_response_append (response, item->kind == ITEM_RFC822_HEADER
                                               ? "RFC822.HEADER " : "RFC822.TEXT ");
            append_bytes (response, part);
          }
          break;

        case ITEM_RFC822_SIZE:
          mr_imap_response_printf (response, "RFC822.SIZE %" G_GSIZE_FORMAT, g_bytes_get_size (raw));
          break;

        case ITEM_UID:
          mr_imap_response_printf (response, "UID %u", mr_message_get_uid (message));
          break;

        case ITEM_ENVELOPE:
          mr_imap_response_append (response, "ENVELOPE ");
          append_structure (response, message, ITEM_ENVELOPE);
          break;

        case ITEM_BODY:
        case ITEM_BODYSTRUCTURE:
          mr_imap_response_append (response, item->kind == ITEM_BODY ? "BODY " : "BODYSTRUCTURE ");
          append_structure (response, message, item->kind);
          break;

        case ITEM_SECTION:
          {
            g_autoptr(GBytes) data = get_section (item, message);

            mr_imap_response_append (response, item->label);
            mr_imap_response_append (response, " ");
            if (data && item->partial)
              {
                gsize len = g_bytes_get_size (data);
                gsize offset = MIN (item->offset, len);
                gsize n = MIN ((gsize)item->length, len - offset);
                g_autoptr(GBytes) slice = g_bytes_new_from_bytes (data, offset, n);

                append_bytes (response, slice);
              }
            else
              append_bytes (response, data);
          }
          break;

        default:
          g_assert_not_reached ();
        }
    }

  mr_imap_response_append (response, ")");
}
