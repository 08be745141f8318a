"""bend.frontend: both syntaxes parse to one tree; imp lowers to fun; printing round-trips."""

from __future__ import annotations

from pathlib import Path

import pytest
from support import PROGRAMS

from bend import ast
from bend.frontend.loader import load_program
from bend.frontend.parser import Parser
from bend.frontend.printer import show_book, show_term
from hvm import numbers as N

SHARED = sorted(PROGRAMS.glob("*.bend"))


def parse(text: str) -> ast.Book:
    book, diagnostics = Parser(text, "t.bend").parse()
    assert [d.message for d in diagnostics.items] == []
    return book


def body(text: str, name: str = "f"):
    return parse(text).defs[name].rules[0].body


def loaded(text: str) -> ast.Book:
    program = load_program(Path("t.bend"), text)
    assert [d.message for d in program.diagnostics.errors] == []
    return program.main.book


@pytest.mark.parametrize("path", SHARED, ids=lambda p: p.stem)
def test_shared_programs_print_and_parse_back_to_the_same_tree(path):
    program = load_program(path)
    assert program.diagnostics.errors == []
    text = show_book(program.main.book)
    assert parse(text) == program.main.book


def same(imp: str, fun: str, name: str = "f"):
    """The imp definition means exactly the fun one."""
    assert loaded(imp).defs[name].rules == loaded(fun).defs[name].rules


def test_assignments_and_return():
    same("def f(x):\n  y = x + 1\n  return y * 2\n", "(f x) = let y = (+ x 1); (* y 2)")


def test_tuple_patterns_and_tuples_without_parentheses():
    same("def f(p):\n  a, b = p\n  return b, a\n", "(f p) = let (a, b) = p; (b, a)")


def test_dup_and_erase_statements():
    same("def f(x):\n  {a, b} = x\n  * = a\n  return b\n", "(f x) = let {a b} = x; let * = a; b")


def test_in_place_operators():
    same("def f(x):\n  x += 1\n  x *= 2\n  x @= g\n  return x\ndef g(y):\n  return y\n",
         "(f x) = let x = (+ x 1); let x = (* x 2); let x = (g x); x\n(g y) = y")


def test_if_elif_else_returning():
    same("def f(n):\n  if n == 0:\n    return 1\n  elif n == 1:\n    return 2\n  else:\n    return 3\n",
         "(f n) = if (== n 0) { 1 } else { if (== n 1) { 2 } else { 3 } }")


def test_branches_ending_in_the_same_assignment_bind_it():
    same("def f(n):\n  if n:\n    r = 1\n  else:\n    r = 2\n  return r + 1\n",
         "(f n) = let r = if n { 1 } else { 2 }; (+ r 1)")


def test_match_with_fields_and_with_clause():
    same("def f(xs, n):\n  match xs with n:\n    case List/Cons:\n      return xs.head + n\n    case List/Nil:\n      return n\n",
         "(f xs n) = match xs with n { List/Cons: (+ xs.head n); List/Nil: n }")


def test_switch_with_bind_and_predecessor():
    same("def f(n):\n  switch m = n + 1:\n    case 0:\n      return 0\n    case 1:\n      return 1\n    case _:\n      return m-2\n",
         "(f n) = switch m = (+ n 1) { 0: 0; 1: 1; _: m-2 }")


def test_fold_with_state():
    same("def f(xs):\n  fold xs with acc = 0:\n    case List/Cons:\n      return xs.tail(acc + xs.head)\n    case List/Nil:\n      return acc\n",
         "(f xs) = fold xs with acc = 0 { List/Cons: (xs.tail (+ acc xs.head)); List/Nil: acc }")


def test_bend_with_fork():
    same("def f(n):\n  bend i = 0:\n    when i < n:\n      t = !fork(i + 1)\n    else:\n      t = !i\n  return t\n",
         "(f n) = let t = bend i = 0 { when (< i n): !(fork (+ i 1)); else: !i }; t")


def test_with_blocks_and_ask():
    same("def f():\n  with IO:\n    x <- IO/wrap(1)\n    * <- IO/print(\"hi\")\n    return wrap(x)\n",
         'f = with IO { ask x = (IO/wrap 1); ask * = (IO/print "hi"); (wrap x) }')


def test_open_use_and_local_def():
    same("object P { a, b }\ndef f(p):\n  open P: p\n  use s = p.a\n  def g(x):\n    return x + s\n  return g(p.b)\n",
         "object P { a, b }\n(f p) = open P p; use s = p.a; def (g x) = (+ x s)\n(g p.b)")


def test_maps():
    same("def f(m):\n  m[1] = 2\n  x = m[1]\n  return {3: x}\n",
         "(f m) = let m = (Map/set m 1 2); let (map_get__1, m) = (Map/get m 1); let x = map_get__1; "
         "(Map/set Map/empty 3 x)")


def test_list_comprehension_is_a_fold():
    term = body("def f(xs):\n  return [x + 1 for x in xs if x]\n")
    assert isinstance(term, ast.Fold)
    assert [arm.pattern for arm in term.arms] == ["List/Cons", "List/Nil"]
    assert show_term(term).startswith("fold comprehension__1 = xs { List/Cons: let x = comprehension__1.head; if x")


def test_named_arguments_are_put_in_order():
    same("object P { a, b }\ndef f():\n  return P { b: 2, a: 1 }\n", "object P { a, b }\nf = (P 1 2)")
    same("def g(x, y):\n  return x\ndef f():\n  return g(1, y = 2)\n", "(g x y) = x\nf = (g 1 2)")


