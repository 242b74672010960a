/* mr-lesson-panel.c
 *
 * Copyright 2026 The Mailroom authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "mr-lesson-panel"

#include "config.h"

#include <glib/gi18n.h>

#include "mr-console.h"
#include "mr-engine-thread.h"
#include "mr-lesson-catalog.h"
#include "mr-lesson-panel.h"
#include "mr-lesson-runner.h"

/*
 * Threads. The runner belongs to the engine thread (it drives the engine's
 * sessions, store and world). The panel talks to it through a Link: a small
 * reference-counted record both threads hold. GUI -> engine: an Op queued
 * with mr_engine_invoke(). Engine -> GUI: the runner's signals are copied
 * into Msgs and queued on the GUI's main context, in order. A Msg whose
 * link is no longer the panel's current one (the lesson was closed) is
 * dropped, and so is everything once the panel is gone (weak reference).
 */

typedef struct
{
  gatomicrefcount  ref_count;
  GMainContext    *gui_context;
  GWeakRef         panel;
  MrEngine        *engine;
  MrLesson        *lesson;
  char            *progress_path;

  /* engine thread only */
  MrLessonRunner  *runner;
} Link;

typedef enum
{
  OP_START,
  OP_SUBMIT,
  OP_PREDICT,
  OP_HINT,
  OP_SHOW_ME,
  OP_RESET,
  OP_CLOSE,
} OpKind;

typedef struct
{
  Link   *link;
  OpKind  kind;
  char   *arg;
} Op;

typedef enum
{
  MSG_STARTED,
  MSG_FAILED,
  MSG_OUTPUT,
  MSG_STEP_CHANGED,
  MSG_STEP_COMPLETED,
  MSG_HINT,
  MSG_PREDICT_REQUESTED,
  MSG_PREDICTION,
  MSG_COMPLETED,
  MSG_DONE,           /* an Op has been carried out */
} MsgKind;

typedef struct
{
  Link     *link;
  MsgKind   kind;
  guint     index;
  gboolean  flag;
  char     *text;
  char     *text2;
  char     *text3;
  GStrv     choices;
  /* the runner's state after the message */
  guint     step;
  gboolean  completed;
  gboolean  awaiting;
} Msg;

struct _MrLessonPanel
{
  GtkWidget          parent_instance;

  /* Template widgets */
  GtkStack          *stack;
  MrLessonCatalog   *catalog;
  GtkButton         *back_button;
  GtkLabel          *lesson_title;
  GtkButton         *reset_button;
  GtkLabel          *step_counter;
  GtkProgressBar    *progress_bar;
  GtkScrolledWindow *step_scroller;
  GtkLabel          *intro_label;
  GtkLabel          *explanation_label;
  GtkLabel          *step_title;
  GtkLabel          *instruction_label;
  GtkBox            *predict_box;
  GtkLabel          *predict_label;
  GtkBox            *choices_box;
  GtkLabel          *verdict_label;
  GtkLabel          *hint_label;
  GtkButton         *hint_button;
  GtkButton         *show_me_button;
  GtkScrolledWindow *output_scroller;
  GtkTextView       *output_view;
  GtkEntry          *entry;
  GtkLabel          *error_label;
  AdwStatusPage     *done_page;
  GtkLabel          *conclusion_label;
  GtkLabel          *rfc_label;
  GtkButton         *next_button;
  GtkButton         *again_button;
  GtkButton         *catalog_button;

  /* Owned */
  MrEngineThread    *engine;
  Link              *link;          /* the open lesson, or NULL */
  GPtrArray         *lessons;       /* MrLesson */
  char              *progress_path;
  char              *hint;          /* as shown, plain text */
  char              *explanation;
  char              *verdict;
  char              *error;
  char              *predicted;     /* picked before the command */
  GHashTable        *choice_buttons; /* code -> GtkButton (borrowed) */
  GPtrArray         *history;        /* lines typed, oldest first */
  int                history_pos;    /* -1: not browsing */

  guint              step;
  guint              verdict_step;  /* the step the verdict is about */
  guint              pending;
  gboolean           ready;
  gboolean           completed;
  gboolean           awaiting;
};

G_DEFINE_FINAL_TYPE (MrLessonPanel, mr_lesson_panel, GTK_TYPE_WIDGET)

/* Link */

static Link *
link_new (MrLessonPanel *panel,
          MrEngine      *engine,
          MrLesson      *lesson,
          const char    *progress_path)
{
  Link *link = g_new0 (Link, 1);

  g_atomic_ref_count_init (&link->ref_count);
  link->gui_context = g_main_context_ref_thread_default ();
  g_weak_ref_init (&link->panel, panel);
  link->engine = g_object_ref (engine);
  link->lesson = mr_lesson_ref (lesson);
  link->progress_path = g_strdup (progress_path);

  return link;
}

static Link *
link_ref (Link *link)
{
  g_atomic_ref_count_inc (&link->ref_count);
  return link;
}

static void
link_unref (Link *link)
{
  if (!g_atomic_ref_count_dec (&link->ref_count))
    return;

  /* OP_CLOSE has dropped the runner on the engine thread; if the engine
   * thread stopped first, the runner goes here. */
  g_clear_object (&link->runner);
  g_clear_pointer (&link->gui_context, g_main_context_unref);
  g_weak_ref_clear (&link->panel);
  g_clear_object (&link->engine);
  g_clear_pointer (&link->lesson, mr_lesson_unref);
  g_free (link->progress_path);
  g_free (link);
}

/* Engine thread -> GUI */

static void msg_apply (MrLessonPanel *self,
                       Msg           *msg);

