"""Every write of the applicant's side: the draft, its steps, 随迁人, attachments, submit, withdraw.

Each function is keyword-only and atomic, locks the application row (select_for_update) before
changing it, refuses anything but the applicant's own editable draft, and moves the status only
through applications.workflow.transition().
"""

import datetime
import logging
import uuid
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import IntegrityError, models, transaction
from django.utils import timezone
from django.utils.translation import gettext

from accounts.access import employer_admin_holds
from accounts.models import IdType, Role, User
from accounts.validators import (
    normalize_id_number,
    validate_birth_date,
    validate_full_name,
    validate_id_number,
)
from applications import eligibility
from applications.choices import (
    ETHNICITIES,
    MULTI_FILE_KINDS,
    AttachmentKind,
    DeclarationType,
    EmployerConfirmation,
    Gender,
    Relation,
    Status,
)
from applications.models import (
    AccompanyingPerson,
    Application,
    Attachment,
    LibraryDocument,
    ReapplicationGrant,
    TalentSubcategory,
)
from applications.policy import (
    ACCEPT_WORKING_DAYS,
    EDITABLE_STATUSES,
    EMPLOYER_ANSWERABLE_STATUSES,
    OPEN_STATUSES,
    SPOUSE_NEEDS_MARITAL_STATUS,
)
from applications.reference import attach_reference
from applications.selectors import active_bar, with_persons
from applications.wizard import PERSONAL_FIELDS, RECORDED_STEPS, STEPS, done_steps
from applications.workflow import Actor, audit, check_transition, transition
from audit.actions import AuditAction
from core.errors import Refused
from core.notifications import bureau_name, in_language_of, mail_date, notify_on_commit
from core.prepared import PreparedQuery
from core.uploads import check_jpeg
from reference.workdays import add_working_days

logger = logging.getLogger(__name__)


class ApplicationError(Refused):
    """A refusal the applicant reads as it is."""


class ApplicationNotEditable(ApplicationError):
    """The application has moved on (submitted from another tab, say) and can no longer be changed."""


class SubmissionRefused(ApplicationError):
    """Submission refused; `messages` lists every reason at once (Chinese, for the applicant)."""


# --- helpers ----------------------------------------------------------------------------------


# Every write of an application starts here: compiled once per process (core.prepared).
# No select_related: PostgreSQL refuses FOR UPDATE across nullable outer joins.
_LOCKED = PreparedQuery(
    lambda *, application_id: Application.objects.select_for_update().filter(pk=application_id),
    application_id=models.IntegerField(),
)


def _lock(application_id: int) -> Application:
    locked = _LOCKED.one_or_none(application_id=application_id)
    if locked is None:
        raise Application.DoesNotExist(f"no application {application_id}")
    return locked


def _lock_own(application: Application | int, by: User) -> Application:
    application_id = application if isinstance(application, int) else application.pk
    locked = _lock(application_id)
    if locked.applicant_id != by.pk:
        # Views answer 404 before this; a service called with someone else's draft is a bug or an attack.
        raise PermissionDenied(gettext("只能办理本人的申报。"))
    return locked


def _lock_editable(application: Application | int, by: User) -> Application:
    locked = _lock_own(application, by)
    if locked.status not in EDITABLE_STATUSES:
        raise ApplicationNotEditable(
            gettext("申报当前状态为“%(status)s”，内容已冻结不能修改；如需修改，须由区人社局退回补正。")
            % {"status": locked.status_label}
        )
    return locked


def _mark(application: Application, step: str, *, done: bool) -> None:
    steps = [s for s in (application.completed_steps or []) if s in RECORDED_STEPS and s != step]
    if done:
        steps.append(step)
    application.completed_steps = [s for s in RECORDED_STEPS if s in steps]


def _today() -> datetime.date:
    return timezone.localdate()


# --- the draft ---------------------------------------------------------------------------------


def _open_application(applicant: User) -> Application | None:
    return Application.objects.filter(applicant=applicant, status__in=OPEN_STATUSES).first()


