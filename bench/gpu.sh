#!/usr/bin/env bash
# bench/gpu.sh: everything to run on the GPU machine, in one go, in at most 8 minutes.
#
# Before, on a machine with network access (the GPU machine has none): the llvmlite wheel for
# Python 3.12, kept out of git (it is carried to the GPU machine, never committed):
#   python3 -m pip download --no-deps --only-binary=:all: --python-version 3.12 --implementation cp \
#       --platform manylinux_2_28_x86_64 --platform manylinux_2_27_x86_64 --platform manylinux_2_17_x86_64 \
#       --platform manylinux2014_x86_64 -d .whl llvmlite==0.50.0
#   echo /.whl/ >> .git/info/exclude
# On the GPU machine, from the repository root (with .whl/ carried there):
#   bash bench/gpu.sh                 # logs and results in $OUT (default ./gpu-report)
# Here, on a CPU, the same steps with the GPU's algorithm emulated and small nets (pytest -m gpu skips):
#   GPU_SH_LAUNCHER=host GPU_SH_QUICK=1 bash bench/gpu.sh
# Settings: GPU_SH_LAUNCHER (bench/gpu.py --launcher), GPU_SH_QUICK=1 (--quick), GPU_SH_BUDGET
# (seconds for everything, default 480), GPU_SH_NET_TIMEOUT (bench/gpu.py --timeout, default 40).
#
# Steps, each under `timeout -k 5` and logged to $OUT/NN-STEP.log; a step that fails is recorded
# and the next one runs:
#   setup   llvmlite from .whl/ into /tmp/site, PYTHONPATH=/tmp/site:$PWD (our package is not
#           installed; typer, rich, pytest, cuda-bindings are the machine's own); versions, GPUs, CPUs
#   smoke   python3 -m hvm run-cu tests/programs/hvm/fib.hvm -s --rules (must print Result: 832040)
#   pytest  python3 -m pytest -m gpu -q -p no:cacheprovider tests/ (150 s at most)
#   bench   python3 bench/gpu.py --json $OUT/gpu.json --markdown $OUT/gpu.md, in the time left
# then $OUT/report.txt: each step's outcome, the benchmark's table and every log. The summary and
# the table are printed last. Exit code 0, or 1 when the setup failed.

set -u
cd "$(dirname "$0")/.." || exit 1
export OUT="${OUT:-$PWD/gpu-report}"
export LAUNCHER="${GPU_SH_LAUNCHER:-}" QUICK="${GPU_SH_QUICK:-}" NET_TIMEOUT="${GPU_SH_NET_TIMEOUT:-40}"
export PYTHONPATH="/tmp/site:$PWD" HVM_CACHE_DIR="${HVM_CACHE_DIR:-/tmp/bend-hvm-cache}"
mkdir -p "$OUT" || exit 1
DEADLINE=$((SECONDS + ${GPU_SH_BUDGET:-480}))
RESERVE=10  # seconds kept for the report after the last step
SUMMARY=()
STEP=0

