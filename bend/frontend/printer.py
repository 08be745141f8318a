"""Syntax trees -> Bend text in the fun syntax (`bend parse`), which parses back to the same tree.

In:  a Book (or a single term, pattern or type).
Out: text. Terms are printed on one line each (rules, one per line); objects and native `hvm`
     definitions keep their own forms, which are valid in any file. Numbers print as literals
     that lex back to the same word: u24 `42`, i24 `+42` / `-42`, f24 `1.5` / `-1.5` (always
     with a `.`, never with an exponent, which Bend does not read).
"""

from __future__ import annotations

import math
import unicodedata

from bend import ast
from bend.deep import deep
from hvm import numbers

ESCAPES = {"\n": "\\n", "\r": "\\r", "\t": "\\t", "\0": "\\0", '"': '\\"', "\\": "\\\\"}


def show_number(numb: int) -> str:
    tag = numbers.tag_of(numb)
    if tag == numbers.U24:
        return str(numbers.payload_of(numb))
    if tag == numbers.I24:
        return f"{numbers.get_i24(numb):+d}"
    if tag == numbers.F24:
        value = numbers.get_f24(numb)
        if math.isinf(value):  # a literal too large for f24 reads back as infinity
            return ("-" if value < 0 else "") + "1" + "0" * 39 + ".0"
        if value != value:
            return "+NaN"  # no literal makes a NaN
        text = numbers.format_f24(numb)
        if "e" in text:  # spell the exponent out: Bend literals have none
            mantissa, exponent = text.split("e")
            text = _positional(mantissa, int(exponent))
        return text
    return numbers.format_numb(numb)


def _positional(mantissa: str, exponent: int) -> str:
    sign = "-" if mantissa.startswith("-") else ""
    whole, _, frac = mantissa.lstrip("-").partition(".")
    digits = whole + frac.rstrip("0")
    point = len(whole) + exponent
    if point <= 0:
        return f"{sign}0.{'0' * -point}{digits}"
    if point >= len(digits):
        return f"{sign}{digits}{'0' * (point - len(digits))}.0"
    return f"{sign}{digits[:point]}.{digits[point:]}"


# what Bend (Rust's `{:?}` of a string) writes as `\u{hex}`: control, format, private, unassigned,
# separators other than the space, and combining marks (which would join the character before)
UNPRINTABLE = {"Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp", "Zs", "Mn", "Me"}


def show_string(text: str) -> str:
    out = []
    for c in text:
        if c in ESCAPES:
            out.append(ESCAPES[c])
        elif c != " " and unicodedata.category(c) in UNPRINTABLE:
            out.append(f"\\u{{{ord(c):x}}}")
        else:
            out.append(c)
    return '"' + "".join(out) + '"'


# -- terms


def show_term(t) -> str:
    cls = type(t)
    if cls is ast.Var:
        return t.name
    if cls is ast.Num:
        return show_number(t.numb)
    if cls is ast.App:
        fun, args = t, []
        while type(fun) is ast.App:
            args.append(fun.arg)
            fun = fun.fun
        head = "(*)" if type(fun) is ast.Era else show_term(fun)  # `(* x)` would be a multiplication
        return "(" + " ".join([head, *(show_term(x) for x in reversed(args))]) + ")"
    if cls is ast.Lam:
        return f"λ{show_binder(t.pattern)} {show_term(t.body)}"
    if cls is ast.Oper:
        return f"({t.op} {show_term(t.left)} {show_term(t.right)})"
    if cls is ast.Let:
        return f"let {show_binder(t.pattern)} = {show_term(t.value)}; {show_term(t.body)}"
    if cls is ast.Str:
        return show_string(t.text)
    if cls is ast.Era:
        return "*"
    if cls is ast.Link:
        return f"${t.name}"
    if cls is ast.List:
        return "[" + ", ".join(show_term(x) for x in t.items) + "]"
    if cls is ast.Tuple:
        return "(" + ", ".join(show_term(x) for x in t.items) + ")"
    if cls is ast.Sup:
        return "{" + " ".join(show_term(x) for x in t.items) + "}"
    if cls is ast.Use:
        return f"use {t.name} = {show_term(t.value)}; {show_term(t.body)}"
    if cls is ast.Ask:
        return f"ask {show_binder(t.pattern)} = {show_term(t.value)}; {show_term(t.body)}"
    if cls is ast.With:
        return f"with {t.typ} {{ {show_term(t.body)} }}"
    if cls is ast.If:
        return f"if {show_term(t.cond)} {{ {show_term(t.then)} }} else {{ {show_term(t.otherwise)} }}"
    if cls is ast.Match or cls is ast.Fold:
        word = "match" if cls is ast.Match else "fold"
        arms = "; ".join(f"{' '.join([arm.pattern, *(arm.binds or [])])}: {show_term(arm.body)}" for arm in t.arms)
        return f"{word} {show_header(t)} {{ {arms} }}"
    if cls is ast.Switch:
        default = "_" if t.pred is None else f"_ {t.pred}"  # (a desugared switch names its predecessor)
        cases = [f"{i}: {show_term(arm)}" for i, arm in enumerate(t.arms[:-1])] + [f"{default}: {show_term(t.arms[-1])}"]
        return f"switch {show_header(t)} {{ {'; '.join(cases)} }}"
    if cls is ast.Bend:
        binds = ", ".join(name if init is None else f"{name} = {show_term(init)}" for name, init in t.binds)
        return f"bend {binds} {{ when {show_term(t.cond)}: {show_term(t.step)}; else: {show_term(t.base)} }}"
    if cls is ast.Open:
        return f"open {t.typ} {t.var}; {show_term(t.body)}"
    if cls is ast.LocalDef:
        return "def " + show_definition(t.definition) + "\n" + show_term(t.body)
    if cls is ast.TreeNode:
        return f"![{show_term(t.left)} {show_term(t.right)}]"
    if cls is ast.TreeLeaf:
        return f"!{show_term(t.value)}"
    if cls is ast.Ref:
        return t.name
    if cls is ast.Swi:
        return f"switch {show_term(t.scrutinee)} {{ 0: {show_term(t.zero)}; _: {show_term(t.succ)} }}"
    if cls is ast.Call:
        raise ValueError("named arguments are put in order before printing (bend.frontend.named_args)")
    raise TypeError(f"not a term: {t!r}")


