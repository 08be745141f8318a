"""Python values as HVM2 trees in the encoding the compiler gives data, and result trees back
as Python values (the Python API's conversions, bend.api).

In:  a program's data types (its `type`s and `object`s, the prelude's included) and Python
     values: int, float, str, list, tuple, dict with int keys, bool (where the program has a
     Bool type), the dataclasses made here for the program's constructors, bend.Term.
Out: trees for a starting net (`& @f ~ (arg1 (arg2 r))`), and Python values for result trees.

Data under num-scott (the compiler's default encoding, bend.desugar.encode_adts) is
`λk (k T/C/tag f1 ... fn)`, which is this tree once built:

    Cons(1, Nil)  ==>  ((@List/Cons/tag (1 (((@List/Nil/tag b) b) a))) a)

so arguments are written as such trees (no interaction is spent building them; a long string
or list of numbers is a hvm.book.Chain instead, a few interactions an item), and a result tree
of that shape is read back as the constructor's value: String as str, List as list, Map as
dict (the binary trie keyed by u24 that Map/set builds), Bool as bool, any other type as an
instance of the frozen dataclass made for its constructor (`type_class`). A tree with no such
form (a function, a partial application, a number with an operator) becomes a bend.api.Term.

Both directions walk with an explicit stack: a list of a million items, or a tree 100,000
constructors deep, converts without Python's recursion limit.
"""

from __future__ import annotations

import dataclasses
import gc
import keyword
import math
import sys
from array import array
from contextlib import contextmanager
from dataclasses import dataclass, field

from bend import ast
from hvm import numbers
from hvm.book import Chain, Net, Node, Num, Ref, Tag, Tree, Var, closed

U24_MAX = (1 << 24) - 1
I24_MIN, I24_MAX = -(1 << 23), (1 << 23) - 1
CON = Tag.CON
NUMBER_TYPES = ("u24", "i24", "f24")


# -- a class per type, a frozen dataclass per constructor


class Data:
    """The base of every class made for a Bend type (`isinstance(v, bend.Data)`)."""

    __slots__ = ()
    _bend_type: str = ""


_classes: dict[tuple, type] = {}  # a type's signature -> its class (one class for one shape)


def signature(adt: ast.Adt) -> tuple:
    return (adt.name, adt.is_object, tuple((c.name, tuple(f.name for f in c.fields)) for c in adt.ctors))


def attribute_name(name: str) -> str:
    """A Bend name (a field's, a constructor's last part) as a Python identifier: `None` is
    `None_`, other characters Python does not take in names become `_`."""
    text = "".join(c if c.isalnum() or c == "_" else "_" for c in name) or "_"
    if text[0].isdigit():
        text = "_" + text
    return text + "_" if keyword.iskeyword(text) else text


def type_class(adt: ast.Adt) -> type:
    """The class of a Bend type: for a `type`, a base class holding one frozen dataclass per
    constructor (`Tree.Node`, `Tree.Leaf`, subclasses of `Tree`); for an `object`, the dataclass
    itself. Types of the same name and shape share the class, in every program."""
    key = signature(adt)
    cls = _classes.get(key)
    if cls is not None:
        return cls
    qualname = adt.name.replace("/", ".")
    if adt.is_object and len(adt.ctors) == 1:
        cls = ctor_class(adt.ctors[0], adt.name, qualname, Data)
    else:
        cls = type(qualname.rsplit(".", 1)[-1], (Data,), {"__slots__": (), "_bend_type": adt.name,
                                                          "__module__": "bend"})
        cls.__qualname__ = qualname
        cls.__doc__ = f"The Bend type `{adt.name}`: " + ", ".join(c.name for c in adt.ctors) + "."
        for c in adt.ctors:
            short = c.name[len(adt.name) + 1:] if c.name.startswith(adt.name + "/") else c.name
            sub = ctor_class(c, adt.name, f"{qualname}.{short.replace('/', '.')}", cls)
            setattr(cls, attribute_name(short), sub)
            if attribute_name(short) != short:  # (`getattr(Maybe, "None")` as well as `Maybe.None_`)
                setattr(cls, short, sub)
    _classes[key] = cls
    return cls