def application_start(*, applicant: User) -> Application:
    """Resume the applicant's open draft (or returned application), or create a new draft.

    Name and 证件号码 come from the real-name account; gender and birth date from the number.
    """
    if applicant.role != Role.APPLICANT:
        raise ApplicationError(gettext("只有个人用户可以申报人才引进入户。"))
    existing = _open_application(applicant)
    if existing is None:
        try:
            with transaction.atomic():
                existing = _create_draft(applicant)
        except IntegrityError:
            # Two tabs pressed 开始 at once: the database's one-open-application rule let one win.
            existing = _open_application(applicant)
            if existing is None:
                raise
    if existing.status not in EDITABLE_STATUSES:
        number = existing.number or ""
        raise ApplicationError(
            gettext("您已有一份正在办理的申报（编号%(number)s，%(status)s），办结前不能再次登记。")
            % {"number": number, "status": existing.status_label}
        )
    return existing


def _create_draft(applicant: User) -> Application:
    application = Application(
        applicant=applicant,
        year=_today().year,
        full_name=applicant.full_name,
        id_type=applicant.id_type,
        id_number=applicant.id_number,
    )
    facts = _id_facts(applicant.id_type, applicant.id_number)
    if facts is not None:
        application.gender = facts.gender
        application.birth_date = facts.birth_date
    application.save()
    return application


def _id_facts(id_type: str, number: str):
    try:
        return validate_id_number(id_type, number)
    except ValidationError:
        return None


# --- steps 1–4 ---------------------------------------------------------------------------------


@transaction.atomic
def application_commitment_save(*, application: Application, accepted: bool, by: User) -> Application:
    """个人承诺 (办法 第十一条). 不同意 withdraws the promise, and the wizard stops there."""
    app = _lock_editable(application, by)
    app.commitment_accepted_at = timezone.now() if accepted else None
    _mark(app, "commitment", done=accepted)
    app.save(update_fields=["commitment_accepted_at", "completed_steps", "updated_at"])
    return app


@transaction.atomic
def application_declaration_save(
    *, application: Application, declaration_type: str, conditions_confirmed: bool, by: User
) -> Application:
    if declaration_type not in DeclarationType.values:
        raise ValidationError({"declaration_type": gettext("请选择申报类型。")})
    if not conditions_confirmed:
        raise ValidationError({"conditions_confirmed": gettext("请确认符合申报条件。")})
    app = _lock_editable(application, by)
    app.declaration_type = declaration_type
    app.conditions_confirmed = True
    _mark(app, "declaration", done=True)
    app.save(update_fields=["declaration_type", "conditions_confirmed", "completed_steps", "updated_at"])
    return app


@transaction.atomic
def application_category_save(
    *, application: Application, subcategory: TalentSubcategory, by: User
) -> Application:
    app = _lock_editable(application, by)
    # 办法's age limits are counted on the submission day; refusing the choice now, on today's age,
    # saves an over-age applicant six uploads before the same rule refuses them at 提交.
    too_old = eligibility.subcategory_age_problem(
        subcategory, app.birth_date, on=timezone.localdate(), counted=gettext("今天")
    )
    if too_old:
        raise ValidationError({"subcategory": too_old})
    app.subcategory = subcategory
    app.category = subcategory.category
    _mark(app, "category", done=True)
    # Another category asks other things of the 个人信息: send the applicant back there if unmet.
    if "personal" in app.completed_steps and eligibility.personal_problems(app):
        _mark(app, "personal", done=False)
    app.save(update_fields=["subcategory", "category", "completed_steps", "updated_at"])
    return app


@transaction.atomic
def application_personal_save(
    *, application: Application, by: User, values: dict[str, Any], complete: bool
) -> Application:
    """Save the 个人信息 answers given in `values` (a draft may be partial).

    With complete=True the step is marked done, after the chosen 具体类别's requirements on these
    answers are met; otherwise ValidationError({field: message}) names each unmet one.
    """
    unknown = set(values) - set(PERSONAL_FIELDS)
    if unknown:
        raise ValueError(f"not personal fields: {sorted(unknown)}")
    app = _lock_editable(application, by)
    # The row is locked without joins; its 具体类别 (read by the eligibility rules) from memory.
    attach_reference([app], "category", "subcategory")
    if _id_facts(app.id_type, app.id_number) is not None:
        # Gender and birth date are read from the 居民身份证 number, never typed.
        values = {k: v for k, v in values.items() if k not in ("gender", "birth_date")}
    for field, value in values.items():
        setattr(app, field, value)
    done = False
    if complete:
        problems = eligibility.personal_problems(app)
        if problems:
            errors: dict[str, list[str]] = {}
            for field, message in problems:
                errors.setdefault(field, []).append(message)
            raise ValidationError(errors)
        done = True
    _mark(app, "personal", done=done)
    app.save(update_fields=[*values.keys(), "completed_steps", "updated_at"])
    return app


