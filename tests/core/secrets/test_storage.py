"""Keys at rest: the raw key is nowhere in the database, only its encrypted form and a hint."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import text

from agenta.platform import Platform
from agenta.settings import Settings
from tests.core.secrets.conftest import PersonaClient, new_secret
from tests.support.accounts import Persona

RAW_KEY = "sk-live-RAW-KEY-never-stored-4f2a9c"
RAW_HEADER = "Bearer-extra-credential-77d1e0"


def database_files(settings: Settings) -> list[Path]:
    path = Path(settings.database_url.split(":///", 1)[1])
    return [candidate for candidate in (path, Path(f"{path}-wal")) if candidate.exists()]


async def test_the_raw_key_and_extras_are_nowhere_in_the_database(
    api: object, owner: Persona, platform: Platform, settings: Settings
) -> None:
    client: PersonaClient = api(owner)  # type: ignore[operator]
    body = new_secret(
        "custom",
        RAW_KEY,
        kind="custom_provider",
        slug="gateway",
        url="https://gateway.example.com/v1",
        extras={"headers": {"X-Gateway-Token": RAW_HEADER}},
    )
    assert (await client.post("/api/secrets/", body)).status_code == 201

    async with platform.db.session() as session:
        rows = (await session.execute(text("SELECT * FROM secrets"))).all()
    stored = repr(rows)
    assert "gateway.example.com" in stored  # the row is there, readable where it may be
    assert RAW_KEY not in stored and RAW_HEADER not in stored
    if settings.is_sqlite:
        files = database_files(settings)
        assert files
        for path in files:
            content = path.read_bytes()
            assert RAW_KEY.encode() not in content, path
            assert RAW_HEADER.encode() not in content, path
