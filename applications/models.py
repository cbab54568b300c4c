"""The 申报 (Application) and what hangs off it. Workflow lives in workflow.py, writes in services.py."""

import uuid

from django.conf import settings
from django.db import models
from django.utils import translation
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from accounts.models import IdType
from applications.choices import (
    ETHNICITY_CHOICES,
    AttachmentKind,
    DeclarationType,
    Degree,
    Education,
    EmployerConfirmation,
    Gender,
    MaritalStatus,
    ProfessionalTitle,
    Relation,
    SkillLevel,
    Status,
)
from applications.policy import OPEN_STATUSES
from core.storage import private_storage


class _ByCode(models.Manager):
    """fixtures/talent_categories.json names rows by code (reference.fixtures)."""

    def get_by_natural_key(self, code):
        return self.get(code=code)


class TalentCategory(models.Model):
    """引进人才类别 一 to 五 (seed); 五、其他 is the 总量控制类."""

    code = models.CharField(_("编号"), max_length=2, unique=True)  # "1".."5"
    numeral = models.CharField(_("序号"), max_length=4)  # "一"
    name = models.CharField(_("类别名称"), max_length=40)  # "高层次、高技能人才"
    card_label = models.CharField(_("入户类别（卡面）"), max_length=40)  # "职称类人才"
    is_quota_controlled = models.BooleanField(_("总量控制类"), default=False)

    objects = _ByCode()

    class Meta:
        ordering = ["code"]
        verbose_name = verbose_name_plural = _("引进人才类别")

    def __str__(self) -> str:
        return f"{self.numeral}、{self.name}"

    @property
    def label(self) -> str:
        """一、高层次、高技能人才 in Chinese (the card and the 申报表 use __str__), "1. High-level ..."
        on an English page (the name's English is in the catalogue)."""
        if translation.get_language() == "en":
            return f"{self.code}. {translation.gettext(self.name)}"
        return str(self)

    def natural_key(self) -> tuple[str]:
        return (self.code,)


class TalentSubcategory(models.Model):
    """引进人才具体类别; the eligibility rule for each code is in applications.eligibility."""

    category = models.ForeignKey(TalentCategory, on_delete=models.PROTECT, related_name="subcategories")
    code = models.CharField(_("编号"), max_length=4, unique=True)  # "2.1"
    numeral = models.CharField(_("序号"), max_length=6)  # "（一）"
    name = models.CharField(_("具体类别"), max_length=200)
    # 办法 第五条–第九条: age limits counted on the submission day; None = no limit.
    max_age = models.PositiveSmallIntegerField(_("年龄上限（周岁）"), null=True, blank=True)
    sort_order = models.PositiveSmallIntegerField(_("排序"), default=0)

    objects = _ByCode()

    class Meta:
        ordering = ["category__code", "sort_order", "code"]
        verbose_name = verbose_name_plural = _("引进人才具体类别")

    def __str__(self) -> str:
        return f"{self.numeral}{self.name}"

    @property
    def numeral_shown(self) -> str:
        """（一） in Chinese, (1) on an English page: the number after the dot of the code ("2.1")."""
        if translation.get_language() == "en":
            return f"({self.code.rpartition('.')[2]})"
        return self.numeral

    @property
    def label(self) -> str:
        if translation.get_language() == "en":
            return f"{self.numeral_shown} {translation.gettext(self.name)}"
        return str(self)

    def natural_key(self) -> tuple[str]:
        return (self.code,)

    natural_key.dependencies = ["applications.talentcategory"]


