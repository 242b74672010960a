#!/usr/bin/python3
"""IMAP and POP3 against Dovecot, on this machine, in the same run, on the
same messages.

    tests/bench/mailstore.py [--build _build] [--messages 10000]

Writes N messages (plain and multipart, varied senders) into a Maildir,
gives a copy to Dovecot (started by hand on loopback with a throwaway
config) and one to mailroom-server (--maildir), then times, on each:
  FETCH 1:* (FLAGS RFC822.SIZE ENVELOPE), UID SEARCH FROM, FETCH 1:* BODYSTRUCTURE,
  and a POP3 session that RETRs every message.
Prints a Markdown table of seconds (best of 3) and the ratio Mailroom/Dovecot.
"""

import argparse
import imaplib
import os
import poplib
import shutil
import socket
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "conformance"))
from harness import Lab  # noqa: E402

USER = "bob@recipient.example"
PASSWORD = "bob"


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def make_message(i):
    sender = ["alice@sender.example", "carol@lists.example", "dave@other.example"][i % 3]
    if i % 4 == 0:
        return (f"From: Sender {i} <{sender}>\r\nTo: Bob <{USER}>\r\nSubject: Report {i}\r\n"
                f"Date: Mon, 23 Nov 2026 10:{i % 60:02d}:00 +0000\r\nMessage-ID: <{i}@bench.example>\r\n"
                "MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=\"b\"\r\n\r\n"
                "--b\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nSee the attachment.\r\n"
                "--b\r\nContent-Type: application/octet-stream; name=\"r.bin\"\r\n"
                "Content-Transfer-Encoding: base64\r\nContent-Disposition: attachment; filename=\"r.bin\"\r\n\r\n"
                + "QUJDREVGR0hJSktMTU5PUFFSU1RVVldYWVo=\r\n" * 20 + "--b--\r\n")
    return (f"From: Sender {i} <{sender}>\r\nTo: Bob <{USER}>\r\nSubject: Hello {i}\r\n"
            f"Date: Mon, 23 Nov 2026 10:{i % 60:02d}:00 +0000\r\nMessage-ID: <{i}@bench.example>\r\n\r\n"
            + f"Line {i} of a message body that is long enough to be realistic.\r\n" * 25)


def write_maildir(path, count):
    for sub in ("cur", "new", "tmp"):
        os.makedirs(os.path.join(path, sub), exist_ok=True)
    for i in range(count):
        with open(os.path.join(path, "cur", f"{1700000000 + i}.M{i}P1.bench:2,S"), "w", newline="") as f:
            f.write(make_message(i))


def start_dovecot(root, imap_port, pop3_port):
    home = os.path.join(root, "home")
    write_maildir(os.path.join(home, "Maildir"), 0)
    with open(os.path.join(root, "passwd"), "w") as f:
        f.write(f"{USER}:{{PLAIN}}{PASSWORD}::::::\n")
    conf = os.path.join(root, "dovecot.conf")
    with open(conf, "w") as f:
        f.write(f"""
base_dir = {root}/run
state_dir = {root}/state
log_path = {root}/dovecot.log
protocols = imap pop3
listen = 127.0.0.1
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain
mail_location = maildir:{home}/Maildir
mail_uid = nobody
mail_gid = nogroup
first_valid_uid = 1
passdb {{
  driver = passwd-file
  args = {root}/passwd
}}
userdb {{
  driver = static
  args = home={home}
}}
service imap-login {{
  inet_listener imap {{
    port = {imap_port}
  }}
  inet_listener imaps {{
    port = 0
  }}
}}
service pop3-login {{
  inet_listener pop3 {{
    port = {pop3_port}
  }}
  inet_listener pop3s {{
    port = 0
  }}
}}
service stats {{
  unix_listener stats-reader {{
    mode = 0666
  }}
  unix_listener stats-writer {{
    mode = 0666
  }}
}}
""")
    subprocess.run(["dovecot", "-c", conf], check=True)
    return conf, home


