"""Identify: URL normalization, canonical URLs and aliases."""

from archiver.identify.identity import Identity, resolve_identity
from archiver.identify.urls import normalize_url, site_of

__all__ = ["Identity", "normalize_url", "resolve_identity", "site_of"]