@transaction.atomic
def application_start_from_answers(*, applicant: User, answers: eligibility.Answers) -> Application:
    """按一键测试结果开始申报: the draft (resumed or new) takes the self-test's 具体类别 and answers.

    Through the wizard's own services, so each step is judged as if typed there: the category step
    is done, 个人信息 keeps the answers but stays to be finished (民族, 迁入单位 and the rest are
    still to come). Empty answers leave what the draft already holds; birth date and gender stay the
    证件号码's when it carries them.
    """
    if answers.subcategory is None:
        raise ValueError("the self-test answers name no sub-category")
    application = application_start(applicant=applicant)
    application = application_category_save(
        application=application, subcategory=answers.subcategory, by=applicant
    )
    values = {
        name: getattr(answers, name)
        for name in eligibility.ANSWER_FIELDS
        if name != "subcategory" and getattr(answers, name) not in (None, "")
    }
    return application_personal_save(application=application, by=applicant, values=values, complete=False)


# --- step 5: 随迁人 ------------------------------------------------------------------------------


@transaction.atomic
def accompanying_person_add(
    *,
    application: Application,
    full_name: str,
    id_type: str,
    id_number: str,
    relation: str,
    by: User,
    birth_date: datetime.date | None = None,
    ethnicity: str = "",
    hukou_same_as_applicant: bool = False,
    original_registry_office: str = "",
    original_hukou_address: str = "",
) -> AccompanyingPerson:
    """Add the spouse or a child under 18 (DESIGN.md §4); ValidationError({field: message}) otherwise.

    民族 and the 原户口 lines are checked as the 个人信息 step checks the applicant's (the same
    choice list and lengths, applications.forms.PersonalForm); 与主迁人相同 takes the applicant's
    原户口 lines, which must then be filled in. 婚姻状况 is not asked (AccompanyingPerson.marital_status).
    """
    app = _lock_editable(application, by)
    id_number = normalize_id_number(id_number)
    full_name = " ".join((full_name or "").split())
    original_registry_office = (original_registry_office or "").strip()
    original_hukou_address = (original_hukou_address or "").strip()
    errors: dict[str, list[str]] = {}

    def refuse(field: str, message: str) -> None:
        errors.setdefault(field, []).append(message)

    def check(field: str, validator, *args):
        # The applicant's own rules (accounts.validators), not copies: a name that could not be
        # registered cannot be printed on a card as a 随迁人's either.
        try:
            return validator(*args)
        except ValidationError as exc:
            refuse(field, exc.messages[0])
            return None

    if not full_name:
        refuse("full_name", gettext("请填写随迁人姓名。"))
    else:
        check("full_name", validate_full_name, full_name)
    if relation not in Relation.values:
        refuse("relation", gettext("请选择与申请人的关系。"))
    facts = None
    if id_type not in IdType.values:
        refuse("id_type", gettext("请正确选择证件类型。"))
    else:
        facts = check("id_number", validate_id_number, id_type, id_number)
    check("birth_date", validate_birth_date, birth_date)
    if not ethnicity:
        refuse("ethnicity", gettext("请选择民族。"))
    elif ethnicity not in ETHNICITIES:
        refuse("ethnicity", gettext("请从列表中选择民族。"))
    if hukou_same_as_applicant:
        blank = [
            label
            for label, value in (
                (gettext("原户口登记机关"), app.original_registry_office),
                (gettext("原户口所在地"), app.original_hukou_address),
            )
            if not value
        ]
        if blank:
            refuse(
                "hukou_same_as_applicant",
                gettext(
                    "个人信息中尚未填写%(fields)s，不能选择“与主迁人相同”；"
                    "请先完成个人信息，或直接填写随迁人的原户口信息。"
                )
                % {"fields": gettext("、").join(blank)},
            )
        # The applicant's lines are read from the application (AccompanyingPerson.registry_office_shown).
        original_registry_office = original_hukou_address = ""
    else:
        for field, label, value, limit in (
            ("original_registry_office", gettext("原户口登记机关"), original_registry_office, 100),
            ("original_hukou_address", gettext("原户口所在地"), original_hukou_address, 200),
        ):
            if not value:
                refuse(field, gettext("请填写%(field)s，或选择“与主迁人相同”。") % {"field": label})
            elif len(value) > limit:
                refuse(
                    field, gettext("%(field)s不能超过%(limit)s个字符。") % {"field": label, "limit": limit}
                )
    if errors:
        raise ValidationError(errors)

    gender = facts.gender if facts else ""
    born = facts.birth_date if facts else birth_date
    existing = list(app.accompanying_persons.all())
    today = _today()
    if id_number == app.id_number:
        refuse("id_number", gettext("随迁人证件号码不能与申请人本人相同。"))
    elif any(person.id_number == id_number for person in existing):
        refuse("id_number", gettext("该证件号码的随迁人已添加。"))
    if relation == Relation.SPOUSE:
        if any(person.relation == Relation.SPOUSE for person in existing):
            refuse("relation", gettext("随迁配偶只能有一人。"))
        elif app.marital_status and app.marital_status != SPOUSE_NEEDS_MARITAL_STATUS:
            refuse(
                "relation",
                gettext("个人信息中的婚姻状况为“%(status)s”，不能添加配偶；如已婚，请先修改个人信息。")
                % {"status": app.get_marital_status_display()},
            )
    else:
        if born is None:
            refuse("birth_date", gettext("该证件不含出生日期，请填写随迁子女的出生日期。"))
        elif eligibility.age_on(born, today) >= eligibility.CHILD_AGE_LIMIT:
            refuse(
                "id_number",
                gettext("随迁子女须未满%(limit)s周岁；%(name)s已满%(age)s周岁，不能作为随迁人。")
                % {
                    "limit": eligibility.CHILD_AGE_LIMIT,
                    "name": full_name,
                    "age": eligibility.age_on(born, today),
                },
            )
        expected = {Relation.SON: "男", Relation.DAUGHTER: "女"}[relation]
        if gender and gender != expected:
            refuse(
                "relation",
                gettext("证件号码显示性别为%(gender)s，与关系“%(relation)s”不符。")
                % {"gender": Gender(gender).label, "relation": Relation(relation).label},
            )
    if errors:
        raise ValidationError(errors)
    person = AccompanyingPerson.objects.create(
        application=app,
        full_name=full_name,
        id_type=id_type,
        id_number=id_number,
        relation=relation,
        gender=gender,
        birth_date=born,
        ethnicity=ethnicity,
        hukou_same_as_applicant=hukou_same_as_applicant,
        original_registry_office=original_registry_office,
        original_hukou_address=original_hukou_address,
    )
    _mark(app, "family", done=False)
    app.save(update_fields=["completed_steps", "updated_at"])
    return person


