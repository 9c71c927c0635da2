#!/usr/bin/env bash
# ci/docker.sh - the Docker image (Dockerfile, Debian 12). With a working docker engine
# (`docker info` succeeds) it builds the image and smoke-tests it: zbemu starts inside it and
# zbharness backs the emulator up. Without one (a client but no daemon, a CI runner without
# docker) it says so and skips the image, but still builds the image's source set (the
# repository minus .dockerignore) with the image's own build command in a scratch directory on
# a clean Debian-like host, so a Dockerfile that misses a file fails here as well.
# Usage: ci/docker.sh [IMAGE_TAG]
set -uo pipefail
cd "$(dirname "$0")/.."
tag=${1:-zbtools:ci}
if docker info >/dev/null 2>&1; then
  echo "ci/docker.sh: building $tag"
  docker build -t "$tag" . || exit 1
  out=$(docker run --rm "$tag" sh -c '
    zbemu znp --nvram /tmp/nv.json --link /tmp/znp.tty >/tmp/port 2>/tmp/emu.log &
    for i in $(seq 50); do [ -e /tmp/znp.tty ] && break; sleep 0.1; done
    zbharness conformance -q --stack znp --port /tmp/znp.tty --dir /tmp | tail -1
    kill %1; wait') || { echo "$out"; exit 1; }
  echo "$out"
  case "$out" in *"0 failed"*) echo "ci/docker.sh: image $tag works" ;; *) exit 1 ;; esac
  exit 0
fi
echo "ci/docker.sh: SKIPPED building the image: no docker engine here (docker info failed)"
# the same source set and build command as the image, without docker
cmd='cmake -S . -B /build -DCMAKE_BUILD_TYPE=Release -DZB_TESTS=OFF -DZB_WERROR=ON'
grep -qF -- "$cmd" Dockerfile || { echo "ci/docker.sh: the Dockerfile's build command changed; update this script"; exit 1; }
ctx=$(mktemp -d /tmp/zbdocker.XXXXXX)
trap 'rm -rf "$ctx"' EXIT
excludes=()
while read -r pat; do
  case "$pat" in '' | '#'*) continue ;; esac
  excludes+=(--exclude="./$pat")
done <.dockerignore
# tar exits 1 when a file changed while it read it: other suites of ci/test.sh create build
# folders beside it (excluded above, but the top folder's own entry changes); 2 is an error
mkdir -p "$ctx/src" || exit 1
tar -cf - --warning=no-file-changed "${excludes[@]}" . | tar -xf - -C "$ctx/src"
st=("${PIPESTATUS[@]}")
[ "${st[0]}" -le 1 ] && [ "${st[1]}" = 0 ] || { echo "ci/docker.sh: copying the source set failed"; exit 1; }
cd "$ctx/src" || exit 1
${cmd//\/build/$ctx/build} >"$ctx/build.log" 2>&1 &&
  cmake --build "$ctx/build" -j"$(nproc)" --target zbemu zbharness zbmodem >>"$ctx/build.log" 2>&1 ||
  { tail -30 "$ctx/build.log"; echo "ci/docker.sh: the image's source set does not build"; exit 1; }
for f in bin/zbemu bin/zbharness lib/libzbmodem.so; do
  [ -e "$ctx/build/$f" ] || { echo "ci/docker.sh: $f was not built"; exit 1; }
done
"$ctx/build/bin/zbharness" --version
echo "ci/docker.sh: the image's source set builds with its command (zbemu, zbharness, libzbmodem)"
