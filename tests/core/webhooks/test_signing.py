"""The signature recipe: what a receiver computes to trust a delivery."""

from __future__ import annotations

import hashlib
import hmac

from agenta.core.webhooks.signing import generate_secret, signature_header, verify_signature

SECRET = "whsec_test"
BODY = b'{"data":{},"id":"e1","type":"app.created"}'
NOW = 1_790_000_000


def test_the_header_is_an_hmac_sha256_of_timestamp_dot_body() -> None:
    header = signature_header(SECRET, BODY, timestamp=NOW)
    expected = hmac.new(SECRET.encode(), f"{NOW}.".encode() + BODY, hashlib.sha256).hexdigest()
    assert header == f"t={NOW},v1={expected}"


def test_a_receiver_accepts_an_untouched_delivery() -> None:
    header = signature_header(SECRET, BODY, timestamp=NOW)
    assert verify_signature(SECRET, header, BODY, now=NOW + 10)


def test_a_receiver_rejects_a_changed_body() -> None:
    header = signature_header(SECRET, BODY, timestamp=NOW)
    assert not verify_signature(SECRET, header, BODY.replace(b"e1", b"e2"), now=NOW)


def test_a_receiver_rejects_another_secret() -> None:
    header = signature_header(SECRET, BODY, timestamp=NOW)
    assert not verify_signature("whsec_other", header, BODY, now=NOW)


def test_a_receiver_rejects_a_replay_older_than_the_tolerance() -> None:
    header = signature_header(SECRET, BODY, timestamp=NOW)
    assert not verify_signature(SECRET, header, BODY, now=NOW + 301)


def test_any_matching_v1_is_enough_during_a_secret_rotation() -> None:
    header = signature_header(SECRET, BODY, timestamp=NOW)
    rotated = header.replace("v1=", "v1=deadbeef,v1=")
    assert verify_signature(SECRET, rotated, BODY, now=NOW)


def test_a_malformed_header_is_rejected() -> None:
    for header in ["", "v1=abc", "t=abc,v1=abc", f"t={NOW}"]:
        assert not verify_signature(SECRET, header, BODY, now=NOW)


def test_secrets_are_long_random_and_prefixed() -> None:
    first, second = generate_secret(), generate_secret()
    assert first.startswith("whsec_") and len(first) > 40
    assert first != second