@transaction.atomic
def accompanying_person_remove(*, person: AccompanyingPerson, by: User) -> None:
    app = _lock_editable(person.application_id, by)
    AccompanyingPerson.objects.filter(pk=person.pk, application=app).delete()
    _mark(app, "family", done=False)
    app.save(update_fields=["completed_steps", "updated_at"])


@transaction.atomic
def application_family_complete(*, application: Application, by: User) -> Application:
    """随迁人 confirmed (none is a valid answer)."""
    app = _lock_editable(application, by)
    problems = eligibility.accompanying_problems(app, app.accompanying_persons.all(), on=_today())
    if problems:
        raise ValidationError(problems)
    _mark(app, "family", done=True)
    app.save(update_fields=["completed_steps", "updated_at"])
    return app


# --- step 6: attachments -------------------------------------------------------------------------


def _check_kind(kind: str) -> AttachmentKind:
    if kind not in AttachmentKind.values:
        raise ValidationError(gettext("未知的附件类别。"), code="kind")
    return AttachmentKind(kind)


def _store_document(*, owner: User, kind: str, checked, original_name: str) -> LibraryDocument:
    # The same scan uploaded twice is kept once in the 证件库.
    existing = LibraryDocument.objects.filter(owner=owner, kind=kind, sha256=checked.sha256).first()
    if existing is not None:
        return existing
    document = LibraryDocument(
        owner=owner,
        kind=kind,
        original_name=(original_name or "")[:200],
        size=checked.size,
        width=checked.width,
        height=checked.height,
        sha256=checked.sha256,
    )
    # upload_to chooses the stored name; the user's file name is kept only as data.
    document.file.save(f"{uuid.uuid4().hex}.jpg", ContentFile(checked.content), save=False)
    try:
        document.save()
    except Exception:
        document.file.delete(save=False)
        raise
    return document


