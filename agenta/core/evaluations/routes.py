"""Every route of the evaluations feature: the REST API, the SDK's endpoints and the pages."""

from __future__ import annotations

from agenta.core.evaluations import api

ROUTES = [*api.ROUTES]
