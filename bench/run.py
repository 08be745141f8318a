"""Benchmarks: every sample net on each backend, at 1 thread and at all threads.

    python3 bench/run.py                     # the native runtime, 1 thread and all threads
    python3 bench/run.py --backends c,py     # the reference evaluator too (minutes)
    python3 bench/run.py --threads 1,2,4,8,16 --repeat 5 --save bench/latest.json

Each run is a fresh process (`python -m hvm run-c FILE -s -t N`); the table shows the best
of `--repeat` runs: interactions (checked against EXPECTED.md), seconds, MIPS, the peak
resident memory of the process, and the ratios to HVM2's figures in EXPECTED.md (MIPS of
its fastest CPU mode, gen-c, and its peak RSS). A warm-up run fills the code cache first,
so compile time is not in the figures; `--cold` runs once with --no-cache instead, which puts
the compile time in the process wall-clock column.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import re
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DIR = ROOT / "tests" / "programs" / "hvm"
PROGRAMS = ["tree_sum", "bitonic_sort", "list_sum", "fib", "church_not"]


def hvm2_figures(folder: Path) -> dict[str, dict]:
    """EXPECTED.md's table: result, ITRS, HVM2 interp / gen-c MIPS and gen-c peak RSS (MB)."""
    table = {}
    for line in (folder / "EXPECTED.md").read_text().splitlines():
        cells = [c.strip() for c in line.split("|")]
        if len(cells) > 6 and cells[1].endswith(".hvm"):
            number = lambda text: float(re.sub(r"[^\d.]", "", text)) if re.search(r"\d", text) else None  # noqa: E731
            table[cells[1][:-4]] = {
                "result": cells[2].strip("`"), "itrs": int(cells[3].replace(",", "")),
                "interp_mips": number(cells[4]), "genc_mips": number(cells[5]), "genc_rss_mb": number(cells[6]),
            }
    return table


def run_once(backend: str, path: Path, threads: int, cold: bool = False, warm_up: bool = False) -> dict:
    command = [sys.executable, "-m", "hvm", f"run-{backend}", str(path), "-s"]
    if backend == "c":
        command += ["-t", str(threads)] + (["--no-cache"] if cold else []) + (["--optimize-first"] if warm_up else [])
    start = time.perf_counter()
    proc = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    out, err = proc.stdout.read(), proc.stderr.read()
    if os.waitstatus_to_exitcode(status) != 0:
        raise RuntimeError(f"{' '.join(command)} failed:\n{err}")
    field = lambda name: re.search(rf"- {name}: ([\d.]+)", out).group(1)  # noqa: E731
    itrs, mips = int(field("ITRS")), float(field("MIPS"))
    return {
        "result": re.search(r"Result: (.*)", out).group(1),
        "itrs": itrs, "mips": mips, "seconds": itrs / mips / 1e6 if mips else float(field("TIME")),
        "rss_mb": usage.ru_maxrss / 1024, "wall": wall,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--dir", type=Path, default=DEFAULT_DIR, help="folder of .hvm nets with EXPECTED.md")
    parser.add_argument("--programs", default=",".join(PROGRAMS))
    parser.add_argument("--backends", default="c", help="comma-separated: c (native), py (reference)")
    parser.add_argument("--threads", default="1,all", help="comma-separated thread counts; all = every core")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--cold", action="store_true", help="one run with --no-cache: compile time in the wall column")
    parser.add_argument("--save", type=Path, help="write the figures as JSON")
    parser.add_argument("--baseline", type=Path, help="JSON from an earlier --save, to compare against")
    args = parser.parse_args()

    cores = len(os.sched_getaffinity(0))
    thread_counts = sorted({cores if t == "all" else int(t) for t in args.threads.split(",")})
    expected = hvm2_figures(args.dir)
    baseline = json.loads(args.baseline.read_text()) if args.baseline else {}
    rows, figures, problems = [], {}, []
    for name in args.programs.split(","):
        path = args.dir / f"{name}.hvm"
        want = expected[name]
        for backend in args.backends.split(","):
            for threads in (thread_counts if backend == "c" else [1]):
                if backend == "c" and not args.cold:
                    run_once(backend, path, threads, warm_up=True)  # fills the code cache
                runs = [run_once(backend, path, threads, args.cold) for _ in range(1 if args.cold else args.repeat)]
                best = min(runs, key=lambda r: r["seconds"])
                best["rss_mb"] = max(r["rss_mb"] for r in runs)
                key = f"{name}/{backend}/{threads}"
                figures[key] = best
                if best["itrs"] != want["itrs"] or best["result"] != want["result"]:
                    problems.append(f"{key}: got {best['result']} in {best['itrs']} ITRS, "
                                    f"expected {want['result']} in {want['itrs']}")
                vs_genc = best["mips"] / want["genc_mips"] if want["genc_mips"] else math.nan
                vs_rss = best["rss_mb"] / want["genc_rss_mb"] if want["genc_rss_mb"] else math.nan
                before = baseline.get(key, {}).get("mips")
                rows.append([name, backend, threads, f"{best['itrs']:,}", f"{best['seconds']:.3f}", f"{best['wall']:.2f}",
                             f"{best['mips']:.1f}", f"{best['rss_mb']:.0f}", f"{vs_genc:.2f}x", f"{vs_rss:.2f}x",
                             f"{best['mips'] / before:.2f}x" if before else "-"])
                print(" | ".join(map(str, rows[-1])), file=sys.stderr)
    header = ["net", "backend", "threads", "ITRS", "seconds", "process wall s", "MIPS", "peak RSS MB",
              "MIPS / HVM2 gen-c", "RSS / HVM2 gen-c", "MIPS / baseline"]
    print(f"cores: {cores}; best of {1 if args.cold else args.repeat} runs{' (cold: compile included)' if args.cold else ''}")
    print("| " + " | ".join(header) + " |")
    print("|" + "---|" * len(header))
    for row in rows:
        print("| " + " | ".join(map(str, row)) + " |")
    singles = [figures[f"{n}/c/1"]["mips"] / expected[n]["genc_mips"] for n in args.programs.split(",")
               if f"{n}/c/1" in figures and expected[n]["genc_mips"]]
    if singles:
        print(f"\ngeometric mean, 1 thread, MIPS / HVM2 gen-c MIPS: "
              f"{math.exp(sum(map(math.log, singles)) / len(singles)):.2f}x")
    for n in args.programs.split(","):
        if f"{n}/c/1" in figures and len(thread_counts) > 1:
            one = figures[f"{n}/c/1"]["seconds"]
            speedups = ", ".join(f"{t}: {one / figures[f'{n}/c/{t}']['seconds']:.2f}x" for t in thread_counts[1:])
            print(f"speed-up over 1 thread, {n}: {speedups}")
    if args.save:
        args.save.write_text(json.dumps(figures, indent=2))
    for p in problems:
        print("MISMATCH " + p)
    sys.exit(1 if problems else 0)


if __name__ == "__main__":
    main()
