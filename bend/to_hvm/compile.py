"""Compile core terms to HVM2 nets, one net per definition.

In:  a desugared Book (bend.desugar.pipeline): each definition's body is a linear core term
     (Var, Link, Era, Num, Ref, Lam, App, Oper, Let, Tuple, Sup, Swi), and native `hvm`
     definitions as text.
Out: an hvm.book.Book. A lambda and a tuple are CON nodes seen from their principal port, an
     application a CON node whose principal port meets the function (its result is the third
     port), a superposition or dup a DUP node, a switch a SWI node; numbers, references and
     erasers are leaves. Each variable is a wire from its binder to its one use.

    λf λx (f x)   ==>   ((a b) (a b))
    (+ x 1)       ==>   x ~ $([+0x0000001] r)       (one OPR node: the constant rides along)
    (- 1 x)       ==>   [-0x0000001] ~ $(x r)
    (* x y)       ==>   x ~ $([*] $(y r))           (two OPR nodes: the operator, then y)

The net is assembled as a graph of ports first, then read out as trees hanging from the root
and from each active pair (two principal ports that meet: a redex, `& a ~ b`).
"""

from __future__ import annotations

from array import array

from bend import ast
from bend.diagnostics import BendError, Diagnostics
from hvm import numbers
from hvm.book import Book, Chain, Definition, Era, Net, Node, Num, Redex, Ref, Tag, Var
from hvm.errors import Span
from hvm.readback import var_name
from hvm.validate import net_problems

# node kinds (the binary ones are hvm.book.Tag values)
ROOT, ERA, NUM, REF, FWD = "root", "era", "num", "ref", "fwd"
CHAIN = "chain"  # one port, the head of an hvm.book.Chain (its value: cons, nil, numbs)
BINARY = (Tag.CON, Tag.DUP, Tag.OPR, Tag.SWI)

OPERATORS = {
    "+": numbers.ADD, "-": numbers.SUB, "*": numbers.MUL, "/": numbers.DIV, "%": numbers.REM,
    "==": numbers.EQ, "!=": numbers.NEQ, "<": numbers.LT, ">": numbers.GT, "&": numbers.AND,
    "|": numbers.OR, "^": numbers.XOR, "**": numbers.XOR, "<<": numbers.SHL, ">>": numbers.SHR,
}
# `(op x k)` with a constant k rides on k as `[flipped-op k]`: k becomes the left operand
FLIPPED = {
    numbers.ADD: numbers.ADD, numbers.MUL: numbers.MUL, numbers.EQ: numbers.EQ, numbers.NEQ: numbers.NEQ,
    numbers.SUB: numbers.FP_SUB, numbers.DIV: numbers.FP_DIV, numbers.REM: numbers.FP_REM,
    numbers.SHL: numbers.FP_SHL, numbers.SHR: numbers.FP_SHR, numbers.LT: numbers.GT, numbers.GT: numbers.LT,
}
# commutative for integers only: on f24 they are atan2, log and pow
INTEGER_COMMUTATIVE = (numbers.AND, numbers.OR, numbers.XOR)


def compile_book(book: ast.Book, entry: str = "main", diagnostics: Diagnostics | None = None) -> Book:
    """Raises BendError for an unscoped variable used twice or never bound, and for a native `hvm`
    definition whose net is not well formed; the errors are added to `diagnostics` (the program's)."""
    out = Book()
    diagnostics = Diagnostics() if diagnostics is None else diagnostics
    for name, d in book.defs.items():
        net = NetBuilder(name, diagnostics, d.span).build(d.rules[0].body)
        out.defs[name] = Definition(name, net)
    for name, h in book.hvm_defs.items():
        out.defs[name] = Definition(name, Net(h.net.root, list(h.net.redexes)))  # (passes replace redexes)
    for name, h in book.hvm_defs.items():
        check_native(h, out.defs[name].net, out.defs, diagnostics)
    if diagnostics.errors:
        raise BendError(diagnostics)
    return out


def check_native(h: ast.HvmDef, net: Net, defs: dict, diagnostics: Diagnostics) -> None:
    """A native net is well formed: each variable is the two ends of one wire, each `@ref` is defined."""
    for message, pos, length, hint in net_problems(net, defs):
        span = h.span
        if h.span is not None and pos is not None:  # (the net was parsed where it is in the file)
            span = Span(h.span.path, h.span.source, pos, pos + length)
        diagnostics.error(f"in hvm definition `{h.name}`: {message}", span, hint)


