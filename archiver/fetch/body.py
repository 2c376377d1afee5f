"""Read a response body with a hard cap on its *decoded* size.

httpx's own decoders inflate each network chunk in one call, so a 64 KiB chunk
of a gzip bomb can become tens of megabytes (and far more for brotli or zstd)
before any size check runs. Here the raw bytes are inflated with zlib's
``max_length``, so no step ever produces more than ``_PIECE`` bytes and the
buffer never grows past the cap. Only encodings we can decode this way are
advertised; a response in any other encoding is refused rather than mis-stored.

Brotli is decoded too, because brotli >= 1.2's ``Decompressor.process`` takes an
``output_buffer_limit``: each step yields at most about ``_PIECE`` bytes (the
limit is soft: the buffer stops growing once it reaches it), and the rest is
drained with empty input, so a br bomb (1.6 KB of input can carry 1 GB) is
as bounded as a gzip one. Browsers and CDNs prefer br, and some servers send it
whatever was asked for; refusing it would lose those pages. zstd is not
decoded: the ``zstandard`` decompressobj has no output limit, so it stays
unadvertised and refused. At most ``MAX_CODINGS`` stacked encodings are
accepted (``gzip, gzip`` is legal; dozens of layers are only an attack, and
each layer is a decoder and a generator frame).
"""

from __future__ import annotations

import zlib
from collections.abc import AsyncGenerator, Iterator
from contextlib import aclosing
from typing import Protocol, cast

import brotli  # type: ignore[import-untyped]  # no stubs; wrapped in _BrotliDecoder
import httpx

from archiver.errors import BodyTooLargeError, FetchError

ACCEPT_ENCODING = "gzip, deflate, br"
MAX_CODINGS = 3  # stacked Content-Encodings accepted at most
DECODE_ERRORS: tuple[type[Exception], ...] = (zlib.error, brotli.error)
_PIECE = 64 * 1024  # most bytes one decompression step may produce (about, for brotli)
_GZIP_MAGIC = b"\x1f\x8b"


class _Decoder(Protocol):
    encoding: str

    def feed(self, data: bytes) -> Iterator[bytes]: ...

    def flush(self) -> Iterator[bytes]: ...


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


class _BrotliDecoder:
    """Incremental brotli decoder with (softly) bounded output per step."""

    encoding = "br"

    def __init__(self) -> None:
        self._inflater = brotli.Decompressor()

    def feed(self, data: bytes) -> Iterator[bytes]:
        if not data:
            return
        if self._inflater.is_finished():
            # Unlike gzip, trailing bytes cannot be ignored: inside the final
            # chunk brotli itself refuses them, so refuse them everywhere alike.
            raise brotli.error("data after the end of the brotli stream")
        out = cast(bytes, self._inflater.process(data, output_buffer_limit=_PIECE))
        while True:
            if out:
                yield out
            if self._inflater.can_accept_more_data():
                return
            # Output is pending: it must be drained with empty input first.
            out = cast(bytes, self._inflater.process(b"", output_buffer_limit=_PIECE))
            if not out and not self._inflater.can_accept_more_data():
                raise brotli.error("brotli decoder made no progress")

    def flush(self) -> Iterator[bytes]:
        return iter(())  # a truncated stream yields what it had, as zlib's flush does


def _decoders(content_encoding: str) -> list[_Decoder]:
    """Decoders in the order to apply them (reverse of the header's order)."""
    codings = [c.strip().lower() for c in content_encoding.split(",")]
    codings = [c for c in codings if c and c != "identity"]
    if len(codings) > MAX_CODINGS:
        raise FetchError(
            f"{len(codings)} stacked Content-Encodings, more than the {MAX_CODINGS} accepted"
        )
    decoders: list[_Decoder] = []
    for coding in reversed(codings):
        if coding in ("gzip", "x-gzip", "deflate"):
            decoders.append(_ZlibDecoder(coding))
        elif coding == "br":
            decoders.append(_BrotliDecoder())
        else:
            raise FetchError(f"unsupported Content-Encoding '{coding}'")
    return decoders


def _through(decoders: list[_Decoder], data: bytes) -> Iterator[bytes]:
    if not decoders:
        yield data
        return
    for piece in decoders[0].feed(data):
        yield from _through(decoders[1:], piece)


def _flushed(decoders: list[_Decoder]) -> Iterator[bytes]:
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
    except DECODE_ERRORS as exc:
        coding = decoders[0].encoding if decoders else "compressed"
        raise FetchError(f"corrupt {coding} body from {url}: {exc}") from None
    return b"".join(pieces)
