from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import render

from economy.forms import HistoryFilterForm
from economy.selectors.ledger import get_user_balances, list_user_history

HISTORY_PER_PAGE = 25


@login_required
def wallet(request):
    filters = HistoryFilterForm(request.GET or None)
    chosen = filters.cleaned_data if filters.is_valid() else {}
    history = list_user_history(
        user=request.user, asset=chosen.get("asset", ""), kind=chosen.get("kind", "")
    )
    page = Paginator(history, HISTORY_PER_PAGE).get_page(request.GET.get("page"))
    context = {
        "balances": get_user_balances(user=request.user),
        "filters": filters,
        "filtered": bool(chosen.get("asset") or chosen.get("kind")),
        "page": page,
    }
    return render(request, "economy/wallet.html", context)