static void
msg_free (gpointer data)
{
  Msg *msg = data;

  link_unref (msg->link);
  g_free (msg->text);
  g_free (msg->text2);
  g_free (msg->text3);
  g_strfreev (msg->choices);
  g_free (msg);
}

static gboolean
deliver_msg_cb (gpointer data)
{
  Msg *msg = data;
  g_autoptr(MrLessonPanel) self = g_weak_ref_get (&msg->link->panel);

  if (self != NULL && self->link == msg->link)
    msg_apply (self, msg);

  return G_SOURCE_REMOVE;
}

/* Engine thread: queues @kind for the GUI with the runner's state. */
static Msg *
msg_new (Link    *link,
         MsgKind  kind)
{
  Msg *msg = g_new0 (Msg, 1);

  msg->link = link_ref (link);
  msg->kind = kind;
  if (link->runner != NULL)
    {
      msg->step = mr_lesson_runner_get_step_index (link->runner);
      msg->completed = mr_lesson_runner_get_completed (link->runner);
      msg->awaiting = mr_lesson_runner_get_awaiting_prediction (link->runner);
    }

  return msg;
}

static void
msg_post (Msg *msg)
{
  g_main_context_invoke_full (msg->link->gui_context, G_PRIORITY_DEFAULT,
                              deliver_msg_cb, msg, msg_free);
}

static void
runner_output_cb (MrLessonRunner *runner,
                  const char     *text,
                  Link           *link)
{
  Msg *msg = msg_new (link, MSG_OUTPUT);

  msg->text = g_strdup (text);
  msg_post (msg);
}

static void
runner_step_changed_cb (MrLessonRunner *runner,
                        guint           index,
                        Link           *link)
{
  Msg *msg = msg_new (link, MSG_STEP_CHANGED);

  msg->index = index;
  msg_post (msg);
}

static void
runner_step_completed_cb (MrLessonRunner *runner,
                          guint           index,
                          const char     *explanation,
                          Link           *link)
{
  Msg *msg = msg_new (link, MSG_STEP_COMPLETED);

  msg->index = index;
  msg->text = g_strdup (explanation);
  msg_post (msg);
}

static void
runner_hint_cb (MrLessonRunner *runner,
                const char     *text,
                gboolean        stronger,
                Link           *link)
{
  Msg *msg = msg_new (link, MSG_HINT);

  msg->text = g_strdup (text);
  msg->flag = stronger;
  msg_post (msg);
}

static void
runner_predict_requested_cb (MrLessonRunner *runner,
                             const char * const *choices,
                             Link           *link)
{
  Msg *msg = msg_new (link, MSG_PREDICT_REQUESTED);

  msg->choices = g_strdupv ((char **)choices);
  msg->awaiting = TRUE;
  msg_post (msg);
}

static void
runner_prediction_cb (MrLessonRunner *runner,
                      gboolean        correct,
                      const char     *predicted,
                      const char     *actual,
                      const char     *explanation,
                      Link           *link)
{
  Msg *msg = msg_new (link, MSG_PREDICTION);

  msg->flag = correct;
  msg->text = g_strdup (predicted);
  msg->text2 = g_strdup (actual);
  msg->text3 = g_strdup (explanation);
  msg_post (msg);
}

static void
runner_completed_cb (MrLessonRunner *runner,
                     Link           *link)
{
  msg_post (msg_new (link, MSG_COMPLETED));
}

/* GUI -> engine thread */

static void
op_free (gpointer data)
{
  Op *op = data;

  link_unref (op->link);
  g_free (op->arg);
  g_free (op);
}

static gboolean
op_cb (gpointer data)
{
  Op *op = data;
  Link *link = op->link;
  g_autoptr(GError) error = NULL;
  Msg *msg;

  if (op->kind == OP_START)
    {
      g_assert (link->runner == NULL);
      link->runner = mr_lesson_runner_new (link->engine, link->lesson, link->progress_path);
      g_signal_connect (link->runner, "output", G_CALLBACK (runner_output_cb), link);
      g_signal_connect (link->runner, "step-changed", G_CALLBACK (runner_step_changed_cb), link);
      g_signal_connect (link->runner, "step-completed", G_CALLBACK (runner_step_completed_cb), link);
      g_signal_connect (link->runner, "hint", G_CALLBACK (runner_hint_cb), link);
      g_signal_connect (link->runner, "predict-requested", G_CALLBACK (runner_predict_requested_cb), link);
      g_signal_connect (link->runner, "prediction", G_CALLBACK (runner_prediction_cb), link);
      g_signal_connect (link->runner, "completed", G_CALLBACK (runner_completed_cb), link);

      if (mr_lesson_runner_start (link->runner, &error))
        msg = msg_new (link, MSG_STARTED);
      else
        {
          msg = msg_new (link, MSG_FAILED);
          msg->text = g_strdup (error->message);
        }
      msg_post (msg);
    }
  else if (link->runner != NULL)
    {
      switch (op->kind)
        {
        case OP_SUBMIT:
          mr_lesson_runner_submit_line (link->runner, op->arg);
          break;

        case OP_PREDICT:
          mr_lesson_runner_predict (link->runner, op->arg);
          break;

        case OP_HINT:
          mr_lesson_runner_request_hint (link->runner);
          break;

        case OP_SHOW_ME:
          mr_lesson_runner_show_me (link->runner);
          break;

        case OP_RESET:
          if (!mr_lesson_runner_reset (link->runner, &error))
            {
              msg = msg_new (link, MSG_FAILED);
              msg->text = g_strdup (error->message);
              msg_post (msg);
            }
          break;

        case OP_CLOSE:
          g_signal_handlers_disconnect_by_data (link->runner, link);
          g_clear_object (&link->runner);
          break;

        case OP_START:
        default:
          g_assert_not_reached ();
        }
    }

  msg_post (msg_new (link, MSG_DONE));

  return G_SOURCE_REMOVE;
}

