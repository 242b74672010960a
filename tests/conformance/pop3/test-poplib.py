#!/usr/bin/python3
"""Python's poplib against Mailroom's POP3 server: every command poplib has."""

import base64
import os
import poplib
import re
import shutil
import socket
import ssl
import sys
import time

sys.path.insert(0, os.path.dirname(__file__))
sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))
from harness import check, check_equal, summary  # noqa: E402
from pop3lab import BOB, BOB_PASSWORD, lab_with_mail, make_message  # noqa: E402

MESSAGES = [make_message(1), make_message(2, "Lunch?"), make_message(3, "Dots", ".\r\n...\r\n")]


def login(port):
    """Logs in; the server may not have seen a dropped connection yet
    ([IN-USE] for a moment), so try again briefly."""
    for _ in range(50):
        pop = poplib.POP3("127.0.0.1", port, timeout=10)
        pop.user(BOB)
        try:
            pop.pass_(BOB_PASSWORD)
            return pop
        except poplib.error_proto as e:
            if b"[IN-USE]" not in e.args[0]:
                raise
            pop.quit()
            time.sleep(0.1)
    raise RuntimeError("the maildrop stayed locked")


def unverified():
    context = ssl.create_default_context()
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    return context


def error_of(func, *args):
    try:
        func(*args)
    except poplib.error_proto as e:
        return e.args[0].decode(errors="replace")
    return None


