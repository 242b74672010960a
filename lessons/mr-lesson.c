/* mr-lesson.c
 *
 * Copyright 2026 The Mailroom authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "mr-lesson"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <json-glib/json-glib.h>

#include "mr-clock.h"
#include "mr-lesson.h"

/*
 * The loader doubles as the validator: every rule a lesson file must follow
 * is checked here, and a broken file is reported as "FILE:LINE: reason" so a
 * teacher writing a lesson in a text editor can jump to the mistake.
 * json-glib keeps no positions in its tree, so the loader listens to the
 * parser's signals and remembers the line where each object, array and
 * member was read.
 */

#define LESSON_FORMAT 1

G_DEFINE_QUARK (mr-lesson-error-quark, mr_lesson_error)
G_DEFINE_BOXED_TYPE (MrLesson, mr_lesson, mr_lesson_ref, mr_lesson_unref)

typedef struct
{
  const char *filename;
  GHashTable *lines;      /* "%p" or "%p/member" -> line */
  GArray     *starts;     /* stack of '{' / '[' lines */
  GError     *error;
} Loader;

/* Freeing */

static void
goal_free (MrLessonGoal *goal)
{
  if (goal == NULL)
    return;
  g_free (goal->verb);
  g_clear_pointer (&goal->pattern, g_regex_unref);
  g_free (goal->enhanced);
  g_free (goal->account);
  g_free (goal->mailbox);
  g_clear_pointer (&goal->subject, g_regex_unref);
  g_free (goal->header);
  g_clear_pointer (&goal->header_value, g_regex_unref);
  g_clear_pointer (&goal->body, g_regex_unref);
  g_free (goal->state);
  g_clear_pointer (&goal->children, g_ptr_array_unref);
  g_free (goal);
}

static void
hint_free (MrLessonHint *hint)
{
  g_clear_pointer (&hint->match, g_regex_unref);
  g_clear_pointer (&hint->reply, g_regex_unref);
  g_free (hint->text);
  g_free (hint->example);
  g_free (hint);
}

static void
account_free (MrLessonAccount *account)
{
  g_free (account->address);
  g_free (account->password);
  g_free (account->display_name);
  g_free (account);
}

static void
message_free (MrLessonMessage *message)
{
  g_free (message->account);
  g_free (message->mailbox);
  g_free (message->raw);
  g_free (message->from);
  g_free (message->to);
  g_free (message->subject);
  g_free (message->body);
  g_free (message);
}

static void
fault_free (MrLessonFault *fault)
{
  g_free (fault->name);
  g_free (fault->target);
  g_free (fault);
}

static void
setup_free (MrLessonSetup *setup)
{
  if (setup == NULL)
    return;
  g_clear_pointer (&setup->accounts, g_ptr_array_unref);
  g_clear_pointer (&setup->messages, g_ptr_array_unref);
  g_clear_pointer (&setup->faults, g_ptr_array_unref);
  g_free (setup->client);
  g_free (setup);
}

static void
predict_free (MrLessonPredict *predict)
{
  if (predict == NULL)
    return;
  g_free (predict->verb);
  g_strfreev (predict->choices);
  g_free (predict->answer);
  g_free (predict->explanation);
  g_free (predict);
}

static void
step_free (MrLessonStep *step)
{
  g_free (step->id);
  g_free (step->title);
  g_free (step->instruction);
  g_free (step->hint);
  g_free (step->stronger_hint);
  g_free (step->explanation);
  g_free (step->rfc);
  setup_free (step->setup);
  goal_free (step->goal);
  g_clear_pointer (&step->hints, g_ptr_array_unref);
  predict_free (step->predict);
  g_strfreev (step->solution);
  g_free (step);
}

MrLesson *
mr_lesson_ref (MrLesson *self)
{
  g_return_val_if_fail (self != NULL, NULL);
  g_atomic_ref_count_inc (&self->ref_count);
  return self;
}

void
mr_lesson_unref (MrLesson *self)
{
  g_return_if_fail (self != NULL);

  if (!g_atomic_ref_count_dec (&self->ref_count))
    return;

  g_free (self->id);
  g_free (self->filename);
  g_free (self->title);
  g_free (self->summary);
  g_free (self->intro);
  g_free (self->conclusion);
  g_strfreev (self->rfc);
  g_free (self->client);
  g_strfreev (self->requires);
  setup_free (self->setup);
  g_clear_pointer (&self->steps, g_ptr_array_unref);
  g_free (self);
}

guint
mr_lesson_get_n_steps (MrLesson *self)
{
  g_return_val_if_fail (self != NULL, 0);
  return self->steps->len;
}

MrLessonStep *
mr_lesson_get_step (MrLesson *self,
                    guint     index)
{
  g_return_val_if_fail (self != NULL, NULL);
  g_return_val_if_fail (index < self->steps->len, NULL);
  return g_ptr_array_index (self->steps, index);
}

gboolean
mr_lesson_goal_needs_world (const MrLessonGoal *goal)
{
  if (goal == NULL)
    return FALSE;
  if (goal->type == MR_LESSON_GOAL_QUEUE || goal->type == MR_LESSON_GOAL_DSN)
    return TRUE;
  if (goal->children != NULL)
    for (guint i = 0; i < goal->children->len; i++)
      if (mr_lesson_goal_needs_world (g_ptr_array_index (goal->children, i)))
        return TRUE;
  return FALSE;
}

/* Positions */

static void
on_object_start (JsonParser *parser,
                 Loader     *loader)
{
  guint line = json_parser_get_current_line (parser);
  g_array_append_val (loader->starts, line);
}

static void
on_object_end (JsonParser *parser,
               gpointer    container,
               Loader     *loader)
{
  guint line = 0;

  if (loader->starts->len > 0)
    {
      line = g_array_index (loader->starts, guint, loader->starts->len - 1);
      g_array_set_size (loader->starts, loader->starts->len - 1);
    }
  g_hash_table_insert (loader->lines, g_strdup_printf ("%p", container), GUINT_TO_POINTER (line));
}

