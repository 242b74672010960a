#!/usr/bin/python3
"""POP3 faults from --fault, as poplib sees them: each gets its RFC 2449
response code and nothing else breaks."""

import os
import poplib
import sys

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))
from harness import Lab, check, summary  # noqa: E402


def login(port, user, password):
    pop = poplib.POP3("127.0.0.1", port, timeout=10)
    pop.user(user)
    try:
        return pop, pop.pass_(password)
    except poplib.error_proto as error:
        return pop, error.args[0]


with Lab("--fault", "mailbox-locked@bob@recipient.example", services=("pop3",)) as lab:
    pop, answer = login(lab.port("pop3"), "bob@recipient.example", "bob")
    check(answer.startswith(b"-ERR [IN-USE]"), "mailbox-locked: bob's login gets -ERR [IN-USE]")
    pop.close()
    pop, answer = login(lab.port("pop3"), "alice@sender.example", "alice")
    check(answer.startswith(b"+OK"), "mailbox-locked scoped to bob: alice still logs in")
    pop.quit()

with Lab("--fault", "login-refused", services=("pop3",)) as lab:
    pop, answer = login(lab.port("pop3"), "bob@recipient.example", "bob")
    check(answer.startswith(b"-ERR [AUTH]"), "login-refused: the right password gets -ERR [AUTH]")
    pop.close()

with Lab("--fault", "server-busy", services=("pop3",)) as lab:
    try:
        poplib.POP3("127.0.0.1", lab.port("pop3"), timeout=10)
        check(False, "server-busy refuses the greeting")
    except poplib.error_proto as error:
        check(error.args[0].startswith(b"-ERR [SYS/TEMP]"), "server-busy: the greeting is -ERR [SYS/TEMP]")

summary()
