#!/usr/bin/python3
"""The simulated world seen by real clients: a typo on the submission port
comes back as a DSN in alice's INBOX (imaplib and curl read it), --fault
makes each server reply what an RFC-following server would, greylisting is
retried and delivered, and the backup MX takes over."""

import email
import email.policy
import imaplib
import os
import socket
import re
import subprocess
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))
from harness import Lab, check, check_equal, require, summary  # noqa: E402

require("swaks", "curl")

SERVICES = ("smtp", "submission", "imap")
# Fast-forward: an hour of retry schedule in a second.
FAST = ("--clock", "fast", "--speed", "3600")


def swaks(port, *args):
    result = subprocess.run(["swaks", "--server", "127.0.0.1", "--port", str(port), "--timeout", "10",
                             *args], capture_output=True, text=True, timeout=60)
    return result.returncode, result.stdout + result.stderr


def server_lines(output):
    return [line[4:].strip() for line in output.splitlines() if re.match(r"<[-~*][-~* ] ", line)]


def submit(lab, to, *extra):
    return swaks(lab.port("submission"), "--from", "alice@sender.example", "--to", to,
                 "--auth", "PLAIN", "--auth-user", "alice@sender.example", "--auth-password", "alice",
                 "--header", "Subject: world test", *extra)


def inbox(lab, user, password, want=1, timeout=20):
    """The raw messages in @user's INBOX, waiting until there are @want."""
    deadline = time.monotonic() + timeout
    while True:
        with imaplib.IMAP4("127.0.0.1", lab.port("imap")) as imap:
            imap.login(user, password)
            imap.select("INBOX", readonly=True)
            _, data = imap.search(None, "ALL")
            ids = data[0].split()
            messages = []
            for num in ids:
                _, fetched = imap.fetch(num, "(RFC822)")
                messages.append(fetched[0][1])
        if len(messages) >= want or time.monotonic() > deadline:
            return messages
        time.sleep(0.2)


def world_available():
    try:
        with Lab("--fault", "slow-host@nowhere.example", services=("smtp",)):
            return True
    except RuntimeError:
        return False


if not world_available():
    print("SKIP: this mailroom-server has no simulated world (--fault is refused)")
    sys.exit(77)

# 1. The new user's first mistake: a typo, and the bounce comes back.
with Lab(*FAST, services=SERVICES) as lab:
    code, out = submit(lab, "bbo@recipient.example")
    check(code == 0, "submission accepts the typo (the relay finds out later)")
    check(any(line.startswith("250 2.0.0") for line in server_lines(out)), "250 2.0.0 queued")

    messages = inbox(lab, "alice@sender.example", "alice")
    check_equal(len(messages), 1, "one DSN in alice's INBOX")
    if messages:
        dsn = email.message_from_bytes(messages[0], policy=email.policy.compat32)
        check_equal(dsn["Return-Path"], "<>", "the DSN has a null reverse-path")
        check_equal(dsn.get_content_type(), "multipart/report", "DSN is multipart/report")
        check_equal(dsn.get_param("report-type"), "delivery-status", "report-type=delivery-status")
        parts = [part.get_content_type() for part in dsn.walk()]
        check("message/delivery-status" in parts, "it has a message/delivery-status part")
        check("text/rfc822-headers" in parts, "and the original's headers")
        status = messages[0].decode("utf-8", "replace")
        check("Final-Recipient: rfc822; bbo@recipient.example" in status, "Final-Recipient names the typo")
        check("Status: 5.1.1" in status, "Status: 5.1.1")
        check("Diagnostic-Code: smtp; 550 5.1.1" in status, "Diagnostic-Code quotes the MX's 550 5.1.1")

        curl = subprocess.run(["curl", "-s", "--user", "alice@sender.example:alice",
                               f"imap://127.0.0.1:{lab.port('imap')}/INBOX;UID=1"],
                              capture_output=True, timeout=30)
        check(b"Action: failed" in curl.stdout, "curl imap:// reads the bounce")

    # The right address arrives, with the whole trace.
    code, out = submit(lab, "bob@recipient.example")
    check(code == 0, "submission to bob")
    messages = inbox(lab, "bob@recipient.example", "bob")
    check_equal(len(messages), 1, "bob got it")
    if messages:
        msg = email.message_from_bytes(messages[0], policy=email.policy.compat32)
        received = msg.get_all("Received") or []
        check_equal(len(received), 2, "two Received: lines (submission, MX)")
        check(received and "by mx1.recipient.example" in received[0], "newest first: mx1")
        check(len(received) > 1 and "by smtp.sender.example" in received[1], "then smtp.sender.example")
        check_equal(msg["Return-Path"], "<alice@sender.example>", "Return-Path at final delivery")

