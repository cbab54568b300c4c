"""Public services of the 人才引进申办系统, no login: 一键测试 and 申报进度查询 (linked from the
公共服务 block on the login page, the 门户 and the talent home).
"""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import dateformat, timezone
from django.utils.translation import gettext, gettext_noop
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from accounts.models import Role
from applications import eligibility, selectors, services
from applications.public_forms import ProgressQueryForm, SelfTestForm
from core.client_ip import client_ip
from core.errors import Refused
from core.throttle import throttle_hit, wait_minutes

# The self-test's answers wait here while an anonymous visitor logs in to start an application.
SELFTEST_SESSION_KEY = "selftest_answers"
# The Chinese source (tests compare it); gettext() gives the page's language.
NOT_FOUND = gettext_noop("未查到相关申报。请核对申报年度、单位名称、姓名和证件号码后重新查询。")


def _selftest_page(request, form, *, result=None, status: int = 200):
    chosen_category = (form["category"].value() or "") if form.is_bound else ""
    chosen_sub = (form["subcategory"].value() or "") if form.is_bound else ""
    return render(
        request,
        "applications/public/selftest.html",
        {
            "service": "selftest",
            "form": form,
            "result": result,
            "categories": selectors.categories_with_subcategories(),
            "chosen_category": chosen_category,
            "chosen_sub": chosen_sub,
            "today": timezone.localdate(),
        },
        status=status,
    )


def _verdict(form: SelfTestForm) -> dict:
    answers = form.answers()
    reasons = eligibility.answer_problems(answers, on=timezone.localdate())
    return {"eligible": not reasons, "reasons": reasons, "subcategory": answers.subcategory}


@never_cache
@require_http_methods(["GET", "POST"])
def selftest(request):
    """一键测试: the answers → 符合 or 不符合 with every reason, by the rules submission applies.

    With 按此结果开始申报 (action=apply) a 符合 result starts the applicant's draft with these answers;
    an anonymous visitor logs in first, the answers kept in the session and shown again on return.
    """
    if request.method == "GET":
        stored = request.session.get(SELFTEST_SESSION_KEY)
        if not stored:
            return _selftest_page(request, SelfTestForm())
        form = SelfTestForm(stored)  # back from the login: the answers as they were sent
        if not form.is_valid():
            return _selftest_page(request, form)
        return _selftest_page(request, form, result=_verdict(form))

    form = SelfTestForm(request.POST)
    if not form.is_valid():
        return _selftest_page(request, form)
    result = _verdict(form)
    if request.POST.get("action") != "apply" or not result["eligible"]:
        return _selftest_page(request, form, result=result)

    if not request.user.is_authenticated:
        request.session[SELFTEST_SESSION_KEY] = form.session_data()
        messages.info(
            request, gettext("请先登录。登录后将回到一键测试结果，点击“按此结果开始申报”即可开始申报。")
        )
        return redirect_to_login(reverse("public_services:selftest"))
    if request.user.role != Role.APPLICANT:
        form.add_error(None, gettext("人才引进申报只面向个人用户，工作人员帐号不能按测试结果申报。"))
        return _selftest_page(request, form, result=result, status=403)
    try:
        application = services.application_start_from_answers(applicant=request.user, answers=form.answers())
    except Refused as exc:
        form.add_error(None, exc.message)
        return _selftest_page(request, form, result=result, status=409)
    except ValidationError as exc:
        # The draft's own facts (its 证件号码's birth date, say) refuse what the answers allowed.
        for message in exc.messages:
            form.add_error(None, message)
        return _selftest_page(request, form, result=result, status=409)
    request.session.pop(SELFTEST_SESSION_KEY, None)
    messages.success(
        request,
        gettext(
            "已按一键测试结果填入引进人才类别和个人信息中的学历、学位、职称等项目；"
            "请逐步核对并补全其余信息后提交申报。"
        ),
    )
    if application.birth_date and application.birth_date != form.cleaned_data["birth_date"]:
        messages.warning(
            request,
            gettext("一键测试填写的出生日期与您的证件号码不一致，年龄条件按证件号码所示的%(date)s计算。")
            % {"date": dateformat.format(application.birth_date, gettext("Y年m月d日"))},
        )
    return redirect("applications:resume", public_id=application.public_id)


@never_cache
@require_http_methods(["GET", "POST"])
def progress(request):
    """申报进度查询: four facts and a captcha → the state in words and its date, nothing more.

    Every attempt counts against the address (core.throttle); a wrong combination has one answer,
    whichever fact was wrong, and costs the same single query as a right one.
    """
    form = ProgressQueryForm(request.POST or None)
    result, status = None, 200
    if request.method == "POST":
        wait = throttle_hit(
            scope="progress-query",
            who=client_ip(request) or "unknown",
            limit=settings.PROGRESS_QUERY_THROTTLE_PER_ADDRESS,
            window=settings.PROGRESS_QUERY_THROTTLE_WINDOW,
        )
        if wait:
            form.is_valid()
            form.add_error(
                None, gettext("查询过于频繁，请%(minutes)s分钟后再试。") % {"minutes": wait_minutes(wait)}
            )
            status = 429
        elif form.is_valid():
            data = form.cleaned_data
            result = selectors.application_progress(
                year=data["year"],
                employer_name=data["employer_name"],
                full_name=data["full_name"],
                id_number=data["id_number"],
            )
            if result is None:
                form.add_error(None, gettext(NOT_FOUND))
    response = render(
        request,
        "applications/public/progress.html",
        {
            "service": "progress",
            "form": form,
            "result": result,
            "throttle_limit": settings.PROGRESS_QUERY_THROTTLE_PER_ADDRESS,
            "throttle_minutes": wait_minutes(settings.PROGRESS_QUERY_THROTTLE_WINDOW),
        },
        status=status,
    )
    if status == 429:
        response["Retry-After"] = str(wait)
    return response
