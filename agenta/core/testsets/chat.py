"""Validation of the ``messages`` column of chat test sets.

A test set is a chat test set when it has a ``messages`` column. Each row's value must be a
non-empty list of ``{"role", "content"}`` objects in the OpenAI chat shape, which is what the
playground and evaluations send to models. In a CSV file the cell holds that list as JSON text
and is decoded here: this is the one CSV column whose type is not left as a string, because its
meaning is fixed by its name.

Content may be a string, a list of content parts (``{"type": "text", "text": ...}``,
``{"type": "image_url", "image_url": {"url": ...}}``, other part types pass as they are), or
null for an assistant message that carries ``tool_calls``.
"""

from __future__ import annotations

import json
from typing import Any

from agenta.core.testsets.problems import ProblemLog
from agenta.core.testsets.table import Table, kind_of

MESSAGES_COLUMN = "messages"
ROLES = frozenset({"system", "developer", "user", "assistant", "tool"})
_EXAMPLE = '[{"role": "user", "content": "Hi"}]'


def check_messages_column(table: Table, log: ProblemLog) -> None:
    """Check (and, for CSV, decode) every row's messages; problems name the row."""
    if MESSAGES_COLUMN not in table.columns:
        return
    for index, row in enumerate(table.rows):
        problem = _row_problem(row, table.text_cells)
        if problem:
            where = f'{table.label(index)}, column "{MESSAGES_COLUMN}"'
            log.add(table.locate(index), f"{where}: {problem}")
            if log.full:
                return


def _row_problem(row: dict[str, Any], text_cells: bool) -> str | None:
    if MESSAGES_COLUMN not in row:
        return "missing; every row of a chat test set needs its messages"
    value = row[MESSAGES_COLUMN]
    if text_cells:
        value = _decode_cell(value)
        if isinstance(value, _Undecodable):
            return value.reason
        row[MESSAGES_COLUMN] = value
    return messages_problem(value)


class _Undecodable:
    def __init__(self, reason: str) -> None:
        self.reason = reason


def _decode_cell(text: str) -> Any:
    if not text.strip():
        return _Undecodable(f"empty; expected a JSON array of messages such as {_EXAMPLE}")
    try:
        return json.loads(text)
    except ValueError as exc:
        return _Undecodable(f"not valid JSON ({exc}); expected an array such as {_EXAMPLE}")
    except RecursionError:
        return _Undecodable("nested too deeply to be read")


def messages_problem(value: Any) -> str | None:
    """What is wrong with a list of chat messages, or ``None`` if it is well formed."""
    if not isinstance(value, list):
        return f"must be an array of messages such as {_EXAMPLE}, not {kind_of(value)}"
    if not value:
        return "is an empty array; a chat test case needs at least one message"
    for position, message in enumerate(value):
        problem = _message_problem(message)
        if problem:
            return f"message {position + 1} {problem}"
    return None


def _message_problem(message: Any) -> str | None:
    if not isinstance(message, dict):
        return f"must be an object with role and content, not {kind_of(message)}"
    role = message.get("role")
    if role is None:
        return "has no role"
    if not isinstance(role, str) or role not in ROLES:
        return f"has role {role!r}; expected one of {', '.join(sorted(ROLES))}"
    if "content" not in message or message["content"] is None:
        if role == "assistant" and message.get("tool_calls"):
            return None
        return "has no content"
    return _content_problem(message["content"])


def _content_problem(content: Any) -> str | None:
    if isinstance(content, str):
        return None
    if not isinstance(content, list):
        return f"has content that is {kind_of(content)}; expected a string or an array of parts"
    if not content:
        return "has an empty array of content parts"
    for position, part in enumerate(content):
        problem = _part_problem(part)
        if problem:
            return f"content part {position + 1} {problem}"
    return None


def _part_problem(part: Any) -> str | None:
    if not isinstance(part, dict) or not isinstance(part.get("type"), str):
        return 'must be an object with a "type", such as {"type": "text", "text": "..."}'
    if part["type"] == "text" and not isinstance(part.get("text"), str):
        return 'of type "text" needs a string "text"'
    if part["type"] == "image_url" and not _is_image_url(part.get("image_url")):
        return 'of type "image_url" needs "image_url": {"url": "..."}'
    return None


def _is_image_url(value: Any) -> bool:
    if isinstance(value, str):
        return True
    return isinstance(value, dict) and isinstance(value.get("url"), str)
