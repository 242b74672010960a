/* mr-imap-session.c
 *
 * Copyright 2026 The Mailroom authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "mr-imap-session"

#include "config.h"

#include <string.h>

#include "mr-clock.h"
#include "mr-error.h"
#include "mr-imap-session-private.h"

G_DEFINE_FINAL_TYPE (MrImapSession, mr_imap_session, MR_TYPE_SESSION)

const char *
mr_imap_state_to_string (MrImapState state)
{
  switch (state)
    {
    case MR_IMAP_STATE_NOT_AUTHENTICATED:
      return "not-authenticated";
    case MR_IMAP_STATE_AUTHENTICATED:
      return "authenticated";
    case MR_IMAP_STATE_SELECTED:
      return "selected";
    case MR_IMAP_STATE_LOGOUT:
      return "logout";
    default:
      g_assert_not_reached ();
    }
}

/* Events */

static MrEvent *
new_event (MrImapSession *self,
           MrEventKind    kind,
           MrDirection    direction,
           const char    *text,
           MrEventFlags   flags)
{
  MrConversation *conversation = mr_session_get_conversation (MR_SESSION (self));
  MrEvent *event = mr_conversation_new_event (conversation, kind, direction, text);

  event->flags |= flags;
  mr_event_set_state (event, mr_imap_state_to_string (self->state));
  return event;
}

static void
emit (MrImapSession *self,
      MrEvent       *event)
{
  mr_conversation_emit (mr_session_get_conversation (MR_SESSION (self)), event);
}

void
_mr_imap_session_emit_note (MrImapSession *self,
                            const char    *text)
{
  emit (self, new_event (self, MR_EVENT_NOTE, MR_DIRECTION_NONE, text, 0));
}

static void
send_line (MrImapSession *self,
           const char    *line,
           const char    *tag,
           const char    *verb,
           MrEventFlags   flags)
{
  MrEvent *event = new_event (self, MR_EVENT_LINE, MR_DIRECTION_TO_CLIENT, line, flags);

  if (tag)
    mr_event_set_tag (event, tag);
  if (verb)
    mr_event_set_verb (event, verb);
  mr_session_send_line (MR_SESSION (self), line, event);
}

void
_mr_imap_session_untagged (MrImapSession *self,
                           const char    *format,
                           ...)
{
  g_autofree char *text = NULL;
  g_autofree char *line = NULL;
  va_list args;

  va_start (args, format);
  text = g_strdup_vprintf (format, args);
  va_end (args);
  line = g_strconcat ("* ", text, NULL);
  send_line (self, line, NULL, NULL, MR_EVENT_FLAG_UNTAGGED);
}

void
_mr_imap_session_continuation (MrImapSession *self,
                               const char    *text)
{
  g_autofree char *line = g_strconcat ("+ ", text, NULL);

  send_line (self, line, NULL, NULL, MR_EVENT_FLAG_CONTINUATION);
}

void
_mr_imap_session_tagged (MrImapSession *self,
                         const char    *tag,
                         const char    *status,
                         const char    *text)
{
  g_autofree char *line = g_strdup_printf ("%s %s %s", tag ? tag : "*", status, text);
  gboolean error = strcmp (status, "OK") != 0;

  send_line (self, line, tag, status,
             (error ? MR_EVENT_FLAG_ERROR : 0) | (tag ? 0 : MR_EVENT_FLAG_UNTAGGED));
}

void
_mr_imap_session_flush_response (MrImapSession *self,
                                 MrEventFlags   flags)
{
  MrImapResponse *response = self->response;

  mr_session_write (MR_SESSION (self), response->wire->data, response->wire->len);
  mr_session_write (MR_SESSION (self), "\r\n", 2);
  emit (self, new_event (self, MR_EVENT_LINE, MR_DIRECTION_TO_CLIENT, response->text->str, flags));

  /* Literal contents are summarized, each in its own content event. */
  for (guint i = 0; i < response->contents->len; i++)
    {
      GBytes *bytes = g_ptr_array_index (response->contents, i);
      g_autofree char *summary = g_strdup_printf ("%" G_GSIZE_FORMAT " octets of literal data",
                                                  g_bytes_get_size (bytes));
      MrEvent *event = new_event (self, MR_EVENT_CONTENT, MR_DIRECTION_TO_CLIENT, summary, 0);

      mr_event_set_content (event, bytes);
      emit (self, event);
    }
  mr_imap_response_reset (response);
}

