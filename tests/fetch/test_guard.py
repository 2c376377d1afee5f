"""The private-network guard: the policy itself, and enforcement at connect time."""

from __future__ import annotations

import ipaddress
import shutil
import ssl
import subprocess
from pathlib import Path

import pytest

from archiver.errors import BlockedAddressError, FetchError
from archiver.fetch import AddressPolicy, Fetcher, GuardedTransport
from tests.fetch.helpers import quick
from tests.localsite import LocalSite

BLOCKED = [
    "127.0.0.1",
    "127.255.0.9",
    "10.1.2.3",
    "172.16.0.1",
    "192.168.1.1",
    "169.254.169.254",  # cloud metadata
    "100.64.0.1",  # CGNAT
    "0.0.0.0",
    "224.0.0.1",
    "240.0.0.1",
    "255.255.255.255",
    "::1",
    "::",
    "fc00::1",
    "fd12:3456::1",
    "fe80::1",
    "fec0::1",
    "ff02::1",
    "::ffff:127.0.0.1",
    "::ffff:10.0.0.1",
    "::ffff:169.254.169.254",
    "::127.0.0.1",  # IPv4-compatible
    "64:ff9b::7f00:1",  # NAT64 of 127.0.0.1
    "2002:7f00:1::1",  # 6to4 of 127.0.0.1
]
ALLOWED = ["8.8.8.8", "1.1.1.1", "93.184.216.34", "2606:4700:4700::1111", "::ffff:8.8.8.8"]


@pytest.mark.parametrize("address", BLOCKED)
def test_default_policy_blocks_non_public_addresses(address: str) -> None:
    assert AddressPolicy().is_blocked(ipaddress.ip_address(address))


@pytest.mark.parametrize("address", ALLOWED)
def test_default_policy_allows_public_addresses(address: str) -> None:
    assert not AddressPolicy().is_blocked(ipaddress.ip_address(address))


def test_custom_and_permissive_policies() -> None:
    only = AddressPolicy(blocked=["127.0.0.2/32"])
    assert only.is_blocked(ipaddress.ip_address("127.0.0.2"))
    assert only.is_blocked(ipaddress.ip_address("::ffff:127.0.0.2"))
    assert not only.is_blocked(ipaddress.ip_address("127.0.0.1"))
    everything = AddressPolicy.allow_all()
    assert not any(everything.is_blocked(ipaddress.ip_address(a)) for a in BLOCKED)


@pytest.mark.anyio
@pytest.mark.parametrize(
    ("host", "shown"),
    [
        ("127.0.0.1", "127.0.0.1"),
        ("localhost", "127.0.0.1"),
        ("127.1", "127.0.0.1"),
        ("0x7f000001", "127.0.0.1"),
        ("2130706433", "127.0.0.1"),
        ("[::ffff:127.0.0.1]", "::ffff:127.0.0.1"),
    ],
)
async def test_default_fetcher_refuses_loopback_in_any_disguise(
    site: LocalSite, host: str, shown: str
) -> None:
    site.set("/", "secret")

    async with Fetcher(quick(allow_private_networks=False)) as fetcher:
        with pytest.raises(BlockedAddressError) as caught:
            await fetcher.fetch(f"http://{host}:{site.port}/")

    message = str(caught.value)
    assert message.startswith(f"blocked address {shown} for host ")
    assert "ARCHIVER_ALLOW_PRIVATE_NETWORKS=1" in message
    assert site.hits == []  # refused before any connection


@pytest.mark.anyio
async def test_allow_private_networks_setting_lifts_the_guard(site: LocalSite) -> None:
    site.set("/", "intranet")

    async with Fetcher(quick(allow_private_networks=True)) as fetcher:
        assert (await fetcher.fetch(site.url("/"))).body == b"intranet"


@pytest.mark.anyio
async def test_redirect_hop_to_blocked_address_is_stopped_at_that_hop(
    site: LocalSite, other_site: LocalSite
) -> None:
    site.redirect("/jump", other_site.url("/inside"), 302)
    other_site.set("/inside", "secret")
    policy = AddressPolicy(blocked=["127.0.0.2/32"])

    async with Fetcher(quick(allow_private_networks=False), policy=policy) as fetcher:
        with pytest.raises(BlockedAddressError, match=r"blocked address 127\.0\.0\.2 for host"):
            await fetcher.fetch(site.url("/jump"))

    assert [h.path for h in site.hits] == ["/jump"]  # the first hop was allowed
    assert other_site.hits == []


@pytest.fixture
def tls_pair(tmp_path: Path) -> tuple[ssl.SSLContext, ssl.SSLContext]:
    """Server and client contexts for a certificate valid for 'localhost' only."""
    if shutil.which("openssl") is None:
        pytest.skip("openssl command not available")
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
         "-nodes", "-days", "1", "-subj", "/CN=localhost", "-addext",
         "subjectAltName=DNS:localhost", "-keyout", str(key), "-out", str(cert)],
        check=True,
        capture_output=True,
    )  # fmt: skip
    server = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    server.load_cert_chain(cert, key)
    return server, ssl.create_default_context(cafile=str(cert))


@pytest.mark.anyio
async def test_tls_uses_the_hostname_while_connecting_to_the_vetted_ip(
    tls_pair: tuple[ssl.SSLContext, ssl.SSLContext],
) -> None:
    """The socket goes to 127.0.0.1, yet SNI and certificate checks use 'localhost'.

    The certificate has no IP entry, so verification only succeeds if httpcore
    hands the original name to ``start_tls``.
    """
    server_ctx, client_ctx = tls_pair
    names: list[str | None] = []
    server_ctx.sni_callback = lambda _sock, name, _ctx: names.append(name)
    transport = GuardedTransport(AddressPolicy.allow_all(), ssl_context=client_ctx)

    with LocalSite(tls=server_ctx) as secure:
        secure.set("/", "over tls")
        async with Fetcher(quick(), transport=transport) as fetcher:
            result = await fetcher.fetch(f"https://localhost:{secure.port}/")

    assert (result.status, result.body) == (200, b"over tls")
    assert names == ["localhost"]


@pytest.mark.anyio
async def test_untrusted_certificate_is_a_one_line_tls_error(
    tls_pair: tuple[ssl.SSLContext, ssl.SSLContext],
) -> None:
    server_ctx, _ = tls_pair
    with LocalSite(tls=server_ctx) as secure:
        async with Fetcher(quick()) as fetcher:  # default roots: our test CA is unknown
            with pytest.raises(FetchError, match="TLS handshake with localhost:") as caught:
                await fetcher.fetch(f"https://localhost:{secure.port}/")

    assert "CERTIFICATE_VERIFY_FAILED" in str(caught.value)
    assert "\n" not in str(caught.value)
