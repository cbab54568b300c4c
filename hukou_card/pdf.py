"""Draws the 广州市入户人员信息卡 (the seed's sample) as a one-page A4 PDF with reportlab.

Everything is vector: the table, the red round seal of the issuing bureau and the QR code to the
public verification page. The TrueType font wqy-zenhei is embedded (subset) so the card looks the
same everywhere (core.pdf registers it once per process, never per card).
The canvas is driven directly rather than through platypus: a card must render in a few
milliseconds for the throughput target (bench/cards.py).
"""

from __future__ import annotations

import functools
import io
import math
from dataclasses import MISSING, dataclass, field, fields

from reportlab.pdfbase.pdfmetrics import stringWidth

# The font and the QR code are shared with the 申报表 (applications.form_pdf); bench/cards.py and the
# tests still name register_font and qr_matrix from here.
from core.pdf import FONT, draw_qr, pin_text, register_font
from core.pdf import qr_matrix as qr_matrix  # re-exported

PAGE_WIDTH, PAGE_HEIGHT = 595.28, 841.89  # A4 in points
MARGIN_X = 40
CONTENT_WIDTH = PAGE_WIDTH - 2 * MARGIN_X
# Seven columns: the seed's 随迁人 rows have a leading "随迁人" column; elsewhere labels span 0–1.
COLUMNS = (38, 48, 116, 72, 112, 46, 83.28)
SEAL_RED = (0.86, 0.08, 0.09)
CELL_FONT_SIZE = 9.5
CELL_PADDING = 3.5
LINE_HEIGHT = 12.5
ROW_HEIGHT = 24
SEAL_RADIUS = 44
NOTE_FONT_SIZE = 9
QR_SIZE = 84


@dataclass(frozen=True)
class Companion:
    """One 随迁人 row of the card."""

    name: str
    id_number: str
    relation: str


@dataclass(frozen=True)
class CardData:
    """Everything printed on one card, already formatted as text (built by services.card_data)."""

    number: str
    verification_code: str
    move_type: str
    district: str
    category: str
    name: str
    gender: str
    birth_date: str
    id_number: str
    ethnicity: str
    marital_status: str
    graduate_school: str
    employer: str
    education: str
    degree: str
    position: str
    professional_title: str
    professional_qualification: str
    skill_qualification: str
    shortage_occupation: str
    approval_number: str
    original_registry_office: str
    original_hukou_address: str
    intended_address: str
    issuing_bureau: str
    issued_on: str
    deadline: str
    verify_url: str
    verify_hint_url: str
    seal_code: str
    companions: tuple[Companion, ...] = field(default_factory=tuple)
    main_holder: str = ""  # 随迁 cards: "张三（入户卡号 …）"
    # Signed by the development CA: the card says so across its face (TEST_CARD_LABEL).
    test_card: bool = False


TEST_CARD_LABEL = "测试卡，无法律效力"
TEST_CARD_NOTE = "本卡由开发环境测试CA签章，仅供开发测试，不能用于办理入户"
TITLE = "广州市入户人员信息卡"
SEAL_LABEL = "入户专用章"
QR_CAPTION = "扫码核验真伪"
FOOTER = "本卡经数字签名，任何改动都会使签章失效。真伪核验：{url}（输入入户卡号及验证码）"


def notes(deadline: str) -> list[str]:
    """备注 ①–④ of the seed's card, with the real deadline written into ③."""
    return [
        "①广州市入户信息卡须有电子专用章才有效。",
        "②入户类别与迁入人员身份不一致无效。",
        f"③限于{deadline}前赴公安部门办理入户核准手续，逾期未办理的将注销本卡及随迁人入户卡。"
        "可通过“粤省事”小程序、“穗好办”APP、“广州公安”微信公众号等平台网上申办、咨询查看所需办理材料"
        "或预约到入户地区公安分局办理。",
        "④若放弃入户，主迁人需前往“穗好办”APP广州市户籍迁入专窗申请注销入户卡。"
        "注意：注销主迁人入户卡时，随迁人入户卡将一并注销。",
    ]


