"""A big book's definitions as data: one CALL interpreter, and a table of each definition's ports.

In:  a FlatBook with more definitions than backend.BIG_BOOK, and the mode (parallel or not;
     32- or 64-bit ports).
Out: the address of a function `hvm_def_<fid>(Net*, TM*, port b)` for every definition, as
     hvm.llvm_cpu.defs_ir's, and (`templates`) the data they read at run time.

Native code for each definition costs LLVM time and memory per definition (and its loader
aborts past a few GB of code), so a big book is not compiled at all. Each of its definitions
is a template (`net.templates[fid]`: its ports as FlatDef lays them out, after its counts),
which one function, compiled once for every book, copies into fresh nodes and vars at a CALL,
as HVM2's own interpreter does: the same interactions, counted the same, as compiled code.

    hvm_def_<fid>(net, tm, b)  =  hvm_table_call(net, tm, b, fid)      (a trampoline)
    hvm_table_call(net, tm, b, fid):
        t = net.templates[fid]: the ports; before them, t[-4..-1]: nodes, vars, redexes, safe
        safe and b is a DUP  ->  ERAS (the reference is copied)
        reserve t.nodes nodes and t.vars vars (or stop: out of memory); itrs[CALL] += 1
        allocate them; write each node's ports, relocated; link each redex; link the root with b

The trampolines depend neither on the book nor on the threads: chunk k holds those of fids
[k * CHUNK, (k+1) * CHUNK), so they are compiled once per machine and port width (then cached)
and serve every big book. A chunk is loaded once for each mode: its `hvm_table_call` global holds the address
of that mode's interpreter, set when loaded, and its `hvm_calls` array counts the CALLs of each
of its definitions (roughly: threads do not synchronise on it), which tell the tier-up which
definitions are worth compiling (hvm.llvm_cpu.backend.Upgrade).
"""

from __future__ import annotations

import ctypes
from array import array

from llvmlite import ir

from hvm import jit
from hvm.flatbook import FlatBook, FlatDef
from hvm.llvm_cpu import layout as L
from hvm.ports import DUP, REF
from hvm.rules import CALL
from hvm.rules_ir import I32, I64, VOIDT, c32, c64

CHUNK = 4096  # trampolines per compiled object
HEADER = 4  # words before a template's ports: nodes, vars, redexes, safe (its entry points at the
#            ports, as for a large definition's compiled CALL: hvm.llvm_cpu.defs_ir)
SCRATCH = 256  # slots for where a definition's nodes and vars go, on the stack (more: malloc)
TRAMPOLINE_OPT = 0  # (LLVM's optimiser has nothing to do in a trampoline, and costs per function)
INTERPRETER_OPT = 3


def template(d: FlatDef) -> array:
    """A definition's counts and ports (FlatDef.ports), as `net.templates` holds it for a big book."""
    return array("I", [d.node_count, d.var_count, d.redex_count, int(d.safe)]) + d.ports


def templates(flat: FlatBook):
    """(the table by fid, the arrays it points into: keep them alive while the table is used)."""
    table = (ctypes.c_void_p * max(1, len(flat.defs)))()
    arrays = [template(d) for d in flat.defs]
    for d, ports in zip(flat.defs, arrays):
        table[d.fid] = ports.buffer_info()[0] + HEADER * ports.itemsize
    return table, arrays


def mode_name(parallel: bool, wide: bool = False) -> str:
    return ("parallel" if parallel else "single") + ("-wide" if wide else "")