void
_mr_imap_session_finish (MrImapSession *self,
                         const char    *status,
                         const char    *format,
                         ...)
{
  va_list args;

  g_return_if_fail (!self->finished);

  self->finished = TRUE;
  g_free (self->result_status);
  self->result_status = g_strdup (status);
  g_free (self->result_text);
  va_start (args, format);
  self->result_text = g_strdup_vprintf (format, args);
  va_end (args);
}

char *
_mr_imap_session_dup_capabilities (MrImapSession *self)
{
  GString *str = g_string_new ("IMAP4rev1 LITERAL+ SASL-IR IDLE UIDPLUS MOVE NAMESPACE ENABLE "
                               "SPECIAL-USE UNSELECT CHILDREN ID");

  if (self->state == MR_IMAP_STATE_NOT_AUTHENTICATED)
    {
      /* RFC 3501 6.2.1: STARTTLS only where it can work; LOGINDISABLED is
       * never advertised in the lab (plain logins are part of the lesson). */
      if (!self->implicit_tls && mr_session_get_tls_available (MR_SESSION (self)))
        g_string_append (str, " STARTTLS");
      g_string_append (str, " AUTH=PLAIN");
    }
  return g_string_free (str, FALSE);
}

/* The selected mailbox and this session's view of it */

char *
_mr_imap_session_dup_flags (MrImapSession *self,
                            MrMessage     *message)
{
  g_autofree char *flags = mr_message_flags_to_string (mr_message_get_flags (message) & ~MR_FLAG_RECENT,
                                                       mr_message_get_keywords (message));

  if (self->recent && g_hash_table_contains (self->recent, message))
    return *flags ? g_strconcat (flags, " \\Recent", NULL) : g_strdup ("\\Recent");
  return g_steal_pointer (&flags);
}

gboolean
_mr_imap_session_set_flags (MrImapSession       *self,
                            MrMessage           *message,
                            MrMessageFlags       flags,
                            const char * const  *keywords,
                            GError             **error)
{
  gboolean ret;

  self->own_change = TRUE;
  ret = mr_mailbox_set_flags (self->mailbox, message, flags & ~MR_FLAG_RECENT, keywords, error);
  self->own_change = FALSE;
  return ret;
}

/* Messages new to this view: RFC 3501 2.3.1.2 \Recent goes to the first
 * session that sees a message, and only to it. */
static void
take_new_message (MrImapSession *self,
                  MrMessage     *message)
{
  g_ptr_array_add (self->view, g_object_ref (message));
  if (mr_message_get_flags (message) & MR_FLAG_RECENT)
    {
      g_hash_table_add (self->recent, g_object_ref (message));
      if (!self->read_only)
        _mr_message_set_flags (message, mr_message_get_flags (message) & ~MR_FLAG_RECENT);
    }
}

static void
flush_idle (MrImapSession *self)
{
  if (self->idle_tag == NULL)
    return;
  /* RFC 2177: while idling, the server sends updates as they happen. */
  _mr_imap_session_sync (self, TRUE);
  if (mr_session_has_output (MR_SESSION (self)))
    mr_session_wakeup (MR_SESSION (self));
}

static void
on_items_changed_cb (MrImapSession *self,
                     guint          position,
                     guint          removed,
                     guint          added,
                     GListModel    *model)
{
  g_assert (MR_IS_IMAP_SESSION (self));

  self->mailbox_changed = TRUE;
  flush_idle (self);
}

static void
on_flags_changed_cb (MrImapSession *self,
                     MrMessage     *message,
                     MrMailbox     *mailbox)
{
  g_assert (MR_IS_IMAP_SESSION (self));

  if (self->own_change)
    return;
  g_hash_table_add (self->flag_changes, g_object_ref (message));
  flush_idle (self);
}

