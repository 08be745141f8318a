"""Compile a book's specialized definitions in a process of its own, into the code cache.

In:  `python -m hvm.llvm_cpu.compile_worker JOB` where JOB is a pickle file holding
     (FlatBook, parallel, the cache path to write, the optimisation level); it is deleted.
Out: the compiled object, written atomically at that cache path (hvm.jit.store); nothing else.
     The exit status: 0, or CANNOT_WRITE when the cache could not take it, or 1 on any other
     failure (the run then simply stays on plain code).

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

CANNOT_WRITE = 3  # the exit status when the object was built but could not be written


def main(job_path: str) -> int:
    """0 once the object is in the cache; CANNOT_WRITE; 1 for any other failure (a bad job)."""
    from hvm import jit
    from hvm.deep import deep
    from hvm.llvm_cpu.defs_ir import build_defs

    job = Path(job_path)
    try:
        flat, parallel, out, opt = pickle.loads(job.read_bytes())
    finally:
        job.unlink(missing_ok=True)
    text = str(deep(build_defs, flat, parallel, True))
    path = Path(out)
    obj = jit.compile_ir(text, opt)
    return 0 if jit.store(path, obj) else CANNOT_WRITE


if __name__ == "__main__":
    import warnings

    warnings.simplefilter("ignore")  # (no one reads its output: the backend reads its exit status)
    try:
        status = main(sys.argv[1])
    except BaseException:  # noqa: BLE001 - a failed compile only leaves the run on plain code
        status = 1
    sys.exit(status)
