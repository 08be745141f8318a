"""Print a read-back result the way `bend run -p` does (Bend's `display_pretty`).

In:  a term from bend.to_hvm.readback (Lam, App, Tuple, Sup, Str, List, Let, Oper, Switch or
     Swi, Var, Link, Num, Ref, Era, and a constructor's value as data: Call), its variables
     already named.
Out: its text over several lines: each `let` starts a new line at the current indentation,
     each arm of a switch a line of its own, two spaces deeper than the switch; everything
     else as on one line, except that list items are separated by spaces, as Bend's pretty
     printer separates them:

    λa switch a = a {                 (bend run -p of `main a b = switch a { 0: switch b
      0: λb switch b = b {              { 0: "ba"; _: "ta" }; _: "ata" }`)
          0: "ba";
          _: "ta";
        };
      _: "ata";
    }
"""

from __future__ import annotations

from bend import ast
from bend.deep import deep
from bend.to_hvm.readback import ATOMS, show, show_binder


def show_pretty(term, tab: int = 0) -> str:
    """The text of `term`; `tab`: the indentation of the line it starts on."""
    return deep(_pretty, term, tab)


def _pretty(t, tab: int) -> str:
    cls = type(t)
    if cls in ATOMS:
        return show(t)
    if cls is ast.Lam:
        return f"λ{binder(t.pattern)} {_pretty(t.body, tab)}"
    if cls is ast.App:
        fun, args = t, []
        while type(fun) is ast.App:
            args.append(fun.arg)
            fun = fun.fun
        return "(" + " ".join([_pretty(fun, tab), *(_pretty(a, tab) for a in reversed(args))]) + ")"
    if cls is ast.Tuple:
        return "(" + ", ".join(_pretty(x, tab) for x in t.items) + ")"
    if cls is ast.Sup:
        return "{" + " ".join(_pretty(x, tab) for x in t.items) + "}"
    if cls is ast.List:
        return "[" + " ".join(_pretty(x, tab) for x in t.items) + "]"
    if cls is ast.Let:
        return f"let {pattern(t.pattern)} = {_pretty(t.value, tab)};\n{' ' * tab}{_pretty(t.body, tab)}"
    if cls is ast.Oper:
        return f"({t.op} {_pretty(t.left, tab)} {_pretty(t.right, tab)})"
    if cls is ast.Switch:
        head = f"switch {t.bind} = " if t.bind is not None else "switch "
        lines = [f"{head}{_pretty(t.scrutinee, tab)} {{"]
        for i, arm in enumerate(t.arms):
            case = "_" + (f" {t.pred}" if t.pred else "") if i == len(t.arms) - 1 else str(i)
            lines.append(f"{' ' * (tab + 2)}{case}: {_pretty(arm, tab + 4)};")
        return "\n".join(lines) + f"\n{' ' * tab}}}"
    if cls is ast.Call and not t.args:  # a constructor's value (bend.to_hvm.data_view): a field a line,
        if all(type(value) in ATOMS or type(value) is ast.Str for _, value, _ in t.kwargs):  # (or one, of atoms)
            return show(t)
        fields = ",\n".join(f"{' ' * (tab + 2)}{name}: {_pretty(value, tab + 2)}" for name, value, _ in t.kwargs)
        return f"{show(t.fun)} {{\n{fields}\n{' ' * tab}}}"
    if cls is ast.Swi:
        return (f"switch {_pretty(t.scrutinee, tab)} {{\n{' ' * (tab + 2)}0: {_pretty(t.zero, tab + 4)};\n"
                f"{' ' * (tab + 2)}_: {_pretty(t.succ, tab + 4)};\n{' ' * tab}}}")
    return "<Invalid>"


def binder(p) -> str:
    return pattern(p) if type(p) in (ast.PSup, ast.PTuple) else show_binder(p)


def pattern(p) -> str:
    cls = type(p)
    if cls is ast.PSup:
        return "{" + " ".join(binder(x) for x in p.items) + "}"
    if cls is ast.PTuple:
        return "(" + ", ".join(binder(x) for x in p.items) + ")"
    return show_binder(p)
