"""The Bend lexer: source text -> tokens, for both syntaxes.

In:  a file's text and its path.
Out: a list of Tokens (kind, text, start/end offsets, and where the line starts) ending with
     an EOF token, plus Diagnostics for what cannot be a token (an unterminated string, a bad
     escape, a malformed number, a stray character).

Token kinds: NAME (`Tree/Node`, `t.left` and `n-1` are single names: Bend's name characters are
`A-Za-z0-9_.-/`), LINK (`$x`), NUMBER (`value` is the hvm.numbers word: u24 unless it has a
fraction, which makes it f24; a sign is a separate token, joined by the parser), CHAR and
SYMBOL (their value is a u24 word too), STRING (`value` is the decoded text), OP (operators
and punctuation, longest match first), BAD (a character Bend has no use for: the parser
reports it where it meets one; a native `hvm` net may hold `$` and `?`), and EOF. Comments (`# ...` and `#{ ... #}`) and spaces
are skipped.

Layout is not a token: each token knows whether it is the first on its line (`first`) and,
if so, the whitespace before it (`indent`). The imp parser reads blocks from that, which is
why any consistent indentation works (2 spaces, 4 spaces, tabs), and `space_before` tells
`x - 1` from `-1`.
"""

from __future__ import annotations

import re

from bend.diagnostics import Diagnostics
from hvm import numbers
from hvm.errors import Span, abbreviate

NAME_START = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz_"
NAME_CHARS = NAME_START + "0123456789.-/"
OPERATORS = [
    "->", "<-", "==", "!=", "<=", ">=", "<<", ">>", "**", "+=", "-=", "*=", "/=", "%=", "&=", "|=", "^=",
    "@=", "+", "-", "*", "/", "%", "<", ">", "&", "|", "^", "=", "(", ")", "[", "]", "{", "}", ",", ":",
    ";", "~", "!", "@", "λ", ".",
]
EOF_PADDING = 8
ESCAPES = {"n": "\n", "r": "\r", "t": "\t", "0": "\0", '"': '"', "'": "'", "\\": "\\"}
SYMBOL_DIGITS = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"

TOKEN = re.compile(
    r"""
    (?P<space>[ \t\r\f\v]+)
  | (?P<newline>\n)
  | (?P<block>\#\{.*?(?:\#\}|\Z))
  | (?P<comment>\#[^\n]*)
  | (?P<name>[A-Za-z_][A-Za-z0-9_.\-/]*)
  | (?P<link>\$[A-Za-z_][A-Za-z0-9_.\-/]*)
  | (?P<number>[0-9][A-Za-z0-9_]*(?:\.[A-Za-z0-9_]+)?)
  | (?P<string>"(?:[^"\\\n]|\\.)*")
  | (?P<char>'(?:[^'\\\n]|\\u\{[^}'\n]*\}|\\.)*')
  | (?P<symbol>`[^`\n]*`)
  | (?P<op>"""
    + "|".join(re.escape(op) for op in OPERATORS)
    + r""")
  | (?P<unclosed>["'`])
  | (?P<other>.)
    """,
    re.VERBOSE | re.DOTALL,
)


class Token:
    __slots__ = ("kind", "text", "value", "start", "end", "first", "indent", "space_before", "line_indent")

    def __init__(self, kind, text, value, start, end, first, indent, space_before, line_indent):
        self.kind = kind
        self.text = text
        self.value = value
        self.start = start
        self.end = end
        self.first = first  # the first token of its line
        self.indent = indent  # the whitespace before it, when first
        self.space_before = space_before
        self.line_indent = line_indent  # the indentation of the line it is on

    def __repr__(self) -> str:
        return f"Token({self.kind}, {self.text!r}, {self.start})"


