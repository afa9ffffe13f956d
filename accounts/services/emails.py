"""Account e-mails: Django's e-mail framework, a plain-text and an HTML template for each
(templates/emails/<name>.txt and .html). Links are absolute, built from the request's host
(validated by ALLOWED_HOSTS)."""

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string

SUBJECTS = {
    "verify_email": "Confirm your e-mail address for HealthPro",
    "signup_existing_account": "Someone tried to register with your e-mail address",
    "invitation": "You are invited to HealthPro",
    "password_reset": "Reset your HealthPro password",
    "password_changed": "Your HealthPro password was changed",
    "new_device": "New sign-in to your HealthPro account",
    "incident_deadline_reminder": "HealthPro: an incident notification deadline is approaching",
}


def render_account_email(*, template: str, to: str, context: dict) -> EmailMultiAlternatives:
    context = {"site_name": "HealthPro", **context}
    message = EmailMultiAlternatives(
        subject=SUBJECTS[template],
        body=render_to_string(f"emails/{template}.txt", context),
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[to],
    )
    message.attach_alternative(render_to_string(f"emails/{template}.html", context), "text/html")
    return message


def send_account_email(*, template: str, to: str, context: dict) -> None:
    render_account_email(template=template, to=to, context=context).send()
