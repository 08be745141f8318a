"""Compile a definition's CALL by partial evaluation: `@f ~ b` as straight-line native code.

In:  a definition (hvm.flatbook.FlatDef), the whole FlatBook (to inline small definitions),
     an Emitter and a builder positioned in the body of `hvm_def_<fid>(net, tm, b)`.
Out: the body. Interactions whose outcome does not depend on run-time data are done while
     compiling; those that depend only on the tag or value of a run-time port become a branch
     on it; what is left is built in memory and linked at run time, exactly as HVM2 would.

    @Fib = (?((0 @Fib__C1) a) a)     with b = (n r) at run time, n a number:
      ANNI  (?(..) a) ~ (n r)         done here: n and r are read from b's node
      SWIT  ?((0 @Fib__C1) a) ~ n     one branch on n == 0
      ANNI  (a *) ~ (0 @Fib__C1)      done here (n == 0): a ~ 0, so r ~ 0
      VOID  * ~ @Fib__C1              done here
      ==> if tag(b) == CON and tag(n) == NUM and n == 0: link(r, 0); itrs += CALL 1, ANNI 2, SWIT 1, VOID 1

The values it works on are symbolic: a static node or leaf (known now), a wire of the
definition (`SVar`, two ends, like a var), or a run-time port (`Dyn`, whose tag may be known
on a branch). The rules are hvm.reference's, applied to these values, and every interaction
done here is counted as that rule at run time, so the counts stay exactly HVM2's. One detail
matters for the counts: OPER operates at once only when the operator node *holds* a number
in its first port; a wire there means the swap, even when the wire is already connected to
a number (as in HVM2, which looks at the stored port).

Budgets keep the code small: a limited number of paths (branches) per definition, of
interactions done here per path, and of inlined recursive definitions per path; past them,
what remains is left to run time.
"""

from __future__ import annotations

from llvmlite import ir

from hvm import numbers
from hvm.flatbook import FlatBook, FlatDef
from hvm.llvm_cpu.runtime_ir import Emitter
from hvm.numbers_ir import emit_operate
from hvm.ports import CON, DUP, ERA, FID_MASK, NUM, OPR, REF, VAR
from hvm.rules import ANNI, CALL, COMM, ERAS, HIGH_PRIORITY, OPER, RULE_TABLE, SWIT, VOID
from hvm.rules_ir import c32

MAX_PATHS = 12  # branches per definition
MAX_STEPS = 256  # interactions done at compile time, per path
MAX_RECURSIVE_INLINES = 2  # inlined calls of recursive definitions, per path


class SNode:
    """A node known at compile time: tag and two children (symbolic values)."""

    __slots__ = ("tag", "fst", "snd")

    def __init__(self, tag, fst, snd):
        self.tag, self.fst, self.snd = tag, fst, snd


class SLeaf:
    """A nullary port known at compile time: ERA, a NUM or a REF."""

    __slots__ = ("port",)

    def __init__(self, port: int):
        self.port = port

    @property
    def tag(self) -> int:
        return self.port & 7


class SVar:
    """A wire of the definition (or one made by COMM here): two ends, like a runtime var."""

    __slots__ = ()


class Dyn:
    """A port known only at run time: an LLVM value; `tag` is known on some branches."""

    __slots__ = ("value", "tag")

    def __init__(self, value, tag: int | None = None):
        self.value, self.tag = value, tag


def is_static(x) -> bool:
    return type(x) is SNode or type(x) is SLeaf


