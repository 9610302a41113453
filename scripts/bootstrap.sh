#!/usr/bin/env bash
# Sets up a fresh Debian 12 machine for QuantLens: installs the Debian packages the build needs
# (as root, non-interactive; nothing is installed when all are present) and defines
# quantlens_build. Sourced by run.sh and test.sh.
set -euo pipefail

QUANTLENS_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
QUANTLENS_BUILD="${QUANTLENS_BUILD:-$QUANTLENS_ROOT/build}"

quantlens_packages=(
  build-essential cmake pkg-config
  libtorch-dev libopenblas0-pthread
  nlohmann-json3-dev libpcre2-dev libicu-dev libcli11-dev
  libhdf5-dev hdf5-tools
  libbz2-dev  # llama.cpp's HellaSwag file, read as .bz2 (docs/zero-shot.md)
  libgtest-dev libgmock-dev
  qt6-base-dev qt6-charts-dev libqt6opengl6-dev qt6-svg-dev libimgui-dev
  xvfb xauth libgl1-mesa-dri libglx-mesa0 mesa-utils x11-apps imagemagick
  clang-14 libclang-rt-14-dev libomp-14-dev  # the libFuzzer build (tests/fuzz; OpenMP of quantcore_kernels)
)

quantlens_install_packages() {
  local missing=()
  for p in "${quantlens_packages[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  ((${#missing[@]} == 0)) && return 0
  echo "quantlens: installing Debian packages: ${missing[*]}" >&2
  local sudo=()
  if [[ $(id -u) -ne 0 ]]; then
    command -v sudo >/dev/null || { echo "quantlens: run as root (or install sudo) to install: ${missing[*]}" >&2; exit 1; }
    sudo=(sudo)
  fi
  export DEBIAN_FRONTEND=noninteractive
  "${sudo[@]}" apt-get update -q
  "${sudo[@]}" apt-get install -y -q --no-install-recommends "${missing[@]}"
}

# quantlens_build DIR [--target T] [cmake options...]
quantlens_build() {
  local dir="$1"; shift
  local target=()
  if [[ "${1:-}" == --target ]]; then target=(--target "$2"); shift 2; fi
  cmake -S "$QUANTLENS_ROOT" -B "$dir" -DCMAKE_BUILD_TYPE=Release "$@" >/dev/null
  cmake --build "$dir" -j"$(nproc)" "${target[@]}"
}

quantlens_install_packages
