/* mr-imap-parser.c
 *
 * Copyright 2026 The Mailroom authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "mr-imap-parser"

#include "config.h"

#include <string.h>

#include "mr-error.h"
#include "mr-imap-parser.h"

/* How a command travels: a line, and when that line ends in a literal
 * marker `{n}`, n raw octets followed by the rest of the command, again a
 * line that may end in a marker (RFC 3501 4.3, 7.5; RFC 7888 for `{n+}`). */
typedef enum
{
  PARSER_STATE_LINE,          /* reading a line segment up to LF */
  PARSER_STATE_LITERAL,       /* reading the octets of a literal */
  PARSER_STATE_SKIP_LITERAL,  /* dropping a refused non-synchronizing literal */
  PARSER_STATE_DISCARD_LINE,  /* dropping the rest of a command after an error */
} ParserState;

#define TAIL_SIZE 24

struct _MrImapParser
{
  /* permanent */
  gsize        max_line;
  gsize        max_literal;
  GByteArray  *input;

  /* reset per command */
  ParserState  state;
  GByteArray  *segment;       /* the line being read, without its LF */
  GPtrArray   *stack;         /* of GPtrArray * (borrowed); [0] is the top level */
  GPtrArray   *top;           /* owned top-level MrImapArg * */
  GString     *text;          /* display text, literal contents left out */
  guint        n_args;
  guint        n_literals;
  gsize        literal_total;
  gsize        literal_size;  /* the literal being read */
  GByteArray  *literal;
  gsize        skip;          /* octets still to drop in SKIP_LITERAL */
  char         tail[TAIL_SIZE]; /* the end of a discarded line */
  guint        tail_len;
  guint        want_continuation : 1;
  guint        waiting_sync : 1;

  /* reset per error */
  char        *error_tag;
  char        *pending_tag;
  char        *pending_name;
};

void
mr_imap_arg_free (MrImapArg *arg)
{
  if (arg == NULL)
    return;
  g_free (arg->str);
  g_clear_pointer (&arg->list, g_ptr_array_unref);
  g_free (arg);
}

void
mr_imap_command_free (MrImapCommand *command)
{
  if (command == NULL)
    return;
  g_free (command->tag);
  g_free (command->name);
  g_clear_pointer (&command->args, g_ptr_array_unref);
  g_free (command->text);
  g_free (command);
}

static MrImapArg *
arg_new (MrImapArgType  type,
         const char    *str,
         gsize          len)
{
  MrImapArg *arg = g_new0 (MrImapArg, 1);

  arg->type = type;
  if (type == MR_IMAP_ARG_LIST)
    arg->list = g_ptr_array_new_with_free_func ((GDestroyNotify)mr_imap_arg_free);
  else
    {
      arg->str = g_malloc (len + 1);
      if (len > 0)
        memcpy (arg->str, str, len);
      arg->str[len] = '\0';
      arg->len = len;
    }
  return arg;
}

static void
reset_command (MrImapParser *self)
{
  g_byte_array_set_size (self->segment, 0);
  g_byte_array_set_size (self->literal, 0);
  g_ptr_array_set_size (self->stack, 0);
  g_clear_pointer (&self->top, g_ptr_array_unref);
  self->top = g_ptr_array_new_with_free_func ((GDestroyNotify)mr_imap_arg_free);
  g_ptr_array_add (self->stack, self->top);
  g_string_truncate (self->text, 0);
  self->n_args = 0;
  self->n_literals = 0;
  self->literal_total = 0;
  self->literal_size = 0;
  self->want_continuation = FALSE;
  self->waiting_sync = FALSE;
  g_clear_pointer (&self->pending_tag, g_free);
  g_clear_pointer (&self->pending_name, g_free);
}

MrImapParser *
mr_imap_parser_new (gsize max_line,
                    gsize max_literal)
{
  MrImapParser *self = g_new0 (MrImapParser, 1);

  self->max_line = max_line ? max_line : MR_IMAP_DEFAULT_MAX_LINE;
  self->max_literal = max_literal ? max_literal : 10 * 1024 * 1024;
  self->input = g_byte_array_new ();
  self->segment = g_byte_array_new ();
  self->literal = g_byte_array_new ();
  self->stack = g_ptr_array_new ();
  self->text = g_string_new (NULL);
  reset_command (self);
  return self;
}