def ctor_class(ctor: ast.Ctor, adt_name: str, qualname: str, base: type) -> type:
    names = [attribute_name(f.name) for f in ctor.fields]
    cls = dataclasses.make_dataclass(qualname.rsplit(".", 1)[-1], names, bases=(base,), frozen=True,
                                     namespace={"_bend_name": ctor.name, "_bend_type": adt_name,
                                                "_bend_fields": tuple(f.name for f in ctor.fields)})
    cls.__qualname__ = qualname
    cls.__module__ = "bend"
    cls.__doc__ = f"`{ctor.name}`" + (" { " + ", ".join(f.name for f in ctor.fields) + " }" if ctor.fields else "")
    return cls


def prelude_class(name: str, ctors: list[tuple[str, list[str]]]) -> type:
    """The class of a prelude type, before any program is compiled (bend.Maybe, ...)."""
    adt = ast.Adt(name, [], [ast.Ctor(f"{name}/{c}", [ast.Field(f, False) for f in fs]) for c, fs in ctors])
    return type_class(adt)


# The prelude's types (stdlib/prelude/builtins.bend): a program's Maybe is bend.Maybe, and so on.
Maybe = prelude_class("Maybe", [("Some", ["value"]), ("None", [])])
Result = prelude_class("Result", [("Ok", ["val"]), ("Err", ["val"])])
Nat = prelude_class("Nat", [("Succ", ["pred"]), ("Zero", [])])
Tree_ = prelude_class("Tree", [("Node", ["left", "right"]), ("Leaf", ["value"])])


@dataclass
class CtorInfo:
    name: str  # canonical: `Tree/Node`
    adt: ast.Adt
    index: int  # its tag
    fields: list  # [ast.Field]
    kind: str  # "data" (a dataclass), "str", "list", "map", "bool"
    cls: type | None = None

    def __post_init__(self):
        self.tag = f"{self.name}/tag"  # the definition of its number
        self.ref = Ref(self.tag)


@dataclass
class DataTypes:
    """What the conversions know of a program's types."""

    ctors: dict = field(default_factory=dict)  # constructor name -> CtorInfo
    by_tag: dict = field(default_factory=dict)  # `T/C/tag` -> CtorInfo
    classes: dict = field(default_factory=dict)  # type name -> its class (not String, List, Map, Bool)
    adts: dict = field(default_factory=dict)  # type name -> ast.Adt
    bool_ctors: tuple | None = None  # (False's CtorInfo, True's) where the program has a Bool type
    _known: dict | None = field(default=None, repr=False)

    @classmethod
    def of(cls, adts: dict) -> "DataTypes":
        types = cls(adts=dict(adts))
        for adt in adts.values():
            kind = {"String": "str", "List": "list", "Map": "map"}.get(adt.name, "data")
            if kind == "data" and is_bool(adt):
                kind = "bool"
            klass = type_class(adt) if kind == "data" else None
            if klass is not None:
                types.classes[adt.name] = klass
            for i, c in enumerate(adt.ctors):
                sub = klass if adt.is_object and len(adt.ctors) == 1 else None
                if klass is not None and sub is None:
                    short = c.name[len(adt.name) + 1:]
                    sub = klass.__dict__.get(attribute_name(short))
                info = CtorInfo(c.name, adt, i, list(c.fields), kind, sub)
                types.ctors[c.name] = info
                types.by_tag[info.tag] = info
            if kind == "bool":
                false, true = sorted((types.ctors[c.name] for c in adt.ctors), key=lambda i: i.name.endswith("True"))
                types.bool_ctors = (false, true)
        return types


    def norm(self, t):
        """A declared type as the conversions check it: None where anything goes (Any, a type
        variable: an unknown name such as `T`)."""
        cls = type(t)
        if cls is ast.TCtr:
            return t if t.name in NUMBER_TYPES or t.name in self.adts else None
        return t if cls in (ast.TTuple, ast.TArrow) else None

    def known(self) -> dict:
        """A dataclass of the program's -> (its CtorInfo, its fields' attribute names, their
        types where the value's own type is not declared: the common case), made once."""
        if self._known is None:
            self._known = {}
            for info in self.ctors.values():
                if info.kind == "data" and info.cls is not None:
                    env = dict.fromkeys(info.adt.params)
                    self._known[info.cls] = (info, tuple(attribute_name(f.name) for f in info.fields),
                                             tuple(self.norm(substitute(f.typ, env)) for f in info.fields))
        return self._known


