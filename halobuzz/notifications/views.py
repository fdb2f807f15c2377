from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import render
from django.views.decorators.http import require_safe

from halobuzz.notifications import selectors, services

NOTIFICATIONS_PER_PAGE = 30


@login_required
@require_safe
def notification_list(request):
    """The signed-in user's notifications, newest first. Seeing them marks them read:
    the page is rendered first, so what was new is still shown as new this once."""
    notifications = selectors.list_notifications(user=request.user)
    page = Paginator(notifications, NOTIFICATIONS_PER_PAGE).get_page(request.GET.get("page"))
    context = {
        "page": page,
        # Everything on this page is being read now: no badge on the bell here.
        "unread_notification_count": 0,
    }
    response = render(request, "notifications/list.html", context)
    services.mark_all_read(user=request.user)
    return response
