from allauth.account.adapter import get_adapter as get_account_adapter
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from economy.selectors.ledger import get_wallet_summary
from halobuzz.core.exceptions import ApplicationError
from trust.privacy import consent_cookie, selectors
from trust.privacy.exceptions import ExportLinkExpired, ExportNotFound
from trust.privacy.forms import BannerChoiceForm, ConsentForm, DeleteAccountForm
from trust.privacy.models import ConsentRecord
from trust.privacy.services import consent, deletion, exports

HISTORY_PER_PAGE = 20


def _save_consent_choice(request, response, *, choices: dict[str, bool], source: str):
    """Members' choices go on record; everyone's go in the cookie, so the banner stays
    away in this browser after signing out too."""
    if request.user.is_authenticated:
        consent.record_consent_choices(user=request.user, choices=choices, source=source)
    consent_cookie.remember_choice(
        response, choices=choices, source=source, chosen_at=timezone.now()
    )
    return response


def _safe_next(request, candidate: str) -> str:
    if candidate and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return "/"


@require_safe
def policy(request):
    context = {
        "policy_version": settings.PRIVACY_POLICY_VERSION,
        "policy_updated_on": settings.PRIVACY_POLICY_UPDATED_ON,
        "cool_off_days": settings.PRIVACY_DELETION_COOL_OFF_DAYS,
        "export_link_days": settings.PRIVACY_EXPORT_LINK_DAYS,
        "export_interval_hours": settings.PRIVACY_EXPORT_MIN_INTERVAL_HOURS,
        "identity_document_days": getattr(settings, "IDENTITY_DOCUMENT_RETENTION_DAYS", None),
        "consent_cookie_days": settings.PRIVACY_CONSENT_COOKIE_AGE // (60 * 60 * 24),
        "contact_email": settings.PRIVACY_CONTACT_EMAIL,
    }
    return render(request, "trust/privacy/policy.html", context)


@require_POST
def consent_banner(request):
    form = BannerChoiceForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose “Accept all” or “Reject optional”."))
        return redirect("privacy:settings")
    response = redirect(_safe_next(request, form.cleaned_data["next"]))
    choices = consent.choices_for_banner_answer(form.cleaned_data["choice"])
    return _save_consent_choice(
        request, response, choices=choices, source=ConsentRecord.Source.BANNER
    )


def privacy_settings(request):
    """Cookie choices for everyone; history, export and deletion for members."""
    form = ConsentForm(request.POST or None, initial=selectors.get_consent_choices(request=request))
    if request.method == "POST" and form.is_valid():
        messages.success(request, _("Your privacy choices are saved."))
        response = redirect("privacy:settings")
        return _save_consent_choice(
            request, response, choices=form.cleaned_data, source=ConsentRecord.Source.SETTINGS
        )
    context = {"form": form, "policy_version": settings.PRIVACY_POLICY_VERSION}
    if request.user.is_authenticated:
        history = selectors.list_consent_history(user=request.user)
        context.update(
            history_page=Paginator(history, HISTORY_PER_PAGE).get_page(request.GET.get("page")),
            export=selectors.get_latest_export(user=request.user),
            scheduled_deletion=selectors.get_scheduled_deletion(user=request.user),
            cool_off_days=settings.PRIVACY_DELETION_COOL_OFF_DAYS,
            export_link_days=settings.PRIVACY_EXPORT_LINK_DAYS,
        )
    return render(request, "trust/privacy/settings.html", context)


@login_required
@require_POST
def request_export(request):
    try:
        exports.request_data_export(user=request.user)
    except ApplicationError as error:
        messages.error(request, error.message)
    else:
        messages.success(
            request,
            _("We are preparing a copy of your data. We will email you a download link."),
        )
    return redirect("privacy:settings")


@login_required
@require_safe
def export_status(request):
    """The export section alone, polled by htmx while a copy is being prepared."""
    context = {
        "export": selectors.get_latest_export(user=request.user),
        "export_link_days": settings.PRIVACY_EXPORT_LINK_DAYS,
    }
    return render(request, "trust/privacy/_export_section.html", context)


@login_required
@require_safe
def download_export(request, token: str):
    try:
        export = exports.get_export_for_download(token=token, user=request.user)
    except ExportNotFound as error:
        raise Http404(error.message) from error
    except ExportLinkExpired as error:
        return render(
            request, "trust/privacy/export_expired.html", {"message": error.message}, status=410
        )
    file_name = f"halobuzz-data-{request.user.username}-{export.completed_at:%Y-%m-%d}.zip"
    response = FileResponse(
        exports.open_export_file(export), as_attachment=True, filename=file_name
    )
    response["Cache-Control"] = "private, no-store"
    return response


# Which field a deletion error belongs to; the rest are about the whole form.
DELETION_ERROR_FIELDS = {
    "wrong_password": "password",
    "password_needed": "password",
    "authenticator_code_needed": "authenticator_code",
    "wrong_authenticator_code": "authenticator_code",
}


def _client_ip(request) -> str | None:
    """The client's address as allauth's rate limits see it (behind the proxy too)."""
    try:
        return get_account_adapter(request).get_client_ip(request)
    except PermissionDenied:
        return None


@login_required
def delete_account(request):
    form = DeleteAccountForm(
        request.POST or None,
        ask_for_authenticator_code=selectors.has_authenticator_app(user=request.user),
    )
    scheduled = selectors.get_scheduled_deletion(user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            scheduled = deletion.request_account_deletion(
                user=request.user,
                password=form.cleaned_data["password"],
                authenticator_code=form.cleaned_data.get("authenticator_code", ""),
                client_ip=_client_ip(request),
            )
        except ApplicationError as error:
            form.add_error(DELETION_ERROR_FIELDS.get(error.code), error.message)
        else:
            messages.warning(
                request,
                _("Your account will be deleted on %(date)s. You can cancel until then.")
                % {"date": date_format(timezone.localtime(scheduled.scheduled_for), "DATE_FORMAT")},
            )
            return redirect("privacy:settings")
    context = {
        "form": form,
        "scheduled_deletion": scheduled,
        "cool_off_days": settings.PRIVACY_DELETION_COOL_OFF_DAYS,
        "wallet": get_wallet_summary(user=request.user),
    }
    return render(request, "trust/privacy/delete_account.html", context)


@login_required
@require_POST
def cancel_deletion(request):
    try:
        deletion.cancel_account_deletion(user=request.user)
    except ApplicationError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Deletion cancelled. Your account stays."))
    return redirect(_safe_next(request, request.POST.get("next", "")))
