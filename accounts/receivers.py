"""Login and logout receivers of the session list and the new-device notice (accounts.sessions,
accounts.known_devices). Connected in AccountsConfig.ready()."""

from django.contrib.auth.signals import user_logged_in, user_logged_out
from django.dispatch import receiver

from accounts.known_devices import known_device_check
from accounts.sessions import EndReason, user_session_current, user_session_end, user_session_start


@receiver(user_logged_in, dispatch_uid="accounts.start_user_session")
def start_user_session(sender, request, user, **kwargs):
    if request is None or not hasattr(request, "session"):
        return
    user_session_start(request=request, user=user)
    known_device_check(request=request, user=user)


@receiver(user_logged_out, dispatch_uid="accounts.end_user_session")
def end_user_session(sender, request, user, **kwargs):
    if request is None or user is None or not hasattr(request, "session"):
        return
    session = user_session_current(request=request)
    if session is not None:
        user_session_end(actor=user, session=session, reason=EndReason.SIGNED_OUT)
