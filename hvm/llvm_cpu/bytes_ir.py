"""Native code that writes an IO answer's list of bytes into the runtime's node memory.

In:  the port width (the IR is otherwise the same for every book).
Out: `byte_list_writer()`: a ctypes function hvm_byte_list(nodes, data, n, base, vbase) that
     writes, for byte j of data[0..n), the four nodes of `((1 (b_j (tail k_j))) k_j)` at
     e = base + 4j, as hvm.io.byte_list_ports lays them out in Python:

         e: (CON e+1, VAR k_j)   e+1: (NUM 1, CON e+2)   e+2: (NUM b_j, CON e+3)   e+3: (CON e+4, VAR k_j)

     with k_j = vbase + j (64-bit ports: a node is two u64 words, fst first). (The list's Nil,
     after them, and the vars are the caller's.) A megabyte read by a program is four million
     nodes: a loop here takes milliseconds where Python's columns take most of a second.

    entry:  j = 0
    loop:   j < n ?  write the four nodes of byte j, j += 1, loop  :  done
"""

from __future__ import annotations

import ctypes

from llvmlite import ir

from hvm import numbers
from hvm.ports import CON, NUM

I8, I32, I64 = ir.IntType(8), ir.IntType(32), ir.IntType(64)
_writers: dict[bool, ctypes._CFuncPtr] = {}


def build(wide: bool = False) -> str:
    module = ir.Module(name="hvm_byte_list")
    fn = ir.Function(module, ir.FunctionType(ir.VoidType(), [I64.as_pointer(), I8.as_pointer(), I64, I64, I64]),
                     "hvm_byte_list")
    nodes, data, n, base, vbase = fn.args
    entry, loop, body, done = (fn.append_basic_block(name) for name in ("entry", "loop", "body", "done"))
    b = ir.IRBuilder(entry)
    b.branch(loop)
    b.position_at_end(loop)
    j = b.phi(I64, "j")
    j.add_incoming(ir.Constant(I64, 0), entry)
    b.cbranch(b.icmp_unsigned("<", j, n), body, done)
    b.position_at_end(body)
    e = b.add(base, b.shl(j, ir.Constant(I64, 2)))

    def con(i):  # the CON port of node i, as the high or low half of a node word
        return b.or_(b.shl(i, ir.Constant(I64, 3)), ir.Constant(I64, CON))

    def put(k, fst, snd):  # node k holds (fst, snd)
        if wide:
            b.store(fst, b.gep(nodes, [b.shl(k, ir.Constant(I64, 1))]))
            b.store(snd, b.gep(nodes, [b.add(b.shl(k, ir.Constant(I64, 1)), ir.Constant(I64, 1))]))
        else:
            b.store(b.or_(fst, b.shl(snd, ir.Constant(I64, 32))), b.gep(nodes, [k]))

    def at(k):
        return b.add(e, ir.Constant(I64, k))

    k = b.shl(b.add(vbase, j), ir.Constant(I64, 3))  # VAR k_j (the tag of VAR is 0)
    byte = b.zext(b.load(b.gep(data, [j])), I64)
    numb = b.or_(b.shl(byte, ir.Constant(I64, 5)), ir.Constant(I64, numbers.new_u24(0)))  # a u24 number word
    one = ir.Constant(I64, (numbers.new_u24(1) << 3) | NUM)
    put(at(0), con(at(1)), k)
    put(at(1), one, con(at(2)))
    put(at(2), b.or_(b.shl(numb, ir.Constant(I64, 3)), ir.Constant(I64, NUM)), con(at(3)))
    put(at(3), con(at(4)), k)
    j.add_incoming(b.add(j, ir.Constant(I64, 1)), body)
    b.branch(loop)
    b.position_at_end(done)
    b.ret_void()
    return str(module)


def byte_list_writer(use_cache: bool = True, wide: bool = False):
    """hvm_byte_list(nodes: u64*, data: u8*, n, base, vbase), compiled once a process (and cached)."""
    if wide not in _writers:
        from hvm import jit

        obj = jit.object_code(lambda: build(wide), ["byte_list", *(["wide"] if wide else [])], 3, use_cache)
        address = jit.load(obj, ["hvm_byte_list"])["hvm_byte_list"]
        _writers[wide] = ctypes.CFUNCTYPE(None, ctypes.c_void_p, ctypes.c_char_p, ctypes.c_uint64, ctypes.c_uint64,
                                          ctypes.c_uint64)(address)
    return _writers[wide]
