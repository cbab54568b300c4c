"""Views of the 人才引进申办系统 applicant side: parse input, call one service, render.

Every object URL carries a public_id and is looked up within the user's own objects
(applications.selectors), so another user's id is a 404.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import prefetch_related_objects
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import dateformat, timezone, translation
from django.utils.functional import cached_property
from django.utils.translation import gettext, pgettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from accounts.access import access_employer, employers_administered, role_required
from accounts.models import Employer, Role
from accounts.selectors import employer_search
from accounts.validators import id_facts
from applications import eligibility, form_pdf, selectors, services
from applications.access import (
    access_application,
    access_application_id,
    access_attachment,
    access_attachment_for_viewer,
    access_employer_application,
    access_library_document,
    access_person,
    staff_view_purpose,
)
from applications.choices import MULTI_FILE_KINDS, AttachmentKind, MoveType, Status
from applications.forms import (
    COMMITMENT_TEXT,
    CONDITIONS_TEXT,
    AccompanyingPersonForm,
    AttachmentUploadForm,
    CategoryForm,
    CommitmentForm,
    DeclarationForm,
    EmployerConfirmationForm,
    LibraryChoiceForm,
    PersonalForm,
    WithdrawForm,
)
from applications.policy import (
    EDITABLE_STATUSES,
    EMPLOYER_ANSWERABLE_STATUSES,
    FORM_PDF_STATUSES,
    OPEN_STATUSES,
)
from applications.wizard import (
    STEP_BY_SLUG,
    first_open_step,
    is_reachable,
    next_step,
    previous_step,
    reaching_needs_attachments,
    step_states,
)
from applications.workflow import TRANSITIONS
from audit import access_log
from audit.actions import AuditAction
from audit.models import PersonalDataAccess
from core.client_ip import client_ip
from core.errors import Refused
from core.fragments import render_fragment
from core.private_files import private_content_response, private_file_response
from core.sms import sms_enabled
from reference.models import ContentPage

SYSTEM_NAME = _("人才引进申办系统")


# Individual applicants only (staff use the review console).
applicant_required = role_required(
    Role.APPLICANT, forbidden_message=_("人才引进申报只面向个人用户，工作人员请使用审核系统。")
)


def _render(request, template: str, context: dict, *, status: int = 200):
    context = {"system_name": SYSTEM_NAME, "system_home_url": reverse("applications:home"), **context}
    return render(request, template, context, status=status)


def _step_url(application, step: str) -> str:
    return reverse("applications:step", kwargs={"public_id": application.public_id, "step": step})


def _attachments_url(request, application, kind: str) -> str:
    """Back to 附件上传 at the row just changed, still on the way back to 确认信息 if that is where
    the applicant came from."""
    came_from_confirm = (request.POST.get("from") or request.GET.get("from")) == "confirm"
    return (
        _step_url(application, "attachments")
        + ("?from=confirm" if came_from_confirm else "")
        + f"#kind-{kind}"
    )


@login_required
def home(request):
    """The 人才引进申办系统 home: the two menu entries and the policy, guide and Q&A lists (seed)."""
    pages = ContentPage.objects.only("slug", "section", "title", "document_number", "is_new")
    sections = {section: [] for section in ContentPage.Section.values}
    for page in pages:
        sections[page.section].append(page)
    return _render(
        request,
        "applications/home.html",
        {
            "policy_pages": sections[ContentPage.Section.POLICY],
            "guide_pages": sections[ContentPage.Section.GUIDE],
            "qa_pages": sections[ContentPage.Section.QA],
        },
    )


# --- start / resume ------------------------------------------------------------------------------


@applicant_required
def start(request):
    """人才引进申办个人登记: resume the open draft, or explain and begin a new one (POST)."""
    if request.method == "POST":
        try:
            application = services.application_start(applicant=request.user)
        except Refused as exc:
            messages.error(request, exc.message)
            return redirect("applications:status")
        return redirect("applications:resume", public_id=application.public_id)

    current = selectors.open_application_for(user=request.user)
    if current is not None:
        if current.status in EDITABLE_STATUSES:
            return redirect("applications:resume", public_id=current.public_id)
        messages.info(
            request,
            gettext("您已有一份正在办理的申报（%(status)s），可在此查看办理情况。")
            % {"status": current.status_label},
        )
        return redirect("applications:status")
    today = timezone.localdate()
    bar = selectors.active_bar(applicant_id=request.user.pk, on=today)
    rejected_this_year = request.user.applications.filter(year=today.year, status=Status.REJECTED).exists()
    return _render(
        request,
        "applications/start.html",
        {"bar": bar, "rejected_this_year": rejected_this_year, "steps": STEP_BY_SLUG.values()},
    )


@applicant_required
def resume(request, public_id):
    application = access_application(user=request.user, public_id=public_id)
    if application.status not in EDITABLE_STATUSES:
        return redirect("applications:status_detail", public_id=application.public_id)
    missing = eligibility.missing_attachment_messages(application, selectors.attachments_of(application))
    return redirect(_step_url(application, first_open_step(application, attachments_missing=bool(missing))))


# --- the wizard ----------------------------------------------------------------------------------


class Wizard:
    """What every wizard page shows: the application, its attachments and the step list.

    The 随迁人 and the attachments are read when first asked for: a step that saves and redirects
    (下一步 on 个人信息) needs neither. They are the application's as the step began, whatever
    row a step's service hands back.
    """

    def __init__(self, request, application, current: str):
        self.request = request
        self.application = application
        self.current = current
        self._accessed = application
        self.from_confirm = (request.POST.get("from") or request.GET.get("from")) == "confirm"

    def with_persons(self):
        """The application with its 随迁人 read, once: the rules that count them read no more."""
        if "accompanying_persons" not in getattr(self._accessed, "_prefetched_objects_cache", {}):
            selectors.with_persons(self._accessed)
        return self._accessed

    @cached_property
    def persons(self) -> list:
        return list(self.with_persons().accompanying_persons.all())

    @cached_property
    def attachments(self) -> list:
        return selectors.attachments_of(self._accessed)

    @cached_property
    def missing(self) -> list[str]:
        return eligibility.missing_attachment_messages(self.with_persons(), self.attachments)

    def reachable(self) -> bool:
        # Only the steps after 附件上传 depend on what is attached.
        missing = reaching_needs_attachments(self.current) and bool(self.missing)
        return is_reachable(self.application, self.current, attachments_missing=missing)

    def first_open(self) -> str:
        return first_open_step(self.application, attachments_missing=bool(self.missing))

    def render(self, template: str, **context):
        app = self.application
        return _render(
            self.request,
            f"applications/wizard/{template}.html",
            {
                "application": app,
                # Drawn from the steps' states and the application's id alone, and kept by their
                # digest (core.fragments): the same for every page of a step until one changes.
                "steps_html": render_fragment(
                    "applications/wizard/_steps.html",
                    {
                        "wizard_steps": step_states(
                            app, current=self.current, attachments_missing=bool(self.missing)
                        ),
                        "public_id": app.public_id,
                    },
                ),
                "step": STEP_BY_SLUG[self.current],
                "previous_step": previous_step(self.current),
                "from_confirm": self.from_confirm,
                "attachments": self.attachments,
                "missing_attachments": self.missing,
                **context,
            },
        )

    def advance(self, application):
        """After a step is saved: back to 确认信息 when the applicant came from there, else onwards."""
        target = "confirm" if self.from_confirm else next_step(self.current)
        return redirect(_step_url(application, target))


@applicant_required
def step(request, public_id, step):
    if step not in STEP_BY_SLUG:
        raise Http404("没有这一步")
    application = access_application(user=request.user, public_id=public_id, persons=False)
    if application.status not in EDITABLE_STATUSES:
        messages.info(request, gettext("申报已提交，内容已冻结；如需修改，须待区人社局退回补正。"))
        return redirect("applications:status_detail", public_id=application.public_id)
    wizard = Wizard(request, application, step)
    if not wizard.reachable():
        target = wizard.first_open()
        messages.warning(request, gettext("请先完成“%(step)s”。") % {"step": STEP_BY_SLUG[target].title})
        return redirect(_step_url(application, target))
    return _STEP_VIEWS[step](request, wizard)


def _commitment(request, wizard: Wizard):
    app = wizard.application
    if request.method == "POST":
        form = CommitmentForm(request.POST)
        if form.is_valid():
            agreed = form.cleaned_data["choice"] == CommitmentForm.AGREE
            app = services.application_commitment_save(application=app, accepted=agreed, by=request.user)
            if agreed:
                return wizard.advance(app)
            wizard.application = app
            form.add_error(
                "choice",
                gettext("您选择了“不同意”，不能继续申报。如需申报，请认真阅读个人承诺后选择“同意”。"),
            )
    else:
        form = CommitmentForm(initial={"choice": CommitmentForm.AGREE} if app.commitment_accepted_at else {})
    return wizard.render("commitment", form=form, commitment_text=COMMITMENT_TEXT)


def _declaration(request, wizard: Wizard):
    app = wizard.application
    if request.method == "POST":
        form = DeclarationForm(request.POST)
        if form.is_valid():
            app = services.application_declaration_save(
                application=app,
                declaration_type=form.cleaned_data["declaration_type"],
                # The page states the 申报条件 the applicant applies under (seed); going on from it
                # is the declaration, as on the seed's screen, which has no box to tick.
                conditions_confirmed=True,
                by=request.user,
            )
            return wizard.advance(app)
    else:
        form = DeclarationForm(initial={"declaration_type": app.declaration_type})
    return wizard.render("declaration", form=form, conditions_text=CONDITIONS_TEXT)


def _category(request, wizard: Wizard):
    app = wizard.application
    if request.method == "POST":
        form = CategoryForm(request.POST)
        if form.is_valid():
            try:
                app = services.application_category_save(
                    application=app, subcategory=form.cleaned_data["subcategory"], by=request.user
                )
            except ValidationError as exc:  # over the 具体类别's age limit: shown beside the choice
                form.add_error(None, exc)
            else:
                return wizard.advance(app)
        chosen_category = request.POST.get("category", "")
        chosen_sub = request.POST.get("subcategory", "")
    else:
        form = CategoryForm()
        chosen_category = app.category.code if app.category_id else ""
        chosen_sub = app.subcategory.code if app.subcategory_id else ""
    today = timezone.localdate()
    age = eligibility.age_on(app.birth_date, today) if app.birth_date else None
    categories = selectors.categories_with_subcategories()
    for category in categories:
        for sub in category.subcategories.all():
            # The refusal the save would give, written on each choice so the page shows it the
            # moment the choice is made (applications.js); the rule is the same function.
            sub.age_refusal = eligibility.subcategory_age_problem(
                sub, app.birth_date, on=today, counted=gettext("今天")
            )
    return wizard.render(
        "category",
        form=form,
        categories=categories,
        chosen_category=chosen_category,
        chosen_sub=chosen_sub,
        age_today=age,
        age_warning=eligibility.age_problem(app, on=today) if request.method == "GET" else None,
    )


def _employer_by_public_id(value) -> Employer | None:
    try:
        return Employer.objects.select_related("district").filter(public_id=value or None).first()
    except ValidationError:
        return None


def _personal(request, wizard: Wizard):
    app = wizard.application
    identity = id_facts(app.id_type, app.id_number) is not None
    results, searched = None, ""
    if request.method != "POST":
        form = PersonalForm(instance=app, identity_from_number=identity)
        if not app.contact_mobile and request.user.mobile:
            form.initial["contact_mobile"] = request.user.mobile
        return _personal_page(wizard, form, app, results, searched)

    nav = request.POST.get("nav", "next")
    if nav == "search":
        # Searching re-shows the page with everything typed so far (as initial values, so nothing
        # is judged yet) and saves nothing.
        typed = {
            key: value for key, value in request.POST.items() if key not in ("csrfmiddlewaretoken", "nav")
        }
        form = PersonalForm(instance=app, initial=typed, identity_from_number=identity)
        searched = (request.POST.get("employer_query") or "").strip()
        results = list(employer_search(query=searched)) if searched else []
        selected = _employer_by_public_id(request.POST.get("employer"))
        return _personal_page(wizard, form, app, results, searched, selected=selected)

    form = PersonalForm(request.POST, instance=app, identity_from_number=identity)

    valid = form.is_valid()
    values = form.saved_values()
    if valid:
        try:
            app = services.application_personal_save(
                application=app, by=request.user, values=values, complete=True
            )
        except ValidationError as exc:
            # The 具体类别's requirements are unmet: keep the draft, show each problem at its field.
            services.application_personal_save(
                application=app, by=request.user, values=values, complete=False
            )
            form.add_error(None, exc)
        else:
            if nav == "prev":
                return redirect(_step_url(app, previous_step("personal")))
            if nav == "save":
                messages.success(request, gettext("个人信息已保存。"))
                return redirect(_step_url(app, "personal"))
            return wizard.advance(app)
    else:
        services.application_personal_save(application=app, by=request.user, values=values, complete=False)
        if nav == "prev":
            # Going back judges only what the applicant changed on this visit: a field left as it
            # was (empty, on a first visit) is not news to them and is asked for on 下一步.
            touched = _error_labels(form, only=set(form.changed_data))
            if touched:
                messages.warning(
                    request,
                    gettext("个人信息已暂存；以下项目未通过校验未保存：%(fields)s。")
                    % {"fields": gettext("、").join(str(label) for label in touched)},
                )
            return redirect(_step_url(app, previous_step("personal")))
    messages.warning(request, gettext("填写正确的内容已暂存为草稿；请按提示修改标红的项目。"))
    return _personal_page(wizard, form, app, results, searched)


def _error_labels(form, *, only: set[str] | None = None) -> list[str]:
    return [
        form.fields[name].label if name in form.fields else pgettext("a form field", "其他")
        for name in form.errors
        if only is None or name in only
    ]


def _personal_page(wizard: Wizard, form, app, results, searched, *, selected=None):
    if selected is None:
        selected = _employer_by_public_id(form.data.get("employer")) if form.is_bound else app.employer
    return wizard.render(
        "personal",
        form=form,
        selected_employer=selected,
        employer_results=results,
        employer_query=searched,
        identity_from_number=id_facts(app.id_type, app.id_number) is not None,
        guide_slug="guide-employer-not-found",
    )


def _family(request, wizard: Wizard):
    app = wizard.application
    form = AccompanyingPersonForm()
    page_errors: list[str] = []
    if request.method == "POST":
        nav = request.POST.get("nav", "next")
        if nav == "add":
            form = AccompanyingPersonForm(request.POST)
            if form.is_valid():
                try:
                    person = services.accompanying_person_add(
                        application=app, by=request.user, **form.cleaned_data
                    )
                except Refused as exc:  # submitted from another tab meanwhile
                    messages.error(request, exc.message)
                    return redirect("applications:status_detail", public_id=app.public_id)
                except ValidationError as exc:
                    form.add_error(None, exc)
                else:
                    messages.success(
                        request,
                        gettext("已添加随迁人%(name)s（%(relation)s）。")
                        % {"name": person.full_name, "relation": person.get_relation_display()},
                    )
                    return redirect(_step_url(app, "family"))
        else:
            try:
                app = services.application_family_complete(application=app, by=request.user)
            except Refused as exc:
                messages.error(request, exc.message)
                return redirect("applications:status_detail", public_id=app.public_id)
            except ValidationError as exc:
                page_errors = exc.messages
            else:
                return wizard.advance(app)
    return wizard.render("family", form=form, persons=wizard.persons, page_errors=page_errors)


@applicant_required
@require_POST
def person_remove(request, public_id, person_id):
    person = access_person(user=request.user, public_id=person_id)
    if person.application.public_id != public_id:
        raise Http404("随迁人不存在")
    try:
        services.accompanying_person_remove(person=person, by=request.user)
    except Refused as exc:
        messages.error(request, exc.message)
        return redirect("applications:status_detail", public_id=public_id)
    messages.success(request, gettext("已删除随迁人%(name)s。") % {"name": person.full_name})
    return redirect(_step_url(person.application, "family"))


def _attachment_rows(wizard: Wizard, errors: dict[str, list[str]]):
    app = wizard.with_persons()
    required = set(eligibility.required_attachment_kinds(app))
    library = selectors.library_counts_by_kind(user=app.applicant)
    by_kind: dict[str, list] = {}
    for attachment in wizard.attachments:
        by_kind.setdefault(attachment.kind, []).append(attachment)
    return [
        {
            "kind": kind,
            "label": kind.label,
            "required": kind in required,
            "multiple": kind in MULTI_FILE_KINDS,
            "attachments": by_kind.get(kind, []),
            "library_count": library.get(kind, 0),
            "errors": errors.get(kind, []),
        }
        for kind in AttachmentKind
    ]


def _attachments_page(wizard: Wizard, *, errors=None, page_errors=None, refused=None, status=200):
    response = wizard.render(
        "attachments",
        rows=_attachment_rows(wizard, errors or {}),
        page_errors=page_errors or [],
        refused=refused,
    )
    response.status_code = status
    return response


# A refused upload is kept in the session for the one GET that follows (POST/redirect/GET), so the
# page in the tab is always the step's own: its buttons post to the step, and reloading resends nothing.
_REFUSED_UPLOAD_KEY = "applications.refused_upload"


def _attachments(request, wizard: Wizard):
    if request.method == "POST":
        try:
            app = services.application_attachments_complete(application=wizard.application, by=request.user)
        except ValidationError as exc:
            return _attachments_page(wizard, page_errors=exc.messages)
        return wizard.advance(app)
    refused = request.session.pop(_REFUSED_UPLOAD_KEY, None)
    if refused and refused.get("application") == str(wizard.application.public_id):
        kind = refused["kind"] if refused["kind"] in AttachmentKind.values else ""
        return _attachments_page(
            wizard,
            errors={kind: refused["messages"]},
            refused={
                "kind": kind,
                "label": AttachmentKind(kind).label if kind else gettext("附件"),
                "messages": refused["messages"],
            },
        )
    return _attachments_page(wizard)


@applicant_required
@require_POST
def attachment_upload(request, public_id):
    application = access_application(user=request.user, public_id=public_id)
    form = AttachmentUploadForm(request.POST, request.FILES)
    kind = request.POST.get("kind", "")
    if form.is_valid():
        kind = form.cleaned_data["kind"]
        try:
            services.attachment_upload(
                application=application, kind=kind, uploaded_file=form.cleaned_data["file"], by=request.user
            )
        except Refused as exc:
            messages.error(request, exc.message)
            return redirect("applications:status_detail", public_id=public_id)
        except ValidationError as exc:
            errors = {kind: exc.messages}
        else:
            messages.success(request, gettext("“%(kind)s”上传成功。") % {"kind": AttachmentKind(kind).label})
            return redirect(_attachments_url(request, application, kind))
    else:
        errors = {kind: [message for messages_ in form.errors.values() for message in messages_]}
    if application.status not in EDITABLE_STATUSES:
        return redirect("applications:status_detail", public_id=public_id)
    kind = kind if kind in AttachmentKind.values else ""
    request.session[_REFUSED_UPLOAD_KEY] = {
        "application": str(application.public_id),
        "kind": kind,
        "messages": errors.get(kind) or [gettext("请选择要上传的JPG图片。")],
    }
    # Back to the step with the refused row in view (its #kind- anchor); the banner says why.
    return redirect(_attachments_url(request, application, kind or AttachmentKind.ID_CARD))


@applicant_required
def attachment_library(request, public_id, kind):
    """上传证件库图片: pick one of the applicant's earlier documents of this kind."""
    if kind not in AttachmentKind.values:
        raise Http404("附件类别不存在")
    kind = AttachmentKind(kind)
    application = access_application(user=request.user, public_id=public_id)
    if application.status not in EDITABLE_STATUSES:
        return redirect("applications:status_detail", public_id=public_id)
    error = ""
    if request.method == "POST":
        form = LibraryChoiceForm(request.POST)
        if form.is_valid():
            document = access_library_document(user=request.user, public_id=form.cleaned_data["document"])
            try:
                services.attachment_from_library(
                    application=application, kind=kind, document=document, by=request.user
                )
            except Refused as exc:  # submitted from another tab meanwhile
                messages.error(request, exc.message)
                return redirect("applications:status_detail", public_id=public_id)
            except ValidationError as exc:
                error = exc.messages[0]
            else:
                messages.success(request, gettext("已从证件库选用“%(kind)s”。") % {"kind": kind.label})
                return redirect(_attachments_url(request, application, kind))
        else:
            error = gettext("请选择证件库中的图片。")
    documents = selectors.library_documents_for(user=request.user, kind=kind)
    return _render(
        request,
        "applications/library_choose.html",
        {
            "application": application,
            "kind": kind,
            "documents": documents,
            "error": error,
            "from_confirm": (request.POST.get("from") or request.GET.get("from")) == "confirm",
        },
    )


