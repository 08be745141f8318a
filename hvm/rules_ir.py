"""The interaction rules that the CPU and the GPU runtimes emit alike, as LLVM IR.

In:  a backend's emitter (hvm.llvm_cpu.runtime_ir.Emitter, hvm.cuda.kernel_ir.KernelEmitter),
     which subclasses RuleEmitter and provides the memory it works on.
Out: `hvm_eras`, `hvm_anni`, `hvm_comm`, `hvm_oper`, `hvm_swit` (env, tm, a, b) in its module,
     HVM2's rules (notes/hvm2-runtime.md §3) counted as hvm.reference counts them.

A subclass provides, with the same meaning on every backend:
    env_p, tm_p                     the types of a rule function's first two arguments
    count(b, tm, rule)              one more interaction of `rule`
    guard(b, env, tm, nodes, vars)  return from the rule now unless that much memory is ready
    alloc(kind)() -> index          a node or var ("node", "var") made ready by the guard
    new_node(b, env, tm, fst, snd)  a node holding two ports; its index
    take()(env, tm, i) -> pair      a node's two ports, freeing it (the redex owns it)
    enter()(env, tm, p) -> port     p after the vars whose other end already arrived
    link()(env, tm, a, b)           connect two ports (a redex, or through a var)
"""

from __future__ import annotations

from llvmlite import ir

from hvm.numbers import U24
from hvm.numbers_ir import define_operate
from hvm.ports import CON, ERA, NONE, NONE_WIDE, NUM, OPR, VAR
from hvm.rules import ANNI, COMM, ERAS, OPER, SWIT

I1, I8, I32, I64, I128 = ir.IntType(1), ir.IntType(8), ir.IntType(32), ir.IntType(64), ir.IntType(128)
VOIDT = ir.VoidType()


def c32(v: int) -> ir.Constant:
    return ir.Constant(I32, v & 0xFFFFFFFF)


def c64(v: int) -> ir.Constant:
    return ir.Constant(I64, v & 0xFFFFFFFFFFFFFFFF)