class Application(models.Model):
    """A 人才引进信息登记 (申报). The main applicant is `applicant`; answers are frozen once submitted."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    number = models.CharField(_("申报编号"), max_length=24, unique=True, null=True, blank=True)
    applicant = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="applications",
        verbose_name=_("申请人"),
    )
    year = models.PositiveSmallIntegerField(_("申报年度"))
    status = models.CharField(_("办理状态"), max_length=20, choices=Status.choices, default=Status.DRAFT)
    completed_steps = models.JSONField(_("已完成步骤"), default=list, blank=True)

    # Step 1–3: commitment, declaration, category.
    commitment_accepted_at = models.DateTimeField(_("个人承诺同意时间"), null=True, blank=True)
    declaration_type = models.CharField(
        _("申报类型"), max_length=20, choices=DeclarationType.choices, default=DeclarationType.TALENT_HUKOU
    )
    conditions_confirmed = models.BooleanField(_("申报条件已确认"), default=False)
    category = models.ForeignKey(
        TalentCategory, on_delete=models.PROTECT, null=True, blank=True, verbose_name=_("引进人才类别")
    )
    subcategory = models.ForeignKey(
        TalentSubcategory, on_delete=models.PROTECT, null=True, blank=True, verbose_name=_("引进人才具体类别")
    )

    # Step 4: personal details (name and number copied from the account when the draft starts).
    full_name = models.CharField(_("姓名"), max_length=50, blank=True)
    id_type = models.CharField(
        _("证件类型"), max_length=20, choices=IdType.choices, default=IdType.RESIDENT_ID
    )
    id_number = models.CharField(_("身份证号码"), max_length=20, blank=True, db_index=True)
    gender = models.CharField(_("性别"), max_length=2, choices=Gender.choices, blank=True)
    birth_date = models.DateField(_("出生日期"), null=True, blank=True)
    ethnicity = models.CharField(_("民族"), max_length=10, choices=ETHNICITY_CHOICES, blank=True)
    marital_status = models.CharField(_("婚姻状况"), max_length=4, choices=MaritalStatus.choices, blank=True)
    education = models.CharField(_("学历"), max_length=20, choices=Education.choices, blank=True)
    degree = models.CharField(_("学位"), max_length=20, choices=Degree.choices, blank=True)
    graduate_school = models.CharField(_("毕业学校"), max_length=100, blank=True)
    major = models.CharField(_("专业"), max_length=100, blank=True)
    professional_title = models.CharField(
        _("职称"), max_length=10, choices=ProfessionalTitle.choices, blank=True
    )
    professional_title_name = models.CharField(_("职称名称"), max_length=100, blank=True)
    professional_qualification = models.CharField(_("专业技术人员职业资格"), max_length=100, blank=True)
    skill_qualification = models.CharField(
        _("技能人员职业资格"), max_length=20, choices=SkillLevel.choices, blank=True
    )
    skill_occupation = models.CharField(_("技能职业（工种）"), max_length=100, blank=True)
    shortage_occupation = models.CharField(_("产业发展急需的行业紧缺工种"), max_length=100, blank=True)
    position = models.CharField(_("职务"), max_length=60, blank=True)
    high_level_title = models.CharField(_("人才称号/荣誉"), max_length=200, blank=True)
    employer = models.ForeignKey(
        "accounts.Employer",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        verbose_name=_("迁入单位"),
        related_name="applications",
    )
    original_registry_office = models.CharField(_("原户口登记机关"), max_length=100, blank=True)
    original_hukou_address = models.CharField(_("原户口所在地"), max_length=200, blank=True)
    district = models.ForeignKey(
        "reference.District",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        verbose_name=_("入户所属区"),
        related_name="applications",
    )
    intended_address = models.CharField(_("拟入户地址"), max_length=200, blank=True)
    social_insurance_months = models.PositiveSmallIntegerField(_("在穗社保缴费月数"), null=True, blank=True)
    contact_mobile = models.CharField(_("联系手机"), max_length=11, blank=True)

    # Employer administrator's answer: informs the reviewer, blocks nothing (DESIGN.md §3).
    employer_confirmation = models.CharField(
        _("单位确认"),
        max_length=10,
        choices=EmployerConfirmation.choices,
        default=EmployerConfirmation.PENDING,
    )
    employer_confirmation_note = models.CharField(_("单位确认说明"), max_length=300, blank=True)
    employer_confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    employer_confirmed_at = models.DateTimeField(null=True, blank=True)

    # Review bookkeeping (dates in working days, see reference.workdays).
    submitted_at = models.DateTimeField(_("首次提交时间"), null=True, blank=True)
    last_submitted_at = models.DateTimeField(_("最近提交时间"), null=True, blank=True)
    accept_due_on = models.DateField(_("受理期限"), null=True, blank=True)
    accepted_at = models.DateTimeField(_("受理时间"), null=True, blank=True)
    decision_due_on = models.DateField(_("审核期限"), null=True, blank=True)
    decision_extension_reason = models.CharField(_("延期理由"), max_length=300, blank=True)
    correction_items = models.JSONField(_("退回补正事项"), default=list, blank=True)
    decision_reason = models.TextField(_("审核意见"), blank=True)
    decided_at = models.DateTimeField(_("审核决定时间"), null=True, blank=True)
    published_at = models.DateTimeField(_("公布时间"), null=True, blank=True)
    hukou_completed_at = models.DateTimeField(_("入户办结时间"), null=True, blank=True)

    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = verbose_name_plural = _("人才引进申报")
        indexes = [
            # The queue filters by district and state, often by category too (review.selectors).
            models.Index(
                fields=["district", "status", "category", "last_submitted_at"], name="app_queue_idx"
            ),
            models.Index(fields=["applicant", "status"], name="app_applicant_status_idx"),
            models.Index(fields=["status", "accept_due_on"], name="app_status_accept_due_idx"),
        ]
        constraints = [
            # One application in hand per applicant, enforced by the database too.
            models.UniqueConstraint(
                fields=["applicant"],
                condition=models.Q(status__in=[str(status) for status in OPEN_STATUSES]),
                name="one_open_application_per_applicant",
            ),
        ]

    def __str__(self) -> str:
        return self.number or f"草稿 {self.public_id.hex[:8]}"

    @property
    def status_label(self) -> str:
        return Status(self.status).label

    @property
    def is_editable(self) -> bool:
        return self.status in (Status.DRAFT, Status.RETURNED)

    @property
    def is_quota_controlled(self) -> bool:
        return bool(self.category_id) and self.category.is_quota_controlled

    @property
    def notification_mobile(self) -> str:
        """Where this application's SMS go: the 联系手机 given on it, else the account's mobile."""
        return self.contact_mobile or self.applicant.mobile

    @property
    def card_category_label(self) -> str:
        """入户类别 as printed on the card: 引进人才入户（职称类人才）."""
        label = self.category.card_label if self.category_id else ""
        return f"引进人才入户（{label}）" if label else "引进人才入户"


class AccompanyingPerson(models.Model):
    """随迁人: the spouse or a child under 18 moving with the applicant."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    application = models.ForeignKey(
        Application, on_delete=models.CASCADE, related_name="accompanying_persons"
    )
    full_name = models.CharField(_("姓名"), max_length=50)
    id_type = models.CharField(
        _("证件类型"), max_length=20, choices=IdType.choices, default=IdType.RESIDENT_ID
    )
    id_number = models.CharField(_("身份证号"), max_length=20)
    relation = models.CharField(_("关系"), max_length=4, choices=Relation.choices)
    gender = models.CharField(_("性别"), max_length=2, choices=Gender.choices, blank=True)
    birth_date = models.DateField(_("出生日期"), null=True, blank=True)
    # The person's own card lines (issue 12, defect 7). Blank on rows added before they were
    # collected: those print 无 rather than a guess, and the 随迁人 step asks for them again.
    ethnicity = models.CharField(_("民族"), max_length=10, choices=ETHNICITY_CHOICES, blank=True)
    # 与主迁人相同: the 原户口 lines are the main applicant's, read from the application whenever shown
    # or printed, so a correction of the applicant's own 原户口 (退回补正) carries over.
    hukou_same_as_applicant = models.BooleanField(_("原户口与主迁人相同"), default=False)
    original_registry_office = models.CharField(_("原户口登记机关"), max_length=100, blank=True)
    original_hukou_address = models.CharField(_("原户口所在地"), max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = verbose_name_plural = _("随迁人")
        constraints = [
            models.UniqueConstraint(
                fields=["application", "id_number"], name="unique_person_per_application"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.full_name}（{self.relation}）"

    @property
    def marital_status(self) -> str:
        """Not asked: a 随迁配偶 is the applicant's spouse, so 已婚; a 随迁子女 is under 18, below the
        statutory marriage age (民法典 第一千零四十七条: 男22、女20周岁), so 未婚."""
        return MaritalStatus.MARRIED if self.relation == Relation.SPOUSE else MaritalStatus.UNMARRIED

    @property
    def registry_office_shown(self) -> str:
        """原户口登记机关 as shown and printed (the applicant's when 与主迁人相同)."""
        if self.hukou_same_as_applicant:
            return self.application.original_registry_office
        return self.original_registry_office

    @property
    def hukou_address_shown(self) -> str:
        if self.hukou_same_as_applicant:
            return self.application.original_hukou_address
        return self.original_hukou_address

    @property
    def missing_details(self) -> list[str]:
        """Labels of the card lines this person still lacks (rows from before they were asked)."""
        missing = [] if self.ethnicity else [gettext("民族")]
        if not self.hukou_same_as_applicant:
            if not self.original_registry_office:
                missing.append(gettext("原户口登记机关"))
            if not self.original_hukou_address:
                missing.append(gettext("原户口所在地"))
        return missing


def library_document_path(instance: "LibraryDocument", filename: str) -> str:
    # The server chooses the name; the user's file name is kept only as data.
    return f"documents/{instance.owner_id}/{uuid.uuid4().hex}.jpg"


class LibraryDocument(models.Model):
    """A checked JPEG in the applicant's 证件库, reusable across applications."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="library_documents"
    )
    kind = models.CharField(_("证件类别"), max_length=30, choices=AttachmentKind.choices)
    file = models.FileField(storage=private_storage, upload_to=library_document_path, max_length=200)
    original_name = models.CharField(_("原文件名"), max_length=200, blank=True)
    size = models.PositiveIntegerField(_("大小（字节）"))
    width = models.PositiveIntegerField(_("宽"))
    height = models.PositiveIntegerField(_("高"))
    sha256 = models.CharField(max_length=64)
    created_at = models.DateTimeField(_("上传时间"), auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["owner", "kind"], name="libdoc_owner_kind_idx")]
        verbose_name = verbose_name_plural = _("证件库图片")

    def __str__(self) -> str:
        return f"{self.get_kind_display()}（{self.original_name}）"


class Attachment(models.Model):
    """An attachment of an application: points at a 证件库 document, which it keeps alive (PROTECT)."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="attachments")
    kind = models.CharField(_("附件类别"), max_length=30, choices=AttachmentKind.choices)
    document = models.ForeignKey(LibraryDocument, on_delete=models.PROTECT, related_name="attachments")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["application", "kind"], name="attachment_app_kind_idx")]
        verbose_name = verbose_name_plural = _("申报附件")

    def __str__(self) -> str:
        return self.get_kind_display()


class ReapplicationGrant(models.Model):
    """再次申报权限: lets a rejected applicant submit a new application in the same year."""

    applicant = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="reapplication_grants"
    )
    year = models.PositiveSmallIntegerField(_("年度"))
    reason = models.CharField(_("理由"), max_length=300)
    granted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    used_by = models.OneToOneField(
        Application, on_delete=models.PROTECT, null=True, blank=True, related_name="reapplication_grant"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = _("再次申报权限")

    def __str__(self) -> str:
        return f"{self.applicant} {self.year}年再次申报权限"


class ApplicantBar(models.Model):
    """第十一条: false materials bar the applicant for 5 years; checked at submit."""

    applicant = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="bars")
    application = models.ForeignKey(
        Application, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    reason = models.TextField(_("理由"))
    barred_from = models.DateField(_("起始日期"))
    barred_until = models.DateField(_("截止日期"))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-barred_until"]
        verbose_name = verbose_name_plural = _("申报资格限制")

    def __str__(self) -> str:
        return f"{self.applicant} 限制至{self.barred_until:%Y-%m-%d}"