setup() {
    local rc=0
    if compgen -G ".whl/*.whl" > /dev/null; then
        rm -rf /tmp/site
        python3 -m pip install -q --no-index --no-deps --no-compile --target /tmp/site .whl/*.whl || rc=1
    else
        echo "no .whl/*.whl here: llvmlite must be installed already"
    fi
    python3 - <<'EOF'
import importlib.metadata as md, os, sys
print("python", sys.version.split()[0], sys.executable)
for name in ["llvmlite", "typer", "rich", "cuda-bindings", "cuda-python", "pycuda", "numpy", "pytest", "hypothesis"]:
    try:
        print(f"{name:14} {md.version(name):12} {md.distribution(name).locate_file('')}")
    except md.PackageNotFoundError:
        print(f"{name:14} not installed")
print("cores", os.cpu_count(), "usable", len(os.sched_getaffinity(0)))
import llvmlite, hvm, bend  # what every later step needs
print("hvm from", os.path.dirname(hvm.__file__), "llvmlite from", os.path.dirname(llvmlite.__file__))
if llvmlite.__version__ != "0.50.0":
    print("WARNING: llvmlite is", llvmlite.__version__, "not 0.50.0 (pyproject.toml's pin)")
EOF
    ((rc |= $?))
    if command -v nvidia-smi > /dev/null; then
        timeout -k 5 20 nvidia-smi -L
        timeout -k 5 20 nvidia-smi --format=csv \
            --query-gpu=name,driver_version,memory.total,memory.used,compute_mode,clocks.max.sm
    else
        echo "no nvidia-smi"
    fi
    grep -m1 "model name" /proc/cpuinfo
    free -g | head -2
    git log -1 --format="commit %h %s" 2>/dev/null || echo "(no git history here)"
    git status --short 2>/dev/null | head -30
    return "$rc"
}

smoke() {
    local net=tests/programs/hvm/fib.hvm want=832040 out
    if [ -n "$QUICK" ]; then
        net=$(mktemp --suffix=.hvm) && want=6765
        sed 's/@Fib ~ (30 a)/@Fib ~ (20 a)/' tests/programs/hvm/fib.hvm > "$net"
    fi
    out=$(python3 -m hvm run-cu "$net" -s --rules --timeout 45 ${LAUNCHER:+--launcher "$LAUNCHER"} 2>&1)
    echo "$out"
    [ -z "$QUICK" ] || rm -f "$net"
    grep -qx "Result: $want" <<< "$out" || { echo "SMOKE FAILED: expected Result: $want"; return 1; }
}

tests() {
    python3 -m pytest -m gpu -q -rs -p no:cacheprovider --durations=10 tests/
}

bench() {
    python3 bench/gpu.py --json "$OUT/gpu.json" --markdown "$OUT/gpu.md" --timeout "$NET_TIMEOUT" \
        --budget "$1" ${LAUNCHER:+--launcher "$LAUNCHER"} ${QUICK:+--quick}
}

export -f setup smoke tests bench

# step NAME SECONDS COMMAND...: COMMAND under timeout (SECONDS, less if the deadline is nearer),
# its output shown and logged; its outcome added to SUMMARY. Returns its exit code.
step() {
    local name=$1 limit=$2 start=$SECONDS rc status
    shift 2
    local left=$((DEADLINE - RESERVE - SECONDS))
    ((limit > left)) && limit=$left
    STEP=$((STEP + 1))
    local log="$OUT/$(printf %02d "$STEP")-$name.log"
    if ((limit < 10)); then
        echo "=== $name: skipped, no time left" | tee "$log"
        SUMMARY+=("$(printf '%-7s SKIPPED (no time left)' "$name")")
        return 1
    fi
    echo "=== $name (at most ${limit}s): $*" | tee "$log"
    timeout -k 5 "$limit" "$@" < /dev/null 2>&1 | tee -a "$log"
    rc=${PIPESTATUS[0]}
    case $rc in
        0) status=ok ;;
        124 | 137) status="TIMED OUT after ${limit}s" ;;
        *) status="FAILED (exit code $rc)" ;;
    esac
    echo "=== $name: $status in $((SECONDS - start))s" | tee -a "$log"
    SUMMARY+=("$(printf '%-7s %-28s %4ss' "$name" "$status" "$((SECONDS - start))")")
    return "$rc"
}

step setup 60 bash -c setup
SETUP_RC=$?
step smoke 60 bash -c smoke
step pytest 150 bash -c tests
left=$((DEADLINE - RESERVE - SECONDS))
step bench "$left" bash -c 'bench "$0"' "$((left - 10))"

{
    echo "bench/gpu.sh on $(uname -n), $(date -u '+%Y-%m-%d %H:%M UTC');" \
        "${LAUNCHER:+launcher $LAUNCHER; }${QUICK:+quick sizes; }$SECONDS s in all"
    printf '%s\n' "${SUMMARY[@]}"
    if [ -f "$OUT/gpu.md" ]; then echo; cat "$OUT/gpu.md"; fi
    for log in "$OUT"/[0-9][0-9]-*.log; do
        printf '\n\n######## %s\n' "${log##*/}"
        cat "$log"
    done
} > "$OUT/report.txt"
printf '\n######## summary (all in %s/report.txt)\n' "$OUT"
head -n "$((${#SUMMARY[@]} + 1))" "$OUT/report.txt"
if [ -f "$OUT/gpu.md" ]; then echo; cat "$OUT/gpu.md"; fi
((SETUP_RC == 0)) || { echo "the setup failed: see $OUT/01-setup.log"; exit 1; }
exit 0
