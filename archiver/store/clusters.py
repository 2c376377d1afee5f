"""Syndication clusters in the store: signatures, band keys, and near-duplicate lookups.

Each article with a long enough current text has one ``near_signature`` row
(its MinHash signature, ``archiver.version.shingles``) and one ``near_band``
row per LSH band. Both are written in the transaction that records the
version (``writes.record``), or re-extracts the current one in place
(``templates.reextract``), and replaced whenever the current text changes: a
cluster is a relation between articles' *current* texts, never a merge, and
an article's own versions are never compared with each other.

A lookup is indexed, never an in-memory index rebuilt each run: the articles
sharing a band key with the asked ones (``ix_near_band_key``), then their
signatures, verified with the estimated Jaccard similarity against the
threshold. A signature whose text is no longer the article's current one (its
``text_hash`` differs), or of another scheme, is ignored until ``archiver
reextract`` signs the article again (``stale`` / ``sign``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from functools import partial
from typing import TypeVar

from sqlalchemy import and_, delete, or_
from sqlmodel import Session, col, select

from archiver.records.clusters import Cluster, NearDuplicate
from archiver.store import queries
from archiver.store.models import Article, NearBand, NearSignature, Version
from archiver.version.shingles import NearParams, Signature, signature, similarity

T = TypeVar("T")

MAX_CANDIDATES = 5000  # band rows read per lookup at most (a guard against boilerplate)
SIGN_BATCH = 200  # articles read, signed and written per transaction by ``sign``


def put(session: Session, article_id: int, text_hash: str, near: Signature | None) -> None:
    """Replace the article's signature and band keys by ``near`` (None: it has none)."""
    session.execute(delete(NearBand).where(col(NearBand.article_id) == article_id))
    session.execute(delete(NearSignature).where(col(NearSignature.article_id) == article_id))
    if near is None:
        return
    session.add(
        NearSignature(
            article_id=article_id,
            text_hash=text_hash,
            scheme=near.scheme,
            layout=near.layout,
            signature=near.values,
        )
    )
    session.add_all(
        NearBand(article_id=article_id, band=band, key=key) for band, key in enumerate(near.keys)
    )
    session.flush()


def _current(session: Session, ids: Iterable[int], params: NearParams) -> dict[int, bytes]:
    """The signatures of these articles that are of their current text and of this scheme."""
    wanted = sorted(set(ids))
    if not wanted:
        return {}
    rows = session.exec(
        select(NearSignature.article_id, NearSignature.signature)
        .join(Article, col(Article.id) == col(NearSignature.article_id))
        .join(
            Version,
            and_(
                col(Version.article_id) == col(Article.id),
                col(Version.seq) == col(Article.version_count),
            ),
        )
        .where(
            col(NearSignature.article_id).in_(wanted),
            col(NearSignature.text_hash) == col(Version.text_hash),
            col(NearSignature.scheme) == params.scheme,
        )
    )
    return {article_id: values for article_id, values in rows}


def pairs(
    session: Session, article_ids: Sequence[int], params: NearParams
) -> dict[int, list[tuple[int, float]]]:
    """Per asked article: the other articles whose current text is a near duplicate of its
    own, with the similarity, most similar first (articles with none are absent)."""
    if not article_ids or not params.enabled:
        return {}
    # Two plain indexed lookups (the primary key, then ix_near_band_key), not a self-join a
    # planner may turn into a scan of the whole table.
    own = session.exec(
        select(NearBand.article_id, NearBand.key).where(
            col(NearBand.article_id).in_(sorted(set(article_ids)))
        )
    ).all()
    owners: dict[int, set[int]] = {}
    for article_id, key in own:
        owners.setdefault(key, set()).add(article_id)
    sharing = session.exec(
        select(NearBand.article_id, NearBand.key)
        .where(col(NearBand.key).in_(sorted(owners)))
        .limit(MAX_CANDIDATES)
    ).all()
    candidates = sorted(
        {(mine, other) for other, key in sharing for mine in owners[key] if mine != other}
    )
    signatures = _current(session, (i for pair in candidates for i in pair), params)
    found: dict[int, list[tuple[int, float]]] = {}
    for left, right in candidates:
        if left not in signatures or right not in signatures:
            continue
        score = similarity(signatures[left], signatures[right])
        if score >= params.threshold:
            found.setdefault(left, []).append((right, score))
    for near in found.values():
        near.sort(key=lambda item: (-item[1], item[0]))
    return found


def near_duplicates(session: Session, article_id: int, params: NearParams) -> list[NearDuplicate]:
    queries.get_article(session, article_id)
    near = pairs(session, [article_id], params).get(article_id, [])
    rows = session.exec(
        select(Article.id, Article.canonical_url, Article.site).where(
            col(Article.id).in_([i for i, _ in near])
        )
    )
    where = {i: (url, site) for i, url, site in rows}
    return [NearDuplicate(i, *where[i], round(score, 4)) for i, score in near]


