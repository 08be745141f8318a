"""bend.desugar.linearize_matches: the variables a match's arms use from outside are passed into every
arm."""

from __future__ import annotations

from passes_support import stage, shown, nodes, body

from bend import ast
from bend.desugar.terms import free_vars


LIN_MATCH = """\
type O = (S v) | N
def f(a, b, c):
  switch a:
    case 0:
      return c
    case _:
      return b
def g(x, y):
  match x:
    case O/S:
      return x.v + y
    case O/N:
      return 0
def h(a):
  switch a:
    case 0:
      return 1
    case _:
      return a
main = 0
"""


def test_linearize_matches_passes_outside_variables_into_every_arm_in_binding_order():
    out = shown(LIN_MATCH, "linearize_matches")
    assert out["f"] == "f = λa λb λc (switch a { 0: λd λe e; _ f: λg λh g } b c)"
    assert out["g"] == "g = λa λb (match a { O/S c: λd (+ c d); O/N: λe 0 } b)"
    assert out["h"] == "h = λa switch a { 0: 1; _ b: (+ b 1) }"  # nothing from outside: unchanged


def test_linearize_matches_leaves_every_arm_closed():
    book, _ = stage(LIN_MATCH, "linearize_matches")
    for name in ("f", "g", "h"):
        for x in nodes(body(book, name)):
            if type(x) is ast.Match:
                assert all(set(free_vars(arm.body)) <= set(arm.binds) for arm in x.arms)
            elif type(x) is ast.Switch:
                assert all(not free_vars(arm) for arm in x.arms[:-1])
                assert set(free_vars(x.arms[-1])) <= {x.pred}


def test_linearize_matches_is_switched_off_by_its_option():
    assert shown(LIN_MATCH, "linearize_matches", "no-linearize-matches")["f"] == (
        "f = λa λb λc switch a { 0: c; _ d: b }")
