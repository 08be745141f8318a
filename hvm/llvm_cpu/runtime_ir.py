"""LLVM IR for the runtime: memory, wires, redex bags, the interaction rules and the workers.

In:  an llvmlite `ir.Module` and the mode (`parallel`: atomic wires and work sharing between
     threads; otherwise plain loads and stores for one thread; `wide`: 64-bit ports, see
     hvm.rules_ir).
Out: functions defined in that module. Two kinds of modules use them:
     - the core module (`build_core`): `hvm_interact`, the worker loop and `hvm_run`, the entry
       point Python calls; it knows no particular book;
     - a book's module (hvm.llvm_cpu.defs_ir): one function per definition, which calls the
       small helpers (alloc, link, push, take, ...) emitted into that module too, so that they
       inline into the compiled definitions.

The rules are HVM2's (notes/hvm2-runtime.md §3) and count interactions as hvm.reference does;
the layout is hvm.llvm_cpu.layout. Work sharing: an idle thread asks another thread for work
by writing its id in that thread's `request` word; the owner, which checks its word between
interactions, answers in the asker's `mailbox` with its oldest low-priority redex (or NO_WORK).
`busy` counts the threads that hold work; the giver counts the receiver in before handing the
redex over, so `busy == 0` means that no work is left anywhere, and every thread stops.
"""

from __future__ import annotations

from llvmlite import ir

from hvm.llvm_cpu import layout as L
from hvm.ports import FID_MASK, VAR
from hvm.rules import ANNI, COMM, ERAS, HIGH_PRIORITY_MASK, LINK, OPER, RULE_TABLE, SWIT, VOID
from hvm.rules_ir import I1, I8, I32, I64, VOIDT, RuleEmitter, c32, c64

I8P = I8.as_pointer()
# a thread gives one of its low-priority redexes away only when it holds at least this many
SHARE_MIN = 4
# an idle thread spins this many rounds of asking for work, then sleeps this long between rounds
SPIN_ROUNDS, SLEEP_US = 64, 50


