#!/usr/bin/env bash
# Builds into build/ (what the README's commands run) or, with --sanitize, into build-asan/ with
# AddressSanitizer + UndefinedBehaviorSanitizer (what the tests run). With --release-matrix it
# builds Release with gcc and with clang (build-rel-gcc/, build-rel-clang/), as a packager would:
# the gcc one with Debian's own packaging flags (dpkg-buildflags: -O2, _FORTIFY_SOURCE,
# stack protector, format-security, relro), which find what a plain -O2 build does not.
# CI builds with warnings as errors (ZB_WERROR).
set -euo pipefail
cd "$(dirname "$0")/.."
configure_build() { # DIR CC ARGS...
  local dir=$1 cc=$2; shift 2
  CC=$cc cmake -S . -B "$dir" -DZB_WERROR=ON "$@" >/dev/null
  cmake --build "$dir" -j"$(nproc)" >/dev/null
}
case "${1:-}" in
  --sanitize)
    configure_build build-asan cc -DCMAKE_BUILD_TYPE=Debug -DZB_SANITIZE=ON
    echo build-asan ;;
  --release-matrix)
    command -v clang >/dev/null 2>&1 || { echo "ci/build.sh: clang is not installed" >&2; exit 2; }
    pkg=()
    if command -v dpkg-buildflags >/dev/null 2>&1; then
      pkg=("-DCMAKE_C_FLAGS=$(dpkg-buildflags --get CFLAGS) $(dpkg-buildflags --get CPPFLAGS)"
           "-DCMAKE_EXE_LINKER_FLAGS=$(dpkg-buildflags --get LDFLAGS)"
           "-DCMAKE_SHARED_LINKER_FLAGS=$(dpkg-buildflags --get LDFLAGS)")
    fi
    configure_build build-rel-gcc gcc -DCMAKE_BUILD_TYPE=Release "${pkg[@]}"
    configure_build build-rel-clang clang -DCMAKE_BUILD_TYPE=Release
    echo "build-rel-gcc build-rel-clang" ;;
  *)
    configure_build build cc -DCMAKE_BUILD_TYPE=RelWithDebInfo
    echo build ;;
esac
