#!/usr/bin/python3
"""IMAP faults from --fault, as imaplib sees them (RFC 5530 response codes)."""

import imaplib
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))
from harness import Lab, check, summary  # noqa: E402

with Lab("--fault", "login-refused@bob@recipient.example", services=("imap",)) as lab:
    imap = imaplib.IMAP4("127.0.0.1", lab.port("imap"))
    try:
        imap.login("bob@recipient.example", "bob")
        check(False, "login-refused refuses bob")
    except imaplib.IMAP4.error as error:
        check(b"[AUTHENTICATIONFAILED]" in error.args[0], "login-refused: NO [AUTHENTICATIONFAILED]")
    typ, _ = imap.login("alice@sender.example", "alice")
    check(typ == "OK", "the fault is scoped to bob: alice logs in")
    imap.logout()

with Lab("--fault", "mailbox-locked", services=("imap",)) as lab:
    imap = imaplib.IMAP4("127.0.0.1", lab.port("imap"))
    try:
        imap.login("bob@recipient.example", "bob")
        check(False, "mailbox-locked refuses the login")
    except imaplib.IMAP4.error as error:
        check(b"[INUSE]" in error.args[0], "mailbox-locked: NO [INUSE]")
    imap.logout()

with Lab("--fault", "server-busy", services=("imap",)) as lab:
    try:
        imaplib.IMAP4("127.0.0.1", lab.port("imap"))
        check(False, "server-busy refuses the greeting")
    except imaplib.IMAP4.error as error:
        check(b"BYE [UNAVAILABLE]" in error.args[0], "server-busy: the greeting is * BYE [UNAVAILABLE]")

summary()
