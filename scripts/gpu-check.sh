#!/usr/bin/env bash
# On the GPU machine: headless build against the Python wheel's LibTorch (CUDA), then the CUDA
# checks. Expects the models under carry/data (house-llama, house-opt, wikitext2, house-corpus)
# and the Debian -dev packages of docs/gpu-build.md under .deps. Writes logs to ${OUT:-/tmp/out}.
set -uo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"; cd "$root"
out="${OUT:-/tmp/out}"; mkdir -p "$out"
for f in .deps/*.deb; do dpkg -x "$f" /tmp/deps; done
export PKG_CONFIG_PATH=/tmp/deps/usr/lib/x86_64-linux-gnu/pkgconfig
export CPATH=/tmp/deps/usr/include LIBRARY_PATH=/tmp/deps/usr/lib/x86_64-linux-gnu
export LD_LIBRARY_PATH=/tmp/deps/usr/lib/x86_64-linux-gnu:${LD_LIBRARY_PATH:-}
export TORCH_CUDA_ARCH_LIST=9.0 QUANTLENS_DATA="$root/carry/data"
cmake -S . -B build-gpu -DCMAKE_BUILD_TYPE=Release -DQUANTLENS_TORCH_FROM_PYTHON=ON -DQUANTLENS_GUI=OFF \
      -DQUANTLENS_DATA_DIR="$root/carry/data" >"$out/configure.log" 2>&1 || { tail -50 "$out/configure.log"; exit 1; }
cmake --build build-gpu -j16 >"$out/build.log" 2>&1 || { tail -50 "$out/build.log"; exit 1; }
ctest --test-dir build-gpu -j8 --output-on-failure 2>&1 | tee "$out/ctest.log" | tail -5
for dt in fp32 bf16 fp16; do
  python3 bench/reference_check.py build-gpu/app/cli/quantlens --device cuda --dtype "$dt" --data carry/data 2>&1 | tee "$out/reference_$dt.log"
done
bench/eval_throughput.sh build-gpu cuda fp32 2>&1 | tee "$out/throughput.log"