void
mr_imap_parser_free (MrImapParser *self)
{
  if (self == NULL)
    return;
  g_byte_array_unref (self->input);
  g_byte_array_unref (self->segment);
  g_byte_array_unref (self->literal);
  g_ptr_array_unref (self->stack);
  g_clear_pointer (&self->top, g_ptr_array_unref);
  g_string_free (self->text, TRUE);
  g_free (self->error_tag);
  g_free (self->pending_tag);
  g_free (self->pending_name);
  g_free (self);
}

void
mr_imap_parser_feed (MrImapParser *self,
                     const guint8 *data,
                     gsize         len)
{
  g_return_if_fail (self != NULL);
  if (len > 0)
    g_byte_array_append (self->input, data, len);
}

void
mr_imap_parser_clear (MrImapParser *self)
{
  g_return_if_fail (self != NULL);
  g_byte_array_set_size (self->input, 0);
  self->state = PARSER_STATE_LINE;
  reset_command (self);
}

gsize
mr_imap_parser_get_pending (MrImapParser *self)
{
  return self->input->len + self->segment->len;
}

gboolean
mr_imap_parser_take_continuation (MrImapParser *self)
{
  gboolean ret = self->want_continuation;

  self->want_continuation = FALSE;
  return ret;
}

const char *
mr_imap_parser_get_pending_tag (MrImapParser *self)
{
  return self->pending_tag;
}

const char *
mr_imap_parser_get_pending_name (MrImapParser *self)
{
  return self->pending_name;
}

GPtrArray *
mr_imap_parser_get_pending_args (MrImapParser *self)
{
  return self->top;
}

const char *
mr_imap_parser_get_error_tag (MrImapParser *self)
{
  return self->error_tag;
}

void
mr_imap_parser_abort_command (MrImapParser *self)
{
  g_return_if_fail (self != NULL);
  /* The client waits for "+" and will not send the literal: the command is
   * over. */
  self->state = PARSER_STATE_LINE;
  reset_command (self);
}

static gboolean
is_atom_char (guchar c)
{
  /* RFC 3501 9: ATOM-CHAR is any CHAR except atom-specials; we also accept
   * "\" (flags), the list wildcards and "]" (resp-specials), which the
   * grammar allows where atoms meet flags, patterns and astrings. */
  if (c <= 0x20 || c == 0x7f)
    return FALSE;
  return c != '(' && c != ')' && c != '{' && c != '"';
}

/* The first word of the command, if it can be a tag. */
static char *
guess_tag (const char *text,
           gsize       len)
{
  gsize i;

  for (i = 0; i < len && is_atom_char (text[i]) && text[i] != '[' && text[i] != '+'; i++)
    ;
  if (i == 0 || (i < len && text[i] != ' '))
    return NULL;
  return g_strndup (text, i);
}

static int
fail (MrImapParser  *self,
      GError       **error,
      MrError        code,
      const char    *message)
{
  g_clear_pointer (&self->error_tag, g_free);
  if (self->top->len > 0 && ((MrImapArg *)self->top->pdata[0])->type == MR_IMAP_ARG_ATOM)
    self->error_tag = g_strdup (((MrImapArg *)self->top->pdata[0])->str);
  else if (self->text->len > 0)
    self->error_tag = guess_tag (self->text->str, self->text->len);
  else
    self->error_tag = guess_tag ((const char *)self->segment->data, self->segment->len);

  g_set_error_literal (error, MR_ERROR, code, message);
  reset_command (self);
  return -1;
}

static gboolean
push_arg (MrImapParser  *self,
          MrImapArg     *arg,
          GError       **error)
{
  GPtrArray *current = g_ptr_array_index (self->stack, self->stack->len - 1);

  if (++self->n_args > MR_IMAP_MAX_ARGS)
    {
      mr_imap_arg_free (arg);
      g_set_error_literal (error, MR_ERROR, MR_ERROR_BAD_SYNTAX, "Too many arguments");
      return FALSE;
    }
  g_ptr_array_add (current, arg);
  return TRUE;
}

