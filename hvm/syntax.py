"""HVM2's textual format, both directions.

In:  `.hvm` text (parse_book) or hvm.book values (show_book, show_net, show_tree).
Out: hvm.book values, or text. Printing a parsed book gives the text back exactly when it was
     printed by this module (or by Bend's `gen-hvm`, which uses the same layout):

    @main = a
      & @sum ~ (20 (0 a))

Grammar (notes/hvm2-runtime.md §1):
    book ::= { "@" name "=" net }
    net  ::= tree { "&" ["!"] tree "~" tree }
    tree ::= name | "*" | "@" name | number | "(" tree tree ")" | "{" tree tree "}"
           | "$(" tree tree ")" | "?(" tree tree ")"
Trivia are whitespace and `//` line comments. A tree starting with a digit, `+`, `-` or `[`
is a number; a number token is the longest run of `[A-Za-z0-9+-.]` (so `1_000` is `1` then
the name `_000`, as in HVM2).

Trees are parsed and printed without recursion, so deep nets (long lists) never hit Python's
recursion limit.
"""

from __future__ import annotations

from hvm import numbers
from hvm.book import Book, Definition, Era, Net, Node, Num, Redex, Ref, Tag, Tree, Var, expand_chains
from hvm.errors import ParseError, Span

NAME_CHARS = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_.-/$")
NUMBER_CHARS = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+-.")
NUMBER_STARTS = frozenset("0123456789+-[")
OPENERS = {"(": Tag.CON, "{": Tag.DUP, "$": Tag.OPR, "?": Tag.SWI}
BRACKETS = {Tag.CON: ("(", ")"), Tag.DUP: ("{", "}"), Tag.OPR: ("$(", ")"), Tag.SWI: ("?(", ")")}


# ---------------------------------------------------------------------------------------------
# Parsing


class _Parser:
    def __init__(self, text: str, path: str):
        self.text = text
        self.path = path
        self.pos = 0

    # -- errors and scanning

    def error(self, message: str, start: int | None = None, end: int | None = None, hint: str | None = None):
        start = self.pos if start is None else start
        if start >= len(self.text):  # point just after the last token, not at a blank line
            start = len(self.text.rstrip())
        end = start + 1 if end is None else end
        return ParseError(message, Span(self.path, self.text, start, end), hint)

    def describe_here(self) -> str:
        if self.pos >= len(self.text):
            return "the end of the file"
        c = self.text[self.pos]
        return f"`{c}`" if not c.isspace() else "a space"

    def skip_trivia(self) -> None:
        text, n = self.text, len(self.text)
        pos = self.pos
        while pos < n:
            c = text[pos]
            if c in " \t\r\n\f\v":
                pos += 1
            elif text.startswith("//", pos):
                nl = text.find("\n", pos)
                pos = n if nl < 0 else nl + 1
            else:
                break
        self.pos = pos

    def peek(self) -> str:
        self.skip_trivia()
        return self.text[self.pos] if self.pos < len(self.text) else ""

    def expect(self, token: str, context: str) -> None:
        if self.peek() != token[0] or not self.text.startswith(token, self.pos):
            raise self.error(f"expected `{token}` {context}, found {self.describe_here()}")
        self.pos += len(token)

    def take_while(self, allowed: frozenset) -> str:
        start, text, n = self.pos, self.text, len(self.text)
        pos = start
        while pos < n and text[pos] in allowed:
            pos += 1
        self.pos = pos
        return text[start:pos]

    def name(self, what: str) -> str:
        self.skip_trivia()
        name = self.take_while(NAME_CHARS)
        if not name:
            raise self.error(f"expected {what}, found {self.describe_here()}")
        return name

    # -- book and nets

    def book(self) -> Book:
        book = Book(source=self.text, path=self.path)
        while self.peek():
            start = self.pos
            if self.text[start] != "@":
                raise self.error(
                    f"expected a definition (`@name = ...`), found {self.describe_here()}",
                    hint="a book is a list of definitions such as `@main = ...`",
                )
            self.pos += 1
            name = self.name("a definition name after `@`")
            self.expect("=", f"after `@{name}`")
            net = self.net()
            if name in book.defs:
                first_line = self.text.count("\n", 0, book.defs[name].pos) + 1
                raise self.error(
                    f"@{name} is defined twice", start, start + 1 + len(name),
                    hint=f"the first definition is on line {first_line}",
                )
            book.defs[name] = Definition(name, net, start)
        return book

    def net(self) -> Net:
        root = self.tree()
        redexes = []
        while self.peek() == "&":
            self.pos += 1
            parallel = self.pos < len(self.text) and self.text[self.pos] == "!"
            if parallel:
                self.pos += 1
            a = self.tree()
            self.expect("~", "between the two sides of a redex")
            b = self.tree()
            redexes.append(Redex(a, b, parallel))
        return Net(root, redexes)

    # -- trees

    def tree(self) -> Tree:
        # frames of open nodes: [tag, start offset, first child or None]
        stack: list[list] = []
        while True:
            c = self.peek()
            start = self.pos
            if c in OPENERS:
                if c in "$?":
                    self.pos += 1
                    if self.peek() != "(":
                        raise self.error(f"expected `(` after `{c}`, found {self.describe_here()}")
                self.pos += 1
                stack.append([OPENERS[c], start, None])
                continue
            tree = self.leaf(c, start)
            while stack:
                frame = stack[-1]
                if frame[2] is None:
                    frame[2] = tree
                    break
                tag, node_start, fst = stack.pop()
                close = BRACKETS[tag][1]
                if self.peek() != close:
                    line, col = Span(self.path, self.text, node_start, node_start + 1).line_col()
                    raise self.error(
                        f"expected `{close}` to close the `{BRACKETS[tag][0]}` opened at {line}:{col}, "
                        f"found {self.describe_here()}",
                        hint="a node has exactly two sub-trees",
                    )
                self.pos += 1
                tree = Node(tag, fst, tree, node_start)
            else:
                return tree

    def leaf(self, c: str, start: int) -> Tree:
        if c == "*":
            self.pos += 1
            return Era(start)
        if c == "@":
            self.pos += 1
            return Ref(self.name("a definition name after `@`"), start)
        if c in NUMBER_STARTS:
            return Num(self.number(), start)
        if c and c in NAME_CHARS:
            return Var(self.take_while(NAME_CHARS), start)
        if not c:
            raise self.error("unexpected end of file, expected a tree")
        raise self.error(
            f"expected a tree, found {self.describe_here()}",
            hint="a tree is a name, `*`, `@ref`, a number, `(a b)`, `{a b}`, `$(a b)` or `?(a b)`",
        )

    def number(self) -> int:
        start = self.pos
        if self.text[start] != "[":
            return self.literal()
        self.pos += 1
        self.skip_trivia()
        for symbol, code in numbers.SYMBOLS_BY_LENGTH:
            if self.text.startswith(symbol, self.pos):
                self.pos += len(symbol)
                break
        else:
            raise self.error(
                f"unknown operator at {self.describe_here()}",
                hint="operators are + - :- * / :/ % :% = ! < > & | ^ << :<< >> :>> and casts u24 i24 f24",
            )
        if self.peek() == "]":
            self.pos += 1
            return numbers.new_sym(code)
        if code in numbers.TYPE_NAMES:
            raise self.error(f"a cast `[{numbers.TYPE_NAMES[code]}]` takes no operand")
        operand = self.literal()
        if self.peek() != "]":
            raise self.error(f"expected `]` to close the operator, found {self.describe_here()}")
        self.pos += 1
        return (operand & ~0x1F) | code

    def literal(self) -> int:
        self.skip_trivia()
        start = self.pos
        token = self.take_while(NUMBER_CHARS)
        if not token:
            raise self.error(f"expected a number, found {self.describe_here()}")
        try:
            return numbers.parse_literal(token)
        except ValueError as err:
            raise self.error(str(err), start, self.pos) from None


