"""URL validation and normalization: one spelling per address.

Two URLs that differ only in ways a server never sees or never cares about
(scheme/host case, default port, fragment, query order, tracking parameters)
normalize to the same string, so they become one alias of one article.
"""

from __future__ import annotations

import posixpath
import re
from urllib.parse import parse_qsl, quote, unquote, urlencode, urlsplit, urlunsplit

import idna

from archiver.errors import UnsupportedURLError

SCHEMES = frozenset({"http", "https"})
DEFAULT_PORTS = {"http": 80, "https": 443}

# Parameters that identify a campaign or a click, never the content.
TRACKING_PARAMS = frozenset(
    {
        "fbclid", "gclid", "dclid", "gbraid", "wbraid", "msclkid", "yclid", "twclid",
        "igshid", "mc_cid", "mc_eid", "_ga", "_gl", "_hsenc", "_hsmi", "mkt_tok",
        "oly_anon_id", "oly_enc_id", "vero_id", "wickedid", "rb_clickid", "s_cid",
        "cmpid", "ito", "ncid", "sr_share", "smid", "ocid", "at_medium", "at_campaign",
    }
)  # fmt: skip
TRACKING_PREFIXES = ("utm_", "pk_", "mtm_", "hmb_", "__hs")

_SAFE_PATH = "/:@!$&'()*+,;=-._~%"
_SAFE_QUERY = "/?:@!$'()*+,;-._~%"


def _reject(raw: str, why: str) -> UnsupportedURLError:
    shown = raw if len(raw) <= 80 else raw[:77] + "..."
    return UnsupportedURLError(f"not an archivable URL: {shown!r} ({why})")


def _is_tracking(name: str) -> bool:
    lowered = name.lower()
    return lowered in TRACKING_PARAMS or lowered.startswith(TRACKING_PREFIXES)


def _normalize_path(path: str) -> str:
    if not path:
        return "/"
    # Re-quote so that %7E and ~ (and other equivalent spellings) agree.
    path = quote(unquote(path), safe=_SAFE_PATH)
    trailing = path.endswith("/")
    cleaned = posixpath.normpath(path)
    if cleaned.startswith("//"):
        cleaned = "/" + cleaned.lstrip("/")
    if trailing and cleaned != "/":
        cleaned += "/"
    return cleaned


def _normalize_host(raw: str, host: str) -> str:
    host = host.rstrip(".").lower()
    if not host:
        raise _reject(raw, "no host")
    if host.startswith("[") or ":" in host:
        return host if host.startswith("[") else f"[{host}]"
    try:
        encoded = host.encode("idna").decode("ascii")
        # An ASCII host passes the codec untouched, even a broken A-label like
        # xn--ab: check each one as the fetcher (httpx, IDNA 2008) will.
        for label in encoded.split("."):
            if label.startswith("xn--"):
                idna.decode(label)
    except UnicodeError as exc:  # idna.IDNAError is one
        raise _reject(raw, "invalid host name") from exc
    return encoded


def normalize_url(raw: str) -> str:
    """Return the canonical spelling of an http(s) URL, or raise UnsupportedURLError."""
    text = raw.strip()
    if not text or re.search(r"[\s\x00-\x1f]", text):
        raise _reject(raw, "empty or contains whitespace")
    try:
        parts = urlsplit(text)
        port = parts.port
    except ValueError as exc:
        raise _reject(raw, str(exc)) from exc
    scheme = parts.scheme.lower()
    if not scheme:
        raise _reject(raw, "no scheme; use http:// or https://")
    if scheme not in SCHEMES:
        raise _reject(raw, f"unsupported scheme '{scheme}:'")
    if parts.username is not None or parts.password is not None:
        raise _reject(raw, "credentials in URLs are not supported")
    host = _normalize_host(raw, parts.hostname or "")
    netloc = host if port is None or port == DEFAULT_PORTS[scheme] else f"{host}:{port}"
    pairs = [
        (k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if not _is_tracking(k)
    ]
    query = urlencode(sorted(pairs), quote_via=quote, safe=_SAFE_QUERY)
    return urlunsplit((scheme, netloc, _normalize_path(parts.path), query, ""))


def site_of(url: str) -> str:
    """The site an URL belongs to: its host without a leading 'www.'."""
    host = (urlsplit(url).hostname or "").lower()
    return host.removeprefix("www.")


def is_site_root(url: str) -> bool:
    parts = urlsplit(url)
    return parts.path in ("", "/") and not parts.query
