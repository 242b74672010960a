/* mr-imap-commands.c
 *
 * Copyright 2026 The Mailroom authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "mr-imap-commands"

#include "config.h"

#include <string.h>

#include "mr-clock.h"
#include "mr-error.h"
#include "mr-imap-fetch.h"
#include "mr-imap-search.h"
#include "mr-imap-sequence.h"
#include "mr-imap-session-private.h"

#define ARG(command, i) ((i) < (command)->args->len ? (MrImapArg *)g_ptr_array_index ((command)->args, (i)) : NULL)

static gboolean
check_args (MrImapSession *self,
            MrImapCommand *command,
            guint          min,
            guint          max)
{
  if (command->args->len < min)
    {
      _mr_imap_session_finish (self, "BAD", "Missing arguments");
      return FALSE;
    }
  if (command->args->len > max)
    {
      _mr_imap_session_finish (self, "BAD", "Too many arguments");
      return FALSE;
    }
  return TRUE;
}

/* An astring argument, or a BAD response. */
static const char *
get_astring (MrImapSession *self,
             MrImapCommand *command,
             guint          i)
{
  const char *str = mr_imap_arg_get_astring (ARG (command, i));

  if (str == NULL)
    _mr_imap_session_finish (self, "BAD", "Invalid arguments");
  return str;
}

static char *
normalize_mailbox_name (const char *name)
{
  gsize len = strlen (name);

  /* RFC 3501 6.3.3: a trailing delimiter only says "will have children". */
  while (len > 1 && name[len - 1] == MR_MAILBOX_DELIMITER)
    len--;
  if (len == 5 && g_ascii_strncasecmp (name, "INBOX", 5) == 0)
    return g_strdup ("INBOX");
  return g_strndup (name, len);
}

static MrMailbox *
lookup_mailbox (MrImapSession *self,
                const char    *name)
{
  g_autofree char *normal = normalize_mailbox_name (name);

  return mr_account_lookup_mailbox (self->account, normal);
}

/* Any state */

static void
cmd_capability (MrImapSession *self,
                MrImapCommand *command)
{
  g_autofree char *capabilities = _mr_imap_session_dup_capabilities (self);

  _mr_imap_session_untagged (self, "CAPABILITY %s", capabilities);
  _mr_imap_session_finish (self, "OK", "CAPABILITY completed");
}

static void
cmd_noop (MrImapSession *self,
          MrImapCommand *command)
{
  _mr_imap_session_finish (self, "OK", "%s completed", command->name);
}

static void
cmd_logout (MrImapSession *self,
            MrImapCommand *command)
{
  /* RFC 3501 6.1.3: BYE, then the tagged OK, then the close. */
  _mr_imap_session_deselect (self);
  _mr_imap_session_untagged (self, "BYE Logging out");
  self->state = MR_IMAP_STATE_LOGOUT;
  _mr_imap_session_finish (self, "OK", "LOGOUT completed");
  mr_session_set_action (MR_SESSION (self), MR_SESSION_CLOSE);
}

static void
cmd_id (MrImapSession *self,
        MrImapCommand *command)
{
  /* RFC 2971 3.2 */
  _mr_imap_session_untagged (self, "ID (\"name\" \"Mailroom\" \"version\" \"%s\")", PACKAGE_VERSION);
  _mr_imap_session_finish (self, "OK", "ID completed");
}

static void
cmd_enable (MrImapSession *self,
            MrImapCommand *command)
{
  /* RFC 5161 3.1: none of the extensions ENABLE knows are supported, so
   * nothing gets enabled. */
  if (!check_args (self, command, 1, 64))
    return;
  _mr_imap_session_untagged (self, "ENABLED");
  _mr_imap_session_finish (self, "OK", "ENABLE completed");
}

/* Not authenticated */

static void
cmd_starttls (MrImapSession *self,
              MrImapCommand *command)
{
  if (self->implicit_tls || !mr_session_get_tls_available (MR_SESSION (self)))
    {
      _mr_imap_session_finish (self, "NO", "TLS not available");
      return;
    }
  /* RFC 3501 6.2.1: anything pipelined after STARTTLS is dropped. */
  mr_imap_parser_clear (self->parser);
  _mr_imap_session_finish (self, "OK", "Begin TLS negotiation now");
  mr_session_set_action (MR_SESSION (self), MR_SESSION_START_TLS);
}

static void
login_result (MrImapSession *self,
              const char    *tag,
              MrAccount     *account,
              gboolean       deferred)
{
  g_autofree char *text = NULL;
  const char *status;
  const char *fault = NULL;

  /* A fault may refuse the login or pretend the mailbox is in use. */
  if (account != NULL && self->faults != NULL &&
      !(fault = mr_fault_set_check_mailbox (self->faults, MR_PROTOCOL_IMAP, MR_FAULT_STAGE_LOGIN,
                                            self->hostname, mr_account_get_address (account))))
    fault = mr_fault_set_check_mailbox (self->faults, MR_PROTOCOL_IMAP, MR_FAULT_STAGE_MAILBOX,
                                        self->hostname, mr_account_get_address (account));

  if (fault != NULL && g_str_has_prefix (fault, "NO "))
    {
      status = "NO";
      text = g_strdup (fault + 3);
    }
  else if (account != NULL)
    {
      g_autofree char *capabilities = NULL;

      _mr_imap_session_login (self, account);
      capabilities = _mr_imap_session_dup_capabilities (self);
      status = "OK";
      text = g_strdup_printf ("[CAPABILITY %s] Logged in", capabilities);
    }
  else
    {
      const MrLimits *limits = mr_session_get_limits (MR_SESSION (self));

      /* Past max_auth_failures each failure is answered late (Dovecot's
       * auth_failure_delay), pipelined guesses each adding to the wait. */
      if (++self->auth_failures > limits->max_auth_failures)
        mr_session_hold (MR_SESSION (self), self->clock, MR_SESSION_AUTH_FAILURE_DELAY_USEC);
      status = "NO";
      text = g_strdup ("[AUTHENTICATIONFAILED] Authentication failed");
    }

  if (deferred)
    _mr_imap_session_tagged (self, tag, status, text);
  else
    _mr_imap_session_finish (self, status, "%s", text);
}

static void
cmd_login (MrImapSession *self,
           MrImapCommand *command)
{
  const char *user;
  const char *password;

  if (!check_args (self, command, 2, 2) ||
      (user = get_astring (self, command, 0)) == NULL ||
      (password = get_astring (self, command, 1)) == NULL)
    return;

  login_result (self, command->tag, mr_store_authenticate (self->store, user, password), FALSE);
}

