"""GPU benchmark: each net on the GPU runtime (`hvm run-cu`) and on the native CPU runtime at every core.

    python3 bench/gpu.py                              # every net at full size, on the first GPU found
    python3 bench/gpu.py --launcher host --quick      # small sizes, the GPU's algorithm emulated on this CPU
    python3 bench/gpu.py --only tree_sum bitonic_sort@18 --json gpu.json --markdown gpu.md

Nets: the shared ones (tests/programs/hvm: tree_sum is a tree of depth 20, bitonic_sort sorts
2^16 numbers), then bigger trees and sorts. A net is named FAMILY@SIZE, the size that is put in
its @main; `--only FAMILY` runs every size of the plan, `--only FAMILY@SIZE` any size. Each side
of a net runs in a fresh process, so that a stuck kernel or a crash costs that net only. Columns:

  ITRS           interactions. Checked: the result text, ITRS and each rule's count must be the
                 same in every run on either side, and ITRS and result as in EXPECTED.md at the
                 shared sizes; any difference is printed as MISMATCH (exit code 1)
  GPU s, MIPS    the reduction's wall clock: turns until no redex is left (not the device memory's
                 set-up, the kernels' loading or the readback); best of --repeat
  GPU heap MB    the global heap at its peak: pages handed out x 12 bytes a slot (a node and a var);
                 not the block heaps in shared memory, the redex bags or the rest of --mem
  turns, leaks   kernel launches; nodes moved from a block's heap to the global heap
  CPU s, MIPS    the native runtime (`hvm run-c`, code compiled before the clock starts) at --threads
  GPU/CPU        CPU seconds / GPU seconds: above 1, the GPU is faster
A side that reaches --timeout (given to both runtimes) or its memory shows `timeout` or `limit`:
reported, not a failure. Exit code: 0; 1 after a mismatch or a failure; 2 without a GPU.
"""

from __future__ import annotations

import argparse
import dataclasses
import functools
import json
import os
import re
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
NETS = ROOT / "tests" / "programs" / "hvm"
SETUP_S = 60  # a worker's time beyond its runs: imports, compiling, device memory, readback
PROBE_S = 120
WARM_UP = "@main = r\n  & (x r) ~ (5 x)"  # one turn: the context, the kernels and a first launch, untimed
HEADER = ["net", "ITRS", "GPU s", "GPU MIPS", "GPU heap MB", "turns", "leaks", "CPU s", "CPU MIPS", "GPU/CPU",
          "check"]


@dataclasses.dataclass(frozen=True)
class Family:
    """A shared net and where its size is: `sites` are texts of its @main, with {} for the size."""

    sites: tuple[str, ...]
    shared: int
    full: tuple[int, ...]
    quick: tuple[int, ...]


FAMILIES = {
    "tree_sum": Family(("@build ~ ({} a)",), 20, (20, 22, 24), (10, 11, 12)),
    "bitonic_sort": Family(("@weigh ~ ({} ", "@sort ~ ({} ", "@scramble ~ ({} "), 16, (16, 18, 20), (8, 9, 10)),
    "fib": Family(("@Fib ~ ({} a)",), 30, (30,), (20,)),
    "list_sum": Family(("@upto ~ ({} a)",), 1000000, (1000000,), (20000,)),
    "church_not": Family(("@church ~ ({} ",), 1000000, (1000000,), (20000,)),
}


def split(net: str) -> tuple[str, int]:
    family, _, size = net.partition("@")
    return family, int(size)


def net_text(net: str) -> str:
    family, size = split(net)
    f = FAMILIES[family]
    text = (NETS / f"{family}.hvm").read_text()
    for site in f.sites:
        old = site.format(f.shared)
        if text.count(old) != 1:
            raise SystemExit(f"{family}.hvm no longer has `{old}` once: bench/gpu.py must be updated")
        text = text.replace(old, site.format(size))
    return text


def plan(quick: bool, only: list[str] | None) -> list[str]:
    """The nets to run: the first size of each family, then the second, ... (small before big)."""
    rank = {}
    for order, (family, f) in enumerate(FAMILIES.items()):
        for i, size in enumerate(f.quick if quick else f.full):
            rank[f"{family}@{size}"] = (i, order)
    nets = sorted(rank, key=rank.get)
    if not only:
        return nets
    chosen = []
    for name in only:
        family, at, size = name.partition("@")
        if family not in FAMILIES or (at and not size.isdigit()):
            raise ValueError(f"unknown net `{name}`: use FAMILY or FAMILY@SIZE, FAMILY one of {', '.join(FAMILIES)}")
        chosen += [name] if at else [n for n in nets if split(n)[0] == family]
    return list(dict.fromkeys(chosen))


