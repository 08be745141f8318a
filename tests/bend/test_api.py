"""bend.run, bend.run_file, bend.compile: Bend from Python (bend/api.py)."""

from __future__ import annotations

import inspect

import pytest

import bend

DOUBLE = "def main(n):\n  return n * 2\n"
ECHO = "def main(x):\n  return x\n"

TYPES = """
type Shape:
  Circle { radius }
  Rect { w, h }

type Expr:
  Num { value }
  Add { ~left, ~right }

object Point { x, y }

def id(x):
  return x

def eval(e):
  fold e:
    case Expr/Num: return e.value
    case Expr/Add: return e.left + e.right

def area(s):
  match s:
    case Shape/Circle:
      return 3.0 * s.radius * s.radius
    case Shape/Rect:
      return s.w * s.h

def nest(n):
  bend x = 0:
    when x < n:
      return Expr/Add(Expr/Num(x), fork(x + 1))
    else:
      return Expr/Num(0)

def typed(a: i24, b: f24, c: List(i24)) -> (i24, f24, List(i24)):
  return (a, b, c)

def half(x: f24) -> f24:
  return x / 2.0

def some(x):
  return Maybe/Some(x)

def ok(x):
  return Result/Ok(x)

def set(m, k, v):
  return Map/set(m, k, v)

def get(m, k):
  return Map/get_check(m, k)

def adder(n):
  return lambda x: x + n

def apply(f, x):
  return f(x)

def main(n):
  return n + 1
"""


@pytest.fixture(scope="module")
def prog():
    return bend.compile(TYPES, backend="py")


# -- bend.run and bend.run_file


def test_a_program_returns_a_python_value():
    assert bend.run(DOUBLE, 21) == 42
    assert bend.run(DOUBLE, 21, backend="py") == 42


@pytest.mark.parametrize("value", [
    0, 16777215, -1, -8388608, 1.5, -2.25, 0.0, "", "héllo 🌎\n\"q\"", "\U0010ffff\x00", [], [1, [2, 3]],
    (1, "a"), (1, 2, 3), [(1, [2.5, "x"]), (3, [], "")], {}, {0: 1, 1: 2, 2: 3, 16777215: "max"},
    {5: {6: [7]}}, [{1: (2, 3)}],
    "long é🌎 " * 20, list(range(100)), [-1.5, 2.0, -3] * 20, [1, "a", (2, 3)] * 20,  # (long ones: as chains)
])
def test_values_go_in_and_come_back_unchanged(value):
    assert bend.run(ECHO, value, backend="py") == value


def test_floats_are_rounded_to_f24():
    assert bend.run(ECHO, 0.1, backend="py") == pytest.approx(0.1, rel=1e-4)
    assert bend.run(ECHO, 1e30, backend="py") == pytest.approx(1e30, rel=1e-4)


@pytest.mark.parametrize("value, why", [
    (1 << 24, "out of range"), (-(1 << 23) - 1, "out of range"), (True, "bool"), (float("nan"), "finite"),
    (float("inf"), "finite"), (1e39, "out of range for f24"), ((1,), "two items"), ({"a": 1}, "keys are u24"),
    ({-1: 1}, "keys are u24"), ({1 << 24: 1}, "keys are u24"), (None, "Maybe"), ({1, 2}, "set"),
    ([1, object()], "object"),
])
def test_an_argument_with_no_bend_value_is_a_value_error(value, why):
    with pytest.raises(ValueError, match=why):
        bend.run(ECHO, value, backend="py")


def test_a_result_with_no_python_form_is_a_term_that_prints_as_bend_does():
    result = bend.run("def main():\n  return lambda x: x\n", backend="py")
    assert isinstance(result, bend.Term)
    assert str(result) == "λa a"
    assert bend.run("def main():\n  return [1, lambda x: x]\n", backend="py") == [1, result]


def test_errors_are_exceptions_with_their_place():
    with pytest.raises(bend.CompileError) as caught:
        bend.run("def main():\n  return y\n", path="prog.bend")
    (error,) = caught.value.diagnostics.errors
    assert error.message == "unbound variable `y`"
    assert "prog.bend:2:10" in str(caught.value)
    with pytest.raises(bend.CompileError, match="no `main`"):
        bend.run("def f():\n  return 1\n")


def test_a_typed_main_checks_its_python_arguments():
    with pytest.raises(TypeError, match="argument 1 \\(`n`\\) of `main` should be u24, not float 1.5"):
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
    assert capsys.readouterr().out == "hi from bend\n"
    assert value == 7  # (the IO action's value)


# -- bend.compile: once, then calls


def test_a_compiled_program_is_reused_across_calls(monkeypatch):
    from bend import compiler

    calls = {"compile_program": 0, "desugar": 0, "load": 0}
    for name in calls:
        original = getattr(compiler, name)

        def counted(*args, _original=original, _name=name, **kwargs):
            calls[_name] += 1
            return _original(*args, **kwargs)

        monkeypatch.setattr(compiler, name, counted)
    prog = bend.compile("def add(a, b):\n  return a + b\ndef twice(x):\n  return add(x, x)\n", backend="py")
    assert calls == {"compile_program": 1, "desugar": 1, "load": 1}
    assert prog.add(1, 2) == 3
    assert prog.twice(21) == 42
    assert prog.call("add", 40, 2) == 42
    assert calls == {"compile_program": 1, "desugar": 1, "load": 1}