void
_mr_imap_session_deselect (MrImapSession *self)
{
  if (self->mailbox == NULL)
    return;
  g_clear_signal_handler (&self->items_changed_id, self->mailbox);
  g_clear_signal_handler (&self->flags_changed_id, self->mailbox);
  g_clear_object (&self->mailbox);
  g_clear_pointer (&self->view, g_ptr_array_unref);
  g_clear_pointer (&self->recent, g_hash_table_unref);
  g_clear_pointer (&self->flag_changes, g_hash_table_unref);
  self->reported_recent = 0;
  self->mailbox_changed = FALSE;
  if (self->state == MR_IMAP_STATE_SELECTED)
    self->state = MR_IMAP_STATE_AUTHENTICATED;
}

gboolean
_mr_imap_session_select (MrImapSession *self,
                         MrMailbox     *mailbox,
                         gboolean       read_only)
{
  guint n = mr_mailbox_get_n_messages (mailbox);
  guint first_unseen = 0;

  _mr_imap_session_deselect (self);

  self->mailbox = g_object_ref (mailbox);
  self->read_only = !!read_only;
  self->view = g_ptr_array_new_full (n, g_object_unref);
  self->recent = g_hash_table_new_full (NULL, NULL, g_object_unref, NULL);
  self->flag_changes = g_hash_table_new_full (NULL, NULL, g_object_unref, NULL);
  self->items_changed_id = g_signal_connect_object (mailbox, "items-changed",
                                                    G_CALLBACK (on_items_changed_cb), self,
                                                    G_CONNECT_SWAPPED);
  self->flags_changed_id = g_signal_connect_object (mailbox, "flags-changed",
                                                    G_CALLBACK (on_flags_changed_cb), self,
                                                    G_CONNECT_SWAPPED);
  for (guint i = 0; i < n; i++)
    {
      MrMessage *message = mr_mailbox_get_message (mailbox, i);

      take_new_message (self, message);
      if (first_unseen == 0 && !(mr_message_get_flags (message) & MR_FLAG_SEEN))
        first_unseen = i + 1;
    }
  self->state = MR_IMAP_STATE_SELECTED;
  self->reported_recent = g_hash_table_size (self->recent);

  /* RFC 3501 6.3.1: the untagged data SELECT must send. */
  _mr_imap_session_untagged (self, "FLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft)");
  if (self->read_only)
    _mr_imap_session_untagged (self, "OK [PERMANENTFLAGS ()] Read-only mailbox");
  else
    _mr_imap_session_untagged (self, "OK [PERMANENTFLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft \\*)] Flags permitted");
  _mr_imap_session_untagged (self, "%u EXISTS", self->view->len);
  _mr_imap_session_untagged (self, "%u RECENT", self->reported_recent);
  if (first_unseen > 0)
    _mr_imap_session_untagged (self, "OK [UNSEEN %u] First unseen", first_unseen);
  _mr_imap_session_untagged (self, "OK [UIDVALIDITY %u] UIDs valid", mr_mailbox_get_uidvalidity (mailbox));
  _mr_imap_session_untagged (self, "OK [UIDNEXT %u] Predicted next UID", mr_mailbox_get_uidnext (mailbox));
  return TRUE;
}

