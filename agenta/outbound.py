"""Outbound HTTP: the one seam through which the server calls URLs that users configured.

Webhook evaluators (and later webhook deliveries) POST JSON to addresses typed in by project
members. Left alone, such a request could reach the server's own network: the metadata service on
169.254.169.254, a database on 10.x, an admin port on 127.0.0.1 (server-side request forgery).

Design:
- Only ``http`` and ``https`` URLs are accepted.
- The host name is resolved once, here. Every resolved address must be public, unless the caller
  passes ``allow_private=True`` (a deployment setting, never a user setting). Addresses wrapped in
  IPv6 (IPv4-mapped, 6to4, NAT64) are checked by the IPv4 address they carry.
- The request is then sent to the validated IP itself, so a second DNS answer cannot swap in a
  private address (DNS rebinding). The ``Host`` header and the TLS server name (SNI, which is also
  the name the certificate is checked against) keep the original host name.
- Redirects are not followed: a redirect is one more URL that would need checking, and the
  callers have no use for them. The 3xx response is returned as is.
- The response body is read raw (identity encoding is requested) up to ``max_bytes``; a bigger one
  is refused, or cut at the cap when the caller only keeps an excerpt (``truncate=True``, as
  webhook deliveries do: their receiver's answer is logged, not used). The whole exchange
  (connect, send, read) must finish within ``timeout`` seconds.
- Environment proxies are ignored, since a proxy would resolve the name again on its side.
Every refusal or failure raises ``OutboundError`` whose ``reason`` says what went wrong.
"""

from __future__ import annotations

import asyncio
import ipaddress
import json
import socket
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import httpx

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

DEFAULT_TIMEOUT_SECONDS = 10.0
DEFAULT_CONNECT_TIMEOUT_SECONDS = 5.0
DEFAULT_MAX_BYTES = 1_000_000
_NAT64_PREFIX = ipaddress.IPv6Network("64:ff9b::/96")


class OutboundError(Exception):
    """An outbound request was refused or failed; ``reason`` is a readable explanation.

    ``refused`` is true when the request was never sent because the URL broke a rule here
    (scheme, private address), false when the destination failed (DNS, connection, answer).
    """

    def __init__(self, reason: str, *, refused: bool = False) -> None:
        super().__init__(reason)
        self.reason = reason
        self.refused = refused


@dataclass(frozen=True)
class OutboundResponse:
    """What came back: status, headers (lower-cased names) and the raw body."""

    status_code: int
    headers: Mapping[str, str]
    body: bytes
    truncated: bool = False

    def json(self) -> Any:
        """The body parsed as JSON; raises ``OutboundError`` if it is not JSON."""
        try:
            return json.loads(self.body)
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise OutboundError(f"the response body is not valid JSON ({exc})") from exc


@dataclass(frozen=True)
class _BodyLimit:
    max_bytes: int
    truncate: bool


async def post_json(
    url: str,
    payload: Any,
    *,
    timeout: float = DEFAULT_TIMEOUT_SECONDS,
    max_bytes: int = DEFAULT_MAX_BYTES,
    allow_private: bool = False,
    headers: Mapping[str, str] | None = None,
) -> OutboundResponse:
    """POST ``payload`` as JSON to ``url`` under the SSRF rules of this module."""
    body = json.dumps(payload, ensure_ascii=False).encode()
    return await post_bytes(
        url,
        body,
        timeout=timeout,
        max_bytes=max_bytes,
        allow_private=allow_private,
        headers=headers,
    )


async def post_bytes(
    url: str,
    body: bytes,
    *,
    content_type: str = "application/json",
    timeout: float = DEFAULT_TIMEOUT_SECONDS,
    max_bytes: int = DEFAULT_MAX_BYTES,
    allow_private: bool = False,
    headers: Mapping[str, str] | None = None,
    truncate: bool = False,
) -> OutboundResponse:
    """POST ``body`` exactly as given (signed payloads need the bytes they were signed over).

    With ``truncate`` a response body over ``max_bytes`` is cut there (``truncated`` is set)
    instead of being refused.
    """
    target = _parse_url(url)
    address = await resolve_public_address(target.host, target.port, allow_private=allow_private)
    # Identity encoding: the body is read raw, so a compressed "bomb" cannot expand past the cap.
    request_headers = {
        "content-type": content_type,
        "accept-encoding": "identity",
        **(headers or {}),
    }
    limit = _BodyLimit(max_bytes, truncate)
    try:
        async with asyncio.timeout(timeout):
            return await _send_pinned(target, address, body, request_headers, timeout, limit)
    except TimeoutError as exc:
        raise OutboundError(f"no complete answer from {target.host} within {timeout:g} s") from exc