def is_bool(adt: ast.Adt) -> bool:
    """A type named Bool whose constructors are True and False, neither with fields."""
    shorts = {c.name[len(adt.name) + 1:] for c in adt.ctors if not c.fields}
    return adt.name.rsplit("/", 1)[-1] == "Bool" and len(adt.ctors) == 2 and shorts == {"True", "False"}


# -- Python values to trees


class Encoder:
    """Builds the trees of Python values for one starting net (its wire names are unique in it).
    `term_tree(term)`: the tree of a bend.api.Term passed back, or None when it cannot be."""

    CHAIN = 32  # a string or list of numbers this long is a Chain (hvm.book): laid out at once

    def __init__(self, types: DataTypes, term_tree=None, chains: bool = False, too_long=None):
        self.types, self.term_tree = types, term_tree
        # `too_long(where, length, kind)`: None where a string, list, tuple or dict of `length`
        # fits the run, else the exception to raise (checked before it is built: see bend.runner)
        self.too_long = too_long
        self.wires = 0
        # the long literals' chains, for the net these trees go in (None: written out as trees);
        # they call the constructors' definitions (`ctor_net`), so the book must have them
        self.chains: list[Chain] | None = [] if chains else None
        self.known = types.known()

    def ctor(self, info: CtorInfo, fields) -> Tree:
        """((@T/C/tag (f1 ... (fn r))) r)"""
        self.wires += 1
        r = Var(f"w{self.wires}")
        inner: Tree = r
        for f in reversed(fields):
            inner = Node(CON, f, inner)
        return Node(CON, Node(CON, info.ref, inner), r)

    def need(self, name: str) -> CtorInfo:
        info = self.types.ctors.get(name)
        if info is None:
            raise ValueError(f"this program has no `{name}` (its type is not defined here)")
        return info

    def tree(self, value, typ=None, where: str = "the argument") -> Tree:
        """The tree of `value`; `typ` (a bend.ast type, or None) is what the definition's signature
        says it is: it picks i24 or f24 for an int, and is checked. ValueError for a value with
        no Bend form, TypeError for one that is not of the declared type."""
        with no_gc():
            return self._tree(value, typ, where)

    def _tree(self, value, typ, where: str) -> Tree:
        out: list[Tree] = []
        stack: list = [(VISIT, value, typ)]
        ctor, known = self.ctor, self.known
        while stack:
            op, x, t = stack.pop()
            if op is BUILD_CTOR:  # x: its CtorInfo, t: how many fields
                if t:
                    parts = out[-t:]
                    del out[-t:]
                    out.append(ctor(x, parts))
                else:
                    out.append(ctor(x, ()))
                continue
            if op is BUILD:  # x: a function of the parts, t: how many
                parts = out[len(out) - t:]
                del out[len(out) - t:]
                out.append(x(parts))
                continue
            if t is not None:
                t = self.norm(t)
            cls = type(x)
            if self.too_long is not None and cls in SIZED:
                error = self.too_long(where, len(x), SIZED[cls])
                if error is not None:
                    raise error
            entry = known.get(cls)
            if entry is not None and t is not None and not (type(t) is ast.TCtr and t.name == entry[0].adt.name
                                                            and not any(t.args)):
                entry = None  # (its parameters' types are declared: see data)
            if entry is not None:  # a dataclass of this program's, its type not declared here
                info, names, field_types = entry
                stack.append((BUILD_CTOR, info, len(names)))
                if names:
                    d = x.__dict__
                    stack.extend([(VISIT, d[n], ft) for n, ft in zip(reversed(names), reversed(field_types))])
            elif isinstance(x, Data) or cls is _Ctor:
                info, values, field_types = self.data(x, t, where)
                stack.append((BUILD_CTOR, info, len(values)))
                stack.extend([(VISIT, v, ft) for v, ft in zip(reversed(values), reversed(field_types))])
            elif cls is int and t is None and 0 <= x <= U24_MAX:
                out.append(Num(numbers.new_u24(x)))
            elif isinstance(x, bool):
                if t is not None and not (type(t) is ast.TCtr and self.types.bool_ctors
                                          and t.name == self.types.bool_ctors[0].adt.name):
                    raise wrong_type(x, t, where)
                if self.types.bool_ctors is None:
                    raise ValueError(f"a bool has no Bend value in this program ({where}): pass 1 or 0 (Bend's "
                                     "conditions are numbers), or import a Bool type (`from stdlib/bool import *`)")
                out.append(ctor(self.types.bool_ctors[x], ()))
            elif isinstance(x, int):
                out.append(Num(number(x, t, where)))
            elif isinstance(x, float):
                if t is not None and not (type(t) is ast.TCtr and t.name == "f24"):
                    raise wrong_type(x, t, where)
                out.append(Num(f24(x, where)))
            elif isinstance(x, str):
                if t is not None and not (type(t) is ast.TCtr and t.name == "String"):
                    raise wrong_type(x, t, where)
                out.append(self.string(x))
            elif isinstance(x, list):
                item_type = self.argument_type(t, "List", x, where)
                numbs = self.numbers(x, item_type, where) if self.chains is not None and len(x) >= self.CHAIN else None
                if numbs is not None:
                    out.append(self.chain("List", numbs))
                    continue
                stack.append((BUILD, self.list_of, len(x)))
                stack.extend([(VISIT, v, item_type) for v in reversed(x)])
            elif isinstance(x, tuple):
                if len(x) < 2:
                    raise ValueError(f"a Bend tuple has at least two items ({where} is {x!r})")
                if t is not None and (type(t) is not ast.TTuple or len(t.items) != len(x)):
                    raise wrong_type(x, t, where)
                stack.append((BUILD, pairs, len(x)))
                stack.extend(reversed([(VISIT, v, ft) for v, ft in zip(x, t.items if t is not None else [None] * len(x))]))
            elif isinstance(x, dict):
                stack.append((VISIT, map_trie(x, self.argument_type(t, "Map", x, where), where), None))
            elif x is None:
                raise ValueError(f"None has no Bend value ({where}): for an optional value pass "
                                 "bend.Maybe.Some(x) or bend.Maybe.None_()")
            else:
                passed = self.term_tree(x) if self.term_tree is not None else None
                if passed is None:
                    raise ValueError(f"a {type(x).__name__} has no Bend value ({where}): pass int, float, str, "
                                     "list, tuple, dict (int keys), or a constructor of the program's types")
                out.append(passed)
        return out[0]

    def norm(self, t):
        return self.types.norm(t)

    def list_of(self, parts: list) -> Tree:
        cons, nil, ctor = self.need("List/Cons"), self.need("List/Nil"), self.ctor
        tail = ctor(nil, ())
        for head in reversed(parts):
            tail = ctor(cons, (head, tail))
        return tail

    def argument_type(self, t, name: str, x, where: str):
        """The item type of a List (or value type of a Map) where `t` is one (None: any)."""
        if t is None:
            return None
        if type(t) is ast.TCtr and t.name == name:
            return t.args[0] if t.args else None
        raise wrong_type(x, t, where)

    def data(self, x, t, where: str):
        """A constructor value: (its CtorInfo, its fields' values, the fields' types)."""
        if type(x) is _Ctor:
            info, values = self.need(x.name), x.values
            field_types = x.types
        else:
            name = type(x)._bend_name
            info = self.types.ctors.get(name)
            if info is None or info.kind != "data" or len(info.fields) != len(type(x)._bend_fields):
                raise ValueError(f"a {type(x).__qualname__} has no Bend value in this program: it has no "
                                 f"constructor `{name}` with fields {', '.join(type(x)._bend_fields) or '(none)'}")
            values = [getattr(x, n) for n in self.known[info.cls][1]]
            field_types = None
        if t is not None and (type(t) is not ast.TCtr or t.name != info.adt.name):
            raise wrong_type(x, t, where)
        if field_types is None:
            env = dict.fromkeys(info.adt.params)
            if type(t) is ast.TCtr and len(t.args) == len(info.adt.params):
                env.update(zip(info.adt.params, t.args))
            field_types = [substitute(f.typ, env) for f in info.fields]
        return info, values, field_types

    def numbers(self, items: list, t, where: str) -> array | None:
        """The number words of a list of numbers (None if an item is not a number)."""
        kind = t.name if type(t) is ast.TCtr and t.name in NUMBER_TYPES else None
        if t is not None and kind is None:
            return None
        words = array("I")
        for x in items:
            cls = type(x)
            if cls is int and kind is None and 0 <= x <= U24_MAX:
                words.append(numbers.new_u24(x))
            elif cls is int and kind != "f24":
                words.append(number(x, t, where))
            elif cls is float or (cls is int and kind == "f24"):
                if kind not in (None, "f24"):
                    raise wrong_type(x, t, where)
                words.append(f24(float(x), where))
            else:
                return None
        return words

    def chain(self, type_name: str, numbs: array) -> Var:
        self.wires += 1
        head = Var(f"w{self.wires}")
        self.chains.append(Chain(f"{type_name}/Cons", f"{type_name}/Nil", numbs, head))
        return head

    def string(self, text: str) -> Tree:
        if self.chains is not None and len(text) >= self.CHAIN:
            return self.chain("String", u24_words(text))
        cons, nil, ctor, new_u24 = self.need("String/Cons"), self.need("String/Nil"), self.ctor, numbers.new_u24
        tail = ctor(nil, ())
        for c in reversed(text):
            tail = ctor(cons, (Num(new_u24(ord(c))), tail))
        return tail