@applicant_required
@require_POST
def attachment_delete(request, public_id):
    attachment = access_attachment(user=request.user, public_id=public_id)
    application = attachment.application
    try:
        services.attachment_delete(attachment=attachment, by=request.user)
    except Refused as exc:
        messages.error(request, exc.message)
        return redirect("applications:status_detail", public_id=application.public_id)
    messages.success(
        request,
        gettext("已删除附件“%(kind)s”（证件库中仍保留该图片）。") % {"kind": attachment.get_kind_display()},
    )
    return redirect(_attachments_url(request, application, attachment.kind))


@login_required
def attachment_preview(request, public_id):
    """预览: the applicant, reviewers of the application's district and city administrators."""
    attachment = access_attachment_for_viewer(user=request.user, public_id=public_id)
    application = attachment.application
    if application.applicant_id != request.user.pk:
        # Staff looking at a person's scan: on the record, and outside an open task only with the
        # reason the console's detail page asks for.
        purpose = staff_view_purpose(request, application)
        if purpose is None:
            return redirect("review:detail", public_id=application.public_id)
        access_log.note_view(
            request, subject_id=application.applicant_id, what=PersonalDataAccess.What.ATTACHMENT,
            purpose=purpose, application=application, item=attachment.get_kind_display(),
        )  # fmt: skip
    return private_file_response(
        attachment.document.file,
        download_name=f"{attachment.get_kind_display()}.jpg",
        content_type="image/jpeg",
    )


