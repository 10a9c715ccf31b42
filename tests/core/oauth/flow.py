"""Driving a log-in by hand: the app (test client) → the fake provider (real HTTP) → the app.

Each hop is one request without following redirects, so tests can look at, or tamper with,
what travels between the two.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx


def query_of(url: str) -> dict[str, str]:
    """The query parameters of ``url`` (first value of each)."""
    return {key: values[0] for key, values in parse_qs(urlsplit(url).query).items()}


def local_path(url: str) -> str:
    """Path and query of an absolute URL: what the test client requests."""
    parts = urlsplit(url)
    return f"{parts.path}?{parts.query}" if parts.query else parts.path


async def start(client: Any, provider: str = "oidc", next_path: str = "/") -> str:
    """Open ``/auth/oauth/{provider}/login``; the provider URL the app redirects to."""
    response = await client.get(
        f"/auth/oauth/{provider}/login", params={"next": next_path}, follow_redirects=False
    )
    assert response.status_code == 302, response.text
    return str(response.headers["location"])


async def visit_provider(authorize_url: str) -> str:
    """The provider's redirect back to the app (its callback URL with code or error)."""
    async with httpx.AsyncClient() as browser:
        response = await browser.get(authorize_url, follow_redirects=False)
    assert response.status_code == 302, response.text
    return str(response.headers["location"])


async def callback(client: Any, callback_url: str, **headers: str) -> httpx.Response:
    """Hand the provider's redirect to the app."""
    response: httpx.Response = await client.get(
        local_path(callback_url), headers=headers, follow_redirects=False
    )
    return response


async def log_in(client: Any, provider: str = "oidc", next_path: str = "/") -> httpx.Response:
    """The whole flow; the app's answer to the callback."""
    authorize_url = await start(client, provider, next_path)
    return await callback(client, await visit_provider(authorize_url))


def replace_query(url: str, **changes: str) -> str:
    """``url`` with some query parameters replaced."""
    parts = urlsplit(url)
    query = {**query_of(url), **changes}
    return parts._replace(query=str(httpx.QueryParams(query))).geturl()
