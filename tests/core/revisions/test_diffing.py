"""Field-by-field comparison of revision data, as the side-by-side diff shows it."""

from __future__ import annotations

from agenta.core.revisions.diffing import changed_fields, compare_fields, flatten


def test_it_flattens_nested_objects_and_lists_into_paths() -> None:
    document = {"prompt": {"messages": [{"role": "user"}], "llm_config": {}}}

    assert list(flatten(document)) == [
        ("prompt.messages[0].role", "user"),
        ("prompt.llm_config", {}),
    ]


def test_it_quotes_keys_that_are_not_plain_names() -> None:
    assert list(flatten({"meta": {"a.b": 1}})) == [('meta["a.b"]', 1)]


def test_it_reports_each_path_as_same_changed_added_or_removed() -> None:
    old = {"temperature": 0.2, "model": "gpt-4o", "stop": ["x"]}
    new = {"temperature": 0.7, "model": "gpt-4o", "max_tokens": 100}

    rows = {row.path: row for row in compare_fields(old, new)}

    assert rows["model"].status == "same"
    assert (rows["temperature"].status, rows["temperature"].old, rows["temperature"].new) == (
        "changed",
        0.2,
        0.7,
    )
    assert rows["stop[0]"].status == "removed" and not rows["stop[0]"].has_new
    assert rows["max_tokens"].status == "added" and not rows["max_tokens"].has_old


def test_an_integer_and_a_float_or_a_boolean_are_different_values() -> None:
    rows = changed_fields({"a": 1, "b": 1}, {"a": 1.0, "b": True})

    assert [row.path for row in rows] == ["a", "b"]


def test_a_longer_message_list_shows_the_new_message_as_added_fields() -> None:
    old = {"messages": [{"role": "system", "content": "Be brief."}]}
    new = {"messages": [*old["messages"], {"role": "user", "content": "Hi"}]}

    rows = changed_fields(old, new)

    assert [(row.path, row.status) for row in rows] == [
        ("messages[1].role", "added"),
        ("messages[1].content", "added"),
    ]
