#!/usr/bin/python3
# lessons-xgettext.py
#
# Copyright 2026 The Mailroom authors
#
# SPDX-License-Identifier: GPL-3.0-or-later
#
# xgettext cannot read JSON, so this pulls the learner-visible strings out of
# lesson files and writes a POT file, with "#: FILE:LINE" references, that
# msgcat can merge with the one xgettext makes from the C and UI sources:
#
#   lessons/lessons-xgettext.py lessons/content/*.lesson > po/lessons.pot
#   msgcat --use-first po/mailroom.pot po/lessons.pot -o po/mailroom.pot
#
# The fields extracted are exactly the ones mr-lesson.c passes through
# g_dgettext (GETTEXT_PACKAGE, ...); see docs/lessons.md. Wire text (solutions,
# patterns, addresses, subjects) is never translated.

import json
import sys

LESSON_TEXT = ('title', 'summary', 'intro', 'conclusion')
STEP_TEXT = ('title', 'instruction', 'hint', 'stronger-hint', 'explanation')


def po_quote(text):
    text = text.replace('\\', '\\\\').replace('"', '\\"').replace('\t', '\\t')
    if '\n' not in text:
        return '"%s"' % text
    lines = text.split('\n')
    out = ['""']
    for i, line in enumerate(lines):
        out.append('"%s%s"' % (line, '\\n' if i < len(lines) - 1 else ''))
    return '\n'.join(out)


class Extractor:
    def __init__(self):
        self.entries = {}   # msgid -> [refs, comments]
        self.order = []

    def add(self, path, raw, text, what):
        if not isinstance(text, str) or text == '':
            return
        # Where the string is in the file: the first place its JSON form
        # appears (good enough for translators' references).
        encoded = json.dumps(text, ensure_ascii=False)
        pos = raw.find(encoded)
        line = raw.count('\n', 0, pos) + 1 if pos >= 0 else 1
        if text not in self.entries:
            self.entries[text] = [[], []]
            self.order.append(text)
        self.entries[text][0].append('%s:%d' % (path, line))
        if what not in self.entries[text][1]:
            self.entries[text][1].append(what)

    def add_text(self, path, raw, value, what):
        # a string, or an array of paragraphs (one message each)
        if isinstance(value, list):
            for paragraph in value:
                self.add(path, raw, paragraph, what)
        else:
            self.add(path, raw, value, what)

    def lesson(self, path):
        with open(path, encoding='utf-8') as f:
            raw = f.read()
        lesson = json.loads(raw)
        lid = lesson.get('id', path)
        for key in LESSON_TEXT:
            if key == 'title' or key == 'summary':
                self.add(path, raw, lesson.get(key), 'lesson %s: %s' % (lid, key))
            else:
                self.add_text(path, raw, lesson.get(key), 'lesson %s: %s' % (lid, key))
        self.setup(path, raw, lesson.get('setup'), lid)
        for n, step in enumerate(lesson.get('steps', []), 1):
            sid = step.get('id', 'step-%d' % n)
            what = 'lesson %s, step %s' % (lid, sid)
            self.add(path, raw, step.get('title'), what + ': title')
            for key in STEP_TEXT[1:]:
                self.add_text(path, raw, step.get(key), '%s: %s' % (what, key))
            for hint in step.get('hints', []):
                self.add_text(path, raw, hint.get('hint'), what + ': hint for a wrong move')
            predict = step.get('predict')
            if predict:
                self.add_text(path, raw, predict.get('explanation'), what + ': why the reply is what it is')
            self.setup(path, raw, step.get('setup'), lid)

    def setup(self, path, raw, setup, lid):
        if not setup:
            return
        for message in setup.get('messages', []):
            if 'raw' not in message:
                self.add_text(path, raw, message.get('body'), 'lesson %s: body of a message in the lab' % lid)

    def write(self, out):
        out.write('# Mailroom lessons.\n#\n#, fuzzy\nmsgid ""\nmsgstr ""\n'
                  '"Content-Type: text/plain; charset=UTF-8\\n"\n'
                  '"Content-Transfer-Encoding: 8bit\\n"\n\n')
        for msgid in self.order:
            refs, comments = self.entries[msgid]
            for comment in comments:
                out.write('#. %s\n' % comment)
            out.write('#: %s\n' % ' '.join(refs))
            if '%' in msgid:
                out.write('#, no-c-format\n')
            out.write('msgid %s\nmsgstr ""\n\n' % po_quote(msgid))


def main(argv):
    if len(argv) < 2:
        sys.stderr.write('usage: %s LESSON... > lessons.pot\n' % argv[0])
        return 2
    extractor = Extractor()
    for path in argv[1:]:
        try:
            extractor.lesson(path)
        except (OSError, ValueError) as e:
            sys.stderr.write('%s: %s\n' % (path, e))
            return 1
    extractor.write(sys.stdout)
    return 0


if __name__ == '__main__':
    sys.exit(main(sys.argv))
