"""Type signatures in the fun syntax (bend/frontend/fun.py), as Bend 0.2.38 writes them.

What is checked: every form of signature parses to the annotation the imp syntax makes
(`typ` on the Definition: an arrow from the parameters' types to the result's), `bend parse`
prints it and the printed text parses back to the same tree, the type checker checks what a
fun signature says and reports a wrong one with file:line:column, typed fields of fun-style
data types, a prelude-like file of typed fun code checks, and named arguments after a `case`
on a constructor (bend/frontend/named_args.py).
"""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest
from support import bend_diagnostics, compile_bend
from typer.testing import CliRunner

from bend import ast
from bend.cli import app
from bend.frontend.parser import Parser
from bend.runner import run_compiled

U24, F24 = ast.TCtr("u24", []), ast.TCtr("f24", [])


def parse(text: str) -> ast.Book:
    book, diagnostics = Parser(textwrap.dedent(text), "test.bend").parse()
    assert diagnostics.items == [], [d.render() for d in diagnostics.items]
    return book


def arrow(*types):
    result = types[-1]
    for t in reversed(types[:-1]):
        result = ast.TArrow(t, result)
    return result


def errors(text: str) -> list[tuple[str, int, int]]:
    found = [d for d in bend_diagnostics(textwrap.dedent(text)) if d.severity == "error"]
    found.sort(key=lambda d: d.span.start)
    return [(d.message, *d.span.line_col()) for d in found]


# -- each form parses to the same annotation as `def f(x: T) -> R`


@pytest.mark.parametrize("text", [
    "f (x: u24) (y: f24) : u24 = x",
    "(f (x: u24) (y: f24)) : u24 = x",
    "(f (x: u24) (y: f24)): u24 = x",
    "f(x: u24) (y: f24) : u24 = x",
    "f (x: u24) (y: f24) : u24\n(f x y) = x",
    "f (x: u24) (y: f24) : u24\nf x y = x",
    "f : u24 -> f24 -> u24\n(f x y) = x",
    "def f(x: u24, y: f24) -> u24:\n  return x",
], ids=["line", "rule-head", "rule-head-no-space", "no-space-after-name", "then-rule", "then-bare-rule",
        "arrow-type", "imp"])
def test_every_form_gives_the_imp_annotation(text):
    d = parse(text).defs["f"]
    assert d.typ == arrow(U24, F24, U24)
    assert d.checked is None
    assert len(d.rules) == 1 and d.rules[0].patterns == [ast.PVar("x"), ast.PVar("y")]


def test_no_parameters():
    book = parse("""\
        (Main) : u24 = 1
        (Run): (IO (Result String u24)) = (wrap (Result/Ok 0))
        Seek : i24 = +2
        """)
    assert book.defs["Main"].typ == U24
    io = ast.TCtr("IO", [ast.TCtr("Result", [ast.TCtr("String", []), U24])])
    assert book.defs["Run"].typ == io
    assert book.defs["Seek"].typ == ast.TCtr("i24", []) and book.defs["Seek"].rules[0].patterns == []


def test_untyped_parameters_are_any_and_types_may_be_arrows_tuples_any_none_holes():
    d = parse("g a (b) (p: T -> u24) (t: (u24, Any)) : (List None) -> _ = a").defs["g"]
    p_type = ast.TArrow(ast.TCtr("T", []), U24)
    result = ast.TArrow(ast.TCtr("List", [ast.TNone()]), ast.THole())
    assert d.typ == arrow(ast.TAny(), ast.TAny(), p_type, ast.TTuple([U24, ast.TAny()]), result)
    assert [p.name for p in d.rules[0].patterns] == ["a", "b", "p", "t"]


def test_a_typed_parameter_in_a_rule_head_with_a_body():
    d = parse("""\
        type Boxed T = (Box (val: T))
        (Box.unbox (box: (Boxed T))): T = open Boxed box; box.val
        """).defs["Box.unbox"]
    assert d.typ == ast.TArrow(ast.TCtr("Boxed", [ast.TCtr("T", [])]), ast.TCtr("T", []))
    assert type(d.rules[0].body) is ast.Open


def test_a_signature_then_many_rules_and_rules_without_one():
    book = parse("""\
        List/flatten (xs: (List (List T))) : (List T)
        List/flatten (List/Cons x xs) = (List/concat x (List/flatten xs))
        List/flatten (List/Nil)       = (List/Nil)

        (Len List/Nil) = 0
        (Len (List/Cons h t)) = (+ 1 (Len t))
        (Pair (x) y) = (x, y)
        """)
    flatten = book.defs["List/flatten"]
    assert flatten.typ == ast.TArrow(ast.TCtr("List", [ast.TCtr("List", [ast.TCtr("T", [])])]),
                                     ast.TCtr("List", [ast.TCtr("T", [])]))
    assert [r.patterns[0] for r in flatten.rules] == [ast.PCtr("List/Cons", [ast.PVar("x"), ast.PVar("xs")]),
                                                       ast.PCtr("List/Nil", [])]
    assert book.defs["Len"].typ is None and len(book.defs["Len"].rules) == 2
    assert book.defs["Pair"].typ is None
    assert book.defs["Pair"].rules[0].patterns == [ast.PCtr("x", []), ast.PVar("y")]


