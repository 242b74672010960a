"""Shared set-up for the POP3 conformance tests: a lab whose bob has mail.

Mail gets into bob's INBOX the way a real system would put it there:
either written into the Maildir beforehand (as another MDA would, then
mailroom-server --maildir loads it), or, when this build has no --maildir,
sent over SMTP. With neither, the test is skipped (exit 77).
"""

import os
import select
import shutil
import subprocess
import smtplib
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))
from harness import SERVICES, Lab  # noqa: E402

BOB = "bob@recipient.example"
BOB_PASSWORD = "bob"


class PopLab(Lab):
    """Lab.start() reads the port lines through a buffered pipe, so when the
    server prints several lines at once, select() never fires for the
    buffered ones; read the raw descriptor instead."""

    def start(self):
        self.tmp = tempfile.mkdtemp(prefix="mailroom-lab-")
        args = [os.environ["MAILROOM_SERVER"], "--tls-dir", os.path.join(self.tmp, "tls")]
        for service in SERVICES:
            args += [f"--{service}-port", "0" if service in self.services else "-1"]
        if self.maildir:
            args += ["--maildir", self.maildir]
        args += self.extra_args
        env = dict(os.environ)
        env.setdefault("XDG_DATA_HOME", os.path.join(self.tmp, "data"))
        self.process = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
        fd = self.process.stdout.fileno()
        buffered = b""
        deadline = time.monotonic() + 20
        while not set(self.services).issubset(self.ports) and time.monotonic() < deadline:
            ready, _, _ = select.select([fd], [], [], 0.5)
            if not ready:
                if self.process.poll() is not None:
                    break
                continue
            chunk = os.read(fd, 4096)
            if not chunk:
                break
            buffered += chunk
            while b"\n" in buffered:
                line, buffered = buffered.split(b"\n", 1)
                name, _, value = line.decode().strip().partition(" ")
                if name in SERVICES:
                    self.ports[name] = int(value.rsplit(":", 1)[1])
        if not set(self.services).issubset(self.ports):
            if self.process.poll() is None:
                self.stop()
            self.stderr_text = self.process.stderr.read().decode(errors="replace") if self.process.stderr else ""
            self.stop()
            raise RuntimeError(f"mailroom-server did not start: {self.stderr_text.strip()}")
        return self


def make_message(n, subject=None, extra=""):
    subject = subject or f"Message {n}"
    return (
        "From: Alice <alice@sender.example>\r\n"
        f"To: Bob <{BOB}>\r\n"
        f"Subject: {subject}\r\n"
        f"Message-ID: <msg{n}@sender.example>\r\n"
        "Date: Mon, 23 Nov 2026 10:00:00 +0000\r\n"
        "\r\n"
        f"Hello Bob, this is message {n}.\r\n"
        ".a line that starts with a dot\r\n"
        "..and one with two\r\n"
        f"{extra}"
        "Bye.\r\n"
    )


def seed_maildir(root, address, messages):
    """Writes @messages into root/address/new like an MDA (LF endings)."""
    inbox = os.path.join(root, address)
    for sub in ("cur", "new", "tmp"):
        os.makedirs(os.path.join(inbox, sub), exist_ok=True)
    base = int(time.time()) - 1000
    for i, message in enumerate(messages):
        name = f"{base + i}.M{i}P{os.getpid()}.seed"
        tmp = os.path.join(inbox, "tmp", name)
        with open(tmp, "w", newline="") as f:
            f.write(message.replace("\r\n", "\n"))
        os.rename(tmp, os.path.join(inbox, "new", name))


def smtp_deliver(lab, messages):
    with smtplib.SMTP("127.0.0.1", lab.port("smtp"), timeout=10) as smtp:
        for message in messages:
            smtp.sendmail("alice@sender.example", [BOB], message.encode())


def lab_with_mail(messages, services=("pop3", "pop3s"), want_maildir=False):
    """Returns (lab, maildir or None), bob's INBOX holding @messages in order."""
    maildir = tempfile.mkdtemp(prefix="mailroom-pop3-maildir-")
    seed_maildir(maildir, BOB, messages)
    try:
        return PopLab(services=services, maildir=maildir).start(), maildir
    except RuntimeError:
        shutil.rmtree(maildir, ignore_errors=True)
    if want_maildir:
        print("SKIP: this mailroom-server has no --maildir")
        sys.exit(77)
    try:
        lab = PopLab(services=tuple(services) + ("smtp",)).start()
    except RuntimeError:
        print("SKIP: this mailroom-server has neither --maildir nor SMTP to deliver with")
        sys.exit(77)
    smtp_deliver(lab, messages)
    return lab, None