def _parse_url(url: str) -> httpx.URL:
    try:
        target = httpx.URL(url)
    except (httpx.InvalidURL, TypeError) as exc:
        raise OutboundError(f"not a valid URL: {url!r}", refused=True) from exc
    if target.scheme not in {"http", "https"}:
        scheme = target.scheme or "none"
        raise OutboundError(f"only http and https URLs are allowed, got {scheme!r}", refused=True)
    if not target.host:
        raise OutboundError(f"the URL has no host: {url!r}", refused=True)
    return target


async def resolve_public_address(
    host: str, port: int | None, *, allow_private: bool = False
) -> IPAddress:
    """Resolve ``host`` once and return an address every check passed for.

    All answers are checked, not just the first: a name that resolves to both a public and a
    private address is refused as a whole.
    """
    addresses = await _resolve(host, port)
    if not allow_private:
        for address in addresses:
            problem = private_address_problem(address)
            if problem:
                shown = host if host == str(address) else f"{host} ({address})"
                raise OutboundError(f"refused to connect to {shown}: {problem}", refused=True)
    return addresses[0]


async def _resolve(host: str, port: int | None) -> list[IPAddress]:
    literal = _ip_literal(host)
    if literal is not None:
        return [literal]
    loop = asyncio.get_running_loop()
    try:
        infos = await loop.getaddrinfo(host, port or 0, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as exc:
        raise OutboundError(f"could not resolve host {host!r} ({exc})") from exc
    addresses: list[IPAddress] = []
    for _family, _type, _proto, _name, sockaddr in infos:
        # IPv6 socket addresses may carry a zone ("fe80::1%eth0"); the zone is not part of the IP.
        address = ipaddress.ip_address(str(sockaddr[0]).split("%", 1)[0])
        if address not in addresses:
            addresses.append(address)
    if not addresses:
        raise OutboundError(f"host {host!r} resolved to no address")
    return addresses


def _ip_literal(host: str) -> IPAddress | None:
    try:
        return ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return None


def private_address_problem(address: IPAddress) -> str | None:
    """Why ``address`` must not be reached from the server, or None if it is a public address."""
    embedded = _embedded_ipv4(address)
    if embedded is not None:
        return private_address_problem(embedded)
    checks = (
        (address.is_loopback, "it is a loopback address"),
        (address.is_link_local, "it is a link-local address"),
        (address.is_multicast, "it is a multicast address"),
        (address.is_unspecified, "it is the unspecified address"),
        (address.is_reserved, "it is a reserved address"),
        (address.is_private, "it is a private address"),
        (not address.is_global, "it is not a public address"),
    )
    return next((reason for failed, reason in checks if failed), None)


def _embedded_ipv4(address: IPAddress) -> ipaddress.IPv4Address | None:
    if not isinstance(address, ipaddress.IPv6Address):
        return None
    if address.ipv4_mapped is not None:
        return address.ipv4_mapped
    if address.sixtofour is not None:
        return address.sixtofour
    if address in _NAT64_PREFIX:
        return ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
    return None


async def _send_pinned(
    target: httpx.URL,
    address: IPAddress,
    body: bytes,
    headers: dict[str, str],
    timeout: float,
    limit: _BodyLimit,
) -> OutboundResponse:
    pinned = target.copy_with(host=str(address))
    headers = {**headers, "host": _host_header(target)}
    extensions = {"sni_hostname": target.host} if target.scheme == "https" else {}
    limits = httpx.Timeout(timeout, connect=min(timeout, DEFAULT_CONNECT_TIMEOUT_SECONDS))
    async with httpx.AsyncClient(trust_env=False, follow_redirects=False, timeout=limits) as client:
        request = client.build_request(
            "POST", pinned, content=body, headers=headers, extensions=extensions
        )
        try:
            response = await client.send(request, stream=True)
        except httpx.HTTPError as exc:
            raise OutboundError(f"could not reach {target.host}: {_describe(exc)}") from exc
        try:
            content, truncated = await _read_capped(response, limit)
        finally:
            await response.aclose()
    return OutboundResponse(response.status_code, dict(response.headers), content, truncated)


def _host_header(target: httpx.URL) -> str:
    host = f"[{target.host}]" if ":" in target.host else target.host
    return host if target.port is None else f"{host}:{target.port}"


async def _read_capped(response: httpx.Response, limit: _BodyLimit) -> tuple[bytes, bool]:
    max_bytes = limit.max_bytes
    too_big = f"the response is larger than the {max_bytes}-byte limit"
    declared = response.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > max_bytes and not limit.truncate:
        raise OutboundError(too_big)
    content = bytearray()
    try:
        async for chunk in response.aiter_raw():
            content.extend(chunk)
            if len(content) > max_bytes:
                if limit.truncate:
                    return bytes(content[:max_bytes]), True
                raise OutboundError(too_big)
    except httpx.HTTPError as exc:
        raise OutboundError(f"the response could not be read: {_describe(exc)}") from exc
    return bytes(content), False


def _describe(exc: httpx.HTTPError) -> str:
    text = str(exc) or type(exc).__name__
    return f"{type(exc).__name__}: {text}" if text != type(exc).__name__ else text
