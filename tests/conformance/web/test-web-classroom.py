#!/usr/bin/env python3
"""Classroom mode as a teacher meets it (issue 9, "Done means"):
mailroom-server --classroom prints the addresses students open; the page is
served there; a mail sent with swaks-like SMTP shows up in the API; the API
lists bob's messages and switches greylisting on with the teacher token,
and the MX then answers 451 (RFC 5321 4.2.1: try again later)."""

import json
import os
import smtplib
import sys
import urllib.error
import urllib.request

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))
from harness import Lab, check, check_equal, summary  # noqa: E402


def get(url):
    with urllib.request.urlopen(url, timeout=10) as r:
        return r.status, r.read()


def post(url, body, token=None):
    headers = {"Content-Type": "application/json"}
    if token:
        headers["Authorization"] = "Bearer " + token
    request = urllib.request.Request(url, data=json.dumps(body).encode(), method="POST", headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=10) as r:
            return r.status, json.load(r)
    except urllib.error.HTTPError as e:
        return e.code, json.loads(e.read() or b"{}")


with Lab("--classroom", services=("smtp", "http")) as lab:
    urls = [value for name, value in lab.extra_lines if name == "url"]
    check(len(urls) >= 1, f"--classroom prints the addresses to open ({urls})")
    check(all(u.startswith("http://") and u.endswith(f":{lab.port('http')}/") for u in urls),
          "each is an http URL on the web view's port")
    check(not any("0.0.0.0" in u for u in urls), "none is the 0.0.0.0 it listens on")
    for url in urls:
        status, page = get(url)
        check(status == 200 and b"<html" in page.lower(), f"{url} serves the live view")

    base = f"http://127.0.0.1:{lab.port('http')}/api/v1"
    with smtplib.SMTP("127.0.0.1", lab.port("smtp"), timeout=10) as smtp:
        smtp.sendmail("alice@sender.example", ["bob@recipient.example"],
                      "Subject: Classroom\r\n\r\nHello class.\r\n")
    status, body = get(base + "/accounts/bob@recipient.example/folders/INBOX/messages")
    messages = json.loads(body)["messages"]
    check(status == 200 and any(m["subject"] == "Classroom" for m in messages),
          "curl lists bob's messages: the one just sent is there")

    status, _ = post(base + "/faults/greylisting", {"target": "mx1.recipient.example"})
    check_equal(status, 401, "switching a fault without the teacher token is refused")
    status, fault = post(base + "/faults/greylisting", {"target": "mx1.recipient.example"},
                         lab.extras["teacher-token"])
    check_equal(status, 201, "with the token, greylisting is switched on")
    check_equal(fault.get("spec"), "greylisting@mx1.recipient.example", "on mx1")
    with smtplib.SMTP("127.0.0.1", lab.port("smtp"), timeout=10) as smtp:
        smtp.ehlo("student.example")
        smtp.mail("carol@lists.example")
        code, text = smtp.rcpt("bob@recipient.example")
        check(code == 451 and b"4.7.1" in text, f"the MX now answers 451 4.7.1 ({code} {text!r})")

summary()
