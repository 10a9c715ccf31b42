"""A streamed invocation: the model's deltas as SSE or NDJSON events, ended by done or error.

``open_stream`` waits for the first event before anything is answered, so a call that fails
before producing any text (a refused key, a rate limit, every fallback down) is still answered
with its real HTTP status (424, 503...) as a JSON error, as the original does. After that, the
status is 200 and a failure arrives as a final ``error`` event.

``event_stream`` yields the frames. Whatever way it ends (done, error, or the client going
away), the trace is finished and handed to ``on_finish`` exactly once, and the provider stream
is closed so its connection goes back to the pool.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable

from agenta.core.services.errors import ServiceFailure, failure_from
from agenta.core.services.handlers import PreparedCall, outputs_of
from agenta.core.services.invocation import credentials_of, stream_events
from agenta.core.services.responses import (
    delta_event,
    done_event,
    error_event,
    frame,
    start_event,
)
from agenta.core.services.traces import InvocationTrace
from agenta.llm import LLMClient, StreamDelta, StreamEnd, StreamEvent

CLIENT_GONE = ServiceFailure(499, "interface:client-closed-request", "The client went away")


class OpenStream:
    """A provider stream whose first event has arrived."""

    def __init__(self, first: StreamEvent, rest: AsyncIterator[StreamEvent]) -> None:
        self.first = first
        self.rest = rest

    async def events(self) -> AsyncIterator[StreamEvent]:
        yield self.first
        async for event in self.rest:
            yield event

    async def aclose(self) -> None:
        await self.rest.aclose()  # type: ignore[attr-defined]


async def open_stream(client: LLMClient, call: PreparedCall, trace: InvocationTrace) -> OpenStream:
    """Start the call and wait for its first event (raises ``ProviderError`` before that)."""
    events = stream_events(client, call, trace)
    try:
        first = await anext(events)
    except BaseException:
        await events.aclose()  # type: ignore[attr-defined]
        raise
    return OpenStream(first, events)


async def event_stream(
    opened: OpenStream,
    call: PreparedCall,
    trace: InvocationTrace,
    media_type: str,
    on_finish: Callable[[InvocationTrace], None],
) -> AsyncIterator[bytes]:
    """The frames of a streamed invocation."""
    try:
        yield frame(start_event(trace), media_type)
        async for event in opened.events():
            encoded = _frame_of(event, call, trace, media_type)
            if encoded is not None:
                yield encoded
    except Exception as error:
        failure = failure_from(error).scrubbed(credentials_of(call))
        trace.finish(failure=failure)
        yield frame(error_event(trace, failure), media_type)
    finally:
        if trace.ended is None:
            trace.finish(failure=CLIENT_GONE)
        await opened.aclose()
        on_finish(trace)


def _frame_of(
    event: StreamEvent, call: PreparedCall, trace: InvocationTrace, media_type: str
) -> bytes | None:
    if isinstance(event, StreamEnd):
        outputs = outputs_of(call, event.completion)
        trace.finish(outputs=outputs)
        return frame(done_event(trace, outputs), media_type)
    assert isinstance(event, StreamDelta)
    shown = delta_event(event)
    return frame(shown, media_type) if shown is not None else None
