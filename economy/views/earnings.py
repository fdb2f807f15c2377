"""A creator's earnings page: diamonds by source, payout methods, withdrawals."""

import secrets

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from economy.exceptions import EconomyError
from economy.forms import PayoutMethodForm, PayoutRequestForm
from economy.selectors import gifts as gift_selectors
from economy.selectors import memberships as membership_selectors
from economy.selectors import payouts as payout_selectors
from economy.services import payouts as payout_services
from halobuzz.users.mfa import get_totp_secret
from trust.verification.selectors import is_payout_eligible


@login_required
def earnings(request):
    creator = request.user
    methods = payout_selectors.list_payout_methods(creator=creator)
    method_form = PayoutMethodForm(initial={"currency": creator.preferred_currency})
    request_form = PayoutRequestForm(
        methods=methods, initial={"idempotency_key": secrets.token_urlsafe(16)}
    )
    if request.method == "POST":
        action = request.POST.get("action")
        if action == "add_method":
            method_form = PayoutMethodForm(request.POST)
            if _add_method(request, method_form):
                return redirect("economy:earnings")
        elif action == "remove_method":
            payout_services.remove_payout_method(
                creator=creator, method_id=int(request.POST.get("method") or 0)
            )
            messages.success(request, _("Payout method removed."))
            return redirect("economy:earnings")
        elif action == "withdraw":
            request_form = PayoutRequestForm(request.POST, methods=methods)
            if _withdraw(request, request_form):
                return redirect("economy:earnings")
    summary = payout_selectors.get_earnings_summary(creator=creator)
    context = {
        "summary": summary,
        "methods": methods,
        "method_form": method_form,
        "request_form": request_form,
        "payouts": payout_selectors.list_payout_requests(creator=creator),
        "rates": payout_selectors.list_payout_rates(diamonds=summary["diamonds"]),
        "has_mfa": get_totp_secret(user=creator) is not None,
        "payout_eligible": is_payout_eligible(user=creator),
        "payout_minimum": settings.PAYOUT_MINIMUM_DIAMONDS,
        "subscribers": list(membership_selectors.list_subscribers(creator=creator)[:200]),
        "subscription_levels": membership_selectors.list_subscription_levels(creator=creator),
        "top_gifters": gift_selectors.list_creator_top_gifters(
            creator_id=creator.pk, period="week", limit=5
        ),
    }
    return render(request, "economy/earnings.html", context)


def _add_method(request, form) -> bool:
    if not form.is_valid():
        return False
    try:
        payout_services.add_payout_method(creator=request.user, **form.cleaned_data)
    except EconomyError as error:
        form.add_error(None, error.message)
        return False
    messages.success(request, _("Payout method saved."))
    return True


def _withdraw(request, form) -> bool:
    if not form.is_valid():
        return False
    data = form.cleaned_data
    try:
        payout = payout_services.request_payout(
            creator=request.user,
            diamonds=data["diamonds"],
            method_id=data["method"],
            mfa_code=data["mfa_code"],
            idempotency_key=data["idempotency_key"],
        )
    except EconomyError as error:
        field = {"mfa_invalid": "mfa_code", "below_minimum": "diamonds"}.get(error.code)
        if error.code == "insufficient_diamonds":
            field = "diamonds"
        form.add_error(field, error.message)
        return False
    messages.success(
        request,
        _("Withdrawal of %(amount)s requested. We will tell you when it is paid.")
        % {"amount": payout.amount},
    )
    return True