static void
op_queue (MrLessonPanel *self,
          OpKind         kind,
          const char    *arg)
{
  Op *op;

  if (self->link == NULL)
    return;

  op = g_new0 (Op, 1);
  op->link = link_ref (self->link);
  op->kind = kind;
  op->arg = g_strdup (arg);
  if (kind != OP_CLOSE)
    self->pending++;
  mr_engine_invoke (op->link->engine, op_cb, op, op_free);
}

/* GUI */

static MrLesson *
find_lesson (MrLessonPanel *self,
             const char    *id)
{
  for (guint i = 0; self->lessons != NULL && i < self->lessons->len; i++)
    {
      MrLesson *lesson = g_ptr_array_index (self->lessons, i);

      if (g_strcmp0 (lesson->id, id) == 0)
        return lesson;
    }

  return NULL;
}

/* Shows @plain (or @markup) in @label and keeps it in @field; hides the
 * label's card (or the label) when @plain is NULL. */
static void
set_text (char       **field,
          GtkLabel    *label,
          const char  *plain,
          const char  *markup)
{
  GtkWidget *shown = GTK_WIDGET (label);
  GtkWidget *parent = gtk_widget_get_parent (shown);

  g_free (*field);
  *field = g_strdup (plain);
  if (markup != NULL)
    gtk_label_set_markup (label, markup);
  else if (plain != NULL)
    gtk_label_set_text (label, plain);
  if (parent != NULL && gtk_widget_has_css_class (parent, "card"))
    shown = parent;
  gtk_widget_set_visible (shown, plain != NULL);
}

static void
append_output (MrLessonPanel *self,
               const char    *text)
{
  GtkTextBuffer *buffer = gtk_text_view_get_buffer (self->output_view);
  GtkTextIter end;
  GtkTextMark *mark;

  gtk_text_buffer_get_end_iter (buffer, &end);
  gtk_text_buffer_insert (buffer, &end, text, -1);
  gtk_text_buffer_get_end_iter (buffer, &end);
  mark = gtk_text_buffer_get_mark (buffer, "end");
  if (mark == NULL)
    mark = gtk_text_buffer_create_mark (buffer, "end", &end, FALSE);
  else
    gtk_text_buffer_move_mark (buffer, mark, &end);
  /* The view scrolls to the new last line once its layout has it
   * (output_upper_cb); this is for a view that is already laid out. */
  gtk_text_view_scroll_mark_onscreen (self->output_view, mark);
}

/* What can be asked for now: a hint or the reference move only while a
 * step is open. */
static void
update_actions (MrLessonPanel *self)
{
  gboolean open = self->link != NULL && self->ready && self->error == NULL;

  gtk_widget_action_set_enabled (GTK_WIDGET (self), "lesson.hint", open && !self->completed);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "lesson.show-me", open && !self->completed);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "lesson.reset", self->link != NULL);
}

/* The console follows its newest line: its height grows after layout. */
static void
output_upper_cb (MrLessonPanel *self,
                 GParamSpec    *pspec,
                 GtkAdjustment *adjustment)
{
  gtk_adjustment_set_value (adjustment,
                            gtk_adjustment_get_upper (adjustment) -
                            gtk_adjustment_get_page_size (adjustment));
}

static void choice_clicked_cb (MrLessonPanel *self,
                               GtkButton     *button);

static void
clear_choices (MrLessonPanel *self)
{
  GtkWidget *child;

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->choices_box))) != NULL)
    gtk_box_remove (self->choices_box, child);
  g_hash_table_remove_all (self->choice_buttons);
}

static void
show_choices (MrLessonPanel      *self,
              const char * const *choices)
{
  clear_choices (self);

  for (guint i = 0; choices != NULL && choices[i] != NULL; i++)
    {
      GtkWidget *button = gtk_button_new_with_label (choices[i]);
      g_autofree char *name = g_strdup_printf (_("I expect %s"), choices[i]);

      gtk_widget_add_css_class (button, "monospace");
      gtk_accessible_update_property (GTK_ACCESSIBLE (button),
                                      GTK_ACCESSIBLE_PROPERTY_LABEL, name,
                                      -1);
      g_object_set_data_full (G_OBJECT (button), "mr-code", g_strdup (choices[i]), g_free);
      g_signal_connect_object (button, "clicked", G_CALLBACK (choice_clicked_cb),
                               self, G_CONNECT_SWAPPED);
      gtk_box_append (self->choices_box, button);
      g_hash_table_insert (self->choice_buttons, g_strdup (choices[i]), button);
    }
}

static void
update_step (MrLessonPanel *self)
{
  MrLesson *lesson = self->link ? self->link->lesson : NULL;
  MrLessonStep *step;
  guint n_steps;
  g_autofree char *counter = NULL;

  if (lesson == NULL)
    return;

  n_steps = mr_lesson_get_n_steps (lesson);
  gtk_progress_bar_set_fraction (self->progress_bar,
                                 n_steps ? (double) MIN (self->step, n_steps) / n_steps : 0);

  if (self->step >= n_steps)
    return;

  step = mr_lesson_get_step (lesson, self->step);
  /* Translators: above the instruction of a lesson's current step */
  counter = g_strdup_printf (_("Step %u of %u"), self->step + 1, n_steps);
  gtk_label_set_label (self->step_counter, counter);
  gtk_label_set_label (self->step_title, step->title ? step->title : "");
  gtk_widget_set_visible (GTK_WIDGET (self->step_title), step->title != NULL);
  gtk_label_set_label (self->instruction_label, step->instruction);
  gtk_widget_set_visible (GTK_WIDGET (self->intro_label),
                          self->step == 0 && lesson->intro != NULL && self->explanation == NULL);

  g_clear_pointer (&self->predicted, g_free);
  gtk_widget_set_visible (GTK_WIDGET (self->predict_box), step->predict != NULL);
  gtk_label_set_label (self->predict_label, _("Which reply do you expect? Pick it before you send the command."));
  if (step->predict != NULL)
    show_choices (self, (const char * const *) step->predict->choices);
  else
    clear_choices (self);
}

