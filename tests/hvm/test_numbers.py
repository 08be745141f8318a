"""Independent checks of hvm.numbers against notes/hvm2-runtime.md §2 ("Number word") and §4
("Numeric operations").

Every expected value here is derived by hand from the spec (or from the small reference model
at the top of this file, which only uses `struct` and the spec's rules). Nothing is computed by
calling the implementation to get an expectation.

Conventions used in the tables:
  U(v), I(v)   typed u24 / i24 numbs built directly from the bit layout `payload << 5 | tag`
  F(bits)      an f24 numb with the explicit 24-bit pattern `bits` (top 24 bits of an f32)
  P(p, op)     a partial: payload p (untyped bits), numtag = operator code
  S(code)      a SYM whose payload is an operator code or a cast type
  A row (left, op, right, expected) means: the partial P(payload(left), op) meets `right`;
  the partial's payload is the LEFT operand, `right` the RIGHT operand (§4 rule 5).
"""

from __future__ import annotations

import math
import struct

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from hvm import numbers as N

# --------------------------------------------------------------------------------------------
# Spec constants (§2 numtag table), written out independently of the module under test.
# --------------------------------------------------------------------------------------------
SYM, U24, I24, F24 = 0, 1, 2, 3
ADD, SUB, FP_SUB, MUL, DIV, FP_DIV, REM, FP_REM = 4, 5, 6, 7, 8, 9, 10, 11
EQ, NEQ, LT, GT, AND, OR, XOR, SHL, FP_SHL, SHR, FP_SHR = 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22
OPERATORS = list(range(4, 23))
MASK = 0xFFFFFF

# §1.2 op list, matched to the codes by name.
SYMBOL = {
    ADD: "+", SUB: "-", FP_SUB: ":-", MUL: "*", DIV: "/", FP_DIV: ":/", REM: "%", FP_REM: ":%",
    EQ: "=", NEQ: "!", LT: "<", GT: ">", AND: "&", OR: "|", XOR: "^",
    SHL: "<<", FP_SHL: ":<<", SHR: ">>", FP_SHR: ":>>",
}


def U(v: int) -> int:
    return ((v & MASK) << 5) | U24


def I(v: int) -> int:  # noqa: E743 - short table helper
    return ((v & MASK) << 5) | I24


def F(bits: int) -> int:
    return ((bits & MASK) << 5) | F24


def P(payload: int, op: int) -> int:
    return ((payload & MASK) << 5) | op


def S(code: int) -> int:
    return code << 5


def pay(n: int) -> int:
    return n >> 5


# --------------------------------------------------------------------------------------------
# f24 bit patterns used in the tables. Each is the top 24 bits of the f32, rounded to nearest
# even on the 8 dropped bits (§2). Exact values are plain f32 bit patterns >> 8.
# --------------------------------------------------------------------------------------------
F0 = 0x000000        # +0.0
FN0 = 0x800000       # -0.0
F0_1 = 0x3DCCCD      # 0.1: f32 0x3DCCCCCD, dropped 0xCD > 0x80 -> rounds up
F0_2 = 0x3E4CCD      # 0.2: f32 0x3E4CCCCD, dropped 0xCD -> up
F0_3 = 0x3E999A      # 0.3: f32 0x3E99999A, dropped 0x9A -> up
F0_25 = 0x3E8000     # 0.25 = 2^-2, exponent 125
FM0_25 = 0xBE8000    # -0.25
F0_5 = 0x3F0000      # 0.5
F1 = 0x3F8000        # 1.0
F1_25 = 0x3FA000     # 1.25
FM1_25 = 0xBFA000    # -1.25
F1_5 = 0x3FC000      # 1.5
FM1_5 = 0xBFC000     # -1.5
F2 = 0x400000        # 2.0
FM2 = 0xC00000       # -2.0
F2_5 = 0x402000      # 2.5
F3 = 0x404000        # 3.0
FM3 = 0xC04000       # -3.0
F3_7 = 0x406CCD      # 3.7: f32 0x406CCCCD, dropped 0xCD -> up (value 3.70001220703125)
FM3_7 = 0xC06CCD     # -3.7
FM3_75 = 0xC07000    # -3.75 = -1.875 * 2
F7_5 = 0x40F000      # 7.5 = 1.875 * 4
FM7_5 = 0xC0F000     # -7.5
F8 = 0x410000        # 8.0
F10 = 0x412000       # 10.0 = 1.25 * 8
FM18_75 = 0xC19600   # -18.75 = -1.171875 * 16
F100 = 0x42C800      # 100.0 = 1.5625 * 64
F255_5 = 0x437F80    # 255.5 = 1.99609375 * 128 (needs 9 significant bits: exact)
F1024 = 0x448000     # 1024.0
F2P16 = 0x478000     # 65536.0 = 2^16; f24 ulp here is 2
F65538 = 0x478001    # 65538.0
F65540 = 0x478002    # 65540.0
FP2_23 = 0x4B0000    # 8388608.0 = 2^23
FM2_23 = 0xCB0000    # -8388608.0
FP2_24 = 0x4B8000    # 16777216.0 = 2^24
F1E30 = 0x7149F3     # 1e30: f32 0x7149F2CA, dropped 0xCA -> up
FM1E30 = 0xF149F3    # -1e30
FMAX = 0x7F7FFF      # largest finite f24, (2 - 2^-15) * 2^127
INF = 0x7F8000       # +inf
NINF = 0xFF8000      # -inf
QNAN = 0x7FC000      # a quiet NaN
F2M16 = 0x378000     # 2^-16 (exponent 111)
F1P2M15 = 0x3F8001   # 1 + 2^-15 (odd last kept bit)
F1P2M14 = 0x3F8002   # 1 + 2^-14
# Results of the f24 transcendental operators, rounded f32 -> f24 (dropped bits far from 0x80):
F_PI_4 = 0x3F4910    # atan2(1, 1) = pi/4:   f32 0x3F490FDB -> up
F_PI_2 = 0x3FC910    # atan2(1, 0) = pi/2:   f32 0x3FC90FDB -> up
F_PI = 0x404910      # atan2(0, -1) = pi:    f32 0x40490FDB -> up
F_THIRD = 0x3EAAAB   # 1/3:                  f32 0x3EAAAAAB -> up
F_SIN1_5 = 0x3F7F5C  # sin(1.0 + 0.5):       f32 0x3F7F5BD5 -> up
F_TAN0_75 = 0x3F6E7D  # tan(0.25 + 0.5):     f32 0x3F6E7D1B -> down

