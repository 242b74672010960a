/* test-clock.c
 *
 * Copyright 2026 The Mailroom authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "mailroom.h"

static void
count_cb (gpointer data)
{
  (*(guint *)data)++;
}

static void
test_clock_step_mode (void)
{
  g_autoptr(MrClock) clock = mr_clock_new ();
  guint fired = 0;
  gint64 frozen;

  mr_clock_set_mode (clock, MR_CLOCK_STEP);
  frozen = mr_clock_now (clock);
  g_usleep (2000);
  g_assert_cmpint (mr_clock_now (clock), ==, frozen);

  /* A retry in 15 minutes of virtual time fires only when time is advanced. */
  mr_clock_add_timeout (clock, 15 * 60 * G_USEC_PER_SEC, count_cb, &fired, NULL);
  mr_clock_advance (clock, 14 * 60 * G_USEC_PER_SEC);
  g_assert_cmpuint (fired, ==, 0);
  g_assert_cmpint (mr_clock_get_next_due (clock), ==, 60 * G_USEC_PER_SEC);
  mr_clock_advance (clock, 60 * G_USEC_PER_SEC);
  g_assert_cmpuint (fired, ==, 1);
  g_assert_cmpint (mr_clock_now (clock), ==, frozen + 15 * 60 * G_USEC_PER_SEC);
}

static void
quit_cb (gpointer data)
{
  g_main_loop_quit (data);
}

static void
test_clock_fast_forward (void)
{
  g_autoptr(MrClock) clock = mr_clock_new ();
  g_autoptr(GMainLoop) loop = g_main_loop_new (NULL, FALSE);
  gint64 real_start = g_get_monotonic_time ();
  gint64 virtual_start = mr_clock_now (clock);
  gint64 real_elapsed;

  /* 10 virtual minutes at 6000x take 100 ms of real time. */
  mr_clock_set_speed (clock, 6000.0);
  mr_clock_add_timeout (clock, 10 * 60 * G_USEC_PER_SEC, quit_cb, loop, NULL);
  g_main_loop_run (loop);

  real_elapsed = g_get_monotonic_time () - real_start;
  g_assert_cmpint (real_elapsed, <, 5 * G_USEC_PER_SEC);
  g_assert_cmpint (mr_clock_now (clock) - virtual_start, >=, 10 * 60 * G_USEC_PER_SEC);
}

static void
test_clock_cancel (void)
{
  g_autoptr(MrClock) clock = mr_clock_new ();
  guint fired = 0;
  guint id;

  mr_clock_set_mode (clock, MR_CLOCK_STEP);
  id = mr_clock_add_timeout (clock, 10, count_cb, &fired, NULL);
  mr_clock_cancel (clock, id);
  mr_clock_advance (clock, 100);
  g_assert_cmpuint (fired, ==, 0);
  g_assert_cmpint (mr_clock_get_next_due (clock), ==, -1);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/core/clock/step-mode", test_clock_step_mode);
  g_test_add_func ("/core/clock/fast-forward", test_clock_fast_forward);
  g_test_add_func ("/core/clock/cancel", test_clock_cancel);

  return g_test_run ();
}
