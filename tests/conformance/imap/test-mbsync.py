#!/usr/bin/python3
"""mbsync (isync) syncs a whole Mailroom account to a local Maildir, then
pushes a flag change, a deletion and a new message back, and pulls the
server's changes."""

import glob
import imaplib
import os
import shutil
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))
from harness import Lab, check, check_equal, require, summary  # noqa: E402

require("mbsync", "swaks")

USER = "bob@recipient.example"
PASSWORD = "bob"


def swaks(port, subject):
    result = subprocess.run(["swaks", "--server", "127.0.0.1", "--port", str(port),
                             "--from", "alice@sender.example", "--to", USER,
                             "--header", f"Subject: {subject}", "--body", f"Body of {subject}"],
                            capture_output=True, timeout=60)
    return result.returncode == 0


def mbsync(config, *channels):
    result = subprocess.run(["mbsync", "-c", config, *(channels or ["-a"])],
                            capture_output=True, text=True, timeout=120)
    if result.returncode != 0:
        print(result.stdout + result.stderr)
    return result.returncode


def server_state(port):
    """{subject: flags} for INBOX, read with imaplib."""
    imap = imaplib.IMAP4("127.0.0.1", port)
    imap.login(USER, PASSWORD)
    typ, data = imap.select("INBOX", readonly=True)
    state = {}
    if data != [b"0"]:
        typ, data = imap.fetch("1:*", "(FLAGS BODY.PEEK[HEADER.FIELDS (SUBJECT)])")
        for item in data:
            if isinstance(item, tuple):
                flags = item[0].split(b"FLAGS (", 1)[1].split(b")", 1)[0].decode()
                subject = item[1].decode().strip().removeprefix("Subject: ")
                state[subject] = flags
    imap.logout()
    return state


def local_files(root, box="INBOX"):
    return sorted(glob.glob(os.path.join(root, box, "cur", "*")) +
                  glob.glob(os.path.join(root, box, "new", "*")))


def find_local(root, subject):
    for path in local_files(root):
        with open(path, "rb") as f:
            if f"Subject: {subject}".encode() in f.read():
                return path
    return None


tmp = tempfile.mkdtemp(prefix="mailroom-mbsync-")
try:
    with Lab(services=("smtp", "imap")) as lab:
        for subject in ("first", "second", "third"):
            check(swaks(lab.port("smtp"), subject), f"swaks delivers '{subject}'")

        root = os.path.join(tmp, "mail") + "/"
        os.makedirs(root)
        config = os.path.join(tmp, "mbsyncrc")
        with open(config, "w") as f:
            f.write(f"""IMAPAccount lab
Host 127.0.0.1
Port {lab.port("imap")}
User {USER}
Pass {PASSWORD}
SSLType None
AuthMechs LOGIN

IMAPStore lab-remote
Account lab

MaildirStore lab-local
Path {root}
Inbox {root}INBOX
SubFolders Verbatim

Channel lab
Far :lab-remote:
Near :lab-local:
Patterns *
Create Both
Expunge Both
SyncState *
""")

        # The whole account comes down.
        check_equal(mbsync(config), 0, "mbsync -a syncs the account")
        for box in ("INBOX", "Sent", "Drafts", "Trash", "Junk"):
            check(os.path.isdir(os.path.join(root, box, "cur")), f"mbsync created the Maildir {box}")
        check_equal(len(local_files(root)), 3, "three messages in the local INBOX")
        with open(find_local(root, "second"), "rb") as f:
            check(b"Body of second" in f.read(), "the local copy has the body")

        # Local changes: flag 'first', delete 'second', write a new one.
        first = find_local(root, "first")
        os.rename(first, first + ("F" if first.endswith(",") else ""))
        os.unlink(find_local(root, "second"))
        with open(os.path.join(root, "INBOX", "new", "offline.1"), "wb") as f:
            f.write(b"From: bob@recipient.example\r\nTo: alice@sender.example\r\n"
                    b"Subject: written offline\r\n\r\nComposed without a connection.\r\n")
        check_equal(mbsync(config, "lab:INBOX"), 0, "mbsync pushes the local changes")
        state = server_state(lab.port("imap"))
        check("\\Flagged" in state.get("first", ""), "the flag reached the server")
        check("second" not in state, "the deletion reached the server (expunged)")
        check("written offline" in state, "the new message reached the server")
        check_equal(len(state), 3, "the server INBOX has three messages")

        # Server-side changes come down: new mail and a flag set over IMAP.
        check(swaks(lab.port("smtp"), "fourth"), "swaks delivers 'fourth'")
        imap = imaplib.IMAP4("127.0.0.1", lab.port("imap"))
        imap.login(USER, PASSWORD)
        imap.select("INBOX")
        typ, data = imap.search(None, "SUBJECT", "third")
        imap.store(data[0], "+FLAGS", "\\Seen")
        imap.logout()
        check_equal(mbsync(config, "lab:INBOX"), 0, "mbsync pulls the server's changes")
        check(find_local(root, "fourth") is not None, "the new mail is in the local Maildir")
        third = find_local(root, "third")
        check(third is not None and third.rsplit(":2,", 1)[-1].count("S") == 1,
              "\\Seen set on the server shows as S locally")

        # A second run changes nothing.
        check_equal(mbsync(config), 0, "a second mbsync -a succeeds")
        check_equal(len(server_state(lab.port("imap"))), 4, "the server INBOX has four messages")
finally:
    shutil.rmtree(tmp, ignore_errors=True)

summary()
