"""Every observability page, for the composition root (the API is in `routes.py`)."""

from __future__ import annotations

from agenta.core.tracing import (
    pages,
    pages_annotate,
    pages_dashboard,
    pages_groups,
    pages_settings,
    pages_testsets,
)

ROUTES = [
    *pages.ROUTES,
    *pages_annotate.ROUTES,
    *pages_groups.ROUTES,
    *pages_dashboard.ROUTES,
    *pages_settings.ROUTES,
    *pages_testsets.ROUTES,
]
