"""Secrets at rest: encrypted with a key derived per purpose from the deployment's secret key."""

from __future__ import annotations

import pytest

from agenta.crypto import DecryptionError, SecretBox, derive_key

KEY = "a-secret-key-long-enough-for-the-tests-0123456789"


def test_it_decrypts_what_it_encrypted() -> None:
    box = SecretBox(KEY, "webhooks")
    assert box.decrypt(box.encrypt("whsec_abc")) == "whsec_abc"


def test_the_token_does_not_contain_the_secret_and_differs_each_time() -> None:
    box = SecretBox(KEY, "webhooks")
    first, second = box.encrypt("whsec_abc"), box.encrypt("whsec_abc")
    assert "whsec_abc" not in first
    assert first != second


def test_a_token_of_one_purpose_does_not_open_with_another() -> None:
    token = SecretBox(KEY, "webhooks").encrypt("whsec_abc")
    with pytest.raises(DecryptionError, match="could not decrypt a stored provider-keys secret"):
        SecretBox(KEY, "provider-keys").decrypt(token)


def test_a_changed_secret_key_is_reported_as_such() -> None:
    token = SecretBox(KEY, "webhooks").encrypt("whsec_abc")
    with pytest.raises(DecryptionError, match="another AGENTA_SECRET_KEY"):
        SecretBox(KEY + "-rotated", "webhooks").decrypt(token)


def test_keys_are_stable_and_separate_per_purpose() -> None:
    assert derive_key(KEY, "webhooks") == derive_key(KEY, "webhooks")
    assert derive_key(KEY, "webhooks") != derive_key(KEY, "provider-keys")


def test_it_refuses_an_empty_secret_key() -> None:
    with pytest.raises(ValueError, match="AGENTA_SECRET_KEY"):
        SecretBox("", "webhooks")
