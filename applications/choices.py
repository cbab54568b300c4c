"""Choice lists of the 人才引进信息登记 form and the card (seed and GB/T 3304 民族 list)."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop


class Status(models.TextChoices):
    """The application's life (DESIGN.md §3). Transitions are guarded in applications.workflow."""

    DRAFT = "draft", _("草稿（未提交）")
    SUBMITTED = "submitted", _("已提交，待区人社局受理")
    UNDER_REVIEW = "under_review", _("区人社局审核中")
    RETURNED = "returned", _("退回补正")
    IN_NOTICE = "in_notice", _("网上公示中")
    PUBLISHED = "published", _("已公布，核发入户信息卡")
    REJECTED = "rejected", _("审核不通过")
    WITHDRAWN = "withdrawn", _("已撤回")


class DeclarationType(models.TextChoices):
    TALENT_HUKOU = "talent_hukou", _("引进人才入户类")


class Gender(models.TextChoices):
    MALE = "男", _("男")
    FEMALE = "女", _("女")


class MoveType(models.TextChoices):
    """How a person moves on the 入户信息卡: the applicant (主迁) or an accompanying person (随迁).
    Printed on the card only, so never translated."""

    MAIN = "主迁", "主迁"
    ACCOMPANYING = "随迁", "随迁"


class MaritalStatus(models.TextChoices):
    UNMARRIED = "未婚", _("未婚")
    MARRIED = "已婚", _("已婚")
    DIVORCED = "离异", _("离异")
    WIDOWED = "丧偶", _("丧偶")


class Education(models.TextChoices):
    DOCTORATE = "博士研究生", _("博士研究生")
    MASTER = "硕士研究生", _("硕士研究生")
    BACHELOR_FULLTIME = "大学本科（全日制）", _("大学本科（全日制）")
    BACHELOR = "大学本科（非全日制）", _("大学本科（非全日制）")
    COLLEGE = "大学专科", _("大学专科")
    SECONDARY = "中专/技校", _("中专/技校")
    HIGH_SCHOOL = "高中及以下", _("高中及以下")
    NONE = "无", _("无")


class Degree(models.TextChoices):
    DOCTOR = "博士", _("博士")
    MASTER = "硕士", _("硕士")
    BACHELOR = "学士", _("学士")
    FOREIGN_BACHELOR = "国（境）外学士", _("国（境）外学士")
    NONE = "无", _("无")


class ProfessionalTitle(models.TextChoices):
    FULL_SENIOR = "正高级", _("正高级")
    SENIOR = "副高级", _("副高级")
    INTERMEDIATE = "中级", _("中级")
    JUNIOR = "初级", _("初级")
    NONE = "无", _("无")


class SkillLevel(models.TextChoices):
    """技能人员职业资格 (国家职业资格等级)."""

    SENIOR_TECHNICIAN = "高级技师（一级）", _("高级技师（一级）")
    TECHNICIAN = "技师（二级）", _("技师（二级）")
    SENIOR_WORKER = "高级工（三级）", _("高级工（三级）")
    INTERMEDIATE_WORKER = "中级工（四级）", _("中级工（四级）")
    JUNIOR_WORKER = "初级工（五级）", _("初级工（五级）")
    NONE = "无", _("无")


class Relation(models.TextChoices):
    """随迁人: spouse and children under 18 (DESIGN.md §4)."""

    SPOUSE = "配偶", _("配偶")
    SON = "儿子", _("儿子")
    DAUGHTER = "女儿", _("女儿")


class EmployerConfirmation(models.TextChoices):
    PENDING = "pending", _("待单位确认")
    CONFIRMED = "confirmed", _("单位已确认在职")
    DISPUTED = "disputed", _("单位对在职情况有异议")


