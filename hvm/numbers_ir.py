"""HVM2's numeric `operate` as LLVM IR, bit-exact with `hvm.numbers.operate`.

In:  an llvmlite `ir.Module`.
Out: the same module with `i32 @hvm_operate(i32 a, i32 b)` defined in it (and the libm
     functions it calls declared: atan2, log, pow, sin, tan and fmodf; the GPU runtime defines
     them from libdevice).

`a` and `b` are numbs (`payload24 << 5 | numtag5`, the upper 3 bits 0); the result is the numb
that `hvm.numbers.operate(a, b)` returns, upper 3 bits 0 as well.

f24 results go through f32 (the exact f32 result, rounded to f24 by `_emit_f24_encode`, every
NaN made the canonical one); the transcendental operators call the C library's
double-precision functions, which hvm.numbers calls too (through ctypes).
"""

from __future__ import annotations

from llvmlite import ir

from hvm import numbers as N

FUNCTION_NAME = "hvm_operate"

I1 = ir.IntType(1)
I32 = ir.IntType(32)
F32 = ir.FloatType()
F64 = ir.DoubleType()

MASK24 = 0xFFFFFF
F32_POS_INF = 0x7F800000

F24_OPS = tuple(op for op in range(N.ADD, N.FP_SHR + 1) if op not in (N.FP_SHL, N.FP_SHR))


def c32(v: int) -> ir.Constant:
    return ir.Constant(I32, v)


def cf32(v: float) -> ir.Constant:
    return ir.Constant(F32, v)


class _Emitter:
    """Shared state while building the function: the builder and the single exit block.

    Every path ends with `finish(value)`, which feeds the exit block's result phi.
    """

    def __init__(self, fn: ir.Function):
        self.fn = fn
        self.module = fn.module
        self.b = ir.IRBuilder(fn.append_basic_block("entry"))
        self.exit = fn.append_basic_block("exit")
        with self.b.goto_block(self.exit):
            self.result = self.b.phi(I32, "result")
            self.b.ret(self.result)

    def block(self, name: str) -> ir.Block:
        return self.fn.append_basic_block(name)

    def finish(self, value) -> None:
        self.result.add_incoming(value, self.b.block)
        self.b.branch(self.exit)

    def libm(self, name: str, arity: int, ty=F64) -> ir.Function:
        """Declare (once) the C library's `double name(double, ...)` (or `float` ones)."""
        existing = self.module.globals.get(name)
        if existing is not None:
            return existing
        fnty = ir.FunctionType(ty, [ty] * arity)
        return ir.Function(self.module, fnty, name)

    def fmodf(self, x, y):
        """C's `fmodf(x, y)`, exact; called by name (LLVM's `frem` becomes the same call on a
        CPU, but is approximated on NVPTX, where the GPU runtime provides fmodf)."""
        return self.b.call(self.libm("fmodf", 2, F32), [x, y])


# ---------------------------------------------------------------------------------------------
# f24 <-> f32


def _f24_bits(b: ir.IRBuilder, word):
    """The binary32 bits of a numb's payload read as f24: `payload << 8`, as i32."""
    return b.and_(b.shl(word, c32(3)), c32(0xFFFFFF00))


def _emit_f24_decode(b: ir.IRBuilder, word):
    """A numb's payload as f24, as a float (and its bits, for the NaN tests)."""
    bits = _f24_bits(b, word)
    return b.bitcast(bits, F32), bits


def _emit_f24_encode(b: ir.IRBuilder, bits):
    """An f24 numb from binary32 bits: drop 8 bits rounding ties to even; a NaN is the canonical one."""
    shifted = b.lshr(bits, c32(8))
    rounded = b.lshr(b.add(b.add(bits, c32(0x7F)), b.and_(shifted, c32(1))), c32(8))
    payload = b.select(_is_nan(b, bits), c32(N.CANONICAL_NAN), rounded)
    return b.or_(b.shl(payload, c32(5)), c32(N.F24))


