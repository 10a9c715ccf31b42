"""Every route of the webhooks feature: the REST API and the settings pages."""

from __future__ import annotations

from agenta.core.webhooks import api, delivery_pages, pages

ROUTES = [*api.ROUTES, *pages.ROUTES, *delivery_pages.ROUTES]