def _attach(app: Application, kind: str, document: LibraryDocument) -> Attachment:
    if kind in MULTI_FILE_KINDS:
        found = Attachment.objects.filter(application=app, kind=kind, document=document).first()
        if found is not None:
            return found
    else:
        # One file per kind: a new one replaces the old (the old stays in the 证件库).
        Attachment.objects.filter(application=app, kind=kind).delete()
    return Attachment.objects.create(application=app, kind=kind, document=document)


def attachment_upload(*, application: Application, kind: str, uploaded_file, by: User) -> Attachment:
    """Check the file (core.uploads.check_jpeg), keep it in the 证件库 and attach it."""
    kind = _check_kind(kind)
    # The content check runs before the row lock: decoding may take a moment.
    checked = check_jpeg(uploaded_file)
    with transaction.atomic():
        app = _lock_editable(application, by)
        document = _store_document(
            owner=by, kind=kind, checked=checked, original_name=getattr(uploaded_file, "name", "")
        )
        return _attach(app, kind, document)


@transaction.atomic
def attachment_from_library(
    *, application: Application, kind: str, document: LibraryDocument, by: User
) -> Attachment:
    """上传证件库图片: reuse a document of the same kind from the applicant's own 证件库."""
    kind = _check_kind(kind)
    app = _lock_editable(application, by)
    if document.owner_id != app.applicant_id:
        raise PermissionDenied(gettext("只能使用本人证件库中的图片。"))
    if document.kind != kind:
        raise ValidationError(
            gettext("证件库图片的类别为“%(document)s”，不能用作“%(kind)s”。")
            % {"document": document.get_kind_display(), "kind": kind.label},
            code="kind",
        )
    return _attach(app, kind, document)


@transaction.atomic
def attachment_delete(*, attachment: Attachment, by: User) -> None:
    app = _lock_editable(attachment.application_id, by)
    Attachment.objects.filter(pk=attachment.pk, application=app).delete()


@transaction.atomic
def application_attachments_complete(*, application: Application, by: User) -> Application:
    """附件上传 done: every required attachment is there (all missing ones are named at once)."""
    app = _lock_editable(application, by)
    missing = eligibility.missing_attachment_messages(app, app.attachments.all())
    if missing:
        raise ValidationError(missing)
    _mark(app, "attachments", done=True)
    app.save(update_fields=["completed_steps", "updated_at"])
    return app


@transaction.atomic
def library_document_delete(*, document: LibraryDocument, by: User) -> None:
    if document.owner_id != by.pk:
        raise PermissionDenied(gettext("只能删除本人证件库中的图片。"))
    locked = LibraryDocument.objects.select_for_update().filter(pk=document.pk).first()
    if locked is None:
        return  # deleted meanwhile (the same button pressed in two tabs): nothing is left to do
    if locked.attachments.exists():
        raise ApplicationError(gettext("该图片已用作申报附件，不能从证件库删除；请先在申报中删除该附件。"))
    stored = locked.file.name
    locked.delete()
    transaction.on_commit(lambda: locked.file.storage.delete(stored))


# --- submit and withdraw -----------------------------------------------------------------------


