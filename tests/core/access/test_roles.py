"""Every role against every permission-guarded route of every feature.

For each route that requires permissions in a project, each role's API key either gets 403
naming the missing permission (when the role lacks it) or gets past the guard (any answer but
401/403: the empty body or made-up ids then fail on their own). Routes are read from the app, so
a feature's new writes are covered as soon as they are mounted.
"""

from __future__ import annotations

import asyncio
from typing import Any

from litestar.testing import AsyncTestClient

from agenta.core.access.permissions import ROLE_ORDER, ROLES
from tests.core.access.route_table import Endpoint, application_endpoints, fill_path
from tests.support.account_fixtures import MakePersona
from tests.support.accounts import Persona

CHECKED = [
    endpoint
    for endpoint in application_endpoints()
    if endpoint.rule is not None and endpoint.rule.kind == "project" and endpoint.rule.permissions
]


async def _answer(client: AsyncTestClient[Any], endpoint: Endpoint, persona: Persona) -> Any:
    options: dict[str, Any] = {"headers": persona.headers, "follow_redirects": False}
    if endpoint.method in {"POST", "PUT", "PATCH"}:
        options["json"] = {}
    url = fill_path(endpoint.path, {})
    return await asyncio.wait_for(client.request(endpoint.method, url, **options), 20)


def _verdict(endpoint: Endpoint, role: str, response: Any) -> str | None:
    missing = [p for p in endpoint.rule.permissions if p not in ROLES[role]]  # type: ignore[union-attr]
    if missing:
        if response.status_code != 403:
            return f"{role}: {response.status_code} instead of 403 (lacks {missing[0]})"
        if str(missing[0]) not in response.json()["message"]:
            return f"{role}: the 403 does not name {missing[0]}: {response.text[:200]}"
    elif response.status_code in {401, 403}:
        return f"{role}: {response.status_code} although the role has the permission"
    return None


async def test_each_role_gets_exactly_the_writes_and_reads_its_permissions_allow(
    client: AsyncTestClient[Any], owner: Persona, make_persona: MakePersona
) -> None:
    personas = {"owner": owner}
    for role in ROLE_ORDER[1:]:
        personas[role] = await make_persona(role)
    problems = []
    for endpoint in CHECKED:
        for role, persona in personas.items():
            verdict = _verdict(endpoint, role, await _answer(client, endpoint, persona))
            if verdict:
                problems.append(f"{endpoint.label}: {verdict}")
    assert CHECKED, "no permission-guarded route found"
    assert not problems, "\n".join(problems)


async def test_a_viewer_may_run_services_but_not_mint_keys(
    client: AsyncTestClient[Any], make_persona: MakePersona
) -> None:
    viewer = await make_persona("viewer")
    check = await client.get(
        "/api/access/permissions/check",
        params={"action": "run_service", "resource_type": "service"},
        headers=viewer.headers,
    )
    assert check.status_code == 200
    refused = await client.post("/api/keys", json={}, headers=viewer.headers)
    assert refused.status_code == 403
    assert refused.json()["message"] == (
        "Your role (viewer) does not have the edit_api_keys permission in this project"
    )
