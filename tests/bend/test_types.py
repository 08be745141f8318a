"""The type checker (bend/check/types.py): Hindley–Milner inference as Bend 0.2.38 does it.

What is checked: the prelude agrees with its own signatures; every sample program checks
clean; programs Bend accepts are accepted (polymorphism, data types with parameters,
recursion, fold/bend, match/switch/if, literals, lambdas, `with` blocks, unannotated and
`unchecked` definitions, `Any`, holes, fun-syntax signatures); programs Bend rejects are
rejected, each with its message, line and column; every error of a file is reported, once;
the command line reports them without a traceback; and the checker stays fast.
"""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest
from support import PROGRAMS, bend_diagnostics, compile_bend
from typer.testing import CliRunner

from bend.check import check_program, types
from bend.cli import app
from bend.deep import deep
from bend.desugar.context import Options
from bend.compiler import desugar
from bend.diagnostics import BendError, Diagnostics
from bend.frontend.loader import PRELUDE, load_program

ROOT = Path(__file__).resolve().parents[2]
CORPUS = sorted(PROGRAMS.glob("*.bend")) + sorted((ROOT / "examples").glob("*.bend")) \
    + sorted((ROOT / "tests" / "golden" / "run").glob("*.bend"))


# -- helpers


def src(text: str) -> str:
    """A test program: the text without its common indentation, with a `main` if it has none."""
    text = textwrap.dedent(text).strip() + "\n"
    if "def main" not in text and "\nmain" not in text and not text.startswith("main"):
        text += "\ndef main():\n  return 0\n"
    return text


def errors(text: str) -> list[tuple[str, int, int]]:
    """(message, line, column) of every error the program gives, in source order."""
    found = [d for d in bend_diagnostics(src(text)) if d.severity == "error"]
    found.sort(key=lambda d: d.span.start if d.span else -1)
    return [(d.message, *d.span.line_col()) for d in found]


def hints(text: str) -> list[str]:
    return [d.hint or "" for d in bend_diagnostics(src(text)) if d.severity == "error"]


def checked_until_types(program_path: Path, text: str, options: Options | None = None) -> list:
    """The errors of loading a program and desugaring it up to the type check (inclusive)."""
    program = load_program(program_path, text)
    check_program(program)
    if program.diagnostics.errors:
        return program.diagnostics.errors
    try:
        desugar(program, options, stop_after="type_check")
    except BendError as err:
        return err.diagnostics.errors
    return []


def prelude_book():
    """The prelude's definitions (after unique_names) and the ctx, with the type check off."""
    program = load_program(Path("prelude.bend"), "def main():\n  return 0\n")
    check_program(program)
    return desugar(program, Options(type_check=False), stop_after="type_check")


# -- the prelude and the sample programs

def test_the_prelude_agrees_with_its_signatures():
    book, ctx = prelude_book()
    diagnostics = Diagnostics()
    deep(types.check_book, book, ctx, diagnostics, True)
    assert not diagnostics.errors, "\n".join(e.render() for e in diagnostics.errors)


def test_the_prelude_is_checked_only_when_asked():
    book, ctx = prelude_book()
    defs = book.defs
    assert types.is_checked(defs["List/reverse"], defs, builtins=True)
    assert types.is_checked(defs["List/reverse__fold0"], defs, builtins=True)
    assert not types.is_checked(defs["List/reverse"], defs)
    assert not types.is_checked(defs["List/reverse__fold0"], defs)
    assert not types.is_checked(defs["undefer"], defs, builtins=True)  # no annotation: trusted
    # checked, the prelude holds enough to be worth it
    assert sum(types.is_checked(d, defs, builtins=True) for d in defs.values()) > 80
    assert {p.name for p in PRELUDE.glob("*.bend")} >= {"builtins.bend", "io.bend", "math.bend"}


