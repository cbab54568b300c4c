"""The 申报表: a printable A4 record of what the applicant submitted.

Every answer of the wizard, each 随迁人, the attachment list with sizes, the 申报编号, the
submission times and a QR code to the applicant's status page. Drawn with the card's PDF stack
(reportlab, the embedded wqy-zenhei font and the vector QR code of core.pdf), but through platypus:
the record runs over as many pages as its persons and attachments need, and it is rendered when
asked for (a few tens of milliseconds), never stored, so it always shows the submitted answers.

`application_form(...)` turns the rows into text (no queries); `render_application_form(...)`
draws that text (no database at all).
"""

from __future__ import annotations

import datetime
import html
import io
from dataclasses import dataclass

from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.platypus import Flowable, KeepTogether, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from applications.forms import COMMITMENT_TEXT, CONDITIONS_TEXT
from applications.models import AccompanyingPerson, Application, Attachment
from core.pdf import FONT, draw_qr, register_font

TITLE = "广州市引进人才入户申报表"
EMPTY = "—"
QR_SIZE = 72
MARGIN = 40
# What the record is and is not: the decision is the system's, not this sheet's.
FOOTNOTE = (
    "本表由广州市人事电子政务系统根据申请人网上提交的信息生成，供申请人留存及审核人员核对；"
    "申报办理情况以系统记录为准，扫描二维码登录后可查看。"
)


@dataclass(frozen=True)
class Field:
    label: str
    value: str
    wide: bool = False  # takes the whole row (addresses, names of employers and categories)


@dataclass(frozen=True)
class Section:
    title: str
    fields: tuple[Field, ...]


@dataclass(frozen=True)
class AttachmentLine:
    kind: str
    file_name: str
    dimensions: str
    size: str
    uploaded_at: str


@dataclass(frozen=True)
class ApplicationForm:
    """Everything printed on one 申报表, already formatted as text."""

    number: str
    year: int
    status: str
    submitted_at: str
    last_submitted_at: str
    printed_at: str
    status_url: str
    sections: tuple[Section, ...]
    persons: tuple[Section, ...]
    attachments: tuple[AttachmentLine, ...]
    commitment: str
    commitment_accepted: str


def _text(value) -> str:
    if value is None:
        return EMPTY
    value = str(value).strip()
    return value or EMPTY


def _moment(value: datetime.datetime | None) -> str:
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M") if value else EMPTY


def _day(value: datetime.date | None) -> str:
    return value.strftime("%Y-%m-%d") if value else EMPTY


def size_text(size: int) -> str:
    """Bytes as the 附件上传 page speaks of them (limit ≤500 KB): one decimal of a KB."""
    return f"{size / 1024:.1f} KB"


def _with_application(person: AccompanyingPerson, application: Application) -> AccompanyingPerson:
    # 与主迁人相同 reads the applicant's lines through person.application: the one already loaded,
    # not a query per person.
    person.application = application
    return person


def _person_section(index: int, person: AccompanyingPerson) -> Section:
    return Section(
        title=f"随迁人{index}：{person.full_name}（{person.relation}）",
        fields=(
            Field("姓名", _text(person.full_name)),
            Field("与申请人关系", _text(person.relation)),
            Field("证件类型", _text(person.get_id_type_display())),
            Field("证件号码", _text(person.id_number)),
            Field("性别", _text(person.gender)),
            Field("出生日期", _day(person.birth_date)),
            Field("民族", _text(person.ethnicity)),
            Field("婚姻状况", _text(person.marital_status)),
            Field(
                "原户口登记机关",
                _text(person.registry_office_shown)
                + ("（与主迁人相同）" if person.hukou_same_as_applicant else ""),
            ),
            Field("原户口所在地", _text(person.hukou_address_shown)),
        ),
    )