def u24_words(text: str) -> array:
    """The u24 number words of the characters of `text`, made in bulk: its UTF-32 code units as
    one Python int, shifted and tagged at once (a list of a word per character would take ten
    times the memory and time)."""
    if sys.byteorder != "little" or not text:
        return array("I", [numbers.new_u24(ord(c)) for c in text])
    n, tag = len(text), numbers.new_u24(0)
    shift = (numbers.new_u24(1) ^ tag).bit_length() - 1  # (where a number word's payload starts)
    value = int.from_bytes(text.encode("utf-32-le", "surrogatepass"), "little") << shift
    value |= int.from_bytes(tag.to_bytes(4, "little") * n, "little")
    words = array("I")
    words.frombytes(value.to_bytes(4 * n, "little"))
    return words


VISIT, BUILD, BUILD_CTOR = "visit", "build", "ctor"  # what the conversions' stacks hold
SIZED = {str: "string", list: "list", tuple: "tuple", dict: "dict"}  # what the run's memory bounds the length of


@contextmanager
def no_gc():
    """Python's cycle collector off while a conversion makes its objects (they hold no cycles):
    its passes over a growing heap would make a million of them take quadratic time."""
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()


@dataclass
class _Build:
    """On the decoder's stack: make a value of the last `count` values made."""

    count: int
    make: object


