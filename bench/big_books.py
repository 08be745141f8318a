"""Compile time and peak memory of big books: a chain of n definitions that call each other.

    python3 bench/big_books.py [--sizes 1000 10000 30000] [--tree DIR] [--timeout S]

    @main = r & @f0 ~ (5 r)      @f0 = (a b) & @f1 ~ (a b)    ...    @f(n-1) = (a a)

For each size, `hvm run` in a fresh process under /usr/bin/time -v, three times: with an empty
code cache (everything is compiled: the core runtime too), then with the cache the first run
filled, then another book of the same size (its definitions named `g`, not `f`) with that cache
(what is compiled once per machine is there: the first run of a new program). Wall seconds and
peak resident memory (MB) of each. `--tree DIR` runs the hvm package found in
DIR instead (e.g. an older checkout, `git archive HEAD | tar -x -C DIR`, to compare). The goal
(issue 11): time and memory that grow linearly with the book, and no abort (30,000 definitions
once compiled for minutes to 4 GB and then aborted inside LLVM).
"""

from __future__ import annotations

import argparse
import os
import re
import signal
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def chain(n: int, name: str = "f") -> str:
    lines = [f"@main = r\n  & @{name}0 ~ (5 r)"]
    lines += [f"@{name}{i} = (a b)\n  & @{name}{i + 1} ~ (a b)" for i in range(n - 1)]
    lines.append(f"@{name}{n - 1} = (a a)")
    return "\n".join(lines) + "\n"


def timed_run(path: Path, cache: Path, tree: Path, timeout: float) -> str:
    """'seconds  MB' of one `hvm run`, or what stopped it."""
    env = dict(os.environ, HVM_CACHE_DIR=str(cache), PYTHONPATH=str(tree))
    run = subprocess.Popen(["/usr/bin/time", "-v", sys.executable, "-m", "hvm", "run", str(path)], env=env,
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=tree, start_new_session=True)
    try:
        stdout, stderr = run.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(run.pid, signal.SIGKILL)  # (time, and the run it measures)
        run.communicate()
        return f"over {timeout:g} s"
    done = subprocess.CompletedProcess(run.args, run.returncode, stdout, stderr)
    wall = re.search(r"Elapsed \(wall clock\) time.*: (?:(\d+):)?(\d+):([\d.]+)", done.stderr)
    peak = re.search(r"Maximum resident set size \(kbytes\): (\d+)", done.stderr)
    seconds = int(wall[1] or 0) * 3600 + int(wall[2]) * 60 + float(wall[3])
    text = f"{seconds:7.2f} s {int(peak[1]) // 1024:6d} MB"
    if done.stdout.strip() != "Result: 5":
        status = re.search(r"(Command terminated by signal \d+|Exit status: \d+)", done.stderr)
        text += f"  FAILED ({status[1] if status else done.stdout.strip()[-60:]})"
    return text


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1_000, 10_000, 30_000])
    parser.add_argument("--tree", type=Path, default=ROOT, help="the checkout whose hvm package runs")
    parser.add_argument("--timeout", type=float, default=600, help="seconds before a run is stopped")
    args = parser.parse_args()
    print(f"{'definitions':>11}  {'empty cache':>22}  {'cached':>22}  {'new book':>22}")
    with tempfile.TemporaryDirectory() as folder:
        for n in args.sizes:
            path = Path(folder) / f"chain{n}.hvm"
            path.write_text(chain(n))
            cache = Path(folder) / f"cache{n}"
            cold = timed_run(path, cache, args.tree.resolve(), args.timeout)
            warm = timed_run(path, cache, args.tree.resolve(), args.timeout)
            other = Path(folder) / f"other{n}.hvm"
            other.write_text(chain(n, "g"))
            new = timed_run(other, cache, args.tree.resolve(), args.timeout)
            print(f"{n:>11}  {cold:>22}  {warm:>22}  {new:>22}", flush=True)


if __name__ == "__main__":
    main()