/* Shows @page. GTK 4.8 warns (g_signal_handler_disconnect on the frame
 * clock with id 0, gtk_adjustment_enable_animation() re-entered) when a
 * scrollbar is unmapped while its adjustment is animating, as the
 * console's is after new output: end that animation first. */
static void
show_page (MrLessonPanel *self,
           const char    *page)
{
  GtkAdjustment *adjustment = gtk_scrolled_window_get_vadjustment (self->output_scroller);

  if (g_strcmp0 (gtk_stack_get_visible_child_name (self->stack), page) == 0)
    return;
  gtk_adjustment_set_value (adjustment,
                            gtk_adjustment_get_upper (adjustment) -
                            gtk_adjustment_get_page_size (adjustment));
  gtk_stack_set_visible_child_name (self->stack, page);
}

static void
show_done (MrLessonPanel *self)
{
  MrLesson *lesson = self->link->lesson;
  g_autofree char *rfcs = NULL;
  g_autofree char *rfc_text = NULL;
  g_autofree char *description = NULL;
  guint index = 0;

  for (guint i = 0; self->lessons != NULL && i < self->lessons->len; i++)
    if (g_ptr_array_index (self->lessons, i) == lesson)
      index = i;

  /* Translators: the completion page's summary */
  description = g_strdup_printf (_("You finished “%s”: %u steps."),
                                 lesson->title, mr_lesson_get_n_steps (lesson));
  adw_status_page_set_description (self->done_page, description);
  gtk_label_set_label (self->conclusion_label, lesson->conclusion ? lesson->conclusion : "");
  if (lesson->rfc != NULL && lesson->rfc[0] != NULL)
    {
      rfcs = g_strjoinv (", ", lesson->rfc);
      /* Translators: the RFC sections a lesson taught */
      rfc_text = g_strdup_printf (_("Read more: %s"), rfcs);
    }
  gtk_label_set_label (self->rfc_label, rfc_text ? rfc_text : "");
  gtk_widget_set_visible (GTK_WIDGET (self->next_button),
                          self->lessons != NULL && index + 1 < self->lessons->len);
  show_page (self, "done");
  gtk_widget_grab_focus (gtk_widget_get_visible (GTK_WIDGET (self->next_button))
                         ? GTK_WIDGET (self->next_button) : GTK_WIDGET (self->again_button));
}

static void
msg_apply (MrLessonPanel *self,
           Msg           *msg)
{
  MrLesson *lesson = self->link->lesson;

  self->step = msg->step;
  self->completed = msg->completed;
  self->awaiting = msg->awaiting;

  switch (msg->kind)
    {
    case MSG_STARTED:
      self->ready = TRUE;
      update_step (self);
      if (self->completed)
        show_done (self);
      break;

    case MSG_FAILED:
      self->ready = TRUE;
      set_text (&self->error, self->error_label, msg->text, NULL);
      gtk_widget_set_sensitive (GTK_WIDGET (self->entry), FALSE);
      break;

    case MSG_OUTPUT:
      append_output (self, msg->text);
      break;

    case MSG_STEP_CHANGED:
      self->step = msg->index;
      set_text (&self->hint, self->hint_label, NULL, NULL);
      /* The verdict stays beside the explanation of the step it was about. */
      if (self->verdict_step + 1 != msg->index)
        set_text (&self->verdict, self->verdict_label, NULL, NULL);
      update_step (self);
      gtk_adjustment_set_value (gtk_scrolled_window_get_vadjustment (self->step_scroller), 0);
      break;

    case MSG_STEP_COMPLETED:
      if (msg->index < mr_lesson_get_n_steps (lesson))
        {
          MrLessonStep *step = mr_lesson_get_step (lesson, msg->index);
          g_autofree char *escaped = g_markup_escape_text (msg->text ? msg->text : "", -1);
          g_autofree char *markup = NULL;
          g_autofree char *heading = NULL;

          /* Translators: heading of a done step's explanation */
          heading = g_markup_printf_escaped (_("✓ Step %u done"), msg->index + 1);
          markup = g_strdup_printf ("<b>%s</b>\n%s\n<small>%s</small>", heading, escaped,
                                    step->rfc ? step->rfc : "");
          set_text (&self->explanation, self->explanation_label, msg->text, markup);
          gtk_widget_set_visible (GTK_WIDGET (self->intro_label), FALSE);
        }
      break;

    case MSG_HINT:
      {
        g_autofree char *escaped = g_markup_escape_text (msg->text, -1);
        g_autofree char *markup = g_strdup_printf ("<b>%s</b> %s",
                                                   msg->flag ? _("Stronger hint:") : _("Hint:"),
                                                   escaped);

        set_text (&self->hint, self->hint_label, msg->text, markup);
        if (msg->flag)
          gtk_widget_add_css_class (GTK_WIDGET (self->hint_label), "warning");
        else
          gtk_widget_remove_css_class (GTK_WIDGET (self->hint_label), "warning");
      }
      break;

    case MSG_PREDICT_REQUESTED:
      gtk_widget_set_visible (GTK_WIDGET (self->predict_box), TRUE);
      gtk_label_set_label (self->predict_label,
                           _("The server has answered. Before you see it: which code do you expect?"));
      show_choices (self, (const char * const *) msg->choices);
      break;

    case MSG_PREDICTION:
      {
        g_autofree char *heading = NULL;
        g_autofree char *plain = NULL;
        g_autofree char *markup = NULL;
        g_autofree char *escaped = g_markup_escape_text (msg->text3 ? msg->text3 : "", -1);

        if (msg->flag)
          /* Translators: a right prediction; %s is a reply code */
          heading = g_strdup_printf (_("Right: the server answered %s."), msg->text2);
        else
          /* Translators: a wrong prediction; the codes predicted and received */
          heading = g_strdup_printf (_("Not quite: you expected %s, the server answered %s."),
                                     msg->text, msg->text2);
        self->verdict_step = self->step;
        plain = g_strdup_printf ("%s %s", heading, msg->text3 ? msg->text3 : "");
        markup = g_markup_printf_escaped ("<b>%s</b>\n", heading);
        {
          g_autofree char *full = g_strconcat (markup, escaped, NULL);
          set_text (&self->verdict, self->verdict_label, plain, full);
        }
        gtk_widget_remove_css_class (GTK_WIDGET (self->verdict_label), msg->flag ? "warning" : "success");
        gtk_widget_add_css_class (GTK_WIDGET (self->verdict_label), msg->flag ? "success" : "warning");
        gtk_widget_set_visible (GTK_WIDGET (self->predict_box), FALSE);
      }
      break;

    case MSG_COMPLETED:
      self->completed = TRUE;
      update_step (self);
      show_done (self);
      break;

    case MSG_DONE:
      if (self->pending > 0)
        self->pending--;
      break;

    default:
      g_assert_not_reached ();
    }

  update_actions (self);
}

