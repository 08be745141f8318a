"""Eta-reduce nets: two nodes of the same kind whose aux ports are wired to each other, in
order, are the same as one wire between their principal ports.

In:  an hvm.book.Net.
Out: the same net with every such pair replaced by a wire (repeated until none is left: a
     chain's nodes never are), and
     `(* *)` / `{* *}` replaced by `*`. Bend does this for its C targets: it saves work at run
     time, for instance the CALL and ANNI of `λx (f x)` where `f` would do.

    @g = (a b)   & @f ~ (a b)     ==>   @g = a   & @f ~ a
"""

from __future__ import annotations

from collections import Counter
from dataclasses import replace

from hvm.book import Era, Net, Node, Redex, Tag, Var, iter_net_trees, iter_subtrees
from hvm.readback import var_name

ETA_TAGS = (Tag.CON, Tag.DUP)


def eta_reduce(net: Net) -> Net:
    first = True
    while True:
        pairs = Counter()
        erased = False  # a `(* *)` or `{* *}`
        for tree in iter_net_trees(net):
            for t in iter_subtrees(tree):
                if type(t) is Node and t.tag in ETA_TAGS:
                    if type(t.fst) is Var and type(t.snd) is Var:
                        pairs[(t.tag, t.fst.name, t.snd.name)] += 1
                    elif type(t.fst) is Era and type(t.snd) is Era:
                        erased = True
        reducible = {key for key, count in pairs.items() if count == 2 and key[1] != key[2]}
        if first and not reducible and not erased:
            return net  # (its wires are named in order already, as bend.to_hvm.compile names them)
        first = False
        replaced = {key: Var(f"{key[1]}.{key[2]}") for key in reducible}
        changed = [False]

        def reduce(t):
            if type(t) is not Node:
                return t
            if t.tag in ETA_TAGS and type(t.fst) is Var and type(t.snd) is Var:
                var = replaced.get((t.tag, t.fst.name, t.snd.name))
                if var is not None:
                    changed[0] = True
                    return var
            fst, snd = reduce(t.fst), reduce(t.snd)
            if t.tag in ETA_TAGS and type(fst) is Era and type(snd) is Era:
                changed[0] = True
                return Era()
            return t if fst is t.fst and snd is t.snd else Node(t.tag, fst, snd)

        net = Net(reduce(net.root), [Redex(reduce(r.a), reduce(r.b), r.parallel) for r in net.redexes], net.chains)
        if not changed[0]:
            return rename_vars(net)


def rename_vars(net: Net) -> Net:
    """The same net with its wires named a, b, c, ... in order of appearance."""
    names: dict[str, Var] = {}

    def rename(t):
        if type(t) is Var:
            new = names.get(t.name)
            if new is None:
                new = names[t.name] = Var(var_name(len(names)))
            return new
        if type(t) is Node:
            return Node(t.tag, rename(t.fst), rename(t.snd))
        return t

    return Net(rename(net.root), [Redex(rename(r.a), rename(r.b), r.parallel) for r in net.redexes],
               [replace(c, head=rename(c.head)) for c in net.chains])
