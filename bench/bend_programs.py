"""Whole Bend programs, as a user runs them: `bend run-c FILE.bend -s`, process wall-clock time.

    python3 bench/bend_programs.py               # the shared programs, every core
    python3 bench/bend_programs.py --threads 1

For each program in tests/programs (the shared ones, with EXPECTED.md):
  first run   a fresh code cache: the program is compiled and starts on plain code, switching
              to the optimized code when it is ready (the process wall clock includes all of it);
  warm run    the best of --repeat runs once the optimized code is cached;
  CPython     the best of --repeat runs of `python3` on the same algorithm (tests/programs/python/*.py,
              the shared programs' python/ folder), measured in the same run;
and, for comparison, the reference implementation's time (Bend 0.2.38 on HVM2, `bend run-c`,
from EXPECTED.md). Results and interaction counts are checked against EXPECTED.md.
Every process runs with PYTHONDONTWRITEBYTECODE unset, as a user's would (with it set, each
`bend` compiles its modules from source on every start).
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PROGRAMS = ROOT / "tests" / "programs"
NAMES = ["tree_sum", "bitonic_sort", "list_sum", "fib", "church_not"]


def expected() -> dict[str, dict]:
    table = {}
    for line in (PROGRAMS / "EXPECTED.md").read_text().splitlines():
        cells = [c.strip() for c in line.split("|")]
        if len(cells) > 5 and cells[1].endswith(".bend") and "·" in cells[4]:
            itrs, seconds, _ = [x.strip() for x in cells[4].split("·")]
            table[cells[1][:-5]] = {"result": cells[2].strip("`"), "itrs": int(itrs.replace(",", "")),
                                    "bend_seconds": float(seconds.split()[0]),
                                    "python_seconds": float(cells[5].split()[0])}
    return table


def run(path: Path, threads: int | None, env: dict, extra: list[str] = ()) -> dict:
    command = [sys.executable, "-m", "bend", "run-c", str(path), "-s", *extra]
    if threads:
        command += ["-t", str(threads)]
    start = time.perf_counter()
    proc = subprocess.run(command, capture_output=True, text=True, env=env)
    wall = time.perf_counter() - start
    if proc.returncode != 0:
        raise RuntimeError(f"{' '.join(command)} failed:\n{proc.stderr}")
    out = proc.stdout
    return {"result": re.search(r"Result: (.*)", out).group(1), "itrs": int(re.search(r"- ITRS: (\d+)", out).group(1)),
            "mips": float(re.search(r"- MIPS: ([\d.]+)", out).group(1)), "wall": wall}


def run_python(name: str, env: dict) -> float:
    """The process wall clock of `python3 python/NAME.py`."""
    command = [sys.executable, str(PROGRAMS / "python" / f"{name}.py")]
    start = time.perf_counter()
    proc = subprocess.run(command, capture_output=True, text=True, env=env)
    wall = time.perf_counter() - start
    if proc.returncode != 0:
        raise RuntimeError(f"{' '.join(command)} failed:\n{proc.stderr}")
    return wall


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--programs", default=",".join(NAMES))
    parser.add_argument("--threads", type=int, default=None, help="worker threads (default: every core)")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    want = expected()
    problems = []
    slower = []  # programs where the warm `bend run-c` is not faster than python3
    rows = []
    with tempfile.TemporaryDirectory() as cache:
        env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
        env["HVM_CACHE_DIR"] = cache
        for name in args.programs.split(","):
            path = PROGRAMS / f"{name}.bend"
            first = run(path, args.threads, env)
            run(path, args.threads, env, ["--optimize-first"])  # the optimized code, into the cache
            warm = min((run(path, args.threads, env) for _ in range(args.repeat)), key=lambda r: r["wall"])
            python = min(run_python(name, env) for _ in range(args.repeat))
            for r in (first, warm):
                if (r["result"], r["itrs"]) != (want[name]["result"], want[name]["itrs"]):
                    problems.append(f"{name}: got {r['result']} in {r['itrs']} ITRS")
            w = want[name]
            rows.append([name, f"{w['itrs']:,}", f"{first['wall']:.2f}", f"{warm['wall']:.2f}", f"{warm['mips']:.0f}",
                         f"{w['bend_seconds']:.2f}", f"{python:.2f}",
                         f"{w['bend_seconds'] / warm['wall']:.1f}x", f"{python / warm['wall']:.1f}x"])
            if warm["wall"] >= python:
                slower.append(f"{name}: bend run-c {warm['wall']:.2f} s, python3 {python:.2f} s")
            print(" | ".join(rows[-1]), file=sys.stderr)
    header = ["program", "ITRS", "first run s", "warm run s", "warm MIPS", "Bend 0.2.38 s", "python3 s",
              "vs Bend", "vs python3"]
    print(f"`bend run-c FILE -s` and `python3 python/FILE.py`, process wall clock, best of {args.repeat}; threads: "
          f"{args.threads or len(os.sched_getaffinity(0))}; load average {os.getloadavg()[0]:.1f}")
    print("| " + " | ".join(header) + " |")
    print("|" + "---|" * len(header))
    for row in rows:
        print("| " + " | ".join(row) + " |")
    for p in problems:
        print("MISMATCH " + p)
    for p in slower:
        print("SLOWER THAN PYTHON " + p)
    sys.exit(1 if problems else 0)


if __name__ == "__main__":
    main()
