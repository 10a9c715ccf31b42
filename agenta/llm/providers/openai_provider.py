"""Chat and embeddings calls over the official ``openai`` async SDK: OpenAI, Azure and
OpenAI-compatible servers.

The request is the user's: messages, ``response_format``, tools and ``tool_choice`` go out as
given. Two translations are made for the endpoint's sake: OpenAI's own API (and Azure's) reads
``max_completion_tokens`` where compatible servers read ``max_tokens``, and
``chat_template_kwargs`` (a vLLM/SGLang extension) travels in the body's extra fields. Streams ask
for ``stream_options.include_usage`` so the last chunk carries the token counts. Embeddings go
through ``embeddings.create`` on the same pooled client (the SDK asks for base64 and decodes it).

Azure is addressed as ``azure/<deployment>``; a connection's ``deployment`` extra overrides it and
``api_version`` selects the API version. ``openai`` is imported when a provider is built, never at
module import, to keep server start-up fast.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping, Sequence
from typing import Any

from agenta.llm.credentials import ProviderCredentials
from agenta.llm.errors import ProviderError
from agenta.llm.provider_kinds import DEFAULT_AZURE_API_VERSION, ProviderKind
from agenta.llm.providers.base import ChatRequest
from agenta.llm.providers.sdk_errors import translate_sdk_error
from agenta.llm.results import Completion, StreamDelta, Usage

# Compatible servers answer without a key, but the SDK insists on one.
_NO_KEY = "not-needed"


class OpenAIProvider:
    """A provider speaking the chat-completions API through one SDK client."""

    def __init__(self, credentials: ProviderCredentials, kind: ProviderKind) -> None:
        import openai

        self.name = kind.name
        self._sdk = openai
        self._kind = kind
        self._deployment = credentials.extra.get("deployment")
        self._client = _make_client(openai, credentials, kind)

    async def complete(self, request: ChatRequest) -> Completion:
        """Send the request and return the whole answer."""
        arguments = self._arguments(request)
        try:
            response = await self._client.chat.completions.create(**arguments)
        except self._sdk.APIError as exc:
            raise self._error(exc, request.model) from exc
        return completion_from_response(response, provider=self.name)

    async def stream(self, request: ChatRequest) -> AsyncIterator[StreamDelta]:
        """Send the request with ``stream: true`` and yield each chunk as a delta."""
        arguments = self._arguments(request)
        arguments.update(stream=True, stream_options={"include_usage": True})
        try:
            chunks = await self._client.chat.completions.create(**arguments)
            async with chunks:
                async for chunk in chunks:
                    yield delta_from_chunk(chunk)
        except self._sdk.APIError as exc:
            raise self._error(exc, request.model) from exc

    async def embed(
        self, model: str, texts: Sequence[str], timeout: float
    ) -> tuple[list[list[float]], Usage]:
        """One embedding vector per text, in order, and the input tokens they cost."""
        try:
            response = await self._client.embeddings.create(
                model=self._deployment or model, input=list(texts), timeout=timeout
            )
        except self._sdk.APIError as exc:
            raise self._error(exc, model) from exc
        ordered = sorted(response.data, key=lambda item: item.index)
        return [list(item.embedding) for item in ordered], _embedding_usage(response.usage)

    async def aclose(self) -> None:
        """Close the SDK client's connections."""
        await self._client.close()

    def _arguments(self, request: ChatRequest) -> dict[str, Any]:
        model = self._deployment or request.model
        arguments = openai_arguments(model, request, official=self._kind.official_openai)
        arguments["timeout"] = request.timeout
        return arguments

    def _error(self, exc: Exception, model: str) -> ProviderError:
        error = translate_sdk_error(exc, self._sdk, provider=self.name, model=model)
        assert error is not None  # every APIError translates
        return error


def _make_client(openai: Any, credentials: ProviderCredentials, kind: ProviderKind) -> Any:
    common: dict[str, Any] = {
        "api_key": credentials.api_key or _NO_KEY,
        "max_retries": 0,
        "default_headers": dict(credentials.extra.get("headers") or {}),
    }
    if kind.wire == "azure":
        version = credentials.extra.get("api_version") or DEFAULT_AZURE_API_VERSION
        return openai.AsyncAzureOpenAI(
            azure_endpoint=credentials.base_url, api_version=version, **common
        )
    return openai.AsyncOpenAI(base_url=credentials.base_url or kind.default_base_url, **common)


def openai_arguments(model: str, request: ChatRequest, *, official: bool) -> dict[str, Any]:
    """Keyword arguments of ``chat.completions.create`` for ``request``."""
    arguments: dict[str, Any] = {"model": model, "messages": list(request.messages)}
    extra_body: dict[str, Any] = {}
    for name, value in request.params.items():
        if name == "max_tokens" and official:
            arguments["max_completion_tokens"] = value
        elif name == "chat_template_kwargs":
            extra_body[name] = value
        else:
            arguments[name] = value
    if extra_body:
        arguments["extra_body"] = extra_body
    return arguments


def completion_from_response(response: Any, *, provider: str) -> Completion:
    """Our ``Completion`` for an SDK ``ChatCompletion``."""
    choice = response.choices[0] if response.choices else None
    message = choice.message if choice is not None else None
    tool_calls = getattr(message, "tool_calls", None) or []
    return Completion(
        content=getattr(message, "content", None),
        tool_calls=[call.model_dump(exclude_none=True) for call in tool_calls],
        finish_reason=choice.finish_reason if choice is not None else None,
        refusal=getattr(message, "refusal", None),
        usage=usage_from_openai(response.usage),
        provider=provider,
    )


def delta_from_chunk(chunk: Any) -> StreamDelta:
    """Our ``StreamDelta`` for an SDK ``ChatCompletionChunk``."""
    usage = usage_from_openai(chunk.usage) if chunk.usage is not None else None
    if not chunk.choices:
        return StreamDelta(usage=usage)
    choice = chunk.choices[0]
    tool_calls = choice.delta.tool_calls or []
    return StreamDelta(
        content=choice.delta.content,
        tool_calls=[call.model_dump(exclude_none=True) for call in tool_calls],
        finish_reason=choice.finish_reason,
        usage=usage,
    )


def usage_from_openai(usage: Any) -> Usage:
    """Our ``Usage`` for an SDK ``CompletionUsage`` (``None`` gives zeros)."""
    if usage is None:
        return Usage()
    prompt_details = _details(usage, "prompt_tokens_details")
    completion_details = _details(usage, "completion_tokens_details")
    return Usage(
        prompt_tokens=usage.prompt_tokens or 0,
        completion_tokens=usage.completion_tokens or 0,
        cached_tokens=prompt_details.get("cached_tokens") or 0,
        cache_write_tokens=prompt_details.get("cache_write_tokens") or 0,
        reasoning_tokens=completion_details.get("reasoning_tokens") or 0,
    )


def _embedding_usage(usage: Any) -> Usage:
    """Our ``Usage`` for an embeddings answer: input tokens only (some servers send none)."""
    return Usage(prompt_tokens=getattr(usage, "prompt_tokens", None) or 0)


def _details(usage: Any, name: str) -> Mapping[str, Any]:
    details = getattr(usage, name, None)
    return details.model_dump() if details is not None else {}
