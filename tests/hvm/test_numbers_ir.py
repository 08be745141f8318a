"""hvm.numbers_ir: the LLVM IR `hvm_operate` against hvm.numbers.operate, bit for bit.

The function is built into a module of its own, optimised at O3, JIT-compiled once per test
session and called through ctypes. Every result is compared with `hvm.numbers.operate`, except
in the two places where numbers.py gives no single answer (see `reference`).
"""

from __future__ import annotations

import ctypes
import itertools

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from llvmlite import ir

from hvm import numbers as N
from hvm.numbers_ir import FUNCTION_NAME, define_operate

OPERATORS = range(N.ADD, N.FP_SHR + 1)
TYPES = (N.U24, N.I24, N.F24)
# Operators whose NaN result, when both f24 operands are NaN, comes from the hardware: the
# value is the operand written first in numbers.py's expression (True: the left one).


def f24(x: float) -> int:
    return N.payload_of(N.new_f24(x))


INT_PAYLOADS = [0, 1, 2, 3, 7, 31, 32, 33, 0x7FFFFF, 0x800000, 0x800001, 0xFFFFFF, 0xFFFFFE]
F24_PAYLOADS = [
    f24(0.0), f24(-0.0), f24(1.0), f24(-1.0), f24(0.5), f24(1.5), f24(2.0), f24(-2.5), f24(3.7),
    f24(3.0), f24(-3.0), f24(10.0), f24(0.1), f24(-0.75), f24(100.5), f24(1e20), f24(-1e-20),
    0x7F8000,  # +inf
    0xFF8000,  # -inf
    0x7FC000,  # NaN (math.nan)
    0xFFC000,  # negative NaN (x86's default NaN)
    0x7FC123,  # quiet NaN with a payload
    0xFF8001,  # signalling NaN, negative
    0x7F7FFF,  # largest finite f24
    0xFF7FFF,  # most negative finite f24
    0x000001,  # smallest subnormal f24
    0x007FFF,  # largest subnormal f24
    0x008000,  # smallest normal f24
    # around the cast saturation bounds: 2^24 - 1 = 16777215, 2^23 = 8388608
    f24(16777216.0), f24(16777215.0), f24(16711680.0), 0x4B7FFF, 0x4B8000, 0x4B0000, 0x4AFFFF,
    0xCB0000, 0xCB0001, 0xCAFFFF, f24(-0.5), f24(0.999), f24(-0.999), f24(8388607.5),
    # pow overflowing f32 (finite double, keeps its sign) or double (numbers.py: +inf)
    f24(-10.0), f24(39.0), f24(1025.0), f24(-1025.0), f24(1 / 3), f24(1e-3),
]
PAYLOADS = sorted(set(INT_PAYLOADS + F24_PAYLOADS))


def numb(payload: int, tag: int) -> int:
    return ((payload & 0xFFFFFF) << 5) | tag


def reference(a: int, b: int) -> int:
    """What the IR must give: numbers.operate(a, b)."""
    return N.operate(a, b)


@pytest.fixture(scope="module")
def operate():
    import llvmlite.binding as llvm

    llvm.initialize_native_target()
    llvm.initialize_native_asmprinter()
    module = ir.Module(name="numbers_ir_test")
    fn = define_operate(module)
    assert define_operate(module) is fn
    target = llvm.Target.from_default_triple()

    def machine():
        return target.create_target_machine(
            cpu=llvm.get_host_cpu_name(), features=llvm.get_host_cpu_features().flatten(),
            opt=3, reloc="pic", codemodel="default",
        )

    tm = machine()
    module.triple = llvm.get_process_triple()
    module.data_layout = str(tm.target_data)
    mod = llvm.parse_assembly(str(module))
    mod.verify()
    pto = llvm.create_pipeline_tuning_options(speed_level=3)
    pb = llvm.create_pass_builder(tm, pto)
    pb.getModulePassManager().run(mod, pb)
    mod.verify()
    optimized = str(mod)
    obj = tm.emit_object(mod)
    lj = llvm.create_lljit_compiler(machine())
    lib = (
        llvm.JITLibraryBuilder().add_object_img(obj).add_current_process()
        .export_symbol(FUNCTION_NAME).link(lj, "numbers_ir_test")
    )
    cfunc = ctypes.CFUNCTYPE(ctypes.c_uint32, ctypes.c_uint32, ctypes.c_uint32)(lib[FUNCTION_NAME])
    cfunc.keep_alive = (lj, lib, optimized)  # the code lives as long as the JIT and library
    return cfunc


def check_all(operate, pairs) -> int:
    """Compare every pair; fail with the first few mismatches, shown in HVM2 syntax."""
    bad, count = [], 0
    for a, b in pairs:
        count += 1
        got, want = operate(a, b), reference(a, b)
        if got != want:
            bad.append(f"{N.format_numb(a)} ~ {N.format_numb(b)} (0x{a:08X}, 0x{b:08X}): "
                       f"got 0x{got:08X} {N.format_numb(got)}, "
                       f"want 0x{want:08X} {N.format_numb(want)}")
    assert not bad, f"{len(bad)} of {count} differ:\n" + "\n".join(bad[:20])
    return count


# --------------------------------------------------------------------------------------------
# The module itself


def test_defined_once_with_libm_declarations():
    module = ir.Module(name="m")
    ir.Function(module, ir.FunctionType(ir.DoubleType(), [ir.DoubleType()]), "sin")
    fn = define_operate(module)
    assert define_operate(module) is fn
    text = str(module)
    assert text.count('declare double @"sin"') == 1
    for name in ("atan2", "log", "pow", "tan"):
        assert f'@"{name}"' in text
    assert "noinline" not in text


