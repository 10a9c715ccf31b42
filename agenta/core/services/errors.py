"""The typed errors an invocation answers with, in the ``status`` of its response.

Every failure of an invocation becomes one ``ServiceFailure``: an HTTP code, a type from the
original product's catalog (agenta-behaviour.md §3.7, spelled
``https://agenta.ai/docs/misc/errors#v0:<area>:<name>``) and a message saying what is wrong
and where. ``failure_from`` maps the LLM layer's errors onto it:

- a bad prompt config, bad inputs or a template that does not render: 400;
- no usable provider key or connection: 400 (``schemas:missing-secret`` and siblings);
- the provider refused (401, 403) or rate-limited (429) the call: 424, so a caller never takes
  the provider's refusal for Agenta's own; a provider that never answered: 503; any other
  provider status is passed on.

Messages never carry a credential: ``scrub`` blanks every key the invocation used, in case a
provider echoed one back. Unexpected errors are answered without their internals (they are
logged instead).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from agenta.llm import (
    CredentialsError,
    InputsError,
    PromptConfigError,
    ProviderError,
    TemplateError,
    api_status_for,
)

log = logging.getLogger("agenta.services")

ERRORS_URL = "https://agenta.ai/docs/misc/errors#v0:"

_CREDENTIAL_TYPES = {
    "missing-secret": "schemas:missing-secret",
    "unknown-connection": "schemas:unknown-connection",
    "connection-model-mismatch": "schemas:connection-model-mismatch",
    "unknown-provider": "schemas:invalid-secrets",
}


class ServiceFailure(Exception):
    """An invocation failed: ``code`` is the HTTP status, ``kind`` the catalog type."""

    def __init__(self, code: int, kind: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.kind = kind
        self.message = message

    @property
    def type_url(self) -> str:
        """The error type as the original product spells it."""
        return ERRORS_URL + self.kind

    def status(self) -> dict[str, Any]:
        """The ``status`` object of an error response."""
        return {"code": self.code, "type": self.type_url, "message": self.message}

    def scrubbed(self, secrets: Iterable[str]) -> ServiceFailure:
        """The same failure with every one of ``secrets`` blanked from its message."""
        return ServiceFailure(self.code, self.kind, scrub(self.message, secrets))


def scrub(text: str, secrets: Iterable[str]) -> str:
    """``text`` with each secret (of a plausible length) replaced by an ellipsis."""
    for secret in secrets:
        if secret and len(secret) >= 6:
            text = text.replace(secret, "…")
    return text


@dataclass(frozen=True)
class _Mapping:
    code: int
    kind: str


def failure_from(error: Exception) -> ServiceFailure:
    """The typed failure for an error raised while preparing or making the call."""
    if isinstance(error, ServiceFailure):
        return error
    if isinstance(error, ProviderError):
        return _provider_failure(error)
    mapping = _mapping_of(error)
    if mapping is None:
        log.error("invocation failed unexpectedly", exc_info=error)
        return ServiceFailure(500, "workflows:unknown-invoke-error", "The invocation failed")
    return ServiceFailure(mapping.code, mapping.kind, str(error))


def _mapping_of(error: Exception) -> _Mapping | None:
    if isinstance(error, CredentialsError):
        return _Mapping(400, _CREDENTIAL_TYPES.get(error.reason, "schemas:invalid-secrets"))
    if isinstance(error, PromptConfigError):
        return _Mapping(400, "schemas:invalid-parameters")
    if isinstance(error, InputsError):
        return _Mapping(400, "schemas:missing-input" if error.missing else "schemas:invalid-inputs")
    if isinstance(error, TemplateError):
        return _Mapping(400, "workflows:prompt-formatting-error")
    return None


def _provider_failure(error: ProviderError) -> ServiceFailure:
    code = api_status_for(error)
    kind = "workflows:llm-unavailable" if error.status is None else "workflows:llm-error"
    where = f"{error.provider}/{error.model}" if error.model else error.provider
    answered = f"answered {error.status}" if error.status is not None else "did not answer"
    return ServiceFailure(code, kind, f"The model provider {where} {answered}: {error.message}")


def missing_parameter(path: str, expected: str) -> ServiceFailure:
    """A required configuration parameter is absent."""
    return ServiceFailure(400, "schemas:missing-parameter", f"{path} is required: {expected}")


def invalid_inputs(message: str) -> ServiceFailure:
    """The inputs of the request are not usable."""
    return ServiceFailure(400, "schemas:invalid-inputs", message)


def invalid_request(message: str) -> ServiceFailure:
    """The request body itself is malformed."""
    return ServiceFailure(400, "interface:invalid-request", message)