def _confirm(request, wizard: Wizard, *, submit_errors=None):
    app = wizard.with_persons()
    today = timezone.localdate()
    return wizard.render(
        "confirm",
        persons=wizard.persons,
        problems=[]
        if submit_errors
        else services.submission_problems(app, on=today, attachments=wizard.attachments),
        submit_errors=submit_errors or [],
        required_kinds=set(eligibility.required_attachment_kinds(app)),
        age_today=eligibility.age_on(app.birth_date, today) if app.birth_date else None,
        commitment_text=COMMITMENT_TEXT,
        conditions_text=CONDITIONS_TEXT,
    )


_STEP_VIEWS = {
    "commitment": _commitment,
    "declaration": _declaration,
    "category": _category,
    "personal": _personal,
    "family": _family,
    "attachments": _attachments,
    "confirm": _confirm,
}


@applicant_required
@require_POST
def submit(request, public_id):
    # The service locks and reads the row itself: only its id here (and the 404).
    application_id = access_application_id(user=request.user, public_id=public_id)
    try:
        application = services.application_submit(
            application_id=application_id, by=request.user, ip_address=client_ip(request)
        )
    except services.SubmissionRefused as exc:  # every reason, shown on 确认信息 beside the answers
        wizard = Wizard(request, access_application(user=request.user, public_id=public_id), "confirm")
        return _confirm(request, wizard, submit_errors=exc.messages)
    except Refused as exc:  # the application moved on (another tab): its status page says where it is
        messages.error(request, str(exc))
        return redirect("applications:status_detail", public_id=public_id)
    messages.success(
        request,
        gettext("申报已提交，申报编号：%(number)s。区人社局将于%(date)s前受理。")
        % {
            "number": application.number,
            "date": dateformat.format(application.accept_due_on, gettext("Y年m月d日")),
        },
    )
    return redirect("applications:status_detail", public_id=application.public_id)


