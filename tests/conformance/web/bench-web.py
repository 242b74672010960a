#!/usr/bin/python3
# bench-web.py: 100 WebSocket viewers while 30 SMTP clients send (smtp-source).
#
# Copyright 2026 The Mailroom authors
# SPDX-License-Identifier: GPL-3.0-or-later
#
# On demand, not a test:  MAILROOM_SERVER=_build/mailroom-server \
#   /usr/bin/python3 tests/conformance/web/bench-web.py [VIEWERS]
# Starts mailroom-server (MX and web view on free ports), connects VIEWERS
# event-stream clients (acking like the page does), runs
# "smtp-source -s 30 -m 300" against the MX and reports whether every viewer
# got every event in order, and the latency from an event's time stamp to
# its arrival (this client is one Python thread: under a burst its own
# parsing dominates).
import asyncio, base64, json, os, shutil, struct, subprocess, sys, tempfile, time, urllib.request

N = int(sys.argv[1]) if len(sys.argv) > 1 else 100


def start_server():
    tmp = tempfile.mkdtemp(prefix="mailroom-bench-")
    args = [os.environ["MAILROOM_SERVER"], "--tls-dir", os.path.join(tmp, "tls")]
    for service in ("smtp", "submission", "smtps", "pop3", "pop3s", "imap", "imaps", "http"):
        args += [f"--{service}-port", "0" if service in ("smtp", "http") else "-1"]
    process = subprocess.Popen(args, stdout=subprocess.PIPE, text=True,
                               env=dict(os.environ, XDG_DATA_HOME=os.path.join(tmp, "data")))
    ports = {}
    while not ("smtp" in ports and "http" in ports):
        line = process.stdout.readline()
        if not line:
            raise SystemExit("mailroom-server did not start")
        name, _, value = line.strip().partition(" ")
        if name in ("smtp", "http"):
            ports[name] = int(value.rsplit(":", 1)[1])
    return process, tmp, ports["http"], ports["smtp"]


class Viewer:
    def __init__(self): self.seqs = []; self.lat = []; self.errors = 0; self.gaps = 0

async def viewer(v, since, stop):
    r, w = await asyncio.open_connection("127.0.0.1", PORT_HTTP)
    key = base64.b64encode(os.urandom(16)).decode()
    w.write((f"GET /api/v1/events/stream?since={since} HTTP/1.1\r\nHost: 127.0.0.1:{PORT_HTTP}\r\nUpgrade: websocket\r\n"
             f"Connection: Upgrade\r\nSec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n\r\n").encode())
    await r.readuntil(b"\r\n\r\n")
    async def send(obj):
        data = json.dumps(obj).encode(); mask = os.urandom(4)
        w.write(bytes([0x81, 0x80 | len(data)]) + mask + bytes(c ^ mask[i % 4] for i, c in enumerate(data)))
    while not stop.is_set():
        try:
            b0, b1 = await asyncio.wait_for(r.readexactly(2), 0.5)
        except asyncio.TimeoutError:
            continue
        n = b1 & 0x7f
        if n == 126: n = struct.unpack(">H", await r.readexactly(2))[0]
        elif n == 127: n = struct.unpack(">Q", await r.readexactly(8))[0]
        data = await r.readexactly(n)
        op = b0 & 0xf
        if op == 8: break
        if op != 1: continue
        now = time.time() * 1e6
        m = json.loads(data)
        if m["type"] == "events":
            for e in m["events"]:
                if v.seqs and e["seq"] != v.seqs[-1] + 1: v.gaps += 1
                v.seqs.append(e["seq"]); v.lat.append(now - e["time"])
            v.unacked = getattr(v, "unacked", 0) + len(m["events"])
            if v.unacked >= 512 or time.monotonic() - getattr(v, "acked_at", 0) > 0.1:
                v.unacked = 0; v.acked_at = time.monotonic(); await send({"ack": v.seqs[-1]})
        elif m["type"] == "error": v.errors += 1
    w.close()

async def main():
    import urllib.request
    last = json.load(urllib.request.urlopen(f"http://127.0.0.1:{PORT_HTTP}/api/v1/info"))["last_seq"]
    stop = asyncio.Event(); vs = [Viewer() for _ in range(N)]
    tasks = [asyncio.create_task(viewer(v, last, stop)) for v in vs]
    await asyncio.sleep(1.5)
    t0 = time.monotonic()
    p = await asyncio.create_subprocess_exec("smtp-source", "-s", "30", "-m", "300", "-f", "visitor@example.org",
                                             "-t", "bob@recipient.example", f"127.0.0.1:{PORT_SMTP}")
    await p.wait()
    t1 = time.monotonic()
    final = json.load(urllib.request.urlopen(f"http://127.0.0.1:{PORT_HTTP}/api/v1/info"))["last_seq"]
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline and not all(v.seqs and v.seqs[-1] >= final for v in vs):
        await asyncio.sleep(0.2)
    t2 = time.monotonic()
    stop.set(); await asyncio.gather(*tasks, return_exceptions=True)
    expected = final - last
    complete = sum(1 for v in vs if len(v.seqs) == expected and v.gaps == 0)
    lat = sorted(x for v in vs for x in v.lat)
    pct = lambda q: lat[int(q * (len(lat) - 1))] / 1000 if lat else float('nan')
    print(f"viewers {N}, events {expected} (smtp-source 30 sessions x 300 msgs in {t1-t0:.1f}s, drained +{t2-t1:.1f}s)")
    print(f"complete+in order: {complete}/{N}; gaps {sum(v.gaps for v in vs)}; errors {sum(v.errors for v in vs)}")
    print(f"latency ms: p50 {pct(.5):.1f} p95 {pct(.95):.1f} p99 {pct(.99):.1f} max {pct(1):.1f}")
process, tmp, PORT_HTTP, PORT_SMTP = start_server()
try:
    asyncio.run(main())
finally:
    process.terminate()
    process.wait()
    shutil.rmtree(tmp, ignore_errors=True)
