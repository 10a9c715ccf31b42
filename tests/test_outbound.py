"""The outbound HTTP seam: real requests to a local server, and the SSRF refusals."""

from __future__ import annotations

import contextlib
import ipaddress
import socket
import ssl
import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from agenta.outbound import OutboundError, post_json, private_address_problem
from tests.core.evaluators.local_http import (
    CannedResponse,
    LocalHTTPServer,
    RecordedRequest,
    json_response,
)


def echo_host(request: RecordedRequest) -> CannedResponse:
    return json_response({"host": request.headers["host"], "received": request.json()})


async def test_it_posts_json_to_an_allowed_local_server_and_returns_the_answer() -> None:
    with LocalHTTPServer(echo_host) as server:
        response = await post_json(server.url(), {"a": 1}, allow_private=True)
    assert response.status_code == 200
    assert response.json() == {"host": f"127.0.0.1:{server.port}", "received": {"a": 1}}
    assert server.requests[0].headers["content-type"] == "application/json"


async def test_it_keeps_the_host_name_in_the_host_header_when_pinning_the_ip() -> None:
    with LocalHTTPServer(echo_host) as server:
        response = await post_json(server.url(host="localhost"), {}, allow_private=True)
    assert response.json()["host"] == f"localhost:{server.port}"


async def test_it_sends_extra_headers() -> None:
    with LocalHTTPServer(lambda request: json_response(request.headers)) as server:
        response = await post_json(
            server.url(), {}, allow_private=True, headers={"x-signature": "abc"}
        )
    assert response.json()["x-signature"] == "abc"


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:9/hook",
        "http://10.1.2.3/hook",
        "http://172.16.0.1/hook",
        "http://192.168.1.1/hook",
        "http://169.254.169.254/latest/meta-data",
        "http://[::1]/hook",
        "http://[::ffff:127.0.0.1]/hook",
        "http://[fe80::1]/hook",
        "http://0.0.0.0/hook",
        "http://100.64.0.1/hook",
        "http://224.0.0.1/hook",
        "http://localhost/hook",
    ],
)
async def test_it_refuses_private_and_loopback_destinations(url: str) -> None:
    with pytest.raises(OutboundError, match="refused to connect"):
        await post_json(url, {}, timeout=2)


async def test_it_refuses_a_local_server_unless_private_addresses_are_allowed() -> None:
    with LocalHTTPServer(echo_host) as server, pytest.raises(OutboundError, match="loopback"):
        await post_json(server.url(), {})
    assert server.requests == []


@pytest.mark.parametrize(
    "url", ["ftp://example.com/x", "file:///etc/passwd", "gopher://example.com/", "example.com"]
)
async def test_it_refuses_schemes_other_than_http_and_https(url: str) -> None:
    with pytest.raises(OutboundError, match="only http and https"):
        await post_json(url, {})


async def test_it_refuses_an_unresolvable_host() -> None:
    with pytest.raises(OutboundError, match="could not resolve"):
        await post_json("http://no-such-host.invalid/hook", {})


async def test_it_does_not_follow_redirects() -> None:
    redirect = CannedResponse(status=302, body=b"", headers={"location": "http://10.0.0.1/"})
    with LocalHTTPServer(lambda request: redirect) as server:
        response = await post_json(server.url(), {}, allow_private=True)
    assert response.status_code == 302
    assert len(server.requests) == 1


async def test_it_refuses_a_response_declared_larger_than_the_cap() -> None:
    big = CannedResponse(body=b"x" * 5000)
    server = LocalHTTPServer(lambda request: big)
    with server, pytest.raises(OutboundError, match="larger than the 1000-byte limit"):
        await post_json(server.url(), {}, allow_private=True, max_bytes=1000)


async def test_it_stops_reading_an_undeclared_body_past_the_cap() -> None:
    big = CannedResponse(body=b"x" * 50_000, declare_length=False)
    server = LocalHTTPServer(lambda request: big)
    with server, pytest.raises(OutboundError, match="larger than the 1000-byte limit"):
        await post_json(server.url(), {}, allow_private=True, max_bytes=1000)


async def test_it_gives_up_on_a_slow_server() -> None:
    slow = CannedResponse(delay_seconds=2)
    server = LocalHTTPServer(lambda request: slow)
    with server, pytest.raises(OutboundError, match=r"within 0.3 s"):
        await post_json(server.url(), {}, allow_private=True, timeout=0.3)


async def test_it_reports_a_refused_connection_readably() -> None:
    with LocalHTTPServer(echo_host) as server:
        port = server.port
    with pytest.raises(OutboundError, match=r"could not reach 127\.0\.0\.1"):
        await post_json(f"http://127.0.0.1:{port}/", {}, allow_private=True)


async def test_it_reports_a_body_that_is_not_json() -> None:
    with LocalHTTPServer(lambda request: CannedResponse(body=b"<html>")) as server:
        response = await post_json(server.url(), {}, allow_private=True)
    with pytest.raises(OutboundError, match="not valid JSON"):
        response.json()


@pytest.mark.parametrize(
    "address",
    ["8.8.8.8", "2606:4700:4700::1111", "93.184.216.34"],
)
def test_it_considers_public_addresses_fine(address: str) -> None:
    assert private_address_problem(ipaddress.ip_address(address)) is None


@pytest.mark.parametrize(
    "address",
    ["2002:a00:1::1", "64:ff9b::a00:1", "::ffff:169.254.169.254", "fc00::1", "::"],
)
def test_it_sees_private_ipv4_addresses_wrapped_in_ipv6(address: str) -> None:
    assert private_address_problem(ipaddress.ip_address(address)) is not None


def self_signed_certificate(directory: Path) -> tuple[Path, Path]:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")])
    now = datetime.now(UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(days=1))
        .not_valid_after(now + timedelta(days=1))
        .add_extension(x509.SubjectAlternativeName([x509.DNSName("localhost")]), critical=False)
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = directory / "cert.pem", directory / "key.pem"
    cert_path.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return cert_path, key_path


async def test_it_sends_the_host_name_as_tls_server_name_when_pinning_the_ip(
    tmp_path: Path,
) -> None:
    cert_path, key_path = self_signed_certificate(tmp_path)
    server_names: list[str | None] = []
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert_path, key_path)
    context.sni_callback = lambda sock, name, ctx: server_names.append(name)

    def handshake_once(listener: socket.socket) -> None:
        connection, _address = listener.accept()
        with contextlib.suppress(OSError), context.wrap_socket(connection, server_side=True):
            pass

    with socket.create_server(("127.0.0.1", 0)) as listener:
        thread = threading.Thread(target=handshake_once, args=(listener,), daemon=True)
        thread.start()
        port = listener.getsockname()[1]
        # The certificate is self-signed, so verification fails after the server name was sent.
        with pytest.raises(OutboundError, match="CERTIFICATE_VERIFY_FAILED"):
            await post_json(f"https://localhost:{port}/hook", {}, allow_private=True, timeout=3)
        thread.join(timeout=3)
    assert server_names == ["localhost"]
