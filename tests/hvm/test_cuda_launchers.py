"""The real GPU launchers (cuda-python, PyCUDA), end to end over fake drivers (tests/hvm/fake_cuda.py).

In:  small nets run by CudaBackend through each launcher, on a FakeGpu (the host emulation).
Out: the reference evaluator's results and counts; NoGpu's reasons; out of GPU memory and a
     deadline while a kernel runs as LimitError; the launcher open_launcher(None) picks; the PTX
     loaded; PyCUDA's context popped at exit; and, where cuda-bindings is installed, that the fake
     has the real bindings' signatures and enum values.
"""

from __future__ import annotations

import inspect
import re
import sys

import pytest
from support import HVM_PROGRAMS, run_text

from hvm.cuda.backend import CudaBackend, Shape, host_shape
from hvm.cuda.launch import NoGpu, choose_arch, open_launcher
from hvm.cuda.layout import shared_bytes
from hvm.cuda.ptx import ptx
from hvm.errors import HvmError, LimitError
from hvm.syntax import parse_book, show_tree

from .fake_cuda import (FakeGpu, cuda_python_module, fake_cuda_python, fake_pycuda,  # noqa: F401 (fixtures)
                        install_cuda_python, install_pycuda)

LAUNCHERS = ["cuda-python", "pycuda"]
INSTALL = {"cuda-python": install_cuda_python, "pycuda": install_pycuda}
FIB = (HVM_PROGRAMS / "fib.hvm").read_text().replace("(30 a)", "(12 a)")
NETS = [
    "@main = r\n  & (x r) ~ (5 x)",
    "@main = (a b)\n  & * ~ {a b}",
    "@dup = ({a b} (a b))\n@main = (a b)\n  & @dup ~ {a b}",
    "@main = r\n  & 4 ~ ?((10 ($([*2] y) y)) r)",
    "@add = ($([+] $(a b)) (a b))\n@main = (x (y r))\n  & @add ~ (x (y r))",
    FIB,
]


@pytest.fixture(params=LAUNCHERS)
def device(request) -> tuple[str, FakeGpu]:
    """(launcher name, its FakeGpu), for each launcher."""
    return request.param, request.getfixturevalue("fake_" + request.param.replace("-", "_"))


def install(monkeypatch, launcher: str, gpu: FakeGpu | None) -> None:
    if launcher == "pycuda":
        pytest.importorskip("numpy")
    INSTALL[launcher](monkeypatch, gpu)


def run(launcher: str, text: str, shape: Shape | None = None, **options):
    result = CudaBackend().run(parse_book(text), launcher=launcher, memory=64 << 20, shape=shape or host_shape(),
                               **options)
    return show_tree(result.tree), result


@pytest.mark.parametrize("text", NETS, ids=range(len(NETS)))
def test_nets_give_the_reference_results(device, text):
    launcher, gpu = device
    expected, reference = run_text(text)
    got, result = run(launcher, text)
    assert got == expected
    assert result.stats.rules == reference.stats.rules
    assert {launch[0] for launch in gpu.launches} == {"hvm_turn", "hvm_gather"}
    assert gpu.allocations == {} and gpu.blocked == []


def test_device_facts(device):
    launcher, gpu = device
    gpu.name, gpu.compute_capability, gpu.sm_count = "NVIDIA A100-SXM4-80GB", (8, 0), 108
    info = open_launcher(launcher).info()
    assert (info.name, info.compute_capability, info.sm_count) == (gpu.name, (8, 0), 108)
    assert (info.shared_per_block, info.shared_per_sm) == (gpu.shared_per_block, gpu.shared_per_sm)
    assert (info.free_memory, info.total_memory) == (gpu.memory, gpu.memory)


def test_a_block_above_48k_of_shared_memory_opts_in(device):
    launcher, gpu = device
    shape = Shape(blocks=2, threads=8, per_thread=640, page=32, hcap=16, rcap=16, steps=8, rounds=16)
    assert shared_bytes(shape.local) > 48 << 10  # the fake refuses such a launch without the opt-in
    expected, reference = run_text(FIB)
    got, result = run(launcher, FIB, shape)
    assert (got, result.stats.rules) == (expected, reference.stats.rules)
    assert {launch[3] for launch in gpu.launches} == {shared_bytes(shape.local), 0}


def test_the_runtime_ptx_is_loaded_once(device):
    launcher, gpu = device
    run(launcher, FIB)
    run(launcher, NETS[0])
    assert gpu.images == [ptx(choose_arch(gpu.compute_capability)).text]


