#!/usr/bin/env bash
# Builds into build/ (what the README's commands run) or, with --sanitize, into build-asan/ with
# AddressSanitizer + UndefinedBehaviorSanitizer (what the tests run). With --release-matrix it
# builds Release with gcc and with clang, as a packager would: build/ itself is the gcc one, with
# Debian's own packaging flags (dpkg-buildflags: -g -O2, _FORTIFY_SOURCE, stack protector,
# format-security, relro), which find what a plain -O2 build does not; build-rel-clang/ is the
# clang one. So the README's binaries and the gcc half of the matrix are one build, made once.
# CI builds with warnings as errors (ZB_WERROR).
set -euo pipefail
cd "$(dirname "$0")/.."
configure_build() { # DIR CC ARGS...
  local dir=$1 cc=$2; shift 2
  CC=$cc cmake -S . -B "$dir" -DZB_WERROR=ON "$@" >/dev/null
  cmake --build "$dir" -j"$(nproc)" >/dev/null
}
build_gcc() { # build/: gcc, Release, with Debian's packaging flags where dpkg-buildflags exists
  local pkg=()
  if command -v dpkg-buildflags >/dev/null 2>&1; then
    pkg=("-DCMAKE_C_FLAGS=$(dpkg-buildflags --get CFLAGS) $(dpkg-buildflags --get CPPFLAGS)"
         "-DCMAKE_EXE_LINKER_FLAGS=$(dpkg-buildflags --get LDFLAGS)"
         "-DCMAKE_SHARED_LINKER_FLAGS=$(dpkg-buildflags --get LDFLAGS)")
  fi
  configure_build build gcc -DCMAKE_BUILD_TYPE=Release "${pkg[@]}"
}
case "${1:-}" in
  --sanitize)
    configure_build build-asan cc -DCMAKE_BUILD_TYPE=Debug -DZB_SANITIZE=ON
    echo build-asan ;;
  --release-matrix)
    command -v clang >/dev/null 2>&1 || { echo "ci/build.sh: clang is not installed" >&2; exit 2; }
    build_gcc
    configure_build build-rel-clang clang -DCMAKE_BUILD_TYPE=Release
    echo "build build-rel-clang" ;;
  *)
    build_gcc
    echo build ;;
esac