@dataclass(frozen=True)
class RenderedCard:
    pdf: bytes
    seal_box: tuple[float, float, float, float]


def render_card(data: CardData) -> RenderedCard:
    register_font()
    from reportlab.pdfgen import canvas

    buffer = io.BytesIO()
    pdf = canvas.Canvas(
        buffer,
        pagesize=(PAGE_WIDTH, PAGE_HEIGHT),
        pageCompression=1,
        initialFontName=FONT,
        initialFontSize=CELL_FONT_SIZE,
    )
    # The wording every card carries is numbered first in the font's subsets, the same way on every
    # card, so its glyphs are embedded from the per-process cache (core.pdf.PinnedSubsetFont).
    pin_text(pdf, _fixed_text(test_card=data.test_card))
    pdf.setTitle(f"{TITLE} {data.number}")
    pdf.setAuthor(data.issuing_bureau)
    pdf.setSubject(f"审批文号 {data.approval_number}")
    pdf.setCreator("广州市人事电子政务系统 人才引进申办系统")

    if data.test_card:
        _draw_test_card_watermark(pdf)
    y = PAGE_HEIGHT - 58
    _draw_title(pdf, y)
    y -= 26
    pdf.setFont(FONT, 9.5)
    pdf.setFillColorRGB(0, 0, 0)
    pdf.drawString(MARGIN_X, y, f"入户卡号：{data.number}")
    pdf.drawRightString(MARGIN_X + CONTENT_WIDTH, y, f"验证码：{data.verification_code}")
    if data.main_holder:
        y -= 14
        pdf.drawString(MARGIN_X, y, f"主迁人：{data.main_holder}")
    y -= 8

    y, seal_centre = _draw_table(pdf, data, top=y)
    seal_box = _draw_seal(pdf, seal_centre, bureau=data.issuing_bureau, code=data.seal_code)
    _draw_notes_and_qr(pdf, data, top=y - 14)

    pdf.setFont(FONT, 7.5)
    pdf.setFillColorRGB(0.35, 0.35, 0.35)
    pdf.drawCentredString(
        PAGE_WIDTH / 2,
        30,
        FOOTER.format(url=data.verify_hint_url),
    )
    if data.test_card:
        _draw_test_card_band(pdf)
    pdf.showPage()
    pdf.save()
    return RenderedCard(pdf=buffer.getvalue(), seal_box=seal_box)


@functools.cache
def _fixed_text(*, test_card: bool) -> str:
    """Every character of the card's fixed wording, once each, in the order it is drawn; a test
    card's labels last, so both kinds share the subsets of the rest."""
    blank = CardData(
        **{f.name: "" for f in fields(CardData) if f.default is MISSING and f.default_factory is MISSING}
    )
    labels = [text for row in _rows(blank) for _first, _last, text, is_label in row if is_label]
    text = "".join(
        [TITLE, "入户卡号：验证码：主迁人：", *labels, "签发单位签发日期", SEAL_LABEL, "备注：", *notes(""),
         QR_CAPTION, FOOTER.format(url="")]
    )  # fmt: skip
    if test_card:
        text += TEST_CARD_LABEL + TEST_CARD_NOTE
    return "".join(dict.fromkeys(text))


def _draw_test_card_watermark(pdf) -> None:
    """测试卡，无法律效力 three times across the page, diagonal and pale, under everything else: no
    part of a test card can be cut out and passed off as a genuine one."""
    pdf.saveState()
    pdf.setFillColorRGB(*SEAL_RED)
    pdf.setFillAlpha(0.13)
    pdf.setFont(FONT, 46)
    for centre_y in (PAGE_HEIGHT * 0.74, PAGE_HEIGHT * 0.48, PAGE_HEIGHT * 0.22):
        pdf.saveState()
        pdf.translate(PAGE_WIDTH / 2, centre_y)
        pdf.rotate(28)
        pdf.drawCentredString(0, -16, TEST_CARD_LABEL)
        pdf.restoreState()
    pdf.restoreState()


