#!/usr/bin/env bash
# ci/docker.sh - the container image (Dockerfile, Debian 12), built and run. CI has no image
# registry (so no debian:12-slim to build FROM) and, so far, no engine that can run a container,
# but it reaches Debian's mirror. So this builds the Dockerfile's runtime image without docker:
#  1. reads the Dockerfile's last stage (FROM, RUN, COPY, USER, WORKDIR, HEALTHCHECK, CMD; any
#     other instruction is an error) and its build stage's build-and-install RUN;
#  2. builds the image's source set (the repository minus .dockerignore) with that RUN, verbatim
#     but for the /build and /stage folders, into a staged /usr/local (CMake's install rules);
#  3. checks ci/image/runtime-packages against the libraries the built files link (objdump,
#     ldd, dpkg -S): every package of a directly linked library listed (libc6 aside), every
#     listed package linked (unless marked '# unlinked: WHY');
#  4. builds the root file system with mmdebstrap: Debian 12 minbase, slimmed as the official
#     -slim images are (no docs but copyright, man pages, info, locales), merged /usr, plus the
#     runtime packages, the Dockerfile's useradd and the staged /usr/local: a tar to import;
#  5. fails when that tar exceeds the size budget in docs/ci.md (ZB_IMAGE_BUDGET_MB overrides
#     it, to see the check fail), and when its /usr/local differs from the staged one;
#  6. runs the image: with a docker or podman engine that can run a container (tried, not
#     assumed), imports the tar, adds the Dockerfile's USER/WORKDIR/HEALTHCHECK/CMD and runs the
#     container; otherwise in the extracted root file system by chroot, as the image's USER (by
#     setpriv, from its WORKDIR) in private mount, PID and network namespaces (the mounts go
#     with them on every exit path). Either way: the CMD, the HEALTHCHECK's command, and
#     ci/image/smoke.sh (the demo ending `equal`, a conformance run with 0 failed).
# Usage: ci/docker.sh [IMAGE_TAG]    (root; bash ci/setup.sh --tests installs what it uses)
# ZB_IMAGE_OUT=DIR keeps the root file system tar and the config lines to import it with.
set -uo pipefail
cd "$(dirname "$0")/.." || exit 2
tag=${1:-zbtools:ci}
die() { echo "ci/docker.sh: FAILED: $*" >&2; exit 1; }
step() { echo "== $*"; }

[ "$(id -u)" = 0 ] || die "needs root (mmdebstrap, chroot, mount namespaces)"
for t in mmdebstrap chroot unshare setpriv objdump ldd dpkg python3; do
  command -v "$t" >/dev/null 2>&1 || die "$t is not installed (bash ci/setup.sh --tests installs it)"
done
pkg_file=ci/image/runtime-packages
mapfile -t pkgs < <(sed 's/#.*//' "$pkg_file" | tr -s ' \t' '\n' | sed '/^$/d')
((${#pkgs[@]})) || die "$pkg_file lists no package"

# -- 1. the Dockerfile, one instruction a line (continuations joined, comments dropped)
mapfile -t ins < <(sed '/^[[:space:]]*#/d' Dockerfile |
  awk '{ if (sub(/\\$/, "")) { buf = buf $0; next } print buf $0; buf = "" }' | sed '/^[[:space:]]*$/d')
last=-1
for i in "${!ins[@]}"; do [[ ${ins[$i]} == FROM* ]] && last=$i; done
((last > 0)) || die "the Dockerfile has no build stage and runtime stage"
build_run=
for ((i = 0; i < last; i++)); do
  [[ ${ins[$i]} == RUN* && ${ins[$i]} == *"cmake --install"* ]] && build_run=${ins[$i]#RUN }
done
[ -n "$build_run" ] || die "the Dockerfile's build stage has no RUN with 'cmake --install'; update ci/docker.sh"
from='' rt_run='' copy='' user='' workdir='' health='' cmd=''
for ((i = last; i < ${#ins[@]}; i++)); do
  line=${ins[$i]} kw=${ins[$i]%% *} arg=${ins[$i]#* }
  case "$kw" in
    FROM) from=$arg ;;
    RUN) [ -z "$rt_run" ] || die "the last stage has two RUNs; ci/docker.sh knows one"; rt_run=$arg ;;
    COPY) [ -z "$copy" ] || die "the last stage has two COPYs; ci/docker.sh knows one"; copy=$arg ;;
    USER) user=$arg ;;
    WORKDIR) workdir=$arg ;;
    HEALTHCHECK) health=$arg ;;
    CMD) cmd=$arg ;;
    *) die "the Dockerfile's last stage has '$line', which the root file system build does not do; update ci/docker.sh" ;;
  esac
