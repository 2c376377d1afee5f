"""What a fetch returns: plain data, no httpx types leak out of the fetch stage."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from archiver.errors import HTTPStatusError


@dataclass(frozen=True, slots=True)
class FetchResult:
    """One completed HTTP exchange (after following redirects).

    ``status`` may be any final status (200, 304, 404, 503, ...); transport
    failures raise ``archiver.errors.FetchError`` subclasses instead.
    """

    requested_url: str
    final_url: str
    status: int
    headers: dict[str, str]  # lower-case names; repeated headers joined with ", "
    body: bytes  # decoded of Content-Encoding, at most max_body_bytes
    fetched_at: datetime  # UTC, when the first request was sent
    elapsed: float  # seconds for the whole chain
    redirects: tuple[str, ...] = field(default=())  # every URL visited before final_url

    def raise_for_status(self) -> None:
        """Raise ``HTTPStatusError`` unless the final status is 2xx or 304 (not modified):
        a 4xx or 5xx, or a 3xx that was not followed (no usable Location)."""
        if not (200 <= self.status < 300 or self.status == 304):
            raise HTTPStatusError(f"HTTP {self.status} from {self.final_url}", self.status)

    @property
    def content_type(self) -> str:
        """Media type without parameters, lower-case ('' when absent)."""
        return self.headers.get("content-type", "").split(";")[0].strip().lower()

    @property
    def charset(self) -> str | None:
        """The charset parameter of Content-Type, if any."""
        for part in self.headers.get("content-type", "").split(";")[1:]:
            key, _, value = part.partition("=")
            if key.strip().lower() == "charset" and value.strip():
                return value.strip().strip("\"'").lower()
        return None

    @property
    def etag(self) -> str | None:
        return self.headers.get("etag")

    @property
    def last_modified(self) -> str | None:
        return self.headers.get("last-modified")
