"""Operators' pages for live video.

Every change goes through `streams.services`: the actions end streams and disable keys
with the same functions the site uses, and a stream's edit form saves through
`lifecycle.update_stream`, so the console cannot put a stream in a state the site
would refuse. Secrets (key hashes, sealed keys, publisher tokens) never reach a page.
"""

from django.contrib import admin, messages
from django.db import transaction
from django.db.models import Case, F, IntegerField, Value, When
from django.http import HttpResponseRedirect
from django.template.defaultfilters import filesizeformat
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from halobuzz.core.admin_mixins import ReadOnlyAdminMixin
from halobuzz.core.exceptions import ApplicationError
from streams import selectors
from streams.models import (
    Recording,
    Stream,
    StreamCategory,
    StreamKey,
    ThumbnailFrame,
    ViewerSession,
)
from streams.services import keys as key_services
from streams.services import lifecycle

# The fields an operator may change on a stream; the rest is the stream's life
# (status, timing, viewers, ingest), written only by the services.
STREAM_EDITABLE_FIELDS = lifecycle.EDITABLE_FIELDS

# Live first, then reconnecting, then upcoming, then finished.
_STATUS_RANK = Case(
    When(status=Stream.Status.LIVE, then=Value(0)),
    When(status=Stream.Status.INTERRUPTED, then=Value(1)),
    When(status=Stream.Status.SCHEDULED, then=Value(2)),
    default=Value(3),
    output_field=IntegerField(),
)


def _image_preview(field_file, *, width: int, height: int, alt: str = ""):
    # Width/height attributes rather than inline styles: the admin's CSP forbids them.
    if not field_file:
        return "—"
    return format_html(
        '<img src="{}" alt="{}" width="{}" height="{}" loading="lazy">',
        field_file.url,
        alt,
        width,
        height,
    )


class _WrittenByServicesMixin:
    """Rows that only `streams.services` create, change or remove.

    Their own pages offer no add or delete (the services own those rules: daily
    limits, key checks, VOD files). Deleting a member from the users page still
    cascades to these rows: Django asks each related admin for delete permission,
    and refusing there would make members who ever streamed impossible to delete.
    """

    def _on_own_page(self, request) -> bool:
        match = getattr(request, "resolver_match", None)
        own_prefix = f"{self.opts.app_label}_{self.opts.model_name}_"
        return bool(match and match.url_name and match.url_name.startswith(own_prefix))

    def has_add_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        if self._on_own_page(request):
            return False
        return super().has_delete_permission(request, obj)

    def has_moderate_permission(self, request) -> bool:
        """Ending streams is for operators allowed to change them."""
        return request.user.has_perm("streams.change_stream")

    def has_disable_keys_permission(self, request) -> bool:
        """Disabling a key also ends the host's live stream."""
        return request.user.has_perms(["streams.change_stream", "streams.change_streamkey"])

    def _disable_keys(self, request, *, creators) -> None:
        """Disable each creator's key and end their live stream (each all or nothing)."""
        reason = _("Disabled by %(operator)s from the console") % {
            "operator": request.user.get_username()
        }
        disabled = ended = 0
        failures = []
        for creator in creators:
            try:
                live_stream = selectors.get_live_stream_for_host(host=creator)
                key_services.disable_stream_key(creator=creator, reason=reason)
            except ApplicationError as error:
                failures.append(f"{creator}: {error.message}")
            else:
                disabled += 1
                ended += live_stream is not None
        done_message = ngettext(
            "Disabled %(count)d stream key.", "Disabled %(count)d stream keys.", disabled
        ) % {"count": disabled}
        if ended:
            done_message += " " + ngettext(
                "Ended %(count)d live stream.", "Ended %(count)d live streams.", ended
            ) % {"count": ended}
        self._report(request, done=disabled, done_message=done_message, failures=failures)

    def _report(self, request, *, done: int, done_message: str, failures: list[str]) -> None:
        if done:
            self.message_user(request, done_message, messages.SUCCESS)
        for failure in failures:
            self.message_user(request, failure, messages.ERROR)


class _ReadOnlyInlineMixin(ReadOnlyAdminMixin):
    """Inlines that show what services wrote, never a form to change it."""


