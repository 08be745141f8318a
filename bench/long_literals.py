"""Compile time of long literals: a program returning the length of an n-character string.

    python3 bench/long_literals.py [--sizes 10000 100000 1000000]

For each size, the seconds spent loading and checking, desugaring, and making the nets
(bend.compiler, as `bend run` compiles), and the whole `bend run-c` in a fresh process (which
also loads the nets into the runtime, runs them and reads the result back). The goal (issue 9):
1,000,000 characters compiled in under 2 s, time growing linearly with the length.
"""

from __future__ import annotations

import argparse
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bend.compiler import desugar, load
from bend.deep import deep
from bend.desugar.context import Options
from bend.to_hvm import compile_nets


def program(n: int) -> str:
    text = "".join(random.Random(n).choice("abcdefghij") for _ in range(n))
    return f'def main():\n  (n, *) = List/length(String/encode_ascii("{text}"))\n  return n\n'


def stages(path: Path) -> tuple[float, float, float]:
    started = time.perf_counter()
    loaded = load(path)
    loaded_at = time.perf_counter()
    core, ctx = desugar(loaded, Options())
    desugared_at = time.perf_counter()
    deep(compile_nets, core, ctx, Options())
    return loaded_at - started, desugared_at - loaded_at, time.perf_counter() - desugared_at


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    sizes = parser.parse_args().sizes
    print(f"{'characters':>10} {'load':>7} {'desugar':>8} {'nets':>7} {'compile':>8} {'run-c':>7}  (seconds)")
    with tempfile.TemporaryDirectory() as folder:
        for n in sizes:
            path = Path(folder) / f"long_{n}.bend"
            path.write_text(program(n))
            load_s, desugar_s, nets_s = stages(path)
            started = time.perf_counter()
            run = subprocess.run([sys.executable, "-m", "bend", "run-c", str(path)], capture_output=True, text=True)
            whole = time.perf_counter() - started
            assert run.stdout.strip() == f"Result: {n % (1 << 24)}", (run.stdout + run.stderr)[-500:]
            print(f"{n:>10} {load_s:>7.2f} {desugar_s:>8.2f} {nets_s:>7.2f} {load_s + desugar_s + nets_s:>8.2f} "
                  f"{whole:>7.2f}")


if __name__ == "__main__":
    main()
