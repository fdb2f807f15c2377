"""The "Trust & verification" page: each layer the site offers, what is done, what is
next, and why a layer was rejected. Each form posts to its own URL, calls one
service, and comes back to the page (or shows it again with the form's errors)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from halobuzz.core.exceptions import ApplicationError
from trust.audit.services import client_ip
from trust.scores.selectors import get_trust_summary
from trust.verification import selectors, services
from trust.verification.forms import (
    IdentityDocumentsForm,
    PhoneCodeForm,
    PhoneNumberForm,
    add_service_error,
)
from trust.verification.phones import format_international

TEMPLATE = "trust/verification/overview.html"


def _back_to(anchor: str):
    return redirect(f"{reverse('verification:overview')}#{anchor}")


def _render_page(request, **forms):
    context = {
        "overview": selectors.get_verification_overview(user=request.user),
        "phone_form": forms.get("phone_form") or PhoneNumberForm(user=request.user),
        "code_form": forms.get("code_form") or PhoneCodeForm(),
        "identity_form": forms.get("identity_form") or IdentityDocumentsForm(),
        "trust": get_trust_summary(user=request.user),
        "phone_code_minutes": selectors.phone_code_lifetime_minutes(),
    }
    return render(request, TEMPLATE, context)


@login_required
def overview(request):
    # Accounts verified before this page existed, or changed without a signal
    # (staff editing addresses), catch up here; when already in step it only reads.
    services.sync_email_verification(user=request.user)
    return _render_page(request)


@login_required
@require_POST
def start_phone(request):
    form = PhoneNumberForm(request.POST, user=request.user)
    if form.is_valid():
        try:
            verification = services.start_phone_verification(
                user=request.user,
                raw_number=form.cleaned_data["raw_number"],
                region=form.cleaned_data["region"] or None,
                client_ip=client_ip(request),
            )
        except ApplicationError as error:
            add_service_error(form, error, default_field="raw_number")
        else:
            messages.success(
                request,
                _("We are texting a code to %(number)s.")
                % {"number": format_international(verification.subject)},
            )
            return _back_to("layer-phone")
    return _render_page(request, phone_form=form)


@login_required
@require_POST
def resend_phone_code(request):
    try:
        services.resend_phone_code(user=request.user, client_ip=client_ip(request))
    except ApplicationError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("We are texting you a new code."))
    return _back_to("layer-phone")


@login_required
@require_POST
def confirm_phone(request):
    form = PhoneCodeForm(request.POST)
    if form.is_valid():
        try:
            verification = services.confirm_phone_verification(
                user=request.user, code=form.cleaned_data["code"]
            )
        except ApplicationError as error:
            add_service_error(form, error, default_field="code")
        else:
            messages.success(
                request,
                _("%(number)s is verified.")
                % {"number": format_international(verification.subject)},
            )
            return _back_to("layer-phone")
    return _render_page(request, code_form=form)


@login_required
@require_POST
def submit_identity(request):
    form = IdentityDocumentsForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            services.submit_identity_verification(
                user=request.user,
                document_type=form.cleaned_data["document_type"],
                front=form.cleaned_data["front"],
                back=form.cleaned_data["back"],
                selfie=form.cleaned_data["selfie"],
            )
        except ApplicationError as error:
            add_service_error(form, error)
        else:
            messages.success(
                request, _("Thank you. We will check your documents and let you know.")
            )
            return _back_to("layer-identity")
    return _render_page(request, identity_form=form)
