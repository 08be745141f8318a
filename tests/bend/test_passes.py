"""Unit tests of each desugaring pass (bend/desugar, in the order of bend.compiler.stages()) and of
bend/to_hvm (compile, eta, priority, readback): the shape that comes out of a small input, and
the edge cases each module's docstring promises.

Most tests print a definition after a pass (`bend desugar --stop-after NAME`: variables renamed
a, b, c, ... per definition; generated names `%pred35` shown without their number) and compare
the text.
"""

from __future__ import annotations

import functools
import re
from pathlib import Path

import pytest
from support import compile_bend, run_bend

from bend import ast
from bend.check import check_program
from bend.desugar import resolve
from bend.desugar.context import Options
from bend.compiler import desugar, readable, stages
from bend.desugar.terms import free_vars
from bend.diagnostics import BendError
from bend.frontend.loader import load_program
from bend.frontend.printer import show_definition
from bend.runner import run_compiled
from bend.to_hvm.eta import eta_reduce
from bend.to_hvm.priority import mark_recursive_calls
from bend.to_hvm.readback import readback, show, show_number
from hvm import numbers
from hvm.book import Ref
from hvm.syntax import parse_book, parse_net, parse_tree, show_net

# -- helpers


def load(src: str, path: str = "test.bend"):
    program = load_program(Path(path), src)
    check_program(program)
    errors = [d.render() for d in program.diagnostics.errors]
    assert not errors, "\n".join(errors)
    return program


def options(*flags: str) -> Options:
    o = Options()
    for flag in flags:
        o.set(flag)
    return o


def stage(src: str, after: str, *flags: str):
    """(the core book, the ctx) after the pass `after`."""
    assert after in stages()
    return desugar(load(src), options(*flags), after)


FRESH = re.compile(r"%([A-Za-z_]+?)\d+")


def text(d: ast.Definition) -> str:
    return FRESH.sub(r"%\1", show_definition(readable(d)))


@functools.lru_cache(maxsize=None)
def shown(src: str, after: str, *flags: str) -> dict[str, str]:
    """Each of the user's definitions after the pass `after`, as `bend desugar` prints it."""
    book, _ = stage(src, after, *flags)
    return {name: text(d) for name, d in book.defs.items() if not d.builtin}


def diagnostics(src: str, after: str | None = None, path: str = "test.bend") -> tuple[list[str], list[str]]:
    """(error messages, warning messages) of checking and desugaring up to `after`."""
    program = load_program(Path(path), src)
    check_program(program)
    if not program.diagnostics.errors:
        try:
            desugar(program, Options(), after)
        except BendError:
            pass
    items = program.diagnostics.items
    return [d.message for d in items if d.severity == "error"], [d.message for d in items if d.severity == "warning"]


def nodes(t):
    """Every term inside `t` (itself included)."""
    stack = [t]
    while stack:
        x = stack.pop()
        yield x
        stack.extend(ast.subterms(x))


def binders(t) -> list[str]:
    """The names bound anywhere in a (fixed) term: lambdas, lets, uses, match arms, switch preds."""
    out = []
    for x in nodes(t):
        cls = type(x)
        if cls in (ast.Lam, ast.Let):
            out += ast.binder_names(x.pattern)
        elif cls is ast.Use:
            out.append(x.name)
        elif cls is ast.Match:
            out += [b for arm in x.arms for b in arm.binds]
        elif cls is ast.Switch:
            out.append(x.pred)
    return out


def body(book, name: str):
    return book.defs[name].rules[0].body


@functools.lru_cache(maxsize=None)
def nets(src: str, *flags: str) -> dict[str, str]:
    """The nets of the user's definitions (`bend gen-hvm`)."""
    compiled = compile_bend(src, options=options(*flags))
    return {n: show_net(d.net) for n, d in compiled.hvm.defs.items()
            if n not in compiled.core.defs or not compiled.core.defs[n].builtin}


def net(text_: str) -> str:
    """A net's text in the printer's layout."""
    return show_net(parse_net(text_))


def rb(tree: str) -> str:
    return show(readback(parse_tree(tree)))


# -- resolve


RESOLVE = """\
type Opt = (Some v) | None
def sq(x):
  return x * x
def f(y):
  return sq(y)
def g(sq):
  return sq
(F Opt/None) = 0
(F x) = 1
main = (F (Opt/Some sq))
"""


def test_resolve_globals_become_refs_and_local_names_stay_vars():
    book = resolve.run(load(RESOLVE))
    assert body(book, "f") == ast.App(ast.Ref("sq"), ast.Var("y"))
    assert body(book, "g") == ast.Var("sq")  # the parameter shadows the definition
    assert body(book, "main") == ast.App(ast.Ref("F"), ast.App(ast.Ref("Opt/Some"), ast.Ref("sq")))


def test_resolve_makes_a_constructor_name_in_a_pattern_a_constructor_pattern():
    book = resolve.run(load(RESOLVE))
    assert book.defs["F"].rules[0].patterns == [ast.PCtr("Opt/None", [])]
    assert book.defs["F"].rules[1].patterns == [ast.PVar("x")]


def test_resolve_gives_imported_names_their_canonical_name(tmp_path):
    (tmp_path / "lib.bend").write_text("type Sh = (Sq s) | (Ci r)\ndef sq(x):\n  return x * x\n")
    src = ("from lib import sq\nfrom lib import Sh\n"
           "def h(x):\n  match x:\n    case Sh/Sq:\n      return sq(x.s)\n    case Sh/Ci:\n      return x.r\n"
           "def main:\n  return h(Sh/Ci(2))\n")
    book = resolve.run(load(src, str(tmp_path / "main.bend")))
    match = body(book, "h")
    assert [arm.pattern for arm in match.arms] == ["lib/Sh/Sq", "lib/Sh/Ci"]
    assert match.arms[0].body == ast.App(ast.Ref("lib/sq"), ast.Var("x.s"))
    assert body(book, "main") == ast.App(ast.Ref("h"), ast.App(ast.Ref("lib/Sh/Ci"), ast.Num(numbers.new_u24(2))))


