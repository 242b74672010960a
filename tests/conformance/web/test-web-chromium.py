#!/usr/bin/python3
# test-web-chromium.py: the classroom page in a real browser.
#
# Copyright 2026 The Mailroom authors
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Starts mailroom-server, opens the page in Debian's headless Chromium
# (driven over the DevTools protocol with a WebSocket client written here on
# the standard library), sends a mail with smtplib and watches the new
# arrows appear; drops the page's WebSocket and checks that it resumes
# without a gap; takes screenshots (desktop and phone) for a human to look at.
#
# MAILROOM_WEB_DEMO=path/to/http-demo runs against the made-up traffic of
# tests/protocols/http/http-demo instead (no SMTP part).
# The screenshots go to the folder given as the first argument (meson gives
# the build folder), else to MAILROOM_WEB_SCREENSHOTS, else a temporary one.

import base64
import json
import os
import shutil
import smtplib
import socket
import struct
import subprocess
import sys
import tempfile
import queue
import threading
import time
import urllib.error
import urllib.request
from email.message import EmailMessage

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from harness import check, check_equal, require, summary  # noqa: E402

CHROMIUM = "/usr/bin/chromium"


class DevTools:
    """A minimal Chrome DevTools Protocol client (RFC 6455 by hand)."""

    def __init__(self, ws_url):
        assert ws_url.startswith("ws://")
        hostport, _, path = ws_url[5:].partition("/")
        host, _, port = hostport.partition(":")
        self.sock = socket.create_connection((host, int(port)), timeout=30)
        key = base64.b64encode(os.urandom(16)).decode()
        # No Origin header: Chromium refuses DevTools clients that send one.
        request = (f"GET /{path} HTTP/1.1\r\nHost: {hostport}\r\nUpgrade: websocket\r\n"
                   f"Connection: Upgrade\r\nSec-WebSocket-Key: {key}\r\n"
                   f"Sec-WebSocket-Version: 13\r\n\r\n")
        self.sock.sendall(request.encode())
        response = b""
        while b"\r\n\r\n" not in response:
            chunk = self.sock.recv(4096)
            if not chunk:
                raise RuntimeError("DevTools closed during the handshake")
            response += chunk
        head, _, self.buffer = response.partition(b"\r\n\r\n")
        if b" 101 " not in head.split(b"\r\n")[0]:
            raise RuntimeError(f"DevTools handshake failed: {head!r}")
        self.next_id = 0

    def _read(self, n):
        while len(self.buffer) < n:
            chunk = self.sock.recv(65536)
            if not chunk:
                raise RuntimeError("DevTools connection closed")
            self.buffer += chunk
        data, self.buffer = self.buffer[:n], self.buffer[n:]
        return data

    def _recv_message(self):
        payload = b""
        while True:
            b0, b1 = self._read(2)
            length = b1 & 0x7F
            if length == 126:
                length = struct.unpack(">H", self._read(2))[0]
            elif length == 127:
                length = struct.unpack(">Q", self._read(8))[0]
            mask = self._read(4) if b1 & 0x80 else None
            data = self._read(length)
            if mask:
                data = bytes(c ^ mask[i % 4] for i, c in enumerate(data))
            opcode = b0 & 0x0F
            if opcode == 0x8:
                raise RuntimeError("DevTools closed the connection")
            if opcode in (0x9, 0xA):
                continue
            payload += data
            if b0 & 0x80:
                return json.loads(payload)

    def _send(self, obj):
        data = json.dumps(obj).encode()
        header = bytes([0x81])
        if len(data) < 126:
            header += bytes([0x80 | len(data)])
        elif len(data) < 65536:
            header += bytes([0x80 | 126]) + struct.pack(">H", len(data))
        else:
            header += bytes([0x80 | 127]) + struct.pack(">Q", len(data))
        mask = os.urandom(4)
        self.sock.sendall(header + mask + bytes(c ^ mask[i % 4] for i, c in enumerate(data)))

    def call(self, method, **params):
        self.next_id += 1
        self._send({"id": self.next_id, "method": method, "params": params})
        while True:
            message = self._recv_message()
            if message.get("id") == self.next_id:
                if "error" in message:
                    raise RuntimeError(f"{method}: {message['error']}")
                return message.get("result", {})

    def evaluate(self, expression):
        result = self.call("Runtime.evaluate", expression=expression, returnByValue=True)
        if "exceptionDetails" in result:
            raise RuntimeError(f"{expression}: {result['exceptionDetails']}")
        return result["result"].get("value")

    def wait_for(self, expression, timeout=15):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            value = self.evaluate(expression)
            if value:
                return value
            time.sleep(0.2)
        return None

    def screenshot(self, path):
        data = self.call("Page.captureScreenshot", format="png")["data"]
        with open(path, "wb") as f:
            f.write(base64.b64decode(data))
        return path

    def close(self):
        self.sock.close()