def _is_nan(b: ir.IRBuilder, bits):
    return b.icmp_unsigned(">", b.and_(bits, c32(0x7FFFFFFF)), c32(F32_POS_INF))


def _bits(b: ir.IRBuilder, f):
    return b.bitcast(f, I32)


# ---------------------------------------------------------------------------------------------
# Integer operators (u24 and i24)


def _payload(b: ir.IRBuilder, word):
    return b.lshr(word, c32(5))


def _signed_payload(b: ir.IRBuilder, word):
    """The payload read as 24-bit two's complement, sign-extended to i32."""
    return b.ashr(b.shl(word, c32(3)), c32(8))


def _emit_safe_div(b: ir.IRBuilder, x, y, signed: bool, remainder: bool):
    """C's truncating x / y or x % y, with numbers.py's x / 0 == 0 and x % 0 == x.

    The divisor is replaced by 1 before dividing when it is 0 (LLVM's division by zero is
    undefined behaviour); sign-extended 24-bit operands cannot overflow i32 division.
    """
    zero = b.icmp_unsigned("==", y, c32(0))
    divisor = b.select(zero, c32(1), y)
    if remainder:
        r = b.srem(x, divisor) if signed else b.urem(x, divisor)
        return b.select(zero, x, r)
    q = b.sdiv(x, divisor) if signed else b.udiv(x, divisor)
    return b.select(zero, c32(0), q)


def _emit_int_ops(e: _Emitter, sw: ir.SwitchInstr, left, right, pl, pr, int_done: ir.Block,
                  int_value: ir.PhiInstr, bool_done: ir.Block, bool_value: ir.PhiInstr) -> None:
    """Add the u24 and i24 cases (key `type << 5 | op`) to the typed switch `sw`.

    Value cases branch to `int_done` (which wraps the value to 24 bits and tags it with the
    type), comparisons to `bool_done` (u24 0/1). The i24 shifts are left to the switch's
    default, which gives the type's 0. `pl`, `pr` are the payloads of `left` and `right`.
    """
    b = e.b

    def signed_operands():
        return _signed_payload(b, left), _signed_payload(b, right)

    def div(signed: bool, flip: bool, remainder: bool):
        x, y = signed_operands() if signed else (pl, pr)
        return _emit_safe_div(b, *((y, x) if flip else (x, y)), signed, remainder)

    def shift(shl: bool, flip: bool):
        x, y = (pr, pl) if flip else (pl, pr)
        amount = b.and_(y, c32(31))
        return b.shl(x, amount) if shl else b.lshr(x, amount)

    U, I, UI = (N.U24,), (N.I24,), (N.U24, N.I24)
    # (name, types, op, compute, is a comparison)
    cases = [
        # wrap-around arithmetic and bitwise operators: the low 24 bits do not depend on the type
        ("add", UI, N.ADD, lambda: b.add(pl, pr), False),
        ("sub", UI, N.SUB, lambda: b.sub(pl, pr), False),
        ("fp_sub", UI, N.FP_SUB, lambda: b.sub(pr, pl), False),
        ("mul", UI, N.MUL, lambda: b.mul(pl, pr), False),
        ("and", UI, N.AND, lambda: b.and_(pl, pr), False),
        ("or", UI, N.OR, lambda: b.or_(pl, pr), False),
        ("xor", UI, N.XOR, lambda: b.xor(pl, pr), False),
        ("eq", UI, N.EQ, lambda: b.icmp_unsigned("==", pl, pr), True),
        ("neq", UI, N.NEQ, lambda: b.icmp_unsigned("!=", pl, pr), True),
        ("u24_div", U, N.DIV, lambda: div(False, False, False), False),
        ("u24_fp_div", U, N.FP_DIV, lambda: div(False, True, False), False),
        ("u24_rem", U, N.REM, lambda: div(False, False, True), False),
        ("u24_fp_rem", U, N.FP_REM, lambda: div(False, True, True), False),
        ("u24_lt", U, N.LT, lambda: b.icmp_unsigned("<", pl, pr), True),
        ("u24_gt", U, N.GT, lambda: b.icmp_unsigned(">", pl, pr), True),
        # u24 shifts: by (shift & 31), logical; int_done truncates to 24 bits
        ("u24_shl", U, N.SHL, lambda: shift(True, False), False),
        ("u24_fp_shl", U, N.FP_SHL, lambda: shift(True, True), False),
        ("u24_shr", U, N.SHR, lambda: shift(False, False), False),
        ("u24_fp_shr", U, N.FP_SHR, lambda: shift(False, True), False),
        ("i24_div", I, N.DIV, lambda: div(True, False, False), False),
        ("i24_fp_div", I, N.FP_DIV, lambda: div(True, True, False), False),
        ("i24_rem", I, N.REM, lambda: div(True, False, True), False),
        ("i24_fp_rem", I, N.FP_REM, lambda: div(True, True, True), False),
        ("i24_lt", I, N.LT, lambda: b.icmp_signed("<", *signed_operands()), True),
        ("i24_gt", I, N.GT, lambda: b.icmp_signed(">", *signed_operands()), True),
    ]
    for name, types, op, compute, comparison in cases:
        blk = e.block(f"int_{name}")
        for ty in types:
            sw.add_case(c32(ty << 5 | op), blk)
        b.position_at_end(blk)
        done, phi = (bool_done, bool_value) if comparison else (int_done, int_value)
        phi.add_incoming(compute(), blk)
        b.branch(done)


