"""The GPU runtime's memory, described once: for the IR emitters and for the host side.

In:  nothing (constants).
Out: the structs GNet (one per run), TM (one per GPU thread) and Ctx (a thread's view of where
     things are, built at the start of a kernel), each as an LLVM type (`llvm_type(module)`)
     and as a ctypes structure; field indices; the shared-memory header; error codes.

    global memory  GNet header; node_buf (u64 nodes) and vars_buf (u32 vars), indexed by a
                   port's value; page owner words; per-thread TM, high-priority bag and ring;
                   per-block overflow pool and big-definition scratch; the book (defs, ports);
                   the redex arrays of the turn (in and out)
    shared memory  per block: a header (pool cursors, lock), then the block's local heap:
                   `local` nodes (u64) and `local` vars (u32)

A port's value below `local` names a slot of the block's own heap in shared memory; from
`local` up it names a slot of the global heap. ROOT, the output wire, is the global var
`local` (never allocated). Global memory never points into a block's heap: a link that would
(a global var meeting a local node) copies the node out first (LEAK).
"""

from __future__ import annotations

import ctypes

from llvmlite import ir

I32, I64 = ir.IntType(32), ir.IntType(64)

SYNC_BYTES = 64  # threaded host emulation, per block: a pthread_barrier_t (32 bytes), then 2 u32 vote counters
SMALL = 64  # a definition with at most this many nodes and vars expands through the TM's scratch
SHARED_HEADER = 64  # bytes before the local heap in shared memory
# the shared header's u32 words
SH_POOL_HEAD, SH_POOL_TAIL, SH_LOCK = 0, 1, 2

# GNet.error: set on the device; the host stops and says which limit was hit
ERROR_NONE, ERROR_NODES, ERROR_VARS, ERROR_BAG, ERROR_POOL, ERROR_INTERNAL = 0, 1, 2, 3, 4, 5
NO_PAGE = 0xFFFFFFFFFFFFFFFF

# (name, kind): kinds "i64", "p64" (u64*), "p32" (u32*), "a8" (u64[8]), "pgnet", "ptm", "a32s" (u32[SMALL])
GNET_FIELDS = [
    # memory, set by the host once per run
    ("node_buf", "p64"),
    ("vars_buf", "p32"),
    ("node_owner", "p32"),  # per node page: 0, or 1 + the id of the thread allocating in it
    ("var_owner", "p32"),
    ("npages", "i64"),  # pages of each kind
    ("page", "i64"),  # slots per page
    ("local", "i64"),  # slots of a block's heap (each kind); global slots start here
    ("per_thread", "i64"),  # local slots each thread allocates in (strided: tid + k * threads)
    ("tms", "ptm"),
    ("hbags", "p64"),  # per thread: `hcap` high-priority redexes (LIFO)
    ("rings", "p64"),  # per thread: `rcap` low-priority redexes (LIFO, oldest given away); a power of 2
    ("hcap", "i64"),
    ("rcap", "i64"),
    ("pools", "p64"),  # per block: `pool_cap` redexes, shared by the block's threads
    ("pool_cap", "i64"),
    ("areas", "p32"),  # per block: scratch for expanding definitions bigger than `small`
    ("area_nodes", "i64"),  # an area holds `area_nodes` node indices, then the var indices
    ("area_cap", "i64"),
    ("defs", "p32"),  # per definition 8 u32: ports offset, nodes, redexes, vars, safe, big
    ("ports", "p32"),  # per definition: node pairs, redex pairs, root (def-local indices)
    ("ndefs", "i64"),
    ("small", "i64"),  # at most SMALL
    ("steps", "i64"),  # interactions a thread does between two barriers
    ("rounds", "i64"),  # rounds of `steps` in a turn, at most
    ("out_cap", "i64"),
    # the turn: written by the host before each launch
    ("bag_in", "p64"),
    ("bag_out", "p64"),
    ("in_len", "i64"),
    ("out_len", "i64"),
    # counters: written by the device, read by the host after each turn
    ("error", "i64"),
    ("itrs", "a8"),
    ("leaks", "i64"),
    ("node_next", "i64"),  # node pages handed out so far (mod npages: the next page to try)
    ("var_next", "i64"),
    ("gather_len", "i64"),  # ports written by the readback kernel (or ~0: too many)
]
TURN_FIELDS = ("bag_in", "bag_out", "in_len", "out_len")  # contiguous: one host write per turn