# --- status and withdraw -------------------------------------------------------------------------


def _status_page(request, applications, current):
    # The record and the history are drawn from what is read here and kept by their digest
    # (core.fragments): a repeat visit costs the reads, not the templates. The 好差评 panel holds a
    # form with the request's CSRF token, so it is drawn on every request, between the two.
    today = timezone.localdate()
    record = {"current": current, "today": today}
    history_html = ""
    if current is not None:
        prefetch_related_objects([current], "hukou_cards")
        has_card = any(card.move_type == MoveType.MAIN for card in current.hukou_cards.all())
        record.update(
            stages=selectors.process_stages(current, has_card=has_card),
            notice=getattr(getattr(current, "notice_entry", None), "notice", None),
            can_continue=current.status == Status.DRAFT,
            can_correct=current.status == Status.RETURNED,
            can_withdraw=current.status in TRANSITIONS[AuditAction.WITHDRAW].sources,
            has_form_pdf=current.status in FORM_PDF_STATUSES,
            sms_enabled=sms_enabled(),
            mobile=current.contact_mobile or request.user.mobile,
        )
        history = {
            "timeline": selectors.timeline_for(current),
            "applications": applications,
            "current_pk": current.pk,
        }
        history_html = render_fragment("applications/_status_history.html", history)
    context = {
        "current": current,
        "record_html": render_fragment("applications/_status_record.html", record),
        "history_html": history_html,
    }
    return _render(request, "applications/status.html", context)


