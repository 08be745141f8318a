"""A turn of the GPU runtime as a whole program: as CUDA kernels, or as a host loop over the grid.

In:  the target: "nvptx" (kernels for the GPU) or "host" (the same phases, compiled for this CPU:
     how the GPU algorithm is tested without a GPU).
Out: an `ir.Module` with, for "nvptx", the kernels `hvm_turn(GNet*)` and `hvm_gather(GNet*)`; for
     "host", `hvm_host_turn(GNet*, i8* shared, i64 blocks, i64 threads)` (the blocks and threads
     driven by loops, one after the other), `hvm_host_thread(GNet*, i8* shared, i64 tid, i64 bid,
     i64 threads, i64 blocks, i8* sync)` (one GPU thread, run by an OS thread of its own, with
     real barriers: the same algorithm with real concurrency) and `hvm_host_gather(GNet*)`.

One schedule, two renderings. The schedule strings hvm.cuda.kernel_ir's phases together with
barriers; a barrier also counts the threads of the block that voted yes, so every decision after
it is the same for all of them (on the GPU, `bar.red.popc`; on the host, the loop adds the votes
up, each phase having run for every thread of the block, one thread after the other):

    init | load -> active
    while active and round < rounds:
        work -> idle | (if idle) give | take -> active
    repeat: save -> pool left   until none is left
    end
"""

from __future__ import annotations

from llvmlite import ir

from hvm.cuda.kernel_ir import KernelEmitter, define_phases
from hvm.rules_ir import I8, I32, I64, VOIDT, c32, c64

NVPTX_TRIPLE = "nvptx64-nvidia-cuda"
# libm functions hvm.numbers_ir calls, and their libdevice versions (CUDA's math library)
LIBDEVICE = {"atan2": ("__nv_atan2", 2, "double"), "log": ("__nv_log", 1, "double"), "pow": ("__nv_pow", 2, "double"),
             "sin": ("__nv_sin", 1, "double"), "tan": ("__nv_tan", 1, "double"), "fmodf": ("__nv_fmodf", 2, "float")}


def emit_schedule(g, em: KernelEmitter, phases: dict[str, ir.Function], gnet) -> None:
    """The turn, for one block; `g.phase(fn, arg)` runs a phase on every thread of the block and
    returns how many voted yes (the same value for all of them)."""
    b = g.b
    g.phase(phases["init"], c64(0))
    active0 = g.phase(phases["load"], c64(0))
    rounds = em.load(b, gnet, "rounds")
    entry = b.block
    head, body, save = (b.append_basic_block(x) for x in ("rounds", "round", "save"))
    b.branch(head)
    b.position_at_end(head)
    round_ = b.phi(I64, "round")
    active = b.phi(I32, "active")
    round_.add_incoming(c64(0), entry)
    active.add_incoming(active0, entry)
    go_on = b.and_(b.icmp_unsigned("!=", active, c32(0)), b.icmp_unsigned("<", round_, rounds))
    b.cbranch(go_on, body, save)
    b.position_at_end(body)
    idle = g.phase(phases["work"], round_)
    with b.if_then(b.icmp_unsigned("!=", idle, c32(0))):
        g.phase(phases["give"], b.zext(idle, I64))
    still = g.phase(phases["take"], c64(0))
    round_.add_incoming(b.add(round_, c64(1)), b.block)
    active.add_incoming(still, b.block)
    b.branch(head)
    b.position_at_end(save)
    again, done = b.append_basic_block("save_again"), b.append_basic_block("end")
    b.branch(again)
    b.position_at_end(again)
    left = g.phase(phases["save"], c64(0))
    b.cbranch(b.icmp_unsigned("!=", left, c32(0)), again, done)
    b.position_at_end(done)
    g.phase(phases["end"], c64(0))


class GpuBlock:
    """The schedule on the GPU: each phase is one call, and a `bar.red.popc` counts the votes."""

    def __init__(self, em: KernelEmitter, b, ctx, tm):
        self.em, self.b, self.ctx, self.tm = em, b, ctx, tm
        self.popc = em.declare("llvm.nvvm.barrier0.popc", I32, [I32])

    def phase(self, fn, arg):
        vote = self.b.call(fn, [self.ctx, self.tm, arg])
        return self.b.call(self.popc, [vote])


