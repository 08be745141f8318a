"""Read a result net back as a Bend term, and print it as Bend does.

In:  the hvm tree a backend read back at the root (hvm.book trees: nodes, leaves, wires).
Out: a term (bend.ast: Lam, App, Tuple, Sup, Num, Ref, Era, Var, Link, Oper, Switch,
     Str and List for resugared strings and lists) and its text (`show`).

As Bend's (non-linear) readback does: a CON node met at its principal port is a pair when
its first aux port holds a closed tree (no wire leaving it) other than an eraser, and a lambda
otherwise; met at its third port it is an application. A DUP node met at an aux port is one
of the two copies of what it duplicates: the value at its principal port is read in its place
(both copies read the same), remembering which side was taken, so that a superposition met on
the way gives back that side. A superposition met otherwise is `{a b}`. A switch reads as
`switch a = a { 0: z; _: s; }`, its default arm's predecessor shown as `a-1`. Variables are
named a, b, c, ... in the order their binders are printed. References to generated
definitions are expanded (see expand_generated).

Constructors of the builtin String and List types are shown as `"text"` and `[1, 2]`; other
data types stay as Bend shows them, `λa (a Type/Ctor/tag fields...)`.
"""

from __future__ import annotations

from bend import ast
from bend.ast import clone, is_user, reachable
from bend.deep import deep
from bend.frontend.printer import show_string
from hvm import numbers
from hvm.book import Node, Num, Ref, Tag, Tree, Var
from bend.to_hvm.compile import FLIPPED, INTEGER_COMMUTATIVE, OPERATORS
from hvm.readback import collector_paused, var_name

ERA, NUM, REF, ROOT, TERM = "era", "num", "ref", "root", "term"  # (TERM: a string or list, read)
CON, DUP, OPR, SWI = Tag.CON, Tag.DUP, Tag.OPR, Tag.SWI  # (a module's name is read faster than an enum's member)


def readback(tree: Tree, book: ast.Book | None = None):
    """`book`: the program's definitions after desugaring (bend.to_hvm.Compiled.core), from
    which generated definitions left in the result are expanded."""
    with collector_paused():  # (a big result's terms: millions of objects, no cycles among them)
        return deep(_readback, tree, book)


def _readback(tree: Tree, book: ast.Book | None):
    reader = Reader(tree)
    term = reader.read(reader.peer[0])
    if book is not None:
        term = expand_generated(term, book)
    term = resugar(term, reader.sugared)
    show_predecessors(term)
    mark_unscoped(term)
    name_vars(term)
    return put_sugared(term, reader.sugared)


