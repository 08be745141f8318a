"""Run a compiled Bend program and read its result back as a Bend term.

In:  a Compiled program (bend.to_hvm), a backend name ("c" native, "py" reference) and the
     run's limits; the streams for the program's IO.
Out: Outcome: the result term (bend.ast, resugared) and its text, with the run's statistics.
     A program whose result is an IO action runs its effects (hvm.io) first.
"""

from __future__ import annotations

from dataclasses import dataclass

from bend.compiler import Compiled
from bend.to_hvm.readback import readback, show
from hvm.io import Host, run_io
from hvm.runtime import Stats, get_backend


@dataclass
class Outcome:
    term: object
    text: str
    stats: Stats


def run_compiled(compiled: Compiled, backend: str = "c", host: Host | None = None, **options) -> Outcome:
    """`options`: threads, memory, timeout (and use_cache for the native backend).
    Raises hvm.errors.HvmError when a limit is reached or an effect cannot be performed."""
    result = run_io(get_backend(backend), compiled.hvm, compiled.ctx.entry, host, **options)
    term = readback(result.tree, compiled.core)
    if compiled.ctx.options.adt_encoding == "scott":  # strings and lists as Bend shows them under Scott
        from bend.to_hvm.resugar_scott import resugar_scott

        term = resugar_scott(term)
    return Outcome(term, show(term), result.stats)