class ThreadedBlock:
    """The schedule for one GPU thread run by an OS thread: a phase is one call, and the vote
    is counted with a real barrier (`pthread_barrier_wait`) shared by the block's OS threads."""

    def __init__(self, em: KernelEmitter, b, ctx, tm, sync):
        self.em, self.b, self.ctx, self.tm, self.sync = em, b, ctx, tm, sync

    def phase(self, fn, arg):
        vote = self.b.call(fn, [self.ctx, self.tm, arg])
        return self.b.call(define_vote(self.em), [self.ctx, self.tm, self.sync, vote])


def define_vote(em: KernelEmitter) -> ir.Function:
    """cu_vote(ctx, tm, sync, vote) -> how many of the block's threads voted yes.

    sync: a pthread_barrier_t for the block's threads, then two counters used in turn (a
    counter is cleared by thread 0 once everyone has read it, before it is used again).
    """
    fn, b = em.function("cu_vote", I32, [em.ctx_p, em.tm_p, I8.as_pointer(), I32], ["ctx", "tm", "sync", "vote"])
    if fn:
        ctx, tm, sync, vote = fn.args
        wait = em.declare("pthread_barrier_wait", I32, [I8.as_pointer()])
        parity = em.load(b, tm, "parity")
        em.store(b, tm, "parity", b.xor(parity, c64(1)))
        counters = b.bitcast(b.gep(sync, [c64(32)]), I32.as_pointer())
        counter = b.gep(counters, [parity])
        b.atomic_rmw("add", counter, b.zext(b.icmp_unsigned("!=", vote, c32(0)), I32), "seq_cst")
        b.call(wait, [sync])
        total = b.load_atomic(counter, "seq_cst", 4)
        b.call(wait, [sync])
        with b.if_then(b.icmp_unsigned("==", em.load(b, ctx, "tid"), c64(0))):
            b.store_atomic(c32(0), counter, "seq_cst", 4)
        b.ret(total)
    return em.get("cu_vote")


def define_pause(module: ir.Module, target: str) -> None:
    """cu_pause(): what a thread does while it waits for another (a pool entry being written):
    on the GPU, nothing; on the host, let the OS run the other thread."""
    fn = ir.Function(module, ir.FunctionType(VOIDT, []), "cu_pause") if "cu_pause" not in module.globals \
        else module.globals["cu_pause"]
    fn.linkage = "internal"
    b = ir.IRBuilder(fn.append_basic_block("entry"))
    if target == "host":
        b.call(ir.Function(module, ir.FunctionType(I32, []), "sched_yield"), [])
    b.ret_void()


class HostBlock:
    """The schedule on the host: each phase is a loop over the block's threads (in order),
    adding their votes up; the end of the loop is the barrier."""

    def __init__(self, em: KernelEmitter, b, ctxs, threads):
        self.em, self.b, self.ctxs, self.threads = em, b, ctxs, threads

    def phase(self, fn, arg):
        b, em = self.b, self.em
        total = b.alloca(I32)
        b.store(c32(0), total)
        with em.counted_loop(b, c64(0), self.threads) as tid:
            ctx = b.gep(self.ctxs, [tid], inbounds=True)
            vote = b.call(fn, [ctx, em.load(b, ctx, "tm"), arg])
            b.store(b.add(b.load(total), b.zext(b.icmp_unsigned("!=", vote, c32(0)), I32)), total)
        return b.load(total)


def define_math(module: ir.Module, libdevice: bool) -> None:
    """The libm functions hvm_operate calls, for NVPTX: libdevice's, or (without libdevice)
    NaN, which the backend never lets a run reach (it refuses books with f24 numbers)."""
    for name, (nv_name, arity, ty_name) in LIBDEVICE.items():
        ty = ir.DoubleType() if ty_name == "double" else ir.FloatType()
        fn = module.globals.get(name) or ir.Function(module, ir.FunctionType(ty, [ty] * arity), name)
        fn.linkage = "internal"
        fn.attributes.add("alwaysinline")
        b = ir.IRBuilder(fn.append_basic_block("entry"))
        if libdevice:
            nv = module.globals.get(nv_name) or ir.Function(module, ir.FunctionType(ty, [ty] * arity), nv_name)
            b.ret(b.call(nv, list(fn.args)))
        else:
            b.ret(ir.Constant(ty, float("nan")))