class ThumbnailFrameInline(_ReadOnlyInlineMixin, admin.TabularInline):
    model = ThumbnailFrame
    fields = ("preview", "captured_at")
    readonly_fields = ("preview", "captured_at")
    extra = 0
    can_delete = False
    show_change_link = False
    verbose_name = _("recent frame")
    verbose_name_plural = _("recent frames")

    @admin.display(description=_("frame"))
    def preview(self, frame: ThumbnailFrame):
        return _image_preview(frame.image, width=160, height=90, alt=str(frame))


class RecordingInline(_ReadOnlyInlineMixin, admin.StackedInline):
    model = Recording
    fields = ("status", "video_file", "size", "duration_seconds", "failure", "ready_at")
    readonly_fields = fields
    extra = 0
    can_delete = False

    @admin.display(description=_("file"))
    def video_file(self, recording: Recording):
        if not recording.file:
            return "—"
        return format_html('<a href="{}">{}</a>', recording.file.url, recording.file.name)

    @admin.display(description=_("size"))
    def size(self, recording: Recording):
        return filesizeformat(recording.size_bytes)


@admin.register(Stream)
class StreamAdmin(_WrittenByServicesMixin, admin.ModelAdmin):
    list_display = (
        "title",
        "host",
        "status",
        "current_viewers",
        "peak_viewers",
        "category",
        "ingest",
        "started_at",
        "thumbnail_preview",
    )
    list_filter = ("status", "ingest", "category", "language")
    list_select_related = ("host", "category")
    search_fields = ("title", "host__username")
    date_hierarchy = "started_at"
    ordering = (_STATUS_RANK.asc(), F("started_at").desc(nulls_last=True), "-created_at")
    # Which publisher holds the stream is a secret of the ingest path.
    exclude = ("ingest_key_hash", "publisher_token")
    fieldsets = (
        (None, {"fields": ("host", "title", "description", "category", "language", "tags")}),
        (_("Schedule and recording"), {"fields": ("scheduled_start", "record")}),
        (
            _("On air"),
            {
                "fields": (
                    "status",
                    "end_reason",
                    "ingest",
                    "public_id",
                    "started_at",
                    "interrupted_at",
                    "ended_at",
                    "last_ingest_at",
                )
            },
        ),
        (
            _("Viewers"),
            {"fields": ("current_viewers", "peak_viewers", "unique_viewers")},
        ),
        (_("Thumbnail"), {"fields": ("thumbnail_large",)}),
        (_("Timestamps"), {"fields": ("created_at", "updated_at")}),
    )
    readonly_fields = (
        "host",
        "status",
        "end_reason",
        "ingest",
        "public_id",
        "started_at",
        "interrupted_at",
        "ended_at",
        "last_ingest_at",
        "current_viewers",
        "peak_viewers",
        "unique_viewers",
        "thumbnail_large",
        "created_at",
        "updated_at",
    )
    inlines = (ThumbnailFrameInline, RecordingInline)
    actions = ("end_selected_streams", "disable_hosts_stream_keys")

    @admin.display(description=_("thumbnail"))
    def thumbnail_preview(self, stream: Stream):
        return _image_preview(stream.thumbnail, width=80, height=45)

    @admin.display(description=_("thumbnail"))
    def thumbnail_large(self, stream: Stream):
        return _image_preview(stream.thumbnail, width=320, height=180, alt=stream.title)

    def save_model(self, request, obj, form, change):
        changes = {
            field: form.cleaned_data[field]
            for field in form.changed_data
            if field in STREAM_EDITABLE_FIELDS
        }
        if changes:
            stream = Stream.objects.get(pk=obj.pk)
            lifecycle.update_stream(stream=stream, **changes)

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        # The admin runs the save in a transaction; a refusal from update_stream
        # rolls it back and is shown as a message instead of a server error.
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except ApplicationError as error:
            self.message_user(request, error.message, messages.ERROR)
            return HttpResponseRedirect(request.get_full_path())

    @admin.action(description=_("End selected streams"), permissions=["moderate"])
    def end_selected_streams(self, request, queryset):
        ended = 0
        failures = []
        for stream in queryset.exclude(status=Stream.Status.ENDED).order_by("pk"):
            try:
                with transaction.atomic():
                    lifecycle.end_stream_as_moderator(stream=stream)
            except ApplicationError as error:
                failures.append(f"{stream}: {error.message}")
            else:
                ended += 1
        self._report(
            request,
            done=ended,
            done_message=ngettext("Ended %(count)d stream.", "Ended %(count)d streams.", ended)
            % {"count": ended},
            failures=failures,
        )

    @admin.action(description=_("Disable the hosts' stream keys"), permissions=["disable_keys"])
    def disable_hosts_stream_keys(self, request, queryset):
        hosts = {stream.host_id: stream.host for stream in queryset.select_related("host")}
        self._disable_keys(request, creators=[hosts[host_id] for host_id in sorted(hosts)])


