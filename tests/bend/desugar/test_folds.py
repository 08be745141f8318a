"""bend.desugar.folds: `fold` becomes a recursive definition where the recursive fields are folded."""

from __future__ import annotations

from passes_support import shown


FOLDS = """\
def sum(xs):
  fold xs:
    case List/Cons:
      return xs.head + xs.tail
    case List/Nil:
      return 0
def sumk(xs, k):
  fold xs with acc = 0:
    case List/Cons:
      return xs.tail(acc + xs.head * k)
    case List/Nil:
      return acc
def main:
  return 0
"""


def test_folds_become_recursive_definitions_where_recursive_fields_are_folded():
    out = shown(FOLDS, "folds")
    assert out["sum"] == "sum = λa (sum__fold0 a)"
    assert out["sum__fold0"] == ("sum__fold0 = λa match a { List/Nil: use b = List/Nil; 0; List/Cons c d: "
                                 "use e = (List/Cons c (sum__fold0 d)); (+ c (sum__fold0 d)) }")


def test_folds_take_outside_variables_and_thread_the_state():
    out = shown(FOLDS, "folds")
    assert out["sumk"] == "sumk = λa λb (sumk__fold0 a b 0)"
    assert out["sumk__fold0"] == (
        "sumk__fold0 = λa λb λc (match a { List/Nil: λd use e = List/Nil; d; List/Cons f g: λh "
        "use i = (List/Cons f (sumk__fold0 g b)); (sumk__fold0 g b (+ h (* f b))) } c)")
