"""HVM2 numbers: u24 / i24 / f24 values, operators and casts, bit-exact with HVM2.

In:  29-bit number words ("numbs") as they sit inside a NUM port.
Out: new numbs (`operate`), their text (`format_numb`) and their value (`parse_literal`).

A numb is `payload24 << 5 | numtag5`. The numtag is a type (U24, I24, F24), SYM for an
unapplied operator or cast (`[+]`, `[u24]`; the payload is the operator or type code), or an
operator code for a partially applied operator (`[+1]`: payload = the left operand's bits,
untyped until it meets a typed number).

`operate(a, b)` is symmetric in the sense HVM2 defines it (see notes/hvm2-runtime.md §4).
One deliberate difference from HVM2: integer division and remainder by zero never crash.
We follow Lean and Pony: `x / 0 == 0` and `x % 0 == x` (so `(x / y) * y + x % y == x` holds
for every y), for u24 and i24 alike. f24 keeps IEEE behaviour (`1.0 / 0.0 == +inf`), and the
transcendental operators are the C library's (`atan2`, `log`, `pow`, `sin`, `tan`, called
through ctypes, so that the native runtimes, which call the same functions, agree bit for
bit). A NaN result of an f24 operation is always the same NaN, `CANONICAL_NAN` (HVM2 keeps
whichever NaN the hardware produced; every NaN prints as `+NaN`, so nothing visible differs).
"""

from __future__ import annotations

import ctypes
import math
import operator
import re
import struct
from fractions import Fraction

from hvm.errors import abbreviate

# numtags
SYM, U24, I24, F24 = 0, 1, 2, 3
ADD, SUB, FP_SUB, MUL, DIV, FP_DIV, REM, FP_REM = 4, 5, 6, 7, 8, 9, 10, 11
EQ, NEQ, LT, GT, AND, OR, XOR, SHL, FP_SHL, SHR, FP_SHR = 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22

MASK24 = 0xFFFFFF
CANONICAL_NAN = 0x7FC001  # the f24 payload of every NaN an operation produces (a quiet +NaN)


def _open_libm():
    """The C math library, by its usual name first: ctypes.util.find_library runs `ldconfig -p`
    in a subprocess (about 20 ms of every start-up)."""
    try:
        return ctypes.CDLL("libm.so.6")
    except OSError:
        from ctypes.util import find_library

        return ctypes.CDLL(find_library("m") or None)


_libm = _open_libm()
for _name, _arity in (("atan2", 2), ("log", 1), ("pow", 2), ("sin", 1), ("tan", 1), ("fmod", 2)):
    getattr(_libm, _name).restype = ctypes.c_double
    getattr(_libm, _name).argtypes = [ctypes.c_double] * _arity
TYPE_NAMES = {U24: "u24", I24: "i24", F24: "f24"}
OPERATOR_SYMBOLS = {
    ADD: "+", SUB: "-", FP_SUB: ":-", MUL: "*", DIV: "/", FP_DIV: ":/", REM: "%", FP_REM: ":%",
    EQ: "=", NEQ: "!", LT: "<", GT: ">", AND: "&", OR: "|", XOR: "^",
    SHL: "<<", FP_SHL: ":<<", SHR: ">>", FP_SHR: ":>>",
}
# Longest symbols first, so that `<<` is not read as `<` followed by junk.
SYMBOLS_BY_LENGTH = sorted(
    [(s, code) for code, s in OPERATOR_SYMBOLS.items()] + [(n, code) for code, n in TYPE_NAMES.items()],
    key=lambda item: -len(item[0]),
)


# ---------------------------------------------------------------------------------------------
# Encoding and decoding


def numb(payload: int, tag: int) -> int:
    return ((payload & MASK24) << 5) | tag


def tag_of(n: int) -> int:
    return n & 0x1F


def payload_of(n: int) -> int:
    return (n >> 5) & MASK24


def new_u24(value: int) -> int:
    return numb(value, U24)


def new_i24(value: int) -> int:
    return numb(value, I24)