static void
close_lesson (MrLessonPanel *self)
{
  GtkTextBuffer *buffer = gtk_text_view_get_buffer (self->output_view);

  if (self->link != NULL)
    {
      op_queue (self, OP_CLOSE, NULL);
      g_clear_pointer (&self->link, link_unref);
    }

  self->ready = FALSE;
  self->completed = FALSE;
  self->awaiting = FALSE;
  self->step = 0;
  self->pending = 0;
  gtk_text_buffer_set_text (buffer, "", -1);
  set_text (&self->hint, self->hint_label, NULL, NULL);
  set_text (&self->explanation, self->explanation_label, NULL, NULL);
  set_text (&self->verdict, self->verdict_label, NULL, NULL);
  set_text (&self->error, self->error_label, NULL, NULL);
  g_clear_pointer (&self->predicted, g_free);
  clear_choices (self);
  gtk_widget_set_sensitive (GTK_WIDGET (self->entry), TRUE);
  update_actions (self);
}

gboolean
mr_lesson_panel_open_lesson (MrLessonPanel *self,
                             const char    *lesson_id)
{
  MrLesson *lesson;
  g_autofree char *intro = NULL;

  g_return_val_if_fail (MR_IS_LESSON_PANEL (self), FALSE);
  g_return_val_if_fail (lesson_id != NULL, FALSE);

  if (self->lessons == NULL)
    mr_lesson_panel_reload (self);
  if ((lesson = find_lesson (self, lesson_id)) == NULL)
    return FALSE;
  if (self->engine == NULL || mr_engine_thread_get_engine (self->engine) == NULL)
    {
      g_warning ("No engine to run lesson %s on", lesson_id);
      return FALSE;
    }

  close_lesson (self);
  self->link = link_new (self, mr_engine_thread_get_engine (self->engine), lesson,
                         self->progress_path);

  gtk_label_set_label (self->lesson_title, lesson->title);
  gtk_label_set_label (self->intro_label, lesson->intro ? lesson->intro : "");
  gtk_label_set_label (self->step_counter, "");
  gtk_label_set_label (self->step_title, "");
  gtk_label_set_label (self->instruction_label, _("Setting up the lab…"));
  gtk_widget_set_visible (GTK_WIDGET (self->predict_box), FALSE);
  gtk_progress_bar_set_fraction (self->progress_bar, 0);
  show_page (self, "lesson");

  op_queue (self, OP_START, NULL);
  update_actions (self);
  gtk_widget_grab_focus (GTK_WIDGET (self->entry));

  return TRUE;
}

void
mr_lesson_panel_show_catalog (MrLessonPanel *self)
{
  g_return_if_fail (MR_IS_LESSON_PANEL (self));

  close_lesson (self);
  mr_lesson_catalog_refresh (self->catalog);
  show_page (self, "catalog");
}

void
mr_lesson_panel_send (MrLessonPanel *self,
                      const char    *line)
{
  g_autofree char *echo = NULL;

  g_return_if_fail (MR_IS_LESSON_PANEL (self));
  g_return_if_fail (line != NULL);

  if (self->link == NULL)
    return;

  /* Show what was typed, as the runner does for "Show me"; its own
   * commands are noted by the runner. */
  if (line[0] != '/')
    {
      echo = g_strdup_printf ("> %s\n", line);
      append_output (self, echo);
    }
  op_queue (self, OP_SUBMIT, line);
}

static void
entry_activate_cb (MrLessonPanel *self,
                   GtkEntry      *entry)
{
  g_autofree char *line = NULL;

  g_assert (MR_IS_LESSON_PANEL (self));

  line = g_strdup (gtk_editable_get_text (GTK_EDITABLE (entry)));
  gtk_editable_set_text (GTK_EDITABLE (entry), "");
  if (line[0] != '\0' &&
      (self->history->len == 0 ||
       g_strcmp0 (g_ptr_array_index (self->history, self->history->len - 1), line) != 0))
    g_ptr_array_add (self->history, g_strdup (line));
  if (self->history->len > 200)
    g_ptr_array_remove_index (self->history, 0);
  self->history_pos = -1;
  mr_lesson_panel_send (self, line);
}