static void
on_object_member (JsonParser *parser,
                  JsonObject *object,
                  const char *member,
                  Loader     *loader)
{
  JsonNode *node = json_object_get_member (object, member);
  guint line = json_parser_get_current_line (parser);

  /* A nested object's member is reported at its closing brace: use the
   * opening one, which on_object_end() recorded just before. */
  if (JSON_NODE_HOLDS_OBJECT (node) || JSON_NODE_HOLDS_ARRAY (node))
    {
      gconstpointer container = JSON_NODE_HOLDS_OBJECT (node)
                                ? (gconstpointer) json_node_get_object (node)
                                : (gconstpointer) json_node_get_array (node);
      g_autofree char *key = g_strdup_printf ("%p", container);

      line = GPOINTER_TO_UINT (g_hash_table_lookup (loader->lines, key));
    }
  g_hash_table_insert (loader->lines, g_strdup_printf ("%p/%s", object, member),
                       GUINT_TO_POINTER (line));
}

static guint
line_of (Loader     *loader,
         gconstpointer container,
         const char *member)
{
  g_autofree char *key = NULL;
  gpointer value;

  if (member != NULL)
    {
      key = g_strdup_printf ("%p/%s", container, member);
      if (g_hash_table_lookup_extended (loader->lines, key, NULL, &value))
        return GPOINTER_TO_UINT (value);
      g_free (key);
    }
  key = g_strdup_printf ("%p", container);
  if (g_hash_table_lookup_extended (loader->lines, key, NULL, &value))
    return GPOINTER_TO_UINT (value);
  return 0;
}

static gboolean fail (Loader        *loader,
                      gconstpointer  container,
                      const char    *member,
                      const char    *format,
                      ...) G_GNUC_PRINTF (4, 5);

/* Records the first error only: later ones are usually consequences. */
static gboolean
fail (Loader        *loader,
      gconstpointer  container,
      const char    *member,
      const char    *format,
      ...)
{
  g_autofree char *reason = NULL;
  va_list args;

  if (loader->error != NULL)
    return FALSE;

  va_start (args, format);
  reason = g_strdup_vprintf (format, args);
  va_end (args);

  g_set_error (&loader->error, MR_LESSON_ERROR, MR_LESSON_ERROR_INVALID,
               "%s:%u: %s", loader->filename, line_of (loader, container, member), reason);
  return FALSE;
}

/* Typed access */

static char *
translate (const char *msgid)
{
  if (msgid == NULL || *msgid == '\0')
    return g_strdup (msgid);
  return g_strdup (g_dgettext (GETTEXT_PACKAGE, msgid));
}

static gboolean
check_members (Loader            *loader,
               JsonObject        *object,
               const char        *what,
               const char * const *allowed)
{
  g_autoptr(GList) members = json_object_get_members (object);

  for (const GList *l = members; l != NULL; l = l->next)
    if (!g_strv_contains (allowed, l->data))
      return fail (loader, object, l->data, "unknown member \"%s\" in %s", (const char *)l->data, what);
  return TRUE;
}

/* A string member. Returns FALSE (and fails) when it has the wrong type or
 * is required and missing; *out_r stays NULL when absent. */
static gboolean
get_string (Loader      *loader,
            JsonObject  *object,
            const char  *member,
            gboolean     required,
            gboolean     translatable,
            char       **out_r)
{
  JsonNode *node = json_object_get_member (object, member);
  const char *value;

  *out_r = NULL;
  if (node == NULL || JSON_NODE_HOLDS_NULL (node))
    {
      if (required)
        return fail (loader, object, NULL, "missing \"%s\"", member);
      return TRUE;
    }
  if (!JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_STRING)
    return fail (loader, object, member, "\"%s\" must be a string", member);
  value = json_node_get_string (node);
  if (required && *value == '\0')
    return fail (loader, object, member, "\"%s\" must not be empty", member);
  *out_r = translatable ? translate (value) : g_strdup (value);
  return TRUE;
}

/* Text a learner reads: a string, or an array of paragraphs (each one a
 * separate message for translators), joined with blank lines. */
static gboolean
get_text (Loader      *loader,
          JsonObject  *object,
          const char  *member,
          gboolean     required,
          char       **out_r)
{
  JsonNode *node = json_object_get_member (object, member);
  g_autoptr(GString) text = NULL;
  JsonArray *array;

  *out_r = NULL;
  if (node == NULL || !JSON_NODE_HOLDS_ARRAY (node))
    return get_string (loader, object, member, required, TRUE, out_r);

  array = json_node_get_array (node);
  if (required && json_array_get_length (array) == 0)
    return fail (loader, object, member, "\"%s\" must not be empty", member);
  text = g_string_new (NULL);
  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      JsonNode *element = json_array_get_element (array, i);
      g_autofree char *paragraph = NULL;

      if (!JSON_NODE_HOLDS_VALUE (element) || json_node_get_value_type (element) != G_TYPE_STRING)
        return fail (loader, array, NULL, "\"%s\" must hold strings only", member);
      paragraph = translate (json_node_get_string (element));
      if (text->len > 0)
        g_string_append (text, "\n\n");
      g_string_append (text, paragraph);
    }
  *out_r = g_string_free (g_steal_pointer (&text), FALSE);
  return TRUE;
}

/* An array of strings, or a lone string taken as a one-element array. */
static gboolean
get_strv (Loader      *loader,
          JsonObject  *object,
          const char  *member,
          gboolean     required,
          GStrv       *out_r)
{
  JsonNode *node = json_object_get_member (object, member);
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  JsonArray *array;

  *out_r = NULL;
  if (node == NULL)
    {
      if (required)
        return fail (loader, object, NULL, "missing \"%s\"", member);
      *out_r = g_strv_builder_end (builder);
      return TRUE;
    }
  if (JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == G_TYPE_STRING)
    {
      g_strv_builder_add (builder, json_node_get_string (node));
      *out_r = g_strv_builder_end (builder);
      return TRUE;
    }
  if (!JSON_NODE_HOLDS_ARRAY (node))
    return fail (loader, object, member, "\"%s\" must be an array of strings", member);
  array = json_node_get_array (node);
  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      JsonNode *element = json_array_get_element (array, i);

      if (!JSON_NODE_HOLDS_VALUE (element) || json_node_get_value_type (element) != G_TYPE_STRING)
        return fail (loader, object, member, "\"%s\" must hold strings only", member);
      g_strv_builder_add (builder, json_node_get_string (element));
    }
  if (required && json_array_get_length (array) == 0)
    return fail (loader, object, member, "\"%s\" must not be empty", member);
  *out_r = g_strv_builder_end (builder);
  return TRUE;
}

