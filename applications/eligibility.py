"""Who may apply under which 具体类别, and which attachments each application needs.

Sources: 广州市引进人才入户管理办法 (穗府办规〔2020〕10号) and its 实施细则 (穗人社规字〔2022〕2号),
as summarised in DESIGN.md §4. Everything here is pure: it reads the application (and its
prefetched accompanying persons and attachments) and writes nothing, so the review console can
show the same result beside each application.
"""

import datetime
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, fields
from functools import partial
from typing import Any

from django.utils import dateformat, translation
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from applications.choices import (
    AttachmentKind,
    Degree,
    Education,
    MaritalStatus,
    ProfessionalTitle,
    Relation,
    SkillLevel,
)

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


Problems = list[tuple[str, str]]  # (form field, message for the applicant)


@dataclass(frozen=True)
class Answers:
    """Every answer the rules below read about the person, and nothing else.

    Submission reads them from the Application (Answers.of), the public 一键测试 from its form, and
    both hand them to the same functions (answer_problems, personal_problems): one rule source. A
    rule that reached for anything not listed here would fail at once, on both paths.
    """

    subcategory: Any  # TalentSubcategory with its category; None = not chosen yet
    birth_date: datetime.date | None = None
    education: str = ""
    degree: str = ""
    professional_title: str = ""
    professional_qualification: str = ""
    skill_qualification: str = ""
    skill_occupation: str = ""
    shortage_occupation: str = ""
    position: str = ""
    high_level_title: str = ""
    social_insurance_months: int | None = None

    @classmethod
    def of(cls, application) -> "Answers":
        return cls(**{name: getattr(application, name) for name in ANSWER_FIELDS})


ANSWER_FIELDS = tuple(field.name for field in fields(Answers))


@dataclass(frozen=True)
class EligibilityRule:
    """The 办法's conditions for one 具体类别, keyed by its code.

    The code is the only link between a database row and these conditions, so the registry is
    the source of truth: applications.checks refuses to start while a row has no rule (or an age
    limit other than the rule's), and submission refuses a sub-category without one.
    """

    code: str
    # Counted on the submission day and inclusive ("45周岁以下" admits 45); None = no limit.
    max_age: int | None
    # The personal requirement on the 个人信息 answers; the title or certificate itself is an attachment.
    qualifications: Callable[[Any], Problems]
    # The category's proof among the attachments, beyond the identity and family documents.
    proof_kinds: Callable[[Any], Iterable[str]]
    # None: social insurance must be being paid; a number: at least that many months.
    min_insurance_months: int | None = None
    # 五(四): a 重点扶持 employer may hold a quota share of its own.
    key_employer_quota: bool = False


RULES: dict[str, EligibilityRule] = {}


def rule(
    code: str,
    *,
    max_age: int | None,
    proof_kinds: Callable[[Any], Iterable[str]],
    min_insurance_months: int | None = None,
    key_employer_quota: bool = False,
):
    """Register the decorated qualification check as the rule of sub-category `code`."""

    def register(qualifications: Callable[[Any], Problems]) -> Callable[[Any], Problems]:
        if code in RULES:
            raise ValueError(f"eligibility rule {code} registered twice")
        RULES[code] = EligibilityRule(
            code=code,
            max_age=max_age,
            qualifications=qualifications,
            proof_kinds=proof_kinds,
            min_insurance_months=min_insurance_months,
            key_employer_quota=key_employer_quota,
        )
        return qualifications

    return register


def rule_for(subcategory) -> EligibilityRule | None:
    """The rule of this 具体类别, or None when its code has none (then nobody may apply under it)."""
    return RULES.get(subcategory.code) if subcategory is not None else None


def shown_date(value: datetime.date) -> str:
    """2026年12月02日, or 2 December 2026 on an English page."""
    return dateformat.format(value, gettext("Y年m月d日"))


def subcategory_label(subcategory) -> str:
    """一、高层次、高技能人才（三）, or "1. High-level ... (3)" on an English page."""
    separator = " " if translation.get_language() == "en" else ""
    return f"{subcategory.category.label}{separator}{subcategory.numeral_shown}"


def missing_rule_message(subcategory) -> str:
    return gettext(
        "具体类别“%(subcategory)s”（编号%(code)s）尚未配置资格条件，暂不能按该类别提交申报，"
        "请联系市人力资源和社会保障局。"
    ) % {"subcategory": subcategory_label(subcategory), "code": subcategory.code}


def _kinds(*kinds: AttachmentKind) -> Callable[[Any], Iterable[str]]:
    return lambda _application: kinds


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


