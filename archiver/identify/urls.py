"""URL validation and normalization: one spelling per address.

Two URLs that differ only in ways a server never sees or never cares about
(scheme/host case, default port, fragment, query order, tracking parameters,
escapes of unreserved characters, dot segments) normalize to the same string, so
they become one alias of one article. What could name another page is kept:
escapes of reserved characters (``%2F`` is no ``/``), bytes that are no UTF-8
(``%E9``), ``+`` in a query, a ``#!`` fragment. Normalizing twice changes
nothing.
"""

from __future__ import annotations

import re
from urllib.parse import unquote, urlsplit, urlunsplit

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

_UNRESERVED = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")
_ESCAPE = re.compile(r"%([0-9A-Fa-f]{2})")
# Characters kept as they are in a path or a query component (RFC 3986 pchar and the
# delimiters); everything else, raw spaces and non-ASCII text included, is escaped.
_PATH_KEEP = frozenset("!$&'()*+,;=:@/")
_QUERY_KEEP = frozenset("!$'()*+,;:@/?")  # "=" and "&" delimit the pairs


def _reject(raw: str, why: str) -> UnsupportedURLError:
    shown = raw if len(raw) <= 80 else raw[:77] + "..."
    return UnsupportedURLError(f"not an archivable URL: {shown!r} ({why})")


def _is_tracking(name: str) -> bool:
    lowered = name.lower()
    return lowered in TRACKING_PARAMS or lowered.startswith(TRACKING_PREFIXES)


def _component(text: str, keep: frozenset[str]) -> str:
    """One spelling of a path or query component: escapes of unreserved characters
    decoded (``%7E`` is ``~``), every other escape kept with upper-case hex (``%2F`` is
    no ``/``, ``%E9`` that is no UTF-8 stays ``%E9``), other characters outside
    ``keep`` escaped as UTF-8 (a raw space is ``%20``)."""
    out: list[str] = []
    i = 0
    while i < len(text):
        ch = text[i]
        if ch == "%" and _ESCAPE.match(text, i):
            byte = int(text[i + 1 : i + 3], 16)
            out.append(chr(byte) if chr(byte) in _UNRESERVED else f"%{byte:02X}")
            i += 3
            continue
        if ch in _UNRESERVED or ch in keep:
            out.append(ch)
        else:
            out.append("".join(f"%{b:02X}" for b in ch.encode("utf-8", "surrogatepass")))
        i += 1
    return "".join(out)


def remove_dot_segments(path: str) -> str:
    """RFC 3986 section 5.2.4: ``/a/b/../c`` is ``/a/c``, ``/a/b/..`` is ``/a/``."""
    output: list[str] = []
    while path:
        if path.startswith(("../", "./")):
            path = path[path.index("/") + 1 :]
        elif path.startswith("/./") or path == "/.":
            path = "/" + path[3:]
        elif path.startswith("/../") or path == "/..":
            path = "/" + path[4:]
            if output:
                output.pop()
        elif path in (".", ".."):
            path = ""
        else:
            start = 1 if path.startswith("/") else 0
            end = path.find("/", start)
            end = len(path) if end < 0 else end
            output.append(path[:end])
            path = path[end:]
    return "".join(output)


def _normalize_path(path: str) -> str:
    if not path:
        return "/"
    return remove_dot_segments(_component(path, _PATH_KEEP)) or "/"


def _normalize_query(raw: str, query: str) -> str:
    """Pairs without tracking parameters, sorted, each side spelled once; ``+`` and
    escapes of reserved characters are kept as they are (``c%2B%2B`` is no ``c++``)."""
    pairs = []
    for item in query.split("&"):
        if not item:
            continue
        name, eq, value = item.partition("=")
        name, value = _component(name, _QUERY_KEEP), _component(value, _QUERY_KEEP | {"="})
        if not _is_tracking(unquote(name)):
            pairs.append(f"{name}{eq}{value}")
    return "&".join(sorted(pairs))


def _normalize_host(raw: str, host: str) -> str:
    host = host.rstrip(".").lower()
    if not host:
        raise _reject(raw, "no host")
    if host.startswith("[") or ":" in host:
        return host if host.startswith("[") else f"[{host}]"
    try:
        # IDNA 2008 with UTS 46 mapping, as browsers and httpx: faß.de stays faß.de
        # (xn--fa-hia.de), where IDNA 2003 made it fass.de, another domain.
        encoded = idna.encode(host, uts46=True).decode("ascii")
        for label in encoded.split("."):
            if label.startswith("xn--"):
                idna.decode(label)  # a broken A-label (xn--ab) passes encode untouched
    except (UnicodeError, idna.IDNAError) as exc:
        raise _reject(raw, "invalid host name") from exc
    return encoded


def normalize_url(raw: str) -> str:
    """Return the canonical spelling of an http(s) URL, or raise UnsupportedURLError."""
    # As browsers do: leading and trailing spaces go, tabs and newlines anywhere go,
    # other control characters are refused; a space inside is escaped below.
    text = re.sub(r"[\t\n\r]", "", raw).strip()
    if not text or re.search(r"[\x00-\x1f\x7f]", text):
        raise _reject(raw, "empty or contains control characters")
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
    if " " in (parts.netloc or ""):
        raise _reject(raw, "invalid host name")
    query = _normalize_query(raw, parts.query)
    # A hashbang names the page itself (/#!/story/1 and /#!/story/2 are two pages).
    fragment = _component(parts.fragment, _QUERY_KEEP | {"=", "&", "#"})
    fragment = fragment if fragment.startswith("!") else ""
    return urlunsplit((scheme, netloc, _normalize_path(parts.path), query, fragment))


def site_of(url: str) -> str:
    """The site an URL belongs to: its host without a leading 'www.'."""
    host = (urlsplit(url).hostname or "").lower()
    return host.removeprefix("www.")


def is_site_root(url: str) -> bool:
    """The home page: no path, no query, no hashbang (``/#!/story/1`` is a story)."""
    parts = urlsplit(url)
    return parts.path in ("", "/") and not parts.query and not parts.fragment
