#!/usr/bin/python3
"""Python's smtplib against Mailroom's SMTP server: the codes a real client sees."""

import base64
import os
import poplib
import smtplib
import socket
import ssl
import sys

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))
from harness import Lab, check, check_equal, summary  # noqa: E402

MESSAGE = (
    "From: Alice <alice@sender.example>\r\n"
    "To: Bob <bob@recipient.example>\r\n"
    "Subject: Lunch?\r\n"
    "\r\n"
    "Hi Bob,\r\n"
    ".this line starts with a dot\r\n"
    "..and this one with two\r\n"
)


def raw_session(port):
    """A socket that speaks SMTP by hand, like a learner in telnet."""
    sock = socket.create_connection(("127.0.0.1", port), timeout=10)
    reader = sock.makefile("rb")

    def reply():
        lines = []
        while True:
            line = reader.readline().decode()
            lines.append(line.rstrip("\r\n"))
            if len(line) < 4 or line[3] != "-":
                return lines

    def send(text):
        sock.sendall(text.encode())

    return sock, reply, send


with Lab(services=("smtp", "submission", "smtps", "pop3")) as lab:
    port = lab.port("smtp")

    # EHLO and the extensions (RFC 5321 4.1.1.1 and every extension's RFC).
    with smtplib.SMTP("127.0.0.1", port, timeout=10) as smtp:
        code, _ = smtp.ehlo("client.example")
        check_equal(code, 250, "EHLO is answered 250")
        for ext in ("pipelining", "size", "8bitmime", "enhancedstatuscodes", "smtputf8",
                    "auth", "starttls", "chunking", "dsn", "help"):
            check(smtp.has_extn(ext), f"EHLO advertises {ext.upper()}")
        check("PLAIN" in smtp.esmtp_features.get("auth", "") and
              "LOGIN" in smtp.esmtp_features.get("auth", ""), "AUTH offers PLAIN and LOGIN")

        refused = smtp.sendmail("alice@sender.example", ["bob@recipient.example"], MESSAGE)
        check_equal(refused, {}, "mail to bob is accepted")

        # What landed in bob's INBOX (read back over POP3).
        pop = poplib.POP3("127.0.0.1", lab.port("pop3"), timeout=10)
        pop.user("bob@recipient.example")
        pop.pass_("bob")
        count, _ = pop.stat()
        check_equal(count, 1, "bob's INBOX holds the message")
        _, lines, _ = pop.retr(1)
        text = b"\r\n".join(lines).decode()
        check(text.startswith("Return-Path: <alice@sender.example>"), "delivery added Return-Path first (RFC 5321 4.4)")
        check("Received: from client.example" in text, "a Received: line names the EHLO host")
        check("\r\n.this line starts with a dot\r\n" in text and "\r\n..and this one" in text,
              "dot-stuffing was undone exactly once")
        pop.quit()

        # An unknown user is refused at RCPT with 550 5.1.1 (RFC 3463 3.2).
        code, text = smtp.mail("alice@sender.example")
        check_equal(code, 250, "MAIL FROM accepted")
        code, text = smtp.rcpt("nobody@recipient.example")
        check_equal(code, 550, "unknown user refused with 550")
        check(text.startswith(b"5.1.1"), "550 carries enhanced status 5.1.1")
        # A non-local domain without AUTH: relay denied.
        code, text = smtp.rcpt("someone@elsewhere.example")
        check_equal(code, 550, "relay to a foreign domain refused")
        check(text.startswith(b"5.7.1"), "relay denied carries 5.7.1")
        check_equal(smtp.rset()[0], 250, "RSET 250")

        # 503: bad sequence (RFC 5321 4.1.4).
        code, text = smtp.docmd("RCPT TO:<bob@recipient.example>")
        check_equal(code, 503, "RCPT before MAIL is 503")
        code, text = smtp.docmd("DATA")
        check_equal(code, 503, "DATA before MAIL is 503")
        code, text = smtp.docmd("FROB")
        check_equal(code, 500, "unknown command is 500")
        check(text.startswith(b"5.5.2"), "500 carries 5.5.2")
        code, text = smtp.docmd("MAIL FROM:<not an address")
        check_equal(code, 501, "malformed MAIL FROM is 501")
        code, text = smtp.docmd("VRFY bob")
        check(code in (250, 252), "VRFY answers 250 or 252, never an auth error")
        code, text = smtp.docmd("EXPN team@recipient.example")
        check(code == 250 and b"bob@recipient.example" in text, "EXPN lists the team list")
        code, text = smtp.docmd("HELP")
        check_equal(code, 214, "HELP is 214")
        code, text = smtp.docmd("NOOP")
        check_equal(code, 250, "NOOP is 250")

    # SIZE (RFC 1870): a declared size over the limit is refused at MAIL.
    with smtplib.SMTP("127.0.0.1", port, timeout=10) as smtp:
        smtp.ehlo("client.example")
        limit = int(smtp.esmtp_features["size"])
        code, text = smtp.mail("alice@sender.example", [f"SIZE={limit + 1}"])
        check_equal(code, 552, "SIZE over the limit refused with 552")
        check(text.startswith(b"5.3.4"), "552 carries 5.3.4")

    # A command line over 512 octets (RFC 5321 4.5.3.1.4).
    sock, reply, send = raw_session(port)
    reply()
    send("NOOP " + "x" * 600 + "\r\n")
    lines = reply()
    check(lines[0].startswith("500 5.5.2"), "overlong command line gets 500 5.5.2")
    send("QUIT\r\n")
    check(reply()[0].startswith("221"), "QUIT is 221 after a too-long line")
    sock.close()

    # Pipelining (RFC 2920): several commands in one packet, replies in order.
    sock, reply, send = raw_session(port)
    reply()
    send("EHLO pipe.example\r\n")
    reply()
    send("MAIL FROM:<alice@sender.example>\r\nRCPT TO:<bob@recipient.example>\r\n"
         "RCPT TO:<ghost@recipient.example>\r\nDATA\r\n")
    codes = [reply()[0][:3] for _ in range(4)]
    check_equal(codes, ["250", "250", "550", "354"], "pipelined replies arrive in order")
    send("Subject: pipelined\r\n\r\nbody\r\n.\r\nQUIT\r\n")
    check(reply()[0].startswith("250"), "pipelined DATA accepted")
    check(reply()[0].startswith("221"), "pipelined QUIT 221")
    sock.close()

    # SMTP smuggling: <LF>.<LF> must not end the message (RFC 5321 4.1.1.4).
    sock, reply, send = raw_session(port)
    reply()
    send("EHLO smuggler.example\r\n")
    reply()
    send("MAIL FROM:<alice@sender.example>\r\n")
    reply()
    send("RCPT TO:<bob@recipient.example>\r\n")
    reply()
    send("DATA\r\n")
    check(reply()[0].startswith("354"), "DATA is 354 (not 345)")
    send("Subject: outer\r\n\r\nfirst\n.\nMAIL FROM:<admin@sender.example>\n"
         "RCPT TO:<bob@recipient.example>\nDATA\nSubject: smuggled\n\nsecond\r\n.\r\n")
    lines = reply()
    check(lines[0].startswith("250"), "the whole thing is one message")
    send("QUIT\r\n")
    reply()
    sock.close()

    # AUTH on the submission port (RFC 4954, RFC 6409).
    sub = lab.port("submission")
    with smtplib.SMTP("127.0.0.1", sub, timeout=10) as smtp:
        smtp.ehlo("laptop.example")
        code, text = smtp.mail("alice@sender.example")
        check_equal(code, 530, "submission without AUTH is 530")
        check(text.startswith(b"5.7.0"), "530 carries 5.7.0")
        try:
            smtp.login("alice@sender.example", "wrong")
            check(False, "wrong password refused")
        except smtplib.SMTPAuthenticationError as error:
            check_equal(error.smtp_code, 535, "wrong password is 535")
        smtp.login("alice@sender.example", "alice")
        check(True, "AUTH with the right password succeeds")

    # STARTTLS (RFC 3207) then AUTH PLAIN inside TLS.
    context = ssl.create_default_context()
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    with smtplib.SMTP("127.0.0.1", sub, timeout=10) as smtp:
        smtp.ehlo("laptop.example")
        code, _ = smtp.starttls(context=context)
        check_equal(code, 220, "STARTTLS is 220")
        smtp.ehlo("laptop.example")
        check(not smtp.has_extn("starttls"), "after TLS, STARTTLS is no longer offered")
        code, _ = smtp.login("alice@sender.example", "alice")
        check_equal(code, 235, "AUTH inside TLS is 235")

    # Implicit TLS on the smtps port (RFC 8314).
    with smtplib.SMTP_SSL("127.0.0.1", lab.port("smtps"), timeout=10, context=context) as smtp:
        code, _ = smtp.ehlo("laptop.example")
        check_equal(code, 250, "EHLO over implicit TLS")

    # Shutdown: an open session hears 421 4.3.2 (RFC 5321 3.8).
    sock, reply, send = raw_session(port)
    reply()
    lab.stop()
    lines = reply()
    check(lines[0].startswith("421 4.3.2"), "open session gets 421 4.3.2 on shutdown")
    sock.close()

summary()