def test_optimised_code_keeps_double_precision_libm_calls(operate):
    # numbers.py calls glibc's double functions; a shrink to sinf/logf/... would change results
    optimized = operate.keep_alive[2]
    for name in ("sinf", "tanf", "logf", "powf", "atan2f"):
        assert f"@{name}(" not in optimized


# --------------------------------------------------------------------------------------------
# Exhaustive tables


@pytest.mark.parametrize("ty", TYPES, ids=["u24", "i24", "f24"])
def test_every_operator_on_interesting_payloads(operate, ty):
    pairs = []
    for op in OPERATORS:
        for pl, pr in itertools.product(PAYLOADS, repeat=2):
            partial, typed = numb(pl, op), numb(pr, ty)
            pairs += [(partial, typed), (typed, partial)]
    assert check_all(operate, pairs) == 2 * len(OPERATORS) * len(PAYLOADS) ** 2


def test_unknown_operator_tags(operate):
    pairs = [(numb(p, op), numb(q, ty)) for op in range(N.FP_SHR + 1, 32) for ty in TYPES
             for p in INT_PAYLOADS for q in INT_PAYLOADS]
    check_all(operate, pairs + [(b, a) for a, b in pairs])


def everything() -> list[int]:
    """Typed numbs, partials and SYMs of every tag over the interesting payloads."""
    words = [numb(p, tag) for p in PAYLOADS for tag in range(32)]
    return words + [numb(code, N.SYM) for code in range(64)]


def test_sym_meets_everything(operate):
    syms = [numb(code, N.SYM) for code in list(range(40)) + INT_PAYLOADS]
    pairs = [(s, w) for s in syms for w in everything()]
    check_all(operate, pairs + [(w, s) for s, w in pairs])


def test_casts(operate):
    casts = [numb(ty, N.SYM) for ty in TYPES]
    typed = [numb(p, ty) for ty in TYPES for p in PAYLOADS]
    # f24 values on both sides of every saturation bound, and near zero
    bounds = [16777215.0, 16777216.0, 8388607.0, 8388608.0, -8388608.0, -8388609.0, 0.0, 1.0]
    for x in bounds:
        bits = N.f32_bits(x) >> 8
        typed += [numb(bits + d, N.F24) for d in (-2, -1, 0, 1, 2) if 0 <= bits + d <= 0xFFFFFF]
    typed += [numb(f24(x), N.F24) for x in (0.99, -0.99, 1e-30, -1e-30, 12345.67, -12345.67)]
    pairs = [(c, t) for c in casts for t in typed]
    check_all(operate, pairs + [(t, c) for c, t in pairs])
    # all u24 payloads near the ends, cast to f24 (int -> f32 -> f24 rounding)
    ends = [*range(0, 600), *range(0xFFFF00, 0x1000000), *range(0x7FFF00, 0x800100)]
    ints = [numb(p, ty) for ty in (N.U24, N.I24) for p in ends]
    check_all(operate, [(numb(N.F24, N.SYM), n) for n in ints])


def test_partial_meets_partial_and_typed_meets_typed(operate):
    partials = [numb(p, op) for p in INT_PAYLOADS for op in range(N.ADD, 32)]
    typed = [numb(p, ty) for p in PAYLOADS for ty in TYPES]
    pairs = [*itertools.product(partials[::3], partials[1::3]), *itertools.product(typed, typed)]
    check_all(operate, pairs)


def test_f24_results_round_to_nearest_even(operate):
    # 1 + tiny values whose f32 sum sits on, below and above an f24 rounding tie
    one = numb(f24(1.0), N.ADD)
    tiny = [numb(N.f32_bits(2.0 ** -k) >> 8, N.F24) for k in range(10, 30)]
    check_all(operate, [(one, t) for t in tiny] + [(t, one) for t in tiny])


# --------------------------------------------------------------------------------------------
# Properties

WORDS = st.integers(0, 2**29 - 1)
PAYLOAD = st.one_of(st.sampled_from(PAYLOADS), st.integers(0, 0xFFFFFF))


@pytest.mark.slow
@settings(max_examples=8000, deadline=None)
@given(WORDS, WORDS)
def test_any_two_words(operate, a, b):
    assert operate(a, b) == reference(a, b)


@pytest.mark.slow
@settings(max_examples=8000, deadline=None)
@given(PAYLOAD, st.integers(N.ADD, 31), PAYLOAD, st.sampled_from(TYPES), st.booleans())
def test_operator_meets_typed(operate, pl, op, pr, ty, flip):
    a, b = numb(pl, op), numb(pr, ty)
    if flip:
        a, b = b, a
    assert operate(a, b) == reference(a, b)


F24_PAYLOAD = st.one_of(
    st.sampled_from(F24_PAYLOADS),
    st.integers(0, 0xFFFFFF),
    st.floats(width=32, allow_nan=True).map(lambda x: N.f24_bits_from_f32(N.f32_bits(x))),
    st.integers(-200, 200).map(lambda n: f24(float(n) / 4)),
)


@pytest.mark.slow
@settings(max_examples=6000, deadline=None)
@given(F24_PAYLOAD, st.sampled_from(list(OPERATORS)), F24_PAYLOAD)
def test_f24_operators(operate, pl, op, pr):
    a, b = numb(pl, op), numb(pr, N.F24)
    assert operate(a, b) == reference(a, b)