class RuleEmitter:
    """Plumbing and the shared rules; see the module docstring for what a subclass provides."""

    module: ir.Module

    # -- plumbing

    def function(self, name: str, ret, args: list, names: list[str], *, export: bool = False, inline: bool = False):
        """A new function and a builder at its entry, or (None, None) if the module has it already.

        `inline` marks the small helpers that must disappear into their callers.
        """
        if name in self.module.globals:
            return None, None
        fn = ir.Function(self.module, ir.FunctionType(ret, args), name)
        fn.linkage = "external" if export else "internal"
        if inline:
            fn.attributes.add("alwaysinline")
        fn.attributes.add("nounwind")
        for arg, n in zip(fn.args, names):
            arg.name = n
        return fn, ir.IRBuilder(fn.append_basic_block("entry"))

    def get(self, name: str) -> ir.Function:
        return self.module.globals[name]

    def declare(self, name, ret, args):
        if name in self.module.globals:
            return self.module.globals[name]
        return ir.Function(self.module, ir.FunctionType(ret, args), name)

    class counted_loop:
        """`with counted_loop(b, start, stop) as i:` emits `for i in range(start, stop)`."""

        def __init__(self, b, start, stop):
            self.b, self.start, self.stop = b, start, stop

        def __enter__(self):
            b = self.b
            self.before = b.block
            self.head = b.append_basic_block("for_head")
            self.body = b.append_basic_block("for_body")
            self.exit = b.append_basic_block("for_exit")
            b.branch(self.head)
            b.position_at_end(self.head)
            self.i = b.phi(self.start.type, "i")
            self.i.add_incoming(self.start, self.before)
            b.cbranch(b.icmp_unsigned("<", self.i, self.stop), self.body, self.exit)
            b.position_at_end(self.body)
            return self.i

        def __exit__(self, *exc):
            b = self.b
            nxt = b.add(self.i, ir.Constant(self.i.type, 1))
            self.i.add_incoming(nxt, b.block)
            b.branch(self.head)
            b.position_at_end(self.exit)
            return False

    # -- ports and pairs
    #
    # A port is an i32 (`val << 3 | tag`, 29-bit values, as in HVM2), or with `wide` an i64
    # (the 64-bit mode, for nets past 2^29 nodes: hvm.ports); a pair (a node, a redex) is two
    # ports, fst in the low half. Node and var indices stay i32 in both modes.

    wide = False

    @property
    def P(self) -> ir.IntType:
        """The port type."""
        return I64 if self.wide else I32

    @property
    def PAIR(self) -> ir.IntType:
        return I128 if self.wide else I64

    @property
    def none(self) -> ir.Constant:
        """A var no end has arrived at (hvm.ports.NONE, or all ones in the 64-bit mode)."""
        return self.cp(NONE_WIDE if self.wide else NONE)

    def cp(self, v: int) -> ir.Constant:
        """A port constant."""
        return ir.Constant(self.P, v)

    def widen(self, b, v):
        """An i32 (an index, a number word, a template's port) as a port-wide value."""
        return b.zext(v, self.P) if self.wide else v

    def tag(self, b, p):
        return b.and_(p, self.cp(7))

    def val(self, b, p):
        return b.lshr(p, self.cp(3))

    def index(self, b, p):
        """A node's or var's port: its index, an i32 (a number's port: its 29-bit word)."""
        v = self.val(b, p)
        return b.trunc(v, I32) if self.wide else v

    def port(self, b, tag, val):
        """A port from a tag (an int, or a port-wide value) and a value (i32 or port-wide)."""
        t = self.cp(tag) if isinstance(tag, int) else tag
        v = val if val.type == self.P else b.zext(val, self.P)
        return b.or_(b.shl(v, self.cp(3)), t)

    def pair(self, b, fst, snd):
        return b.or_(b.zext(fst, self.PAIR), b.shl(b.zext(snd, self.PAIR), ir.Constant(self.PAIR, self.P.width)))

    def fst(self, b, pair):
        return b.trunc(pair, self.P)

    def snd(self, b, pair):
        return b.trunc(b.lshr(pair, ir.Constant(self.PAIR, self.P.width)), self.P)

    @staticmethod
    def as_i64(b, v):
        """An index or port as an i64 (for addressing)."""
        return v if v.type == I64 else b.zext(v, I64)

    def relocate(self, b, p, nloc, vloc):
        """A definition's port as its copy's: VAR v -> VAR vloc[v], a node i -> the same tag at
        nloc[i], others as they are (`nloc`, `vloc`: i32 arrays of the slots the copy got)."""
        tag, val = self.tag(b, p), self.val(b, p)
        zero = self.cp(0)
        is_var = b.icmp_unsigned("==", tag, self.cp(VAR))
        is_node = b.icmp_unsigned(">=", tag, self.cp(CON))
        var_index = b.load(b.gep(vloc, [self.as_i64(b, b.select(is_var, val, zero))], inbounds=True))
        node_index = b.load(b.gep(nloc, [self.as_i64(b, b.select(is_node, val, zero))], inbounds=True))
        moved = self.port(b, tag, b.select(is_var, var_index, node_index))
        return b.select(b.or_(is_var, is_node), moved, p)

    # -- the rules (a has the smaller tag)

    def rule_fn(self, name: str):
        """A rule function `(env, tm, a, b)`: `a` has the smaller tag; inlined into its callers."""
        return self.function(name, VOIDT, [self.env_p, self.tm_p, self.P, self.P], ["env", "tm", "a", "b"], inline=True)

    def eras(self) -> ir.Function:
        # n ~ (b1 b2)  (n nullary)   ==>   n ~ b1,  n ~ b2
        fn, b = self.rule_fn("hvm_eras")
        if fn:
            env, tm, a, p = fn.args
            self.count(b, tm, ERAS)
            node = b.call(self.take(), [env, tm, self.index(b, p)])
            b.call(self.link(), [env, tm, a, self.fst(b, node)])
            b.call(self.link(), [env, tm, a, self.snd(b, node)])
            b.ret_void()
        return self.get("hvm_eras")

    def anni(self) -> ir.Function:
        # (a1 a2) ~ (b1 b2)   ==>   a1 ~ b1,  a2 ~ b2
        fn, b = self.rule_fn("hvm_anni")
        if fn:
            env, tm, a, p = fn.args
            self.count(b, tm, ANNI)
            na = b.call(self.take(), [env, tm, self.index(b, a)])
            nb = b.call(self.take(), [env, tm, self.index(b, p)])
            b.call(self.link(), [env, tm, self.fst(b, na), self.fst(b, nb)])
            b.call(self.link(), [env, tm, self.snd(b, na), self.snd(b, nb)])
            b.ret_void()
        return self.get("hvm_anni")

    def comm(self) -> ir.Function:
        # (a1 a2) ~ {b1 b2}   ==>   a1 ~ {x y},  a2 ~ {z w},  b1 ~ (x z),  b2 ~ (y w)
        fn, b = self.rule_fn("hvm_comm")
        if fn:
            env, tm, a, p = fn.args
            self.guard(b, env, tm, 4, 4)
            self.count(b, tm, COMM)
            na = b.call(self.take(), [env, tm, self.index(b, a)])
            nb = b.call(self.take(), [env, tm, self.index(b, p)])
            v = [self.port(b, VAR, b.call(self.alloc("var"), [env, tm])) for _ in range(4)]
            ta, tb = self.tag(b, a), self.tag(b, p)
            n0 = self.new_node(b, env, tm, v[0], v[1])
            n1 = self.new_node(b, env, tm, v[2], v[3])
            n2 = self.new_node(b, env, tm, v[0], v[2])
            n3 = self.new_node(b, env, tm, v[1], v[3])
            link = self.link()
            b.call(link, [env, tm, self.port(b, tb, n0), self.fst(b, na)])
            b.call(link, [env, tm, self.port(b, tb, n1), self.snd(b, na)])
            b.call(link, [env, tm, self.port(b, ta, n2), self.fst(b, nb)])
            b.call(link, [env, tm, self.port(b, ta, n3), self.snd(b, nb)])
            b.ret_void()
        return self.get("hvm_comm")

    def oper(self) -> ir.Function:
        # n ~ $(m r)   ==>   r ~ (n op m)      when m is a number
        # n ~ $(x r)   ==>   x ~ $(n r)        otherwise: the operands swap
        fn, b = self.rule_fn("hvm_oper")
        if fn:
            env, tm, a, p = fn.args
            self.guard(b, env, tm, 1, 0)
            self.count(b, tm, OPER)
            node = b.call(self.take(), [env, tm, self.index(b, p)])
            b1 = self.fst(b, node)
            b2 = b.call(self.enter(), [env, tm, self.snd(b, node)])
            with b.if_else(b.icmp_unsigned("==", self.tag(b, b1), self.cp(NUM))) as (is_num, swap):
                with is_num:
                    result = b.call(define_operate(self.module), [self.index(b, a), self.index(b, b1)])
                    b.call(self.link(), [env, tm, b2, self.port(b, NUM, result)])
                with swap:
                    i = self.new_node(b, env, tm, a, b2)
                    b.call(self.link(), [env, tm, b1, self.port(b, OPR, i)])
            b.ret_void()
        return self.get("hvm_oper")

    def swit(self) -> ir.Function:
        # 0   ~ ?(b r)   ==>   b ~ (r *)
        # n+1 ~ ?(b r)   ==>   b ~ (* (n r))
        fn, b = self.rule_fn("hvm_swit")
        if fn:
            env, tm, a, p = fn.args
            self.guard(b, env, tm, 2, 0)
            self.count(b, tm, SWIT)
            node = b.call(self.take(), [env, tm, self.index(b, p)])
            b1, b2 = self.fst(b, node), self.snd(b, node)
            n = b.and_(b.lshr(self.index(b, a), c32(5)), c32(0xFFFFFF))
            with b.if_else(b.icmp_unsigned("==", n, c32(0))) as (zero, succ):
                with zero:
                    i = self.new_node(b, env, tm, b2, self.cp(ERA))
                    b.call(self.link(), [env, tm, self.port(b, CON, i), b1])
                with succ:
                    pred = b.or_(b.shl(b.sub(n, c32(1)), c32(5)), c32(U24))
                    inner = self.new_node(b, env, tm, self.port(b, NUM, pred), b2)
                    outer = self.new_node(b, env, tm, self.cp(ERA), self.port(b, CON, inner))
                    b.call(self.link(), [env, tm, self.port(b, CON, outer), b1])
            b.ret_void()
        return self.get("hvm_swit")
