"""Why an OAuth log-in failed: one exception carrying a message for the user and a log reason.

``OAuthLoginError`` is an ``AppError``, so its status and message reach the user as the usual
error page (or JSON). ``reason`` is a short fixed code (``state_mismatch``, ``unverified_email``,
…) meant for the log: the log line names the provider and the reason and never a code, token or
state value, which is why messages and reasons are built only from fixed words and provider names.
"""

from __future__ import annotations

from agenta.errors import AppError


class OAuthLoginError(AppError):
    """A log-in through a provider that cannot go on; ``reason`` is a code safe to log."""

    def __init__(self, message: str, *, reason: str, status_code: int = 400) -> None:
        super().__init__(message, status_code=status_code)
        self.reason = reason


def state_mismatch(cause: str) -> OAuthLoginError:
    """The callback does not belong to a log-in this browser started (or it is too old)."""
    return OAuthLoginError(
        f"This log-in could not be verified ({cause}). Start again from the log-in page.",
        reason="state_mismatch",
    )


def provider_unreachable(label: str) -> OAuthLoginError:
    """The provider did not answer, or answered something unusable."""
    return OAuthLoginError(
        f"{label} could not be reached or gave an unusable answer; try again later.",
        reason="provider_unavailable",
        status_code=502,
    )
