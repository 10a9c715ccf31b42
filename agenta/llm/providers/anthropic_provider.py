"""Chat calls over the official ``anthropic`` async SDK (the Messages API).

Requests are translated by ``anthropic_request``; answers are translated back into the OpenAI
vocabulary of ``Completion``: text blocks join into ``content``, ``tool_use`` blocks become
``tool_calls`` with JSON ``arguments``, stop reasons map onto finish reasons, and usage is
re-counted the OpenAI way (Anthropic's ``input_tokens`` excludes cache reads and writes, ours
include them). Thinking blocks are not part of the answer.

Streams follow the event sequence ``message_start``, ``content_block_start/delta/stop``...,
``message_delta``, ``message_stop``; usage arrives on the last delta. ``anthropic`` is imported
when a provider is built, never at module import.
"""

from __future__ import annotations

import json
import logging
from collections.abc import AsyncIterator
from typing import Any

from agenta.llm.credentials import ProviderCredentials
from agenta.llm.errors import ProviderError
from agenta.llm.provider_kinds import ProviderKind
from agenta.llm.providers.anthropic_request import DROPPED_PARAMS, anthropic_arguments
from agenta.llm.providers.base import ChatRequest
from agenta.llm.providers.sdk_errors import translate_sdk_error
from agenta.llm.results import Completion, StreamDelta, Usage

log = logging.getLogger(__name__)

_FINISH_REASONS = {
    "end_turn": "stop",
    "stop_sequence": "stop",
    "pause_turn": "stop",
    "max_tokens": "length",
    "model_context_window_exceeded": "length",
    "tool_use": "tool_calls",
    "refusal": "content_filter",
}


class AnthropicProvider:
    """A provider speaking the Messages API through one SDK client."""

    def __init__(self, credentials: ProviderCredentials, kind: ProviderKind) -> None:
        import anthropic

        self.name = kind.name
        self._sdk = anthropic
        self._client = anthropic.AsyncAnthropic(
            api_key=credentials.api_key,
            base_url=credentials.base_url or kind.default_base_url,
            max_retries=0,
            default_headers=dict(credentials.extra.get("headers") or {}),
        )

    async def complete(self, request: ChatRequest) -> Completion:
        """Send the request and return the whole answer."""
        arguments = self._arguments(request)
        try:
            message = await self._client.messages.create(**arguments)
        except self._sdk.APIError as exc:
            raise self._error(exc, request) from exc
        return completion_from_message(message, provider=self.name)

    async def stream(self, request: ChatRequest) -> AsyncIterator[StreamDelta]:
        """Send the request with ``stream: true`` and yield the events as deltas."""
        arguments = self._arguments(request)
        translator = StreamTranslator()
        try:
            events = await self._client.messages.create(**arguments, stream=True)
            async with events:
                async for event in events:
                    delta = translator.delta(event)
                    if delta is not None:
                        yield delta
        except self._sdk.APIError as exc:
            raise self._error(exc, request) from exc

    async def aclose(self) -> None:
        """Close the SDK client's connections."""
        await self._client.close()

    def _arguments(self, request: ChatRequest) -> dict[str, Any]:
        dropped = sorted(DROPPED_PARAMS.intersection(request.params))
        if dropped:
            log.debug("anthropic: not sending %s (not part of the Messages API)", dropped)
        arguments = anthropic_arguments(request.model, request)
        arguments["timeout"] = request.timeout
        return arguments

    def _error(self, exc: Exception, request: ChatRequest) -> ProviderError:
        error = translate_sdk_error(exc, self._sdk, provider=self.name, model=request.model)
        assert error is not None  # every APIError translates
        return error


