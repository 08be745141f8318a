"""Readback of big results (issue 11): seconds in each stage a result passes after the run.

    python3 bench/readback.py [--sizes 100000 1000000] [--shapes list string tree] [--repeat 1]

For each shape (a list of n numbers, a string of n characters, a tree of n leaves) and size,
the program runs once on the native runtime (hvm run-c's backend, its time not counted); then
its result is read: `hvm` the runtime's readback (NativeSession.read_tree, hvm.readback), `terms`
the Bend readback (bend.to_hvm.readback.readback), `data` the view of data as constructors
(what `bend run` shows), `text` the printing (show), `python` the Python API's conversion of
the same tree (bend.values.Decoder), and `total` the stages bend run-c passes (hvm + terms +
data + text). CPU seconds (time.process_time): the machine may be shared.
"""

from __future__ import annotations

import argparse
import gc
import time

from bend.to_hvm.data_view import as_data
from bend.to_hvm.readback import readback, show
from hvm.llvm_cpu.backend import NativeBackend

PROGRAMS = {
    "list": """
def build(n, acc):
  if n == 0:
    return acc
  else:
    return build(n - 1, List/Cons(n, acc))

def main():
  return build({n}, [])
""",
    "string": """
def build(n, acc):
  if n == 0:
    return acc
  else:
    return build(n - 1, String/Cons(97 + n % 26, acc))

def main():
  return build({n}, "")
""",
    "tree": """
def build(depth, start):
  if depth == 0:
    return Tree/Leaf(start)
  else:
    return ![build(depth - 1, start), build(depth - 1, start + (1 << (depth - 1)))]

def main():
  return build({depth}, 0)
""",
}


def source(shape: str, n: int) -> str:
    if shape == "tree":
        return PROGRAMS["tree"].format(depth=max(0, n.bit_length() - 1))  # (2^depth leaves, at most n)
    return PROGRAMS[shape].format(n=n)


def timed(f, *args):
    gc.collect()
    started = time.process_time()
    value = f(*args)
    return value, time.process_time() - started


def measure(shape: str, n: int) -> dict[str, float]:
    import bend
    from bend.values import Decoder

    program = bend.compile(source(shape, n))
    compiled = program.compiled
    session = NativeBackend().session(compiled.hvm, compiled.ctx.entry)
    try:
        session.start()
        tree, hvm_s = timed(session.read_tree, session.root())
    finally:
        session.close()
    term, terms_s = timed(readback, tree, compiled.core)
    term, data_s = timed(as_data, term, compiled.core.adts)
    text, text_s = timed(show, term)
    decoder = Decoder(program._data, compiled.hvm.defs, program._term, program._constant)
    _, python_s = timed(decoder.result, tree)
    assert len(text) > n, text[:100]
    return {"hvm": hvm_s, "terms": terms_s, "data": data_s, "text": text_s, "python": python_s,
            "total": hvm_s + terms_s + data_s + text_s}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[100_000, 1_000_000])
    parser.add_argument("--shapes", nargs="+", default=list(PROGRAMS), choices=list(PROGRAMS))
    parser.add_argument("--repeat", type=int, default=1, help="runs of each; the least time of each stage")
    args = parser.parse_args()
    columns = ["hvm", "terms", "data", "text", "python", "total"]
    print(f"{'shape':>6} {'n':>9} " + " ".join(f"{c:>7}" for c in columns) + "  (CPU seconds)")
    for shape in args.shapes:
        for n in args.sizes:
            best: dict[str, float] = {}
            for _ in range(args.repeat):
                for k, v in measure(shape, n).items():
                    best[k] = min(best.get(k, v), v)
            print(f"{shape:>6} {n:>9} " + " ".join(f"{best[c]:>7.2f}" for c in columns), flush=True)


if __name__ == "__main__":
    main()
