"""Helpers shared by the tests: where the sample programs are, and running a net given as text."""

from __future__ import annotations

from pathlib import Path

from hvm.reference import ReferenceBackend
from hvm.runtime import RunResult
from hvm.syntax import parse_book, show_tree
from hvm.validate import validate

PROGRAMS = Path(__file__).parent / "programs"
HVM_PROGRAMS = PROGRAMS / "hvm"


def run_text(text: str, **options) -> tuple[str, RunResult]:
    """Parse, validate and run a book on the reference evaluator; the result's text and all of it."""
    book = parse_book(text, "<test>")
    errors = validate(book)
    assert not errors, [e.message for e in errors]
    result = ReferenceBackend().run(book, **options)
    return show_tree(result.tree), result


def fib_itrs(n: int) -> int:
    """ITRS of tests/programs/hvm/fib.hvm for (Fib n): C(n) = C(n-1) + C(n-2) + 16, anchored by
    HVM2's count for n = 30 (tests/hvm/test_reference.py checks it)."""
    a, b = 6, 11  # C(0), C(1)
    for _ in range(n):
        a, b = b, a + b + 16
    return a


def compile_bend(source: str, path: str = "test.bend", options=None, args: list[str] = ()):
    """Load, check and compile Bend source text; raises AssertionError listing any errors."""
    from bend.compiler import compile_program, load
    from bend.frontend.parser import parse_term_text

    program = load(Path(path), source)
    errors = [d.render() for d in program.diagnostics.errors]
    assert not errors, "\n".join(errors)
    terms = []
    for text in args:
        term, diagnostics = parse_term_text(text, "<argument>")
        assert term is not None, [d.render() for d in diagnostics.items]
        terms.append(term)
    return compile_program(program, options, terms)


def run_bend(source: str, backend: str = "c", args: list[str] = (), options=None, **run_options):
    """Compile and run Bend source text; the Outcome (bend.runner): `.text` is what follows
    `Result:`, `.stats.interactions` the interactions. `backend`: "c" (native) or "py"."""
    from bend.runner import run_compiled

    compiled = compile_bend(source, options=options, args=args)
    if backend == "c":
        run_options.setdefault("threads", 1)
    return run_compiled(compiled, backend, **run_options)


def bend_diagnostics(source: str, path: str = "test.bend"):
    """Every diagnostic (errors and warnings) that loading, checking and compiling the source gives."""
    from bend.compiler import compile_program, load
    from bend.diagnostics import BendError

    program = load(Path(path), source)
    if program.diagnostics.errors:
        return program.diagnostics.items
    try:
        compile_program(program)
    except BendError as err:
        return err.diagnostics.items
    return program.diagnostics.items


# nets for every backend's tests: one of each rule (and a few around them) ...
RULE_CASES = [
    "@main = r\n  & (x r) ~ (5 x)",
    "@main = (a b)\n  & * ~ {a b}",
    "@main = (a b)\n  & 7 ~ {a b}",
    "@main = 1\n  & * ~ 2",
    "@main = (a (b (c d)))\n  & (a b) ~ {c d}",
    "@id = (a a)\n@main = r\n  & @id ~ (7 r)",
    "@id = (a a)\n@main = (a b)\n  & @id ~ {a b}",
    "@dup = ({a b} (a b))\n@main = (a b)\n  & @dup ~ {a b}",
    "@loop = (a b)\n  & @loop ~ (a b)\n@main = 1\n  & * ~ @loop",
    "@main = r\n  & 3 ~ $([+4] r)",
    "@main = r\n  & 3 ~ $([:-10] r)",
    "@four = 4\n@main = r\n  & [*3] ~ $(a r)\n  & @four ~ a",
    "@main = r\n  & 0 ~ ?((10 @s) r)\n@s = *",
    "@main = r\n  & 4 ~ ?((10 ($([*2] y) y)) r)",
    "@main = (a a)",
    "@main = @f\n@f = *",
    "@inc = ($([+1] a) a)\n@main = r\n  & @inc ~ (5 r)",
    "@f = (a (b r))\n  & a ~ $([+] $(b r))\n@main = r\n  & @f ~ (5 (6 r))",
    "@add = ($([+] $(a b)) (a b))\n@main = (x (y r))\n  & @add ~ (x (y r))",
    "@main = r\n  & 1.5 ~ $([*2.0] $([%] $(0.7 r)))",
]

# ... the shared nets made small: (text to replace, replacement) ...
SCALED = {
    "tree_sum": ("@build ~ (20 a)", "@build ~ (6 a)"),
    "bitonic_sort": ("(16 ", "(5 "),
    "list_sum": ("1000000", "300"),
    "fib": ("(30 a)", "(12 a)"),
    "church_not": ("1000000", "301"),
}

# ... and a net that never fits: a full tree of pairs of depth 24 kept as the result (16M nodes)
GROWING_TREE = """
@main = r
  & @tree ~ (24 r)
@tree = (?((0 @tree/s) r) r)
@tree/s = ({n m} (x y))
  & @tree ~ (n x)
  & @tree ~ (m y)
"""
