"""Writes of the accounts app: registration, employers, the 单位系统管理员权限 (EmployerAdmin) and
the account's CA certificate (CertificateBinding)."""

import datetime
from collections.abc import Iterable
from dataclasses import dataclass

from captcha.models import CaptchaStore
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from accounts.access import is_city_admin
from accounts.models import CertificateBinding, Employer, EmployerAdmin, IdType, Role, User, UserSubsystem
from accounts.validators import (
    normalize_id_number,
    validate_credit_code,
    validate_full_name,
    validate_id_number,
    validate_landline,
    validate_mobile,
    validate_username,
)
from accounts.workflow import Actor, Move, transition
from audit.actions import AuditAction
from audit.services import audit_record
from core.client_certificate import ClientCertificate
from core.errors import Refused
from core.notifications import in_language_of, notify_on_commit
from core.uploads import CheckedJpeg
from reference.models import District, Subsystem

LANGUAGE_CODES = {code for code, _name in settings.LANGUAGES}
USERNAME_TAKEN = _("该登录帐号已被注册，请换一个。")
ID_NUMBER_TAKEN = _(
    "该证件号码已注册帐号，每个证件号码只能注册一个帐户。如忘记帐号或密码，请使用登录页的“忘记密码”。"
)


@dataclass(frozen=True)
class RegistrationData:
    """The answers of registration step 2 (填写帐号信息), already cleaned by the form."""

    username: str
    full_name: str
    id_type: str
    id_number: str
    mobile: str
    email: str
    workplace: str = ""
    landline: str = ""
    personal_note: str = ""


def _check_registration(data: RegistrationData) -> None:
    """The form checked all this already; the service checks again so no caller can skip a rule."""
    errors: dict[str, list] = {}

    def check(field, validator, *args):
        try:
            validator(*args)
        except ValidationError as error:
            errors.setdefault(field, []).extend(error.messages)

    check("username", validate_username, data.username)
    check("full_name", validate_full_name, data.full_name)
    check("id_number", validate_id_number, data.id_type, data.id_number)
    check("mobile", validate_mobile, data.mobile)
    check("landline", validate_landline, data.landline)
    if data.id_type not in IdType.values:
        errors.setdefault("id_type", []).append(gettext("请正确选择证件类型。"))
    if not data.mobile:
        errors.setdefault("mobile", []).append(gettext("请填写手机号码。"))
    if not data.email:
        errors.setdefault("email", []).append(gettext("请填写电子邮件。"))
    if "username" not in errors and User.objects.filter(username__iexact=data.username).exists():
        errors["username"] = [USERNAME_TAKEN]
    if (
        "id_number" not in errors
        and User.objects.filter(id_number=normalize_id_number(data.id_number)).exists()
    ):
        errors["id_number"] = [ID_NUMBER_TAKEN]
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def user_register(
    *,
    data: RegistrationData,
    password_hash: str,
    subsystems: Iterable[Subsystem] = (),
    promised_at: datetime.datetime | None = None,
) -> User:
    """Create a real-name applicant account (实名制) and add the chosen application systems.

    `password_hash` is what make_password() gave at step 2: the wizard never keeps the password itself.
    One account per identity number (seed); the database constraint settles a race between two
    simultaneous registrations, and the loser gets the same message as a plain duplicate.
    """
    _check_registration(data)
    if not password_hash:
        raise ValidationError({"password": [gettext("请填写密码。")]})
    user = User(
        username=data.username,
        full_name=data.full_name,
        id_type=data.id_type,
        id_number=normalize_id_number(data.id_number),
        workplace=data.workplace,
        landline=data.landline,
        mobile=data.mobile,
        email=User.objects.normalize_email(data.email),
        personal_note=data.personal_note,
        role=Role.APPLICANT,
        password=password_hash,
        truthfulness_promised_at=promised_at or timezone.now(),
        language=translation.get_language()
        if translation.get_language() in LANGUAGE_CODES
        else settings.LANGUAGE_CODE,
    )
    try:
        with transaction.atomic():
            user.save()
    except IntegrityError as exc:
        if User.objects.filter(id_number=user.id_number).exists():
            raise ValidationError({"id_number": [ID_NUMBER_TAKEN]}) from exc
        raise ValidationError({"username": [USERNAME_TAKEN]}) from exc
    for subsystem in subsystems:
        if subsystem.is_provided:
            UserSubsystem.objects.get_or_create(user=user, subsystem=subsystem)
    return user


