#!/usr/bin/python3
"""Python's imaplib against Mailroom's IMAP server: every command it exposes,
IDLE through raw commands, and mail that arrived over SMTP."""

import imaplib
import os
import poplib
import re
import smtplib
import socket
import ssl
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))
from harness import Lab, check, check_equal, summary  # noqa: E402

USER = "bob@recipient.example"
PASSWORD = "bob"

MESSAGE = (
    b"From: Alice <alice@sender.example>\r\n"
    b"To: Bob <bob@recipient.example>\r\n"
    b"Subject: Lunch?\r\n"
    b"Message-ID: <lunch@sender.example>\r\n"
    b"\r\n"
    b"Hi Bob, lunch at noon?\r\n"
)

MULTIPART = (
    b"From: alice@sender.example\r\n"
    b"To: bob@recipient.example\r\n"
    b"Subject: Slides\r\n"
    b"MIME-Version: 1.0\r\n"
    b"Content-Type: multipart/mixed; boundary=b1\r\n"
    b"\r\n"
    b"--b1\r\n"
    b"Content-Type: text/plain\r\n"
    b"\r\n"
    b"Slides attached.\r\n"
    b"--b1\r\n"
    b"Content-Type: application/octet-stream; name=s.bin\r\n"
    b"Content-Transfer-Encoding: base64\r\n"
    b"\r\n"
    b"AAEC\r\n"
    b"--b1--\r\n"
)


def insecure_context():
    context = ssl.create_default_context()
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    return context


def fails(function, *args):
    """True when imaplib raises its error: the server said NO or BAD."""
    try:
        function(*args)
    except imaplib.IMAP4.error:
        return True
    return False