def application_form(
    application: Application,
    *,
    persons: list[AccompanyingPerson],
    attachments: list[Attachment],
    status_url: str,
    printed_at: datetime.datetime | None = None,
) -> ApplicationForm:
    """The 申报表's text. `application` has its category, sub-category, district and employer loaded
    (applications.selectors.with_reference); attachments their documents."""
    app = application
    title = _text(" ".join(v for v in (app.professional_title, app.professional_title_name) if v))
    skill = _text(" ".join(v for v in (app.skill_qualification, app.skill_occupation) if v))
    months = f"{app.social_insurance_months}个月" if app.social_insurance_months is not None else EMPTY
    sections = (
        Section(
            "一、申报信息",
            (
                Field("申报类型", app.get_declaration_type_display()),
                Field("申报年度", f"{app.year}年度"),
                Field("引进人才类别", _text(app.category), wide=True),
                Field("引进人才具体类别", _text(app.subcategory), wide=True),
                Field(
                    "申报条件",
                    f"已确认：{CONDITIONS_TEXT}" if app.conditions_confirmed else "未确认",
                    wide=True,
                ),
            ),
        ),
        Section(
            "二、个人信息",
            (
                Field("姓名", _text(app.full_name)),
                Field("证件类型", app.get_id_type_display()),
                Field("证件号码", _text(app.id_number)),
                Field("性别", _text(app.gender)),
                Field("出生日期", _day(app.birth_date)),
                Field("民族", _text(app.ethnicity)),
                Field("婚姻状况", _text(app.marital_status)),
                Field("联系手机", _text(app.contact_mobile)),
                Field("学历", _text(app.education)),
                Field("学位", _text(app.degree)),
                Field("毕业学校", _text(app.graduate_school)),
                Field("专业", _text(app.major)),
                Field("职称", title),
                Field("专业技术人员职业资格", _text(app.professional_qualification)),
                Field("技能人员职业资格", skill),
                Field("产业发展急需的行业紧缺工种", _text(app.shortage_occupation)),
                Field("人才称号/荣誉", _text(app.high_level_title), wide=True),
            ),
        ),
        Section(
            "三、迁入单位与入户地址",
            (
                Field("迁入单位", _text(app.employer.name if app.employer_id else ""), wide=True),
                Field("统一社会信用代码", _text(app.employer.credit_code if app.employer_id else "")),
                Field("职务", _text(app.position)),
                Field("在穗社保缴费月数", months),
                Field("入户所属区", _text(app.district.full_name if app.district_id else "")),
                Field("原户口登记机关", _text(app.original_registry_office), wide=True),
                Field("原户口所在地", _text(app.original_hukou_address), wide=True),
                Field("拟入户地址", _text(app.intended_address), wide=True),
            ),
        ),
    )
    return ApplicationForm(
        number=_text(app.number),
        year=app.year,
        status=app.status_label,
        submitted_at=_moment(app.submitted_at),
        last_submitted_at=_moment(app.last_submitted_at),
        printed_at=_moment(printed_at or timezone.now()),
        status_url=status_url,
        sections=sections,
        persons=tuple(
            _person_section(index, _with_application(p, application))
            for index, p in enumerate(persons, start=1)
        ),
        attachments=tuple(
            AttachmentLine(
                kind=a.get_kind_display(),
                file_name=_text(a.document.original_name),
                dimensions=f"{a.document.width}×{a.document.height}",
                size=size_text(a.document.size),
                uploaded_at=_moment(a.created_at),
            )
            for a in attachments
        ),
        commitment=COMMITMENT_TEXT,
        commitment_accepted=(
            f"已同意（{_moment(app.commitment_accepted_at)}）" if app.commitment_accepted_at else "未同意"
        ),
    )


def download_name(application: Application) -> str:
    return f"{TITLE}_{application.full_name}_{application.number}.pdf"


def application_form_pdf(application: Application, *, printed_at: datetime.datetime | None = None) -> bytes:
    """The 申报表 of a submitted application, as PDF bytes: two queries (its 随迁人 unless they
    are prefetched, and its attachments with their documents), then drawing."""
    status_path = reverse("applications:status_detail", kwargs={"public_id": application.public_id})
    form = application_form(
        application,
        persons=list(application.accompanying_persons.all()),
        attachments=list(application.attachments.select_related("document").order_by("created_at", "id")),
        status_url=settings.SITE_URL + status_path,
        printed_at=printed_at,
    )
    return render_application_form(form)


