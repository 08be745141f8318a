"""Fuzzing the whole Bend compiler: mutated programs compile, or fail with diagnostics.

tests/bend/test_fuzz.py fuzzes the frontend alone; here the mutants go the way of `bend check`
(bend.cli.compile_file): load_program, check_program, then bend.to_hvm.compile_program, which
runs every desugaring pass, the type checker and the translation to nets.

The inputs are the shared sample programs (tests/programs/*.bend), a selection of the golden
programs (tests/golden/run; every mutant is loaded as a file of that folder, so that imports are
found) and the all-syntax program of tests/bend_mutations.py (without its `Strs` rules, which mix
kinds of patterns). The edits: the token deletions, insertions and swaps and the literal, name and
operator swaps of tests/bend_mutations.py, and edits aimed at the compiler: renaming a name to
an unbound one or to another name of the program, duplicating a line (a statement, a rule, an
arm), swapping two lines, deleting a line, removing a `case` (or `when`/`else`) with its block.

Property (with the default options, or a few `-O` switches): the compiler ends with no exception
other than BendError (RecursionError, KeyError, AssertionError, ... are bugs). Either it returns a
compiled book, which is a well-formed net (hvm.validate), or it raises BendError carrying at least
one error after the frontend's diagnostics (those are what `bend check` shows), none of which names
a variable the compiler made up (`%dup3`: a pass went wrong, not the user); every diagnostic, in
either case, has a place (a span inside its file, or a path) and renders.

The examples are drawn deterministically (derandomize) so a run is reproducible; set
BEND_FUZZ_RANDOM=1 to draw new ones on each run, BEND_FUZZ_SCALE=N to run N times as many.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from hypothesis import event, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from bend.check import check_program
from bend.cli import app
from bend.desugar.context import Options
from bend.diagnostics import BendError, Diagnostics
from bend.frontend.loader import load_program
from bend.frontend.parser import parse_term_text
from bend.runner import run_compiled
from bend.compiler import compile_program
from bend_mutations import (ALL_SYNTAX, FUZZ, SCALE, assert_bend_check_exits_0_or_1, assert_placed, cut, gentle_mutants,
                            join, mutants)
from hvm.validate import validate

TESTS = Path(__file__).resolve().parent.parent
GOLDEN = TESTS / "golden" / "run"
GOLDEN_SEEDS = [
    "bend_multi_state", "bitonic_small", "branch_assign", "callcc", "church", "closures_in_data", "fold_state_multi",
    "fun_bend", "fun_equations", "fun_fold", "fun_local_def", "fun_match_arms", "fun_nested_patterns", "fun_open",
    "fun_rules_classic", "fun_superpositions", "fun_switch", "fun_tuples", "fun_unscoped", "fun_with_monad",
    "higher_order", "hvm_native_def", "imp_bend", "imp_checked_unchecked", "imp_fold", "imp_if_elif",
    "imp_match_object", "imp_match_type", "imp_switch", "imp_unscoped_bind", "imports_type", "inplace_ops",
    "lambdas", "linearize_arms", "list_comprehension_nested", "local_defs_nested", "maps", "match_default_var",
    "match_expr", "match_nested", "named_args", "scrutinee_in_arms", "shadowing", "statements_misc", "strings_build",
    "sup_distribute", "tree_literals", "type_annotations", "use_lambda_twice", "with_monad",
]
PATH = GOLDEN / "mutant.bend"  # where a mutant is said to be (no such file: nothing is read from it)
SEEDS = {path.stem: path.read_text() for path in sorted((TESTS / "programs").glob("*.bend"))}
SEEDS.update({name: (GOLDEN / f"{name}.bend").read_text() for name in GOLDEN_SEEDS})
SEEDS["all_syntax"] = "".join(line for line in ALL_SYNTAX.splitlines(True) if not line.startswith("Strs"))
PIECES = {name: cut(text) for name, text in SEEDS.items()}

KEYWORDS = {"def", "return", "if", "elif", "else", "match", "case", "switch", "fold", "bend", "when", "with", "open",
            "use", "let", "ask", "type", "object", "hvm", "lambda", "for", "in", "import", "from", "as", "checked",
            "unchecked"}
GENERATED = re.compile(r"`[^`]*%[A-Za-z]")  # a variable the compiler made up, in a message
# the compiler's options (`-O`) a mutant is compiled with
FLAGS = [(), (), ("no-linearize-matches",), ("no-float-combinators",), ("prune", "no-eta"), ("no-type-check",)]
# names to rename a use to: unbound, a field that is not there, a constructor that is not, an
# unscoped variable, names the compiler treats specially
OTHER_NAMES = ["zz", "x", "n", "xs.nope", "List/Nope", "Nope", "$zz", "main", "fork", "wrap", "List/Cons",
               "List/Nil", "IO", "u24", "_"]


# -- the compiler, and what it must give ---------------------------------------------------------

def options_of(flags) -> Options:
    options = Options()
    for flag in flags:
        options.set(flag)
    return options


def compile_text(text: str, flags: tuple[str, ...] = (), path: Path = PATH) -> str:
    """Load, check and compile `text` as the file `path`, as `bend check -O flag...` does; how it ended."""
    options = options_of(flags)
    program = load_program(path, text)
    check_program(program)
    assert_placed(program.diagnostics, str(path), text)
    if program.diagnostics.errors:
        return "rejected by the frontend"
    before = len(program.diagnostics.items)
    try:
        compiled = compile_program(program, options)
    except BendError as err:
        # what `bend check` shows: the diagnostics that came after the frontend's
        errors = Diagnostics(err.diagnostics.items[before:]).errors
        assert errors, [d.render() for d in err.diagnostics.items]
        # and of the user's names: one the compiler made up (`%dup3`) means a pass went wrong
        assert not [d.message for d in errors if GENERATED.search(d.message)]
        assert_placed(err.diagnostics, str(path), text)
        return "rejected by the compiler"
    assert_placed(program.diagnostics, str(path), text)  # warnings
    assert [e.message for e in validate(compiled.hvm)] == []
    return "compiled"


# -- edits aimed at the compiler -----------------------------------------------------------------

def block_end(lines: list[str], i: int) -> int:
    """The index after line i and the lines indented under it (blank ones included)."""
    indent = len(lines[i]) - len(lines[i].lstrip())
    j = i + 1
    while j < len(lines) and (not lines[j].strip() or len(lines[j]) - len(lines[j].lstrip()) > indent):
        j += 1
    return j


# the first line of a branch: `case C:`, `when c:`, `else:`, `elif c:` (imp), `C: ...`, `0: ...` (fun)
BRANCH = re.compile(r"\s*(case\b|when\b|else\s*:|elif\b|[\w/.-]+\s*:)")
EDITS = ["rename", "rename", "duplicate-line", "swap-lines", "delete-line", "remove-case"]


@st.composite
def compiler_mutants(draw, pieces: dict, max_edits: int = 3) -> str:
    """A program after 1..max_edits renames of names and edits of whole lines."""
    name = draw(st.sampled_from(sorted(pieces)))
    texts, kinds, gaps, tail = pieces[name]
    texts = list(texts)
    names = [i for i, k in enumerate(kinds) if k == "NAME" and texts[i] not in KEYWORDS]
    own = sorted({texts[i] for i in names})
    edits = [draw(st.sampled_from(EDITS)) for _ in range(draw(st.integers(1, max_edits)))]
    for _ in range(edits.count("rename")):
        if names:
            texts[draw(st.sampled_from(names))] = draw(st.sampled_from(OTHER_NAMES) | st.sampled_from(own))
    lines = join(texts, gaps, tail).splitlines(True)
    for edit in edits:
        full = [i for i, line in enumerate(lines) if line.strip()]
        if edit == "rename" or not full:
            continue
        i = draw(st.sampled_from(full))
        if edit == "duplicate-line":
            lines.insert(draw(st.sampled_from([i, i + 1, draw(st.sampled_from(full))])), lines[i])
        elif edit == "swap-lines":
            near = [j for j in full if abs(j - i) <= 3]  # mostly within one definition
            j = draw(st.sampled_from(near) | st.sampled_from(full))
            lines[i], lines[j] = lines[j], lines[i]
        elif edit == "delete-line":
            del lines[i]
        else:
            cases = [j for j in full if BRANCH.match(lines[j])]
            if cases:
                j = draw(st.sampled_from(cases))
                del lines[j:block_end(lines, j)]
    return "".join(lines)


# -- the properties -------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def folder(tmp_path_factory):
    return tmp_path_factory.mktemp("fuzz_compile")


def test_every_seed_compiles():
    for i, (name, text) in enumerate(SEEDS.items()):
        assert len(PIECES[name][0]) > 20, name
        flags = FLAGS[i % len(FLAGS)]
        if {"no-float-combinators", "no-linearize-matches"} & set(flags) and strict_cycles(text, flags):
            continue  # a recursive call left in a definition's body is strict: Bend rejects it too
        assert compile_text(text, flags) == "compiled", (name, flags)


def strict_cycles(text: str, flags: tuple[str, ...]) -> list[str]:
    """The cycles of strict references (bend/to_hvm/cycles.py) the compiler rejects `text` for."""
    program = load_program(PATH, text)
    check_program(program)
    try:
        compile_program(program, options_of(flags))
    except BendError as err:
        return [d.message for d in err.diagnostics.errors if d.message.startswith("recursive cycle")]
    return []


def test_block_end_takes_the_lines_indented_under_a_line():
    lines = ["match x:\n", "  case A:\n", "    return 1\n", "\n", "  case B:\n", "    return 2\n", "y\n"]
    assert (block_end(lines, 0), block_end(lines, 1), block_end(lines, 4), block_end(lines, 6)) == (6, 4, 6, 7)
    branches = ["  case A:", "  when x < n:", "  else:", "  elif x:", "  List/Cons: 1", "  0: 0", "  _: (f n-1)"]
    assert [line for line in branches + ["  x = 1", "  return x", "def f(x):", "  (a, b) = p"]
            if BRANCH.match(line)] == branches


@pytest.mark.slow
@settings(FUZZ, max_examples=150 * SCALE)
@given(text=mutants(PIECES))
def test_token_edits_fail_only_with_diagnostics(text):
    event(compile_text(text))


@pytest.mark.slow
@settings(FUZZ, max_examples=150 * SCALE)
@given(text=gentle_mutants(PIECES), flags=st.sampled_from(FLAGS))
def test_literal_and_name_swaps_fail_only_with_diagnostics(text, flags):
    event(compile_text(text, flags))


@pytest.mark.slow
@settings(FUZZ, max_examples=300 * SCALE)
@given(text=compiler_mutants(PIECES), flags=st.sampled_from(FLAGS))
def test_renames_and_line_edits_fail_only_with_diagnostics(text, flags):
    event(compile_text(text, flags))


@pytest.mark.slow
@settings(FUZZ, max_examples=20 * SCALE)
@given(text=compiler_mutants(PIECES))
def test_bend_check_exits_0_or_1_on_compiler_errors(text, folder):
    """The command line: exit 0 with no errors, or 1 with `error:` lines; never a traceback."""
    assert_bend_check_exits_0_or_1(folder / "mutant.bend", text)


# -- crashes the fuzzing found ---------------------------------------------------------------------

def compile_errors(text: str, args: list[str] = ()) -> list[tuple]:
    """(message, line, column) of each error `bend check` (or `bend run`, with `args`) shows."""
    program = load_program(PATH, text)
    check_program(program)
    assert not program.diagnostics.errors, [d.render() for d in program.diagnostics.errors]
    before = len(program.diagnostics.items)
    terms = []
    for a in args:
        term, found = parse_term_text(a, "<argument>")
        assert term is not None, [d.render() for d in found.items]
        terms.append(term)
    with pytest.raises(BendError) as err:
        compile_program(program, args=terms)
    return [(d.message, *d.span.line_col()) for d in Diagnostics(err.value.diagnostics.items[before:]).errors]


def test_a_native_net_with_a_loose_or_shared_wire_is_an_error():
    # (was: compiled, then a KeyError or a wrong result when run)
    text = "hvm add -> (u24 -> u24 -> u24):\n  (a (b r)) & $([+] $(r r)) ~ b\n\nmain = (add 1 2)\n"
    assert compile_errors(text) == [
        ("in hvm definition `add`: variable `a` occurs only once", 2, 4),
        ("in hvm definition `add`: variable `r` occurs 3 times", 2, 25)]


def test_a_native_net_that_refers_to_no_definition_is_an_error():
    # (was: a KeyError in hvm.flatbook when run)
    text = "hvm one:\n  @List/Nill\n\nmain = one\n"
    assert compile_errors(text) == [("in hvm definition `one`: @List/Nill is not defined", 2, 3)]


def test_an_error_of_the_net_compiler_is_shown_after_a_warning_of_the_checks(tmp_path):
    # (was: exit 1 with the warning only: the error was raised in a Diagnostics of its own, which
    # `bend check` cut off as if it held the checks' diagnostics)
    path = tmp_path / "main.bend"
    path.write_text("def g(x: Lst) -> u24:\n  return 1\n\ndef main():\n  return (g(1), lambda $b: 1)\n")
    result = CliRunner().invoke(app, ["check", str(path)])
    assert result.exit_code == 1
    assert "warning: `Lst` is not a type" in result.stderr
    assert "error: the unscoped variable `$b` is bound but never used in `main`" in result.stderr
    assert f"{path}:5:24" in result.stderr


@pytest.mark.parametrize("arg, error", [
    ("match x {}", ("this `match` has no cases", 1, 1)),  # (was: IndexError in fix_matches)
    ("open List/Cons x; 1", ("`open` of an unknown type `List/Cons`", 1, 1)),  # (was: KeyError in fix_matches)
    ("IO", ("`IO` is a type, not a value", 1, 1)),  # (was: KeyError in hvm.flatbook when run)
    ("(f x.head)", ("unbound variable `f`", 1, 2)),
])
def test_the_arguments_of_main_are_checked_as_the_program_is(arg, error):
    assert error in compile_errors("def main(x):\n  return x\n", [arg])


def test_a_filtered_comprehension_compiles_without_linearized_matches():
    # (was: "unbound variable `%dup361`": both branches of the `if` shared one node, which
    # linearize_vars renamed twice)
    text = "def main():\n  return [x for x in [1, 2, 3] if x % 2 == 1]\n"
    for flags in FLAGS:
        if "no-float-combinators" in flags:  # the comprehension's fold calls itself strictly: Bend rejects it too
            assert strict_cycles(text, flags) == [
                "recursive cycle incompatible with HVM's strict evaluation: main__fold0 -> main__fold0"]
            continue
        assert compile_text(text, flags) == "compiled", flags


@pytest.mark.parametrize("flags", [(), ("prune",)])
def test_what_a_native_net_refers_to_is_kept(flags):
    # (was: `List/length`, which only the native net uses, was pruned: a KeyError when run; with
    # the check above, a wrong "not defined")
    text = "hvm len:\n  @List/length\n\ndef main():\n  return len([1, 2, 3])\n"
    program = load_program(PATH, text)
    check_program(program)
    assert run_compiled(compile_program(program, options_of(flags)), "py").text == "(3, [1, 2, 3])"