def wait_port(port):
    for _ in range(100):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            time.sleep(0.1)
    raise SystemExit(f"nothing listens on {port}")


def best_of(runs, func):
    times = []
    for _ in range(runs):
        start = time.monotonic()
        result = func()
        times.append(time.monotonic() - start)
    return min(times), result


def imap_timings(port):
    imap = imaplib.IMAP4("127.0.0.1", port)
    imap.login(USER, PASSWORD)
    typ, data = imap.select("INBOX")
    count = int(data[0])
    rows = {}
    rows["FETCH 1:* (FLAGS RFC822.SIZE ENVELOPE)"] = best_of(
        3, lambda: len(imap.fetch("1:*", "(FLAGS RFC822.SIZE ENVELOPE)")[1]))
    rows['UID SEARCH FROM "carol"'] = best_of(
        3, lambda: len(imap.uid("SEARCH", "FROM", '"carol"')[1][0].split()))
    rows["FETCH 1:* BODYSTRUCTURE"] = best_of(3, lambda: len(imap.fetch("1:*", "(BODYSTRUCTURE)")[1]))
    imap.logout()
    return count, rows


def pop3_retr_all(port):
    def run():
        pop = poplib.POP3("127.0.0.1", port)
        pop.user(USER)
        pop.pass_(PASSWORD)
        count, _ = pop.stat()
        octets = 0
        for i in range(1, count + 1):
            octets += len(b"".join(pop.retr(i)[1]))
        pop.quit()
        return count
    return best_of(3, run)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--build", default="_build")
    parser.add_argument("--messages", type=int, default=10000)
    options = parser.parse_args()
    os.environ.setdefault("MAILROOM_SERVER", os.path.abspath(os.path.join(options.build, "mailroom-server")))

    root = tempfile.mkdtemp(prefix="mailroom-bench-")
    os.chmod(root, 0o755)
    try:
        imap_port, pop3_port = free_port(), free_port()
        conf, home = start_dovecot(root, imap_port, pop3_port)
        write_maildir(os.path.join(home, "Maildir"), options.messages)
        subprocess.run(["chown", "-R", "nobody:nogroup", home], check=True)
        mailroom_dir = os.path.join(root, "mailroom")
        write_maildir(os.path.join(mailroom_dir, USER), options.messages)
        wait_port(imap_port)

        # Dovecot builds its index on first SELECT; warm both servers first.
        dovecot_count, dovecot_rows = imap_timings(imap_port)
        dovecot_count, dovecot_rows = imap_timings(imap_port)
        dovecot_pop3 = pop3_retr_all(pop3_port)

        with Lab("--maildir", mailroom_dir, services=("imap", "pop3")) as lab:
            mailroom_count, mailroom_rows = imap_timings(lab.port("imap"))
            mailroom_pop3 = pop3_retr_all(lab.port("pop3"))

        subprocess.run(["doveadm", "-c", conf, "stop"], check=False)
    finally:
        shutil.rmtree(root, ignore_errors=True)

    print(f"| {options.messages} messages, one mailbox | Dovecot {dovecot_count} (s) | "
          f"Mailroom {mailroom_count} (s) | Mailroom / Dovecot |")
    print("|---|---|---|---|")
    for name, (dovecot_time, dovecot_result) in dovecot_rows.items():
        mailroom_time, mailroom_result = mailroom_rows[name]
        print(f"| IMAP {name} | {dovecot_time:.3f} | {mailroom_time:.3f} | {mailroom_time / dovecot_time:.2f} |")
        if mailroom_result != dovecot_result:
            print(f"|  (results differ: Dovecot {dovecot_result}, Mailroom {mailroom_result}) | | | |")
    print(f"| POP3 RETR every message | {dovecot_pop3[0]:.3f} | {mailroom_pop3[0]:.3f} | "
          f"{mailroom_pop3[0] / dovecot_pop3[0]:.2f} |")


if __name__ == "__main__":
    main()
