"""The fake LLM's controls and records: the object tests hold as ``fake_llm``.

The server thread reads these settings and the test thread changes them, so queues and the
request log are guarded by a lock. Behaviour can be set three ways:

* the Python API here (``fake_llm.script(...)``, ``fake_llm.fail_next(429, times=2)``,
  ``fake_llm.latency = 0.1``), for tests in the same process;
* control endpoints (``POST /_fake/fail_next`` ...), for tests driving a server in another process;
* magic in the request itself, for callers we cannot configure: model names containing
  ``fake-error-<status>`` (always fail), ``fake-slow-<n>ms`` (added latency) or ``fake-hang``
  (never answer), and headers ``x-fake-error``, ``x-fake-latency-ms``, ``x-fake-token-delay-ms``,
  ``x-fake-reply``.
"""

from __future__ import annotations

import json
import re
import threading
from collections import deque
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

ScriptedReply = str | Mapping[str, Any]

_SETTINGS = ("latency", "token_delay", "cached_tokens", "reasoning_tokens")
_ERROR_MODEL = re.compile(r"fake-error-(\d{3})")
_SLOW_MODEL = re.compile(r"fake-slow-(\d+)ms")


@dataclass(frozen=True)
class RecordedRequest:
    """One request the fake received."""

    method: str
    path: str
    query: str
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        """The body parsed as JSON (``None`` when empty)."""
        return json.loads(self.body) if self.body else None


@dataclass(frozen=True)
class Failure:
    """An injected failure: an HTTP status, or a hang of up to ``hang_seconds``."""

    status: int | None = None
    message: str | None = None
    hang_seconds: float | None = None


@dataclass(frozen=True)
class Behaviour:
    """How to answer one request, after every setting and magic was applied."""

    failure: Failure | None
    latency: float
    token_delay: float
    scripted: ScriptedReply | None


@dataclass
class FakeLLM:
    """Settings, scripts, injected failures and the request log of one fake LLM server."""

    url: str = ""
    latency: float = 0.0
    token_delay: float = 0.0
    cached_tokens: int = 0
    reasoning_tokens: int = 0
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)
    _failures: deque[Failure] = field(default_factory=deque, repr=False)
    _script: deque[ScriptedReply] = field(default_factory=deque, repr=False)
    _rules: list[tuple[str, ScriptedReply]] = field(default_factory=list, repr=False)
    _requests: list[RecordedRequest] = field(default_factory=list, repr=False)
    _defaults: dict[str, Any] = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        # ``reset`` returns to the settings the fake was started with (e.g. CLI --latency).
        self._defaults = {name: getattr(self, name) for name in _SETTINGS}

    @property
    def openai_base_url(self) -> str:
        """Base URL for the ``openai`` SDK (``.../v1``)."""
        return f"{self.url}/v1"

    @property
    def anthropic_base_url(self) -> str:
        """Base URL for the ``anthropic`` SDK (it adds ``/v1`` itself)."""
        return self.url

    def env(self) -> dict[str, str]:
        """Environment variables pointing both SDK families at this server."""
        return {
            "OPENAI_API_KEY": "fake-openai-key",
            "OPENAI_BASE_URL": self.openai_base_url,
            "ANTHROPIC_API_KEY": "fake-anthropic-key",
            "ANTHROPIC_BASE_URL": self.anthropic_base_url,
        }

    @property
    def requests(self) -> list[RecordedRequest]:
        """Every API request received so far (control requests excluded)."""
        with self._lock:
            return list(self._requests)

    @property
    def last_request(self) -> RecordedRequest:
        """The most recent API request."""
        with self._lock:
            return self._requests[-1]

    def script(self, *replies: ScriptedReply) -> None:
        """Queue replies for the next chat requests, in order (text or content/tool_calls)."""
        with self._lock:
            self._script.extend(replies)

    def reply_when(self, contains: str, reply: ScriptedReply) -> None:
        """Answer ``reply`` whenever the last user message contains ``contains``."""
        with self._lock:
            self._rules.append((contains, reply))

    def fail_next(self, status: int, times: int = 1, message: str | None = None) -> None:
        """Answer the next ``times`` API requests with HTTP ``status``."""
        with self._lock:
            self._failures.extend([Failure(status=status, message=message)] * times)

    def hang_next(self, times: int = 1, seconds: float = 30.0) -> None:
        """Leave the next ``times`` API requests unanswered for up to ``seconds``."""
        with self._lock:
            self._failures.extend([Failure(hang_seconds=seconds)] * times)

    def reset(self) -> None:
        """Forget settings, scripts, failures and recorded requests."""
        with self._lock:
            for name, value in self._defaults.items():
                setattr(self, name, value)
            self._failures.clear()
            self._script.clear()
            self._rules.clear()
            self._requests.clear()

    def configure(self, command: str, data: Mapping[str, Any]) -> None:
        """Apply a control-endpoint command (``fail_next``, ``hang_next``, ``script``...)."""
        if command == "fail_next":
            self.fail_next(int(data["status"]), int(data.get("times", 1)), data.get("message"))
        elif command == "hang_next":
            self.hang_next(int(data.get("times", 1)), float(data.get("seconds", 30.0)))
        elif command == "script":
            self.script(*data["replies"])
        elif command == "reply_when":
            self.reply_when(data["contains"], data["reply"])
        elif command == "settings":
            for name in _SETTINGS:
                if name in data:
                    setattr(self, name, type(getattr(self, name))(data[name]))
        elif command == "reset":
            self.reset()
        else:
            raise KeyError(command)

    def record(self, request: RecordedRequest) -> None:
        """Log one received API request."""
        with self._lock:
            self._requests.append(request)

    def behaviour(
        self, model: str, headers: Mapping[str, str], last_user_text: str | None
    ) -> Behaviour:
        """How to answer a request for ``model`` (``last_user_text`` is ``None`` off chat)."""
        with self._lock:
            failure = self._failures.popleft() if self._failures else None
            failure = failure or _magic_failure(model, headers)
            scripted = None
            if failure is None and last_user_text is not None:
                scripted = self._scripted(last_user_text)
        latency = self.latency + _magic_latency(model, headers)
        token_delay = float(headers.get("x-fake-token-delay-ms", 0)) / 1000 or self.token_delay
        return Behaviour(failure, latency, token_delay, scripted or headers.get("x-fake-reply"))

    def _scripted(self, last_user_text: str) -> ScriptedReply | None:
        if self._script:
            return self._script.popleft()
        return next((reply for needle, reply in self._rules if needle in last_user_text), None)


def _magic_failure(model: str, headers: Mapping[str, str]) -> Failure | None:
    status = headers.get("x-fake-error")
    match = _ERROR_MODEL.search(model)
    if status or match:
        return Failure(status=int(status or match.group(1)))  # type: ignore[union-attr]
    if "fake-hang" in model or "x-fake-hang" in headers:
        return Failure(hang_seconds=float(headers.get("x-fake-hang") or 30.0))
    return None


def _magic_latency(model: str, headers: Mapping[str, str]) -> float:
    match = _SLOW_MODEL.search(model)
    from_model = int(match.group(1)) / 1000 if match else 0.0
    return from_model + float(headers.get("x-fake-latency-ms", 0)) / 1000
