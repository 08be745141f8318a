"""Helpers every desugaring pass shares: scopes, free variables, building and copying terms.

In:  terms of bend.ast, at any stage after bend.desugar.fix_matches (match and switch arms
     carry the names they bind; `if` and `open` are gone).
Out: facts about them (free variables, the names a pattern binds) and new terms.

Scopes, once matches are fixed (and every `with x` and bend state without a first value
carries `Var(x)` explicitly): a lambda binds its pattern's names in its body; `let`/`ask`
bind theirs in the body (not in the value); `use x = v` binds x in the body; a match or fold
arm binds its `binds` (and a fold's `with` names); the last arm of a switch binds `pred`;
a `bend` binds its state names in its condition and both branches (and `fork` in its `when`
branch); a `with` block binds `wrap`.
"""

from __future__ import annotations

from bend import ast


def scoped_subterms(t) -> list[tuple[object, tuple]]:
    """The terms directly inside `t`, each with the names `t` binds around it."""
    cls = type(t)
    if cls is ast.Lam:
        return [(t.body, tuple(ast.binder_names(t.pattern)))]
    if cls is ast.Let or cls is ast.Ask:
        return [(t.value, ()), (t.body, tuple(ast.binder_names(t.pattern)))]
    if cls is ast.Use:
        return [(t.value, ()), (t.body, (t.name,))]
    if cls is ast.Match or cls is ast.Fold:
        carried = tuple(name for name, _ in t.with_)
        out = [(t.scrutinee, ())] + [(value, ()) for _, value in t.with_]
        for arm in t.arms:
            assert arm.binds is not None, "scopes are known once matches are fixed"
            out.append((arm.body, carried + tuple(arm.binds)))
        return out
    if cls is ast.Switch:
        assert t.pred is not None and not t.with_, "scopes are known once switches are fixed"
        out = [(t.scrutinee, ())] + [(arm, ()) for arm in t.arms[:-1]]
        return out + [(t.arms[-1], (t.pred,))]
    if cls is ast.Bend:
        names = tuple(name for name, _ in t.binds)
        out = [(value, ()) for _, value in t.binds]
        return out + [(t.cond, names), (t.step, names + ("fork",)), (t.base, names)]
    if cls is ast.With:
        return [(t.body, ("wrap",))]
    return [(sub, ()) for sub in ast.subterms(t)]


def free_vars(t) -> dict[str, None]:
    """The variables free in `t`, in order of first occurrence (a dict used as an ordered set)."""
    out: dict[str, None] = {}
    _free(t, {}, out)
    return out


def _free(t, bound: dict, out: dict) -> None:
    if type(t) is ast.Var:
        if t.name not in bound:
            out.setdefault(t.name, None)
        return
    for sub, names in scoped_subterms(t):
        if names:
            for n in names:
                bound[n] = bound.get(n, 0) + 1
            _free(sub, bound, out)
            for n in names:
                if bound[n] == 1:
                    del bound[n]
                else:
                    bound[n] -= 1
        else:
            _free(sub, bound, out)


def replace_free(t, replacements: dict):
    """`t` with each free `Var(x)` for x in `replacements` replaced by `replacements[x](var)`."""
    if not replacements:
        return t
    if type(t) is ast.Var:
        fn = replacements.get(t.name)
        return fn(t) if fn else t
    scoped = scoped_subterms(t)
    results = []
    for sub, names in scoped:
        inner = replacements
        if any(n in replacements for n in names):
            inner = {k: v for k, v in replacements.items() if k not in names}
        results.append(replace_free(sub, inner))
    _put_back(t, results)
    return t


def _put_back(t, results: list) -> None:
    """Store `results` back into `t`, in the order scoped_subterms listed its subterms."""
    it = iter(results)
    ast.map_subterms(t, lambda _: next(it))


def app(fun, args, span=None):
    for a in args:
        fun = ast.App(fun, a, span)
    return fun


def lams(names, body, span=None):
    """`λn1 λn2 ... body`; a name of None makes `λ*`."""
    for n in reversed(list(names)):
        body = ast.Lam(ast.PEra() if n is None else ast.PVar(n), body, span)
    return body


class Fresh:
    """Generated names: `%` cannot occur in a name a user writes, so these never clash."""

    def __init__(self):
        self.count = 0

    def __call__(self, hint: str = "x") -> str:
        self.count += 1
        return f"%{hint}{self.count}"


def is_simple_binder(p) -> bool:
    """A pattern a lambda binds without any matching: a name, `*` or `$x`."""
    return type(p) in (ast.PVar, ast.PEra, ast.PLink)


def lam(pattern, body, fresh: Fresh, span=None):
    """`λpattern body`, where a tuple or dup pattern becomes `λx let pattern = x; body`."""
    if is_simple_binder(pattern):
        return ast.Lam(pattern, body, span)
    x = fresh()
    return ast.Lam(ast.PVar(x), ast.Let(pattern, ast.Var(x), body, span), span)
