#!/usr/bin/python3
"""fetchmail over IMAP: pulls a message sent with swaks into a local MDA,
marks it \\Seen \\Deleted and expunges it on the server."""

import imaplib
import os
import shutil
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))
from harness import Lab, check, check_equal, require, summary  # noqa: E402

require("fetchmail", "swaks")

USER = "bob@recipient.example"
PASSWORD = "bob"

tmp = tempfile.mkdtemp(prefix="mailroom-fetchmail-")
try:
    with Lab(services=("smtp", "imap")) as lab:
        for subject in ("one", "two"):
            result = subprocess.run(["swaks", "--server", "127.0.0.1", "--port", str(lab.port("smtp")),
                                     "--from", "alice@sender.example", "--to", USER,
                                     "--header", f"Subject: fetch {subject}",
                                     "--body", f"Body {subject}"],
                                    capture_output=True, timeout=60)
            check_equal(result.returncode, 0, f"swaks delivers 'fetch {subject}'")

        out = os.path.join(tmp, "delivered")
        rc = os.path.join(tmp, "fetchmailrc")
        with open(rc, "w") as f:
            f.write(f'poll 127.0.0.1 port {lab.port("imap")} protocol IMAP '
                    f'user "{USER}" password "{PASSWORD}" sslproto "" '
                    f'mda "cat >> {out}"\n')
        os.chmod(rc, 0o600)
        result = subprocess.run(["fetchmail", "-f", rc, "--nosyslog", "-v"],
                                capture_output=True, text=True, timeout=60,
                                env=dict(os.environ, HOME=tmp))
        check_equal(result.returncode, 0, "fetchmail exits 0")
        check("2 messages for bob@recipient.example" in result.stdout + result.stderr,
              "fetchmail sees two messages")
        with open(out, "rb") as f:
            delivered = f.read()
        check(b"Body one" in delivered and b"Body two" in delivered, "both bodies reached the MDA")

        imap = imaplib.IMAP4("127.0.0.1", lab.port("imap"))
        imap.login(USER, PASSWORD)
        typ, data = imap.select("INBOX")
        check_equal(data, [b"0"], "fetchmail deleted and expunged them on the server")
        imap.logout()
finally:
    shutil.rmtree(tmp, ignore_errors=True)

summary()