def start_chromium(profile):
    args = [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
            "--no-first-run", "--disable-background-networking", "--disable-component-update",
            "--disable-sync", f"--user-data-dir={profile}", "--remote-debugging-port=0",
            "--window-size=1280,900", "about:blank"]
    process = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    port_file = os.path.join(profile, "DevToolsActivePort")
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if os.path.exists(port_file):
            with open(port_file) as f:
                lines = f.read().split("\n")
            if lines and lines[0].isdigit():
                port = int(lines[0])
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/json/list", timeout=10) as r:
                    targets = json.load(r)
                pages = [t for t in targets if t.get("type") == "page"]
                if pages:
                    return process, pages[0]["webSocketDebuggerUrl"]
        if process.poll() is not None:
            break
        time.sleep(0.2)
    process.kill()
    raise RuntimeError("Chromium did not start its DevTools endpoint")


class Server:
    """mailroom-server with SMTP and the web view on free ports. Reads every
    "NAME value" line it prints (listeners, teacher-token) in a thread."""

    def __init__(self):
        self.tmp = tempfile.mkdtemp(prefix="mailroom-web-lab-")
        binary = os.environ.get("MAILROOM_SERVER")
        if not binary:
            raise SystemExit("MAILROOM_SERVER is not set (run the test through meson)")
        args = [binary, "--tls-dir", os.path.join(self.tmp, "tls")]
        for service in ("smtp", "submission", "smtps", "pop3", "pop3s", "imap", "imaps", "http"):
            args += [f"--{service}-port", "0" if service in ("smtp", "submission", "http") else "-1"]
        env = dict(os.environ, XDG_DATA_HOME=os.path.join(self.tmp, "data"))
        self.process = subprocess.Popen(args, stdout=subprocess.PIPE, env=env, text=True, bufsize=1)
        self.ports = {}
        self.extras = {}
        self.lines = queue.Queue()
        threading.Thread(target=self._read, daemon=True).start()
        deadline = time.monotonic() + 20
        while not ("http" in self.ports and "url" in self.extras) and time.monotonic() < deadline:
            try:
                line = self.lines.get(timeout=0.5)
            except queue.Empty:
                if self.process.poll() is not None:
                    break
                continue
            if line is None:
                break
            name, _, value = line.strip().partition(" ")
            if name in ("smtp", "submission", "http"):
                self.ports[name] = int(value.rsplit(":", 1)[1])
            elif name:
                self.extras[name] = value

    def _read(self):
        for line in self.process.stdout:
            self.lines.put(line)
        self.lines.put(None)

    def port(self, service):
        return self.ports[service]

    def stop(self):
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        shutil.rmtree(self.tmp, ignore_errors=True)


def api(base, path):
    with urllib.request.urlopen(base + path, timeout=10) as r:
        return json.load(r)


class Demo:
    """The page with made-up traffic (tests/protocols/http/http-demo)."""

    def __init__(self, path):
        self.process = subprocess.Popen([path], stdout=subprocess.PIPE, text=True, bufsize=1)
        self.ports = {}
        self.extras = {}
        # It prints both lines at once: plain blocking reads.
        for _ in range(2):
            name, _, value = self.process.stdout.readline().strip().partition(" ")
            if name == "http":
                self.ports["http"] = int(value.rsplit(":", 1)[1])
            elif name:
                self.extras[name] = value

    def port(self, service):
        return self.ports[service]

    def stop(self):
        self.process.terminate()
        self.process.wait()


def send_mail(port, subject):
    """Alice submits a mail as her mail client would (RFC 6409: AUTH on the
    submission port); the relay then carries it to bob's MX."""
    msg = EmailMessage()
    msg["From"] = "alice@sender.example"
    msg["To"] = "bob@recipient.example"
    msg["Subject"] = subject
    msg.set_content("Hello Bob, this one is for the web view.\n")
    with smtplib.SMTP("127.0.0.1", port, timeout=20) as smtp:
        smtp.ehlo("alice-laptop")
        smtp.login("alice@sender.example", "alice")
        smtp.send_message(msg)