class Calls:
    """The CALL counts of a big book's definitions (the trampolines' counters), from zero."""

    def __init__(self, counters: list[ctypes.Array], n: int):
        self.counters, self.n = counters, n
        for counter in counters:
            ctypes.memset(counter, 0, ctypes.sizeof(counter))

    def of(self, fids: range) -> int:
        return sum(self.counters[fid // CHUNK][fid % CHUNK] for fid in fids)


def load_table_defs(flat: FlatBook, parallel: bool, use_cache: bool = True,
                    wide: bool = False) -> tuple[list[int], Calls]:
    """The address of each definition's CALL (by fid): trampolines into the interpreter; and
    their counts of CALLs."""
    mode = mode_name(parallel, wide)
    interpreter = jit.object_code(lambda: str(build_interpreter(parallel, wide)), ["table-interpreter", mode],
                                  INTERPRETER_OPT, use_cache)
    call = jit.load(interpreter, ["hvm_table_call"])["hvm_table_call"]
    slot, calls, entries = "hvm_table_call", "hvm_calls", "hvm_trampolines"
    addresses, counters = [], []
    for chunk in range((len(flat.defs) + CHUNK - 1) // CHUNK):
        fids = range(chunk * CHUNK, min(len(flat.defs), (chunk + 1) * CHUNK))
        width = ["wide"] if wide else []
        obj = jit.object_code(lambda: trampolines(chunk, wide), ["table-trampolines", str(chunk), str(CHUNK), *width],
                              TRAMPOLINE_OPT, use_cache)
        found = jit.load(obj, [slot, calls, entries], instance=mode)
        ctypes.c_void_p.from_address(found[slot]).value = call
        counters.append((ctypes.c_uint32 * CHUNK).from_address(found[calls]))
        addresses += (ctypes.c_void_p * CHUNK).from_address(found[entries])[:len(fids)]
    return addresses, Calls(counters, len(flat.defs))


def trampolines(chunk: int, wide: bool = False) -> str:
    """The IR of chunk `chunk`'s trampolines (written as text: llvmlite's builder would take
    longer than LLVM); `wide`: their port argument is an i64."""
    slot, calls, entries = "@hvm_table_call", "@hvm_calls", "@hvm_trampolines"
    pt = "i64" if wide else "i32"
    fn_t, calls_t = f"void (i8*, i8*, {pt}, i32)*", f"[{CHUNK} x i32]"
    def_t = f"void (i8*, i8*, {pt})*"
    lines = [f"{slot} = global {fn_t} null", f"{calls} = global {calls_t} zeroinitializer",
             # (their addresses, as data: one symbol to look up instead of CHUNK)
             f"{entries} = constant [{CHUNK} x {def_t}] [" +
             ", ".join(f"{def_t} @hvm_def_{chunk * CHUNK + k}" for k in range(CHUNK)) + "]"]
    for k in range(CHUNK):
        counter = f"getelementptr inbounds ({calls_t}, {calls_t}* {calls}, i32 0, i32 {k})"
        lines.append(f"define internal void @hvm_def_{chunk * CHUNK + k}(i8* %net, i8* %tm, {pt} %b) nounwind {{\n"
                     f"  %n = load atomic i32, i32* {counter} monotonic, align 4\n"
                     f"  %n1 = add i32 %n, 1\n"
                     f"  store atomic i32 %n1, i32* {counter} monotonic, align 4\n"
                     f"  %f = load {fn_t}, {fn_t}* {slot}\n"
                     f"  tail call void %f(i8* %net, i8* %tm, {pt} %b, i32 {chunk * CHUNK + k})\n"
                     f"  ret void\n}}")
    return "\n".join(lines) + "\n"


def build_interpreter(parallel: bool, wide: bool = False) -> ir.Module:
    """The module of `hvm_table_call(Net*, TM*, port b, i32 fid)`: the CALL of any definition,
    from its template (`wide`: with 64-bit ports).

        entry:   t = templates[fid]; safe and tag(b) == DUP -> copy (ERAS), return
        reserve: reserve the nodes and vars (or return); count the CALL
        where:   slots for the nodes and vars (the stack, or malloc for a big definition)
        copy:    allocate; write the nodes; link the redexes; link the root with b; free
    """
    from hvm.llvm_cpu.runtime_ir import Emitter

    module = ir.Module(name=f"hvm_table_{mode_name(parallel, wide)}")
    em = Emitter(module, parallel, wide)
    fn, b = em.function("hvm_table_call", VOIDT, [em.net_p, em.tm_p, em.P, I32], ["net", "tm", "b", "fid"],
                        export=True)
    net, tm, target, fid = fn.args
    i32p = I32.as_pointer()
    stack_slots = b.alloca(I32, size=c32(SCRATCH + 1), name="stack_slots")
    ports = b.bitcast(em.ld(b, b.gep(em.load(b, net, "templates"), [b.zext(fid, I64)], inbounds=True), "net"), i32p)
    node_count, var_count, redex_count, safe = (b.load(b.gep(ports, [c32(k - HEADER)], inbounds=True))
                                                for k in range(HEADER))
    with b.if_then(b.and_(b.icmp_unsigned("!=", safe, c32(0)),
                          b.icmp_unsigned("==", em.tag(b, target), em.cp(DUP)))):  # @f ~ {x y}  ==>  @f ~ x,  @f ~ y
        b.call(em.eras(), [net, tm, em.port(b, REF, fid), target])
        b.ret_void()
    ok = b.call(em.reserve(), [net, tm, b.zext(node_count, I64), b.zext(var_count, I64)])
    with b.if_then(b.not_(ok), likely=False):
        b.ret_void()
    em.count(b, tm, CALL)

    # where each node and var goes: on the stack for a small definition, else on the heap
    i8p = ir.IntType(8).as_pointer()
    malloc = em.declare("malloc", i8p, [I64])
    free = em.declare("free", VOIDT, [i8p])
    size = b.add(node_count, var_count)
    big = b.icmp_unsigned(">", size, c32(SCRATCH))
    with b.if_else(big, likely=False) as (on_heap, on_stack):
        with on_heap:
            heap = b.bitcast(b.call(malloc, [b.mul(b.zext(b.add(size, c32(1)), I64), c64(4))]), i32p)
            heap_block = b.block
        with on_stack:
            stack_block = b.block
    scratch = b.phi(i32p, "scratch")
    scratch.add_incoming(heap, heap_block)
    scratch.add_incoming(stack_slots, stack_block)
    with b.if_then(b.icmp_unsigned("==", scratch, ir.Constant(i32p, None)), likely=False):
        em.set_error(b, net, L.ERROR_NODES)
        b.ret_void()
    nodes = scratch
    vars_ = b.gep(scratch, [node_count], inbounds=True)
    alloc_node, alloc_var = em.alloc("node"), em.alloc("var")
    with em.counted_loop(b, c32(0), node_count) as i:
        b.store(b.call(alloc_node, [net, tm]), b.gep(nodes, [i]))
    with em.counted_loop(b, c32(0), var_count) as i:
        b.store(b.call(alloc_var, [net, tm]), b.gep(vars_, [i]))

    def entry(k):  # (a template's port is an i32)
        return em.relocate(b, em.widen(b, b.load(b.gep(ports, [k], inbounds=True))), nodes, vars_)

    with em.counted_loop(b, c32(0), node_count) as i:
        k = b.mul(i, c32(2))
        em.node_st(b, net, b.load(b.gep(nodes, [i])), em.pair(b, entry(k), entry(b.add(k, c32(1)))))
    link = em.link()
    base = b.mul(node_count, c32(2))
    with em.counted_loop(b, c32(0), redex_count) as i:
        k = b.add(base, b.mul(i, c32(2)))
        b.call(link, [net, tm, entry(k), entry(b.add(k, c32(1)))])
    b.call(link, [net, tm, entry(b.add(base, b.mul(redex_count, c32(2)))), target])
    with b.if_then(big, likely=False):
        b.call(free, [b.bitcast(scratch, i8p)])
    b.ret_void()
    return module
