"""Sign-in and account-security signals → the security log.

Connected in `AuditConfig.ready`. Django's own sign-in signals cover every way in
(allauth's pages, the console's login, which goes through them); allauth's cover
passwords, email addresses and two-factor authentication; the admin's `LogEntry`
covers staff editing a member.
"""

from __future__ import annotations

import json

from allauth.account import signals as account_signals
from allauth.mfa import signals as mfa_signals
from allauth.mfa.models import Authenticator
from django.contrib.admin.models import ADDITION, CHANGE, LogEntry
from django.contrib.auth import get_user_model
from django.contrib.auth import signals as auth_signals
from django.contrib.contenttypes.models import ContentType
from django.db.models.signals import post_save

from halobuzz.users.selectors import find_user_by_login
from trust.audit.models import AuditEvent
from trust.audit.services import record_audit_event

Kind = AuditEvent.Kind


def connect_receivers() -> None:
    auth_signals.user_logged_in.connect(on_logged_in, dispatch_uid="audit.logged_in")
    auth_signals.user_login_failed.connect(on_login_failed, dispatch_uid="audit.login_failed")
    auth_signals.user_logged_out.connect(on_logged_out, dispatch_uid="audit.logged_out")
    account_signals.password_changed.connect(
        on_password_changed, dispatch_uid="audit.password_changed"
    )
    account_signals.password_set.connect(on_password_set, dispatch_uid="audit.password_set")
    account_signals.password_reset.connect(on_password_reset, dispatch_uid="audit.password_reset")
    account_signals.email_added.connect(on_email_added, dispatch_uid="audit.email_added")
    account_signals.email_removed.connect(on_email_removed, dispatch_uid="audit.email_removed")
    account_signals.email_changed.connect(on_email_changed, dispatch_uid="audit.email_changed")
    mfa_signals.authenticator_added.connect(
        on_authenticator_added, dispatch_uid="audit.authenticator_added"
    )
    mfa_signals.authenticator_removed.connect(
        on_authenticator_removed, dispatch_uid="audit.authenticator_removed"
    )
    mfa_signals.authenticator_reset.connect(
        on_authenticator_reset, dispatch_uid="audit.authenticator_reset"
    )
    mfa_signals.authentication_failed.connect(
        on_second_factor_failed, dispatch_uid="audit.second_factor_failed"
    )
    post_save.connect(on_admin_log_entry, sender=LogEntry, dispatch_uid="audit.admin_log_entry")


# --- Signing in and out ----------------------------------------------------------------


def on_logged_in(sender, request, user, **kwargs):
    record_audit_event(user=user, kind=Kind.LOGIN, actor=user, request=request)


def on_login_failed(sender, credentials, request=None, **kwargs):
    """A wrong password for an existing account. Attempts on names nobody has are
    not anyone's security event."""
    login = credentials.get("email") or credentials.get("username") or ""
    account = find_user_by_login(login=login)
    if account is None:
        return
    record_audit_event(
        user=account,
        kind=Kind.LOGIN_FAILED,
        actor_known=False,
        request=request,
        details={"step": "password"},
    )


def on_second_factor_failed(sender, request, user, authenticator=None, **kwargs):
    """The password was right but the authenticator code was not: whoever tried knows
    the password, which the member should hear about."""
    details = {"step": "two_factor"}
    if kwargs.get("reauthentication"):
        details["reauthentication"] = True
    record_audit_event(
        user=user, kind=Kind.LOGIN_FAILED, actor_known=False, request=request, details=details
    )


def on_logged_out(sender, request, user, **kwargs):
    if user is None:  # signing out without being signed in
        return
    record_audit_event(user=user, kind=Kind.LOGOUT, actor=user, request=request)


# --- Passwords and email addresses -----------------------------------------------------


def on_password_changed(sender, request, user, **kwargs):
    record_audit_event(user=user, kind=Kind.PASSWORD_CHANGED, actor=user, request=request)


