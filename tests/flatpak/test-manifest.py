#!/usr/bin/python3
"""The Flatpak manifest: valid for flatpak-builder, narrow sandbox, every
downloaded source pinned by a checksum."""

import json
import os
import shutil
import subprocess
import sys

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "conformance"))
from harness import check, check_equal, summary  # noqa: E402

MANIFEST = os.path.join(os.path.dirname(__file__), "..", "..", "flatpak", "io.github.mailroomlab.Mailroom.json")
# What Mailroom needs: a window (Wayland, X11 as fallback, GPU) and its listeners.
ALLOWED_FINISH_ARGS = {"--share=ipc", "--socket=fallback-x11", "--socket=wayland", "--device=dri", "--share=network"}
REQUIRED_KEYS = {"id", "runtime", "runtime-version", "sdk", "command", "modules"}
KNOWN_KEYS = REQUIRED_KEYS | {"finish-args", "cleanup", "build-options", "rename-desktop-file", "rename-icon",
                              "cleanup-commands", "separate-locales", "add-extensions", "sdk-extensions"}
MODULE_KEYS = {"name", "buildsystem", "config-opts", "sources", "cleanup", "build-options", "builddir",
               "build-commands", "post-install", "modules", "make-args", "make-install-args"}

with open(MANIFEST) as f:
    manifest = json.load(f)

check(REQUIRED_KEYS <= manifest.keys(), "the manifest has id, runtime, sdk, command and modules")
unknown = set(manifest) - KNOWN_KEYS
check(not unknown, f"no unknown top-level keys {sorted(unknown)}")
check_equal(manifest["id"], "io.github.mailroomlab.Mailroom", "application ID")
check_equal(manifest["runtime"], "org.gnome.Platform", "GNOME runtime")
check(int(manifest["runtime-version"]) >= 47, "a current GNOME runtime (47 or newer)")
extra = set(manifest.get("finish-args", [])) - ALLOWED_FINISH_ARGS
check(not extra, f"finish-args no wider than needed (extra: {sorted(extra)})")
check("--filesystem=home" not in manifest.get("finish-args", []), "no access to the home folder")


def walk(modules):
    for module in modules:
        if isinstance(module, str):
            continue
        yield module
        yield from walk(module.get("modules", []))


names = []
for module in walk(manifest["modules"]):
    names.append(module["name"])
    unknown = set(module) - MODULE_KEYS
    check(not unknown, f"module {module['name']}: no unknown keys {sorted(unknown)}")
    for source in module.get("sources", []):
        kind = source.get("type")
        if kind in ("archive", "file"):
            sha = source.get("sha256", "")
            check(len(sha) == 64 and all(c in "0123456789abcdef" for c in sha),
                  f"module {module['name']}: {source.get('url')} pinned by sha256")
            check(source.get("url", "").startswith("https://"), f"module {module['name']}: source over https")
        elif kind == "git":
            check(len(source.get("commit", "")) == 40, f"module {module['name']}: git source pinned by commit")
        elif kind == "dir":
            check(module["name"] == "mailroom", "only Mailroom itself is built from the local checkout")
        else:
            check(False, f"module {module['name']}: unexpected source type {kind}")

check_equal(names[-1], "mailroom", "Mailroom is the last module")
check("gmime" in names, "GMime (not in the GNOME runtime) is built as a module")

if shutil.which("flatpak-builder"):
    result = subprocess.run(["flatpak-builder", "--show-manifest", MANIFEST], capture_output=True, text=True)
    check(result.returncode == 0 and json.loads(result.stdout)["id"] == manifest["id"],
          "flatpak-builder --show-manifest accepts it")
else:
    check(False, "flatpak-builder is installed (build-aux/dev.sh installs it)")

summary()
