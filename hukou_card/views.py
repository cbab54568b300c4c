"""Card pages: the applicant's download and 放弃入户, the public verification, the police desk.

Views parse input, call one service or selector, render. Object URLs carry the card's public_id;
an applicant reaching another person's card gets 404 (hukou_card.access.access_card).
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext, gettext_noop
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from accounts.access import role_required
from accounts.models import Role
from audit import access_log
from audit.models import PersonalDataAccess
from core.client_ip import client_ip
from core.errors import Refused
from core.private_files import private_file_response
from core.replica import reads_from_replica
from hukou_card import selectors, services, throttle
from hukou_card.access import access_card, access_card_for_police
from hukou_card.forms import CancelForm, PoliceLookupForm, VerifyForm
from hukou_card.models import HukouCard
from hukou_card.pdf import TEST_CARD_LABEL, TEST_CARD_NOTE
from hukou_card.signing import SignatureCheck, check_card_signature

logger = logging.getLogger(__name__)

SYSTEM_NAME = gettext_noop("人才引进申办系统")
# The card prints these in Chinese (hukou_card.pdf, TEST_CARD_LABEL and TEST_CARD_NOTE); the public
# check says them in the reader's language. Marked here so the catalogue holds them; a change of
# the card's wording shows up as Chinese on the English page (tests/hukou_card/test_english_cards.py).
TEST_CARD_TEXTS = (
    gettext_noop("测试卡，无法律效力"),
    gettext_noop("本卡由开发环境测试CA签章，仅供开发测试，不能用于办理入户"),
)
# The card's row names its PDF but storage cannot hand it over: the service's fault, not the card's.
STORED_FILE_FAULT = "入户卡PDF文件无法读取，请联系管理员。"


def _status_url() -> str:
    return reverse("applications:status")


def _applicant_context(**extra) -> dict:
    return {"system_name": gettext(SYSTEM_NAME), "system_home_url": reverse("applications:home"), **extra}


def _download_name(card: HukouCard) -> str:
    return f"广州市入户人员信息卡_{card.holder_name}_{card.number}.pdf"


# --- The applicant --------------------------------------------------------------------------------


@login_required
@never_cache
def download(request, public_id):
    """(入户卡)电子印章PDF: the signed card, for the applicant whose application it belongs to."""
    card = access_card(user=request.user, public_id=public_id)
    if not card.is_downloadable:
        if not card.pdf:
            messages.info(request, gettext("入户信息卡正在生成并加盖电子印章，请稍后再下载。"))
        else:
            messages.error(
                request,
                gettext("入户卡%(number)s%(status)s，不能再下载。")
                % {"number": card.number, "status": card.get_status_display()},
            )
        return redirect(_status_url())
    return private_file_response(
        card.pdf, download_name=_download_name(card), as_attachment=True, content_type="application/pdf"
    )


@login_required
@require_http_methods(["GET", "POST"])
def cancel(request, public_id):
    """放弃入户: the main applicant cancels the main card; the accompanying cards go with it (备注④)."""
    card = access_card(user=request.user, public_id=public_id)
    today = timezone.localdate()
    if not card.is_main:
        messages.error(
            request, gettext("随迁人入户卡不能单独注销；放弃入户请注销主迁人入户卡，随迁人入户卡将一并注销。")
        )
        return redirect(_status_url())
    if card.effective_status(today) != HukouCard.Status.VALID:
        messages.error(
            request,
            gettext("入户卡%(number)s当前状态为“%(status)s”，不能注销。")
            % {"number": card.number, "status": card.get_status_display()},
        )
        return redirect(_status_url())
    form = CancelForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.card_cancel(
                card_id=card.pk,
                by=request.user,
                reason=form.cleaned_data["reason"],
                ip_address=client_ip(request),
            )
        except Refused as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, gettext("已注销入户信息卡（含随迁人入户卡），您已放弃本次入户。"))
            return redirect(_status_url())
    family = selectors.family_cards(card=card)
    return render(
        request,
        "hukou_card/cancel.html",
        _applicant_context(
            card=card,
            family=family,
            form=form,
            quota_controlled=card.application.is_quota_controlled,
            status_url=_status_url(),
        ),
    )


# --- Everyone: public verification ------------------------------------------------------------------


def _verification_context(card: HukouCard) -> dict:
    today = timezone.localdate()
    status = card.effective_status(today)
    return {
        "card": card,
        "status": status,
        "status_label": HukouCard.Status(status).label,
        "days_left": (card.valid_until - today).days if status == HukouCard.Status.VALID else None,
        "test_card": card.signed_by_development_ca,
        **_test_card_text(),
    }


def _test_card_text() -> dict:
    # In Chinese at the police desk (Chinese only); in the reader's language on the public check.
    return {"test_card_label": gettext(TEST_CARD_LABEL), "test_card_note": gettext(TEST_CARD_NOTE)}


def _from_replica_or_primary(select, **terms) -> HukouCard | None:
    """The card from the read replica; a miss is asked again of the primary before it is told or
    counted against the visitor, since a card issued a moment ago may not have reached the replica.
    (The captcha, answered a second ago, was already checked on the primary by the form.)"""
    with reads_from_replica():
        card = select(**terms)
    return card if card is not None else select(**terms)


@never_cache
@require_http_methods(["GET", "POST"])
def verify(request, public_id=None, code=None):
    """By the card's QR link (public_id + code), or by the form (number + code + captcha)."""
    ip = client_ip(request)
    context = {"site_url": settings.SITE_URL}
    if public_id is not None:
        if throttle.is_blocked(ip):
            return render(request, "hukou_card/verify.html", {**context, "blocked": True}, status=429)
        card = _from_replica_or_primary(selectors.card_for_verification_link, public_id=public_id, code=code)
        if card is None:
            throttle.record_failure(ip)
            return render(
                request,
                "hukou_card/verify.html",
                {**context, "not_found": True, "form": VerifyForm()},
                status=404,
            )
        return render(request, "hukou_card/verify.html", {**context, **_verification_context(card)})

    form = VerifyForm(request.POST or None)
    if request.method == "POST":
        if throttle.is_blocked(ip):
            form.is_valid()
            form.add_error(None, gettext(throttle.BLOCKED_MESSAGE))  # its English: verify.html's own copy
            return render(request, "hukou_card/verify.html", {**context, "form": form}, status=429)
        if form.is_valid():
            card = _from_replica_or_primary(
                selectors.card_for_verification,
                number=form.cleaned_data["number"],
                code=form.cleaned_data["code"],
            )
            if card is not None:
                return render(request, "hukou_card/verify.html", {**context, **_verification_context(card)})
            throttle.record_failure(ip)
            # One answer for a wrong number and a wrong code: nothing to learn by trying.
            form.add_error(
                None, gettext("未找到与该卡号和卡面验证码相符的入户信息卡，请对照入户卡核对后重试。")
            )
    return render(request, "hukou_card/verify.html", {**context, "form": form})