class Emitter(RuleEmitter):
    """Defines runtime functions in one module, each once, on first use. The rules that the
    CPU and the GPU emit alike (ERAS, ANNI, COMM, OPER, SWIT) come from hvm.rules_ir."""

    def __init__(self, module: ir.Module, parallel: bool, wide: bool = False):
        self.module = module
        self.parallel = parallel
        self.wide = wide
        self.net_t, self.tm_t, self.def_fn_t = L.llvm_types(module, wide)
        self.net_p, self.tm_p = self.net_t.as_pointer(), self.tm_t.as_pointer()
        self.env_p = self.net_p  # the first argument of the shared rule functions
        self._tbaa: dict | None = None

    # -- plumbing

    def field(self, b: ir.IRBuilder, ptr, name: str):
        fields = L.NET_FIELDS if ptr.type == self.net_p else L.TM_FIELDS
        return b.gep(ptr, [c32(0), c32(L.field_index(fields, name))], inbounds=True)

    # Every memory access carries TBAA metadata naming its region (the Net struct, a TM, the
    # node buffer, the var buffer, the redex bags): the regions never overlap, and saying so
    # lets LLVM keep a thread's state in registers across stores to nodes and vars.
    REGIONS = ("net", "tm", "node", "var", "bag", "free")

    def region(self, name: str):
        if self._tbaa is None:
            root = self.module.add_metadata(["hvm regions"])
            self._tbaa = {}
            for r in self.REGIONS:
                t = self.module.add_metadata([r, root, c64(0)])
                self._tbaa[r] = self.module.add_metadata([t, t, c64(0)])
        return self._tbaa[name]

    def ld(self, b, ptr, region: str, name: str = ""):
        inst = b.load(ptr, name=name)
        inst.set_metadata("tbaa", self.region(region))
        return inst

    def st(self, b, value, ptr, region: str):
        inst = b.store(value, ptr)
        inst.set_metadata("tbaa", self.region(region))
        return inst

    def struct_region(self, ptr) -> str:
        return "net" if ptr.type == self.net_p else "tm"

    def load(self, b, ptr, name):
        return self.ld(b, self.field(b, ptr, name), self.struct_region(ptr), name)

    def store(self, b, ptr, name, value):
        self.st(b, value, self.field(b, ptr, name), self.struct_region(ptr))

    def count(self, b, tm, rule: int, n: int = 1):
        """tm.itrs[rule] += n"""
        p = b.gep(tm, [c32(0), c32(L.field_index(L.TM_FIELDS, "itrs")), c32(rule)], inbounds=True)
        self.st(b, b.add(self.ld(b, p, "tm"), c64(n)), p, "tm")

    def slot(self, b, net, buf: str, index):
        base = self.load(b, net, buf)
        if self.wide:  # (the Net struct names them u64* and u32*)
            base = b.bitcast(base, (self.PAIR if buf == "node_buf" else self.P).as_pointer())
        return b.gep(base, [self.as_i64(b, index)], inbounds=True)

    def node_ld(self, b, net, i):
        return self.ld(b, self.slot(b, net, "node_buf", i), "node")

    def node_st(self, b, net, i, value):
        self.st(b, value, self.slot(b, net, "node_buf", i), "node")

    def var_ld(self, b, net, i):
        return self.ld(b, self.slot(b, net, "vars_buf", i), "var")

    def var_st(self, b, net, i, value):
        self.st(b, value, self.slot(b, net, "vars_buf", i), "var")

    def bag(self, b, tm, bag: str):
        base = self.load(b, tm, bag)
        return b.bitcast(base, self.PAIR.as_pointer()) if self.wide else base

    def bag_ld(self, b, tm, bag: str, index):
        return self.ld(b, b.gep(self.bag(b, tm, bag), [index], inbounds=True), "bag")

    def bag_st(self, b, tm, bag: str, index, value):
        self.st(b, value, b.gep(self.bag(b, tm, bag), [index], inbounds=True), "bag")

    def atomic(self, inst, region: str):
        inst.set_metadata("tbaa", self.region(region))
        return inst

    # -- memory

    def free_slot(self, kind: str) -> ir.Function:
        """free_node / free_var (net, tm, i): push slot i on this thread's free stack."""
        name = f"hvm_free_{kind}"
        fn, b = self.function(name, VOIDT, [self.net_p, self.tm_p, I32], ["net", "tm", "i"], inline=True)
        if fn:
            net, tm, i = fn.args
            n = self.load(b, tm, f"{kind}_free_len")
            self.st(b, i, b.gep(self.load(b, tm, f"{kind}_free"), [n], inbounds=True), "free")
            self.store(b, tm, f"{kind}_free_len", b.add(n, c64(1)))
            b.ret_void()
        return self.get(name)

    def free_node(self) -> ir.Function:
        return self.free_slot("node")

    def free_var(self) -> ir.Function:
        return self.free_slot("var")

    def take(self) -> ir.Function:
        """take(net, tm, i) -> the node's (fst, snd) pair; the slot is freed (we were its only reader)."""
        fn, b = self.function("hvm_take", self.PAIR, [self.net_p, self.tm_p, I32], ["net", "tm", "i"], inline=True)
        if fn:
            net, tm, i = fn.args
            node = self.node_ld(b, net, i)
            b.call(self.free_node(), [net, tm, i])
            b.ret(node)
        return self.get("hvm_take")

    def alloc(self, kind: str) -> ir.Function:
        """alloc_node / alloc_var (net, tm) -> index, popped from the free stack.

        Only after `reserve` said there is room. A new var is set to NONE (no end arrived).
        """
        name = f"hvm_alloc_{kind}"
        fn, b = self.function(name, I32, [self.net_p, self.tm_p], ["net", "tm"], inline=True)
        if fn:
            net, tm = fn.args
            n = b.sub(self.load(b, tm, f"{kind}_free_len"), c64(1))
            self.store(b, tm, f"{kind}_free_len", n)
            i = self.ld(b, b.gep(self.load(b, tm, f"{kind}_free"), [n], inbounds=True), "free")
            if kind == "var":
                self.var_st(b, net, i, self.none)
            b.ret(i)
        return self.get(name)

    def reserve(self) -> ir.Function:
        """reserve(net, tm, nodes, vars) -> ok: make sure the next allocations cannot fail.

        The common case (enough on the free stacks) is a comparison; the rest is `refill`,
        out of line.
        """
        fn, b = self.function("hvm_reserve", I1, [self.net_p, self.tm_p, I64, I64], ["net", "tm", "nodes", "vars"], inline=True)
        if fn:
            net, tm, nodes, vars_ = fn.args
            for kind, need in (("node", nodes), ("var", vars_)):
                short = b.icmp_unsigned("<", self.load(b, tm, f"{kind}_free_len"), need)
                with b.if_then(short, likely=False):
                    with b.if_then(b.not_(b.call(self.refill(kind), [net, tm, need])), likely=False):
                        b.ret(ir.Constant(I1, 0))
            b.ret(ir.Constant(I1, 1))
        return self.get("hvm_reserve")

    def refill(self, kind: str) -> ir.Function:
        """refill_node / refill_var (net, tm, need) -> ok: claim fresh slots for this thread.

        A chunk (at least `need` slots) is claimed from the global cursor and its slots go on
        the free stack. Past the capacity, `net.error` says which memory ran out (and the claim
        is undone, so that the cursor counts what was handed out).
        """
        name = f"hvm_refill_{kind}"
        fn, b = self.function(name, I1, [self.net_p, self.tm_p, I64], ["net", "tm", "need"])
        if fn:
            fn.attributes.add("noinline")
            fn.attributes.add("cold")
            net, tm, need = fn.args
            top = "node_top" if kind == "node" else "vars_top"
            cap = "node_cap" if kind == "node" else "vars_cap"
            error = L.ERROR_NODES if kind == "node" else L.ERROR_VARS
            size = b.select(b.icmp_unsigned(">", need, c64(L.CHUNK)), need, c64(L.CHUNK))
            if self.parallel:
                start = self.atomic(b.atomic_rmw("add", self.field(b, net, top), size, "monotonic"), "net")
            else:
                start = self.load(b, net, top)
                self.store(b, net, top, b.add(start, size))
            end = b.add(start, size)
            with b.if_then(b.icmp_unsigned(">", end, self.load(b, net, cap)), likely=False):
                if self.parallel:
                    self.atomic(b.atomic_rmw("sub", self.field(b, net, top), size, "monotonic"), "net")
                else:
                    self.store(b, net, top, start)
                self.set_error(b, net, error)
                b.ret(ir.Constant(I1, 0))
            # highest index first, so that the lowest is allocated first
            free = self.free_slot(kind)
            with self.counted_loop(b, c64(0), size) as i:
                b.call(free, [net, tm, b.trunc(b.sub(b.sub(end, c64(1)), i), I32)])
            b.ret(ir.Constant(I1, 1))
        return self.get(name)

    # -- wires

    def var_swap(self, b, net, index, value):
        """The old content of var `index`, replacing it with `value` (atomically when parallel)."""
        if self.parallel:
            return self.atomic(b.atomic_rmw("xchg", self.slot(b, net, "vars_buf", index), value, "acq_rel"), "var")
        old = self.var_ld(b, net, index)
        self.var_st(b, net, index, value)
        return old

    def enter(self) -> ir.Function:
        """enter(net, tm, p): follow p through vars whose other end already arrived, freeing them."""
        fn, b = self.function("hvm_enter", self.P, [self.net_p, self.tm_p, self.P], ["net", "tm", "p"], inline=True)
        if fn:
            net, tm, p0 = fn.args
            entry = b.block
            head = b.append_basic_block("head")
            step = b.append_basic_block("step")
            follow = b.append_basic_block("follow")
            out = b.append_basic_block("out")
            b.branch(head)
            b.position_at_end(head)
            p = b.phi(self.P, "p")
            p.add_incoming(p0, entry)
            b.cbranch(b.icmp_unsigned("==", self.tag(b, p), self.cp(VAR)), step, out)
            b.position_at_end(step)
            if self.parallel:
                got = self.var_swap(b, net, self.index(b, p), self.none)
            else:
                got = self.var_ld(b, net, self.index(b, p))
            b.cbranch(b.icmp_unsigned("==", got, self.none), out, follow)
            b.position_at_end(follow)
            b.call(self.free_var(), [net, tm, self.index(b, p)])
            p.add_incoming(got, follow)
            b.branch(head)
            b.position_at_end(out)
            b.ret(p)
        return self.get("hvm_enter")

    def push(self) -> ir.Function:
        """push(net, tm, a, b): a new redex, on the bag its rule's priority says."""
        fn, b = self.function("hvm_push", VOIDT, [self.net_p, self.tm_p, self.P, self.P], ["net", "tm", "a", "b"],
                              inline=True)
        if fn:
            net, tm, a, p = fn.args
            ta, tb = self.tag(b, a), self.tag(b, p)
            lo = b.select(b.icmp_unsigned("<", ta, tb), ta, tb)
            hi = b.select(b.icmp_unsigned("<", ta, tb), tb, ta)
            key = self.as_i64(b, b.or_(b.shl(lo, self.cp(3)), hi))
            high = b.trunc(b.lshr(c64(HIGH_PRIORITY_MASK), key), I1)
            redex = self.pair(b, a, p)
            with b.if_else(high) as (to_high, to_low):
                with to_high:
                    b.call(self.push_bag(True), [net, tm, redex])
                with to_low:
                    b.call(self.push_bag(False), [net, tm, redex])
            b.ret_void()
        return self.get("hvm_push")

    def push_to(self, b, net, tm, a, p, high: bool) -> None:
        """Push a redex whose priority is known when compiling."""
        b.call(self.push_bag(high), [net, tm, self.pair(b, a, p)])

    def push_bag(self, high: bool) -> ir.Function:
        """push_high / push_low (net, tm, redex): onto the private LIFO bag, or the shared one."""
        name = "hvm_push_high" if high else "hvm_push_low"
        fn, b = self.function(name, VOIDT, [self.net_p, self.tm_p, self.PAIR], ["net", "tm", "redex"], inline=True)
        if fn:
            net, tm, redex = fn.args
            top_field, bag = ("hlen", "hbag") if high else ("rhi", "rbag")
            top = self.load(b, tm, top_field)
            with b.if_else(b.icmp_unsigned("<", top, self.load(b, net, "bag_cap")), likely=True) as (room, no_room):
                with room:
                    self.bag_st(b, tm, bag, top, redex)
                    self.store(b, tm, top_field, b.add(top, c64(1)))
                with no_room:
                    b.call(self.bag_full(high), [net, tm, redex])
            b.ret_void()
        return self.get(name)

    def bag_full(self, high: bool) -> ir.Function:
        """The rare case of a full bag, out of line: the low bag's live entries [rlo, rhi) move
        down to 0 if that frees room (older entries were given away); else it is an error."""
        name = "hvm_full_high" if high else "hvm_full_low"
        fn, b = self.function(name, VOIDT, [self.net_p, self.tm_p, self.PAIR], ["net", "tm", "redex"])
        if fn:
            fn.attributes.add("noinline")
            fn.attributes.add("cold")
            net, tm, redex = fn.args
            if not high:
                rlo, rhi = self.load(b, tm, "rlo"), self.load(b, tm, "rhi")
                with b.if_then(b.icmp_unsigned(">", rlo, c64(0))):
                    base = self.bag(b, tm, "rbag")
                    n = b.sub(rhi, rlo)
                    memmove = self.module.declare_intrinsic("llvm.memmove", [I8P, I8P, I64])
                    entry_bytes = c64(self.PAIR.width // 8)
                    args = [b.bitcast(base, I8P), b.bitcast(b.gep(base, [rlo]), I8P)]
                    b.call(memmove, [*args, b.mul(n, entry_bytes), ir.Constant(I1, 0)])
                    self.store(b, tm, "rlo", c64(0))
                    self.bag_st(b, tm, "rbag", n, redex)
                    self.store(b, tm, "rhi", b.add(n, c64(1)))
                    b.ret_void()
            self.set_error(b, net, L.ERROR_BAG)
            b.ret_void()
        return self.get(name)

    def link(self) -> ir.Function:
        """link(net, tm, a, b): connect two ports.

            principal ~ principal   ==>  a redex
            var x ~ t               ==>  the first end of x to arrive leaves t in vars[x];
                                         the second takes it, frees x, and links it with t
        """
        fn, b = self.function("hvm_link", VOIDT, [self.net_p, self.tm_p, self.P, self.P], ["net", "tm", "a", "b"])
        if fn:
            net, tm, a0, b0 = fn.args
            entry = b.block
            head = b.append_basic_block("head")
            a_node = b.append_basic_block("a_principal")
            redex = b.append_basic_block("redex")
            var = b.append_basic_block("var")
            settle = b.append_basic_block("settle")
            second = b.append_basic_block("second_end")
            done = b.append_basic_block("done")
            b.branch(head)

            b.position_at_end(head)
            a = b.phi(self.P, "a")
            p = b.phi(self.P, "b")
            a.add_incoming(a0, entry)
            p.add_incoming(b0, entry)
            a_is_var = b.icmp_unsigned("==", self.tag(b, a), self.cp(VAR))
            b.cbranch(a_is_var, var, a_node)

            b.position_at_end(a_node)  # a is principal: a redex if b is too, else swap
            b_is_var = b.icmp_unsigned("==", self.tag(b, p), self.cp(VAR))
            b.cbranch(b_is_var, var, redex)

            b.position_at_end(redex)
            b.call(self.push(), [net, tm, a, p])
            b.ret_void()

            b.position_at_end(var)
            x = b.phi(self.P, "x")  # the var end
            t = b.phi(self.P, "t")  # what it connects to
            x.add_incoming(a, head)
            t.add_incoming(p, head)
            x.add_incoming(p, a_node)
            t.add_incoming(a, a_node)
            t_var = b.icmp_unsigned("==", self.tag(b, t), self.cp(VAR))
            entered = b.append_basic_block("enter")
            b.cbranch(t_var, entered, settle)
            b.position_at_end(entered)
            t2 = b.call(self.enter(), [net, tm, t])
            b.branch(settle)

            b.position_at_end(settle)
            target = b.phi(self.P, "target")
            target.add_incoming(t, var)
            target.add_incoming(t2, entered)
            old = self.var_swap(b, net, self.index(b, x), target)
            b.cbranch(b.icmp_unsigned("==", old, self.none), done, second)

            b.position_at_end(second)
            b.call(self.free_var(), [net, tm, self.index(b, x)])
            a.add_incoming(old, second)
            p.add_incoming(target, second)
            b.branch(head)

            b.position_at_end(done)
            b.ret_void()
        return self.get("hvm_link")

    def new_node(self, b, net, tm, fst, snd):
        """Allocate a node holding (fst, snd); its index."""
        i = b.call(self.alloc("node"), [net, tm])
        self.node_st(b, net, i, self.pair(b, fst, snd))
        return i

    # -- the rules (a has the smaller tag)

    def guard(self, b, net, tm, nodes: int, vars_: int):
        """Return from the current function unless `nodes` nodes and `vars_` vars are available."""
        ok = b.call(self.reserve(), [net, tm, c64(nodes), c64(vars_)])
        with b.if_then(b.not_(ok), likely=False):
            b.ret_void()

    # -- the core: dispatch, workers, entry point

    def interact(self) -> ir.Function:
        """interact(net, tm, a, b): apply the rule for two principal ports."""
        fn, b = self.rule_fn("hvm_interact")
        if fn:
            net, tm, a0, b0 = fn.args
            ta0, tb0 = self.tag(b, a0), self.tag(b, b0)
            swap = b.icmp_unsigned(">", ta0, tb0)
            a = b.select(swap, b0, a0, name="a")
            p = b.select(swap, a0, b0, name="b")
            key = b.or_(b.shl(b.select(swap, tb0, ta0), self.cp(3)), b.select(swap, ta0, tb0))
            table = ir.GlobalVariable(self.module, ir.ArrayType(I8, 64), "hvm_rule_table")
            table.global_constant = True
            table.linkage = "internal"
            table.initializer = ir.Constant(ir.ArrayType(I8, 64), [RULE_TABLE[i >> 3][i & 7] for i in range(64)])
            rule = b.load(b.gep(table, [c32(0), key], inbounds=True))
            done = b.append_basic_block("done")
            blocks = {r: b.append_basic_block(name) for r, name in enumerate(
                ["link", "call", "void", "eras", "anni", "comm", "oper", "swit"])}
            sw = b.switch(rule, done)
            for r, block in blocks.items():
                sw.add_case(ir.Constant(I8, r), block)
            simple = {LINK: self.link(), ERAS: self.eras(), ANNI: self.anni(), COMM: self.comm(),
                      OPER: self.oper(), SWIT: self.swit()}
            for r, block in blocks.items():
                b.position_at_end(block)
                if r in simple:
                    b.call(simple[r], [net, tm, a, p])
                elif r == VOID:
                    self.count(b, tm, VOID)
                else:  # CALL: the compiled definition does the rest (and counts)
                    fid = b.and_(self.val(b, a), self.cp(FID_MASK))
                    defs = self.load(b, net, "defs")
                    f = self.ld(b, b.gep(defs, [self.as_i64(b, fid)], inbounds=True), "net")
                    b.call(f, [net, tm, p])
                b.branch(done)
            b.position_at_end(done)
            b.ret_void()
        return self.get("hvm_interact")

    def error_code(self, b, net):
        """net.error, read afresh each time: another thread, or Python (Ctrl-C, --timeout), sets it."""
        return self.atomic(b.load_atomic(self.field(b, net, "error"), "monotonic", 8), "net")

    def set_error(self, b, net, code: int):
        self.atomic(b.store_atomic(c64(code), self.field(b, net, "error"), "monotonic", 8), "net")

    def pause(self, b):
        b.asm(ir.FunctionType(VOIDT, []), "pause", "", [], side_effect=True)

    def tm_of(self, b, net, index64):
        return b.gep(self.load(b, net, "tms"), [index64], inbounds=True)

    def answer_requests(self, b, net, tm, can_give: bool):
        """If a thread asked for work, give it our oldest low-priority redex (or NO_WORK)."""
        req_ptr = self.field(b, tm, "request")
        req = self.atomic(b.load_atomic(req_ptr, "monotonic", 8), "tm")
        with b.if_then(b.icmp_unsigned("!=", req, c64(0)), likely=False):
            thief = self.tm_of(b, net, b.sub(req, c64(1)))
            mailbox = self.field(b, thief, "mailbox")
            if can_give:
                rlo, rhi = self.load(b, tm, "rlo"), self.load(b, tm, "rhi")
                spare = b.icmp_unsigned(">=", b.sub(rhi, rlo), c64(SHARE_MIN))
                with b.if_else(spare) as (give, refuse):
                    with give:
                        redex = self.bag_ld(b, tm, "rbag", rlo)
                        self.store(b, tm, "rlo", b.add(rlo, c64(1)))
                        self.atomic(b.atomic_rmw("add", self.field(b, net, "busy"), c64(1), "seq_cst"), "net")
                        if self.wide:  # (a redex of two i64 ports: in the thief's mail words, then a flag)
                            self.store(b, thief, "mail_fst", self.fst(b, redex))
                            self.store(b, thief, "mail_snd", self.snd(b, redex))
                            redex = c64(L.MAIL_WORK)
                        self.atomic(b.store_atomic(redex, mailbox, "release", 8), "tm")
                    with refuse:
                        self.atomic(b.store_atomic(c64(L.NO_WORK), mailbox, "release", 8), "tm")
            else:
                self.atomic(b.store_atomic(c64(L.NO_WORK), mailbox, "release", 8), "tm")
            self.atomic(b.store_atomic(c64(0), req_ptr, "release", 8), "tm")

    def worker(self, alone: bool = False) -> ir.Function:
        """worker(tm): reduce redexes until no thread has work left (or an error stops all).

            loop:  answer requests; pop (high bag first, then low); interact
            idle:  busy -= 1; ask other threads in turn until one gives a redex, or busy == 0

        `alone` (one thread's code): also stop as soon as the low bag holds `net.share_at`
        redexes: there is work for other threads, which the parallel code takes on from there
        (see hvm.llvm_cpu.backend: until then, no atomic operation and no other thread costs
        the one that works)."""
        name = "hvm_worker_alone" if alone else "hvm_worker"
        fn, b = self.function(name, I8P, [I8P], ["arg"])
        if fn:
            tm = b.bitcast(fn.args[0], self.tm_p, name="tm")
            net = self.load(b, tm, "net")
            interact = self.interact()
            loop = b.append_basic_block("loop")
            work = b.append_basic_block("work")
            pop_high = b.append_basic_block("pop_high")
            try_low = b.append_basic_block("try_low")
            pop_low = b.append_basic_block("pop_low")
            idle = b.append_basic_block("idle")
            search = b.append_basic_block("search")
            stop = b.append_basic_block("stop")
            tid = self.load(b, tm, "tid")
            if self.parallel:  # only thread 0 starts with work (and counted in `busy`)
                b.cbranch(b.icmp_unsigned("==", tid, c64(0)), loop, search)
            else:
                b.branch(loop)

            b.position_at_end(loop)
            error = self.error_code(b, net)
            b.cbranch(b.icmp_unsigned("!=", error, c64(0)), stop, work)

            b.position_at_end(work)
            if self.parallel:
                self.answer_requests(b, net, tm, can_give=True)
            hlen = self.load(b, tm, "hlen")
            b.cbranch(b.icmp_unsigned(">", hlen, c64(0)), pop_high, try_low)

            b.position_at_end(pop_high)
            h = b.sub(hlen, c64(1))
            self.store(b, tm, "hlen", h)
            redex = self.bag_ld(b, tm, "hbag", h)
            b.call(interact, [net, tm, self.fst(b, redex), self.snd(b, redex)])
            b.branch(loop)

            b.position_at_end(try_low)
            rlo, rhi = self.load(b, tm, "rlo"), self.load(b, tm, "rhi")
            if alone:
                enough = b.icmp_unsigned(">=", b.sub(rhi, rlo), self.load(b, net, "share_at"))
                has_low = b.append_basic_block("has_low")
                b.cbranch(b.icmp_unsigned(">", rhi, rlo), has_low, idle)
                b.position_at_end(has_low)
                b.cbranch(enough, stop, pop_low).set_weights([1, 1000])
            else:
                b.cbranch(b.icmp_unsigned(">", rhi, rlo), pop_low, idle)

            b.position_at_end(pop_low)
            r = b.sub(rhi, c64(1))
            redex = self.bag_ld(b, tm, "rbag", r)
            empty = b.icmp_unsigned("==", r, rlo)
            self.store(b, tm, "rhi", b.select(empty, c64(0), r))
            self.store(b, tm, "rlo", b.select(empty, c64(0), rlo))
            b.call(interact, [net, tm, self.fst(b, redex), self.snd(b, redex)])
            b.branch(loop)

            b.position_at_end(idle)
            if not self.parallel:
                b.branch(stop)
                b.position_at_end(search)
                b.unreachable()
            else:
                self.steal(b, net, tm, tid, search, loop, stop)

            b.position_at_end(stop)
            b.ret(ir.Constant(I8P, None))
        return self.get(name)

    def steal(self, b, net, tm, tid, search, loop, stop):
        """The idle part of the worker loop (parallel mode); `b` is at the busy -> idle change."""
        busy_ptr = self.field(b, net, "busy")
        self.atomic(b.atomic_rmw("sub", busy_ptr, c64(1), "seq_cst"), "net")
        b.branch(search)

        b.position_at_end(search)
        busy_ptr = self.field(b, net, "busy")
        nthreads = self.load(b, net, "nthreads")
        finished = b.icmp_unsigned("==", self.atomic(b.load_atomic(busy_ptr, "seq_cst", 8), "net"), c64(0))
        failed = b.icmp_unsigned("!=", self.error_code(b, net), c64(0))
        ask = b.append_basic_block("ask")
        b.cbranch(b.or_(finished, failed), stop, ask)

        b.position_at_end(ask)
        self.answer_requests(b, net, tm, can_give=False)
        victim = self.load(b, tm, "victim")
        nxt = b.add(victim, c64(1))
        nxt = b.select(b.icmp_unsigned("==", nxt, nthreads), c64(0), nxt)
        nxt = b.select(b.icmp_unsigned("==", nxt, tid), b.add(nxt, c64(1)), nxt)
        nxt = b.select(b.icmp_unsigned(">=", nxt, nthreads), c64(0), nxt)
        self.store(b, tm, "victim", nxt)
        victim_req = self.field(b, self.tm_of(b, net, victim), "request")
        swap = self.atomic(b.cmpxchg(victim_req, c64(0), b.add(tid, c64(1)), "acq_rel", "monotonic"), "tm")
        sent = b.extract_value(swap, 1)
        wait = b.append_basic_block("wait")
        backoff = b.append_basic_block("backoff")
        b.cbranch(sent, wait, backoff)

        b.position_at_end(backoff)
        self.back_off(b, tm)
        b.branch(search)

        b.position_at_end(wait)
        mailbox = self.field(b, tm, "mailbox")
        answer = self.atomic(b.load_atomic(mailbox, "acquire", 8), "tm")
        got = b.append_basic_block("got")
        still = b.append_basic_block("still_waiting")
        b.cbranch(b.icmp_unsigned("!=", answer, c64(0)), got, still)
        b.position_at_end(still)
        self.answer_requests(b, net, tm, can_give=False)
        self.back_off(b, tm)
        done_all = b.icmp_unsigned("==", self.atomic(b.load_atomic(busy_ptr, "seq_cst", 8), "net"), c64(0))
        failed = b.icmp_unsigned("!=", self.error_code(b, net), c64(0))  # the asked thread may have stopped
        b.cbranch(b.or_(done_all, failed), stop, wait)

        b.position_at_end(got)
        self.atomic(b.store_atomic(c64(0), mailbox, "monotonic", 8), "tm")
        received = b.append_basic_block("received")
        refused = b.append_basic_block("refused")
        b.cbranch(b.icmp_unsigned("==", answer, c64(L.NO_WORK)), refused, received)
        b.position_at_end(refused)
        self.back_off(b, tm)
        b.branch(search)
        b.position_at_end(received)
        self.store(b, tm, "idle_rounds", c64(0))
        if self.wide:
            given = (self.load(b, tm, "mail_fst"), self.load(b, tm, "mail_snd"))
        else:
            given = (self.fst(b, answer), self.snd(b, answer))
        b.call(self.push(), [net, tm, *given])
        b.branch(loop)

    def back_off(self, b, tm) -> None:
        """An idle thread that found no work waits before it asks again: a few spin hints at
        first, then (after SPIN_ROUNDS failed rounds) it sleeps SLEEP_US microseconds, so that
        idlers leave the cores, and the line of the thread that works, to the threads that work
        (more threads than cores included)."""
        rounds = b.add(self.load(b, tm, "idle_rounds"), c64(1))
        self.store(b, tm, "idle_rounds", rounds)
        with b.if_else(b.icmp_unsigned("<", rounds, c64(SPIN_ROUNDS))) as (spin, sleep):
            with spin:
                for _ in range(4):
                    self.pause(b)
            with sleep:
                usleep = self.declare("usleep", I32, [I32])
                b.call(usleep, [c32(SLEEP_US)])

    def run(self, booted: bool = False, alone: bool = False) -> ir.Function:
        """hvm_run(net): boot `@main ~ ROOT` on thread 0, then run the workers to the end.
        hvm_resume(net): the same for a net Python has already put in memory (hvm_host_link).
        hvm_run_alone, hvm_resume_alone (one thread's code): the same, on thread 0 alone, until
        its low bag holds `net.share_at` redexes (see worker)."""
        name = ("hvm_resume" if booted else "hvm_run") + ("_alone" if alone else "")
        fn, b = self.function(name, VOIDT, [self.net_p], ["net"], export=True)
        if fn:
            (net,) = fn.args
            worker = self.worker(alone)
            tm0 = self.tm_of(b, net, c64(0))
            if not booted:
                main = self.ld(b, b.gep(self.load(b, net, "defs"), [c64(0)], inbounds=True), "net")
                b.call(main, [net, tm0, self.cp(0)])  # ROOT is var 0, i.e. the port 0
            if not self.parallel:
                b.call(worker, [b.bitcast(tm0, I8P)])
                b.ret_void()
            else:
                self.spawn_and_join(b, net, worker, tm0)
        return self.get(name)

    def host_link(self) -> ir.Function:
        """hvm_host_link(net, a, b): link two ports for thread 0, before a run (see hvm_resume)."""
        fn, b = self.function("hvm_host_link", VOIDT, [self.net_p, self.P, self.P], ["net", "a", "b"], export=True)
        if fn:
            net, x, y = fn.args
            b.call(self.link(), [net, self.tm_of(b, net, c64(0)), x, y])
            b.ret_void()
        return self.get("hvm_host_link")

    def resolve(self) -> ir.Function:
        """hvm_resolve(net, p): the end of p's chain of substituted vars, changing nothing.

        For readback after a run. At most `vars_top` steps: a longer chain would be a loop.
        """
        fn, b = self.function("hvm_resolve", self.P, [self.net_p, self.P], ["net", "p"], export=True)
        if fn:
            net, p0 = fn.args
            limit = self.load(b, net, "vars_top")
            entry = b.block
            head = b.append_basic_block("head")
            step = b.append_basic_block("step")
            follow = b.append_basic_block("follow")
            out = b.append_basic_block("out")
            b.branch(head)
            b.position_at_end(head)
            p = b.phi(self.P, "p")
            n = b.phi(I64, "n")
            p.add_incoming(p0, entry)
            n.add_incoming(c64(0), entry)
            is_var = b.icmp_unsigned("==", self.tag(b, p), self.cp(VAR))
            b.cbranch(b.and_(is_var, b.icmp_unsigned("<=", n, limit)), step, out)
            b.position_at_end(step)
            got = self.var_ld(b, net, self.index(b, p))
            b.cbranch(b.icmp_unsigned("==", got, self.none), out, follow)
            b.position_at_end(follow)
            p.add_incoming(got, follow)
            n.add_incoming(b.add(n, c64(1)), follow)
            b.branch(head)
            b.position_at_end(out)
            b.ret(p)
        return self.get("hvm_resolve")

    def spawn_and_join(self, b, net, worker, tm0):
        pthread_create = self.declare("pthread_create", I32, [I64.as_pointer(), I8P, worker.type, I8P])
        pthread_join = self.declare("pthread_join", I32, [I64, I8P.as_pointer()])
        n = self.load(b, net, "nthreads")
        handles = b.alloca(I64, size=n, name="handles")
        with self.counted_loop(b, c64(1), n) as i:
            b.call(pthread_create, [b.gep(handles, [i]), ir.Constant(I8P, None), worker,
                                    b.bitcast(self.tm_of(b, net, i), I8P)])
        b.call(worker, [b.bitcast(tm0, I8P)])
        with self.counted_loop(b, c64(1), n) as i:
            b.call(pthread_join, [b.load(b.gep(handles, [i])), ir.Constant(I8P.as_pointer(), None)])
        b.ret_void()

def build_core(parallel: bool, wide: bool = False) -> ir.Module:
    """The runtime without any book: entry points `hvm_run(Net*)`, `hvm_resume(Net*)`,
    `hvm_host_link(Net*, port, port)` and `hvm_resolve(Net*, port)`; one thread's code also
    `hvm_run_alone(Net*)` and `hvm_resume_alone(Net*)`. `wide`: 64-bit ports."""
    module = ir.Module(name=f"hvm_core_{'parallel' if parallel else 'single'}{'_wide' if wide else ''}")
    emitter = Emitter(module, parallel, wide)
    emitter.run()
    emitter.run(booted=True)
    if not parallel:
        emitter.run(alone=True)
        emitter.run(booted=True, alone=True)
    emitter.host_link()
    emitter.resolve()
    return module