def _draw_test_card_band(pdf) -> None:
    """A red band across the top margin, above the title, in plain horizontal text."""
    height = 26
    bottom = PAGE_HEIGHT - 8 - height
    pdf.saveState()
    pdf.setFillColorRGB(*SEAL_RED)
    pdf.rect(MARGIN_X, bottom, CONTENT_WIDTH, height, stroke=0, fill=1)
    pdf.setFillColorRGB(1, 1, 1)
    pdf.setFont(FONT, 12.5)
    pdf.drawCentredString(PAGE_WIDTH / 2, bottom + 12, TEST_CARD_LABEL)
    pdf.setFont(FONT, 7.5)
    pdf.drawCentredString(PAGE_WIDTH / 2, bottom + 3.5, TEST_CARD_NOTE)
    pdf.restoreState()


def _draw_title(pdf, baseline: float) -> None:
    pdf.saveState()
    pdf.setFont(FONT, 21)
    # wqy-zenhei has no bold face: fill and stroke the glyphs for a heavier title.
    pdf.setLineWidth(0.45)
    text = pdf.beginText()
    text.setTextRenderMode(2)
    text.setFont(FONT, 21)
    title = TITLE
    width = pdf.stringWidth(title, FONT, 21) + 2 * (len(title) - 1)
    text.setCharSpace(2)
    text.setTextOrigin((PAGE_WIDTH - width) / 2, baseline)
    text.textOut(title)
    pdf.drawText(text)
    pdf.restoreState()


def _wrap(text: str, width: float, size: float) -> list[str]:
    """Break a cell's text to fit `width`: character by character, as Chinese text breaks."""
    if stringWidth(text, FONT, size) <= width:
        return [text]
    lines, current, current_width = [], "", 0.0
    for char in text:
        char_width = stringWidth(char, FONT, size)
        if current and current_width + char_width > width:
            lines.append(current)
            current, current_width = "", 0.0
        current += char
        current_width += char_width
    if current:
        lines.append(current)
    return lines


def _column_x(index: int) -> float:
    return MARGIN_X + sum(COLUMNS[:index])


def _span_width(first: int, last: int) -> float:
    return sum(COLUMNS[first : last + 1])


def _rows(data: CardData) -> list[list[tuple[int, int, str, bool]]]:
    """(first column, last column, text, is_label) per cell, row by row, as in the seed's sample."""
    L, V = True, False
    rows = [
        [(0, 1, "迁入类型", L), (2, 2, data.move_type, V), (3, 3, "入户所属区(县)", L), (4, 6, data.district, V)],
        [(0, 1, "入户类别", L), (2, 6, data.category, V)],
        [(0, 1, "姓名", L), (2, 2, data.name, V), (3, 3, "性别", L), (4, 4, data.gender, V),
         (5, 5, "出生日期", L), (6, 6, data.birth_date, V)],
        [(0, 1, "身份证号码", L), (2, 2, data.id_number, V), (3, 3, "民族", L), (4, 4, data.ethnicity, V),
         (5, 5, "婚姻状况", L), (6, 6, data.marital_status, V)],
        [(0, 1, "毕业学校", L), (2, 2, data.graduate_school, V), (3, 3, "迁入单位", L), (4, 6, data.employer, V)],
        [(0, 1, "学历", L), (2, 2, data.education, V), (3, 3, "学位", L), (4, 4, data.degree, V),
         (5, 5, "职务", L), (6, 6, data.position, V)],
        [(0, 1, "职称", L), (2, 2, data.professional_title, V), (3, 3, "专业技术人员职业资格", L),
         (4, 6, data.professional_qualification, V)],
        [(0, 1, "技能人员职业资格", L), (2, 2, data.skill_qualification, V),
         (3, 3, "产业发展急需的行业紧缺工种", L), (4, 6, data.shortage_occupation, V)],
        [(0, 1, "审批文号", L), (2, 6, data.approval_number, V)],
        [(0, 1, "原户口登记机关", L), (2, 6, data.original_registry_office, V)],
        [(0, 1, "原户口所在地", L), (2, 6, data.original_hukou_address, V)],
        [(0, 1, "拟入户地址", L), (2, 6, data.intended_address, V)],
    ]  # fmt: skip
    companions = list(data.companions) + [Companion("", "", "")] * max(0, 3 - len(data.companions))
    for person in companions:
        rows.append(
            [(0, 0, "随迁人", L), (1, 1, "姓名", L), (2, 2, person.name, V), (3, 3, "身份证号", L),
             (4, 4, person.id_number, V), (5, 5, "关系", L), (6, 6, person.relation, V)]
        )  # fmt: skip
    return rows