@applicant_required
def status(request):
    """人才引进入户手续办理情况: the application in hand (or the latest) and the earlier ones."""
    applications = selectors.applications_for_status(user=request.user)
    current = next(
        (a for a in applications if a.status in OPEN_STATUSES), applications[0] if applications else None
    )
    return _status_page(request, applications, current)


@applicant_required
def status_detail(request, public_id):
    applications = selectors.applications_for_status(user=request.user)
    current = next((a for a in applications if a.public_id == public_id), None)
    if current is None:
        raise Http404("申报不存在")
    return _status_page(request, applications, current)


@applicant_required
@never_cache
def form_pdf_download(request, public_id):
    """申报表 (PDF): the applicant's own record of what was submitted; anyone else's is 404."""
    application = access_application(user=request.user, public_id=public_id)
    if application.status not in FORM_PDF_STATUSES:
        if application.status == Status.RETURNED:
            messages.info(request, gettext("申报已退回补正，正在修改中；重新提交后可下载申报表。"))
        else:
            messages.info(request, gettext("申报提交后可下载申报表。"))
        return redirect("applications:status_detail", public_id=public_id)
    # The 申报表 is an official document: Chinese whatever the page's language (labels of choices
    # and kinds are translated on English pages).
    with translation.override("zh-hans"):
        pdf = form_pdf.application_form_pdf(application)
    return private_content_response(
        pdf,
        download_name=form_pdf.download_name(application),
        content_type="application/pdf",
        as_attachment=True,
    )


