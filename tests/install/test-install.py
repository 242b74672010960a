#!/usr/bin/python3
"""`meson install` into a DESTDIR puts every file where a desktop expects it."""

import os
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "conformance"))
from harness import check, summary  # noqa: E402

build_root, prefix, gtk = sys.argv[1], sys.argv[2], sys.argv[3] == "true"
APP_ID = "io.github.mailroomlab.Mailroom"

with tempfile.TemporaryDirectory(prefix="mailroom-destdir-") as destdir:
    result = subprocess.run(["meson", "install", "-C", build_root, "--destdir", destdir, "--no-rebuild",
                             "--quiet"], capture_output=True, text=True)
    check(result.returncode == 0, f"meson install succeeds ({result.stderr.strip()[-300:]})")
    root = destdir + prefix

    def exists(path, what):
        check(os.path.exists(os.path.join(root, path)), f"{what}: {path}")

    exists("bin/mailroom-server", "the headless lab")
    exists(f"share/glib-2.0/schemas/{APP_ID}.gschema.xml", "the GSettings schema")
    exists("share/locale/de/LC_MESSAGES/mailroom.mo", "German translation")
    exists("share/locale/es/LC_MESSAGES/mailroom.mo", "Spanish translation")
    if gtk:
        exists("bin/mailroom", "the app")
        exists(f"share/applications/{APP_ID}.desktop", "the desktop file")
        exists(f"share/metainfo/{APP_ID}.metainfo.xml", "the AppStream metainfo")
        exists(f"share/icons/hicolor/scalable/apps/{APP_ID}.svg", "the app icon")
        exists(f"share/icons/hicolor/symbolic/apps/{APP_ID}-symbolic.svg", "the symbolic icon")
    # Nothing lands outside the prefix.
    stray = [d for d in os.listdir(destdir) if not prefix.startswith("/" + d)]
    check(not stray, f"nothing installed outside {prefix} ({stray})")

summary()