# --- Drawing ---------------------------------------------------------------------------------------


def _styles():
    base = ParagraphStyle("cell", fontName=FONT, fontSize=9, leading=12.5, wordWrap="CJK")
    return {
        "cell": base,
        "label": ParagraphStyle("label", parent=base, textColor=(0.2, 0.2, 0.2)),
        "title": ParagraphStyle("title", parent=base, fontSize=19, leading=26, alignment=1),
        "subtitle": ParagraphStyle("subtitle", parent=base, fontSize=9.5, alignment=1, textColor=(0.3, 0.3, 0.3)),
        "section": ParagraphStyle("section", parent=base, fontSize=11.5, leading=16, spaceBefore=10, spaceAfter=4),
        "person": ParagraphStyle("person", parent=base, fontSize=10, leading=14, spaceBefore=6, spaceAfter=3),
        "note": ParagraphStyle("note", parent=base, fontSize=8, leading=11.5, textColor=(0.3, 0.3, 0.3)),
    }  # fmt: skip


def _p(text: str, style):
    # Values are the applicant's own text: Paragraph reads markup, so every value is escaped.
    return Paragraph(html.escape(text, quote=False), style)


LABEL_BACKGROUND = (0.94, 0.95, 0.97)
GRID = (0.55, 0.55, 0.55)


def _table(rows, widths, *, label_columns=(), label_cells=(), spans=(), header=False):
    table = Table(rows, colWidths=widths, repeatRows=1 if header else 0)
    commands = [
        ("FONTNAME", (0, 0), (-1, -1), FONT),
        ("GRID", (0, 0), (-1, -1), 0.5, GRID),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("TOPPADDING", (0, 0), (-1, -1), 3),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
    ]
    for column in label_columns:
        commands.append(("BACKGROUND", (column, 0), (column, -1), LABEL_BACKGROUND))
    commands.extend(("BACKGROUND", cell, cell, LABEL_BACKGROUND) for cell in label_cells)
    if header:
        commands.append(("BACKGROUND", (0, 0), (-1, 0), LABEL_BACKGROUND))
    commands.extend(("SPAN", start, end) for start, end in spans)
    table.setStyle(TableStyle(commands))
    return table


def _fields_table(fields: tuple[Field, ...], width: float, styles):
    """Two label/value pairs a row; a wide field takes a row of its own."""
    label_width = 92
    value_width = width / 2 - label_width
    rows, spans, pending = [], [], []

    def flush():
        if pending:
            cells = []
            for field in pending:
                cells += [_p(field.label, styles["label"]), _p(field.value, styles["cell"])]
            cells += [""] * (4 - len(cells))
            rows.append(cells)
            if len(pending) == 1:
                spans.append(((1, len(rows) - 1), (3, len(rows) - 1)))
            pending.clear()

    for field in fields:
        if field.wide:
            flush()
            rows.append([_p(field.label, styles["label"]), _p(field.value, styles["cell"]), "", ""])
            spans.append(((1, len(rows) - 1), (3, len(rows) - 1)))
        else:
            pending.append(field)
            if len(pending) == 2:
                flush()
    flush()
    # The second label column is shaded only where a second pair sits: under a wide value it is not.
    spanned = {start[1] for start, _ in spans}
    second_labels = [(2, row) for row in range(len(rows)) if row not in spanned]
    return _table(
        rows,
        [label_width, value_width, label_width, value_width],
        label_columns=(0,),
        label_cells=second_labels,
        spans=spans,
    )


class QrCode(Flowable):
    """The vector QR code of `url` with its caption under it, as a platypus flowable."""

    def __init__(self, url: str, size: float):
        super().__init__()
        self.url, self.size = url, size

    def wrap(self, available_width, available_height):
        return self.size, self.size + 12

    def draw(self):
        draw_qr(self.canv, self.url, x=0, y=12, size=self.size)
        self.canv.setFont(FONT, 7.5)
        self.canv.drawCentredString(self.size / 2, 1, "扫码查看办理情况")