def api_call(base, method, path, token, body=None):
    headers = {"Content-Type": "application/json"}
    if token:
        headers["Authorization"] = "Bearer " + token
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(base + path, data=data, method=method, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=10) as r:
            return r.status, json.load(r)
    except urllib.error.HTTPError as e:
        return e.code, json.loads(e.read() or b"{}")


def send_over_http(base, subject):
    body = json.dumps({"from": "alice@sender.example", "to": ["bob@recipient.example"],
                       "subject": subject, "text": "Hello Bob, over HTTP.\n"}).encode()
    credentials = base64.b64encode(b"alice@sender.example:alice").decode()
    request = urllib.request.Request(base + "/api/v1/send", data=body, method="POST",
                                     headers={"Content-Type": "application/json",
                                              "Authorization": "Basic " + credentials})
    try:
        with urllib.request.urlopen(request, timeout=20) as r:
            return json.load(r)
    except urllib.error.HTTPError as e:
        print(f"# send API: {e.code} {e.read()!r}")
        return {}


ARROWS = "document.querySelectorAll('#ladder .arrow').length"
# Events the page holds, oldest first; they must be consecutive.
SEQS = "window.mailroom.events.map(e => e.seq)"


def main():
    require(CHROMIUM)
    demo_path = os.environ.get("MAILROOM_WEB_DEMO")
    shots = sys.argv[1] if len(sys.argv) > 1 else os.environ.get("MAILROOM_WEB_SCREENSHOTS")
    tmp = tempfile.mkdtemp(prefix="mailroom-web-")
    shots = shots or tmp
    os.makedirs(shots, exist_ok=True)

    if demo_path:
        lab = Demo(demo_path)
    else:
        lab = Server()
        if "http" not in lab.ports or "smtp" not in lab.ports:
            lab.stop()
            print("SKIP: mailroom-server did not start SMTP and the web view")
            sys.exit(77)

    browser = None
    devtools = None
    try:
        base = f"http://127.0.0.1:{lab.port('http')}"
        token = lab.extras.get("teacher-token")
        check(token and len(token) >= 32, "mailroom-server prints the teacher token")

        browser, ws_url = start_chromium(os.path.join(tmp, "profile"))
        devtools = DevTools(ws_url)
        devtools.call("Page.enable")
        devtools.call("Runtime.enable")
        # Open the address the server prints, as a teacher would.
        url = lab.extras.get("url", base + "/")
        if not demo_path:
            check_equal(url, base + "/", "mailroom-server prints the live view's URL")
        devtools.call("Page.navigate", url=url)
        live = devtools.wait_for("document.getElementById('status') && "
                                 "document.getElementById('status').textContent === 'Live'")
        check(live, "the page connects its WebSocket and says Live")

        if demo_path:
            check(devtools.wait_for(f"{ARROWS} > 0"), "arrows appear from the demo traffic")
        else:
            before = devtools.evaluate(ARROWS)
            send_mail(lab.port("submission"), "Watched live")
            grew = devtools.wait_for(f"{ARROWS} > {before}")
            check(grew, f"new arrows appear after an SMTP mail (had {before})")
            mail_from = devtools.wait_for(
                "[...document.querySelectorAll('#ladder .arrow title')]"
                ".some(t => /\\bmail from:/i.test(t.textContent))")
            check(mail_from, "the MAIL FROM command is drawn as an arrow")
            explained = devtools.evaluate(
                "[...document.querySelectorAll('#ladder .arrow title')]"
                ".filter(t => /\\n2\\d\\d/.test(t.textContent) && t.textContent.split('\\n').length >= 3).length")
            check(explained and explained > 0, "replies carry their catalog explanation on hover")
            info = api(base, "/api/v1/info")
            # The relay may still be talking: the page must reach the snapshot, at least.
            caught_up = devtools.wait_for(f"window.mailroom.lastSeq >= {info['last_seq']}")
            check(caught_up, "the page has every event the server has")

            # The HTTP send API: one HTTP round trip, the SMTP ones on the page.
            result = send_over_http(base, "Sent over HTTP")
            check(result.get("queued") and result.get("http_round_trips") == 1
                  and result.get("smtp_round_trips", 0) >= 6,
                  f"POST /api/v1/send: 1 HTTP round trip, {result.get('smtp_round_trips')} SMTP round trips")
            check(devtools.wait_for("window.mailroom.hosts.includes('http-api')"),
                  "the send API's SMTP conversation is drawn (an http-api lifeline)")
            # The relay delivers after the 250: give it a moment.
            deadline = time.monotonic() + 20
            while True:
                messages = api(base, "/api/v1/accounts/bob@recipient.example/folders/INBOX/messages")
                subjects = [m.get("subject") for m in messages["messages"]]
                if "Sent over HTTP" in subjects or time.monotonic() > deadline:
                    break
                time.sleep(0.3)
            check("Watched live" in subjects and "Sent over HTTP" in subjects,
                  f"bob's INBOX over the API has both mails ({subjects})")

        if not demo_path:
            # The teacher switches greylisting on over the API; the next mail
            # gets "451 4.7.1" and the page draws it in the 4xx colour.
            status, _ = api_call(base, "POST", "/api/v1/faults/greylisting", None)
            check(status == 401, f"switching a fault on without the token is refused ({status})")
            status, fault = api_call(base, "POST", "/api/v1/faults/greylisting", token)
            check(status == 201 and fault.get("name") == "greylisting",
                  f"the teacher switches greylisting on ({status})")
            # Wherever it bites (the submission server or bob's MX, when the
            # relay hands the mail on), a "451 4.7.1" appears.
            try:
                send_mail(lab.port("submission"), "Greylisted")
            except smtplib.SMTPRecipientsRefused:
                pass
            greylisted = devtools.wait_for(
                "window.mailroom.events.some(e => e.code === 451)", timeout=20)
            check(greylisted, "with greylisting on, a RCPT gets 451")
            amber = devtools.wait_for(
                "[...document.querySelectorAll('#ladder .arrow line.c4')].length > 0")
            check(amber, "the 451 reply is drawn in the 4xx colour")
            # The page's map badges the hosts the fault bites on (the API
            # says which: no target means every SMTP server).
            badged = devtools.wait_for(
                "[...document.querySelectorAll('#map .fault-badge')].map(b => b.dataset.host)"
                ".includes('mx1.recipient.example')", timeout=10)
            check(badged, "the page's map shows a greylisting badge on mx1")
            check(not devtools.evaluate(
                "[...document.querySelectorAll('#map .fault-badge')].some(b => b.dataset.host === 'alice-laptop')"),
                "and none on a client")
            devtools.screenshot(os.path.join(shots, "web-fault-badge.png"))
            status, _ = api_call(base, "DELETE", "/api/v1/faults/greylisting", token)
            check(status == 200, f"the teacher switches greylisting off ({status})")
            check(devtools.wait_for("document.querySelectorAll('#map .fault-badge').length === 0", timeout=10),
                  "switched off, the badges go")

        # Drop the page's socket: it reconnects with ?since= and misses nothing.
        devtools.evaluate("window.mailroom.ws.close(); true")
        if demo_path:
            time.sleep(2.5)
        else:
            send_mail(lab.port("submission"), "While reconnecting")
        relive = devtools.wait_for("document.getElementById('status').textContent === 'Live'")
        check(relive, "the page reconnects after its WebSocket closed")
        info = api(base, "/api/v1/info")
        check(devtools.wait_for(f"window.mailroom.lastSeq >= {info['last_seq']}"),
              "after reconnecting the page caught up with the server")
        seqs = devtools.evaluate(SEQS)
        gaps = [(a, b) for a, b in zip(seqs, seqs[1:]) if b != a + 1]
        check(seqs and not gaps, f"events are in order without gaps or repeats ({len(seqs)} events, gaps {gaps[:3]})")

        time.sleep(1)  # let the arrows' fade-in finish
        desktop = devtools.screenshot(os.path.join(shots, "web-desktop.png"))
        check(os.path.getsize(desktop) > 10000, f"desktop screenshot: {desktop}")

        # A phone: one column, no sideways scrolling of the page itself.
        devtools.call("Emulation.setDeviceMetricsOverride", width=390, height=844,
                      deviceScaleFactor=2, mobile=True)
        time.sleep(0.5)
        fits = devtools.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
        check(fits, "on a phone the page fits the screen width")
        phone = devtools.screenshot(os.path.join(shots, "web-phone.png"))
        check(os.path.getsize(phone) > 5000, f"phone screenshot: {phone}")
    finally:
        if devtools:
            devtools.close()
        if browser:
            browser.terminate()
            try:
                browser.wait(timeout=10)
            except subprocess.TimeoutExpired:
                browser.kill()
        lab.stop()
        shutil.rmtree(os.path.join(tmp, "profile"), ignore_errors=True)
        if shots != tmp:
            shutil.rmtree(tmp, ignore_errors=True)

    summary()


if __name__ == "__main__":
    main()
