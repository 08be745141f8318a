"""Fuzzing the Bend frontend: mutated sample programs never crash it, and what it accepts prints
back to text that parses to the same tree.

The inputs are the shared sample programs (tests/programs/*.bend), cut into tokens with the
frontend's own lexer and put back together with the original text between the tokens (spaces,
line breaks, comments) after random edits: deleting tokens, inserting tokens (from the same file,
or from a list of troublesome ones), swapping two tokens, and (for the round trip) replacing
literals with random ones (the strategies are in tests/bend_mutations.py; tests/bend/test_fuzz_compile.py
fuzzes the rest of the compiler with them).

Properties:
- loading and checking a mutated program (bend.frontend.loader.load_program + check_program)
  ends with no exception (RecursionError included): either cleanly, or with at least one
  diagnostic of severity "error"; every diagnostic has a place (a span inside its file, or a
  path) and renders;
- when a mutated program has no errors, `show_book` prints it, and parsing that text again
  (bend.frontend.parser.Parser) gives no diagnostics and the same main book (== ignores spans).

The examples are drawn deterministically (derandomize) so a run is reproducible; set
BEND_FUZZ_RANDOM=1 to draw new ones on each run, BEND_FUZZ_SCALE=N to run N times as many.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import event, given, settings
from typer.testing import CliRunner

from bend.check import check_program
from bend.cli import app
from bend.frontend.loader import load_program
from bend.frontend.parser import Parser
from bend.frontend.printer import show_book
from bend_mutations import (ALL_SYNTAX, FUZZ, SCALE, assert_bend_check_exits_0_or_1, assert_placed, cut, gentle_mutants,
                            join, mutants)

PROGRAMS = Path(__file__).resolve().parent.parent / "programs"
SOURCES = {path.stem: path.read_text() for path in sorted(PROGRAMS.glob("*.bend"))}
SEEDS = {**SOURCES, "all_syntax": ALL_SYNTAX}
FUN_ONLY_KEYWORDS = {"let", "ask"}  # fun term keywords that imp rejects as names
PIECES = {name: cut(text) for name, text in SEEDS.items()}
SOURCE_PIECES = {name: PIECES[name] for name in SOURCES}  # what the token edits start from


def test_cutting_and_joining_gives_the_text_back():
    for name, (texts, _, gaps, tail) in PIECES.items():
        assert join(texts, gaps, tail) == SEEDS[name], name
        assert len(texts) > 20, name


# -- the frontend, and what it must give --------------------------------------------------------

def frontend(text: str, folder: Path):
    """Load and check `text` as main.bend in `folder`; no exception may come out."""
    path = folder / "main.bend"
    program = load_program(path, text)
    check_program(program)
    assert_placed(program.diagnostics, str(path), text)
    return program


def assert_round_trip(program) -> None:
    book = program.main.book
    text = show_book(book)
    reparsed, diagnostics = Parser(text, str(program.main.path)).parse()
    assert [d.render() for d in diagnostics.items] == [], text
    assert reparsed == book, text


def check_mutant(text: str, folder: Path) -> None:
    program = frontend(text, folder)
    if program.diagnostics.errors:
        event("rejected, with errors")
    else:
        event("accepted: round trip checked")
        assert_round_trip(program)


# -- the properties -------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def folder(tmp_path_factory):
    """An empty folder for main.bend (imports would be looked for there)."""
    return tmp_path_factory.mktemp("fuzz")


def test_every_seed_is_accepted_and_round_trips(tmp_path):
    for name, text in SEEDS.items():
        program = frontend(text, tmp_path)
        assert [d.render() for d in program.diagnostics.errors] == [], name
        assert_round_trip(program)


@pytest.mark.slow
@settings(FUZZ, max_examples=700 * SCALE)
@given(text=mutants(SOURCE_PIECES))
def test_mutated_programs_fail_only_with_diagnostics(text, folder):
    check_mutant(text, folder)


@pytest.mark.slow
@settings(FUZZ, max_examples=200 * SCALE)
@given(text=mutants(SOURCE_PIECES, max_edits=12))
def test_heavily_mutated_programs_fail_only_with_diagnostics(text, folder):
    check_mutant(text, folder)


@pytest.mark.slow
@settings(FUZZ, max_examples=450 * SCALE)
@given(text=gentle_mutants(PIECES))
def test_accepted_programs_print_and_parse_back(text, folder):
    check_mutant(text, folder)


@pytest.mark.slow
@settings(FUZZ, max_examples=50 * SCALE)
@given(text=mutants(SOURCE_PIECES))
def test_bend_check_exits_0_or_1(text, folder):
    """The command line on mutated programs: exit 0 with no output, or 1 with `error:` lines."""
    assert_bend_check_exits_0_or_1(folder / "main.bend", text)


# -- printer bugs the fuzzing found ----------------------------------------------------------------

def test_eraser_application_round_trips(tmp_path):
    program = frontend("def main():\n  x = *(42)\n  return x\n", tmp_path)
    assert not program.diagnostics.errors
    reparsed, diagnostics = Parser(show_book(program.main.book), "main.bend").parse()
    assert not diagnostics.items
    assert reparsed == program.main.book


@pytest.mark.parametrize("name", sorted(FUN_ONLY_KEYWORDS))
def test_a_variable_named_like_a_fun_keyword_is_an_error(tmp_path, name):
    # imp could take `let` and `ask` as names, but then its code could not be printed as fun syntax
    program = frontend(f"def f({name}):\n  return {name}\ndef main():\n  return f(1)\n", tmp_path)
    [d] = program.diagnostics.errors
    assert d.message == f"`{name}` is a keyword (of the fun syntax) and cannot name a variable"
    assert d.span.line_col() == (1, 7)


# -- depth ----------------------------------------------------------------------------------------

def nested(depth: int) -> str:
    return "main = " + "(" * depth + "1" + ")" * depth + "\n"


def test_bend_check_handles_deep_nesting(tmp_path):
    """`bend check` runs the frontend with a large stack: thousands of nested brackets are fine."""
    path = tmp_path / "deep.bend"
    path.write_text(nested(5000))
    result = CliRunner().invoke(app, ["check", str(path)])
    assert (result.exit_code, result.stderr) == (0, "")


def test_bend_check_reports_too_deep_nesting(tmp_path):
    path = tmp_path / "deep.bend"
    path.write_text(nested(100_000))
    result = CliRunner().invoke(app, ["check", str(path)])
    assert result.exit_code in (0, 1)
    assert not isinstance(result.exception, RecursionError)


@pytest.mark.parametrize("text", [nested(2000),
                                  "def main():\n  return " + "(" * 2000 + "1" + ")" * 2000 + "\n",
                                  "def main():\n  return " + "1 + " * 2000 + "1\n",
                                  "def main():\n" + "".join(f"  x{i} = {i}\n" for i in range(2000)) + "  return 0\n"],
                         ids=["fun-parens", "imp-parens", "imp-sum-chain", "imp-2000-statements"])
def test_library_entry_points_handle_deep_nesting(tmp_path, text):
    program = load_program(tmp_path / "main.bend", text)
    check_program(program)
    assert program.diagnostics.errors == []
