"""The PDF pieces every printed document of the portal shares: the embedded Chinese font and the
vector QR code. The 入户信息卡 (hukou_card.pdf) and the 申报表 (applications.form_pdf) both draw
with them, so they live here, below both.

The TrueType font wqy-zenhei is embedded (subset) so a document looks the same everywhere; it is
registered once per process (≈0.1–0.4 s), never per document (PITFALLS.md).
"""

from __future__ import annotations

import threading

from django.conf import settings

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
            from reportlab.pdfbase import pdfmetrics
            from reportlab.pdfbase.ttfonts import TTFont

            # wqy-zenhei has TrueType outlines; CFF (Noto CJK .otf) would fail (PITFALLS.md).
            font = TTFont(FONT, settings.CARD_FONT_PATH, subfontIndex=0)
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