@pytest.mark.parametrize("path", CORPUS, ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_every_sample_program_checks_clean(path):
    text = path.read_text()
    program = load_program(path, text)
    check_program(program)
    if program.diagnostics.errors:  # the golden tests own the other errors
        pytest.skip(f"does not load: {program.diagnostics.errors[0].message}")
    found = checked_until_types(path, text)
    assert not found, "\n".join(d.render() for d in found)


# -- accepted programs

ACCEPTED = {
    "polymorphic_identity_and_compose": """
        def id(x: a) -> a:
          return x

        def compose(f: b -> c, g: a -> b) -> (a -> c):
          return lambda x: f(g(x))

        def inc(x: u24) -> u24:
          return x + 1

        def half(x: f24) -> f24:
          return x / 2.0

        def main() -> (u24, f24, String, u24, f24):
          return (id(1), id(2.0), id("s"), compose(inc, inc)(1), compose(half, id)(4.0))
    """,
    "data_types_with_parameters": """
        type Pair(A, B):
          P { fst: A, snd: B }

        type Shape:
          Circle { r: f24 }
          Rect { w: f24, h: f24 }

        def swap(p: Pair(a, b)) -> Pair(b, a):
          match p:
            case Pair/P:
              return Pair/P(p.snd, p.fst)

        def area(s: Shape) -> f24:
          match s:
            case Shape/Circle:
              return 3.14 * s.r * s.r
            case Shape/Rect:
              return s.w * s.h

        def both() -> (Pair(u24, f24), Pair(String, List(u24)), f24):
          return (Pair/P(1, 2.0), swap(Pair/P([1], "x")), area(Shape/Rect(1.0, 2.0)))
    """,
    "recursion_and_mutual_recursion": """
        def len(l: List(a)) -> u24:
          match l:
            case List/Nil:
              return 0
            case List/Cons:
              return 1 + len(l.tail)

        def is_even(n: u24) -> u24:
          if n == 0:
            return 1
          else:
            return is_odd(n - 1)

        def is_odd(n: u24) -> u24:
          if n == 0:
            return 0
          else:
            return is_even(n - 1)

        checked Ev = λn switch n { 0: 1; _: (Od n-1) }
        checked Od = λn switch n { 0: 0; _: (Ev n-1) }

        def main() -> (u24, u24, u24, u24):
          return (len([1, 2]), len(["a"]), is_even(4), Ev(3))
    """,
    "fold_and_bend": """
        type Expr:
          Lit { val: u24 }
          Add { ~l: Expr, ~r: Expr }

        def eval(e: Expr) -> u24:
          fold e:
            case Expr/Lit:
              return e.val
            case Expr/Add:
              return e.l + e.r

        def sum(l: List(u24)) -> u24:
          fold l:
            case List/Nil:
              return 0
            case List/Cons:
              return l.head + l.tail

        def rev(l: List(a)) -> List(a):
          fold l with acc = []:
            case List/Nil:
              return acc
            case List/Cons:
              return l.tail(List/Cons(l.head, acc))

        def tree(depth: u24) -> Tree(u24):
          bend d = 0:
            when d < depth:
              return ![fork(d + 1), fork(d + 1)]
            else:
              return !d

        def range(n: u24) -> List(f24):
          bend i = 0:
            when i < n:
              return List/Cons(u24/to_f24(i), fork(i + 1))
            else:
              return []

        def main() -> (u24, u24, List(String), Tree(u24), List(f24)):
          return (eval(Expr/Add(Expr/Lit(1), Expr/Lit(2))), sum([1, 2]), rev(["a"]), tree(2), range(3))
    """,
    "match_switch_if": """
        def classify(n: u24) -> String:
          switch n:
            case 0:
              return "zero"
            case 1:
              return "one"
            case _:
              return u24/to_string(n - 2)

        def sign(x: i24) -> i24:
          if x < +0:
            return -1
          elif x == +0:
            return +0
          else:
            return +1

        def first(m: Maybe(f24)) -> f24:
          match m:
            case Maybe/Some:
              y = m.value
            case Maybe/None:
              y = 0.0
          return y
    """,
    "tuples": """
        def split(p: (u24, (f24, String))) -> (String, f24, u24):
          (a, (b, c)) = p
          return (c, b, a)

        def pairs() -> List((u24, f24)):
          return List/zip([1, 2], [1.0, 2.0])

        def fst(p: (a, b)) -> a:
          (x, y) = p
          return x
    """,
    "list_and_string_literals": """
        def lists() -> (List(u24), List(f24), List(List(i24)), List(String), String, u24):
          return ([1, 2], [], [[+1], []], ["a", "bc"], "text", 'x')

        def chars() -> String:
          return String/Cons('a', "bc")

        def concat() -> String:
          return String/concat("ab", "cd")
    """,
    "lambdas_and_let_polymorphism": """
        def apply_twice(f: a -> a, x: a) -> a:
          return f(f(x))

        def doubles(xs: List(u24)) -> List(u24):
          return List/map(xs, lambda x: x * 2)

        def evens(xs: List(u24)) -> List(u24):
          return List/filter(xs, lambda x: x % 2 == 0)

        def poly() -> (u24, f24, u24):
          id = lambda x: x
          return (id(1), id(1.0), apply_twice(lambda y: y + 1, 3))
    """,
    "with_blocks_on_io": """
        def main() -> IO(u24):
          with IO:
            * <- IO/print("hi\\n")
            t <- IO/get_time
            (hi, lo) = t
            r <- IO/FS/read_file("missing")
            match r:
              case Result/Ok:
                n = 1
              case Result/Err:
                n = 0
            return wrap(n + hi * 0)
    """,
    "with_blocks_on_a_user_type": """
        type Opt(T):
          Just { value: T }
          Nothing

        def Opt/bind(m: Opt(A), f: (Id -> Id) -> A -> Opt(B)) -> Opt(B):
          match m:
            case Opt/Just:
              g = undefer(f)
              return g(m.value)
            case Opt/Nothing:
              return Opt/Nothing

        def Opt/wrap(x: T) -> Opt(T):
          return Opt/Just(x)

        def safe_div(a: u24, b: u24) -> Opt(u24):
          if b == 0:
            return Opt/Nothing
          else:
            return Opt/Just(a / b)

        def calc() -> Opt(u24):
          with Opt:
            x <- safe_div(10, 2)
            y <- safe_div(x, 1)
            return wrap(x + y)
    """,
    "unannotated_definitions_are_trusted": """
        def loose(f, x):
          return f(x) + {1, 2}

        def anything(x):
          return x(x)

        def user() -> u24:
          return loose(lambda y: y, 1) + anything(2.0)
    """,
    "any_result_absorbs_the_signatures_variables": """
        # Bend's own Result/unwrap: one arm gives a `T`, the other an `E` (Bend unifies them, and
        # its `Any` result absorbs the variable); a match's arms must still agree otherwise
        def unwrap(res: Result(T, E)) -> Any:
          match res:
            case Result/Ok:
              return res.val
            case Result/Err:
              return res.val

        def use() -> u24:
          return unwrap(Result/Ok(1)) + unwrap(Result/Err(2))
    """,
    "any_and_holes": """
        def any_arg(x: Any) -> u24:
          return x(1)(2.0)

        def any_result(x: u24) -> Any:
          return x

        def hole(x: _) -> _:
          return x + 1

        def use() -> (u24, f24, u24):
          return (hole(1), any_result(1) + 1.0, any_arg(lambda a: a))

        def half_annotated(x: u24, y) -> u24:
          return x + y
    """,
    "fun_syntax_signatures": """
        Add : u24 -> u24 -> u24
        (Add a b) = (+ a b)

        Len : (List a) -> u24
        (Len List/Nil) = 0
        (Len (List/Cons h t)) = (+ 1 (Len t))

        Fib : u24 -> u24
        (Fib 0) = 0
        (Fib 1) = 1
        (Fib n) = (+ (Fib (- n 1)) (Fib (- n 2)))

        Zip : (List a) -> (List b) -> (List (a, b))
        (Zip (List/Cons x xs) (List/Cons y ys)) = (List/Cons (x, y) (Zip xs ys))
        (Zip * *) = List/Nil

        IsHello : String -> u24
        (IsHello "hello") = 1
        (IsHello *) = 0

        Inner : (Maybe (Maybe u24)) -> u24
        (Inner (Maybe/Some (Maybe/Some x))) = x
        (Inner *) = 0

        Pair (x: u24) (y: f24) : (u24, f24) = (x, y)

        main = ((Add (Len [1 2]) (Fib 5)), (Zip [1] [1.0]), (IsHello "x"), (Inner Maybe/None), (Pair 1 2.0))
    """,
    "unchecked_definitions": """
        unchecked Bad : u24 -> u24
        (Bad x) = {x 2.0}

        unchecked Trusted : u24 -> f24
        (Trusted x) = x

        def user() -> f24:
          return Trusted(Bad(1)) + 1.0
    """,
    "checked_and_unchecked_keywords": """
        def checked inc(x):
          return x + 1

        checked Inc = λx (+ x 1)

        def unchecked loose(x: u24) -> u24:
          return {1.0, x}

        def user() -> (u24, f24, u24):
          # a checked definition without a signature is seen as `Any`, as in Bend
          return (inc(1), Inc(1.0) + inc(2.0), loose(1))
    """,
    "numbers_and_operators": """
        def ints(x: i24, y: u24) -> (i24, u24, u24, f24):
          return ((x << +2) ^ (x & +3) | (x % +5), y >> 1, x < -1, i24/to_f24(x) ** 0.5)

        def floats(a: f24) -> (f24, u24, f24):
          return (a * -1.5 / 2.0 - 1.0, a == 0.0, Math/sqrt(a) + Math/PI)

        def casts(x: f24) -> (u24, i24, f24):
          return (f24/to_u24(x), f24/to_i24(x), u24/to_f24(3))
    """,
    "dup_and_erase": """
        def twice(x: u24) -> u24:
          {a, b} = x
          return a + b

        def ignore(x: f24) -> None:
          return *
    """,
    "local_definitions": """
        def outer(x: u24) -> (u24, f24):
          def id(z):
            return z
          def add(y):
            return y + x
          return (add(id(x)), id(2.0))
    """,
    "prelude_data_types": """
        def maps() -> (u24, Map(u24)):
          m = {1: 10, 2: 20}
          m[3] = 30
          return Map/get(m, 2)

        def results(r: Result(u24, String)) -> u24:
          match r:
            case Result/Ok:
              return r.val
            case Result/Err:
              return 0

        def tree_list() -> List(u24):
          return Tree/to_list(![!1, !2])
    """,
    "native_hvm_definition_with_a_type": """
        hvm to_float -> (u24 -> f24):
          ($([u24] ret) ret)

        def user() -> f24:
          return to_float(1) + 1.0
    """,
}


@pytest.mark.parametrize("name", ACCEPTED)
def test_accepted(name):
    assert errors(ACCEPTED[name]) == []


def test_accepted_programs_compile_and_run_unchanged():
    """The checker changes nothing: a checked program runs as it would unchecked."""
    from bend.runner import run_compiled

    text = src(ACCEPTED["fold_and_bend"])
    on = run_compiled(compile_bend(text), "py")
    off = run_compiled(compile_bend(text, options=Options(type_check=False)), "py")
    assert on.text == off.text
    assert on.text.startswith("(3, (3, ([\"a\"]")


# -- rejected programs: (program, [(message, line, column)])

NUMBER_MIX = "numbers of different types never mix"

REJECTED = {
    "number_mixing": ("""
        def f(x: u24, y: f24) -> u24:
          return x + y
    """, [("type mismatch in `+`: its operands are `u24` and `f24`", 2, 10)]),
    "wrong_return_type": ("""
        def f(x: u24) -> f24:
          return x
    """, [("type mismatch: expected `f24`, found `u24`", 2, 10)]),
    "wrong_return_type_in_a_nested_position": ("""
        def f(x: u24) -> (u24, List(f24)):
          return (x, [1.0, x])
    """, [("type mismatch in argument 1 of `List/Cons`: expected `f24`, found `u24`", 2, 20)]),
    "wrong_constructor_argument": ("""
        type Shape:
          Circle { r: f24 }

        def f() -> Shape:
          return Shape/Circle(1)
    """, [("type mismatch in argument 1 of `Shape/Circle`: expected `f24`, found `u24`", 5, 23)]),
    "wrong_function_argument": ("""
        def f(x: u24, s: String) -> u24:
          return x

        def g() -> u24:
          return f(1, [1])
    """, [("type mismatch in argument 2 of `f`: expected `String`, found `List(u24)`", 5, 15)]),
    "too_many_arguments": ("""
        def add(a: u24, b: u24) -> u24:
          return a + b

        def f() -> u24:
          return add(1, 2, 3)
    """, [("`add` is applied to too many arguments: it takes 2, found 3", 5, 20)]),
    "too_few_arguments": ("""
        def add(a: u24, b: u24) -> u24:
          return a + b

        def f() -> u24:
          return add(1)
    """, [("type mismatch: expected `u24`, found `u24 -> u24`", 5, 10)]),
    "constructor_arguments": ("""
        type Shape:
          Circle { r: f24 }

        def f() -> Shape:
          return Shape/Circle(1.0, 2.0)

        def g() -> Shape:
          return Shape/Circle
    """, [("`Shape/Circle` is applied to too many arguments: it takes 1, found 2", 5, 28),
          ("type mismatch: expected `Shape`, found `f24 -> Shape`", 8, 10)]),
    "rigid_type_variable": ("""
        def f(x: a) -> u24:
          return x
    """, [("type mismatch: expected `u24`, found `a`", 2, 10)]),
    "rigid_type_variables_differ": ("""
        def f(x: a, y: b) -> a:
          return y
    """, [("type mismatch: expected `a`, found `b`", 2, 10)]),
    "rigid_type_variable_used_as_a_number": ("""
        def f(x: a) -> a:
          return x + x
    """, [("`+` needs numbers (`u24`, `i24` or `f24`), found `a`", 2, 10)]),
    "match_arms_of_different_types": ("""
        def f(x: Maybe(u24)) -> u24:
          match x:
            case Maybe/Some:
              y = x.value
            case Maybe/None:
              y = 1.0
          return 0
    """, [("type mismatch: expected `u24`, found `f24`", 6, 11)]),
    "match_arms_differ_even_when_the_result_is_any": ("""
        def f(x: Maybe(u24)) -> Any:
          match x:
            case Maybe/Some:
              return x.value
            case Maybe/None:
              return "none"
    """, [("type mismatch: expected `u24`, found `String`", 6, 14)]),
    "if_branches_of_different_types": ("""
        def f(x: u24) -> u24:
          if x == 0:
            y = 1
          else:
            y = 2.0
          return 0
    """, [("type mismatch: expected `u24`, found `f24`", 5, 9)]),
    "switch_on_a_float": ("""
        def f(x: f24) -> u24:
          switch x:
            case 0:
              return 1
            case _:
              return 2
    """, [("type mismatch: expected `u24`, found `f24`", 2, 10)]),
    "if_on_a_string": ("""
        def f(s: String) -> u24:
          if s:
            return 1
          else:
            return 0
    """, [("type mismatch: expected `u24`, found `String`", 2, 6)]),
    "match_on_a_value_of_another_type": ("""
        def f(x: u24) -> u24:
          match x:
            case Maybe/Some:
              return x.value
            case Maybe/None:
              return 1
    """, [("type mismatch: this `match` is on a `Maybe`, but the value is a `u24`", 2, 9)]),
    "occurs_check": ("""
        def omega(x: _) -> _:
          return x(x)
    """, [("type mismatch: expected `a`, found `a -> b` (an infinite type: `a` would be `a -> b`)", 2, 12)]),
    "superposition": ("""
        def f(x: u24) -> u24:
          return {x, x}
    """, [("a superposition is not allowed in a type-checked function", 2, 10)]),
    "unscoped_variable": ("""
        def f(x: u24) -> u24:
          g = lambda $y: x
          return $y
    """, [("the unscoped variable `$y` is not allowed in a type-checked function", 2, 14),
          ("the unscoped variable `$y` is not allowed in a type-checked function", 3, 10)]),
    "calling_a_non_function": ("""
        def f(x: u24) -> u24:
          return x(1)
    """, [("type mismatch: this is applied to an argument, but its type is `u24`", 2, 10)]),
    "bitwise_and_of_floats": ("""
        def f(x: f24) -> f24:
          return x & 2.0
    """, [("`&` needs integers (`u24` or `i24`), found `f24`", 2, 10)]),
    "power_of_integers": ("""
        def f(x: u24) -> u24:
          return x ** 2
    """, [("`**` needs `f24` numbers, found `u24`", 2, 10)]),
    "comparing_strings": ("""
        def f(a: String, b: String) -> u24:
          return a == b
    """, [("`==` needs numbers (`u24`, `i24` or `f24`), found `String`", 2, 10)]),
    "shifting_by_another_number_type": ("""
        def f(x: i24) -> i24:
          return x << 2
    """, [("type mismatch in `<<`: its operands are `i24` and `u24`", 2, 10)]),
    "hole_takes_the_inferred_type": ("""
        def inc(x: _) -> _:
          return x + 1

        def f() -> f24:
          return inc(1.0)
    """, [("type mismatch in argument 1 of `inc`: expected `u24`, found `f24`", 5, 14)]),
    "any_argument_used_as_a_float": ("""
        def f(x: Any) -> u24:
          return x + 1.0
    """, [("type mismatch: expected `u24`, found `f24`", 2, 10)]),
    "fold_case_of_the_wrong_type": ("""
        def sum(l: List(u24)) -> u24:
          fold l:
            case List/Nil:
              return 0.0
            case List/Cons:
              return l.head + l.tail
    """, [("type mismatch: expected `u24`, found `f24`", 4, 14)]),
    "bend_base_of_the_wrong_type": ("""
        def tree(n: u24) -> Tree(f24):
          bend d = 0:
            when d < n:
              return ![fork(d + 1), fork(d + 1)]
            else:
              return !d
    """, [("type mismatch in argument 1 of `Tree/Leaf`: expected `f24`, found `u24`", 6, 15)]),
    "list_of_mixed_types": ("""
        def f() -> List(u24):
          return [1, 2.0]
    """, [("type mismatch in argument 1 of `List/Cons`: expected `u24`, found `f24`", 2, 14)]),
    "string_is_not_a_list": ("""
        def f() -> String:
          return [1, 2]

        def g() -> List(u24):
          return "ab"
    """, [("type mismatch: expected `String`, found `List(u24)`", 2, 10),
          ("type mismatch: expected `List(u24)`, found `String`", 5, 10)]),
    "tuple_pattern_on_a_non_tuple": ("""
        def f(p: u24) -> u24:
          (a, b) = p
          return a
    """, [("type mismatch: expected a tuple, found `u24`", 2, 3)]),
    "wrong_tuple_element": ("""
        def f(p: (u24, f24)) -> u24:
          (a, b) = p
          return b
    """, [("type mismatch: expected `u24`, found `f24`", 3, 10)]),
    "type_argument_count": ("""
        def f(x: List(u24, u24)) -> u24:
          return 0

        type Foo:
          Bar { x: Maybe }

        type Baz:
          Qux { x: Result(u24) }
    """, [("the type `List` takes 1 type argument, found 2", 1, 10),
          ("the type `Result` takes 2 type arguments, found 1", 8, 12)]),
    "fun_syntax_rule": ("""
        Add : u24 -> u24 -> u24
        (Add a b) = (+ a 1.0)
    """, [("type mismatch in `+`: its operands are `u24` and `f24`", 2, 13)]),
    "checked_without_signature": ("""
        checked Inc = λx (+ (+ x 1) 1.0)

        def checked twice(f):
          return f(f)
    """, [("type mismatch in `+`: its operands are `u24` and `f24`", 1, 18),
          ("type mismatch: expected `a`, found `a -> b` (an infinite type: `a` would be `a -> b`)", 4, 12)]),
    "main_with_a_signature": ("""
        def main() -> IO(u24):
          with IO:
            * <- IO/print(1)
            return wrap(1)
    """, [("type mismatch in argument 1 of `IO/print`: expected `String`, found `u24`", 3, 19)]),
}


@pytest.mark.parametrize("name", REJECTED)
def test_rejected(name):
    text, expected = REJECTED[name]
    assert errors(text) == expected


def test_hints_explain_the_mismatch():
    text, _ = REJECTED["number_mixing"]
    assert NUMBER_MIX in hints(text)[0]
    text, _ = REJECTED["rigid_type_variable"]
    assert hints(text) == ["the signature of `f` is `a -> u24`; `a` is a type variable of the signature: "
                           "the function must work for any type `a`"]
    text, _ = REJECTED["occurs_check"]
    assert "applying a function to itself" in hints(text)[0]
    text, _ = REJECTED["superposition"]
    assert "unchecked" in hints(text)[0]
    text, _ = REJECTED["bitwise_and_of_floats"]
    assert "atan2" in hints(text)[0]
    text, _ = REJECTED["match_arms_of_different_types"]
    assert hints(text)[0].startswith("every case of a `match` or `switch` must give the same type")


def test_every_error_of_a_file_is_reported_once():
    found = errors("""
        def f(x: u24) -> f24:
          return x

        def g(x: f24) -> u24:
          return x + 1

        type Shape:
          Circle { r: f24 }

        def h(x: u24) -> Shape:
          return Shape/Circle(x)

        def ok(x: u24) -> u24:
          return x
    """)
    assert found == [
        ("type mismatch: expected `f24`, found `u24`", 2, 10),
        ("type mismatch in `+`: its operands are `f24` and `u24`", 5, 10),
        ("type mismatch in argument 1 of `Shape/Circle`: expected `f24`, found `u24`", 11, 23),
    ]


def test_an_error_does_not_cause_more():
    assert errors("""
        def f(x: u24) -> u24:
          y = x + 1.0
          z = y * 2
          return z + y
    """) == [("type mismatch in `+`: its operands are `u24` and `f24`", 2, 7)]
    # a wrong argument is the error, not the call's result too
    assert errors("""
        def inc(x: u24) -> u24:
          return x + 1

        def f() -> f24:
          return inc(1.0)
    """) == [("type mismatch in argument 1 of `inc`: expected `u24`, found `f24`", 5, 14)]


def test_an_error_in_a_callee_leaves_callers_alone():
    found = errors("""
        checked Bad = λx (+ x 1.0 2)

        def user(x: u24) -> f24:
          return Bad(x) + 1.0
    """)
    assert len(found) == 1 and found[0][1] == 1


def test_type_check_can_be_turned_off():
    text = src(REJECTED["number_mixing"][0])
    assert checked_until_types(Path("test.bend"), text, Options(type_check=False)) == []
    options = Options()
    options.set("no-type-check")
    assert not options.type_check
    compile_bend(text, options=options)


def test_which_definitions_are_checked():
    program = load_program(Path("test.bend"), src("""
        def annotated(x: u24):
          return x

        def plain(x):
          return x

        def sum(l: List(u24)) -> u24:
          fold l:
            case List/Nil:
              return 0
            case List/Cons:
              return l.head + l.tail

        Sig : u24 -> u24
        (Sig x) = x

        unchecked Off : u24 -> u24
        (Off x) = x

        checked On = λx x

        def checked on(x):
          return x

        def unchecked off(x: u24) -> u24:
          return x

        def outer(x: u24) -> u24:
          def inner(y):
            return y
          return inner(x)
    """))
    check_program(program)
    book, _ = desugar(program, Options(type_check=False), stop_after="type_check")
    defs = book.defs
    checked = {name for name, d in defs.items() if not d.builtin and types.is_checked(d, defs)}
    # generated definitions (folds, bends, local definitions) follow the one they came from
    assert checked == {"annotated", "sum", "sum__fold0", "Sig", "On", "on", "outer", "outer__local_0_inner"}


def test_types_print_as_bend_writes_them():
    a, b = types.TVar(1), types.TVar(1)
    lst = types.TCon("List", (a,))
    assert types.show_type(types.arrow(types.arrow(a, b), types.arrow(lst, types.TCon("List", (b,))))) \
        == "(a -> b) -> List(a) -> List(b)"
    assert types.show_type(types.pair(types.U24, types.pair(types.F24, types.TCon("String")))) \
        == "(u24, f24, String)"
    assert types.show_types(types.Rigid("a"), a) == ["a", "b"]


# -- the command line


runner = CliRunner()


def bend(*args):
    result = runner.invoke(app, [str(a) for a in args])
    assert "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result


def test_cli_check_reports_type_errors(tmp_path):
    path = tmp_path / "bad.bend"
    path.write_text(src("""
        def f(x: u24, y: f24) -> u24:
          return x + y

        def g(x: a) -> u24:
          return x
    """))
    result = bend("check", path)
    assert result.exit_code == 1
    assert "error: type mismatch in `+`: its operands are `u24` and `f24`" in result.stderr
    assert "bad.bend:2:10" in result.stderr
    assert "error: type mismatch: expected `u24`, found `a`" in result.stderr
    assert "bad.bend:5:10" in result.stderr
    assert bend("check", "-O", "no-type-check", path).exit_code == 0


def test_cli_run_stops_at_type_errors(tmp_path):
    path = tmp_path / "bad.bend"
    path.write_text("def main() -> u24:\n  return {1, 2}\n")
    for command in ("run", "run-py"):
        result = bend(command, path)
        assert result.exit_code == 1
        assert "error: a superposition is not allowed in a type-checked function" in result.stderr
        assert "bad.bend:2:10" in result.stderr
        assert "Result:" not in result.stdout


# -- size (how fast it checks them: bench/typecheck.py)


def big_typed_program(n: int = 2000) -> str:
    items = ", ".join(f"({i}, {i}.0)" for i in range(n))
    return src(f"""
        def big() -> List((u24, f24)):
          return [{items}]

        def sum(l: List((u24, f24))) -> f24:
          fold l:
            case List/Nil:
              return 0.0
            case List/Cons:
              (a, b) = l.head
              return u24/to_f24(a) + b + l.tail
    """)


def test_a_program_of_thousands_of_typed_terms_checks():
    program = load_program(Path("big.bend"), big_typed_program())
    check_program(program)
    book, ctx = desugar(program, Options(type_check=False), stop_after="type_check")
    diagnostics = Diagnostics()
    deep(types.check_book, book, ctx, diagnostics, False)
    assert diagnostics.errors == []
