"""bend.desugar.resolve: global names become references, local names stay variables, imported names
take their canonical name."""

from __future__ import annotations

from support import compile_bend
from passes_support import load, body

from bend import ast
from bend.desugar import resolve
from bend.runner import run_compiled
from hvm import numbers


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