NAN = "NaN"  # expected-value marker: "any f24 NaN"


# --------------------------------------------------------------------------------------------
# Reference model (only struct + the spec's words), used by the property tests.
# --------------------------------------------------------------------------------------------
def f32_bits(x: float) -> int:
    """The binary32 bits of x rounded to nearest f32 (IEEE overflow to +-inf)."""
    try:
        return struct.unpack("<I", struct.pack("<f", x))[0]
    except OverflowError:  # struct refuses what rounds to inf; IEEE gives inf
        return 0xFF800000 if x < 0 else 0x7F800000


def ref_f24_from_f32_bits(b: int) -> int:
    """§2: keep the top 24 bits, round ties-to-even on the 8 dropped bits; NaN stays NaN."""
    if (b >> 23) & 0xFF == 0xFF and b & 0x7FFFFF:
        return (b >> 8) | 1
    kept, lost = b >> 8, b & 0xFF
    if lost > 0x80 or (lost == 0x80 and kept & 1):
        kept += 1
    return kept


def ref_f24(x: float) -> int:
    return ref_f24_from_f32_bits(f32_bits(x))


def ref_dec(bits: int) -> float:
    return struct.unpack("<f", struct.pack("<I", (bits & MASK) << 8))[0]


def is_nan_bits(bits: int) -> bool:
    return (bits >> 15) & 0xFF == 0xFF and bits & 0x7FFF != 0


def is_f24_nan(n: int) -> bool:
    return n & 0x1F == F24 and is_nan_bits(n >> 5)


def sx24(v: int) -> int:
    v &= MASK
    return v - (1 << 24) if v & 0x800000 else v


def c_div(x: int, y: int) -> int:
    """C truncating division, with the project's x / 0 == 0."""
    if y == 0:
        return 0
    q = abs(x) // abs(y)
    return q if (x < 0) == (y < 0) else -q


def c_rem(x: int, y: int) -> int:
    """C remainder (sign of the dividend), with the project's x % 0 == x."""
    if y == 0:
        return x
    return x - c_div(x, y) * y


def ref_int_op(ty: int, op: int, a: int, b: int) -> int:
    """§4 table for u24 / i24: a = partial's payload (left), b = typed value (right)."""
    if ty == U24:
        x, y = a & MASK, b & MASK
        wrap = U
    else:
        x, y = sx24(a), sx24(b)
        wrap = I
    if op in (FP_SUB, FP_DIV, FP_REM, FP_SHL, FP_SHR):  # FP_ forms swap the operands
        x, y = y, x
        op = {FP_SUB: SUB, FP_DIV: DIV, FP_REM: REM, FP_SHL: SHL, FP_SHR: SHR}[op]
    if op == ADD:
        return wrap(x + y)
    if op == SUB:
        return wrap(x - y)
    if op == MUL:
        return wrap(x * y)
    if op == DIV:
        return wrap(c_div(x, y))
    if op == REM:
        return wrap(c_rem(x, y))
    if op == EQ:
        return U(int(x == y))
    if op == NEQ:
        return U(int(x != y))
    if op == LT:
        return U(int(x < y))
    if op == GT:
        return U(int(x > y))
    if op == AND:
        return wrap(x & y)
    if op == OR:
        return wrap(x | y)
    if op == XOR:
        return wrap(x ^ y)
    if ty == I24:  # all four shifts on i24
        return I(0)
    if op == SHL:
        return U(x << (y & 31))
    if op == SHR:
        return U(x >> (y & 31))
    raise AssertionError(op)


def check(got: int, expected) -> None:
    if expected == NAN:
        assert is_f24_nan(got), f"expected an f24 NaN, got {got:#x}"
    else:
        assert got == expected, f"got {got:#x} (payload {got >> 5:#x}, tag {got & 31}), expected {expected:#x}"


# ============================================================================================
# 1. Constants and the word layout (§2)
# ============================================================================================
def test_numtag_constants_match_spec():
    assert (N.SYM, N.U24, N.I24, N.F24) == (0, 1, 2, 3)
    names = ["ADD", "SUB", "FP_SUB", "MUL", "DIV", "FP_DIV", "REM", "FP_REM", "EQ", "NEQ", "LT",
             "GT", "AND", "OR", "XOR", "SHL", "FP_SHL", "SHR", "FP_SHR"]
    assert [getattr(N, name) for name in names] == list(range(4, 23))


def test_word_layout():
    # numb = payload24 << 5 | numtag5; "a u24 n is the port n<<8 | 0x0B" (so numb = n<<5 | 1)
    assert N.numb(42, U24) == (42 << 5) | 1
    assert (N.numb(42, U24) << 3) | 3 == (42 << 8) | 0x0B
    assert N.numb(0xFFFFFF, F24) == (0xFFFFFF << 5) | 3
    assert N.tag_of(N.numb(0xABCDEF, XOR)) == XOR
    assert N.payload_of(N.numb(0xABCDEF, XOR)) == 0xABCDEF
    assert N.new_u24(42) == U(42)
    assert N.new_u24(16777215) == U(0xFFFFFF)
    assert N.new_u24(1 << 24) == U(0)  # "u24 is the value mod 2^24"
    assert N.new_i24(-1) == (0xFFFFFF << 5) | I24
    assert N.new_i24(5) == (5 << 5) | I24
    assert N.new_i24(-8388608) == (0x800000 << 5) | I24
    assert N.new_sym(ADD) == ADD << 5
    assert N.new_sym(U24) == 1 << 5


