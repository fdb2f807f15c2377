from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import render

from economy.forms import CurrencyForm, HistoryFilterForm
from economy.selectors import payments as payment_selectors
from economy.selectors.ledger import get_wallet_summary, list_user_history

HISTORY_PER_PAGE = 25


@login_required
def wallet(request):
    """Balances, coin packages in the buyer's currency, recent purchases, history."""
    filters = HistoryFilterForm(request.GET or None)
    chosen = filters.cleaned_data if filters.is_valid() else {}
    history = list_user_history(
        user=request.user, asset=chosen.get("asset", ""), kind=chosen.get("kind", "")
    )
    page = Paginator(history, HISTORY_PER_PAGE).get_page(request.GET.get("page"))
    currency = payment_selectors.get_buyer_currency(
        user=request.user, requested=request.GET.get("currency", "")
    )
    context = {
        "balances": get_wallet_summary(user=request.user),
        "filters": filters,
        "filtered": bool(chosen.get("asset") or chosen.get("kind")),
        "page": page,
        "currency": currency,
        "currency_form": CurrencyForm(initial={"currency": currency}),
        "offers": payment_selectors.list_package_offers(currency=currency),
        "payment_methods": payment_selectors.list_payment_methods(currency=currency),
        "recent_payments": payment_selectors.list_recent_payments(user=request.user),
    }
    return render(request, "economy/wallet.html", context)
