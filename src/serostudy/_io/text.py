"""Text of data files: encoding detection, and Persian/Arabic digits and letters.

Encoding of a text data file (CSV/TSV/TXT), when neither ``data.encoding`` in
``study.yaml`` nor ``--encoding`` declares it -- the rule, in this order
(:func:`detect_encoding`):

1. a byte-order mark decides: ``EF BB BF`` UTF-8, ``FF FE`` UTF-16 little-endian,
   ``FE FF`` UTF-16 big-endian (Excel's "Unicode text" is UTF-16 LE with a BOM);
2. bytes that are valid UTF-8 are UTF-8 (a file of ASCII bytes only reads the same in
   every candidate encoding: no choice is made and none is recorded);
3. bytes that decode as Windows-1256, whose non-ASCII characters are at least
   :data:`ARABIC_SCRIPT_SHARE` (90 %) Arabic-script letters, digits, punctuation or
   joiners, and where no Arabic-script character touches an ASCII letter (as in
   misread Latin text: ``España`` in Windows-1256 reads ``Espaًa``), nor any C1
   control character (U+0080-U+009F), are Windows-1256;
   otherwise the same test with ISO-8859-6 (when both fit, Windows-1256 is taken and
   the recorded choice says that ISO-8859-6 would also fit: Persian words such as
   ``مرد`` are Arabic letters in both);
4. anything else stops with a :class:`~serostudy.exceptions.DataError` naming the
   file, the byte offset and line of the first byte that is not UTF-8, and how to
   declare the encoding.

A Latin-1 file with ``café`` or ``España`` fails step 3 (``é`` is not Arabic script in
Windows-1256; in ISO-8859-6 it is, but touches Latin letters) and so stops at step 4
instead of being read as Arabic: the rule never guesses between scripts.

Numbers (:func:`normalize_number_text`): Persian ``۰-۹`` and Arabic-Indic ``٠-٩``
digits, the Arabic decimal separator ``٫`` (U+066B) and thousands separator ``٬``
(U+066C, only in valid groups of three: ``۱٬۲۳۴`` is 1234, ``۱٬۲`` is refused),
bidirectional marks that spreadsheets put around numbers, the Arabic comma ``،``
and percent ``٪`` (mapped to ``,`` and ``%``, which a number cell then refuses with
the usual hint).

Labels (:func:`fold_label`): the key used to match category and group labels to the
codebook: NFC, Arabic ``ي``/``ى`` -> Persian ``ی``, Arabic ``ك`` -> Persian ``ک``,
tatweel ``ـ`` and zero-width (non-)joiners and bidi marks removed, runs of spaces to
one, decimal digits of any script to ASCII, case folded.  Both sides are folded for the
comparison; the codebook's spelling is what the analysis uses.
"""

from __future__ import annotations

import codecs
import os
import re
import unicodedata
from dataclasses import dataclass

__all__ = [
    "ARABIC_SCRIPT_SHARE",
    "DecodedText",
    "decode_text",
    "detect_encoding",
    "fold_label",
    "normalize_number_text",
]

#: Smallest share of non-ASCII characters that must be Arabic script for step 3 of the
#: detection rule to accept Windows-1256 / ISO-8859-6.
ARABIC_SCRIPT_SHARE = 0.90

_BOMS = (
    (codecs.BOM_UTF8, "utf-8-sig", "UTF-8 with byte-order mark"),
    (codecs.BOM_UTF16_LE, "utf-16", "UTF-16 little-endian with byte-order mark"),
    (codecs.BOM_UTF16_BE, "utf-16", "UTF-16 big-endian with byte-order mark"),
)

# bidi marks and embeddings/isolates that spreadsheets put around numbers and labels
_BIDI = dict.fromkeys(map(ord, "\u200e\u200f\u061c\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\ufeff"), None)


@dataclass(frozen=True)
class DecodedText:
    """A decoded text file and how its encoding was decided.

    Attributes
    ----------
    text
        The text, without a byte-order mark.
    encoding
        Python codec name used (``utf-8``, ``utf-8-sig``, ``utf-16``, ``cp1256``,
        ``iso8859-6``, or the declared one).
    how
        ``"declared"``, ``"byte-order mark"``, ``"valid UTF-8"``, ``"ascii"`` (no choice
        needed) or ``"Arabic-script text"``.
    detail
        One sentence for the list of automatic choices ("" when nothing was chosen).
    """

    text: str
    encoding: str
    how: str
    detail: str = ""


