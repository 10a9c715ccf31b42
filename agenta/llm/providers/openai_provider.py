"""Chat and embeddings calls over the official ``openai`` async SDK: OpenAI, Azure and
OpenAI-compatible servers.

The request is the user's: messages, ``response_format``, tools and ``tool_choice`` go out as
given. One translation is made for the endpoint's sake: OpenAI's own API (and Azure's) reads
``max_completion_tokens`` where compatible servers read ``max_tokens``; ``chat_template_kwargs``
(a vLLM/SGLang extension) goes out like any other field. Streams ask for
``stream_options.include_usage`` so the last chunk carries the token counts. Embeddings go
through ``embeddings.create`` on the same pooled client (the SDK asks for base64 and decodes it).
The client sends over aiohttp (the SDK's ``DefaultAioHttpClient``) rather than httpx.

Chat calls go through the SDK client's ``post`` with the JSON body as we built it, rather than
``chat.completions.create``: the client's options (base URL, key, headers, Azure deployment
routing, timeout) and its error classes apply the same, but the SDK's recursive transform of the
typed parameters (an identity on plain JSON messages) and the pydantic ``ChatCompletion`` are
skipped; together they cost more CPU than the rest of a call. Answers and stream chunks are
read straight from their JSON.

Azure is addressed as ``azure/<deployment>``; a connection's ``deployment`` extra overrides it and
``api_version`` selects the API version. ``openai`` is imported when a provider is built, never at
module import, to keep server start-up fast.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping, Sequence
from typing import Any

from agenta.llm.credentials import ProviderCredentials
from agenta.llm.errors import ErrorKind, ProviderError
from agenta.llm.provider_kinds import DEFAULT_AZURE_API_VERSION, ProviderKind
from agenta.llm.providers.base import ChatRequest
from agenta.llm.providers.sdk_errors import translate_sdk_error
from agenta.llm.results import Completion, StreamDelta, Usage

# Compatible servers answer without a key, but the SDK insists on one.
_NO_KEY = "not-needed"
CHAT_PATH = "/chat/completions"


class OpenAIProvider:
    """A provider speaking the chat-completions API through one SDK client."""

    def __init__(self, credentials: ProviderCredentials, kind: ProviderKind) -> None:
        import openai

        self.name = kind.name
        self._sdk = openai
        self._kind = kind
        self._deployment = credentials.extra.get("deployment")
        self._client = _make_client(openai, credentials, kind)
        # Chunks come as their JSON, like whole answers: one reading of both.
        self._chunks = openai.AsyncStream[object]

    async def complete(self, request: ChatRequest) -> Completion:
        """Send the request and return the whole answer."""
        try:
            answer = await self._client.post(
                CHAT_PATH, cast_to=object, body=self._body(request), options=_options(request)
            )
        except self._sdk.APIError as exc:
            raise self._error(exc, request.model) from exc
        if not isinstance(answer, Mapping):
            raise ProviderError(
                provider=self.name,
                status=None,
                message=f"the answer is not a JSON object: {str(answer)[:200]}",
                model=request.model,
                kind=ErrorKind.SERVER,
            )
        return completion_from_json(answer, provider=self.name)

    async def stream(self, request: ChatRequest) -> AsyncIterator[StreamDelta]:
        """Send the request with ``stream: true`` and yield each chunk as a delta."""
        body = self._body(request)
        body.update(stream=True, stream_options={"include_usage": True})
        try:
            chunks = await self._client.post(
                CHAT_PATH,
                cast_to=object,
                body=body,
                options=_options(request),
                stream=True,
                stream_cls=self._chunks,
            )
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

    def _body(self, request: ChatRequest) -> dict[str, Any]:
        model = self._deployment or request.model
        return openai_body(model, request, official=self._kind.official_openai)

    def _error(self, exc: Exception, model: str) -> ProviderError:
        error = translate_sdk_error(exc, self._sdk, provider=self.name, model=model)
        assert error is not None  # every APIError translates
        return error


def _make_client(openai: Any, credentials: ProviderCredentials, kind: ProviderKind) -> Any:
    common: dict[str, Any] = {
        "api_key": credentials.api_key or _NO_KEY,
        "max_retries": 0,
        "default_headers": dict(credentials.extra.get("headers") or {}),
        # aiohttp spends about half the CPU of the SDK's default httpx transport per request,
        # which decides how many concurrent calls (an evaluation run's) one process sustains.
        "http_client": openai.DefaultAioHttpClient(),
    }
    if kind.wire == "azure":
        version = credentials.extra.get("api_version") or DEFAULT_AZURE_API_VERSION
        return openai.AsyncAzureOpenAI(
            azure_endpoint=credentials.base_url, api_version=version, **common
        )
    return openai.AsyncOpenAI(base_url=credentials.base_url or kind.default_base_url, **common)


def _options(request: ChatRequest) -> dict[str, Any]:
    # The security scheme ``chat.completions.create`` declares: the bearer key only.
    return {"timeout": request.timeout, "security": {"bearer_auth": True}}


def openai_body(model: str, request: ChatRequest, *, official: bool) -> dict[str, Any]:
    """The JSON body of a chat-completions request for ``request``."""
    body: dict[str, Any] = {"model": model, "messages": list(request.messages)}
    for name, value in request.params.items():
        body["max_completion_tokens" if name == "max_tokens" and official else name] = value
    return body


def completion_from_json(answer: Mapping[str, Any], *, provider: str) -> Completion:
    """Our ``Completion`` for a chat-completions answer as JSON."""
    choices = answer.get("choices") or [{}]
    choice = choices[0] or {}
    message = choice.get("message") or {}
    return Completion(
        content=message.get("content"),
        tool_calls=[_without_none(call) for call in message.get("tool_calls") or []],
        finish_reason=choice.get("finish_reason"),
        refusal=message.get("refusal"),
        usage=_usage_from_json(answer.get("usage") or {}),
        provider=provider,
    )


def delta_from_chunk(chunk: Mapping[str, Any]) -> StreamDelta:
    """Our ``StreamDelta`` for a chat-completions stream chunk as JSON."""
    reported = chunk.get("usage")
    usage = _usage_from_json(reported) if reported is not None else None
    choices = chunk.get("choices") or []
    if not choices:
        return StreamDelta(usage=usage)
    choice = choices[0] or {}
    delta = choice.get("delta") or {}
    return StreamDelta(
        content=delta.get("content"),
        tool_calls=[_without_none(call) for call in delta.get("tool_calls") or []],
        finish_reason=choice.get("finish_reason"),
        usage=usage,
    )


def _usage_from_json(usage: Mapping[str, Any]) -> Usage:
    prompt_details = usage.get("prompt_tokens_details") or {}
    completion_details = usage.get("completion_tokens_details") or {}
    return Usage(
        prompt_tokens=usage.get("prompt_tokens") or 0,
        completion_tokens=usage.get("completion_tokens") or 0,
        cached_tokens=prompt_details.get("cached_tokens") or 0,
        cache_write_tokens=prompt_details.get("cache_write_tokens") or 0,
        reasoning_tokens=completion_details.get("reasoning_tokens") or 0,
    )


def _without_none(value: Any) -> Any:
    """``value`` with ``None`` fields dropped at every depth, as the SDK's ``exclude_none``."""
    if isinstance(value, Mapping):
        return {key: _without_none(item) for key, item in value.items() if item is not None}
    if isinstance(value, list):
        return [_without_none(item) for item in value]
    return value


def _embedding_usage(usage: Any) -> Usage:
    """Our ``Usage`` for an embeddings answer: input tokens only (some servers send none)."""
    return Usage(prompt_tokens=getattr(usage, "prompt_tokens", None) or 0)