def new_sym(code: int) -> int:
    return numb(code, SYM)


def get_i24(n: int) -> int:
    """The payload read as 24-bit two's complement."""
    p = payload_of(n)
    return p - (1 << 24) if p & 0x800000 else p


def f32_bits(x: float) -> int:
    """The bits of the binary32 nearest to `x` (ties to even; overflow gives infinity)."""
    try:
        return struct.unpack("<I", struct.pack("<f", x))[0]
    except OverflowError:
        return 0x7F800000 if x > 0 else 0xFF800000


def f24_bits_from_f32(bits: int) -> int:
    """Drop the 8 low mantissa bits of a binary32, rounding ties to even; NaN stays NaN."""
    is_nan = (bits & 0x7F800000) == 0x7F800000 and (bits & 0x7FFFFF) != 0
    shifted, lost = bits >> 8, bits & 0xFF
    if is_nan:
        return shifted | 1
    if lost > 0x80 or (lost == 0x80 and shifted & 1):
        shifted += 1
    return shifted


def new_f24(x: float) -> int:
    """An f24 numb from a Python float: rounded to binary32, then to f24, as HVM2 does.

    Every NaN becomes CANONICAL_NAN.
    """
    if x != x:
        return numb(CANONICAL_NAN, F24)
    return numb(f24_bits_from_f32(f32_bits(x)), F24)


def get_f24(n: int) -> float:
    """The f24 payload as a float (exact: every f24 is a binary32)."""
    return struct.unpack("<f", struct.pack("<I", payload_of(n) << 8))[0]


def to_f32(x: float) -> float:
    """Round a Python float to the nearest binary32 value (C's `(float)x`)."""
    return struct.unpack("<f", struct.pack("<I", f32_bits(x)))[0]


# ---------------------------------------------------------------------------------------------
# Operations


def operate(a: int, b: int) -> int:
    """The result of numbers `a` and `b` meeting at an OPR node (HVM2's `operate`)."""
    at, bt = a & 0x1F, b & 0x1F
    if at == SYM and bt == SYM:
        return new_u24(0)
    if at == SYM and U24 <= payload_of(a) <= F24 and U24 <= bt <= F24:
        return cast(payload_of(a), b)
    if bt == SYM and U24 <= payload_of(b) <= F24 and U24 <= at <= F24:
        return cast(payload_of(b), a)
    if at == SYM:
        return (b & ~0x1F) | payload_of(a)  # the operator takes b's bits as its left operand
    if bt == SYM:
        return (a & ~0x1F) | payload_of(b)
    if at >= ADD and bt >= ADD:
        return new_u24(0)
    if at < ADD and bt < ADD:
        return new_u24(0)
    if at >= ADD:
        op, left, right = at, a, b
    else:
        op, left, right = bt, b, a
    ty = right & 0x1F
    if ty == U24:
        return _operate_u24(op, payload_of(left), payload_of(right))
    if ty == I24:
        return _operate_i24(op, get_i24(left), get_i24(right))
    return _operate_f24(op, get_f24(numb(payload_of(left), F24)), get_f24(right))


def _c_div(x: int, y: int) -> int:
    """C's truncating integer division; division by zero gives 0 (our defined result)."""
    if y == 0:
        return 0
    q = abs(x) // abs(y)
    return q if (x < 0) == (y < 0) else -q


def _c_rem(x: int, y: int) -> int:
    """C's remainder (sign of the dividend); remainder by zero gives x (our defined result)."""
    if y == 0:
        return x
    return x - y * _c_div(x, y)