def _draw_table(pdf, data: CardData, *, top: float) -> tuple[float, tuple[float, float]]:
    pdf.setStrokeColorRGB(0, 0, 0)
    pdf.setLineWidth(0.8)
    pdf.setFillColorRGB(0, 0, 0)
    # Every cell's text goes into one text object, drawn after the rules (they never overlap): a
    # text object per line, as drawString makes, costs about a half more (0.7 -> 1.05 ms a card).
    text = pdf.beginText()
    left, right = MARGIN_X, MARGIN_X + CONTENT_WIDTH
    y = top
    pdf.line(left, y, right, y)
    for row in _rows(data):
        laid_out = []
        height = ROW_HEIGHT
        for first, last, cell, is_label in row:
            lines, size = _fit(cell, _span_width(first, last) - 2 * CELL_PADDING, shrink=is_label)
            laid_out.append((first, last, lines, is_label, size))
            height = max(height, len(lines) * LINE_HEIGHT + 2 * CELL_PADDING + 2)
        bottom = y - height
        for first, last, lines, is_label, size in laid_out:
            _cell_text(
                text,
                first,
                last,
                lines,
                top=y,
                height=height,
                centred=is_label,
                size=size,
            )
            pdf.line(_column_x(first), y, _column_x(first), bottom)
        pdf.line(right, y, right, bottom)
        pdf.line(left, bottom, right, bottom)
        y = bottom

    # The issuing block: the seal's cell on the left, 签发单位 and 签发日期 on the right.
    block_height = 2 * (SEAL_RADIUS + 6)
    bottom = y - block_height
    middle = y - block_height / 2
    pdf.line(left, y, left, bottom)
    pdf.line(_column_x(3), y, _column_x(3), bottom)
    pdf.line(_column_x(4), y, _column_x(4), bottom)
    pdf.line(right, y, right, bottom)
    pdf.line(_column_x(3), middle, right, middle)
    pdf.line(left, bottom, right, bottom)
    for top_y, label, value in (
        (y, "签发单位", data.issuing_bureau),
        (middle, "签发日期", data.issued_on),
    ):
        _cell_text(text, 3, 3, [label], top=top_y, height=block_height / 2, centred=True)
        _cell_text(text, 4, 6, [value], top=top_y, height=block_height / 2, centred=False)
    pdf.drawText(text)
    # The seal fills the block's left cell, as in the seed's sample.
    seal_centre = (MARGIN_X + _span_width(0, 2) / 2, y - block_height / 2)
    return bottom, seal_centre


def _fit(text: str, width: float, *, shrink: bool) -> tuple[list[str], float]:
    """Wrap a cell's text; a long label gets a smaller size rather than a third line."""
    lines = _wrap(text, width, CELL_FONT_SIZE)
    size = CELL_FONT_SIZE
    while shrink and len(lines) > 2 and size > 7.5:
        size -= 0.5
        lines = _wrap(text, width, size)
    return lines, size


def _cell_text(
    text,
    first: int,
    last: int,
    lines: list[str],
    *,
    top: float,
    height: float,
    centred: bool,
    size=CELL_FONT_SIZE,
):
    """Write a cell's lines into the table's text object `text`."""
    text.setFont(FONT, size)
    block = len(lines) * LINE_HEIGHT
    # Baseline of the first line: the block centred vertically, glyphs sit ~0.8 of the size high.
    baseline = top - (height - block) / 2 - LINE_HEIGHT + (LINE_HEIGHT - size * 0.8) / 2
    x0, width = _column_x(first), _span_width(first, last)
    for index, line in enumerate(lines):
        line_y = baseline - index * LINE_HEIGHT
        if centred:
            text.setTextOrigin(x0 + width / 2 - stringWidth(line, FONT, size) / 2, line_y)
        else:
            text.setTextOrigin(x0 + CELL_PADDING + 1, line_y)
        text.textOut(line)


