"""Every route of the evaluators feature: the REST API, the SDK's endpoints and the pages."""

from __future__ import annotations

from agenta.core.evaluators import api, pages, sdk_routes

ROUTES = [*api.ROUTES, *sdk_routes.ROUTES, *pages.ROUTES]