def recursive_definitions(book: FlatBook) -> set[int]:
    """The fids in a cycle of references (they cannot be inlined without limit): those in a
    strongly connected component of more than one, or referring to themselves. (Tarjan's
    algorithm, without recursion: linear in the book, which may hold a chain of 30,000.)"""
    refs = [sorted({(p >> 3) & FID_MASK for p in set(d.ports) if p & 7 == REF}) for d in book.defs]
    index: dict[int, int] = {}  # fid -> order of discovery
    low: dict[int, int] = {}
    on_stack: set[int] = set()
    stack: list[int] = []
    recursive = set()
    for root in range(len(refs)):
        if root in index:
            continue
        work = [(root, 0)]  # (fid, next reference to follow)
        while work:
            f, i = work.pop()
            if i == 0:
                index[f] = low[f] = len(index)
                stack.append(f)
                on_stack.add(f)
            if i < len(refs[f]):
                work.append((f, i + 1))
                g = refs[f][i]
                if g not in index:
                    work.append((g, 0))
                elif g in on_stack:
                    low[f] = min(low[f], index[g])
                continue
            if work:  # back in the caller: it takes the lowest link f found
                caller = work[-1][0]
                low[caller] = min(low[caller], low[f])
            if low[f] == index[f]:  # f roots a component: pop it
                component = []
                while True:
                    g = stack.pop()
                    on_stack.discard(g)
                    component.append(g)
                    if g == f:
                        break
                if len(component) > 1 or f in refs[f]:
                    recursive.update(component)
    return recursive


class Path:
    """The compile-time state of one path through the code: wires, pending pairs, counts."""

    def __init__(self):
        self.bind: dict[SVar, object] = {}  # a wire whose first end arrived -> what it met
        self.pending: list[tuple] = []  # principal pairs still to handle
        self.residual: list[tuple] = []  # pairs left to run time
        self.counts = [0] * 8
        self.steps = 0
        self.recursive_inlines = 0
        self.cold = False  # the default side of a branch: no further branches on it

    def fork(self) -> "Path":
        p = Path()
        p.cold = self.cold
        p.bind = dict(self.bind)
        p.pending = list(self.pending)
        p.residual = list(self.residual)
        p.counts = list(self.counts)
        p.steps, p.recursive_inlines = self.steps, self.recursive_inlines
        return p

    def link(self, x, y) -> None:
        """Connect two symbolic ports; wires are resolved now, principal pairs wait in `pending`."""
        while True:
            if type(x) is not SVar:
                if type(y) is not SVar:
                    self.pending.append((x, y))
                    return
                x, y = y, x
            if x in self.bind:
                x, y = self.bind.pop(x), y
                continue
            self.bind[x] = y
            return


def instantiate(d: FlatDef):
    """A fresh symbolic copy of a definition's net: (root, [redex pairs])."""
    wires = [SVar() for _ in range(d.var_count)]
    nodes: list[SNode] = [SNode(0, None, None) for _ in range(d.node_count)]

    def sym(p: int):
        tag = p & 7
        if tag == VAR:
            return wires[p >> 3]
        if tag >= CON:
            return nodes[p >> 3]
        return SLeaf(p)

    for node, (fst, snd) in zip(nodes, d.nodes):
        node.fst, node.snd = sym(fst), sym(snd)
    # node tags come from the ports that point at them
    for p in d.ports:
        if p & 7 >= CON:
            nodes[p >> 3].tag = p & 7
    return sym(d.root), [(sym(a), sym(b)) for a, b in d.redexes]


