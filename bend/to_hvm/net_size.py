"""Check that no definition's net is larger than HVM2's runtime takes (`-Ocheck-net-size`, on
by default, as in Bend).

In:  an hvm.book.Book compiled from a program.
Out: an error (Bend's message) for each definition with more nodes (CON, DUP, OPR, SWI;
     leaves are free) than MAX_NET_SIZE, the limit of HVM2's C runtime.

     Bend checks nets against 64 nodes for its CUDA targets (run-cu, gen-cu), a limit of
     HVM2's CUDA runtime; ours runs definitions of any size on the GPU (docs/gpu-runtime.md),
     so here every target gets the C limit.
"""

from __future__ import annotations

from bend.diagnostics import BendError, Diagnostics
from hvm.book import Book, Node, chain_nodes, iter_net_trees, iter_subtrees

MAX_NET_SIZE = 4095


def check_net_sizes(book: Book, diagnostics: Diagnostics, spans: dict | None = None) -> None:
    """Raises BendError (added to `diagnostics`) if a definition is too large; `spans`: where
    each definition is in the source, for the message."""
    too_large = False
    for name, d in book.defs.items():
        size = count_nodes(d.net)
        if size > MAX_NET_SIZE:
            span = (spans or {}).get(name.split("__")[0])
            diagnostics.error(f"definition `{name}` is too large for HVM C (size={size}, max size={MAX_NET_SIZE}); "
                              "please break it into smaller pieces", span,
                              hint="`-Ono-check-net-size` turns this check off: the runtimes here run it anyway")
            too_large = True
    if too_large:
        raise BendError(diagnostics)


def count_nodes(net) -> int:
    return sum(1 for tree in iter_net_trees(net) for t in iter_subtrees(tree) if type(t) is Node) + sum(
        chain_nodes(c) - 2 for c in net.chains)  # (iter_net_trees shows a chain as 2 nodes)
