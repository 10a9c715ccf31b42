"""A tiny HTTP/1.1 server standing in for the app behind a reverse proxy.

Every request is answered with a JSON echo of what arrived: method, path, HTTP version, headers,
body size and the client's TCP port (so a test can see whether the proxy reused a connection).
``?pad=N`` adds N characters of padding, to make a response big enough to be compressed.

Paths ending in ``/flood`` answer with ``FLOOD_BYTES`` of chunked data, written as fast as the
connection takes it, and set ``EchoUpstream.flood_finished`` once all of it is out. A proxy that
buffers responses absorbs the whole flood while its client reads nothing; one that passes data
through leaves the upstream blocked on a full socket, as a streaming LLM call should be.

Paths ending in ``/stream`` answer with a chunked ``text/event-stream``: the first event goes out at
once, then the handler holds the last one back until the test sets ``EchoUpstream.release_stream``
(or a timeout passes). Each stream records whether it was released, which tells the test that the
client saw the first event while the upstream was still holding the rest: the proxy did not buffer.

The server runs on 127.0.0.1 in a background thread; use it as a context manager.
"""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from urllib.parse import parse_qs, urlsplit

STREAM_HOLD_SECONDS = 3.0
FLOOD_BYTES = 32 * 1024 * 1024
FLOOD_CHUNK = b"f" * (256 * 1024)


class _EchoServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, owner: EchoUpstream) -> None:
        super().__init__(("127.0.0.1", 0), _EchoHandler)
        self.owner = owner


class _EchoHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: _EchoServer

    def do_GET(self) -> None:
        path = urlsplit(self.path).path
        if path.endswith("/stream"):
            self._stream()
        elif path.endswith("/flood"):
            self._flood()
        else:
            self._echo(body_length=0)

    def do_POST(self) -> None:
        self._echo(body_length=self._drain_body())

    def log_message(self, format: str, *args: object) -> None:
        """Stay quiet: the test reports what matters."""

    def _drain_body(self) -> int:
        remaining = int(self.headers.get("Content-Length", "0"))
        received = 0
        while remaining > 0:
            chunk = self.rfile.read(min(remaining, 1 << 20))
            if not chunk:
                break
            received += len(chunk)
            remaining -= len(chunk)
        return received

    def _echo(self, body_length: int) -> None:
        query = parse_qs(urlsplit(self.path).query)
        echo = {
            "method": self.command,
            "path": self.path,
            "version": self.request_version,
            "headers": {name.lower(): value for name, value in self.headers.items()},
            "body_length": body_length,
            "client_port": self.client_address[1],
            "padding": "x" * int(query.get("pad", ["0"])[0]),
        }
        payload = json.dumps(echo).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        self.wfile.write(payload)

    def _stream(self) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Cache-Control", "no-store")
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()
        self._write_chunk(b"data: first\n\n")
        released = self.server.owner.release_stream.wait(STREAM_HOLD_SECONDS)
        self.server.owner.stream_releases.append(released)
        self._write_chunk(b"data: last\n\n")
        self._write_chunk(b"")

    def _flood(self) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "application/octet-stream")
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()
        owner = self.server.owner
        while owner.flood_sent < FLOOD_BYTES:
            self._write_chunk(FLOOD_CHUNK)
            owner.flood_sent += len(FLOOD_CHUNK)
        self._write_chunk(b"")
        owner.flood_finished.set()

    def _write_chunk(self, data: bytes) -> None:
        self.wfile.write(f"{len(data):x}\r\n".encode() + data + b"\r\n")


class EchoUpstream:
    """A running echo server; ``address`` is its ``host:port``."""

    def __init__(self) -> None:
        self.release_stream = threading.Event()
        self.stream_releases: list[bool] = []
        self.flood_finished = threading.Event()
        self.flood_sent = 0
        self._server = _EchoServer(self)
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def address(self) -> str:
        host, port = self._server.server_address[:2]
        return f"{host}:{port}"

    def __enter__(self) -> EchoUpstream:
        self._thread.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.release_stream.set()
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)