class Specializer:
    def __init__(self, em: Emitter, book: FlatBook, d: FlatDef, recursive: set[int]):
        self.em, self.book, self.d, self.recursive = em, book, d, recursive
        self.paths_left = MAX_PATHS

    # -- entry

    def emit(self, b: ir.IRBuilder, net, tm, target) -> None:
        self.net, self.tm = net, tm
        path = Path()
        path.counts[CALL] += 1
        root, redexes = instantiate(self.d)
        path.link(root, Dyn(target))
        for x, y in redexes:
            path.link(x, y)
        self.run(path, b)

    # -- the compile-time reducer

    def run(self, path: Path, b: ir.IRBuilder) -> None:
        while True:
            pair = self.choose(path)
            if pair is None:
                self.residualize(path, b)
                return
            x, y = pair
            if is_static(x) and is_static(y):
                self.static_interact(path, b, x, y)
            elif is_static(x) or is_static(y):
                s, p = (x, y) if is_static(x) else (y, x)
                if p.tag is not None:
                    if self.known_interact(path, b, s, p):
                        return  # the branches continue the work
                elif self.branch(path, b, s, p):
                    return
                else:
                    path.residual.append((s, p))
            else:
                path.residual.append((x, y))

    def choose(self, path: Path):
        """The next pair to handle: static ones first, then those with a known tag, then the rest."""
        pending = path.pending
        if not pending:
            return None
        best, rank = 0, 3
        for i, (x, y) in enumerate(pending):
            r = self.rank(path, x, y)
            if r < rank:
                best, rank = i, r
                if r == 0:
                    break
        return pending.pop(best)

    def rank(self, path: Path, x, y) -> int:
        sx, sy = is_static(x), is_static(y)
        if sx and sy:
            return 0 if path.steps < MAX_STEPS and self.may_reduce(path, x, y) else 2
        if (sx and y.tag is not None) or (sy and x.tag is not None):
            return 1
        return 2

    def may_reduce(self, path: Path, x, y) -> bool:
        """A static pair is reduced now unless it is a call we choose not to inline."""
        ref, other = (x, y) if x.tag == REF else (y, x)
        if ref.tag != REF or type(other) is not SNode:
            return True
        d = self.book.defs[(ref.port >> 3) & FID_MASK]
        if other.tag == DUP and d.safe:
            return True
        return d.fid not in self.recursive or path.recursive_inlines < MAX_RECURSIVE_INLINES

    def static_interact(self, path: Path, b, x, y) -> None:
        if not (path.steps < MAX_STEPS and self.may_reduce(path, x, y)):
            path.residual.append((x, y))
            return
        path.steps += 1
        if x.tag > y.tag:
            x, y = y, x
        rule = RULE_TABLE[x.tag][y.tag]
        if rule == VOID:
            path.counts[VOID] += 1
        elif rule == ERAS:
            self.erase(path, x, y)
        elif rule == ANNI:
            path.counts[ANNI] += 1
            path.link(x.fst, y.fst)
            path.link(x.snd, y.snd)
        elif rule == COMM:
            self.commute(path, x, y)
        elif rule == OPER:
            self.operate(path, b, x, y)
        elif rule == SWIT:
            n = numbers.payload_of(x.port >> 3)
            path.counts[SWIT] += 1
            if n == 0:
                path.link(SNode(CON, y.snd, SLeaf(ERA)), y.fst)
            else:
                pred = SLeaf((numbers.new_u24(n - 1) << 3) | NUM)
                path.link(SNode(CON, SLeaf(ERA), SNode(CON, pred, y.snd)), y.fst)
        elif rule == CALL:
            self.call(path, x, y)
        else:  # LINK never reaches here: wires are resolved by Path.link
            raise AssertionError(f"unexpected rule {rule}")

    def erase(self, path: Path, leaf, node) -> None:
        # n ~ (b1 b2)  ==>  n ~ b1,  n ~ b2
        path.counts[ERAS] += 1
        path.link(leaf, node.fst)
        path.link(leaf, node.snd)

    def commute(self, path: Path, x: SNode, y: SNode) -> None:
        # (a1 a2) ~ {b1 b2}   ==>   a1 ~ {v0 v1},  a2 ~ {v2 v3},  b1 ~ (v0 v2),  b2 ~ (v1 v3)
        path.counts[COMM] += 1
        v = [SVar() for _ in range(4)]
        path.link(SNode(y.tag, v[0], v[1]), x.fst)
        path.link(SNode(y.tag, v[2], v[3]), x.snd)
        path.link(SNode(x.tag, v[0], v[2]), y.fst)
        path.link(SNode(x.tag, v[1], v[3]), y.snd)

    def operate(self, path: Path, b, n, node: SNode) -> None:
        # n ~ $(m r)  ==>  r ~ (n op m)  when m is a stored number;  n ~ $(x r)  ==>  x ~ $(n r)
        path.counts[OPER] += 1
        m = node.fst
        stored_number = (type(m) is SLeaf and m.tag == NUM) or (type(m) is Dyn and m.tag == NUM)
        if not stored_number:
            path.link(m, SNode(OPR, n, node.snd))
        elif type(n) is SLeaf and type(m) is SLeaf:
            path.link(node.snd, SLeaf((numbers.operate(n.port >> 3, m.port >> 3) << 3) | NUM))
        else:
            em = self.em
            result = emit_operate(b, em.module, self.numb(b, n), self.numb(b, m))
            path.link(node.snd, Dyn(em.port(b, NUM, result), NUM))

    def call(self, path: Path, ref: SLeaf, node: SNode) -> None:
        d = self.book.defs[(ref.port >> 3) & FID_MASK]
        if node.tag == DUP and d.safe:  # the reference is copied
            self.erase(path, ref, node)
            return
        path.counts[CALL] += 1
        if d.fid in self.recursive:
            path.recursive_inlines += 1
        root, redexes = instantiate(d)
        path.link(root, node)
        for x, y in redexes:
            path.link(x, y)

    def numb(self, b, x):
        """The number word of a NUM: a constant when it is known now."""
        return self.em.index(b, x.value) if type(x) is Dyn else c32(x.port >> 3)

    # -- a static value against a run-time port whose tag is known on this path

    def known_interact(self, path: Path, b, s, p: Dyn) -> bool:
        """Handle `s ~ p` where p's tag is known; True when it branched (the branches go on)."""
        ts, tp = s.tag, p.tag
        rule = RULE_TABLE[min(ts, tp)][max(ts, tp)]
        if rule == SWIT and type(s) is SNode:
            return self.switch(path, b, s, p)
        path.steps += 1
        if rule == VOID:
            path.counts[VOID] += 1
        elif rule == ERAS and type(s) is SNode:  # a run-time number or eraser meets a static node
            self.erase(path, p, s)
        elif rule == ERAS:  # a static leaf meets a run-time node: read the node
            c1, c2 = self.take(b, p)
            path.counts[ERAS] += 1
            path.link(s, c1)
            path.link(s, c2)
        elif rule == ANNI:
            c1, c2 = self.take(b, p)
            path.counts[ANNI] += 1
            path.link(s.fst, c1)
            path.link(s.snd, c2)
        elif rule == OPER and type(s) is SNode:
            self.operate(path, b, p, s)
        else:
            path.steps -= 1
            path.residual.append((s, p))
        return False

    def take(self, b, p: Dyn) -> tuple[Dyn, Dyn]:
        em = self.em
        node = b.call(em.take(), [self.net, self.tm, em.index(b, p.value)])
        return Dyn(em.fst(b, node)), Dyn(em.snd(b, node))

    def switch(self, path: Path, b, s: SNode, p: Dyn) -> bool:
        # 0 ~ ?(b r)  ==>  b ~ (r *);   n+1 ~ ?(b r)  ==>  b ~ (* (n r))
        if self.paths_left < 1:
            path.residual.append((s, p))
            return False
        self.paths_left -= 1
        em = self.em
        path.counts[SWIT] += 1
        path.steps += 1
        n = b.and_(b.lshr(em.index(b, p.value), c32(5)), c32(0xFFFFFF))
        zero_block = b.append_basic_block("swit_zero")
        succ_block = b.append_basic_block("swit_succ")
        b.cbranch(b.icmp_unsigned("==", n, c32(0)), zero_block, succ_block)
        zero = path.fork()
        zero.link(SNode(CON, s.snd, SLeaf(ERA)), s.fst)
        b.position_at_end(zero_block)
        self.run(zero, b)
        b.position_at_end(succ_block)
        pred = Dyn(em.port(b, NUM, b.or_(b.shl(b.sub(n, c32(1)), c32(5)), c32(numbers.U24))), NUM)
        path.link(SNode(CON, SLeaf(ERA), SNode(CON, pred, s.snd)), s.fst)
        self.run(path, b)
        return True

    # -- a static value against a run-time port of unknown tag: branch on the tag

    def branch(self, path: Path, b, s, p: Dyn) -> bool:
        cases = self.useful_tags(s)
        if not cases or path.cold or self.paths_left < len(cases):
            return False
        self.paths_left -= len(cases)
        em = self.em
        entered = b.call(em.enter(), [self.net, self.tm, p.value])
        default = b.append_basic_block("other_tag")
        sw = b.switch(em.tag(b, entered), default)
        for tag, also in cases:
            block = b.append_basic_block(f"tag_{tag}")
            for t in (tag, *also):
                sw.add_case(em.cp(t), block)
            fork = path.fork()
            fork.pending.append((s, Dyn(entered, tag)))
            b.position_at_end(block)
            self.run(fork, b)
        b.position_at_end(default)
        path.residual.append((s, Dyn(entered)))
        path.cold = True
        self.run(path, b)
        return True

    @staticmethod
    def useful_tags(s) -> list[tuple[int, tuple[int, ...]]]:
        """The tags of a run-time port worth a branch when `s` meets it: (tag, same-effect tags).

        Only the common fast paths: a constructor meeting its match (CON ~ CON), a number
        being copied (DUP ~ NUM), operated on (OPR ~ NUM) or matched (SWI ~ NUM), and a
        number or eraser meeting another (VOID, whichever nullary it is).
        """
        if type(s) is SNode:
            return [(CON, ())] if s.tag == CON else [(NUM, ())]
        if s.tag in (ERA, NUM):
            return [(NUM, (ERA, REF))]
        return []

    # -- what is left: build it, link it

    def residualize(self, path: Path, b: ir.IRBuilder) -> None:
        em, net, tm = self.em, self.net, self.tm
        order: list[SNode] = []  # nodes to build, children before parents
        slots: dict[SNode, tuple] = {}
        wires: dict[SVar, int] = {}  # wires with both ends in built nodes -> a run-time var

        links: list[tuple] = []  # (planned x, planned y, both principal)

        def plan(x):
            """The port of x once built: ('const', p) | ('dyn', v) | ('node', k, tag) | ('var', j)."""
            while type(x) is SVar:  # an end in a node's port: where does its wire lead?
                if x in path.bind:
                    x = path.bind.pop(x)
                    continue
                return ("var", wires.setdefault(x, len(wires)))
            if type(x) is SLeaf:
                return ("const", x.port)
            if type(x) is Dyn:
                return ("dyn", x.value)
            if x not in slots:
                slots[x] = None  # reserve: a node is built once
                fst = plan_operand(x.fst) if x.tag == OPR else plan(x.fst)
                snd = plan(x.snd)
                slots[x] = (len(order), fst, snd)
                order.append(x)
            return ("node", slots[x][0], x.tag)

        def plan_operand(x):
            """An operator node's first port keeps its wire: OPER counts 2 when it holds a var."""
            while type(x) is SVar and type(path.bind.get(x)) is SVar:
                x = path.bind.pop(x)
            if type(x) is not SVar or x not in path.bind:
                return plan(x)
            wire = ("var", wires.setdefault(SVar(), len(wires)))
            links.append((wire, plan(path.bind.pop(x)), False))
            return wire

        links += [(plan(x), plan(y), is_static(x) and is_static(y)) for x, y in path.residual]
        while path.bind:  # a wire into a structure nothing else reaches (a vicious circle): keep it
            wire, value = path.bind.popitem()
            links.append((plan(wire), plan(value), False))

        self.count(b, path.counts)
        if order or wires:
            em.guard(b, net, tm, len(order), len(wires))
        node_ids = [b.call(em.alloc("node"), [net, tm]) for _ in order]
        var_ids = [b.call(em.alloc("var"), [net, tm]) for _ in range(len(wires))]

        def port(planned):
            kind = planned[0]
            if kind == "const":
                return em.cp(planned[1])
            if kind == "dyn":
                return planned[1]
            if kind == "node":
                return em.port(b, planned[2], node_ids[planned[1]])
            return em.port(b, VAR, var_ids[planned[1]])

        for node in order:
            k, fst, snd = slots[node]
            em.node_st(b, net, node_ids[k], em.pair(b, port(fst), port(snd)))
        for x, y, both_principal in links:
            if both_principal:  # known to be a redex: straight to its bag
                tx, ty = self.planned_tag(x), self.planned_tag(y)
                high = RULE_TABLE[min(tx, ty)][max(tx, ty)] in HIGH_PRIORITY
                em.push_to(b, net, tm, port(x), port(y), high)
            else:
                b.call(em.link(), [net, tm, port(x), port(y)])
        b.ret_void()

    @staticmethod
    def planned_tag(planned) -> int:
        return planned[2] if planned[0] == "node" else planned[1] & 7

    def count(self, b, counts: list[int]) -> None:
        for rule, n in enumerate(counts):
            if n:
                self.em.count(b, self.tm, rule, n)