def clusters(session: Session, article_ids: Sequence[int], params: NearParams) -> list[Cluster]:
    """The clusters the asked articles belong to (with members found beyond them), each
    at least two articles, newest first by their newest member."""
    found = pairs(session, article_ids, params)
    parent: dict[int, int] = {}

    def root(node: int) -> int:
        parent.setdefault(node, node)
        while parent[node] != node:
            parent[node] = parent[parent[node]]
            node = parent[node]
        return node

    links: dict[tuple[int, int], float] = {}
    for left, near in found.items():
        for right, score in near:
            links[min(left, right), max(left, right)] = score
            parent[root(left)] = root(right)
    groups: dict[int, list[int]] = {}
    for node in list(parent):
        groups.setdefault(root(node), []).append(node)
    summaries = queries.summaries_by_id(session, list(parent))
    made = []
    for members in groups.values():
        items = sorted(
            (summaries[m] for m in members if m in summaries),
            key=lambda s: (s.first_seen, s.id),
            reverse=True,
        )
        ids = {s.id for s in items}
        held = tuple((a, b, round(v, 4)) for (a, b), v in sorted(links.items()) if a in ids)
        made.append(Cluster(tuple(items), held))
    made.sort(key=lambda c: (c.articles[0].first_seen, c.articles[0].id), reverse=True)
    return [c for c in made if len(c.articles) > 1]


def stale(
    session: Session, *, params: NearParams, site: str | None, after: int, limit: int = SIGN_BATCH
) -> list[tuple[int, str, str]]:
    """(article id, text hash, text) of the current versions whose signature is missing,
    of an older text, or of another scheme or band layout; by id, after ``after``."""
    stmt = (
        select(Article.id, Version.text_hash, Version.text)
        .join(
            Version,
            and_(
                col(Version.article_id) == col(Article.id),
                col(Version.seq) == col(Article.version_count),
            ),
        )
        .join(NearSignature, col(NearSignature.article_id) == col(Article.id), isouter=True)
        .where(col(Article.id) > after)
        .where(
            or_(
                col(NearSignature.article_id).is_(None),
                col(NearSignature.text_hash) != col(Version.text_hash),
                col(NearSignature.scheme) != params.scheme,
                col(NearSignature.layout) != params.layout,
            )
        )
    )
    if site is not None:
        stmt = stmt.where(Article.site == site)
    rows = session.exec(stmt.order_by(col(Article.id)).limit(limit))
    return [(article_id or 0, text_hash, text) for article_id, text_hash, text in rows]


def sign(session: Session, *, signed: Sequence[tuple[int, str, Signature | None]]) -> int:
    """Store signatures computed from ``stale`` rows whose text is still current;
    returns how many articles got one."""
    count = 0
    for article_id, text_hash, near in signed:
        # The article's row locked like writes.lock_article: a concurrent new version waits.
        current = session.exec(
            select(Version.text_hash)
            .join(Article, col(Article.id) == col(Version.article_id))
            .where(Version.article_id == article_id, Version.seq == Article.version_count)
            .with_for_update(of=Article)
        ).first()
        if current == text_hash:
            put(session, article_id, text_hash, near)
            count += near is not None
    return count


# -- Store methods --------------------------------------------------------------------


class ClustersMixin:
    """Syndication clusters as ``Store`` methods (``_near``: the ``[clusters]`` settings)."""

    _near: NearParams

    def _read(self, doing: str, work: Callable[[Session], T]) -> T:
        raise NotImplementedError

    def _write(self, doing: str, work: Callable[[Session], T]) -> T:
        raise NotImplementedError

    def near_duplicates(self, article_id: int) -> list[NearDuplicate]:
        """The other articles whose current text is a near duplicate of this one's, most
        similar first (none when clustering is off)."""
        near = self._near
        return self._read("finding near duplicates", lambda s: near_duplicates(s, article_id, near))

    def clusters(self, article_ids: Sequence[int]) -> list[Cluster]:
        """The syndication clusters of these articles (see ``clusters``)."""
        near = self._near
        return self._read("grouping near duplicates", lambda s: clusters(s, article_ids, near))

    def sign_articles(self, site: str | None = None) -> int:
        """Sign the current text of every article (of ``site``) that has no valid signature:
        an archive recorded before clusters existed, or a changed ``[clusters]`` setting.
        Batches of ``SIGN_BATCH``: read, sign outside any transaction, write. Returns how
        many articles got a signature."""
        near = self._near
        if not near.enabled:
            return 0
        after, total = 0, 0
        while True:
            rows = self._read(
                "finding unsigned articles", partial(stale, params=near, site=site, after=after)
            )
            if not rows:
                return total
            signed = [(a, h, signature(text, near)) for a, h, text in rows]
            total += self._write("signing articles", partial(sign, signed=signed))
            after = rows[-1][0]
