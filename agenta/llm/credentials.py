"""Which provider serves a model, and with which credentials.

Credentials are always passed in explicitly: the services layer hands us the project's vault
records as plain ``ConnectionRecord`` values and the process environment as a mapping; nothing
here reads ``os.environ``. Precedence (agenta-behaviour.md §2.10 and §8.13):

1. an explicit connection slug (``llm_config.connection``) selects that record;
2. a model addressed through a custom connection (``<slug>/<model>``, or the original
   ``<slug>/<kind>/<model>``), or a bare model listed by a custom connection;
3. the project's key for the model's provider family (a record listing the model first);
4. environment variables (``OPENAI_API_KEY``, ``ANTHROPIC_BASE_URL``...) when local secrets are
   allowed for the caller.

A model's provider comes from its ``provider/`` prefix, else from the catalog, else from the
naming habits of OpenAI (``gpt-``, ``o3``...) and Anthropic (``claude``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

from agenta.llm.catalog import ModelCatalog, load_catalog
from agenta.llm.errors import CredentialsError
from agenta.llm.provider_kinds import ProviderKind, provider_kind

_OPENAI_PREFIXES = ("gpt-", "o1", "o3", "o4", "chatgpt-", "text-embedding-", "davinci", "babbage")
_EMPTY: Mapping[str, Any] = MappingProxyType({})


@dataclass(frozen=True)
class ProviderCredentials:
    """How to reach one provider: its kind, key, base URL and kind-specific extras.

    ``extra`` holds e.g. Azure's ``api_version`` and ``deployment``, or ``headers`` to add.
    """

    kind: str
    api_key: str | None = None
    base_url: str | None = None
    extra: Mapping[str, Any] = field(default_factory=lambda: _EMPTY)

    def cache_key(self) -> tuple[Any, ...]:
        """Identity of the SDK client these credentials need."""
        extras = tuple(sorted((name, repr(value)) for name, value in self.extra.items()))
        return (self.kind, self.base_url, self.api_key, extras)


@dataclass(frozen=True)
class ConnectionRecord:
    """A provider connection configured in a project's vault.

    ``custom`` records are addressed by their slug (custom providers: Azure deployments, Ollama,
    vLLM...); the others are the project's key for a standard provider family. ``models``
    restricts or declares which models the connection serves.
    """

    slug: str
    kind: str
    api_key: str | None = None
    base_url: str | None = None
    models: tuple[str, ...] = ()
    extra: Mapping[str, Any] = field(default_factory=lambda: _EMPTY)
    custom: bool = False


@dataclass(frozen=True)
class ResolvedModel:
    """A model name resolved to a provider, the id the provider knows it by, and credentials."""

    name: str
    provider: str
    model_id: str
    credentials: ProviderCredentials
    connection: str | None = None


def connection_model_names(connections: Sequence[ConnectionRecord]) -> dict[str, list[str]]:
    """The models custom connections declare, as ``slug/model`` names per connection slug.

    The model picker shows these groups next to the catalog's (``ModelCatalog.groups``).
    """
    return {
        record.slug: [f"{record.slug}/{model}" for model in record.models]
        for record in connections
        if record.custom and record.models
    }


def resolve_model(
    name: str,
    *,
    connections: Sequence[ConnectionRecord] = (),
    env: Mapping[str, str] | None = None,
    connection: str | None = None,
    allow_env: bool = True,
    catalog: ModelCatalog | None = None,
) -> ResolvedModel:
    """Pick the provider and credentials for model ``name``.

    Raises ``CredentialsError`` saying what to configure when no connection serves the model.
    """
    if not name or not name.strip():
        raise CredentialsError("model name is empty", reason="unknown-provider")
    if connection:
        return _through_named_connection(name, connection, connections)
    custom = _through_custom_connection(name, connections)
    if custom is not None:
        return custom
    kind, model_id = _provider_of(name, catalog or load_catalog())
    record = _family_record(kind, model_id, connections)
    if record is not None:
        return _resolved(name, kind, model_id, record, env if allow_env else None)
    return _from_environment(name, kind, model_id, env if allow_env else None)


def _through_named_connection(
    name: str, slug: str, connections: Sequence[ConnectionRecord]
) -> ResolvedModel:
    record = next((item for item in connections if item.slug == slug), None)
    if record is None:
        raise CredentialsError(f"unknown connection {slug!r}", reason="unknown-connection")
    model_id = _strip_connection_prefix(name, record)
    if record.models and model_id not in record.models:
        served = ", ".join(record.models)
        raise CredentialsError(
            f"connection {slug!r} does not serve model {model_id!r} (it serves: {served})",
            reason="connection-model-mismatch",
        )
    return _resolved(name, _record_kind(record), model_id, record, None)


def _through_custom_connection(
    name: str, connections: Sequence[ConnectionRecord]
) -> ResolvedModel | None:
    prefix, _, rest = name.partition("/")
    for record in connections:
        if record.custom and rest and record.slug == prefix:
            model_id = _strip_connection_prefix(name, record)
            return _resolved(name, _record_kind(record), model_id, record, None)
    for record in connections:
        if record.custom and name in record.models:
            return _resolved(name, _record_kind(record), name, record, None)
    return None


def _strip_connection_prefix(name: str, record: ConnectionRecord) -> str:
    return name.removeprefix(record.slug + "/").removeprefix(record.kind + "/")


def _record_kind(record: ConnectionRecord) -> ProviderKind:
    kind = provider_kind(record.kind)
    if kind is None:
        raise CredentialsError(
            f"connection {record.slug!r} has unknown provider kind {record.kind!r}",
            reason="unknown-provider",
        )
    return kind


def _provider_of(name: str, catalog: ModelCatalog) -> tuple[ProviderKind, str]:
    prefix, _, rest = name.partition("/")
    kind = provider_kind(prefix) if rest else None
    if kind is not None:
        return kind, rest
    entry = catalog.find(name)
    if entry is not None:
        return _known_kind(entry.provider), entry.model
    lowered = name.lower()
    if lowered.startswith(_OPENAI_PREFIXES):
        return _known_kind("openai"), name
    if lowered.startswith("claude"):
        return _known_kind("anthropic"), name
    hint = f"unknown provider {prefix!r} in" if rest else "cannot tell which provider serves"
    raise CredentialsError(
        f"{hint} model {name!r}: name it as provider/model (e.g. openai/{rest or name})",
        reason="unknown-provider",
    )


def _known_kind(name: str) -> ProviderKind:
    kind = provider_kind(name)
    assert kind is not None, name  # the catalog and prefixes only name registered kinds
    return kind


def _family_record(
    kind: ProviderKind, model_id: str, connections: Sequence[ConnectionRecord]
) -> ConnectionRecord | None:
    family = [item for item in connections if not item.custom and _is_kind(item, kind)]
    listing = next((item for item in family if model_id in item.models), None)
    return listing or next((item for item in family if not item.models), None)


def _is_kind(record: ConnectionRecord, kind: ProviderKind) -> bool:
    found = provider_kind(record.kind)
    return found is not None and found.name == kind.name


def _resolved(
    name: str,
    kind: ProviderKind,
    model_id: str,
    record: ConnectionRecord,
    env: Mapping[str, str] | None,
) -> ResolvedModel:
    base_url = record.base_url or _env_value(env, kind.base_url_env) or kind.default_base_url
    credentials = ProviderCredentials(kind.name, record.api_key, base_url, record.extra)
    _check_complete(credentials, kind, name, f"connection {record.slug!r}")
    return ResolvedModel(name, kind.name, model_id, credentials, record.slug)


def _from_environment(
    name: str, kind: ProviderKind, model_id: str, env: Mapping[str, str] | None
) -> ResolvedModel:
    api_key = _env_value(env, kind.key_env)
    base_url = _env_value(env, kind.base_url_env) or kind.default_base_url
    if kind.needs_key and api_key is None:
        variable = f" or set {kind.key_env}" if kind.key_env and env is not None else ""
        raise CredentialsError(
            f"no API key for provider {kind.name!r} (model {name!r}): "
            f"add {_article(kind.label)} {kind.label} API key to the project's vault{variable}",
            reason="missing-secret",
        )
    credentials = ProviderCredentials(kind.name, api_key, base_url, _azure_env_extra(kind, env))
    _check_complete(credentials, kind, name, "the environment")
    return ResolvedModel(name, kind.name, model_id, credentials)


def _article(word: str) -> str:
    return "an" if word[:1].lower() in "aeiou" else "a"


def _azure_env_extra(kind: ProviderKind, env: Mapping[str, str] | None) -> Mapping[str, Any]:
    version = _env_value(env, "AZURE_API_VERSION") if kind.wire == "azure" else None
    return MappingProxyType({"api_version": version}) if version else _EMPTY


def _check_complete(
    credentials: ProviderCredentials, kind: ProviderKind, name: str, source: str
) -> None:
    if kind.needs_key and not credentials.api_key:
        raise CredentialsError(
            f"{source} has no API key for model {name!r}", reason="missing-secret"
        )
    if kind.needs_base_url and not credentials.base_url:
        raise CredentialsError(
            f"{source} has no base URL for model {name!r} ({kind.label} needs one)",
            reason="missing-secret",
        )


def _env_value(env: Mapping[str, str] | None, variable: str | None) -> str | None:
    if env is None or variable is None:
        return None
    value = env.get(variable, "").strip()
    return value or None
