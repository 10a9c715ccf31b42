"""Batch or stream: what the ``Accept`` header and ``flags.stream`` ask for.

- ``application/json``: one JSON answer;
- ``text/event-stream``: Server-Sent Events, one ``data:`` line per event;
- ``application/x-ndjson`` (or ``application/jsonl``): one JSON object per line;
- no ``Accept``, or a wildcard: ``flags.stream`` decides, and a stream is NDJSON.

A media type we cannot produce, or an ``Accept`` that contradicts an explicit
``flags.stream``, is answered 406 with ``{requested, supported}`` (as the original does).
Types are tried in the header's order of preference (``q`` values, then position).
"""

from __future__ import annotations

from dataclasses import dataclass

JSON = "application/json"
SSE = "text/event-stream"
NDJSON = "application/x-ndjson"
JSONL = "application/jsonl"
SUPPORTED = (JSON, SSE, NDJSON, JSONL)
_WILDCARDS = ("*/*", "application/*", "text/*")


@dataclass(frozen=True)
class Negotiated:
    """The format to answer in."""

    media_type: str

    @property
    def stream(self) -> bool:
        """True for the streaming formats."""
        return self.media_type != JSON


class NotAcceptable(Exception):
    """No format satisfies both the ``Accept`` header and the request's flags."""

    def __init__(self, requested: str, supported: tuple[str, ...], reason: str) -> None:
        super().__init__(reason)
        self.requested = requested
        self.supported = supported
        self.reason = reason

    def body(self) -> dict[str, object]:
        """The 406 answer."""
        return {
            "detail": self.reason,
            "message": self.reason,
            "requested": self.requested,
            "supported": list(self.supported),
        }


def negotiate(accept: str | None, stream_flag: bool | None) -> Negotiated:
    """The answer format for an ``Accept`` header and ``flags.stream`` (None when not sent)."""
    wanted = _preferences(accept or "")
    natural = NDJSON if stream_flag else JSON
    for media_type in wanted:
        if media_type in _WILDCARDS:
            return Negotiated(natural)
        if media_type in SUPPORTED:
            return _checked(media_type, stream_flag, accept or "")
    if not wanted:
        return Negotiated(natural)
    raise NotAcceptable(
        accept or "",
        SUPPORTED,
        f"Cannot answer in {accept!r}: supported are {', '.join(SUPPORTED)}",
    )


def _checked(media_type: str, stream_flag: bool | None, accept: str) -> Negotiated:
    is_stream = media_type != JSON
    if stream_flag is None or stream_flag == is_stream:
        return Negotiated(media_type)
    supported = (SSE, NDJSON, JSONL) if stream_flag else (JSON,)
    produced = "a stream" if stream_flag else "one JSON answer"
    raise NotAcceptable(
        accept, supported, f"flags.stream asks for {produced} but Accept requested {media_type!r}"
    )


def _preferences(accept: str) -> list[str]:
    """Media types of an ``Accept`` header, most preferred first (q=0 dropped)."""
    ranked: list[tuple[float, int, str]] = []
    for position, part in enumerate(accept.split(",")):
        media_type, _, params = part.strip().partition(";")
        if not media_type:
            continue
        quality = _quality(params)
        if quality > 0:
            ranked.append((-quality, position, media_type.strip().lower()))
    return [media_type for _, _, media_type in sorted(ranked)]


def _quality(params: str) -> float:
    for param in params.split(";"):
        name, _, value = param.strip().partition("=")
        if name.strip().lower() == "q":
            try:
                return float(value)
            except ValueError:
                return 0.0
    return 1.0
