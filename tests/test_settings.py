"""Settings from the environment: defaults, production rules, clear errors."""

from __future__ import annotations

from pathlib import Path

import pytest

from agenta.settings import Settings, SettingsError

KEY = "k" * 40


def test_the_embedded_default_keeps_everything_in_the_data_folder(tmp_path: Path) -> None:
    settings = Settings.from_env({"AGENTA_DATA_DIR": str(tmp_path)})
    assert settings.database_url == f"sqlite+aiosqlite:///{tmp_path}/agenta.db"
    assert settings.embedded and settings.is_sqlite
    assert (tmp_path / "secret_key").stat().st_mode & 0o777 == 0o600
    assert Settings.from_env({"AGENTA_DATA_DIR": str(tmp_path)}).secret_key == settings.secret_key


def test_a_postgres_url_is_spelled_for_the_async_driver() -> None:
    settings = Settings.from_env(
        {"AGENTA_DATABASE_URL": "postgres://u@db/agenta", "AGENTA_SECRET_KEY": KEY}
    )
    assert settings.database_url == "postgresql+psycopg://u@db/agenta"


def test_production_mode_requires_a_secret_key() -> None:
    with pytest.raises(SettingsError, match="AGENTA_SECRET_KEY is required in production"):
        Settings.from_env({"AGENTA_DATABASE_URL": "postgresql://db/agenta"})


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"AGENTA_PORT": "eighty"}, "AGENTA_PORT must be an integer, got 'eighty'"),
        ({"AGENTA_SECRET_KEY": "short"}, "at least 32 characters"),
        ({"AGENTA_DATABASE_URL": "mysql://db/x"}, "must be a postgresql:// or sqlite:/// URL"),
        ({"AGENTA_LOG_LEVEL": "LOUD"}, "AGENTA_LOG_LEVEL must be"),
        ({"AGENTA_OAUTH_GITHUB_CLIENT_ID": "id"}, "AGENTA_OAUTH_GITHUB_CLIENT_SECRET is required"),
        ({"AGENTA_WEBHOOKS_ALLOW_PRIVATE": "maybe"}, "must be true or false"),
        ({"AGENTA_WEBHOOKS_TIMEOUT_SECONDS": "soon"}, "must be a number of seconds, got 'soon'"),
        ({"AGENTA_WEBHOOKS_BACKOFF_BASE_SECONDS": "0"}, "must be more than 0 seconds"),
        ({"AGENTA_WEBHOOKS_BACKOFF_MAX_SECONDS": "nan"}, "must be more than 0 seconds"),
        ({"AGENTA_WEBHOOKS_MAX_ATTEMPTS": "0"}, "AGENTA_WEBHOOKS_MAX_ATTEMPTS must be at least 1"),
        ({"AGENTA_WEBHOOKS_MAX_ATTEMPTS": "21"}, "AGENTA_WEBHOOKS_MAX_ATTEMPTS must be at most 20"),
    ],
)
def test_a_malformed_setting_is_named_in_the_error(
    env: dict[str, str], message: str, tmp_path: Path
) -> None:
    with pytest.raises(SettingsError, match=message):
        Settings.from_env({"AGENTA_DATA_DIR": str(tmp_path), "AGENTA_SECRET_KEY": KEY, **env})


def test_webhook_delivery_knobs_are_read_from_the_environment(tmp_path: Path) -> None:
    settings = Settings.from_env(
        {
            "AGENTA_DATA_DIR": str(tmp_path),
            "AGENTA_WEBHOOKS_TIMEOUT_SECONDS": "2.5",
            "AGENTA_WEBHOOKS_MAX_ATTEMPTS": "3",
            "AGENTA_WEBHOOKS_BACKOFF_BASE_SECONDS": "0.5",
            "AGENTA_WEBHOOKS_BACKOFF_MAX_SECONDS": "120",
        }
    )
    assert settings.webhooks_timeout_seconds == 2.5
    assert settings.webhooks_max_attempts == 3
    assert settings.webhooks_backoff_base_seconds == 0.5
    assert settings.webhooks_backoff_max_seconds == 120.0


def test_the_public_url_defaults_to_the_bound_address(tmp_path: Path) -> None:
    settings = Settings.from_env(
        {"AGENTA_DATA_DIR": str(tmp_path), "AGENTA_HOST": "0.0.0.0", "AGENTA_PORT": "9000"}
    )
    assert settings.public_url == "http://0.0.0.0:9000"
    assert not settings.secure_cookies


def test_every_setting_is_documented_in_the_readme() -> None:
    readme = (Path(__file__).parent.parent / "README.md").read_text()
    source = (Path(__file__).parent.parent / "agenta" / "settings.py").read_text()
    import re

    names = set(
        re.findall(
            r'_(?:str|int|count|bool|base_url|seconds|attempts)\(\s*env, "([A-Z_]+)"', source
        )
    )
    names |= {f"OAUTH_{p}_CLIENT_ID" for p in ("GITHUB", "GOOGLE", "OIDC")}
    missing = sorted(n for n in names if f"AGENTA_{n}" not in readme)
    assert missing == []
