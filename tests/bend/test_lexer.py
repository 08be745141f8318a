"""bend.frontend.lexer: tokens, literal values, layout information."""

from __future__ import annotations

import pytest

from bend.diagnostics import Diagnostics
from bend.frontend.lexer import tokenize
from hvm import numbers as N


def lex(text: str):
    diagnostics = Diagnostics()
    tokens = [t for t in tokenize(text, "t.bend", diagnostics) if t.kind != "EOF"]
    return tokens, [d.message for d in diagnostics.items]


def kinds(text: str):
    tokens, errors = lex(text)
    assert errors == []
    return [(t.kind, t.text) for t in tokens]


def test_names_take_dots_dashes_and_slashes():
    assert kinds("Tree/Node t.left n-1 _ x_y2") == [
        ("NAME", "Tree/Node"), ("NAME", "t.left"), ("NAME", "n-1"), ("NAME", "_"), ("NAME", "x_y2")]


def test_operators_longest_first():
    assert [t for _, t in kinds("a ** b <= c << d -> e <- f += g @= h == i != j")] == [
        "a", "**", "b", "<=", "c", "<<", "d", "->", "e", "<-", "f", "+=", "g", "@=", "h", "==", "i", "!=", "j"]


def test_subtraction_needs_spaces():
    assert kinds("x-1") == [("NAME", "x-1")]
    assert kinds("x - 1") == [("NAME", "x"), ("OP", "-"), ("NUMBER", "1")]


@pytest.mark.parametrize(
    "text, numb",
    [
        ("42", N.new_u24(42)),
        ("0x1F", N.new_u24(31)),
        ("0b101", N.new_u24(5)),
        ("1_000_000", N.new_u24(1_000_000)),
        ("16777215", N.new_u24(16777215)),
        ("1.5", N.new_f24(1.5)),
        ("0xA.A", N.new_f24(10.625)),
        ("0b111.111", N.new_f24(7.875)),
        ("'a'", N.new_u24(97)),
        ("'\\n'", N.new_u24(10)),
        ("'\\u{1F30E}'", N.new_u24(0x1F30E)),
        ("'🌎'", N.new_u24(0x1F30E)),
        ("`x`", N.new_u24(49)),
        ("`hi`", N.new_u24(33 * 64 + 34)),
    ],
)
def test_literal_values(text, numb):
    tokens, errors = lex(text)
    assert errors == []
    assert [t.value for t in tokens] == [numb]


def test_a_sign_is_its_own_token_and_knows_its_neighbour():
    tokens, _ = lex("-1 - 1")
    assert [(t.text, t.space_before) for t in tokens] == [("-", True), ("1", False), ("-", True), ("1", True)]


def test_strings_and_escapes():
    tokens, errors = lex('"a\\tb\\"c\\u{48}\\\\"')
    assert errors == []
    assert tokens[0].value == 'a\tb"cH\\'


def test_comments_are_skipped():
    text = "a # a comment\n#{ a block\ncomment #} b"
    assert [t for _, t in kinds(text)] == ["a", "b"]


def test_layout_information():
    tokens, _ = lex("def f():\n    return 1\n\treturn 2")
    first = {t.text: (t.first, t.indent) for t in tokens}
    assert first["def"] == (True, "")
    assert first["f"] == (False, None)
    assert tokens[5].text == "return" and tokens[5].indent == "    "
    assert tokens[7].text == "return" and tokens[7].indent == "\t"


@pytest.mark.parametrize(
    "text, message",
    [
        ('"abc', "unterminated string"),
        ("'a", "unterminated character"),
        ("`ab", "unterminated symbol"),
        ("'ab'", "a character literal holds exactly one character, not 2"),
        ('"\\q"', "unknown escape `\\q`"),
        ("16777216", "number literal `16777216` does not fit in u24"),
        ("12abc", "`12abc` is not a valid number"),
        ("0x", "`0x` is not a valid number"),
        ("`toolong`", "is not a symbol"),
        ("#{ never closed", "unterminated block comment"),
    ],
)
def test_lexical_errors(text, message):
    _, errors = lex(text)
    assert any(message in e for e in errors), errors


def test_a_stray_character_is_left_to_the_parser():
    tokens, errors = lex("a ? b")
    assert errors == []
    assert [t.kind for t in tokens] == ["NAME", "BAD", "NAME"]
