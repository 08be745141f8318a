"""The package list, which pyproject.toml cannot say alone: every Python package of bend and
hvm, and the standard library, the repository's top-level stdlib/ folder (Bend files, no
Python), installed as bend/stdlib so that bend/frontend/loader.py finds it beside the code."""

from setuptools import find_packages, setup

setup(
    packages=[*find_packages(include=["bend*", "hvm*"]), "bend.stdlib", "bend.stdlib.prelude"],
    package_dir={"bend.stdlib": "stdlib", "bend.stdlib.prelude": "stdlib/prelude"},
)
