"""Put named arguments in order: `f(1, y = 2)` and `Type/Ctor { x: 1 }` become plain applications.

In:  a Book whose terms may hold Call nodes, and the names it can see (its own definitions and
     data types, and those of the modules it imports, builtins included).
Out: the same Book with every Call replaced by an application in parameter order, and
     diagnostics for a named argument that does not exist, is given twice or is missing.

    def f(x, y): ...     f(1, y = 2)            ==>  (f 1 2)
    object P { a, b }    P { b: 2, a: 1 }       ==>  (P 1 2)
"""

from __future__ import annotations

from bend import ast
from bend.diagnostics import Diagnostics, did_you_mean


def parameters(name: str, defs: dict, ctors: dict) -> list[str] | None:
    """The parameter names of a definition (when its one rule binds plain names) or constructor.

    `defs` and `ctors` map the names visible where the call is to Definition and Ctor nodes.
    """
    if name in ctors:
        return [f.name for f in ctors[name].fields]
    d = defs.get(name)
    if d is not None and len(d.rules) == 1 and all(isinstance(p, ast.PVar) for p in d.rules[0].patterns):
        return [p.name for p in d.rules[0].patterns]
    return None


def local_names(definition: ast.Definition, ctors: dict | None = None) -> set[str]:
    """Every name the definition binds anywhere (parameters, lambdas, lets, arms, ...).

    A constructor's name in a rule's pattern or a match arm (`(Len List/Nil)`, `case Arr/Node:`)
    matches that constructor and binds nothing; only a lambda or a `let` can bind it.
    """
    ctors = ctors or {}
    names = {n for rule in definition.rules for p in rule.patterns for n in ast.binder_names(p) if n not in ctors}
    stack = [rule.body for rule in definition.rules]
    while stack:
        t = stack.pop()
        cls = type(t)
        if cls in (ast.Lam, ast.Let, ast.Ask):
            names.update(ast.binder_names(t.pattern))
        elif cls is ast.Use:
            names.add(t.name)
        elif cls in (ast.Match, ast.Fold, ast.Switch):
            names.update(n for n in [t.bind, *(k for k, _ in t.with_)] if n)
            if cls is not ast.Switch:
                names.update(arm.pattern for arm in t.arms if arm.pattern not in ctors)
        elif cls is ast.Bend:
            names.update(n for n, _ in t.binds)
        elif cls is ast.LocalDef:
            names |= {t.definition.name} | local_names(t.definition, ctors)
        stack.extend(ast.subterms(t))
    return names


def order_named_args(book: ast.Book, defs: dict, ctors: dict, diagnostics: Diagnostics) -> None:
    local: set[str] = set()

    def fix(term):
        if type(term) is not ast.Call:
            return term
        fun = term.fun
        if type(fun) is not ast.Var or fun.name in local:
            what = f"`{fun.name}` is a variable here: " if type(fun) is ast.Var else ""
            diagnostics.error(f"{what}named arguments need the name of a function or constructor", term.span)
            return term.fun
        params = parameters(fun.name, defs, ctors)
        if params is None:
            hint = "give the arguments in order" if fun.name in defs else did_you_mean(fun.name, [*defs, *ctors])
            diagnostics.error(f"`{fun.name}` has no named parameters to give", fun.span, hint)
            return fun
        given: dict[str, object] = dict(zip(params, term.args))
        if len(term.args) > len(params):
            diagnostics.error(f"`{fun.name}` takes {len(params)} arguments, not {len(term.args) + len(term.kwargs)}",
                              term.span)
        for name, value, span in term.kwargs:
            if name not in params:
                diagnostics.error(f"`{fun.name}` has no parameter or field `{name}`", span,
                                  did_you_mean(name, params) or f"its parameters are: {', '.join(params) or 'none'}")
            elif name in given:
                diagnostics.error(f"`{name}` is given twice", span)
            else:
                given[name] = value
        missing = [p for p in params if p not in given]
        if missing:
            diagnostics.error(f"`{fun.name}` is missing the argument{'s' if len(missing) > 1 else ''} "
                              f"{', '.join(f'`{m}`' for m in missing)}", term.span)
        result = fun
        for p in params:
            if p in given:
                result = ast.App(result, given[p], term.span)
        return result

    for d in book.defs.values():
        if not any(ast.contains(rule.body, (ast.Call,)) for rule in d.rules):
            continue  # (nothing to put in order: most definitions, and the deepest terms, have no Call)
        local = local_names(d, ctors)  # (all of them: a name bound anywhere in it is taken as a variable)
        for rule in d.rules:
            rule.body = ast.rewrite(rule.body, fix)
