"""Refuse to talk to private networks, enforced where the socket is opened.

Checking a URL's host before sending is not enough: a public name can resolve to
``127.0.0.1``, a redirect can point anywhere, and a name can resolve differently
a second later (DNS rebinding). So the check lives in an httpcore network backend:
``connect_tcp`` resolves the host once, refuses if *any* address is blocked, then
connects to the vetted IP literal. Every connection of every redirect hop goes
through it. TLS is unaffected: httpcore passes the original hostname to
``start_tls`` as ``server_hostname``, so SNI and certificate checks use the name.
"""

from __future__ import annotations

import contextlib
import ipaddress
import ssl
from collections.abc import AsyncIterable, AsyncIterator, Iterable, Iterator

import httpcore
import httpx

from archiver.errors import BlockedAddressError, FetchError
from archiver.fetch.resolver import IPAddress, Resolver

IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network

_CGNAT = ipaddress.IPv4Network("100.64.0.0/10")
_V4_COMPATIBLE = ipaddress.IPv6Network("::/96")
_NAT64 = ipaddress.IPv6Network("64:ff9b::/96")
_HINT = "private networks are not allowed; set ARCHIVER_ALLOW_PRIVATE_NETWORKS=1"


def _ipv4_spelling(ip: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    """The IPv4 address this merely re-spells (``::ffff:a.b.c.d``, ``::a.b.c.d``)."""
    if ip.ipv4_mapped is not None:
        return ip.ipv4_mapped
    if ip in _V4_COMPATIBLE and int(ip) > 1:  # ::127.0.0.1, but not :: or ::1
        return ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
    return None


def _embedded_ipv4(ip: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    """The IPv4 address an IPv6 form carries (mapped, compatible, NAT64, 6to4, Teredo)."""
    spelled = _ipv4_spelling(ip)
    if spelled is not None:
        return spelled
    if ip in _NAT64:
        return ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
    if ip.sixtofour is not None:
        return ip.sixtofour
    if ip.teredo is not None:
        return ip.teredo[1]
    return None


def _is_non_public(ip: IPAddress) -> bool:
    """The default rule, spelled out because ``ipaddress`` flags vary by Python version.

    An IPv4-mapped or -compatible IPv6 address is just another spelling of an
    IPv4 address, so it is judged as that address (``::ffff:8.8.8.8`` is public).
    """
    if isinstance(ip, ipaddress.IPv6Address):
        spelled = _ipv4_spelling(ip)
        if spelled is not None:
            return _is_non_public(spelled)
        if ip.is_site_local:
            return True
    return (
        ip.is_loopback
        or ip.is_private
        or ip.is_link_local
        or ip.is_multicast
        or ip.is_reserved
        or ip.is_unspecified
        or ip in _CGNAT
        or not ip.is_global
    )


class AddressPolicy:
    """Decides which resolved addresses archiver may connect to.

    ``AddressPolicy()`` blocks every non-public address (loopback, RFC 1918,
    fc00::/7, link-local, CGNAT, multicast, reserved, unspecified...).
    ``AddressPolicy(blocked=[...])`` blocks exactly the given networks instead,
    which lets tests single out one loopback address; ``allow_all()`` blocks
    nothing. IPv6 forms that embed an IPv4 address (``::ffff:127.0.0.1``) are
    judged by both addresses. Subclasses may override ``is_blocked``.
    """

    def __init__(self, blocked: Iterable[str | IPNetwork] | None = None) -> None:
        self._networks: tuple[IPNetwork, ...] | None = (
            None if blocked is None else tuple(ipaddress.ip_network(n) for n in blocked)
        )

    @classmethod
    def allow_all(cls) -> AddressPolicy:
        """A policy that blocks nothing (``allow_private_networks``)."""
        return cls(blocked=())

    def is_blocked(self, ip: IPAddress) -> bool:
        candidates: list[IPAddress] = [ip]
        if isinstance(ip, ipaddress.IPv6Address):
            embedded = _embedded_ipv4(ip)
            if embedded is not None:
                candidates.append(embedded)
        return any(self._blocks(candidate) for candidate in candidates)

    def _blocks(self, ip: IPAddress) -> bool:
        if self._networks is None:
            return _is_non_public(ip)
        return any(ip in network for network in self._networks)


def _display(ip: IPAddress) -> str:
    """``::ffff:127.0.0.1`` rather than Python 3.11's ``::ffff:7f00:1``."""
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        return f"::ffff:{ip.ipv4_mapped}"
    return str(ip)


def _where(host: str, port: int) -> str:
    return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"


def _os_error(exc: BaseException) -> OSError | None:
    """The innermost OSError behind an httpcore/anyio connect failure."""
    found: OSError | None = None
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        if isinstance(current, OSError):
            found = current
        current = current.__cause__ or current.__context__
    return found


class GuardedBackend(httpcore.AsyncNetworkBackend):
    """An httpcore network backend that vets every address before connecting."""

    def __init__(
        self, policy: AddressPolicy, inner: httpcore.AsyncNetworkBackend | None = None
    ) -> None:
        self._policy = policy
        self._inner = inner if inner is not None else httpcore.AnyIOBackend()
        self._resolver = Resolver()  # one lookup per host, shared by its connections

    async def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,  # noqa: ASYNC109 - httpcore's interface
        local_address: str | None = None,
        socket_options: Iterable[httpcore.SOCKET_OPTION] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        addresses = await self._resolver.resolve(host, port, timeout)
        for ip in addresses:
            if self._policy.is_blocked(ip):
                raise BlockedAddressError(
                    f"blocked address {_display(ip)} for host {host} ({_HINT})"
                )
        failure: httpcore.ConnectError | None = None
        for ip in addresses:
            try:
                return await self._inner.connect_tcp(
                    str(ip),
                    port,
                    timeout=timeout,
                    local_address=local_address,
                    socket_options=socket_options,
                )
            except httpcore.ConnectError as exc:
                failure = exc
        raise self._connect_failure(host, port, failure)

    async def sleep(self, seconds: float) -> None:
        await self._inner.sleep(seconds)

    @staticmethod
    def _connect_failure(host: str, port: int, exc: BaseException | None) -> FetchError:
        where = _where(host, port)
        cause = None if exc is None else _os_error(exc)
        if isinstance(cause, ConnectionRefusedError):
            return FetchError(f"connection refused by {where}")
        reason = (cause.strerror if cause is not None else None) or "connection failed"
        return FetchError(f"cannot connect to {where}: {reason.lower()}")


# httpcore exceptions and the httpx ones callers expect; most specific first.
_ERROR_MAP: tuple[tuple[type[Exception], type[httpx.TransportError]], ...] = (
    (httpcore.ConnectTimeout, httpx.ConnectTimeout),
    (httpcore.ReadTimeout, httpx.ReadTimeout),
    (httpcore.WriteTimeout, httpx.WriteTimeout),
    (httpcore.PoolTimeout, httpx.PoolTimeout),
    (httpcore.TimeoutException, httpx.TimeoutException),
    (httpcore.ConnectError, httpx.ConnectError),
    (httpcore.ReadError, httpx.ReadError),
    (httpcore.WriteError, httpx.WriteError),
    (httpcore.NetworkError, httpx.NetworkError),
    (httpcore.RemoteProtocolError, httpx.RemoteProtocolError),
    (httpcore.LocalProtocolError, httpx.LocalProtocolError),
    (httpcore.ProtocolError, httpx.ProtocolError),
    (httpcore.UnsupportedProtocol, httpx.UnsupportedProtocol),
    (httpcore.ProxyError, httpx.ProxyError),
)


@contextlib.contextmanager
def _httpx_errors() -> Iterator[None]:
    """Re-raise httpcore errors as httpx ones; our own FetchErrors pass untouched."""
    try:
        yield
    except Exception as exc:
        for source, target in _ERROR_MAP:
            if isinstance(exc, source):
                raise target(str(exc) or type(exc).__name__) from exc
        raise


class _ResponseStream(httpx.AsyncByteStream):
    def __init__(self, inner: AsyncIterable[bytes]) -> None:
        self._inner = inner

    async def __aiter__(self) -> AsyncIterator[bytes]:
        with _httpx_errors():
            async for part in self._inner:
                yield part

    async def aclose(self) -> None:
        close = getattr(self._inner, "aclose", None)
        if close is not None:
            with _httpx_errors():
                await close()


class GuardedTransport(httpx.AsyncBaseTransport):
    """An httpx transport over an httpcore pool that connects via ``GuardedBackend``.

    Written out rather than patching ``AsyncHTTPTransport._pool`` so that no
    private httpx attribute is relied on. ``ssl_context`` defaults to httpx's
    (certifi roots); pass one to trust extra CAs.
    """

    def __init__(
        self,
        policy: AddressPolicy,
        *,
        limits: httpx.Limits | None = None,
        ssl_context: ssl.SSLContext | None = None,
    ) -> None:
        limits = limits or httpx.Limits()
        self._pool = httpcore.AsyncConnectionPool(
            ssl_context=ssl_context or httpx.create_ssl_context(trust_env=False),
            max_connections=limits.max_connections,
            max_keepalive_connections=limits.max_keepalive_connections,
            keepalive_expiry=limits.keepalive_expiry,
            network_backend=GuardedBackend(policy),
        )

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        core_request = httpcore.Request(
            method=request.method,
            url=httpcore.URL(
                scheme=request.url.raw_scheme,
                host=request.url.raw_host,
                port=request.url.port,
                target=request.url.raw_path,
            ),
            headers=request.headers.raw,
            content=request.stream,
            extensions=request.extensions,
        )
        with _httpx_errors():
            response = await self._pool.handle_async_request(core_request)
        assert isinstance(response.stream, AsyncIterable)
        return httpx.Response(
            status_code=response.status,
            headers=response.headers,
            stream=_ResponseStream(response.stream),
            extensions=response.extensions,
        )

    async def aclose(self) -> None:
        await self._pool.aclose()
