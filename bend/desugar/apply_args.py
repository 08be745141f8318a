"""Apply the entry point to the command line's terms (`bend run f.bend 10 '[1, 2]'`).

In:  the Book after bend.desugar.match_defs (the entry point is one rule), ctx.args: the terms
     as parsed, ctx.program: where their names are resolved (as the entry point sees them).
Out: the entry point's body applied to the terms, each desugared as the program's literals and
     matches were; their errors (unbound names, ...) reported as the program's are.
     ctx.entry_args says how many (the type checker checks each one against a parameter).
"""

from __future__ import annotations

from bend import ast
from bend.check.names import check_term
from bend.desugar import fix_matches, literals, resolve
from bend.desugar.terms import app


def run(book: ast.Book, ctx) -> ast.Book:
    if not ctx.args or ctx.entry not in book.defs:
        return book
    program = ctx.program
    name = program_entry(program, ctx)
    for a in ctx.args:
        check_term(program, a, name, ctx.diagnostics)
    if ctx.diagnostics.errors:
        return book
    namespace = program.namespace(name)
    encoder, fixer = literals.Encoder(ctx.fresh, keep_long=True), fix_matches.Fixer(ctx)
    terms = [ast.rewrite(ast.rewrite(resolve.Resolver(program, namespace).term(a), encoder.term), fixer.fix)
             for a in ctx.args]
    rule = book.defs[ctx.entry].rules[0]
    rule.body = app(rule.body, terms)
    ctx.entry_args = len(terms)
    return book


def program_entry(program, ctx) -> str:
    """The entry point's name as the program wrote it (`Main` is renamed `main` for HVM2)."""
    defs = program.main.book.defs
    return "Main" if ctx.entry == "main" and "Main" in defs and "main" not in defs else ctx.entry