def test_imported_constructors_can_be_built_and_matched(tmp_path):
    (tmp_path / "lib.bend").write_text("type Sh = (Sq s) | (Ci r)\n")
    src = ("from lib import Sh\n"
           "def main:\n  match x = Sh/Sq(7):\n    case Sh/Sq:\n      return x.s\n    case Sh/Ci:\n      return x.r\n")
    compiled = compile_bend(src, path=str(tmp_path / "main.bend"))
    assert run_compiled(compiled, "py").text == "7"


# -- literals


LITERALS = """\
S = "hi"
L = [1, 2]
T = ![!1 !2]
Tup = (1, 2, 3)
Sup3 = {1 2 3}
Swap = λ(a, b) (b, a)
(F "a") = 1
(F x) = 2
(G [a, b]) = a
(G x) = 0
(H (a, b, c)) = c
main = 0
"""


def test_literals_strings_lists_and_trees_become_constructor_applications():
    out = shown(LITERALS, "literals")
    assert out["S"] == "S = (String/Cons 104 (String/Cons 105 String/Nil))"
    assert out["L"] == "L = (List/Cons 1 (List/Cons 2 List/Nil))"
    assert out["T"] == "T = (Tree/Node (Tree/Leaf 1) (Tree/Leaf 2))"


def test_literals_tuples_and_superpositions_become_right_nested_pairs():
    out = shown(LITERALS, "literals")
    assert out["Tup"] == "Tup = (1, (2, 3))"
    assert out["Sup3"] == "Sup3 = {1 {2 3}}"


def test_literals_a_destructuring_lambda_binds_a_name_and_lets_it():
    assert shown(LITERALS, "literals")["Swap"] == "Swap = λa let (b, c) = a; (c, b)"


def test_literals_string_list_and_tuple_patterns():
    out = shown(LITERALS, "literals")
    assert out["F"].startswith("(F (String/Cons 97 (String/Nil))) = 1")
    assert out["G"].startswith("(G (List/Cons a (List/Cons b (List/Nil)))) = a")
    assert out["H"] == "(H (a, (b, c))) = c"
    book, _ = stage(LITERALS, "literals")
    no_sugar = (ast.Str, ast.List, ast.TreeNode, ast.TreeLeaf)
    for d in book.defs.values():
        for x in nodes(d.rules[0].body):
            assert type(x) not in no_sugar
            assert type(x) not in (ast.Tuple, ast.Sup) or len(x.items) == 2


# -- fix_matches


FIX = """\
type Opt = (Some val) | None
type T = (A) | (B f) | (C g h)
type Box = (Box v)
def reorder(x):
  match x:
    case Opt/None:
      return 0
    case Opt/Some:
      return x.val
def rest(x):
  match x:
    case T/B:
      return x.f
    case _:
      return 0
def named(x):
  match x:
    case T/A:
      return 1
    case y:
      return y
def cond(x):
  if x:
    return 1
  else:
    return 2
def sw(n):
  switch n:
    case 0:
      return n
    case 1:
      return 5
    case _:
      return n
def bound(z):
  match y = z:
    case Opt/Some:
      return y
    case Opt/None:
      return 0
def carried(x, a):
  match x with a:
    case Opt/Some:
      return a
    case Opt/None:
      return a
def opened(x):
  open Box: x
  return x.v
def main:
  return 0
"""


def test_fix_matches_if_becomes_a_switch_with_the_else_first():
    assert shown(FIX, "fix_matches")["cond"] == "(cond x) = switch x { 0: 2; _ %pred: 1 }"


def test_fix_matches_arms_follow_the_types_order_with_field_variables_and_the_rebuilt_value():
    assert shown(FIX, "fix_matches")["reorder"] == (
        "(reorder x) = match x { Opt/Some x.val: use x = (Opt/Some x.val); x.val; Opt/None: use x = Opt/None; 0 }")


def test_fix_matches_case_underscore_fills_the_other_constructors():
    assert shown(FIX, "fix_matches")["rest"] == (
        "(rest x) = match x { T/A: use x = T/A; 0; T/B x.f: use x = (T/B x.f); x.f; "
        "T/C x.g x.h: use x = (T/C x.g x.h); 0 }")


def test_fix_matches_case_name_binds_the_rebuilt_value():
    assert shown(FIX, "fix_matches")["named"] == (
        "(named x) = match x { T/A: use x = T/A; 1; T/B x.f: use x = (T/B x.f); use y = (T/B x.f); y; "
        "T/C x.g x.h: use x = (T/C x.g x.h); use y = (T/C x.g x.h); y }")


def test_fix_matches_switch_arms_see_the_number_they_matched():
    assert shown(FIX, "fix_matches")["sw"] == (
        "(sw n) = switch n { 0: use n = 0; n; 1: use n = 1; 5; _ n-2: use n = (+ n-2 2); n }")


def test_fix_matches_match_with_a_binding_lets_it_first():
    assert shown(FIX, "fix_matches")["bound"] == (
        "(bound z) = let y = z; match y { Opt/Some y.val: use y = (Opt/Some y.val); y; Opt/None: use y = Opt/None; 0 }")


def test_fix_matches_with_variables_become_lambdas_in_every_arm():
    assert shown(FIX, "fix_matches")["carried"] == (
        "(carried x a) = (match x { Opt/Some x.val: λa use x = (Opt/Some x.val); a; "
        "Opt/None: λa use x = Opt/None; a } a)")


def test_fix_matches_open_is_a_one_arm_match():
    assert shown(FIX, "fix_matches")["opened"] == "(opened x) = match x { Box/Box x.v: use x = (Box/Box x.v); x.v }"


