"""Every route of the evaluations feature: the REST API, the SDK's endpoints and the pages."""

from __future__ import annotations

from agenta.core.evaluations import api, gates_api

ROUTES = [*api.ROUTES, *gates_api.ROUTES]
