"""HVM2's interaction rules as data: their ids, names, the dispatch table and priorities.

In:  nothing (constants).
Out: one definition used by every backend: the reference evaluator (hvm.reference), the CPU
     runtime (hvm.llvm_cpu) and the GPU runtime (hvm.cuda), and by the rule emitters they share
     (hvm.rules_ir). Rules follow notes/hvm2-runtime.md §3; ITRS counts every rule but LINK.
"""

from __future__ import annotations

LINK, CALL, VOID, ERAS, ANNI, COMM, OPER, SWIT = range(8)
RULE_NAMES = ("LINK", "CALL", "VOID", "ERAS", "ANNI", "COMM", "OPER", "SWIT")

# HVM2's rule for two principal ports, by tag (VAR REF ERA NUM CON DUP OPR SWI). Symmetric.
RULE_TABLE = (
    (LINK, LINK, LINK, LINK, LINK, LINK, LINK, LINK),  # VAR
    (LINK, VOID, VOID, VOID, CALL, CALL, CALL, CALL),  # REF
    (LINK, VOID, VOID, VOID, ERAS, ERAS, ERAS, ERAS),  # ERA
    (LINK, VOID, VOID, VOID, ERAS, ERAS, OPER, SWIT),  # NUM
    (LINK, CALL, ERAS, ERAS, ANNI, COMM, COMM, COMM),  # CON
    (LINK, CALL, ERAS, ERAS, COMM, ANNI, COMM, COMM),  # DUP
    (LINK, CALL, ERAS, OPER, COMM, COMM, ANNI, COMM),  # OPR
    (LINK, CALL, ERAS, SWIT, COMM, COMM, COMM, ANNI),  # SWI
)

# The rules that shrink the net run first, from a thread's private bag; the others (the work
# that can be shared with other threads) wait in the low-priority bag.
HIGH_PRIORITY = frozenset((LINK, VOID, ERAS, ANNI))

# bit `tag_a * 8 + tag_b` is set when that pair of principal ports is a high-priority redex
HIGH_PRIORITY_MASK = sum(1 << (i * 8 + j) for i in range(8) for j in range(8) if RULE_TABLE[i][j] in HIGH_PRIORITY)


def rule_of(tag_a: int, tag_b: int) -> int:
    return RULE_TABLE[tag_a][tag_b]