@applicant_required
def withdraw(request, public_id):
    application = access_application(user=request.user, public_id=public_id)
    if application.status not in TRANSITIONS[AuditAction.WITHDRAW].sources:
        messages.error(
            request, gettext("申报当前状态为“%(status)s”，不能撤回。") % {"status": application.status_label}
        )
        return redirect("applications:status_detail", public_id=public_id)
    form = WithdrawForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.application_withdraw(
                application_id=application.pk,
                by=request.user,
                ip_address=client_ip(request),
                reason=form.cleaned_data["reason"],
            )
        except Refused as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, gettext("申报已撤回。"))
        return redirect("applications:status_detail", public_id=public_id)
    return _render(request, "applications/withdraw.html", {"application": application, "form": form})


# --- 证件库 ----------------------------------------------------------------------------------------


@applicant_required
def library(request):
    documents = selectors.library_documents_for(user=request.user)
    return _render(request, "applications/library.html", {"documents": documents})


@applicant_required
def library_preview(request, public_id):
    document = access_library_document(user=request.user, public_id=public_id)
    return private_file_response(
        document.file, download_name=f"{document.get_kind_display()}.jpg", content_type="image/jpeg"
    )


@applicant_required
@require_POST
def library_delete(request, public_id):
    document = access_library_document(user=request.user, public_id=public_id)
    try:
        services.library_document_delete(document=document, by=request.user)
    except Refused as exc:
        messages.error(request, exc.message)
    else:
        messages.success(
            request, gettext("已从证件库删除“%(kind)s”图片。") % {"kind": document.get_kind_display()}
        )
    return redirect("applications:library")


