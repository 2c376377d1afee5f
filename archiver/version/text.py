"""Normalized text and hashes: what counts as "the same article text".

Two extractions are the same version when their normalized title and text
are equal. Normalization erases what readers never perceive as an edit:
Unicode compatibility forms, typographic vs straight quotes and dashes,
non-breaking and repeated whitespace, blank lines.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata

_TRANSLATE = str.maketrans(
    {
        "\u2018": "'", "\u2019": "'", "\u201a": "'", "\u201b": "'", "\u2032": "'",
        "\u201c": '"', "\u201d": '"', "\u201e": '"', "\u201f": '"', "\u2033": '"',
        "\u2010": "-", "\u2011": "-", "\u2012": "-", "\u2013": "-", "\u2014": "-",
        "\u2015": "-", "\u2212": "-", "\u00ad": None, "\u200b": None, "\u200c": None,
        "\u200d": None, "\ufeff": None,
    }
)  # fmt: skip
_SPACES = re.compile(r"[^\S\n]+")


def normalize_text(text: str | None) -> str:
    """Canonical form of a text for comparison (not for display)."""
    if not text:
        return ""
    text = unicodedata.normalize("NFKC", text).translate(_TRANSLATE)
    lines = (_SPACES.sub(" ", line).strip() for line in text.splitlines())
    return "\n".join(line for line in lines if line)


def content_hash(title: str | None, text: str) -> str:
    """Hash deciding whether a capture is a new version: normalized title + text."""
    payload = normalize_text(title) + "\x1f" + normalize_text(text)
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def body_hash(body: bytes) -> str:
    """Hash of a raw response body (the key raw bodies are stored under)."""
    return hashlib.sha256(body).hexdigest()


def word_count(text: str) -> int:
    return len(text.split())