def test_fix_matches_a_scrutinee_without_a_name_is_let_to_a_fresh_one():
    src = "type Opt = (Some val) | None\ndef g:\n  match Opt/Some(1):\n    case Opt/Some:\n      return 2\n" \
          "    case Opt/None:\n      return 3\ndef main:\n  return 0\n"
    assert shown(src, "fix_matches")["g"] == "g = let a = (Opt/Some 1); match a { Opt/Some b: 2; Opt/None: 3 }"


def test_fix_matches_a_missing_constructor_is_an_error():
    errors, _ = diagnostics("type Opt = (Some val) | None\ndef f(x):\n  match x:\n    case Opt/Some:\n      return 1\n"
                            "def main:\n  return 0\n", "fix_matches")
    assert errors == ["this `match` on `Opt` does not cover `Opt/None`"]


def test_fix_matches_an_arm_after_a_catch_all_is_never_reached():
    _, warnings = diagnostics("type Opt = (Some val) | None\ndef f(x):\n  match x:\n    case Opt/Some:\n"
                              "      return 1\n    case _:\n      return 2\n    case Opt/None:\n      return 3\n"
                              "def main:\n  return 0\n", "fix_matches")
    assert warnings == ["this case is never reached: `Opt/None` is matched before it"]
    _, warnings = diagnostics("def f(x):\n  match x:\n    case y:\n      return y\n    case _:\n      return 1\n"
                              "def main:\n  return 0\n", "fix_matches")
    assert warnings == ["irrefutable match: this case is never reached, the case before it matches anything"]


def test_fix_matches_a_catch_all_arm_with_a_binding_covering_two_constructors():
    src = ("type T = (A) | (B) | (C)\ndef f(x):\n  match x:\n    case T/A:\n      return 1\n    case _:\n"
           "      y = 5\n      return y\ndef main:\n  return f(T/C)\n")
    assert run_bend(src, "py").text == "5"


# -- local_defs


LOCAL = """\
def f(x):
  def aux(y):
    return y + x
  return aux(1)
def g(x, z):
  def go(y):
    return go(y + z + x)
  return go(1)
def main:
  return 0
"""


def test_local_defs_are_lifted_with_their_captured_variables_first():
    out = shown(LOCAL, "local_defs")
    assert out["f"] == "(f x) = use aux = (f__local_0_aux x); (aux 1)"
    assert out["f__local_0_aux"] == "(f__local_0_aux x y) = use aux = (f__local_0_aux x); (+ y x)"


def test_local_defs_captured_variables_are_sorted_and_recursion_sees_the_lifted_call():
    out = shown(LOCAL, "local_defs")
    assert out["g"] == "(g x z) = use go = (g__local_0_go x z); (go 1)"
    assert out["g__local_0_go"] == "(g__local_0_go x z y) = use go = (g__local_0_go x z); (go (+ (+ y z) x))"
    book, _ = stage(LOCAL, "local_defs")
    assert not any(type(x) is ast.LocalDef for d in book.defs.values() for r in d.rules for x in nodes(r.body))


# -- match_defs


MATCH_DEFS = """\
type L = (Nil) | (Cons h t)
(Len L/Nil) = 0
(Len (L/Cons h t)) = (+ 1 (Len t))
(Num 0) = 10
(Num 1) = 11
(Num n) = n
(Back 1) = 11
(Back 0) = 10
(Back n) = n
(Sparse 3) = 30
(Sparse 7) = 70
(Sparse n) = n
(Snd (a, 0)) = a
(Snd (a, n)) = n
(Fst (a, b)) = a
(Id x) = x
main = 0
"""


def test_match_defs_a_constructor_column_becomes_a_match():
    assert shown(MATCH_DEFS, "match_defs")["Len"] == (
        "Len = λa match a { L/Nil: 0; L/Cons b c: use d = c; use e = b; (+ 1 (Len d)) }")


def test_match_defs_numbers_0_to_k_become_a_switch():
    out = shown(MATCH_DEFS, "match_defs")
    assert out["Num"] == "Num = λa switch a { 0: 10; 1: 11; _ b: use c = (+ b 2); c }"
    assert out["Back"] == "Back = λa switch a { 0: 10; 1: 11; _ b: use c = (+ b 2); c }"  # in any order


def test_match_defs_sparse_numbers_become_switches_on_differences():
    # the argument is used once (as Bend does): a function that is duplicated must not duplicate
    assert shown(MATCH_DEFS, "match_defs")["Sparse"] == (
        "Sparse = λa switch (- a 3) { 0: 30; _ b: switch (- b 3) { 0: 70; _ c: use d = (+ c 8); d } }")


def test_match_defs_a_tuple_column_becomes_a_let():
    assert shown(MATCH_DEFS, "match_defs")["Snd"] == (
        "Snd = λa let (b, c) = a; switch c { 0: use d = b; d; _ e: use f = (+ e 1); use g = b; f }")


def test_match_defs_a_rule_of_plain_binders_is_a_chain_of_lambdas():
    out = shown(MATCH_DEFS, "match_defs")
    assert out["Id"] == "Id = λa a"
    assert out["Fst"] == "Fst = λa let (b, c) = a; b"
    book, _ = stage(MATCH_DEFS, "match_defs")
    assert all(len(d.rules) == 1 and not d.rules[0].patterns for d in book.defs.values())


def test_match_defs_a_rule_that_never_applies_is_a_warning():
    errors, warnings = diagnostics("(F x) = 1\n(F 0) = 2\nmain = 0\n", "match_defs")
    assert not errors
    assert warnings == ["this rule of `F` is never used: the rules before it match everything it matches"]


def test_match_defs_rules_of_different_arities_are_an_error():
    errors, _ = diagnostics("(F x) = 1\n(F x y) = 2\nmain = 0\n", "match_defs")
    assert errors == ["the rules of `F` take different numbers of arguments (1 in the first, 2 here)"]


