"""Mutating Bend programs for the fuzz tests (tests/bend/test_fuzz.py: the frontend;
tests/bend/test_fuzz_compile.py: the whole compiler), and what every diagnostic must carry.

A program is cut into tokens with the frontend's own lexer and put back together with the
original text between the tokens (spaces, line breaks, comments) after random edits.
The strategies take the cut programs as a dict {name: cut(text)} and draw one of them.
"""

from __future__ import annotations

import os
from pathlib import Path

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from bend.cli import app
from bend.diagnostics import Diagnostics
from bend.frontend.lexer import tokenize

SCALE = int(os.environ.get("BEND_FUZZ_SCALE", "1"))
FUZZ = settings(deadline=None, derandomize=not os.environ.get("BEND_FUZZ_RANDOM"), database=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])

# Tokens that tend to break things: brackets, separators, keywords of both syntaxes, the starts
# of literals and comments, tabs and line breaks with indentation.
TROUBLE = ["(", ")", ":", "=", "{", "}", "[", "]", ",", ";", "λ", "@", "match", "case", "def", "return", "if",
           "elif", "else", "switch", "fold", "bend", "when", "with", "open", "use", "let", "ask", "type",
           "object", "hvm", "lambda", "fork", "wrap", "<-", "->", "~", "|", "!", "*", "_", "$x", "+1", "-1",
           "1.5", "0x", "'", '"', "`", "#{", "#", "?", "\t", "\n", "\n  ", "\n    ", "\n\t", "\r\n"]

# A program with most of the syntax, both styles, to widen what the literal edits reach.
ALL_SYNTAX = '''\
type MyTree(T):
  Node { ~left: MyTree(T), ~right: MyTree(T) }
  Leaf { value: T }

type (Pair a b) = (MkPair (fst: a) snd) | Nothing

object Point(A) { x: A, y }

hvm to_f -> (u24 -> f24):
  ($([f24] ret) ret)

def sum(t: MyTree(u24)) -> u24:
  fold t:
    case MyTree/Node:
      return t.left + t.right
    case MyTree/Leaf:
      return t.value

def local(n):
  def aux(k):
    return k * 2
  return aux(n) + 1

def maps():
  m = {1: 2, 'c': 5, `hi`: "bye"}
  m[3] = 4
  m[1] += 1
  m[1] @= lambda v: v * 2
  x = m[1]
  return (x, m)

def comp(xs):
  return [x * 2 for x in xs if x > 1]

def lets(p):
  (a, b) = p
  {c, d} = a
  * = b
  $u = c
  x = $u
  y = ![!1, !2]
  z = {c, d}
  use w = 5
  return (x, y, z, w, -1, +2, 1.5, -0.25, 'a', "s\\n", [], [1, 2])

def branch(n, xs):
  if n == 0:
    r = 1
  elif n < 3:
    r = 2
  else:
    r = 3
  match xs:
    case List/Cons:
      s = xs.head
    case List/Nil:
      s = 0
  switch k = n % 3:
    case 0:
      t = k
    case 1:
      t = 7
    case _:
      t = k-2
  match y = xs with r, s:
    case List/Cons:
      return r + s + t + y.head
    case List/Nil:
      return 0

def bender(n):
  bend i = 0, acc = 0:
    when i < n:
      res = fork(i + 1, acc + i)
    else:
      res = acc
  return res

def opener(p: Point(u24)) -> u24:
  open Point: p
  return p.x

def io() -> IO(u24):
  with IO:
    x <- IO/wrap(1)
    * <- IO/print("hi")
    return wrap(x)

def named():
  return (Point { y: 1, x: 2 }, lets(p = (1, 2)), MyTree/Leaf(value = 3))

(Len List/Nil) = 0
(Len (List/Cons h t)) = (+ 1 (Len t))

Mul (a: u24) (b: u24) : u24 = (* a b)

Sig : u24 -> u24
Sig 0 = 1
Sig n = (+ n 1)

Misc = λ(a, b) λ{c d} λ$k λ* let x = {a b}; use y = c; (x y d $k [1 2] ![1 2] !3 "s" 'c' `AB` +1 -1.5 * (a, b))
Strs "hi" = 1
Strs [a, b] = 2
Strs (x, y) = 3
Strs * = 5
Swt = λn switch n { 0: 1; 1: 2; _: n-2 }
Mt = λx match x { List/Nil: 0; List/Cons: x.head }
Fl = λx fold x with acc = 0 { List/Nil: acc; List/Cons: (x.tail (+ acc x.head)) }
Bd = bend x = 0 { when (< x 3): (fork (+ x 1)) else: x }
If = λx if x { 1 } elif (== x 2) { 2 } else { 3 }
Wt = with IO { ask y = (IO/wrap 1); (wrap y) }
Op = λp open Point p; p.x
Ld = def q x = x
 (q 1)

main = (sum (MyTree/Leaf 1))
'''


def cut(text: str) -> tuple[list[str], list[str], list[str], str]:
    """(token texts, their kinds, the text before each token, the text after the last one)."""
    tokens = [t for t in tokenize(text, "seed.bend", Diagnostics()) if t.kind != "EOF"]
    texts, kinds, gaps, end = [], [], [], 0
    for tok in tokens:
        gaps.append(text[end:tok.start])
        texts.append(text[tok.start:tok.end])
        kinds.append(tok.kind)
        end = tok.end
    return texts, kinds, gaps, text[end:]


