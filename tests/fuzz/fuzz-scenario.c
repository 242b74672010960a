/* fuzz-scenario.c
 *
 * Copyright 2026 The Mailroom authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "mailroom.h"
#include "mr-scenario.h"

int LLVMFuzzerTestOneInput (const guint8 *data, size_t size);

int
LLVMFuzzerTestOneInput (const guint8 *data,
                        size_t        size)
{
  g_autoptr(MrScenario) scenario = NULL;
  g_autoptr(GError) error = NULL;

  scenario = mr_scenario_new_from_data ((const char *)data, size, &error);
  if (scenario != NULL)
    {
      g_autoptr(MrStore) store = mr_store_new ();
      g_autoptr(JsonNode) node = mr_scenario_to_json (scenario);

      mr_scenario_apply_to_store (scenario, store);
    }

  return 0;
}