COMPARISONS = {EQ: operator.eq, NEQ: operator.ne, LT: operator.lt, GT: operator.gt}
# integer operators shared by u24 and i24 (the result is wrapped by the type's constructor)
INTEGER_OPERATORS = {
    ADD: operator.add, SUB: operator.sub, FP_SUB: lambda a, b: b - a, MUL: operator.mul,
    DIV: _c_div, FP_DIV: lambda a, b: _c_div(b, a), REM: _c_rem, FP_REM: lambda a, b: _c_rem(b, a),
    AND: operator.and_, OR: operator.or_, XOR: operator.xor,
}
U24_SHIFTS = {
    SHL: lambda a, b: a << (b & 31), FP_SHL: lambda a, b: b << (a & 31),
    SHR: lambda a, b: a >> (b & 31), FP_SHR: lambda a, b: b >> (a & 31),
}


def _operate_u24(op: int, a: int, b: int) -> int:
    if op in COMPARISONS:
        return new_u24(int(COMPARISONS[op](a, b)))
    fn = INTEGER_OPERATORS.get(op) or U24_SHIFTS.get(op)
    return new_u24(fn(a, b) if fn else 0)  # no operator has a code above FP_SHR


def _operate_i24(op: int, a: int, b: int) -> int:
    if op in COMPARISONS:
        return new_u24(int(COMPARISONS[op](a, b)))
    if op in INTEGER_OPERATORS:
        return new_i24(INTEGER_OPERATORS[op](a, b))
    return new_i24(0)  # shifts are not defined on i24 in HVM2: the result is i24 0


def _ieee_div(x: float, y: float) -> float:
    if y != 0.0:
        return x / y
    if x != x or x == 0.0:
        return math.nan
    negative = (math.copysign(1.0, x) < 0) != (math.copysign(1.0, y) < 0)
    return -math.inf if negative else math.inf


def _operate_f24(op: int, a: float, b: float) -> int:
    if op in COMPARISONS:
        return new_u24(int(COMPARISONS[op](a, b)))
    # Each result is the exact IEEE result rounded once to binary32, as C's float arithmetic
    # gives it (double holds every product/sum/quotient of two binary32 values precisely
    # enough that rounding it to binary32 is a single correct rounding); fmod is exact.
    if op == ADD:
        r = a + b
    elif op == SUB:
        r = a - b
    elif op == FP_SUB:
        r = b - a
    elif op == MUL:
        r = a * b
    elif op == DIV:
        r = _ieee_div(a, b)
    elif op == FP_DIV:
        r = _ieee_div(b, a)
    elif op == REM:
        r = _libm.fmod(a, b)
    elif op == FP_REM:
        r = _libm.fmod(b, a)
    elif op == AND:
        r = _libm.atan2(a, b)
    elif op == OR:  # logf(b) / logf(a): the logarithm of b in base a
        r = _ieee_div(to_f32(_libm.log(b)), to_f32(_libm.log(a)))
    elif op == XOR:
        r = _libm.pow(a, b)
    elif op == SHL:
        r = _libm.sin(to_f32(a + b))
    elif op == SHR:
        r = _libm.tan(to_f32(a + b))
    else:  # the flipped shifts are not defined on f24 in HVM2: the result is f24 0
        r = 0.0
    return new_f24(r)


def cast(to: int, n: int) -> int:
    """Convert the typed number `n` to type `to` (U24, I24 or F24), like Rust's `as`."""
    ty = n & 0x1F
    if to == ty:
        return n
    if to in (U24, I24) and ty in (U24, I24):
        return numb(payload_of(n), to)  # the bits are reinterpreted
    if to == F24:
        return new_f24(float(payload_of(n) if ty == U24 else get_i24(n)))
    value = get_f24(n)
    if value != value:
        return numb(0, to)
    lo, hi = (0, MASK24) if to == U24 else (-(1 << 23), (1 << 23) - 1)
    if value <= lo:
        return numb(lo, to)
    if value >= hi:
        return numb(hi, to)
    return numb(int(value), to)


# ---------------------------------------------------------------------------------------------
# Text


