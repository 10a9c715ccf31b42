"""Every route of the online evaluation feature: the REST API and the pages."""

from __future__ import annotations

from agenta.core.online import api, pages

ROUTES = [*api.ROUTES, *pages.ROUTES]
