"""Reading input: the seconds a Bend program takes to read n bytes, by each way it can.

    python3 bench/io_read.py [--sizes 10000 100000 1000000] [--backend c] [--threads 1]
                             [--input-sizes 1000 10000]

    read_file  IO/FS/read_file of an n-byte file (1 MiB chunks: one READ per MiB)
    stdin      IO/FS/read_to_end of stdin (the same, from a pipe-like stream)
    input      IO/input of an n-byte line (one READ of one byte per byte: n IO calls)

Each program ends with the length of what it read, which is checked. The seconds are the
whole run (compiled once before: the runtime, the IO loop, the reads, the result read
back), then the runtime's share (`stats.seconds`), then the interactions. The goal (issue 11):
linear in n, 1 MB in well under a second; before, the net was read back and loaded again at
every IO call, so that a continuation holding what was read made it quadratic (1,000 bytes of
IO/input took 11.6 s, read_file of 1 MB 62 s and 1.6 GB).
"""

from __future__ import annotations

import argparse
import io
import re
import time
from pathlib import Path
import tempfile

from bend.compiler import compile_program, load
from bend.runner import run_compiled
from hvm.io import Host

PROGRAMS = {
    "read_file": """
def main(path):
  with IO:
    res <- IO/FS/read_file(path)
    match res:
      case Result/Ok:
        (n, *) = List/length(res.val)
        return wrap(n)
      case Result/Err:
        return wrap(res.val)
""",
    "stdin": """
def main():
  with IO:
    res <- IO/FS/read_to_end(IO/FS/STDIN)
    match res:
      case Result/Ok:
        (n, *) = List/length(res.val)
        return wrap(n)
      case Result/Err:
        return wrap(res.val)
""",
    "input": """
def main():
  with IO:
    line <- IO/input()
    match line:
      case Result/Ok:
        (n, *) = List/length(line.val)
        return wrap(n)
      case Result/Err:
        return wrap(line.val)
""",
}


def measure(kind: str, n: int, backend: str, threads: int | None, folder: Path) -> tuple[float, float, int]:
    data = b"abcdefghij" * (n // 10) + b"k" * (n % 10)
    args = []
    if kind == "read_file":
        path = folder / "data.bin"  # (the same name for every size: the same program, compiled once)
        path.write_bytes(data)
        from bend.frontend.parser import parse_term_text

        args = [parse_term_text(f'"{path}"', "<argument>")[0]]
    compiled = compile_program(load(Path(f"<{kind}>"), PROGRAMS[kind]), None, args)
    stdin = io.BytesIO(data + b"\n" if kind == "input" else data)
    options = {} if threads is None else {"threads": threads}
    if backend == "c":
        options["tiered"] = False
    started = time.perf_counter()
    outcome = run_compiled(compiled, backend, host=Host(stdin=stdin, stdout=io.BytesIO()), **options)
    seconds = time.perf_counter() - started
    assert "IO/Done" in outcome.text and re.search(rf"\b{n}\b", outcome.text), outcome.text
    return seconds, outcome.stats.seconds, outcome.stats.interactions


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000, 1_000_000])
    parser.add_argument("--input-sizes", type=int, nargs="+", default=[1_000, 10_000])
    parser.add_argument("--backend", default="c", choices=["c", "py"])
    parser.add_argument("--threads", type=int, default=None)
    options = parser.parse_args()
    print(f"{'program':>10} {'bytes':>9} {'seconds':>8} {'runtime':>8} {'interactions':>13}")
    with tempfile.TemporaryDirectory() as folder:
        for kind in ("read_file", "stdin", "input"):
            for n in options.input_sizes if kind == "input" else options.sizes:
                measure(kind, min(n, 100), options.backend, options.threads, Path(folder))  # (code compiled, cached)
                seconds, runtime, itrs = measure(kind, n, options.backend, options.threads, Path(folder))
                print(f"{kind:>10} {n:>9} {seconds:>8.3f} {runtime:>8.3f} {itrs:>13}", flush=True)


if __name__ == "__main__":
    main()
