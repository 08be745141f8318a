"""Type checker speed: the whole prelude, and a program of 2,000 typed tuples in a list.

    python3 bench/typecheck.py [--repeat 5]

Best of `--repeat` runs of bend.check.types.check_book on each, in seconds (the loading and
desugaring before it are not timed).
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from bend.check import check_program, types
from bend.deep import deep
from bend.desugar.context import Options
from bend.compiler import desugar
from bend.diagnostics import Diagnostics
from bend.frontend.loader import load_program

PRELUDE_ONLY = "def main():\n  return 0\n"


def big_program(n: int = 2000) -> str:
    items = ", ".join(f"({i}, {i}.0)" for i in range(n))
    return (f"def big() -> List((u24, f24)):\n  return [{items}]\n\n"
            "def sum(l: List((u24, f24))) -> f24:\n  fold l:\n    case List/Nil:\n      return 0.0\n"
            "    case List/Cons:\n      (a, b) = l.head\n      return u24/to_f24(a) + b + l.tail\n\n"
            "def main():\n  return sum(big)\n")


def best(text: str, check_all: bool, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        program = load_program(Path("bench.bend"), text)
        check_program(program)
        book, ctx = desugar(program, Options(type_check=False), stop_after="type_check")
        diagnostics = Diagnostics()
        start = time.perf_counter()
        deep(types.check_book, book, ctx, diagnostics, check_all)
        times.append(time.perf_counter() - start)
        assert not diagnostics.errors, [d.message for d in diagnostics.errors]
    return min(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    print(f"prelude (every definition):   {best(PRELUDE_ONLY, True, args.repeat):.3f} s")
    print(f"2,000 typed tuples in a list: {best(big_program(), False, args.repeat):.3f} s")


if __name__ == "__main__":
    main()