/* RFC 4616: message = [authzid] NUL authcid NUL passwd */
static MrAccount *
check_plain (MrImapSession *self,
             const char    *base64)
{
  g_autofree guchar *decoded = NULL;
  g_autofree char *copy = NULL;
  gsize len = 0;
  const char *authcid;
  const char *password;
  const char *first_nul;
  const char *second_nul;

  if (strcmp (base64, "=") == 0)
    return NULL;
  decoded = g_base64_decode (base64, &len);
  if (decoded == NULL || len == 0)
    return NULL;
  copy = g_malloc (len + 1);
  memcpy (copy, decoded, len);
  copy[len] = '\0';

  first_nul = memchr (copy, '\0', len);
  if (first_nul == NULL)
    return NULL;
  second_nul = memchr (first_nul + 1, '\0', len - (first_nul + 1 - copy));
  if (second_nul == NULL)
    return NULL;
  authcid = first_nul + 1;
  password = second_nul + 1;
  if (memchr (password, '\0', len - (password - copy)) != NULL)
    return NULL;
  return mr_store_authenticate (self->store, authcid, password);
}

static void
cmd_authenticate (MrImapSession *self,
                  MrImapCommand *command)
{
  const char *mechanism;

  if (!check_args (self, command, 1, 2) || (mechanism = get_astring (self, command, 0)) == NULL)
    return;

  if (g_ascii_strcasecmp (mechanism, "PLAIN") != 0)
    {
      _mr_imap_session_finish (self, "NO", "Unsupported authentication mechanism");
      return;
    }

  if (command->args->len == 2)
    {
      /* RFC 4959 SASL-IR: the initial response on the command line. */
      const char *initial = get_astring (self, command, 1);

      if (initial == NULL)
        return;
      login_result (self, command->tag, check_plain (self, initial), FALSE);
      return;
    }

  g_free (self->auth_tag);
  self->auth_tag = g_strdup (command->tag);
  _mr_imap_session_continuation (self, "");
}

void
_mr_imap_session_auth_response (MrImapSession *self,
                                MrImapCommand *command)
{
  g_autofree char *tag = g_steal_pointer (&self->auth_tag);
  MrConversation *conversation = mr_session_get_conversation (MR_SESSION (self));
  MrEvent *event;

  /* The response is secret: only a mask reaches the bus. */
  event = mr_conversation_new_event (conversation, MR_EVENT_LINE, MR_DIRECTION_TO_SERVER, "****");
  event->flags |= MR_EVENT_FLAG_MASKED;
  mr_event_set_state (event, mr_imap_state_to_string (self->state));
  mr_conversation_emit (conversation, event);

  /* RFC 3501 6.2.2: "*" cancels. */
  if (command->name != NULL || command->args->len > 0)
    {
      _mr_imap_session_tagged (self, tag, "BAD", "Invalid authentication response");
      return;
    }
  if (strcmp (command->tag, "*") == 0)
    {
      _mr_imap_session_tagged (self, tag, "BAD", "Authentication cancelled");
      return;
    }
  login_result (self, tag, check_plain (self, command->tag), TRUE);
}

/* Authenticated */

static void
select_or_examine (MrImapSession *self,
                   MrImapCommand *command,
                   gboolean       read_only)
{
  const char *name;
  MrMailbox *mailbox;

  if (!check_args (self, command, 1, 2) || (name = get_astring (self, command, 0)) == NULL)
    return;

  /* RFC 3501 6.3.1: a failed SELECT leaves no mailbox selected. */
  _mr_imap_session_deselect (self);

  mailbox = lookup_mailbox (self, name);
  if (mailbox == NULL)
    {
      _mr_imap_session_finish (self, "NO", "[NONEXISTENT] Mailbox doesn't exist: %s", name);
      return;
    }
  _mr_imap_session_select (self, mailbox, read_only);
  _mr_imap_session_finish (self, "OK", "%s %s completed",
                           read_only ? "[READ-ONLY]" : "[READ-WRITE]",
                           read_only ? "EXAMINE" : "SELECT");
}

static void
cmd_select (MrImapSession *self,
            MrImapCommand *command)
{
  select_or_examine (self, command, FALSE);
}

static void
cmd_examine (MrImapSession *self,
             MrImapCommand *command)
{
  select_or_examine (self, command, TRUE);
}

static void
cmd_create (MrImapSession *self,
            MrImapCommand *command)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *normal = NULL;
  const char *name;

  if (!check_args (self, command, 1, 2) || (name = get_astring (self, command, 0)) == NULL)
    return;

  normal = normalize_mailbox_name (name);
  if (mr_account_lookup_mailbox (self->account, normal) != NULL)
    {
      _mr_imap_session_finish (self, "NO", "[ALREADYEXISTS] Mailbox already exists");
      return;
    }
  if (!mr_account_create_mailbox (self->account, normal, NULL, &error))
    {
      _mr_imap_session_finish (self, "NO", "%s%s",
                               g_error_matches (error, MR_ERROR, MR_ERROR_EXISTS) ? "[ALREADYEXISTS] " : "",
                               error->message);
      return;
    }
  _mr_imap_session_finish (self, "OK", "CREATE completed");
}

static void
cmd_delete (MrImapSession *self,
            MrImapCommand *command)
{
  g_autoptr(GError) error = NULL;
  MrMailbox *mailbox;
  const char *name;

  if (!check_args (self, command, 1, 1) || (name = get_astring (self, command, 0)) == NULL)
    return;

  mailbox = lookup_mailbox (self, name);
  if (mailbox == NULL)
    {
      _mr_imap_session_finish (self, "NO", "[NONEXISTENT] Mailbox doesn't exist: %s", name);
      return;
    }
  if (mailbox == self->mailbox)
    _mr_imap_session_deselect (self);
  if (!mr_account_delete_mailbox (self->account, mailbox, &error))
    {
      _mr_imap_session_finish (self, "NO", "%s", error->message);
      return;
    }
  _mr_imap_session_finish (self, "OK", "DELETE completed");
}