def _grant_situation(app: Application) -> tuple[bool, bool]:
    """(needs a 再次申报权限, has an unused one). A rejected applicant may submit again in the same
    year only with a grant the district reviewer gave; each grant serves one new application."""
    rejected = Application.objects.filter(
        applicant_id=app.applicant_id, year=app.year, status=Status.REJECTED
    ).count()
    if rejected == 0:
        return False, False
    grants = ReapplicationGrant.objects.filter(applicant_id=app.applicant_id, year=app.year)
    used = grants.filter(used_by__isnull=False).count()
    if used >= rejected:
        return False, False
    return True, grants.filter(used_by__isnull=True).exists()


def submission_problems(
    app: Application,
    *,
    on: datetime.date,
    attachments=None,
    grant_situation: tuple[bool, bool] | None = None,
) -> list[str]:
    """Every reason this application cannot be submitted on `on`, all at once (reads only).

    A bar for false materials is the only message when present: nothing else can help then.
    Pass `attachments` (and `grant_situation`, what _grant_situation answers) when the caller has
    them already.
    """
    bar = active_bar(applicant_id=app.applicant_id, on=on)
    if bar is not None:
        # 办法 第十一条: false materials cost the right to apply for 5 years.
        return [
            gettext(
                "您因提供虚假申请材料（%(reason)s），被取消申请资格至%(date)s，期间不能提交人才引进入户申报。"
            )
            % {"reason": bar.reason, "date": eligibility.shown_date(bar.barred_until)}
        ]
    messages = []
    if app.status != Status.RETURNED:
        needs_grant, has_grant = grant_situation or _grant_situation(app)
        if needs_grant and not has_grant:
            messages.append(
                gettext(
                    "您%(year)s年度的申报已审核不通过，须由区人社局开通再次申报权限后方可再次提交"
                    "（详见《如何开通再次申报权限指引》）。"
                )
                % {"year": app.year}
            )
    # 附件上传 is judged by what is attached (below), not by the step's flag.
    done = done_steps(app, attachments_missing=False)
    messages.extend(
        gettext("“%(step)s”一步尚未完成。") % {"step": step.title}
        for step in STEPS[:5]
        if step.slug not in done
    )
    messages.extend(eligibility.check_eligibility(app, on=on))
    if attachments is None:
        attachments = app.attachments.all()
    messages.extend(eligibility.missing_attachment_messages(app, attachments))
    return messages


@transaction.atomic
def application_submit(*, application_id: int, by: User, ip_address: str | None = None) -> Application:
    """提交 (or 重新提交 after 退回补正): check every rule, freeze the answers, number the application.

    Raises SubmissionRefused listing every reason at once; the draft is left exactly as it was.
    """
    app = _lock_own(application_id, by)
    check_transition(app, action=AuditAction.SUBMIT, actor=Actor.APPLICANT)
    # The row is locked without joins. What the rules below read comes with as few statements as
    # it can: 具体类别 and 区 from memory (applications.reference), the 随迁人 once for the three
    # checks that count them, the applicant is `by` (_lock_own checked it), and whether a grant is
    # needed is counted once for the check and the grant's use.
    attach_reference([app], "category", "subcategory", "district")
    with_persons(app)
    Application.applicant.field.set_cached_value(app, by)
    today = _today()
    resubmission = app.status == Status.RETURNED
    if not resubmission and app.year != today.year:
        app.year = today.year  # a draft begun last year is declared in the year it is submitted
    grant_situation = None if resubmission else _grant_situation(app)
    messages = submission_problems(app, on=today, grant_situation=grant_situation)
    if messages:
        raise SubmissionRefused(messages)
    grant = None
    if grant_situation is not None and grant_situation[0]:
        grant = (
            ReapplicationGrant.objects.select_for_update()
            .filter(applicant_id=app.applicant_id, year=app.year, used_by__isnull=True)
            .order_by("created_at", "id")
            .first()
        )
        if grant is None:  # taken by a submission that committed a moment ago
            raise SubmissionRefused([gettext("再次申报权限已被使用，请联系区人社局。")])

    now = timezone.now()
    if app.submitted_at is None:
        app.submitted_at = now
    if not app.number:
        app.number = f"GZRC{app.year}{app.pk:08d}"
    app.last_submitted_at = now
    app.accept_due_on = add_working_days(today, ACCEPT_WORKING_DAYS)
    app.correction_items = []
    transition(
        app,
        action=AuditAction.SUBMIT,
        actor=Actor.APPLICANT,
        by=by,
        reason="补正后重新提交" if resubmission else "",
        ip_address=ip_address,
        extra_fields=(
            "year",
            "number",
            "submitted_at",
            "last_submitted_at",
            "accept_due_on",
            "correction_items",
        ),
    )
    if grant is not None:
        grant.used_by = app
        grant.save(update_fields=["used_by"])
    with in_language_of(app.applicant):
        bureau = bureau_name(app.district) if app.district_id else gettext("区人力资源和社会保障局")
        terms = {"number": app.number, "bureau": bureau, "due": mail_date(app.accept_due_on)}
        if resubmission:
            body = gettext(
                "您的人才引进入户申报（编号%(number)s）已重新提交，%(bureau)s将于%(due)s前受理或退回补正。"
            )
        else:
            body = gettext(
                "您的人才引进入户申报（编号%(number)s）已提交，%(bureau)s将于%(due)s前受理或退回补正。"
            )
        subject = gettext("人才引进入户申报已提交")
    notify_on_commit(user_id=app.applicant_id, subject=subject, body=body % terms)
    return app