/* Splits one complete line segment into arguments (RFC 3501 9: atom,
 * quoted, "(" ... ")"), keeping open lists on the stack across literals. */
static gboolean
tokenize (MrImapParser  *self,
          const char    *s,
          gsize          len,
          GError       **error)
{
  gsize i = 0;

  while (i < len)
    {
      guchar c = s[i];

      if (c == ' ')
        {
          i++;
          continue;
        }

      if (c == '(')
        {
          MrImapArg *arg;

          if (self->stack->len > MR_IMAP_MAX_LIST_DEPTH)
            {
              g_set_error_literal (error, MR_ERROR, MR_ERROR_BAD_SYNTAX,
                                   "Lists nested too deeply");
              return FALSE;
            }
          arg = arg_new (MR_IMAP_ARG_LIST, NULL, 0);
          if (!push_arg (self, arg, error))
            return FALSE;
          g_ptr_array_add (self->stack, arg->list);
          i++;
        }
      else if (c == ')')
        {
          if (self->stack->len <= 1)
            {
              g_set_error_literal (error, MR_ERROR, MR_ERROR_BAD_SYNTAX, "Unexpected ')'");
              return FALSE;
            }
          g_ptr_array_set_size (self->stack, self->stack->len - 1);
          i++;
        }
      else if (c == '"')
        {
          /* RFC 3501 9: quoted = DQUOTE *QUOTED-CHAR DQUOTE; only "\" and
           * DQUOTE may be escaped, and CR/LF never appear. */
          g_autoptr(GString) str = g_string_new (NULL);
          gboolean closed = FALSE;

          for (i++; i < len; i++)
            {
              c = s[i];
              if (c == '"')
                {
                  closed = TRUE;
                  i++;
                  break;
                }
              if (c == '\\')
                {
                  if (i + 1 >= len || (s[i + 1] != '"' && s[i + 1] != '\\'))
                    {
                      g_set_error_literal (error, MR_ERROR, MR_ERROR_BAD_SYNTAX,
                                           "Invalid escape in quoted string");
                      return FALSE;
                    }
                  c = s[++i];
                }
              else if (c == '\0' || c == '\r')
                {
                  g_set_error_literal (error, MR_ERROR, MR_ERROR_BAD_SYNTAX,
                                       "Invalid character in quoted string");
                  return FALSE;
                }
              g_string_append_c (str, c);
            }
          if (!closed)
            {
              g_set_error_literal (error, MR_ERROR, MR_ERROR_BAD_SYNTAX,
                                   "Unterminated quoted string");
              return FALSE;
            }
          if (!push_arg (self, arg_new (MR_IMAP_ARG_STRING, str->str, str->len), error))
            return FALSE;
        }
      else if (c == '{')
        {
          g_set_error_literal (error, MR_ERROR, MR_ERROR_BAD_SYNTAX,
                               "A literal must end its line");
          return FALSE;
        }
      else if (is_atom_char (c) || c == '[')
        {
          gsize start = i;

          while (i < len && (is_atom_char (s[i]) || s[i] == '['))
            {
              if (s[i] == '[')
                {
                  /* A fetch section "BODY[HEADER.FIELDS (A B)]" or a name
                   * like "[Gmail]/Sent" stays one atom up to its "]". */
                  guint depth = 0;

                  for (; i < len; i++)
                    {
                      if (s[i] == '[')
                        depth++;
                      else if (s[i] == ']' && --depth == 0)
                        break;
                      else if ((guchar)s[i] < 0x20)
                        break;
                    }
                  if (i >= len || s[i] != ']')
                    {
                      g_set_error_literal (error, MR_ERROR, MR_ERROR_BAD_SYNTAX,
                                           "Missing ']'");
                      return FALSE;
                    }
                }
              i++;
            }
          if (!push_arg (self, arg_new (MR_IMAP_ARG_ATOM, s + start, i - start), error))
            return FALSE;
        }
      else
        {
          g_set_error_literal (error, MR_ERROR, MR_ERROR_BAD_SYNTAX,
                               "Invalid character in command");
          return FALSE;
        }
    }

  return TRUE;
}