def on_password_set(sender, request, user, **kwargs):
    record_audit_event(
        user=user,
        kind=Kind.PASSWORD_CHANGED,
        actor=user,
        request=request,
        details={"first_password": True},
    )


def on_password_reset(sender, request, user, **kwargs):
    # The person who reset it proved they read the account's email: the member.
    record_audit_event(user=user, kind=Kind.PASSWORD_RESET, actor=user, request=request)


def on_email_added(sender, request, user, email_address, **kwargs):
    record_audit_event(
        user=user,
        kind=Kind.EMAIL_ADDED,
        actor=user,
        request=request,
        details={"email": email_address.email},
    )


def on_email_removed(sender, request, user, email_address, **kwargs):
    record_audit_event(
        user=user,
        kind=Kind.EMAIL_REMOVED,
        actor=user,
        request=request,
        details={"email": email_address.email},
    )


def on_email_changed(sender, request, user, from_email_address, to_email_address, **kwargs):
    """allauth sends this both when a confirmed new address replaces the old one
    (ACCOUNT_CHANGE_EMAIL: the old address is gone) and when another address the
    member keeps is made primary."""
    old_address_kept = (
        from_email_address is not None
        and from_email_address.pk is not None
        and type(from_email_address).objects.filter(pk=from_email_address.pk).exists()
    )
    record_audit_event(
        user=user,
        kind=Kind.EMAIL_PRIMARY_CHANGED if old_address_kept else Kind.EMAIL_CHANGED,
        actor=user,
        request=request,
        details={
            "from": from_email_address.email if from_email_address is not None else "",
            "to": to_email_address.email,
        },
    )


# --- Two-factor authentication ---------------------------------------------------------
# Turning on an authenticator app also creates recovery codes, and turning it off
# deletes them: those companions are part of the one event, not events of their own.


def on_authenticator_added(sender, request, user, authenticator, **kwargs):
    if authenticator.type == Authenticator.Type.RECOVERY_CODES:
        return
    record_audit_event(
        user=user,
        kind=Kind.MFA_ENABLED,
        actor=user,
        request=request,
        details={"authenticator": authenticator.type},
    )


def on_authenticator_removed(sender, request, user, authenticator, **kwargs):
    if authenticator.type == Authenticator.Type.RECOVERY_CODES:
        return
    record_audit_event(
        user=user,
        kind=Kind.MFA_DISABLED,
        actor=user,
        request=request,
        details={"authenticator": authenticator.type},
    )


def on_authenticator_reset(sender, request, user, authenticator, **kwargs):
    record_audit_event(
        user=user,
        kind=Kind.MFA_RECOVERY_CODES_REGENERATED,
        actor=user,
        request=request,
        details={"authenticator": authenticator.type},
    )


# --- Staff in the console --------------------------------------------------------------


def on_admin_log_entry(sender, instance: LogEntry, created: bool, raw=False, **kwargs):
    """The console adds or changes a member (not deletions: the member's log goes with
    them). The console logs each change to one object with a saved `LogEntry`."""
    if raw or not created or instance.action_flag not in (ADDITION, CHANGE):
        return
    user_model = get_user_model()
    if instance.content_type_id != ContentType.objects.get_for_model(user_model).pk:
        return
    member = user_model._default_manager.filter(pk=instance.object_id).first()
    if member is None:
        return
    record_audit_event(
        user=member,
        kind=Kind.STAFF_ACTION,
        actor=instance.user,
        details={
            "action": "added" if instance.action_flag == ADDITION else "changed",
            "changes": _parsed_change_message(instance.change_message),
        },
    )


def _parsed_change_message(change_message: str):
    """The admin stores a JSON list of untranslated changes (field labels, never the
    values); keep it so the page can translate it. Older or custom entries are text."""
    if change_message.startswith("["):
        try:
            return json.loads(change_message)
        except json.JSONDecodeError:
            pass
    return change_message
