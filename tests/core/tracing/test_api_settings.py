"""Project settings: redaction rules applied at ingestion, their preview, and retention."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from litestar.testing import AsyncTestClient

from agenta.core.tracing.retention import delete_expired_spans
from agenta.core.tracing.store import write_spans
from agenta.db import utcnow
from agenta.platform import Platform
from tests.core.tracing.storage_support import (
    llm_trace,
    new_span_id,
    new_trace_id,
    otlp_json_body,
    otlp_json_span,
    span_count,
    stored_spans,
    wait_for_spans,
)
from tests.support.accounts import Persona, api_headers

SETTINGS = "/api/observability/settings"
RULES = [
    {"name": "passwords", "kind": "key", "pattern": "password"},
    {"name": "emails", "kind": "preset", "pattern": "email", "replacement": "<email>"},
]


def headers(persona: Persona) -> dict[str, str]:
    return api_headers(persona.api_key or "")


async def test_rules_and_retention_are_saved_in_normal_form(client, owner) -> None:
    response = await client.put(
        SETTINGS, json={"redaction_rules": RULES, "retention_days": 30}, headers=headers(owner)
    )

    assert response.status_code == 200, response.text
    read = (await client.get(SETTINGS, headers=headers(owner))).json()
    assert read["retention_days"] == 30
    assert read["redaction_rules"][0] == {
        "name": "passwords",
        "kind": "key",
        "pattern": "password",
        "replacement": "[REDACTED]",
        "targets": ["inputs", "outputs", "attributes", "events"],
    }


async def test_spans_are_redacted_before_they_are_stored(
    client: AsyncTestClient[Any], platform: Platform, owner: Persona
) -> None:
    await client.put(SETTINGS, json={"redaction_rules": RULES}, headers=headers(owner))
    attributes = {
        "ag.data.inputs.password": "hunter2",
        "ag.data.inputs.question": "Mail ada@example.com the answer",
    }
    body = otlp_json_body(
        otlp_json_span(
            "login", trace_id=new_trace_id(), span_id=new_span_id(), attributes=attributes
        )
    )

    response = await client.post(
        "/api/otlp/v1/traces",
        content=body,
        headers={**headers(owner), "Content-Type": "application/json"},
    )

    assert response.status_code == 200
    await wait_for_spans(platform.db, owner.project_id, 1)
    inputs = (await stored_spans(platform.db, owner.project_id))["login"].inputs
    assert inputs == {"password": "[REDACTED]", "question": "Mail <email> the answer"}


async def test_the_preview_shows_what_rules_would_change_on_recent_spans(
    client: AsyncTestClient[Any], platform: Platform, owner: Persona
) -> None:
    spans = llm_trace(root_attributes={"ag.data.inputs.email": "bob@example.com"}, children=1)
    async with platform.db.session() as session:
        await write_spans(session, owner.project_id, spans)

    response = await client.post(
        "/api/observability/redaction/preview",
        json={"rules": RULES, "limit": 10},
        headers=headers(owner),
    )

    assert response.status_code == 200, response.text
    previews = {item["span_name"]: item["changes"] for item in response.json()["previews"]}
    assert previews["generate"] == [
        {"path": "attributes.ag.data.inputs.email", "before": "bob@example.com", "after": "<email>"}
    ]
    assert previews["chat-0"] == []
    stored = await stored_spans(platform.db, owner.project_id)
    assert stored["generate"].inputs["email"] == "bob@example.com"


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"redaction_rules": [{"name": "bad", "kind": "regex", "pattern": "("}]}, "'bad'"),
        ({"redaction_rules": [{"name": "x", "kind": "magic", "pattern": "y"}]}, "kind must be"),
        ({"retention_days": 0}, "retention_days must be"),
        ({"retention_days": "forever"}, "retention_days must be"),
        ({"colour": "red"}, "unknown settings"),
    ],
)
async def test_bad_settings_are_refused_with_the_reason(
    client, owner, change: dict[str, Any], message: str
) -> None:
    response = await client.put(SETTINGS, json=change, headers=headers(owner))

    assert response.status_code == 400
    assert message in response.json()["message"]


async def test_only_project_admins_change_settings(
    client, make_persona: Callable[..., Any]
) -> None:
    editor = await make_persona("editor")

    response = await client.put(SETTINGS, json={"retention_days": 7}, headers=headers(editor))

    assert response.status_code == 403


async def test_retention_deletes_only_expired_spans_of_projects_that_set_it(
    client, platform: Platform, owner: Persona, outsider: Persona
) -> None:
    now = utcnow()
    async with platform.db.session() as session:
        for persona in (owner, outsider):
            await write_spans(session, persona.project_id, llm_trace(at=now - timedelta(days=40)))
            await write_spans(session, persona.project_id, llm_trace(at=now - timedelta(days=2)))
    await client.put(SETTINGS, json={"retention_days": 30}, headers=headers(owner))

    deleted = await delete_expired_spans(platform.db)

    assert deleted == 3
    assert await span_count(platform.db, owner.project_id) == 3
    assert await span_count(platform.db, outsider.project_id) == 6