static void
note_pending (MrImapParser *self)
{
  if (self->pending_tag == NULL && self->top->len > 0 &&
      ((MrImapArg *)self->top->pdata[0])->type == MR_IMAP_ARG_ATOM)
    self->pending_tag = g_strdup (((MrImapArg *)self->top->pdata[0])->str);
  if (self->pending_name == NULL && self->top->len > 1 &&
      ((MrImapArg *)self->top->pdata[1])->type == MR_IMAP_ARG_ATOM)
    self->pending_name = g_ascii_strup (((MrImapArg *)self->top->pdata[1])->str, -1);
}

/* Looks for a literal marker "{n}" or "{n+}" ending @s. Returns the offset
 * of "{" or -1 if there is none; -2 with @error if it is malformed. */
static gssize
find_literal_marker (const char  *s,
                     gsize        len,
                     guint64     *size_r,
                     gboolean    *sync_r,
                     GError     **error)
{
  gssize open;
  gsize i;
  guint64 size = 0;

  for (open = (gssize)len - 1; open >= 0; open--)
    if (s[open] == '{' || s[open] == ' ' || s[open] == '"' || s[open] == ')')
      break;
  if (open < 0 || s[open] != '{')
    return -1;

  i = open + 1;
  if (i >= len || !g_ascii_isdigit (s[i]))
    {
      if (len > 0 && s[len - 1] != '}' && i < len && s[i] != '+')
        return -1;
      g_set_error_literal (error, MR_ERROR, MR_ERROR_BAD_SYNTAX, "Invalid literal size");
      return -2;
    }
  for (; i < len && g_ascii_isdigit (s[i]); i++)
    {
      size = size * 10 + (s[i] - '0');
      if (size > G_MAXUINT32)
        {
          g_set_error_literal (error, MR_ERROR, MR_ERROR_LITERAL_TOO_BIG, "Literal too big");
          return -2;
        }
    }
  *sync_r = TRUE;
  if (i < len && s[i] == '+')
    {
      *sync_r = FALSE;
      i++;
    }
  if (i >= len)
    {
      g_set_error_literal (error, MR_ERROR, MR_ERROR_BAD_SYNTAX, "Unterminated literal");
      return -2;
    }
  if (s[i] != '}' || i + 1 != len)
    {
      g_set_error_literal (error, MR_ERROR, MR_ERROR_BAD_SYNTAX, "Invalid literal size");
      return -2;
    }
  if (open > 0 && s[open - 1] != ' ' && s[open - 1] != '(')
    {
      g_set_error_literal (error, MR_ERROR, MR_ERROR_BAD_SYNTAX,
                           "A literal must follow a space");
      return -2;
    }
  *size_r = size;
  return open;
}

static int
build_command (MrImapParser   *self,
               MrImapCommand **command_r,
               GError        **error)
{
  g_autoptr(MrImapCommand) command = NULL;
  MrImapArg *first;
  MrImapArg *second;

  if (self->top->len == 0)
    return fail (self, error, MR_ERROR_BAD_SYNTAX, "Empty command line");

  first = g_ptr_array_index (self->top, 0);
  if (first->type != MR_IMAP_ARG_ATOM)
    return fail (self, error, MR_ERROR_BAD_SYNTAX, "Invalid tag");
  if (self->top->len > 1)
    {
      second = g_ptr_array_index (self->top, 1);
      if (second->type != MR_IMAP_ARG_ATOM)
        return fail (self, error, MR_ERROR_BAD_SYNTAX, "Invalid command name");
    }

  command = g_new0 (MrImapCommand, 1);
  command->tag = g_steal_pointer (&first->str);
  if (self->top->len > 1)
    command->name = g_ascii_strup (((MrImapArg *)g_ptr_array_index (self->top, 1))->str, -1);
  g_ptr_array_remove_range (self->top, 0, MIN (2, self->top->len));
  command->args = g_steal_pointer (&self->top);
  command->text = g_strndup (self->text->str, self->text->len);
  command->n_literals = self->n_literals;
  command->literal_bytes = self->literal_total;

  reset_command (self);
  *command_r = g_steal_pointer (&command);
  return 1;
}

