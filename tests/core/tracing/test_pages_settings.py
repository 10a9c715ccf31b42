"""The tracing settings page: redaction rules with a preview, retention, who may save."""

from __future__ import annotations

from typing import Any

from litestar.testing import AsyncTestClient

from agenta.core.tracing.project_settings import read_settings
from agenta.core.tracing.store import write_spans
from agenta.platform import Platform
from tests.core.tracing.storage_support import llm_trace
from tests.support.account_fixtures import MakePersona
from tests.support.accounts import Persona, csrf_token, login_as

PATH = "/observability/settings"
ALL_TARGETS = ["inputs", "outputs", "attributes", "events"]


async def submit(client: AsyncTestClient[Any], path: str, **fields: Any) -> Any:
    return await client.post(path, data={"_csrf_token": await csrf_token(client), **fields})


def rule_fields(*rules: dict[str, Any]) -> dict[str, Any]:
    """The rules table as the page posts it."""
    fields: dict[str, Any] = {"rules": str(len(rules))}
    for index, rule in enumerate(rules):
        fields[f"name-{index}"] = rule["name"]
        fields[f"kind-{index}"] = rule["kind"]
        fields[f"pattern-{index}"] = rule["pattern"]
        fields[f"replacement-{index}"] = rule.get("replacement", "[REDACTED]")
        fields[f"targets-{index}"] = rule.get("targets", ALL_TARGETS)
    return fields


EMAILS = {"name": "emails", "kind": "preset", "pattern": "email"}


async def test_the_preview_shows_what_rules_would_change_in_a_sample_span_before_any_trace(
    client: AsyncTestClient[Any], platform: Platform, owner: Persona
) -> None:
    await login_as(client, owner)

    page = await submit(client, f"{PATH}/preview", retention_days="", **rule_fields(EMAILS))

    assert page.status_code == 200
    assert "a sample span (the project has no spans yet)" in page.text
    assert "attributes.ag.data.inputs.email" in page.text
    assert "ada@example.com" in page.text and "[REDACTED]" in page.text
    assert 'value="emails"' in page.text  # the typed rule is kept, not saved
    async with platform.db.session() as session:
        assert (await read_settings(session, owner.project_id)).redaction_rules == []


async def test_the_preview_runs_on_the_projects_latest_spans_or_a_chosen_trace(
    client: AsyncTestClient[Any], platform: Platform, owner: Persona
) -> None:
    secret = llm_trace(root_attributes={"ag.data.inputs.note": "token ghp_" + "a" * 36})
    plain = llm_trace()
    async with platform.db.session() as session:
        await write_spans(session, owner.project_id, secret)
        await write_spans(session, owner.project_id, plain)
    await login_as(client, owner)
    keys = {"name": "keys", "kind": "preset", "pattern": "api_key", "targets": ["inputs"]}

    latest = await submit(client, f"{PATH}/preview", **rule_fields(keys))
    chosen = await submit(
        client, f"{PATH}/preview", preview_trace_id=plain[0].trace_id, **rule_fields(keys)
    )

    assert "the project&#39;s latest 6 spans" in latest.text
    assert "token [REDACTED]" in latest.text
    assert f"the 3 spans of trace {plain[0].trace_id}" in chosen.text
    assert "Nothing would change." in chosen.text


async def test_saving_rules_and_retention_keeps_them_for_the_project(
    client: AsyncTestClient[Any], platform: Platform, owner: Persona
) -> None:
    await login_as(client, owner)
    passwords = {"name": "passwords", "kind": "key", "pattern": "*password*", "replacement": "***"}

    saved = await submit(client, PATH, retention_days="30", **rule_fields(EMAILS, passwords))

    assert saved.status_code == 200 and "Tracing settings saved" in saved.text
    assert 'name="retention_days" min="1" max="3650" value="30"' in saved.text
    async with platform.db.session() as session:
        stored = await read_settings(session, owner.project_id)
    assert stored.retention_days == 30
    assert [(rule["name"], rule["replacement"]) for rule in stored.redaction_rules] == [
        ("emails", "[REDACTED]"),
        ("passwords", "***"),
    ]

    removed = await submit(
        client, PATH, retention_days="", **rule_fields(EMAILS, passwords), **{"remove-0": "1"}
    )
    assert "Tracing settings saved" in removed.text
    async with platform.db.session() as session:
        stored = await read_settings(session, owner.project_id)
    assert stored.retention_days is None
    assert [rule["name"] for rule in stored.redaction_rules] == ["passwords"]


async def test_an_invalid_rule_is_named_and_nothing_is_saved(
    client: AsyncTestClient[Any], platform: Platform, owner: Persona
) -> None:
    await login_as(client, owner)
    broken = {"name": "broken", "kind": "regex", "pattern": "(unclosed"}

    page = await submit(client, PATH, retention_days="7", **rule_fields(EMAILS, broken))
    days = await submit(client, PATH, retention_days="a week", **rule_fields(EMAILS))

    assert page.status_code == 422
    assert "Not saved: redaction rule &#39;broken&#39;: invalid regular expression" in page.text
    assert 'value="(unclosed"' in page.text and 'value="7"' in page.text
    assert days.status_code == 422 and "retention must be a whole number of days" in days.text
    async with platform.db.session() as session:
        stored = await read_settings(session, owner.project_id)
    assert stored.redaction_rules == [] and stored.retention_days is None


async def test_a_member_who_is_not_an_admin_can_preview_but_not_save(
    client: AsyncTestClient[Any], make_persona: MakePersona
) -> None:
    editor = await make_persona("editor")
    await login_as(client, editor)

    page = await client.get(PATH)
    previewed = await submit(client, f"{PATH}/preview", **rule_fields(EMAILS))
    saved = await submit(client, PATH, retention_days="1", **rule_fields(EMAILS))

    assert page.status_code == 200 and 'id="save-button"' not in page.text
    assert "Project admins can change these settings." in page.text
    assert previewed.status_code == 200
    assert saved.status_code == 403
