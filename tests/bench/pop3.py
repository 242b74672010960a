#!/usr/bin/python3
"""POP3 and Maildir throughput: mailroom-server against Dovecot and Postfix,
on this machine, in the same run.

    tests/bench/pop3.py [--build _build] [--messages 10000] [--size 2048] [--deliveries 1000]

1. POP3 RETR: the same Maildir of N messages is served by mailroom-server
   --maildir and by Dovecot's POP3 (a throwaway config on loopback); one
   client logs in and retrieves every message with pipelined RETRs.
   The second of two rounds counts (Dovecot indexes the Maildir on the
   first login, Mailroom at start).
2. Maildir delivery: smtp-source sends M messages to mailroom-server
   --maildir and to a throwaway Postfix instance delivering to Maildir
   (virtual delivery agent); the clock stops when the M-th file is in new/.
   Mailroom answers 250 only after fsync, so its number includes that.

Prints a Markdown table. Needs dovecot-pop3d, postfix (smtp-source) and root
for Dovecot's and Postfix's privilege separation; a missing one is skipped.
"""

import argparse
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "conformance", "pop3"))
sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "conformance"))
from pop3lab import BOB, BOB_PASSWORD, PopLab, seed_maildir  # noqa: E402

NOBODY = 65534


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def make_body(n, size):
    head = (f"From: Alice <alice@sender.example>\r\nTo: <{BOB}>\r\nSubject: bench {n}\r\n"
            f"Message-ID: <bench{n}@sender.example>\r\n\r\n")
    line = "The quick brown fox jumps over the lazy dog. 0123456789 abcdefghij\r\n"
    body = (line * (size // len(line) + 1))[: max(0, size - len(head) - 2)]
    return head + body + "\r\n"


def retr_all(port, count):
    """Logs in, RETRs 1..count pipelined in batches, returns the seconds
    spent on the RETRs and the bytes received."""
    sock = socket.create_connection(("127.0.0.1", port), timeout=60)
    f = sock.makefile("rb", buffering=1 << 20)
    f.readline()
    sock.sendall(f"USER {BOB}\r\nPASS {BOB_PASSWORD}\r\n".encode())
    f.readline()
    reply = f.readline()
    if not reply.startswith(b"+OK"):
        raise SystemExit(f"login failed: {reply!r}")
    start = time.monotonic()
    received = 0
    batch = 200
    for first in range(1, count + 1, batch):
        last = min(count, first + batch - 1)
        sock.sendall(b"".join(b"RETR %d\r\n" % i for i in range(first, last + 1)))
        done = 0
        while done < last - first + 1:
            line = f.readline()
            if not line:
                raise SystemExit("connection closed during RETR")
            received += len(line)
            if line == b".\r\n":
                done += 1
            elif line.startswith(b"-ERR"):
                raise SystemExit(f"RETR failed: {line!r}")
    elapsed = time.monotonic() - start
    sock.sendall(b"QUIT\r\n")
    f.readline()
    sock.close()
    return elapsed, received


def start_dovecot(work, mail_root, port):
    conf = os.path.join(work, "dovecot.conf")
    for sub in ("run", "state"):
        os.makedirs(os.path.join(work, sub), exist_ok=True)
    with open(conf, "w") as f:
        f.write(f"""base_dir = {work}/run
state_dir = {work}/state
log_path = {work}/dovecot.log
protocols = pop3
listen = 127.0.0.1
ssl = no
disable_plaintext_auth = no
first_valid_uid = 100
mail_location = maildir:{mail_root}/%u
passdb {{
  driver = static
  args = password={BOB_PASSWORD}
}}
userdb {{
  driver = static
  args = uid={NOBODY} gid={NOBODY} home={work}/home/%u
}}
service pop3-login {{
  inet_listener pop3 {{
    port = {port}
  }}
  inet_listener pop3s {{
    port = 0
  }}
}}
service imap-login {{
  inet_listener imap {{
    port = 0
  }}
}}
""")
    subprocess.run(["/usr/sbin/dovecot", "-c", conf], check=True)
    for _ in range(100):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            break
        except OSError:
            time.sleep(0.1)
    return conf


def stop_dovecot(conf):
    subprocess.run(["/usr/bin/doveadm", "-c", conf, "stop"], capture_output=True)


def chown_tree(path, uid):
    for root, dirs, files in os.walk(path):
        os.chown(root, uid, uid)
        for name in files:
            os.chown(os.path.join(root, name), uid, uid)


def wait_for_files(directory, count, timeout=600):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if os.path.isdir(directory) and len(os.listdir(directory)) >= count:
            return time.monotonic()
        time.sleep(0.01)
    raise SystemExit(f"only {len(os.listdir(directory))} of {count} messages arrived in {directory}")


def smtp_source(port, messages, size, sessions=10):
    subprocess.run(["smtp-source", "-c", "-s", str(sessions), "-m", str(messages), "-l", str(size),
                    "-f", "alice@sender.example", "-t", BOB, "-M", "bench.example",
                    f"127.0.0.1:{port}"], capture_output=True, check=True, timeout=600)


def start_postfix(work, port):
    """A throwaway Postfix: its own config, queue and Maildir base; the
    virtual(8) agent delivers every recipient into one Maildir."""
    etc = os.path.join(work, "etc")
    queue = os.path.join(work, "queue")
    data = os.path.join(work, "data")
    mail = os.path.join(work, "vmail")
    for d in (etc, queue, data, mail):
        os.makedirs(d, exist_ok=True)
    os.chown(data, *postfix_ids())
    os.chown(mail, NOBODY, NOBODY)
    with open(os.path.join(etc, "main.cf"), "w") as f:
        f.write(f"""compatibility_level = 3.6
queue_directory = {queue}
data_directory = {data}
mail_owner = postfix
setgid_group = postdrop
inet_interfaces = 127.0.0.1
inet_protocols = ipv4
myhostname = bench.example
mydestination =
relay_domains =
mynetworks = 127.0.0.0/8
smtpd_relay_restrictions = permit_mynetworks, reject
virtual_mailbox_domains = recipient.example
virtual_mailbox_base = {mail}
virtual_mailbox_maps = static:bob/
virtual_uid_maps = static:{NOBODY}
virtual_gid_maps = static:{NOBODY}
virtual_destination_concurrency_limit = 20
maillog_file_prefixes = {work}
maillog_file = {work}/postfix.log
smtputf8_enable = no
""")
    with open("/etc/postfix/master.cf") as src, open(os.path.join(etc, "master.cf"), "w") as dst:
        for line in src:
            if line.startswith("smtp ") and "inet" in line:
                line = line.replace("smtp ", f"127.0.0.1:{port} ", 1)
            dst.write(line)
    env = dict(os.environ, MAIL_CONFIG=etc)
    subprocess.run(["/usr/sbin/postfix", "-c", etc, "set-permissions"], capture_output=True, env=env)
    result = subprocess.run(["/usr/sbin/postfix", "-c", etc, "start"], capture_output=True, text=True, env=env)
    if result.returncode != 0:
        raise RuntimeError(result.stderr.strip())
    for _ in range(100):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            break
        except OSError:
            time.sleep(0.1)
    return etc, os.path.join(mail, "bob", "new")


def postfix_ids():
    import pwd
    entry = pwd.getpwnam("postfix")
    return entry.pw_uid, entry.pw_gid


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--build", default="_build")
    parser.add_argument("--messages", type=int, default=10000)
    parser.add_argument("--size", type=int, default=2048)
    parser.add_argument("--deliveries", type=int, default=1000)
    options = parser.parse_args()
    os.environ.setdefault("MAILROOM_SERVER",
                          os.path.abspath(os.path.join(options.build, "mailroom-server")))

    work = tempfile.mkdtemp(prefix="mailroom-bench-pop3-")
    os.chmod(work, 0o755)
    rows = []
    try:
        # 1. POP3 RETR
        messages = [make_body(n, options.size) for n in range(options.messages)]
        mr_root = os.path.join(work, "mailroom")
        seed_maildir(mr_root, BOB, messages)
        lab = PopLab(services=("pop3",), maildir=mr_root).start()
        try:
            retr_all(lab.port("pop3"), options.messages)
            mr_time, mr_bytes = retr_all(lab.port("pop3"), options.messages)
        finally:
            lab.stop()
        rows.append(("POP3 RETR", "mailroom-server", options.messages / mr_time, mr_bytes / mr_time))

        if shutil.which("dovecot") or os.path.exists("/usr/sbin/dovecot"):
            dv_root = os.path.join(work, "dovecot-mail")
            seed_maildir(dv_root, BOB, messages)
            chown_tree(dv_root, NOBODY)
            port = free_port()
            conf = start_dovecot(os.path.join(work, "dovecot"), dv_root, port)
            try:
                retr_all(port, options.messages)
                dv_time, dv_bytes = retr_all(port, options.messages)
            finally:
                stop_dovecot(conf)
            rows.append(("POP3 RETR", "Dovecot", options.messages / dv_time, dv_bytes / dv_time))

        # 2. Maildir delivery through SMTP
        if shutil.which("smtp-source"):
            md_root = os.path.join(work, "delivery")
            os.makedirs(md_root)
            lab = PopLab(services=("smtp", "pop3"), maildir=md_root).start()
            try:
                new_dir = os.path.join(md_root, BOB, "new")
                already = len(os.listdir(new_dir)) if os.path.isdir(new_dir) else 0
                start = time.monotonic()
                smtp_source(lab.port("smtp"), options.deliveries, options.size)
                end = wait_for_files(new_dir, already + options.deliveries)
            finally:
                lab.stop()
            rows.append(("Maildir delivery (SMTP in, fsync)", "mailroom-server",
                         options.deliveries / (end - start), None))

            try:
                port = free_port()
                etc, new_dir = start_postfix(os.path.join(work, "postfix"), port)
            except (RuntimeError, KeyError, OSError) as e:
                print(f"# Postfix skipped: {e}", file=sys.stderr)
                etc = None
            if etc:
                try:
                    start = time.monotonic()
                    smtp_source(port, options.deliveries, options.size)
                    end = wait_for_files(new_dir, options.deliveries)
                finally:
                    subprocess.run(["/usr/sbin/postfix", "-c", etc, "stop"], capture_output=True,
                                   env=dict(os.environ, MAIL_CONFIG=etc))
                rows.append(("Maildir delivery (SMTP in, fsync)", "Postfix virtual(8)",
                             options.deliveries / (end - start), None))
    finally:
        shutil.rmtree(work, ignore_errors=True)

    print(f"{options.messages} messages of {options.size} bytes for RETR, "
          f"{options.deliveries} for delivery, on {os.cpu_count()} CPUs\n")
    print("| test | server | messages/s | MB/s | ratio |")
    print("|---|---|---:|---:|---:|")
    for test, server, rate, throughput in rows:
        other = [r for t, s, r, _ in rows if t == test and s != "mailroom-server"]
        ratio = f"{rate / other[0]:.2f}" if other else ""
        mbs = f"{throughput / 1e6:.1f}" if throughput else ""
        print(f"| {test} | {server} | {rate:.0f} | {mbs} | {ratio} |")


if __name__ == "__main__":
    main()