def show_header(t) -> str:
    """`x`, `x = e`, then ` with a, b = v`."""
    text = show_term(t.scrutinee) if t.bind is None else f"{t.bind} = {show_term(t.scrutinee)}"
    if t.with_:
        text += " with " + ", ".join(name if value is None else f"{name} = {show_term(value)}"
                                     for name, value in t.with_)
    return text


# -- patterns


def show_binder(p) -> str:
    cls = type(p)
    if cls is ast.PVar:
        return p.name
    if cls is ast.PEra:
        return "*"
    if cls is ast.PLink:
        return f"${p.name}"
    if cls is ast.PTuple:
        return "(" + ", ".join(show_binder(x) for x in p.items) + ")"
    if cls is ast.PSup:
        return "{" + " ".join(show_binder(x) for x in p.items) + "}"
    return show_pattern(p)


def show_pattern(p) -> str:
    cls = type(p)
    if cls is ast.PCtr:
        return "(" + " ".join([p.name, *(show_pattern(x) for x in p.args)]) + ")"
    if cls is ast.PNum:
        return show_number(p.numb)
    if cls is ast.PStr:
        return show_string(p.text)
    if cls is ast.PList:
        return "[" + ", ".join(show_pattern(x) for x in p.items) + "]"
    if cls is ast.PTuple:
        return "(" + ", ".join(show_pattern(x) for x in p.items) + ")"
    if cls is ast.PSup:
        return "{" + " ".join(show_pattern(x) for x in p.items) + "}"
    return show_binder(p)


# -- types


def show_type(t, in_arrow_arg: bool = False) -> str:
    cls = type(t)
    if cls is ast.TCtr:
        if not t.args:
            return t.name
        return "(" + " ".join([t.name, *(show_type(a, True) for a in t.args)]) + ")"
    if cls is ast.TArrow:
        text = f"{show_type(t.arg, True)} -> {show_type(t.result)}"
        return f"({text})" if in_arrow_arg else text
    if cls is ast.TTuple:
        return "(" + ", ".join(show_type(x) for x in t.items) + ")"
    if cls is ast.TVar:
        return t.name
    if cls is ast.TAny:
        return "Any"
    if cls is ast.TNone:
        return "None"
    if cls is ast.THole:
        return "_"
    raise TypeError(f"not a type: {t!r}")


# -- top level


def show_definition(d: ast.Definition) -> str:
    lines = []
    prefix = "" if d.checked is None else ("checked " if d.checked else "unchecked ")
    if d.typ is not None:
        lines.append(f"{prefix}{d.name} : {show_type(d.typ)}")
        prefix = ""
    for rule in d.rules:
        head = d.name if not rule.patterns else "(" + " ".join([d.name, *(show_pattern(p) for p in rule.patterns)]) + ")"
        lines.append(f"{prefix}{head} = {show_term(rule.body)}")
        prefix = ""
    return "\n".join(lines)


def show_adt(adt: ast.Adt) -> str:
    if adt.is_object:
        params = f"({', '.join(adt.params)})" if adt.params else ""
        fields = ", ".join(show_imp_field(f) for f in adt.ctors[0].fields)
        return f"object {adt.name}{params} {{ {fields} }}"
    head = adt.name if not adt.params else "(" + " ".join([adt.name, *adt.params]) + ")"
    ctors = " | ".join(show_ctor(adt.name, c) for c in adt.ctors)
    return f"type {head} = {ctors}"


def show_ctor(type_name: str, c: ast.Ctor) -> str:
    name = c.name.removeprefix(type_name + "/")
    if not c.fields:
        return name
    fields = []
    for f in c.fields:
        text = f.name if f.typ is None else f"({f.name}: {show_type(f.typ)})"
        fields.append(("~" if f.recursive else "") + text)
    return "(" + " ".join([name, *fields]) + ")"


def show_imp_field(f: ast.Field) -> str:
    return ("~" if f.recursive else "") + f.name + ("" if f.typ is None else f": {show_type(f.typ)}")


def show_hvm(h: ast.HvmDef) -> str:
    typ = "" if h.typ is None else f" -> {show_type(h.typ)}"
    return f"hvm {h.name}{typ}:\n  {h.net_text}"


def show_import(imp: ast.Import) -> str:
    if imp.names is None:
        return f"import {imp.path}" + (f" as {imp.alias}" if imp.alias else "")
    names = ", ".join(n if alias is None else f"{n} as {alias}" for n, alias in imp.names)
    return f"from {imp.path} import {names}"


def show_book(book: ast.Book) -> str:
    """Every item of the book, in the order: imports, types, definitions, native definitions."""
    return deep(_show_book, book)


def _show_book(book: ast.Book) -> str:
    items = [show_import(i) for i in book.imports]
    items += [show_adt(a) for a in book.adts.values()]
    items += [show_definition(d) for d in book.defs.values()]
    items += [show_hvm(h) for h in book.hvm_defs.values()]
    return "\n\n".join(items) + "\n"
