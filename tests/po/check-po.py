#!/usr/bin/python3
# check-po.py
#
# Copyright 2026 The Mailroom authors
#
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Checks on the translations in po/, as TAP:
#
#   check-po.py compile PO...   msgfmt --check (header, C format strings)
#   check-po.py complete PO...  no untranslated or fuzzy messages
#   check-po.py tokens PO...    reply codes (550, 5.1.1), protocol commands
#                               (EHLO, MAIL FROM, RETR, SELECT...) and
#                               placeholders (%s, {name}) of every msgid are in
#                               its msgstr, untranslated

import os
import re
import subprocess
import sys

COMMANDS = [
    # SMTP (RFC 5321, 3207, 4954, 3030)
    'HELO', 'EHLO', 'MAIL FROM', 'RCPT TO', 'DATA', 'QUIT', 'RSET', 'NOOP', 'VRFY',
    'EXPN', 'STARTTLS', 'AUTH', 'BDAT', 'PLAIN', 'LOGIN', 'SIZE', 'PIPELINING',
    '8BITMIME', 'SMTPUTF8', 'ENHANCEDSTATUSCODES', 'DSN', 'NOTIFY', 'ORCPT',
    # POP3 (RFC 1939, 2449, 2595)
    'USER', 'PASS', 'STAT', 'RETR', 'DELE', 'TOP', 'UIDL', 'APOP', 'CAPA', 'STLS',
    '+OK', '-ERR',
    # IMAP (RFC 3501)
    'SELECT', 'EXAMINE', 'FETCH', 'STORE', 'SEARCH', 'LOGOUT', 'CAPABILITY', 'CREATE',
    'DELETE', 'RENAME', 'LSUB', 'STATUS', 'APPEND', 'EXPUNGE', 'CLOSE', 'UID', 'IDLE',
    'COPY', 'FLAGS', 'ENVELOPE', 'BODYSTRUCTURE', 'INBOX', 'EXISTS', 'RECENT',
    # DNS and HTTP
    'MX', 'PTR', 'SPF', 'DKIM', 'DMARC', 'GET', 'POST', 'HTTP',
]
COMMAND_RE = re.compile(r'(?<![A-Za-z0-9_])(%s)(?![A-Za-z0-9_])'
                        % '|'.join(re.escape(c) for c in sorted(COMMANDS, key=len, reverse=True)))
ENHANCED_RE = re.compile(r'(?<![\d.])[245]\.\d{1,3}\.\d{1,3}(?!\.?\d)')
CODE_RE = re.compile(r'(?<![\d.,])\d{3}(?![\d.,]?\d)')
PLACEHOLDER_RE = re.compile(r'%(?:\d+\$)?[-#0 +\']*\d*(?:\.\d+)?(?:hh|h|ll|l|z|j|t)?[diouxXcsp%]'
                            r'|\{[a-z_]+\}|\$\{[A-Za-z_]+\}|@[A-Z_]+@')


def unquote(s):
    out = []
    i = 0
    s = s.strip()
    assert s[0] == '"' and s[-1] == '"', s
    s = s[1:-1]
    while i < len(s):
        c = s[i]
        if c == '\\' and i + 1 < len(s):
            n = s[i + 1]
            out.append({'n': '\n', 't': '\t', '"': '"', '\\': '\\', 'r': '\r'}.get(n, '\\' + n))
            i += 2
        else:
            out.append(c)
            i += 1
    return ''.join(out)