static gboolean
get_regex (Loader      *loader,
           JsonObject  *object,
           const char  *member,
           gboolean     required,
           GRegex     **out_r)
{
  g_autofree char *source = NULL;
  g_autoptr(GError) error = NULL;

  *out_r = NULL;
  if (!get_string (loader, object, member, required, FALSE, &source))
    return FALSE;
  if (source == NULL)
    return TRUE;
  /* Commands are case-insensitive on the wire (RFC 5321 2.4); message
   * bodies are matched line by line. */
  *out_r = g_regex_new (source, G_REGEX_CASELESS | G_REGEX_MULTILINE, 0, &error);
  if (*out_r == NULL)
    return fail (loader, object, member, "\"%s\" is not a valid regular expression: %s",
                 member, error->message);
  return TRUE;
}

static gboolean
get_uint (Loader     *loader,
          JsonObject *object,
          const char *member,
          guint      *out_r)
{
  JsonNode *node = json_object_get_member (object, member);

  if (node == NULL)
    return TRUE;
  if (!JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_INT64
      || json_node_get_int (node) < 0 || json_node_get_int (node) > G_MAXINT)
    return fail (loader, object, member, "\"%s\" must be a whole number", member);
  *out_r = json_node_get_int (node);
  return TRUE;
}

static gboolean
get_bool (Loader     *loader,
          JsonObject *object,
          const char *member,
          gboolean   *out_r)
{
  JsonNode *node = json_object_get_member (object, member);

  if (node == NULL)
    return TRUE;
  if (!JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_BOOLEAN)
    return fail (loader, object, member, "\"%s\" must be true or false", member);
  *out_r = json_node_get_boolean (node);
  return TRUE;
}

static JsonObject *
get_object (Loader     *loader,
            JsonObject *object,
            const char *member,
            gboolean    required)
{
  JsonNode *node = json_object_get_member (object, member);

  if (node == NULL)
    {
      if (required)
        fail (loader, object, NULL, "missing \"%s\"", member);
      return NULL;
    }
  if (!JSON_NODE_HOLDS_OBJECT (node))
    {
      fail (loader, object, member, "\"%s\" must be an object", member);
      return NULL;
    }
  return json_node_get_object (node);
}

static JsonArray *
get_array (Loader     *loader,
           JsonObject *object,
           const char *member,
           gboolean    required)
{
  JsonNode *node = json_object_get_member (object, member);

  if (node == NULL)
    {
      if (required)
        fail (loader, object, NULL, "missing \"%s\"", member);
      return NULL;
    }
  if (!JSON_NODE_HOLDS_ARRAY (node))
    {
      fail (loader, object, member, "\"%s\" must be an array", member);
      return NULL;
    }
  return json_node_get_array (node);
}

static JsonObject *
element_object (Loader     *loader,
                JsonArray  *array,
                guint       index,
                const char *what)
{
  JsonNode *node = json_array_get_element (array, index);

  if (!JSON_NODE_HOLDS_OBJECT (node))
    {
      fail (loader, array, NULL, "%s %u must be an object", what, index + 1);
      return NULL;
    }
  return json_node_get_object (node);
}

static gboolean
get_service (Loader     *loader,
             JsonObject *object,
             const char *member,
             MrService  *out_r)
{
  g_autofree char *name = NULL;

  if (!get_string (loader, object, member, FALSE, FALSE, &name))
    return FALSE;
  if (name == NULL)
    return TRUE;
  if (!mr_service_from_string (name, out_r) || *out_r == MR_SERVICE_HTTP)
    return fail (loader, object, member,
                 "unknown service \"%s\" (smtp, submission, smtps, pop3, pop3s, imap, imaps)", name);
  return TRUE;
}

/* Sections */

static gboolean
load_address (Loader     *loader,
              JsonObject *object,
              const char *member,
              gboolean    required,
              char      **out_r)
{
  if (!get_string (loader, object, member, required, FALSE, out_r))
    return FALSE;
  if (*out_r != NULL && strchr (*out_r, '@') == NULL)
    return fail (loader, object, member, "\"%s\" must be a mail address (\"bob@recipient.example\")", member);
  return TRUE;
}

static MrLessonGoal *load_goal (Loader     *loader,
                                JsonObject *object);

static const struct
{
  const char       *name;
  MrLessonGoalType  type;
} goal_types[] = {
  { "all", MR_LESSON_GOAL_ALL },
  { "command", MR_LESSON_GOAL_COMMAND },
  { "reply", MR_LESSON_GOAL_REPLY },
  { "message", MR_LESSON_GOAL_MESSAGE },
  { "mailbox-count", MR_LESSON_GOAL_MAILBOX_COUNT },
  { "flag", MR_LESSON_GOAL_FLAG },
  { "answer", MR_LESSON_GOAL_ANSWER },
  { "closed", MR_LESSON_GOAL_CLOSED },
  { "event", MR_LESSON_GOAL_EVENT },
  { "queue", MR_LESSON_GOAL_QUEUE },
  { "dsn", MR_LESSON_GOAL_DSN },
};

/* The codes RFC 5321 4.2.2/4.2.3 define, with the extensions the lab speaks:
 * AUTH (RFC 4954: 235 334 432 454 500 530 534 535 538), STARTTLS (RFC 3207:
 * 454), null MX (RFC 7504: 521 556), SMTPUTF8 (RFC 6531: 553). A code that
 * is not here ("345") is a mistake in the lesson. */
static gboolean
known_reply_code (guint code)
{
  static const guint codes[] = {
    211, 214, 220, 221, 235, 250, 251, 252, 334, 354, 421, 432, 450, 451, 452, 454, 455,
    500, 501, 502, 503, 504, 521, 530, 534, 535, 538, 550, 551, 552, 553, 554, 555, 556,
  };

  for (guint i = 0; i < G_N_ELEMENTS (codes); i++)
    if (codes[i] == code)
      return TRUE;
  return FALSE;
}