static void
choice_clicked_cb (MrLessonPanel *self,
                   GtkButton     *button)
{
  const char *code = g_object_get_data (G_OBJECT (button), "mr-code");
  g_autofree char *text = NULL;

  g_assert (MR_IS_LESSON_PANEL (self));

  g_free (self->predicted);
  self->predicted = g_strdup (code);
  if (!self->awaiting)
    {
      /* Translators: a prediction made before the command is sent */
      text = g_strdup_printf (_("You expect %s. Now send the command."), code);
      gtk_label_set_label (self->predict_label, text);
    }
  op_queue (self, OP_PREDICT, code);
}

/* Up and Down walk the lines typed before, Tab completes a verb, as in
 * the Console page. */
static void
history_action (GtkWidget  *widget,
                const char *action_name,
                GVariant   *param)
{
  MrLessonPanel *self = (MrLessonPanel *)widget;
  GtkEditable *editable = GTK_EDITABLE (self->entry);
  int n = self->history->len;

  if (n == 0)
    return;

  if (g_str_equal (action_name, "lesson.history-previous"))
    self->history_pos = self->history_pos < 0 ? n - 1 : MAX (self->history_pos - 1, 0);
  else if (self->history_pos >= 0)
    self->history_pos = self->history_pos + 1 >= n ? -1 : self->history_pos + 1;
  else
    return;

  gtk_editable_set_text (editable, self->history_pos >= 0
                         ? g_ptr_array_index (self->history, self->history_pos) : "");
  gtk_editable_set_position (editable, -1);
}

static void
complete_action (GtkWidget  *widget,
                 const char *action_name,
                 GVariant   *param)
{
  MrLessonPanel *self = (MrLessonPanel *)widget;
  GtkEditable *editable = GTK_EDITABLE (self->entry);
  g_autofree char *completed = NULL;

  if (self->link == NULL)
    return;

  completed = mr_console_complete (mr_service_get_protocol (self->link->lesson->service),
                                   gtk_editable_get_text (editable));
  if (completed != NULL)
    {
      gtk_editable_set_text (editable, completed);
      gtk_editable_set_position (editable, -1);
    }
}

static gboolean
entry_key_pressed_cb (GtkEventControllerKey *controller,
                      guint                  keyval,
                      guint                  keycode,
                      GdkModifierType        state,
                      MrLessonPanel         *self)
{
  if (keyval == GDK_KEY_Up)
    return gtk_widget_activate_action (GTK_WIDGET (self), "lesson.history-previous", NULL);
  if (keyval == GDK_KEY_Down)
    return gtk_widget_activate_action (GTK_WIDGET (self), "lesson.history-next", NULL);
  if (keyval == GDK_KEY_Tab && (state & GDK_MODIFIER_MASK) == 0 &&
      gtk_editable_get_text (GTK_EDITABLE (self->entry))[0] != '\0')
    return gtk_widget_activate_action (GTK_WIDGET (self), "lesson.complete", NULL);

  return FALSE;
}

static void
hint_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *param)
{
  MrLessonPanel *self = (MrLessonPanel *)widget;

  op_queue (self, OP_HINT, NULL);
}

static void
show_me_action (GtkWidget  *widget,
                const char *action_name,
                GVariant   *param)
{
  MrLessonPanel *self = (MrLessonPanel *)widget;

  op_queue (self, OP_SHOW_ME, NULL);
}

static void
reset_action (GtkWidget  *widget,
              const char *action_name,
              GVariant   *param)
{
  MrLessonPanel *self = (MrLessonPanel *)widget;
  GtkTextBuffer *buffer = gtk_text_view_get_buffer (self->output_view);

  if (self->link == NULL)
    return;

  gtk_text_buffer_set_text (buffer, "", -1);
  set_text (&self->hint, self->hint_label, NULL, NULL);
  set_text (&self->explanation, self->explanation_label, NULL, NULL);
  set_text (&self->verdict, self->verdict_label, NULL, NULL);
  self->completed = FALSE;
  show_page (self, "lesson");
  op_queue (self, OP_RESET, NULL);
}

static void
catalog_action (GtkWidget  *widget,
                const char *action_name,
                GVariant   *param)
{
  mr_lesson_panel_show_catalog (MR_LESSON_PANEL (widget));
}

static void
next_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *param)
{
  MrLessonPanel *self = (MrLessonPanel *)widget;
  MrLesson *lesson = self->link ? self->link->lesson : NULL;

  for (guint i = 0; lesson != NULL && self->lessons != NULL && i + 1 < self->lessons->len; i++)
    if (g_ptr_array_index (self->lessons, i) == lesson)
      {
        MrLesson *next = g_ptr_array_index (self->lessons, i + 1);
        g_autofree char *id = g_strdup (next->id);

        mr_lesson_panel_open_lesson (self, id);
        return;
      }
}

static void
lesson_activated_cb (MrLessonPanel   *self,
                     const char      *id,
                     MrLessonCatalog *catalog)
{
  mr_lesson_panel_open_lesson (self, id);
}

/* The number in a lesson's id ("smtp-07-greylisting": 7), G_MAXUINT
 * without one: the course's order, where ids alone would put "http-17"
 * and "imap-16" before "smtp-01". */
static guint
lesson_number (const MrLesson *lesson)
{
  for (const char *p = lesson->id; *p != '\0'; p++)
    if (g_ascii_isdigit (*p))
      return (guint) g_ascii_strtoull (p, NULL, 10);

  return G_MAXUINT;
}

