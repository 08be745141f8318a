"""LLVM IR for a book's definitions: one native function per definition.

In:  a FlatBook (hvm.flatbook) and the mode (parallel or single-threaded).
Out: a module exporting `hvm_def_<fid>(Net*, TM*, port b)` for every definition: the CALL rule
     for `@def ~ b`. Each function allocates and wires the definition's nodes directly (no
     node list is interpreted at run time), links its redexes, then links its root with b;
     a safe definition meeting a DUP is copied instead (counted as ERAS, as hvm.reference does).

    @id = (a a)   ==>   hvm_def_1(net, tm, b):
                          reserve 1 node, 1 var (or stop: out of memory); itrs[CALL] += 1
                          n = alloc_node(); v = alloc_var(); node[n] = (VAR v, VAR v)
                          link(CON n, b)
"""

from __future__ import annotations

from llvmlite import ir

from hvm.flatbook import FlatBook, FlatDef
from hvm.llvm_cpu import layout as L
from hvm.llvm_cpu.runtime_ir import Emitter
from hvm.llvm_cpu.specialize import Specializer, recursive_definitions
from hvm.ports import CON, DUP, REF, VAR
from hvm.rules import CALL
from hvm.rules_ir import I32, VOIDT, c32


def build_defs(book: FlatBook, parallel: bool, specialize: bool = True, fids: range | None = None,
               recursive: set[int] | None = None, wide: bool = False) -> ir.Module:
    """`specialize=False` builds every definition plainly (no work at compile time): for tests.
    `fids`: only those definitions (a part of a big book, see hvm.llvm_cpu.backend.Upgrade);
    `recursive`: recursive_definitions(book), when it is known already; `wide`: 64-bit ports."""
    module = ir.Module(name="hvm_defs")
    emitter = Emitter(module, parallel, wide)
    if not specialize:
        recursive = None
    elif recursive is None:
        recursive = recursive_definitions(book)
    for d in book.defs if fids is None else book.defs[fids.start:fids.stop]:
        define_def(emitter, d, book, recursive)
    return module


# a definition with more nodes than this is copied from a table by a loop: straight-line code
# for it would take LLVM seconds to compile, for no gain (large definitions run rarely)
LARGE = 256


def is_large(d: FlatDef) -> bool:
    """Copied from a table (define_from_template); its redexes count too: the specializer's
    work grows faster than a definition's redexes (a `main` with thousands of them)."""
    return d.node_count + d.redex_count > LARGE


def def_symbol(fid: int) -> str:
    return f"hvm_def_{fid}"


def define_def(em: Emitter, d: FlatDef, book: FlatBook, recursive: set[int] | None) -> ir.Function:
    fn, b = em.function(def_symbol(d.fid), VOIDT, [em.net_p, em.tm_p, em.P], ["net", "tm", "b"], export=True)
    net, tm, target = fn.args
    if d.safe:  # @f ~ {x y}  ==>  @f ~ x,  @f ~ y
        with b.if_then(b.icmp_unsigned("==", em.tag(b, target), em.cp(DUP))):
            b.call(em.eras(), [net, tm, em.cp((d.fid << 3) | REF), target])
            b.ret_void()
    if is_large(d):
        define_from_template(em, d, b, net, tm, target)
        return fn
    if recursive is not None:
        Specializer(em, book, d, recursive).emit(b, net, tm, target)
        return fn
    em.guard(b, net, tm, d.node_count, d.var_count)
    em.count(b, tm, CALL)
    nodes = [b.call(em.alloc("node"), [net, tm]) for _ in d.nodes]
    vars_ = [b.call(em.alloc("var"), [net, tm]) for _ in range(d.var_count)]

    def relocate(p: int):
        tag = p & 7
        if tag == VAR:
            return em.port(b, VAR, vars_[p >> 3])
        if tag >= CON:
            return em.port(b, tag, nodes[p >> 3])
        return em.cp(p)

    for i, (fst, snd) in zip(nodes, d.nodes):
        em.node_st(b, net, i, em.pair(b, relocate(fst), relocate(snd)))
    link = em.link()
    for x, y in d.redexes:
        b.call(link, [net, tm, relocate(x), relocate(y)])
    b.call(link, [net, tm, relocate(d.root), target])
    b.ret_void()
    return fn


def define_from_template(em: Emitter, d: FlatDef, b, net, tm, target) -> None:
    """The CALL of a large definition: its ports (`template`) are data the backend puts in
    memory (`net.templates[fid]`: FlatDef.ports), relocated into freshly allocated nodes and vars at run time,
    as HVM2's interpreter does. (As data, not as a constant in the code: LLVM would take
    seconds over a table of a million ports, and its loader fails on bigger ones.)"""
    ports = len(d.ports)
    templates = em.load(b, net, "templates")
    table = em.ld(b, b.gep(templates, [c32(d.fid)], inbounds=True), "net")
    em.guard(b, net, tm, d.node_count, d.var_count)
    # where each node and var goes: on the heap (a thread's stack is too small for a big one)
    i8p = ir.IntType(8).as_pointer()
    malloc = em.declare("malloc", i8p, [ir.IntType(64)])
    scratch = b.bitcast(b.call(malloc, [ir.Constant(ir.IntType(64), 4 * (d.node_count + d.var_count + 1))]),
                        I32.as_pointer())
    with b.if_then(b.icmp_unsigned("==", scratch, ir.Constant(I32.as_pointer(), None)), likely=False):
        em.set_error(b, net, L.ERROR_NODES)
        b.ret_void()
    em.count(b, tm, CALL)
    nodes = scratch
    vars_ = b.gep(scratch, [c32(d.node_count)], inbounds=True)
    alloc_node, alloc_var = em.alloc("node"), em.alloc("var")
    with em.counted_loop(b, c32(0), c32(d.node_count)) as i:
        b.store(b.call(alloc_node, [net, tm]), b.gep(nodes, [i]))
    with em.counted_loop(b, c32(0), c32(d.var_count)) as i:
        b.store(b.call(alloc_var, [net, tm]), b.gep(vars_, [i]))

    def entry(k):  # (a template's port, an i32)
        return em.widen(b, b.load(b.gep(table, [k], inbounds=True)))

    def relocate(p):
        return em.relocate(b, p, nodes, vars_)

    with em.counted_loop(b, c32(0), c32(d.node_count)) as i:
        k = b.mul(i, c32(2))
        fst, snd = relocate(entry(k)), relocate(entry(b.add(k, c32(1))))
        em.node_st(b, net, b.load(b.gep(nodes, [i])), em.pair(b, fst, snd))
    link = em.link()
    base = 2 * d.node_count
    with em.counted_loop(b, c32(0), c32(d.redex_count)) as i:
        k = b.add(c32(base), b.mul(i, c32(2)))
        b.call(link, [net, tm, relocate(entry(k)), relocate(entry(b.add(k, c32(1))))])
    b.call(link, [net, tm, relocate(entry(c32(ports - 1))), target])
    b.call(em.declare("free", ir.VoidType(), [i8p]), [b.bitcast(scratch, i8p)])
    b.ret_void()