def _is_arabic_script(ch: str) -> bool:
    o = ord(ch)
    return (
        0x0600 <= o <= 0x06FF or 0x0750 <= o <= 0x077F or 0xFB50 <= o <= 0xFDFF or 0xFE70 <= o <= 0xFEFF
        or o in (0x200C, 0x200D, 0x200E, 0x200F, 0x00AB, 0x00BB, 0x00A0)
    )


# A Latin (ASCII or Latin-1) letter glued to an Arabic one: Latin-1 text misread (``España`` in Windows-1256
# is ``Espaًa``, ``Orléans`` in ISO-8859-6 is ``Orlةans``); Persian words never do this.
_LATIN_TOUCHES_ARABIC = re.compile(r"[A-Za-z\u00c0-\u00ff][\u0600-\u06ff]|[\u0600-\u06ff][A-Za-z\u00c0-\u00ff]")


def _where(data: bytes, offset: int) -> str:
    line = data.count(b"\n", 0, offset) + 1
    return f"byte offset {offset} (line {line}, byte 0x{data[offset]:02X})"


def _how_to_declare() -> str:
    return ("declare the encoding: `encoding: windows-1256` (or utf-8, utf-16, iso-8859-6, latin-1) under "
            "`data:` in study.yaml, or `--encoding windows-1256` on the command line")


def check_encoding_name(name: str) -> str:
    """The Python codec name of ``name`` (``windows-1256`` -> ``cp1256``); ``LookupError`` if unknown."""
    return codecs.lookup(name).name


def decode_text(data: bytes, *, file: str, encoding: str | None = None) -> DecodedText:
    """Decode a text data file by the declared ``encoding`` or the rule of this module.

    Raises
    ------
    DataError
        Naming the file and the first byte that does not decode.

    Notes
    -----
    Validated against files written by Python's own ``utf-8``, ``utf-8-sig``,
    ``utf-16`` (LE and BE with BOM), ``cp1256``, ``iso8859-6`` and ``latin-1`` codecs
    (``tests/core/test_persian_input.py``).
    """
    from serostudy.exceptions import DataError

    if encoding is not None:
        try:
            codec = check_encoding_name(encoding)
        except LookupError:
            raise DataError(f"unknown encoding {encoding!r}; expected a name such as utf-8, utf-16, windows-1256",
                            file=file) from None
        if codec in ("utf-8", "utf-16", "utf-32"):  # strip a BOM if present
            codec = {"utf-8": "utf-8-sig"}.get(codec, codec)
        try:
            text = data.decode(codec)
        except UnicodeDecodeError as exc:
            raise DataError(f"cannot be read as the declared encoding {encoding!r}: {exc.reason} at "
                            f"{_where(data, exc.start)}; check the declared encoding", file=file) from None
        return DecodedText(text.lstrip("\ufeff"), codec, "declared")
    for bom, codec, label in _BOMS:
        if data.startswith(bom):
            try:
                text = data.decode(codec)
            except UnicodeDecodeError as exc:
                raise DataError(f"starts with a {label} but {exc.reason} at {_where(data, exc.start)}",
                                file=file) from None
            return DecodedText(text, codec, "byte-order mark", f"{file}: read as {label} (from its byte-order mark)")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        first_bad = exc.start
    else:
        if text.isascii():
            return DecodedText(text, "utf-8", "ascii")
        return DecodedText(text, "utf-8", "valid UTF-8", f"{file}: read as UTF-8 (no byte-order mark; every byte is valid UTF-8)")
    if data.count(b"\x00") > len(data) // 4:
        raise DataError(f"looks like UTF-16 without a byte-order mark (many zero bytes); {_how_to_declare()} "
                        "(utf-16-le or utf-16-be)", file=file)
    fits: list[DecodedText] = []
    for codec, label in (("cp1256", "Windows-1256"), ("iso8859-6", "ISO-8859-6")):
        try:
            text = data.decode(codec)
        except UnicodeDecodeError:
            continue
        other = [ch for ch in text if not ch.isascii()]
        if any("\x80" <= ch <= "\x9f" for ch in other):
            continue  # C1 control characters: not text in this encoding
        share = sum(map(_is_arabic_script, other)) / len(other)
        if share >= ARABIC_SCRIPT_SHARE and not _LATIN_TOUCHES_ARABIC.search(text):
            fits.append(DecodedText(
                text, codec, "Arabic-script text",
                f"{file}: read as {label} (not valid UTF-8; in {label} {share:.0%} of its "
                f"{len(other)} non-ASCII characters are Arabic script, >= {ARABIC_SCRIPT_SHARE:.0%})",
            ))
    if len(fits) == 2 and fits[0].text != fits[1].text:
        # Common words (مرد, زن) are Arabic letters in both; Windows-1256 is what Excel on
        # Windows writes, ISO-8859-6 is rare: take it, and say that the other would fit.
        f = fits[0]
        return DecodedText(f.text, f.encoding, f.how, f.detail[:-1] + "; ISO-8859-6 would also read as Arabic "
                           "script, with other letters: declare `encoding: iso-8859-6` if that is the file's encoding)")
    if fits:
        return fits[0]  # one fits, or both read the same
    raise DataError(
        f"cannot tell its text encoding: not UTF-8 (first invalid byte at {_where(data, first_bad)}), no "
        f"byte-order mark, and not Arabic-script text in Windows-1256 or ISO-8859-6; {_how_to_declare()}",
        file=file,
    )


