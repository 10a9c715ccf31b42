"""How a stored connection is shown to API callers and pages: everything but its secrets.

The shape follows the original product's public secret response, so the official SDK's served
workflows can read ``GET /api/secrets/``: ``{id, slug, kind, header, data, lifecycle,
write_only, value_status}``. ``write_only`` is always true and ``data.provider.key`` always
null: the SDK then drops the record and falls back on its own environment rather than calling a
provider with a masked key. ``value_status`` says whether a key is stored and shows its last
characters (``preview``), and names the extra settings without their values.
"""

from __future__ import annotations

from typing import Any

from agenta.core.secrets.models import ProviderSecret


def public_record(secret: ProviderSecret) -> dict[str, Any]:
    """The connection as the API returns it, with no credential in it."""
    data: dict[str, Any] = {
        "kind": secret.provider,
        "provider": {"key": None, "url": secret.base_url, "version": secret.api_version},
        "models": [{"slug": model} for model in secret.models or []],
    }
    if secret.is_custom:
        data["provider_slug"] = secret.slug
        data["model_keys"] = [f"{secret.slug}/{model}" for model in secret.models or []]
    return {
        "id": str(secret.id),
        "slug": secret.slug,
        "kind": secret.kind,
        "header": {"name": secret.name, "description": secret.description},
        "data": data,
        "write_only": True,
        "value_status": {
            "configured": bool(secret.key_hint or secret.extra_names),
            "preview": secret.key_hint or None,
            "extras": list(secret.extra_names or []),
        },
        "lifecycle": {
            "created_at": secret.created_at.isoformat(),
            "updated_at": secret.updated_at.isoformat() if secret.updated_at else None,
            "created_by_id": str(secret.created_by_id) if secret.created_by_id else None,
            "updated_by_id": str(secret.updated_by_id) if secret.updated_by_id else None,
        },
    }
