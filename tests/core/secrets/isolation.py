"""Isolation samples for the vault's routes (see ``tests/core/access/route_table.py``)."""

from __future__ import annotations

from agenta.core.secrets.payloads import parse_secret_body
from agenta.core.secrets.runtime import vault_runtime
from agenta.core.secrets.vault import create_secret
from agenta.platform import Platform
from tests.support.accounts import Persona


async def secret_id(platform: Platform, owner: Persona) -> str:
    body = {
        "secret": {
            "kind": "custom_provider",
            "data": {
                "kind": "custom",
                "provider_slug": "owner-box",
                "provider": {"url": "https://box.example.com/v1", "key": "owner-box-key-0001"},
                "models": ["owner-model"],
            },
        }
    }
    async with platform.db.session() as session:
        secret = await create_secret(
            session, vault_runtime(platform).box, owner.project_id, parse_secret_body(body)
        )
    return str(secret.id)


SAMPLES = {"id_or_slug": secret_id}
