"""Every route of the vault, for the composition root."""

from __future__ import annotations

from agenta.core.secrets import api_routes

ROUTES = [*api_routes.ROUTES]
