"""bend.desugar.bends: `bend` becomes a recursive definition over the outside variables, then the
state."""

from __future__ import annotations

from passes_support import shown


BENDS = """\
def range(n):
  bend x = 0:
    when x < n:
      return List/Cons(x, fork(x + 1))
    else:
      return List/Nil
def tree(d):
  bend x = 0, y = d:
    when x < y:
      return ![fork(x + 1, y), fork(x + 1, y)]
    else:
      return !x
def main:
  return 0
"""


def test_bends_become_recursive_definitions_over_outside_variables_then_state():
    out = shown(BENDS, "bends")
    assert out["range"] == "range = λa (range__bend0 a 0)"
    assert out["range__bend0"] == (
        "range__bend0 = λa λb switch (< b a) { 0: List/Nil; _ c: use d = (range__bend0 a); "
        "(List/Cons b (d (+ b 1))) }")


def test_bends_with_two_states_and_nothing_from_outside():
    out = shown(BENDS, "bends")
    assert out["tree"] == "tree = λa (tree__bend0 0 a)"
    assert out["tree__bend0"] == ("tree__bend0 = λa λb switch (< a b) { 0: (Tree/Leaf a); _ c: use d = tree__bend0; "
                                  "(Tree/Node (d (+ a 1) b) (d (+ a 1) b)) }")