# ---------------------------------------------------------------------------------------------
# Float operators (f24)


def _emit_libm(e: _Emitter, name: str, *args):
    """glibc's double-precision `name` on float arguments, rounded to f32: the result's bits."""
    fn = e.libm(name, len(args))
    return _bits(e.b, e.b.fptrunc(e.b.call(fn, [e.b.fpext(a, F64) for a in args]), F32))


def _emit_f24_ops(e: _Emitter, left, right, op, bool_done: ir.Block,
                  bool_value: ir.PhiInstr) -> None:
    """The f24 block: decode both operands, switch on the operator, encode the f32 result."""
    b = e.b
    x, xb = _emit_f24_decode(b, left)
    y, yb = _emit_f24_decode(b, right)
    done = e.block("f24_done")
    zero = e.block("f24_zero")
    sw = b.switch(op, zero)
    with b.goto_block(done):
        f32_result = b.phi(I32, "f32_result")
        e.finish(_emit_f24_encode(b, f32_result))
    with b.goto_block(zero):
        e.finish(c32(N.F24))  # f24 0.0: the flipped shifts (and operator tags 23..31)

    comparisons = {N.EQ: ("==", False), N.NEQ: ("!=", True), N.LT: ("<", False), N.GT: (">", False)}
    values = {  # IEEE arithmetic; C's libm; any NaN becomes the canonical one
        N.ADD: lambda: _bits(b, b.fadd(x, y)),
        N.SUB: lambda: _bits(b, b.fsub(x, y)),
        N.FP_SUB: lambda: _bits(b, b.fsub(y, x)),
        N.MUL: lambda: _bits(b, b.fmul(x, y)),
        N.DIV: lambda: _bits(b, b.fdiv(x, y)),
        N.FP_DIV: lambda: _bits(b, b.fdiv(y, x)),
        N.REM: lambda: _bits(b, e.fmodf(x, y)),
        N.FP_REM: lambda: _bits(b, e.fmodf(y, x)),
        N.AND: lambda: _emit_libm(e, "atan2", x, y),
        N.OR: lambda: _bits(b, b.fdiv(b.bitcast(_emit_libm(e, "log", y), F32), b.bitcast(_emit_libm(e, "log", x), F32))),
        N.XOR: lambda: _emit_libm(e, "pow", x, y),
        N.SHL: lambda: _emit_libm(e, "sin", b.fadd(x, y)),
        N.SHR: lambda: _emit_libm(e, "tan", b.fadd(x, y)),
    }
    for op_code in F24_OPS:
        blk = e.block(f"f24_op{op_code}")
        sw.add_case(c32(op_code), blk)
        b.position_at_end(blk)
        if op_code in comparisons:
            cmpop, unordered = comparisons[op_code]
            # `!=` is true for NaN (une); the others are false for NaN (oeq, olt, ogt)
            fcmp = b.fcmp_unordered if unordered else b.fcmp_ordered
            bool_value.add_incoming(fcmp(cmpop, x, y), b.block)
            b.branch(bool_done)
        else:
            value = values[op_code]()
            f32_result.add_incoming(value, b.block)
            b.branch(done)


