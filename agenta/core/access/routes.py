"""Every route of the access layer, for the composition root."""

from __future__ import annotations

from agenta.core.access import api_routes, key_pages

ROUTES = [*api_routes.ROUTES, *key_pages.ROUTES]