# 2. Faults on the MX port reach swaks with the exact reply.
MX_FAULTS = [
    ("unknown-user@bob@recipient.example", "RCPT", "550 5.1.1"),
    ("mailbox-full@bob@recipient.example", "RCPT", "552 5.2.2"),
    ("mailbox-full-temp@bob@recipient.example", "RCPT", "452 4.2.2"),
    ("greylisting", "RCPT", "451 4.7.1"),
    ("relay-denied", "RCPT", "550 5.7.1"),
    ("rate-limited-rcpt", "RCPT", "450 4.7.1"),
    ("tls-required", "MAIL", "530 5.7.0"),
    ("auth-required", "MAIL", "530 5.7.0"),
    ("message-too-big", "DATA", "552 5.3.4"),
    ("spam-rejected", "DATA", "550 5.7.1"),
    ("service-unavailable", "banner", "421 4.3.2"),
    ("rate-limited", "banner", "421 4.7.0"),
]
for spec, step, reply in MX_FAULTS:
    with Lab("--fault", spec, services=("smtp",)) as lab:
        code, out = swaks(lab.port("smtp"), "--from", "alice@sender.example", "--to", "bob@recipient.example")
        lines = server_lines(out)
        check(any(line.startswith(reply) for line in lines), f"--fault {spec}: {reply} at {step}")
        if step == "banner":
            check(lines and lines[0].startswith(reply), f"--fault {spec}: it is the greeting")

# Submission-side faults.
with Lab("--fault", "auth-failed@smtp.sender.example", services=("submission",)) as lab:
    code, out = swaks(lab.port("submission"), "--from", "alice@sender.example", "--to", "bob@recipient.example",
                      "--auth", "PLAIN", "--auth-user", "alice@sender.example", "--auth-password", "alice")
    check(any(line.startswith("535 5.7.8") for line in server_lines(out)), "--fault auth-failed: 535 5.7.8")

# 3. Greylisting between the relay and the MX: retried, then delivered.
with Lab(*FAST, "--fault", "greylisting@mx1.recipient.example", services=SERVICES) as lab:
    submit(lab, "bob@recipient.example")
    messages = inbox(lab, "bob@recipient.example", "bob", timeout=30)
    check_equal(len(messages), 1, "greylisted once, delivered on retry")

# 4. The primary MX is down: the backup takes over.
with Lab(*FAST, "--fault", "host-down@mx1.recipient.example", services=SERVICES) as lab:
    submit(lab, "bob@recipient.example")
    messages = inbox(lab, "bob@recipient.example", "bob")
    check_equal(len(messages), 1, "delivered with mx1 down")
    # A TCP client of mx1 (port smtp) finds nobody there: closed, no greeting.
    probe = socket.create_connection(("127.0.0.1", lab.port("smtp")), timeout=10)
    check_equal(probe.recv(100), b"", "host-down: a TCP client of mx1 is closed without a greeting")
    probe.close()
    if messages:
        msg = email.message_from_bytes(messages[0], policy=email.policy.compat32)
        check("by mx2.recipient.example" in (msg.get_all("Received") or [""])[0], "through mx2")

# 5. DNS says the domain does not exist: a bounce, with no MX contacted.
with Lab(*FAST, "--fault", "dns-nxdomain@recipient.example", services=SERVICES) as lab:
    submit(lab, "bob@recipient.example")
    messages = inbox(lab, "alice@sender.example", "alice")
    check_equal(len(messages), 1, "NXDOMAIN bounces")
    if messages:
        check(b"Status: 5.1.2" in messages[0], "Status: 5.1.2 (bad destination)")

summary()