def format_numb(n: int) -> str:
    """The HVM2 text of a numb: `42`, `+5`, `-3`, `1.5`, `+inf`, `[+]`, `[u24]`, `[*0x0000002]`."""
    tag = n & 0x1F
    if tag == U24:
        return str(payload_of(n))
    if tag == I24:
        return f"{get_i24(n):+d}"
    if tag == F24:
        return format_f24(n)
    if tag == SYM:
        code = payload_of(n)
        if code in TYPE_NAMES:
            return f"[{TYPE_NAMES[code]}]"
        if code in OPERATOR_SYMBOLS:
            return f"[{OPERATOR_SYMBOLS[code]}]"
        return f"[?0x{code:07X}]"  # not producible from text; shown, never parsed back
    return f"[{OPERATOR_SYMBOLS.get(tag, '?')}0x{payload_of(n):07X}]"


def format_f24(n: int) -> str:
    """The shortest decimal that reads back to the same f24, always with a `.` in it."""
    value = get_f24(n)
    if value != value:
        return "+NaN"
    if math.isinf(value):
        return "+inf" if value > 0 else "-inf"
    if value == 0.0:
        return "-0.0" if math.copysign(1.0, value) < 0 else "0.0"
    bits = payload_of(n)
    for digits in range(1, 10):
        text = f"{value:.{digits - 1}e}"
        if payload_of(parse_float(text)) == bits:
            break
    mantissa, exponent = text.split("e")
    exp = int(exponent)
    sign = "-" if mantissa.startswith("-") else ""
    figures = mantissa.lstrip("-").replace(".", "")
    if -5 <= exp < 16:
        if exp >= 0:
            whole = figures[: exp + 1].ljust(exp + 1, "0")
            frac = figures[exp + 1 :] or "0"
        else:
            whole, frac = "0", "0" * (-exp - 1) + figures
        return f"{sign}{whole}.{frac}"
    return f"{sign}{figures[0]}.{figures[1:] or '0'}e{exp}"


def _round_fraction_to_f32_bits(x: Fraction) -> int:
    """Correctly rounded (ties to even) binary32 bits of a non-negative rational."""
    if x == 0:
        return 0
    exp = x.numerator.bit_length() - x.denominator.bit_length()
    if Fraction(2) ** exp > x:
        exp -= 1
    # x in [2^exp, 2^(exp+1)); binary32 normals have exp in [-126, 127], 24 significant bits
    exp = max(exp, -126)
    scaled = x / Fraction(2) ** (exp - 23)  # the significand, scaled to an integer range
    mant, rest = divmod(scaled.numerator, scaled.denominator)
    twice = 2 * rest
    if twice > scaled.denominator or (twice == scaled.denominator and mant & 1):
        mant += 1
    if mant == 1 << 24:
        mant, exp = 1 << 23, exp + 1
    if exp > 127:
        return 0x7F800000
    if mant < (1 << 23):  # subnormal (exp was clamped to -126)
        return mant
    return ((exp + 127) << 23) | (mant & 0x7FFFFF)


_DECIMAL = re.compile(r"([0-9]*)(?:\.([0-9]*))?(?:[eE]([+-]?[0-9]+))?")
SHORT_DECIMAL = 400  # longer decimal text is cut to the digits that can matter (Fraction refuses 4,300)
KEPT_DIGITS = 800  # significant digits kept: more than any halfway point between two f32s has


def _decimal(body: str) -> Fraction:
    """The exact value of decimal text (`1.5`, `.5`, `2e3`), or a value with the same f32 rounding
    when it is long: its first KEPT_DIGITS significant digits and a 1 standing for any others."""
    if len(body) <= SHORT_DECIMAL:
        return Fraction(body)
    m = _DECIMAL.fullmatch(body)
    if m is None or not (m.group(1) or m.group(2)):
        raise ValueError(body)
    whole, frac, exponent = m.group(1), m.group(2) or "", m.group(3) or "0"
    digits = (whole + frac).lstrip("0")
    if not digits:
        return Fraction(0)
    # the value is 0.DIGITS x 10^point
    point = len(whole) - (len(whole + frac) - len(digits))
    if len(exponent.lstrip("+-")) > 12:  # (past every f32 either way)
        return Fraction(0) if exponent.startswith("-") else Fraction(10) ** 40
    point += int(exponent)
    if point > 40:  # at least 10^39: past the largest f32
        return Fraction(10) ** 40
    if point < -60:  # below 10^-60: under half the smallest f32
        return Fraction(0)
    kept = digits[:KEPT_DIGITS]
    if digits[KEPT_DIGITS:].strip("0"):
        kept += "1"
    return Fraction(int(kept)) * Fraction(10) ** (point - len(kept))


