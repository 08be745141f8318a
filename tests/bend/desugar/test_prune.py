"""bend.desugar.prune: unused definitions are dropped, references main returns are expanded."""

from __future__ import annotations

from support import run_bend
from passes_support import stage, nodes, body

from bend import ast


PRUNE = """\
Unused = 1
(Helper x) = x
xs = [1, 2]
main = (Helper xs)
"""


def test_prune_drops_unused_builtins_and_keeps_the_users_definitions():
    book, _ = stage(PRUNE, "prune")
    assert {"Unused", "Helper", "xs", "main", "List/Cons", "List/Cons/tag", "List/Nil"} <= set(book.defs)
    assert "List/map" not in book.defs and "String/split" not in book.defs
    full, _ = stage(PRUNE, "encode_adts")
    assert "List/map" in full.defs


def test_prune_option_drops_the_users_unused_definitions_too():
    book, _ = stage(PRUNE, "prune", "prune")
    assert {"Helper", "xs", "main"} <= set(book.defs) and "Unused" not in book.defs


def test_prune_expands_references_main_returns():
    book, _ = stage("xs = [1, 2]\nId = λx x\nmain = (xs, λa xs, (List/Cons xs List/Nil), (Id xs))\n", "prune")
    t, items = body(book, "main"), []
    while type(t) is ast.Tuple:  # right-nested pairs
        items.append(t.items[0])
        t = t.items[1]
    whole, lam, ctor, call = items + [t]
    # (a nullary constructor given to a constructor stays a reference, as in Bend: it reads back by name)
    assert sorted(x.name for x in nodes(whole) if type(x) is ast.Ref) == ["List/Cons", "List/Cons", "List/Nil"]
    assert type(lam.body) is ast.App  # a lambda's body
    assert ctor.fun.arg.fun.fun == ast.Ref("List/Cons")  # a constructor's argument
    assert call == ast.App(ast.Ref("Id"), ast.Ref("xs"))  # not in return position


def test_prune_expands_a_recursive_definition_once():
    book, _ = stage("Loop = λx (Loop x)\nmain = Loop\n", "prune")
    main = body(book, "main")  # Bend 0.2.38 does the same: one expansion, then the reference stays
    assert type(main) is ast.Lam and main.body.fun == ast.Ref("Loop")


def test_prune_expanding_a_definition_twice_keeps_unscoped_variables_apart():
    assert run_bend("U = λ$a λb $a\nmain = (U, U)\n", "py").text == "(λa λ* a, λb λ* b)"
