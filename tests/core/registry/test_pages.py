"""The registry pages as a logged-in person uses them: forms post, pages show the result."""

from __future__ import annotations

import re
from typing import Any

from tests.core.registry.test_config_fetch import commit
from tests.core.registry.test_sdk_endpoints import create_app
from tests.support.account_fixtures import MakePersona
from tests.support.accounts import Persona, csrf_token, login_as


async def post_form(client: Any, path: str, **fields: str) -> Any:
    data = {"_csrf_token": await csrf_token(client), **fields}
    return await client.post(path, data=data, follow_redirects=False)


async def test_an_app_created_with_the_form_opens_on_its_overview(
    client: Any, owner: Persona
) -> None:
    await login_as(client, owner)

    created = await post_form(client, "/apps", slug="support-bot", app_type="chat")
    overview = await client.get(created.headers["location"])

    assert created.status_code == 303
    assert overview.status_code == 200
    assert "Application created" in overview.text
    assert 'data-variant="default"' in overview.text
    assert 'data-environment="production"' in overview.text
    assert "Not deployed" in overview.text


async def test_a_custom_app_without_a_url_is_refused_with_a_message(
    client: Any, owner: Persona
) -> None:
    await login_as(client, owner)

    refused = await post_form(client, "/apps", slug="mine", name="Mine", app_type="custom", url="")

    assert refused.status_code == 422
    assert re.search(r'id="form-error">A custom application needs the URL', refused.text)
    assert 'name="slug" value="mine"' in refused.text and 'value="Mine"' in refused.text
    assert '<option value="custom" selected>' in refused.text
    assert 'data-slug="mine"' not in (await client.get("/apps")).text


async def test_a_taken_slug_is_refused_with_a_message_instead_of_an_error_page(
    client: Any, owner: Persona
) -> None:
    await login_as(client, owner)
    await post_form(client, "/apps", slug="support-bot", app_type="chat")

    app_refused = await post_form(client, "/apps", slug="support-bot", app_type="completion")
    env_refused = await post_form(client, "/environments", slug="production")
    envs = await client.get(env_refused.headers["location"])

    assert (app_refused.status_code, env_refused.status_code) == (422, 303)
    assert re.search(r'id="form-error">[^<]*already exists', app_refused.text)
    assert 'name="slug" value="support-bot"' in app_refused.text
    assert "already exists" in envs.text and 'class="flash flash-error"' in envs.text


async def test_the_app_list_shows_where_each_app_is_deployed(
    client: Any, api: Any, owner: Persona
) -> None:
    app = await create_app(api(owner), "listed")
    await api(owner).post(
        "/api/applications/revisions/deploy",
        {
            "application_revision_ref": {"id": app["revision_id"]},
            "environment_ref": {"slug": "staging"},
        },
    )
    await login_as(client, owner)

    page = await client.get("/apps")

    row = re.search(r'<tr data-slug="listed">.*?</tr>', page.text, re.S)
    assert row is not None
    assert "staging" in row.group(0) and "production" not in row.group(0)
    assert 'href="/apps"' in page.text


async def test_deploying_and_rolling_back_from_the_pages(
    client: Any, api: Any, owner: Persona
) -> None:
    sdk = api(owner)
    app = await create_app(sdk, "bot")
    second = await commit(sdk, app, {"v": 2})
    environments = (await sdk.post("/api/simple/environments/query", {})).json()["environments"]
    production = next(e for e in environments if e["slug"] == "production")
    await login_as(client, owner)

    for revision_id in (app["revision_id"], second["id"]):
        deployed = await post_form(
            client,
            f"/apps/{app['id']}/revisions/{revision_id}/deploy",
            environment_id=production["id"],
        )
        assert deployed.status_code == 303
    rolled = await post_form(client, f"/environments/{production['id']}/rollback", version="2")
    page = await client.get(rolled.headers["location"])
    served = await sdk.get("/api/configs?application=bot&environment=production")

    assert "Rolled back to revision 2" in page.text
    assert 'data-version="4"' in page.text
    assert served.json()["revision"]["id"] == app["revision_id"]