def utf8_file(path: "str | os.PathLike[str]", *, file: str) -> DecodedText | None:
    """Steps 1-2 of the rule for a UTF-8 file, checked in 1 MiB chunks without decoding
    the whole file (``text`` is left empty: pandas reads the file itself); ``None`` when
    the file is not UTF-8 (then :func:`decode_text` decides on the whole bytes)."""
    dec = codecs.getincrementaldecoder("utf-8")()
    ascii_only = True
    with open(path, "rb") as fh:
        head = fh.read(3)
        if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
            return None
        bom = head == codecs.BOM_UTF8
        chunk = b"" if bom else head
        try:
            while True:
                ascii_only = ascii_only and chunk.isascii()
                dec.decode(chunk)
                chunk = fh.read(1 << 20)
                if not chunk:
                    break
            dec.decode(b"", final=True)
        except UnicodeDecodeError:
            return None
    if bom:
        return DecodedText("", "utf-8-sig", "byte-order mark", f"{file}: read as UTF-8 with byte-order mark (from its byte-order mark)")
    if ascii_only:
        return DecodedText("", "utf-8", "ascii")
    return DecodedText("", "utf-8", "valid UTF-8", f"{file}: read as UTF-8 (no byte-order mark; every byte is valid UTF-8)")


def detect_encoding(data: bytes, *, file: str = "<bytes>") -> str:
    """The codec name :func:`decode_text` picks for ``data`` (see the module's rule)."""
    return decode_text(data, file=file).encoding


_GROUPED = re.compile(r"[+-]?\d{1,3}(\u066c\d{3})+(\u066b\d*)?")


def normalize_number_text(text: str) -> str:
    """A numeric cell with Persian/Arabic digits and separators in ASCII form.

    ``۴۲٫۱`` -> ``42.1``; ``۱٬۲۳۴`` -> ``1234``; ``۱٬۲`` keeps its ``٬`` (so the parser
    refuses it: that is not a thousands grouping); ``٪`` -> ``%``; ``،`` -> ``,``;
    bidi marks and the Arabic minus forms are removed/mapped.  ASCII text is returned
    unchanged.
    """
    if text.isascii():
        return text
    text = unicodedata.normalize("NFKC", text.translate(_BIDI)) if any(
        0xFB50 <= ord(c) <= 0xFEFF for c in text) else text.translate(_BIDI)
    text = "".join(str(unicodedata.decimal(ch)) if ch.isdecimal() else ch for ch in text)
    text = text.strip().replace("\u2212", "-")
    if "\u066c" in text:
        if not _GROUPED.fullmatch(text):
            return text  # refused by the parser as not a number
        text = text.replace("\u066c", "")
    return text.replace("\u066b", ".").replace("\u066a", "%").replace("\u060c", ",")


_FOLD = str.maketrans({"\u064a": "\u06cc", "\u0649": "\u06cc", "\u0643": "\u06a9", "\u0640": None,
                       "\u200c": None, "\u200d": None})


def fold_label(text: str) -> str:
    """The comparison key of a category or group label (see the module docstring).

    >>> fold_label("كليه") == fold_label("کلیه")
    True
    >>> fold_label("می\u200cخواهم") == fold_label("میخواهم")
    True
    """
    t = unicodedata.normalize("NFC", text).translate(_BIDI).translate(_FOLD)
    t = "".join(str(unicodedata.decimal(ch)) if ch.isdecimal() and not ch.isascii() else ch for ch in t)
    return " ".join(t.split()).casefold()
