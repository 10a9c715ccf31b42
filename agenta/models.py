"""Every feature's tables, imported in one place so ``Base.metadata`` is complete.

Alembic's autogenerate and the test that checks models against migrations both call
``load_all()``; add a feature's models module here when the feature gains tables.
"""

from __future__ import annotations

import importlib

from sqlalchemy import MetaData

from agenta.db import Base

MODEL_MODULES = [
    "agenta.jobs.models",
    "agenta.core.accounts.models",
    "agenta.core.registry.models",
    "agenta.core.events.models",
    "agenta.core.webhooks.models",
    "agenta.core.alerts.models",
    "agenta.core.testsets.models",
    "agenta.core.secrets.models",
    "agenta.core.tracing.models",
    "agenta.core.evaluators.models",
    "agenta.core.evaluations.models",
    "agenta.core.annotations.models",
    "agenta.core.online.models",
]


def load_all() -> MetaData:
    """Import every models module and return the complete metadata."""
    for name in MODEL_MODULES:
        importlib.import_module(name)
    return Base.metadata
