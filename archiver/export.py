"""Export archived articles as files, one per article, safely.

File names are built from article data (site, date, title) that a hostile
page controls, so every component is reduced to ``[a-z0-9-]`` and the final
path is checked to lie inside the target directory before anything is
written. Files are written to a temporary name and renamed into place, so an
interrupted export leaves no half-written file behind.
"""

from __future__ import annotations

import os
import re
import tempfile
import unicodedata
from pathlib import Path

from archiver.errors import ArchiverError

_UNSAFE = re.compile(r"[^a-z0-9]+")
MAX_SLUG = 80


def slug(text: str | None, *, fallback: str) -> str:
    """A file-name-safe component: ASCII letters, digits and single dashes."""
    ascii_text = unicodedata.normalize("NFKD", text or "").encode("ascii", "ignore").decode()
    cleaned = _UNSAFE.sub("-", ascii_text.lower()).strip("-")[:MAX_SLUG].strip("-")
    return cleaned or fallback


def article_path(
    target: Path, *, site: str, title: str | None, article_id: int, published: str | None,
    suffix: str,
) -> Path:  # fmt: skip
    """``target/<site>/<date>-<title>-<id><suffix>``, guaranteed to be inside ``target``."""
    date = slug((published or "")[:10], fallback="undated")
    name = f"{date}-{slug(title, fallback='untitled')}-{article_id}{suffix}"
    path = target / slug(site, fallback="unknown-site") / name
    root = target.resolve()
    if not path.resolve().is_relative_to(root):  # defence in depth; slugs cannot contain "/"
        raise ArchiverError(f"refusing to write outside {target}: {path}")
    return path


def write_file(path: Path, content: str) -> None:
    """Write ``content`` to ``path`` atomically (temp file + rename), never through a symlink."""
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.is_symlink() or path.parent.is_symlink():
        raise ArchiverError(f"refusing to write through a symbolic link: {path}")
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".export-", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(content)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
