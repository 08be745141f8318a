"""bend.desugar.unique_names: every binder gets a name of its own, `use` is inlined."""

from __future__ import annotations

from passes_support import stage, shown, nodes, binders, body

from bend import ast
from bend.desugar.terms import free_vars


UNIQUE = """\
def f(y):
  x = y * 2
  x = x + 1
  return (x, lambda x: x)
(G f y) = use x = (f y); (f x x)
(Shadow x) = λx x
main = 0
"""


def test_unique_names_gives_every_binder_its_own_name_in_binding_order():
    book, ctx = stage(UNIQUE, "unique_names")
    for name in ("f", "G", "Shadow"):
        names = binders(body(book, name))
        assert len(names) == len(set(names)), names
        assert all(n in ctx.var_order for n in names)
    lams = [x for x in nodes(body(book, "f")) if type(x) in (ast.Lam, ast.Let)]
    first = [ast.binder_names(x.pattern)[0] for x in lams]
    assert first == sorted(first, key=ctx.var_order.get)  # the outer binder, then the ones inside
    assert shown(UNIQUE, "unique_names")["f"] == "f = λa let b = (* a 2); let c = (+ b 1); (c, λd d)"


def test_unique_names_inlines_use():
    book, _ = stage(UNIQUE, "unique_names")
    assert not any(type(x) is ast.Use for d in book.defs.values() for x in nodes(d.rules[0].body))
    assert shown(UNIQUE, "unique_names")["G"] == "G = λa λb (a (a b) (a b))"


def test_unique_names_a_shadowed_name_refers_to_the_inner_binder():
    book, _ = stage(UNIQUE, "unique_names")
    outer = body(book, "Shadow")
    inner = outer.body
    assert inner.body == ast.Var(inner.pattern.name) and inner.pattern.name != outer.pattern.name


def test_unique_names_inlining_a_lambda_twice():
    book, _ = stage("(G y) = use f = λz z; (y f f)\nmain = (G λa a)\n", "unique_names")
    g = body(book, "G")
    names = binders(g)
    assert len(names) == len(set(names)) == 3
    assert not free_vars(g)
