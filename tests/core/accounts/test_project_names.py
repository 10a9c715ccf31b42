"""Project names: never empty, and unique within an organization, on the settings page and API."""

from __future__ import annotations

from typing import Any

from litestar.testing import AsyncTestClient

from tests.support.accounts import Persona, csrf_token, login_as


async def new_project_form(client: AsyncTestClient[Any], name: str) -> Any:
    return await client.post(
        "/settings/projects",
        data={"name": name, "_csrf_token": await csrf_token(client)},
        follow_redirects=False,
    )


async def project_names(client: AsyncTestClient[Any]) -> list[str]:
    """The names of the projects the logged-in user can enter."""
    response = await client.get("/api/projects")
    assert response.status_code == 200, response.text
    return sorted(project["project_name"] for project in response.json())


async def test_an_owner_submitting_a_blank_project_name_sees_the_settings_form_with_a_reason(
    client: AsyncTestClient[Any], owner: Persona
) -> None:
    await login_as(client, owner)
    response = await new_project_form(client, "   ")
    assert response.status_code == 422
    assert "Project not created: The project name must not be empty" in response.text
    assert 'action="/settings/projects"' in response.text
    assert await project_names(client) == ["Default"]


async def test_an_owner_cannot_name_two_projects_alike_on_the_settings_page(
    client: AsyncTestClient[Any], owner: Persona
) -> None:
    await login_as(client, owner)
    response = await new_project_form(client, "  default ")
    assert response.status_code == 409
    assert "already has a project named" in response.text
    assert 'action="/settings/projects"' in response.text
    assert await project_names(client) == ["Default"]


async def test_an_owner_can_still_add_a_project_with_a_new_name(
    client: AsyncTestClient[Any], owner: Persona
) -> None:
    await login_as(client, owner)
    response = await new_project_form(client, " Research ")
    assert response.status_code == 303
    assert await project_names(client) == ["Default", "Research"]


async def test_the_api_refuses_a_project_name_the_organization_already_uses(
    client: AsyncTestClient[Any], owner: Persona
) -> None:
    created = await client.post("/api/projects", json={"name": "Staging"}, headers=owner.headers)
    assert created.status_code == 201, created.text
    again = await client.post("/api/projects", json={"name": "STAGING "}, headers=owner.headers)
    assert again.status_code == 409, again.text
    assert "already has a project named" in again.text


async def test_the_api_refuses_a_blank_project_name(
    client: AsyncTestClient[Any], owner: Persona
) -> None:
    response = await client.post("/api/projects", json={"name": " "}, headers=owner.headers)
    assert response.status_code == 422, response.text
    assert "must not be empty" in response.text


async def test_two_organizations_may_each_have_a_project_of_the_same_name(
    client: AsyncTestClient[Any], owner: Persona, outsider: Persona
) -> None:
    for persona in (owner, outsider):
        response = await client.post(
            "/api/projects", json={"name": "Shared name"}, headers=persona.headers
        )
        assert response.status_code == 201, response.text