TM_FIELDS = [
    ("hlen", "i64"),
    ("rlo", "i64"),  # ring: live entries are [rlo, rhi), slot i % rcap
    ("rhi", "i64"),
    ("itrs", "a8"),
    ("leaks", "i64"),
    ("lnode", "i64"),  # local allocation cursors (k of tid + k * threads)
    ("lvar", "i64"),
    ("gnode_page", "i64"),  # the global page this thread allocates nodes in (NO_PAGE: none) ...
    ("gnode_cur", "i64"),  # ... and the next slot of it to look at
    ("gvar_page", "i64"),
    ("gvar_cur", "i64"),
    ("nk", "i64"),  # reserved slots handed out so far by alloc (node, var)
    ("vk", "i64"),
    ("dirty", "i64"),  # global memory written since the last release fence
    ("yielded", "i64"),  # the last interaction had to wait (big-definition scratch busy)
    ("parity", "i64"),  # host emulation with a thread per GPU thread: which vote counter is next
    ("nloc", "a32s"),  # reserved node slots (of a rule, or of a small definition)
    ("vloc", "a32s"),
]

CTX_FIELDS = [
    ("gnet", "pgnet"),
    ("tm", "ptm"),
    ("sh_nodes", "p64"),  # the block's heap in shared memory (generic pointers)
    ("sh_vars", "p32"),
    ("sh_head", "p32"),  # the shared header
    ("node_buf", "p64"),
    ("vars_buf", "p32"),
    ("local", "i64"),
    ("tid", "i64"),
    ("bid", "i64"),
    ("gid", "i64"),
    ("threads", "i64"),
    ("blocks", "i64"),
    ("hbag", "p64"),
    ("ring", "p64"),
    ("hcap", "i64"),
    ("rcap", "i64"),
    ("pool", "p64"),
    ("pool_cap", "i64"),
    ("area", "p32"),
]

DEF_WORDS = 8  # u32 words per definition in GNet.defs
D_OFF, D_NODES, D_REDEXES, D_VARS, D_SAFE, D_BIG = range(6)


def field_index(fields, name: str) -> int:
    return [n for n, _ in fields].index(name)


def llvm_types(module: ir.Module):
    """(gnet_t, tm_t, ctx_t): identified struct types in `module`'s context."""
    ctx = module.context
    gnet_t = ctx.get_identified_type("cu.GNet")
    tm_t = ctx.get_identified_type("cu.TM")
    ctx_t = ctx.get_identified_type("cu.Ctx")
    kinds = {
        "i64": I64, "p64": I64.as_pointer(), "p32": I32.as_pointer(), "a8": ir.ArrayType(I64, 8),
        "a32s": ir.ArrayType(I32, SMALL), "pgnet": gnet_t.as_pointer(), "ptm": tm_t.as_pointer(),
    }
    for t, fields in ((gnet_t, GNET_FIELDS), (tm_t, TM_FIELDS), (ctx_t, CTX_FIELDS)):
        if t.is_opaque:
            t.set_body(*[kinds[k] for _, k in fields])
    return gnet_t, tm_t, ctx_t


_CTYPES = {
    "i64": ctypes.c_uint64, "p64": ctypes.c_uint64, "p32": ctypes.c_uint64, "a8": ctypes.c_uint64 * 8,
    "a32s": ctypes.c_uint32 * SMALL, "pgnet": ctypes.c_uint64, "ptm": ctypes.c_uint64,
}


class GNetStruct(ctypes.Structure):
    """The header in device memory (pointers are device addresses, as integers)."""

    _fields_ = [(n, _CTYPES[k]) for n, k in GNET_FIELDS]


class TMStruct(ctypes.Structure):
    _fields_ = [(n, _CTYPES[k]) for n, k in TM_FIELDS]


TURN_OFFSET = getattr(GNetStruct, TURN_FIELDS[0]).offset
TURN_BYTES = getattr(GNetStruct, TURN_FIELDS[-1]).offset + 8 - TURN_OFFSET
assert [n for n, _ in GNET_FIELDS[field_index(GNET_FIELDS, "bag_in"):][:4]] == list(TURN_FIELDS)


def shared_bytes(local: int) -> int:
    """Dynamic shared memory of a block whose heap has `local` nodes and `local` vars."""
    return SHARED_HEADER + local * 8 + local * 4
