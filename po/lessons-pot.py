#!/usr/bin/python3
# lessons-pot.py
#
# Copyright 2026 The Mailroom authors
#
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Runs lessons/lessons-xgettext.py from the source root, so the "#: FILE:LINE"
# references in the lesson POT are relative (lessons/content/x.lesson:12) like
# xgettext's own. po/meson.build runs it at configure time (configure_file);
# the lesson files are its inputs, so editing one reruns it before any target,
# `mailroom-pot` and `mailroom-update-po` included. Usage:
#
#   lessons-pot.py SOURCE_ROOT LESSONS_XGETTEXT_PY LESSON... > lessons.pot

import os
import subprocess
import sys


def main(argv):
    if len(argv) < 4:
        sys.stderr.write('usage: %s SOURCE_ROOT LESSONS_XGETTEXT_PY LESSON...\n' % argv[0])
        return 2
    root = os.path.realpath(argv[1])
    script = os.path.realpath(argv[2])
    lessons = argv[3:]   # relative to SOURCE_ROOT
    return subprocess.call([sys.executable, script] + lessons, cwd=root)


if __name__ == '__main__':
    sys.exit(main(sys.argv))
