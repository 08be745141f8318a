"""hvm.validate: what a runnable net must satisfy beyond its syntax."""

from __future__ import annotations

from hvm.syntax import parse_book
from hvm.validate import validate


def problems(text: str):
    return [(e.message, e.span.line_col() if e.span else None, e.hint) for e in validate(parse_book(text, "v.hvm"))]


def test_a_valid_book_has_no_problems():
    assert problems("@main = a\n  & @id ~ (1 a)\n@id = (x x)\n") == []


def test_variable_used_once():
    [(message, place, hint)] = problems("@main = (a a)\n@x = (q *)")
    assert message == "variable `q` occurs only once in @x"
    assert place == (2, 7)
    assert "exactly twice" in hint


def test_variable_used_three_times_points_at_the_third():
    [(message, place, hint)] = problems("@main = (a {a a})")
    assert message == "variable `a` occurs 3 times in @main"
    assert place == (1, 15)
    assert "DUP" in hint


def test_unbound_reference_with_a_suggestion():
    [(message, place, hint)] = problems("@main = @lenght\n@length = *")
    assert message == "@lenght is not defined"
    assert place == (1, 9)
    assert hint == "did you mean @length?"


def test_missing_main():
    [(message, place, hint)] = problems("@mian = *")
    assert message == "the book has no @main definition"
    assert place is None
    assert hint == "did you mean @mian?"


def test_all_problems_are_reported_in_source_order():
    found = problems("@main = (a b)\n  & @nope ~ c\n@other = (d @gone)\n")
    assert [m for m, _, _ in found] == [
        "variable `a` occurs only once in @main",
        "variable `b` occurs only once in @main",
        "@nope is not defined",
        "variable `c` occurs only once in @main",
        "variable `d` occurs only once in @other",
        "@gone is not defined",
    ]
