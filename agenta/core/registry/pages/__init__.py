"""The registry's pages (Jinja2 + htmx): apps, variants and history, diff, environments with
deploy history and rollback, the endpoints snippets and the playground. Templates are in
``agenta/web/templates/registry``.
"""

from __future__ import annotations

from litestar import Router

from agenta.core.registry.api.common import SCOPE_DEPENDENCY
from agenta.core.registry.pages import (
    app_pages,
    endpoint_pages,
    environment_pages,
    playground_pages,
    variant_pages,
)


def pages_router() -> Router:
    """One router holding every registry page."""
    return Router(
        path="/",
        route_handlers=[
            *app_pages.ROUTES,
            *variant_pages.ROUTES,
            *environment_pages.ROUTES,
            *endpoint_pages.ROUTES,
            *playground_pages.ROUTES,
        ],
        dependencies=SCOPE_DEPENDENCY,
        include_in_schema=False,
    )