_HIGH_LEVEL_PROOF = _kinds(AttachmentKind.HIGH_LEVEL_PROOF)
_TITLE_PROOF = _kinds(AttachmentKind.TITLE_CERT, AttachmentKind.TITLE_VERIFICATION)
_VOCATIONAL_PROOF = _kinds(AttachmentKind.VOCATIONAL_CERT, AttachmentKind.VOCATIONAL_VERIFICATION)
_UNIT_REPORT = _kinds(AttachmentKind.UNIT_REPORT)


# 办法 第五条: 一、高层次、高技能人才. (一) national honours and (二) provincial programmes have no age
# limit; (三) city-level titles such as 广州市杰出专家 50周岁以下; (四) 劳动模范, 广东省技术能手 and city
# contest winners 45周岁以下.
@rule("1.1", max_age=None, proof_kinds=_HIGH_LEVEL_PROOF)
@rule("1.2", max_age=None, proof_kinds=_HIGH_LEVEL_PROOF)
@rule("1.3", max_age=50, proof_kinds=_HIGH_LEVEL_PROOF)
@rule("1.4", max_age=45, proof_kinds=_HIGH_LEVEL_PROOF)
def _high_level_title(a) -> Problems:
    # The title or honour itself is the qualification; its proof is an attachment.
    if not has_value(a.high_level_title):
        return [("high_level_title", gettext("申报高层次、高技能人才，请填写所获人才称号或荣誉。"))]
    return []


# 办法 第六条(一): 博士研究生学历 or 博士学位, 50周岁以下.
@rule("2.1", max_age=50, proof_kinds=_education_kinds)
def _doctorate(a) -> Problems:
    if _EDUCATION_RANK.get(a.education, 0) < 4 and _DEGREE_RANK.get(a.degree, 0) < 4:
        return [("education", gettext("申报学历类（一）须具有博士研究生学历或博士学位。"))]
    return []


# 办法 第六条(二): 硕士研究生学历 or 硕士学位, 45周岁以下.
@rule("2.2", max_age=45, proof_kinds=_education_kinds)
def _master(a) -> Problems:
    if _EDUCATION_RANK.get(a.education, 0) < 3 and _DEGREE_RANK.get(a.degree, 0) < 3:
        return [("education", gettext("申报学历类（二）须具有硕士研究生学历或硕士学位。"))]
    return []


# 办法 第六条(三): 全日制本科学历 with a 学士学位, or a foreign bachelor's degree, 40周岁以下.
@rule("2.3", max_age=40, proof_kinds=_education_kinds)
def _bachelor(a) -> Problems:
    fulltime_bachelor = a.education in (Education.BACHELOR_FULLTIME, Education.MASTER, Education.DOCTORATE)
    if (fulltime_bachelor and _DEGREE_RANK.get(a.degree, 0) >= 2) or a.degree == Degree.FOREIGN_BACHELOR:
        return []
    return [
        ("degree", gettext("申报学历类（三）须具有全日制本科学历并取得学士学位，或取得国（境）外学士学位。"))
    ]


# 办法 第七条(一): 高级职称 (副高级 or 正高级), 50周岁以下.
@rule("3.1", max_age=50, proof_kinds=_TITLE_PROOF)
def _senior_title(a) -> Problems:
    if _TITLE_RANK.get(a.professional_title, 0) < 3:
        return [("professional_title", gettext("申报职称类（一）须具有高级职称（副高级或正高级）。"))]
    return []


# 办法 第七条(二): 中级职称, 40周岁以下.
@rule("3.2", max_age=40, proof_kinds=_TITLE_PROOF)
def _intermediate_title(a) -> Problems:
    if _TITLE_RANK.get(a.professional_title, 0) < 2:
        return [("professional_title", gettext("申报职称类（二）须具有中级及以上职称。"))]
    return []


# 办法 第八条 (技能类) asks every skill sub-category for 6 months of Guangzhou social insurance.
_skill_rule = partial(rule, proof_kinds=_VOCATIONAL_PROOF, min_insurance_months=SKILL_MIN_INSURANCE_MONTHS)


# 办法 第八条(一): 专业技术人员职业资格 on the 职业目录, 40周岁以下.
@_skill_rule("4.1", max_age=40)
def _professional_qualification(a) -> Problems:
    if not has_value(a.professional_qualification):
        return [
            ("professional_qualification", gettext("申报技能类（一）须填写所取得的专业技术人员职业资格。"))
        ]
    return []


