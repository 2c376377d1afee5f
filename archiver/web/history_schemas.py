"""The API's shapes of an article's history: its versions and its corrections in place
(``GET /api/articles/{article_id}/versions`` and ``.../reextractions/{number}``).

Kept beside ``schemas.py`` (same base model, same rules); the keys are those of
``archiver history --json``.
"""

from __future__ import annotations

from pydantic import Field

from archiver.web.fields import MAX_SEQ, Time
from archiver.web.schemas import ArticlePath, Shape


class ReextractionPath(ArticlePath):
    number: int = Field(ge=1, le=MAX_SEQ, description="The article's n-th re-extraction.")


class VersionRow(Shape):
    version: int
    created: Time
    title: str | None
    words: int
    words_change: int
    chars: int
    capture_id: int


class ReextractionRow(Shape):
    """A version's text replaced in place by a re-extraction of its own capture (a
    correction, not a new version), as ``archiver history --json`` lists it."""

    version: int = Field(description="The version that was corrected (it keeps its number).")
    created: Time
    reason: str
    old_words: int
    old_text_hash: str
    number: int = Field(description="The article's n-th re-extraction, from 1.")
    old_title: str | None
    old_text_url: str = Field(description="Where the text before the correction is (JSON).")


class History(Shape):
    article_id: int
    url: str
    versions: list[VersionRow]
    reextractions: list[ReextractionRow] = Field(
        description="Corrections in place (archiver reextract), by version."
    )


class Reextraction(Shape):
    """One correction: the text the version had before it, and how much it changed."""

    article_id: int
    number: int
    version: int
    created: Time
    reason: str
    old_title: str | None
    old_text: str
    old_text_hash: str
    new_text_hash: str
    words_added: int = Field(description="Words the correction added (to the text before it).")
    words_removed: int
