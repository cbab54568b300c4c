"""Demo applications in every interesting state, made through the real services (load_demo).

Each demo applicant walks the same path a person would: the wizard's services, the reviewer's
decisions, the notice and the card task, so the audit trail, the notice list and the cards are
exactly what the portal would have produced. Only the calendar is helped: a notice that must
already have ended is moved into the past before it is closed.
"""

import datetime
import io
from collections.abc import Callable
from pathlib import Path

from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.utils import timezone
from PIL import Image, ImageDraw, ImageFont

from accounts.models import Employer, EmployerAdmin, User
from accounts.validators import id_check_char
from applications import services as applicant_services
from applications.choices import (
    Degree,
    Education,
    MaritalStatus,
    ProfessionalTitle,
    Relation,
    SkillLevel,
)
from applications.eligibility import required_attachment_kinds
from applications.models import Application, TalentSubcategory
from reference.models import District
from review import services as review_services
from review.models import PublicNotice


def valid_id(first17: str) -> str:
    return first17 + id_check_char(first17)


def demo_scan(title: str, holder: str) -> bytes:
    """A legible stand-in for a scanned document: a JPEG well under the 500 KB limit."""
    image = Image.new("RGB", (900, 600), (247, 244, 236))
    draw = ImageDraw.Draw(image)
    draw.rectangle((20, 20, 880, 580), outline=(150, 40, 40), width=4)
    font_path = Path(settings.CARD_FONT_PATH)
    if font_path.exists():
        big = ImageFont.truetype(str(font_path), 54, index=0)
        small = ImageFont.truetype(str(font_path), 32, index=0)
    else:  # a machine without the CJK font still gets a valid image
        big = small = ImageFont.load_default()
    draw.text((60, 80), title, font=big, fill=(120, 20, 20))
    draw.text((60, 200), f"持有人：{holder}", font=small, fill=(40, 40, 40))
    draw.text((60, 260), "演示数据 · 非真实证件", font=small, fill=(90, 90, 90))
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=80)
    return buffer.getvalue()


def _personal_values(user: User, *, employer: Employer, district: District, **overrides) -> dict:
    values = {
        "ethnicity": "汉族",
        "marital_status": MaritalStatus.MARRIED,
        "education": Education.MASTER,
        "degree": Degree.MASTER,
        "graduate_school": "中山大学",
        "major": "计算机科学与技术",
        "professional_title": ProfessionalTitle.INTERMEDIATE,
        "professional_title_name": "工程师",
        "professional_qualification": "无",
        "skill_qualification": SkillLevel.NONE,
        "shortage_occupation": "无",
        "position": "研发工程师",
        "employer": employer,
        "original_registry_office": "湖南省长沙市公安局岳麓分局",
        "original_hukou_address": "湖南省长沙市岳麓区麓山南路1号",
        "district": district,
        "intended_address": f"广州市{district.name}天河路385号",
        "social_insurance_months": 24,
        "contact_mobile": "13800138000",
    }
    values.update(overrides)
    return values


# A 随迁人's own lines unless a scenario says otherwise: on the applicant's 户口簿.
FAMILY_DETAILS = {"ethnicity": "汉族", "hukou_same_as_applicant": True}


def fill_draft(
    user: User,
    *,
    subcategory: str,
    employer: Employer,
    district: District,
    family: list[tuple] = (),
    finish: bool = True,
    scan: Callable[[str, str], bytes] = demo_scan,
    **personal,
) -> Application:
    """A draft answered step by step through the wizard's services, as an applicant fills it in
    (tests.builders makes its applications with it too). `family` is (full name, 居民身份证 number,
    relation[, details]) per 随迁人, details overriding FAMILY_DETAILS (民族, 原户口). `finish=False` stops before 随迁人;
    `scan(title, holder)` gives the JPEG uploaded for each required attachment."""
    app = applicant_services.application_start(applicant=user)
    applicant_services.application_commitment_save(application=app, accepted=True, by=user)
    applicant_services.application_declaration_save(
        application=app, declaration_type="talent_hukou", conditions_confirmed=True, by=user
    )
    applicant_services.application_category_save(
        application=app, subcategory=TalentSubcategory.objects.get(code=subcategory), by=user
    )
    applicant_services.application_personal_save(
        application=app,
        by=user,
        values=_personal_values(user, employer=employer, district=district, **personal),
        complete=True,
    )
    if not finish:
        return app
    for full_name, id_number, relation, *details in family:
        applicant_services.accompanying_person_add(
            application=app, full_name=full_name, id_type="resident_id", id_number=id_number,
            relation=relation, by=user, **{**FAMILY_DETAILS, **(details[0] if details else {})},
        )  # fmt: skip
    applicant_services.application_family_complete(application=app, by=user)
    app.refresh_from_db()
    for kind in required_attachment_kinds(app):
        upload = SimpleUploadedFile(f"{kind}.jpg", scan(str(kind.label), user.full_name), "image/jpeg")
        applicant_services.attachment_upload(application=app, kind=kind, uploaded_file=upload, by=user)
    applicant_services.application_attachments_complete(application=app, by=user)
    return app


