from django.http import HttpResponseRedirect, JsonResponse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from halobuzz.core.health import get_readiness
from halobuzz.users import services as user_services
from halobuzz.users.forms import LanguageForm
from halobuzz.users.preferences import remember_language_in_cookie


@never_cache
@require_GET
def healthz(request):
    return JsonResponse({"status": "ok"})


@never_cache
@require_GET
def readyz(request):
    readiness = get_readiness()
    return JsonResponse(readiness, status=200 if readiness["ready"] else 503)


@require_POST
def set_language(request):
    """Switch the interface language; signed-in users keep it on their account."""
    next_url = request.POST.get("next") or request.headers.get("referer") or "/"
    if not url_has_allowed_host_and_scheme(
        next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        next_url = "/"
    response = HttpResponseRedirect(next_url)
    form = LanguageForm(request.POST)
    if form.is_valid():
        language = form.cleaned_data["language"]
        if request.user.is_authenticated:
            user_services.set_preferred_language(user=request.user, language=language)
        remember_language_in_cookie(response=response, language=language)
    return response
