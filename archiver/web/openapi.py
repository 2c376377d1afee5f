"""The OpenAPI 3.1 description of ``/api/``, served at ``/api/openapi.json``.

The document is written by hand in ``openapi.json`` beside this module (only
``info.version`` is filled in here). A test checks that every API route is
described there and that nothing else is.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

from archiver import __version__

SOURCE = Path(__file__).with_name("openapi.json")


@cache
def _load() -> str:
    return SOURCE.read_text(encoding="utf-8")


def document() -> dict[str, Any]:
    doc: dict[str, Any] = json.loads(_load())
    doc["info"]["version"] = __version__
    return doc
