"""stdlib/string.bend and stdlib/char.bend: every definition, run on the reference evaluator."""

from __future__ import annotations

IMPORTS = "from stdlib/string import *\nfrom stdlib/char import *\nfrom stdlib/maybe import Maybe/to_list"

STRING_CASES = [
    ('String/length("hello")', "5"),
    ('String/length("")', "0"),
    ('String/length("héllo🌎")', "6"),  # characters, not bytes
    ('String/is_empty("")', "1"),
    ('String/is_empty("a")', "0"),
    ("String/from_char('x')", '"x"'),
    ('String/reverse("abc")', '"cba"'),
    ('String/reverse("")', '""'),
    ('String/join(["a", "b", "c"], ", ")', '"a, b, c"'),
    ('String/join(["a"], ", ")', '"a"'),
    ('String/join([], ", ")', '""'),
    ('String/join(["x", "", "y"], "")', '"xy"'),
    ('String/starts_with("hello", "he")', "1"),
    ('String/starts_with("hello", "lo")', "0"),
    ('String/starts_with("he", "hello")', "0"),
    ('String/starts_with("abc", "")', "1"),
    ('String/ends_with("hello", "lo")', "1"),
    ('String/ends_with("hello", "he")', "0"),
    ('String/ends_with("", "")', "1"),
    ('Maybe/to_list(String/strip_prefix("hello", "he"))', '["llo"]'),
    ('Maybe/to_list(String/strip_prefix("hello", "x"))', "[]"),
    ('String/split_on("a, b, c", ", ")', '["a", "b", "c"]'),
    ('String/split_on("a,", ",")', '["a", ""]'),
    ('String/split_on("a::b:c", "::")', '["a", "b:c"]'),
    ('String/split_on("", ",")', '[""]'),
    ('String/split_on("abc", "")', '["abc"]'),
    ('String/split_on("xx", "x")', '["", "", ""]'),
    ('String/split_on.go("1-2", "-")', '["1", "2"]'),
    ('String/lines("a\\nb\\n")', '["a", "b"]'),
    ('String/lines("a\\n\\nb")', '["a", "", "b"]'),
    ('String/lines("")', "[]"),
    ('String/lines.go(["a", ""])', '["a"]'),
    ('String/words(" a  b\\n\\tc ")', '["a", "b", "c"]'),
    ('String/words("   ")', "[]"),
    ('String/words.spaces("a\\tb\\nc")', '"a b c"'),
    ('String/words.non_empty(["", "a", "", "b"])', '["a", "b"]'),
    ('String/compare("ab", "b")', "-1"),
    ('String/compare("b", "ab")', "+1"),
    ('String/compare("ab", "ab")', "+0"),
    ('String/compare("ab", "abc")', "-1"),
    ('String/compare("", "")', "+0"),
    ('String/contains("hello", "ll")', "1"),
    ('String/contains("hello", "lo!")', "0"),
    ('String/contains("hello", "")', "1"),
    ('Maybe/to_list(String/index_of("hello", "lo"))', "[3]"),
    ('Maybe/to_list(String/index_of("hello", "z"))', "[]"),
    ('Maybe/to_list(String/index_of.go("ab", "b", 10))', "[11]"),
    ('String/replace("a-b-c", "-", "+")', '"a+b+c"'),
    ('String/replace("aaa", "aa", "b")', '"ba"'),
    ('String/replace("abc", "", "x")', '"abc"'),
    ('String/trim_start("  x y ")', '"x y "'),
    ('String/trim_end("  x y \\n")', '"  x y"'),
    ('String/trim("\\t x y  ")', '"x y"'),
    ('String/trim("   ")', '""'),
    ('String/to_upper("abC1é")', '"ABC1é"'),
    ('String/to_lower("ABc1")', '"abc1"'),
    ('String/repeat("ab", 3)', '"ababab"'),
    ('String/repeat("ab", 0)', '""'),
    ('String/take("hello", 2)', '"he"'),
    ('String/take("hi", 5)', '"hi"'),
    ('String/drop("hello", 2)', '"llo"'),
    ('String/drop("hi", 5)', '""'),
    ('String/slice("hello", 1, 3)', '"el"'),
    ('String/slice("hello", 3, 1)', '""'),
    ('Maybe/to_list(String/char_at("abc", 1))', "[98]"),
    ('Maybe/to_list(String/char_at("abc", 3))', "[]"),
    ("String/count(\"banana\", 'a')", "3"),
    ("String/pad_left(\"7\", 3, '0')", '"007"'),
    ("String/pad_left(\"1234\", 3, '0')", '"1234"'),
    ("String/pad_right(\"ab\", 4, '.')", '"ab.."'),
    ("String/pad_right(\"abcd\", 2, '.')", '"abcd"'),
    ('String/map("abc", lambda c: c + 1)', '"bcd"'),
]

CHAR_CASES = [
    ("[Char/is_digit('0'), Char/is_digit('9'), Char/is_digit('a'), Char/is_digit('/')]", "[1, 1, 0, 0]"),
    ("[Char/is_upper('A'), Char/is_upper('Z'), Char/is_upper('a'), Char/is_upper('@')]", "[1, 1, 0, 0]"),
    ("[Char/is_lower('a'), Char/is_lower('z'), Char/is_lower('A'), Char/is_lower('{')]", "[1, 1, 0, 0]"),
    ("[Char/is_alpha('q'), Char/is_alpha('Q'), Char/is_alpha('1'), Char/is_alpha('é')]", "[1, 1, 0, 0]"),
    ("[Char/is_alnum('q'), Char/is_alnum('5'), Char/is_alnum('_')]", "[1, 1, 0]"),
    ("[Char/is_space(' '), Char/is_space('\\t'), Char/is_space('\\n'), Char/is_space('\\r'), Char/is_space('x')]",
     "[1, 1, 1, 1, 0]"),
    ("[Char/to_upper('a'), Char/to_upper('A'), Char/to_upper('1')]", "[65, 65, 49]"),
    ("[Char/to_lower('A'), Char/to_lower('a'), Char/to_lower('1')]", "[97, 97, 49]"),
    ("[Maybe/to_list(Char/to_digit('7')), Maybe/to_list(Char/to_digit('x'))]", "[[7], []]"),
    ("Char/from_digit(4)", "52"),
]


def test_string_module(check):
    check(IMPORTS, STRING_CASES)


def test_char_module(check):
    check(IMPORTS, CHAR_CASES)
