"""bend.desugar.linearize_vars: every variable is used once (erasers for none, dups for more)."""

from __future__ import annotations

from passes_support import stage, shown

from bend import ast


LIN_VARS = """\
(Three x) = (+ x (+ x x))
(Unused x y) = y
(LetOnce y) = let z = (y 1); (y z)
(LetTwice y) = let z = (y 1); (z z)
(LetNone y) = let z = (y 1); y
(Tup p) = let (a, b) = p; (+ a (+ a a))
main = 0
"""


def test_linearize_vars_an_unused_binder_is_erased():
    out = shown(LIN_VARS, "linearize_vars")
    assert out["Unused"] == "Unused = λ* λa a"
    assert out["LetNone"] == "LetNone = λa let {b c} = a; let * = (b 1); c"
    assert out["Tup"].startswith("Tup = λa let (b, *) = a;")


def test_linearize_vars_three_uses_make_a_nested_dup_in_order_of_use():
    out = shown(LIN_VARS, "linearize_vars")
    assert out["Three"] == "Three = λa let {b {c d}} = a; (+ b (+ c d))"
    assert out["Tup"] == "Tup = λa let (b, *) = a; let {c {d e}} = b; (+ c (+ d e))"


def test_linearize_vars_a_let_used_once_is_inlined_and_one_used_twice_is_duplicated():
    out = shown(LIN_VARS, "linearize_vars")
    assert out["LetOnce"] == "LetOnce = λa let {b c} = a; (c (b 1))"
    assert out["LetTwice"] == "LetTwice = λa let {b c} = (a 1); (b c)"


def uses_per_binder(t) -> list[tuple[str, int]]:
    """(name, how many times it is used in its scope) for every variable a lambda or a let binds."""
    out = []

    def walk(x, env: dict) -> None:
        cls = type(x)
        if cls is ast.Var:
            if x.name in env:
                env[x.name][0] += 1
            return
        if cls in (ast.Lam, ast.Let):
            if cls is ast.Let:
                walk(x.value, env)
            counters = {n: [0] for n in ast.binder_names(x.pattern)}
            walk(x.body, {**env, **counters})
            out.extend((n, c[0]) for n, c in counters.items())
            return
        for sub in ast.subterms(x):
            walk(sub, env)

    walk(t, {})
    return out


def test_linearize_vars_every_variable_is_used_once():
    book, _ = stage(LIN_VARS, "linearize_vars")
    for d in book.defs.values():  # the prelude's too: matches, folds, bends
        counts = uses_per_binder(d.rules[0].body)
        assert all(n == 1 for _, n in counts), (d.name, counts)
