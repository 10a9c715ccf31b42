"""Provider keys from the process environment: the fallback when a project has no key.

``OPENAI_API_KEY``, ``ANTHROPIC_API_KEY`` and their siblings (with ``OPENAI_BASE_URL``,
``ANTHROPIC_BASE_URL``...) belong to whoever runs the server. They are read once, when the app
starts, into a ``ProviderEnvironment`` held by the platform (``agenta.core.secrets.runtime``),
never at import and never per request, so what a running server uses does not change under it.
Only the variables the provider kinds name are kept. An operator can switch the fallback off
(``settings.extra["env_provider_keys"] = False``), for hosted setups where every project must
bring its own keys.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

from agenta.llm.provider_kinds import PROVIDER_KINDS, ProviderKind

_EXTRA_VARIABLES = ("AZURE_API_VERSION",)


def provider_variable_names() -> tuple[str, ...]:
    """Every environment variable a provider kind reads (keys and base URLs)."""
    names: list[str] = []
    for kind in PROVIDER_KINDS.values():
        names.extend(name for name in (kind.key_env, kind.base_url_env) if name)
    return (*dict.fromkeys(names), *_EXTRA_VARIABLES)


@dataclass(frozen=True)
class ProviderEnvironment:
    """A snapshot of the provider variables, and whether calls may fall back on them."""

    variables: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))
    enabled: bool = True

    @classmethod
    def from_environ(
        cls, environ: Mapping[str, str], *, enabled: bool = True
    ) -> ProviderEnvironment:
        """Keep the non-empty provider variables of ``environ``."""
        kept = {
            name: environ[name].strip()
            for name in provider_variable_names()
            if environ.get(name, "").strip()
        }
        return cls(MappingProxyType(kept), enabled)

    def for_calls(self) -> Mapping[str, str] | None:
        """The variables to resolve models with, or ``None`` when the fallback is off."""
        return self.variables if self.enabled else None

    def provides_key_for(self, kind: ProviderKind) -> bool:
        """True when calls to ``kind`` can use a key (or base URL) from the environment."""
        if not self.enabled:
            return False
        if kind.key_env and kind.key_env in self.variables:
            return True
        return not kind.needs_key and bool(kind.base_url_env in self.variables)

    def variable_for(self, kind: ProviderKind) -> str | None:
        """The name of the variable that provides ``kind``'s key, if it is set."""
        if kind.key_env and kind.key_env in self.variables:
            return kind.key_env
        return None
