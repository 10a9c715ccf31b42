"""Page: ready-to-copy snippets for using an application from code.

``GET /apps/{id}/endpoints?environment=production`` shows, for the chosen environment: the cached
config fetch with curl (and its ETag revalidation), the same fetch with the official Python SDK,
and a call through Agenta's service proxy (OpenAI-style messages in, traced completion out).
Snippets use the server's public URL and a placeholder for the API key.
"""

from __future__ import annotations

import json
import uuid
from typing import Any

from litestar import Request, get
from litestar.di import NamedDependency
from litestar.params import FromPath, FromQuery
from litestar.response import Template

from agenta.core.access.guards import requires
from agenta.core.access.permissions import Permission
from agenta.core.registry import applications, environments
from agenta.core.registry.models import ApplicationArtifact
from agenta.core.registry.pages.support import app_type, render
from agenta.core.registry.scope import Scope
from agenta.settings import Settings

VIEW = [requires(Permission.VIEW_APPLICATIONS)]
KEY_PLACEHOLDER = "$AGENTA_API_KEY"


def snippets(base_url: str, application: ApplicationArtifact, environment: str) -> dict[str, str]:
    """The curl, SDK and proxy snippets for one application in one environment."""
    slug = application.slug
    fetch_url = f"{base_url}/api/configs?application={slug}&environment={environment}"
    kind = app_type(application)
    inputs: dict[str, Any] = {"country": "France"}
    if kind == "chat":
        inputs = {"messages": [{"role": "user", "content": "Hello!"}]}
    invoke_body = json.dumps(
        {
            "data": {"inputs": inputs},
            "references": {"application": {"slug": slug}, "environment": {"slug": environment}},
        },
        indent=2,
    )
    service = "chat" if kind == "chat" else "completion"
    return {
        "curl": (
            f'curl -s "{fetch_url}" \\\n  -H "Authorization: ApiKey {KEY_PLACEHOLDER}"\n\n'
            "# Revalidate cheaply: send back the ETag you got, a 304 means nothing changed\n"
            f'curl -s -o /dev/null -w "%{{http_code}}\\n" "{fetch_url}" \\\n'
            f'  -H "Authorization: ApiKey {KEY_PLACEHOLDER}" -H \'If-None-Match: "<etag>"\''
        ),
        "python": (
            "import os\nimport agenta as ag\n\n"
            f'ag.init(host="{base_url}", api_key=os.environ["AGENTA_API_KEY"])\n\n'
            "params = ag.ConfigManager.get_from_registry(\n"
            f'    app_slug="{slug}", environment_slug="{environment}"\n)\n'
            'print(params["prompt"])'
        ),
        "proxy": (
            f'curl -s "{base_url}/services/{service}/v0/invoke" \\\n'
            f'  -H "Authorization: ApiKey {KEY_PLACEHOLDER}" \\\n'
            "  -H 'Content-Type: application/json' \\\n"
            f"  -d '{invoke_body}'"
        ),
    }


@get("/apps/{app_id:uuid}/endpoints", guards=VIEW, include_in_schema=False)
async def app_endpoints(
    request: Request[Any, Any, Any],
    registry: NamedDependency[Scope],
    settings: NamedDependency[Settings],
    app_id: FromPath[uuid.UUID],
    environment: FromQuery[str | None] = None,
) -> Template:
    application = await applications.get_application(registry, app_id)
    heads = await environments.list_environments(registry)
    slugs = [head.environment.slug for head in heads]
    deployed = [head.environment.slug for head in heads if _deploys(head, application)]
    chosen = _chosen_environment(environment, slugs, deployed)
    return render(
        request,
        "endpoints.html",
        application=application,
        environments=slugs,
        deployed=deployed,
        environment=chosen,
        snippets=snippets(settings.public_url, application, chosen),
        tab="endpoints",
    )


def _deploys(head: environments.EnvironmentHead, application: ApplicationArtifact) -> bool:
    key = environments.deployment_key(application.slug)
    return (
        environments.entry_for(head.references, application_id=application.id, key=key) is not None
    )


def _chosen_environment(asked: str | None, slugs: list[str], deployed: list[str]) -> str:
    """The asked environment, else the last one of the pipeline the app is deployed to (the
    closest to production), else the last one."""
    if asked in slugs:
        return str(asked)
    if deployed:
        return deployed[-1]
    return slugs[-1] if slugs else "production"


ROUTES = [app_endpoints]
