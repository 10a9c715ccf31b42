"""Every route of the annotations feature: the REST API and the pages."""

from __future__ import annotations

from agenta.core.annotations import api, pages, pages_inbox

ROUTES = [*api.ROUTES, *pages.ROUTES, *pages_inbox.ROUTES]
