"""Captures as WARC/1.1 records (warcio): what ``archiver export --format warc`` writes.

One ``warcinfo`` record opens the file; then, per capture that got an HTTP
response, a ``response`` record and its ``request`` record
(``WARC-Concurrent-To`` the response).

* The response's HTTP block is the status line and the headers as fetched
  (``capture.headers``, kept since revision 0005); for older captures a header
  block is synthesized from the stored fields (Content-Type with its charset,
  ETag, Last-Modified) and marked ``X-Archiver-Headers: synthesized``. The
  HTTP version is not kept: every status line says ``HTTP/1.1``.
* The stored body is the body *as decoded*: gzip/br/deflate and chunking are
  already undone. So ``Content-Encoding``, ``Transfer-Encoding`` and
  ``Content-Length`` are renamed ``X-Archiver-Original-…`` (their values kept)
  and a ``Content-Length`` of the stored bytes is added: a replay tool reads
  the payload as it is.
* ``WARC-Payload-Digest`` is ``sha256:<hex>`` of the payload, which is the
  stored body's own hash (``capture.body_hash``); ``warcio check`` verifies it.
* The request record is reconstructed (``GET``, the path and ``Host``): the
  request headers archiver sent are not stored.
* A 304 (not modified) is a response with an empty payload, as it was fetched.
"""

from __future__ import annotations

import http
from collections.abc import Sequence
from datetime import UTC, datetime
from io import BytesIO
from typing import BinaryIO
from urllib.parse import urlsplit

from warcio.statusandheaders import StatusAndHeaders
from warcio.timeutils import datetime_to_iso_date
from warcio.warcwriter import WARCWriter

from archiver import __version__
from archiver.records.articles import CaptureView

ADJUSTED = ("content-encoding", "transfer-encoding", "content-length")
ORIGINAL = "X-Archiver-Original-"


def warc_date(moment: datetime) -> str:
    """WARC-Date of a time: UTC, to the microsecond (WARC/1.1 allows the fraction)."""
    value: str = datetime_to_iso_date(moment.astimezone(UTC).replace(tzinfo=None), use_micros=True)
    return value


def synthesized_headers(capture: CaptureView) -> list[tuple[str, str]]:
    """A header block for a capture recorded before its headers were kept."""
    found = [("X-Archiver-Headers", "synthesized")]
    if capture.content_type:
        charset = f"; charset={capture.charset}" if capture.charset else ""
        found.append(("Content-Type", capture.content_type + charset))
    if capture.etag:
        found.append(("ETag", capture.etag))
    if capture.last_modified:
        found.append(("Last-Modified", capture.last_modified))
    return found


def response_headers(capture: CaptureView, body_length: int) -> list[tuple[str, str]]:
    """The headers as fetched, made consistent with the stored (decoded) body."""
    given: Sequence[tuple[str, str]] = (
        capture.headers if capture.headers is not None else synthesized_headers(capture)
    )
    out: list[tuple[str, str]] = []
    for name, value in given:
        if name.lower() in ADJUSTED:
            out.append((ORIGINAL + "-".join(p.capitalize() for p in name.split("-")), value))
        else:
            out.append((name, value))
    out.append(("Content-Length", str(body_length)))
    return out


def status_line(status: int) -> str:
    try:
        return f"{status} {http.HTTPStatus(status).phrase}"
    except ValueError:
        return str(status)


class WarcWriter:
    """Writes gzip-compressed WARC/1.1 records to a binary stream, one capture at a time."""

    def __init__(self, out: BinaryIO, *, filename: str, description: str) -> None:
        self._writer = WARCWriter(out, gzip=True, warc_version="1.1")
        self.records = 0
        info = {
            "software": f"archiver {__version__}",
            "format": "WARC File Format 1.1",
            "conformsTo": "https://iipc.github.io/warc-specifications/specifications/warc-format/warc-1.1/",
            "description": description,
        }
        self._write(self._writer.create_warcinfo_record(filename, info))

    def _write(self, record: object) -> None:
        self._writer.write_record(record)
        self.records += 1

    def add(self, capture: CaptureView, body: bytes) -> None:
        """The capture's response (``body``: its stored bytes) and request records."""
        assert capture.status is not None
        uri = capture.final_url or capture.requested_url
        date = warc_date(capture.fetched_at)
        http_headers = StatusAndHeaders(
            status_line(capture.status),
            response_headers(capture, len(body)),
            protocol="HTTP/1.1",
        )
        warc_headers = {"WARC-Date": date}
        if capture.body_hash is not None:
            warc_headers["WARC-Payload-Digest"] = f"sha256:{capture.body_hash}"
        response = self._writer.create_warc_record(
            uri, "response", payload=BytesIO(body), length=len(body),
            http_headers=http_headers, warc_headers_dict=warc_headers,
        )  # fmt: skip
        self._write(response)
        parts = urlsplit(uri)
        target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        request_headers = StatusAndHeaders(
            f"GET {target} HTTP/1.1", [("Host", parts.netloc)], is_http_request=True
        )
        concurrent = response.rec_headers.get_header("WARC-Record-ID")
        request = self._writer.create_warc_record(
            uri, "request", http_headers=request_headers,
            warc_headers_dict={"WARC-Date": date, "WARC-Concurrent-To": concurrent},
        )  # fmt: skip
        self._write(request)