def test_two_calls_on_the_native_backend_build_no_code_the_second_time(monkeypatch):
    from hvm import jit

    prog = bend.compile("def sum(d):\n  bend x = 0:\n    when x < d:\n      return fork(x + 1) + fork(x + 1)\n"
                        "    else:\n      return 1\n", backend="c", threads=2)
    assert prog.sum(10) == 1024

    def no_llvm(*args, **kwargs):
        raise AssertionError("LLVM code was built again")

    monkeypatch.setattr(jit, "compile_ir", no_llvm)
    assert prog.sum(12) == 4096
    value, stats = prog.call("sum", 3, stats=True)
    assert value == 8 and stats.interactions > 0


def test_any_definition_is_called_and_main_too(prog):
    assert prog.main(1) == 2 and prog(41) == 42
    assert prog.eval(bend.compile(TYPES, backend="py").Expr.Add(prog.Expr.Num(1), prog.Expr.Num(2))) == 3
    assert prog.call("eval", prog.Expr.Num(5)) == 5
    assert prog.call("Expr/Num", 3) == prog.Expr.Num(3)  # (a constructor is a definition too)
    assert {"id", "eval", "area", "main", "Expr/Add", "Shape/Circle"} <= set(prog.definitions)
    assert "id" in dir(prog) and "Shape" in dir(prog)
    assert repr(prog.area) == "<bend definition area/1>" and str(inspect.signature(prog.area)) == "(s, /)"


def test_names_with_a_slash_are_called_by_name_or_with_two_underscores():
    prog = bend.compile("def Math2/sq(x):\n  return x * x\n", backend="py")
    assert prog.call("Math2/sq", 3) == 9
    assert prog.Math2__sq(4) == 16


def test_a_program_without_main_compiles_and_says_so_when_main_is_called():
    prog = bend.compile("def one():\n  return 1\n", backend="py")
    assert prog.one() == 1
    with pytest.raises(AttributeError, match="no definition `main`"):
        prog()


def test_a_file_is_compiled_by_path(tmp_path):
    path = tmp_path / "lib.bend"
    path.write_text("def inc(x):\n  return x + 1\n")
    assert bend.compile(path, backend="py").inc(1) == 2
    assert bend.compile(str(path), backend="py").inc(2) == 3


# -- conversions


def test_user_types_are_frozen_dataclasses_with_match_support(prog):
    Shape, Point = prog.Shape, prog.Point
    assert prog.types["Shape"] is Shape and isinstance(Shape.Circle(1.0), Shape)
    rect = prog.id(Shape.Rect(w=2, h=3))
    assert rect == Shape.Rect(2, 3) and type(rect) is Shape.Rect
    assert prog.area(rect) == 6 and prog.area(Shape.Circle(radius=2.0)) == 12.0
    match rect:
        case Shape.Circle(r):
            pytest.fail(f"a rectangle matched a circle of radius {r}")
        case Shape.Rect(w, h):
            assert (w, h) == (2, 3)
    with pytest.raises(Exception):
        rect.w = 5  # (frozen)
    assert prog.id(Point(x=1, y=[2, "z"])) == Point(1, [2, "z"])
    assert repr(Point(1, 2)) == "Point(x=1, y=2)" and repr(Shape.Rect(1, 2)) == "Shape.Rect(w=1, h=2)"


def test_the_preludes_types_are_bends_own_classes(prog):
    assert prog.Maybe is bend.Maybe and prog.Result is bend.Result and prog.Nat is bend.Nat
    assert prog.some(3) == bend.Maybe.Some(3) and isinstance(prog.some(3), bend.Maybe)
    assert prog.ok("fine") == bend.Result.Ok("fine")
    assert prog.id(bend.Maybe.None_()) == bend.Maybe.None_() == getattr(bend.Maybe, "None")()
    assert prog.id(bend.Result.Err([1])) == bend.Result.Err(val=[1])
    three = bend.Nat.Succ(bend.Nat.Succ(bend.Nat.Succ(bend.Nat.Zero())))
    assert prog.id(three) == three
    assert prog.id(bend.Tree.Node(bend.Tree.Leaf(1), bend.Tree.Leaf("x"))) == bend.Tree.Node(
        left=bend.Tree.Leaf(1), right=bend.Tree.Leaf("x"))


def test_maps_are_dicts_both_ways(prog):
    built = prog.set(prog.set({}, 5, "five"), 0, "zero")
    assert built == {0: "zero", 5: "five"} and list(built) == [0, 5]
    assert prog.get({1: 10, 2: 20, 1000: 30}, 1000) == (bend.Maybe.Some(30), {1: 10, 2: 20, 1000: 30})
    assert prog.get({1: 10}, 3)[0] == bend.Maybe.None_()
    everything = {k: k for k in [0, 1, 2, 3, 4, 255, 256, 65535, 16777215]}
    assert prog.id(everything) == everything


