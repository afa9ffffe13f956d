"""The profile page and the "Active sessions" page (list, sign out one, sign out all others)."""

from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST, require_safe

from accounts.models import EndReason
from accounts.selectors import user_session_current, user_session_get, user_session_list
from accounts.services.sessions import user_end_sessions, user_session_end
from accounts.views.sign_in import SIGNED_OUT_MESSAGE


@login_required
@require_safe
def profile(request):
    return render(request, "accounts/profile.html")


@login_required
@require_safe
def session_list(request):
    current = user_session_current(request=request)
    return render(
        request,
        "accounts/sessions.html",
        {"sessions": user_session_list(user=request.user), "current_session_id": current.pk if current else None},
    )


@login_required
@require_POST
def session_end(request, session_id: int):
    session = user_session_get(user=request.user, session_id=session_id)
    if session is None:
        raise Http404("No such session.")
    current = user_session_current(request=request)
    user_session_end(actor=request.user, session=session, reason=EndReason.SIGNED_OUT_ELSEWHERE)
    if current is not None and current.pk == session.pk:
        logout(request)
        messages.success(request, SIGNED_OUT_MESSAGE)
        return redirect("accounts:login")
    messages.success(request, f"The session on {session.device_label or 'an unknown device'} was signed out.")
    return redirect("accounts:sessions")


@login_required
@require_POST
def session_end_others(request):
    ended, _ = user_end_sessions(
        user=request.user,
        except_session_key=request.session.session_key,
        reason=EndReason.SIGNED_OUT_ELSEWHERE,
        actor=request.user,
    )
    messages.success(request, f"Signed out {ended} other session{'s' if ended != 1 else ''}.")
    return redirect("accounts:sessions")
