#!/usr/bin/python3
# test-locale.py
#
# Copyright 2026 The Mailroom authors
#
# SPDX-License-Identifier: GPL-3.0-or-later
#
# mailroom-server follows the locale: `mailroom-server --help` with
# LANGUAGE=de (es) prints the German (Spanish) option descriptions of po/de.po
# (es.po), read from the .mo files in the build tree (MAILROOM_LOCALEDIR).
# Also the reply catalog's explanations (--explain-code if the server has it
# is not assumed: only --help). Prints TAP.
#
#   test-locale.py MAILROOM_SERVER LOCALEDIR PO_DIR LANG...

import os
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
check_po = __import__('check-po')


def run_help(server, localedir, language):
    env = dict(os.environ)
    for var in ('LC_ALL', 'LC_MESSAGES', 'LANG', 'LANGUAGE'):
        env.pop(var, None)
    # LANGUAGE is ignored in the C locale, so a UTF-8 one that always exists
    env['LANG'] = 'C.UTF-8'
    if language:
        env['LANGUAGE'] = language
    env['MAILROOM_LOCALEDIR'] = localedir
    r = subprocess.run([server, '--help'], capture_output=True, text=True, env=env, timeout=30)
    return r.returncode, r.stdout + r.stderr


def shown(text, output):
    """Whether @text is a whole option description or paragraph of --help:
    a line of its own, or the end of an option line (after 2+ spaces)."""
    first = text.split('\n')[0]
    for line in output.split('\n'):
        if line.strip() == first or line.endswith('  ' + first):
            return True
    return False


def main(argv):
    server, localedir, po_dir = argv[1:4]
    languages = argv[4:]
    print('1..%d' % (1 + len(languages)))
    rc, english = run_help(server, localedir, None)
    print('# %d lines of English --help' % len(english.splitlines()))
    print('%s 1 - mailroom-server --help runs' % ('ok' if rc == 0 and english else 'not ok'))
    failed = rc != 0
    for n, lang in enumerate(languages, 2):
        rc, output = run_help(server, localedir, lang)
        problems = []
        if rc != 0:
            problems.append('exit status %d' % rc)
        checked = 0
        for e in check_po.parse_po(os.path.join(po_dir, lang + '.po')):
            msgid = e['msgid']
            if not msgid or 'fuzzy' in e['flags'] or not e['msgstr'] or not e['msgstr'][0]:
                continue
            if len(msgid) < 8 or not shown(msgid, english) or e['msgstr'][0] == msgid:
                continue
            checked += 1
            if not shown(e['msgstr'][0], output):
                problems.append('%r: the translation %r is not in the output'
                                % (msgid, e['msgstr'][0]))
            elif msgid in output and msgid not in e['msgstr'][0]:
                problems.append('%r is still in English' % msgid)
        if checked < 3:
            problems.append('only %d translated strings of --help found in %s.po' % (checked, lang))
        for p in problems:
            print('# ' + p)
        print('# %s: %d translated --help strings checked' % (lang, checked))
        print('%s %d - LANGUAGE=%s mailroom-server --help is translated'
              % ('not ok' if problems else 'ok', n, lang))
        failed = failed or bool(problems)
    return 1 if failed else 0


if __name__ == '__main__':
    sys.exit(main(sys.argv))
