"""Start-up: what a warm `bend run-c` spends before reduction starts, beside `python3 -c pass`.

    python3 bench/startup.py              # fib.bend, 15 runs of each command
    python3 bench/startup.py --runs 30 --program tests/programs/tree_sum.bend

Each command runs --runs times, in turn (so a burst of load elsewhere touches them all alike);
we report the minimum and the median of:

  wall      the process's wall clock, from spawn to exit
  CPU       the process's CPU time (user + system, from wait4), every thread
  pre-red.  for `bend run-c`: the process time (CPU) when reduction starts, and the wall clock
            from spawn to that moment (BEND_TIMINGS=1 makes bend.start print both)

The run-c program is warm: its compiled program and its native code are in a fresh code cache
(HVM_CACHE_DIR, a temporary folder) from two runs before the measured ones. The commands run
with PYTHONDONTWRITEBYTECODE unset, as a user's would: with it set, Python compiles every module
from source on every start (bytecode is written on the first run).

The goal (issue 10): the warm run's time before reduction, less `python3 -c pass`, at most 0.1 s.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FIB = ROOT / "tests" / "programs" / "fib.bend"
GOAL = 0.1


def bend_command() -> tuple[list[str], str]:
    """The installed `bend` script when it starts at bend.start; else `python3 -m bend`."""
    script = shutil.which("bend")
    if script is not None:
        try:
            text = Path(script).read_text(errors="replace")[:2000]
        except OSError:
            text = ""
        if "bend.start" in text:
            return [script], "bend"
    return [sys.executable, "-m", "bend"], "python3 -m bend"


def measure(command: list[str], env: dict) -> dict:
    """One run: wall and CPU time of the process, and what it says about the start of reduction."""
    started = time.time()
    begin = time.perf_counter()
    proc = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
    # wait4 gives this child's own rusage (RUSAGE_CHILDREN would mix in others)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - begin
    out, err = proc.stdout.read().decode(), proc.stderr.read().decode()
    proc.stdout.close()
    proc.stderr.close()
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        raise RuntimeError(f"{' '.join(command)} failed ({proc.returncode}):\n{err}")
    row = {"wall": wall, "cpu": usage.ru_utime + usage.ru_stime, "out": out}
    found = re.search(r"timing: reduction starts: process time ([\d.]+) ms, clock ([\d.]+)", err)
    if found:
        row["pre_cpu"] = float(found.group(1)) / 1000
        row["pre_wall"] = float(found.group(2)) - started
    return row


def summary(rows: list[dict], key: str) -> str:
    values = [r[key] for r in rows if key in r]
    if not values:
        return "—"
    return f"{min(values):.3f} / {statistics.median(values):.3f}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--program", type=Path, default=FIB)
    args = parser.parse_args()
    bend, bend_name = bend_command()
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONDONTWRITEBYTECODE", "BEND_TIMINGS")}
    with tempfile.TemporaryDirectory() as cache:
        env["HVM_CACHE_DIR"] = cache
        timed = dict(env, BEND_TIMINGS="1")
        program = str(args.program)
        commands = {
            "python3 -c pass": ([sys.executable, "-c", "pass"], env),
            f"{bend_name} --version": ([*bend, "--version"], env),
            f"{bend_name} run-c {args.program.name} (warm)": ([*bend, "run-c", program], timed),
        }
        subprocess.run([*bend, "run-c", program, "--optimize-first"], env=env, check=True, capture_output=True)
        for command, command_env in commands.values():  # (bytecode written, caches filled)
            measure(command, command_env)
        rows: dict[str, list[dict]] = {name: [] for name in commands}
        for _ in range(args.runs):
            for name, (command, command_env) in commands.items():
                rows[name].append(measure(command, command_env))
    load = os.getloadavg()[0]
    print(f"start-up, {args.runs} runs each, min / median in seconds; {len(os.sched_getaffinity(0))} cores, "
          f"load average {load:.1f} ({sys.executable})")
    header = ["command", "wall", "CPU", "CPU before reduction", "wall before reduction"]
    print("| " + " | ".join(header) + " |")
    print("|" + "---|" * len(header))
    for name, measured in rows.items():
        print(f"| {name} | {summary(measured, 'wall')} | {summary(measured, 'cpu')} | {summary(measured, 'pre_cpu')} | "
              f"{summary(measured, 'pre_wall')} |")
    python, run = rows["python3 -c pass"], rows[list(rows)[-1]]
    if not all("pre_cpu" in r for r in run):
        print("the warm run did not report when reduction started: it did not start warm (see bend/start.py)")
        sys.exit(1)
    base_cpu, base_wall = min(r["cpu"] for r in python), min(r["wall"] for r in python)
    over_cpu = min(r["pre_cpu"] for r in run) - base_cpu
    over_wall = min(r["pre_wall"] for r in run) - base_wall
    verdict = "met" if over_cpu <= GOAL else "NOT met"
    print(f"warm overhead before reduction, beyond `python3 -c pass` (minima): CPU {over_cpu:.3f} s, "
          f"wall {over_wall:.3f} s; goal ≤ {GOAL} s of process time: {verdict}")


if __name__ == "__main__":
    main()
