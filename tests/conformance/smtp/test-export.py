#!/usr/bin/env python3
"""mailroom-server --export: handouts of the recorded events (issue 7).

A learner's session (AUTH on submission, a 550 on the MX) is written as a
ladder SVG, a PNG, a transcript and JSON: on SIGUSR1 while the lab runs and
again when it stops; --export-from turns saved events (or a page of
/api/v1/events) into the same handouts without starting a server.
"""

import json
import os
import shutil
import signal
import smtplib
import subprocess
import sys
import tempfile
import time
import urllib.request
import xml.etree.ElementTree as ET

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))
from harness import Lab, check, check_equal, server_binary, summary  # noqa: E402

def arrows(svg_path):
    """The arrows of a ladder SVG (it must parse)."""
    root = ET.parse(svg_path).getroot()
    return [e for e in root.iter() if "arrow" in (e.get("class") or "").split()]


def wire_events(events, conversation=None):
    """Lines and content: what the ladder draws as arrows."""
    return [e for e in events
            if e["kind"] in ("line", "content") and e["direction"] != "none"
            and (conversation is None or e["conversation"] == conversation)]


def wait_for_files(paths, newer_than=0.0, timeout=10.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if all(os.path.exists(p) and os.path.getmtime(p) > newer_than for p in paths):
            return True
        time.sleep(0.1)
    return False


def run_server(*args):
    return subprocess.run([server_binary(), *args], capture_output=True, text=True, timeout=60)


def main():
    out = tempfile.mkdtemp(prefix="mailroom-export-")
    svg, png, txt, js = (os.path.join(out, "ladder." + ext) for ext in ("svg", "png", "txt", "json"))

    lab = Lab("--export", svg, "--export", png, "--export", txt, "--export", js,
              services=("smtp", "submission", "http"))
    with lab:
        with smtplib.SMTP("127.0.0.1", lab.port("submission"), timeout=10) as client:
            client.ehlo("alice-laptop")
            client.login("alice@sender.example", "alice")
            client.sendmail("alice@sender.example", ["bob@recipient.example"],
                            "Subject: Handout\r\n\r\nHello Bob.\r\n")
        with smtplib.SMTP("127.0.0.1", lab.port("smtp"), timeout=10) as client:
            client.ehlo("relay.test")
            client.mail("alice@sender.example")
            code, _ = client.rcpt("nobody@recipient.example")
            check_equal(code, 550, "RCPT to an unknown user is refused with 550")
        time.sleep(0.5)

        # SIGUSR1: the handouts now, the lab carries on.
        started = time.time() - 1
        lab.process.send_signal(signal.SIGUSR1)
        check(wait_for_files([svg, png, txt, js], started), "SIGUSR1 writes every --export file")
        check(lab.process.poll() is None, "the server keeps running after SIGUSR1")

        with open(js) as f:
            saved = json.load(f)
        events = saved["events"]
        check(len(events) > 20, f"the JSON export holds the recorded events ({len(events)})")
        check_equal(saved["last_seq"], events[-1]["seq"], "last_seq names the newest event")

        drawn = arrows(svg)
        check_equal(len(drawn), len(wire_events(events)), "the SVG has one arrow per line on the wire")
        with open(svg) as f:
            svg_text = f.read()
        check("550" in svg_text, "the ladder shows the 550")
        check("AUTH" in svg_text, "the ladder shows the AUTH command")

        with open(txt) as f:
            transcript = f.read()
        # smtplib writes its verbs in lower case ("mail FROM:"), as RFC 5321 2.4 allows
        check("c: mail from:<alice@sender.example>" in transcript.lower(), "the transcript has the client's MAIL")
        check("S: 550" in transcript, "the transcript has the server's 550")
        check("S: 354" in transcript, "DATA was answered 354 (RFC 5321 4.1.1.4)")

        # The password never leaves the lab: AUTH PLAIN's base64 is masked.
        secret = "AGFsaWNlQHNlbmRlci5leGFtcGxlAGFsaWNl"
        for path in (svg, txt, js):
            with open(path) as f:
                check(secret not in f.read(), f"{os.path.basename(path)} does not hold the AUTH secret")

        with open(png, "rb") as f:
            head = f.read(24)
        check(head.startswith(b"\x89PNG\r\n\x1a\n"), "the PNG is a PNG")
        width, height = int.from_bytes(head[16:20], "big"), int.from_bytes(head[20:24], "big")
        check(width >= 400 and height >= 400, f"the PNG has a drawing ({width}x{height})")

        # A page of the JSON API converts the same way.
        url = f"http://127.0.0.1:{lab.port('http')}/api/v1/events?limit=1000"
        with urllib.request.urlopen(url, timeout=10) as response:
            page = json.load(response)
        api_json = os.path.join(out, "api.json")
        with open(api_json, "w") as f:
            json.dump(page, f)
        before_stop = os.path.getmtime(svg)

    # Stopped (SIGTERM): written once more, with everything.
    check(wait_for_files([svg], before_stop - 0.001), "the export is written again at stop")
    with open(js) as f:
        final = json.load(f)
    check(final["last_seq"] >= saved["last_seq"], "the export at stop holds at least as much")

    api_svg = os.path.join(out, "api.svg")
    api_txt = os.path.join(out, "api.txt")
    result = run_server("--export-from", api_json, "--export", api_svg, "--export", api_txt)
    check_equal(result.returncode, 0, "--export-from converts an /api/v1/events page")
    check_equal(len(arrows(api_svg)), len(wire_events(page["events"])),
                "its SVG has one arrow per line of the page")

    # One conversation: the MX session with the 550.
    refused = next(e for e in events if e.get("code") == 550)
    one_svg = os.path.join(out, "one.svg")
    result = run_server("--export-from", js, "--export", one_svg,
                        "--export-conversation", str(refused["conversation"]))
    check_equal(result.returncode, 0, "--export-conversation exports one conversation")
    check_equal(len(arrows(one_svg)), len(wire_events(events, refused["conversation"])),
                "only that conversation's lines are drawn")
    with open(one_svg) as f:
        check("alice-laptop" not in f.read(), "the submission session is not in it")

    # Clear errors.
    result = run_server("--export", os.path.join(out, "ladder.pdf"))
    check(result.returncode != 0 and ".svg, .png, .txt or .json" in result.stderr,
          "an unknown extension is refused at start, naming the ones known")
    result = run_server("--export-from", js)
    check(result.returncode != 0 and "--export" in result.stderr,
          "--export-from without --export says what is missing")
    bad = os.path.join(out, "bad.json")
    with open(bad, "w") as f:
        f.write('{"events": [{"kind": 5}]}')
    result = run_server("--export-from", bad, "--export", os.path.join(out, "bad.svg"))
    check(result.returncode != 0 and "events[0]" in result.stderr and "kind" in result.stderr,
          "a malformed event is named by its index and member")
    check(not os.path.exists(os.path.join(out, "bad.svg")), "nothing is written from bad input")

    shutil.rmtree(out, ignore_errors=True)
    summary()


if __name__ == "__main__":
    main()