def test_checked_and_unchecked_before_a_signature():
    book = parse("unchecked f (x: u24) : u24 = x\nchecked (g x) = x\n")
    assert book.defs["f"].checked is False and book.defs["f"].typ == arrow(U24, U24)
    assert book.defs["g"].checked is True and book.defs["g"].typ is None


def test_fun_types_with_typed_fields():
    book = parse("""\
        type Nat = (Succ ~(pred: Nat)) | (Zero)
        type (Result o e) = (Ok (val: o)) | (Err (val: e))
        type Pred T = (P (f: T -> u24) plain (g))
        """)
    succ = book.adts["Nat"].ctors[0]
    assert (succ.fields[0].name, succ.fields[0].recursive, succ.fields[0].typ) == ("pred", True, ast.TCtr("Nat", []))
    assert book.adts["Result"].params == ["o", "e"]
    fields = book.adts["Pred"].ctors[0].fields
    assert [(f.name, f.typ) for f in fields] == [("f", ast.TArrow(ast.TCtr("T", []), U24)), ("plain", None), ("g", None)]


def test_signature_mistakes_are_reported_where_they_are():
    _, diagnostics = Parser("F : u24\n\n(G x) = x\n", "t.bend").parse()
    assert [(d.message, *d.span.line_col()) for d in diagnostics.errors] == [("`F` has a type but no rules", 1, 1)]
    _, diagnostics = Parser("f (x: u24) : u24 x\n", "t.bend").parse()
    assert [(d.message, *d.span.line_col()) for d in diagnostics.errors] == [
        ("expected `=` after the signature of `f`, found `x`", 1, 18)]


# -- `bend parse` prints the annotations, and its text parses back to the same tree

runner = CliRunner()

ROUND_TRIP = """\
type Boxed T = (Box (val: T))
type Peano = (Succ ~(pred: Peano)) | Zero

(Box.unbox (box: (Boxed T))): T = open Boxed box; box.val

Apply (f: T -> u24) (x: T) : u24 = (f x)

List/len (xs: (List T)) : (u24, Any)
List/len (List/Cons x xs) = (0, (List/len xs))
List/len (List/Nil) = (0, *)

unchecked Cast (x: Any) : None = *

(Main) : u24 = (Box.unbox (Boxed/Box 3))
"""


def test_parse_prints_signatures_and_reads_them_back(tmp_path):
    first = tmp_path / "first.bend"
    first.write_text(ROUND_TRIP)
    printed = runner.invoke(app, ["parse", str(first)])
    assert printed.exit_code == 0, printed.output
    assert "Apply : (T -> u24) -> T -> u24" in printed.stdout
    assert "unchecked Cast : Any -> None" in printed.stdout
    assert "Box.unbox : (Boxed T) -> T" in printed.stdout
    assert "(Succ ~(pred: Peano))" in printed.stdout
    second = tmp_path / "second.bend"
    second.write_text(printed.stdout)
    again = runner.invoke(app, ["parse", str(second)])
    assert again.exit_code == 0 and again.stdout == printed.stdout
    assert parse(printed.stdout) == parse(ROUND_TRIP)


# -- the type checker checks fun signatures


def test_a_wrong_fun_annotation_is_a_type_error_with_its_place():
    assert errors("""\
        type Boxed T = (Box (val: T))
        (Box.unbox (box: (Boxed T))): u24 = open Boxed box; box.val
        Sq (x: u24) : f24 = (* x x)
        Len : (List a) -> u24
        (Len List/Nil) = 0
        (Len (List/Cons h t)) = (+ 1.0 (Len t))
        (Main) : u24 = (Sq 2)
        """) == [
        ("type mismatch: expected `u24`, found `T`", 2, 53),
        ("type mismatch: expected `f24`, found `u24`", 3, 21),
        ("type mismatch in `+`: its operands are `f24` and `u24`", 6, 25),
        ("type mismatch: expected `u24`, found `f24`", 7, 16),
    ]


def test_the_command_line_reports_a_fun_type_error_with_file_line_column(tmp_path):
    path = tmp_path / "bad.bend"
    path.write_text("main : u24 = (Id 1.0)\nId (x: u24) : u24 = x\n")
    result = runner.invoke(app, ["check", str(path)])
    assert result.exit_code == 1
    assert "Traceback" not in result.output
    assert f"{path}:1:18" in result.stderr and "expected `u24`, found `f24`" in result.stderr