def user_choose_language(*, user: User, language: str) -> None:
    """Remember the language the account chose with the 中文 / English switch, for its e-mails."""
    if language not in LANGUAGE_CODES:
        raise Refused(gettext("不支持该语言。"))
    if user.language != language:
        User.objects.filter(pk=user.pk).update(language=language)
        user.language = language


# --- Employers and their administrators ----------------------------------------------------------


@dataclass(frozen=True)
class NewEmployerData:
    name: str
    credit_code: str
    district: District
    address: str = ""


def _require_city_admin(user: User) -> None:
    if not is_city_admin(user):
        raise PermissionDenied(gettext("只有市人社局管理员可以审核单位系统管理员权限。"))


@transaction.atomic
def employer_create(*, data: NewEmployerData) -> Employer:
    """Register an employer that the search could not find (GB 32100 credit code, one record per code)."""
    code = normalize_id_number(data.credit_code)
    name = " ".join((data.name or "").split())
    errors: dict[str, list] = {}
    if not name:
        errors["name"] = [gettext("请填写单位名称。")]
    try:
        validate_credit_code(code)
    except ValidationError as error:
        errors["credit_code"] = error.messages
    if "credit_code" not in errors and Employer.objects.filter(credit_code=code).exists():
        errors["credit_code"] = [gettext("该统一社会信用代码已登记，请搜索该单位并选择。")]
    if errors:
        raise ValidationError(errors)
    try:
        with transaction.atomic():
            return Employer.objects.create(
                name=name, credit_code=code, district=data.district, address=data.address.strip()
            )
    except IntegrityError as exc:
        raise ValidationError(
            {"credit_code": [gettext("该统一社会信用代码已登记，请搜索该单位并选择。")]}
        ) from exc


@transaction.atomic
def employer_admin_request_create(
    *,
    user: User,
    licence: CheckedJpeg,
    employer: Employer | None = None,
    new_employer: NewEmployerData | None = None,
    note: str = "",
) -> EmployerAdmin:
    """A registered individual asks to administer an employer; a city administrator decides later.

    The licence must already have passed core.uploads.check_jpeg (JPG, ≤500 KB, metadata removed).
    """
    if user.role != Role.APPLICANT:
        raise PermissionDenied(gettext("单位系统管理员权限须由已注册的个人用户申请。"))
    if (employer is None) == (new_employer is None):
        raise ValueError("pass exactly one of employer and new_employer")
    if employer is None:
        employer = employer_create(data=new_employer)
    open_request = EmployerAdmin.objects.filter(
        user=user, employer=employer, status__in=[EmployerAdmin.Status.PENDING, EmployerAdmin.Status.APPROVED]
    ).first()
    if open_request is not None:
        if open_request.status == EmployerAdmin.Status.PENDING:
            message = gettext("您对“%(name)s”的管理员权限申请正在审核中，无需重复申请。")
        else:
            message = gettext("您对“%(name)s”的管理员权限申请已获批准，无需重复申请。")
        raise ValidationError(message % {"name": employer.name}, code="duplicate")
    right = EmployerAdmin(user=user, employer=employer, applicant_note=note.strip())
    right.business_licence.save("licence.jpg", ContentFile(licence.content), save=False)
    try:
        with transaction.atomic():
            right.save()
    except IntegrityError as exc:  # a double submit racing the check above
        right.business_licence.delete(save=False)
        raise ValidationError(
            gettext("您对“%(name)s”的管理员权限申请已提交，无需重复申请。") % {"name": employer.name},
            code="duplicate",
        ) from exc
    return right


