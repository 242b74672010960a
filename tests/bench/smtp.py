#!/usr/bin/python3
"""SMTP throughput: Postfix's smtp-source against mailroom-server and against
Postfix's smtp-sink, on this machine, in the same run.

    tests/bench/smtp.py [--build _build] [--messages 5000] [--sessions 10] [--size 2048]

smtp-sink accepts and discards: it is the ceiling for an SMTP server on this
machine. Mailroom parses, emits events for every line, adds a Received:
header and stores every message. Prints a Markdown table with messages per
second and the ratio to smtp-sink.
"""

import argparse
import os
import socket
import subprocess
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "conformance"))
from harness import Lab  # noqa: E402


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def run_source(port, messages, sessions, size):
    args = ["smtp-source", "-c", "-s", str(sessions), "-m", str(messages), "-l", str(size),
            "-f", "alice@sender.example", "-t", "bob@recipient.example", "-M", "bench.example",
            f"127.0.0.1:{port}"]
    start = time.monotonic()
    result = subprocess.run(args, capture_output=True, text=True, timeout=600)
    elapsed = time.monotonic() - start
    if result.returncode != 0:
        raise SystemExit(f"smtp-source failed: {result.stderr.strip()}")
    return elapsed


def count_inbox(lab):
    import poplib
    pop = poplib.POP3("127.0.0.1", lab.port("pop3"), timeout=30)
    pop.user("bob@recipient.example")
    pop.pass_("bob")
    count, _ = pop.stat()
    pop.quit()
    return count


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--build", default="_build")
    parser.add_argument("--messages", type=int, default=5000)
    parser.add_argument("--sessions", type=int, default=10)
    parser.add_argument("--size", type=int, default=2048)
    options = parser.parse_args()
    os.environ.setdefault("MAILROOM_SERVER", os.path.abspath(os.path.join(options.build, "mailroom-server")))

    # Reference: smtp-sink (discards everything), same machine, same run.
    port = free_port()
    # smtp-sink refuses to run as root without a user to switch to.
    user = ["-u", "nobody"] if os.geteuid() == 0 else []
    sink = subprocess.Popen(["smtp-sink", *user, "-c", f"127.0.0.1:{port}", "256"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    time.sleep(0.3)
    try:
        sink_time = run_source(port, options.messages, options.sessions, options.size)
    finally:
        sink.terminate()
        sink.wait()

    with Lab(services=("smtp", "pop3")) as lab:
        mailroom_time = run_source(lab.port("smtp"), options.messages, options.sessions, options.size)
        stored = count_inbox(lab)

    sink_rate = options.messages / sink_time
    mailroom_rate = options.messages / mailroom_time
    print(f"| SMTP, {options.messages} x {options.size} B, {options.sessions} sessions | msg/s | ratio |")
    print("|---|---|---|")
    print(f"| Postfix smtp-sink (discards) | {sink_rate:.0f} | 1.00 |")
    print(f"| mailroom-server (stores, {stored} in bob's INBOX) | {mailroom_rate:.0f} | "
          f"{mailroom_rate / sink_rate:.2f} |")
    if stored != options.messages:
        raise SystemExit(f"expected {options.messages} stored messages, found {stored}")


if __name__ == "__main__":
    main()