def join(texts: list[str], gaps: list[str], tail: str) -> str:
    return "".join(g + t for g, t in zip(gaps, texts)) + tail


# -- strategies -----------------------------------------------------------------------------------

@st.composite
def mutants(draw, pieces: dict, max_edits: int = 4) -> str:
    """A program of `pieces` after 1..max_edits deletions, insertions and swaps of tokens."""
    name = draw(st.sampled_from(sorted(pieces)))
    texts, _, gaps, tail = pieces[name]
    texts, gaps = list(texts), list(gaps)
    own = sorted(set(texts))
    for _ in range(draw(st.integers(1, max_edits))):
        edit = draw(st.sampled_from(["delete", "insert", "swap"]))
        if edit == "delete" and texts:
            i = draw(st.integers(0, len(texts) - 1))
            if draw(st.booleans()):
                texts[i] = ""  # the text around it stays
            else:
                del texts[i], gaps[i]  # and the space or line break before it
        elif edit == "insert":
            i = draw(st.integers(0, len(texts)))
            token = draw(st.sampled_from(TROUBLE) | st.sampled_from(own))
            texts.insert(i, token)
            gaps.insert(i, draw(st.sampled_from(["", " "])))
        elif texts:
            i, j = draw(st.integers(0, len(texts) - 1)), draw(st.integers(0, len(texts) - 1))
            texts[i], texts[j] = texts[j], texts[i]
    return join(texts, gaps, tail)


def escape(c: str, quote: str) -> str:
    table = {"\n": "\\n", "\r": "\\r", "\t": "\\t", "\0": "\\0", "\\": "\\\\", quote: "\\" + quote}
    if c in table:
        return table[c]
    if ord(c) < 32 or ord(c) == 127:
        return f"\\u{{{ord(c):x}}}"
    return c


CHARS = st.characters(exclude_categories=["Cs"])
u24s = st.integers(0, (1 << 24) - 1)
LITERALS = st.one_of(
    u24s.map(str),
    u24s.map(hex),
    u24s.map(bin),
    u24s.map(lambda n: f"{n:_}"),
    st.integers(-(1 << 23), (1 << 23) - 1).map(lambda n: f"{n:+d}"),
    st.tuples(st.sampled_from(["", "+", "-"]), st.integers(0, 10 ** 6), st.text("0123456789", min_size=1, max_size=5))
    .map(lambda t: f"{t[0]}{t[1]}.{t[2]}"),
    st.tuples(st.integers(0, 255), st.text("0123456789abcdef", min_size=1, max_size=3))
    .map(lambda t: f"{t[0]:#x}.{t[1]}"),
    CHARS.map(lambda c: "'" + escape(c, "'") + "'"),
    st.text(CHARS, max_size=12).map(lambda s: '"' + "".join(escape(c, '"') for c in s) + '"'),
    st.text("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/", max_size=4).map(lambda s: f"`{s}`"),
)
BINARY_OPS = {"+", "-", "*", "/", "%", "==", "!=", "<", ">", "<=", ">=", "&", "|", "^", "<<", ">>", "**"}


@st.composite
def gentle_mutants(draw, pieces: dict, max_edits: int = 3) -> str:
    """A program with literals replaced and tokens of one kind swapped: mostly still valid."""
    name = draw(st.sampled_from(sorted(pieces)))
    texts, kinds, gaps, tail = pieces[name]
    texts = list(texts)
    literals = [i for i, k in enumerate(kinds) if k in ("NUMBER", "STRING", "CHAR", "SYMBOL")]
    names = [i for i, k in enumerate(kinds) if k == "NAME"]
    ops = [i for i, t in enumerate(texts) if kinds[i] == "OP" and t in BINARY_OPS]
    for _ in range(draw(st.integers(1, max_edits))):
        edit = draw(st.sampled_from(["literal", "literal", "swap-literals", "swap-names", "swap-operators"]))
        pool = {"literal": literals, "swap-literals": literals, "swap-names": names, "swap-operators": ops}[edit]
        if not pool:
            continue
        i = draw(st.sampled_from(pool))
        if edit == "literal":
            texts[i] = draw(LITERALS)
        else:
            j = draw(st.sampled_from(pool))
            texts[i], texts[j] = texts[j], texts[i]
    return join(texts, gaps, tail)


# -- what every diagnostic carries ----------------------------------------------------------------

def assert_placed(diagnostics, path: str, text: str) -> None:
    """Every diagnostic has a severity, a message and a place (a span inside its file, or a path),
    and renders; a span in the file `path` is over `text`."""
    for d in diagnostics.items:
        assert d.severity in ("error", "warning")
        assert d.message
        if d.span is None:
            assert d.path
        else:
            # (a span at the end of the file is one character wide, past the end, for its caret)
            assert 0 <= d.span.start <= len(d.span.source) and d.span.start <= d.span.end
            if d.span.path == path:
                assert d.span.source == text
        assert d.render().startswith(f"{d.severity}: {d.message}")


def assert_bend_check_exits_0_or_1(path: Path, text: str) -> None:
    """`bend check` on `text` written to `path`: exit 0 with no errors, or 1 with `error:` lines;
    nothing on stdout, never a traceback."""
    path.write_text(text)
    result = CliRunner().invoke(app, ["check", str(path)])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    assert result.exit_code in (0, 1)
    assert result.stdout == ""
    assert ("error: " in result.stderr) == (result.exit_code == 1), result.stderr
