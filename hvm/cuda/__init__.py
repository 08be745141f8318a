"""The GPU runtime (`hvm run-cu`): HVM2's rules on NVIDIA GPUs, kernels from llvmlite's NVPTX target.

Modules, lowest first: layout (memory), kernel_ir (the rules and phases of a turn, as IR),
grid_ir (the turn as a CUDA kernel, or as a host loop over blocks and threads that emulates
the grid), ptx (PTX text, cached), launch* (load, allocate, copy, launch: cuda-python, PyCUDA,
or the host emulation), backend (a run: turns until no redex is left). docs/gpu-runtime.md
explains the design.
"""
