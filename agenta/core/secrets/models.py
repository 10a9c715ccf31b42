"""The ``secrets`` table: a project's provider connections, credentials encrypted at rest.

One row per connection. ``kind`` is ``provider_key`` (the project's key for a standard provider
family such as OpenAI) or ``custom_provider`` (a named endpoint: Azure, Ollama, vLLM, any
OpenAI-compatible server, addressed as ``<slug>/<model>``). ``provider`` is the provider kind
(``agenta.llm.provider_kinds``).

What is secret, the API key and the extra settings (which may hold headers or cloud
credentials), lives only in ``payload_encrypted``: a ``SecretBox`` token (Fernet, key derived
from ``AGENTA_SECRET_KEY`` for the ``provider-keys`` purpose) of a small JSON document. The rest
(base URL, API version, model list, the key's last characters and the names of the extra
settings) is configuration that pages and the API show, so it is stored in the clear.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from agenta.db import Actors, Base, IdMixin, ProjectScoped, Timestamps

PROVIDER_KEY = "provider_key"
CUSTOM_PROVIDER = "custom_provider"
SECRET_KINDS = (PROVIDER_KEY, CUSTOM_PROVIDER)


class ProviderSecret(IdMixin, ProjectScoped, Timestamps, Actors, Base):
    __tablename__ = "secrets"
    __table_args__ = (UniqueConstraint("project_id", "slug"),)

    slug: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(40))
    provider: Mapped[str] = mapped_column(String(40))
    name: Mapped[str] = mapped_column(String(200))
    description: Mapped[str | None] = mapped_column(Text, default=None)
    base_url: Mapped[str | None] = mapped_column(String(2000), default=None)
    api_version: Mapped[str | None] = mapped_column(String(100), default=None)
    models: Mapped[list[Any]] = mapped_column(default=list)
    payload_encrypted: Mapped[str] = mapped_column(Text)
    key_hint: Mapped[str] = mapped_column(String(20), default="")
    extra_names: Mapped[list[Any]] = mapped_column(default=list)

    @property
    def is_custom(self) -> bool:
        """True for a named custom provider, False for a standard provider's key."""
        return self.kind == CUSTOM_PROVIDER