@pytest.mark.parametrize("payload, value", [
    (0x000000, 0), (0x000001, 1), (0x7FFFFF, 8388607), (0x800000, -8388608), (0xFFFFFF, -1),
    (0xFFFFF4, -12),
])
def test_get_i24_sign_extends(payload, value):
    assert N.get_i24((payload << 5) | I24) == value


@pytest.mark.parametrize("bits, value", [
    (F1_5, 1.5), (FM0_25, -0.25), (F0, 0.0), (F0_1, 0.10000038146972656), (F100, 100.0),
    (FP2_24, 16777216.0), (INF, math.inf), (NINF, -math.inf),
])
def test_get_f24_decodes_top_bits(bits, value):
    got = N.get_f24(F(bits))
    assert got == value
    assert math.copysign(1.0, got) == math.copysign(1.0, value)


def test_get_f24_negative_zero_and_nan():
    z = N.get_f24(F(FN0))
    assert z == 0.0 and math.copysign(1.0, z) == -1.0
    assert math.isnan(N.get_f24(F(QNAN)))
    assert math.isnan(N.get_f24(F(0x7F8001)))  # lowest-mantissa NaN is still NaN, not inf


# ============================================================================================
# 2. The operator table: every operator on u24, i24 and f24 (§4)
# ============================================================================================
U24_ROWS = [
    # (left, op, right, expected); results wrap mod 2^24
    (U(2), ADD, U(3), U(5)),
    (U(16777215), ADD, U(1), U(0)),                 # wraps
    (U(10), SUB, U(3), U(7)),
    (U(0), SUB, U(1), U(16777215)),                 # 0 - 1 wraps
    (U(10), FP_SUB, U(3), U(16777209)),             # FP: 3 - 10 = -7 mod 2^24
    (U(3), FP_SUB, U(10), U(7)),                    # FP: 10 - 3
    (U(6), MUL, U(7), U(42)),
    (U(4096), MUL, U(4096), U(0)),                  # 2^24 wraps to 0
    (U(0xFFFFFF), MUL, U(0xFFFFFF), U(1)),          # (2^24-1)^2 = 1 mod 2^24
    (U(7), DIV, U(2), U(3)),                        # truncating
    (U(16777215), DIV, U(16777215), U(1)),
    (U(2), DIV, U(7), U(0)),
    (U(2), FP_DIV, U(7), U(3)),                     # FP: 7 / 2
    (U(7), FP_DIV, U(2), U(0)),                     # FP: 2 / 7
    (U(7), REM, U(3), U(1)),
    (U(16777215), REM, U(10), U(5)),
    (U(3), FP_REM, U(7), U(1)),                     # FP: 7 % 3
    (U(5), EQ, U(5), U(1)),
    (U(5), EQ, U(6), U(0)),
    (U(5), NEQ, U(6), U(1)),
    (U(5), NEQ, U(5), U(0)),
    (U(3), LT, U(5), U(1)),
    (U(5), LT, U(3), U(0)),
    (U(16777215), LT, U(1), U(0)),                  # unsigned: 0xFFFFFF is the largest
    (U(16777215), GT, U(0), U(1)),
    (U(3), GT, U(3), U(0)),
    (U(0xF0F0F0), AND, U(0xFF00FF), U(0xF000F0)),
    (U(0xF0F0F0), OR, U(0x0F0000), U(0xFFF0F0)),
    (U(0xFFFFFF), XOR, U(0x0F0F0F), U(0xF0F0F0)),
    (U(5), XOR, U(5), U(0)),
    (U(1), SHL, U(4), U(16)),
    (U(1), SHL, U(23), U(0x800000)),
    (U(1), SHL, U(24), U(0)),                       # shifted out of the 24 bits
    (U(1), SHL, U(33), U(2)),                       # shift by 33 & 31 = 1
    (U(5), SHL, U(32), U(5)),                       # shift by 32 & 31 = 0
    (U(3), SHL, U(31), U(0)),
    (U(0xFFFFFF), SHL, U(4), U(0xFFFFF0)),          # truncated to 24 bits
    (U(4), FP_SHL, U(1), U(16)),                    # FP: 1 << 4
    (U(33), FP_SHL, U(1), U(2)),                    # FP: 1 << (33 & 31)
    (U(0x800000), SHR, U(23), U(1)),                # logical
    (U(0xFFFFFF), SHR, U(33), U(0x7FFFFF)),         # shift by 1, no sign extension
    (U(0xFFFFFF), SHR, U(24), U(0)),
    (U(4), FP_SHR, U(0x100), U(0x10)),              # FP: 0x100 >> 4
]

I24_ROWS = [
    # i24: 24-bit two's complement, wrapping; C truncating / and %; comparisons give u24
    (I(-5), ADD, I(3), I(-2)),
    (I(8388607), ADD, I(1), I(-8388608)),           # wraps
    (I(3), SUB, I(5), I(-2)),
    (I(-8388608), SUB, I(1), I(8388607)),           # wraps
    (I(3), FP_SUB, I(5), I(2)),                     # FP: 5 - 3
    (I(1), FP_SUB, I(-8388608), I(8388607)),        # FP: -8388608 - 1 wraps
    (I(-3), MUL, I(4), I(-12)),
    (I(-1), MUL, I(-1), I(1)),
    (I(4096), MUL, I(2048), I(-8388608)),           # 2^23 wraps to -2^23
    (I(-7), DIV, I(2), I(-3)),                      # toward zero
    (I(7), DIV, I(-2), I(-3)),
    (I(-7), DIV, I(-2), I(3)),
    (I(-8388608), DIV, I(-1), I(-8388608)),         # +2^23 wraps to -2^23
    (I(2), FP_DIV, I(-7), I(-3)),                   # FP: -7 / 2
    (I(-7), REM, I(2), I(-1)),                      # sign of the dividend
    (I(7), REM, I(-2), I(1)),
    (I(-7), REM, I(-2), I(-1)),
    (I(-8388608), REM, I(-1), I(0)),
    (I(2), FP_REM, I(-7), I(-1)),                   # FP: -7 % 2
    (I(-1), EQ, I(-1), U(1)),                       # comparisons -> u24
    (I(-1), EQ, I(1), U(0)),
    (I(-1), NEQ, I(1), U(1)),
    (I(4), NEQ, I(4), U(0)),
    (I(-1), LT, I(1), U(1)),                        # signed (unlike u24)
    (I(-8388608), LT, I(8388607), U(1)),
    (I(1), LT, I(-1), U(0)),
    (I(1), GT, I(-1), U(1)),
    (I(-2), GT, I(-1), U(0)),
    (I(-2), AND, I(3), I(2)),
    (I(-1), AND, I(-8388608), I(-8388608)),
    (I(-8), OR, I(7), I(-1)),
    (I(-1), XOR, I(5), I(-6)),
    (I(1), SHL, I(1), I(0)),                        # all i24 shifts give i24 0
    (I(-1), SHL, I(4), I(0)),
    (I(4), FP_SHL, I(1), I(0)),
    (I(-8), SHR, I(1), I(0)),
    (I(4), FP_SHR, I(256), I(0)),
]

