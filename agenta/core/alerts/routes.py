"""Every route of the alerts feature: the REST API and the page."""

from __future__ import annotations

from agenta.core.alerts import api, pages

ROUTES = [*api.ROUTES, *pages.ROUTES]
