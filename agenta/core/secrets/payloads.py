"""Read a secret from a request body: the fields given, checked one by one, named on error.

The body has the original product's shape (agenta-behaviour.md §2.10)::

    {"header": {"name", "description"},
     "secret": {"kind": "provider_key" | "custom_provider",
                "data": {"kind": "<provider kind>",
                         "provider": {"key", "url", "version", "extras"},
                         "models": ["model" | {"slug": "model"}],
                         "provider_slug": "<slug of a custom provider>"}},
     "slug"?}

``secret`` may also be the body itself (``{"kind", "data"}``, as the SDK's models dump it).
``parse_secret_body`` keeps only what the body says: an update that omits the key (or sends it
as null) keeps the stored one, so a form can edit a connection's models without retyping its
key. Whether the result is complete (a key where the provider needs one, a base URL for a custom
endpoint) is decided later, on the merged values (``vault.settle``).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from agenta.core.secrets.models import SECRET_KINDS
from agenta.errors import AppError

MAX_KEY_LENGTH = 4096
MAX_MODELS = 500
MAX_TEXT_LENGTH = 200
MAX_EXTRAS_BYTES = 16 * 1024


@dataclass(frozen=True)
class SecretInput:
    """The fields a request gave; absent fields are not in ``given``."""

    kind: str | None = None
    given: dict[str, Any] = field(default_factory=dict)


def parse_secret_body(body: object) -> SecretInput:
    """The fields of a create or update body; a 400 names the first malformed field."""
    if not isinstance(body, Mapping):
        raise AppError("The body must be a JSON object with 'header' and 'secret'")
    secret = body.get("secret", body)
    secret = _object(secret, "secret")
    data = _object(secret.get("data", {}), "secret.data")
    provider = _object(data.get("provider", {}), "secret.data.provider")
    header = _object(body.get("header", {}), "header")
    given: dict[str, Any] = {}
    _put(given, "name", _text(header, "name", "header.name"))
    _put(given, "description", _text(header, "description", "header.description", 2000))
    _put(
        given,
        "slug",
        _text(body, "slug", "slug") or _text(data, "provider_slug", "secret.data.provider_slug"),
    )
    _put(given, "provider", _text(data, "kind", "secret.data.kind"))
    _put(given, "key", _key(provider.get("key")))
    if "url" in provider:
        given["base_url"] = _url(provider.get("url"))
    if "version" in provider:
        given["api_version"] = _text(provider, "version", "secret.data.provider.version")
    if "extras" in provider:
        given["extras"] = _extras(provider.get("extras"))
    if "models" in data:
        given["models"] = _models(data.get("models"))
    return SecretInput(kind=_kind(secret.get("kind")), given=given)


def _put(given: dict[str, Any], name: str, value: Any) -> None:
    if value is not None:
        given[name] = value


def _object(value: object, where: str) -> Mapping[str, Any]:
    if value is None:
        return {}
    if not isinstance(value, Mapping):
        raise AppError(f"{where} must be an object, got {type(value).__name__}")
    return value


def _kind(value: object) -> str | None:
    if value is None:
        return None
    if value not in SECRET_KINDS:
        raise AppError(f"secret.kind must be one of {', '.join(SECRET_KINDS)}, got {value!r}")
    return str(value)


def _text(
    data: Mapping[str, Any], name: str, where: str, limit: int = MAX_TEXT_LENGTH
) -> str | None:
    value = data.get(name)
    if value is None:
        return None
    if not isinstance(value, str):
        raise AppError(f"{where} must be a string, got {type(value).__name__}")
    value = value.strip()
    if len(value) > limit:
        raise AppError(f"{where} is longer than {limit} characters")
    return value or None


def _key(value: object) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str):
        raise AppError("secret.data.provider.key must be a string")
    value = value.strip()
    if len(value) > MAX_KEY_LENGTH:
        raise AppError(f"secret.data.provider.key is longer than {MAX_KEY_LENGTH} characters")
    if any(character.isspace() for character in value):
        raise AppError("secret.data.provider.key must not contain spaces or line breaks")
    return value or None


def _url(value: object) -> str | None:
    if value is None or value == "":
        return None
    where = "secret.data.provider.url"
    if not isinstance(value, str) or len(value) > 2000:
        raise AppError(f"{where} must be a URL of at most 2000 characters")
    value = value.strip()
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise AppError(f"{where} must be an http:// or https:// URL, got {value!r}")
    if parts.username or parts.password:
        raise AppError(f"{where} must not carry credentials: put the key in the key field")
    return value.rstrip("/")


def _extras(value: object) -> dict[str, Any]:
    where = "secret.data.provider.extras"
    if value is None:
        return {}
    if not isinstance(value, Mapping) or not all(isinstance(name, str) for name in value):
        raise AppError(f"{where} must be an object of named settings")
    extras = {name.strip(): item for name, item in value.items() if item not in (None, "")}
    if "" in extras:
        raise AppError(f"{where} has a setting without a name")
    if len(json.dumps(extras, default=str)) > MAX_EXTRAS_BYTES:
        raise AppError(f"{where} is larger than {MAX_EXTRAS_BYTES // 1024} KiB")
    return extras


def _models(value: object) -> list[str]:
    where = "secret.data.models"
    if value is None:
        return []
    if not isinstance(value, list):
        raise AppError(f"{where} must be a list of model names")
    if len(value) > MAX_MODELS:
        raise AppError(f"{where} lists more than {MAX_MODELS} models")
    names = [_model_name(item, f"{where}[{index}]") for index, item in enumerate(value)]
    return list(dict.fromkeys(name for name in names if name))


def _model_name(item: object, where: str) -> str:
    name = item.get("slug") if isinstance(item, Mapping) else item
    if not isinstance(name, str):
        raise AppError(f'{where} must be a model name or {{"slug": name}}')
    name = name.strip()
    if len(name) > MAX_TEXT_LENGTH or any(character.isspace() for character in name):
        raise AppError(
            f"{where} {name[:40]!r} is not a model name (no spaces, at most 200 characters)"
        )
    return name


def parse_model_list(text: str) -> list[str]:
    """Model names typed in a form: separated by commas or line breaks."""
    pieces = text.replace(",", "\n").splitlines()
    return _models([piece.strip() for piece in pieces if piece.strip()])
