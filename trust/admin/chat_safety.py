"""Operators' pages for trust and safety: the moderation log, blocked terms, site bans.

Every change goes through `trust.services`, so the console follows the same rules as
the site and every ban and lift lands in the moderation log: adding a blocked term
fills in its normalized form, a ban made here records its `ModerationAction`, and the
log itself is read-only. Forms ask the services' `check_*` functions, so a refusal
shows on the form's fields instead of as a server error.
"""

from __future__ import annotations

from datetime import timedelta

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.http import HttpResponseRedirect
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.text import Truncator
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from halobuzz.core.admin_mixins import ReadOnlyAdminMixin
from halobuzz.core.exceptions import ApplicationError
from trust import services
from trust.models import BlockedTerm, ModerationAction, SiteBan

BAN_TEMPLATE = "admin/trust/ban_site_wide.html"


def _report(modeladmin, request, *, done: int, done_message: str, failures: list[str]) -> None:
    if done:
        modeladmin.message_user(request, done_message, messages.SUCCESS)
    for failure in failures:
        modeladmin.message_user(request, failure, messages.ERROR)


class _ServiceErrorsAsMessagesMixin:
    """A refusal that slips past the form (a race) becomes a message, not a 500.

    The admin runs the save in a transaction, so the refused change rolls back.
    """

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except ApplicationError as error:
            self.message_user(request, error.message, messages.ERROR)
            return HttpResponseRedirect(request.get_full_path())


def _on_own_page(modeladmin, request) -> bool:
    match = getattr(request, "resolver_match", None)
    own_prefix = f"{modeladmin.opts.app_label}_{modeladmin.opts.model_name}_"
    return bool(match and match.url_name and match.url_name.startswith(own_prefix))


# --- The moderation log ----------------------------------------------------------------


@admin.register(ModerationAction)
class ModerationActionAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """What moderators and AutoMod did. Append-only: nobody adds, edits or deletes here."""

    list_display = (
        "created_at",
        "kind",
        "actor",
        "target_user",
        "channel",
        "stream",
        "case",
        "reason",
    )
    # "Who did what": filter by moderator to review one person's decisions.
    list_filter = ("kind", ("actor", admin.RelatedOnlyFieldListFilter), "created_at")
    list_select_related = ("actor", "target_user", "channel", "stream", "case")
    search_fields = (
        "actor__username",
        "target_user__username",
        "channel__username",
        "reason",
        "chat_message__body",
    )
    search_help_text = _(
        "Search by moderator, target or channel username, reason, or the message's text."
    )
    date_hierarchy = "created_at"
    fields = (
        "created_at",
        "kind",
        "actor",
        "target_user",
        "channel",
        "stream",
        "case",
        "message_text",
        "reason",
        "details",
    )
    readonly_fields = fields

    @admin.display(description=_("message"))
    def message_text(self, action: ModerationAction) -> str:
        if action.chat_message is None:
            return "—"
        return Truncator(action.chat_message.body).chars(500)


# --- Blocked terms ---------------------------------------------------------------------


class BlockedTermScopeFilter(admin.SimpleListFilter):
    title = _("where")
    parameter_name = "scope"

    def lookups(self, request, model_admin):
        return (("global", _("Everywhere")), ("channel", _("One channel")))

    def queryset(self, request, queryset):
        if self.value() == "global":
            return queryset.filter(channel__isnull=True)
        if self.value() == "channel":
            return queryset.filter(channel__isnull=False)
        return queryset


class BlockedTermForm(forms.ModelForm):
    class Meta:
        model = BlockedTerm
        fields = ("term", "channel")

    def clean(self):
        cleaned_data = super().clean()
        term = cleaned_data.get("term")
        if term:
            try:
                services.check_new_blocked_term(term=term, channel=cleaned_data.get("channel"))
            except ApplicationError as error:
                self.add_error("term", error.message)
        return cleaned_data


