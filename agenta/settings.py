"""Settings: one typed, immutable object read from the environment once.

Every knob is an ``AGENTA_*`` environment variable. Defaults are laptop-friendly: with nothing set,
data lives in SQLite under ``./.agenta`` and jobs run in-process ("embedded mode"). Setting
``AGENTA_DATABASE_URL`` to Postgres and ``AGENTA_REDIS_URL`` switches to production mode, where a
secret key must be given explicitly because several processes have to share it.

``Settings.from_env`` is the only place that reads ``os.environ`` for our own settings; code
receives the object as an argument (the app factory hands it to the ``Platform``).
"""

from __future__ import annotations

import logging
import os
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)

PREFIX = "AGENTA_"
# More tries than this only keeps a dead receiver's deliveries around for days.
WEBHOOKS_MAX_ATTEMPTS_LIMIT = 20


class SettingsError(ValueError):
    """A setting is missing or malformed; the message names the variable."""


def _str(env: Mapping[str, str], name: str, default: str | None = None) -> str | None:
    value = env.get(PREFIX + name)
    if value is None or value.strip() == "":
        return default
    return value.strip()


def _int(env: Mapping[str, str], name: str, default: int) -> int:
    raw = _str(env, name)
    if raw is None:
        return default
    try:
        return int(raw)
    except ValueError as exc:
        raise SettingsError(f"{PREFIX}{name} must be an integer, got {raw!r}") from exc


def _count(env: Mapping[str, str], name: str, default: int) -> int:
    """A positive integer (a size or a limit, where 0 would stop the feature dead)."""
    value = _int(env, name, default)
    if value < 1:
        raise SettingsError(f"{PREFIX}{name} must be at least 1, got {value}")
    return value


def _seconds(env: Mapping[str, str], name: str, default: float) -> float:
    """A positive duration in seconds (fractions allowed)."""
    raw = _str(env, name)
    if raw is None:
        return default
    try:
        value = float(raw)
    except ValueError as exc:
        raise SettingsError(f"{PREFIX}{name} must be a number of seconds, got {raw!r}") from exc
    if not value > 0:
        raise SettingsError(f"{PREFIX}{name} must be more than 0 seconds, got {raw!r}")
    return value


def _attempts(env: Mapping[str, str], name: str, default: int) -> int:
    value = _count(env, name, default)
    if value > WEBHOOKS_MAX_ATTEMPTS_LIMIT:
        raise SettingsError(
            f"{PREFIX}{name} must be at most {WEBHOOKS_MAX_ATTEMPTS_LIMIT}, got {value}"
        )
    return value


def _bool(env: Mapping[str, str], name: str, default: bool) -> bool:
    raw = _str(env, name)
    if raw is None:
        return default
    lowered = raw.lower()
    if lowered in {"1", "true", "yes", "on"}:
        return True
    if lowered in {"0", "false", "no", "off"}:
        return False
    raise SettingsError(f"{PREFIX}{name} must be true or false, got {raw!r}")