def test_match_defs_an_uncovered_constructor_or_number_is_an_error():
    errors, _ = diagnostics("type L = (Nil) | (Cons h t)\n(F L/Nil) = 1\nmain = 0\n", "match_defs")
    assert "the rules of `F` do not cover `L/Cons`" in errors
    errors, _ = diagnostics("(F 0) = 1\n(F 1) = 2\nmain = 0\n", "match_defs")
    assert "the rules of `F` cover some numbers only" in errors


def test_match_defs_constructors_of_two_types_in_one_column_are_an_error():
    errors, _ = diagnostics("type L = (Nil) | (Cons h t)\ntype O = (Non)\n(F L/Nil) = 1\n(F O/Non) = 1\nmain = 0\n",
                            "match_defs")
    assert errors == ["`O/Non` is a constructor of `O`, but the rules of `F` match this argument against `L`"]


def test_match_defs_a_rule_reached_by_two_branches_keeps_its_variables():
    src = "(A 0 n) = (+ n 1)\n(A m 0) = (A (- m 1) 1)\n(A m n) = (A (- m 1) (A m (- n 1)))\nmain = (A 2 2)\n"
    assert run_bend(src, "py").text == "7"


def test_match_defs_branches_share_no_terms():
    book, _ = stage("type T = (A) | (B) | (C)\n(F T/A) = 0\n(F x) = x\nmain = (F T/C)\n", "match_defs")
    seen = [id(x) for x in nodes(body(book, "F"))]
    assert len(seen) == len(set(seen))


# -- bends


BENDS = """\
def range(n):
  bend x = 0:
    when x < n:
      return List/Cons(x, fork(x + 1))
    else:
      return List/Nil
def tree(d):
  bend x = 0, y = d:
    when x < y:
      return ![fork(x + 1, y), fork(x + 1, y)]
    else:
      return !x
def main:
  return 0
"""


def test_bends_become_recursive_definitions_over_outside_variables_then_state():
    out = shown(BENDS, "bends")
    assert out["range"] == "range = λa (range__bend0 a 0)"
    assert out["range__bend0"] == (
        "range__bend0 = λa λb switch (< b a) { 0: List/Nil; _ c: use d = (range__bend0 a); "
        "(List/Cons b (d (+ b 1))) }")


def test_bends_with_two_states_and_nothing_from_outside():
    out = shown(BENDS, "bends")
    assert out["tree"] == "tree = λa (tree__bend0 0 a)"
    assert out["tree__bend0"] == ("tree__bend0 = λa λb switch (< a b) { 0: (Tree/Leaf a); _ c: use d = tree__bend0; "
                                  "(Tree/Node (d (+ a 1) b) (d (+ a 1) b)) }")


# -- folds


FOLDS = """\
def sum(xs):
  fold xs:
    case List/Cons:
      return xs.head + xs.tail
    case List/Nil:
      return 0
def sumk(xs, k):
  fold xs with acc = 0:
    case List/Cons:
      return xs.tail(acc + xs.head * k)
    case List/Nil:
      return acc
def main:
  return 0
"""


def test_folds_become_recursive_definitions_where_recursive_fields_are_folded():
    out = shown(FOLDS, "folds")
    assert out["sum"] == "sum = λa (sum__fold0 a)"
    assert out["sum__fold0"] == ("sum__fold0 = λa match a { List/Nil: use b = List/Nil; 0; List/Cons c d: "
                                 "use e = (List/Cons c (sum__fold0 d)); (+ c (sum__fold0 d)) }")


def test_folds_take_outside_variables_and_thread_the_state():
    out = shown(FOLDS, "folds")
    assert out["sumk"] == "sumk = λa λb (sumk__fold0 a b 0)"
    assert out["sumk__fold0"] == (
        "sumk__fold0 = λa λb λc (match a { List/Nil: λd use e = List/Nil; d; List/Cons f g: λh "
        "use i = (List/Cons f (sumk__fold0 g b)); (sumk__fold0 g b (+ h (* f b))) } c)")


# -- with_blocks


WITH = """\
type Mb = (Some val) | None
def Mb/bind(m, k):
  match m:
    case Mb/Some:
      return undefer(k)(m.val)
    case Mb/None:
      return Mb/None
def Mb/wrap(x):
  return Mb/Some(x)
def add(a, b):
  with Mb:
    x <- a
    y <- b
    return wrap(x + y)
def main:
  return add(Mb/Some(1), Mb/Some(2))
"""


def test_with_blocks_bind_with_a_deferred_closed_continuation():
    # x <- a; rest  ==>  (Mb/bind a λk (k λb λwrap λx rest b wrap)): rest's free variables, sorted, go first
    assert shown(WITH, "with_blocks")["add"] == (
        "add = λa λb use c = Mb/wrap; "
        "(Mb/bind a λd (d λe λf λg (Mb/bind e λh (h λi λj λk (i (+ j k)) f g)) b c))")
    book, _ = stage(WITH, "with_blocks")
    assert not any(type(x) in (ast.With, ast.Ask) for x in nodes(body(book, "add")))


def test_with_blocks_run():
    assert run_bend(WITH, "py").text == "λa (a Mb/Some/tag 3)"


# -- unique_names


UNIQUE = """\
def f(y):
  x = y * 2
  x = x + 1
  return (x, lambda x: x)
(G f y) = use x = (f y); (f x x)
(Shadow x) = λx x
main = 0
"""


def test_unique_names_gives_every_binder_its_own_name_in_binding_order():
    book, ctx = stage(UNIQUE, "unique_names")
    for name in ("f", "G", "Shadow"):
        names = binders(body(book, name))
        assert len(names) == len(set(names)), names
        assert all(n in ctx.var_order for n in names)
    lams = [x for x in nodes(body(book, "f")) if type(x) in (ast.Lam, ast.Let)]
    first = [ast.binder_names(x.pattern)[0] for x in lams]
    assert first == sorted(first, key=ctx.var_order.get)  # the outer binder, then the ones inside
    assert shown(UNIQUE, "unique_names")["f"] == "f = λa let b = (* a 2); let c = (+ b 1); (c, λd d)"