lab, maildir = lab_with_mail(MESSAGES)
try:
    port = lab.port("pop3")

    # Greeting with the APOP timestamp (RFC 1939 7).
    pop = poplib.POP3("127.0.0.1", port, timeout=10)
    welcome = pop.getwelcome().decode()
    check(welcome.startswith("+OK"), "the greeting is +OK")
    check(re.search(r"<\d+\.\d+@[^>]+>", welcome) is not None, "the greeting carries an APOP timestamp")

    # CAPA (RFC 2449)
    capa = pop.capa()
    for cap in ("TOP", "UIDL", "USER", "SASL", "STLS", "RESP-CODES", "AUTH-RESP-CODE",
                "PIPELINING", "EXPIRE", "IMPLEMENTATION"):
        check(cap in capa, f"CAPA lists {cap}")
    check_equal(capa.get("SASL"), ["PLAIN"], "SASL offers PLAIN")

    # Commands of TRANSACTION refused before login, and the session survives.
    err = error_of(pop.stat)
    check(err is not None and err.startswith("-ERR") and "login" in err, f"STAT before login is refused ({err})")
    err = error_of(pop.pass_, BOB_PASSWORD)
    check(err is not None and "USER" in err, f"PASS without USER is refused ({err})")

    # Wrong password: RFC 3206 [AUTH]
    pop.user(BOB)
    err = error_of(pop.pass_, "wrong")
    check(err is not None and err.startswith("-ERR [AUTH]"), f"a wrong password gets -ERR [AUTH] ({err})")

    pop.user(BOB)
    resp = pop.pass_(BOB_PASSWORD).decode()
    check(resp.startswith("+OK") and "3 messages" in resp, f"USER/PASS logs in ({resp})")

    # STAT / LIST / UIDL
    sizes = [len(m.encode()) for m in MESSAGES]
    check_equal(pop.stat(), (3, sum(sizes)), "STAT counts messages and octets")
    resp, listing, _ = pop.list()
    check_equal([line.decode() for line in listing], [f"{i + 1} {s}" for i, s in enumerate(sizes)],
                "LIST gives each size")
    check_equal(pop.list(2).decode(), f"+OK 2 {sizes[1]}", "LIST 2")
    resp, uids, _ = pop.uidl()
    uids = [line.decode().split()[1] for line in uids]
    check_equal(len(set(uids)), 3, "UIDL gives three different unique-ids")
    check(all(0x21 <= ord(c) <= 0x7e for u in uids for c in u), "unique-ids are printable (RFC 1939 7)")
    check_equal(pop.uidl(3).decode().split()[2], uids[2], "UIDL 3 agrees with the listing")

    # RETR with byte-stuffing undone by the client
    for i, message in enumerate(MESSAGES):
        resp, lines, octets = pop.retr(i + 1)
        check_equal(b"\r\n".join(lines) + b"\r\n", message.encode(), f"RETR {i + 1} gives the message back exactly")

    # TOP
    resp, lines, _ = pop.top(2, 0)
    check(lines[-1] == b"" and b"Subject: Lunch?" in lines, "TOP 2 0 gives the header and the blank line")
    resp, lines, _ = pop.top(2, 1)
    check_equal(lines[-1], b"Hello Bob, this is message 2.", "TOP 2 1 adds one body line")

    # Errors keep the session alive
    err = error_of(pop.retr, 9)
    check(err is not None and "no such message" in err, f"RETR 9 is refused ({err})")
    err = error_of(pop._shortcmd, "XYZZY")
    check(err is not None and "unknown command" in err, f"an unknown command is refused ({err})")
    err = error_of(pop.rpop, BOB)
    check(err is not None and err.startswith("-ERR"), f"RPOP is refused ({err})")
    err = error_of(pop.utf8)
    check(err is not None and err.startswith("-ERR"), f"UTF8 is refused ({err})")
    err = error_of(pop.user, BOB)
    check(err is not None and "already logged in" in err, f"USER after login is refused ({err})")

    # Maildrop lock: RFC 2449 [IN-USE]
    second = poplib.POP3("127.0.0.1", port, timeout=10)
    second.user(BOB)
    err = error_of(second.pass_, BOB_PASSWORD)
    check(err is not None and err.startswith("-ERR [IN-USE]"), f"a second login gets -ERR [IN-USE] ({err})")
    second.quit()

    # DELE only marks; RSET unmarks; NOOP
    check(pop.dele(1).decode().startswith("+OK"), "DELE 1")
    err = error_of(pop.retr, 1)
    check_equal(err, "-ERR message 1 already deleted", "a deleted message cannot be retrieved")
    check_equal(pop.stat()[0], 2, "STAT leaves the deleted message out")
    check(pop.rset().decode().startswith("+OK"), "RSET")
    check_equal(pop.stat()[0], 3, "RSET brings it back")
    check(pop.noop().decode().startswith("+OK"), "NOOP")
    pop.dele(1)
    resp = pop.quit().decode()
    check(resp.startswith("+OK") and "1 message deleted" in resp, f"QUIT commits the deletion ({resp})")

    # A dropped connection commits nothing (RFC 1939 6)
    pop = login(port)
    check_equal(pop.stat()[0], 2, "after QUIT, two messages are left")
    pop.dele(1)
    pop.file.close()
    pop.sock.close()
    pop = login(port)
    check_equal(pop.stat()[0], 2, "a DELE without QUIT is forgotten")
    resp, uids_after, _ = pop.uidl()
    check_equal([line.decode().split()[1] for line in uids_after], uids[1:],
                "unique-ids stay the same across sessions")
    pop.quit()

    # APOP (RFC 1939 7)
    pop = poplib.POP3("127.0.0.1", port, timeout=10)
    check(pop.apop(BOB, BOB_PASSWORD).decode().startswith("+OK"), "APOP logs in")
    pop.quit()
    pop = poplib.POP3("127.0.0.1", port, timeout=10)
    err = error_of(pop.apop, BOB, "wrong")
    check(err is not None and err.startswith("-ERR [AUTH]"), f"APOP with a wrong secret ({err})")
    pop.quit()

    # STLS (RFC 2595), then CAPA no longer offers it
    pop = poplib.POP3("127.0.0.1", port, timeout=10)
    pop.stls(context=unverified())
    check("STLS" not in pop.capa(), "after STLS, CAPA no longer lists STLS")
    pop.user(BOB)
    pop.pass_(BOB_PASSWORD)
    check_equal(pop.stat()[0], 2, "login over STLS works")
    pop.quit()

    # Implicit TLS (pop3s)
    pop = poplib.POP3_SSL("127.0.0.1", lab.port("pop3s"), context=unverified(), timeout=10)
    check("STLS" not in pop.capa(), "pop3s does not offer STLS")
    pop.user(BOB)
    pop.pass_(BOB_PASSWORD)
    check_equal(pop.stat()[0], 2, "login over pop3s works")
    pop.quit()

    # AUTH PLAIN by hand (RFC 5034), with and without initial response
    plain = base64.b64encode(f"\0{BOB}\0{BOB_PASSWORD}".encode())
    pop = poplib.POP3("127.0.0.1", port, timeout=10)
    check(pop._shortcmd("AUTH PLAIN " + plain.decode()).decode().startswith("+OK"),
          "AUTH PLAIN with an initial response")
    pop.quit()
    sock = socket.create_connection(("127.0.0.1", port), timeout=10)
    f = sock.makefile("rb")
    f.readline()
    sock.sendall(b"AUTH PLAIN\r\n")
    check_equal(f.readline(), b"+ \r\n", "AUTH PLAIN without initial response gets '+ '")
    sock.sendall(b"*\r\n")
    check(f.readline().startswith(b"-ERR"), "'*' cancels the exchange")
    sock.sendall(b"AUTH PLAIN\r\n" + plain + b"\r\n")
    f.readline()
    check(f.readline().startswith(b"+OK"), "the response on its own line logs in")

    # Pipelining (RFC 2449 6.6): several commands in one write
    sock.sendall(b"STAT\r\nLIST 1\r\nNOOP\r\n")
    replies = [f.readline() for _ in range(3)]
    check(all(r.startswith(b"+OK") for r in replies), "pipelined commands are all answered in order")

    # RFC 2449 4: 255 octets per command line
    sock.sendall(b"NOOP " + b"x" * 300 + b"\r\nNOOP\r\n")
    check(f.readline().startswith(b"-ERR line too long"), "an over-long line is refused")
    check_equal(f.readline(), b"+OK\r\n", "and the session goes on")
    sock.sendall(b"QUIT\r\n")
    check(f.readline().startswith(b"+OK"), "QUIT")
    sock.close()
finally:
    lab.stop()
    if maildir:
        shutil.rmtree(maildir, ignore_errors=True)

summary()
