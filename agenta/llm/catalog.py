"""The model catalog: which models each provider offers, and what they cost.

The data lives in ``models.json`` next to this module (shipped as package data) so that updating a
price or adding a model is a data change. The file is read once, on first use, not at import.

Catalog names are what the model picker offers and what prompt configs store: OpenAI models by
their bare name (``gpt-4o-mini``, the historical default), every other provider as
``provider/model`` (``anthropic/claude-sonnet-4-5``). Bare names of other providers' models are
still recognised by ``find`` so older configs keep working.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

from agenta.llm.provider_kinds import provider_kind

_DATA_FILE = "models.json"


@dataclass(frozen=True)
class ModelPrice:
    """USD per million tokens. Cache reads/writes default to the input price when unknown."""

    input: float
    output: float
    cached_input: float | None = None
    cache_write: float | None = None

    @classmethod
    def from_mapping(cls, data: Mapping[str, Any], where: str) -> ModelPrice:
        """Read a price from ``{"input", "output", "cached_input"?, "cache_write"?}``.

        Raises ``ValueError`` naming ``where`` and the field when a price is missing or negative.
        """
        values: dict[str, float | None] = {}
        for name in ("input", "output", "cached_input", "cache_write"):
            values[name] = _price_field(data, name, where, required=name in ("input", "output"))
        return cls(**values)  # type: ignore[arg-type]


def _price_field(data: Mapping[str, Any], name: str, where: str, *, required: bool) -> float | None:
    value = data.get(name)
    if value is None:
        if required:
            raise ValueError(f"{where}.{name}: is required (USD per million tokens)")
        return None
    is_number = isinstance(value, int | float) and not isinstance(value, bool)
    if not is_number or value < 0 or not math.isfinite(value):
        raise ValueError(f"{where}.{name}: must be a non-negative number, got {value!r}")
    return float(value)


@dataclass(frozen=True)
class CatalogEntry:
    """One known model: its provider, the id the provider knows it by, its use and price."""

    provider: str
    model: str
    price: ModelPrice
    kind: str = "chat"

    @property
    def name(self) -> str:
        """The name the model picker offers and prompt configs store."""
        return self.model if self.provider == "openai" else f"{self.provider}/{self.model}"


class ModelCatalog:
    """Lookup over a list of catalog entries (first entry wins on duplicate names)."""

    def __init__(self, entries: Iterable[CatalogEntry]) -> None:
        self._entries = tuple(entries)
        self._by_provider: dict[tuple[str, str], CatalogEntry] = {}
        self._by_bare_name: dict[str, CatalogEntry] = {}
        for entry in self._entries:
            self._by_provider.setdefault((entry.provider, entry.model), entry)
            self._by_bare_name.setdefault(entry.model, entry)

    @property
    def entries(self) -> tuple[CatalogEntry, ...]:
        """Every entry, in file order."""
        return self._entries

    def get(self, provider: str, model: str) -> CatalogEntry | None:
        """The entry for ``model`` as served by ``provider``, if known."""
        return self._by_provider.get((provider, model))

    def find(self, name: str) -> CatalogEntry | None:
        """The entry a model name refers to: ``provider/model``, or a bare known model name."""
        prefix, _, rest = name.partition("/")
        kind = provider_kind(prefix) if rest else None
        if kind is not None:
            found = self.get(kind.name, rest)
            if found is not None:
                return found
        return self._by_bare_name.get(name)

    def groups(self, kind: str = "chat") -> dict[str, list[str]]:
        """Model names per provider, for a grouped model picker."""
        grouped: dict[str, list[str]] = {}
        for entry in self._entries:
            if entry.kind == kind:
                grouped.setdefault(entry.provider, []).append(entry.name)
        return grouped


def parse_catalog(data: Mapping[str, Any]) -> ModelCatalog:
    """Build a catalog from the ``models.json`` structure."""
    entries = []
    for provider, group in data["providers"].items():
        for model, details in group["models"].items():
            where = f"providers.{provider}.models.{model}"
            price = ModelPrice.from_mapping(details, where)
            entries.append(CatalogEntry(provider, model, price, details.get("kind", "chat")))
    return ModelCatalog(entries)


@cache
def load_catalog() -> ModelCatalog:
    """The catalog shipped with the package (read on first call, then reused)."""
    text = resources.files("agenta.llm").joinpath(_DATA_FILE).read_text(encoding="utf-8")
    return parse_catalog(json.loads(text))
