"""bend.desugar.match_defs: definitions by pattern-matching rules become one lambda over matches,
switches and lets."""

from __future__ import annotations

from support import run_bend
from passes_support import stage, shown, diagnostics, nodes, body



MATCH_DEFS = """\
type L = (Nil) | (Cons h t)
(Len L/Nil) = 0
(Len (L/Cons h t)) = (+ 1 (Len t))
(Num 0) = 10
(Num 1) = 11
(Num n) = n
(Back 1) = 11
(Back 0) = 10
(Back n) = n
(Sparse 3) = 30
(Sparse 7) = 70
(Sparse n) = n
(Snd (a, 0)) = a
(Snd (a, n)) = n
(Fst (a, b)) = a
(Id x) = x
main = 0
"""


def test_match_defs_a_constructor_column_becomes_a_match():
    assert shown(MATCH_DEFS, "match_defs")["Len"] == (
        "Len = λa match a { L/Nil: 0; L/Cons b c: use d = c; use e = b; (+ 1 (Len d)) }")


def test_match_defs_numbers_0_to_k_become_a_switch():
    out = shown(MATCH_DEFS, "match_defs")
    assert out["Num"] == "Num = λa switch a { 0: 10; 1: 11; _ b: use c = (+ b 2); c }"
    assert out["Back"] == "Back = λa switch a { 0: 10; 1: 11; _ b: use c = (+ b 2); c }"  # in any order


def test_match_defs_sparse_numbers_become_switches_on_differences():
    # the argument is used once (as Bend does): a function that is duplicated must not duplicate
    assert shown(MATCH_DEFS, "match_defs")["Sparse"] == (
        "Sparse = λa switch (- a 3) { 0: 30; _ b: switch (- b 3) { 0: 70; _ c: use d = (+ c 8); d } }")


def test_match_defs_a_tuple_column_becomes_a_let():
    assert shown(MATCH_DEFS, "match_defs")["Snd"] == (
        "Snd = λa let (b, c) = a; switch c { 0: use d = b; d; _ e: use f = (+ e 1); use g = b; f }")


def test_match_defs_a_rule_of_plain_binders_is_a_chain_of_lambdas():
    out = shown(MATCH_DEFS, "match_defs")
    assert out["Id"] == "Id = λa a"
    assert out["Fst"] == "Fst = λa let (b, c) = a; b"
    book, _ = stage(MATCH_DEFS, "match_defs")
    assert all(len(d.rules) == 1 and not d.rules[0].patterns for d in book.defs.values())


def test_match_defs_a_rule_that_never_applies_is_a_warning():
    errors, warnings = diagnostics("(F x) = 1\n(F 0) = 2\nmain = 0\n", "match_defs")
    assert not errors
    assert warnings == ["this rule of `F` is never used: the rules before it match everything it matches"]


def test_match_defs_rules_of_different_arities_are_an_error():
    errors, _ = diagnostics("(F x) = 1\n(F x y) = 2\nmain = 0\n", "match_defs")
    assert errors == ["the rules of `F` take different numbers of arguments (1 in the first, 2 here)"]


def test_match_defs_an_uncovered_constructor_or_number_is_an_error():
    errors, _ = diagnostics("type L = (Nil) | (Cons h t)\n(F L/Nil) = 1\nmain = 0\n", "match_defs")
    assert "the rules of `F` do not cover `L/Cons`" in errors
    errors, _ = diagnostics("(F 0) = 1\n(F 1) = 2\nmain = 0\n", "match_defs")
    assert "the rules of `F` cover some numbers only" in errors


def test_match_defs_constructors_of_two_types_in_one_column_are_an_error():
    errors, _ = diagnostics("type L = (Nil) | (Cons h t)\ntype O = (Non)\n(F L/Nil) = 1\n(F O/Non) = 1\nmain = 0\n",
                            "match_defs")
    assert errors == ["`O/Non` is a constructor of `O`, but the rules of `F` match this argument against `L`"]


def test_match_defs_a_rule_reached_by_two_branches_keeps_its_variables():
    src = "(A 0 n) = (+ n 1)\n(A m 0) = (A (- m 1) 1)\n(A m n) = (A (- m 1) (A m (- n 1)))\nmain = (A 2 2)\n"
    assert run_bend(src, "py").text == "7"


def test_match_defs_branches_share_no_terms():
    book, _ = stage("type T = (A) | (B) | (C)\n(F T/A) = 0\n(F x) = x\nmain = (F T/C)\n", "match_defs")
    seen = [id(x) for x in nodes(body(book, "F"))]
    assert len(seen) == len(set(seen))
