"""Inline the definitions whose net is a single leaf (`-Oinline`).

In:  an hvm.book.Book compiled from a program.
Out: the same Book where each reference to a definition whose net is one eraser, number or
     reference, with no redexes, is replaced by that leaf (following a chain of such
     references to its end): no CALL is spent expanding it at run time.

    @foo = 2   @RefToRef = @Era   @Era = *   @main = a & @id ~ (@foo (@RefToRef a))
    ==>  @main = a & @id ~ (2 (* a))

     A chain that comes back to where it started (`@a = @b`, `@b = @a`) is an error.
"""

from __future__ import annotations

from bend.diagnostics import BendError, Diagnostics
from hvm.book import Book, Era, Net, Node, Num, Redex, Ref, expand_chains


def inline_book(book: Book, diagnostics: Diagnostics) -> Book:
    """Raises BendError (added to `diagnostics`) for a cycle of references."""
    leaves = {name: d.net.root for name, d in book.defs.items() if is_leaf(d.net)}
    resolved: dict = {}
    for name in leaves:
        seen, tree = [name], leaves[name]
        while type(tree) is Ref and tree.name in leaves and tree.name not in resolved:
            if tree.name in seen:
                diagnostics.error(f"infinite reference cycle in `@{tree.name}`: "
                                  f"{' -> '.join(f'@{n}' for n in [*seen[seen.index(tree.name):], tree.name])}")
                raise BendError(diagnostics)
            seen.append(tree.name)
            tree = leaves[tree.name]
        if type(tree) is Ref and tree.name in resolved:
            tree = resolved[tree.name]
        for n in seen:
            resolved[n] = tree
    for d in book.defs.values():
        net = d.net
        if any(c.cons in resolved or c.nil in resolved for c in net.chains):
            net = expand_chains(net)
        d.net = Net(inline(net.root, resolved), [Redex(inline(r.a, resolved), inline(r.b, resolved), r.parallel)
                                                 for r in net.redexes], net.chains)
    return book


def is_leaf(net: Net) -> bool:
    return not net.reducible and type(net.root) in (Era, Num, Ref)


def inline(tree, resolved: dict):
    """`tree` with each reference in `resolved` replaced (no recursion: trees can be deep)."""
    if type(tree) is Ref:
        return resolved.get(tree.name, tree)
    if type(tree) is not Node:
        return tree
    # post-order over the nodes, rebuilding each (frozen) node whose children changed
    stack, done = [(tree, False)], []
    while stack:
        t, children_done = stack.pop()
        if type(t) is not Node:
            done.append(resolved.get(t.name, t) if type(t) is Ref else t)
        elif children_done:
            snd, fst = done.pop(), done.pop()
            done.append(t if fst is t.fst and snd is t.snd else Node(t.tag, fst, snd, t.pos))
        else:
            stack.append((t, True))
            stack.append((t.snd, False))
            stack.append((t.fst, False))
    return done[0]
