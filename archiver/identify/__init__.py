"""Identify: URL normalization, canonical URLs and aliases."""

from archiver.identify.domains import CanonicalPolicy, registrable_domain
from archiver.identify.identity import Identity, resolve_identity
from archiver.identify.urls import normalize_url, site_of

__all__ = [
    "CanonicalPolicy",
    "Identity",
    "normalize_url",
    "registrable_domain",
    "resolve_identity",
    "site_of",
]
