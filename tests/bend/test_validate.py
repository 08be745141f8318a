"""The validator of core terms (bend.desugar.validate) finds what it is meant to find."""

from __future__ import annotations

from bend import ast
from bend.desugar.validate import validate


def book_of(body) -> ast.Book:
    book = ast.Book()
    book.defs["main"] = ast.Definition("main", [ast.Rule([], body)])
    return book


def lam(name, body):
    return ast.Lam(ast.PVar(name), body)


def test_a_well_formed_linear_book_has_no_problems():
    assert validate(book_of(lam("x", ast.App(ast.Var("x"), ast.Num(1)))), "linearize_vars") == []


def test_an_unknown_reference_is_found_after_any_pass():
    assert validate(book_of(ast.Ref("nowhere")), "literals") == ["main: unknown reference `nowhere`"]


def test_an_unbound_variable_is_found_in_core_terms():
    assert validate(book_of(lam("x", ast.Var("y"))), "encode_matches") == ["main: unbound variable `y`"]


def test_a_variable_used_twice_or_never_is_found_once_linear():
    twice = lam("x", ast.App(ast.Var("x"), ast.Var("x")))
    assert validate(book_of(twice), "encode_matches") == []  # (dups are made by linearize_vars)
    assert validate(book_of(twice), "linearize_vars") == ["main: `x` used 2 times"]
    assert validate(book_of(lam("x", ast.Num(1))), "linearize_vars") == ["main: `x` used 0 times"]


def test_a_name_bound_in_two_arms_counts_each_binder_apart():
    arms = ast.Swi(ast.Num(0), lam("a", ast.Var("a")), lam("a", ast.Var("a")))
    assert validate(book_of(arms), "prune") == []


def test_sugar_left_in_core_terms_is_found():
    body = ast.Match(ast.Num(0), None, [], [])
    assert validate(book_of(body), "linearize_vars") == ["main: `Match` left in core terms"]
