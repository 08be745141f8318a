"""The desugaring passes, in order: a loaded program in, a book of core terms out.

In:  a loaded and checked Program (bend.frontend.loader, bend.check) and the `-O` options.
Out: (the core Book, the Ctx): every definition one rule of linear core terms (Var, Link,
     Era, Num, Ref, Lam, App, Oper, Let, Tuple, Sup, Swi), ready for bend.to_hvm; native
     `hvm` definitions unchanged. Raises BendError if a pass finds errors.

Each pass is a module with `run(book, ctx) -> book`. The driver (bend.compiler) runs them:
`start` makes the book and its context, `run_pass` runs one pass; `bend desugar --stop-after
NAME` shows the book after any of them.
"""

from __future__ import annotations

from bend import ast
from bend.desugar import (apply_args, bends, encode_adts, encode_matches, fix_matches, float_combinators, folds, linearize_match_binds,
                          linearize_matches, linearize_vars, literals, local_defs, match_defs, merge, prune, resolve,
                          unique_names, unused, with_blocks)
from bend.desugar.context import Ctx, Options
from bend.diagnostics import BendError

PASSES = {
    "literals": literals,  # strings, lists, trees as constructors; tuples as pairs
    "fix_matches": fix_matches,  # if/open/match/switch/fold in one normal form
    "local_defs": local_defs,  # local `def`s to the top level
    "match_defs": match_defs,  # equations with patterns to matches
    "apply_args": apply_args,  # `main` applied to the command line's terms
    "bends": bends,  # `bend` to recursive definitions
    "folds": folds,  # `fold` to recursive definitions
    "with_blocks": with_blocks,  # `with`/`<-` to bind calls
    "unique_names": unique_names,  # one name per binder; `use` inlined
    "linearize_matches": linearize_matches,  # outside variables passed into arms
    "linearize_match_binds": linearize_match_binds,  # -Olinearize-matches-alt: binders before a match moved in
    "encode_matches": encode_matches,  # matches and switches to Swi
    "linearize_vars": linearize_vars,  # dups and erasers: each variable used once
    "float_combinators": float_combinators,  # closed terms to definitions of their own
    "encode_adts": encode_adts,  # constructors as functions
    "unused": unused,  # a warning for each of the user's definitions the entry point never uses
    "prune": prune,  # what main uses; main's result expanded
    "merge": merge,  # -Omerge: definitions with the same body made one
}
# called as check(book, pass name, ctx) after each pass; the tests add bend.desugar.validate here
AFTER_EACH_PASS: list = []


def entry_name(program) -> str:
    """`main` (or `Main`), or the definition `bend -e NAME` names (program.entrypoint)."""
    custom = getattr(program, "entrypoint", None)
    if custom not in (None, "main", "Main"):
        return custom
    defs = program.main.book.defs
    return "Main" if "Main" in defs and "main" not in defs else "main"


def start(program, options: Options, args: list | None = None) -> tuple[ast.Book, Ctx]:
    """The program's definitions with their references resolved, and the passes' context.
    `args`: terms (as parsed) to apply the entry point to, from the command line."""
    book = resolve.run(program)
    entry = entry_name(program)
    if entry == "Main":  # HVM2 starts at @main
        book.defs["main"] = book.defs.pop("Main")
        book.defs["main"].name = "main"
        entry = "main"
    ctx = Ctx(book, program.diagnostics, entry, options, program=program, args=list(args or []))
    main = program.main
    ctx.own_defs = {"main" if n == "Main" else main.prefix + n for n in (*main.book.defs, *main.book.hvm_defs)}
    return book, ctx


def run_pass(name: str, book: ast.Book, ctx: Ctx) -> ast.Book:
    """One pass; BendError if it (or one before it) found errors."""
    book = PASSES[name].run(book, ctx)
    ctx.book = book
    if ctx.diagnostics.errors:
        raise BendError(ctx.diagnostics)
    for check in AFTER_EACH_PASS:
        check(book, name, ctx)
    return book
