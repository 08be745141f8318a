"""32-bit against 64-bit ports in the native runtime (hvm.llvm_cpu.backend.port_bits): the
same nets, the same interactions, and what the wider words cost in MIPS.

    python3 bench/ports.py                          # -t 1 and every core, best of 3
    python3 bench/ports.py --threads 2 --nets bitonic_sort:18 --repeat 1

A run past 6G of --mem takes the 64-bit mode by itself; here HVM_PORTS forces each width on
the same net (as bench/scaling.py sizes it), in fresh processes after a warm-up of each that
builds the optimized code (--optimize-first).
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from scaling import run, sized


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    cores = len(os.sched_getaffinity(0))
    parser.add_argument("--threads", default=",".join(str(t) for t in sorted({1, cores})))
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--nets", default="tree_sum:22,bitonic_sort:16,bitonic_sort:18,list_sum,church_not",
                        help="comma-separated program[:size]")
    args = parser.parse_args()
    print(f"{cores} cores; best of {args.repeat}; MIPS with 32-bit and 64-bit ports")
    print(f"{'net':<18} {'threads':>7} {'interactions':>14} {'32-bit':>9} {'64-bit':>9} {'64/32':>6}")
    with tempfile.TemporaryDirectory() as folder:
        for spec in args.nets.split(","):
            program, _, size = spec.partition(":")
            path = Path(folder) / f"{program}_{size or 'shared'}.hvm"
            path.write_text(sized(program, int(size) if size else None))
            for threads in (int(t) for t in args.threads.split(",")):
                best = {}
                for bits in ("32", "64"):
                    env = {"HVM_PORTS": bits}
                    run(path, threads, env, warm_up=True)  # fills the code cache (optimized code)
                    best[bits] = max((run(path, threads, env) for _ in range(args.repeat)), key=lambda r: r["mips"])
                if best["32"]["itrs"] != best["64"]["itrs"]:
                    raise SystemExit(f"{spec} -t {threads}: {best['32']['itrs']} interactions with 32-bit ports, "
                                     f"{best['64']['itrs']} with 64")
                narrow, wide = best["32"]["mips"], best["64"]["mips"]
                print(f"{spec:<18} {threads:>7} {best['32']['itrs']:>14,} {narrow:>9.1f} {wide:>9.1f} "
                      f"{wide / narrow:>5.2f}x", flush=True)


if __name__ == "__main__":
    main()
