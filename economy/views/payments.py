"""Buying coins: start a checkout, come back from it, see how it went; the dev
provider's checkout page; provider webhooks."""

import logging

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponseBadRequest, HttpResponseRedirect, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST, require_safe

from economy.exceptions import PaymentError
from economy.forms import BuyCoinsForm
from economy.models import Payment
from economy.payments import base, registry
from economy.selectors.payments import get_own_payment
from economy.services import payments as payment_services
from economy.tasks import deliver_dev_webhook
from halobuzz.core.exceptions import NotFoundError

logger = logging.getLogger(__name__)


def _own_payment_or_404(request, public_id) -> Payment:
    try:
        return get_own_payment(user=request.user, public_id=public_id)
    except NotFoundError as error:
        raise Http404(error.message) from error


@login_required
@require_POST
def buy_coins(request):
    form = BuyCoinsForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose a coin package and a way to pay."))
        return redirect(reverse("economy:wallet") + "#buy-coins")
    try:
        started = payment_services.start_coin_purchase(
            user=request.user,
            package_id=form.cleaned_data["package"],
            provider_name=form.cleaned_data["provider"],
            currency=form.cleaned_data["currency"],
            absolute_url=request.build_absolute_uri,
        )
    except PaymentError as error:
        messages.error(request, error.message)
        return redirect(reverse("economy:wallet") + "#buy-coins")
    return redirect_to_checkout(request, started)


def redirect_to_checkout(request, started: payment_services.StartedCheckout):
    """Send the buyer to the provider: a redirect, or a form their browser posts
    (eSewa)."""
    checkout = started.checkout
    if checkout.form_action:
        return render(
            request,
            "economy/checkout_form.html",
            {"payment": started.payment, "checkout": checkout},
        )
    return HttpResponseRedirect(checkout.redirect_url)


@login_required
@require_safe
def payment_return(request, public_id):
    payment = _own_payment_or_404(request, public_id)
    if payment.status in (Payment.Status.CREATED, Payment.Status.PENDING):
        payment_services.confirm_payment_return(payment=payment, params=request.GET)
    return redirect("economy:payment", public_id=payment.public_id)


@login_required
@require_safe
def payment_cancelled(request, public_id):
    payment = _own_payment_or_404(request, public_id)
    payment_services.cancel_open_payment(payment=payment)
    return redirect("economy:payment", public_id=payment.public_id)


@login_required
@require_safe
def payment_result(request, public_id):
    """How the purchase went. A pending payment's page asks again every few seconds
    (htmx) until the provider has answered."""
    payment = _own_payment_or_404(request, public_id)
    template = "economy/payment_result.html"
    if request.headers.get("HX-Request"):
        template = "economy/_payment_status.html"
    return render(request, template, {"payment": payment})


@login_required
def dev_checkout(request, public_id):
    """The dev provider's "checkout": Pay, Decline or Cancel."""
    payment = _own_payment_or_404(request, public_id)
    if payment.provider != "dev":
        raise Http404("Not a dev payment.")
    provider = registry.get_provider("dev")
    if request.method == "POST":
        choice = request.POST.get("choice", "")
        if choice == "cancel":
            return redirect("economy:payment-cancelled", public_id=payment.public_id)
        if choice not in ("pay", "decline"):
            return HttpResponseBadRequest("Choose pay or decline.")
        token = provider.decide(payment=payment, choice=choice)
        # Like a real provider, tell the server too; whichever arrives first wins.
        deliver_dev_webhook.delay(token=token)
        return redirect(
            reverse("economy:payment-return", args=[payment.public_id]) + f"?dev_token={token}"
        )
    return render(request, "economy/dev_checkout.html", {"payment": payment})


@csrf_exempt
@require_POST
def provider_webhook(request, provider_name: str):
    """Deliveries from payment providers. 400 for anything that fails verification
    (the provider retries; a forger learns nothing), 200 once handled or ignored."""
    if provider_name not in registry.enabled_provider_names():
        raise Http404("Unknown payment provider.")
    headers = {name.lower(): value for name, value in request.headers.items()}
    try:
        outcome = payment_services.handle_provider_webhook(
            provider_name=provider_name, body=request.body, headers=headers
        )
    except base.ForgedCallback:
        return JsonResponse({"code": "invalid_signature"}, status=400)
    except base.ProviderError:
        logger.exception("webhook from %s could not be handled", provider_name)
        return JsonResponse({"code": "try_again"}, status=503)
    return JsonResponse({"outcome": outcome})
