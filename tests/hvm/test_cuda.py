"""hvm.cuda: the GPU runtime.

Without a GPU (CI), the kernels' algorithm runs under the host emulation of the grid (the same
IR, compiled for this CPU, blocks and threads driven by loops, each barrier a phase boundary)
and must give the reference evaluator's result and exactly its interactions, on every grid
shape: tiny heaps and bags reach the paths a GPU takes rarely (LEAK, spills to the pool and to
the next turn, definitions too big for a thread's scratch, many turns). The PTX must pass
`ptxas`. Tests marked `gpu` run the same on a real GPU (skipped without one).
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from support import GROWING_TREE, HVM_PROGRAMS, PROGRAMS, RULE_CASES, SCALED, run_text

from hvm.cuda.backend import CudaBackend, Shape, host_shape, needs_libdevice
from hvm.cuda.launch import HostLauncher
from hvm.errors import HvmError, LimitError
from hvm.flatbook import flatten
from hvm.reference import ReferenceBackend
from hvm.syntax import parse_book, show_tree
from net_strategies import HELPER_NAMES, main_with_helpers, nets, small_numbs

SHAPES = {
    "emulated": Shape(blocks=3, threads=8, per_thread=8, page=32, hcap=16, rcap=16, steps=8, rounds=16),
    "default": host_shape(),
    "tiny": Shape(blocks=2, threads=4, per_thread=4, page=8, hcap=4, rcap=4, steps=3, rounds=5, small=2),
    "one-thread": Shape(blocks=1, threads=1, per_thread=2, page=8, hcap=2, rcap=2, steps=1, rounds=3, small=0),
    "wide": Shape(blocks=4, threads=32, per_thread=64, page=64, steps=64, rounds=256),
}


def cuda(text: str, shape: Shape | None = None, launcher="host", memory: int = 64 << 20, **options):
    result = CudaBackend().run(parse_book(text), launcher=launcher, memory=memory, shape=shape, **options)
    return show_tree(result.tree), result


def assert_same(text: str, shape: Shape | None = None, launcher="host", **options):
    expected, reference = run_text(text)
    got, result = cuda(text, shape, launcher, **options)
    assert got == expected
    assert result.stats.rules == reference.stats.rules
    return result





@pytest.mark.parametrize("shape", sorted(SHAPES))
@pytest.mark.parametrize("text", RULE_CASES)
def test_rules(text, shape):
    assert_same(text, SHAPES[shape])





@pytest.mark.parametrize("shape", sorted(SHAPES))
@pytest.mark.parametrize("name", sorted(SCALED) + ["adts_and_matches"])
def test_programs(name, shape):
    text = (HVM_PROGRAMS / f"{name}.hvm").read_text()
    if name in SCALED:
        text = text.replace(*SCALED[name])
    result = assert_same(text, SHAPES[shape])
    assert result.stats.extra["turns"] >= 1


shapes = st.builds(
    lambda blocks, threads, per_thread, bag, steps, rounds, small: Shape(
        blocks=blocks, threads=threads, per_thread=per_thread, page=8, hcap=bag, rcap=bag, steps=steps,
        rounds=rounds, small=small),
    st.integers(1, 3), st.integers(1, 6), st.integers(1, 6), st.sampled_from([2, 4, 16]), st.integers(1, 8),
    st.integers(1, 6), st.sampled_from([0, 2, 64]))


def assert_random_net_matches(net, shape: Shape | None, launcher="host", **options):
    text = main_with_helpers(net)
    try:
        expected, reference = run_text(text, max_interactions=2_000)
    except LimitError:
        assume(False)
    got, result = cuda(text, shape, launcher, **options)
    assert (got, result.stats.rules) == (expected, reference.stats.rules), (text, shape)


@given(net=nets(HELPER_NAMES, numbs=small_numbs, max_redexes=4, max_leaves=8), shape=shapes)
@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_random_nets_match_the_reference(net, shape):
    assert_random_net_matches(net, shape, memory=16 << 20)


THREADED = HostLauncher(threaded=True)  # every GPU thread on an OS thread, real barriers: real races


@pytest.mark.parametrize("name", sorted(SCALED))
def test_programs_with_a_thread_per_gpu_thread(name):
    text = (HVM_PROGRAMS / f"{name}.hvm").read_text().replace(*SCALED[name])
    assert_same(text, SHAPES["emulated"], THREADED)
    assert_same(text, Shape(blocks=2, threads=6, per_thread=2, page=8, hcap=2, rcap=2, steps=2, rounds=4, small=2),
                THREADED)


@given(net=nets(HELPER_NAMES, numbs=small_numbs, max_redexes=4, max_leaves=8), shape=shapes)
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_random_nets_with_a_thread_per_gpu_thread(net, shape):
    assert_random_net_matches(net, shape, THREADED, memory=16 << 20)


@pytest.mark.parametrize("shape", ["emulated", "one-thread"])
def test_definitions_too_big_for_a_threads_scratch(shape):
    # more nodes than Shape.small: expanded in the global heap through the block's scratch area
    chain = "r\n  & 0 ~ " + "$([+1] " * 200 + "r" + ")" * 200
    assert_same("@main = " + chain, SHAPES[shape])
    big = "(x r)\n  & x ~ " + "$([+1] " * 100 + "r" + ")" * 100
    assert_same(f"@big = {big}\n@main = (a (b c))\n  & @big ~ (5 a)\n  & @big ~ {{b *}}\n  & @big ~ (7 c)",
                SHAPES[shape])


def test_a_run_can_start_from_a_net_given_as_data():
    book = parse_book("@inc = ($([+1] a) a)\n@main = r\n  & @inc ~ (1 r)")
    boot = parse_book("@x = (r (s t))\n  & @inc ~ (41 r)\n  & @inc ~ (s t)").defs["x"].net
    result = CudaBackend().run(book, launcher="host", memory=16 << 20, boot=boot)
    reference = ReferenceBackend().run(book, boot=boot)
    assert show_tree(result.tree) == show_tree(reference.tree) == "(42 ($([+0x0000001] a) a))"
    assert result.stats.rules == reference.stats.rules
    assert result.stats.rules["CALL"] == 2  # the two @inc; the boot net is not a call





def test_out_of_gpu_memory_is_an_error_not_a_hang():
    with pytest.raises(LimitError) as info:
        cuda(GROWING_TREE, memory=4 << 20)
    assert info.value.message.startswith("out of GPU memory: ")
    assert info.value.message.endswith("(limit 4M); raise --mem")


def test_memory_too_small_for_the_grid_says_how_much_is_needed():
    with pytest.raises(LimitError) as info:
        cuda("@main = *", SHAPES["wide"], memory=64 << 10)
    assert "too small for the GPU's 128 threads" in info.value.message
    assert info.value.hint.startswith("use at least --mem ")


def test_timeout_stops_a_run_that_never_ends():
    with pytest.raises(LimitError, match="time limit reached"):
        cuda("@loop = (a b)\n  & @loop ~ (a b)\n@main = r\n  & @loop ~ (1 r)", timeout=0.3)


class Frozen(HostLauncher):
    """A GPU whose turns do nothing: the redexes stay where they are."""

    def turn(self, gnet, blocks, threads, shared, deadline=None):
        import ctypes

        from hvm.cuda import layout as L

        header = L.GNetStruct.from_buffer_copy(self.read(gnet, ctypes.sizeof(L.GNetStruct)))
        header.out_len = header.in_len
        self.write(gnet, bytes(header))


def test_a_gpu_that_makes_no_progress_is_reported_not_waited_on():
    with pytest.raises(HvmError, match="the GPU made no progress for 64 turns"):
        cuda("@main = r\n  & @id ~ (1 r)\n@id = (a a)", launcher=Frozen())


def test_a_large_result_is_read_back_from_the_device():
    assert_same(GROWING_TREE.replace("(24 r)", "(7 r)"))  # a tree of 128 leaves


def test_books_with_f24_numbers_need_libdevice_on_a_gpu():
    assert needs_libdevice(flatten(parse_book("@main = r\n  & 1.5 ~ $([+1.0] r)")))
    assert needs_libdevice(flatten(parse_book("@main = r\n  & 1 ~ $([f24] r)")))
    assert not needs_libdevice(flatten(parse_book("@main = r\n  & 1 ~ $([+2] r)")))


# -- the PTX


@pytest.mark.parametrize("arch", ["sm_80", "sm_90"])
def test_the_ptx_passes_ptxas(arch, tmp_path):
    from hvm.cuda.ptx import ptx

    code = ptx(arch)
    assert f".target {arch}" in code.text
    assert ".entry hvm_turn" in code.text and ".entry hvm_gather" in code.text
    if shutil.which("ptxas") is None:
        pytest.skip("ptxas (the CUDA toolkit) is not installed")
    path = tmp_path / "kernels.ptx"
    path.write_text(code.text)
    done = subprocess.run(["ptxas", f"-arch={arch}", str(path), "-o", str(tmp_path / "kernels.cubin")],
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr


def test_the_ptx_without_libdevice_still_builds(tmp_path, monkeypatch):
    from hvm.cuda import ptx as ptx_module

    monkeypatch.setattr(ptx_module, "find_libdevice", lambda: None)
    monkeypatch.setenv("HVM_CACHE_DIR", str(tmp_path))
    code = ptx_module.ptx("sm_80")
    assert not code.has_math and "__nv_" not in code.text
    assert list(tmp_path.glob("*.ptx"))  # cached


# -- on a GPU


def expected_results() -> dict[str, tuple[str, int]]:
    """name -> (result, ITRS) from tests/programs/hvm/EXPECTED.md."""
    table = {}
    for line in (HVM_PROGRAMS / "EXPECTED.md").read_text().splitlines():
        m = re.match(r"\| (\w+)\.hvm \| `(.*)` \| ([\d,]+) \|", line)
        if m:
            table[m.group(1)] = (m.group(2), int(m.group(3).replace(",", "")))
    return table


@pytest.mark.gpu
@pytest.mark.parametrize("name", sorted(expected_results()))
def test_gpu_every_shared_net_at_full_size(name, gpu_launcher):
    result_text, itrs = expected_results()[name]
    got, result = cuda((HVM_PROGRAMS / f"{name}.hvm").read_text(), launcher=gpu_launcher, memory=None, timeout=120)
    assert got == result_text
    assert result.stats.interactions == itrs


@pytest.mark.gpu
@pytest.mark.parametrize("text", RULE_CASES)
def test_gpu_rules(text, gpu_launcher):
    assert_same(text, launcher=gpu_launcher, memory=None)


@pytest.mark.gpu
def test_gpu_twenty_runs_in_a_row_agree(gpu_launcher):
    text = (HVM_PROGRAMS / "bitonic_sort.hvm").read_text().replace("(16 ", "(12 ")
    expected, reference = run_text(text.replace("(12 ", "(6 "))  # (the reference is slow: check a smaller one)
    assert cuda(text.replace("(12 ", "(6 "), launcher=gpu_launcher, memory=None)[0] == expected
    first = cuda(text, launcher=gpu_launcher, memory=None)
    for _ in range(19):
        got, result = cuda(text, launcher=gpu_launcher, memory=None)
        assert (got, result.stats.rules) == (first[0], first[1].stats.rules)


@pytest.mark.gpu
def test_gpu_random_nets(gpu_launcher):
    @given(net=nets(HELPER_NAMES, numbs=small_numbs, max_redexes=4, max_leaves=8))
    @settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    def check(net):
        assert_random_net_matches(net, None, gpu_launcher, memory=None)

    check()


@pytest.mark.gpu
def test_gpu_out_of_memory_is_an_error_not_a_hang(gpu_launcher):
    with pytest.raises(LimitError, match="out of GPU memory"):  # (the timeout only guards against a hang)
        cuda(GROWING_TREE, launcher=gpu_launcher, memory=1 << 30, timeout=60)


@pytest.mark.gpu
def test_gpu_timeout(gpu_launcher):
    with pytest.raises(LimitError, match="time limit reached"):
        cuda("@loop = (a b)\n  & @loop ~ (a b)\n@main = r\n  & @loop ~ (1 r)", launcher=gpu_launcher, memory=None,
             timeout=1.0)


@pytest.mark.gpu
@pytest.mark.parametrize("name", ["adts_and_matches", "fib", "hello_io", "list_sum", "church_not", "tree_sum",
                                  "bitonic_sort"])
def test_gpu_every_shared_bend_program(name, gpu_launcher, capfd):
    from support import compile_bend

    from bend.runner import run_compiled

    expected = {}
    for line in (PROGRAMS / "EXPECTED.md").read_text().splitlines():
        m = re.match(r"\| (\w+)\.bend \| `([^`]*)`", line)
        if m:
            expected[m.group(1)] = m.group(2)
    compiled = compile_bend(Path(PROGRAMS / f"{name}.bend").read_text())
    outcome = run_compiled(compiled, "cu", launcher=gpu_launcher, timeout=120)
    if name == "hello_io":
        assert "interaction nets say hi" in capfd.readouterr().out
        assert outcome.text == "λa (a IO/Done/tag IO/MAGIC 42)"
    else:
        assert outcome.text == expected[name]


IO_PROGRAM = """
def main():
  with IO:
    * <- IO/print("What is your name? ")
    name <- IO/input
    name = Result/unwrap(name)
    * <- IO/print("Hello, ")
    * <- IO/print(name)
    * <- IO/print("!\\n")
    return wrap(String/concat(name, name))
"""


def test_an_io_program_runs_through_the_same_host_loop():
    import io

    from support import run_bend

    from hvm.io import Host

    outputs = []
    for backend, options in (("py", {}), ("cu", {"launcher": "host"})):
        host = Host(stdin=io.BytesIO("Wörld\n".encode()), stdout=io.BytesIO(), stderr=io.BytesIO())
        outcome = run_bend(IO_PROGRAM, backend=backend, host=host, **options)
        outputs.append((outcome.text, host.stdout.getvalue(), outcome.stats.interactions))
    assert outputs[0] == outputs[1]
    assert outputs[1][1] == "What is your name? Hello, Wörld!\n".encode()