@admin.register(StreamCategory)
class StreamCategoryAdmin(admin.ModelAdmin):
    list_display = (
        "slug",
        "name",
        "name_ne",
        "name_hi",
        "name_pt_br",
        "icon",
        "position",
        "is_active",
    )
    list_display_links = ("slug", "name")
    list_editable = ("position", "is_active")
    list_filter = ("is_active",)
    search_fields = ("slug", "name", "name_ne", "name_hi", "name_pt_br")
    prepopulated_fields = {"slug": ("name",)}
    fieldsets = (
        (_("English name"), {"fields": ("name", "slug")}),
        (_("Translations"), {"fields": ("name_ne", "name_hi", "name_pt_br")}),
        (_("Icon"), {"fields": ("icon",)}),
        (_("Region focus"), {"fields": ("region_focus",)}),
        (_("Ordering"), {"fields": ("position", "is_active")}),
    )


@admin.register(StreamKey)
class StreamKeyAdmin(_WrittenByServicesMixin, admin.ModelAdmin):
    list_display = ("creator", "masked_key", "created_at", "rotated_at", "disabled_at")
    list_filter = (("disabled_at", admin.EmptyFieldListFilter),)
    list_select_related = ("creator",)
    search_fields = ("creator__username",)
    # Never on a page, not even hidden: the lookup hash and the sealed secret.
    exclude = ("key_hash", "sealed_key", "last_characters")
    fields = ("creator", "masked_key", "created_at", "rotated_at", "disabled_at", "disabled_reason")
    readonly_fields = fields
    actions = ("disable_keys",)

    @admin.display(description=_("key"))
    def masked_key(self, key: StreamKey) -> str:
        return f"••••{key.last_characters}"

    # Keys are made by their owners and changed only through the action.
    def has_change_permission(self, request, obj=None):
        return False

    @admin.action(description=_("Disable keys"), permissions=["disable_keys"])
    def disable_keys(self, request, queryset):
        keys = queryset.select_related("creator").order_by("pk")
        self._disable_keys(request, creators=[key.creator for key in keys])


@admin.register(Recording)
class RecordingAdmin(_WrittenByServicesMixin, admin.ModelAdmin):
    list_display = ("stream", "status", "size", "duration_seconds", "created_at", "ready_at")
    list_filter = ("status",)
    list_select_related = ("stream",)
    search_fields = ("stream__title", "stream__host__username")
    date_hierarchy = "created_at"
    exclude = ("source_paths",)
    readonly_fields = (
        "stream",
        "status",
        "file",
        "size",
        "duration_seconds",
        "failure",
        "created_at",
        "ready_at",
    )

    @admin.display(description=_("size"), ordering="size_bytes")
    def size(self, recording: Recording) -> str:
        return filesizeformat(recording.size_bytes)

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(ViewerSession)
class ViewerSessionAdmin(_WrittenByServicesMixin, admin.ModelAdmin):
    list_display = ("stream", "viewer", "joined_at", "left_at", "watch_seconds")
    list_select_related = ("stream", "viewer")
    search_fields = ("stream__title", "viewer__username")
    raw_id_fields = ("stream", "viewer")
    date_hierarchy = "joined_at"
    # The visitor key is a hash of a browser session: not for operators' eyes.
    exclude = ("anonymous_key",)
    readonly_fields = ("stream", "viewer", "joined_at", "last_seen_at", "left_at", "watch_seconds")

    def has_change_permission(self, request, obj=None):
        return False
