"""Every route of the events feature: the activity API and page."""

from __future__ import annotations

from agenta.core.events import api, pages

ROUTES = [*api.ROUTES, *pages.ROUTES]
