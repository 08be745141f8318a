"""Sequential evaluator of HVM2 nets in pure Python: the executable specification.

In:  a FlatBook (hvm.flatbook), a node limit, an interaction limit and a scheduling policy.
Out: the normal form read back at ROOT, and exact statistics: interactions per rule, counted
     as HVM2 counts them (every rule except LINK; one CALL counts one, whatever its size).

Memory follows HVM2's layout (notes/hvm2-runtime.md §2, §3): ports are `val << 3 | tag`
ints, a node is the pair of its two aux ports (its principal port is whoever points at it),
and `vars` is the substitution map that wires are linked through. Unlike HVM2, freed node
and variable slots are reused (a free list), so memory stays proportional to the live net.

Scheduling: by default HVM2's single-thread order (the private high-priority bag of LINK,
VOID, ERAS and ANNI redexes first, then the low-priority bag of CALL, COMM, OPER and SWIT,
both last-in first-out). With a seed, every step picks a pending redex at random instead:
interaction nets are confluent, so the result and the counts must not change (a tested
property). Variable 0 is ROOT, the program's output wire.
"""

from __future__ import annotations

import random
import time

from hvm import progress
from hvm.book import Book, Net, Tree
from hvm.errors import LimitError
from hvm.flatbook import FlatBook, flatten, flatten_net
from hvm.numbers import new_u24, operate, payload_of
from hvm.ports import CON, DUP, ERA, FID_MASK, FREE, NONE, NUM, OPR, VAR
from hvm.readback import chain_resolver, read_back
from hvm.rules import ANNI, CALL, COMM, ERAS, HIGH_PRIORITY, LINK, OPER, RULE_NAMES, RULE_TABLE, SWIT, VOID
from hvm.runtime import BYTES_PER_SLOT, RunResult, Stats, format_size

ROOT = 0  # the port VAR 0: the output wire
DEFAULT_MEMORY = 256 << 20


