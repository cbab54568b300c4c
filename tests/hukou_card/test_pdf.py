"""The rendered card, read back with pypdf: every field, the real deadline, the embedded font."""

import datetime
import io
import re
import subprocess

import pytest
from pypdf import PdfReader

from hukou_card.pdf import CardData, Companion, notes, qr_matrix, render_card

pytestmark = pytest.mark.django_db


def _text(pdf: bytes) -> str:
    reader = PdfReader(io.BytesIO(pdf))
    assert len(reader.pages) == 1
    # Cells wrap long values over lines; compare without any whitespace.
    return re.sub(r"\s+", "", reader.pages[0].extract_text())


def _card_pdf(card) -> bytes:
    with card.pdf.open("rb") as handle:
        return handle.read()


FIELD_LABELS = [
    "广州市入户人员信息卡", "迁入类型", "入户所属区(县)", "入户类别", "姓名", "性别", "出生日期", "身份证号码",
    "民族", "婚姻状况", "毕业学校", "迁入单位", "学历", "学位", "职务", "职称", "专业技术人员职业资格",
    "技能人员职业资格", "产业发展急需的行业紧缺工种", "审批文号", "原户口登记机关", "原户口所在地",
    "拟入户地址", "随迁人", "身份证号", "关系", "签发单位", "签发日期", "备注",
]  # fmt: skip


def test_main_card_pdf_holds_every_label_and_value(main_card, published_application):
    text = _text(_card_pdf(main_card))
    application = published_application
    for label in FIELD_LABELS:
        assert label in text, label
    expected = [
        "主迁", "广东省广州市黄埔区", "引进人才入户（职称类人才）", application.full_name, "男",
        f"{application.birth_date.year}年{application.birth_date.month:02d}月{application.birth_date.day:02d}日",
        application.id_number, "汉族", "已婚", "华南理工大学", application.employer.name, "硕士研究生", "硕士",
        "高级软件工程师", "中级工程师", application.original_registry_office, application.original_hukou_address,
        "广州市黄埔区科学大道100号", main_card.approval_number, "广州市黄埔区人力资源和社会保障局",
        main_card.number, main_card.verification_code,
    ]  # fmt: skip
    for value in expected:
        assert re.sub(r"\s+", "", value) in text, value
    for person in application.accompanying_persons.all():
        assert person.full_name in text
        assert person.id_number in text
        assert person.relation in text


def test_deadline_is_issue_date_plus_90_days_and_written_into_note_3(main_card):
    assert main_card.valid_until - main_card.issued_on == datetime.timedelta(days=90)
    text = _text(_card_pdf(main_card))
    deadline = (
        f"{main_card.valid_until.year}年{main_card.valid_until.month:02d}月{main_card.valid_until.day:02d}日"
    )
    issued = f"{main_card.issued_on.year}年{main_card.issued_on.month:02d}月{main_card.issued_on.day:02d}日"
    assert f"③限于{deadline}前赴公安部门办理入户核准手续" in text
    assert issued in text
    for note in (
        "①广州市入户信息卡须有电子专用章才有效。",
        "②入户类别与迁入人员身份不一致无效。",
        "“粤省事”小程序",
        "“穗好办”APP",
    ):
        assert note in text
    assert "注销主迁人入户卡时，随迁人入户卡将一并注销。" in text


def test_accompanying_card_carries_the_persons_identity(issued_cards, published_application):
    son_card = next(c for c in issued_cards if c.relation == "儿子")
    text = _text(_card_pdf(son_card))
    assert "随迁" in text
    assert son_card.holder_name in text and son_card.holder_id_number in text
    assert "2018年03月09日" in text
    assert "未婚" in text  # a child under 18
    assert f"主迁人：{published_application.full_name}" in text
    assert son_card.main_card.number in text


def test_font_is_embedded_as_truetype(main_card):
    reader = PdfReader(io.BytesIO(_card_pdf(main_card)))
    fonts = reader.pages[0]["/Resources"]["/Font"]
    embedded = []
    for ref in fonts.values():
        font = ref.get_object()
        descriptor = font.get("/FontDescriptor")
        if descriptor is not None and "/FontFile2" in descriptor.get_object():
            embedded.append(str(font["/BaseFont"]))
    assert embedded, "no TrueType font program embedded"
    assert all("WenQuanYiZenHei" in name for name in embedded)
    # Nothing relies on a font the viewer must have.
    assert all("/FontDescriptor" in ref.get_object() for ref in fonts.values())


