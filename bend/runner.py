"""Run a compiled Bend program and read its result back as a Bend term.

In:  a Compiled program (bend.to_hvm), a backend name ("c" native, "py" reference) and the
     run's limits; the streams for the program's IO.
Out: Outcome: the result term (bend.ast, resugared) and its text, with the run's statistics.
     A program whose result is an IO action runs its effects (hvm.io) first.

`problems` says what stops a compiled program from running (or makes it risky), before it runs.
The imports of the compiler and of readback wait until they are needed: a warm run (bend.start)
reduces first.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from hvm.io import Host, run_io
from hvm.runtime import RunResult, Stats, get_backend

if TYPE_CHECKING:
    from bend.compiler import Compiled


@dataclass
class Outcome:
    term: object
    text: str
    stats: Stats


def run_compiled(compiled: Compiled, backend: str = "c", host: Host | None = None, as_data: bool = False,
                 **options) -> Outcome:
    """`options`: threads, memory, timeout (and use_cache for the native backend); `as_data`:
    see read_result. Raises hvm.errors.HvmError when a limit is reached or an effect cannot be
    performed."""
    result = run_io(get_backend(backend), compiled.hvm, compiled.ctx.entry, host, **options)
    return read_result(result, compiled.core, compiled.ctx.options.adt_encoding, as_data)


def read_result(result: RunResult, core, adt_encoding: str, as_data: bool = False) -> Outcome:
    """The Outcome of a run: its result net read back as a term, with the core book's generated
    definitions expanded in it; with `as_data`, constructor values as constructors
    (bend.to_hvm.data_view: what `bend run` shows), else as Bend shows them (`--bend-text`)."""
    from bend.to_hvm.readback import readback, show

    term = readback(result.tree, core)
    if adt_encoding == "scott":  # strings and lists as Bend shows them under Scott
        from bend.to_hvm.resugar_scott import resugar_scott

        term = resugar_scott(term)
    elif as_data:
        from bend.to_hvm.data_view import as_data as data_view

        term = data_view(term, core.adts)
    return Outcome(term, show(term), result.stats)


def problems(defs, entry: str, options) -> list[tuple[str, str]]:
    """(severity, message) for what is wrong with running the nets `defs` (names) from `entry`
    under the -O switches `options` (bend.desugar.context.Options, or an object with its fields)."""
    found = []
    if entry not in defs:
        found.append(("error", f"this program has no `{entry}` definition to run"))
    if options.adt_encoding == "scott" and any(n.startswith("IO/") for n in defs):
        found.append(("error", "this program does IO, which needs the num-scott encoding of data types "
                               "(-Oadt-num-scott, the default): the runtime reads an IO call's tag"))
    if not (options.float_combinators and (options.linearize_matches or options.linearize_matches_alt)):
        off = "float-combinators" if not options.float_combinators else "linearize-matches"
        found.append(("warning", f"running without the {off} pass: in HVM's strict evaluation, some functions can "
                                 "then expand forever"))
    return found
