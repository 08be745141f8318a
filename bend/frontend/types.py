"""Type annotations, in both syntaxes: `u24`, `List(u24)` / `(List u24)`, `(A, B)`, `A -> B`.

In:  the parser's tokens, at the start of a type.
Out: bend.ast types. Names are TCtr nodes (with or without arguments); whether a name is a
     type variable is decided later, where the declared types are known. `Any`, `None` and
     `_` are TAny, TNone and THole.
"""

from __future__ import annotations

from bend import ast


class TypeParser:
    def parse_type(self):
        """An arrow type, right-associative: `A -> B -> C` is `A -> (B -> C)`."""
        start = self.peek()
        arg = self.parse_type_atom()
        if self.accept("->"):
            return ast.TArrow(arg, self.parse_type(), self.span(start))
        return arg

    def parse_type_atom(self):
        start = self.peek()
        if start.kind == "NAME":
            self.advance()
            name = start.text
            if name == "Any":
                return ast.TAny(self.span(start))
            if name == "None":
                return ast.TNone(self.span(start))
            if name == "_":
                return ast.THole(self.span(start))
            args = []
            if self.at("(") and not self.peek().space_before:  # imp style: List(u24)
                self.advance()
                while not self.at(")"):
                    args.append(self.parse_type())
                    if not self.accept(","):
                        break
                self.expect(")", "to close the type arguments")
            return ast.TCtr(name, args, self.span(start))
        if self.accept("("):
            if self.accept(")"):
                self.fail("expected a type inside `()`", start)
            first = self.parse_type()
            if self.at(","):  # a tuple type
                items = [first]
                while self.accept(","):
                    items.append(self.parse_type())
                self.expect(")", "to close the tuple type")
                return ast.TTuple(items, self.span(start))
            if isinstance(first, ast.TCtr) and not first.args and not self.at(")"):  # fun style: (List u24)
                args = []
                while not self.at(")") and self.peek().kind != "EOF":
                    args.append(self.parse_type_atom())
                self.expect(")", "to close the type application")
                return ast.TCtr(first.name, args, self.span(start))
            self.expect(")", "to close the type")
            return first
        self.fail_here(f"expected a type, found {self.describe(start)}",
                       hint="types are like u24, List(u24), (u24, f24), u24 -> u24, Any")