@admin.register(BlockedTerm)
class BlockedTermAdmin(_ServiceErrorsAsMessagesMixin, admin.ModelAdmin):
    """Words chat refuses, everywhere or in one channel. A term cannot be edited: to
    change one, delete it and add the new spelling."""

    form = BlockedTermForm
    list_display = ("term", "normalized", "where", "created_by", "created_at")
    list_filter = (BlockedTermScopeFilter,)
    list_select_related = ("channel", "created_by")
    search_fields = ("term", "normalized", "channel__username")
    raw_id_fields = ("channel",)
    date_hierarchy = "created_at"

    @admin.display(description=_("where"), ordering="channel__username")
    def where(self, blocked_term: BlockedTerm) -> str:
        return str(blocked_term.channel) if blocked_term.channel_id else _("Everywhere")

    def get_fields(self, request, obj=None):
        if obj is None:
            return ("term", "channel")
        return ("term", "normalized", "channel", "created_by", "created_at")

    def get_readonly_fields(self, request, obj=None):
        return () if obj is None else ("term", "normalized", "channel", "created_by", "created_at")

    def has_change_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        created = services.add_blocked_term(
            term=form.cleaned_data["term"], channel=form.cleaned_data["channel"], actor=request.user
        )
        # The admin logs and redirects with the object it holds: make it the saved row.
        obj.pk = created.pk
        obj.term = created.term
        obj.normalized = created.normalized
        obj.created_by = created.created_by
        obj.created_at = created.created_at
        obj._state.adding = False
        obj._state.db = created._state.db

    def delete_model(self, request, obj):
        services.remove_blocked_term(
            blocked_term_id=obj.pk, channel=obj.channel, actor=request.user
        )

    def delete_queryset(self, request, queryset):
        for blocked_term in queryset.select_related("channel").order_by("pk"):
            self.delete_model(request, blocked_term)


# --- Site-wide bans --------------------------------------------------------------------


def _ban_status(site_ban: SiteBan) -> str:
    if site_ban.lifted_at is not None:
        return _("Lifted")
    if site_ban.expires_at is not None and site_ban.expires_at <= timezone.now():
        return _("Expired")
    return _("In force")


class SiteBanStatusFilter(admin.SimpleListFilter):
    title = _("status")
    parameter_name = "status"

    def lookups(self, request, model_admin):
        return (("active", _("In force")), ("expired", _("Expired")), ("lifted", _("Lifted")))

    def queryset(self, request, queryset):
        now = timezone.now()
        if self.value() == "active":
            return queryset.filter(lifted_at__isnull=True).exclude(expires_at__lte=now)
        if self.value() == "expired":
            return queryset.filter(lifted_at__isnull=True, expires_at__lte=now)
        if self.value() == "lifted":
            return queryset.filter(lifted_at__isnull=False)
        return queryset


class SiteBanForm(forms.ModelForm):
    class Meta:
        model = SiteBan
        fields = ("user", "reason", "expires_at")
        help_texts = {"expires_at": _("Leave empty for a ban that lasts until it is lifted.")}

    actor = None  # set by SiteBanAdmin.get_form

    def clean(self):
        cleaned_data = super().clean()
        user = cleaned_data.get("user")
        if user is not None and "reason" in cleaned_data:
            try:
                cleaned_data["reason"] = services.check_site_ban(
                    actor=self.actor,
                    user=user,
                    reason=cleaned_data["reason"],
                    expires_at=cleaned_data.get("expires_at"),
                )
            except ApplicationError as error:
                field = {
                    "reason_required": "reason",
                    "reason_too_long": "reason",
                    "expiry_in_past": "expires_at",
                }.get(error.code, "user")
                self.add_error(field, error.message)
        return cleaned_data


@admin.register(SiteBan)
class SiteBanAdmin(_ServiceErrorsAsMessagesMixin, admin.ModelAdmin):
    """Bans from taking part anywhere. Made and lifted through `trust.services`, so the
    moderation log has each; a ban is never edited or deleted, only lifted."""

    form = SiteBanForm
    list_display = (
        "user",
        "status",
        "reason",
        "created_at",
        "expires_at",
        "created_by",
        "lifted_at",
        "lifted_by",
    )
    list_filter = (SiteBanStatusFilter, "created_at")
    list_select_related = ("user", "created_by", "lifted_by")
    search_fields = ("user__username", "user__email", "reason")
    raw_id_fields = ("user",)
    date_hierarchy = "created_at"
    actions = ("lift_selected_bans",)

    @admin.display(description=_("status"))
    def status(self, site_ban: SiteBan) -> str:
        return _ban_status(site_ban)

    def get_fields(self, request, obj=None):
        if obj is None:
            return ("user", "reason", "expires_at")
        return (
            "user",
            "status",
            "reason",
            "created_at",
            "expires_at",
            "created_by",
            "lifted_at",
            "lifted_by",
        )

    def get_readonly_fields(self, request, obj=None):
        return () if obj is None else self.get_fields(request, obj)

    def get_form(self, request, obj=None, change=False, **kwargs):
        form_class = super().get_form(request, obj, change=change, **kwargs)
        return type(form_class.__name__, (form_class,), {"actor": request.user})

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        # Deleting a member still deletes their bans (Django asks each related admin).
        if _on_own_page(self, request):
            return False
        return super().has_delete_permission(request, obj)

    def has_lift_permission(self, request) -> bool:
        return request.user.has_perm("trust.change_siteban")

    def save_model(self, request, obj, form, change):
        created = services.ban_user_sitewide(
            actor=request.user,
            user=form.cleaned_data["user"],
            reason=form.cleaned_data["reason"],
            expires_at=form.cleaned_data.get("expires_at"),
        )
        obj.pk = created.pk
        obj.reason = created.reason
        obj.created_by = created.created_by
        obj.created_at = created.created_at
        obj._state.adding = False
        obj._state.db = created._state.db

    @admin.action(description=_("Lift selected bans"), permissions=["lift"])
    def lift_selected_bans(self, request, queryset):
        """Lifts every ban in force of the selected bans' members."""
        members = {ban.user_id: ban.user for ban in queryset.select_related("user")}
        lifted = 0
        failures = []
        for member_id in sorted(members):
            try:
                lifted += services.lift_site_ban(actor=request.user, user=members[member_id])
            except ApplicationError as error:
                failures.append(f"{members[member_id]}: {error.message}")
        if not lifted and not failures:
            self.message_user(request, _("None of those bans was in force."), messages.WARNING)
        _report(
            self,
            request,
            done=lifted,
            done_message=ngettext("Lifted %(count)d ban.", "Lifted %(count)d bans.", lifted)
            % {"count": lifted},
            failures=failures,
        )


