"""下载我的个人信息: what the bureau holds about one applicant, as a ZIP with a README in Chinese.

Requested after the password is typed again (portal.views), built by a worker (portal.tasks),
offered for PERSONAL_DATA_EXPORT_HOURS, each download recorded; the beat task deletes it after.
Everything is selected by the one user's id: their account, their applications (and the family
members named in them), their 证件库 scans, their cards and the views of their data by staff.
"""

from __future__ import annotations

import csv
import datetime
import io
import json
import logging
import zipfile

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext

from accounts.models import User
from applications.models import Application, LibraryDocument
from audit.actions import AuditAction, action_label, role_label
from audit.models import AuditEntry, PersonalDataAccess
from audit.services import audit_record
from core.errors import Refused
from core.text import csv_cell
from hukou_card.models import HukouCard
from portal.models import PersonalDataExport

logger = logging.getLogger(__name__)

README = """个人信息副本说明
================

本压缩包是广州市人事电子政务系统·人才引进申办系统保存的、关于您本人的全部个人信息副本，
依照《中华人民共和国个人信息保护法》第四十五条提供。生成时间：{generated}。

文件说明：
- README.txt：本说明。
- 帐号信息.json：您的登录帐号、姓名、证件类型及号码、联系方式、注册和最近登录时间。
- 申报/<申报编号>/申报信息.json：该次申报填写的全部内容（申报类别、个人信息、学历职称、迁入单位、
  入户地址等）、随迁人信息、办理状态和审核意见，以及各附件对应的证件库文件名。
- 申报/<申报编号>/办理记录.csv：该次申报的办理过程（提交、受理、退回补正、审核、公示、公布等），
  含时间、操作、操作人角色、状态变化和理由。
- 证件库/：您上传的证件扫描件（JPG），文件名为“证件类别_上传日期_序号.jpg”。
- 入户信息卡/：已签发的入户信息卡（含随迁人入户卡）PDF，带电子印章。
- 个人信息查阅记录.csv：工作人员查阅您个人信息的记录：时间、查阅单位及角色、查阅内容、用途和理由。

本副本只包含您本人及您在申报中填报的随迁人的信息，不含他人信息。
下载链接自生成起{hours}小时内有效，到期后文件将被删除。请妥善保管本压缩包。
"""


def _iso(value) -> str | None:
    if value is None:
        return None
    if isinstance(value, datetime.datetime):
        return timezone.localtime(value).strftime("%Y-%m-%d %H:%M:%S")
    return value.isoformat()


def _account(user: User) -> dict:
    return {
        "登录帐号": user.username,
        "姓名": user.full_name,
        "证件类型": user.get_id_type_display(),
        "证件号码": user.id_number,
        "所在单位": user.workplace,
        "固定电话": user.landline,
        "移动电话": user.mobile,
        "电子邮件": user.email,
        "个人说明": user.personal_note,
        "注册时间": _iso(user.date_joined),
        "最近登录时间": _iso(user.last_login),
        "真实性承诺时间": _iso(user.truthfulness_promised_at),
    }


def _answers(app: Application, scan_names: dict[int, str]) -> dict:
    answers = {}
    for field in Application._meta.concrete_fields:
        if field.name in ("id", "public_id", "applicant", "completed_steps", "employer_confirmed_by"):
            continue
        value = getattr(app, field.name)
        if field.choices:
            value = getattr(app, f"get_{field.name}_display")()
        elif field.is_relation:
            value = str(value) if value is not None else None
        elif isinstance(value, datetime.date | datetime.datetime):
            value = _iso(value)
        answers[str(field.verbose_name)] = value
    return {
        "申报信息": answers,
        "随迁人": [
            {
                "姓名": person.full_name,
                "关系": person.get_relation_display(),
                "证件类型": person.get_id_type_display(),
                "证件号码": person.id_number,
                "性别": person.get_gender_display(),
                "出生日期": _iso(person.birth_date),
            }
            for person in app.accompanying_persons.all()
        ],
        "附件": [
            {
                "类别": attachment.get_kind_display(),
                "文件": scan_names.get(attachment.document_id, "（已按保存期限删除）"),
            }
            for attachment in app.attachments.all()
        ],
    }


def _csv(header: list[str], rows) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    writer.writerows([csv_cell(value) for value in row] for row in rows)
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def _history(app: Application) -> bytes:
    entries = AuditEntry.objects.filter(application=app).order_by("created_at", "id")
    return _csv(
        ["时间", "操作", "操作人角色", "原状态", "新状态", "理由"],
        (
            [
                _iso(e.created_at),
                action_label(e.action),
                role_label(e.actor_role),
                e.from_status,
                e.to_status,
                e.reason,
            ]
            for e in entries
        ),
    )


def _access_log(user: User) -> bytes:
    rows = PersonalDataAccess.objects.filter(subject=user).order_by("created_at", "id")
    return _csv(
        ["时间", "查阅单位", "查阅人角色", "查阅内容", "具体项目", "申报编号", "用途", "理由"],
        (
            [_iso(r.created_at), r.viewer_bureau, role_label(r.viewer_role), r.get_what_display(), r.item,
             r.application_number, r.purpose, r.reason]
            for r in rows
        ),
    )  # fmt: skip


