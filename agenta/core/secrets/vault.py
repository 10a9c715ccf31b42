"""The vault's service functions: create, read, update and delete a project's connections.

Every function takes the caller's session (never committed here) and the project the caller
acts in, so one project can never read or change another's rows. Credentials pass through a
``SecretBox``: they are encrypted before they reach the session and decrypted only to build the
``ConnectionRecord`` values that the LLM layer calls providers with (``project_connections``)
or to test a connection. Nothing here returns a key to an API caller; ``records`` renders rows
with a masked hint.

``settle`` merges what a request gave with what is stored and checks the result as a whole:
the provider kind exists, a key is there when the provider needs one, a custom endpoint has a
base URL, and a custom connection's slug cannot shadow a provider (``openai/...`` must keep
meaning OpenAI).
"""

from __future__ import annotations

import json
import logging
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from agenta.core.revisions.slugs import SLUG_PATTERN, slugify
from agenta.core.secrets.models import CUSTOM_PROVIDER, PROVIDER_KEY, ProviderSecret
from agenta.core.secrets.payloads import SecretInput
from agenta.crypto import DecryptionError, SecretBox
from agenta.db import utcnow
from agenta.errors import AppError, Conflict, NotFound
from agenta.llm import ConnectionRecord
from agenta.llm.provider_kinds import ProviderKind, provider_kind

log = logging.getLogger("agenta.secrets")

BOX_PURPOSE = "provider-keys"


def vault_box(secret_key: str) -> SecretBox:
    """The box provider credentials are encrypted with."""
    return SecretBox(secret_key, BOX_PURPOSE)


@dataclass(frozen=True)
class Credentials:
    """The encrypted part of a connection: its key and extra settings."""

    key: str | None = None
    extras: Mapping[str, Any] = field(default_factory=dict)

    def seal(self, box: SecretBox) -> str:
        return box.encrypt(json.dumps({"key": self.key, "extras": dict(self.extras)}))

    @classmethod
    def open(cls, box: SecretBox, token: str) -> Credentials:
        data = json.loads(box.decrypt(token))
        return cls(data.get("key"), data.get("extras") or {})


@dataclass(frozen=True)
class Settled:
    """A connection's complete, checked values, ready to store."""

    kind: str
    provider: str
    slug: str
    name: str
    description: str | None
    base_url: str | None
    api_version: str | None
    models: list[str]
    credentials: Credentials


def key_hint(key: str | None) -> str:
    """What may be shown of a key: its last four characters, and only for long keys."""
    if not key:
        return ""
    return "…" + key[-4:] if len(key) >= 12 else "…"


def settle(
    given: SecretInput, existing: ProviderSecret | None = None, stored: Credentials | None = None
) -> Settled:
    """Merge ``given`` over the stored values and check the whole; a 400 names what is wrong."""
    values = dict(given.given)
    kind = _settled_kind(given, existing, values)
    provider = _provider(values.get("provider") or (existing.provider if existing else None), kind)
    base_url = values["base_url"] if "base_url" in values else _stored(existing, "base_url")
    stored = stored or Credentials()
    credentials = Credentials(
        values.get("key") or stored.key,
        values.get("extras", stored.extras),
    )
    slug = values.get("slug") or (existing.slug if existing else None)
    slug = _slug(slug, kind, provider, values.get("name"))
    _check_complete(kind, provider, base_url, credentials)
    return Settled(
        kind=kind,
        provider=provider.name,
        slug=slug,
        name=values.get("name") or _stored(existing, "name") or _default_name(kind, provider, slug),
        description=values.get("description", _stored(existing, "description")),
        base_url=base_url,
        api_version=values.get("api_version", _stored(existing, "api_version")),
        models=values["models"] if "models" in values else list(_stored(existing, "models") or []),
        credentials=credentials,
    )


def _stored(existing: ProviderSecret | None, name: str) -> Any:
    return getattr(existing, name) if existing is not None else None


