#!/usr/bin/python3
"""mutt over IMAP, driven in tmux like a person at the keyboard: open the
INBOX, read a message sent with swaks, flag it, see new mail arrive
(IDLE), delete and expunge; the server's mailbox follows each step."""

import imaplib
import os
import shutil
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))
from harness import Lab, check, require, summary  # noqa: E402

require("mutt", "tmux", "swaks")

USER = "bob@recipient.example"
PASSWORD = "bob"


def swaks(port, sender, subject, body):
    return subprocess.run(["swaks", "--server", "127.0.0.1", "--port", str(port),
                           "--from", sender, "--to", USER,
                           "--header", f"Subject: {subject}", "--body", body],
                          capture_output=True, timeout=60).returncode == 0


def server_inbox(port):
    imap = imaplib.IMAP4("127.0.0.1", port)
    imap.login(USER, PASSWORD)
    typ, data = imap.select("INBOX", readonly=True)
    state = []
    if data != [b"0"]:
        typ, data = imap.fetch("1:*", "(FLAGS BODY.PEEK[HEADER.FIELDS (SUBJECT)])")
        for item in data:
            if isinstance(item, tuple):
                flags = item[0].split(b"FLAGS (", 1)[1].split(b")", 1)[0].decode()
                state.append((item[1].decode().strip().removeprefix("Subject: "), flags))
    imap.logout()
    return state


class Tmux:
    def __init__(self, socket, command):
        self.base = ["tmux", "-L", socket]
        subprocess.run(self.base + ["new-session", "-d", "-s", "mutt", "-x", "120", "-y", "30",
                                    command], check=True)

    def keys(self, *keys):
        subprocess.run(self.base + ["send-keys", "-t", "mutt", *keys], check=True)

    def screen(self):
        return subprocess.run(self.base + ["capture-pane", "-p", "-t", "mutt"],
                              capture_output=True, text=True).stdout

    def wait_for(self, text, timeout=10):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            screen = self.screen()
            if text in screen:
                return screen
            time.sleep(0.2)
        print(self.screen())
        return None

    def kill(self):
        subprocess.run(self.base + ["kill-server"], capture_output=True)


def wait_until(predicate, timeout=10):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.2)
    return False


tmp = tempfile.mkdtemp(prefix="mailroom-mutt-")
tmux = None
try:
    with Lab(services=("smtp", "imap")) as lab:
        imap_port = lab.port("imap")
        check(swaks(lab.port("smtp"), "alice@sender.example", "Lunch with mutt",
                    "Shall we meet at noon?"), "swaks delivers a message")

        rc = os.path.join(tmp, "muttrc")
        with open(rc, "w") as f:
            f.write(f"""set folder="imap://127.0.0.1:{imap_port}/"
set spoolfile="+INBOX"
set imap_user="{USER}"
set imap_pass="{PASSWORD}"
set ssl_starttls=no
set ssl_force_tls=no
set imap_authenticators="login"
set imap_idle=yes
set header_cache=""
set message_cachedir=""
set mail_check=1
set timeout=1
set move=no
set record=""
set mark_old=no
set delete=yes
set quit=yes
set pager_stop=yes
""")
        tmux = Tmux(f"mailroom-imap-{os.getpid()}",
                    f"TERM=xterm HOME={tmp} mutt -n -F {rc}")

        check(tmux.wait_for("Lunch with mutt") is not None, "mutt opens the INBOX over IMAP")

        tmux.keys("Enter")
        check(tmux.wait_for("Shall we meet at noon?") is not None, "mutt shows the message body")
        tmux.keys("q")
        tmux.keys("$")  # mutt stores \Seen with the next sync
        check(wait_until(lambda: server_inbox(imap_port) == [("Lunch with mutt", "\\Seen")]),
              "reading it set \\Seen on the server")

        tmux.keys("F")
        tmux.keys("$")
        check(wait_until(lambda: "\\Flagged" in server_inbox(imap_port)[0][1]),
              "flagging in mutt set \\Flagged on the server")

        check(swaks(lab.port("smtp"), "carol@lists.example", "Second mail",
                    "Arrives while mutt is open"), "swaks delivers a second message")
        check(tmux.wait_for("Second mail", timeout=15) is not None,
              "mutt shows new mail without being asked")

        tmux.keys("d")
        tmux.keys("$")
        check(wait_until(lambda: [s for s, _ in server_inbox(imap_port)] == ["Second mail"]),
              "delete and sync in mutt expunged the message on the server")

        tmux.keys("q")
        check(wait_until(lambda: subprocess.run(tmux.base + ["has-session", "-t", "mutt"],
                                                capture_output=True).returncode != 0),
              "mutt quits cleanly")
finally:
    if tmux:
        tmux.kill()
    shutil.rmtree(tmp, ignore_errors=True)

summary()
