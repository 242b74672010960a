#!/usr/bin/python3
# check-potfiles.py
#
# Copyright 2026 The Mailroom authors
#
# SPDX-License-Identifier: GPL-3.0-or-later
#
# po/POTFILES.in must list every source file with translatable strings, and
# nothing else: C and headers with _( N_( C_( NC_( (comments stripped),
# GtkBuilder files with translatable="yes", the data/*.in files and the
# GSettings schema; in a git checkout, among the files git tracks (so the
# check matches what is committed). Lesson files are extracted by lessons/lessons-xgettext.py
# (po/meson.build) from the list in lessons.gresource.xml: every lesson in
# lessons/content/ must be in that list. Prints TAP.
#
#   check-potfiles.py SOURCE_ROOT          check
#   check-potfiles.py SOURCE_ROOT --list   print what POTFILES.in should be

import os
import re
import subprocess
import sys

SKIP_DIRS = {'.git', 'po', 'tests', 'subprojects', 'flatpak', 'build-aux', 'docs'}
C_KEYWORD = re.compile(r'(?<![A-Za-z0-9_])(?:_|N_|C_|NC_)\s*\(')
C_COMMENT = re.compile(r'/\*.*?\*/|//[^\n]*', re.S)
C_STRING = re.compile(r'"(?:\\.|[^"\\\n])*"')


def has_translatable(path):
    try:
        with open(path, encoding='utf-8') as f:
            text = f.read()
    except (UnicodeDecodeError, OSError):
        return False
    if path.endswith(('.c', '.h')):
        # strings first (a "/*" inside a string is not a comment), then comments
        text = C_STRING.sub('""', text)
        text = C_COMMENT.sub('', text)
        return C_KEYWORD.search(text) is not None
    if path.endswith('.ui'):
        return 'translatable="yes"' in text
    if path.endswith(('.desktop.in', '.metainfo.xml.in', '.gschema.xml')):
        return True
    return False


def git_files(root):
    """The files git tracks (a new file counts once it is added), or None
    outside a git checkout (a release tarball): then every file is scanned."""
    try:
        r = subprocess.run(['git', '-C', root, 'ls-files', '-z'], capture_output=True, timeout=60)
    except (OSError, subprocess.TimeoutExpired):
        return None
    if r.returncode != 0:
        return None
    return [p for p in r.stdout.decode('utf-8', 'replace').split('\0') if p]


def scan(root):
    tracked = git_files(root)
    if tracked is not None:
        found = [p for p in tracked
                 if p.split('/')[0] not in SKIP_DIRS and not p.startswith('_build')
                 and os.path.isfile(os.path.join(root, p))
                 and has_translatable(os.path.join(root, p))]
        return sorted(found, key=lambda s: s.encode())
    found = []
    for dirpath, dirnames, filenames in os.walk(root):
        rel = os.path.relpath(dirpath, root)
        top = rel.split(os.sep)[0]
        dirnames[:] = sorted(d for d in dirnames
                             if not (rel == '.' and (d in SKIP_DIRS or d.startswith('_build')))
                             and not d.startswith('.'))
        for name in filenames:
            path = os.path.join(dirpath, name)
            if has_translatable(path):
                found.append(os.path.relpath(path, root))
    return sorted(found, key=lambda s: s.encode())


def read_potfiles(root):
    listed = []
    with open(os.path.join(root, 'po', 'POTFILES.in'), encoding='utf-8') as f:
        for line in f:
            line = line.strip()
            if line and not line.startswith('#'):
                listed.append(line)
    return listed


def lessons_check(root):
    content = os.path.join(root, 'lessons', 'content')
    if not os.path.isdir(content):
        return []
    with open(os.path.join(content, 'lessons.gresource.xml'), encoding='utf-8') as f:
        listed = set(re.findall(r'<file[^>]*>([^<]+\.lesson)</file>', f.read()))
    problems = []
    for name in sorted(os.listdir(content)):
        if name.endswith('.lesson') and name not in listed:
            problems.append('lessons/content/%s is not in lessons.gresource.xml, '
                            'so its strings are not extracted' % name)
    for name in sorted(listed):
        if not os.path.exists(os.path.join(content, name)):
            problems.append('lessons.gresource.xml lists lessons/content/%s, which does not exist' % name)
    return problems


def main(argv):
    root = os.path.realpath(argv[1]) if len(argv) > 1 else os.getcwd()
    found = scan(root)
    if '--list' in argv:
        print('\n'.join(found))
        return 0
    listed = read_potfiles(root)
    checks = []
    missing = [p for p in found if p not in listed]
    checks.append(('every file with translatable strings is in po/POTFILES.in',
                   ['%s has translatable strings but is missing from po/POTFILES.in' % p
                    for p in missing]))
    gone = [p for p in listed if not os.path.exists(os.path.join(root, p))]
    checks.append(('every file in po/POTFILES.in exists',
                   ['po/POTFILES.in lists %s, which does not exist' % p for p in gone]))
    stale = [p for p in listed if p not in gone and p not in found]
    checks.append(('every file in po/POTFILES.in has translatable strings',
                   ['po/POTFILES.in lists %s, which has no translatable strings' % p
                    for p in stale]))
    order = sorted(listed, key=lambda s: s.encode())
    checks.append(('po/POTFILES.in is sorted (LC_ALL=C) without duplicates',
                   [] if order == listed and len(set(listed)) == len(listed)
                   else ['po/POTFILES.in is not sorted or has duplicates']))
    checks.append(('every lesson is in lessons.gresource.xml (lesson strings are extracted from it)',
                   lessons_check(root)))
    print('1..%d' % len(checks))
    failed = 0
    for n, (name, problems) in enumerate(checks, 1):
        for p in problems:
            print('# %s' % p)
            sys.stderr.write('%s\n' % p)
        print('%s %d - %s' % ('not ok' if problems else 'ok', n, name))
        failed += bool(problems)
    return 1 if failed else 0


if __name__ == '__main__':
    sys.exit(main(sys.argv))
