"""People and employers: the real-name user, the legal-entity employer and its administrators."""

import uuid

from django.conf import settings
from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _

from accounts.validators import (
    USERNAME_HELP,
    validate_credit_code,
    validate_landline,
    validate_mobile,
    validate_username,
)
from core.storage import private_storage


class IdType(models.TextChoices):
    RESIDENT_ID = "resident_id", _("居民身份证")
    HK_MACAO_PERMIT = "hk_macao_permit", _("港澳居民来往内地通行证")
    TAIWAN_PERMIT = "taiwan_permit", _("台湾居民来往大陆通行证")
    HMT_RESIDENCE = "hmt_residence", _("港澳台居民居住证")
    FOREIGN_PERMANENT = "foreign_permanent", _("外国人永久居留身份证")
    PASSPORT = "passport", _("护照")


class Role(models.TextChoices):
    APPLICANT = "applicant", _("个人用户")
    REVIEWER = "reviewer", _("区人社局审核员")
    CITY_ADMIN = "city_admin", _("市人社局管理员")
    POLICE = "police", _("公安窗口")


STAFF_ROLES = (Role.REVIEWER, Role.CITY_ADMIN, Role.POLICE)
# The review console's users (accounts.access.is_console_user).
CONSOLE_ROLES = (Role.REVIEWER, Role.CITY_ADMIN)


class PortalUserManager(UserManager):
    def get_queryset(self):
        # Every page shows the user's district (console header, scoping): fetch it with the user.
        # Locking users therefore needs select_for_update(of=("self",)): the district is a LEFT JOIN.
        return super().get_queryset().select_related("district")

    def get_by_natural_key(self, username):
        # Usernames are unique regardless of case, and people type them either way.
        return self.get(username__iexact=username)


