"""Every route of the tracing feature, for the composition root."""

from __future__ import annotations

from agenta.core.tracing import routes_otlp

ROUTES = [*routes_otlp.ROUTES]
