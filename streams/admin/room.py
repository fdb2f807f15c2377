"""Operators' pages for the live room: messages, bans, moderators, emotes, polls.

Moderation happens through `streams.services` (the same functions the room uses), so
every deletion or review from here is broadcast to the room and logged as a
`ModerationAction` (see the Trust and safety section for the log).
"""

from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from halobuzz.core.admin_mixins import ReadOnlyAdminMixin
from halobuzz.core.exceptions import ApplicationError
from streams.models import (
    ChannelBan,
    ChannelModerator,
    ChatMessage,
    ChatSettings,
    Emote,
    Poll,
    PollOption,
    RegionalModerator,
    RoomRequest,
)
from streams.services import chat, emotes, room_moderation


class _ReadOnlyAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    pass


def _run_on_messages(modeladmin, request, queryset, *, service, done_message) -> None:
    done, failures = 0, []
    for message in queryset.select_related("stream"):
        try:
            service(actor=request.user, stream_id=message.stream_id, message_id=message.pk)
        except ApplicationError as error:
            failures.append(f"#{message.pk}: {error.message}")
        else:
            done += 1
    if done:
        modeladmin.message_user(request, done_message(done), messages.SUCCESS)
    for failure in failures:
        modeladmin.message_user(request, failure, messages.WARNING)


@admin.register(ChatMessage)
class ChatMessageAdmin(_ReadOnlyAdmin):
    list_display = ("created_at", "stream", "author", "body", "status", "automod_score")
    list_filter = ("status", "created_at")
    search_fields = ("body", "author__username", "stream__title", "stream__host__username")
    list_select_related = ("stream", "author")
    date_hierarchy = "created_at"
    raw_id_fields = ("stream", "author", "moderated_by")
    actions = ["delete_messages", "approve_messages", "deny_messages"]

    def has_view_permission(self, request, obj=None):
        return request.user.is_staff

    @admin.action(description=_("Delete selected messages (removed for everyone live)"))
    def delete_messages(self, request, queryset):
        _run_on_messages(
            self,
            request,
            queryset.filter(status=ChatMessage.Status.VISIBLE),
            service=chat.delete_chat_message,
            done_message=lambda n: ngettext("%d message deleted.", "%d messages deleted.", n) % n,
        )

    @admin.action(description=_("Approve selected held messages"))
    def approve_messages(self, request, queryset):
        _run_on_messages(
            self,
            request,
            queryset.filter(status=ChatMessage.Status.HELD),
            service=chat.approve_held_message,
            done_message=lambda n: ngettext("%d message approved.", "%d messages approved.", n) % n,
        )

    @admin.action(description=_("Deny selected held messages"))
    def deny_messages(self, request, queryset):
        _run_on_messages(
            self,
            request,
            queryset.filter(status=ChatMessage.Status.HELD),
            service=chat.deny_held_message,
            done_message=lambda n: ngettext("%d message denied.", "%d messages denied.", n) % n,
        )


@admin.register(ChannelBan)
class ChannelBanAdmin(_ReadOnlyAdmin):
    list_display = (
        "user",
        "channel",
        "expires_at",
        "reason",
        "created_by",
        "created_at",
        "lifted_at",
    )
    list_filter = ("created_at",)
    search_fields = ("user__username", "channel__username", "reason")
    list_select_related = ("user", "channel", "created_by")
    date_hierarchy = "created_at"


@admin.register(ChannelModerator)
class ChannelModeratorAdmin(_ReadOnlyAdmin):
    list_display = ("moderator", "channel", "created_at")
    search_fields = ("moderator__username", "channel__username")
    list_select_related = ("moderator", "channel")


@admin.register(RegionalModerator)
class RegionalModeratorAdmin(admin.ModelAdmin):
    list_display = ("moderator", "region", "appointed_by", "created_at")
    list_filter = ("region",)
    search_fields = ("moderator__username",)
    list_select_related = ("moderator", "appointed_by")
    raw_id_fields = ("moderator",)
    fields = ("moderator", "region")

    def has_change_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        appointment = room_moderation.appoint_regional_moderator(
            actor=request.user, moderator=obj.moderator, region=obj.region
        )
        obj.pk = appointment.pk


@admin.register(ChatSettings)
class ChatSettingsAdmin(admin.ModelAdmin):
    list_display = (
        "channel",
        "slow_mode_seconds",
        "followers_only_minutes",
        "emote_only",
        "subscribers_only",
        "automod_threshold",
        "automod_action",
    )
    search_fields = ("channel__username",)
    list_select_related = ("channel",)
    raw_id_fields = ("channel",)

    def save_model(self, request, obj, form, change):
        fields = {name: form.cleaned_data[name] for name in form.changed_data if name != "channel"}
        room_moderation.update_chat_settings(channel=obj.channel, **fields)


@admin.register(Emote)
class EmoteAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "channel", "is_active", "position")
    list_filter = ("is_active",)
    list_editable = ("is_active", "position")
    search_fields = ("code", "name", "channel__username")
    raw_id_fields = ("channel",)
    fields = ("code", "name", "channel", "image", "is_active", "position")

    def save_model(self, request, obj, form, change):
        emotes.save_emote(emote=obj)

    def delete_model(self, request, obj):
        emotes.delete_emote(emote=obj)

    def delete_queryset(self, request, queryset):
        for emote in queryset:
            emotes.delete_emote(emote=emote)


class PollOptionInline(admin.TabularInline):
    model = PollOption
    fields = ("position", "text", "votes")
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Poll)
class PollAdmin(_ReadOnlyAdmin):
    list_display = ("question", "stream", "status", "total_votes", "opened_at", "closed_at")
    list_filter = ("status",)
    search_fields = ("question", "stream__title")
    list_select_related = ("stream",)
    inlines = [PollOptionInline]


@admin.register(RoomRequest)
class RoomRequestAdmin(_ReadOnlyAdmin):
    list_display = ("text", "stream", "author", "status", "upvotes", "created_at")
    list_filter = ("status",)
    search_fields = ("text", "author__username", "stream__title")
    list_select_related = ("stream", "author")
