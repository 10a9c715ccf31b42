"""The playground pages through the test client: the editor shows the stored prompt and its
variables, drafts become revisions or variants, and what people typed is escaped."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest

from tests.core.registry.test_pages import post_form
from tests.support.account_fixtures import MakePersona
from tests.support.accounts import Persona, csrf_headers, login_as


async def new_app(client: Any, slug: str = "geo", app_type: str = "completion") -> str:
    """Create an application through the form; its id."""
    created = await post_form(client, "/apps", slug=slug, app_type=app_type)
    assert created.status_code == 303, created.text
    found = re.match(r"/apps/([0-9a-f-]{36})", created.headers["location"])
    assert found is not None
    return found.group(1)


def draft(user_message: str, model: str = "gpt-4o-mini") -> str:
    """A ``parameters`` draft as the page's script sends it."""
    prompt = {
        "messages": [
            {"role": "system", "content": "You answer briefly."},
            {"role": "user", "content": user_message},
        ],
        "template_format": "curly",
        "llm_config": {"model": model, "temperature": 0.2},
    }
    return json.dumps({"prompt": prompt})


def ids_in(page: str, attribute: str) -> list[str]:
    return re.findall(rf'{attribute}="([0-9a-f-]{{36}})"', page)


async def test_the_playground_shows_the_stored_prompt_and_its_variables(
    client: Any, owner: Persona
) -> None:
    await login_as(client, owner)
    app_id = await new_app(client)

    page = await client.get(f"/apps/{app_id}/playground")

    assert page.status_code == 200
    assert "What is the capital of {{country}}?" in page.text
    assert 'name="input:country"' in page.text
    assert '<optgroup label="openai">' in page.text
    assert "<option selected>gpt-4o-mini</option>" in page.text
    assert "/services/completion/v0/invoke" in page.text
    assert f'href="/apps/{app_id}/playground" class="active"' in page.text


async def test_the_variables_endpoint_lists_the_inputs_of_every_column_and_keeps_values(
    client: Any, owner: Persona
) -> None:
    await login_as(client, owner)
    app_id = await new_app(client)
    prompts = [
        json.loads(draft("Tell me about {{city}}"))["prompt"],
        json.loads(draft("Compare {{city}} with {{other}}"))["prompt"],
    ]

    partial = await client.post(
        f"/apps/{app_id}/playground/variables",
        data={"prompts": json.dumps(prompts), "input:city": "Lyon"},
        headers=await csrf_headers(client),
    )

    assert partial.status_code == 200
    assert re.findall(r'data-variable="(\w+)"', partial.text) == ["city", "other"]
    assert ">Lyon</textarea>" in partial.text


async def test_a_bad_column_is_named_in_the_inputs_panel(client: Any, owner: Persona) -> None:
    await login_as(client, owner)
    app_id = await new_app(client)
    bad = {"messages": "not a list", "llm_config": {"model": "gpt-4o-mini"}}

    partial = await client.post(
        f"/apps/{app_id}/playground/variables",
        data={"prompts": json.dumps([bad])},
        headers=await csrf_headers(client),
    )

    assert "column 1.messages" in partial.text


async def test_committing_the_draft_makes_a_new_revision_of_the_variant(
    client: Any, owner: Persona
) -> None:
    await login_as(client, owner)
    app_id = await new_app(client)
    page = await client.get(f"/apps/{app_id}/playground")
    variant_id = ids_in(page.text, "data-variant-id")[0]

    committed = await post_form(
        client,
        f"/apps/{app_id}/playground/commit",
        variant_id=variant_id,
        parameters=draft("Where is {{place}}?", model="gpt-4o"),
        message="Ask about places",
    )
    reopened = await client.get(committed.headers["location"])
    history = await client.get(f"/apps/{app_id}/variants/{variant_id}")

    assert committed.status_code == 303
    assert "Committed default v2" in reopened.text
    assert "Where is {place}?" not in reopened.text
    assert "Where is {{place}}?" in reopened.text and 'name="input:place"' in reopened.text
    assert "<option selected>gpt-4o</option>" in reopened.text
    assert 'data-version="2"' in history.text and "Ask about places" in history.text


async def test_an_invalid_draft_is_refused_with_the_field_that_is_wrong(
    client: Any, owner: Persona
) -> None:
    await login_as(client, owner)
    app_id = await new_app(client)
    page = await client.get(f"/apps/{app_id}/playground")
    variant_id = ids_in(page.text, "data-variant-id")[0]
    bad = json.dumps({"prompt": {"messages": [], "llm_config": {"temperature": 7}}})

    refused = await post_form(
        client, f"/apps/{app_id}/playground/commit", variant_id=variant_id, parameters=bad
    )
    shown = await client.get(refused.headers["location"])

    assert "parameters.prompt.llm_config.temperature" in shown.text
    assert "Committed" not in shown.text


async def test_saving_the_draft_as_a_new_variant_opens_it(client: Any, owner: Persona) -> None:
    await login_as(client, owner)
    app_id = await new_app(client)
    page = await client.get(f"/apps/{app_id}/playground")
    revision_id = ids_in(page.text, "data-revision-id")[0]

    created = await post_form(
        client,
        f"/apps/{app_id}/playground/variant",
        revision_id=revision_id,
        slug="short-answers",
        parameters=draft("Answer in one word: {{question}}"),
    )
    reopened = await client.get(created.headers["location"])

    assert "Created variant short-answers" in reopened.text
    assert '<span class="mono pg-variant">short-answers</span>' in reopened.text
    assert "Answer in one word: {{question}}" in reopened.text


