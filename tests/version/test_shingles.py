"""MinHash signatures and LSH band keys, against datasketch's own MinHash and MinHashLSH."""

from __future__ import annotations

import pytest
from datasketch import MinHash, MinHashLSH

from archiver.config import ClusterSettings
from archiver.errors import ConfigError
from archiver.version.shingles import (
    NearParams,
    Signature,
    shingles,
    signature,
    similarity,
    words,
)
from tests.fixtures.wire import edited, seed_text

PARAMS = NearParams()


def _sign(text: str, params: NearParams = PARAMS) -> Signature:
    made = signature(text, params)
    assert made is not None
    return made


def _minhash(text: str, params: NearParams = PARAMS) -> MinHash:
    made = MinHash(num_perm=params.num_perm, seed=1)
    made.update_batch(list(shingles(words(text), params.shingle)))
    return made


def test_bands_are_the_ones_minhashlsh_picks() -> None:
    for threshold, num_perm in ((0.8, 128), (0.5, 64), (0.9, 256)):
        lsh = MinHashLSH(threshold=threshold, num_perm=num_perm)
        params = NearParams(threshold=threshold, num_perm=num_perm)
        assert params.bands == (lsh.b, lsh.r)
        assert params.layout == f"{lsh.b}x{lsh.r}"
        assert len(_sign(seed_text(1), params).keys) == lsh.b


def test_signature_and_similarity_are_datasketchs() -> None:
    original, copy, other = seed_text(3), edited(seed_text(3)), seed_text(1)
    ours = [_sign(t) for t in (original, copy, other)]
    theirs = [_minhash(t) for t in (original, copy, other)]
    for mine, reference in zip(ours, theirs, strict=True):
        assert mine.values == reference.hashvalues.astype(">u4").tobytes()
    assert similarity(ours[0].values, ours[1].values) == theirs[0].jaccard(theirs[1])
    assert similarity(ours[0].values, ours[2].values) == theirs[0].jaccard(theirs[2])
    assert similarity(ours[0].values, ours[1].values) >= 0.9
    assert similarity(ours[0].values, ours[2].values) < 0.1


def test_shared_band_keys_are_minhashlsh_candidates() -> None:
    """Two texts share a band key exactly when MinHashLSH returns one for the other."""
    texts = {f"seed{n}": seed_text(n) for n in range(4)}
    texts |= {f"copy{n}": edited(seed_text(n)) for n in range(4)}
    texts["half"] = seed_text(3)[: len(seed_text(3)) // 2]
    lsh = MinHashLSH(threshold=PARAMS.threshold, num_perm=PARAMS.num_perm)
    for name, text in texts.items():
        lsh.insert(name, _minhash(text))
    keys = {name: set(_sign(text).keys) for name, text in texts.items()}
    for name, text in texts.items():
        ours = {other for other in texts if keys[other] & keys[name]}
        assert ours == set(lsh.query(_minhash(text))), name
    assert keys["seed0"] & keys["copy0"] and not keys["seed0"] & keys["seed1"]


def test_short_texts_and_switched_off_get_no_signature() -> None:
    notice = "This content is not available in your region. " * 4  # 36 words
    assert signature(notice, PARAMS) is None
    assert signature(notice, NearParams(min_words=10)) is not None
    assert signature(seed_text(1), NearParams(enabled=False)) is None


def test_words_ignore_case_quotes_and_spacing() -> None:
    assert words("Kim’s  SUMMIT,\u00a0the “DMZ”") == ["kim", "s", "summit", "the", "dmz"]
    assert _sign(seed_text(2)).values == _sign(seed_text(2).upper()).values
    assert shingles(["a", "b"], 5) == {b"a b"}
    assert shingles(["a", "b", "c"], 2) == {b"a b", b"b c"}


def test_signatures_of_other_schemes_or_layouts_are_labelled_so() -> None:
    base = _sign(seed_text(1))
    other_shingle = _sign(seed_text(1), NearParams(shingle=4))
    other_layout = _sign(seed_text(1), NearParams(threshold=0.6))
    assert other_shingle.scheme != base.scheme and other_shingle.values != base.values
    assert other_layout.scheme == base.scheme and other_layout.values == base.values
    assert other_layout.layout != base.layout and not set(other_layout.keys) & set(base.keys)


def test_settings_give_the_params_and_bad_ones_are_refused() -> None:
    params = ClusterSettings(threshold=0.7, shingle=4, num_perm=64, min_words=20).params
    assert params == NearParams(0.7, 4, 64, 20)
    for bad in ({"threshold": 1.0}, {"num_perm": 8}, {"shingle": 0}):
        with pytest.raises(ConfigError):
            NearParams(**bad)  # type: ignore[arg-type]
