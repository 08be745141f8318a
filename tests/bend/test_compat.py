"""Bend 0.2.38 programs behave here as there: each test is one difference found by running
Bend's own test programs, written as our own small program."""

from __future__ import annotations

import pytest
from support import bend_diagnostics, run_bend
from typer.testing import CliRunner

from bend.cli import app

runner = CliRunner()


def test_a_typed_main_takes_its_command_line_arguments(tmp_path):
    path = tmp_path / "add.bend"
    path.write_text("def main(a: u24, b: u24) -> u24:\n  return a * 10 + b\n")
    result = runner.invoke(app, ["run-py", str(path), "1", "2"])
    assert result.exit_code == 0, result.output
    assert result.stdout == "Result: 12\n"


def test_a_typed_main_checks_its_command_line_arguments(tmp_path):
    path = tmp_path / "add.bend"
    path.write_text("def main(a: u24, b: u24) -> u24:\n  return a * 10 + b\n")
    wrong_type = runner.invoke(app, ["run-py", str(path), "1", "2.0"])
    assert wrong_type.exit_code == 1
    assert "type mismatch in argument 2 of `main`: expected `u24`, found `f24`" in wrong_type.stderr
    assert "<argument 2>:1:1" in wrong_type.stderr
    too_many = runner.invoke(app, ["run-py", str(path), "1", "2", "3"])
    assert too_many.exit_code == 1
    assert "`main` takes 2 arguments, given 3 on the command line" in too_many.stderr


def test_main_as_a_combinator_is_expanded_with_what_was_floated_out_of_it():
    source = "main = my_fn\nmy_fn = (λx x (ctr 1 2))\nctr = λa λb λk (k a b)\n"
    assert run_bend(source, "py").text == "λa (a 1 2)"
    assert run_bend(source, "c").text == "λa (a 1 2)"


def test_an_irrefutable_match_says_why_its_later_cases_are_never_reached():
    diagnostics = bend_diagnostics("main =\n  match 0 {\n  | true: 1\n  | false: 0\n  }\n")
    (warning,) = [d for d in diagnostics if d.severity == "warning"]
    assert "irrefutable match" in warning.message
    assert "`true` is not a constructor" in warning.hint
    assert not [d for d in diagnostics if d.severity == "error"]  # a warning only, as in Bend


def arity_warnings(source: str) -> list[str]:
    return [d.message for d in bend_diagnostics(source) if d.kind == "arity"]


def test_an_untyped_call_with_the_wrong_number_of_arguments_gets_a_warning():
    source = "add x y = (+ x y)\nmain = (+ (add 1) (add 1 2 3))\n"
    assert arity_warnings(source) == ["`add` takes 2 arguments, given 1", "`add` takes 2 arguments, given 3"]


@pytest.mark.parametrize("source", [
    "add x y = (+ x y)\nmain = (List/map [1, 2] (add 1))\n",  # a partial application as a value
    "compose f g = λx (f (g x))\nmain = (compose λa a λb b 1)\n",  # extra arguments to a returned function
    "def main(): return List/Cons(1)\n",  # a constructor applied in part
])
def test_calls_that_may_be_right_get_no_warning(source):
    assert arity_warnings(source) == []


def test_the_arity_warning_is_switched_by_the_warning_flags(tmp_path):
    path = tmp_path / "arity.bend"
    path.write_text("add x y = (+ x y)\nmain = (add 1 2 3)\n")
    assert "`add` takes 2 arguments, given 3" in runner.invoke(app, ["check", str(path)]).stderr
    run = runner.invoke(app, ["run-py", str(path)])
    assert run.exit_code == 0 and "takes" not in run.stderr
    assert "warning: `add` takes 2" in runner.invoke(app, ["run-py", "-W", "arity", str(path)]).stderr
    denied = runner.invoke(app, ["run-py", "-D", "arity", str(path)])
    assert denied.exit_code == 1 and "error: `add` takes 2" in denied.stderr
