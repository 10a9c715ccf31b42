"""The OAuth layer's per-process state: the OpenID Connect discovery cache.

One ``OidcDirectory`` lives in ``platform.services["oauth"]``, created on first use, so every
request of the process shares the discovered endpoints and key sets.
"""

from __future__ import annotations

from agenta.core.oauth.discovery import OidcDirectory
from agenta.platform import Platform

SERVICE_NAME = "oauth"


def oidc_directory(platform: Platform) -> OidcDirectory:
    """This process's discovery cache."""
    directory = platform.services.get(SERVICE_NAME)
    if directory is None:
        directory = OidcDirectory()
        platform.services[SERVICE_NAME] = directory
    return directory  # type: ignore[no-any-return]
