"""The outbound raw-body POST of webhook deliveries: exact bytes out, excerpts of answers back."""

from __future__ import annotations

import pytest

from agenta.outbound import OutboundError, post_bytes
from tests.core.evaluators.local_http import CannedResponse, LocalHTTPServer


def answer(body: bytes, status: int = 200, declare_length: bool = True) -> CannedResponse:
    return CannedResponse(status=status, body=body, declare_length=declare_length)


async def test_it_sends_the_body_bytes_unchanged_with_the_given_headers() -> None:
    body = b'{"b":1,"a":"\xc3\xa9"}'
    with LocalHTTPServer(lambda _: answer(b"ok")) as server:
        response = await post_bytes(
            server.url(), body, allow_private=True, headers={"x-agenta-signature": "t=1,v1=ab"}
        )
    received = server.requests[0]
    assert (received.body, received.headers["x-agenta-signature"]) == (body, "t=1,v1=ab")
    assert received.headers["content-type"] == "application/json"
    assert (response.status_code, response.body, response.truncated) == (200, b"ok", False)


@pytest.mark.parametrize("declare_length", [True, False])
async def test_with_truncate_it_keeps_the_start_of_a_big_answer(declare_length: bool) -> None:
    big = b"x" * 5000
    with LocalHTTPServer(lambda _: answer(big, 500, declare_length)) as server:
        response = await post_bytes(
            server.url(), b"{}", allow_private=True, max_bytes=100, truncate=True
        )
    assert (response.status_code, response.body, response.truncated) == (500, b"x" * 100, True)


async def test_without_truncate_a_big_answer_is_still_refused() -> None:
    too_big = pytest.raises(OutboundError, match="larger than the 100-byte limit")
    with LocalHTTPServer(lambda _: answer(b"x" * 5000)) as server, too_big:
        await post_bytes(server.url(), b"{}", allow_private=True, max_bytes=100)


async def test_it_refuses_a_loopback_receiver_unless_allowed() -> None:
    refused = pytest.raises(OutboundError, match="loopback")
    with LocalHTTPServer(lambda _: answer(b"ok")) as server, refused as caught:
        await post_bytes(server.url(), b"{}")
    assert caught.value.refused
    assert server.requests == []
