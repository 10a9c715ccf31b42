"""The pre-0.96 services contract, adapted onto the current one (agenta-behaviour.md §3.3).

``POST /services/{completion|chat}/{generate|generate_deployed|run|test}`` take a flat body:
``inputs`` (or the inputs as top-level fields), ``messages`` (chat), ``ag_config`` (draft
parameters), and the target as ``app``/``app_slug``/``application_slug``, ``app_id``/
``application_id`` (also a query parameter), ``variant_id``, ``variant_slug``,
``variant_version``, ``environment`` (a slug or ``{slug|name}``), ``environment_id``,
``environment_slug`` and ``environment_version``. ``generate_deployed`` without a target
environment runs what ``production`` deploys, as the old SDKs expected.

The body becomes an ``InvokeRequest`` and runs like ``/invoke`` (batch only), answered in the
old shape: ``{"version": "3.0", "data": <outputs>, "content_type", "tree": null, "tree_id",
"trace_id", "span_id"}``.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from typing import Any

from litestar import Request, Response, post
from litestar.di import NamedDependency
from litestar.handlers import HTTPRouteHandler
from litestar.params import JSONBody

from agenta.core.access.guards import requires
from agenta.core.access.permissions import Permission
from agenta.core.access.principal import Principal
from agenta.core.services.errors import ServiceFailure, invalid_request
from agenta.core.services.handlers import SERVICE_KINDS, ServiceKind
from agenta.core.services.invocation import invoke_once
from agenta.core.services.requests import InvokeRequest
from agenta.core.services.responses import encode, error_body, trace_headers
from agenta.core.services.runtime import trace_writer
from agenta.core.services.traces import InvocationTrace, build_spans
from agenta.platform import Platform

ACTIONS = ("generate", "generate_deployed", "run", "test")
LEGACY_VERSION = "3.0"
DEFAULT_ENVIRONMENT = "production"
_TARGET_FIELDS = frozenset(
    {
        "inputs",
        "messages",
        "ag_config",
        "app",
        "app_slug",
        "application_slug",
        "app_id",
        "application_id",
        "variant_id",
        "variant_slug",
        "variant_version",
        "environment",
        "environment_id",
        "environment_slug",
        "environment_version",
    }
)


def legacy_request(body: Mapping[str, Any], query: Mapping[str, str], action: str) -> InvokeRequest:
    """The current request a legacy body describes."""
    inputs = body.get("inputs")
    if inputs is None:
        inputs = {key: value for key, value in body.items() if key not in _TARGET_FIELDS}
    if not isinstance(inputs, Mapping):
        raise invalid_request("inputs must be an object")
    inputs = dict(inputs)
    if body.get("messages") is not None:
        inputs.setdefault("messages", body["messages"])
    references, selector = _targets({**query, **body}, action)
    return InvokeRequest(
        inputs=inputs,
        parameters=_parameters(body.get("ag_config")),
        references=references,
        selector=selector,
    )


def _parameters(config: object) -> dict[str, Any] | None:
    if config is None:
        return None
    if not isinstance(config, Mapping):
        raise invalid_request("ag_config must be an object")
    return dict(config) if "prompt" in config else {"prompt": dict(config)}


def _targets(
    fields: Mapping[str, Any], action: str
) -> tuple[dict[str, dict[str, Any]], dict[str, Any]]:
    references: dict[str, dict[str, Any]] = {}
    app_slug = fields.get("app_slug") or fields.get("application_slug") or fields.get("app")
    app_id = fields.get("app_id") or fields.get("application_id")
    _put(references, "application", id=app_id, slug=app_slug)
    _put(
        references,
        "application_variant",
        id=fields.get("variant_id"),
        slug=fields.get("variant_slug"),
    )
    _put(references, "application_revision", version=fields.get("variant_version"))
    environment = fields.get("environment")
    if isinstance(environment, Mapping):
        environment = environment.get("slug") or environment.get("name")
    environment = environment or fields.get("environment_slug")
    if action == "generate_deployed" and not environment and not fields.get("environment_id"):
        environment = DEFAULT_ENVIRONMENT
    _put(
        references,
        "environment",
        id=fields.get("environment_id"),
        slug=environment,
        version=fields.get("environment_version"),
    )
    selector = {"key": f"{app_slug}.revision"} if "environment" in references and app_slug else {}
    return references, selector


def _put(references: dict[str, dict[str, Any]], name: str, **values: Any) -> None:
    given = {key: value for key, value in values.items() if value not in (None, "")}
    if given:
        references[name] = given


def legacy_body(trace: InvocationTrace, outputs: Any) -> dict[str, Any]:
    """The old response shape."""
    structured = isinstance(outputs, dict | list)
    return {
        "version": LEGACY_VERSION,
        "data": outputs,
        "content_type": "application/json" if structured else "text/plain",
        "tree": None,
        "tree_id": str(uuid.UUID(hex=trace.trace_id)),
        "trace_id": trace.trace_id,
        "span_id": trace.span_id,
    }


async def legacy_invoke(
    kind: ServiceKind,
    action: str,
    request: Request[Any, Any, Any],
    principal: Principal,
    platform: Platform,
    data: Any,
) -> Response[bytes]:
    """Run a legacy call and answer in the old shape."""
    trace = InvocationTrace(kind, {})
    try:
        if data is not None and not isinstance(data, Mapping):
            raise invalid_request("The body must be a JSON object")
        body = legacy_request(data or {}, dict(request.query_params), action)
        trace.inputs = body.inputs
        outputs = await invoke_once(kind, body, trace, principal=principal, platform=platform)
        answer, status = legacy_body(trace, outputs), 200
    except ServiceFailure as failure:
        answer, status = error_body(trace, failure), failure.code
    if trace.ended is not None:
        writer = trace_writer(platform)
        writer.submit(principal.project_id, lambda: build_spans(trace))
    return Response(
        encode(answer),
        status_code=status,
        media_type="application/json",
        headers=trace_headers(trace),
    )


def _legacy_route(kind: ServiceKind, action: str) -> HTTPRouteHandler:
    async def legacy(
        request: Request[Any, Any, Any],
        principal: NamedDependency[Principal],
        platform: NamedDependency[Platform],
        data: JSONBody[Any] = None,
    ) -> Response[bytes]:
        return await legacy_invoke(kind, action, request, principal, platform, data)

    legacy.__doc__ = f"The pre-0.96 {action} call of the built-in {kind} application."
    return post(
        f"/services/{kind}/{action}",
        guards=[requires(Permission.RUN_SERVICE)],
        tags=["services (legacy)"],
        name=f"services-{kind}-{action}",
        status_code=200,
    )(legacy)


ROUTES = [_legacy_route(kind, action) for kind in SERVICE_KINDS for action in ACTIONS]
