#!/usr/bin/python3
# test-atspi.py: drive `mailroom` under Xvfb the way a screen reader or
# dogtail would, through the accessibility tree (AT-SPI), not through its
# code: find the page switcher and click "Transcript", read the server's
# ports from the status line, talk SMTP to it, hear the map announce the
# newest line, drag the timeline back and see "Back to live" come up.
#
# The test starts its own session bus (dbus-daemon, which activates
# at-spi-bus-launcher) in a process group of its own, and kills that group
# at the end: nothing outlives the test (no dbus-run-session).
#
# Copyright 2026 The Mailroom authors
# SPDX-License-Identifier: GPL-3.0-or-later
#
# usage: test-atspi.py path/to/mailroom   (prints TAP)

import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time

results = []

# GTK 4.8 names a labelled button after its label property and its label
# child ("Back to _live Back to live"): match the end of the name.
LIVE_BUTTON = r"Back to live$"


def check(condition, what):
    results.append((bool(condition), what))
    print(("ok %d - %s" if condition else "not ok %d - %s") % (len(results), what))
    sys.stdout.flush()
    return condition


def become_subreaper():
    """Adopt what the bus activates (at-spi-bus-launcher and its own bus),
    so it is reaped here, not left behind as a zombie."""
    try:
        import ctypes
        PR_SET_CHILD_SUBREAPER = 36
        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0)
    except (OSError, AttributeError):
        pass


