"""Mark the recursive calls that can run in parallel with HVM2's `&!` hint.

In:  an hvm.book.Book.
Out: the same book where, in a definition with two or more redexes that call a definition of
     its own recursion cycle (a binary recursion, as in `fib(n-1) + fib(n-2)`), those redexes
     are marked `&!` (HVM2's GPU scheduler spreads them first).
"""

from __future__ import annotations

from hvm.book import Book, Redex, Ref, iter_net_trees, iter_subtrees


def mark_recursive_calls(book: Book) -> Book:
    component = strongly_connected(book)
    for name, d in book.defs.items():
        recursive = [i for i, r in enumerate(d.net.redexes)
                     if type(r.a) is Ref and r.a.name in book.defs and component[r.a.name] == component[name]]
        if len(recursive) >= 2:
            for i in recursive:
                r = d.net.redexes[i]
                d.net.redexes[i] = Redex(r.a, r.b, True)
    return book


def references(book: Book, name: str) -> list[str]:
    return [t.name for tree in iter_net_trees(book.defs[name].net) for t in iter_subtrees(tree)
            if type(t) is Ref and t.name in book.defs]


def strongly_connected(book: Book) -> dict[str, int]:
    """Each definition's strongly connected component in the reference graph (Tarjan, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    component: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    components = 0
    for start in book.defs:
        if start in index:
            continue
        work = [(start, iter(references(book, start)))]
        index[start] = low[start] = len(index)
        stack.append(start)
        on_stack.add(start)
        while work:
            name, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = len(index)
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(references(book, child))))
                elif child in on_stack:
                    low[name] = min(low[name], index[child])
                continue
            work.pop()
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[name])
            if low[name] == index[name]:
                components += 1
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component[member] = components
                    if member == name:
                        break
    return component
