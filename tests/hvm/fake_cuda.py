"""Fake CUDA drivers: NVIDIA's `cuda.bindings.driver` and PyCUDA's `pycuda.driver`, on the host emulation.

In:  a FakeGpu: the device (its facts, its memory), and the failures to inject (no driver, cuInit
     failing, no device, too little memory, a kernel that never ends or that fails).
Out: `cuda_python_module(gpu)` and `pycuda_module(gpu)`: modules with the calls, types, enums and
     errors the launchers (hvm.cuda.launch_cuda_python, hvm.cuda.launch_pycuda) use, with the real
     signatures and result shapes; `install_cuda_python` / `install_pycuda` put one in sys.modules
     (and empty hvm.cuda.launch's launcher cache); the fixtures `fake_cuda_python`, `fake_pycuda`.

Both run the kernels the way a GPU would: a PTX image is parsed for its entries and their
parameters, a launch decodes the kernel's arguments from what the binding passes (an array of
pointers to the values; PyCUDA's packed buffer) and runs hvm.cuda.launch.host_kernels() with a
block's dynamic shared memory. Device and shared memory start filled with GARBAGE, as they are
not zeroed on a GPU. A launch is asynchronous: the stream answers "not ready" `polls` times. The
FakeGpu records what happened: the PTX loaded, the launches, and `blocked`, the calls that would
wait forever on a GPU (a copy, free or synchronize while a kernel that never ends runs).
"""

from __future__ import annotations

import atexit
import ctypes
import enum
import importlib.abc
import importlib.machinery
import re
import struct
import sys
import types
from dataclasses import dataclass, field

import pytest

from hvm.cuda import launch, layout
from hvm.cuda.launch import HostLauncher, host_kernels

GARBAGE = 0xA5  # the byte fresh device memory and shared memory hold here
STATIC_SHARED_LIMIT = 48 << 10  # dynamic shared memory a kernel gets without opting in

# CUDA's error codes (the values of CUresult) and their descriptions (cuGetErrorString)
ERRORS = {
    "CUDA_SUCCESS": (0, "no error"),
    "CUDA_ERROR_INVALID_VALUE": (1, "invalid argument"),
    "CUDA_ERROR_OUT_OF_MEMORY": (2, "out of memory"),
    "CUDA_ERROR_NOT_INITIALIZED": (3, "initialization error"),
    "CUDA_ERROR_NO_DEVICE": (100, "no CUDA-capable device is detected"),
    "CUDA_ERROR_INVALID_DEVICE": (101, "invalid device ordinal"),
    "CUDA_ERROR_INVALID_IMAGE": (200, "device kernel image is invalid"),
    "CUDA_ERROR_INVALID_CONTEXT": (201, "invalid device context"),
    "CUDA_ERROR_NO_BINARY_FOR_GPU": (209, "no kernel image is available for execution on the device"),
    "CUDA_ERROR_INVALID_PTX": (218, "a PTX JIT compilation failed"),
    "CUDA_ERROR_NOT_FOUND": (500, "named symbol not found"),
    "CUDA_ERROR_NOT_READY": (600, "device not ready"),
    "CUDA_ERROR_ILLEGAL_ADDRESS": (700, "an illegal memory access was encountered"),
    "CUDA_ERROR_LAUNCH_FAILED": (719, "unspecified launch failure"),
}
# CUdevice_attribute and CUfunction_attribute members the launchers read or set
DEVICE_ATTRIBUTES = {"MULTIPROCESSOR_COUNT": 16, "COMPUTE_CAPABILITY_MAJOR": 75, "COMPUTE_CAPABILITY_MINOR": 76,
                     "MAX_SHARED_MEMORY_PER_MULTIPROCESSOR": 81, "MAX_SHARED_MEMORY_PER_BLOCK_OPTIN": 97}
FUNCTION_ATTRIBUTES = {"MAX_DYNAMIC_SHARED_SIZE_BYTES": 8}
KERNELS = ("hvm_turn", "hvm_gather")  # what the host emulation can run


