#!/usr/bin/env bash
# Builds the libFuzzer harnesses with clang (+ASan/UBSan) and runs each for
# FUZZ_SECONDS (default 60), seeded from the test transcripts. Any crash,
# leak or sanitizer report fails the run; crashers are kept in _build-fuzz/.
set -euo pipefail
cd "$(dirname "$0")/../.."

seconds=${FUZZ_SECONDS:-60}
dir=_build-fuzz
if [ ! -f "$dir/build.ninja" ]; then
  CC=clang meson setup "$dir" -Dgtk=false -Dfuzzing=true -Db_sanitize=address,undefined \
    -Db_lundef=false -Dbuildtype=debugoptimized
fi
ninja -C "$dir"

export ASAN_OPTIONS="detect_leaks=1:abort_on_error=1"
export UBSAN_OPTIONS="halt_on_error=1:print_stacktrace=1"
export LSAN_OPTIONS="suppressions=$PWD/tests/lsan.supp:print_suppressions=0"

status=0
for harness in "$dir"/tests/fuzz/fuzz-*; do
  [ -f "$harness" ] && [ -x "$harness" ] || continue
  name=$(basename "$harness")
  corpus="$dir/corpus/$name"
  mkdir -p "$corpus"
  seeds=()
  case "$name" in
    fuzz-smtp-client) seeds=() ;;
    fuzz-smtp-*|fuzz-submission-*) seeds=(tests/protocols/smtp/transcripts) ;;
    fuzz-pop3-*) seeds=(tests/protocols/pop3/transcripts) ;;
    fuzz-imap-*) seeds=(tests/protocols/imap/transcripts) ;;
    fuzz-scenario) seeds=(protocols/data) ;;
  esac
  existing=()
  for seed in "${seeds[@]}"; do [ -d "$seed" ] && existing+=("$seed"); done
  echo "==> $name for ${seconds}s"
  if "$harness" -max_total_time="$seconds" -max_len=65536 -timeout=10 -rss_limit_mb=2048 \
       -artifact_prefix="$dir/" "$corpus" "${existing[@]}" > "$dir/$name.log" 2>&1; then
    echo "ok - $name: $(grep -oE "^#[0-9]+" "$dir/$name.log" | tail -1 | tr -d "#") runs"
    grep -E "^#[0-9]+ *DONE" "$dir/$name.log" | tail -1 || true
  else
    echo "FAIL - $name (log: $dir/$name.log)"
    tail -40 "$dir/$name.log"
    status=1
  fi
done
exit $status