F24_ROWS = [
    # f24: computed as f32, then rounded to f24 (ties-to-even on the 8 dropped bits)
    (F(F0_1), ADD, F(F0_2), F(F0_3)),               # 0.10000038 + 0.20000076 = f32 0x3E9999C0 -> 0x3E999A
    (F(F1_5), ADD, F(FM0_25), F(F1_25)),
    (F(F1), ADD, F(F2M16), F(F1)),                  # 1 + 2^-16 = f32 0x3F800080: tie, kept even -> down
    (F(F1P2M15), ADD, F(F2M16), F(F1P2M14)),        # f32 0x3F800180: tie, kept odd -> up
    (F(FMAX), ADD, F(FMAX), F(INF)),                # overflow
    (F(INF), ADD, F(F1), F(INF)),
    (F(F1_5), SUB, F(F0_25), F(F1_25)),
    (F(F0_25), SUB, F(F1_5), F(FM1_25)),
    (F(INF), SUB, F(INF), NAN),
    (F(F1_5), FP_SUB, F(F0_25), F(FM1_25)),         # FP: 0.25 - 1.5
    (F(F0_25), FP_SUB, F(F1_5), F(F1_25)),          # FP: 1.5 - 0.25
    (F(F2_5), MUL, F(FM7_5), F(FM18_75)),
    (F(F1E30), MUL, F(F1E30), F(INF)),              # overflow
    (F(F1E30), MUL, F(FM1E30), F(NINF)),
    (F(F1), DIV, F(F3), F(F_THIRD)),
    (F(F7_5), DIV, F(FM2), F(FM3_75)),
    (F(F3), FP_DIV, F(F1), F(F_THIRD)),             # FP: 1 / 3
    (F(FM2), FP_DIV, F(F7_5), F(FM3_75)),           # FP: 7.5 / -2
    (F(FM7_5), REM, F(F2), F(FM1_5)),               # fmodf: sign of the dividend
    (F(F7_5), REM, F(FM2), F(F1_5)),
    (F(F2), FP_REM, F(FM7_5), F(FM1_5)),            # FP: fmod(-7.5, 2)
    (F(F1_5), EQ, F(F1_5), U(1)),                   # comparisons -> u24
    (F(F1_5), EQ, F(F2_5), U(0)),
    (F(F0), EQ, F(FN0), U(1)),                      # +0 == -0
    (F(QNAN), EQ, F(QNAN), U(0)),
    (F(QNAN), NEQ, F(QNAN), U(1)),                  # NaN != NaN
    (F(F1_5), NEQ, F(F1_5), U(0)),
    (F(FM0_25), LT, F(F1_5), U(1)),
    (F(F1_5), LT, F(FM0_25), U(0)),
    (F(QNAN), LT, F(F1), U(0)),
    (F(F1_5), GT, F(FM0_25), U(1)),
    (F(NINF), GT, F(F1), U(0)),
    (F(F1), GT, F(QNAN), U(0)),
    (F(F1), AND, F(F1), F(F_PI_4)),                 # atan2(1, 1)
    (F(F1), AND, F(F0), F(F_PI_2)),                 # atan2(1, 0): left is a, right is b
    (F(F0), AND, F(F1), F(F0)),                     # atan2(0, 1)
    (F(F0), AND, F(FM1_5), F(F_PI)),                # atan2(0, -1.5) = pi
    (F(F2), OR, F(F8), F(F3)),                      # log(8) / log(2)
    (F(F2), OR, F(F1), F(F0)),                      # log(1) / log(2) = 0
    (F(F1), OR, F(F2), F(INF)),                     # log(2) / log(1) = 0.69 / 0 = +inf
    (F(F2), XOR, F(F10), F(F1024)),                 # pow(2, 10)
    (F(F10), XOR, F(F2), F(F100)),                  # pow(10, 2)
    (F(F2), XOR, F(FM2), F(F0_25)),                 # pow(2, -2)
    (F(F1), SHL, F(F0_5), F(F_SIN1_5)),             # sin(1 + 0.5)
    (F(F0), SHL, F(F0), F(F0)),                     # sin(0)
    (F(F1), FP_SHL, F(F0_5), F(F0)),                # FP_ shifts on f24 give f24 0
    (F(F0_25), SHR, F(F0_5), F(F_TAN0_75)),         # tan(0.25 + 0.5)
    (F(F0), SHR, F(F0), F(F0)),
    (F(F1), FP_SHR, F(F0_5), F(F0)),
]


def _row_id(row):
    left, op, right, _ = row
    return f"{('u24', 'i24', 'f24')[(right & 31) - 1]}-{SYMBOL[op]}-{pay(left):#x}-{pay(right):#x}"


ALL_ROWS = U24_ROWS + I24_ROWS + F24_ROWS


@pytest.mark.parametrize("row", ALL_ROWS, ids=[_row_id(r) for r in ALL_ROWS])
def test_operator_table(row):
    left, op, right, expected = row
    partial = P(pay(left), op)
    check(N.operate(partial, right), expected)
    check(N.operate(right, partial), expected)  # operate is symmetric


