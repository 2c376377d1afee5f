"""Host name lookups for the guarded transport: one query per host, reused briefly.

A batch opens many connections to few hosts; each used to resolve its host
again, in the event loop's small thread pool, where thousands of lookups could
queue behind other work and time out. Here concurrent lookups of one host share
one query, and its answer is reused for ``DNS_TTL`` seconds (browsers keep
addresses about as long). The guard vets and connects to exactly the
addresses returned, so reusing them cannot let a re-bound name slip past it.
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
import time
from collections import OrderedDict

from archiver.errors import FetchError, FetchTimeoutError

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
DNS_TTL = 60.0  # seconds a host's addresses are reused
DNS_CACHE_SIZE = 1024  # hosts remembered at most
_Key = tuple[str, int]


class Resolver:
    """Per-transport lookup state (nothing is shared between Fetchers)."""

    def __init__(self, ttl: float = DNS_TTL) -> None:
        self._ttl = ttl
        self._resolved: OrderedDict[_Key, tuple[float, list[IPAddress]]] = OrderedDict()
        self._resolving: dict[_Key, asyncio.Future[list[IPAddress]]] = {}
        self.lookups = 0  # queries actually sent to the system resolver

    async def resolve(self, host: str, port: int, within: float | None) -> list[IPAddress]:
        """The addresses of ``host`` (FetchError if none), looked up within ``within`` s."""
        key = (host, port)
        cached = self._resolved.get(key)
        if cached is not None and cached[0] > time.monotonic():
            return cached[1]
        pending = self._resolving.get(key)
        if pending is not None:
            try:
                return await asyncio.shield(pending)
            except asyncio.CancelledError:
                if not pending.cancelled():
                    raise  # this request itself was cancelled
                # the request that was looking it up gave up: look it up here
        future: asyncio.Future[list[IPAddress]] = asyncio.get_running_loop().create_future()
        self._resolving[key] = future
        try:
            addresses = await self._lookup(host, port, within)
        except asyncio.CancelledError:
            future.cancel()
            raise
        except Exception as exc:
            future.set_exception(exc)
            future.exception()  # marked retrieved: only the waiters re-raise it
            raise
        else:
            future.set_result(addresses)
            self._remember(key, addresses)
            return addresses
        finally:
            if self._resolving.get(key) is future:
                del self._resolving[key]

    def _remember(self, key: _Key, addresses: list[IPAddress]) -> None:
        self._resolved[key] = (time.monotonic() + self._ttl, addresses)
        self._resolved.move_to_end(key)
        while len(self._resolved) > DNS_CACHE_SIZE:
            self._resolved.popitem(last=False)

    async def _lookup(self, host: str, port: int, within: float | None) -> list[IPAddress]:
        self.lookups += 1
        loop = asyncio.get_running_loop()
        try:
            async with asyncio.timeout(within):
                infos = await loop.getaddrinfo(host, port, type=socket.SOCK_STREAM)
        except TimeoutError:
            raise FetchTimeoutError(f"resolving host '{host}' timed out") from None
        except (socket.gaierror, UnicodeError):
            raise FetchError(f"cannot resolve host '{host}'") from None
        addresses: list[IPAddress] = []
        for *_, sockaddr in infos:
            ip = ipaddress.ip_address(sockaddr[0])
            if ip not in addresses:
                addresses.append(ip)
        if not addresses:
            raise FetchError(f"cannot resolve host '{host}'")
        return addresses
