"""The OG membership page: tiers and their benefits, buying or renewing, and the
daily bonus."""

import secrets

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from economy.exceptions import EconomyError
from economy.selectors import memberships as membership_selectors
from economy.selectors.ledger import get_wallet_summary
from economy.services import memberships as membership_services


@login_required
def og_membership(request):
    if request.method == "POST":
        try:
            if request.POST.get("action") == "claim_bonus":
                coins = membership_services.claim_og_daily_bonus(user=request.user)
                messages.success(request, _("%(coins)s bonus coins added.") % {"coins": coins})
            else:
                membership = membership_services.buy_og_membership(
                    user=request.user,
                    tier_id=int(request.POST.get("tier") or 0),
                    idempotency_key=request.POST.get("idempotency_key") or secrets.token_hex(8),
                )
                messages.success(
                    request,
                    _("You are %(tier)s until %(date)s.")
                    % {"tier": membership.tier, "date": membership.expires_at.date()},
                )
        except EconomyError as error:
            messages.error(request, error.message)
        return redirect("economy:og")
    context = {
        "tiers": membership_selectors.list_og_tiers(),
        "membership": membership_selectors.get_running_og_membership(user=request.user),
        "coins": get_wallet_summary(user=request.user)["coins"],
        "idempotency_key": secrets.token_urlsafe(16),
    }
    return render(request, "economy/og.html", context)