# what Bend's prelude looks like: typed fun definitions next to typed imp ones, types with
# typed fields, constants with a signature, arrows in parameters, Any/None, many rules
PRELUDE_LIKE = """\
type Opt T = (Some (value: T)) | (None)
type (Res o e) = (Ok (val: o)) | (Err (val: e))
type Tr T = (Node ~(left: (Tr T)) ~(right: (Tr T))) | (Leaf (value: T))

Res/STATUS : u24 = 2
Res/OFFSET : i24 = +1

Lst/concat (xs: (List T)) (ys: (List T)) : (List T)
Lst/concat (List/Cons x xs) ys = (List/Cons x (Lst/concat xs ys))
Lst/concat (List/Nil)       ys = ys

Lst/flatten (xs: (List (List T))) : (List T)
Lst/flatten (List/Cons x xs) = (Lst/concat x (Lst/flatten xs))
Lst/flatten (List/Nil)       = (List/Nil)

Lst/filter (xs: (List T)) (pred: T -> u24) : (List T)
Lst/filter (List/Nil) _ = List/Nil
Lst/filter (List/Cons x xs) pred =
  if (pred x) {
    (List/Cons x (Lst/filter xs pred))
  } else {
    (Lst/filter xs pred)
  }

Str/equals (s1: String) (s2: String) : u24
Str/equals (String/Nil) (String/Nil) = 1
Str/equals (String/Cons x xs) (String/Cons y ys) =
  if (== x y) { (Str/equals xs ys) } else { 0 }
Str/equals * * = 0

Opt/unwrap_or (o: (Opt T)) (default: T) : T =
  match o {
    Opt/Some: o.value
    Opt/None: default
  }

(Tr/sum (t: (Tr u24))) : u24 =
  fold t {
    Tr/Node: (+ t.left t.right)
    Tr/Leaf: t.value
  }

Res/and (fst: (Res A E)) (snd: (Res B E)) : (Res B E) =
  match fst {
    Res/Ok: snd
    Res/Err: (Res/Err fst.val)
  }

unchecked Any/ignore (x: Any) : None = *

def Tr/leaves(t: Tr(T)) -> List(T):
  fold t:
    case Tr/Node:
      return Lst/concat(t.left, t.right)
    case Tr/Leaf:
      return [t.value]

(Main) : u24 =
  let t = (Tr/Node (Tr/Leaf 1) (Tr/Node (Tr/Leaf 2) (Tr/Leaf 3)))
  let n = (Str/equals "ab" "ab")
  let big = (Lst/filter (Lst/flatten [[1, 2], [3, 4]]) λx (> x 2))
  let m = (Opt/unwrap_or (Opt/None) Res/STATUS)
  (+ (+ (Tr/sum t) n) (+ m (+ (List/length_ big) (List/length_ (Tr/leaves t)))))

List/length_ (xs: (List T)) : u24
List/length_ (List/Cons * xs) = (+ 1 (List/length_ xs))
List/length_ (List/Nil) = 0
"""


def test_prelude_like_typed_fun_code_checks_and_runs():
    compiled = compile_bend(PRELUDE_LIKE)  # (an error, type errors included, fails here)
    assert run_compiled(compiled, "py").text == str(6 + 1 + 2 + 2 + 3)


def test_main_with_an_io_signature_checks():
    assert errors("""\
        (Main): (IO (Result String u24)) =
          with IO {
            ask file = (IO/FS/read_file "missing.txt")
            match file {
              Result/Err: (wrap (Result/Err file.val))
              Result/Ok: (wrap (Result/Ok (String/decode_utf8 file.val)))
            }
          }
        """) == []


# -- named arguments: a `case` on a constructor does not make its name a variable


def test_a_constructor_matched_in_a_case_can_be_built_with_named_fields():
    source = """\
        type Arr(t):
          Null
          Leaf { a: t }
          Node { ~a: Arr(t), ~b: Arr(t) }

        def swap(t: Arr(u24)) -> Arr(u24):
          match t:
            case Arr/Null:
              return Arr/Null
            case Arr/Leaf:
              return Arr/Leaf{ a: t.a }
            case Arr/Node:
              return Arr/Node{ a: t.b, b: t.a }

        (Sum Arr/Null) = 0
        (Sum (Arr/Leaf a)) = a
        (Sum (Arr/Node a b)) = (+ (Sum a) (Sum b))

        def main() -> u24:
          return Sum(swap(Arr/Node{ a: Arr/Leaf{ a: 1 }, b: Arr/Node { a: Arr/Leaf { a: 2 }, b: Arr/Null } }))
        """
    compiled = compile_bend(textwrap.dedent(source))
    assert run_compiled(compiled, "py").text == "3"


def test_a_name_bound_by_an_assignment_is_still_a_variable():
    found = errors("""\
        type T:
          C { x }
        def main():
          T/C = lambda x: x
          return T/C{ x: 1 }
        """)
    assert ("`T/C` is a variable here: named arguments need the name of a function or constructor", 5, 10) in found


def test_the_examples_folder_still_parses():
    # (the programs shipped with the project keep parsing with the signature rules in place)
    root = Path(__file__).resolve().parents[2]
    for path in sorted((root / "examples").glob("*.bend")):
        _, diagnostics = Parser(path.read_text(), str(path)).parse()
        assert diagnostics.errors == [], path