_DECISION_FIELDS = ("decided_by", "decided_at", "decision_note")


def _locked_right(request_id: int) -> EmployerAdmin:
    return EmployerAdmin.objects.select_for_update().select_related("employer", "user").get(pk=request_id)


@transaction.atomic
def employer_admin_approve(*, request_id: int, by: User, note: str = "") -> EmployerAdmin:
    _require_city_admin(by)
    right = _locked_right(request_id)
    right.decided_by = by
    right.decided_at = timezone.now()
    right.decision_note = note.strip() or "经审核，同意授予单位系统管理员权限。"
    transition(right, move=Move.APPROVE, actor=Actor.CITY_ADMIN, extra_fields=_DECISION_FIELDS)
    with in_language_of(right.user):
        subject = translation.gettext("单位系统管理员权限申请已批准")
        body = translation.gettext(
            "您申请的“%(employer)s”单位系统管理员权限已批准。"
            "请在登录页选择用户类型“单位”登录，查看并确认本单位人员的引进申报。"
        ) % {"employer": right.employer.name}
    notify_on_commit(user_id=right.user_id, subject=subject, body=body)
    return right


@transaction.atomic
def employer_admin_refuse(*, request_id: int, by: User, note: str) -> EmployerAdmin:
    _require_city_admin(by)
    if not (note or "").strip():
        raise ValidationError({"note": [gettext("请填写不予批准的理由，申请人将看到这段说明。")]})
    right = _locked_right(request_id)
    right.decided_by = by
    right.decided_at = timezone.now()
    right.decision_note = note.strip()
    transition(right, move=Move.REFUSE, actor=Actor.CITY_ADMIN, extra_fields=_DECISION_FIELDS)
    with in_language_of(right.user):
        subject = translation.gettext("单位系统管理员权限申请未获批准")
        body = translation.gettext("您申请的“%(employer)s”单位系统管理员权限未获批准。理由：%(reason)s") % {
            "employer": right.employer.name,
            "reason": right.decision_note,
        }
    notify_on_commit(user_id=right.user_id, subject=subject, body=body)
    return right


@transaction.atomic
def employer_admin_cancel(*, request_id: int, by: User, note: str = "") -> EmployerAdmin:
    """End a right (or withdraw a pending request): by its holder, or by a city administrator."""
    right = _locked_right(request_id)
    is_holder = right.user_id == by.pk
    if not is_holder:
        _require_city_admin(by)
        if not (note or "").strip():
            raise ValidationError({"note": [gettext("请填写取消理由，权限持有人将看到这段说明。")]})
    right.cancelled_at = timezone.now()
    right.cancelled_by = by
    right.cancel_note = (note or "").strip() or ("本人申请取消" if is_holder else "")
    transition(
        right,
        move=Move.CANCEL,
        actor=Actor.APPLICANT if is_holder else Actor.CITY_ADMIN,
        extra_fields=("cancelled_at", "cancelled_by", "cancel_note"),
    )
    if not is_holder:
        with in_language_of(right.user):
            subject = translation.gettext("单位系统管理员权限已取消")
            body = translation.gettext(
                "您的“%(employer)s”单位系统管理员权限已由市人社局取消。理由：%(reason)s"
            ) % {
                "employer": right.employer.name,
                "reason": right.cancel_note,
            }
        notify_on_commit(user_id=right.user_id, subject=subject, body=body)
    return right


# --- The account's CA certificate (CA登录) -------------------------------------------------------------


class CertificateRefused(Refused):
    """A certificate that cannot be bound to this account."""


def _certificate_text(binding: CertificateBinding) -> str:
    return f"{binding.subject_dn}（颁发机构：{binding.issuer_dn}；序列号：{binding.serial}）"


