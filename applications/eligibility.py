"""Who may apply under which 具体类别, and which attachments each application needs.

Sources: 广州市引进人才入户管理办法 (穗府办规〔2020〕10号) and its 实施细则 (穗人社规字〔2022〕2号),
as summarised in DESIGN.md §4. Everything here is pure: it reads the application (and its
prefetched accompanying persons and attachments) and writes nothing, so the review console can
show the same result beside each application.
"""

import datetime
from collections import Counter
from collections.abc import Iterable

from applications.choices import (
    AttachmentKind,
    Degree,
    Education,
    MaritalStatus,
    ProfessionalTitle,
    Relation,
    SkillLevel,
)
from core.text import cn_date

# 办法: children move with the applicant while under 18 (DESIGN.md §4).
CHILD_AGE_LIMIT = 18
# 办法 第八条 (技能类): at least 6 months of Guangzhou social insurance.
SKILL_MIN_INSURANCE_MONTHS = 6
# DESIGN.md §4: applicants must be employed in Guangzhou with social insurance being paid.
MIN_INSURANCE_MONTHS = 1

NONE_VALUES = frozenset({"", "无", "没有", "/", "-"})

_EDUCATION_RANK = {
    Education.DOCTORATE: 4,
    Education.MASTER: 3,
    Education.BACHELOR_FULLTIME: 2,
    Education.BACHELOR: 1,
}
_DEGREE_RANK = {Degree.DOCTOR: 4, Degree.MASTER: 3, Degree.BACHELOR: 2, Degree.FOREIGN_BACHELOR: 2}
_TITLE_RANK = {
    ProfessionalTitle.FULL_SENIOR: 3,
    ProfessionalTitle.SENIOR: 3,
    ProfessionalTitle.INTERMEDIATE: 2,
}
_SKILL_RANK = {
    SkillLevel.SENIOR_TECHNICIAN: 3,
    SkillLevel.TECHNICIAN: 2,
    SkillLevel.SENIOR_WORKER: 1,
}


def age_on(birth_date: datetime.date, on: datetime.date) -> int:
    """周岁 on `on`: the number of birthdays passed (a 29 February birthday counts on 1 March)."""
    return on.year - birth_date.year - ((on.month, on.day) < (birth_date.month, birth_date.day))


def has_value(text: str | None) -> bool:
    return (text or "").strip() not in NONE_VALUES