class User(AbstractUser):
    """A real-name account (实名制). One account per identity document number (seed)."""

    username = models.CharField(
        _("登录帐号"), max_length=20, unique=True, validators=[validate_username], help_text=USERNAME_HELP
    )
    full_name = models.CharField(_("姓名"), max_length=50)
    id_type = models.CharField(
        _("证件类型"), max_length=20, choices=IdType.choices, default=IdType.RESIDENT_ID
    )
    id_number = models.CharField(_("证件号码"), max_length=20, blank=True)
    workplace = models.CharField(_("所在单位"), max_length=100, blank=True)
    landline = models.CharField(_("固定电话"), max_length=30, blank=True, validators=[validate_landline])
    mobile = models.CharField(_("移动电话"), max_length=11, blank=True, validators=[validate_mobile])
    email = models.EmailField(_("电子邮件"), blank=True)
    personal_note = models.TextField(_("个人说明"), max_length=500, blank=True)
    truthfulness_promised_at = models.DateTimeField(_("真实性承诺时间"), null=True, blank=True)
    role = models.CharField(_("角色"), max_length=20, choices=Role.choices, default=Role.APPLICANT)
    # The language of the e-mails sent to this account (a worker has no request to take it from):
    # the one chosen with the 中文 / English switch, else the one the account was registered in.
    language = models.CharField(
        _("通知语言"), max_length=10, choices=settings.LANGUAGES, default=settings.LANGUAGE_CODE
    )
    # A district reviewer works the queue of this district only (DESIGN.md §1).
    district = models.ForeignKey(
        "reference.District", verbose_name=_("所属区"), on_delete=models.PROTECT, null=True, blank=True
    )

    objects = PortalUserManager()

    class Meta:
        verbose_name = verbose_name_plural = _("用户")
        constraints = [
            models.UniqueConstraint(Lower("username"), name="unique_username_ci"),
            models.UniqueConstraint(
                fields=["id_number"], condition=~models.Q(id_number=""), name="unique_id_number"
            ),
            models.CheckConstraint(
                condition=~models.Q(role="reviewer") | models.Q(district__isnull=False),
                name="reviewer_has_district",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.full_name or self.username}（{self.username}）"

    @property
    def display_name(self) -> str:
        return self.full_name or self.username

    @property
    def is_applicant(self) -> bool:
        return self.role == Role.APPLICANT

    @property
    def is_reviewer(self) -> bool:
        return self.role == Role.REVIEWER

    @property
    def is_city_admin(self) -> bool:
        return self.role == Role.CITY_ADMIN

    @property
    def is_police(self) -> bool:
        return self.role == Role.POLICE

    @property
    def is_console_user(self) -> bool:
        return self.role in CONSOLE_ROLES


class Employer(models.Model):
    """A legal-entity employer (法人单位) that applicants name as their 迁入单位."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    name = models.CharField(_("单位名称"), max_length=120, db_index=True)
    credit_code = models.CharField(
        _("统一社会信用代码"), max_length=18, unique=True, validators=[validate_credit_code]
    )
    district = models.ForeignKey("reference.District", verbose_name=_("所在区"), on_delete=models.PROTECT)
    address = models.CharField(_("单位地址"), max_length=200, blank=True)
    # 五(四): the city names key employers (重点扶持) that get their own share of the quota.
    is_key_employer = models.BooleanField(_("重点扶持用人单位"), default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        verbose_name = verbose_name_plural = _("用人单位")

    def __str__(self) -> str:
        return self.name


def business_licence_path(instance: "EmployerAdmin", filename: str) -> str:
    return f"business_licences/{uuid.uuid4().hex}.jpg"


class EmployerAdmin(models.Model):
    """A registered individual's request to administer an employer (单位系统管理员权限), and the right itself."""

    class Status(models.TextChoices):
        PENDING = "pending", _("待审核")
        APPROVED = "approved", _("已批准")
        REFUSED = "refused", _("未批准")
        CANCELLED = "cancelled", _("已取消")

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="employer_admin_rights")
    employer = models.ForeignKey(Employer, on_delete=models.CASCADE, related_name="admins")
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.PENDING)
    business_licence = models.FileField(
        _("营业执照"), storage=private_storage, upload_to=business_licence_path, max_length=200
    )
    applicant_note = models.CharField(_("申请说明"), max_length=300, blank=True)
    decided_by = models.ForeignKey(
        User, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("审核人")
    )
    decided_at = models.DateTimeField(_("审核时间"), null=True, blank=True)
    decision_note = models.CharField(_("审核意见"), max_length=300, blank=True)
    cancelled_at = models.DateTimeField(_("取消时间"), null=True, blank=True)
    # Who ended the right (the holder themselves or a city administrator) and why: the audit of a cancel.
    cancelled_by = models.ForeignKey(
        User, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("取消人")
    )
    cancel_note = models.CharField(_("取消说明"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("申请时间"), auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = verbose_name_plural = _("单位系统管理员权限")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "employer"],
                condition=models.Q(status__in=["pending", "approved"]),
                name="one_open_employer_admin_request",
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} → {self.employer}（{self.get_status_display()}）"


class UserSubsystem(models.Model):
    """A subsystem a user added to their 门户 (registration step 3 or 添加应用)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="subsystem_links"
    )
    subsystem = models.ForeignKey("reference.Subsystem", on_delete=models.CASCADE, related_name="user_links")
    added_at = models.DateTimeField(_("添加时间"), auto_now_add=True)

    class Meta:
        db_table = "portal_usersubsystem"  # created by the portal app before accounts/ owned it
        constraints = [models.UniqueConstraint(fields=["user", "subsystem"], name="unique_user_subsystem")]
        verbose_name = verbose_name_plural = _("用户已添加应用")

    def __str__(self) -> str:
        return f"{self.user_id} → {self.subsystem_id}"


class CertificateBinding(models.Model):
    """The CA certificate an individual bound to their account (绑定CA证书), which from then on logs
    them in by CA登录. One per account; the certificate is named by its issuer and serial, as nginx
    reports them after verifying it (core.client_certificate)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="certificate_binding"
    )
    subject_dn = models.CharField(_("证书主题"), max_length=500)
    issuer_dn = models.CharField(_("颁发机构"), max_length=500)
    serial = models.CharField(_("证书序列号"), max_length=64)
    bound_at = models.DateTimeField(_("绑定时间"), auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = _("CA证书绑定")
        constraints = [
            # A certificate logs one account in, never two.
            models.UniqueConstraint(fields=["issuer_dn", "serial"], name="unique_bound_certificate")
        ]

    def __str__(self) -> str:
        return f"{self.user_id} ← {self.subject_dn}（{self.serial}）"