def test_seal_names_the_issuing_bureau_and_is_red_vector_art(main_card):
    reader = PdfReader(io.BytesIO(_card_pdf(main_card)))
    content = reader.pages[0].get_contents().get_data().decode("latin-1")
    assert "0.86 0.08 0.09 rg" in content.replace("  ", " ") or ".86 .08 .09 rg" in content
    assert " c" in content  # the ring is drawn with Bézier curves


def _sample(**overrides) -> CardData:
    values = dict(
        number="44011222483029573", verification_code="K7MQ2X", move_type="主迁", district="广东省广州市黄埔区",
        category="引进人才入户（职称类人才）", name="欧阳小明", gender="男", birth_date="1990年05月17日",
        id_number="11010519491231002X", ethnicity="汉族", marital_status="已婚", graduate_school="中山大学",
        employer="广州测试科技有限公司", education="无", degree="无", position="工程师", professional_title="中级",
        professional_qualification="无", skill_qualification="无", shortage_occupation="无",
        approval_number="穗埔人社引〔2022〕1号", original_registry_office="湖南省长沙市公安局岳麓分局",
        original_hukou_address="湖南省长沙市岳麓区麓山南路1号", intended_address="广州市黄埔区科学大道100号",
        issuing_bureau="广州市黄埔区人力资源和社会保障局", issued_on="2022年10月08日", deadline="2023年01月06日",
        verify_url="http://testserver/cards/verify/0f8fad5b-d9cb-469f-a165-70867728950e/K7MQ2X/",
        verify_hint_url="http://testserver/cards/verify/", seal_code="1234567890123",
    )  # fmt: skip
    values.update(overrides)
    return CardData(**values)


def test_seed_sample_dates_render_as_on_the_seed_card():
    text = _text(render_card(_sample()).pdf)
    assert "2022年10月08日" in text
    assert "③限于2023年01月06日前" in text


def test_long_values_wrap_inside_their_cell_and_stay_whole():
    address = "广州市黄埔区科学城街道开源大道" + "一二三四五六七八九十" * 6 + "号"
    text = _text(render_card(_sample(intended_address=address)).pdf)
    assert address in text


def test_more_than_three_companions_all_get_a_row():
    companions = tuple(Companion(f"孩子{i}", f"44010620180309{i:03d}1", "儿子") for i in range(4))
    text = _text(render_card(_sample(companions=companions)).pdf)
    for person in companions:
        assert person.name in text and person.id_number in text


def test_notes_carry_the_deadline():
    assert notes("2023年01月06日")[2].startswith("③限于2023年01月06日前赴公安部门办理入户核准手续")


def test_qr_matrix_encodes_the_verification_link_at_a_stable_size():
    url = "http://testserver/cards/verify/0f8fad5b-d9cb-469f-a165-70867728950e/K7MQ2X/"
    first, second = qr_matrix(url), qr_matrix(url.replace("K7MQ2X", "ABCDEF"))
    assert len(first) == len(second) >= 21
    assert first != second
    # Finder pattern in the top-left corner: a 7×7 dark ring.
    assert all(first[0][:7]) and all(row[0] for row in first[:7])


def test_seal_box_lies_on_the_page_inside_the_issuing_block():
    rendered = render_card(_sample())
    x1, y1, x2, y2 = rendered.seal_box
    assert 0 < x1 < x2 < 595 and 0 < y1 < y2 < 842
    assert round(x2 - x1) == round(y2 - y1) == 88


def _pdftotext(pdf: bytes) -> str:
    """The card's text as poppler reads it (a second reader beside pypdf), without whitespace."""
    result = subprocess.run(["pdftotext", "-", "-"], input=pdf, capture_output=True, check=True)  # noqa: S603, S607
    return re.sub(r"\s+", "", result.stdout.decode())


