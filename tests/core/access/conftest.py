"""Personas for these tests (until the root conftest registers ``account_fixtures``)."""

from tests.support.account_fixtures import make_persona, outsider, owner

__all__ = ["make_persona", "outsider", "owner"]
