import secrets

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from economy.selectors.memberships import get_running_og_membership, get_subscribe_box
from halobuzz.core.exceptions import ApplicationError
from halobuzz.core.htmx import is_htmx
from halobuzz.users import selectors, services
from halobuzz.users.exceptions import UserNotFound
from halobuzz.users.forms import ProfileForm
from halobuzz.users.preferences import remember_language_in_cookie
from streams import selectors as stream_selectors
from trust.badges.selectors import list_badges
from trust.models import Badge

PEOPLE_PER_PAGE = 24
STREAMS_ON_PROFILE = 12


def _get_profile_or_404(username: str):
    try:
        return selectors.get_user_profile(username=username)
    except UserNotFound as error:
        raise Http404(error.message) from error


def profile(request, username: str):
    profile_user = _get_profile_or_404(username)
    context = {
        "profile_user": profile_user,
        "is_own_profile": request.user.is_authenticated and request.user.pk == profile_user.pk,
        "is_following": selectors.is_following(follower=request.user, followee=profile_user),
        "trust_badges": [Badge(badge) for badge in list_badges(user=profile_user)],
        "recent_followers": selectors.list_followers(user=profile_user)[:8],
        "live_stream": stream_selectors.get_live_stream_for_host(host=profile_user),
        "upcoming_streams": stream_selectors.list_upcoming_streams(
            user=request.user, host=profile_user
        )[:STREAMS_ON_PROFILE],
        "past_streams": stream_selectors.list_past_streams(host=profile_user)[:STREAMS_ON_PROFILE],
        "og_membership": get_running_og_membership(user=profile_user),
        "creator": profile_user,
        "subscribe_key": secrets.token_urlsafe(16),
        **get_subscribe_box(viewer=request.user, creator=profile_user),
    }
    return render(request, "users/profile.html", context)


def _people_page(request, username: str, *, relation: str):
    profile_user = _get_profile_or_404(username)
    listing = (
        selectors.list_followers(user=profile_user)
        if relation == "followers"
        else selectors.list_following(user=profile_user)
    )
    page = Paginator(listing, PEOPLE_PER_PAGE).get_page(request.GET.get("page"))
    context = {"profile_user": profile_user, "page": page, "relation": relation}
    return render(request, "users/people.html", context)


def followers(request, username: str):
    return _people_page(request, username, relation="followers")


def following(request, username: str):
    return _people_page(request, username, relation="following")


@login_required
@require_POST
def follow(request, username: str):
    followee = _get_profile_or_404(username)
    try:
        if request.POST.get("action") == "unfollow":
            services.unfollow_user(follower=request.user, followee=followee)
        else:
            services.follow_user(follower=request.user, followee=followee)
    except ApplicationError as error:
        messages.error(request, error.message)
    if is_htmx(request):
        context = {
            "profile_user": selectors.get_user_profile(username=followee.username),
            "is_following": selectors.is_following(follower=request.user, followee=followee),
            "oob": True,
        }
        return render(request, "users/_follow_button.html", context)
    return redirect(followee)


@login_required
def edit_profile(request):
    form = ProfileForm(request.POST or None, request.FILES or None, instance=request.user)
    if request.method == "POST" and form.is_valid():
        changes = {field: form.cleaned_data[field] for field in ProfileForm.Meta.fields}
        try:
            user = services.update_profile(
                user=request.user,
                avatar_upload=form.cleaned_data["avatar_upload"],
                remove_avatar=form.cleaned_data["remove_avatar"],
                **changes,
            )
        except ApplicationError as error:
            form.add_error("avatar_upload", error.message)
        else:
            messages.success(request, _("Your profile is saved."))
            response = redirect("users:edit_profile")
            remember_language_in_cookie(response=response, language=user.preferred_language)
            return response
    return render(request, "users/edit_profile.html", {"form": form})
