"""Every route of the vault, for the composition root."""

from __future__ import annotations

from agenta.core.secrets import api_routes, pages

ROUTES = [*api_routes.ROUTES, *pages.ROUTES]