def _draw_seal(
    pdf, centre: tuple[float, float], *, bureau: str, code: str
) -> tuple[float, float, float, float]:
    """The round red 电子专用章: the bureau's name around the ring, a star, 入户专用章, the code."""
    cx, cy = centre
    r = SEAL_RADIUS
    pdf.saveState()
    pdf.setFillColorRGB(*SEAL_RED)
    pdf.setStrokeColorRGB(*SEAL_RED)
    pdf.setFillAlpha(0.92)
    pdf.setStrokeAlpha(0.92)
    pdf.setLineWidth(2.4)
    pdf.circle(cx, cy, r - 1.2, stroke=1, fill=0)

    # The name runs clockwise over the top, upright towards the rim, condensed as seal lettering is.
    size = 11.5
    condense = 0.7
    text_radius = r - 4.2 - size * 0.8
    count = len(bureau)
    span = min(236.0, max(150.0, 16.0 * (count - 1)))
    step = span / max(count - 1, 1)
    for index, char in enumerate(bureau):
        angle = 90 + span / 2 - index * step
        radians = math.radians(angle)
        pdf.saveState()
        pdf.translate(cx + text_radius * math.cos(radians), cy + text_radius * math.sin(radians))
        pdf.rotate(angle - 90)
        pdf.scale(condense, 1)
        pdf.setFont(FONT, size)
        pdf.drawCentredString(0, 0, char)
        pdf.restoreState()

    # A five-pointed star in the centre.
    star = pdf.beginPath()
    outer, inner = r * 0.27, r * 0.27 * 0.382
    star_cy = cy + r * 0.04
    for point in range(10):
        radius = outer if point % 2 == 0 else inner
        theta = math.radians(90 + point * 36)
        x, y = cx + radius * math.cos(theta), star_cy + radius * math.sin(theta)
        if point == 0:
            star.moveTo(x, y)
        else:
            star.lineTo(x, y)
    star.close()
    pdf.drawPath(star, stroke=0, fill=1)

    pdf.setFont(FONT, 8)
    pdf.drawCentredString(cx, cy - r * 0.5, SEAL_LABEL)

    # The certificate's code along the foot of the ring, read left to right.
    size = 4.8
    code_radius = r - 4.2
    span = 58.0
    step = span / max(len(code) - 1, 1)
    for index, char in enumerate(code):
        angle = 270 - span / 2 + index * step
        radians = math.radians(angle)
        pdf.saveState()
        pdf.translate(cx + code_radius * math.cos(radians), cy + code_radius * math.sin(radians))
        pdf.rotate(angle + 90)
        pdf.setFont(FONT, size)
        pdf.drawCentredString(0, 0, char)
        pdf.restoreState()
    pdf.restoreState()
    return (cx - r, cy - r, cx + r, cy + r)


def _draw_notes_and_qr(pdf, data: CardData, *, top: float) -> None:
    qr_left = MARGIN_X + CONTENT_WIDTH - QR_SIZE
    text_width = qr_left - MARGIN_X - 16
    pdf.setFillColorRGB(0, 0, 0)
    pdf.setFont(FONT, 10)
    pdf.drawString(MARGIN_X, top, "备注：")
    y = top - 15
    leading = NOTE_FONT_SIZE * 1.6
    pdf.setFont(FONT, NOTE_FONT_SIZE)
    for note in notes(data.deadline):
        lines = _wrap(note, text_width - 10, NOTE_FONT_SIZE)
        for index, line in enumerate(lines):
            pdf.drawString(MARGIN_X + (0 if index == 0 else 10), y, line)
            y -= leading
        y -= 2
    draw_qr(pdf, data.verify_url, x=qr_left, y=top - QR_SIZE, size=QR_SIZE)
    pdf.setFont(FONT, 7.5)
    pdf.drawCentredString(qr_left + QR_SIZE / 2, top - QR_SIZE - 11, QR_CAPTION)