def _normalise_database_url(url: str) -> str:
    """Accept the URL spellings people paste and turn them into our async drivers."""
    for prefix in ("postgres://", "postgresql://", "postgresql+asyncpg://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    if url.startswith("sqlite:///"):
        return "sqlite+aiosqlite:///" + url[len("sqlite:///") :]
    return url


@dataclass(frozen=True)
class OAuthClient:
    """Client credentials of one OAuth/OIDC provider."""

    client_id: str
    client_secret: str
    discovery_url: str | None = None
    name: str | None = None


@dataclass(frozen=True)
class Settings:
    """Everything the platform can be configured with. Build it with ``Settings.from_env``."""

    data_dir: Path = Path(".agenta")
    database_url: str = ""
    redis_url: str | None = None
    secret_key: str = ""
    public_url: str = "http://127.0.0.1:8000"
    host: str = "127.0.0.1"
    port: int = 8000
    log_level: str = "INFO"
    forwarded_allow_ips: str = "127.0.0.1"
    job_concurrency: int = 8
    job_poll_interval: float = 0.5
    job_lease_seconds: float = 30.0
    # Pages load the bundled htmx unless a CDN is configured: a CDN that hangs holds every
    # page blank until the browser gives up on it, and self-hosted users may not want it called.
    htmx_cdn_url: str | None = None
    tracing_otlp_max_bytes: int = 10 * 1024 * 1024
    tracing_queue_max_batches: int = 10_000
    tracing_batch_max_spans: int = 5_000
    tracing_batch_max_exports: int = 50
    testset_max_bytes: int = 50 * 1024 * 1024
    testset_max_rows: int = 100_000
    webhooks_allow_private: bool = False
    webhooks_timeout_seconds: float = 10.0
    webhooks_max_attempts: int = 8
    webhooks_backoff_base_seconds: float = 30.0
    webhooks_backoff_max_seconds: float = 3600.0
    signup_enabled: bool = True
    oauth_github: OAuthClient | None = None
    oauth_google: OAuthClient | None = None
    oauth_oidc: OAuthClient | None = None
    oauth_github_url: str = "https://github.com"
    oauth_github_api_url: str = "https://api.github.com"
    smtp_url: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")

    @property
    def embedded(self) -> bool:
        """True when jobs run in-process (no Redis configured)."""
        return self.redis_url is None

    @property
    def secure_cookies(self) -> bool:
        return self.public_url.startswith("https://")

    def with_overrides(self, **changes: Any) -> Settings:
        """A copy with some fields replaced (used by tests and the CLI flags)."""
        return replace(self, **changes)

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Settings:
        """Read every ``AGENTA_*`` variable once and validate it."""
        env = os.environ if environ is None else environ
        data_dir = Path(_str(env, "DATA_DIR", ".agenta") or ".agenta")
        database_url = _str(env, "DATABASE_URL")
        explicit_database = database_url is not None
        if database_url is None:
            database_url = f"sqlite+aiosqlite:///{(data_dir / 'agenta.db').as_posix()}"
        database_url = _normalise_database_url(database_url)
        if not database_url.startswith(("sqlite+aiosqlite://", "postgresql+psycopg://")):
            raise SettingsError(
                f"{PREFIX}DATABASE_URL must be a postgresql:// or sqlite:/// URL, "
                f"got {database_url.split('://')[0]}://…"
            )
        redis_url = _str(env, "REDIS_URL")
        production = redis_url is not None or (
            explicit_database and database_url.startswith("postgresql")
        )
        secret_key = _str(env, "SECRET_KEY")
        if secret_key is None:
            if production:
                raise SettingsError(
                    f"{PREFIX}SECRET_KEY is required in production mode "
                    f"({PREFIX}DATABASE_URL or {PREFIX}REDIS_URL is set)"
                )
            secret_key = _embedded_secret_key(data_dir)
        if len(secret_key) < 32:
            raise SettingsError(f"{PREFIX}SECRET_KEY must be at least 32 characters long")
        log_level = (_str(env, "LOG_LEVEL", "INFO") or "INFO").upper()
        if log_level not in {"DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"}:
            raise SettingsError(f"{PREFIX}LOG_LEVEL must be DEBUG, INFO, WARNING or ERROR")
        host = _str(env, "HOST", "127.0.0.1") or "127.0.0.1"
        port = _int(env, "PORT", 8000)
        htmx_cdn = _str(env, "HTMX_CDN_URL", cls.htmx_cdn_url)
        # The unprefixed name is what earlier releases read.
        legacy_otlp_max_bytes = _count(env, "OTLP_MAX_BYTES", cls.tracing_otlp_max_bytes)
        return cls(
            data_dir=data_dir,
            database_url=database_url,
            redis_url=redis_url,
            secret_key=secret_key,
            public_url=(_str(env, "PUBLIC_URL") or f"http://{host}:{port}").rstrip("/"),
            host=host,
            port=port,
            log_level=log_level,
            forwarded_allow_ips=_str(env, "FORWARDED_ALLOW_IPS", "127.0.0.1") or "127.0.0.1",
            job_concurrency=_int(env, "JOB_CONCURRENCY", 8),
            job_lease_seconds=float(_int(env, "JOB_LEASE_SECONDS", 30)),
            htmx_cdn_url=None if htmx_cdn in {"off", "none"} else htmx_cdn,
            tracing_otlp_max_bytes=_count(env, "TRACING_OTLP_MAX_BYTES", legacy_otlp_max_bytes),
            tracing_queue_max_batches=_count(
                env, "TRACING_QUEUE_MAX_BATCHES", cls.tracing_queue_max_batches
            ),
            tracing_batch_max_spans=_count(
                env, "TRACING_BATCH_MAX_SPANS", cls.tracing_batch_max_spans
            ),
            tracing_batch_max_exports=_count(
                env, "TRACING_BATCH_MAX_EXPORTS", cls.tracing_batch_max_exports
            ),
            testset_max_bytes=_int(env, "TESTSET_MAX_BYTES", 50 * 1024 * 1024),
            testset_max_rows=_int(env, "TESTSET_MAX_ROWS", 100_000),
            webhooks_allow_private=_bool(env, "WEBHOOKS_ALLOW_PRIVATE", False),
            webhooks_timeout_seconds=_seconds(
                env, "WEBHOOKS_TIMEOUT_SECONDS", cls.webhooks_timeout_seconds
            ),
            webhooks_max_attempts=_attempts(
                env, "WEBHOOKS_MAX_ATTEMPTS", cls.webhooks_max_attempts
            ),
            webhooks_backoff_base_seconds=_seconds(
                env, "WEBHOOKS_BACKOFF_BASE_SECONDS", cls.webhooks_backoff_base_seconds
            ),
            webhooks_backoff_max_seconds=_seconds(
                env, "WEBHOOKS_BACKOFF_MAX_SECONDS", cls.webhooks_backoff_max_seconds
            ),
            signup_enabled=_bool(env, "SIGNUP_ENABLED", True),
            oauth_github=_oauth(env, "GITHUB"),
            oauth_google=_oauth(
                env, "GOOGLE", "https://accounts.google.com/.well-known/openid-configuration"
            ),
            oauth_oidc=_oauth(env, "OIDC"),
            oauth_github_url=_base_url(env, "OAUTH_GITHUB_URL", cls.oauth_github_url),
            oauth_github_api_url=_base_url(env, "OAUTH_GITHUB_API_URL", cls.oauth_github_api_url),
            smtp_url=_str(env, "SMTP_URL"),
        )


def _oauth(
    env: Mapping[str, str], provider: str, discovery: str | None = None
) -> OAuthClient | None:
    client_id = _str(env, f"OAUTH_{provider}_CLIENT_ID")
    if client_id is None:
        return None
    client_secret = _str(env, f"OAUTH_{provider}_CLIENT_SECRET")
    if client_secret is None:
        raise SettingsError(
            f"{PREFIX}OAUTH_{provider}_CLIENT_SECRET is required "
            f"with {PREFIX}OAUTH_{provider}_CLIENT_ID"
        )
    discovery_url = _str(env, f"OAUTH_{provider}_DISCOVERY_URL", discovery)
    if provider == "OIDC" and discovery_url is None:
        raise SettingsError(f"{PREFIX}OAUTH_OIDC_DISCOVERY_URL is required for the OIDC provider")
    name = _str(env, f"OAUTH_{provider}_NAME")
    return OAuthClient(client_id, client_secret, discovery_url, name)


def _base_url(env: Mapping[str, str], name: str, default: str) -> str:
    """An http(s) base URL without its trailing slash (GitHub Enterprise, or a test server)."""
    url = (_str(env, name, default) or default).rstrip("/")
    if not url.startswith(("http://", "https://")):
        raise SettingsError(f"{PREFIX}{name} must be an http:// or https:// URL, got {url!r}")
    return url


def _embedded_secret_key(data_dir: Path) -> str:
    """Generate the embedded-mode key once and keep it in the data folder."""
    path = data_dir / "secret_key"
    if path.exists():
        return path.read_text().strip()
    data_dir.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(48)
    path.write_text(key)
    path.chmod(0o600)
    log.warning(
        "No %sSECRET_KEY set: generated one into %s. Set it explicitly in production.",
        PREFIX,
        path,
    )
    return key
