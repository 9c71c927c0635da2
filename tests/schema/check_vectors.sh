#!/usr/bin/env bash
# check_vectors.sh BUILD_DIR - check the OCB test vectors against both JSON schemas (ajv-cli) and,
# when it is built, against `zbharness validate`.
#
# For every row of vectors/backups/EXPECT.tsv (file, upstream, strict, validate, where):
#   * ajv-cli with schema/upstream.schema.json must say `upstream` (pass/fail),
#   * ajv-cli with schema/strict.schema.json must say `strict`,
#   * BUILD_DIR/bin/zbharness validate FILE must exit 0 for ok/warn and 1 for error, print a line
#     "FILE: error: WHERE: ..." (error) or "FILE: warning: WHERE: ..." (warn) - for WHERE "-" just
#     "FILE: error: ..." - and, for ok, no error or warning line at all.
# Plus: every vector file has an EXPECT row and every row a file; a 10 MB garbage file generated
# here must fail both schemas and make zbharness exit exactly 1 within 10 s; the NVRAM-derived
# vectors and the hand-made ones must be what vectors/tools/*.py produce (when the reference data
# is present).
# Prints one line per failed check, then "schema: N passed, M failed"; exits 1 if M > 0.
set -euo pipefail

if [ $# -ne 1 ]; then
    echo "usage: $0 BUILD_DIR" >&2
    exit 2
fi
BUILD=$(cd "$1" 2>/dev/null && pwd) || { echo "no such build directory: $1" >&2; exit 2; }
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
VEC=$ROOT/vectors/backups
EXPECT=$VEC/EXPECT.tsv
AJV=$ROOT/tests/node/node_modules/.bin/ajv
ZBH=$BUILD/bin/zbharness
SHARED=${ZB_SHARED_DIR:-$ROOT/../shared}
[ -d "$SHARED" ] || SHARED=/work/shared

passed=0
failed=0
ok() { passed=$((passed + 1)); }
bad() {
    failed=$((failed + 1))
    echo "FAIL: $*"
}

TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT

# ---------------------------------------------------------------- ajv-cli
if [ ! -x "$AJV" ]; then
    echo "ajv-cli missing, running npm ci --prefix tests/node"
    npm ci --prefix "$ROOT/tests/node" >"$TMP/npm.log" 2>&1 || { cat "$TMP/npm.log"; }
fi
if [ ! -x "$AJV" ]; then
    bad "ajv-cli: $AJV not found (npm ci --prefix tests/node failed)"
    echo "schema: $passed passed, $failed failed"
    exit 1
fi

# EXPECT rows
declare -a FILES=()
declare -A EXP_UP=() EXP_ST=() EXP_VA=() EXP_WHERE=()
line_no=0
while IFS=$'\t' read -r f up st va where rest || [ -n "${f:-}" ]; do
    line_no=$((line_no + 1))
    [ "$line_no" = 1 ] && continue # header
    [ -z "$f" ] && continue
    case "$up/$st/$va" in
        pass/pass/* | pass/fail/* | fail/pass/* | fail/fail/*) ;;
        *) bad "EXPECT.tsv line $line_no: bad verdicts '$up' '$st'"; continue ;;
    esac
    case "$va" in ok | warn | error) ;; *) bad "EXPECT.tsv line $line_no: bad validate '$va'"; continue ;; esac
    if [ -z "${where:-}" ] || [ -n "${rest:-}" ]; then
        bad "EXPECT.tsv line $line_no: expected 5 tab-separated columns"
        continue
    fi
    FILES+=("$f")
    EXP_UP[$f]=$up
    EXP_ST[$f]=$st
    EXP_VA[$f]=$va
    EXP_WHERE[$f]=$where
done <"$EXPECT"

# every vector file is listed, every listed file exists
declare -A LISTED=()
for f in "${FILES[@]}"; do
    LISTED[$f]=1
    if [ -f "$VEC/$f" ]; then ok; else bad "$f: listed in EXPECT.tsv but missing"; fi
done
while IFS= read -r f; do
    if [ -n "${LISTED[$f]:-}" ]; then ok; else bad "$f: vector file without an EXPECT.tsv row"; fi
done < <(cd "$VEC" && find valid quirks invalid -type f | LC_ALL=C sort)

# ajv_verdicts KEY SCHEMA STRICT FILE... -> VERDICT[KEY/FILE] = pass | fail (| ajv-error: ...)
# Many files per node start-up. ajv-cli 5.0.0 validates the -d files in order, printing
# "FILE valid" (stdout) or "FILE invalid" (stderr) for each, but a file it cannot parse makes it
# print "error: ..." and exit 2 on the spot: that file counts as "fail" and the batch resumes after it.
declare -A VERDICT=()
ajv_verdicts() {
    local key=$1 schema=$2 strict=$3
    shift 3
    local -a todo=("$@") rest args
    local f rc out aborted
    while [ ${#todo[@]} -gt 0 ]; do
        args=()
        for f in "${todo[@]}"; do args+=(-d "$f"); done
        rc=0
        out=$(cd "$VEC" && "$AJV" validate --spec=draft7 --strict="$strict" --errors=line \
            -s "$schema" "${args[@]}" 2>&1) || rc=$?
        declare -A seen=()
        while IFS= read -r l; do
            case "$l" in
                *" valid") seen[${l% valid}]=pass ;;
                *" invalid") seen[${l% invalid}]=fail ;;
            esac
        done <<<"$out"
        rest=()
        aborted=0
        for f in "${todo[@]}"; do
            if [ -n "${seen[$f]:-}" ]; then
                VERDICT[$key/$f]=${seen[$f]}
            elif [ "$aborted" = 0 ]; then
                aborted=1
                if [ "$rc" = 2 ] && grep -q "^error: .*$(basename "$f")" <<<"$out"; then
                    VERDICT[$key/$f]=fail # unparseable data file
                else
                    VERDICT[$key/$f]="ajv-error: rc=$rc $(head -c 300 <<<"$out" | tr '\n' ' ')"
                    # a schema problem would repeat for every file: give up on this batch
                    local g
                    for g in "${todo[@]}"; do
                        [ -n "${VERDICT[$key/$g]:-}" ] || VERDICT[$key/$g]="ajv-error: rc=$rc"
                    done
                    rest=()
                    break
                fi
            else
                rest+=("$f")
            fi
        done
        unset seen
        todo=("${rest[@]}")
    done
}

ajv_verdicts upstream "$ROOT/schema/upstream.schema.json" false "${FILES[@]}"
ajv_verdicts strict "$ROOT/schema/strict.schema.json" true "${FILES[@]}"
for f in "${FILES[@]}"; do
    for key in upstream strict; do
        if [ "$key" = upstream ]; then want=${EXP_UP[$f]}; else want=${EXP_ST[$f]}; fi
        got=${VERDICT[$key/$f]:-none}
        if [ "$got" = "$want" ]; then ok; else bad "$f: $key schema: expected $want, ajv says $got"; fi
    done
done

# 10 MB of garbage (generated, never committed): starts like a backup, then random bytes
mkdir -p "$TMP/gen"
GARBAGE=$TMP/gen/garbage-10mb.json
{
    printf '{"metadata": {"format": "zigpy/open-coordinator-backup", "devices": ['
    head -c $((10 * 1024 * 1024)) /dev/urandom
} >"$GARBAGE"
for key in upstream strict; do
    if [ "$key" = upstream ]; then strict=false; else strict=true; fi
    rc=0
    out=$("$AJV" validate --spec=draft7 --strict=$strict -s "$ROOT/schema/$key.schema.json" \
        -d "$GARBAGE" 2>&1) || rc=$?
    if [ "$rc" != 0 ] && ! grep -q " valid$" <<<"$out"; then
        ok
    else
        bad "generated garbage-10mb.json: $key schema: expected fail, ajv exit $rc"
    fi
done

# ---------------------------------------------------------------- reproducible vectors
if command -v python3 >/dev/null; then
    if out=$(python3 "$ROOT/vectors/tools/derive_znp_backup.py" --check \
        --nvram-dir "$ROOT/vectors/nvram/znp" 2>&1); then
        ok
    else
        bad "derive_znp_backup.py --check: $(grep -v '^ok' <<<"$out" | tr '\n' ' ')"
    fi
    if [ ! -d "$SHARED/ocb/upstream" ]; then
        echo "$SHARED/ocb/upstream not found: skipped make_vectors.py --check"
    elif out=$(python3 "$ROOT/vectors/tools/make_vectors.py" --check \
        --upstream-dir "$SHARED/ocb/upstream" 2>&1); then
        ok
    else
        bad "make_vectors.py --check: $(tr '\n' ' ' <<<"$out")"
    fi
else
    echo "python3 not found, skipped re-deriving the vectors"
fi

# ---------------------------------------------------------------- zbharness validate
# run_validate FILE (relative to the cwd) -> RC, OUT
run_validate() {
    RC=0
    OUT=$(timeout 10 "$ZBH" validate "$1" 2>&1) || RC=$?
}

# has_line_starting PREFIX: does a line of $OUT start with PREFIX (literally)?
has_line_starting() {
    awk -v p="$1" 'index($0, p) == 1 { found = 1 } END { exit !found }' <<<"$OUT"
}

if [ -x "$ZBH" ]; then
    cd "$VEC"
    for f in "${FILES[@]}"; do
        va=${EXP_VA[$f]}
        where=${EXP_WHERE[$f]}
        run_validate "$f"
        case "$va" in ok | warn) want_rc=0 ;; *) want_rc=1 ;; esac
        if [ "$RC" = "$want_rc" ]; then
            ok
        else
            case "$RC" in
                124) why="timed out after 10 s" ;;
                0 | 1) why="exit $RC" ;;
                *) why="exit $RC (crash?)" ;;
            esac
            bad "$f: validate: expected exit $want_rc ($va), got $why: $(head -n 3 <<<"$OUT" | tr '\n' ' ')"
        fi
        case "$va" in
            ok)
                if has_line_starting "$f: error: " || has_line_starting "$f: warning: "; then
                    bad "$f: validate: expected no error/warning, got: $(head -n 1 <<<"$OUT")"
                else
                    ok
                fi
                continue
                ;;
            warn) prefix="$f: warning: " ;;
            error) prefix="$f: error: " ;;
        esac
        [ "$where" != "-" ] && prefix="$prefix$where: "
        if has_line_starting "$prefix"; then
            ok
        else
            bad "$f: validate: expected a line '$prefix...', got: $(head -n 2 <<<"$OUT" | tr '\n' ' ')"
        fi
    done

    # the generated 10 MB garbage: error, no crash, exit exactly 1, within 10 s
    cd "$TMP/gen"
    g=$(basename "$GARBAGE")
    start=$(date +%s%N)
    run_validate "$g"
    ms=$((($(date +%s%N) - start) / 1000000))
    if [ "$RC" = 1 ] && [ "$ms" -le 10000 ]; then
        ok
    else
        bad "generated $g: validate: expected exit 1 within 10 s, got exit $RC after ${ms} ms"
    fi
    if has_line_starting "$g: error: "; then
        ok
    else
        bad "generated $g: validate: expected a line '$g: error: ...', got: $(head -c 200 <<<"$OUT" | tr '\n' ' ')"
    fi
    cd "$ROOT"
else
    echo "zbharness not built, skipped validate checks"
fi

echo "schema: $passed passed, $failed failed"
[ "$failed" = 0 ]
