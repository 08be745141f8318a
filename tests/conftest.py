"""Shared fixtures."""

from __future__ import annotations

import pytest


@pytest.fixture
def tmp_hvm(tmp_path):
    """Write text to a .hvm file in a temporary folder and return its path."""

    def write(text: str, name: str = "net.hvm"):
        path = tmp_path / name
        path.write_text(text)
        return path

    return write


def pytest_addoption(parser):
    parser.addoption("--update-golden", action="store_true", default=False,
                     help="rewrite the golden .out files (tests/golden/run) from what the native backend prints")


@pytest.fixture(scope="session")
def gpu_launcher():
    """A launcher that reaches a real GPU; tests that need one are skipped (with the reason) without."""
    from hvm.cuda.launch import NoGpu, open_launcher

    try:
        return open_launcher()
    except NoGpu as err:
        pytest.skip(err.message)


@pytest.fixture
def no_gpu():
    """For tests of what happens without a GPU: skipped on a machine that has one."""
    from hvm.cuda.launch import NoGpu, open_launcher

    try:
        open_launcher()
    except NoGpu:
        return
    pytest.skip("this machine has a GPU")


@pytest.fixture(scope="session", autouse=True)
def core_terms_are_validated_between_passes():
    """Every compile in the tests checks the book after each desugaring pass
    (bend.desugar.validate): a pass that breaks an invariant fails the test that runs it."""
    from bend.desugar import pipeline
    from bend.desugar.validate import validate

    def check(book, name, ctx):
        problems = validate(book, name, ctx)
        assert not problems, f"after pass `{name}`: " + "; ".join(problems[:10])

    pipeline.AFTER_EACH_PASS.append(check)
    yield
    pipeline.AFTER_EACH_PASS.remove(check)
