#!/usr/bin/python3
# test-web-lessons.py: the lessons in the web API, end to end.
#
# Copyright 2026 The Mailroom authors
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Starts mailroom-server with XDG_STATE_HOME in a temporary folder holding a
# lessons.ini (the file the app's lesson panel saves), and checks that
# /api/v1/lessons lists every lesson in lessons/content with that progress,
# follows the file when it changes, shows one lesson's steps, answers 404
# for an unknown id, and that DELETE .../progress needs the teacher token
# and then removes just that lesson from the file.
#
# Usage: test-web-lessons.py LESSONS_CONTENT_DIR (meson passes it).

import configparser
import glob
import json
import os
import queue
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from harness import check, check_equal, server_binary, summary  # noqa: E402

SERVICES = ("smtp", "submission", "smtps", "pop3", "pop3s", "imap", "imaps")


class Server:
    """mailroom-server with only the web view; waits for its port and the
    teacher token (printed after the listeners)."""

    def __init__(self, tmp):
        self.tmp = tmp
        self.process = None
        self.port = None
        self.token = None

    def __enter__(self):
        args = [server_binary(), "--tls-dir", os.path.join(self.tmp, "tls"), "--http-port", "0"]
        for service in SERVICES:
            args += [f"--{service}-port", "-1"]
        env = dict(os.environ)
        env["XDG_STATE_HOME"] = os.path.join(self.tmp, "state")
        env["XDG_DATA_HOME"] = os.path.join(self.tmp, "data")
        self.process = subprocess.Popen(args, stdout=subprocess.PIPE, env=env, text=True, bufsize=1)
        lines = queue.Queue()

        def read_lines(stream):
            for line in stream:
                lines.put(line)
            lines.put(None)

        threading.Thread(target=read_lines, args=(self.process.stdout,), daemon=True).start()
        deadline = time.monotonic() + 20
        while (self.port is None or self.token is None) and time.monotonic() < deadline:
            try:
                line = lines.get(timeout=0.5)
            except queue.Empty:
                continue
            if line is None:
                break
            name, _, value = line.strip().partition(" ")
            if name == "http":
                self.port = int(value.rsplit(":", 1)[1])
            elif name == "teacher-token":
                self.token = value
        if self.port is None or self.token is None:
            self.__exit__()
            raise RuntimeError("mailroom-server did not print its web port and teacher token")
        return self

    def __exit__(self, *exc):
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()

    def request(self, method, path, token=None):
        """(status, headers, parsed JSON body or None)"""
        req = urllib.request.Request(f"http://127.0.0.1:{self.port}{path}", method=method)
        if token is not None:
            req.add_header("Authorization", f"Bearer {token}")
        try:
            with urllib.request.urlopen(req, timeout=10) as response:
                status, headers, body = response.status, response.headers, response.read()
        except urllib.error.HTTPError as error:
            status, headers, body = error.code, error.headers, error.read()
        return status, headers, json.loads(body) if body else None


def content_lessons(content_dir):
    """id -> number of steps, from the shipped .lesson files."""
    lessons = {}
    for path in sorted(glob.glob(os.path.join(content_dir, "*.lesson"))):
        with open(path, encoding="utf-8") as f:
            lesson = json.load(f)
        lessons[lesson["id"]] = len(lesson["steps"])
    return lessons


def read_progress(path):
    parser = configparser.ConfigParser()
    parser.read(path)
    return parser


def main():
    if len(sys.argv) < 2:
        raise SystemExit("usage: test-web-lessons.py LESSONS_CONTENT_DIR")
    shipped = content_lessons(sys.argv[1])
    check(len(shipped) > 0, f"{len(shipped)} lessons in lessons/content")

    tmp = tempfile.mkdtemp(prefix="mailroom-web-lessons-")
    try:
        progress = os.path.join(tmp, "state", "mailroom", "lessons.ini")
        os.makedirs(os.path.dirname(progress))
        with open(progress, "w") as f:
            f.write("[smtp-02-ehlo]\nstep=2\ncompleted=false\n\n"
                    "[smtp-01-hello]\nstep=0\ncompleted=true\n\n"
                    "[pop3-15-pop3]\nstep=1\ncompleted=true\n")

        with Server(tmp) as server:
            run(server, shipped, progress)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    summary()


