"""Raw response bodies: content-addressed by SHA-256, stored zstd-compressed.

The same HTML is fetched again and again (re-checks, several URLs for one
page), so a body is stored once per hash of its raw bytes; captures point at
it. Compression happens before the write transaction starts, so the database
write lock is never held while burning CPU.

A re-fetched page whose bytes changed only in its chrome (a rotated rail, a
new ad, a ticking clock) is nearly the body stored before it: it is stored as
a *delta*, zstd-compressed with the article's previous body as a raw-content
dictionary (a few hundred bytes instead of tens of KB). The dictionary is
always a body stored on its own (``Base``: a delta's base is the base's own
base), so reading any body takes at most two rows, and a delta that would
keep more than ``DELTA_SHARE`` of its base's size is not worth its
dependency: the body is stored on its own and becomes the next base.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

import zstandard
from sqlmodel import Session, select

from archiver.errors import NotFoundError, StoreError
from archiver.store.models import Body

COMPRESSION_LEVEL = 10
"""Bodies are written once and read rarely, so spend a little more CPU for a smaller archive."""
DELTA_SHARE = 0.5
"""A delta at most this share of its base's stored size is kept; else the body stands alone."""


@dataclass(frozen=True, slots=True)
class Base:
    """A body stored on its own, as the dictionary of the next body's delta."""

    hash: str
    raw: bytes
    stored: int  # its compressed size


@dataclass(frozen=True, slots=True)
class PackedBody:
    """A body ready to store: its hash, raw size and compressed bytes (a delta against
    ``base_hash`` when that is set)."""

    hash: str
    size: int
    data: bytes
    base_hash: str | None = None


def sha256_hex(raw: bytes) -> str:
    return hashlib.sha256(raw).hexdigest()


def _dictionary(raw: bytes) -> zstandard.ZstdCompressionDict:
    return zstandard.ZstdCompressionDict(raw, dict_type=zstandard.DICT_TYPE_RAWCONTENT)


def pack(raw: bytes, expected_hash: str | None = None, base: Base | None = None) -> PackedBody:
    """Hash and compress ``raw`` (as a delta against ``base`` when that is small enough);
    refuse a body that does not match the hash it was sent with."""
    digest = sha256_hex(raw)
    if expected_hash is not None and expected_hash != digest:
        raise StoreError(f"body hash mismatch: capture says {expected_hash}, body is {digest}")
    # Compressor objects are not thread-safe, and cheap: one per call.
    if base is not None and base.hash != digest:
        compressor = zstandard.ZstdCompressor(
            level=COMPRESSION_LEVEL, dict_data=_dictionary(base.raw)
        )
        delta = compressor.compress(raw)
        if len(delta) <= DELTA_SHARE * base.stored:
            return PackedBody(digest, len(raw), delta, base.hash)
    data = zstandard.ZstdCompressor(level=COMPRESSION_LEVEL).compress(raw)
    return PackedBody(digest, len(raw), data)


def unpack(data: bytes, base: bytes | None = None) -> bytes:
    """Decompress a stored body (the frame header records the raw size), a delta with the
    raw bytes of its ``base``."""
    try:
        if base is None:
            return bytes(zstandard.ZstdDecompressor().decompress(data))
        return bytes(zstandard.ZstdDecompressor(dict_data=_dictionary(base)).decompress(data))
    except zstandard.ZstdError as exc:
        raise StoreError(f"stored body is corrupt: {exc}") from exc


def put(session: Session, body: PackedBody) -> bool:
    """Store the body unless a row with its hash exists; True if it was new."""
    if exists(session, body.hash):
        return False
    session.add(Body(hash=body.hash, size=body.size, data=body.data, base_hash=body.base_hash))
    session.flush()
    return True


def exists(session: Session, body_hash: str) -> bool:
    """Whether a body is stored, without loading its bytes."""
    return session.exec(select(Body.hash).where(Body.hash == body_hash)).first() is not None


def _row(session: Session, body_hash: str) -> Body:
    row = session.get(Body, body_hash)
    if row is None:
        raise NotFoundError(f"no stored body has hash {body_hash}")
    return row


def get(session: Session, body_hash: str) -> bytes:
    """The raw bytes of a stored body, byte for byte as fetched."""
    row = _row(session, body_hash)
    if row.base_hash is None:
        return unpack(row.data)
    base = _row(session, row.base_hash)
    if base.base_hash is not None:  # pack never makes one: a chain would be corrupt
        raise StoreError(f"stored body {body_hash} is a delta against another delta")
    return unpack(row.data, unpack(base.data))


def base_of(session: Session, body_hash: str) -> Base:
    """What a new body of the same page is compressed against: ``body_hash``'s body, or
    its own base when it is a delta."""
    row = _row(session, body_hash)
    if row.base_hash is not None:
        row = _row(session, row.base_hash)
    return Base(row.hash, unpack(row.data), len(row.data))