def tokenize(text: str, path: str, diagnostics: Diagnostics) -> list[Token]:
    tokens: list[Token] = []
    append = tokens.append
    first, indent, space = True, "", True
    line_indent = ""
    line_start = 0
    pos, size, match = (1 if text.startswith("\ufeff") else 0), len(text), TOKEN.match  # skip a byte order mark
    while pos < size:
        m = match(text, pos)
        kind = m.lastgroup
        start = pos
        end = pos = m.end()
        if kind == "space":
            if first and start == line_start:
                indent = m.group()
            space = True
            continue
        if kind == "newline":
            first, indent, space = True, "", True
            line_start = end
            continue
        if kind == "block":
            lines = text.count("\n", start, end)
            if lines:
                first, indent, space = True, "", True
                line_start = text.rfind("\n", start, end) + 1
                # the text after `#}` on its line is not indented by the comment
                indent = "" if end > line_start else indent
            if not m.group().endswith("#}"):
                diagnostics.error("unterminated block comment: `#{` without `#}`", Span(path, text, start, start + 2))
            space = True
            continue
        if kind == "comment":
            space = True
            continue
        token_text = m.group()
        value = None
        if kind == "name":
            kind = "NAME"
        elif kind == "op":
            kind = "OP"
        elif kind == "link":
            kind, value = "LINK", token_text[1:]
        elif kind == "number":
            if len(token_text) <= 7 and token_text.isdigit():  # (the most common: a small decimal u24)
                kind, value = "NUMBER", numbers.new_u24(int(token_text))
            else:
                kind, value = "NUMBER", number_value(token_text, Span(path, text, start, end), diagnostics)
        elif kind == "string":
            kind, value = "STRING", unescape(token_text[1:-1], path, text, start + 1, diagnostics)
        elif kind == "char":
            kind = "CHAR"
            errors_before = len(diagnostics.items)
            chars = unescape(token_text[1:-1], path, text, start + 1, diagnostics)
            if len(chars) != 1 and len(diagnostics.items) == errors_before:
                diagnostics.error(f"a character literal holds exactly one character, not {len(chars)}",
                                  Span(path, text, start, end), hint='use double quotes for a string: "..."')
            chars = chars[:1] or "\0"
            value = numbers.new_u24(ord(chars) & numbers.MASK24)
        elif kind == "symbol":
            kind = "SYMBOL"
            value = symbol_value(token_text[1:-1], Span(path, text, start, end), diagnostics)
        elif kind == "unclosed":
            what = {'"': "string", "'": "character", "`": "symbol"}[token_text]
            diagnostics.error(f"unterminated {what}: `{token_text}` without its closing `{token_text}`",
                              Span(path, text, start, start + 1))
            kind, value = ("STRING", "") if token_text == '"' else ("NUMBER", numbers.new_u24(0))
            end = text.find("\n", start)
            end = pos = len(text) if end < 0 else end  # the rest of the line is inside it
        else:  # reported by the parser if it meets it (a native `hvm` net may hold `$` and `?`)
            kind = "BAD"
        if first:
            line_indent = indent
        append(Token(kind, token_text, value, start, end, first, indent if first else None, space, line_indent))
        first, space = False, False
    for _ in range(EOF_PADDING):  # lookahead past the end reads EOF, with no bounds checks
        append(Token("EOF", "", None, len(text), len(text), True, "", True, ""))
    return tokens


