"""bend.desugar.with_blocks: `with` blocks become binds with a deferred, closed continuation."""

from __future__ import annotations

from support import run_bend
from passes_support import stage, shown, nodes, body

from bend import ast


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
