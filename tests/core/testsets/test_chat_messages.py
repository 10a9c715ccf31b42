"""Chat test sets: the ``messages`` column must hold a list of role/content objects."""

from __future__ import annotations

import csv
import io
import json

import pytest

from agenta.core.testsets.codecs import Problem, messages_problem

GREETING = [
    {"role": "system", "content": "You are terse."},
    {"role": "user", "content": "Hi 👋"},
]


def chat_csv(*cells: str) -> bytes:
    """A CSV file with a messages column holding ``cells`` and a correct_answer column."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["messages", "correct_answer"])
    writer.writerows([cell, "ok"] for cell in cells)
    return buffer.getvalue().encode()


def test_it_decodes_the_messages_cell_of_a_csv_file(parse):
    parsed = parse(chat_csv(json.dumps(GREETING, ensure_ascii=False)), "chat.csv")

    assert parsed.is_chat
    assert parsed.rows == [{"messages": GREETING, "correct_answer": "ok"}]


def test_it_keeps_messages_and_an_assistant_answer_from_json(parse):
    row = {"messages": GREETING, "correct_answer": {"role": "assistant", "content": "Hello."}}

    assert parse(json.dumps([row]).encode(), "chat.json").rows == [row]


def test_a_set_without_a_messages_column_is_not_a_chat_set(make_csv, parse):
    assert not parse(make_csv("question", "x")).is_chat


def test_it_names_the_row_and_line_of_a_messages_cell_that_is_not_json(refusal):
    data = chat_csv(json.dumps(GREETING), "Hi there")

    error = refusal(data, "chat.csv")

    assert len(error.problems) == 1
    assert error.problems[0].line == 3
    assert error.problems[0].message.startswith('row 2, column "messages": not valid JSON')


def test_it_refuses_an_empty_messages_cell(refusal):
    error = refusal(chat_csv(""), "chat.csv")

    assert error.problems == [
        Problem(
            2,
            'row 1, column "messages": empty; expected a JSON array of messages such as'
            ' [{"role": "user", "content": "Hi"}]',
        )
    ]


def test_it_refuses_a_chat_row_without_messages(refusal):
    data = json.dumps([{"messages": GREETING}, {"question": "x"}]).encode()

    error = refusal(data, "chat.json")

    assert error.problems == [
        Problem(
            1, 'item 2, column "messages": missing; every row of a chat test set needs its messages'
        )
    ]


def test_it_names_the_message_with_an_unknown_role(refusal):
    messages = [{"role": "user", "content": "a"}, {"role": "bot", "content": "b"}]

    error = refusal(chat_csv(json.dumps(messages)), "chat.csv")

    assert error.problems == [
        Problem(
            2,
            "row 1, column \"messages\": message 2 has role 'bot';"
            " expected one of assistant, developer, system, tool, user",
        )
    ]


@pytest.mark.parametrize(
    ("value", "problem"),
    [
        ({"role": "user", "content": "x"}, "must be an array of messages such as"),
        ([], "is an empty array; a chat test case needs at least one message"),
        (["hello"], "message 1 must be an object with role and content, not a string"),
        ([{"content": "x"}], "message 1 has no role"),
        ([{"role": ["user"], "content": "x"}], "message 1 has role ['user']"),
        ([{"role": "user"}], "message 1 has no content"),
        ([{"role": "user", "content": 3}], "message 1 has content that is a number"),
        ([{"role": "user", "content": []}], "message 1 has an empty array of content parts"),
        ([{"role": "user", "content": [{"text": "x"}]}], "content part 1 must be an object with"),
        ([{"role": "user", "content": [{"type": "text"}]}], 'of type "text" needs a string'),
        (
            [{"role": "user", "content": [{"type": "image_url", "image_url": {}}]}],
            'of type "image_url" needs "image_url": {"url": "..."}',
        ),
    ],
)
def test_it_explains_each_malformed_message_shape(value, problem):
    assert problem in (messages_problem(value) or "")


@pytest.mark.parametrize(
    "messages",
    [
        [{"role": "developer", "content": "Be brief."}, {"role": "user", "content": "Hi"}],
        [
            {
                "role": "user",
                "content": [
                    {"type": "text", "text": "What is this?"},
                    {"type": "image_url", "image_url": {"url": "https://example.com/a.png"}},
                    {"type": "input_audio", "input_audio": {"data": "...", "format": "wav"}},
                ],
            }
        ],
        [
            {"role": "user", "content": "Weather?"},
            {"role": "assistant", "content": None, "tool_calls": [{"id": "c1"}]},
            {"role": "tool", "tool_call_id": "c1", "content": "sunny"},
        ],
    ],
)
def test_it_accepts_well_formed_messages_of_every_supported_shape(messages):
    assert messages_problem(messages) is None
