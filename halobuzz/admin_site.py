"""The operators' console: Django admin, branded, behind allauth sign-in and MFA."""

from allauth.account.decorators import secure_admin_login
from allauth.mfa.utils import is_mfa_enabled
from django.contrib import admin, messages
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _


class HaloBuzzAdminSite(admin.AdminSite):
    site_header = _("HaloBuzz console")
    site_title = _("HaloBuzz console")
    index_title = _("Operations")

    def login(self, request, extra_context=None):
        # Staff sign in through the site's own login so that rate limits and the
        # second factor apply to them as to everyone else.
        return secure_admin_login(super().login)(request, extra_context)

    def admin_view(self, view, cacheable=False):
        inner = super().admin_view(view, cacheable)

        def view_requiring_mfa(request, *args, **kwargs):
            user = request.user
            if user.is_authenticated and user.is_staff and not is_mfa_enabled(user):
                messages.warning(
                    request,
                    gettext(
                        "Staff accounts need two-factor authentication. "
                        "Set up an authenticator app to open the console."
                    ),
                )
                setup_url = reverse("mfa_activate_totp")
                return redirect(f"{setup_url}?next={request.get_full_path()}")
            return inner(request, *args, **kwargs)

        view_requiring_mfa.__name__ = getattr(view, "__name__", "admin_view")
        return view_requiring_mfa
