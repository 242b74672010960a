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
        f.write("[io/github/mailroomlab/Mailroom]\nsmtp-port=%d\nspeed=0.5\n" % port)
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
        greeting = f.readline()
        replies = [greeting]
        for line in (b"EHLO shot\r\n", b"MAIL FROM:<a@sender.example>\r\n",
                     b"RCPT TO:<nobody@recipient.example>\r\n", b"RCPT TO:<bob@recipient.example>\r\n",
                     b"DATA\r\n"):
            f.write(line)
            while True:
                reply = f.readline()
                replies.append(reply)
                if len(reply) < 4 or reply[3:4] != b"-":
                    break
        time.sleep(0.6)
        shot = os.path.join(os.environ.get("G_TEST_BUILDDIR", tmp), "app-screenshot.png")
        subprocess.run(["import", "-window", "root", shot], check=True)
        f.write(b"Subject: shot\r\n\r\nhi\r\n.\r\nQUIT\r\n")
        sock.close()

        # Count pixels near each envelope colour with ImageMagick itself.
        def count(color):
            out = subprocess.run(["convert", shot, "-fuzz", "5%", "-fill", "black", "+opaque", color,
                                  "-fill", "white", "-opaque", color, "-format", "%[fx:mean*w*h]", "info:"],
                                 capture_output=True, text=True, check=True).stdout
            return float(out or 0)

        colors = {"command": "#9141ac", "2xx": "#2ec27e", "3xx": "#3584e4", "5xx": "#e01b24"}
        counts = {name: count(c) for name, c in colors.items()}
        stddev = subprocess.run(["convert", shot, "-format", "%[fx:standard_deviation]", "info:"],
                                capture_output=True, text=True, check=True).stdout
        print("# replies: %s" % b" | ".join(r.strip() for r in replies).decode(errors="replace"))
        print("# pixels per colour: %s; stddev %s; %s" % (counts, stddev, shot))
        ok = float(stddev) > 0.05 and counts["command"] > 50 and counts["2xx"] > 50
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