static void
cmd_rename (MrImapSession *self,
            MrImapCommand *command)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *normal = NULL;
  MrMailbox *mailbox;
  const char *from;
  const char *to;

  if (!check_args (self, command, 2, 2) ||
      (from = get_astring (self, command, 0)) == NULL ||
      (to = get_astring (self, command, 1)) == NULL)
    return;

  mailbox = lookup_mailbox (self, from);
  if (mailbox == NULL)
    {
      _mr_imap_session_finish (self, "NO", "[NONEXISTENT] Mailbox doesn't exist: %s", from);
      return;
    }
  normal = normalize_mailbox_name (to);
  if (mr_account_lookup_mailbox (self->account, normal) != NULL)
    {
      _mr_imap_session_finish (self, "NO", "[ALREADYEXISTS] Mailbox already exists");
      return;
    }
  if (mailbox == mr_account_get_inbox (self->account))
    {
      /* RFC 3501 6.3.5: renaming INBOX moves its messages to the new
       * mailbox and leaves INBOX, empty, where it was. */
      MrMailbox *target = mr_account_create_mailbox (self->account, normal, NULL, &error);
      g_autoptr(GPtrArray) moved = g_ptr_array_new_with_free_func (g_object_unref);

      if (target == NULL)
        {
          _mr_imap_session_finish (self, "NO", "%s", error->message);
          return;
        }
      for (guint i = 0; i < mr_mailbox_get_n_messages (mailbox); i++)
        {
          MrMessage *message = mr_mailbox_get_message (mailbox, i);

          if (mr_mailbox_append (target, mr_message_get_raw (message),
                                 mr_message_get_flags (message), mr_message_get_keywords (message),
                                 mr_message_get_internal_date (message), &error) == NULL)
            {
              _mr_imap_session_finish (self, "NO", "[SERVERBUG] %s", error->message);
              return;
            }
          g_ptr_array_add (moved, g_object_ref (message));
        }
      for (guint i = 0; i < moved->len; i++)
        mr_mailbox_expunge (mailbox, g_ptr_array_index (moved, i), NULL);
      _mr_imap_session_finish (self, "OK", "RENAME completed");
      return;
    }
  else
    {
      /* RFC 3501 6.3.5: inferior names are renamed too ("Work/2026" goes
       * with "Work"). */
      g_autofree char *old_prefix = g_strdup_printf ("%s%c", mr_mailbox_get_name (mailbox),
                                                     MR_MAILBOX_DELIMITER);
      g_autoptr(GPtrArray) children = g_ptr_array_new_with_free_func (g_object_unref);
      GListModel *mailboxes = mr_account_get_mailboxes (self->account);

      for (guint i = 0; i < g_list_model_get_n_items (mailboxes); i++)
        {
          g_autoptr(MrMailbox) other = g_list_model_get_item (mailboxes, i);

          if (g_str_has_prefix (mr_mailbox_get_name (other), old_prefix))
            g_ptr_array_add (children, g_object_ref (other));
        }

      if (!mr_account_rename_mailbox (self->account, mailbox, normal, &error))
        {
          _mr_imap_session_finish (self, "NO", "%s", error->message);
          return;
        }
      for (guint i = 0; i < children->len; i++)
        {
          MrMailbox *child = g_ptr_array_index (children, i);
          g_autofree char *child_name = g_strconcat (normal, "/",
                                                     mr_mailbox_get_name (child) + strlen (old_prefix),
                                                     NULL);

          mr_account_rename_mailbox (self->account, child, child_name, NULL);
        }
    }
  _mr_imap_session_finish (self, "OK", "RENAME completed");
}

static void
subscribe (MrImapSession *self,
           MrImapCommand *command,
           gboolean       subscribed)
{
  MrMailbox *mailbox;
  const char *name;

  if (!check_args (self, command, 1, 1) || (name = get_astring (self, command, 0)) == NULL)
    return;

  mailbox = lookup_mailbox (self, name);
  if (mailbox == NULL)
    {
      _mr_imap_session_finish (self, "NO", "[NONEXISTENT] Mailbox doesn't exist: %s", name);
      return;
    }
  mr_mailbox_set_subscribed (mailbox, subscribed);
  _mr_imap_session_finish (self, "OK", "%s completed", command->name);
}

static void
cmd_subscribe (MrImapSession *self,
               MrImapCommand *command)
{
  subscribe (self, command, TRUE);
}

static void
cmd_unsubscribe (MrImapSession *self,
                 MrImapCommand *command)
{
  subscribe (self, command, FALSE);
}

/* RFC 3501 6.3.8: "*" matches anything, "%" anything but the delimiter. */
static gboolean
match_pattern (const char *pattern,
               const char *name)
{
  for (; *pattern; pattern++)
    {
      if (*pattern == '*' || *pattern == '%')
        {
          for (const char *p = name;; p++)
            {
              if (match_pattern (pattern + 1, p))
                return TRUE;
              if (*p == '\0' || (*pattern == '%' && *p == MR_MAILBOX_DELIMITER))
                return FALSE;
            }
        }
      if (*name != *pattern)
        return FALSE;
      name++;
    }
  return *name == '\0';
}

static gboolean
mailbox_matches (const char *pattern,
                 const char *name)
{
  if (match_pattern (pattern, name))
    return TRUE;
  /* INBOX is case-insensitive (RFC 3501 5.1). */
  if (strcmp (name, "INBOX") == 0)
    {
      g_autofree char *upper = g_ascii_strup (pattern, -1);

      return match_pattern (upper, name);
    }
  return FALSE;
}

/* RFC 5258 LIST-EXTENDED, in the forms clients use once they see
 * SPECIAL-USE (RFC 6154 5.1): selection options before the reference and
 * RETURN options after the pattern. */
typedef struct
{
  gboolean subscribed_only;
  gboolean special_use_only;
  gboolean show_subscribed;
} ListOptions;

static gboolean
parse_list_options (MrImapArg   *list,
                    ListOptions *options,
                    gboolean     selection)
{
  for (guint i = 0; i < list->list->len; i++)
    {
      MrImapArg *option = g_ptr_array_index (list->list, i);

      if (!mr_imap_arg_is_atom (option))
        return FALSE;
      if (g_ascii_strcasecmp (option->str, "SUBSCRIBED") == 0)
        {
          if (selection)
            options->subscribed_only = TRUE;
          options->show_subscribed = TRUE;
        }
      else if (g_ascii_strcasecmp (option->str, "SPECIAL-USE") == 0 && selection)
        options->special_use_only = TRUE;
      /* REMOTE, RECURSIVEMATCH, CHILDREN, SPECIAL-USE (as a RETURN option):
       * nothing to select, and CHILDREN and SPECIAL-USE attributes are
       * always returned. */
    }
  return TRUE;
}

