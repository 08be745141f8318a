"""The fun (ML-like) syntax: rules, patterns, terms and `type Name = (Ctor f ~r) | ...`.

In:  the parser's tokens at a fun definition, term, pattern or data type.
Out: bend.ast nodes. Fun syntax ignores layout: a term ends where its grammar ends, so
     `(F x) = body` rules and the terms in them may span lines freely; `;` is optional.

    Fib = λn switch n { 0: 0; 1: 1; _: (+ (Fib n-2) (Fib (+ n-2 1))) }
    (Len List/Nil) = 0
    (Len (List/Cons h t)) = (+ 1 (Len t))
"""

from __future__ import annotations

from bend import ast
from hvm import numbers

# operators as they may follow `(` in fun syntax: `(+ a b)`
FUN_OPERATORS = {"+", "-", "*", "/", "%", "==", "!=", "<", ">", "<=", ">=", "&", "|", "^", "<<", ">>", "**"}
LITERAL_KINDS = {"NUMBER", "CHAR", "SYMBOL", "STRING", "LINK"}
TERM_KEYWORDS = {"let", "use", "ask", "with", "match", "switch", "fold", "bend", "if", "open", "def"}


class FunParser:
    # -- definitions

    def parse_fun_definition(self) -> ast.Definition:
        """Rules and an optional signature for one name; consecutive rules of that name join it.

            f (x: u24) (y: U) : R          a signature line, then rules `(f a b) = ...`
            f (x: u24) y : R = body         a signature with its one body
            (f (x: u24) y) : R = body       the same, written like a rule's head
            Main : u24 = 1                   no parameters
        """
        start = self.peek()
        name_tok = self.peek(1) if start.text == "(" else start
        if name_tok.kind != "NAME":
            self.fail(f"expected the name of a definition, found {self.describe(name_tok)}", name_tok)
        name = name_tok.text
        typ = None
        rules: list[ast.Rule] = []
        if self.signature_follows():
            params, typ = self.parse_signature()
            if self.accept("="):
                rules.append(ast.Rule(params, self.parse_term(), self.span(start)))
            elif not self.next_rule_is(name):
                if self.peek().first or self.peek().kind == "EOF":
                    self.fail(f"`{name}` has a type but no rules", name_tok, hint=f"add a rule like `({name} x) = ...`")
                self.fail_here(f"expected `=` after the signature of `{name}`, found {self.describe(self.peek())}",
                               hint=f"`{name} (x: u24) : u24 = body`, or rules like `({name} x) = body` "
                                    f"on the lines after it")
        else:
            rules.append(self.parse_rule(name))
        while self.next_rule_is(name):
            rules.append(self.parse_rule(name))
        return ast.Definition(name, rules, typ, None, self.span(start), "fun")

    def signature_follows(self) -> bool:
        """Whether a signature starts here: `name arg* :`, `(name arg*) :`, where an argument is
        `x`, `(x)` or `(x: Type)` (tokens are only looked at: a rule like `(f (x) y) = ...`
        reads as a rule). `f (x: T) = body` (typed parameters, no result type) is one too."""
        paren = self.at("(")
        i = 2 if paren else 1
        if self.peek(i - 1).kind != "NAME":
            return False
        typed = False
        while True:
            tok = self.peek(i)
            if tok.kind == "NAME" and not self.at("=", i) and not self.at(":", i):
                i += 1
            elif self.at("(", i) and self.peek(i + 1).kind == "NAME" and (self.at(")", i + 2) or self.at(":", i + 2)):
                typed = typed or self.at(":", i + 2)
                i = self.matching_close(i)
                if i is None:
                    return False
                i += 1
            else:
                break
        if paren:
            return self.at(")", i) and self.at(":", i + 1)
        return self.at(":", i) or (typed and self.at("=", i))

    def matching_close(self, i: int) -> int | None:
        """The offset of the bracket closing the one at offset `i` (None at the end of the file)."""
        depth = 0
        while True:
            tok = self.tokens[self.pos + i] if self.pos + i < len(self.tokens) else self.tokens[-1]
            if tok.kind == "EOF":
                return None
            if tok.kind == "OP":
                if tok.text in ("(", "[", "{"):
                    depth += 1
                elif tok.text in (")", "]", "}"):
                    depth -= 1
                    if depth == 0:
                        return i
            i += 1

    def parse_signature(self) -> tuple[list, object]:
        """A signature (see signature_follows): (the parameters as patterns, the function's type)."""
        paren = self.accept("(")
        self.advance()  # the name
        params, types = [], []
        while not self.at(")" if paren else ":") and not self.at("="):
            tok = self.peek()
            if self.accept("("):
                param = self.expect_name("a parameter name")
                types.append(self.parse_type() if self.accept(":") else ast.TAny(self.tok_span(param)))
                self.expect(")", "to close the typed parameter")
            else:
                param = self.expect_name("a parameter name")
                types.append(ast.TAny(self.tok_span(param)))
            params.append(ast.PVar(param.text, self.span(tok)))
        if paren:
            self.expect(")", "to close the signature's head")
        typ = self.parse_type() if self.accept(":") else ast.TAny(self.tok_span(self.peek()))
        for param_type in reversed(types):
            typ = ast.TArrow(param_type, typ, param_type.span)
        return params, typ

    def next_rule_is(self, name: str) -> bool:
        """A new line holding another rule of `name`: `(name ...) =` or `name ... =`.

        (A term after a local definition may start with `(name`, so the `=` is looked for.)
        """
        tok = self.peek()
        if not tok.first:
            return False
        if tok.kind == "NAME" and tok.text == name:
            i, depth = 1, 0
        elif tok.text == "(" and self.peek(1).text == name:
            i, depth = 2, 1
        else:
            return False
        while True:
            t = self.tokens[self.pos + i]
            if t.kind == "EOF" or (t.first and i > 0):
                return False
            if t.kind == "OP":
                if t.text in ("(", "[", "{"):
                    depth += 1
                elif t.text in (")", "]", "}"):
                    depth -= 1
                    if depth < 0:
                        return False
                elif t.text == "=" and depth == 0:
                    return True
                elif t.text == ":" and depth == 0:
                    return False
            i += 1

    def parse_rule(self, name: str) -> ast.Rule:
        start = self.peek()
        if self.accept("("):
            self.expect_name(f"the name `{name}`")
            patterns = []
            while not self.at(")"):
                if self.peek().kind == "EOF":
                    self.fail_here("expected `)` to close the rule's left-hand side")
                patterns.append(self.parse_pattern())
            self.advance()
        else:
            self.advance()
            patterns = []
            while not self.at("="):
                if self.peek().kind == "EOF" or (self.peek().first and self.peek().indent == ""):
                    self.fail_here(f"expected `=` in the rule for `{name}`, found {self.describe(self.peek())}",
                                   hint=f"a rule looks like `{name} x y = body` or `({name} x y) = body`")
                patterns.append(self.parse_pattern())
        self.expect("=", f"in the rule for `{name}`")
        return ast.Rule(patterns, self.parse_term(), self.span(start))

    # -- patterns

    def parse_pattern(self):
        tok = self.peek()
        kind, text = tok.kind, tok.text
        if kind == "NAME":
            self.advance()
            return ast.PVar(text, self.tok_span(tok))
        if kind in ("NUMBER", "CHAR", "SYMBOL"):
            self.advance()
            return ast.PNum(tok.value, self.tok_span(tok))
        if kind == "STRING":
            self.advance()
            return ast.PStr(tok.value, self.tok_span(tok))
        if kind == "LINK":
            self.advance()
            return ast.PLink(tok.value, self.tok_span(tok))
        if text in ("+", "-") and self.signed_number_follows():
            return ast.PNum(self.parse_signed_number(), self.span(tok))
        if text == "*":
            self.advance()
            return ast.PEra(self.tok_span(tok))
        if text == "(":
            self.advance()
            if self.peek().kind == "NAME" and not self.at(",", 1) and not self.at(")", 1):
                name = self.advance().text  # (Ctor p1 p2)
                args = []
                while not self.at(")"):
                    if self.peek().kind == "EOF":
                        self.fail_here("expected `)` to close the constructor pattern")
                    args.append(self.parse_pattern())
                self.advance()
                return ast.PCtr(name, args, self.span(tok))
            items = [self.parse_pattern()]
            while self.accept(","):
                items.append(self.parse_pattern())
            self.expect(")", "to close the pattern")
            if len(items) == 1:
                if isinstance(items[0], ast.PVar):  # (Ctor) with no fields
                    return ast.PCtr(items[0].name, [], self.span(tok))
                return items[0]
            return ast.PTuple(items, self.span(tok))
        if text == "{":
            self.advance()
            items = self.parse_items("}", self.parse_pattern)
            return ast.PSup(items, self.span(tok))
        if text == "[":
            self.advance()
            items = self.parse_items("]", self.parse_pattern)
            return ast.PList(items, self.span(tok))
        self.fail(f"expected a pattern, found {self.describe(tok)}", tok,
                  hint="patterns are names, `*`, numbers, strings, (Ctor p ...), (a, b), {a b} and [a, b]")

    def parse_items(self, close: str, item) -> list:
        """Items up to `close`, separated by spaces or commas (fun syntax makes commas optional)."""
        items = []
        while not self.at(close):
            if self.peek().kind == "EOF":
                self.fail_here(f"expected `{close}`, found the end of the file")
            items.append(item())
            self.accept(",")
        self.advance()
        return items

    def signed_number_follows(self) -> bool:
        nxt = self.peek(1)
        return nxt.kind == "NUMBER" and not nxt.space_before

    def parse_signed_number(self) -> int:
        """`+7`, `-7` (i24) or `+1.5`, `-0.5` (f24): the sign is written against the number."""
        sign = self.advance()
        tok = self.advance()
        numb = tok.value
        if numbers.tag_of(numb) == numbers.F24:
            value = numbers.get_f24(numb)
            return numbers.new_f24(-value if sign.text == "-" else value)
        value = numbers.payload_of(numb)
        value = -value if sign.text == "-" else value
        if not -(1 << 23) <= value < (1 << 23):
            self.diagnostics.error(f"number literal `{sign.text}{tok.text}` does not fit in i24 (-8388608 to +8388607)",
                                   self.span(sign, tok))
            raise self.failure()
        return numbers.new_i24(value)

    # -- terms

    def parse_term(self):
        tok = self.peek()
        kind, text = tok.kind, tok.text
        if kind == "NAME":
            if text in TERM_KEYWORDS:
                return getattr(self, f"parse_fun_{text}")()
            self.advance()
            return ast.Var(text, self.tok_span(tok))
        if kind in LITERAL_KINDS:
            return self.parse_literal()
        if kind == "OP":
            if text in ("λ", "@"):
                self.advance()
                pattern = self.parse_binder()
                return ast.Lam(pattern, self.parse_term(), self.span(tok))
            if text == "(":
                return self.parse_fun_paren()
            if text == "{":
                self.advance()
                items = self.parse_items("}", self.parse_term)
                if len(items) < 2:
                    self.fail("a superposition `{a b}` has at least two terms", tok)
                return ast.Sup(items, self.span(tok))
            if text == "[":
                self.advance()
                return ast.List(self.parse_items("]", self.parse_term), self.span(tok))
            if text == "!":
                self.advance()
                if self.accept("["):
                    left = self.parse_term()
                    self.accept(",")
                    right = self.parse_term()
                    self.expect("]", "to close the tree node `![left right]`")
                    return ast.TreeNode(left, right, self.span(tok))
                return ast.TreeLeaf(self.parse_term(), self.span(tok))
            if text == "*":
                self.advance()
                return ast.Era(self.tok_span(tok))
            if text in ("+", "-") and self.signed_number_follows():
                return ast.Num(self.parse_signed_number(), self.span(tok))
        self.fail(f"expected a term, found {self.describe(tok)}", tok)

    def parse_literal(self):
        """A number, character, symbol, string or `$x`: the same in both syntaxes."""
        tok = self.advance()
        if tok.kind == "STRING":
            return ast.Str(tok.value, self.tok_span(tok))
        if tok.kind == "LINK":
            return ast.Link(tok.value, self.tok_span(tok))
        return ast.Num(tok.value, self.tok_span(tok))

    def parse_binder(self):
        """What a lambda or `let` binds: a name, `*`, `$x`, `(a, b)` or `{a b}`."""
        tok = self.peek()
        if tok.kind == "NAME" and tok.text not in TERM_KEYWORDS:
            self.advance()
            return ast.PVar(tok.text, self.tok_span(tok))
        if tok.kind == "LINK":
            self.advance()
            return ast.PLink(tok.value, self.tok_span(tok))
        if tok.text == "*":
            self.advance()
            return ast.PEra(self.tok_span(tok))
        if tok.text == "(":
            self.advance()
            items = [self.parse_binder()]
            while self.accept(","):
                items.append(self.parse_binder())
            self.expect(")", "to close the tuple pattern")
            return items[0] if len(items) == 1 else ast.PTuple(items, self.span(tok))
        if tok.text == "{":
            self.advance()
            items = self.parse_items("}", self.parse_binder)
            return ast.PSup(items, self.span(tok))
        self.fail(f"expected a name to bind, found {self.describe(tok)}", tok,
                  hint="binders are names, `*`, `$x`, (a, b) and {a b}")

    def parse_fun_paren(self):
        start = self.advance()
        first = self.peek()
        if first.text in FUN_OPERATORS and first.kind == "OP" and not (
            first.text in ("+", "-") and self.signed_number_follows()
        ) and not (first.text == "*" and (self.at(")", 1) or self.at(",", 1))):
            self.advance()
            operands = []
            while not self.at(")"):
                if self.peek().kind == "EOF":
                    self.fail_here("expected `)` to close the operation")
                operands.append(self.parse_term())
            self.advance()
            if len(operands) != 2:
                self.fail(f"`({first.text} ...)` takes two operands, not {len(operands)}", first)
            return ast.Oper(first.text, operands[0], operands[1], self.span(start))
        if self.at(")"):
            self.fail("expected a term inside `()`", start)
        terms = [self.parse_term()]
        if self.at(","):
            while self.accept(","):
                terms.append(self.parse_term())
            self.expect(")", "to close the tuple")
            return ast.Tuple(terms, self.span(start))
        while not self.at(")"):
            if self.peek().kind == "EOF":
                self.fail("expected `)` to close this `(`", start)
            terms.append(self.parse_term())
        self.advance()
        term = terms[0]
        for arg in terms[1:]:
            term = ast.App(term, arg, self.span(start))
        return term

    def optional_semicolon(self) -> None:
        self.accept(";")

    def parse_fun_let(self):
        start = self.advance()
        pattern = self.parse_binder()
        self.expect("=", "in `let`")
        value = self.parse_term()
        self.optional_semicolon()
        return ast.Let(pattern, value, self.parse_term(), self.span(start))

    def parse_fun_use(self):
        start = self.advance()
        name = self.expect_name("a name after `use`").text
        self.expect("=", "in `use`")
        value = self.parse_term()
        self.optional_semicolon()
        return ast.Use(name, value, self.parse_term(), self.span(start))

    def parse_fun_ask(self):
        start = self.advance()
        pattern = self.parse_binder()
        self.expect("=", "in `ask`")
        value = self.parse_term()
        self.optional_semicolon()
        return ast.Ask(pattern, value, self.parse_term(), self.span(start))

    def parse_fun_with(self):
        start = self.advance()
        typ = self.expect_name("a type after `with`").text
        self.expect("{", "to open the `with` block")
        body = self.parse_term()
        self.expect("}", "to close the `with` block")
        return ast.With(typ, body, self.span(start))

    def parse_fun_open(self):
        start = self.advance()
        typ = self.expect_name("a type after `open`").text
        var = self.expect_name("the variable to open").text
        self.optional_semicolon()
        return ast.Open(typ, var, self.parse_term(), self.span(start))

    def parse_fun_if(self):
        start = self.advance()
        cond = self.parse_term()
        then = self.braced_term("`if`")
        if self.at("elif"):
            otherwise = self.parse_fun_if()
        else:
            self.expect("else", "after the `if` branch", hint="an `if` always has an `else`")
            otherwise = self.braced_term("`else`")
        return ast.If(cond, then, otherwise, self.span(start))

    def braced_term(self, what: str):
        self.expect("{", f"to open the {what} branch")
        term = self.parse_term()
        self.expect("}", f"to close the {what} branch")
        return term

    def parse_scrutinee_header(self, value=None):
        """`x`, `x = e` or `e`, then an optional `with a, b = v` (or `with a b`): (scrutinee, bind, with).

        `value` parses the terms (fun terms by default; imp passes its expression parser).
        """
        value = value or self.parse_term
        bind = None
        if self.peek().kind == "NAME" and self.at("=", 1):
            bind = self.advance().text
            self.advance()
        scrutinee = value()
        with_ = []
        if self.accept("with"):
            while True:
                name = self.expect_name("a name after `with`")
                with_.append((name.text, value() if self.accept("=") else None))
                if not self.accept(",") and self.peek().kind != "NAME":  # (Bend also writes `with a b`)
                    break
        return scrutinee, bind, with_

    def parse_arm_pattern(self) -> str:
        tok = self.peek()
        if tok.kind == "NAME":
            return self.advance().text
        self.fail_here(f"expected a constructor, `_` or a name, found {self.describe(tok)}")

    def parse_fun_match(self, cls=ast.Match, what="match"):
        start = self.advance()
        scrutinee, bind, with_ = self.parse_scrutinee_header()
        self.expect("{", f"to open the `{what}` arms")
        arms = []
        while not self.at("}"):
            if self.peek().kind == "EOF":
                self.fail_here(f"expected `}}` to close the `{what}`")
            self.accept("|")
            arm_start = self.peek()
            pattern = self.parse_arm_pattern()
            self.expect(":", f"after the `{pattern}` case")
            body = self.parse_term()
            self.optional_semicolon()
            arms.append(ast.Arm(pattern, body, self.span(arm_start)))
        self.advance()
        return cls(scrutinee, bind, with_, arms, self.span(start))

    def parse_fun_fold(self):
        return self.parse_fun_match(ast.Fold, "fold")

    def parse_fun_switch(self):
        start = self.advance()
        scrutinee, bind, with_ = self.parse_scrutinee_header()
        self.expect("{", "to open the `switch` cases")
        arms = []
        is_default = False
        while not self.at("}"):
            if self.peek().kind == "EOF":
                self.fail_here("expected `}` to close the `switch`")
            self.accept("|")
            is_default = self.expect_switch_case(len(arms))
            self.expect(":", "after the case")
            arms.append(self.parse_term())
            self.optional_semicolon()
            if is_default:
                break
        if not is_default:
            self.fail_here("a switch ends with a `_` case", hint="the `_` case takes every number not matched before it: "
                                                                 "switch n { 0: a; _: b }")
        self.expect("}", "after the `_` case", hint="`_` is the last case of a switch")
        return ast.Switch(scrutinee, bind, with_, arms, self.span(start))

    def expect_switch_case(self, index: int) -> bool:
        """Cases are 0, 1, 2, ... in order, then `_`; True for `_`."""
        tok = self.peek()
        if tok.kind == "NAME" and tok.text == "_":
            if index == 0:
                self.fail("a switch needs a `0` case before `_`", tok, hint="switch n { 0: a; _: b }")
            self.advance()
            return True
        if tok.kind == "NUMBER" and numbers.tag_of(tok.value) == numbers.U24:
            if numbers.payload_of(tok.value) != index:
                self.fail(f"expected the case `{index}` here: switch cases are 0, 1, 2, ... in order, then `_`", tok)
            self.advance()
            return False
        self.fail(f"expected the case `{index}` or `_`, found {self.describe(tok)}", tok,
                  hint="switch cases are 0, 1, 2, ... in order, then `_`")

    def parse_fun_bend(self):
        start = self.advance()
        binds = []
        while True:
            name = self.expect_name("a name to bend over").text
            binds.append((name, self.parse_term() if self.accept("=") else None))
            if not self.accept(","):
                break
        self.expect("{", "to open the `bend` body")
        self.expect("when", "in the `bend` body", hint="bend x = 0 { when (< x 10): ... else: ... }")
        cond = self.parse_term()
        self.expect(":", "after the `when` condition")
        step = self.parse_term()
        self.optional_semicolon()
        self.expect("else", "after the `when` branch")
        self.expect(":", "after `else`")
        base = self.parse_term()
        self.optional_semicolon()
        self.expect("}", "to close the `bend`")
        return ast.Bend(binds, cond, step, base, self.span(start))

    def parse_fun_def(self):
        start = self.advance()
        definition = self.parse_fun_definition()
        return ast.LocalDef(definition, self.parse_term(), self.span(start))

    # -- data types

    def imp_style_type(self) -> bool:
        """`type Name:` and `type Name(T):` are imp; `type Name = ...`, `type (Name T) = ...` are fun."""
        if self.peek(1).text == "(":
            return False
        i = 2
        if self.peek(i).text == "(" and not self.peek(i).space_before:
            return True
        return self.peek(i).text == ":"

    def parse_fun_type(self) -> ast.Adt:
        start = self.advance()
        if self.accept("("):
            name = self.expect_name("the type's name").text
            params = []
            while not self.at(")"):
                params.append(self.expect_name("a type parameter").text)
            self.advance()
        else:
            name = self.expect_name("the type's name").text
            params = []
            while self.peek().kind == "NAME":
                params.append(self.advance().text)
        self.expect("=", "after the type's name", hint=f"type {name} = (Ctor field ~rec) | Other")
        ctors = [self.parse_fun_ctor(name)]
        while self.accept("|"):
            ctors.append(self.parse_fun_ctor(name))
        self.check_ctors(ctors)
        return ast.Adt(name, params, ctors, False, self.span(start))

    def parse_fun_ctor(self, type_name: str) -> ast.Ctor:
        start = self.peek()
        if start.kind == "NAME":
            self.advance()
            return ast.Ctor(f"{type_name}/{start.text}", [], self.tok_span(start))
        self.expect("(", "to open a constructor", hint="constructors are `Name` or `(Name field ~rec (f: Type))`")
        ctor = self.expect_name("the constructor's name").text
        fields = []
        while not self.at(")"):
            fields.append(self.parse_fun_field())
        self.advance()
        self.check_fields(fields)
        return ast.Ctor(f"{type_name}/{ctor}", fields, self.span(start))

    def parse_fun_field(self) -> ast.Field:
        start = self.peek()
        recursive = bool(self.accept("~"))
        if self.accept("("):
            name = self.expect_name("a field name").text
            typ = self.parse_type() if self.accept(":") else None
            self.expect(")", "to close the field")
            return ast.Field(name, recursive, typ, self.span(start))
        name = self.expect_name("a field name").text
        return ast.Field(name, recursive, None, self.span(start))

    def check_ctors(self, ctors: list) -> None:
        seen = set()
        for c in ctors:
            if c.name in seen:
                self.diagnostics.error(f"the constructor `{c.name}` is repeated", c.span)
            seen.add(c.name)

    def check_fields(self, fields: list) -> None:
        seen = set()
        for f in fields:
            if f.name in seen:
                self.diagnostics.error(f"the field `{f.name}` is repeated", f.span)
            seen.add(f.name)