# --- On the members' pages ---------------------------------------------------------------


class SiteBanInline(admin.TabularInline):
    """A member's site-wide bans, read-only (ban with the action, lift on the bans page)."""

    model = SiteBan
    fk_name = "user"
    fields = ("status", "reason", "created_at", "expires_at", "created_by", "lifted_at")
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = True
    verbose_name = _("site-wide ban")
    verbose_name_plural = _("site-wide bans")

    @admin.display(description=_("status"))
    def status(self, site_ban: SiteBan) -> str:
        return _ban_status(site_ban)

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("created_by")

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class BanDuration:
    HOUR = "1h"
    DAY = "1d"
    WEEK = "7d"
    MONTH = "30d"
    PERMANENT = "permanent"

    CHOICES = (
        (HOUR, _("1 hour")),
        (DAY, _("24 hours")),
        (WEEK, _("7 days")),
        (MONTH, _("30 days")),
        (PERMANENT, _("Until lifted")),
    )
    LENGTHS = {
        HOUR: timedelta(hours=1),
        DAY: timedelta(days=1),
        WEEK: timedelta(days=7),
        MONTH: timedelta(days=30),
    }


class SiteWideBanForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason"),
        max_length=services.SITE_BAN_REASON_MAX_LENGTH,
        help_text=_("Shown to the members and kept in the moderation log."),
        widget=forms.TextInput(attrs={"size": 60, "autofocus": True}),
    )
    duration = forms.ChoiceField(
        label=_("For"), choices=BanDuration.CHOICES, initial=BanDuration.WEEK
    )

    def expires_at(self):
        length = BanDuration.LENGTHS.get(self.cleaned_data["duration"])
        return None if length is None else timezone.now() + length


class SiteBanUserAdminMixin:
    """For the members' admin: a "Ban site-wide" action (asks for a reason on a
    confirmation page, then calls `ban_user_sitewide` per member) and the member's
    bans on their page."""

    actions = ("ban_site_wide",)

    def get_inlines(self, request, obj):
        inlines = list(super().get_inlines(request, obj))
        if obj is not None and request.user.has_perm("trust.view_siteban"):
            inlines.append(SiteBanInline)
        return inlines

    def has_ban_site_wide_permission(self, request) -> bool:
        return request.user.has_perm("trust.add_siteban")

    @admin.action(description=_("Ban site-wide"), permissions=["ban_site_wide"])
    def ban_site_wide(self, request, queryset):
        members = list(queryset.order_by("pk"))
        form = SiteWideBanForm(request.POST if "confirm" in request.POST else None)
        if form.is_bound and form.is_valid():
            banned = 0
            failures = []
            for member in members:
                try:
                    services.ban_user_sitewide(
                        actor=request.user,
                        user=member,
                        reason=form.cleaned_data["reason"],
                        expires_at=form.expires_at(),
                    )
                except ApplicationError as error:
                    failures.append(f"{member}: {error.message}")
                else:
                    banned += 1
            _report(
                self,
                request,
                done=banned,
                done_message=ngettext(
                    "Banned %(count)d member site-wide.",
                    "Banned %(count)d members site-wide.",
                    banned,
                )
                % {"count": banned},
                failures=failures,
            )
            return None  # back to the member list

        context = {
            **self.admin_site.each_context(request),
            "title": _("Ban site-wide"),
            "subtitle": None,
            "opts": self.model._meta,
            "members": members,
            "form": form,
            "action_name": "ban_site_wide",
            "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
            "media": self.media + form.media,
        }
        request.current_app = self.admin_site.name
        return TemplateResponse(request, BAN_TEMPLATE, context)
