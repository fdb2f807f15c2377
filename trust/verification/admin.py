"""Verifications in the console: staff review identity documents and approve or reject.

Rows are written only by `trust.verification.services`: the console reads them, and
its approve / reject actions and the review form on a verification's page call
`approve_verification` / `reject_verification`, which check the reviewer's
"review verification" permission themselves. Who may review is one rule,
`selectors.may_review`, which the console also asks to show or hide the controls.

Document photos are never under MEDIA_URL. `document_view` streams them from the
private storage to staff holding "view identity documents", with headers that keep
them out of caches; anyone else gets 404 (not staff) or 403 (staff without it).
"""

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from halobuzz.core.admin_mixins import ReadOnlyAdminMixin
from halobuzz.core.exceptions import ApplicationError
from trust.verification import selectors, services
from trust.verification.layers import STAFF_REVIEWED_KINDS
from trust.verification.models import DevTextMessage, IdentityDocuments, Verification
from trust.verification.phones import format_international
from trust.verification.services.review import REASON_MAX_LENGTH, REASON_MIN_LENGTH

DOCUMENTS_PERMISSION = "verification.view_identity_documents"
REJECT_TEMPLATE = "trust/verification/admin/reject.html"


class RejectionForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason (the member sees it)"),
        min_length=REASON_MIN_LENGTH,
        max_length=REASON_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3, "cols": 60}),
        help_text=_("Say what to fix, e.g. “The photo of the front is blurred; take it again.”"),
    )


