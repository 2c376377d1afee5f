"""Decompression bombs: about 1 MB on the wire (far less for brotli), 1 GiB inflated.

Built without ever holding the inflated gigabyte: a deflate block of 1 MiB of
zeros, ended with a full flush (which resets the compressor's history), is the
same bytes every time, so the raw stream is that block repeated 1024 times.
The gzip and zlib wrappers get the real CRC-32 / Adler-32 of 1 GiB of zeros,
so these are valid streams that a careless client would inflate to the end.
"""

from __future__ import annotations

import functools
import gzip
import struct
import zlib

import brotli  # type: ignore[import-untyped]

MiB = 1 << 20
INFLATED = 1024 * MiB  # what every bomb here expands to
_ZEROS = b"\0" * MiB
_GZIP_HEADER = b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x02\xff"  # deflate, no name, mtime 0
_ZLIB_HEADER = b"\x78\xda"  # 32 KiB window, best compression


@functools.cache
def _raw_deflate() -> bytes:
    """The raw deflate stream of INFLATED zero bytes."""
    packer = zlib.compressobj(9, zlib.DEFLATED, -zlib.MAX_WBITS)
    block = packer.compress(_ZEROS) + packer.flush(zlib.Z_FULL_FLUSH)
    return block * (INFLATED // MiB) + packer.flush()


@functools.cache
def gzip_bomb() -> bytes:
    crc = 0
    for _ in range(INFLATED // MiB):
        crc = zlib.crc32(_ZEROS, crc)
    return _GZIP_HEADER + _raw_deflate() + struct.pack("<II", crc, INFLATED & 0xFFFFFFFF)


@functools.cache
def deflate_bomb() -> bytes:
    """``Content-Encoding: deflate`` means zlib-wrapped (RFC 9110 8.4.1.2)."""
    adler = (INFLATED % 65521) << 16 | 1  # Adler-32 of n zero bytes: s1 = 1, s2 = n
    return _ZLIB_HEADER + _raw_deflate() + struct.pack(">I", adler)


@functools.cache
def brotli_bomb() -> bytes:
    """About 190 KB (quality 1 is the quick one to make; higher ones get ~1.6 KB)."""
    packer = brotli.Compressor(quality=1)
    parts = [packer.process(_ZEROS) for _ in range(INFLATED // MiB)]
    return b"".join(parts) + bytes(packer.finish())


@functools.cache
def double_gzip_bomb() -> bytes:
    """For ``Content-Encoding: gzip, gzip``: the gzip bomb, gzipped again (a few KB)."""
    return gzip.compress(gzip_bomb(), compresslevel=9, mtime=0)


BOMBS = {  # Content-Encoding -> body
    "gzip": gzip_bomb,
    "deflate": deflate_bomb,
    "br": brotli_bomb,
    "gzip, gzip": double_gzip_bomb,
}
