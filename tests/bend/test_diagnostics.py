"""What the Bend frontend says about malformed and ill-formed programs.

Each case is a small program with one mistake (or a few, where the point is that all of them
are reported); the test loads and checks it as `bend check` does and compares every error with
the expected message, line, column (1-based, where the span starts) and hint.

Cases marked xfail(strict=True) are bugs found while writing these tests: the expectation is
what a user should get, the reason says what happens instead.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import pytest
from typer.testing import CliRunner

from bend.check import check_program
from bend.cli import app
from bend.frontend.loader import load_program

NO_HINT = None
NUMBER_HINT = "numbers are like 42, 0x2A, 0b101010, 1_000, 1.5, +1, -1"
ESCAPE_HINT = "escapes are \\n \\r \\t \\0 \\\" \\' \\\\ and \\u{HEX}"
BUILTIN_HINT = "the prelude's names cannot be redefined; choose another name"
MAIN = "def main():\n  return 0\n"  # appended where a case is not about `main`


def src(*lines: str) -> str:
    return "\n".join(lines) + "\n"


def load(text: str, folder: Path, name: str = "main.bend"):
    program = load_program(folder / name, text)
    check_program(program)
    return program


def errors_of(program) -> list[tuple]:
    """(message, line, column, hint) of every error, in source order."""
    out = []
    for d in program.diagnostics.sorted():
        if d.severity == "error":
            line, col = d.span.line_col() if d.span is not None else (None, None)
            out.append((d.message, line, col, d.hint))
    return out


@dataclass
class Case:
    id: str
    text: str
    # every error expected, [(message, line, column, hint)]; for a bug (below), where the wording of
    # the fix is not known yet, a predicate on that list saying what a fix must give
    errors: list | Callable[[list], bool]
    bug: str | None = None  # an xfail reason: the frontend does not do this yet

    def param(self):
        marks = [pytest.mark.xfail(strict=True, reason=self.bug)] if self.bug else []
        return pytest.param(self, id=self.id, marks=marks)


def E(message, line, col, hint=NO_HINT):
    return (message, line, col, hint)


def one_error(line=None, col=None, says=(), not_says=(), hint_not=()):
    """A predicate: exactly one error, at `line` (one of them, if a tuple) and `col`, whose message
    holds every string of `says` and none of `not_says`, and whose hint holds none of `hint_not`."""

    def ok(errors):
        if len(errors) != 1:
            return False
        message, got_line, got_col, hint = errors[0]
        lines = line if isinstance(line, tuple) else (line,)
        return ((line is None or got_line in lines) and (col is None or got_col == col)
                and all(s in message for s in says) and not any(s in message for s in not_says)
                and not any(s in (hint or "") for s in hint_not))

    return ok


# -- lexing ---------------------------------------------------------------------------------------

LEXING = [
    Case("unterminated-string", src("def f():", '  return "abc') + MAIN,
         [E('unterminated string: `"` without its closing `"`', 2, 10)]),
    Case("unterminated-char", src("def f():", "  return 'a") + MAIN,
         [E("unterminated character: `'` without its closing `'`", 2, 10)]),
    Case("unterminated-symbol", src("def f():", "  return `ab") + MAIN,
         [E("unterminated symbol: ``` without its closing ```", 2, 10)]),
    Case("unterminated-block-comment", MAIN + src("#{ a comment", "def f():", "  return 1"),
         [E("unterminated block comment: `#{` without `#}`", 3, 1)]),
    Case("bad-escape", src("def f():", '  return "a\\qb"') + MAIN,
         [E("unknown escape `\\q`", 2, 12, ESCAPE_HINT)]),
    Case("bad-unicode-escape", src("def f():", '  return "\\u{ZZ}"') + MAIN,
         [E("`\\u{ZZ}` is not a unicode character", 2, 11, "write \\u{1F30E}")]),
    Case("char-with-two-characters", src("def f():", "  return 'ab'") + MAIN,
         [E("a character literal holds exactly one character, not 2", 2, 10,
            'use double quotes for a string: "..."')]),
    Case("bad-symbol", src("def f():", "  return `a-b`") + MAIN,
         [E("`a-b` is not a symbol: up to 4 of A-Z a-z 0-9 + /", 2, 10)]),
    Case("hex-without-digits", src("def f():", "  return 0x") + MAIN,
         [E("`0x` is not a valid number", 2, 10, NUMBER_HINT)]),
    Case("number-with-letters", src("def f():", "  return 12abc") + MAIN,
         [E("`12abc` is not a valid number", 2, 10, NUMBER_HINT)]),
    Case("binary-digit-2", src("def f():", "  return 0b102") + MAIN,
         [E("`0b102` is not a valid number", 2, 10, NUMBER_HINT)]),
    Case("u24-out-of-range", src("def f():", "  return 16777216") + MAIN,
         [E("number literal `16777216` does not fit in u24 (at most 16777215)", 2, 10,
            "u24 numbers are 0 to 16777215, i24 numbers (+1, -1) -8388608 to +8388607")]),
    Case("i24-out-of-range-caret-at-sign", src("def f():", "  return -8388609") + MAIN,
         [E("number literal `-8388609` does not fit in i24 (-8388608 to +8388607)", 2, 10)]),
    Case("stray-question-mark", src("def f():", "  return ?") + MAIN,
         [E("unexpected character `?`", 2, 10, "Bend has no use for this character here")]),
    Case("stray-question-mark-after-an-expression", src("def f():", "  x = 1 ? 2", "  return x") + MAIN,
         one_error(line=2, col=9, says=["`?`"], hint_not=["one statement per line"])),
    Case("bad-unicode-escape-in-char", src("def f():", "  return '\\u{110000}'") + MAIN,
         [E("`\\u{110000}` is not a unicode character", 2, 11, "write \\u{1F30E}")]),
]


# -- imp syntax -----------------------------------------------------------------------------------

IMP = [
    Case("def-without-colon", src("def f(x)", "  return x") + MAIN,
         [E("expected `:` at the end of the `def` line, found `return`", 2, 3, "def f(x):")]),
    Case("if-without-else", src("def f(x):", "  if x:", "    return 1") + MAIN,
         one_error(line=(2, 3), says=["expected `else`"])),
    Case("else-at-wrong-indentation",
         src("def f(x):", "  if x:", "    return 1", "    else:", "      return 2") + MAIN,
         [E("`else` without the statement it belongs to, or at the wrong indentation", 4, 5)]),
    Case("elif-at-wrong-indentation",
         src("def f(x):", "  if x:", "    return 1", "    elif x:", "      return 2", "  else:", "    return 3")
         + MAIN,
         [E("`elif` without the statement it belongs to, or at the wrong indentation", 4, 5)]),
    Case("unexpected-indentation", src("def f(x):", "  y = 1", "    return y") + MAIN,
         [E("unexpected indentation", 3, 5, "only the lines after a `:` are indented more")]),
    Case("tab-after-spaces", src("def f(x):", "    y = 1", "\treturn y") + MAIN,
         [E("this line's indentation mixes tabs and spaces differently from the block it is in", 3, 2,
            "indent with spaces only, or with tabs only")]),
    Case("spaces-after-tab", src("def f(x):", "\ty = 1", "        return y") + MAIN,
         [E("this line's indentation mixes tabs and spaces differently from the block it is in", 3, 9,
            "indent with spaces only, or with tabs only")]),
    Case("tab-block-under-space-header",
         src("def f(x):", "  if x:", "\treturn 1", "  else:", "    return 2") + MAIN,
         one_error(line=3, says=["mixes tabs and spaces"])),
    Case("return-without-value", src("def f(x):", "  return") + MAIN,
         [E("`return` needs a value", 2, 3)]),
    Case("statement-after-return", src("def f(x):", "  return x", "  y = 1") + MAIN,
         [E("a statement after `return`: `return` ends the function", 3, 3)]),
    Case("statement-after-returning-match",
         src("def f(x):", "  match x:", "    case List/Cons:", "      return 1", "    case List/Nil:",
             "      return 0", "  return 5") + MAIN,
         [E("a statement after a `match` whose branches all return", 7, 3, "`return` ends the function")]),
    Case("branches-end-differently",
         src("def f(x):", "  if x:", "    y = 1", "  else:", "    return 2", "  return y") + MAIN,
         [E("the branches of this `if` end differently", 2, 3,
            "every branch must end with `return`, or every branch with an assignment to the same "
            "variables (which the statements after it then use)")]),
    Case("no-final-return", src("def f(x):", "  y = x") + MAIN,
         [E("`f` does not end with a `return`", 2, 3,
            "the last statement of a function returns its value: `return ...`")]),
    Case("match-arm-without-case",
         src("def f(x):", "  match x:", "    List/Cons:", "      return 1", "    case List/Nil:", "      return 0")
         + MAIN,
         [E("expected `case`, found `List/Cons`", 3, 5, "each arm of a `match` starts with `case ...:`")]),
    Case("switch-case-1-before-0",
         src("def f(x):", "  switch x:", "    case 1:", "      return 1", "    case _:", "      return 0") + MAIN,
         [E("expected the case `0` here: switch cases are 0, 1, 2, ... in order, then `_`", 3, 10)]),
    Case("switch-default-first", src("def f(x):", "  switch x:", "    case _:", "      return 1") + MAIN,
         [E("a switch needs a `0` case before `_`", 3, 10, "switch n { 0: a; _: b }")]),
    Case("switch-case-after-default",
         src("def f(x):", "  switch x:", "    case 0:", "      return 1", "    case _:", "      return 0",
             "    case 1:", "      return 2") + MAIN,
         [E("no case can follow `_`: it is the last case of a switch", 7, 5)]),
    Case("switch-without-default",
         src("def f(x):", "  switch x:", "    case 0:", "      return 1", "    case 1:", "      return 2") + MAIN,
         [E("a switch ends with a `case _:`", 5, 10, "the `_` case takes every number not matched before it")]),
    Case("unclosed-parenthesis", src("def f(x):", "  y = (x + 1", "  return y") + MAIN,
         [E("expected `)` to close the parenthesis, found `return`", 3, 3)]),
    Case("unclosed-bracket", src("def f(x):", "  y = [x, 1", "  return y") + MAIN,
         [E("expected `]` to close the list, found `return`", 3, 3)]),
    Case("unclosed-call-at-end-of-file", MAIN + src("def f(x):", "  return f(x, 1"),
         [E("expected `)` to close the arguments, found the end of the file", 5, 1)]),
    Case("unclosed-call-before-next-def", src("def f(x):", "  return f(", "def g(y):", "  return y") + MAIN,
         one_error(line=(2, 3), says=["`)`"])),
    Case("ask-outside-with", src("def f(x):", "  y <- x", "  return y") + MAIN,
         [E("`<-` (or `ask`) is used outside a `with` block", 2, 3,
            "sequence effects inside `with Type:` (for example `with IO:`)")]),
    Case("fork-outside-bend", src("def f(x):", "  return fork(x)") + MAIN,
         [E("`fork` is used outside a `bend`", 2, 10, "`fork(...)` recurses inside the `when` branch of a `bend`")]),
    Case("bend-state-without-value",
         src("def f(x):", "  bend y:", "    when y:", "      z = fork(y)", "    else:", "      z = 0", "  return z")
         + MAIN,
         [E("unbound variable `y` in `bend`", 2, 3, "give it a first value: `bend y = ...`")]),
    Case("match-keyword-in-expression", src("def f(x):", "  return 1 + match") + MAIN,
         [E("`match` cannot be used in an expression", 2, 14,
            "`match` is a statement: write it on its own line and assign the variable in each of its branches")]),
    Case("match-assigned-to-a-variable",
         src("def f(y):", "  x = match y:", "    case List/Nil:", "      return 1", "    case List/Cons:",
             "      return 2", "  return x") + MAIN,
         one_error(line=2, col=7, says=["`match`"], hint_not=["assign its result to a variable first"])),
    Case("name-with-minus-meant-subtraction", src("def f(x):", "  return x-1") + MAIN,
         [E("unbound variable `x-1`", 2, 10, "`x-1` is one name; write `x - 1` to subtract")]),
    Case("name-with-minus-as-statement", src("def f(x):", "  x-1 + 2", "  return 0") + MAIN,
         [E("expected `=` after `x-1`, found `+`", 2, 7,
            "`x-1` is one name; separate it with spaces (`x - 1`) for a subtraction")]),
    Case("map-assignment-as-last-statement", src("def f(m):", "  m[1] = 2") + MAIN,
         [E("`f` does not end with a `return`", 2, 3,
            "the last statement of a function returns its value: `return ...`")]),
    Case("map-entry-used-as-statement", src("def f(m):", "  m[1] + 2", "  return m") + MAIN,
         [E("expected `=` after `m[...]`, found `+`", 2, 8)]),
    Case("positional-after-named-argument", src("def f(x):", "  return f(x=1, 2)") + MAIN,
         [E("a positional argument after a named one", 2, 17)]),
    Case("bad-parameter", src("def f(1):", "  return 1") + MAIN,
         one_error(line=1, col=7, says=["`1`"], not_says=["statement"])),
    Case("open-without-variable", src("def f(x):", "  open Point:", "  return x") + MAIN,
         one_error(line=2, says=["variable"])),
]


# -- fun syntax -----------------------------------------------------------------------------------

FUN = [
    Case("rule-without-equals", src("(F x) x", "main = 0"),
         [E("expected `=` in the rule for `F`, found `x`", 1, 7)]),
    Case("rule-without-equals-at-end-of-line", src("F x y", "main = 0"),
         [E("expected `=` in the rule for `F`, found `main`", 2, 1,
            "a rule looks like `F x y = body` or `(F x y) = body`")]),
    Case("operator-with-three-operands", src("main = 0", "(F x) = (+ 1 2 3)"),
         [E("`(+ ...)` takes two operands, not 3", 2, 10)]),
    Case("operator-with-one-operand", src("main = 0", "(F x) = (* x)"),
         [E("`(* ...)` takes two operands, not 1", 2, 10)]),
    Case("unclosed-match-at-end-of-file", src("main = 0", "(F x) = match x { List/Nil: 0; List/Cons: 1"),
         [E("expected `}` to close the `match`", 3, 1)]),
    Case("unclosed-match-before-next-rule",
         src("main = 0", "(F x) = match x { List/Nil: 0; List/Cons: 1", "(G y) = y"),
         one_error(line=(2, 3), says=["`}`"])),
    Case("fun-switch-without-default", src("(F n) = switch n { 0: 1; 1: 2 }", "main = 0"),
         one_error(line=1, says=["`_`"])),
    Case("fun-switch-case-1-first", src("(F n) = switch n { 1: 1; _: 2 }", "main = 0"),
         [E("expected the case `0` here: switch cases are 0, 1, 2, ... in order, then `_`", 1, 20)]),
    Case("fun-switch-case-after-default", src("(F n) = switch n { 0: 1; _: 2; 1: 3 }", "main = 0"),
         [E("expected `}` after the `_` case, found `1`", 1, 32, "`_` is the last case of a switch")]),
    Case("superposition-of-one", src("main = 0", "(F x) = {x}"),
         [E("a superposition `{a b}` has at least two terms", 2, 9)]),
    Case("type-without-rules", src("F : u24", "main = 0"),
         [E("`F` has a type but no rules", 1, 1, "add a rule like `(F x) = ...`")]),
]


# -- definitions ----------------------------------------------------------------------------------

DEFINITIONS = [
    Case("function-defined-twice", src("def f(x):", "  return x", "def f(y):", "  return y") + MAIN,
         [E("`f` is defined more than once (first defined on line 1)", 3, 1)]),
    Case("type-defined-twice", src("type T = A | B", "type T = C", "main = 0"),
         [E("`T` is defined more than once (first defined on line 1)", 2, 1)]),
    Case("constructor-redefined-by-a-function", src("type T = A | B", "def T/A():", "  return 0", "main = 0"),
         [E("`T/A` is defined more than once (first defined on line 1)", 2, 1)]),
    Case("function-redefined-by-a-constructor", src("def T/A():", "  return 0", "type T = A | B", "main = 0"),
         [E("`T/A` is defined more than once (first defined on line 1)", 3, 10)]),
    Case("constructor-twice-in-fun-type", src("type T = A | A", "main = 0"),
         one_error(line=1, col=14, says=["`T/A`"])),
    Case("constructor-twice-in-imp-type", src("type T:", "  A", "  A") + MAIN,
         one_error(line=3, col=3, says=["`T/A`"])),
    Case("field-twice", src("type T:", "  A { x, x }") + MAIN,
         [E("the field `x` is repeated", 2, 10)]),
    Case("builtin-function-redefined", src("def List/length(x):", "  return x", "main = 0"),
         [E("`List/length` redefines a builtin definition", 1, 1, BUILTIN_HINT)]),
    Case("builtin-type-redefined", src("type List = A | B", "main = 0"),
         [E("`List` redefines a builtin type", 1, 1, BUILTIN_HINT)]),
    Case("builtin-constructor-redefined", src("def List/Cons(x):", "  return x", "main = 0"),
         one_error(line=1, col=1, says=["`List/Cons`", "builtin constructor"])),
    Case("both-main-and-Main", src("def main():", "  return 0", "def Main():", "  return 1"),
         [E("the program has both `main` and `Main`", 3, 1, "keep one entry point")]),
    Case("main-with-two-rules", src("main 0 = 1", "main x = 2"),
         [E("`main` has several rules; it must have exactly one", 1, 1)]),
    Case("main-referenced", src("def f():", "  return main") + MAIN,
         [E("`main` cannot be referenced inside the program", 2, 10,
            "move what `main` computes into a definition of its own and call that")]),
    Case("Main-referenced", src("Main = λa Main"),
         [E("`Main` cannot be referenced inside the program", 1, 11,
            "move what `Main` computes into a definition of its own and call that")]),
    Case("syntax-error-in-main-is-not-a-missing-main", src("def main():", "  return (1 +", "  "),
         [E("expected an expression, found the end of the file", 4, 1)]),
]


def test_missing_main(tmp_path):
    program = load(src("def f():", "  return 0"), tmp_path)
    [d] = program.diagnostics.errors
    assert d.message == "this program has no `main` definition"
    assert d.span is None
    assert d.path == str(tmp_path / "main.bend")
    assert d.hint == "add `def main():` (or `main = ...`): the program starts there"


def test_i24_out_of_range_message(tmp_path):
    for literal in ("-8388609", "+8388608"):
        program = load(src("def f():", f"  return {literal}") + MAIN, tmp_path)
        [(message, line, _, hint)] = errors_of(program)
        assert (message, line, hint) == (f"number literal `{literal}` does not fit in i24 "
                                         "(-8388608 to +8388607)", 2, None)


# -- names ----------------------------------------------------------------------------------------

NAMES = [
    Case("unbound-with-did-you-mean", src("def main():", "  return lenght(1)", "def length(x):", "  return x"),
         [E("unbound variable `lenght`", 2, 10, "did you mean `length`?")]),
    Case("unbound-without-hint", src("def f(x):", "  return y") + MAIN,
         [E("unbound variable `y`", 2, 10)]),
    Case("unknown-name-with-minus", src("def f(x):", "  return undefined-1") + MAIN,
         [E("unbound variable `undefined-1`", 2, 10)]),
    Case("unknown-constructor-in-rule-pattern", src("(F (List/Conss h t)) = h", "main = 0"),
         [E("unknown constructor `List/Conss` in a pattern", 1, 4, "did you mean `List/Cons`?")]),
    Case("unknown-constructor-in-case",
         src("def f(x):", "  match x:", "    case List/Conss:", "      return 1", "    case List/Nil:",
             "      return 0") + MAIN,
         [E("unknown constructor `List/Conss`", 3, 10, "did you mean `List/Cons`?")]),
    Case("unknown-constructor-in-fun-match", src("(F x) = match x { List/Nill: 0; List/Cons: 1 }", "main = 0"),
         [E("unknown constructor `List/Nill`", 1, 19, "did you mean `List/Nil`?")]),
    Case("constructor-pattern-too-few-fields", src("(F (List/Cons h)) = h", "main = 0"),
         [E("the constructor `List/Cons` has 2 fields, but the pattern gives 1", 1, 4,
            "`List/Cons` has the fields: head, tail")]),
    Case("constructor-pattern-too-many-fields", src("(F (List/Cons h t u)) = h", "main = 0"),
         [E("the constructor `List/Cons` has 2 fields, but the pattern gives 3", 1, 4,
            "`List/Cons` has the fields: head, tail")]),
    Case("bare-constructor-pattern-with-fields", src("(F List/Cons) = 0", "main = 0"),
         [E("the constructor `List/Cons` has 2 fields, but the pattern gives 0", 1, 4,
            "`List/Cons` has the fields: head, tail")]),
    Case("match-arms-of-two-types",
         src("def f(x):", "  match x:", "    case List/Cons:", "      return 1", "    case Maybe/None:",
             "      return 0") + MAIN,
         [E("`Maybe/None` is a constructor of `Maybe`, but this match is on `List`", 5, 10)]),
    Case("unknown-field-in-case",
         src("def f(x):", "  match x:", "    case List/Cons:", "      return x.hed", "    case List/Nil:",
             "      return 0") + MAIN,
         [E("unbound variable `x.hed`", 4, 14, "`List/Cons` has no field `hed`; its fields are: head, tail")]),
    Case("unknown-field-after-open",
         src("object Point { x, y }", "def f(p: Point):", "  open Point: p", "  return p.foo") + MAIN,
         [E("unbound variable `p.foo`", 4, 10, "`Point` has no field `foo`; its fields are: x, y")]),
    Case("field-outside-match", src("def f(x):", "  return x.head") + MAIN,
         [E("unbound variable `x.head`", 2, 10,
            "fields like `x.head` exist inside a `match`, `fold` or `open` of `x`")]),
    Case("open-type-with-several-constructors", src("def f(x):", "  open List: x", "  return x") + MAIN,
         [E("`open` needs a type with one constructor; `List` has 2", 2, 3, "use `match x:` to tell its constructors apart")]),
    Case("open-type-with-several-constructors-then-a-field",
         src("def f(x):", "  open List: x", "  return x.head") + MAIN,
         [E("`open` needs a type with one constructor; `List` has 2", 2, 3, "use `match x:` to tell its constructors apart")]),
    Case("open-unknown-type", src("def f(x):", "  open Foo: x", "  return x") + MAIN,
         [E("`open` of an unknown type `Foo`", 2, 3)]),
    Case("open-misspelled-type", src("object Point { x, y }", "def f(p):", "  open Pont: p", "  return p") + MAIN,
         [E("`open` of an unknown type `Pont`", 3, 3, "did you mean `Point`?")]),
    Case("with-type-without-bind", src("def f(x):", "  with List:", "    y <- x", "    return y") + MAIN,
         [E("`with List` needs a definition `List/bind`", 2, 3,
            "define `List/bind(value, next)` to sequence `List` values")]),
    Case("with-unknown-type", src("def f(x):", "  with Foo:", "    y <- x", "    return y") + MAIN,
         [E("`with` of an unknown type `Foo`", 2, 3)]),
    Case("unknown-named-argument",
         src("def g(a, b):", "  return a", "def main():", "  return g(1, c = 2)"),
         [E("`g` is missing the argument `b`", 4, 10), E("`g` has no parameter or field `c`", 4, 15, "its parameters are: a, b")]),
    Case("misspelled-named-argument",
         src("def g(alpha, beta):", "  return alpha", "def main():", "  return g(1, betta = 2)"),
         [E("`g` is missing the argument `beta`", 4, 10),
          E("`g` has no parameter or field `betta`", 4, 15, "did you mean `beta`?")]),
    Case("missing-named-argument", src("def g(a, b):", "  return a", "def main():", "  return g(a = 1)"),
         [E("`g` is missing the argument `b`", 4, 10)]),
    Case("named-argument-given-twice", src("def g(a, b):", "  return a", "def main():", "  return g(1, a = 4, b = 2)"),
         [E("`a` is given twice", 4, 15)]),
    Case("unknown-field-in-constructor-record",
         src("object Point { x, y }", "def main():", "  return Point { x: 1, z: 2 }"),
         [E("`Point` is missing the argument `y`", 3, 10),
          E("`Point` has no parameter or field `z`", 3, 24, "its parameters are: x, y")]),
    Case("missing-field-in-constructor-record",
         src("type Shape:", "  Rect { w, h }", "def main():", "  return Shape/Rect { w: 1 }"),
         [E("`Shape/Rect` is missing the argument `h`", 4, 10)]),
    Case("named-arguments-to-a-local-function",
         src("def g(a, b):", "  return a", "def f(g):", "  return g(b = 1, a = 2)") + MAIN,
         one_error(line=4, says=["`g`"])),
    Case("unknown-type-applied", src("def f(x: Foo(u24)) -> u24:", "  return x") + MAIN,
         [E("unknown type `Foo`", 1, 10)]),
    Case("misspelled-type-applied", src("def f(x: Lst(u24)) -> u24:", "  return x") + MAIN,
         [E("unknown type `Lst`", 1, 10, "did you mean `List`?")]),
    # (found by tests/bend/test_fuzz_compile.py: these crashed the compiler after the checks passed)
    Case("type-name-as-a-value", src("type T = A | B", "main = λb (b T IO)"),
         [E("`T` is a type, not a value", 2, 14, "its values are made by its constructors: `T/A`, `T/B`"),
          E("`IO` is a type, not a value", 2, 16, "its values are made by its constructors: `IO/Done`, `IO/Call`")]),
    Case("match-without-cases", src("main = match 1 {}"),
         [E("this `match` has no cases", 1, 8, "add a `case` for each constructor, or `case _:` for the rest")]),
    Case("fold-without-cases", src("(F x) = fold x {}", "main = 0"),
         [E("this `fold` has no cases", 1, 9, "add a `case` for each constructor, or `case _:` for the rest")]),
    Case("map-read-of-a-constructor", src("def main():", "  return List/Cons[1]"),  # (had no place)
         [E("the constructor `List/Cons` has 2 fields, but the pattern gives 0", 2, 10,
            "`List/Cons` has the fields: head, tail")]),
]


# -- several errors in one file: all of them are reported ------------------------------------------

ALL_ERRORS = [
    Case("two-unbound-variables-in-two-functions",
         src("def f(x):", "  return y", "def g(z):", "  return w") + MAIN,
         [E("unbound variable `y`", 2, 10), E("unbound variable `w`", 4, 10)]),
    Case("syntax-error-and-unbound-variable",
         src("def f(x):", "  return (x +", "def g(z):", "  return w") + MAIN,
         lambda errors: (len(errors) == 2 and "`)`" in errors[0][0] and errors[0][1] in (2, 3)
                         and errors[1] == E("unbound variable `w`", 4, 10))),
    Case("syntax-error-then-unbound-variable",
         src("def f(x):", "  return 1 +", "def g(z):", "  return w") + MAIN,
         [E("expected an expression, found the end of the line", 2, 12), E("unbound variable `w`", 4, 10)]),
    Case("lexer-parser-and-name-errors",
         src("def f():", '  return "a\\qb"', "(G x) = (+ x)", "def h():", "  return zz") + MAIN,
         [E("unknown escape `\\q`", 2, 12, ESCAPE_HINT), E("`(+ ...)` takes two operands, not 1", 3, 10),
          E("unbound variable `zz`", 5, 10)]),
    Case("two-syntax-errors",
         src("def f(x):", "  return", "def g(x)", "  return x") + MAIN,
         [E("`return` needs a value", 2, 3), E("expected `:` at the end of the `def` line, found `return`", 4, 3, "def g(x):")]),
    Case("errors-in-types-and-functions",
         src("type T:", "  A { x, x }", "def f(x: Foo(u24)):", "  return lenght", "def length(x):", "  return x") + MAIN,
         [E("the field `x` is repeated", 2, 10), E("unknown type `Foo`", 3, 10),
          E("unbound variable `lenght`", 4, 10, "did you mean `length`?")]),
]


CASES = [*LEXING, *IMP, *FUN, *DEFINITIONS, *NAMES, *ALL_ERRORS]


@pytest.mark.parametrize("case", [c.param() for c in CASES])
def test_diagnostic(case: Case, tmp_path):
    errors = errors_of(load(case.text, tmp_path))
    if callable(case.errors):
        assert case.errors(errors), errors
    else:
        assert errors == case.errors


def test_case_ids_are_unique():
    ids = [c.id for c in CASES]
    assert len(ids) == len(set(ids))


# -- imports --------------------------------------------------------------------------------------


@pytest.fixture
def files(tmp_path):
    """Write {name: text} into tmp_path; return tmp_path."""

    def write(**named):
        for name, text in named.items():
            path = tmp_path / f"{name}.bend"
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text)
        return tmp_path

    return write


def test_import_of_a_missing_file(files):
    folder = files()
    program = load(src("from missing import x", "def main():", "  return 0"), folder)
    [(message, line, col, hint)] = errors_of(program)
    assert message == f"cannot import `missing`: {folder / 'missing.bend'} (no such file)"
    assert (line, col, hint) == (1, 1, None)


def test_import_of_a_missing_module(files):
    folder = files()
    program = load(src("import lib/missing", "def main():", "  return 0"), folder)
    [(message, line, col, _)] = errors_of(program)
    assert message.startswith("cannot import `lib/missing`: ")
    assert message.endswith("(no such file)")
    assert (line, col) == (1, 1)


def test_import_of_a_name_the_file_does_not_define(files):
    folder = files(lib=src("def sq(x):", "  return x * x"))
    program = load(src("from lib import cube", "def main():", "  return 0"), folder)
    assert errors_of(program) == [E("`lib` has no definition, type or constructor `cube`", 1, 1)]


def test_imported_names_resolve(files):
    folder = files(lib=src("def sq(x):", "  return x * x"))
    program = load(src("from lib import sq", "import lib as m", "def main():", "  return (sq(2), m/sq(3))"),
                   folder)
    assert errors_of(program) == []


def test_unknown_name_of_an_imported_module(files):
    folder = files(lib=src("def sq(x):", "  return x * x"))
    program = load(src("import lib", "def main():", "  return lib/sqr(2)"), folder)
    assert errors_of(program) == [E("unbound variable `lib/sqr`", 3, 10, "did you mean `lib/sq`?")]


def test_files_may_import_each_other_but_not_the_main_file(files):
    folder = files(a=src("from b import g", "def f(x):", "  return g(x)"),
                   b=src("from a import f", "def g(x):", "  return f(x)"),
                   c=src("from main import f", "def h(x):", "  return x"))
    program = load(src("from a import f", "def main():", "  return f(2)"), folder)
    assert program.diagnostics.errors == []
    program = load(src("from c import h", "def f(x):", "  return x", "def main():", "  return h(2)"), folder)
    [d] = program.diagnostics.errors
    assert d.message == "cannot import `main`: it is the program's entry point, the main file `main.bend`"
    assert d.span.path == str(folder / "c.bend")
    assert d.span.line_col() == (1, 1)


@pytest.mark.parametrize("failure", ["entry", "missing-name", "missing-file"])
def test_a_failed_import_is_reported_once(files, failure):
    folder = files(a=src("from main import g", "def f(x):", "  return g(x)"),
                   lib=src("def sq(x):", "  return x * x"))
    first = {"entry": "from a import f", "missing-name": "from lib import f", "missing-file": "from nope import f"}
    program = load(src(first[failure], "def main():", "  return f(2)"), folder)
    assert len(program.diagnostics.errors) == 1


@pytest.mark.parametrize("line", ["import /", "from / import x", "import ../../../../../../../../../.."])
def test_import_of_the_root_folder_is_a_diagnostic(tmp_path, line):
    program = load(src(line, "def main():", "  return 0"), tmp_path)
    assert program.diagnostics.errors


# -- the command line -----------------------------------------------------------------------------


def run_cli(*args):
    return CliRunner().invoke(app, [*args])


def test_cli_check_reports_every_error_with_place_and_hint(tmp_path):
    path = tmp_path / "prog.bend"
    path.write_text(src("def main():", "  return lenght(1)", "def length(x):", "  return y"))
    result = run_cli("check", str(path))
    assert result.exit_code == 1
    assert result.stdout == ""
    err = result.stderr
    assert "error: unbound variable `lenght`\n" in err
    assert f" --> {path}:2:10\n" in err
    assert "2 |   return lenght(1)\n" in err
    assert "  |          ^^^^^^\n" in err
    assert "  = hint: did you mean `length`?\n" in err
    assert "error: unbound variable `y`\n" in err
    assert f" --> {path}:4:10\n" in err
    assert err.index("lenght") < err.index("`y`")  # in source order


def test_cli_check_clean_program(tmp_path):
    path = tmp_path / "prog.bend"
    path.write_text(src("def main():", "  return 1"))
    result = run_cli("check", str(path))
    assert (result.exit_code, result.stdout, result.stderr) == (0, "", "")


def test_cli_parse_prints_fun_syntax(tmp_path):
    path = tmp_path / "prog.bend"
    path.write_text(src("def add(a, b):", "  return a + b", "def main():", "  return add(1, 2)"))
    result = run_cli("parse", str(path))
    assert result.exit_code == 0
    assert result.stdout == "(add a b) = (+ a b)\n\nmain = (add 1 2)\n"


def test_cli_parse_with_errors_prints_no_tree(tmp_path):
    path = tmp_path / "prog.bend"
    path.write_text(src("def main():", "  return (1 +"))
    result = run_cli("parse", str(path))
    assert result.exit_code == 1
    assert result.stdout == ""
    assert "error: expected an expression, found the end of the file" in result.stderr


def test_cli_check_missing_file(tmp_path):
    path = tmp_path / "nope.bend"
    result = run_cli("check", str(path))
    assert result.exit_code == 1
    assert f"cannot read `{path}`: no such file" in result.stderr


def test_cli_check_missing_main(tmp_path):
    path = tmp_path / "prog.bend"
    path.write_text(src("def f():", "  return 1"))
    result = run_cli("check", str(path))
    assert result.exit_code == 1
    assert result.stderr.startswith(f"error: this program has no `main` definition\n --> {path}\n")


def test_cli_check_file_with_byte_order_mark(tmp_path):
    path = tmp_path / "prog.bend"
    path.write_bytes(b"\xef\xbb\xbf" + MAIN.encode())
    result = run_cli("check", str(path))
    assert (result.exit_code, result.stderr) == (0, "")
