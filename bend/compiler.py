"""The compiler driver: the one way from Bend source to the nets that run it.

    load     bend.frontend.loader   the file, its imports and the prelude: a Program
    check    bend.check             names, patterns, `main`, the arity of calls
    desugar  bend.desugar.pipeline  the passes in order (`main` applied to the command line's
                                    terms by `apply_args`; types checked by `type_check`, once
                                    matches, bends and folds are desugared): core terms
    nets     bend.to_hvm            core terms to HVM2 nets, then the net passes (eta,
                                    inline, priorities, cycles, pruning, net sizes)

In:  a path (and its text, when the caller has it), the `-O` options, the command line's terms.
Out: a Compiled program (the nets, the core book and the context readback needs). Problems
     are diagnostics: `load` leaves them in the Program; the later stages raise BendError.

The CLI, the tests and the Python API call these functions; no other module runs a stage of
another. Each stage imports only those above it in the table.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from bend import ast
from bend.deep import deep
from bend.desugar.context import Ctx, Options
from bend.diagnostics import BendError
from hvm.book import Book


@dataclass
class Compiled:
    hvm: Book  # the nets that run the program
    core: ast.Book  # its definitions after desugaring (readback expands generated ones)
    ctx: Ctx  # (from the cache of compiled programs, bend.cache: no program, args or diagnostics)


def load(path: Path, text: str | None = None, entrypoint: str | None = None, levels: dict | None = None,
         trace=None):
    """Load and check a program: a Program whose `diagnostics` hold every problem found.
    `entrypoint`: the definition to run instead of `main` (`bend -e`); `levels`: the severity
    of each kind of warning (`-W`/`-D`/`-A`, see bend.diagnostics); `trace(text)` is told what
    each stage did and how long it took."""
    import time

    from bend.check import check_program
    from bend.frontend.loader import load_program

    started = time.perf_counter()
    program = load_program(Path(path), text)
    if trace is not None:
        trace(f"load: {path} and what it imports ({(time.perf_counter() - started) * 1000:.0f} ms)")
    program.entrypoint = entrypoint  # (read by bend.check.names and bend.desugar.pipeline)
    program.diagnostics.configure(levels or {})
    started = time.perf_counter()
    check_program(program)
    if trace is not None:
        trace(f"check: names, patterns, entry point ({(time.perf_counter() - started) * 1000:.0f} ms)")
    return program


def stages() -> list[str]:
    """The names of the desugaring stages, in order (what `bend desugar --stop-after` takes)."""
    from bend.desugar.pipeline import PASSES

    names = list(PASSES)
    names.insert(names.index("unique_names") + 1, "type_check")
    return names


def desugar(program, options: Options | None = None, stop_after: str | None = None, args: list | None = None):
    """The desugaring passes, with type checking among them: (core Book, Ctx). `args`: terms
    (as parsed) to apply the entry point to. Raises BendError at the first stage with errors."""
    return deep(_desugar, program, options or Options(), stop_after, args)


def _desugar(program, options: Options, stop_after: str | None, args: list | None):
    from bend.check import types
    from bend.check.arity import check_arity
    from bend.desugar import pipeline

    book, ctx = pipeline.start(program, options, args)
    check_arity(book, ctx.diagnostics)
    for name in stages():
        if options.trace is not None:
            options.trace(f"desugar: {name}")
        if name == "type_check":
            types.run(book, ctx)
            if ctx.diagnostics.errors:
                raise BendError(ctx.diagnostics)
        else:
            book = pipeline.run_pass(name, book, ctx)
        if name == stop_after:
            break
    return book, ctx


def readable(definition: ast.Definition) -> ast.Definition:
    """The definition with its variables named a, b, c, ... in binding order (to print it)."""
    from types import SimpleNamespace

    from bend.desugar.unique_names import Namer

    if len(definition.rules) == 1 and not definition.rules[0].patterns:
        body = definition.rules[0].body
        definition.rules[0].body = Namer(SimpleNamespace(var_order={})).rename(body, {})
    return definition


def compile_program(program, options: Options | None = None, args: list | None = None) -> Compiled:
    """A loaded program without errors to its nets. Raises BendError when a stage finds errors
    (its diagnostics say which; they are also the program's)."""
    return deep(_compile_program, program, options or Options(), args)


def _compile_program(program, options: Options, args: list | None) -> Compiled:
    from bend.to_hvm import compile_nets

    core, ctx = desugar(program, options, args=args)
    return Compiled(compile_nets(core, ctx, options), core, ctx)


def compile_source(source: str, path: str | Path = "<input>", options: Options | None = None,
                   args: list | None = None) -> Compiled:
    """Load, check and compile source text in one call; raises BendError on any error."""
    program = load(Path(path), source)
    if program.diagnostics.errors:
        raise BendError(program.diagnostics)
    return compile_program(program, options, args)
