"""The checks the tenant-isolation test runs against one endpoint, returning what went wrong.

For a guarded endpoint: an anonymous caller (or one with a bogus key) gets 401 or the log-in
redirect; a caller from another organization, pointing at the owner's objects, gets 403/404 (or
a 4xx for its empty body) and never a success; naming the owner's project with ``project_id``
gets 403 whether the caller uses a key or a browser session (401 where sessions are not
accepted at all); and no answer contains the owner's e-mail, ids or sample objects, except what
the caller itself put in the URL.
"""

from __future__ import annotations

import asyncio
from typing import Any

from tests.core.access.route_table import Endpoint, fill_path
from tests.support.accounts import Persona, csrf_headers

REFUSED = {400, 403, 404, 405, 409, 410, 422}
UNSAFE = {"POST", "PUT", "PATCH", "DELETE"}
TIMEOUT = 20.0


async def call(
    client: Any, endpoint: Endpoint, url: str, headers: dict[str, str], **params: str
) -> Any:
    options: dict[str, Any] = {"headers": headers, "params": params, "follow_redirects": False}
    if endpoint.method in {"POST", "PUT", "PATCH"}:
        options["json"] = {}
    return await asyncio.wait_for(client.request(endpoint.method, url, **options), TIMEOUT)


def leaks(response: Any, markers: set[str], url: str) -> list[str]:
    text = response.text + " ".join(value for _, value in response.headers.multi_items())
    return sorted(marker for marker in markers if marker and marker not in url and marker in text)


async def isolation_problems(
    client: Any,
    browser: Any,
    endpoint: Endpoint,
    owner: Persona,
    outsider: Persona,
    values: dict[str, str],
    markers: set[str],
) -> list[str]:
    """Everything that lets ``outsider`` near ``owner``'s data on this endpoint.

    ``client`` carries no cookies; ``browser`` is logged in as ``outsider``.
    """
    url = fill_path(endpoint.path, values)
    problems: list[str] = []

    def check(what: str, response: Any, allowed: set[int] | None) -> None:
        if allowed is not None and response.status_code not in allowed:
            problems.append(f"{what}: status {response.status_code} (expected {sorted(allowed)})")
        if leaked := leaks(response, markers, url):
            problems.append(f"{what}: the answer contains the owner's {leaked}")

    if endpoint.method == "GET":
        anonymous = await call(client, endpoint, url, {"accept": "text/html"})
        check("an anonymous visitor", anonymous, {303} if endpoint.is_page else {401})
    bogus = await call(client, endpoint, url, {"Authorization": "ApiKey not-a-key"})
    check("a bogus key", bogus, {401})
    theirs = await call(client, endpoint, url, outsider.headers)
    check("another tenant's key on the owner's objects", theirs, REFUSED if values else None)
    if endpoint.rule is not None and endpoint.rule.kind == "project":
        owners_project = str(owner.project_id)
        scoped = await call(client, endpoint, url, outsider.headers, project_id=owners_project)
        check("another tenant's key naming the owner's project", scoped, {403})
        headers = await csrf_headers(browser) if endpoint.method in UNSAFE else {}
        session = await call(browser, endpoint, url, headers, project_id=owners_project)
        refused = {403} if endpoint.takes_sessions else {401}
        check("another tenant's session naming the owner's project", session, refused)
    return problems