def ctor_net(info: CtorInfo) -> Net:
    """The net of a constructor's definition: `@T/C = (f1 ... (fn ((@T/C/tag (f1 ... (fn r))) r)))`."""
    fields = [Var(f"f{i}") for i in range(len(info.fields))]
    r = Var("r")
    inner: Tree = r
    for f in reversed(fields):
        inner = Node(CON, f, inner)
    t: Tree = Node(CON, Node(CON, info.ref, inner), r)
    for f in reversed(fields):
        t = Node(CON, f, t)
    return Net(t)


@dataclass
class _Ctor:
    """A constructor value the conversion makes itself (a Map's nodes, Maybe values in them)."""

    name: str
    values: list
    types: list


def pairs(parts: list) -> Tree:
    """(a, b, c) as right-nested pairs: (a (b c))."""
    t = parts[-1]
    for p in reversed(parts[:-1]):
        t = Node(CON, p, t)
    return t


def map_trie(d: dict, value_type, where: str) -> _Ctor:
    """A dict as Map/set would build it: key 0 at the node, an even key k in the left
    subtree as k/2, an odd one in the right as k/2 (rounded down)."""
    root: list = [None, None, None]  # [the value (a 1-tuple) or None, left, right]
    for key, value in d.items():
        if isinstance(key, bool) or not isinstance(key, int) or not 0 <= key <= U24_MAX:
            raise ValueError(f"a Map's keys are u24 numbers (0 to {U24_MAX}): {key!r} is not one ({where})")
        node = root
        while key:
            side = 1 if key % 2 == 0 else 2
            if node[side] is None:
                node[side] = [None, None, None]
            node = node[side]
            key //= 2
        node[0] = (value,)

    def convert(node):  # (depth at most 25: the bits of a u24)
        if node is None:
            return _Ctor("Map/Leaf", [], [])
        value = _Ctor("Maybe/None", [], []) if node[0] is None else _Ctor("Maybe/Some", [node[0][0]], [value_type])
        return _Ctor("Map/Node", [value, convert(node[1]), convert(node[2])], [None, None, None])

    return convert(root)