def test_lambdas_numbers_strings_and_literals():
    term = body("def f():\n  return lambda x, y: x + -1 + +2 + 1.5 + 'a' + `x` + \"s\"\n")
    assert show_term(term) == 'λx λy (+ (+ (+ (+ (+ (+ x -1) +2) 1.5) 97) 49) "s")'


def test_operator_precedence():
    term = body("def f(a, b, c):\n  return a | b ^ c & a == b < c << a + b * c ** a\n")
    assert show_term(term) == "(| a (^ b (& c (== a (< b (<< c (+ a (* b (** c a)))))))))"


def test_any_consistent_indentation():
    two = parse("def f(x):\n  if x:\n    return 1\n  else:\n    return 2\n")
    four = parse("def f(x):\n    if x:\n        return 1\n    else:\n        return 2\n")
    tabs = parse("def f(x):\n\tif x:\n\t\treturn 1\n\telse:\n\t\treturn 2\n")
    assert two == four == tabs


def test_line_breaks_inside_brackets_continue_the_expression():
    same("def f(a):\n  return g(\n    a,\n    [1,\n     2])\ndef g(x, y):\n  return x\n", "(f a) = (g a [1, 2])\n(g x y) = x")


def test_fun_rules_signatures_and_types():
    book = parse("Add : u24 -> u24 -> u24\n(Add a b) = (+ a b)\n(Len List/Nil) = 0\n(Len (List/Cons h t)) = (+ 1 (Len t))\n"
                 "Sq (x: u24) : u24 = (* x x)\ntype (Opt T) = (Some (value: T)) | None\n")
    assert book.defs["Add"].typ == ast.TArrow(ast.TCtr("u24", []), ast.TArrow(ast.TCtr("u24", []), ast.TCtr("u24", [])))
    assert len(book.defs["Len"].rules) == 2
    assert book.defs["Len"].rules[1].patterns == [ast.PCtr("List/Cons", [ast.PVar("h"), ast.PVar("t")])]
    assert book.defs["Sq"].typ == ast.TArrow(ast.TCtr("u24", []), ast.TCtr("u24", []))
    assert [c.name for c in book.adts["Opt"].ctors] == ["Opt/Some", "Opt/None"]


def test_imp_types_and_objects():
    book = parse("type Tree(T):\n  Node { ~left: Tree(T), ~right }\n  Leaf { value: T }\nobject Pair { fst, snd }\n")
    node = book.adts["Tree"].ctors[0]
    assert node.name == "Tree/Node" and [(f.name, f.recursive) for f in node.fields] == [("left", True), ("right", True)]
    assert book.adts["Pair"].is_object and book.adts["Pair"].ctors[0].name == "Pair"


def test_fun_terms():
    term = body("f = λa let (x, y) = a; use z = x; match y { List/Cons: {z y.head}; List/Nil: [1 2, 3] }")
    assert show_term(term) == "λa let (x, y) = a; use z = x; match y { List/Cons: {z y.head}; List/Nil: [1, 2, 3] }"


def test_native_hvm_definitions_keep_their_net():
    book = parse("hvm inc -> (u24 -> u24):\n  ($([+1] r) r)\ndef main():\n  return inc(1)\n")
    assert book.hvm_defs["inc"].net_text == "($([+1] r) r)"


def test_imports(tmp_path):
    (tmp_path / "lib").mkdir()
    (tmp_path / "lib" / "math.bend").write_text("def sq(x):\n  return x * x\ntype V:\n  A\n  B\n")
    main = tmp_path / "main.bend"
    main.write_text("from lib/math import sq, V\nimport lib/math as m\ndef main():\n  return (sq(2), m/sq(3), V/A)\n")
    program = load_program(main)
    assert program.diagnostics.items == []
    namespace = program.main.namespace
    assert namespace["sq"] == "lib/math/sq" and namespace["m/sq"] == "lib/math/sq"
    assert namespace["V/A"] == "lib/math/V/A"
    assert "lib/math/sq" in program.book.defs


def test_signed_numbers():
    term = body("f = (+ -1 +2)")
    assert term == ast.Oper("+", ast.Num(N.new_i24(-1)), ast.Num(N.new_i24(2)))
    assert body("f = (-1 2)") == ast.App(ast.Num(N.new_i24(-1)), ast.Num(N.new_u24(2)))


def test_with_clause_names_separated_by_spaces_as_bend_writes_them():
    assert body("f = λc λa λb switch c with a b { 0: a; _: b }") == body(
        "f = λc λa λb switch c with a, b { 0: a; _: b }")
    assert body("def f(c, a, b):\n  switch c with a b:\n    case 0:\n      return a\n    case _:\n      return b\n") == \
        body("f = λc λa λb switch c with a, b { 0: a; _: b }").body.body.body


def test_a_tuple_may_start_with_an_eraser():
    assert body("f = (*, 2)") == ast.Tuple([ast.Era(), ast.Num(N.new_u24(2))])
    assert body("f = (* 1 2)") == ast.Oper("*", ast.Num(N.new_u24(1)), ast.Num(N.new_u24(2)))


def test_strings_print_as_bend_prints_them():
    from bend.frontend.printer import show_string

    assert show_string("a\n\"'\\\0") == '"a\\n\\"\'\\\\\\0"'
    # combining marks, format characters, controls: escaped as `\u{hex}` (lowercase, as Rust writes)
    assert show_string("x\u0afey\u200bz\x7f") == '"x\\u{afe}y\\u{200b}z\\u{7f}"'
    assert show_string("λ café 日本") == '"λ café 日本"'
    text = "a\u0afe\u200b"
    assert body("f = " + show_string(text)) == ast.Str(text)
