#!/usr/bin/python3
# lessons-pot.py
#
# Copyright 2026 The Mailroom authors
#
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Writes the POT fragment for the JSON data xgettext cannot read: the lessons
# (through lessons/lessons-xgettext.py, run from the source root so the
# "#: FILE:LINE" references are relative, lessons/content/x.lesson:12, like
# xgettext's own) and the host labels of the scenarios ("Alice's laptop",
# shown on the map through g_dgettext in app/mr-topology.c). po/meson.build
# runs it at configure time (configure_file); the files are its inputs, so
# editing one reruns it before any target, `mailroom-pot` and
# `mailroom-update-po` included. Usage:
#
#   lessons-pot.py SOURCE_ROOT LESSONS_XGETTEXT_PY LESSON... [--scenarios SCENARIO...]
#
# Paths of LESSON and SCENARIO are relative to SOURCE_ROOT.

import json
import os
import subprocess
import sys


def po_quote(text):
    return '"%s"' % text.replace('\\', '\\\\').replace('"', '\\"').replace('\n', '\\n').replace('\t', '\\t')


def scenario_entries(root, paths, known):
    out = []
    seen = {}
    order = []
    for path in paths:
        with open(os.path.join(root, path), encoding='utf-8') as f:
            raw = f.read()
        scenario = json.loads(raw)
        for host in scenario.get('hosts', []):
            label = host.get('label')
            if not isinstance(label, str) or label == '':
                continue
            pos = raw.find(json.dumps(label, ensure_ascii=False))
            line = raw.count('\n', 0, pos) + 1 if pos >= 0 else 1
            if label not in seen:
                seen[label] = []
                order.append(label)
            seen[label].append('%s:%d' % (path, line))
    for label in order:
        if po_quote(label) in known:
            continue
        out.append('#. a host on the map of the lab (scenario)\n#: %s\nmsgid %s\nmsgstr ""\n'
                   % (' '.join(seen[label]), po_quote(label)))
    return out


def main(argv):
    if len(argv) < 4:
        sys.stderr.write('usage: %s SOURCE_ROOT LESSONS_XGETTEXT_PY LESSON... '
                         '[--scenarios SCENARIO...]\n' % argv[0])
        return 2
    root = os.path.realpath(argv[1])
    script = os.path.realpath(argv[2])
    rest = argv[3:]
    scenarios = []
    if '--scenarios' in rest:
        i = rest.index('--scenarios')
        rest, scenarios = rest[:i], rest[i + 1:]
    r = subprocess.run([sys.executable, script] + rest, cwd=root, capture_output=True, text=True)
    sys.stderr.write(r.stderr)
    if r.returncode != 0:
        return r.returncode
    sys.stdout.write(r.stdout)
    known = set(line[6:] for line in r.stdout.split('\n') if line.startswith('msgid '))
    for entry in scenario_entries(root, scenarios, known):
        sys.stdout.write(entry + '\n')
    return 0


if __name__ == '__main__':
    sys.exit(main(sys.argv))
