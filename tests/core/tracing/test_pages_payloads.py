"""How span payloads are prepared for display: messages, text and bounded JSON trees."""

from __future__ import annotations

from agenta.core.tracing.pages_payloads import (
    MAX_DEPTH,
    MAX_ITEMS,
    MAX_TEXT,
    json_tree,
    payload_sections,
    short_text,
)


def test_chat_messages_under_a_key_become_a_messages_section() -> None:
    [section] = payload_sections(
        {
            "prompt": [
                {"role": "system", "content": "Be brief."},
                {
                    "role": "user",
                    "content": [{"type": "text", "text": "Hi"}, {"type": "image_url"}],
                },
            ]
        }
    )

    assert (section.key, section.kind) == ("prompt", "messages")
    assert [(m.role, m.text, m.parts) for m in section.messages] == [
        ("system", "Be brief.", ()),
        ("user", "Hi", ("[image_url part]",)),
    ]


def test_a_single_output_message_with_tool_calls_is_shown_as_a_message() -> None:
    call = {"id": "c1", "type": "function", "function": {"name": "lookup", "arguments": "{}"}}
    [section] = payload_sections({"role": "assistant", "content": None, "tool_calls": [call]})

    [message] = section.messages
    assert message.role == "assistant" and message.text == ""
    [tree] = message.tool_calls
    assert [key for key, _ in tree.children] == ["id", "type", "function"]


def test_text_and_other_values_get_their_own_sections() -> None:
    sections = payload_sections({"country": "France", "limits": {"max": 3}, "flag": True})

    assert [(s.key, s.kind) for s in sections] == [
        ("country", "text"),
        ("limits", "json"),
        ("flag", "json"),
    ]
    assert sections[0].text == "France"
    assert sections[2].tree is not None and sections[2].tree.text == "true"


def test_a_bare_value_is_one_unnamed_section_and_nothing_gives_none() -> None:
    assert [(s.key, s.kind, s.text) for s in payload_sections("Paris")] == [("", "text", "Paris")]
    assert payload_sections(None) == []
    assert [(s.key, s.text) for s in payload_sections({"__default__": "Paris"})] == [("", "Paris")]


def test_json_trees_are_bounded_in_depth_items_and_text() -> None:
    deep: dict = {}
    node = deep
    for _ in range(MAX_DEPTH + 3):
        node["next"] = {}
        node = node["next"]
    long_list = list(range(MAX_ITEMS + 7))

    tree = json_tree({"deep": deep, "list": long_list, "text": "x" * (MAX_TEXT + 10)})

    level = dict(tree.children)["deep"]
    for _ in range(MAX_DEPTH - 1):
        level = dict(level.children)["next"]
    assert level.children == () and level.text.startswith('{"next"')  # flattened past the limit
    listed = dict(tree.children)["list"]
    assert (len(listed.children), listed.hidden, listed.size) == (MAX_ITEMS, 7, MAX_ITEMS + 7)
    assert dict(tree.children)["text"].text.endswith("… (10 more characters)")


def test_scalars_keep_their_kind() -> None:
    tree = json_tree([1, 2.5, None, False, "a"])

    assert [(child.kind, child.text) for _, child in tree.children] == [
        ("number", "1"),
        ("number", "2.5"),
        ("null", "null"),
        ("boolean", "false"),
        ("string", "a"),
    ]


def test_short_text_previews_a_payload_on_one_line() -> None:
    chat = {"completion": [{"role": "assistant", "content": "The capital\nis Paris."}]}

    assert short_text(chat) == "The capital is Paris."
    assert short_text({"country": "France"}) == "France"
    assert short_text({"a": 1, "b": 2}) == '{"a":1,"b":2}'
    assert short_text("x" * 200, limit=10) == "x" * 9 + "…"
    assert short_text(None) == ""