static void
list_or_lsub (MrImapSession *self,
              MrImapCommand *command,
              gboolean       lsub)
{
  ListOptions options = { FALSE, FALSE, FALSE };
  GListModel *mailboxes;
  g_autofree char *pattern = NULL;
  const char *reference;
  const char *mailbox_pattern;
  guint n;

  if (!lsub && command->args->len > 0 && ARG (command, 0)->type == MR_IMAP_ARG_LIST)
    {
      if (!parse_list_options (ARG (command, 0), &options, TRUE))
        {
          _mr_imap_session_finish (self, "BAD", "Invalid LIST selection options");
          return;
        }
      g_ptr_array_remove_index (command->args, 0);
    }
  if (!lsub && command->args->len == 4 && mr_imap_arg_is_atom (ARG (command, 2)) &&
      g_ascii_strcasecmp (ARG (command, 2)->str, "RETURN") == 0 &&
      ARG (command, 3)->type == MR_IMAP_ARG_LIST)
    {
      if (!parse_list_options (ARG (command, 3), &options, FALSE))
        {
          _mr_imap_session_finish (self, "BAD", "Invalid LIST return options");
          return;
        }
      g_ptr_array_set_size (command->args, 2);
    }
  if (command->args->len == 2 && ARG (command, 1)->type == MR_IMAP_ARG_LIST &&
      ARG (command, 1)->list->len == 1)
    {
      /* A pattern list of one (RFC 5258 3) */
      MrImapArg *inner = g_ptr_array_steal_index (ARG (command, 1)->list, 0);

      g_ptr_array_remove_index (command->args, 1);
      g_ptr_array_add (command->args, inner);
    }

  if (!check_args (self, command, 2, 2) ||
      (reference = get_astring (self, command, 0)) == NULL ||
      (mailbox_pattern = get_astring (self, command, 1)) == NULL)
    return;

  if (*mailbox_pattern == '\0')
    {
      /* RFC 3501 6.3.8: the delimiter and the root. */
      if (!lsub)
        _mr_imap_session_untagged (self, "LIST (\\Noselect) \"/\" \"\"");
      _mr_imap_session_finish (self, "OK", "%s completed", command->name);
      return;
    }

  pattern = g_strconcat (reference, mailbox_pattern, NULL);
  mailboxes = mr_account_get_mailboxes (self->account);
  n = g_list_model_get_n_items (mailboxes);

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(MrMailbox) mailbox = g_list_model_get_item (mailboxes, i);
      const char *name = mr_mailbox_get_name (mailbox);
      const char *special_use = mr_mailbox_get_special_use (mailbox);
      g_autofree char *prefix = g_strdup_printf ("%s%c", name, MR_MAILBOX_DELIMITER);
      gboolean children = FALSE;
      GString *attributes;

      /* RFC 3501 6.3.8: a parent that only exists as a level of the
       * hierarchy ("Projects" of "Projects/Lab") is listed \Noselect. */
      for (const char *slash = strchr (name, MR_MAILBOX_DELIMITER);
           slash && !lsub && !options.subscribed_only && !options.special_use_only;
           slash = strchr (slash + 1, MR_MAILBOX_DELIMITER))
        {
          g_autofree char *parent = g_strndup (name, slash - name);
          gboolean seen = mr_account_lookup_mailbox (self->account, parent) != NULL;

          /* Only once: list it for the first mailbox under it. */
          for (guint j = 0; j < i && !seen; j++)
            {
              g_autoptr(MrMailbox) other = g_list_model_get_item (mailboxes, j);
              const char *other_name = mr_mailbox_get_name (other);

              seen = g_str_has_prefix (other_name, parent) &&
                     other_name[slash - name] == MR_MAILBOX_DELIMITER;
            }
          if (seen || !mailbox_matches (pattern, parent))
            continue;
          mr_imap_response_printf (self->response, "* %s (\\Noselect \\HasChildren) \"/\" ",
                                   command->name);
          mr_imap_response_append_nstring (self->response, parent);
          _mr_imap_session_flush_response (self, MR_EVENT_FLAG_UNTAGGED);
        }

      if (!mailbox_matches (pattern, name))
        continue;
      if ((lsub || options.subscribed_only) && !mr_mailbox_get_subscribed (mailbox))
        continue;
      if (options.special_use_only && special_use == NULL)
        continue;

      for (guint j = 0; j < n && !children; j++)
        {
          g_autoptr(MrMailbox) other = g_list_model_get_item (mailboxes, j);

          children = g_str_has_prefix (mr_mailbox_get_name (other), prefix);
        }

      /* RFC 3348 CHILDREN and RFC 6154 SPECIAL-USE attributes. */
      attributes = g_string_new (children ? "\\HasChildren" : "\\HasNoChildren");
      if (special_use)
        g_string_append_printf (attributes, " %s", special_use);
      if (options.show_subscribed && mr_mailbox_get_subscribed (mailbox))
        g_string_append (attributes, " \\Subscribed");

      mr_imap_response_printf (self->response, "* %s (%s) \"/\" ", command->name, attributes->str);
      mr_imap_response_append_nstring (self->response, name);
      _mr_imap_session_flush_response (self, MR_EVENT_FLAG_UNTAGGED);
      g_string_free (attributes, TRUE);
    }

  _mr_imap_session_finish (self, "OK", "%s completed", command->name);
}

static void
cmd_list (MrImapSession *self,
          MrImapCommand *command)
{
  list_or_lsub (self, command, FALSE);
}

static void
cmd_lsub (MrImapSession *self,
          MrImapCommand *command)
{
  list_or_lsub (self, command, TRUE);
}

static void
cmd_namespace (MrImapSession *self,
               MrImapCommand *command)
{
  /* RFC 2342: one personal namespace, no others. */
  _mr_imap_session_untagged (self, "NAMESPACE ((\"\" \"/\")) NIL NIL");
  _mr_imap_session_finish (self, "OK", "NAMESPACE completed");
}

static guint
count_flag (MrMailbox      *mailbox,
            MrMessageFlags  flag)
{
  guint n = mr_mailbox_get_n_messages (mailbox);
  guint count = 0;

  for (guint i = 0; i < n; i++)
    if (mr_message_get_flags (mr_mailbox_get_message (mailbox, i)) & flag)
      count++;
  return count;
}

