"""Arguments longer than the run's memory holds, given through the Python API (issue 11): a
clean bend.RuntimeLimit that names the limit, raised before the argument is built (a string of
a billion characters would be billions of nodes, and tens of gigabytes in Python)."""

import pytest

import bend
from bend.runner import argument_room
from bend.values import u24_words
from hvm import numbers

SOURCE = "def main(s):\n  return 1\n"
SMALL = 1 << 20  # bytes: a run that holds a string of argument_room(SMALL) characters


@pytest.fixture(scope="module")
def small():
    return bend.compile(SOURCE, backend="py", mem=SMALL)


def test_a_string_longer_than_the_memory_holds_is_a_runtime_limit(small):
    most = argument_room(SMALL)
    with pytest.raises(bend.RuntimeLimit) as raised:
        small("x" * (most + 1))
    message = str(raised.value)
    assert f"Argument 1 (`s`) of `main` is too long: {most + 1} characters" in message
    assert "memory of the run (1M)" in message and f"at most {most}" in message and "`mem`" in message


def test_a_string_that_fits_runs(small):
    assert small("x" * 1000) == 1


@pytest.mark.parametrize("value, kind", [(["x"] * 100_000, "100000 items, where the memory of the run (1M) holds a list"),
                                         ([1, ("y" * 30_000, 2)], "30000 characters"),
                                         (tuple(range(100_000)), "holds a tuple"),
                                         (dict.fromkeys(range(100_000), 1), "holds a dict")])
def test_long_lists_tuples_dicts_and_strings_inside_them_are_limits_too(small, value, kind):
    with pytest.raises(bend.RuntimeLimit, match="too long") as raised:
        small(value)
    assert kind in str(raised.value)


def test_the_program_is_usable_after_a_refused_argument(small):
    with pytest.raises(bend.RuntimeLimit):
        small.call("main", "x" * 100_000)
    assert small.call("main", "ok") == 1


def test_long_strings_become_number_words_in_bulk():
    for text in ["", "a", "héllo 🌍", "\ud800 lone surrogate", "z" * 1000, "".join(map(chr, range(0, 0x3000, 7)))]:
        assert list(u24_words(text)) == [numbers.new_u24(ord(c)) for c in text]


@pytest.mark.slow
def test_a_billion_character_argument_is_refused_at_once():
    """The issue's case: 1e9 characters to `main` on the default backend and memory (the
    string itself is a gigabyte; nothing more is built)."""
    text = "x" * 10**9
    with pytest.raises(bend.RuntimeLimit, match="1000000000 characters"):
        bend.run(SOURCE, text)