def test_unique_names_inlines_use():
    book, _ = stage(UNIQUE, "unique_names")
    assert not any(type(x) is ast.Use for d in book.defs.values() for x in nodes(d.rules[0].body))
    assert shown(UNIQUE, "unique_names")["G"] == "G = λa λb (a (a b) (a b))"


def test_unique_names_a_shadowed_name_refers_to_the_inner_binder():
    book, _ = stage(UNIQUE, "unique_names")
    outer = body(book, "Shadow")
    inner = outer.body
    assert inner.body == ast.Var(inner.pattern.name) and inner.pattern.name != outer.pattern.name


def test_unique_names_inlining_a_lambda_twice():
    book, _ = stage("(G y) = use f = λz z; (y f f)\nmain = (G λa a)\n", "unique_names")
    g = body(book, "G")
    names = binders(g)
    assert len(names) == len(set(names)) == 3
    assert not free_vars(g)


# -- linearize_matches


LIN_MATCH = """\
type O = (S v) | N
def f(a, b, c):
  switch a:
    case 0:
      return c
    case _:
      return b
def g(x, y):
  match x:
    case O/S:
      return x.v + y
    case O/N:
      return 0
def h(a):
  switch a:
    case 0:
      return 1
    case _:
      return a
main = 0
"""


def test_linearize_matches_passes_outside_variables_into_every_arm_in_binding_order():
    out = shown(LIN_MATCH, "linearize_matches")
    assert out["f"] == "f = λa λb λc (switch a { 0: λd λe e; _ f: λg λh g } b c)"
    assert out["g"] == "g = λa λb (match a { O/S c: λd (+ c d); O/N: λe 0 } b)"
    assert out["h"] == "h = λa switch a { 0: 1; _ b: (+ b 1) }"  # nothing from outside: unchanged


def test_linearize_matches_leaves_every_arm_closed():
    book, _ = stage(LIN_MATCH, "linearize_matches")
    for name in ("f", "g", "h"):
        for x in nodes(body(book, name)):
            if type(x) is ast.Match:
                assert all(set(free_vars(arm.body)) <= set(arm.binds) for arm in x.arms)
            elif type(x) is ast.Switch:
                assert all(not free_vars(arm) for arm in x.arms[:-1])
                assert set(free_vars(x.arms[-1])) <= {x.pred}


def test_linearize_matches_is_switched_off_by_its_option():
    assert shown(LIN_MATCH, "linearize_matches", "no-linearize-matches")["f"] == (
        "f = λa λb λc switch a { 0: c; _ d: b }")


# -- encode_matches


ENCODE = """\
type T = (A) | (B f) | (C g h)
type Box = (Box v)
def m(x):
  match x:
    case T/A:
      return 0
    case T/B:
      return x.f
    case T/C:
      return x.h
def one(x):
  match x:
    case Box/Box:
      return x.v
def s(n):
  switch n:
    case 0:
      return 10
    case 1:
      return 11
    case _:
      return n
main = 0
"""


def test_encode_matches_a_match_applies_the_value_to_a_switch_on_its_tag():
    assert shown(ENCODE, "encode_matches")["m"] == (
        "m = λa (a λb switch b { 0: 0; _: λc switch c { 0: λd d; _: λ* λe λf f } })")


def test_encode_matches_a_type_of_one_constructor_has_no_other_arm():
    assert shown(ENCODE, "encode_matches")["one"] == "one = λa (a λb switch b { 0: λc c; _: * })"


def test_encode_matches_a_switch_on_0_to_k_is_a_cascade_of_two_way_switches():
    assert shown(ENCODE, "encode_matches")["s"] == (
        "s = λa switch a { 0: 10; _: λb switch b { 0: 11; _: λc (+ c 2) } }")
    book, _ = stage(ENCODE, "encode_matches")
    assert not any(type(x) in (ast.Match, ast.Switch) for d in book.defs.values() for x in nodes(d.rules[0].body))


# -- linearize_vars


LIN_VARS = """\
(Three x) = (+ x (+ x x))
(Unused x y) = y
(LetOnce y) = let z = (y 1); (y z)
(LetTwice y) = let z = (y 1); (z z)
(LetNone y) = let z = (y 1); y
(Tup p) = let (a, b) = p; (+ a (+ a a))
main = 0
"""


def test_linearize_vars_an_unused_binder_is_erased():
    out = shown(LIN_VARS, "linearize_vars")
    assert out["Unused"] == "Unused = λ* λa a"
    assert out["LetNone"] == "LetNone = λa let {b c} = a; let * = (b 1); c"
    assert out["Tup"].startswith("Tup = λa let (b, *) = a;")


def test_linearize_vars_three_uses_make_a_nested_dup_in_order_of_use():
    out = shown(LIN_VARS, "linearize_vars")
    assert out["Three"] == "Three = λa let {b {c d}} = a; (+ b (+ c d))"
    assert out["Tup"] == "Tup = λa let (b, *) = a; let {c {d e}} = b; (+ c (+ d e))"


def test_linearize_vars_a_let_used_once_is_inlined_and_one_used_twice_is_duplicated():
    out = shown(LIN_VARS, "linearize_vars")
    assert out["LetOnce"] == "LetOnce = λa let {b c} = a; (c (b 1))"
    assert out["LetTwice"] == "LetTwice = λa let {b c} = (a 1); (b c)"