def number(x: int, t, where: str) -> int:
    kind = t.name if type(t) is ast.TCtr and t.name in ("u24", "i24", "f24") else None
    if t is not None and kind is None:
        raise wrong_type(x, t, where)
    if kind == "f24":
        return f24(float(x), where)
    if kind == "u24" or (kind is None and x >= 0):
        if 0 <= x <= U24_MAX:
            return numbers.new_u24(x)
        if kind is None:
            raise ValueError(f"{x} is out of range ({where}): Bend numbers are u24 (0 to {U24_MAX}) or, when "
                             f"negative, i24 ({I24_MIN} to -1)")
        raise ValueError(f"{x} is out of range for u24 ({where}): 0 to {U24_MAX}")
    if I24_MIN <= x <= (I24_MAX if kind == "i24" else -1):
        return numbers.new_i24(x)
    if kind is None:
        raise ValueError(f"{x} is out of range ({where}): Bend numbers are u24 (0 to {U24_MAX}) or, when "
                         f"negative, i24 ({I24_MIN} to -1)")
    raise ValueError(f"{x} is out of range for i24 ({where}): {I24_MIN} to {I24_MAX}")


def f24(x: float, where: str) -> int:
    if not math.isfinite(x):
        raise ValueError(f"{x} has no Bend value ({where}): f24 numbers are finite")
    n = numbers.new_f24(x)
    if not math.isfinite(numbers.get_f24(n)):
        raise ValueError(f"{x} is out of range for f24 ({where}): at most about ±3.4e38")
    return n


def plain_type(t):
    """A declared type as the conversion uses it: None where anything goes."""
    if t is None or type(t) in (ast.TAny, ast.TVar, ast.THole):
        return None
    return t


def substitute(t, env: dict):
    """A field's type with the type's parameters replaced (small trees: recursion is fine)."""
    if t is None:
        return None
    if type(t) is ast.TVar:
        return env.get(t.name)
    if type(t) is ast.TCtr:
        if t.name in env and not t.args:  # (a type's parameters are written as names)
            return env[t.name]
        return ast.TCtr(t.name, [substitute(a, env) for a in t.args])
    if type(t) is ast.TTuple:
        return ast.TTuple([substitute(a, env) for a in t.items])
    return t


def show_type(t) -> str:
    if type(t) is ast.TCtr:
        return t.name + (f"({', '.join(show_type(a) if a is not None else 'Any' for a in t.args)})" if t.args else "")
    if type(t) is ast.TTuple:
        return "(" + ", ".join(show_type(a) if a is not None else "Any" for a in t.items) + ")"
    if type(t) is ast.TArrow:
        return f"{show_type(t.arg)} -> {show_type(t.result)}"
    return "Any"


def wrong_type(x, t, where: str) -> TypeError:
    shown = repr(x) if len(repr(x)) < 40 else repr(x)[:37] + "..."
    return TypeError(f"{where} should be {show_type(t)}, not {type(x).__name__} {shown}")


