"""Frontend speed: lexing and parsing a generated Bend program of about 5,000 lines.

    python3 bench/frontend.py [--lines 5000] [--repeat 5]

The program repeats a block of imp and fun code (types, match, fold, bend, switch, a
comprehension, a map literal) with fresh names; the figure is the best of `--repeat` runs of
the lexer alone and of lexer + parser, in seconds.
"""

from __future__ import annotations

import argparse
import time

from bend.diagnostics import Diagnostics
from bend.frontend.lexer import tokenize
from bend.frontend.parser import Parser

BLOCK = '''
type Shape{i}:
  Circle {{ radius }}
  Rect {{ w, h }}

def area{i}(s: Shape{i}) -> u24:
  match s:
    case Shape{i}/Circle:
      return 3 * s.radius * s.radius
    case Shape{i}/Rect:
      return s.w * s.h

def total{i}(xs: List(Shape{i})) -> u24:
  fold xs:
    case List/Cons:
      return area{i}(xs.head) + xs.tail
    case List/Nil:
      return 0

def upto{i}(n: u24) -> List(u24):
  bend k = 0:
    when k < n:
      xs = List/Cons {{ head: k, tail: fork(k + 1) }}
    else:
      xs = List/Nil
  return xs

Fib{i} = λn switch n {{
  0: 0
  1: 1
  _: (+ (Fib{i} n-2) (Fib{i} (+ n-2 1)))
}}

def sort{i}(d, up, t):
  switch d:
    case 0:
      return t
    case _:
      (l, r) = t
      if up ^ (l > r):
        x = [l * 2 for l in r if l > 1]
      else:
        x = {{1: 2, 3: "hi"}}
      return sort{i}(d-1, up, (sort{i}(d-1, 0, l), sort{i}(d-1, 1, r)))
'''


def program(lines: int) -> str:
    parts, count, i = [], 0, 0
    while count < lines:
        block = BLOCK.format(i=i)
        parts.append(block)
        count += block.count("\n")
        i += 1
    return "".join(parts) + "\ndef main():\n  return 0\n"


def best(fn, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--lines", type=int, default=5000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    text = program(args.lines)
    book, diagnostics = Parser(text, "bench.bend").parse()
    assert not diagnostics.items, [d.message for d in diagnostics.items]
    lex = best(lambda: tokenize(text, "bench.bend", Diagnostics()), args.repeat)
    both = best(lambda: Parser(text, "bench.bend").parse(), args.repeat)
    print(f"{text.count(chr(10))} lines, {len(book.defs)} definitions: "
          f"lex {lex * 1000:.0f} ms, lex + parse {both * 1000:.0f} ms (best of {args.repeat})")


if __name__ == "__main__":
    main()
