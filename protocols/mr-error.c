/* mr-error.c
 *
 * Copyright 2026 The Mailroom authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "mr-error.h"

G_DEFINE_QUARK (mr-error-quark, mr_error)