def parse_po(path):
    """Returns a list of dicts: msgctxt, msgid, msgid_plural, msgstr (list), flags, line."""
    entries = []
    cur = None
    field = None

    def finish():
        if cur is not None and 'msgid' in cur:
            entries.append(cur)

    with open(path, encoding='utf-8') as f:
        for lineno, line in enumerate(f, 1):
            line = line.rstrip('\n')
            if line.startswith('#~') or line.strip() == '':
                if line.strip() == '' and cur is not None and 'msgid' in cur:
                    finish()
                    cur = None
                continue
            if cur is None:
                cur = {'flags': set(), 'msgstr': [], 'msgctxt': None, 'msgid_plural': None,
                       'line': lineno}
            if line.startswith('#,'):
                cur['flags'].update(x.strip() for x in line[2:].split(','))
            elif line.startswith('#'):
                continue
            elif line.startswith('msgctxt '):
                cur['msgctxt'] = unquote(line[8:])
                field = 'msgctxt'
            elif line.startswith('msgid_plural '):
                cur['msgid_plural'] = unquote(line[13:])
                field = 'msgid_plural'
            elif line.startswith('msgid '):
                cur['msgid'] = unquote(line[6:])
                field = 'msgid'
            elif line.startswith('msgstr'):
                m = re.match(r'msgstr(?:\[(\d+)\])?\s+(".*")$', line)
                cur['msgstr'].append(unquote(m.group(2)))
                field = 'msgstr'
            elif line.startswith('"'):
                if field == 'msgstr':
                    cur['msgstr'][-1] += unquote(line)
                else:
                    cur[field] += unquote(line)
    finish()
    return entries


def tokens(text):
    found = []
    found += ENHANCED_RE.findall(text)
    found += CODE_RE.findall(ENHANCED_RE.sub(' ', text))
    found += [m.group(1) for m in COMMAND_RE.finditer(text)]
    found += PLACEHOLDER_RE.findall(text)
    return found


def check_compile(paths):
    problems = []
    for path in paths:
        r = subprocess.run(['msgfmt', '--check', '--check-format', '-o', os.devnull, path],
                           capture_output=True, text=True)
        if r.returncode != 0:
            problems.append('%s does not compile:\n%s' % (path, r.stderr.strip()))
    return problems


def check_complete(paths):
    problems = []
    for path in paths:
        for e in parse_po(path):
            if e['msgid'] == '':
                if 'fuzzy' in e['flags']:
                    problems.append('%s: the header is fuzzy' % path)
                continue
            where = '%s:%d' % (path, e['line'])
            if 'fuzzy' in e['flags']:
                problems.append('%s: fuzzy: %r' % (where, e['msgid'][:70]))
            elif any(s == '' for s in e['msgstr']) or not e['msgstr']:
                problems.append('%s: untranslated: %r' % (where, e['msgid'][:70]))
        r = subprocess.run(['msgfmt', '--statistics', '-o', os.devnull, path],
                           capture_output=True, text=True, env=dict(os.environ, LC_ALL='C'))
        print('# %s: %s' % (os.path.basename(path), r.stderr.strip()))
    return problems


def check_tokens(paths):
    problems = []
    for path in paths:
        for e in parse_po(path):
            if e['msgid'] == '' or 'fuzzy' in e['flags']:
                continue
            sources = [e['msgid']] if e['msgid_plural'] is None else [e['msgid_plural']]
            want = {}
            for src in sources:
                for t in tokens(src):
                    want[t] = want.get(t, 0) + 1
            for s in e['msgstr']:
                if s == '':
                    continue
                have = {}
                for t in tokens(s):
                    have[t] = have.get(t, 0) + 1
                lost = sorted(t for t in want if have.get(t, 0) == 0)
                if lost:
                    problems.append('%s:%d: %s lost in translation of %r'
                                    % (path, e['line'], ', '.join(lost), e['msgid'][:60]))
    return problems


def main(argv):
    if len(argv) < 3 or argv[1] not in ('compile', 'complete', 'tokens'):
        sys.stderr.write('usage: %s compile|complete|tokens PO...\n' % argv[0])
        return 2
    check = {'compile': check_compile, 'complete': check_complete, 'tokens': check_tokens}[argv[1]]
    paths = argv[2:]
    print('1..%d' % len(paths))
    failed = 0
    for n, path in enumerate(paths, 1):
        problems = check([path])
        for p in problems[:200]:
            for line in p.split('\n'):
                print('# ' + line)
        if len(problems) > 200:
            print('# ... and %d more' % (len(problems) - 200))
        print('%s %d - %s %s' % ('not ok' if problems else 'ok', n, argv[1], os.path.basename(path)))
        failed += bool(problems)
    return 1 if failed else 0


if __name__ == '__main__':
    sys.exit(main(sys.argv))