/* A whole segment (the text up to LF) is in self->segment. */
static int
process_segment (MrImapParser   *self,
                 MrImapCommand **command_r,
                 GError        **error)
{
  const char *s = (const char *)self->segment->data;
  gsize len = self->segment->len;
  g_autoptr(GError) local_error = NULL;
  guint64 size = 0;
  gboolean sync = TRUE;
  gssize marker;

  if (len > 0 && s[len - 1] == '\r')
    len--;

  if (len == 0 && self->text->len == 0)
    {
      g_byte_array_set_size (self->segment, 0);
      return fail (self, error, MR_ERROR_BAD_SYNTAX, "Empty command line");
    }

  g_string_append_len (self->text, s, len);

  marker = find_literal_marker (s, len, &size, &sync, &local_error);
  if (marker == -2)
    return fail (self, error, local_error->code, local_error->message);

  if (!tokenize (self, s, marker >= 0 ? (gsize)marker : len, &local_error))
    {
      if (marker >= 0 && !sync)
        {
          /* The client sends a non-synchronizing literal regardless. */
          self->state = PARSER_STATE_SKIP_LITERAL;
          self->skip = size;
          self->tail_len = 0;
        }
      return fail (self, error, local_error->code, local_error->message);
    }

  g_byte_array_set_size (self->segment, 0);

  if (marker < 0)
    {
      if (self->stack->len > 1)
        return fail (self, error, MR_ERROR_BAD_SYNTAX,
                     ((MrImapArg *)self->top->pdata[0])->type != MR_IMAP_ARG_ATOM
                     ? "Invalid tag" : "Missing ')'");
      return build_command (self, command_r, error);
    }

  note_pending (self);

  /* RFC 3501 4.3 leaves the literal size to the server; RFC 7888 4 lets it
   * refuse a non-synchronizing one that is too big (whose octets follow). */
  if (self->literal_total + size > self->max_literal)
    {
      if (!sync)
        {
          self->state = PARSER_STATE_SKIP_LITERAL;
          self->skip = size;
          self->tail_len = 0;
        }
      return fail (self, error, MR_ERROR_LITERAL_TOO_BIG, "Literal too big");
    }

  self->state = PARSER_STATE_LITERAL;
  self->literal_size = size;
  g_byte_array_set_size (self->literal, 0);
  if (sync)
    {
      self->want_continuation = TRUE;
      self->waiting_sync = TRUE;
    }
  return 0;
}

static void
remember_tail (MrImapParser *self,
               const guint8 *data,
               gsize         len)
{
  if (len >= TAIL_SIZE)
    {
      memcpy (self->tail, data + len - TAIL_SIZE, TAIL_SIZE);
      self->tail_len = TAIL_SIZE;
      return;
    }
  if (self->tail_len + len > TAIL_SIZE)
    {
      gsize drop = self->tail_len + len - TAIL_SIZE;

      memmove (self->tail, self->tail + drop, self->tail_len - drop);
      self->tail_len -= drop;
    }
  memcpy (self->tail + self->tail_len, data, len);
  self->tail_len += len;
}

