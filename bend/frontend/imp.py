"""The imp (Python-like) syntax, lowered to fun terms while it is parsed.

In:  the parser's tokens at a `def`, `type`, `object`, statement or expression.
Out: bend.ast terms. Statements become the terms they mean (bend-language notes §1.3):

    x = e; rest                ==>  let x = e; rest
    return e                   ==>  e
    if/match/switch/fold/bend/with, every branch ending in `return`   ==>  the branching term
    ... every branch ending in an assignment to the same pattern p    ==>  let p = <branching>; rest
    x += e / x @= f            ==>  let x = (+ x e) / let x = (f x)
    m[k] = v                   ==>  let m = (Map/set m k v)
    m[k] (in an expression)    ==>  let (g, m) = (Map/get m k); ... g ...   (hoisted before it)
    [e for x in xs if c]       ==>  fold over xs rebuilding a list
    {k: v, ...}                ==>  (Map/set ... (Map/set Map/empty k v) ...)

Blocks are read from layout: a block is the lines after a `:` that are indented more than
the line of the `:`, all by the same whitespace. Any consistent indentation is accepted;
tabs mixed with spaces in a way that cannot be compared are explained. Inside brackets a
line break does not end an expression.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from bend import ast
from bend.frontend.fun import LITERAL_KINDS, TERM_KEYWORDS

PRECEDENCE = {"|": 1, "^": 2, "&": 3, "==": 4, "!=": 4, "<": 5, ">": 5, "<=": 5, ">=": 5, "<<": 6, ">>": 6,
              "+": 7, "-": 7, "*": 8, "/": 8, "%": 8, "**": 9}
# fun keywords that imp does not reserve: they could not be printed back as names
FUN_KEYWORDS = TERM_KEYWORDS - {"use", "with", "match", "switch", "fold", "bend", "if", "open", "def"}
IN_PLACE = {"+=": "+", "-=": "-", "*=": "*", "/=": "/", "%=": "%", "&=": "&", "|=": "|", "^=": "^"}
STATEMENT_WORDS = {"return", "if", "elif", "else", "match", "switch", "fold", "bend", "with", "open", "use", "def",
                   "case", "when"}


@dataclass
class Stmt:
    """A parsed statement, before lowering: `kind` is assign, ask, return, use, open, def or branch."""

    kind: str
    span: object
    pattern: object = None
    value: object = None
    name: str | None = None
    branches: list = field(default_factory=list)  # branch: the blocks (lists of Stmt)
    make: object = None  # branch: terms of the blocks -> the branching term
    what: str = ""
    hoisted: list = field(default_factory=list)  # [(pattern, value)] to bind before the statement


class ImpParser:
    # -- layout

    def ends_line(self) -> bool:
        """At depth 0 a token at the start of a line (or the end of the file) ends an expression."""
        tok = self.peek()
        return tok.kind == "EOF" or (tok.first and self.bracket_depth == 0)

    def open_bracket(self):
        self.bracket_depth += 1
        return self.advance()

    def close_bracket(self, text: str, context: str):
        tok = self.expect(text, context)
        self.bracket_depth -= 1
        return tok

    def parse_block(self, header) -> list[Stmt]:
        """The statements of the block after `header ... :`."""
        parent = header.indent if header.first else header.line_indent
        tok = self.peek()
        if not tok.first:  # `case 0: return 1` on one line
            stmts = [self.parse_statement()]
            self.end_statement()
            return stmts
        if tok.kind == "EOF":
            self.fail_here("expected an indented block, found the end of the file")
        indent = tok.indent
        if not (indent.startswith(parent) and len(indent) > len(parent)):
            if parent and indent and not parent.startswith(indent) and set(indent) != set(parent):
                self.fail("this line's indentation mixes tabs and spaces differently from the line above",
                          tok, hint="indent with spaces only, or with tabs only")
            self.fail(f"expected an indented block after `{header.text} ...:`", tok,
                      hint="indent the lines of a block more than the line that opens it")
        stmts = []
        while True:
            tok = self.peek()
            if tok.kind == "EOF":
                break
            if tok.indent == indent:
                stmts.append(self.parse_statement())
                self.end_statement()
                continue
            if indent.startswith(tok.indent):
                break  # a shorter indentation: the block ended
            if tok.indent.startswith(indent):
                self.fail("unexpected indentation", tok, hint="only the lines after a `:` are indented more")
            self.fail("this line's indentation mixes tabs and spaces differently from the block it is in", tok,
                      hint="indent with spaces only, or with tabs only")
        return stmts

    def end_statement(self) -> None:
        self.accept(";")
        tok = self.peek()
        if not tok.first:
            self.fail(f"expected the end of the line, found {self.describe(tok)}", tok,
                      hint="write one statement per line (or separate them with `;`)")

    def same_indent_word(self, header, word: str) -> bool:
        """The next line continues `header`'s statement with `word` (as `elif`/`else`/`case`)."""
        tok = self.peek()
        indent = header.indent if header.first else header.line_indent
        return tok.first and tok.kind == "NAME" and tok.text == word and tok.indent == indent

    # -- definitions

    def parse_imp_definition(self) -> ast.Definition:
        start = self.expect("def")
        if self.peek().first:
            self.fail("expected the function's name after `def`", start, hint="def name(x):")
        checked = None
        if self.peek().text in ("checked", "unchecked") and self.peek(1).kind == "NAME":
            checked = self.advance().text == "checked"  # `def checked f(x):`
        name = self.expect_name("the function's name after `def`")
        params, types, typed = [], [], False
        if self.at("("):
            self.open_bracket()
            while not self.at(")"):
                pattern = self.parse_imp_binder("a parameter name")
                if self.accept(":"):
                    types.append(self.parse_type())
                    typed = True
                else:
                    types.append(ast.TAny())
                params.append(pattern)
                if not self.accept(","):
                    break
            self.close_bracket(")", "to close the parameters")
        result = ast.TAny()
        if self.accept("->"):
            result = self.parse_type()
            typed = True
        self.expect(":", "at the end of the `def` line", hint=f"def {name.text}(x):")
        body = self.lower_function(self.parse_block(start), name)
        typ = None
        if typed:
            typ = result
            for t in reversed(types):
                typ = ast.TArrow(t, typ)
        return ast.Definition(name.text, [ast.Rule(params, body, self.span(start))], typ, checked,
                              self.span(start, name), "imp")

    def parse_imp_type(self) -> ast.Adt:
        start = self.advance()
        name = self.expect_name("the type's name").text
        params = self.parse_type_params()
        self.expect(":", "after the type's name", hint=f"type {name}:\\n  Ctor {{ field }}")
        ctors = []
        header_indent = start.indent if start.first else ""
        tok = self.peek()
        if not tok.first or tok.kind == "EOF" or len(tok.indent) <= len(header_indent):
            self.fail("expected the constructors, each on an indented line", tok,
                      hint=f"type {name}:\\n  Ctor {{ field }}\\n  Other")
        indent = tok.indent
        while self.peek().first and self.peek().indent == indent and self.peek().kind == "NAME":
            ctor_tok = self.advance()
            fields = self.parse_imp_fields() if self.at("{") else []
            ctors.append(ast.Ctor(f"{name}/{ctor_tok.text}", fields, self.span(ctor_tok)))
            self.end_statement()
        if self.peek().first and self.peek().indent == indent:
            self.fail(f"expected a constructor, found {self.describe(self.peek())}", self.peek())
        self.check_ctors(ctors)
        return ast.Adt(name, params, ctors, False, self.span(start))

    def parse_object(self) -> ast.Adt:
        start = self.advance()
        name_tok = self.expect_name("the object's name")
        params = self.parse_type_params()
        fields = self.parse_imp_fields() if self.at("{") else []
        self.end_statement()
        return ast.Adt(name_tok.text, params, [ast.Ctor(name_tok.text, fields, self.span(start))], True,
                       self.span(start))

    def parse_type_params(self) -> list:
        params = []
        if self.at("(") and not self.peek().space_before:
            self.open_bracket()
            while not self.at(")"):
                params.append(self.expect_name("a type parameter").text)
                if not self.accept(","):
                    break
            self.close_bracket(")", "to close the type parameters")
        return params

    def parse_imp_fields(self) -> list:
        self.open_bracket()
        fields = []
        while not self.at("}"):
            start = self.peek()
            recursive = bool(self.accept("~"))
            name = self.expect_name("a field name").text
            typ = self.parse_type() if self.accept(":") else None
            fields.append(ast.Field(name, recursive, typ, self.span(start)))
            if not self.accept(","):
                break
        self.close_bracket("}", "to close the fields")
        self.check_fields(fields)
        return fields

    # -- statements

    def parse_statement(self) -> Stmt:
        self.hoisted = []
        tok = self.peek()
        word = tok.text if tok.kind == "NAME" else None
        if word in ("return", "if", "match", "fold", "switch", "bend", "with", "open", "use", "def"):
            stmt = getattr(self, f"parse_imp_{word}")()
        elif word in ("else", "elif", "case", "when"):
            self.fail(f"`{word}` without the statement it belongs to, or at the wrong indentation", tok)
        else:
            stmt = self.parse_assignment()
        stmt.hoisted = self.hoisted
        self.hoisted = []
        return stmt

    def parse_imp_return(self) -> Stmt:
        start = self.advance()
        if self.ends_line():
            self.fail("`return` needs a value", start)
        return Stmt("return", self.span(start), value=self.parse_tuple_expr())

    def parse_imp_use(self) -> Stmt:
        start = self.advance()
        name = self.expect_name("a name after `use`").text
        self.expect("=", "in `use`")
        return Stmt("use", self.span(start), name=name, value=self.parse_expr())

    def parse_imp_open(self) -> Stmt:
        start = self.advance()
        typ = self.expect_name("a type after `open`").text
        colon = self.expect(":", "after the type", hint=f"open {typ}: variable")
        if self.ends_line():
            self.fail("expected the variable to open after `:`", colon, hint=f"open {typ}: variable")
        var = self.expect_name("the variable to open").text
        return Stmt("open", self.span(start), name=typ, value=var)

    def parse_imp_def(self) -> Stmt:
        """A local definition: `def aux(x):` inside a function's body."""
        definition = self.parse_imp_definition()
        return Stmt("def", definition.span, value=definition)

    def parse_assignment(self) -> Stmt:
        start = self.peek()
        if start.kind == "NAME" and self.at("[", 1) and not self.peek(1).space_before:
            return self.parse_map_assignment()
        if start.kind == "NAME" and self.peek(1).kind == "OP" and (self.peek(1).text in IN_PLACE or self.at("@=", 1)):
            name = self.advance()
            op = self.advance().text
            value = self.parse_expr()
            var = ast.Var(name.text, self.tok_span(name))
            if op == "@=":
                new = ast.App(value, var, self.span(start))
            else:
                new = ast.Oper(IN_PLACE[op], var, value, self.span(start))
            return Stmt("assign", self.span(start), pattern=ast.PVar(name.text, self.tok_span(name)), value=new)
        pattern = self.parse_assign_pattern()
        if self.accept("<-"):
            return Stmt("ask", self.span(start), pattern=pattern, value=self.parse_expr())
        if not self.at("="):
            if isinstance(pattern, ast.PVar) and not self.ends_line():
                self.fail(f"expected `=` after `{pattern.name}`, found {self.describe(self.peek())}", self.peek(),
                          hint=self.name_hint(pattern.name))
            self.fail(f"expected a statement, found {self.describe(start)}", start,
                      hint="statements are assignments `x = ...`, `return ...`, `if`, `match`, `switch`, "
                           "`fold`, `bend`, `with`, `open`, `use` and `def`")
        self.advance()
        return Stmt("assign", self.span(start), pattern=pattern, value=self.parse_tuple_expr())

    def name_hint(self, name: str) -> str | None:
        if "-" in name:
            return f"`{name}` is one name; separate it with spaces (`{name.replace('-', ' - ')}`) for a subtraction"
        return None

    def parse_assign_pattern(self):
        """`x`, `(a, b)`, `a, b`, `{a, b}`, `*`, `$x` on the left of `=` or `<-`."""
        start = self.peek()
        first = self.parse_imp_binder()
        if not self.at(","):
            return first
        items = [first]
        while self.accept(","):
            items.append(self.parse_imp_binder())
        return ast.PTuple(items, self.span(start))

    def parse_imp_binder(self, what: str | None = None):
        """A name, `*`, `$x`, `(a, b)` or `{a, b}`; `what` names the place for errors (else: a statement)."""
        tok = self.peek()
        if tok.kind == "NAME" and tok.text not in STATEMENT_WORDS:
            if tok.text in FUN_KEYWORDS:
                self.fail(f"`{tok.text}` is a keyword (of the fun syntax) and cannot name a variable", tok,
                          hint="choose another name")
            self.advance()
            return ast.PVar(tok.text, self.tok_span(tok))
        if tok.kind == "LINK":
            self.advance()
            return ast.PLink(tok.value, self.tok_span(tok))
        if tok.text == "*":
            self.advance()
            return ast.PEra(self.tok_span(tok))
        if tok.text in ("(", "{"):
            close = ")" if tok.text == "(" else "}"
            self.open_bracket()
            items = [self.parse_imp_binder(what)]
            while self.accept(","):
                items.append(self.parse_imp_binder(what))
            self.close_bracket(close, "to close the pattern")
            if tok.text == "{":
                return ast.PSup(items, self.span(tok))
            return items[0] if len(items) == 1 else ast.PTuple(items, self.span(tok))
        if what is not None:
            self.fail(f"expected {what}, found {self.describe(tok)}", tok,
                      hint="a name, `*`, `$x`, `(a, b)` or `{a, b}`")
        self.fail(f"expected a statement, found {self.describe(tok)}", tok,
                  hint="statements are assignments `x = ...`, `return ...`, `if`, `match`, `switch`, "
                       "`fold`, `bend`, `with`, `open`, `use` and `def`")

    def parse_map_assignment(self) -> Stmt:
        start = self.peek()
        name = self.advance().text
        key = self.parse_map_key()
        var = ast.Var(name, self.tok_span(start))
        op = self.peek()
        if self.accept("="):
            value = self.parse_expr()
            new = self.call("Map/set", [var, key, value], start)
        elif op.text in IN_PLACE or op.text == "@=":
            self.advance()
            value = self.parse_expr()
            if op.text == "@=":
                fn = value
            else:
                v = self.fresh("map_value")
                fn = ast.Lam(ast.PVar(v), ast.Oper(IN_PLACE[op.text], ast.Var(v), value), self.span(start))
            new = self.call("Map/map", [var, key, fn], start)
        else:
            self.fail(f"expected `=` after `{name}[...]`, found {self.describe(op)}", op)
        return Stmt("assign", self.span(start), pattern=ast.PVar(name, self.tok_span(start)), value=new)

    def parse_map_key(self):
        self.open_bracket()
        key = self.parse_expr()
        self.close_bracket("]", "to close the key")
        return key

    def call(self, name: str, args: list, start):
        term = ast.Var(name, self.tok_span(start))
        for arg in args:
            term = ast.App(term, arg, self.span(start))
        return term

    # -- branching statements

    def branch(self, start, what: str, blocks: list, make) -> Stmt:
        return Stmt("branch", self.span(start), branches=blocks, make=make, what=what)

    def parse_imp_if(self) -> Stmt:
        start = self.advance()
        conds, blocks = [self.parse_expr()], []
        self.expect(":", "after the `if` condition")
        blocks.append(self.parse_block(start))
        while self.same_indent_word(start, "elif"):
            elif_tok = self.advance()
            conds.append(self.parse_expr())
            self.expect(":", "after the `elif` condition")
            blocks.append(self.parse_block(elif_tok))
        if not self.same_indent_word(start, "else"):
            self.fail("expected `else` for this `if`", start,
                      hint="an `if` always has an `else`, at the same indentation as the `if`")
        else_tok = self.advance()
        self.expect(":", "after `else`")
        blocks.append(self.parse_block(else_tok))
        span = self.span(start)

        def make(terms):
            term = terms[-1]
            for cond, then in reversed(list(zip(conds, terms))):
                term = ast.If(cond, then, term, span)
            return term

        return self.branch(start, "if", blocks, make)

    def parse_imp_header(self):
        """`x`, `x = e`, then `with a, b = v`, then `:`: (scrutinee, bind, with)."""
        header = self.parse_scrutinee_header(self.parse_expr)
        self.expect(":", "at the end of the line")
        return header

    def parse_cases(self, start, what: str, case_pattern):
        """The `case ...:` blocks of a match, switch or fold: [(pattern, block, case token)]."""
        tok = self.peek()
        indent = start.line_indent
        if not tok.first or len(tok.indent) <= len(indent) or not tok.indent.startswith(indent):
            self.fail(f"expected the cases of the `{what}`, on indented lines starting with `case`", tok)
        case_indent = tok.indent
        cases = []
        while self.peek().first and self.peek().indent == case_indent:
            case_tok = self.peek()
            if not self.at("case"):
                self.fail(f"expected `case`, found {self.describe(case_tok)}", case_tok,
                          hint=f"each arm of a `{what}` starts with `case ...:`")
            self.advance()
            pattern_tok = self.peek()
            pattern = case_pattern(len(cases))
            self.expect(":", "after the case")
            cases.append((pattern, self.parse_block(case_tok), pattern_tok))
        return cases

    def parse_imp_match(self, cls=ast.Match, what="match") -> Stmt:
        start = self.advance()
        scrutinee, bind, with_ = self.parse_imp_header()
        cases = self.parse_cases(start, what, lambda _: self.parse_arm_pattern())
        span = self.span(start)
        spans = [self.tok_span(tok) for _, _, tok in cases]
        patterns = [p for p, _, _ in cases]
        return self.branch(start, what, [block for _, block, _ in cases], lambda terms: cls(
            scrutinee, bind, with_, [ast.Arm(p, t, s) for p, t, s in zip(patterns, terms, spans)], span))

    def parse_imp_fold(self) -> Stmt:
        return self.parse_imp_match(ast.Fold, "fold")

    def parse_imp_switch(self) -> Stmt:
        start = self.advance()
        scrutinee, bind, with_ = self.parse_imp_header()
        done = []

        def case_pattern(index):
            if done:
                self.fail("no case can follow `_`: it is the last case of a switch", self.tokens[self.pos - 1])
            if self.expect_switch_case(index):
                done.append(True)
            return index

        cases = self.parse_cases(start, "switch", case_pattern)
        if not done:
            self.fail("a switch ends with a `case _:`", self.peek() if not cases else cases[-1][2],
                      hint="the `_` case takes every number not matched before it")
        span = self.span(start)
        return self.branch(start, "switch", [block for _, block, _ in cases],
                           lambda terms: ast.Switch(scrutinee, bind, with_, list(terms), span))

    def parse_imp_bend(self) -> Stmt:
        start = self.advance()
        binds = []
        while True:
            name = self.expect_name("a name to bend over").text
            binds.append((name, self.parse_expr() if self.accept("=") else None))
            if not self.accept(","):
                break
        self.expect(":", "at the end of the `bend` line")
        tok = self.peek()
        if not (tok.first and tok.kind == "NAME" and tok.text == "when"):
            self.fail("expected `when` on the next line, indented", tok,
                      hint="bend x = 0:\n  when x < 10:\n    ...\n  else:\n    ...")
        when_tok = self.advance()
        cond = self.parse_expr()
        self.expect(":", "after the `when` condition")
        step = self.parse_block(when_tok)
        if not self.same_indent_word(when_tok, "else"):
            self.fail("expected `else` for this `when`", when_tok,
                      hint="a `bend` has a `when` branch and an `else` branch, at the same indentation")
        else_tok = self.advance()
        self.expect(":", "after `else`")
        base = self.parse_block(else_tok)
        span = self.span(start)
        return self.branch(start, "bend", [step, base], lambda terms: ast.Bend(binds, cond, terms[0], terms[1], span))

    def parse_imp_with(self) -> Stmt:
        start = self.advance()
        typ = self.expect_name("a type after `with`").text
        self.expect(":", "after the type")
        block = self.parse_block(start)
        span = self.span(start)
        return self.branch(start, "with", [block], lambda terms: ast.With(typ, terms[0], span))

    # -- lowering statements to terms

    def lower_function(self, stmts: list[Stmt], name_tok) -> object:
        term, ending = self.lower(stmts)
        if ending != "return":
            self.diagnostics.error(f"`{name_tok.text}` does not end with a `return`", stmts[-1].span,
                                   hint="the last statement of a function returns its value: `return ...`")
        return term

    def lower(self, stmts: list[Stmt], i: int = 0):
        """(term, ending) of stmts[i:]: ending is "return", the pattern the block assigns last, or
        ("ask", pattern) when it ends with `pattern <- action` (inside `with`: then a branching
        statement whose branches all end so is itself `pattern <- <the branching>`)."""
        s = stmts[i]
        last = i == len(stmts) - 1
        if s.kind == "return":
            if not last:
                self.diagnostics.error("a statement after `return`: `return` ends the function", stmts[i + 1].span)
            return self.hoist(s, s.value), "return"
        if s.kind == "branch":
            results = [self.lower(block) for block in s.branches]
            term = s.make([t for t, _ in results])
            endings = [e for _, e in results]
            if all(e == "return" for e in endings):
                if not last:
                    self.diagnostics.error(f"a statement after a `{s.what}` whose branches all return",
                                           stmts[i + 1].span, hint="`return` ends the function")
                return self.hoist(s, term), "return"
            if all(e != "return" for e in endings) and all(e == endings[0] for e in endings):
                if last:
                    return self.hoist(s, term), endings[0]
                rest, ending = self.lower(stmts, i + 1)
                if type(endings[0]) is tuple:  # every branch ends with `pattern <- action`
                    return self.hoist(s, ast.Ask(endings[0][1], term, rest, s.span)), ending
                return self.hoist(s, ast.Let(endings[0], term, rest, s.span)), ending
            self.diagnostics.error(
                f"the branches of this `{s.what}` end differently",
                s.span, hint="every branch must end with `return`, or every branch with an assignment "
                             "to the same variables (which the statements after it then use)")
            return self.hoist(s, term), "return"
        if last:
            if s.kind == "assign":
                return self.hoist(s, s.value), s.pattern
            if s.kind == "ask":
                return self.hoist(s, s.value), ("ask", s.pattern)
            self.diagnostics.error("a block ends with a `return` or an assignment", s.span)
            return ast.Era(), "return"
        rest, ending = self.lower(stmts, i + 1)
        if s.kind == "assign":
            term = ast.Let(s.pattern, s.value, rest, s.span)
        elif s.kind == "ask":
            term = ast.Ask(s.pattern, s.value, rest, s.span)
        elif s.kind == "use":
            term = ast.Use(s.name, s.value, rest, s.span)
        elif s.kind == "open":
            term = ast.Open(s.name, s.value, rest, s.span)
        else:  # a local def
            term = ast.LocalDef(s.value, rest, s.span)
        return self.hoist(s, term), ending

    @staticmethod
    def hoist(s: Stmt, term):
        for pattern, value in reversed(s.hoisted):
            term = ast.Let(pattern, value, term, s.span)
        return term

    # -- expressions

    def parse_tuple_expr(self):
        """An expression, or several separated by commas (a tuple without parentheses)."""
        start = self.peek()
        first = self.parse_expr()
        if not self.at(",") or self.ends_line():
            return first
        items = [first]
        while self.accept(","):
            items.append(self.parse_expr())
        return ast.Tuple(items, self.span(start))

    def parse_expr(self):
        if self.at("lambda") or self.at("λ"):
            return self.parse_imp_lambda()
        return self.parse_binary(1)

    def parse_imp_lambda(self):
        start = self.advance()
        params = []
        while not self.at(":"):
            if self.ends_line() or self.peek().kind == "EOF":
                self.fail_here("expected `:` after the lambda's parameters", hint="lambda x, y: x + y")
            params.append(self.parse_imp_binder("a lambda parameter"))
            self.accept(",")
        if not params:
            self.fail("a lambda has at least one parameter", start)
        self.advance()
        body = self.parse_expr()
        for param in reversed(params):
            body = ast.Lam(param, body, self.span(start))
        return body

    def parse_binary(self, min_prec: int):
        start = self.peek()
        left = self.parse_postfix()
        while True:
            tok = self.peek()
            prec = PRECEDENCE.get(tok.text) if tok.kind == "OP" else None
            if prec is None or prec < min_prec or self.ends_line():
                return left
            self.advance()
            right = self.parse_binary(prec + 1)
            left = ast.Oper(tok.text, left, right, self.span(start))

    def parse_postfix(self):
        start = self.peek()
        term = self.parse_primary()
        while True:
            tok = self.peek()
            if tok.text == "(" and tok.kind == "OP" and not self.ends_line():
                term = self.parse_call(term, start)
            elif tok.text == "[" and not tok.space_before and isinstance(term, ast.Var):
                term = self.map_get(term, start)
            elif tok.text == "{" and isinstance(term, ast.Var) and not self.ends_line():
                term = self.parse_record(term, start)
            else:
                return term

    def parse_call(self, fun, start):
        self.open_bracket()
        args, kwargs = [], []
        while not self.at(")"):
            if self.peek().kind == "NAME" and self.at("=", 1):
                name = self.advance()
                self.advance()
                kwargs.append((name.text, self.parse_expr(), self.tok_span(name)))
            else:
                if kwargs:
                    self.fail_here("a positional argument after a named one")
                args.append(self.parse_expr())
            if not self.accept(","):
                break
        self.close_bracket(")", "to close the arguments")
        if kwargs:
            return ast.Call(fun, args, kwargs, self.span(start))
        for arg in args:
            fun = ast.App(fun, arg, self.span(start))
        return fun

    def parse_record(self, ctor: ast.Var, start):
        """`Type/Ctor { field: value, ... }`."""
        self.open_bracket()
        kwargs = []
        while not self.at("}"):
            name = self.expect_name("a field name")
            self.expect(":", f"after the field `{name.text}`")
            kwargs.append((name.text, self.parse_expr(), self.tok_span(name)))
            if not self.accept(","):
                break
        self.close_bracket("}", "to close the constructor's fields")
        return ast.Call(ctor, [], kwargs, self.span(start))

    def map_get(self, var: ast.Var, start):
        key = self.parse_map_key()
        got = self.fresh("map_get")
        value = self.call("Map/get", [var, key], start)
        self.hoisted.append((ast.PTuple([ast.PVar(got, var.span), ast.PVar(var.name, var.span)], var.span), value))
        return ast.Var(got, self.span(start))

    def parse_primary(self):
        tok = self.peek()
        if self.ends_line():
            self.fail(f"expected an expression, found {self.describe(tok) if tok.kind == 'EOF' else 'the end of the line'}",
                      self.tokens[self.pos - 1] if tok.kind != "EOF" else tok)
        kind, text = tok.kind, tok.text
        if kind == "NAME":
            if text == "lambda":
                return self.parse_imp_lambda()
            if text in STATEMENT_WORDS:
                branching = text in ("if", "match", "switch", "fold", "bend", "with")
                self.fail(f"`{text}` cannot be used in an expression", tok,
                          hint=f"`{text}` is a statement: write it on its own line and assign the variable "
                               f"in each of its branches" if branching else f"`{text}` starts a statement")
            self.advance()
            return ast.Var(text, self.tok_span(tok))
        if kind in LITERAL_KINDS:
            return self.parse_literal()
        if kind == "OP":
            if text in ("+", "-") and self.signed_number_follows():
                return ast.Num(self.parse_signed_number(), self.span(tok))
            if text == "(":
                self.open_bracket()
                if self.at(")"):
                    self.fail("expected an expression inside `()`", tok)
                items = [self.parse_expr()]
                while self.accept(","):
                    items.append(self.parse_expr())
                self.close_bracket(")", "to close the parenthesis")
                return items[0] if len(items) == 1 else ast.Tuple(items, self.span(tok))
            if text == "[":
                return self.parse_list_or_comprehension()
            if text == "{":
                return self.parse_braces()
            if text == "!":
                self.advance()
                if self.at("[") and not self.peek().space_before:
                    self.open_bracket()
                    left = self.parse_expr()
                    self.expect(",", "between the two subtrees of `![left, right]`")
                    right = self.parse_expr()
                    self.close_bracket("]", "to close the tree node")
                    return ast.TreeNode(left, right, self.span(tok))
                return ast.TreeLeaf(self.parse_postfix(), self.span(tok))
            if text == "*":
                self.advance()
                return ast.Era(self.tok_span(tok))
            if text == "λ":
                return self.parse_imp_lambda()
        self.fail(f"expected an expression, found {self.describe(tok)}", tok)

    def parse_list_or_comprehension(self):
        start = self.open_bracket()
        if self.at("]"):
            self.close_bracket("]", "")
            return ast.List([], self.span(start))
        first = self.parse_expr()
        if self.at("for"):
            self.advance()
            binder = self.parse_imp_binder("a name after `for`")
            self.expect("in", "in the list comprehension", hint="[x * 2 for x in xs if x > 1]")
            source = self.parse_expr()
            cond = self.parse_expr() if self.accept("if") else None
            self.close_bracket("]", "to close the list comprehension")
            return self.comprehension(first, binder, source, cond, start)
        items = [first]
        while self.accept(","):
            if self.at("]"):
                break
            items.append(self.parse_expr())
        self.close_bracket("]", "to close the list")
        return ast.List(items, self.span(start))

    def comprehension(self, element, binder, source, cond, start):
        """[e for x in xs if c]  ==>  fold it = xs { List/Cons: let x = it.head; (keep or skip); List/Nil: [] }"""
        it = self.fresh("comprehension")
        span = self.span(start)
        rest = ast.Var(f"{it}.tail", span)
        kept = self.call("List/Cons", [element, rest], start)
        skipped = ast.Var(f"{it}.tail", span)  # (a node of its own: the passes rename each use in place)
        cons = ast.Let(binder, ast.Var(f"{it}.head", span), ast.If(cond, kept, skipped, span) if cond else kept, span)
        return ast.Fold(source, it, [], [ast.Arm("List/Cons", cons, span), ast.Arm("List/Nil", ast.Var("List/Nil", span), span)], span)

    def parse_braces(self):
        """`{}` (an empty map), `{k: v, ...}` (a map) or `{a, b}` (a superposition)."""
        start = self.open_bracket()
        if self.at("}"):
            self.close_bracket("}", "")
            return ast.Var("Map/empty", self.span(start))
        first = self.parse_expr()
        if self.accept(":"):
            entries = [(first, self.parse_expr())]
            while self.accept(","):
                if self.at("}"):
                    break
                key = self.parse_expr()
                self.expect(":", "between a key and its value")
                entries.append((key, self.parse_expr()))
            self.close_bracket("}", "to close the map")
            term = ast.Var("Map/empty", self.span(start))
            for key, value in entries:
                term = self.call("Map/set", [term, key, value], start)
            return term
        items = [first]
        while self.accept(","):
            items.append(self.parse_expr())
        self.close_bracket("}", "to close the superposition")
        if len(items) < 2:
            self.fail("a superposition `{a, b}` has at least two items", start,
                      hint="for a map, write keys and values: {key: value}")
        return ast.Sup(items, self.span(start))
