"""The memory the native runtime works in: one `Net` and one `TM` per thread, described once.

In:  nothing (constants).
Out: the same two structs as LLVM types (for the IR emitters) and as ctypes structures (for
     the Python side that allocates, starts and reads back a run), plus field indices.

    Net   node_buf vars_buf (big anonymous mappings: pages are touched only when used)
          capacities, the global chunk cursors, the busy-thread count, the error code,
          the table of compiled definitions, the thread states
    TM    one per thread: stacks of free node and var indices (refilled a chunk at a time),
          the two redex bags (high priority: private LIFO; low priority: LIFO whose oldest
          entries are given to idle threads on request), interaction counters per rule,
          and, on a cache line of its own, the request / mailbox pair used for stealing.

A node is a u64: fst port in the low 32 bits, snd port in the high 32 bits (with 64-bit ports,
a u128 of two u64 ports; a var a u64; node_buf and vars_buf are then read as such). A slot freed by a
thread goes on that thread's free stack and is reused first (the most recently freed, so
still in cache). Node 0 and var 0 are never handed out: var 0 is ROOT, the output wire.
"""

from __future__ import annotations

import ctypes

RULES = 8

# (name, kind); kinds: "i64", "p64" (u64*), "p32" (u32*), "pfn" (table of def functions), "ptab" (u32**),
# "ptm" (TM*), "a8" (u64[8]), "pad" (u64, unused)
NET_FIELDS = [
    ("node_buf", "p64"),
    ("vars_buf", "p32"),
    ("node_cap", "i64"),  # node slots (index 0 unused)
    ("vars_cap", "i64"),
    ("node_top", "i64"),  # next unclaimed node slot (chunks are claimed atomically)
    ("vars_top", "i64"),
    ("busy", "i64"),  # threads that hold work
    ("share_at", "i64"),  # one thread's code working alone stops when its low bag holds this many
    ("error", "i64"),  # ERROR_* below; 0 while all is well
    ("nthreads", "i64"),
    ("bag_cap", "i64"),  # entries in each redex bag
    ("defs", "pfn"),  # compiled definitions, by fid
    ("templates", "ptab"),  # by fid: the ports of a large definition (copied by its CALL), or null
    ("tms", "ptm"),
]

TM_FIELDS = [
    ("tid", "i64"),
    ("net", "pnet"),
    ("node_free", "p32"),  # stack of free node indices ...
    ("node_free_len", "i64"),  # ... and how many it holds
    ("var_free", "p32"),
    ("var_free_len", "i64"),
    ("hbag", "p64"),
    ("hlen", "i64"),
    ("rbag", "p64"),
    ("rlo", "i64"),
    ("rhi", "i64"),
    ("itrs", "a8"),
    ("victim", "i64"),  # the next thread to ask for work
    ("idle_rounds", "i64"),  # failed asks for work since the last success (idlers back off, then sleep)
    *[(f"pad{i}", "pad") for i in range(11)],
    # a cache line of its own: written by other threads
    ("request", "i64"),  # 0, or 1 + the id of a thread asking for work
    ("mailbox", "i64"),  # 0: nothing yet; NO_WORK; or a redex given by another thread
    ("mail_fst", "i64"),  # 64-bit ports: the redex given is here, and the mailbox says MAIL_WORK
    ("mail_snd", "i64"),
    *[(f"pad_b{i}", "pad") for i in range(4)],
]

# net.error: set by the runtime (memory, bags) or by Python (Ctrl-C, --timeout); every thread stops
ERROR_NONE, ERROR_NODES, ERROR_VARS, ERROR_BAG, ERROR_INTERRUPTED, ERROR_TIMEOUT = 0, 1, 2, 3, 4, 5
NO_WORK = 1  # a mailbox answer: "I have nothing to give" (no redex is 1: that pair is VAR~VAR 0)
MAIL_WORK = 2  # a mailbox answer with 64-bit ports: "a redex is in your mail_fst, mail_snd"
CHUNK = 1 << 12  # nodes (or vars) claimed from the global cursor at a time


def field_index(fields, name: str) -> int:
    return [n for n, _ in fields].index(name)


# -- LLVM types

def llvm_types(module, wide: bool = False):
    """(net_t, tm_t, def_fn_t) as identified struct types of `module`'s context (`wide`: with
    64-bit ports, where a definition's function takes an i64 port). (llvmlite.ir is imported
    here: a warm run uses only the ctypes mirrors below.)"""
    from llvmlite import ir

    I32, I64 = ir.IntType(32), ir.IntType(64)
    ctx = module.context
    suffix = "64" if wide else ""
    net_t = ctx.get_identified_type("hvm.Net" + suffix)
    tm_t = ctx.get_identified_type("hvm.TM" + suffix)
    def_fn_t = ir.FunctionType(ir.VoidType(), [net_t.as_pointer(), tm_t.as_pointer(), I64 if wide else I32])
    kinds = {
        "i64": I64, "pad": I64, "p64": I64.as_pointer(), "p32": I32.as_pointer(),
        "a8": ir.ArrayType(I64, RULES), "pfn": def_fn_t.as_pointer().as_pointer(),
        "ptm": tm_t.as_pointer(), "pnet": net_t.as_pointer(), "ptab": I32.as_pointer().as_pointer(),
    }
    if net_t.is_opaque:
        net_t.set_body(*[kinds[k] for _, k in NET_FIELDS])
    if tm_t.is_opaque:
        tm_t.set_body(*[kinds[k] for _, k in TM_FIELDS])
    return net_t, tm_t, def_fn_t


# -- ctypes mirrors

_CTYPES = {
    "i64": ctypes.c_uint64, "pad": ctypes.c_uint64, "p64": ctypes.c_void_p, "p32": ctypes.c_void_p,
    "a8": ctypes.c_uint64 * RULES, "pfn": ctypes.c_void_p, "ptm": ctypes.c_void_p, "pnet": ctypes.c_void_p,
    "ptab": ctypes.c_void_p,
}


class NetStruct(ctypes.Structure):
    _fields_ = [(n, _CTYPES[k]) for n, k in NET_FIELDS]


class TMStruct(ctypes.Structure):
    _fields_ = [(n, _CTYPES[k]) for n, k in TM_FIELDS]


assert ctypes.sizeof(TMStruct) % 64 == 0 and TMStruct.request.offset % 64 == 0, "TM layout: keep request on its own line"