def test_table_covers_every_operator_on_every_type():
    for rows in (U24_ROWS, I24_ROWS, F24_ROWS):
        assert {op for _, op, _, _ in rows} == set(OPERATORS)


# The partial's 24 payload bits are untyped: the typed operand decides how they read (§2, §4.5).
@pytest.mark.parametrize("partial, right, expected", [
    (P(0xFFFFFF, SUB), U(1), U(0xFFFFFE)),          # 16777215 - 1
    (P(0xFFFFFF, SUB), I(1), I(-2)),                # -1 - 1
    (P(0xFFFFFF, LT), U(1), U(0)),                  # 16777215 < 1
    (P(0xFFFFFF, LT), I(1), U(1)),                  # -1 < 1
    (P(F1_5, ADD), F(F1), F(F2_5)),                 # 0x3FC000 read as f24 1.5
    (P(F1_5, ADD), U(1), U(0x3FC001)),              # the same bits read as u24
])
def test_partial_payload_takes_the_typed_operands_type(partial, right, expected):
    check(N.operate(partial, right), expected)
    check(N.operate(right, partial), expected)


# ============================================================================================
# 3. SYM operands and the "u24 0" cases (§4 rules 1-4)
# ============================================================================================
def test_sym_applied_to_number_gives_partial_then_result():
    part = N.operate(N.new_sym(ADD), N.new_u24(10))
    assert part == P(10, ADD)                       # `10 ~ $([+] ...)` gives [+10]
    assert N.operate(N.new_u24(10), N.new_sym(ADD)) == P(10, ADD)
    assert N.operate(part, N.new_u24(5)) == U(15)
    assert N.operate(N.new_u24(5), part) == U(15)


def test_sym_drops_the_type_of_its_operand():
    assert N.operate(S(SUB), I(-1)) == P(0xFFFFFF, SUB)
    assert N.operate(S(MUL), F(F1_5)) == P(F1_5, MUL)
    assert N.operate(S(FP_SHR), U(7)) == P(7, FP_SHR)


def test_sym_meeting_a_partial_retags_it():
    # rule 3: "One operand is SYM ... and the other is anything else -> a partial"
    assert N.operate(S(MUL), P(5, ADD)) == P(5, MUL)
    assert N.operate(P(5, ADD), S(MUL)) == P(5, MUL)


@pytest.mark.parametrize("a, b", [
    (S(ADD), S(SUB)),                               # both SYM
    (S(ADD), S(ADD)),
    (S(U24), S(ADD)),
    (S(U24), S(I24)),
    (U(3), U(4)),                                   # both typed
    (I(-3), U(4)),
    (F(F1_5), I(2)),
    (F(F1_5), F(F1_5)),
    (P(1, ADD), P(2, SUB)),                         # both operator-tagged
    (P(7, FP_SHR), P(7, FP_SHR)),
])
def test_u24_zero_cases(a, b):
    assert N.operate(a, b) == U(0)
    assert N.operate(b, a) == U(0)


# ============================================================================================
# 4. Division and remainder by zero
# Project choice (numbers.py docstring): x / 0 == 0 and x % 0 == x for u24 and i24,
# including the FP_ forms (there the partial's payload is the divisor). f24 follows IEEE.
# ============================================================================================
@pytest.mark.parametrize("partial, right, expected", [
    (P(7, DIV), U(0), U(0)),
    (P(0, DIV), U(0), U(0)),
    (P(0xFFFFFF, DIV), U(0), U(0)),
    (P(7, REM), U(0), U(7)),
    (P(0xFFFFFF, REM), U(0), U(0xFFFFFF)),
    (P(0, REM), U(0), U(0)),
    (P(0, FP_DIV), U(7), U(0)),                     # 7 / 0
    (P(0, FP_REM), U(7), U(7)),                     # 7 % 0
    (P(0, FP_REM), U(0xFFFFFF), U(0xFFFFFF)),
    (P(-7 & MASK, DIV), I(0), I(0)),
    (P(-8388608 & MASK, DIV), I(0), I(0)),
    (P(-7 & MASK, REM), I(0), I(-7)),
    (P(-8388608 & MASK, REM), I(0), I(-8388608)),
    (P(0, FP_DIV), I(-7), I(0)),                    # -7 / 0
    (P(0, FP_REM), I(-7), I(-7)),                   # -7 % 0
    (P(0, FP_REM), I(8388607), I(8388607)),
    (P(F1, DIV), F(F0), F(INF)),                    # 1.0 / 0.0
    (P(FM1_5, DIV), F(F0), F(NINF)),                # -1.5 / 0.0
    (P(F1, DIV), F(FN0), F(NINF)),                  # 1.0 / -0.0
    (P(F0, DIV), F(F0), NAN),                       # 0.0 / 0.0
    (P(F0, FP_DIV), F(F1), F(INF)),                 # FP: 1.0 / 0.0
    (P(F0, FP_DIV), F(F0), NAN),
    (P(F1, REM), F(F0), NAN),                       # fmodf(1, 0)
    (P(F0, FP_REM), F(F1), NAN),                    # FP: fmodf(1, 0)
    (P(F1_5, REM), F(INF), F(F1_5)),                # fmodf(1.5, inf) = 1.5
])
def test_division_by_zero(partial, right, expected):
    check(N.operate(partial, right), expected)
    check(N.operate(right, partial), expected)


