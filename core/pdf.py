"""The PDF pieces every printed document of the portal shares: the embedded Chinese font and the
vector QR code. The 入户信息卡 (hukou_card.pdf) and the 申报表 (applications.form_pdf) both draw
with them, so they live here, below both.

The TrueType font wqy-zenhei is embedded (subset) so a document looks the same everywhere; it is
registered once per process (≈0.1–0.4 s), never per document (PITFALLS.md). A document may pin its
fixed wording (pin_text): the subsets made of it are then embedded from a per-process cache.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass

from django.conf import settings
from reportlab.pdfbase import pdfdoc, pdfmetrics
from reportlab.pdfbase.ttfonts import FF_NONSYMBOLIC, FF_SYMBOLIC, SUBSETN, TTFont, makeToUnicodeCMap

FONT = "WQY-ZenHei"

_font_lock = threading.Lock()
_font_registered = False


def register_font() -> None:
    global _font_registered
    if _font_registered:
        return
    with _font_lock:
        if not _font_registered:
            from reportlab import rl_config

            # wqy-zenhei has TrueType outlines; CFF (Noto CJK .otf) would fail (PITFALLS.md).
            font = PinnedSubsetFont(FONT, settings.CARD_FONT_PATH, subfontIndex=0)
            _cache_font_tables(font.face)
            pdfmetrics.registerFont(font)
            # Binary (deflated) streams only: ASCII85 on top makes the file a quarter larger and
            # costs milliseconds per card. Every PDF the portal writes is binary-safe.
            rl_config.useA85 = 0
            _font_registered = True


def _cache_font_tables(face) -> None:
    """Subsetting reads whole tables (glyf is megabytes) by slicing the font file, once for every
    subset of every card; keep each table after its first read instead."""
    tables: dict[str, bytes] = {}
    read_table = face.get_table

    def get_table(tag: str) -> bytes:
        if tag not in tables:
            tables[tag] = read_table(tag)
        return tables[tag]

    face.get_table = get_table


def pin_text(pdf, text: str) -> None:
    """Number the characters of `text`, a document's fixed wording, first in the font subsets of
    the document on canvas `pdf`, so its leading subsets are the same on every render and are
    embedded from the per-process cache (PinnedSubsetFont). Call it before anything is drawn.
    Drawing is unchanged: only the order in which reportlab numbers the glyphs is."""
    font = pdfmetrics.getFont(FONT)
    font.pin(pdf._doc, text)


class PinnedSubsetFont(TTFont):
    """The TrueType font, with the subsets of a document's pinned characters embedded from a
    per-process cache.

    reportlab numbers a document's characters into subsets of up to 256 in the order they are
    first drawn and, when the PDF is written, cuts every subset out of the font and deflates it:
    about a third of a card's render (bench/cards.py). A subset made only of pinned characters
    (pin_text: the card's labels and notes) and ASCII is the same bytes in every document that
    pinned the same text, so its font program and ToUnicode map are built once per process. A
    subset holding any other character (a name, an address) is built for its document alone, as
    reportlab does: nothing drawn for one document is kept for another.
    """

    # Distinct pinned subsets kept; the card needs two (the fixed wording fills one and a half).
    MAX_CACHED_SUBSETS = 16

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._cached: dict[tuple[int, ...], _EmbeddedSubset] = {}
        self._cached_lock = threading.Lock()

    def pin(self, doc, text: str) -> None:
        if doc in self.state:
            raise ValueError("pin_text() must come before anything is drawn on the document.")
        self.splitString(text, doc)
        # ASCII is numbered in subset 0 of every document (reportlab's asciiReadable), 0 is .notdef.
        self.state[doc].pinned = frozenset(map(ord, text)) | frozenset(range(128))

    def addObjects(self, doc) -> None:
        state = self.state.get(doc)
        pinned = getattr(state, "pinned", None)
        if pinned is None or not doc.compression:
            super().addObjects(doc)
            return
        # reportlab 5.1's TTFont.addObjects and TTFontFace.addSubsetObjects, the font program and
        # the ToUnicode map of pinned subsets coming already deflated from the cache.
        state.frozen = 1
        face = self.face
        for n, subset in enumerate(state.subsets):
            internal_name = self.getSubsetInternalName(n, doc)[1:]
            base_font_name = b"".join((SUBSETN(n), b"+", face.name, face.subfontNameX)).decode("pdfdoc")
            if pinned.issuperset(subset):
                embedded = self._pinned_subset(base_font_name, subset)
                font_file, cmap = _deflated_stream(embedded.program), _deflated_stream(embedded.to_unicode)
                program_length, widths = embedded.program_length, embedded.widths
            else:
                program = face.makeSubset(subset)
                program_length = len(program)
                font_file = _stream_to_deflate(program)
                cmap = _stream_to_deflate(makeToUnicodeCMap(base_font_name, subset))
                widths = pdfdoc.PDFArray([face.getCharWidth(code) for code in subset])
            font_file.dictionary["Length1"] = program_length
            descriptor = pdfdoc.PDFDictionary(
                {
                    "Type": "/FontDescriptor",
                    "Ascent": face.ascent,
                    "CapHeight": face.capHeight,
                    "Descent": face.descent,
                    "Flags": (face.flags & ~FF_NONSYMBOLIC) | FF_SYMBOLIC,
                    "FontBBox": pdfdoc.PDFArray(face.bbox),
                    "FontName": pdfdoc.PDFName(base_font_name),
                    "ItalicAngle": face.italicAngle,
                    "StemV": face.stemV,
                    "FontFile2": doc.Reference(font_file, f"fontFile:{face.filename}({base_font_name})"),
                    "MissingWidth": face.defaultWidth,
                }
            )
            pdf_font = pdfdoc.PDFTrueTypeFont()
            pdf_font.__Comment__ = f"Font {self.fontName} subset {n}"
            pdf_font.Name = internal_name
            pdf_font.BaseFont = base_font_name
            pdf_font.FirstChar = 0
            pdf_font.LastChar = len(subset) - 1
            pdf_font.Widths = widths
            pdf_font.ToUnicode = doc.Reference(cmap, f"toUnicodeCMap:{base_font_name}")
            pdf_font.FontDescriptor = doc.Reference(descriptor, f"fontDescriptor:{base_font_name}")
            doc.Reference(pdf_font, internal_name)
            doc.idToObject["BasicFonts"].dict[internal_name] = pdf_font
        del self.state[doc]

    def _pinned_subset(self, base_font_name: str, subset: list[int]) -> _EmbeddedSubset:
        """A subset of pinned characters as it is embedded: a function of the subset alone,
        built once per process."""
        key = tuple(subset)
        embedded = self._cached.get(key)
        if embedded is None:
            program = self.face.makeSubset(subset)
            widths = pdfdoc.PDFArray([self.face.getCharWidth(code) for code in subset])
            embedded = _EmbeddedSubset(
                program=pdfdoc.PDFZCompress.encode(program),
                program_length=len(program),
                to_unicode=pdfdoc.PDFZCompress.encode(makeToUnicodeCMap(base_font_name, subset)),
                # Formatted once too: a PDF array of integers reads the same in every document.
                widths=widths.format(None),
            )
            with self._cached_lock:
                if len(self._cached) < self.MAX_CACHED_SUBSETS:
                    self._cached[key] = embedded
        return embedded


@dataclass(frozen=True)
class _EmbeddedSubset:
    program: bytes  # the TrueType subset, deflated
    program_length: int  # its length before deflating (/Length1)
    to_unicode: bytes  # the ToUnicode CMap, deflated
    widths: bytes  # the /Widths array, formatted (reportlab writes bytes as they are)


def _stream_to_deflate(content: bytes | str) -> pdfdoc.PDFStream:
    stream = pdfdoc.PDFStream(content=content)
    stream.filters = [pdfdoc.PDFZCompress]
    return stream


def _deflated_stream(content: bytes) -> pdfdoc.PDFStream:
    """A stream of bytes deflated already: reportlab filters no stream whose /Filter is set."""
    stream = pdfdoc.PDFStream(content=content)
    stream.dictionary["Filter"] = pdfdoc.PDFArray([pdfdoc.PDFName(pdfdoc.PDFZCompress.pdfname)])
    return stream


def qr_matrix(text: str) -> list[list[bool]]:
    import qrcode
    from qrcode.constants import ERROR_CORRECT_M

    # A fixed mask pattern skips the eight trial encodings qrcode runs to pick one (≈5 ms); any
    # mask is a valid QR code that every reader decodes.
    version = _qr_versions.get(len(text))
    code = qrcode.QRCode(version=version, error_correction=ERROR_CORRECT_M, border=0, mask_pattern=2)
    code.add_data(text)
    code.make(fit=version is None)
    # Verification links all have the same length: find the smallest version once, not per card.
    _qr_versions.setdefault(len(text), code.version)
    return code.get_matrix()


_qr_versions: dict[int, int] = {}


def qr_operators(text: str, *, x: float, y: float, size: float) -> str:
    """The QR code of `text` as PDF path operators: vector rectangles, one per run of dark modules.

    The path is written in module units under one scaling matrix, so every coordinate is a small
    integer: a few hundred `re` operators cost well under a millisecond this way.
    """
    matrix = qr_matrix(text)
    count = len(matrix)
    scale = size / count
    ops = [f"q 0 g {scale:.4f} 0 0 {scale:.4f} {x:.2f} {y:.2f} cm"]
    for row_index, row in enumerate(matrix):
        bottom = count - 1 - row_index
        start = None
        for col_index, dark in enumerate([*row, False]):
            if dark and start is None:
                start = col_index
            elif not dark and start is not None:
                ops.append(f"{start} {bottom} {col_index - start} 1 re")
                start = None
    ops.append("f Q")
    return "\n".join(ops)


def draw_qr(pdf, text: str, *, x: float, y: float, size: float) -> None:
    """Draw the QR code of `text` on a reportlab canvas, its lower left corner at (x, y)."""
    pdf.addLiteral(qr_operators(text, x=x, y=y, size=size))
