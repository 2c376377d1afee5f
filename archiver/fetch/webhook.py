"""POSTs to webhooks, through the same private-network guard as every fetch.

``WebhookSender.post`` sends one body and returns the response status; every
transport failure (refused, reset, a blocked address, a receiver that does not
answer within ``deadline`` seconds, all in) is a one-line ``FetchError``. No
redirect is followed and no retry is made here: the deliverer
(``archiver.notify.deliver``) judges the status and retries later. The client
keeps no cookies and reads no proxy settings from the environment.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from types import TracebackType
from typing import Self

import httpx

from archiver.errors import FetchError, FetchTimeoutError
from archiver.fetch.guard import AddressPolicy, GuardedTransport

RESPONSE_BYTES = 4096  # of a receiver's answer read at most (it is only logged, shortened)


class WebhookSender:
    """One guarded HTTP client for every webhook of a run; close it with ``aclose``."""

    def __init__(
        self,
        *,
        user_agent: str,
        allow_private_networks: bool = False,
        policy: AddressPolicy | None = None,
        concurrency: int = 8,
    ) -> None:
        if policy is None:
            policy = AddressPolicy.allow_all() if allow_private_networks else AddressPolicy()
        limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
        self._client = httpx.AsyncClient(
            transport=GuardedTransport(policy, limits=limits),
            headers={"User-Agent": user_agent},
            follow_redirects=False,
            trust_env=False,
        )

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        await self._client.aclose()

    async def post(
        self, url: str, body: bytes, headers: Mapping[str, str], *, deadline: float
    ) -> tuple[int, str]:
        """POST ``body`` to ``url``: (status, the start of the response text)."""
        try:
            async with asyncio.timeout(deadline):  # a drip-fed answer is cut at the deadline too
                request = self._client.build_request(
                    "POST", url, content=body, headers=dict(headers), timeout=deadline
                )
                response = await self._client.send(request, stream=True)
                try:
                    text = await _prefix(response)
                finally:
                    await response.aclose()
        except (TimeoutError, httpx.TimeoutException) as exc:
            raise FetchTimeoutError(f"no answer from {url} within {deadline:g}s") from exc
        except FetchError:  # our own: a blocked address, a refused connection
            raise
        except httpx.HTTPError as exc:
            raise FetchError(f"cannot POST to {url}: {exc or type(exc).__name__}") from exc
        return response.status_code, text


async def _prefix(response: httpx.Response) -> str:
    data = b""
    async for chunk in response.aiter_raw():
        data += chunk
        if len(data) >= RESPONSE_BYTES:
            break
    return data[:RESPONSE_BYTES].decode("utf-8", "replace")
