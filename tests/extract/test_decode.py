"""Bytes to text: every way a page declares (or fails to declare) its encoding."""

from __future__ import annotations

import codecs

import pytest

from archiver.extract import extract_page
from archiver.extract.page import decode_html

URL = "https://nouvelles.example.fr/article"
TEXT = (
    "Le café de la gare a rouvert ses portes après des années de travaux. "
    "Les habitants sont ravis, déclare le maire, qui promet une fête à Noël."
)
SMART = "\u201cC\u2019est formidable\u201d, dit-il \u2014 et l\u2019\u0153uvre continue. " + TEXT


def page(text: str, head: str = "") -> str:
    return (
        f"<!DOCTYPE html><html lang='fr'><head>{head}<title>Café</title></head>"
        f"<body><article><p>{text}</p></article></body></html>"
    )


CASES = {
    "latin1-in-meta-charset": (page(TEXT, "<meta charset='iso-8859-1'>").encode("latin-1"), None),
    "latin1-in-meta-http-equiv": (
        page(TEXT, '<meta http-equiv="Content-Type" content="text/html; charset=ISO-8859-1">')
        .encode("latin-1"),
        None,
    ),
    "latin1-header-hint": (page(TEXT).encode("latin-1"), "iso-8859-1"),
    "latin1-undeclared": (page(TEXT).encode("latin-1"), None),
    "utf8-bom": (codecs.BOM_UTF8 + page(TEXT).encode("utf-8"), None),
    "utf16-bom": (page(TEXT).encode("utf-16"), None),
    "utf16be-bom": (codecs.BOM_UTF16_BE + page(TEXT).encode("utf-16-be"), None),
    "utf16le-header-no-bom": (page(TEXT).encode("utf-16-le"), "utf-16le"),
    "cp1252-declared-latin1": (page(SMART, "<meta charset='iso-8859-1'>").encode("cp1252"), None),
    "cp1252-declared-cp1252": (page(SMART, "<meta charset=windows-1252>").encode("cp1252"), None),
    "cp1252-undeclared": (page(SMART).encode("cp1252"), None),
    "utf8-behind-a-latin1-header": (page(SMART).encode("utf-8"), "iso-8859-1"),
    "cp1252-behind-a-utf8-meta": (page(SMART, "<meta charset='utf-8'>").encode("cp1252"), None),
}  # fmt: skip


@pytest.mark.parametrize(("body", "charset"), CASES.values(), ids=CASES.keys())
def test_no_mojibake_and_no_replacement_characters(body: bytes, charset: str | None) -> None:
    text = extract_page(body, URL, charset).text
    assert "café de la gare" in text and "Noël" in text
    assert "\ufffd" not in text
    assert "Ã" not in text and "â€" not in text  # classic UTF-8-read-as-cp1252 mojibake
    if "formidable" in text:
        assert "\u201cC\u2019est formidable\u201d" in text and "\u0153uvre" in text


def test_bom_is_not_part_of_the_text() -> None:
    assert not decode_html(codecs.BOM_UTF8 + b"<html></html>").startswith("\ufeff")


def test_undefined_cp1252_bytes_survive_as_code_points() -> None:
    # 0x81 has no cp1252 character; browsers map it to U+0081 instead of failing.
    decoded = decode_html(b"<meta charset='windows-1252'><p>a\x81b \x93q\x94</p>")
    assert "a\x81b \u201cq\u201d" in decoded


def test_utf8_with_one_broken_byte_stays_utf8() -> None:
    body = (
        page("Zoë et Chloé à Paris, naïve café crème.").encode("utf-8")[:-30] + b"\xff" + b"x" * 10
    )
    assert "Zoë et Chloé" in decode_html(body, "utf-8")


def test_shift_jis_declared_in_meta() -> None:
    html = "<html><head><meta charset='shift_jis'></head><body><p>東京都の新しい公園</p></body>"
    body = html.encode("cp932")
    assert "東京都の新しい公園" in decode_html(body)


# -- bytes that are not UTF-8 under a "charset=utf-8" header, and no <meta> charset ------

MISLABELLED = {  # name -> (text, the encoding its bytes are in, <html lang>)
    "english-cp1252": (
        "The mayor said \u201cwe will build it\u201d and it will cost \u20ac5 million"
        " \u2014 or more.",
        "cp1252", "",
    ),
    "french-cp1252": (
        "Le café de la gare a rouvert ses portes après des années. « Formidable », dit-il.",
        "cp1252", "",
    ),
    "german-cp1252": (
        "Der Bürgermeister sagte, \u201ewir bauen es\u201c \u2013 und es kostet 5 Mio. \u20ac.",
        "cp1252", "",
    ),
    "russian-cp1251": ("Мэр сказал, что мост будет построен в следующем году.", "cp1251", ""),
    "russian-koi8r": ("Мэр сказал, что мост будет построен в следующем году.", "koi8-r", ""),
    "greek-cp1253": ("Ο δήμαρχος είπε ότι η γέφυρα θα χτιστεί τον επόμενο χρόνο.", "cp1253", ""),
    "polish-cp1250": ("Burmistrz powiedział: zażółć gęślą jaźń w przyszłym roku.", "cp1250", ""),
    "polish-cp1250-lang": ("Burmistrz powiedział, że most zostanie zbudowany w przyszłym roku.",
                           "cp1250", " lang='pl'"),
    "czech-cp1250": ("Starosta řekl, že most bude postaven příští rok za pět milionů.",
                     "cp1250", ""),
    "hebrew-cp1255": ("ראש העיר אמר שהגשר ייבנה בשנה הבאה בחמישה מיליון.", "cp1255", ""),
    "arabic-cp1256": ("قال رئيس البلدية إن الجسر سيبنى العام المقبل بخمسة ملايين.", "cp1256", ""),
    "chinese-gb2312": ("市长说，这座桥将在明年建成，耗资五百万元。", "gb2312", ""),
    "korean-euckr": ("시장은 다리가 내년에 건설될 것이라고 말했다.", "euc-kr", ""),
    "japanese-sjis": ("市長は、橋は来年完成すると述べた。", "shift_jis", ""),
    "turkish-cp1254-lang": ("Belediye başkanı köprünün gelecek yıl inşa edileceğini söyledi.",
                            "cp1254", " lang='tr'"),
}  # fmt: skip


@pytest.mark.parametrize(("text", "encoding", "lang"), MISLABELLED.values(), ids=MISLABELLED)
def test_mislabelled_utf8_prefers_cp1252_unless_the_guess_is_clearly_better(
    text: str, encoding: str, lang: str
) -> None:
    html = f"<html{lang}><body><article><p>{' '.join([text] * 8)}</p></article></body></html>"
    assert text in decode_html(html.encode(encoding), "utf-8")


def test_one_short_cp1252_line_is_not_a_baltic_dos_page() -> None:
    line = "The mayor said \u201cwe will build it\u201d and it will cost \u20ac5 million."
    assert line in decode_html(f"<p>{line}</p>".encode("cp1252"), "utf-8")
