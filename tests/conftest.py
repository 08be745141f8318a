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
