"""Members' pages: report something, see the moderation decisions about you, appeal."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _

from halobuzz.core.exceptions import ApplicationError
from trust.exceptions import ReportTargetNotFound
from trust.forms import AppealForm, ReportForm
from trust.models import Case
from trust.selectors import cases as case_selectors
from trust.services import appeals as appeal_services
from trust.services import reports as report_services


def _target_page(target) -> str:
    if target.kind == Case.TargetKind.USER:
        return reverse("users:profile", args=[target.subject.get_username()])
    return reverse("streams:watch", args=[target.stream.pk])


def _describe(target) -> str:
    if target.kind == Case.TargetKind.STREAM:
        return _("the stream “%(title)s”") % {"title": target.stream.title}
    if target.kind == Case.TargetKind.CHAT_MESSAGE:
        author = target.subject.get_username() if target.subject else _("someone")
        return _("a chat message by %(name)s") % {"name": author}
    return _("the account %(name)s") % {"name": target.subject.get_username()}


@login_required
def report(request, target_kind: str, target_id: int):
    try:
        target = report_services.resolve_report_target(target_kind=target_kind, target_id=target_id)
    except ReportTargetNotFound as error:
        raise Http404(error.message) from error
    back = request.POST.get("next") or request.GET.get("next") or ""
    if not url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}):
        back = ""
    back = back or _target_page(target)
    form = ReportForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            report_services.report_target(
                reporter=request.user,
                target_kind=target_kind,
                target_id=target_id,
                reason=form.cleaned_data["reason"],
                note=form.cleaned_data["note"],
            )
        except ApplicationError as error:
            form.add_error(None, error.message)
        else:
            messages.success(
                request,
                _("Thank you. Our moderators will review your report; we will tell you if we act."),
            )
            return redirect(back)
    return render(
        request,
        "trust/report.html",
        {"form": form, "target_description": _describe(target), "back": back},
        status=400 if form.errors else 200,
    )


@login_required
def decisions(request):
    return render(
        request,
        "trust/decisions.html",
        {"decisions": case_selectors.list_decisions_about(user=request.user)[:50]},
    )


@login_required
def decision(request, action_id: int):
    action = case_selectors.get_decision_about(user=request.user, action_id=action_id)
    if action is None:
        raise Http404(_("There is no such decision about you."))
    form = AppealForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            appeal_services.appeal_decision(
                appellant=request.user,
                action_id=action.pk,
                statement=form.cleaned_data["statement"],
            )
        except ApplicationError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _("Your appeal is in. A senior moderator will review it."))
            return redirect("trust:decision", action_id=action.pk)
    appeal = getattr(action, "appeal", None)
    return render(
        request,
        "trust/decision.html",
        {
            "action": action,
            "appeal": appeal,
            "form": form,
            "can_appeal": appeal is None
            and appeal_services.can_appeal(user=request.user, action=action),
            "deadline": appeal_services.appeal_deadline(action),
        },
        status=400 if form.errors else 200,
    )