def _folder(app: Application) -> str:
    return app.number or f"草稿_{app.public_id.hex[:8]}"


def export_zip_bytes(*, user: User) -> bytes:
    """The ZIP of one user's data, in memory (scans are ≤500 KB each; a person has a few dozen)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(
            "README.txt",
            README.format(generated=_iso(timezone.now()), hours=settings.PERSONAL_DATA_EXPORT_HOURS),
        )
        archive.writestr("帐号信息.json", json.dumps(_account(user), ensure_ascii=False, indent=2))
        applications = (
            Application.objects.filter(applicant=user)
            .select_related("category", "subcategory", "employer", "district")
            .prefetch_related("accompanying_persons", "attachments")
        )
        scan_names = {}
        for index, doc in enumerate(
            LibraryDocument.objects.filter(owner=user).order_by("created_at", "id"), 1
        ):
            name = f"证件库/{doc.get_kind_display()}_{timezone.localtime(doc.created_at):%Y%m%d}_{index}.jpg"
            scan_names[doc.pk] = name
            with doc.file.open("rb") as handle:
                archive.writestr(name, handle.read())
        for app in applications:
            folder = f"申报/{_folder(app)}"
            answers = _answers(app, scan_names)
            archive.writestr(f"{folder}/申报信息.json", json.dumps(answers, ensure_ascii=False, indent=2))
            archive.writestr(f"{folder}/办理记录.csv", _history(app))
        for card in HukouCard.objects.filter(application__applicant=user).exclude(pdf=""):
            with card.pdf.open("rb") as handle:
                archive.writestr(f"入户信息卡/{card.number}_{card.holder_name}.pdf", handle.read())
        archive.writestr("个人信息查阅记录.csv", _access_log(user))
    return buffer.getvalue()


class ExportAlreadyPending(Refused):
    pass


@transaction.atomic
def export_request(*, user: User, ip_address: str | None = None) -> PersonalDataExport:
    """Ask a worker for the ZIP; one at a time."""
    from portal.tasks import build_personal_data_export

    User.objects.select_for_update(of=("self",)).filter(pk=user.pk).first()
    if PersonalDataExport.objects.filter(user=user, status=PersonalDataExport.Status.PENDING).exists():
        raise ExportAlreadyPending(gettext("您的个人信息下载包正在生成，请稍后刷新本页。"))
    export = PersonalDataExport.objects.create(user=user)
    audit_record(action=AuditAction.DATA_EXPORT_REQUEST, subject_user=user, by=user, ip_address=ip_address)
    transaction.on_commit(lambda: build_personal_data_export.delay(export.pk))
    return export


def export_build(*, export_id: int) -> None:
    """The worker's part: build, store, offer for the set hours. Idempotent: a built one stays."""
    export = PersonalDataExport.objects.select_related("user").filter(pk=export_id).first()
    if export is None or export.status != PersonalDataExport.Status.PENDING:
        return
    # The copy is the bureau's record, in Chinese with its README, whoever asked in English.
    with translation.override(settings.LANGUAGE_CODE):
        data = export_zip_bytes(user=export.user)
    export.file.save(f"{export.public_id.hex}.zip", ContentFile(data), save=False)
    now = timezone.now()
    export.size = len(data)
    export.ready_at = now
    export.expires_at = now + datetime.timedelta(hours=settings.PERSONAL_DATA_EXPORT_HOURS)
    export.status = PersonalDataExport.Status.READY
    export.save(update_fields=["file", "size", "ready_at", "expires_at", "status"])


@transaction.atomic
def export_download_record(*, export: PersonalDataExport, ip_address: str | None = None) -> None:
    now = timezone.now()
    locked = PersonalDataExport.objects.select_for_update().get(pk=export.pk)
    locked.download_count += 1
    locked.first_downloaded_at = locked.first_downloaded_at or now
    locked.save(update_fields=["download_count", "first_downloaded_at"])
    audit_record(
        action=AuditAction.DATA_EXPORT_DOWNLOAD,
        subject_user=export.user,
        by=export.user,
        ip_address=ip_address,
    )


def expired_exports(*, now: datetime.datetime | None = None):
    now = now or timezone.now()
    return PersonalDataExport.objects.filter(status=PersonalDataExport.Status.READY, expires_at__lt=now)


def exports_purge(exports) -> None:
    from audit.models import RetentionDeletion

    for export in exports:
        with transaction.atomic():
            name = export.file.name
            RetentionDeletion.objects.create(
                rule="personal_data_export", kind="personal_data_export", label="个人信息下载包",
                owner_id=export.user_id, stored_name=name, size=export.size,
            )  # fmt: skip
            PersonalDataExport.objects.filter(pk=export.pk).update(
                status=PersonalDataExport.Status.EXPIRED, file=""
            )
        try:
            export.file.storage.delete(name)
        except Exception:
            logger.exception("retention: the export %s could not be deleted", name)
