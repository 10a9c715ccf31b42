"""Every route of the evaluations feature: the REST API, the SDK's endpoints and the pages."""

from __future__ import annotations

from agenta.core.evaluations import (
    api,
    compare_pages,
    gate_pages,
    gates_api,
    run_pages,
    sdk_api,
)

ROUTES = [
    *api.ROUTES,
    *gates_api.ROUTES,
    *sdk_api.ROUTES,
    *run_pages.ROUTES,
    *compare_pages.ROUTES,
    *gate_pages.ROUTES,
]
