"""``POST /api/workflows/revisions/retrieve``: the SDK's fallback when a revision has no
parameters.

Upstream keeps applications (and evaluators) as workflows; here applications are the workflows
this endpoint can find, so ``workflow_ref``/``workflow_variant_ref``/``workflow_revision_ref``
resolve exactly like their ``application_*`` counterparts. A miss is
``200 {"count": 0, "workflow_revision": null}``: the SDK raises on any other status.
"""

from __future__ import annotations

from typing import Any

import msgspec
from litestar import Request, Response, post
from litestar.di import NamedDependency
from litestar.params import JSONBody

from agenta.core.access.guards import requires
from agenta.core.access.permissions import Permission
from agenta.core.access.principal import Principal
from agenta.core.registry import configs
from agenta.core.registry.api.common import reference, scope_opener
from agenta.core.registry.resolution import ConfigQuery, Resolved
from agenta.core.registry.runtime import runtime_of
from agenta.core.registry.serialize import resolved_record
from agenta.core.revisions.references import ReferenceBody
from agenta.deps import platform_of


class WorkflowRetrieve(msgspec.Struct, kw_only=True):
    workflow_ref: ReferenceBody | None = None
    workflow_variant_ref: ReferenceBody | None = None
    workflow_revision_ref: ReferenceBody | None = None
    environment_ref: ReferenceBody | None = None
    key: str | None = None
    include_archived: bool = False


def render_workflow(resolved: Resolved | None, names: dict[Any, str]) -> dict[str, Any]:
    if resolved is None:
        return {"count": 0, "workflow_revision": None}
    record = resolved_record(resolved, names)
    record["workflow_id"] = record["application_id"]
    record["workflow_variant_id"] = record["application_variant_id"]
    return {"count": 1, "workflow_revision": record}


@post(
    "/api/workflows/revisions/retrieve",
    guards=[requires(Permission.VIEW_APPLICATIONS)],
    status_code=200,
    tags=["revisions"],
)
async def retrieve_workflow_revision(
    principal: NamedDependency[Principal],
    request: Request[Any, Any, Any],
    data: JSONBody[WorkflowRetrieve],
) -> Response[bytes]:
    """The application revision that workflow references point at."""
    query = ConfigQuery(
        application=reference(data.workflow_ref, "workflow_ref"),
        variant=reference(data.workflow_variant_ref, "workflow_variant_ref"),
        revision=reference(data.workflow_revision_ref, "workflow_revision_ref"),
        environment=reference(data.environment_ref, "environment_ref"),
        key=data.key or None,
        include_archived=data.include_archived,
    )
    platform = platform_of(request)
    cached = await configs.fetch(
        principal.project_id,
        runtime_of(platform),
        query,
        shape="workflow",
        render=render_workflow,
        open_scope=scope_opener(principal, platform),
    )
    return Response(cached.body, media_type="application/json", headers={"ETag": cached.etag})


ROUTES = [retrieve_workflow_revision]