def _qualification_problems(application) -> list[tuple[str, str]]:
    """(field, message) pairs for the 具体类别's personal requirement; empty when met."""
    code = application.subcategory.code
    a = application
    education = _EDUCATION_RANK.get(a.education, 0)
    degree = _DEGREE_RANK.get(a.degree, 0)
    problems: list[tuple[str, str]] = []

    if code.startswith("1."):
        # 第五条: the title or honour itself is the qualification; its proof is an attachment.
        if not has_value(a.high_level_title):
            problems.append(("high_level_title", "申报高层次、高技能人才，请填写所获人才称号或荣誉。"))
    elif code == "2.1":
        if education < 4 and degree < 4:
            problems.append(("education", "申报学历类（一）须具有博士研究生学历或博士学位。"))
    elif code == "2.2":
        if education < 3 and degree < 3:
            problems.append(("education", "申报学历类（二）须具有硕士研究生学历或硕士学位。"))
    elif code == "2.3":
        fulltime_bachelor = a.education in (
            Education.BACHELOR_FULLTIME,
            Education.MASTER,
            Education.DOCTORATE,
        )
        if not ((fulltime_bachelor and degree >= 2) or a.degree == Degree.FOREIGN_BACHELOR):
            problems.append(
                ("degree", "申报学历类（三）须具有全日制本科学历并取得学士学位，或取得国（境）外学士学位。")
            )
    elif code == "3.1":
        if _TITLE_RANK.get(a.professional_title, 0) < 3:
            problems.append(("professional_title", "申报职称类（一）须具有高级职称（副高级或正高级）。"))
    elif code == "3.2":
        if _TITLE_RANK.get(a.professional_title, 0) < 2:
            problems.append(("professional_title", "申报职称类（二）须具有中级及以上职称。"))
    elif code == "4.1":
        if not has_value(a.professional_qualification):
            problems.append(
                ("professional_qualification", "申报技能类（一）须填写所取得的专业技术人员职业资格。")
            )
    elif code in ("4.2", "4.3", "4.4"):
        needed = {"4.2": 3, "4.3": 2, "4.4": 1}[code]
        label = {"4.2": "高级技师", "4.3": "技师及以上", "4.4": "高级工及以上"}[code]
        if _SKILL_RANK.get(a.skill_qualification, 0) < needed:
            problems.append(
                ("skill_qualification", f"申报技能类{application.subcategory.numeral}须取得{label}职业资格。")
            )
        if not has_value(a.skill_occupation):
            problems.append(
                (
                    "skill_occupation",
                    "请填写职业资格对应的职业（工种），须列入广州市引进技术技能人才职业目录。",
                )
            )
    elif code == "4.5":
        if not has_value(a.shortage_occupation):
            problems.append(("shortage_occupation", "申报技能类（五）须填写产业发展急需的行业紧缺工种。"))
        if a.skill_qualification in ("", SkillLevel.NONE):
            problems.append(("skill_qualification", "申报技能类（五）须取得该紧缺工种的职业资格。"))
    elif code == "5.4":
        if not has_value(a.position):
            problems.append(
                ("position", "申报五、其他（四）须填写在用人单位担任的职务（中高级管理人员、技术骨干等）。")
            )
    return problems


def personal_problems(application) -> list[tuple[str, str]]:
    """Requirements of the chosen 具体类别 on the 个人信息 answers, as (field, message)."""
    if application.subcategory_id is None:
        return []
    problems = _qualification_problems(application)
    months = application.social_insurance_months
    if application.subcategory.category.code == "4":
        if months is None or months < SKILL_MIN_INSURANCE_MONTHS:
            problems.append(
                (
                    "social_insurance_months",
                    f"申报技能类人才须在广州市缴纳社会保险满{SKILL_MIN_INSURANCE_MONTHS}个月"
                    f"（当前填写{months or 0}个月）。",
                )
            )
    elif months is not None and months < MIN_INSURANCE_MONTHS:
        problems.append(("social_insurance_months", "申请人须在广州市就业并正在缴纳社会保险。"))
    return problems


def age_problem(application, *, on: datetime.date) -> str | None:
    sub = application.subcategory
    if sub is None or sub.max_age is None or application.birth_date is None:
        return None
    age = age_on(application.birth_date, on)
    if age > sub.max_age:
        return (
            f"按提交之日（{cn_date(on)}）计算，您已满{age}周岁，超过“{sub.category.numeral}、"
            f"{sub.category.name}{sub.numeral}”规定的{sub.max_age}周岁以下年龄条件，不能按该类别申报。"
        )
    return None


def accompanying_problems(application, persons: Iterable, *, on: datetime.date) -> list[str]:
    problems = []
    spouses = 0
    for person in persons:
        if person.relation == Relation.SPOUSE:
            spouses += 1
            if application.marital_status and application.marital_status != MaritalStatus.MARRIED:
                problems.append(
                    f"随迁人{person.full_name}为配偶，但个人信息中的婚姻状况为“{application.marital_status}”，请核对。"
                )
        elif person.birth_date is not None and age_on(person.birth_date, on) >= CHILD_AGE_LIMIT:
            problems.append(
                f"随迁子女{person.full_name}于{cn_date(on)}已满{age_on(person.birth_date, on)}周岁，"
                f"只有未满{CHILD_AGE_LIMIT}周岁的子女可以随迁。"
            )
    if spouses > 1:
        problems.append("随迁配偶只能有一人。")
    return problems


