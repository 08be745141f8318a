"""The Bend parser: tokens of one file -> a Book of syntax trees, with every error found.

In:  a file's text and path.
Out: (Book, Diagnostics). Top-level items are read here (imports, `def`, `type`, `object`,
     `hvm`, fun rules and signatures); the two syntaxes live in bend.frontend.fun (terms,
     patterns, rules, fun-style types) and bend.frontend.imp (statements lowered to fun terms,
     expressions), and type annotations in bend.frontend.types. An error inside a top-level
     item is reported and parsing resumes at the next line that starts an item, so one run
     reports the mistakes of the whole file.
"""

from __future__ import annotations

from bend import ast
from bend.diagnostics import Diagnostics
from bend.frontend.fun import FunParser
from bend.frontend.imp import ImpParser
from bend.frontend.lexer import Token, tokenize
from bend.frontend.types import TypeParser
from hvm.errors import Span

TOP_LEVEL_WORDS = {"def", "type", "object", "hvm", "from", "import", "checked", "unchecked"}


class ParseFail(Exception):
    """Raised to abandon the current top-level item after its error was recorded."""


class Parser(FunParser, ImpParser, TypeParser):
    def __init__(self, text: str, path: str):
        self.text = text
        self.path = path
        self.diagnostics = Diagnostics()
        self.tokens: list[Token] = tokenize(text, path, self.diagnostics)
        self.pos = 0
        self.book = ast.Book()
        self.fresh_count = 0
        self.item_start = 0
        self.bracket_depth = 0  # imp: inside brackets a line break does not end an expression
        self.hoisted: list = []  # imp: map reads to bind before the current statement

    # -- tokens

    def peek(self, k: int = 0) -> Token:
        """The token k ahead (k < EOF_PADDING: the list ends with that many EOF tokens)."""
        return self.tokens[self.pos + k]

    def advance(self) -> Token:
        tok = self.tokens[self.pos]
        if tok.kind != "EOF":
            self.pos += 1
        return tok

    def at(self, text: str, k: int = 0) -> bool:
        tok = self.tokens[self.pos + k]
        return tok.text == text and (tok.kind == "OP" or tok.kind == "NAME")

    def accept(self, text: str) -> Token | None:
        if self.at(text):
            return self.advance()
        return None

    def expect(self, text: str, context: str = "", hint: str | None = None) -> Token:
        if self.at(text):
            return self.advance()
        self.fail_here(f"expected `{text}`{' ' + context if context else ''}, found {self.describe(self.peek())}", hint)

    def expect_name(self, what: str = "a name", hint: str | None = None) -> Token:
        tok = self.peek()
        if tok.kind == "NAME":
            return self.advance()
        self.fail_here(f"expected {what}, found {self.describe(tok)}", hint)

    @staticmethod
    def describe(tok: Token) -> str:
        if tok.kind == "EOF":
            return "the end of the file"
        return f"`{tok.text}`"

    def span(self, start: Token, end: Token | None = None) -> Span:
        """From the start of `start` to the end of `end` (default: the last token consumed)."""
        end = end if end is not None else self.tokens[max(self.pos - 1, 0)]
        return Span(self.path, self.text, start.start, max(end.end, start.end))

    def tok_span(self, tok: Token) -> Span:
        return Span(self.path, self.text, tok.start, max(tok.end, tok.start + 1))

    def fail(self, message: str, tok: Token, hint: str | None = None):
        if tok.kind == "BAD":
            message, hint = f"unexpected character `{tok.text}`", "Bend has no use for this character here"
        elif tok.first and tok.indent == "" and tok.kind != "EOF":
            unclosed = self.unclosed_bracket()
            if unclosed is not None:  # the next item starts: an opening bracket was never closed
                tok = unclosed
                closer = {"(": ")", "[": "]", "{": "}"}[unclosed.text]
                message = f"this `{unclosed.text}` is never closed: `{closer}` expected before the next definition"
                hint = f"add `{closer}` where it ends"
        self.diagnostics.error(message, self.tok_span(tok), hint)
        raise ParseFail

    def failure(self) -> ParseFail:
        return ParseFail()

    def unclosed_bracket(self) -> Token | None:
        """The innermost bracket opened in the current item and not closed before this point."""
        stack = []
        for tok in self.tokens[self.item_start:self.pos]:
            if tok.kind == "OP":
                if tok.text in ("(", "[", "{"):
                    stack.append(tok)
                elif tok.text in (")", "]", "}") and stack:
                    stack.pop()
        return stack[-1] if stack else None

    def fail_here(self, message: str, hint: str | None = None):
        self.fail(message, self.peek(), hint)

    def fresh(self, base: str) -> str:
        """A name the program cannot write: `__` is reserved for the compiler."""
        self.fresh_count += 1
        return f"{base}__{self.fresh_count}"

    # -- the book

    def parse(self) -> tuple[ast.Book, Diagnostics]:
        while self.peek().kind != "EOF":
            start = self.item_start = self.pos
            try:
                self.top_level()
            except (ParseFail, RecursionError) as err:
                if isinstance(err, RecursionError):
                    self.diagnostics.error("this definition nests too deeply to be read", self.tok_span(self.tokens[start]),
                                           hint="split it into smaller definitions")
                self.book.broken.add(self.item_name(start))
                self.bracket_depth = 0
                self.recover(start)
        return self.book, self.diagnostics

    def item_name(self, start: int) -> str | None:
        """The name of the item starting at token `start`, as far as it can be told."""
        i = start
        while self.tokens[i].text in ("checked", "unchecked", "def", "(", "type", "object", "hvm"):
            i += 1
        return self.tokens[i].text if self.tokens[i].kind == "NAME" else None

    def recover(self, start: int) -> None:
        """Skip to the next token that starts a line at column 1 and could start an item."""
        self.pos = max(self.pos, start + 1)
        while True:
            tok = self.peek()
            if tok.kind == "EOF":
                return
            if tok.first and tok.indent == "" and (tok.kind == "NAME" or tok.text == "("):
                return
            self.advance()

    def top_level(self) -> None:
        tok = self.peek()
        word = tok.text if tok.kind == "NAME" else None
        if word in ("from", "import"):
            self.book.imports.append(self.parse_import())
        elif word in ("checked", "unchecked"):
            self.advance()
            self.definition_item(checked=(word == "checked"))
        elif word == "type":
            adt = self.parse_imp_type() if self.imp_style_type() else self.parse_fun_type()
            self.add_adt(adt)
        elif word == "object":
            self.add_adt(self.parse_object())
        elif word == "hvm":
            self.add_hvm(self.parse_hvm_def())
        elif tok.kind == "NAME" or tok.text == "(":
            self.definition_item(checked=None)
        else:
            self.fail_here(f"expected a definition, found {self.describe(tok)}",
                           hint="a file holds `def`, `type`, `object`, `hvm`, imports and rules like `(F x) = ...`")

    def definition_item(self, checked: bool | None) -> None:
        if self.at("def"):
            definition = self.parse_imp_definition()
        else:
            definition = self.parse_fun_definition()
        if checked is not None:
            definition.checked = checked
        self.add_def(definition)

    # -- adding items, with the checks that need the items seen so far

    def redefinition(self, name: str, span: Span, previous: Span | None) -> None:
        where = f" (first defined on line {previous.line_col()[0]})" if previous else ""
        self.diagnostics.error(f"`{name}` is defined more than once{where}", span)

    def taken(self, name: str):
        for table in (self.book.defs, self.book.adts, self.book.hvm_defs):
            if name in table:
                return table[name]
        for adt in self.book.adts.values():
            for ctor in adt.ctors:
                if ctor.name == name:
                    return ctor
        return None

    def add_def(self, definition: ast.Definition) -> None:
        previous = self.taken(definition.name)
        if previous is not None:
            self.redefinition(definition.name, definition.span, previous.span)
            return
        self.book.defs[definition.name] = definition

    def add_hvm(self, hvm_def: ast.HvmDef) -> None:
        previous = self.taken(hvm_def.name)
        if previous is not None:
            self.redefinition(hvm_def.name, hvm_def.span, previous.span)
            return
        self.book.hvm_defs[hvm_def.name] = hvm_def

    def add_adt(self, adt: ast.Adt) -> None:
        previous = self.book.adts.get(adt.name)
        if previous is not None:
            self.redefinition(adt.name, adt.span, previous.span)
            return
        for ctor in adt.ctors:
            other = self.taken(ctor.name)
            if other is not None and not (adt.is_object and isinstance(other, ast.Adt)):
                self.redefinition(ctor.name, ctor.span, other.span)
                return
        self.book.adts[adt.name] = adt

    # -- imports

    def parse_import(self) -> ast.Import:
        start = self.advance()
        if start.text == "from":
            path = self.parse_path()
            self.expect("import", "after the module path")
            if self.accept("*"):
                return ast.Import(path, ["*"], None, self.span(start))
            names = self.parse_import_names()
            return ast.Import(path, names, None, self.span(start))
        if self.at("("):  # import (a/b, c as d)
            self.advance()
            items = []
            while not self.at(")"):
                path = self.parse_path()
                alias = self.expect_name("a name after `as`").text if self.accept("as") else None
                items.append(ast.Import(path, None, alias, self.span(start)))
                if not self.accept(","):
                    break
            self.expect(")", "to close the list of imports")
            first, *rest = items or [None]
            if first is None:
                self.fail("an empty import list", start)
            self.book.imports.extend(rest)
            return first
        path = self.parse_path()
        alias = self.expect_name("a name after `as`").text if self.accept("as") else None
        return ast.Import(path, None, alias, self.span(start))

    def parse_path(self) -> str:
        """A module path: a name, or relative (`./a/b`, `../c`), written without spaces."""
        first = self.peek()
        if first.kind not in ("NAME", "OP") or first.text in ("import", "*", "(", ")"):
            self.fail_here(f"expected a module path, found {self.describe(first)}")
        parts = [self.advance().text]
        while not self.peek().space_before and self.peek().kind in ("NAME", "OP") and self.peek().text not in (",", ")", "("):
            parts.append(self.advance().text)
        return "".join(parts)

    def parse_import_names(self) -> list:
        parenthesized = bool(self.accept("("))
        names = []
        while True:
            name = self.expect_name("a name to import").text
            alias = self.expect_name("a name after `as`").text if self.accept("as") else None
            names.append((name, alias))
            if not self.accept(","):
                break
        if parenthesized:
            self.expect(")", "to close the list of names")
        return names

    # -- native hvm definitions

    def parse_hvm_def(self) -> ast.HvmDef:
        from hvm import syntax as hvm_syntax
        from hvm.errors import ParseError

        start = self.advance()
        name = self.expect_name("the name of the hvm definition").text
        typ = self.parse_type() if self.accept("->") else None
        colon = self.expect(":", "before the net")
        net_parser = hvm_syntax._Parser(self.text, self.path)
        net_parser.pos = colon.end
        try:
            net = net_parser.net()
        except ParseError as err:
            self.diagnostics.error(f"in hvm definition `{name}`: {err.message}", err.span, err.hint)
            raise ParseFail from None
        end = net_parser.pos
        raw = self.text[colon.end:end]
        net_text = raw.strip()
        while self.peek().kind != "EOF" and self.peek().start < end:
            self.advance()
        return ast.HvmDef(name, typ, net_text, self.span(start), net=net)


def parse_term_text(text: str, path: str):
    """One term in the fun syntax (a command-line argument to `main`): (term or None, diagnostics)."""
    parser = Parser(text, path)
    try:
        term = parser.parse_term()
        if parser.peek().kind != "EOF":
            parser.fail_here("expected the end of the term", hint="quote an argument that has spaces: '(+ 1 2)'")
    except (ParseFail, RecursionError):
        return None, parser.diagnostics
    return term, parser.diagnostics
