"""Assemble streamed deltas into a whole ``Completion``.

Providers yield ``StreamDelta`` pieces; the client feeds each one to a ``StreamAccumulator`` while
passing it on, so the caller gets both the live stream and, at the end, the complete answer with
usage (for traces, cost and the batch view). Tool-call fragments are merged by their ``index``,
concatenating ``arguments`` as OpenAI's streaming format requires.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from agenta.llm.results import Completion, StreamDelta, Usage


@dataclass
class _ToolCallParts:
    id: str = ""
    name: str = ""
    arguments: list[str] = field(default_factory=list)

    def as_tool_call(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "type": "function",
            "function": {"name": self.name, "arguments": "".join(self.arguments)},
        }


class StreamAccumulator:
    """Collects stream deltas; ``completion()`` returns what they add up to."""

    def __init__(self) -> None:
        self._content: list[str] = []
        self._tool_calls: dict[int, _ToolCallParts] = {}
        self._finish_reason: str | None = None
        self._usage = Usage()

    def add(self, delta: StreamDelta) -> None:
        """Take one delta into account."""
        if delta.content:
            self._content.append(delta.content)
        for fragment in delta.tool_calls:
            self._add_tool_fragment(fragment)
        if delta.finish_reason:
            self._finish_reason = delta.finish_reason
        if delta.usage is not None:
            self._usage = delta.usage

    def _add_tool_fragment(self, fragment: dict[str, Any]) -> None:
        parts = self._tool_calls.setdefault(int(fragment.get("index", 0)), _ToolCallParts())
        if fragment.get("id"):
            parts.id = fragment["id"]
        function = fragment.get("function") or {}
        if function.get("name"):
            parts.name = function["name"]
        if function.get("arguments"):
            parts.arguments.append(function["arguments"])

    def completion(self, *, model: str = "", provider: str = "") -> Completion:
        """The answer assembled from every delta seen so far."""
        tool_calls = [self._tool_calls[index].as_tool_call() for index in sorted(self._tool_calls)]
        return Completion(
            content="".join(self._content) if self._content or not tool_calls else None,
            tool_calls=tool_calls,
            finish_reason=self._finish_reason,
            usage=self._usage,
            model=model,
            provider=provider,
        )
