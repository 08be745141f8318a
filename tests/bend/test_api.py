"""bend.run and bend.run_file: Bend from Python (bend/api.py)."""

from __future__ import annotations

import pytest

import bend

DOUBLE = "def main(n):\n  return n * 2\n"
ECHO = "def main(x):\n  return x\n"


def test_a_program_returns_a_python_value():
    assert bend.run(DOUBLE, 21) == 42
    assert bend.run(DOUBLE, 21, backend="py") == 42


@pytest.mark.parametrize("value", [0, 16777215, -1, -8388608, 1.5, -2.25, "", "héllo 🌎\n\"q\"", [], [1, [2, 3]],
                                   (1, "a"), (1, 2, 3), [(1, [2.5, "x"]), (3, [], "")]])
def test_values_go_in_and_come_back_unchanged(value):
    assert bend.run(ECHO, value, backend="py") == value


@pytest.mark.parametrize("value, why", [
    (1 << 24, "out of range"), (-(1 << 23) - 1, "out of range"), (True, "bool"), (float("nan"), "finite"),
    ({1: 2}, "dict"), ((1,), "two items"),
])
def test_an_argument_with_no_bend_value_is_a_value_error(value, why):
    with pytest.raises(ValueError, match=why):
        bend.run(ECHO, value, backend="py")


def test_a_result_with_no_python_form_is_a_term_that_prints_as_bend_does():
    result = bend.run("def main():\n  return lambda x: x\n", backend="py")
    assert isinstance(result, bend.Term)
    assert str(result) == "λa a"


def test_errors_are_exceptions_with_their_place():
    with pytest.raises(bend.CompileError) as caught:
        bend.run("def main():\n  return y\n", path="prog.bend")
    (error,) = caught.value.diagnostics.errors
    assert error.message == "unbound variable `y`"
    assert "prog.bend:2:10" in str(caught.value)


def test_a_typed_main_checks_its_python_arguments():
    with pytest.raises(bend.CompileError, match="expected `u24`, found `f24`"):
        bend.run("def main(n: u24) -> u24:\n  return n\n", 1.5, backend="py")


def test_a_limit_is_a_runtime_limit():
    loop = "f x = switch x { 0: (f 1); _: (f 0) }\nmain = (f 0)\n"
    with pytest.raises(bend.RuntimeLimit, match="time"):
        bend.run(loop, backend="py", timeout=0.5)


def test_run_file_and_statistics(tmp_path):
    path = tmp_path / "sum.bend"
    path.write_text("def main(a, b):\n  return a + b\n")
    value, stats = bend.run_file(path, 1, 2, backend="py", stats=True)
    assert value == 3 and stats.interactions > 0
    with pytest.raises(FileNotFoundError, match="cannot read"):
        bend.run_file(tmp_path / "missing.bend")


def test_io_output_goes_to_python_stdout(capsys):
    value = bend.run('def main():\n  with IO:\n    * <- IO/print("hi from bend\\n")\n    return wrap(7)\n',
                     backend="py")
    assert "hi from bend" in capsys.readouterr().out
    assert str(value).startswith("λa (a IO/Done/tag")
