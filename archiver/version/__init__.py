"""Version: text normalization, content hashes and diffs."""

from archiver.version.diff import DiffOp, FieldChange, VersionDiff, diff_versions, word_diff
from archiver.version.text import body_hash, content_hash, normalize_text, word_count

__all__ = [
    "DiffOp",
    "FieldChange",
    "VersionDiff",
    "body_hash",
    "content_hash",
    "diff_versions",
    "normalize_text",
    "word_count",
    "word_diff",
]