static int
compare_lessons (gconstpointer a,
                 gconstpointer b)
{
  const MrLesson *la = *(MrLesson * const *) a;
  const MrLesson *lb = *(MrLesson * const *) b;
  guint na = lesson_number (la);
  guint nb = lesson_number (lb);

  if (na != nb)
    return na < nb ? -1 : 1;

  return g_strcmp0 (la->id, lb->id);
}

void
mr_lesson_panel_reload (MrLessonPanel *self)
{
  g_autoptr(GPtrArray) errors = g_ptr_array_new_with_free_func (g_free);

  g_return_if_fail (MR_IS_LESSON_PANEL (self));

  g_clear_pointer (&self->lessons, g_ptr_array_unref);
  self->lessons = mr_lesson_load_all (&errors);
  g_ptr_array_sort (self->lessons, compare_lessons);
  mr_lesson_catalog_set_lessons (self->catalog, self->lessons);
  mr_lesson_catalog_set_errors (self->catalog, errors);
}

void
mr_lesson_panel_set_engine (MrLessonPanel  *self,
                            MrEngineThread *engine)
{
  g_return_if_fail (MR_IS_LESSON_PANEL (self));
  g_return_if_fail (!engine || MR_IS_ENGINE_THREAD (engine));

  if (engine == self->engine)
    return;

  close_lesson (self);
  g_set_object (&self->engine, engine);
  if (self->lessons == NULL)
    mr_lesson_panel_reload (self);
}

void
mr_lesson_panel_set_progress_path (MrLessonPanel *self,
                                   const char    *path)
{
  g_return_if_fail (MR_IS_LESSON_PANEL (self));

  g_free (self->progress_path);
  self->progress_path = g_strdup (path);
  mr_lesson_catalog_set_progress_path (self->catalog, path);
}

const char *
mr_lesson_panel_get_page (MrLessonPanel *self)
{
  g_return_val_if_fail (MR_IS_LESSON_PANEL (self), NULL);

  return gtk_stack_get_visible_child_name (self->stack);
}

MrLesson *
mr_lesson_panel_get_lesson (MrLessonPanel *self)
{
  g_return_val_if_fail (MR_IS_LESSON_PANEL (self), NULL);

  return self->link ? self->link->lesson : NULL;
}

guint
mr_lesson_panel_get_step_index (MrLessonPanel *self)
{
  g_return_val_if_fail (MR_IS_LESSON_PANEL (self), 0);

  return self->step;
}

gboolean
mr_lesson_panel_get_completed (MrLessonPanel *self)
{
  g_return_val_if_fail (MR_IS_LESSON_PANEL (self), FALSE);

  return self->completed;
}

gboolean
mr_lesson_panel_get_ready (MrLessonPanel *self)
{
  g_return_val_if_fail (MR_IS_LESSON_PANEL (self), FALSE);

  return self->ready;
}

const char *
mr_lesson_panel_get_error (MrLessonPanel *self)
{
  g_return_val_if_fail (MR_IS_LESSON_PANEL (self), NULL);

  return self->error;
}

const char *
mr_lesson_panel_get_hint (MrLessonPanel *self)
{
  g_return_val_if_fail (MR_IS_LESSON_PANEL (self), NULL);

  return self->hint;
}

const char *
mr_lesson_panel_get_explanation (MrLessonPanel *self)
{
  g_return_val_if_fail (MR_IS_LESSON_PANEL (self), NULL);

  return self->explanation;
}

const char *
mr_lesson_panel_get_verdict (MrLessonPanel *self)
{
  g_return_val_if_fail (MR_IS_LESSON_PANEL (self), NULL);

  return self->verdict;
}

char *
mr_lesson_panel_dup_output (MrLessonPanel *self)
{
  GtkTextBuffer *buffer;
  GtkTextIter start, end;

  g_return_val_if_fail (MR_IS_LESSON_PANEL (self), NULL);

  buffer = gtk_text_view_get_buffer (self->output_view);
  gtk_text_buffer_get_bounds (buffer, &start, &end);

  return gtk_text_buffer_get_text (buffer, &start, &end, FALSE);
}

GtkEntry *
mr_lesson_panel_get_entry (MrLessonPanel *self)
{
  g_return_val_if_fail (MR_IS_LESSON_PANEL (self), NULL);

  return self->entry;
}

GtkWidget *
mr_lesson_panel_get_catalog (MrLessonPanel *self)
{
  g_return_val_if_fail (MR_IS_LESSON_PANEL (self), NULL);

  return GTK_WIDGET (self->catalog);
}

GtkButton *
mr_lesson_panel_get_choice_button (MrLessonPanel *self,
                                   const char    *code)
{
  g_return_val_if_fail (MR_IS_LESSON_PANEL (self), NULL);

  return g_hash_table_lookup (self->choice_buttons, code);
}

guint
mr_lesson_panel_get_pending (MrLessonPanel *self)
{
  g_return_val_if_fail (MR_IS_LESSON_PANEL (self), 0);

  return self->pending;
}

GtkWidget *
mr_lesson_panel_new (void)
{
  return g_object_new (MR_TYPE_LESSON_PANEL, NULL);
}

static void
mr_lesson_panel_dispose (GObject *object)
{
  MrLessonPanel *self = (MrLessonPanel *)object;

  if (self->link != NULL)
    {
      op_queue (self, OP_CLOSE, NULL);
      g_clear_pointer (&self->link, link_unref);
    }
  gtk_widget_dispose_template (GTK_WIDGET (self), MR_TYPE_LESSON_PANEL);
  g_clear_object (&self->engine);
  g_clear_pointer (&self->lessons, g_ptr_array_unref);

  G_OBJECT_CLASS (mr_lesson_panel_parent_class)->dispose (object);
}