def _end_notice_now(app: Application) -> PublicNotice:
    notice = app.notice_entry.notice
    today = timezone.localdate()
    PublicNotice.objects.filter(pk=notice.pk).update(
        start_date=today - datetime.timedelta(days=9), end_date=today - datetime.timedelta(days=2)
    )
    notice.refresh_from_db()
    return notice


@transaction.atomic
def load_demo_applications(*, users: dict[str, User]) -> list[str]:
    """Create the demo applications once; returns a line per applicant for the command's output."""
    if Application.objects.filter(applicant__in=users.values()).exists():
        return ["Demo applications already present."]
    tianhe = District.objects.get(code="440106")
    baiyun = District.objects.get(code="440111")
    huangpu = District.objects.get(code="440112")
    tianhe_employer = Employer.objects.filter(district=tianhe).order_by("pk").first()
    key_employer = Employer.objects.filter(is_key_employer=True, district=baiyun).order_by("pk").first()
    huangpu_employer = Employer.objects.filter(district=huangpu).order_by("pk").first()
    reviewer_tianhe, reviewer_baiyun = users["reviewer06"], users["reviewer11"]
    reviewer_huangpu, city_admin = users["reviewer12"], users["cityadmin"]
    lines = []

    # 张三: 职称类, with spouse and child, published, card issued (the full journey).
    zhangsan = users["zhangsan"]
    app = fill_draft(
        zhangsan, subcategory="3.2", employer=huangpu_employer, district=huangpu,
        education=Education.BACHELOR_FULLTIME, degree=Degree.BACHELOR, graduate_school="华南理工大学",
        major="材料科学与工程", position="工程师",
        family=[("李晓红", valid_id("44010619910517002"), Relation.SPOUSE,
                 {"ethnicity": "壮族", "hukou_same_as_applicant": False,
                  "original_registry_office": "广州市公安局天河区分局",
                  "original_hukou_address": "广东省广州市天河区天河北路233号"}),
                ("张小宝", valid_id("44010620180309001"), Relation.SON)],
    )  # fmt: skip
    applicant_services.application_submit(application_id=app.pk, by=zhangsan)
    review_services.application_accept(application_id=app.pk, by=reviewer_huangpu)
    review_services.application_approve(application_id=app.pk, by=reviewer_huangpu)
    app.refresh_from_db()
    review_services.notice_close(notice_id=_end_notice_now(app).pk, by=city_admin)
    lines.append("zhangsan: 职称类人才, 已公布，入户信息卡已签发（含2名随迁人）")

    # 王五: 五、其他（四） at a key employer, approved into the notice (the public list shows it).
    wangwu = users["wangwu"]
    app = fill_draft(
        wangwu, subcategory="5.4", employer=key_employer, district=baiyun, position="技术总监",
        education=Education.DOCTORATE, degree=Degree.DOCTOR,
    )  # fmt: skip
    applicant_services.application_submit(application_id=app.pk, by=wangwu)
    review_services.application_accept(application_id=app.pk, by=reviewer_baiyun)
    review_services.application_approve(application_id=app.pk, by=reviewer_baiyun)
    lines.append("wangwu: 五、其他（总量控制类）, 网上公示中")

    # 赵六: 学历类, submitted, waiting for 天河区 to accept.
    zhaoliu = users["zhaoliu"]
    app = fill_draft(zhaoliu, subcategory="2.2", employer=tianhe_employer, district=tianhe)
    applicant_services.application_submit(application_id=app.pk, by=zhaoliu)
    lines.append("zhaoliu: 学历类人才, 已提交，待天河区受理")

    # 孙七: 学历类, returned for correction with a list of what to fix.
    sunqi = users["sunqi"]
    app = fill_draft(sunqi, subcategory="2.3", employer=tianhe_employer, district=tianhe,
                      education=Education.BACHELOR_FULLTIME, degree=Degree.BACHELOR)  # fmt: skip
    applicant_services.application_submit(application_id=app.pk, by=sunqi)
    review_services.application_return_for_correction(
        application_id=app.pk, by=reviewer_tianhe,
        items=["身份证扫描件反光看不清，请重新上传清晰的彩色扫描件。", "拟入户地址请填写到门牌号。"],
    )  # fmt: skip
    lines.append("sunqi: 学历类人才, 退回补正")

    # 李四: a draft stopped at 随迁人, and the approved administrator of a 天河区 employer.
    lisi = users["lisi"]
    fill_draft(lisi, subcategory="2.1", employer=tianhe_employer, district=tianhe,
                education=Education.DOCTORATE, degree=Degree.DOCTOR, finish=False)  # fmt: skip
    EmployerAdmin.objects.get_or_create(
        user=lisi, employer=tianhe_employer,
        defaults={
            "status": EmployerAdmin.Status.APPROVED, "decided_by": city_admin, "decided_at": timezone.now(),
            "decision_note": "演示数据：已核实营业执照。",
            "business_licence": SimpleUploadedFile("licence.jpg", demo_scan("营业执照", tianhe_employer.name)),
        },
    )  # fmt: skip
    lines.append(f"lisi: 草稿（填写到随迁人）; 单位系统管理员 of {tianhe_employer.name}")
    return lines
