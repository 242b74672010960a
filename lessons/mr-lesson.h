/* mr-lesson.h
 *
 * Copyright 2026 The Mailroom authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

#include "mr-message.h"
#include "mr-types.h"

G_BEGIN_DECLS

/*
 * A lesson, loaded from a `.lesson` file (JSON, format described in
 * docs/lessons.md). Immutable once loaded; reference counted. Every
 * learner-visible string has already been looked up through gettext
 * (g_dgettext (GETTEXT_PACKAGE, ...)) when the loader returns.
 */

#define MR_LESSON_ERROR (mr_lesson_error_quark ())

typedef enum
{
  MR_LESSON_ERROR_SYNTAX,       /* not JSON at all */
  MR_LESSON_ERROR_INVALID,      /* JSON, but not a valid lesson */
  MR_LESSON_ERROR_UNAVAILABLE,  /* valid, but needs a part of the engine this build lacks */
} MrLessonError;

typedef enum
{
  MR_LESSON_GOAL_ALL,            /* every child goal holds (each latches once seen) */
  MR_LESSON_GOAL_COMMAND,        /* the learner sent @verb with arguments matching @pattern */
  MR_LESSON_GOAL_REPLY,          /* a server line with @code / @enhanced / matching @pattern */
  MR_LESSON_GOAL_MESSAGE,        /* a message in @account's @mailbox (optionally matching) */
  MR_LESSON_GOAL_MAILBOX_COUNT,  /* @account's @mailbox holds exactly @count messages */
  MR_LESSON_GOAL_FLAG,           /* a matching message has @flag set (or clear, @set FALSE) */
  MR_LESSON_GOAL_ANSWER,         /* the learner answered (/answer) matching @pattern */
  MR_LESSON_GOAL_CLOSED,         /* the console's session was closed by the server */
  MR_LESSON_GOAL_EVENT,          /* any event (also off the console: relay, notes) matching @pattern */
  MR_LESSON_GOAL_QUEUE,          /* world: the relay queue is in @state (needs the world) */
  MR_LESSON_GOAL_DSN,            /* world: a DSN with @enhanced reached @account (needs the world) */
} MrLessonGoalType;

typedef struct _MrLessonGoal MrLessonGoal;

struct _MrLessonGoal
{
  MrLessonGoalType  type;
  guint             line;         /* where it starts in the file */
  char             *verb;         /* COMMAND: upper case */
  GRegex           *pattern;      /* COMMAND: arguments; REPLY/EVENT: the line; ANSWER: the answer */
  guint             code;         /* REPLY: 0 = any */
  guint             code_class;   /* REPLY: 2..5, 0 = any ("code": "5xx") */
  char             *enhanced;     /* REPLY, DSN */
  char             *account;      /* MESSAGE, MAILBOX_COUNT, FLAG, DSN */
  char             *mailbox;      /* MESSAGE, MAILBOX_COUNT, FLAG; default "INBOX" */
  GRegex           *subject;      /* MESSAGE, FLAG: optional */
  char             *header;       /* MESSAGE: optional header name... */
  GRegex           *header_value; /* ...whose value must match */
  GRegex           *body;         /* MESSAGE: the raw message must match (multi-line) */
  guint             count;        /* MAILBOX_COUNT */
  MrMessageFlags    flag;         /* FLAG */
  gboolean          set;          /* FLAG: set or clear; MESSAGE: present or absent ("present") */
  char             *state;        /* QUEUE: "empty", "deferred", "delivered" */
  GPtrArray        *children;     /* ALL: (element-type MrLessonGoal) */
};

typedef struct
{
  guint   line;
  GRegex *match;    /* against the line the learner typed, or NULL */
  GRegex *reply;    /* against the server's reply to it ("550 5.1.1 ..."), or NULL */
  char   *text;     /* translated */
  char   *example;  /* a wrong move that triggers it (for tests), or NULL */
} MrLessonHint;

typedef struct
{
  char *address;
  char *password;
  char *display_name;
} MrLessonAccount;

typedef struct
{
  char           *account;
  char           *mailbox;    /* default "INBOX" */
  char           *raw;        /* the whole message, or NULL to build one from: */
  char           *from;
  char           *to;
  char           *subject;
  char           *body;
  MrMessageFlags  flags;
} MrLessonMessage;

typedef struct
{
  char     *name;      /* a fault catalog name: "greylist", "unknown-user", "mailbox-full"... */
  char     *target;    /* a host, domain or address it is scoped to, or NULL */
  gboolean  one_shot;  /* fires once, then is gone */
} MrLessonFault;