void
_mr_imap_session_sync (MrImapSession *self,
                       gboolean       allow_expunge)
{
  gboolean exists_changed = FALSE;

  if (self->mailbox == NULL)
    return;

  if (self->mailbox_changed)
    {
      guint n = mr_mailbox_get_n_messages (self->mailbox);
      guint32 last_uid = 0;
      gboolean expunges_left = FALSE;
      guint first_new;

      /* RFC 3501 7.4.1: EXPUNGE, highest sequence number first so that the
       * numbers the client holds stay right as it applies them. */
      for (guint i = self->view->len; i > 0; i--)
        {
          MrMessage *message = g_ptr_array_index (self->view, i - 1);

          if (mr_mailbox_index_of (self->mailbox, message) >= 0)
            continue;
          if (!allow_expunge)
            {
              expunges_left = TRUE;
              continue;
            }
          _mr_imap_session_untagged (self, "%u EXPUNGE", i);
          g_hash_table_remove (self->recent, message);
          g_hash_table_remove (self->flag_changes, message);
          g_ptr_array_remove_index (self->view, i - 1);
        }

      /* New messages have higher UIDs than all the view holds (2.3.1.1). */
      if (self->view->len > 0)
        last_uid = mr_message_get_uid (g_ptr_array_index (self->view, self->view->len - 1));
      first_new = n;
      while (first_new > 0 &&
             mr_message_get_uid (mr_mailbox_get_message (self->mailbox, first_new - 1)) > last_uid)
        first_new--;
      for (guint i = first_new; i < n; i++)
        {
          take_new_message (self, mr_mailbox_get_message (self->mailbox, i));
          exists_changed = TRUE;
        }

      self->mailbox_changed = expunges_left;
    }

  if (exists_changed)
    {
      guint recent = g_hash_table_size (self->recent);

      _mr_imap_session_untagged (self, "%u EXISTS", self->view->len);
      _mr_imap_session_untagged (self, "%u RECENT", recent);
      self->reported_recent = recent;
    }

  if (g_hash_table_size (self->flag_changes) > 0)
    {
      /* Others changed flags: untagged FETCH FLAGS (RFC 3501 7.4.2). */
      for (guint i = 0; i < self->view->len; i++)
        {
          MrMessage *message = g_ptr_array_index (self->view, i);
          g_autofree char *flags = NULL;

          if (!g_hash_table_contains (self->flag_changes, message))
            continue;
          flags = _mr_imap_session_dup_flags (self, message);
          _mr_imap_session_untagged (self, "%u FETCH (UID %u FLAGS (%s))", i + 1,
                                     mr_message_get_uid (message), flags);
        }
      g_hash_table_remove_all (self->flag_changes);
    }
}

/* Logins and modes */

void
_mr_imap_session_login (MrImapSession *self,
                        MrAccount     *account)
{
  g_set_object (&self->account, account);
  self->state = MR_IMAP_STATE_AUTHENTICATED;
  self->auth_failures = 0;
}

void
_mr_imap_session_start_idle (MrImapSession *self,
                             const char    *tag)
{
  g_free (self->idle_tag);
  self->idle_tag = g_strdup (tag);
  /* What changed before IDLE goes out at once (RFC 2177 3). */
  _mr_imap_session_continuation (self, "idling");
  _mr_imap_session_sync (self, TRUE);
}

/* Input */

static gboolean
tag_is_valid (const char *tag)
{
  /* RFC 3501 9: tag = 1*<any ASTRING-CHAR except "+"> */
  if (*tag == '\0')
    return FALSE;
  for (const char *p = tag; *p; p++)
    if (*p == '+' || *p == '%' || *p == '*' || *p == '\\' || *p == '[')
      return FALSE;
  return TRUE;
}

static gboolean
state_allows (const MrImapCommandEntry *entry,
              MrImapState               state)
{
  return state != MR_IMAP_STATE_LOGOUT && (entry->flags & (1 << state)) != 0;
}

static void
count_bad (MrImapSession *self)
{
  const MrLimits *limits = mr_session_get_limits (MR_SESSION (self));

  /* Postfix's hard error limit: a client that only sends junk goes away;
   * [ALERT] (RFC 3501 7.1) makes clients show the reason to the user. */
  if (++self->bad_commands >= limits->max_bad_commands)
    {
      _mr_imap_session_untagged (self, "BYE [ALERT] Too many invalid commands");
      self->state = MR_IMAP_STATE_LOGOUT;
      mr_session_set_action (MR_SESSION (self), MR_SESSION_CLOSE);
    }
}