# ---------------------------------------------------------------------------------------------
# Casts, partials and the other rare cases


def _emit_cast(e: _Emitter, to, n) -> None:
    """numbers.py's `cast(to, n)`: `to` is U24, I24 or F24, `n` a typed numb."""
    b = e.b
    ty = b.and_(n, c32(0x1F))
    to_f24 = b.icmp_unsigned("==", to, c32(N.F24))
    from_f24 = b.icmp_unsigned("==", ty, c32(N.F24))
    same = b.icmp_unsigned("==", to, ty)
    trivial, converting = e.block("cast_trivial"), e.block("cast_converting")
    int_to_f24, f24_to_int = e.block("cast_int_to_f24"), e.block("cast_f24_to_int")
    b.cbranch(b.or_(same, b.not_(b.or_(to_f24, from_f24))), trivial, converting)

    b.position_at_end(trivial)  # same type: n itself; u24 <-> i24: the bits, retagged
    e.finish(b.select(same, n, b.or_(b.and_(n, c32(~0x1F & 0xFFFFFFFF)), to)))

    b.position_at_end(converting)
    b.cbranch(to_f24, int_to_f24, f24_to_int)

    b.position_at_end(int_to_f24)  # exact in f32 (|value| < 2^24), then rounded to f24
    is_u24 = b.icmp_unsigned("==", ty, c32(N.U24))
    value = b.select(is_u24, _payload(b, n), _signed_payload(b, n))
    e.finish(_emit_f24_encode(b, _bits(b, b.sitofp(value, F32))))

    b.position_at_end(f24_to_int)  # saturating, NaN -> 0, truncating toward zero
    f, _ = _emit_f24_decode(b, n)
    to_u24 = b.icmp_unsigned("==", to, c32(N.U24))
    lo = b.select(to_u24, cf32(0.0), cf32(-8388608.0))
    hi = b.select(to_u24, cf32(16777215.0), cf32(8388607.0))
    clamped = b.select(b.fcmp_ordered("<=", f, lo), lo, f)
    clamped = b.select(b.fcmp_ordered(">=", clamped, hi), hi, clamped)
    clamped = b.select(b.fcmp_unordered("uno", f, f), cf32(0.0), clamped)
    payload = b.and_(b.fptosi(clamped, I32), c32(MASK24))
    e.finish(b.or_(b.shl(payload, c32(5)), to))


def _emit_slow_path(e: _Emitter, a, b_word, at, bt) -> None:
    """Every pair that is not one operator-tagged numb and one typed numb."""
    b = e.b
    pa, pb = _payload(b, a), _payload(b, b_word)
    a_sym = b.icmp_unsigned("==", at, c32(N.SYM))
    b_sym = b.icmp_unsigned("==", bt, c32(N.SYM))

    def in_types(v):  # U24 <= v <= F24
        return b.icmp_unsigned("<", b.sub(v, c32(N.U24)), c32(3))

    a_cast = b.and_(b.and_(a_sym, in_types(pa)), in_types(bt))
    b_cast = b.and_(b.and_(b_sym, in_types(pb)), in_types(at))
    cast, other = e.block("cast"), e.block("sym_or_invalid")
    b.cbranch(b.or_(a_cast, b_cast), cast, other)

    b.position_at_end(other)
    mask = c32(~0x1F & 0xFFFFFFFF)
    partial_a = b.or_(b.and_(b_word, mask), pa)  # the SYM's payload is OR-ed in, as numbers.py does
    partial_b = b.or_(b.and_(a, mask), pb)
    r = b.select(b_sym, partial_b, c32(N.U24))  # both operators or both typed: u24 0
    r = b.select(a_sym, partial_a, r)
    e.finish(b.select(b.and_(a_sym, b_sym), c32(N.U24), r))  # both SYM: u24 0

    b.position_at_end(cast)
    _emit_cast(e, b.select(a_cast, pa, pb), b.select(a_cast, b_word, a))


