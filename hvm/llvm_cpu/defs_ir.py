"""LLVM IR for a book's definitions: one native function per definition.

In:  a FlatBook (hvm.flatbook) and the mode (parallel or single-threaded).
Out: a module exporting `hvm_def_<fid>(Net*, TM*, i32 b)` for every definition: the CALL rule
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
from hvm.llvm_cpu.runtime_ir import CALL, I32, VOIDT, Emitter, c32
from hvm.llvm_cpu.specialize import Specializer, recursive_definitions
from hvm.ports import CON, DUP, REF, VAR


def build_defs(book: FlatBook, parallel: bool, specialize: bool = True) -> ir.Module:
    """`specialize=False` builds every definition plainly (no work at compile time): for tests."""
    module = ir.Module(name="hvm_defs")
    emitter = Emitter(module, parallel)
    recursive = recursive_definitions(book)
    for d in book.defs:
        define_def(emitter, d, book, recursive if specialize else None)
    return module


def def_symbol(fid: int) -> str:
    return f"hvm_def_{fid}"


def define_def(em: Emitter, d: FlatDef, book: FlatBook, recursive: set[int] | None) -> ir.Function:
    fn, b = em.function(def_symbol(d.fid), VOIDT, [em.net_p, em.tm_p, I32], ["net", "tm", "b"], export=True)
    net, tm, target = fn.args
    if d.safe:  # @f ~ {x y}  ==>  @f ~ x,  @f ~ y
        with b.if_then(b.icmp_unsigned("==", em.tag(b, target), c32(DUP))):
            b.call(em.eras(), [net, tm, c32((d.fid << 3) | REF), target])
            b.ret_void()
    if recursive is not None:
        Specializer(em, book, d, recursive).emit(b, net, tm, target)
        return fn
    em.guard(b, net, tm, len(d.nodes), d.var_count)
    em.count(b, tm, CALL)
    nodes = [b.call(em.alloc("node"), [net, tm]) for _ in d.nodes]
    vars_ = [b.call(em.alloc("var"), [net, tm]) for _ in range(d.var_count)]

    def relocate(p: int):
        tag = p & 7
        if tag == VAR:
            return em.port(b, VAR, vars_[p >> 3])
        if tag >= CON:
            return em.port(b, tag, nodes[p >> 3])
        return c32(p)

    for i, (fst, snd) in zip(nodes, d.nodes):
        em.node_st(b, net, i, em.pair(b, relocate(fst), relocate(snd)))
    link = em.link()
    for x, y in d.redexes:
        b.call(link, [net, tm, relocate(x), relocate(y)])
    b.call(link, [net, tm, relocate(d.root), target])
    b.ret_void()
    return fn
