#!/usr/bin/python3
# test-screenshot.py: launch `mailroom` under Xvfb, talk SMTP to its loopback
# port like telnet would, take a screenshot of the map (ImageMagick
# `import -window root`) and check it is not blank and shows envelopes.
#
# Copyright 2026 The Mailroom authors
# SPDX-License-Identifier: GPL-3.0-or-later
#
# usage: test-screenshot.py path/to/mailroom   (prints TAP)

import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def main():
    exe = sys.argv[1]
    print("1..1")
    if shutil.which("import") is None:
        print("ok 1 # SKIP ImageMagick import is not installed")
        return 0

    tmp = tempfile.mkdtemp(prefix="mailroom-shot-")
    port = free_port()
    # Settings through the keyfile backend so the test picks the SMTP port.
    conf = os.path.join(tmp, "glib-2.0", "settings")
    os.makedirs(conf)
    with open(os.path.join(conf, "keyfile"), "w") as f:
        f.write("[io/github/mailroomlab/Mailroom]\nsmtp-port=%d\nspeed=1.0\n" % port)
    env = dict(os.environ, GSETTINGS_BACKEND="keyfile", XDG_CONFIG_HOME=tmp,
               XDG_DATA_HOME=tmp)
    app = subprocess.Popen([exe], env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        sock = None
        for _ in range(100):
            try:
                sock = socket.create_connection(("127.0.0.1", port), timeout=2)
                break
            except OSError:
                time.sleep(0.1)
        if sock is None:
            print("ok 1 # SKIP the app does not serve SMTP on port %d yet" % port)
            return 0

        f = sock.makefile("rwb", buffering=0)
        builddir = os.environ.get("G_TEST_BUILDDIR", tmp)
        shots = []
        replies = []

        def shoot(n):
            for _ in range(n):
                time.sleep(0.35)
                shots.append(os.path.join(builddir, "app-screenshot-%d.png" % len(shots)))
                subprocess.run(["import", "-window", "root", shots[-1]], check=True)

        def command(line):
            f.write(line)
            while True:
                reply = f.readline()
                replies.append(reply)
                if len(reply) < 4 or reply[3:4] != b"-":
                    break

        # Each conversation plays causally on the map (a reply leaves once
        # its command has arrived, 1.1 s a hop at speed 1), so shoot while
        # each step is in flight: the greeting (2xx), a command, a refusal.
        replies.append(f.readline())
        time.sleep(0.8)
        shoot(3)
        command(b"EHLO shot\r\n")
        shoot(3)
        command(b"RCPT TO:<bob@recipient.example>\r\n")    # no MAIL yet: 503
        shoot(5)
        command(b"QUIT\r\n")
        sock.close()

        # One histogram per shot (ImageMagick), then count the pixels close
        # to each envelope colour. The top 640 rows: the map without its
        # colour legend.
        def histogram(shot):
            out = subprocess.run(["convert", shot, "-crop", "1280x640+0+0", "+repage",
                                  "-format", "%c", "histogram:info:-"],
                                 capture_output=True, text=True, check=True).stdout
            result = []
            for line in out.splitlines():
                m = re.match(r"\s*(\d+):.*#([0-9A-Fa-f]{6})", line)
                if m:
                    result.append((int(m.group(1)), tuple(int(m.group(2)[i:i + 2], 16) for i in (0, 2, 4))))
            return result

        def count(hist, color):
            target = tuple(int(color[i:i + 2], 16) for i in (1, 3, 5))
            return sum(n for n, rgb in hist if all(abs(a - b) <= 12 for a, b in zip(rgb, target)))

        colors = {"command": "#9141ac", "2xx": "#2ec27e", "5xx": "#e01b24"}
        counts = {name: 0.0 for name in colors}
        best, best_score = None, -1
        for shot_i in shots:
            hist = histogram(shot_i)
            c = {name: count(hist, col) for name, col in colors.items()}
            score = sum(1 for v in c.values() if v > 50)
            if score > best_score:
                best, best_score = shot_i, score
            for name in colors:
                counts[name] = max(counts[name], c[name])
        shot = os.path.join(builddir, "app-screenshot.png")
        shutil.copy(best, shot)
        for shot_i in shots:
            os.unlink(shot_i)

        stddev = subprocess.run(["convert", shot, "-format", "%[fx:standard_deviation]", "info:"],
                                capture_output=True, text=True, check=True).stdout
        print("# replies: %s" % b" | ".join(r.strip() for r in replies).decode(errors="replace"))
        print("# pixels per colour: %s; stddev %s; %s" % (counts, stddev, shot))
        ok = (float(stddev) > 0.05 and counts["command"] > 50 and counts["2xx"] > 50
              and counts["5xx"] > 50)
        print("%s 1 - screenshot not blank, envelopes visible" % ("ok" if ok else "not ok"))
        return 0 if ok else 1
    finally:
        app.terminate()
        try:
            app.wait(timeout=10)
        except subprocess.TimeoutExpired:
            app.kill()
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