static void
mr_lesson_panel_finalize (GObject *object)
{
  MrLessonPanel *self = (MrLessonPanel *)object;

  g_clear_pointer (&self->choice_buttons, g_hash_table_unref);
  g_clear_pointer (&self->history, g_ptr_array_unref);
  g_free (self->progress_path);
  g_free (self->hint);
  g_free (self->explanation);
  g_free (self->verdict);
  g_free (self->error);
  g_free (self->predicted);

  G_OBJECT_CLASS (mr_lesson_panel_parent_class)->finalize (object);
}

static void
mr_lesson_panel_class_init (MrLessonPanelClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = mr_lesson_panel_dispose;
  object_class->finalize = mr_lesson_panel_finalize;

  g_type_ensure (MR_TYPE_LESSON_CATALOG);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/mailroomlab/Mailroom/ui/mr-lesson-panel.ui");
  gtk_widget_class_bind_template_child (widget_class, MrLessonPanel, stack);
  gtk_widget_class_bind_template_child (widget_class, MrLessonPanel, catalog);
  gtk_widget_class_bind_template_child (widget_class, MrLessonPanel, back_button);
  gtk_widget_class_bind_template_child (widget_class, MrLessonPanel, lesson_title);
  gtk_widget_class_bind_template_child (widget_class, MrLessonPanel, reset_button);
  gtk_widget_class_bind_template_child (widget_class, MrLessonPanel, step_counter);
  gtk_widget_class_bind_template_child (widget_class, MrLessonPanel, progress_bar);
  gtk_widget_class_bind_template_child (widget_class, MrLessonPanel, step_scroller);
  gtk_widget_class_bind_template_child (widget_class, MrLessonPanel, intro_label);
  gtk_widget_class_bind_template_child (widget_class, MrLessonPanel, explanation_label);
  gtk_widget_class_bind_template_child (widget_class, MrLessonPanel, step_title);
  gtk_widget_class_bind_template_child (widget_class, MrLessonPanel, instruction_label);
  gtk_widget_class_bind_template_child (widget_class, MrLessonPanel, predict_box);
  gtk_widget_class_bind_template_child (widget_class, MrLessonPanel, predict_label);
  gtk_widget_class_bind_template_child (widget_class, MrLessonPanel, choices_box);
  gtk_widget_class_bind_template_child (widget_class, MrLessonPanel, verdict_label);
  gtk_widget_class_bind_template_child (widget_class, MrLessonPanel, hint_label);
  gtk_widget_class_bind_template_child (widget_class, MrLessonPanel, hint_button);
  gtk_widget_class_bind_template_child (widget_class, MrLessonPanel, show_me_button);
  gtk_widget_class_bind_template_child (widget_class, MrLessonPanel, output_scroller);
  gtk_widget_class_bind_template_child (widget_class, MrLessonPanel, output_view);
  gtk_widget_class_bind_template_child (widget_class, MrLessonPanel, entry);
  gtk_widget_class_bind_template_child (widget_class, MrLessonPanel, error_label);
  gtk_widget_class_bind_template_child (widget_class, MrLessonPanel, done_page);
  gtk_widget_class_bind_template_child (widget_class, MrLessonPanel, conclusion_label);
  gtk_widget_class_bind_template_child (widget_class, MrLessonPanel, rfc_label);
  gtk_widget_class_bind_template_child (widget_class, MrLessonPanel, next_button);
  gtk_widget_class_bind_template_child (widget_class, MrLessonPanel, again_button);
  gtk_widget_class_bind_template_child (widget_class, MrLessonPanel, catalog_button);
  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_css_name (widget_class, "mrlessonpanel");

  gtk_widget_class_install_action (widget_class, "lesson.hint", NULL, hint_action);
  gtk_widget_class_install_action (widget_class, "lesson.show-me", NULL, show_me_action);
  gtk_widget_class_install_action (widget_class, "lesson.reset", NULL, reset_action);
  gtk_widget_class_install_action (widget_class, "lesson.catalog", NULL, catalog_action);
  gtk_widget_class_install_action (widget_class, "lesson.next", NULL, next_action);
  gtk_widget_class_install_action (widget_class, "lesson.history-previous", NULL, history_action);
  gtk_widget_class_install_action (widget_class, "lesson.history-next", NULL, history_action);
  gtk_widget_class_install_action (widget_class, "lesson.complete", NULL, complete_action);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_F1, 0, "lesson.hint", NULL);
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_GROUP);
}

static void
mr_lesson_panel_init (MrLessonPanel *self)
{
  GtkEventController *keys;

  self->choice_buttons = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  self->history = g_ptr_array_new_with_free_func (g_free);
  self->history_pos = -1;

  gtk_widget_init_template (GTK_WIDGET (self));
  update_actions (self);

  gtk_accessible_update_property (GTK_ACCESSIBLE (self),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, _("Lessons"),
                                  -1);

  g_signal_connect_object (self->catalog, "lesson-activated",
                           G_CALLBACK (lesson_activated_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->entry, "activate",
                           G_CALLBACK (entry_activate_cb), self, G_CONNECT_SWAPPED);
  /* Capture: before the entry's text moves the cursor or the focus. */
  keys = gtk_event_controller_key_new ();
  gtk_event_controller_set_propagation_phase (keys, GTK_PHASE_CAPTURE);
  g_signal_connect_object (keys, "key-pressed", G_CALLBACK (entry_key_pressed_cb), self, 0);
  gtk_widget_add_controller (GTK_WIDGET (self->entry), keys);
  g_signal_connect_object (gtk_scrolled_window_get_vadjustment (self->output_scroller), "notify::upper",
                           G_CALLBACK (output_upper_cb), self, G_CONNECT_SWAPPED);
}
