"""Store tests run on the registry's application tables, in the owner's project."""

from __future__ import annotations

from tests.support.account_fixtures import outsider, owner  # noqa: F401
