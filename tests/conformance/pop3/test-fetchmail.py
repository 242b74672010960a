#!/usr/bin/python3
"""fetchmail retrieving from Mailroom's POP3 server into a local mbox."""

import mailbox
import os
import poplib
import shutil
import stat
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(__file__))
sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))
from harness import check, check_equal, require, summary  # noqa: E402
from pop3lab import BOB, BOB_PASSWORD, lab_with_mail, make_message  # noqa: E402

require("fetchmail")

MESSAGES = [make_message(1), make_message(2, "Second"), make_message(3, "Third", ".\r\n")]

MDA = """#!/usr/bin/python3
import mailbox, sys
box = mailbox.mbox(sys.argv[1])
box.lock()
box.add(mailbox.mboxMessage(sys.stdin.buffer.read()))
box.flush()
box.unlock()
"""


def fetchmail(work, port, mbox, protocol="POP3", options="", password=BOB_PASSWORD):
    rc_path = os.path.join(work, "fetchmailrc")
    with open(rc_path, "w") as f:
        f.write("set no bouncemail\n"
                f"poll 127.0.0.1 service {port} protocol {protocol}\n"
                f"  user \"{BOB}\" there with password \"{password}\" is \"{os.environ.get('USER', 'root')}\" here\n"
                f"  mda \"/usr/bin/python3 {work}/mda.py {mbox}\"\n"
                f"  {options}\n")
    os.chmod(rc_path, stat.S_IRUSR | stat.S_IWUSR)
    env = dict(os.environ, FETCHMAILHOME=work, HOME=work)
    result = subprocess.run(["fetchmail", "--nosyslog", "--nodetach", "-f", rc_path],
                            capture_output=True, env=env, timeout=120)
    output = (result.stdout + result.stderr).decode(errors="replace")
    return result.returncode, output


def subjects(path):
    if not os.path.exists(path):
        return []
    return [m["Subject"] for m in mailbox.mbox(path)]


def stat_count(port):
    pop = poplib.POP3("127.0.0.1", port, timeout=10)
    pop.user(BOB)
    pop.pass_(BOB_PASSWORD)
    count = pop.stat()[0]
    pop.quit()
    return count


work = tempfile.mkdtemp(prefix="mailroom-fetchmail-")
with open(os.path.join(work, "mda.py"), "w") as f:
    f.write(MDA)

lab, maildir = lab_with_mail(MESSAGES)
try:
    port = lab.port("pop3")
    want = ["Message 1", "Second", "Third"]

    # APOP (RFC 1939 7), plain text, keeping the mail on the server
    mbox_a = os.path.join(work, "apop.mbox")
    rc, out = fetchmail(work, port, mbox_a, "APOP", "keep sslproto ''")
    check_equal(rc, 0, "fetchmail over APOP retrieves mail")
    check_equal(subjects(mbox_a), want, "the mbox has the three messages in order")
    check_equal(stat_count(port), 3, "with 'keep' they stay on the server")
    if rc != 0:
        print(out)

    # USER/PASS over STLS (RFC 2595), deleting after retrieval (the default)
    mbox_b = os.path.join(work, "bob.mbox")
    # (fetchall: the first run's UIDs are remembered as seen)
    rc, out = fetchmail(work, port, mbox_b, "POP3", "fetchall sslproto 'tls1.2+' no sslcertck")
    check_equal(rc, 0, "fetchmail over STLS retrieves mail")
    check_equal(subjects(mbox_b), want, "the second mbox has the three messages")
    if rc != 0:
        print(out)
    box = list(mailbox.mbox(mbox_b))
    if len(box) == 3:
        body = box[2].get_payload()
        check(".a line that starts with a dot\n..and one with two\n.\nBye." in body,
              "dot-stuffed lines arrive intact")
    check_equal(stat_count(port), 0, "fetchmail deleted them on the server (DELE + QUIT)")

    # Nothing left: fetchmail's exit code 1 means "no mail"
    rc, out = fetchmail(work, port, mbox_b, "POP3", "sslproto ''")
    check_equal(rc, 1, "a second run finds no mail")

    # Wrong password: exit code 3 (authentication failed), after -ERR [AUTH]
    rc, out = fetchmail(work, port, mbox_b, "POP3", "sslproto ''", password="wrong")
    check_equal(rc, 3, "a wrong password is an authentication failure for fetchmail")
finally:
    lab.stop()
    if maildir:
        shutil.rmtree(maildir, ignore_errors=True)
    shutil.rmtree(work, ignore_errors=True)

summary()