static void
cmd_status (MrImapSession *self,
            MrImapCommand *command)
{
  g_autoptr(GString) items = g_string_new (NULL);
  MrImapArg *list = ARG (command, 1);
  MrMailbox *mailbox;
  const char *name;

  if (!check_args (self, command, 2, 2) || (name = get_astring (self, command, 0)) == NULL)
    return;
  if (list->type != MR_IMAP_ARG_LIST || list->list->len == 0)
    {
      _mr_imap_session_finish (self, "BAD", "Invalid status items");
      return;
    }

  mailbox = lookup_mailbox (self, name);
  if (mailbox == NULL)
    {
      _mr_imap_session_finish (self, "NO", "[NONEXISTENT] Mailbox doesn't exist: %s", name);
      return;
    }

  /* RFC 3501 6.3.10 */
  for (guint i = 0; i < list->list->len; i++)
    {
      MrImapArg *item = g_ptr_array_index (list->list, i);
      g_autofree char *upper = NULL;

      if (!mr_imap_arg_is_atom (item))
        {
          _mr_imap_session_finish (self, "BAD", "Invalid status item");
          return;
        }
      upper = g_ascii_strup (item->str, -1);
      if (items->len)
        g_string_append_c (items, ' ');
      if (strcmp (upper, "MESSAGES") == 0)
        g_string_append_printf (items, "MESSAGES %u", mr_mailbox_get_n_messages (mailbox));
      else if (strcmp (upper, "RECENT") == 0)
        g_string_append_printf (items, "RECENT %u", count_flag (mailbox, MR_FLAG_RECENT));
      else if (strcmp (upper, "UIDNEXT") == 0)
        g_string_append_printf (items, "UIDNEXT %u", mr_mailbox_get_uidnext (mailbox));
      else if (strcmp (upper, "UIDVALIDITY") == 0)
        g_string_append_printf (items, "UIDVALIDITY %u", mr_mailbox_get_uidvalidity (mailbox));
      else if (strcmp (upper, "UNSEEN") == 0)
        g_string_append_printf (items, "UNSEEN %u", mr_mailbox_count_unseen (mailbox));
      else
        {
          _mr_imap_session_finish (self, "BAD", "Unknown status item %s", item->str);
          return;
        }
    }

  mr_imap_response_append (self->response, "* STATUS ");
  mr_imap_response_append_nstring (self->response, mr_mailbox_get_name (mailbox));
  mr_imap_response_printf (self->response, " (%s)", items->str);
  _mr_imap_session_flush_response (self, MR_EVENT_FLAG_UNTAGGED);
  _mr_imap_session_finish (self, "OK", "STATUS completed");
}

/* Flags from a list or a single atom; FALSE for an unknown system flag. */
static gboolean
parse_flags (MrImapArg       *arg,
             MrMessageFlags  *flags_r,
             GPtrArray       *keywords)
{
  GPtrArray *list = NULL;
  g_autoptr(GPtrArray) single = NULL;

  *flags_r = 0;
  if (arg == NULL)
    return FALSE;
  if (arg->type == MR_IMAP_ARG_LIST)
    list = arg->list;
  else if (arg->type == MR_IMAP_ARG_ATOM)
    {
      single = g_ptr_array_new ();
      g_ptr_array_add (single, arg);
      list = single;
    }
  else
    return FALSE;

  for (guint i = 0; i < list->len; i++)
    {
      MrImapArg *flag = g_ptr_array_index (list, i);
      MrMessageFlags value;

      if (!mr_imap_arg_is_atom (flag))
        return FALSE;
      if (flag->str[0] == '\\')
        {
          if (!mr_message_flag_from_string (flag->str, &value))
            return FALSE;
          *flags_r |= value & MR_FLAGS_PERMANENT;
        }
      else
        {
          gboolean seen = FALSE;

          for (guint j = 0; j < keywords->len; j++)
            if (g_ascii_strcasecmp (keywords->pdata[j], flag->str) == 0)
              seen = TRUE;
          if (!seen)
            g_ptr_array_add (keywords, g_strdup (flag->str));
        }
    }
  return TRUE;
}

static void
cmd_append (MrImapSession *self,
            MrImapCommand *command)
{
  g_autoptr(GPtrArray) keywords = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) raw = NULL;
  MrMessageFlags flags = 0;
  gint64 date = self->clock ? mr_clock_now (self->clock) : g_get_real_time ();
  MrMailbox *mailbox;
  MrMessage *message;
  MrImapArg *data;
  const char *name;
  guint i = 1;

  if (!check_args (self, command, 2, 4) || (name = get_astring (self, command, 0)) == NULL)
    return;

  /* append = "APPEND" SP mailbox [SP flag-list] [SP date-time] SP literal */
  if (ARG (command, i)->type == MR_IMAP_ARG_LIST)
    {
      if (!parse_flags (ARG (command, i), &flags, keywords))
        {
          _mr_imap_session_finish (self, "BAD", "Invalid flags");
          return;
        }
      i++;
    }
  if (i + 1 < command->args->len && ARG (command, i)->type == MR_IMAP_ARG_STRING)
    {
      date = mr_imap_parse_date_time (ARG (command, i)->str);
      if (date < 0)
        {
          _mr_imap_session_finish (self, "BAD", "Invalid date-time");
          return;
        }
      i++;
    }
  data = ARG (command, i);
  if (data == NULL || i + 1 != command->args->len ||
      (data->type != MR_IMAP_ARG_LITERAL && data->type != MR_IMAP_ARG_STRING))
    {
      _mr_imap_session_finish (self, "BAD", "Missing message literal");
      return;
    }

  mailbox = lookup_mailbox (self, name);
  if (mailbox == NULL)
    {
      /* RFC 3501 6.3.11: the client may create it and try again. */
      _mr_imap_session_finish (self, "NO", "[TRYCREATE] Mailbox doesn't exist: %s", name);
      return;
    }
  if (data->len > mr_session_get_limits (MR_SESSION (self))->max_message)
    {
      _mr_imap_session_finish (self, "NO", "[LIMIT] Message too big");
      return;
    }

  g_ptr_array_add (keywords, NULL);
  raw = g_bytes_new (data->str, data->len);
  message = mr_mailbox_append (mailbox, raw, flags | MR_FLAG_RECENT,
                               (const char * const *)keywords->pdata, date, &error);
  if (message == NULL)
    {
      _mr_imap_session_finish (self, "NO", "[SERVERBUG] %s", error->message);
      return;
    }
  /* RFC 4315 3: APPENDUID */
  _mr_imap_session_finish (self, "OK", "[APPENDUID %u %u] APPEND completed",
                           mr_mailbox_get_uidvalidity (mailbox), mr_message_get_uid (message));
}

/* Selected */