def expected() -> dict[str, tuple[str, int]]:
    """EXPECTED.md's result and ITRS, by net name (FAMILY@SIZE, at the shared size)."""
    table = {}
    for line in (NETS / "EXPECTED.md").read_text().splitlines():
        m = re.match(r"\| (\w+)\.hvm \| `(.*)` \| ([\d,]+) \|", line)
        if m and m.group(1) in FAMILIES:
            table[f"{m.group(1)}@{FAMILIES[m.group(1)].shared}"] = (m.group(2), int(m.group(3).replace(",", "")))
    return table


# -- a worker: one side of one net (or the probe of the device), in a process of its own

def emit(record: dict) -> None:
    print(json.dumps(record), flush=True)


def probe(launcher: str | None) -> dict:
    from hvm.cuda.backend import default_memory, gpu_shape, host_shape
    from hvm.cuda.launch import open_launcher

    dev = open_launcher(launcher)
    info = dev.info()
    start = time.perf_counter()
    dev.load()
    shape = host_shape() if dev.name == "host" else gpu_shape(info)
    return {"device": info.name, "launcher": dev.name, "compute_capability": list(info.compute_capability),
            "sm_count": info.sm_count, "total_memory": info.total_memory, "free_memory": info.free_memory,
            "memory": default_memory(info), "blocks": shape.blocks, "threads": shape.threads,
            "shape": dataclasses.asdict(shape), "load_seconds": round(time.perf_counter() - start, 3)}


def worker(args) -> int:
    """JSON lines on stdout: one per finished run, then one for a failure (which ends the runs)."""
    from hvm.cuda.launch import NoGpu
    from hvm.errors import HvmError, LimitError
    from hvm.syntax import parse_book, show_tree

    try:
        if args.worker == "probe":
            emit(probe(args.launcher))
            return 0
        book = parse_book(net_text(args.net))
        if args.worker == "gpu":
            from hvm.cuda.backend import CudaBackend

            backend = CudaBackend()
            backend.run(parse_book(WARM_UP), launcher=args.launcher, timeout=args.timeout)
            run = functools.partial(backend.run, book, launcher=args.launcher, timeout=args.timeout)
        else:
            from hvm.llvm_cpu.backend import NativeBackend

            run = functools.partial(NativeBackend().run, book, threads=args.threads, timeout=args.timeout, tiered=False)
        for _ in range(args.repeat):
            r = run()
            s = r.stats
            emit({"result": show_tree(r.tree), "itrs": s.interactions, "seconds": s.seconds, "mips": s.mips,
                  "peak_nodes": s.peak_nodes, "threads": s.threads, **s.extra, "rules": s.rules})
    except NoGpu as err:
        emit({"failure": "no GPU", "message": err.message})
        return 2
    except LimitError as err:
        emit({"failure": "timeout" if err.message.startswith("time limit") else "limit", "message": err.message})
    except HvmError as err:
        emit({"failure": "error", "message": err.message + (f" ({err.hint})" if err.hint else "")})
    return 0


# -- the parent: a worker per side of each net, the checks, the table

def side(kind: str, net: str, args, cap: float, budget_cut: bool) -> dict:
    """Run a worker and collect its runs; a worker past `cap` seconds is killed."""
    repeat = 1 if kind == "probe" else args.repeat
    command = [sys.executable, str(Path(__file__).resolve()), "--worker", kind, "--net", net, "--repeat",
               str(repeat), "--timeout", str(args.timeout), "--threads", str(args.threads)]
    if args.launcher:
        command += ["--launcher", args.launcher]
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])))
    proc = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    try:
        out, err = proc.communicate(timeout=cap)
        killed = False
    except subprocess.TimeoutExpired:
        proc.kill()
        out, err = proc.communicate()
        killed = True
    records = [json.loads(line) for line in out.splitlines() if line.startswith("{")]
    runs = [r for r in records if "failure" not in r]
    failure = next((r for r in records if "failure" in r), None)
    if failure is None and killed:
        failure = {"failure": "cut" if budget_cut else "killed", "message": f"killed after {cap:.0f}s: " +
                   ("the --budget ran out" if budget_cut else f"past --timeout and {SETUP_S}s to set up")}
    elif failure is None and (proc.returncode != 0 or len(runs) < repeat):
        tail = " | ".join(err.strip().splitlines()[-6:])
        failure = {"failure": "crash", "message": f"exit code {proc.returncode}: {tail}"}
    if failure and failure["failure"] == "no GPU":
        print(f"error: {failure['message']}", file=sys.stderr)
        sys.exit(2)
    return {"runs": runs, "failure": failure}


