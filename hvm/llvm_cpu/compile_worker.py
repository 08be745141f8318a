"""Compile a book's specialized definitions in a process of its own, into the code cache.

In:  `python -m hvm.llvm_cpu.compile_worker JOB` where JOB is a pickle file holding
     (FlatBook, parallel, the cache path to write, the optimisation level); it is deleted.
Out: the compiled object, written atomically at that cache path; nothing else.

The native backend starts a run on plain definitions, which compile in a moment, and asks
this worker for the specialized ones when the run lasts (hvm.llvm_cpu.backend): the worker
runs LLVM's optimiser beside the run, and the backend switches the run over to the better
code when it is ready. Being a process of its own, it may outlive a short program and still
leave the object in the cache for the next run.
"""

from __future__ import annotations

import pickle
import sys
from pathlib import Path


def main(job_path: str) -> None:
    from hvm import jit
    from hvm.llvm_cpu.defs_ir import build_defs

    job = Path(job_path)
    try:
        flat, parallel, out, opt = pickle.loads(job.read_bytes())
    finally:
        job.unlink(missing_ok=True)
    sys.setrecursionlimit(200_000)
    from hvm.deep import deep

    text = str(deep(build_defs, flat, parallel, True))
    jit.store(Path(out), jit.compile_ir(text, opt))


if __name__ == "__main__":
    main(sys.argv[1])
