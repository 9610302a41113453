#!/usr/bin/env bash
# run_smoke.sh HARNESS RUNS SEED_DIR WORK_DIR: the deterministic smoke run of one libFuzzer
# harness (ctest fuzz.*). The seeds are replayed, then RUNS inputs from -seed=1; new inputs go
# to WORK_DIR/corpus (emptied first, so every run is the same) and crash files to WORK_DIR, never
# into the seed directory of the source tree.
set -euo pipefail
harness="$1" runs="$2" seeds="$3" work="$4"
rm -rf "$work"
mkdir -p "$work/corpus"
exec "$harness" -seed=1 -runs="$runs" -max_len=65536 -timeout=10 -rss_limit_mb=2048 \
  -artifact_prefix="$work/" -print_final_stats=1 "$work/corpus" "$seeds"