class Machine:
    """One net being reduced. `run()` boots `@main ~ ROOT` and reduces to normal form."""

    def __init__(self, book: FlatBook, *, max_nodes: int = DEFAULT_MEMORY // BYTES_PER_SLOT,
                 max_interactions: int | None = None, seed: int | None = None, timeout: float | None = None):
        self.book = book
        self.defs = book.defs
        self.max_nodes = max_nodes
        self.memory_limit = max_nodes * BYTES_PER_SLOT  # for messages
        self.max_interactions = max_interactions
        self.timeout = timeout
        self.deadline = None if timeout is None else time.monotonic() + timeout
        self.rng = random.Random(seed) if seed is not None else None
        self.fst: list[int] = [0]  # node 0 is never used, as in HVM2
        self.snd: list[int] = [0]
        self.vars: list[int] = [NONE]  # var 0 is ROOT
        self.free_nodes: list[int] = []
        self.free_vars: list[int] = []
        self.hbag: list[tuple[int, int]] = []  # high priority: LINK VOID ERAS ANNI
        self.rbag: list[tuple[int, int]] = []  # low priority: CALL COMM OPER SWIT
        self.counts = [0] * len(RULE_NAMES)
        self.templates = [self.template(d) for d in book.defs]
        rules = (self.link, self.call, self.void, self.eras, self.anni, self.comm, self.oper, self.swit)
        # indexed by `tag(a) << 3 | tag(b)` with tag(a) <= tag(b)
        self.rule_of = [rules[RULE_TABLE[i >> 3][i & 7]] for i in range(64)]
        self.high_priority = [RULE_TABLE[i >> 3][i & 7] in HIGH_PRIORITY for i in range(64)]

    # -- the main loop

    def run(self, boot=None) -> None:
        """Reduce `@main` to normal form; or, given a FlatDef `boot`, that net (its root is ROOT)."""
        if boot is None:
            self.counts[CALL] += 1  # the boot redex `@main ~ ROOT` is a CALL
            self.expand(self.defs[0], ROOT)
        else:
            self.expand(boot, ROOT, self.template(boot))
        if self.rng is None:
            self.normalize()
        else:
            self.normalize_shuffled()

    def normalize(self) -> None:
        hbag, rbag, rule_of = self.hbag, self.rbag, self.rule_of
        checked = self.max_interactions is not None or self.deadline is not None or progress.watching()
        steps = 0
        while True:
            if hbag:
                a, b = hbag.pop()
            elif rbag:
                a, b = rbag.pop()
            else:
                return
            # the rule functions take the port with the smaller tag first
            ta, tb = a & 7, b & 7
            if ta <= tb:
                rule_of[(ta << 3) | tb](a, b)
            else:
                rule_of[(tb << 3) | ta](b, a)
            if checked:
                steps += 1
                if steps >= 1 << 14:
                    steps = 0
                    self.check_limits()

    def normalize_shuffled(self) -> None:
        hbag, rbag, rng = self.hbag, self.rbag, self.rng
        while hbag or rbag:
            i = rng.randrange(len(hbag) + len(rbag))
            bag = hbag if i < len(hbag) else rbag
            i = i if bag is hbag else i - len(hbag)
            bag[i], bag[-1] = bag[-1], bag[i]
            self.interact(*bag.pop())
            self.check_limits()

    def check_limits(self) -> None:
        progress.report(lambda: sum(self.counts) - self.counts[LINK])
        if self.max_interactions is not None and sum(self.counts) - self.counts[LINK] > self.max_interactions:
            raise LimitError(
                f"interaction limit reached: more than {self.max_interactions} interactions",
                hint="the program may not terminate; raise the limit if it is only long",
            )
        if self.deadline is not None and time.monotonic() > self.deadline:
            raise LimitError(f"time limit reached: the run took more than {self.timeout:g}s; raise --timeout")

    def interact(self, a: int, b: int) -> None:
        if (a & 7) > (b & 7):
            a, b = b, a
        self.rule_of[((a & 7) << 3) | (b & 7)](a, b)

    # -- memory

    def alloc_nodes(self, n: int) -> list[int]:
        free = self.free_nodes
        if len(free) >= n:
            if n == 0:
                return []
            got = free[-n:]
            del free[-n:]
            return got
        got = free[:]
        free.clear()
        start = len(self.fst)
        grow = n - len(got)
        if start - 1 + grow > self.max_nodes:
            raise LimitError(f"out of memory: {start - 1 - len(got):,} nodes in use fill the run's memory "
                             f"(--mem {format_size(self.memory_limit)}); raise --mem, or look for a result that grows "
                             "without end")
        self.fst.extend([0] * grow)
        self.snd.extend([0] * grow)
        got.extend(range(start, start + grow))
        return got

    def alloc_vars(self, n: int) -> list[int]:
        free = self.free_vars
        if len(free) >= n:
            if n == 0:
                return []
            got = free[-n:]
            del free[-n:]
        else:
            got = free[:]
            free.clear()
            start = len(self.vars)
            self.vars.extend([NONE] * (n - len(got)))
            got.extend(range(start, len(self.vars)))
        vars_ = self.vars
        for v in got:
            vars_[v] = NONE
        return got

    def take_node(self, i: int) -> tuple[int, int]:
        """Read a node's two aux ports and free its slot (the redex's owner is its only reader)."""
        self.free_nodes.append(i)
        return self.fst[i], self.snd[i]

    def new_node(self, fst: int, snd: int) -> int:
        (i,) = self.alloc_nodes(1)
        self.fst[i] = fst
        self.snd[i] = snd
        return i

    # -- wires

    def enter(self, p: int) -> int:
        """Follow `p` through variables whose other end was already linked, freeing them."""
        vars_ = self.vars
        while p & 7 == VAR:
            q = vars_[p >> 3]
            if q == NONE:
                break
            vars_[p >> 3] = FREE
            self.free_vars.append(p >> 3)
            p = q
        return p

    def link(self, a: int, b: int) -> None:
        """Connect ports `a` and `b`: a redex when both are principal, else through `vars`.

        The first end of a wire to arrive leaves its port in the variable; the second end
        takes it, frees the variable, and links onward.
        """
        vars_, high_priority = self.vars, self.high_priority
        while True:
            if a & 7 != VAR:
                if b & 7 != VAR:  # two principal ports meet: a redex
                    ta, tb = a & 7, b & 7
                    key = (ta << 3) | tb if ta <= tb else (tb << 3) | ta
                    (self.hbag if high_priority[key] else self.rbag).append((a, b))
                    return
                a, b = b, a
            if b & 7 == VAR:
                b = self.enter(b)
            got = vars_[a >> 3]
            vars_[a >> 3] = b
            if got == NONE:
                return
            vars_[a >> 3] = FREE
            self.free_vars.append(a >> 3)
            a = got

    # -- the rules; `a` has the smaller tag

    def void(self, a: int, b: int) -> None:
        # nullary ~ nullary (ERA, NUM, REF)   ==>   nothing; `* ~ @f` never expands @f
        self.counts[VOID] += 1

    def eras(self, a: int, b: int) -> None:
        # n ~ (b1 b2)  (n nullary)   ==>   n ~ b1,  n ~ b2        (erases, or copies n)
        self.counts[ERAS] += 1
        b1, b2 = self.take_node(b >> 3)
        self.link(a, b1)
        self.link(a, b2)

    def anni(self, a: int, b: int) -> None:
        # (a1 a2) ~ (b1 b2)   ==>   a1 ~ b1,  a2 ~ b2             (same node types)
        self.counts[ANNI] += 1
        a1, a2 = self.take_node(a >> 3)
        b1, b2 = self.take_node(b >> 3)
        self.link(a1, b1)
        self.link(a2, b2)

    def comm(self, a: int, b: int) -> None:
        # (a1 a2) ~ {b1 b2}   ==>   a1 ~ {x y},  a2 ~ {z w},  b1 ~ (x z),  b2 ~ (y w)
        self.counts[COMM] += 1
        a1, a2 = self.take_node(a >> 3)
        b1, b2 = self.take_node(b >> 3)
        v0, v1, v2, v3 = (v << 3 for v in self.alloc_vars(4))
        n0, n1, n2, n3 = self.alloc_nodes(4)
        fst, snd = self.fst, self.snd
        fst[n0], snd[n0] = v0, v1
        fst[n1], snd[n1] = v2, v3
        fst[n2], snd[n2] = v0, v2
        fst[n3], snd[n3] = v1, v3
        ta, tb = a & 7, b & 7
        self.link((n0 << 3) | tb, a1)
        self.link((n1 << 3) | tb, a2)
        self.link((n2 << 3) | ta, b1)
        self.link((n3 << 3) | ta, b2)

    def oper(self, a: int, b: int) -> None:
        # n ~ $(m r)   ==>   r ~ (n op m)          when m is a number
        # n ~ $(x r)   ==>   x ~ $(n r)            otherwise: the operands swap
        self.counts[OPER] += 1
        b1, b2 = self.take_node(b >> 3)
        b2 = self.enter(b2)
        if b1 & 7 == NUM:
            self.link(b2, (operate(a >> 3, b1 >> 3) << 3) | NUM)
        else:
            self.link(b1, (self.new_node(a, b2) << 3) | OPR)

    def swit(self, a: int, b: int) -> None:
        # 0   ~ ?(b r)   ==>   b ~ (r *)
        # n+1 ~ ?(b r)   ==>   b ~ (* (n r))
        self.counts[SWIT] += 1
        b1, b2 = self.take_node(b >> 3)
        n = payload_of(a >> 3)
        if n == 0:
            self.link((self.new_node(b2, ERA) << 3) | CON, b1)
        else:
            pred = self.new_node((new_u24(n - 1) << 3) | NUM, b2)
            self.link((self.new_node(ERA, (pred << 3) | CON) << 3) | CON, b1)

    def call(self, a: int, b: int) -> None:
        # @f ~ b   ==>   a fresh copy of @f's net, its root linked to b
        # @f ~ {b1 b2} with @f safe   ==>   @f ~ b1,  @f ~ b2   (copied, counted as ERAS)
        d = self.defs[(a >> 3) & FID_MASK]
        if b & 7 == DUP and d.safe:
            self.eras(a, b)
            return
        self.counts[CALL] += 1
        self.expand(d, b)

    @staticmethod
    def template(d) -> list[int]:
        """A definition's ports in one flat list: node pairs, redex pairs, then the root."""
        return d.ports.tolist()

    def expand(self, d, b: int, template: list[int] | None = None) -> None:
        """Copy definition `d` into fresh nodes and vars, link its redexes, then its root to b."""
        nloc = self.alloc_nodes(d.node_count)
        vloc = self.alloc_vars(d.var_count)
        # relocate def-local indices: VAR v -> VAR vloc[v], node i -> node nloc[i], others as is
        ports = [
            (vloc[p >> 3] << 3) if p & 7 == VAR else ((nloc[p >> 3] << 3) | (p & 7)) if p & 7 >= CON else p
            for p in (template or self.templates[d.fid])
        ]
        fst, snd = self.fst, self.snd
        k = 0
        for i in nloc:
            fst[i] = ports[k]
            snd[i] = ports[k + 1]
            k += 2
        link = self.link
        for k in range(k, len(ports) - 1, 2):
            link(ports[k], ports[k + 1])
        link(ports[-1], b)

    # -- the host's access, between runs (hvm.io's sessions)

    def node(self, i: int) -> tuple[int, int]:
        return self.fst[i], self.snd[i]

    def var(self, v: int) -> int:
        return self.vars[v]

    def resolve(self, p: int) -> int:
        """The end of p's chain of substituted vars, changing nothing."""
        vars_ = self.vars
        for _ in range(len(vars_) + 1):
            if p & 7 != VAR:
                break
            q = vars_[p >> 3]
            if q == NONE:
                break
            p = q
        return p

    def build(self, tree, fids: dict[str, int]) -> int:
        """Write a tree (an IO answer, hvm.io.layout) into fresh slots; its port."""
        from hvm.io import SMALL_ANSWER, layout, layout_size, relocate

        nodes, nvars = layout_size(tree)
        if nodes <= SMALL_ANSWER:
            node_slots, var_slots = self.alloc_nodes(nodes), self.alloc_vars(nvars)
            ports, root = relocate(*layout(tree, 0, 0, fids), node_slots, var_slots)
            for k, i in enumerate(node_slots):
                self.fst[i], self.snd[i] = ports[2 * k], ports[2 * k + 1]
            return root
        base, vbase = len(self.fst), len(self.vars)
        if base - 1 + nodes > self.max_nodes:
            raise LimitError(f"out of memory: {base - 1 - len(self.free_nodes):,} nodes in use and {nodes:,} more "
                             f"needed fill the run's memory (--mem {format_size(self.memory_limit)}); raise --mem")
        ports, root = layout(tree, base, vbase, fids)
        self.fst.extend(ports[0::2])
        self.snd.extend(ports[1::2])
        self.vars.extend([NONE] * nvars)
        return root

    def free(self, nodes: list[int], variables: list[int]) -> None:
        """Give back the slots of a tree the host has dropped."""
        self.free_nodes += nodes
        for v in variables:
            self.vars[v] = FREE
        self.free_vars += variables

    # -- results

    def stats(self, seconds: float) -> Stats:
        return Stats(dict(zip(RULE_NAMES, self.counts)), seconds, len(self.fst) - 1, threads=1)

    def read_back(self, p: int) -> Tree:
        fst, snd, names = self.fst, self.snd, self.defs
        resolve = chain_resolver(self.vars.__getitem__, len(self.vars))
        return read_back(p, lambda i: (fst[i], snd[i]), resolve, lambda fid: names[fid].name)