def parse_float(text: str) -> int:
    """The f24 numb of a float literal, read as Rust's `f32::from_str` does, then to f24.

    Raises ValueError for text that is not a float.
    """
    body = text.lstrip("+-")
    negative = text.startswith("-")
    if text[:1] in "+-" and body[:1] in ("+", "-"):
        raise ValueError(text)
    lowered = body.lower()
    if lowered in ("inf", "infinity"):
        bits = 0x7F800000
    elif lowered == "nan":
        bits = 0x7FC00000
    else:
        if not body or body[0] not in "0123456789." or "_" in body or body.lower().startswith("0x"):
            raise ValueError(text)
        bits = _round_fraction_to_f32_bits(_decimal(body))
    if negative:
        bits |= 0x80000000
    return numb(f24_bits_from_f32(bits), F24)


def parse_literal(text: str) -> int:
    """The numb of a number literal (`42`, `0x1F`, `0b101`, `+5`, `-12`, `1.5`, `+inf`, `NaN`).

    Raises ValueError with a reason when the text is not a literal or is out of range.
    """
    if "." in text or "inf" in text or "NaN" in text:
        try:
            return parse_float(text)
        except (ValueError, ZeroDivisionError):
            raise ValueError(f"`{abbreviate(text)}` is not a valid f24 literal") from None
    signed = text[:1] in ("+", "-")
    body = text[1:] if signed else text
    value = _parse_unsigned(body)
    if value is None:
        raise ValueError(f"`{abbreviate(text)}` is not a valid number literal")
    if signed:
        value = -value if text[0] == "-" else value
        if not -(1 << 23) <= value < (1 << 23):
            raise ValueError(f"`{abbreviate(text)}` does not fit in i24 (range -8388608 to +8388607)")
        return new_i24(value)
    if value > MASK24:
        raise ValueError(f"`{abbreviate(text)}` does not fit in u24 (range 0 to 16777215)")
    return new_u24(value)


def _parse_unsigned(body: str) -> int | None:
    base, digits = 10, body
    if body[:2] in ("0x", "0X"):
        base, digits = 16, body[2:]
    elif body[:2] in ("0b", "0B"):
        base, digits = 2, body[2:]
    allowed = "0123456789abcdefABCDEF"[: 22 if base == 16 else base]
    if not digits or any(c not in allowed for c in digits):
        return None
    digits = digits.lstrip("0")
    if len(digits) > 64:  # (past every range; Python refuses to convert 4,300 decimal digits)
        return 1 << 256
    return int(digits or "0", base)


def bend_text(numb: int) -> str:
    """A number word as Bend prints a result: `42`, `+3`, `-3`, `1.500`, `NaN`, `inf` (an
    operator or a partial operation as HVM2 writes it)."""
    tag = tag_of(numb)
    if tag == U24:
        return str(payload_of(numb))
    if tag == I24:
        value = get_i24(numb)
        return f"{'-' if value < 0 else '+'}{abs(value)}"
    if tag == F24:
        value = get_f24(numb)
        if value != value:
            return "NaN"
        if value in (float("inf"), float("-inf")):
            return "inf" if value > 0 else "-inf"
        return f"{value:.3f}"
    return format_numb(numb)


def python_value(numb: int) -> int | float | None:
    """A u24 or i24 number word as an int, an f24 one as a float; None for an operator."""
    tag = tag_of(numb)
    if tag == U24:
        return payload_of(numb)
    if tag == I24:
        return get_i24(numb)
    if tag == F24:
        return get_f24(numb)
    return None
