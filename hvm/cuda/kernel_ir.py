"""LLVM IR for one turn of the GPU runtime: memory, wires, bags, the rules, and the phases.

In:  an llvmlite `ir.Module` (for NVPTX, or for the host when the grid is emulated).
Out: functions in it: the rules (shared with the CPU through hvm.rules_ir, plus CALL, which
     expands a definition from the book in device memory, and LEAK), and the phases of a turn,
     `hvm_phase_<name>(Ctx*, TM*, i64 arg) -> i32 vote`, which hvm.cuda.grid_ir strings together
     with barriers, once as a CUDA kernel and once as a host loop.

The design (docs/gpu-runtime.md has the long form):
- Memory: each block has a heap in shared memory (`local` nodes and vars); thread `tid`
  allocates in its slots `tid + k * threads`, and when they are full, in pages of the global
  heap that it owns while it allocates there. An interaction allocates all it needs in one
  space. Global memory never points into a block's heap: a global var meeting a local node
  becomes a LEAK redex, which copies the node to the global heap (its local children get
  fresh global vars). At the end of a turn every redex left is saved to the global out array,
  leaking what it reaches, so the next turn finds everything in global memory.
- Bags: per thread, a small LIFO of high-priority redexes and a ring of low-priority ones
  (newest popped first; the oldest is what a thread gives away). A full ring spills: a redex
  that touches the block's heap goes to the block's pool, any other to the out array (the
  next turn's input). Idle threads take from the pool, where busy threads put their oldest
  redexes when some threads of the block are idle.
- Ordering: wires are linked with atomic exchanges on vars, as on the CPU; a thread that wrote
  global memory fences (release, device scope) before it publishes a port through a global
  var, and fences (acquire) after it receives one. Within a block, block-scope fences.
- Counting is hvm.reference's: every rule but LINK; LEAK is counted apart (`leaks`).
"""

from __future__ import annotations

from llvmlite import ir

from hvm.cuda import layout as L
from hvm.ports import CON, DUP, FID_MASK, NONE, REF, VAR
from hvm.rules import ANNI, CALL, COMM, ERAS, HIGH_PRIORITY_MASK, OPER, RULE_TABLE, SWIT, VOID
from hvm.rules_ir import I1, I8, I32, I64, VOIDT, RuleEmitter, c32, c64

SPIN_LIMIT = 1 << 24  # tries at reading a pool entry that was reserved but not yet written


def const_table(module: ir.Module, name: str, values: list[int], ty=I8) -> ir.GlobalVariable:
    array = ir.ArrayType(ty, len(values))
    table = ir.GlobalVariable(module, array, name)
    table.global_constant = True
    table.linkage = "internal"
    table.initializer = ir.Constant(array, values)
    return table


