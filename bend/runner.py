"""Run a compiled Bend program and read its result back: the one run path.

In:  a compiled program's nets (hvm.book.Book) and entry point, a backend name ("c" native,
     "py" reference, "cu" GPU) and the run's limits; the streams for the program's IO.
Out: `run_net`: the RunResult (result tree and statistics); `execute` / `run_compiled`: an
     Outcome, the result term (bend.ast, resugared) and its text, with the run's statistics.
     A program whose result is an IO action runs its effects (hvm.io) first.

Every run goes through `run_net`: the Python API (bend.api: `Program.call`, and `run_compiled`,
which the `bend` command's run commands call) and the warm run of a cached program (bend.start,
through `execute`, the function bend.api.run_compiled is). `problems` says what stops a compiled
program from running (or makes it risky), before it runs; `argument_room` how long a string
argument the run's memory holds (the CLI's and the API's check of arguments).

The imports of the compiler and of readback wait until they are needed: a warm run (bend.start)
reduces first, and a result that is a number is printed without them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from bend.compiler import Compiled
    from hvm.book import Book, Net
    from hvm.io import Host
    from hvm.runtime import RunResult, Stats


class Outcome:
    """A run's result: `term`, the read-back term (bend.ast; None for a number, read straight
    from the net), `text`, what follows `Result: `, and the run's `stats`. (A plain class, not
    a dataclass: making one costs a warm run about half a millisecond.)"""

    __slots__ = ("stats", "term", "text")

    def __init__(self, term: object, text: str, stats: Stats):
        self.term, self.text, self.stats = term, text, stats

    def __repr__(self) -> str:
        return f"Outcome(term={self.term!r}, text={self.text!r}, stats={self.stats!r})"

    def result_text(self, pretty: bool = False) -> str:
        """The result as `bend run` prints it: `Result: …`, or with `pretty`, over several lines."""
        if not pretty:
            return f"Result: {self.text}"
        if self.term is None:
            return f"Result:\n{self.text}"
        from bend.to_hvm.pretty import show_pretty

        return f"Result:\n{show_pretty(self.term)}"


def run_net(book: Book, entry: str, backend: str = "c", *, boot: Net | None = None, host: Host | None = None,
            **options) -> RunResult:
    """Reduce `@entry ~ ROOT` (or the net `boot`, whose references are the book's) on `backend`,
    performing the IO it asks for. `options`: threads, memory, timeout (and use_cache, tiered
    for the native backend; launcher for the GPU). Raises hvm.errors.HvmError (LimitError when
    a limit is reached, OutputError when output cannot be written)."""
    from hvm.io import run_io
    from hvm.runtime import get_backend

    runtime = get_backend(backend)
    if boot is not None:
        runtime = booted(runtime, boot)
    return run_io(runtime, book, entry, host, **options)


def execute(book: Book, entry: str, backend: str, compiled, host: Host | None = None, as_data: bool = False,
            progress: bool = False, **options) -> Outcome:
    """Run the program's entry point and read its result back. `compiled`: the Compiled program
    (bend.compiler) readback needs, or a function that gives it (the cache reads it only when
    the result is not a number); `progress`: a live status line on a terminal's stderr (hvm.progress);
    the rest as run_net and read_result. Raises hvm.errors.HvmError (also for a MemoryError)."""
    import sys

    from hvm import progress as status
    from hvm.errors import HvmError

    try:
        with status.shown(sys.stderr, enabled=progress):
            result = run_net(book, entry, backend, host=host, **options)
        from hvm.book import Num

        if type(result.tree) is Num:  # (a number reads back as itself: no term, no readback modules)
            from hvm.numbers import bend_text

            return Outcome(None, bend_text(result.tree.numb), result.stats)
        if callable(compiled):
            compiled = compiled()
        return read_result(result, compiled.core, compiled.ctx.options.adt_encoding, as_data)
    except MemoryError:
        raise HvmError("out of memory: Python could not allocate more",
                       hint="lower the program's size or use --mem") from None


def run_compiled(compiled: Compiled, backend: str = "c", host: Host | None = None, as_data: bool = False,
                 progress: bool = False, **options) -> Outcome:
    """Run a compiled program's entry point: its result as Bend text (what `bend run` prints;
    with `as_data`, constructor values as constructors), with the run's statistics. See execute."""
    return execute(compiled.hvm, compiled.ctx.entry, backend, compiled, host, as_data, progress, **options)


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
        found.append(("error", ("this program does IO, which needs the num-scott encoding of data types "
                                "(-Oadt-num-scott, the default): the runtime reads an IO call's tag")))
    if not (options.float_combinators and (options.linearize_matches or options.linearize_matches_alt)):
        off = "float-combinators" if not options.float_combinators else "linearize-matches"
        found.append(("warning", (f"running without the {off} pass: in HVM's strict evaluation, some functions "
                                  "can then expand forever")))
    return found


