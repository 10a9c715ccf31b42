"""The registry's REST API: applications, variants, revisions, environments and config fetch.

Every route carries a ``requires(...)`` guard; handlers get a ``Scope`` (transaction, project,
caller, change feed) through the router's ``scope`` dependency.
"""

from __future__ import annotations

from litestar import Router

from agenta.core.registry.api import (
    applications,
    configs,
    environments,
    revisions,
    variants,
    workflows,
)
from agenta.core.registry.api.common import SCOPE_DEPENDENCY


def api_router() -> Router:
    """One router holding every registry API route."""
    return Router(
        path="/",
        route_handlers=[
            *applications.ROUTES,
            *variants.ROUTES,
            *revisions.ROUTES,
            *environments.ROUTES,
            *configs.ROUTES,
            *workflows.ROUTES,
        ],
        dependencies=SCOPE_DEPENDENCY,
    )