# --- employer administrators (individual users with an approved right, portal look) -----------------


def _render_employer_page(request, employer, *, forms: dict | None = None, status: int = 200):
    applications = list(selectors.employer_applications(employer=employer))
    forms = forms or {}
    for app in applications:
        app.is_own = app.applicant_id == request.user.pk
        app.answerable = app.status in EMPLOYER_ANSWERABLE_STATUSES and not app.is_own
        app.confirmation_form = forms.get(app.pk) or EmployerConfirmationForm(prefix=f"a{app.pk}")
    home_url = reverse("accounts:employer_home")
    return render(
        request,
        "applications/employer_applications.html",
        {
            "employer": employer,
            "applications": applications,
            "system_home_url": home_url,
            "other_employers": list(employers_administered(user=request.user).exclude(pk=employer.pk)),
        },
        status=status,
    )


@login_required
def employer_applications(request, public_id):
    employer = access_employer(user=request.user, public_id=public_id)
    return _render_employer_page(request, employer)


@login_required
@require_POST
def employer_confirmation(request, public_id):
    app = access_employer_application(user=request.user, public_id=public_id)
    form = EmployerConfirmationForm(request.POST, prefix=f"a{app.pk}")
    if not form.is_valid():
        return _render_employer_page(request, app.employer, forms={app.pk: form})
    try:
        services.employer_confirmation_record(
            application_id=app.pk,
            by=request.user,
            confirmed=form.cleaned_data["decision"] == "confirmed",
            note=form.cleaned_data["note"],
            ip_address=client_ip(request),
        )
    except Refused as exc:
        messages.error(request, str(exc))
        return _render_employer_page(request, app.employer, forms={app.pk: form}, status=409)
    messages.success(request, f"已记录对{app.full_name}（{app.number}）在职情况的确认，审核人员将参考。")
    return redirect("employer:applications", public_id=app.employer.public_id)
