"""Shared by the tests of the compiler's passes (tests/bend/desugar/, tests/bend/to_hvm/): a
program after a pass, printed as `bend desugar --stop-after NAME` prints it (variables
renamed a, b, c, ... per definition; generated names `%pred35` shown without their number),
its diagnostics, and its nets.
"""

from __future__ import annotations

import functools
import re
from pathlib import Path

from support import compile_bend

from bend import ast
from bend.check import check_program
from bend.desugar.context import Options
from bend.compiler import desugar, readable, stages
from bend.diagnostics import BendError
from bend.frontend.loader import load_program
from bend.frontend.printer import show_definition
from bend.to_hvm.readback import readback, show
from hvm.syntax import parse_net, parse_tree, show_net


def load(src: str, path: str = "test.bend"):
    program = load_program(Path(path), src)
    check_program(program)
    errors = [d.render() for d in program.diagnostics.errors]
    assert not errors, "\n".join(errors)
    return program


def options(*flags: str) -> Options:
    o = Options()
    for flag in flags:
        o.set(flag)
    return o


def stage(src: str, after: str, *flags: str):
    """(the core book, the ctx) after the pass `after`."""
    assert after in stages()
    return desugar(load(src), options(*flags), after)


FRESH = re.compile(r"%([A-Za-z_]+?)\d+")


def text(d: ast.Definition) -> str:
    return FRESH.sub(r"%\1", show_definition(readable(d)))


@functools.lru_cache(maxsize=None)
def shown(src: str, after: str, *flags: str) -> dict[str, str]:
    """Each of the user's definitions after the pass `after`, as `bend desugar` prints it."""
    book, _ = stage(src, after, *flags)
    return {name: text(d) for name, d in book.defs.items() if not d.builtin}


def diagnostics(src: str, after: str | None = None, path: str = "test.bend") -> tuple[list[str], list[str]]:
    """(error messages, warning messages) of checking and desugaring up to `after`."""
    program = load_program(Path(path), src)
    check_program(program)
    if not program.diagnostics.errors:
        try:
            desugar(program, Options(), after)
        except BendError:
            pass
    items = program.diagnostics.items
    return [d.message for d in items if d.severity == "error"], [d.message for d in items if d.severity == "warning"]


def nodes(t):
    """Every term inside `t` (itself included)."""
    stack = [t]
    while stack:
        x = stack.pop()
        yield x
        stack.extend(ast.subterms(x))


def binders(t) -> list[str]:
    """The names bound anywhere in a (fixed) term: lambdas, lets, uses, match arms, switch preds."""
    out = []
    for x in nodes(t):
        cls = type(x)
        if cls in (ast.Lam, ast.Let):
            out += ast.binder_names(x.pattern)
        elif cls is ast.Use:
            out.append(x.name)
        elif cls is ast.Match:
            out += [b for arm in x.arms for b in arm.binds]
        elif cls is ast.Switch:
            out.append(x.pred)
    return out


def body(book, name: str):
    return book.defs[name].rules[0].body


@functools.lru_cache(maxsize=None)
def nets(src: str, *flags: str) -> dict[str, str]:
    """The nets of the user's definitions (`bend gen-hvm`)."""
    compiled = compile_bend(src, options=options(*flags))
    return {n: show_net(d.net) for n, d in compiled.hvm.defs.items()
            if n not in compiled.core.defs or not compiled.core.defs[n].builtin}


def net(text_: str) -> str:
    """A net's text in the printer's layout."""
    return show_net(parse_net(text_))


def rb(tree: str) -> str:
    return show(readback(parse_tree(tree)))
