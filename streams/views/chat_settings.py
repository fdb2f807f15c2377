"""The host's chat settings: modes, AutoMod, moderators and blocked terms."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from halobuzz.core.exceptions import ApplicationError
from streams.forms_room import AddModeratorForm, BlockedTermForm, ChatSettingsForm
from streams.selectors import room as room_selectors
from streams.services import room_moderation
from trust import selectors as trust_selectors
from trust import services as trust_services


def _page(request, *, status: int = 200, **forms):
    channel = request.user
    chat_settings = room_selectors.get_chat_settings(channel_id=channel.pk)
    context = {
        "settings_form": forms.get("settings_form") or ChatSettingsForm(instance=chat_settings),
        "moderator_form": forms.get("moderator_form") or AddModeratorForm(),
        "term_form": forms.get("term_form") or BlockedTermForm(),
        "moderators": room_selectors.list_channel_moderators(channel=channel),
        "blocked_terms": trust_selectors.list_channel_blocked_terms(channel=channel),
    }
    return render(request, "streams/chat_settings.html", context, status=status)


def _back(section: str):
    return redirect(reverse("streams:chat-settings") + f"#{section}")


@login_required
def chat_settings(request):
    if request.method != "POST":
        return _page(request)
    chat_settings = room_selectors.get_chat_settings(channel_id=request.user.pk)
    form = ChatSettingsForm(request.POST, instance=chat_settings)
    if not form.is_valid():
        return _page(request, status=400, settings_form=form)
    room_moderation.update_chat_settings(channel=request.user, **form.cleaned_data)
    messages.success(request, _("Chat settings saved."))
    return _back("modes")


@login_required
@require_POST
def add_moderator(request):
    form = AddModeratorForm(request.POST)
    if form.is_valid():
        try:
            appointment = room_moderation.appoint_moderator(
                channel=request.user, username=form.cleaned_data["username"]
            )
        except ApplicationError as error:
            form.add_error("username", error.message)
        else:
            messages.success(
                request,
                _("%(name)s is now a moderator of your chat.")
                % {"name": appointment.moderator.username},
            )
            return _back("moderators")
    return _page(request, status=400, moderator_form=form)


@login_required
@require_POST
def remove_moderator(request, moderator_id: int):
    try:
        room_moderation.remove_moderator(channel=request.user, moderator_id=moderator_id)
    except ApplicationError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Moderator removed."))
    return _back("moderators")


@login_required
@require_POST
def add_blocked_term(request):
    form = BlockedTermForm(request.POST)
    if form.is_valid():
        try:
            trust_services.add_blocked_term(
                term=form.cleaned_data["term"], channel=request.user, actor=request.user
            )
        except ApplicationError as error:
            form.add_error("term", error.message)
        else:
            messages.success(request, _("Blocked term added."))
            return _back("blocked-terms")
    return _page(request, status=400, term_form=form)


@login_required
@require_POST
def remove_blocked_term(request, term_id: int):
    try:
        trust_services.remove_blocked_term(
            blocked_term_id=term_id, channel=request.user, actor=request.user
        )
    except ApplicationError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Blocked term removed."))
    return _back("blocked-terms")
