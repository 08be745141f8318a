"""Native code that writes an IO answer's list of bytes into the runtime's node memory.

In:  nothing (the IR is the same for every book).
Out: `byte_list_writer()`: a ctypes function hvm_byte_list(nodes, data, n, base, vbase) that
     writes, for byte j of data[0..n), the four nodes of `((1 (b_j (tail k_j))) k_j)` at
     e = base + 4j, as hvm.io.byte_list_ports lays them out in Python:

         e: (CON e+1, VAR k_j)   e+1: (NUM 1, CON e+2)   e+2: (NUM b_j, CON e+3)   e+3: (CON e+4, VAR k_j)

     with k_j = vbase + j. (The list's Nil, after them, and the vars are the caller's.) A
     megabyte read by a program is four million nodes: a loop here takes milliseconds where
     Python's columns take most of a second.

    entry:  j = 0
    loop:   j < n ?  write the four nodes of byte j, j += 1, loop  :  done
"""

from __future__ import annotations

import ctypes

from llvmlite import ir

from hvm import numbers
from hvm.ports import CON, NUM

I8, I32, I64 = ir.IntType(8), ir.IntType(32), ir.IntType(64)
_writer = None


def build() -> str:
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

    def word(fst, snd):
        return b.or_(fst, b.shl(snd, ir.Constant(I64, 32)))

    def at(k):
        return b.add(e, ir.Constant(I64, k))

    k = b.shl(b.add(vbase, j), ir.Constant(I64, 3))  # VAR k_j (the tag of VAR is 0)
    byte = b.zext(b.load(b.gep(data, [j])), I64)
    numb = b.or_(b.shl(byte, ir.Constant(I64, 5)), ir.Constant(I64, numbers.new_u24(0)))  # a u24 number word
    one = ir.Constant(I64, (numbers.new_u24(1) << 3) | NUM)
    for offset, value in ((0, word(con(at(1)), k)),
                          (1, word(one, con(at(2)))),
                          (2, word(b.or_(b.shl(numb, ir.Constant(I64, 3)), ir.Constant(I64, NUM)), con(at(3)))),
                          (3, word(con(at(4)), k))):
        b.store(value, b.gep(nodes, [at(offset)]))
    j.add_incoming(b.add(j, ir.Constant(I64, 1)), body)
    b.branch(loop)
    b.position_at_end(done)
    b.ret_void()
    return str(module)


def byte_list_writer(use_cache: bool = True):
    """hvm_byte_list(nodes: u64*, data: u8*, n, base, vbase), compiled once a process (and cached)."""
    global _writer
    if _writer is None:
        from hvm import jit

        obj = jit.object_code(build, ["byte_list"], 3, use_cache)
        address = jit.load(obj, ["hvm_byte_list"])["hvm_byte_list"]
        _writer = ctypes.CFUNCTYPE(None, ctypes.c_void_p, ctypes.c_char_p, ctypes.c_uint64, ctypes.c_uint64,
                                   ctypes.c_uint64)(address)
    return _writer