# ============================================================================================
# 5. Casts (§4 "Casts, modelled on Rust's as")
# ============================================================================================
CAST_ROWS = [
    # (to, from, expected)
    (U24, U(0), U(0)),                              # identity casts
    (U24, U(0xFFFFFF), U(0xFFFFFF)),
    (I24, I(-5), I(-5)),
    (I24, I(8388607), I(8388607)),
    (F24, F(F1_5), F(F1_5)),
    (F24, F(NINF), F(NINF)),
    (I24, U(0xFFFFFF), I(-1)),                      # u24 <-> i24 reinterpret the bits
    (I24, U(0x800000), I(-8388608)),
    (I24, U(5), I(5)),
    (U24, I(-1), U(0xFFFFFF)),
    (U24, I(-8388608), U(0x800000)),
    (U24, I(42), U(42)),
    (U24, F(F3_7), U(3)),                           # f24 -> u24: truncate toward zero
    (U24, F(F255_5), U(255)),
    (U24, F(FM3_7), U(0)),                          # negative -> 0
    (U24, F(FM0_25), U(0)),
    (U24, F(FN0), U(0)),
    (U24, F(F1E30), U(0xFFFFFF)),                   # saturate
    (U24, F(FP2_24), U(0xFFFFFF)),                  # 16777216.0 -> 2^24 - 1
    (U24, F(INF), U(0xFFFFFF)),
    (U24, F(NINF), U(0)),
    (U24, F(QNAN), U(0)),                           # NaN -> 0
    (I24, F(F3_7), I(3)),                           # f24 -> i24
    (I24, F(FM3_7), I(-3)),                         # toward zero, not floor
    (I24, F(FM0_25), I(0)),
    (I24, F(FN0), I(0)),
    (I24, F(FP2_23), I(8388607)),                   # 8388608.0 saturates to 2^23 - 1
    (I24, F(FM2_23), I(-8388608)),                  # exactly representable
    (I24, F(F1E30), I(8388607)),
    (I24, F(FM1E30), I(-8388608)),
    (I24, F(INF), I(8388607)),
    (I24, F(NINF), I(-8388608)),
    (I24, F(QNAN), I(0)),
    (F24, U(3), F(F3)),                             # int -> f24: nearest
    (F24, U(0), F(F0)),
    (F24, U(16777215), F(FP2_24)),                  # f32 0x4B7FFFFF, dropped 0xFF -> up to 2^24
    (F24, U(65537), F(F2P16)),                      # f32 0x47800080: tie, kept even -> 65536
    (F24, U(65539), F(F65540)),                     # f32 0x47800180: tie, kept odd -> 65540
    (F24, U(65538), F(F65538)),                     # exact
    (F24, I(-3), F(FM3)),
    (F24, I(-8388608), F(FM2_23)),
    (F24, I(0), F(F0)),
]


@pytest.mark.parametrize("to, src, expected", CAST_ROWS)
def test_cast(to, src, expected):
    assert N.cast(to, src) == expected


@pytest.mark.parametrize("to, src, expected", CAST_ROWS)
def test_cast_via_operate(to, src, expected):
    # §4 rule 2: a cast SYM meeting a typed number casts it (either side)
    assert N.operate(S(to), src) == expected
    assert N.operate(src, S(to)) == expected


def test_cast_examples_from_brief():
    assert N.operate(N.new_sym(U24), N.new_f24(3.7)) == N.new_u24(3)
    assert N.operate(N.new_sym(F24), N.new_i24(-3)) == F(FM3)


def test_cast_f24_nan_stays_nan():
    assert is_f24_nan(N.cast(F24, F(QNAN)))


# ============================================================================================
# 6. f24 encoding and rounding (§2)
# ============================================================================================
def from_f32_bits(b: int) -> float:
    return struct.unpack("<f", struct.pack("<I", b))[0]


@pytest.mark.parametrize("x, bits", [
    (1.5, F1_5), (-0.25, FM0_25), (0.0, F0), (100.0, F100), (2.0 ** 24, FP2_24),  # exact
    (0.1, F0_1),                                    # f32 0x3DCCCCCD: dropped 0xCD -> up
    (0.2, F0_2),
    (3.7, F3_7),
    (1e30, F1E30),
    (math.inf, INF), (-math.inf, NINF),
    (1e39, INF),                                    # beyond f32 range -> +inf
    (-1e39, NINF),
])
def test_new_f24_values(x, bits):
    assert N.new_f24(x) == F(bits)


def test_new_f24_negative_zero():
    assert N.new_f24(-0.0) == F(FN0)


@pytest.mark.parametrize("f32, bits", [
    (0x3F80007F, 0x3F8000),                         # below half: down
    (0x3F800081, 0x3F8001),                         # above half: up
    (0x3F8000FF, 0x3F8001),
    (0x3F800080, 0x3F8000),                         # exact tie, kept bits even -> stay
    (0x3F800180, 0x3F8002),                         # exact tie, kept bits odd -> up to even
    (0xBF800080, 0xBF8000),                         # negative tie, even
    (0xBF800180, 0xBF8002),                         # negative tie, odd
    (0x3FFFFF80, 0x400000),                         # tie, odd, carries into the exponent: 2.0
    (0x40000080, 0x400000),                         # tie, even (2.0 + half ulp)
    (0x00000080, 0x000000),                         # tiny subnormal tie, even -> +0
    (0x00000180, 0x000002),                         # subnormal tie, odd -> up
    (0x7F7FFFFF, INF),                              # f32 max rounds up to +inf (overflow)
    (0x7F7FFF80, INF),                              # tie with odd kept bits -> +inf
    (0x7F7FFE80, 0x7F7FFE),                         # tie with even kept bits -> stays finite
    (0xFF7FFFFF, NINF),
])
def test_new_f24_rounds_ties_to_even(f32, bits):
    assert N.new_f24(from_f32_bits(f32)) == F(bits)


def test_new_f24_rounds_to_f32_first():
    # §2: "take the f32 bits" - a double just above the f24 tie 1 + 2^-16 first rounds to the
    # f32 0x3F800080 (the tie itself), which then goes to even: 1.0.
    assert N.new_f24(1.0 + 2.0 ** -16 + 2.0 ** -40) == F(F1)


@pytest.mark.parametrize("f32", [0x7FC00000, 0xFFC00000, 0x7F800001, 0x7F800080, 0x7FFFFFFF])
def test_new_f24_nan_stays_nan(f32):
    # 0x7F800001 / 0x7F800080 would shift/round to the infinity pattern without the NaN fix
    assert is_f24_nan(N.new_f24(from_f32_bits(f32)))