async def test_the_variant_page_lists_the_history_and_the_diff_page_compares(
    client: Any, api: Any, owner: Persona
) -> None:
    sdk = api(owner)
    app = await create_app(sdk, "bot")
    second = await commit(sdk, app, {"prompt": {"llm_config": {"model": "gpt-4o"}}})
    await login_as(client, owner)

    history = await client.get(f"/apps/{app['id']}/variants/{app['variant_id']}")
    diff = await client.get(
        f"/apps/{app['id']}/diff?old={app['revision_id']}&new={second['id']}&changes_only=true"
    )

    assert 'data-version="2"' in history.text and 'data-version="1"' in history.text
    assert "change" in history.text
    assert 'data-path="parameters.prompt.llm_config.model"' in diff.text
    assert 'data-path="uri"' not in diff.text


async def test_forking_from_the_history_page_opens_the_new_variant(
    client: Any, api: Any, owner: Persona
) -> None:
    app = await create_app(api(owner), "bot")
    await login_as(client, owner)

    forked = await post_form(
        client, f"/apps/{app['id']}/fork", revision_id=app["revision_id"], slug="experiment"
    )
    page = await client.get(forked.headers["location"])

    assert "Forked into experiment" in page.text
    assert "Forked from" in page.text


async def test_the_endpoints_page_has_snippets_for_the_chosen_environment(
    client: Any, api: Any, owner: Persona
) -> None:
    app = await create_app(api(owner), "bot")
    await login_as(client, owner)

    page = await client.get(f"/apps/{app['id']}/endpoints?environment=staging")

    assert "/api/configs?application=bot&amp;environment=staging" in page.text
    assert "ag.ConfigManager.get_from_registry" in page.text
    assert "/services/completion/v0/invoke" in page.text


async def test_the_endpoints_page_opens_where_the_app_is_deployed_and_warns_elsewhere(
    client: Any, api: Any, owner: Persona
) -> None:
    app = await create_app(api(owner), "bot")
    await api(owner).post(
        "/api/applications/revisions/deploy",
        {
            "application_revision_ref": {"id": app["revision_id"]},
            "environment_ref": {"slug": "staging"},
        },
    )
    await login_as(client, owner)

    opened = await client.get(f"/apps/{app['id']}/endpoints")
    elsewhere = await client.get(f"/apps/{app['id']}/endpoints?environment=production")

    assert '<option value="staging" selected>staging</option>' in opened.text
    assert 'id="not-deployed"' not in opened.text
    assert "production (not deployed)</option>" in opened.text
    assert "bot is not deployed to production yet" in elsewhere.text


async def test_a_viewer_sees_no_forms_and_cannot_post_them(
    client: Any, api: Any, owner: Persona, make_persona: MakePersona
) -> None:
    app = await create_app(api(owner), "bot")
    viewer = await make_persona("viewer")
    await login_as(client, viewer)

    page = await client.get(f"/apps/{app['id']}/variants/{app['variant_id']}")
    refused = await post_form(client, "/apps", slug="nope", app_type="completion")

    assert page.status_code == 200
    assert "Deploy</button>" not in page.text
    assert refused.status_code == 403


async def test_another_organization_cannot_open_the_app(
    client: Any, api: Any, owner: Persona, outsider: Persona
) -> None:
    app = await create_app(api(owner), "bot")
    await login_as(client, outsider)

    page = await client.get(f"/apps/{app['id']}", headers={"accept": "text/html"})

    assert page.status_code == 404


async def test_an_owner_is_asked_before_archiving_a_variant(
    client: Any, api: Any, owner: Persona
) -> None:
    app = await create_app(api(owner), "bot")
    await login_as(client, owner)

    page = await client.get(f"/apps/{app['id']}/variants/{app['variant_id']}")

    archive = re.search(r'<form[^>]*/variants/[^"]*/archive"[^>]*>', page.text)
    assert archive and 'onsubmit="return confirm(this.dataset.confirm)"' in archive.group(0)
    slug = re.search(r'Variant <span class="mono">([^<]+)</span>', page.text)
    assert slug and f'data-confirm="Archive the variant {slug.group(1)}?' in archive.group(0)