def problems_of(net: str, sides: dict[str, dict], want: tuple[str, int] | None) -> list[str]:
    """Every disagreement between the runs of both sides, and with EXPECTED.md."""
    runs = [(f"{kind} run {i + 1}", r) for kind, s in sides.items() for i, r in enumerate(s["runs"])]
    problems = []
    if not runs:
        return problems
    if want:
        for label, r in runs:
            if (r["result"], r["itrs"]) != want:
                problems.append(f"{net}: {label} gave {r['result'][:80]} in {r['itrs']:,} ITRS; "
                                f"EXPECTED.md says {want[0][:80]} in {want[1]:,}")
    first_label, first = runs[0]
    for label, r in runs[1:]:
        if (r["result"], r["itrs"]) != (first["result"], first["itrs"]):
            problems.append(f"{net}: {label} gave {r['result'][:80]} in {r['itrs']:,} ITRS; "
                            f"{first_label} gave {first['result'][:80]} in {first['itrs']:,}")
        elif r["rules"] != first["rules"]:
            diff = {k: (first["rules"].get(k), r["rules"].get(k)) for k in first["rules"] | r["rules"]
                    if first["rules"].get(k) != r["rules"].get(k)}
            problems.append(f"{net}: rule counts differ, ({first_label}, {label}): {diff}")
    return problems


def row(net: str, gpu: dict, cpu: dict, problems: list[str]) -> list[str]:
    g, c = gpu["best"], cpu["best"]
    failures = [f"{kind} {s['failure']['failure']}" for kind, s in (("GPU", gpu), ("CPU", cpu)) if s["failure"]]
    check = "MISMATCH" if problems else "; ".join(failures) or "ok"
    itrs = (g or c or {}).get("itrs")
    gpu_cells = ([f"{g['seconds']:.3f}", f"{g['mips']:,.0f}", f"{g['peak_nodes'] * 12 / 1e6:,.0f}", f"{g['turns']:,}",
                  f"{g['leaks']:,}"] if g else [gpu["failure"]["failure"]] + ["-"] * 4)
    cpu_cells = [f"{c['seconds']:.3f}", f"{c['mips']:,.0f}"] if c else [cpu["failure"]["failure"], "-"]
    ratio = f"{c['seconds'] / g['seconds']:.2f}x" if g and c and g["seconds"] > 0 else "-"
    return [net, f"{itrs:,}" if itrs is not None else "-", *gpu_cells, *cpu_cells, ratio, check]


def line(cells: list[str]) -> str:
    widths = [18, 13, 8, 9, 11, 7, 11, 8, 9, 7, 8]
    return "| " + " | ".join(c.rjust(w) if 0 < i < len(cells) - 1 else c.ljust(w)
                             for i, (c, w) in enumerate(zip(cells, widths))) + " |"


def describe(dev: dict, args) -> str:
    return (f"GPU: {dev['device']} (launcher {dev['launcher']}, {dev['sm_count']} SMs, "
            f"grid {dev['blocks']} blocks x {dev['threads']} threads, --mem {dev['memory'] >> 20} MiB, "
            f"kernels loaded in {dev['load_seconds']:.1f}s); CPU: native runtime at {args.threads} threads; "
            f"best of {args.repeat}; --timeout {args.timeout:g}s{'; quick sizes' if args.quick else ''}")


