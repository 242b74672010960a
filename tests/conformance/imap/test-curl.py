#!/usr/bin/python3
"""curl's IMAP client against Mailroom: list, fetch, search, upload, custom
commands, IMAPS and STARTTLS; and mail sent with swaks, read with curl."""

import os
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))
from harness import Lab, check, check_equal, require, summary  # noqa: E402

USER = "bob@recipient.example:bob"

UPLOAD = (
    b"From: Alice <alice@sender.example>\r\n"
    b"To: Bob <bob@recipient.example>\r\n"
    b"Subject: Uploaded with curl\r\n"
    b"\r\n"
    b"This message came in through IMAP APPEND.\r\n"
)

require("curl")


def curl(*args, data=None):
    result = subprocess.run(["curl", "-sS", "--max-time", "20", *args], input=data,
                            capture_output=True, timeout=60)
    return result.returncode, result.stdout


with Lab(services=("smtp", "imap", "imaps")) as lab:
    base = f"imap://127.0.0.1:{lab.port('imap')}"

    # Upload (APPEND) from a file.
    with tempfile.NamedTemporaryFile(suffix=".eml") as upload:
        upload.write(UPLOAD)
        upload.flush()
        code, _ = curl("-u", USER, "-T", upload.name, f"{base}/INBOX")
        check_equal(code, 0, "curl -T uploads into INBOX")
        code, _ = curl("-u", USER, "-T", upload.name, f"{base}/Nope")
        check(code != 0, "curl -T into a missing mailbox fails")

    # List.
    code, out = curl("-u", USER, f"{base}/")
    check_equal(code, 0, "curl lists mailboxes")
    check(b'"INBOX"' in out and b'\\Sent) "/" "Sent"' in out, "the list has INBOX and Sent (\\Sent)")

    # Fetch, whole and a section.
    code, out = curl("-u", USER, f"{base}/INBOX;UID=1")
    check_equal((code, out), (0, UPLOAD), "curl fetches the uploaded message by UID, byte for byte")
    code, out = curl("-u", USER, f"{base}/INBOX;MAILINDEX=1;SECTION=HEADER.FIELDS%20(SUBJECT)")
    check_equal(out, b"Subject: Uploaded with curl\r\n\r\n", "curl fetches a header section")
    code, out = curl("-u", USER, f"{base}/INBOX;UID=1;SECTION=TEXT")
    check_equal(out, b"This message came in through IMAP APPEND.\r\n", "curl fetches SECTION=TEXT")

    # Search.
    code, out = curl("-u", USER, f"{base}/INBOX?SUBJECT%20curl")
    check_equal(out, b"* SEARCH 1\r\n", "curl searches by subject")
    code, out = curl("-u", USER, f"{base}/INBOX?FROM%20nobody")
    check_equal(out, b"* SEARCH\r\n", "a search without hits")

    # Custom commands.
    code, out = curl("-u", USER, "-X", "EXAMINE INBOX", f"{base}/")
    check(b"* 1 EXISTS" in out and b"[PERMANENTFLAGS ()]" in out, "curl -X EXAMINE")
    code, out = curl("-u", USER, "-X", "STATUS INBOX (MESSAGES UNSEEN)", f"{base}/")
    check_equal(out, b'* STATUS "INBOX" (MESSAGES 1 UNSEEN 0)\r\n', "curl -X STATUS (the fetch set \\Seen)")
    code, out = curl("-u", USER, "-X", "UID STORE 1 +FLAGS (\\Flagged)", f"{base}/INBOX")
    check(code == 0 and b"\\Flagged" in out, "curl -X UID STORE")

    # A wrong password: curl reports a login failure (67).
    code, _ = curl("-u", "bob@recipient.example:wrong", f"{base}/")
    check_equal(code, 67, "a wrong password is a login failure")

    # TLS: IMAPS, and STARTTLS required with --ssl-reqd.
    code, out = curl("-k", "-u", USER, f"imaps://127.0.0.1:{lab.port('imaps')}/INBOX?ALL")
    check_equal((code, out), (0, b"* SEARCH 1\r\n"), "curl over IMAPS")
    code, out = curl("-k", "--ssl-reqd", "-u", USER, f"{base}/INBOX;UID=1")
    check_equal((code, out), (0, UPLOAD), "curl with STARTTLS")

    # Mail sent with swaks over SMTP, read with curl.
    if subprocess.run(["which", "swaks"], capture_output=True).returncode == 0:
        result = subprocess.run(["swaks", "--server", "127.0.0.1", "--port", str(lab.port("smtp")),
                                 "--from", "alice@sender.example", "--to", "bob@recipient.example",
                                 "--header", "Subject: Sent with swaks", "--body", "Hello from swaks"],
                                capture_output=True, timeout=60)
        check_equal(result.returncode, 0, "swaks delivers over SMTP")
        code, out = curl("-u", USER, f"{base}/INBOX?SUBJECT%20swaks")
        check_equal(out, b"* SEARCH 2\r\n", "curl finds the swaks message")
        code, out = curl("-u", USER, f"{base}/INBOX;UID=2;SECTION=TEXT")
        check(b"Hello from swaks" in out, "curl reads the swaks message")

summary()
