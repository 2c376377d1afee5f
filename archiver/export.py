"""Export archived articles as files, one per article, safely.

File names are built from article data (site, date, title) that a hostile
page controls, so every component is reduced to ``[a-z0-9-]`` and the final
path is checked to lie inside the target directory before anything is
written. Files are written to a temporary name and renamed into place, so an
interrupted export leaves no half-written file behind.

Every file name ends in ``-<article id><suffix>``: the id is what ties a file
to its article, so re-exporting into the same directory finds the files an
article had before (``exported_files``) and removes those whose name changed
with the title or date (``remove_stale``), after the new file is in place.
No manifest is kept: the directory is its own.
"""

from __future__ import annotations

import os
import re
import tempfile
import unicodedata
from collections import defaultdict
from pathlib import Path

from archiver.errors import ArchiverError

_UNSAFE = re.compile(r"[^a-z0-9]+")
_EXPORTED = re.compile(r"[a-z0-9-]+-([0-9]+)(\.[a-z]+)")
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


def exported_files(target: Path, suffix: str) -> dict[int, list[Path]]:
    """The files an earlier export wrote to ``target/<site>/``, by article id.

    Only names an export writes (``[a-z0-9-]+-<id><suffix>``) count, and only
    in real directories: a symbolic link is neither followed nor listed.
    """
    found: dict[int, list[Path]] = defaultdict(list)
    if target.is_symlink() or not target.is_dir():
        return found
    with os.scandir(target) as sites:
        folders = [Path(s.path) for s in sites if s.is_dir(follow_symlinks=False)]
    for folder in folders:
        with os.scandir(folder) as entries:
            for entry in entries:
                named = _EXPORTED.fullmatch(entry.name)
                if named and named[2] == suffix and entry.is_file(follow_symlinks=False):
                    found[int(named[1])].append(Path(entry.path))
    return found


def remove_stale(paths: list[Path], keep: Path) -> int:
    """Remove the files an article had before, except ``keep`` (its file now); how many."""
    removed = 0
    for path in paths:
        if path != keep:
            path.unlink(missing_ok=True)
            removed += 1
    return removed