static gboolean
load_reply_code (Loader       *loader,
                 JsonObject   *object,
                 MrLessonGoal *goal)
{
  JsonNode *node = json_object_get_member (object, "code");
  const char *code;

  if (node == NULL)
    return TRUE;
  if (JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == G_TYPE_INT64)
    {
      gint64 value = json_node_get_int (node);

      /* RFC 5321 4.2: three digits, the first 2..5 */
      if (!known_reply_code (value))
        return fail (loader, object, "code", "\"code\" %" G_GINT64_FORMAT " is not an SMTP reply code (RFC 5321 4.2.3)", value);
      goal->code = value;
      return TRUE;
    }
  if (!JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_STRING)
    return fail (loader, object, "code", "\"code\" must be a number or \"2xx\"..\"5xx\"");
  code = json_node_get_string (node);
  if (strlen (code) == 3 && known_reply_code (atoi (code)))
    goal->code = atoi (code);
  else if (strlen (code) == 3 && code[0] >= '2' && code[0] <= '5'
           && g_ascii_tolower (code[1]) == 'x' && g_ascii_tolower (code[2]) == 'x')
    goal->code_class = code[0] - '0';
  else
    return fail (loader, object, "code", "\"code\" \"%s\" is not an SMTP reply code (2yz..5yz) or class (\"5xx\")", code);
  return TRUE;
}

static gboolean
valid_enhanced (const char *status)
{
  g_auto(GStrv) parts = g_strsplit (status, ".", -1);

  /* RFC 3463 2: class.subject.detail, class 2, 4 or 5 */
  if (g_strv_length (parts) != 3)
    return FALSE;
  if (g_strcmp0 (parts[0], "2") != 0 && g_strcmp0 (parts[0], "4") != 0 && g_strcmp0 (parts[0], "5") != 0)
    return FALSE;
  for (guint i = 1; i < 3; i++)
    {
      if (*parts[i] == '\0' || strlen (parts[i]) > 3)
        return FALSE;
      for (const char *p = parts[i]; *p; p++)
        if (!g_ascii_isdigit (*p))
          return FALSE;
    }
  return TRUE;
}

static MrLessonGoal *
load_goal (Loader     *loader,
           JsonObject *object)
{
  static const char * const allowed[] = {
    "type", "verb", "args", "code", "enhanced", "text", "account", "mailbox", "subject",
    "header", "value", "body", "present", "count", "flag", "set", "accept", "state", "goals", NULL
  };
  g_autofree char *type = NULL;
  g_autofree char *flag = NULL;
  MrLessonGoal *goal;
  gboolean found = FALSE;

  if (!check_members (loader, object, "a goal", allowed))
    return NULL;
  if (!get_string (loader, object, "type", TRUE, FALSE, &type))
    return NULL;

  goal = g_new0 (MrLessonGoal, 1);
  goal->line = line_of (loader, object, NULL);
  goal->set = TRUE;
  for (guint i = 0; i < G_N_ELEMENTS (goal_types); i++)
    if (g_str_equal (type, goal_types[i].name))
      {
        goal->type = goal_types[i].type;
        found = TRUE;
      }
  if (!found)
    {
      fail (loader, object, "type",
            "unknown goal type \"%s\" (all, command, reply, message, mailbox-count, flag, answer, closed, event, queue, dsn)",
            type);
      goto failed;
    }

  if (!get_string (loader, object, "verb", goal->type == MR_LESSON_GOAL_COMMAND, FALSE, &goal->verb)
      || !load_reply_code (loader, object, goal)
      || !get_string (loader, object, "enhanced", goal->type == MR_LESSON_GOAL_DSN, FALSE, &goal->enhanced)
      || !get_string (loader, object, "mailbox", FALSE, FALSE, &goal->mailbox)
      || !get_regex (loader, object, "subject", FALSE, &goal->subject)
      || !get_string (loader, object, "header", FALSE, FALSE, &goal->header)
      || !get_regex (loader, object, "value", goal->header != NULL, &goal->header_value)
      || !get_uint (loader, object, "count", &goal->count)
      || !get_bool (loader, object, "set", &goal->set)
      || !get_bool (loader, object, "present", &goal->set)
      || !get_regex (loader, object, "body", FALSE, &goal->body)
      || !get_string (loader, object, "flag", goal->type == MR_LESSON_GOAL_FLAG, FALSE, &flag)
      || !get_string (loader, object, "state", goal->type == MR_LESSON_GOAL_QUEUE, FALSE, &goal->state))
    goto failed;

  if (goal->verb != NULL)
    {
      char *upper = g_ascii_strup (goal->verb, -1);
      g_free (goal->verb);
      goal->verb = upper;
    }
  if (goal->enhanced != NULL && !valid_enhanced (goal->enhanced))
    {
      fail (loader, object, "enhanced", "\"enhanced\" \"%s\" is not an RFC 3463 status (\"5.1.1\")", goal->enhanced);
      goto failed;
    }
  if (goal->enhanced != NULL && goal->code != 0 && goal->enhanced[0] - '0' != goal->code / 100)
    {
      fail (loader, object, "enhanced",
            "\"enhanced\" %s and \"code\" %u disagree on the class (RFC 3463 3.1)",
            goal->enhanced, goal->code);
      goto failed;
    }
  if (flag != NULL && !mr_message_flag_from_string (flag, &goal->flag))
    {
      fail (loader, object, "flag", "unknown flag \"%s\" (\\Seen, \\Answered, \\Flagged, \\Deleted, \\Draft)", flag);
      goto failed;
    }

  switch (goal->type)
    {
    case MR_LESSON_GOAL_COMMAND:
      if (!get_regex (loader, object, "args", FALSE, &goal->pattern))
        goto failed;
      break;

    case MR_LESSON_GOAL_REPLY:
      if (!get_regex (loader, object, "text", FALSE, &goal->pattern))
        goto failed;
      if (goal->code == 0 && goal->code_class == 0 && goal->enhanced == NULL && goal->pattern == NULL)
        {
          fail (loader, object, NULL, "a reply goal needs \"code\", \"enhanced\" or \"text\"");
          goto failed;
        }
      break;

    case MR_LESSON_GOAL_EVENT:
      if (!get_regex (loader, object, "text", TRUE, &goal->pattern))
        goto failed;
      break;

    case MR_LESSON_GOAL_ANSWER:
      if (!get_regex (loader, object, "accept", TRUE, &goal->pattern))
        goto failed;
      break;

    case MR_LESSON_GOAL_MESSAGE:
    case MR_LESSON_GOAL_MAILBOX_COUNT:
    case MR_LESSON_GOAL_FLAG:
    case MR_LESSON_GOAL_DSN:
      if (!load_address (loader, object, "account", TRUE, &goal->account))
        goto failed;
      if (goal->mailbox == NULL)
        goal->mailbox = g_strdup ("INBOX");
      if (goal->type == MR_LESSON_GOAL_MAILBOX_COUNT && json_object_get_member (object, "count") == NULL)
        {
          fail (loader, object, NULL, "missing \"count\"");
          goto failed;
        }
      break;

    case MR_LESSON_GOAL_QUEUE:
      if (!g_str_equal (goal->state, "empty") && !g_str_equal (goal->state, "deferred")
          && !g_str_equal (goal->state, "delivered") && !g_str_equal (goal->state, "bounced"))
        {
          fail (loader, object, "state", "unknown queue state \"%s\" (empty, deferred, delivered, bounced)", goal->state);
          goto failed;
        }
      break;

    case MR_LESSON_GOAL_ALL:
      {
        JsonArray *goals = get_array (loader, object, "goals", TRUE);

        if (goals == NULL)
          goto failed;
        if (json_array_get_length (goals) == 0)
          {
            fail (loader, object, "goals", "\"goals\" must not be empty");
            goto failed;
          }
        goal->children = g_ptr_array_new_with_free_func ((GDestroyNotify) goal_free);
        for (guint i = 0; i < json_array_get_length (goals); i++)
          {
            JsonObject *child_object = element_object (loader, goals, i, "goal");
            MrLessonGoal *child;

            if (child_object == NULL || (child = load_goal (loader, child_object)) == NULL)
              goto failed;
            g_ptr_array_add (goal->children, child);
          }
      }
      break;

    case MR_LESSON_GOAL_CLOSED:
    default:
      break;
    }

  return goal;

failed:
  goal_free (goal);
  return NULL;
}