def render_application_form(form: ApplicationForm) -> bytes:
    register_font()
    styles = _styles()
    page_width, page_height = A4
    width = page_width - 2 * MARGIN
    buffer = io.BytesIO()
    document = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=MARGIN,
        rightMargin=MARGIN,
        topMargin=MARGIN,
        bottomMargin=MARGIN + 10,
        title=f"{TITLE} {form.number}",
        author="广州市人事电子政务系统",
        subject=f"申报编号 {form.number}",
        creator="广州市人事电子政务系统 人才引进申办系统",
        # Otherwise each page names Helvetica, a font the viewer must have.
        initialFontName=FONT,
        initialFontSize=9,
    )
    story = [
        _p(TITLE, styles["title"]),
        _p(f"人才引进信息登记 · {form.year}年度", styles["subtitle"]),
        Spacer(1, 10),
    ]
    head_fields = (
        Field("申报编号", form.number),
        Field("办理状态（打印时）", form.status),
        Field("首次提交时间", form.submitted_at),
        Field("最近提交时间", form.last_submitted_at),
        Field("打印时间", form.printed_at),
    )
    head_rows = [[_p(f.label, styles["label"]), _p(f.value, styles["cell"])] for f in head_fields]
    head = _table(head_rows, [100, width - QR_SIZE - 24 - 100], label_columns=(0,))
    # The outer table only places the QR code beside the head: no lines of its own.
    beside = Table([[head, QrCode(form.status_url, QR_SIZE)]], colWidths=[width - QR_SIZE - 12, QR_SIZE + 12])
    beside.setStyle(
        TableStyle([("FONTNAME", (0, 0), (-1, -1), FONT), ("VALIGN", (0, 0), (-1, -1), "TOP"), ("LEFTPADDING", (0, 0), (-1, -1), 0),
                    ("RIGHTPADDING", (0, 0), (-1, -1), 0), ("ALIGN", (1, 0), (1, 0), "RIGHT")])
    )  # fmt: skip
    story.append(beside)

    for section in form.sections:
        story.append(_p(section.title, styles["section"]))
        story.append(_fields_table(section.fields, width, styles))

    story.append(_p(f"四、随迁人（{len(form.persons)}人）", styles["section"]))
    if form.persons:
        for person in form.persons:
            story.append(
                KeepTogether(
                    [_p(person.title, styles["person"]), _fields_table(person.fields, width, styles)]
                )
            )
    else:
        story.append(_p("无随迁人。", styles["cell"]))

    story.append(_p(f"五、附件清单（{len(form.attachments)}份）", styles["section"]))
    if form.attachments:
        header = [
            _p(text, styles["label"])
            for text in ("序号", "附件类别", "原文件名", "图片尺寸", "大小", "上传时间")
        ]
        rows = [header] + [
            [_p(str(index), styles["cell"]), _p(line.kind, styles["cell"]), _p(line.file_name, styles["cell"]),
             _p(line.dimensions, styles["cell"]), _p(line.size, styles["cell"]), _p(line.uploaded_at, styles["cell"])]
            for index, line in enumerate(form.attachments, start=1)
        ]  # fmt: skip
        story.append(_table(rows, [30, 130, 130, 65, 60, width - 415], header=True))
    else:
        story.append(_p("未上传附件。", styles["cell"]))

    story.append(_p("六、个人承诺", styles["section"]))
    story.append(
        _fields_table(
            (
                Field("承诺内容", form.commitment, wide=True),
                Field("是否同意", form.commitment_accepted, wide=True),
            ),
            width,
            styles,
        )
    )
    story += [Spacer(1, 8), _p(FOOTNOTE, styles["note"])]

    def footer(canvas, doc):
        canvas.saveState()
        canvas.setFont(FONT, 7.5)
        canvas.setFillColorRGB(0.35, 0.35, 0.35)
        canvas.drawString(MARGIN, MARGIN - 8, f"{TITLE} · 申报编号 {form.number}")
        canvas.drawRightString(page_width - MARGIN, MARGIN - 8, f"第{doc.page}页")
        canvas.restoreState()

    document.build(story, onFirstPage=footer, onLaterPages=footer)
    return buffer.getvalue()
