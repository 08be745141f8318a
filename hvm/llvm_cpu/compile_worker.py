"""Compile a book's specialized definitions in a process of its own, into the code cache.

In:  `python -m hvm.llvm_cpu.compile_worker JOB` where JOB is a pickle file holding
     (FlatBook, parallel, parts, the optimisation level, 64-bit ports); it is deleted. Each part is (the cache
     path to write, first fid, end fid): a book's definitions, or some of a big book's.
Out: each part's compiled object, written atomically at its cache path (hvm.jit.store), in
     order (the running program takes each as it comes); nothing else.
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

    from hvm.llvm_cpu.specialize import recursive_definitions

    job = Path(job_path)
    try:
        flat, parallel, parts, opt, wide = pickle.loads(job.read_bytes())
    finally:
        job.unlink(missing_ok=True)
    recursive = recursive_definitions(flat)  # (once for all the parts)
    for out, start, stop in parts:
        path = Path(out)
        if jit.read_cached(path) is not None:  # (another process made it meanwhile)
            continue
        text = str(deep(build_defs, flat, parallel, True, range(start, stop), recursive, wide))
        if not jit.store(path, jit.compile_ir(text, opt)):
            return CANNOT_WRITE
    return 0


if __name__ == "__main__":
    import warnings

    warnings.simplefilter("ignore")  # (no one reads its output: the backend reads its exit status)
    try:
        status = main(sys.argv[1])
    except BaseException:  # noqa: BLE001 - a failed compile only leaves the run on plain code
        status = 1
    sys.exit(status)