class Failure(Exception):
    """A driver call failed with CUDA error `code` (a CUresult name)."""

    def __init__(self, code: str):
        super().__init__(code)
        self.code = code


@dataclass
class Kernel:
    name: str
    params: list[int]  # the byte size of each parameter, from the PTX
    max_dynamic_shared: int = STATIC_SHARED_LIMIT


@dataclass
class FakeGpu:
    """One device, its memory (host memory), its one queue of work, and what the launchers did."""

    name: str = "NVIDIA H200 (fake)"
    compute_capability: tuple[int, int] = (9, 0)
    sm_count: int = 132
    shared_per_block: int = 227 << 10  # the opt-in maximum
    shared_per_sm: int = 228 << 10
    memory: int = 1 << 30  # bytes of device memory: cuMemAlloc beyond it runs out
    devices: int = 1
    no_driver: bool = False  # libcuda is missing: cuda-bindings raises, PyCUDA fails to import
    init_error: str | None = None  # the CUresult name cuInit fails with
    hang: bool = False  # a kernel launched never finishes
    kernel_error: str | None = None  # a kernel launched fails with this CUresult name (reported when done)
    polls: int = 2  # stream queries answered "not ready" before a kernel is done
    images: list[str] = field(default_factory=list)  # the PTX texts loaded
    launches: list[tuple] = field(default_factory=list)  # (kernel, grid, block, shared bytes, gnet)
    blocked: list[str] = field(default_factory=list)
    at_exit: list = field(default_factory=list)  # (fn, args, kwargs) given to atexit.register (install_pycuda)
    allocations: dict[int, int] = field(default_factory=dict)  # address -> bytes
    initialized: bool = False
    busy: int = 0  # queries left before the running kernel is done; -1: never
    pending_error: str | None = None

    def __post_init__(self):
        self.host = HostLauncher()

    def attribute(self, name: str) -> int:
        """A device attribute, by its name in DEVICE_ATTRIBUTES."""
        return {"MULTIPROCESSOR_COUNT": self.sm_count, "COMPUTE_CAPABILITY_MAJOR": self.compute_capability[0],
                "COMPUTE_CAPABILITY_MINOR": self.compute_capability[1],
                "MAX_SHARED_MEMORY_PER_MULTIPROCESSOR": self.shared_per_sm,
                "MAX_SHARED_MEMORY_PER_BLOCK_OPTIN": self.shared_per_block}[name]

    # -- memory

    def alloc(self, nbytes: int) -> int:
        if nbytes <= 0:
            raise Failure("CUDA_ERROR_INVALID_VALUE")
        if sum(self.allocations.values()) + nbytes > self.memory:
            raise Failure("CUDA_ERROR_OUT_OF_MEMORY")
        ptr = self.host.alloc(nbytes)
        ctypes.memset(ptr, GARBAGE, nbytes)
        self.allocations[ptr] = nbytes
        return ptr

    def free(self, ptr: int, call: str) -> None:
        self.would_wait(call)
        if self.allocations.pop(ptr, None) is None:
            raise Failure("CUDA_ERROR_INVALID_VALUE")
        self.host.free(ptr)

    def check_span(self, ptr: int, nbytes: int) -> None:
        """`nbytes` from `ptr` lie in one allocation."""
        if not any(base <= ptr and ptr + nbytes <= base + size for base, size in self.allocations.items()):
            raise Failure("CUDA_ERROR_INVALID_VALUE")

    def would_wait(self, call: str) -> None:
        """A call that waits for the device: on a GPU it would never return while a kernel hangs."""
        if self.busy < 0:
            self.blocked.append(call)

    def copy(self, dst: int, src: int, nbytes: int, device: int, call: str) -> None:
        self.would_wait(call)
        self.check_span(device, nbytes)
        ctypes.memmove(dst, src, nbytes)

    def memset(self, ptr: int, value: int, nbytes: int) -> None:
        self.check_span(ptr, nbytes)
        ctypes.memset(ptr, value, nbytes)

    # -- modules and kernels

    def load(self, text: str) -> dict[str, Kernel]:
        """The kernels of a PTX image (their entries and parameter sizes)."""
        target = re.search(r"^\s*\.target\s+sm_(\d+)", text, re.MULTILINE)
        if not re.search(r"^\s*\.version\s+\d+\.\d+", text, re.MULTILINE) or target is None:
            raise Failure("CUDA_ERROR_INVALID_PTX")
        major, minor = self.compute_capability
        if int(target.group(1)) > major * 10 + minor:
            raise Failure("CUDA_ERROR_NO_BINARY_FOR_GPU")
        self.images.append(text)
        kernels = {}
        for name, params in re.findall(r"\.entry\s+(\w+)\s*\(([^)]*)\)", text):
            kernels[name] = Kernel(name, [int(bits) // 8 for bits in re.findall(r"\.param\s+\.[a-z](\d+)", params)])
        return kernels

    def set_max_dynamic_shared(self, kernel: Kernel, value: int) -> None:
        if not 0 <= value <= self.shared_per_block:
            raise Failure("CUDA_ERROR_INVALID_VALUE")
        kernel.max_dynamic_shared = value

    def launch(self, kernel: Kernel, args: list[bytes], grid: tuple, block: tuple, shared: int) -> None:
        """Queue a kernel (run it now; the stream says it is done after `polls` queries)."""
        if (len(args) != len(kernel.params) or any(len(a) != n for a, n in zip(args, kernel.params))
                or min(grid + block) < 1 or block[0] * block[1] * block[2] > 1024
                or shared > max(STATIC_SHARED_LIMIT, kernel.max_dynamic_shared)):
            raise Failure("CUDA_ERROR_INVALID_VALUE")
        if kernel.name not in KERNELS or grid[1:] != (1, 1) or block[1:] != (1, 1):
            raise NotImplementedError(f"the fake GPU runs only {KERNELS} on 1-D grids")
        gnet = int.from_bytes(args[0], "little")
        self.launches.append((kernel.name, grid, block, shared, gnet))
        if self.hang:
            self.busy = -1
            return
        self.busy, self.pending_error = self.polls, self.kernel_error or self.misfit(kernel.name, gnet, block, shared)
        if self.pending_error:
            return
        turn, gather = host_kernels()[:2]
        if kernel.name == "hvm_turn":
            scratch = ctypes.create_string_buffer(bytes([GARBAGE]) * max(shared, 1))
            turn(gnet, ctypes.addressof(scratch), grid[0], block[0])
        else:
            gather(gnet)

    def misfit(self, kernel: str, gnet: int, block: tuple, shared: int) -> str | None:
        """Would the kernel go astray on a GPU (a CUresult name)? Its argument must be a GNet
        (an allocation of its own), a turn's blocks must fit the GNet's heap and shared memory."""
        if self.allocations.get(gnet) != ctypes.sizeof(layout.GNetStruct):
            return "CUDA_ERROR_ILLEGAL_ADDRESS"
        g = layout.GNetStruct.from_address(gnet)
        if kernel == "hvm_turn" and (block[0] * g.per_thread != g.local or shared < layout.shared_bytes(g.local)):
            return "CUDA_ERROR_ILLEGAL_ADDRESS"
        return None

    def query(self) -> str:
        """CUresult name: the stream's state (a finished kernel's error is reported once)."""
        if self.busy < 0:
            return "CUDA_ERROR_NOT_READY"
        if self.busy > 0:
            self.busy -= 1
            return "CUDA_ERROR_NOT_READY"
        error, self.pending_error = self.pending_error, None
        return error or "CUDA_SUCCESS"


def host_address(obj, writable: bool) -> tuple[int, object]:
    """A host pointer as the bindings take one: an int address, or an object with the buffer
    protocol. (address, what keeps it alive)."""
    if isinstance(obj, int):
        return obj, None
    view = memoryview(obj)
    if not view.contiguous or (writable and view.readonly):
        raise TypeError("expected a contiguous, writable buffer" if writable else "expected a contiguous buffer")
    if view.readonly:
        keep = ctypes.create_string_buffer(view.tobytes(), view.nbytes)
    else:
        keep = (ctypes.c_char * view.nbytes).from_buffer(view)
    return ctypes.addressof(keep), keep


# -- cuda-python: cuda.bindings.driver


class Handle:
    """A driver handle (CUdevice, CUstream, ...): an int, as the bindings' handle types convert."""

    def __init__(self, value: int = 0, target=None):
        self.value, self.target = int(value), target

    def __int__(self):
        return self.value

    def __repr__(self):
        return f"<{type(self).__name__} 0x{self.value:x}>"


def cuda_python_module(gpu: FakeGpu) -> types.ModuleType:
    """A fake `cuda.bindings.driver` (cuda-bindings 12.x/13.x) over `gpu`: each call returns
    `(CUresult, values...)`, `(CUresult, None...)` on failure."""
    cu = types.ModuleType("cuda.bindings.driver", "fake cuda.bindings.driver (tests/hvm/fake_cuda.py)")
    CUresult = enum.IntEnum("CUresult", {name: code for name, (code, _) in ERRORS.items()})
    CUdevice_attribute = enum.IntEnum("CUdevice_attribute",
                                      {f"CU_DEVICE_ATTRIBUTE_{n}": v for n, v in DEVICE_ATTRIBUTES.items()})
    CUfunction_attribute = enum.IntEnum("CUfunction_attribute",
                                        {f"CU_FUNC_ATTRIBUTE_{n}": v for n, v in FUNCTION_ATTRIBUTES.items()})
    handle_types = {name: type(name, (Handle,), {}) for name in
                    ("CUdevice", "CUcontext", "CUstream", "CUmodule", "CUfunction", "CUdeviceptr")}
    state = types.SimpleNamespace(context=None)
    ok = CUresult.CUDA_SUCCESS

    def driver_call(outputs: int, needs_context: bool = True):
        """Wrap a call: a Failure becomes its CUresult (and None for each output)."""

        def wrap(fn):
            def call(*args, **kwargs):
                try:
                    if not gpu.initialized:
                        raise Failure("CUDA_ERROR_NOT_INITIALIZED")
                    if needs_context and state.context is None:
                        raise Failure("CUDA_ERROR_INVALID_CONTEXT")
                    values = fn(*args, **kwargs)
                except Failure as failure:
                    return (CUresult[failure.code],) + (None,) * outputs
                return (ok,) + (values if outputs > 1 else () if outputs == 0 else (values,))

            call.__name__ = call.__qualname__ = fn.__name__
            call.__wrapped__ = fn
            setattr(cu, fn.__name__, call)
            return call

        return wrap

    def typed(value, cls, what: str):
        if not isinstance(value, cls):
            raise TypeError(f"Argument '{what}' is not instance of type (expected {cls.__name__})")
        return value

    def cuInit(Flags):
        if gpu.no_driver:
            raise DynamicLibNotFoundError('"cuda" is an NVIDIA driver library and can only be found via system '
                                          "search. Ensure the NVIDIA display driver is installed.")
        if gpu.init_error:
            return (CUresult[gpu.init_error],)
        gpu.initialized = True
        return (ok,)

    cu.cuInit = cuInit

    def cuGetErrorName(error):
        typed(error, CUresult, "error")
        return ok, error.name.encode()

    cu.cuGetErrorName = cuGetErrorName

    @driver_call(1, needs_context=False)
    def cuDeviceGetCount():
        return gpu.devices

    @driver_call(1, needs_context=False)
    def cuDeviceGet(ordinal):
        if not 0 <= ordinal < gpu.devices:
            raise Failure("CUDA_ERROR_INVALID_DEVICE")
        return handle_types["CUdevice"](ordinal)

    def device(dev) -> int:
        ordinal = int(dev)
        if not 0 <= ordinal < gpu.devices:
            raise Failure("CUDA_ERROR_INVALID_DEVICE")
        return ordinal

    @driver_call(1, needs_context=False)
    def cuDevicePrimaryCtxRetain(dev):
        return handle_types["CUcontext"](0xC0 + device(dev))

    @driver_call(0, needs_context=False)
    def cuCtxSetCurrent(ctx):
        state.context = typed(ctx, handle_types["CUcontext"], "ctx")

    @driver_call(1)
    def cuStreamCreate(Flags):
        return handle_types["CUstream"](0x5E)

    @driver_call(1, needs_context=False)
    def cuDeviceGetAttribute(attrib, dev):
        device(dev)
        typed(attrib, CUdevice_attribute, "attrib")
        return gpu.attribute(attrib.name.removeprefix("CU_DEVICE_ATTRIBUTE_"))

    @driver_call(1, needs_context=False)
    def cuDeviceGetName(length, dev):
        device(dev)
        return (gpu.name.encode()[:length - 1] + b"\0").ljust(length, b" ")  # (the rest of the bindings' buffer)

    @driver_call(2)
    def cuMemGetInfo():
        return gpu.memory - sum(gpu.allocations.values()), gpu.memory

    @driver_call(1)
    def cuModuleLoadData(image):
        if isinstance(image, int):
            data = ctypes.string_at(image)  # a NUL-terminated PTX image
        else:
            data = bytes(memoryview(image))
            if not data.endswith(b"\0") and not isinstance(image, bytes):  # (a bytes object ends with a NUL)
                raise Failure("CUDA_ERROR_INVALID_IMAGE")
            data = data.rstrip(b"\0")
        if data.startswith(b"\x7fELF"):
            raise NotImplementedError("the fake GPU loads PTX only")
        return handle_types["CUmodule"](0x30 + len(gpu.images), gpu.load(data.decode("ascii")))

    @driver_call(1)
    def cuModuleGetFunction(hmod, name):
        kernels = typed(hmod, handle_types["CUmodule"], "hmod").target
        kernel = kernels.get(typed(name, bytes, "name").decode())
        if kernel is None:
            raise Failure("CUDA_ERROR_NOT_FOUND")
        return handle_types["CUfunction"](0xF000 + list(kernels).index(kernel.name), kernel)

    @driver_call(0)
    def cuFuncSetAttribute(hfunc, attrib, value):
        kernel = typed(hfunc, handle_types["CUfunction"], "hfunc").target
        if typed(attrib, CUfunction_attribute, "attrib").name != "CU_FUNC_ATTRIBUTE_MAX_DYNAMIC_SHARED_SIZE_BYTES":
            raise NotImplementedError(attrib)
        gpu.set_max_dynamic_shared(kernel, value)

    @driver_call(1)
    def cuMemAlloc(bytesize):
        return handle_types["CUdeviceptr"](gpu.alloc(bytesize))

    @driver_call(0)
    def cuMemsetD8(dstDevice, uc, N):
        gpu.memset(int(dstDevice), uc, N)

    @driver_call(0)
    def cuMemFree(dptr):
        gpu.free(int(dptr), "cuMemFree")

    @driver_call(0)
    def cuMemcpyHtoD(dstDevice, srcHost, ByteCount):
        src, _keep = host_address(srcHost, writable=False)
        gpu.copy(int(dstDevice), src, ByteCount, int(dstDevice), "cuMemcpyHtoD")

    @driver_call(0)
    def cuMemcpyDtoH(dstHost, srcDevice, ByteCount):
        dst, _keep = host_address(dstHost, writable=True)
        gpu.copy(dst, int(srcDevice), ByteCount, int(srcDevice), "cuMemcpyDtoH")

    @driver_call(0)
    def cuLaunchKernel(f, gridDimX, gridDimY, gridDimZ, blockDimX, blockDimY, blockDimZ,
                       sharedMemBytes, hStream, kernelParams, extra):
        kernel = typed(f, handle_types["CUfunction"], "f").target
        typed(hStream, handle_types["CUstream"], "hStream")
        if isinstance(kernelParams, tuple) or extra not in (0, None):
            raise NotImplementedError("the fake takes kernelParams as an array of pointers (its address or buffer)")
        address, _keep = host_address(kernelParams, writable=False)
        pointers = (ctypes.c_void_p * len(kernel.params)).from_address(address)
        args = [ctypes.string_at(p, n) for p, n in zip(pointers, kernel.params)]
        gpu.launch(kernel, args, (gridDimX, gridDimY, gridDimZ), (blockDimX, blockDimY, blockDimZ), sharedMemBytes)

    @driver_call(0)
    def cuStreamQuery(hStream):
        typed(hStream, handle_types["CUstream"], "hStream")
        code = gpu.query()
        if code != "CUDA_SUCCESS":
            raise Failure(code)

    cu.CUresult, cu.CUdevice_attribute, cu.CUfunction_attribute = CUresult, CUdevice_attribute, CUfunction_attribute
    for name, cls in handle_types.items():
        setattr(cu, name, cls)
    return cu


class DynamicLibNotFoundError(RuntimeError):
    """What cuda-bindings raises (from cuda.pathfinder) when there is no libcuda."""


def install_cuda_python(monkeypatch, gpu: FakeGpu | None) -> types.ModuleType | None:
    """`from cuda.bindings import driver` gives the fake over `gpu` (None: cuda-python is not installed)."""
    monkeypatch.setattr(launch, "_open", {})
    if gpu is None:
        for name in ("cuda", "cuda.bindings", "cuda.bindings.driver"):
            monkeypatch.setitem(sys.modules, name, None)
        return None
    driver = cuda_python_module(gpu)
    package, bindings = types.ModuleType("cuda"), types.ModuleType("cuda.bindings")
    package.__path__, bindings.__path__ = [], []
    package.bindings, bindings.driver = bindings, driver
    for name, module in (("cuda", package), ("cuda.bindings", bindings), ("cuda.bindings.driver", driver)):
        monkeypatch.setitem(sys.modules, name, module)
    return driver


# -- PyCUDA: pycuda.driver


def pycuda_module(gpu: FakeGpu) -> types.ModuleType:
    """A fake `pycuda.driver` (PyCUDA 2022.1 and later) over `gpu`: PyCUDA's classes and
    functions, its errors (Error and its subclasses, messages "<call> failed: <reason>")."""
    import numpy

    drv = types.ModuleType("pycuda.driver", "fake pycuda.driver (tests/hvm/fake_cuda.py)")
    drv.Error = type("Error", (Exception,), {"__module__": "pycuda._driver"})
    for name in ("MemoryError", "LogicError", "LaunchError", "RuntimeError"):
        setattr(drv, name, type(name, (drv.Error,), {"__module__": "pycuda._driver"}))
    drv.device_attribute = enum.IntEnum("device_attribute", DEVICE_ATTRIBUTES)
    drv.function_attribute = enum.IntEnum("function_attribute", FUNCTION_ATTRIBUTES)
    contexts = []  # PyCUDA's context stack

    def error(call: str, code: str) -> Exception:
        """The exception PyCUDA raises for a failed call (as its translate_cuda_error)."""
        cls = (drv.LaunchError if code == "CUDA_ERROR_LAUNCH_FAILED" else
               drv.MemoryError if code == "CUDA_ERROR_OUT_OF_MEMORY" else
               drv.RuntimeError if code in ("CUDA_ERROR_NO_DEVICE", "CUDA_ERROR_NO_BINARY_FOR_GPU",
                                            "CUDA_ERROR_NOT_READY") else drv.LogicError)
        return cls(f"{call} failed: {ERRORS[code][1]}")

    def guarded(call: str, fn, *args, context: bool = True):
        if not gpu.initialized:
            raise error(call, "CUDA_ERROR_NOT_INITIALIZED")
        if context and not contexts:
            raise error(call, "CUDA_ERROR_INVALID_CONTEXT")
        try:
            return fn(*args)
        except Failure as failure:
            raise error(call, failure.code) from None

    def device_pointer(ptr) -> int:
        if not isinstance(ptr, (int, DeviceAllocation)):
            raise TypeError(f"expected a device pointer (an int or a DeviceAllocation), not {type(ptr).__name__}")
        return int(ptr)

    def init(flags=0):
        if gpu.init_error:
            raise error("cuInit", gpu.init_error)
        gpu.initialized = True

    class Device:
        def __init__(self, number):
            def get():
                if not 0 <= number < gpu.devices:
                    raise Failure("CUDA_ERROR_INVALID_DEVICE")

            guarded("cuDeviceGet", get, context=False)

        @staticmethod
        def count():
            return guarded("cuDeviceGetCount", lambda: gpu.devices, context=False)

        def name(self):
            return gpu.name

        def compute_capability(self):
            return tuple(gpu.compute_capability)

        def get_attribute(self, attr):
            if not isinstance(attr, drv.device_attribute):
                raise TypeError("get_attribute takes a pycuda.driver.device_attribute")
            return gpu.attribute(attr.name)

        def retain_primary_context(self):
            return Context()  # not made current (push() does that)

    class Context:
        def push(self):
            contexts.append(self)

        @staticmethod
        def pop():
            if not contexts:
                raise drv.LogicError("m_stack::pop failed: invalid device context - cannot pop context from empty "
                                     "stack")
            contexts.pop()

    class Stream:
        def __init__(self, flags=0):
            guarded("cuStreamCreate", lambda: None)

        def is_done(self):
            code = gpu.query()
            if code == "CUDA_ERROR_NOT_READY":
                return False
            if code != "CUDA_SUCCESS":
                raise error("cuStreamQuery", code)
            return True

        def synchronize(self):
            gpu.would_wait("Stream.synchronize")
            if gpu.busy < 0:
                raise AssertionError("Stream.synchronize would wait forever for a kernel that never ends")
            while not self.is_done():
                pass

    class DeviceAllocation:
        def __init__(self, ptr):
            self.ptr = ptr

        def __int__(self):
            return self.ptr

        __index__ = __int__

        def free(self):
            if self.ptr is None:
                raise drv.LogicError("device_allocation::free failed: invalid resource handle")
            ptr, self.ptr = self.ptr, None
            guarded("cuMemFree", gpu.free, ptr, "DeviceAllocation.free", context=False)  # (in its own context)

        def __del__(self):  # PyCUDA frees an allocation when it is collected
            if self.ptr is not None:
                self.free()

    class Function:
        def __init__(self, kernel: Kernel):
            self.kernel = kernel

        def set_attribute(self, attr, value):
            if attr is not drv.function_attribute.MAX_DYNAMIC_SHARED_SIZE_BYTES:
                raise NotImplementedError(attr)
            guarded("cuFuncSetAttribute", gpu.set_max_dynamic_shared, self.kernel, value)

        def __call__(self, *args, grid=(1, 1), stream=None, block=None, shared=0, texrefs=(), time_kernel=False):
            if block is None:
                raise ValueError("must specify block size")
            if not isinstance(grid, tuple) or not isinstance(block, tuple) or len(grid) > 3 or len(block) > 3:
                raise TypeError("grid and block are tuples of at most 3 ints")
            if stream is None or texrefs or time_kernel:
                raise NotImplementedError("the fake launches on a stream only")
            fmt, values = "", []
            for i, arg in enumerate(args):  # PyCUDA packs numpy scalars by their dtype, allocations as pointers
                if isinstance(arg, numpy.number):
                    fmt, values = fmt + arg.dtype.char, values + [arg]
                elif isinstance(arg, DeviceAllocation):
                    fmt, values = fmt + "P", values + [int(arg)]
                else:
                    raise TypeError(f"invalid type on parameter #{i} (0-based)")
            packed, offset, params = struct.pack(fmt, *values), 0, []
            for size in self.kernel.params:  # the driver reads each parameter at its alignment
                offset = -(-offset // size) * size
                params.append(packed[offset:offset + size])
                offset += size
            if offset != len(packed):  # a buffer of another size: the driver refuses the launch
                params = []
            grid3, block3 = (tuple(grid) + (1, 1))[:3], (tuple(block) + (1, 1))[:3]
            guarded("cuLaunchKernel", gpu.launch, self.kernel, params, grid3, block3, shared)

    class Module:
        def __init__(self, kernels: dict[str, Kernel]):
            self.kernels = kernels

        def get_function(self, name):
            kernel = self.kernels.get(name)
            if kernel is None:
                raise error("cuModuleGetFunction", "CUDA_ERROR_NOT_FOUND")
            return Function(kernel)

    def module_from_buffer(buffer, options=(), message_handler=None):
        view = memoryview(buffer)  # PyCUDA passes the buffer's memory to the driver as it is
        data = view.tobytes()
        if not data.endswith(b"\0") and not isinstance(buffer, bytes):  # (a bytes object ends with a NUL)
            raise error("cuModuleLoadDataEx", "CUDA_ERROR_INVALID_IMAGE")
        return Module(guarded("cuModuleLoadDataEx", gpu.load, data.rstrip(b"\0").decode("ascii")))

    def mem_get_info():
        return guarded("cuMemGetInfo", lambda: (gpu.memory - sum(gpu.allocations.values()), gpu.memory))

    def mem_alloc(bytes):  # (PyCUDA's name)
        return DeviceAllocation(guarded("cuMemAlloc", gpu.alloc, bytes))

    def memset_d8(dest, data, size):
        guarded("cuMemsetD8", gpu.memset, device_pointer(dest), data, size)

    def memcpy_htod(dest, src):
        address, _keep = host_address(src, writable=False)
        ptr = device_pointer(dest)
        guarded("cuMemcpyHtoD", gpu.copy, ptr, address, memoryview(src).nbytes, ptr, "memcpy_htod")

    def memcpy_dtoh(dest, src):
        address, _keep = host_address(dest, writable=True)
        ptr = device_pointer(src)
        guarded("cuMemcpyDtoH", gpu.copy, address, ptr, memoryview(dest).nbytes, ptr, "memcpy_dtoh")

    for value in (init, Device, Context, Stream, DeviceAllocation, Function, Module, module_from_buffer,
                  mem_get_info, mem_alloc, memset_d8, memcpy_htod, memcpy_dtoh):
        setattr(drv, value.__name__, value)
    drv.context_stack = contexts
    return drv


class BrokenImport(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    """`import pycuda.driver` fails as PyCUDA's does without libcuda (an ImportError from its extension)."""

    def find_spec(self, fullname, path, target=None):
        return importlib.machinery.ModuleSpec(fullname, self) if fullname == "pycuda.driver" else None

    def exec_module(self, module):
        raise ImportError("libcuda.so.1: cannot open shared object file: No such file or directory",
                          name="pycuda._driver")


def install_pycuda(monkeypatch, gpu: FakeGpu | None) -> types.ModuleType | None:
    """`import pycuda.driver` gives the fake over `gpu` (None: PyCUDA is not installed; a gpu
    with `no_driver`: the import fails). atexit callbacks registered meanwhile go to
    `gpu.at_exit` rather than to this process's exit."""
    monkeypatch.setattr(launch, "_open", {})
    if gpu is None:
        monkeypatch.setitem(sys.modules, "pycuda", None)
        monkeypatch.setitem(sys.modules, "pycuda.driver", None)
        return None
    package = types.ModuleType("pycuda")
    package.__path__ = []
    monkeypatch.setitem(sys.modules, "pycuda", package)
    monkeypatch.setattr(atexit, "register", lambda fn, *args, **kwargs: gpu.at_exit.append((fn, args, kwargs)))
    if gpu.no_driver:
        monkeypatch.delitem(sys.modules, "pycuda.driver", raising=False)
        monkeypatch.setattr(sys, "meta_path", [BrokenImport(), *sys.meta_path])
        return None
    driver = pycuda_module(gpu)
    package.driver = driver
    monkeypatch.setitem(sys.modules, "pycuda.driver", driver)
    return driver


@pytest.fixture
def fake_cuda_python(monkeypatch) -> FakeGpu:
    """A fake GPU behind cuda-python; configure it before the first launcher is opened."""
    gpu = FakeGpu()
    install_cuda_python(monkeypatch, gpu)
    return gpu


@pytest.fixture
def fake_pycuda(monkeypatch) -> FakeGpu:
    """A fake GPU behind PyCUDA (numpy needed, as PyCUDA needs it)."""
    pytest.importorskip("numpy")
    gpu = FakeGpu()
    install_pycuda(monkeypatch, gpu)
    return gpu