@transaction.atomic
def application_withdraw(
    *, application_id: int, by: User, ip_address: str | None = None, reason: str = ""
) -> Application:
    """撤回: a draft is discarded, a submitted or returned application leaves the queue."""
    app = _lock_own(application_id, by)
    was_submitted = app.submitted_at is not None
    transition(
        app,
        action=AuditAction.WITHDRAW,
        actor=Actor.APPLICANT,
        by=by,
        reason=(reason or "").strip()[:500],
        ip_address=ip_address,
    )
    if was_submitted:
        with in_language_of(app.applicant):
            subject = gettext("人才引进入户申报已撤回")
            body = gettext("您的人才引进入户申报（编号%(number)s）已撤回，如需申报请重新登记。") % {
                "number": app.number
            }
        notify_on_commit(user_id=app.applicant_id, subject=subject, body=body)
    return app


# --- employment confirmation by the employer administrator (单位确认在职) ---------------------


class EmploymentConfirmationRefused(Refused):
    """The employer administrator's answer cannot be recorded; the message says why."""


@transaction.atomic
def employer_confirmation_record(
    *, application_id: int, by: User, confirmed: bool, note: str, ip_address: str | None = None
) -> Application:
    """The employer administrator confirms or disputes the employment; it informs, it blocks nothing."""
    app = Application.objects.select_for_update().get(pk=application_id)
    if not employer_admin_holds(user=by, employer_id=app.employer_id):
        raise EmploymentConfirmationRefused("您不是该申报所填迁入单位的单位系统管理员。")
    # Nobody vouches for their own employment: the reviewer would read it as the employer's word.
    if app.applicant_id == by.pk:
        raise EmploymentConfirmationRefused("不能确认本人的申报，须由本单位其他单位系统管理员确认。")
    if app.status not in EMPLOYER_ANSWERABLE_STATUSES:
        raise EmploymentConfirmationRefused(f"申报当前状态为“{app.status_label}”，已不需要单位确认。")
    note = (note or "").strip()
    if not confirmed and not note:
        raise EmploymentConfirmationRefused("请说明对申请人在职情况的异议。")
    app.employer_confirmation = EmployerConfirmation.CONFIRMED if confirmed else EmployerConfirmation.DISPUTED
    app.employer_confirmation_note = note
    app.employer_confirmed_by = by
    app.employer_confirmed_at = timezone.now()
    app.save(
        update_fields=[
            "employer_confirmation",
            "employer_confirmation_note",
            "employer_confirmed_by",
            "employer_confirmed_at",
            "updated_at",
        ]
    )
    audit(
        action=AuditAction.EMPLOYER_CONFIRMED if confirmed else AuditAction.EMPLOYER_DISPUTED,
        by=by,
        application=app,
        reason=note,
        ip_address=ip_address,
    )
    return app