static void
emit_command_event (MrImapSession            *self,
                    MrImapCommand            *command,
                    const MrImapCommandEntry *entry,
                    const char               *verb)
{
  g_autofree char *masked = NULL;
  const char *text = command->text;
  MrEventFlags flags = 0;
  MrEvent *event;

  if (entry && (entry->flags & MR_IMAP_MASK_ARGS))
    {
      /* LOGIN user password / AUTHENTICATE PLAIN <initial response> */
      if (strcmp (command->name, "LOGIN") == 0 && command->args->len >= 1)
        {
          const char *user = mr_imap_arg_get_astring (g_ptr_array_index (command->args, 0));

          masked = g_strdup_printf ("%s LOGIN %s ****", command->tag, user ? user : "");
        }
      else if (command->args->len > 1)
        {
          const char *mech = mr_imap_arg_get_astring (g_ptr_array_index (command->args, 0));

          masked = g_strdup_printf ("%s %s %s ****", command->tag, command->name, mech ? mech : "");
        }
      if (masked)
        {
          text = masked;
          flags |= MR_EVENT_FLAG_MASKED;
        }
    }

  event = new_event (self, MR_EVENT_LINE, MR_DIRECTION_TO_SERVER, text, flags);
  mr_event_set_tag (event, command->tag);
  if (verb)
    mr_event_set_verb (event, verb);
  emit (self, event);

  if (command->n_literals > 0 && !(flags & MR_EVENT_FLAG_MASKED))
    {
      /* Literals (an APPENDed message) are summarized, not put in text. */
      for (guint i = 0; i < command->args->len; i++)
        {
          MrImapArg *arg = g_ptr_array_index (command->args, i);
          g_autofree char *summary = NULL;
          g_autoptr(GBytes) bytes = NULL;

          if (arg->type != MR_IMAP_ARG_LITERAL)
            continue;
          summary = g_strdup_printf ("%" G_GSIZE_FORMAT " octets of literal data", arg->len);
          bytes = g_bytes_new (arg->str, arg->len);
          event = new_event (self, MR_EVENT_CONTENT, MR_DIRECTION_TO_SERVER, summary, 0);
          mr_event_set_tag (event, command->tag);
          mr_event_set_content (event, bytes);
          emit (self, event);
        }
    }
}

static void
end_idle (MrImapSession *self,
          MrImapCommand *command)
{
  g_autofree char *tag = g_steal_pointer (&self->idle_tag);
  MrEvent *event = new_event (self, MR_EVENT_LINE, MR_DIRECTION_TO_SERVER, command->text, 0);

  mr_event_set_verb (event, "DONE");
  emit (self, event);

  if (command->name != NULL || g_ascii_strcasecmp (command->tag, "DONE") != 0)
    {
      _mr_imap_session_tagged (self, tag, "BAD", "Expected DONE");
      count_bad (self);
      return;
    }
  _mr_imap_session_sync (self, TRUE);
  _mr_imap_session_tagged (self, tag, "OK", "IDLE terminated");
}

static void
dispatch (MrImapSession *self,
          MrImapCommand *command)
{
  const MrImapCommandEntry *entry = NULL;
  g_autofree char *verb = NULL;
  g_autofree char *line = NULL;
  MrImapState state = self->state;

  if (self->auth_tag != NULL)
    {
      _mr_imap_session_auth_response (self, command);
      return;
    }
  if (self->idle_tag != NULL)
    {
      end_idle (self, command);
      return;
    }

  self->uid = FALSE;
  if (command->name && strcmp (command->name, "UID") == 0 && command->args->len > 0 &&
      mr_imap_arg_is_atom (g_ptr_array_index (command->args, 0)))
    {
      MrImapArg *sub = g_ptr_array_index (command->args, 0);
      g_autofree char *name = g_ascii_strup (sub->str, -1);

      entry = _mr_imap_command_lookup (name);
      if (entry && !(entry->flags & MR_IMAP_UID_OK))
        entry = NULL;
      verb = g_strconcat ("UID ", name, NULL);
      self->uid = TRUE;
      g_ptr_array_remove_index (command->args, 0);
    }
  else if (command->name)
    {
      entry = _mr_imap_command_lookup (command->name);
      verb = g_strdup (command->name);
    }

  emit_command_event (self, command, entry, verb);

  if (!tag_is_valid (command->tag))
    {
      _mr_imap_session_tagged (self, NULL, "BAD", "Invalid tag");
      count_bad (self);
      return;
    }
  if (command->name == NULL)
    {
      _mr_imap_session_tagged (self, command->tag, "BAD", "Missing command");
      count_bad (self);
      return;
    }
  if (entry == NULL)
    {
      line = g_strdup_printf ("Unknown command %s", verb);
      _mr_imap_session_tagged (self, command->tag, "BAD", line);
      count_bad (self);
      return;
    }
  if (!state_allows (entry, state))
    {
      /* RFC 3501 3: each command belongs to some states only. */
      line = g_strdup_printf ("%s not allowed %s", verb,
                              state == MR_IMAP_STATE_NOT_AUTHENTICATED ? "before login"
                              : !(entry->flags & (MR_IMAP_ALLOW_AUTH | MR_IMAP_ALLOW_SELECTED))
                              ? "once logged in" : "without a selected mailbox");
      _mr_imap_session_tagged (self, command->tag, "BAD", line);
      count_bad (self);
      return;
    }

  g_free (self->tag);
  self->tag = g_strdup (command->tag);
  self->finished = FALSE;
  self->no_expunge = (entry->flags & MR_IMAP_NO_EXPUNGE) && !self->uid;

  entry->func (self, command);

  if (!self->finished)
    return; /* IDLE, AUTHENTICATE: they end later */

  if (strcmp (self->result_status, "BAD") == 0)
    count_bad (self);
  else
    self->bad_commands = 0;

  /* RFC 3501 7.4.1 / 5.2: updates before the tagged response, and never
   * EXPUNGE during FETCH, STORE or SEARCH. */
  if (strcmp (self->result_status, "BAD") != 0)
    _mr_imap_session_sync (self, !self->no_expunge);
  _mr_imap_session_tagged (self, self->tag, self->result_status, self->result_text);
}

