"""Thread scaling of the native runtime: MIPS at 1, 2, 4, 8, 16 threads on parallel and
sequential nets, at several sizes (issue 11's table).

    python3 bench/scaling.py                                  # every thread count up to the cores
    python3 bench/scaling.py --threads 1,2,4,8,16 --repeat 3

The nets are tests/programs/hvm's, with @main's size changed: tree_sum at depths 20 and 24,
bitonic_sort at depths 16 and 18 (parallel), list_sum and church_not (sequential: their MIPS
must not fall as threads are added). Each run is a fresh process (`python -m hvm run-c FILE
-s -t N`), after warm-up runs that fill the code cache (with --optimize-first: the optimized
code, not only the plain code a first run starts on); the best of `--repeat` is shown, with
its speed-up over 1 thread.
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
NETS = ROOT / "tests" / "programs" / "hvm"


def sized(program: str, size: int | None) -> str:
    """The program's net, with @main's size argument set to `size` (None: as it is)."""
    text = (NETS / f"{program}.hvm").read_text()
    if size is None:
        return text
    head, main, rest = re.split(r"(?m)^(@main = .*(?:\n  .*)*)", text, maxsplit=1)
    if program == "tree_sum":
        main = re.sub(r"@build ~ \(\d+ ", f"@build ~ ({size} ", main)
    elif program == "bitonic_sort":
        main = re.sub(r"~ \(16 ", f"~ ({size} ", main)
    else:
        raise ValueError(f"no size for {program}")
    return head + main + rest


def run(path: Path, threads: int, env: dict | None = None, warm_up: bool = False) -> dict:
    """One `hvm run-c -s` in a fresh process (`env`: more environment variables; `warm_up`: with
    --optimize-first, so that the optimized code is in the cache for the runs measured after)."""
    first = ["--optimize-first"] if warm_up else []
    out = subprocess.run([sys.executable, "-m", "hvm", "run-c", str(path), "-s", "-t", str(threads), *first],
                         check=False, capture_output=True, text=True, timeout=3600, env={**os.environ, **(env or {})})
    if out.returncode != 0:
        raise SystemExit(f"{path.name} -t {threads} failed:\n{out.stderr}")
    figures = dict(re.findall(r"- (ITRS|TIME|MIPS): ([\d.]+)", out.stdout))
    return {"itrs": int(figures["ITRS"]), "seconds": float(figures["TIME"]), "mips": float(figures["MIPS"])}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    cores = len(os.sched_getaffinity(0))
    parser.add_argument("--threads", default=",".join(str(t) for t in (1, 2, 4, 8, 16) if t <= cores) or "1")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--nets", default="tree_sum:20,tree_sum:24,bitonic_sort:16,bitonic_sort:18,list_sum,church_not",
                        help="comma-separated program[:size]")
    args = parser.parse_args()
    counts = [int(t) for t in args.threads.split(",")]
    print(f"{cores} cores; best of {args.repeat}; MIPS (speed-up over 1 thread)")
    print(f"{'net':<18} {'interactions':>14} " + " ".join(f"{f'-t {t}':>16}" for t in counts))
    with tempfile.TemporaryDirectory() as folder:
        for spec in args.nets.split(","):
            program, _, size = spec.partition(":")
            path = Path(folder) / f"{program}_{size or 'shared'}.hvm"
            path.write_text(sized(program, int(size) if size else None))
            for t in sorted({1, max(counts)}):  # warm-up: fills the code cache (one thread's code, the parallel)
                run(path, t, warm_up=True)
            best = {t: max((run(path, t) for _ in range(args.repeat)), key=lambda r: r["mips"]) for t in counts}
            base = best[counts[0]]["mips"]
            cells = " ".join(f"{r['mips']:>8.1f} ({r['mips'] / base:>4.1f}x)" for r in best.values())
            print(f"{spec:<18} {best[counts[0]]['itrs']:>14,} {cells}")


if __name__ == "__main__":
    main()
