"""Compile time of deeply nested terms: four shapes, each nested n deep.

    python3 bench/deep_nesting.py [--depths 10000 20000 40000 100000] [--shapes lists sums ...] [--no-cli]

The shapes: `def main(): return [[[...]]]` (lists), `(1 + (1 + (... 1)))` (sums),
`main = λx0 λx1 ... 1` (lambdas) and `def main(): return ((((1))))` (parens). For each shape and
depth, the seconds spent loading and checking, desugaring, and making the nets (bend.compiler,
as `bend run` compiles), and the whole `bend gen-hvm` and `bend run-c --no-cache` in a fresh
process. Times are CPU seconds (the
machine is often shared; `bend run-c` runs on every core, so its CPU time counts every thread's). The goal (issue 11): 100,000 deep compiles in a few seconds, in time linear in the depth.
"""

from __future__ import annotations

import argparse
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bend.compiler import desugar, load
from bend.deep import deep
from bend.desugar.context import Options
from bend.to_hvm import compile_nets

SHAPES = {
    "lists": lambda n: "def main():\n  return " + "[" * n + "]" * n + "\n",
    "sums": lambda n: "def main():\n  return " + "(1 + " * n + "1" + ")" * n + "\n",
    "lambdas": lambda n: "main = " + "".join(f"λx{i} " for i in range(n)) + "1\n",
    "parens": lambda n: "def main():\n  return " + "(" * n + "1" + ")" * n + "\n",
}


def stages(path: Path) -> tuple[float, float, float]:
    started = time.process_time()
    loaded = load(path)
    assert not loaded.diagnostics.errors, loaded.diagnostics.items[:3]
    loaded_at = time.process_time()
    core, ctx = desugar(loaded, Options())
    desugared_at = time.process_time()
    deep(compile_nets, core, ctx, Options())
    return loaded_at - started, desugared_at - loaded_at, time.process_time() - desugared_at


def command(*args: str) -> float:
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    done = subprocess.run([sys.executable, "-m", "bend", *args], capture_output=True, text=True)
    assert done.returncode == 0, (done.stdout + done.stderr)[-500:]
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--depths", type=int, nargs="+", default=[10_000, 20_000, 40_000, 100_000])
    parser.add_argument("--shapes", nargs="+", default=list(SHAPES), choices=list(SHAPES))
    parser.add_argument("--no-cli", action="store_true", help="only the stages, not `bend gen-hvm` and `bend run-c`")
    args = parser.parse_args()
    print(f"{'shape':>8} {'depth':>7} {'load':>7} {'desugar':>8} {'nets':>7} {'compile':>8} {'gen-hvm':>8} "
          f"{'run-c':>7}  (CPU seconds)")
    with tempfile.TemporaryDirectory() as folder:
        for shape in args.shapes:
            for n in args.depths:
                path = Path(folder) / f"{shape}_{n}.bend"
                path.write_text(SHAPES[shape](n))
                load_s, desugar_s, nets_s = stages(path)
                gen_s = run_s = float("nan")
                if not args.no_cli:
                    gen_s = command("gen-hvm", str(path))
                    run_s = command("run-c", "--no-cache", str(path))
                print(f"{shape:>8} {n:>7} {load_s:>7.2f} {desugar_s:>8.2f} {nets_s:>7.2f} "
                      f"{load_s + desugar_s + nets_s:>8.2f} {gen_s:>8.2f} {run_s:>7.2f}", flush=True)


if __name__ == "__main__":
    main()
