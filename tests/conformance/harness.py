"""Start mailroom-server on free loopback ports for a conformance test.

    from harness import Lab
    with Lab() as lab:                       # every service on a free port
        smtp = smtplib.SMTP("127.0.0.1", lab.port("smtp"))

The server prints one "<service> <address>:<port>" line per listener; the
lab reads them, so tests never guess ports. Tests report with check() and
end with lab-independent summary() that prints "N passed, M failed".
"""

import os
import queue
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time

SERVICES = ("smtp", "submission", "smtps", "pop3", "pop3s", "imap", "imaps", "http")


def server_binary():
    path = os.environ.get("MAILROOM_SERVER")
    if not path:
        raise SystemExit("MAILROOM_SERVER is not set (run the test through meson)")
    return path


class Lab:
    def __init__(self, *extra_args, services=SERVICES, maildir=None, env=None):
        self.extra_args = list(extra_args)
        self.services = services
        self.maildir = maildir
        self.env = env
        self.ports = {}
        self.extras = {}
        self.extra_lines = []     # every "NAME value" line, in order (url may repeat)
        self.process = None
        self.tmp = None

    def start(self):
        self.tmp = tempfile.mkdtemp(prefix="mailroom-lab-")
        args = [server_binary(), "--tls-dir", os.path.join(self.tmp, "tls")]
        for service in SERVICES:
            args += [f"--{service}-port", "0" if service in self.services else "-1"]
        if self.maildir:
            args += ["--maildir", self.maildir]
        args += self.extra_args
        env = dict(os.environ)
        env.setdefault("XDG_DATA_HOME", os.path.join(self.tmp, "data"))
        if self.env:
            env.update(self.env)
        self.process = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=None,
                                        env=env, text=True, bufsize=1)
        # A reader thread, so a line already buffered is never waited for.
        lines = queue.Queue()

        def read_lines(stream):
            for line in stream:
                lines.put(line)
            lines.put(None)

        threading.Thread(target=read_lines, args=(self.process.stdout,), daemon=True).start()
        deadline = time.monotonic() + 20
        wanted = set(self.services)

        def started():
            # With the web view on, the teacher token and the URLs come last.
            return wanted.issubset(self.ports) and ("http" not in wanted or "url" in self.extras)

        while not started() and time.monotonic() < deadline:
            try:
                line = lines.get(timeout=0.5)
            except queue.Empty:
                continue
            if line is None:
                break
            name, _, value = line.strip().partition(" ")
            if name in SERVICES:
                self.ports[name] = int(value.rsplit(":", 1)[1])
            else:
                self.extras[name] = value
                self.extra_lines.append((name, value))
        # More URL lines were printed (and flushed) with the first.
        while "url" in self.extras:
            try:
                line = lines.get(timeout=0.05)
            except queue.Empty:
                break
            if line is None:
                break
            name, _, value = line.strip().partition(" ")
            self.extras[name] = value
            self.extra_lines.append((name, value))
        missing = wanted - set(self.ports)
        if missing:
            self.stop()
            raise RuntimeError(f"mailroom-server did not start {sorted(missing)}")
        return self

    def port(self, service):
        return self.ports[service]

    def stop(self, sig=signal.SIGTERM):
        if self.process and self.process.poll() is None:
            self.process.send_signal(sig)
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        if self.tmp:
            shutil.rmtree(self.tmp, ignore_errors=True)
            self.tmp = None

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()


_passed = 0
_failed = 0


def check(condition, what):
    """Record one assertion; keep going so the summary lists every failure."""
    global _passed, _failed
    if condition:
        _passed += 1
        print(f"ok - {what}")
    else:
        _failed += 1
        print(f"FAIL - {what}")
    sys.stdout.flush()
    return condition


def check_equal(actual, expected, what):
    ok = actual == expected
    check(ok, f"{what}" if ok else f"{what}: got {actual!r}, expected {expected!r}")
    return ok


def summary():
    """Print the closing line and exit with the right status."""
    print(f"{_passed} passed, {_failed} failed")
    sys.exit(1 if _failed or not _passed else 0)


def require(*programs):
    """Skip (exit 77, meson's skip code) when a client program is missing."""
    for program in programs:
        if shutil.which(program) is None:
            print(f"SKIP: {program} is not installed")
            sys.exit(77)