def test_declared_types_pick_the_kind_of_number(prog):
    assert prog.typed(5, 2, [1, -1]) == (5, 2.0, [1, -1])
    assert prog.typed(5, 2, [1, -1] * 40) == (5, 2.0, [1, -1] * 40)  # (as a chain of i24 numbers)
    assert prog.half(3) == 1.5  # (an int where an f24 is declared)
    with pytest.raises(TypeError, match="argument 1 \\(`a`\\) of `typed` should be i24, not str"):
        prog.typed("5", 2.0, [])
    with pytest.raises(TypeError, match="should be List\\(i24\\)"):
        prog.typed(1, 2.0, (1, 2))
    with pytest.raises(ValueError, match="out of range for i24"):
        prog.typed(1 << 23, 2.0, [])


def test_bool_is_bools_type_where_the_program_has_one():
    prog = bend.compile("from stdlib/bool import *\ndef flip(b):\n  return Bool/not(b)\n", backend="py")
    assert prog.flip(True) is False and prog.flip(False) is True


def test_functions_come_back_as_terms_that_can_be_called_and_passed_back(prog):
    add3 = prog.adder(3)
    assert str(add3) == "λa (+ a 3)"
    assert add3(4) == 7
    assert prog.apply(add3, 10) == 13
    other = bend.compile(TYPES, backend="py")
    with pytest.raises(ValueError, match="only to the program"):
        other.apply(add3, 1)


def test_deep_data_goes_both_ways_without_recursion_errors(prog):
    n = 5_000  # (far past Python's recursion limit; 100,000 in tests/bend/test_values.py)
    expr = prog.Expr.Num(0)
    for i in range(n):
        expr = prog.Expr.Add(prog.Expr.Num(i), expr)
    assert prog.eval(expr) == sum(range(n)) % (1 << 24)
    back = prog.nest(n)
    depth = 0
    while isinstance(back, prog.Expr.Add):
        assert back.left == prog.Expr.Num(depth)
        back, depth = back.right, depth + 1
    assert depth == n and back == prog.Expr.Num(0)


# -- errors


def test_unknown_names_are_attribute_and_key_errors_with_a_hint(prog):
    with pytest.raises(AttributeError, match="no definition `evl` \\(did you mean `eval`"):
        prog.evl
    with pytest.raises(KeyError, match="did you mean `area`"):
        prog.call("aera", 1)
    with pytest.raises(bend.UnknownName, match="left out"):
        prog.call("List/sum", [1])  # (a prelude definition the program does not use)


def test_a_wrong_count_of_arguments_is_a_type_error_naming_the_arity(prog):
    with pytest.raises(TypeError, match="`area` takes 1 argument \\(s\\), not 2"):
        prog.area(1, 2)
    with pytest.raises(TypeError, match="`Point` takes 2 arguments \\(x, y\\), not 0"):
        prog.call("Point")


def test_a_dataclass_of_another_type_is_refused():
    other = bend.compile("type Color:\n  Red\n  Green\ndef id(x):\n  return x\n", backend="py")
    prog = bend.compile("def id(x):\n  return x\n", backend="py")
    with pytest.raises(ValueError, match="no constructor `Color/Red`"):
        prog.id(other.Color.Red())


def test_a_call_that_reaches_its_limit_is_a_runtime_limit():
    prog = bend.compile("loop x = switch x { 0: (loop 1); _: (loop 0) }\n", backend="py", timeout=0.3)
    with pytest.raises(bend.RuntimeLimit, match="time"):
        prog.loop(0)


def test_a_definition_that_does_io_performs_it_when_called(capsys):
    prog = bend.compile('def say(text):\n  with IO:\n    * <- IO/print(text)\n    return wrap(1)\n', backend="py")
    assert prog.say("one\n") == 1
    assert prog.say("twö\n") == 1
    assert capsys.readouterr().out == "one\ntwö\n"


def test_a_constant_that_a_result_refers_to_is_computed():
    prog = bend.compile("def xs():\n  return [1, 2]\ndef pair(n):\n  return (xs, n)\n"
                        "ones = (List/Cons 1 ones)\ndef endless():\n  return ones\n", backend="py")
    assert prog.pair(3) == ([1, 2], 3)
    assert isinstance(prog.endless(), bend.Term)  # (an endless list stays a term)


def test_a_backend_that_only_runs_whole_nets_gets_the_call_as_its_starting_net(monkeypatch, capsys):
    from hvm import runtime
    from hvm.reference import ReferenceBackend

    class RunsOnly:  # (as the GPU's backend: no session, every resume a new run)
        name = "runs-only"

        def run(self, book, entry="main", **options):
            return ReferenceBackend().run(book, entry, **{k: v for k, v in options.items() if k != "threads"})

    prog = bend.compile('def say(n):\n  with IO:\n    * <- IO/print("once\\n")\n    return wrap((n, [n]))\n',
                        backend="py")
    monkeypatch.setattr(runtime, "get_backend", lambda name: RunsOnly())
    assert prog.say(5) == (5, [5])
    assert capsys.readouterr().out == "once\n"
