"""Subscribing to a creator (the box on their profile and stream pages) and the
creator's subscription settings."""

import secrets

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from economy.exceptions import EconomyError
from economy.forms import SubscribeWithMoneyForm
from economy.services import subscription_renewals
from economy.services import subscriptions as subscription_services
from economy.views.payments import redirect_to_checkout
from halobuzz.users.models import User


def _back(request, fallback: str):
    target = request.POST.get("next", "")
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return redirect(target)
    return redirect(fallback)


@login_required
@require_POST
def subscribe(request, username: str):
    creator = get_object_or_404(User, username=username, is_active=True)
    try:
        subscription = subscription_services.subscribe_with_coins(
            subscriber=request.user,
            creator=creator,
            level=int(request.POST.get("level") or 0),
            idempotency_key=request.POST.get("idempotency_key") or secrets.token_hex(8),
        )
    except EconomyError as error:
        messages.error(request, error.message)
    else:
        messages.success(
            request,
            _("You support %(name)s until %(date)s. Thank you!")
            % {"name": creator.name, "date": subscription.expires_at.date()},
        )
    return _back(request, creator.get_absolute_url())


@login_required
@require_POST
def subscribe_with_money(request, username: str):
    """Pay a month through a provider: off to its checkout, back to the payment page,
    where the month shows once the provider confirms it."""
    creator = get_object_or_404(User, username=username, is_active=True)
    form = SubscribeWithMoneyForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose a subscription level and a way to pay."))
        return _back(request, creator.get_absolute_url())
    try:
        started = subscription_services.start_subscription_checkout(
            subscriber=request.user,
            creator=creator,
            level=form.cleaned_data["level"],
            provider_name=form.cleaned_data["provider"],
            currency=form.cleaned_data["currency"],
            absolute_url=request.build_absolute_uri,
            renews_monthly=form.cleaned_data["renews_monthly"],
        )
    except EconomyError as error:
        messages.error(request, error.message)
        return _back(request, creator.get_absolute_url())
    return redirect_to_checkout(request, started)


@login_required
@require_POST
def stop_renewal(request, username: str):
    """The subscriber stops a provider renewing the subscription every month."""
    creator = get_object_or_404(User, username=username)
    try:
        subscription = subscription_renewals.stop_monthly_renewal(
            subscriber=request.user, creator=creator
        )
    except EconomyError as error:
        messages.error(request, error.message)
    else:
        messages.success(
            request,
            _("Automatic renewal stopped. Your subscription runs until %(date)s.")
            % {"date": subscription.expires_at.date()},
        )
    return _back(request, creator.get_absolute_url())


@login_required
@require_POST
def subscription_settings(request):
    levels = [int(level) for level in request.POST.getlist("levels") if level.isdigit()]
    subscription_services.save_subscription_settings(creator=request.user, levels=levels)
    messages.success(request, _("Subscription levels saved."))
    return redirect("economy:earnings")
