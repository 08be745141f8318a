"""bend.desugar.fix_matches: matches and switches get every arm, in the type's order, with field
variables and the rebuilt value; missing and unreachable arms are reported."""

from __future__ import annotations

from support import run_bend
from passes_support import shown, diagnostics


FIX = """\
type Opt = (Some val) | None
type T = (A) | (B f) | (C g h)
type Box = (Box v)
def reorder(x):
  match x:
    case Opt/None:
      return 0
    case Opt/Some:
      return x.val
def rest(x):
  match x:
    case T/B:
      return x.f
    case _:
      return 0
def named(x):
  match x:
    case T/A:
      return 1
    case y:
      return y
def cond(x):
  if x:
    return 1
  else:
    return 2
def sw(n):
  switch n:
    case 0:
      return n
    case 1:
      return 5
    case _:
      return n
def bound(z):
  match y = z:
    case Opt/Some:
      return y
    case Opt/None:
      return 0
def carried(x, a):
  match x with a:
    case Opt/Some:
      return a
    case Opt/None:
      return a
def opened(x):
  open Box: x
  return x.v
def main:
  return 0
"""


def test_fix_matches_if_becomes_a_switch_with_the_else_first():
    assert shown(FIX, "fix_matches")["cond"] == "(cond x) = switch x { 0: 2; _ %pred: 1 }"


def test_fix_matches_arms_follow_the_types_order_with_field_variables_and_the_rebuilt_value():
    assert shown(FIX, "fix_matches")["reorder"] == (
        "(reorder x) = match x { Opt/Some x.val: use x = (Opt/Some x.val); x.val; Opt/None: use x = Opt/None; 0 }")


def test_fix_matches_case_underscore_fills_the_other_constructors():
    assert shown(FIX, "fix_matches")["rest"] == (
        "(rest x) = match x { T/A: use x = T/A; 0; T/B x.f: use x = (T/B x.f); x.f; "
        "T/C x.g x.h: use x = (T/C x.g x.h); 0 }")


def test_fix_matches_case_name_binds_the_rebuilt_value():
    assert shown(FIX, "fix_matches")["named"] == (
        "(named x) = match x { T/A: use x = T/A; 1; T/B x.f: use x = (T/B x.f); use y = (T/B x.f); y; "
        "T/C x.g x.h: use x = (T/C x.g x.h); use y = (T/C x.g x.h); y }")


def test_fix_matches_switch_arms_see_the_number_they_matched():
    assert shown(FIX, "fix_matches")["sw"] == (
        "(sw n) = switch n { 0: use n = 0; n; 1: use n = 1; 5; _ n-2: use n = (+ n-2 2); n }")


def test_fix_matches_match_with_a_binding_lets_it_first():
    assert shown(FIX, "fix_matches")["bound"] == (
        "(bound z) = let y = z; match y { Opt/Some y.val: use y = (Opt/Some y.val); y; Opt/None: use y = Opt/None; 0 }")


def test_fix_matches_with_variables_become_lambdas_in_every_arm():
    assert shown(FIX, "fix_matches")["carried"] == (
        "(carried x a) = (match x { Opt/Some x.val: λa use x = (Opt/Some x.val); a; "
        "Opt/None: λa use x = Opt/None; a } a)")


def test_fix_matches_open_is_a_one_arm_match():
    assert shown(FIX, "fix_matches")["opened"] == "(opened x) = match x { Box/Box x.v: use x = (Box/Box x.v); x.v }"


def test_fix_matches_a_scrutinee_without_a_name_is_let_to_a_fresh_one():
    src = "type Opt = (Some val) | None\ndef g:\n  match Opt/Some(1):\n    case Opt/Some:\n      return 2\n" \
          "    case Opt/None:\n      return 3\ndef main:\n  return 0\n"
    assert shown(src, "fix_matches")["g"] == "g = let a = (Opt/Some 1); match a { Opt/Some b: 2; Opt/None: 3 }"


def test_fix_matches_a_missing_constructor_is_an_error():
    errors, _ = diagnostics("type Opt = (Some val) | None\ndef f(x):\n  match x:\n    case Opt/Some:\n      return 1\n"
                            "def main:\n  return 0\n", "fix_matches")
    assert errors == ["this `match` on `Opt` does not cover `Opt/None`"]


def test_fix_matches_an_arm_after_a_catch_all_is_never_reached():
    _, warnings = diagnostics("type Opt = (Some val) | None\ndef f(x):\n  match x:\n    case Opt/Some:\n"
                              "      return 1\n    case _:\n      return 2\n    case Opt/None:\n      return 3\n"
                              "def main:\n  return 0\n", "fix_matches")
    assert warnings == ["this case is never reached: `Opt/None` is matched before it"]
    _, warnings = diagnostics("def f(x):\n  match x:\n    case y:\n      return y\n    case _:\n      return 1\n"
                              "def main:\n  return 0\n", "fix_matches")
    assert warnings == ["irrefutable match: this case is never reached, the case before it matches anything"]


def test_fix_matches_a_catch_all_arm_with_a_binding_covering_two_constructors():
    src = ("type T = (A) | (B) | (C)\ndef f(x):\n  match x:\n    case T/A:\n      return 1\n    case _:\n"
           "      y = 5\n      return y\ndef main:\n  return f(T/C)\n")
    assert run_bend(src, "py").text == "5"
