"""The desugaring passes, in order: a loaded program in, a book of core terms out.

In:  a loaded and checked Program (bend.frontend.loader, bend.check) and the `-O` options.
Out: (the core Book, the Ctx): every definition one rule of linear core terms (Var, Link,
     Era, Num, Ref, Lam, App, Oper, Let, Tuple, Sup, Swi), ready for bend.to_hvm; native
     `hvm` definitions unchanged. Raises BendError if a pass finds errors.

Each pass is a module with `run(book, ctx) -> book`; `bend desugar --stop-after NAME` shows
the book after any of them.
"""

from __future__ import annotations

from bend import ast
from bend.check import types
from bend.check.names import check_term
from bend.deep import deep
from bend.desugar.terms import app
from bend.desugar import (bends, encode_adts, encode_matches, fix_matches, float_combinators, folds, linearize_match_binds,
                          linearize_matches, linearize_vars, literals, local_defs, match_defs, merge, prune, resolve,
                          unique_names, unused, with_blocks)
from bend.desugar.context import Ctx, Options
from bend.diagnostics import BendError

PASSES = {
    "literals": literals,  # strings, lists, trees as constructors; tuples as pairs
    "fix_matches": fix_matches,  # if/open/match/switch/fold in one normal form
    "local_defs": local_defs,  # local `def`s to the top level
    "match_defs": match_defs,  # equations with patterns to matches
    "bends": bends,  # `bend` to recursive definitions
    "folds": folds,  # `fold` to recursive definitions
    "with_blocks": with_blocks,  # `with`/`<-` to bind calls
    "unique_names": unique_names,  # one name per binder; `use` inlined
    "type_check": types,  # Hindley–Milner checking of the annotated definitions (changes nothing)
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


def apply_args(program, ctx: Ctx, args: list) -> None:
    """`main` applied to the command line's terms (names in them as `main` sees them); their
    errors (unbound names, ...) are reported as the program's are."""
    for a in args:
        check_term(program, a, entry_name(program), ctx.diagnostics)
    if ctx.diagnostics.errors:
        return
    namespace = program.namespace(entry_name(program))
    encoder, fixer = literals.Encoder(ctx.fresh, keep_long=True), fix_matches.Fixer(ctx)
    terms = [ast.rewrite(ast.rewrite(resolve.Resolver(program, namespace).term(a), encoder.term), fixer.fix)
             for a in args]
    rule = ctx.book.defs[ctx.entry].rules[0]
    rule.body = app(rule.body, terms)


def entry_name(program) -> str:
    """`main` (or `Main`), or the definition `bend -e NAME` names (program.entrypoint)."""
    custom = getattr(program, "entrypoint", None)
    if custom not in (None, "main", "Main"):
        return custom
    defs = program.main.book.defs
    return "Main" if "Main" in defs and "main" not in defs else "main"


def desugar(program, options: Options | None = None, stop_after: str | None = None, args: list | None = None):
    """`args`: terms (as parsed) to apply `main` to, from the command line."""
    return deep(_desugar, program, options or Options(), stop_after, args or [])


def _desugar(program, options: Options, stop_after: str | None, args: list):
    book = resolve.run(program)
    entry = entry_name(program)
    if entry == "Main":  # HVM2 starts at @main
        book.defs["main"] = book.defs.pop("Main")
        book.defs["main"].name = "main"
        entry = "main"
    ctx = Ctx(book, program.diagnostics, entry, options)
    main = program.main
    ctx.own_defs = {"main" if n == "Main" else main.prefix + n for n in (*main.book.defs, *main.book.hvm_defs)}
    for name, module in PASSES.items():
        if options.trace is not None:
            options.trace(f"desugar: {name}")
        book = module.run(book, ctx)
        ctx.book = book
        if name == "match_defs" and args and ctx.entry in ctx.book.defs:
            apply_args(program, ctx, args)
        if ctx.diagnostics.errors:
            raise BendError(ctx.diagnostics)
        if name == stop_after:
            break
    return book, ctx
