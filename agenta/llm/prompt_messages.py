"""Shape checks for chat messages (template messages and chat history alike).

Messages use the OpenAI chat format: ``{role, content, name?, tool_calls?, tool_call_id?}`` where
``content`` is a string or a list of parts (``text``, ``image_url``, ``file``, ``input_audio``).
The checks only report problems, by path; valid messages are used as given, never rebuilt, so
whatever a provider accepts beyond these fields still reaches it.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from agenta.llm.prompt_config import MESSAGE_ROLES

_PART_TYPES = ("text", "image_url", "file", "input_audio")


def check_messages(messages: list[Any], path: str) -> list[str]:
    """Problems found in ``messages``, each prefixed with the path of the offending field."""
    errors: list[str] = []
    for index, message in enumerate(messages):
        errors.extend(check_message(message, f"{path}[{index}]"))
    return errors


def check_message(message: Any, path: str) -> list[str]:
    """Problems found in one message."""
    if not isinstance(message, Mapping):
        return [f"{path}: must be an object with role and content"]
    errors: list[str] = []
    if message.get("role") not in MESSAGE_ROLES:
        roles = ", ".join(MESSAGE_ROLES)
        errors.append(f"{path}.role: must be one of {roles}, got {message.get('role')!r}")
    content = message.get("content")
    if isinstance(content, list):
        for index, part in enumerate(content):
            errors.extend(_check_part(part, f"{path}.content[{index}]"))
    elif content is not None and not isinstance(content, str):
        errors.append(f"{path}.content: must be a string or a list of content parts")
    tool_calls = message.get("tool_calls")
    if tool_calls is not None and not isinstance(tool_calls, list):
        errors.append(f"{path}.tool_calls: must be a list")
    for name in ("name", "tool_call_id"):
        if message.get(name) is not None and not isinstance(message[name], str):
            errors.append(f"{path}.{name}: must be a string")
    return errors


def _check_part(part: Any, path: str) -> list[str]:
    if not isinstance(part, Mapping):
        return [f"{path}: must be an object with a type"]
    kind = part.get("type")
    if kind not in _PART_TYPES:
        return [f"{path}.type: must be one of {', '.join(_PART_TYPES)}, got {kind!r}"]
    if kind == "text" and not isinstance(part.get("text"), str):
        return [f"{path}.text: must be a string"]
    if kind == "image_url":
        image = part.get("image_url")
        if not isinstance(image, Mapping) or not isinstance(image.get("url"), str):
            return [f"{path}.image_url.url: must be a string (an https or data: URL)"]
    if kind == "file" and not isinstance(part.get("file"), Mapping):
        return [f"{path}.file: must be an object with file_id, file_data or file_url"]
    return []
