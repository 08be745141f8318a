"""bend.desugar.encode_adts: constructors become num-scott functions and tags."""

from __future__ import annotations

from passes_support import shown


def test_encode_adts_constructors_become_num_scott_functions_and_tags():
    out = shown("type T = (A) | (B f) | (C g h)\nmain = 0\n", "encode_adts")
    assert out["T/A"] == "T/A = λa (a T/A/tag)"
    assert out["T/B"] == "T/B = λa λb (b T/B/tag a)"
    assert out["T/C"] == "T/C = λa λb λc (c T/C/tag a b)"
    assert [out[f"T/{c}/tag"] for c in "ABC"] == ["T/A/tag = 0", "T/B/tag = 1", "T/C/tag = 2"]