def parse_book(text: str, path: str = "<input>") -> Book:
    """Parse a whole `.hvm` file. Raises ParseError (with a position) on malformed text."""
    return _Parser(text, path).book()


def parse_tree(text: str, path: str = "<input>") -> Tree:
    """Parse a single tree, such as a `Result:` printed by a runtime."""
    return _parse_whole(text, path, _Parser.tree, "tree")


def parse_net(text: str, path: str = "<input>") -> Net:
    return _parse_whole(text, path, _Parser.net, "net")


def _parse_whole(text: str, path: str, rule, what: str):
    parser = _Parser(text, path)
    result = rule(parser)
    if parser.peek():
        raise parser.error(f"unexpected {parser.describe_here()} after the {what}")
    return result


# ---------------------------------------------------------------------------------------------
# Printing


def show_tree(tree: Tree) -> str:
    out: list[str] = []
    stack: list = [tree]
    while stack:
        t = stack.pop()
        cls = type(t)
        if cls is str:
            out.append(t)
        elif cls is Node:
            opener, closer = BRACKETS[t.tag]
            out.append(opener)
            stack += (closer, t.snd, " ", t.fst)
        elif cls is Var:
            out.append(t.name)
        elif cls is Ref:
            out.append("@" + t.name)
        elif cls is Num:
            out.append(numbers.format_numb(t.numb))
        elif cls is Era:
            out.append("*")
        else:
            raise TypeError(f"not a tree: {t!r}")
    return "".join(out)


def show_net(net: Net) -> str:
    net = expand_chains(net)
    lines = [show_tree(net.root)]
    for r in net.redexes:
        lines.append(f"  &{'!' if r.parallel else ' '}{show_tree(r.a)} ~ {show_tree(r.b)}")
    return "\n".join(lines)


def show_book(book: Book) -> str:
    return "".join(f"@{d.name} = {show_net(d.net)}\n\n" for d in book.defs.values()) + "\n"