@pytest.mark.parametrize(
    ("slug", "error"),
    [("default", "already has a variant"), ("bad slug!", "is not a valid slug")],
    ids=["duplicate", "invalid"],
)
async def test_a_refused_new_variant_reopens_the_same_revision_with_the_error(
    client: Any, owner: Persona, slug: str, error: str
) -> None:
    await login_as(client, owner)
    app_id = await new_app(client)
    page = await client.get(f"/apps/{app_id}/playground")
    revision_id = ids_in(page.text, "data-revision-id")[0]

    refused = await post_form(
        client,
        f"/apps/{app_id}/playground/variant",
        revision_id=revision_id,
        slug=slug,
        parameters=draft("Answer in one word: {{question}}"),
    )
    location = refused.headers.get("location", "")
    shown = await client.get(location)
    overview = await client.get(f"/apps/{app_id}")

    assert refused.status_code == 303, refused.text
    assert location.startswith(f"/apps/{app_id}/playground?")
    assert f"revision_id={revision_id}" in location
    assert shown.status_code == 200
    assert error in shown.text and 'class="flash' in shown.text
    assert ids_in(shown.text, "data-revision-id") == [revision_id]
    assert re.findall(r'data-variant="([^"]+)"', overview.text) == ["default"]
    assert "Answer in one word" not in shown.text


async def test_a_script_in_a_message_is_shown_as_text(client: Any, owner: Persona) -> None:
    await login_as(client, owner)
    app_id = await new_app(client)
    page = await client.get(f"/apps/{app_id}/playground")
    variant_id = ids_in(page.text, "data-variant-id")[0]
    await post_form(
        client,
        f"/apps/{app_id}/playground/commit",
        variant_id=variant_id,
        parameters=draft("<script>alert('x')</script> {{name}}"),
    )

    reopened = await client.get(f"/apps/{app_id}/playground")

    assert "<script>alert" not in reopened.text
    assert "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;" in reopened.text


async def test_a_compare_column_opens_another_variant_or_a_copy_of_the_draft(
    client: Any, owner: Persona
) -> None:
    await login_as(client, owner)
    app_id = await new_app(client)
    page = await client.get(f"/apps/{app_id}/playground")
    revision_id = ids_in(page.text, "data-revision-id")[0]

    column = await client.post(
        f"/apps/{app_id}/playground/column",
        data={"revision_id": revision_id, "parameters": draft("Copied {{thing}}")},
        headers=await csrf_headers(client),
    )

    assert column.status_code == 200
    assert column.text.lstrip().startswith("<section")
    assert "Copied {{thing}}" in column.text


async def test_a_viewer_sees_the_playground_without_commit_forms(
    client: Any, owner: Persona, make_persona: MakePersona
) -> None:
    await login_as(client, owner)
    app_id = await new_app(client)
    viewer = await make_persona("viewer")
    await login_as(client, viewer)

    page = await client.get(f"/apps/{app_id}/playground")
    refused = await post_form(
        client, f"/apps/{app_id}/playground/commit", variant_id=app_id, parameters=draft("x")
    )

    assert page.status_code == 200
    assert "/playground/commit" not in page.text
    assert refused.status_code == 403


async def test_a_chat_app_has_a_conversation_editor(client: Any, owner: Persona) -> None:
    await login_as(client, owner)
    app_id = await new_app(client, "helper", app_type="chat")

    page = await client.get(f"/apps/{app_id}/playground")

    assert 'id="pg-chat"' in page.text
    assert "/services/chat/v0/invoke" in page.text
    assert 'name="input:context"' in page.text


async def test_the_model_picker_offers_the_models_of_custom_connections(
    client: Any, owner: Persona
) -> None:
    await login_as(client, owner)
    app_id = await new_app(client)
    provider = {
        "name": "GPU box",
        "slug": "gpu",
        "provider": "custom",
        "url": "http://gpu-box:8000/v1",
        "key": "sk-test-0123456789abcdef",
        "models": "llama-3.1-8b",
    }
    await post_form(client, "/settings/providers/custom", **provider)

    page = await client.get(f"/apps/{app_id}/playground")

    assert '<optgroup label="gpu">' in page.text
    assert "<option>gpu/llama-3.1-8b</option>" in page.text


async def test_the_overview_links_each_variant_to_its_playground(
    client: Any, owner: Persona
) -> None:
    await login_as(client, owner)
    app_id = await new_app(client)
    page = await client.get(f"/apps/{app_id}/playground")
    await post_form(
        client,
        f"/apps/{app_id}/playground/variant",
        revision_id=ids_in(page.text, "data-revision-id")[0],
        slug="terse",
        parameters=draft("Briefly: {{topic}}"),
    )
    overview = await client.get(f"/apps/{app_id}")
    links = re.findall(
        rf'href="(/apps/{app_id}/playground\?variant_id=[0-9a-f-]{{36}})"', overview.text
    )

    opened = [await client.get(link) for link in links]

    assert len(links) == 2
    shown = sorted(re.findall(r'pg-variant">([\w-]+)<', each.text)[0] for each in opened)
    assert shown == ["default", "terse"]