/* Returns TRUE when the command waiting for its literal was refused. */
static gboolean
refuse_literal (MrImapSession *self)
{
  const char *tag = mr_imap_parser_get_pending_tag (self->parser);
  const char *name = mr_imap_parser_get_pending_name (self->parser);
  const MrImapCommandEntry *entry;
  MrImapState state = self->state;

  if (self->auth_tag || self->idle_tag || tag == NULL || !tag_is_valid (tag))
    return FALSE;

  entry = name ? _mr_imap_command_lookup (name) : NULL;
  if (name && strcmp (name, "UID") == 0)
    return FALSE;
  if (entry == NULL || !state_allows (entry, state))
    {
      g_autofree char *text = g_strdup_printf ("%s %s", tag, name ? name : "");
      g_autofree char *reason = g_strdup_printf ("%s %s", name ? name : "Command",
                                                 entry ? "not allowed in this state"
                                                       : "unknown");
      MrEvent *event = new_event (self, MR_EVENT_LINE, MR_DIRECTION_TO_SERVER, text, 0);

      mr_event_set_tag (event, tag);
      emit (self, event);
      /* RFC 3501 7.5: instead of "+", the final response. */
      _mr_imap_session_tagged (self, tag, "BAD", reason);
      mr_imap_parser_abort_command (self->parser);
      count_bad (self);
      return TRUE;
    }

  if (strcmp (name, "APPEND") == 0)
    {
      /* RFC 3501 6.3.11: no point in sending a message to a mailbox that
       * does not exist; say so before the client sends it (as Dovecot). */
      GPtrArray *args = mr_imap_parser_get_pending_args (self->parser);
      const char *mailbox = args->len > 2 ? mr_imap_arg_get_astring (g_ptr_array_index (args, 2)) : NULL;
      g_autofree char *normal = NULL;

      if (mailbox != NULL && self->account != NULL)
        {
          gsize len = strlen (mailbox);

          while (len > 1 && mailbox[len - 1] == MR_MAILBOX_DELIMITER)
            len--;
          normal = g_ascii_strncasecmp (mailbox, "INBOX", 5) == 0 && len == 5
                   ? g_strdup ("INBOX") : g_strndup (mailbox, len);
          if (mr_account_lookup_mailbox (self->account, normal) == NULL)
            {
              g_autofree char *text = g_strdup_printf ("%s APPEND %s", tag, mailbox);
              g_autofree char *reason = g_strdup_printf ("[TRYCREATE] Mailbox doesn't exist: %s", mailbox);
              MrEvent *event = new_event (self, MR_EVENT_LINE, MR_DIRECTION_TO_SERVER, text, 0);

              mr_event_set_tag (event, tag);
              mr_event_set_verb (event, "APPEND");
              emit (self, event);
              _mr_imap_session_tagged (self, tag, "NO", reason);
              mr_imap_parser_abort_command (self->parser);
              return TRUE;
            }
        }
    }
  return FALSE;
}

