"""Bend from Python: run a program (source text or a file) and get its result as a Python value.

    >>> import bend
    >>> bend.run("def main(n):\\n  return n * 2\\n", 21)
    42
    >>> bend.run_file("sum.bend", 20, backend="c", threads=4, stats=True)
    (16744448, Stats(...))

In:  source text or a path; Python arguments for `main`: int (a u24, or an i24 when negative),
     float (an f24), str, list and tuple, nested as deep as you like.
Out: the result as a Python value: u24 and i24 numbers as int, f24 as float, strings as str,
     lists as list, tuples as tuple; anything else (a function, a constructor of another type)
     as a bend.Term, which prints as `bend run` prints it.
Errors: CompileError (every diagnostic, each with its file, line and column), RuntimeLimit (out
     of memory, out of time), ValueError for an argument with no Bend value (a number out of
     range, a bool, a dict). IO (`IO/print`, files) goes to Python's sys.stdout and files.
     Nothing here exits the process.

Each call compiles the program anew, with its arguments applied to `main` (as `bend run FILE
ARGS` does); the command line and this API share the driver, bend.compiler.
"""

from __future__ import annotations

import math
from pathlib import Path

from bend import ast
from bend.diagnostics import BendError, Diagnostics
from hvm import numbers
from hvm.errors import HvmError, LimitError

U24_MAX = (1 << 24) - 1
I24_MIN = -(1 << 23)


class CompileError(Exception):
    """The program (or an argument) has errors: `.diagnostics` holds every one; the message
    shows them as `bend check` does."""

    def __init__(self, diagnostics: Diagnostics):
        self.diagnostics = diagnostics
        super().__init__("\n".join(d.render() for d in diagnostics.sorted() if d.severity == "error"))


class RuntimeLimit(Exception):
    """The run reached a limit (memory, time): the message names it and how to raise it."""


class Term:
    """A result with no Python form (a function, a constructor of a user type): prints as Bend
    prints it; `.term` is the read-back syntax tree (bend.ast)."""

    def __init__(self, term):
        self.term = term

    def __str__(self) -> str:
        from bend.to_hvm.readback import show

        return show(self.term)

    def __repr__(self) -> str:
        return f"bend.Term({str(self)!r})"

    def __eq__(self, other) -> bool:
        return isinstance(other, Term) and str(self) == str(other)

    def __hash__(self) -> int:
        return hash(str(self))


def run(source: str, *args, backend: str = "c", threads: int | None = None, mem: int | None = None,
        timeout: float | None = None, stats: bool = False, path: str = "<source>"):
    """Compile and run `source` with `args` given to `main`; the result as a Python value (and
    the run's statistics, hvm.runtime.Stats, when `stats`). `backend`: "c" (native, every core),
    "py" (the reference evaluator) or "cu" (the GPU); `mem`: bytes; `timeout`: seconds."""
    return _run(Path(path), source, args, backend, threads, mem, timeout, stats)


def run_file(path, *args, backend: str = "c", threads: int | None = None, mem: int | None = None,
             timeout: float | None = None, stats: bool = False):
    """As `run`, for a .bend file (its imports are found next to it)."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as err:
        raise FileNotFoundError(f"cannot read `{path}`: {err}") from None
    return _run(path, text, args, backend, threads, mem, timeout, stats)


def _run(path: Path, text: str, args: tuple, backend: str, threads, mem, timeout, stats: bool):
    from bend.compiler import compile_program, load
    from bend.runner import run_compiled

    terms = [argument_term(a, i) for i, a in enumerate(args)]
    program = load(path, text)
    if program.diagnostics.errors:
        raise CompileError(program.diagnostics)
    try:
        compiled = compile_program(program, None, terms)
    except BendError as err:
        raise CompileError(err.diagnostics) from None
    options = {"timeout": timeout}
    if backend in ("c", "cu") or threads is not None:
        options["threads"] = threads
    if mem is not None:
        options["memory"] = mem
    try:
        outcome = run_compiled(compiled, backend, **{k: v for k, v in options.items() if v is not None})
    except LimitError as err:
        raise RuntimeLimit(err.message + (f" ({err.hint})" if err.hint else "")) from None
    except HvmError as err:
        raise RuntimeError(err.message) from None
    value = to_python(outcome.term)
    return (value, outcome.stats) if stats else value


# -- Python values to Bend terms


def argument_term(value, index: int):
    """A Python argument as a term of the fun syntax, parsed: what `bend run FILE ARG` reads."""
    from bend.frontend.parser import parse_term_text

    term, diagnostics = parse_term_text(bend_text(value), f"<argument {index + 1}>")
    if term is None:
        raise CompileError(diagnostics)
    return term


def bend_text(value) -> str:
    """The Bend literal for a Python value. ValueError names what has no Bend form."""
    from bend.frontend.printer import show_string

    if isinstance(value, bool):
        raise ValueError("a bool has no Bend value: pass 1 or 0 (Bend's true and false are numbers)")
    if isinstance(value, int):
        if 0 <= value <= U24_MAX:
            return str(value)
        if I24_MIN <= value < 0:
            return str(value)
        raise ValueError(f"{value} is out of range: Bend numbers are u24 (0 to {U24_MAX}) or, when negative, "
                         f"i24 ({I24_MIN} to -1)")
    if isinstance(value, float):
        if not math.isfinite(value):
            raise ValueError(f"{value} has no Bend literal: f24 literals are finite")
        return repr(value) if "e" not in repr(value) else f"{value:.10f}"
    if isinstance(value, str):
        return show_string(value)
    if isinstance(value, list):
        return "[" + ", ".join(bend_text(x) for x in value) + "]"
    if isinstance(value, tuple):
        if len(value) < 2:
            raise ValueError("a Bend tuple has at least two items")
        return "(" + ", ".join(bend_text(x) for x in value) + ")"
    raise ValueError(f"a {type(value).__name__} has no Bend value: pass int, float, str, list or tuple")


# -- results to Python values


def to_python(t):
    """A read-back term as a Python value (see the module's Out); a Term where there is none."""
    cls = type(t)
    if cls is ast.Num:
        tag = numbers.tag_of(t.numb)
        if tag == numbers.U24:
            return numbers.payload_of(t.numb)
        if tag == numbers.I24:
            return numbers.get_i24(t.numb)
        if tag == numbers.F24:
            return numbers.get_f24(t.numb)
        return Term(t)
    if cls is ast.Str:
        return t.text
    if cls is ast.List:
        return [to_python(x) for x in t.items]
    if cls is ast.Tuple:
        items = []
        while type(t) is ast.Tuple and len(t.items) == 2:  # right-nested pairs: (a, (b, c)) is (a, b, c)
            items.append(to_python(t.items[0]))
            t = t.items[1]
        items.append(to_python(t))
        return tuple(items)
    return Term(t)