def uses_per_binder(t) -> list[tuple[str, int]]:
    """(name, how many times it is used in its scope) for every variable a lambda or a let binds."""
    out = []

    def walk(x, env: dict) -> None:
        cls = type(x)
        if cls is ast.Var:
            if x.name in env:
                env[x.name][0] += 1
            return
        if cls in (ast.Lam, ast.Let):
            if cls is ast.Let:
                walk(x.value, env)
            counters = {n: [0] for n in ast.binder_names(x.pattern)}
            walk(x.body, {**env, **counters})
            out.extend((n, c[0]) for n, c in counters.items())
            return
        for sub in ast.subterms(x):
            walk(sub, env)

    walk(t, {})
    return out


def test_linearize_vars_every_variable_is_used_once():
    book, _ = stage(LIN_VARS, "linearize_vars")
    for d in book.defs.values():  # the prelude's too: matches, folds, bends
        counts = uses_per_binder(d.rules[0].body)
        assert all(n == 1 for _, n in counts), (d.name, counts)


# -- float_combinators


FLOAT = """\
(Fib 0) = 0
(Fib 1) = 1
(Fib n) = (+ (Fib (- n 1)) (Fib (- n 2)))
(Id x) = x
(Safe x) = (x λy y 5 (Id 3) (List/Cons 1 List/Nil))
(Unsafe x) = (x λa λb (a b))
(CallsRec x) = (x (Fib 3))
main = (Fib λa λb (a b))
"""


def test_float_combinators_a_recursive_call_in_a_switch_arm_waits_behind_a_reference():
    out = shown(FLOAT, "float_combinators")
    assert out["Fib"] == "Fib = λa switch a { 0: 0; _: Fib__C1 }"
    assert out["Fib__C1"] == "Fib__C1 = λa switch a { 0: 1; _: Fib__C0 }"
    assert out["Fib__C0"].startswith("Fib__C0 = λa let {b c} = a; (+ (Fib ")


def test_float_combinators_extracts_unsafe_closed_terms_and_keeps_safe_ones():
    out = shown(FLOAT, "float_combinators")
    assert out["Unsafe"] == "Unsafe = λa (a Unsafe__C0)"
    assert out["Unsafe__C0"] == "Unsafe__C0 = λa λb (a b)"  # uses a variable
    assert out["CallsRec"] == "CallsRec = λa (a CallsRec__C0)"
    assert out["CallsRec__C0"] == "CallsRec__C0 = (Fib 3)"  # reaches a recursive definition
    assert out["Safe"] == "Safe = λa (a λb b 5 (Id 3) (List/Cons 1 List/Nil))"
    assert not any(n.startswith("Safe__") for n in out)


def test_float_combinators_leaves_main_alone():
    assert shown(FLOAT, "float_combinators")["main"] == "main = (Fib λa λb (a b))"


def test_float_combinators_is_switched_off_by_its_option():
    out = shown(FLOAT, "float_combinators", "no-float-combinators")
    assert out["Unsafe"] == "Unsafe = λa (a λb λc (b c))"
    assert not any("__C" in n for n in out)


def big(n: int) -> str:
    sum_ = "x"
    for i in range(n):
        sum_ = f"(+ {sum_} {i})"
    return sum_


def test_float_combinators_a_definition_over_64_nodes_gives_up_its_safe_closed_parts():
    src = f"(Big x) = (x λy y {big(70)})\n(Small x) = (x λy y {big(3)})\nmain = 0\n"
    out = shown(src, "float_combinators")
    assert out["Big"].startswith("Big = λa let {b c} = a; (b Big__C0 (+ ")
    assert out["Big__C0"] == "Big__C0 = λa a"
    assert out["Small"] == "Small = λa let {b c} = a; (b λd d (+ (+ (+ c 0) 1) 2))"


# -- encode_adts


def test_encode_adts_constructors_become_num_scott_functions_and_tags():
    out = shown("type T = (A) | (B f) | (C g h)\nmain = 0\n", "encode_adts")
    assert out["T/A"] == "T/A = λa (a T/A/tag)"
    assert out["T/B"] == "T/B = λa λb (b T/B/tag a)"
    assert out["T/C"] == "T/C = λa λb λc (c T/C/tag a b)"
    assert [out[f"T/{c}/tag"] for c in "ABC"] == ["T/A/tag = 0", "T/B/tag = 1", "T/C/tag = 2"]


# -- prune


PRUNE = """\
Unused = 1
(Helper x) = x
xs = [1, 2]
main = (Helper xs)
"""


def test_prune_drops_unused_builtins_and_keeps_the_users_definitions():
    book, _ = stage(PRUNE, "prune")
    assert {"Unused", "Helper", "xs", "main", "List/Cons", "List/Cons/tag", "List/Nil"} <= set(book.defs)
    assert "List/map" not in book.defs and "String/split" not in book.defs
    full, _ = stage(PRUNE, "encode_adts")
    assert "List/map" in full.defs


def test_prune_option_drops_the_users_unused_definitions_too():
    book, _ = stage(PRUNE, "prune", "prune")
    assert {"Helper", "xs", "main"} <= set(book.defs) and "Unused" not in book.defs


def test_prune_expands_references_main_returns():
    book, _ = stage("xs = [1, 2]\nId = λx x\nmain = (xs, λa xs, (List/Cons xs List/Nil), (Id xs))\n", "prune")
    t, items = body(book, "main"), []
    while type(t) is ast.Tuple:  # right-nested pairs
        items.append(t.items[0])
        t = t.items[1]
    whole, lam, ctor, call = items + [t]
    # (a nullary constructor given to a constructor stays a reference, as in Bend: it reads back by name)
    assert sorted(x.name for x in nodes(whole) if type(x) is ast.Ref) == ["List/Cons", "List/Cons", "List/Nil"]
    assert type(lam.body) is ast.App  # a lambda's body
    assert ctor.fun.arg.fun.fun == ast.Ref("List/Cons")  # a constructor's argument
    assert call == ast.App(ast.Ref("Id"), ast.Ref("xs"))  # not in return position