typedef struct
{
  GPtrArray  *accounts;       /* (element-type MrLessonAccount) */
  GPtrArray  *messages;       /* (element-type MrLessonMessage) */
  GPtrArray  *faults;         /* (element-type MrLessonFault) */
  gboolean    has_clock_mode;
  int         clock_mode;     /* MrClockMode */
  gboolean    connect;        /* open a fresh console session */
  MrService   service;        /* for @connect */
  char       *client;         /* for @connect, or NULL */
} MrLessonSetup;

typedef struct
{
  char  *verb;         /* the command whose reply is withheld */
  GStrv  choices;      /* codes to offer ("250", "354", "+OK"...) */
  char  *answer;       /* the right one */
  char  *explanation;  /* translated: why */
} MrLessonPredict;

typedef struct
{
  guint           line;
  char           *id;
  char           *title;          /* translated, may be NULL */
  char           *instruction;    /* translated */
  char           *hint;           /* translated: the general hint */
  char           *stronger_hint;  /* translated: after two misses */
  char           *explanation;    /* translated: shown when the step completes */
  char           *rfc;            /* "RFC 5321 4.1.1.4" (not translated) */
  MrLessonSetup  *setup;          /* or NULL */
  MrLessonGoal   *goal;
  GPtrArray      *hints;          /* (element-type MrLessonHint) */
  MrLessonPredict *predict;       /* or NULL */
  GStrv           solution;       /* the reference move: console lines */
} MrLessonStep;

typedef struct _MrLesson MrLesson;

struct _MrLesson
{
  /*< public, read only >*/
  char          *id;
  char          *filename;      /* where it was loaded from (a path or resource path) */
  char          *title;         /* translated */
  char          *summary;       /* translated, one line for the catalogue */
  char          *intro;         /* translated, paragraphs separated by "\n\n" */
  char          *conclusion;    /* translated */
  GStrv          rfc;           /* "RFC 5321 4.1.1.4", ... */
  MrService      service;       /* the console's first session */
  char          *client;        /* lab host the console speaks from */
  GStrv          requires;      /* "smtp", "submission", "pop3", "imap", "world", "http" */
  MrLessonSetup *setup;         /* or NULL */
  GPtrArray     *steps;         /* (element-type MrLessonStep) */

  /*< private >*/
  gatomicrefcount ref_count;
};

#define MR_TYPE_LESSON (mr_lesson_get_type ())

GType         mr_lesson_get_type        (void) G_GNUC_CONST;
GQuark        mr_lesson_error_quark     (void);

/* Parses and validates a lesson. On failure @error says
 * "FILE:LINE: reason" (MR_LESSON_ERROR_SYNTAX or _INVALID).
 * @filename names the source in messages; may be NULL.
 * Returns: (transfer full) (nullable) */
MrLesson     *mr_lesson_new_from_data   (const char   *data,
                                         gssize        len,
                                         const char   *filename,
                                         GError      **error);
MrLesson     *mr_lesson_new_from_file   (GFile        *file,
                                         GError      **error);
MrLesson     *mr_lesson_new_from_resource (const char *path,
                                         GError      **error);
MrLesson     *mr_lesson_ref             (MrLesson     *self);
void          mr_lesson_unref           (MrLesson     *self);
guint         mr_lesson_get_n_steps     (MrLesson     *self);
MrLessonStep *mr_lesson_get_step        (MrLesson     *self,
                                         guint         index);
/* Whether a goal (or any child) needs the simulated world. */
gboolean      mr_lesson_goal_needs_world (const MrLessonGoal *goal);

/* The lessons built into the app (resources under
 * RESOURCE_PREFIX "/lessons/"). Broken ones are skipped with a warning
 * and appended to @errors_r as "FILE:LINE: reason" strings when non-NULL.
 * Returns: (transfer full) (element-type MrLesson) sorted by id */
GPtrArray    *mr_lesson_load_builtin    (GPtrArray   **errors_r);
/* Every *.lesson in @dir (missing dir: empty array). */
GPtrArray    *mr_lesson_load_directory  (const char   *dir,
                                         GPtrArray   **errors_r);
/* The user's own lessons: $XDG_DATA_HOME/mailroom/lessons. (transfer full) */
char         *mr_lesson_dup_user_dir    (void);
/* Built-in lessons, then the user's; a user lesson with the same id as a
 * built-in one replaces it. Sorted by id. */
GPtrArray    *mr_lesson_load_all        (GPtrArray   **errors_r);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (MrLesson, mr_lesson_unref)

G_END_DECLS