def check_eligibility(application, *, on: datetime.date) -> list[str]:
    """Chinese messages saying why the application does not meet its 具体类别 on `on`; empty = eligible.

    Reads application.subcategory(.category), the answers and application.accompanying_persons
    (prefetch it to keep this to no query).
    """
    if application.subcategory_id is None:
        return ["尚未选择引进人才类别和具体类别。"]
    messages = []
    problem = age_problem(application, on=on)
    if problem:
        messages.append(problem)
    messages.extend(message for _field, message in personal_problems(application))
    if application.employer_id is None:
        messages.append("尚未选择迁入单位（须与广州市用人单位签订劳动合同或在穗创办企业）。")
    messages.extend(accompanying_problems(application, application.accompanying_persons.all(), on=on))
    return messages


def _education_kinds(application) -> list[str]:
    kinds = []
    has_education = application.education in _EDUCATION_RANK or not application.education
    has_degree = application.degree in _DEGREE_RANK or not application.degree
    if has_education:
        kinds += [AttachmentKind.EDUCATION_CERT, AttachmentKind.EDUCATION_VERIFICATION]
    if has_degree:
        kinds.append(AttachmentKind.DEGREE_CERT)
        # A foreign degree is proven by the 教育部留学服务中心 认证 instead of a 学位鉴定.
        kinds.append(
            AttachmentKind.ACCREDITATION
            if application.degree == Degree.FOREIGN_BACHELOR
            else AttachmentKind.DEGREE_VERIFICATION
        )
    return kinds


def required_attachment_kinds(application) -> list[AttachmentKind]:
    """The attachments this application must carry, in the seed's order (DESIGN.md §4).

    身份证 and 户口簿 always; the category's proof and its online verification; 单位引进报告 for
    五、其他; the spouse's and children's documents when they move too.
    """
    kinds: set[str] = {AttachmentKind.ID_CARD, AttachmentKind.HOUSEHOLD_REGISTER}
    category = application.category.code if application.category_id else ""
    if category == "1":
        kinds.add(AttachmentKind.HIGH_LEVEL_PROOF)
    elif category == "2":
        kinds.update(_education_kinds(application))
    elif category == "3":
        kinds.update({AttachmentKind.TITLE_CERT, AttachmentKind.TITLE_VERIFICATION})
    elif category == "4":
        kinds.update({AttachmentKind.VOCATIONAL_CERT, AttachmentKind.VOCATIONAL_VERIFICATION})
    elif category == "5":
        kinds.add(AttachmentKind.UNIT_REPORT)
    relations = {person.relation for person in application.accompanying_persons.all()}
    if Relation.SPOUSE in relations:
        kinds.update({AttachmentKind.SPOUSE_ID, AttachmentKind.SPOUSE_HOUSEHOLD})
    if relations - {Relation.SPOUSE}:
        kinds.update({AttachmentKind.CHILD_HOUSEHOLD, AttachmentKind.CHILD_BIRTH_CERT})
    return [kind for kind in AttachmentKind if kind in kinds]


def missing_attachment_messages(application, attachments: Iterable) -> list[str]:
    """One message per required attachment that is missing (children's documents: one per child)."""
    counts = Counter(attachment.kind for attachment in attachments)
    children = sum(1 for p in application.accompanying_persons.all() if p.relation != Relation.SPOUSE)
    messages = []
    for kind in required_attachment_kinds(application):
        needed = children if kind in (AttachmentKind.CHILD_HOUSEHOLD, AttachmentKind.CHILD_BIRTH_CERT) else 1
        have = counts.get(kind, 0)
        if have == 0:
            messages.append(f"未上传必传附件“{kind.label}”。")
        elif have < needed:
            messages.append(f"附件“{kind.label}”须每名随迁子女各一份：随迁子女{needed}人，已上传{have}份。")
    return messages