# GB/T 3304 order.
# gettext_noop: the stored value stays the Chinese name; the label is its English on English pages.
ETHNICITIES = [
    gettext_noop("汉族"),
    gettext_noop("蒙古族"),
    gettext_noop("回族"),
    gettext_noop("藏族"),
    gettext_noop("维吾尔族"),
    gettext_noop("苗族"),
    gettext_noop("彝族"),
    gettext_noop("壮族"),
    gettext_noop("布依族"),
    gettext_noop("朝鲜族"),
    gettext_noop("满族"),
    gettext_noop("侗族"),
    gettext_noop("瑶族"),
    gettext_noop("白族"),
    gettext_noop("土家族"),
    gettext_noop("哈尼族"),
    gettext_noop("哈萨克族"),
    gettext_noop("傣族"),
    gettext_noop("黎族"),
    gettext_noop("傈僳族"),
    gettext_noop("佤族"),
    gettext_noop("畲族"),
    gettext_noop("高山族"),
    gettext_noop("拉祜族"),
    gettext_noop("水族"),
    gettext_noop("东乡族"),
    gettext_noop("纳西族"),
    gettext_noop("景颇族"),
    gettext_noop("柯尔克孜族"),
    gettext_noop("土族"),
    gettext_noop("达斡尔族"),
    gettext_noop("仫佬族"),
    gettext_noop("羌族"),
    gettext_noop("布朗族"),
    gettext_noop("撒拉族"),
    gettext_noop("毛南族"),
    gettext_noop("仡佬族"),
    gettext_noop("锡伯族"),
    gettext_noop("阿昌族"),
    gettext_noop("普米族"),
    gettext_noop("塔吉克族"),
    gettext_noop("怒族"),
    gettext_noop("乌孜别克族"),
    gettext_noop("俄罗斯族"),
    gettext_noop("鄂温克族"),
    gettext_noop("德昂族"),
    gettext_noop("保安族"),
    gettext_noop("裕固族"),
    gettext_noop("京族"),
    gettext_noop("塔塔尔族"),
    gettext_noop("独龙族"),
    gettext_noop("鄂伦春族"),
    gettext_noop("赫哲族"),
    gettext_noop("门巴族"),
    gettext_noop("珞巴族"),
    gettext_noop("基诺族"),
]
ETHNICITY_CHOICES = [(name, _(name)) for name in ETHNICITIES]


class AttachmentKind(models.TextChoices):
    """The seed's 附件上传 list, in its order."""

    UNIT_REPORT = "unit_report", _("单位引进报告")
    ID_CARD = "id_card", _("身份证")
    HOUSEHOLD_REGISTER = "household_register", _("户口簿")
    EDUCATION_CERT = "education_cert", _("本人学历证书")
    EDUCATION_VERIFICATION = "education_verification", _("本人学历鉴定")
    DEGREE_CERT = "degree_cert", _("本人学位证书")
    DEGREE_VERIFICATION = "degree_verification", _("本人学位鉴定")
    TITLE_CERT = "title_cert", _("专业技术资格证书")
    TITLE_VERIFICATION = "title_verification", _("发证机关网上查询、确认、核验材料")
    VOCATIONAL_CERT = "vocational_cert", _("职业资格证书")
    VOCATIONAL_VERIFICATION = "vocational_verification", _("职业资格证书网上查询证明")
    PRACTICE_CERT = "practice_cert", _("执业资格证书")
    PRACTICE_VERIFICATION = "practice_verification", _("执业资格网上查询证明")
    SPOUSE_ID = "spouse_id", _("配偶身份证")
    SPOUSE_HOUSEHOLD = "spouse_household", _("配偶户口簿")
    CHILD_HOUSEHOLD = "child_household", _("子女户口簿")
    CHILD_BIRTH_CERT = "child_birth_cert", _("子女出生医学证明")
    HIGH_LEVEL_PROOF = "high_level_proof", _("高层次/高技能人才证明材料")
    ACCREDITATION = "accreditation", _("认证或确认材料")
    OTHER_QUALIFICATION = "other_qualification", _("行业其他资格证书")
    OTHER = "other", _("其他材料")


# Kinds an applicant may upload more than one of (one per child, several other documents).
MULTI_FILE_KINDS = frozenset(
    {
        AttachmentKind.CHILD_HOUSEHOLD,
        AttachmentKind.CHILD_BIRTH_CERT,
        AttachmentKind.OTHER_QUALIFICATION,
        AttachmentKind.OTHER,
        AttachmentKind.HIGH_LEVEL_PROOF,
        AttachmentKind.ACCREDITATION,
    }
)