def _skill_level_problems(a, *, needed: int, label: str) -> Problems:
    problems: Problems = []
    if _SKILL_RANK.get(a.skill_qualification, 0) < needed:
        message = gettext("申报技能类%(numeral)s须取得%(level)s职业资格。")
        problems.append(
            ("skill_qualification", message % {"numeral": a.subcategory.numeral_shown, "level": label})
        )
    if not has_value(a.skill_occupation):
        problems.append(
            (
                "skill_occupation",
                gettext("请填写职业资格对应的职业（工种），须列入广州市引进技术技能人才职业目录。"),
            )
        )
    return problems


# 办法 第八条(二): 高级技师, 45周岁以下.
@_skill_rule("4.2", max_age=45)
def _senior_technician(a) -> Problems:
    return _skill_level_problems(a, needed=_SKILL_RANK[SkillLevel.SENIOR_TECHNICIAN], label=_("高级技师"))


# 办法 第八条(三): 技师, 40周岁以下.
@_skill_rule("4.3", max_age=40)
def _technician(a) -> Problems:
    return _skill_level_problems(a, needed=_SKILL_RANK[SkillLevel.TECHNICIAN], label=_("技师及以上"))


# 办法 第八条(四): 高级工, 35周岁以下.
@_skill_rule("4.4", max_age=35)
def _senior_worker(a) -> Problems:
    return _skill_level_problems(a, needed=_SKILL_RANK[SkillLevel.SENIOR_WORKER], label=_("高级工及以上"))


# 办法 第八条(五): 产业发展急需的行业紧缺工种职业资格, 40周岁以下.
@_skill_rule("4.5", max_age=40)
def _shortage_occupation(a) -> Problems:
    problems: Problems = []
    if not has_value(a.shortage_occupation):
        problems.append(
            ("shortage_occupation", gettext("申报技能类（五）须填写产业发展急需的行业紧缺工种。"))
        )
    if a.skill_qualification in ("", SkillLevel.NONE):
        problems.append(("skill_qualification", gettext("申报技能类（五）须取得该紧缺工种的职业资格。")))
    return problems


# 办法 第九条: 五、其他 (总量控制类), no age limit; (一) 创新创业人才, (二) 整体迁入、项目建设, (三) 省直及
# 中央驻穗单位, (五) 本市机关事业单位 are proven by the 单位引进报告 alone.
@rule("5.1", max_age=None, proof_kinds=_UNIT_REPORT)
@rule("5.2", max_age=None, proof_kinds=_UNIT_REPORT)
@rule("5.3", max_age=None, proof_kinds=_UNIT_REPORT)
@rule("5.5", max_age=None, proof_kinds=_UNIT_REPORT)
def _unit_report_only(a) -> Problems:
    return []


# 办法 第九条(四): 重点扶持单位的中高级管理人员、技术骨干、紧缺急需人员; the key employer's own quota share.
@rule("5.4", max_age=None, proof_kinds=_UNIT_REPORT, key_employer_quota=True)
def _key_employer_staff(a) -> Problems:
    if not has_value(a.position):
        return [
            (
                "position",
                gettext("申报五、其他（四）须填写在用人单位担任的职务（中高级管理人员、技术骨干等）。"),
            )
        ]
    return []


def personal_problems(application) -> Problems:
    """Requirements of the chosen 具体类别 on the 个人信息 answers, as (field, message).

    A sub-category without a rule has none here; check_eligibility refuses it as a whole.
    """
    answers = application if isinstance(application, Answers) else Answers.of(application)
    sub_rule = rule_for(answers.subcategory)
    if sub_rule is None:
        return []
    problems = list(sub_rule.qualifications(answers))
    months = answers.social_insurance_months
    if sub_rule.min_insurance_months is not None:
        if months is None or months < sub_rule.min_insurance_months:
            problems.append(
                (
                    "social_insurance_months",
                    gettext(
                        "申报技能类人才须在广州市缴纳社会保险满%(needed)s个月（当前填写%(months)s个月）。"
                    )
                    % {"needed": sub_rule.min_insurance_months, "months": months or 0},
                )
            )
    elif months is not None and months < MIN_INSURANCE_MONTHS:
        problems.append(("social_insurance_months", gettext("申请人须在广州市就业并正在缴纳社会保险。")))
    return problems


def age_problem(application, *, on: datetime.date) -> str | None:
    """The age rule at submission: counted on the submission day `on`."""
    return subcategory_age_problem(application.subcategory, application.birth_date, on=on)


