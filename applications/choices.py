"""Choice lists of the 人才引进信息登记 form and the card (seed and GB/T 3304 民族 list)."""

from django.db import models


class Status(models.TextChoices):
    """The application's life (DESIGN.md §3). Transitions are guarded in applications.workflow."""

    DRAFT = "draft", "草稿（未提交）"
    SUBMITTED = "submitted", "已提交，待区人社局受理"
    UNDER_REVIEW = "under_review", "区人社局审核中"
    RETURNED = "returned", "退回补正"
    IN_NOTICE = "in_notice", "网上公示中"
    PUBLISHED = "published", "已公布，核发入户信息卡"
    REJECTED = "rejected", "审核不通过"
    WITHDRAWN = "withdrawn", "已撤回"


class DeclarationType(models.TextChoices):
    TALENT_HUKOU = "talent_hukou", "引进人才入户类"


class Gender(models.TextChoices):
    MALE = "男", "男"
    FEMALE = "女", "女"


class MoveType(models.TextChoices):
    """How a person moves on the 入户信息卡: the applicant (主迁) or an accompanying person (随迁)."""

    MAIN = "主迁", "主迁"
    ACCOMPANYING = "随迁", "随迁"


class MaritalStatus(models.TextChoices):
    UNMARRIED = "未婚", "未婚"
    MARRIED = "已婚", "已婚"
    DIVORCED = "离异", "离异"
    WIDOWED = "丧偶", "丧偶"


class Education(models.TextChoices):
    DOCTORATE = "博士研究生", "博士研究生"
    MASTER = "硕士研究生", "硕士研究生"
    BACHELOR_FULLTIME = "大学本科（全日制）", "大学本科（全日制）"
    BACHELOR = "大学本科（非全日制）", "大学本科（非全日制）"
    COLLEGE = "大学专科", "大学专科"
    SECONDARY = "中专/技校", "中专/技校"
    HIGH_SCHOOL = "高中及以下", "高中及以下"
    NONE = "无", "无"


class Degree(models.TextChoices):
    DOCTOR = "博士", "博士"
    MASTER = "硕士", "硕士"
    BACHELOR = "学士", "学士"
    FOREIGN_BACHELOR = "国（境）外学士", "国（境）外学士"
    NONE = "无", "无"


class ProfessionalTitle(models.TextChoices):
    FULL_SENIOR = "正高级", "正高级"
    SENIOR = "副高级", "副高级"
    INTERMEDIATE = "中级", "中级"
    JUNIOR = "初级", "初级"
    NONE = "无", "无"


class SkillLevel(models.TextChoices):
    """技能人员职业资格 (国家职业资格等级)."""

    SENIOR_TECHNICIAN = "高级技师（一级）", "高级技师（一级）"
    TECHNICIAN = "技师（二级）", "技师（二级）"
    SENIOR_WORKER = "高级工（三级）", "高级工（三级）"
    INTERMEDIATE_WORKER = "中级工（四级）", "中级工（四级）"
    JUNIOR_WORKER = "初级工（五级）", "初级工（五级）"
    NONE = "无", "无"


class Relation(models.TextChoices):
    """随迁人: spouse and children under 18 (DESIGN.md §4)."""

    SPOUSE = "配偶", "配偶"
    SON = "儿子", "儿子"
    DAUGHTER = "女儿", "女儿"


class EmployerConfirmation(models.TextChoices):
    PENDING = "pending", "待单位确认"
    CONFIRMED = "confirmed", "单位已确认在职"
    DISPUTED = "disputed", "单位对在职情况有异议"


# GB/T 3304 order.
ETHNICITIES = [
    "汉族", "蒙古族", "回族", "藏族", "维吾尔族", "苗族", "彝族", "壮族", "布依族", "朝鲜族",
    "满族", "侗族", "瑶族", "白族", "土家族", "哈尼族", "哈萨克族", "傣族", "黎族", "傈僳族",
    "佤族", "畲族", "高山族", "拉祜族", "水族", "东乡族", "纳西族", "景颇族", "柯尔克孜族", "土族",
    "达斡尔族", "仫佬族", "羌族", "布朗族", "撒拉族", "毛南族", "仡佬族", "锡伯族", "阿昌族", "普米族",
    "塔吉克族", "怒族", "乌孜别克族", "俄罗斯族", "鄂温克族", "德昂族", "保安族", "裕固族", "京族", "塔塔尔族",
    "独龙族", "鄂伦春族", "赫哲族", "门巴族", "珞巴族", "基诺族",
]  # fmt: skip
ETHNICITY_CHOICES = [(name, name) for name in ETHNICITIES]


class AttachmentKind(models.TextChoices):
    """The seed's 附件上传 list, in its order."""

    UNIT_REPORT = "unit_report", "单位引进报告"
    ID_CARD = "id_card", "身份证"
    HOUSEHOLD_REGISTER = "household_register", "户口簿"
    EDUCATION_CERT = "education_cert", "本人学历证书"
    EDUCATION_VERIFICATION = "education_verification", "本人学历鉴定"
    DEGREE_CERT = "degree_cert", "本人学位证书"
    DEGREE_VERIFICATION = "degree_verification", "本人学位鉴定"
    TITLE_CERT = "title_cert", "专业技术资格证书"
    TITLE_VERIFICATION = "title_verification", "发证机关网上查询、确认、核验材料"
    VOCATIONAL_CERT = "vocational_cert", "职业资格证书"
    VOCATIONAL_VERIFICATION = "vocational_verification", "职业资格证书网上查询证明"
    PRACTICE_CERT = "practice_cert", "执业资格证书"
    PRACTICE_VERIFICATION = "practice_verification", "执业资格网上查询证明"
    SPOUSE_ID = "spouse_id", "配偶身份证"
    SPOUSE_HOUSEHOLD = "spouse_household", "配偶户口簿"
    CHILD_HOUSEHOLD = "child_household", "子女户口簿"
    CHILD_BIRTH_CERT = "child_birth_cert", "子女出生医学证明"
    HIGH_LEVEL_PROOF = "high_level_proof", "高层次/高技能人才证明材料"
    ACCREDITATION = "accreditation", "认证或确认材料"
    OTHER_QUALIFICATION = "other_qualification", "行业其他资格证书"
    OTHER = "other", "其他材料"


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