static gboolean
parse_flags (Loader          *loader,
             JsonObject      *object,
             MrMessageFlags  *flags_r)
{
  g_auto(GStrv) names = NULL;

  if (!get_strv (loader, object, "flags", FALSE, &names))
    return FALSE;
  for (guint i = 0; names[i]; i++)
    {
      MrMessageFlags flag;

      if (!mr_message_flag_from_string (names[i], &flag))
        return fail (loader, object, "flags", "unknown flag \"%s\"", names[i]);
      *flags_r |= flag;
    }
  return TRUE;
}

static MrLessonSetup *
load_setup (Loader     *loader,
            JsonObject *object)
{
  static const char * const allowed[] = {
    "accounts", "messages", "faults", "clock", "connect", "client", NULL
  };
  g_autofree char *clock = NULL;
  MrLessonSetup *setup;
  JsonArray *array;

  if (!check_members (loader, object, "a setup", allowed))
    return NULL;

  setup = g_new0 (MrLessonSetup, 1);
  setup->accounts = g_ptr_array_new_with_free_func ((GDestroyNotify) account_free);
  setup->messages = g_ptr_array_new_with_free_func ((GDestroyNotify) message_free);
  setup->faults = g_ptr_array_new_with_free_func ((GDestroyNotify) fault_free);

  if (!get_string (loader, object, "clock", FALSE, FALSE, &clock))
    goto failed;
  if (clock != NULL)
    {
      MrClockMode mode;

      if (!mr_clock_mode_from_string (clock, &mode))
        {
          fail (loader, object, "clock", "unknown clock mode \"%s\" (realtime, step)", clock);
          goto failed;
        }
      setup->has_clock_mode = TRUE;
      setup->clock_mode = mode;
    }

  if (json_object_has_member (object, "connect"))
    {
      setup->connect = TRUE;
      if (!get_service (loader, object, "connect", &setup->service)
          || !get_string (loader, object, "client", FALSE, FALSE, &setup->client))
        goto failed;
    }

  if ((array = get_array (loader, object, "accounts", FALSE)) != NULL)
    for (guint i = 0; i < json_array_get_length (array); i++)
      {
        static const char * const account_allowed[] = { "address", "password", "name", NULL };
        JsonObject *element = element_object (loader, array, i, "account");
        MrLessonAccount *account;

        if (element == NULL || !check_members (loader, element, "an account", account_allowed))
          goto failed;
        account = g_new0 (MrLessonAccount, 1);
        g_ptr_array_add (setup->accounts, account);
        if (!load_address (loader, element, "address", TRUE, &account->address)
            || !get_string (loader, element, "password", TRUE, FALSE, &account->password)
            || !get_string (loader, element, "name", FALSE, FALSE, &account->display_name))
          goto failed;
      }

  if ((array = get_array (loader, object, "messages", FALSE)) != NULL)
    for (guint i = 0; i < json_array_get_length (array); i++)
      {
        static const char * const message_allowed[] = {
          "account", "mailbox", "raw", "from", "to", "subject", "body", "flags", NULL
        };
        JsonObject *element = element_object (loader, array, i, "message");
        MrLessonMessage *message;

        if (element == NULL || !check_members (loader, element, "a message", message_allowed))
          goto failed;
        message = g_new0 (MrLessonMessage, 1);
        g_ptr_array_add (setup->messages, message);
        if (!load_address (loader, element, "account", TRUE, &message->account)
            || !get_string (loader, element, "mailbox", FALSE, FALSE, &message->mailbox)
            || !get_text (loader, element, "raw", FALSE, &message->raw)
            || !get_string (loader, element, "from", message->raw == NULL, FALSE, &message->from)
            || !get_string (loader, element, "to", FALSE, FALSE, &message->to)
            || !get_string (loader, element, "subject", message->raw == NULL, FALSE, &message->subject)
            || !get_text (loader, element, "body", FALSE, &message->body)
            || !parse_flags (loader, element, &message->flags))
          goto failed;
        /* raw messages are wire data: keep them untranslated */
        if (message->raw != NULL)
          {
            g_auto(GStrv) paragraphs = NULL;
            JsonNode *node = json_object_get_member (element, "raw");

            g_free (message->raw);
            if (JSON_NODE_HOLDS_ARRAY (node))
              {
                get_strv (loader, element, "raw", TRUE, &paragraphs);
                message->raw = g_strjoinv ("\r\n", paragraphs);
              }
            else
              message->raw = g_strdup (json_node_get_string (node));
          }
        if (message->mailbox == NULL)
          message->mailbox = g_strdup ("INBOX");
      }

  if ((array = get_array (loader, object, "faults", FALSE)) != NULL)
    for (guint i = 0; i < json_array_get_length (array); i++)
      {
        static const char * const fault_allowed[] = { "name", "target", "one-shot", NULL };
        JsonObject *element = element_object (loader, array, i, "fault");
        MrLessonFault *fault;

        if (element == NULL || !check_members (loader, element, "a fault", fault_allowed))
          goto failed;
        fault = g_new0 (MrLessonFault, 1);
        g_ptr_array_add (setup->faults, fault);
        if (!get_string (loader, element, "name", TRUE, FALSE, &fault->name)
            || !get_string (loader, element, "target", FALSE, FALSE, &fault->target)
            || !get_bool (loader, element, "one-shot", &fault->one_shot))
          goto failed;
      }

  if (loader->error != NULL)
    goto failed;
  return setup;

failed:
  setup_free (setup);
  return NULL;
}

