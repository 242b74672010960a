#!/usr/bin/env bash
# The README's two commands:
#   build-aux/dev.sh run    install what is missing, build, launch Mailroom
#   build-aux/dev.sh test   install what is missing, build, run every test suite
# Options for test: --sanitize (AddressSanitizer + UndefinedBehaviorSanitizer build)
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$here"

# What a Debian/Ubuntu machine needs to build and run Mailroom...
build_packages=(
  meson ninja-build pkg-config gcc gettext
  libglib2.0-dev libgtk-4-dev libadwaita-1-dev libsoup-3.0-dev libgmime-3.0-dev
  libjson-glib-dev libgnutls28-dev libcairo2-dev glib-networking
  desktop-file-utils appstream gsettings-desktop-schemas adwaita-icon-theme
  fonts-cantarell telnet swaks curl
)
# ...and what the test suites drive it with: real mail clients and reference servers.
test_packages=(
  xvfb xauth imagemagick python3 python3-gi gir1.2-atspi-2.0 at-spi2-core dbus-daemon
  swaks libnet-ssleay-perl libio-socket-ssl-perl libauthen-sasl-perl curl openssl fetchmail isync mutt tmux postfix dovecot-imapd dovecot-pop3d
  chromium clang libclang-rt-14-dev flatpak-builder
)
fedora_hint="sudo dnf install meson ninja-build gcc gettext glib2-devel gtk4-devel libadwaita-devel \
libsoup3-devel gmime30-devel json-glib-devel gnutls-devel glib-networking desktop-file-utils appstream \
xorg-x11-server-Xvfb ImageMagick python3-gobject swaks curl fetchmail isync mutt postfix dovecot chromium"

install_missing () {
  local missing=()
  for package in "$@"; do
    dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" \
      || missing+=("$package")
  done
  [ ${#missing[@]} -eq 0 ] && return 0

  local sudo=()
  [ "$(id -u)" -eq 0 ] || sudo=(sudo)
  echo "==> Installing: ${missing[*]}"
  # Postfix asks a question on install; the tests only use its smtp-source/smtp-sink binaries.
  echo "postfix postfix/main_mailer_type select No configuration" | "${sudo[@]}" debconf-set-selections
  "${sudo[@]}" apt-get update -q
  DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -q --no-install-recommends "${missing[@]}"
}

install_deps () {
  if ! command -v apt-get >/dev/null 2>&1; then
    echo "This script installs with apt-get (Debian/Ubuntu). On Fedora, run:"
    echo "  $fedora_hint"
    echo "then: meson setup _build && ninja -C _build"
    exit 1
  fi
  install_missing "$@"
}

setup () {
  local dir=$1; shift
  if [ ! -f "$dir/build.ninja" ]; then
    meson setup "$dir" "$@"
  fi
  ninja -C "$dir"
}

case "${1:-}" in
  run)
    install_deps "${build_packages[@]}"
    setup _build
    if [ -x _build/app/mailroom ] && { [ -n "${DISPLAY:-}" ] || [ -n "${WAYLAND_DISPLAY:-}" ]; }; then
      GSETTINGS_SCHEMA_DIR="$here/_build/data" exec _build/app/mailroom
    fi
    echo "==> No display (or no GUI build): starting the headless lab, mailroom-server"
    exec _build/mailroom-server
    ;;
  test)
    install_deps "${build_packages[@]}" "${test_packages[@]}"
    dir=_build-test
    args=()
    multiplier=
    if [ "${2:-}" = "--sanitize" ]; then
      dir=_build-sanitize
      multiplier=4
      args=(-Db_sanitize=address,undefined -Db_lundef=false -Dbuildtype=debug)
      # Any sanitizer report fails the test that produced it.
      export ASAN_OPTIONS="abort_on_error=1:halt_on_error=1:detect_leaks=1:fast_unwind_on_malloc=0"
      export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1"
      export LSAN_OPTIONS="suppressions=$here/tests/lsan.supp:print_suppressions=0"
    fi
    setup "$dir" "${args[@]}"
    # One X server for the whole run: the app suite needs a display.
    GSK_RENDERER=cairo xvfb-run -a -s '-screen 0 1280x800x24' \
      meson test -C "$dir" --print-errorlogs --num-processes 2 ${multiplier:+--timeout-multiplier "$multiplier"} "${@:3}"
    ;;
  *)
    echo "usage: $0 run | test [--sanitize]" >&2
    exit 2
    ;;
esac
