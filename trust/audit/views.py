from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import render
from django.views.decorators.http import require_safe

from trust.audit import selectors

EVENTS_PER_PAGE = 30


@login_required
@require_safe
def security_log(request):
    """The signed-in member's security events, newest first."""
    events = selectors.list_audit_events(user=request.user)
    page = Paginator(events, EVENTS_PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "trust/audit/security_log.html", {"page": page})
