"""A real HTTP server on 127.0.0.1 for tests of outbound calls (webhooks, ``agenta.outbound``).

Each test passes a ``respond`` function that maps the recorded request to a canned response; the
server keeps every request it received, so a test can check what was sent (body, Host header).
It runs in a background thread; use it as a context manager.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any


@dataclass(frozen=True)
class RecordedRequest:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)


@dataclass(frozen=True)
class CannedResponse:
    status: int = 200
    body: bytes = b"{}"
    headers: dict[str, str] = field(default_factory=lambda: {"content-type": "application/json"})
    delay_seconds: float = 0.0
    # Without a Content-Length the body simply runs until the connection closes (HTTP/1.0).
    declare_length: bool = True


def json_response(value: Any, status: int = 200) -> CannedResponse:
    return CannedResponse(status=status, body=json.dumps(value).encode())


Responder = Callable[[RecordedRequest], CannedResponse]


class LocalHTTPServer:
    def __init__(self, respond: Responder) -> None:
        self.respond = respond
        self.requests: list[RecordedRequest] = []
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _handler_for(self))
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._serve, daemon=True)

    def _serve(self) -> None:
        # A short poll interval keeps shutdown (and so each test) fast.
        self._server.serve_forever(poll_interval=0.02)

    @property
    def port(self) -> int:
        return self._server.server_address[1]

    def url(self, path: str = "/hook", host: str = "127.0.0.1") -> str:
        return f"http://{host}:{self.port}{path}"

    def __enter__(self) -> LocalHTTPServer:
        self._thread.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._server.shutdown()
        self._server.server_close()


def _handler_for(owner: LocalHTTPServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers.get("content-length") or 0)
            request = RecordedRequest(
                method="POST",
                path=self.path,
                headers={name.lower(): value for name, value in self.headers.items()},
                body=self.rfile.read(length),
            )
            owner.requests.append(request)
            canned = owner.respond(request)
            time.sleep(canned.delay_seconds)
            self.send_response(canned.status)
            for name, value in canned.headers.items():
                self.send_header(name, value)
            if canned.declare_length:
                self.send_header("content-length", str(len(canned.body)))
            self.end_headers()
            self.wfile.write(canned.body)

        def log_message(self, format: str, *args: Any) -> None:
            pass

    return Handler