static void
cmd_check (MrImapSession *self,
           MrImapCommand *command)
{
  /* Every change is persisted as it happens; nothing to checkpoint. */
  _mr_imap_session_finish (self, "OK", "CHECK completed");
}

static void
expunge_deleted (MrMailbox            *mailbox,
                 const MrImapSequence *uids)
{
  g_autoptr(GPtrArray) doomed = g_ptr_array_new_with_free_func (g_object_unref);
  guint n = mr_mailbox_get_n_messages (mailbox);
  guint32 max_uid = n ? mr_message_get_uid (mr_mailbox_get_message (mailbox, n - 1)) : 0;

  for (guint i = 0; i < n; i++)
    {
      MrMessage *message = mr_mailbox_get_message (mailbox, i);

      if (!(mr_message_get_flags (message) & MR_FLAG_DELETED))
        continue;
      if (uids && !mr_imap_sequence_contains (uids, mr_message_get_uid (message), max_uid))
        continue;
      g_ptr_array_add (doomed, g_object_ref (message));
    }
  for (guint i = 0; i < doomed->len; i++)
    mr_mailbox_expunge (mailbox, g_ptr_array_index (doomed, i), NULL);
}

static void
cmd_close (MrImapSession *self,
           MrImapCommand *command)
{
  g_autoptr(MrMailbox) mailbox = g_object_ref (self->mailbox);
  gboolean read_only = self->read_only;

  /* RFC 3501 6.4.2: expunge silently (no untagged EXPUNGE), then leave. */
  _mr_imap_session_deselect (self);
  if (!read_only)
    expunge_deleted (mailbox, NULL);
  _mr_imap_session_finish (self, "OK", "CLOSE completed");
}

static void
cmd_unselect (MrImapSession *self,
              MrImapCommand *command)
{
  /* RFC 3691 */
  _mr_imap_session_deselect (self);
  _mr_imap_session_finish (self, "OK", "UNSELECT completed");
}

static void
cmd_expunge (MrImapSession *self,
             MrImapCommand *command)
{
  g_autoptr(MrImapSequence) uids = NULL;
  g_autoptr(GError) error = NULL;

  if (self->read_only)
    {
      _mr_imap_session_finish (self, "NO", "[READ-ONLY] Mailbox is read-only");
      return;
    }
  if (self->uid)
    {
      /* RFC 4315 2.1: UID EXPUNGE sequence-set */
      const char *set = command->args->len == 1 ? mr_imap_arg_get_astring (ARG (command, 0)) : NULL;

      if (set == NULL || (uids = mr_imap_sequence_parse (set, &error)) == NULL)
        {
          _mr_imap_session_finish (self, "BAD", "Invalid UID set");
          return;
        }
    }
  else if (!check_args (self, command, 0, 0))
    return;

  expunge_deleted (self->mailbox, uids);
  _mr_imap_session_finish (self, "OK", "%sEXPUNGE completed", self->uid ? "UID " : "");
}

/* The messages a sequence set names, as indexes into the view: sequence
 * numbers, or UIDs for UID commands (RFC 3501 6.4.8). */
static GArray *
resolve_set (MrImapSession *self,
             MrImapArg     *arg)
{
  g_autoptr(MrImapSequence) set = NULL;
  g_autoptr(GArray) indexes = g_array_new (FALSE, FALSE, sizeof (guint));
  GPtrArray *view = self->view;

  if (!mr_imap_arg_is_atom (arg) || (set = mr_imap_sequence_parse (arg->str, NULL)) == NULL)
    {
      _mr_imap_session_finish (self, "BAD", "Invalid sequence set");
      return NULL;
    }

  if (self->uid)
    {
      guint32 max_uid = view->len ? mr_message_get_uid (g_ptr_array_index (view, view->len - 1)) : 0;

      if (view->len == 0)
        return g_steal_pointer (&indexes);
      for (guint i = 0; i < view->len; i++)
        if (mr_imap_sequence_contains (set, mr_message_get_uid (g_ptr_array_index (view, i)), max_uid))
          g_array_append_val (indexes, i);
      return g_steal_pointer (&indexes);
    }

  /* RFC 3501 9 seq-number: a number past the last message is an error. */
  if (mr_imap_sequence_get_max (set) > view->len ||
      (view->len == 0 && mr_imap_sequence_has_star (set)))
    {
      _mr_imap_session_finish (self, "BAD", "Invalid message sequence number");
      return NULL;
    }
  for (guint i = 0; i < view->len; i++)
    if (mr_imap_sequence_contains (set, i + 1, view->len))
      g_array_append_val (indexes, i);
  return g_steal_pointer (&indexes);
}

static void
cmd_fetch (MrImapSession *self,
           MrImapCommand *command)
{
  g_autoptr(MrImapFetch) fetch = NULL;
  g_autoptr(GArray) indexes = NULL;
  g_autoptr(GError) error = NULL;
  gboolean sets_seen;

  if (!check_args (self, command, 2, 3))
    return;
  if (command->args->len == 3)
    {
      /* No CONDSTORE: fetch modifiers are not known. */
      _mr_imap_session_finish (self, "BAD", "Unknown FETCH modifier");
      return;
    }
  fetch = mr_imap_fetch_parse (ARG (command, 1), self->uid, &error);
  if (fetch == NULL)
    {
      _mr_imap_session_finish (self, "BAD", "%s", error->message);
      return;
    }
  if ((indexes = resolve_set (self, ARG (command, 0))) == NULL)
    return;

  sets_seen = mr_imap_fetch_sets_seen (fetch) && !self->read_only;

  for (guint i = 0; i < indexes->len; i++)
    {
      guint index = g_array_index (indexes, guint, i);
      MrMessage *message = g_ptr_array_index (self->view, index);
      g_autofree char *flags = NULL;
      gboolean add_flags = FALSE;

      /* RFC 3501 6.4.5: BODY[...] without .PEEK sets \Seen, and the FETCH
       * response then carries the new FLAGS. */
      if (sets_seen && !(mr_message_get_flags (message) & MR_FLAG_SEEN) &&
          mr_mailbox_index_of (self->mailbox, message) >= 0)
        {
          if (_mr_imap_session_set_flags (self, message, mr_message_get_flags (message) | MR_FLAG_SEEN,
                                          NULL, NULL))
            add_flags = TRUE;
        }
      flags = _mr_imap_session_dup_flags (self, message);
      mr_imap_fetch_write (fetch, message, index + 1, flags, add_flags, self->response);
      _mr_imap_session_flush_response (self, MR_EVENT_FLAG_UNTAGGED);
    }

  _mr_imap_session_finish (self, "OK", "%sFETCH completed", self->uid ? "UID " : "");
}

