"""What a provider call returns, in one provider-neutral shape.

Results use the OpenAI chat-completions vocabulary (``content``, ``tool_calls`` as
``{id, type: "function", function: {name, arguments}}``, ``finish_reason`` in stop/length/
tool_calls/content_filter) because it is the lingua franca of the playground, traces and the
services API; the Anthropic provider translates into it.

Usage follows OpenAI's accounting: ``prompt_tokens`` counts every input token including cached
ones, and ``completion_tokens`` includes reasoning tokens. ``cached_tokens``,
``cache_write_tokens`` and ``reasoning_tokens`` are the breakdowns that pricing needs.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Usage:
    """Token counts of one call."""

    prompt_tokens: int = 0
    completion_tokens: int = 0
    cached_tokens: int = 0
    cache_write_tokens: int = 0
    reasoning_tokens: int = 0

    @property
    def total_tokens(self) -> int:
        """Input plus output tokens."""
        return self.prompt_tokens + self.completion_tokens

    def to_dict(self) -> dict[str, int]:
        """The counts as a JSON-ready mapping (used by traces and API responses)."""
        return {
            "prompt_tokens": self.prompt_tokens,
            "completion_tokens": self.completion_tokens,
            "total_tokens": self.total_tokens,
            "cached_tokens": self.cached_tokens,
            "cache_write_tokens": self.cache_write_tokens,
            "reasoning_tokens": self.reasoning_tokens,
        }


@dataclass(frozen=True)
class Completion:
    """The assistant's answer to one chat call.

    ``model`` is the model name as configured (``provider/model`` or a known bare name) of the
    target that answered, which may be a fallback; ``attempts`` counts every request sent,
    retries and fallbacks included. ``cost`` is in USD, ``None`` when the model has no price.
    """

    content: str | None
    tool_calls: list[dict[str, Any]] = field(default_factory=list)
    finish_reason: str | None = None
    refusal: str | None = None
    usage: Usage = field(default_factory=Usage)
    model: str = ""
    provider: str = ""
    cost: float | None = None
    attempts: int = 1

    def message(self) -> dict[str, Any]:
        """The answer as an assistant chat message, ready to append to a conversation."""
        message: dict[str, Any] = {"role": "assistant", "content": self.content}
        if self.tool_calls:
            message["tool_calls"] = self.tool_calls
        if self.refusal:
            message["refusal"] = self.refusal
        return message

    def output(self) -> Any:
        """The answer as a completion app returns it: text, else refusal, else the tool calls."""
        if self.content:
            return self.content
        if self.refusal:
            return self.refusal
        if self.tool_calls:
            return self.tool_calls
        return self.content or ""


@dataclass(frozen=True)
class StreamDelta:
    """One streamed piece of the answer.

    ``tool_calls`` holds OpenAI-style partial tool calls, each with an ``index`` and, on its
    first piece, its ``id`` and function ``name``; ``arguments`` arrive in fragments.
    """

    content: str | None = None
    tool_calls: list[dict[str, Any]] = field(default_factory=list)
    finish_reason: str | None = None
    usage: Usage | None = None


@dataclass(frozen=True)
class StreamEnd:
    """The last event of a stream: the whole answer, assembled, with usage and cost."""

    completion: Completion


StreamEvent = StreamDelta | StreamEnd
