#!/usr/bin/env bash
# scripts/fuzz.sh [SECONDS] [HARNESS...]: builds the libFuzzer harnesses of tests/fuzz (clang-14,
# QUANTLENS_WITH_TORCH=OFF, QUANTLENS_FUZZ=ON, in build-fuzz/) and runs each for SECONDS
# (default 600), one after the other, on one core. A harness keeps going after a crash (libFuzzer
# fork mode, one job), so every crash of the run is counted. Each harness grows its corpus in
# build-fuzz/corpus/HARNESS (seeded from tests/fuzz/seeds/HARNESS; the tree is never written) and
# saves crash, leak, timeout and out-of-memory inputs in build-fuzz/crashes/HARNESS/.
# Prints per harness: executions, crashes found and where their files are. Exit status 1 when
# any harness found something.
#   FUZZ_NICE (default 19): the niceness of the fuzzing processes.
set -euo pipefail
seconds="${1:-600}"
shift || true
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build="$root/build-fuzz"

# The Debian packages (clang-14, libclang-rt-14-dev, ...) and quantlens_build.
source "$root/scripts/bootstrap.sh"
CC=clang-14 CXX=clang++-14 quantlens_build "$build" --target quantlens_fuzzers \
  -DQUANTLENS_WITH_TORCH=OFF -DQUANTLENS_FUZZ=ON -DQUANTLENS_GUI=OFF -DQUANTLENS_CUDA=OFF \
  -DQUANTLENS_BUILD_TESTS=OFF

harnesses=("$@")
if ((${#harnesses[@]} == 0)); then
  for d in "$root"/tests/fuzz/seeds/*/; do harnesses+=("$(basename "$d")"); done
fi

summary=()
found=0
for h in "${harnesses[@]}"; do
  exe="$build/tests/fuzz/$h"
  [[ -x "$exe" ]] || { echo "fuzz.sh: no harness $h" >&2; exit 2; }
  corpus="$build/corpus/$h" crashes="$build/crashes/$h" log="$build/logs/$h.log"
  mkdir -p "$corpus" "$crashes" "$(dirname "$log")"
  echo "== $h: ${seconds} s (log $log)"
  status=0
  nice -n "${FUZZ_NICE:-19}" "$exe" -fork=1 -ignore_crashes=1 -ignore_ooms=1 -ignore_timeouts=1 \
    -max_total_time="$seconds" -max_len=65536 -timeout=10 -rss_limit_mb=2048 \
    -artifact_prefix="$crashes/" "$corpus" "$root/tests/fuzz/seeds/$h" >"$log" 2>&1 || status=$?
  # Fork mode's status lines: "#RUNS: cov: .. ft: .. corp: .. exec/s .. oom/timeout/crash: O/T/C time: ..".
  last="$(grep -E '^#[0-9]+: cov:' "$log" | tail -n 1 || true)"
  execs="$(sed -nE 's/^#([0-9]+):.*/\1/p' <<<"$last")"
  counts="$(sed -nE 's/.*oom\/timeout\/crash: ([0-9]+\/[0-9]+\/[0-9]+).*/\1/p' <<<"$last")"
  files="$(find "$crashes" -type f | wc -l)"
  summary+=("$(printf '%-26s %8s s %12s execs  oom/timeout/crash %-9s %3d files in %s' \
    "$h" "$seconds" "${execs:-?}" "${counts:-?}" "$files" "$crashes")")
  echo "${summary[-1]}"
  ((files == 0 && status == 0)) || found=1
done
echo
echo "== summary"
printf '%s\n' "${summary[@]}"
exit "$found"