def test_prune_expands_a_recursive_definition_once():
    book, _ = stage("Loop = λx (Loop x)\nmain = Loop\n", "prune")
    main = body(book, "main")  # Bend 0.2.38 does the same: one expansion, then the reference stays
    assert type(main) is ast.Lam and main.body.fun == ast.Ref("Loop")


def test_prune_expanding_a_definition_twice_keeps_unscoped_variables_apart():
    assert run_bend("U = λ$a λb $a\nmain = (U, U)\n", "py").text == "(λa λ* a, λb λ* b)"


# -- to_hvm: compile


COMPILE = """\
Id = λx x
App = λf λx (f x)
AddK = λx (+ x 1)
SubK = λx (- x 1)
KSub = λx (- 1 x)
LtK = λx (< x 3)
Mul = λx λy (* x y)
Le = λx λy (<= x y)
Ge = λx λy (>= x y)
LeK = λx (<= x 3)
AndK = λx (& x 1)
FAndK = λx (& x 1.0)
Pow = λx (** x 2)
Sw = λn switch n { 0: 1; _: 7 }
Dup = λx (x x)
Sup = {1 2}
Tup = (1, 2)
Era = λx 1
Unsc = λ$a λb $a
Early = (λ$a 1, $a)
main = 0
"""


def test_compile_lambdas_applications_and_leaves():
    out = nets(COMPILE)
    assert out["Id"] == net("(a a)")
    assert out["Era"] == net("(* 1)")
    assert out["Tup"] == net("(1 2)")
    assert nets(COMPILE, "no-eta")["App"] == net("((a b) (a b))")


def test_compile_an_operator_with_a_constant_is_one_node():
    out = nets(COMPILE)
    assert out["AddK"] == net("($([+0x0000001] a) a)")
    assert out["SubK"] == net("($([:-0x0000001] a) a)")  # the constant is the left operand: flipped
    assert out["LtK"] == net("($([>0x0000003] a) a)")
    assert out["KSub"] == net("(a b) & $(a b) ~ [-0x0000001]")
    assert out["AndK"] == net("($([&0x0000001] a) a)")


def test_compile_an_operator_without_a_constant_is_two_nodes():
    out = nets(COMPILE)
    assert out["Mul"] == net("($([*] $(a b)) (a b))")
    assert out["FAndK"] == net("($([&] $(1.0 a)) a)")  # on f24, & is atan2: not commutative
    assert out["Pow"] == net("($([^] $(2 a)) a)")


def test_compile_less_or_equal_is_equal_to_zero_of_greater():
    out = nets(COMPILE)
    assert out["Le"] == net("($([>] $(a $([=0x0000000] b))) (a b))")
    assert out["Ge"] == net("($([<] $(a $([=0x0000000] b))) (a b))")
    assert out["LeK"] == net("($([<0x0000003] $([=0x0000000] a)) a)")


def test_compile_switch_dup_sup():
    out = nets(COMPILE)
    assert out["Sw"] == net("(?((1 (* 7)) a) a)")  # the default arm takes the predecessor
    assert out["Dup"] == net("({(a b) a} b)")
    assert out["Sup"] == net("{1 2}")


def test_compile_unscoped_variables():
    out = nets(COMPILE)
    assert out["Unsc"] == net("(a (* a))")
    assert out["Early"] == net("((a 1) a)")  # used before its binder


def test_compile_unscoped_variables_bound_twice_or_never_used_are_errors():
    for src, message in [("F = λ$a 1\nmain = 0\n", "the unscoped variable `$a` is bound but never used in `F`"),
                         ("F = λx (x $b $b λ$b 1)\nmain = 0\n", "the unscoped variable `$b` is used twice in `F`"),
                         ("F = $z\nmain = 0\n", "the unscoped variable `$z` is used but never bound in `F`")]:
        with pytest.raises(BendError) as err:
            compile_bend(src)
        assert message in [d.message for d in err.value.diagnostics.errors]


def test_compile_a_vicious_cycle_is_a_diagnostic():
    with pytest.raises(BendError):
        compile_bend("main = ($a λ$a 1)\n")


# -- to_hvm: eta


@pytest.mark.parametrize("before, after", [
    ("(a b) & @f ~ (a b)", "a & @f ~ a"),
    ("{a b} & @f ~ {a b}", "a & @f ~ a"),
    ("((a b) c) & @f ~ ((a b) c)", "a & @f ~ a"),  # repeated until none is left
    ("((a b) (a b))", "(a a)"),
    ("(a {* *})", "(a *)"),
    ("(* *)", "*"),
])
def test_eta_reduces(before, after):
    assert show_net(eta_reduce(parse_net(before))) == net(after)


@pytest.mark.parametrize("unchanged", ["(a b) & @f ~ (b a)", "{a b} & @f ~ (a b)", "(a a)"])
def test_eta_leaves_crossed_wires_and_different_kinds(unchanged):
    assert show_net(eta_reduce(parse_net(unchanged))) == net(unchanged)


def test_eta_in_compile_follows_the_option():
    src = "(F x) = (+ x 1)\n(G x) = (F x)\nmain = (G 1)\n"
    assert nets(src)["G"] == net("a & @F ~ a")
    assert nets(src, "no-eta")["G"] == net("(a b) & @F ~ (a b)")


# -- to_hvm: priority


def test_priority_marks_the_calls_of_a_binary_recursion():
    src = "(Fib 0) = 0\n(Fib 1) = 1\n(Fib n) = (+ (Fib (- n 1)) (Fib (- n 2)))\n" \
          "(Sum 0) = 0\n(Sum n) = (+ n (Sum (- n 1)))\n(Id x) = x\n(Two x) = (+ (Id x) (Id x))\nmain = (Fib 5)\n"
    compiled = compile_bend(src)
    parallel = {n: [r.parallel for r in d.net.redexes] for n, d in compiled.hvm.defs.items()}
    assert parallel["Fib__C0"] == [True, True]
    assert parallel["Sum__C0"] == [False]  # one recursive call
    assert parallel["Two"] == [False, False]  # two calls, not recursive
    assert parallel["main"] == [False]