# ---------------------------------------------------------------------------------------------
# The function


def define_operate(module: ir.Module, inline: bool = True) -> ir.Function:
    """Define `i32 @hvm_operate(i32 a, i32 b)` in `module` (once) and return it.

    `inline=False` keeps it out of line: where most operations are specialised by
    `emit_operate`, the rare general case should not copy 500 instructions at each use.
    """
    existing = module.globals.get(FUNCTION_NAME)
    if existing is not None:
        return existing
    # Blocks and control flow:
    #   entry:  at, bt = the tags. Fast test: the smaller tag is a type (1..3) and the larger
    #           an operator (>= 4), i.e. one operator-tagged numb meets one typed numb.
    #           -> typed (likely) or slow.
    #   typed:  left = the operator-tagged numb, right = the typed one; one `switch` on
    #           key = type << 5 | op jumps straight to the operation:
    #             int_op*/u24_*/i24_* (integer cases) -> int_done: wrap to 24 bits, tag = type
    #             *_lt/_gt/int_eq/int_neq and f24 comparisons -> bool_done: u24 0 or 1
    #             f24 operators -> f24: decode both, `switch` on op -> f24_op* -> f24_done:
    #               round the f32 result to f24 (f24_zero: the flipped shifts)
    #             default (i24 shifts, f24 flipped shifts, tags 23..31) -> the type's 0
    #   slow:   both SYM -> u24 0; a cast SYM meeting a typed numb -> cast (trivial /
    #           int -> f24 / f24 -> int); another SYM -> a partial; both operators or both
    #           typed -> u24 0.
    #   exit:   one phi over every result, ret.
    fn = ir.Function(module, ir.FunctionType(I32, [I32, I32]), FUNCTION_NAME)
    fn.attributes.add("nounwind")
    fn.attributes.add("alwaysinline" if inline else "noinline")
    a, b_word = fn.args
    a.name, b_word.name = "a", "b"
    e = _Emitter(fn)
    b = e.b

    at = b.and_(a, c32(0x1F), name="at")
    bt = b.and_(b_word, c32(0x1F), name="bt")
    a_is_op = b.icmp_unsigned(">", at, bt)  # in the fast case: a is the operator-tagged one
    op = b.select(a_is_op, at, bt, name="op")
    ty = b.select(a_is_op, bt, at, name="ty")
    fast = b.and_(
        b.icmp_unsigned("<", b.sub(ty, c32(N.U24)), c32(3)),
        b.icmp_unsigned(">=", op, c32(N.ADD)),
    )
    typed, slow = e.block("typed"), e.block("slow")
    b.cbranch(fast, typed, slow).set_weights([1000, 1])

    b.position_at_end(slow)
    _emit_slow_path(e, a, b_word, at, bt)

    b.position_at_end(typed)
    left = b.select(a_is_op, a, b_word, name="left")
    right = b.select(a_is_op, b_word, a, name="right")
    pl, pr = _payload(b, left), _payload(b, right)
    key = b.or_(b.shl(ty, c32(5)), op, name="key")
    type_zero, f24_block = e.block("type_zero"), e.block("f24")
    int_done, bool_done = e.block("int_done"), e.block("bool_done")
    sw = b.switch(key, type_zero)

    with b.goto_block(type_zero):
        e.finish(ty)  # numb(0, ty) == ty
    with b.goto_block(int_done):
        int_value = b.phi(I32, "int_value")
        e.finish(b.or_(b.shl(b.and_(int_value, c32(MASK24)), c32(5)), ty))
    with b.goto_block(bool_done):
        bool_value = b.phi(I1, "bool_value")
        e.finish(b.or_(b.shl(b.zext(bool_value, I32), c32(5)), c32(N.U24)))

    _emit_int_ops(e, sw, left, right, pl, pr, int_done, int_value, bool_done, bool_value)
    for op_code in F24_OPS:
        sw.add_case(c32(N.F24 << 5 | op_code), f24_block)
    b.position_at_end(f24_block)
    _emit_f24_ops(e, left, right, op, bool_done, bool_value)
    return fn


