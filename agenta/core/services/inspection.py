"""``/inspect``: what a service is, what it takes and returns, and a request ready to send.

The body is ``{revision?, references?, selector?}`` like an invoke request without inputs. The
answer (agenta-behaviour.md §3.2)::

    {"version", "revision": {"data": {"uri", "url", "schemas": {"parameters", "inputs",
     "outputs"}, "parameters"}}, "request": <an invoke request>, "meta": {"variables"}}

Without references the parameters are the service's defaults (the configuration a new app of
this type starts with); with references they are the stored ones (404 ``Workflow not found``
on a miss). The inputs schema lists the variables the prompt reads (and ``messages`` for chat),
so a playground can draw its form from it.
"""

from __future__ import annotations

from typing import Any

from litestar import Response

from agenta.core.access.principal import Principal
from agenta.core.registry.templates import initial_data
from agenta.core.services.configs import resolve_config
from agenta.core.services.errors import ServiceFailure
from agenta.core.services.handlers import ServiceKind, uri_of
from agenta.core.services.requests import VERSION, parse_invoke_body
from agenta.core.services.responses import encode
from agenta.core.services.schemas import inputs_schema, outputs_schema, parameters_schema
from agenta.llm import PromptConfigError, detect_variables, parse_prompt_template
from agenta.platform import Platform


async def inspect_service(
    kind: ServiceKind,
    principal: Principal,
    platform: Platform,
    data: Any,
) -> Response[bytes]:
    """The inspect answer for ``kind`` and the given references (see the module docstring)."""
    try:
        request = parse_invoke_body(data)
        config = await resolve_config(principal, platform, request)
    except ServiceFailure as failure:
        body: dict[str, Any] = {"details": {"message": failure.message}, "status": failure.status()}
        return Response(encode(body), status_code=failure.code, media_type="application/json")
    parameters = config.parameters if config else initial_data(kind)["parameters"]
    references = config.references if config else {}
    variables = _variables(parameters)
    answer = {
        "version": VERSION,
        "revision": {
            "data": {
                "uri": uri_of(kind),
                "url": f"{platform.settings.public_url}/services/{kind}/v0",
                "schemas": {
                    "parameters": parameters_schema(),
                    "inputs": inputs_schema(kind, variables),
                    "outputs": outputs_schema(kind),
                },
                "parameters": parameters,
            }
        },
        "request": _ready_request(kind, variables, parameters, references),
        "meta": {"variables": variables, "references": references},
    }
    return Response(encode(answer), media_type="application/json")


def _variables(parameters: dict[str, Any]) -> list[str]:
    prompt = parameters.get("prompt")
    if not isinstance(prompt, dict):
        return []
    try:
        return detect_variables(parse_prompt_template(prompt))
    except (PromptConfigError, ValueError):
        return []


def _ready_request(
    kind: ServiceKind,
    variables: list[str],
    parameters: dict[str, Any],
    references: dict[str, dict[str, Any]],
) -> dict[str, Any]:
    inputs: dict[str, Any] = dict.fromkeys(variables, "")
    if kind == "chat":
        inputs["messages"] = [{"role": "user", "content": ""}]
    data: dict[str, Any] = {"inputs": inputs}
    if not references:
        data["parameters"] = parameters
    request: dict[str, Any] = {"version": VERSION, "data": data}
    if references:
        request["references"] = references
    return request
