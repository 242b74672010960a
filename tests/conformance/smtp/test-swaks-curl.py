#!/usr/bin/python3
"""swaks and curl, two clients admins use every day, against Mailroom's SMTP."""

import os
import re
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))
from harness import Lab, check, require, summary  # noqa: E402

require("swaks", "curl")


def swaks(*args):
    result = subprocess.run(["swaks", "--server", "127.0.0.1", "--timeout", "10", *args],
                            capture_output=True, text=True, timeout=60)
    return result.returncode, result.stdout + result.stderr


def server_lines(output):
    """The lines swaks marks as coming from the server: "<-" ("<~" inside TLS),
    with "*" for the replies it counts as errors ("<**", "<~*")."""
    return [line[4:].strip() for line in output.splitlines() if re.match(r"<[-~*][-~* ] ", line)]


with Lab(services=("smtp", "submission", "smtps")) as lab:
    smtp = str(lab.port("smtp"))
    sub = str(lab.port("submission"))

    code, out = swaks("--port", smtp, "--from", "alice@sender.example", "--to", "bob@recipient.example",
                      "--helo", "laptop.example", "--header", "Subject: swaks test")
    lines = server_lines(out)
    check(code == 0, "swaks delivers to bob")
    check(any(line.startswith("354") for line in lines), "swaks sees 354 after DATA")
    check(any(line.startswith("250 2.0.0") and "queued as" in line for line in lines),
          "end of data is 250 2.0.0 with a queue id")
    check(lines and lines[-1].startswith("221"), "QUIT is 221")

    code, out = swaks("--port", smtp, "--from", "alice@sender.example", "--to", "nobody@recipient.example")
    check(any(line.startswith("550 5.1.1") for line in server_lines(out)), "swaks: unknown user is 550 5.1.1")

    # AUTH PLAIN and LOGIN on submission, with and without STARTTLS.
    for mech in ("PLAIN", "LOGIN"):
        code, out = swaks("--port", sub, "--from", "alice@sender.example", "--to", "bob@recipient.example",
                          "--auth", mech, "--auth-user", "alice@sender.example", "--auth-password", "alice")
        check(any(line.startswith("235 2.7.0") for line in server_lines(out)), f"swaks AUTH {mech} is 235")
        check(code == 0, f"swaks AUTH {mech} then delivers")

    code, out = swaks("--port", sub, "--from", "alice@sender.example", "--to", "bob@recipient.example",
                      "--auth", "PLAIN", "--auth-user", "alice@sender.example", "--auth-password", "nope")
    check(any(line.startswith("535 5.7.8") for line in server_lines(out)), "swaks wrong password is 535 5.7.8")

    code, out = swaks("--port", sub, "--tls", "--from", "alice@sender.example", "--to", "bob@recipient.example",
                      "--auth", "PLAIN", "--auth-user", "alice@sender.example", "--auth-password", "alice")
    check(code == 0, "swaks --tls (STARTTLS) then AUTH PLAIN delivers")
    check("TLS started" in out or any(line.startswith("220") and "TLS" in line for line in server_lines(out)),
          "swaks negotiated TLS")

    code, out = swaks("--port", str(lab.port("smtps")), "--tls-on-connect", "--from", "alice@sender.example",
                      "--to", "bob@recipient.example", "--auth", "LOGIN",
                      "--auth-user", "alice@sender.example", "--auth-password", "alice")
    check(code == 0, "swaks --tls-on-connect (SMTPS) delivers")

    # Submission without AUTH: 530 5.7.0 (RFC 6409 4.3 via RFC 4954 6).
    code, out = swaks("--port", sub, "--from", "alice@sender.example", "--to", "bob@recipient.example")
    check(any(line.startswith("530 5.7.0") for line in server_lines(out)), "submission without AUTH is 530 5.7.0")

    # curl smtp:// uploads a file as the message body.
    with tempfile.NamedTemporaryFile("w", suffix=".eml", delete=False) as mail:
        mail.write("From: alice@sender.example\r\nTo: bob@recipient.example\r\nSubject: curl\r\n\r\nvia curl\r\n")
    result = subprocess.run(["curl", "--silent", "--show-error", "--verbose", f"smtp://127.0.0.1:{smtp}/laptop.example",
                             "--mail-from", "alice@sender.example", "--mail-rcpt", "bob@recipient.example",
                             "--upload-file", mail.name], capture_output=True, text=True, timeout=60)
    os.unlink(mail.name)
    check(result.returncode == 0, "curl smtp:// delivers")
    check("< 354" in result.stderr, "curl sees 354")

    result = subprocess.run(["curl", "--silent", "--show-error", f"smtp://127.0.0.1:{smtp}",
                             "--mail-from", "alice@sender.example", "--mail-rcpt", "ghost@recipient.example",
                             "--upload-file", "/dev/null"], capture_output=True, text=True, timeout=60)
    check(result.returncode != 0 and "550" in result.stderr, "curl reports the 550 for an unknown user")

summary()