@admin.register(Verification)
class VerificationAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("user", "kind", "status", "shown_subject", "created_at", "decided_at")
    list_filter = ("status", "kind")
    list_select_related = ("user", "reviewer")
    search_fields = ("user__username", "user__email", "subject")
    search_help_text = _("Search by username, email, or the verified address or number.")
    date_hierarchy = "created_at"
    actions = ("approve_selected", "reject_selected")
    change_form_template = "trust/verification/admin/change_form.html"
    fields = (
        "user",
        "kind",
        "status",
        "shown_subject",
        "evidence",
        "created_at",
        "decided_at",
        "expires_at",
        "reviewer",
        "rejection_reason",
        "documents",
    )
    readonly_fields = fields

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("identity_documents")

    @admin.display(description=_("verified value"), ordering="subject")
    def shown_subject(self, verification: Verification) -> str:
        if verification.kind == Verification.Kind.PHONE:
            return format_international(verification.subject)
        return verification.subject or "—"

    @admin.display(description=_("documents"))
    def documents(self, verification: Verification) -> str:
        documents = getattr(verification, "identity_documents", None)
        if documents is None:
            return "—"
        if documents.deleted_at is not None:
            return _("%(document)s; photos deleted on %(date)s") % {
                "document": documents.get_document_type_display(),
                "date": documents.deleted_at.date().isoformat(),
            }
        return documents.get_document_type_display()

    def _document_images(self, request, verification) -> list[dict]:
        """The photos the viewer may see, as {"label", "url"} for the change page."""
        documents = getattr(verification, "identity_documents", None)
        if documents is None or not request.user.has_perm(DOCUMENTS_PERMISSION):
            return []
        return [
            {
                "label": IdentityDocuments._meta.get_field(side).verbose_name,
                "url": reverse(
                    "admin:verification_verification_document", args=[verification.pk, side]
                ),
            }
            for side in IdentityDocuments.IMAGE_FIELDS
            if getattr(documents, side)
        ]

    def change_view(self, request, object_id, form_url="", extra_context=None):
        verification = self.get_object(request, object_id)
        extra_context = {**(extra_context or {})}
        if verification is not None:
            extra_context |= {
                "document_images": self._document_images(request, verification),
                "may_view_documents": request.user.has_perm(DOCUMENTS_PERMISSION),
                "can_review": (
                    verification.is_pending
                    and verification.kind in STAFF_REVIEWED_KINDS
                    and selectors.may_review(user=request.user)
                ),
                "rejection_form": RejectionForm(),
            }
        return super().change_view(request, object_id, form_url, extra_context)

    def get_urls(self):
        opts = self.opts
        return [
            path(
                "<int:object_id>/documents/<str:side>/",
                self._staff_or_404(self.document_view),
                name=f"{opts.app_label}_{opts.model_name}_document",
            ),
            path(
                "<int:object_id>/review/",
                self.admin_site.admin_view(require_POST(self.review_view)),
                name=f"{opts.app_label}_{opts.model_name}_review",
            ),
            *super().get_urls(),
        ]

    def _staff_or_404(self, view):
        # Not `admin_view` alone: it would send anyone to the console's login page,
        # telling them a document is there. Non-staff get a plain 404.
        protected = self.admin_site.admin_view(view, cacheable=True)

        def staff_only(request, *args, **kwargs):
            if not (request.user.is_active and request.user.is_staff):
                raise Http404
            return protected(request, *args, **kwargs)

        return staff_only

    def document_view(self, request, object_id: int, side: str):
        if not request.user.has_perm(DOCUMENTS_PERMISSION):
            raise PermissionDenied
        if side not in IdentityDocuments.IMAGE_FIELDS:
            raise Http404
        documents = get_object_or_404(IdentityDocuments, verification_id=object_id)
        image = getattr(documents, side)
        if not image:
            raise Http404
        response = FileResponse(
            image.storage.open(image.name, "rb"),
            content_type="image/jpeg",
            as_attachment=False,
            filename=f"verification-{object_id}-{side}.jpg",
        )
        response["Cache-Control"] = "private, no-store"
        response["X-Content-Type-Options"] = "nosniff"
        return response

    def review_view(self, request, object_id: int):
        verification = get_object_or_404(Verification, pk=object_id)
        change_url = reverse("admin:verification_verification_change", args=[object_id])
        try:
            if request.POST.get("decision") == "approve":
                services.approve_verification(reviewer=request.user, verification=verification)
                self.message_user(request, _("Approved; the member has been told."))
            else:
                form = RejectionForm(request.POST)
                if not form.is_valid():
                    for error in form.errors.get("reason", []):
                        self.message_user(request, error, messages.ERROR)
                    return HttpResponseRedirect(change_url)
                services.reject_verification(
                    reviewer=request.user,
                    verification=verification,
                    reason=form.cleaned_data["reason"],
                )
                self.message_user(request, _("Rejected; the member sees your reason."))
        except ApplicationError as error:
            self.message_user(request, error.message, messages.ERROR)
            return HttpResponseRedirect(change_url)
        return HttpResponseRedirect(reverse("admin:verification_verification_changelist"))

    # --- bulk actions ------------------------------------------------------------

    def has_review_permission(self, request) -> bool:
        return selectors.may_review(user=request.user)

    def _decide_each(self, request, queryset, decide) -> int:
        done = 0
        for verification in queryset.order_by("pk"):
            try:
                decide(verification)
            except ApplicationError as error:
                self.message_user(request, f"{verification}: {error.message}", messages.ERROR)
            else:
                done += 1
        return done

    @admin.action(description=_("Approve selected verifications"), permissions=["review"])
    def approve_selected(self, request, queryset):
        done = self._decide_each(
            request,
            queryset,
            lambda verification: services.approve_verification(
                reviewer=request.user, verification=verification
            ),
        )
        if done:
            self.message_user(
                request,
                ngettext("%(count)d approved.", "%(count)d approved.", done) % {"count": done},
                messages.SUCCESS,
            )

    @admin.action(description=_("Reject selected verifications…"), permissions=["review"])
    def reject_selected(self, request, queryset):
        form = RejectionForm(request.POST if "apply" in request.POST else None)
        if form.is_bound and form.is_valid():
            reason = form.cleaned_data["reason"]
            done = self._decide_each(
                request,
                queryset,
                lambda verification: services.reject_verification(
                    reviewer=request.user, verification=verification, reason=reason
                ),
            )
            if done:
                self.message_user(
                    request,
                    ngettext("%(count)d rejected.", "%(count)d rejected.", done) % {"count": done},
                    messages.SUCCESS,
                )
            return None
        request.current_app = self.admin_site.name
        return TemplateResponse(
            request,
            REJECT_TEMPLATE,
            {
                **self.admin_site.each_context(request),
                "title": _("Reject verifications"),
                "subtitle": None,
                "opts": self.opts,
                "verifications": queryset.select_related("user"),
                "form": form,
                "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
            },
        )


@admin.register(DevTextMessage)
class DevTextMessageAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """What the dev SMS provider would have texted: the last message to each number."""

    list_display = ("to", "body", "sent_at")
    search_fields = ("to",)
