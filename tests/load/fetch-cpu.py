#!/usr/bin/python3
"""Where the time of a big IMAP FETCH goes: the server's own CPU time
(/proc/PID/stat) for the first (cold) and later (warm) FETCH 1:*, and on
the wire the time to the first byte and to the tagged OK, with no client
parsing in the way (tests/bench/mailstore.py measures through imaplib).

    MAILROOM_SERVER=_build/mailroom-server tests/load/fetch-cpu.py [--messages 10000]

To see the hot spots, run perf on the server meanwhile:
    perf record --call-graph dwarf -p PID   (PID is printed first)
"""

import argparse
import os
import shutil
import socket
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "bench"))
sys.path.insert(0, os.path.join(HERE, "..", "conformance"))
from mailstore import PASSWORD, USER, write_maildir  # noqa: E402
from harness import Lab  # noqa: E402

ITEMS = (b"(FLAGS RFC822.SIZE ENVELOPE)", b"BODYSTRUCTURE", b"(BODY.PEEK[])")


def cpu_seconds(pid):
    fields = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def peak_rss(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    return 0


def fetch(sock, tag, items):
    """Send FETCH 1:* and read to the tagged reply: (first byte, all, octets)."""
    start = time.monotonic()
    sock.sendall(tag + b" FETCH 1:* " + items + b"\r\n")
    end = b"\r\n" + tag + b" "
    data = b""
    first = None
    while end not in data[-4096:]:
        chunk = sock.recv(1 << 20)
        if not chunk:
            raise SystemExit("the server closed the connection")
        if first is None:
            first = time.monotonic() - start
        data += chunk
    while not data.endswith(b"\r\n"):
        data += sock.recv(4096)
    return first, time.monotonic() - start, len(data)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--messages", type=int, default=10000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()

    root = tempfile.mkdtemp(prefix="mailroom-fetch-cpu-")
    try:
        write_maildir(os.path.join(root, USER), args.messages)
        with Lab("--maildir", root, services=("imap",)) as lab:
            pid = lab.process.pid
            print(f"# mailroom-server pid {pid}, {args.messages} messages")
            sock = socket.create_connection(("127.0.0.1", lab.port("imap")), timeout=120)
            sock.recv(4096)
            for command in (f"a LOGIN {USER} {PASSWORD}".encode(), b"b SELECT INBOX"):
                sock.sendall(command + b"\r\n")
                data = b""
                while b"\r\n" + command[:1] + b" " not in b"\r\n" + data:
                    data += sock.recv(65536)
            print("| FETCH 1:* | run | server CPU (s) | first byte (s) | tagged OK (s) | kB |")
            print("|---|---|---|---|---|---|")
            for n, items in enumerate(ITEMS):
                for run in range(args.runs):
                    before = cpu_seconds(pid)
                    first, total, octets = fetch(sock, b"f%d%d" % (n, run), items)
                    print(f"| {items.decode()} | {'cold' if run == 0 else 'warm'} | "
                          f"{cpu_seconds(pid) - before:.3f} | {first:.3f} | {total:.3f} | {octets // 1024} |")
            print(f"# server peak RSS (VmHWM) {peak_rss(pid)} kB")
            sock.close()
    finally:
        shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()