static MrLessonHint *
load_hint (Loader     *loader,
           JsonObject *object)
{
  static const char * const allowed[] = { "match", "reply", "hint", "example", NULL };
  MrLessonHint *hint;

  if (!check_members (loader, object, "a hint", allowed))
    return NULL;

  hint = g_new0 (MrLessonHint, 1);
  hint->line = line_of (loader, object, NULL);
  if (!get_regex (loader, object, "match", FALSE, &hint->match)
      || !get_regex (loader, object, "reply", FALSE, &hint->reply)
      || !get_text (loader, object, "hint", TRUE, &hint->text)
      || !get_string (loader, object, "example", FALSE, FALSE, &hint->example))
    goto failed;
  if (hint->match == NULL && hint->reply == NULL)
    {
      fail (loader, object, NULL, "a hint needs \"match\" (the learner's line) or \"reply\" (the server's)");
      goto failed;
    }
  if (hint->example != NULL && hint->match != NULL
      && !g_regex_match (hint->match, hint->example, 0, NULL))
    {
      fail (loader, object, "example", "the example \"%s\" does not match the hint's \"match\"", hint->example);
      goto failed;
    }
  return hint;

failed:
  hint_free (hint);
  return NULL;
}

static MrLessonPredict *
load_predict (Loader     *loader,
              JsonObject *object)
{
  static const char * const allowed[] = { "verb", "choices", "answer", "explanation", NULL };
  MrLessonPredict *predict;

  if (!check_members (loader, object, "a prediction", allowed))
    return NULL;

  predict = g_new0 (MrLessonPredict, 1);
  if (!get_string (loader, object, "verb", TRUE, FALSE, &predict->verb)
      || !get_strv (loader, object, "choices", TRUE, &predict->choices)
      || !get_string (loader, object, "answer", TRUE, FALSE, &predict->answer)
      || !get_text (loader, object, "explanation", TRUE, &predict->explanation))
    goto failed;
  if (!g_strv_contains ((const char * const *) predict->choices, predict->answer))
    {
      fail (loader, object, "answer", "the answer \"%s\" is not one of the choices", predict->answer);
      goto failed;
    }
  {
    char *upper = g_ascii_strup (predict->verb, -1);
    g_free (predict->verb);
    predict->verb = upper;
  }
  return predict;

failed:
  predict_free (predict);
  return NULL;
}

static MrLessonStep *
load_step (Loader     *loader,
           JsonObject *object,
           guint       index)
{
  static const char * const allowed[] = {
    "id", "title", "setup", "instruction", "goal", "hint", "hints", "stronger-hint",
    "explanation", "rfc", "predict", "solution", NULL
  };
  MrLessonStep *step;
  JsonObject *child;
  JsonArray *hints;

  if (!check_members (loader, object, "a step", allowed))
    return NULL;

  step = g_new0 (MrLessonStep, 1);
  step->line = line_of (loader, object, NULL);
  step->hints = g_ptr_array_new_with_free_func ((GDestroyNotify) hint_free);

  if (!get_string (loader, object, "id", FALSE, FALSE, &step->id)
      || !get_string (loader, object, "title", FALSE, TRUE, &step->title)
      || !get_text (loader, object, "instruction", TRUE, &step->instruction)
      || !get_text (loader, object, "hint", TRUE, &step->hint)
      || !get_text (loader, object, "stronger-hint", TRUE, &step->stronger_hint)
      || !get_text (loader, object, "explanation", TRUE, &step->explanation)
      || !get_string (loader, object, "rfc", TRUE, FALSE, &step->rfc)
      || !get_strv (loader, object, "solution", TRUE, &step->solution))
    goto failed;
  if (step->id == NULL)
    step->id = g_strdup_printf ("step-%u", index + 1);

  if ((child = get_object (loader, object, "setup", FALSE)) != NULL
      && (step->setup = load_setup (loader, child)) == NULL)
    goto failed;
  if ((child = get_object (loader, object, "goal", TRUE)) == NULL
      || (step->goal = load_goal (loader, child)) == NULL)
    goto failed;
  if ((child = get_object (loader, object, "predict", FALSE)) != NULL
      && (step->predict = load_predict (loader, child)) == NULL)
    goto failed;

  if ((hints = get_array (loader, object, "hints", FALSE)) != NULL)
    for (guint i = 0; i < json_array_get_length (hints); i++)
      {
        JsonObject *element = element_object (loader, hints, i, "hint");
        MrLessonHint *hint;

        if (element == NULL || (hint = load_hint (loader, element)) == NULL)
          goto failed;
        g_ptr_array_add (step->hints, hint);
      }

  if (step->predict != NULL)
    {
      gboolean sends_verb = FALSE;

      for (guint i = 0; step->solution[i]; i++)
        {
          g_autofree char *upper = g_ascii_strup (step->solution[i], -1);
          if (g_str_has_prefix (upper, step->predict->verb))
            sends_verb = TRUE;
        }
      if (!sends_verb)
        {
          fail (loader, object, "predict", "the solution never sends %s, the command to predict",
                step->predict->verb);
          goto failed;
        }
    }

  if (loader->error != NULL)
    goto failed;
  return step;

failed:
  step_free (step);
  return NULL;
}

static void
add_requirement (GPtrArray  *requires,
                 const char *name)
{
  for (guint i = 0; i < requires->len; i++)
    if (g_str_equal (g_ptr_array_index (requires, i), name))
      return;
  g_ptr_array_add (requires, g_strdup (name));
}