class KernelEmitter(RuleEmitter):
    """Defines the turn's functions in one module, each once, on first use."""

    def __init__(self, module: ir.Module):
        self.module = module
        self.gnet_t, self.tm_t, self.ctx_t = L.llvm_types(module)
        self.gnet_p, self.tm_p, self.ctx_p = (t.as_pointer() for t in (self.gnet_t, self.tm_t, self.ctx_t))
        self.env_p = self.ctx_p

    # -- plumbing

    def fn(self, name: str, ret, args: list, names: list[str], inline: bool = True):
        """A function of the turn: small helpers are inlined; the others stay calls (NVPTX's
        inliner would otherwise copy them into every caller: megabytes of PTX)."""
        fn, b = self.function(name, ret, args, names, inline=inline)
        if fn is not None and not inline:
            fn.attributes.add("noinline")
        return fn, b

    def field(self, b, ptr, name: str):
        fields = {self.gnet_p: L.GNET_FIELDS, self.tm_p: L.TM_FIELDS, self.ctx_p: L.CTX_FIELDS}[ptr.type]
        return b.gep(ptr, [c32(0), c32(L.field_index(fields, name))], inbounds=True)

    def load(self, b, ptr, name: str):
        return b.load(self.field(b, ptr, name), name=name)

    def store(self, b, ptr, name: str, value):
        b.store(value, self.field(b, ptr, name))

    def gnet(self, b, ctx):
        return self.load(b, ctx, "gnet")

    def gload(self, b, ctx, name: str):
        """A field of the GNet header."""
        return self.load(b, self.gnet(b, ctx), name)

    def count(self, b, tm, rule: int, n: int = 1):
        p = b.gep(tm, [c32(0), c32(L.field_index(L.TM_FIELDS, "itrs")), c32(rule)], inbounds=True)
        b.store(b.add(b.load(p), c64(n)), p)

    def bump(self, b, tm, name: str, n=None):
        self.store(b, tm, name, b.add(self.load(b, tm, name), n if n is not None else c64(1)))

    @staticmethod
    def idx64(b, v):
        return b.zext(v, I64) if v.type == I32 else v

    def at(self, b, base, index):
        return b.gep(base, [self.idx64(b, index)], inbounds=True)

    def is_local_index(self, b, ctx, index32):
        return b.icmp_unsigned("<", b.zext(index32, I64), self.load(b, ctx, "local"))

    def is_local(self, b, ctx, p):
        """Does port p name a slot of the block's heap (a local var or node)?"""
        tag = self.tag(b, p)
        has_slot = b.or_(b.icmp_unsigned("==", tag, c32(VAR)), b.icmp_unsigned(">=", tag, c32(CON)))
        return b.and_(has_slot, self.is_local_index(b, ctx, self.val(b, p)))

    def fence(self, b, scope: str):
        b.fence("acq_rel", scope)

    def set_error(self, b, ctx, code: int):
        """The first error wins (the host reports it); every thread stops at its next round."""
        ptr = self.field(b, self.gnet(b, ctx), "error")
        b.cmpxchg(ptr, c64(0), c64(code), "monotonic", "monotonic")

    def error_code(self, b, ctx):
        return b.load_atomic(self.field(b, self.gnet(b, ctx), "error"), "monotonic", 8)

    def if_local(self, b, ctx, index32, local_fn, global_fn, ty=None):
        """Emit `local_fn()` when the slot is in the block's heap, else `global_fn()`; their
        value (a phi) when `ty` is given."""
        local = self.is_local_index(b, ctx, index32)
        with b.if_else(local) as (then, otherwise):
            with then:
                lv = local_fn()
                lb = b.block
            with otherwise:
                gv = global_fn()
                gb = b.block
        if ty is None:
            return None
        phi = b.phi(ty)
        phi.add_incoming(lv, lb)
        phi.add_incoming(gv, gb)
        return phi

    # -- slots: nodes and vars, local or global

    SLOTS = {"node": ("sh_nodes", "node_buf", I64), "var": ("sh_vars", "vars_buf", I32)}

    def slot_load(self, kind: str) -> ir.Function:
        """node_load / var_load (ctx, i): a slot of the block's heap or of the global heap."""
        local, glob, ty = self.SLOTS[kind]
        fn, b = self.fn(f"cu_{kind}_load", ty, [self.ctx_p, I32], ["ctx", "i"])
        if fn:
            ctx, i = fn.args
            b.ret(self.if_local(b, ctx, i, lambda: b.load(self.at(b, self.load(b, ctx, local), i)),
                                lambda: b.load(self.at(b, self.load(b, ctx, glob), i)), ty))
        return self.get(f"cu_{kind}_load")

    def slot_store(self, kind: str) -> ir.Function:
        """node_store / var_store (ctx, tm, i, v); a global store marks the thread dirty (it fences
        before it next publishes a port)."""
        local, glob, ty = self.SLOTS[kind]
        fn, b = self.fn(f"cu_{kind}_store", VOIDT, [self.ctx_p, self.tm_p, I32, ty], ["ctx", "tm", "i", "v"])
        if fn:
            ctx, tm, i, v = fn.args

            def store_global():
                b.store(v, self.at(b, self.load(b, ctx, glob), i))
                self.store(b, tm, "dirty", c64(1))

            self.if_local(b, ctx, i, lambda: b.store(v, self.at(b, self.load(b, ctx, local), i)), store_global)
            b.ret_void()
        return self.get(f"cu_{kind}_store")

    def node_load(self) -> ir.Function:
        return self.slot_load("node")

    def node_store(self) -> ir.Function:
        return self.slot_store("node")

    def var_store(self) -> ir.Function:
        return self.slot_store("var")

    def var_xchg(self) -> ir.Function:
        """var_xchg(ctx, tm, i, v) -> old: the atomic exchange that links wires.

        Global: a release fence first if this thread wrote global memory since its last one,
        and an acquire fence after receiving a port (the other end's writes are then visible).
        Local: the same at block scope.
        """
        fn, b = self.fn("cu_var_xchg", I32, [self.ctx_p, self.tm_p, I32, I32], ["ctx", "tm", "i", "v"])
        if fn:
            ctx, tm, i, v = fn.args

            def local():
                self.fence(b, "block")
                old = b.atomic_rmw("xchg", self.at(b, self.load(b, ctx, "sh_vars"), i), v, "monotonic")
                self.fence(b, "block")
                return old

            def glob():
                with b.if_then(b.icmp_unsigned("!=", self.load(b, tm, "dirty"), c64(0))):
                    self.fence(b, "device")
                    self.store(b, tm, "dirty", c64(0))
                old = b.atomic_rmw("xchg", self.at(b, self.load(b, ctx, "vars_buf"), i), v, "monotonic")
                with b.if_then(b.icmp_unsigned("!=", old, c32(NONE))):
                    self.fence(b, "device")
                return old

            b.ret(self.if_local(b, ctx, i, local, glob, I32))
        return self.get("cu_var_xchg")

    def take(self) -> ir.Function:
        """take(ctx, tm, i) -> the node's (fst, snd) pair; the slot is freed (the redex's owner is
        its only reader). An empty slot here is a bug of the runtime: reported, not followed."""
        fn, b = self.fn("hvm_take", I64, [self.ctx_p, self.tm_p, I32], ["ctx", "tm", "i"])
        if fn:
            ctx, tm, i = fn.args
            node = b.call(self.node_load(), [ctx, i])
            b.call(self.node_store(), [ctx, tm, i, c64(0)])
            with b.if_then(b.icmp_unsigned("==", node, c64(0)), likely=False):
                self.set_error(b, ctx, L.ERROR_INTERNAL)
            b.ret(node)
        return self.get("hvm_take")

    def free_var(self, b, ctx, tm, i):
        b.call(self.var_store(), [ctx, tm, i, c32(0)])

    # -- allocation: reserve first (all in one space), then hand out

    def reserve_local(self, kind: str) -> ir.Function:
        """reserve_local_<kind>(ctx, tm, n, out) -> ok: n free slots among this thread's slots of
        the block's heap, written to out[0..n). Only this thread allocates there, so a slot seen
        free stays free until it is used; nothing is written if there are not n."""
        name = f"cu_reserve_local_{kind}"
        fn, b = self.fn(name, I1, [self.ctx_p, self.tm_p, I64, I32.as_pointer()], ["ctx", "tm", "n", "out"])
        if fn:
            ctx, tm, n, out = fn.args
            cursor = "lnode" if kind == "node" else "lvar"
            per = self.gload(b, ctx, "per_thread")
            threads, tid = self.load(b, ctx, "threads"), self.load(b, ctx, "tid")
            buf = self.load(b, ctx, "sh_nodes" if kind == "node" else "sh_vars")
            entry = b.block
            head, body, found_blk, next_blk, done = (b.append_basic_block(x) for x in
                                                      ("head", "body", "found", "next", "done"))
            start = self.load(b, tm, cursor)
            b.branch(head)
            b.position_at_end(head)
            tried = b.phi(I64, "tried")
            got = b.phi(I64, "got")
            k = b.phi(I64, "k")
            tried.add_incoming(c64(0), entry)
            got.add_incoming(c64(0), entry)
            k.add_incoming(start, entry)
            more = b.and_(b.icmp_unsigned("<", got, n), b.icmp_unsigned("<", tried, per))
            b.cbranch(more, body, done)
            b.position_at_end(body)
            index = b.add(tid, b.mul(k, threads))
            slot = b.load(b.gep(buf, [index], inbounds=True))
            b.cbranch(b.icmp_unsigned("==", slot, ir.Constant(slot.type, 0)), found_blk, next_blk)
            b.position_at_end(found_blk)
            b.store(b.trunc(index, I32), b.gep(out, [got], inbounds=True))
            got1 = b.add(got, c64(1))
            b.branch(next_blk)
            b.position_at_end(next_blk)
            got2 = b.phi(I64)
            got2.add_incoming(got1, found_blk)
            got2.add_incoming(got, body)
            k1 = b.add(k, c64(1))
            k2 = b.select(b.icmp_unsigned("==", k1, per), c64(0), k1)
            tried.add_incoming(b.add(tried, c64(1)), next_blk)
            got.add_incoming(got2, next_blk)
            k.add_incoming(k2, next_blk)
            b.branch(head)
            b.position_at_end(done)
            self.store(b, tm, cursor, k)
            b.ret(b.icmp_unsigned("==", got, n))
        return self.get(name)

    def reserve_global(self, kind: str) -> ir.Function:
        """reserve_global_<kind>(ctx, tm, n, out) -> ok: n free slots of the global heap.

        A thread allocates in a page it owns (the page's owner word holds 1 + its global id);
        when the page has no free slot left it lets it go and claims the next unowned page from
        a global cursor that goes round all pages. Having gone round them all once without
        finding n slots, the heap is full: `error` says which kind ran out.
        """
        name = f"cu_reserve_global_{kind}"
        fn, b = self.fn(name, I1, [self.ctx_p, self.tm_p, I64, I32.as_pointer()], ["ctx", "tm", "n", "out"],
                        inline=False)
        if fn:
            ctx, tm, n, out = fn.args
            gnet = self.gnet(b, ctx)
            page_f, cur_f = ("gnode_page", "gnode_cur") if kind == "node" else ("gvar_page", "gvar_cur")
            owners = self.load(b, gnet, "node_owner" if kind == "node" else "var_owner")
            next_ptr = self.field(b, gnet, "node_next" if kind == "node" else "var_next")
            npages, psize = self.load(b, gnet, "npages"), self.load(b, gnet, "page")
            local = self.load(b, ctx, "local")
            me = b.trunc(b.add(self.load(b, ctx, "gid"), c64(1)), I32)
            is_node = kind == "node"
            buf = self.load(b, ctx, "node_buf" if is_node else "vars_buf")
            entry = b.block
            head, scan, found_blk, step, new_page, claim, claimed, full, done = (
                b.append_basic_block(x) for x in
                ("head", "scan", "found", "step", "new_page", "claim", "claimed", "full", "done"))
            page0, cur0 = self.load(b, tm, page_f), self.load(b, tm, cur_f)
            b.branch(head)

            # head: got < n ? (page usable ? scan : new_page) : done
            b.position_at_end(head)
            page = b.phi(I64, "page")
            cur = b.phi(I64, "cur")
            got = b.phi(I64, "got")
            tries = b.phi(I64, "tries")
            for phi, v in ((page, page0), (cur, cur0), (got, c64(0)), (tries, c64(0))):
                phi.add_incoming(v, entry)
            need = b.icmp_unsigned("<", got, n)
            has_page = b.and_(b.icmp_unsigned("!=", page, c64(L.NO_PAGE)), b.icmp_unsigned("<", cur, psize))
            pick = b.append_basic_block("pick")
            b.cbranch(need, pick, done)
            b.position_at_end(pick)
            b.cbranch(has_page, scan, new_page)

            # scan: look at one slot of the page
            b.position_at_end(scan)
            index = b.add(local, b.add(b.mul(page, psize), cur))
            slot = b.load(b.gep(buf, [index], inbounds=True))
            b.cbranch(b.icmp_unsigned("==", slot, ir.Constant(slot.type, 0)), found_blk, step)
            b.position_at_end(found_blk)
            b.store(b.trunc(index, I32), b.gep(out, [got], inbounds=True))
            got1 = b.add(got, c64(1))
            b.branch(step)
            b.position_at_end(step)
            got_s = b.phi(I64)
            got_s.add_incoming(got1, found_blk)
            got_s.add_incoming(got, scan)
            page.add_incoming(page, step)
            cur.add_incoming(b.add(cur, c64(1)), step)
            got.add_incoming(got_s, step)
            tries.add_incoming(tries, step)
            b.branch(head)

            # new_page: give the old page back, then claim pages until one is unowned
            b.position_at_end(new_page)
            with b.if_then(b.icmp_unsigned("!=", page, c64(L.NO_PAGE))):
                self.fence(b, "device")  # what we wrote there is visible to the next owner
                b.store_atomic(c32(0), b.gep(owners, [page], inbounds=True), "monotonic", 4)
            released = b.block
            b.branch(claim)
            b.position_at_end(claim)
            ctries = b.phi(I64, "ctries")
            ctries.add_incoming(tries, released)
            exhausted = b.icmp_unsigned(">", ctries, b.add(npages, c64(1)))
            try_blk = b.append_basic_block("try")
            b.cbranch(exhausted, full, try_blk)
            b.position_at_end(try_blk)
            ticket = b.atomic_rmw("add", next_ptr, c64(1), "monotonic")
            p = b.urem(ticket, npages)
            res = b.cmpxchg(b.gep(owners, [p], inbounds=True), c32(0), me, "monotonic", "monotonic")
            ctries.add_incoming(b.add(ctries, c64(1)), try_blk)
            b.cbranch(b.extract_value(res, 1), claimed, claim)
            b.position_at_end(claimed)
            self.fence(b, "device")  # see what the page's earlier owners wrote
            page.add_incoming(p, claimed)
            cur.add_incoming(c64(0), claimed)
            got.add_incoming(got, claimed)
            tries.add_incoming(b.add(ctries, c64(1)), claimed)
            b.branch(head)

            b.position_at_end(full)
            self.store(b, tm, page_f, c64(L.NO_PAGE))
            self.store(b, tm, cur_f, c64(0))
            self.set_error(b, ctx, L.ERROR_NODES if is_node else L.ERROR_VARS)
            b.ret(ir.Constant(I1, 0))

            b.position_at_end(done)
            self.store(b, tm, page_f, page)
            self.store(b, tm, cur_f, cur)
            b.ret(ir.Constant(I1, 1))
        return self.get(name)

    def scratch(self, b, tm, name: str):
        return b.gep(tm, [c32(0), c32(L.field_index(L.TM_FIELDS, name)), c32(0)], inbounds=True)

    def reserve(self) -> ir.Function:
        """reserve(ctx, tm, nodes, vars) -> ok: the slots a rule needs, all local if this
        thread's part of the block's heap has them, else all global (one var more: see settle)."""
        fn, b = self.fn("cu_reserve", I1, [self.ctx_p, self.tm_p, I64, I64], ["ctx", "tm", "nodes", "vars"],
                        inline=False)
        if fn:
            ctx, tm, nodes, vars_ = fn.args
            self.store(b, tm, "nk", c64(0))
            self.store(b, tm, "vk", c64(0))
            nloc, vloc = self.scratch(b, tm, "nloc"), self.scratch(b, tm, "vloc")
            ok_local = b.call(self.reserve_local("node"), [ctx, tm, nodes, nloc])
            with b.if_then(ok_local):
                with b.if_then(b.call(self.reserve_local("var"), [ctx, tm, vars_, vloc])):
                    b.ret(ir.Constant(I1, 1))
            b.ret(b.call(self.reserve_global_both(), [ctx, tm, nodes, b.add(vars_, c64(1)), nloc, vloc]))
        return self.get("cu_reserve")

    def reserve_global_both(self) -> ir.Function:
        fn, b = self.fn("cu_reserve_global", I1, [self.ctx_p, self.tm_p, I64, I64, I32.as_pointer(),
                                                 I32.as_pointer()], ["ctx", "tm", "nodes", "vars", "nloc", "vloc"])
        if fn:
            ctx, tm, nodes, vars_, nloc, vloc = fn.args
            with b.if_then(b.not_(b.call(self.reserve_global("node"), [ctx, tm, nodes, nloc]))):
                b.ret(ir.Constant(I1, 0))
            b.ret(b.call(self.reserve_global("var"), [ctx, tm, vars_, vloc]))
        return self.get("cu_reserve_global")

    def guard(self, b, ctx, tm, nodes: int, vars_: int):
        """Return from the current rule unless its memory is reserved (out of memory: the
        error is set, and the run stops)."""
        ok = b.call(self.reserve(), [ctx, tm, c64(nodes), c64(vars_)])
        with b.if_then(b.not_(ok), likely=False):
            b.ret_void()

    def alloc(self, kind: str) -> ir.Function:
        """alloc_<kind>(ctx, tm) -> index: the next slot the guard reserved; a var starts NONE."""
        name = f"cu_alloc_{kind}"
        fn, b = self.fn(name, I32, [self.ctx_p, self.tm_p], ["ctx", "tm"])
        if fn:
            ctx, tm = fn.args
            k_f, arr = ("nk", "nloc") if kind == "node" else ("vk", "vloc")
            k = self.load(b, tm, k_f)
            self.store(b, tm, k_f, b.add(k, c64(1)))
            i = b.load(b.gep(self.scratch(b, tm, arr), [k], inbounds=True))
            if kind == "var":
                b.call(self.var_store(), [ctx, tm, i, c32(NONE)])
            b.ret(i)
        return self.get(name)

    def settle(self) -> ir.Function:
        """settle(ctx, tm, p, global) -> port to store in a node: p itself, or, when the node is
        global and p names a local slot, a fresh global var linked to p (no global pointer may
        lead into a block's heap)."""
        fn, b = self.fn("cu_settle", I32, [self.ctx_p, self.tm_p, I32, I1], ["ctx", "tm", "p", "global"])
        if fn:
            ctx, tm, p, is_global = fn.args
            with b.if_then(b.and_(is_global, self.is_local(b, ctx, p)), likely=False):
                b.ret(b.call(self.bridge(), [ctx, tm, p]))
            b.ret(p)
        return self.get("cu_settle")

    def bridge(self) -> ir.Function:
        """bridge(ctx, tm, p) -> a fresh global var (reserved by the guard) linked to local port p."""
        fn, b = self.fn("cu_bridge", I32, [self.ctx_p, self.tm_p, I32], ["ctx", "tm", "p"], inline=False)
        if fn:
            ctx, tm, p = fn.args
            g = self.port(b, VAR, b.call(self.alloc("var"), [ctx, tm]))
            b.call(self.link(), [ctx, tm, g, p])
            b.ret(g)
        return self.get("cu_bridge")

    def new_node(self, b, ctx, tm, fst, snd):
        i = b.call(self.alloc("node"), [ctx, tm])
        is_global = b.not_(self.is_local_index(b, ctx, i))
        fst = b.call(self.settle(), [ctx, tm, fst, is_global])
        snd = b.call(self.settle(), [ctx, tm, snd, is_global])
        b.call(self.node_store(), [ctx, tm, i, self.pair(b, fst, snd)])
        return i

    # -- bags

    def push(self) -> ir.Function:
        """push(ctx, tm, a, b): a new redex, on the bag its rule's priority says."""
        fn, b = self.fn("cu_push", VOIDT, [self.ctx_p, self.tm_p, I32, I32], ["ctx", "tm", "a", "b"])
        if fn:
            ctx, tm, a, p = fn.args
            redex = self.pair(b, a, p)
            ta, tb = self.tag(b, a), self.tag(b, p)
            lo = b.select(b.icmp_unsigned("<", ta, tb), ta, tb)
            hi = b.select(b.icmp_unsigned("<", ta, tb), tb, ta)
            key = b.zext(b.or_(b.shl(lo, c32(3)), hi), I64)
            high = b.trunc(b.lshr(c64(HIGH_PRIORITY_MASK), key), I1)
            hlen = self.load(b, tm, "hlen")
            with b.if_then(b.and_(high, b.icmp_unsigned("<", hlen, self.load(b, ctx, "hcap"))), likely=True):
                b.store(redex, self.at(b, self.load(b, ctx, "hbag"), hlen))
                self.store(b, tm, "hlen", b.add(hlen, c64(1)))
                b.ret_void()
            b.call(self.push_low(), [ctx, tm, redex])
            b.ret_void()
        return self.get("cu_push")

    def push_low(self) -> ir.Function:
        fn, b = self.fn("cu_push_low", VOIDT, [self.ctx_p, self.tm_p, I64], ["ctx", "tm", "r"])
        if fn:
            ctx, tm, redex = fn.args
            rlo, rhi, rcap = self.load(b, tm, "rlo"), self.load(b, tm, "rhi"), self.load(b, ctx, "rcap")
            with b.if_then(b.icmp_unsigned("<", b.sub(rhi, rlo), rcap), likely=True):
                b.store(redex, self.at(b, self.load(b, ctx, "ring"), b.and_(rhi, b.sub(rcap, c64(1)))))
                self.store(b, tm, "rhi", b.add(rhi, c64(1)))
                b.ret_void()
            b.call(self.spill(), [ctx, tm, redex])
            b.ret_void()
        return self.get("cu_push_low")

    def spill(self) -> ir.Function:
        """spill(ctx, tm, r): a redex for which this thread's bags have no room. One that touches
        the block's heap goes to the block's pool; any other to the out array (next turn)."""
        fn, b = self.fn("cu_spill", VOIDT, [self.ctx_p, self.tm_p, I64], ["ctx", "tm", "r"], inline=False)
        if fn:
            ctx, tm, redex = fn.args
            local = b.or_(self.is_local(b, ctx, self.fst(b, redex)), self.is_local(b, ctx, self.snd(b, redex)))
            with b.if_else(local) as (to_pool, to_out):
                with to_pool:
                    b.call(self.pool_push(), [ctx, redex])
                with to_out:
                    b.call(self.out_push(), [ctx, redex])
            b.ret_void()
        return self.get("cu_spill")

    def out_push(self) -> ir.Function:
        """out_push(ctx, r): append a redex that touches no block's heap to the turn's out array."""
        fn, b = self.fn("cu_out_push", VOIDT, [self.ctx_p, I64], ["ctx", "r"])
        if fn:
            ctx, redex = fn.args
            gnet = self.gnet(b, ctx)
            k = b.atomic_rmw("add", self.field(b, gnet, "out_len"), c64(1), "monotonic")
            with b.if_else(b.icmp_unsigned("<", k, self.load(b, gnet, "out_cap")), likely=True) as (room, full):
                with room:
                    b.store(redex, self.at(b, self.load(b, gnet, "bag_out"), k))
                with full:
                    self.set_error(b, ctx, L.ERROR_BAG)
            b.ret_void()
        return self.get("cu_out_push")

    def head_word(self, b, ctx, word: int):
        return b.gep(self.load(b, ctx, "sh_head"), [c64(word)], inbounds=True)

    def pool_push(self) -> ir.Function:
        """pool_push(ctx, r): onto the block's pool, a ring in global memory that any thread of
        the block may push to or pop from at any time: a pusher reserves a slot (tail) and then
        writes it; a popper claims a slot (head) and waits for it to be written."""
        fn, b = self.fn("cu_pool_push", VOIDT, [self.ctx_p, I64], ["ctx", "r"])
        if fn:
            ctx, redex = fn.args
            t = b.zext(b.atomic_rmw("add", self.head_word(b, ctx, L.SH_POOL_TAIL), c32(1), "monotonic"), I64)
            h = b.zext(b.load_atomic(self.head_word(b, ctx, L.SH_POOL_HEAD), "monotonic", 4), I64)
            cap = self.load(b, ctx, "pool_cap")
            with b.if_else(b.icmp_unsigned("<", b.sub(t, h), cap), likely=True) as (room, full):
                with room:
                    self.fence(b, "block")
                    b.store_atomic(redex, self.at(b, self.load(b, ctx, "pool"), b.urem(t, cap)), "monotonic", 8)
                with full:
                    self.set_error(b, ctx, L.ERROR_POOL)
            b.ret_void()
        return self.get("cu_pool_push")

    def pool_size(self, b, ctx):
        t = b.load_atomic(self.head_word(b, ctx, L.SH_POOL_TAIL), "monotonic", 4)
        h = b.load_atomic(self.head_word(b, ctx, L.SH_POOL_HEAD), "monotonic", 4)
        return b.zext(b.sub(t, h), I64)

    def pool_pop(self) -> ir.Function:
        """pool_pop(ctx) -> a redex, or 0 when the pool is empty."""
        fn, b = self.fn("cu_pool_pop", I64, [self.ctx_p], ["ctx"], inline=False)
        if fn:
            (ctx,) = fn.args
            head_p, tail_p = self.head_word(b, ctx, L.SH_POOL_HEAD), self.head_word(b, ctx, L.SH_POOL_TAIL)
            cap = self.load(b, ctx, "pool_cap")
            pool = self.load(b, ctx, "pool")
            claim = b.append_basic_block("claim")
            wait = b.append_basic_block("wait")
            got = b.append_basic_block("got")
            b.branch(claim)
            b.position_at_end(claim)
            h = b.load_atomic(head_p, "monotonic", 4)
            t = b.load_atomic(tail_p, "monotonic", 4)
            try_blk = b.append_basic_block("try")
            empty = b.icmp_unsigned(">=", h, t)
            empty_blk = b.append_basic_block("empty")
            b.cbranch(empty, empty_blk, try_blk)
            b.position_at_end(empty_blk)
            b.ret(c64(0))
            b.position_at_end(try_blk)
            res = b.cmpxchg(head_p, h, b.add(h, c32(1)), "monotonic", "monotonic")
            slot = self.at(b, pool, b.urem(b.zext(h, I64), cap))
            b.cbranch(b.extract_value(res, 1), wait, claim)
            b.position_at_end(wait)
            spins = b.phi(I64, "spins")
            spins.add_incoming(c64(0), try_blk)
            entry = b.atomic_rmw("xchg", slot, c64(0), "monotonic")
            give_up = b.icmp_unsigned(">", spins, c64(SPIN_LIMIT))
            again = b.append_basic_block("again")
            b.cbranch(b.icmp_unsigned("!=", entry, c64(0)), got, again)
            b.position_at_end(again)
            b.call(self.declare("cu_pause", VOIDT, []), [])
            spins.add_incoming(b.add(spins, c64(1)), again)
            stuck = b.append_basic_block("stuck")
            b.cbranch(give_up, stuck, wait)
            b.position_at_end(stuck)
            self.set_error(b, ctx, L.ERROR_INTERNAL)
            b.ret(c64(0))
            b.position_at_end(got)
            self.fence(b, "block")
            b.ret(entry)
        return self.get("cu_pool_pop")

    def pop(self) -> ir.Function:
        """pop(ctx, tm) -> the next redex of this thread (high priority first, newest first), or 0."""
        fn, b = self.fn("cu_pop", I64, [self.ctx_p, self.tm_p], ["ctx", "tm"])
        if fn:
            ctx, tm = fn.args
            hlen = self.load(b, tm, "hlen")
            with b.if_then(b.icmp_unsigned(">", hlen, c64(0))):
                h = b.sub(hlen, c64(1))
                self.store(b, tm, "hlen", h)
                b.ret(b.load(self.at(b, self.load(b, ctx, "hbag"), h)))
            rlo, rhi = self.load(b, tm, "rlo"), self.load(b, tm, "rhi")
            with b.if_then(b.icmp_unsigned(">", rhi, rlo)):
                r = b.sub(rhi, c64(1))
                self.store(b, tm, "rhi", r)
                mask = b.sub(self.load(b, ctx, "rcap"), c64(1))
                b.ret(b.load(self.at(b, self.load(b, ctx, "ring"), b.and_(r, mask))))
            b.ret(c64(0))
        return self.get("cu_pop")

    def has_work(self, b, tm):
        return b.or_(b.icmp_unsigned(">", self.load(b, tm, "hlen"), c64(0)),
                     b.icmp_unsigned(">", self.load(b, tm, "rhi"), self.load(b, tm, "rlo")))

    # -- wires

    def enter(self) -> ir.Function:
        """enter(ctx, tm, p): follow p through vars whose other end already arrived, freeing them."""
        fn, b = self.fn("hvm_enter", I32, [self.ctx_p, self.tm_p, I32], ["ctx", "tm", "p"])
        if fn:
            ctx, tm, p0 = fn.args
            entry = b.block
            head, step, follow, bad, out = (b.append_basic_block(x) for x in ("head", "step", "follow", "bad", "out"))
            b.branch(head)
            b.position_at_end(head)
            p = b.phi(I32, "p")
            p.add_incoming(p0, entry)
            b.cbranch(b.icmp_unsigned("==", self.tag(b, p), c32(VAR)), step, out)
            b.position_at_end(step)
            got = b.call(self.var_xchg(), [ctx, tm, self.val(b, p), c32(NONE)])
            arrived = b.append_basic_block("arrived")
            b.cbranch(b.icmp_unsigned("==", got, c32(NONE)), out, arrived)
            b.position_at_end(arrived)
            b.cbranch(b.icmp_unsigned("==", got, c32(0)), bad, follow)
            b.position_at_end(follow)
            self.free_var(b, ctx, tm, self.val(b, p))
            p.add_incoming(got, follow)
            b.branch(head)
            b.position_at_end(bad)
            self.set_error(b, ctx, L.ERROR_INTERNAL)
            b.branch(out)
            b.position_at_end(out)
            b.ret(p)
        return self.get("hvm_enter")

    def link(self) -> ir.Function:
        """link(ctx, tm, a, b): connect two ports.

            principal ~ principal        ==>  a redex
            global var ~ local node      ==>  a LEAK redex (the node is copied out first)
            global var ~ local var       ==>  the local var holds the global one
            var x ~ t                    ==>  the first end of x to arrive leaves t in x; the
                                              second takes it, frees x, links it with t
        """
        fn, b = self.fn("hvm_link", VOIDT, [self.ctx_p, self.tm_p, I32, I32], ["ctx", "tm", "a", "b"], inline=False)
        if fn:
            ctx, tm, a0, b0 = fn.args
            entry = b.block
            head, a_principal, redex, var, settle, second, done = (b.append_basic_block(x) for x in (
                "head", "a_principal", "redex", "var", "settle", "second", "done"))
            b.branch(head)

            b.position_at_end(head)
            a = b.phi(I32, "a")
            p = b.phi(I32, "b")
            a.add_incoming(a0, entry)
            p.add_incoming(b0, entry)
            b.cbranch(b.icmp_unsigned("==", self.tag(b, a), c32(VAR)), var, a_principal)

            b.position_at_end(a_principal)
            b.cbranch(b.icmp_unsigned("==", self.tag(b, p), c32(VAR)), var, redex)

            b.position_at_end(redex)
            b.call(self.push(), [ctx, tm, a, p])
            b.ret_void()

            b.position_at_end(var)
            x0 = b.phi(I32, "x")  # the var end
            t0 = b.phi(I32, "t")  # what it connects to
            x0.add_incoming(a, head)
            t0.add_incoming(p, head)
            x0.add_incoming(p, a_principal)
            t0.add_incoming(a, a_principal)
            t = b.call(self.enter(), [ctx, tm, t0])
            x_global = b.not_(self.is_local_index(b, ctx, self.val(b, x0)))
            t_tag = self.tag(b, t)
            t_local = self.is_local(b, ctx, t)
            t_local_var = b.and_(t_local, b.icmp_unsigned("==", t_tag, c32(VAR)))
            t_local_node = b.and_(t_local, b.icmp_unsigned("!=", t_tag, c32(VAR)))
            leak = b.append_basic_block("leak")
            pick = b.append_basic_block("pick")
            b.cbranch(b.and_(x_global, t_local_node), leak, pick)
            b.position_at_end(leak)
            b.call(self.push(), [ctx, tm, x0, t])
            b.ret_void()
            b.position_at_end(pick)
            swap = b.and_(x_global, t_local_var)  # the local var holds the global one
            x = b.select(swap, t, x0)
            target = b.select(swap, x0, t)
            b.branch(settle)

            b.position_at_end(settle)
            old = b.call(self.var_xchg(), [ctx, tm, self.val(b, x), target])
            arrived = b.append_basic_block("arrived")
            b.cbranch(b.icmp_unsigned("==", old, c32(NONE)), done, arrived)
            b.position_at_end(arrived)
            bad = b.append_basic_block("bad")
            b.cbranch(b.icmp_unsigned("==", old, c32(0)), bad, second)
            b.position_at_end(bad)
            self.set_error(b, ctx, L.ERROR_INTERNAL)
            b.ret_void()

            b.position_at_end(second)
            self.free_var(b, ctx, tm, self.val(b, x))
            a.add_incoming(old, second)
            p.add_incoming(target, second)
            b.branch(head)

            b.position_at_end(done)
            b.ret_void()
        return self.get("hvm_link")

    # -- the rules only the GPU has: LEAK, and CALL from the book in device memory

    def leak(self) -> ir.Function:
        """leak(ctx, tm, g, n): global var g meets local node n.

            g ~ (n1 n2)   ==>   g ~ (n1' n2') in the global heap, where ni' is ni when ni is
                                global, else a fresh global var linked to ni
        """
        fn, b = self.fn("cu_leak", VOIDT, [self.ctx_p, self.tm_p, I32, I32], ["ctx", "tm", "g", "n"])
        if fn:
            ctx, tm, g, n = fn.args
            self.store(b, tm, "nk", c64(0))
            self.store(b, tm, "vk", c64(0))
            ok = b.call(self.reserve_global_both(), [ctx, tm, c64(1), c64(2), self.scratch(b, tm, "nloc"),
                                                     self.scratch(b, tm, "vloc")])
            with b.if_then(b.not_(ok), likely=False):
                b.ret_void()
            node = b.call(self.take(), [ctx, tm, self.val(b, n)])
            i = self.new_node(b, ctx, tm, self.fst(b, node), self.snd(b, node))
            self.bump(b, tm, "leaks")
            b.call(self.link(), [ctx, tm, g, b.or_(b.shl(i, c32(3)), self.tag(b, n))])
            b.ret_void()
        return self.get("cu_leak")

    def call(self) -> ir.Function:
        """call(ctx, tm, a, b): `@f ~ b`, a fresh copy of @f's net from the book, its root linked
        to b; `@f ~ {x y}` with @f safe copies the reference instead (counted as ERAS).

        A definition with at most `small` nodes and vars is relocated through the thread's
        scratch, into the block's heap if this thread's part of it has room, else into the
        global heap. A bigger one goes to the global heap through the block's scratch area,
        which one thread of the block uses at a time: another thread that needs it puts its
        redex back and waits for the next round (`yielded`).
        """
        fn, b = self.fn("cu_call", VOIDT, [self.ctx_p, self.tm_p, I32, I32], ["ctx", "tm", "a", "b"], inline=False)
        if fn:
            ctx, tm, a, target = fn.args
            gnet = self.gnet(b, ctx)
            fid = b.zext(b.and_(self.val(b, a), c32(FID_MASK)), I64)
            d = b.gep(self.load(b, gnet, "defs"), [b.mul(fid, c64(L.DEF_WORDS))], inbounds=True)

            def word(k):
                return b.zext(b.load(b.gep(d, [c64(k)], inbounds=True)), I64)

            off, nodes, redexes, nvars, safe, big = (word(k) for k in range(6))
            with b.if_then(b.and_(b.icmp_unsigned("==", self.tag(b, target), c32(DUP)),
                                  b.icmp_unsigned("!=", safe, c64(0)))):
                b.call(self.eras(), [ctx, tm, a, target])
                b.ret_void()
            is_big = b.icmp_unsigned("!=", big, c64(0))
            lock = self.head_word(b, ctx, L.SH_LOCK)
            me = b.trunc(b.add(self.load(b, ctx, "tid"), c64(1)), I32)
            small_blk, big_blk, ready = (b.append_basic_block(x) for x in ("small", "big", "ready"))
            b.cbranch(is_big, big_blk, small_blk)

            b.position_at_end(big_blk)
            area = self.load(b, ctx, "area")
            anloc, avloc = area, b.gep(area, [self.gload(b, ctx, "area_nodes")], inbounds=True)
            got = b.cmpxchg(lock, c32(0), me, "monotonic", "monotonic")
            busy = b.append_basic_block("busy")
            locked = b.append_basic_block("locked")
            b.cbranch(b.extract_value(got, 1), locked, busy)
            b.position_at_end(busy)
            b.call(self.push(), [ctx, tm, a, target])
            self.store(b, tm, "yielded", c64(1))
            b.ret_void()
            b.position_at_end(locked)
            self.fence(b, "block")
            ok_big = b.call(self.reserve_global_both(), [ctx, tm, nodes, nvars, anloc, avloc])
            oom_big = b.append_basic_block("oom_big")
            b.cbranch(ok_big, ready, oom_big)
            b.position_at_end(oom_big)
            self.fence(b, "block")
            b.store_atomic(c32(0), lock, "monotonic", 4)
            b.ret_void()

            b.position_at_end(small_blk)
            snloc, svloc = self.scratch(b, tm, "nloc"), self.scratch(b, tm, "vloc")
            ok_small = b.call(self.reserve_def(), [ctx, tm, nodes, nvars])
            oom = b.append_basic_block("oom")
            b.cbranch(ok_small, ready, oom)
            b.position_at_end(oom)
            b.ret_void()

            b.position_at_end(ready)
            nloc = b.phi(I32.as_pointer(), "nloc")
            vloc = b.phi(I32.as_pointer(), "vloc")
            nloc.add_incoming(anloc, locked)
            vloc.add_incoming(avloc, locked)
            nloc.add_incoming(snloc, small_blk)
            vloc.add_incoming(svloc, small_blk)
            self.count(b, tm, CALL)
            ports = b.gep(self.load(b, gnet, "ports"), [off], inbounds=True)

            def port_at(k):
                return b.load(b.gep(ports, [k], inbounds=True))

            def relocate(p):
                return self.relocate(b, p, nloc, vloc)

            with self.counted_loop(b, c64(0), nvars) as j:
                vi = b.load(b.gep(vloc, [j], inbounds=True))
                b.call(self.var_store(), [ctx, tm, vi, c32(NONE)])
            with self.counted_loop(b, c64(0), nodes) as i:
                k = b.mul(i, c64(2))
                pair = self.pair(b, relocate(port_at(k)), relocate(port_at(b.add(k, c64(1)))))
                b.call(self.node_store(), [ctx, tm, b.load(b.gep(nloc, [i], inbounds=True)), pair])
            base = b.mul(nodes, c64(2))
            link = self.link()
            with self.counted_loop(b, c64(0), redexes) as r:
                k = b.add(base, b.mul(r, c64(2)))
                b.call(link, [ctx, tm, relocate(port_at(k)), relocate(port_at(b.add(k, c64(1))))])
            b.call(link, [ctx, tm, relocate(port_at(b.add(base, b.mul(redexes, c64(2))))), target])
            with b.if_then(is_big):
                self.fence(b, "block")
                b.store_atomic(c32(0), lock, "monotonic", 4)
            b.ret_void()
        return self.get("cu_call")

    def reserve_def(self) -> ir.Function:
        """reserve_def(ctx, tm, nodes, vars) -> ok: reserve() for a small definition (all of its
        ports are its own, so a global copy needs no extra var)."""
        fn, b = self.fn("cu_reserve_def", I1, [self.ctx_p, self.tm_p, I64, I64], ["ctx", "tm", "nodes", "vars"],
                        inline=False)
        if fn:
            ctx, tm, nodes, vars_ = fn.args
            nloc, vloc = self.scratch(b, tm, "nloc"), self.scratch(b, tm, "vloc")
            with b.if_then(b.call(self.reserve_local("node"), [ctx, tm, nodes, nloc])):
                with b.if_then(b.call(self.reserve_local("var"), [ctx, tm, vars_, vloc])):
                    b.ret(ir.Constant(I1, 1))
            b.ret(b.call(self.reserve_global_both(), [ctx, tm, nodes, vars_, nloc, vloc]))
        return self.get("cu_reserve_def")

    # -- dispatch

    def interact(self) -> ir.Function:
        """interact(ctx, tm, a, b): apply the rule for a redex (the smaller tag first)."""
        fn, b = self.fn("cu_interact", VOIDT, [self.ctx_p, self.tm_p, I32, I32], ["ctx", "tm", "a", "b"], inline=False)
        if fn:
            ctx, tm, a0, b0 = fn.args
            ta0, tb0 = self.tag(b, a0), self.tag(b, b0)
            swap = b.icmp_unsigned(">", ta0, tb0)
            a = b.select(swap, b0, a0, name="a")
            p = b.select(swap, a0, b0, name="b")
            key = b.or_(b.shl(self.tag(b, a), c32(3)), self.tag(b, p))
            table = const_table(self.module, "cu_rule_table", [RULE_TABLE[i >> 3][i & 7] for i in range(64)])
            rule = b.load(b.gep(table, [c32(0), key], inbounds=True))
            done = b.append_basic_block("done")
            names = ["link", "call", "void", "eras", "anni", "comm", "oper", "swit"]
            blocks = {r: b.append_basic_block(n) for r, n in enumerate(names)}
            sw = b.switch(rule, done)
            for r, block in blocks.items():
                sw.add_case(ir.Constant(I8, r), block)
            shared = {ERAS: self.eras(), ANNI: self.anni(), COMM: self.comm(), OPER: self.oper(), SWIT: self.swit(),
                      CALL: self.call()}
            for r, block in blocks.items():
                b.position_at_end(block)
                if r in shared:
                    b.call(shared[r], [ctx, tm, a, p])
                elif r == VOID:
                    self.count(b, tm, VOID)
                else:  # LINK: a var in a redex. A global var with a local node is a LEAK.
                    x_global = b.not_(self.is_local_index(b, ctx, self.val(b, a)))
                    node_local = b.and_(b.icmp_unsigned(">=", self.tag(b, p), c32(CON)),
                                        self.is_local_index(b, ctx, self.val(b, p)))
                    with b.if_else(b.and_(x_global, node_local)) as (is_leak, plain):
                        with is_leak:
                            b.call(self.leak(), [ctx, tm, a, p])
                        with plain:
                            b.call(self.link(), [ctx, tm, a, p])
                b.branch(done)
            b.position_at_end(done)
            b.ret_void()
        return self.get("cu_interact")

    def save_redex(self) -> ir.Function:
        """save_redex(ctx, tm, r): put a redex in the out array for the next turn. A side in
        the block's heap is replaced by a fresh global var linked to it (which leaks it)."""
        fn, b = self.fn("cu_save_redex", VOIDT, [self.ctx_p, self.tm_p, I64], ["ctx", "tm", "r"], inline=False)
        if fn:
            ctx, tm, redex = fn.args
            x, y = self.fst(b, redex), self.snd(b, redex)
            local = b.or_(self.is_local(b, ctx, x), self.is_local(b, ctx, y))
            with b.if_then(local):
                self.store(b, tm, "nk", c64(0))
                self.store(b, tm, "vk", c64(0))
                ok = b.call(self.reserve_global_both(), [ctx, tm, c64(0), c64(2), self.scratch(b, tm, "nloc"),
                                                         self.scratch(b, tm, "vloc")])
                with b.if_then(b.not_(ok), likely=False):
                    b.ret_void()
                settle = self.settle()
                x2 = b.call(settle, [ctx, tm, x, ir.Constant(I1, 1)])
                y2 = b.call(settle, [ctx, tm, y, ir.Constant(I1, 1)])
                b.call(self.out_push(), [ctx, self.pair(b, x2, y2)])
                b.ret_void()
            b.call(self.out_push(), [ctx, redex])
            b.ret_void()
        return self.get("cu_save_redex")

    # -- phases: hvm_phase_<name>(ctx, tm, arg) -> vote (hvm.cuda.grid_ir counts the votes)

    def phase(self, name: str):
        return self.fn(f"hvm_phase_{name}", I32, [self.ctx_p, self.tm_p, I64], ["ctx", "tm", "arg"])

    def vote(self, b, cond):
        b.ret(b.zext(cond, I32))

    def phase_init(self) -> ir.Function:
        """Clear this thread's slots of the block's heap (thread 0: the header too, and slot 0,
        never handed out); empty its bags."""
        fn, b = self.phase("init")
        if fn:
            ctx, tm, _ = fn.args
            per, threads, tid = self.gload(b, ctx, "per_thread"), self.load(b, ctx, "threads"), self.load(b, ctx, "tid")
            nodes, vars_ = self.load(b, ctx, "sh_nodes"), self.load(b, ctx, "sh_vars")
            with self.counted_loop(b, c64(0), per) as k:
                i = b.add(tid, b.mul(k, threads))
                b.store(c64(0), b.gep(nodes, [i], inbounds=True))
                b.store(c32(0), b.gep(vars_, [i], inbounds=True))
            with b.if_then(b.icmp_unsigned("==", tid, c64(0))):
                b.store(c64(0xFFFFFFFFFFFFFFFF), nodes)
                b.store(c32(NONE), vars_)
                for w in range(L.SHARED_HEADER // 4):
                    b.store(c32(0), self.head_word(b, ctx, w))
            for f in ("hlen", "rlo", "rhi", "lnode", "lvar", "dirty", "yielded"):
                self.store(b, tm, f, c64(0))
            b.ret(c32(0))
        return self.get("hvm_phase_init")

    def root_port(self, b, ctx):
        return b.shl(b.trunc(self.load(b, ctx, "local"), I32), c32(3))  # VAR `local`

    def phase_load(self) -> ir.Function:
        """Take this thread's share of the turn's input: entries bid + blocks * tid + k * (all
        threads), so that a few redexes spread over all blocks. Each is linked (or, for the boot
        redex `@main ~ ROOT`, expanded). Vote: has work."""
        fn, b = self.phase("load")
        if fn:
            ctx, tm, _ = fn.args
            gnet = self.gnet(b, ctx)
            n = self.load(b, gnet, "in_len")
            bag = self.load(b, gnet, "bag_in")
            blocks, threads = self.load(b, ctx, "blocks"), self.load(b, ctx, "threads")
            start = b.add(self.load(b, ctx, "bid"), b.mul(blocks, self.load(b, ctx, "tid")))
            stride = b.mul(blocks, threads)
            entry = b.block
            head, body, done = (b.append_basic_block(x) for x in ("head", "body", "done"))
            b.branch(head)
            b.position_at_end(head)
            k = b.phi(I64, "k")
            k.add_incoming(start, entry)
            b.cbranch(b.icmp_unsigned("<", k, n), body, done)
            b.position_at_end(body)
            r = b.load(self.at(b, bag, k))
            x, y = self.fst(b, r), self.snd(b, r)
            boot = b.and_(b.icmp_unsigned("==", self.tag(b, x), c32(REF)),
                          b.icmp_unsigned("==", y, self.root_port(b, ctx)))
            with b.if_else(boot) as (is_boot, plain):
                with is_boot:
                    b.call(self.call(), [ctx, tm, x, y])
                with plain:
                    b.call(self.link(), [ctx, tm, x, y])
            k.add_incoming(b.add(k, stride), b.block)
            b.branch(head)
            b.position_at_end(done)
            self.vote(b, self.has_work(b, tm))
        return self.get("hvm_phase_load")

    def phase_work(self) -> ir.Function:
        """Up to `steps` interactions; a thread with nothing to do first tries the block's pool.
        Vote: idle (no work left, or the run stopped)."""
        fn, b = self.phase("work")
        if fn:
            ctx, tm, _ = fn.args
            stopped = b.icmp_unsigned("!=", self.error_code(b, ctx), c64(0))
            with b.if_then(stopped, likely=False):
                b.ret(c32(1))
            with b.if_then(b.not_(self.has_work(b, tm))):
                r = b.call(self.pool_pop(), [ctx])
                with b.if_then(b.icmp_unsigned("!=", r, c64(0))):
                    b.call(self.push(), [ctx, tm, self.fst(b, r), self.snd(b, r)])
            steps = self.gload(b, ctx, "steps")
            entry = b.block
            head, body, done = (b.append_basic_block(x) for x in ("head", "body", "done"))
            b.branch(head)
            b.position_at_end(head)
            i = b.phi(I64, "i")
            i.add_incoming(c64(0), entry)
            pick = b.append_basic_block("pick")
            b.cbranch(b.icmp_unsigned("<", i, steps), pick, done)
            b.position_at_end(pick)
            r = b.call(self.pop(), [ctx, tm])
            b.cbranch(b.icmp_unsigned("==", r, c64(0)), done, body)
            b.position_at_end(body)
            b.call(self.interact(), [ctx, tm, self.fst(b, r), self.snd(b, r)])
            yielded = b.icmp_unsigned("!=", self.load(b, tm, "yielded"), c64(0))
            go_on = b.append_basic_block("go_on")
            stop = b.append_basic_block("stop")
            b.cbranch(yielded, stop, go_on)
            b.position_at_end(stop)
            self.store(b, tm, "yielded", c64(0))
            b.branch(done)
            b.position_at_end(go_on)
            i.add_incoming(b.add(i, c64(1)), go_on)
            b.branch(head)
            b.position_at_end(done)
            self.vote(b, b.not_(self.has_work(b, tm)))
        return self.get("hvm_phase_work")

    def phase_give(self) -> ir.Function:
        """arg = idle threads in the block (0 < arg): a thread with spare low-priority redexes
        puts its oldest ones in the pool, about as many as each busy thread owes the idle."""
        fn, b = self.phase("give")
        if fn:
            ctx, tm, idle = fn.args
            threads = self.load(b, ctx, "threads")
            busy = b.sub(threads, idle)
            busy = b.select(b.icmp_unsigned("==", busy, c64(0)), c64(1), busy)
            share = b.udiv(b.add(idle, b.sub(busy, c64(1))), busy)
            rlo, rhi = self.load(b, tm, "rlo"), self.load(b, tm, "rhi")
            spare = b.sub(rhi, rlo)
            spare = b.select(b.icmp_unsigned(">", spare, c64(1)), b.sub(spare, c64(1)), c64(0))
            give = b.select(b.icmp_unsigned("<", spare, share), spare, share)
            room = b.icmp_unsigned("<", self.pool_size(b, ctx), threads)
            give = b.select(room, give, c64(0))
            mask = b.sub(self.load(b, ctx, "rcap"), c64(1))
            ring = self.load(b, ctx, "ring")
            with self.counted_loop(b, c64(0), give) as j:
                r = b.load(self.at(b, ring, b.and_(b.add(rlo, j), mask)))
                b.call(self.pool_push(), [ctx, r])
            self.store(b, tm, "rlo", b.add(rlo, give))
            b.ret(c32(0))
        return self.get("hvm_phase_give")

    def phase_take(self) -> ir.Function:
        """An idle thread takes one redex from the pool. Vote: the block goes on (this thread
        has work; for thread 0, also: the pool is not empty), unless the run stopped."""
        fn, b = self.phase("take")
        if fn:
            ctx, tm, _ = fn.args
            with b.if_then(b.icmp_unsigned("!=", self.error_code(b, ctx), c64(0)), likely=False):
                b.ret(c32(0))
            with b.if_then(b.not_(self.has_work(b, tm))):
                r = b.call(self.pool_pop(), [ctx])
                with b.if_then(b.icmp_unsigned("!=", r, c64(0))):
                    b.call(self.push(), [ctx, tm, self.fst(b, r), self.snd(b, r)])
            pool_left = b.and_(b.icmp_unsigned("==", self.load(b, ctx, "tid"), c64(0)),
                               b.icmp_unsigned(">", self.pool_size(b, ctx), c64(0)))
            self.vote(b, b.or_(self.has_work(b, tm), pool_left))
        return self.get("hvm_phase_take")

    def phase_save(self) -> ir.Function:
        """End of the turn: every redex of this thread, then of the pool, is either done (the
        ones that shrink the net: LINK/LEAK, VOID, ERAS, ANNI) or saved to the out array. Vote
        (thread 0): the pool is not empty yet (a LEAK may have spilled into it)."""
        fn, b = self.phase("save")
        if fn:
            ctx, tm, _ = fn.args
            with b.if_then(b.icmp_unsigned("!=", self.error_code(b, ctx), c64(0)), likely=False):
                for f in ("hlen", "rlo", "rhi"):
                    self.store(b, tm, f, c64(0))
                b.ret(c32(0))
            head, from_pool, body, done = (b.append_basic_block(x) for x in ("head", "from_pool", "body", "done"))
            b.branch(head)
            b.position_at_end(head)
            r_own = b.call(self.pop(), [ctx, tm])
            b.cbranch(b.icmp_unsigned("!=", r_own, c64(0)), body, from_pool)
            b.position_at_end(from_pool)
            r_pool = b.call(self.pool_pop(), [ctx])
            b.cbranch(b.icmp_unsigned("!=", r_pool, c64(0)), body, done)
            b.position_at_end(body)
            r = b.phi(I64, "r")
            r.add_incoming(r_own, head)
            r.add_incoming(r_pool, from_pool)
            x, y = self.fst(b, r), self.snd(b, r)
            tx, ty = self.tag(b, x), self.tag(b, y)
            lo = b.select(b.icmp_unsigned("<", tx, ty), tx, ty)
            hi = b.select(b.icmp_unsigned("<", tx, ty), ty, tx)
            key = b.zext(b.or_(b.shl(lo, c32(3)), hi), I64)
            shrinks = b.trunc(b.lshr(c64(HIGH_PRIORITY_MASK), key), I1)
            with b.if_else(shrinks) as (do, keep):
                with do:
                    b.call(self.interact(), [ctx, tm, x, y])
                with keep:
                    b.call(self.save_redex(), [ctx, tm, r])
            stopped = b.icmp_unsigned("!=", self.error_code(b, ctx), c64(0))
            b.cbranch(stopped, done, head)
            b.position_at_end(done)
            pool_left = b.and_(b.icmp_unsigned("==", self.load(b, ctx, "tid"), c64(0)),
                               b.icmp_unsigned(">", self.pool_size(b, ctx), c64(0)))
            stopped = b.icmp_unsigned("!=", self.error_code(b, ctx), c64(0))
            self.vote(b, b.and_(pool_left, b.not_(stopped)))
        return self.get("hvm_phase_save")

    def phase_end(self) -> ir.Function:
        """Add this thread's counts to the run's."""
        fn, b = self.phase("end")
        if fn:
            ctx, tm, _ = fn.args
            gnet = self.gnet(b, ctx)
            for r in range(8):
                p = b.gep(tm, [c32(0), c32(L.field_index(L.TM_FIELDS, "itrs")), c32(r)], inbounds=True)
                n = b.load(p)
                with b.if_then(b.icmp_unsigned("!=", n, c64(0))):
                    g = b.gep(gnet, [c32(0), c32(L.field_index(L.GNET_FIELDS, "itrs")), c32(r)], inbounds=True)
                    b.atomic_rmw("add", g, n, "monotonic")
                    b.store(c64(0), p)
            n = self.load(b, tm, "leaks")
            with b.if_then(b.icmp_unsigned("!=", n, c64(0))):
                b.atomic_rmw("add", self.field(b, gnet, "leaks"), n, "monotonic")
                self.store(b, tm, "leaks", c64(0))
            b.ret(c32(0))
        return self.get("hvm_phase_end")

    def phase_gather(self) -> ir.Function:
        """Readback (one thread, after the last turn): the result tree at ROOT in pre-order, each
        port with its var chain followed, into `bag_in`; `gather_len` = how many (~0: more than
        `out_cap`, or a chain that loops). `bag_out` is the walk's stack."""
        fn, b = self.phase("gather")
        if fn:
            ctx, tm, _ = fn.args
            gnet = self.gnet(b, ctx)
            out, stack = self.load(b, gnet, "bag_in"), self.load(b, gnet, "bag_out")
            cap = self.load(b, gnet, "out_cap")
            limit = b.mul(self.load(b, gnet, "npages"), self.load(b, gnet, "page"))
            vars_buf, nodes = self.load(b, ctx, "vars_buf"), self.load(b, ctx, "node_buf")
            b.store(b.zext(self.root_port(b, ctx), I64), stack)
            entry = b.block
            head, body, resolve, follow, emit, push, done, overflow = (b.append_basic_block(x) for x in (
                "head", "body", "resolve", "follow", "emit", "push", "done", "overflow"))
            b.branch(head)
            b.position_at_end(head)
            sp = b.phi(I64, "sp")
            n = b.phi(I64, "n")
            sp.add_incoming(c64(1), entry)
            n.add_incoming(c64(0), entry)
            b.cbranch(b.icmp_unsigned(">", sp, c64(0)), body, done)
            b.position_at_end(body)
            sp1 = b.sub(sp, c64(1))
            p0 = b.trunc(b.load(self.at(b, stack, sp1)), I32)
            b.branch(resolve)
            b.position_at_end(resolve)
            p = b.phi(I32, "p")
            steps = b.phi(I64, "steps")
            p.add_incoming(p0, body)
            steps.add_incoming(c64(0), body)
            more = b.and_(b.icmp_unsigned("==", self.tag(b, p), c32(VAR)), b.icmp_unsigned("<=", steps, limit))
            look = b.append_basic_block("look")
            b.cbranch(more, look, emit)
            b.position_at_end(look)
            q = b.load(self.at(b, vars_buf, self.val(b, p)))
            b.cbranch(b.or_(b.icmp_unsigned("==", q, c32(NONE)), b.icmp_unsigned("==", q, c32(0))), emit, follow)
            b.position_at_end(follow)
            p.add_incoming(q, follow)
            steps.add_incoming(b.add(steps, c64(1)), follow)
            b.branch(resolve)
            b.position_at_end(emit)
            pe = b.phi(I32, "pe")
            pe.add_incoming(p, resolve)
            pe.add_incoming(p, look)
            looped = b.icmp_unsigned(">", steps, limit)
            full = b.or_(looped, b.icmp_unsigned(">=", n, cap))
            store_blk = b.append_basic_block("store")
            b.cbranch(full, overflow, store_blk)
            b.position_at_end(store_blk)
            b.store(b.zext(pe, I64), self.at(b, out, n))
            n1 = b.add(n, c64(1))
            is_node = b.icmp_unsigned(">=", self.tag(b, pe), c32(CON))
            leaf = b.append_basic_block("leaf")
            b.cbranch(is_node, push, leaf)
            b.position_at_end(leaf)
            sp.add_incoming(sp1, leaf)
            n.add_incoming(n1, leaf)
            b.branch(head)
            b.position_at_end(push)
            no_room = b.icmp_unsigned(">", b.add(sp1, c64(2)), cap)
            push2 = b.append_basic_block("push2")
            b.cbranch(no_room, overflow, push2)
            b.position_at_end(push2)
            node = b.load(self.at(b, nodes, self.val(b, pe)))
            b.store(b.zext(self.snd(b, node), I64), self.at(b, stack, sp1))
            b.store(b.zext(self.fst(b, node), I64), self.at(b, stack, b.add(sp1, c64(1))))
            sp.add_incoming(b.add(sp1, c64(2)), push2)
            n.add_incoming(n1, push2)
            b.branch(head)
            b.position_at_end(overflow)
            self.store(b, gnet, "gather_len", c64(0xFFFFFFFFFFFFFFFF))
            b.ret(c32(0))
            b.position_at_end(done)
            self.store(b, gnet, "gather_len", n)
            b.ret(c32(0))
        return self.get("hvm_phase_gather")

    def ctx_init(self) -> ir.Function:
        """ctx_init(ctx, gnet, shared, tid, bid, threads, blocks): where this thread's things are."""
        fn, b = self.fn("cu_ctx_init", VOIDT, [self.ctx_p, self.gnet_p, I8.as_pointer(), I64, I64, I64, I64],
                        ["ctx", "gnet", "shared", "tid", "bid", "threads", "blocks"])
        if fn:
            ctx, gnet, shared, tid, bid, threads, blocks = fn.args
            gid = b.add(b.mul(bid, threads), tid)
            local = self.load(b, gnet, "local")
            sh_nodes = b.gep(shared, [c64(L.SHARED_HEADER)], inbounds=True)
            sh_vars = b.gep(sh_nodes, [b.mul(local, c64(8))], inbounds=True)
            hcap, rcap = self.load(b, gnet, "hcap"), self.load(b, gnet, "rcap")
            pool_cap, area_cap = self.load(b, gnet, "pool_cap"), self.load(b, gnet, "area_cap")
            values = {
                "gnet": gnet,
                "tm": b.gep(self.load(b, gnet, "tms"), [gid], inbounds=True),
                "sh_nodes": b.bitcast(sh_nodes, I64.as_pointer()),
                "sh_vars": b.bitcast(sh_vars, I32.as_pointer()),
                "sh_head": b.bitcast(shared, I32.as_pointer()),
                "node_buf": self.load(b, gnet, "node_buf"),
                "vars_buf": self.load(b, gnet, "vars_buf"),
                "local": local, "tid": tid, "bid": bid, "gid": gid, "threads": threads, "blocks": blocks,
                "hbag": b.gep(self.load(b, gnet, "hbags"), [b.mul(gid, hcap)], inbounds=True),
                "ring": b.gep(self.load(b, gnet, "rings"), [b.mul(gid, rcap)], inbounds=True),
                "hcap": hcap, "rcap": rcap,
                "pool": b.gep(self.load(b, gnet, "pools"), [b.mul(bid, pool_cap)], inbounds=True),
                "pool_cap": pool_cap,
                "area": b.gep(self.load(b, gnet, "areas"), [b.mul(bid, area_cap)], inbounds=True),
            }
            for name, _ in L.CTX_FIELDS:
                self.store(b, ctx, name, values[name])
            b.ret_void()
        return self.get("cu_ctx_init")


PHASES = ("init", "load", "work", "give", "take", "save", "end", "gather")


def define_phases(em: KernelEmitter) -> dict[str, ir.Function]:
    return {name: getattr(em, f"phase_{name}")() for name in PHASES}
