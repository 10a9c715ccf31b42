"""Every route of the tracing feature, for the composition root."""

from __future__ import annotations

from agenta.core.tracing import (
    routes_annotations,
    routes_export,
    routes_otlp,
    routes_query,
    routes_settings,
)

ROUTES = [
    *routes_otlp.ROUTES,
    *routes_query.ROUTES,
    *routes_export.ROUTES,
    *routes_annotations.ROUTES,
    *routes_settings.ROUTES,
]