static const char *
service_requirement (MrService service)
{
  switch (service)
    {
    case MR_SERVICE_SMTP:       return "smtp";
    case MR_SERVICE_SUBMISSION:
    case MR_SERVICE_SMTPS:      return "submission";
    case MR_SERVICE_POP3:
    case MR_SERVICE_POP3S:      return "pop3";
    case MR_SERVICE_IMAP:
    case MR_SERVICE_IMAPS:      return "imap";
    case MR_SERVICE_HTTP:
    case MR_N_SERVICES:
    default:                    return "http";
    }
}

static void
add_setup_requirements (GPtrArray     *requires,
                        MrLessonSetup *setup)
{
  if (setup == NULL)
    return;
  if (setup->connect)
    add_requirement (requires, service_requirement (setup->service));
  if (setup->faults->len > 0)
    add_requirement (requires, "world");
}

static MrLesson *
load_lesson (Loader     *loader,
             JsonObject *object)
{
  static const char * const allowed[] = {
    "format", "id", "title", "summary", "rfc", "service", "client", "requires", "intro",
    "setup", "steps", "conclusion", NULL
  };
  static const char * const known_requirements[] = {
    "smtp", "submission", "pop3", "imap", "world", "http", NULL
  };
  g_autoptr(MrLesson) self = g_new0 (MrLesson, 1);
  g_autoptr(GPtrArray) requires = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GHashTable) step_ids = g_hash_table_new (g_str_hash, g_str_equal);
  g_auto(GStrv) declared = NULL;
  JsonObject *child;
  JsonArray *steps;
  guint format = 0;

  g_atomic_ref_count_init (&self->ref_count);
  self->filename = g_strdup (loader->filename);
  self->steps = g_ptr_array_new_with_free_func ((GDestroyNotify) step_free);
  self->service = MR_SERVICE_SMTP;

  if (!check_members (loader, object, "the lesson", allowed))
    return NULL;
  if (!json_object_has_member (object, "format"))
    return fail (loader, object, NULL, "missing \"format\" (%d)", LESSON_FORMAT), NULL;
  if (!get_uint (loader, object, "format", &format))
    return NULL;
  if (format != LESSON_FORMAT)
    return fail (loader, object, "format", "unsupported format %u (this Mailroom reads format %d)",
                 format, LESSON_FORMAT), NULL;

  if (!get_string (loader, object, "id", TRUE, FALSE, &self->id)
      || !get_string (loader, object, "title", TRUE, TRUE, &self->title)
      || !get_string (loader, object, "summary", TRUE, TRUE, &self->summary)
      || !get_strv (loader, object, "rfc", TRUE, &self->rfc)
      || !get_service (loader, object, "service", &self->service)
      || !get_string (loader, object, "client", FALSE, FALSE, &self->client)
      || !get_strv (loader, object, "requires", FALSE, &declared)
      || !get_text (loader, object, "intro", TRUE, &self->intro)
      || !get_text (loader, object, "conclusion", TRUE, &self->conclusion))
    return NULL;

  for (const char *p = self->id; *p; p++)
    if (!g_ascii_isalnum (*p) && *p != '-' && *p != '_')
      return fail (loader, object, "id", "the id \"%s\" may hold only letters, digits, '-' and '_'", self->id), NULL;

  for (guint i = 0; self->rfc[i]; i++)
    if (!g_str_has_prefix (self->rfc[i], "RFC "))
      return fail (loader, object, "rfc", "\"%s\" does not name an RFC (\"RFC 5321 4.1.1.4\")", self->rfc[i]), NULL;

  for (guint i = 0; declared[i]; i++)
    {
      if (!g_strv_contains (known_requirements, declared[i]))
        return fail (loader, object, "requires", "unknown requirement \"%s\" (smtp, submission, pop3, imap, world, http)",
                     declared[i]), NULL;
      add_requirement (requires, declared[i]);
    }
  add_requirement (requires, service_requirement (self->service));

  if ((child = get_object (loader, object, "setup", FALSE)) != NULL)
    {
      if ((self->setup = load_setup (loader, child)) == NULL)
        return NULL;
      add_setup_requirements (requires, self->setup);
    }

  if ((steps = get_array (loader, object, "steps", TRUE)) == NULL)
    return NULL;
  if (json_array_get_length (steps) == 0)
    return fail (loader, object, "steps", "a lesson needs at least one step"), NULL;

  for (guint i = 0; i < json_array_get_length (steps); i++)
    {
      JsonObject *element = element_object (loader, steps, i, "step");
      MrLessonStep *step;

      if (element == NULL || (step = load_step (loader, element, i)) == NULL)
        return NULL;
      g_ptr_array_add (self->steps, step);
      if (!g_hash_table_add (step_ids, step->id))
        return fail (loader, element, "id", "two steps are called \"%s\"", step->id), NULL;
      add_setup_requirements (requires, step->setup);
      if (mr_lesson_goal_needs_world (step->goal))
        add_requirement (requires, "world");
    }

  g_ptr_array_add (requires, NULL);
  self->requires = (GStrv) g_ptr_array_free (g_steal_pointer (&requires), FALSE);

  return g_steal_pointer (&self);
}

MrLesson *
mr_lesson_new_from_data (const char  *data,
                         gssize       len,
                         const char  *filename,
                         GError     **error)
{
  g_autoptr(JsonParser) parser = NULL;
  g_autoptr(GError) local_error = NULL;
  g_autoptr(GHashTable) lines = NULL;
  g_autoptr(GArray) starts = NULL;
  Loader loader = { 0 };
  JsonNode *root;
  MrLesson *lesson;

  g_return_val_if_fail (data != NULL, NULL);

  if (filename == NULL)
    filename = "<lesson>";
  if (len < 0)
    len = strlen (data);

  lines = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  starts = g_array_new (FALSE, FALSE, sizeof (guint));
  loader.filename = filename;
  loader.lines = lines;
  loader.starts = starts;

  parser = json_parser_new_immutable ();
  g_signal_connect (parser, "object-start", G_CALLBACK (on_object_start), &loader);
  g_signal_connect (parser, "object-end", G_CALLBACK (on_object_end), &loader);
  g_signal_connect (parser, "array-start", G_CALLBACK (on_object_start), &loader);
  g_signal_connect (parser, "array-end", G_CALLBACK (on_object_end), &loader);
  g_signal_connect (parser, "object-member", G_CALLBACK (on_object_member), &loader);

  if (!json_parser_load_from_data (parser, data, len, &local_error))
    {
      const char *message = local_error->message;

      /* json-glib says "<data>:LINE:COL: Parse error: ..." */
      if (g_str_has_prefix (message, "<data>:"))
        message += strlen ("<data>:");
      g_set_error (error, MR_LESSON_ERROR, MR_LESSON_ERROR_SYNTAX,
                   "%s:%s", filename, message);
      return NULL;
    }

  root = json_parser_get_root (parser);
  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    {
      g_set_error (error, MR_LESSON_ERROR, MR_LESSON_ERROR_INVALID,
                   "%s:1: a lesson file holds one JSON object", filename);
      return NULL;
    }

  lesson = load_lesson (&loader, json_node_get_object (root));
  if (lesson == NULL)
    {
      if (loader.error == NULL)
        g_set_error (&loader.error, MR_LESSON_ERROR, MR_LESSON_ERROR_INVALID, "%s:1: invalid lesson", filename);
      g_propagate_error (error, loader.error);
      return NULL;
    }
  return lesson;
}