int
mr_imap_parser_next (MrImapParser   *self,
                     MrImapCommand **command_r,
                     GError        **error)
{
  g_return_val_if_fail (self != NULL, -1);
  g_return_val_if_fail (command_r != NULL, -1);

  *command_r = NULL;

  for (;;)
    {
      guint8 *lf;
      gsize n;

      /* RFC 3501 2.2: commands are lines, except that a line ending in a
       * literal marker continues after the literal's octets. */
      switch (self->state)
        {
        case PARSER_STATE_LINE:
          if (self->input->len == 0)
            return 0;
          lf = memchr (self->input->data, '\n', self->input->len);
          n = lf ? (gsize)(lf - self->input->data) : self->input->len;
          if (self->segment->len + self->text->len + n > self->max_line)
            {
              /* Don't buffer a hostile line: report it and drop its rest,
               * leaving the LF for DISCARD_LINE to find. */
              g_byte_array_append (self->segment, self->input->data, MIN (n, 64));
              self->tail_len = 0;
              remember_tail (self, self->input->data, n);
              g_byte_array_remove_range (self->input, 0, n);
              self->state = PARSER_STATE_DISCARD_LINE;
              return fail (self, error, MR_ERROR_LINE_TOO_LONG, "Line too long");
            }
          g_byte_array_append (self->segment, self->input->data, n);
          g_byte_array_remove_range (self->input, 0, lf ? n + 1 : n);
          if (lf == NULL)
            return 0;
          {
            int ret = process_segment (self, command_r, error);

            /* Stop at a synchronizing literal even when its octets are
             * already buffered: the session decides between "+" and a
             * refusal first (RFC 3501 7.5). */
            if (ret != 0 || self->want_continuation)
              return ret;
          }
          break;

        case PARSER_STATE_LITERAL:
          if (self->input->len == 0)
            return 0;
          n = MIN (self->input->len, self->literal_size - self->literal->len);
          g_byte_array_append (self->literal, self->input->data, n);
          g_byte_array_remove_range (self->input, 0, n);
          self->waiting_sync = FALSE;
          self->want_continuation = FALSE;
          if (self->literal->len == self->literal_size)
            {
              MrImapArg *arg = arg_new (MR_IMAP_ARG_LITERAL,
                                        (const char *)self->literal->data, self->literal->len);

              self->n_literals++;
              self->literal_total += self->literal->len;
              g_byte_array_set_size (self->literal, 0);
              self->state = PARSER_STATE_LINE;
              if (!push_arg (self, arg, NULL))
                {
                  self->state = PARSER_STATE_DISCARD_LINE;
                  self->tail_len = 0;
                  return fail (self, error, MR_ERROR_BAD_SYNTAX, "Too many arguments");
                }
            }
          break;

        case PARSER_STATE_SKIP_LITERAL:
          n = MIN (self->input->len, self->skip);
          g_byte_array_remove_range (self->input, 0, n);
          self->skip -= n;
          if (self->skip > 0)
            return 0;
          self->tail_len = 0;
          self->state = PARSER_STATE_DISCARD_LINE;
          break;

        case PARSER_STATE_DISCARD_LINE:
          if (self->input->len == 0)
            return 0;
          lf = memchr (self->input->data, '\n', self->input->len);
          n = lf ? (gsize)(lf - self->input->data) : self->input->len;
          remember_tail (self, self->input->data, n);
          g_byte_array_remove_range (self->input, 0, lf ? n + 1 : n);
          if (lf == NULL)
            return 0;
          {
            guint64 size = 0;
            gboolean sync = TRUE;
            gsize tl = self->tail_len;
            gssize marker;

            if (tl > 0 && self->tail[tl - 1] == '\r')
              tl--;
            marker = find_literal_marker (self->tail, tl, &size, &sync, NULL);
            self->tail_len = 0;
            if (marker >= 0 && !sync)
              {
                self->skip = size;
                self->state = PARSER_STATE_SKIP_LITERAL;
              }
            else
              self->state = PARSER_STATE_LINE;
          }
          break;

        default:
          g_assert_not_reached ();
        }
    }
}

gboolean
mr_imap_arg_is_atom (const MrImapArg *arg)
{
  return arg != NULL && arg->type == MR_IMAP_ARG_ATOM;
}

gboolean
mr_imap_arg_is_nil (const MrImapArg *arg)
{
  return mr_imap_arg_is_atom (arg) && g_ascii_strcasecmp (arg->str, "NIL") == 0;
}

const char *
mr_imap_arg_get_astring (const MrImapArg *arg)
{
  if (arg == NULL || arg->type == MR_IMAP_ARG_LIST)
    return NULL;
  return arg->str;
}

gboolean
mr_imap_arg_get_number (const MrImapArg *arg,
                        guint32         *number_r)
{
  guint64 value = 0;

  if (!mr_imap_arg_is_atom (arg) || arg->len == 0 || arg->len > 10)
    return FALSE;
  for (gsize i = 0; i < arg->len; i++)
    {
      if (!g_ascii_isdigit (arg->str[i]))
        return FALSE;
      value = value * 10 + (arg->str[i] - '0');
    }
  if (value > G_MAXUINT32)
    return FALSE;
  *number_r = (guint32)value;
  return TRUE;
}