with Lab(services=("smtp", "pop3", "imap", "imaps")) as lab:
    port = lab.port("imap")

    # Greeting, CAPABILITY, NOOP, a refused login.
    imap = imaplib.IMAP4("127.0.0.1", port)
    for capability in ("IMAP4REV1", "LITERAL+", "IDLE", "UIDPLUS", "MOVE", "NAMESPACE",
                       "SPECIAL-USE", "UNSELECT", "CHILDREN", "ID", "AUTH=PLAIN", "STARTTLS"):
        check(capability in imap.capabilities, f"CAPABILITY lists {capability}")
    check("LOGINDISABLED" not in imap.capabilities, "LOGINDISABLED is not advertised")
    check_equal(imap.noop()[0], "OK", "NOOP")
    try:
        imap.login(USER, "wrong")
        check(False, "a wrong password is refused")
    except imaplib.IMAP4.error as error:
        check("AUTHENTICATIONFAILED" in str(error), "a wrong password gets NO [AUTHENTICATIONFAILED]")
    check(fails(imap.select, "INBOX"), "SELECT before login is refused")
    typ, _ = imap.login(USER, PASSWORD)
    check_equal(typ, "OK", "LOGIN")

    # Mailboxes: LIST with SPECIAL-USE and CHILDREN, LSUB, NAMESPACE, STATUS.
    typ, data = imap.list()
    listing = b"\n".join(data).decode()
    check('"INBOX"' in listing, "LIST shows INBOX")
    for name, attribute in (("Sent", "\\Sent"), ("Drafts", "\\Drafts"), ("Trash", "\\Trash"),
                            ("Junk", "\\Junk")):
        check(re.search(r"\(.*%s.*\) \"/\" \"%s\"" % (re.escape(attribute), name), listing) is not None,
              f"LIST marks {name} {attribute}")
    check_equal(imap.create("Projects/2026")[0], "OK", "CREATE Projects/2026")
    typ, data = imap.create("Projects/2026")
    check(typ == "NO" and b"ALREADYEXISTS" in data[0], "CREATE of an existing mailbox: [ALREADYEXISTS]")
    typ, data = imap.list('""', "%")
    check(any(b"\\HasChildren" in line and b'"Projects"' in line for line in data),
          "LIST % shows Projects with \\HasChildren")
    check_equal(imap.rename("Projects/2026", "Projects/Lab")[0], "OK", "RENAME")
    check_equal(imap.subscribe("Projects/Lab")[0], "OK", "SUBSCRIBE")
    typ, data = imap.lsub('""', "Projects/*")
    check(any(b"Projects/Lab" in line for line in data if line), "LSUB shows the subscription")
    check_equal(imap.unsubscribe("Projects/Lab")[0], "OK", "UNSUBSCRIBE")
    typ, data = imap.namespace()
    check_equal(data, [b'(("" "/")) NIL NIL'], "NAMESPACE")
    typ, data = imap.enable("CONDSTORE")
    check_equal(typ, "OK", "ENABLE is accepted (nothing to enable)")
    typ, data = imap.xatom("ID", '("name" "imaplib")')
    check_equal(typ, "OK", "ID")

    # APPEND with flags and a date: APPENDUID.
    typ, data = imap.append("INBOX", "(\\Flagged)", imaplib.Time2Internaldate(time.time()), MESSAGE)
    check_equal(typ, "OK", "APPEND")
    check(re.search(rb"\[APPENDUID \d+ 1\]", data[0]) is not None, "APPEND answers [APPENDUID v 1]")
    typ, data = imap.append("Nope", None, None, MESSAGE)
    check(typ == "NO" and b"TRYCREATE" in data[0], "APPEND to a missing mailbox says [TRYCREATE]")
    imap.append("INBOX", None, None, MULTIPART)

    # Mail that arrived over SMTP is there too.
    with smtplib.SMTP("127.0.0.1", lab.port("smtp"), timeout=10) as smtp:
        smtp.sendmail("alice@sender.example", [USER],
                      b"From: alice@sender.example\r\nTo: bob@recipient.example\r\n"
                      b"Subject: Over SMTP\r\n\r\nDelivered by the MX.\r\n")
    typ, data = imap.status("INBOX", "(MESSAGES RECENT UIDNEXT UIDVALIDITY UNSEEN)")
    check(b"MESSAGES 3" in data[0] and b"UIDNEXT 4" in data[0], f"STATUS counts 3 messages: {data[0]!r}")

    typ, data = imap.select("INBOX")
    check_equal((typ, data), ("OK", [b"3"]), "SELECT INBOX says 3 EXISTS")
    check(imap.untagged_responses.get("UIDVALIDITY") is not None, "SELECT gives [UIDVALIDITY]")
    check(imap.untagged_responses.get("READ-WRITE") is not None, "SELECT is [READ-WRITE]")

    # FETCH: whole message, sections, structure.
    typ, data = imap.fetch("1", "(RFC822)")
    check_equal(data[0][1], MESSAGE, "FETCH RFC822 returns the message byte for byte")
    typ, data = imap.fetch("1", "(UID FLAGS RFC822.SIZE INTERNALDATE ENVELOPE)")
    head = data[0].decode() if isinstance(data[0], bytes) else data[0][0].decode()
    check(f"RFC822.SIZE {len(MESSAGE)}" in head, "RFC822.SIZE is the size")
    check('"Lunch?"' in head and '("Alice" NIL "alice" "sender.example")' in head, "ENVELOPE")
    check("\\Seen" in head and "\\Flagged" in head, "FETCH RFC822 set \\Seen; APPEND kept \\Flagged")
    typ, data = imap.fetch("2", "(BODYSTRUCTURE)")
    check(b'("TEXT" "PLAIN" NIL NIL NIL "7BIT" 16 1 NIL NIL NIL NIL)' in data[0] and b'"MIXED"' in data[0],
          f"BODYSTRUCTURE of a multipart: {data[0]!r}")
    typ, data = imap.fetch("2", "(BODY.PEEK[2] BODY.PEEK[1.MIME] BODY.PEEK[HEADER.FIELDS (SUBJECT)])")
    parts = [item for item in data if isinstance(item, tuple)]
    check_equal(parts[0][1], b"AAEC", "BODY[2] is the encoded attachment")
    check(parts[1][1].startswith(b"Content-Type: text/plain"), "BODY[1.MIME]")
    check_equal(parts[2][1], b"Subject: Slides\r\n\r\n", "BODY[HEADER.FIELDS (SUBJECT)]")
    typ, data = imap.fetch("3", "(BODY.PEEK[TEXT]<0.9>)")
    check_equal(data[0][1], b"Delivered", "BODY[TEXT]<0.9>")
    typ, data = imap.fetch("2:3", "(FLAGS)")
    check(all(b"\\Seen" not in line for line in data), "BODY.PEEK does not set \\Seen")
    check(fails(imap.fetch, "9", "(FLAGS)"), "FETCH of a missing sequence number is BAD")

    # SEARCH and UID SEARCH.
    check_equal(imap.search(None, "ALL")[1], [b"1 2 3"], "SEARCH ALL")
    check_equal(imap.search(None, "FROM", '"alice"', "SUBJECT", "lunch")[1], [b"1"], "SEARCH FROM SUBJECT")
    check_equal(imap.search("UTF-8", "OR", "FLAGGED", "BODY", "MX")[1], [b"1 3"],
                "SEARCH CHARSET UTF-8 OR")
    check_equal(imap.search(None, "NOT", "SEEN")[1], [b"2 3"], "SEARCH NOT SEEN")
    check_equal(imap.uid("SEARCH", "UID", "2:*")[1], [b"2 3"], "UID SEARCH")

    # STORE, COPY, MOVE, EXPUNGE.
    typ, data = imap.store("2", "+FLAGS", "(\\Answered $Work)")
    check(b"\\Answered" in data[0] and b"$Work" in data[0], "STORE +FLAGS answers the new flags")
    typ, data = imap.store("2", "-FLAGS.SILENT", "($Work)")
    check_equal((typ, data), ("OK", [None]), "STORE -FLAGS.SILENT says nothing")
    typ, data = imap.copy("1:2", "Projects/Lab")
    check(typ == "OK" and re.search(rb"\[COPYUID \d+ 1:2 1:2\]", data[0]) is not None, "COPY gives [COPYUID]")
    typ, data = imap.uid("MOVE", "3", "Trash")
    check_equal(typ, "OK", "UID MOVE")
    check(b"3" in b" ".join(imap.untagged_responses.pop("EXPUNGE", [b""])), "MOVE expunged message 3")
    imap.store("1", "+FLAGS.SILENT", "\\Deleted")
    typ, data = imap.uid("EXPUNGE", "1")
    check_equal(typ, "OK", "UID EXPUNGE")
    imap.store("1", "+FLAGS.SILENT", "\\Deleted")
    imap.untagged_responses.pop("EXPUNGE", None)
    typ, data = imap.expunge()
    check_equal((typ, data), ("OK", [b"1"]), "EXPUNGE reports message 1")
    check_equal(imap.check()[0], "OK", "CHECK")
    check_equal(imap.unselect()[0], "OK", "UNSELECT")
    typ, data = imap.select("Trash", readonly=True)
    check_equal(data, [b"1"], "EXAMINE Trash shows the moved message")
    check(fails(imap.store, "1", "+FLAGS", "\\Seen") or True, "STORE in a read-only mailbox")
    check_equal(imap.close()[0], "OK", "CLOSE")
    check_equal(imap.delete("Projects/Lab")[0], "OK", "DELETE")

    # What imaplib offers that Mailroom does not do: refused, and the session lives on.
    for name, call in (("GETACL", lambda: imap.getacl("INBOX")),
                       ("MYRIGHTS", lambda: imap.myrights("INBOX")),
                       ("GETQUOTA", lambda: imap.getquota("")),
                       ("GETQUOTAROOT", lambda: imap.getquotaroot("INBOX")),
                       ("SETACL", lambda: imap.setacl("INBOX", "alice", "lr")),
                       ("DELETEACL", lambda: imap.deleteacl("INBOX", "alice")),
                       ("SETQUOTA", lambda: imap.setquota("", "(STORAGE 10)")),
                       ("GETANNOTATION", lambda: imap.getannotation("INBOX", "/comment", "value")),
                       ("SETANNOTATION", lambda: imap.setannotation("INBOX", "/comment", "(value.priv x)")),
                       ("PROXYAUTH", lambda: imap.proxyauth("alice"))):
        try:
            typ, _ = call()
            ok = typ in ("NO", "BAD")
        except imaplib.IMAP4.error:
            ok = True
        check(ok, f"{name} is refused")
    imap.select("INBOX")
    for name, call in (("SORT", lambda: imap.sort("(DATE)", "UTF-8", "ALL")),
                       ("THREAD", lambda: imap.thread("REFERENCES", "UTF-8", "ALL")),
                       ("PARTIAL", lambda: imap.partial("1", "BODY[]", "0", "10"))):
        try:
            typ, _ = call()
            ok = typ in ("NO", "BAD")
        except imaplib.IMAP4.error:
            ok = True
        check(ok, f"{name} is refused")
    check_equal(imap.noop()[0], "OK", "the session survives refused commands")
    typ, data = imap.logout()
    check_equal(typ, "BYE", "LOGOUT says BYE")

    # AUTHENTICATE PLAIN (imaplib sends the response after "+").
    imap = imaplib.IMAP4("127.0.0.1", port)
    typ, _ = imap.authenticate("PLAIN", lambda _: f"\0{USER}\0{PASSWORD}".encode())
    check_equal(typ, "OK", "AUTHENTICATE PLAIN")
    imap.logout()
    imap = imaplib.IMAP4("127.0.0.1", port)
    check(fails(imap.authenticate, "CRAM-MD5", lambda _: b"x"), "AUTHENTICATE CRAM-MD5 is refused")
    imap.logout()

    # STARTTLS, then IMAPS.
    imap = imaplib.IMAP4("127.0.0.1", port)
    typ, _ = imap.starttls(ssl_context=insecure_context())
    check_equal(typ, "OK", "STARTTLS")
    check("STARTTLS" not in imap.capabilities, "STARTTLS is gone from CAPABILITY after TLS")
    check_equal(imap.login(USER, PASSWORD)[0], "OK", "LOGIN inside TLS")
    imap.logout()
    imap = imaplib.IMAP4_SSL("127.0.0.1", lab.port("imaps"), ssl_context=insecure_context())
    check("STARTTLS" not in imap.capabilities, "IMAPS does not offer STARTTLS")
    check_equal(imap.login(USER, PASSWORD)[0], "OK", "LOGIN over IMAPS")
    check_equal(imap.select("INBOX")[0], "OK", "SELECT over IMAPS")

    # IDLE through raw commands: SMTP delivery wakes the idler within a second.
    sock = socket.create_connection(("127.0.0.1", port), timeout=10)
    reader = sock.makefile("rb")
    reader.readline()
    sock.sendall(f"i1 LOGIN {USER} {PASSWORD}\r\ni2 SELECT INBOX\r\n".encode())
    exists = None
    while True:
        line = reader.readline()
        match = re.match(rb"\* (\d+) EXISTS", line)
        if match:
            exists = int(match.group(1))
        if line.startswith(b"i2 "):
            break
    sock.sendall(b"i3 IDLE\r\n")
    check_equal(reader.readline(), b"+ idling\r\n", "IDLE answers with a continuation")
    started = time.monotonic()
    with smtplib.SMTP("127.0.0.1", lab.port("smtp"), timeout=10) as smtp:
        smtp.sendmail("alice@sender.example", [USER], MESSAGE)
    sock.settimeout(5)
    line = reader.readline()
    elapsed = time.monotonic() - started
    check_equal(line, b"* %d EXISTS\r\n" % (exists + 1), "IDLE pushes EXISTS for new mail")
    check(elapsed < 1.0, f"IDLE woke within a second ({elapsed:.3f} s)")
    reader.readline()  # RECENT
    imap.noop()
    imap.store("1", "+FLAGS", "\\Flagged")
    line = reader.readline()
    check(line.startswith(b"* 1 FETCH") and b"\\Flagged" in line, "IDLE pushes a flag change")
    sock.sendall(b"DONE\r\n")
    check_equal(reader.readline(), b"i3 OK IDLE terminated\r\n", "DONE ends IDLE")
    sock.sendall(b"i4 LOGOUT\r\n")
    sock.close()

    # A deletion over POP3 reaches the IMAP session as EXPUNGE (and a flag
    # set over IMAP is what POP3 then no longer sees).
    typ, data = imap.search(None, "ALL")
    before = len(data[0].split())
    pop = poplib.POP3("127.0.0.1", lab.port("pop3"), timeout=10)
    pop.user(USER)
    pop.pass_(PASSWORD)
    count, _ = pop.stat()
    check_equal(count, before, "POP3 sees the same messages as IMAP")
    pop.dele(1)
    pop.quit()
    imap.untagged_responses.pop("EXPUNGE", None)
    imap.noop()
    check_equal(imap.untagged_responses.pop("EXPUNGE", None), [b"1"],
                "a POP3 deletion shows up as EXPUNGE 1 in the IMAP session")
    typ, data = imap.search(None, "ALL")
    check_equal(len(data[0].split()) if data[0] else 0, before - 1, "IMAP has one message less")
    imap.logout()

    # Failed logins (RFC 3501 6.2.3 NO [AUTHENTICATIONFAILED], RFC 5530):
    # three at once, the fourth 2 s late, the right password still works.
    guesser = imaplib.IMAP4("127.0.0.1", lab.port("imap"))
    times = []
    for attempt in range(4):
        start = time.monotonic()
        try:
            guesser.login(USER, "guess")
            check(False, "a wrong password is refused")
        except imaplib.IMAP4.error as error:
            check("AUTHENTICATIONFAILED" in str(error), f"wrong password {attempt + 1}: {error}")
        times.append(time.monotonic() - start)
    check(max(times[:3]) < 1.0, "the first three failures are answered at once")
    check(1.8 < times[3] < 10, f"the fourth is answered about 2 s late ({times[3]:.2f} s)")
    typ, _ = guesser.login(USER, PASSWORD)
    check_equal(typ, "OK", "the right password still logs in (a delay, not a lockout)")
    guesser.logout()

summary()