def test_priority_mutual_recursion_counts_as_recursion():
    book = parse_book("@f = (a b) & @g ~ (a b)\n@g = (a c) & @f ~ (a b) & @f ~ (b c)\n"
                      "@h = (a c) & @f ~ (a b) & @g ~ (b c)\n")
    mark_recursive_calls(book)
    assert [r.parallel for r in book.defs["g"].net.redexes] == [True, True]
    assert [r.parallel for r in book.defs["f"].net.redexes] == [False]
    assert [r.parallel for r in book.defs["h"].net.redexes] == [False, False]  # calls the cycle, not in it
    assert all(type(r.a) is Ref for r in book.defs["g"].net.redexes)


# -- to_hvm: readback


@pytest.mark.parametrize("tree, term", [
    ("(a a)", "λa a"),
    ("(* 1)", "λ* 1"),
    ("(1 2)", "(1, 2)"),
    ("((a b) (a b))", "λa λb (a b)"),
    ("((a a) 1)", "(λa a, 1)"),  # a CON whose first aux port holds a closed tree is a pair
    ("(a (b (a b)))", "λa λb λc b"),  # ... and a lambda when a wire leaves it (as Bend reads it)
    ("(a (b {a b}))", "λa λb {a b}"),
    ("{1 2}", "{1 2}"),
])
def test_readback_lambdas_pairs_applications_sups(tree, term):
    assert rb(tree) == term


@pytest.mark.parametrize("tree, term", [
    ("({a b} {{1 a} {1 b}})", "λa {{1 a} {1 a}}"),  # each copy of a duplicated value reads as the value
    ("({a b} {a b})", "λa a"),  # a superposition of a dup's two copies is what it duplicates
    ("({a b} (a b))", "λa λb a"),
])
def test_readback_dups_read_as_what_they_duplicate(tree, term):
    assert rb(tree) == term


@pytest.mark.parametrize("source, text", [
    ("main = λx switch x { 0: 0; _: (+ x-1 1) }", "λa switch a = a { 0: 0; _: (+ 1 a-1); }"),
    ("main = λx switch (+ x 1) { 0: 0; _: λy (+ y 1) }", "λa switch b = (+ 1 a) { 0: 0; _: λc (+ 1 c); }"),
])
def test_readback_switch_as_bend_shows_it(source, text):
    assert run_bend(source, "py").text == text


def test_readback_a_variable_used_outside_its_lambda_is_unscoped():
    assert rb("{(a 1) a}") == "{λ$a 1 $a}"
    assert run_bend("main = {λ$a 1 $a}", "py").text == "{λ$a 1 $a}"
    # (a pair whose first item is not closed reads as a lambda, as Bend reads it)
    assert run_bend("main = (λ$a 1, $a)", "py").text == "λa b"


@pytest.mark.parametrize("tree, term", [
    ("((@List/Cons/tag (1 (((@List/Cons/tag (2 (((@List/Nil/tag a) a) b))) b) c))) c)", "[1, 2]"),
    ("((@List/Nil/tag a) a)", "λa (a List/Nil/tag)"),  # alone, a nil is shown as Bend shows it
    ("((@String/Nil/tag a) a)", "λa (a String/Nil/tag)"),
    ("@List/Nil", "[]"),  # (a reference is shown sugared)
    ("@String/Nil", '""'),
    ("((@String/Cons/tag (104 (((@String/Nil/tag a) a) b))) b)", '"h"'),
    ("((1 (5 (((1 (6 (((0 a) a) b))) b) c))) c)", "[5, 6]"),  # built by the host: numeric tags
    ("((0 a) a)", "λa (a 0)"),
    ("((@Opt/Some/tag (2 a)) a)", "λa (a Opt/Some/tag 2)"),
])
def test_readback_strings_and_lists_are_resugared(tree, term):
    assert rb(tree) == term


def test_readback_strings_lists_and_data_from_a_run():
    src = 'type Opt = (Some v) | None\nmain = ("hi", [1, [2]], (Opt/Some "a"))\n'
    assert run_bend(src, "py").text == '("hi", ([1, [2]], λa (a Opt/Some/tag "a")))'


@pytest.mark.parametrize("numb, text_", [
    (numbers.new_u24(42), "42"), (numbers.new_u24(0xFFFFFF), "16777215"),
    (numbers.new_i24(42), "+42"), (numbers.new_i24(-3), "-3"), (numbers.new_i24(0), "+0"),
    (numbers.new_f24(1.5), "1.500"), (numbers.new_f24(-0.25), "-0.250"),
    (numbers.new_f24(float("inf")), "inf"), (numbers.new_f24(float("-inf")), "-inf"),
    (numbers.new_f24(float("nan")), "NaN"),
])
def test_readback_numbers_print_as_bend_does(numb, text_):
    assert show_number(numb) == text_


@pytest.mark.parametrize("tree, term", [
    ("($([+0x0000001] a) a)", "λa (+ 1 a)"),  # (commutative: the constant first, as Bend shows it)
    ("($([:-0x0000001] a) a)", "λa (- a 1)"),
    ("($([-0x0000001] a) a)", "λa (- 1 a)"),
    ("($([>0x0000003] a) a)", "λa (< a 3)"),
    ("($([+] $(a b)) (a b))", "λa λb (+ a b)"),
    ("($([>] $(a $([=0x0000000] b))) (a b))", "λa λb (== 0 (> a b))"),
    ("($([+] a) a)", "λa (+ a _)"),  # still waiting for its second operand
])
def test_readback_operations(tree, term):
    assert rb(tree) == term


def test_readback_operations_from_a_run():
    assert run_bend("main = (λx (- x 1), λx (- 1 x), λx λy (* x y))", "py").text == (
        "(λa (- a 1), (λb (- 1 b), λc λd (* c d)))")