def subcategory_age_problem(
    subcategory, birth_date: datetime.date | None, *, on: datetime.date, counted: str | None = None
) -> str | None:
    """Why someone born on `birth_date` is over the age limit of `subcategory` on `on`, or None.

    The one age rule: submission asks it on the submission day, the 引进人才类别 step asks it on
    the day the choice is made (`counted` names that day in the message).
    """
    sub_rule = rule_for(subcategory)
    if sub_rule is None or sub_rule.max_age is None or birth_date is None:
        return None
    age = age_on(birth_date, on)
    if age > sub_rule.max_age:
        return gettext(
            "按%(counted)s（%(date)s）计算，您已满%(age)s周岁，超过“%(subcategory)s”规定的%(max_age)s周岁以下"
            "年龄条件，不能按该类别申报。"
        ) % {
            "counted": counted or gettext("提交之日"),
            "date": shown_date(on),
            "age": age,
            "subcategory": subcategory_label(subcategory),
            "max_age": sub_rule.max_age,
        }
    return None


def accompanying_problems(application, persons: Iterable, *, on: datetime.date) -> list[str]:
    problems = []
    spouses = 0
    for person in persons:
        missing = person.missing_details
        if missing:
            # A row added before these lines were asked (migration 0005): its card would print 无.
            problems.append(
                gettext("随迁人%(name)s尚未填写%(missing)s，请删除该随迁人后重新添加并填写。")
                % {"name": person.full_name, "missing": gettext("、").join(missing)}
            )
        if person.relation == Relation.SPOUSE:
            spouses += 1
            if application.marital_status and application.marital_status != MaritalStatus.MARRIED:
                problems.append(
                    gettext("随迁人%(name)s为配偶，但个人信息中的婚姻状况为“%(status)s”，请核对。")
                    % {"name": person.full_name, "status": application.get_marital_status_display()}
                )
        elif person.birth_date is not None and age_on(person.birth_date, on) >= CHILD_AGE_LIMIT:
            problems.append(
                gettext("随迁子女%(name)s于%(date)s已满%(age)s周岁，只有未满%(limit)s周岁的子女可以随迁。")
                % {
                    "name": person.full_name,
                    "date": shown_date(on),
                    "age": age_on(person.birth_date, on),
                    "limit": CHILD_AGE_LIMIT,
                }
            )
    if spouses > 1:
        problems.append(gettext("随迁配偶只能有一人。"))
    return problems


def answer_problems(answers: Answers, *, on: datetime.date) -> list[str]:
    """Why the person these answers describe does not meet their 具体类别 on `on`; empty = they do.

    The part of check_eligibility that depends on the person alone (no rule for the code, the age
    limit, the qualifications and social insurance): submission asks it, and so does the 一键测试.
    """
    messages = []
    if rule_for(answers.subcategory) is None:
        # Fail closed: a new or renamed code must not pass every rule silently.
        messages.append(missing_rule_message(answers.subcategory))
    problem = age_problem(answers, on=on)
    if problem:
        messages.append(problem)
    messages.extend(message for _field, message in personal_problems(answers))
    return messages


def check_eligibility(application, *, on: datetime.date) -> list[str]:
    """Chinese messages saying why the application does not meet its 具体类别 on `on`; empty = eligible.

    Reads application.subcategory(.category), the answers and application.accompanying_persons
    (prefetch it to keep this to no query).
    """
    if application.subcategory_id is None:
        return [gettext("尚未选择引进人才类别和具体类别。")]
    messages = answer_problems(Answers.of(application), on=on)
    if application.employer_id is None:
        messages.append(gettext("尚未选择迁入单位（须与广州市用人单位签订劳动合同或在穗创办企业）。"))
    messages.extend(accompanying_problems(application, application.accompanying_persons.all(), on=on))
    return messages


def required_attachment_kinds(application) -> list[AttachmentKind]:
    """The attachments this application must carry, in the seed's order (DESIGN.md §4).

    身份证 and 户口簿 always; the category's proof and its online verification; 单位引进报告 for
    五、其他; the spouse's and children's documents when they move too.
    """
    kinds: set[str] = {AttachmentKind.ID_CARD, AttachmentKind.HOUSEHOLD_REGISTER}
    sub_rule = rule_for(application.subcategory)
    if sub_rule is not None:
        kinds.update(sub_rule.proof_kinds(application))
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
            messages.append(gettext("未上传必传附件“%(kind)s”。") % {"kind": kind.label})
        elif have < needed:
            messages.append(
                gettext("附件“%(kind)s”须每名随迁子女各一份：随迁子女%(needed)s人，已上传%(have)s份。")
                % {"kind": kind.label, "needed": needed, "have": have}
            )
    return messages
