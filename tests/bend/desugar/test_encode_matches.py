"""bend.desugar.encode_matches: matches become applications to switches on the tag, switches a cascade
of two-way switches."""

from __future__ import annotations

from passes_support import stage, shown, nodes

from bend import ast


ENCODE = """\
type T = (A) | (B f) | (C g h)
type Box = (Box v)
def m(x):
  match x:
    case T/A:
      return 0
    case T/B:
      return x.f
    case T/C:
      return x.h
def one(x):
  match x:
    case Box/Box:
      return x.v
def s(n):
  switch n:
    case 0:
      return 10
    case 1:
      return 11
    case _:
      return n
main = 0
"""


def test_encode_matches_a_match_applies_the_value_to_a_switch_on_its_tag():
    assert shown(ENCODE, "encode_matches")["m"] == (
        "m = λa (a λb switch b { 0: 0; _: λc switch c { 0: λd d; _: λ* λe λf f } })")


def test_encode_matches_a_type_of_one_constructor_has_no_other_arm():
    assert shown(ENCODE, "encode_matches")["one"] == "one = λa (a λb switch b { 0: λc c; _: * })"


def test_encode_matches_a_switch_on_0_to_k_is_a_cascade_of_two_way_switches():
    assert shown(ENCODE, "encode_matches")["s"] == (
        "s = λa switch a { 0: 10; _: λb switch b { 0: 11; _: λc (+ c 2) } }")
    book, _ = stage(ENCODE, "encode_matches")
    assert not any(type(x) in (ast.Match, ast.Switch) for d in book.defs.values() for x in nodes(d.rules[0].body))