# u24 operators whose result is a plain expression of (left, right): inlined by emit_operate
_U24_INLINE = {
    N.ADD: lambda b, l, r: b.add(l, r),
    N.SUB: lambda b, l, r: b.sub(l, r),
    N.FP_SUB: lambda b, l, r: b.sub(r, l),
    N.MUL: lambda b, l, r: b.mul(l, r),
    N.AND: lambda b, l, r: b.and_(l, r),
    N.OR: lambda b, l, r: b.or_(l, r),
    N.XOR: lambda b, l, r: b.xor(l, r),
    N.SHL: lambda b, l, r: b.shl(l, b.and_(r, c32(31))),
    N.FP_SHL: lambda b, l, r: b.shl(r, b.and_(l, c32(31))),
    N.SHR: lambda b, l, r: b.lshr(l, b.and_(r, c32(31))),
    N.FP_SHR: lambda b, l, r: b.lshr(r, b.and_(l, c32(31))),
    N.EQ: lambda b, l, r: b.zext(b.icmp_unsigned("==", l, r), I32),
    N.NEQ: lambda b, l, r: b.zext(b.icmp_unsigned("!=", l, r), I32),
    N.LT: lambda b, l, r: b.zext(b.icmp_unsigned("<", l, r), I32),
    N.GT: lambda b, l, r: b.zext(b.icmp_unsigned(">", l, r), I32),
}


def emit_operate(b: ir.IRBuilder, module: ir.Module, x, y):
    """The numb `operate(x, y)`, with inline code when one operand is a known constant.

    operate is symmetric, so either may be the constant. A SYM operator (`[+]`) makes a
    partial of the other operand (or u24 0 against another SYM); a partial (`[+1]`) meeting
    a u24 computes in line for the plain operators. Everything else calls hvm_operate.
    """
    general = define_operate(module, inline=False)
    if not isinstance(x, ir.Constant) and isinstance(y, ir.Constant):
        x, y = y, x
    if not isinstance(x, ir.Constant):
        return b.call(general, [x, y])
    k = x.constant
    tag, payload = k & 0x1F, (k >> 5) & MASK24
    other_tag = b.and_(y, c32(0x1F))
    if tag == N.SYM and payload in N.OPERATOR_SYMBOLS:
        partial = b.or_(b.and_(y, c32(~0x1F & 0xFFFFFFFF)), c32(payload))
        return b.select(b.icmp_unsigned("==", other_tag, c32(N.SYM)), c32(N.U24), partial)
    if tag in _U24_INLINE:
        is_u24 = b.icmp_unsigned("==", other_tag, c32(N.U24))
        with b.if_else(is_u24, likely=True) as (fast, slow):
            with fast:
                value = _U24_INLINE[tag](b, c32(payload), b.lshr(y, c32(5)))
                fast_result = b.or_(b.shl(b.and_(value, c32(MASK24)), c32(5)), c32(N.U24))
                fast_block = b.block
            with slow:
                slow_result = b.call(general, [x, y])
                slow_block = b.block
        result = b.phi(I32, "operated")
        result.add_incoming(fast_result, fast_block)
        result.add_incoming(slow_result, slow_block)
        return result
    return b.call(general, [x, y])