def reap_orphans(timeout=5.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            pid, _ = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if pid == 0:
            time.sleep(0.05)


def start_session_bus():
    """A private session bus; returns (process, address)."""
    def die_with_parent():
        # Should this test die, its bus goes too (PR_SET_PDEATHSIG).
        try:
            import ctypes
            ctypes.CDLL(None).prctl(1, signal.SIGTERM, 0, 0, 0)
        except (OSError, AttributeError):
            pass
        os.setsid()

    bus = subprocess.Popen(["dbus-daemon", "--session", "--nofork", "--print-address=1"],
                           stdout=subprocess.PIPE, text=True, preexec_fn=die_with_parent)
    address = bus.stdout.readline().strip()
    return bus, address


def wait_for(predicate, timeout=20.0, step=0.1):
    deadline = time.monotonic() + timeout * float(os.environ.get("MR_TEST_TIME_FACTOR", "1"))
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(step)
    return predicate()


def main():
    exe = sys.argv[1]
    if shutil.which("dbus-daemon") is None or not os.path.exists("/usr/libexec/at-spi-bus-launcher"):
        print("1..0 # SKIP dbus-daemon or at-spi2-core is not installed")
        return 0

    tmp = tempfile.mkdtemp(prefix="mailroom-atspi-")
    become_subreaper()
    bus, address = start_session_bus()
    # The accessibility bridge is on for this test only (the others turn
    # it off); Atspi in this process talks to the same bus.
    os.environ["DBUS_SESSION_BUS_ADDRESS"] = address
    os.environ.pop("NO_AT_BRIDGE", None)
    os.environ.pop("GTK_A11Y", None)
    # This process is the screen reader, not the app under test: a critical
    # inside libatspi must not kill the driver (the app keeps G_DEBUG).
    app_debug = os.environ.get("G_DEBUG", "")
    os.environ["G_DEBUG"] = ""
    os.environ["XDG_RUNTIME_DIR"] = tmp

    import gi
    gi.require_version("Atspi", "2.0")
    from gi.repository import Atspi

    env = dict(os.environ, XDG_CONFIG_HOME=tmp, XDG_DATA_HOME=tmp, XDG_STATE_HOME=tmp, G_DEBUG=app_debug)
    log_path = os.path.join(tmp, "app.log")
    log = open(log_path, "w")
    app = subprocess.Popen([exe], env=env, stdout=log, stderr=subprocess.STDOUT)
    try:
        run(Atspi, app)
        if any(not ok for ok, _ in results):
            print("# the app %s; its output:" % ("exited with %s" % app.returncode
                                                 if app.poll() is not None else "is running"))
            with open(log_path) as f:
                for line in f.read().splitlines()[-40:]:
                    print("#   " + line)
    finally:
        app.terminate()
        try:
            app.wait(timeout=10)
        except subprocess.TimeoutExpired:
            app.kill()
        os.killpg(bus.pid, signal.SIGTERM)
        bus.wait(timeout=10)
        reap_orphans()
        shutil.rmtree(tmp, ignore_errors=True)

    failed = sum(1 for ok, _ in results if not ok)
    print("1..%d" % len(results))
    print("# %d passed, %d failed" % (len(results) - failed, failed))
    return 1 if failed else 0


def walk(Atspi, node, depth=0, max_depth=60):
    """Every accessible under @node, depth first."""
    if node is None or depth > max_depth:
        return
    yield node
    try:
        n = node.get_child_count()
    except Exception:
        return
    for i in range(n):
        try:
            child = node.get_child_at_index(i)
        except Exception:
            continue
        yield from walk(Atspi, child, depth + 1, max_depth)


def find_app(Atspi):
    desktop = Atspi.get_desktop(0)
    for i in range(desktop.get_child_count()):
        child = desktop.get_child_at_index(i)
        if child is not None and (child.get_name() or "").lower() in ("mailroom", "main.py"):
            return child
    return None


def find(Atspi, root, role=None, name=None, pattern=None):
    for node in walk(Atspi, root):
        try:
            if role is not None and node.get_role_name() != role:
                continue
            label = node.get_name() or ""
            if name is not None and label != name:
                continue
            if pattern is not None and not re.search(pattern, label):
                continue
            return node
        except Exception:
            continue
    return None


def click(Atspi, node):
    return node is not None and Atspi.Action.get_n_actions(node) > 0 and Atspi.Action.do_action(node, 0)


def has_state(Atspi, node, state):
    return node.get_state_set().contains(state)


def run(Atspi, app):
    root = wait_for(lambda: find_app(Atspi), timeout=30)
    if not check(root is not None, "the app shows up on the accessibility bus"):
        return
    window = wait_for(lambda: find(Atspi, root, role="frame") or find(Atspi, root, role="window"))
    check(window is not None and "Mailroom" in (window.get_name() or ""), "its window is named Mailroom")

    # The page switcher: every page is a named, clickable control.
    pages = ["Map", "Ladder", "Transcript", "Console", "Faults", "Mailboxes"]
    for page in pages:
        check(wait_for(lambda: find(Atspi, root, name=page), timeout=5) is not None,
              "the page switcher has a “%s” control" % page)

    # The status line names the ports, as a sighted learner reads them.
    status = wait_for(lambda: find(Atspi, root, pattern=r"smtp \d+"))
    if not check(status is not None, "the status line lists the lab's ports"):
        return
    port = int(re.search(r"smtp (\d+)", status.get_name()).group(1))

    # A learner types SMTP at the lab: the map announces each line.
    with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
        f = sock.makefile("rwb", buffering=0)
        greeting = f.readline()
        check(greeting.startswith(b"220 "), "the lab greets with 220 (RFC 5321 4.2)")
        f.write(b"EHLO atspi.test\r\n")
        while True:
            line = f.readline()
            if line[3:4] != b"-":
                break
        f.write(b"RCPT TO:<bob@recipient.example>\r\n")
        reply = f.readline()
        check(reply.startswith(b"503 "), "RCPT before MAIL is refused with 503 (RFC 5321 4.1.4)")
        f.write(b"QUIT\r\n")
        f.readline()

    def map_description():
        for node in walk(Atspi, root):
            try:
                if node.get_role_name() == "image" and "→" in (node.get_description() or ""):
                    return node.get_description()
            except Exception:
                continue
        return None

    heard = wait_for(map_description)
    check(heard, "the map, an image to assistive technologies, describes the newest line (%r)" % heard)

    # Click "Transcript" as a switch-access user would.
    transcript = find(Atspi, root, role="page tab", name="Transcript")
    check(transcript is not None and click(Atspi, transcript), "“Transcript” can be clicked")
    check(wait_for(lambda: has_state(Atspi, transcript, Atspi.StateType.SELECTED), timeout=5),
          "and its tab is selected")
    check(wait_for(lambda: find(Atspi, root, pattern=r"^503 ") is not None or
                   find(Atspi, root, pattern=r"503") is not None, timeout=10),
          "the transcript shows the 503")

    # The timeline is a slider: move it back and the views leave live.
    slider = find(Atspi, root, role="slider")
    if check(slider is not None, "the timeline is a slider"):
        value = Atspi.Value
        check(value.get_maximum_value(slider) > 3,
              "the slider spans the recorded events")
        def back_to_live_shown():
            button = find(Atspi, root, role="push button", pattern=LIVE_BUTTON)
            return button is not None and has_state(Atspi, button, Atspi.StateType.VISIBLE)

        check(not back_to_live_shown(), "“Back to live” is hidden while live")
        value.set_current_value(slider, 1)
        check(wait_for(back_to_live_shown, timeout=5), "scrubbed back, “Back to live” shows")
        check(wait_for(lambda: find(Atspi, root, pattern=r"^Event \d+ of \d+") is not None, timeout=5),
              "the timeline says which event it shows")
        check(click(Atspi, find(Atspi, root, role="push button", pattern=LIVE_BUTTON)), "“Back to live” can be clicked")
        check(wait_for(lambda: not back_to_live_shown(), timeout=5), "and the timeline is live again")
        check(value.get_current_value(slider) == value.get_maximum_value(slider), "the slider is at the newest event")


if __name__ == "__main__":
    sys.exit(main())