def build_module(target: str, libdevice: bool = True) -> ir.Module:
    """The turn and the readback, for `target` ("nvptx" or "host")."""
    module = ir.Module(name=f"hvm_cuda_{target}")
    em = KernelEmitter(module)
    phases = define_phases(em)
    ctx_init = em.ctx_init()
    gp = em.gnet_p
    if target == "host":
        fn, b = em.function("hvm_host_turn", VOIDT, [gp, I8.as_pointer(), I64, I64],
                            ["gnet", "shared", "blocks", "threads"], export=True)
        gnet, shared, blocks, threads = fn.args
        ctxs = b.alloca(em.ctx_t, size=threads, name="ctxs")
        with em.counted_loop(b, c64(0), blocks) as bid:
            with em.counted_loop(b, c64(0), threads) as tid:
                b.call(ctx_init, [b.gep(ctxs, [tid]), gnet, shared, tid, bid, threads, blocks])
            emit_schedule(HostBlock(em, b, ctxs, threads), em, phases, gnet)
        b.ret_void()
        fn, b = em.function("hvm_host_gather", VOIDT, [gp], ["gnet"], export=True)
        ctx = b.alloca(em.ctx_t, name="ctx")
        b.call(ctx_init, [ctx, fn.args[0], ir.Constant(I8.as_pointer(), None), c64(0), c64(0), c64(1), c64(1)])
        b.call(phases["gather"], [ctx, em.load(b, ctx, "tm"), c64(0)])
        b.ret_void()
        fn, b = em.function("hvm_host_thread", VOIDT, [gp, I8.as_pointer(), I64, I64, I64, I64, I8.as_pointer()],
                            ["gnet", "shared", "tid", "bid", "threads", "blocks", "sync"], export=True)
        gnet, shared, tid, bid, threads, blocks, sync = fn.args
        ctx = b.alloca(em.ctx_t, name="ctx")
        b.call(ctx_init, [ctx, gnet, shared, tid, bid, threads, blocks])
        tm = em.load(b, ctx, "tm")
        em.store(b, tm, "parity", c64(0))
        emit_schedule(ThreadedBlock(em, b, ctx, tm, sync), em, phases, gnet)
        b.ret_void()
        define_pause(module, "host")
        return module
    module.triple = NVPTX_TRIPLE
    shared_mem = ir.GlobalVariable(module, ir.ArrayType(I8, 0), "hvm_shared", addrspace=3)
    shared_mem.linkage = "external"
    shared_mem.align = 16
    kernels = []
    for name in ("hvm_turn", "hvm_gather"):
        fn, b = em.function(name, VOIDT, [gp], ["gnet"], export=True)
        (gnet,) = fn.args
        ctx = b.alloca(em.ctx_t, name="ctx")
        if name == "hvm_gather":
            zero, one = c64(0), c64(1)
            b.call(ctx_init, [ctx, gnet, ir.Constant(I8.as_pointer(), None), zero, zero, one, one])
            b.call(phases["gather"], [ctx, em.load(b, ctx, "tm"), zero])
        else:
            sreg = {r: b.zext(b.call(em.declare(f"llvm.nvvm.read.ptx.sreg.{r}", I32, []), []), I64)
                    for r in ("tid.x", "ctaid.x", "ntid.x", "nctaid.x")}
            shared = b.addrspacecast(b.gep(shared_mem, [c32(0), c32(0)]), I8.as_pointer())
            b.call(ctx_init, [ctx, gnet, shared, sreg["tid.x"], sreg["ctaid.x"], sreg["ntid.x"], sreg["nctaid.x"]])
            emit_schedule(GpuBlock(em, b, ctx, em.load(b, ctx, "tm")), em, phases, gnet)
        b.ret_void()
        kernels.append(fn)
    define_math(module, libdevice)
    define_pause(module, "nvptx")
    module.add_named_metadata("nvvm.annotations", [kernels[0], "kernel", c32(1)])
    module.add_named_metadata("nvvm.annotations", [kernels[1], "kernel", c32(1)])
    return module