def write_outputs(args, dev: dict, results: list[dict], notes: list[str]) -> None:
    """The JSON and the Markdown table, rewritten after each net (a killed run keeps what finished)."""
    if args.json:
        args.json.write_text(json.dumps({"setup": describe(dev, args), "device": dev, "cpu_threads": args.threads,
                                         "repeat": args.repeat, "timeout": args.timeout, "quick": args.quick,
                                         "nets": results}, indent=2))
    if args.markdown:
        text = [describe(dev, args), "", "| " + " | ".join(HEADER) + " |", "|" + " --- |" * len(HEADER)]
        text += ["| " + " | ".join(r["row"]) + " |" for r in results]
        text += ["", "GPU s and CPU s: the reduction's wall clock. GPU heap: the global heap's peak, 12 bytes a slot "
                 "(a node and a var). GPU/CPU: CPU seconds / GPU seconds (above 1: the GPU is faster)."]
        text += ([""] + [f"- {n}" for n in notes]) if notes else []
        args.markdown.write_text("\n".join(text) + "\n")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--launcher", choices=["cuda-python", "pycuda", "host"],
                        help="default: the first of cuda-python and PyCUDA that finds a GPU")
    parser.add_argument("--quick", action="store_true", help="small sizes (to try it with --launcher host)")
    parser.add_argument("--only", nargs="+", metavar="NAME", help="FAMILY (every size in the plan) or FAMILY@SIZE")
    parser.add_argument("--repeat", type=int, default=1, help="best of N runs on each side (default 1)")
    parser.add_argument("--timeout", type=float, default=60.0, help="seconds for one run, on either side (default 60)")
    parser.add_argument("--budget", type=float, help="seconds for the whole benchmark: nets left are skipped")
    parser.add_argument("--threads", type=int, default=len(os.sched_getaffinity(0)),
                        help="CPU worker threads (default: every core this process may use)")
    parser.add_argument("--json", type=Path, help="write the figures and every run here")
    parser.add_argument("--markdown", type=Path, help="write the table here, to paste into the README")
    parser.add_argument("--worker", choices=["probe", "gpu", "cpu"], help=argparse.SUPPRESS)
    parser.add_argument("--net", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        code = worker(args)
        sys.stdout.flush()
        os._exit(code)  # no clean-up: after a deadline a kernel may still run, and the driver would wait for it

    start = time.monotonic()
    deadline = start + args.budget if args.budget else None
    try:
        nets, want = plan(args.quick, args.only), expected()
    except ValueError as err:
        parser.error(str(err))
    dev = side("probe", "", args, PROBE_S, False)
    if not dev["runs"]:
        raise SystemExit(f"error: the GPU could not be set up: {dev['failure']['message']}")
    dev = dev["runs"][0]
    print(describe(dev, args), flush=True)
    print(line(HEADER), flush=True)
    results, notes, failed = [], [], False
    for net in nets:
        sides = {}
        for kind in ("GPU", "CPU"):
            cap = args.repeat * args.timeout + SETUP_S
            left = cap if deadline is None else deadline - time.monotonic()
            if left < 5:
                sides[kind] = {"runs": [], "best": None, "failure": {"failure": "skipped", "message": "no budget"}}
                continue
            print(f"# {net}: {kind}...", file=sys.stderr, flush=True)
            sides[kind] = side(kind.lower(), net, args, min(cap, left), left < cap)
            sides[kind]["best"] = min(sides[kind]["runs"], key=lambda r: r["seconds"], default=None)
        problems = problems_of(net, sides, want.get(net))
        cells = row(net, sides["GPU"], sides["CPU"], problems)
        print(line(cells), flush=True)
        for kind, s in sides.items():
            if s["failure"] and s["failure"]["failure"] != "skipped":
                notes.append(f"{net}: {kind} {s['failure']['failure']}: {s['failure']['message']}")
                print(f"  {notes[-1]}", flush=True)
                failed |= s["failure"]["failure"] not in ("timeout", "limit", "cut")
        for p in problems:
            notes.append(f"MISMATCH {p}")
            print(f"  MISMATCH {p}", flush=True)
            print(f"MISMATCH {p}", file=sys.stderr, flush=True)
        failed |= bool(problems)
        results.append({"net": net, "row": cells, "check": cells[-1], "problems": problems,
                        "expected": want.get(net), "gpu": sides["GPU"], "cpu": sides["CPU"]})
        write_outputs(args, dev, results, notes)
    mismatches = [n for n in notes if n.startswith("MISMATCH")]
    print(f"\n{len(results)} nets in {time.monotonic() - start:.0f}s; {'FAILURES; ' if failed else ''}"
          + (f"{len(mismatches)} MISMATCHES:" if mismatches else "no mismatch"), flush=True)
    for n in mismatches:
        print(n, flush=True)
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
