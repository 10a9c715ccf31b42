"""A fake LLM provider: a real HTTP server on 127.0.0.1 speaking the OpenAI and Anthropic APIs.

Tests point the real SDKs (through our providers) at it, so every byte on the wire is what the
SDKs really send and parse. It is a raw ASGI app served by uvicorn, in a background thread
(``FakeLLMServer``, used by the ``fake_llm`` fixture) or as its own process::

    python -m tests.fakes.llm_server --port 8765 --latency 0.1 --token-delay 0.01

Routes (matched on the path's end, so Azure's ``/openai/deployments/<d>/chat/completions`` works):
``POST .../chat/completions``, ``POST .../messages``, ``POST .../embeddings``, ``GET .../models``;
control routes ``POST /_fake/<command>`` (``fail_next``, ``hang_next``, ``script``,
``reply_when``, ``settings``, ``reset``) and ``GET /_fake/requests`` for tests driving a server in
another process. Replies are described in ``llm_replies``, magic model names in ``llm_state``.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import itertools
import json
import socket
import threading
import time
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from types import ModuleType
from typing import Any

import uvicorn

from tests.fakes import anthropic_wire, openai_wire
from tests.fakes.llm_replies import make_reply
from tests.fakes.llm_state import Behaviour, FakeLLM, RecordedRequest

Receive = Callable[[], Awaitable[dict[str, Any]]]
Send = Callable[[dict[str, Any]], Awaitable[None]]


@dataclass(frozen=True)
class _Call:
    request: RecordedRequest
    receive: Receive
    send: Send


class FakeLLMApp:
    """The ASGI app: records each API request and answers it as ``FakeLLM`` says."""

    def __init__(self, fake: FakeLLM) -> None:
        self.fake = fake
        self._numbers = itertools.count(1)

    async def __call__(self, scope: dict[str, Any], receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return
        call = _Call(await _read_request(scope, receive), receive, send)
        path = call.request.path
        if path.startswith("/_fake/"):
            await self._control(call)
            return
        self.fake.record(call.request)
        if call.request.method == "POST" and path.endswith("/chat/completions"):
            await self._chat(call, openai_wire)
        elif call.request.method == "POST" and path.endswith("/messages"):
            await self._chat(call, anthropic_wire)
        elif call.request.method == "POST" and path.endswith("/embeddings"):
            await self._embeddings(call)
        elif call.request.method == "GET" and path.endswith("/models"):
            await self._models(call)
        else:
            await _send_json(send, 404, openai_wire.error_body(404, f"no route {path}"))

    async def _chat(self, call: _Call, wire: ModuleType) -> None:
        body = _json_or_none(call.request.body)
        problem = "body must be a JSON object" if not isinstance(body, dict) else None
        if problem is None and wire is anthropic_wire:
            problem = anthropic_wire.request_problem(body)  # type: ignore[arg-type]
        if problem is not None:
            await _send_json(call.send, 400, wire.error_body(400, problem))
            return
        chat = wire.read_chat(body)
        behaviour = self.fake.behaviour(chat.model, call.request.headers, chat.last_user_text)
        if await _failed(call, behaviour, wire):
            return
        await asyncio.sleep(behaviour.latency)
        reply = make_reply(
            chat,
            behaviour.scripted,
            cached_tokens=self.fake.cached_tokens,
            reasoning_tokens=self.fake.reasoning_tokens,
        )
        number = next(self._numbers)
        if body.get("stream"):  # type: ignore[union-attr]
            await _send_stream(
                call.send, _events(wire, reply, chat.model, number, body), behaviour.token_delay
            )
        elif wire is anthropic_wire:
            await _send_json(call.send, 200, anthropic_wire.message_body(reply, chat.model, number))
        else:
            await _send_json(call.send, 200, openai_wire.completion_body(reply, chat.model, number))

    async def _embeddings(self, call: _Call) -> None:
        body = _json_or_none(call.request.body) or {}
        behaviour = self.fake.behaviour(str(body.get("model", "")), call.request.headers, None)
        if await _failed(call, behaviour, openai_wire):
            return
        await asyncio.sleep(behaviour.latency)
        await _send_json(call.send, 200, openai_wire.embeddings_body(body))

    async def _models(self, call: _Call) -> None:
        if "anthropic-version" in call.request.headers:
            await _send_json(call.send, 200, anthropic_wire.models_body(("claude-fake",)))
        else:
            await _send_json(call.send, 200, openai_wire.models_body())

    async def _control(self, call: _Call) -> None:
        command = call.request.path.removeprefix("/_fake/")
        if command == "requests":
            await _send_json(call.send, 200, [_describe(item) for item in self.fake.requests])
            return
        try:
            self.fake.configure(command, _json_or_none(call.request.body) or {})
        except (KeyError, TypeError, ValueError) as exc:
            await _send_json(call.send, 400, {"error": f"bad control request: {exc!r}"})
            return
        await _send_json(call.send, 200, {"ok": True})


def _events(
    wire: ModuleType, reply: Any, model: str, number: int, body: Mapping[str, Any]
) -> list[bytes]:
    if wire is anthropic_wire:
        return anthropic_wire.stream_events(reply, model, number)
    include_usage = bool((body.get("stream_options") or {}).get("include_usage"))
    return openai_wire.stream_events(reply, model, number, include_usage=include_usage)


async def _failed(call: _Call, behaviour: Behaviour, wire: ModuleType) -> bool:
    failure = behaviour.failure
    if failure is None:
        return False
    if failure.hang_seconds is not None:
        await _wait_for_disconnect(call.receive, failure.hang_seconds)
        await _send_json(call.send, 504, wire.error_body(504, "fake hang ended"))
        return True
    await asyncio.sleep(behaviour.latency)
    status = failure.status or 500
    await _send_json(call.send, status, wire.error_body(status, failure.message))
    return True


async def _wait_for_disconnect(receive: Receive, seconds: float) -> None:
    async def disconnected() -> None:
        while (await receive())["type"] != "http.disconnect":
            pass

    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(disconnected(), seconds)


async def _read_request(scope: dict[str, Any], receive: Receive) -> RecordedRequest:
    chunks: list[bytes] = []
    while True:
        message = await receive()
        chunks.append(message.get("body", b""))
        if not message.get("more_body"):
            break
    headers = {
        name.decode("latin-1").lower(): value.decode("latin-1") for name, value in scope["headers"]
    }
    query = scope.get("query_string", b"").decode("latin-1")
    return RecordedRequest(scope["method"], scope["path"], query, headers, b"".join(chunks))


def _json_or_none(body: bytes) -> Any:
    try:
        return json.loads(body) if body else None
    except ValueError:
        return None


def _describe(request: RecordedRequest) -> dict[str, Any]:
    return {
        "method": request.method,
        "path": request.path,
        "query": request.query,
        "headers": request.headers,
        "body": _json_or_none(request.body),
    }


async def _send_json(send: Send, status: int, payload: Any) -> None:
    data = json.dumps(payload).encode()
    headers = [(b"content-type", b"application/json"), (b"content-length", str(len(data)).encode())]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": data})


async def _send_stream(send: Send, events: Sequence[bytes], delay: float) -> None:
    headers = [(b"content-type", b"text/event-stream"), (b"cache-control", b"no-cache")]
    await send({"type": "http.response.start", "status": 200, "headers": headers})
    for event in events:
        if delay:
            await asyncio.sleep(delay)
        await send({"type": "http.response.body", "body": event, "more_body": True})
    await send({"type": "http.response.body", "body": b""})


class FakeLLMServer:
    """Runs the fake on a free port of 127.0.0.1 in a background thread (a context manager)."""

    def __init__(self, fake: FakeLLM | None = None, host: str = "127.0.0.1", port: int = 0) -> None:
        self.fake = fake or FakeLLM()
        self._socket = _bound_socket(host, port)
        bound_host, bound_port = self._socket.getsockname()[:2]
        self.fake.url = f"http://{bound_host}:{bound_port}"
        self._server = uvicorn.Server(_config(FakeLLMApp(self.fake)))
        self._thread = threading.Thread(
            target=self._server.run, kwargs={"sockets": [self._socket]}, daemon=True
        )

    def start(self) -> FakeLLM:
        """Start serving; returns the ``FakeLLM`` once requests are accepted."""
        self._thread.start()
        deadline = time.monotonic() + 10
        while not self._server.started:
            if time.monotonic() > deadline or not self._thread.is_alive():
                raise RuntimeError("the fake LLM server did not start")
            time.sleep(0.01)
        return self.fake

    def stop(self) -> None:
        """Stop serving and wait for the thread."""
        self._server.should_exit = True
        self._thread.join(timeout=10)
        self._socket.close()

    def __enter__(self) -> FakeLLM:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()


def _bound_socket(host: str, port: int) -> socket.socket:
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, port))
    # Listening now lets clients connect (and wait in the backlog) before uvicorn is up.
    sock.listen(512)
    return sock


def _config(app: FakeLLMApp) -> uvicorn.Config:
    # log_config=None: leave the host process's logging alone (pytest captures it).
    return uvicorn.Config(
        app,
        lifespan="off",
        log_config=None,
        log_level="warning",
        access_log=False,
        timeout_graceful_shutdown=1,
        backlog=512,
    )


def main(argv: Sequence[str] | None = None) -> None:
    """Run the fake in the foreground until interrupted."""
    parser = argparse.ArgumentParser(description="Fake OpenAI/Anthropic-compatible LLM server")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0, help="0 picks a free port")
    parser.add_argument("--latency", type=float, default=0.0, help="seconds before each answer")
    parser.add_argument(
        "--token-delay", type=float, default=0.0, help="seconds between stream events"
    )
    options = parser.parse_args(argv)
    fake = FakeLLM(latency=options.latency, token_delay=options.token_delay)
    sock = _bound_socket(options.host, options.port)
    host, port = sock.getsockname()[:2]
    fake.url = f"http://{host}:{port}"
    print(f"fake LLM server listening on {fake.url}", flush=True)
    uvicorn.Server(_config(FakeLLMApp(fake))).run(sockets=[sock])


if __name__ == "__main__":
    main()