static void
cmd_store (MrImapSession *self,
           MrImapCommand *command)
{
  g_autoptr(GPtrArray) keywords = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GArray) indexes = NULL;
  g_autofree char *item = NULL;
  MrMessageFlags flags;
  gboolean silent = FALSE;
  int mode;  /* 0 replace, 1 add, -1 remove */
  const char *p;

  if (!check_args (self, command, 3, 3) || !mr_imap_arg_is_atom (ARG (command, 1)))
    {
      if (!self->finished)
        _mr_imap_session_finish (self, "BAD", "Invalid arguments");
      return;
    }

  /* store-att-flags = (["+" / "-"] "FLAGS" [".SILENT"]) SP (flag-list / (flag *(SP flag))) */
  item = g_ascii_strup (ARG (command, 1)->str, -1);
  p = item;
  mode = *p == '+' ? 1 : *p == '-' ? -1 : 0;
  if (mode != 0)
    p++;
  if (g_str_has_prefix (p, "FLAGS"))
    {
      p += 5;
      if (strcmp (p, ".SILENT") == 0)
        silent = TRUE;
      else if (*p != '\0')
        p = NULL;
    }
  else
    p = NULL;
  if (p == NULL)
    {
      _mr_imap_session_finish (self, "BAD", "Invalid STORE item %s", ARG (command, 1)->str);
      return;
    }
  if (!parse_flags (ARG (command, 2), &flags, keywords))
    {
      _mr_imap_session_finish (self, "BAD", "Invalid flags");
      return;
    }
  if ((indexes = resolve_set (self, ARG (command, 0))) == NULL)
    return;
  if (self->read_only)
    {
      _mr_imap_session_finish (self, "NO", "[READ-ONLY] Mailbox is read-only");
      return;
    }

  for (guint i = 0; i < indexes->len; i++)
    {
      guint index = g_array_index (indexes, guint, i);
      MrMessage *message = g_ptr_array_index (self->view, index);
      MrMessageFlags old = mr_message_get_flags (message) & MR_FLAGS_PERMANENT;
      MrMessageFlags new_flags;
      g_autoptr(GPtrArray) new_keywords = g_ptr_array_new ();
      const char * const *current = mr_message_get_keywords (message);
      g_autofree char *shown = NULL;

      if (mode == 0)
        {
          new_flags = flags;
          for (guint k = 0; k < keywords->len; k++)
            g_ptr_array_add (new_keywords, keywords->pdata[k]);
        }
      else
        {
          new_flags = mode > 0 ? (old | flags) : (old & ~flags);
          for (guint k = 0; current && current[k]; k++)
            {
              gboolean listed = FALSE;

              for (guint j = 0; j < keywords->len; j++)
                if (g_ascii_strcasecmp (keywords->pdata[j], current[k]) == 0)
                  listed = TRUE;
              if (mode > 0 || !listed)
                g_ptr_array_add (new_keywords, (char *)current[k]);
            }
          if (mode > 0)
            for (guint j = 0; j < keywords->len; j++)
              {
                gboolean present = FALSE;

                for (guint k = 0; current && current[k]; k++)
                  if (g_ascii_strcasecmp (keywords->pdata[j], current[k]) == 0)
                    present = TRUE;
                if (!present)
                  g_ptr_array_add (new_keywords, keywords->pdata[j]);
              }
        }
      g_ptr_array_add (new_keywords, NULL);

      /* An expunged message that the view still holds keeps its flags. */
      if (mr_mailbox_index_of (self->mailbox, message) >= 0)
        _mr_imap_session_set_flags (self, message, new_flags,
                                    (const char * const *)new_keywords->pdata, NULL);

      if (silent)
        continue;
      shown = _mr_imap_session_dup_flags (self, message);
      if (self->uid)
        _mr_imap_session_untagged (self, "%u FETCH (UID %u FLAGS (%s))", index + 1,
                                   mr_message_get_uid (message), shown);
      else
        _mr_imap_session_untagged (self, "%u FETCH (FLAGS (%s))", index + 1, shown);
    }

  _mr_imap_session_finish (self, "OK", "%sSTORE completed", self->uid ? "UID " : "");
}

static void
copy_or_move (MrImapSession *self,
              MrImapCommand *command,
              gboolean       move)
{
  g_autoptr(GArray) indexes = NULL;
  g_autoptr(GArray) source_uids = g_array_new (FALSE, FALSE, sizeof (guint32));
  g_autoptr(GArray) dest_uids = g_array_new (FALSE, FALSE, sizeof (guint32));
  g_autoptr(GPtrArray) moved = g_ptr_array_new ();
  g_autofree char *source_set = NULL;
  g_autofree char *dest_set = NULL;
  MrMailbox *dest;
  const char *name;

  if (!check_args (self, command, 2, 2) || (name = get_astring (self, command, 1)) == NULL)
    return;
  if ((indexes = resolve_set (self, ARG (command, 0))) == NULL)
    return;

  dest = lookup_mailbox (self, name);
  if (dest == NULL)
    {
      _mr_imap_session_finish (self, "NO", "[TRYCREATE] Mailbox doesn't exist: %s", name);
      return;
    }
  if (move && self->read_only)
    {
      _mr_imap_session_finish (self, "NO", "[READ-ONLY] Mailbox is read-only");
      return;
    }

  for (guint i = 0; i < indexes->len; i++)
    {
      MrMessage *message = g_ptr_array_index (self->view, g_array_index (indexes, guint, i));
      g_autoptr(GError) error = NULL;
      MrMessage *copy;
      guint32 uid;

      if (mr_mailbox_index_of (self->mailbox, message) < 0)
        continue;
      copy = mr_mailbox_append (dest, mr_message_get_raw (message),
                                (mr_message_get_flags (message) & MR_FLAGS_PERMANENT) | MR_FLAG_RECENT,
                                mr_message_get_keywords (message),
                                mr_message_get_internal_date (message), &error);
      if (copy == NULL)
        {
          _mr_imap_session_finish (self, "NO", "[SERVERBUG] %s", error->message);
          return;
        }
      uid = mr_message_get_uid (message);
      g_array_append_val (source_uids, uid);
      uid = mr_message_get_uid (copy);
      g_array_append_val (dest_uids, uid);
      g_ptr_array_add (moved, message);
    }

  if (source_uids->len == 0)
    {
      _mr_imap_session_finish (self, "OK", "No messages %s", move ? "moved" : "copied");
      return;
    }

  /* RFC 4315 3: COPYUID uidvalidity source-uids dest-uids */
  source_set = mr_imap_sequence_format (&g_array_index (source_uids, guint32, 0), source_uids->len);
  dest_set = mr_imap_sequence_format (&g_array_index (dest_uids, guint32, 0), dest_uids->len);

  if (!move)
    {
      _mr_imap_session_finish (self, "OK", "[COPYUID %u %s %s] COPY completed",
                               mr_mailbox_get_uidvalidity (dest), source_set, dest_set);
      return;
    }

  /* RFC 6851 3.3: COPYUID goes in an untagged OK before the EXPUNGEs. */
  _mr_imap_session_untagged (self, "OK [COPYUID %u %s %s] Moved",
                             mr_mailbox_get_uidvalidity (dest), source_set, dest_set);
  for (guint i = 0; i < moved->len; i++)
    mr_mailbox_expunge (self->mailbox, g_ptr_array_index (moved, i), NULL);
  _mr_imap_session_finish (self, "OK", "%sMOVE completed", self->uid ? "UID " : "");
}

