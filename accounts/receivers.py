"""Every signal receiver of accounts, each one line into a service. Connected in
AccountsConfig.ready(), in this order: the session row and new-device notice of a login are
recorded before its audit event."""

from accounts.services import lockout
from accounts.services.sessions import (
    login_audit,
    login_failure_audit,
    logout_audit,
    sign_in_record,
    sign_out_record,
)


def start_user_session(sender, request, user, **kwargs):
    sign_in_record(request=request, user=user)


def end_user_session(sender, request, user, **kwargs):
    sign_out_record(request=request, user=user)


def audit_login(sender, request, user, **kwargs):
    login_audit(user=user)


def audit_logout(sender, request, user, **kwargs):
    logout_audit(user=user)


def audit_login_failed(sender, credentials, request=None, **kwargs):
    login_failure_audit(credentials=credentials)


def audit_lockout(sender, request=None, username=None, ip_address=None, **kwargs):
    lockout.lockout_audit(request=request, username=username)


def lockout_cleared(sender, instance, **kwargs):
    lockout.attempt_counter_clear(username=instance.username, ip=instance.ip_address)