def number_value(token: str, span: Span, diagnostics: Diagnostics) -> int:
    """The numb of an unsigned literal: `42`, `0x1F`, `0b101`, `1_000`, `1.5`, `0xA.A`."""
    body = token.replace("_", "")
    base, digits = 10, body
    if body[:2] in ("0x", "0X"):
        base, digits = 16, body[2:]
    elif body[:2] in ("0b", "0B"):
        base, digits = 2, body[2:]
    whole, _, frac = digits.partition(".")
    allowed = "0123456789abcdefABCDEF"[: 22 if base == 16 else base]
    if not whole or any(c not in allowed for c in whole + frac) or ("." in digits and not frac):
        diagnostics.error(f"`{token}` is not a valid number", span,
                          hint="numbers are like 42, 0x2A, 0b101010, 1_000, 1.5, +1, -1")
        return numbers.new_u24(0)
    if "." in digits:
        value = float_value(whole, frac, base)
        numb = numbers.new_f24(value)
        if numbers.get_f24(numb) == float("inf"):
            diagnostics.error(f"number literal `{abbreviate(token)}` does not fit in f24 (at most about 3.4e38)", span,
                              hint="f24 numbers are 32-bit floats with 15 bits of mantissa")
        return numb
    whole = whole.lstrip("0")
    # (more than 24 digits is past u24 in every base: no need to convert them, which for
    # thousands of decimal digits Python refuses and for millions would take minutes)
    if len(whole) > 24 or int(whole or "0", base) > numbers.MASK24:
        sign = span.source[span.start - 1:span.start] if span.start else ""
        if sign in ("+", "-"):  # (read as an i24 by the parser, when it is not an operator)
            diagnostics.error(f"number literal `{abbreviate(sign + token)}` does not fit in i24 "
                              "(-8388608 to +8388607)", Span(span.path, span.source, span.start - 1, span.end))
        else:
            diagnostics.error(f"number literal `{abbreviate(token)}` does not fit in u24 (at most 16777215)", span,
                              hint="u24 numbers are 0 to 16777215, i24 numbers (+1, -1) -8388608 to +8388607")
        return numbers.new_u24(0)
    return numbers.new_u24(int(whole or "0", base))


FLOAT_WHOLE_DIGITS = 130  # a whole part with more significant digits is past 2^129: infinity as f24
FLOAT_FRACTION_DIGITS = 200  # digits of a fraction past these are below the smallest f32 in every base


def float_value(whole: str, frac: str, base: int) -> float:
    """`whole.frac` in `base`, as a float (then rounded to f24 by the caller); any length, in linear time."""
    whole = whole.lstrip("0")
    value = int(whole, base) if whole and len(whole) <= FLOAT_WHOLE_DIGITS else 0
    if len(whole) > FLOAT_WHOLE_DIGITS or value >= 1 << 129:
        return float("inf")
    frac = frac[:FLOAT_FRACTION_DIGITS]
    return value + int(frac, base) / base ** len(frac)


def unescape(body: str, path: str, text: str, offset: int, diagnostics: Diagnostics) -> str:
    """Decode `\\n \\r \\t \\0 \\" \\' \\\\ \\u{HEX}` escapes."""
    if "\\" not in body:
        return body
    out, i = [], 0
    while i < len(body):
        c = body[i]
        if c != "\\":
            out.append(c)
            i += 1
            continue
        nxt = body[i + 1 : i + 2]
        if nxt in ESCAPES:
            out.append(ESCAPES[nxt])
            i += 2
        elif nxt == "u" and body[i + 2 : i + 3] == "{" and "}" in body[i:]:
            close = body.index("}", i)
            hexdigits = body[i + 3 : close]
            try:
                code = int(hexdigits, 16)
                out.append(chr(code))
            except (ValueError, OverflowError):
                diagnostics.error(f"`\\u{{{hexdigits}}}` is not a unicode character",
                                  Span(path, text, offset + i, offset + close + 1), hint="write \\u{1F30E}")
            i = close + 1
        else:
            diagnostics.error(f"unknown escape `\\{nxt}`", Span(path, text, offset + i, offset + i + 2),
                              hint="escapes are \\n \\r \\t \\0 \\\" \\' \\\\ and \\u{HEX}")
            i += 2
    return "".join(out)


def symbol_value(body: str, span: Span, diagnostics: Diagnostics) -> int:
    """`` `hi` `` packs up to 4 base64 digits (A-Z a-z 0-9 + /), 6 bits each, into a u24."""
    if len(body) > 4 or any(c not in SYMBOL_DIGITS for c in body):
        diagnostics.error(f"`{body}` is not a symbol: up to 4 of A-Z a-z 0-9 + /", span)
        return numbers.new_u24(0)
    value = 0
    for c in body:
        value = value * 64 + SYMBOL_DIGITS.index(c)
    return numbers.new_u24(value)