done
[ "$from" = debian:12-slim ] || die "the last stage is FROM '$from', not debian:12-slim (= mmdebstrap bookworm minbase, slim)"
[[ $rt_run == *"$pkg_file"* ]] || die "the last stage's RUN does not install $pkg_file"
useradd=$(grep -o 'useradd [^&;|]*' <<<"$rt_run" | sed 's/[[:space:]]*$//')
[ -n "$useradd" ] || die "the last stage's RUN creates no user (useradd)"
[ "$copy" = "--from=build /stage/usr/local/ /usr/local/" ] ||
  die "the last stage copies '$copy', not the staged /usr/local ('--from=build /stage/usr/local/ /usr/local/')"
{ [ -n "$user" ] && [ "$user" != root ] && [ "$user" != 0 ]; } || die "the image's USER is '${user:-unset}', not a non-root user"
{ [ -n "$workdir" ] && [ -n "$cmd" ] && [ -n "$health" ]; } || die "the last stage lacks WORKDIR, CMD or HEALTHCHECK"
# exec-form JSON arrays (CMD, HEALTHCHECK ... CMD) into bash arrays
json_argv() { python3 -c 'import json, sys; a = json.loads(sys.argv[1]); assert isinstance(a, list) and a and all(isinstance(x, str) for x in a); print("\0".join(a), end="")' "$1"; }
{ mapfile -d '' -t cmd_argv < <(json_argv "$cmd") && ((${#cmd_argv[@]})); } || die "CMD is not an exec-form JSON array: $cmd"
[[ $health == *" CMD ["* ]] || die "HEALTHCHECK is not '[OPTIONS] CMD [exec form]': $health"
{ mapfile -d '' -t health_argv < <(json_argv "[${health#* CMD [}") && ((${#health_argv[@]})); } ||
  die "the HEALTHCHECK's CMD is not an exec-form JSON array: $health"
config=("USER $user" "WORKDIR $workdir" "HEALTHCHECK $health" "CMD $cmd")
step "the Dockerfile's runtime stage: packages from $pkg_file (${pkgs[*]}), '$useradd', the staged /usr/local;" \
  "config:"
printf '   %s\n' "${config[@]}"

# -- 2. the image's source set, built and installed with the Dockerfile's own RUN
ctx=$(mktemp -d /tmp/zbdocker.XXXXXX) || die "mktemp"
engine='' eimg='' imported_by=''
cleanup() {
  [ -n "$imported_by" ] && "$imported_by" rmi -f "$tag" "$eimg" >/dev/null 2>&1
  # the chroot's mounts live in a namespace that ends with its processes; never rm through one
  if findmnt -rn -o TARGET | grep -qF "$ctx"; then
    echo "ci/docker.sh: mounts left under $ctx; not removing it" >&2
  else
    rm -rf "$ctx"
  fi
}
trap cleanup EXIT
# the long steps run as background jobs that the script waits for, so that a TERM or INT (a
# timeout, ^C) stops them and runs the cleanup at once, not when they end
child=''
exec 3>&2 # the script's stderr, for the trap (a job's own redirections are in force there)
descendants() { # PID: its descendants (by parent id, procps' pgrep)
  local c
  for c in $(pgrep -P "$1"); do echo "$c"; descendants "$c"; done
}
on_signal() { # the job first (mmdebstrap and timeout clean up after themselves), then orphans
  local rest=()
  if [ -n "$child" ]; then
    mapfile -t rest < <(descendants "$child")
    kill "$child" 2>/dev/null
    wait "$child"
    ((${#rest[@]})) && kill "${rest[@]}" 2>/dev/null
  fi
  echo "ci/docker.sh: stopped by a signal" >&3
  exit "$1"
}
trap 'on_signal 143' TERM
trap 'on_signal 130' INT
trap 'on_signal 129' HUP
long() { # CMD...: CMD as a job the signal trap can stop; its exit status
  local rc
  "$@" <&0 &
  child=$!
  wait "$child"
  rc=$?
  child=''
  return "$rc"
}
excludes=()
while read -r pat; do
  case "$pat" in '' | '#'*) continue ;; esac
  excludes+=(--exclude="./$pat")
done <.dockerignore
# tar exits 1 when a file changed while it read it: other suites of ci/test.sh create build
# folders beside it (excluded above, but the top folder's own entry changes); 2 is an error
mkdir -p "$ctx/src" || die "mkdir $ctx/src"
tar -cf - --warning=no-file-changed "${excludes[@]}" . | tar -xf - -C "$ctx/src"
st=("${PIPESTATUS[@]}")
{ [ "${st[0]}" -le 1 ] && [ "${st[1]}" = 0 ]; } || die "copying the source set"
run=${build_run// \/build/ $ctx/build}
run=${run//DESTDIR=\/stage/DESTDIR=$ctx/stage}
[[ $run != *" /build"* && $run != *"=/stage"* ]] || die "the build RUN has /build or /stage where ci/docker.sh cannot move them: $build_run"
step "build: $build_run"
long bash -c "set -e; cd \"\$0\"; $run" "$ctx/src" >"$ctx/build.log" 2>&1 ||
  { tail -30 "$ctx/build.log"; die "the image's source set does not build and install with the Dockerfile's RUN"; }
stage=$ctx/stage
mapfile -t staged < <(cd "$stage" && find usr/local ! -type d | LC_ALL=C sort)
((${#staged[@]})) || die "the install staged nothing under /usr/local"
printf '   staged /%s\n' "${staged[@]}"
for f in usr/local/bin/zbemu usr/local/bin/zbharness usr/local/lib/libzbmodem.so; do
  [ -e "$stage/$f" ] || die "the install did not stage /$f"
done

# -- 3. the runtime packages cover what the built files link, and no more
owner_of() { # LIBPATH: its Debian package (merged /usr: dpkg knows one of the two paths)
  local p o
  for p in "$1" "$(readlink -f "$1")" "/usr$1" "${1#/usr}"; do
    o=$(dpkg -S "$p" 2>/dev/null | head -n1) && [ -n "$o" ] && { echo "${o%%:*}"; return 0; }
  done
  return 1
}
declare -A need=()
for f in "${staged[@]}"; do
  objdump -p "$stage/$f" >"$ctx/objdump" 2>/dev/null || continue # not an ELF file
  ldd "$stage/$f" >"$ctx/ldd" 2>&1 || die "ldd /$f: $(cat "$ctx/ldd")"
  while read -r lib; do
    path=$(awk -v l="$lib" '$1 == l && $2 == "=>" { print $3 }' "$ctx/ldd")
    { [ -n "$path" ] && [ "$path" != "not" ]; } || die "/$f links $lib, which this host does not have (ldd)"
    pkg=$(owner_of "$path") || die "/$f links $path, which no Debian package owns (dpkg -S)"
    need[$pkg]+=" /$f:$lib"
  done < <(awk '$1 == "NEEDED" { print $2 }' "$ctx/objdump")
done
bad=0
for pkg in "${!need[@]}"; do
  [ "$pkg" = libc6 ] && continue
  [[ " ${pkgs[*]} " == *" $pkg "* ]] && continue
  echo "ci/docker.sh: $pkg (linked by${need[$pkg]}) is missing from $pkg_file" >&2; bad=1
done
for pkg in "${pkgs[@]}"; do
  [ -n "${need[$pkg]:-}" ] && continue
  grep -Eq "^[[:space:]]*${pkg}[[:space:]]*#[[:space:]]*unlinked:" "$pkg_file" && continue
  echo "ci/docker.sh: $pkg_file lists $pkg, which no built file links (mark it '# unlinked: WHY' if it is needed)" >&2; bad=1
done
((bad == 0)) || die "$pkg_file does not match the libraries zbemu, zbharness and libzbmodem.so link"
step "runtime packages: $pkg_file matches the linked libraries:"
for pkg in "${!need[@]}"; do echo "   $pkg:${need[$pkg]}"; done | LC_ALL=C sort

# -- 4. the root file system (Debian 12 minbase as debian:12-slim, + the runtime stage)
step "mmdebstrap bookworm minbase + ${pkgs[*]} (log: mmdebstrap.log)"
slim=()
for p in /usr/share/doc/'*' /usr/share/groff/'*' /usr/share/info/'*' /usr/share/linda/'*' \
  /usr/share/lintian/overrides/'*' /usr/share/locale/'*' /usr/share/man/'*'; do
  slim+=("--dpkgopt=path-exclude=$p")
done
slim+=("--dpkgopt=path-include=/usr/share/doc/*/copyright" "--dpkgopt=path-include=/usr/share/locale/locale.alias")
t0=$EPOCHREALTIME
# in its own mount namespace: the mounts mmdebstrap makes in its chroot go with it, even killed;
# in its own session: on an error it sends SIGHUP to its whole process group
long setsid unshare --mount --propagation private mmdebstrap --variant=minbase --include="$(IFS=,; echo "${pkgs[*]}")" \
  --hook-dir=/usr/share/mmdebstrap/hooks/merged-usr "${slim[@]}" --skip=check/signed-by \
  --customize-hook="chroot \"\$1\" $useradd" \
  --customize-hook="sync-in $stage/usr/local /usr/local" \
  bookworm "$ctx/rootfs.tar" </dev/null >"$ctx/mmdebstrap.log" 2>&1 ||
  { tail -20 "$ctx/mmdebstrap.log"; die "mmdebstrap could not build the root file system (Debian's mirror reachable?)"; }
echo "   built in $(awk -v a="$t0" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.0f", b - a }') s"

# -- 5. size budget; /usr/local as staged
size=$(stat -c %s "$ctx/rootfs.tar")
budget_mb=${ZB_IMAGE_BUDGET_MB:-$(grep -o 'size budget: \*\*[0-9]* MB\*\*' docs/ci.md | grep -o '[0-9]*')}
[ -n "$budget_mb" ] || die "docs/ci.md states no 'size budget: **N MB**'"
size_mb=$(awk -v s="$size" 'BEGIN { printf "%.1f", s / 1e6 }')
((size <= budget_mb * 1000000)) ||
  die "the image is $size_mb MB ($size bytes, the root file system's tar), over its budget of $budget_mb MB (docs/ci.md)"
step "size: $size_mb MB ($size bytes), budget $budget_mb MB"
root=$ctx/root
{ mkdir "$root" && tar -xpf "$ctx/rootfs.tar" --numeric-owner -C "$root"; } || die "extracting the root file system"
# what /usr/local holds that no package owns, but base-files' man -> share/man link
mapfile -t inimg < <(cd "$root" && find usr/local ! -type d ! -path usr/local/man | LC_ALL=C sort)
[ "${inimg[*]}" = "${staged[*]}" ] || {
  diff <(printf '%s\n' "${staged[@]}") <(printf '%s\n' "${inimg[@]}")
  die "the root file system's /usr/local differs from what the Dockerfile's RUN installs (< staged, > image)"
}
step "/usr/local: the Dockerfile's install and the root file system hold the same ${#staged[@]} files"
grep -q "^$user:" "$root/etc/passwd" || die "the image has no user $user"
# shellcheck disable=SC2016 # $f: expanded by the image's sh
out=$(chroot "$root" sh -c 'for f in /usr/local/bin/* /usr/local/lib/*.so; do ldd "$f"; done' 2>&1) ||
  { echo "$out"; die "ldd inside the image"; }
[[ $out != *"not found"* ]] || { echo "$out"; die "a library of zbemu/zbharness/libzbmodem.so is missing in the image"; }
if [ -n "${ZB_IMAGE_OUT:-}" ]; then
  { mkdir -p "$ZB_IMAGE_OUT" && cp "$ctx/rootfs.tar" "$ZB_IMAGE_OUT/" &&
    printf '%s\n' "${config[@]}" >"$ZB_IMAGE_OUT/config"; } || die "writing $ZB_IMAGE_OUT"
  echo "   kept: $ZB_IMAGE_OUT/rootfs.tar and $ZB_IMAGE_OUT/config (docs/ci.md: importing it)"
fi
data=$ctx/data
{ mkdir "$data" && cp vectors/backups/valid/znp-CC2652R-ZStack4.json "$data/backup.json" &&
  chmod -R a+rX "$data"; } || die "preparing the smoke test's data"

# -- 6. run it: in a container engine that can run one, else by chroot
check_runs() { # NAME RC OUTPUT [WANT]: an image command's exit status and output
  [ "$2" = 0 ] || { echo "$3"; die "$1 exited $2"; }
  [ -z "${4:-}" ] || [[ $3 == *"$4"* ]] || { echo "$3"; die "$1 did not print '$4'"; }
  echo "   $1: ok"
}
for e in docker podman; do
  command -v "$e" >/dev/null 2>&1 && "$e" info >/dev/null 2>&1 && { engine=$e; break; }
done
if [ -n "$engine" ]; then
  eimg=$tag-rootfs
  step "$engine answers: importing the root file system as $tag"
  fmt=()
  [ "$engine" = podman ] && fmt=(--format docker) # OCI image configs have no HEALTHCHECK
  { mkdir "$ctx/config" && printf 'FROM %s\n' "$eimg" >"$ctx/config/Containerfile" &&
    printf '%s\n' "${config[@]}" >>"$ctx/config/Containerfile"; } || die "writing $ctx/config/Containerfile"
  imported_by=$engine
  { "$engine" import "$ctx/rootfs.tar" "$eimg" >"$ctx/engine.log" 2>&1 &&
    "$engine" build "${fmt[@]}" -t "$tag" -f "$ctx/config/Containerfile" "$ctx/config" >>"$ctx/engine.log" 2>&1; } ||
    { cat "$ctx/engine.log"; die "$engine could not import or configure the root file system"; }
  # the config the image carries: the Dockerfile's, HEALTHCHECK included
  got=$("$engine" image inspect --format \
    $'{{.Config.User}}\t{{.Config.WorkingDir}}\t{{json .Config.Cmd}}\t{{json .Config.Healthcheck.Test}}' "$tag") ||
    die "$engine image inspect $tag"
  want=$(python3 -c 'import json, sys; print("%s|%s|%s|%s" % (sys.argv[1], sys.argv[2], json.dumps(json.loads(sys.argv[3])), json.dumps(["CMD"] + json.loads(sys.argv[4]))))' \
    "$user" "$workdir" "$cmd" "[${health#* CMD [}")
  got=$(IFS=$'\t' read -r u w c h <<<"$got" && python3 -c 'import json, sys; print("%s|%s|%s|%s" % (sys.argv[1], sys.argv[2], json.dumps(json.loads(sys.argv[3])), json.dumps(json.loads(sys.argv[4]))))' "$u" "$w" "$c" "$h")
  [ "$got" = "$want" ] || die "$tag's config is '$got', not the Dockerfile's '$want'"
  echo "   $tag's config (user, workdir, CMD, HEALTHCHECK): the Dockerfile's"
  if ! probe=$("$engine" run --rm "$tag" true 2>&1); then
    echo "   but $engine cannot run a container here: $probe"
    engine=''
  fi
fi
if [ -n "$engine" ]; then
  step "$engine runs $tag"
  out=$("$engine" run --rm "$tag" 2>&1); check_runs "CMD ${cmd_argv[*]}" $? "$out" usage
  out=$("$engine" run --rm "$tag" "${health_argv[@]}" 2>&1); check_runs "HEALTHCHECK ${health_argv[*]}" $? "$out"
  "$engine" run --rm -i --network none -v "$data:/mnt:ro" "$tag" bash -s /mnt <ci/image/smoke.sh ||
    die "ci/image/smoke.sh in the container"
  echo "ci/docker.sh: image $tag ($engine): built, $size_mb MB of $budget_mb MB, runs"
  exit 0
fi
if [ -n "$eimg" ]; then step "running the image by chroot instead"
else step "no container engine answers (docker info, podman info): running the image by chroot"; fi
# in_image ARGV...: ARGV inside the root file system as the image's USER from its WORKDIR, with
# its own /proc, a private pty instance and the smoke data read-only on /mnt, in new mount, PID
# and network namespaces: ending them (on any exit, or a kill) ends the processes and mounts
# shellcheck disable=SC2016 # a script for bash -c, its arguments and environment
inner='set -eu
root=$1; shift
trap "umount -R \"\$root/proc\" \"\$root/dev/pts\" \"\$root/dev/ptmx\" \"\$root/mnt\" 2>/dev/null" EXIT
mount -t proc proc "$root/proc"
mount -t devpts -o newinstance,ptmxmode=0666,mode=0620 devpts "$root/dev/pts"
mount --bind "$root/dev/pts/ptmx" "$root/dev/ptmx"
mount --bind "$DATA" "$root/mnt" && mount -o remount,bind,ro "$root/mnt"
g=$(chroot "$root" id -g "$USER_")
chroot "$root" setpriv --reuid="$USER_" --regid="$g" --init-groups --reset-env -- \
  env PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
  sh -c "cd \"\$0\" && exec \"\$@\"" "$WORKDIR_" "$@"'
in_image() {
  DATA=$data USER_=$user WORKDIR_=$workdir exec timeout 600 \
    unshare --mount --propagation private --net --pid --kill-child bash -c "$inner" _ "$root" "$@"
}
out=$(in_image "${cmd_argv[@]}" 2>&1); check_runs "CMD ${cmd_argv[*]}" $? "$out" usage
out=$(in_image "${health_argv[@]}" 2>&1); check_runs "HEALTHCHECK ${health_argv[*]}" $? "$out"
long in_image bash -s /mnt <ci/image/smoke.sh || die "ci/image/smoke.sh in the image's root file system (chroot)"
findmnt -rn -o TARGET | grep -F "$root" && die "mounts left under $root after the chroot runs"
why="no container engine answers here"
[ -n "$imported_by" ] && why="$imported_by imported and configured it, but cannot run a container here"
echo "ci/docker.sh: image root file system built ($size_mb MB of $budget_mb MB) and run by chroot as $user ($why)"