@transaction.atomic
def certificate_bind(
    *, user: User, certificate: ClientCertificate, ip_address: str | None = None
) -> CertificateBinding:
    """Bind the certificate nginx verified to `user`, who has just proved their password (the view
    checks it through django-axes). A second certificate replaces the first: certificates are
    renewed every year or two, and the audit row keeps the old one's name."""
    if user.role != Role.APPLICANT:
        raise CertificateRefused(
            gettext("只有个人用户可以绑定CA证书；工作人员请从审核工作台登录。"), code="staff"
        )
    User.objects.select_for_update(of=("self",)).filter(pk=user.pk).get()  # one bind at a time per account
    taken = (
        CertificateBinding.objects.filter(issuer_dn=certificate.issuer, serial=certificate.serial)
        .exclude(user=user)
        .exists()
    )
    if taken:
        raise CertificateRefused(
            gettext(
                "该CA证书已绑定其他帐号。一张证书只能绑定一个帐号；如证书为您本人所有，请联系市人社局处理。"
            ),
            code="certificate_taken",
        )
    previous = CertificateBinding.objects.filter(user=user).first()
    if previous and (previous.issuer_dn, previous.serial) == (certificate.issuer, certificate.serial):
        return previous
    if previous:
        previous.delete()
    try:
        with transaction.atomic():
            binding = CertificateBinding.objects.create(
                user=user,
                subject_dn=certificate.subject,
                issuer_dn=certificate.issuer,
                serial=certificate.serial,
            )
    except IntegrityError as exc:  # another account bound it a moment ago
        raise CertificateRefused(
            gettext("该CA证书已绑定其他帐号。一张证书只能绑定一个帐号。"), code="certificate_taken"
        ) from exc
    reason = _certificate_text(binding)
    if previous:
        reason = f"{reason}；替换原证书 {_certificate_text(previous)}"
    audit_record(
        action=AuditAction.CERTIFICATE_BIND, subject_user=user, by=user, reason=reason, ip_address=ip_address
    )
    return binding


@transaction.atomic
def certificate_unbind(*, user: User, by: User | None = None, ip_address: str | None = None) -> bool:
    """Remove the account's certificate (lost USB Key, a new certificate elsewhere): by its holder,
    or by a city administrator (`by`) in the admin. False if none was bound."""
    by = by or user
    if by.pk != user.pk and not is_city_admin(by):
        raise PermissionDenied(gettext("只有证书持有人或市人社局管理员可以解除CA证书绑定。"))
    binding = CertificateBinding.objects.select_for_update().filter(user=user).first()
    if binding is None:
        return False
    binding.delete()
    audit_record(
        action=AuditAction.CERTIFICATE_UNBIND,
        subject_user=user,
        by=by,
        reason=_certificate_text(binding),
        ip_address=ip_address,
    )
    return True


# --- Captchas -------------------------------------------------------------------------------------


def captcha_consume(*, key: str, answer: str) -> bool:
    """Use up the captcha `key` (right or wrong, one try each); True if `answer` solves it.

    Only the request whose DELETE removes the row may count the captcha as solved. simple-captcha
    reads the row and deletes it afterwards, so concurrent requests with one solution all read it
    before any delete landed (2-3 of 6 passed); a DELETE removes a row once, whatever the timing.
    """
    found = CaptchaStore.objects.filter(hashkey=key).values_list("pk", "response", "expiration").first()
    if found is None:
        return False
    pk, response, expiration = found
    deleted, _ = CaptchaStore.objects.filter(pk=pk).delete()
    return deleted == 1 and expiration > timezone.now() and response == answer


def captcha_purge_expired(*, now: datetime.datetime) -> int:
    """Delete the challenges that expired before `now`; how many went. (Run by the beat task: the
    form check no longer purges on every request.)"""
    deleted, _ = CaptchaStore.objects.filter(expiration__lte=now).delete()
    return deleted