static void
mr_imap_session_feed (MrSession    *session,
                      const guint8 *data,
                      gsize         len)
{
  MrImapSession *self = (MrImapSession *)session;

  g_assert (MR_IS_IMAP_SESSION (self));

  mr_imap_parser_feed (self->parser, data, len);

  while (mr_session_get_action (session) == MR_SESSION_CONTINUE && !mr_session_get_held (session))
    {
      g_autoptr(MrImapCommand) command = NULL;
      g_autoptr(GError) error = NULL;
      int ret = mr_imap_parser_next (self->parser, &command, &error);

      if (ret == 0)
        {
          if (mr_imap_parser_take_continuation (self->parser))
            {
              if (!refuse_literal (self))
                _mr_imap_session_continuation (self, "Ready for literal data");
              continue;
            }
          break;
        }

      if (ret < 0)
        {
          const char *tag = mr_imap_parser_get_error_tag (self->parser);
          g_autofree char *text = NULL;
          MrEvent *event;

          event = new_event (self, MR_EVENT_LINE, MR_DIRECTION_TO_SERVER,
                             tag ? tag : "(unparsable command)", MR_EVENT_FLAG_ERROR);
          if (g_error_matches (error, MR_ERROR, MR_ERROR_LINE_TOO_LONG))
            event->flags |= MR_EVENT_FLAG_TOO_LONG;
          if (tag)
            mr_event_set_tag (event, tag);
          emit (self, event);

          if (self->auth_tag)
            {
              g_autofree char *auth_tag = g_steal_pointer (&self->auth_tag);

              _mr_imap_session_tagged (self, auth_tag, "BAD", "Invalid authentication response");
            }
          else if (self->idle_tag)
            {
              g_autofree char *idle_tag = g_steal_pointer (&self->idle_tag);

              _mr_imap_session_tagged (self, idle_tag, "BAD", "Expected DONE");
            }
          else
            {
              text = g_strdup_printf ("Error in IMAP command: %s", error->message);
              _mr_imap_session_tagged (self, tag && tag_is_valid (tag) ? tag : NULL, "BAD", text);
            }
          count_bad (self);
          continue;
        }

      dispatch (self, command);
    }
}

static void
mr_imap_session_start (MrSession *session)
{
  MrImapSession *self = (MrImapSession *)session;
  g_autofree char *capabilities = _mr_imap_session_dup_capabilities (self);
  const char *fault = NULL;

  if (self->faults != NULL)
    fault = mr_fault_set_check_mailbox (self->faults, MR_PROTOCOL_IMAP, MR_FAULT_STAGE_CONNECT,
                                        self->hostname, NULL);
  if (fault != NULL && g_str_has_prefix (fault, "* "))
    {
      /* server-busy: RFC 3501 7.1.5, a BYE greeting, then the server closes. */
      _mr_imap_session_untagged (self, "%s", fault + 2);
      mr_session_set_action (session, MR_SESSION_CLOSE);
      return;
    }

  /* RFC 3501 7.1.1: the greeting, with capabilities so clients need not ask. */
  _mr_imap_session_untagged (self, "OK [CAPABILITY %s] %s Mailroom IMAP4rev1 ready",
                             capabilities, self->hostname);
}

static void
mr_imap_session_tls_started (MrSession *session)
{
  MrImapSession *self = (MrImapSession *)session;

  /* RFC 3501 6.2.1: forget anything sent before the handshake. */
  mr_imap_parser_clear (self->parser);
}

