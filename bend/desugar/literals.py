"""Encode the builtin literals as constructor applications, and make every tuple binary.

In:  a resolved Book (bend.desugar.resolve).
Out: the same Book without Str, List (but the long ones of the entry point, see LONG),
     TreeNode or TreeLeaf terms and without PStr or PList patterns; tuples and superpositions,
     in terms and patterns, are right-nested pairs; a lambda that destructures (`λ(a, b) body`)
     binds a name and destructures it with `let`.

    "hi"         ==>  (String/Cons 104 (String/Cons 105 String/Nil))
    [1, 2]       ==>  (List/Cons 1 (List/Cons 2 List/Nil))
    ![l, r]  !v  ==>  (Tree/Node l r)  (Tree/Leaf v)
    (a, b, c)    ==>  (a, (b, c))
"""

from __future__ import annotations

from bend import ast
from bend.desugar.terms import app, lam
from hvm import numbers


# A string or list literal at least this long, in the entry point, stays one flat node (Str,
# List) down to bend.to_hvm.compile, which makes its chain of constructor calls in a loop: a
# literal of a million characters would otherwise be a term three million nodes deep, walked by
# every pass. (Only in the entry point: elsewhere float_combinators splits long chains into
# definitions of their own, as Bend does, and it works on the chain.)
LONG = 64


def run(book: ast.Book, ctx) -> ast.Book:
    for name, d in book.defs.items():
        encoder = Encoder(ctx.fresh, keep_long=name == ctx.entry)
        for rule in d.rules:
            rule.patterns = [encoder.pattern(p) for p in rule.patterns]
            rule.body = ast.rewrite(rule.body, encoder.term)
    return book


def cons_chain(items, cons: str, nil: str, span, wrap=lambda x: x):
    term = ast.Ref(nil, span)
    for item in reversed(items):
        term = app(ast.Ref(cons, span), [wrap(item), term], span)
    return term


def pattern_chain(items, cons: str, nil: str, span):
    p = ast.PCtr(nil, [], span)
    for item in reversed(items):
        p = ast.PCtr(cons, [item, p], span)
    return p


def pairs(items, make, span):
    """Right-nested pairs of two or more items: (a, (b, c))."""
    result = items[-1]
    for item in reversed(items[:-1]):
        result = make([item, result], span)
    return result


class Encoder:
    def __init__(self, fresh, keep_long: bool = False):
        self.fresh = fresh
        self.keep_long = keep_long

    def term(self, t):
        """One node (its subterms are already encoded: this runs bottom-up)."""
        cls = type(t)
        if self.keep_long and cls in (ast.Str, ast.List) and len(t.text if cls is ast.Str else t.items) >= LONG:
            return t
        if cls is ast.Str:
            return cons_chain(list(t.text), "String/Cons", "String/Nil", t.span,
                              lambda c: ast.Num(numbers.new_u24(ord(c)), t.span))
        if cls is ast.List:
            return cons_chain(t.items, "List/Cons", "List/Nil", t.span)
        if cls is ast.TreeNode:
            return app(ast.Ref("Tree/Node", t.span), [t.left, t.right], t.span)
        if cls is ast.TreeLeaf:
            return app(ast.Ref("Tree/Leaf", t.span), [t.value], t.span)
        if cls in (ast.Tuple, ast.Sup) and len(t.items) > 2:
            return pairs(t.items, cls, t.span)
        if cls in (ast.Lam, ast.Let, ast.Ask):
            t.pattern = self.pattern(t.pattern)
            if cls is ast.Lam:
                return lam(t.pattern, t.body, self.fresh, t.span)
        if cls is ast.LocalDef:
            for rule in t.definition.rules:
                rule.patterns = [self.pattern(p) for p in rule.patterns]
        return t

    def pattern(self, p):
        cls = type(p)
        if cls is ast.PStr:
            items = [ast.PNum(numbers.new_u24(ord(c)), p.span) for c in p.text]
            return pattern_chain(items, "String/Cons", "String/Nil", p.span)
        if cls is ast.PList:
            return pattern_chain([self.pattern(x) for x in p.items], "List/Cons", "List/Nil", p.span)
        if cls is ast.PCtr:
            p.args = [self.pattern(a) for a in p.args]
        elif cls in (ast.PTuple, ast.PSup):
            items = [self.pattern(x) for x in p.items]
            return pairs(items, cls, p.span) if len(items) > 2 else cls(items, p.span)
        return p