def _font_programs(pdf: bytes) -> list[bytes]:
    reader = PdfReader(io.BytesIO(pdf))
    fonts = reader.pages[0]["/Resources"]["/Font"]
    return [
        font.get_object()["/FontDescriptor"].get_object()["/FontFile2"].get_object().get_data()
        for font in sorted(fonts.values(), key=lambda ref: str(ref.get_object()["/BaseFont"]))
    ]


def test_two_different_cards_each_carry_only_their_own_text():
    """The fixed wording's glyphs come from a per-process cache (core.pdf.PinnedSubsetFont): no
    character of one card may reach another, whichever order they are rendered in."""
    first = _sample(
        name="欧阳小明", employer="广州测试科技有限公司", intended_address="广州市黄埔区科学大道100号",
        companions=(Companion("李晓红", "440106199105170028", "配偶"),),
    )  # fmt: skip
    second = _sample(
        number="44010622483020001", verification_code="P3WZ8D", name="龚雯婷", employer="穗港澳湾区贸易集团",
        intended_address="广州市天河区珠江新城冼村路5号", district="广东省广州市天河区",
        issuing_bureau="广州市天河区人力资源和社会保障局",
        companions=(Companion("鲍霁", "440106201803090011", "儿子"),),
    )  # fmt: skip
    texts = {}
    for card in (first, second, first):
        texts.setdefault(card.number, []).append(_pdftotext(render_card(card).pdf))
    first_text, first_again = texts[first.number]
    (second_text,) = texts[second.number]
    assert first_text == first_again
    for own, card, other_card in ((first_text, first, second), (second_text, second, first)):
        for value in (card.name, card.employer, card.intended_address, card.number, card.verification_code,
                      card.companions[0].name, card.companions[0].id_number, card.issuing_bureau):  # fmt: skip
            assert value in own, value
        for value in (other_card.name, other_card.employer, other_card.intended_address, other_card.number,
                      other_card.verification_code, other_card.companions[0].name):  # fmt: skip
            assert value not in own, value
        for label in FIELD_LABELS:
            assert label in own, label
    assert "天河区" not in first_text and "黄埔区" not in second_text


def test_fixed_wording_is_embedded_from_the_cache_and_no_card_data_is_kept():
    from reportlab.pdfbase import pdfmetrics

    from core.pdf import FONT

    name = "龚雯婷"
    rendered = [render_card(_sample(name=name, number=f"4401122248302957{i}")).pdf for i in range(2)]
    font = pdfmetrics.getFont(FONT)
    assert font._cached, "the fixed wording's subset was not cached"
    cached_characters = {chr(code) for key in font._cached for code in key}
    assert not cached_characters & set(name), "a card's data went into the per-process cache"
    # The cached subset is embedded as reportlab would embed it: the same glyph program every time,
    # a valid TrueType subset (pdftotext and pypdf read the text back, other tests), only the
    # per-card subset differs.
    programs = [_font_programs(pdf) for pdf in rendered]
    assert programs[0][0] == programs[1][0]
    assert programs[0][0][:4] == b"\x00\x01\x00\x00"  # a TrueType font file
    assert name in _pdftotext(rendered[1])


def test_pin_text_must_come_first():
    import io as _io

    from reportlab.pdfgen import canvas

    from core.pdf import FONT, pin_text, register_font

    register_font()
    pdf = canvas.Canvas(_io.BytesIO())
    pdf.setFont(FONT, 9)
    pdf.drawString(10, 10, "姓名")
    with pytest.raises(ValueError, match="before anything is drawn"):
        pin_text(pdf, "姓名")


def test_cards_rendered_in_parallel_threads_each_carry_their_own_text():
    """gunicorn's threads render cards at the same time and share the font and its cache."""
    from concurrent.futures import ThreadPoolExecutor

    cards = [
        _sample(name=name, number=f"4401122248302900{i}", employer=f"{name}的公司", test_card=i % 2 == 1)
        for i, name in enumerate(["龚雯婷", "欧阳小明", "鲍霁", "覃晓蕾", "缪嘉", "钟离翊"])
    ]
    expected = [_pdftotext(render_card(card).pdf) for card in cards]
    with ThreadPoolExecutor(max_workers=6) as pool:
        for _round in range(3):
            got = list(pool.map(lambda card: _pdftotext(render_card(card).pdf), cards))
            assert got == expected