static void
cmd_copy (MrImapSession *self,
          MrImapCommand *command)
{
  copy_or_move (self, command, FALSE);
}

static void
cmd_move (MrImapSession *self,
          MrImapCommand *command)
{
  copy_or_move (self, command, TRUE);
}

static void
cmd_search (MrImapSession *self,
            MrImapCommand *command)
{
  g_autoptr(MrImapSearch) search = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GString) line = g_string_new ("SEARCH");
  guint start = 0;
  guint32 max_uid;

  if (command->args->len >= 2 && mr_imap_arg_is_atom (ARG (command, 0)) &&
      g_ascii_strcasecmp (ARG (command, 0)->str, "CHARSET") == 0)
    {
      const char *charset = mr_imap_arg_get_astring (ARG (command, 1));

      /* RFC 3501 6.4.4: US-ASCII must work; we take UTF-8 as well. */
      if (charset == NULL ||
          (g_ascii_strcasecmp (charset, "UTF-8") != 0 && g_ascii_strcasecmp (charset, "US-ASCII") != 0))
        {
          _mr_imap_session_finish (self, "NO", "[BADCHARSET (UTF-8 US-ASCII)] Unsupported charset");
          return;
        }
      start = 2;
    }

  search = mr_imap_search_parse (command->args, start, &error);
  if (search == NULL)
    {
      _mr_imap_session_finish (self, "BAD", "%s", error->message);
      return;
    }

  max_uid = self->view->len ? mr_message_get_uid (g_ptr_array_index (self->view, self->view->len - 1)) : 0;
  for (guint i = 0; i < self->view->len; i++)
    {
      MrMessage *message = g_ptr_array_index (self->view, i);
      MrImapSearchContext context = {
        .seq = i + 1,
        .n_messages = self->view->len,
        .max_uid = max_uid,
        .recent = g_hash_table_contains (self->recent, message),
      };

      if (mr_imap_search_matches (search, message, &context))
        g_string_append_printf (line, " %u", self->uid ? mr_message_get_uid (message) : i + 1);
    }

  _mr_imap_session_untagged (self, "%s", line->str);
  _mr_imap_session_finish (self, "OK", "%sSEARCH completed", self->uid ? "UID " : "");
}

static void
cmd_idle (MrImapSession *self,
          MrImapCommand *command)
{
  if (!check_args (self, command, 0, 0))
    return;
  _mr_imap_session_start_idle (self, command->tag);
}

/* RFC 3501 6 and the extensions; states as RFC 3501 3 assigns them. */
#define NA MR_IMAP_ALLOW_NOT_AUTH
#define AU MR_IMAP_ALLOW_AUTH
#define SE MR_IMAP_ALLOW_SELECTED

static const MrImapCommandEntry commands[] = {
  { "CAPABILITY",   MR_IMAP_ALLOW_ANY,      cmd_capability },
  { "NOOP",         MR_IMAP_ALLOW_ANY,      cmd_noop },
  { "LOGOUT",       MR_IMAP_ALLOW_ANY,      cmd_logout },
  { "ID",           MR_IMAP_ALLOW_ANY,      cmd_id },
  { "STARTTLS",     NA,                     cmd_starttls },
  { "AUTHENTICATE", NA | MR_IMAP_MASK_ARGS, cmd_authenticate },
  { "LOGIN",        NA | MR_IMAP_MASK_ARGS, cmd_login },
  { "ENABLE",       AU | SE,                cmd_enable },
  { "SELECT",       AU | SE,                cmd_select },
  { "EXAMINE",      AU | SE,                cmd_examine },
  { "CREATE",       AU | SE,                cmd_create },
  { "DELETE",       AU | SE,                cmd_delete },
  { "RENAME",       AU | SE,                cmd_rename },
  { "SUBSCRIBE",    AU | SE,                cmd_subscribe },
  { "UNSUBSCRIBE",  AU | SE,                cmd_unsubscribe },
  { "LIST",         AU | SE,                cmd_list },
  { "LSUB",         AU | SE,                cmd_lsub },
  { "NAMESPACE",    AU | SE,                cmd_namespace },
  { "STATUS",       AU | SE,                cmd_status },
  { "APPEND",       AU | SE,                cmd_append },
  { "IDLE",         AU | SE,                cmd_idle },
  { "CHECK",        SE,                     cmd_check },
  { "CLOSE",        SE,                     cmd_close },
  { "UNSELECT",     SE,                     cmd_unselect },
  { "EXPUNGE",      SE | MR_IMAP_UID_OK,    cmd_expunge },
  { "SEARCH",       SE | MR_IMAP_UID_OK | MR_IMAP_NO_EXPUNGE, cmd_search },
  { "FETCH",        SE | MR_IMAP_UID_OK | MR_IMAP_NO_EXPUNGE, cmd_fetch },
  { "STORE",        SE | MR_IMAP_UID_OK | MR_IMAP_NO_EXPUNGE, cmd_store },
  { "COPY",         SE | MR_IMAP_UID_OK,    cmd_copy },
  { "MOVE",         SE | MR_IMAP_UID_OK,    cmd_move },
};

#undef NA
#undef AU
#undef SE

const MrImapCommandEntry *
_mr_imap_command_lookup (const char *name)
{
  for (guint i = 0; i < G_N_ELEMENTS (commands); i++)
    if (strcmp (commands[i].name, name) == 0)
      return &commands[i];
  return NULL;
}
