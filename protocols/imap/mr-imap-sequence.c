/* mr-imap-sequence.c
 *
 * Copyright 2026 The Mailroom authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "mr-imap-sequence"

#include "config.h"

#include "mr-error.h"
#include "mr-imap-sequence.h"

typedef struct
{
  guint32 lo;
  guint32 hi;
} Range;

struct _MrImapSequence
{
  GArray *ranges;
};

void
mr_imap_sequence_free (MrImapSequence *self)
{
  if (self == NULL)
    return;
  g_array_unref (self->ranges);
  g_free (self);
}

static gboolean
parse_number (const char **p,
              guint32     *n_r)
{
  guint64 value = 0;
  const char *s = *p;

  if (*s == '*')
    {
      *n_r = MR_IMAP_SEQUENCE_STAR;
      *p = s + 1;
      return TRUE;
    }
  /* RFC 3501 9: nz-number = digit-nz *DIGIT */
  if (*s < '1' || *s > '9')
    return FALSE;
  for (; g_ascii_isdigit (*s); s++)
    {
      value = value * 10 + (*s - '0');
      if (value >= G_MAXUINT32)
        return FALSE;
    }
  *n_r = (guint32)value;
  *p = s;
  return TRUE;
}

MrImapSequence *
mr_imap_sequence_parse (const char  *str,
                        GError     **error)
{
  g_autoptr(MrImapSequence) self = g_new0 (MrImapSequence, 1);
  const char *p = str;

  g_return_val_if_fail (str != NULL, NULL);

  self->ranges = g_array_new (FALSE, FALSE, sizeof (Range));

  for (;;)
    {
      Range range;

      if (!parse_number (&p, &range.lo))
        goto bad;
      range.hi = range.lo;
      if (*p == ':')
        {
          p++;
          if (!parse_number (&p, &range.hi))
            goto bad;
        }
      g_array_append_val (self->ranges, range);
      if (*p == '\0')
        break;
      if (*p != ',')
        goto bad;
      p++;
    }

  return g_steal_pointer (&self);

bad:
  g_set_error (error, MR_ERROR, MR_ERROR_BAD_SYNTAX, "Invalid sequence set");
  return NULL;
}

gboolean
mr_imap_sequence_contains (const MrImapSequence *self,
                           guint32               n,
                           guint32               star)
{
  for (guint i = 0; i < self->ranges->len; i++)
    {
      const Range *r = &g_array_index (self->ranges, Range, i);
      guint32 lo = r->lo == MR_IMAP_SEQUENCE_STAR ? star : r->lo;
      guint32 hi = r->hi == MR_IMAP_SEQUENCE_STAR ? star : r->hi;

      if (lo > hi)
        {
          guint32 tmp = lo;
          lo = hi;
          hi = tmp;
        }
      if (n >= lo && n <= hi)
        return TRUE;
    }
  return FALSE;
}

guint32
mr_imap_sequence_get_max (const MrImapSequence *self)
{
  guint32 max = 0;

  for (guint i = 0; i < self->ranges->len; i++)
    {
      const Range *r = &g_array_index (self->ranges, Range, i);

      if (r->lo != MR_IMAP_SEQUENCE_STAR)
        max = MAX (max, r->lo);
      if (r->hi != MR_IMAP_SEQUENCE_STAR)
        max = MAX (max, r->hi);
    }
  return max;
}

gboolean
mr_imap_sequence_has_star (const MrImapSequence *self)
{
  for (guint i = 0; i < self->ranges->len; i++)
    {
      const Range *r = &g_array_index (self->ranges, Range, i);

      if (r->lo == MR_IMAP_SEQUENCE_STAR || r->hi == MR_IMAP_SEQUENCE_STAR)
        return TRUE;
    }
  return FALSE;
}

char *
mr_imap_sequence_format (const guint32 *numbers,
                         guint          n_numbers)
{
  GString *str = g_string_new (NULL);

  for (guint i = 0; i < n_numbers; )
    {
      guint j = i;

      while (j + 1 < n_numbers && numbers[j + 1] == numbers[j] + 1)
        j++;
      if (str->len)
        g_string_append_c (str, ',');
      if (j == i)
        g_string_append_printf (str, "%u", numbers[i]);
      else
        g_string_append_printf (str, "%u:%u", numbers[i], numbers[j]);
      i = j + 1;
    }
  return g_string_free (str, FALSE);
}