# -- arguments too long for the run's memory

NODES_PER_CHARACTER = 4  # a character of a string is at least a cons cell, `λk (k 1 head tail)`


def run_memory(backend: str, memory: int | None) -> int | None:
    """The bytes a run on `backend` has: `memory`, or the backend's default (None for the GPU's,
    known only once a device is found)."""
    if memory is not None:
        return memory
    if backend == "c":
        from hvm.llvm_cpu.backend import default_memory

        return default_memory()
    if backend == "py":
        from hvm.reference import DEFAULT_MEMORY

        return DEFAULT_MEMORY
    return None


def memory_bound(backend: str, memory: int | None) -> int:
    """As run_memory, with the most the GPU runtime addresses where its memory is not known yet."""
    known = run_memory(backend, memory)
    if known is not None:
        return known
    from hvm.cuda.backend import MAX_MEMORY

    return MAX_MEMORY


def argument_room(memory: int) -> int:
    """The most characters (or items) a string (or list) argument can have in a run of `memory`
    bytes: a longer one cannot fit, and is refused before it is built (a string of a billion
    characters would be billions of nodes, and gigabytes in Python)."""
    from hvm.runtime import BYTES_PER_SLOT

    return memory // BYTES_PER_SLOT // NODES_PER_CHARACTER


def too_long(what: str, length: int, memory: int, kind: str = "string", setting: str = "--mem"):
    """The error for an argument (`what`) whose `length` characters (or items, for any `kind` but
    a string) a run of `memory` bytes cannot hold: an hvm.errors.LimitError, whose message and
    hint the CLI prints; `setting`: how to raise the memory."""
    from hvm.errors import LimitError
    from hvm.runtime import BYTES_PER_SLOT, format_size

    unit = "character" if kind == "string" else "item"
    return LimitError(f"{what} is too long: {length} {unit}s, where the memory of the run ({format_size(memory)}) "
                      f"holds a {kind} of at most {argument_room(memory)}",
                      hint=f"each {unit} takes at least {NODES_PER_CHARACTER} nodes of {BYTES_PER_SLOT} "
                           f"bytes; raise {setting}, or have the program read its input (IO/FS/read_file)")


# -- a run that starts from a net of its own (bend.api's calls)


def booted(backend, boot: Net):
    """`backend`, whose first run reduces the net `boot` instead of the book's entry (see
    hvm.runtime.Backend's `boot`), as hvm.io.run_io drives it: through a session where the
    backend keeps one (the native runtime, the reference), else run by run (the GPU's)."""
    return BootedSessions(backend, boot) if hasattr(backend, "session") else BootedRuns(backend, boot)


class BootedSessions:
    def __init__(self, backend, boot: Net):
        self.backend, self.boot, self.name = backend, boot, getattr(backend, "name", "?")

    def session(self, book, entry: str, **options):
        session = self.backend.session(book, entry, **options)
        start = session.start
        session.start = lambda boot=None: start(self.boot if boot is None else boot)
        return session


class BootedRuns:
    def __init__(self, backend, boot: Net):
        self.backend, self.boot, self.name = backend, boot, getattr(backend, "name", "?")

    def run(self, book, entry: str = "main", *, boot: Net | None = None, **options):
        return self.backend.run(book, entry, boot=self.boot if boot is None else boot, **options)
