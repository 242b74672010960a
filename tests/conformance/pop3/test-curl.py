#!/usr/bin/python3
"""curl's POP3 client (pop3:// and pop3s://) against Mailroom: list, retrieve, delete."""

import os
import shutil
import subprocess
import sys

sys.path.insert(0, os.path.dirname(__file__))
sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))
from harness import check, check_equal, require, summary  # noqa: E402
from pop3lab import BOB, BOB_PASSWORD, lab_with_mail, make_message  # noqa: E402

require("curl")

MESSAGES = [make_message(1), make_message(2, "Second")]


def curl(url, *args, password=BOB_PASSWORD):
    result = subprocess.run(["curl", "-sS", "--max-time", "20", "-u", f"{BOB}:{password}", url, *args],
                            capture_output=True, timeout=30)
    return result.returncode, result.stdout.decode(errors="replace"), result.stderr.decode(errors="replace")


lab, maildir = lab_with_mail(MESSAGES)
try:
    base = f"pop3://127.0.0.1:{lab.port('pop3')}"
    sizes = [len(m.encode()) for m in MESSAGES]

    # List (curl sends LIST and prints the listing)
    rc, out, err = curl(base + "/")
    check_equal(rc, 0, f"curl lists the maildrop {err.strip()}")
    check_equal(out, "".join(f"{i + 1} {s}\r\n" for i, s in enumerate(sizes)), "the listing has both sizes")

    # Retrieve (RETR, un-stuffed by curl)
    rc, out, err = curl(base + "/2")
    check_equal(rc, 0, f"curl retrieves message 2 {err.strip()}")
    check_equal(out, MESSAGES[1], "message 2 comes back exactly, dots un-stuffed")

    # Custom commands: UIDL and TOP
    rc, out, _ = curl(base + "/", "-X", "UIDL")
    check(rc == 0 and len(out.splitlines()) == 2, "curl -X UIDL lists two unique-ids")
    rc, out, _ = curl(base + "/", "-X", "TOP 1 0")
    check(rc == 0 and "Subject: Message 1" in out and "Hello Bob" not in out, "curl -X 'TOP 1 0' gives the header")

    # Delete (DELE, committed by curl's QUIT)
    rc, out, err = curl(base + "/1", "-X", "DELE", "-I")
    check_equal(rc, 0, f"curl deletes message 1 {err.strip()}")
    rc, out, _ = curl(base + "/")
    check_equal(out, f"1 {sizes[1]}\r\n", "after the delete one message is left")

    # Errors
    rc, out, err = curl(base + "/", password="wrong")
    check(rc != 0, f"a wrong password fails (curl exit {rc})")
    rc, out, err = curl(base + "/7")
    check(rc != 0, f"retrieving a missing message fails (curl exit {rc})")

    # STLS (RFC 2595) and implicit TLS
    rc, out, err = curl(base + "/1", "--ssl-reqd", "-k")
    check(rc == 0 and out == MESSAGES[1], f"retrieve over STLS {err.strip()}")
    rc, out, err = curl(f"pop3s://127.0.0.1:{lab.port('pop3s')}/", "-k")
    check(rc == 0 and out == f"1 {sizes[1]}\r\n", f"list over pop3s {err.strip()}")
finally:
    lab.stop()
    if maildir:
        shutil.rmtree(maildir, ignore_errors=True)

summary()
