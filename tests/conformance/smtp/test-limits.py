#!/usr/bin/python3
"""mailroom-server's limit options, seen from a client: each limit gets its
documented reply (docs/limits.md) and the server carries on."""

import os
import smtplib
import socket
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))
from harness import Lab, check, check_equal, summary  # noqa: E402


def connect(port):
    sock = socket.create_connection(("127.0.0.1", port), timeout=10)
    return sock, sock.makefile("rb")


def reply(reader):
    lines = []
    while True:
        line = reader.readline().decode()
        lines.append(line.rstrip("\r\n"))
        if len(line) < 4 or line[3] != "-":
            return lines


with Lab("--max-message-size", "2000", "--max-recipients", "2", "--idle-timeout", "2",
         "--max-connections-per-address", "3", "--max-bad-commands", "3",
         services=("smtp",)) as lab:
    port = lab.port("smtp")

    with smtplib.SMTP("127.0.0.1", port, timeout=10) as smtp:
        smtp.ehlo("limits.example")
        check_equal(smtp.esmtp_features.get("size"), "2000", "EHLO advertises SIZE 2000 (RFC 1870)")

        smtp.mail("alice@sender.example")
        check_equal(smtp.rcpt("bob@recipient.example")[0], 250, "first recipient accepted")
        check_equal(smtp.rcpt("team@recipient.example")[0], 250, "second recipient accepted")
        code, text = smtp.rcpt("Bob@recipient.example")
        check(code == 452 and text.startswith(b"4.5.3"), "third recipient gets 452 4.5.3 (RFC 5321 4.5.3.1.10)")
        code, text = smtp.data("Subject: big\r\n\r\n" + "x" * 3000 + "\r\n")
        check(code == 552 and text.startswith(b"5.3.4"), "a message over the limit gets 552 5.3.4 after the data")
        check_equal(smtp.noop()[0], 250, "the session survives the 552")

    # Bad commands in a row: 421 4.7.0 and the connection closes.
    sock, reader = connect(port)
    reply(reader)
    for _ in range(3):
        sock.sendall(b"BOGUS\r\n")
        last = reply(reader)
    check(last[0].startswith("500 5.5.2"), "each bad command is answered 500 5.5.2")
    check(reply(reader)[0].startswith("421 4.7.0"), "after the third, 421 4.7.0 (too many errors), as Postfix does")
    check_equal(reader.readline(), b"", "then the server closes the connection")
    sock.close()

    # Idle timeout: 421 4.4.2 (RFC 5321 4.5.3.2.7), then close.
    sock, reader = connect(port)
    reply(reader)
    start = time.monotonic()
    lines = reply(reader)
    check(lines[0].startswith("421 4.4.2"), "an idle client gets 421 4.4.2")
    check(1.5 < time.monotonic() - start < 10, "after about the configured 2 s")
    sock.close()

    # Connections per address: the fourth gets 421 instead of 220 (RFC 5321 3.1).
    held = [connect(port) for _ in range(3)]
    for _, held_reader in held:
        reply(held_reader)
    sock, reader = connect(port)
    check(reply(reader)[0].startswith("421"), "a connection over the per-address limit gets 421 at once")
    reader.close()
    sock.close()
    for held_sock, held_reader in held:
        # A socket with a makefile() reader only really closes with both.
        held_reader.close()
        held_sock.close()
    time.sleep(0.3)
    sock, reader = connect(port)
    greeting = reply(reader)[0]
    check(greeting.startswith("220"), f"once others have left, a new client is greeted with 220 ({greeting})")
    sock.close()

# Failed logins: the first three at once, the fourth 2 s late (RFC 4954
# leaves the policy to the server; Postfix sleeps too), the right password
# still accepted.
with Lab("--max-bad-commands", "20", services=("submission",)) as lab:
    with smtplib.SMTP("127.0.0.1", lab.port("submission"), timeout=20) as smtp:
        smtp.ehlo("guesser.example")
        times = []
        for attempt in range(4):
            start = time.monotonic()
            code, _ = smtp.docmd("AUTH", "PLAIN AGFsaWNlQHNlbmRlci5leGFtcGxlAGd1ZXNz")
            times.append(time.monotonic() - start)
            check_equal(code, 535, f"wrong password {attempt + 1} gets 535")
        check(max(times[:3]) < 1.0, f"the first three failures are answered at once ({times[:3]})")
        check(1.8 < times[3] < 10, f"the fourth is answered about 2 s late ({times[3]:.2f} s)")
        code, _ = smtp.docmd("AUTH", "PLAIN AGFsaWNlQHNlbmRlci5leGFtcGxlAGFsaWNl")
        check_equal(code, 235, "the right password is still accepted (a delay, not a lockout)")

summary()
