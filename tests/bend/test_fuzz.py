"""Fuzzing the Bend frontend: mutated sample programs never crash it, and what it accepts prints
back to text that parses to the same tree.

The inputs are the shared sample programs (tests/programs/*.bend), cut into tokens with the
frontend's own lexer and put back together with the original text between the tokens (spaces,
line breaks, comments) after random edits: deleting tokens, inserting tokens (from the same file,
or from a list of troublesome ones), swapping two tokens, and (for the round trip) replacing
literals with random ones.

Properties:
- loading and checking a mutated program (bend.frontend.loader.load_program + check_program)
  ends with no exception (RecursionError included): either cleanly, or with at least one
  diagnostic of severity "error"; every diagnostic has a place (a span inside its file, or a
  path) and renders;
- when a mutated program has no errors, `show_book` prints it, and parsing that text again
  (bend.frontend.parser.Parser) gives no diagnostics and the same main book (== ignores spans).

The examples are drawn deterministically (derandomize) so a run is reproducible; set
BEND_FUZZ_RANDOM=1 to draw new ones on each run, BEND_FUZZ_SCALE=N to run N times as many.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from bend.check import check_program
from bend.cli import app
from bend.diagnostics import Diagnostics
from bend.frontend.lexer import tokenize
from bend.frontend.loader import load_program
from bend.frontend.parser import Parser
from bend.frontend.printer import show_book

PROGRAMS = Path(__file__).resolve().parent.parent / "programs"
SOURCES = {path.stem: path.read_text() for path in sorted(PROGRAMS.glob("*.bend"))}

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

SEEDS = {**SOURCES, "all_syntax": ALL_SYNTAX}

# Tokens that tend to break things: brackets, separators, keywords of both syntaxes, the starts
# of literals and comments, tabs and line breaks with indentation.
TROUBLE = ["(", ")", ":", "=", "{", "}", "[", "]", ",", ";", "λ", "@", "match", "case", "def", "return", "if",
           "elif", "else", "switch", "fold", "bend", "when", "with", "open", "use", "let", "ask", "type",
           "object", "hvm", "lambda", "fork", "wrap", "<-", "->", "~", "|", "!", "*", "_", "$x", "+1", "-1",
           "1.5", "0x", "'", '"', "`", "#{", "#", "?", "\t", "\n", "\n  ", "\n    ", "\n\t", "\r\n"]
SCALE = int(os.environ.get("BEND_FUZZ_SCALE", "1"))
FUZZ = settings(deadline=None, derandomize=not os.environ.get("BEND_FUZZ_RANDOM"), database=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
FUN_ONLY_KEYWORDS = {"let", "ask"}  # fun term keywords that imp rejects as names


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


PIECES = {name: cut(text) for name, text in SEEDS.items()}


def test_cutting_and_joining_gives_the_text_back():
    for name, (texts, _, gaps, tail) in PIECES.items():
        assert "".join(g + t for g, t in zip(gaps, texts)) + tail == SEEDS[name], name
        assert len(texts) > 20, name


# -- the frontend, and what it must give --------------------------------------------------------

def frontend(text: str, folder: Path):
    """Load and check `text` as main.bend in `folder`; no exception may come out."""
    path = folder / "main.bend"
    program = load_program(path, text)
    check_program(program)
    for d in program.diagnostics.items:
        assert d.severity in ("error", "warning")
        assert d.message
        if d.span is None:
            assert d.path
        else:
            # (a span at the end of the file is one character wide, past the end, for its caret)
            assert 0 <= d.span.start <= len(d.span.source) and d.span.start <= d.span.end
            if d.span.path == str(path):
                assert d.span.source == text
        assert d.render().startswith(f"{d.severity}: {d.message}")
    return program


def assert_round_trip(program) -> None:
    book = program.main.book
    text = show_book(book)
    reparsed, diagnostics = Parser(text, str(program.main.path)).parse()
    assert [d.render() for d in diagnostics.items] == [], text
    assert reparsed == book, text


def check_mutant(text: str, folder: Path) -> None:
    program = frontend(text, folder)
    if program.diagnostics.errors:
        event("rejected, with errors")
    else:
        event("accepted: round trip checked")
        assert_round_trip(program)


# -- strategies -----------------------------------------------------------------------------------

@st.composite
def mutants(draw, max_edits: int = 4) -> str:
    """A seed program after 1..max_edits deletions, insertions and swaps of tokens."""
    name = draw(st.sampled_from(sorted(SOURCES)))  # the shared programs only
    texts, _, gaps, tail = PIECES[name]
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
    return "".join(g + t for g, t in zip(gaps, texts)) + tail


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
def gentle_mutants(draw, max_edits: int = 3) -> str:
    """A seed program with literals replaced and tokens of one kind swapped: mostly still valid."""
    name = draw(st.sampled_from(sorted(SEEDS)))
    texts, kinds, gaps, tail = PIECES[name]
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
    return "".join(g + t for g, t in zip(gaps, texts)) + tail


# -- the properties -------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def folder(tmp_path_factory):
    """An empty folder for main.bend (imports would be looked for there)."""
    return tmp_path_factory.mktemp("fuzz")


def test_every_seed_is_accepted_and_round_trips(tmp_path):
    for name, text in SEEDS.items():
        program = frontend(text, tmp_path)
        assert [d.render() for d in program.diagnostics.errors] == [], name
        assert_round_trip(program)


@settings(FUZZ, max_examples=700 * SCALE)
@given(text=mutants())
def test_mutated_programs_fail_only_with_diagnostics(text, folder):
    check_mutant(text, folder)


@settings(FUZZ, max_examples=200 * SCALE)
@given(text=mutants(max_edits=12))
def test_heavily_mutated_programs_fail_only_with_diagnostics(text, folder):
    check_mutant(text, folder)


@settings(FUZZ, max_examples=450 * SCALE)
@given(text=gentle_mutants())
def test_accepted_programs_print_and_parse_back(text, folder):
    check_mutant(text, folder)


@settings(FUZZ, max_examples=50 * SCALE)
@given(text=mutants())
def test_bend_check_exits_0_or_1(text, folder):
    """The command line on mutated programs: exit 0 with no output, or 1 with `error:` lines."""
    path = folder / "main.bend"
    path.write_text(text)
    result = CliRunner().invoke(app, ["check", str(path)])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    assert result.exit_code in (0, 1)
    assert result.stdout == ""
    if result.exit_code == 1:
        assert "error: " in result.stderr
    else:
        assert "error: " not in result.stderr


# -- printer bugs the fuzzing found ----------------------------------------------------------------

def test_eraser_application_round_trips(tmp_path):
    program = frontend("def main():\n  x = *(42)\n  return x\n", tmp_path)
    assert not program.diagnostics.errors
    reparsed, diagnostics = Parser(show_book(program.main.book), "main.bend").parse()
    assert not diagnostics.items
    assert reparsed == program.main.book


@pytest.mark.parametrize("name", sorted(FUN_ONLY_KEYWORDS))
def test_a_variable_named_like_a_fun_keyword_is_an_error(tmp_path, name):
    # imp could take `let` and `ask` as names, but then its code could not be printed as fun syntax
    program = frontend(f"def f({name}):\n  return {name}\ndef main():\n  return f(1)\n", tmp_path)
    [d] = program.diagnostics.errors
    assert d.message == f"`{name}` is a keyword (of the fun syntax) and cannot name a variable"
    assert d.span.line_col() == (1, 7)


# -- depth ----------------------------------------------------------------------------------------

def nested(depth: int) -> str:
    return "main = " + "(" * depth + "1" + ")" * depth + "\n"


def test_bend_check_handles_deep_nesting(tmp_path):
    """`bend check` runs the frontend with a large stack: thousands of nested brackets are fine."""
    path = tmp_path / "deep.bend"
    path.write_text(nested(5000))
    result = CliRunner().invoke(app, ["check", str(path)])
    assert (result.exit_code, result.stderr) == (0, "")


def test_bend_check_reports_too_deep_nesting(tmp_path):
    path = tmp_path / "deep.bend"
    path.write_text(nested(100_000))
    result = CliRunner().invoke(app, ["check", str(path)])
    assert result.exit_code in (0, 1)
    assert not isinstance(result.exception, RecursionError)


@pytest.mark.parametrize("text", [nested(2000),
                                  "def main():\n  return " + "(" * 2000 + "1" + ")" * 2000 + "\n",
                                  "def main():\n  return " + "1 + " * 2000 + "1\n",
                                  "def main():\n" + "".join(f"  x{i} = {i}\n" for i in range(2000)) + "  return 0\n"],
                         ids=["fun-parens", "imp-parens", "imp-sum-chain", "imp-2000-statements"])
def test_library_entry_points_handle_deep_nesting(tmp_path, text):
    program = load_program(tmp_path / "main.bend", text)
    check_program(program)
    assert program.diagnostics.errors == []
