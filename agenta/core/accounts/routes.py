"""Every route of accounts (API and pages), for the composition root."""

from __future__ import annotations

from agenta.core.accounts import (
    api_routes,
    auth_pages,
    member_pages,
    organization_routes,
    settings_pages,
)

ROUTES = [
    *api_routes.ROUTES,
    *organization_routes.ROUTES,
    *auth_pages.ROUTES,
    *settings_pages.ROUTES,
    *member_pages.ROUTES,
]