class NetBuilder:
    """Ports are numbered 3 * node + slot (slot 0 is the principal port)."""

    def __init__(self, name: str, diagnostics: Diagnostics, span=None):
        self.name = name
        self.span = span
        self.diagnostics = diagnostics
        self.kinds: list = []
        self.values: list = []
        self.peer: list[int] = []
        self.scope: dict[str, int] = {}  # variable -> its binder's port
        self.links: dict[str, int] = {}  # unscoped `$x` -> the port waiting for the other end
        self.link_bound: set[str] = set()
        self.link_used: set[str] = set()
        self.link_spans: dict[str, object] = {}  # where each `$x` appears first

    # -- the graph

    def node(self, kind, value=None) -> int:
        self.kinds.append(kind)
        self.values.append(value)
        self.peer.extend((-1, -1, -1))
        return len(self.kinds) - 1

    def connect(self, a: int, b: int) -> None:
        self.peer[a], self.peer[b] = b, a

    def leaf(self, kind, value=None) -> int:
        return 3 * self.node(kind, value)

    # -- terms

    def build(self, body) -> Net:
        root = self.node(ROOT)
        self.connect(3 * root, self.term(body))
        for name in self.link_bound ^ self.link_used:
            what = "bound but never used" if name in self.link_bound else "used but never bound"
            self.diagnostics.error(f"the unscoped variable `${name}` is {what} in `{self.name}`",
                                   self.link_spans.get(name),
                                   hint="each `$x` must be bound by one `λ$x` and used exactly once")
        return self.net(root)

    def term(self, t) -> int:
        """Encode `t`; the port that carries its value (to connect to where it is used)."""
        cls = type(t)
        if cls is ast.Var:
            port = self.scope.pop(t.name, None)
            if port is None:  # (the checks before desugaring report this for the user's own code)
                self.diagnostics.error(f"unbound variable `{t.name}` in `{self.name}`", t.span)
                return self.leaf(ERA)
            return port
        if cls is ast.Lam:
            n = self.node(Tag.CON)
            shadowed = self.shadow(t.pattern)
            self.bind(t.pattern, 3 * n + 1)
            self.connect(3 * n + 2, self.term(t.body))
            self.scope.update(shadowed)
            return 3 * n
        if cls is ast.App:
            n = self.node(Tag.CON)
            self.connect(3 * n, self.term(t.fun))
            self.connect(3 * n + 1, self.term(t.arg))
            return 3 * n + 2
        if cls is ast.Let:
            value = self.term(t.value)
            shadowed = self.shadow(t.pattern)
            self.bind(t.pattern, value)
            body = self.term(t.body)
            self.scope.update(shadowed)
            return body
        if cls is ast.Num:
            return self.leaf(NUM, t.numb)
        if cls is ast.Ref:
            return self.leaf(REF, t.name)
        if cls is ast.Era:
            return self.leaf(ERA)
        if cls is ast.Tuple or cls is ast.Sup:
            n = self.node(Tag.CON if cls is ast.Tuple else Tag.DUP)
            self.connect(3 * n + 1, self.term(t.items[0]))
            self.connect(3 * n + 2, self.term(t.items[1]))
            return 3 * n
        if cls is ast.Oper:
            return self.oper(t)
        if cls is ast.Swi:
            n = self.node(Tag.SWI)
            self.connect(3 * n, self.term(t.scrutinee))
            arms = self.node(Tag.CON)
            self.connect(3 * n + 1, 3 * arms)
            self.connect(3 * arms + 1, self.term(t.zero))
            self.connect(3 * arms + 2, self.term(t.succ))
            return 3 * n + 2
        if cls is ast.Link:
            return self.use_link(t.name, t.span)
        if cls is ast.Str:
            if t.text:
                return 3 * self.node(CHAIN, ("String/Cons", "String/Nil",
                                             array("I", [numbers.new_u24(ord(c)) for c in t.text])))
            return self.leaf(REF, "String/Nil")
        if cls is ast.List:
            return self.chain("List/Cons", "List/Nil", t.items)
        raise AssertionError(f"not a core term: {type(t).__name__}")

    def chain(self, cons: str, nil: str, items: list) -> int:
        """A long literal (bend.desugar.literals.LONG): `(cons i0 (cons i1 ... nil))`. Of numbers
        (a string's characters), an hvm.book.Chain: one node here, its head the literal's value;
        else built in a loop, node for node as `term` builds the applications."""
        if items and all(type(item) is ast.Num for item in items):
            return 3 * self.node(CHAIN, (cons, nil, array("I", [item.numb for item in items])))
        result = hole = None
        for item in items:
            outer, inner = self.node(Tag.CON), self.node(Tag.CON)  # ((cons item) tail)
            self.connect(3 * outer, 3 * inner + 2)
            self.connect(3 * inner, self.leaf(REF, cons))
            self.connect(3 * inner + 1, self.term(item))
            if hole is None:
                result = 3 * outer + 2
            else:
                self.connect(hole, 3 * outer + 2)
            hole = 3 * outer + 1
        end = self.leaf(REF, nil)
        if hole is None:
            return end
        self.connect(hole, end)
        return result

    def shadow(self, p) -> dict:
        """The bindings that the names of `p` hide (to put back when its scope ends)."""
        return {n: self.scope[n] for n in ast.binder_names(p) if n in self.scope}

    def bind(self, p, port: int) -> None:
        """Attach a binder pattern to `port`, the port that carries the bound value."""
        cls = type(p)
        if cls is ast.PVar:
            self.scope[p.name] = port
        elif cls is ast.PEra:
            self.connect(port, self.leaf(ERA))
        elif cls is ast.PLink:
            self.bind_link(p.name, port, p.span)
        elif cls is ast.PTuple or cls is ast.PSup:
            n = self.node(Tag.CON if cls is ast.PTuple else Tag.DUP)
            self.connect(3 * n, port)
            self.bind(p.items[0], 3 * n + 1)
            self.bind(p.items[1], 3 * n + 2)
        else:
            raise AssertionError(f"not a binder: {type(p).__name__}")

    # unscoped variables: the binder and the use may come in either order

    def bind_link(self, name: str, port: int, span=None) -> None:
        if name in self.link_bound:
            self.diagnostics.error(f"the unscoped variable `${name}` is bound twice in `{self.name}`", span)
            self.connect(port, self.leaf(ERA))
            return
        self.link_bound.add(name)
        self.link_spans.setdefault(name, span)
        if name in self.links:
            self.connect(port, self.links.pop(name))
        else:
            self.links[name] = port

    def use_link(self, name: str, span=None) -> int:
        if name in self.link_used:
            self.diagnostics.error(f"the unscoped variable `${name}` is used twice in `{self.name}`", span)
            return self.leaf(ERA)
        self.link_used.add(name)
        self.link_spans.setdefault(name, span)
        if name in self.links:
            return self.links.pop(name)
        fwd = self.node(FWD)  # a wire whose far end is the binder, still to come
        self.links[name] = 3 * fwd + 1
        return 3 * fwd

    # numeric operators

    def oper(self, t: ast.Oper) -> int:
        if t.op in ("<=", ">="):  # (<= a b) is (== (> a b) 0)
            strict = ast.Oper(">" if t.op == "<=" else "<", t.left, t.right)
            return self.oper(ast.Oper("==", strict, ast.Num(numbers.new_u24(0))))
        op = OPERATORS[t.op]
        left, right = t.left, t.right
        n = self.node(Tag.OPR)
        if type(left) is ast.Num:
            self.connect(3 * n, self.leaf(NUM, numbers.numb(numbers.payload_of(left.numb), op)))
            self.connect(3 * n + 1, self.term(right))
            return 3 * n + 2
        flipped = FLIPPED.get(op)
        if type(right) is ast.Num and t.op != "**":
            if flipped is None and op in INTEGER_COMMUTATIVE and numbers.tag_of(right.numb) != numbers.F24:
                flipped = op
            if flipped is not None:
                self.connect(3 * n, self.term(left))
                self.connect(3 * n + 1, self.leaf(NUM, numbers.numb(numbers.payload_of(right.numb), flipped)))
                return 3 * n + 2
        self.connect(3 * n, self.term(left))
        self.connect(3 * n + 1, self.leaf(NUM, numbers.new_sym(op)))
        second = self.node(Tag.OPR)
        self.connect(3 * n + 2, 3 * second)
        self.connect(3 * second + 1, self.term(right))
        return 3 * second + 2

    # -- the graph as trees

    def net(self, root: int) -> Net:
        self.remove_forwards()
        self.names: dict[int, Var] = {}
        self.visited = [False] * len(self.kinds)
        self.visited[root] = True
        tree = self.tree(self.peer[3 * root])
        redexes, chains = [], []
        for n, kind in enumerate(self.kinds):
            if self.visited[n] or kind == FWD:
                continue
            if kind == CHAIN:
                continue
            other = self.peer[3 * n]
            if other % 3 != 0:
                continue  # hangs from an aux port: part of another tree
            a, b = self.tree(3 * n), self.tree(other)
            if type(b) is Ref and type(a) is not Ref or type(a) is Num:
                a, b = b, a
            redexes.append(Redex(a, b))
        for n, kind in enumerate(self.kinds):  # (after the trees: they name the chains' heads)
            if kind == CHAIN:
                self.visited[n] = True
                cons, nil, numbs = self.values[n]
                chains.append(Chain(cons, nil, numbs, self.tree(3 * n)))
        if not all(self.visited[n] or k == FWD for n, k in enumerate(self.kinds)):
            self.diagnostics.error(
                f"`{self.name}` makes a net with a vicious circle: nodes wired in a loop that nothing can reach",
                self.span, hint="an unscoped variable `$x` is probably used inside the very term that binds it")
        return Net(tree, redexes, chains)

    def remove_forwards(self) -> None:
        for n, kind in enumerate(self.kinds):
            if kind == FWD:
                self.connect(self.peer[3 * n], self.peer[3 * n + 1])

    def tree(self, port: int):
        n, slot = divmod(port, 3)
        if slot != 0 or self.kinds[n] == ROOT or self.kinds[n] == CHAIN:  # a wire (not between principal ports)
            wire = min(port, self.peer[port])
            var = self.names.get(wire)
            if var is None:
                var = self.names[wire] = Var(var_name(len(self.names)))
            return var
        self.visited[n] = True
        kind = self.kinds[n]
        if kind == ERA:
            return Era()
        if kind == NUM:
            return Num(self.values[n])
        if kind == REF:
            return Ref(self.values[n])
        return Node(kind, self.tree(self.peer[port + 1]), self.tree(self.peer[port + 2]))