MrLesson *
mr_lesson_new_from_file (GFile   *file,
                         GError **error)
{
  g_autofree char *contents = NULL;
  g_autofree char *name = NULL;
  gsize len;

  g_return_val_if_fail (G_IS_FILE (file), NULL);

  if (!g_file_load_contents (file, NULL, &contents, &len, NULL, error))
    return NULL;
  name = g_file_get_path (file);
  if (name == NULL)
    name = g_file_get_uri (file);
  return mr_lesson_new_from_data (contents, len, name, error);
}

MrLesson *
mr_lesson_new_from_resource (const char  *path,
                             GError     **error)
{
  g_autoptr(GBytes) bytes = NULL;

  g_return_val_if_fail (path != NULL, NULL);

  bytes = g_resources_lookup_data (path, 0, error);
  if (bytes == NULL)
    return NULL;
  return mr_lesson_new_from_data (g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes), path, error);
}

/* Catalogue */

static int
compare_lessons (gconstpointer a,
                 gconstpointer b)
{
  const MrLesson *la = *(MrLesson **) a;
  const MrLesson *lb = *(MrLesson **) b;

  return g_strcmp0 (la->id, lb->id);
}

static void
report (GPtrArray    *errors,
        const GError *error)
{
  g_warning ("Skipping a lesson: %s", error->message);
  if (errors != NULL)
    g_ptr_array_add (errors, g_strdup (error->message));
}

GPtrArray *
mr_lesson_load_builtin (GPtrArray **errors_r)
{
  g_autofree char *dir = g_strdup (RESOURCE_PREFIX "/lessons/");
  g_autoptr(GPtrArray) lessons = g_ptr_array_new_with_free_func ((GDestroyNotify) mr_lesson_unref);
  g_auto(GStrv) names = NULL;

  if (errors_r != NULL && *errors_r == NULL)
    *errors_r = g_ptr_array_new_with_free_func (g_free);

  names = g_resources_enumerate_children (dir, 0, NULL);
  for (guint i = 0; names != NULL && names[i]; i++)
    {
      g_autofree char *path = NULL;
      g_autoptr(GError) error = NULL;
      MrLesson *lesson;

      if (!g_str_has_suffix (names[i], ".lesson"))
        continue;
      path = g_strconcat (dir, names[i], NULL);
      lesson = mr_lesson_new_from_resource (path, &error);
      if (lesson == NULL)
        report (errors_r ? *errors_r : NULL, error);
      else
        g_ptr_array_add (lessons, lesson);
    }
  g_ptr_array_sort (lessons, compare_lessons);
  return g_steal_pointer (&lessons);
}

GPtrArray *
mr_lesson_load_directory (const char  *dir,
                          GPtrArray  **errors_r)
{
  g_autoptr(GPtrArray) lessons = g_ptr_array_new_with_free_func ((GDestroyNotify) mr_lesson_unref);
  g_autoptr(GDir) handle = NULL;
  const char *name;

  g_return_val_if_fail (dir != NULL, NULL);

  if (errors_r != NULL && *errors_r == NULL)
    *errors_r = g_ptr_array_new_with_free_func (g_free);

  handle = g_dir_open (dir, 0, NULL);
  if (handle == NULL)
    return g_steal_pointer (&lessons);

  while ((name = g_dir_read_name (handle)) != NULL)
    {
      g_autofree char *path = NULL;
      g_autoptr(GFile) file = NULL;
      g_autoptr(GError) error = NULL;
      MrLesson *lesson;

      if (!g_str_has_suffix (name, ".lesson"))
        continue;
      path = g_build_filename (dir, name, NULL);
      file = g_file_new_for_path (path);
      lesson = mr_lesson_new_from_file (file, &error);
      if (lesson == NULL)
        report (errors_r ? *errors_r : NULL, error);
      else
        g_ptr_array_add (lessons, lesson);
    }
  g_ptr_array_sort (lessons, compare_lessons);
  return g_steal_pointer (&lessons);
}

char *
mr_lesson_dup_user_dir (void)
{
  return g_build_filename (g_get_user_data_dir (), "mailroom", "lessons", NULL);
}

GPtrArray *
mr_lesson_load_all (GPtrArray **errors_r)
{
  g_autoptr(GPtrArray) lessons = mr_lesson_load_builtin (errors_r);
  g_autofree char *dir = mr_lesson_dup_user_dir ();
  g_autoptr(GPtrArray) user = mr_lesson_load_directory (dir, errors_r);

  for (guint i = 0; i < user->len; i++)
    {
      MrLesson *lesson = g_ptr_array_index (user, i);
      gboolean replaced = FALSE;

      for (guint j = 0; j < lessons->len; j++)
        if (g_str_equal (((MrLesson *) g_ptr_array_index (lessons, j))->id, lesson->id))
          {
            mr_lesson_unref (g_ptr_array_index (lessons, j));
            g_ptr_array_index (lessons, j) = mr_lesson_ref (lesson);
            replaced = TRUE;
          }
      if (!replaced)
        g_ptr_array_add (lessons, mr_lesson_ref (lesson));
    }
  g_ptr_array_sort (lessons, compare_lessons);
  return g_steal_pointer (&lessons);
}