class Reader:
    """The tree as a graph of ports (3 * node + slot), then read as a term from the root."""

    def __init__(self, tree: Tree):
        self.kinds: list = [ROOT]
        self.values: list = [None]
        self.peer: list[int] = [-1, -1, -1]
        self.wires: dict[str, int] = {}  # a variable seen once -> the port it hangs from
        self.chains = Chains()
        self.sugared: dict[str, object] = {}  # (see Chains) the name of a stand-in variable -> its term
        self.build(tree, 0)
        self.binder_ids: dict[int, str] = {}  # port 3n+1 of a lambda -> its variable's id
        self.used: set[int] = set()
        self.reading: set = set()  # (port, dup path) pairs being read: a cycle reads as <cycle>
        self.dup_path: list[int] = []  # the aux slot (1 or 2) taken at each DUP passed through
        self.spans = None  # (see wire_spans)
        self.count = 0

    def connect(self, a: int, b: int) -> None:
        self.peer[a], self.peer[b] = b, a

    def node(self, kind, value=None) -> int:
        self.kinds.append(kind)
        self.values.append(value)
        self.peer.extend((-1, -1, -1))
        return len(self.kinds) - 1

    def build(self, t, parent: int) -> None:
        """Add tree `t`, hanging from the port `parent` (no recursion: trees can be deep)."""
        stack = [(t, parent)]
        while stack:
            t, parent = stack.pop()
            cls = type(t)
            if cls is Var:
                other = self.wires.pop(t.name, None)
                if other is None:
                    self.wires[t.name] = parent
                else:
                    self.connect(parent, other)
            elif cls is Node:
                sugared = self.chains.find(t)
                if sugared is not None:  # a string or list: one leaf, read as a stand-in for its term
                    name = f"<sugared {len(self.sugared)}>"
                    self.sugared[name] = sugared
                    self.connect(parent, 3 * self.node(TERM, name))
                    continue
                n = self.node(t.tag)
                self.connect(parent, 3 * n)
                stack.append((t.snd, 3 * n + 2))
                stack.append((t.fst, 3 * n + 1))
            else:
                kind, value = (NUM, t.numb) if cls is Num else (REF, t.name) if cls is Ref else (ERA, None)
                self.connect(parent, 3 * self.node(kind, value))

    def fresh(self) -> str:
        self.count += 1
        return f"%{self.count}"

    def read(self, port: int, partial_ok: bool = False):
        if port < 0:
            return ast.Var("<Invalid>")
        key = (port, tuple(self.dup_path))
        if key in self.reading:
            return ast.Var("<cycle>")
        self.reading.add(key)
        try:
            term = self.read_port(port)
        finally:
            self.reading.discard(key)
        if type(term) is Partial and not partial_ok:  # an operator still waiting for its operand
            return ast.Oper(term.op, term.left, ast.Var("_"))
        return term

    def read_port(self, port: int):
        n, slot = divmod(port, 3)
        kind = self.kinds[n]
        if kind == ERA:
            return ast.Era()
        if kind == NUM:
            return ast.Num(self.values[n])
        if kind == REF:
            return ast.Ref(self.values[n])
        if kind == ROOT:
            return ast.Var("<Invalid>")
        if kind == TERM:
            return ast.Var(self.values[n])
        if kind == CON:
            if slot == 0:
                return self.lambda_or_pair(n)
            if slot == 1:
                return self.binder_use(port)
            return ast.App(self.read(self.peer[3 * n]), self.read(self.peer[3 * n + 1]))
        if kind == DUP:
            if slot == 0:
                return self.superposition(n)
            self.dup_path.append(slot)  # one copy of the value: read the value itself
            try:
                return self.read(self.peer[3 * n])
            finally:
                self.dup_path.pop()
        if kind == OPR:
            if slot == 2:
                return self.operation(n)
            return ast.Var("<Invalid>")
        if kind == SWI:
            if slot == 2:
                scrutinee = self.read(self.peer[3 * n])
                arms = self.peer[3 * n + 1]
                if arms < 0 or arms % 3 or self.kinds[arms // 3] != CON:
                    return ast.Var("<Invalid>")
                zero, succ = self.read(self.peer[arms + 1]), self.read(self.peer[arms + 2])
                bind = scrutinee.name if type(scrutinee) is ast.Var else self.fresh()
                return ast.Switch(scrutinee, bind, [], [zero, succ])
            return ast.Var("<Invalid>")
        return ast.Var("<Invalid>")

    def superposition(self, n: int):
        """A DUP node met at its principal port: the side a DUP passed through on the way here
        took, or `{a b}` (just `a` when both sides are the two ports of one more DUP node)."""
        if self.dup_path:
            slot = self.dup_path.pop()
            try:
                return self.read(self.peer[3 * n + slot])
            finally:
                self.dup_path.append(slot)
        first, second = self.peer[3 * n + 1], self.peer[3 * n + 2]
        if first >= 0 and first % 3 == 1 and second == first + 1 and self.kinds[first // 3] == DUP:
            return self.read(self.peer[first - 1])
        return ast.Sup([self.read(first), self.read(second)])

    def lambda_or_pair(self, n: int):
        binder = 3 * n + 1
        if self.closed(self.peer[binder]):
            return ast.Tuple([self.read(self.peer[binder]), self.read(self.peer[3 * n + 2])])
        name = self.binder_ids.get(binder) or self.binder_ids.setdefault(binder, self.fresh())
        body = self.read(self.peer[3 * n + 2])
        first = self.peer[binder]
        if first >= 0 and self.kinds[first // 3] == ERA:
            return ast.Lam(ast.PEra(), body)
        return ast.Lam(ast.PVar(name), body)

    def closed(self, port: int) -> bool:
        """Whether the tree hanging at `port` is closed (every wire leaving one of its aux ports
        comes back into it) and not an eraser: then the CON node above it is a pair."""
        if port < 0 or port % 3 or self.kinds[port // 3] in (ERA, ROOT):
            return False
        if self.spans is None:
            self.spans = self.wire_spans()
        lo, hi, end = self.spans
        n = port // 3
        return lo[n] >= n and hi[n] < end[n]

    def wire_spans(self):
        """For each node n, the subtree under it (nodes n .. end[n] - 1: `build` numbers them
        depth first) and the lowest and highest node its wires reach (lo[n], hi[n]): the subtree
        is closed when they lie inside it. One pass, from the last node up."""
        count = len(self.kinds)
        big = count + 1
        lo, hi, end = [big] * count, [-1] * count, [n + 1 for n in range(count)]
        peer, kinds = self.peer, self.kinds
        for n in range(count - 1, 0, -1):
            if kinds[n] in (ERA, NUM, REF, TERM):
                continue
            for q in (3 * n + 1, 3 * n + 2):
                p = peer[q]
                if p > 0 and p % 3 == 0 and p // 3 > n:  # a child: its subtree is part of this one
                    c = p // 3
                    lo[n], hi[n], end[n] = min(lo[n], lo[c]), max(hi[n], hi[c]), max(end[n], end[c])
                else:  # a wire (to the root or a dangling port: to node 0, outside every subtree)
                    w = p // 3 if p > 0 else 0
                    lo[n], hi[n] = min(lo[n], w), max(hi[n], w)
        return lo, hi, end

    def binder_use(self, port: int):
        name = self.binder_ids.get(port)
        if name is None:  # met before its lambda: a variable that escapes its scope
            name = self.binder_ids[port] = self.fresh()
        self.used.add(port)
        return ast.Var(name)

    def operation(self, n: int):
        """An OPR node met at its result port: `x ~ $(y r)` (see bend.to_hvm.compile)."""
        x, y = self.read(self.peer[3 * n], partial_ok=True), self.read(self.peer[3 * n + 1])
        if type(x) is Partial:  # the second node of `x ~ $([op] $(y r))`
            return ast.Oper(x.op, x.left, y)
        if type(y) is ast.Num:
            tag, payload = numbers.tag_of(y.numb), numbers.payload_of(y.numb)
            if tag == numbers.SYM and payload in numbers.OPERATOR_SYMBOLS:
                return Partial(SYMBOL_OF[payload], x)
            k = ast.Num(numbers.new_u24(payload))  # (the constant's type is not kept: shown as u24)
            if tag in UNFLIPPED and UNFLIPPED[tag] != tag:  # `(op x k)` rides on k as `[flipped-op k]`
                return ast.Oper(SYMBOL_OF[UNFLIPPED[tag]], x, k)
            if tag in SYMBOL_OF:  # `(op k x)`: k is the left operand (of a commutative op: either, shown
                return ast.Oper(SYMBOL_OF[tag], k, x)  # first as Bend shows it)
        return ast.Oper("?", x, y)


# -- strings and lists, straight from the tree


class Chains:
    """Strings and lists found in the tree before it becomes a graph of ports, each made one
    leaf: a chain of String/Cons (List/Cons) cells as the runtime leaves them,
    `((@String/Cons/tag (head (tail a))) a)`, ending in a nil (`@String/Nil` or
    `((@String/Nil/tag a) a)`), whose heads are characters (a list's: plain data, see value).
    Its term is the one `resugar` would make of the chain, made in one loop over it, with no
    graph and no term for each cell: a million items read back in seconds, not a minute.

    Where only the end of a chain is such, that end is the leaf and the rest is read as any
    term (resugar joins the two, as it would have). A leaf reads as a variable named
    `<sugared N>`, which the passes after reading leave alone (plain data has nothing for them,
    and walking a million items was most of their time); put_sugared puts the terms in."""

    def __init__(self):
        self.seen: dict[int, object] = {}  # id(cell) -> its leaf's term, or None: already looked at

    def find(self, t: Node):
        """The term of the string or list starting at `t`, or None (not a chain, or not all one)."""
        seen = self.seen
        key = id(t)
        if key in seen:
            return seen.pop(key)
        cells, heads, kinds, end = chain(t)
        first = len(cells)  # the cells from `first` on make the string or list
        items = []
        append, u24, num = items.append, numbers.U24, ast.Num
        while first and kinds[first - 1] == end:
            head = heads[first - 1]
            if type(head) is Num:  # (most items: read here as `item` reads them)
                if end == "list":
                    append(num(head.numb))
                elif head.numb & 0x1F == u24:
                    append(chr(((head.numb >> 5) & 0xFFFFFF) % 0x110000))
                else:
                    break
                first -= 1
                continue
            head = item(head, end)
            if head is None:
                break
            append(head)
            first -= 1
        for cell in cells[1:first]:  # cells before the leaf: read as any term
            seen[id(cell)] = None
        if first == len(cells):
            return None
        items.reverse()
        term = ast.Str("".join(items)) if end == "str" else ast.List(items)
        if first == 0:
            return term
        seen[id(cells[first])] = term
        return None


CONS_KINDS = {"String/Cons/tag": "str", "List/Cons/tag": "list"}
NIL_KINDS = {"String/Nil": "str", "List/Nil": "list"}
NIL_TAG_KINDS = {"String/Nil/tag": "str", "List/Nil/tag": "list"}


def chain(t):
    """The cons cells down the chain of tails from `t`, their heads and kinds ("str", "list"),
    and the kind of the nil it ends in (None: it ends in something else)."""
    con = CON
    cells, heads, kinds = [], [], []
    while type(t) is Node and t.tag == con:
        app, ret = t.fst, t.snd
        if type(app) is not Node or app.tag != con or type(ret) is not Var or type(app.fst) is not Ref:
            break
        kind = CONS_KINDS.get(app.fst.name)
        rest = app.snd
        if kind is None or type(rest) is not Node or rest.tag != con:
            break
        last = rest.snd
        if type(last) is not Node or last.tag != con or type(last.snd) is not Var or last.snd.name != ret.name:
            break
        cells.append(t)
        heads.append(rest.fst)
        kinds.append(kind)
        t = last.fst
    return cells, heads, kinds, nil_kind(t) if cells else None


def nil_kind(t):
    """"str" or "list" if `t` is a String or List nil, else None."""
    if type(t) is Ref:
        return NIL_KINDS.get(t.name)
    if type(t) is Node and t.tag == CON and type(t.snd) is Var:
        app = t.fst
        if type(app) is Node and app.tag == CON and type(app.fst) is Ref and type(app.snd) is Var \
                and app.snd.name == t.snd.name:
            return NIL_TAG_KINDS.get(app.fst.name)
    return None


def item(head, kind: str):
    """A head as an item of the string (a character: a u24 number) or the list (see value), or
    None when it is not one the sugar takes here."""
    if kind == "str":
        if type(head) is Num and numbers.tag_of(head.numb) == numbers.U24:
            return chr(numbers.payload_of(head.numb) % 0x110000)
        return None
    return value(head)


def value(t):
    """The term of a tree that is plain data: a number, a pair of two (`(a, b)`), a string, or
    a list of them; None for anything else (where the passes after reading have work to do)."""
    cls = type(t)
    if cls is Num:
        return ast.Num(t.numb)
    if cls is Ref and t.name in NIL_KINDS:
        return ast.Str("") if NIL_KINDS[t.name] == "str" else ast.List([])
    if cls is not Node or t.tag != CON:
        return None
    _, heads, kinds, end = chain(t)
    if heads:
        if end is None or any(k != end for k in kinds):
            return None
        items = [item(h, end) for h in heads]
        if None in items:
            return None
        return ast.Str("".join(items)) if end == "str" else ast.List(items)
    fst = value(t.fst)
    if fst is None:
        return None
    snd = value(t.snd)
    return None if snd is None else ast.Tuple([fst, snd])


class Partial:
    """The first OPR node of a two-node operation: the operator and its left operand."""

    def __init__(self, op: str, left):
        self.op, self.left = op, left


SYMBOL_OF = {code: symbol for symbol, code in OPERATORS.items() if symbol != "**"}
SYMBOL_OF.update({numbers.FP_SUB: "-", numbers.FP_DIV: "/", numbers.FP_REM: "%", numbers.FP_SHL: "<<",
                  numbers.FP_SHR: ">>"})
UNFLIPPED = {flipped: op for op, flipped in FLIPPED.items()}
for _op in INTEGER_COMMUTATIVE:
    UNFLIPPED[_op] = _op


# -- switches


def show_predecessors(term) -> None:
    """`switch a = a { 0: z; _: λp s; }`: the default arm's λ goes, and `p` is shown as `a-1`
    (as Bend reads a switch back)."""
    for t in list(ast.descendants(term)):
        if type(t) is not ast.Switch:
            continue
        succ = t.arms[1]
        if type(succ) is not ast.Lam:
            continue
        if type(succ.pattern) is ast.PVar:
            old, new = succ.pattern.name, f"{t.bind}-1"
            for x in ast.descendants(succ.body):
                if type(x) is ast.Var and x.name == old:
                    x.name = new
        if type(succ.pattern) in (ast.PVar, ast.PEra):
            t.arms[1] = succ.body


def mark_unscoped(term) -> None:
    """A lambda whose variable is used outside its body binds it as `$x` (Bend's unscoped
    variables); each such use prints as `$x`."""
    binders: dict[str, object] = {}
    escaping: list = []

    def walk(t, scope: set) -> None:
        cls = type(t)
        if cls is ast.Var:
            if t.name.startswith("%") and t.name not in scope:
                escaping.append(t)
            return
        if cls is ast.Lam and type(t.pattern) is ast.PVar:
            binders[t.pattern.name] = t
            walk(t.body, scope | {t.pattern.name})
            return
        for sub in ast.subterms(t):
            walk(sub, scope)

    walk(term, set())
    for var in escaping:
        lam = binders.get(var.name)
        if lam is not None:
            lam.pattern = ast.PLink(var.name)
            var.__class__ = ast.Link  # the same fields: name and span


# -- generated definitions


def expand_generated(term, book: ast.Book):
    """Each reference to a generated definition (`f__C0`, `f__bend0`, ...: the compiler's, not
    the user's) that is not recursive is replaced by its body, as Bend's readback does: closed
    terms floated out of a function stay references in data nothing demanded, and should read
    as what the user wrote."""
    recursive: dict[str, bool] = {}

    def is_recursive(name: str) -> bool:
        if name not in recursive:
            calls = [t.name for t in ast.descendants(book.defs[name].rules[0].body) if type(t) is ast.Ref]
            recursive[name] = name in reachable(book, calls)
        return recursive[name]

    def visit(t):
        while type(t) is ast.Ref and not is_user(t.name) and t.name in book.defs and not is_recursive(t.name):
            t = clone(book.defs[t.name].rules[0].body)
        ast.map_subterms(t, visit)
        return t

    return visit(term)


# -- strings and lists


def constructor(t):
    """(constructor tag name or number, fields) if `t` is `λk (k tag fields...)`, or a call of
    String/Cons or List/Cons (from an expanded generated definition), else None."""
    if type(t) is ast.App and type(t.fun) is ast.App and type(t.fun.fun) is ast.Ref:
        if t.fun.fun.name in ("String/Cons", "List/Cons"):
            return t.fun.fun.name + "/tag", [t.fun.arg, t.arg]
    if type(t) is not ast.Lam or type(t.pattern) is not ast.PVar:
        return None
    k, body, args = t.pattern.name, t.body, []
    while type(body) is ast.App:
        args.append(body.arg)
        body = body.fun
    if type(body) is not ast.Var or body.name != k or not args:
        return None
    args.reverse()
    tag = args[0]
    if type(tag) is ast.Ref:
        return tag.name, args[1:]
    if type(tag) is ast.Num:
        return numbers.payload_of(tag.numb), args[1:]
    return None


CONS_TAGS = ("String/Cons/tag", "List/Cons/tag", 1)


def resugar(t, sugared: dict | None = None):
    """Strings and lists: a chain of String/Cons (List/Cons) ending in String/Nil (List/Nil),
    by their tags' names. Data the host built (IO answers) has numbers for tags: a chain with
    tags 1 ... 1 0 is shown as a list; alone, `λa (a 0)` stays as it is (it could be the first
    constructor of any type). As if bottom-up (a sugared tail stays sugared under constructors
    that are not), but walking a chain in a loop: a result can be a string of a million
    characters."""
    spine = []  # (constructor node, tag, head) down the chain of tails
    while True:
        found = constructor(t)
        if found is None or found[0] not in CONS_TAGS or len(found[1]) != 2:
            break
        spine.append((t, found[0], found[1][0]))
        t = found[1][1]
    end = resugar_end(t, bool(spine), sugared)
    sugared = None  # the sugared tail being built, items last-first: ("str", chars) or ("list", items)
    if type(end) is ast.Str:
        sugared = ("str", list(reversed(end.text)))
    elif type(end) is ast.List:
        sugared = ("list", list(reversed(end.items)))
    for node, tag, head in reversed(spine):
        head = resugar(head, sugared)
        kind = sugared[0] if sugared else None
        if tag == "String/Cons/tag" and kind == "str":
            if type(head) is ast.Num and numbers.tag_of(head.numb) == numbers.U24:
                sugared[1].append(chr(numbers.payload_of(head.numb) % 0x110000))
                continue
        elif tag != "String/Cons/tag" and kind == "list":
            sugared[1].append(head)
            continue
        elif tag == 1 and kind is None and constructor(end) == (0, []):
            sugared = ("list", [head])
            continue
        tail = end if sugared is None else sugared_term(sugared)
        sugared, end = None, node
        call = node if type(node) is ast.App else node.body  # (List/Cons head tail) or λk (k tag head tail)
        call.fun.arg, call.arg = head, tail
    return end if sugared is None else sugared_term(sugared)


def sugared_term(sugared):
    kind, items = sugared
    items.reverse()
    return ast.Str("".join(items)) if kind == "str" else ast.List(items)


def resugar_end(t, ends_a_chain: bool, sugared: dict | None = None):
    """The term at the end of a chain (or any term that is not a String/List constructor). A
    nil is `""` or `[]` when it is a reference, or ends a chain; alone, a λ-encoded nil stays as
    it is (`λa (a List/Nil/tag)`), as Bend shows it. A stand-in for a string or list read
    straight from the tree (see Chains) is its term when it ends a chain, else it stays."""
    if type(t) is ast.Var:
        if ends_a_chain and sugared and t.name in sugared:
            return copy_sugared(sugared[t.name])
        return t
    ast.map_subterms(t, lambda sub: resugar(sub, sugared))
    if type(t) is ast.Ref and t.name in ("String/Nil", "List/Nil"):
        return ast.Str("") if t.name == "String/Nil" else ast.List([])
    found = constructor(t) if ends_a_chain else None
    if found is not None and found[0] in ("String/Nil/tag", "List/Nil/tag") and not found[1]:
        return ast.Str("") if found[0] == "String/Nil/tag" else ast.List([])
    return t


def copy_sugared(term):
    return ast.Str(term.text) if type(term) is ast.Str else ast.List(list(term.items))


def put_sugared(term, sugared: dict):
    """Each stand-in `<sugared N>` replaced by its string or list (a copy where it occurs twice)."""
    if not sugared:
        return term
    placed: set[str] = set()

    def put(t):
        if type(t) is not ast.Var or t.name not in sugared:
            return t
        if t.name in placed:
            return copy_sugared(sugared[t.name])
        placed.add(t.name)
        return sugared[t.name]

    parents = [t for t in ast.descendants(term) if any(type(x) is ast.Var and x.name in sugared
                                                        for x in ast.subterms(t))]
    for t in parents:
        ast.map_subterms(t, put)
    return put(term)


# -- names


def name_vars(t) -> None:
    """Rename the generated names to a, b, c, ... in the order their binders are printed."""
    names: dict[str, str] = {}

    def name(old: str) -> str:
        if old not in names:
            names[old] = var_name(len(names))
        return names[old]

    def visit(x) -> None:
        cls = type(x)
        if cls is ast.Lam and type(x.pattern) in (ast.PVar, ast.PLink):
            x.pattern.name = name(x.pattern.name)
        elif cls in (ast.Var, ast.Link) and x.name.startswith("%"):
            base, minus, rest = x.name.partition("-")  # `%3-1`: a switch's predecessor
            x.name = name(base) + minus + rest
        elif cls is ast.Switch and x.bind.startswith("%"):
            x.bind = name(x.bind)
        for sub in ast.subterms(x):
            visit(sub)

    visit(t)


# -- text


def show(t) -> str:
    """A term as Bend prints it. (Written into one list of parts: a deep result, a list or a
    constructor nested 100,000 deep, is shown in time linear in its text.)"""
    out: list[str] = []
    deep(_show, t, out)
    return "".join(out)


show_number = numbers.bend_text  # (a number as Bend prints it: in hvm.numbers, for bend.start)


ATOMS = (ast.Var, ast.Link, ast.Num, ast.Ref, ast.Era, ast.Str)  # (shown on one line by any printer)


def show_binder(p) -> str:
    """A lambda's binder: `x`, `*` or `$x`."""
    cls = type(p)
    return p.name if cls is ast.PVar else "*" if cls is ast.PEra else f"${p.name}" if cls is ast.PLink else "?"


def _show(t, out: list[str]) -> None:
    put = out.append
    cls = type(t)
    if cls is ast.Var:
        put(t.name)
    elif cls is ast.Link:
        put(f"${t.name}")
    elif cls is ast.Num:
        put(show_number(t.numb))
    elif cls is ast.Ref:
        put(t.name)
    elif cls is ast.Era:
        put("*")
    elif cls is ast.Lam:
        put(f"λ{show_binder(t.pattern)} ")
        _show(t.body, out)
    elif cls is ast.App:
        fun, args = t, []
        while type(fun) is ast.App:
            args.append(fun.arg)
            fun = fun.fun
        put("(")
        _show_all([fun, *reversed(args)], " ", out)
        put(")")
    elif cls is ast.Tuple:
        put("(")
        _show_all(t.items, ", ", out)
        put(")")
    elif cls is ast.Sup:
        put("{")
        _show_all(t.items, " ", out)
        put("}")
    elif cls is ast.Str:
        put(show_string(t.text))
    elif cls is ast.List:
        put("[")
        _show_all(t.items, ", ", out)
        put("]")
    elif cls is ast.Oper:
        put(f"({t.op} ")
        _show_all([t.left, t.right], " ", out)
        put(")")
    elif cls is ast.Switch:
        zero, succ = t.arms
        put(f"switch {t.bind} = ")
        _show(t.scrutinee, out)
        put(" { 0: ")
        _show(zero, out)
        put("; _: ")
        _show(succ, out)
        put("; }")
    elif cls is ast.Call and not t.args:  # a constructor's value, shown as data (bend.to_hvm.data_view)
        _show(t.fun, out)
        put(" { ")
        for k, (name, value, _) in enumerate(t.kwargs):
            put(f"{', ' if k else ''}{name}: ")
            _show(value, out)
        put(" }")
    else:
        put("<Invalid>")


def _show_all(items, sep: str, out: list[str]) -> None:
    for k, item in enumerate(items):
        if k:
            out.append(sep)
        _show(item, out)
