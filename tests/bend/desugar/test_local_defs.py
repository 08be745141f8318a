"""bend.desugar.local_defs: local definitions are lifted to the top level with their captured
variables."""

from __future__ import annotations

from passes_support import stage, shown, nodes

from bend import ast


LOCAL = """\
def f(x):
  def aux(y):
    return y + x
  return aux(1)
def g(x, z):
  def go(y):
    return go(y + z + x)
  return go(1)
def main:
  return 0
"""


def test_local_defs_are_lifted_with_their_captured_variables_first():
    out = shown(LOCAL, "local_defs")
    assert out["f"] == "(f x) = use aux = (f__local_0_aux x); (aux 1)"
    assert out["f__local_0_aux"] == "(f__local_0_aux x y) = use aux = (f__local_0_aux x); (+ y x)"


def test_local_defs_captured_variables_are_sorted_and_recursion_sees_the_lifted_call():
    out = shown(LOCAL, "local_defs")
    assert out["g"] == "(g x z) = use go = (g__local_0_go x z); (go 1)"
    assert out["g__local_0_go"] == "(g__local_0_go x z y) = use go = (g__local_0_go x z); (go (+ (+ y z) x))"
    book, _ = stage(LOCAL, "local_defs")
    assert not any(type(x) is ast.LocalDef for d in book.defs.values() for r in d.rules for x in nodes(r.body))