static void
mr_imap_session_stop (MrSession    *session,
                      MrStopReason  reason)
{
  MrImapSession *self = (MrImapSession *)session;

  switch (reason)
    {
    case MR_STOP_SHUTDOWN:
      _mr_imap_session_untagged (self, "BYE [ALERT] Server shutting down");
      break;
    case MR_STOP_IDLE:
      _mr_imap_session_untagged (self, "BYE Autologout; idle for too long");
      break;
    case MR_STOP_TOO_MANY_CONNECTIONS:
      _mr_imap_session_untagged (self, "BYE Too many connections");
      break;
    default:
      g_assert_not_reached ();
    }
  self->state = MR_IMAP_STATE_LOGOUT;
  mr_session_set_action (session, MR_SESSION_CLOSE);
}

static void
mr_imap_session_disconnected (MrSession *session)
{
  MrImapSession *self = (MrImapSession *)session;

  _mr_imap_session_deselect (self);
  self->state = MR_IMAP_STATE_LOGOUT;
}

static void
mr_imap_session_dispose (GObject *object)
{
  MrImapSession *self = (MrImapSession *)object;

  _mr_imap_session_deselect (self);
  g_clear_object (&self->account);
  g_clear_object (&self->store);
  g_clear_object (&self->clock);

  G_OBJECT_CLASS (mr_imap_session_parent_class)->dispose (object);
}

static void
mr_imap_session_finalize (GObject *object)
{
  MrImapSession *self = (MrImapSession *)object;

  g_clear_pointer (&self->parser, mr_imap_parser_free);
  g_clear_pointer (&self->response, mr_imap_response_free);
  g_free (self->hostname);
  g_clear_object (&self->faults);
  g_free (self->tag);
  g_free (self->result_status);
  g_free (self->result_text);
  g_free (self->idle_tag);
  g_free (self->auth_tag);

  G_OBJECT_CLASS (mr_imap_session_parent_class)->finalize (object);
}

static void
mr_imap_session_class_init (MrImapSessionClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  MrSessionClass *session_class = MR_SESSION_CLASS (klass);

  object_class->dispose = mr_imap_session_dispose;
  object_class->finalize = mr_imap_session_finalize;

  session_class->start = mr_imap_session_start;
  session_class->feed = mr_imap_session_feed;
  session_class->tls_started = mr_imap_session_tls_started;
  session_class->stop = mr_imap_session_stop;
  session_class->disconnected = mr_imap_session_disconnected;
}

static void
mr_imap_session_init (MrImapSession *self)
{
  self->state = MR_IMAP_STATE_NOT_AUTHENTICATED;
  self->response = mr_imap_response_new ();
}

MrSession *
mr_imap_session_new (MrStore            *store,
                     const MrImapConfig *config,
                     MrConversation     *conversation,
                     const MrLimits     *limits)
{
  MrImapSession *self;
  const MrLimits *effective;

  g_return_val_if_fail (MR_IS_STORE (store), NULL);

  self = g_object_new (MR_TYPE_IMAP_SESSION,
                       "conversation", conversation,
                       "limits", limits,
                       NULL);
  self->store = g_object_ref (store);
  self->hostname = g_strdup (config && config->hostname ? config->hostname : "localhost");
  if (config && config->faults)
    self->faults = g_object_ref (config->faults);
  self->implicit_tls = config ? !!config->implicit_tls : FALSE;
  if (config && config->clock)
    self->clock = g_object_ref (config->clock);

  effective = mr_session_get_limits (MR_SESSION (self));
  /* The SMTP command-line limit (512) is far too small for IMAP's UID sets;
   * use the content-line bound, or 64 KiB, whichever is larger. */
  self->parser = mr_imap_parser_new (MAX (effective->max_content_line, MR_IMAP_DEFAULT_MAX_LINE),
                                     effective->max_literal);
  return MR_SESSION (self);
}

MrImapState
mr_imap_session_get_state (MrImapSession *self)
{
  g_return_val_if_fail (MR_IS_IMAP_SESSION (self), MR_IMAP_STATE_LOGOUT);
  return self->state;
}

MrAccount *
mr_imap_session_get_account (MrImapSession *self)
{
  g_return_val_if_fail (MR_IS_IMAP_SESSION (self), NULL);
  return self->account;
}

MrMailbox *
mr_imap_session_get_mailbox (MrImapSession *self)
{
  g_return_val_if_fail (MR_IS_IMAP_SESSION (self), NULL);
  return self->mailbox;
}