class ReferenceSession:
    """One program's net, kept between its IO calls (hvm.io.run_io): reduced, read, given an
    answer and reduced again, in place, so that a step costs what it changes."""

    def __init__(self, book: Book, entry: str, memory: int | None, max_interactions: int | None, seed: int | None):
        self.book = book
        self.flat = flatten(book, entry)
        memory = memory or DEFAULT_MEMORY
        self.machine = Machine(self.flat, max_nodes=memory // BYTES_PER_SLOT, max_interactions=max_interactions,
                               seed=seed)
        self.machine.memory_limit = memory
        self.seconds = 0.0
        self.deadline = self.timeout = None  # the whole run's (set by run_io)
        m = self.machine
        self.node, self.var, self.resolve, self.read_tree = m.node, m.var, m.resolve, m.read_back

    def normalize(self, boot=None, fresh: bool = False) -> None:
        m = self.machine
        m.deadline, m.timeout = self.deadline, self.timeout
        start = time.perf_counter()
        try:
            if fresh:
                m.run(boot)
            elif m.rng is None:
                m.normalize()
            else:
                m.normalize_shuffled()
        finally:
            self.seconds += time.perf_counter() - start

    def start(self, boot: Net | None = None) -> None:
        self.normalize(None if boot is None else flatten_net(boot, self.flat.fids), fresh=True)

    def root(self) -> int:
        return self.machine.resolve(ROOT)

    def expand(self, p: int) -> int:
        """`@f ~ x` for a fresh x, reduced (HVM2's expand, for the host's reader); x's port."""
        m = self.machine
        m.counts[CALL] += 1
        (v,) = m.alloc_vars(1)
        m.expand(self.flat.defs[(p >> 3) & FID_MASK], v << 3)
        self.normalize()
        q = m.resolve(v << 3)
        if q & 7 != VAR:
            m.free([], [v])
        return q

    def build(self, tree) -> int:
        return self.machine.build(tree, self.flat.fids)

    def free(self, nodes: list[int], variables: list[int]) -> None:
        self.machine.free(nodes, variables)

    def resume(self, a: int, b: int) -> None:
        """`a ~ (b ROOT)`, reduced: an IO call's continuation `a` meets its answer `b`."""
        m = self.machine
        m.vars[ROOT] = NONE
        m.link(a, (m.new_node(b, ROOT) << 3) | CON)
        self.normalize()

    def stats(self) -> Stats:
        return self.machine.stats(self.seconds)

    def close(self) -> None:
        pass


class ReferenceBackend:
    """The Backend (hvm.runtime) of the reference evaluator: `hvm run-py`."""

    name = "py"

    def session(self, book: Book, entry: str = "main", *, threads: int | None = None, memory: int | None = None,
                max_interactions: int | None = None, seed: int | None = None) -> ReferenceSession:
        return ReferenceSession(book, entry, memory, max_interactions, seed)

    def run(self, book: Book, entry: str = "main", *, threads: int | None = None, memory: int | None = None,
            timeout: float | None = None, max_interactions: int | None = None, seed: int | None = None,
            boot: Net | None = None) -> RunResult:
        flat = flatten(book, entry)
        memory = memory or DEFAULT_MEMORY
        machine = Machine(flat, max_nodes=memory // BYTES_PER_SLOT, max_interactions=max_interactions, seed=seed,
                          timeout=timeout)
        machine.memory_limit = memory
        start = time.perf_counter()
        machine.run(None if boot is None else flatten_net(boot, flat.fids))
        tree = machine.read_back(ROOT)
        return RunResult(tree, machine.stats(time.perf_counter() - start))