def _settled_kind(
    given: SecretInput, existing: ProviderSecret | None, values: dict[str, Any]
) -> str:
    if existing is not None:
        if given.kind is not None and given.kind != existing.kind:
            raise AppError(f"secret.kind cannot change from {existing.kind} to {given.kind}")
        return existing.kind
    if given.kind is not None:
        return given.kind
    custom = values.get("provider") == "custom" or values.get("base_url")
    return CUSTOM_PROVIDER if custom else PROVIDER_KEY


def _provider(name: str | None, kind: str) -> ProviderKind:
    if not name:
        raise AppError("secret.data.kind is required: the provider, e.g. openai or anthropic")
    found = provider_kind(name)
    if found is None:
        raise AppError(f"secret.data.kind: unknown provider {name!r}")
    if kind == PROVIDER_KEY and found.name == "custom":
        raise AppError("secret.data.kind: an OpenAI-compatible endpoint is a custom_provider")
    return found


def _slug(slug: str | None, kind: str, provider: ProviderKind, name: str | None) -> str:
    if kind == PROVIDER_KEY:
        slug = slug or provider.name
    else:
        slug = slug or (slugify(name) if name else None)
        if not slug:
            raise AppError("secret.data.provider_slug is required: the name models are called by")
        if provider_kind(slug) is not None:
            raise AppError(
                f"secret.data.provider_slug {slug!r} is a provider's name: "
                f"choose another, or '{slug}/<model>' would stop meaning that provider"
            )
    if len(slug) > 100 or not SLUG_PATTERN.match(slug):
        raise AppError(
            f"secret.data.provider_slug {slug!r} is not a valid slug: "
            "use letters, digits, '-', '_' and '.' (not first)"
        )
    return slug


def _check_complete(
    kind: str, provider: ProviderKind, base_url: str | None, credentials: Credentials
) -> None:
    if provider.needs_key and not credentials.key:
        raise AppError(f"secret.data.provider.key is required for {provider.label}")
    if provider.needs_base_url and not base_url:
        raise AppError(f"secret.data.provider.url is required for {provider.label}")
    if kind == CUSTOM_PROVIDER and not base_url and not provider.default_base_url:
        raise AppError(f"secret.data.provider.url is required for {provider.label}")


def _default_name(kind: str, provider: ProviderKind, slug: str) -> str:
    return provider.label if kind == PROVIDER_KEY and slug == provider.name else slug


async def list_secrets(session: AsyncSession, project_id: uuid.UUID) -> list[ProviderSecret]:
    """The project's connections: standard providers first, then custom ones, by slug."""
    rows = await session.scalars(
        select(ProviderSecret)
        .where(ProviderSecret.project_id == project_id)
        .order_by(ProviderSecret.kind.desc(), ProviderSecret.slug)
    )
    return list(rows)


async def find_secret(
    session: AsyncSession, project_id: uuid.UUID, id_or_slug: str
) -> ProviderSecret:
    """The project's connection with this id or slug; 404 otherwise."""
    query = select(ProviderSecret).where(ProviderSecret.project_id == project_id)
    try:
        query = query.where(ProviderSecret.id == uuid.UUID(id_or_slug))
    except ValueError:
        query = query.where(ProviderSecret.slug == id_or_slug)
    found = await session.scalar(query)
    if found is None:
        raise NotFound(f"No secret {id_or_slug!r} in this project")
    return found


async def create_secret(
    session: AsyncSession,
    box: SecretBox,
    project_id: uuid.UUID,
    given: SecretInput,
    *,
    actor_id: uuid.UUID | None = None,
) -> ProviderSecret:
    """Store a new connection; 409 when its slug is taken (a second key gets ``openai-2``)."""
    settled = settle(given)
    taken = {row.slug for row in await list_secrets(session, project_id)}
    slug = settled.slug
    if slug in taken:
        if "slug" in given.given or settled.kind == CUSTOM_PROVIDER:
            raise Conflict(f"A secret called {slug!r} already exists in this project")
        slug = _next_free(slug, taken)
    secret = ProviderSecret(project_id=project_id, created_by_id=actor_id)
    _apply(secret, settled, box, slug=slug)
    session.add(secret)
    await session.flush()
    return secret


