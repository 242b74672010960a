/* fuzz-session.c
 *
 * Copyright 2026 The Mailroom authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "mailroom.h"

/*
 * One harness for every server session (built once per service with
 * FUZZ_SERVICE): hostile bytes from a client, delivered in chunks whose sizes
 * the input chooses, so line splitting, pipelining, literals and DATA
 * boundaries all get exercised. STARTTLS is simulated by telling the session
 * TLS started. The session must never crash, leak or read out of bounds.
 */

#ifndef FUZZ_SERVICE
# error "FUZZ_SERVICE must name an MrService"
#endif

static MrEngine *engine;
static guint runs;

int LLVMFuzzerTestOneInput (const guint8 *data, size_t size);

int
LLVMFuzzerTestOneInput (const guint8 *data,
                        size_t        size)
{
  g_autoptr(MrSession) session = NULL;
  gsize offset = 1;
  guint8 chunk_seed;

  if (engine == NULL || ++runs % 2000 == 0)
    {
      g_clear_object (&engine);
      engine = mr_engine_new ();
      mr_engine_load_scenario (engine, NULL, NULL);
      /* Nothing on the bus is kept long: the fuzzer runs for hours. */
      mr_event_bus_set_capacity (mr_engine_get_bus (engine), 64);
    }

  if (size == 0)
    return 0;

  session = mr_engine_create_session (engine, FUZZ_SERVICE, "fuzz:1");
  if (session == NULL)
    return 0;

  mr_session_set_tls_available (session, TRUE);
  mr_session_start (session);
  g_bytes_unref (mr_session_take_output (session));

  chunk_seed = data[0];
  while (offset < size && mr_session_get_action (session) != MR_SESSION_CLOSE)
    {
      gsize chunk = MIN (size - offset, (gsize)(chunk_seed % 64) + 1 + (offset % 7) * 97);

      mr_session_feed (session, data + offset, chunk);
      offset += chunk;
      g_bytes_unref (mr_session_take_output (session));

      if (mr_session_get_action (session) == MR_SESSION_START_TLS)
        mr_session_tls_started (session);
    }

  mr_session_stop (session, MR_STOP_SHUTDOWN);
  mr_session_disconnected (session);
  g_bytes_unref (mr_session_take_output (session));

  /* Let delayed replies and IDLE timers run so they are fuzzed too. */
  while (g_main_context_iteration (NULL, FALSE))
    ;

  return 0;
}