# --- The police desk --------------------------------------------------------------------------------


# 公安窗口 staff only. Not signed in: the console login, where the police desk signs in too.
police_required = role_required(
    Role.POLICE, login_url_name="review:login", forbidden_template="hukou_card/police_forbidden.html"
)


# The police desk looks a card up to complete the hukou move it was issued for.
POLICE_PURPOSE = access_log.Purpose("入户办理")


def _police_context(**extra) -> dict:
    return {"logout_url": reverse("review:logout"), **extra}


@police_required
@never_cache
def police_lookup(request):
    form = PoliceLookupForm(request.GET or None)
    if form.is_bound and form.is_valid():
        card = selectors.card_by_number(number=form.cleaned_data["number"])
        if card is not None:
            return redirect("hukou_card:police_detail", public_id=card.public_id)
        form.add_error("number", f"未找到卡号为{form.cleaned_data['number']}的入户信息卡，请核对。")
    return render(request, "hukou_card/police_lookup.html", _police_context(form=form))


@police_required
@never_cache
def police_detail(request, public_id):
    card = access_card_for_police(user=request.user, public_id=public_id)
    access_log.note_view(
        request, subject_id=card.application.applicant_id, what=PersonalDataAccess.What.CARD,
        purpose=POLICE_PURPOSE, application=card.application, item=card.number,
    )  # fmt: skip
    signature = None
    if card.pdf:
        try:
            with card.pdf.open("rb") as handle:
                signature = check_card_signature(handle.read())
        except OSError as exc:  # a volume not mounted, a file lost: not "not generated yet"
            logger.error("Card %s: its PDF %s cannot be read: %s", card.number, card.pdf.name, exc)
            signature = SignatureCheck(False, False, False, "", None, STORED_FILE_FAULT, fault=True)
    today = timezone.localdate()
    status = card.effective_status(today)
    return render(
        request,
        "hukou_card/police_detail.html",
        _police_context(
            card=card,
            application=card.application,
            persons=list(card.application.accompanying_persons.all()),
            family=selectors.family_cards(card=card),
            status=status,
            status_label=HukouCard.Status(status).label,
            can_record=status == HukouCard.Status.VALID,
            signature=signature,
            # The flag written when it was signed, or a signature that only the development CA vouches for.
            test_card=card.signed_by_development_ca or bool(signature and signature.development),
            **_test_card_text(),
        ),
    )


@police_required
@require_POST
def police_record_used(request, public_id):
    card = access_card_for_police(user=request.user, public_id=public_id)
    try:
        services.card_record_used(card_id=card.pk, by=request.user, ip_address=client_ip(request))
    except Refused as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, f"已记录{card.holder_name}（入户卡{card.number}）办结入户。")
    return redirect("hukou_card:police_detail", public_id=card.public_id)


@police_required
@never_cache
def police_pdf(request, public_id):
    card = access_card_for_police(user=request.user, public_id=public_id)
    access_log.note_view(
        request, subject_id=card.application.applicant_id, what=PersonalDataAccess.What.CARD_PDF,
        purpose=POLICE_PURPOSE, application=card.application, item=card.number,
    )  # fmt: skip
    return private_file_response(card.pdf, download_name=_download_name(card), content_type="application/pdf")