@pytest.mark.parametrize(("launcher", "reason"), [("cuda-python", "cuda-python is not installed"),
                                                  ("pycuda", "PyCUDA is not installed")])
def test_without_the_binding(monkeypatch, launcher, reason):
    INSTALL[launcher](monkeypatch, None)
    with pytest.raises(NoGpu, match=f"no CUDA GPU available \\({reason}\\)"):
        open_launcher(launcher)


@pytest.mark.parametrize(("launcher", "reason"), [
    ("cuda-python", "no NVIDIA driver: libcuda is not installed"),
    ("pycuda", "PyCUDA cannot load: libcuda.so.1: cannot open shared object file"),
])
def test_without_a_driver(monkeypatch, launcher, reason):
    install(monkeypatch, launcher, FakeGpu(no_driver=True))
    with pytest.raises(NoGpu, match=re.escape(reason)):
        open_launcher(launcher)


@pytest.mark.parametrize(("launcher", "reason"), [
    ("cuda-python", "cuInit failed: CUDA_ERROR_NO_DEVICE"),
    ("pycuda", "PyCUDA: cuInit failed: no CUDA-capable device is detected"),
])
def test_when_cuinit_fails(monkeypatch, launcher, reason):
    install(monkeypatch, launcher, FakeGpu(init_error="CUDA_ERROR_NO_DEVICE"))
    with pytest.raises(NoGpu, match=re.escape(reason)):
        open_launcher(launcher)


def test_without_a_device(device):
    launcher, gpu = device
    gpu.devices = 0
    with pytest.raises(NoGpu, match="the driver sees no CUDA device"):
        open_launcher(launcher)


def test_out_of_gpu_memory_is_a_limit(device):
    launcher, gpu = device
    gpu.memory = 16 << 20
    with pytest.raises(LimitError, match="out of GPU memory: allocating"):
        run(launcher, FIB)
    assert gpu.allocations == {}


def test_a_kernel_that_never_ends_meets_the_deadline(device):
    launcher, gpu = device
    gpu.hang = True
    with pytest.raises(LimitError, match="time limit reached"):
        run(launcher, FIB, timeout=0.2)
    assert gpu.launches and gpu.blocked == []  # nothing waited on the stuck kernel (a copy or free would)


def test_a_kernel_that_fails_is_reported(device):
    launcher, gpu = device
    gpu.kernel_error = "CUDA_ERROR_ILLEGAL_ADDRESS"
    with pytest.raises(HvmError, match="the GPU failed: running a kernel: .*(ILLEGAL_ADDRESS|illegal memory access)"):
        run(launcher, FIB)


def test_the_default_launcher_is_cuda_python_then_pycuda(monkeypatch):
    pytest.importorskip("numpy")
    install_cuda_python(monkeypatch, FakeGpu())
    install_pycuda(monkeypatch, FakeGpu())
    first = open_launcher(None)
    assert first.name == "cuda-python" and open_launcher(None) is first
    install_cuda_python(monkeypatch, FakeGpu(init_error="CUDA_ERROR_NO_DEVICE"))
    assert open_launcher(None).name == "pycuda"
    install_cuda_python(monkeypatch, None)
    install_pycuda(monkeypatch, None)
    with pytest.raises(NoGpu, match=re.escape("(cuda-python is not installed; PyCUDA is not installed)")):
        open_launcher(None)


def test_pycuda_pops_its_context_at_exit(request):
    gpu = request.getfixturevalue("fake_pycuda")
    open_launcher("pycuda")
    stack = sys.modules["pycuda.driver"].context_stack
    assert len(stack) == 1  # current, as PyCUDA needs (else its calls fail: invalid device context)
    for fn, args, kwargs in gpu.at_exit:  # else PyCUDA aborts the process at exit (context stack not empty)
        fn(*args, **kwargs)
    assert stack == []


def test_the_fake_has_the_real_bindings_signatures_and_values():
    real = pytest.importorskip("cuda.bindings.driver")
    fake = cuda_python_module(FakeGpu())
    for name in [n for n in vars(fake) if n.startswith("cu")]:
        params = list(inspect.signature(getattr(fake, name)).parameters)  # (a wrapper's: of __wrapped__)
        signature = getattr(real, name).__doc__.splitlines()[0]
        real_params = [re.split(r"[ *]", p.split(":")[0].strip())[-1] for p in signature[len(name) + 1:-1].split(",")
                       if p.strip()]
        assert params == real_params, name
    for enum_name in ("CUresult", "CUdevice_attribute", "CUfunction_attribute"):
        for member in getattr(fake, enum_name):
            assert int(getattr(getattr(real, enum_name), member.name)) == member.value, member
