"""The moderation console: the queue of cases, the review page with its decision form,
the appeal queue, and the trust score weights.

Decisions go through `trust.services.cases.act_on_case` and
`trust.services.appeals.decide_appeal`, so the console follows the same rules (roles,
reasons, one transaction) as everything else.
"""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import Count, OuterRef, Subquery
from django.http import FileResponse, Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from halobuzz.core.admin_mixins import ReadOnlyAdminMixin
from halobuzz.core.exceptions import ApplicationError
from trust.models import Appeal, Case, ImageScan, ModerationAction, Report
from trust.models.scores import TrustScore, TrustWeights
from trust.selectors import cases as case_selectors
from trust.services import appeals as appeal_services
from trust.services import cases as case_services

REVIEW_TEMPLATE = "admin/trust/case_review.html"
APPEAL_TEMPLATE = "admin/trust/appeal_review.html"


class CaseActionForm(forms.Form):
    action = forms.ChoiceField(
        label=_("Decision"),
        choices=[(kind, ModerationAction.Kind(kind).label) for kind in case_services.CASE_ACTIONS],
        widget=forms.RadioSelect,
    )
    reason = forms.CharField(
        label=_("Reason"),
        max_length=200,
        help_text=_("The member reads this; be specific and polite."),
        widget=forms.TextInput(attrs={"size": 60}),
    )
    suspend_days = forms.IntegerField(
        label=_("Suspend for (days)"), min_value=1, max_value=365, required=False
    )


class CaseStatusFilter(admin.SimpleListFilter):
    title = _("status")
    parameter_name = "state"

    def lookups(self, request, model_admin):
        return [*Case.Status.choices, ("all", _("All"))]

    def choices(self, changelist):
        # The queue is what moderators come for, so it is the default ("no choice").
        for index, choice in enumerate(super().choices(changelist)):
            if index == 0:
                choice["display"] = _("Open and escalated")
            yield choice

    def queryset(self, request, queryset):
        value = self.value()
        if value is None:
            return queryset.filter(status__in=Case.OPEN_STATUSES)
        if value == "all":
            return queryset
        return queryset.filter(status=value)


class ReportInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = Report
    fields = ("created_at", "reporter", "reason", "note", "upheld")
    readonly_fields = fields
    extra = 0


@admin.register(Case)
class CaseAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """The moderation queue. Each case opens on a review page with a decision form."""

    list_display = (
        "priority_display",
        "target",
        "subject",
        "top_reason",
        "report_count",
        "live_reach",
        "status",
        "opened_at",
    )
    list_display_links = ("priority_display", "target")
    list_filter = (CaseStatusFilter, "target_kind", "reports__reason")
    list_select_related = ("subject", "stream")
    search_fields = ("subject__username", "stream__title", "reports__note")
    ordering = ("-priority", "opened_at")

    def has_view_permission(self, request, obj=None):
        return request.user.has_perm("trust.view_case") or case_services.may_moderate(request.user)

    def get_queryset(self, request):
        most_reported = (
            Report.objects.filter(case=OuterRef("pk"))
            .values("reason")
            .annotate(times=Count("pk"))
            .order_by("-times", "reason")
            .values("reason")[:1]
        )
        return super().get_queryset(request).annotate(main_reason=Subquery(most_reported))

    @admin.display(description=_("priority"), ordering="-priority")
    def priority_display(self, case: Case) -> str:
        return f"{case.severity}·{case.priority}"

    @admin.display(description=_("reported"))
    def target(self, case: Case) -> str:
        if case.stream_id and case.target_kind == Case.TargetKind.STREAM:
            return f"{case.get_target_kind_display()}: {case.stream.title}"
        return f"{case.get_target_kind_display()} {case.target_key.split(':')[-1]}"

    @admin.display(description=_("main reason"))
    def top_reason(self, case: Case) -> str:
        return Report.Reason(case.main_reason).label if case.main_reason else "—"

    @admin.display(description=_("live reach"))
    def live_reach(self, case: Case):
        if case.stream_id and case.stream.is_active:
            return format_html("<strong>{}</strong> {}", _("LIVE"), case.stream.current_viewers)
        return "—"

    def get_urls(self):
        return [
            path(
                "<int:case_id>/act/",
                self.admin_site.admin_view(self.act_view),
                name="trust_case_act",
            ),
            *super().get_urls(),
        ]

    def change_view(self, request, object_id, form_url="", extra_context=None):
        if not self.has_view_permission(request):
            raise PermissionDenied
        try:
            review = case_selectors.get_case_for_review(case_id=int(object_id))
        except (ApplicationError, ValueError):
            self.message_user(request, _("That case does not exist."), messages.ERROR)
            return HttpResponseRedirect(reverse("admin:trust_case_changelist"))
        return self._render_review(request, review=review, form=CaseActionForm())

    def _render_review(self, request, *, review: dict, form: CaseActionForm):
        case = review["case"]
        context = {
            **self.admin_site.each_context(request),
            **review,
            "title": _("Case %(number)d") % {"number": case.pk},
            "opts": self.model._meta,
            "form": form,
            "may_act": case_services.may_moderate(request.user) and case.is_open,
            "may_decide_escalated": case_services.may_decide_escalated(request.user),
            "max_moderator_suspend_days": settings.MODERATOR_MAX_SUSPEND_DAYS,
        }
        return TemplateResponse(request, REVIEW_TEMPLATE, context)

    def act_view(self, request, case_id: int):
        if not self.has_view_permission(request):
            raise PermissionDenied
        if request.method != "POST":
            return HttpResponseRedirect(reverse("admin:trust_case_change", args=[case_id]))
        form = CaseActionForm(request.POST)
        if form.is_valid():
            try:
                action = case_services.act_on_case(
                    moderator=request.user,
                    case_id=case_id,
                    action=form.cleaned_data["action"],
                    reason=form.cleaned_data["reason"],
                    suspend_days=form.cleaned_data["suspend_days"],
                )
            except ApplicationError as error:
                form.add_error(None, error.message)
            else:
                self.message_user(
                    request,
                    _("Case %(number)d: %(decision)s.")
                    % {"number": case_id, "decision": action.get_kind_display()},
                    messages.SUCCESS,
                )
                return HttpResponseRedirect(reverse("admin:trust_case_changelist"))
        review = case_selectors.get_case_for_review(case_id=case_id)
        return self._render_review(request, review=review, form=form)


class AppealDecisionForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("Decision"),
        choices=[("uphold", _("Uphold: the decision stands")), ("overturn", _("Overturn it"))],
        widget=forms.RadioSelect,
    )
    note = forms.CharField(
        label=_("Note to the member"), max_length=500, widget=forms.Textarea(attrs={"rows": 3})
    )


@admin.register(Appeal)
class AppealAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """The appeal queue: pending appeals first; a senior moderator decides each."""

    list_display = ("created_at", "appellant", "decision", "decision_by", "status", "decided_by")
    list_filter = ("status", "action__kind")
    list_select_related = ("appellant", "action__actor", "decided_by")
    ordering = ("-status", "created_at")

    @admin.display(description=_("decision appealed"))
    def decision(self, appeal: Appeal) -> str:
        return appeal.action.get_kind_display()

    @admin.display(description=_("decided by"))
    def decision_by(self, appeal: Appeal) -> str:
        return str(appeal.action.actor or _("AutoMod"))

    def change_view(self, request, object_id, form_url="", extra_context=None):
        appeal = get_object_or_404(
            Appeal.objects.select_related("action__actor", "action__case", "appellant"),
            pk=object_id,
        )
        if not self.has_view_permission(request, appeal):
            raise PermissionDenied
        form = AppealDecisionForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            try:
                appeal_services.decide_appeal(
                    reviewer=request.user,
                    appeal_id=appeal.pk,
                    overturn=form.cleaned_data["decision"] == "overturn",
                    note=form.cleaned_data["note"],
                )
            except ApplicationError as error:
                form.add_error(None, error.message)
            else:
                self.message_user(request, _("Appeal decided."), messages.SUCCESS)
                return HttpResponseRedirect(reverse("admin:trust_appeal_changelist"))
        context = {
            **self.admin_site.each_context(request),
            "title": _("Appeal by %(name)s") % {"name": appeal.appellant},
            "opts": self.model._meta,
            "appeal": appeal,
            "form": form,
            "may_decide": case_services.may_decide_escalated(request.user)
            and appeal.status == Appeal.Status.PENDING,
        }
        return TemplateResponse(request, APPEAL_TEMPLATE, context)


@admin.register(TrustWeights)
class TrustWeightsAdmin(admin.ModelAdmin):
    """The formula's weights and level bands; one row, edited in place."""

    list_display = ("__str__", "verification", "social_proof", "financial", "content")
    readonly_fields = ("updated_at", "updated_by")

    def has_add_permission(self, request):
        return super().has_add_permission(request) and not TrustWeights.objects.exists()

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        obj.updated_by = request.user
        super().save_model(request, obj, form, change)


@admin.register(TrustScore)
class TrustScoreAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("user", "score", "level", "computed_at")
    list_filter = ("level",)
    search_fields = ("user__username",)
    list_select_related = ("user",)
    fields = ("user", "score", "level", "components", "inputs", "computed_at")
    readonly_fields = fields


@admin.register(ImageScan)
class ImageScanAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Images AI moderation sent to review or blocked, with the score and model version.
    The images are private: staff open them here, never through a public URL."""

    list_display = ("created_at", "subject_kind", "owner", "score", "decision", "model_version")
    list_filter = ("decision", "subject_kind", "model_version")
    list_select_related = ("owner",)
    search_fields = ("owner__username",)
    fields = (
        "created_at",
        "subject_kind",
        "owner",
        "stream",
        "case",
        "score",
        "decision",
        "labels",
        "model_version",
        "elapsed_ms",
        "image_link",
    )
    readonly_fields = fields

    @admin.display(description=_("image"))
    def image_link(self, scan: ImageScan):
        if not scan.image:
            return "—"
        url = reverse("admin:trust_imagescan_image", args=[scan.pk])
        return format_html('<a href="{}" target="_blank" rel="noopener">{}</a>', url, _("open"))

    def get_urls(self):
        return [
            path(
                "<int:scan_id>/image/",
                self.admin_site.admin_view(self.image_view),
                name="trust_imagescan_image",
            ),
            *super().get_urls(),
        ]

    def image_view(self, request, scan_id: int):
        if not self.has_view_permission(request):
            raise PermissionDenied
        scan = get_object_or_404(ImageScan, pk=scan_id)
        if not scan.image:
            raise Http404
        response = FileResponse(scan.image.open("rb"), content_type=_image_type(scan.image.name))
        response["Cache-Control"] = "private, no-store"
        response["X-Content-Type-Options"] = "nosniff"
        return response


def _image_type(name: str) -> str:
    return "image/webp" if name.endswith(".webp") else "image/jpeg"
