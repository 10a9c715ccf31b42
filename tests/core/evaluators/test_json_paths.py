"""Field paths (dot, JSONPath, JSON Pointer) and flattening."""

from __future__ import annotations

import pytest

from agenta.core.evaluators.builtins.json_paths import PathNotFound, flatten, parse_path, resolve

DOCUMENT = {"a": {"b c": [10, {"d": "x"}]}, "k/e~y": 1}


@pytest.mark.parametrize(
    ("path", "segments"),
    [
        ("a.b", ("a", "b")),
        ("$", ()),
        ("$.a['b c'][1].d", ("a", "b c", "1", "d")),
        ('$["a"]', ("a",)),
        ("/a/b c/1/d", ("a", "b c", "1", "d")),
        ("/k~1e~0y", ("k/e~y",)),
    ],
)
def test_it_parses_each_syntax(path: str, segments: tuple[str, ...]) -> None:
    assert parse_path(path) == segments


@pytest.mark.parametrize("path", ["", "a..b", "$..a", "$.a[*]", "$.*", "$a"])
def test_it_refuses_malformed_or_unsupported_paths(path: str) -> None:
    with pytest.raises(ValueError):
        parse_path(path)


def test_it_resolves_through_objects_and_lists() -> None:
    assert resolve(DOCUMENT, parse_path("$.a['b c'][1].d")) == "x"
    assert resolve(DOCUMENT, parse_path("a.b c.-2")) == 10
    assert resolve(DOCUMENT, parse_path("/k~1e~0y")) == 1


@pytest.mark.parametrize("path", ["a.missing", "a.b c.5", "a.b c.x", "k/e~y.deeper"])
def test_it_reports_a_path_with_no_value(path: str) -> None:
    with pytest.raises(PathNotFound):
        resolve(DOCUMENT, parse_path(path))


def test_it_flattens_to_dotted_leaves() -> None:
    assert flatten({"A": {"B": [1, {}], "C": []}, "d": None}, lowercase_keys=True) == {
        "a.b.0": 1,
        "a.b.1": {},
        "a.c": [],
        "d": None,
    }


def test_it_flattens_a_scalar_to_one_root_leaf() -> None:
    assert flatten("text") == {"": "text"}
