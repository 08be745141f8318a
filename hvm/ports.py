"""Ports: HVM2's 32-bit words that point at nodes, variables, definitions or hold numbers.

In/out: plain ints, `val << 3 | tag` (notes/hvm2-runtime.md §2). Shared by the flattened
book, the reference evaluator, readback and the native runtimes.

The native CPU runtime also has a 64-bit mode (hvm.llvm_cpu.backend, for nets past 2^29 nodes):
ports of 64 bits, the same `val << 3 | tag` with wider values, and NONE_WIDE for an empty
var. A book is the same in both modes (its ports are small); only runtime memory differs.
"""

from __future__ import annotations

VAR, REF, ERA, NUM, CON, DUP, OPR, SWI = range(8)

FREE = 0  # an empty variable slot
NONE = 0xFFFFFFFF  # a variable that exists but neither end has arrived yet
NONE_WIDE = 0xFFFFFFFFFFFFFFFF  # ... in the 64-bit mode (0xFFFFFFFF is a port there)
FID_MASK = 0x0FFFFFFF  # a REF's value is the definition id ...
PAR_BIT = 1 << 28  # ... plus the `&!` flag


def port(tag: int, val: int) -> int:
    return (val << 3) | tag


def tag_of(p: int) -> int:
    return p & 7


def val_of(p: int) -> int:
    return p >> 3
