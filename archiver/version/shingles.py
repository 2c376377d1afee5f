"""Near-duplicate texts: MinHash signatures of word shingles, and their LSH bands.

Syndication clusters (the same wire story on several sites, a lightly edited
republication) are found by the Jaccard similarity of the texts' sets of word
``shingle``-grams, estimated by a MinHash signature of ``num_perm`` values
(``datasketch``). Candidates are found without comparing every pair: the
signature is cut into ``b`` bands of ``r`` values, and two texts whose
signatures agree on a whole band are candidates (locality-sensitive hashing).
``(b, r)`` are the ones ``datasketch.MinHashLSH`` picks for the threshold;
each band is hashed to one signed 64-bit key, which the store indexes, so a
lookup is an indexed query however large the archive grows. Candidates are
then verified with the estimated Jaccard similarity (the share of equal
signature values, what ``MinHash.jaccard`` computes).

Pure CPU work, no I/O: the store calls it before its write transaction. The
numerical libraries are imported on first use (they take a while to load).
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING

from archiver.errors import ConfigError
from archiver.version.text import normalize_text

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt

_WORD = re.compile(r"\w+")
SCHEME = "affine32"  # datasketch's MinHash permutation scheme: 32-bit hash values
SEED = 1


@dataclass(frozen=True)
class NearParams:
    """How texts are compared: the ``[clusters]`` settings (``archiver.config``).

    ``threshold``: estimated Jaccard similarity of two texts' shingle sets at or
    above which they are near duplicates; ``shingle``: words per shingle;
    ``num_perm``: MinHash permutations (signature length); texts of fewer than
    ``min_words`` words get no signature (a short notice is the same everywhere).
    """

    threshold: float = 0.8
    shingle: int = 5
    num_perm: int = 128
    min_words: int = 50
    enabled: bool = True

    def __post_init__(self) -> None:
        if not 0 < self.threshold < 1:
            raise ConfigError(f"clusters.threshold must be between 0 and 1: {self.threshold}")
        if self.shingle < 1 or self.min_words < 1:
            raise ConfigError("clusters.shingle and clusters.min_words must be at least 1")
        if not 16 <= self.num_perm <= 1024:
            raise ConfigError(f"clusters.num_perm must be 16-1024: {self.num_perm}")

    @property
    def scheme(self) -> str:
        """What a signature depends on: signatures of different schemes never compare."""
        return f"minhash-{SCHEME}-seed{SEED}/perm{self.num_perm}/shingle{self.shingle}"

    @cached_property
    def bands(self) -> tuple[int, int]:
        """(b, r): bands of rows, as ``datasketch.MinHashLSH(threshold, num_perm)`` picks."""
        from datasketch.lsh import _optimal_param

        b, r = _optimal_param(self.threshold, self.num_perm, 0.5, 0.5)
        if b < 2:
            raise ConfigError(f"clusters.threshold {self.threshold} leaves fewer than 2 bands")
        return int(b), int(r)

    @property
    def layout(self) -> str:
        """The band layout the band keys were cut with, e.g. ``"9x13"``."""
        b, r = self.bands
        return f"{b}x{r}"

    @cached_property
    def _permutations(self) -> npt.NDArray[np.uint32]:
        from datasketch import MinHash

        made = MinHash(num_perm=self.num_perm, seed=SEED, scheme=SCHEME)
        return made.permutations  # type: ignore[no-any-return]


@dataclass(frozen=True, slots=True)
class Signature:
    """A text's MinHash signature (``num_perm`` big-endian uint32) and its band keys."""

    values: bytes
    keys: tuple[int, ...]  # one per band, band index and layout hashed in
    scheme: str
    layout: str


def words(text: str) -> list[str]:
    """The text's words, case-folded, on the normalized text (quotes, dashes, spaces)."""
    return _WORD.findall(normalize_text(text).casefold())


def shingles(tokens: list[str], size: int) -> set[bytes]:
    """Every run of ``size`` consecutive words (the whole text if it is shorter)."""
    if len(tokens) <= size:
        return {" ".join(tokens).encode()}
    return {" ".join(tokens[i : i + size]).encode() for i in range(len(tokens) - size + 1)}


def signature(text: str, params: NearParams) -> Signature | None:
    """The text's signature, or None if clustering is off or the text is too short."""
    if not params.enabled:
        return None
    tokens = words(text)
    if len(tokens) < params.min_words:
        return None
    from datasketch import MinHash

    minhash = MinHash(
        num_perm=params.num_perm,
        seed=SEED,
        permutations=params._permutations,
        scheme=SCHEME,
    )
    minhash.update_batch(list(shingles(tokens, params.shingle)))
    values = minhash.hashvalues.astype(">u4").tobytes()
    return Signature(values, band_keys(values, params), params.scheme, params.layout)


def band_keys(values: bytes, params: NearParams) -> tuple[int, ...]:
    """One signed 64-bit key per band: equal keys mean equal bands (of one layout)."""
    b, r = params.bands
    width = 4 * r
    salt = f"{params.scheme}/{params.layout}/".encode()
    return tuple(
        int.from_bytes(
            hashlib.blake2b(
                salt + band.to_bytes(2, "big") + values[band * width : (band + 1) * width],
                digest_size=8,
            ).digest(),
            "big",
            signed=True,
        )
        for band in range(b)
    )


def similarity(a: bytes, b: bytes) -> float:
    """Estimated Jaccard similarity of two signatures: the share of equal values."""
    if len(a) != len(b) or not a:
        return 0.0
    import numpy as np

    left = np.frombuffer(a, dtype=">u4")
    right = np.frombuffer(b, dtype=">u4")
    return float(np.count_nonzero(left == right)) / len(left)