def completion_from_message(message: Any, *, provider: str) -> Completion:
    """Our ``Completion`` for an SDK ``Message``."""
    texts: list[str] = []
    tool_calls: list[dict[str, Any]] = []
    for block in message.content:
        if block.type == "text":
            texts.append(block.text)
        elif block.type == "tool_use":
            tool_calls.append(_tool_call(block.id, block.name, json.dumps(block.input)))
    return Completion(
        content="".join(texts) if texts or not tool_calls else None,
        tool_calls=tool_calls,
        finish_reason=_finish_reason(message.stop_reason),
        usage=usage_from_anthropic(message.usage),
        provider=provider,
    )


def _tool_call(call_id: str, name: str, arguments: str) -> dict[str, Any]:
    return {"id": call_id, "type": "function", "function": {"name": name, "arguments": arguments}}


def _finish_reason(stop_reason: str | None) -> str | None:
    return _FINISH_REASONS.get(stop_reason, stop_reason) if stop_reason else None


def usage_from_anthropic(usage: Any) -> Usage:
    """Our ``Usage`` for an SDK usage object (``Usage`` or a stream's ``MessageDeltaUsage``)."""
    cached = getattr(usage, "cache_read_input_tokens", None) or 0
    written = getattr(usage, "cache_creation_input_tokens", None) or 0
    details = getattr(usage, "output_tokens_details", None)
    return Usage(
        prompt_tokens=(getattr(usage, "input_tokens", None) or 0) + cached + written,
        completion_tokens=usage.output_tokens or 0,
        cached_tokens=cached,
        cache_write_tokens=written,
        reasoning_tokens=getattr(details, "thinking_tokens", 0) or 0,
    )


class StreamTranslator:
    """Turns Messages API stream events into deltas, tracking usage and tool blocks."""

    def __init__(self) -> None:
        self._start_usage: Any = None
        self._tool_index_of_block: dict[int, int] = {}
        self._finish_reason: str | None = None
        self._final_usage: Any = None

    def delta(self, event: Any) -> StreamDelta | None:
        """The delta an event contributes, or ``None`` for bookkeeping-only events."""
        handler = getattr(self, f"_on_{event.type}", None)
        return handler(event) if handler is not None else None

    def _on_message_start(self, event: Any) -> None:
        self._start_usage = event.message.usage

    def _on_content_block_start(self, event: Any) -> StreamDelta | None:
        block = event.content_block
        if block.type == "text" and block.text:
            return StreamDelta(content=block.text)
        if block.type != "tool_use":
            return None
        index = len(self._tool_index_of_block)
        self._tool_index_of_block[event.index] = index
        call = {"index": index, **_tool_call(block.id, block.name, "")}
        return StreamDelta(tool_calls=[call])

    def _on_content_block_delta(self, event: Any) -> StreamDelta | None:
        delta = event.delta
        if delta.type == "text_delta":
            return StreamDelta(content=delta.text)
        if delta.type == "input_json_delta" and event.index in self._tool_index_of_block:
            fragment = {"arguments": delta.partial_json}
            call = {"index": self._tool_index_of_block[event.index], "function": fragment}
            return StreamDelta(tool_calls=[call])
        return None

    def _on_message_delta(self, event: Any) -> None:
        self._finish_reason = _finish_reason(event.delta.stop_reason)
        self._final_usage = event.usage

    def _on_message_stop(self, event: Any) -> StreamDelta:
        return StreamDelta(finish_reason=self._finish_reason, usage=self._usage())

    def _usage(self) -> Usage:
        start = usage_from_anthropic(self._start_usage) if self._start_usage else Usage()
        if self._final_usage is None:
            return start
        end = usage_from_anthropic(self._final_usage)
        # The final delta repeats the input counts only when they changed (server tools).
        inputs = end if self._final_usage.input_tokens is not None else start
        return Usage(
            prompt_tokens=inputs.prompt_tokens,
            completion_tokens=end.completion_tokens,
            cached_tokens=inputs.cached_tokens,
            cache_write_tokens=inputs.cache_write_tokens,
            reasoning_tokens=end.reasoning_tokens,
        )
