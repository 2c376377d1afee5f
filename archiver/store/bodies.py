"""Raw response bodies: content-addressed by SHA-256, stored zstd-compressed.

The same HTML is fetched again and again (re-checks, several URLs for one
page), so a body is stored once per hash of its raw bytes; captures point at
it. Compression happens before the write transaction starts, so the database
write lock is never held while burning CPU.
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


@dataclass(frozen=True, slots=True)
class PackedBody:
    """A body ready to store: its hash, raw size and compressed bytes."""

    hash: str
    size: int
    data: bytes


def sha256_hex(raw: bytes) -> str:
    return hashlib.sha256(raw).hexdigest()


def pack(raw: bytes, expected_hash: str | None = None) -> PackedBody:
    """Hash and compress ``raw``; refuse a body that does not match the hash it was sent with."""
    digest = sha256_hex(raw)
    if expected_hash is not None and expected_hash != digest:
        raise StoreError(f"body hash mismatch: capture says {expected_hash}, body is {digest}")
    # Compressor objects are not thread-safe, and cheap: one per call.
    data = zstandard.ZstdCompressor(level=COMPRESSION_LEVEL).compress(raw)
    return PackedBody(digest, len(raw), data)


def unpack(data: bytes) -> bytes:
    """Decompress a stored body (the frame header records the raw size)."""
    try:
        return bytes(zstandard.ZstdDecompressor().decompress(data))
    except zstandard.ZstdError as exc:
        raise StoreError(f"stored body is corrupt: {exc}") from exc


def put(session: Session, body: PackedBody) -> bool:
    """Store the body unless a row with its hash exists; True if it was new."""
    if exists(session, body.hash):
        return False
    session.add(Body(hash=body.hash, size=body.size, data=body.data))
    session.flush()
    return True


def exists(session: Session, body_hash: str) -> bool:
    """Whether a body is stored, without loading its bytes."""
    return session.exec(select(Body.hash).where(Body.hash == body_hash)).first() is not None


def get(session: Session, body_hash: str) -> bytes:
    row = session.get(Body, body_hash)
    if row is None:
        raise NotFoundError(f"no stored body has hash {body_hash}")
    return unpack(row.data)
