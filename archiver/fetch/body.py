"""Read a response body with a hard cap on its *decoded* size.

httpx's own decoders inflate each network chunk in one call, so a 64 KiB chunk
of a gzip bomb can become tens of megabytes (and far more for brotli or zstd)
before any size check runs. Here the raw bytes are inflated with zlib's
``max_length``, so no step ever produces more than ``_PIECE`` bytes and the
buffer never grows past the cap. Only encodings we can decode this way are
advertised; a response in any other encoding is refused rather than mis-stored.
"""

from __future__ import annotations

import zlib
from collections.abc import AsyncGenerator, Iterator
from contextlib import aclosing
from typing import cast

import httpx

from archiver.errors import BodyTooLargeError, FetchError

ACCEPT_ENCODING = "gzip, deflate"
_PIECE = 64 * 1024  # most bytes one decompression step may produce
_GZIP_MAGIC = b"\x1f\x8b"


class _ZlibDecoder:
    """Incremental gzip / deflate decoder with bounded output per step."""

    def __init__(self, encoding: str) -> None:
        self.encoding = encoding
        self._gzip = encoding in ("gzip", "x-gzip")
        # 32+: accept a gzip or zlib header (servers mislabel); deflate is zlib-wrapped.
        self._wbits = 32 + zlib.MAX_WBITS if self._gzip else zlib.MAX_WBITS
        self._inflater = zlib.decompressobj(self._wbits)
        self._started = False

    def feed(self, data: bytes) -> Iterator[bytes]:
        try:
            yield from self._drain(data)
        except zlib.error:
            if self._gzip or self._started:
                raise
            # Some servers send raw deflate without the zlib wrapper.
            self._inflater = zlib.decompressobj(-zlib.MAX_WBITS)
            yield from self._drain(data)

    def flush(self) -> Iterator[bytes]:
        rest = self._inflater.flush()
        if rest:
            yield rest

    def _drain(self, data: bytes) -> Iterator[bytes]:
        while True:
            out = self._inflater.decompress(data, _PIECE)
            self._started = True
            if out:
                yield out
            if self._inflater.eof:
                rest = self._inflater.unused_data
                if not (self._gzip and rest.startswith(_GZIP_MAGIC)):
                    return  # end of stream; trailing junk is ignored like browsers do
                self._inflater = zlib.decompressobj(self._wbits)  # next gzip member
                data = rest
                continue
            data = self._inflater.unconsumed_tail
            if not data and len(out) < _PIECE:
                return


def _decoders(content_encoding: str) -> list[_ZlibDecoder]:
    """Decoders in the order to apply them (reverse of the header's order)."""
    codings = [c.strip().lower() for c in content_encoding.split(",")]
    decoders = []
    for coding in reversed([c for c in codings if c and c != "identity"]):
        if coding not in ("gzip", "x-gzip", "deflate"):
            raise FetchError(f"unsupported Content-Encoding '{coding}'")
        decoders.append(_ZlibDecoder(coding))
    return decoders


def _through(decoders: list[_ZlibDecoder], data: bytes) -> Iterator[bytes]:
    if not decoders:
        yield data
        return
    for piece in decoders[0].feed(data):
        yield from _through(decoders[1:], piece)


def _flushed(decoders: list[_ZlibDecoder]) -> Iterator[bytes]:
    for index, decoder in enumerate(decoders):
        for piece in decoder.flush():
            yield from _through(decoders[index + 1 :], piece)


def declared_length(response: httpx.Response) -> int | None:
    value = response.headers.get("content-length", "")
    return int(value) if value.strip().isdigit() else None


def _too_large(url: httpx.URL, limit: int, length: int | None = None) -> BodyTooLargeError:
    if length is None:
        return BodyTooLargeError(f"body of {url} exceeds the {limit}-byte limit")
    return BodyTooLargeError(f"body of {url} is {length} bytes, over the {limit}-byte limit")


async def read_body(response: httpx.Response, limit: int) -> bytes:
    """The decoded body, or ``BodyTooLargeError`` as soon as it passes ``limit``."""
    url = response.url
    if response.is_stream_consumed:
        # Built in memory and already decoded by httpx (e.g. ``httpx.MockTransport``):
        # there is no raw stream left, and nothing came over the network.
        if len(response.content) > limit:
            raise _too_large(url, limit, len(response.content))
        return response.content
    decoders = _decoders(response.headers.get("content-encoding", ""))
    length = declared_length(response)
    if not decoders and length is not None and length > limit:
        raise _too_large(url, limit, length)
    pieces: list[bytes] = []
    size = 0
    try:
        raw = cast(AsyncGenerator[bytes, None], response.aiter_raw())
        async with aclosing(raw):
            async for chunk in raw:
                for piece in _through(decoders, chunk):
                    size += len(piece)
                    if size > limit:
                        raise _too_large(url, limit)
                    pieces.append(piece)
        for piece in _flushed(decoders):
            size += len(piece)
            if size > limit:
                raise _too_large(url, limit)
            pieces.append(piece)
    except zlib.error as exc:
        coding = decoders[0].encoding if decoders else "compressed"
        raise FetchError(f"corrupt {coding} body from {url}: {exc}") from None
    return b"".join(pieces)