def _next_free(slug: str, taken: set[str]) -> str:
    number = 2
    while f"{slug}-{number}" in taken:
        number += 1
    return f"{slug}-{number}"


async def update_secret(
    session: AsyncSession,
    box: SecretBox,
    secret: ProviderSecret,
    given: SecretInput,
    *,
    actor_id: uuid.UUID | None = None,
) -> ProviderSecret:
    """Change a connection; fields left out (the key, above all) keep their stored values."""
    settled = settle(given, secret, open_credentials(secret, box))
    if settled.slug != secret.slug:
        clash = await session.scalar(
            select(ProviderSecret.id).where(
                ProviderSecret.project_id == secret.project_id,
                ProviderSecret.slug == settled.slug,
            )
        )
        if clash is not None:
            raise Conflict(f"A secret called {settled.slug!r} already exists in this project")
    _apply(secret, settled, box, slug=settled.slug)
    secret.updated_by_id = actor_id
    secret.updated_at = utcnow()
    await session.flush()
    return secret


def _apply(secret: ProviderSecret, settled: Settled, box: SecretBox, *, slug: str) -> None:
    secret.slug = slug
    secret.kind = settled.kind
    secret.provider = settled.provider
    secret.name = settled.name if settled.name != settled.slug else slug
    secret.description = settled.description
    secret.base_url = settled.base_url
    secret.api_version = settled.api_version
    secret.models = list(settled.models)
    secret.payload_encrypted = settled.credentials.seal(box)
    secret.key_hint = key_hint(settled.credentials.key)
    secret.extra_names = sorted(settled.credentials.extras)


async def delete_secret(session: AsyncSession, secret: ProviderSecret) -> None:
    """Remove a connection for good (its credentials go with the row)."""
    await session.delete(secret)
    await session.flush()


def open_credentials(secret: ProviderSecret, box: SecretBox) -> Credentials:
    """The decrypted credentials; a 409 says when ``AGENTA_SECRET_KEY`` no longer opens them."""
    try:
        return Credentials.open(box, secret.payload_encrypted)
    except DecryptionError:
        raise Conflict(
            f"The credentials of {secret.slug!r} cannot be decrypted (AGENTA_SECRET_KEY changed?): "
            "enter the key again"
        ) from None


def connection_of(secret: ProviderSecret, box: SecretBox) -> ConnectionRecord:
    """The connection as the LLM layer resolves models against it."""
    return _record(
        secret.slug,
        secret.kind,
        secret.provider,
        open_credentials(secret, box),
        secret.base_url,
        secret.api_version,
        secret.models or (),
    )


def unsaved_connection(settled: Settled) -> ConnectionRecord:
    """The connection a create request describes, for testing it before it is stored."""
    return _record(
        settled.slug,
        settled.kind,
        settled.provider,
        settled.credentials,
        settled.base_url,
        settled.api_version,
        settled.models,
    )


def _record(
    slug: str,
    kind: str,
    provider: str,
    credentials: Credentials,
    base_url: str | None,
    api_version: str | None,
    models: Sequence[str],
) -> ConnectionRecord:
    extra = dict(credentials.extras)
    if api_version:
        extra["api_version"] = api_version
    return ConnectionRecord(
        slug=slug,
        kind=provider,
        api_key=credentials.key,
        base_url=base_url,
        models=tuple(models),
        extra=MappingProxyType(extra),
        custom=kind == CUSTOM_PROVIDER,
    )


async def project_connections(
    session: AsyncSession, box: SecretBox, project_id: uuid.UUID
) -> list[ConnectionRecord]:
    """Every usable connection of the project (unreadable ones are skipped and logged)."""
    connections = []
    for secret in await list_secrets(session, project_id):
        try:
            connections.append(connection_of(secret, box))
        except Conflict:
            log.warning(
                "provider connection cannot be decrypted",
                extra={"project_id": str(project_id), "slug": secret.slug},
            )
    return connections