def test_new_f24_python_nan():
    assert is_f24_nan(N.new_f24(math.nan))
    assert is_f24_nan(N.new_f24(-math.nan))


@settings(max_examples=300, deadline=None)
@given(st.integers(0, 2 ** 32 - 1))
def test_new_f24_matches_reference_on_f32_patterns(b):
    x = from_f32_bits(b)
    if math.isnan(x):
        assert is_f24_nan(N.new_f24(x))
    else:
        assert N.new_f24(x) == F(ref_f24_from_f32_bits(b))


@settings(max_examples=300, deadline=None)
@given(st.integers(0, MASK))
def test_get_f24_then_new_f24_roundtrips(bits):
    assume(not is_nan_bits(bits))
    value = N.get_f24(F(bits))
    assert struct.pack("<f", value) == struct.pack("<I", bits << 8)
    assert N.new_f24(value) == F(bits)


# ============================================================================================
# 7. Properties against the reference model of §4
# ============================================================================================
payloads = st.integers(0, MASK)
int_ops = st.sampled_from(OPERATORS)


@settings(max_examples=400, deadline=None)
@given(payloads, int_ops, payloads, st.sampled_from([U24, I24]))
def test_integer_ops_match_reference(a, op, b, ty):
    typed = (b << 5) | ty
    expected = ref_int_op(ty, op, a, b)
    assert N.operate(P(a, op), typed) == expected
    assert N.operate(typed, P(a, op)) == expected


@settings(max_examples=200, deadline=None)
@given(payloads, payloads, st.sampled_from([U24, I24]))
def test_division_identity(x, y, ty):
    # (x / y) * y + x % y == x for every y, zero included (project choice)
    q = N.operate(P(x, DIV), (y << 5) | ty)
    r = N.operate(P(x, REM), (y << 5) | ty)
    prod = N.operate(P(pay(q), MUL), (y << 5) | ty)
    assert N.operate(P(pay(prod), ADD), r) == (x << 5) | ty


def _ieee(op, a: float, b: float) -> float:
    if op == ADD:
        return a + b
    if op == SUB:
        return a - b
    if op == MUL:
        return a * b
    return a / b


@settings(max_examples=400, deadline=None)
@given(payloads, st.sampled_from([ADD, SUB, FP_SUB, MUL, DIV, FP_DIV]), payloads)
def test_f24_arithmetic_reference(a, op, b):
    assume(not is_nan_bits(a) and not is_nan_bits(b))
    x, y = ref_dec(a), ref_dec(b)  # x = partial (left), y = typed (right)
    base = op
    if op in (FP_SUB, FP_DIV):
        x, y = y, x
        base = SUB if op == FP_SUB else DIV
    assume(not (base == DIV and y == 0.0))
    value = _ieee(base, x, y)
    expected = NAN if math.isnan(value) else F(ref_f24(value))
    check(N.operate(P(a, op), F(b)), expected)
    check(N.operate(F(b), P(a, op)), expected)


@settings(max_examples=200, deadline=None)
@given(payloads, st.sampled_from([EQ, NEQ, LT, GT]), payloads)
def test_f24_comparisons_give_u24(a, op, b):
    x, y = ref_dec(a), ref_dec(b)
    expected = {EQ: x == y, NEQ: x != y, LT: x < y, GT: x > y}[op]
    assert N.operate(P(a, op), F(b)) == U(int(expected))


@settings(max_examples=200, deadline=None)
@given(payloads, st.sampled_from(OPERATORS), payloads, st.sampled_from([U24, I24, F24]))
def test_operate_is_symmetric(a, op, b, ty):
    typed = (b << 5) | ty
    r1, r2 = N.operate(P(a, op), typed), N.operate(typed, P(a, op))
    if is_f24_nan(r1):
        assert is_f24_nan(r2)
    else:
        assert r1 == r2


@settings(max_examples=300, deadline=None)
@given(payloads)
def test_cast_properties(x):
    # u24 <-> i24 reinterpret bits, both ways
    assert N.cast(I24, U(x)) == I(x)
    assert N.cast(U24, I(x)) == U(x)
    # int -> f24 is the nearest (integers < 2^24 are exact in f32, so one rounding)
    assert N.cast(F24, U(x)) == F(ref_f24(float(x)))
    assert N.cast(F24, I(x)) == F(ref_f24(float(sx24(x))))
    # f24 -> int: truncate toward zero, saturate, NaN -> 0
    if is_nan_bits(x):
        assert N.cast(U24, F(x)) == U(0)
        assert N.cast(I24, F(x)) == I(0)
    else:
        v = ref_dec(x)
        if math.isinf(v):
            t = 1 << 40 if v > 0 else -(1 << 40)
        else:
            t = int(v)  # int() truncates toward zero
        assert N.cast(U24, F(x)) == U(min(max(t, 0), MASK))
        assert N.cast(I24, F(x)) == I(min(max(t, -(1 << 23)), (1 << 23) - 1))


# ============================================================================================
# 8. Text: format_numb and parse_literal (§1.2, §4 "Printing", project notes)
# ============================================================================================
TEXT_ROWS = [
    # (text, numb): format_numb(numb) == text and parse_literal(text) == numb
    ("0", U(0)),
    ("42", U(42)),
    ("16777215", U(16777215)),
    ("+0", I(0)),
    ("+5", I(5)),
    ("-12", I(-12)),
    ("+8388607", I(8388607)),
    ("-8388608", I(-8388608)),
    ("1.5", F(F1_5)),
    ("-0.25", F(FM0_25)),
    ("100.0", F(F100)),
    ("0.0", F(F0)),
    ("-0.0", F(FN0)),
    ("0.1", F(F0_1)),                               # shortest decimal reading back to 0x3DCCCD
    ("3.7", F(F3_7)),
    ("2.5", F(F2_5)),
    ("-7.5", F(FM7_5)),
    ("+inf", F(INF)),
    ("-inf", F(NINF)),
]


@pytest.mark.parametrize("text, n", TEXT_ROWS)
def test_format_numb(text, n):
    assert N.format_numb(n) == text