# -- result trees to Python values


class NotData(Exception):
    """Part of a result is neither data nor a closed term of its own (it shares wires with the
    rest): the caller reads the whole result back as a term instead."""


class Decoder:
    """Reads result trees as Python values. `defs`: the book's definitions (a reference to a
    generated definition that is a plain tree is read through); `make_term(tree)`: the
    bend.api.Term of a closed tree that is not data; `compute(name)`: the result tree of a
    definition with no parameters that a result refers to (a constant the runtime left as a
    reference, as it leaves every reference it does not meet), or None."""

    EXPANSIONS = 100_000  # references read through in one result, at most (a cycle ends there)
    COMPUTED = 100  # constants computed for one result, at most (`ones = [1, ..ones]` ends there)

    def __init__(self, types: DataTypes, defs: dict, make_term, compute=None):
        self.types, self.defs, self.make_term, self.compute = types, defs, make_term, compute
        self.budget = self.computed = 0

    def result(self, tree: Tree):
        """The Python value of a run's result: an IO program's `IO/Done` gives its value."""
        self.budget, self.computed = self.EXPANSIONS, self.COMPUTED
        found = self.match(self.deref(tree))
        if found is not None and found[0].name == "IO/Done":
            tree = found[1][1]
        with no_gc():
            return self.value(tree)

    def value(self, tree: Tree):
        out: list = []
        stack: list = [tree]
        while stack:
            t = stack.pop()
            if type(t) is _Build:
                n = t.count
                parts = out[len(out) - n:] if n else []
                del out[len(out) - n:]
                out.append(t.make(parts))
                continue
            t = self.deref(t)
            cls = type(t)
            if cls is Num:
                out.append(self.number(t))
                continue
            if cls is Ref:
                info = self.types.ctors.get(t.name)
                if info is not None and not info.fields:
                    t = self.ctor_tree(info)
                else:
                    computed = self.compute(t.name) if self.compute is not None and self.computed > 0 else None
                    if computed is not None:
                        self.computed -= 1
                        stack.append(rename_wires(computed, f"<{self.computed}>"))
                    else:
                        out.append(self.make_term(t))
                    continue
            found = self.match(t)
            if found is not None:
                info, fields = found
                kind = info.kind
                if kind == "data":
                    stack.append(_Build(len(fields), lambda parts, c=info.cls: c(*parts)))
                    stack.extend(reversed(fields))
                    continue
                if kind == "bool":
                    out.append(info is self.types.bool_ctors[1])
                    continue
                if kind == "str":
                    text = self.string(t)
                    if text is not None:
                        out.append(text)
                        continue
                elif kind == "list":
                    heads = self.items(t)
                    if heads is not None:
                        stack.append(_Build(len(heads), list))
                        stack.extend(reversed(heads))
                        continue
                elif kind == "map":
                    entries = self.map_entries(t)
                    if entries is not None:
                        entries.sort(key=lambda e: e[0])
                        keys = [k for k, _ in entries]
                        stack.append(_Build(len(keys), lambda parts, keys=keys: dict(zip(keys, parts))))
                        stack.extend(reversed([v for _, v in entries]))
                        continue
            elif cls is Node and t.tag == CON and self.is_pair(t):
                items = [t.fst]
                rest = self.deref(t.snd)
                while type(rest) is Node and rest.tag == CON and self.match(rest) is None and self.is_pair(rest):
                    items.append(rest.fst)
                    rest = self.deref(rest.snd)
                items.append(rest)
                stack.append(_Build(len(items), tuple))
                stack.extend(reversed(items))
                continue
            if not closed(t):
                raise NotData()
            out.append(self.make_term(t))
        return out[0]

    def deref(self, t: Tree) -> Tree:
        """`t`, or what a reference to a generated definition that is a plain tree stands for."""
        while type(t) is Ref and "__" in t.name and self.budget > 0:
            d = self.defs.get(t.name)
            if d is None or d.net.redexes or d.net.chains:
                break
            self.budget -= 1
            t = d.net.root
        return t

    def number(self, t: Num):
        value = numbers.python_value(t.numb)
        return self.make_term(t) if value is None else value

    def ctor_tree(self, info: CtorInfo) -> Tree:
        r = Var("<r>")
        return Node(CON, Node(CON, Ref(info.tag), r), r)

    def match(self, t: Tree):
        """(CtorInfo, field trees) for `((@T/C/tag (f1 ... (fn r))) r)`, or for a reference to a
        constructor with no fields; None for any other tree."""
        if type(t) is Ref:
            info = self.types.ctors.get(t.name)
            return (info, []) if info is not None and not info.fields else None
        if type(t) is not Node or t.tag != CON:
            return None
        k, r = t.fst, t.snd
        if type(r) is not Var or type(k) is not Node or k.tag != CON or type(k.fst) is not Ref:
            return None
        info = self.types.by_tag.get(k.fst.name)
        if info is None:
            return None
        fields = []
        rest = k.snd
        for _ in range(len(info.fields)):
            if type(rest) is not Node or rest.tag != CON:
                return None
            fields.append(rest.fst)
            rest = rest.snd
        if type(rest) is not Var or rest.name != r.name:
            return None
        return info, fields

    def chain(self, t: Tree, cons: str, nil: str):
        """The heads of a chain of `cons` cells ending in `nil`; None if it ends otherwise."""
        heads = []
        while True:
            found = self.match(self.deref(t))
            if found is None:
                return None
            info, fields = found
            if info.name == nil:
                return heads
            if info.name != cons:
                return None
            heads.append(fields[0])
            t = fields[1]

    def string(self, t: Tree) -> str | None:
        heads = self.chain(t, "String/Cons", "String/Nil")
        if heads is None:
            return None
        chars = []
        for h in heads:
            h = self.deref(h)
            if type(h) is not Num or numbers.tag_of(h.numb) != numbers.U24:
                return None
            chars.append(chr(numbers.payload_of(h.numb) % 0x110000))
        return "".join(chars)

    def items(self, t: Tree) -> list | None:
        return self.chain(t, "List/Cons", "List/Nil")

    def map_entries(self, t: Tree) -> list | None:
        """[(key, value tree)] of a Map: the value of a node reached by the steps b0, b1, ...
        (0 left, 1 right) is at key b0 + 2 b1 + 4 b2 + ... (Map/set's layout). None if the tree
        is not such a map, or holds a value no key reaches (a path ending in a left step)."""
        entries = []
        stack = [(t, 0, 0)]  # (tree, key so far, depth)
        while stack:
            node, key, depth = stack.pop()
            found = self.match(self.deref(node))
            if found is None:
                return None
            info, fields = found
            if info.name == "Map/Leaf":
                continue
            if info.name != "Map/Node":
                return None
            value = self.match(self.deref(fields[0]))
            if value is None or value[0].name not in ("Maybe/Some", "Maybe/None"):
                return None
            if value[0].name == "Maybe/Some":
                if depth and not (key >> (depth - 1)) & 1:  # (the last step was to the left)
                    return None
                entries.append((key, value[1][0]))
            stack.append((fields[2], key | (1 << depth), depth + 1))
            stack.append((fields[1], key, depth + 1))
        return entries

    def is_pair(self, t: Node) -> bool:
        """A CON node is a pair (not a lambda) when its first item is a closed term (as the
        readback says), not an eraser."""
        fst = t.fst
        if type(fst) in (Num, Ref):
            return True
        return type(fst) is Node and closed(fst)


def rename_wires(t: Tree, prefix: str) -> Tree:
    """`t` with each wire's name prefixed (to put a tree from one net into another)."""
    out: list[Tree] = []
    stack: list = [t]
    while stack:
        x = stack.pop()
        if type(x) is _Build:
            b, a = out.pop(), out.pop()
            out.append(Node(x.make, a, b))
        elif type(x) is Node:
            stack += [_Build(2, x.tag), x.snd, x.fst]
        elif type(x) is Var:
            out.append(Var(prefix + x.name))
        else:
            out.append(x)
    return out[0]