def run(server, shipped, progress):
    status, _, body = server.request("GET", "/api/v1/lessons")
    check_equal(status, 200, "GET /api/v1/lessons")
    listed = {lesson["id"]: lesson for lesson in body["lessons"]}
    check_equal(sorted(listed), sorted(shipped), "every shipped lesson is listed, once")
    check_equal([lesson["id"] for lesson in body["lessons"]], sorted(listed), "sorted by id")
    check(all(listed[i]["steps"] == n for i, n in shipped.items() if i in listed),
          "each lesson's step count matches its file")
    check(all(isinstance(lesson["title"], str) and lesson["title"] and isinstance(lesson["rfc"], list)
              for lesson in listed.values()), "every lesson has a title and an RFC list")

    ehlo = listed.get("smtp-02-ehlo", {})
    check_equal((ehlo.get("step"), ehlo.get("completed")), (2, False), "smtp-02-ehlo: step 2 from lessons.ini")
    hello = listed.get("smtp-01-hello", {})
    check_equal((hello.get("step"), hello.get("completed")), (shipped["smtp-01-hello"], True),
                "smtp-01-hello: finished, every step done")
    pop3 = listed.get("pop3-15-pop3", {})
    check_equal((pop3.get("step"), pop3.get("completed")), (1, True), "pop3-15-pop3: replayed after finishing")
    untouched = [lesson for i, lesson in listed.items()
                 if i not in ("smtp-02-ehlo", "smtp-01-hello", "pop3-15-pop3")]
    check(all(lesson["step"] == 0 and not lesson["completed"] for lesson in untouched),
          "lessons not in lessons.ini are not started")

    # The app's panel saves; the API shows it at the next request.
    parser = read_progress(progress)
    parser["smtp-02-ehlo"]["step"] = "3"
    with open(progress, "w") as f:
        parser.write(f)
    _, _, body = server.request("GET", "/api/v1/lessons")
    check_equal({l["id"]: l["step"] for l in body["lessons"]}.get("smtp-02-ehlo"), 3,
                "a step saved to lessons.ini shows at once")

    status, _, lesson = server.request("GET", "/api/v1/lessons/smtp-02-ehlo")
    check_equal(status, 200, "GET /api/v1/lessons/smtp-02-ehlo")
    steps = lesson.get("step_list", [])
    check_equal(len(steps), shipped["smtp-02-ehlo"], "one entry per step")
    check_equal([s["done"] for s in steps], [i < 3 for i in range(len(steps))], "the first three steps are done")
    check(all(s["instruction"] and s["id"] for s in steps), "each step has its id and instruction")

    status, _, error = server.request("GET", "/api/v1/lessons/no-such-lesson")
    check_equal(status, 404, "an unknown lesson is 404")
    check("no-such-lesson" in (error or {}).get("error", "") and error.get("field") == "id",
          "the 404 names the id")
    status, headers, _ = server.request("GET", "/api/v1/lessons/smtp-02-ehlo/progress")
    check_equal((status, headers.get("Allow")), (405, "DELETE"), "GET .../progress is 405, Allow: DELETE")
    status, _, _ = server.request("POST", "/api/v1/lessons")
    check_equal(status, 405, "POST /api/v1/lessons is 405")

    # Resetting is the teacher's.
    before = open(progress).read()
    status, headers, _ = server.request("DELETE", "/api/v1/lessons/smtp-02-ehlo/progress")
    check_equal(status, 401, "DELETE without the token is 401")
    check(headers.get("WWW-Authenticate", "").startswith("Bearer"), "401 asks for a Bearer token")
    status, _, _ = server.request("DELETE", "/api/v1/lessons/smtp-02-ehlo/progress", token="0" * 32)
    check_equal(status, 403, "DELETE with a wrong token is 403")
    check_equal(open(progress).read(), before, "lessons.ini is untouched by refused requests")

    status, _, lesson = server.request("DELETE", "/api/v1/lessons/smtp-02-ehlo/progress", token=server.token)
    check_equal(status, 200, "DELETE with the teacher token")
    check_equal((lesson or {}).get("step"), 0, "the reset lesson is back at step 0")
    check_equal((lesson or {}).get("completed"), False, "the reset lesson is not completed")
    parser = read_progress(progress)
    check("smtp-02-ehlo" not in parser.sections(), "lessons.ini no longer has smtp-02-ehlo")
    check("smtp-01-hello" in parser.sections() and "pop3-15-pop3" in parser.sections(),
          "the other lessons keep their progress")

    status, _, _ = server.request("DELETE", "/api/v1/lessons/no-such-lesson/progress", token=server.token)
    check_equal(status, 404, "resetting an unknown lesson is 404")

    status, _, doc = server.request("GET", "/api/v1/openapi.json")
    paths = doc.get("paths", {}) if status == 200 else {}
    check(all(p in paths for p in ("/api/v1/lessons", "/api/v1/lessons/{id}", "/api/v1/lessons/{id}/progress")),
          "openapi.json documents the lessons API")
    check("/api/v1/lessons/progress" not in paths, "the old stub is gone from openapi.json")


if __name__ == "__main__":
    main()