@pytest.mark.parametrize("text, n", TEXT_ROWS)
def test_parse_literal(text, n):
    assert N.parse_literal(text) == n


@pytest.mark.parametrize("bits", [QNAN, 0xFFC000, 0x7F8001])
def test_format_nan(bits):
    assert N.format_numb(F(bits)) == "+NaN"


@pytest.mark.parametrize("text, n", [
    ("0x1F", U(31)),
    ("0x1f", U(31)),
    ("0xFFFFFF", U(0xFFFFFF)),
    ("0x0", U(0)),
    ("0b101", U(5)),
    ("0b0", U(0)),
    ("007", U(7)),
    ("-0", I(0)),
    ("+1.5", F(F1_5)),
    ("1.0000152587890625", F(F1)),                  # exactly 1 + 2^-16: f24 tie -> even
    ("1.00001525878907", F(F1)),                    # rounds to that f32 tie first (§2), then even
    ("1.0000457763671875", F(F1P2M14)),             # exactly 1 + 3*2^-16: tie, odd -> up
])
def test_parse_literal_more(text, n):
    assert N.parse_literal(text) == n


@pytest.mark.parametrize("text", ["NaN", "+NaN"])
def test_parse_nan(text):
    assert is_f24_nan(N.parse_literal(text))


@pytest.mark.parametrize("text, bits", [("1.5", F1_5), ("0.1", F0_1), ("-0.25", FM0_25),
                                        ("100.0", F100), ("1.00001525878907", F1)])
def test_parse_float(text, bits):
    assert N.parse_float(text) == F(bits)


@pytest.mark.parametrize("text", [
    "16777216",                                     # u24 out of range
    "99999999999",
    "0x1000000",
    "0b1000000000000000000000000",                  # 2^24
    "+8388608",                                     # i24 out of range
    "-8388609",
    "1x", "0x", "0b", "0b2", "0xG", "++1", "--1", "+-1", "1.2.3", "", "abc", "1+", "+",
])
def test_parse_literal_rejects(text):
    with pytest.raises(ValueError):
        N.parse_literal(text)


def test_format_partials_and_syms():
    assert N.format_numb(P(1, ADD)) == "[+0x0000001]"
    assert N.format_numb(P(10, ADD)) == "[+0x000000A]"        # §4 Printing example
    assert N.format_numb(P(0xABCDEF, SUB)) == "[-0x0ABCDEF]"
    assert N.format_numb(P(0xFFFFFF, FP_SHR)) == "[:>>0x0FFFFFF]"
    assert N.format_numb(P(0, LT)) == "[<0x0000000]"
    assert N.format_numb(N.new_sym(ADD)) == "[+]"
    assert N.format_numb(N.new_sym(U24)) == "[u24]"
    assert N.format_numb(N.new_sym(I24)) == "[i24]"
    assert N.format_numb(N.new_sym(F24)) == "[f24]"


@pytest.mark.parametrize("op", OPERATORS)
def test_format_every_operator(op):
    assert N.format_numb(S(op)) == f"[{SYMBOL[op]}]"
    assert N.format_numb(P(0x12345, op)) == f"[{SYMBOL[op]}0x0012345]"


@settings(max_examples=300, deadline=None)
@given(payloads)
def test_roundtrip_u24(x):
    assert N.format_numb(U(x)) == str(x)
    assert N.parse_literal(N.format_numb(U(x))) == U(x)


@settings(max_examples=300, deadline=None)
@given(payloads)
def test_roundtrip_i24(x):
    assert N.format_numb(I(x)) == f"{sx24(x):+d}"
    assert N.parse_literal(N.format_numb(I(x))) == I(x)


@settings(max_examples=500, deadline=None)
@given(payloads)
def test_roundtrip_f24(bits):
    assume(not is_nan_bits(bits))
    text = N.format_numb(F(bits))
    if bits in (INF, NINF):
        assert text == ("+inf" if bits == INF else "-inf")
    else:
        assert "." in text
    assert N.parse_literal(text) == F(bits)



# --------------------------------------------------------------------------------------------
# C semantics of the transcendental operators and the one canonical NaN (the project's choice:
# HVM2 calls the C library; the NaN an operation makes is always the same quiet +NaN).
# --------------------------------------------------------------------------------------------
F_POS_INF, F_NEG_INF = 0x7F8000, 0xFF8000
F_TWO, F_NEG_TWO, F_THREE, F_MINUS_ONE = 0x400000, 0xC00000, 0x404000, 0xBF8000


@pytest.mark.parametrize(
    "left, op, right, expected",
    [
        (F0, XOR, F_MINUS_ONE, F_POS_INF),  # pow(0, -1) = +inf (a pole, not a NaN)
        (FN0, XOR, 0xC04000, F_NEG_INF),  # pow(-0, -3) = -inf (odd exponent keeps the sign)
        (F_NEG_TWO, XOR, F_THREE, 0xC10000),  # pow(-2, 3) = -8
        (0xC12000, XOR, 0x421C00, F_NEG_INF),  # pow(-10, 39) overflows f32: -inf
        (0xC12000, XOR, 0x448020, F_NEG_INF),  # pow(-10, 1025) overflows double: still -inf
        (F_TWO, XOR, 0x3F0000, 0x3FB505),  # pow(2, 0.5) = sqrt 2
    ],
)
def test_pow_follows_c(left, op, right, expected):
    assert N.operate(P(left, op), F(right)) == F(expected)


@pytest.mark.parametrize(
    "left, op, right",
    [(F0, DIV, F0), (F_POS_INF, SUB, F_POS_INF), (F_NEG_TWO, XOR, 0x3F0000), (F_POS_INF, SHL, F0),
     (0x7FC123, ADD, 0xFFC000), (0xFFC000, MUL, F_TWO), (F_TWO, REM, F0), (F_MINUS_ONE, OR, F_TWO)],
)
def test_every_nan_result_is_the_canonical_nan(left, op, right):
    assert N.operate(P(left, op), F(right)) == F(N.CANONICAL_NAN)
